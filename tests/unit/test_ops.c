/*
 * test_ops.c - how each operation judges HAProxy's replies, and what a
 * server change accepts before anything is sent. No I/O besides reading
 * fixtures.
 *
 * Replies: every success and error text of HAProxy 2.6's runtime API that
 * applies to an operation (reference/haproxy-2.6-runtime-api.md §3) is fed
 * to that operation's reply table, bare, with "\n" (the [1n] form some
 * replies have), with "\n\n" (the usual framing) and with "\r\n", each in a
 * buffer of exactly its length (no terminating NUL, so a read past the
 * length shows under valgrind). Where scripts/capture-fixtures.sh recorded
 * the case in tests/data/2.6/, the recorded bytes are judged (as they are,
 * and re-framed as above) instead of the literal; a case that names a
 * fixture fails when the file is absent (no silent fallback to the
 * literal). Cases without a fixture are judged on their literal text.
 *
 * Validation: hap_server_op_check() refuses every bad value with
 * HAP_EINVAL and a message, and accepts the good ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "haproxyadmin.h"
#include "ops/lock.h"
#include "ops/ops.h"
#include "ops/round.h"
#include "util/banned.h"

#ifndef HAP_TEST_DATA
#define HAP_TEST_DATA "tests/data"
#endif
#define FIXTURE_DIR HAP_TEST_DATA "/2.6"

#define APPLIED  HAP_V_APPLIED
#define REFUSED  HAP_V_REFUSED
#define NOTFOUND HAP_V_NOTFOUND
#define PARTIAL  HAP_V_PARTIAL
#define DENIED   HAP_V_DENIED

/* One reply an operation can get. */
struct rcase {
	const struct hap_reply_table *t;
	const char *fixture; /* tests/data/2.6/<fixture>.txt, or NULL */
	const char *text;    /* HAProxy's text without the final newlines; NULL: fixture only */
	enum hap_verdict want;
};

static int from_fixture, from_literal;

/* ---- fixtures ---- */

