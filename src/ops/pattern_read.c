/*
 * pattern_read.c - reading ACL/map entries from every instance that holds
 * a file ("show acl|map FILE", "get acl|map FILE KEY"), each instance's
 * answer kept apart, and whether they agree.
 *
 * Must never: merge answers that differ, or report an instance that did
 * not answer as holding no entries.
 */
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/snapshot.h"
#include "ops/round.h"
#include "ops/pattern.h"
#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* Reads: show and get                                                 */
/* ------------------------------------------------------------------ */

struct read_inst {
	size_t inst; /* snapshot index */
	int code;
	char *msg;
	int holds;
	struct hap_buf reply;
	struct hap_pat_entry_list entries;
	const char *answer;
};

struct hap_pattern_read {
	struct hap_snapshot *snap;
	struct hap_pattern_target target;
	char *tstr[2]; /* the target's file and note */
	enum hap_pattern_verb verb;
	size_t n;
	struct read_inst *in;
	struct hap_result *res; /* the outcome per instance, entry i for in[i] */
};

void hap_pattern_read_free(struct hap_pattern_read *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->in[i].msg);
		hap_buf_release(&r->in[i].reply);
		hap_pat_entry_release(&r->in[i].entries);
	}
	free(r->in);
	free(r->tstr[0]);
	free(r->tstr[1]);
	hap_result_free(r->res);
	hap_snapshot_free(r->snap);
	free(r);
}

