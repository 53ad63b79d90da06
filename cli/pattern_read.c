/*
 * pattern_read.c - "acl" and "map" reads: the merged listing (list) and the
 * reads of one file on every instance loading it (show, get), and the
 * helpers of every verb (arguments, the check before a fleet is opened,
 * the instances not holding a file). The changes and the replace are in
 * cmd_pattern.c; both share pattern.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "rows.h"
#include "pattern.h"
#include "../src/util/banned.h" /* a compile-time guard, no API */

/* ------------------------------------------------------------------ shared */

const char *pat_obj_name(enum hap_pattern_kind kind)
{
	return kind == HAP_PATTERN_MAP ? "map" : "acl";
}

/* The verb's options (-h only) and its exact number of arguments. */
int pat_args(struct cli *c, enum hap_pattern_kind kind, const struct cli_verb *v, int argc,
             char **argv, int want)
{
	int ret = cli_verb_opts(c, pat_obj_name(kind), v, argc, argv, NULL);

	if (ret >= 0)
		return ret;
	if (argc - optind != want)
		return cli_usage(c, "usage: %s %s %s", pat_obj_name(kind), v->name, v->usage);
	return -1;
}

int pat_ready(struct cli *c, const struct hap_pattern_op *op)
{
	struct hap_error err = { 0, "" };

	if (hap_pattern_op_check(op, &err))
		return cli_usage(c, "%s", err.msg);
	return cli_fleet(c);
}

/* Instances of s that answered and do not load file: said once on stderr. */
void pat_not_holding(struct cli *c, const struct hap_snapshot *s, enum hap_pattern_kind kind,
                     const char *file, const char *what)
{
	size_t i;

	for (i = 0; i < hap_snapshot_instance_count(s); i++) {
		if (hap_instance_flags(s, i) & (HAP_INST_DUPLICATE | HAP_INST_EXCLUDED))
			continue;
		if (hap_pattern_holds(s, i, kind, file) == 0)
			cli_err(c, "%s: does not load %s (not holding it): %s",
			        hap_instance_name(s, i), file, what);
	}
}

/* ------------------------------------------------------------------ list */

/* Length of the directory prefix every instance name shares ("/run/x/"). */
static size_t common_dir(const struct hap_snapshot *s)
{
	size_t i, n = hap_snapshot_instance_count(s), len = 0, k;
	const char *first = n ? hap_instance_name(s, 0) : "";
	const char *slash = strrchr(first, '/');

	if (!slash)
		return 0;
	len = (size_t)(slash - first) + 1;
	for (i = 1; i < n; i++) {
		const char *name = hap_instance_name(s, i);

		for (k = 0; k < len && name[k] == first[k]; k++)
			;
		while (k > 0 && first[k - 1] != '/')
			k--;
		len = k;
	}
	return len;
}

/* "3" when every holder has the same value, else each holder's, in order. */
static void join_counts(char *out, size_t len, const struct hap_patterns *pl, size_t f, int ids)
{
	size_t k, n = hap_patterns_holder_count(pl, f), o = 0;
	int same = 1;

	out[0] = '\0';
	for (k = 1; k < n; k++) {
		const struct hap_pattern_ref *a = hap_patterns_holder(pl, f, 0);
		const struct hap_pattern_ref *b = hap_patterns_holder(pl, f, k);

		if (ids ? a->id != b->id : a->entries != b->entries)
			same = 0;
	}
	for (k = 0; k < (same ? 1 : n) && o + 24 < len; k++) {
		const struct hap_pattern_ref *r = hap_patterns_holder(pl, f, k);
		long long v = ids ? r->id : r->entries;
		int w = v < 0 ? snprintf(out + o, len - o, "%s-", k ? " " : "")
		              : snprintf(out + o, len - o, "%s%s%lld", k ? " " : "", ids ? "#" : "",
		                         v);

		o += (size_t)w;
	}
}

/* list: a row per file (its holders' summary in the table, an element
 * per holder in JSON), then a row per inline ACL of each instance. */
