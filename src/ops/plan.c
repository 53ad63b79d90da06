/*
 * plan.c - plans: the commands of a change per instance, and applying
 * them in one parallel round (one connection per command: some replies end
 * without the blank line, so ';' batches cannot be split reliably). The
 * read-back that settles each entry is readback.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/snapshot.h"
#include "ops/ops.h"
#include "ops/lock.h"
#include "ops/round.h"
#include "util/banned.h"

int hap_plan_add(struct hap_plan *p, size_t inst, const char *object, const char *command,
                 const struct hap_reply_table *judge)
{
	struct hap_plan_entry *e;
	int level = hap_instance_level(p->snap, inst);
	const char *slash;

	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 16;
		struct hap_plan_entry *q = realloc(p->e, ncap * sizeof(*q));

		if (!q)
			return HAP_ENOMEM;
		p->e = q;
		p->cap = ncap;
	}
	e = &p->e[p->n];
	memset(e, 0, sizeof(*e));
	e->inst = inst;
	e->judge = judge;
	/* the strings in the plan's arena: no malloc each (8,000 entries) */
	e->object = hap_arena_strndup(&p->strings, object, strlen(object));
	e->command = hap_arena_strndup(&p->strings, command, strlen(command));
	e->name = e->object;
	slash = e->object && p->okind == HAP_KIND_SERVER ? strchr(e->object, '/') : NULL;
	if (slash) {
		/* split once here, so no caller ever splits "backend/server" */
		e->backend = hap_arena_strndup(&p->strings, e->object, (size_t)(slash - e->object));
		e->name = e->backend ? slash + 1 : NULL;
	}
	if (!e->object || !e->command || !e->name)
		return HAP_ENOMEM;
	if (level != HAP_LEVEL_UNKNOWN && level < judge->level) {
		char msg[200];

		snprintf(msg, sizeof(msg), "socket level '%s' is too low for '%s' (needs '%s')",
		         hap_level_name(level), judge->op, hap_level_name(judge->level));
		if (hap_plan_skip_set(p, p->n, HAP_EPERM, msg))
			return HAP_ENOMEM;
	}
	p->n++;
	return 0;
}

int hap_plan_skip_set(struct hap_plan *p, size_t i, int code, const char *msg)
{
	char *m = hap_arena_strndup(&p->strings, msg, strlen(msg));

	if (!m)
		return HAP_ENOMEM;
	p->e[i].skip_code = code;
	p->e[i].skip_msg = m;
	return 0;
}

size_t hap_plan_count(const struct hap_plan *p)
{
	return p->n;
}

const char *hap_plan_instance(const struct hap_plan *p, size_t i)
{
	return hap_instance_name(p->snap, p->e[i].inst);
}

size_t hap_plan_instance_index(const struct hap_plan *p, size_t i)
{
	return p->e[i].inst;
}

const char *hap_plan_object(const struct hap_plan *p, size_t i)
{
	return p->e[i].object;
}

int hap_plan_object_ref(const struct hap_plan *p, size_t i, const char **backend, const char **name)
{
	if (backend)
		*backend = p->e[i].backend;
	if (name)
		*name = p->e[i].name;
	return p->okind;
}

const char *hap_plan_command(const struct hap_plan *p, size_t i)
{
	return p->e[i].command;
}

int hap_plan_skip(const struct hap_plan *p, size_t i, const char **msg)
{
	if (msg)
		*msg = p->e[i].skip_msg ? p->e[i].skip_msg : "";
	return p->e[i].skip_code;
}

size_t hap_plan_objects(const struct hap_plan *p)
{
	return p->nobjects;
}

int hap_plan_disruptive(const struct hap_plan *p)
{
	return p->disruptive;
}

const struct hap_snapshot *hap_plan_snapshot(const struct hap_plan *p)
{
	return p->snap;
}

void hap_plan_free(struct hap_plan *p)
{
	if (!p)
		return;
	hap_arena_release(&p->strings);
	free(p->e);
	free(p->vproxy);
	free(p->pfile);
	free(p->pkey);
	free(p->pvalue);
	free(p->ptarget[0]);
	free(p->ptarget[1]);
	hap_snapshot_free(p->snap);
	free(p);
}

int hap_plan_verify(struct hap_plan *p, unsigned mask, const char *proxy, const char *field,
                    const char *want, int mode)
{
	free(p->vproxy);
	p->vproxy = NULL;
	if (proxy) {
		p->vproxy = strdup(proxy);
		if (!p->vproxy)
			return HAP_ENOMEM;
	}
	p->verify = 1;
	p->vmask = mask;
	p->vfield = field;
	p->vmode = mode;
	snprintf(p->vwant, sizeof(p->vwant), "%s", want ? want : "");
	return 0;
}

/* The calls of plan p: one target per instance (ts[inst]), then one per
 * skipped entry carrying its error (*nts in all); the lines in text, one
 * allocation for them all (a plan can hold 8,000 commands). 0 or
 * HAP_ENOMEM. */
static int build_calls(const struct hap_plan *p, struct hap_target *ts, size_t *nts,
                       struct hap_call *calls, struct hap_buf *text)
{
	size_t i, ninst = hap_snapshot_instance_count(p->snap);
	size_t *off = malloc((p->n ? p->n : 1) * sizeof(*off));

