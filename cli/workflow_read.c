/*
 * workflow_read.c - the reads of several servers (server list|show|metric
 * with several names or -b) and "server state save|diff". The changes and
 * the workflows are in cmd_workflow.c; both share workflow.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "rows.h"
#include "workflow.h"

static void file_name(char *out, size_t len, const char *dir, const char *inst)
{
	const char *base = strrchr(inst, '/');
	size_t n, i;

	base = base ? base + 1 : inst;
	n = (size_t)snprintf(out, len, "%s/%s", dir, base);
	if (n >= len)
		n = len - 1;
	/* "admin1.sock @!1234" -> "admin1-1234.state" */
	for (i = strlen(dir) + 1; i < n; i++)
		if (out[i] == ' ' || out[i] == '@' || out[i] == '!' || out[i] == ':' ||
		    out[i] == '/')
			out[i] = '-';
	{
		char *dot = strstr(out + strlen(dir) + 1, ".sock");

		if (dot)
			memmove(dot, dot + 5, strlen(dot + 5) + 1);
	}
	/* one '-' for a run of them */
	for (i = strlen(dir) + 1; out[i]; i++)
		while (out[i] == '-' && out[i + 1] == '-')
			memmove(out + i, out + i + 1, strlen(out + i + 1) + 1);
	n = strlen(out);
	while (n && out[n - 1] == '-')
		out[--n] = '\0';
	snprintf(out + n, len - n, ".state");
}

/* The file of one instance: DIR/NAME.state, or the one FILE given. */
static void save_path(char *path, size_t len, const char *arg, int isdir, const char *inst)
{
	if (isdir)
		file_name(path, len, arg, inst);
	else
		snprintf(path, len, "%s", arg);
}

/* Write one instance's state to path; cells[2..3] say how it went. 1 saved, 0 not. */
static int save_one(const char *path, const char *msg, int code, const char **cells)
{
	char tmp[4200];
	FILE *f;
	int ok = 0;

	if (code || strncmp(msg, "1\n", 2) != 0) {
		cells[2] = "error";
		cells[3] = msg;
		return 0;
	}
	/* written whole, then renamed: HAProxy never loads half a file */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f && fprintf(f, "%s\n", msg) >= 0 && fclose(f) == 0) {
		f = NULL;
		ok = rename(tmp, path) == 0;
	}
	if (f)
		fclose(f);
	cells[2] = ok ? "saved" : "error";
	cells[3] = ok ? "" : strerror(errno);
	if (!ok)
		unlink(tmp);
	return ok;
}

/* state save: the JSON says saved or not, the table how it went. */
enum { SV_INSTANCE, SV_FILE, SV_SAVED, SV_RESULT, SV_MESSAGE, SV_N };
static const struct col save_cols[SV_N] = {
	{ "INSTANCE", "endpoint", COL_TEXT }, { "FILE", "file", COL_TEXT },
	{ NULL, "saved", COL_TEXT },          { "RESULT", NULL, COL_OUTCOME },
	{ "MESSAGE", NULL, COL_TEXT },
};

/* server state save FILE|DIR */
static int state_save(struct cli *c, const char *arg)
{
	struct hap_error err = { 0, "" };
	struct hap_result *r = NULL;
	struct stat st;
	int isdir = stat(arg, &st) == 0 && S_ISDIR(st.st_mode);
	struct rows *t;
	size_t i, bad = 0;
	int ret;

	ret = cli_fleet(c);
	if (ret)
		return ret;
	if (hap_server_state_read(&r, c->h, &err)) {
		cli_err(c, "%s", err.msg);
		return EXIT_FAILED;
	}
	if (!isdir && hap_result_count(r) > 1) {
		hap_result_free(r);
		return cli_usage(c,
		                 "server state save: %s is not a directory and the fleet has "
		                 "several instances (give a directory: one file each)",
		                 arg);
	}
	t = rows_new(c, save_cols, SV_N, ROWS_ARRAY, NULL);
	for (i = 0; i < hap_result_count(r); i++) {
		char path[4096];
		const char *cells[4];
		int ok;

		save_path(path, sizeof(path), arg, isdir, hap_result_instance(r, i));
		cells[0] = hap_result_instance(r, i);
		cells[1] = path;
		ok = save_one(path, hap_result_message(r, i), hap_result_code(r, i), cells);
		bad += !ok;
		if (!ok)
			cli_err(c, "%s: %s: %s", cells[0], path, cells[3]);
		rows_row(t);
		rows_str(t, SV_INSTANCE, cells[0]);
		rows_str(t, SV_FILE, path);
		rows_bool(t, SV_SAVED, access(path, R_OK) == 0 && !hap_result_code(r, i));
		rows_str(t, SV_RESULT, cells[2]);
		rows_str(t, SV_MESSAGE, cells[3]);
	}
	rows_done(t);
	hap_result_free(r);
	return bad ? EXIT_FAILED : EXIT_OK;
}