/* Whole file in a malloc'd buffer (*len bytes, NUL added); NULL when absent. */
static char *load(const char *name, size_t *len)
{
	char path[512];
	char *buf = NULL;
	size_t cap = 0, n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.txt", FIXTURE_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	for (;;) {
		size_t r;

		if (n + 4096 + 1 > cap) {
			char *q;

			cap = cap ? cap * 2 : 8192;
			q = realloc(buf, cap);
			assert_non_null(q);
			buf = q;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	assert_false(ferror(f));
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* ---- judging ---- */

static const char *vname(enum hap_verdict v)
{
	switch (v) {
	case HAP_V_APPLIED:
		return "applied";
	case HAP_V_REFUSED:
		return "refused";
	case HAP_V_NOTFOUND:
		return "not-found";
	case HAP_V_PARTIAL:
		return "partial";
	case HAP_V_DENIED:
		return "denied";
	case HAP_V_UNKNOWN:
		return "unknown";
	}
	return "?";
}

/* Judge exactly len bytes, copied to a buffer of that size (no NUL after). */
static enum hap_verdict judge_exact(const struct hap_reply_table *t, const char *p, size_t len)
{
	char *copy = malloc(len ? len : 1);
	enum hap_verdict v;

	assert_non_null(copy);
	if (len)
		memcpy(copy, p, len);
	v = hap_reply_judge(t, copy, len);
	free(copy);
	return v;
}

static void expect(const struct rcase *c, const char *what, const char *p, size_t len)
{
	enum hap_verdict got = judge_exact(c->t, p, len);

	if (got != c->want) {
		print_error("%s: %s reply %s \"%.*s\": got %s, want %s\n", c->t->op,
		            c->fixture ? c->fixture : "(literal)", what, (int)len, p, vname(got),
		            vname(c->want));
		fail();
	}
}

/* The text, bare and re-framed the ways HAProxy ends a reply. */
static void expect_forms(const struct rcase *c, const char *base, size_t blen)
{
	static const char *const tails[] = { "", "\n", "\n\n", "\r\n" };
	static const char *const names[] = { "bare", "[1n]", "framed", "crlf" };
	size_t i;

	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		size_t tl = strlen(tails[i]);
		char *b = malloc(blen + tl + 1);

		assert_non_null(b);
		memcpy(b, base, blen);
		memcpy(b + blen, tails[i], tl);
		if (blen + tl == 0) {
			/* no byte at all is never a success (not even a silent one) */
			struct rcase u = *c;

			u.want = HAP_V_UNKNOWN;
			expect(&u, names[i], b, 0);
		} else {
			expect(c, names[i], b, blen + tl);
		}
		free(b);
	}
}

static void run_case(const struct rcase *c)
{
	size_t len = 0, blen;
	char *raw = c->fixture ? load(c->fixture, &len) : NULL;

	if (raw) {
		from_fixture++;
		/* the bytes as HAProxy sent them */
		expect(c, "as captured", raw, len);
		blen = len;
		while (blen && (raw[blen - 1] == '\n' || raw[blen - 1] == '\r'))
			blen--;
		expect_forms(c, raw, blen);
		/* addresses and ports in set addr texts depend on the capture's fleet */
		if (c->text && c->t != &hap_op_set_addr &&
		    (blen != strlen(c->text) || memcmp(raw, c->text, blen) != 0))
			print_message("note: %s.txt differs from the documented text \"%s\"\n",
			              c->fixture, c->text);
		free(raw);
		return;
	}
	if (c->fixture) {
		/* a case recorded by capture-fixtures.sh must be judged on the
		 * recorded bytes: a missing fixture is a failure, not a fallback */
		print_error("fixture %s/%s.txt is missing\n", FIXTURE_DIR, c->fixture);
		fail();
	}
	from_literal++;
	expect_forms(c, c->text, strlen(c->text));
}

static void run_cases(const struct rcase *cs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		run_case(&cs[i]);
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(cases[0]))

/* Texts every operation can get (object lookups, levels, old workers),
 * and near misses that must not pass for them. */
/* clang-format off */
#define COMMON(tbl)                                                                  \
	{ &tbl, NULL, "No such backend.", NOTFOUND },                                 \
	{ &tbl, NULL, "No such server.", NOTFOUND },                                  \
	{ &tbl, NULL, "Require 'backend/server'.", REFUSED },                         \
	{ &tbl, NULL, "Permission denied", DENIED },                                  \
	{ &tbl, NULL, "Proxy is disabled.", REFUSED },                                \
	{ &tbl, NULL, "Unknown command, but maybe one of the following ones is a "    \
		      "better match:\n  help [<command>]                        : "   \
		      "list matching or all commands", REFUSED },                     \
	{ &tbl, NULL, "Something HAProxy 2.6 never said.", REFUSED },                 \
	{ &tbl, NULL, "[3]: No such server.", REFUSED },                              \
	{ &tbl, NULL, " ", REFUSED },                                                 \
	{ &tbl, NULL, "No such server. ", REFUSED },                                  \
	{ &tbl, NULL, "Permission denied\nPermission denied", REFUSED }
/* clang-format on */

#define USAGE_SET_SERVER                                                                           \
	"usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | "           \
	"agent-send | check-addr | check-port | fqdn | health | ssl | state | weight"

static void test_set_weight(void **state)
{
	static const struct rcase cs[] = {
		{ &hap_op_set_weight, "set-weight.ok-abs", "", APPLIED },
		{ &hap_op_set_weight, "set-weight.ok-pct", "", APPLIED },
		{ &hap_op_set_weight, "set-weight.ok-256", "", APPLIED },
		{ &hap_op_set_weight, "set-weight.ok-0", "", APPLIED },
		{ &hap_op_set_weight, "set-weight.ok-300pct", "", APPLIED },
		{ &hap_op_set_weight, "set-server-weight.ok", "", APPLIED },
		{ &hap_op_set_weight, "set-weight.257",
		  "Absolute weight can only be between 0 and 256 inclusive.", REFUSED },
		{ &hap_op_set_weight, "set-weight.neg",
		  "Absolute weight can only be between 0 and 256 inclusive.", REFUSED },
		{ &hap_op_set_weight, "set-weight.abc",
		  "Empty weight string empty or preceded by garbage", REFUSED },
		{ &hap_op_set_weight, "set-weight.empty-pct",
		  "Empty weight string empty or preceded by garbage", REFUSED },
		{ &hap_op_set_weight, "set-weight.12.5", "Trailing garbage in weight string",
		  REFUSED },
		{ &hap_op_set_weight, NULL, "Trailing garbage in weight string", REFUSED },
		{ &hap_op_set_weight, "set-weight.missing", "Require <weight> or <weight%>.",
		  REFUSED },
		{ &hap_op_set_weight, "set-weight.no-slash", "Require 'backend/server'.", REFUSED },
		{ &hap_op_set_weight, "set-weight.no-backend", "No such backend.", NOTFOUND },
		{ &hap_op_set_weight, "set-weight.no-server", "No such server.", NOTFOUND },
		{ &hap_op_set_weight, "set-weight.user", "Permission denied", DENIED },
		{ &hap_op_set_weight, "set-weight.operator", "Permission denied", DENIED },
		{ &hap_op_set_weight, "master-old-worker-set-weight", "Proxy is disabled.",
		  REFUSED },
		/* another operation's success is not this one's */
		{ &hap_op_set_weight, NULL,
		  "IP changed from '127.0.0.1' to '127.0.0.2' by 'stats socket command'", REFUSED },
		{ &hap_op_set_weight, NULL, "50 (initial 100)", REFUSED },
		COMMON(hap_op_set_weight),
	};

	(void)state;
	RUN(cs);
}

static void test_set_state(void **state)
{
	static const struct rcase cs[] = {
		{ &hap_op_set_state, "set-server-state.drain", "", APPLIED },
		{ &hap_op_set_state, "set-server-state.maint", "", APPLIED },
		{ &hap_op_set_state, "set-server-state.ready", "", APPLIED },
		{ &hap_op_set_state, "set-server-state.bad",
		  "'set server <srv> state' expects 'ready', 'drain' and 'maint'.", REFUSED },
		{ &hap_op_set_state, "set-server-state.no-backend", "No such backend.", NOTFOUND },
		{ &hap_op_set_state, "set-server-state.no-server", "No such server.", NOTFOUND },
		{ &hap_op_set_state, "set-server-state.no-slash", "Require 'backend/server'.",
		  REFUSED },
		{ &hap_op_set_state, "set-server.usage", USAGE_SET_SERVER, REFUSED },
		{ &hap_op_set_state, "set-server.bad-keyword", USAGE_SET_SERVER, REFUSED },
		COMMON(hap_op_set_state),
	};

	(void)state;
	RUN(cs);
}

static void test_enable_disable_server(void **state)
{
	static const struct rcase cs[] = {
		{ &hap_op_enable_server, "enable-server.ok", "", APPLIED },
		{ &hap_op_enable_server, "enable-server.no-backend", "No such backend.", NOTFOUND },
		{ &hap_op_enable_server, "enable-server.no-server", "No such server.", NOTFOUND },
		{ &hap_op_enable_server, "enable-server.no-slash", "Require 'backend/server'.",
		  REFUSED },
		COMMON(hap_op_enable_server),
		{ &hap_op_disable_server, "disable-server.ok", "", APPLIED },
		/* already in maintenance: the server is as asked */
		{ &hap_op_disable_server, "disable-server.again", "", APPLIED },
		COMMON(hap_op_disable_server),
	};

	(void)state;
	RUN(cs);
}

static void test_set_health(void **state)
{
	static const struct rcase cs[] = {
		{ &hap_op_set_health, "set-server-health.down", "", APPLIED },
		{ &hap_op_set_health, "set-server-health.stopping", "", APPLIED },
		{ &hap_op_set_health, "set-server-health.up", "", APPLIED },
		/* HAProxy only refuses tracking servers, not unchecked ones */
		{ &hap_op_set_health, "set-server-health.no-check", "", APPLIED },
		{ &hap_op_set_health, "set-server-health.bad",
		  "'set server <srv> health' expects 'up', 'stopping', or 'down'.", REFUSED },
		{ &hap_op_set_health, "set-server-health.tracking",
		  "cannot change health on a tracking server.", REFUSED },
		COMMON(hap_op_set_health),
	};

	(void)state;
	RUN(cs);
}

static void test_set_agent(void **state)
{
	static const struct rcase cs[] = {
		{ &hap_op_set_agent, "set-server-agent.down", "", APPLIED },
		{ &hap_op_set_agent, "set-server-agent.up", "", APPLIED },
		{ &hap_op_set_agent, "set-server-agent.bad",
		  "'set server <srv> agent' expects 'up' or 'down'.", REFUSED },
		/* servers without an agent (a tracking one, one without checks) */
		{ &hap_op_set_agent, "set-server-agent.tracking",
		  "agent checks are not enabled on this server.", REFUSED },
		{ &hap_op_set_agent, "set-server-agent.no-agent",
		  "agent checks are not enabled on this server.", REFUSED },
		COMMON(hap_op_set_agent),
	};

	(void)state;
	RUN(cs);
}

static void test_checks(void **state)
{
	static const struct rcase cs[] = {
		{ &hap_op_enable_health, "enable-health.ok", "", APPLIED },
		{ &hap_op_enable_health, "enable-health.not-configured",
		  "Health check was not configured on this server, cannot enable.", REFUSED },
		{ &hap_op_enable_health, "enable-health.no-server", "No such server.", NOTFOUND },
		COMMON(hap_op_enable_health),
		{ &hap_op_disable_health, "disable-health.ok", "", APPLIED },
		/* accepted by HAProxy on a server without checks: nothing to disable */
		{ &hap_op_disable_health, "disable-health.not-configured", "", APPLIED },
		COMMON(hap_op_disable_health),
		{ &hap_op_enable_agent, "enable-agent.ok", "", APPLIED },
		{ &hap_op_enable_agent, "enable-agent.not-configured",
		  "Agent was not configured on this server, cannot enable.", REFUSED },
		COMMON(hap_op_enable_agent),
		{ &hap_op_disable_agent, "disable-agent.ok", "", APPLIED },
		{ &hap_op_disable_agent, "disable-agent.not-configured", "", APPLIED },
		COMMON(hap_op_disable_agent),
		/* one table's refusal text is not success in the other */
		{ &hap_op_disable_health, NULL,
		  "Agent was not configured on this server, cannot enable.", REFUSED },
	};

	(void)state;
	RUN(cs);
}

static void test_maxconn_shutdown(void **state)
{
	static const struct rcase cs[] = {
		{ &hap_op_set_maxconn_server, "set-maxconn-server.ok", "", APPLIED },
		{ &hap_op_set_maxconn_server, "set-maxconn-server.garbage",
		  "maxconn string empty or preceded by garbage", REFUSED },
		{ &hap_op_set_maxconn_server, "set-maxconn-server.missing", "Require <maxconn>.",
		  REFUSED },
		{ &hap_op_set_maxconn_server, "set-maxconn-server.no-server", "No such server.",
		  NOTFOUND },
		COMMON(hap_op_set_maxconn_server),
		{ &hap_op_shutdown_sessions, "shutdown-sessions-server.ok", "", APPLIED },
		{ &hap_op_shutdown_sessions, "shutdown-sessions-server.no-server",
		  "No such server.", NOTFOUND },
		{ &hap_op_shutdown_sessions, "shutdown-sessions-server.no-backend",
		  "No such backend.", NOTFOUND },
		{ &hap_op_shutdown_sessions, "master-old-worker-shutdown-sessions",
		  "Proxy is disabled.", REFUSED },
		{ &hap_op_shutdown_sessions, "shutdown-sessions.backend-only",
		  "Unknown command, but maybe one of the following ones is a better match:\n"
		  "  shutdown sessions server <bk>/<srv>     : kill sessions on a server\n"
		  "  help [<command>]                        : list matching or all commands\n"
		  "  prompt                                  : toggle interactive mode with "
		  "prompt\n"
		  "  quit                                    : disconnect",
		  REFUSED },
		COMMON(hap_op_shutdown_sessions),
	};

	(void)state;
	RUN(cs);
}

static void test_set_addr(void **state)
{
	static const struct rcase cs[] = {
		{ &hap_op_set_addr, "set-server-addr.ip-change",
		  "IP changed from '127.0.0.1' to '127.0.0.2' by 'stats socket command'", APPLIED },
		{ &hap_op_set_addr, "set-server-addr.same-ip",
		  "no need to change the addr by 'stats socket command'", APPLIED },
		{ &hap_op_set_addr, "set-server-addr.same-ip-port-change",
		  "no need to change the addr, port changed from '18001' to '18002' by 'stats "
		  "socket command'",
		  APPLIED },
		{ &hap_op_set_addr, "set-server-addr.ip-and-port-change",
		  "IP changed from '127.0.0.1' to '127.0.0.3', port changed from '18002' to "
		  "'18001' by 'stats socket command'",
		  APPLIED },
		{ &hap_op_set_addr, "set-server-addr.ip-change-same-port",
		  "IP changed from '127.0.0.2' to '127.0.0.1', no need to change the port by "
		  "'stats socket command'",
		  APPLIED },
		{ &hap_op_set_addr, "set-server-addr.nothing-changes",
		  "no need to change the addr, no need to change the port by 'stats socket "
		  "command'",
		  APPLIED },
		{ &hap_op_set_addr, "set-server-addr.ipv6",
		  "IP changed from '127.0.0.1' to '::1' by 'stats socket command'", APPLIED },
		{ &hap_op_set_addr, NULL,
		  "IP changed from '::1' to '127.0.0.1' by 'stats socket command'", APPLIED },
		{ &hap_op_set_addr, "set-server-addr.bad-port-partial",
		  "IP changed from '127.0.0.3' to '127.0.0.1', problem converting port 'abc' to "
		  "an int by 'stats socket command'",
		  PARTIAL },
		{ &hap_op_set_addr, "set-server-addr.bad-addr",
		  "Invalid addr 'bogus' by 'stats socket command'", REFUSED },
		{ &hap_op_set_addr, "set-server-addr.hostname",
		  "Invalid addr 'localhost' by 'stats socket command'", REFUSED },
		{ &hap_op_set_addr, "set-server-addr.missing",
		  "set server <b>/<s> addr requires an address and optionally a port.", REFUSED },
		/* the address never answers silently: a lone newline is not success */
		{ &hap_op_set_addr, NULL, "", REFUSED },
		{ &hap_op_set_addr, NULL,
		  "Absolute weight can only be between 0 and 256 inclusive.", REFUSED },
		{ &hap_op_set_addr, NULL,
		  "[4]: IP changed from '127.0.0.1' to '127.0.0.2' by "
		  "'stats socket command'",
		  REFUSED },
		COMMON(hap_op_set_addr),
	};

	(void)state;
	RUN(cs);
}

/* Every table: a name, admin level (user and operator get "Permission
 * denied" for all of them, §3 Levels), and a lone newline judged the same
 * as an empty reply. */
static void test_tables(void **state)
{
	static const struct hap_reply_table *const all[] = {
		&hap_op_set_weight,        &hap_op_set_state,     &hap_op_enable_server,
		&hap_op_disable_server,    &hap_op_set_addr,      &hap_op_set_health,
		&hap_op_set_agent,         &hap_op_enable_health, &hap_op_disable_health,
		&hap_op_enable_agent,      &hap_op_disable_agent, &hap_op_set_maxconn_server,
		&hap_op_shutdown_sessions,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		assert_non_null(all[i]->op);
		assert_true(strlen(all[i]->op) > 0);
		assert_int_equal(all[i]->level, HAP_LEVEL_ADMIN);
		assert_non_null(all[i]->rules);
		assert_int_not_equal(judge_exact(all[i], "\n", 1), HAP_V_UNKNOWN);
		assert_int_equal(judge_exact(all[i], "", 0), HAP_V_UNKNOWN);
		assert_int_equal(judge_exact(all[i], "Permission denied\n\n", 19), HAP_V_DENIED);
	}
	/* the length is the reply's end, not a NUL */
	assert_int_equal(hap_reply_judge(&hap_op_set_weight, "No such server.junk", 15),
	                 HAP_V_NOTFOUND);
	assert_int_equal(hap_reply_judge(&hap_op_set_weight, "\nNo such server.", 1),
	                 HAP_V_APPLIED);
}

static void test_verdict_code(void **state)
{
	(void)state;
	assert_int_equal(hap_verdict_code(HAP_V_APPLIED), 0);
	assert_int_equal(hap_verdict_code(HAP_V_REFUSED), HAP_EREFUSED);
	assert_int_equal(hap_verdict_code(HAP_V_NOTFOUND), HAP_ENOTFOUND);
	assert_int_equal(hap_verdict_code(HAP_V_PARTIAL), HAP_EPARTIAL);
	assert_int_equal(hap_verdict_code(HAP_V_DENIED), HAP_EPERM);
}

/* ---- hap_server_op_check ---- */

/* 1 (the default): a message must hold no control byte (one line, nothing
 * a terminal interprets); any such message fails the test. */
#ifndef STRICT_MESSAGES
#define STRICT_MESSAGES 1
#endif

static int raw_echo;

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return 1;
	return 0;
}

