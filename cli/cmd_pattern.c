/*
 * cmd_pattern.c - "acl" and "map": the verb tables, single-entry changes
 * (add, set, del, clear) and the atomic replace; the listing and the reads
 * (list, show, get), and the helpers both use, are in pattern_read.c.
 *
 * Both objects share the code; only the kind and the verb tables differ.
 * An id is a file as listed, or #N resolved by the library to its file
 * (the resolution is said on stderr); instances that do not load the file
 * are "not holding" it: said on stderr, never counted as failures.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "rows.h"
#include "pattern.h"
#include "../src/util/banned.h" /* a compile-time guard, no API */

/* ------------------------------------------------------------------ changes */

static int do_change(struct cli *c, struct hap_pattern_op *op)
{
	static const char *const words[] = { "show",   "get",         "add to",
		                             "set in", "delete from", "clear" };
	struct hap_error err = { 0, "" };
	struct hap_pattern_target t;
	struct hap_plan *p = NULL;
	char what[4300];
	int ret = pat_ready(c, op);

	if (ret)
		return ret;
	ret = hap_pattern_plan(&p, &t, c->h, op, &err);
	if (ret)
		return plan_error(c, ret, &err);
	if (*t.note)
		cli_err(c, "%s", t.note);
	pat_not_holding(c, hap_plan_snapshot(p), op->kind, t.file, "not changed");
	snprintf(what, sizeof(what), "%s %s %s", words[op->verb], pat_obj_name(op->kind), t.file);
	ret = change_run(c, p, HAP_OBJ_FRONTEND, NULL, NULL, what);
	hap_plan_free(p);
	return ret;
}

/* ------------------------------------------------------------------ replace */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *replace_word(const struct hap_result *r, size_t i, char *buf, size_t len)
{
	const char *why = hap_why_name(hap_result_why(r, i));

	snprintf(buf, len, "%s%s%s%s", hap_outcome_name(hap_result_outcome(r, i)), *why ? " (" : "",
	         why, *why ? ")" : "");
	return buf;
}

static int replace_dry_run(struct cli *c, const struct hap_pattern_replace *r)
{
	struct hap_error err = { 0, "" };
	size_t k;

	for (k = 0; k < hap_plan_count(hap_pattern_replace_plan(r)); k++) {
		char *text;
		size_t len;

		if (hap_pattern_replace_commands(&text, &len, r, k, &err)) {
			cli_err(c, "%s", err.msg);
			return EXIT_FAILED;
		}
		printf("==> %s (version %lu: next_ver + 1, as 'prepare' will make it)\n",
		       hap_plan_instance(hap_pattern_replace_plan(r), k),
		       (unsigned long)hap_pattern_replace_version(r, k));
		fwrite(text, 1, len, stdout);
		free(text);
	}
	return EXIT_OK;
}

/* The replace's report: in JSON one object (the file, what was sent) with
 * an element per instance; the table has the instances' rows. */
enum {
	RP_FILE,
	RP_ENTRIES,
	RP_REQUESTS,
	RP_COMMITTED,
	RP_MS,
	RP_INSTANCE,
	RP_RESULT,
	RP_WHY,
	RP_VERSION,
	RP_COMMAND,
	RP_MESSAGE,
	RP_N
};
static const struct col replace_cols[RP_N] = {
	{ NULL, "file", COL_TEXT },           { NULL, "entries", COL_NUMBER },
	{ NULL, "requests", COL_NUMBER },     { NULL, "committed", COL_TEXT },
	{ NULL, "milliseconds", COL_NUMBER }, { "INSTANCE", "endpoint", COL_TEXT },
	{ "RESULT", "result", COL_OUTCOME },  { NULL, "why", COL_TEXT },
	{ NULL, "version", COL_NUMBER },      { NULL, "command", COL_TEXT },
	{ "MESSAGE", "message", COL_TEXT },
};

