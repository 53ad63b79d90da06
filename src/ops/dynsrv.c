/*
 * dynsrv.c - dynamic servers and their lifecycle on a fleet: "add server"
 * everywhere with a rollback, "del server" only where it can succeed, the
 * safe removal (drain, wait, maint, del, or back to the state it was found
 * in). The runtime state a reload would undo is srvstate.c.
 *
 * Replies are HAProxy 2.6.12's (tests/data/2.6/add-server.*, del-server.*).
 * Must never: delete a server on an instance where this call did not add
 * it (a rollback), or leave a server drained or in maintenance after a
 * failed removal.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/fleet.h"
#include "ops/ops.h"
#include "ops/workflow.h"
#include "proto/command.h"
#include "util/view.h"
#include "util/banned.h"

#define END                                                                                        \
	{                                                                                          \
		HAP_M_END, NULL, HAP_V_REFUSED                                                     \
	}

static const struct hap_reply_rule add_rules[] = {
	{ HAP_M_EXACT, "New server registered.", HAP_V_APPLIED },
	END,
};
static const struct hap_reply_rule del_rules[] = {
	{ HAP_M_EXACT, "Server deleted.", HAP_V_APPLIED },
	END,
};
const struct hap_reply_table hap_op_add_server = { "add server", HAP_LEVEL_ADMIN, add_rules };
const struct hap_reply_table hap_op_del_server = { "del server", HAP_LEVEL_ADMIN, del_rules };

static int number(const char *v, int64_t lo, int64_t hi)
{
	size_t n = v ? strlen(v) : 0;
	int64_t x;

	if (n == 0 || n > 10 || strspn(v, "0123456789") != n || hap_num_parse_i64(v, &x))
		return 0;
	return x >= lo && x <= hi;
}

/* IPv4[:PORT] or [IPv6][:PORT]: HAProxy takes no host name at runtime. */
static int addr_ok(const char *a)
{
	char buf[64];
	unsigned char tmp[16];
	const char *port = NULL;
	size_t l;

	if (!a || !*a || strlen(a) >= sizeof(buf))
		return 0;
	if (a[0] == '[') {
		const char *e = strchr(a, ']');

		if (!e)
			return 0;
		l = (size_t)(e - a - 1);
		memcpy(buf, a + 1, l);
		buf[l] = '\0';
		if (inet_pton(AF_INET6, buf, tmp) != 1)
			return 0;
		if (e[1] == ':')
			port = e + 2;
		else if (e[1])
			return 0;
	} else {
		const char *c = strchr(a, ':');

		l = c ? (size_t)(c - a) : strlen(a);
		memcpy(buf, a, l);
		buf[l] = '\0';
		if (inet_pton(AF_INET, buf, tmp) != 1)
			return 0;
		if (c)
			port = c + 1;
	}
	return !port || number(port, 1, 65535);
}

int hap_server_add_check(const struct hap_server_add *a, struct hap_error *err)
{
	int ret;

	if (!a->backend || !a->name)
		return hap_error_set(err, HAP_EINVAL, "add: BACKEND/NAME is needed");
	ret = hap_cmd_check_name("backend", a->backend, err);
	if (!ret)
		ret = hap_cmd_check_name("server", a->name, err);
	if (ret)
		return ret;
	if (!addr_ok(a->addr))
		return hap_error_set(err, HAP_EINVAL,
		                     "add: invalid address '%s' (IPv4[:PORT] or [IPv6][:PORT]; "
		                     "HAProxy takes no host name here)",
		                     a->addr ? a->addr : "");
	if (a->weight && !number(a->weight, 0, 256))
		return hap_error_set(err, HAP_EINVAL, "add: invalid weight '%s' (expected 0..256)",
		                     a->weight);
	if (a->maxconn && !number(a->maxconn, 0, 1000000000))
		return hap_error_set(err, HAP_EINVAL,
		                     "add: invalid maxconn '%s' (expected 0..1000000000)",
		                     a->maxconn);
	if (a->agent_check && !a->agent_port)
		return hap_error_set(err, HAP_EINVAL, "add: agent-check needs agent-port PORT");
	if (a->agent_port && !number(a->agent_port, 1, 65535))
		return hap_error_set(err, HAP_EINVAL,
		                     "add: invalid agent-port '%s' (expected 1..65535)",
		                     a->agent_port);
	if (a->agent_port && !a->agent_check)
		return hap_error_set(err, HAP_EINVAL, "add: agent-port goes with agent-check");
	if (a->check && !strchr(a->addr[0] == '[' ? strchr(a->addr, ']') : a->addr, ':'))
		return hap_error_set(err, HAP_EINVAL,
		                     "add: check needs a port in the address (HAProxy has no "
		                     "other port to check)");
	return 0;
}