static void check_one(enum hap_server_change ch, const char *backend, const char *server,
                      const char *value, const char *port, int want_ok)
{
	struct hap_server_op op;
	struct hap_error err;
	int ret;

	memset(&op, 0, sizeof(op));
	memset(&err, 0, sizeof(err));
	op.change = ch;
	op.backend = backend;
	op.server = server;
	op.value = value;
	op.port = port;
	ret = hap_server_op_check(&op, &err);
	if (want_ok) {
		if (ret != 0) {
			print_error(
			        "change %d server '%s' value '%s' port '%s': refused (%d: %s)\n",
			        (int)ch, server ? server : "(null)", value ? value : "(null)",
			        port ? port : "(null)", ret, err.msg);
			fail();
		}
		return;
	}
	if (ret != HAP_EINVAL) {
		print_error("change %d server '%s' value '%s' port '%s': got %d, want HAP_EINVAL\n",
		            (int)ch, server ? server : "(null)", value ? value : "(null)",
		            port ? port : "(null)", ret);
		fail();
	}
	assert_int_equal(err.code, HAP_EINVAL);
	assert_true(strlen(err.msg) > 0);
	assert_non_null(memchr(err.msg, '\0', sizeof(err.msg)));
	if (has_control(err.msg)) {
		/* Product bug, reported: the value is echoed raw into the message
		 * (a newline splits it, an escape sequence reaches the terminal).
		 * Names are shown escaped (\xNN); values should be too. */
		raw_echo++;
		print_message("KNOWN BUG: message with a control byte: \"%s\"\n", err.msg);
#if STRICT_MESSAGES
		fail();
#endif
	}
	/* a NULL error struct is allowed */
	assert_int_equal(hap_server_op_check(&op, NULL), HAP_EINVAL);
}

