/*
 * test_parse.c - every reply parser, on replies captured from HAProxy
 * 2.6.12 (tests/data/ref/, see its README) and on hand-made edge cases.
 *
 * Besides asserted values, every parser is run on every prefix of every
 * fixture and on thousands of randomly corrupted copies, each in a buffer
 * of exactly its size, so that valgrind or ASan catch a read past the end.
 * Such input must give 0 or HAP_EPROTO, never a crash, and any views
 * returned must lie inside the input.
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
#include "parse/parse.h"
#include "util/buf.h"
#include "util/banned.h"

#ifndef HAP_TEST_DATA
#define HAP_TEST_DATA "tests/data"
#endif

#define AGENT_TEXT "via agent : up (note, with comma and \"quotes\")"

/* ---- helpers ---- */

/* A malloc'd copy of exactly n bytes (no NUL): reading past it is caught. */
static char *dup_exact(const char *p, size_t n)
{
	char *s = malloc(n ? n : 1);

	assert_non_null(s);
	if (n)
		memcpy(s, p, n);
	return s;
}

static char *fixture(const char *name, size_t *len)
{
	char path[512], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/ref/%s", HAP_TEST_DATA, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	buf = malloc(n ? (size_t)n : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* "\n" -> "\r\n" */
static char *to_crlf(const char *p, size_t n, size_t *out_len)
{
	char *s = malloc(2 * n + 1);
	size_t i, o = 0;

	assert_non_null(s);
	for (i = 0; i < n; i++) {
		if (p[i] == '\n')
			s[o++] = '\r';
		s[o++] = p[i];
	}
	*out_len = o;
	return s;
}

static void assert_view(struct hap_view v, const char *s)
{
	size_t n = strlen(s);

	if (v.n != n || (n && memcmp(v.p, s, n) != 0))
		fail_msg("view \"%.*s\" != \"%s\"", (int)v.n, v.p ? v.p : "", s);
}

static void assert_inside(struct hap_view v, const char *buf, size_t len)
{
	if (v.n == 0)
		return;
	assert_true(v.p >= buf);
	assert_true(v.p + v.n <= buf + len);
}

/* Split a stat row into its fields; returns how many. */
static int row_fields(const struct hap_stat_row *r, struct hap_view *f, size_t max)
{
	return hap_csv_split(r->line, r->len, f, max);
}

static const struct hap_stat_row *find_row(const struct hap_stat *st, const char *px,
                                           const char *sv)
{
	for (size_t i = 0; i < st->nrows; i++)
		if (hap_view_eq(st->rows[i].pxname, px) && hap_view_eq(st->rows[i].svname, sv))
			return &st->rows[i];
	fail_msg("no row %s/%s", px, sv);
	return NULL;
}

static struct hap_view field(const struct hap_stat *st, const struct hap_stat_row *r,
                             const char *col)
{
	struct hap_view f[256];
	int n = row_fields(r, f, 256), c = hap_stat_col(st, col);

	assert_true(c >= 0);
	assert_true(n > c);
	return f[c];
}

/* ---- CSV ---- */

static int split(const char *s, struct hap_view *f, size_t max)
{
	char *p = dup_exact(s, strlen(s));
	int n = hap_csv_split(p, strlen(s), f, max);

	/* views must not outlive p here: copy what the tests compare */
	for (int i = 0; i < n && (size_t)i < max; i++)
		f[i].p = f[i].n ? s + (f[i].p - p) : s;
	free(p);
	return n;
}

static void test_parse_csv_split(void **state)
{
	struct hap_view f[8];

	(void)state;
	assert_int_equal(split("", f, 8), 0);
	assert_int_equal(split("\r", f, 8), 0);
	assert_int_equal(split(",", f, 8), 1);
	assert_int_equal(f[0].n, 0);
	assert_int_equal(split("a,b,c,", f, 8), 3);
	assert_view(f[2], "c");
	/* a missing trailing comma changes nothing */
	assert_int_equal(split("a,b,c", f, 8), 3);
	assert_view(f[0], "a");
	assert_view(f[2], "c");
	/* empty fields are kept, and are not "0" */
	assert_int_equal(split("a,,0,", f, 8), 3);
	assert_int_equal(f[1].n, 0);
	assert_view(f[2], "0");
	assert_int_equal(split("a,,", f, 8), 2);
	assert_int_equal(split(",,,", f, 8), 3);
	/* quoted fields */
	assert_int_equal(split("\"x,y\",z,", f, 8), 2);
	assert_view(f[0], "x,y");
	assert_view(f[1], "z");
	assert_int_equal(split("a,\"b\"", f, 8), 2);
	assert_view(f[1], "b");
	assert_int_equal(split("\"\",x", f, 8), 2);
	assert_int_equal(f[0].n, 0);
	assert_int_equal(split("\"a\"\"b\",", f, 8), 1);
	assert_view(f[0], "a\"\"b");
	assert_int_equal(split("\"\"\"\",\",\",", f, 8), 2);
	assert_view(f[0], "\"\"");
	assert_view(f[1], ",");
	/* a quote inside an unquoted field is a byte like any other */
	assert_int_equal(split("a\"b,c", f, 8), 2);
	assert_view(f[0], "a\"b");
	/* CRLF */
	assert_int_equal(split("a,b,\r", f, 8), 2);
	assert_view(f[1], "b");
	assert_int_equal(split("a,b\r", f, 8), 2);
	assert_view(f[1], "b");
	/* more fields than room: counted, first ones stored */
	assert_int_equal(split("1,2,3,4,5,", f, 2), 5);
	assert_view(f[1], "2");
	assert_int_equal(hap_csv_split("1,2,3", 5, NULL, 0), 3);
	/* broken quoting */
	assert_int_equal(split("\"abc", f, 8), HAP_EPROTO);
	assert_int_equal(split("a,\"b,c,", f, 8), HAP_EPROTO);
	assert_int_equal(split("\"", f, 8), HAP_EPROTO);
	assert_int_equal(split("\"a\"\"", f, 8), HAP_EPROTO);
	assert_int_equal(split("\"abc\"x,", f, 8), HAP_EPROTO);
	/* only len bytes are read */
	assert_int_equal(hap_csv_split("a,b,\"c", 4, f, 8), 2);
}

static void test_parse_csv_next(void **state)
{
	const char *l = "px,\"s,v\",3,";
	struct hap_view f;
	size_t pos = 0;

	(void)state;
	assert_int_equal(hap_csv_next(l, strlen(l), &pos, &f), 1);
	assert_view(f, "px");
	assert_int_equal(hap_csv_next(l, strlen(l), &pos, &f), 1);
	assert_view(f, "s,v");
	assert_int_equal(hap_csv_next(l, strlen(l), &pos, &f), 1);
	assert_view(f, "3");
	assert_int_equal(hap_csv_next(l, strlen(l), &pos, &f), 0);
	assert_int_equal(hap_csv_next(l, strlen(l), &pos, &f), 0);
	pos = 0;
	assert_int_equal(hap_csv_next("", 0, &pos, &f), 0);
}

static void test_parse_csv_text(void **state)
{
	struct hap_buf b = HAP_BUF_INIT;

	(void)state;
	assert_int_equal(hap_csv_text(hap_view_str("plain"), &b), 0);
	assert_string_equal(b.ptr, "plain");
	assert_int_equal(hap_csv_text(hap_view_str("a\"\"b\"\""), &b), 0);
	assert_string_equal(b.ptr, "a\"b\"");
	assert_int_equal(hap_csv_text(hap_view_str("\"\""), &b), 0);
	assert_string_equal(b.ptr, "\"");
	assert_int_equal(hap_csv_text(hap_view_str("\"\"\"\""), &b), 0);
	assert_string_equal(b.ptr, "\"\"");
	assert_int_equal(hap_csv_text(hap_view_make(NULL, 0), &b), 0);
	assert_string_equal(b.ptr, "");
	/* only len bytes */
	assert_int_equal(hap_csv_text(hap_view_make("ab\"\"", 3), &b), 0);
	assert_string_equal(b.ptr, "ab\"");
	hap_buf_release(&b);
	/* over the cap: error, buffer left empty and valid */
	hap_buf_init(&b, 4);
	assert_int_equal(hap_csv_text(hap_view_str("abcdef"), &b), HAP_ETOOBIG);
	assert_string_equal(b.ptr, "");
	assert_int_equal(hap_csv_text(hap_view_str("ab\"\"c"), &b), 0);
	assert_string_equal(b.ptr, "ab\"c");
	assert_int_equal(hap_csv_text(hap_view_str("ab\"\"cd"), &b), HAP_ETOOBIG);
	assert_string_equal(b.ptr, "");
	hap_buf_release(&b);
}

/* ---- show stat ---- */

static void test_parse_stat_fixture(void **state)
{
	struct hap_stat st;
	struct hap_error err = { 0, "" };
	struct hap_buf b = HAP_BUF_INIT;
	struct hap_view f[200];
	const struct hap_stat_row *r;
	size_t len, i;
	char *text = fixture("show-stat.csv", &len);

	(void)state;
	assert_int_equal(hap_stat_parse(&st, text, len, &err), 0);
	assert_int_equal(err.code, 0);
	/* 128 names: 103 core fields, "-", 24 module fields; no trailing empty */
	assert_int_equal(st.ncols, 128);
	assert_int_equal(st.col_pxname, 0);
	assert_int_equal(st.col_svname, 1);
	assert_int_equal(st.col_type, 32);
	assert_int_equal(hap_stat_col(&st, "agg_check_status"), 102);
	assert_int_equal(hap_stat_col(&st, "-"), 103);
	assert_int_equal(hap_stat_col(&st, "ssl_sess"), 104);
	assert_int_equal(hap_stat_col(&st, "h2_headers_rcvd"), 107);
	assert_int_equal(hap_stat_col(&st, "h1_spliced_bytes_out"), 127);
	assert_int_equal(hap_stat_col(&st, "last_agt"), 57);
	assert_int_equal(hap_stat_col(&st, "addr"), 73);
	assert_int_equal(hap_stat_col(&st, "nosuch"), -1);
	assert_int_equal(hap_stat_col(&st, ""), -1);
	assert_int_equal(hap_stat_col(&st, "pxname,"), -1);

	assert_int_equal(st.nrows, 19);
	assert_view(st.rows[0].pxname, "haproxy-stats");
	assert_view(st.rows[0].svname, "FRONTEND");
	assert_int_equal(st.rows[0].type, HAP_STAT_FRONTEND);
	assert_int_equal(st.rows[1].type, HAP_STAT_BACKEND);
	assert_view(st.rows[18].pxname, "backend_slow");
	assert_view(st.rows[18].svname, "BACKEND");
	for (i = 0; i < st.nrows; i++) {
		r = &st.rows[i];
		/* every row has exactly the header's columns, quoted field or not */
		assert_int_equal(row_fields(r, f, 200), 128);
		assert_view(f[103], "-");
		assert_true(r->line >= text && r->line + r->len < text + len);
		assert_int_equal(r->line[r->len], '\n');
		if (hap_view_eq(r->svname, "FRONTEND"))
			assert_int_equal(r->type, HAP_STAT_FRONTEND);
		else if (hap_view_eq(r->svname, "BACKEND"))
			assert_int_equal(r->type, HAP_STAT_BACKEND);
		else
			assert_int_equal(r->type, HAP_STAT_SERVER);
	}

	/* the server whose agent text has a comma and quotes */
	r = find_row(&st, "backend_all", "srv_agentmsg");
	assert_int_equal(r->type, HAP_STAT_SERVER);
	assert_int_equal(hap_csv_text(field(&st, r, "last_agt"), &b), 0);
	assert_string_equal(b.ptr, AGENT_TEXT);
	assert_view(field(&st, r, "addr"), "127.0.0.1:18001");
	assert_view(field(&st, r, "mode"), "http");
	assert_view(field(&st, r, "agent_status"), "L7OK");
	assert_view(field(&st, r, "agent_desc"), "Layer7 check passed");
	assert_view(field(&st, r, "check_desc"), "");
	assert_view(field(&st, r, "agent_health"), "1");
	assert_view(field(&st, r, "status"), "no check");
	assert_view(field(&st, r, "weight"), "1");
	assert_view(field(&st, r, "iid"), "6");
	assert_view(field(&st, r, "sid"), "6");
	assert_view(field(&st, r, "uweight"), "1");
	assert_view(field(&st, r, "-"), "-");
	assert_view(field(&st, r, "ssl_sess"), "0");
	assert_view(field(&st, r, "h1_spliced_bytes_out"), "");
	/* its neighbour, same text without the comma, unquoted */
	r = find_row(&st, "backend_all", "srv_all2");
	assert_view(field(&st, r, "last_agt"), "via agent : up");
	assert_view(field(&st, r, "addr"), "127.0.0.1:18001");
	/* the tracking server */
	r = find_row(&st, "backend_all", "srv_track");
	assert_view(field(&st, r, "tracked"), "backend_all/srv_all1");
	/* the same server name in two backends */
	assert_view(field(&st, find_row(&st, "backend_proc1", "bck_all_srv1"), "weight"), "100");
	assert_view(field(&st, find_row(&st, "backend_all", "bck_all_srv1"), "weight"), "50");
	/* an empty field is absent, not zero */
	r = find_row(&st, "haproxy-stats", "FRONTEND");
	assert_view(field(&st, r, "qcur"), "");
	assert_view(field(&st, r, "scur"), "0");
	assert_view(field(&st, r, "slim"), "3000");
	assert_view(field(&st, r, "status"), "OPEN");
	assert_view(field(&st, r, "h1_spliced_bytes_out"), "0");
	r = find_row(&st, "backend_all", "BACKEND");
	assert_view(field(&st, r, "weight"), "55");
	assert_view(field(&st, r, "algo"), "roundrobin");

	hap_stat_release(&st);
	assert_int_equal(st.nrows, 0);
	assert_null(st.rows);
	assert_null(st.cols);
	hap_stat_release(&st);
	hap_stat_release(NULL);
	hap_buf_release(&b);
	free(text);
}

static int parse_str(struct hap_stat *st, const char *s, struct hap_error *err)
{
	return hap_stat_parse(st, s, strlen(s), err);
}

static void test_parse_stat_mixed_versions(void **state)
{
	struct hap_stat st;
	struct hap_view f[16];
	/* reordered, an unknown column, a module column, a quoted field early */
	const char *t = "# svname,extra1,type,pxname,status,-,new_mod,\n"
	                "FRONTEND,x,0,fe1,OPEN,-,1,\n"
	                "srv1,,2,be1,UP,-,,\n"
	                "BACKEND,\"q,\"\"1\",1,be1,UP,-,5,\n"
	                "\n";

	(void)state;
	assert_int_equal(parse_str(&st, t, NULL), 0);
	assert_int_equal(st.ncols, 7);
	assert_int_equal(st.col_pxname, 3);
	assert_int_equal(st.col_svname, 0);
	assert_int_equal(st.col_type, 2);
	assert_int_equal(hap_stat_col(&st, "extra1"), 1);
	assert_int_equal(hap_stat_col(&st, "-"), 5);
	assert_int_equal(hap_stat_col(&st, "new_mod"), 6);
	assert_int_equal(st.nrows, 3);
	assert_view(st.rows[0].pxname, "fe1");
	assert_int_equal(st.rows[0].type, HAP_STAT_FRONTEND);
	assert_view(st.rows[1].pxname, "be1");
	assert_view(st.rows[1].svname, "srv1");
	assert_int_equal(st.rows[1].type, HAP_STAT_SERVER);
	assert_view(st.rows[2].pxname, "be1");
	assert_int_equal(st.rows[2].type, HAP_STAT_BACKEND);
	assert_int_equal(row_fields(&st.rows[2], f, 16), 7);
	assert_view(f[1], "q,\"\"1");
	assert_view(f[6], "5");
	hap_stat_release(&st);

	/* names after the type, in reverse order */
	t = "# x,type,svname,pxname,\n"
	    "a,0,FRONTEND,fe,\n"
	    "b,2,s1,be,\n";
	assert_int_equal(parse_str(&st, t, NULL), 0);
	assert_int_equal(st.nrows, 2);
	assert_view(st.rows[0].pxname, "fe");
	assert_view(st.rows[0].svname, "FRONTEND");
	assert_int_equal(st.rows[0].type, HAP_STAT_FRONTEND);
	assert_view(st.rows[1].pxname, "be");
	assert_view(st.rows[1].svname, "s1");
	assert_int_equal(st.rows[1].type, HAP_STAT_SERVER);
	hap_stat_release(&st);

	/* no "type" column (old versions): the kind comes from svname */
	t = "# pxname,svname,status\n"
	    "fe,FRONTEND,OPEN\n"
	    "be,s1,UP\n"
	    "be,BACKEND,UP\n";
	assert_int_equal(parse_str(&st, t, NULL), 0);
	assert_int_equal(st.col_type, -1);
	assert_int_equal(st.nrows, 3);
	assert_int_equal(st.rows[0].type, HAP_STAT_FRONTEND);
	assert_int_equal(st.rows[1].type, HAP_STAT_SERVER);
	assert_int_equal(st.rows[2].type, HAP_STAT_BACKEND);
	hap_stat_release(&st);

	/* a listener row, an unknown type value, a row cut before "type" */
	t = "# pxname,svname,status,type,\n"
	    "fe,sock-1,OPEN,3,\n"
	    "fe,FRONTEND,OPEN,7,\n"
	    "be,BACKEND,UP\n"
	    "be,s1,UP,,\n";
	assert_int_equal(parse_str(&st, t, NULL), 0);
	assert_int_equal(st.nrows, 4);
	assert_int_equal(st.rows[0].type, HAP_STAT_LISTENER);
	assert_int_equal(st.rows[1].type, HAP_STAT_FRONTEND);
	assert_int_equal(st.rows[2].type, HAP_STAT_BACKEND);
	assert_int_equal(st.rows[3].type, HAP_STAT_SERVER);
	hap_stat_release(&st);

	/* blank lines anywhere, comment lines, no final newline */
	t = "\n\n# pxname,svname,type,\n\nfe,FRONTEND,0,\n\n# again\nbe,BACKEND,1,";
	assert_int_equal(parse_str(&st, t, NULL), 0);
	assert_int_equal(st.nrows, 2);
	assert_view(st.rows[1].pxname, "be");
	assert_int_equal(st.rows[1].len, strlen("be,BACKEND,1,"));
	hap_stat_release(&st);

	/* header only (e.g. "show stat 99 -1 -1") */
	assert_int_equal(parse_str(&st, "# pxname,svname,\n\n", NULL), 0);
	assert_int_equal(st.nrows, 0);
	assert_int_equal(st.ncols, 2);
	hap_stat_release(&st);
}

static void test_parse_stat_crlf(void **state)
{
	struct hap_stat a, b;
	struct hap_view f[200];
	size_t len, clen, i;
	char *text = fixture("show-stat.csv", &len), *crlf = to_crlf(text, len, &clen);

	(void)state;
	assert_int_equal(hap_stat_parse(&a, text, len, NULL), 0);
	assert_int_equal(hap_stat_parse(&b, crlf, clen, NULL), 0);
	assert_int_equal(a.ncols, b.ncols);
	assert_int_equal(a.nrows, b.nrows);
	assert_int_equal(hap_stat_col(&b, "h1_spliced_bytes_out"), 127);
	for (i = 0; i < a.nrows; i++) {
		assert_true(hap_view_eqv(a.rows[i].pxname, b.rows[i].pxname));
		assert_true(hap_view_eqv(a.rows[i].svname, b.rows[i].svname));
		assert_int_equal(a.rows[i].type, b.rows[i].type);
		assert_int_equal(a.rows[i].len, b.rows[i].len);
		assert_int_equal(b.rows[i].line[b.rows[i].len], '\r');
		assert_int_equal(row_fields(&b.rows[i], f, 200), 128);
	}
	hap_stat_release(&a);
	hap_stat_release(&b);
	free(text);
	free(crlf);
}

/* The fuzz finding of fuzz_stat: a line ending in "\r\r\n" (and "\r\r" at
 * the end of the text). The row index (pxname, svname as the last field)
 * and the splitter must see the same fields: no '\r' is left in either. */
static void test_parse_stat_cr_cr_lf(void **state)
{
	static const char text[] = "# pxname,svname\r\r\nfe,FRONTEND\r\r\nbe,srv\r\r";
	struct hap_stat st;
	struct hap_view f[4];
	size_t i;

	(void)state;
	assert_int_equal(hap_stat_parse(&st, text, sizeof(text) - 1, NULL), 0);
	assert_int_equal(st.ncols, 2);
	assert_view(st.cols[1], "svname");
	assert_int_equal(st.nrows, 2);
	assert_view(st.rows[0].svname, "FRONTEND");
	assert_view(st.rows[1].svname, "srv");
	for (i = 0; i < st.nrows; i++) {
		assert_int_not_equal(st.rows[i].line[st.rows[i].len - 1], '\r');
		assert_int_equal(hap_csv_split(st.rows[i].line, st.rows[i].len, f, 4), 2);
		assert_true(f[1].p == st.rows[i].svname.p && f[1].n == st.rows[i].svname.n);
		assert_true(f[0].p == st.rows[i].pxname.p && f[0].n == st.rows[i].pxname.n);
	}
	hap_stat_release(&st);
	/* the splitter alone drops every final '\r' */
	assert_int_equal(hap_csv_split("a,b\r\r", 5, f, 4), 2);
	assert_view(f[1], "b");
}

static void test_parse_stat_errors(void **state)
{
	struct hap_stat st;
	struct hap_error err;
	size_t len;
	char *text;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(hap_stat_parse(&st, NULL, 0, &err), HAP_EPROTO);
	assert_string_equal(err.msg, "show stat: no header line");
	assert_int_equal(err.code, HAP_EPROTO);
	assert_int_equal(st.nrows, 0);
	assert_null(st.rows);
	hap_stat_release(&st);
	assert_int_equal(parse_str(&st, "\n\n", &err), HAP_EPROTO);
	assert_string_equal(err.msg, "show stat: no header line");
	assert_int_equal(parse_str(&st, "No such proxy.\n\n", &err), HAP_EPROTO);
	assert_string_equal(err.msg, "show stat: no header line");
	assert_int_equal(parse_str(&st, "pxname,svname,\nfe,FRONTEND,\n", NULL), HAP_EPROTO);
	assert_int_equal(parse_str(&st, "#pxname,svname,\n", NULL), HAP_EPROTO);
	assert_int_equal(parse_str(&st, "# svname,status,\n", &err), HAP_EPROTO);
	assert_string_equal(err.msg, "show stat: header has no pxname or svname column");
	assert_int_equal(parse_str(&st, "# pxname,\"svname,\n", &err), HAP_EPROTO);
	assert_non_null(strstr(err.msg, "line 1"));
	/* unterminated quote late in a row, past the columns the index reads */
	assert_int_equal(parse_str(&st,
	                           "# pxname,svname,a,b,\nfe,FRONTEND,1,2,\n"
	                           "be,s1,\"oops,2,\nbe,BACKEND,1,2,\n",
	                           &err),
	                 HAP_EPROTO);
	assert_non_null(strstr(err.msg, "show stat: line 3: "));
	assert_non_null(strstr(err.msg, "quote"));
	assert_int_equal(st.nrows, 0);
	assert_null(st.rows);
	/* ... and in a name */
	assert_int_equal(parse_str(&st, "\n# pxname,svname,\n\"be,s1,\n", &err), HAP_EPROTO);
	assert_non_null(strstr(err.msg, "line 3"));
	/* junk after a closing quote */
	assert_int_equal(parse_str(&st, "# pxname,svname,x,\nbe,s1,\"a\"b,\n", &err), HAP_EPROTO);
	assert_non_null(strstr(err.msg, "line 2"));
	/* a row too short to have its names */
	assert_int_equal(parse_str(&st, "# pxname,svname,\nfe,FRONTEND,\nbe\n", &err), HAP_EPROTO);
	assert_string_equal(err.msg, "show stat: line 3: no pxname or svname field");
	/* the trailing comma is not a field: "1,be," has no svname */
	assert_int_equal(parse_str(&st, "# type,pxname,svname,\n0,fe,FRONTEND,\n1,be,\n", NULL),
	                 HAP_EPROTO);
	assert_int_equal(parse_str(&st, "# type,pxname,svname,\n1,be\n", NULL), HAP_EPROTO);

	/* the agent row of the fixture with its closing quote removed */
	text = fixture("show-stat.csv", &len);
	{
		char *q = strstr(text, "\"\")\"");

		assert_non_null(q);
		q[3] = ' ';
	}
	assert_int_equal(hap_stat_parse(&st, text, len, &err), HAP_EPROTO);
	assert_non_null(strstr(err.msg, "line 15"));
	free(text);
}

static void test_parse_stat_many_rows(void **state)
{
	struct hap_buf b = HAP_BUF_INIT;
	struct hap_stat st;
	size_t len, i;
	char *text = fixture("show-stat.csv", &len);
	const char *hdr_end = memchr(text, '\n', len);
	/* the rest of a real server row, after its two names */
	const char *tail = strstr(text, "backend_proc1,member1_proc1,") +
	                   strlen("backend_proc1,member1_proc1,");
	const char *tail_end = strchr(tail, '\n');
	char *copy;
	enum { N = 20000 };

	(void)state;
	assert_int_equal(hap_buf_add(&b, text, (size_t)(hdr_end - text) + 1), 0);
	for (i = 0; i < N; i++) {
		if (i % 1000 == 999)
			assert_int_equal(hap_buf_addc(&b, '\n'), 0); /* stray blank lines */
		assert_int_equal(hap_buf_addf(&b, "bk_%zu,srv_%zu_%02zu,", i / 10, i / 10, i % 10),
		                 0);
		assert_int_equal(hap_buf_add(&b, tail, (size_t)(tail_end - tail) + 1), 0);
	}
	assert_int_equal(hap_buf_addc(&b, '\n'), 0);
	copy = dup_exact(b.ptr, b.len);
	assert_int_equal(hap_stat_parse(&st, copy, b.len, NULL), 0);
	assert_int_equal(st.nrows, N);
	assert_view(st.rows[12345].pxname, "bk_1234");
	assert_view(st.rows[12345].svname, "srv_1234_05");
	assert_int_equal(st.rows[12345].type, HAP_STAT_SERVER);
	assert_view(st.rows[N - 1].svname, "srv_1999_09");
	hap_stat_release(&st);
	free(copy);
	hap_buf_release(&b);
	free(text);
}

/* ---- show info ---- */

static void test_parse_info_fixture(void **state)
{
	struct hap_info info;
	struct hap_view v;
	struct hap_error err = { 0, "" };
	size_t len, used = 0;
	char *text = fixture("show-info.txt", &len);

	(void)state;
	assert_int_equal(hap_info_parse(&info, text, len, &used, &err), 0);
	assert_int_equal(used, len);
	assert_int_equal(info.n, 70);
	assert_view(hap_info_key(&info, 0), "Name");
	assert_view(hap_info_val(&info, 0), "HAProxy");
	assert_view(hap_info_key(&info, 69), "Tainted");
	assert_int_equal(hap_info_get(&info, "Version", &v), 1);
	assert_view(v, "2.6.12-1+deb12u4");
	assert_int_equal(hap_info_get(&info, "Pid", &v), 1);
	assert_view(v, "17137");
	assert_int_equal(hap_info_get(&info, "Uptime", &v), 1);
	assert_view(v, "0d 0h00m12s");
	assert_int_equal(hap_info_get(&info, "Unstoppable Jobs", &v), 1);
	assert_view(v, "0");
	assert_int_equal(hap_info_get(&info, "Build info", &v), 1);
	assert_view(v, "2.6.12-1+deb12u4");
	assert_int_equal(hap_info_get(&info, "node", &v), 1);
	assert_view(v, "lab-inst1");
	assert_int_equal(hap_info_get(&info, "description", &v), 1);
	assert_view(v, "haproxy lab instance 1");
	assert_int_equal(hap_info_get(&info, "Start_time_sec", &v), 1);
	assert_view(v, "1796005270");
	v = hap_view_str("unchanged");
	assert_int_equal(hap_info_get(&info, "Nope", &v), 0);
	assert_int_equal(hap_info_get(&info, "name", &v), 0);
	assert_int_equal(hap_info_get(&info, "Build", &v), 0);
	assert_view(v, "unchanged");
	hap_info_release(&info);
	assert_int_equal(info.n, 0);
	assert_null(info.kv);
	hap_info_release(&info);
	hap_info_release(NULL);
	/* consumed may be NULL */
	assert_int_equal(hap_info_parse(&info, text, len, NULL, NULL), 0);
	hap_info_release(&info);
	free(text);
}

static void test_parse_info_cases(void **state)
{
	struct hap_info info;
	struct hap_error err;
	struct hap_view v;
	size_t used;
	const char *t;

	(void)state;
	/* no description, an empty value, a line without ": ", a ':' in a key */
	t = "Name: HAProxy\nnode: \ngarbage\nBuild info: x: y\na:b: c\nUptime: 0d 0h00m12s\n\n";
	assert_int_equal(hap_info_parse(&info, t, strlen(t), &used, NULL), 0);
	assert_int_equal(used, strlen(t));
	assert_int_equal(info.n, 5);
	assert_int_equal(hap_info_get(&info, "description", &v), 0);
	assert_int_equal(hap_info_get(&info, "node", &v), 1);
	assert_int_equal(v.n, 0);
	assert_int_equal(hap_info_get(&info, "garbage", &v), 0);
	assert_int_equal(hap_info_get(&info, "Build info", &v), 1);
	assert_view(v, "x: y");
	assert_int_equal(hap_info_get(&info, "a:b", &v), 1);
	assert_view(v, "c");
	hap_info_release(&info);

	/* no blank line: the whole text; CRLF */
	t = "Name: HAProxy\r\nPid: 12\r\n";
	assert_int_equal(hap_info_parse(&info, t, strlen(t), &used, NULL), 0);
	assert_int_equal(used, strlen(t));
	assert_int_equal(hap_info_get(&info, "Pid", &v), 1);
	assert_view(v, "12");
	hap_info_release(&info);
	t = "Name: HAProxy\r\n\r\nPid: 12\r\n";
	assert_int_equal(hap_info_parse(&info, t, strlen(t), &used, NULL), 0);
	assert_int_equal(used, strlen("Name: HAProxy\r\n\r\n"));
	assert_int_equal(info.n, 1);
	hap_info_release(&info);

	/* not "show info" */
	assert_int_equal(hap_info_parse(&info, NULL, 0, &used, &err), HAP_EPROTO);
	assert_string_equal(err.msg, "show info: no Name field");
	assert_int_equal(used, 0);
	t = "Unknown command, but maybe one of the following ones is a better match:\n"
	    "  show cli level                          : display the level\n\n";
	assert_int_equal(hap_info_parse(&info, t, strlen(t), &used, &err), HAP_EPROTO);
	assert_int_equal(info.n, 0);
	assert_null(info.kv);
	t = "\nName: HAProxy\n\n";
	assert_int_equal(hap_info_parse(&info, t, strlen(t), &used, &err), HAP_EPROTO);
	assert_int_equal(used, 1);
	t = "Pid: 1\nname: HAProxy\n";
	assert_int_equal(hap_info_parse(&info, t, strlen(t), &used, NULL), HAP_EPROTO);
}

static void test_parse_info_then_stat(void **state)
{
	struct hap_info info, info2;
	struct hap_stat st;
	struct hap_view v;
	size_t ilen, slen, used, used2;
	char *i = fixture("show-info.txt", &ilen), *s = fixture("show-stat.csv", &slen);
	char *all = malloc(2 * ilen + slen);

	(void)state;
	assert_non_null(all);
	/* "show info\nshow stat\nshow info\n" answered on one connection */
	memcpy(all, i, ilen);
	memcpy(all + ilen, s, slen);
	memcpy(all + ilen + slen, i, ilen);
	assert_int_equal(hap_info_parse(&info, all, 2 * ilen + slen, &used, NULL), 0);
	assert_int_equal(used, ilen);
	assert_int_equal(info.n, 70);
	/* the stat reply ends at its blank line: parse exactly that span */
	assert_int_equal(hap_stat_parse(&st, all + used, slen, NULL), 0);
	assert_int_equal(st.nrows, 19);
	assert_int_equal(hap_info_parse(&info2, all + used + slen, ilen, &used2, NULL), 0);
	assert_int_equal(used2, ilen);
	assert_int_equal(hap_info_get(&info2, "Pid", &v), 1);
	assert_view(v, "17137");
	hap_info_release(&info);
	hap_info_release(&info2);
	hap_stat_release(&st);
	free(all);
	free(i);
	free(s);
}

/* ---- show proc ---- */

static void test_parse_proc_fixtures(void **state)
{
	struct hap_proc_list pl;
	struct hap_error err = { 0, "" };
	size_t len;
	char *text = fixture("show-proc.txt", &len);

	(void)state;
	assert_int_equal(hap_proc_parse(&pl, text, len, &err), 0);
	assert_int_equal(pl.n, 2);
	assert_int_equal(pl.procs[0].pid, 19259);
	assert_int_equal(pl.procs[0].kind, HAP_PROC_MASTER);
	assert_int_equal(pl.procs[0].reloads, 0);
	assert_view(pl.procs[0].uptime, "0d00h00m01s");
	assert_view(pl.procs[0].version, "2.6.12-1+deb12u4");
	assert_int_equal(pl.procs[1].pid, 19261);
	assert_int_equal(pl.procs[1].kind, HAP_PROC_WORKER);
	assert_int_equal(pl.procs[1].reloads, 0);
	assert_view(pl.procs[1].version, "2.6.12-1+deb12u4");
	hap_proc_release(&pl);
	assert_int_equal(pl.n, 0);
	assert_null(pl.procs);
	hap_proc_release(&pl);
	hap_proc_release(NULL);
	free(text);

	text = fixture("show-proc-old-workers.txt", &len);
	assert_int_equal(hap_proc_parse(&pl, text, len, &err), 0);
	assert_int_equal(pl.n, 3);
	assert_int_equal(pl.procs[0].kind, HAP_PROC_MASTER);
	assert_int_equal(pl.procs[0].reloads, 1);
	assert_view(pl.procs[0].uptime, "0d00h01m04s");
	assert_int_equal(pl.procs[1].pid, 19324);
	assert_int_equal(pl.procs[1].kind, HAP_PROC_WORKER);
	assert_int_equal(pl.procs[2].pid, 19261);
	assert_int_equal(pl.procs[2].kind, HAP_PROC_OLD_WORKER);
	assert_int_equal(pl.procs[2].reloads, 1);
	assert_view(pl.procs[2].uptime, "0d00h01m04s");
	hap_proc_release(&pl);
	free(text);

	text = fixture("show-proc-failed.txt", &len);
	assert_int_equal(hap_proc_parse(&pl, text, len, &err), 0);
	assert_int_equal(pl.n, 2);
	assert_int_equal(pl.procs[0].reloads, 3);
	assert_int_equal(pl.procs[1].pid, 19341);
	assert_int_equal(pl.procs[1].reloads, 1);
	hap_proc_release(&pl);
	free(text);
}

static void test_parse_proc_cases(void **state)
{
	struct hap_proc_list pl;
	struct hap_error err;
	const char *t;
	size_t clen;
	char *crlf;

	(void)state;
	t = "#<PID>          <type>          <reloads>       <uptime>        <version>      \n"
	    "100             master          0 [failed: 0]   0d00h00m01s     2.6.12\n"
	    "# workers\n"
	    "101             worker          0               0d00h00m01s     2.6.12\n"
	    "# programs\n"
	    "102             dataplane       0               0d00h00m01s     -\n"
	    "# old programs\n"
	    "103             dataplane       1               0d00h00m09s     -\n"
	    "# something new\n"
	    "104             whatever        0               0d00h00m01s     -\n"
	    "\n";
	assert_int_equal(hap_proc_parse(&pl, t, strlen(t), NULL), 0);
	assert_int_equal(pl.n, 4);
	assert_int_equal(pl.procs[2].kind, HAP_PROC_PROGRAM);
	assert_int_equal(pl.procs[2].pid, 102);
	assert_view(pl.procs[2].version, "-");
	assert_int_equal(pl.procs[3].kind, HAP_PROC_OLD_PROGRAM);
	assert_int_equal(pl.procs[3].reloads, 1);
	hap_proc_release(&pl);

	/* CRLF, and no final blank line */
	crlf = to_crlf(t, strlen(t) - 1, &clen);
	assert_int_equal(hap_proc_parse(&pl, crlf, clen, NULL), 0);
	assert_int_equal(pl.n, 4);
	assert_view(pl.procs[0].version, "2.6.12");
	hap_proc_release(&pl);
	free(crlf);

	/* no worker listed yet (just after start): header and sections only */
	t = "#<PID> <type> <reloads> <uptime> <version>\n1 master 0 [failed: 0] 0d00h00m01s 2.6\n"
	    "# workers\n# programs\n\n";
	assert_int_equal(hap_proc_parse(&pl, t, strlen(t), NULL), 0);
	assert_int_equal(pl.n, 1);
	hap_proc_release(&pl);

	assert_int_equal(hap_proc_parse(&pl, NULL, 0, &err), HAP_EPROTO);
	assert_string_equal(err.msg, "show proc: no header line");
	t = "Unknown command, but maybe one of the following ones is a better match:\n\n";
	assert_int_equal(hap_proc_parse(&pl, t, strlen(t), &err), HAP_EPROTO);
	assert_string_equal(err.msg, "show proc: no header line");
	t = "\n";
	assert_int_equal(hap_proc_parse(&pl, t, strlen(t), &err), HAP_EPROTO);

	/* lines that cannot be read name their line */
	t = "#<PID>\n1 master 0 [failed: 0] 0d 2.6\n# workers\nabc worker 0 0d 2.6\n";
	assert_int_equal(hap_proc_parse(&pl, t, strlen(t), &err), HAP_EPROTO);
	assert_string_equal(err.msg, "show proc: line 4: unexpected format");
	assert_int_equal(pl.n, 0);
	assert_null(pl.procs);
	t = "#<PID>\n# workers\n5 worker 0 0d00h00m01s\n";
	assert_int_equal(hap_proc_parse(&pl, t, strlen(t), &err), HAP_EPROTO);
	t = "#<PID>\n1 master 0 [failed: 0 0d 2.6\n";
	assert_int_equal(hap_proc_parse(&pl, t, strlen(t), &err), HAP_EPROTO);
	t = "#<PID>\n1 master x 0d 2.6\n";
	assert_int_equal(hap_proc_parse(&pl, t, strlen(t), &err), HAP_EPROTO);
	t = "#<PID>\n-1 master 0 0d 2.6\n";
	assert_int_equal(hap_proc_parse(&pl, t, strlen(t), &err), HAP_EPROTO);
	t = "#<PID>\n1\n";
	assert_int_equal(hap_proc_parse(&pl, t, strlen(t), &err), HAP_EPROTO);
}

/* ---- show acl / show map ---- */

static void test_parse_pat_refs(void **state)
{
	struct hap_pat_ref_list l;
	struct hap_error err = { 0, "" };
	size_t len;
	char *text = fixture("show-acl.txt", &len);

	(void)state;
	assert_int_equal(hap_pat_ref_parse(&l, text, len, &err), 0);
	assert_int_equal(l.n, 7);
	assert_int_equal(l.refs[0].id, 0);
	assert_view(l.refs[0].file, "/run/haproxy/acls/wl_stats");
	assert_int_equal(l.refs[0].entry_cnt, 1);
	assert_int_equal(l.refs[1].id, 1);
	assert_view(l.refs[1].file, "");
	assert_view(l.refs[1].desc, "acl 'src' file '/run/haproxy/haproxy2.cfg' line 24");
	assert_int_equal(l.refs[1].entry_cnt, 0);
	assert_int_equal(l.refs[2].id, 2);
	assert_view(l.refs[2].file, "/run/haproxy/acls/bl_frontend");
	assert_view(l.refs[2].desc, "pattern loaded from file '/run/haproxy/acls/bl_frontend' "
	                            "used by acl at file '/run/haproxy/haproxy2.cfg' line 29");
	assert_int_equal(l.refs[2].entry_cnt, 2);
	assert_int_equal(l.refs[2].curr_ver, 0);
	assert_int_equal(l.refs[2].next_ver, 0);
	assert_int_equal(l.refs[4].entry_cnt, 2);
	assert_view(l.refs[4].desc, "acl 'path_beg' file '/run/haproxy/haproxy2.cfg' line 31");
	assert_int_equal(l.refs[6].id, 6);
	assert_view(l.refs[6].desc, "acl 'var' file 'httpclient' line 0");
	hap_pat_ref_release(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.refs);
	hap_pat_ref_release(&l);
	hap_pat_ref_release(NULL);
	free(text);

	text = fixture("show-map.txt", &len);
	assert_int_equal(hap_pat_ref_parse(&l, text, len, &err), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.refs[0].id, 2);
	assert_view(l.refs[0].file, "/run/haproxy/maps/v-m1-bk");
	assert_int_equal(l.refs[0].entry_cnt, 2);
	assert_int_equal(l.refs[1].id, 6);
	assert_view(l.refs[1].file, "/run/haproxy/maps/host2backend.map");
	assert_int_equal(l.refs[1].entry_cnt, 3);
	hap_pat_ref_release(&l);
	free(text);

	text = fixture("show-acl-admin1.txt", &len);
	assert_int_equal(hap_pat_ref_parse(&l, text, len, &err), 0);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.refs[2].id, 3); /* ids have gaps */
	hap_pat_ref_release(&l);
	free(text);
}

