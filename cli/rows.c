/*
 * rows.c - one row emitter: the table, CSV and JSON of a command from the
 * same rows (rows.h). Tables and CSV go through output.c's table, JSON
 * through its streaming writer: a row is written when the next one starts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "rows.h"

enum jkind { J_STR = 0, J_NUM, J_BOOL, J_NULL, J_LIST };

struct cell {
	int set;
	int label; /* table and CSV only */
	enum jkind jk;
	long long n;
	char *s;      /* J_STR: the string; J_LIST: the strings, each ending in '\0' */
	size_t nlist; /* J_LIST: how many */
	char *shown;  /* the table's text, when it is not the JSON value's */
	int ref;      /* s is the caller's (rows_str_ref), not freed here */
};

struct rows {
	struct cli *c;
	const struct col *cols;
	size_t ncols;
	enum rows_shape shape;
	const char *nest;
	int json;
	struct jw w;
	struct table *t;
	size_t ntab;  /* columns with a header */
	size_t *tcol; /* per column: its table column, or ncols when none */
	char **jkey;  /* JSON: per column with a key, it escaped with its ':' */
	size_t *jkeylen;
	struct cell *lv[ROWS_DEPTH]; /* a row, its child, the child's child */
	struct cell *cur;
	int dirty[ROWS_DEPTH]; /* lv[l] may hold cells (cur was it since its clear) */
	size_t *order;         /* columns of cur in the order they were set */
	size_t nset;
	int level;      /* of cur: 0 a row, 1 a child, 2 a grandchild, -1 written */
	int json_only;  /* of cur: the table and CSV leave it out */
	int table_only; /* of cur: JSON leaves it out */
	/* JSON: the object of the last row of each level is open, and the
	 * array of its child rows (under the key arr_key) */
	int obj_open[ROWS_DEPTH], arr_open[ROWS_DEPTH - 1];
	const char *arr_key[ROWS_DEPTH - 1];
	const char *key_of[ROWS_DEPTH]; /* the array the current row of a level goes in */
};

static void *xmalloc0(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p) {
		fputs("haproxyadmin: out of memory\n", stderr);
		exit(EXIT_FAILED);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t l = strlen(s ? s : "");
	char *d = xmalloc0(l + 1, 1);

	memcpy(d, s ? s : "", l);
	return d;
}

struct rows *rows_new(struct cli *c, const struct col *cols, size_t ncols, enum rows_shape shape,
                      const char *nest)
{
	struct rows *r = xmalloc0(1, sizeof(*r));
	const char **hdr = xmalloc0(ncols, sizeof(*hdr));
	size_t i;

	r->c = c;
	r->cols = cols;
	r->ncols = ncols;
	r->shape = shape;
	r->nest = nest;
	r->json = c->fmt == FMT_JSON;
	r->tcol = xmalloc0(ncols, sizeof(*r->tcol));
	for (i = 0; i < ROWS_DEPTH; i++)
		r->lv[i] = xmalloc0(ncols, sizeof(*r->lv[i]));
	r->order = xmalloc0(ncols, sizeof(*r->order));
	r->level = -1;
	for (i = 0; i < ncols; i++) {
		r->tcol[i] = cols[i].head ? r->ntab : ncols;
		if (cols[i].head)
			hdr[r->ntab++] = cols[i].head;
	}
	if (r->json) {
		/* escaped once, not at every row (8,000 rows of a write) */
		r->jkey = xmalloc0(ncols, sizeof(*r->jkey));
		r->jkeylen = xmalloc0(ncols, sizeof(*r->jkeylen));
		for (i = 0; i < ncols; i++)
			if (cols[i].key) {
				r->jkey[i] = jw_make_key(cols[i].key);
				r->jkeylen[i] = strlen(r->jkey[i]);
			}
		jw_init(&r->w, stdout);
		if (shape == ROWS_ARRAY)
			jw_arr(&r->w);
	} else {
		r->t = table_new(r->ntab, hdr);
	}
	free(hdr);
	return r;
}

static void cells_clear(struct cell *cells, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!cells[i].ref)
			free(cells[i].s);
		free(cells[i].shown);
	}
	memset(cells, 0, n * sizeof(*cells));
}

/* The table's text of a cell; buf holds a number. */
static const char *cell_text(const struct cell *x, char *buf, size_t len)
{
	if (x->shown)
		return x->shown;
	switch (x->jk) {
	case J_STR:
		return x->s;
	case J_NUM:
		snprintf(buf, len, "%lld", x->n);
		return buf;
	case J_BOOL:
		return x->n ? "yes" : "no";
	default:
		return "-";
	}
}

