/*
 * test_snapshot.c - the snapshot's accumulator without sockets: snapshots
 * built from replies captured from HAProxy 2.6.12 (tests/data/2.6/, four
 * instances of the lab fleet), merged by name and aggregated by the rule
 * table, checked against the values in those files.
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
#include "model/snapshot.h"
#include "ops/ops.h"
#include "util/buf.h"

#ifndef HAP_TEST_DATA
#define HAP_TEST_DATA "tests/data"
#endif

#define NINST 4

static void add_fixture(struct hap_buf *b, const char *name)
{
	char path[512], chunk[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/2.6/%s.txt", HAP_TEST_DATA, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(hap_buf_add(b, chunk, n), 0);
	fclose(f);
}

/* A snapshot of n instances: instance i answered with inst[i]'s files
 * (show cli level, show info, show stat). */
static struct hap_snapshot *build(const int *inst, size_t n, const char *stat)
{
	static const char *const names[] = { "i1", "i2", "i3", "i4", "i5", "i6" };
	struct hap_buf b[6];
	const char *replies[6];
	size_t lens[6], i;
	struct hap_snapshot *s = NULL;
	struct hap_error err = { 0, "" };
	char name[64];

	for (i = 0; i < n; i++) {
		hap_buf_init(&b[i], 0);
		add_fixture(&b[i], "show-cli-level.admin");
		snprintf(name, sizeof(name), "show-info.inst%d", inst[i]);
		add_fixture(&b[i], name);
		snprintf(name, sizeof(name), "%s.inst%d", stat, inst[i]);
		add_fixture(&b[i], name);
		replies[i] = b[i].ptr;
		lens[i] = b[i].len;
	}
	assert_int_equal(hap_snapshot_from_replies(&s, names, replies, lens, n, HAP_SNAP_ALL, &err),
	                 0);
	for (i = 0; i < n; i++)
		hap_buf_release(&b[i]);
	return s;
}

static int64_t num(const struct hap_object *o, size_t k, const char *field)
{
	struct hap_value v;

	assert_int_equal(hap_object_value(&v, o, k, field), 0);
	assert_int_equal(v.kind, HAP_VALUE_NUMBER);
	return v.num;
}

static void text_is(const struct hap_object *o, size_t k, const char *field, const char *want)
{
	struct hap_value v;

	assert_int_equal(hap_object_value(&v, o, k, field), 0);
	assert_int_equal(v.kind, HAP_VALUE_TEXT);
	assert_int_equal(v.len, strlen(want));
	assert_memory_equal(v.text, want, v.len);
}

static void test_snapshot_merge_by_name(void **state)
{
	static const int four[NINST] = { 1, 2, 3, 4 };
	struct hap_snapshot *s = build(four, NINST, "show-stat");
	const struct hap_object *o;
	size_t k;

	(void)state;
	assert_int_equal(hap_snapshot_instance_count(s), NINST);
	assert_int_equal(hap_snapshot_live_count(s), NINST);
	for (k = 0; k < NINST; k++) {
		assert_int_equal(hap_result_code(hap_snapshot_result(s), k), 0);
		assert_int_equal(hap_instance_level(s, k), HAP_LEVEL_ADMIN);
	}
	/* on every instance: one object, four rows */
	o = hap_snapshot_find(s, HAP_OBJ_FRONTEND, NULL, "frontend_all");
	assert_non_null(o);
	assert_int_equal(hap_object_instance_count(o), NINST);
	o = hap_snapshot_find(s, HAP_OBJ_SERVER, "backend_all", "bck_all_srv1");
	assert_non_null(o);
	assert_int_equal(hap_object_instance_count(o), NINST);
	/* on two: rows of instances 3 and 4 only */
	o = hap_snapshot_find(s, HAP_OBJ_SERVER, "backend1_proc34", "bck1_proc34_srv1");
	assert_non_null(o);
	assert_int_equal(hap_object_instance_count(o), 2);
	assert_int_equal(hap_object_instance(o, 0), 2);
	assert_int_equal(hap_object_instance(o, 1), 3);
	/* on one */
	o = hap_snapshot_find(s, HAP_OBJ_SERVER, "backend_proc2", "member3_proc2");
	assert_non_null(o);
	assert_int_equal(hap_object_instance_count(o), 1);
	text_is(o, 0, "status", "DOWN");
	assert_null(hap_snapshot_find(s, HAP_OBJ_SERVER, "backend_proc2", "member1_proc1"));
	hap_snapshot_free(s);
}

