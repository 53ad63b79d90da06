/*
 * test_pattern.c - ACLs and maps without I/O: the merged listing and id
 * resolution (fed the four instances' real "show acl" / "show map"
 * listings from tests/data/2.6/ and synthetic ones), the chunking of a
 * replace into requests, the parsing of a replace file, the judging of a
 * batch reply, the validation of single-entry changes, and the reply table
 * of every acl/map command (captured replies where recorded, HAProxy
 * 2.6.12's texts otherwise).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "haproxyadmin.h"
#include "ops/ops.h"
#include "ops/pattern.h"
#include "parse/parse.h"
#include "util/banned.h"

#ifndef HAP_TEST_DATA
#define HAP_TEST_DATA "tests/data"
#endif
#define FIXTURE_DIR HAP_TEST_DATA "/2.6"

/* Whole file in a malloc'd buffer; NULL when absent. */
static char *load(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf = NULL;
	long n;

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

/* ------------------------------------------------------------------ listing */

#define NINST 4
static const char *const names[NINST] = { "admin1", "admin2", "admin3", "admin4" };

struct fleet {
	char *text[NINST];
	struct hap_pat_ref_list lists[NINST];
	const struct hap_pat_ref_list *ptr[NINST];
	struct hap_patterns *p;
};

/* The 4-instance fleet's listings (fixtures) of one kind, merged. */
static void fleet_load(struct fleet *fl, enum hap_pattern_kind kind)
{
	size_t i, len;

	memset(fl, 0, sizeof(*fl));
	for (i = 0; i < NINST; i++) {
		char name[64];

		snprintf(name, sizeof(name), "show-%s.inst%zu.txt",
		         kind == HAP_PATTERN_MAP ? "map" : "acl", i + 1);
		fl->text[i] = load(name, &len);
		assert_non_null(fl->text[i]);
		assert_int_equal(hap_pat_ref_parse(&fl->lists[i], fl->text[i], len, NULL), 0);
		fl->ptr[i] = &fl->lists[i];
	}
	assert_int_equal(hap_pat_merge(&fl->p, kind, names, fl->ptr, NINST, NULL), 0);
}

/* Synthetic listings, one text per instance (NULL: the instance did not answer). */
static void fleet_text(struct fleet *fl, enum hap_pattern_kind kind, const char *const *texts)
{
	size_t i;

	memset(fl, 0, sizeof(*fl));
	for (i = 0; i < NINST; i++) {
		if (!texts[i])
			continue;
		fl->text[i] = strdup(texts[i]);
		assert_non_null(fl->text[i]);
		assert_int_equal(
		        hap_pat_ref_parse(&fl->lists[i], fl->text[i], strlen(fl->text[i]), NULL),
		        0);
		fl->ptr[i] = &fl->lists[i];
	}
	assert_int_equal(hap_pat_merge(&fl->p, kind, names, fl->ptr, NINST, NULL), 0);
}

static void fleet_free(struct fleet *fl)
{
	size_t i;

	hap_patterns_free(fl->p);
	for (i = 0; i < NINST; i++) {
		hap_pat_ref_release(&fl->lists[i]);
		free(fl->text[i]);
	}
}

static void test_merge_maps(void **state)
{
	struct fleet fl;
	const struct hap_pattern_ref *r;
	size_t f;

	(void)state;
	fleet_load(&fl, HAP_PATTERN_MAP);
	assert_int_equal(hap_patterns_count(fl.p), 2);
	/* sorted by file */
	assert_string_equal(hap_patterns_file(fl.p, 0), "/tmp/hap-fixtures/maps/host2backend.map");
	assert_string_equal(hap_patterns_file(fl.p, 1), "/tmp/hap-fixtures/maps/v-m1-bk.map");
	/* host2backend.map: every instance, #6 on 1 and #8 elsewhere, in instance order */
	assert_int_equal(hap_patterns_holder_count(fl.p, 0), 4);
	r = hap_patterns_holder(fl.p, 0, 0);
	assert_int_equal(r->instance, 0);
	assert_int_equal(r->id, 6);
	assert_int_equal(r->entries, 3);
	assert_int_equal(r->curr_ver, 0);
	assert_int_equal(r->next_ver, 0);
	for (f = 1; f < 4; f++) {
		r = hap_patterns_holder(fl.p, 0, f);
		assert_int_equal(r->instance, f);
		assert_int_equal(r->id, 8);
	}
	/* v-m1-bk.map: instance 1 only */
	assert_int_equal(hap_patterns_holder_count(fl.p, 1), 1);
	assert_int_equal(hap_patterns_holder(fl.p, 1, 0)->instance, 0);
	assert_int_equal(hap_patterns_holder(fl.p, 1, 0)->id, 2);
	assert_int_equal(hap_patterns_inline_count(fl.p), 0);
	assert_int_equal(hap_patterns_find(fl.p, "/tmp/hap-fixtures/maps/v-m1-bk.map", &f), 0);
	assert_int_equal(f, 1);
	assert_int_equal(hap_patterns_find(fl.p, "v-m1-bk.map", &f), HAP_ENOTFOUND);
	fleet_free(&fl);
}

static void test_merge_acls(void **state)
{
	struct fleet fl;
	const struct hap_pattern_ref *r;
	size_t i, n;

	(void)state;
	fleet_load(&fl, HAP_PATTERN_ACL);
	assert_int_equal(hap_patterns_count(fl.p), 2);
	assert_string_equal(hap_patterns_file(fl.p, 0), "/tmp/hap-fixtures/maps/bl_frontend.acl");
	assert_int_equal(hap_patterns_holder_count(fl.p, 0), 1);
	assert_int_equal(hap_patterns_holder(fl.p, 0, 0)->instance, 1);
	assert_string_equal(hap_patterns_file(fl.p, 1), "/tmp/hap-fixtures/maps/wl_stats.acl");
	assert_int_equal(hap_patterns_holder_count(fl.p, 1), 4);
	/* inline ACLs are listed per instance: 4 on inst1, 6 on inst2, 7 on 3 and 4 */
	n = hap_patterns_inline_count(fl.p);
	assert_int_equal(n, 4 + 6 + 7 + 7);
	for (i = 0; i < n; i++) {
		r = hap_patterns_inline_ref(fl.p, i);
		assert_string_equal(r->file, "");
		assert_true(strncmp(r->desc, "acl '", 5) == 0);
		/* the ". curr_ver=..." tail is not part of the description */
		assert_null(strstr(r->desc, "curr_ver"));
	}
	r = hap_patterns_inline_ref(fl.p, 0);
	assert_int_equal(r->instance, 0);
	assert_int_equal(r->id, 1);
	fleet_free(&fl);
}

static void test_resolve_file(void **state)
{
	struct hap_pattern_target t;
	struct hap_error err = { 0, "" };
	struct fleet fl;

	(void)state;
	fleet_load(&fl, HAP_PATTERN_MAP);
	assert_int_equal(
	        hap_patterns_resolve(&t, fl.p, "/tmp/hap-fixtures/maps/host2backend.map", &err), 0);
	assert_string_equal(t.file, "/tmp/hap-fixtures/maps/host2backend.map");
	assert_string_equal(t.note, "");
	assert_int_equal(t.holders, 4);
	/* a name that is not listed anywhere, however it looks */
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "/no/such/file", &err), HAP_ENOTFOUND);
	assert_non_null(strstr(err.msg, "/no/such/file"));
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "host2backend.map", &err), HAP_ENOTFOUND);
	fleet_free(&fl);
}

