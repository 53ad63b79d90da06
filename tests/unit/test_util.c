/*
 * test_util.c - the capped buffer, views and strict numbers, the hash map.
 *
 * These sit under every parser and every socket read: a cap that leaves a
 * broken buffer, or a number parser that accepts " 12" or wraps at
 * UINT64_MAX, would surface far from its cause.
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
#include "util/buf.h"
#include "util/hmap.h"
#include "util/view.h"
#include "util/banned.h"

static void test_util_buf_init_empty(void **state)
{
	struct hap_buf b = HAP_BUF_INIT;

	(void)state;
	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, "");
	assert_int_equal(b.len, 0);
	hap_buf_reset(&b);
	assert_string_equal(b.ptr, "");
	/* release of a never-used buffer, twice */
	hap_buf_release(&b);
	hap_buf_release(&b);
	assert_non_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void test_util_buf_add(void **state)
{
	struct hap_buf b;
	size_t i;

	(void)state;
	hap_buf_init(&b, 0);
	assert_int_equal(hap_buf_adds(&b, "abc"), 0);
	assert_int_equal(hap_buf_addc(&b, 'd'), 0);
	assert_int_equal(hap_buf_add(&b, "efgh", 2), 0);
	assert_int_equal(hap_buf_add(&b, NULL, 0), 0);
	assert_string_equal(b.ptr, "abcdef");
	assert_int_equal(b.len, 6);
	/* embedded NUL is kept by length */
	assert_int_equal(hap_buf_add(&b, "x\0y", 3), 0);
	assert_int_equal(b.len, 9);
	assert_memory_equal(b.ptr, "abcdefx\0y", 10);
	hap_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	/* growth across many reallocations keeps the content */
	for (i = 0; i < 100000; i++)
		assert_int_equal(hap_buf_addc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 100000);
	assert_true(b.cap > b.len);
	for (i = 0; i < 100000; i++)
		assert_int_equal(b.ptr[i], 'a' + i % 26);
	assert_int_equal(b.ptr[b.len], '\0');
	hap_buf_release(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
}

static void test_util_buf_cap(void **state)
{
	struct hap_buf b;
	char big[64];

	(void)state;
	memset(big, 'x', sizeof(big));
	hap_buf_init(&b, 10);
	assert_int_equal(hap_buf_add(&b, "0123456789", 10), 0);
	assert_int_equal(b.len, 10);
	/* one byte over: refused, buffer unchanged and valid */
	assert_int_equal(hap_buf_addc(&b, 'x'), HAP_ETOOBIG);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.ptr, "0123456789");
	assert_int_equal(hap_buf_add(&b, big, sizeof(big)), HAP_ETOOBIG);
	assert_string_equal(b.ptr, "0123456789");
	assert_int_equal(hap_buf_addf(&b, "%d", 1), HAP_ETOOBIG);
	assert_string_equal(b.ptr, "0123456789");
	assert_int_equal(hap_buf_grow(&b, 1), HAP_ETOOBIG);
	/* still usable after the refusals */
	hap_buf_reset(&b);
	assert_int_equal(hap_buf_adds(&b, "ok"), 0);
	assert_int_equal(hap_buf_addf(&b, "%s", "12345678"), 0);
	assert_string_equal(b.ptr, "ok12345678");
	assert_int_equal(hap_buf_addf(&b, "%s", ""), 0);
	assert_int_equal(hap_buf_addf(&b, "%s", "z"), HAP_ETOOBIG);
	assert_string_equal(b.ptr, "ok12345678");
	hap_buf_release(&b);
	/* the cap survives release */
	assert_int_equal(b.max, 10);
	assert_int_equal(hap_buf_add(&b, big, 11), HAP_ETOOBIG);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	hap_buf_release(&b);

	/* addf refused on an empty, never-allocated buffer */
	hap_buf_init(&b, 3);
	assert_int_equal(hap_buf_addf(&b, "%s", "abcd"), HAP_ETOOBIG);
	assert_string_equal(b.ptr, "");
	assert_int_equal(hap_buf_addf(&b, "%s", "abc"), 0);
	assert_string_equal(b.ptr, "abc");
	hap_buf_release(&b);

	/* addf past the cap, through the grow path */
	hap_buf_init(&b, 300);
	assert_int_equal(hap_buf_adds(&b, "x"), 0); /* allocates 256 */
	assert_int_equal(hap_buf_addf(&b, "%0300d", 7), HAP_ETOOBIG);
	assert_string_equal(b.ptr, "x");
	assert_int_equal(hap_buf_addf(&b, "%0200d", 7), 0);
	assert_int_equal(b.len, 201);
	assert_int_equal(b.ptr[200], '7');
	hap_buf_release(&b);

	/* addf that fits the allocation (512) but not the cap (300) */
	hap_buf_init(&b, 300);
	assert_int_equal(hap_buf_addf(&b, "%0260d", 1), 0);
	assert_true(b.cap >= 512);
	assert_int_equal(hap_buf_addf(&b, "%050d", 2), HAP_ETOOBIG);
	assert_int_equal(b.len, 260);
	assert_int_equal(strlen(b.ptr), 260);
	assert_int_equal(hap_buf_addf(&b, "%040d", 3), 0);
	assert_int_equal(b.len, 300);
	assert_int_equal(b.ptr[299], '3');
	hap_buf_release(&b);
}

