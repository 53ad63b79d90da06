/*
 * srvkeep.c - a "show servers state" read that keeps only the rows a plan
 * targets, as the bytes arrive.
 *
 * Owns: the hap_job.on_bytes of a filtered read (HAP_SNAP_SRVSTATE with a
 * hap_snap_keep_fn): once the parts before the rows are whole, each
 * complete line is looked at once; the version line, the header, the rows
 * the filter keeps and everything after the rows stay, moved down over the
 * rows it drops, and the bytes left over are dropped from the reply. At the
 * end the reply is a "show servers state" of the kept rows, parsed like any
 * other (snapshot.c): never the whole reply held, no second copy.
 *
 * Must never: drop a line it does not understand (an unknown shape is kept
 * whole, and the parse of the end result judges it), or a row whose names
 * it cannot find.
 */
#include <string.h>

#include "haproxyadmin.h"
#include "model/snapshot.h"
#include "model/snapshot_int.h"
#include "proto/frame.h"
#include "util/banned.h"

enum {
	KEEP_HEAD = 0, /* the parts before the rows are not whole yet */
	KEEP_VERSION,  /* the "1" line */
	KEEP_HEADER,   /* "# be_id be_name ..." */
	KEEP_ROWS,     /* rows, up to the blank line */
	KEEP_ALL,      /* past the rows, or a shape not understood */
};

/* The column of name in the header words of line[0, len) (after "# "), or -1. */
static int header_col(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name), i = 2, c = 0;

	if (len < 2 || line[0] != '#' || line[1] != ' ')
		return -1;
	while (i < len) {
		size_t s = i;

		while (i < len && line[i] != ' ')
			i++;
		if (i - s == nl && memcmp(line + s, name, nl) == 0)
			return (int)c;
		c++;
		i++;
	}
	return -1;
}

/* Words c0 and c1 of the row line[0, len) (separated by single spaces),
 * in one pass over the bytes before them (the names are the 2nd and 4th
 * of ~25 words: a memchr() per word cost more than the scan): 1 and their
 * places, or 0 when the row is shorter. */
static int two_words(const char *line, size_t len, const int *col, const char **w, size_t *wl)
{
	int c = 0, last = col[0] > col[1] ? col[0] : col[1];
	size_t i = 0, start = 0;

	for (;;) {
		if (i == len || line[i] == ' ') {
			for (int k = 0; k < 2; k++)
				if (col[k] == c) {
					w[k] = line + start;
					wl[k] = i - start;
				}
			if (c == last)
				return 1;
			if (i == len)
				return 0;
			c++;
			start = i + 1;
		}
		i++;
	}
}

/* 1 when line[0, len) in stage in->kstage stays; moves the stage on. */
static int keep_line(struct snap_inst *in, const char *line, size_t len)
{
	const struct hap_snapshot *s = in->s;
	const char *w[2] = { NULL, NULL };
	size_t wl[2] = { 0, 0 };

	switch (in->kstage) {
	case KEEP_VERSION:
		in->kstage = len == 1 && line[0] == '1' ? KEEP_HEADER : KEEP_ALL;
		return 1;
	case KEEP_HEADER:
		in->kcol[0] = header_col(line, len, "be_name");
		in->kcol[1] = header_col(line, len, "srv_name");
		in->kstage = in->kcol[0] >= 0 && in->kcol[1] >= 0 ? KEEP_ROWS : KEEP_ALL;
		return 1;
	case KEEP_ROWS:
		if (len == 0) {
			in->kstage = KEEP_ALL; /* the blank line after the rows */
			return 1;
		}
		if (!two_words(line, len, in->kcol, w, wl))
			return 1;
		return s->keep(s->keep_arg, w[0], wl[0], w[1], wl[1]);
	default:
		return 1;
	}
}

void hap_snap_keep_on_bytes(struct hap_job *j, void *arg)
{
	struct snap_inst *in = arg;
	char *b = j->reply.ptr;
	size_t len = j->reply.len, pos, out;
	const char *nl;

	if (in->kstage == KEEP_HEAD) {
		size_t rest;

		if (!hap_frame_rows_start(b, len, in->s->what, &rest)) {
			/* the parts before the rows are small: past a bound this is
			 * no such reply, kept whole */
			if (len > SNAP_INC_HEAD_MAX)
				in->kstage = KEEP_ALL;
			return;
		}
		in->kpos = rest;
		in->kstage = KEEP_VERSION;
	}
	if (in->kstage == KEEP_ALL)
		return;
	pos = out = in->kpos;
	while (in->kstage != KEEP_ALL && (nl = memchr(b + pos, '\n', len - pos))) {
		size_t l = (size_t)(nl - (b + pos));

		if (keep_line(in, b + pos, l)) {
			if (out != pos)
				memmove(b + out, b + pos, l + 1);
			out += l + 1;
		}
		pos += l + 1;
	}
	if (out != pos) {
		/* the rows dropped: the rest moves down, the reply shrinks */
		memmove(b + out, b + pos, len - pos);
		j->reply.len = out + (len - pos);
		b[j->reply.len] = '\0';
	}
	in->kpos = out;
}
