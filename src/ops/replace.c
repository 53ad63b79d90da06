/*
 * replace.c - the atomic replace of an ACL/map file across a fleet: the
 * plan (hap_pattern_replace_new), its accessors, and the apply that runs
 * prepare, load, commit (or clear) and reads the result back. The file
 * reading for a replace lives here too (the parser is parse/patfile.c).
 *
 * The replace protocol (measured on HAProxy 2.6.12, 4 instances, 2 CPUs):
 *  1. "prepare acl|map FILE" on every instance holding the file, one
 *     connection each, in parallel; "New version created: V" gives each
 *     instance its own V.
 *  2. The entries, added to version V in requests of at most 15,000 bytes:
 *     HAProxy reads a command and its payload into one 16 KB buffer and
 *     silently drops a larger one (no reply at all). Maps use the payload
 *     form ("add map @V FILE <<", one "key value" per line, a blank line).
 *     HAProxy 2.6 has no payload form for ACLs ("'add acl' expects two
 *     parameters"), so an ACL request is a batch of "add acl @V FILE
 *     PATTERN" lines framed by "prompt" and "quit": in interactive mode the
 *     worker waits for every line even if the request arrives in pieces
 *     (without it, a worker closes as soon as its input is momentarily
 *     empty), and answers "\n> " to each command, so a batch's whole reply
 *     is known in advance and judged byte for byte. A master CLI never
 *     closes by itself: behind one, the batch is pipelined without prompt
 *     ("\n" per command), each line routed with "@!PID" (payload lines of a
 *     map request are not: they are data).
 *     One request per connection, like every other exchange here: one long
 *     interactive stream per instance would save connections, but HAProxy
 *     2.6.12 sometimes drops such a stream when the client half-closes
 *     (2 of 80 streams of 10,000 entries; 0 of ~12,000 connections of at
 *     most 15 KB). Requests go in rounds, request q of every instance at
 *     once, then q + 1: each instance gets the entries in the file's order
 *     (it matters: for duplicate keys and list-indexed matches such as
 *     map_beg the first entry wins), instances work in parallel, and a
 *     failure anywhere stops the load everywhere after one round (a stuck
 *     instance costs one deadline, not one per request).
 *  3. "commit acl|map @V FILE" on every instance, only when every instance
 *     took every request. Otherwise nothing is committed anywhere, and
 *     "clear acl|map @V FILE" drops each prepared version (the old content
 *     was in use all along; an uncleared version would only hold memory
 *     until the next commit).
 * A commit is atomic per instance; across instances the commits are one
 * parallel round, the shortest window there is. A commit that fails after
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/snapshot.h"
#include "ops/lock.h"
#include "ops/round.h"
#include "ops/pattern.h"
#include "ops/replace.h"
#include "ops/workflow.h"
#include "proto/command.h"
#include "util/banned.h"

int hap_pattern_file_read(struct hap_pattern_file **out, enum hap_pattern_kind kind,
                          const char *path, struct hap_error *err)
{
	struct hap_buf b;
	struct stat st;
	char chunk[65536];
	ssize_t n;
	int ret = 0, fd;

	*out = NULL;
	/* O_NONBLOCK: a FIFO or a device opens without waiting; then the
	 * descriptor itself is checked, so what is read is what was checked */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return hap_error_set(err, errno == ENOENT ? HAP_ENOENT : HAP_EIO, "%s: %s", path,
		                     strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = hap_error_set(err, HAP_EIO, "%s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return hap_error_set(err, HAP_EINVAL, "%s: not a regular file", path);
	}
	if (st.st_size > (off_t)FILE_MAX) {
		close(fd);
		return hap_error_set(err, HAP_EINVAL, "%s: larger than 1 GiB", path);
	}
	/* bounded: the buffer refuses past FILE_MAX, however the file grows */
	hap_buf_init(&b, FILE_MAX);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = hap_error_set(err, HAP_EIO, "%s: read error: %s", path,
			                    strerror(errno));
			break;
		}
		if (n == 0)
			break;
		ret = hap_buf_add(&b, chunk, (size_t)n);
		if (ret) {
			ret = hap_error_set(
			        err, ret == HAP_ETOOBIG ? HAP_EINVAL : ret, "%s: %s", path,
			        ret == HAP_ETOOBIG ? "larger than 1 GiB" : "out of memory");
			break;
		}
	}
	close(fd);
	if (!ret) {
		ret = hap_pattern_file_parse(out, kind, b.ptr, b.len, err);
		if (ret && err) {
			char msg[sizeof(err->msg)];

			snprintf(msg, sizeof(msg), "%s", err->msg);
			hap_error_set(err, ret, "%s: %s", path, msg);
		}
	}
	hap_buf_release(&b);
	return ret;
}