/* state diff: one row per value that differs from the configuration. */
static void diff_rows(struct cli *c, const struct hap_state_diff *d, size_t n)
{
	enum { SD_INSTANCE, SD_BACKEND, SD_SERVER, SD_FIELD, SD_CONFIG, SD_RUNTIME, SD_N };
	static const struct col cols[SD_N] = {
		{ "INSTANCE", "endpoint", COL_TEXT }, { "BACKEND", "backend", COL_TEXT },
		{ "SERVER", "server", COL_TEXT },     { "FIELD", "field", COL_TEXT },
		{ "CONFIG", "config", COL_TEXT },     { "RUNTIME", "runtime", COL_TEXT },
	};
	struct rows *t = rows_new(c, cols, SD_N, ROWS_ARRAY, NULL);
	size_t i;

	for (i = 0; i < n; i++) {
		struct hap_state_change x;

		hap_state_diff_get(&x, d, i);
		rows_row(t);
		rows_str(t, SD_INSTANCE, hap_result_instance(hap_state_diff_result(d), x.instance));
		rows_str(t, SD_BACKEND, x.backend);
		rows_str(t, SD_SERVER, x.server);
		rows_str(t, SD_FIELD, x.field);
		rows_str(t, SD_CONFIG, x.config);
		rows_str(t, SD_RUNTIME, x.runtime);
	}
	rows_done(t);
}

/* server state diff */
static int state_diff(struct cli *c)
{
	struct hap_error err = { 0, "" };
	struct hap_state_diff *d = NULL;
	size_t i, n, bad;
	int ret;

	ret = cli_fleet(c);
	if (ret)
		return ret;
	if (hap_server_state_diff(&d, c->h, &err)) {
		cli_err(c, "%s", err.msg);
		return EXIT_FAILED;
	}
	n = hap_state_diff_count(d);
	diff_rows(c, d, n);
	for (i = 0, bad = 0; i < hap_result_count(hap_state_diff_result(d)); i++) {
		const struct hap_result *rd = hap_state_diff_result(d);

		if (!hap_result_code(rd, i))
			continue;
		cli_err(c, "%s: not read: %s", hap_result_instance(rd, i),
		        hap_result_message(rd, i));
		bad++;
	}
	hap_state_diff_free(d);
	return bad ? EXIT_FAILED : EXIT_OK;
}

int wf_state(struct cli *c, int argc, char **argv)
{
	const char *usage = "save FILE|DIR | diff";
	struct wf w;
	int ret = wf_parse(c, &w, argc, argv, usage);

	if (ret >= 0)
		return ret;
	if ((ret = wf_only(c, &w, 0, 0, 0, 0, 0)) >= 0)
		return ret;
	if (w.nargs == 2 && strcmp(w.args[0], "save") == 0)
		return state_save(c, w.args[1]);
	if (w.nargs == 1 && strcmp(w.args[0], "diff") == 0)
		return state_diff(c);
	return cli_usage(c, "usage: server state %s", usage);
}

/* ---------------------------------------------------------------- reads */

/* The names, backends and metric of a read are valid (no I/O): -1 to go on,
 * else a usage error. */
static int sel_read_check(struct cli *c, struct wf *w, const struct hap_server_sel *sel,
                          const char *metric)
{
	struct hap_error err = { 0, "" };
	size_t i;

	if (w->nnames && hap_server_sel_check(sel, &err))
		return cli_usage(c, "%s", err.msg);
	for (i = 0; i < w->nbackends; i++)
		if (hap_name_check("backend", w->backends[i], &err))
			return cli_usage(c, "%s", err.msg);
	if (metric) {
		for (i = 0; i < hap_known_field_count(HAP_OBJ_SERVER); i++)
			if (strcmp(hap_known_field(HAP_OBJ_SERVER, i), metric) == 0)
				break;
		if (i == hap_known_field_count(HAP_OBJ_SERVER))
			return cli_usage(c,
			                 "'%s' is not a server metric; see 'haproxyadmin server "
			                 "metrics'",
			                 metric);
	}
	return -1;
}

/* The servers of s the selection holds, into objs (cnt + 1 slots): their count. */
static size_t sel_collect(const struct hap_snapshot *s, struct wf *w,
                          const struct hap_server_sel *sel, const struct hap_object **objs,
                          size_t cnt)
{
	size_t i, k, n = 0;

	for (i = 0; i < cnt; i++) {
		const struct hap_object *o = hap_snapshot_object(s, HAP_OBJ_SERVER, i);
		int in = 0;

		if (w->nnames) {
			in = hap_server_sel_match(sel, hap_object_backend(o), hap_object_name(o));
		} else {
			for (k = 0; k < w->nbackends && !in; k++)
				in = strcmp(w->backends[k], hap_object_backend(o)) == 0;
			in |= !w->nbackends;
		}
		if (in)
			objs[n++] = o;
	}
	return n;
}

