/*
 * top_keys.c - what a key does in `haproxyadmin top`: moving, filtering,
 * views and sorting, and the actions on servers (planned through the
 * library, confirmed, applied, reported on the status line). The loop and
 * the reader are in top.c; both share top_ui.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top.h"
#include "top_curses.h"
#include "top_ui.h"

/* ---------------------------------------------------------------- actions */

void top_pending_free(struct pending *p)
{
	size_t i;

	for (i = 0; i < p->nplans; i++) {
		hap_plan_free(p->plans[i]);
		free(p->names[i]);
	}
	free(p->plans);
	free(p->names);
	p->plans = NULL;
	p->names = NULL;
	p->nplans = 0;
}

/* The servers an action is for: the tagged ones, else the one under the cursor. */
static size_t selected_servers(struct top *t, const struct top_row ***out)
{
	size_t i, n = 0;
	const struct top_row **v;

	*out = NULL;
	for (i = 0; i < t->m.nrows; i++)
		if (t->m.rows[i].type == HAP_OBJ_SERVER && (t->m.rows[i].flags & TOP_ROW_TAGGED))
			n++;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return 0;
	if (n) {
		n = 0;
		for (i = 0; i < t->m.nrows; i++)
			if (t->m.rows[i].type == HAP_OBJ_SERVER &&
			    (t->m.rows[i].flags & TOP_ROW_TAGGED))
				v[n++] = &t->m.rows[i];
	} else if (t->view != VIEW_INST && t->sel < t->nlines &&
	           t->m.rows[t->lines[t->sel].row].type == HAP_OBJ_SERVER) {
		v[n++] = &t->m.rows[t->lines[t->sel].row];
	}
	*out = v;
	return n;
}

static const char *change_name(enum hap_server_change ch, const char *value)
{
	switch (ch) {
	case HAP_SERVER_WEIGHT:
		return "set weight";
	case HAP_SERVER_STATE:
		return value;
	case HAP_SERVER_SHUTDOWN_SESSIONS:
		return "shut down the sessions of";
	case HAP_SERVER_CHECK:
		return strcmp(value, "enable") == 0 ? "enable health checks on"
		                                    : "disable health checks on";
	case HAP_SERVER_AGENT_CHECK:
		return strcmp(value, "enable") == 0 ? "enable agent checks on"
		                                    : "disable agent checks on";
	default:
		return "change";
	}
}

/* Plan the change for every selected server and ask for a confirmation
 * naming the instances it touches. */
/* One plan per selected server into t->pend. 0, or -1 after the status
 * line names the server that cannot be changed (t->pend freed). */
static int plan_servers(struct top *t, const struct top_row **sv, size_t n,
                        enum hap_server_change ch, const char *value)
{
	struct pending *p = &t->pend;
	struct hap_error err = { 0, "" };
	size_t i;

	for (i = 0; i < n; i++) {
		struct hap_server_op op;
		int ret;

		memset(&op, 0, sizeof(op));
		op.change = ch;
		op.backend = sv[i]->backend;
		op.server = sv[i]->name;
		op.value = value;
		ret = hap_server_op_check(&op, &err);
		if (!ret)
			ret = hap_server_plan(&p->plans[p->nplans], t->c->h, &op, &err);
		if (ret) {
			top_set_status(t, 1, "%s/%s: %s", sv[i]->backend, sv[i]->name,
			               err.msg[0] ? err.msg : hap_strerror(ret));
			top_pending_free(p);
			return -1;
		}
		{
			size_t l = strlen(sv[i]->backend) + strlen(sv[i]->name) + 2;

			p->names[p->nplans] = malloc(l);
			if (p->names[p->nplans])
				snprintf(p->names[p->nplans], l, "%s/%s", sv[i]->backend,
				         sv[i]->name);
		}
		p->nplans++;
	}
	return 0;
}

/* The instances the plans touch, once each (by their index in the
 * fleet: two instances may share a display name), into insts
 * (space-separated): their count; *skipped counts the entries skipped
 * (socket level too low). */
