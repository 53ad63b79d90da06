/*
 * workflow.c - several servers at once, and waiting: selections of servers
 * (names, BACKEND/SERVER, several backends), plans over them, and the poll
 * loop that waits until every instance holding them reaches a condition
 * (HAProxy 2.6 has no "wait" command).
 *
 * Owns: the selection rules, the wait rows, the poll schedule (at most one
 * read per instance per interval).
 * Must never: skip an old worker while waiting for sessions to end (its
 * sessions are real), or count an instance that did not answer as done.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/fleet.h"
#include "model/snapshot.h"
#include "ops/ops.h"
#include "ops/workflow.h"
#include "proto/command.h"
#include "transport/transport.h"
#include "util/banned.h"

/* Split "BACKEND/SERVER": *b (len *bl) and *s, or *b NULL. */
static void split(const char *name, const char **b, size_t *bl, const char **s)
{
	const char *slash = strchr(name, '/');

	*b = NULL;
	*bl = 0;
	*s = name;
	if (slash) {
		*b = name;
		*bl = (size_t)(slash - name);
		*s = slash + 1;
	}
}

int hap_server_sel_check(const struct hap_server_sel *sel, struct hap_error *err)
{
	size_t i;
	int ret;

	if (!sel || !sel->nnames)
		return hap_error_set(err, HAP_EINVAL, "a server name is needed");
	for (i = 0; i < sel->nbackends; i++) {
		ret = hap_cmd_check_name("backend", sel->backends[i], err);
		if (ret)
			return ret;
	}
	for (i = 0; i < sel->nnames; i++) {
		const char *b, *s;
		size_t bl;
		char buf[256];

		split(sel->names[i], &b, &bl, &s);
		if (b) {
			if (bl == 0 || bl >= sizeof(buf))
				return hap_error_set(err, HAP_EINVAL,
				                     "server: invalid name '%s' (BACKEND/SERVER)",
				                     sel->names[i]);
			memcpy(buf, b, bl);
			buf[bl] = '\0';
			ret = hap_cmd_check_name("backend", buf, err);
			if (ret)
				return ret;
		}
		ret = hap_cmd_check_name("server", s, err);
		if (ret)
			return ret;
	}
	return 0;
}

int hap_sel_match(const struct hap_server_sel *sel, const char *backend, const char *name)
{
	size_t i, k;

	for (i = 0; i < sel->nnames; i++) {
		const char *b, *s;
		size_t bl;

		split(sel->names[i], &b, &bl, &s);
		if (strcmp(s, name) != 0)
			continue;
		if (b) {
			if (strlen(backend) == bl && memcmp(b, backend, bl) == 0)
				return 1;
			continue;
		}
		if (!sel->nbackends)
			return 1;
		for (k = 0; k < sel->nbackends; k++)
			if (strcmp(sel->backends[k], backend) == 0)
				return 1;
	}
	return 0;
}

int hap_server_sel_match(const struct hap_server_sel *sel, const char *backend, const char *name)
{
	return hap_sel_match(sel, backend, name);
}

const char *hap_sel_backend(const struct hap_server_sel *sel, char *buf, size_t len)
{
	size_t i;
	int have = 0;

	for (i = 0; i < sel->nnames; i++) {
		const char *b, *s, *cand;
		size_t bl;

		split(sel->names[i], &b, &bl, &s);
		if (!b) {
			if (sel->nbackends != 1)
				return NULL;
			cand = sel->backends[0];
			bl = strlen(cand);
		} else {
			cand = b;
		}
		if (bl >= len)
			return NULL;
		if (!have) {
			memcpy(buf, cand, bl);
			buf[bl] = '\0';
			have = 1;
		} else if (strlen(buf) != bl || memcmp(buf, cand, bl) != 0) {
			return NULL;
		}
	}
	return have ? buf : NULL;
}

int hap_sel_snapshot(struct hap_snapshot **out, struct hap *h, const struct hap_server_sel *sel,
                     struct hap_error *err)
{
	char b[256];

	return hap_snapshot_new_proxy(out, h, HAP_SNAP_SERVERS, hap_sel_backend(sel, b, sizeof(b)),
	                              err);
}

struct hap_plan *hap_wf_plan_new(struct hap *h, struct hap_snapshot *borrowed)
{
	struct hap_plan *p = calloc(1, sizeof(*p));