#define BAD(ch, v)      check_one(ch, NULL, "srv", v, NULL, 0)
#define GOOD(ch, v)     check_one(ch, NULL, "srv", v, NULL, 1)
#define BAD_ADDR(a, p)  check_one(HAP_SERVER_ADDR, NULL, "srv", a, p, 0)
#define GOOD_ADDR(a, p) check_one(HAP_SERVER_ADDR, NULL, "srv", a, p, 1)

static void test_check_weight(void **state)
{
	static const char *const bad[] = {
		"257", "-1",     "abc",  "12.5",  "%",
		"",    "1 0",    "10%%", "+5",    " 5",
		"5 ",  "0x10",   "1e2",  "256.0", "99999999999999999999",
		"-0%", "%5",     "5%x",  "12abc", "1;2",
		"5\n", "10001%", NULL,
	};
	static const char *const good[] = { "0",  "1",   "58",   "255",  "256",
		                            "0%", "20%", "100%", "150%", "300%" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		BAD(HAP_SERVER_WEIGHT, bad[i]);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		GOOD(HAP_SERVER_WEIGHT, good[i]);
}

static void test_check_words(void **state)
{
	static const char *const states[] = { "ready", "drain", "maint" };
	static const char *const bad_states[] = { "READY",   "Ready", "up",     "down",
		                                  "enable",  "",      "ready ", "ready;maint",
		                                  "maint\n", NULL };
	static const char *const health[] = { "up", "stopping", "down" };
	static const char *const bad_health[] = {
		"UP", "drain", "maint", "stop", "", "up\n", NULL
	};
	static const char *const bad_agent[] = { "stopping", "UP", "", "ready", "down ", NULL };
	static const char *const bad_onoff[] = { "on", "off", "enabled", "ENABLE", "", "1", NULL };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++)
		GOOD(HAP_SERVER_STATE, states[i]);
	for (i = 0; i < sizeof(bad_states) / sizeof(bad_states[0]); i++)
		BAD(HAP_SERVER_STATE, bad_states[i]);
	for (i = 0; i < 3; i++)
		GOOD(HAP_SERVER_HEALTH, health[i]);
	for (i = 0; i < sizeof(bad_health) / sizeof(bad_health[0]); i++)
		BAD(HAP_SERVER_HEALTH, bad_health[i]);
	GOOD(HAP_SERVER_AGENT, "up");
	GOOD(HAP_SERVER_AGENT, "down");
	for (i = 0; i < sizeof(bad_agent) / sizeof(bad_agent[0]); i++)
		BAD(HAP_SERVER_AGENT, bad_agent[i]);
	GOOD(HAP_SERVER_CHECK, "enable");
	GOOD(HAP_SERVER_CHECK, "disable");
	GOOD(HAP_SERVER_AGENT_CHECK, "enable");
	GOOD(HAP_SERVER_AGENT_CHECK, "disable");
	for (i = 0; i < sizeof(bad_onoff) / sizeof(bad_onoff[0]); i++) {
		BAD(HAP_SERVER_CHECK, bad_onoff[i]);
		BAD(HAP_SERVER_AGENT_CHECK, bad_onoff[i]);
	}
}

