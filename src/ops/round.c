/*
 * round.c - the round engine (see round.h).
 */
#include <stdio.h>
#include <string.h>

#include "haproxyadmin.h"
#include "ops/ops.h"
#include "ops/round.h"
#include "util/banned.h"

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
		c->outcome = HAP_OUT_APPLIED;
		return;
	}
	c->code = hap_verdict_code(hap_reply_judge(c->judge, j->reply.ptr, j->reply.len));
	c->outcome = hap_outcome_of(c->code);
}

int hap_round_run(struct hap *h, const struct hap_target *ts, struct hap_call *calls, size_t n)
{
	size_t i;
	int ret = hap_calls_run(h, ts, calls, n);

	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		hap_round_judge(&calls[i]);
	return 0;
}
