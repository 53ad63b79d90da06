/*
 * cmd_backend.c - "backend": read verbs (list, show, metric, metrics, servers).
 */
#include <stdio.h>
#include <string.h>

#include "haproxyadmin.h"
#include "cli.h"

static int be_list(struct cli *c, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return cli_usage(c, "usage: backend list");
	return objects_read(c, HAP_OBJ_BACKEND, NULL, NULL, NULL, DETAIL_SUMMARY);
}

static int be_show(struct cli *c, int argc, char **argv)
{
	if (argc != 2)
		return cli_usage(c, "usage: backend show NAME");
	return objects_read(c, HAP_OBJ_BACKEND, argv[1], NULL, NULL, DETAIL_FULL);
}

static int be_metric(struct cli *c, int argc, char **argv)
{
	if (argc != 3)
		return cli_usage(c, "usage: backend metric NAME METRIC");
	return objects_read(c, HAP_OBJ_BACKEND, argv[1], NULL, argv[2], DETAIL_FULL);
}

static int be_metrics(struct cli *c, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return cli_usage(c, "usage: backend metrics");
	return metrics_list(c, HAP_OBJ_BACKEND);
}

static int be_servers(struct cli *c, int argc, char **argv)
{
	if (argc != 2)
		return cli_usage(c, "usage: backend servers NAME");
	return objects_read(c, HAP_OBJ_SERVER, NULL, argv[1], NULL, DETAIL_SUMMARY);
}

static const struct cli_verb verbs[] = {
	{ "list", be_list, "",
	  "Every backend, merged across instances: status, weight, sessions." },
	{ "show", be_show, "NAME", "Every field of a backend, aggregated and per instance." },
	{ "metric", be_metric, "NAME METRIC",
	  "One metric of a backend, aggregated and per instance." },
	{ "metrics", be_metrics, "", "The backend metrics and how each is aggregated." },
	{ "servers", be_servers, "NAME", "The servers of a backend (as 'server list -b NAME')." },
	{ NULL, NULL, NULL, NULL },
};

int cmd_backend(struct cli *c, int argc, char **argv)
{
	return cli_dispatch(c, "backend", verbs, argc, argv);
}
