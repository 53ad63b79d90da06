/*
 * snapshot.c - one parallel read of every instance, merged by name.
 *
 * Owns: the round of "show info" + "show stat" (one connection per
 * instance, both commands in one request), instance identity (node, Pid,
 * Start_time_sec: two sockets of one process count once), the merge of rows
 * into objects keyed by (type, proxy[, server]), and the evaluation of
 * values per instance or aggregated by the rule table.
 *
 * Memory: the replies are kept whole and rows are views into them; fields
 * are split only when a value is asked for, so a snapshot costs little more
 * than the bytes HAProxy sent.
 *
 * Must never: pick one instance's value when they differ (that is
 * HAP_VALUE_DISAGREE), or count a duplicate instance twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/snapshot.h"
#include "model/snapshot_int.h"
#include "ops/round.h"
#include "proto/command.h"
#include "proto/frame.h"
#include "util/banned.h"

/* Instance in failed: err, and a copy of msg (NULL when out of memory). */
static void inst_fail(struct hap_snapshot *s, struct snap_inst *in, int err, const char *msg,
                      size_t len)
{
	in->err = err;
	in->errmsg = hap_arena_strndup(&s->arena, msg, len);
}

/* The "show stat" rows, or the "show servers state" rows made CSV in place
 * (the same length): rest is their offset in the reply. */
static void parse_rows(struct hap_snapshot *s, struct snap_inst *in, unsigned what, size_t used)
{
	struct hap_error perr = { 0, "" };
	int ret;

	/* a read of one proxy: an instance without it holds none of its rows */
	if (in->reply.len - used >= 14 && memcmp(in->reply.ptr + used, "No such proxy.", 14) == 0)
		return;
	if ((what & HAP_SNAP_SRVSTATE) && (what & HAP_SNAP_ALL) == HAP_SNAP_SERVERS) {
		char *p = in->reply.ptr + used, *stop = in->reply.ptr + in->reply.len;

		if (stop - p >= 19 && memcmp(p, "Can't find backend.", 19) == 0)
			return;
		/* "1\n" (the format version), then the header and rows
		 * separated by spaces: made commas in place, the same length */
		if (stop - p >= 2 && p[0] == '1' && p[1] == '\n') {
			used += 2;
			p += 2;
		}
		if (stop - p >= 2 && p[0] == '#' && p[1] == ' ')
			p += 2; /* the header's own "# " stays */
		/* one pass the compiler vectorises: a memchr() per space
		 * (one every 7 bytes) was a tenth of a write's time */
		for (; p < stop; p++)
			*p = *p == ' ' ? ',' : *p;
		in->srvstate = 1;
	}
	ret = hap_stat_parse(&in->stat, in->reply.ptr + used, in->reply.len - used, &perr);
	if (ret) {
		inst_fail(s, in, ret, perr.msg, strlen(perr.msg));
		return;
	}
	in->has_stat = 1;
	ret = hap_snap_merge_rows(s, in, in->reply.ptr, in->stat.rows, in->stat.nrows);
	if (ret)
		s->merge_err = ret;
	hap_snap_share_header(s, in, hap_view_make(NULL, 0));
	hap_stat_release(&in->stat);
}

/*
 * hap_job.on_bytes of a snapshot's exchange: once the parts before the
 * rows are whole, the complete lines that arrived are indexed and merged
 * into their objects while the other instances are still sending. Only
 * offsets are kept: the reply may move as it grows.
 */
/* The "show info" part at b[off, off + n), whole, of an instance whose
 * rows have not come yet: its values taken now and its text left as a
 * blank line (the reply framed the same way), so that a kept reply is
 * ~1.2 KB shorter. A text that does not parse stays, parsed at the end. */
static void take_info(struct snap_inst *in, struct hap_buf *b, size_t off, size_t n)
{
	struct hap_error perr = { 0, "" };

	if (n < 2 || hap_snap_info_take(in->s, in, b->ptr + off, n, &perr))
		return;
	memmove(b->ptr + off + 1, b->ptr + off + n, b->len - (off + n) + 1);
	b->ptr[off] = '\n';
	b->len -= n - 1;
	in->inc_rest -= n - 1;
	in->icut = n - 1;
	in->info_taken = 1;
}

