/*
 * replace_check.c - the read-backs of a replace: after a commit, after a
 * refused commit (did a later writer win?), after prepare, after clear.
 * Each reads the listing of every instance again and judges by curr_ver.
 *
 * Must never: report applied without a listing that shows the version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "haproxyadmin.h"
#include "model/snapshot.h"
#include "ops/round.h"
#include "ops/replace.h"
#include "util/banned.h"

/* Instance k's row of the file in a listing snapshot: 0 when found. */
static int hap_rep_listing_row(const struct hap_pattern_replace *r, const struct hap_snapshot *s,
                               const struct hap_patterns *pl, size_t k, struct hap_pattern_ref *out,
                               int64_t *pid)
{
	const char *name = hap_rep_name(r, k);
	size_t f, j, nh;

	if (!pl || hap_patterns_find(pl, r->target.file, &f))
		return -1;
	nh = hap_patterns_holder_count(pl, f);
	/* the re-read lists the holders in the plan's order: holder k is
	 * instance k of the replace unless the fleet's instances moved, so it
	 * is tried first (then 0..k-1, k+1..) */
	for (j = 0; j < nh; j++) {
		size_t h = k >= nh ? j : j == 0 ? k : j <= k ? j - 1 : j;
		const struct hap_pattern_ref *row = hap_patterns_holder(pl, f, h);
		struct hap_value v;

		if (strcmp(hap_instance_name(s, row->instance), name) != 0)
			continue;
		*out = *row;
		*pid = hap_snapshot_info(&v, s, row->instance, "Pid") == 0 &&
		                       v.kind == HAP_VALUE_NUMBER
		               ? v.num
		               : -1;
		return 0;
	}
	return -1;
}

/* Instance k is a master's worker that is no longer listed while its
 * master answered (another worker of that master is in s). */
static int worker_gone(const struct hap_pattern_replace *r, const struct hap_snapshot *s, size_t k)
{
	const char *name = hap_rep_name(r, k), *at = strstr(name, " @!");
	size_t i, n;

	if (!s || !at)
		return 0;
	n = (size_t)(at - name) + 3;
	for (i = 0; i < hap_snapshot_instance_count(s); i++) {
		const char *o = hap_instance_name(s, i);

		if (strcmp(o, name) == 0)
			return 0;
	}
	for (i = 0; i < hap_snapshot_instance_count(s); i++)
		if (strncmp(hap_instance_name(s, i), name, n) == 0 &&
		    !hap_snapshot_inst_status(s, i, NULL))
			return 1;
	return 0;
}

static int64_t snap_pid(const struct hap_snapshot *s, size_t i)
{
	struct hap_value v;

	return hap_snapshot_info(&v, s, i, "Pid") == 0 && v.kind == HAP_VALUE_NUMBER ? v.num : -1;
}

/* a is a later version than b (versions are u32 and wrap) */
static int ver_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/*
 * After the commit round: read every instance's listing back (the listing
 * only: curr_ver, never the entries) and settle each committed or unknown
 * instance: applied when curr_ver is its version, superseded when another
 * writer's later version is live or the process restarted, still unknown
 * (re-read until the deadline) when the old version is still live.
 */
/* The file's listing on every instance, read again: *s, and *pl when the
 * read worked (else e2 says why). 0, or HAP_ENOMEM (nothing to free). */
static int read_listing(struct hap *h, const struct hap_pattern_replace *r, struct hap_snapshot **s,
                        struct hap_patterns **pl, struct hap_error *e2)
{
	int ret = hap_snapshot_new(s, h, r->kind == HAP_PATTERN_MAP ? HAP_SNAP_MAPS : HAP_SNAP_ACLS,
	                           e2);

	if (ret == HAP_ENOMEM)
		return ret;
	if (!ret && hap_patterns_new(pl, *s, r->kind, e2) == HAP_ENOMEM) {
		hap_snapshot_free(*s);
		*s = NULL;
		return HAP_ENOMEM;
	}
	return 0;
}

/* Instance k after a commit, from listing s: 1 when its old version is still
 * live after an unconfirmed commit (read again), else 0. */
