/*
 * proxy.c - frontend and process-wide (global) changes, as plans.
 *
 * Numbers are validated here: HAProxy 2.6 silently takes "abc" as 0 for
 * "set maxconn frontend" and "set rate-limit".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/snapshot.h"
#include "ops/ops.h"
#include "proto/command.h"
#include "util/view.h"
#include "util/banned.h"

#define INT_LIMIT 2147483647

int hap_frontend_op_check(const struct hap_frontend_op *op, struct hap_error *err)
{
	char pbuf[160];
	size_t i;
	int ret;

	if (!op->nnames)
		return hap_error_set(err, HAP_EINVAL, "a frontend name is needed");
	for (i = 0; i < op->nnames; i++) {
		ret = hap_cmd_check_name("frontend", op->names[i], err);
		if (ret)
			return ret;
	}
	if (op->change == HAP_FRONTEND_MAXCONN) {
		if (op->nnames != 1)
			return hap_error_set(err, HAP_EINVAL, "maxconn: one frontend at a time");
		if (!hap_op_number(op->value, INT_LIMIT))
			return hap_error_set(
			        err, HAP_EINVAL, "maxconn: invalid value '%s' (expected 0..%d)",
			        hap_printable(op->value ? op->value : "", pbuf, sizeof(pbuf)),
			        INT_LIMIT);
	} else if (op->value) {
		return hap_error_set(err, HAP_EINVAL, "this change takes no value");
	}
	return 0;
}

/* The read-back of a frontend change: 0 or HAP_ENOMEM. */
static int frontend_verify(struct hap_plan *p, const struct hap_frontend_op *op)
{
	const char *proxy = op->nnames == 1 ? op->names[0] : NULL;

	switch (op->change) {
	case HAP_FRONTEND_ENABLE:
		return hap_plan_verify(p, HAP_SNAP_FRONTENDS, proxy, "status", "OPEN",
		                       HAP_VM_EXACT);
	case HAP_FRONTEND_DISABLE:
		return hap_plan_verify(p, HAP_SNAP_FRONTENDS, proxy, "status", "PAUSED",
		                       HAP_VM_EXACT);
	case HAP_FRONTEND_SHUTDOWN:
		return hap_plan_verify(p, HAP_SNAP_FRONTENDS, proxy, "status", "STOP",
		                       HAP_VM_EXACT);
	default:
		return hap_plan_verify(p, HAP_SNAP_FRONTENDS, proxy, "slim", op->value,
		                       HAP_VM_EXACT);
	}
}

/* The command for frontend name, and its reply table. */
static const struct hap_reply_table *frontend_command(const struct hap_frontend_op *op,
                                                      const char *name, char *cmd, size_t n)
{
	switch (op->change) {
	case HAP_FRONTEND_ENABLE:
		snprintf(cmd, n, "enable frontend %s", name);
		return &hap_op_enable_frontend;
	case HAP_FRONTEND_DISABLE:
		snprintf(cmd, n, "disable frontend %s", name);
		return &hap_op_disable_frontend;
	case HAP_FRONTEND_SHUTDOWN:
		snprintf(cmd, n, "shutdown frontend %s", name);
		return &hap_op_shutdown_frontend;
	default:
		snprintf(cmd, n, "set maxconn frontend %s %s", name, op->value);
		return &hap_op_set_maxconn_frontend;
	}
}

int hap_frontend_plan(struct hap_plan **out, struct hap *h, const struct hap_frontend_op *op,
                      struct hap_error *err)
{
	struct hap_plan *p;
	const struct hap_reply_table *judge;
	char cmd[600];
	size_t i, k;
	int ret;

	*out = NULL;
	ret = hap_frontend_op_check(op, err);
	if (ret)
		return ret;
	ret = hap_plan_alloc(&p, h, HAP_KIND_FRONTEND, err);
	if (ret)
		return ret;
	ret = hap_snapshot_new(&p->snap, h, HAP_SNAP_FRONTENDS, err);
	if (!ret)
		ret = hap_plan_reachable(p, err);
	if (ret)
		goto out;
	p->disruptive = op->change == HAP_FRONTEND_DISABLE || op->change == HAP_FRONTEND_SHUTDOWN;
	/* what the read-back compares (status as "show stat" words it) */
	ret = frontend_verify(p, op);
	if (ret) {
		ret = hap_error_set(err, ret, "out of memory");
		goto out;
	}
	for (i = 0; i < op->nnames; i++) {
		const struct hap_object *o =
		        hap_snapshot_find(p->snap, HAP_OBJ_FRONTEND, NULL, op->names[i]);
		int counted = 0;

		if (!o) {
			ret = hap_error_set(err, HAP_ENOTFOUND, "no frontend '%s' on any instance",
			                    op->names[i]);
			goto out;
		}
		judge = frontend_command(op, op->names[i], cmd, sizeof(cmd));
		for (k = 0; k < hap_object_instance_count(o); k++) {
			size_t inst = hap_object_instance(o, k);

			if (hap_instance_flags(p->snap, inst) & HAP_INST_EXCLUDED)
				continue;
			ret = hap_plan_add(p, inst, op->names[i], cmd, judge);
			if (ret) {
				ret = hap_error_set(err, ret, "out of memory");
				goto out;
			}
			counted = 1;
		}
		p->nobjects += (size_t)counted;
	}
out:
	return hap_plan_done(out, p, ret);
}

