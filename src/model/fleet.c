/*
 * fleet.c - the fleet handle: endpoints, options, target resolution
 * (master CLIs expand to their workers) and per-instance results.
 *
 * Must never: send a command before every argument is validated, or hide
 * one instance's failure behind another's success.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/fleet.h"
#include "parse/parse.h"
#include "util/banned.h"

struct hap_budget *hap_budget_get(struct hap_budget *b)
{
	if (b)
		b->refs++;
	return b;
}

void hap_budget_put(struct hap_budget *b)
{
	if (b && --b->refs == 0)
		free(b);
}

int hap_new(struct hap **out, const struct hap_options *opts)
{
	struct hap *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (h) {
		h->budget = calloc(1, sizeof(*h->budget));
		if (!h->budget) {
			free(h);
			h = NULL;
		}
	}
	if (!h)
		return HAP_ENOMEM;
	h->budget->refs = 1;
	if (opts)
		h->opts = *opts;
	h->xopts.timeout_ms = h->opts.timeout_ms > 0 ? h->opts.timeout_ms : 2000;
	h->xopts.retries = h->opts.retries ? h->opts.retries : 1;
	h->xopts.parallel = h->opts.parallel > 0 ? h->opts.parallel : 64;
	h->xopts.per_addr = 4;
	h->xopts.max_reply = h->opts.max_reply ? h->opts.max_reply : (size_t)256 << 20;
	h->xopts.max_total = h->opts.max_total ? h->opts.max_total : h->xopts.max_reply;
	/* one budget for the whole command: what live snapshots hold counts */
	h->xopts.held = &h->budget->held;
	h->xopts.end_us =
	        h->opts.deadline_ms > 0 ? hap_now_us() + (int64_t)h->opts.deadline_ms * 1000 : 0;
	*out = h;
	return 0;
}

void hap_free(struct hap *h)
{
	if (!h)
		return;
	free(h->addrs);
	hap_budget_put(h->budget);
	free(h);
}

int hap_add_endpoint(struct hap *h, const char *spec, struct hap_error *err)
{
	return hap_addr_expand(&h->addrs, &h->naddrs, spec, err);
}

size_t hap_endpoint_count(const struct hap *h)
{
	return h->naddrs;
}

const char *hap_endpoint_name(const struct hap *h, size_t i)
{
	return i < h->naddrs ? h->addrs[i].name : NULL;
}

/* The targets resolved so far; the strings of a master's workers in pool,
 * at off[2 k] (name) and off[2 k + 1] (errmsg) of target k, else NO_OFF
 * (borrowed already): pointers into pool are set once it stops moving. */
#define NO_OFF SIZE_MAX

struct target_list {
	struct hap_target *ts;
	size_t *off;
	size_t n, cap;
	struct hap_buf pool;
};

static int add_target(struct target_list *l, const struct hap_target *t, size_t noff, size_t moff)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		struct hap_target *p = realloc(l->ts, ncap * sizeof(*p));
		size_t *o;

		if (!p)
			return HAP_ENOMEM;
		l->ts = p;
		o = realloc(l->off, 2 * ncap * sizeof(*o));
		if (!o)
			return HAP_ENOMEM;
		l->off = o;
		l->cap = ncap;
	}
	l->ts[l->n] = *t;
	l->off[2 * l->n] = noff;
	l->off[2 * l->n + 1] = moff;
	l->n++;
	return 0;
}

