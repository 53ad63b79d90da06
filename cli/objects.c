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
#include "rows.h"

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

/*
 * What is evaluated and printed for objects of one type at one detail
 * level, decided once per command rather than once per object: the
 * snapshot fields to evaluate (sel), where status and weight are among
 * them, which are printed under metrics/text (emit), and their JSON keys,
 * escaped once.
 */
struct fplan {
	enum hap_obj type;
	size_t nsel, nemit;
	size_t *sel;  /* snapshot field ids */
	size_t *emit; /* positions in sel */
	char **keys;  /* per position in sel: "\"name\":" */
	size_t *klen; /* their lengths */
	char **inst;  /* per instance of the snapshot: its name as a JSON string */
	size_t ninst;
	int pst, pw; /* positions of status and weight in sel, or -1 */
	int compact; /* an instance's values only where they differ from the aggregate */
	const struct hap_snapshot *s;
	/* the values of the object being written, reused from one to the next */
	struct hap_value *vbuf;
	size_t vcap;
	char *tbuf;
	size_t *ebuf; /* the emitted positions, metrics then text */
};

static int is_name_field(const char *f)
{
	return strcmp(f, "pxname") == 0 || strcmp(f, "svname") == 0;
}

static void fplan_init(struct fplan *fp, const struct hap_snapshot *s, enum hap_obj t,
                       enum obj_detail d)
{
	size_t nf = hap_snapshot_field_count(s), i;

	memset(fp, 0, sizeof(*fp));
	fp->type = t;
	fp->sel = xcalloc(nf + 2, sizeof(*fp->sel));
	fp->emit = xcalloc(nf + 2, sizeof(*fp->emit));
	fp->keys = xcalloc(nf + 2, sizeof(*fp->keys));
	fp->klen = xcalloc(nf + 2, sizeof(*fp->klen));
	fp->pst = fp->pw = -1;
	fp->compact = d == DETAIL_COMPACT;
	fp->s = s;
	if (d != DETAIL_SUMMARY) {
		for (i = 0; i < nf; i++) {
			const char *name = hap_snapshot_field_name(s, i);

			fp->sel[fp->nsel] = i;
			if (strcmp(name, "status") == 0)
				fp->pst = (int)fp->nsel;
			else if (strcmp(name, "weight") == 0)
				fp->pw = (int)fp->nsel;
			else if (!is_name_field(name))
				fp->emit[fp->nemit++] = fp->nsel;
			fp->nsel++;
		}
	} else {
		const char *const *sf = summary_fields(t);
		int f = hap_snapshot_field_index(s, "status");

		if (f >= 0) {
			fp->pst = (int)fp->nsel;
			fp->sel[fp->nsel++] = (size_t)f;
		}
		f = hap_snapshot_field_index(s, "weight");
		if (f >= 0 && t != HAP_OBJ_FRONTEND) {
			fp->pw = (int)fp->nsel;
			fp->sel[fp->nsel++] = (size_t)f;
		}
		for (; *sf; sf++) {
			f = hap_snapshot_field_index(s, *sf);
			if (f < 0)
				continue;
			fp->emit[fp->nemit++] = fp->nsel;
			fp->sel[fp->nsel++] = (size_t)f;
		}
	}
	for (i = 0; i < fp->nsel; i++) {
		char *k = jw_make_key(hap_snapshot_field_name(s, fp->sel[i]));

		/* padded to a whole 16-byte word (jw_keynum_padded) */
		fp->klen[i] = strlen(k);
		fp->keys[i] = xcalloc(fp->klen[i] + 16, 1);
		memcpy(fp->keys[i], k, fp->klen[i]);
		free(k);
	}
	fp->tbuf = xcalloc(fp->nsel + 1, 1);
	fp->ebuf = xcalloc(fp->nemit + 1, sizeof(*fp->ebuf));
	fp->ninst = hap_snapshot_instance_count(s);
	fp->inst = xcalloc(fp->ninst, sizeof(*fp->inst));
	for (i = 0; i < fp->ninst; i++)
		fp->inst[i] = jw_make_str(hap_instance_name(s, i));
}

