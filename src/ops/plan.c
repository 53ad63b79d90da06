/*
 * plan.c - plans: the commands of a change per instance, and applying
 * them in one parallel round (one connection per command: some replies end
 * without the blank line, so ';' batches cannot be split reliably).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/fleet.h"
#include "model/snapshot.h"
#include "ops/ops.h"
#include "util/view.h"
#include "util/banned.h"

int hap_plan_add(struct hap_plan *p, size_t inst, const char *object, const char *command,
                 const struct hap_reply_table *judge)
{
	struct hap_plan_entry *e;
	int level = hap_instance_level(p->snap, inst);

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
	e->object = strdup(object);
	e->command = strdup(command);
	if (!e->object || !e->command) {
		free(e->object);
		free(e->command);
		return HAP_ENOMEM;
	}
	if (level != HAP_LEVEL_UNKNOWN && level < judge->level) {
		char msg[200];

		snprintf(msg, sizeof(msg), "socket level '%s' is too low for '%s' (needs '%s')",
		         hap_level_name(level), judge->op, hap_level_name(judge->level));
		e->skip_code = HAP_EPERM;
		e->skip_msg = strdup(msg);
		if (!e->skip_msg) {
			free(e->object);
			free(e->command);
			return HAP_ENOMEM;
		}
	}
	p->n++;
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
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->e[i].object);
		free(p->e[i].command);
		free(p->e[i].skip_msg);
	}
	free(p->e);
	hap_snapshot_free(p->snap);
	free(p);
}

int hap_plan_apply(struct hap_result **out, struct hap *h, const struct hap_plan *p,
                   struct hap_error *err)
{
	struct hap_target *ts = NULL;
	struct hap_call *calls = NULL;
	struct hap_buf *lines = NULL;
	struct hap_result *r;
	size_t i;
	int ret = 0;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	ts = calloc(p->n ? p->n : 1, sizeof(*ts));
	calls = calloc(p->n ? p->n : 1, sizeof(*calls));
	lines = calloc(p->n ? p->n : 1, sizeof(*lines));
	if (!r || !ts || !calls || !lines) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	/* one call per entry; a skipped entry gets a target carrying its error */
	for (i = 0; i < p->n; i++) {
		const struct hap_plan_entry *e = &p->e[i];

		ts[i] = *hap_snapshot_target(p->snap, e->inst);
		if (e->skip_code) {
			ts[i].err = e->skip_code;
			snprintf(ts[i].errmsg, sizeof(ts[i].errmsg), "%s", e->skip_msg);
		}
		hap_buf_init(&lines[i], 0);
		if (hap_buf_adds(&lines[i], e->command) || hap_buf_addc(&lines[i], '\n')) {
			ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
			goto out;
		}
		calls[i].target = i;
		calls[i].cmds = lines[i].ptr;
	}
	ret = hap_calls_run(h, ts, calls, p->n);
	if (ret) {
		hap_error_set(err, ret, "exchange: %s", hap_strerror(ret));
		goto out;
	}
	for (i = 0; i < p->n && !ret; i++) {
		const struct hap_plan_entry *e = &p->e[i];
		const struct hap_job *j = &calls[i].job;
		const char *inst = hap_instance_name(p->snap, e->inst);

		if (j->err) {
			ret = hap_result_add(r, inst, e->object, e->command, j->err, j->errmsg,
			                     strlen(j->errmsg), calls[i].sent);
		} else if (j->reply.len == 0) {
			/* HAProxy answers every command it runs, at least with "\n": no
			 * byte at all means the connection closed first (the process
			 * died, or the line never arrived), not a silent success */
			static const char closed[] = "connection closed without a reply "
			                             "(the instance may have died)";

			ret = hap_result_add(r, inst, e->object, e->command, HAP_EIO, closed,
			                     strlen(closed), 1);
		} else {
			enum hap_verdict v = hap_reply_judge(e->judge, j->reply.ptr, j->reply.len);

			ret = hap_result_add(r, inst, e->object, e->command, hap_verdict_code(v),
			                     j->reply.ptr, j->reply.len, 1);
		}
	}
	if (ret)
		hap_error_set(err, ret, "out of memory");
out:
	hap_calls_release(calls, p->n);
	for (i = 0; lines && i < p->n; i++)
		hap_buf_release(&lines[i]);
	free(lines);
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
	size_t i, n = hap_snapshot_instance_count(p->snap);
	const char *msg = "";

	if (hap_snapshot_live_count(p->snap))
		return 0;
	for (i = 0; i < n; i++)
		if (hap_instance_status(p->snap, i, &msg))
			break;
	return hap_error_set(err, HAP_EIO, "no instance reachable (%s: %s)",
	                     i < n ? hap_instance_name(p->snap, i) : "none", msg);
}