/* A string for a target into l's pool, its offset in *off: 0 or HAP_ENOMEM. */
static int pool_addf(struct target_list *l, size_t *off, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int pool_addf(struct target_list *l, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int ret;

	*off = l->pool.len;
	va_start(ap, fmt);
	ret = hap_buf_vaddf(&l->pool, fmt, ap);
	va_end(ap);
	return ret ? ret : hap_buf_addc(&l->pool, '\0');
}

/* Master address i (as target t): the workers its "show proc" (job jb)
 * lists, or t itself, failed with why. 0 or HAP_ENOMEM. */
static int add_workers(struct target_list *l, struct hap *h, size_t i, struct hap_target t,
                       const struct hap_job *jb)
{
	struct hap_proc_list pl = { 0, NULL };
	struct hap_error perr = { 0, "" };
	size_t k, nworkers = 0, moff = NO_OFF, noff;
	int ret = 0;

	if (jb->err) {
		t.err = jb->err;
		ret = pool_addf(l, &moff, "%s", hap_job_msg(jb));
	} else if (hap_proc_parse(&pl, jb->reply.ptr, jb->reply.len, &perr)) {
		t.err = HAP_EPROTO;
		ret = pool_addf(l, &moff, "%s", perr.msg);
	}
	for (k = 0; !ret && !t.err && k < pl.n; k++) {
		struct hap_target w = t;

		if (pl.procs[k].kind != HAP_PROC_WORKER && pl.procs[k].kind != HAP_PROC_OLD_WORKER)
			continue;
		w.pid = pl.procs[k].pid;
		if (pl.procs[k].kind == HAP_PROC_OLD_WORKER)
			w.flags |= HAP_INST_OLD_WORKER;
		snprintf(w.prefix, sizeof(w.prefix), "@!%lld ", (long long)w.pid);
		ret = pool_addf(l, &noff, "%s @!%lld", h->addrs[i].name, (long long)w.pid);
		if (!ret)
			ret = add_target(l, &w, noff, NO_OFF);
		nworkers++;
	}
	hap_proc_release(&pl);
	if (ret)
		return ret;
	if (!t.err && !nworkers) {
		t.err = HAP_EPROTO;
		t.errmsg = "master lists no worker";
	}
	if (t.err)
		return add_target(l, &t, NO_OFF, moff);
	return 0;
}

/* The targets of l in one block, their pool's strings after the array. */
static struct hap_target *targets_block(struct target_list *l)
{
	struct hap_target *ts;
	char *base;
	size_t k;

	if (!l->n)
		return NULL;
	ts = malloc(l->n * sizeof(*ts) + l->pool.len);
	if (!ts)
		return NULL;
	memcpy(ts, l->ts, l->n * sizeof(*ts));
	base = (char *)(ts + l->n);
	if (l->pool.len)
		memcpy(base, l->pool.ptr, l->pool.len);
	for (k = 0; k < l->n; k++) {
		if (l->off[2 * k] != NO_OFF)
			ts[k].name = base + l->off[2 * k];
		if (l->off[2 * k + 1] != NO_OFF)
			ts[k].errmsg = base + l->off[2 * k + 1];
	}
	return ts;
}

int hap_targets_resolve(struct hap *h, struct hap_target **out, size_t *n)
{
	struct target_list l = { NULL, NULL, 0, 0, HAP_BUF_INIT };
	struct hap_job *jobs = NULL;
	size_t nmaster = 0, i, j;
	int ret = 0;

	for (i = 0; i < h->naddrs; i++)
		nmaster += h->addrs[i].master;
	if (nmaster) {
		jobs = calloc(nmaster, sizeof(*jobs));
		if (!jobs)
			return HAP_ENOMEM;
		for (i = 0, j = 0; i < h->naddrs; i++)
			if (h->addrs[i].master)
				hap_job_init(&jobs[j++], &h->addrs[i], "show proc\n", 10);
		ret = hap_exchange_run(jobs, nmaster, &h->xopts);
	}
	for (i = 0, j = 0; !ret && i < h->naddrs; i++) {
		struct hap_target t;
		size_t moff = NO_OFF;
		char why[96];

		memset(&t, 0, sizeof(t));
		t.addr = i;
		t.name = h->addrs[i].name;
		t.errmsg = "";
		if (h->addrs[i].invalid) {
			t.err = HAP_EINVAL;
			hap_addr_why(&h->addrs[i], why, sizeof(why));
			ret = pool_addf(&l, &moff, "%s", why);
		}
		if (!ret && !h->addrs[i].master)
			ret = add_target(&l, &t, NO_OFF, moff);
		else if (!ret)
			ret = add_workers(&l, h, i, t, &jobs[j++]);
	}
	for (i = 0; jobs && i < nmaster; i++)
		hap_job_release(&jobs[i]);
	free(jobs);
	*out = NULL;
	if (!ret && l.n && !(*out = targets_block(&l)))
		ret = HAP_ENOMEM;
	free(l.ts);
	free(l.off);
	hap_buf_release(&l.pool);
	*n = ret ? 0 : l.n;
	return ret;
}

int hap_target_request(const struct hap_target *t, const char *cmds, struct hap_buf *b)
{
	const char *p = cmds;
	int ret = 0;

	while (*p && !ret) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);

		ret = hap_buf_adds(b, t->prefix);
		if (!ret)
			ret = hap_buf_add(b, p, len);
		p += len;
	}
	return ret;
}