static void json_cell(struct jw *w, const struct cell *x)
{
	const char *p = x->s;
	size_t i;

	switch (x->jk) {
	case J_LIST:
		jw_arr(w);
		for (i = 0; i < x->nlist; i++, p += strlen(p) + 1)
			jw_str(w, p);
		jw_end_arr(w);
		break;
	case J_STR:
		jw_str(w, x->s);
		break;
	case J_NUM:
		jw_num(w, x->n);
		break;
	case J_BOOL:
		jw_bool(w, (int)x->n);
		break;
	default:
		jw_null(w);
	}
}

static void write_json(struct rows *r)
{
	int l = r->level;
	size_t i;

	if (l > 0 && !r->arr_open[l - 1]) {
		jw_key(&r->w, r->key_of[l]);
		jw_arr(&r->w);
		r->arr_open[l - 1] = 1;
		r->arr_key[l - 1] = r->key_of[l];
	}
	jw_obj(&r->w);
	for (i = 0; i < r->nset; i++) {
		const struct cell *x = &r->cur[r->order[i]];

		if (x->label || !r->jkey[r->order[i]])
			continue;
		jw_rawkeyn(&r->w, r->jkey[r->order[i]], r->jkeylen[r->order[i]]);
		json_cell(&r->w, x);
	}
	r->obj_open[l] = 1;
}

static void write_table(struct rows *r)
{
	const char **cells = xmalloc0(r->ntab, sizeof(*cells));
	char(*bufs)[32] = xmalloc0(r->ntab, sizeof(*bufs));
	size_t i;

	for (i = 0; i < r->ncols; i++) {
		const struct cell *x = &r->cur[i];
		size_t tc = r->tcol[i];
		int l;

		if (tc == r->ncols)
			continue;
		/* unset: the nearest ancestor's value, not its label */
		for (l = r->level - 1; !x->set && l >= 0; l--)
			if (r->lv[l][i].set) {
				if (!r->lv[l][i].label)
					x = &r->lv[l][i];
				break;
			}
		cells[tc] = x->set ? cell_text(x, bufs[tc], sizeof(bufs[tc])) : "";
	}
	table_add(r->t, cells);
	free(cells);
	free(bufs);
}

/* Write the current row, if any. */
static void flush_row(struct rows *r)
{
	if (r->level < 0)
		return;
	if (r->json && !r->table_only)
		write_json(r);
	else if (!r->json && !r->json_only)
		write_table(r);
	r->level = -1;
	r->json_only = r->table_only = 0;
}

/* JSON: close the objects of level l and deeper, and their arrays. */
static void close_level(struct rows *r, int l)
{
	int k;

	if (!r->json)
		return;
	for (k = ROWS_DEPTH - 1; k >= l; k--) {
		if (k < ROWS_DEPTH - 1 && r->arr_open[k])
			jw_end_arr(&r->w);
		if (r->obj_open[k])
			jw_end_obj(&r->w);
		if (k < ROWS_DEPTH - 1)
			r->arr_open[k] = 0;
		r->obj_open[k] = 0;
	}
}

/* Start a row of level l (1 and 2 in the array key of their parent). */
static void start_row(struct rows *r, int l, const char *key)
{
	int k;

	flush_row(r);
	close_level(r, l);
	if (r->json && l > 0 && r->arr_open[l - 1] && strcmp(r->arr_key[l - 1], key) != 0) {
		jw_end_arr(&r->w);
		r->arr_open[l - 1] = 0;
	}
	/* only the levels written since their last clear (a flat report has
	 * no child rows: 2 of its 3 levels are never written) */
	for (k = l; k < ROWS_DEPTH; k++)
		if (r->dirty[k]) {
			cells_clear(r->lv[k], r->ncols);
			r->dirty[k] = 0;
		}
	r->key_of[l] = key;
	r->cur = r->lv[l];
	r->dirty[l] = 1;
	r->nset = 0;
	r->level = l;
}

void rows_end(struct rows *r)
{
	flush_row(r);
	close_level(r, 0);
	cells_clear(r->lv[0], r->ncols);
}

void rows_row(struct rows *r)
{
	start_row(r, 0, NULL);
}

