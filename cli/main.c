/*
 * main.c - the haproxyadmin command line: global options, the fleet, and
 * one dispatch table of objects (exact names only, no abbreviations).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "fleetconf.h"
#include "width.h"
#include "top.h"

/* What a row allows, read from the row rather than from its handler. */
enum {
	CMD_OBJECT = 1 << 0,     /* an object: 'help NAME' runs 'NAME --help' */
	CMD_PROMETHEUS = 1 << 1, /* takes -o prometheus */
	CMD_NOROWS = 1 << 2,     /* prints no rows: refuses -o csv and -o json */
};

struct cli_cmd {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	unsigned flags;
	const char *summary;
};

static int cmd_help(struct cli *c, int argc, char **argv);
static int cmd_version(struct cli *c, int argc, char **argv);

static const struct cli_cmd cmds[] = {
	{ "info", cmd_info, CMD_OBJECT,
	  "the instances: version, node, pids, uptime, requests, limits" },
	{ "haproxy", cmd_haproxy, CMD_OBJECT,
	  "process-wide values and settings of every instance" },
	{ "frontend", cmd_frontend, CMD_OBJECT, "frontends merged across instances" },
	{ "backend", cmd_backend, CMD_OBJECT, "backends merged across instances" },
	{ "server", cmd_server, CMD_OBJECT, "servers merged across instances, per backend" },
	{ "acl", cmd_acl, CMD_OBJECT, "ACLs by file, merged across instances; atomic replace" },
	{ "map", cmd_map, CMD_OBJECT, "maps by file, merged across instances; atomic replace" },
	{ "dump", cmd_dump, CMD_OBJECT | CMD_PROMETHEUS,
	  "everything, merged: JSON, or rows (-o csv|table)" },
	{ "exporter", cmd_exporter, CMD_OBJECT | CMD_PROMETHEUS | CMD_NOROWS,
	  "the merged fleet for Prometheus: serve /metrics, or print once" },
	{ "fleet", cmd_fleet, CMD_OBJECT, "the named fleets of the fleets file" },
	{ "top", cmd_top, CMD_OBJECT | CMD_NOROWS,
	  "the live view of the whole fleet (full screen)" },
	{ "help", cmd_help, 0, "this help, or 'help OBJECT'" },
	{ "version", cmd_version, 0, "the program's version" },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
	        "usage: haproxyadmin [-s ENDPOINT]... [-f FLEET]... [-o FORMAT] [-t SECONDS]\n"
	        "                    [-r RETRIES] [--deadline SECONDS] [--parallel N]\n"
	        "                    [--old-workers] [-y] [-n] OBJECT VERB [ARGS]\n\n"
	        "Manage every HAProxy instance behind the given runtime API endpoints as one.\n\n"
	        "options:\n"
	        "  -s, --socket ENDPOINT  a UNIX socket, a directory of sockets, tcp:HOST:PORT,\n"
	        "                         master:PATH or master:tcp:HOST:PORT (repeatable;\n"
	        "                         default $HAPROXYADMIN_SOCKET, else the default\n"
	        "                         fleet, else /run/haproxy)\n"
	        "  -f, --fleet NAME       the sockets of a named fleet (repeatable; see\n"
	        "                         'haproxyadmin fleet list')\n"
	        "  -o, --output FORMAT    table (default), json, csv, or prometheus (dump,\n"
	        "                         exporter)\n"
	        "  -t, --timeout SECONDS  deadline of one exchange with one instance (2)\n"
	        "  -r, --retries N        connect retries (1)\n"
	        "      --parallel N       at most N sockets open at once (64; fewer when\n"
	        "                         RLIMIT_NOFILE is lower)\n"
	        "      --deadline SECONDS total deadline of the whole command (60)\n"
	        "      --old-workers      include old workers in aggregates and changes\n"
	        "      --no-verify        after a change, do not read the values back\n"
	        "  -y, --yes              do not ask before a disruptive change\n"
	        "  -n, --dry-run          print the runtime commands, send none\n"
	        "      --wide             tables keep every column on a terminal too\n"
	        "  -h, --help             this help\n\n"
	        "objects:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nRun 'haproxyadmin OBJECT --help' for its verbs.\n"
	           "Exit status (reads included): 0 every instance answered and all was done,\n"
	           "1 refused or an instance failed or was not reached, 2 usage (or a\n"
	           "disruptive change on several objects or instances without -y),\n"
	           "3 no endpoint reachable, 4 object not found.\n");
}

static const struct cli_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

static int cmd_help(struct cli *c, int argc, char **argv)
{
	const struct cli_cmd *cmd;
	char *help[] = { NULL, (char *)"--help", NULL };

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	cmd = find_cmd(argv[1]);
	if (!cmd || !(cmd->flags & CMD_OBJECT))
		return cli_usage(c, "'%s' is not an object; see 'haproxyadmin help'", argv[1]);
	help[0] = argv[1];
	return cmd->fn(c, 2, help);
}

