/*
 * test_workflow.c - the pieces of the fleet workflows that need no fleet:
 * the "add server" / "del server" reply tables against the replies
 * captured from HAProxy 2.6 (tests/data/2.6/add-server.*, del-server.*),
 * the selection rules (names, BACKEND/SERVER, several backends), the
 * validation of a dynamic server, and the wait conditions' names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "ops/ops.h"
#include "ops/workflow.h"
#include "util/banned.h"

#ifndef HAP_TEST_DATA
#define HAP_TEST_DATA "tests/data"
#endif
#define FIXTURE_DIR HAP_TEST_DATA "/2.6"

/* Whole fixture, NUL-terminated; fails the test when absent. */
static char *load(const char *name, size_t *len)
{
	char path[512];
	char *buf;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.txt", FIXTURE_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

struct rcase {
	const struct hap_reply_table *t;
	const char *fixture;
	enum hap_verdict want;
};

static void run(const struct rcase *cs, size_t n)
{
	size_t i, len;

	for (i = 0; i < n; i++) {
		char *raw = load(cs[i].fixture, &len);
		enum hap_verdict v = hap_reply_judge(cs[i].t, raw, len);

		if (v != cs[i].want) {
			print_error("%s: got %d, want %d\n", cs[i].fixture, (int)v,
			            (int)cs[i].want);
			fail();
		}
		free(raw);
	}
}

static void test_add_server_replies(void **state)
{
	static const struct rcase cs[] = {
		{ &hap_op_add_server, "add-server.ok", HAP_V_APPLIED },
		{ &hap_op_add_server, "add-server.exists", HAP_V_REFUSED },
		{ &hap_op_add_server, "add-server.static-lb", HAP_V_REFUSED },
		{ &hap_op_add_server, "add-server.weight-300", HAP_V_REFUSED },
		{ &hap_op_add_server, "add-server.no-backend", HAP_V_NOTFOUND },
		{ &hap_op_add_server, "add-server.no-addr", HAP_V_REFUSED },
		{ &hap_op_add_server, "add-server.unknown-kw", HAP_V_REFUSED },
		{ &hap_op_add_server, "add-server.check-no-port", HAP_V_REFUSED },
		/* registered nowhere: the agent part is refused, nothing added */
		{ &hap_op_add_server, "add-server.agent-no-port", HAP_V_REFUSED },
		{ &hap_op_add_server, "add-server.user-level", HAP_V_DENIED },
	};

	(void)state;
	run(cs, sizeof(cs) / sizeof(cs[0]));
}

static void test_del_server_replies(void **state)
{
	static const struct rcase cs[] = {
		{ &hap_op_del_server, "del-server.ok", HAP_V_APPLIED },
		{ &hap_op_del_server, "del-server.not-maint", HAP_V_REFUSED },
		{ &hap_op_del_server, "del-server.no-server", HAP_V_NOTFOUND },
		{ &hap_op_del_server, "del-server.no-backend", HAP_V_NOTFOUND },
		{ &hap_op_del_server, "del-server.tracked", HAP_V_REFUSED },
		{ &hap_op_del_server, "del-server.has-sessions", HAP_V_REFUSED },
		{ &hap_op_del_server, "del-server.user-level", HAP_V_DENIED },
	};

	(void)state;
	run(cs, sizeof(cs) / sizeof(cs[0]));
	/* a silent "\n" is not a deletion */
	assert_int_equal(hap_reply_judge(&hap_op_del_server, "\n", 1), HAP_V_REFUSED);
	assert_int_equal(hap_reply_judge(&hap_op_add_server, "\n", 1), HAP_V_REFUSED);
}

static void test_selection(void **state)
{
	const char *n1[] = { "web1", "web2" };
	const char *b1[] = { "app", "api" };
	const char *n2[] = { "app/web1", "web3" };
	const char *bad[] = { "app/", "/web1", "a/b/c", "a;b", "" };
	struct hap_server_sel s = { n1, 2, b1, 2 };
	struct hap_error err;
	char buf[64];
	size_t i;

	(void)state;
	assert_int_equal(hap_server_sel_check(&s, &err), 0);
	assert_true(hap_sel_match(&s, "app", "web1"));
	assert_true(hap_sel_match(&s, "api", "web2"));
	assert_false(hap_sel_match(&s, "other", "web1"));
	assert_false(hap_sel_match(&s, "app", "web3"));
	assert_null(hap_sel_backend(&s, buf, sizeof(buf))); /* two backends */
	s.nbackends = 0;                                    /* every backend */
	assert_true(hap_sel_match(&s, "other", "web1"));
	s.names = n2;
	s.backends = b1;
	s.nbackends = 1;
	/* app/web1 names its backend; web3 is looked up in -b app */
	assert_true(hap_sel_match(&s, "app", "web1"));
	assert_false(hap_sel_match(&s, "api", "web1"));
	assert_true(hap_sel_match(&s, "app", "web3"));
	assert_string_equal(hap_sel_backend(&s, buf, sizeof(buf)), "app");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hap_server_sel b = { &bad[i], 1, NULL, 0 };

		assert_int_equal(hap_server_sel_check(&b, &err), HAP_EINVAL);
	}
	s.nnames = 0;
	assert_int_equal(hap_server_sel_check(&s, &err), HAP_EINVAL);
}

