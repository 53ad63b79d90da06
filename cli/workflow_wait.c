/*
 * workflow_wait.c - how a wait shows: the progress line on a terminal, the
 * rows of a wait, and the rows that did not meet the condition.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "rows.h"
#include "workflow.h"

/* Row i of w, its instance's name and its object as it is shown:
 * "backend/server", or "?" for an instance that did not answer. */
static void wait_row(struct hap_wait_row *r, const char **inst, char *obj, size_t len,
                     const struct hap_wait *w, size_t i)
{
	hap_wait_row(r, w, i);
	*inst = hap_instance_name(hap_wait_snapshot(w), r->instance);
	snprintf(obj, len, "%s%s%s", r->name ? r->backend : "?", r->name ? "/" : "",
	         r->name ? r->name : "");
}

/* ---------------------------------------------------------------- progress */

int wf_progress(const struct hap_wait *w, void *arg)
{
	struct cli *c = arg;
	char line[400];
	size_t i, len = 0;
	int shown = 0;

	(void)c;
	if (!isatty(STDERR_FILENO))
		return 0;
	len = (size_t)snprintf(line, sizeof(line), "waiting: %lld session(s), %zu pending, %.1fs:",
	                       (long long)hap_wait_sessions(w), hap_wait_pending(w),
	                       (double)hap_wait_elapsed_ms(w) / 1000);
	for (i = 0; i < hap_wait_count(w) && len < sizeof(line) - 80 && shown < 4; i++) {
		struct hap_wait_row row;
		const char *inst;
		char obj[600];

		wait_row(&row, &inst, obj, sizeof(obj), w, i);
		if (row.met)
			continue;
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s %s=%lld", inst, obj,
		                        (long long)(row.scur + row.qcur));
		shown++;
	}
	{
		/* one line: cut to the terminal's width, or "\r" would not rewrite it */
		struct winsize ws;

		if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 &&
		    strlen(line) >= ws.ws_col)
			line[ws.ws_col - 1] = '\0';
	}
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	return 0;
}

void wf_progress_end(void)
{
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
}

void wf_wait_print(struct cli *c, const struct hap_wait *w)
{
	static const struct col cols[] = {
		{ "OBJECT", "object", COL_TEXT }, { "INSTANCE", "endpoint", COL_TEXT },
		{ "SCUR", "scur", COL_NUMBER },   { "QCUR", "qcur", COL_NUMBER },
		{ "STATUS", "status", COL_TEXT }, { NULL, "old_worker", COL_TEXT },
		{ "MET", "met", COL_OUTCOME },
	};
	struct rows *rw = rows_new(c, cols, 7, ROWS_ARRAY, NULL);
	size_t i;

	for (i = 0; i < hap_wait_count(w); i++) {
		struct hap_wait_row r;
		const char *inst;
		char obj[600];

		wait_row(&r, &inst, obj, sizeof(obj), w, i);
		rows_row(rw);
		rows_str(rw, 0, obj);
		rows_str(rw, 1, inst);
		rows_count(rw, 2, r.scur);
		rows_count(rw, 3, r.qcur);
		rows_str(rw, 4, r.status);
		rows_bool(rw, 5, r.old_worker);
		rows_bool(rw, 6, r.met);
	}
	rows_done(rw);
}

/* Name each instance and server where the wait is not met, on stderr. */
void wf_wait_blame(struct cli *c, const struct hap_wait *w, enum hap_wait_cond cond)
{
	size_t i;

	for (i = 0; w && i < hap_wait_count(w); i++) {
		struct hap_wait_row r;
		const char *inst;
		char obj[600];

		wait_row(&r, &inst, obj, sizeof(obj), w, i);
		if (r.met)
			continue;
		if (cond == HAP_WAIT_EMPTY)
			cli_err(c, "%s: %s: still %lld session(s), %lld queued%s", inst, obj,
			        (long long)r.scur, (long long)r.qcur,
			        r.old_worker ? " (old worker)" : "");
		else
			cli_err(c, "%s: %s: status %s, not %s", inst, obj, r.status,
			        hap_wait_cond_name(cond));
	}
}
