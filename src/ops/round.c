/*
 * round.c - the round engine (see round.h).
 *
 * The writes of a round for one worker socket share prompt-mode
 * connections (reference §8): "prompt\n", the commands, "quit\n", written as
 * the socket accepts them and read at the same time; the replies are cut at
 * the prompt (hap_prompt_cut) and each one is judged by its own table. The
 * first reply missing (deadline, reset, close) makes that command and every
 * later one of the connection unknown when its line was accepted by the
 * socket, not sent when it was not. A write may carry a read-back line
 * (hap_call.rb): the connection's read-back lines follow all of its writes,
 * before "quit", and each complete reply is handed to its write
 * (rb_reply); a missing one leaves that write and the later ones without.
 * Reads, raw requests and multi-line calls keep one exchange per call.
 *
 * A master's worker ("@!PID" prefix) gets the same, on connections of its
 * own to its master (MASTER_PIPE_BATCH commands each): every line carries
 * the prefix and the replies are cut at the master's prompt ("master> ",
 * hap_master_prompt_cut). A worker
 * the master cannot route to ends the connection after its one-line answer:
 * that command gets the answer (judged as alone), the later ones are unknown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "ops/ops.h"
#include "ops/round.h"
#include "proto/frame.h"
#include "util/banned.h"

/* Commands per prompt-mode connection. Measured on 4 x 20,000 servers
 * (+ srv_shared in every backend): the 8,000 set weight of one change,
 * one connection per instance, take 20 ms from the first connect to the
 * last reply (strace), of a 240-330 ms command: the two reads dominate, so
 * more connections per instance (HAProxy allows 10 per socket, other
 * clients need some) would buy nothing here. The bound keeps the work one
 * exchange deadline covers finite. */
#define PIPE_BATCH 20000

/* Through a master, at most this many per connection: the master relays
 * each line to the worker on a stream of its own, ~85 us a command against
 * ~2.5 us on the worker's socket (2,000 set weight in one session: 0.17 s),
 * so 20,000 would take most of a 2 s exchange deadline. Several batches of
 * one worker run in parallel like a worker's (at most per_addr at once),
 * each with its own deadline. */
#define MASTER_PIPE_BATCH 1000

static const char PIPE_HEAD[] = "prompt\n";
static const char PIPE_TAIL[] = "quit\n";

void hap_round_judge(struct hap_call *c)
{
	struct hap_job *j = &c->job;

	c->sent = c->sent && j->req_sent > 0;
	if (j->err) {
		if (c->judge && c->sent) {
			/* written, no complete reply: it may have run */
			c->code = HAP_EUNKNOWN;
			c->outcome = HAP_OUT_UNKNOWN;
		} else {
			c->code = j->err;
			c->outcome = HAP_OUT_ERROR;
		}
		return;
	}
	if (j->reply.len == 0) {
		/* HAProxy answers every command it runs, at least with "\n": no
		 * byte at all means the connection closed first (the process
		 * died, or the line never arrived), never a silent success */
		hap_job_set_msg(j,
		                "connection closed without a reply (the instance may have died)");
		if (c->judge) {
			c->code = hap_verdict_code(hap_reply_judge(c->judge, "", 0));
			c->outcome = hap_outcome_of(c->code);
		} else {
			j->err = HAP_EIO;
			c->code = HAP_EIO;
			c->outcome = HAP_OUT_ERROR;
		}
		return;
	}
	if (!c->judge) {
		c->code = 0;
		c->outcome = HAP_OUT_SENT;
		return;
	}
	c->code = hap_verdict_code(hap_reply_judge(c->judge, j->reply.ptr, j->reply.len));
	c->outcome = hap_outcome_of(c->code);
}

/* A write of one line to a worker socket that resolved. */
static int pipelinable(const struct hap_target *ts, const struct hap_call *c)
{
	const struct hap_target *t = &ts[c->target];
	const char *nl;

	if (!c->judge || c->raw || t->err || !c->cmds)
		return 0;
	nl = strchr(c->cmds, '\n');
	return nl && nl > c->cmds && nl[1] == '\0';
}

static const struct hap_target *sort_ts;
static const struct hap_call *sort_calls;

/* By routing prefix, then by position (a run of one address). */
static int prefix_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(sort_ts[sort_calls[x].target].prefix, sort_ts[sort_calls[y].target].prefix);

	if (c)
		return c;
	return x < y ? -1 : x > y;
}

