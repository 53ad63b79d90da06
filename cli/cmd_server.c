/*
 * cmd_server.c - "server": read verbs (list, show, metric, metrics) and the
 * changes of the seed's Server Operations page.
 */
#include <stdio.h>
#include <string.h>
#include <getopt.h>

#include "haproxyadmin.h"
#include "cli.h"

static int sv_list(struct cli *c, int argc, char **argv)
{
	const char *backend = NULL;
	int ret;

	if (wf_wants(argc, argv, 0)) /* several names or -b */
		return wf_list(c, argc, argv);
	ret = cli_verb_opts(c, "server", c->verb, argc, argv, &backend);

	if (ret >= 0)
		return ret;
	if (optind != argc)
		return cli_usage(c, "usage: server list [-b BACKEND]");
	if (backend)
		return objects_read(c, HAP_OBJ_SERVER, NULL, backend, NULL, DETAIL_SUMMARY);
	return objects_read(c, HAP_OBJ_SERVER, NULL, NULL, NULL, DETAIL_SUMMARY);
}

static int sv_show(struct cli *c, int argc, char **argv)
{
	const char *backend = NULL;
	int ret;

	if (wf_wants(argc, argv, 1)) /* several names or -b */
		return wf_show(c, argc, argv);
	ret = cli_verb_opts(c, "server", c->verb, argc, argv, &backend);

	if (ret >= 0)
		return ret;
	if (optind + 1 != argc)
		return cli_usage(c, "usage: server show NAME [-b BACKEND]");
	return objects_read(c, HAP_OBJ_SERVER, argv[optind], backend, NULL, DETAIL_FULL);
}

static int sv_metric(struct cli *c, int argc, char **argv)
{
	const char *backend = NULL;
	int ret;

	if (wf_wants(argc, argv, 2)) /* several names or -b */
		return wf_metric(c, argc, argv);
	ret = cli_verb_opts(c, "server", c->verb, argc, argv, &backend);

	if (ret >= 0)
		return ret;
	if (optind + 2 != argc)
		return cli_usage(c, "usage: server metric NAME METRIC [-b BACKEND]");
	return objects_read(c, HAP_OBJ_SERVER, argv[optind], backend, argv[optind + 1],
	                    DETAIL_FULL);
}

static int sv_metrics(struct cli *c, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return cli_usage(c, "usage: server metrics");
	return metrics_list(c, HAP_OBJ_SERVER);
}

/* The changes (set, enable, ...) take several servers: cmd_workflow.c. */

static const struct cli_verb verbs[] = {
	{ "list", sv_list, "[NAME...] [-b BACKEND]...",
	  "Every server (once per backend holding it), merged across instances." },
	{ "show", sv_show, "NAME... [-b BACKEND]...",
	  "Every field of a server, aggregated and per instance, in every backend holding it "
	  "(or one). Exit 4 when no backend has it." },
	{ "metric", sv_metric, "NAME... METRIC [-b BACKEND]...",
	  "One metric of a server, aggregated and per instance." },
	{ "metrics", sv_metrics, "", "The server metrics and how each is aggregated." },
	/* several names (or BACKEND/SERVER) and several -b: cmd_workflow.c */
	{ "set", wf_set,
	  "NAME... [-b BACKEND]... weight N|N% | state ready|drain|maint | addr IP [port PORT] | "
	  "health up|stopping|down | agent up|down | maxconn N",
	  "Change servers on every instance (and every backend, unless -b) that has them. "
	  "A weight is absolute (0..256) or a percentage of the configured weight." },
	{ "enable", wf_simple, "NAME... [-b BACKEND]...", "Take servers out of maintenance." },
	{ "disable", wf_simple, "NAME... [-b BACKEND]...", "Put servers in maintenance." },
	{ "shutdown-sessions", wf_simple, "NAME... [-b BACKEND]...",
	  "Close every session of servers." },
	{ "check", wf_simple, "NAME... [-b BACKEND]... enable|disable",
	  "Enable or disable servers' health checks." },
	{ "agent-check", wf_simple, "NAME... [-b BACKEND]... enable|disable",
	  "Enable or disable servers' agent checks." },
	{ "drain", wf_drain, "NAME... [-b BACKEND]... [--wait[=SECONDS]] [--interval S]",
	  "Set drain everywhere; with --wait (default 30 s) poll scur and qcur on every instance, "
	  "old workers included, until all are 0 (exit 1 at the timeout, naming them; the "
	  "servers stay draining)." },
	{ "wait", wf_wait,
	  "NAME... [-b BACKEND]... empty|up|down|maint|ready [--timeout S] [--interval S]",
	  "Poll every instance holding the servers until the condition holds everywhere "
	  "(default timeout 30 s, interval 0.5 s; exit 1 at the timeout)." },
	{ "add", wf_add,
	  "BACKEND/NAME ADDR[:PORT] [weight N] [maxconn N] [check] [agent-check agent-port P] "
	  "[backup] [disabled] [--keep-partial]",
	  "Add a dynamic server on every instance holding BACKEND (its algorithm must be "
	  "dynamic), enable its checks and, unless disabled, the server; when an instance "
	  "refuses, delete it where it was added unless --keep-partial." },
	{ "del", wf_del, "NAME... [-b BACKEND]...",
	  "Delete servers (dynamic or not) that are in maintenance without sessions; refused "
	  "with the reason otherwise." },
	{ "remove", wf_remove, "NAME... [-b BACKEND]... [--wait S] [--interval S]",
	  "Drain, wait until empty (default 30 s), maint, del server, per instance; when a "
	  "step fails anywhere, put the servers back in the state they were found in." },
	{ "state", wf_state, "save FILE|DIR | diff",
	  "save: each instance's \"show servers state\" as a server-state-file (DIR: one file "
	  "per instance); diff: servers whose runtime weight or state a reload would undo." },
	{ NULL, NULL, NULL, NULL },
};

int cmd_server(struct cli *c, int argc, char **argv)
{
	return cli_dispatch(c, "server", verbs, argc, argv);
}
