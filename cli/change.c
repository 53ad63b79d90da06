/*
 * change.c - running a planned change from the command line: dry run,
 * confirmation of disruptive changes, the parallel apply, and the report
 * per instance with the value before and after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "rows.h"

/* The result word of entry i, with why when known: "superseded (restarted)". */
static const char *result_word(const struct hap_result *r, size_t i, char *buf, size_t len)
{
	const char *why = hap_why_name(hap_result_why(r, i));

	snprintf(buf, len, "%s%s%s%s", hap_outcome_name(hap_result_outcome(r, i)), *why ? " (" : "",
	         why, *why ? ")" : "");
	return buf;
}

/* The index in s of instance inst of the plan's snapshot before: the same
 * index when s is that read, or a re-read of the same endpoints (checked by
 * name); a name search only when the fleet's instances moved (a master's
 * workers changed). (size_t)-1 when s does not have it. */
static size_t same_instance(const struct hap_snapshot *s, const struct hap_snapshot *before,
                            size_t inst)
{
	const char *name;
	size_t j, n = hap_snapshot_instance_count(s);

	if (s == before)
		return inst;
	if (inst >= hap_snapshot_instance_count(before))
		return (size_t)-1;
	name = hap_instance_name(before, inst);
	if (inst < n && strcmp(hap_instance_name(s, inst), name) == 0)
		return inst;
	for (j = 0; j < n; j++)
		if (strcmp(hap_instance_name(s, j), name) == 0)
			return j;
	return (size_t)-1;
}

/* The last object found in a snapshot: a report's rows come object by
 * object, one per instance holding it, so the next row finds it here. */
struct found {
	const struct hap_snapshot *s;
	const char *backend, *name; /* the row's own strings (compared by value) */
	const struct hap_object *o;
};

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static const struct hap_object *find(struct found *f, const struct hap_snapshot *s, int type,
                                     const char *backend, const char *name)
{
	if (f->s == s && f->s && same_str(f->backend, backend) && same_str(f->name, name))
		return f->o;
	f->s = s;
	f->backend = backend;
	f->name = name;
	f->o = hap_snapshot_find(s, type, backend, name);
	return f->o;
}

/* Value of field for the object of result row i on its instance, in s (the
 * plan's read before, or the re-read after). */
static void lookup(struct hap_value *out, struct found *f, const struct hap_snapshot *s,
                   const struct hap_snapshot *before, const struct hap_result *r, size_t i,
                   int type, const char *field)
{
	const struct hap_object *o;
	const char *backend, *name;
	size_t k, inst;

	memset(out, 0, sizeof(*out));
	if (!s || !field)
		return;
	inst = same_instance(s, before, hap_result_instance_index(r, i));
	if (inst == (size_t)-1)
		return;
	if (type < 0) {
		/* a process-wide value: the instance's own "show info" */
		hap_snapshot_info(out, s, inst, field);
		return;
	}
	if (hap_result_object_ref(r, i, &backend, &name) != type)
		return;
	o = find(f, s, type, backend, name);
	for (k = 0; o && k < hap_object_instance_count(o); k++)
		if (hap_object_instance(o, k) == inst) {
			hap_object_value(out, o, k, field);
			return;
		}
}

/* Distinct instances a plan sends to. */
static size_t plan_instances(const struct hap_plan *p)
{
	size_t i, n = 0, ni = hap_snapshot_instance_count(hap_plan_snapshot(p));
	unsigned char *seen = calloc(ni ? ni : 1, 1);

	if (!seen) /* out of memory: count every entry, asking more, not less */
		return hap_plan_count(p);

	for (i = 0; i < hap_plan_count(p); i++) {
		size_t k = hap_plan_instance_index(p, i);

		if (k < ni && !seen[k]) {
			seen[k] = 1;
			n++;
		}
	}
	free(seen);
	return n;
}