/* The same file under different ids: resolved, and said. */
static void test_resolve_number_same_file(void **state)
{
	struct hap_pattern_target t;
	struct hap_error err = { 0, "" };
	struct fleet fl;

	(void)state;
	fleet_load(&fl, HAP_PATTERN_MAP);
	/* #6: host2backend.map on instance 1; on 2..4 #6 is an ACL, not in "show map" */
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "6", &err), 0);
	assert_string_equal(t.file, "/tmp/hap-fixtures/maps/host2backend.map");
	assert_int_equal(t.holders, 4);
	assert_non_null(strstr(t.note, "#6 is /tmp/hap-fixtures/maps/host2backend.map on admin1"));
	assert_null(strstr(t.note, "admin2"));
	assert_non_null(strstr(t.note, "every instance"));
	/* #8: the same file on instances 2..4 */
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "#8", &err), 0);
	assert_string_equal(t.file, "/tmp/hap-fixtures/maps/host2backend.map");
	assert_non_null(strstr(t.note, "admin2, admin3, admin4"));
	/* #2: v-m1-bk.map, on instance 1 only */
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "#2", &err), 0);
	assert_string_equal(t.file, "/tmp/hap-fixtures/maps/v-m1-bk.map");
	assert_int_equal(t.holders, 1);
	/* #0 (wl_stats.acl) is an ACL: no map #0 */
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "#0", &err), HAP_ENOTFOUND);
	assert_string_equal(err.msg, "no map #0 on any instance");
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "#99", &err), HAP_ENOTFOUND);
	/* not numbers */
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "#", &err), HAP_ENOTFOUND);
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "#6x", &err), HAP_ENOTFOUND);
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "-6", &err), HAP_ENOTFOUND);
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "99999999999999999999", &err),
	                 HAP_ENOTFOUND);
	fleet_free(&fl);
}

/* #2 is bl_frontend.acl on instance 2 and inline ACLs on 3 and 4: refused. */
static void test_resolve_number_mixed(void **state)
{
	struct hap_pattern_target t;
	struct hap_error err = { 0, "" };
	struct fleet fl;

	(void)state;
	fleet_load(&fl, HAP_PATTERN_ACL);
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "#2", &err), HAP_EINVAL);
	assert_int_equal(err.code, HAP_EINVAL);
	assert_non_null(strstr(err.msg, "#2 means different things"));
	assert_non_null(strstr(err.msg, "admin2: /tmp/hap-fixtures/maps/bl_frontend.acl"));
	assert_non_null(strstr(err.msg, "admin3: inline ACL (acl 'req.cook'"));
	assert_non_null(strstr(err.msg, "admin4: inline ACL"));
	assert_null(strstr(err.msg, "admin1"));
	assert_non_null(strstr(err.msg, "nothing sent"));
	assert_string_equal(t.file, "");
	/* #6 is an internal httpclient ACL on 2..4: inline, never addressable */
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "6", &err), HAP_EINVAL);
	assert_non_null(strstr(err.msg, "inline ACL"));
	assert_non_null(strstr(err.msg, "httpclient"));
	/* #0 is wl_stats.acl everywhere */
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "#0", &err), 0);
	assert_string_equal(t.file, "/tmp/hap-fixtures/maps/wl_stats.acl");
	assert_non_null(strstr(t.note, "admin1, admin2, admin3, admin4"));
	fleet_free(&fl);
}

