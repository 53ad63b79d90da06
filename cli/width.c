/*
 * width.c - output that fits the terminal: table columns shrink or drop to
 * the terminal's width, and help text wraps at 80 columns.
 *
 * Only a terminal is fitted ($COLUMNS, else TIOCGWINSZ): a pipe or a file
 * keeps full rows, and so does --wide. The order is fixed: first the widest
 * column loses a character at a time (never below its header, nor 6), its
 * cut cells ending in '~'; when that is not enough, columns are dropped from
 * the right (never the first), and one line on stderr says how many.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "width.h"

#define SOFT_MIN 16

int cli_wide;

size_t term_width(FILE *f)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	int fd = fileno(f);

	if (cli_wide || fd < 0 || !isatty(fd))
		return 0;
	if (env && *env && strspn(env, "0123456789") == strlen(env) && strlen(env) < 6) {
		long v = strtol(env, NULL, 10);

		if (v > 0)
			return (size_t)v;
	}
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

static size_t total(const size_t *w, const int *keep, size_t n)
{
	size_t c, t = 0, k = 0;

	for (c = 0; c < n; c++)
		if (keep[c]) {
			t += w[c];
			k++;
		}
	return t + (k ? 2 * (k - 1) : 0);
}

/* Take one character at a time from the widest column above its floor. */
static void shrink(size_t *w, const size_t *floor_, const int *keep, size_t n, size_t width)
{
	size_t c;

	while (total(w, keep, n) > width) {
		size_t best = n, room = 0;

		for (c = 0; c < n; c++)
			if (keep[c] && w[c] > floor_[c] && w[c] - floor_[c] > room) {
				room = w[c] - floor_[c];
				best = c;
			}
		if (best == n)
			return;
		w[best]--;
	}
}

size_t fit_columns(size_t *w, const size_t *minw, int *keep, size_t n, size_t width)
{
	size_t c, dropped = 0, *soft;

	for (c = 0; c < n; c++)
		keep[c] = 1;
	if (!width || total(w, keep, n) <= width)
		return 0;
	soft = calloc(n, sizeof(*soft));
	if (!soft)
		return 0;
	/* 1. names and texts down to 16 characters (or their header) */
	for (c = 0; c < n; c++)
		soft[c] = minw[c] > SOFT_MIN ? minw[c] : (w[c] < SOFT_MIN ? w[c] : SOFT_MIN);
	shrink(w, soft, keep, n, width);
	/* 2. drop columns from the right while two remain */
	for (c = n; c-- > 2 && total(w, keep, n) > width;) {
		keep[c] = 0;
		dropped++;
	}
	/* 3. the remaining ones down to their floor, 4. then drop but the first */
	shrink(w, minw, keep, n, width);
	for (c = n; c-- > 1 && total(w, keep, n) > width;) {
		if (keep[c])
			dropped++;
		keep[c] = 0;
	}
	free(soft);
	return dropped;
}

void wrap_print(FILE *f, const char *indent, const char *cont, const char *text, size_t width)
{
	const char *p = text;
	size_t col = strlen(indent);
	int first = 1;

	fputs(indent, f);
	while (*p) {
		size_t wl = strcspn(p, " \n");

		if (!first && col + 1 + wl > width) {
			fputc('\n', f);
			fputs(cont, f);
			col = strlen(cont);
			first = 1;
		}
		if (!first) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, wl, f);
		col += wl;
		first = 0;
		p += wl;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	fputc('\n', f);
}