static size_t plan_instances(struct top *t, char *insts, size_t len, size_t *skipped)
{
	struct pending *p = &t->pend;
	size_t i, e, k, ninst = 0, il = 0, nidx = 0;
	unsigned char *seen;

	for (i = 0; i < p->nplans; i++) {
		size_t n = hap_snapshot_instance_count(hap_plan_snapshot(p->plans[i]));

		nidx = n > nidx ? n : nidx;
	}
	seen = calloc(nidx ? nidx : 1, 1);
	for (i = 0; i < p->nplans; i++) {
		for (e = 0; e < hap_plan_count(p->plans[i]); e++) {
			const char *in = hap_plan_instance(p->plans[i], e);

			if (hap_plan_skip(p->plans[i], e, NULL))
				(*skipped)++;
			k = hap_plan_instance_index(p->plans[i], e);
			if (seen && (k >= nidx || seen[k]))
				continue;
			if (seen)
				seen[k] = 1;
			ninst++;
			if (il < len)
				il += (size_t)snprintf(insts + il, len - il, "%s%s", il ? " " : "",
				                       in);
		}
	}
	free(seen);
	return ninst;
}

static void plan_action(struct top *t, enum hap_server_change ch, const char *value)
{
	const struct top_row **sv;
	size_t n = selected_servers(t, &sv), ninst, skipped = 0;
	struct pending *p = &t->pend;
	char insts[512] = "";

	t->mode = MODE_NORMAL;
	top_pending_free(p);
	if (!n) {
		top_set_status(
		        t, 1,
		        "no server selected: move to a server row, or tag servers with space");
		free(sv);
		return;
	}
	p->change = ch;
	snprintf(p->value, sizeof(p->value), "%s", value ? value : "");
	p->plans = calloc(n, sizeof(*p->plans));
	p->names = calloc(n, sizeof(*p->names));
	if (!p->plans || !p->names) {
		top_set_status(t, 1, "out of memory");
		goto out;
	}
	if (plan_servers(t, sv, n, ch, value))
		goto out;
	ninst = plan_instances(t, insts, sizeof(insts), &skipped);
	if (n == 1)
		snprintf(p->what, sizeof(p->what), "%s", p->names[0] ? p->names[0] : "?");
	else
		snprintf(p->what, sizeof(p->what), "%zu servers", n);
	top_set_status(t, 0, "%s %s%s%s on %zu instance%s (%s)%s? [y/N]", change_name(ch, p->value),
	               p->what, ch == HAP_SERVER_WEIGHT ? " to " : "",
	               ch == HAP_SERVER_WEIGHT ? p->value : "", ninst, ninst == 1 ? "" : "s", insts,
	               skipped ? " (some skipped: socket level too low)" : "");
	t->mode = MODE_CONFIRM;
out:
	free(sv);
}

/* The engine's own word for entry e: applied only where it read the value
 * back, sent where it did not, unknown where no complete reply came. */
static const char *result_word(const struct hap_result *r, size_t e)
{
	return hap_outcome_name(hap_result_outcome(r, e));
}

static void apply_action(struct top *t)
{
	struct pending *p = &t->pend;
	struct hap_error err = { 0, "" };
	char msg[1024];
	size_t ml = 0, i, e, total = 0, failed = 0;

	t->mode = MODE_NORMAL;
	ml = (size_t)snprintf(msg, sizeof(msg), "%s %s%s%s:", change_name(p->change, p->value),
	                      p->what, p->change == HAP_SERVER_WEIGHT ? " to " : "",
	                      p->change == HAP_SERVER_WEIGHT ? p->value : "");
	for (i = 0; i < p->nplans; i++) {
		struct hap_result *r = NULL;
		int ret = hap_plan_apply(&r, p->plans[i], &err);

		if (ret) {
			failed++;
			if (ml < sizeof(msg))
				ml += (size_t)snprintf(msg + ml, sizeof(msg) - ml, " %s: %s",
				                       p->names[i] ? p->names[i] : "?",
				                       err.msg[0] ? err.msg : hap_strerror(ret));
			continue;
		}
		for (e = 0; e < hap_result_count(r); e++) {
			int code = hap_result_code(r, e);

			total++;
			if (code)
				failed++;
			if (ml >= sizeof(msg))
				continue;
			if (code)
				ml += (size_t)snprintf(
				        msg + ml, sizeof(msg) - ml, " %s%s%s %s (%s)",
				        p->nplans > 1 ? p->names[i] : "", p->nplans > 1 ? "@" : "",
				        hap_result_instance(r, e), result_word(r, e),
				        hap_result_message(r, e));
			else
				ml += (size_t)snprintf(
				        msg + ml, sizeof(msg) - ml, " %s%s%s %s",
				        p->nplans > 1 ? p->names[i] : "", p->nplans > 1 ? "@" : "",
				        hap_result_instance(r, e), result_word(r, e));
		}
		hap_result_free(r);
	}
	top_set_status(t, failed > 0, "%s", msg);
	top_pending_free(p);
	/* show the new state at once (a read in flight may predate the change) */
	t->want_refresh = 1;
	if (t->child > 0)
		t->next_at = 0;
}