static int cmd_version(struct cli *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	printf("haproxyadmin %s\n", HAP_VERSION);
	return EXIT_OK;
}

/* Diagnostics are one line: control bytes (from arguments or HAProxy's
 * multi-line texts) are shown as \xNN. */
/* Add one endpoint. A missing or unreadable one is reported and skipped,
 * so it cannot hide the others (the command then ends with exit 1); a
 * malformed one is a usage error. */
static int add_endpoint(struct cli *c, const char *spec)
{
	struct hap_error err = { 0, "" };
	int ret = hap_add_endpoint(c->h, spec, &err);

	if (!ret)
		return 0;
	cli_err(c, "%s", err.msg);
	if (ret == HAP_ENOENT || ret == HAP_EACCES) {
		c->bad_endpoints++;
		return 0;
	}
	return ret == HAP_ENOMEM ? EXIT_FAILED : EXIT_USAGE;
}

int cli_fleet(struct cli *c)
{
	char **specs = NULL;
	size_t i, n = 0;
	int ret;

	if (c->h)
		return 0;
	/* -s, -f, $HAPROXYADMIN_SOCKET, the default fleet, /run/haproxy */
	ret = fleetconf_endpoints(c, &specs, &n);
	if (ret)
		return ret;
	if (hap_new(&c->h, &c->opts)) {
		cli_err(c, "out of memory");
		ret = EXIT_FAILED;
	}
	for (i = 0; i < n; i++) {
		if (!ret)
			ret = add_endpoint(c, specs[i]);
		free(specs[i]);
	}
	free(specs);
	if (ret)
		return ret;
	if (!hap_endpoint_count(c->h)) {
		cli_err(c, "no endpoint reachable");
		return EXIT_UNREACHABLE;
	}
	return 0;
}

int cli_snapshot(struct cli *c, unsigned what, struct hap_snapshot **out, size_t *failed)
{
	struct hap_error err = { 0, "" };
	struct hap_snapshot *s;
	size_t i, n, bad = 0;
	int ret = cli_fleet(c);

	*out = NULL;
	if (ret)
		return ret;
	ret = hap_snapshot_new(&s, c->h, what, &err);
	if (ret) {
		cli_err(c, "%s", err.msg);
		return EXIT_FAILED;
	}
	n = hap_snapshot_instance_count(s);
	for (i = 0; i < n; i++) {
		const char *msg = hap_result_message(hap_snapshot_result(s), i);
		int code = hap_result_code(hap_snapshot_result(s), i);

		if (code) {
			cli_err(c, "%s: %s", hap_instance_name(s, i), msg);
			bad++;
		}
	}
	if (failed)
		*failed = bad;
	if (bad == n) {
		cli_err(c, "no instance reachable (%zu endpoint%s)", n, n == 1 ? "" : "s");
		hap_snapshot_free(s);
		return EXIT_UNREACHABLE;
	}
	*out = s;
	return 0;
}

static int run(struct cli *c, int argc, char **argv);

int main(int argc, char **argv)
{
	struct cli c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.prog = "haproxyadmin";
	c.sockets = calloc((size_t)argc + 1, sizeof(*c.sockets));
	c.fleets = calloc((size_t)argc + 1, sizeof(*c.fleets));
	if (!c.sockets || !c.fleets)
		return EXIT_FAILED;
	ret = run(&c, argc, argv);
	/* an endpoint that could not be used is a failure of the whole run */
	if (ret == EXIT_OK && c.bad_endpoints)
		ret = EXIT_FAILED;
	hap_free(c.h);
	free(c.sockets);
	free(c.fleets);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "haproxyadmin: write error on standard output: %s\n",
		        strerror(errno));
		return EXIT_FAILED;
	}
	return ret;
}

/* A single-valued option given twice must say the same thing twice:
 * 0, or a usage error. */
static int opt_once(struct cli *c, int o, const char **seen)
{
	static const char *const once = "otrPD";
	static const char *const once_name[] = { "-o", "-t", "-r", "--parallel", "--deadline" };
	const char *k = o > 0 ? strchr(once, o) : NULL;

	if (k && optarg) {
		size_t x = (size_t)(k - once);

		if (seen[x] && strcmp(seen[x], optarg) != 0)
			return cli_usage(c,
			                 "%s given twice with different values ('%s', "
			                 "'%s')",
			                 once_name[x], seen[x], optarg);
		seen[x] = optarg;
	}
	return 0;
}

/* -o FORMAT: -1 to go on, or a usage error. */
static int opt_format(struct cli *c, const char *arg)
{
	c->fmt_set = 1;
	if (strcmp(arg, "table") == 0)
		c->fmt = FMT_TABLE;
	else if (strcmp(arg, "json") == 0)
		c->fmt = FMT_JSON;
	else if (strcmp(arg, "csv") == 0)
		c->fmt = FMT_CSV;
	else if (strcmp(arg, "prometheus") == 0)
		c->fmt = FMT_PROMETHEUS;
	else
		return cli_usage(c, "-o: unknown format '%s' (table, json, csv, prometheus)", arg);
	return -1;
}

