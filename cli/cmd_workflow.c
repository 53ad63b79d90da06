/*
 * cmd_workflow.c - the server commands that take several servers (names,
 * BACKEND/SERVER, several -b), and the fleet workflows: drain [--wait],
 * wait, add, del, remove, state save|diff. Everything goes through the
 * library; this file parses, confirms, shows progress and reports (the
 * changes, drain and wait); cmd_dynsrv.c has add/del/remove and
 * workflow_read.c the reads and the state files.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "rows.h"
#include "workflow.h"

static int seconds(struct cli *c, const char *opt, const char *v, double *out)
{
	double d;

	if (hap_decimal_parse(&d, v, 0, 86400))
		return cli_usage(c, "server: invalid %s '%s' (seconds, 0..86400)", opt, v);
	*out = d;
	return -1;
}

/* Options of every workflow verb. -1 to go on, else an exit status. */
int wf_parse(struct cli *c, struct wf *w, int argc, char **argv, const char *usage)
{
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "backend", required_argument, NULL, 'b' },
		{ "wait", optional_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ "keep-partial", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	int o, ret;

	memset(w, 0, sizeof(*w));
	w->verb = argv[0];
	w->wait_s = 30;
	w->interval = 0.5;
	w->timeout = 30;
	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+hb:", lopts, NULL)) != -1 || optind < argc) {
		if (o == -1 && optind > 0 && strcmp(argv[optind - 1], "--") == 0) {
			/* after "--" everything is a positional (e.g. "weight -- -1") */
			while (optind < argc && w->nargs < MAXARGS)
				w->args[w->nargs++] = argv[optind++];
			if (optind < argc)
				return cli_usage(c, "server %s: too many arguments", w->verb);
			break;
		}
		if (o == -1) {
			/* a positional: keep it, go on parsing options after it */
			if (w->nargs == MAXARGS)
				return cli_usage(c, "server %s: too many arguments", w->verb);
			w->args[w->nargs++] = argv[optind++];
			continue;
		}
		switch (o) {
		case 'h':
			printf("usage: haproxyadmin server %s %s\n", w->verb, usage);
			return EXIT_OK;
		case 'b':
			if (w->nbackends == MAXARGS)
				return cli_usage(c, "server %s: too many -b", w->verb);
			w->backends[w->nbackends++] = optarg;
			break;
		case 'w':
			w->wait = 1;
			/* "--wait 5" as well as "--wait=5" (a server is rarely named 5) */
			if (!optarg && optind < argc && argv[optind][0] >= '0' &&
			    argv[optind][0] <= '9' &&
			    strspn(argv[optind], "0123456789.") == strlen(argv[optind]))
				optarg = argv[optind++];
			if (optarg && (ret = seconds(c, "--wait", optarg, &w->wait_s)) >= 0)
				return ret;
			break;
		case 'i':
			if ((ret = seconds(c, "--interval", optarg, &w->interval)) >= 0)
				return ret;
			if (w->interval < 0.05)
				return cli_usage(c, "server %s: --interval is at least 0.05 s",
				                 w->verb);
			break;
		case 't':
			if ((ret = seconds(c, "--timeout", optarg, &w->timeout)) >= 0)
				return ret;
			break;
		case 'k':
			w->keep_partial = 1;
			break;
		default:
			if (optopt == 'b')
				return cli_usage(c, "server %s: -b needs a backend name", w->verb);
			return cli_usage(c, "server %s: unknown option '%s'", w->verb,
			                 argv[optind - 1]);
		}
	}
	return -1;
}

/* Which options a verb takes: refuse the others (never silently ignored). */
int wf_only(struct cli *c, const struct wf *w, int wait, int interval, int timeout, int keep,
            int backends)
{
	if ((w->wait && !wait) || (w->interval != 0.5 && !interval) ||
	    (w->timeout != 30 && !timeout) || (w->keep_partial && !keep) ||
	    (w->nbackends && !backends))
		return cli_usage(c,
		                 "server %s: an option given does not apply to this verb "
		                 "(see --help)",
		                 w->verb);
	return -1;
}

void wf_sel_of(struct hap_server_sel *sel, const struct wf *w)
{
	sel->names = w->names;
	sel->nnames = w->nnames;
	sel->backends = w->backends;
	sel->nbackends = w->nbackends;
}