static int confirm(struct cli *c, const struct hap_plan *p, const char *what)
{
	char line[16];
	size_t ni;

	/* one object on one instance is what the operator named; more asks */
	ni = plan_instances(p);
	if (c->yes || !(hap_plan_disruptive(p) || c->disruptive) ||
	    (hap_plan_objects(p) <= 1 && ni <= 1))
		return 0;
	if (!isatty(STDIN_FILENO)) {
		cli_err(c,
		        "refusing to %s (%zu commands on %zu instance%s) without --yes (no "
		        "terminal to ask)",
		        what, hap_plan_count(p), ni, ni == 1 ? "" : "s");
		return EXIT_USAGE;
	}
	fprintf(stderr, "%s (%zu commands on %zu instance%s)? [y/N] ", what, hap_plan_count(p), ni,
	        ni == 1 ? "" : "s");
	if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y')) {
		cli_err(c, "nothing changed");
		return EXIT_USAGE;
	}
	return 0;
}

/* What one change run shows: the plan's read, the re-read, the result. */
struct change_view {
	const struct hap_snapshot *before;
	struct hap_snapshot *after;
	const struct hap_result *r;
	int type;
	const char *field;
};

/* Instances that did not answer the plan's read: they may hold the object too. */
static size_t report_unreached(struct cli *c, const struct hap_snapshot *before)
{
	size_t i, unreached = 0;

	for (i = 0; i < hap_snapshot_instance_count(before); i++) {
		const char *msg = hap_result_message(hap_snapshot_result(before), i);

		if (hap_result_code(hap_snapshot_result(before), i)) {
			cli_err(c, "%s: not reached, not changed: %s", hap_instance_name(before, i),
			        msg);
			unreached++;
		}
	}
	return unreached;
}

void change_dry_run(const struct hap_plan *p)
{
	size_t i;

	for (i = 0; i < hap_plan_count(p); i++) {
		const char *msg;

		if (hap_plan_skip(p, i, &msg))
			printf("# %s: not sent: %s\n", hap_plan_instance(p, i), msg);
		printf("%s: %s\n", hap_plan_instance(p, i), hap_plan_command(p, i));
	}
}

/* The library read the changed field back (hap_result_after); other fields
 * (process-wide values) are read here to show before and after. NULL when
 * nothing is to be re-read or the re-read failed. */
static struct hap_snapshot *reread(struct cli *c, const struct hap_result *r, int type,
                                   const char *field, const char *proxy)
{
	struct hap_snapshot *after = NULL;
	struct hap_error err = { 0, "" };
	size_t i;

	for (i = 0; type >= 0 && i < hap_result_count(r); i++)
		if (!hap_result_after(r, i))
			break;
	if (!field || c->no_verify || (type >= 0 && i == hap_result_count(r)))
		return NULL;
	{
		unsigned mask = type < 0                  ? 0
		                : type == HAP_OBJ_SERVER  ? HAP_SNAP_SERVERS
		                : type == HAP_OBJ_BACKEND ? HAP_SNAP_BACKENDS
		                                          : HAP_SNAP_FRONTENDS;

		if (hap_snapshot_new_proxy(&after, c->h, mask, proxy, &err)) {
			cli_err(c, "could not read the values back: %s", err.msg);
			return NULL;
		}
	}
	for (i = 0; i < hap_snapshot_instance_count(after); i++) {
		const char *msg = hap_result_message(hap_snapshot_result(after), i);

		if (hap_result_code(hap_snapshot_result(after), i))
			cli_err(c, "%s: could not read the value back: %s",
			        hap_instance_name(after, i), msg);
	}
	return after;
}

/* An instance whose identity changed between the read and the re-read
 * restarted during the change: its "before" is another process's. */