static void test_check_maxconn(void **state)
{
	static const char *const bad[] = { "abc",
		                           "-1",
		                           "",
		                           "1.5",
		                           "10k",
		                           " 5",
		                           "5 ",
		                           "+5",
		                           "0x10",
		                           "1e3",
		                           "99999999999999999999",
		                           "5;6",
		                           NULL };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		BAD(HAP_SERVER_MAXCONN, bad[i]);
	GOOD(HAP_SERVER_MAXCONN, "0");
	GOOD(HAP_SERVER_MAXCONN, "1");
	GOOD(HAP_SERVER_MAXCONN, "77");
	GOOD(HAP_SERVER_MAXCONN, "100000");
}

static void test_check_addr(void **state)
{
	(void)state;
	GOOD_ADDR("127.0.0.2", NULL);
	GOOD_ADDR("10.1.2.3", "80");
	GOOD_ADDR("127.0.0.1", "1");
	GOOD_ADDR("127.0.0.1", "65535");
	GOOD_ADDR("::1", NULL);
	GOOD_ADDR("2001:db8::1", "8080");
	GOOD_ADDR("::ffff:127.0.0.1", NULL);
	/* HAProxy rejects host names here ("Invalid addr 'localhost'") */
	BAD_ADDR("localhost", NULL);
	BAD_ADDR("www.example.com", "80");
	BAD_ADDR("bogus", NULL);
	BAD_ADDR("", NULL);
	BAD_ADDR(NULL, NULL);
	BAD_ADDR("127.0.0", NULL);
	BAD_ADDR("256.1.1.1", NULL);
	BAD_ADDR("127.0.0.1 ", NULL);
	BAD_ADDR("127.0.0.1:80", NULL);
	BAD_ADDR("[::1]", NULL);
	BAD_ADDR("::1::2", NULL);
	BAD_ADDR("127.0.0.1;show info", NULL);
	BAD_ADDR("127.0.0.1\n", NULL);
	BAD_ADDR("127.0.0.1", "0");
	BAD_ADDR("127.0.0.1", "65536");
	BAD_ADDR("127.0.0.1", "abc");
	BAD_ADDR("127.0.0.1", "");
	BAD_ADDR("127.0.0.1", "-1");
	BAD_ADDR("127.0.0.1", "80 ");
	BAD_ADDR("127.0.0.1", "8o");
	BAD_ADDR("127.0.0.1", "999999");
	BAD_ADDR("127.0.0.1", "80;show info");
}

