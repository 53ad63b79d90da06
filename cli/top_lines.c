/*
 * top_lines.c - the order of the lines of `haproxyadmin top`: the natural
 * order of the model, the filter, the sort, the folds and the expansions,
 * and the cursor found again after a read. The cells and the screen are in
 * top_draw.c; both share top_ui.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top.h"
#include "top_ui.h"

/* Frontends, then each backend followed by its servers (both lists come
 * sorted from the library), then servers without a backend row. */
int top_build_natural(struct top *t)
{
	struct top_model *m = &t->m;
	size_t i, nfe = 0, nbe = 0, j, out = 0, s0;
	uint32_t *nat = malloc((m->nrows ? m->nrows : 1) * sizeof(*nat));
	char *placed = calloc(m->nrows ? m->nrows : 1, 1);

	if (!nat || !placed) {
		free(nat);
		free(placed);
		return -1;
	}
	for (i = 0; i < m->nrows; i++) {
		if (m->rows[i].type == HAP_OBJ_FRONTEND)
			nfe++;
		else if (m->rows[i].type == HAP_OBJ_BACKEND)
			nbe++;
	}
	for (i = 0; i < nfe; i++) {
		nat[out++] = (uint32_t)i;
		placed[i] = 1;
	}
	s0 = nfe + nbe;
	j = s0;
	for (i = nfe; i < s0; i++) {
		struct top_row *b = &m->rows[i];

		nat[out++] = (uint32_t)i;
		placed[i] = 1;
		while (j < m->nrows && strcmp(m->rows[j].backend, b->name) < 0)
			j++;
		while (j < m->nrows && strcmp(m->rows[j].backend, b->name) == 0) {
			m->rows[j].group = (uint32_t)i;
			nat[out++] = (uint32_t)j;
			placed[j] = 1;
			j++;
		}
	}
	for (i = 0; i < m->nrows; i++)
		if (!placed[i])
			nat[out++] = (uint32_t)i;
	free(placed);
	free(t->natural);
	t->natural = nat;
	t->nnatural = out;
	return 0;
}

static int row_matches(const struct top *t, const struct top_row *r)
{
	const char *slash;

	if (!t->filter[0])
		return 1;
	slash = strchr(t->filter, '/');
	if (slash && r->backend) {
		/* "BACKEND/SERVER": a part of each */
		char b[256];
		size_t n = (size_t)(slash - t->filter);

		memcpy(b, t->filter, n);
		b[n] = '\0';
		return strstr(r->backend, b) && strstr(r->name, slash + 1);
	}
	if (strstr(r->name, t->filter))
		return 1;
	return r->backend && strstr(r->backend, t->filter) != NULL;
}

static struct top *sort_ctx;

static int cmp_rows(const void *a, const void *b)
{
	const struct top *t = sort_ctx;
	const struct col *c = &top_view_cols(t->view)[t->sort_col];
	const struct top_row *x = &t->m.rows[*(const uint32_t *)a];
	const struct top_row *y = &t->m.rows[*(const uint32_t *)b];
	int r = 0;

	if (c->kind == COL_NAME) {
		const char *xb = x->backend ? x->backend : x->name;
		const char *yb = y->backend ? y->backend : y->name;

		r = strcmp(xb, yb);
		if (!r)
			r = strcmp(x->name, y->name);
	} else if (c->kind == COL_RATE || c->kind == COL_BRATE) {
		float u = x->agg_rate[c->idx], v = y->agg_rate[c->idx];

		r = u < v ? -1 : u > v;
	} else if (c->kind == COL_INST) {
		r = (x->n > y->n) - (x->n < y->n);
	} else if (top_field_is_text(c->idx)) {
		int64_t u = x->agg[c->idx], v = y->agg[c->idx];

		r = strcmp(u == TOP_ABSENT ? "" : top_text(u), v == TOP_ABSENT ? "" : top_text(v));
	} else {
		int64_t u = x->agg[c->idx], v = y->agg[c->idx];

		r = u < v ? -1 : u > v;
	}
	if (t->sort_rev)
		r = -r;
	if (!r)
		r = (*(const uint32_t *)a > *(const uint32_t *)b) -
		    (*(const uint32_t *)a < *(const uint32_t *)b);
	return r;
}

static int push_line(struct top *t, uint32_t row, int32_t k)
{
	if (t->nlines == t->lcap) {
		size_t cap = t->lcap ? t->lcap * 2 : 1024;
		struct line *nl = realloc(t->lines, cap * sizeof(*nl));

		if (!nl)
			return -1;
		t->lines = nl;
		t->lcap = cap;
	}
	t->lines[t->nlines].row = row;
	t->lines[t->nlines].k = k;
	t->nlines++;
	return 0;
}

/* Rebuild the lines from the model, the filter, the sort, the folds and
 * the expansions; the cursor stays on the same object when it is still shown. */
int top_build_lines(struct top *t)
{
	struct top_model *m = &t->m;
	const struct top_row *selr = NULL;
	int32_t selk = -1;
	uint32_t *order = NULL;
	size_t i, n = 0;
	int ret = 0;

	if (t->sel < t->nlines && t->lines[t->sel].row < m->nrows) {
		selr = &m->rows[t->lines[t->sel].row];
		selk = t->lines[t->sel].k;
	}
	t->nlines = 0;
	order = malloc((t->nnatural ? t->nnatural : 1) * sizeof(*order));
	if (!order)
		return -1;
	for (i = 0; i < t->nnatural; i++) {
		const struct top_row *r = &m->rows[t->natural[i]];

		if (!row_matches(t, r))
			continue;
		if (r->type == HAP_OBJ_SERVER && r->group != t->natural[i] &&
		    (m->rows[r->group].flags & TOP_ROW_FOLDED))
			continue;
		order[n++] = t->natural[i];
	}
	if (t->sort_col > 0 || t->sort_rev) {
		sort_ctx = t;
		qsort(order, n, sizeof(*order), cmp_rows);
	}
	for (i = 0; i < n && !ret; i++) {
		const struct top_row *r = &m->rows[order[i]];
		int32_t k;

		ret = push_line(t, order[i], -1);
		if (r->flags & TOP_ROW_EXPANDED)
			for (k = 0; k < r->n && !ret; k++)
				ret = push_line(t, order[i], k);
	}
	free(order);
	t->sel = 0;
	if (selr) {
		for (i = 0; i < t->nlines; i++)
			if (&m->rows[t->lines[i].row] == selr && t->lines[i].k == selk) {
				t->sel = i;
				break;
			}
	}
	return ret;
}

/* After a new read: find the selected object again by name. */
void top_reselect(struct top *t, int type, const char *backend, const char *name, int32_t k)
{
	size_t i;

	t->sel = 0;
	if (!name)
		return;
	for (i = 0; i < t->nlines; i++) {
		const struct top_row *r = &t->m.rows[t->lines[i].row];

		if (r->type == type && t->lines[i].k == k && strcmp(r->name, name) == 0 &&
		    ((!backend && !r->backend) ||
		     (backend && r->backend && strcmp(backend, r->backend) == 0))) {
			t->sel = i;
			return;
		}
	}
}