/* An id that names two different files: refused, naming each instance. */
static void test_resolve_number_two_files(void **state)
{
	static const char *const texts[NINST] = {
		"# id (file) description\n"
		"3 (/etc/a.map) pattern loaded from file '/etc/a.map' used by map at file 'x' "
		"line 1. curr_ver=0 next_ver=0 entry_cnt=1\n\n",
		"# id (file) description\n"
		"3 (/etc/b.map) pattern loaded from file '/etc/b.map' used by map at file 'x' "
		"line 1. curr_ver=0 next_ver=0 entry_cnt=1\n"
		"4 (/etc/a.map) pattern loaded from file '/etc/a.map' used by map at file 'x' "
		"line 2. curr_ver=0 next_ver=0 entry_cnt=1\n\n",
		NULL, /* did not answer: not consulted */
		"\n", /* answered, loads no map */
	};
	struct hap_pattern_target t;
	struct hap_error err = { 0, "" };
	struct fleet fl;

	(void)state;
	fleet_text(&fl, HAP_PATTERN_MAP, texts);
	assert_int_equal(hap_patterns_count(fl.p), 2);
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "#3", &err), HAP_EINVAL);
	assert_non_null(strstr(err.msg, "admin1: /etc/a.map"));
	assert_non_null(strstr(err.msg, "admin2: /etc/b.map"));
	/* #4 is a.map where it exists: a.map is on instances 1 and 2 */
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "4", &err), 0);
	assert_string_equal(t.file, "/etc/a.map");
	assert_int_equal(t.holders, 2);
	assert_non_null(strstr(t.note, "#4 is /etc/a.map on admin2;"));
	fleet_free(&fl);
}

/* A file named like a number is a file first. */
static void test_resolve_file_named_number(void **state)
{
	static const char *const texts[NINST] = {
		"0 (7) pattern loaded from file '7' used by acl at file 'x' line 1. "
		"curr_ver=0 next_ver=0 entry_cnt=0\n"
		"7 (/etc/other.acl) pattern loaded from file 'y' used by acl at file 'x' line 2. "
		"curr_ver=0 next_ver=0 entry_cnt=0\n\n",
		NULL,
		NULL,
		NULL,
	};
	struct hap_pattern_target t;
	struct fleet fl;

	(void)state;
	fleet_text(&fl, HAP_PATTERN_ACL, texts);
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "7", NULL), 0);
	assert_string_equal(t.file, "7");
	assert_string_equal(t.note, "");
	assert_int_equal(hap_patterns_resolve(&t, fl.p, "#7", NULL), 0);
	assert_string_equal(t.file, "/etc/other.acl");
	fleet_free(&fl);
	hap_patterns_free(NULL);
}

/* ------------------------------------------------------------------ files */

static struct hap_pattern_file *parse_ok(enum hap_pattern_kind kind, const char *text)
{
	struct hap_pattern_file *f = NULL;
	struct hap_error err = { 0, "" };

	assert_int_equal(hap_pattern_file_parse(&f, kind, text, strlen(text), &err), 0);
	assert_non_null(f);
	return f;
}

static void test_file_acl(void **state)
{
	struct hap_pattern_file *f = parse_ok(
	        HAP_PATTERN_ACL, "# comment\n10.0.0.1\n\n   \n  192.168.0.0/16\r\n"
	                         "\t# indented comment\n/a b; c\\d  \nlast-without-newline");

	(void)state;
	assert_int_equal(hap_pattern_file_count(f), 4);
	assert_string_equal(hap_pattern_file_entry(f, 0), "10.0.0.1");
	assert_int_equal(hap_pattern_file_line(f, 0), 2);
	/* leading blanks and the final CR are dropped */
	assert_string_equal(hap_pattern_file_entry(f, 1), "192.168.0.0/16");
	assert_int_equal(hap_pattern_file_line(f, 1), 5);
	/* the pattern is the rest of the line, blanks included, as HAProxy loads it */
	assert_string_equal(hap_pattern_file_entry(f, 2), "/a b; c\\d  ");
	assert_int_equal(hap_pattern_file_line(f, 2), 7);
	assert_string_equal(hap_pattern_file_entry(f, 3), "last-without-newline");
	hap_pattern_file_free(f);
	hap_pattern_file_free(NULL);
}