static void snap_on_bytes(struct hap_job *j, void *arg)
{
	struct snap_inst *in = arg;
	size_t ioff, in_n;

	if (in->inc == SNAP_INC_WAIT) {
		if (!hap_frame_head(j->reply.ptr, j->reply.len, in->s->what, &ioff, &in_n,
		                    &in->inc_rest)) {
			/* the parts before the rows are small: past a bound, this
			 * is no such reply, and its end is read whole */
			if (j->reply.len > SNAP_INC_HEAD_MAX)
				in->inc = SNAP_INC_OFF;
			return;
		}
		in->inc = SNAP_INC_ROWS;
		take_info(in, &j->reply, ioff, in_n);
	}
	if (in->inc == SNAP_INC_ROWS)
		hap_snap_inc_feed(in->s, in, j->reply.ptr, j->reply.len, 0);
	if (in->inc == SNAP_INC_ROWS && in->feed.cols_final_only == 2 && !in->cut)
		hap_snap_cut_header(in, &j->reply);
}

/* One instance's reply, framed by proto/frame.c, each part parsed; a part
 * that does not parse makes the instance failed (err, errmsg). */
static void parse_inst(struct hap_snapshot *s, struct snap_inst *in, unsigned what)
{
	struct hap_error perr = { 0, "" };
	struct hap_frame fr;
	int ret;

	hap_frame_snapshot(&fr, in->reply.ptr, in->reply.len, what);
	switch (fr.status) {
	case HAP_FRAME_ROUTING:
		/* the master could not route to the worker (it exited since
		 * "show proc"): its own words say so */
		inst_fail(s, in, HAP_ENOTFOUND, fr.first_line.p, fr.first_line.n);
		return;
	case HAP_FRAME_EMPTY:
		inst_fail(s, in, HAP_EPROTO, "connection closed without a reply",
		          strlen("connection closed without a reply"));
		return;
	case HAP_FRAME_CUT: {
		char msg[96];

		snprintf(msg, sizeof(msg), "reply cut short (%zu bytes, no final blank line)",
		         in->reply.len + in->cut + in->icut);
		inst_fail(s, in, HAP_EPROTO, msg, strlen(msg));
		return;
	}
	case HAP_FRAME_OK:
		break;
	}
	in->level = fr.level;
	/* taken as it arrived (its text a blank line now), or here */
	ret = in->info_taken ? 0 : hap_snap_info_take(s, in, fr.info.p, fr.info.n, &perr);
	if (ret) {
		inst_fail(s, in, ret, perr.msg, strlen(perr.msg));
		return;
	}
	in->has_info = 1;
	/* "show acl" and "show map" listings, each ending with a blank line */
	for (int k = 0; k < 2; k++) {
		if (!fr.has_pat[k])
			continue;
		ret = hap_pat_ref_parse(&in->pat[k], fr.pat[k].p, fr.pat[k].n, &perr);
		if (ret) {
			inst_fail(s, in, ret, perr.msg, strlen(perr.msg));
			return;
		}
		in->has_pat[k] = 1;
	}
	if (!(what & HAP_SNAP_ALL))
		return;
	if (in->inc == SNAP_INC_ROWS && in->inc_rest == fr.rest) {
		/* most rows were indexed as they arrived: the last lines */
		hap_snap_inc_feed(s, in, in->reply.ptr, in->reply.len, 1);
		if (in->inc == SNAP_INC_ROWS) {
			in->stat = in->feed.st; /* its columns: views into the reply */
			in->has_stat = 1;
			if (in->feed.cols_final_only != 2)
				hap_snap_share_header(s, in,
				                      hap_view_make(in->reply.ptr + in->inc_rest +
				                                            in->feed.hdr_off,
				                                    in->feed.hdr_len));
			hap_snap_feed_return(s, in);
			if (in->has_stat)
				hap_snap_drop_header(in, in->inc_rest + in->feed.hdr_off);
			hap_stat_feed_init(&in->feed);
			memset(&in->stat, 0, sizeof(in->stat));
			return;
		}
	}
	if (in->cut) {
		/* its header left as it arrived: the feed's word on the rest */
		inst_fail(s, in, in->feed_err ? in->feed_err : HAP_EPROTO,
		          in->feed_errmsg ? in->feed_errmsg : "show stat: framing changed",
		          strlen(in->feed_errmsg ? in->feed_errmsg : "show stat: framing changed"));
		return;
	}
	hap_snap_inc_off(in);
	parse_rows(s, in, what, fr.rest);
}

