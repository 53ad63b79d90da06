/*
 * top_ui.h - the state of `haproxyadmin top` that top.c (the loop, the
 * reader, the keys, the actions) and top_draw.c (lines, cells, screen)
 * share.
 */
#ifndef HAP_CLI_TOP_UI_H
#define HAP_CLI_TOP_UI_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "top.h"

enum { VIEW_STATUS = 1, VIEW_TRAFFIC, VIEW_HTTP, VIEW_INST };

enum col_kind {
	COL_NAME = 0,
	COL_FIELD,
	COL_BYTES,
	COL_AGE,
	COL_RATE,
	COL_BRATE,
	COL_INST,
};

struct col {
	const char *title;
	int width;
	enum col_kind kind;
	int idx; /* field or rate */
};

/* One line of the table: a merged row (k < 0) or one instance's row. */
struct line {
	uint32_t row;
	int32_t k;
};

enum mode {
	MODE_NORMAL = 0,
	MODE_FILTER,  /* typing the filter */
	MODE_WEIGHT,  /* typing a weight */
	MODE_CHOOSE,  /* h / a: enable or disable */
	MODE_CONFIRM, /* y / n on a planned action */
};

struct pending {
	enum hap_server_change change;
	char value[64];
	char what[96];
	struct hap_plan **plans;
	char **names; /* "backend/server" per plan */
	size_t nplans;
};

struct top {
	struct cli *c;
	int interval_ms;
	const char **backends;
	size_t nb;
	int read_only;
	char filter[256];
	int view;
	int sort_col; /* 0: natural order */
	int sort_rev;
	int color;
	int quit;

	char **argv; /* the command line again, for the reader */
	char *argcmd;
	size_t argc;

	struct top_model m;
	struct top_parse *parse; /* a read being parsed, in slices */
	int have;
	uint32_t *natural; /* rows in display order: frontends, then each backend and its servers */
	size_t nnatural;
	size_t refreshes;

	pid_t child;
	int rfd;
	char *rbuf;
	size_t rlen, rcap;
	double started, next_at;
	int want_refresh;
	double last_read_ms;

	struct line *lines;
	size_t nlines, lcap;
	size_t sel, first;
	size_t isel, ifirst;

	char status[1024];
	int status_bad;
	/* status_gen counts top_set_status calls; a key's answer is held on
	 * the status line until status_hold (a refresh's health summary does
	 * not replace it before then: the operator must get to read it) */
	unsigned status_gen;
	double status_hold;

	enum mode mode;
	char input[128];
	size_t ilen;
	struct pending pend;
	enum hap_server_change choose_change;

	/* latency accounting (HAPROXYADMIN_TOP_STATS) */
	double key_max_ms, key_sum_ms, key_inflight_max_ms, finish_max_ms, busy_max_ms;
	size_t keys, keys_inflight;
};

/* Color pairs. */
enum { C_OK = 1, C_BAD, C_WARN, C_HEAD, C_DIS };

/* The columns of a view. */
const struct col *top_view_cols(int view);
/* Lines: the natural order of the rows, then the filtered, sorted lines,
 * and the selection kept on the same row when the lines change. */
int top_build_lines(struct top *t);
int top_build_natural(struct top *t);
void top_draw(struct top *t);
void top_inst_cell(char *buf, size_t len, const struct top *t, const struct top_inst *in, int idx,
                   int *attr);
const char *top_inst_health(const struct top *t, const struct top_inst *in, int *bad);
void top_reselect(struct top *t, int type, const char *backend, const char *name, int32_t k);
size_t top_table_height(void);

/* top.c: the number of columns, the fields a view reads, the status line. */
int top_ncols(const struct col *c);
uint32_t top_view_mask(int view);
void top_set_status(struct top *t, int bad, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* top_keys.c: one key (or a line of input); a planned action's memory. */
void top_handle_key(struct top *t, int ch);
void top_pending_free(struct pending *p);

/* top.c: the clock (seconds, monotonic). */
double top_now_s(void);
/* top_refresh.c: start a read, the reader's command line, reap it, move
 * what it wrote, parse a slice of it. */
void top_start_refresh(struct top *t);
int top_load_argv(struct top *t);
void top_end_child(struct top *t, int kill_it);
void top_pump(struct top *t);
void top_step_parse(struct top *t);

#endif