static void test_snapshot_aggregate(void **state)
{
	static const int four[NINST] = { 1, 2, 3, 4 };
	struct hap_snapshot *s = build(four, NINST, "show-stat");
	const struct hap_object *o;
	struct hap_value v;
	size_t k;
	int64_t sum = 0;

	(void)state;
	o = hap_snapshot_find(s, HAP_OBJ_FRONTEND, NULL, "frontend_all");
	/* stot: a counter, summed (4 + 3 + 3 + 3) */
	for (k = 0; k < NINST; k++)
		sum += num(o, k, "stot");
	assert_int_equal(sum, 13);
	assert_int_equal(num(o, HAP_AGGREGATE, "stot"), 13);
	/* status: the same text everywhere */
	text_is(o, HAP_AGGREGATE, "status", "OPEN");
	o = hap_snapshot_find(s, HAP_OBJ_SERVER, "backend_all", "bck_all_srv1");
	/* smax: a maximum, not a sum */
	assert_int_equal(num(o, HAP_AGGREGATE, "smax"), 1);
	assert_int_equal(num(o, HAP_AGGREGATE, "stot"), 12);
	/* a field no instance has */
	assert_int_equal(hap_object_value(&v, o, HAP_AGGREGATE, "no-such-field"), HAP_ENOTFOUND);
	/* show info: Maxconn summed over the fleet, Pid differs */
	assert_int_equal(hap_snapshot_info(&v, s, HAP_AGGREGATE, "Maxconn"), 0);
	assert_int_equal(v.kind, HAP_VALUE_NUMBER);
	assert_int_equal(v.num, 4 * 4000);
	assert_int_equal(hap_snapshot_info(&v, s, HAP_AGGREGATE, "Pid"), 0);
	assert_int_equal(v.kind, HAP_VALUE_DISAGREE);
	assert_int_equal(hap_snapshot_info(&v, s, 0, "Pid"), 0);
	assert_int_equal(v.kind, HAP_VALUE_NUMBER);
	assert_int_equal(v.num, 19530);
	hap_snapshot_free(s);
}

/* Many sockets, several processes each reached more than once, in any
 * order: each later socket of a process is the duplicate of its first. */
static void test_snapshot_duplicates_many(void **state)
{
	static const int socks[6] = { 3, 1, 3, 2, 1, 3 }; /* build() takes 6 at most */
	static const size_t first[6] = { 0, 1, 0, 3, 1, 0 };
	struct hap_snapshot *s = build(socks, 6, "show-stat");
	size_t i;

	(void)state;
	for (i = 0; i < 6; i++) {
		if (first[i] == i) {
			assert_false(hap_instance_flags(s, i) & HAP_INST_DUPLICATE);
		} else {
			assert_true(hap_instance_flags(s, i) & HAP_INST_DUPLICATE);
			assert_int_equal(hap_instance_duplicate_of(s, i), first[i]);
		}
	}
	assert_int_equal(hap_snapshot_live_count(s), 3);
	hap_snapshot_free(s);
}

/* Two sockets of one process count once: the second is a duplicate, left
 * out of every aggregate. */