static void test_file_map(void **state)
{
	struct hap_pattern_file *f =
	        parse_ok(HAP_PATTERN_MAP,
	                 "a.example.com backend_a\n  b.example.com\t\t  value with  blanks \n"
	                 "keyonly\nk;1 v\\2\n#x y\n");

	(void)state;
	assert_int_equal(hap_pattern_file_count(f), 4);
	assert_string_equal(hap_pattern_file_entry(f, 0), "a.example.com backend_a");
	/* key, one blank, the value as the rest of the line */
	assert_string_equal(hap_pattern_file_entry(f, 1), "b.example.com value with  blanks ");
	/* a key alone keeps a blank: the payload form needs it, the value is empty */
	assert_string_equal(hap_pattern_file_entry(f, 2), "keyonly ");
	assert_string_equal(hap_pattern_file_entry(f, 3), "k;1 v\\2");
	assert_int_equal(hap_pattern_file_line(f, 3), 4);
	hap_pattern_file_free(f);

	f = parse_ok(HAP_PATTERN_MAP, "");
	assert_int_equal(hap_pattern_file_count(f), 0);
	hap_pattern_file_free(f);
	f = parse_ok(HAP_PATTERN_MAP, "\n\n# only comments\n");
	assert_int_equal(hap_pattern_file_count(f), 0);
	hap_pattern_file_free(f);
}

static void test_file_invalid(void **state)
{
	struct hap_pattern_file *f = (struct hap_pattern_file *)1;
	struct hap_error err = { 0, "" };
	char *big;
	static const char nul[] = "ok\nbad\0byte\n";

	(void)state;
	assert_int_equal(hap_pattern_file_parse(&f, HAP_PATTERN_ACL, nul, sizeof(nul) - 1, &err),
	                 HAP_EINVAL);
	assert_null(f);
	assert_string_equal(err.msg, "line 2: NUL byte");
	assert_int_equal(hap_pattern_file_parse(&f, HAP_PATTERN_MAP, "a b\nc\rd e\n", 10, &err),
	                 HAP_EINVAL);
	assert_string_equal(err.msg, "line 2: carriage return inside the line");
	big = malloc(9000);
	assert_non_null(big);
	memset(big, 'x', 8999);
	big[0] = '\n';
	big[8998] = '\n';
	assert_int_equal(hap_pattern_file_parse(&f, HAP_PATTERN_ACL, big, 8999, &err), HAP_EINVAL);
	assert_string_equal(err.msg, "line 2: longer than 8000 bytes");
	/* exactly 8000 bytes is fine */
	assert_int_equal(hap_pattern_file_parse(&f, HAP_PATTERN_ACL, big + 998, 8000, &err), 0);
	assert_int_equal(hap_pattern_file_count(f), 1);
	assert_int_equal(strlen(hap_pattern_file_entry(f, 0)), 8000);
	hap_pattern_file_free(f);
	free(big);
	assert_int_equal(hap_pattern_file_read(&f, HAP_PATTERN_ACL, "/no/such/file", &err),
	                 HAP_ENOENT);
	assert_non_null(strstr(err.msg, "/no/such/file"));
	/* the library itself refuses what is not a regular file, without
	 * waiting on it: a FIFO with no writer, a directory, a device */
	{
		char fifo[] = "/tmp/hap-ut-fifo.XXXXXX";
		int fd = mkstemp(fifo);

		assert_true(fd >= 0);
		close(fd);
		unlink(fifo);
		assert_int_equal(mkfifo(fifo, 0600), 0);
		assert_int_equal(hap_pattern_file_read(&f, HAP_PATTERN_MAP, fifo, &err),
		                 HAP_EINVAL);
		assert_non_null(strstr(err.msg, "not a regular file"));
		assert_null(f);
		unlink(fifo);
	}
	assert_int_equal(hap_pattern_file_read(&f, HAP_PATTERN_ACL, "/tmp", &err), HAP_EINVAL);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_int_equal(hap_pattern_file_read(&f, HAP_PATTERN_ACL, "/dev/zero", &err), HAP_EINVAL);
}

/* ------------------------------------------------------------------ chunks */

/* Entries of random lengths; each chunk fits, every entry once, in order. */
static void check_chunks(enum hap_pattern_kind kind, size_t budget, size_t overhead)
{
	struct hap_pattern_file *f;
	char *text = malloc(2000000), *p = text;
	size_t i, start, next = 0, nchunks = 0, seen = 0, len;
	unsigned seed = 12345;

	assert_non_null(text);
	for (i = 0; i < 20000; i++) {
		size_t n = 1 + (seed = seed * 1103515245u + 12345u) % 60, k;

		p += snprintf(p, 64, "e%zu-", i);
		for (k = 0; k < n; k++)
			*p++ = "ab;\\ c"[(seed >> (k % 16)) % 6];
		if (kind == HAP_PATTERN_MAP)
			*p++ = 'v';
		*p++ = '\n';
	}
	len = (size_t)(p - text);
	assert_int_equal(hap_pattern_file_parse(&f, kind, text, len, NULL), 0);
	for (start = 0; start < hap_pattern_file_count(f); start = next) {
		size_t used = 0;

		next = hap_pat_chunk_end(f, start, budget, overhead);
		assert_true(next > start);
		for (i = start; i < next; i++) {
			const char *e = hap_pattern_file_entry(f, i);
			size_t el = strlen(e), esc = el, k;
			char want[32];

			/* every entry exactly once, in the file's order */
			snprintf(want, sizeof(want), "e%zu-", seen++);
			assert_memory_equal(e, want, strlen(want));
			if (kind == HAP_PATTERN_ACL)
				for (k = 0; k < el; k++)
					esc += e[k] == ';' || e[k] == '\\' || e[k] == ' ';
			used += overhead + esc + 1;
		}
		assert_true(used <= budget);
		/* greedy: the next entry would not have fitted */
		if (next < hap_pattern_file_count(f))
			assert_int_equal(hap_pat_chunk_end(f, start, used, overhead), next);
		nchunks++;
	}
	assert_int_equal(seen, 20000);
	assert_true(nchunks > 1);
	hap_pattern_file_free(f);
	free(text);
}