int wf_ms(double s)
{
	return (int)(s * 1000 + 0.5);
}

/* ---------------------------------------------------------------- report */

static int failed_before(const struct hap_result *r, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (hap_result_code(r, j))
			return 1;
	return 0;
}

/* The step of a result row, from its command. */
static const char *step_of(const struct hap_result *r, size_t i, char *buf, size_t len)
{
	const char *cmd = hap_result_command(r, i);
	const char *st = strstr(cmd, " state ");

	if (strncmp(cmd, "add server", 10) == 0)
		return "add";
	if (strncmp(cmd, "del server", 10) == 0)
		return failed_before(r, i) &&
		                       strncmp(hap_result_command(r, 0), "add server", 10) == 0
		               ? "rollback"
		               : "del";
	if (strncmp(cmd, "enable health", 13) == 0)
		return "enable-health";
	if (strncmp(cmd, "enable agent", 12) == 0)
		return "enable-agent";
	if (strncmp(cmd, "enable server", 13) == 0)
		return "enable";
	if (strncmp(cmd, "wait ", 5) == 0)
		return "wait";
	if (strncmp(cmd, "set server", 10) == 0 && st) {
		snprintf(buf, len, "%s%s", failed_before(r, i) ? "restore-" : "", st + 7);
		return buf;
	}
	return cmd;
}

static const char *word_of(const struct hap_result *r, size_t i)
{
	int code = hap_result_code(r, i);

	if (strncmp(hap_result_command(r, i), "wait ", 5) == 0)
		return code ? "timeout" : "met";
	switch (code) {
	case 0:
		return "sent";
	case HAP_EREFUSED:
		return "refused";
	case HAP_ENOTFOUND:
		return "not-found";
	case HAP_EPARTIAL:
		return "partial";
	case HAP_EPERM:
		return "denied";
	case HAP_EUNKNOWN:
		return "unknown";
	case HAP_ESUPERSEDED:
		return "superseded";
	}
	return "error";
}

/* A workflow's report: its steps, then the verify rows. */
enum { WF_OBJECT, WF_INSTANCE, WF_STEP, WF_COMMAND, WF_RESULT, WF_SENT, WF_MESSAGE, WF_N };
static const struct col wf_cols[WF_N] = {
	{ "OBJECT", "object", COL_TEXT },    { "INSTANCE", "endpoint", COL_TEXT },
	{ "STEP", "step", COL_TEXT },        { NULL, "command", COL_TEXT },
	{ "RESULT", "result", COL_OUTCOME }, { NULL, "sent", COL_TEXT },
	{ "MESSAGE", "message", COL_TEXT },
};

void wf_report(struct cli *c, const struct hap_result *r, const struct vrow *v, size_t nv)
{
	size_t i, n = r ? hap_result_count(r) : 0;
	struct rows *t;
	char sb[64];

	t = rows_new(c, wf_cols, WF_N, ROWS_ARRAY, NULL);
	for (i = 0; i < n + nv; i++) {
		rows_row(t);
		rows_str(t, WF_OBJECT, i < n ? hap_result_object(r, i) : v[i - n].object);
		rows_str(t, WF_INSTANCE, i < n ? hap_result_instance(r, i) : v[i - n].instance);
		rows_str(t, WF_STEP, i < n ? step_of(r, i, sb, sizeof(sb)) : "verify");
		if (i < n)
			rows_str(t, WF_COMMAND, hap_result_command(r, i));
		else
			rows_null(t, WF_COMMAND);
		rows_str(t, WF_RESULT, i < n ? word_of(r, i) : v[i - n].ok ? "applied" : "error");
		rows_bool(t, WF_SENT, i < n ? hap_result_sent(r, i) : 0);
		rows_str(t, WF_MESSAGE, i < n ? hap_result_message(r, i) : v[i - n].msg);
	}
	rows_done(t);
	for (i = 0; i < n; i++)
		if (hap_result_code(r, i))
			cli_err(c, "%s: %s: %s: %s: %s", hap_result_instance(r, i),
			        hap_result_object(r, i), step_of(r, i, sb, sizeof(sb)),
			        word_of(r, i), hap_result_message(r, i));
	for (i = 0; i < nv; i++)
		if (!v[i].ok)
			cli_err(c, "%s: %s: verify: %s", v[i].instance, v[i].object, v[i].msg);
}