/* ---------------------------------------------------------------- keys */

static void move_sel(struct top *t, long delta)
{
	size_t *sel = t->view == VIEW_INST ? &t->isel : &t->sel;
	size_t n = t->view == VIEW_INST ? t->m.ninst : t->nlines;

	if (!n)
		return;
	if (delta < 0)
		*sel = (size_t)-delta > *sel ? 0 : *sel - (size_t)-delta;
	else
		*sel = *sel + (size_t)delta >= n ? n - 1 : *sel + (size_t)delta;
}

static void relines(struct top *t)
{
	if (top_build_lines(t)) {
		top_set_status(t, 1, "out of memory");
		t->quit = 1;
	}
}

static void key_input(struct top *t, int ch)
{
	if (ch == 27) { /* Escape */
		if (t->mode == MODE_FILTER) {
			t->filter[0] = '\0';
			relines(t);
		}
		t->mode = MODE_NORMAL;
		return;
	}
	if (ch == '\r' || ch == '\n' || ch == KEY_ENTER) {
		if (t->mode == MODE_FILTER) {
			t->mode = MODE_NORMAL;
		} else {
			char v[128];

			snprintf(v, sizeof(v), "%s", t->input);
			plan_action(t, HAP_SERVER_WEIGHT, v);
		}
		return;
	}
	if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (t->ilen)
			t->input[--t->ilen] = '\0';
	} else if (ch >= 0x20 && ch < 0x7f && t->ilen + 1 < sizeof(t->input)) {
		t->input[t->ilen++] = (char)ch;
		t->input[t->ilen] = '\0';
	} else {
		return;
	}
	if (t->mode == MODE_FILTER) {
		snprintf(t->filter, sizeof(t->filter), "%s", t->input);
		relines(t);
	}
}

static void start_input(struct top *t, enum mode mode, const char *init)
{
	t->mode = mode;
	snprintf(t->input, sizeof(t->input), "%s", init);
	t->ilen = strlen(t->input);
}

static int actions_allowed(struct top *t)
{
	if (t->read_only) {
		top_set_status(t, 1, "read-only: actions are disabled");
		return 0;
	}
	return 1;
}

/* ------------------------------------------------------------- the keys */

struct key_row;
/* A key's handler: r is the selected row (NULL on the instances view or
 * when none is selected), k the key's own row of the table. */
typedef void (*key_fn)(struct top *t, const struct key_row *k, struct top_row *r);

struct key_row {
	int key;
	key_fn fn;
	long arg;                      /* move: the step (MOVE_*); view: its number */
	enum hap_server_change change; /* actions: what they plan */
	const char *value;             /* actions: the state they set */
};

/* The steps of the moving keys: a line, a page, to the first or last row. */
enum { MOVE_LINE = 1, MOVE_PAGE = 2, MOVE_ALL = 3 };

static void key_quit(struct top *t, const struct key_row *k, struct top_row *r)
{
	(void)k;
	(void)r;
	t->quit = 1;
}

static void key_view(struct top *t, const struct key_row *k, struct top_row *r)
{
	(void)r;
	if (t->sort_col >= top_ncols(top_view_cols((int)k->arg)))
		t->sort_col = 0;
	t->view = (int)k->arg;
	if (t->view != VIEW_INST)
		relines(t);
	/* a view's own fields are read at once (rates need two reads) */
	if ((t->m.mask & top_view_mask(t->view)) != top_view_mask(t->view))
		t->want_refresh = 1;
}