/* A copy of s[0..n) in the result set's arena. */
static char *dupn(struct hap_result *r, const char *s, size_t n)
{
	return hap_arena_strndup(&r->strings, s ? s : "", s ? n : 0);
}

/* The result set's one copy of an instance name. */
static char *inst_name(struct hap_result *r, const char *name)
{
	size_t len = strlen(name), got;
	char *copy;

	if (hap_hmap_get(&r->names, hap_view_make(name, len), &got))
		return (char *)(uintptr_t)got;
	copy = dupn(r, name, len);
	if (!copy || hap_hmap_put(&r->names, hap_view_make(copy, len), (uintptr_t)copy, &got))
		return NULL;
	return copy;
}

int hap_result_reserve(struct hap_result *r, size_t n)
{
	struct hap_result_entry *p;

	if (n <= r->cap)
		return 0;
	p = realloc(r->e, n * sizeof(*p));
	if (!p)
		return HAP_ENOMEM;
	r->e = p;
	r->cap = n;
	return 0;
}

int hap_result_add(struct hap_result *r, const char *instance, const char *object,
                   const char *command, int code, const char *msg, size_t msglen, int sent)
{
	struct hap_result_entry *e;

	if (r->n == r->cap && hap_result_reserve(r, r->cap ? r->cap * 2 : 8))
		return HAP_ENOMEM;
	e = &r->e[r->n];
	memset(e, 0, sizeof(*e));
	/* trim the reply's trailing newlines: HAProxy ends every message with one or two */
	while (msg && msglen && (msg[msglen - 1] == '\n' || msg[msglen - 1] == '\r'))
		msglen--;
	e->instance = inst_name(r, instance);
	e->object = object ? dupn(r, object, strlen(object)) : NULL;
	e->command = command ? dupn(r, command, strlen(command)) : NULL;
	e->message = dupn(r, msg, msglen);
	e->inst = HAP_AGGREGATE;
	e->kind = HAP_KIND_RAW;
	e->name = e->object;
	e->code = code;
	e->sent = sent;
	e->outcome = hap_outcome_of(code);
	if (!e->instance || !e->message || (object && !e->object) || (command && !e->command))
		return HAP_ENOMEM; /* what was copied stays in the arena */
	r->n++;
	return 0;
}

size_t hap_result_count(const struct hap_result *r)
{
	return r ? r->n : 0;
}

const char *hap_result_instance(const struct hap_result *r, size_t i)
{
	return r->e[i].instance;
}

const char *hap_result_object(const struct hap_result *r, size_t i)
{
	return r->e[i].object;
}

int hap_result_set_ref(struct hap_result *r, size_t i, size_t inst, int kind)
{
	struct hap_result_entry *e = &r->e[i];
	const char *slash = e->object ? strchr(e->object, '/') : NULL;

	e->inst = inst;
	e->kind = kind;
	if (kind == HAP_OBJ_SERVER && slash && !e->backend) {
		e->backend = dupn(r, e->object, (size_t)(slash - e->object));
		if (!e->backend)
			return HAP_ENOMEM;
		e->name = slash + 1;
	}
	return 0;
}

size_t hap_result_instance_index(const struct hap_result *r, size_t i)
{
	return r->e[i].inst;
}

int hap_result_object_ref(const struct hap_result *r, size_t i, const char **backend,
                          const char **name)
{
	const struct hap_result_entry *e = &r->e[i];

	if (backend)
		*backend = e->backend;
	if (name)
		*name = e->name;
	return e->kind;
}

const char *hap_result_command(const struct hap_result *r, size_t i)
{
	return r->e[i].command;
}

int hap_result_code(const struct hap_result *r, size_t i)
{
	return r->e[i].code;
}

const char *hap_result_message(const struct hap_result *r, size_t i)
{
	return r->e[i].message;
}

int hap_result_sent(const struct hap_result *r, size_t i)
{
	return r->e[i].sent;
}

size_t hap_result_failures(const struct hap_result *r)
{
	size_t i, n = 0;

	for (i = 0; r && i < r->n; i++)
		n += r->e[i].outcome != HAP_OUT_APPLIED && r->e[i].outcome != HAP_OUT_SENT;
	return n;
}

int hap_result_all_done(const struct hap_result *r)
{
	return hap_result_failures(r) == 0;
}

