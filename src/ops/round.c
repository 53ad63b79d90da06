/*
 * round.c - the round engine (see round.h).
 *
 * The writes of a round for one worker socket share prompt-mode
 * connections (reference §8): "prompt\n", the commands, "quit\n", written as
 * the socket accepts them and read at the same time; the replies are cut at
 * the prompt (hap_prompt_cut) and each one is judged by its own table. The
 * first reply missing (deadline, reset, close) makes that command and every
 * later one of the connection unknown when its line was accepted by the
 * socket, not sent when it was not. Reads, raw requests, multi-line calls
 * and a master's workers ("@!PID" prefix: the master's prompt differs) keep
 * one exchange per call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "ops/ops.h"
#include "ops/round.h"
#include "util/banned.h"

/* Commands per prompt-mode connection. Measured on 4 x 20,000 servers
 * (+ srv_shared in every backend): the 8,000 set weight of one change,
 * one connection per instance, take 20 ms from the first connect to the
 * last reply (strace), of a 240-330 ms command: the two reads dominate, so
 * more connections per instance (HAProxy allows 10 per socket, other
 * clients need some) would buy nothing here. The bound keeps the work one
 * exchange deadline covers finite. */
#define PIPE_BATCH 20000

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
		snprintf(j->errmsg, sizeof(j->errmsg),
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

	if (!c->judge || c->raw || t->err || t->prefix[0] || !c->cmds)
		return 0;
	nl = strchr(c->cmds, '\n');
	return nl && nl > c->cmds && nl[1] == '\0';
}

static const struct hap_target *sort_ts;
static const struct hap_call *sort_calls;

/* By address, then by position: a connection carries its commands in plan
 * order. */
static int by_addr(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	size_t ax = sort_ts[sort_calls[x].target].addr, ay = sort_ts[sort_calls[y].target].addr;

	if (ax != ay)
		return ax < ay ? -1 : 1;
	return x < y ? -1 : x > y;
}

struct pipe {
	size_t first, count; /* a run of order[] */
	size_t *ends;        /* end of each command's line in the request */
};

/* Hand the replies of pipe p (its exchange in pc) to its calls. */
static int pipe_split(struct hap_call *calls, const size_t *order, const struct pipe *p,
                      const struct hap_call *pc)
{
	const struct hap_job *pj = &pc->job;
	const char *buf = pj->reply.ptr;
	size_t len = pj->reply.len, pos = 0, end, k, start;
	int cut = 0;

	/* the answer to "prompt" itself */
	end = hap_prompt_cut(buf, len, 0);
	if (end)
		pos = end + 2;
	else
		cut = 1;
	start = sizeof(PIPE_HEAD) - 1;
	for (k = 0; k < p->count; k++) {
		struct hap_call *c = &calls[order[p->first + k]];
		struct hap_job *j = &c->job;
		size_t lend = p->ends[k];

		if (!cut) {
			end = pos <= len ? hap_prompt_cut(buf, len, pos) : 0;
			if (!end)
				cut = 1;
		}
		c->sent = 1;
		if (!cut) {
			if (hap_buf_add(&j->reply, buf + pos, end - pos))
				return HAP_ENOMEM;
			j->req_sent = lend - start;
			j->err = 0;
			pos = end + 2;
		} else {
			/* no complete reply: unknown once its line was accepted */
			j->req_sent = pj->req_sent > start
			                      ? (pj->req_sent < lend ? pj->req_sent : lend) - start
			                      : 0;
			j->err = pj->err ? pj->err : HAP_EIO;
			j->sys_errno = pj->sys_errno;
			if (pj->err)
				snprintf(j->errmsg, sizeof(j->errmsg), "%s", pj->errmsg);
			else
				snprintf(j->errmsg, sizeof(j->errmsg),
				         "connection closed before the reply to this command (%zu "
				         "of "
				         "%zu replies on it arrived)",
				         k, p->count);
		}
		j->attempts = pj->attempts;
		j->elapsed_us = pj->elapsed_us;
		start = lend;
	}
	return 0;
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
	/* one request per run of one address, at most PIPE_BATCH commands */
	for (k = 0; k < npipe_calls; k++) {
		struct hap_call *c = &calls[order[k]];
		struct hap_call *pc;

		hap_buf_init(&c->req, 0);
		hap_job_init(&c->job, &h->addrs[ts[c->target].addr], NULL, 0);
		if (np == 0 || pipes[np - 1].count == PIPE_BATCH ||
		    ts[calls[order[k - 1]].target].addr != ts[c->target].addr) {
			pipes[np].first = k;
			pipes[np].ends = &ends[k];
			pc = &all[np++];
			pc->target = c->target;
			pc->raw = 1;
			pc->no_shut = 1;
			hap_buf_init(&reqs[np - 1], 0);
			if (hap_buf_adds(&reqs[np - 1], PIPE_HEAD))
				goto out;
		}
		if (hap_buf_adds(&reqs[np - 1], c->cmds))
			goto out;
		ends[k] = reqs[np - 1].len;
		pipes[np - 1].count++;
	}
	for (i = 0; i < np; i++) {
		if (hap_buf_adds(&reqs[i], PIPE_TAIL))
			goto out;
		all[i].cmds = reqs[i].ptr;
		all[i].cmds_len = reqs[i].len;
	}
	for (i = 0; i < ns; i++)
		all[np + i] = calls[solo[i]];
	ret = hap_calls_run(h, ts, all, np + ns);
	if (ret)
		goto out;
	for (i = 0; i < ns; i++)
		calls[solo[i]] = all[np + i]; /* handed back: released with the calls */
	for (i = 0; i < np && !ret; i++)
		ret = pipe_split(calls, order, &pipes[i], &all[i]);
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
	sort_ts = ts;
	sort_calls = calls;
	qsort(order, np, sizeof(*order), by_addr);
	/* an instance with one write keeps its plain exchange: nothing to share */
	for (k = 0; k < np; k = g) {
		for (g = k + 1;
		     g < np && ts[calls[order[g]].target].addr == ts[calls[order[k]].target].addr;
		     g++)
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
