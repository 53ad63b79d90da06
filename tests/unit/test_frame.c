/*
 * test_frame.c - proto/frame.c: one instance's snapshot reply, assembled
 * from replies captured from HAProxy 2.6.12 (tests/data/2.6/), cut back
 * into its commands' replies; every prefix of it, in a buffer of exactly
 * its size, is framed without reading past its end.
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
#include "proto/frame.h"
#include "util/buf.h"

#ifndef HAP_TEST_DATA
#define HAP_TEST_DATA "tests/data"
#endif

/* Append fixture tests/data/2.6/<name>.txt to b; its length. */
static size_t add_fixture(struct hap_buf *b, const char *name)
{
	char path[512], chunk[4096];
	size_t n, total = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/2.6/%s.txt", HAP_TEST_DATA, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		assert_int_equal(hap_buf_add(b, chunk, n), 0);
		total += n;
	}
	fclose(f);
	return total;
}

static int view_is(struct hap_view v, const char *p, size_t n)
{
	return v.n == n && (n == 0 || memcmp(v.p, p, n) == 0);
}

static void test_frame_whole_reply(void **state)
{
	struct hap_buf b;
	struct hap_frame fr;
	size_t lv, in, acl, map;

	(void)state;
	hap_buf_init(&b, 0);
	lv = add_fixture(&b, "show-cli-level.admin");
	in = add_fixture(&b, "show-info.inst1");
	acl = add_fixture(&b, "show-acl.inst1");
	map = add_fixture(&b, "show-map.inst1");
	add_fixture(&b, "show-stat.inst1");
	hap_frame_snapshot(&fr, b.ptr, b.len, HAP_SNAP_ACLS | HAP_SNAP_MAPS | HAP_SNAP_ALL);
	assert_int_equal(fr.status, HAP_FRAME_OK);
	assert_int_equal(fr.level, HAP_LEVEL_ADMIN);
	assert_true(view_is(fr.info, b.ptr + lv, in));
	assert_true(fr.has_pat[0] && fr.has_pat[1]);
	/* each listing without its blank line */
	assert_true(view_is(fr.pat[0], b.ptr + lv + in, acl - 1));
	assert_true(view_is(fr.pat[1], b.ptr + lv + in + acl, map - 1));
	assert_int_equal(fr.rest, lv + in + acl + map);
	assert_int_equal(memcmp(b.ptr + fr.rest, "# pxname,", 9), 0);

	/* without the listings asked for, the rows follow show info */
	hap_frame_snapshot(&fr, b.ptr, lv + in, HAP_SNAP_ALL);
	assert_int_equal(fr.status, HAP_FRAME_OK);
	assert_false(fr.has_pat[0] || fr.has_pat[1]);
	assert_int_equal(fr.rest, lv + in);
	hap_buf_release(&b);
}

static void test_frame_levels(void **state)
{
	static const char *const names[] = { "show-cli-level.user", "show-cli-level.operator",
		                             "show-cli-level.admin" };
	static const int levels[] = { HAP_LEVEL_USER, HAP_LEVEL_OPERATOR, HAP_LEVEL_ADMIN };
	struct hap_frame fr;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct hap_buf b;
		size_t lv;

		hap_buf_init(&b, 0);
		lv = add_fixture(&b, names[i]);
		add_fixture(&b, "show-info.inst2");
		hap_frame_snapshot(&fr, b.ptr, b.len, 0);
		assert_int_equal(fr.status, HAP_FRAME_OK);
		assert_int_equal(fr.level, levels[i]);
		assert_int_equal(fr.info.p - b.ptr, (ptrdiff_t)lv);
		hap_buf_release(&b);
	}
	/* an HAProxy without "show cli level": the info starts at once */
	hap_frame_snapshot(&fr, "Name: HAProxy\n\n", 15, 0);
	assert_int_equal(fr.level, HAP_LEVEL_UNKNOWN);
	assert_int_equal(fr.info.n, 15);
}

static void test_frame_broken(void **state)
{
	static const char routed[] = HAP_MASTER_NO_TARGET "\n\n";
	struct hap_frame fr;

	(void)state;
	hap_frame_snapshot(&fr, "", 0, HAP_SNAP_ALL);
	assert_int_equal(fr.status, HAP_FRAME_EMPTY);
	hap_frame_snapshot(&fr, "admin\n\nName: HAProxy\n", 21, HAP_SNAP_ALL);
	assert_int_equal(fr.status, HAP_FRAME_CUT);
	hap_frame_snapshot(&fr, routed, sizeof(routed) - 1, HAP_SNAP_ALL);
	assert_int_equal(fr.status, HAP_FRAME_ROUTING);
	assert_true(view_is(fr.first_line, HAP_MASTER_NO_TARGET, strlen(HAP_MASTER_NO_TARGET)));
	/* empty listings: a lone "\n" each */
	hap_frame_snapshot(&fr, "user\n\nName: x\n\n\n\n# pxname\n\n", 27,
	                   HAP_SNAP_ACLS | HAP_SNAP_MAPS | HAP_SNAP_ALL);
	assert_int_equal(fr.status, HAP_FRAME_OK);
	assert_int_equal(fr.pat[0].n, 0);
	assert_int_equal(fr.pat[1].n, 0);
	assert_int_equal(fr.rest, 17);
}

/* Every prefix, each in a buffer of exactly its size: views stay inside. */
static void test_frame_prefixes(void **state)
{
	struct hap_buf b;
	size_t n;

	(void)state;
	hap_buf_init(&b, 0);
	add_fixture(&b, "show-cli-level.operator");
	add_fixture(&b, "show-info.inst3");
	add_fixture(&b, "show-acl.inst3");
	add_fixture(&b, "show-map.inst3");
	add_fixture(&b, "show-stat.inst3");
	for (n = 0; n <= b.len; n++) {
		char *p = malloc(n ? n : 1);
		struct hap_frame fr;

		assert_non_null(p);
		memcpy(p, b.ptr, n);
		hap_frame_snapshot(&fr, p, n, HAP_SNAP_ACLS | HAP_SNAP_MAPS | HAP_SNAP_ALL);
		if (fr.status == HAP_FRAME_OK) {
			assert_true(fr.rest <= n);
			assert_true(fr.info.p >= p && fr.info.p + fr.info.n <= p + n);
			for (int k = 0; k < 2; k++)
				assert_true(
				        fr.pat[k].n == 0 ||
				        (fr.pat[k].p >= p && fr.pat[k].p + fr.pat[k].n <= p + n));
		}
		free(p);
	}
	hap_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_whole_reply),
		cmocka_unit_test(test_frame_levels),
		cmocka_unit_test(test_frame_broken),
		cmocka_unit_test(test_frame_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
