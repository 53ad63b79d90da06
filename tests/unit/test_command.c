/*
 * test_command.c - command formatting, where injection bugs live.
 *
 * The produced lines are decoded by a re-implementation of HAProxy 2.6's
 * own reader (cli.c: co_getdelim("\n;", '\\'), the ';' scan, the "<<"
 * payload check, cli_parse_request's word split and unescape): every byte
 * 1..255 in names and values, every pair of bytes, and random words must
 * come back as exactly the words given, in exactly one command.
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
#include "proto/command.h"
#include "util/banned.h"

/* ---- HAProxy 2.6's reader, re-implemented ---- */

#define REF_MAX_ARGS 64 /* MAX_CLI_ARGS */

struct decoded {
	int commands; /* commands found in the line */
	int payload;  /* the first command switched to payload mode */
	int complete; /* the first command ended with '\n' */
	int nwords;
	int dropped; /* words beyond MAX_CLI_ARGS, ignored by HAProxy */
	char *words[REF_MAX_ARGS];
	char buf[20000];
};

/* End of the first command: the first '\n' or ';' not preceded by '\'. */
static size_t command_end(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == '\n' || s[i] == ';')
			return i;
	}
	return n;
}

static void haproxy_decode(const char *line, size_t len, struct decoded *d)
{
	size_t end = command_end(line, len), n, rest;
	char *p, *stop;

	memset(d, 0, sizeof(*d));
	assert_true(len < sizeof(d->buf));
	d->complete = end < len;
	d->commands = 1;
	/* more commands after this one? */
	rest = end + 1;
	while (rest < len) {
		size_t e = command_end(line + rest, len - rest);

		d->commands++;
		rest += e + 1;
	}
	n = end;
	if (n && line[n - 1] == '\r')
		n--;
	memcpy(d->buf, line, n);
	d->buf[n] = '\0';
	if (n >= 2 && strcmp(d->buf + n - 2, "<<") == 0) {
		d->payload = 1;
		return;
	}
	/* cli_parse_request() */
	p = d->buf;
	stop = d->buf + n;
	while (p < stop) {
		char *w;
		int j, k;

		p += strspn(p, " \t");
		if (!*p)
			break;
		if (strcmp(p, "<<") == 0) {
			d->payload = 1;
			break;
		}
		w = p;
		for (;;) {
			p += strcspn(p, " \t\\");
			if (*p == '\\') {
				if (!*++p)
					break;
				if (!*++p)
					break;
			} else {
				break;
			}
		}
		*p++ = '\0';
		for (j = 0, k = 0; w[k]; k++) {
			if (w[k] == '\\') {
				if (w[k + 1] == '\\')
					k++;
				else
					continue;
			}
			w[j++] = w[k];
		}
		w[j] = '\0';
		if (d->nwords < REF_MAX_ARGS)
			d->words[d->nwords++] = w;
		else
			d->dropped++;
	}
}

/* The line in b decodes to exactly these words, as one command. */
static void assert_decodes_to(const struct hap_buf *b, const char *const *words, int n)
{
	struct decoded *d = malloc(sizeof(*d));
	int i;

	assert_non_null(d);
	haproxy_decode(b->ptr, b->len, d);
	assert_int_equal(d->commands, 1);
	assert_true(d->complete);
	assert_false(d->payload);
	assert_int_equal(d->dropped, 0);
	assert_int_equal(d->nwords, n);
	for (i = 0; i < n; i++)
		assert_string_equal(d->words[i], words[i]);
	free(d);
}

/* ---- names ---- */

static int allowed_in_name(int c)
{
	return c && strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:", c);
}

static void expected_shown(char *out, size_t size, int c)
{
	if (c >= 0x20 && c < 0x7f && c != '"' && c != '\'' && c != '\\')
		snprintf(out, size, "%c", c);
	else
		snprintf(out, size, "\\x%02x", c);
}