	if (p) {
		p->h = h;
		p->snap = borrowed;
		p->okind = HAP_KIND_SERVER; /* the workflows' steps are about servers */
	}
	return p;
}

void hap_wf_plan_free(struct hap_plan *p)
{
	if (!p)
		return;
	p->snap = NULL;
	hap_plan_free(p);
}

int hap_wf_result_append(struct hap_result *dst, const struct hap_result *r)
{
	size_t i;
	int ret = 0;

	for (i = 0; r && i < r->n && !ret; i++) {
		const struct hap_result_entry *e = &r->e[i];

		ret = hap_result_add(dst, e->instance, e->object, e->command, e->code, e->message,
		                     strlen(e->message), e->sent);
		/* the engine's word, not one derived again from the code: a
		 * command that was never read back stays sent */
		if (!ret)
			ret = hap_result_judged(dst, dst->n - 1, e->code, e->outcome, e->why,
			                        e->after, NULL);
		if (!ret)
			ret = hap_result_set_ref(dst, dst->n - 1, e->inst, e->kind);
	}
	return ret;
}

/* Every server the selection matches, on every instance holding it: the
 * change one (its server set here) with its command in cmd. 0 or
 * HAP_ENOMEM. */
static int add_selected(struct hap_plan *p, const struct hap_server_sel *sel,
                        struct hap_server_op *one, struct hap_buf *cmd)
{
	size_t i, k, n;
	int ret;

	n = hap_snapshot_count(p->snap, HAP_OBJ_SERVER);
	for (i = 0; i < n; i++) {
		const struct hap_object *o = hap_snapshot_object(p->snap, HAP_OBJ_SERVER, i);
		const struct hap_reply_table *judge = NULL;
		char obj[600];
		int counted = 0;

		if (!hap_sel_match(sel, hap_object_backend(o), hap_object_name(o)))
			continue;
		one->server = hap_object_name(o);
		ret = hap_server_op_format(cmd, one, hap_object_backend(o), &judge);
		if (ret)
			return HAP_ENOMEM;
		snprintf(obj, sizeof(obj), "%s/%s", hap_object_backend(o), hap_object_name(o));
		for (k = 0; k < hap_object_instance_count(o); k++) {
			size_t inst = hap_object_instance(o, k);

			if (hap_instance_flags(p->snap, inst) &
			    (HAP_INST_EXCLUDED | HAP_INST_DUPLICATE))
				continue;
			ret = hap_plan_add(p, inst, obj, cmd->ptr, judge);
			if (ret)
				return HAP_ENOMEM;
			counted = 1;
		}
		p->nobjects += (size_t)counted;
	}
	return 0;
}

/* The first selected name that no instance holds, or NULL. */
static const char *missing(const struct hap_snapshot *s, const struct hap_server_sel *sel)
{
	size_t i, j, n = hap_snapshot_count(s, HAP_OBJ_SERVER);

	for (i = 0; i < sel->nnames; i++) {
		struct hap_server_sel one = *sel;

		one.names = &sel->names[i];
		one.nnames = 1;
		for (j = 0; j < n; j++) {
			const struct hap_object *o = hap_snapshot_object(s, HAP_OBJ_SERVER, j);

			if (hap_sel_match(&one, hap_object_backend(o), hap_object_name(o)))
				break;
		}
		if (j == n)
			return sel->names[i];
	}
	return NULL;
}

static int not_found(const struct hap_server_sel *sel, const char *name, struct hap_error *err)
{
	if (strchr(name, '/') || !sel->nbackends)
		return hap_error_set(err, HAP_ENOTFOUND, "no server '%s' on any instance", name);
	return hap_error_set(err, HAP_ENOTFOUND, "no server '%s' in backend%s %s%s on any instance",
	                     name, sel->nbackends > 1 ? "s" : "", sel->backends[0],
	                     sel->nbackends > 1 ? ", ..." : "");
}

/* A selection for the row filter of a plan's "show servers state" read
 * (model/snapshot.h): its names split and measured once, not per row. */
struct sel_filter {
	const struct hap_server_sel *sel;
	struct sel_name {
		const char *b, *s;
		size_t bl, sl;
	} * names;
	size_t *blen; /* of sel->backends */
};