enum {
	PL_FILE,
	PL_DESC,
	PL_INST,
	PL_ENTRIES,
	PL_IDS,
	PL_ENDPOINT,
	PL_ID,
	PL_NENTRIES,
	PL_CURR,
	PL_NEXT,
	PL_N
};
static const struct col list_cols[PL_N] = {
	{ "FILE", "file", COL_TEXT },     { NULL, "description", COL_TEXT },
	{ "INSTANCES", NULL, COL_TEXT },  { "ENTRIES", NULL, COL_TEXT },
	{ "IDS", NULL, COL_TEXT },        { NULL, "endpoint", COL_TEXT },
	{ NULL, "id", COL_NUMBER },       { NULL, "entries", COL_NUMBER },
	{ NULL, "curr_ver", COL_NUMBER }, { NULL, "next_ver", COL_NUMBER },
};

/* A holder's element (JSON only). */
static void list_ref(struct rows *t, const struct hap_snapshot *s, const struct hap_pattern_ref *r)
{
	rows_child(t);
	rows_json_only(t);
	rows_str(t, PL_ENDPOINT, hap_instance_name(s, r->instance));
	rows_num(t, PL_ID, r->id);
	rows_count(t, PL_NENTRIES, r->entries);
	rows_count(t, PL_CURR, r->curr_ver);
	rows_count(t, PL_NEXT, r->next_ver);
}

/* The holders of file f for the table: "all N", or their names. */
static void list_holders(char *inst, size_t len, const struct hap_snapshot *s,
                         const struct hap_patterns *pl, size_t f, size_t cut)
{
	size_t n = hap_patterns_holder_count(pl, f), live = hap_snapshot_live_count(s), o = 0, k;

	if (n == live && live > 1) {
		snprintf(inst, len, "all %zu", n);
		return;
	}
	inst[0] = '\0';
	for (k = 0; k < n && o + 2 < len; k++) {
		const char *name = hap_instance_name(s, hap_patterns_holder(pl, f, k)->instance);
		int w = snprintf(inst + o, len - o, "%s%s", k ? " " : "",
		                 strlen(name) > cut ? name + cut : name);

		o += (size_t)w < len - o ? (size_t)w : len - o - 1;
	}
}

static void list_print(struct cli *c, const struct hap_snapshot *s, const struct hap_patterns *pl)
{
	struct rows *t = rows_new(c, list_cols, PL_N, ROWS_ARRAY, "instances");
	size_t cut = c->fmt == FMT_CSV ? 0 : common_dir(s), f, k;
	char inst[2048], ents[512], ids[512], file[4200];

	for (f = 0; f < hap_patterns_count(pl); f++) {
		rows_row(t);
		rows_str(t, PL_FILE, hap_patterns_file(pl, f));
		list_holders(inst, sizeof(inst), s, pl, f, cut);
		join_counts(ents, sizeof(ents), pl, f, 0);
		join_counts(ids, sizeof(ids), pl, f, 1);
		rows_str(t, PL_INST, inst);
		rows_str(t, PL_ENTRIES, ents);
		rows_str(t, PL_IDS, ids);
		rows_open(t, "instances");
		for (k = 0; k < hap_patterns_holder_count(pl, f); k++)
			list_ref(t, s, hap_patterns_holder(pl, f, k));
	}
	/* inline ACLs: one object per instance and ACL, with a null file */
	for (k = 0; k < hap_patterns_inline_count(pl); k++) {
		const struct hap_pattern_ref *r = hap_patterns_inline_ref(pl, k);
		const char *name = hap_instance_name(s, r->instance);

		rows_row(t);
		rows_null(t, PL_FILE);
		snprintf(file, sizeof(file), "(inline) %s", r->desc);
		rows_shown(t, PL_FILE, file);
		rows_str(t, PL_DESC, r->desc);
		rows_str(t, PL_INST, strlen(name) > cut ? name + cut : name);
		if (r->entries < 0)
			rows_str(t, PL_ENTRIES, "-");
		else
			rows_num(t, PL_ENTRIES, (long long)r->entries);
		snprintf(ids, sizeof(ids), "#%lld", (long long)r->id);
		rows_str(t, PL_IDS, ids);
		list_ref(t, s, r);
	}
	rows_end(t);
	rows_unreached(t, s, PL_INST, PL_FILE);
	rows_done(t);
}