static void key_move(struct top *t, const struct key_row *k, struct top_row *r)
{
	long step = k->arg < 0 ? -k->arg : k->arg, dir = k->arg < 0 ? -1 : 1;

	(void)r;
	if (step == MOVE_LINE)
		move_sel(t, dir);
	else if (step == MOVE_PAGE)
		move_sel(t, dir * (long)top_table_height());
	else
		move_sel(t, dir * (long)(t->nlines + t->m.ninst + 1));
}

static void key_filter(struct top *t, const struct key_row *k, struct top_row *r)
{
	(void)k;
	(void)r;
	/* a new filter, as in less: typed from scratch, shown as typed */
	start_input(t, MODE_FILTER, "");
	t->filter[0] = '\0';
	relines(t);
}

static void key_escape(struct top *t, const struct key_row *k, struct top_row *r)
{
	(void)k;
	(void)r;
	if (t->filter[0]) {
		t->filter[0] = '\0';
		relines(t);
	}
}

/* s: the next sort column; S (arg 1): the order reversed. */
static void key_sort(struct top *t, const struct key_row *k, struct top_row *r)
{
	(void)r;
	if (t->view == VIEW_INST)
		return;
	if (k->arg)
		t->sort_rev = !t->sort_rev;
	else
		t->sort_col = (t->sort_col + 1) % top_ncols(top_view_cols(t->view));
	relines(t);
	top_set_status(t, 0, "sorted by %s%s", top_view_cols(t->view)[t->sort_col].title,
	               t->sort_rev ? " (reversed)" : "");
}

static void key_expand(struct top *t, const struct key_row *k, struct top_row *r)
{
	(void)k;
	if (r) {
		r->flags ^= TOP_ROW_EXPANDED;
		t->m.flagged = 1;
		relines(t);
	}
}

static void key_fold(struct top *t, const struct key_row *k, struct top_row *r)
{
	(void)k;
	if (r) {
		struct top_row *g = &t->m.rows[r->group];

		if (g->type == HAP_OBJ_BACKEND) {
			g->flags ^= TOP_ROW_FOLDED;
			t->m.flagged = 1;
			relines(t);
			top_reselect(t, g->type, NULL, g->name, -1);
		}
	}
}

static void key_tag(struct top *t, const struct key_row *k, struct top_row *r)
{
	(void)k;
	if (r && r->type == HAP_OBJ_SERVER) {
		r->flags ^= TOP_ROW_TAGGED;
		t->m.flagged = 1;
		move_sel(t, 1);
	}
}

static void key_untag(struct top *t, const struct key_row *k, struct top_row *r)
{
	(void)k;
	(void)r;
	for (size_t i = 0; i < t->m.nrows; i++)
		t->m.rows[i].flags &= (uint8_t)~TOP_ROW_TAGGED;
}

static void key_weight(struct top *t, const struct key_row *k, struct top_row *r)
{
	(void)k;
	(void)r;
	if (actions_allowed(t)) {
		snprintf(t->pend.what, sizeof(t->pend.what), "set weight");
		start_input(t, MODE_WEIGHT, "");
	}
}

/* d, m, r, K: plan the row's change at once (then confirm). */
static void key_action(struct top *t, const struct key_row *k, struct top_row *r)
{
	(void)r;
	if (actions_allowed(t))
		plan_action(t, k->change, k->value);
}

/* h, a: the check to change; e or d then chooses enable or disable. */
static void key_check(struct top *t, const struct key_row *k, struct top_row *r)
{
	(void)r;
	if (actions_allowed(t)) {
		t->choose_change = k->change;
		t->mode = MODE_CHOOSE;
	}
}

static void key_redraw(struct top *t, const struct key_row *k, struct top_row *r)
{
	(void)t;
	(void)k;
	(void)r;
	clearok(stdscr, TRUE);
}