static void test_parse_pat_ref_cases(void **state)
{
	struct hap_pat_ref_list l;
	struct hap_error err;
	const char *t;

	(void)state;
	/* an empty list */
	assert_int_equal(hap_pat_ref_parse(&l, "\n", 1, NULL), 0);
	assert_int_equal(l.n, 0);
	hap_pat_ref_release(&l);
	assert_int_equal(hap_pat_ref_parse(&l, "# id (file) description\n\n", 25, NULL), 0);
	assert_int_equal(l.n, 0);
	/* before 2.4: no counters */
	t = "0 (/f) pattern loaded from file '/f' used by acl at file 'h.cfg' line 1.\n";
	assert_int_equal(hap_pat_ref_parse(&l, t, strlen(t), NULL), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.refs[0].entry_cnt, -1);
	assert_int_equal(l.refs[0].curr_ver, -1);
	assert_view(l.refs[0].desc,
	            "pattern loaded from file '/f' used by acl at file 'h.cfg' line 1.");
	hap_pat_ref_release(&l);
	/* a file name with ") " inside, CRLF, an unknown counter */
	t = "3 (/etc/a) b/f) pattern loaded from file '/etc/a) b/f' used by map at file "
	    "'h.cfg' line 4. curr_ver=1 next_ver=2 entry_cnt=9 new_thing=x\r\n"
	    "4 () acl 'src' file 'h.cfg' line 5. curr_ver=0 next_ver=0 entry_cnt=0\r\n\r\n";
	assert_int_equal(hap_pat_ref_parse(&l, t, strlen(t), NULL), 0);
	assert_int_equal(l.n, 2);
	assert_view(l.refs[0].file, "/etc/a) b/f");
	assert_int_equal(l.refs[0].curr_ver, 1);
	assert_int_equal(l.refs[0].next_ver, 2);
	assert_int_equal(l.refs[0].entry_cnt, 9);
	assert_view(l.refs[1].file, "");
	assert_int_equal(l.refs[1].entry_cnt, 0);
	hap_pat_ref_release(&l);
	/* a minimal line */
	assert_int_equal(hap_pat_ref_parse(&l, "7 ()", 4, NULL), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.refs[0].id, 7);
	assert_int_equal(l.refs[0].desc.n, 0);
	hap_pat_ref_release(&l);

	/* errors: HAProxy's refusal, or a broken line */
	t = "Unknown ACL identifier. Please use #<id> or <file>.\n\n";
	assert_int_equal(hap_pat_ref_parse(&l, t, strlen(t), &err), HAP_EPROTO);
	assert_non_null(strstr(err.msg, "line 1"));
	assert_int_equal(l.n, 0);
	assert_null(l.refs);
	t = "0 (/f) x. curr_ver=0\n1 /g) y\n";
	assert_int_equal(hap_pat_ref_parse(&l, t, strlen(t), &err), HAP_EPROTO);
	assert_non_null(strstr(err.msg, "line 2"));
	t = "0 (/f x\n";
	assert_int_equal(hap_pat_ref_parse(&l, t, strlen(t), NULL), HAP_EPROTO);
	t = "0 (/f) x. curr_ver=abc next_ver=0 entry_cnt=1\n";
	assert_int_equal(hap_pat_ref_parse(&l, t, strlen(t), NULL), HAP_EPROTO);
	t = "-1 () x\n";
	assert_int_equal(hap_pat_ref_parse(&l, t, strlen(t), NULL), HAP_EPROTO);
	t = "0\n";
	assert_int_equal(hap_pat_ref_parse(&l, t, strlen(t), NULL), HAP_EPROTO);
}

