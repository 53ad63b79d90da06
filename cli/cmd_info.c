/*
 * cmd_info.c - "info" and "haproxy": what each instance's "show info"
 * says, aggregated, and the process-wide settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "rows.h"
#include "width.h"

int metrics_list(struct cli *c, int type)
{
	static const struct col cols[] = { { "METRIC", "name", COL_TEXT },
		                           { "RULE", "rule", COL_TEXT } };
	struct rows *r = rows_new(c, cols, 2, ROWS_ARRAY, NULL);
	size_t i, n = hap_known_field_count(type);

	for (i = 0; i < n; i++) {
		rows_row(r);
		rows_str(r, 0, hap_known_field(type, i));
		rows_str(r, 1, hap_rule_name(hap_field_rule(type, hap_known_field(type, i))));
	}
	rows_done(r);
	return EXIT_OK;
}

void info_json(struct jw *w, const struct hap_snapshot *s)
{
	size_t i, k, n = hap_snapshot_instance_count(s), nk = hap_snapshot_info_count(s);
	struct hap_value v;

	jw_obj(w);
	jw_key(w, "instances");
	jw_arr(w);
	for (i = 0; i < n; i++) {
		const char *msg = hap_result_message(hap_snapshot_result(s), i);
		unsigned fl = hap_instance_flags(s, i);
		int code = hap_result_code(hap_snapshot_result(s), i);

		jw_obj(w);
		jw_key(w, "endpoint");
		jw_str(w, hap_instance_name(s, i));
		jw_key(w, "ok");
		jw_bool(w, code == 0);
		if (code) {
			jw_key(w, "error");
			jw_str(w, msg);
		}
		jw_key(w, "old_worker");
		jw_bool(w, (fl & HAP_INST_OLD_WORKER) != 0);
		if (fl & HAP_INST_DUPLICATE) {
			jw_key(w, "duplicate_of");
			jw_str(w, hap_instance_name(s, hap_instance_duplicate_of(s, i)));
		}
		jw_key(w, "counted");
		jw_bool(w, code == 0 && !(fl & (HAP_INST_DUPLICATE | HAP_INST_EXCLUDED)));
		if (!code) {
			jw_key(w, "info");
			jw_obj(w);
			for (k = 0; k < nk; k++) {
				hap_snapshot_info(&v, s, i, hap_snapshot_info_key(s, k));
				if (v.kind == HAP_VALUE_ABSENT)
					continue;
				jw_key(w, hap_snapshot_info_key(s, k));
				jw_value(w, &v);
			}
			jw_end_obj(w);
		}
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_key(w, "aggregate");
	jw_obj(w);
	for (k = 0; k < nk; k++) {
		hap_snapshot_info(&v, s, HAP_AGGREGATE, hap_snapshot_info_key(s, k));
		if (v.kind == HAP_VALUE_ABSENT)
			continue;
		jw_key(w, hap_snapshot_info_key(s, k));
		jw_value(w, &v);
	}
	jw_end_obj(w);
	jw_key(w, "disagree");
	jw_arr(w);
	for (k = 0; k < nk; k++) {
		hap_snapshot_info(&v, s, HAP_AGGREGATE, hap_snapshot_info_key(s, k));
		if (v.kind == HAP_VALUE_DISAGREE)
			jw_str(w, hap_snapshot_info_key(s, k));
	}
	jw_end_arr(w);
	jw_end_obj(w);
}

/* The columns of "info" for people: show info keys, and a header. */
static const char *const info_cols[][2] = {
	{ "node", "NODE" },           { "Pid", "PID" },
	{ "Version", "VERSION" },     { "Uptime_sec", "UPTIME_SEC" },
	{ "CurrConns", "CURRCONNS" }, { "CumReq", "CUMREQ" },
	{ "Maxconn", "MAXCONN" },     { "ConnRate", "CONNRATE" },
	{ "SessRate", "SESSRATE" },   { "Stopping", "STOPPING" },
};

#define NINFO (sizeof(info_cols) / sizeof(info_cols[0]))