static void test_check_names_and_values(void **state)
{
	static const char *const bad_names[] = {
		"",     "bck;all", "bck all", "bck\nall", "bck\tall", "srv\xc3\xa9",
		"\xff", "a/b",     "a\\b",    "a\"b",     "a#b",      "a,b",
	};
	static const char *const good_names[] = { "bck_all_srv1", "srv-1", "srv.1",
		                                  "srv:1",        "S",     "0" };
	static const enum hap_server_change no_value[] = {
		HAP_SERVER_ENABLE,
		HAP_SERVER_DISABLE,
		HAP_SERVER_SHUTDOWN_SESSIONS,
	};
	static const enum hap_server_change all[] = {
		HAP_SERVER_WEIGHT,
		HAP_SERVER_STATE,
		HAP_SERVER_ENABLE,
		HAP_SERVER_DISABLE,
		HAP_SERVER_ADDR,
		HAP_SERVER_HEALTH,
		HAP_SERVER_AGENT,
		HAP_SERVER_CHECK,
		HAP_SERVER_AGENT_CHECK,
		HAP_SERVER_MAXCONN,
		HAP_SERVER_SHUTDOWN_SESSIONS,
	};
	char longname[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		check_one(HAP_SERVER_WEIGHT, NULL, bad_names[i], "10", NULL, 0);
		check_one(HAP_SERVER_WEIGHT, bad_names[i], "srv", "10", NULL, 0);
		check_one(HAP_SERVER_DISABLE, bad_names[i], "srv", NULL, NULL, 0);
	}
	for (i = 0; i < sizeof(good_names) / sizeof(good_names[0]); i++) {
		check_one(HAP_SERVER_WEIGHT, NULL, good_names[i], "10", NULL, 1);
		check_one(HAP_SERVER_WEIGHT, good_names[i], good_names[i], "10", NULL, 1);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	check_one(HAP_SERVER_STATE, NULL, longname, "ready", NULL, 0);
	/* no server at all */
	check_one(HAP_SERVER_ENABLE, NULL, NULL, NULL, NULL, 0);
	check_one(HAP_SERVER_ENABLE, "backend_all", NULL, NULL, NULL, 0);
	/* changes that take no value, given one */
	for (i = 0; i < sizeof(no_value) / sizeof(no_value[0]); i++) {
		check_one(no_value[i], NULL, "srv", NULL, NULL, 1);
		check_one(no_value[i], "backend_all", "srv", NULL, NULL, 1);
		check_one(no_value[i], NULL, "srv", "x", NULL, 0);
		check_one(no_value[i], NULL, "srv", "", NULL, 0);
		check_one(no_value[i], NULL, "srv", "ready", NULL, 0);
	}
	/* changes that need one, without it */
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		int takes = all[i] != HAP_SERVER_ENABLE && all[i] != HAP_SERVER_DISABLE &&
		            all[i] != HAP_SERVER_SHUTDOWN_SESSIONS;

		if (takes)
			check_one(all[i], NULL, "srv", NULL, NULL, 0);
		/* a port goes only with an address */
		if (all[i] != HAP_SERVER_ADDR)
			check_one(all[i], NULL, "srv", takes ? "up" : NULL, "80", 0);
	}
	/* a change that does not exist */
	check_one((enum hap_server_change)99, NULL, "srv", "1", NULL, 0);
}

