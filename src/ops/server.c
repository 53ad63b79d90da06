/*
 * server.c - the server operations of the seed's "Server Operations" page
 * and HAProxy 2.6's other per-server changes, as plans.
 *
 * Every argument is checked before anything is sent: HAProxy silently
 * turns some bad numbers into 0, so numbers are validated here, strictly.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/snapshot.h"
#include "ops/ops.h"
#include "ops/workflow.h"
#include "proto/command.h"
#include "util/view.h"
#include "util/banned.h"

/* A user value for a message: printable, one line. */
#define P(v) hap_printable((v) ? (v) : "", pbuf, sizeof(pbuf))

static int digits(const char *s, size_t maxlen)
{
	size_t n = strlen(s);

	return n > 0 && n <= maxlen && strspn(s, "0123456789") == n;
}

static int one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return 1;
	return 0;
}

static int need(const char *what, const char *v, const char *const *set, const char *expect,
                struct hap_error *err)
{
	char pbuf[160];

	if (!v)
		return hap_error_set(err, HAP_EINVAL, "%s: a value is needed (%s)", what, expect);
	if (!one_of(v, set))
		return hap_error_set(err, HAP_EINVAL, "%s: invalid value '%s' (expected %s)", what,
		                     P(v), expect);
	return 0;
}

/* "weight": 0..256, or N% (0..10000) of the configured weight. */
static int check_weight(const char *v, struct hap_error *err)
{
	char pbuf[160];
	int64_t n;

	if (!v)
		return hap_error_set(err, HAP_EINVAL, "weight: a value is needed (0..256 or N%%)");
	if (v[0] && v[strlen(v) - 1] == '%') {
		char num[16];
		size_t l = strlen(v) - 1;

		if (l == 0 || l >= sizeof(num))
			goto badweight;
		memcpy(num, v, l);
		num[l] = '\0';
		if (!digits(num, 5) || hap_num_parse_i64(num, &n) || n > 10000)
			goto badweight;
		return 0;
	}
	if (!digits(v, 3) || hap_num_parse_i64(v, &n) || n > 256)
		goto badweight;
	return 0;
badweight:
	return hap_error_set(err, HAP_EINVAL,
	                     "weight: invalid value '%s' (expected 0..256, or 0%%..10000%% of "
	                     "the configured weight)",
	                     P(v));
}

/* "addr": an IP literal, and the optional port. */
static int check_addr(const char *v, const char *port, struct hap_error *err)
{
	unsigned char tmp[16];
	char pbuf[160];
	int64_t n;

	if (!v)
		return hap_error_set(err, HAP_EINVAL, "addr: an IPv4 or IPv6 address is needed");
	if (inet_pton(AF_INET, v, tmp) != 1 && inet_pton(AF_INET6, v, tmp) != 1)
		return hap_error_set(err, HAP_EINVAL,
		                     "addr: invalid address '%s' (an IPv4 or IPv6 literal; "
		                     "HAProxy takes no host name here)",
		                     P(v));
	/* decimal, leading zeros allowed (as in tcp:HOST:PORT), sent without them */
	if (port && (!*port || !digits(port + strspn(port, "0"), 5) ||
	             hap_num_parse_i64(port, &n) || n < 1 || n > 65535))
		return hap_error_set(err, HAP_EINVAL,
		                     "port: invalid value '%s' (expected 1..65535)", P(port));
	return 0;
}