/* A master's workers share its address: within each run of one address,
 * one connection per worker, so the run is ordered by prefix (plan order
 * kept within a prefix). Runs without a prefix are left as they are. */
static void by_prefix(const struct hap_target *ts, const struct hap_call *calls, size_t *order,
                      size_t n)
{
	size_t k, g;

	for (k = 0; k < n; k = g) {
		int any = 0;

		for (g = k;
		     g < n && ts[calls[order[g]].target].addr == ts[calls[order[k]].target].addr;
		     g++)
			any |= ts[calls[order[g]].target].prefix[0] != '\0';
		if (!any || g - k < 2)
			continue;
		sort_ts = ts;
		sort_calls = calls;
		qsort(order + k, g - k, sizeof(*order), prefix_cmp);
	}
}

/* order[0..n) (calls) grouped by address, in plan order within one: a
 * connection carries its commands in plan order. A counting sort (a
 * qsort of 16,000 calls was 4% of a write). 0 or HAP_ENOMEM. */
static int by_addr(const struct hap *h, const struct hap_target *ts, const struct hap_call *calls,
                   size_t *order, size_t n)
{
	size_t *at = calloc(h->naddrs + 1, sizeof(*at)), *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	size_t k, a;

	if (!at || !tmp) {
		free(at);
		free(tmp);
		return HAP_ENOMEM;
	}
	for (k = 0; k < n; k++)
		at[ts[calls[order[k]].target].addr + 1]++;
	for (a = 1; a <= h->naddrs; a++)
		at[a] += at[a - 1];
	for (k = 0; k < n; k++)
		tmp[at[ts[calls[order[k]].target].addr]++] = order[k];
	memcpy(order, tmp, n * sizeof(*order));
	free(at);
	free(tmp);
	by_prefix(ts, calls, order, n);
	return 0;
}

/* Calls x and y share a connection: the same socket and the same routing
 * prefix (targets may be copies, one per call: compared by value). */
static int same_conn(const struct hap_target *ts, const struct hap_call *calls, size_t x, size_t y)
{
	const struct hap_target *a = &ts[calls[x].target], *b = &ts[calls[y].target];

	return a->addr == b->addr && strcmp(a->prefix, b->prefix) == 0;
}

/* The next reply of a pipe in buf[pos, len): 1 and its end and where the
 * one after it starts, else 0. A master's prompt differs from a worker's. */
static int cut_reply(int master, const char *buf, size_t len, size_t pos, size_t *end, size_t *next)
{
	if (master)
		return hap_master_prompt_cut(buf, len, pos, end, next);
	*end = pos <= len ? hap_prompt_cut(buf, len, pos) : 0;
	*next = *end + 2;
	return *end != 0;
}

struct pipe {
	size_t first, count; /* a run of order[] */
	size_t *ends;        /* end of each command's line in the request */
};

/* b holds a copy of p[0..n), allocated to its size: a session's replies
 * are thousands of a few bytes (hap_buf_add() takes 256 for each). 0 or
 * HAP_ENOMEM. */
static int reply_copy(struct hap_buf *b, const char *p, size_t n)
{
	char *q = malloc(n + 1);

	if (!q)
		return HAP_ENOMEM;
	memcpy(q, p, n);
	q[n] = '\0';
	hap_buf_release(b);
	b->ptr = q;
	b->len = n;
	b->cap = n + 1;
	return 0;
}

/* The read-back lines of pipe p, after its writes: the replies from pos
 * on (past len: none), each complete one copied to its call's rb_reply. */
static int pipe_split_rb(struct hap_call *calls, const size_t *order, const struct pipe *p,
                         int master, const char *buf, size_t len, size_t pos)
{
	size_t k, end, next;

	for (k = 0; k < p->count && pos <= len; k++) {
		struct hap_call *c = &calls[order[p->first + k]];

		if (!c->rb)
			continue;
		if (!cut_reply(master, buf, len, pos, &end, &next))
			return 0; /* this one and the later ones: no reply */
		c->rb_reply = malloc(end - pos + 1);
		if (!c->rb_reply)
			return HAP_ENOMEM;
		memcpy(c->rb_reply, buf + pos, end - pos);
		c->rb_reply[end - pos] = '\0';
		c->rb_len = end - pos;
		pos = next;
	}
	return 0;
}

