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

/* What a change reads back before and after, per kind. */
static const char *verify_field(enum hap_server_change ch)
{
	switch (ch) {
	case HAP_SERVER_WEIGHT:
		return "weight";
	case HAP_SERVER_ADDR:
		return "addr";
	case HAP_SERVER_MAXCONN:
		return "slim";
	case HAP_SERVER_SHUTDOWN_SESSIONS:
		return "scur";
	case HAP_SERVER_AGENT_CHECK:
		return "agent_status";
	default:
		return "status";
	}
}

/* The backend every entry of the plan is about, when there is only one:
 * the read-back after the change then reads just that backend. */
static const char *one_backend(const struct hap_plan *p, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < hap_plan_count(p); i++) {
		const char *obj = hap_plan_object(p, i);
		const char *slash = strchr(obj, '/');
		size_t n = slash ? (size_t)(slash - obj) : strlen(obj);

		if (n >= len)
			return NULL;
		if (i == 0) {
			memcpy(buf, obj, n);
			buf[n] = '\0';
		} else if (strlen(buf) != n || memcmp(buf, obj, n) != 0) {
			return NULL;
		}
	}
	return hap_plan_count(p) ? buf : NULL;
}

static int run_op(struct cli *c, struct hap_server_op *op, const char *what)
{
	char backend[512];
	struct hap_error err = { 0, "" };
	struct hap_plan *p = NULL;
	int ret;

	ret = hap_server_op_check(op, &err);
	if (ret)
		return cli_usage(c, "%s", err.msg);
	ret = cli_fleet(c);
	if (ret)
		return ret;
	ret = hap_server_plan(&p, c->h, op, &err);
	if (ret)
		return plan_error(c, ret, &err);
	if (op->change == HAP_SERVER_WEIGHT && op->value && !c->yes && !c->dry_run)
		c->disruptive = guard_weight_zero(c, p, op->value, op->backend);
	ret = change_run(c, p, HAP_OBJ_SERVER, verify_field(op->change),
	                 one_backend(p, backend, sizeof(backend)), what);
	hap_plan_free(p);
	return ret;
}

static int sv_set(struct cli *c, int argc, char **argv)
{
	static const struct {
		const char *key;
		enum hap_server_change ch;
	} keys[] = {
		{ "weight", HAP_SERVER_WEIGHT }, { "state", HAP_SERVER_STATE },
		{ "addr", HAP_SERVER_ADDR },     { "health", HAP_SERVER_HEALTH },
		{ "agent", HAP_SERVER_AGENT },   { "maxconn", HAP_SERVER_MAXCONN },
	};
	struct hap_server_op op;
	const char *backend = NULL;
	char what[128];
	int ret = cli_verb_opts(c, "server", &verbs[4], argc, argv, &backend);
	size_t i, np;

	if (ret >= 0)
		return ret;
	np = (size_t)(argc - optind);
	if (np < 3)
		return cli_usage(c, "usage: server set NAME weight|state|addr|health|agent|maxconn "
		                    "VALUE [-b BACKEND]");
	memset(&op, 0, sizeof(op));
	op.server = argv[optind];
	op.backend = backend;
	op.value = argv[optind + 2];
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].key, argv[optind + 1]) == 0)
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		return cli_usage(c,
		                 "server set: unknown setting '%s' (weight, state, addr, health, "
		                 "agent, maxconn)",
		                 argv[optind + 1]);
	op.change = keys[i].ch;
	if (op.change == HAP_SERVER_ADDR && np == 5 && strcmp(argv[optind + 3], "port") == 0)
		op.port = argv[optind + 4];
	else if (np != 3)
		return cli_usage(c, "server set: too many arguments%s",
		                 op.change == HAP_SERVER_ADDR ? " (addr IP [port PORT])" : "");
	snprintf(what, sizeof(what), "set %s %s of server %s", argv[optind + 1], op.value,
	         op.server);
	return run_op(c, &op, what);
}

static int simple(struct cli *c, int argc, char **argv, int vi, enum hap_server_change ch,
                  const char *what)
{
	struct hap_server_op op;
	const char *backend = NULL;
	int ret = cli_verb_opts(c, "server", &verbs[vi], argc, argv, &backend);

	if (ret >= 0)
		return ret;
	if (argc - optind != 1)
		return cli_usage(c, "usage: server %s NAME [-b BACKEND]", verbs[vi].name);
	memset(&op, 0, sizeof(op));
	op.change = ch;
	op.server = argv[optind];
	op.backend = backend;
	return run_op(c, &op, what);
}

static int sv_enable(struct cli *c, int argc, char **argv)
{
	return simple(c, argc, argv, 5, HAP_SERVER_ENABLE, "enable servers");
}

static int sv_disable(struct cli *c, int argc, char **argv)
{
	return simple(c, argc, argv, 6, HAP_SERVER_DISABLE, "disable servers");
}

static int sv_shutdown(struct cli *c, int argc, char **argv)
{
	return simple(c, argc, argv, 7, HAP_SERVER_SHUTDOWN_SESSIONS,
	              "shut down every session of servers");
}

static int checks(struct cli *c, int argc, char **argv, int vi, enum hap_server_change ch)
{
	struct hap_server_op op;
	const char *backend = NULL;
	char what[96];
	int ret = cli_verb_opts(c, "server", &verbs[vi], argc, argv, &backend);

	if (ret >= 0)
		return ret;
	if (argc - optind != 2)
		return cli_usage(c, "usage: server %s NAME enable|disable [-b BACKEND]",
		                 verbs[vi].name);
	memset(&op, 0, sizeof(op));
	op.change = ch;
	op.server = argv[optind];
	op.value = argv[optind + 1];
	op.backend = backend;
	snprintf(what, sizeof(what), "%s %s", op.value, verbs[vi].name);
	return run_op(c, &op, what);
}

static int sv_check(struct cli *c, int argc, char **argv)
{
	return checks(c, argc, argv, 8, HAP_SERVER_CHECK);
}

static int sv_agent_check(struct cli *c, int argc, char **argv)
{
	return checks(c, argc, argv, 9, HAP_SERVER_AGENT_CHECK);
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
	{ "set", sv_set,
	  "NAME weight N|N% | state ready|drain|maint | addr IP [port PORT] | "
	  "health up|stopping|down | agent up|down | maxconn N  [-b BACKEND]",
	  "Change a server on every instance (and every backend, unless -b) that has it. "
	  "A weight is absolute (0..256) or a percentage of the configured weight." },
	{ "enable", sv_enable, "NAME [-b BACKEND]", "Take a server out of maintenance." },
	{ "disable", sv_disable, "NAME [-b BACKEND]", "Put a server in maintenance." },
	{ "shutdown-sessions", sv_shutdown, "NAME [-b BACKEND]",
	  "Close every session of a server." },
	{ "check", sv_check, "NAME enable|disable [-b BACKEND]",
	  "Enable or disable a server's health checks." },
	{ "agent-check", sv_agent_check, "NAME enable|disable [-b BACKEND]",
	  "Enable or disable a server's agent checks." },
	{ NULL, NULL, NULL, NULL },
};

int cmd_server(struct cli *c, int argc, char **argv)
{
	return cli_dispatch(c, "server", verbs, argc, argv);
}
