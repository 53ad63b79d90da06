/*
 * top_keys.c - what a key does in `haproxyadmin top`: moving, filtering,
 * views and sorting, and the actions on servers (planned through the
 * library, confirmed, applied, reported on the status line). The loop and
 * the reader are in top.c; both share top_ui.h.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top.h"
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
static void plan_action(struct top *t, enum hap_server_change ch, const char *value)
{
	const struct top_row **sv;
	size_t n = selected_servers(t, &sv), i, j, e, ninst = 0, skipped = 0;
	struct pending *p = &t->pend;
	struct hap_error err = { 0, "" };
	char insts[512] = "";
	size_t il = 0;
	const char **seen = NULL;

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
	seen = calloc(t->m.ninst + 1, sizeof(*seen));
	if (!p->plans || !p->names || !seen) {
		top_set_status(t, 1, "out of memory");
		goto out;
	}
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
			goto out;
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
	for (i = 0; i < p->nplans; i++) {
		for (e = 0; e < hap_plan_count(p->plans[i]); e++) {
			const char *in = hap_plan_instance(p->plans[i], e);

			if (hap_plan_skip(p->plans[i], e, NULL))
				skipped++;
			for (j = 0; j < ninst; j++)
				if (strcmp(seen[j], in) == 0)
					break;
			if (j < ninst || ninst >= t->m.ninst + 1)
				continue;
			seen[ninst++] = in;
			if (il < sizeof(insts))
				il += (size_t)snprintf(insts + il, sizeof(insts) - il, "%s%s",
				                       il ? " " : "", in);
		}
	}
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
	free(seen);
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

void top_handle_key(struct top *t, int ch)
{
	size_t h = top_table_height();
	struct top_row *r = NULL;

	if (ch == KEY_RESIZE)
		return;
	if (t->mode == MODE_FILTER || t->mode == MODE_WEIGHT) {
		key_input(t, ch);
		return;
	}
	if (t->mode == MODE_CHOOSE) {
		t->mode = MODE_NORMAL;
		if (ch == 'e' || ch == 'd')
			plan_action(t, t->choose_change, ch == 'e' ? "enable" : "disable");
		return;
	}
	if (t->mode == MODE_CONFIRM) {
		if (ch == 'y' || ch == 'Y') {
			apply_action(t);
		} else {
			t->mode = MODE_NORMAL;
			top_pending_free(&t->pend);
			top_set_status(t, 0, "cancelled: nothing was sent");
		}
		return;
	}
	if (t->view != VIEW_INST && t->sel < t->nlines)
		r = &t->m.rows[t->lines[t->sel].row];
	switch (ch) {
	case 'q':
	case 'Q':
		t->quit = 1;
		break;
	case '1':
	case '2':
	case '3':
	case '4':
		if (t->sort_col >= top_ncols(top_view_cols(ch - '0')))
			t->sort_col = 0;
		t->view = ch - '0';
		if (t->view != VIEW_INST)
			relines(t);
		/* a view's own fields are read at once (rates need two reads) */
		if ((t->m.mask & top_view_mask(t->view)) != top_view_mask(t->view))
			t->want_refresh = 1;
		break;
	case KEY_UP:
	case 'k':
		move_sel(t, -1);
		break;
	case KEY_DOWN:
	case 'j':
		move_sel(t, 1);
		break;
	case KEY_PPAGE:
		move_sel(t, -(long)h);
		break;
	case KEY_NPAGE:
	case ' ' + 0x100: /* unused */
		move_sel(t, (long)h);
		break;
	case KEY_HOME:
	case 'g':
		move_sel(t, -(long)(t->nlines + t->m.ninst + 1));
		break;
	case KEY_END:
	case 'G':
		move_sel(t, (long)(t->nlines + t->m.ninst + 1));
		break;
	case '/':
		/* a new filter, as in less: typed from scratch, shown as typed */
		start_input(t, MODE_FILTER, "");
		t->filter[0] = '\0';
		relines(t);
		break;
	case 27:
		if (t->filter[0]) {
			t->filter[0] = '\0';
			relines(t);
		}
		break;
	case 's':
		if (t->view == VIEW_INST)
			break;
		t->sort_col = (t->sort_col + 1) % top_ncols(top_view_cols(t->view));
		relines(t);
		top_set_status(t, 0, "sorted by %s%s", top_view_cols(t->view)[t->sort_col].title,
		               t->sort_rev ? " (reversed)" : "");
		break;
	case 'S':
		if (t->view == VIEW_INST)
			break;
		t->sort_rev = !t->sort_rev;
		relines(t);
		top_set_status(t, 0, "sorted by %s%s", top_view_cols(t->view)[t->sort_col].title,
		               t->sort_rev ? " (reversed)" : "");
		break;
	case '\r':
	case '\n':
	case KEY_ENTER:
		if (r) {
			r->flags ^= TOP_ROW_EXPANDED;
			t->m.flagged = 1;
			relines(t);
		}
		break;
	case 'b':
		if (r) {
			struct top_row *g = &t->m.rows[r->group];

			if (g->type == HAP_OBJ_BACKEND) {
				g->flags ^= TOP_ROW_FOLDED;
				t->m.flagged = 1;
				relines(t);
				top_reselect(t, g->type, NULL, g->name, -1);
			}
		}
		break;
	case ' ':
		if (r && r->type == HAP_OBJ_SERVER) {
			r->flags ^= TOP_ROW_TAGGED;
			t->m.flagged = 1;
			move_sel(t, 1);
		}
		break;
	case 'u':
		for (size_t i = 0; i < t->m.nrows; i++)
			t->m.rows[i].flags &= (uint8_t)~TOP_ROW_TAGGED;
		break;
	case 'w':
		if (actions_allowed(t)) {
			snprintf(t->pend.what, sizeof(t->pend.what), "set weight");
			start_input(t, MODE_WEIGHT, "");
		}
		break;
	case 'd':
		if (actions_allowed(t))
			plan_action(t, HAP_SERVER_STATE, "drain");
		break;
	case 'm':
		if (actions_allowed(t))
			plan_action(t, HAP_SERVER_STATE, "maint");
		break;
	case 'r':
		if (actions_allowed(t))
			plan_action(t, HAP_SERVER_STATE, "ready");
		break;
	case 'K':
		if (actions_allowed(t))
			plan_action(t, HAP_SERVER_SHUTDOWN_SESSIONS, NULL);
		break;
	case 'h':
	case 'a':
		if (actions_allowed(t)) {
			t->choose_change = ch == 'h' ? HAP_SERVER_CHECK : HAP_SERVER_AGENT_CHECK;
			t->mode = MODE_CHOOSE;
		}
		break;
	case 12: /* Ctrl-L */
		clearok(stdscr, TRUE);
		break;
	}
}