/* Hand the replies of pipe p (its exchange in pc) to its calls. */
static int pipe_split(const struct hap_target *ts, struct hap_call *calls, const size_t *order,
                      const struct pipe *p, const struct hap_call *pc)
{
	const struct hap_job *pj = &pc->job;
	const char *buf = pj->reply.ptr;
	size_t len = pj->reply.len, pos = 0, end = 0, next = 0, k, start;
	int master = ts[pc->target].prefix[0] != '\0';
	int cut = 0;

	/* the answer to "prompt" itself */
	if (cut_reply(master, buf, len, 0, &end, &next))
		pos = next;
	else
		cut = 1;
	start = sizeof(PIPE_HEAD) - 1;
	for (k = 0; k < p->count; k++) {
		struct hap_call *c = &calls[order[p->first + k]];
		struct hap_job *j = &c->job;
		size_t lend = p->ends[k];
		int last = 0; /* a reply, and the connection ends after it */

		if (!cut && !cut_reply(master, buf, len, pos, &end, &next)) {
			const char *nl = pos < len ? memchr(buf + pos, '\n', len - pos) : NULL;

			cut = 1;
			/* the master could not route this line and closed: its answer
			 * is whole (one line), as it would be alone */
			if (master && nl && hap_master_routing_failed(buf + pos, len - pos)) {
				end = (size_t)(nl - buf) + 1;
				last = 1;
			}
		}
		c->sent = 1;
		if (!cut || last) {
			if (reply_copy(&j->reply, buf + pos, end - pos))
				return HAP_ENOMEM;
			j->req_sent = lend - start;
			j->err = 0;
			pos = next;
		} else {
			/* no complete reply: unknown once its line was accepted */
			j->req_sent = pj->req_sent > start
			                      ? (pj->req_sent < lend ? pj->req_sent : lend) - start
			                      : 0;
			j->err = pj->err ? pj->err : HAP_EIO;
			j->sys_errno = pj->sys_errno;
			if (pj->err)
				hap_job_set_msg(j, "%s", hap_job_msg(pj));
			else
				hap_job_set_msg(
				        j,
				        "connection closed before the reply to this command (%zu "
				        "of "
				        "%zu replies on it arrived)",
				        k, p->count);
		}
		j->attempts = pj->attempts;
		j->elapsed_us = pj->elapsed_us;
		start = lend;
	}
	return pipe_split_rb(calls, order, p, master, buf, len, cut ? len + 1 : pos);
}

/* The end of pipe p's request: the read-back lines of its calls (in their
 * order, after every write), then "quit". 0 or HAP_ENOMEM. */
static int pipe_close(const struct hap_target *ts, const struct hap_call *calls,
                      const size_t *order, const struct pipe *p, struct hap_buf *req)
{
	size_t k;

	for (k = 0; k < p->count; k++) {
		const struct hap_call *c = &calls[order[p->first + k]];

		if (!c->rb)
			continue;
		if (ts[c->target].prefix[0] ? hap_target_request(&ts[c->target], c->rb, req)
		                            : hap_buf_adds(req, c->rb))
			return HAP_ENOMEM;
	}
	return hap_buf_adds(req, PIPE_TAIL);
}

/* The prompt-mode requests of the pipelined calls order[0..npipe_calls):
 * one per run of one connection, at most PIPE_BATCH (MASTER_PIPE_BATCH)
 * commands, into pipes[], all[] and reqs[]; *npp of them. 0 or HAP_ENOMEM
 * (what was built is released by the caller). */
static int pipes_build(struct hap *h, const struct hap_target *ts, struct hap_call *calls,
                       const size_t *order, size_t npipe_calls, struct pipe *pipes, size_t *ends,
                       struct hap_call *all, struct hap_buf *reqs, size_t *npp)
{
	size_t i, k, np = 0;

