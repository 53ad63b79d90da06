/*
 * replace_load.c - step 2 of a replace: the file's entries cut into
 * requests that fit HAProxy's buffer, the command text of each request,
 * the byte-exact check of an ACL batch's reply stream, and the rounds
 * that send them (see replace.c for the protocol).
 *
 * Must never: send a request larger than REQ_MAX, or take an answer it
 * cannot match byte for byte as success.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/snapshot.h"
#include "ops/round.h"
#include "ops/pattern.h"
#include "ops/replace.h"
#include "proto/command.h"
#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* The replace                                                         */
/* ------------------------------------------------------------------ */

/* Length of a word once escaped by hap_cmd_add_word() (without the space). */
static size_t escaped_len(const char *w)
{
	size_t n = strlen(w), i, l = n;

	for (i = 0; i < n; i++)
		if (w[i] == '\\' || w[i] == ';' || w[i] == ' ' || w[i] == '\t')
			l++;
	if (n >= 2 && w[n - 1] == '<' && w[n - 2] == '<')
		l++;
	return l;
}

/* Bytes entry i costs in a request: a map payload line ("key value\n"), or
 * an ACL pattern, escaped, ending its command line ("...PATTERN\n"). */
static size_t entry_cost(const struct hap_pattern_file *f, size_t i)
{
	return (f->kind == HAP_PATTERN_ACL ? escaped_len(hap_pattern_file_entry(f, i))
	                                   : hap_pat_entry_len(f, i)) +
	       1;
}

/*
 * The end of the request that starts at entry start: as many entries as fit
 * in budget bytes, each costing overhead (its command line's start, for
 * ACLs) plus entry_cost(). Returns start when even the first one does not
 * fit.
 */
size_t hap_pat_chunk_end(const struct hap_pattern_file *f, size_t start, size_t budget,
                         size_t overhead)
{
	size_t i = start, used = 0;

	while (i < f->n && used + overhead + entry_cost(f, i) <= budget) {
		used += overhead + entry_cost(f, i);
		i++;
	}
	return i;
}

/*
 * Judge the reply to a batch of ncmds one-line commands that all succeed
 * silently: in prompt mode "\n> " for "prompt" itself and "\n> " after each
 * command ("quit" answers nothing); without prompt (behind a master) "\n"
 * per command. 0 when the reply is exactly that; otherwise HAP_EREFUSED,
 * *failed = the command that answered something else (ncmds: extra bytes
 * after the last one), msg = what it answered ("" when the reply stops
 * there: the connection closed).
 */
int hap_pat_stream_check(const char *reply, size_t len, int prompt, size_t ncmds, size_t *failed,
                         char *msg, size_t msglen)
{
	const char *term = prompt ? "\n> " : "\n";
	size_t tl = strlen(term), pos = 0, i, m, e;

	*failed = 0;
	if (msglen)
		msg[0] = '\0';
	if (prompt) {
		if (len < tl || memcmp(reply, term, tl) != 0)
			goto bad;
		pos = tl;
	}
	for (i = 0; i < ncmds; i++, pos += tl) {
		*failed = i;
		if (len - pos < tl || memcmp(reply + pos, term, tl) != 0)
			goto bad;
	}
	*failed = ncmds;
	if (pos == len)
		return 0;
bad:
	/* HAProxy's text: up to its blank line, or the next prompt */
	for (e = pos; e < len; e++)
		if (reply[e] == '\n' &&
		    (e + 1 == len || reply[e + 1] == '\n' || (prompt && reply[e + 1] == '>')))
			break;
	m = e - pos;
	if (msglen) {
		if (m >= msglen)
			m = msglen - 1;
		memcpy(msg, reply + pos, m);
		msg[m] = '\0';
	}
	return HAP_EREFUSED;
}

/*
 * Cut the entries into requests of at most REQ_MAX bytes: map payloads
 * ("add map @V FILE <<", lines, a blank line), or ACL batches ("prompt",
 * "add acl @V FILE PATTERN" lines, "quit"), each command line with the
 * longest routing prefix (pre) of the instances.
 */