static int sel_filter_init(struct sel_filter *f, const struct hap_server_sel *sel)
{
	size_t i;

	f->sel = sel;
	f->names = malloc((sel->nnames ? sel->nnames : 1) * sizeof(*f->names));
	f->blen = malloc((sel->nbackends ? sel->nbackends : 1) * sizeof(*f->blen));
	if (!f->names || !f->blen)
		return HAP_ENOMEM;
	for (i = 0; i < sel->nnames; i++) {
		split(sel->names[i], &f->names[i].b, &f->names[i].bl, &f->names[i].s);
		f->names[i].sl = strlen(f->names[i].s);
	}
	for (i = 0; i < sel->nbackends; i++)
		f->blen[i] = strlen(sel->backends[i]);
	return 0;
}

static void sel_filter_release(struct sel_filter *f)
{
	free(f->names);
	free(f->blen);
}

/* hap_sel_match() on names that are views: the row filter. */
static int sel_keep(void *arg, const char *be, size_t bl, const char *srv, size_t sl)
{
	const struct sel_filter *f = arg;
	const struct hap_server_sel *sel = f->sel;
	size_t i, k;

	for (i = 0; i < sel->nnames; i++) {
		const struct sel_name *n = &f->names[i];

		if (n->sl != sl || memcmp(n->s, srv, sl) != 0)
			continue;
		if (n->b) {
			if (n->bl == bl && memcmp(n->b, be, bl) == 0)
				return 1;
			continue;
		}
		if (!sel->nbackends)
			return 1;
		for (k = 0; k < sel->nbackends; k++)
			if (f->blen[k] == bl && memcmp(sel->backends[k], be, bl) == 0)
				return 1;
	}
	return 0;
}

int hap_servers_plan(struct hap_plan **out, struct hap *h, const struct hap_server_op *op,
                     const struct hap_server_sel *sel, struct hap_error *err)
{
	struct hap_server_op one = *op;
	struct hap_buf cmd = HAP_BUF_INIT;
	struct sel_filter f = { NULL, NULL, NULL };
	struct hap_plan *p = NULL;
	const char *miss;
	int ret;

	*out = NULL;
	ret = hap_server_sel_check(sel, err);
	if (ret)
		return ret;
	one.backend = NULL;
	one.server = "x";
	ret = hap_server_op_check(&one, err);
	if (ret)
		return ret;
	ret = hap_plan_alloc(&p, h, HAP_KIND_SERVER, err);
	if (ret)
		return ret;
	{
		/* the holders of a weight change from "show servers state",
		 * the rows of the selected servers only */
		char b[256];

		ret = sel_filter_init(&f, sel);
		if (ret)
			ret = hap_error_set(err, ret, "out of memory");
		else
			ret = hap_snapshot_new_keep(
			        &p->snap, h,
			        HAP_SNAP_SERVERS |
			                (op->change == HAP_SERVER_WEIGHT ? HAP_SNAP_SRVSTATE : 0),
			        hap_sel_backend(sel, b, sizeof(b)), sel_keep, &f, err);
		sel_filter_release(&f);
	}
	if (!ret)
		ret = hap_plan_reachable(p, err);
	if (ret)
		goto out;
	miss = missing(p->snap, sel);
	if (miss) {
		ret = not_found(sel, miss, err);
		goto out;
	}
	p->disruptive = hap_server_op_disruptive(op);
	{
		/* the read-back reads the one backend when the selection has one */
		char b[256];

		one.backend = hap_sel_backend(sel, b, sizeof(b));
		ret = hap_server_plan_verify(p, &one);
		one.backend = NULL;
	}
	if (ret || add_selected(p, sel, &one, &cmd) || hap_server_plan_narrow(p))
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
out:
	hap_buf_release(&cmd);
	return hap_plan_done(out, p, ret);
}

/* ---------------------------------------------------------------- waits */

struct wrow {
	size_t inst;         /* index in the wait's snapshot */
	const char *backend; /* borrowed from the snapshot; NULL: did not answer */
	const char *name;
	char *status;
	int64_t scur, qcur;
	int old_worker;
	int met;
};

struct hap_wait {
	enum hap_wait_cond cond;
	struct wrow *rows;
	size_t n, cap;
	int64_t start_us, now_us;
	struct hap_snapshot *snap; /* the last poll's read: the rows borrow from it */
};