	/* one request per run of one address, at most PIPE_BATCH commands */
	for (k = 0; k < npipe_calls; k++) {
		struct hap_call *c = &calls[order[k]];
		struct hap_call *pc;

		hap_buf_init(&c->req, 0);
		hap_job_init(&c->job, &h->addrs[ts[c->target].addr], NULL, 0);
		if (np == 0 ||
		    pipes[np - 1].count ==
		            (ts[c->target].prefix[0] ? MASTER_PIPE_BATCH : PIPE_BATCH) ||
		    !same_conn(ts, calls, order[k - 1], order[k])) {
			pipes[np].first = k;
			pipes[np].ends = &ends[k];
			pc = &all[np++];
			pc->target = c->target;
			pc->raw = 1;
			pc->no_shut = 1;
			hap_buf_init(&reqs[np - 1], 0);
			if (hap_buf_adds(&reqs[np - 1], PIPE_HEAD))
				goto nomem;
		}
		if (ts[c->target].prefix[0]) {
			/* through a master: "@!PID " before the line */
			if (hap_target_request(&ts[c->target], c->cmds, &reqs[np - 1]))
				goto nomem;
		} else if (hap_buf_adds(&reqs[np - 1], c->cmds)) {
			goto nomem;
		}
		ends[k] = reqs[np - 1].len;
		pipes[np - 1].count++;
	}
	for (i = 0; i < np; i++) {
		if (pipe_close(ts, calls, order, &pipes[i], &reqs[i]))
			goto nomem;
		all[i].cmds = reqs[i].ptr;
		all[i].cmds_len = reqs[i].len;
	}
	*npp = np;
	return 0;
nomem:
	*npp = np;
	return HAP_ENOMEM;
}

static int run_pipelined(struct hap *h, const struct hap_target *ts, struct hap_call *calls,
                         size_t n, const size_t *order, size_t npipe_calls, const char *inpipe)
{
	struct hap_call *all = NULL;
	struct hap_buf *reqs = NULL;
	struct pipe *pipes = NULL;
	size_t *ends = NULL, *solo = NULL;
	size_t i, k, np = 0, ns = 0;
	int ret = HAP_ENOMEM;

	pipes = calloc(npipe_calls, sizeof(*pipes));
	ends = calloc(npipe_calls, sizeof(*ends));
	solo = calloc(n - npipe_calls + 1, sizeof(*solo));
	all = calloc(n, sizeof(*all));
	reqs = calloc(npipe_calls, sizeof(*reqs));
	if (!pipes || !ends || !solo || !all || !reqs)
		goto out;
	for (i = 0; i < n; i++)
		if (!inpipe[i])
			solo[ns++] = i;
	if (pipes_build(h, ts, calls, order, npipe_calls, pipes, ends, all, reqs, &np))
		goto out;
	for (i = 0; i < ns; i++)
		all[np + i] = calls[solo[i]];
	ret = hap_calls_run(h, ts, all, np + ns);
	if (ret)
		goto out;
	for (i = 0; i < ns; i++)
		calls[solo[i]] = all[np + i]; /* handed back: released with the calls */
	for (i = 0; i < np && !ret; i++)
		ret = pipe_split(ts, calls, order, &pipes[i], &all[i]);
	for (k = 0; k < npipe_calls; k++)
		hap_round_judge(&calls[order[k]]);
	for (i = 0; i < n - npipe_calls && !ret; i++)
		hap_round_judge(&calls[solo[i]]);
out:
	for (i = 0; all && i < np; i++) {
		hap_job_release(&all[i].job);
		hap_buf_release(&all[i].req);
		hap_buf_release(&reqs[i]);
	}
	free(reqs);
	free(all);
	free(solo);
	free(ends);
	free(pipes);
	return ret;
}

int hap_round_run(struct hap *h, const struct hap_target *ts, struct hap_call *calls, size_t n)
{
	size_t i, k, g, np = 0, nk = 0, *order;
	char *inpipe;
	int ret;

	order = calloc(n ? n : 1, sizeof(*order));
	inpipe = calloc(n ? n : 1, 1);
	if (!order || !inpipe) {
		free(order);
		free(inpipe);
		return HAP_ENOMEM;
	}
	for (i = 0; i < n; i++)
		if (pipelinable(ts, &calls[i]))
			order[np++] = i;
	if (by_addr(h, ts, calls, order, np)) {
		free(order);
		free(inpipe);
		return HAP_ENOMEM;
	}
	/* an instance with one write keeps its plain exchange: nothing to share */
	for (k = 0; k < np; k = g) {
		for (g = k + 1; g < np && same_conn(ts, calls, order[g], order[k]); g++)
			;
		if (g - k < 2)
			continue;
		for (i = k; i < g; i++) {
			inpipe[order[i]] = 1;
			order[nk++] = order[i];
		}
	}
	if (nk) {
		ret = run_pipelined(h, ts, calls, n, order, nk, inpipe);
		free(order);
		free(inpipe);
		return ret;
	}
	free(order);
	free(inpipe);
	ret = hap_calls_run(h, ts, calls, n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		hap_round_judge(&calls[i]);
	return 0;
}