static void report_restarts(struct cli *c, const struct hap_snapshot *before,
                            const struct hap_snapshot *after)
{
	size_t i;

	for (i = 0; after && i < hap_snapshot_instance_count(before); i++) {
		struct hap_value p1, p2, t1, t2;
		size_t j;

		if (hap_result_code(hap_snapshot_result(before), i))
			continue;
		j = same_instance(after, before, i);
		if (j == (size_t)-1 || hap_result_code(hap_snapshot_result(after), j))
			continue;
		hap_snapshot_info(&p1, before, i, "Pid");
		hap_snapshot_info(&p2, after, j, "Pid");
		hap_snapshot_info(&t1, before, i, "Start_time_sec");
		hap_snapshot_info(&t2, after, j, "Start_time_sec");
		if (p1.num != p2.num || t1.num != t2.num)
			cli_err(c, "%s: restarted during the change (pid %lld, now %lld): check it",
			        hap_instance_name(before, i), (long long)p1.num, (long long)p2.num);
	}
}

/* The change report: one declaration for the three formats. The table
 * shows the result word with its why, and BEFORE and AFTER even when no
 * field is read (JSON then leaves field, before and after out). */
enum {
	CH_OBJECT,
	CH_INSTANCE,
	CH_COMMAND,
	CH_RESULT,
	CH_WHY,
	CH_SENT,
	CH_FIELD,
	CH_BEFORE,
	CH_AFTER,
	CH_MESSAGE,
	CH_N
};
static const struct col change_cols[CH_N] = {
	{ "OBJECT", "object", COL_TEXT }, { "INSTANCE", "endpoint", COL_TEXT },
	{ NULL, "command", COL_TEXT },    { "RESULT", "result", COL_OUTCOME },
	{ NULL, "why", COL_TEXT },        { NULL, "sent", COL_TEXT },
	{ NULL, "field", COL_TEXT },      { "BEFORE", "before", COL_TEXT },
	{ "AFTER", "after", COL_TEXT },   { "MESSAGE", "message", COL_TEXT },
};

static void change_row(struct rows *t, const struct change_view *cv, struct found *f, size_t i)
{
	const struct hap_result *r = cv->r;
	char b1[256], b2[256], b3[64];
	const char *after = hap_result_after(r, i), *tb, *ta;
	struct hap_value vb, va;
	int tab = !rows_json(t);

	/* the result's strings and the names outlive the report: not copied
	 * (8,000 rows of a write) */
	rows_row(t);
	rows_str_ref(t, CH_OBJECT, hap_result_object(r, i));
	rows_str_ref(t, CH_INSTANCE, hap_result_instance(r, i));
	rows_str_ref(t, CH_COMMAND, hap_result_command(r, i));
	rows_str_ref(t, CH_RESULT, hap_outcome_name(hap_result_outcome(r, i)));
	if (tab)
		rows_shown(t, CH_RESULT, result_word(r, i, b3, sizeof(b3)));
	if (hap_result_why(r, i))
		rows_str_ref(t, CH_WHY, hap_why_name(hap_result_why(r, i)));
	else
		rows_null(t, CH_WHY);
	rows_bool(t, CH_SENT, hap_result_sent(r, i));
	rows_str_ref(t, CH_MESSAGE, hap_result_message(r, i));
	lookup(&vb, &f[0], cv->before, cv->before, r, i, cv->type, cv->field);
	lookup(&va, &f[1], cv->after, cv->before, r, i, cv->type, cv->field);
	/* the texts are the table's and CSV's, and the labels' */
	tb = tab || !cv->field ? value_str(&vb, b1, sizeof(b1)) : NULL;
	ta = after ? after : tab || !cv->field ? value_str(&va, b2, sizeof(b2)) : NULL;
	if (!cv->field) {
		rows_label(t, CH_BEFORE, tb);
		rows_label(t, CH_AFTER, ta);
		return;
	}
	rows_str_ref(t, CH_FIELD, cv->field);
	rows_value(t, CH_BEFORE, &vb, tb);
	if (after)
		rows_str_ref(t, CH_AFTER, after);
	else
		rows_value(t, CH_AFTER, &va, ta);
}

