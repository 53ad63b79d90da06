/*
 * cmd_workflow.c - the server commands that take several servers (names,
 * BACKEND/SERVER, several -b), and the fleet workflows: drain [--wait],
 * wait, add, del, remove, state save|diff. Everything goes through the
 * library; this file parses, confirms, shows progress and reports.
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

#define MAXARGS 256

struct wf {
	const char *verb;
	const char *names[MAXARGS];
	size_t nnames;
	const char *backends[MAXARGS];
	size_t nbackends;
	const char *args[MAXARGS]; /* positionals */
	size_t nargs;
	int wait;        /* --wait given */
	double wait_s;   /* its value; default 30 s */
	double interval; /* --interval, default 0.5 s */
	double timeout;  /* --timeout, default 30 s */
	int keep_partial;
};

static int seconds(struct cli *c, const char *opt, const char *v, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || d < 0 || d > 86400)
		return cli_usage(c, "server: invalid %s '%s' (seconds, 0..86400)", opt, v);
	*out = d;
	return -1;
}

/* Options of every workflow verb. -1 to go on, else an exit status. */
static int wf_parse(struct cli *c, struct wf *w, int argc, char **argv, const char *usage)
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
static int only(struct cli *c, const struct wf *w, int wait, int interval, int timeout, int keep,
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

static void sel_of(struct hap_server_sel *sel, const struct wf *w)
{
	sel->names = w->names;
	sel->nnames = w->nnames;
	sel->backends = w->backends;
	sel->nbackends = w->nbackends;
}

static int ms(double s)
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
	}
	return "error";
}

/* Extra rows: the read-back (verify) of each instance. */
struct vrow {
	char object[600];
	char instance[256];
	int ok;
	char msg[300];
};

static void report(struct cli *c, const struct hap_result *r, const struct vrow *v, size_t nv)
{
	size_t i, n = r ? hap_result_count(r) : 0;
	char sb[64];

	if (c->fmt == FMT_JSON) {
		struct jw w;

		jw_init(&w, stdout);
		jw_arr(&w);
		for (i = 0; i < n + nv; i++) {
			jw_obj(&w);
			JW_KEY(&w, "object");
			jw_str(&w, i < n ? hap_result_object(r, i) : v[i - n].object);
			JW_KEY(&w, "endpoint");
			jw_str(&w, i < n ? hap_result_instance(r, i) : v[i - n].instance);
			JW_KEY(&w, "step");
			jw_str(&w, i < n ? step_of(r, i, sb, sizeof(sb)) : "verify");
			JW_KEY(&w, "command");
			if (i < n)
				jw_str(&w, hap_result_command(r, i));
			else
				jw_null(&w);
			JW_KEY(&w, "result");
			jw_str(&w, i < n ? word_of(r, i) : v[i - n].ok ? "applied" : "error");
			JW_KEY(&w, "sent");
			jw_bool(&w, i < n ? hap_result_sent(r, i) : 0);
			JW_KEY(&w, "message");
			jw_str(&w, i < n ? hap_result_message(r, i) : v[i - n].msg);
			jw_end_obj(&w);
		}
		jw_end_arr(&w);
		jw_done(&w);
	} else {
		const char *hdr[5] = { "OBJECT", "INSTANCE", "STEP", "RESULT", "MESSAGE" };
		const char *cells[5];
		struct table *t = table_new(5, hdr);

		for (i = 0; i < n + nv; i++) {
			cells[0] = i < n ? hap_result_object(r, i) : v[i - n].object;
			cells[1] = i < n ? hap_result_instance(r, i) : v[i - n].instance;
			cells[2] = i < n ? step_of(r, i, sb, sizeof(sb)) : "verify";
			cells[3] = i < n ? word_of(r, i) : v[i - n].ok ? "applied" : "error";
			cells[4] = i < n ? hap_result_message(r, i) : v[i - n].msg;
			table_add(t, cells);
		}
		table_print(t, stdout, c->fmt == FMT_CSV);
	}
	for (i = 0; i < n; i++)
		if (hap_result_code(r, i))
			cli_err(c, "%s: %s: %s: %s: %s", hap_result_instance(r, i),
			        hap_result_object(r, i), step_of(r, i, sb, sizeof(sb)),
			        word_of(r, i), hap_result_message(r, i));
	for (i = 0; i < nv; i++)
		if (!v[i].ok)
			cli_err(c, "%s: %s: verify: %s", v[i].instance, v[i].object, v[i].msg);
}