int hap_snapshot_new(struct hap_snapshot **out, struct hap *h, unsigned what, struct hap_error *err)
{
	return hap_snapshot_new_proxy(out, h, what, NULL, err);
}

/* The request every instance gets: its replies are framed by proto/frame.c. */
static void snap_request(char *cmds, size_t n, unsigned what, const char *proxy)
{
	snprintf(cmds, n, "show cli level\nshow info\n%s%s",
	         (what & HAP_SNAP_ACLS) ? "show acl\n" : "",
	         (what & HAP_SNAP_MAPS) ? "show map\n" : "");
	if ((what & HAP_SNAP_SRVSTATE) && (what & HAP_SNAP_ALL) == HAP_SNAP_SERVERS)
		snprintf(cmds + strlen(cmds), n - strlen(cmds), "show servers state%s%s\n",
		         proxy ? " " : "", proxy ? proxy : "");
	else if (what & HAP_SNAP_ALL)
		snprintf(cmds + strlen(cmds), n - strlen(cmds), "show stat %s %u -1\n",
		         proxy ? proxy : "-1", what & HAP_SNAP_ALL);
}

/* An empty snapshot of n instances: NULL when out of memory. */
static struct hap_snapshot *snap_alloc(size_t n)
{
	struct hap_snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->insts = calloc(n ? n : 1, sizeof(*s->insts));
	if (!s->insts) {
		free(s);
		return NULL;
	}
	s->ninst = n;
	for (size_t i = 0; i < n; i++) {
		s->insts[i].s = s;
		hap_stat_feed_init(&s->insts[i].feed);
	}
	return s;
}

/* Instance in gets its name and reply (moved from *reply), or the error
 * of its exchange: 0 or HAP_ENOMEM. Parsed later (snap_parse_all): the
 * exchange's jobs can go first, not be held beside the info indexes. */
static int snap_take(struct hap_snapshot *s, struct snap_inst *in, const char *name,
                     struct hap_buf *reply, int xerr, const char *xmsg)
{
	in->name = hap_arena_strndup(&s->arena, name, strlen(name));
	/* the snapshot keeps the reply: rows are views into it; a failed one
	 * is dropped (a flood's bytes are not kept) */
	in->reply = *reply;
	hap_buf_init(reply, 0);
	if (xerr) {
		hap_buf_release(&in->reply);
		hap_snap_inc_off(in);
	}
	if (xerr) {
		in->err = xerr;
		in->errmsg = hap_arena_strndup(&s->arena, xmsg, strlen(xmsg));
	}
	return !in->name || (in->err && !in->errmsg) ? HAP_ENOMEM : 0;
}

/* Every instance taken (snap_take) and not failed, parsed: 0 or HAP_ENOMEM. */
static int snap_parse_all(struct hap_snapshot *s, unsigned what)
{
	for (size_t i = 0; i < s->ninst; i++) {
		struct snap_inst *in = &s->insts[i];

		if (in->err)
			continue;
		parse_inst(s, in, what);
		if (in->err && !in->errmsg)
			return HAP_ENOMEM;
	}
	return 0;
}

static int snap_status(struct hap_snapshot *s);