/* ---- the round's judge: what a reply (or its absence) means ---- */

static void judge_call(struct hap_call *c, const struct hap_reply_table *t, int err, size_t sent,
                       const char *reply)
{
	memset(c, 0, sizeof(*c));
	hap_buf_init(&c->job.reply, 0);
	c->judge = t;
	c->sent = 1; /* the target resolved: hap_calls_run() tried it */
	c->job.err = err;
	c->job.req_sent = sent;
	if (reply)
		assert_int_equal(hap_buf_adds(&c->job.reply, reply), 0);
	hap_round_judge(c);
}

static void test_round_judge(void **state)
{
	struct hap_call c;

	(void)state;
	/* a commit whose connection closed without a byte: unknown, never applied */
	judge_call(&c, &hap_op_set_weight, 0, 20, NULL);
	assert_int_equal(c.outcome, HAP_OUT_UNKNOWN);
	assert_int_equal(c.code, HAP_EUNKNOWN);
	assert_true(c.sent);
	hap_job_release(&c.job); /* its reply and message */
	/* written, then the deadline: unknown */
	judge_call(&c, &hap_op_set_weight, HAP_EBUSY, 20, NULL);
	assert_int_equal(c.outcome, HAP_OUT_UNKNOWN);
	hap_job_release(&c.job);
	/* never written (connect refused): an error, not sent */
	judge_call(&c, &hap_op_set_weight, HAP_ECONNREFUSED, 0, NULL);
	assert_int_equal(c.outcome, HAP_OUT_ERROR);
	assert_int_equal(c.code, HAP_ECONNREFUSED);
	assert_false(c.sent);
	hap_job_release(&c.job);
	/* the silent success and a refusal */
	judge_call(&c, &hap_op_set_weight, 0, 20, "\n");
	assert_int_equal(c.outcome, HAP_OUT_SENT); /* accepted: applied only after a read-back */
	hap_job_release(&c.job);
	judge_call(&c, &hap_op_set_weight, 0, 20, "No such server.\n\n");
	assert_int_equal(c.outcome, HAP_OUT_NOT_FOUND);
	hap_job_release(&c.job);
	/* a read with no byte: a failure with a message */
	judge_call(&c, NULL, 0, 20, NULL);
	assert_int_equal(c.outcome, HAP_OUT_ERROR);
	assert_int_equal(c.job.err, HAP_EIO);
	assert_true(strlen(hap_job_msg(&c.job)) > 0);
	hap_job_release(&c.job);
	assert_string_equal(hap_outcome_name(HAP_OUT_SUPERSEDED), "superseded");
	assert_string_equal(hap_outcome_name(HAP_OUT_NOT_FOUND), "not-found");
	assert_string_equal(hap_why_name(HAP_WHY_NORMALISED), "normalised");
}

/* The default outcome of an accepted command is SENT: applied is set only
 * by a read-back that shows the requested value (hap_result_judged()). */