static int exit_of(const struct hap_result *r, const struct vrow *v, size_t nv)
{
	size_t i;

	if (r && hap_result_failures(r))
		return EXIT_FAILED;
	for (i = 0; i < nv; i++)
		if (!v[i].ok)
			return EXIT_FAILED;
	return EXIT_OK;
}

static int confirm(struct cli *c, const char *what, size_t objects)
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

static void dry(const struct hap_plan *p)
{
	size_t i;

	for (i = 0; i < hap_plan_count(p); i++) {
		const char *msg;

		if (hap_plan_skip(p, i, &msg))
			printf("# %s: not sent: %s\n", hap_plan_instance(p, i), msg);
		printf("%s: %s\n", hap_plan_instance(p, i), hap_plan_command(p, i));
	}
}

/* ---------------------------------------------------------------- progress */

static int progress(const struct hap_wait *w, void *arg)
{
	struct cli *c = arg;
	char line[400];
	size_t i, len = 0;
	int shown = 0;

	(void)c;
	if (!isatty(STDERR_FILENO))
		return 0;
	len = (size_t)snprintf(line, sizeof(line), "waiting: %lld session(s), %zu pending, %.1fs:",
	                       (long long)hap_wait_sessions(w), hap_wait_pending(w),
	                       (double)hap_wait_elapsed_ms(w) / 1000);
	for (i = 0; i < hap_wait_count(w) && len < sizeof(line) - 80 && shown < 4; i++) {
		struct hap_wait_row row;

		hap_wait_row(&row, w, i);
		if (row.met)
			continue;
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s %s=%lld", row.instance,
		                        row.object, (long long)(row.scur + row.qcur));
		shown++;
	}
	{
		/* one line: cut to the terminal's width, or "\r" would not rewrite it */
		struct winsize ws;

		if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 &&
		    strlen(line) >= ws.ws_col)
			line[ws.ws_col - 1] = '\0';
	}
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	return 0;
}

static void progress_end(void)
{
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
}

static void wait_print(struct cli *c, const struct hap_wait *w)
{
	size_t i;
	char b1[32], b2[32];

	if (c->fmt == FMT_JSON) {
		struct jw j;

		jw_init(&j, stdout);
		jw_arr(&j);
		for (i = 0; i < hap_wait_count(w); i++) {
			struct hap_wait_row r;

			hap_wait_row(&r, w, i);
			jw_obj(&j);
			JW_KEY(&j, "object");
			jw_str(&j, r.object);
			JW_KEY(&j, "endpoint");
			jw_str(&j, r.instance);
			JW_KEY(&j, "scur");
			if (r.scur < 0)
				jw_null(&j);
			else
				jw_num(&j, r.scur);
			JW_KEY(&j, "qcur");
			if (r.qcur < 0)
				jw_null(&j);
			else
				jw_num(&j, r.qcur);
			JW_KEY(&j, "status");
			jw_str(&j, r.status);
			JW_KEY(&j, "old_worker");
			jw_bool(&j, r.old_worker);
			JW_KEY(&j, "met");
			jw_bool(&j, r.met);
			jw_end_obj(&j);
		}
		jw_end_arr(&j);
		jw_done(&j);
	} else {
		const char *hdr[6] = { "OBJECT", "INSTANCE", "SCUR", "QCUR", "STATUS", "MET" };
		const char *cells[6];
		struct table *t = table_new(6, hdr);

		for (i = 0; i < hap_wait_count(w); i++) {
			struct hap_wait_row r;

			hap_wait_row(&r, w, i);
			cells[0] = r.object;
			cells[1] = r.instance;
			snprintf(b1, sizeof(b1), "%lld", (long long)r.scur);
			snprintf(b2, sizeof(b2), "%lld", (long long)r.qcur);
			cells[2] = b1;
			cells[3] = b2;
			cells[4] = r.status;
			cells[5] = r.met ? "yes" : "no";
			table_add(t, cells);
		}
		table_print(t, stdout, c->fmt == FMT_CSV);
	}
}