static void replace_print(struct cli *c, const struct hap_result *res,
                          const struct hap_pattern_file *f, const struct hap_pattern_replace *r,
                          double secs)
{
	struct rows *t = rows_new(c, replace_cols, RP_N, ROWS_ONE, "instances");
	size_t i, n = hap_result_count(res);
	char wb[64];

	rows_row(t);
	rows_json_only(t);
	rows_str(t, RP_FILE, hap_pattern_replace_target(r)->file);
	rows_num(t, RP_ENTRIES, (long long)hap_pattern_file_count(f));
	rows_num(t, RP_REQUESTS, (long long)hap_pattern_replace_requests(r));
	rows_bool(t, RP_COMMITTED, hap_result_failures(res) == 0);
	rows_num(t, RP_MS, (long long)(secs * 1000 + 0.5));
	for (i = 0; i < n; i++) {
		rows_child(t);
		rows_str(t, RP_INSTANCE, hap_result_instance(res, i));
		rows_str(t, RP_RESULT, hap_outcome_name(hap_result_outcome(res, i)));
		rows_shown(t, RP_RESULT, replace_word(res, i, wb, sizeof(wb)));
		if (hap_result_why(res, i))
			rows_str(t, RP_WHY, hap_why_name(hap_result_why(res, i)));
		else
			rows_null(t, RP_WHY);
		rows_num(t, RP_VERSION, (long long)hap_pattern_replace_version(r, i));
		rows_str(t, RP_COMMAND, hap_result_command(res, i));
		rows_str(t, RP_MESSAGE, hap_result_message(res, i));
	}
	rows_done(t);
}

/* What the replace will do per instance, first; -y or a terminal when it
 * removes entries on more than one instance. */
static int replace_guard(struct cli *c, enum hap_pattern_kind kind, const char *file,
                         const struct hap_pattern_file *f)
{
	int removes, ret;
	size_t ninst;

	ret = guard_replace_preview(c, c->dry_run ? stdout : stderr, kind, file, f, &removes,
	                            &ninst);
	if (ret || c->dry_run || !removes)
		return ret;
	return guard_confirm(c,
	                     kind == HAP_PATTERN_MAP ? "replace the map, removing entries"
	                                             : "replace the ACL, removing entries",
	                     ninst);
}

/* The instances of s that did not answer, one line each: their count. */
static size_t replace_unreached(struct cli *c, const struct hap_snapshot *s)
{
	size_t i, unreached = 0;

	for (i = 0; i < hap_snapshot_instance_count(s); i++) {
		const char *msg = hap_result_message(hap_snapshot_result(s), i);

		if (hap_result_code(hap_snapshot_result(s), i)) {
			cli_err(c, "%s: not reached: %s", hap_instance_name(s, i), msg);
			unreached++;
		}
	}
	return unreached;
}

/* One line per instance that did not take the new content, and the
 * closing line, counted from the results only. */
static void replace_summary(struct cli *c, const struct hap_result *res,
                            const struct hap_pattern_file *f, const struct hap_pattern_replace *r,
                            const struct hap_pattern_target *t, double t0)
{
	size_t i, n = hap_result_count(res), bad = hap_result_failures(res);
	size_t cnt[HAP_OUT_ERROR + 1] = { 0 };
	char wb[64];

	for (i = 0; i < n; i++) {
		int oc = hap_result_outcome(res, i);

		cnt[oc >= 0 && oc <= HAP_OUT_ERROR ? oc : HAP_OUT_ERROR]++;
		if (oc != HAP_OUT_APPLIED && oc != HAP_OUT_SENT)
			cli_err(c, "%s: %s: %s", hap_result_instance(res, i),
			        replace_word(res, i, wb, sizeof(wb)), hap_result_message(res, i));
	}
	/* counted from the results only: an unknown row is never "kept" */
	if (!bad)
		cli_err(c,
		        "replaced %s on %zu instance%s: %zu entries in %zu requests each, "
		        "%.3f s%s",
		        t->file, n, n == 1 ? "" : "s", hap_pattern_file_count(f),
		        hap_pattern_replace_requests(r), now_s() - t0,
		        cnt[HAP_OUT_SENT] ? " (not read back: --no-verify)" : "");
	else if (cnt[HAP_OUT_APPLIED] + cnt[HAP_OUT_SENT] + cnt[HAP_OUT_UNKNOWN] +
	                 cnt[HAP_OUT_SUPERSEDED] ==
	         0)
		cli_err(c, "nothing committed: every instance keeps its current content of %s",
		        t->file);
	else
		cli_err(c,
		        "%s: %zu of %zu instances hold the new content (%zu applied, %zu "
		        "sent), %zu unknown, %zu superseded, %zu failed",
		        t->file, cnt[HAP_OUT_APPLIED] + cnt[HAP_OUT_SENT], n, cnt[HAP_OUT_APPLIED],
		        cnt[HAP_OUT_SENT], cnt[HAP_OUT_UNKNOWN], cnt[HAP_OUT_SUPERSEDED],
		        n - cnt[HAP_OUT_APPLIED] - cnt[HAP_OUT_SENT] - cnt[HAP_OUT_UNKNOWN] -
		                cnt[HAP_OUT_SUPERSEDED]);
}