/* Every instance parsed: duplicates found, rows merged into objects. */
static int snap_finish(struct hap_snapshot *s, struct hap_error *err)
{
	int ret;

	hap_snap_identify(s);
	ret = hap_snap_build_fields(s);
	if (!ret)
		ret = hap_snap_build_objects(s);
	if (!ret)
		ret = snap_status(s);
	if (ret)
		hap_error_set(err, ret, "building snapshot: %s", hap_strerror(ret));
	return ret;
}

/* A copy of b elsewhere: the reply moves, as a realloc'd one may. */
static int buf_move(struct hap_buf *b)
{
	struct hap_buf nb;
	int ret;

	hap_buf_init(&nb, 0);
	ret = hap_buf_add(&nb, b->ptr, b->len);
	if (ret)
		return ret;
	hap_buf_release(b);
	*b = nb;
	return 0;
}

int hap_snapshot_from_chunks(struct hap_snapshot **out, const char *const *names,
                             const char *const *replies, const size_t *lens, size_t n,
                             unsigned what, size_t chunk, struct hap_error *err)
{
	return hap_snapshot_from_chunks_keep(out, names, replies, lens, n, what, chunk, NULL, NULL,
	                                     err);
}

/* The hap_job.on_bytes of instance i of s's read, or NULL. */
static void (*on_bytes_of(struct hap_snapshot *s, size_t i))(struct hap_job *, void *)
{
	if (s->keep)
		return hap_snap_keep_on_bytes;
	if ((s->what & HAP_SNAP_ALL) && !(s->what & HAP_SNAP_SRVSTATE))
		return snap_on_bytes;
	/* "show servers state" is made CSV in place: parsed whole */
	s->insts[i].inc = SNAP_INC_OFF;
	return NULL;
}

int hap_snapshot_from_chunks_keep(struct hap_snapshot **out, const char *const *names,
                                  const char *const *replies, const size_t *lens, size_t n,
                                  unsigned what, size_t chunk, hap_snap_keep_fn keep, void *arg,
                                  struct hap_error *err)
{
	struct hap_snapshot *s = snap_alloc(n);
	struct hap_job *jobs = calloc(n ? n : 1, sizeof(*jobs));
	size_t i, left = 1, step;
	int ret = 0;

	*out = NULL;
	if (!s || !jobs || !(s->targets = calloc(n ? n : 1, sizeof(*s->targets))))
		ret = HAP_ENOMEM;
	if (!ret) {
		s->what = what;
		s->keep = (what & HAP_SNAP_SRVSTATE) ? keep : NULL;
		s->keep_arg = arg;
	}
	for (i = 0; !ret && i < n; i++) {
		hap_buf_init(&jobs[i].reply, 0);
		jobs[i].on_bytes = on_bytes_of(s, i);
		if (!chunk)
			s->insts[i].inc = SNAP_INC_OFF;
	}
	/* the instances' bytes interleaved, chunk by chunk, as they arrive
	 * (received: the filter drops bytes from the reply) */
	for (step = 0; !ret && left; step++) {
		left = 0;
		for (i = 0; !ret && i < n; i++) {
			struct hap_job *j = &jobs[i];
			size_t k = lens[i] - j->received;

			if (chunk && k > chunk)
				k = chunk;
			if (!k)
				continue;
			ret = hap_buf_add(&j->reply, replies[i] + j->received, k);
			j->received += k;
			if (!ret && step % 8 == 7)
				ret = buf_move(&j->reply);
			/* chunk 0: each reply whole, seen once at its end */
			if (!ret && j->on_bytes && (chunk || j->received == lens[i]))
				j->on_bytes(j, &s->insts[i]);
			left += lens[i] - j->received;
		}
	}
	for (i = 0; !ret && i < n; i++) {
		ret = snap_take(s, &s->insts[i], names[i], &jobs[i].reply, 0, "");
		s->targets[i].name = s->insts[i].name;
		s->targets[i].errmsg = "";
	}
	if (!ret)
		ret = snap_parse_all(s, what);
	for (i = 0; jobs && i < n; i++)
		hap_buf_release(&jobs[i].reply);
	free(jobs);
	if (!ret)
		ret = s->merge_err;
	if (ret)
		hap_error_set(err, ret, "out of memory");
	else
		ret = snap_finish(s, err);
	if (ret) {
		hap_snapshot_free(s);
		return ret;
	}
	*out = s;
	return 0;
}