int pat_list(struct cli *c, enum hap_pattern_kind kind, const struct cli_verb *v, int argc,
             char **argv)
{
	struct hap_error err = { 0, "" };
	struct hap_snapshot *s = NULL;
	struct hap_patterns *pl = NULL;
	size_t failed = 0;
	int ret = pat_args(c, kind, v, argc, argv, 0);

	if (ret >= 0)
		return ret;
	ret = cli_snapshot(c, kind == HAP_PATTERN_MAP ? HAP_SNAP_MAPS : HAP_SNAP_ACLS, &s, &failed);
	if (ret)
		return ret;
	if (hap_patterns_new(&pl, s, kind, &err)) {
		cli_err(c, "%s", err.msg);
		hap_snapshot_free(s);
		return EXIT_FAILED;
	}
	list_print(c, s, pl);
	hap_patterns_free(pl);
	hap_snapshot_free(s);
	return failed ? EXIT_FAILED : EXIT_OK;
}

/* ------------------------------------------------------------------ reads */

static const char *read_word(int code)
{
	return code == 0 ? "ok" : code == HAP_ENOTFOUND ? "not-holding" : "error";
}

/* Diagnostics per instance; returns the number of failed instances. */
static size_t read_report(struct cli *c, const struct hap_pattern_read *r, const char *file)
{
	const struct hap_result *res = hap_pattern_read_result(r);
	size_t i, bad = 0;

	for (i = 0; i < hap_result_count(res); i++) {
		const char *msg = hap_result_message(res, i);
		int code = hap_result_code(res, i);

		if (code == HAP_ENOTFOUND)
			cli_err(c, "%s: does not load %s (not holding it)",
			        hap_result_instance(res, i), file);
		else if (code) {
			cli_err(c, "%s: %s", hap_result_instance(res, i), msg);
			bad++;
		}
	}
	return bad;
}

/* HAProxy lists a map entry as "REF KEY VALUE" with nothing marking where
 * a key holding a blank ends: when the value holds a blank too, the split
 * is a guess. Such an entry also carries its raw text and "ambiguous". */
static int entry_ambiguous(const struct hap_pattern_entry *e)
{
	return strpbrk(e->value, " \t") != NULL;
}

/* The first instance that was read, or the count when none was. */
static size_t first_read(const struct hap_pattern_read *r)
{
	const struct hap_result *res = hap_pattern_read_result(r);
	size_t i;

	for (i = 0; i < hap_result_count(res); i++)
		if (!hap_result_code(res, i))
			break;
	return i;
}

/* A map value for people: saying when the split is a guess. */
static const char *value_cell(const struct hap_pattern_entry *x, enum hap_pattern_kind kind,
                              char *buf, size_t len)
{
	if (kind != HAP_PATTERN_MAP || !entry_ambiguous(x))
		return x->value;
	snprintf(buf, len, "%s (ambiguous: key or value holds a blank)", x->value);
	return buf;
}

/* The instances agree: their entries once. */
/* show: in JSON the entries once when the instances agree, and each
 * instance's with their refs; the table has the entries once when they
 * agree, else each instance's, then the instances whose read failed. */
enum {
	SH_FILE,
	SH_AGREE,
	SH_NOENTRIES,
	SH_INSTANCE,
	SH_RESULT,
	SH_MESSAGE,
	SH_REF,
	SH_KEY,
	SH_VALUE,
	SH_AMBIGUOUS,
	SH_RAW,
	SH_N
};

static void show_cols(struct col *cols, enum hap_pattern_kind kind, int agree)
{
	static const struct col tmpl[SH_N] = {
		{ NULL, "file", COL_TEXT },      { NULL, "agree", COL_TEXT },
		{ NULL, "entries", COL_TEXT },   { "INSTANCE", "endpoint", COL_TEXT },
		{ NULL, "result", COL_OUTCOME }, { NULL, "message", COL_TEXT },
		{ "REF", "ref", COL_TEXT },      { "KEY", "key", COL_TEXT },
		{ "VALUE", "value", COL_TEXT },  { NULL, "ambiguous", COL_TEXT },
		{ NULL, "raw", COL_TEXT },
	};

	memcpy(cols, tmpl, sizeof(tmpl));
	if (agree)
		cols[SH_INSTANCE].head = cols[SH_REF].head = NULL;
	if (kind != HAP_PATTERN_MAP) {
		cols[SH_KEY].head = "PATTERN";
		cols[SH_KEY].key = "pattern";
		cols[SH_VALUE].head = NULL;
	}
}

