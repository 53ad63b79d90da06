/*
 * top_draw.c - what `haproxyadmin top` draws: the cells of merged and
 * per-instance rows, and the screen (the order of the lines is in
 * top_lines.c). Only the visible rows are formatted. The loop, the reader and the keys
 * are in top.c; both share top_ui.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top.h"
#include "top_curses.h"
#include "top_ui.h"

static int attr_of(struct top *t, int pair, unsigned fallback)
{
	return t->color ? (int)COLOR_PAIR(pair) : (int)fallback;
}

#define A_REV ((int)A_REVERSE)
#define A_BLD ((int)A_BOLD)

/* ---------------------------------------------------------------- formatting */

static void fmt_num(char *buf, size_t len, int64_t v, int width)
{
	static const char suf[] = "KMGTPE";
	double d;
	int i;

	if (v == TOP_ABSENT) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%lld", (long long)v);
	if ((int)strlen(buf) <= width)
		return;
	d = (double)v;
	for (i = 0; suf[i]; i++) {
		d /= 1000;
		snprintf(buf, len, "%.1f%c", d, suf[i]);
		if ((int)strlen(buf) <= width)
			return;
		snprintf(buf, len, "%.0f%c", d, suf[i]);
		if ((int)strlen(buf) <= width)
			return;
	}
}

static void fmt_bytes(char *buf, size_t len, double v)
{
	static const char suf[] = "BKMGTPE";
	int i = 0;

	while (v >= 1024 && suf[i + 1]) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, v < 10 ? "%.1f%c" : "%.0f%c", v, suf[i]);
}

static void fmt_age(char *buf, size_t len, int64_t s)
{
	if (s == TOP_ABSENT || s < 0)
		snprintf(buf, len, "-");
	else if (s < 60)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600),
		         (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%lldd%02lldh", (long long)(s / 86400),
		         (long long)(s % 86400 / 3600));
}

static void fmt_value(char *buf, size_t len, const struct col *c, int64_t v, int width)
{
	if (c->kind == COL_FIELD && top_field_is_text(c->idx))
		snprintf(buf, len, "%s", v == TOP_ABSENT ? "-" : top_text(v));
	else if (c->kind == COL_BYTES)
		v == TOP_ABSENT ? (void)snprintf(buf, len, "-") : fmt_bytes(buf, len, (double)v);
	else if (c->kind == COL_AGE)
		fmt_age(buf, len, v);
	else
		fmt_num(buf, len, v, width);
}

static void fmt_rate(char *buf, size_t len, const struct col *c, float r)
{
	if (r < 0)
		snprintf(buf, len, "-");
	else if (c->kind == COL_BRATE)
		fmt_bytes(buf, len, r);
	else if (r < 10 && r != (float)(int)r)
		snprintf(buf, len, "%.1f", (double)r);
	else
		snprintf(buf, len, "%.0f", (double)r);
}

/* ---------------------------------------------------------------- drawing */

static void put(int y, int x, int w, const char *s, int attr, int right)
{
	int len = (int)strlen(s);

	/* clipped at the right edge: a cell never wraps onto the next line */
	if (y < 0 || y >= LINES || x >= COLS)
		return;
	if (x + w > COLS)
		w = COLS - x;
	if (w <= 0)
		return;
	if (attr)
		attron(attr);
	if (len > w)
		len = w;
	if (right)
		mvprintw(y, x, "%*.*s", w, len, s);
	else
		mvprintw(y, x, "%-*.*s", w, len, s);
	if (attr)
		attroff(attr);
}

static int name_width(const struct col *cs, int width)
{
	int i, rest = 0;

	for (i = 1; cs[i].title; i++)
		rest += cs[i].width + 1;
	/* names matter more than the last columns: those are clipped first */
	width -= rest + 1;
	if (width < 28)
		width = COLS / 2 < 28 ? (COLS / 2 > 12 ? COLS / 2 : 12) : 28;
	return width;
}

const char *top_inst_health(const struct top *t, const struct top_inst *in, int *bad)
{
	static char buf[256];
	double age = t->m.at - in->restarted_at;

	*bad = 0;
	if (in->status) {
		const char *kind = "error";

		*bad = 2;
		if (in->status == HAP_EBUSY || in->status == HAP_ETIMEDOUT)
			kind = "hung";
		else if (in->status == HAP_ECONNREFUSED || in->status == HAP_ENOENT)
			kind = "dead";
		snprintf(buf, sizeof(buf), "%s: %s", kind, in->msg);
		return buf;
	}
	if (in->flags & HAP_INST_DUPLICATE)
		return "duplicate (ignored)";
	if (in->restarted && age < 30) {
		*bad = 1;
		return "restarted";
	}
	if (in->flags & HAP_INST_OLD_WORKER) {
		*bad = 1;
		return "old worker (draining)";
	}
	return "ok";
}