static void test_command_name_every_byte(void **state)
{
	struct hap_error err;
	char name[4], msg[600], shown[8];
	int c;

	(void)state;
	for (c = 1; c < 256; c++) {
		name[0] = 'a';
		name[1] = (char)c;
		name[2] = 'b';
		name[3] = '\0';
		memset(&err, 0, sizeof(err));
		if (allowed_in_name(c)) {
			assert_int_equal(hap_cmd_check_name("backend", name, &err), 0);
			assert_int_equal(hap_cmd_check_name("backend", name + 1, NULL), 0);
			continue;
		}
		assert_int_equal(hap_cmd_check_name("backend", name, &err), HAP_EINVAL);
		assert_int_equal(err.code, HAP_EINVAL);
		expected_shown(shown, sizeof(shown), c);
		snprintf(msg, sizeof(msg),
		         "invalid backend name \"a%sb\": character '%s' not allowed", shown, shown);
		assert_string_equal(err.msg, msg);
		/* the byte alone, first or last */
		assert_int_equal(hap_cmd_check_name("server", name + 1, NULL), HAP_EINVAL);
		name[2] = '\0';
		assert_int_equal(hap_cmd_check_name("server", name, NULL), HAP_EINVAL);
	}
}

static void test_command_name_messages(void **state)
{
	struct hap_error err;
	char name[300];

	(void)state;
	assert_int_equal(hap_cmd_check_name("backend", "a;b", &err), HAP_EINVAL);
	assert_string_equal(err.msg, "invalid backend name \"a;b\": character ';' not allowed");
	assert_int_equal(hap_cmd_check_name("server", "srv 1", &err), HAP_EINVAL);
	assert_string_equal(err.msg, "invalid server name \"srv 1\": character ' ' not allowed");
	assert_int_equal(hap_cmd_check_name("server", "a\nb", &err), HAP_EINVAL);
	assert_string_equal(err.msg,
	                    "invalid server name \"a\\x0ab\": character '\\x0a' not allowed");
	assert_int_equal(hap_cmd_check_name("server", "b/s", &err), HAP_EINVAL);
	assert_string_equal(err.msg, "invalid server name \"b/s\": character '/' not allowed");
	assert_int_equal(hap_cmd_check_name("backend", "", &err), HAP_EINVAL);
	assert_string_equal(err.msg, "invalid backend name: empty");
	assert_int_equal(hap_cmd_check_name("backend", "", NULL), HAP_EINVAL);
	assert_int_equal(hap_cmd_check_name("frontend", "fe-1_a.b:c", &err), 0);
	/* what HAProxy itself names its objects */
	assert_int_equal(hap_cmd_check_name("backend", "haproxy-stats", NULL), 0);
	assert_int_equal(hap_cmd_check_name("server", "bck_all_srv1", NULL), 0);

	/* 255 bytes accepted, 256 refused; a long name is cut in the message */
	memset(name, 'x', sizeof(name));
	name[255] = '\0';
	assert_int_equal(hap_cmd_check_name("backend", name, NULL), 0);
	name[255] = 'x';
	name[256] = '\0';
	assert_int_equal(hap_cmd_check_name("backend", name, &err), HAP_EINVAL);
	assert_non_null(strstr(err.msg, "longer than 255 bytes"));
	assert_non_null(strstr(err.msg, "xxx...\""));
	assert_true(strlen(err.msg) < 200);
	/* a bad byte far in a long name is still named */
	name[200] = '%';
	assert_int_equal(hap_cmd_check_name("backend", name, &err), HAP_EINVAL);
	assert_non_null(strstr(err.msg, "character '%' not allowed"));
}

/* ---- values and words ---- */

static void test_command_value_checks(void **state)
{
	struct hap_error err;
	char *v = malloc(8002);

	(void)state;
	assert_non_null(v);
	assert_int_equal(hap_cmd_check_value("map key", "", &err), HAP_EINVAL);
	assert_string_equal(err.msg, "invalid map key: empty");
	assert_int_equal(hap_cmd_check_value("map value", "a\nb", &err), HAP_EINVAL);
	assert_string_equal(err.msg,
	                    "invalid map value \"a\\x0ab\": character '\\x0a' not allowed");
	assert_int_equal(hap_cmd_check_value("acl pattern", "x\r", &err), HAP_EINVAL);
	assert_string_equal(err.msg,
	                    "invalid acl pattern \"x\\x0d\": character '\\x0d' not allowed");
	assert_int_equal(hap_cmd_check_value("map value", "a;b c\\d\t<<", NULL), 0);
	memset(v, 'v', 8001);
	v[8000] = '\0';
	assert_int_equal(hap_cmd_check_value("map value", v, NULL), 0);
	v[8000] = 'v';
	v[8001] = '\0';
	assert_int_equal(hap_cmd_check_value("map value", v, &err), HAP_EINVAL);
	assert_string_equal(err.msg, "invalid map value: longer than 8000 bytes");
	free(v);
}