static int add_command(struct hap_buf *b, const struct hap_server_add *a)
{
	int ret = hap_buf_addf(b, "add server %s/%s %s", a->backend, a->name, a->addr);

	if (!ret && a->weight)
		ret = hap_buf_addf(b, " weight %s", a->weight);
	if (!ret && a->maxconn)
		ret = hap_buf_addf(b, " maxconn %s", a->maxconn);
	if (!ret && a->check)
		ret = hap_buf_adds(b, " check");
	if (!ret && a->agent_check)
		ret = hap_buf_addf(b, " agent-check agent-port %s", a->agent_port);
	if (!ret && a->backup)
		ret = hap_buf_adds(b, " backup");
	return ret;
}

int hap_server_add_plan(struct hap_plan **out, struct hap *h, const struct hap_server_add *a,
                        struct hap_error *err)
{
	struct hap_buf cmd = HAP_BUF_INIT;
	const struct hap_object *o;
	struct hap_plan *p;
	char obj[600];
	size_t k;
	int ret;

	*out = NULL;
	ret = hap_server_add_check(a, err);
	if (ret)
		return ret;
	ret = hap_plan_alloc(&p, h, HAP_KIND_SERVER, err);
	if (ret)
		return ret;
	ret = hap_snapshot_new_proxy(&p->snap, h, HAP_SNAP_BACKENDS | HAP_SNAP_SERVERS, a->backend,
	                             err);
	if (!ret)
		ret = hap_plan_reachable(p, err);
	if (ret)
		goto out;
	o = hap_snapshot_find(p->snap, HAP_OBJ_BACKEND, NULL, a->backend);
	if (!o) {
		ret = hap_error_set(err, HAP_ENOTFOUND, "no backend '%s' on any instance",
		                    a->backend);
		goto out;
	}
	if (add_command(&cmd, a)) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	snprintf(obj, sizeof(obj), "%s/%s", a->backend, a->name);
	for (k = 0; k < hap_object_instance_count(o) && !ret; k++) {
		size_t inst = hap_object_instance(o, k);

		if (hap_instance_flags(p->snap, inst) & (HAP_INST_EXCLUDED | HAP_INST_DUPLICATE))
			continue;
		ret = hap_plan_add(p, inst, obj, cmd.ptr, &hap_op_add_server);
		if (ret)
			ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
	}
	p->nobjects = 1;
out:
	hap_buf_release(&cmd);
	return hap_plan_done(out, p, ret);
}

/* Apply p (*x: its result) and append that result to r. */
static int apply_append(struct hap_result **x, struct hap_result *r, const struct hap_plan *p,
                        struct hap_error *err)
{
	int ret = hap_plan_apply(x, p, err);

	if (ret)
		return ret;
	if (hap_wf_result_append(r, *x))
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	return 0;
}

/*
 * Run one step: the command line "VERB OBJECT [TAIL]" on every instance
 * whose flag in on[] is set, with its table; append the outcome to r and
 * clear on[i] where it failed when drop is set.
 */
static int step(struct hap_result *r, struct hap *h, struct hap_snapshot *s, const size_t *inst,
                const char *const *objs, int *on, size_t n, const char *verb, const char *tail,
                const struct hap_reply_table *judge, int drop, struct hap_error *err)
{
	struct hap_plan *p = hap_wf_plan_new(h, s);
	struct hap_result *x = NULL;
	struct hap_buf cmd = HAP_BUF_INIT;
	size_t i, j = 0;
	int ret = 0;

	if (!p)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	for (i = 0; i < n && !ret; i++) {
		if (!on[i])
			continue;
		hap_buf_reset(&cmd);
		ret = hap_buf_addf(&cmd, "%s %s%s%s", verb, objs[i], tail ? " " : "",
		                   tail ? tail : "");
		if (!ret)
			ret = hap_plan_add(p, inst[i], objs[i], cmd.ptr, judge);
	}
	if (ret) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	if (!p->n)
		goto out;
	ret = apply_append(&x, r, p, err);
	if (ret)
		goto out;
	for (i = 0; i < n; i++) {
		if (!on[i])
			continue;
		if (drop && hap_result_code(x, j))
			on[i] = 0;
		j++;
	}
out:
	hap_result_free(x);
	hap_buf_release(&cmd);
	hap_wf_plan_free(p);
	return ret;
}