int wf_exit_of(const struct hap_result *r, const struct vrow *v, size_t nv)
{
	size_t i;

	if (r && hap_result_failures(r))
		return EXIT_FAILED;
	for (i = 0; i < nv; i++)
		if (!v[i].ok)
			return EXIT_FAILED;
	return EXIT_OK;
}

int wf_confirm(struct cli *c, const char *what, size_t objects)
{
	char line[16];

	if (c->yes || objects <= 1)
		return 0;
	if (!isatty(STDIN_FILENO)) {
		cli_err(c, "refusing to %s (%zu servers) without --yes (no terminal to ask)", what,
		        objects);
		return EXIT_USAGE;
	}
	fprintf(stderr, "%s (%zu servers)? [y/N] ", what, objects);
	if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y')) {
		cli_err(c, "nothing changed");
		return EXIT_USAGE;
	}
	return 0;
}

/* ---------------------------------------------------------------- verbs */

int wf_split_names(struct cli *c, struct wf *w, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		w->names[w->nnames++] = w->args[i];
	if (!w->nnames)
		return cli_usage(c, "server %s: a server name is needed", w->verb);
	return -1;
}

int wf_names(struct cli *c, struct wf *w, int argc, char **argv, const char *usage, int wait,
             int interval, int timeout, int keep, int backends)
{
	int ret = wf_parse(c, w, argc, argv, usage);

	if (ret >= 0)
		return ret;
	if ((ret = wf_only(c, w, wait, interval, timeout, keep, backends)) >= 0)
		return ret;
	return wf_split_names(c, w, 0, w->nargs);
}

int wf_selection(struct cli *c, const struct wf *w, struct hap_server_sel *sel)
{
	wf_sel_of(sel, w);
	return wf_sel_ready(c, sel);
}

int wf_sel_ready(struct cli *c, const struct hap_server_sel *sel)
{
	struct hap_error err = { 0, "" };

	if (hap_server_sel_check(sel, &err))
		return cli_usage(c, "%s", err.msg);
	return cli_fleet(c);
}

/* change over a selection: set, enable, disable, shutdown-sessions, check... */
static int change(struct cli *c, struct wf *w, struct hap_server_op *op, const char *field,
                  const char *what)
{
	struct hap_server_sel sel;
	struct hap_error err = { 0, "" };
	struct hap_plan *p = NULL;
	char b[512];
	int ret;

	wf_sel_of(&sel, w);
	op->server = "x";
	ret = hap_server_op_check(op, &err);
	if (ret)
		return cli_usage(c, "%s", err.msg);
	ret = wf_sel_ready(c, &sel);
	if (ret)
		return ret;
	ret = hap_servers_plan(&p, c->h, op, &sel, &err);
	if (ret)
		return plan_error(c, ret, &err);
	{
		/* the read-back reads one backend when the plan is in one */
		const char *one = NULL;
		size_t i;

		for (i = 0; i < hap_plan_count(p); i++) {
			const char *be = NULL;

			hap_plan_object_ref(p, i, &be, NULL);
			if (!be || strlen(be) >= sizeof(b)) {
				one = NULL;
				break;
			}
			if (!one) {
				snprintf(b, sizeof(b), "%s", be);
				one = b;
			} else if (strcmp(b, be) != 0) {
				one = NULL;
				break;
			}
		}
		/* a weight that ends at 0 takes servers out: disruptive */
		if (op->change == HAP_SERVER_WEIGHT && op->value && !c->yes && !c->dry_run)
			c->disruptive = guard_weight_zero(c, p, op->value, one);
		ret = change_run(c, p, HAP_OBJ_SERVER, field, one, what);
	}
	hap_plan_free(p);
	return ret;
}