int hap_global_op_check(const struct hap_global_op *op, struct hap_error *err)
{
	char pbuf[160];

	switch (op->change) {
	case HAP_GLOBAL_CLEAR_COUNTERS:
	case HAP_GLOBAL_CLEAR_COUNTERS_ALL:
		if (op->value)
			return hap_error_set(err, HAP_EINVAL, "clear counters takes no value");
		return 0;
	case HAP_GLOBAL_MAXCONN:
	case HAP_GLOBAL_RATE_CONNECTIONS:
	case HAP_GLOBAL_RATE_SESSIONS:
	case HAP_GLOBAL_RATE_SSL_SESSIONS:
	case HAP_GLOBAL_RATE_HTTP_COMPRESSION:
		if (!hap_op_number(op->value, INT_LIMIT))
			return hap_error_set(
			        err, HAP_EINVAL, "invalid value '%s' (expected 0..%d)",
			        hap_printable(op->value ? op->value : "", pbuf, sizeof(pbuf)),
			        INT_LIMIT);
		return 0;
	}
	return hap_error_set(err, HAP_EINVAL, "unknown change");
}

/* The command of a process-wide change, and its reply table. */
static const struct hap_reply_table *global_command(const struct hap_global_op *op, char *cmd,
                                                    size_t n)
{
	static const char *const rl[] = { NULL, "connections", "sessions", "ssl-sessions",
		                          "http-compression" };

	switch (op->change) {
	case HAP_GLOBAL_MAXCONN:
		snprintf(cmd, n, "set maxconn global %s", op->value);
		return &hap_op_set_maxconn_global;
	case HAP_GLOBAL_CLEAR_COUNTERS:
		snprintf(cmd, n, "clear counters");
		return &hap_op_clear_counters;
	case HAP_GLOBAL_CLEAR_COUNTERS_ALL:
		snprintf(cmd, n, "clear counters all");
		return &hap_op_clear_counters_all;
	default:
		snprintf(cmd, n, "set rate-limit %s global %s", rl[op->change], op->value);
		return &hap_op_set_rate_limit;
	}
}

/* The read-back: the "show info" value the setting shows as (a restart
 * is seen whatever the setting): 0 or HAP_ENOMEM. */
static int global_verify(struct hap_plan *p, const struct hap_global_op *op)
{
	static const char *const info[] = { "Maxconn", "ConnRateLimit", "SessRateLimit",
		                            "SslRateLimit", "CompressBpsRateLim" };
	const char *field = NULL;
	char want[32] = "";
	int64_t v = 0;

	if (op->value && !hap_num_parse_i64(op->value, &v) &&
	    op->change <= HAP_GLOBAL_RATE_HTTP_COMPRESSION) {
		/* http-compression is set in kB/s and shown in bytes/s */
		if (op->change == HAP_GLOBAL_RATE_HTTP_COMPRESSION)
			v = v <= (int64_t)(UINT32_MAX / 1024) ? v * 1024 : -1;
		/* maxconn 0 means "back to the hard limit": nothing to compare */
		if (v >= 0 && !(op->change == HAP_GLOBAL_MAXCONN && v == 0)) {
			field = info[op->change];
			snprintf(want, sizeof(want), "%lld", (long long)v);
		}
	}
	return hap_plan_verify(p, 0, NULL, field, want, HAP_VM_EXACT);
}

int hap_global_plan(struct hap_plan **out, struct hap *h, const struct hap_global_op *op,
                    struct hap_error *err)
{
	const struct hap_reply_table *judge;
	struct hap_plan *p;
	char cmd[128];
	size_t i, n;
	int ret;

	*out = NULL;
	ret = hap_global_op_check(op, err);
	if (ret)
		return ret;
	judge = global_command(op, cmd, sizeof(cmd));
	ret = hap_plan_alloc(&p, h, HAP_KIND_GLOBAL, err);
	if (ret)
		return ret;
	ret = hap_snapshot_new(&p->snap, h, 0, err);
	if (!ret)
		ret = hap_plan_reachable(p, err);
	if (ret)
		goto out;
	p->disruptive = op->change == HAP_GLOBAL_CLEAR_COUNTERS ||
	                op->change == HAP_GLOBAL_CLEAR_COUNTERS_ALL;
	if (global_verify(p, op)) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	n = hap_snapshot_instance_count(p->snap);
	for (i = 0; i < n; i++) {
		unsigned fl = hap_instance_flags(p->snap, i);

		if (hap_snapshot_inst_status(p->snap, i, NULL) ||
		    (fl & (HAP_INST_EXCLUDED | HAP_INST_DUPLICATE)))
			continue;
		ret = hap_plan_add(p, i, "global", cmd, judge);
		if (ret) {
			ret = hap_error_set(err, ret, "out of memory");
			goto out;
		}
		p->nobjects++;
	}
out:
	return hap_plan_done(out, p, ret);
}