static void test_snapshot_duplicate(void **state)
{
	static const int dup[3] = { 1, 2, 1 };
	struct hap_snapshot *s = build(dup, 3, "show-stat");
	const struct hap_object *o;
	struct hap_value v;

	(void)state;
	assert_true(hap_instance_flags(s, 2) & HAP_INST_DUPLICATE);
	assert_int_equal(hap_instance_duplicate_of(s, 2), 0);
	assert_int_equal(hap_snapshot_live_count(s), 2);
	o = hap_snapshot_find(s, HAP_OBJ_FRONTEND, NULL, "frontend_all");
	assert_int_equal(hap_object_instance_count(o), 2);
	assert_int_equal(num(o, HAP_AGGREGATE, "stot"), 7);
	assert_int_equal(hap_snapshot_info(&v, s, HAP_AGGREGATE, "Maxconn"), 0);
	assert_int_equal(v.num, 2 * 4000);
	hap_snapshot_free(s);
}

/* "show info" texts as the key lists shared by the instances see them:
 * the same keys (one with CRLF line ends and an empty value), one key
 * more, a line without ": " among the same keys, a value holding ": ",
 * and a duplicate; whole and as small chunks, the same values. */
static void test_snapshot_info_keys(void **state)
{
	static const char *const names[] = { "a", "crlf", "more", "junk", "colon", "dup" };
	static const char *const infos[] = {
		"Name: HAProxy\nPid: 1\nStart_time_sec: 10\nnode: a\nMaxconn: 5\n\n",
		"Name: HAProxy\r\nPid: 2\r\nStart_time_sec: 10\r\nnode: \r\nMaxconn: 7\r\n\r\n",
		"Name: HAProxy\nPid: 3\nStart_time_sec: 10\nnode: c\nMaxconn: 11\nExtra: x\n\n",
		"Name: HAProxy\nPid: 4\nStart_time_sec: 10\njunk\nnode: d\nMaxconn: 13\n\n",
		"Name: HAProxy\nPid: 5\nDesc: a: b\nStart_time_sec: 10\nnode: e\nMaxconn: 17\n\n",
		"Name: HAProxy\nPid: 1\nStart_time_sec: 10\nnode: a\nMaxconn: 5\n\n",
	};
	static const char *const keys[] = { "Name",  "Pid", "Start_time_sec", "node", "Maxconn",
		                            "Extra", "Desc" };
	static const size_t chunks[] = { 0, 1, 7 };
	const char *stat = "# pxname,svname,type,status\nfe,FRONTEND,0,OPEN\n\n";
	struct hap_buf b[6];
	const char *replies[6];
	size_t lens[6], i, c;
	struct hap_error err = { 0, "" };
	struct hap_value v;

	(void)state;
	for (i = 0; i < 6; i++) {
		hap_buf_init(&b[i], 0);
		assert_int_equal(hap_buf_adds(&b[i], "admin\n\n"), 0);
		assert_int_equal(hap_buf_adds(&b[i], infos[i]), 0);
		assert_int_equal(hap_buf_adds(&b[i], stat), 0);
		replies[i] = b[i].ptr;
		lens[i] = b[i].len;
	}
	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		struct hap_snapshot *s = NULL;

		assert_int_equal(hap_snapshot_from_chunks(&s, names, replies, lens, 6, HAP_SNAP_ALL,
		                                          chunks[c], &err),
		                 0);
		assert_int_equal(hap_snapshot_info_count(s), 7);
		for (i = 0; i < 7; i++)
			assert_string_equal(hap_snapshot_info_key(s, i), keys[i]);
		assert_true(hap_instance_flags(s, 5) & HAP_INST_DUPLICATE);
		assert_int_equal(hap_instance_duplicate_of(s, 5), 0);
		assert_int_equal(hap_snapshot_live_count(s), 5);
		assert_int_equal(hap_snapshot_info(&v, s, HAP_AGGREGATE, "Maxconn"), 0);
		assert_int_equal(v.num, 5 + 7 + 11 + 13 + 17);
		for (i = 0; i < 5; i++) {
			assert_int_equal(hap_snapshot_info(&v, s, i, "Pid"), 0);
			assert_int_equal(v.kind, HAP_VALUE_NUMBER);
			assert_int_equal(v.num, (int64_t)i + 1);
		}
		assert_int_equal(hap_snapshot_info(&v, s, 1, "node"), 0);
		assert_int_equal(v.kind, HAP_VALUE_ABSENT);
		assert_int_equal(hap_snapshot_info(&v, s, 3, "node"), 0);
		assert_int_equal(v.len, 1);
		assert_memory_equal(v.text, "d", 1);
		assert_int_equal(hap_snapshot_info(&v, s, 4, "Desc"), 0);
		assert_int_equal(v.len, 4);
		assert_memory_equal(v.text, "a: b", 4);
		assert_int_equal(hap_snapshot_info(&v, s, 2, "Extra"), 0);
		assert_int_equal(v.len, 1);
		assert_int_equal(hap_snapshot_info(&v, s, 0, "Extra"), 0);
		assert_int_equal(v.kind, HAP_VALUE_ABSENT);
		assert_int_equal(hap_snapshot_info(&v, s, 0, "junk"), 0);
		assert_int_equal(v.kind, HAP_VALUE_ABSENT);
		assert_int_equal(hap_snapshot_count(s, HAP_OBJ_FRONTEND), 1);
		hap_snapshot_free(s);
	}
	for (i = 0; i < 6; i++)
		hap_buf_release(&b[i]);
}