static int do_replace(struct cli *c, enum hap_pattern_kind kind, const char *id, const char *path)
{
	struct hap_error err = { 0, "" };
	struct hap_pattern_file *f = NULL;
	struct hap_pattern_replace *r = NULL;
	struct hap_result *res = NULL;
	const struct hap_snapshot *s;
	const struct hap_pattern_target *t;
	size_t bad, unreached;
	double t0;
	int ret;

	ret = guard_local_file(c, path, (long long)1 << 30);
	if (ret)
		return ret;
	ret = hap_pattern_file_read(&f, kind, path, &err);
	if (ret) {
		cli_err(c, "%s", err.msg);
		return EXIT_USAGE;
	}
	ret = cli_fleet(c);
	if (ret)
		goto out;
	ret = hap_pattern_replace_new(&r, c->h, kind, id, f, &err);
	if (ret) {
		ret = plan_error(c, ret, &err);
		goto out;
	}
	t = hap_pattern_replace_target(r);
	s = hap_plan_snapshot(hap_pattern_replace_plan(r));
	if (*t->note)
		cli_err(c, "%s", t->note);
	pat_not_holding(c, s, kind, t->file, "not changed");
	unreached = replace_unreached(c, s);
	/* an instance that did not answer may load the file: replacing the
	 * others would leave it with the old content, so nothing is sent */
	if (unreached && !c->dry_run) {
		cli_err(c,
		        "nothing sent: %zu instance%s did not answer and may load %s (narrow "
		        "the fleet with -s to replace without them)",
		        unreached, unreached == 1 ? "" : "s", t->file);
		guard_unreached_print(c, s);
		ret = EXIT_FAILED;
		goto out;
	}
	ret = replace_guard(c, kind, t->file, f);
	if (ret)
		goto out;
	if (c->dry_run) {
		ret = replace_dry_run(c, r);
		goto out;
	}
	t0 = now_s();
	ret = hap_pattern_replace_apply(&res, r, &err);
	if (ret) {
		cli_err(c, "%s", err.msg);
		ret = EXIT_FAILED;
		goto out;
	}
	replace_print(c, res, f, r, now_s() - t0);
	replace_summary(c, res, f, r, t, t0);
	bad = hap_result_failures(res);
	ret = bad ? EXIT_FAILED : EXIT_OK;
out:
	hap_result_free(res);
	hap_pattern_replace_free(r);
	hap_pattern_file_free(f);
	return ret;
}

/* ------------------------------------------------------------------ verbs */

static int verb(struct cli *c, enum hap_pattern_kind kind, const struct cli_verb *v, int argc,
                char **argv)
{
	struct hap_pattern_op op;
	int map = kind == HAP_PATTERN_MAP, ret;

	memset(&op, 0, sizeof(op));
	op.kind = kind;
	if (strcmp(v->name, "list") == 0)
		return pat_list(c, kind, v, argc, argv);
	if (strcmp(v->name, "replace") == 0) {
		ret = pat_args(c, kind, v, argc, argv, 2);
		return ret >= 0 ? ret : do_replace(c, kind, argv[optind], argv[optind + 1]);
	}
	if (strcmp(v->name, "show") == 0) {
		op.verb = HAP_PATTERN_SHOW;
		ret = pat_args(c, kind, v, argc, argv, 1);
	} else if (strcmp(v->name, "get") == 0) {
		op.verb = HAP_PATTERN_GET;
		ret = pat_args(c, kind, v, argc, argv, 2);
	} else if (strcmp(v->name, "add") == 0) {
		op.verb = HAP_PATTERN_ADD;
		ret = pat_args(c, kind, v, argc, argv, map ? 3 : 2);
	} else if (strcmp(v->name, "set") == 0) {
		op.verb = HAP_PATTERN_SET;
		ret = pat_args(c, kind, v, argc, argv, 3);
	} else if (strcmp(v->name, "del") == 0) {
		op.verb = HAP_PATTERN_DEL;
		ret = pat_args(c, kind, v, argc, argv, 2);
	} else {
		op.verb = HAP_PATTERN_CLEAR;
		ret = pat_args(c, kind, v, argc, argv, 1);
	}
	if (ret >= 0)
		return ret;
	op.id = argv[optind];
	if (argc - optind > 1)
		op.key = argv[optind + 1];
	if (argc - optind > 2)
		op.value = argv[optind + 2];
	if (op.verb == HAP_PATTERN_SHOW || op.verb == HAP_PATTERN_GET)
		return pat_read(c, &op);
	return do_change(c, &op);
}