static void test_chunk_map(void **state)
{
	(void)state;
	check_chunks(HAP_PATTERN_MAP, 14900, 0);
	check_chunks(HAP_PATTERN_MAP, 200, 0);
}

static void test_chunk_acl(void **state)
{
	(void)state;
	check_chunks(HAP_PATTERN_ACL, 14988, 60);
	check_chunks(HAP_PATTERN_ACL, 300, 60);
}

static void test_chunk_too_big(void **state)
{
	struct hap_pattern_file *f = parse_ok(HAP_PATTERN_MAP, "k v\nkey value-that-is-long\n");

	(void)state;
	assert_int_equal(hap_pat_chunk_end(f, 0, 4, 0), 1);
	assert_int_equal(hap_pat_chunk_end(f, 1, 10, 0), 1); /* does not fit: start */
	assert_int_equal(hap_pat_chunk_end(f, 0, 1000, 0), 2);
	assert_int_equal(hap_pat_chunk_end(f, 2, 1000, 0), 2); /* at the end */
	hap_pattern_file_free(f);
}

/* ------------------------------------------------------------------ batch replies */

static void test_stream_check(void **state)
{
	char msg[200];
	size_t failed;
	const char *r;

	(void)state;
	/* prompt mode: "prompt" then 3 silent successes */
	r = "\n> \n> \n> \n> ";
	assert_int_equal(hap_pat_stream_check(r, strlen(r), 1, 3, &failed, msg, sizeof(msg)), 0);
	assert_int_equal(failed, 3);
	/* the second command refused */
	r = "\n> \n> 'bad' is not a valid IPv4 or IPv6 address.\n\n> \n> ";
	assert_int_equal(hap_pat_stream_check(r, strlen(r), 1, 3, &failed, msg, sizeof(msg)),
	                 HAP_EREFUSED);
	assert_int_equal(failed, 1);
	assert_string_equal(msg, "'bad' is not a valid IPv4 or IPv6 address.");
	/* a one-newline error */
	r = "\n> Permission denied\n> ";
	assert_int_equal(hap_pat_stream_check(r, strlen(r), 1, 1, &failed, msg, sizeof(msg)),
	                 HAP_EREFUSED);
	assert_int_equal(failed, 0);
	assert_string_equal(msg, "Permission denied");
	/* cut short: the connection closed */
	r = "\n> \n> ";
	assert_int_equal(hap_pat_stream_check(r, strlen(r), 1, 3, &failed, msg, sizeof(msg)),
	                 HAP_EREFUSED);
	assert_int_equal(failed, 1);
	assert_string_equal(msg, "");
	/* nothing at all */
	assert_int_equal(hap_pat_stream_check("", 0, 1, 2, &failed, msg, sizeof(msg)),
	                 HAP_EREFUSED);
	assert_int_equal(failed, 0);
	/* extra bytes after the last answer */
	r = "\n> \n> surprise\n\n";
	assert_int_equal(hap_pat_stream_check(r, strlen(r), 1, 1, &failed, msg, sizeof(msg)),
	                 HAP_EREFUSED);
	assert_int_equal(failed, 1);
	assert_string_equal(msg, "surprise");
	/* without prompt (behind a master): "\n" per command */
	assert_int_equal(hap_pat_stream_check("\n\n\n", 3, 0, 3, &failed, msg, sizeof(msg)), 0);
	r = "\n\nVersion number in the future, please use 'prepare acl' before.\n\n";
	assert_int_equal(hap_pat_stream_check(r, strlen(r), 0, 3, &failed, msg, sizeof(msg)),
	                 HAP_EREFUSED);
	assert_int_equal(failed, 2);
	assert_string_equal(msg, "Version number in the future, please use 'prepare acl' before.");
	/* no commands: only the prompt */
	assert_int_equal(hap_pat_stream_check("\n> ", 3, 1, 0, &failed, msg, sizeof(msg)), 0);
	/* a long message is cut to the buffer */
	r = "\n> 0123456789\n\n> ";
	assert_int_equal(hap_pat_stream_check(r, strlen(r), 1, 1, &failed, msg, 5), HAP_EREFUSED);
	assert_string_equal(msg, "0123");
}

/* ------------------------------------------------------------------ validation */

static int check(enum hap_pattern_kind kind, enum hap_pattern_verb verb, const char *id,
                 const char *key, const char *value)
{
	struct hap_pattern_op op = { kind, verb, id, key, value };
	struct hap_error err = { 0, "" };
	int ret = hap_pattern_op_check(&op, &err);

	if (ret)
		assert_true(err.msg[0] != '\0');
	return ret;
}