static void test_add_check(void **state)
{
	struct hap_server_add a;
	struct hap_error err;
	static const char *const good[] = { "127.0.0.1", "127.0.0.1:80", "[::1]", "[::1]:8080" };
	static const char *const badaddr[] = {
		"",     "localhost",   "127.0.0.1:0", "::1",
		"[::1", "127.0.0.1:x", "1.2.3.4;",    "[::1]:99999"
	};
	size_t i;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.backend = "app";
	a.name = "web9";
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		a.addr = good[i];
		assert_int_equal(hap_server_add_check(&a, &err), 0);
	}
	for (i = 0; i < sizeof(badaddr) / sizeof(badaddr[0]); i++) {
		a.addr = badaddr[i];
		assert_int_equal(hap_server_add_check(&a, &err), HAP_EINVAL);
	}
	a.addr = "127.0.0.1";
	a.check = 1; /* nothing to check without a port */
	assert_int_equal(hap_server_add_check(&a, &err), HAP_EINVAL);
	a.addr = "127.0.0.1:80";
	assert_int_equal(hap_server_add_check(&a, &err), 0);
	a.weight = "257";
	assert_int_equal(hap_server_add_check(&a, &err), HAP_EINVAL);
	a.weight = "256";
	a.agent_check = 1; /* needs agent-port */
	assert_int_equal(hap_server_add_check(&a, &err), HAP_EINVAL);
	a.agent_port = "5555";
	assert_int_equal(hap_server_add_check(&a, &err), 0);
	a.name = "web 9";
	assert_int_equal(hap_server_add_check(&a, &err), HAP_EINVAL);
}

static void test_wait_cond(void **state)
{
	enum hap_wait_cond c;

	(void)state;
	assert_int_equal(hap_wait_cond_parse(&c, "empty"), 0);
	assert_int_equal(c, HAP_WAIT_EMPTY);
	assert_int_equal(hap_wait_cond_parse(&c, "ready"), 0);
	assert_string_equal(hap_wait_cond_name(c), "ready");
	assert_int_equal(hap_wait_cond_parse(&c, "UP"), HAP_EINVAL);
	assert_int_equal(hap_wait_cond_parse(&c, NULL), HAP_EINVAL);
	hap_wait_free(NULL);
	hap_state_diff_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_server_replies),
		cmocka_unit_test(test_del_server_replies),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_add_check),
		cmocka_unit_test(test_wait_cond),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