void info_print(struct cli *c, const struct hap_snapshot *s)
{
	size_t i, k, n = hap_snapshot_instance_count(s);
	const char *hdr[NINFO + 2], *cells[NINFO + 2];
	char bufs[NINFO + 2][256];
	struct hap_value v;
	struct table *t;
	int mixed = 0;

	if (c->fmt == FMT_JSON) {
		struct jw w;

		jw_init(&w, stdout);
		info_json(&w, s);
		jw_done(&w);
		return;
	}
	hdr[0] = "INSTANCE";
	for (k = 0; k < NINFO; k++)
		hdr[1 + k] = info_cols[k][1];
	hdr[NINFO + 1] = "NOTE";
	t = table_new(NINFO + 2, hdr);
	for (i = 0; i < n; i++) {
		const char *msg = hap_result_message(hap_snapshot_result(s), i);
		unsigned fl = hap_instance_flags(s, i);
		int code = hap_result_code(hap_snapshot_result(s), i);

		cells[0] = hap_instance_name(s, i);
		for (k = 0; k < NINFO; k++) {
			hap_snapshot_info(&v, s, i, info_cols[k][0]);
			cells[1 + k] = value_str(&v, bufs[1 + k], sizeof(bufs[1 + k]));
		}
		if (code)
			snprintf(bufs[NINFO + 1], sizeof(bufs[0]), "error: %s", msg);
		else if (fl & HAP_INST_DUPLICATE)
			snprintf(bufs[NINFO + 1], sizeof(bufs[0]), "same process as %s",
			         hap_instance_name(s, hap_instance_duplicate_of(s, i)));
		else if (fl & HAP_INST_OLD_WORKER)
			snprintf(bufs[NINFO + 1], sizeof(bufs[0]), "old worker%s",
			         (fl & HAP_INST_EXCLUDED) ? ", not counted" : "");
		else
			bufs[NINFO + 1][0] = '\0';
		cells[NINFO + 1] = bufs[NINFO + 1];
		table_add(t, cells);
	}
	snprintf(bufs[0], sizeof(bufs[0]), "(all %zu)", hap_snapshot_live_count(s));
	cells[0] = bufs[0];
	for (k = 0; k < NINFO; k++) {
		hap_snapshot_info(&v, s, HAP_AGGREGATE, info_cols[k][0]);
		mixed |= v.kind == HAP_VALUE_DISAGREE;
		cells[1 + k] = value_str(&v, bufs[1 + k], sizeof(bufs[1 + k]));
	}
	cells[NINFO + 1] = "";
	table_add(t, cells);
	table_print(t, stdout, c->fmt == FMT_CSV);
	if (mixed && c->fmt == FMT_TABLE)
		printf("* the instances disagree: see their rows\n");
}

int cmd_info(struct cli *c, int argc, char **argv)
{
	static const struct cli_verb v = { "", NULL, "",
		                           "Show every instance: node, pid, version, uptime, "
		                           "connections, requests, limits, rates." };
	struct hap_snapshot *s;
	size_t failed = 0;
	int ret;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: haproxyadmin info\n\n");
		wrap_print(stdout, "", "", v.summary, HELP_WIDTH);
		return EXIT_OK;
	}
	if (argc > 1)
		return cli_usage(c, "info takes no argument");
	ret = cli_snapshot(c, 0, &s, &failed);
	if (ret)
		return ret;
	info_print(c, s);
	hap_snapshot_free(s);
	return failed ? EXIT_FAILED : EXIT_OK;
}

static int haproxy_info(struct cli *c, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cli_usage(c, "haproxy info takes no argument");
	return cmd_info(c, 1, argv);
}

static int haproxy_metric(struct cli *c, int argc, char **argv)
{
	struct hap_snapshot *s;
	struct hap_value v;
	size_t failed = 0, i, n;
	struct col cols[MC_N];
	struct rows *r;
	const char *key;
	int ret;

	if (argc != 2)
		return cli_usage(c, "usage: haproxy metric NAME (see 'haproxy metrics')");
	key = argv[1];
	ret = cli_snapshot(c, 0, &s, &failed);
	if (ret)
		return ret;
	n = hap_snapshot_instance_count(s);
	hap_snapshot_info(&v, s, HAP_AGGREGATE, key);
	if (v.kind == HAP_VALUE_ABSENT) {
		int any = 0;

		for (i = 0; i < n && !any; i++) {
			struct hap_value iv;

			hap_snapshot_info(&iv, s, i, key);
			any = iv.kind != HAP_VALUE_ABSENT;
		}
		if (!any) {
			cli_err(c, "no instance reports a metric named '%s'", key);
			hap_snapshot_free(s);
			return EXIT_NOTFOUND;
		}
	}
	r = metric_rows_new(c, cols, key, 0, 0, ROWS_ONE);
	rows_row(r);
	metric_rows_all(r, -1, key, &v);
	for (i = 0; i < n; i++) {
		if (hap_result_code(hap_snapshot_result(s), i))
			continue;
		hap_snapshot_info(&v, s, i, key);
		metric_rows_one(r, hap_instance_name(s, i), &v);
	}
	rows_unreached(r, s, MC_INSTANCE, MC_VALUE);
	rows_done(r);
	hap_snapshot_free(s);
	return failed ? EXIT_FAILED : EXIT_OK;
}