#define ID_HELP                                                                                    \
	" ID is a file as 'list' shows it, or #N: numbers differ per instance, so #N is "          \
	"resolved to its file and refused when it means different files."

/* Every row of both tables: the verb is the row (c->verb), the kind the table. */
static int acl_verb(struct cli *c, int argc, char **argv)
{
	return verb(c, HAP_PATTERN_ACL, c->verb, argc, argv);
}

static int map_verb(struct cli *c, int argc, char **argv)
{
	return verb(c, HAP_PATTERN_MAP, c->verb, argc, argv);
}

static const struct cli_verb acl_verbs[] = {
	{ "list", acl_verb, "",
	  "Every ACL file, once, with the instances loading it, their entry counts and their "
	  "ids (which differ per instance); inline ACLs per instance." },
	{ "show", acl_verb, "ID",
	  "The patterns of an ACL on every instance loading it: once when they agree, else "
	  "per instance with each entry's #0x reference." ID_HELP },
	{ "get", acl_verb, "ID VALUE", "How VALUE matches the ACL on each instance." ID_HELP },
	{ "add", acl_verb, "ID PATTERN", "Add a pattern on every instance loading the ACL." },
	{ "del", acl_verb, "ID PATTERN|#0xREF",
	  "Delete every entry with that pattern on every instance loading the ACL; a #0x "
	  "reference only where one instance loads it (narrow with -s)." },
	{ "clear", acl_verb, "ID",
	  "Remove every pattern on every instance loading the ACL (asks first when several "
	  "do; -y to skip)." },
	{ "replace", acl_verb, "ID FILE",
	  "Load FILE (one pattern per line; blank lines and # comments skipped) as the whole "
	  "new content, atomically: prepare, add, commit on every instance loading the ACL, "
	  "and commit nowhere if any instance fails before commit." },
	{ NULL, NULL, NULL, NULL },
};

static const struct cli_verb map_verbs[] = {
	{ "list", map_verb, "",
	  "Every map file, once, with the instances loading it, their entry counts and their "
	  "ids (which differ per instance)." },
	{ "show", map_verb, "ID",
	  "The entries of a map on every instance loading it: once when they agree, else per "
	  "instance with each entry's #0x reference." ID_HELP },
	{ "get", map_verb, "ID KEY", "How KEY is looked up in the map on each instance." ID_HELP },
	{ "add", map_verb, "ID KEY VALUE",
	  "Add an entry on every instance loading the map (';', '\\' and blanks arrive as "
	  "typed)." },
	{ "set", map_verb, "ID KEY|#0xREF VALUE",
	  "Change the value of every entry with KEY on every instance loading the map; a #0x "
	  "reference only where one instance loads it (narrow with -s)." },
	{ "del", map_verb, "ID KEY|#0xREF",
	  "Delete every entry with KEY on every instance loading the map; a #0x reference "
	  "only where one instance loads it (narrow with -s)." },
	{ "clear", map_verb, "ID",
	  "Remove every entry on every instance loading the map (asks first when several do; "
	  "-y to skip)." },
	{ "replace", map_verb, "ID FILE",
	  "Load FILE ('key value' per line; blank lines and # comments skipped) as the whole "
	  "new content, atomically: prepare, add, commit on every instance loading the map, "
	  "and commit nowhere if any instance fails before commit." },
	{ NULL, NULL, NULL, NULL },
};

int cmd_acl(struct cli *c, int argc, char **argv)
{
	return cli_dispatch(c, "acl", acl_verbs, argc, argv);
}

int cmd_map(struct cli *c, int argc, char **argv)
{
	return cli_dispatch(c, "map", map_verbs, argc, argv);
}
