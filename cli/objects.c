/*
 * objects.c - the read side of frontends, backends and servers: tables for
 * people, JSON and CSV for scripts, and "show info" of every instance.
 *
 * Every aggregated value comes with its instances' own values: when they
 * disagree the aggregate is null in JSON ('|'-joined values in tables),
 * never one instance's value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "cli.h"

static const char *const summary_fe[] = { "scur", "slim", "stot", "req_tot", "rate", "ereq", NULL };
static const char *const summary_be[] = { "act",  "scur", "stot",  "qcur",
	                                  "rate", "econ", "eresp", NULL };
static const char *const summary_sv[] = { "scur",         "stot",    "qcur", "rate",
	                                  "check_status", "lastchg", NULL };

static const char *const *summary_fields(enum hap_obj t)
{
	return t == HAP_OBJ_FRONTEND ? summary_fe : t == HAP_OBJ_BACKEND ? summary_be : summary_sv;
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p) {
		fputs("haproxyadmin: out of memory\n", stderr);
		exit(EXIT_FAILED);
	}
	return p;
}

/* Short label of an instance for table columns: the socket's file name. */
static const char *short_name(const char *name)
{
	const char *sl = strrchr(name, '/');
	const char *at = strstr(name, " @!");

	if (at)
		return sl && sl < at ? sl + 1 : name;
	return sl ? sl + 1 : name;
}

/* All values of an object: [0] aggregate, [1+k] its k-th instance. */
struct objvals {
	size_t nf, ni;
	struct hap_value *v; /* (1 + ni) * nf */
};

static void objvals_load(struct objvals *ov, const struct hap_snapshot *s,
                         const struct hap_object *o)
{
	ov->nf = hap_snapshot_field_count(s);
	ov->ni = hap_object_instance_count(o);
	ov->v = xcalloc((1 + ov->ni) * ov->nf, sizeof(*ov->v));
	hap_object_values_all(ov->v, o);
}

static const struct hap_value *ov_get(const struct objvals *ov, size_t k, int f)
{
	static const struct hap_value absent = { HAP_VALUE_ABSENT, 0, NULL, 0 };

	if (f < 0)
		return &absent;
	return &ov->v[k * ov->nf + (size_t)f];
}

/* A cell for people: the value, or the instances' distinct values joined
 * with '|' when they disagree. */
static const char *cell(const struct objvals *ov, int f, char *buf, size_t len)
{
	const struct hap_value *a = ov_get(ov, 0, f);
	size_t k, used = 0;

	if (a->kind != HAP_VALUE_DISAGREE)
		return value_str(a, buf, len);
	buf[0] = '\0';
	for (k = 0; k < ov->ni; k++) {
		const struct hap_value *v = ov_get(ov, 1 + k, f);
		char one[256];
		size_t j;
		int dup = 0;

		value_str(v, one, sizeof(one));
		for (j = 0; j < k && !dup; j++) {
			char prev[256];

			value_str(ov_get(ov, 1 + j, f), prev, sizeof(prev));
			dup = strcmp(prev, one) == 0;
		}
		if (dup)
			continue;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
		                         used ? "|" : "", one);
		if (used >= len)
			break;
	}
	return buf;
}

static int is_name_field(const char *f)
{
	return strcmp(f, "pxname") == 0 || strcmp(f, "svname") == 0;
}

static int is_top_field(const char *f)
{
	return strcmp(f, "status") == 0 || strcmp(f, "weight") == 0;
}

/* A field is text for this object when any instance has a text value. */
static int field_is_text(const struct objvals *ov, size_t f)
{
	size_t k;

	for (k = 0; k < ov->ni; k++)
		if (ov_get(ov, 1 + k, (int)f)->kind == HAP_VALUE_TEXT)
			return 1;
	return ov_get(ov, 0, (int)f)->kind == HAP_VALUE_TEXT;
}

static int in_list(const char *const *list, const char *f)
{
	for (; *list; list++)
		if (strcmp(*list, f) == 0)
			return 1;
	return 0;
}

static void json_fields(struct jw *w, const struct hap_snapshot *s, const struct objvals *ov,
                        size_t k, enum hap_obj t, enum obj_detail d, int text)
{
	size_t f;

	jw_key(w, text ? "text" : "metrics");
	jw_obj(w);
	for (f = 0; f < ov->nf; f++) {
		const char *name = hap_snapshot_field_name(s, f);
		const struct hap_value *v = ov_get(ov, k, (int)f);

		if (is_name_field(name) || is_top_field(name))
			continue;
		if (d == DETAIL_SUMMARY && !in_list(summary_fields(t), name))
			continue;
		if (field_is_text(ov, f) != text)
			continue;
		if (v->kind == HAP_VALUE_ABSENT)
			continue;
		jw_key(w, name);
		jw_value(w, v);
	}
	jw_end_obj(w);
}