/* A reply cut short fails its instance only. */
static void test_snapshot_cut_reply(void **state)
{
	static const char *const names[] = { "whole", "cut" };
	struct hap_buf b;
	const char *replies[2];
	size_t lens[2];
	struct hap_snapshot *s = NULL;
	struct hap_error err = { 0, "" };
	const char *msg = NULL;

	(void)state;
	hap_buf_init(&b, 0);
	add_fixture(&b, "show-cli-level.admin");
	add_fixture(&b, "show-info.inst1");
	add_fixture(&b, "show-stat.inst1");
	replies[0] = replies[1] = b.ptr;
	lens[0] = b.len;
	lens[1] = b.len - 1;
	assert_int_equal(hap_snapshot_from_replies(&s, names, replies, lens, 2, HAP_SNAP_ALL, &err),
	                 0);
	assert_int_equal(hap_result_code(hap_snapshot_result(s), 0), 0);
	assert_int_equal(hap_result_code(hap_snapshot_result(s), 1), HAP_EPROTO);
	msg = hap_result_message(hap_snapshot_result(s), 1);
	assert_non_null(strstr(msg, "cut short"));
	/* one entry per instance, tied to its index; an answer is SENT, never applied */
	assert_int_equal(hap_result_count(hap_snapshot_result(s)), 2);
	assert_int_equal(hap_result_instance_index(hap_snapshot_result(s), 1), 1);
	assert_string_equal(hap_result_instance(hap_snapshot_result(s), 1), "cut");
	assert_int_equal(hap_result_outcome(hap_snapshot_result(s), 0), HAP_OUT_SENT);
	assert_int_equal(hap_result_outcome(hap_snapshot_result(s), 1), HAP_OUT_ERROR);
	assert_string_equal(hap_result_message(hap_snapshot_result(s), 0), "");
	assert_int_equal(hap_snapshot_live_count(s), 1);
	hap_snapshot_free(s);
	hap_buf_release(&b);
}

/* A plan's object and instance, never a string to split; a replace's plan
 * is never applied as a plan. */