static void test_parse_pat_entries(void **state)
{
	struct hap_pat_entry_list l;
	struct hap_error err = { 0, "" };
	size_t len;
	const char *t;
	char *text = fixture("show-acl-entries.txt", &len);

	(void)state;
	assert_int_equal(hap_pat_entry_parse(&l, text, len, 0, &err), 0);
	assert_int_equal(l.n, 2);
	assert_view(l.entries[0].ref, "0x564fe48f2fd0");
	assert_view(l.entries[0].key, "10.0.0.1");
	assert_int_equal(l.entries[0].value.n, 0);
	assert_view(l.entries[1].ref, "0x564fe48f3020");
	assert_view(l.entries[1].key, "192.168.0.0/16");
	hap_pat_entry_release(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.entries);
	hap_pat_entry_release(&l);
	hap_pat_entry_release(NULL);
	free(text);

	text = fixture("show-map-entries.txt", &len);
	assert_int_equal(hap_pat_entry_parse(&l, text, len, 1, &err), 0);
	assert_int_equal(l.n, 3);
	assert_view(l.entries[0].ref, "0x555c78e44d80");
	assert_view(l.entries[0].key, "app.foo.com");
	assert_view(l.entries[0].value, "backend_all");
	assert_view(l.entries[2].key, "slow.foo.com");
	assert_view(l.entries[2].value, "backend_slow");
	hap_pat_entry_release(&l);
	free(text);

	text = fixture("show-acl-empty.txt", &len);
	assert_int_equal(len, 1);
	assert_int_equal(hap_pat_entry_parse(&l, text, len, 0, &err), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(hap_pat_entry_parse(&l, text, len, 1, &err), 0);
	assert_int_equal(l.n, 0);
	free(text);
	assert_int_equal(hap_pat_entry_parse(&l, NULL, 0, 1, &err), 0);
	assert_int_equal(l.n, 0);

	/* an ACL pattern is the rest of the line; a map value too */
	t = "0x1 foo bar\r\n0xAbC /static/js/\n\n";
	assert_int_equal(hap_pat_entry_parse(&l, t, strlen(t), 0, NULL), 0);
	assert_int_equal(l.n, 2);
	assert_view(l.entries[0].key, "foo bar");
	assert_view(l.entries[1].ref, "0xAbC");
	hap_pat_entry_release(&l);
	t = "0x1 k v w\n0x2 lonely\n";
	assert_int_equal(hap_pat_entry_parse(&l, t, strlen(t), 1, NULL), 0);
	assert_int_equal(l.n, 2);
	assert_view(l.entries[0].key, "k");
	assert_view(l.entries[0].value, "v w");
	assert_view(l.entries[1].key, "lonely");
	assert_int_equal(l.entries[1].value.n, 0);
	hap_pat_entry_release(&l);

	/* refusals and broken lines */
	t = "Unknown map identifier. Please use #<id> or <file>.\n\n";
	assert_int_equal(hap_pat_entry_parse(&l, t, strlen(t), 1, &err), HAP_EPROTO);
	assert_string_equal(err.msg, "map entries: line 1: expected \"0x<ref> <key> <value>\"");
	assert_int_equal(l.n, 0);
	assert_null(l.entries);
	t = "0x12 a\n0xZZ b\n";
	assert_int_equal(hap_pat_entry_parse(&l, t, strlen(t), 0, &err), HAP_EPROTO);
	assert_string_equal(err.msg, "acl entries: line 2: expected \"0x<ref> <pattern>\"");
	t = "0x a\n";
	assert_int_equal(hap_pat_entry_parse(&l, t, strlen(t), 0, NULL), HAP_EPROTO);
	t = "0x12\n";
	assert_int_equal(hap_pat_entry_parse(&l, t, strlen(t), 0, NULL), HAP_EPROTO);
}

/* ---- robustness: truncation and corruption ---- */

static const char *const all_fixtures[] = {
	"show-stat.csv",        "show-info.txt",
	"show-proc.txt",        "show-proc-old-workers.txt",
	"show-proc-failed.txt", "show-acl.txt",
	"show-acl-admin1.txt",  "show-map.txt",
	"show-acl-entries.txt", "show-map-entries.txt",
	"show-acl-empty.txt",
};

static void check_rc(int rc, const struct hap_error *err)
{
	if (rc != 0 && rc != HAP_EPROTO)
		fail_msg("unexpected return code %d", rc);
	if (rc) {
		assert_int_equal(err->code, rc);
		assert_true(err->msg[0] != '\0');
	}
}

/* Every parser on buf[0..n), which is exactly n bytes long. */
static void run_all_parsers(const char *buf, size_t n)
{
	struct hap_error err;
	struct hap_stat st;
	struct hap_info info;
	struct hap_proc_list pl;
	struct hap_pat_ref_list rl;
	struct hap_pat_entry_list el;
	struct hap_view f[160];
	size_t i, used;
	int rc, m;

	memset(&err, 0, sizeof(err));
	rc = hap_stat_parse(&st, buf, n, &err);
	check_rc(rc, &err);
	for (i = 0; !rc && i < st.nrows; i++) {
		const struct hap_stat_row *r = &st.rows[i];
		struct hap_view line = hap_view_make(r->line, r->len);

		assert_inside(line, buf, n);
		assert_inside(r->pxname, r->line, r->len);
		assert_inside(r->svname, r->line, r->len);
		assert_true(r->type <= HAP_STAT_LISTENER);
		/* the fast index agrees with a full split of the row */
		m = hap_csv_split(r->line, r->len, f, 160);
		assert_true(m > st.col_pxname && m > st.col_svname);
		if (m <= 160) {
			assert_ptr_equal(r->pxname.p, f[st.col_pxname].p);
			assert_int_equal(r->pxname.n, f[st.col_pxname].n);
			assert_ptr_equal(r->svname.p, f[st.col_svname].p);
			assert_int_equal(r->svname.n, f[st.col_svname].n);
			if (st.col_type >= 0 && m > st.col_type && f[st.col_type].n == 1 &&
			    f[st.col_type].p[0] >= '0' && f[st.col_type].p[0] <= '3')
				assert_int_equal(r->type, f[st.col_type].p[0] - '0');
		}
	}
	for (i = 0; !rc && i < st.ncols; i++)
		assert_inside(st.cols[i], buf, n);
	hap_stat_release(&st);

	memset(&err, 0, sizeof(err));
	rc = hap_info_parse(&info, buf, n, &used, &err);
	check_rc(rc, &err);
	assert_true(used <= n);
	for (i = 0; !rc && i < info.n; i++) {
		assert_inside(hap_info_key(&info, i), buf, n);
		assert_inside(hap_info_val(&info, i), buf, n);
	}
	hap_info_release(&info);

	memset(&err, 0, sizeof(err));
	rc = hap_proc_parse(&pl, buf, n, &err);
	check_rc(rc, &err);
	for (i = 0; !rc && i < pl.n; i++) {
		assert_inside(pl.procs[i].uptime, buf, n);
		assert_inside(pl.procs[i].version, buf, n);
		assert_true(pl.procs[i].pid > 0);
	}
	hap_proc_release(&pl);

	memset(&err, 0, sizeof(err));
	rc = hap_pat_ref_parse(&rl, buf, n, &err);
	check_rc(rc, &err);
	for (i = 0; !rc && i < rl.n; i++) {
		assert_inside(rl.refs[i].file, buf, n);
		assert_inside(rl.refs[i].desc, buf, n);
	}
	hap_pat_ref_release(&rl);

	for (int is_map = 0; is_map < 2; is_map++) {
		memset(&err, 0, sizeof(err));
		rc = hap_pat_entry_parse(&el, buf, n, is_map, &err);
		check_rc(rc, &err);
		for (i = 0; !rc && i < el.n; i++) {
			assert_inside(el.entries[i].ref, buf, n);
			assert_inside(el.entries[i].key, buf, n);
			assert_inside(el.entries[i].value, buf, n);
		}
		hap_pat_entry_release(&el);
	}

	/* the CSV splitter on the whole buffer as one line */
	m = hap_csv_split(buf, n, f, 160);
	assert_true(m >= 0 || m == HAP_EPROTO);
}

static void test_parse_every_prefix(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(all_fixtures) / sizeof(all_fixtures[0]); k++) {
		size_t len, n;
		char *text = fixture(all_fixtures[k], &len);

		for (n = 0; n <= len; n++) {
			char *p = dup_exact(text, n);

			run_all_parsers(p, n);
			free(p);
		}
		free(text);
	}
}