static const char *const cond_names[] = { "empty", "up", "down", "maint", "ready" };

const char *hap_wait_cond_name(enum hap_wait_cond c)
{
	return (unsigned)c < sizeof(cond_names) / sizeof(cond_names[0]) ? cond_names[c] : "?";
}

int hap_wait_cond_parse(enum hap_wait_cond *out, const char *word)
{
	size_t i;

	for (i = 0; word && i < sizeof(cond_names) / sizeof(cond_names[0]); i++)
		if (strcmp(word, cond_names[i]) == 0) {
			*out = (enum hap_wait_cond)i;
			return 0;
		}
	return HAP_EINVAL;
}

static int prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static int cond_met(enum hap_wait_cond c, const struct wrow *r)
{
	switch (c) {
	case HAP_WAIT_EMPTY:
		return r->scur == 0 && r->qcur == 0;
	case HAP_WAIT_UP:
		return prefix(r->status, "UP") || strcmp(r->status, "no check") == 0;
	case HAP_WAIT_DOWN:
		return prefix(r->status, "DOWN");
	case HAP_WAIT_MAINT:
		return prefix(r->status, "MAINT");
	case HAP_WAIT_READY:
		return r->status[0] && !prefix(r->status, "MAINT") && !prefix(r->status, "DRAIN") &&
		       !prefix(r->status, "?");
	}
	return 0;
}

static void rows_clear(struct hap_wait *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->rows[i].status);
	w->n = 0;
	hap_snapshot_free(w->snap);
	w->snap = NULL;
}

void hap_wait_free(struct hap_wait *w)
{
	if (!w)
		return;
	rows_clear(w);
	free(w->rows);
	free(w);
}

static int row_add(struct hap_wait *w, size_t inst, const struct hap_object *o, const char *status,
                   size_t slen, int64_t scur, int64_t qcur, int old)
{
	struct wrow *r;

	if (w->n == w->cap) {
		size_t nc = w->cap ? 2 * w->cap : 16;
		struct wrow *q = realloc(w->rows, nc * sizeof(*q));

		if (!q)
			return HAP_ENOMEM;
		w->rows = q;
		w->cap = nc;
	}
	r = &w->rows[w->n];
	r->inst = inst;
	r->backend = o ? hap_object_backend(o) : NULL;
	r->name = o ? hap_object_name(o) : NULL;
	r->status = strndup(status, slen);
	if (!r->status)
		return HAP_ENOMEM;
	r->scur = scur;
	r->qcur = qcur;
	r->old_worker = old;
	r->met = cond_met(w->cond, r);
	w->n++;
	return 0;
}

/* One poll round: rebuild the rows from a fresh read. */
static int poll_once(struct hap_wait *w, struct hap *h, const struct hap_server_sel *sel,
                     struct hap_error *err)
{
	struct hap_snapshot *s = NULL;
	size_t i, k, n, ni;
	int ret = hap_sel_snapshot(&s, h, sel, err);

	if (ret)
		return ret;
	rows_clear(w);
	w->snap = s;
	n = hap_snapshot_count(s, HAP_OBJ_SERVER);
	for (i = 0; i < n && !ret; i++) {
		const struct hap_object *o = hap_snapshot_object(s, HAP_OBJ_SERVER, i);

		if (!hap_sel_match(sel, hap_object_backend(o), hap_object_name(o)))
			continue;
		for (k = 0; k < hap_object_instance_count(o) && !ret; k++) {
			size_t inst = hap_object_instance(o, k);
			unsigned fl = hap_instance_flags(s, inst);
			struct hap_value sc, qc, st;

			if (fl & HAP_INST_DUPLICATE)
				continue;
			hap_object_value(&sc, o, k, "scur");
			hap_object_value(&qc, o, k, "qcur");
			hap_object_value(&st, o, k, "status");
			ret = row_add(w, inst, o, st.kind == HAP_VALUE_TEXT ? st.text : "?",
			              st.kind == HAP_VALUE_TEXT ? st.len : 1,
			              sc.kind == HAP_VALUE_NUMBER ? sc.num : -1,
			              qc.kind == HAP_VALUE_NUMBER ? qc.num : 0,
			              (fl & HAP_INST_OLD_WORKER) != 0);
		}
	}
	/* an instance that did not answer may hold the servers: not done */
	ni = hap_snapshot_instance_count(s);
	for (i = 0; i < ni && !ret; i++) {
		const char *msg;

		if (!hap_snapshot_inst_status(s, i, &msg))
			continue;
		ret = row_add(w, i, NULL, msg, strlen(msg), -1, -1,
		              (hap_instance_flags(s, i) & HAP_INST_OLD_WORKER) != 0);
		if (!ret)
			w->rows[w->n - 1].met = 0;
	}
	if (ret)
		return hap_error_set(err, ret, "out of memory");
	return 0;
}