int hap_snapshot_from_replies(struct hap_snapshot **out, const char *const *names,
                              const char *const *replies, const size_t *lens, size_t n,
                              unsigned what, struct hap_error *err)
{
	return hap_snapshot_from_chunks(out, names, replies, lens, n, what, 0, err);
}

/* Every call's reply (or error) to its instance (parsed after): 0 or
 * HAP_ENOMEM. */
static int take_all(struct hap_snapshot *s, const struct hap *h, struct hap_call *calls, size_t nt)
{
	for (size_t i = 0; i < nt; i++) {
		struct snap_inst *in = &s->insts[i];
		struct hap_call_out *j = &calls[i].out;

		in->flags = s->targets[i].flags;
		if ((in->flags & HAP_INST_OLD_WORKER) && !(h->opts.flags & HAP_OPT_OLD_WORKERS))
			in->flags |= HAP_INST_EXCLUDED;
		if (snap_take(s, in, s->targets[i].name, &j->reply, j->err,
		              hap_call_errmsg(&calls[i])))
			return HAP_ENOMEM;
	}
	return 0;
}

int hap_snapshot_new_proxy(struct hap_snapshot **out, struct hap *h, unsigned what,
                           const char *proxy, struct hap_error *err)
{
	return hap_snapshot_new_keep(out, h, what, proxy, NULL, NULL, err);
}

int hap_snapshot_new_keep(struct hap_snapshot **out, struct hap *h, unsigned what,
                          const char *proxy, hap_snap_keep_fn keep, void *arg,
                          struct hap_error *err)
{
	struct hap_snapshot *s = NULL;
	struct hap_target *ts = NULL;
	struct hap_call *calls = NULL;
	char cmds[640];
	size_t nt = 0, i;
	int ret;

	*out = NULL;
	if (!h->naddrs)
		return hap_error_set(err, HAP_EINVAL, "no endpoint");
	if (proxy) {
		ret = hap_cmd_check_name("proxy", proxy, err);
		if (ret)
			return ret;
	}
	snap_request(cmds, sizeof(cmds), what, proxy);
	ret = hap_targets_resolve(h, &ts, &nt);
	if (ret)
		return hap_error_set(err, ret, "resolving instances: %s", hap_strerror(ret));
	s = snap_alloc(nt);
	calls = calloc(nt ? nt : 1, sizeof(*calls));
	if (!s || !calls) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	s->opt_flags = h->opts.flags;
	s->what = what;
	s->keep = (what & HAP_SNAP_SRVSTATE) ? keep : NULL;
	s->keep_arg = arg;
	for (i = 0; i < nt; i++) {
		calls[i].target = i;
		calls[i].cmds = cmds;
		calls[i].on_bytes = on_bytes_of(s, i);
		calls[i].on_bytes_arg = &s->insts[i];
	}
	s->targets = ts;
	ts = NULL;
	ret = hap_round_run(h, s->targets, calls, nt);
	if (ret) {
		hap_error_set(err, ret, "exchange: %s", hap_strerror(ret));
		goto out;
	}
	ret = take_all(s, h, calls, nt);
	/* the replies are the snapshot's: the calls go before the merge */
	hap_calls_release(calls, nt);
	free(calls);
	calls = NULL;
	if (!ret)
		ret = snap_parse_all(s, what);
	if (ret) {
		hap_error_set(err, ret, "out of memory");
		goto out;
	}
	/* what the kept replies hold counts against the fleet's reply budget
	 * until the snapshot is freed */
	s->budget = hap_budget_get(h->budget);
	for (i = 0; i < nt; i++)
		s->charged += s->insts[i].reply.len;
	if (s->budget)
		s->budget->held += s->charged;
	ret = snap_finish(s, err);
out:
	hap_calls_release(calls, nt);
	free(calls);
	free(ts);
	if (ret) {
		hap_snapshot_free(s);
		return ret;
	}
	*out = s;
	return 0;
}

