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

static int fe_change(struct cli *c, int argc, char **argv, enum hap_frontend_change ch,
                     const char *value, const char *what)
{
	struct hap_frontend_op op;
	struct hap_error err = { 0, "" };
	struct hap_plan *p = NULL;
	int ret;

	memset(&op, 0, sizeof(op));
	op.change = ch;
	op.names = (const char *const *)argv;
	op.nnames = (size_t)argc;
	op.value = value;
	ret = hap_frontend_op_check(&op, &err);
	if (ret)
		return cli_usage(c, "%s", err.msg);
	ret = cli_fleet(c);
	if (ret)
		return ret;
	ret = hap_frontend_plan(&p, c->h, &op, &err);
	if (ret)
		return plan_error(c, ret, &err);
	ret = change_run(c, p, HAP_OBJ_FRONTEND, ch == HAP_FRONTEND_MAXCONN ? "slim" : "status",
	                 argc == 1 ? argv[0] : NULL, what);
	if (ch == HAP_FRONTEND_SHUTDOWN && !c->dry_run && ret != EXIT_USAGE)
		cli_err(c, "note: a frontend that was shut down stays listed as STOP and cannot "
		           "be enabled again until HAProxy reloads");
	hap_plan_free(p);
	return ret;
}

static int fe_enable(struct cli *c, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(c, "usage: frontend enable NAME...");
	return fe_change(c, argc - 1, argv + 1, HAP_FRONTEND_ENABLE, NULL, "enable frontends");
}

static int fe_disable(struct cli *c, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(c, "usage: frontend disable NAME...");
	return fe_change(c, argc - 1, argv + 1, HAP_FRONTEND_DISABLE, NULL, "disable frontends");
}

static int fe_shutdown(struct cli *c, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(c, "usage: frontend shutdown NAME...");
	return fe_change(c, argc - 1, argv + 1, HAP_FRONTEND_SHUTDOWN, NULL,
	                 "shut down frontends for good");
}

static int fe_set(struct cli *c, int argc, char **argv)
{
	if (argc != 4 || strcmp(argv[2], "maxconn") != 0)
		return cli_usage(c, "usage: frontend set NAME maxconn N");
	return fe_change(c, 1, argv + 1, HAP_FRONTEND_MAXCONN, argv[3], "set maxconn");
}

static const struct cli_verb verbs[] = {
	{ "list", fe_list, "",
	  "Every frontend, merged across instances: status, sessions, requests." },
	{ "show", fe_show, "NAME", "Every field of a frontend, aggregated and per instance." },
	{ "metric", fe_metric, "NAME METRIC",
	  "One metric of a frontend, aggregated and per instance." },
	{ "metrics", fe_metrics, "", "The frontend metrics and how each is aggregated." },
	{ "enable", fe_enable, "NAME...", "Accept new connections again, on every instance." },
	{ "disable", fe_disable, "NAME...",
	  "Stop accepting new connections (status PAUSED); an already disabled frontend counts "
	  "as done." },
	{ "shutdown", fe_shutdown, "NAME...",
	  "Stop a frontend for good: it stays listed as STOP and cannot be enabled again until "
	  "HAProxy reloads." },
	{ "set", fe_set, "NAME maxconn N", "Set a frontend's maxconn on every instance." },
	{ NULL, NULL, NULL, NULL },
};

int cmd_frontend(struct cli *c, int argc, char **argv)
{
	return cli_dispatch(c, "frontend", verbs, argc, argv);
}
