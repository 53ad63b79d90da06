/*
 * test_rules.c - the aggregation table: every rule follows from HAProxy's
 * own field nature unless an override says why, and the original's metric
 * lists are all covered.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "haproxyadmin.h"
#include "model/rules.h"

static void test_rules_derived_or_explained(void **state)
{
	int info;

	(void)state;
	for (info = 0; info < 2; info++) {
		size_t n, i;
		const struct hap_rule_row *rows = hap_rule_rows(info, &n);

		assert_true(n > 60);
		for (i = 0; i < n; i++) {
			int t;

			for (t = 0; t < 3; t++) {
				if (!rows[i].tag[t])
					continue;
				if (rows[i].override >= 0) {
					assert_non_null(rows[i].why);
					continue;
				}
				assert_int_equal(hap_rule_of_row(&rows[i], t),
				                 hap_rule_of_tag(rows[i].tag[t]));
			}
		}
	}
}

static void test_rules_natures(void **state)
{
	(void)state;
	assert_int_equal(hap_rule_of_tag("MCP"), HAP_RULE_SUM);
	assert_int_equal(hap_rule_of_tag("MGP"), HAP_RULE_SUM);
	assert_int_equal(hap_rule_of_tag("MRP"), HAP_RULE_SUM);
	assert_int_equal(hap_rule_of_tag("CLP"), HAP_RULE_SUM);
	assert_int_equal(hap_rule_of_tag("MMP"), HAP_RULE_MAX);
	assert_int_equal(hap_rule_of_tag("MAP"), HAP_RULE_MIN);
	assert_int_equal(hap_rule_of_tag("MaP"), HAP_RULE_AVG);
	assert_int_equal(hap_rule_of_tag("KNS"), HAP_RULE_AGREE);
	assert_int_equal(hap_rule_of_tag("SGP"), HAP_RULE_AGREE);
	assert_int_equal(hap_rule_of_tag("CGS"), HAP_RULE_AGREE);
	assert_int_equal(hap_rule_of_tag("POS"), HAP_RULE_AGREE);
	assert_int_equal(hap_rule_of_tag("MOP"), HAP_RULE_AGREE);
	assert_int_equal(hap_rule_of_tag(NULL), HAP_RULE_AGREE);
}

/* The rule of each server metric of the seed page, written out here (counters,
 * gauges, rates and limits summed, max of maxima, min of ages, average of
 * averages, config agreeing): an oracle independent of the table's tags. */
static void test_rules_server_expected(void **state)
{
	static const struct {
		const char *field;
		const char *rule;
	} want[] = {
		{ "qcur", "sum" },           { "qmax", "max" },     { "scur", "sum" },
		{ "smax", "max" },           { "stot", "sum" },     { "bin", "sum" },
		{ "bout", "sum" },           { "dresp", "sum" },    { "econ", "sum" },
		{ "eresp", "sum" },          { "wretr", "sum" },    { "wredis", "sum" },
		{ "weight", "agree" },       { "act", "agree" },    { "bck", "agree" },
		{ "chkfail", "sum" },        { "chkdown", "sum" },  { "lastchg", "min" },
		{ "downtime", "max" },       { "qlimit", "sum" },   { "throttle", "avg" },
		{ "lbtot", "sum" },          { "rate", "sum" },     { "rate_max", "max" },
		{ "check_duration", "avg" }, { "hrsp_1xx", "sum" }, { "hrsp_2xx", "sum" },
		{ "hrsp_3xx", "sum" },       { "hrsp_4xx", "sum" }, { "hrsp_5xx", "sum" },
		{ "hrsp_other", "sum" },     { "cli_abrt", "sum" }, { "srv_abrt", "sum" },
		{ "lastsess", "min" },       { "qtime", "avg" },    { "ctime", "avg" },
		{ "rtime", "avg" },          { "ttime", "avg" },
	};
	size_t i;

	(void)state;
	assert_int_equal(sizeof(want) / sizeof(want[0]), 38);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *got = hap_rule_name(hap_field_rule(2, want[i].field));

		if (strcmp(got, want[i].rule) != 0) {
			print_error("server %s: rule %s, want %s\n", want[i].field, got,
			            want[i].rule);
			fail();
		}
	}
}

/* The original's metric lists (inventory §6.1) must all be known fields,
 * with the bugs it had fixed: Idle_pct averaged, Uptime_sec aggregated,
 * maxima not summed, weights never averaged. */