void hap_pattern_replace_free(struct hap_pattern_replace *r)
{
	size_t k;

	if (!r)
		return;
	for (k = 0; r->ri && k < r->n; k++)
		hap_buf_release(&r->ri[k].req);
	free(r->ri);
	free(r->req_end);
	hap_buf_release(&r->fword);
	hap_wf_plan_free(r->plan);
	free(r->tstr[0]);
	free(r->tstr[1]);
	hap_snapshot_free(r->snap);
	free(r);
}

/* The replace as a plan: one entry per instance, its instance index, the
 * file (kind ACL or MAP) and its first command; only for reading (never
 * applied as a plan). 0 or HAP_ENOMEM. */
static int rep_plan(struct hap_pattern_replace *r)
{
	struct hap_buf cmd = HAP_BUF_INIT;
	size_t k;
	int ret = 0;

	r->plan = hap_wf_plan_new(r->h, r->snap);
	if (!r->plan)
		return HAP_ENOMEM;
	r->plan->okind = r->kind == HAP_PATTERN_MAP ? HAP_KIND_MAP : HAP_KIND_ACL;
	r->plan->replace = 1;
	r->plan->nobjects = 1;
	for (k = 0; k < r->n && !ret; k++) {
		hap_buf_reset(&cmd);
		ret = hap_rep_add_cmd(&cmd, r, "", "prepare", NULL);
		if (!ret)
			ret = hap_plan_add(r->plan, r->ri[k].inst, r->target.file, cmd.ptr,
			                   r->kind == HAP_PATTERN_MAP ? &hap_op_prepare_map
			                                              : &hap_op_prepare_acl);
	}
	hap_buf_release(&cmd);
	return ret;
}