static void test_op_check(void **state)
{
	const enum hap_pattern_kind A = HAP_PATTERN_ACL, M = HAP_PATTERN_MAP;

	(void)state;
	assert_int_equal(check(A, HAP_PATTERN_SHOW, "#0", NULL, NULL), 0);
	assert_int_equal(check(M, HAP_PATTERN_GET, "/m", "k", NULL), 0);
	assert_int_equal(check(A, HAP_PATTERN_ADD, "/a", "10.0.0.1", NULL), 0);
	assert_int_equal(check(M, HAP_PATTERN_ADD, "/m", "k;e\\y with blanks", "v;a l"), 0);
	assert_int_equal(check(M, HAP_PATTERN_SET, "/m", "k", "v"), 0);
	assert_int_equal(check(M, HAP_PATTERN_SET, "/m", "#0x55c283cd1dd0", "v"), 0);
	assert_int_equal(check(A, HAP_PATTERN_DEL, "/a", "#0x55c283cb0e90", NULL), 0);
	assert_int_equal(check(A, HAP_PATTERN_DEL, "/a", "0x55c283cb0e90", NULL), 0);
	assert_int_equal(check(A, HAP_PATTERN_CLEAR, "/a", NULL, NULL), 0);
	/* an add or a get may carry a literal '#' */
	assert_int_equal(check(A, HAP_PATTERN_ADD, "/a", "#not-a-ref", NULL), 0);

	assert_int_equal(check(A, HAP_PATTERN_SHOW, NULL, NULL, NULL), HAP_EINVAL);
	assert_int_equal(check(A, HAP_PATTERN_SHOW, "", NULL, NULL), HAP_EINVAL);
	assert_int_equal(check(A, HAP_PATTERN_SHOW, "/a\n", NULL, NULL), HAP_EINVAL);
	assert_int_equal(check(A, HAP_PATTERN_SHOW, "/a", "k", NULL), HAP_EINVAL);
	assert_int_equal(check(A, HAP_PATTERN_GET, "/a", NULL, NULL), HAP_EINVAL);
	assert_int_equal(check(A, HAP_PATTERN_ADD, "/a", "1.2.3.4", "v"), HAP_EINVAL);
	assert_int_equal(check(A, HAP_PATTERN_ADD, "/a", "", NULL), HAP_EINVAL);
	assert_int_equal(check(A, HAP_PATTERN_ADD, "/a", "1.2.3.4\nshow info", NULL), HAP_EINVAL);
	assert_int_equal(check(A, HAP_PATTERN_ADD, "/a", "x\r", NULL), HAP_EINVAL);
	assert_int_equal(check(M, HAP_PATTERN_ADD, "/m", "k", NULL), HAP_EINVAL);
	assert_int_equal(check(M, HAP_PATTERN_ADD, "/m", "k", "v\n"), HAP_EINVAL);
	assert_int_equal(check(A, HAP_PATTERN_SET, "/a", "k", "v"), HAP_EINVAL);
	assert_int_equal(check(M, HAP_PATTERN_SET, "/m", "k", NULL), HAP_EINVAL);
	assert_int_equal(check(M, HAP_PATTERN_DEL, "/m", NULL, NULL), HAP_EINVAL);
	assert_int_equal(check(M, HAP_PATTERN_DEL, "/m", "#abc", NULL), HAP_EINVAL);
	assert_int_equal(check(M, HAP_PATTERN_DEL, "/m", "#0x", NULL), HAP_EINVAL);
	assert_int_equal(check(M, HAP_PATTERN_SET, "/m", "#0xzz", "v"), HAP_EINVAL);
	assert_int_equal(check(M, HAP_PATTERN_CLEAR, "/m", "k", NULL), HAP_EINVAL);
	assert_int_equal(check(M, (enum hap_pattern_verb)42, "/m", NULL, NULL), HAP_EINVAL);
	assert_int_equal(check((enum hap_pattern_kind)7, HAP_PATTERN_SHOW, "/m", NULL, NULL),
	                 HAP_EINVAL);
}

/* ------------------------------------------------------------------ replies */

struct rcase {
	const struct hap_reply_table *t;
	const char *fixture; /* tests/data/2.6/<fixture>.txt, or NULL */
	const char *text;    /* without the final newlines; NULL: fixture only */
	enum hap_verdict want;
};