static int haproxy_metrics(struct cli *c, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cli_usage(c, "haproxy metrics takes no argument");
	return metrics_list(c, -1);
}

/* A raw reply for a terminal: lines and tabs kept, other control bytes
 * (a hostile peer's escape sequences) shown as \xNN. */
static void print_raw(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
			printf("\\x%02x", ch);
		else
			putchar(ch);
	}
	putchar('\n');
}

/* exec for people: each instance's reply under its name. Returns the
 * number of refusals. */
static size_t exec_text(struct cli *c, const struct hap_result *r)
{
	size_t i, refused = 0;

	for (i = 0; i < hap_result_count(r); i++) {
		if (hap_result_code(r, i)) {
			cli_err(c, "%s: %s", hap_result_instance(r, i), hap_result_message(r, i));
			/* a row of the output too, not only a line on stderr */
			printf("==> %s <== unreached\n", hap_result_instance(r, i));
			print_raw(hap_result_message(r, i));
			continue;
		}
		if (guard_exec_refusal(hap_result_message(r, i))) {
			refused++;
			printf("==> %s <== refused\n", hap_result_instance(r, i));
		} else {
			printf("==> %s <==\n", hap_result_instance(r, i));
		}
		print_raw(hap_result_message(r, i));
	}
	return refused;
}

/* exec as rows (JSON, CSV): endpoint, ok, refused, output or error. */
static size_t exec_rows(struct cli *c, const struct hap_result *r)
{
	static const struct col cols[] = {
		{ "INSTANCE", "endpoint", COL_TEXT }, { "OK", "ok", COL_TEXT },
		{ "REFUSED", "refused", COL_TEXT },   { "ERROR", "error", COL_TEXT },
		{ "OUTPUT", "output", COL_TEXT },
	};
	struct rows *rw = rows_new(c, cols, 5, ROWS_ARRAY, NULL);
	size_t i, refused = 0;

	for (i = 0; i < hap_result_count(r); i++) {
		int code = hap_result_code(r, i);
		int no = !code && guard_exec_refusal(hap_result_message(r, i));

		rows_row(rw);
		rows_str(rw, 0, hap_result_instance(r, i));
		rows_bool(rw, 1, code == 0 && !no);
		rows_bool(rw, 2, no);
		rows_str(rw, code ? 3 : 4, hap_result_message(r, i));
		if (code && c->fmt != FMT_JSON) /* JSON says it in the row */
			cli_err(c, "%s: %s", hap_result_instance(r, i), hap_result_message(r, i));
		refused += no;
	}
	rows_done(rw);
	return refused;
}

static int haproxy_exec(struct cli *c, int argc, char **argv)
{
	struct hap_error err = { 0, "" };
	struct hap_result *r;
	size_t n, refused = 0;
	int ret;

	if (argc != 2)
		return cli_usage(c, "usage: haproxy exec 'RAW COMMAND' (one argument)");
	if (!*argv[1] || strpbrk(argv[1], "\n\r"))
		return cli_usage(c, "haproxy exec: the command must be one non-empty line");
	ret = cli_fleet(c);
	if (ret)
		return ret;
	if (c->dry_run) {
		printf("%s\n", argv[1]);
		return EXIT_OK;
	}
	ret = hap_exec(&r, c->h, argv[1], &err);
	if (ret) {
		cli_err(c, "%s", err.msg);
		return ret == HAP_EINVAL ? EXIT_USAGE : EXIT_FAILED;
	}
	n = hap_result_count(r);
	refused = c->fmt == FMT_TABLE ? exec_text(c, r) : exec_rows(c, r);
	if (refused)
		cli_err(c, "HAProxy refused the command on %zu instance%s", refused,
		        refused == 1 ? "" : "s");
	ret = hap_result_failures(r) == n && n    ? EXIT_UNREACHABLE
	      : hap_result_failures(r) || refused ? EXIT_FAILED
	                                          : EXIT_OK;
	hap_result_free(r);
	return ret;
}