int hap_server_add_apply(struct hap_result **out, const struct hap_plan *p,
                         const struct hap_server_add *a, struct hap_error *err)
{
	struct hap *h = p->h;
	struct hap_result *r = calloc(1, sizeof(*r)), *x = NULL;
	size_t *inst = NULL, i, n = p->n;
	const char **objs = NULL;
	int *on = NULL, failed = 0, ret;

	*out = NULL;
	inst = calloc(n + 1, sizeof(*inst));
	objs = calloc(n + 1, sizeof(*objs));
	on = calloc(n + 1, sizeof(*on));
	if (!r || !inst || !objs || !on) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	ret = apply_append(&x, r, p, err);
	if (ret)
		goto out;
	for (i = 0; i < n; i++) {
		inst[i] = p->e[i].inst;
		objs[i] = p->e[i].object;
		on[i] = hap_result_code(x, i) == 0;
		failed |= !on[i];
	}
	if (failed && !a->keep_partial) {
		/* the rollback: only where this call added it */
		ret = step(r, h, p->snap, inst, objs, on, n, "del server", NULL, &hap_op_del_server,
		           0, err);
		goto out;
	}
	if (a->check)
		ret = step(r, h, p->snap, inst, objs, on, n, "enable health", NULL,
		           &hap_op_enable_health, 0, err);
	if (!ret && a->agent_check)
		ret = step(r, h, p->snap, inst, objs, on, n, "enable agent", NULL,
		           &hap_op_enable_agent, 0, err);
	if (!ret && !a->disabled)
		ret = step(r, h, p->snap, inst, objs, on, n, "enable server", NULL,
		           &hap_op_enable_server, 0, err);
out:
	hap_result_free(x);
	free(inst);
	free(objs);
	free(on);
	if (ret) {
		hap_result_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

static int status_is(const struct hap_object *o, size_t k, const char *pfx)
{
	struct hap_value v;

	hap_object_value(&v, o, k, "status");
	return v.kind == HAP_VALUE_TEXT && v.len >= strlen(pfx) &&
	       memcmp(v.text, pfx, strlen(pfx)) == 0;
}

int hap_server_del_plan(struct hap_plan **out, struct hap *h, const struct hap_server_sel *sel,
                        struct hap_error *err)
{
	struct hap_plan *p;
	size_t i, k, n;
	int ret;

	*out = NULL;
	ret = hap_server_sel_check(sel, err);
	if (ret)
		return ret;
	ret = hap_plan_alloc(&p, h, HAP_KIND_SERVER, err);
	if (ret)
		return ret;
	ret = hap_sel_snapshot(&p->snap, h, sel, err);
	if (!ret)
		ret = hap_plan_reachable(p, err);
	if (ret)
		goto out;
	n = hap_snapshot_count(p->snap, HAP_OBJ_SERVER);
	for (i = 0; i < n && !ret; i++) {
		const struct hap_object *o = hap_snapshot_object(p->snap, HAP_OBJ_SERVER, i);
		char obj[600], cmd[700], why[200];

		if (!hap_sel_match(sel, hap_object_backend(o), hap_object_name(o)))
			continue;
		snprintf(obj, sizeof(obj), "%s/%s", hap_object_backend(o), hap_object_name(o));
		snprintf(cmd, sizeof(cmd), "del server %s", obj);
		p->nobjects++;
		for (k = 0; k < hap_object_instance_count(o) && !ret; k++) {
			size_t inst = hap_object_instance(o, k);
			struct hap_value sc;
			struct hap_plan_entry *e;

			if (hap_instance_flags(p->snap, inst) & HAP_INST_DUPLICATE)
				continue;
			hap_object_value(&sc, o, k, "scur");
			why[0] = '\0';
			if (!status_is(o, k, "MAINT"))
				snprintf(why, sizeof(why),
				         "not in maintenance: put it in maint first (server remove "
				         "drains, waits and does it)");
			else if (sc.kind == HAP_VALUE_NUMBER && sc.num > 0)
				snprintf(why, sizeof(why),
				         "still has %lld session(s): wait until they end (server "
				         "wait NAME empty)",
				         (long long)sc.num);
			ret = hap_plan_add(p, inst, obj, cmd, &hap_op_del_server);
			if (ret || !why[0])
				continue;
			e = &p->e[p->n - 1];
			if (!e->skip_code)
				ret = hap_plan_skip_set(p, p->n - 1, HAP_EREFUSED, why);
		}
	}
	if (ret) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	if (!p->n)
		ret = hap_error_set(err, HAP_ENOTFOUND, "no selected server on any instance");
	p->disruptive = 1;
out:
	return hap_plan_done(out, p, ret);
}

/* ---------------------------------------------------------------- remove */

/* The state a server was found in, as "set server state" words. */
static const char *found_state(const struct hap_object *o, size_t k)
{
	struct hap_value v;

	hap_object_value(&v, o, k, "status");
	if (v.kind != HAP_VALUE_TEXT)
		return "ready";
	/* "MAINT (via b/s)" is the tracked server's maintenance, not its own */
	if (v.len >= 5 && memcmp(v.text, "MAINT", 5) == 0 &&
	    !(v.len > 6 && memcmp(v.text + 5, " (via", 5) == 0))
		return "maint";
	if (v.len >= 5 && memcmp(v.text, "DRAIN", 5) == 0)
		return "drain";
	return "ready";
}

static int wait_rows(struct hap_result *r, const struct hap_wait *w)
{
	size_t i;
	int ret = 0;

	for (i = 0; w && i < hap_wait_count(w) && !ret; i++) {
		struct hap_wait_row row;
		char msg[300], obj[600];

		hap_wait_row(&row, w, i);
		snprintf(msg, sizeof(msg), "scur %lld qcur %lld (%s)%s", (long long)row.scur,
		         (long long)row.qcur, row.status, row.old_worker ? ", old worker" : "");
		snprintf(obj, sizeof(obj), "%s%s%s", row.name ? row.backend : "?",
		         row.name ? "/" : "", row.name ? row.name : "");
		ret = hap_result_add(r, hap_instance_name(hap_wait_snapshot(w), row.instance), obj,
		                     "wait empty", row.met ? 0 : HAP_ETIMEDOUT, msg, strlen(msg),
		                     0);
		/* tied to no instance of the plan's read: the wait read its own */
		if (!ret && row.name)
			ret = hap_result_set_ref(r, r->n - 1, HAP_AGGREGATE, HAP_KIND_SERVER);
	}
	return ret;
}

/* One removal's plan and, per entry, where it is and what to put back. */
struct remove_ctx {
	struct hap_plan *p;
	size_t n;
	size_t *inst;
	const char **objs, **orig;
	int *on, *restore;
};

/* The state each instance has it in now, to put it back on failure. */
static void remove_origins(struct remove_ctx *c)
{
	const struct hap_plan *p = c->p;
	size_t i;

	for (i = 0; i < c->n; i++) {
		const char *obj = p->e[i].object, *slash = strchr(obj, '/');
		char b[300];
		const struct hap_object *o;
		size_t k;

		c->inst[i] = p->e[i].inst;
		c->objs[i] = obj;
		c->on[i] = 1;
		c->orig[i] = "ready";
		snprintf(b, sizeof(b), "%.*s", (int)(slash - obj), obj);
		o = hap_snapshot_find(p->snap, HAP_OBJ_SERVER, b, slash + 1);
		for (k = 0; o && k < hap_object_instance_count(o); k++)
			if (hap_object_instance(o, k) == c->inst[i])
				c->orig[i] = found_state(o, k);
	}
}

/* 3. maint, 4. del: a failure stops the removal (*failed). */
static int remove_del(struct hap_result *r, struct hap *h, struct remove_ctx *c, int *failed,
                      struct hap_error *err)
{
	size_t i;
	int ret = 0;

	if (!*failed) {
		size_t before = r->n;

		ret = step(r, h, c->p->snap, c->inst, c->objs, c->on, c->n, "set server",
		           "state maint", &hap_op_set_state, 0, err);
		for (i = before; !ret && i < r->n; i++)
			*failed |= r->e[i].code != 0;
	}
	if (!*failed && !ret) {
		size_t before = r->n, j = before;

		ret = step(r, h, c->p->snap, c->inst, c->objs, c->on, c->n, "del server", NULL,
		           &hap_op_del_server, 0, err);
		for (i = 0; !ret && i < c->n; i++, j++) {
			if (r->e[j].code == 0)
				c->on[i] = 0; /* gone there: nothing to restore */
			else
				*failed = 1;
		}
	}
	return ret;
}

/* On failure: back to the state it was found in, where it still exists. */
static int remove_restore(struct hap_result *r, struct hap *h, struct remove_ctx *c,
                          struct hap_error *err)
{
	static const char *const states[] = { "ready", "drain", "maint" };
	size_t s, i;
	int ret = 0;

	for (s = 0; s < 3 && !ret; s++) {
		char tail[32];

		for (i = 0; i < c->n; i++)
			c->restore[i] = c->on[i] && strcmp(c->orig[i], states[s]) == 0;
		snprintf(tail, sizeof(tail), "state %s", states[s]);
		ret = step(r, h, c->p->snap, c->inst, c->objs, c->restore, c->n, "set server", tail,
		           &hap_op_set_state, 0, err);
	}
	return ret;
}

/* 1. drain; *failed when an instance refused. */
static int remove_drain(struct hap_result *r, struct remove_ctx *c, int *failed,
                        struct hap_error *err)
{
	struct hap_result *x = NULL;
	size_t i;
	int ret = apply_append(&x, r, c->p, err);

	if (ret) {
		hap_result_free(x);
		return ret;
	}
	for (i = 0; i < c->n; i++)
		*failed |= hap_result_code(x, i) != 0;
	hap_result_free(x);
	return 0;
}

/* 2. wait until empty everywhere (old workers too): 0 or HAP_ENOMEM. */
static int remove_wait(struct hap_result *r, struct hap *h, const struct hap_server_sel *sel,
                       int timeout_ms, int interval_ms, hap_wait_cb cb, void *arg, int *failed)
{
	struct hap_wait *w = NULL;
	struct hap_error werr = { 0, "" };
	int ret = 0, wr;

	wr = hap_server_wait(&w, h, sel, HAP_WAIT_EMPTY, timeout_ms, interval_ms, cb, arg, &werr);
	if (wait_rows(r, w))
		ret = HAP_ENOMEM;
	else if (wr) {
		if (!w &&
		    hap_result_add(r, "-", "-", "wait empty", wr, werr.msg, strlen(werr.msg), 0))
			ret = HAP_ENOMEM;
		*failed = 1;
	}
	hap_wait_free(w);
	return ret;
}

int hap_server_remove(struct hap_result **out, struct hap *h, const struct hap_server_sel *sel,
                      int timeout_ms, int interval_ms, hap_wait_cb cb, void *arg,
                      struct hap_error *err)
{
	struct hap_server_op op = { HAP_SERVER_STATE, NULL, NULL, "drain", NULL };
	struct hap_result *r = calloc(1, sizeof(*r));
	struct remove_ctx c = { 0 };
	size_t n;
	int failed = 0, ret;

	*out = NULL;
	if (!r)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	ret = hap_servers_plan(&c.p, h, &op, sel, err);
	if (ret)
		goto out;
	n = c.n = c.p->n;
	c.inst = calloc(n + 1, sizeof(*c.inst));
	c.objs = calloc(n + 1, sizeof(*c.objs));
	c.orig = calloc(n + 1, sizeof(*c.orig));
	c.on = calloc(n + 1, sizeof(*c.on));
	c.restore = calloc(n + 1, sizeof(*c.restore));
	if (!c.inst || !c.objs || !c.orig || !c.on || !c.restore) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	remove_origins(&c);
	ret = remove_drain(r, &c, &failed, err);
	if (ret)
		goto out;
	if (!failed && remove_wait(r, h, sel, timeout_ms, interval_ms, cb, arg, &failed)) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	ret = remove_del(r, h, &c, &failed, err);
	if (!ret && failed)
		ret = remove_restore(r, h, &c, err);
out:
	hap_plan_free(c.p);
	free(c.inst);
	free(c.objs);
	free(c.orig);
	free(c.on);
	free(c.restore);
	if (ret) {
		hap_result_free(r);
		return ret;
	}
	*out = r;
	return 0;
}