static const struct rcase cases[] = {
	/* add acl */
	{ &hap_op_add_acl, "add-acl.ok", "", HAP_V_APPLIED },
	{ &hap_op_add_acl, "add-acl.duplicate", "", HAP_V_APPLIED },
	{ &hap_op_add_acl, "add-acl.by-id", "", HAP_V_APPLIED },
	{ &hap_op_add_acl, "add-acl.user", "", HAP_V_APPLIED },
	{ &hap_op_add_acl, "add-acl.bad-ip", "'not-an-ip' is not a valid IPv4 or IPv6 address.",
	  HAP_V_REFUSED },
	{ &hap_op_add_acl, "add-acl.missing",
	  "'add acl' expects two parameters: ACL identifier and pattern.", HAP_V_REFUSED },
	{ &hap_op_add_acl, "add-acl.unknown", "Unknown ACL identifier. Please use #<id> or <file>.",
	  HAP_V_NOTFOUND },
	{ &hap_op_add_acl, NULL,
	  "This ACL is shared with a map containing samples. You must use the command 'add map' "
	  "to add values.",
	  HAP_V_REFUSED },
	{ &hap_op_add_acl, NULL, "Version number in the future, please use 'prepare acl' before.",
	  HAP_V_REFUSED },
	{ &hap_op_add_acl, NULL, "Permission denied", HAP_V_DENIED },
	/* add map */
	{ &hap_op_add_map, "add-map.ok", "", HAP_V_APPLIED },
	{ &hap_op_add_map, "add-map.duplicate", "", HAP_V_APPLIED },
	{ &hap_op_add_map, "add-map.user", "", HAP_V_APPLIED },
	{ &hap_op_add_map, "add-map.missing",
	  "'add map' expects three parameters (map identifier, key and value) or one parameter "
	  "(map identifier) and a payload",
	  HAP_V_REFUSED },
	{ &hap_op_add_map, "add-map.unknown", "Unknown map identifier. Please use #<id> or <file>.",
	  HAP_V_NOTFOUND },
	{ &hap_op_add_map, NULL, "Missing value for key 'novalue'.", HAP_V_REFUSED },
	{ &hap_op_add_map, NULL, "Version number in the future, please use 'prepare map' before.",
	  HAP_V_REFUSED },
	/* set map */
	{ &hap_op_set_map, "set-map.ok", "", HAP_V_APPLIED },
	{ &hap_op_set_map, "set-map.not-found", "entry not found.", HAP_V_REFUSED },
	{ &hap_op_set_map, "set-map.missing",
	  "'set map' expects three parameters: map identifier, key and value.", HAP_V_REFUSED },
	{ &hap_op_set_map, "set-map.unknown", "Unknown map identifier. Please use #<id> or <file>.",
	  HAP_V_NOTFOUND },
	/* del acl / map */
	{ &hap_op_del_acl, "del-acl.ok", "", HAP_V_APPLIED },
	{ &hap_op_del_acl, "del-acl.ref", "", HAP_V_APPLIED },
	{ &hap_op_del_acl, "del-acl.user", "", HAP_V_APPLIED },
	{ &hap_op_del_acl, "del-acl.not-found", "Key not found.", HAP_V_REFUSED },
	{ &hap_op_del_acl, "del-acl.bad-ref", "Key not found.", HAP_V_REFUSED },
	{ &hap_op_del_acl, "del-acl.ref-without-hash", "Key not found.", HAP_V_REFUSED },
	{ &hap_op_del_acl, "del-acl.missing",
	  "This command expects two parameters: ACL identifier and key.", HAP_V_REFUSED },
	/* "del acl" on an unknown ACL says "map" */
	{ &hap_op_del_acl, "del-acl.unknown", "Unknown map identifier. Please use #<id> or <file>.",
	  HAP_V_NOTFOUND },
	{ &hap_op_del_map, "del-map.ok", "", HAP_V_APPLIED },
	{ &hap_op_del_map, "del-map.not-found", "Key not found.", HAP_V_REFUSED },
	{ &hap_op_del_map, "del-map.missing",
	  "This command expects two parameters: map identifier and key.", HAP_V_REFUSED },
	/* clear */
	{ &hap_op_clear_acl, "clear-acl.ok", "", HAP_V_APPLIED },
	{ &hap_op_clear_acl, "clear-acl.missing", "Missing ACL identifier.", HAP_V_REFUSED },
	{ &hap_op_clear_acl, "clear-acl.unknown",
	  "Unknown ACL identifier. Please use #<id> or <file>.", HAP_V_NOTFOUND },
	{ &hap_op_clear_map, "clear-map.ok", "", HAP_V_APPLIED },
	{ &hap_op_clear_map, "clear-map.missing", "Missing map identifier.", HAP_V_REFUSED },
	{ &hap_op_clear_map, "clear-map.unknown",
	  "Unknown map identifier. Please use #<id> or <file>.", HAP_V_NOTFOUND },
	/* get */
	{ &hap_op_get_acl, "get-acl.hit",
	  "type=ip, case=sensitive, match=yes, idx=tree, pattern=\"127.0.0.1\"", HAP_V_APPLIED },
	{ &hap_op_get_acl, "get-acl.hit-subnet", NULL, HAP_V_APPLIED },
	{ &hap_op_get_acl, "get-acl.miss", "type=ip, case=sensitive, match=no", HAP_V_APPLIED },
	{ &hap_op_get_acl, "get-acl.missing-key", "Missing ACL identifier and/or key.",
	  HAP_V_REFUSED },
	{ &hap_op_get_acl, "get-acl.unknown", "Unknown ACL identifier. Please use #<id> or <file>.",
	  HAP_V_NOTFOUND },
	{ &hap_op_get_map, "get-map.hit", NULL, HAP_V_APPLIED },
	{ &hap_op_get_map, "get-map.after-set", NULL, HAP_V_APPLIED },
	{ &hap_op_get_map, "get-map.miss", "type=str, case=sensitive, found=no", HAP_V_APPLIED },
	{ &hap_op_get_map, "get-map.missing-key", "Missing map identifier and/or key.",
	  HAP_V_REFUSED },
	{ &hap_op_get_map, "get-map.unknown", "Unknown map identifier. Please use #<id> or <file>.",
	  HAP_V_NOTFOUND },
	/* show FILE */
	{ &hap_op_show_acl, "show-acl-file", "0x55cd560e6180 127.0.0.1", HAP_V_APPLIED },
	{ &hap_op_show_acl, "show-acl-file.empty", "", HAP_V_APPLIED },
	{ &hap_op_show_acl, "show-acl.unknown-file",
	  "Unknown ACL identifier. Please use #<id> or <file>.", HAP_V_NOTFOUND },
	{ &hap_op_show_map, "show-map-file", NULL, HAP_V_APPLIED },
	{ &hap_op_show_map, "show-map-file.empty", "", HAP_V_APPLIED },
	{ &hap_op_show_map, "show-map.unknown-id",
	  "Unknown map identifier. Please use #<id> or <file>.", HAP_V_NOTFOUND },
	/* prepare / commit (2.6.12's texts; no capture) */
	{ &hap_op_prepare_map, NULL, "New version created: 1", HAP_V_APPLIED },
	{ &hap_op_prepare_acl, NULL, "New version created: 4294967295", HAP_V_APPLIED },
	{ &hap_op_prepare_map, NULL, "Unknown map identifier. Please use #<id> or <file>.",
	  HAP_V_NOTFOUND },
	{ &hap_op_prepare_acl, NULL, "Unknown ACL identifier. Please use #<id> or <file>.",
	  HAP_V_NOTFOUND },
	{ &hap_op_prepare_map, NULL, "", HAP_V_REFUSED },
	{ &hap_op_commit_map, NULL, "", HAP_V_APPLIED },
	{ &hap_op_commit_acl, NULL, "", HAP_V_APPLIED },
	{ &hap_op_commit_map, NULL, "Version number out of range.", HAP_V_REFUSED },
	{ &hap_op_commit_map, NULL, "Missing version number.", HAP_V_REFUSED },
	{ &hap_op_commit_acl, NULL, "Unknown ACL identifier. Please use #<id> or <file>.",
	  HAP_V_NOTFOUND },
	/* anything unknown is a refusal, never a success */
	{ &hap_op_add_map, NULL, "Something new in HAProxy 3.x", HAP_V_REFUSED },
	{ &hap_op_commit_map, NULL, "New version created: 2", HAP_V_REFUSED },
};