static void add_cmd(struct hap_buf *b, const char *value)
{
	hap_buf_reset(b);
	assert_int_equal(hap_cmd_add_raw(b, "add map"), 0);
	assert_int_equal(hap_cmd_add_word(b, "#1"), 0);
	assert_int_equal(hap_cmd_add_word(b, value), 0);
	assert_int_equal(hap_cmd_end(b, NULL), 0);
}

static void test_command_value_every_byte(void **state)
{
	struct hap_buf b = HAP_BUF_INIT;
	char v[8];
	int c;

	(void)state;
	for (c = 1; c < 256; c++) {
		const char *shapes[] = {
			"%c", "a%cb", "%c%c", "%ca", "a%c", "<%c<", "%c<<", "\\%c"
		};
		size_t k;

		for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
			const char *w[4] = { "add", "map", "#1", v };

			snprintf(v, sizeof(v), shapes[k], c, c);
			if (c == '\n' || c == '\r') {
				assert_int_equal(hap_cmd_check_value("map value", v, NULL),
				                 HAP_EINVAL);
				assert_int_equal(hap_cmd_add_word(&b, v), HAP_EINVAL);
				continue;
			}
			assert_int_equal(hap_cmd_check_value("map value", v, NULL), 0);
			add_cmd(&b, v);
			assert_decodes_to(&b, w, 4);
		}
	}
	hap_buf_release(&b);
}

static void test_command_value_every_pair(void **state)
{
	struct hap_buf b = HAP_BUF_INIT;
	char v[3] = { 0, 0, 0 };
	int c1, c2;

	(void)state;
	for (c1 = 1; c1 < 256; c1++) {
		for (c2 = 1; c2 < 256; c2++) {
			const char *w[4] = { "add", "map", "#1", v };

			if (c1 == '\n' || c1 == '\r' || c2 == '\n' || c2 == '\r')
				continue;
			v[0] = (char)c1;
			v[1] = (char)c2;
			add_cmd(&b, v);
			assert_decodes_to(&b, w, 4);
		}
	}
	hap_buf_release(&b);
}

static void test_command_all_bytes_one_word(void **state)
{
	struct hap_buf b = HAP_BUF_INIT;
	char v[256];
	const char *w[4] = { "add", "map", "#1", v };
	int c, n = 0;

	(void)state;
	for (c = 255; c > 0; c--)
		if (c != '\n' && c != '\r')
			v[n++] = (char)c;
	v[n] = '\0';
	add_cmd(&b, v);
	assert_decodes_to(&b, w, 4);
	hap_buf_release(&b);
}

static void test_command_escaping_exact(void **state)
{
	static const struct {
		const char *word, *sent;
	} cases[] = {
		{ "plain", "plain" },
		{ "a b", "a\\ b" },
		{ "a\tb", "a\\\tb" },
		{ "a;b", "a\\;b" },
		{ ";", "\\;" },
		{ "a\\b", "a\\\\b" },
		{ "\\", "\\\\" },
		{ "\\;", "\\\\\\;" },
		{ "<", "<" },
		{ "<<", "<\\<" },
		{ "x<<", "x<\\<" },
		{ "<<x", "<<x" },
		{ "a<<<", "a<<\\<" },
		{ "#0x55c283cb0e90", "#0x55c283cb0e90" },
		{ "\"q'", "\"q'" },
		{ "@!1234", "@!1234" },
		{ "\xff\x01", "\xff\x01" },
	};
	struct hap_buf b = HAP_BUF_INIT;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		hap_buf_reset(&b);
		assert_int_equal(hap_cmd_add_word(&b, cases[k].word), 0);
		assert_string_equal(b.ptr, cases[k].sent);
		/* with a word before: one separating space */
		hap_buf_reset(&b);
		assert_int_equal(hap_cmd_add_raw(&b, "get"), 0);
		assert_int_equal(hap_cmd_add_word(&b, cases[k].word), 0);
		assert_int_equal(strncmp(b.ptr, "get ", 4), 0);
		assert_string_equal(b.ptr + 4, cases[k].sent);
	}
	hap_buf_reset(&b);
	assert_int_equal(hap_cmd_add_raw(&b, "set weight"), 0);
	assert_int_equal(hap_cmd_add_word(&b, "bk/srv"), 0);
	assert_int_equal(hap_cmd_add_raw(&b, "50"), 0);
	assert_int_equal(hap_cmd_end(&b, NULL), 0);
	assert_string_equal(b.ptr, "set weight bk/srv 50\n");
	hap_buf_release(&b);
}