void top_inst_cell(char *buf, size_t len, const struct top *t, const struct top_inst *in, int idx,
                   int *attr)
{
	int bad;

	*attr = 0;
	switch (idx) {
	case 0:
		snprintf(buf, len, "%s", in->name);
		break;
	case 1:
		snprintf(buf, len, "%s", top_inst_health(t, in, &bad));
		if (bad)
			*attr = bad == 2 ? attr_of((struct top *)t, C_BAD, A_BLD)
			                 : attr_of((struct top *)t, C_WARN, A_BLD);
		else
			*attr = attr_of((struct top *)t, C_OK, 0);
		break;
	case 2:
		snprintf(buf, len, "%s", in->status ? "-" : in->node);
		break;
	case 3:
		fmt_num(buf, len, in->status ? TOP_ABSENT : in->pid, 8);
		break;
	case 4:
		snprintf(buf, len, "%s", in->status ? "-" : in->version);
		break;
	case 5:
		fmt_age(buf, len, in->status ? TOP_ABSENT : in->uptime);
		break;
	case 6:
		fmt_num(buf, len, in->status ? TOP_ABSENT : in->connrate, 7);
		break;
	case 7:
		fmt_num(buf, len, in->status ? TOP_ABSENT : in->idle, 6);
		break;
	default:
		fmt_num(buf, len, in->status ? TOP_ABSENT : in->conns, 7);
		break;
	}
}

static int status_attr(struct top *t, const char *s)
{
	if (strncmp(s, "UP", 2) == 0 || strcmp(s, "OPEN") == 0 || strncmp(s, "L7OK", 4) == 0 ||
	    strncmp(s, "L4OK", 4) == 0 || strncmp(s, "L6OK", 4) == 0)
		return attr_of(t, C_OK, 0);
	if (strncmp(s, "DOWN", 4) == 0 || strstr(s, "ERR") || strstr(s, "TOUT") || strstr(s, "CON"))
		return attr_of(t, C_BAD, A_BOLD);
	if (strncmp(s, "MAINT", 5) == 0 || strncmp(s, "DRAIN", 5) == 0 ||
	    strncmp(s, "NOLB", 4) == 0 || strncmp(s, "no check", 8) == 0)
		return strncmp(s, "no check", 8) == 0 ? 0 : attr_of(t, C_WARN, A_BOLD);
	return 0;
}

/* The cell of column c for a merged row (k < 0) or its k-th instance. */
static void row_cell(struct top *t, const struct top_row *r, int32_t k, const struct col *c,
                     int width, char *buf, size_t len, int *attr)
{
	*attr = 0;
	if (c->kind == COL_INST) {
		if (k < 0)
			snprintf(buf, len, "%u", (unsigned)r->n);
		else
			snprintf(buf, len, "%s",
			         (t->m.inst[r->inst[k]].flags & HAP_INST_OLD_WORKER) ? "old" : "");
		return;
	}
	if (c->kind == COL_RATE || c->kind == COL_BRATE) {
		fmt_rate(buf, len, c,
		         k < 0 ? r->agg_rate[c->idx]
		               : r->rate[(size_t)k * TR_COUNT + (size_t)c->idx]);
		return;
	}
	if (k < 0) {
		if (r->disagree & (1u << c->idx)) {
			/* the table's "7|1": the first two distinct values, marked */
			char a[64], b[64];
			int64_t v0 = r->v[c->idx], v1 = v0;
			size_t j;

			for (j = 1; j < r->n; j++)
				if (r->v[j * TF_COUNT + (size_t)c->idx] != v0) {
					v1 = r->v[j * TF_COUNT + (size_t)c->idx];
					break;
				}
			fmt_value(a, sizeof(a), c, v0, width);
			fmt_value(b, sizeof(b), c, v1, width);
			snprintf(buf, len, "%s|%s", a, b);
			*attr = attr_of(t, C_DIS, A_UNDERLINE | A_BOLD);
			return;
		}
		fmt_value(buf, len, c, r->agg[c->idx], width);
	} else {
		int64_t v = r->v[(size_t)k * TF_COUNT + (size_t)c->idx];

		fmt_value(buf, len, c, v, width);
		if (r->disagree & (1u << c->idx)) {
			/* marked when it differs from the value most instances hold */
			size_t j, same = 0, best = 0, jj;

			for (j = 0; j < r->n; j++) {
				size_t cnt = 0;

				for (jj = 0; jj < r->n; jj++)
					cnt += r->v[jj * TF_COUNT + (size_t)c->idx] ==
					       r->v[j * TF_COUNT + (size_t)c->idx];
				if (cnt > best)
					best = cnt;
				if (r->v[j * TF_COUNT + (size_t)c->idx] == v)
					same = cnt;
			}
			if (same < best || best * 2 <= r->n)
				*attr = attr_of(t, C_DIS, A_UNDERLINE | A_BOLD);
		}
	}
	if (!*attr && c->kind == COL_FIELD && top_field_is_text(c->idx))
		*attr = status_attr(t, buf);
}