void rows_open(struct rows *r, const char *key)
{
	int l = r->level;

	flush_row(r);
	if (!r->json || l < 0 || l >= ROWS_DEPTH - 1 || !r->obj_open[l] || r->arr_open[l])
		return;
	jw_key(&r->w, key);
	jw_arr(&r->w);
	r->arr_open[l] = 1;
	r->arr_key[l] = key;
}

void rows_json_only(struct rows *r)
{
	r->json_only = 1;
}

void rows_table_only(struct rows *r)
{
	r->table_only = 1;
}

void rows_child(struct rows *r)
{
	start_row(r, 1, r->nest ? r->nest : "instances");
}

void rows_child_in(struct rows *r, const char *key)
{
	start_row(r, 1, key);
}

void rows_grandchild_in(struct rows *r, const char *key)
{
	start_row(r, 2, key);
}

static struct cell *slot(struct rows *r, size_t col)
{
	struct cell *x = &r->cur[col];

	if (!x->set)
		r->order[r->nset++] = col;
	if (!x->ref)
		free(x->s);
	free(x->shown);
	memset(x, 0, sizeof(*x));
	x->set = 1;
	return x;
}

void rows_str(struct rows *r, size_t col, const char *s)
{
	struct cell *x = slot(r, col);

	x->jk = J_STR;
	x->s = xstrdup(s);
}

int rows_json(const struct rows *r)
{
	return r->json;
}

void rows_str_ref(struct rows *r, size_t col, const char *s)
{
	struct cell *x = slot(r, col);

	/* never written through: s is only read until r is done */
	x->jk = J_STR;
	x->s = (char *)(uintptr_t)(s ? s : "");
	x->ref = 1;
}

void rows_label(struct rows *r, size_t col, const char *s)
{
	rows_str(r, col, s);
	r->cur[col].label = 1;
}

void rows_num(struct rows *r, size_t col, long long n)
{
	struct cell *x = slot(r, col);

	x->jk = J_NUM;
	x->n = n;
}

void rows_bool(struct rows *r, size_t col, int b)
{
	struct cell *x = slot(r, col);

	x->jk = J_BOOL;
	x->n = b != 0;
}

void rows_null(struct rows *r, size_t col)
{
	slot(r, col)->jk = J_NULL;
}

void rows_shown(struct rows *r, size_t col, const char *text)
{
	struct cell *x = &r->cur[col];

	if (!x->set)
		rows_null(r, col);
	if (r->json)
		return; /* the table's and CSV's only: JSON never shows it */
	free(x->shown);
	x->shown = xstrdup(text);
}