int wf_set(struct cli *c, int argc, char **argv)
{
	static const struct {
		const char *key;
		enum hap_server_change ch;
		const char *field;
	} keys[] = {
		{ "weight", HAP_SERVER_WEIGHT, "weight" },
		{ "state", HAP_SERVER_STATE, "status" },
		{ "addr", HAP_SERVER_ADDR, "addr" },
		{ "health", HAP_SERVER_HEALTH, "status" },
		{ "agent", HAP_SERVER_AGENT, "agent_health" },
		{ "maxconn", HAP_SERVER_MAXCONN, "slim" },
	};
	const char *usage = "NAME... [-b BACKEND]... weight N|N% | state ready|drain|maint | "
	                    "addr IP [port PORT] | health up|stopping|down | agent up|down | "
	                    "maxconn N";
	struct hap_server_op op;
	struct wf w;
	char what[160];
	size_t k, i, n;
	int ret = wf_parse(c, &w, argc, argv, usage);

	if (ret >= 0)
		return ret;
	if ((ret = wf_only(c, &w, 0, 0, 0, 0, 1)) >= 0)
		return ret;
	n = w.nargs;
	memset(&op, 0, sizeof(op));
	/* the setting is the last "KEY VALUE" (or "addr IP port P"): names before it */
	if (n >= 5 && strcmp(w.args[n - 4], "addr") == 0 && strcmp(w.args[n - 2], "port") == 0) {
		k = n - 4;
		op.port = w.args[n - 1];
	} else if (n >= 3) {
		k = n - 2;
	} else {
		return cli_usage(c, "usage: server set %s", usage);
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].key, w.args[k]) == 0)
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		return cli_usage(c,
		                 "server set: unknown setting '%s' (weight, state, addr, health, "
		                 "agent, maxconn)",
		                 w.args[k]);
	op.change = keys[i].ch;
	op.value = w.args[k + 1];
	if ((ret = wf_split_names(c, &w, 0, k)) >= 0)
		return ret;
	snprintf(what, sizeof(what), "set %s %s of %zu server name(s)", keys[i].key, op.value,
	         w.nnames);
	return change(c, &w, &op, keys[i].field, what);
}

/* enable, disable, shutdown-sessions (no value); check, agent-check (enable|disable) */
int wf_simple(struct cli *c, int argc, char **argv)
{
	struct hap_server_op op;
	struct wf w;
	int value = strcmp(argv[0], "check") == 0 || strcmp(argv[0], "agent-check") == 0;
	int ret = wf_parse(c, &w, argc, argv,
	                   value ? "NAME... [-b BACKEND]... enable|disable"
	                         : "NAME... [-b BACKEND]...");
	char what[96];

	if (ret >= 0)
		return ret;
	if ((ret = wf_only(c, &w, 0, 0, 0, 0, 1)) >= 0)
		return ret;
	memset(&op, 0, sizeof(op));
	if (value) {
		if (w.nargs < 2)
			return cli_usage(c,
			                 "usage: server %s NAME... [-b BACKEND]... enable|disable",
			                 w.verb);
		op.value = w.args[w.nargs - 1];
		op.change = argv[0][0] == 'c' ? HAP_SERVER_CHECK : HAP_SERVER_AGENT_CHECK;
		ret = wf_split_names(c, &w, 0, w.nargs - 1);
		snprintf(what, sizeof(what), "%s %s", op.value, w.verb);
	} else {
		op.change = strcmp(argv[0], "enable") == 0    ? HAP_SERVER_ENABLE
		            : strcmp(argv[0], "disable") == 0 ? HAP_SERVER_DISABLE
		                                              : HAP_SERVER_SHUTDOWN_SESSIONS;
		ret = wf_split_names(c, &w, 0, w.nargs);
		snprintf(what, sizeof(what), "%s servers", w.verb);
	}
	if (ret >= 0)
		return ret;
	return change(c, &w, &op,
	              op.change == HAP_SERVER_SHUTDOWN_SESSIONS ? "scur"
	              : op.change == HAP_SERVER_AGENT_CHECK     ? "agent_status"
	              : op.change == HAP_SERVER_CHECK           ? "check_status"
	                                                        : "status",
	              what);
}

static int do_wait(struct cli *c, const struct hap_server_sel *sel, enum hap_wait_cond cond,
                   double timeout, double interval, int print)
{
	struct hap_error err = { 0, "" };
	struct hap_wait *wt = NULL;
	int ret;

	ret = hap_server_wait(&wt, c->h, sel, cond, wf_ms(timeout), wf_ms(interval), wf_progress, c,
	                      &err);
	wf_progress_end();
	if (print && wt)
		wf_wait_print(c, wt);
	if (ret == HAP_ETIMEDOUT) {
		cli_err(c, "%s", err.msg);
		wf_wait_blame(c, wt, cond);
	} else if (ret) {
		cli_err(c, "%s", err.msg);
	}
	hap_wait_free(wt);
	if (!ret)
		return EXIT_OK;
	return ret == HAP_ENOTFOUND ? EXIT_NOTFOUND : EXIT_FAILED;
}