static void test_util_buf_addf_sizes(void **state)
{
	struct hap_buf b = HAP_BUF_INIT;
	char *expect;
	size_t n, total = 0;

	(void)state;
	/* lengths around every doubling: fits, fills exactly, overflows */
	expect = malloc(1 << 20);
	assert_non_null(expect);
	for (n = 0; n < 5000; n += (n < 300 ? 1 : 97)) {
		size_t before = b.len;

		assert_int_equal(hap_buf_addf(&b, "%*s|", (int)n, "v"), 0);
		memset(expect + total, ' ', n ? n - 1 : 0);
		if (n)
			expect[total + n - 1] = 'v';
		else
			expect[total++] = 'v';
		total += n;
		expect[total++] = '|';
		assert_int_equal(b.len - before, n ? n + 1 : 2);
		assert_int_equal(b.len, total);
		assert_int_equal(b.ptr[b.len], '\0');
	}
	assert_memory_equal(b.ptr, expect, total);
	free(expect);
	hap_buf_release(&b);
	/* a buffer that had content: formatted appends keep it */
	assert_int_equal(hap_buf_addf(&b, "%s-%d-%c", "a", 42, 'z'), 0);
	assert_int_equal(hap_buf_addf(&b, "%s", "+"), 0);
	assert_string_equal(b.ptr, "a-42-z+");
	hap_buf_release(&b);
}

static void test_util_buf_detach(void **state)
{
	struct hap_buf b = HAP_BUF_INIT;
	size_t len = 99;
	char *s;

	(void)state;
	/* detaching an empty buffer gives an owned "" */
	s = hap_buf_detach(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);

	assert_int_equal(hap_buf_adds(&b, "hello"), 0);
	s = hap_buf_detach(&b, &len);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	/* the buffer is reset and reusable, not sharing the detached memory */
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_string_equal(b.ptr, "");
	assert_int_equal(hap_buf_adds(&b, "again"), 0);
	assert_string_equal(s, "hello");
	free(s);
	s = hap_buf_detach(&b, NULL);
	assert_string_equal(s, "again");
	free(s);
	hap_buf_release(&b);
}

static void test_util_view_trim(void **state)
{
	struct hap_view v;

	(void)state;
	v = hap_view_trim(hap_view_str("  \t a b \r\n"));
	assert_int_equal(v.n, 3);
	assert_memory_equal(v.p, "a b", 3);
	v = hap_view_trim(hap_view_str(" \t\r\n "));
	assert_int_equal(v.n, 0);
	v = hap_view_trim(hap_view_make(NULL, 0));
	assert_int_equal(v.n, 0);
	v = hap_view_trim(hap_view_str("x"));
	assert_int_equal(v.n, 1);
	/* only ASCII blanks: a vertical tab or NBSP is content */
	v = hap_view_trim(hap_view_str("\vx\xa0"));
	assert_int_equal(v.n, 3);
	/* never reads outside the view */
	v = hap_view_trim(hap_view_make("  ab  ", 3));
	assert_int_equal(v.n, 1);
	assert_memory_equal(v.p, "a", 1);
}