/* A stat reply cut anywhere keeps the rows that arrived whole. */
static void test_parse_stat_prefix_rows(void **state)
{
	size_t len, n, complete = 0;
	char *text = fixture("show-stat.csv", &len);
	const char *hdr = memchr(text, '\n', len);

	(void)state;
	for (n = (size_t)(hdr - text) + 1; n <= len; n++) {
		struct hap_stat st;
		char *p = dup_exact(text, n);

		/* a row's '\n' (not the header's, not the final blank line's) */
		if (text + n - 1 > hdr && text[n - 1] == '\n' && n < len)
			complete++;
		if (hap_stat_parse(&st, p, n, NULL) == 0) {
			/* whole rows, plus possibly the one being cut */
			assert_true(st.nrows == complete || st.nrows == complete + 1);
			hap_stat_release(&st);
		}
		free(p);
	}
	assert_int_equal(complete, 19);
	free(text);
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* Fields of every length at every alignment: the word-at-a-time search. */
static void test_parse_stat_alignment(void **state)
{
	struct hap_buf b = HAP_BUF_INIT;
	struct hap_stat st;
	struct hap_view f[64];
	enum { COLS = 40, ROWS = 3000 };
	size_t i;
	int c;

	(void)state;
	assert_int_equal(hap_buf_adds(&b, "# "), 0);
	for (c = 0; c < COLS; c++) {
		if (c == 2)
			assert_int_equal(hap_buf_adds(&b, "pxname,"), 0);
		else if (c == 7)
			assert_int_equal(hap_buf_adds(&b, "svname,"), 0);
		else if (c == 35)
			assert_int_equal(hap_buf_adds(&b, "type,"), 0);
		else
			assert_int_equal(hap_buf_addf(&b, "c%d,", c), 0);
	}
	assert_int_equal(hap_buf_addc(&b, '\n'), 0);
	for (i = 0; i < ROWS; i++) {
		/* short rows too, cut before svname or type */
		int ncols = rnd(8) == 0 ? (int)rnd(COLS) + 1 : COLS;

		for (c = 0; c < ncols; c++) {
			int len = (int)rnd(rnd(4) == 0 ? 30 : 4), k;

			if (c == 35)
				assert_int_equal(hap_buf_addf(&b, "%u", rnd(5)), 0);
			else
				for (k = 0; k < len; k++)
					assert_int_equal(hap_buf_addc(&b, "ab9 -_"[rnd(6)]), 0);
			if (c < ncols - 1 || rnd(2))
				assert_int_equal(hap_buf_addc(&b, ','), 0);
		}
		assert_int_equal(hap_buf_adds(&b, rnd(5) ? "\n" : "\r\n"), 0);
	}
	{
		char *p = dup_exact(b.ptr, b.len);
		int rc = hap_stat_parse(&st, p, b.len, NULL);

		/* some rows are too short to have names: cut the reply there */
		if (rc == 0) {
			assert_true(st.nrows > 0);
			hap_stat_release(&st);
		}
		free(p);
	}
	/* row by row, each must agree with a full split */
	{
		const char *hdr_end = memchr(b.ptr, '\n', b.len), *line = hdr_end + 1;
		size_t checked = 0;

		while (line < b.ptr + b.len) {
			const char *nl = memchr(line, '\n', (size_t)(b.ptr + b.len - line));
			size_t hlen = (size_t)(hdr_end - b.ptr) + 1, rlen = (size_t)(nl - line) + 1;
			char *one = malloc(hlen + rlen);
			int m, rc;

			memcpy(one, b.ptr, hlen);
			memcpy(one + hlen, line, rlen);
			rc = hap_stat_parse(&st, one, hlen + rlen, NULL);
			m = hap_csv_split(line, (size_t)(nl - line), f, 64);
			if (m == 0) {
				/* a blank line ("" or "\r"): ignored */
				assert_int_equal(rc, 0);
				assert_int_equal(st.nrows, 0);
				hap_stat_release(&st);
			} else if (m <= 7) {
				assert_int_equal(rc, HAP_EPROTO);
			} else {
				assert_int_equal(rc, 0);
				assert_int_equal(st.nrows, 1);
				assert_int_equal(st.rows[0].pxname.n, f[2].n);
				assert_int_equal(st.rows[0].svname.n, f[7].n);
				assert_ptr_equal(st.rows[0].svname.p, one + hlen + (f[7].p - line));
				if (m > 35)
					assert_int_equal(st.rows[0].type,
					                 f[35].p[0] - '0' > 3 ? HAP_STAT_SERVER
					                                      : f[35].p[0] - '0');
				else
					assert_int_equal(st.rows[0].type, HAP_STAT_SERVER);
				checked++;
				hap_stat_release(&st);
			}
			free(one);
			line = nl + 1;
		}
		assert_true(checked > ROWS / 2);
	}
	hap_buf_release(&b);
}

static void test_parse_random_corruption(void **state)
{
	static const char special[] = ",\"\n\r #:()=x0\t";
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(all_fixtures) / sizeof(all_fixtures[0]); k++) {
		size_t len;
		char *text = fixture(all_fixtures[k], &len);
		int iter;

		for (iter = 0; iter < 1500; iter++) {
			char *p = dup_exact(text, len);
			int flips = 1 + (int)rnd(3), j;
			size_t n = len;

			for (j = 0; j < flips && len; j++) {
				size_t at = rnd((uint32_t)len);

				if (rnd(2))
					p[at] = special[rnd(sizeof(special) - 1)];
				else
					p[at] = (char)rnd(256);
			}
			/* sometimes also cut it */
			if (len && rnd(4) == 0)
				n = rnd((uint32_t)len);
			run_all_parsers(p, n);
			free(p);
		}
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_csv_split),
		cmocka_unit_test(test_parse_csv_next),
		cmocka_unit_test(test_parse_csv_text),
		cmocka_unit_test(test_parse_stat_fixture),
		cmocka_unit_test(test_parse_stat_mixed_versions),
		cmocka_unit_test(test_parse_stat_crlf),
		cmocka_unit_test(test_parse_stat_cr_cr_lf),
		cmocka_unit_test(test_parse_stat_errors),
		cmocka_unit_test(test_parse_stat_many_rows),
		cmocka_unit_test(test_parse_info_fixture),
		cmocka_unit_test(test_parse_info_cases),
		cmocka_unit_test(test_parse_info_then_stat),
		cmocka_unit_test(test_parse_proc_fixtures),
		cmocka_unit_test(test_parse_proc_cases),
		cmocka_unit_test(test_parse_pat_refs),
		cmocka_unit_test(test_parse_pat_ref_cases),
		cmocka_unit_test(test_parse_pat_entries),
		cmocka_unit_test(test_parse_every_prefix),
		cmocka_unit_test(test_parse_stat_prefix_rows),
		cmocka_unit_test(test_parse_stat_alignment),
		cmocka_unit_test(test_parse_random_corruption),
	};
	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