static void row_name(struct top *t, const struct top_row *r, int32_t k, char *buf, size_t len)
{
	if (k >= 0) {
		const struct top_inst *in = &t->m.inst[r->inst[k]];

		snprintf(buf, len, "      @ %s%s", in->name,
		         (in->flags & HAP_INST_OLD_WORKER) ? " (old)" : "");
		return;
	}
	switch (r->type) {
	case HAP_OBJ_FRONTEND:
		snprintf(buf, len, "%c fe %s", (r->flags & TOP_ROW_EXPANDED) ? '-' : ' ', r->name);
		break;
	case HAP_OBJ_BACKEND:
		snprintf(buf, len, "%c be %s%s", (r->flags & TOP_ROW_EXPANDED) ? '-' : ' ', r->name,
		         (r->flags & TOP_ROW_FOLDED) ? " [folded]" : "");
		break;
	default:
		snprintf(buf, len, "%c%c   %s/%s", (r->flags & TOP_ROW_TAGGED) ? '*' : ' ',
		         (r->flags & TOP_ROW_EXPANDED) ? '-' : ' ', r->backend, r->name);
		break;
	}
}

size_t top_table_height(void)
{
	return LINES > 5 ? (size_t)LINES - 4 : 1;
}

static void clamp(size_t *sel, size_t *first, size_t n)
{
	size_t h = top_table_height();

	if (!n) {
		*sel = *first = 0;
		return;
	}
	if (*sel >= n)
		*sel = n - 1;
	if (*first > *sel)
		*first = *sel;
	if (*sel >= *first + h)
		*first = *sel - h + 1;
	if (*first + h > n)
		*first = n > h ? n - h : 0;
}

/* The header: the fleet at a glance. */
static void draw_header(struct top *t, int w)
{
	size_t j, bad = 0, old = 0, ok = 0;
	char buf[512];

	for (j = 0; j < t->m.ninst; j++) {
		if (t->m.inst[j].status)
			bad++;
		else if (t->m.inst[j].flags & HAP_INST_OLD_WORKER)
			old++;
		else if (!(t->m.inst[j].flags & HAP_INST_DUPLICATE))
			ok++;
	}
	snprintf(buf, sizeof(buf),
	         "haproxyadmin top  [%d] %s  instances: %zu ok%s%.0zu%s%s%.0zu%s  rows: %zu/%zu  "
	         "every %.1fs%s%s%s",
	         t->view,
	         t->view == VIEW_STATUS    ? "status"
	         : t->view == VIEW_TRAFFIC ? "traffic"
	         : t->view == VIEW_HTTP    ? "HTTP"
	                                   : "instances",
	         ok, bad ? ", " : "", bad, bad ? " down" : "", old ? ", " : "", old,
	         old ? " old" : "", t->nlines, t->m.nrows, t->interval_ms / 1000.0,
	         t->child > 0 ? "  reading..." : "", t->filter[0] ? "  filter: " : "", t->filter);
	put(0, 0, w, buf, bad ? attr_of(t, C_BAD, A_BOLD) : A_BLD, 0);
}

/* The column titles, the sort column marked. */
static void draw_titles(struct top *t, const struct col *cs, int w, int nw)
{
	char cell[256];
	int x, i;

	move(1, 0);
	x = 0;
	for (i = 0; cs[i].title; i++) {
		int cw = i == 0 ? nw : cs[i].width;

		snprintf(cell, sizeof(cell), "%s%s", cs[i].title,
		         t->view != VIEW_INST && i == t->sort_col && (t->sort_col || t->sort_rev)
		                 ? (t->sort_rev ? "v" : "^")
		                 : "");
		put(1, x, cw, cell, attr_of(t, C_HEAD, A_REVERSE),
		    t->view == VIEW_INST ? i > 2 && i != 4 : i != 0);
		x += cw;
		if (x < w)
			put(1, x, 1, " ", attr_of(t, C_HEAD, A_REVERSE), 0);
		x++;
	}
	if (x < w)
		put(1, x, w - x, "", attr_of(t, C_HEAD, A_REVERSE), 0);
}