/* Name each instance and server where the wait is not met, on stderr. */
static void wait_blame(struct cli *c, const struct hap_wait *w, enum hap_wait_cond cond)
{
	size_t i;

	for (i = 0; w && i < hap_wait_count(w); i++) {
		struct hap_wait_row r;

		hap_wait_row(&r, w, i);
		if (r.met)
			continue;
		if (cond == HAP_WAIT_EMPTY)
			cli_err(c, "%s: %s: still %lld session(s), %lld queued%s", r.instance,
			        r.object, (long long)r.scur, (long long)r.qcur,
			        r.old_worker ? " (old worker)" : "");
		else
			cli_err(c, "%s: %s: status %s, not %s", r.instance, r.object, r.status,
			        hap_wait_cond_name(cond));
	}
}

/* ---------------------------------------------------------------- verbs */

static int split_names(struct cli *c, struct wf *w, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		w->names[w->nnames++] = w->args[i];
	if (!w->nnames)
		return cli_usage(c, "server %s: a server name is needed", w->verb);
	return -1;
}

static int sel_ready(struct cli *c, const struct hap_server_sel *sel)
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

	sel_of(&sel, w);
	op->server = "x";
	ret = hap_server_op_check(op, &err);
	if (ret)
		return cli_usage(c, "%s", err.msg);
	ret = sel_ready(c, &sel);
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
			const char *obj = hap_plan_object(p, i), *s = strchr(obj, '/');
			size_t l = s ? (size_t)(s - obj) : strlen(obj);

			if (l >= sizeof(b))
				break;
			if (!one) {
				memcpy(b, obj, l);
				b[l] = '\0';
				one = b;
			} else if (strlen(b) != l || memcmp(b, obj, l) != 0) {
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
	if ((ret = only(c, &w, 0, 0, 0, 0, 1)) >= 0)
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
	if ((ret = split_names(c, &w, 0, k)) >= 0)
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
	if ((ret = only(c, &w, 0, 0, 0, 0, 1)) >= 0)
		return ret;
	memset(&op, 0, sizeof(op));
	if (value) {
		if (w.nargs < 2)
			return cli_usage(c,
			                 "usage: server %s NAME... [-b BACKEND]... enable|disable",
			                 w.verb);
		op.value = w.args[w.nargs - 1];
		op.change = argv[0][0] == 'c' ? HAP_SERVER_CHECK : HAP_SERVER_AGENT_CHECK;
		ret = split_names(c, &w, 0, w.nargs - 1);
		snprintf(what, sizeof(what), "%s %s", op.value, w.verb);
	} else {
		op.change = strcmp(argv[0], "enable") == 0    ? HAP_SERVER_ENABLE
		            : strcmp(argv[0], "disable") == 0 ? HAP_SERVER_DISABLE
		                                              : HAP_SERVER_SHUTDOWN_SESSIONS;
		ret = split_names(c, &w, 0, w.nargs);
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

	ret = hap_server_wait(&wt, c->h, sel, cond, ms(timeout), ms(interval), progress, c, &err);
	progress_end();
	if (print && wt)
		wait_print(c, wt);
	if (ret == HAP_ETIMEDOUT) {
		cli_err(c, "%s", err.msg);
		wait_blame(c, wt, cond);
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
	if ((ret = only(c, &w, 0, 1, 1, 0, 1)) >= 0)
		return ret;
	if (w.nargs < 2 || hap_wait_cond_parse(&cond, w.args[w.nargs - 1]))
		return cli_usage(c, "usage: server wait %s", usage);
	if ((ret = split_names(c, &w, 0, w.nargs - 1)) >= 0)
		return ret;
	sel_of(&sel, &w);
	ret = sel_ready(c, &sel);
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
	int ret = wf_parse(c, &w, argc, argv, usage);

	if (ret >= 0)
		return ret;
	if ((ret = only(c, &w, 1, 1, 0, 0, 1)) >= 0)
		return ret;
	if ((ret = split_names(c, &w, 0, w.nargs)) >= 0)
		return ret;
	sel_of(&sel, &w);
	ret = sel_ready(c, &sel);
	if (ret)
		return ret;
	ret = hap_servers_plan(&p, c->h, &op, &sel, &err);
	if (ret)
		return plan_error(c, ret, &err);
	if (c->dry_run) {
		dry(p);
		if (w.wait)
			printf("# then poll scur and qcur every %.2fs for up to %.0fs\n",
			       w.interval, w.wait_s);
		hap_plan_free(p);
		return EXIT_OK;
	}
	ret = confirm(c, "drain", hap_plan_objects(p));
	if (ret)
		goto out;
	ret = hap_plan_apply(&r, c->h, p, &err);
	if (ret) {
		cli_err(c, "%s", err.msg);
		ret = EXIT_FAILED;
		goto out;
	}
	if (w.wait && !hap_result_failures(r)) {
		struct hap_wait *wt = NULL;
		int wr = hap_server_wait(&wt, c->h, &sel, HAP_WAIT_EMPTY, ms(w.wait_s),
		                         ms(w.interval), progress, c, &err);
		progress_end();
		/* the drain rows, then the sessions left per instance (JSON: one
		 * document, {"drain": [...], "wait": [...]}) */
		ret = exit_of(r, NULL, 0);
		if (c->fmt == FMT_JSON) {
			printf("{\"drain\":");
			fflush(stdout);
		}
		report(c, r, NULL, 0);
		if (c->fmt == FMT_JSON) {
			printf(",\"wait\":");
			fflush(stdout);
		} else if (c->fmt == FMT_TABLE) {
			printf("\n");
		}
		if (wt)
			wait_print(c, wt);
		else if (c->fmt == FMT_JSON)
			printf("[]");
		if (c->fmt == FMT_JSON)
			printf("}\n");
		if (wr == HAP_ETIMEDOUT) {
			cli_err(c, "drain: %s; the servers stay draining", err.msg);
			wait_blame(c, wt, HAP_WAIT_EMPTY);
			ret = EXIT_FAILED;
		} else if (wr) {
			cli_err(c, "%s", err.msg);
			ret = EXIT_FAILED;
		}
		hap_wait_free(wt);
		goto out;
	}
	report(c, r, NULL, 0);
	ret = exit_of(r, NULL, 0);
out:
	hap_result_free(r);
	hap_plan_free(p);
	return ret;
}

static int kw_value(struct cli *c, const struct wf *w, size_t *i, const char **out)
{
	if (*i + 1 >= w->nargs)
		return cli_usage(c, "server add: %s needs a value", w->args[*i]);
	*out = w->args[++*i];
	return -1;
}

/* Read back a backend after add/remove: is (backend, name) there, and how. */
static size_t verify(struct cli *c, struct vrow *v, size_t max, const char *backend,
                     const char *name, const struct hap_result *r, int want_present, int want_maint)
{
	struct hap_snapshot *s = NULL;
	struct hap_error err = { 0, "" };
	const struct hap_object *o;
	size_t i, k, n = 0;

	if (hap_snapshot_new_proxy(&s, c->h, HAP_SNAP_SERVERS, backend, &err)) {
		cli_err(c, "could not read back: %s", err.msg);
		return 0;
	}
	o = hap_snapshot_find(s, HAP_OBJ_SERVER, backend, name);
	for (i = 0; i < hap_snapshot_instance_count(s) && n < max; i++) {
		const char *msg;
		struct hap_value st;
		int holds = 0;

		if (hap_instance_flags(s, i) & (HAP_INST_DUPLICATE | HAP_INST_EXCLUDED))
			continue;
		/* only instances the workflow wrote to */
		for (k = 0; r && k < hap_result_count(r); k++)
			if (strcmp(hap_result_instance(r, k), hap_instance_name(s, i)) == 0 &&
			    hap_result_sent(r, k))
				break;
		if (!r || k == hap_result_count(r))
			continue;
		snprintf(v[n].object, sizeof(v[n].object), "%s/%s", backend, name);
		snprintf(v[n].instance, sizeof(v[n].instance), "%s", hap_instance_name(s, i));
		if (hap_instance_status(s, i, &msg)) {
			v[n].ok = 0;
			snprintf(v[n].msg, sizeof(v[n].msg), "not read back: %s", msg);
			n++;
			continue;
		}
		memset(&st, 0, sizeof(st));
		for (k = 0; o && k < hap_object_instance_count(o); k++)
			if (hap_object_instance(o, k) == i) {
				holds = 1;
				hap_object_value(&st, o, k, "status");
			}
		if (holds)
			snprintf(v[n].msg, sizeof(v[n].msg), "present, status %.*s",
			         st.kind == HAP_VALUE_TEXT ? (int)st.len : 1,
			         st.kind == HAP_VALUE_TEXT ? st.text : "?");
		else
			snprintf(v[n].msg, sizeof(v[n].msg), "absent");
		v[n].ok = holds == want_present &&
		          (!holds || want_maint < 0 ||
		           (st.kind == HAP_VALUE_TEXT &&
		            (st.len >= 5 && !memcmp(st.text, "MAINT", 5)) == want_maint));
		n++;
	}
	hap_snapshot_free(s);
	return n;
}

int wf_add(struct cli *c, int argc, char **argv)
{
	const char *usage = "BACKEND/NAME ADDR[:PORT] [weight N] [maxconn N] [check] "
	                    "[agent-check agent-port P] [backup] [disabled] [--keep-partial]";
	struct hap_server_add a;
	struct hap_error err = { 0, "" };
	struct hap_result *r = NULL;
	struct hap_plan *p = NULL;
	struct vrow v[64];
	size_t i, nv = 0;
	char bk[256];
	const char *slash;
	struct wf w;
	int ret = wf_parse(c, &w, argc, argv, usage);

	if (ret >= 0)
		return ret;
	if ((ret = only(c, &w, 0, 0, 0, 1, 0)) >= 0)
		return ret;
	if (w.nargs < 2)
		return cli_usage(c, "usage: server add %s", usage);
	memset(&a, 0, sizeof(a));
	slash = strchr(w.args[0], '/');
	if (!slash || (size_t)(slash - w.args[0]) >= sizeof(bk))
		return cli_usage(c, "server add: the server is named BACKEND/NAME, not '%s'",
		                 w.args[0]);
	snprintf(bk, sizeof(bk), "%.*s", (int)(slash - w.args[0]), w.args[0]);
	a.backend = bk;
	a.name = slash + 1;
	a.addr = w.args[1];
	a.keep_partial = w.keep_partial;
	for (i = 2; i < w.nargs; i++) {
		const char *k = w.args[i];

		if (strcmp(k, "weight") == 0) {
			if (a.weight)
				return cli_usage(c, "server add: weight given twice");
			if ((ret = kw_value(c, &w, &i, &a.weight)) >= 0)
				return ret;
		} else if (strcmp(k, "maxconn") == 0) {
			if (a.maxconn)
				return cli_usage(c, "server add: maxconn given twice");
			if ((ret = kw_value(c, &w, &i, &a.maxconn)) >= 0)
				return ret;
		} else if (strcmp(k, "agent-port") == 0) {
			if (a.agent_port)
				return cli_usage(c, "server add: agent-port given twice");
			if ((ret = kw_value(c, &w, &i, &a.agent_port)) >= 0)
				return ret;
		} else if (strcmp(k, "check") == 0 && !a.check) {
			a.check = 1;
		} else if (strcmp(k, "agent-check") == 0 && !a.agent_check) {
			a.agent_check = 1;
		} else if (strcmp(k, "backup") == 0 && !a.backup) {
			a.backup = 1;
		} else if (strcmp(k, "disabled") == 0 && !a.disabled) {
			a.disabled = 1;
		} else {
			return cli_usage(c, "server add: unknown or repeated keyword '%s'", k);
		}
	}
	ret = hap_server_add_check(&a, &err);
	if (ret)
		return cli_usage(c, "%s", err.msg);
	ret = cli_fleet(c);
	if (ret)
		return ret;
	ret = hap_server_add_plan(&p, c->h, &a, &err);
	if (ret)
		return plan_error(c, ret, &err);
	if (c->dry_run) {
		dry(p);
		printf("# then, where it was added:%s%s%s (or \"del server\" there if any instance "
		       "refuses)\n",
		       a.check ? " enable health;" : "", a.agent_check ? " enable agent;" : "",
		       a.disabled ? "" : " enable server");
		hap_plan_free(p);
		return EXIT_OK;
	}
	ret = hap_server_add_apply(&r, c->h, p, &a, &err);
	if (ret) {
		cli_err(c, "%s", err.msg);
		hap_plan_free(p);
		return EXIT_FAILED;
	}
	if (!c->no_verify) {
		/* present and out of maintenance where kept; absent where rolled back */
		int rolled = 0;

		for (i = 0; i < hap_result_count(r); i++)
			rolled |= strncmp(hap_result_command(r, i), "del server", 10) == 0;
		nv = verify(c, v, 64, a.backend, a.name, r, !rolled,
		            rolled       ? -1
		            : a.disabled ? 1
		                         : 0);
		if (rolled)
			for (i = 0; i < nv; i++)
				if (strcmp(v[i].msg, "absent") != 0) {
					/* an instance that refused may hold its own server of that
					 * name: it was never ours to delete */
					size_t k;

					for (k = 0; k < hap_result_count(r); k++)
						if (strcmp(hap_result_instance(r, k),
						           v[i].instance) == 0 &&
						    strncmp(hap_result_command(r, k), "add", 3) ==
						            0 &&
						    hap_result_code(r, k))
							v[i].ok = 1;
				}
	}
	report(c, r, v, nv);
	ret = exit_of(r, v, nv);
	hap_result_free(r);
	hap_plan_free(p);
	return ret;
}

int wf_del(struct cli *c, int argc, char **argv)
{
	struct hap_error err = { 0, "" };
	struct hap_server_sel sel;
	struct hap_result *r = NULL;
	struct hap_plan *p = NULL;
	struct wf w;
	int ret = wf_parse(c, &w, argc, argv, "NAME... [-b BACKEND]...");

	if (ret >= 0)
		return ret;
	if ((ret = only(c, &w, 0, 0, 0, 0, 1)) >= 0)
		return ret;
	if ((ret = split_names(c, &w, 0, w.nargs)) >= 0)
		return ret;
	sel_of(&sel, &w);
	ret = sel_ready(c, &sel);
	if (ret)
		return ret;
	ret = hap_server_del_plan(&p, c->h, &sel, &err);
	if (ret)
		return plan_error(c, ret, &err);
	if (c->dry_run) {
		dry(p);
		hap_plan_free(p);
		return EXIT_OK;
	}
	ret = confirm(c, "delete", hap_plan_objects(p));
	if (!ret) {
		ret = hap_plan_apply(&r, c->h, p, &err);
		if (ret) {
			cli_err(c, "%s", err.msg);
			ret = EXIT_FAILED;
		} else {
			report(c, r, NULL, 0);
			ret = exit_of(r, NULL, 0);
		}
	}
	hap_result_free(r);
	hap_plan_free(p);
	return ret;
}

int wf_remove(struct cli *c, int argc, char **argv)
{
	struct hap_error err = { 0, "" };
	struct hap_server_sel sel;
	struct hap_result *r = NULL;
	struct vrow v[256];
	size_t nv = 0, i, j;
	struct wf w;
	int ret = wf_parse(c, &w, argc, argv, "NAME... [-b BACKEND]... [--wait S] [--interval S]");

	if (ret >= 0)
		return ret;
	if ((ret = only(c, &w, 1, 1, 0, 0, 1)) >= 0)
		return ret;
	if ((ret = split_names(c, &w, 0, w.nargs)) >= 0)
		return ret;
	sel_of(&sel, &w);
	ret = sel_ready(c, &sel);
	if (ret)
		return ret;
	if (c->dry_run) {
		struct hap_server_op op = { HAP_SERVER_STATE, NULL, NULL, "drain", NULL };
		struct hap_plan *p = NULL;

		ret = hap_servers_plan(&p, c->h, &op, &sel, &err);
		if (ret)
			return plan_error(c, ret, &err);
		dry(p);
		printf("# then wait until scur and qcur are 0 (up to %.0fs), \"set server B/S "
		       "state "
		       "maint\" and \"del server B/S\" on each instance; on any failure, back to "
		       "the state found\n",
		       w.wait_s);
		hap_plan_free(p);
		return EXIT_OK;
	}
	ret = confirm(c, "remove", w.nnames);
	if (ret)
		return ret;
	ret = hap_server_remove(&r, c->h, &sel, ms(w.wait_s), ms(w.interval), progress, c, &err);
	progress_end();
	if (ret)
		return plan_error(c, ret, &err);
	/* read back every removed (or restored) server */
	if (!c->no_verify) {
		int gone = !hap_result_failures(r);

		for (i = 0; i < hap_result_count(r); i++) {
			const char *obj = hap_result_object(r, i), *s = strchr(obj, '/');
			char b[300];

			if (!s || strncmp(hap_result_command(r, i), "set server", 10) != 0)
				continue;
			for (j = 0; j < i; j++)
				if (strcmp(hap_result_object(r, j), obj) == 0 &&
				    strncmp(hap_result_command(r, j), "set server", 10) == 0)
					break;
			if (j < i)
				continue; /* one read-back per object */
			snprintf(b, sizeof(b), "%.*s", (int)(s - obj), obj);
			nv += verify(c, v + nv, 256 - nv, b, s + 1, r, !gone, -1);
		}
	}
	report(c, r, v, nv);
	ret = exit_of(r, v, nv);
	hap_result_free(r);
	return ret;
}

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

int wf_state(struct cli *c, int argc, char **argv)
{
	const char *usage = "save FILE|DIR | diff";
	struct hap_error err = { 0, "" };
	struct wf w;
	size_t i, bad = 0;
	int ret = wf_parse(c, &w, argc, argv, usage);

	if (ret >= 0)
		return ret;
	if ((ret = only(c, &w, 0, 0, 0, 0, 0)) >= 0)
		return ret;
	if (w.nargs == 2 && strcmp(w.args[0], "save") == 0) {
		struct hap_result *r = NULL;
		struct stat st;
		int isdir = stat(w.args[1], &st) == 0 && S_ISDIR(st.st_mode);
		const char *hdr[4] = { "INSTANCE", "FILE", "RESULT", "MESSAGE" };
		struct table *t;

		ret = cli_fleet(c);
		if (ret)
			return ret;
		if (hap_server_state_read(&r, c->h, &err)) {
			cli_err(c, "%s", err.msg);
			return EXIT_FAILED;
		}
		if (!isdir && hap_result_count(r) > 1) {
			hap_result_free(r);
			return cli_usage(
			        c,
			        "server state save: %s is not a directory and the fleet has "
			        "several instances (give a directory: one file each)",
			        w.args[1]);
		}
		t = c->fmt == FMT_JSON ? NULL : table_new(4, hdr);
		for (i = 0; i < hap_result_count(r); i++) {
			char path[4096], tmp[4200];
			const char *cells[4];
			const char *msg = hap_result_message(r, i);
			FILE *f;
			int ok = 0;

			if (isdir)
				file_name(path, sizeof(path), w.args[1], hap_result_instance(r, i));
			else
				snprintf(path, sizeof(path), "%s", w.args[1]);
			cells[0] = hap_result_instance(r, i);
			cells[1] = path;
			if (hap_result_code(r, i) || strncmp(msg, "1\n", 2) != 0) {
				cells[2] = "error";
				cells[3] = msg;
			} else {
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
			}
			bad += !ok;
			if (!ok)
				cli_err(c, "%s: %s: %s", cells[0], path, cells[3]);
			if (t)
				table_add(t, cells);
		}
		if (c->fmt == FMT_JSON) {
			struct jw j;

			jw_init(&j, stdout);
			jw_arr(&j);
			for (i = 0; i < hap_result_count(r); i++) {
				char path[4096];

				if (isdir)
					file_name(path, sizeof(path), w.args[1],
					          hap_result_instance(r, i));
				else
					snprintf(path, sizeof(path), "%s", w.args[1]);
				jw_obj(&j);
				JW_KEY(&j, "endpoint");
				jw_str(&j, hap_result_instance(r, i));
				JW_KEY(&j, "file");
				jw_str(&j, path);
				JW_KEY(&j, "saved");
				jw_bool(&j, access(path, R_OK) == 0 && !hap_result_code(r, i));
				jw_end_obj(&j);
			}
			jw_end_arr(&j);
			jw_done(&j);
		} else {
			table_print(t, stdout, c->fmt == FMT_CSV);
		}
		hap_result_free(r);
		return bad ? EXIT_FAILED : EXIT_OK;
	}
	if (w.nargs == 1 && strcmp(w.args[0], "diff") == 0) {
		struct hap_state_diff *d = NULL;
		size_t n;

		ret = cli_fleet(c);
		if (ret)
			return ret;
		if (hap_server_state_diff(&d, c->h, &err)) {
			cli_err(c, "%s", err.msg);
			return EXIT_FAILED;
		}
		n = hap_state_diff_count(d);
		if (c->fmt == FMT_JSON) {
			struct jw j;

			jw_init(&j, stdout);
			jw_arr(&j);
			for (i = 0; i < n; i++) {
				struct hap_state_change x;

				hap_state_diff_get(&x, d, i);
				jw_obj(&j);
				JW_KEY(&j, "endpoint");
				jw_str(&j, x.instance);
				JW_KEY(&j, "backend");
				jw_str(&j, x.backend);
				JW_KEY(&j, "server");
				jw_str(&j, x.server);
				JW_KEY(&j, "field");
				jw_str(&j, x.field);
				JW_KEY(&j, "config");
				jw_str(&j, x.config);
				JW_KEY(&j, "runtime");
				jw_str(&j, x.runtime);
				jw_end_obj(&j);
			}
			jw_end_arr(&j);
			jw_done(&j);
		} else {
			const char *hdr[6] = { "INSTANCE", "BACKEND", "SERVER",
				               "FIELD",    "CONFIG",  "RUNTIME" };
			struct table *t = table_new(6, hdr);

			for (i = 0; i < n; i++) {
				struct hap_state_change x;
				const char *cells[6];

				hap_state_diff_get(&x, d, i);
				cells[0] = x.instance;
				cells[1] = x.backend;
				cells[2] = x.server;
				cells[3] = x.field;
				cells[4] = x.config;
				cells[5] = x.runtime;
				table_add(t, cells);
			}
			table_print(t, stdout, c->fmt == FMT_CSV);
		}
		for (i = 0; i < hap_state_diff_failed(d); i++) {
			const char *in, *msg;

			hap_state_diff_failure(d, i, &in, &msg);
			cli_err(c, "%s: not read: %s", in, msg);
		}
		bad = hap_state_diff_failed(d);
		hap_state_diff_free(d);
		return bad ? EXIT_FAILED : EXIT_OK;
	}
	return cli_usage(c, "usage: server state %s", usage);
}

/* ---------------------------------------------------------------- reads */

/* list, show, metric over a selection (names optional for list). */
static int sel_read(struct cli *c, struct wf *w, const char *metric, enum obj_detail d)
{
	struct hap_server_sel sel;
	struct hap_error err = { 0, "" };
	struct hap_snapshot *s = NULL;
	const struct hap_object **objs;
	size_t failed = 0, n = 0, i, k, cnt;
	int ret;

	sel_of(&sel, w);
	if (w->nnames && hap_server_sel_check(&sel, &err))
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
	for (i = 0; i < cnt; i++) {
		const struct hap_object *o = hap_snapshot_object(s, HAP_OBJ_SERVER, i);
		int in = 0;

		if (w->nnames) {
			in = hap_server_sel_match(&sel, hap_object_backend(o), hap_object_name(o));
		} else {
			for (k = 0; k < w->nbackends && !in; k++)
				in = strcmp(w->backends[k], hap_object_backend(o)) == 0;
			in |= !w->nbackends;
		}
		if (in)
			objs[n++] = o;
	}
	/* every name (or backend) must be somewhere: a typo is not "nothing" */
	for (i = 0; i < (w->nnames ? w->nnames : w->nbackends); i++) {
		struct hap_server_sel one = sel;
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
	if (!ret) {
		if (metric)
			objects_metric(c, s, objs, n, metric);
		else
			objects_print(c, s, objs, n, d);
	}
	free(objs);
	hap_snapshot_free(s);
	if (ret)
		return ret;
	return failed ? EXIT_FAILED : EXIT_OK;
}

int wf_list(struct cli *c, int argc, char **argv)
{
	struct wf w;
	int ret = wf_parse(c, &w, argc, argv, "[NAME...] [-b BACKEND]...");

	if (ret >= 0)
		return ret;
	if ((ret = only(c, &w, 0, 0, 0, 0, 1)) >= 0)
		return ret;
	if (w.nargs && (ret = split_names(c, &w, 0, w.nargs)) >= 0)
		return ret;
	return sel_read(c, &w, NULL, DETAIL_SUMMARY);
}

int wf_show(struct cli *c, int argc, char **argv)
{
	struct wf w;
	int ret = wf_parse(c, &w, argc, argv, "NAME... [-b BACKEND]...");

	if (ret >= 0)
		return ret;
	if ((ret = only(c, &w, 0, 0, 0, 0, 1)) >= 0)
		return ret;
	if ((ret = split_names(c, &w, 0, w.nargs)) >= 0)
		return ret;
	return sel_read(c, &w, NULL, DETAIL_FULL);
}

int wf_metric(struct cli *c, int argc, char **argv)
{
	struct wf w;
	int ret = wf_parse(c, &w, argc, argv, "NAME... METRIC [-b BACKEND]...");

	if (ret >= 0)
		return ret;
	if ((ret = only(c, &w, 0, 0, 0, 0, 1)) >= 0)
		return ret;
	if (w.nargs < 2)
		return cli_usage(c, "usage: server metric NAME... METRIC [-b BACKEND]...");
	if ((ret = split_names(c, &w, 0, w.nargs - 1)) >= 0)
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