/* The numbers: -t, -r, --parallel, --deadline. -1 to go on, or a usage error. */
static int opt_number(struct cli *c, int o, const char *arg)
{
	int64_t v;
	double secs;

	switch (o) {
	case 't':
		if (hap_decimal_parse(&secs, arg, 0, 3600) || !(secs > 0))
			return cli_usage(c, "-t: '%s' is not a number of seconds (0 < t <= 3600)",
			                 arg);
		c->opts.timeout_ms = (int)(secs * 1000 + 0.5);
		if (c->opts.timeout_ms < 1)
			c->opts.timeout_ms = 1;
		break;
	case 'r':
		if (hap_number_parse(&v, arg, 0, 100))
			return cli_usage(c, "-r: '%s' is not a number of retries (0..100)", arg);
		c->opts.retries = v ? (int)v : -1;
		break;
	case 'P':
		if (hap_number_parse(&v, arg, 1, 4096))
			return cli_usage(c, "--parallel: '%s' is not a count (1..4096)", arg);
		c->opts.parallel = (int)v;
		break;
	case 'D':
		if (hap_decimal_parse(&secs, arg, 0, 86400) || !(secs > 0))
			return cli_usage(c,
			                 "--deadline: '%s' is not a number of seconds (0 < d "
			                 "<= 86400)",
			                 arg);
		c->opts.deadline_ms = (int)(secs * 1000 + 0.5);
		if (c->opts.deadline_ms < 1)
			c->opts.deadline_ms = 1;
		break;
	}
	return -1;
}

/* An option getopt refused: a missing value or an unknown option. */
static int opt_refused(struct cli *c, char **argv)
{
	if (optopt == 'P' || optopt == 'D')
		return cli_usage(c, "option --%s needs a value",
		                 optopt == 'P' ? "parallel" : "deadline");
	if (optopt && strchr("sfotr", optopt))
		return cli_usage(c, "option -%c needs a value", optopt);
	return cli_usage(c, "unknown option '%s'; see 'haproxyadmin --help'", argv[optind - 1]);
}

/* One global option: -1 to go on, or an exit status. */
static int global_opt(struct cli *c, int o, char **argv)
{
	switch (o) {
	case 's':
		c->sockets[c->nsockets++] = optarg;
		break;
	case 'f':
		c->fleets[c->nfleets++] = optarg;
		break;
	case 'o':
		return opt_format(c, optarg);
	case 't':
	case 'r':
	case 'P':
	case 'D':
		return opt_number(c, o, optarg);
	case 'O':
		c->opts.flags |= HAP_OPT_OLD_WORKERS;
		break;
	case 'N':
		c->no_verify = 1;
		c->opts.flags |= HAP_OPT_NO_VERIFY;
		break;
	case 'y':
		c->yes = 1;
		break;
	case 'n':
		c->dry_run = 1;
		break;
	case 'h':
		usage(stdout);
		return EXIT_OK;
	case 'w':
		cli_wide = 1;
		break;
	case 'V':
		printf("haproxyadmin %s\n", HAP_VERSION);
		return EXIT_OK;
	default:
		return opt_refused(c, argv);
	}
	return -1;
}

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "fleet", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 't' },
		{ "retries", required_argument, NULL, 'r' },
		{ "parallel", required_argument, NULL, 'P' },
		{ "deadline", required_argument, NULL, 'D' },
		{ "old-workers", no_argument, NULL, 'O' },
		{ "no-verify", no_argument, NULL, 'N' },
		{ "yes", no_argument, NULL, 'y' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "wide", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_cmd *cmd;
	const char *seen[5] = { NULL, NULL, NULL, NULL, NULL };
	int o, ret;

	c->opts.deadline_ms = 60000;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+s:f:o:t:r:yhn", lopts, NULL)) != -1) {
		ret = opt_once(c, o, seen);
		if (ret)
			return ret;
		ret = global_opt(c, o, argv);
		if (ret >= 0)
			return ret;
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = find_cmd(argv[optind]);
	if (!cmd)
		return cli_usage(c, "'%s' is not an object; see 'haproxyadmin --help'",
		                 argv[optind]);
	if (c->fmt == FMT_PROMETHEUS && !(cmd->flags & CMD_PROMETHEUS))
		return cli_usage(c, "-o prometheus: only for 'dump' and 'exporter'");
	if ((c->fmt == FMT_CSV || c->fmt == FMT_JSON) && (cmd->flags & CMD_NOROWS))
		return cli_usage(c, "-o %s: '%s' prints no rows",
		                 c->fmt == FMT_CSV ? "csv" : "json", cmd->name);
	/* a large buffer: a JSON dump of a big fleet is tens of megabytes */
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	return cmd->fn(c, argc - optind, argv + optind);
}