void rows_strs(struct rows *r, size_t col, const char *const *v, size_t n)
{
	struct cell *x = slot(r, col);
	size_t i, len = 0, o = 0;

	for (i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	x->jk = J_LIST;
	x->nlist = n;
	x->s = xmalloc0(len + 1, 1);
	x->shown = xmalloc0(len + 1, 1);
	for (i = 0; i < n; i++) {
		size_t l = strlen(v[i]);

		memcpy(x->s + o, v[i], l + 1);
		memcpy(x->shown + o, v[i], l);
		if (i + 1 < n)
			x->shown[o + l] = ' ';
		o += l + 1;
	}
}

void rows_count(struct rows *r, size_t col, long long n)
{
	char buf[32];

	if (n >= 0) {
		rows_num(r, col, n);
		return;
	}
	rows_null(r, col);
	snprintf(buf, sizeof(buf), "%lld", n);
	r->cur[col].shown = xstrdup(buf);
}

void rows_value(struct rows *r, size_t col, const struct hap_value *v, const char *shown)
{
	char buf[512];
	struct cell *x;

	if (v->kind == HAP_VALUE_NUMBER)
		rows_num(r, col, (long long)v->num);
	else if (v->kind == HAP_VALUE_TEXT) {
		x = slot(r, col);
		x->jk = J_STR;
		x->s = xmalloc0(v->len + 1, 1);
		memcpy(x->s, v->text, v->len);
	} else
		rows_null(r, col);
	x = &r->cur[col];
	if (r->json)
		return; /* the table's and CSV's only: JSON never shows it */
	if (shown)
		x->shown = xstrdup(shown);
	else if (v->kind != HAP_VALUE_NUMBER && v->kind != HAP_VALUE_TEXT)
		x->shown = xstrdup(value_str(v, buf, sizeof(buf)));
}

void rows_unreached(struct rows *r, const struct hap_snapshot *s, size_t name_col, size_t msg_col)
{
	flush_row(r);
	if (!r->json) {
		table_unreached(r->t, r->ntab, r->tcol[name_col], r->tcol[msg_col], s);
		return;
	}
	close_level(r, 1);
	if (r->obj_open[0] && !r->arr_open[0]) {
		jw_key(&r->w, r->nest ? r->nest : "instances");
		jw_arr(&r->w);
		r->arr_open[0] = 1;
		r->arr_key[0] = r->nest ? r->nest : "instances";
	}
	jw_unreached(&r->w, s);
}

void rows_done(struct rows *r)
{
	int i;

	flush_row(r);
	if (r->json) {
		close_level(r, 0);
		if (r->shape == ROWS_ARRAY)
			jw_end_arr(&r->w);
		jw_done(&r->w);
	} else {
		table_print(r->t, stdout, r->c->fmt == FMT_CSV);
	}
	for (i = 0; i < ROWS_DEPTH; i++) {
		cells_clear(r->lv[i], r->ncols);
		free(r->lv[i]);
	}
	for (i = 0; r->jkey && (size_t)i < r->ncols; i++)
		free(r->jkey[i]);
	free(r->jkey);
	free(r->jkeylen);
	free(r->order);
	free(r->tcol);
	free(r);
}

struct rows *metric_rows_new(struct cli *c, struct col cols[MC_N], const char *field, int backend,
                             int name, enum rows_shape shape)
{
	static const struct col tmpl[MC_N] = {
		{ "BACKEND", "backend", COL_TEXT },   { "NAME", "name", COL_TEXT },
		{ "INSTANCE", "endpoint", COL_TEXT }, { NULL, "metric", COL_TEXT },
		{ NULL, "rule", COL_TEXT },           { NULL, "value", COL_NUMBER },
		{ NULL, "disagree", COL_TEXT },
	};

	memcpy(cols, tmpl, sizeof(tmpl));
	if (!backend)
		cols[MC_BACKEND].head = NULL;
	if (!name)
		cols[MC_NAME].head = NULL;
	cols[MC_VALUE].head = field;
	return rows_new(c, cols, MC_N, shape, "instances");
}

void metric_rows_all(struct rows *r, int type, const char *field, const struct hap_value *v)
{
	rows_label(r, MC_INSTANCE, "(all)");
	rows_str(r, MC_METRIC, field);
	rows_str(r, MC_RULE, hap_rule_name(hap_field_rule(type, field)));
	rows_value(r, MC_VALUE, v, NULL);
	rows_bool(r, MC_DISAGREE, v->kind == HAP_VALUE_DISAGREE);
}

void metric_rows_one(struct rows *r, const char *endpoint, const struct hap_value *v)
{
	rows_child(r);
	rows_str(r, MC_INSTANCE, endpoint);
	rows_value(r, MC_VALUE, v, NULL);
}

/* ---------------------------------------------------------------- unreached */

/* Table rows of the instances of s that did not answer: the endpoint in
 * column name_col, "unreached: why" in column msg_col, "-" elsewhere. */
void table_unreached(struct table *t, size_t ncols, size_t name_col, size_t msg_col,
                     const struct hap_snapshot *s)
{
	const char *cells[32];
	char msgbuf[512];
	size_t i, k;

	if (!s || ncols > 32)
		return;
	for (i = 0; i < hap_snapshot_instance_count(s); i++) {
		const char *msg = hap_result_message(hap_snapshot_result(s), i);

		if (!hap_result_code(hap_snapshot_result(s), i))
			continue;
		for (k = 0; k < ncols; k++)
			cells[k] = "-";
		snprintf(msgbuf, sizeof(msgbuf), "unreached: %s", msg);
		cells[name_col] = hap_instance_name(s, i);
		cells[msg_col] = msgbuf;
		table_add(t, cells);
	}
}

/* JSON elements, into an open array, of the instances that did not answer:
 * {"endpoint": ..., "unreached": true, "error": ...}. */
void jw_unreached(struct jw *w, const struct hap_snapshot *s)
{
	size_t i;

	for (i = 0; s && i < hap_snapshot_instance_count(s); i++) {
		const char *msg = hap_result_message(hap_snapshot_result(s), i);

		if (!hap_result_code(hap_snapshot_result(s), i))
			continue;
		jw_obj(w);
		JW_KEY(w, "endpoint");
		jw_str(w, hap_instance_name(s, i));
		JW_KEY(w, "unreached");
		jw_bool(w, 1);
		JW_KEY(w, "error");
		jw_str(w, msg);
		jw_end_obj(w);
	}
}