int wf_wait(struct cli *c, int argc, char **argv)
{
	const char *usage = "NAME... [-b BACKEND]... empty|up|down|maint|ready [--timeout S] "
	                    "[--interval S]";
	struct hap_server_sel sel;
	enum hap_wait_cond cond;
	struct wf w;
	int ret = wf_parse(c, &w, argc, argv, usage);

	if (ret >= 0)
		return ret;
	if ((ret = wf_only(c, &w, 0, 1, 1, 0, 1)) >= 0)
		return ret;
	if (w.nargs < 2 || hap_wait_cond_parse(&cond, w.args[w.nargs - 1]))
		return cli_usage(c, "usage: server wait %s", usage);
	if ((ret = wf_split_names(c, &w, 0, w.nargs - 1)) >= 0)
		return ret;
	ret = wf_selection(c, &w, &sel);
	if (ret)
		return ret;
	return do_wait(c, &sel, cond, w.timeout, w.interval, 1);
}

int wf_drain(struct cli *c, int argc, char **argv)
{
	const char *usage = "NAME... [-b BACKEND]... [--wait[=SECONDS]] [--interval S]";
	struct hap_server_op op = { HAP_SERVER_STATE, NULL, NULL, "drain", NULL };
	struct hap_error err = { 0, "" };
	struct hap_server_sel sel;
	struct hap_result *r = NULL;
	struct hap_plan *p = NULL;
	struct wf w;
	int ret = wf_names(c, &w, argc, argv, usage, 1, 1, 0, 0, 1);

	if (ret >= 0)
		return ret;
	ret = wf_selection(c, &w, &sel);
	if (ret)
		return ret;
	ret = hap_servers_plan(&p, c->h, &op, &sel, &err);
	if (ret)
		return plan_error(c, ret, &err);
	if (c->dry_run) {
		change_dry_run(p);
		if (w.wait)
			printf("# then poll scur and qcur every %.2fs for up to %.0fs\n",
			       w.interval, w.wait_s);
		hap_plan_free(p);
		return EXIT_OK;
	}
	ret = wf_confirm(c, "drain", hap_plan_objects(p));
	if (ret)
		goto out;
	ret = hap_plan_apply(&r, p, &err);
	if (ret) {
		cli_err(c, "%s", err.msg);
		ret = EXIT_FAILED;
		goto out;
	}
	if (w.wait && !hap_result_failures(r)) {
		struct hap_wait *wt = NULL;
		int wr = hap_server_wait(&wt, c->h, &sel, HAP_WAIT_EMPTY, wf_ms(w.wait_s),
		                         wf_ms(w.interval), wf_progress, c, &err);
		wf_progress_end();
		/* the drain rows, then the sessions left per instance (JSON: one
		 * document, {"drain": [...], "wait": [...]}) */
		ret = wf_exit_of(r, NULL, 0);
		if (c->fmt == FMT_JSON) {
			printf("{\"drain\":");
			fflush(stdout);
		}
		wf_report(c, r, NULL, 0);
		if (c->fmt == FMT_JSON) {
			printf(",\"wait\":");
			fflush(stdout);
		} else if (c->fmt == FMT_TABLE) {
			printf("\n");
		}
		if (wt)
			wf_wait_print(c, wt);
		else if (c->fmt == FMT_JSON)
			printf("[]");
		if (c->fmt == FMT_JSON)
			printf("}\n");
		if (wr == HAP_ETIMEDOUT) {
			cli_err(c, "drain: %s; the servers stay draining", err.msg);
			wf_wait_blame(c, wt, HAP_WAIT_EMPTY);
			ret = EXIT_FAILED;
		} else if (wr) {
			cli_err(c, "%s", err.msg);
			ret = EXIT_FAILED;
		}
		hap_wait_free(wt);
		goto out;
	}
	wf_report(c, r, NULL, 0);
	ret = wf_exit_of(r, NULL, 0);
out:
	hap_result_free(r);
	hap_plan_free(p);
	return ret;
}