int hap_outcome_of(int code)
{
	switch (code) {
	case 0:
		return HAP_OUT_SENT; /* applied only from a read-back */
	case HAP_EREFUSED:
		return HAP_OUT_REFUSED;
	case HAP_ENOTFOUND:
		return HAP_OUT_NOT_FOUND;
	case HAP_EPARTIAL:
		return HAP_OUT_PARTIAL;
	case HAP_EPERM:
		return HAP_OUT_DENIED;
	case HAP_EUNKNOWN:
		return HAP_OUT_UNKNOWN;
	case HAP_ESUPERSEDED:
		return HAP_OUT_SUPERSEDED;
	}
	return HAP_OUT_ERROR;
}

const char *hap_outcome_name(int outcome)
{
	static const char *const names[] = {
		"applied", "sent",   "unknown",    "refused", "not-found",
		"partial", "denied", "superseded", "error",
	};

	if (outcome < 0 || (size_t)outcome >= sizeof(names) / sizeof(names[0]))
		return "error";
	return names[outcome];
}

const char *hap_why_name(int why)
{
	switch (why) {
	case HAP_WHY_RESTARTED:
		return "restarted";
	case HAP_WHY_CHANGED:
		return "changed-by-other";
	case HAP_WHY_NORMALISED:
		return "normalised";
	case HAP_WHY_NOT_APPLIED:
		return "not-applied";
	}
	return "";
}

int hap_result_outcome(const struct hap_result *r, size_t i)
{
	return r->e[i].outcome;
}

int hap_result_why(const struct hap_result *r, size_t i)
{
	return r->e[i].why;
}

const char *hap_result_after(const struct hap_result *r, size_t i)
{
	return r->e[i].after;
}

int hap_result_judged(struct hap_result *r, size_t i, int code, int outcome, int why,
                      const char *after, const char *msg)
{
	struct hap_result_entry *e = &r->e[i];

	e->code = code;
	e->outcome = outcome;
	e->why = why;
	/* the strings replaced stay in the arena until the result set goes */
	if (after) {
		char *a = dupn(r, after, strlen(after));

		if (!a)
			return HAP_ENOMEM;
		e->after = a;
	}
	if (msg) {
		char *m = dupn(r, msg, strlen(msg));

		if (!m)
			return HAP_ENOMEM;
		e->message = m;
	}
	return 0;
}

void hap_result_free(struct hap_result *r)
{
	if (!r)
		return;
	hap_hmap_release(&r->names);
	hap_arena_release(&r->strings);
	free(r->e);
	free(r);
}

const char *hap_call_errmsg(const struct hap_call *c)
{
	if (c->out.errmsg)
		return c->out.errmsg;
	return c->out.err ? hap_strerror(c->out.err) : "";
}

void hap_call_errmsgf(struct hap_call *c, const char *fmt, ...)
{
	char line[240];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	free(c->out.errmsg);
	c->out.errmsg = strdup(line);
}

/* The outputs of job j handed to call c: its reply moves, its message is
 * copied only when there is one. */
static void call_take(struct hap_call *c, struct hap_job *j)
{
	c->out.reply = j->reply;
	hap_buf_init(&j->reply, 0);
	c->out.err = j->err;
	c->out.req_sent = j->req_sent;
	/* its message, when there is one, moves too */
	free(c->out.errmsg);
	c->out.errmsg = j->errmsg;
	j->errmsg = NULL;
	c->sent = 1;
}

