/*
 * test_jw.c - the CLI's JSON writer (cli/output.c) on its own: members and
 * separators, numbers written by hand (jw_num, jw_keynum and its padded-key
 * form) against printf, strings escaped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "cli.h"

/* What w wrote to a memory stream, once done (free() it). */
struct mem {
	FILE *f;
	char *buf;
	size_t len;
};

static void mem_open(struct mem *m, struct jw *w)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	assert_non_null(m->f);
	jw_init(w, m->f);
}

static char *mem_done(struct mem *m, struct jw *w)
{
	jw_done(w);
	fclose(m->f);
	return m->buf;
}

static const long long numbers[] = {
	0,
	1,
	9,
	10,
	11,
	99,
	100,
	101,
	999,
	1000,
	12345,
	-1,
	-9,
	-10,
	-11,
	-123456,
	4294967295LL,
	4294967296LL,
	LLONG_MAX,
	LLONG_MIN,
	LLONG_MIN + 1,
	1000000000000000000LL,
	999999999999999999LL,
};

static void test_numbers(void **state)
{
	char want[4096], *got, *key;
	size_t i, used = 0;
	struct mem m;
	struct jw w;

	(void)state;
	/* a padded key: readable up to its length rounded up to 16 */
	key = calloc(32, 1);
	assert_non_null(key);
	memcpy(key, "\"a_long_key_x\":", 15);
	mem_open(&m, &w);
	jw_obj(&w);
	used += (size_t)snprintf(want + used, sizeof(want) - used, "{");
	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		jw_keynum(&w, "\"k\":", 4, numbers[i]);
		jw_keynum_padded(&w, key, 15, numbers[i]);
		JW_KEY(&w, "n");
		jw_num(&w, numbers[i]);
		used += (size_t)snprintf(want + used, sizeof(want) - used,
		                         "%s\"k\":%lld,\"a_long_key_x\":%lld,\"n\":%lld",
		                         i ? "," : "", numbers[i], numbers[i], numbers[i]);
	}
	jw_end_obj(&w);
	used += (size_t)snprintf(want + used, sizeof(want) - used, "}\n");
	got = mem_done(&m, &w);
	assert_string_equal(got, want);
	free(got);
	free(key);
}

/* A member after a key written alone, and as the first one of an object. */
static void test_separators(void **state)
{
	struct mem m;
	struct jw w;
	char *got;

	(void)state;
	mem_open(&m, &w);
	jw_arr(&w);
	jw_obj(&w);
	jw_keynum(&w, "\"a\":", 4, 1);
	jw_key(&w, "b");
	jw_obj(&w);
	jw_end_obj(&w);
	jw_keynum(&w, "\"c\":", 4, -2);
	jw_end_obj(&w);
	jw_obj(&w);
	jw_end_obj(&w);
	jw_end_arr(&w);
	got = mem_done(&m, &w);
	assert_string_equal(got, "[{\"a\":1,\"b\":{},\"c\":-2},{}]\n");
	free(got);
}

static void test_strings(void **state)
{
	struct mem m;
	struct jw w;
	char *got;

	(void)state;
	mem_open(&m, &w);
	jw_arr(&w);
	jw_str(&w, "plain");
	jw_str(&w, "q\"b\\n\nr\rt\t\x01\x7f");
	jw_strn(&w, "abc", 2);
	jw_end_arr(&w);
	got = mem_done(&m, &w);
	assert_string_equal(got, "[\"plain\",\"q\\\"b\\\\n\\nr\\rt\\t\\u0001\\u007f\",\"ab\"]\n");
	free(got);
}

/* The reference escape of one byte, for test_escape_words. */
static size_t ref_esc(char *d, unsigned char ch)
{
	switch (ch) {
	case '"':
		return (size_t)sprintf(d, "\\\"");
	case '\\':
		return (size_t)sprintf(d, "\\\\");
	case '\n':
		return (size_t)sprintf(d, "\\n");
	case '\r':
		return (size_t)sprintf(d, "\\r");
	case '\t':
		return (size_t)sprintf(d, "\\t");
	}
	if (ch < 0x20 || ch == 0x7f)
		return (size_t)sprintf(d, "\\u%04x", ch);
	*d = (char)ch;
	return 1;
}

/* Strings of every length to 40 with one byte of each kind at each place
 * (the escape checks 8 bytes at a time), and one longer than the buffer. */
