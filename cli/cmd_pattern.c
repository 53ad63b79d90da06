/*
 * cmd_pattern.c - "acl" and "map": the merged listing, reads (show, get),
 * single-entry changes (add, set, del, clear) and the atomic replace.
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
#include "../src/util/banned.h" /* a compile-time guard, no API */

static const char *obj_name(enum hap_pattern_kind kind)
{
	return kind == HAP_PATTERN_MAP ? "map" : "acl";
}

/* The verb's options (-h only) and its exact number of arguments. */
static int args(struct cli *c, enum hap_pattern_kind kind, const struct cli_verb *v, int argc,
                char **argv, int want)
{
	int ret = cli_verb_opts(c, obj_name(kind), v, argc, argv, NULL);

	if (ret >= 0)
		return ret;
	if (argc - optind != want)
		return cli_usage(c, "usage: %s %s %s", obj_name(kind), v->name, v->usage);
	return -1;
}

/* Instances of s that answered and do not load file: said once on stderr. */
static void not_holding(struct cli *c, const struct hap_snapshot *s, enum hap_pattern_kind kind,
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

static void ref_json(struct jw *w, const struct hap_snapshot *s, const struct hap_pattern_ref *r)
{
	jw_obj(w);
	jw_key(w, "endpoint");
	jw_str(w, hap_instance_name(s, r->instance));
	jw_key(w, "id");
	jw_num(w, r->id);
	jw_key(w, "entries");
	if (r->entries < 0)
		jw_null(w);
	else
		jw_num(w, r->entries);
	jw_key(w, "curr_ver");
	if (r->curr_ver < 0)
		jw_null(w);
	else
		jw_num(w, r->curr_ver);
	jw_key(w, "next_ver");
	if (r->next_ver < 0)
		jw_null(w);
	else
		jw_num(w, r->next_ver);
	jw_end_obj(w);
}

static void list_json(const struct hap_snapshot *s, const struct hap_patterns *pl)
{
	size_t f, k;
	struct jw w;

	jw_init(&w, stdout);
	jw_arr(&w);
	for (f = 0; f < hap_patterns_count(pl); f++) {
		jw_obj(&w);
		jw_key(&w, "file");
		jw_str(&w, hap_patterns_file(pl, f));
		jw_key(&w, "instances");
		jw_arr(&w);
		for (k = 0; k < hap_patterns_holder_count(pl, f); k++)
			ref_json(&w, s, hap_patterns_holder(pl, f, k));
		jw_end_arr(&w);
		jw_end_obj(&w);
	}
	/* inline ACLs: one object per instance and ACL, with a null file */
	for (k = 0; k < hap_patterns_inline_count(pl); k++) {
		const struct hap_pattern_ref *r = hap_patterns_inline_ref(pl, k);

		jw_obj(&w);
		jw_key(&w, "file");
		jw_null(&w);
		jw_key(&w, "description");
		jw_str(&w, r->desc);
		jw_key(&w, "instances");
		jw_arr(&w);
		ref_json(&w, s, r);
		jw_end_arr(&w);
		jw_end_obj(&w);
	}
	guard_unreached_json(&w, s);
	jw_end_arr(&w);
	jw_done(&w);
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

static void list_table(struct cli *c, const struct hap_snapshot *s, const struct hap_patterns *pl)
{
	const char *hdr[4] = { "FILE", "INSTANCES", "ENTRIES", "IDS" };
	struct table *t = table_new(4, hdr);
	size_t cut = c->fmt == FMT_CSV ? 0 : common_dir(s), f, k;
	size_t live = hap_snapshot_live_count(s);
	char inst[2048], ents[512], ids[512], file[4200];
	const char *cells[4];

	for (f = 0; f < hap_patterns_count(pl); f++) {
		size_t n = hap_patterns_holder_count(pl, f), o = 0;

		if (n == live && live > 1) {
			snprintf(inst, sizeof(inst), "all %zu", n);
		} else {
			inst[0] = '\0';
			for (k = 0; k < n && o + 2 < sizeof(inst); k++) {
				const char *name = hap_instance_name(
				        s, hap_patterns_holder(pl, f, k)->instance);
				int w = snprintf(inst + o, sizeof(inst) - o, "%s%s", k ? " " : "",
				                 strlen(name) > cut ? name + cut : name);

				o += (size_t)w < sizeof(inst) - o ? (size_t)w
				                                  : sizeof(inst) - o - 1;
			}
		}
		join_counts(ents, sizeof(ents), pl, f, 0);
		join_counts(ids, sizeof(ids), pl, f, 1);
		cells[0] = hap_patterns_file(pl, f);
		cells[1] = inst;
		cells[2] = ents;
		cells[3] = ids;
		table_add(t, cells);
	}
	for (k = 0; k < hap_patterns_inline_count(pl); k++) {
		const struct hap_pattern_ref *r = hap_patterns_inline_ref(pl, k);
		const char *name = hap_instance_name(s, r->instance);

		snprintf(file, sizeof(file), "(inline) %s", r->desc);
		snprintf(inst, sizeof(inst), "%s", strlen(name) > cut ? name + cut : name);
		if (r->entries < 0)
			snprintf(ents, sizeof(ents), "-");
		else
			snprintf(ents, sizeof(ents), "%lld", (long long)r->entries);
		snprintf(ids, sizeof(ids), "#%lld", (long long)r->id);
		cells[0] = file;
		cells[1] = inst;
		cells[2] = ents;
		cells[3] = ids;
		table_add(t, cells);
	}
	guard_unreached_rows(t, 4, 1, 0, s);
	table_print(t, stdout, c->fmt == FMT_CSV);
}

static int do_list(struct cli *c, enum hap_pattern_kind kind, const struct cli_verb *v, int argc,
                   char **argv)
{
	struct hap_error err = { 0, "" };
	struct hap_snapshot *s = NULL;
	struct hap_patterns *pl = NULL;
	size_t failed = 0;
	int ret = args(c, kind, v, argc, argv, 0);

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
	if (c->fmt == FMT_JSON)
		list_json(s, pl);
	else
		list_table(c, s, pl);
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
	size_t i, bad = 0;

	for (i = 0; i < hap_pattern_read_count(r); i++) {
		const char *msg;
		int code = hap_pattern_read_status(r, i, &msg);

		if (code == HAP_ENOTFOUND)
			cli_err(c, "%s: does not load %s (not holding it)",
			        hap_pattern_read_instance(r, i), file);
		else if (code) {
			cli_err(c, "%s: %s", hap_pattern_read_instance(r, i), msg);
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

static void entry_ambiguous_json(struct jw *w, const struct hap_pattern_entry *e)
{
	size_t kl = strlen(e->key), vl = strlen(e->value);
	char *raw;

	jw_key(w, "ambiguous");
	jw_bool(w, entry_ambiguous(e));
	if (!entry_ambiguous(e))
		return;
	raw = malloc(kl + vl + 2);
	if (!raw)
		return;
	memcpy(raw, e->key, kl);
	raw[kl] = ' ';
	memcpy(raw + kl + 1, e->value, vl + 1);
	jw_key(w, "raw");
	jw_str(w, raw);
	free(raw);
}

/* Rows of the instances whose read failed: "INSTANCE" in column name_col,
 * "error: why" in msg_col. */
static void read_error_rows(struct table *tb, size_t ncols, size_t name_col, size_t msg_col,
                            const struct hap_pattern_read *r)
{
	const char *cells[4] = { "-", "-", "-", "-" };
	char buf[512];
	size_t i;

	for (i = 0; i < hap_pattern_read_count(r) && ncols <= 4; i++) {
		const char *msg;
		int code = hap_pattern_read_status(r, i, &msg);

		if (!code || code == HAP_ENOTFOUND)
			continue;
		if (ncols == 1) {
			/* one column (an ACL's patterns): the row says both */
			snprintf(buf, sizeof(buf), "%s: error: %s", hap_pattern_read_instance(r, i),
			         msg);
			cells[0] = buf;
		} else {
			snprintf(buf, sizeof(buf), "error: %s", msg);
			cells[name_col] = hap_pattern_read_instance(r, i);
			cells[msg_col] = buf;
		}
		table_add(tb, cells);
	}
}

static void entry_json(struct jw *w, const struct hap_pattern_entry *e, enum hap_pattern_kind kind,
                       int with_ref)
{
	jw_obj(w);
	if (with_ref) {
		jw_key(w, "ref");
		jw_str(w, e->ref);
	}
	if (kind == HAP_PATTERN_MAP) {
		jw_key(w, "key");
		jw_str(w, e->key);
		jw_key(w, "value");
		jw_str(w, e->value);
		entry_ambiguous_json(w, e);
	} else {
		jw_key(w, "pattern");
		jw_str(w, e->key);
	}
	jw_end_obj(w);
}

/* The first instance that was read, or the count when none was. */
static size_t first_read(const struct hap_pattern_read *r)
{
	size_t i;

	for (i = 0; i < hap_pattern_read_count(r); i++)
		if (!hap_pattern_read_status(r, i, NULL))
			break;
	return i;
}

static void show_print(struct cli *c, const struct hap_pattern_read *r, enum hap_pattern_kind kind)
{
	const struct hap_pattern_target *t = hap_pattern_read_target(r);
	size_t i, e, n = hap_pattern_read_count(r), first = first_read(r);
	int agree = hap_pattern_read_agree(r);
	struct hap_pattern_entry x;

	if (c->fmt == FMT_JSON) {
		struct jw w;

		jw_init(&w, stdout);
		jw_obj(&w);
		jw_key(&w, "file");
		jw_str(&w, t->file);
		jw_key(&w, "agree");
		jw_bool(&w, agree);
		jw_key(&w, "entries");
		if (agree) {
			jw_arr(&w);
			for (e = 0; e < hap_pattern_read_entry_count(r, first); e++) {
				hap_pattern_read_entry(&x, r, first, e);
				entry_json(&w, &x, kind, 0);
			}
			jw_end_arr(&w);
		} else {
			jw_null(&w);
		}
		jw_key(&w, "instances");
		jw_arr(&w);
		for (i = 0; i < n; i++) {
			const char *msg;
			int code = hap_pattern_read_status(r, i, &msg);

			jw_obj(&w);
			jw_key(&w, "endpoint");
			jw_str(&w, hap_pattern_read_instance(r, i));
			jw_key(&w, "result");
			jw_str(&w, read_word(code));
			if (code) {
				jw_key(&w, "message");
				jw_str(&w, msg);
			} else {
				jw_key(&w, "entries");
				jw_arr(&w);
				for (e = 0; e < hap_pattern_read_entry_count(r, i); e++) {
					hap_pattern_read_entry(&x, r, i, e);
					entry_json(&w, &x, kind, 1);
				}
				jw_end_arr(&w);
			}
			jw_end_obj(&w);
		}
		jw_end_arr(&w);
		jw_end_obj(&w);
		jw_done(&w);
		return;
	}
	if (agree) {
		const char *mh[2] = { "KEY", "VALUE" }, *ah[1] = { "PATTERN" };
		struct table *tb = table_new(kind == HAP_PATTERN_MAP ? 2 : 1,
		                             kind == HAP_PATTERN_MAP ? mh : ah);
		size_t nread = 0;

		for (i = 0; i < n; i++)
			nread += !hap_pattern_read_status(r, i, NULL);
		for (e = 0; e < hap_pattern_read_entry_count(r, first); e++) {
			const char *cells[2];
			char mark[4200];

			hap_pattern_read_entry(&x, r, first, e);
			cells[0] = x.key;
			cells[1] = x.value;
			if (kind == HAP_PATTERN_MAP && entry_ambiguous(&x)) {
				/* say the split is a guess, in the cell people read */
				snprintf(mark, sizeof(mark),
				         "%s (ambiguous: key or value holds a blank)", x.value);
				cells[1] = mark;
			}
			table_add(tb, cells);
		}
		read_error_rows(tb, kind == HAP_PATTERN_MAP ? 2 : 1, 0,
		                kind == HAP_PATTERN_MAP ? 1 : 0, r);
		table_print(tb, stdout, c->fmt == FMT_CSV);
		cli_err(c, "%s: the same %zu entr%s on %zu instance%s", t->file,
		        hap_pattern_read_entry_count(r, first),
		        hap_pattern_read_entry_count(r, first) == 1 ? "y" : "ies", nread,
		        nread == 1 ? "" : "s");
		return;
	}
	{
		const char *mh[4] = { "INSTANCE", "REF", "KEY", "VALUE" };
		const char *ah[3] = { "INSTANCE", "REF", "PATTERN" };
		struct table *tb = table_new(kind == HAP_PATTERN_MAP ? 4 : 3,
		                             kind == HAP_PATTERN_MAP ? mh : ah);
		char mark[4200];

		for (i = 0; i < n; i++) {
			if (hap_pattern_read_status(r, i, NULL))
				continue;
			for (e = 0; e < hap_pattern_read_entry_count(r, i); e++) {
				const char *cells[4];

				hap_pattern_read_entry(&x, r, i, e);
				cells[0] = hap_pattern_read_instance(r, i);
				cells[1] = x.ref;
				cells[2] = x.key;
				cells[3] = x.value;
				if (kind == HAP_PATTERN_MAP && entry_ambiguous(&x)) {
					snprintf(mark, sizeof(mark),
					         "%s (ambiguous: key or value holds a blank)",
					         x.value);
					cells[3] = mark;
				}
				table_add(tb, cells);
			}
		}
		read_error_rows(tb, kind == HAP_PATTERN_MAP ? 4 : 3, 0, 1, r);
		table_print(tb, stdout, c->fmt == FMT_CSV);
		if (first < n)
			cli_err(c, "%s: the instances hold different entries: shown per instance",
			        t->file);
	}
}

static void get_print(struct cli *c, const struct hap_pattern_read *r, const char *value)
{
	const struct hap_pattern_target *t = hap_pattern_read_target(r);
	size_t i, n = hap_pattern_read_count(r), first = first_read(r), nread = 0;
	int agree = hap_pattern_read_agree(r);
	const char *hdr[2] = { "INSTANCE", "ANSWER" }, *cells[2];
	struct table *tb;
	char all[64];

	for (i = 0; i < n; i++)
		nread += !hap_pattern_read_status(r, i, NULL);
	if (c->fmt == FMT_JSON) {
		struct jw w;

		jw_init(&w, stdout);
		jw_obj(&w);
		jw_key(&w, "file");
		jw_str(&w, t->file);
		jw_key(&w, "value");
		jw_str(&w, value);
		jw_key(&w, "agree");
		jw_bool(&w, agree);
		jw_key(&w, "answer");
		if (agree)
			jw_str(&w, hap_pattern_read_answer(r, first));
		else
			jw_null(&w);
		jw_key(&w, "instances");
		jw_arr(&w);
		for (i = 0; i < n; i++) {
			const char *msg;
			int code = hap_pattern_read_status(r, i, &msg);

			jw_obj(&w);
			jw_key(&w, "endpoint");
			jw_str(&w, hap_pattern_read_instance(r, i));
			jw_key(&w, "result");
			jw_str(&w, read_word(code));
			jw_key(&w, code ? "message" : "answer");
			jw_str(&w, code ? msg : hap_pattern_read_answer(r, i));
			jw_end_obj(&w);
		}
		jw_end_arr(&w);
		jw_end_obj(&w);
		jw_done(&w);
		return;
	}
	tb = table_new(2, hdr);
	if (agree) {
		snprintf(all, sizeof(all), "all %zu (agree)", nread);
		cells[0] = all;
		cells[1] = hap_pattern_read_answer(r, first);
		table_add(tb, cells);
	} else {
		for (i = 0; i < n; i++) {
			if (hap_pattern_read_status(r, i, NULL))
				continue;
			cells[0] = hap_pattern_read_instance(r, i);
			cells[1] = hap_pattern_read_answer(r, i);
			table_add(tb, cells);
		}
	}
	read_error_rows(tb, 2, 0, 1, r);
	table_print(tb, stdout, c->fmt == FMT_CSV);
	if (!agree && nread > 1)
		cli_err(c, "%s: the instances answer differently", t->file);
}

static int do_read(struct cli *c, struct hap_pattern_op *op)
{
	struct hap_error err = { 0, "" };
	struct hap_pattern_read *r = NULL;
	const struct hap_pattern_target *t;
	size_t bad;
	int ret = hap_pattern_op_check(op, &err);

	if (ret)
		return cli_usage(c, "%s", err.msg);
	ret = cli_fleet(c);
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

/* ------------------------------------------------------------------ changes */

static int do_change(struct cli *c, struct hap_pattern_op *op)
{
	static const char *const words[] = { "show",   "get",         "add to",
		                             "set in", "delete from", "clear" };
	struct hap_error err = { 0, "" };
	struct hap_pattern_target t;
	struct hap_plan *p = NULL;
	char what[4300];
	int ret = hap_pattern_op_check(op, &err);

	if (ret)
		return cli_usage(c, "%s", err.msg);
	ret = cli_fleet(c);
	if (ret)
		return ret;
	ret = hap_pattern_plan(&p, &t, c->h, op, &err);
	if (ret)
		return plan_error(c, ret, &err);
	if (*t.note)
		cli_err(c, "%s", t.note);
	not_holding(c, hap_plan_snapshot(p), op->kind, t.file, "not changed");
	snprintf(what, sizeof(what), "%s %s %s", words[op->verb], obj_name(op->kind), t.file);
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

	for (k = 0; k < hap_pattern_replace_count(r); k++) {
		char *text;
		size_t len;

		if (hap_pattern_replace_commands(&text, &len, r, k, &err)) {
			cli_err(c, "%s", err.msg);
			return EXIT_FAILED;
		}
		printf("==> %s (version %lu: next_ver + 1, as 'prepare' will make it)\n",
		       hap_pattern_replace_instance(r, k),
		       (unsigned long)hap_pattern_replace_version(r, k));
		fwrite(text, 1, len, stdout);
		free(text);
	}
	return EXIT_OK;
}

static void replace_print(struct cli *c, const struct hap_result *res,
                          const struct hap_pattern_file *f, const struct hap_pattern_replace *r,
                          double secs)
{
	size_t i, n = hap_result_count(res);

	if (c->fmt == FMT_JSON) {
		struct jw w;

		jw_init(&w, stdout);
		jw_obj(&w);
		jw_key(&w, "file");
		jw_str(&w, hap_pattern_replace_target(r)->file);
		jw_key(&w, "entries");
		jw_num(&w, (long long)hap_pattern_file_count(f));
		jw_key(&w, "requests");
		jw_num(&w, (long long)hap_pattern_replace_requests(r));
		jw_key(&w, "committed");
		jw_bool(&w, hap_result_failures(res) == 0);
		jw_key(&w, "milliseconds");
		jw_num(&w, (long long)(secs * 1000 + 0.5));
		jw_key(&w, "instances");
		jw_arr(&w);
		for (i = 0; i < n; i++) {
			jw_obj(&w);
			jw_key(&w, "endpoint");
			jw_str(&w, hap_result_instance(res, i));
			jw_key(&w, "result");
			jw_str(&w, hap_outcome_name(hap_result_outcome(res, i)));
			jw_key(&w, "why");
			if (hap_result_why(res, i))
				jw_str(&w, hap_why_name(hap_result_why(res, i)));
			else
				jw_null(&w);
			jw_key(&w, "version");
			jw_num(&w, (long long)hap_pattern_replace_version(r, i));
			jw_key(&w, "command");
			jw_str(&w, hap_result_command(res, i));
			jw_key(&w, "message");
			jw_str(&w, hap_result_message(res, i));
			jw_end_obj(&w);
		}
		jw_end_arr(&w);
		jw_end_obj(&w);
		jw_done(&w);
		return;
	}
	{
		const char *hdr[3] = { "INSTANCE", "RESULT", "MESSAGE" }, *cells[3];
		struct table *t = table_new(3, hdr);
		char wb[64];

		for (i = 0; i < n; i++) {
			cells[0] = hap_result_instance(res, i);
			cells[1] = replace_word(res, i, wb, sizeof(wb));
			cells[2] = hap_result_message(res, i);
			table_add(t, cells);
		}
		table_print(t, stdout, c->fmt == FMT_CSV);
	}
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

static int do_replace(struct cli *c, enum hap_pattern_kind kind, const char *id, const char *path)
{
	struct hap_error err = { 0, "" };
	struct hap_pattern_file *f = NULL;
	struct hap_pattern_replace *r = NULL;
	struct hap_result *res = NULL;
	const struct hap_snapshot *s;
	const struct hap_pattern_target *t;
	size_t i, n, bad, unreached = 0;
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
	s = hap_pattern_replace_snapshot(r);
	if (*t->note)
		cli_err(c, "%s", t->note);
	not_holding(c, s, kind, t->file, "not changed");
	for (i = 0; i < hap_snapshot_instance_count(s); i++) {
		const char *msg;

		if (hap_instance_status(s, i, &msg)) {
			cli_err(c, "%s: not reached: %s", hap_instance_name(s, i), msg);
			unreached++;
		}
	}
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
	ret = hap_pattern_replace_apply(&res, c->h, r, &err);
	if (ret) {
		cli_err(c, "%s", err.msg);
		ret = EXIT_FAILED;
		goto out;
	}
	replace_print(c, res, f, r, now_s() - t0);
	n = hap_result_count(res);
	bad = hap_result_failures(res);
	{
		size_t cnt[HAP_OUT_ERROR + 1] = { 0 };
		char wb[64];

		for (i = 0; i < n; i++) {
			int oc = hap_result_outcome(res, i);

			cnt[oc >= 0 && oc <= HAP_OUT_ERROR ? oc : HAP_OUT_ERROR]++;
			if (oc != HAP_OUT_APPLIED && oc != HAP_OUT_SENT)
				cli_err(c, "%s: %s: %s", hap_result_instance(res, i),
				        replace_word(res, i, wb, sizeof(wb)),
				        hap_result_message(res, i));
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
			cli_err(c,
			        "nothing committed: every instance keeps its current content of %s",
			        t->file);
		else
			cli_err(c,
			        "%s: %zu of %zu instances hold the new content (%zu applied, %zu "
			        "sent), %zu unknown, %zu superseded, %zu failed",
			        t->file, cnt[HAP_OUT_APPLIED] + cnt[HAP_OUT_SENT], n,
			        cnt[HAP_OUT_APPLIED], cnt[HAP_OUT_SENT], cnt[HAP_OUT_UNKNOWN],
			        cnt[HAP_OUT_SUPERSEDED],
			        n - cnt[HAP_OUT_APPLIED] - cnt[HAP_OUT_SENT] -
			                cnt[HAP_OUT_UNKNOWN] - cnt[HAP_OUT_SUPERSEDED]);
	}
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
		return do_list(c, kind, v, argc, argv);
	if (strcmp(v->name, "replace") == 0) {
		ret = args(c, kind, v, argc, argv, 2);
		return ret >= 0 ? ret : do_replace(c, kind, argv[optind], argv[optind + 1]);
	}
	if (strcmp(v->name, "show") == 0) {
		op.verb = HAP_PATTERN_SHOW;
		ret = args(c, kind, v, argc, argv, 1);
	} else if (strcmp(v->name, "get") == 0) {
		op.verb = HAP_PATTERN_GET;
		ret = args(c, kind, v, argc, argv, 2);
	} else if (strcmp(v->name, "add") == 0) {
		op.verb = HAP_PATTERN_ADD;
		ret = args(c, kind, v, argc, argv, map ? 3 : 2);
	} else if (strcmp(v->name, "set") == 0) {
		op.verb = HAP_PATTERN_SET;
		ret = args(c, kind, v, argc, argv, 3);
	} else if (strcmp(v->name, "del") == 0) {
		op.verb = HAP_PATTERN_DEL;
		ret = args(c, kind, v, argc, argv, 2);
	} else {
		op.verb = HAP_PATTERN_CLEAR;
		ret = args(c, kind, v, argc, argv, 1);
	}
	if (ret >= 0)
		return ret;
	op.id = argv[optind];
	if (argc - optind > 1)
		op.key = argv[optind + 1];
	if (argc - optind > 2)
		op.value = argv[optind + 2];
	if (op.verb == HAP_PATTERN_SHOW || op.verb == HAP_PATTERN_GET)
		return do_read(c, &op);
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