/* The instances view: one line per instance. */
static void draw_instances(struct top *t, const struct col *cs, int nw, size_t h)
{
	char cell[256];
	size_t j;
	int x, i, y;

	clamp(&t->isel, &t->ifirst, t->m.ninst);
	for (j = 0; j < h && t->ifirst + j < t->m.ninst; j++) {
		const struct top_inst *in = &t->m.inst[t->ifirst + j];
		int selected = t->ifirst + j == t->isel;

		y = 2 + (int)j;
		x = 0;
		for (i = 0; cs[i].title; i++) {
			int cw = i == 0 ? nw : cs[i].width, a;

			top_inst_cell(cell, sizeof(cell), t, in, i, &a);
			put(y, x, cw, cell, selected ? A_REV : a, i > 2 && i != 4);
			x += cw + 1;
		}
	}
}

/* The other views: the visible lines of objects. */
static void draw_rows(struct top *t, const struct col *cs, int w, int nw, size_t h)
{
	char cell[256];
	size_t j;
	int x, i, y;

	if (!t->have)
		put(2, 0, w, t->m.err[0] ? t->m.err : "reading the fleet...", 0, 0);
	clamp(&t->sel, &t->first, t->nlines);
	for (j = 0; j < h && t->first + j < t->nlines; j++) {
		const struct line *l = &t->lines[t->first + j];
		const struct top_row *r = &t->m.rows[l->row];
		int selected = t->first + j == t->sel;

		y = 2 + (int)j;
		row_name(t, r, l->k, cell, sizeof(cell));
		put(y, 0, nw, cell,
		    selected ? A_REV : (r->type == HAP_OBJ_SERVER || l->k >= 0 ? 0 : A_BLD), 0);
		x = nw + 1;
		for (i = 1; cs[i].title; i++) {
			int a;

			row_cell(t, r, l->k, &cs[i], cs[i].width, cell, sizeof(cell), &a);
			put(y, x, cs[i].width, cell, selected ? (a | A_REV) : a, 1);
			x += cs[i].width + 1;
		}
	}
}

/* The status line and the help line, after the mode. */
static void draw_status(struct top *t, int w)
{
	char buf[512];
	const char *help;

	switch (t->mode) {
	case MODE_FILTER:
		snprintf(buf, sizeof(buf), "filter: %s", t->input);
		put(LINES - 2, 0, w, buf, A_BLD, 0);
		help = "type a part of a backend or server name; Enter keeps it, Escape clears";
		break;
	case MODE_WEIGHT:
		snprintf(buf, sizeof(buf), "%s: weight (0-256 or N%%): %s", t->pend.what, t->input);
		put(LINES - 2, 0, w, buf, A_BLD, 0);
		help = "Enter: plan the change (a confirmation follows)  Escape: cancel";
		break;
	case MODE_CHOOSE:
		put(LINES - 2, 0, w,
		    t->choose_change == HAP_SERVER_CHECK ? "health checks: e enable, d disable"
		                                         : "agent checks: e enable, d disable",
		    A_BLD, 0);
		help = "e / d, Escape: cancel";
		break;
	case MODE_CONFIRM:
		put(LINES - 2, 0, w, t->status, attr_of(t, C_WARN, A_BOLD), 0);
		help = "y: apply  n / Escape: cancel";
		break;
	default:
		put(LINES - 2, 0, w, t->status, t->status_bad ? attr_of(t, C_BAD, A_BOLD) : 0, 0);
		help = t->read_only
		               ? "1-4 views  Enter expand  / filter  s/S sort  b fold  space tag  "
		                 "q quit  (read-only)"
		               : "1-4 views  Enter expand  / filter  s/S sort  b fold  space tag  "
		                 "w weight d drain m maint r ready K kill h/a checks  q quit";
		break;
	}
	put(LINES - 1, 0, w, help, A_REV, 0);
}

void top_draw(struct top *t)
{
	const struct col *cs = top_view_cols(t->view);
	int w = COLS, nw = name_width(cs, COLS);
	size_t h = top_table_height();

	erase();
	draw_header(t, w);
	draw_titles(t, cs, w, nw);
	if (t->view == VIEW_INST)
		draw_instances(t, cs, nw, h);
	else
		draw_rows(t, cs, w, nw, h);
	draw_status(t, w);
	refresh();
}