static const struct key_row keys[] = {
	{ 'q', key_quit, 0, 0, NULL },
	{ 'Q', key_quit, 0, 0, NULL },
	{ '1', key_view, 1, 0, NULL },
	{ '2', key_view, 2, 0, NULL },
	{ '3', key_view, 3, 0, NULL },
	{ '4', key_view, 4, 0, NULL },
	{ KEY_UP, key_move, -MOVE_LINE, 0, NULL },
	{ 'k', key_move, -MOVE_LINE, 0, NULL },
	{ KEY_DOWN, key_move, MOVE_LINE, 0, NULL },
	{ 'j', key_move, MOVE_LINE, 0, NULL },
	{ KEY_PPAGE, key_move, -MOVE_PAGE, 0, NULL },
	{ KEY_NPAGE, key_move, MOVE_PAGE, 0, NULL },
	{ ' ' + 0x100, key_move, MOVE_PAGE, 0, NULL }, /* unused */
	{ KEY_HOME, key_move, -MOVE_ALL, 0, NULL },
	{ 'g', key_move, -MOVE_ALL, 0, NULL },
	{ KEY_END, key_move, MOVE_ALL, 0, NULL },
	{ 'G', key_move, MOVE_ALL, 0, NULL },
	{ '/', key_filter, 0, 0, NULL },
	{ 27, key_escape, 0, 0, NULL },
	{ 's', key_sort, 0, 0, NULL },
	{ 'S', key_sort, 1, 0, NULL },
	{ '\r', key_expand, 0, 0, NULL },
	{ '\n', key_expand, 0, 0, NULL },
	{ KEY_ENTER, key_expand, 0, 0, NULL },
	{ 'b', key_fold, 0, 0, NULL },
	{ ' ', key_tag, 0, 0, NULL },
	{ 'u', key_untag, 0, 0, NULL },
	{ 'w', key_weight, 0, 0, NULL },
	{ 'd', key_action, 0, HAP_SERVER_STATE, "drain" },
	{ 'm', key_action, 0, HAP_SERVER_STATE, "maint" },
	{ 'r', key_action, 0, HAP_SERVER_STATE, "ready" },
	{ 'K', key_action, 0, HAP_SERVER_SHUTDOWN_SESSIONS, NULL },
	{ 'h', key_check, 0, HAP_SERVER_CHECK, NULL },
	{ 'a', key_check, 0, HAP_SERVER_AGENT_CHECK, NULL },
	{ 12, key_redraw, 0, 0, NULL }, /* Ctrl-L */
};

/* The modes that take the next key themselves: 1 when the key was theirs. */
static int key_mode(struct top *t, int ch)
{
	if (t->mode == MODE_FILTER || t->mode == MODE_WEIGHT) {
		key_input(t, ch);
		return 1;
	}
	if (t->mode == MODE_CHOOSE) {
		t->mode = MODE_NORMAL;
		if (ch == 'e' || ch == 'd')
			plan_action(t, t->choose_change, ch == 'e' ? "enable" : "disable");
		return 1;
	}
	if (t->mode == MODE_CONFIRM) {
		if (ch == 'y' || ch == 'Y') {
			apply_action(t);
		} else {
			t->mode = MODE_NORMAL;
			top_pending_free(&t->pend);
			top_set_status(t, 0, "cancelled: nothing was sent");
		}
		return 1;
	}
	return 0;
}

static void handle_key(struct top *t, int ch)
{
	struct top_row *r = NULL;
	size_t i;

	if (key_mode(t, ch))
		return;
	if (t->view != VIEW_INST && t->sel < t->nlines)
		r = &t->m.rows[t->lines[t->sel].row];
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (keys[i].key == ch) {
			keys[i].fn(t, &keys[i], r);
			return;
		}
	}
}

/* A key's answer on the status line stays there for TOP_STATUS_HOLD_S
 * seconds before a refresh may put its health summary in its place. */
#define TOP_STATUS_HOLD_S 3.0

void top_handle_key(struct top *t, int ch)
{
	unsigned gen = t->status_gen;

	if (ch == KEY_RESIZE)
		return;
	handle_key(t, ch);
	if (t->status_gen != gen)
		t->status_hold = top_now_s() + TOP_STATUS_HOLD_S;
}