static void test_plan_object_ref(void **state)
{
	static const int two[2] = { 1, 2 };
	struct hap_error err = { 0, "" };
	struct hap_result *r = NULL;
	struct hap_plan *p = NULL;
	const char *be = NULL, *nm = NULL;

	(void)state;
	assert_int_equal(hap_plan_alloc(&p, NULL, HAP_KIND_SERVER, &err), 0);
	p->snap = build(two, 2, "show-stat");
	assert_int_equal(hap_plan_add(p, 1, "backend_all/bck_all_srv1",
	                              "set weight backend_all/bck_all_srv1 5", &hap_op_set_weight),
	                 0);
	assert_int_equal(hap_plan_object_ref(p, 0, &be, &nm), HAP_KIND_SERVER);
	assert_string_equal(be, "backend_all");
	assert_string_equal(nm, "bck_all_srv1");
	assert_string_equal(hap_plan_object(p, 0), "backend_all/bck_all_srv1");
	assert_int_equal(hap_plan_instance_index(p, 0), 1);
	assert_string_equal(hap_plan_instance(p, 0), "i2");
	assert_int_equal(hap_plan_object_ref(p, 0, NULL, NULL), HAP_KIND_SERVER);
	p->replace = 1;
	assert_int_equal(hap_plan_apply(&r, p, &err), HAP_EINVAL);
	assert_null(r);
	hap_plan_free(p);
	/* a process-wide plan: the kind says it, the name is the object */
	assert_int_equal(hap_plan_alloc(&p, NULL, HAP_KIND_GLOBAL, &err), 0);
	p->snap = build(two, 2, "show-stat");
	assert_int_equal(
	        hap_plan_add(p, 0, "global", "set maxconn global 10", &hap_op_set_maxconn_global),
	        0);
	assert_int_equal(hap_plan_object_ref(p, 0, &be, &nm), HAP_KIND_GLOBAL);
	assert_null(be);
	assert_string_equal(nm, "global");
	hap_plan_free(p);
}

/* Two snapshots hold the same instances, objects, rows and values. */
static void same_snapshot(const struct hap_snapshot *a, const struct hap_snapshot *b)
{
	size_t i, k, t, nf = hap_snapshot_field_count(a);
	struct hap_value *va, *vb;

	assert_int_equal(hap_snapshot_instance_count(a), hap_snapshot_instance_count(b));
	for (i = 0; i < hap_snapshot_instance_count(a); i++) {
		const struct hap_result *ra = hap_snapshot_result(a), *rb = hap_snapshot_result(b);

		assert_int_equal(hap_result_code(ra, i), hap_result_code(rb, i));
		assert_string_equal(hap_result_message(ra, i), hap_result_message(rb, i));
		assert_int_equal(hap_result_outcome(ra, i), hap_result_outcome(rb, i));
		assert_int_equal(hap_instance_flags(a, i), hap_instance_flags(b, i));
		assert_int_equal(hap_instance_level(a, i), hap_instance_level(b, i));
	}
	assert_int_equal(nf, hap_snapshot_field_count(b));
	for (i = 0; i < nf; i++)
		assert_string_equal(hap_snapshot_field_name(a, i), hap_snapshot_field_name(b, i));
	for (t = 0; t < 3; t++) {
		size_t n = hap_snapshot_count(a, (enum hap_obj)t);

		assert_int_equal(n, hap_snapshot_count(b, (enum hap_obj)t));
		for (i = 0; i < n; i++) {
			const struct hap_object *oa = hap_snapshot_object(a, (enum hap_obj)t, i);
			const struct hap_object *ob = hap_snapshot_object(b, (enum hap_obj)t, i);
			size_t ni = hap_object_instance_count(oa), x;

			assert_string_equal(hap_object_name(oa), hap_object_name(ob));
			if (t == HAP_OBJ_SERVER)
				assert_string_equal(hap_object_backend(oa), hap_object_backend(ob));
			assert_int_equal(ni, hap_object_instance_count(ob));
			for (k = 0; k < ni; k++)
				assert_int_equal(hap_object_instance(oa, k),
				                 hap_object_instance(ob, k));
			va = calloc((1 + ni) * nf + 1, sizeof(*va));
			vb = calloc((1 + ni) * nf + 1, sizeof(*vb));
			assert_non_null(va);
			assert_non_null(vb);
			assert_int_equal(hap_object_values_all(va, oa), 0);
			assert_int_equal(hap_object_values_all(vb, ob), 0);
			for (x = 0; x < (1 + ni) * nf; x++) {
				assert_int_equal(va[x].kind, vb[x].kind);
				if (va[x].kind == HAP_VALUE_NUMBER)
					assert_int_equal(va[x].num, vb[x].num);
				if (va[x].kind == HAP_VALUE_TEXT) {
					assert_int_equal(va[x].len, vb[x].len);
					assert_memory_equal(va[x].text, vb[x].text, va[x].len);
				}
			}
			free(va);
			free(vb);
		}
	}
}