static void fplan_release(struct fplan *fp)
{
	size_t i;

	for (i = 0; i < fp->nsel; i++)
		free(fp->keys[i]);
	free(fp->keys);
	free(fp->klen);
	free(fp->vbuf);
	free(fp->tbuf);
	free(fp->ebuf);
	for (i = 0; i < fp->ninst; i++)
		free(fp->inst[i]);
	free(fp->inst);
	free(fp->sel);
	free(fp->emit);
}

/* Values of an object: [0] aggregate, [1+k] its k-th instance, nsel each. */
struct objvals {
	size_t nf, ni;
	struct hap_value *v; /* (1 + ni) * nf */
	char *text;          /* per position: some instance has a text value */
	size_t *emit[2];     /* the emitted positions under "metrics" (0), "text" (1) */
	size_t nemit[2];
};

/* Values of o into fp's buffers, valid until the next object's. */
static void objvals_load(struct objvals *ov, struct fplan *fp, const struct hap_object *o)
{
	size_t k, x, need;
	int all = 1;

	ov->nf = fp->nsel;
	ov->ni = hap_object_instance_count(o);
	need = (1 + ov->ni) * ov->nf;
	if (need > fp->vcap) {
		free(fp->vbuf);
		fp->vcap = need * 2;
		fp->vbuf = xcalloc(fp->vcap, sizeof(*fp->vbuf));
	}
	ov->v = fp->vbuf;
	ov->text = fp->tbuf;
	memset(ov->text, 0, ov->nf);
	/* every value is written, absent ones too */
	if (hap_object_values_select(ov->v, o, fp->sel, fp->nsel))
		memset(ov->v, 0, need * sizeof(*ov->v));
	/* an aggregate of the instances that count is a number only when
	 * none of them has text, text when one has, absent when none has a
	 * value: the instances are looked at only when it disagrees, or when
	 * one of them does not count */
	for (k = 0; k < ov->ni && all; k++)
		all = !(hap_instance_flags(fp->s, hap_object_instance(o, k)) & HAP_INST_EXCLUDED);
	for (x = 0; x < ov->nf; x++) {
		enum hap_value_kind a = ov->v[x].kind;

		ov->text[x] = a == HAP_VALUE_TEXT;
		if (all && a != HAP_VALUE_DISAGREE)
			continue;
		for (k = 1; k <= ov->ni && !ov->text[x]; k++)
			ov->text[x] = ov->v[k * ov->nf + x].kind == HAP_VALUE_TEXT;
	}
	ov->emit[0] = fp->ebuf;
	ov->nemit[0] = ov->nemit[1] = 0;
	for (k = 0; k < fp->nemit; k++)
		ov->nemit[0] += !ov->text[fp->emit[k]];
	ov->emit[1] = fp->ebuf + ov->nemit[0];
	ov->nemit[0] = 0;
	for (k = 0; k < fp->nemit; k++) {
		int t = ov->text[fp->emit[k]];

		ov->emit[t][ov->nemit[t]++] = fp->emit[k];
	}
}

