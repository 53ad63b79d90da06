/*
 * top_view.c - what every part of `haproxyadmin top` reads about the
 * screen's state without owning it: the columns of each view, the fields a
 * view reads, the status line, the clock. top.c runs the loop; the parts it
 * calls (top_draw.c, top_keys.c, top_lines.c, top_refresh.c) come here,
 * never back to top.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "top.h"
#include "top_ui.h"

static const struct col cols_status[] = {
	{ "NAME", 0, COL_NAME, 0 },
	{ "STATUS", 11, COL_FIELD, TF_STATUS },
	{ "WEIGHT", 7, COL_FIELD, TF_WEIGHT },
	{ "CUR", 7, COL_FIELD, TF_SCUR },
	{ "MAX", 7, COL_FIELD, TF_SMAX },
	{ "LIMIT", 7, COL_FIELD, TF_SLIM },
	{ "QUEUE", 6, COL_FIELD, TF_QCUR },
	{ "CHECK", 9, COL_FIELD, TF_CHECK },
	{ "CHANGED", 8, COL_AGE, TF_LASTCHG },
	{ "INST", 5, COL_INST, 0 },
	{ NULL, 0, 0, 0 },
};
static const struct col cols_traffic[] = {
	{ "NAME", 0, COL_NAME, 0 },         { "IN", 9, COL_BYTES, TF_BIN },
	{ "OUT", 9, COL_BYTES, TF_BOUT },   { "IN/s", 9, COL_BRATE, TR_BIN },
	{ "OUT/s", 9, COL_BRATE, TR_BOUT }, { "SESS/s", 8, COL_RATE, TR_SESS },
	{ "REQ/s", 8, COL_RATE, TR_REQ },   { "SESSIONS", 10, COL_FIELD, TF_STOT },
	{ "CUR", 7, COL_FIELD, TF_SCUR },   { NULL, 0, 0, 0 },
};
static const struct col cols_http[] = {
	{ "NAME", 0, COL_NAME, 0 },
	{ "REQS", 9, COL_FIELD, TF_REQTOT },
	{ "1xx", 7, COL_FIELD, TF_H1XX },
	{ "2xx", 9, COL_FIELD, TF_H2XX },
	{ "3xx", 7, COL_FIELD, TF_H3XX },
	{ "4xx", 7, COL_FIELD, TF_H4XX },
	{ "5xx", 7, COL_FIELD, TF_H5XX },
	{ "OTHER", 6, COL_FIELD, TF_HOTHER },
	{ "EREQ", 6, COL_FIELD, TF_EREQ },
	{ "ECON", 6, COL_FIELD, TF_ECON },
	{ "ERESP", 6, COL_FIELD, TF_ERESP },
	{ "RETR", 6, COL_FIELD, TF_WRETR },
	{ "REDISP", 6, COL_FIELD, TF_WREDIS },
	{ NULL, 0, 0, 0 },
};
/* the instances view: idx is the column number in top_inst_cell() */
static const struct col cols_inst[] = {
	{ "INSTANCE", 0, COL_NAME, 0 },  { "HEALTH", 24, COL_FIELD, 1 },
	{ "NODE", 12, COL_FIELD, 2 },    { "PID", 8, COL_FIELD, 3 },
	{ "VERSION", 14, COL_FIELD, 4 }, { "UPTIME", 8, COL_FIELD, 5 },
	{ "CONN/s", 7, COL_FIELD, 6 },   { "IDLE%", 6, COL_FIELD, 7 },
	{ "CONNS", 7, COL_FIELD, 8 },    { NULL, 0, 0, 0 },
};

const struct col *top_view_cols(int view)
{
	switch (view) {
	case VIEW_TRAFFIC:
		return cols_traffic;
	case VIEW_HTTP:
		return cols_http;
	case VIEW_INST:
		return cols_inst;
	}
	return cols_status;
}

/* The fields a view shows: the reader reads only those (a narrower split
 * of every row); the instances view keeps what the status view reads. */
uint32_t top_view_mask(int view)
{
#define B(f) (1u << (f))
	switch (view) {
	case VIEW_TRAFFIC:
		return B(TF_BIN) | B(TF_BOUT) | B(TF_STOT) | B(TF_REQTOT) | B(TF_SCUR);
	case VIEW_HTTP:
		return B(TF_REQTOT) | B(TF_H1XX) | B(TF_H2XX) | B(TF_H3XX) | B(TF_H4XX) |
		       B(TF_H5XX) | B(TF_HOTHER) | B(TF_EREQ) | B(TF_ECON) | B(TF_ERESP) |
		       B(TF_WRETR) | B(TF_WREDIS);
	default:
		return B(TF_STATUS) | B(TF_WEIGHT) | B(TF_SCUR) | B(TF_SMAX) | B(TF_SLIM) |
		       B(TF_QCUR) | B(TF_CHECK) | B(TF_LASTCHG);
	}
#undef B
}

int top_ncols(const struct col *c)
{
	int n = 0;

	while (c[n].title)
		n++;
	return n;
}

double top_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void top_set_status(struct top *t, int bad, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(t->status, sizeof(t->status), fmt, ap);
	va_end(ap);
	for (p = t->status; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	t->status_bad = bad;
	t->status_gen++;
}
