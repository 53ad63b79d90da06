/*
 * dynsrv.c - dynamic servers and their lifecycle on a fleet: "add server"
 * everywhere with a rollback, "del server" only where it can succeed, the
 * safe removal (drain, wait, maint, del, or back to the state it was found
 * in), and the runtime state a reload would undo.
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
	p = calloc(1, sizeof(*p));
	if (!p)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	p->okind = HAP_OBJ_SERVER + 1;
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
	if (ret) {
		hap_plan_free(p);
		return ret;
	}
	*out = p;
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
	struct hap_plan *p = hap_wf_plan_new(s);
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
	ret = hap_plan_apply(&x, h, p, err);
	if (ret)
		goto out;
	ret = hap_wf_result_append(r, x);
	if (ret) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
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

int hap_server_add_apply(struct hap_result **out, struct hap *h, const struct hap_plan *p,
                         const struct hap_server_add *a, struct hap_error *err)
{
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
	ret = hap_plan_apply(&x, h, p, err);
	if (ret)
		goto out;
	ret = hap_wf_result_append(r, x);
	if (ret) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
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
	p = calloc(1, sizeof(*p));
	if (!p)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	p->okind = HAP_OBJ_SERVER + 1;
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
			if (!e->skip_code) {
				e->skip_code = HAP_EREFUSED;
				e->skip_msg = strdup(why);
				if (!e->skip_msg)
					ret = HAP_ENOMEM;
			}
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
	if (ret) {
		hap_plan_free(p);
		return ret;
	}
	*out = p;
	return 0;
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
		char msg[300];

		hap_wait_row(&row, w, i);
		snprintf(msg, sizeof(msg), "scur %lld qcur %lld (%s)%s", (long long)row.scur,
		         (long long)row.qcur, row.status, row.old_worker ? ", old worker" : "");
		ret = hap_result_add(r, row.instance, row.object, "wait empty",
		                     row.met ? 0 : HAP_ETIMEDOUT, msg, strlen(msg), 0);
	}
	return ret;
}

int hap_server_remove(struct hap_result **out, struct hap *h, const struct hap_server_sel *sel,
                      int timeout_ms, int interval_ms, hap_wait_cb cb, void *arg,
                      struct hap_error *err)
{
	struct hap_server_op op = { HAP_SERVER_STATE, NULL, NULL, "drain", NULL };
	struct hap_result *r = calloc(1, sizeof(*r)), *x = NULL;
	struct hap_plan *p = NULL;
	struct hap_wait *w = NULL;
	struct hap_error werr = { 0, "" };
	size_t *inst = NULL, i, n = 0;
	const char **objs = NULL, **orig = NULL;
	int *on = NULL, *restore = NULL, failed = 0, ret;

	*out = NULL;
	if (!r)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	ret = hap_servers_plan(&p, h, &op, sel, err);
	if (ret)
		goto out;
	n = p->n;
	inst = calloc(n + 1, sizeof(*inst));
	objs = calloc(n + 1, sizeof(*objs));
	orig = calloc(n + 1, sizeof(*orig));
	on = calloc(n + 1, sizeof(*on));
	restore = calloc(n + 1, sizeof(*restore));
	if (!inst || !objs || !orig || !on || !restore) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	/* the state each instance has it in now, to put it back on failure */
	for (i = 0; i < n; i++) {
		const char *obj = p->e[i].object, *slash = strchr(obj, '/');
		char b[300];
		const struct hap_object *o;
		size_t k;

		inst[i] = p->e[i].inst;
		objs[i] = obj;
		on[i] = 1;
		orig[i] = "ready";
		snprintf(b, sizeof(b), "%.*s", (int)(slash - obj), obj);
		o = hap_snapshot_find(p->snap, HAP_OBJ_SERVER, b, slash + 1);
		for (k = 0; o && k < hap_object_instance_count(o); k++)
			if (hap_object_instance(o, k) == inst[i])
				orig[i] = found_state(o, k);
	}
	/* 1. drain */
	ret = hap_plan_apply(&x, h, p, err);
	if (ret)
		goto out;
	ret = hap_wf_result_append(r, x);
	if (ret)
		goto oom;
	for (i = 0; i < n; i++)
		failed |= hap_result_code(x, i) != 0;
	hap_result_free(x);
	x = NULL;
	/* 2. wait until empty everywhere (old workers too) */
	if (!failed) {
		int wr = hap_server_wait(&w, h, sel, HAP_WAIT_EMPTY, timeout_ms, interval_ms, cb,
		                         arg, &werr);

		if (wait_rows(r, w))
			goto oom;
		if (wr) {
			if (!w && hap_result_add(r, "-", "-", "wait empty", wr, werr.msg,
			                         strlen(werr.msg), 0))
				goto oom;
			failed = 1;
		}
	}
	/* 3. maint, 4. del: a failure stops the removal */
	if (!failed) {
		size_t before = r->n;

		ret = step(r, h, p->snap, inst, objs, on, n, "set server", "state maint",
		           &hap_op_set_state, 0, err);
		for (i = before; !ret && i < r->n; i++)
			failed |= r->e[i].code != 0;
	}
	if (!failed && !ret) {
		size_t before = r->n, j = before;

		ret = step(r, h, p->snap, inst, objs, on, n, "del server", NULL, &hap_op_del_server,
		           0, err);
		for (i = 0; !ret && i < n; i++, j++) {
			if (r->e[j].code == 0)
				on[i] = 0; /* gone there: nothing to restore */
			else
				failed = 1;
		}
	}
	if (ret)
		goto out;
	/* on failure: back to the state it was found in, where it still exists */
	if (failed) {
		static const char *const states[] = { "ready", "drain", "maint" };
		size_t s;

		for (s = 0; s < 3 && !ret; s++) {
			char tail[32];

			for (i = 0; i < n; i++)
				restore[i] = on[i] && strcmp(orig[i], states[s]) == 0;
			snprintf(tail, sizeof(tail), "state %s", states[s]);
			ret = step(r, h, p->snap, inst, objs, restore, n, "set server", tail,
			           &hap_op_set_state, 0, err);
		}
	}
	goto out;