/* Every name (or backend) must be somewhere: a typo is not "nothing".
 * 0, or EXIT_NOTFOUND after one line per missing one. */
static int sel_missing(struct cli *c, struct wf *w, const struct hap_server_sel *sel,
                       const struct hap_object **objs, size_t n)
{
	size_t i, k;
	int ret = 0;

	for (i = 0; i < (w->nnames ? w->nnames : w->nbackends); i++) {
		struct hap_server_sel one = *sel;
		const char *what = w->nnames ? w->names[i] : w->backends[i];

		for (k = 0; k < n; k++) {
			if (w->nnames) {
				one.names = &w->names[i];
				one.nnames = 1;
				if (hap_server_sel_match(&one, hap_object_backend(objs[k]),
				                         hap_object_name(objs[k])))
					break;
			} else if (strcmp(hap_object_backend(objs[k]), what) == 0) {
				break;
			}
		}
		if (k == n) {
			cli_err(c,
			        w->nnames ? "no server '%s' on any instance%s"
			                  : "no backend '%s' with servers on any instance%s",
			        what, w->nnames && w->nbackends ? " (in the backends given)" : "");
			ret = EXIT_NOTFOUND;
		}
	}
	return ret;
}

/* list, show, metric over a selection (names optional for list). */
static int sel_read(struct cli *c, struct wf *w, const char *metric, enum obj_detail d)
{
	struct hap_server_sel sel;
	struct hap_snapshot *s = NULL;
	const struct hap_object **objs;
	size_t failed = 0, n, cnt;
	int ret;

	wf_sel_of(&sel, w);
	ret = sel_read_check(c, w, &sel, metric);
	if (ret >= 0)
		return ret;
	ret = cli_fleet(c);
	if (ret)
		return ret;
	ret = cli_snapshot(c, HAP_SNAP_SERVERS, &s, &failed);
	if (ret)
		return ret;
	cnt = hap_snapshot_count(s, HAP_OBJ_SERVER);
	objs = calloc(cnt + 1, sizeof(*objs));
	if (!objs) {
		hap_snapshot_free(s);
		cli_err(c, "out of memory");
		return EXIT_FAILED;
	}
	n = sel_collect(s, w, &sel, objs, cnt);
	ret = sel_missing(c, w, &sel, objs, n);
	return objects_report(c, s, objs, n, metric, d, ret, failed);
}

int wf_list(struct cli *c, int argc, char **argv)
{
	struct wf w;
	int ret = wf_parse(c, &w, argc, argv, "[NAME...] [-b BACKEND]...");

	if (ret >= 0)
		return ret;
	if ((ret = wf_only(c, &w, 0, 0, 0, 0, 1)) >= 0)
		return ret;
	if (w.nargs && (ret = wf_split_names(c, &w, 0, w.nargs)) >= 0)
		return ret;
	return sel_read(c, &w, NULL, DETAIL_SUMMARY);
}

int wf_show(struct cli *c, int argc, char **argv)
{
	struct wf w;
	int ret = wf_names(c, &w, argc, argv, "NAME... [-b BACKEND]...", 0, 0, 0, 0, 1);

	if (ret >= 0)
		return ret;
	return sel_read(c, &w, NULL, DETAIL_FULL);
}

int wf_metric(struct cli *c, int argc, char **argv)
{
	struct wf w;
	int ret = wf_parse(c, &w, argc, argv, "NAME... METRIC [-b BACKEND]...");

	if (ret >= 0)
		return ret;
	if ((ret = wf_only(c, &w, 0, 0, 0, 0, 1)) >= 0)
		return ret;
	if (w.nargs < 2)
		return cli_usage(c, "usage: server metric NAME... METRIC [-b BACKEND]...");
	if ((ret = wf_split_names(c, &w, 0, w.nargs - 1)) >= 0)
		return ret;
	return sel_read(c, &w, w.args[w.nargs - 1], DETAIL_FULL);
}

int wf_wants(int argc, char **argv, int nfixed)
{
	int i, pos = 0, nb = 0, slash = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-b") == 0 || strcmp(argv[i], "--backend") == 0) {
			nb++;
			i++;
		} else if (strncmp(argv[i], "--backend=", 10) == 0 ||
		           (strncmp(argv[i], "-b", 2) == 0 && argv[i][2])) {
			nb++;
		} else if (argv[i][0] != '-') {
			pos++;
			slash |= strchr(argv[i], '/') != NULL;
		}
	}
	return pos > nfixed || nb > 1 || slash;
}