/* Entry e of instance i, with its ref or not; an ambiguous map entry with
 * its raw text. */
static void show_entry(struct rows *t, const struct hap_pattern_read *r, size_t i, size_t e,
                       enum hap_pattern_kind kind, int ref)
{
	struct hap_pattern_entry x;
	char mark[4200], *raw;
	size_t kl, vl;

	hap_pattern_read_entry(&x, r, i, e);
	if (ref)
		rows_str(t, SH_REF, x.ref);
	rows_str(t, SH_KEY, x.key);
	if (kind != HAP_PATTERN_MAP)
		return;
	rows_str(t, SH_VALUE, x.value);
	rows_shown(t, SH_VALUE, value_cell(&x, kind, mark, sizeof(mark)));
	rows_bool(t, SH_AMBIGUOUS, entry_ambiguous(&x));
	kl = strlen(x.key);
	vl = strlen(x.value);
	if (!entry_ambiguous(&x) || !(raw = malloc(kl + vl + 2)))
		return;
	memcpy(raw, x.key, kl);
	raw[kl] = ' ';
	memcpy(raw + kl + 1, x.value, vl + 1);
	rows_str(t, SH_RAW, raw);
	free(raw);
}

/* The table's rows of the instances whose read failed: the instance and
 * "error: why" (in one cell when the table has one column). */
static void show_errors(struct rows *t, const struct hap_pattern_read *r, int map, int agree)
{
	const struct hap_result *res = hap_pattern_read_result(r);
	char buf[512];
	size_t i;

	for (i = 0; i < hap_result_count(res); i++) {
		const char *msg = hap_result_message(res, i), *inst = hap_result_instance(res, i);
		int code = hap_result_code(res, i);

		if (!code || code == HAP_ENOTFOUND)
			continue;
		rows_row(t);
		rows_table_only(t);
		if (agree && !map) {
			snprintf(buf, sizeof(buf), "%s: error: %s", inst, msg);
			rows_str(t, SH_KEY, buf);
			continue;
		}
		snprintf(buf, sizeof(buf), "error: %s", msg);
		rows_str(t, agree ? SH_KEY : SH_INSTANCE, inst);
		rows_str(t, agree ? SH_VALUE : SH_REF, buf);
		if (!agree) {
			rows_str(t, SH_KEY, "-");
			rows_str(t, SH_VALUE, "-");
		}
	}
}

static void show_print(struct cli *c, const struct hap_pattern_read *r, enum hap_pattern_kind kind)
{
	const struct hap_result *res = hap_pattern_read_result(r);
	const char *file = hap_pattern_read_target(r)->file;
	size_t i, e, n = hap_result_count(res), first = first_read(r), nread = 0, ne = 0;
	int agree = hap_pattern_read_agree(r);
	struct col cols[SH_N];
	struct rows *t;

	show_cols(cols, kind, agree);
	t = rows_new(c, cols, SH_N, ROWS_ONE, NULL);
	rows_row(t);
	rows_json_only(t);
	rows_str(t, SH_FILE, file);
	rows_bool(t, SH_AGREE, agree);
	if (agree) {
		ne = hap_pattern_read_entry_count(r, first);
		rows_open(t, "entries");
	} else {
		rows_null(t, SH_NOENTRIES);
	}
	for (e = 0; e < ne; e++) {
		rows_child_in(t, "entries");
		show_entry(t, r, first, e, kind, 0);
	}
	for (i = 0; i < n; i++) {
		int code = hap_result_code(res, i);

		nread += !code;
		rows_child_in(t, "instances");
		rows_json_only(t);
		rows_str(t, SH_INSTANCE, hap_result_instance(res, i));
		rows_str(t, SH_RESULT, read_word(code));
		if (code) {
			rows_str(t, SH_MESSAGE, hap_result_message(res, i));
			continue;
		}
		rows_open(t, "entries");
		for (e = 0; e < hap_pattern_read_entry_count(r, i); e++) {
			rows_grandchild_in(t, "entries");
			if (agree)
				rows_json_only(t);
			show_entry(t, r, i, e, kind, 1);
		}
	}
	show_errors(t, r, kind == HAP_PATTERN_MAP, agree);
	rows_done(t);
	if (c->fmt == FMT_JSON)
		return;
	if (agree)
		cli_err(c, "%s: the same %zu entr%s on %zu instance%s", file, ne,
		        ne == 1 ? "y" : "ies", nread, nread == 1 ? "" : "s");
	else if (first < n)
		cli_err(c, "%s: the instances hold different entries: shown per instance", file);
}

