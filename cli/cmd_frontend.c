/*
 * cmd_frontend.c - "frontend": read verbs (list, show, metric, metrics).
 */
#include <stdio.h>
#include <string.h>

#include "haproxyadmin.h"
#include "cli.h"

static int fe_list(struct cli *c, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return cli_usage(c, "usage: frontend list");
	return objects_read(c, HAP_OBJ_FRONTEND, NULL, NULL, NULL, DETAIL_SUMMARY);
}

static int fe_show(struct cli *c, int argc, char **argv)
{
	if (argc != 2)
		return cli_usage(c, "usage: frontend show NAME");
	return objects_read(c, HAP_OBJ_FRONTEND, argv[1], NULL, NULL, DETAIL_FULL);
}

static int fe_metric(struct cli *c, int argc, char **argv)
{
	if (argc != 3)
		return cli_usage(c, "usage: frontend metric NAME METRIC");
	return objects_read(c, HAP_OBJ_FRONTEND, argv[1], NULL, argv[2], DETAIL_FULL);
}

static int fe_metrics(struct cli *c, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return cli_usage(c, "usage: frontend metrics");
	return metrics_list(c, HAP_OBJ_FRONTEND);
}

static const struct cli_verb verbs[] = {
	{ "list", fe_list, "",
	  "Every frontend, merged across instances: status, sessions, requests." },
	{ "show", fe_show, "NAME", "Every field of a frontend, aggregated and per instance." },
	{ "metric", fe_metric, "NAME METRIC",
	  "One metric of a frontend, aggregated and per instance." },
	{ "metrics", fe_metrics, "", "The frontend metrics and how each is aggregated." },
	{ NULL, NULL, NULL, NULL },
};

int cmd_frontend(struct cli *c, int argc, char **argv)
{
	return cli_dispatch(c, "frontend", verbs, argc, argv);
}