/* Every value of every object read one field at a time (rows split up to
 * the field) is the one read with all the fields (rows split whole). */
static void values_one_by_one(const struct hap_snapshot *s)
{
	size_t t, i, k, f, nf = hap_snapshot_field_count(s);

	for (t = 0; t < 3; t++) {
		for (i = 0; i < hap_snapshot_count(s, (enum hap_obj)t); i++) {
			const struct hap_object *o = hap_snapshot_object(s, (enum hap_obj)t, i);
			size_t ni = hap_object_instance_count(o);
			struct hap_value *all = calloc((1 + ni) * nf + 1, sizeof(*all)), one;

			assert_non_null(all);
			assert_int_equal(hap_object_values_all(all, o), 0);
			for (k = 0; k <= ni; k++) {
				for (f = 0; f < nf; f++) {
					const struct hap_value *a = &all[k * nf + f];

					assert_int_equal(
					        hap_object_value(&one, o, k ? k - 1 : HAP_AGGREGATE,
					                         hap_snapshot_field_name(s, f)),
					        0);
					assert_int_equal(one.kind, a->kind);
					if (a->kind == HAP_VALUE_NUMBER)
						assert_int_equal(one.num, a->num);
					if (a->kind == HAP_VALUE_TEXT) {
						assert_int_equal(one.len, a->len);
						assert_memory_equal(one.text, a->text, a->len);
					}
				}
			}
			free(all);
		}
	}
}

/*
 * The rows are indexed as the bytes arrive: a reply fed in any cut, the
 * instances interleaved and their buffers moving, gives the snapshot of
 * the replies parsed whole. With the listings asked for too, with a
 * duplicate, a reply cut short, one whose rows do not parse, and one with
 * a quoted field.
 */