void hap_snapshot_free(struct hap_snapshot *s)
{
	size_t i;
	int t;

	if (!s)
		return;
	if (s->budget) {
		s->budget->held -= s->charged;
		hap_budget_put(s->budget);
	}
	for (i = 0; i < s->ninst; i++) {
		struct snap_inst *in = &s->insts[i];

		if (in->has_stat)
			hap_stat_release(&in->stat);
		for (int k = 0; k < 2; k++)
			if (in->has_pat[k])
				hap_pat_ref_release(&in->pat[k]);
		hap_buf_release(&in->reply);
		hap_stat_feed_release(&in->feed);
		free(in->tr);
	}
	for (i = 0; i < s->nhdrs; i++)
		free(s->hdrs[i].colmap);
	free(s->hdrs);
	free(s->lend_cols);
	free(s->lend_rows);
	free(s->insts);
	free(s->targets);
	free(s->fields);
	hap_snap_info_release(s);
	free(s->info_keys);
	hap_hmap_release(&s->field_map);
	hap_hmap_release(&s->info_map);
	hap_hmap_release(&s->obj_map);
	for (t = 0; t < 3; t++) {
		free(s->rules[t]);
		free(s->sorted[t]);
	}
	free(s->objs);
	free(s->rows);
	hap_arena_release(&s->arena);
	hap_result_free(s->status);
	free(s);
}

/* ---- instances ---- */

size_t hap_snapshot_instance_count(const struct hap_snapshot *s)
{
	return s->ninst;
}

const char *hap_instance_name(const struct hap_snapshot *s, size_t i)
{
	return s->insts[i].name;
}

int hap_snapshot_inst_status(const struct hap_snapshot *s, size_t i, const char **msg)
{
	if (msg)
		*msg = s->insts[i].err ? s->insts[i].errmsg : "";
	return s->insts[i].err;
}

const struct hap_result *hap_snapshot_result(const struct hap_snapshot *s)
{
	return s->status;
}

/* The per-instance outcome of the read: entry i for instance i, code 0 and
 * SENT where it answered (a read is never "applied"), else its error and
 * message. 0 or HAP_ENOMEM. */
static int snap_status(struct hap_snapshot *s)
{
	size_t i;
	int ret = 0;

	s->status = calloc(1, sizeof(*s->status));
	if (!s->status)
		return HAP_ENOMEM;
	for (i = 0; i < s->ninst && !ret; i++) {
		const struct snap_inst *in = &s->insts[i];
		const char *m = in->err ? in->errmsg : "";

		ret = hap_result_add(s->status, in->name ? in->name : "", NULL, NULL, in->err, m,
		                     strlen(m), !in->err);
		if (!ret)
			ret = hap_result_set_ref(s->status, i, i, HAP_KIND_RAW);
	}
	return ret;
}

int hap_instance_level(const struct hap_snapshot *s, size_t i)
{
	return s->insts[i].level;
}

const struct hap_pat_ref_list *hap_snapshot_patterns(const struct hap_snapshot *s, size_t i,
                                                     int is_map)
{
	return s->insts[i].has_pat[is_map ? 1 : 0] ? &s->insts[i].pat[is_map ? 1 : 0] : NULL;
}

const struct hap_target *hap_snapshot_target(const struct hap_snapshot *s, size_t i)
{
	return &s->targets[i];
}

unsigned hap_instance_flags(const struct hap_snapshot *s, size_t i)
{
	return s->insts[i].flags;
}

size_t hap_instance_duplicate_of(const struct hap_snapshot *s, size_t i)
{
	return s->insts[i].dup_of;
}

size_t hap_snapshot_live_count(const struct hap_snapshot *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->ninst; i++)
		n += hap_snap_inst_counts(&s->insts[i]);
	return n;
}