static void json_object(struct jw *w, const struct hap_snapshot *s, const struct hap_object *o,
                        enum obj_detail d)
{
	struct objvals ov;
	enum hap_obj t = hap_object_type(o);
	int fst = hap_snapshot_field_index(s, "status");
	int fw = hap_snapshot_field_index(s, "weight");
	size_t k, f;

	objvals_load(&ov, s, o);
	jw_obj(w);
	jw_key(w, "name");
	jw_str(w, hap_object_name(o));
	if (t == HAP_OBJ_SERVER) {
		jw_key(w, "backend");
		jw_str(w, hap_object_backend(o));
	}
	jw_key(w, "status");
	jw_value(w, ov_get(&ov, 0, fst));
	if (t != HAP_OBJ_FRONTEND) {
		jw_key(w, "weight");
		jw_value(w, ov_get(&ov, 0, fw));
	}
	json_fields(w, s, &ov, 0, t, d, 0);
	json_fields(w, s, &ov, 0, t, d, 1);
	jw_key(w, "disagree");
	jw_arr(w);
	for (f = 0; f < ov.nf; f++) {
		const char *name = hap_snapshot_field_name(s, f);

		if (d == DETAIL_SUMMARY && !in_list(summary_fields(t), name) && !is_top_field(name))
			continue;
		if (ov_get(&ov, 0, (int)f)->kind == HAP_VALUE_DISAGREE)
			jw_str(w, name);
	}
	jw_end_arr(w);
	jw_key(w, "instances");
	jw_arr(w);
	for (k = 0; k < ov.ni; k++) {
		size_t i = hap_object_instance(o, k);
		unsigned fl = hap_instance_flags(s, i);

		jw_obj(w);
		jw_key(w, "endpoint");
		jw_str(w, hap_instance_name(s, i));
		jw_key(w, "old_worker");
		jw_bool(w, (fl & HAP_INST_OLD_WORKER) != 0);
		jw_key(w, "status");
		jw_value(w, ov_get(&ov, 1 + k, fst));
		if (t != HAP_OBJ_FRONTEND) {
			jw_key(w, "weight");
			jw_value(w, ov_get(&ov, 1 + k, fw));
		}
		json_fields(w, s, &ov, 1 + k, t, d, 0);
		json_fields(w, s, &ov, 1 + k, t, d, 1);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_end_obj(w);
	free(ov.v);
}

void objects_json(struct jw *w, const struct hap_snapshot *s, const struct hap_object *const *objs,
                  size_t n, enum obj_detail d)
{
	size_t i;

	jw_arr(w);
	for (i = 0; i < n; i++)
		json_object(w, s, objs[i], d);
	jw_end_arr(w);
}

static void summary_table(struct cli *c, const struct hap_snapshot *s,
                          const struct hap_object *const *objs, size_t n)
{
	enum hap_obj t = n ? hap_object_type(objs[0]) : HAP_OBJ_SERVER;
	const char *const *sf = summary_fields(t);
	const char *hdr[24], *cells[24];
	char bufs[24][512];
	int fids[24];
	size_t nc = 0, i, j, nsf = 0;
	struct table *tb;

	if (t == HAP_OBJ_SERVER)
		hdr[nc++] = "BACKEND";
	hdr[nc++] = t == HAP_OBJ_SERVER ? "SERVER" : t == HAP_OBJ_BACKEND ? "BACKEND" : "FRONTEND";
	hdr[nc++] = "STATUS";
	fids[0] = hap_snapshot_field_index(s, "status");
	if (t != HAP_OBJ_FRONTEND) {
		hdr[nc++] = "WEIGHT";
		fids[1] = hap_snapshot_field_index(s, "weight");
	}
	for (; sf[nsf]; nsf++) {
		static char up[16][32];
		size_t x;

		for (x = 0; sf[nsf][x] && x < 31; x++)
			up[nsf][x] = (char)(sf[nsf][x] >= 'a' && sf[nsf][x] <= 'z' ? sf[nsf][x] - 32
			                                                           : sf[nsf][x]);
		up[nsf][x] = '\0';
		hdr[nc++] = up[nsf];
	}
	hdr[nc++] = "INSTANCES";
	tb = table_new(nc, hdr);
	for (i = 0; i < n; i++) {
		struct objvals ov;
		size_t col = 0, nfix = t != HAP_OBJ_FRONTEND ? 2 : 1;

		objvals_load(&ov, s, objs[i]);
		if (t == HAP_OBJ_SERVER)
			cells[col++] = hap_object_backend(objs[i]);
		cells[col++] = hap_object_name(objs[i]);
		for (j = 0; j < nfix; j++, col++)
			cells[col] = cell(&ov, fids[j], bufs[col], sizeof(bufs[col]));
		for (j = 0; j < nsf; j++, col++)
			cells[col] = cell(&ov, hap_snapshot_field_index(s, sf[j]), bufs[col],
			                  sizeof(bufs[col]));
		snprintf(bufs[col], sizeof(bufs[col]), "%zu", ov.ni);
		cells[col] = bufs[col];
		table_add(tb, cells);
		free(ov.v);
	}
	table_print(tb, stdout, c->fmt == FMT_CSV);
}

/* show: per object, one row per field, the aggregate and each instance. */
static void full_table(struct cli *c, const struct hap_snapshot *s, const struct hap_object *o)
{
	struct objvals ov;
	size_t k, f, nc;
	const char **hdr, **cells;
	char(*bufs)[512];
	struct table *tb;

	objvals_load(&ov, s, o);
	nc = 3 + ov.ni;
	hdr = xcalloc(nc, sizeof(*hdr));
	cells = xcalloc(nc, sizeof(*cells));
	bufs = xcalloc(nc, sizeof(*bufs));
	if (c->fmt == FMT_TABLE) {
		if (hap_object_type(o) == HAP_OBJ_SERVER)
			printf("server %s/%s", hap_object_backend(o), hap_object_name(o));
		else
			printf("%s %s",
			       hap_object_type(o) == HAP_OBJ_FRONTEND ? "frontend" : "backend",
			       hap_object_name(o));
		printf(" on %zu instance%s\n", ov.ni, ov.ni == 1 ? "" : "s");
	}
	hdr[0] = "FIELD";
	hdr[1] = "RULE";
	hdr[2] = "ALL";
	for (k = 0; k < ov.ni; k++)
		hdr[3 + k] = c->fmt == FMT_CSV
		                     ? hap_instance_name(s, hap_object_instance(o, k))
		                     : short_name(hap_instance_name(s, hap_object_instance(o, k)));
	tb = table_new(nc, hdr);
	for (f = 0; f < ov.nf; f++) {
		const char *name = hap_snapshot_field_name(s, f);
		int any = 0;

		for (k = 0; k <= ov.ni; k++)
			any |= ov_get(&ov, k, (int)f)->kind != HAP_VALUE_ABSENT;
		if (!any)
			continue;
		cells[0] = name;
		cells[1] = hap_rule_name(hap_field_rule((int)hap_object_type(o), name));
		cells[2] = value_str(ov_get(&ov, 0, (int)f), bufs[2], sizeof(bufs[2]));
		for (k = 0; k < ov.ni; k++)
			cells[3 + k] = value_str(ov_get(&ov, 1 + k, (int)f), bufs[3 + k],
			                         sizeof(bufs[3 + k]));
		table_add(tb, cells);
	}
	table_print(tb, stdout, c->fmt == FMT_CSV);
	free(hdr);
	free(cells);
	free(bufs);
	free(ov.v);
}

void objects_print(struct cli *c, const struct hap_snapshot *s,
                   const struct hap_object *const *objs, size_t n, enum obj_detail d)
{
	size_t i;

	if (c->fmt == FMT_JSON) {
		struct jw w;

		jw_init(&w, stdout);
		objects_json(&w, s, objs, n, d);
		jw_done(&w);
		return;
	}
	if (d == DETAIL_SUMMARY) {
		summary_table(c, s, objs, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (i && c->fmt == FMT_TABLE)
			putchar('\n');
		full_table(c, s, objs[i]);
	}
}

void objects_metric(struct cli *c, const struct hap_snapshot *s,
                    const struct hap_object *const *objs, size_t n, const char *field)
{
	size_t i, k;

	if (c->fmt == FMT_JSON) {
		struct jw w;

		jw_init(&w, stdout);
		jw_arr(&w);
		for (i = 0; i < n; i++) {
			struct hap_value v;

			jw_obj(&w);
			jw_key(&w, "name");
			jw_str(&w, hap_object_name(objs[i]));
			if (hap_object_backend(objs[i])) {
				jw_key(&w, "backend");
				jw_str(&w, hap_object_backend(objs[i]));
			}
			jw_key(&w, "metric");
			jw_str(&w, field);
			jw_key(&w, "rule");
			jw_str(&w,
			       hap_rule_name(hap_field_rule((int)hap_object_type(objs[i]), field)));
			hap_object_value(&v, objs[i], HAP_AGGREGATE, field);
			jw_key(&w, "value");
			jw_value(&w, &v);
			jw_key(&w, "disagree");
			jw_bool(&w, v.kind == HAP_VALUE_DISAGREE);
			jw_key(&w, "instances");
			jw_arr(&w);
			for (k = 0; k < hap_object_instance_count(objs[i]); k++) {
				hap_object_value(&v, objs[i], k, field);
				jw_obj(&w);
				jw_key(&w, "endpoint");
				jw_str(&w, hap_instance_name(s, hap_object_instance(objs[i], k)));
				jw_key(&w, "value");
				jw_value(&w, &v);
				jw_end_obj(&w);
			}
			jw_end_arr(&w);
			jw_end_obj(&w);
		}
		jw_end_arr(&w);
		jw_done(&w);
		return;
	}
	{
		enum hap_obj t = n ? hap_object_type(objs[0]) : HAP_OBJ_SERVER;
		const char *hdr[4] = { "BACKEND", "NAME", "INSTANCE", field };
		const char *cells[4];
		char buf[512];
		size_t off = t == HAP_OBJ_SERVER ? 0 : 1;
		struct table *tb = table_new(4 - off, hdr + off);

		for (i = 0; i < n; i++) {
			struct hap_value v;

			cells[0] = hap_object_backend(objs[i]);
			cells[1] = hap_object_name(objs[i]);
			cells[2] = "(all)";
			hap_object_value(&v, objs[i], HAP_AGGREGATE, field);
			cells[3] = value_str(&v, buf, sizeof(buf));
			table_add(tb, cells + off);
			for (k = 0; k < hap_object_instance_count(objs[i]); k++) {
				char b2[512];

				hap_object_value(&v, objs[i], k, field);
				cells[2] = hap_instance_name(s, hap_object_instance(objs[i], k));
				cells[3] = value_str(&v, b2, sizeof(b2));
				table_add(tb, cells + off);
			}
		}
		table_print(tb, stdout, c->fmt == FMT_CSV);
	}
}

static int known_field(enum hap_obj type, const char *field)
{
	size_t i, n = hap_known_field_count((int)type);

	for (i = 0; i < n; i++)
		if (strcmp(hap_known_field((int)type, i), field) == 0)
			return 1;
	return 0;
}

static const char *type_name(enum hap_obj t)
{
	return t == HAP_OBJ_FRONTEND ? "frontend" : t == HAP_OBJ_BACKEND ? "backend" : "server";
}

int objects_read(struct cli *c, enum hap_obj type, const char *name, const char *backend,
                 const char *metric, enum obj_detail d)
{
	static const unsigned mask[] = { HAP_SNAP_FRONTENDS, HAP_SNAP_BACKENDS, HAP_SNAP_SERVERS };
	const struct hap_object **objs;
	struct hap_snapshot *s;
	size_t failed = 0, n = 0, i, cnt;
	int ret;

	if (metric && !known_field(type, metric))
		return cli_usage(c, "'%s' is not a %s metric; see 'haproxyadmin %s metrics'",
		                 metric, type_name(type), type_name(type));
	ret = cli_snapshot(c, mask[type], &s, &failed);
	if (ret)
		return ret;
	cnt = hap_snapshot_count(s, type);
	objs = xcalloc(cnt, sizeof(*objs));
	for (i = 0; i < cnt; i++) {
		const struct hap_object *o = hap_snapshot_object(s, type, i);

		if (name && strcmp(hap_object_name(o), name) != 0)
			continue;
		if (backend && strcmp(hap_object_backend(o), backend) != 0)
			continue;
		objs[n++] = o;
	}
	if (!n && (name || backend)) {
		if (type == HAP_OBJ_SERVER && name && backend)
			cli_err(c, "no server '%s' in backend '%s' on any instance", name, backend);
		else if (type == HAP_OBJ_SERVER && name)
			cli_err(c, "no server '%s' in any backend on any instance", name);
		else if (type == HAP_OBJ_SERVER)
			cli_err(c, "no backend '%s' with servers on any instance", backend);
		else
			cli_err(c, "no %s '%s' on any instance", type_name(type), name);
		ret = EXIT_NOTFOUND;
	} else if (metric) {
		objects_metric(c, s, objs, n, metric);
	} else {
		objects_print(c, s, objs, n, d);
	}
	free(objs);
	hap_snapshot_free(s);
	if (ret)
		return ret;
	return failed ? EXIT_FAILED : EXIT_OK;
}