int hap_server_op_check(const struct hap_server_op *op, struct hap_error *err)
{
	static const char *const states[] = { "ready", "drain", "maint", NULL };
	static const char *const health[] = { "up", "stopping", "down", NULL };
	static const char *const agent[] = { "up", "down", NULL };
	static const char *const onoff[] = { "enable", "disable", NULL };
	const char *v = op->value;
	char pbuf[160];
	int64_t n;
	int ret;

	if (!op->server)
		return hap_error_set(err, HAP_EINVAL, "a server name is needed");
	ret = hap_cmd_check_name("server", op->server, err);
	if (!ret && op->backend)
		ret = hap_cmd_check_name("backend", op->backend, err);
	if (ret)
		return ret;
	if (op->port && op->change != HAP_SERVER_ADDR)
		return hap_error_set(err, HAP_EINVAL, "a port goes only with an address");
	switch (op->change) {
	case HAP_SERVER_WEIGHT:
		return check_weight(v, err);
	case HAP_SERVER_STATE:
		return need("state", v, states, "ready, drain or maint", err);
	case HAP_SERVER_HEALTH:
		return need("health", v, health, "up, stopping or down", err);
	case HAP_SERVER_AGENT:
		return need("agent", v, agent, "up or down", err);
	case HAP_SERVER_CHECK:
		return need("check", v, onoff, "enable or disable", err);
	case HAP_SERVER_AGENT_CHECK:
		return need("agent-check", v, onoff, "enable or disable", err);
	case HAP_SERVER_MAXCONN:
		if (!v || !digits(v, 10) || hap_num_parse_i64(v, &n) || n > 1000000000)
			return hap_error_set(err, HAP_EINVAL,
			                     "maxconn: invalid value '%s' (expected 0..1000000000)",
			                     P(v));
		return 0;
	case HAP_SERVER_ADDR:
		return check_addr(v, op->port, err);
	case HAP_SERVER_ENABLE:
	case HAP_SERVER_DISABLE:
	case HAP_SERVER_SHUTDOWN_SESSIONS:
		if (v)
			return hap_error_set(err, HAP_EINVAL, "this change takes no value");
		return 0;
	}
	return hap_error_set(err, HAP_EINVAL, "unknown server change");
}

/* The words w[0..] (up to a NULL) appended to b: a command's line without
 * printf (a name in every backend formats 2,000 of them). 0 or an error of
 * hap_buf_adds(). */
static int words(struct hap_buf *b, const char *const *w)
{
	int ret = 0;

	for (; *w && !ret; w++)
		ret = hap_buf_adds(b, *w);
	return ret;
}

/* The command for one backend, and its reply table (a missing string as
 * printf wrote it). */
static int format(struct hap_buf *b, const struct hap_server_op *op, const char *backend,
                  const struct hap_reply_table **judge)
{
	const char *v = op->value ? op->value : "(null)";
	const char *be = backend ? backend : "(null)", *sv = op->server ? op->server : "(null)";
	int ret = 0;

	hap_buf_reset(b);
#define LINE(...) words(b, (const char *const[]){ __VA_ARGS__, NULL })
#define ID        be, "/", sv
	switch (op->change) {
	case HAP_SERVER_WEIGHT:
		ret = LINE("set weight ", ID, " ", v);
		*judge = &hap_op_set_weight;
		break;
	case HAP_SERVER_STATE:
		ret = LINE("set server ", ID, " state ", v);
		*judge = &hap_op_set_state;
		break;
	case HAP_SERVER_ENABLE:
		ret = LINE("enable server ", ID);
		*judge = &hap_op_enable_server;
		break;
	case HAP_SERVER_DISABLE:
		ret = LINE("disable server ", ID);
		*judge = &hap_op_disable_server;
		break;
	case HAP_SERVER_ADDR:
		ret = LINE("set server ", ID, " addr ", v);
		if (!ret && op->port)
			ret = LINE(" port ", op->port + strspn(op->port, "0"));
		*judge = &hap_op_set_addr;
		break;
	case HAP_SERVER_HEALTH:
		ret = LINE("set server ", ID, " health ", v);
		*judge = &hap_op_set_health;
		break;
	case HAP_SERVER_AGENT:
		ret = LINE("set server ", ID, " agent ", v);
		*judge = &hap_op_set_agent;
		break;
	case HAP_SERVER_CHECK:
		ret = LINE(v, " health ", ID);
		*judge = strcmp(v, "enable") == 0 ? &hap_op_enable_health : &hap_op_disable_health;
		break;
	case HAP_SERVER_AGENT_CHECK:
		ret = LINE(v, " agent ", ID);
		*judge = strcmp(v, "enable") == 0 ? &hap_op_enable_agent : &hap_op_disable_agent;
		break;
	case HAP_SERVER_MAXCONN:
		ret = LINE("set maxconn server ", ID, " ", v);
		*judge = &hap_op_set_maxconn_server;
		break;
	case HAP_SERVER_SHUTDOWN_SESSIONS:
		ret = LINE("shutdown sessions server ", ID);
		*judge = &hap_op_shutdown_sessions;
		break;
	}
#undef ID
#undef LINE
	return ret;
}

static int disruptive(const struct hap_server_op *op)
{
	switch (op->change) {
	case HAP_SERVER_DISABLE:
	case HAP_SERVER_SHUTDOWN_SESSIONS:
		return 1;
	case HAP_SERVER_STATE:
		return strcmp(op->value, "ready") != 0;
	case HAP_SERVER_HEALTH:
	case HAP_SERVER_AGENT:
		return strcmp(op->value, "up") != 0;
	default:
		return 0;
	}
}