static int global_change(struct cli *c, struct hap_global_op *op, const char *field,
                         const char *what)
{
	struct hap_error err = { 0, "" };
	struct hap_plan *p = NULL;
	int ret = hap_global_op_check(op, &err);

	if (ret)
		return cli_usage(c, "%s", err.msg);
	ret = cli_fleet(c);
	if (ret)
		return ret;
	ret = hap_global_plan(&p, c->h, op, &err);
	if (ret)
		return plan_error(c, ret, &err);
	ret = change_run(c, p, -1, field, NULL, what);
	hap_plan_free(p);
	return ret;
}

static int haproxy_set(struct cli *c, int argc, char **argv)
{
	static const struct {
		const char *name;
		enum hap_global_change ch;
		const char *field;
	} rl[] = {
		{ "connections", HAP_GLOBAL_RATE_CONNECTIONS, "ConnRateLimit" },
		{ "sessions", HAP_GLOBAL_RATE_SESSIONS, "SessRateLimit" },
		{ "ssl-sessions", HAP_GLOBAL_RATE_SSL_SESSIONS, "SslRateLimit" },
		{ "http-compression", HAP_GLOBAL_RATE_HTTP_COMPRESSION, "CompressBpsRateLim" },
	};
	struct hap_global_op op;
	size_t i;

	memset(&op, 0, sizeof(op));
	if (argc == 3 && strcmp(argv[1], "maxconn") == 0) {
		op.change = HAP_GLOBAL_MAXCONN;
		op.value = argv[2];
		return global_change(c, &op, "Maxconn", "set maxconn");
	}
	if (argc == 4 && strcmp(argv[1], "rate-limit") == 0) {
		for (i = 0; i < sizeof(rl) / sizeof(rl[0]); i++)
			if (strcmp(rl[i].name, argv[2]) == 0) {
				op.change = rl[i].ch;
				op.value = argv[3];
				return global_change(c, &op, rl[i].field, "set a rate limit");
			}
		return cli_usage(c,
		                 "haproxy set rate-limit: unknown limit '%s' (connections, "
		                 "sessions, ssl-sessions, http-compression)",
		                 argv[2]);
	}
	return cli_usage(c, "usage: haproxy set maxconn N | haproxy set rate-limit "
	                    "connections|sessions|ssl-sessions|http-compression N");
}

static int haproxy_clear(struct cli *c, int argc, char **argv)
{
	struct hap_global_op op;

	memset(&op, 0, sizeof(op));
	if (argc == 1)
		op.change = HAP_GLOBAL_CLEAR_COUNTERS;
	else if (argc == 2 && strcmp(argv[1], "--all") == 0)
		op.change = HAP_GLOBAL_CLEAR_COUNTERS_ALL;
	else
		return cli_usage(c, "usage: haproxy clear-counters [--all]");
	return global_change(c, &op, NULL,
	                     op.change == HAP_GLOBAL_CLEAR_COUNTERS ? "clear the maximum counters"
	                                                            : "clear all counters");
}

static int haproxy_errors(struct cli *c, int argc, char **argv)
{
	char *args[] = { (char *)"exec", (char *)"show errors", NULL };

	(void)argv;
	if (argc != 1)
		return cli_usage(c, "usage: haproxy errors");
	return haproxy_exec(c, 2, args);
}

static const struct cli_verb haproxy_verbs[] = {
	{ "info", haproxy_info, "", "The same as 'haproxyadmin info'." },
	{ "metric", haproxy_metric, "NAME",
	  "A 'show info' value aggregated across instances, and each instance's own." },
	{ "metrics", haproxy_metrics, "", "The 'show info' metrics and how each is aggregated." },
	{ "set", haproxy_set,
	  "maxconn N | rate-limit connections|sessions|ssl-sessions|http-compression N",
	  "Set a process-wide limit on every instance (read back with 'info')." },
	{ "clear-counters", haproxy_clear, "[--all]",
	  "Reset the maximum counters (--all: every counter) on every instance." },
	{ "errors", haproxy_errors, "", "The last request/response errors of each instance." },
	{ "exec", haproxy_exec, "'RAW COMMAND'",
	  "Send one raw runtime command to every instance; print each reply under its "
	  "instance's name." },
	{ NULL, NULL, NULL, NULL },
};

int cmd_haproxy(struct cli *c, int argc, char **argv)
{
	return cli_dispatch(c, "haproxy", haproxy_verbs, argc, argv);
}