/* get: in JSON the answer when the instances agree and an element per
 * instance; in the table the answer once when they agree, else each
 * instance's, then the instances whose read failed. */
enum { PG_FILE, PG_VALUE, PG_AGREE, PG_INSTANCE, PG_RESULT, PG_MESSAGE, PG_ANSWER, PG_N };
static const struct col get_cols[PG_N] = {
	{ NULL, "file", COL_TEXT },       { NULL, "value", COL_TEXT },
	{ NULL, "agree", COL_TEXT },      { "INSTANCE", "endpoint", COL_TEXT },
	{ NULL, "result", COL_OUTCOME },  { NULL, "message", COL_TEXT },
	{ "ANSWER", "answer", COL_TEXT },
};

static void get_print(struct cli *c, const struct hap_pattern_read *r, const char *value)
{
	const struct hap_result *res = hap_pattern_read_result(r);
	size_t i, n = hap_result_count(res), first = first_read(r), nread = 0;
	int agree = hap_pattern_read_agree(r);
	struct rows *t = rows_new(c, get_cols, PG_N, ROWS_ONE, "instances");
	char buf[512];

	for (i = 0; i < n; i++)
		nread += !hap_result_code(res, i);
	rows_row(t);
	rows_str(t, PG_FILE, hap_pattern_read_target(r)->file);
	rows_str(t, PG_VALUE, value);
	rows_bool(t, PG_AGREE, agree);
	if (agree) {
		rows_str(t, PG_ANSWER, hap_pattern_read_answer(r, first));
		snprintf(buf, sizeof(buf), "all %zu (agree)", nread);
		rows_label(t, PG_INSTANCE, buf);
	} else {
		rows_null(t, PG_ANSWER);
		rows_json_only(t);
	}
	rows_open(t, "instances");
	for (i = 0; i < n; i++) {
		int code = hap_result_code(res, i);

		rows_child(t);
		if (agree || code)
			rows_json_only(t);
		rows_str(t, PG_INSTANCE, hap_result_instance(res, i));
		rows_str(t, PG_RESULT, read_word(code));
		if (code)
			rows_str(t, PG_MESSAGE, hap_result_message(res, i));
		else
			rows_str(t, PG_ANSWER, hap_pattern_read_answer(r, i));
	}
	for (i = 0; i < n; i++) {
		int code = hap_result_code(res, i);

		if (!code || code == HAP_ENOTFOUND)
			continue;
		rows_child(t);
		rows_table_only(t);
		rows_str(t, PG_INSTANCE, hap_result_instance(res, i));
		snprintf(buf, sizeof(buf), "error: %s", hap_result_message(res, i));
		rows_str(t, PG_ANSWER, buf);
	}
	rows_done(t);
	if (!agree && nread > 1 && c->fmt != FMT_JSON)
		cli_err(c, "%s: the instances answer differently",
		        hap_pattern_read_target(r)->file);
}

int pat_read(struct cli *c, struct hap_pattern_op *op)
{
	struct hap_error err = { 0, "" };
	struct hap_pattern_read *r = NULL;
	const struct hap_pattern_target *t;
	size_t bad;
	int ret = pat_ready(c, op);

	if (ret)
		return ret;
	ret = hap_pattern_read_new(&r, c->h, op, &err);
	if (ret)
		return plan_error(c, ret, &err);
	t = hap_pattern_read_target(r);
	if (*t->note)
		cli_err(c, "%s", t->note);
	bad = read_report(c, r, t->file);
	if (op->verb == HAP_PATTERN_SHOW)
		show_print(c, r, op->kind);
	else
		get_print(c, r, op->key);
	hap_pattern_read_free(r);
	return bad ? EXIT_FAILED : EXIT_OK;
}