static int commit_judge(struct hap_pattern_replace *r, const struct hap_snapshot *s,
                        const struct hap_patterns *pl, size_t k, const struct hap_error *e2)
{
	struct rinst *x = &r->ri[k];
	struct hap_pattern_ref row;
	int64_t pid;

	if ((x->st != RS_COMMITTED && x->st != RS_UNKNOWN) || x->verified)
		return 0;
	if (hap_rep_listing_row(r, s, pl, k, &row, &pid) && worker_gone(r, s, k)) {
		x->st = RS_SUPERSEDED;
		x->why = HAP_WHY_RESTARTED;
		snprintf(x->msg, sizeof(x->msg),
		         "the worker is gone (the master reloaded): version %lu is "
		         "not live",
		         (unsigned long)x->ver);
		return 0;
	}
	if (hap_rep_listing_row(r, s, pl, k, &row, &pid)) {
		snprintf(x->cleanup, sizeof(x->cleanup), "could not read curr_ver back%s%s",
		         e2->msg[0] ? ": " : "", e2->msg);
		return 0;
	}
	x->cleanup[0] = '\0';
	if (pid != snap_pid(r->snap, x->inst)) {
		x->st = RS_SUPERSEDED;
		x->why = HAP_WHY_RESTARTED;
		snprintf(x->msg, sizeof(x->msg),
		         "the instance restarted (pid %lld, now %lld): version %lu "
		         "is not live (curr_ver=%lld)",
		         (long long)snap_pid(r->snap, x->inst), (long long)pid,
		         (unsigned long)x->ver, (long long)row.curr_ver);
	} else if (row.curr_ver == (int64_t)x->ver) {
		x->st = RS_COMMITTED;
		x->verified = 1;
	} else if (row.curr_ver >= 0 && ver_after((uint32_t)row.curr_ver, x->ver)) {
		x->st = RS_SUPERSEDED;
		x->why = HAP_WHY_CHANGED;
		snprintf(x->msg, sizeof(x->msg),
		         "another writer's version %lld is live, not %lu "
		         "(entry_cnt=%lld)",
		         (long long)row.curr_ver, (unsigned long)x->ver, (long long)row.entries);
	} else {
		/* the old version is still live: not yet, or not at all */
		snprintf(x->msg, sizeof(x->msg), "read back: curr_ver=%lld, not %lu",
		         (long long)row.curr_ver, (unsigned long)x->ver);
		if (x->st == RS_COMMITTED) {
			x->st = RS_SUPERSEDED;
			x->why = HAP_WHY_CHANGED;
		} else {
			return 1;
		}
	}
	return 0;
}