int hap_calls_run(struct hap *h, const struct hap_target *ts, struct hap_call *calls, size_t n)
{
	struct hap_job *jobs;
	struct hap_buf *reqs;
	size_t i, k = 0;
	int ret = 0;

	jobs = calloc(n ? n : 1, sizeof(*jobs));
	reqs = calloc(n ? n : 1, sizeof(*reqs));
	if (!jobs || !reqs) {
		free(jobs);
		free(reqs);
		return HAP_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct hap_call *c = &calls[i];
		const struct hap_target *t = &ts[c->target];
		struct hap_job *j = &jobs[k];

		memset(&c->out, 0, sizeof(c->out));
		hap_buf_init(&c->out.reply, 0);
		c->sent = 0;
		if (t->err) {
			c->out.err = t->err;
			hap_call_errmsgf(c, "%s", t->errmsg);
			continue;
		}
		hap_job_init(j, &h->addrs[t->addr], c->cmds,
		             c->raw ? c->cmds_len : strlen(c->cmds));
		j->no_shut = c->no_shut;
		j->on_bytes = c->on_bytes;
		j->on_bytes_arg = c->on_bytes_arg;
		if (!c->raw && t->prefix[0]) {
			/* a master's worker: each line prefixed; else the lines
			 * themselves, not a copy per call */
			hap_buf_init(&reqs[k], 0);
			ret = hap_target_request(t, c->cmds, &reqs[k]);
			if (ret)
				goto out;
			j->req = reqs[k].ptr;
			j->req_len = reqs[k].len;
		}
		k++;
	}
	ret = hap_exchange_run(jobs, k, &h->xopts);
	if (ret)
		goto out;
	/* hand the outcomes back to their calls, in the same order */
	for (i = 0, k = 0; i < n; i++)
		if (!ts[calls[i].target].err)
			call_take(&calls[i], &jobs[k++]);
out:
	for (i = 0; i < n; i++) {
		hap_job_release(&jobs[i]); /* zeroed or moved: nothing held */
		hap_buf_release(&reqs[i]);
	}
	free(jobs);
	free(reqs);
	return ret;
}

void hap_calls_release(struct hap_call *calls, size_t n)
{
	size_t i;

	for (i = 0; calls && i < n; i++) {
		struct hap_call_out *o = &calls[i].out;

		/* a shared reply's views go with it (cap 0: nothing freed) */
		if (o->share && --o->share->refs == 0) {
			hap_buf_release(&o->share->bytes);
			free(o->share);
		}
		if (!o->share)
			free(calls[i].rb_reply);
		o->share = NULL;
		hap_buf_release(&o->reply);
		free(o->errmsg);
		o->errmsg = NULL;
		calls[i].rb_reply = NULL;
	}
}

int hap_exec(struct hap_result **out, struct hap *h, const char *cmd, struct hap_error *err)
{
	struct hap_target *ts = NULL;
	struct hap_call *calls = NULL;
	struct hap_result *r = NULL;
	struct hap_buf line = HAP_BUF_INIT;
	size_t nt = 0, i;
	int ret;

	*out = NULL;
	if (!*cmd || strchr(cmd, '\n') || strchr(cmd, '\r'))
		return hap_error_set(err, HAP_EINVAL, "a raw command is one non-empty line");
	if (!h->naddrs)
		return hap_error_set(err, HAP_EINVAL, "no endpoint");
	ret = hap_targets_resolve(h, &ts, &nt);
	if (ret)
		return hap_error_set(err, ret, "resolving instances: %s", hap_strerror(ret));
	r = calloc(1, sizeof(*r));
	calls = calloc(nt ? nt : 1, sizeof(*calls));
	if (!r || !calls || hap_buf_adds(&line, cmd) || hap_buf_addc(&line, '\n')) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < nt; i++) {
		calls[i].target = i;
		calls[i].cmds = line.ptr;
	}
	ret = hap_calls_run(h, ts, calls, nt);
	if (ret) {
		hap_error_set(err, ret, "exchange: %s", hap_strerror(ret));
		goto out;
	}
	for (i = 0; i < nt && !ret; i++) {
		const struct hap_call_out *j = &calls[i].out;

		if (j->err)
			ret = hap_result_add(r, ts[i].name, NULL, cmd, j->err,
			                     hap_call_errmsg(&calls[i]),
			                     strlen(hap_call_errmsg(&calls[i])), calls[i].sent);
		else if (ts[i].prefix[0] && hap_master_routing_failed(j->reply.ptr, j->reply.len))
			ret = hap_result_add(r, ts[i].name, NULL, cmd, HAP_ENOTFOUND, j->reply.ptr,
			                     j->reply.len, 1);
		else
			ret = hap_result_add(r, ts[i].name, NULL, cmd, 0, j->reply.ptr,
			                     j->reply.len, 1);
		/* the instance's position in the fleet now: a snapshot taken
		 * now numbers it the same */
		if (!ret)
			ret = hap_result_set_ref(r, i, i, HAP_KIND_RAW);
	}
out:
	hap_calls_release(calls, nt);
	free(calls);
	free(ts);
	hap_buf_release(&line);
	if (ret) {
		hap_result_free(r);
		return ret;
	}
	*out = r;
	return 0;
}