oom:
	ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
out:
	hap_wait_free(w);
	hap_result_free(x);
	hap_plan_free(p);
	free(inst);
	free(objs);
	free(orig);
	free(on);
	free(restore);
	if (ret) {
		hap_result_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

/* ---------------------------------------------------------------- state */

int hap_server_state_read(struct hap_result **out, struct hap *h, struct hap_error *err)
{
	return hap_exec(out, h, "show servers state", err);
}

struct hap_state_diff {
	struct hap_result *read;
	size_t n, cap;
	struct {
		char *instance, *backend, *server, *field, *config, *runtime;
	} * c;
	size_t nfail;
	size_t *fail; /* entries of read that failed */
};

static int diff_add(struct hap_state_diff *d, const char *inst, const char *be, size_t bel,
                    const char *srv, size_t srvl, const char *field, const char *cfg,
                    const char *rt)
{
	if (d->n == d->cap) {
		size_t nc = d->cap ? 2 * d->cap : 16;
		void *q = realloc(d->c, nc * sizeof(*d->c));

		if (!q)
			return HAP_ENOMEM;
		d->c = q;
		d->cap = nc;
	}
	d->c[d->n].instance = strdup(inst);
	d->c[d->n].backend = strndup(be, bel);
	d->c[d->n].server = strndup(srv, srvl);
	d->c[d->n].field = strdup(field);
	d->c[d->n].config = strdup(cfg);
	d->c[d->n].runtime = strdup(rt);
	d->n++;
	if (!d->c[d->n - 1].instance || !d->c[d->n - 1].backend || !d->c[d->n - 1].server ||
	    !d->c[d->n - 1].field || !d->c[d->n - 1].config || !d->c[d->n - 1].runtime)
		return HAP_ENOMEM;
	return 0;
}

/* Words of a line: up to max, as views. */
static size_t words(const char *p, const char *end, const char **w, size_t *wl, size_t max)
{
	size_t n = 0;

	while (p < end && n < max) {
		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			break;
		w[n] = p;
		while (p < end && *p != ' ')
			p++;
		wl[n] = (size_t)(p - w[n]);
		n++;
	}
	return n;
}

static int col(const char *const *w, const size_t *wl, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (wl[i] == strlen(name) && memcmp(w[i], name, wl[i]) == 0)
			return (int)i;
	return -1;
}

static int parse_state(struct hap_state_diff *d, const char *inst, const char *text)
{
	const char *p = text, *hw[40], *w[40];
	size_t hl[40], wl[40], nh = 0;
	int cb = -1, cs = -1, cu = -1, ci = -1, ca = -1, ret = 0;

	while (*p && !ret) {
		const char *e = strchr(p, '\n');
		size_t nw;

		if (!e)
			e = p + strlen(p);
		if (*p == '#') {
			nh = words(p + 1, e, hw, hl, 40);
			cb = col(hw, hl, nh, "be_name");
			cs = col(hw, hl, nh, "srv_name");
			cu = col(hw, hl, nh, "srv_uweight");
			ci = col(hw, hl, nh, "srv_iweight");
			ca = col(hw, hl, nh, "srv_admin_state");
		} else if (nh && cb >= 0 && cs >= 0 && cu >= 0 && ci >= 0 && ca >= 0) {
			nw = words(p, e, w, wl, 40);
			if (nw == nh) {
				char u[24], iw[24], a[24], rt[32];
				int64_t adm = 0;

				snprintf(u, sizeof(u), "%.*s", (int)wl[cu], w[cu]);
				snprintf(iw, sizeof(iw), "%.*s", (int)wl[ci], w[ci]);
				snprintf(a, sizeof(a), "%.*s", (int)wl[ca], w[ca]);
				if (strcmp(u, iw) != 0)
					ret = diff_add(d, inst, w[cb], wl[cb], w[cs], wl[cs],
					               "weight", iw, u);
				/* forced by the runtime API: FMAINT 0x1, FDRAIN 0x8 */
				if (!ret && !hap_num_parse_i64(a, &adm) && (adm & 0x9)) {
					snprintf(rt, sizeof(rt), "%s%s%s", adm & 0x1 ? "maint" : "",
					         (adm & 0x9) == 0x9 ? "+" : "",
					         adm & 0x8 ? "drain" : "");
					const char *cfg = adm & 0x4 ? "maint" : "ready";

					/* maint forced on a server disabled in the
					 * configuration: what a reload gives back */
					if (strcmp(cfg, rt) != 0)
						ret = diff_add(d, inst, w[cb], wl[cb], w[cs],
						               wl[cs], "state", cfg, rt);
				}
			}
		}
		p = *e ? e + 1 : e;
	}
	return ret;
}

int hap_server_state_diff(struct hap_state_diff **out, struct hap *h, struct hap_error *err)
{
	struct hap_state_diff *d = calloc(1, sizeof(*d));
	size_t i, n;
	int ret;

	*out = NULL;
	if (!d)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	ret = hap_server_state_read(&d->read, h, err);
	if (ret)
		goto out;
	n = hap_result_count(d->read);
	d->fail = calloc(n + 1, sizeof(*d->fail));
	if (!d->fail) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n && !ret; i++) {
		if (hap_result_code(d->read, i)) {
			d->fail[d->nfail++] = i;
			continue;
		}
		ret = parse_state(d, hap_result_instance(d->read, i),
		                  hap_result_message(d->read, i));
		if (ret)
			ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
	}
out:
	if (ret) {
		hap_state_diff_free(d);
		return ret;
	}
	*out = d;
	return 0;
}

size_t hap_state_diff_count(const struct hap_state_diff *d)
{
	return d->n;
}

void hap_state_diff_get(struct hap_state_change *out, const struct hap_state_diff *d, size_t i)
{
	out->instance = d->c[i].instance;
	out->backend = d->c[i].backend;
	out->server = d->c[i].server;
	out->field = d->c[i].field;
	out->config = d->c[i].config;
	out->runtime = d->c[i].runtime;
}

size_t hap_state_diff_failed(const struct hap_state_diff *d)
{
	return d->nfail;
}

void hap_state_diff_failure(const struct hap_state_diff *d, size_t i, const char **instance,
                            const char **msg)
{
	*instance = hap_result_instance(d->read, d->fail[i]);
	*msg = hap_result_message(d->read, d->fail[i]);
}

void hap_state_diff_free(struct hap_state_diff *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->c[i].instance);
		free(d->c[i].backend);
		free(d->c[i].server);
		free(d->c[i].field);
		free(d->c[i].config);
		free(d->c[i].runtime);
	}
	free(d->c);
	free(d->fail);
	hap_result_free(d->read);
	free(d);
}