/* What the read-back compares, per change. */
int hap_server_plan_verify(struct hap_plan *p, const struct hap_server_op *op)
{
	const char *v = op->value ? op->value : "";
	size_t n = strlen(v);

	switch (op->change) {
	case HAP_SERVER_WEIGHT:
		/* the weight is in "show servers state": a quarter of the bytes */
		if (n && v[n - 1] == '%')
			return hap_plan_verify(p, HAP_SNAP_SERVERS | HAP_SNAP_SRVSTATE, op->backend,
			                       "uweight", v, HAP_VM_PCT);
		return hap_plan_verify(p, HAP_SNAP_SERVERS | HAP_SNAP_SRVSTATE, op->backend,
		                       "uweight", v, HAP_VM_EXACT);
	case HAP_SERVER_MAXCONN:
		return hap_plan_verify(p, HAP_SNAP_SERVERS, op->backend, "slim", v, HAP_VM_EXACT);
	case HAP_SERVER_ADDR:
		if (!strchr(v, ':')) {
			char want[64];

			snprintf(want, sizeof(want), "%s:%s", v, op->port ? op->port : "");
			return hap_plan_verify(p, HAP_SNAP_SERVERS, op->backend, "addr", want,
			                       op->port ? HAP_VM_EXACT : HAP_VM_PREFIX);
		}
		break;
	case HAP_SERVER_DISABLE:
		return hap_plan_verify(p, HAP_SNAP_SERVERS, op->backend, "status", "MAINT",
		                       HAP_VM_PREFIX);
	case HAP_SERVER_STATE:
		if (strcmp(v, "maint") == 0)
			return hap_plan_verify(p, HAP_SNAP_SERVERS, op->backend, "status", "MAINT",
			                       HAP_VM_PREFIX);
		if (strcmp(v, "drain") == 0)
			return hap_plan_verify(p, HAP_SNAP_SERVERS, op->backend, "status", "DRAIN",
			                       HAP_VM_PREFIX);
		/* ready: out of maintenance and of drain */
		return hap_plan_verify(p, HAP_SNAP_SERVERS, op->backend, "status", "MAINT|DRAIN",
		                       HAP_VM_NONE_OF);
	case HAP_SERVER_ENABLE:
		return hap_plan_verify(p, HAP_SNAP_SERVERS, op->backend, "status", "MAINT",
		                       HAP_VM_NONE_OF);
	case HAP_SERVER_HEALTH:
		/* the status HAProxy shows (2.6): "UP" or, checks stopped, "no
		 * check" for up; "NOLB" for stopping; "DOWN" for down. A running
		 * check overrides it at its next result: then the read-back says
		 * what the check made of it. */
		if (strcmp(v, "up") == 0)
			return hap_plan_verify(p, HAP_SNAP_SERVERS, op->backend, "status",
			                       "UP|no check", HAP_VM_ANY_OF);
		return hap_plan_verify(p, HAP_SNAP_SERVERS, op->backend, "status",
		                       strcmp(v, "stopping") == 0 ? "NOLB" : "DOWN", HAP_VM_PREFIX);
	case HAP_SERVER_AGENT:
		/* agent_health: 0 once the agent is down, its counter otherwise */
		if (strcmp(v, "up") == 0)
			return hap_plan_verify(p, HAP_SNAP_SERVERS, op->backend, "agent_health",
			                       "0", HAP_VM_NONE_OF);
		return hap_plan_verify(p, HAP_SNAP_SERVERS, op->backend, "agent_health", "0",
		                       HAP_VM_ANY_OF);
	case HAP_SERVER_CHECK:
		/* HAProxy 2.6 shows check_status only while the check is enabled */
		return hap_plan_verify(p, HAP_SNAP_SERVERS, op->backend, "check_status", "",
		                       strcmp(v, "enable") == 0 ? HAP_VM_SHOWN : HAP_VM_HIDDEN);
	case HAP_SERVER_AGENT_CHECK:
		/* the same for agent_status and the agent */
		return hap_plan_verify(p, HAP_SNAP_SERVERS, op->backend, "agent_status", "",
		                       strcmp(v, "enable") == 0 ? HAP_VM_SHOWN : HAP_VM_HIDDEN);
	default:
		break;
	}
	/* nothing to compare (shutdown sessions leaves no state; an address
	 * with a ':' is not compared): the read-back still sees a restart, and
	 * an accepted command is reported sent, never applied */
	return hap_plan_verify(p, HAP_SNAP_SERVERS, op->backend, NULL, "", HAP_VM_EXACT);
}