static void objvals_release(struct objvals *ov)
{
	/* the buffers are the plan's */
	ov->v = NULL;
	ov->text = NULL;
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

/* Two values say the same (an absent or disagreeing one is null). */
static int same_json(const struct hap_value *a, const struct hap_value *b)
{
	if (a->kind != b->kind)
		return (a->kind == HAP_VALUE_ABSENT || a->kind == HAP_VALUE_DISAGREE) &&
		       (b->kind == HAP_VALUE_ABSENT || b->kind == HAP_VALUE_DISAGREE);
	if (a->kind == HAP_VALUE_NUMBER)
		return a->num == b->num;
	if (a->kind == HAP_VALUE_TEXT)
		return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
	return 1;
}

static void json_fields(struct jw *w, const struct fplan *fp, const struct objvals *ov, size_t k,
                        int text)
{
	int compact = fp->compact && k > 0;
	size_t e, n = ov->nemit[text];

	if (text)
		JW_KEY(w, "text");
	else
		JW_KEY(w, "metrics");
	jw_obj(w);
	for (e = 0; e < n; e++) {
		size_t p = ov->emit[text][e];
		const struct hap_value *v = &ov->v[k * ov->nf + p];

		/* --compact: what the aggregate already says is left out, and
		 * a value the instance lacks is null where the aggregate has one */
		if (compact && same_json(v, &ov->v[p]))
			continue;
		if (v->kind == HAP_VALUE_ABSENT && !compact)
			continue;
		if (v->kind == HAP_VALUE_NUMBER) {
			jw_keynum_padded(w, fp->keys[p], fp->klen[p], (long long)v->num);
			continue;
		}
		jw_rawkeyn(w, fp->keys[p], fp->klen[p]);
		jw_value(w, v);
	}
	jw_end_obj(w);
}

static void json_object(struct jw *w, const struct hap_snapshot *s, struct fplan *fp,
                        const struct hap_object *o)
{
	struct objvals ov;
	enum hap_obj t = hap_object_type(o);
	size_t k, p;

	objvals_load(&ov, fp, o);
	jw_obj(w);
	JW_KEY(w, "name");
	jw_str(w, hap_object_name(o));
	if (t == HAP_OBJ_SERVER) {
		JW_KEY(w, "backend");
		jw_str(w, hap_object_backend(o));
	}
	JW_KEY(w, "status");
	jw_value(w, ov_get(&ov, 0, fp->pst));
	if (t != HAP_OBJ_FRONTEND) {
		JW_KEY(w, "weight");
		jw_value(w, ov_get(&ov, 0, fp->pw));
	}
	json_fields(w, fp, &ov, 0, 0);
	json_fields(w, fp, &ov, 0, 1);
	JW_KEY(w, "disagree");
	jw_arr(w);
	for (p = 0; p < ov.nf; p++)
		if (ov.v[p].kind == HAP_VALUE_DISAGREE)
			jw_str(w, hap_snapshot_field_name(s, fp->sel[p]));
	jw_end_arr(w);
	JW_KEY(w, "instances");
	jw_arr(w);
	for (k = 0; k < ov.ni; k++) {
		size_t i = hap_object_instance(o, k);
		unsigned fl = hap_instance_flags(s, i);

		jw_obj(w);
		JW_KEY(w, "endpoint");
		jw_rawstr(w, fp->inst[i]);
		JW_KEY(w, "old_worker");
		jw_bool(w, (fl & HAP_INST_OLD_WORKER) != 0);
		JW_KEY(w, "status");
		jw_value(w, ov_get(&ov, 1 + k, fp->pst));
		if (t != HAP_OBJ_FRONTEND) {
			JW_KEY(w, "weight");
			jw_value(w, ov_get(&ov, 1 + k, fp->pw));
		}
		json_fields(w, fp, &ov, 1 + k, 0);
		json_fields(w, fp, &ov, 1 + k, 1);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_end_obj(w);
	objvals_release(&ov);
}

/* The objects of a JSON array, rendered by two threads (jw_par.c): each
 * has its plan, whose buffers hold the values of its current object. */
struct par_arg {
	const struct hap_snapshot *s;
	const struct hap_object *const *objs;
	size_t n;
	enum obj_detail d;
};

struct par_ctx {
	struct fplan fp;
	const struct par_arg *a;
};

static void *par_new(void *arg)
{
	const struct par_arg *a = arg;
	struct par_ctx *c = xcalloc(1, sizeof(*c));

	c->a = a;
	fplan_init(&c->fp, a->s, a->n ? hap_object_type(a->objs[0]) : HAP_OBJ_SERVER, a->d);
	return c;
}

static void par_free(void *ctx)
{
	struct par_ctx *c = ctx;

	fplan_release(&c->fp);
	free(c);
}

static void par_item(struct jw *w, void *ctx, size_t i)
{
	struct par_ctx *c = ctx;

	json_object(w, c->a->s, &c->fp, c->a->objs[i]);
}

static void json_objects(struct jw *w, const struct hap_snapshot *s,
                         const struct hap_object *const *objs, size_t n, enum obj_detail d,
                         int unreached)
{
	static const struct jw_par_ops ops = { par_new, par_free, par_item };
	struct par_arg a = { s, objs, n, d };

	jw_arr(w);
	jw_par_items(w, n, &ops, &a);
	if (unreached)
		jw_unreached(w, s);
	jw_end_arr(w);
}

void objects_json(struct jw *w, const struct hap_snapshot *s, const struct hap_object *const *objs,
                  size_t n, enum obj_detail d)
{
	json_objects(w, s, objs, n, d, 0);
}

/* The same, followed by an element per instance that did not answer. */
static void objects_json_unreached(struct jw *w, const struct hap_snapshot *s,
                                   const struct hap_object *const *objs, size_t n,
                                   enum obj_detail d)
{
	json_objects(w, s, objs, n, d, 1);
}

static void summary_table(struct cli *c, const struct hap_snapshot *s,
                          const struct hap_object *const *objs, size_t n)
{
	enum hap_obj t = n ? hap_object_type(objs[0]) : HAP_OBJ_SERVER;
	const char *const *sf = summary_fields(t);
	const char *hdr[24], *cells[24];
	char bufs[24][512], up[16][32];
	int pos[24];
	size_t nc = 0, i, j, nsf = 0, npos = 0;
	struct table *tb;
	struct fplan fp;

	fplan_init(&fp, s, t, DETAIL_SUMMARY);
	if (t == HAP_OBJ_SERVER)
		hdr[nc++] = "BACKEND";
	hdr[nc++] = t == HAP_OBJ_SERVER ? "SERVER" : t == HAP_OBJ_BACKEND ? "BACKEND" : "FRONTEND";
	hdr[nc++] = "STATUS";
	pos[npos++] = fp.pst;
	if (t != HAP_OBJ_FRONTEND) {
		hdr[nc++] = "WEIGHT";
		pos[npos++] = fp.pw;
	}
	for (; sf[nsf] && nsf < 16; nsf++) {
		size_t x;

		for (x = 0; sf[nsf][x] && x < 31; x++)
			up[nsf][x] = (char)(sf[nsf][x] >= 'a' && sf[nsf][x] <= 'z' ? sf[nsf][x] - 32
			                                                           : sf[nsf][x]);
		up[nsf][x] = '\0';
		hdr[nc++] = up[nsf];
		/* its position among the evaluated fields, -1 when no instance has it */
		pos[npos] = -1;
		for (x = 0; x < fp.nsel; x++)
			if (strcmp(hap_snapshot_field_name(s, fp.sel[x]), sf[nsf]) == 0)
				pos[npos] = (int)x;
		npos++;
	}
	hdr[nc++] = "INSTANCES";
	tb = table_new(nc, hdr);
	for (i = 0; i < n; i++) {
		struct objvals ov;
		size_t col = 0;

		objvals_load(&ov, &fp, objs[i]);
		if (t == HAP_OBJ_SERVER)
			cells[col++] = hap_object_backend(objs[i]);
		cells[col++] = hap_object_name(objs[i]);
		for (j = 0; j < npos; j++, col++)
			cells[col] = cell(&ov, pos[j], bufs[col], sizeof(bufs[col]));
		snprintf(bufs[col], sizeof(bufs[col]), "%zu", ov.ni);
		cells[col] = bufs[col];
		table_add(tb, cells);
		objvals_release(&ov);
	}
	table_unreached(tb, nc, t == HAP_OBJ_SERVER ? 1 : 0, t == HAP_OBJ_SERVER ? 2 : 1, s);
	table_print(tb, stdout, c->fmt == FMT_CSV);
	fplan_release(&fp);
}

/* show: per object, one row per field, the aggregate and each instance. */
static void full_table(struct cli *c, const struct hap_snapshot *s, const struct hap_object *o)
{
	struct objvals ov;
	struct fplan fp;
	size_t k, f, nc;
	const char **hdr, **cells;
	char(*bufs)[512];
	struct table *tb;

	fplan_init(&fp, s, hap_object_type(o), DETAIL_FULL);
	objvals_load(&ov, &fp, o);
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
	table_unreached(tb, nc, 0, 1, s);
	table_print(tb, stdout, c->fmt == FMT_CSV);
	free(hdr);
	free(cells);
	free(bufs);
	objvals_release(&ov);
	fplan_release(&fp);
}

void objects_print(struct cli *c, const struct hap_snapshot *s,
                   const struct hap_object *const *objs, size_t n, enum obj_detail d)
{
	size_t i;

	if (c->fmt == FMT_JSON) {
		struct jw w;

		jw_init(&w, stdout);
		objects_json_unreached(&w, s, objs, n, d);
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
	enum hap_obj t = n ? hap_object_type(objs[0]) : HAP_OBJ_SERVER;
	struct col cols[MC_N];
	struct rows *r = metric_rows_new(c, cols, field, t == HAP_OBJ_SERVER, 1, ROWS_ARRAY);
	struct hap_value v;
	size_t i, k;

	for (i = 0; i < n; i++) {
		rows_row(r);
		rows_str(r, MC_NAME, hap_object_name(objs[i]));
		if (hap_object_backend(objs[i]))
			rows_str(r, MC_BACKEND, hap_object_backend(objs[i]));
		hap_object_value(&v, objs[i], HAP_AGGREGATE, field);
		metric_rows_all(r, (int)hap_object_type(objs[i]), field, &v);
		for (k = 0; k < hap_object_instance_count(objs[i]); k++) {
			hap_object_value(&v, objs[i], k, field);
			metric_rows_one(r, hap_instance_name(s, hap_object_instance(objs[i], k)),
			                &v);
		}
	}
	rows_end(r); /* the instances not reached stand at the top level */
	rows_unreached(r, s, MC_INSTANCE, MC_VALUE);
	rows_done(r);
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

int objects_report(struct cli *c, struct hap_snapshot *s, const struct hap_object **objs, size_t n,
                   const char *metric, enum obj_detail d, int ret, size_t failed)
{
	if (!ret && metric)
		objects_metric(c, s, objs, n, metric);
	else if (!ret)
		objects_print(c, s, objs, n, d);
	free(objs);
	hap_snapshot_free(s);
	if (ret)
		return ret;
	return failed ? EXIT_FAILED : EXIT_OK;
}

int objects_read(struct cli *c, enum hap_obj type, const char *name, const char *backend,
                 const char *metric, enum obj_detail d)
{
	static const unsigned mask[] = { HAP_SNAP_FRONTENDS, HAP_SNAP_BACKENDS, HAP_SNAP_SERVERS };
	const struct hap_object **objs;
	struct hap_snapshot *s;
	size_t failed = 0, n = 0, cnt;
	int ret;

	struct hap_error nerr = { 0, "" };

	if ((name && hap_name_check(type_name(type), name, &nerr)) ||
	    (backend && hap_name_check("backend", backend, &nerr)))
		return cli_usage(c, "%s", nerr.msg);
	if (metric && !known_field(type, metric))
		return cli_usage(c, "'%s' is not a %s metric; see 'haproxyadmin %s metrics'",
		                 metric, type_name(type), type_name(type));
	ret = cli_snapshot(c, mask[type], &s, &failed);
	if (ret)
		return ret;
	cnt = hap_snapshot_count(s, type);
	objs = xcalloc(cnt ? cnt : 1, sizeof(*objs));
	if (type == HAP_OBJ_SERVER) {
		const struct hap_object *o;
		size_t pos = 0;

		while ((o = hap_snapshot_server_next(s, &pos, backend, name)))
			objs[n++] = o;
	} else if (name) {
		objs[0] = hap_snapshot_find(s, type, NULL, name);
		n = objs[0] != NULL;
	} else {
		for (n = 0; n < cnt; n++)
			objs[n] = hap_snapshot_object(s, type, n);
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
	}
	return objects_report(c, s, objs, n, metric, d, ret, failed);
}
