/*
 * workflow.h - what the several-server commands share: cmd_workflow.c
 * (changes, drain, wait), cmd_dynsrv.c (add, del, remove) and
 * workflow_read.c (reads, state files).
 */
#ifndef HAP_CLI_WORKFLOW_H
#define HAP_CLI_WORKFLOW_H

#include "haproxyadmin.h"
#include "cli.h"

#define MAXARGS 256

struct wf {
	const char *verb;
	const char *names[MAXARGS];
	size_t nnames;
	const char *backends[MAXARGS];
	size_t nbackends;
	const char *args[MAXARGS]; /* positionals */
	size_t nargs;
	int wait;        /* --wait given */
	double wait_s;   /* its value; default 30 s */
	double interval; /* --interval, default 0.5 s */
	double timeout;  /* --timeout, default 30 s */
	int keep_partial;
};

/* Extra rows: the read-back (verify) of each instance. */
struct vrow {
	char object[600];
	char instance[256];
	size_t entry; /* the first result entry sent to the instance */
	int ok;
	char msg[300];
};

/* Options of every workflow verb. -1 to go on, else an exit status. */
int wf_split_names(struct cli *c, struct wf *w, size_t from, size_t to);
/* Refuse the options a verb does not take: -1 to go on, else an exit status. */
int wf_only(struct cli *c, const struct wf *w, int wait, int interval, int timeout, int keep,
            int backends);
/* The selection of w (names and backends, borrowed). */
void wf_sel_of(struct hap_server_sel *sel, const struct wf *w);
/* w->args[from..to) are the server names: at least one is needed. */
int wf_parse(struct cli *c, struct wf *w, int argc, char **argv, const char *usage);
/* Ask before a disruptive change of several objects (-y skips). */
int wf_confirm(struct cli *c, const char *what, size_t objects);
/* The exit status of a result and its read-back rows. */
int wf_exit_of(const struct hap_result *r, const struct vrow *v, size_t nv);
/* Seconds to milliseconds, rounded. */
int wf_ms(double s);
/* A wait's progress on stderr (a hap_wait_cb), and its end. */
int wf_progress(const struct hap_wait *w, void *arg);
void wf_progress_end(void);
/* The rows of a result and its read-back, as table, CSV or JSON. */
void wf_report(struct cli *c, const struct hap_result *r, const struct vrow *v, size_t nv);
/* Check a selection (no I/O): -1 to go on, else an exit status. */
int wf_sel_ready(struct cli *c, const struct hap_server_sel *sel);
/* The rows of a wait (table, CSV or JSON), and one line on stderr per row
 * that does not meet the condition. */
void wf_wait_print(struct cli *c, const struct hap_wait *w);
void wf_wait_blame(struct cli *c, const struct hap_wait *w, enum hap_wait_cond cond);

/* wf_parse(), wf_only() and every positional a server name: -1 to go on,
 * else an exit status. */
int wf_names(struct cli *c, struct wf *w, int argc, char **argv, const char *usage, int wait,
             int interval, int timeout, int keep, int backends);
/* The selection of w, checked (wf_sel_of(), wf_sel_ready()): 0 or an exit status. */
int wf_selection(struct cli *c, const struct wf *w, struct hap_server_sel *sel);

#endif