int hap_rep_plan_requests(struct hap_pattern_replace *r, size_t pre, struct hap_error *err)
{
	const struct hap_pattern_file *f = r->f;
	/* "add acl|map @4294967295 FILE" */
	size_t head = 8 + VER_MAX_WORD + 1 + r->fword.len, budget, overhead, i, cap = 0;

	if (r->kind == HAP_PATTERN_ACL) {
		overhead = pre + head + 1; /* the pattern follows a blank */
		budget = REQ_MAX - strlen("prompt\nquit\n");
	} else {
		overhead = 0;
		budget = REQ_MAX - (pre + head + 4) - 1; /* " <<\n" ... "\n" */
	}
	for (i = 0; i < f->n;) {
		size_t e = hap_pat_chunk_end(f, i, budget, overhead);

		if (e == i)
			return hap_error_set(err, HAP_EINVAL,
			                     "line %zu: the entry does not fit in one request (%d "
			                     "bytes with the command)",
			                     f->line[i], REQ_MAX);
		if (r->nreq == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			size_t *a = realloc(r->req_end, ncap * sizeof(*a));

			if (!a)
				return hap_error_set(err, HAP_ENOMEM, "out of memory");
			r->req_end = a;
			cap = ncap;
		}
		r->req_end[r->nreq++] = e;
		i = e;
	}
	return 0;
}

/* "[PREFIX]VERB acl|map [@V] FILE" (no '\n'). */
int hap_rep_add_cmd(struct hap_buf *b, const struct hap_pattern_replace *r, const char *prefix,
                    const char *verb, const uint32_t *ver)
{
	int ret = hap_buf_adds(b, prefix);

	if (!ret)
		ret = hap_buf_addf(b, "%s %s ", verb, hap_pat_kind_word(r->kind));
	if (!ret && ver)
		ret = hap_buf_addf(b, "@%lu ", (unsigned long)*ver);
	if (!ret)
		ret = hap_buf_add(b, r->fword.ptr, r->fword.len);
	return ret;
}

static size_t req_first(const struct hap_pattern_replace *r, size_t q)
{
	return q ? r->req_end[q - 1] : 0;
}

/*
 * Append request q to b: a map payload (the routing prefix on the command
 * line only, never on payload lines), or a batch of ACL commands, framed by
 * "prompt" and "quit" when prompt is set.
 */
static int add_request(struct hap_buf *b, const struct hap_pattern_replace *r, size_t q,
                       const char *prefix, uint32_t ver, int prompt)
{
	const struct hap_pattern_file *f = r->f;
	size_t i;
	int ret = 0;

	if (r->kind == HAP_PATTERN_ACL) {
		if (prompt)
			ret = hap_buf_adds(b, "prompt\n");
		for (i = req_first(r, q); !ret && i < r->req_end[q]; i++) {
			ret = hap_rep_add_cmd(b, r, prefix, "add", &ver);
			if (!ret)
				ret = hap_cmd_add_word(b, hap_pattern_file_entry(f, i));
			if (!ret)
				ret = hap_buf_addc(b, '\n');
		}
		if (!ret && prompt)
			ret = hap_buf_adds(b, "quit\n");
		return ret;
	}
	ret = hap_rep_add_cmd(b, r, prefix, "add", &ver);
	if (!ret)
		ret = hap_buf_adds(b, " <<\n");
	for (i = req_first(r, q); !ret && i < r->req_end[q]; i++) {
		ret = hap_buf_add(b, hap_pattern_file_entry(f, i), hap_pat_entry_len(f, i));
		if (!ret)
			ret = hap_buf_addc(b, '\n');
	}
	return ret ? ret : hap_buf_addc(b, '\n');
}

int hap_pattern_replace_commands(char **out, size_t *len, const struct hap_pattern_replace *r,
                                 size_t k, struct hap_error *err)
{
	struct hap_buf b = HAP_BUF_INIT;
	size_t q;
	int ret;

	*out = NULL;
	*len = 0;
	ret = hap_rep_add_cmd(&b, r, "", "prepare", NULL);
	if (!ret)
		ret = hap_buf_addc(&b, '\n');
	for (q = 0; !ret && q < r->nreq; q++)
		ret = add_request(&b, r, q, "", r->ri[k].ver, 0);
	if (!ret)
		ret = hap_rep_add_cmd(&b, r, "", "commit", &r->ri[k].ver);
	if (!ret)
		ret = hap_buf_addc(&b, '\n');
	if (ret) {
		hap_buf_release(&b);
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	}
	*out = hap_buf_detach(&b, len);
	if (!*out)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	return 0;
}