int hap_pattern_replace_new(struct hap_pattern_replace **out, struct hap *h,
                            enum hap_pattern_kind kind, const char *id,
                            const struct hap_pattern_file *f, struct hap_error *err)
{
	struct hap_pattern_replace *r;
	struct hap_patterns *pl = NULL;
	size_t fi = 0, k, pre = 0;
	int ret;

	*out = NULL;
	if (kind != HAP_PATTERN_ACL && kind != HAP_PATTERN_MAP)
		return hap_error_set(err, HAP_EINVAL, "unknown pattern kind");
	if (!id)
		return hap_error_set(err, HAP_EINVAL, "an %s id is needed (a file, or #N)",
		                     hap_pat_kind_name(kind));
	if (f->kind != kind)
		return hap_error_set(err, HAP_EINVAL, "the file was parsed as %s entries, not %s",
		                     hap_pat_kind_name(f->kind), hap_pat_kind_name(kind));
	ret = hap_cmd_check_value(kind == HAP_PATTERN_MAP ? "map id" : "ACL id", id, err);
	if (ret)
		return ret;
	r = calloc(1, sizeof(*r));
	if (!r)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	r->kind = kind;
	r->f = f;
	hap_buf_init(&r->fword, 0);
	r->h = h;
	ret = hap_pat_resolve_fleet(&r->snap, &pl, &fi, &r->target, r->tstr, h, kind, id, err);
	if (ret)
		goto out;
	if (hap_cmd_add_word(&r->fword, r->target.file)) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	r->n = hap_patterns_holder_count(pl, fi);
	r->ri = calloc(r->n ? r->n : 1, sizeof(*r->ri));
	if (!r->ri) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < r->n; k++) {
		const struct hap_pattern_ref *row = hap_patterns_holder(pl, fi, k);
		size_t l = strlen(hap_snapshot_target(r->snap, row->instance)->prefix);

		r->ri[k].inst = row->instance;
		/* "prepare" makes next_ver + 1 (u32, wrapping): the dry run shows it */
		r->ri[k].ver = (uint32_t)((uint64_t)(row->next_ver < 0 ? 0 : row->next_ver) + 1);
		hap_buf_init(&r->ri[k].req, 0);
		pre = l > pre ? l : pre;
	}
	ret = hap_rep_plan_requests(r, pre, err);
	if (!ret && rep_plan(r))
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
out:
	hap_patterns_free(pl);
	if (ret) {
		hap_pattern_replace_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

const struct hap_pattern_target *hap_pattern_replace_target(const struct hap_pattern_replace *r)
{
	return &r->target;
}

const struct hap_plan *hap_pattern_replace_plan(const struct hap_pattern_replace *r)
{
	return r->plan;
}

const char *hap_rep_name(const struct hap_pattern_replace *r, size_t k)
{
	return hap_instance_name(r->snap, r->ri[k].inst);
}

size_t hap_pattern_replace_requests(const struct hap_pattern_replace *r)
{
	return r->nreq;
}

uint32_t hap_pattern_replace_version(const struct hap_pattern_replace *r, size_t k)
{
	return r->ri[k].ver;
}

void hap_rep_fail(struct rinst *x, int code, const char *step, const char *msg)
{
	x->st = RS_FAILED;
	x->code = code;
	snprintf(x->step, sizeof(x->step), "%s", step);
	snprintf(x->msg, sizeof(x->msg), "%s", msg);
}

/*
 * One single-line command on each listed instance (which[k] set), in
 * parallel; judged by t. verb "prepare", "commit" or "clear". On return,
 * codes[k] and msgs[k] (HAProxy's reply, trimmed) for each.
 */
int hap_rep_round(struct hap *h, struct hap_pattern_replace *r, const char *verb,
                  const struct hap_reply_table *t, const unsigned char *which, int *codes,
                  struct hap_buf *replies)
{
	struct hap_target *ts = calloc(r->n ? r->n : 1, sizeof(*ts));
	struct hap_call *calls = calloc(r->n ? r->n : 1, sizeof(*calls));
	size_t *map = calloc(r->n ? r->n : 1, sizeof(*map));
	size_t k, nc = 0;
	int ret = 0;

	if (!ts || !calls || !map) {
		ret = HAP_ENOMEM;
		goto out;
	}
	for (k = 0; k < r->n; k++) {
		struct rinst *x = &r->ri[k];
		int with_ver = strcmp(verb, "prepare") != 0;

		if (!which[k])
			continue;
		hap_buf_reset(&x->req);
		ret = hap_rep_add_cmd(&x->req, r, "", verb, with_ver ? &x->ver : NULL);
		if (!ret)
			ret = hap_buf_addc(&x->req, '\n');
		if (ret)
			goto out;
		ts[nc] = *hap_snapshot_target(r->snap, x->inst);
		calls[nc].target = nc;
		calls[nc].cmds = x->req.ptr;
		calls[nc].judge = t;
		map[nc++] = k;
	}
	ret = hap_round_run(h, ts, calls, nc);
	if (ret)
		goto out;
	for (k = 0; k < nc; k++) {
		struct hap_job *j = &calls[k].job;
		size_t x = map[k];

		r->ri[x].sent |= calls[k].sent;
		hap_buf_reset(&replies[x]);
		codes[x] = calls[k].code;
		if (j->err || !j->reply.len) {
			ret = hap_buf_adds(&replies[x], hap_job_msg(j));
		} else {
			size_t n = j->reply.len;

			while (n && (j->reply.ptr[n - 1] == '\n' || j->reply.ptr[n - 1] == '\r'))
				n--;
			ret = hap_buf_add(&replies[x], j->reply.ptr, n);
		}
		if (ret)
			goto out;
	}
out:
	hap_calls_release(calls, nc);
	free(calls);
	free(ts);
	free(map);
	return ret;
}

/* "New version created: 4" -> 4. */
static int parse_version(const char *s, uint32_t *out)
{
	const char *p = "New version created: ";
	int64_t v;

	if (strncmp(s, p, strlen(p)) != 0 || hap_num_parse_i64(s + strlen(p), &v) || v < 0 ||
	    v > (int64_t)UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* The per-instance buffers of one apply, reused by every round. */
struct apply_ctx {
	unsigned char *which;
	int *codes;
	struct hap_buf *replies;
};

static size_t count_failed(const struct hap_pattern_replace *r)
{
	size_t k, n = 0;

	for (k = 0; k < r->n; k++)
		n += r->ri[k].st == RS_FAILED;
	return n;
}

/* Step 1: prepare everywhere; *nfail = instances that failed. */
static int apply_prepare(struct hap *h, struct hap_pattern_replace *r, struct apply_ctx *c,
                         size_t *nfail)
{
	const int map = r->kind == HAP_PATTERN_MAP;
	size_t k;
	int ret;

	for (k = 0; k < r->n; k++) {
		r->ri[k].st = RS_PLANNED;
		c->which[k] = 1;
	}
	ret = hap_rep_round(h, r, "prepare", map ? &hap_op_prepare_map : &hap_op_prepare_acl,
	                    c->which, c->codes, c->replies);
	if (ret)
		return ret;
	for (k = 0; k < r->n; k++) {
		struct rinst *x = &r->ri[k];

		if (!c->codes[k] && !parse_version(c->replies[k].ptr, &x->ver)) {
			x->st = RS_PREPARED;
			x->has_ver = 1;
		} else {
			hap_rep_fail(x, c->codes[k] ? c->codes[k] : HAP_EPROTO, "prepare",
			             c->replies[k].ptr);
		}
	}
	*nfail = count_failed(r);
	/* 1b. a prepare without a complete reply is unknown: find the version
	 * it may have made, so that step 4 clears it */
	for (k = 0; k < r->n; k++)
		if (c->codes[k] == HAP_EUNKNOWN && r->ri[k].sent)
			break;
	if (k < r->n)
		return hap_rep_prepare_check(h, r, c->codes);
	return 0;
}

/* Step 2: every entry, in rounds of one request per instance; 2b: another
 * writer (another host) preparing the same file after us would win on some
 * instances and lose on others: yield to it. */
static int apply_load(struct hap *h, struct hap_pattern_replace *r, size_t *nfail)
{
	int ret;

	if (!*nfail) {
		ret = hap_rep_load(h, r);
		if (ret)
			return ret;
		*nfail += count_failed(r);
	}
	if (!*nfail) {
		ret = hap_rep_yield_check(h, r);
		if (ret)
			return ret;
		*nfail += count_failed(r);
	}
	return 0;
}

/* Step 3: commit everywhere (only when every instance took everything). */
static int apply_commit(struct hap *h, struct hap_pattern_replace *r, struct apply_ctx *c,
                        size_t nfail)
{
	const int map = r->kind == HAP_PATTERN_MAP;
	size_t k;
	int ret;

	memset(c->which, 0, r->n);
	for (k = 0; k < r->n; k++)
		c->which[k] = !nfail && r->ri[k].st == RS_LOADED;
	if (nfail)
		return 0;
	ret = hap_rep_round(h, r, "commit", map ? &hap_op_commit_map : &hap_op_commit_acl, c->which,
	                    c->codes, c->replies);
	if (ret)
		return ret;
	for (k = 0; k < r->n; k++) {
		struct rinst *x = &r->ri[k];

		if (!c->which[k])
			continue;
		if (c->codes[k] == HAP_EUNKNOWN) {
			x->st = RS_UNKNOWN;
			x->code = HAP_EUNKNOWN;
			snprintf(x->step, sizeof(x->step), "commit");
			snprintf(x->msg, sizeof(x->msg), "%s", c->replies[k].ptr);
		} else if (c->codes[k]) {
			hap_rep_fail(x, c->codes[k], "commit", c->replies[k].ptr);
		} else {
			x->st = RS_COMMITTED;
		}
	}
	/* what is live now: the listing only (curr_ver), never the entries */
	if (!(h->opts.flags & HAP_OPT_NO_VERIFY))
		return hap_rep_commit_check(h, r);
	return 0;
}

/* Step 4: clear every prepared version that will not be committed. */
static int apply_clear(struct hap *h, struct hap_pattern_replace *r, struct apply_ctx *c)
{
	const int map = r->kind == HAP_PATTERN_MAP;
	size_t k;
	int ret;

	for (k = 0; k < r->n; k++) {
		const struct rinst *x = &r->ri[k];

		c->which[k] =
		        x->has_ver &&
		        (x->st == RS_FAILED || x->st == RS_PREPARED || x->st == RS_LOADED ||
		         (x->st == RS_SUPERSEDED && x->why == HAP_WHY_CHANGED && !x->verified));
	}
	if (!memchr(c->which, 1, r->n))
		return 0;
	ret = hap_rep_round(h, r, "clear", map ? &hap_op_clear_map : &hap_op_clear_acl, c->which,
	                    c->codes, c->replies);
	/* a clear that did not answer in time is read back, not misreported */
	if (!ret)
		ret = hap_rep_clear_check(h, r, c->which, c->codes, c->replies);
	if (ret)
		return ret;
	for (k = 0; k < r->n; k++) {
		struct rinst *x = &r->ri[k];
		size_t n = strlen(x->cleanup);

		if (!c->which[k])
			continue;
		if (c->codes[k])
			snprintf(x->cleanup + n, sizeof(x->cleanup) - n,
			         "%sversion %lu left (clear %s: %s)", n ? "; " : "",
			         (unsigned long)x->ver,
			         c->codes[k] == HAP_EUNKNOWN ? "not confirmed" : "failed",
			         c->replies[k].ptr);
		else
			snprintf(x->cleanup + n, sizeof(x->cleanup) - n, "%sversion %lu cleared",
			         n ? "; " : "", (unsigned long)x->ver);
	}
	return 0;
}

/* Instance k's line of the report: message m, code, outcome (-1: from the
 * code) and the command it stands for in cmd. */
static int report_text(const struct hap_pattern_replace *r, size_t k, const char *failed_names,
                       struct hap_buf *cmd, char *m, size_t mlen, int *code, int *outcome)
{
	const struct rinst *x = &r->ri[k];

	*code = 0;
	*outcome = -1;
	hap_buf_reset(cmd);
	if (x->st == RS_COMMITTED) {
		snprintf(m, mlen, "committed version %lu: %zu entries in %zu requests%s%s",
		         (unsigned long)x->ver, r->f->n, r->nreq,
		         x->verified ? "" : (x->cleanup[0] ? "; " : "; not read back"),
		         x->verified ? "" : x->cleanup);
		/* applied only when the listing read back shows the version */
		*outcome = x->verified ? HAP_OUT_APPLIED : HAP_OUT_SENT;
		return hap_rep_add_cmd(cmd, r, "", "commit", &x->ver);
	}
	if (x->st == RS_UNKNOWN) {
		*code = HAP_EUNKNOWN;
		snprintf(m, mlen, "commit of version %lu: no complete reply (%s)%s%s",
		         (unsigned long)x->ver, x->msg, x->cleanup[0] ? "; " : "", x->cleanup);
		return hap_rep_add_cmd(cmd, r, "", "commit", &x->ver);
	}
	if (x->st == RS_SUPERSEDED) {
		*code = HAP_ESUPERSEDED;
		snprintf(m, mlen, "%s%s%s", x->msg, x->cleanup[0] ? "; " : "", x->cleanup);
		return hap_rep_add_cmd(cmd, r, "", "commit", &x->ver);
	}
	if (x->st == RS_FAILED) {
		*code = x->code;
		snprintf(m, mlen, "%s: %s%s%s", x->step, x->msg, x->cleanup[0] ? "; " : "",
		         x->cleanup);
		return strcmp(x->step, "prepare") == 0
		               ? hap_rep_add_cmd(cmd, r, "", "prepare", NULL)
		               : hap_rep_add_cmd(cmd, r, "",
		                                 strcmp(x->step, "commit") == 0 ? "commit" : "add",
		                                 &x->ver);
	}
	*code = HAP_ERROR;
	snprintf(m, mlen, "version %lu not committed: %s failed%s%s", (unsigned long)x->ver,
	         failed_names ? failed_names : "", x->cleanup[0] ? "; " : "", x->cleanup);
	return hap_rep_add_cmd(cmd, r, "", "prepare", NULL);
}

/* The report, one entry per instance: 0 or HAP_ENOMEM. */
static int apply_report(struct hap_result *res, const struct hap_pattern_replace *r)
{
	struct hap_buf failed_names = HAP_BUF_INIT, cmd = HAP_BUF_INIT;
	size_t k;
	int ret = 0;

	for (k = 0; k < r->n; k++)
		if (r->ri[k].st == RS_FAILED &&
		    hap_buf_addf(&failed_names, "%s%s", failed_names.len ? ", " : "",
		                 hap_rep_name(r, k)))
			ret = HAP_ENOMEM;
	for (k = 0; !ret && k < r->n; k++) {
		char m[1600];
		int code, outcome;

		if (report_text(r, k, failed_names.ptr, &cmd, m, sizeof(m), &code, &outcome) ||
		    hap_result_add(res, hap_rep_name(r, k), r->target.file, cmd.ptr, code, m,
		                   strlen(m), r->ri[k].sent) ||
		    hap_result_set_ref(res, k, r->ri[k].inst, r->plan->okind))
			ret = HAP_ENOMEM;
		else if ((outcome >= 0 || r->ri[k].why) &&
		         hap_result_judged(res, k, code,
		                           outcome >= 0 ? outcome : hap_outcome_of(code),
		                           r->ri[k].why, NULL, NULL))
			ret = HAP_ENOMEM;
	}
	hap_buf_release(&failed_names);
	hap_buf_release(&cmd);
	return ret;
}

/* The steps in order; an exchange error (no reply judged) stops them. */
static int apply_steps(struct hap *h, struct hap_pattern_replace *r, struct apply_ctx *c)
{
	size_t nfail = 0;
	int ret;

	ret = apply_prepare(h, r, c, &nfail);
	if (!ret)
		ret = apply_load(h, r, &nfail);
	if (!ret)
		ret = apply_commit(h, r, c, nfail);
	if (!ret)
		ret = apply_clear(h, r, c);
	return ret;
}

int hap_pattern_replace_apply(struct hap_result **out, struct hap_pattern_replace *r,
                              struct hap_error *err)
{
	struct hap *h = r->h;
	struct apply_ctx c;
	struct hap_result *res = calloc(1, sizeof(*res));
	struct hap_locks *locks = NULL;
	size_t k;
	int ret = 0;

	*out = NULL;
	c.which = calloc(r->n ? r->n : 1, 1);
	c.codes = calloc(r->n ? r->n : 1, sizeof(*c.codes));
	c.replies = calloc(r->n ? r->n : 1, sizeof(*c.replies));
	if (!c.which || !c.codes || !c.replies || !res) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < r->n; k++)
		hap_buf_init(&c.replies[k], 0);
	/* one writer per file from this host, from prepare to the last read-back */
	if (!(h->opts.flags & HAP_OPT_NO_LOCK)) {
		const char *obj = r->target.file;

		ret = hap_locks_take(&locks, &obj, 1,
		                     hap_locks_wait_ms(h->xopts.timeout_ms, h->xopts.end_us), err);
		if (ret)
			goto out;
	}
	ret = apply_steps(h, r, &c);
	if (ret)
		ret = hap_error_set(err, ret, "exchange: %s", hap_strerror(ret));
	else if (apply_report(res, r))
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
out:
	for (k = 0; c.replies && k < r->n; k++)
		hap_buf_release(&c.replies[k]);
	free(c.replies);
	free(c.which);
	free(c.codes);
	hap_locks_release(locks);
	if (ret) {
		hap_result_free(res);
		return ret;
	}
	*out = res;
	return 0;
}