static void test_rules_original_lists(void **state)
{
	static const char *const server[] = {
		"qcur",           "qmax",     "scur",     "smax",     "stot",     "bin",
		"bout",           "dresp",    "econ",     "eresp",    "wretr",    "wredis",
		"weight",         "act",      "bck",      "chkfail",  "chkdown",  "lastchg",
		"downtime",       "qlimit",   "throttle", "lbtot",    "rate",     "rate_max",
		"check_duration", "hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx",
		"hrsp_other",     "cli_abrt", "srv_abrt", "lastsess", "qtime",    "ctime",
		"rtime",          "ttime",    "slim",
	};
	static const char *const info[] = {
		"SslFrontendMaxKeyRate",
		"Hard_maxconn",
		"SessRateLimit",
		"Process_num",
		"Memmax_MB",
		"CompressBpsRateLim",
		"MaxSslConns",
		"ConnRateLimit",
		"SslRateLimit",
		"MaxConnRate",
		"CumConns",
		"SslBackendKeyRate",
		"SslCacheLookups",
		"CurrSslConns",
		"Run_queue",
		"Maxpipes",
		"Idle_pct",
		"SslFrontendKeyRate",
		"Tasks",
		"SslFrontendSessionReuse_pct",
		"CurrConns",
		"SslCacheMisses",
		"SslRate",
		"CumSslConns",
		"PipesUsed",
		"Maxconn",
		"CompressBpsIn",
		"ConnRate",
		"Ulimit-n",
		"SessRate",
		"SslBackendMaxKeyRate",
		"CumReq",
		"PipesFree",
		"Uptime_sec",
		"CompressBpsOut",
		"Maxsock",
		"MaxSslRate",
		"MaxSessRate",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(server) / sizeof(server[0]); i++) {
		const struct hap_rule_row *r = hap_rule_find(0, server[i], strlen(server[i]));

		if (!r)
			fail_msg("server metric %s missing", server[i]);
		assert_non_null(r->tag[2]);
	}
	for (i = 0; i < sizeof(info) / sizeof(info[0]); i++)
		if (!hap_rule_find(1, info[i], strlen(info[i])))
			fail_msg("info metric %s missing", info[i]);
	assert_int_equal(hap_field_rule(-1, "Idle_pct"), HAP_RULE_AVG);
	assert_int_equal(hap_field_rule(-1, "Uptime_sec"), HAP_RULE_MIN);
	assert_int_equal(hap_field_rule(-1, "MaxConnRate"), HAP_RULE_MAX);
	assert_int_equal(hap_field_rule(-1, "Maxconn"), HAP_RULE_SUM);
	assert_int_equal(hap_field_rule(-1, "Process_num"), HAP_RULE_AGREE);
	assert_int_equal(hap_field_rule(HAP_OBJ_SERVER, "weight"), HAP_RULE_AGREE);
	assert_int_equal(hap_field_rule(HAP_OBJ_SERVER, "smax"), HAP_RULE_MAX);
	assert_int_equal(hap_field_rule(HAP_OBJ_BACKEND, "rate_max"), HAP_RULE_MAX);
	assert_int_equal(hap_field_rule(HAP_OBJ_SERVER, "lastsess"), HAP_RULE_MIN);
	assert_int_equal(hap_field_rule(HAP_OBJ_SERVER, "qtime"), HAP_RULE_AVG);
	assert_int_equal(hap_field_rule(HAP_OBJ_SERVER, "status"), HAP_RULE_AGREE);
	assert_int_equal(hap_field_rule(HAP_OBJ_SERVER, "no_such_field"), HAP_RULE_AGREE);
	assert_string_equal(hap_rule_name(HAP_RULE_AVG), "avg");
}

/* hap_field_tag(): the typed tag per object type, NULL where HAProxy has none */
static void test_rules_field_tag(void **state)
{
	(void)state;
	assert_string_equal(hap_field_tag(HAP_OBJ_SERVER, "scur"), "MGP");
	assert_string_equal(hap_field_tag(HAP_OBJ_BACKEND, "hrsp_2xx"), "MCP");
	assert_string_equal(hap_field_tag(HAP_OBJ_FRONTEND, "smax"), "MMP");
	assert_null(hap_field_tag(HAP_OBJ_FRONTEND, "qcur"));
	assert_null(hap_field_tag(HAP_OBJ_SERVER, "no_such_field"));
	assert_null(hap_field_tag(3, "scur"));
	assert_string_equal(hap_field_tag(-1, "CumReq"), "MCP");
	assert_string_equal(hap_field_tag(-1, "CurrConns"), "MGP");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_derived_or_explained),
		cmocka_unit_test(test_rules_natures),
		cmocka_unit_test(test_rules_server_expected),
		cmocka_unit_test(test_rules_original_lists),
		cmocka_unit_test(test_rules_field_tag),
	};
	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