static void test_util_view_cmp(void **state)
{
	(void)state;
	assert_true(hap_view_eq(hap_view_str("abc"), "abc"));
	assert_false(hap_view_eq(hap_view_str("abc"), "ab"));
	assert_false(hap_view_eq(hap_view_make("abc", 2), "abc"));
	assert_true(hap_view_eq(hap_view_make(NULL, 0), ""));
	assert_true(hap_view_eqv(hap_view_make("abX", 2), hap_view_make("abY", 2)));
	assert_false(hap_view_eqv(hap_view_str("ab"), hap_view_str("ac")));
	assert_true(hap_view_startswith(hap_view_str("# pxname"), "# "));
	assert_false(hap_view_startswith(hap_view_make("# pxname", 1), "# "));
}

static int i64(const char *s, int64_t *out)
{
	return hap_num_i64(hap_view_str(s), out);
}

static int u64(const char *s, uint64_t *out)
{
	return hap_num_u64(hap_view_str(s), out);
}

static void test_util_num(void **state)
{
	int64_t i = 7;
	uint64_t u = 7;
	static const char *bad[] = {
		"",    " ",  "-",     "+",     " 1",           "1 ",       "1\n",
		"\t1", "1a", "a1",    "0x10",  "1.5",          "1e3",      "--1",
		"+-1", "1-", "1,000", "1_000", "\xef\xbc\x91", "\xd9\xa1",
	};
	size_t k;

	(void)state;
	assert_int_equal(i64("0", &i), 0);
	assert_int_equal(i, 0);
	assert_int_equal(i64("-0", &i), 0);
	assert_int_equal(i, 0);
	assert_int_equal(i64("+42", &i), 0);
	assert_int_equal(i, 42);
	assert_int_equal(i64("-42", &i), 0);
	assert_int_equal(i, -42);
	assert_int_equal(i64("007", &i), 0);
	assert_int_equal(i, 7);
	assert_int_equal(i64("9223372036854775807", &i), 0);
	assert_true(i == INT64_MAX);
	assert_int_equal(i64("-9223372036854775808", &i), 0);
	assert_true(i == INT64_MIN);
	i = 5;
	assert_int_equal(i64("9223372036854775808", &i), HAP_ERANGE);
	assert_int_equal(i64("-9223372036854775809", &i), HAP_ERANGE);
	assert_int_equal(i64("18446744073709551615", &i), HAP_ERANGE);
	assert_int_equal(i64("18446744073709551616", &i), HAP_ERANGE);
	assert_int_equal(i64("99999999999999999999999", &i), HAP_ERANGE);
	assert_int_equal(i, 5); /* untouched on error */

	assert_int_equal(u64("0", &u), 0);
	assert_int_equal(u, 0);
	assert_int_equal(u64("18446744073709551615", &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(u64("18446744073709551614", &u), 0);
	assert_true(u == UINT64_MAX - 1);
	u = 5;
	assert_int_equal(u64("18446744073709551616", &u), HAP_ERANGE);
	assert_int_equal(u64("18446744073709551620", &u), HAP_ERANGE);
	assert_int_equal(u64("184467440737095516150", &u), HAP_ERANGE);
	assert_int_equal(u64("-1", &u), HAP_EINVAL);
	assert_int_equal(u64("+1", &u), HAP_EINVAL);
	assert_int_equal(u, 5);

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		i = 5;
		u = 5;
		assert_int_equal(i64(bad[k], &i), HAP_EINVAL);
		assert_int_equal(i, 5);
		if (bad[k][0] != '-' && bad[k][0] != '+')
			assert_int_equal(u64(bad[k], &u), HAP_EINVAL);
		assert_int_equal(u, 5);
	}
	/* only the view is parsed, not what follows it */
	assert_int_equal(hap_num_i64(hap_view_make("12,34", 2), &i), 0);
	assert_int_equal(i, 12);
	assert_int_equal(hap_num_u64(hap_view_make("99x", 2), &u), 0);
	assert_int_equal(u, 99);
	assert_int_equal(hap_num_u64(hap_view_make("5", 0), &u), HAP_EINVAL);

	assert_int_equal(hap_num_parse_i64("-17", &i), 0);
	assert_int_equal(i, -17);
	assert_int_equal(hap_num_parse_i64("17 ", &i), HAP_EINVAL);
}

static void test_util_num_double(void **state)
{
	double d = 0;

	(void)state;
	assert_int_equal(hap_num_parse_double("1.5", &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(hap_num_parse_double("3", &d), 0);
	assert_true(d == 3.0);
	assert_int_equal(hap_num_parse_double("", &d), HAP_EINVAL);
	assert_int_equal(hap_num_parse_double(".", &d), HAP_EINVAL);
	assert_int_equal(hap_num_parse_double("1.2.3", &d), HAP_EINVAL);
	assert_int_equal(hap_num_parse_double("-1", &d), HAP_EINVAL);
	assert_int_equal(hap_num_parse_double("inf", &d), HAP_EINVAL);
	assert_int_equal(hap_num_parse_double("nan", &d), HAP_EINVAL);
	assert_int_equal(hap_num_parse_double("0x10", &d), HAP_EINVAL);
	assert_int_equal(hap_num_parse_double(" 1", &d), HAP_EINVAL);
	assert_int_equal(hap_num_parse_double("1e5", &d), HAP_EINVAL);
}

/* the public parsers of the CLI and the library: the whole string, a range */
static void test_util_number_parse(void **state)
{
	int64_t i = 5;
	double d = 5;

	(void)state;
	assert_int_equal(hap_number_parse(&i, "100", 0, 100), 0);
	assert_int_equal(i, 100);
	assert_int_equal(hap_number_parse(&i, "101", 0, 100), HAP_ERANGE);
	assert_int_equal(hap_number_parse(&i, "-1", 0, 100), HAP_ERANGE);
	assert_int_equal(hap_number_parse(&i, "", 0, 100), HAP_EINVAL);
	assert_int_equal(hap_number_parse(&i, " 1", 0, 100), HAP_EINVAL);
	assert_int_equal(hap_number_parse(&i, "1x", 0, 100), HAP_EINVAL);
	assert_int_equal(i, 100);
	assert_int_equal(hap_decimal_parse(&d, "0.5", 0, 3600), 0);
	assert_true(d == 0.5);
	assert_int_equal(hap_decimal_parse(&d, "3600.1", 0, 3600), HAP_ERANGE);
	assert_int_equal(hap_decimal_parse(&d, "1e3", 0, 3600), HAP_EINVAL);
	assert_int_equal(hap_decimal_parse(&d, "-0", 0, 3600), HAP_EINVAL);
	assert_true(d == 0.5);
}

/* one line splitter: LF or CRLF (any run of CRs), the last line without LF */
static void test_util_next_line(void **state)
{
	const char text[] = "a,b\r\n\nc\r\r\nlast";
	const char *p = text, *end = text + sizeof(text) - 1;
	struct hap_view v;

	(void)state;
	v = hap_view_next_line(&p, end);
	assert_true(hap_view_eq(v, "a,b"));
	v = hap_view_next_line(&p, end);
	assert_int_equal(v.n, 0);
	v = hap_view_next_line(&p, end);
	assert_true(hap_view_eq(v, "c"));
	v = hap_view_next_line(&p, end);
	assert_true(hap_view_eq(v, "last"));
	assert_ptr_equal(p, end);
}

static void test_util_view_dup(void **state)
{
	char *s;

	(void)state;
	s = hap_view_dup(hap_view_make("abcdef", 3));
	assert_string_equal(s, "abc");
	free(s);
	s = hap_view_dup(hap_view_make(NULL, 0));
	assert_string_equal(s, "");
	free(s);
}

static void test_util_hmap(void **state)
{
	struct hap_hmap m = HAP_HMAP_INIT;
	enum { N = 10000 };
	char(*keys)[32] = malloc(N * sizeof(*keys));
	size_t i, v;

	(void)state;
	assert_non_null(keys);
	/* get and release on a never-used map */
	assert_int_equal(hap_hmap_get(&m, hap_view_str("x"), &v), 0);
	hap_hmap_release(&m);

	for (i = 0; i < N; i++) {
		int n = snprintf(keys[i], sizeof(keys[i]), "backend_%zu/srv", i);

		assert_int_equal(hap_hmap_put(&m, hap_view_make(keys[i], (size_t)n), i, &v), 0);
		assert_int_equal(v, i);
	}
	assert_int_equal(m.n, N);
	assert_true(m.n * 4 <= m.cap * 3);
	for (i = 0; i < N; i++) {
		v = (size_t)-1;
		assert_int_equal(hap_hmap_get(&m, hap_view_str(keys[i]), &v), 1);
		assert_int_equal(v, i);
	}
	/* a duplicate keeps the first value and reports it */
	for (i = 0; i < N; i += 7) {
		char copy[32];

		snprintf(copy, sizeof(copy), "%s", keys[i]);
		assert_int_equal(hap_hmap_put(&m, hap_view_str(copy), i + N, &v), 0);
		assert_int_equal(v, i);
	}
	assert_int_equal(hap_hmap_put(&m, hap_view_str(keys[3]), 1, NULL), 0);
	assert_int_equal(m.n, N);
	assert_int_equal(hap_hmap_get(&m, hap_view_str(keys[3]), &v), 1);
	assert_int_equal(v, 3);
	/* missing keys, including prefixes and extensions of present ones */
	v = 12345;
	assert_int_equal(hap_hmap_get(&m, hap_view_str("backend_1/sr"), &v), 0);
	assert_int_equal(hap_hmap_get(&m, hap_view_str("backend_1/srvx"), &v), 0);
	assert_int_equal(hap_hmap_get(&m, hap_view_str("backend_10000/srv"), &v), 0);
	assert_int_equal(hap_hmap_get(&m, hap_view_str(""), &v), 0);
	assert_int_equal(v, 12345);
	/* the empty key is a key like any other */
	assert_int_equal(hap_hmap_put(&m, hap_view_make(NULL, 0), 77, &v), 0);
	assert_int_equal(hap_hmap_get(&m, hap_view_str(""), &v), 1);
	assert_int_equal(v, 77);
	/* keys are compared by bytes, not as C strings */
	assert_int_equal(hap_hmap_put(&m, hap_view_make("a\0b", 3), 5, NULL), 0);
	assert_int_equal(hap_hmap_get(&m, hap_view_make("a\0c", 3), &v), 0);
	assert_int_equal(hap_hmap_get(&m, hap_view_make("a", 1), &v), 0);
	assert_int_equal(hap_hmap_get(&m, hap_view_make("a\0b", 3), &v), 1);
	assert_int_equal(v, 5);
	hap_hmap_release(&m);
	assert_int_equal(m.n, 0);
	assert_null(m.slots);
	assert_int_equal(hap_hmap_get(&m, hap_view_str(keys[0]), &v), 0);
	free(keys);
}

static void test_util_hash(void **state)
{
	(void)state;
	/* FNV-1a reference values */
	assert_true(hap_hash("", 0) == 0xcbf29ce484222325ULL);
	assert_true(hap_hash("a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(hap_hash("foobar", 6) == 0x85944171f73967e8ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_buf_init_empty),
		cmocka_unit_test(test_util_buf_add),
		cmocka_unit_test(test_util_buf_cap),
		cmocka_unit_test(test_util_buf_addf_sizes),
		cmocka_unit_test(test_util_buf_detach),
		cmocka_unit_test(test_util_view_trim),
		cmocka_unit_test(test_util_view_cmp),
		cmocka_unit_test(test_util_num),
		cmocka_unit_test(test_util_num_double),
		cmocka_unit_test(test_util_number_parse),
		cmocka_unit_test(test_util_next_line),
		cmocka_unit_test(test_util_view_dup),
		cmocka_unit_test(test_util_hmap),
		cmocka_unit_test(test_util_hash),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