static void test_outcome_default(void **state)
{
	struct hap_result *r = calloc(1, sizeof(*r));
	const char *b = "x", *n = NULL;

	(void)state;
	assert_non_null(r);
	assert_int_equal(hap_outcome_of(0), HAP_OUT_SENT);
	assert_int_equal(hap_result_add(r, "i1", "be/srv", "set weight be/srv 5", 0, "\n", 1, 1),
	                 0);
	assert_int_equal(hap_result_outcome(r, 0), HAP_OUT_SENT);
	assert_int_equal(hap_result_failures(r), 0);
	assert_true(hap_result_all_done(r));
	/* a raw entry: no object kind until it is tied to one */
	assert_int_equal(hap_result_object_ref(r, 0, &b, &n), HAP_KIND_RAW);
	assert_null(b);
	assert_string_equal(n, "be/srv");
	assert_int_equal(hap_result_set_ref(r, 0, 3, HAP_KIND_SERVER), 0);
	assert_int_equal(hap_result_object_ref(r, 0, &b, &n), HAP_KIND_SERVER);
	assert_string_equal(b, "be");
	assert_string_equal(n, "srv");
	assert_int_equal(hap_result_instance_index(r, 0), 3);
	/* only the read-back's judgement makes it applied */
	assert_int_equal(hap_result_judged(r, 0, 0, HAP_OUT_APPLIED, HAP_WHY_NONE, "5", NULL), 0);
	assert_int_equal(hap_result_outcome(r, 0), HAP_OUT_APPLIED);
	assert_string_equal(hap_result_after(r, 0), "5");
	/* the other codes keep their words */
	assert_int_equal(hap_result_add(r, "i2", NULL, "x", HAP_EREFUSED, "no", 2, 1), 0);
	assert_int_equal(hap_result_outcome(r, 1), HAP_OUT_REFUSED);
	assert_int_equal(hap_result_failures(r), 1);
	assert_int_equal(hap_outcome_of(HAP_EUNKNOWN), HAP_OUT_UNKNOWN);
	assert_int_equal(hap_outcome_of(HAP_ECONNREFUSED), HAP_OUT_ERROR);
	hap_result_free(r);
}

/* The change locks: a change of many objects takes the whole directory
 * (all.lock) at once, the others their buckets under it shared; either way
 * two changes of one object meet, and the one refused names the holder. */
static void test_locks_many(void **state)
{
	char dir[] = "/tmp/haplocks.XXXXXX", names[200][24], me[32];
	const char *objs[200];
	struct hap_locks *big = NULL, *small = NULL, *other = NULL;
	struct hap_error err = { 0, "" };
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("XDG_RUNTIME_DIR", dir, 1);
	for (i = 0; i < 200; i++) {
		snprintf(names[i], sizeof(names[i]), "bk_%zu/srv_shared", i);
		objs[i] = names[i];
	}
	snprintf(me, sizeof(me), "pid %ld: ", (long)getpid());
	/* held by a change of 200 objects: one of them refuses, naming it */
	assert_int_equal(hap_locks_take(&big, objs, 200, 0, &err), 0);
	assert_int_equal(hap_locks_take(&small, &objs[7], 1, 0, &err), HAP_EBUSY);
	if (!strstr(err.msg, me))
		fail_msg("%s", err.msg);
	assert_int_equal(hap_locks_take(&other, objs, 200, 0, &err), HAP_EBUSY);
	hap_locks_release(big);
	/* held by a change of one: the change of 200 refuses, naming it; a
	 * change of another object goes on */
	assert_int_equal(hap_locks_take(&small, &objs[7], 1, 0, &err), 0);
	assert_int_equal(hap_locks_take(&big, objs, 200, 30, &err), HAP_EBUSY);
	if (!strstr(err.msg, me))
		fail_msg("%s", err.msg);
	assert_int_equal(hap_locks_take(&other, &objs[7], 1, 0, &err), HAP_EBUSY);
	for (i = 0; i < 200 && !other; i++)
		if (hap_locks_take(&other, &objs[i], 1, 0, &err) != 0)
			assert_int_equal(err.code, HAP_EBUSY);
	assert_non_null(other);
	hap_locks_release(other);
	hap_locks_release(small);
	assert_int_equal(hap_locks_take(&big, objs, 200, 0, &err), 0);
	hap_locks_release(big);
	unsetenv("XDG_RUNTIME_DIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_weight),
		cmocka_unit_test(test_set_state),
		cmocka_unit_test(test_enable_disable_server),
		cmocka_unit_test(test_set_health),
		cmocka_unit_test(test_set_agent),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_maxconn_shutdown),
		cmocka_unit_test(test_set_addr),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_round_judge),
		cmocka_unit_test(test_outcome_default),
		cmocka_unit_test(test_verdict_code),
		cmocka_unit_test(test_check_weight),
		cmocka_unit_test(test_check_words),
		cmocka_unit_test(test_check_maxconn),
		cmocka_unit_test(test_check_addr),
		cmocka_unit_test(test_check_names_and_values),
		cmocka_unit_test(test_locks_many),
	};
	int ret = cmocka_run_group_tests_name("ops", tests, NULL, NULL);

	printf("# replies judged: %d cases from %s, %d from literals\n", from_fixture, FIXTURE_DIR,
	       from_literal);
	if (raw_echo)
		printf("# KNOWN BUG: %d validation messages echo a control byte of the value\n",
		       raw_echo);
	return ret;
}