static void test_command_refusals(void **state)
{
	struct hap_buf b = HAP_BUF_INIT;
	struct hap_error err;

	(void)state;
	/* words that would vanish, end the line or escape the next one */
	assert_int_equal(hap_cmd_add_word(&b, ""), HAP_EINVAL);
	assert_int_equal(hap_cmd_add_word(&b, "a\nb"), HAP_EINVAL);
	assert_int_equal(hap_cmd_add_word(&b, "\r"), HAP_EINVAL);
	assert_int_equal(hap_cmd_add_raw(&b, ""), HAP_EINVAL);
	assert_int_equal(hap_cmd_add_raw(&b, "a;b"), HAP_EINVAL);
	assert_int_equal(hap_cmd_add_raw(&b, "a\\"), HAP_EINVAL);
	assert_int_equal(hap_cmd_add_raw(&b, "x\n"), HAP_EINVAL);
	assert_int_equal(hap_cmd_add_raw(&b, "x\r"), HAP_EINVAL);
	assert_int_equal(b.len, 0);
	/* an empty command would print the whole help */
	assert_int_equal(hap_cmd_end(&b, &err), HAP_EINVAL);
	assert_string_equal(err.msg, "empty command");
	assert_int_equal(hap_cmd_end(&b, NULL), HAP_EINVAL);
	/* "<<" as a raw word asks for a payload on purpose */
	assert_int_equal(hap_cmd_add_raw(&b, "add map #1 <<"), 0);
	assert_int_equal(hap_cmd_end(&b, NULL), 0);
	assert_string_equal(b.ptr, "add map #1 <<\n");
	hap_buf_release(&b);
}

static void test_command_line_limits(void **state)
{
	struct hap_buf b = HAP_BUF_INIT;
	struct hap_error err;
	char *w = malloc(16001);
	int i;

	(void)state;
	assert_non_null(w);
	/* 15999 bytes + '\n' = 16000: accepted; one more: refused */
	memset(w, 'k', 15999);
	w[15999] = '\0';
	assert_int_equal(hap_cmd_add_word(&b, w), 0);
	assert_int_equal(hap_cmd_end(&b, &err), 0);
	assert_int_equal(b.len, 16000);
	hap_buf_reset(&b);
	w[15999] = 'k';
	w[16000] = '\0';
	assert_int_equal(hap_cmd_add_word(&b, w), 0);
	assert_int_equal(hap_cmd_end(&b, &err), HAP_EINVAL);
	assert_int_equal(err.code, HAP_EINVAL);
	assert_non_null(strstr(err.msg, "command line too long"));
	assert_int_equal(b.len, 16000); /* nothing appended */
	/* escaping counts: 8000 ';' are 16000 bytes on the wire */
	hap_buf_reset(&b);
	memset(w, ';', 8000);
	w[8000] = '\0';
	assert_int_equal(hap_cmd_check_value("map value", w, NULL), 0);
	assert_int_equal(hap_cmd_add_word(&b, w), 0);
	assert_int_equal(b.len, 16000);
	assert_int_equal(hap_cmd_end(&b, &err), HAP_EINVAL);
	free(w);

	/* 64 words are read, a 65th would be ignored by HAProxy: refused */
	hap_buf_reset(&b);
	for (i = 0; i < 64; i++)
		assert_int_equal(hap_cmd_add_word(&b, "w w"), 0);
	assert_int_equal(hap_cmd_end(&b, NULL), 0);
	b.len--; /* take the '\n' back */
	b.ptr[b.len] = '\0';
	assert_int_equal(hap_cmd_add_raw(&b, "x"), 0);
	assert_int_equal(hap_cmd_end(&b, &err), HAP_EINVAL);
	assert_non_null(strstr(err.msg, "too many words"));
	hap_buf_release(&b);

	/* a capped buffer: the word is refused whole, the line stays valid */
	hap_buf_init(&b, 12);
	assert_int_equal(hap_cmd_add_raw(&b, "get map"), 0);
	assert_int_equal(hap_cmd_add_word(&b, "a;b;"), HAP_ETOOBIG);
	assert_string_equal(b.ptr, "get map");
	assert_int_equal(hap_cmd_add_raw(&b, "abcdefgh"), HAP_ETOOBIG);
	assert_string_equal(b.ptr, "get map");
	assert_int_equal(hap_cmd_add_word(&b, "#1"), 0);
	assert_int_equal(hap_cmd_add_word(&b, "k"), 0);
	assert_string_equal(b.ptr, "get map #1 k");
	assert_int_equal(hap_cmd_end(&b, &err), HAP_ETOOBIG);
	assert_string_equal(b.ptr, "get map #1 k");
	hap_buf_release(&b);
}