static void test_snapshot_chunks(void **state)
{
	static const char *const names[] = {
		"i1", "i2", "i3", "i4", "dup", "cut", "bad", "quoted"
	};
	static const size_t chunks[] = { 1, 2, 3, 7, 64, 1000, 4096, 100000 };
	static const unsigned whats[] = { HAP_SNAP_ALL,
		                          HAP_SNAP_ALL | HAP_SNAP_ACLS | HAP_SNAP_MAPS,
		                          HAP_SNAP_SERVERS };
	const char *bad = "# pxname,svname,type,status\nfe,FRONTEND,0,OPEN\nbe,\"x,1,2\n\n";
	const char *quoted = "# pxname,svname,type,status\nfe,FRONTEND,0,\"OP\"\"EN\"\n"
	                     "bk,srv,2,\"UP, going\"\nbk,BACKEND,1,UP\n\n";
	struct hap_buf b[8];
	const char *replies[8];
	size_t lens[8], i, c, w;
	struct hap_error err = { 0, "" };
	char name[64];

	(void)state;
	for (w = 0; w < sizeof(whats) / sizeof(whats[0]); w++) {
		struct hap_snapshot *whole = NULL;

		for (i = 0; i < 8; i++) {
			int inst = i < 4 ? (int)i + 1 : 1;

			hap_buf_init(&b[i], 0);
			add_fixture(&b[i], "show-cli-level.admin");
			snprintf(name, sizeof(name), "show-info.inst%d", inst);
			add_fixture(&b[i], name);
			if (whats[w] & HAP_SNAP_ACLS) {
				snprintf(name, sizeof(name), "show-acl.inst%d", inst);
				add_fixture(&b[i], name);
				snprintf(name, sizeof(name), "show-map.inst%d", inst);
				add_fixture(&b[i], name);
			}
			if (i == 6)
				assert_int_equal(hap_buf_adds(&b[i], bad), 0);
			else if (i == 7)
				assert_int_equal(hap_buf_adds(&b[i], quoted), 0);
			else {
				snprintf(name, sizeof(name), "show-stat.inst%d", inst);
				add_fixture(&b[i], name);
			}
			replies[i] = b[i].ptr;
			lens[i] = i == 5 ? b[i].len - 3 : b[i].len;
		}
		/* the quoted and the bad reply are another process: not duplicates */
		assert_int_equal(
		        hap_snapshot_from_replies(&whole, names, replies, lens, 8, whats[w], &err),
		        0);
		assert_int_equal(hap_result_code(hap_snapshot_result(whole), 5), HAP_EPROTO);
		assert_int_equal(hap_result_code(hap_snapshot_result(whole), 6), HAP_EPROTO);
		assert_true(hap_instance_flags(whole, 4) & HAP_INST_DUPLICATE);
		values_one_by_one(whole);
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			struct hap_snapshot *s = NULL;

			assert_int_equal(hap_snapshot_from_chunks(&s, names, replies, lens, 8,
			                                          whats[w], chunks[c], &err),
			                 0);
			same_snapshot(whole, s);
			hap_snapshot_free(s);
		}
		hap_snapshot_free(whole);
		for (i = 0; i < 8; i++)
			hap_buf_release(&b[i]);
	}
}

/* The filter of test_snapshot_keep: bck_all_srv1 anywhere, srv_all1 in
 * backend_all only. */
static int keep_some(void *arg, const char *be, size_t bl, const char *srv, size_t sl)
{
	(*(size_t *)arg)++;
	if (sl == 12 && memcmp(srv, "bck_all_srv1", 12) == 0)
		return 1;
	return sl == 8 && memcmp(srv, "srv_all1", 8) == 0 && bl == 11 &&
	       memcmp(be, "backend_all", 11) == 0;
}

/* The same object of a and b holds the same rows and values. */
static void same_object(const struct hap_object *oa, const struct hap_object *ob, size_t nf)
{
	size_t ni = hap_object_instance_count(oa), x;
	struct hap_value *va = calloc((1 + ni) * nf + 1, sizeof(*va));
	struct hap_value *vb = calloc((1 + ni) * nf + 1, sizeof(*vb));

	assert_int_equal(ni, hap_object_instance_count(ob));
	for (x = 0; x < ni; x++)
		assert_int_equal(hap_object_instance(oa, x), hap_object_instance(ob, x));
	assert_non_null(va);
	assert_non_null(vb);
	assert_int_equal(hap_object_values_all(va, oa), 0);
	assert_int_equal(hap_object_values_all(vb, ob), 0);
	for (x = 0; x < (1 + ni) * nf; x++) {
		assert_int_equal(va[x].kind, vb[x].kind);
		if (va[x].kind == HAP_VALUE_NUMBER)
			assert_int_equal(va[x].num, vb[x].num);
		if (va[x].kind == HAP_VALUE_TEXT)
			assert_memory_equal(va[x].text, vb[x].text, va[x].len);
	}
	free(va);
	free(vb);
}

/*
 * A "show servers state" read through a row filter, the bytes in any cut:
 * the servers the filter keeps, each with the rows and values of the read
 * kept whole, and no other; an instance without the backend, one cut
 * short and one whose listing has another shape are what they are
 * unfiltered.
 */
