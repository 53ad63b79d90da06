/*
 * cmd_server.c - "server": read verbs (list, show, metric, metrics) and the
 * changes of the seed's Server Operations page.
 */
#include <stdio.h>
#include <string.h>
#include <getopt.h>

#include "haproxyadmin.h"
#include "cli.h"

#define NVERBS 24
static const struct cli_verb verbs[NVERBS];

static int sv_list(struct cli *c, int argc, char **argv)
{
	const char *backend = NULL;
	int ret = cli_verb_opts(c, "server", &verbs[0], argc, argv, &backend);

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
	int ret = cli_verb_opts(c, "server", &verbs[1], argc, argv, &backend);

	if (ret >= 0)
		return ret;
	if (optind + 1 != argc)
		return cli_usage(c, "usage: server show NAME [-b BACKEND]");
	return objects_read(c, HAP_OBJ_SERVER, argv[optind], backend, NULL, DETAIL_FULL);
}

static int sv_metric(struct cli *c, int argc, char **argv)
{
	const char *backend = NULL;
	int ret = cli_verb_opts(c, "server", &verbs[2], argc, argv, &backend);

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

static const struct cli_verb verbs[NVERBS] = {
	{ "list", sv_list, "[-b BACKEND]",
	  "Every server (once per backend holding it), merged across instances." },
	{ "show", sv_show, "NAME [-b BACKEND]",
	  "Every field of a server, aggregated and per instance, in every backend holding it "
	  "(or one). Exit 4 when no backend has it." },
	{ "metric", sv_metric, "NAME METRIC [-b BACKEND]",
	  "One metric of a server, aggregated and per instance." },
	{ "metrics", sv_metrics, "", "The server metrics and how each is aggregated." },
	{ NULL, NULL, NULL, NULL },
};

int cmd_server(struct cli *c, int argc, char **argv)
{
	return cli_dispatch(c, "server", verbs, argc, argv);
}