static void sleep_us(int64_t us)
{
	struct timespec ts;

	if (us <= 0)
		return;
	ts.tv_sec = (time_t)(us / 1000000);
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int hap_server_wait(struct hap_wait **out, struct hap *h, const struct hap_server_sel *sel,
                    enum hap_wait_cond cond, int timeout_ms, int interval_ms, hap_wait_cb cb,
                    void *arg, struct hap_error *err)
{
	struct hap_wait *w;
	int64_t next;
	int ret;

	*out = NULL;
	ret = hap_server_sel_check(sel, err);
	if (ret)
		return ret;
	if ((unsigned)cond > HAP_WAIT_READY || timeout_ms < 0 || interval_ms < 0)
		return hap_error_set(err, HAP_EINVAL, "wait: invalid condition or time");
	if (!interval_ms)
		interval_ms = 500;
	w = calloc(1, sizeof(*w));
	if (!w)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	w->cond = cond;
	w->start_us = hap_now_us();
	next = w->start_us;
	for (;;) {
		size_t real = 0, i;

		next += (int64_t)interval_ms * 1000;
		ret = poll_once(w, h, sel, err);
		w->now_us = hap_now_us();
		if (ret)
			break;
		for (i = 0; i < w->n; i++)
			real += w->rows[i].name != NULL;
		if (!real) {
			ret = hap_error_set(err, HAP_ENOTFOUND,
			                    "no selected server on any instance");
			break;
		}
		if (cb && cb(w, arg)) {
			ret = hap_error_set(err, HAP_ERROR, "wait stopped");
			break;
		}
		if (!hap_wait_pending(w))
			break;
		if (w->now_us - w->start_us >= (int64_t)timeout_ms * 1000) {
			ret = hap_error_set(err, HAP_ETIMEDOUT,
			                    "%s not reached after %d ms on %zu server instance(s)",
			                    hap_wait_cond_name(cond), timeout_ms,
			                    hap_wait_pending(w));
			break;
		}
		if (next > w->start_us + (int64_t)timeout_ms * 1000)
			next = w->start_us + (int64_t)timeout_ms * 1000;
		sleep_us(next - hap_now_us());
	}
	if (w->n) {
		*out = w;
	} else {
		hap_wait_free(w);
	}
	return ret;
}

const struct hap_snapshot *hap_wait_snapshot(const struct hap_wait *w)
{
	return w->snap;
}

size_t hap_wait_count(const struct hap_wait *w)
{
	return w->n;
}

void hap_wait_row(struct hap_wait_row *out, const struct hap_wait *w, size_t i)
{
	const struct wrow *r = &w->rows[i];

	out->instance = r->inst;
	out->backend = r->backend;
	out->name = r->name;
	out->scur = r->scur;
	out->qcur = r->qcur;
	out->status = r->status;
	out->old_worker = r->old_worker;
	out->met = r->met;
}

size_t hap_wait_pending(const struct hap_wait *w)
{
	size_t i, n = 0;

	for (i = 0; i < w->n; i++)
		n += !w->rows[i].met;
	return n;
}

int64_t hap_wait_sessions(const struct hap_wait *w)
{
	int64_t t = 0;
	size_t i;

	for (i = 0; i < w->n; i++) {
		if (w->rows[i].scur > 0)
			t += w->rows[i].scur;
		if (w->rows[i].qcur > 0)
			t += w->rows[i].qcur;
	}
	return t;
}

int64_t hap_wait_elapsed_ms(const struct hap_wait *w)
{
	return (w->now_us - w->start_us) / 1000;
}