int hap_server_plan_narrow(struct hap_plan *p)
{
	const char *first, *slash;
	size_t i, n;

	if (!p->verify || p->vproxy || !(p->vmask & HAP_SNAP_SERVERS) || !p->n)
		return 0;
	first = p->e[0].object;
	slash = strchr(first, '/');
	if (!slash)
		return 0;
	n = (size_t)(slash - first) + 1;
	for (i = 1; i < p->n; i++)
		if (strncmp(p->e[i].object, first, n) != 0)
			return 0;
	p->vproxy = strndup(first, n - 1);
	return p->vproxy ? 0 : HAP_ENOMEM;
}

/* The row filter of the plan's "show servers state" read: op's server (in
 * op's backend, when it names one). */
static int op_keep(void *arg, const char *be, size_t bl, const char *srv, size_t sl)
{
	const struct hap_server_op *op = arg;

	if (strlen(op->server) != sl || memcmp(op->server, srv, sl) != 0)
		return 0;
	return !op->backend || (strlen(op->backend) == bl && memcmp(op->backend, be, bl) == 0);
}

int hap_server_plan(struct hap_plan **out, struct hap *h, const struct hap_server_op *op,
                    struct hap_error *err)
{
	struct hap_plan *p = NULL;
	struct hap_buf cmd = HAP_BUF_INIT;
	const struct hap_object *o;
	size_t k, pos;
	int ret;

	*out = NULL;
	ret = hap_server_op_check(op, err);
	if (ret)
		return ret;
	ret = hap_plan_alloc(&p, h, HAP_KIND_SERVER, err);
	if (ret)
		return ret;
	/* with a backend, read only its rows (a few KB instead of the fleet);
	 * the holders of a weight change from "show servers state" */
	ret = hap_snapshot_new_keep(
	        &p->snap, h,
	        HAP_SNAP_SERVERS | (op->change == HAP_SERVER_WEIGHT ? HAP_SNAP_SRVSTATE : 0),
	        op->backend, op_keep, (void *)op, err);
	if (ret)
		goto out;
	ret = hap_plan_reachable(p, err);
	if (ret)
		goto out;
	p->disruptive = disruptive(op);
	ret = hap_server_plan_verify(p, op);
	if (ret)
		goto oom;
	pos = 0;
	while ((o = hap_snapshot_server_next(p->snap, &pos, op->backend, op->server))) {
		const struct hap_reply_table *judge = NULL;
		int counted = 0;
		char obj[600];

		ret = format(&cmd, op, hap_object_backend(o), &judge);
		if (ret)
			goto oom;
		/* the same for every instance of o: formatted once */
		snprintf(obj, sizeof(obj), "%s/%s", hap_object_backend(o), op->server);
		for (k = 0; k < hap_object_instance_count(o); k++) {
			size_t inst = hap_object_instance(o, k);

			if (hap_instance_flags(p->snap, inst) & HAP_INST_EXCLUDED)
				continue;
			ret = hap_plan_add(p, inst, obj, cmd.ptr, judge);
			if (ret)
				goto oom;
			counted = 1;
		}
		p->nobjects += (size_t)counted;
	}
	ret = hap_server_plan_narrow(p);
	if (ret)
		goto oom;
	if (!p->n) {
		if (op->backend)
			ret = hap_error_set(err, HAP_ENOTFOUND,
			                    "no server '%s' in backend '%s' on any instance",
			                    op->server, op->backend);
		else
			ret = hap_error_set(err, HAP_ENOTFOUND,
			                    "no server '%s' in any backend on any instance",
			                    op->server);
		goto out;
	}
	goto out;
oom:
	ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
out:
	hap_buf_release(&cmd);
	return hap_plan_done(out, p, ret);
}

/* For the workflows (ops/workflow.h): the command of a change on one backend. */
int hap_server_op_format(struct hap_buf *b, const struct hap_server_op *op, const char *backend,
                         const struct hap_reply_table **judge)
{
	return format(b, op, backend, judge);
}

int hap_server_op_disruptive(const struct hap_server_op *op)
{
	return disruptive(op);
}