/* ---- property: random words round-trip through HAProxy's reader ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static char random_byte(void)
{
	static const char special[] = " \t\\;<#\"'@$%&|>()[]{}*?~`!=";
	int c;

	if (rnd(2))
		return special[rnd(sizeof(special) - 1)];
	do
		c = (int)rnd(255) + 1;
	while (c == '\n' || c == '\r');
	return (char)c;
}

static void test_command_random_words(void **state)
{
	static const char *keywords[] = { "add", "map", "set", "acl", "del", "get", "show" };
	struct hap_buf b = HAP_BUF_INIT;
	char store[40][32];
	const char *words[40];
	int iter;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		int nraw = (int)rnd(3), nwords = 1 + (int)rnd(10), n = 0, i;

		hap_buf_reset(&b);
		for (i = 0; i < nraw; i++) {
			words[n] = keywords[rnd(7)];
			assert_int_equal(hap_cmd_add_raw(&b, words[n]), 0);
			n++;
		}
		for (i = 0; i < nwords; i++, n++) {
			int len = 1 + (int)rnd(24), k;

			for (k = 0; k < len; k++)
				store[n][k] = random_byte();
			store[n][len] = '\0';
			words[n] = store[n];
			assert_int_equal(hap_cmd_check_value("value", store[n], NULL), 0);
			assert_int_equal(hap_cmd_add_word(&b, store[n]), 0);
		}
		assert_int_equal(hap_cmd_end(&b, NULL), 0);
		assert_int_equal(b.ptr[b.len - 1], '\n');
		assert_decodes_to(&b, words, n);
	}
	hap_buf_release(&b);
}

/* The reference reader itself: known lines decode as HAProxy does. */
static void test_command_reference_reader(void **state)
{
	struct decoded *d = malloc(sizeof(*d));
	const char *l;

	(void)state;
	assert_non_null(d);
	l = "a b; c\n";
	haproxy_decode(l, strlen(l), d);
	assert_int_equal(d->commands, 2);
	assert_int_equal(d->nwords, 2);
	l = "a\\;b \\\\c\\ d\n";
	haproxy_decode(l, strlen(l), d);
	assert_int_equal(d->commands, 1);
	assert_int_equal(d->nwords, 2);
	assert_string_equal(d->words[0], "a;b");
	assert_string_equal(d->words[1], "\\c d");
	l = "add map #1 <<\n";
	haproxy_decode(l, strlen(l), d);
	assert_true(d->payload);
	l = "x\\\ny\n";
	haproxy_decode(l, strlen(l), d);
	assert_int_equal(d->commands, 1);
	assert_int_equal(d->nwords, 1);
	assert_string_equal(d->words[0], "x\ny");
	l = "get  x\r\n";
	haproxy_decode(l, strlen(l), d);
	assert_int_equal(d->nwords, 2);
	assert_string_equal(d->words[1], "x");
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_reference_reader),
		cmocka_unit_test(test_command_name_every_byte),
		cmocka_unit_test(test_command_name_messages),
		cmocka_unit_test(test_command_value_checks),
		cmocka_unit_test(test_command_value_every_byte),
		cmocka_unit_test(test_command_value_every_pair),
		cmocka_unit_test(test_command_all_bytes_one_word),
		cmocka_unit_test(test_command_escaping_exact),
		cmocka_unit_test(test_command_refusals),
		cmocka_unit_test(test_command_line_limits),
		cmocka_unit_test(test_command_random_words),
	};
	return cmocka_run_group_tests_name("command", tests, NULL, NULL);
}