/* Which entries request q carried (or entry idx of it, for an ACL batch). */
static void request_step(const struct hap_pattern_replace *r, size_t q, size_t idx, char *out,
                         size_t n)
{
	const struct hap_pattern_file *f = r->f;
	size_t first = req_first(r, q), last = r->req_end[q] - 1;

	if (r->kind == HAP_PATTERN_ACL && first + idx <= last)
		snprintf(out, n, "add request %zu of %zu (line %zu)", q + 1, r->nreq,
		         f->line[first + idx]);
	else if (first == last)
		snprintf(out, n, "add request %zu of %zu (line %zu)", q + 1, r->nreq,
		         f->line[first]);
	else
		snprintf(out, n, "add request %zu of %zu (lines %zu-%zu)", q + 1, r->nreq,
		         f->line[first], f->line[last]);
}

/* Judge the reply of request q on instance x. */
static void load_judge(struct hap_pattern_replace *r, struct rinst *x, size_t q,
                       const struct hap_job *j, int prompt)
{
	char text[400], step[96];
	size_t idx = 0;

	x->sent = 1;
	if (j->err) {
		request_step(r, q, r->req_end[q], step, sizeof(step));
		hap_rep_fail(x, j->err, step, hap_job_msg(j));
		return;
	}
	if (r->kind == HAP_PATTERN_MAP) {
		enum hap_verdict v = hap_reply_judge(&hap_op_add_map, j->reply.ptr, j->reply.len);
		size_t n = j->reply.len;

		if (v == HAP_V_APPLIED)
			return;
		while (n && (j->reply.ptr[n - 1] == '\n' || j->reply.ptr[n - 1] == '\r'))
			n--;
		snprintf(text, sizeof(text), "%.*s", (int)(n < 399 ? n : 399), j->reply.ptr);
		request_step(r, q, 0, step, sizeof(step));
		hap_rep_fail(x, hap_verdict_code(v), step, n ? text : "no reply (request dropped)");
		return;
	}
	if (!hap_pat_stream_check(j->reply.ptr, j->reply.len, prompt,
	                          r->req_end[q] - req_first(r, q), &idx, text, sizeof(text)))
		return;
	request_step(r, q, idx, step, sizeof(step));
	hap_rep_fail(x, *text ? HAP_EREFUSED : HAP_EPROTO, step,
	             *text ? text : "the connection closed before every command was answered");
}

/*
 * Load every entry into each instance's prepared version: request q of
 * every instance in one parallel round, then request q + 1, so that each
 * instance gets its entries in the file's order and a failure anywhere
 * stops the load everywhere (nothing will be committed) after one round.
 */
int hap_rep_load(struct hap *h, struct hap_pattern_replace *r)
{
	struct hap_target *ts = calloc(r->n ? r->n : 1, sizeof(*ts));
	struct hap_call *calls = calloc(r->n ? r->n : 1, sizeof(*calls));
	size_t *map = calloc(r->n ? r->n : 1, sizeof(*map));
	size_t k, q, nj = 0, nfail = 0;
	int ret = 0;

	if (!ts || !calls || !map) {
		ret = HAP_ENOMEM;
		goto out;
	}
	for (q = 0; q < r->nreq && !nfail; q++) {
		nj = 0;
		for (k = 0; k < r->n; k++) {
			struct rinst *x = &r->ri[k];
			const struct hap_target *t = hap_snapshot_target(r->snap, x->inst);

			if (x->st != RS_PREPARED)
				continue;
			hap_buf_reset(&x->req);
			ret = add_request(&x->req, r, q, t->prefix, x->ver, t->prefix[0] == '\0');
			if (ret)
				goto out;
			ts[nj] = *t;
			memset(&calls[nj], 0, sizeof(calls[nj]));
			calls[nj].target = nj;
			calls[nj].cmds = x->req.ptr;
			calls[nj].cmds_len = x->req.len;
			calls[nj].raw = 1;
			map[nj++] = k;
		}
		ret = hap_round_run(h, ts, calls, nj);
		if (ret)
			goto out;
		for (k = 0; k < nj; k++) {
			struct rinst *x = &r->ri[map[k]];
			const struct hap_target *t = hap_snapshot_target(r->snap, x->inst);

			load_judge(r, x, q, &calls[k].job, t->prefix[0] == '\0');
			nfail += x->st == RS_FAILED;
		}
		hap_calls_release(calls, nj);
		nj = 0;
	}
	for (k = 0; k < r->n; k++)
		if (r->ri[k].st == RS_PREPARED)
			r->ri[k].st = nfail ? RS_PREPARED : RS_LOADED;
out:
	hap_calls_release(calls, nj);
	free(calls);
	free(ts);
	free(map);
	return ret;
}