	if (!off)
		return HAP_ENOMEM;
	for (i = 0; i < ninst; i++)
		ts[i] = *hap_snapshot_target(p->snap, i);
	*nts = ninst;
	for (i = 0; i < p->n; i++) {
		const struct hap_plan_entry *e = &p->e[i];

		calls[i].target = e->inst;
		if (e->skip_code) {
			ts[*nts] = ts[e->inst];
			ts[*nts].err = e->skip_code;
			ts[*nts].errmsg = e->skip_msg ? e->skip_msg : "";
			calls[i].target = (*nts)++;
		}
		off[i] = text->len;
		if (hap_buf_adds(text, e->command) || hap_buf_addc(text, '\n') ||
		    hap_buf_addc(text, '\0')) {
			free(off);
			return HAP_ENOMEM;
		}
		calls[i].judge = e->judge;
	}
	for (i = 0; i < p->n; i++)
		calls[i].cmds = text->ptr + off[i];
	free(off);
	return 0;
}

/* One result entry per call, judged by its reply. 0 or HAP_ENOMEM. */
static int add_results(struct hap_result *r, const struct hap_plan *p, struct hap_call *calls)
{
	size_t i;
	int ret = hap_result_reserve(r, r->n + p->n);

	for (i = 0; i < p->n && !ret; i++) {
		const struct hap_plan_entry *e = &p->e[i];
		const struct hap_call *c = &calls[i];
		const struct hap_call_out *j = &c->out;
		const char *inst = hap_instance_name(p->snap, e->inst);

		if (c->outcome == HAP_OUT_ERROR || c->outcome == HAP_OUT_UNKNOWN || !j->reply.len) {
			const char *m = e->skip_code ? e->skip_msg : hap_call_errmsg(c);

			ret = hap_result_add(r, inst, e->object, e->command, c->code, m, strlen(m),
			                     c->sent);
		} else {
			ret = hap_result_add(r, inst, e->object, e->command, c->code, j->reply.ptr,
			                     j->reply.len, 1);
		}
		/* an accepted command is SENT here: only the read-back makes it
		 * applied (not at all with --no-verify or nothing to read) */
		if (!ret)
			ret = hap_result_set_ref(r, r->n - 1, e->inst, p->okind);
		/* copied: its room goes to the next entries' copies (the
		 * read-back reads the write's rb_reply, not this) */
		hap_buf_release(&calls[i].out.reply);
	}
	return ret;
}

int hap_plan_apply(struct hap_result **out, const struct hap_plan *p, struct hap_error *err)
{
	struct hap *h = p->h;
	struct hap_target *ts = NULL;
	struct hap_call *calls = NULL;
	struct hap_buf lines = HAP_BUF_INIT;
	struct hap_locks *locks = NULL;
	struct hap_inline il = { 0 };
	const char **objs = NULL;
	struct hap_result *r;
	size_t i, nts = 0, ncalls = p->n, nskip = 0;
	int ret = 0;

	*out = NULL;
	if (p->replace)
		return hap_error_set(
		        err, HAP_EINVAL,
		        "a replace's plan is applied with hap_pattern_replace_apply()");
	hap_buf_init(&il.text, 0);
	r = calloc(1, sizeof(*r));
	/* one target per instance, and one per skipped entry (its error) */
	for (i = 0; i < p->n; i++)
		nskip += p->e[i].skip_code != 0;
	ts = calloc(hap_snapshot_instance_count(p->snap) + nskip + 1, sizeof(*ts));
	/* the writes (each with its read-back line), then one "show info" per
	 * instance in the same sessions */
	calls = calloc(p->n + hap_snapshot_instance_count(p->snap) + 1, sizeof(*calls));
	objs = calloc(p->n ? p->n : 1, sizeof(*objs));
	if (!r || !ts || !calls || !objs) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	/* one writer per object from this host: apply and read-back included */
	for (i = 0; i < p->n; i++)
		objs[i] = p->e[i].object;
	if (!(h->opts.flags & HAP_OPT_NO_LOCK)) {
		ret = hap_locks_take(&locks, objs, p->n,
		                     hap_locks_wait_ms(h->xopts.timeout_ms, h->xopts.end_us), err);
		if (ret)
			goto out;
	}
	/* one call per entry; a skipped entry gets a target carrying its error */
	if (build_calls(p, ts, &nts, calls, &lines) ||
	    (p->verify && hap_readback_inline_add(&il, p, ts, calls, &ncalls))) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	ret = hap_round_run(h, ts, calls, ncalls);
	if (ret) {
		hap_error_set(err, ret, "exchange: %s", hap_strerror(ret));
		goto out;
	}
	ret = add_results(r, p, calls);
	if (ret) {
		hap_error_set(err, ret, "out of memory");
		goto out;
	}
	if (p->verify && !(h->opts.flags & HAP_OPT_NO_VERIFY)) {
		ret = hap_plan_readback(p, r, &il);
		if (ret)
			hap_error_set(err, ret, "out of memory");
	}
out:
	hap_locks_release(locks);
	hap_calls_release(calls, ncalls);
	hap_readback_inline_release(&il);
	hap_buf_release(&lines);
	free(objs);
	free(calls);
	free(ts);
	if (ret) {
		hap_result_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

int hap_op_number(const char *v, int64_t max)
{
	size_t n = v ? strlen(v) : 0;
	int64_t x;

	if (n == 0 || n > 19 || strspn(v, "0123456789") != n)
		return 0;
	if (hap_num_parse_i64(v, &x) || x > max)
		return 0;
	return 1;
}

int hap_plan_reachable(const struct hap_plan *p, struct hap_error *err)
{
	return hap_snapshot_reachable(p->snap, err);
}

int hap_plan_alloc(struct hap_plan **p, struct hap *h, int okind, struct hap_error *err)
{
	*p = calloc(1, sizeof(**p));
	if (!*p)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	(*p)->h = h;
	(*p)->okind = okind;
	return 0;
}

int hap_plan_done(struct hap_plan **out, struct hap_plan *p, int ret)
{
	if (ret) {
		hap_plan_free(p);
		return ret;
	}
	*out = p;
	return 0;
}
