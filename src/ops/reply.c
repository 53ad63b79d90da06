/*
 * reply.c - the reply tables of every operation (see ops.h).
 *
 * Texts are HAProxy 2.6.12's, verbatim (reference/haproxy-2.6-runtime-api.md
 * §3, fixtures in tests/data/2.6/). A change that leaves the object as it
 * was asked ("already disabled", the same state) is applied, not an error.
 */
#include <string.h>

#include "haproxyadmin.h"
#include "ops/ops.h"
#include "util/banned.h"

#define END                                                                                        \
	{                                                                                          \
		HAP_M_END, NULL, HAP_V_REFUSED                                                     \
	}

/* Every op: object lookups, permissions and old workers. */
static const struct hap_reply_rule common[] = {
	{ HAP_M_EXACT, "No such backend.", HAP_V_NOTFOUND },
	{ HAP_M_EXACT, "No such server.", HAP_V_NOTFOUND },
	{ HAP_M_EXACT, "No such frontend.", HAP_V_NOTFOUND },
	{ HAP_M_EXACT, "Permission denied", HAP_V_DENIED },
	{ HAP_M_EXACT, "Proxy is disabled.", HAP_V_REFUSED },
	END,
};

static const struct hap_reply_rule silent_ok[] = {
	{ HAP_M_EMPTY, NULL, HAP_V_APPLIED },
	END,
};

const struct hap_reply_table hap_op_set_weight = { "set weight", HAP_LEVEL_ADMIN, silent_ok };
const struct hap_reply_table hap_op_set_state = { "set server state", HAP_LEVEL_ADMIN, silent_ok };
const struct hap_reply_table hap_op_enable_server = { "enable server", HAP_LEVEL_ADMIN, silent_ok };
const struct hap_reply_table hap_op_disable_server = { "disable server", HAP_LEVEL_ADMIN,
	                                               silent_ok };
const struct hap_reply_table hap_op_set_health = { "set server health", HAP_LEVEL_ADMIN,
	                                           silent_ok };
const struct hap_reply_table hap_op_set_agent = { "set server agent", HAP_LEVEL_ADMIN, silent_ok };
const struct hap_reply_table hap_op_enable_health = { "enable health", HAP_LEVEL_ADMIN, silent_ok };
const struct hap_reply_table hap_op_disable_health = { "disable health", HAP_LEVEL_ADMIN,
	                                               silent_ok };
const struct hap_reply_table hap_op_enable_agent = { "enable agent", HAP_LEVEL_ADMIN, silent_ok };
const struct hap_reply_table hap_op_disable_agent = { "disable agent", HAP_LEVEL_ADMIN, silent_ok };
const struct hap_reply_table hap_op_set_maxconn_server = { "set maxconn server", HAP_LEVEL_ADMIN,
	                                                   silent_ok };
const struct hap_reply_table hap_op_shutdown_sessions = { "shutdown sessions server",
	                                                  HAP_LEVEL_ADMIN, silent_ok };

/*
 * "set server addr" answers text on success. When the port could not be
 * converted the address was changed anyway: partly applied.
 */
static const struct hap_reply_rule addr_rules[] = {
	{ HAP_M_CONTAINS, "problem converting port", HAP_V_PARTIAL },
	{ HAP_M_PREFIX, "IP changed from ", HAP_V_APPLIED },
	{ HAP_M_PREFIX, "no need to change the addr", HAP_V_APPLIED },
	END,
};
const struct hap_reply_table hap_op_set_addr = { "set server addr", HAP_LEVEL_ADMIN, addr_rules };

static int match(const struct hap_reply_rule *r, const char *p, size_t n)
{
	size_t l = r->text ? strlen(r->text) : 0;

	switch (r->match) {
	case HAP_M_EMPTY:
		return n == 0;
	case HAP_M_EXACT:
		return n == l && memcmp(p, r->text, l) == 0;
	case HAP_M_PREFIX:
		return n >= l && memcmp(p, r->text, l) == 0;
	case HAP_M_CONTAINS: {
		size_t i;

		for (i = 0; l && i + l <= n; i++)
			if (memcmp(p + i, r->text, l) == 0)
				return 1;
		return 0;
	}
	case HAP_M_END:
		break;
	}
	return 0;
}

enum hap_verdict hap_reply_judge(const struct hap_reply_table *t, const char *reply, size_t len)
{
	const struct hap_reply_rule *r;

	if (len == 0)
		return HAP_V_UNKNOWN;
	while (len && (reply[len - 1] == '\n' || reply[len - 1] == '\r'))
		len--;
	for (r = t->rules; r->match != HAP_M_END; r++)
		if (match(r, reply, len))
			return r->verdict;
	for (r = common; r->match != HAP_M_END; r++)
		if (match(r, reply, len))
			return r->verdict;
	return HAP_V_REFUSED;
}

int hap_verdict_code(enum hap_verdict v)
{
	switch (v) {
	case HAP_V_APPLIED:
		return 0;
	case HAP_V_REFUSED:
		return HAP_EREFUSED;
	case HAP_V_NOTFOUND:
		return HAP_ENOTFOUND;
	case HAP_V_PARTIAL:
		return HAP_EPARTIAL;
	case HAP_V_DENIED:
		return HAP_EPERM;
	case HAP_V_UNKNOWN:
		return HAP_EUNKNOWN;
	}
	return HAP_EREFUSED;
}

/*
 * Frontends: a frontend already in the wanted state counts as applied
 * (HAProxy 2.6 answers a second disable with "All sockets are already
 * disabled."). A frontend that was shut down cannot come back.
 */
static const struct hap_reply_rule fe_enable_rules[] = {
	{ HAP_M_EMPTY, NULL, HAP_V_APPLIED },
	{ HAP_M_EXACT, "All sockets are already enabled.", HAP_V_APPLIED },
	END,
};
static const struct hap_reply_rule fe_disable_rules[] = {
	{ HAP_M_EMPTY, NULL, HAP_V_APPLIED },
	{ HAP_M_EXACT, "All sockets are already disabled.", HAP_V_APPLIED },
	END,
};
static const struct hap_reply_rule fe_shutdown_rules[] = {
	{ HAP_M_EMPTY, NULL, HAP_V_APPLIED },
	{ HAP_M_EXACT, "Frontend was already shut down.", HAP_V_APPLIED },
	END,
};
const struct hap_reply_table hap_op_enable_frontend = { "enable frontend", HAP_LEVEL_ADMIN,
	                                                fe_enable_rules };
const struct hap_reply_table hap_op_disable_frontend = { "disable frontend", HAP_LEVEL_ADMIN,
	                                                 fe_disable_rules };
const struct hap_reply_table hap_op_shutdown_frontend = { "shutdown frontend", HAP_LEVEL_ADMIN,
	                                                  fe_shutdown_rules };
const struct hap_reply_table hap_op_set_maxconn_frontend = { "set maxconn frontend",
	                                                     HAP_LEVEL_ADMIN, silent_ok };
const struct hap_reply_table hap_op_set_maxconn_global = { "set maxconn global", HAP_LEVEL_ADMIN,
	                                                   silent_ok };
const struct hap_reply_table hap_op_set_rate_limit = { "set rate-limit", HAP_LEVEL_ADMIN,
	                                               silent_ok };
/* "clear counters" resets maxima and is allowed at level operator */
const struct hap_reply_table hap_op_clear_counters = { "clear counters", HAP_LEVEL_OPERATOR,
	                                               silent_ok };
const struct hap_reply_table hap_op_clear_counters_all = { "clear counters all", HAP_LEVEL_ADMIN,
	                                                   silent_ok };