static char *dup_msg(const char *s, size_t n)
{
	char *d;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	d = malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* NUL-terminate the views of the parsed entries inside the reply we own. */
static void terminate_entries(struct read_inst *ri)
{
	char *base = ri->reply.ptr;
	size_t e;

	for (e = 0; e < ri->entries.n; e++) {
		struct hap_pat_entry *x = &ri->entries.entries[e];

		base[(size_t)(x->ref.p - base) + x->ref.n] = '\0';
		base[(size_t)(x->key.p - base) + x->key.n] = '\0';
		base[(size_t)(x->value.p - base) + x->value.n] = '\0';
	}
}

static int read_judge(struct hap_pattern_read *r, struct read_inst *ri, enum hap_pattern_kind kind)
{
	struct hap_error perr = { 0, "" };
	const struct hap_reply_table *t = hap_pat_table_of(kind, r->verb);
	enum hap_verdict v = hap_reply_judge(t, ri->reply.ptr, ri->reply.len);

	if (v != HAP_V_APPLIED) {
		ri->code = hap_verdict_code(v);
		ri->msg = dup_msg(ri->reply.ptr, ri->reply.len);
		return ri->msg ? 0 : HAP_ENOMEM;
	}
	if (r->verb == HAP_PATTERN_GET) {
		char *nl = memchr(ri->reply.ptr, '\n', ri->reply.len);

		if (nl)
			*nl = '\0';
		ri->answer = ri->reply.ptr;
		return 0;
	}
	if (hap_pat_entry_parse(&ri->entries, ri->reply.ptr, ri->reply.len, kind == HAP_PATTERN_MAP,
	                        &perr)) {
		ri->code = perr.code == HAP_ENOMEM ? HAP_ENOMEM : HAP_EPROTO;
		ri->msg = dup_msg(perr.msg, strlen(perr.msg));
		return ri->msg ? 0 : HAP_ENOMEM;
	}
	terminate_entries(ri);
	return 0;
}

/* Instance entries of every instance of the snapshot, and a call of cmds
 * for each that holds the file: 0 or HAP_ENOMEM. */
static int read_targets(struct hap_pattern_read *r, enum hap_pattern_kind kind, size_t n,
                        const char *cmds, struct hap_target *ts, struct hap_call *calls,
                        size_t *ncalls)
{
	size_t i, nc = 0;

	for (i = 0; i < n; i++) {
		const char *msg;
		unsigned fl = hap_instance_flags(r->snap, i);
		struct read_inst *ri;

		if (fl & (HAP_INST_DUPLICATE | HAP_INST_EXCLUDED))
			continue;
		ri = &r->in[r->n++];
		ri->inst = i;
		hap_buf_init(&ri->reply, 0);
		ri->code = hap_snapshot_inst_status(r->snap, i, &msg);
		if (ri->code) {
			ri->msg = dup_msg(msg, strlen(msg));
			if (!ri->msg)
				return HAP_ENOMEM;
			continue;
		}
		ri->holds = hap_pattern_holds(r->snap, i, kind, r->target.file) == 1;
		if (!ri->holds) {
			ri->code = HAP_ENOTFOUND;
			ri->msg = dup_msg("does not load the file", 22);
			if (!ri->msg)
				return HAP_ENOMEM;
			continue;
		}
		ts[nc] = *hap_snapshot_target(r->snap, i);
		calls[nc].target = nc;
		calls[nc].cmds = cmds;
		nc++;
		*ncalls = nc;
	}
	return 0;
}

/* Each holder's reply, judged: 0 or HAP_ENOMEM. */
static int read_collect(struct hap_pattern_read *r, struct hap_call *calls,
                        enum hap_pattern_kind kind)
{
	size_t i, k;

	for (i = 0, k = 0; i < r->n; i++) {
		struct read_inst *ri = &r->in[i];
		struct hap_job *j;

		if (!ri->holds)
			continue;
		j = &calls[k++].job;
		if (j->err) {
			ri->code = j->err;
			ri->msg = dup_msg(hap_job_msg(j), strlen(hap_job_msg(j)));
			if (!ri->msg)
				return HAP_ENOMEM;
			continue;
		}
		ri->reply = j->reply;
		hap_buf_init(&j->reply, 0);
		if (read_judge(r, ri, kind))
			return HAP_ENOMEM;
	}
	return 0;
}

/* The outcome per instance: entry i for in[i], its instance index, the
 * file as its object, the command (cmd without its '\n'), and code 0 (SENT:
 * a read is never "applied") or why it was not read. 0 or HAP_ENOMEM. */
static int read_result(struct hap_pattern_read *r, enum hap_pattern_kind kind, const char *cmd)
{
	size_t i, cl = strcspn(cmd, "\n");
	char *line = strndup(cmd, cl);
	int ret = line ? 0 : HAP_ENOMEM;

	r->res = calloc(1, sizeof(*r->res));
	if (!r->res)
		ret = HAP_ENOMEM;
	for (i = 0; !ret && i < r->n; i++) {
		const struct read_inst *ri = &r->in[i];
		const char *m = ri->msg ? ri->msg : "";

		ret = hap_result_add(r->res, hap_instance_name(r->snap, ri->inst), r->target.file,
		                     line, ri->code, m, strlen(m), ri->holds);
		if (!ret)
			ret = hap_result_set_ref(r->res, i, ri->inst,
			                         kind == HAP_PATTERN_MAP ? HAP_KIND_MAP
			                                                 : HAP_KIND_ACL);
	}
	free(line);
	return ret;
}

int hap_pattern_read_new(struct hap_pattern_read **out, struct hap *h,
                         const struct hap_pattern_op *op, struct hap_error *err)
{
	struct hap_pattern_read *r = NULL;
	struct hap_patterns *pl = NULL;
	struct hap_target *ts = NULL;
	struct hap_call *calls = NULL;
	struct hap_buf cmd = HAP_BUF_INIT;
	size_t f = 0, n, nc = 0;
	int ret;

	*out = NULL;
	ret = hap_pattern_op_check(op, err);
	if (ret)
		return ret;
	if (op->verb != HAP_PATTERN_SHOW && op->verb != HAP_PATTERN_GET)
		return hap_error_set(err, HAP_EINVAL, "%s is a change: use hap_pattern_plan()",
		                     hap_pat_verb_words[op->verb]);
	r = calloc(1, sizeof(*r));
	if (!r)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	r->verb = op->verb;
	ret = hap_pat_resolve_fleet(&r->snap, &pl, &f, &r->target, r->tstr, h, op->kind, op->id,
	                            err);
	if (!ret)
		ret = hap_pat_format_cmd(&cmd, op, r->target.file, err);
	if (ret)
		goto out;
	n = hap_snapshot_instance_count(r->snap);
	r->in = calloc(n ? n : 1, sizeof(*r->in));
	ts = calloc(n ? n : 1, sizeof(*ts));
	calls = calloc(n ? n : 1, sizeof(*calls));
	if (!r->in || !ts || !calls || hap_buf_addc(&cmd, '\n'))
		goto oom;
	if (read_targets(r, op->kind, n, cmd.ptr, ts, calls, &nc))
		goto oom;
	ret = hap_round_run(h, ts, calls, nc);
	if (ret) {
		hap_error_set(err, ret, "exchange: %s", hap_strerror(ret));
		goto out;
	}
	if (read_collect(r, calls, op->kind) || read_result(r, op->kind, cmd.ptr))
		goto oom;
	goto out;
oom:
	ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
out:
	hap_calls_release(calls, nc);
	free(calls);
	free(ts);
	hap_buf_release(&cmd);
	hap_patterns_free(pl);
	if (ret) {
		hap_pattern_read_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

const struct hap_pattern_target *hap_pattern_read_target(const struct hap_pattern_read *r)
{
	return &r->target;
}

const struct hap_result *hap_pattern_read_result(const struct hap_pattern_read *r)
{
	return r->res;
}

size_t hap_pattern_read_entry_count(const struct hap_pattern_read *r, size_t i)
{
	return r->in[i].entries.n;
}

int hap_pattern_read_entry(struct hap_pattern_entry *out, const struct hap_pattern_read *r,
                           size_t i, size_t e)
{
	const struct hap_pat_entry *x;

	if (i >= r->n || e >= r->in[i].entries.n)
		return HAP_EINVAL;
	x = &r->in[i].entries.entries[e];
	out->ref = x->ref.p;
	out->key = x->key.p;
	out->value = x->value.n ? x->value.p : "";
	return 0;
}

const char *hap_pattern_read_answer(const struct hap_pattern_read *r, size_t i)
{
	return r->in[i].answer ? r->in[i].answer : "";
}

static int same_entries(const struct read_inst *a, const struct read_inst *b)
{
	size_t e;

	if (a->entries.n != b->entries.n)
		return 0;
	for (e = 0; e < a->entries.n; e++)
		if (!hap_view_eqv(a->entries.entries[e].key, b->entries.entries[e].key) ||
		    !hap_view_eqv(a->entries.entries[e].value, b->entries.entries[e].value))
			return 0;
	return 1;
}

int hap_pattern_read_agree(const struct hap_pattern_read *r)
{
	const struct read_inst *first = NULL;
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct read_inst *ri = &r->in[i];

		if (ri->code)
			continue;
		if (!first) {
			first = ri;
			continue;
		}
		if (r->verb == HAP_PATTERN_GET ? strcmp(first->answer, ri->answer) != 0
		                               : !same_entries(first, ri))
			return 0;
	}
	return first != NULL;
}