/* Judge text framed as HAProxy frames it, in a buffer of exactly its length. */
static void judge_framed(const struct rcase *c, const char *text, size_t n)
{
	static const char *const ends[] = { "", "\n", "\n\n", "\r\n" };
	size_t k;

	for (k = 0; k < 4; k++) {
		size_t el = strlen(ends[k]);
		char *b = malloc(n + el ? n + el : 1);

		assert_non_null(b);
		memcpy(b, text, n);
		memcpy(b + n, ends[k], el);
		if (n + el == 0) {
			/* no byte at all: never a success */
			if (hap_reply_judge(c->t, b, 0) != HAP_V_UNKNOWN)
				fail_msg("%s: an empty reply is not unknown", c->t->op);
			free(b);
			continue;
		}
		if (hap_reply_judge(c->t, b, n + el) != c->want)
			fail_msg("%s: '%.*s' + %zu bytes: got %d, want %d", c->t->op, (int)n, text,
			         el, hap_reply_judge(c->t, b, n + el), c->want);
		free(b);
	}
}

static void test_replies(void **state)
{
	size_t i, from_fixture = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *c = &cases[i];
		size_t len = 0;
		char *fx = NULL;
		char name[128];

		if (c->fixture) {
			snprintf(name, sizeof(name), "%s.txt", c->fixture);
			fx = load(name, &len);
		}
		if (fx) {
			char *b = malloc(len ? len : 1);

			/* the recorded bytes as they are, then re-framed */
			memcpy(b, fx, len);
			if (hap_reply_judge(c->t, b, len) != c->want)
				fail_msg("%s: fixture %s: got %d, want %d", c->t->op, c->fixture,
				         hap_reply_judge(c->t, b, len), c->want);
			free(b);
			while (len && (fx[len - 1] == '\n' || fx[len - 1] == '\r'))
				len--;
			judge_framed(c, fx, len);
			if (c->text && strncmp(fx, c->text, strlen(c->text)) != 0)
				fail_msg("fixture %s does not start with the literal '%s'",
				         c->fixture, c->text);
			from_fixture++;
			free(fx);
		} else if (c->text) {
			judge_framed(c, c->text, strlen(c->text));
		}
	}
	/* the captures are there (a missing fixture directory would test nothing) */
	assert_true(from_fixture >= 40);
	/* every acl/map command is allowed at level user in 2.6 */
	assert_int_equal(hap_op_add_acl.level, HAP_LEVEL_USER);
	assert_int_equal(hap_op_prepare_map.level, HAP_LEVEL_USER);
	assert_int_equal(hap_op_commit_acl.level, HAP_LEVEL_USER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_maps),
		cmocka_unit_test(test_merge_acls),
		cmocka_unit_test(test_resolve_file),
		cmocka_unit_test(test_resolve_number_same_file),
		cmocka_unit_test(test_resolve_number_mixed),
		cmocka_unit_test(test_resolve_number_two_files),
		cmocka_unit_test(test_resolve_file_named_number),
		cmocka_unit_test(test_file_acl),
		cmocka_unit_test(test_file_map),
		cmocka_unit_test(test_file_invalid),
		cmocka_unit_test(test_chunk_map),
		cmocka_unit_test(test_chunk_acl),
		cmocka_unit_test(test_chunk_too_big),
		cmocka_unit_test(test_stream_check),
		cmocka_unit_test(test_op_check),
		cmocka_unit_test(test_replies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