int hap_rep_commit_check(struct hap *h, struct hap_pattern_replace *r)
{
	int64_t end = hap_now_us() + (int64_t)h->xopts.timeout_ms * 1000;
	size_t k, pending;

	do {
		struct hap_snapshot *s = NULL;
		struct hap_patterns *pl = NULL;
		struct hap_error e2 = { 0, "" };

		if (read_listing(h, r, &s, &pl, &e2))
			return HAP_ENOMEM;
		pending = 0;
		for (k = 0; k < r->n; k++)
			pending += commit_judge(r, s, pl, k, &e2);
		hap_patterns_free(pl);
		hap_snapshot_free(s);
		if (pending) {
			struct timespec ts = { 0, 100 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	} while (pending && hap_now_us() < end);
	return 0;
}

/*
 * Before the commit: read the listings (not the entries). When another
 * writer prepared a version of the file after ours on any instance, it is
 * replacing the same file now and its commit would land after ours there:
 * committing ours anyway could leave the fleet split. Every loaded
 * instance is then not committed (superseded by the later writer), and
 * its version is cleared.
 */
int hap_rep_yield_check(struct hap *h, struct hap_pattern_replace *r)
{
	struct hap_snapshot *s = NULL;
	struct hap_patterns *pl = NULL;
	struct hap_error e2 = { 0, "" };
	char why[600] = "";
	size_t k;

	if (read_listing(h, r, &s, &pl, &e2))
		return HAP_ENOMEM;
	for (k = 0; k < r->n && !why[0]; k++) {
		const struct rinst *x = &r->ri[k];
		struct hap_pattern_ref row;
		int64_t pid;

		if (x->st != RS_LOADED || hap_rep_listing_row(r, s, pl, k, &row, &pid))
			continue;
		if (row.next_ver >= 0 && ver_after((uint32_t)row.next_ver, x->ver))
			snprintf(why, sizeof(why),
			         "not committed: another writer prepared version %lld after ours "
			         "(%lu) on %s and will commit it",
			         (long long)row.next_ver, (unsigned long)x->ver,
			         hap_rep_name(r, k));
	}
	for (k = 0; why[0] && k < r->n; k++) {
		struct rinst *x = &r->ri[k];

		if (x->st != RS_LOADED)
			continue;
		hap_rep_fail(x, HAP_ESUPERSEDED, "commit", why);
		x->why = HAP_WHY_CHANGED;
	}
	hap_patterns_free(pl);
	hap_snapshot_free(s);
	return 0;
}

/*
 * The prepares sent without a complete reply: the version may exist. Read
 * the listing: next_ver at the version this writer predicted (the lock keeps
 * other writers of this host out) is the one it created, to clear; next_ver
 * one before it: none was created. Anything else is said, not cleared.
 */
int hap_rep_prepare_check(struct hap *h, struct hap_pattern_replace *r, const int *codes)
{
	struct hap_snapshot *s = NULL;
	struct hap_patterns *pl = NULL;
	struct hap_error e2 = { 0, "" };
	size_t k;

	if (read_listing(h, r, &s, &pl, &e2))
		return HAP_ENOMEM;
	for (k = 0; k < r->n; k++) {
		struct rinst *x = &r->ri[k];
		struct hap_pattern_ref row;
		int64_t pid;

		if (codes[k] != HAP_EUNKNOWN || !x->sent || x->has_ver)
			continue;
		if (!s || hap_rep_listing_row(r, s, pl, k, &row, &pid) || row.next_ver < 0)
			snprintf(x->cleanup, sizeof(x->cleanup),
			         "the listing could not be read: version %lu may be left",
			         (unsigned long)x->ver);
		else if ((uint32_t)row.next_ver == x->ver)
			x->has_ver = 1; /* created: cleared with the others */
		else if ((uint32_t)row.next_ver == x->ver - 1)
			snprintf(x->cleanup, sizeof(x->cleanup), "no version was created");
		else
			snprintf(x->cleanup, sizeof(x->cleanup),
			         "next_ver is %lld, not %lu: not cleared (another writer's?)",
			         (long long)row.next_ver, (unsigned long)x->ver);
	}
	hap_patterns_free(pl);
	hap_snapshot_free(s);
	return 0;
}

/*
 * The clears that did not answer in time: read "show acl|map @V FILE" back
 * until it is empty (cleared) or the deadline passes.
 */
int hap_rep_clear_check(struct hap *h, struct hap_pattern_replace *r, const unsigned char *which,
                        int *codes, struct hap_buf *replies)
{
	int64_t end = hap_now_us() + (int64_t)h->xopts.timeout_ms * 2000;
	size_t k, pending;
	int ret = 0;

	do {
		unsigned char *w = calloc(r->n ? r->n : 1, 1);

		if (!w)
			return HAP_ENOMEM;
		pending = 0;
		for (k = 0; k < r->n; k++)
			if (which[k] && codes[k] == HAP_EUNKNOWN)
				w[k] = 1, pending++;
		if (pending) {
			int *c2 = calloc(r->n, sizeof(*c2));
			struct hap_buf *rep = calloc(r->n, sizeof(*rep));

			for (k = 0; rep && k < r->n; k++)
				hap_buf_init(&rep[k], 0);
			ret = !c2 || !rep ? HAP_ENOMEM
			                  : hap_rep_round(h, r, "show", NULL, w, c2, rep);
			for (k = 0; !ret && k < r->n; k++) {
				if (!w[k] || c2[k])
					continue;
				if (rep[k].len == 0) {
					codes[k] = 0; /* the version holds nothing: cleared */
					hap_buf_reset(&replies[k]);
					pending--;
				}
			}
			for (k = 0; rep && k < r->n; k++)
				hap_buf_release(&rep[k]);
			free(rep);
			free(c2);
		}
		free(w);
		if (ret)
			return ret;
		if (pending) {
			struct timespec ts = { 0, 100 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	} while (pending && hap_now_us() < end);
	return 0;
}