static void print_report(struct cli *c, const struct change_view *cv)
{
	struct rows *t = rows_new(c, change_cols, CH_N, ROWS_ARRAY, NULL);
	struct found found[2]; /* before, after */
	char buf[256];
	size_t i;

	memset(found, 0, sizeof(found));
	for (i = 0; i < hap_result_count(cv->r); i++)
		change_row(t, cv, found, i);
	/* instances that did not answer the read: not changed, maybe holders */
	for (i = 0; i < hap_snapshot_instance_count(cv->before); i++) {
		const char *msg = hap_result_message(hap_snapshot_result(cv->before), i);

		if (!hap_result_code(hap_snapshot_result(cv->before), i))
			continue;
		rows_row(t);
		rows_null(t, CH_OBJECT);
		rows_shown(t, CH_OBJECT, "?");
		rows_str(t, CH_INSTANCE, hap_instance_name(cv->before, i));
		rows_null(t, CH_COMMAND);
		rows_str(t, CH_RESULT, "error");
		rows_bool(t, CH_SENT, 0);
		rows_str(t, CH_MESSAGE, msg);
		snprintf(buf, sizeof(buf), "not reached, not changed: %s", msg);
		rows_shown(t, CH_MESSAGE, buf);
		rows_label(t, CH_BEFORE, "-");
		rows_label(t, CH_AFTER, "-");
	}
	rows_done(t);
}

/* One line per row not applied or sent (and per done row with a why); the
 * count of rows not done. */
static size_t report_failures(struct cli *c, const struct hap_result *r)
{
	size_t i, bad = 0;

	for (i = 0; i < hap_result_count(r); i++) {
		char wb[64];
		int oc = hap_result_outcome(r, i);

		if (oc == HAP_OUT_APPLIED || oc == HAP_OUT_SENT) {
			/* done, but worth a line: e.g. restarted and holding the value */
			if (hap_result_why(r, i))
				cli_err(c, "%s: %s", hap_result_instance(r, i),
				        hap_result_message(r, i));
			continue;
		}
		bad++;
		cli_err(c, "%s: %s: %s: %s", hap_result_instance(r, i), hap_result_object(r, i),
		        result_word(r, i, wb, sizeof(wb)), hap_result_message(r, i));
	}
	return bad;
}

int change_run(struct cli *c, struct hap_plan *p, int type, const char *field, const char *proxy,
               const char *what)
{
	struct change_view cv = { hap_plan_snapshot(p), NULL, NULL, type, field };
	struct hap_error err = { 0, "" };
	struct hap_result *r = NULL;
	size_t n, bad, unreached;
	int ret;

	unreached = report_unreached(c, cv.before);
	if (c->dry_run) {
		change_dry_run(p);
		return EXIT_OK;
	}
	ret = confirm(c, p, what);
	if (ret)
		return ret;
	ret = hap_plan_apply(&r, p, &err);
	if (ret) {
		cli_err(c, "%s", err.msg);
		return EXIT_FAILED;
	}
	cv.r = r;
	cv.after = reread(c, r, type, field, proxy);
	report_restarts(c, cv.before, cv.after);
	print_report(c, &cv);
	/* exit 0 only when every row is applied or sent and every instance answered */
	n = hap_result_count(r);
	bad = report_failures(c, r);
	if ((bad || unreached) && bad < n)
		cli_err(c, "partly applied: %zu of %zu commands %s%s", n - bad, n,
		        c->no_verify ? "sent" : "applied",
		        unreached ? ", and instances not reached" : "");
	hap_snapshot_free(cv.after);
	hap_result_free(r);
	return bad || unreached ? EXIT_FAILED : EXIT_OK;
}

int plan_error(struct cli *c, int code, const struct hap_error *err)
{
	cli_err(c, "%s", err->msg);
	switch (code) {
	case HAP_EINVAL:
		return EXIT_USAGE;
	case HAP_ENOTFOUND:
		return EXIT_NOTFOUND;
	case HAP_EIO:
		return EXIT_UNREACHABLE;
	}
	return EXIT_FAILED;
}