static void test_escape_words(void **state)
{
	static const unsigned char kinds[] = { '"',  '\\', '\n', 0x01, 0x1f,
		                               0x7f, 0x80, 0xff, ' ',  '~' };
	size_t len, at, k, i, big = 200000;
	char s[48], want[48 * 6 + 8], *p, *got, *bs;
	struct mem m;
	struct jw w;

	(void)state;
	for (len = 1; len <= 40; len++)
		for (at = 0; at < len; at++)
			for (k = 0; k < sizeof(kinds); k++) {
				for (i = 0; i < len; i++)
					s[i] = (char)('a' + i % 26);
				s[at] = (char)kinds[k];
				p = want;
				*p++ = '"';
				for (i = 0; i < len; i++)
					p += ref_esc(p, (unsigned char)s[i]);
				memcpy(p, "\"\n", 3);
				mem_open(&m, &w);
				jw_strn(&w, s, len);
				got = mem_done(&m, &w);
				assert_string_equal(got, want);
				free(got);
			}
	bs = malloc(big);
	assert_non_null(bs);
	for (i = 0; i < big; i++)
		bs[i] = i % 1000 == 999 ? '"' : (char)('a' + i % 26);
	mem_open(&m, &w);
	jw_strn(&w, bs, big);
	got = mem_done(&m, &w);
	assert_int_equal(strlen(got), big + big / 1000 + 3);
	for (i = 0, p = got + 1; i < big; i++) {
		if (bs[i] == '"')
			assert_int_equal(*p++, '\\');
		assert_int_equal(*p++, bs[i]);
	}
	free(bs);
	free(got);
}

/* jw_par_items(): element i is an object of i's members, each thread
 * with its own context (counted, to see both threads ran their own). */
static int par_ctxs;

static void *par_new(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&par_ctxs, 1, __ATOMIC_SEQ_CST);
	return malloc(1);
}

static void par_free(void *ctx)
{
	free(ctx);
}

static void par_item(struct jw *w, void *ctx, size_t i)
{
	size_t k;

	(void)ctx;
	jw_obj(w);
	for (k = 0; k < i % 50; k++)
		jw_keynum(w, "\"k\":", 4, (long long)(i * k));
	jw_key(w, "s");
	jw_str(w, i % 3 ? "plain" : "q\"t");
	jw_end_obj(w);
}

/* Two threads write the bytes of one, in order, for every array length
 * around the chunks' edges and one much longer than the buffer. */
static void test_par_items(void **state)
{
	static const struct jw_par_ops ops = { par_new, par_free, par_item };
	static const size_t lens[] = { 0, 1, 31, 32, 33, 64, 65, 127, 128, 129, 1000, 20000 };
	size_t x, i;

	(void)state;
	for (x = 0; x < sizeof(lens) / sizeof(lens[0]); x++) {
		struct mem m1, m2;
		struct jw w1, w2;
		char *one, *two;

		mem_open(&m1, &w1);
		jw_key(&w1, "a");
		jw_arr(&w1);
		for (i = 0; i < lens[x]; i++)
			par_item(&w1, NULL, i);
		jw_end_arr(&w1);
		one = mem_done(&m1, &w1);
		par_ctxs = 0;
		mem_open(&m2, &w2);
		jw_key(&w2, "a");
		jw_arr(&w2);
		jw_par_items(&w2, lens[x], &ops, NULL);
		jw_end_arr(&w2);
		two = mem_done(&m2, &w2);
		assert_string_equal(one, two);
		assert_int_equal(par_ctxs, lens[x] > 32 ? 2 : 1);
		free(one);
		free(two);
	}
}

/* More than the writer's buffer: every member arrives, in order. */
static void test_large(void **state)
{
	struct mem m;
	struct jw w;
	char *got, *p;
	long long i, n = 200000;

	(void)state;
	mem_open(&m, &w);
	jw_obj(&w);
	for (i = 0; i < n; i++)
		jw_keynum(&w, "\"key\":", 6, i * 7919);
	jw_end_obj(&w);
	got = mem_done(&m, &w);
	p = got + 1;
	for (i = 0; i < n; i++) {
		char one[64];
		int k = snprintf(one, sizeof(one), "%s\"key\":%lld", i ? "," : "", i * 7919);

		assert_memory_equal(p, one, (size_t)k);
		p += k;
	}
	assert_string_equal(p, "}\n");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),      cmocka_unit_test(test_separators),
		cmocka_unit_test(test_strings),      cmocka_unit_test(test_large),
		cmocka_unit_test(test_escape_words), cmocka_unit_test(test_par_items),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