static void test_snapshot_keep(void **state)
{
	static const char *const names[] = { "i1", "i2", "i3", "i4", "nosuch", "cut", "odd" };
	static const size_t chunks[] = { 0, 1, 2, 5, 64, 1000, 100000 };
	const unsigned what = HAP_SNAP_SERVERS | HAP_SNAP_SRVSTATE;
	struct hap_error err = { 0, "" };
	struct hap_snapshot *whole = NULL;
	struct hap_buf b[7];
	const char *replies[7];
	size_t lens[7], i, c, nkept = 0;
	char name[64];

	(void)state;
	for (i = 0; i < 7; i++) {
		hap_buf_init(&b[i], 0);
		add_fixture(&b[i], "show-cli-level.admin");
		snprintf(name, sizeof(name), "show-info.inst%d", i < 4 ? (int)i + 1 : 1);
		add_fixture(&b[i], name);
		if (i == 4)
			add_fixture(&b[i], "show-servers-state.no-such");
		else if (i == 6)
			assert_int_equal(hap_buf_adds(&b[i], "2\n# be_name srv_name\nbk srv\n\n"),
			                 0);
		else {
			snprintf(name, sizeof(name), "show-servers-state.inst%d",
			         i < 4 ? (int)i + 1 : 2);
			add_fixture(&b[i], name);
		}
		replies[i] = b[i].ptr;
		lens[i] = i == 5 ? b[i].len - 2 : b[i].len;
	}
	assert_int_equal(hap_snapshot_from_replies(&whole, names, replies, lens, 7, what, &err), 0);
	assert_int_equal(hap_result_code(hap_snapshot_result(whole), 5), HAP_EPROTO);
	for (i = 0; i < hap_snapshot_count(whole, HAP_OBJ_SERVER); i++) {
		const struct hap_object *o = hap_snapshot_object(whole, HAP_OBJ_SERVER, i);
		size_t calls = 0;

		nkept += (size_t)keep_some(&calls, hap_object_backend(o),
		                           strlen(hap_object_backend(o)), hap_object_name(o),
		                           strlen(hap_object_name(o)));
	}
	assert_true(nkept >= 4);
	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		struct hap_snapshot *s = NULL;
		size_t calls = 0, nf = hap_snapshot_field_count(whole);

		assert_int_equal(hap_snapshot_from_chunks_keep(&s, names, replies, lens, 7, what,
		                                               chunks[c], keep_some, &calls, &err),
		                 0);
		assert_true(calls > nkept); /* rows were looked at and dropped */
		for (i = 0; i < 7; i++)
			assert_int_equal(hap_result_code(hap_snapshot_result(s), i),
			                 hap_result_code(hap_snapshot_result(whole), i));
		assert_int_equal(hap_snapshot_count(s, HAP_OBJ_SERVER), nkept);
		assert_int_equal(nf, hap_snapshot_field_count(s));
		for (i = 0; i < nkept; i++) {
			const struct hap_object *o = hap_snapshot_object(s, HAP_OBJ_SERVER, i);
			const struct hap_object *w = hap_snapshot_find(
			        whole, HAP_OBJ_SERVER, hap_object_backend(o), hap_object_name(o));

			assert_non_null(w);
			same_object(w, o, nf);
		}
		/* the row of another shape is kept: the parse judges it */
		assert_int_equal(hap_result_code(hap_snapshot_result(s), 6),
		                 hap_result_code(hap_snapshot_result(whole), 6));
		hap_snapshot_free(s);
	}
	hap_snapshot_free(whole);
	for (i = 0; i < 7; i++)
		hap_buf_release(&b[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_object_ref),
		cmocka_unit_test(test_snapshot_merge_by_name),
		cmocka_unit_test(test_snapshot_aggregate),
		cmocka_unit_test(test_snapshot_duplicate),
		cmocka_unit_test(test_snapshot_info_keys),
		cmocka_unit_test(test_snapshot_duplicates_many),
		cmocka_unit_test(test_snapshot_cut_reply),
		cmocka_unit_test(test_snapshot_chunks),
		cmocka_unit_test(test_snapshot_keep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
