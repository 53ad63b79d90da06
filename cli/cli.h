/*
 * cli.h - what the command files share: the context built from the global
 * options, the dispatch types, and the output helpers (output.c).
 *
 * The CLI is a client of the library: it includes only haproxyadmin.h.
 */
#ifndef HAP_CLI_H
#define HAP_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "haproxyadmin.h"

/* Exit statuses (README "Exit status"). */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,      /* HAProxy refused, or some instance failed */
	EXIT_USAGE = 2,       /* usage or invalid input: nothing was sent */
	EXIT_UNREACHABLE = 3, /* no endpoint reachable */
	EXIT_NOTFOUND = 4,    /* object not found */
};

enum cli_fmt {
	FMT_TABLE = 0,
	FMT_JSON,
	FMT_CSV,
	FMT_PROMETHEUS, /* dump and exporter only (prom.c) */
};

struct cli {
	const char *prog;
	enum cli_fmt fmt;
	int fmt_set; /* -o was given (commands with one output form refuse others) */
	int yes;
	int dry_run;
	int no_verify;  /* do not read the values back after a change */
	int disruptive; /* the command found its change disruptive (weight 0) */
	struct hap_options opts;
	const char **sockets;
	size_t nsockets;
	const char **fleets; /* -f NAME (fleetconf.c) */
	size_t nfleets;
	struct hap *h;
	size_t bad_endpoints; /* endpoints skipped: missing or permission denied */
	/* the table row being run (set by cli_dispatch()): a handler's context,
	 * as git's builtins take theirs from their row */
	const struct cli_verb *verb;
};

struct cli_verb {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	const char *usage; /* arguments after the verb */
	const char *summary;
};

/* Run a verb from a table: "OBJECT VERB ARGS"; argv[0] is the verb. */
int cli_dispatch(struct cli *c, const char *object, const struct cli_verb *verbs, int argc,
                 char **argv);
/* Print "usage: haproxyadmin OBJECT VERB USAGE" and the summary to stdout. */
void cli_verb_help(const char *object, const struct cli_verb *v);
/* Parse a verb's options: only -h/--help and -b/--backend (when allowed).
 * Returns -1 to go on, or an exit status. Positional args are left in
 * argv[optind..]. */
int cli_verb_opts(struct cli *c, const char *object, const struct cli_verb *v, int argc,
                  char **argv, const char **backend);

/* Diagnostics to stderr: "haproxyadmin: message". */
void cli_err(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A usage error: prints, returns EXIT_USAGE. */
int cli_usage(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Build the fleet from -s / $HAPROXYADMIN_SOCKET / /run/haproxy. 0 or an exit status. */
int cli_fleet(struct cli *c);
/* Take a snapshot, report every failed instance on stderr. *failed counts
 * them. 0, or an exit status (EXIT_UNREACHABLE when no instance answered). */
int cli_snapshot(struct cli *c, unsigned what, struct hap_snapshot **out, size_t *failed);

/* ---- output.c ---- */

/* A table for people: cells are copied. */
struct table;
struct table *table_new(size_t ncols, const char *const *header);
void table_add(struct table *t, const char *const *cells);
/* Print aligned, or as CSV (with the header) when csv is set. Frees t. */
void table_print(struct table *t, FILE *f, int csv);

/* Render a value into buf (number, text, "-" when absent, "*" when disagreeing). */
const char *value_str(const struct hap_value *v, char *buf, size_t len);

/* Streaming JSON writer. */
struct jw {
	FILE *f;
	char *buf; /* output waiting for jw_done() or a full buffer */
	size_t len, cap;
	int depth;
	int first[64];
	int after_key;
};
/* f NULL: the output stays in buf (which grows) until jw_done(). */
void jw_init(struct jw *w, FILE *f);
/* Bytes already JSON, written as they are (no separator). */
void jw_raw(struct jw *w, const char *p, size_t n);
void jw_obj(struct jw *w);
void jw_end_obj(struct jw *w);
void jw_arr(struct jw *w);
void jw_end_arr(struct jw *w);
void jw_key(struct jw *w, const char *k);
/* A key escaped once ("\"name\":"), for keys written many times; free() it. */
char *jw_make_key(const char *k);
void jw_rawkey(struct jw *w, const char *prekey);
/* A literal key, escaped at compile time (plain ASCII only). */
#define JW_KEY(w, lit) jw_rawkeyn((w), "\"" lit "\":", sizeof("\"" lit "\":") - 1)
void jw_rawkeyn(struct jw *w, const char *prekey, size_t len);
/* A string value escaped once (with its quotes); free() it. */
char *jw_make_str(const char *v);
void jw_rawstr(struct jw *w, const char *prestr);
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_num(struct jw *w, long long n);
/* A member with a number: jw_rawkeyn() then jw_num(), in one go. */
void jw_keynum(struct jw *w, const char *prekey, size_t klen, long long n);
/* The same with prekey readable (padded) up to klen rounded up to 16 bytes. */
void jw_keynum_padded(struct jw *w, const char *prekey, size_t klen, long long n);
void jw_null(struct jw *w);
void jw_bool(struct jw *w, int b);
/* A value: number, string, or null when absent or disagreeing. */
void jw_value(struct jw *w, const struct hap_value *v);
/* The n elements of the array w is in, item(w, ctx, i) each, rendered by
 * two threads (each with its own ctx from ctx_new(arg)) and written in
 * order, byte for byte what one thread writes (jw_par.c). item must be safe
 * to run on two threads at once (the snapshot's getters are). */
struct jw_par_ops {
	void *(*ctx_new)(void *arg);
	void (*ctx_free)(void *ctx);
	void (*item)(struct jw *w, void *ctx, size_t i);
};
void jw_par_items(struct jw *w, size_t n, const struct jw_par_ops *ops, void *arg);
/* Rows / JSON elements for the instances of s that did not answer (rows.c). */
void table_unreached(struct table *t, size_t ncols, size_t name_col, size_t msg_col,
                     const struct hap_snapshot *s);
void jw_unreached(struct jw *w, const struct hap_snapshot *s);
void jw_done(struct jw *w);

/* ---- objects.c: frontends, backends and servers, read side ---- */

enum obj_detail {
	DETAIL_SUMMARY = 0, /* list: the summary fields */
	DETAIL_FULL,        /* show / dump: every field, per instance */
	DETAIL_COMPACT,     /* dump --compact: every field; an instance's own only
	                       where it differs from the aggregate */
};

/* Print objects in the chosen format. */
void objects_print(struct cli *c, const struct hap_snapshot *s,
                   const struct hap_object *const *objs, size_t n, enum obj_detail d);
/* JSON of objects into an open writer (used by dump). */
void objects_json(struct jw *w, const struct hap_snapshot *s, const struct hap_object *const *objs,
                  size_t n, enum obj_detail d);
/* Print the aggregated value of one field of each object, with per-instance
 * values when they disagree. */
void objects_metric(struct cli *c, const struct hap_snapshot *s,
                    const struct hap_object *const *objs, size_t n, const char *field);
int objects_read(struct cli *c, enum hap_obj type, const char *name, const char *backend,
                 const char *metric, enum obj_detail d);
/* Unless ret, print objs (the one metric, or detail d); then free objs and
 * s (both taken). ret, else EXIT_FAILED when an instance failed, else EXIT_OK. */
int objects_report(struct cli *c, struct hap_snapshot *s, const struct hap_object **objs, size_t n,
                   const char *metric, enum obj_detail d, int ret, size_t failed);
/* List the metric names of an object type (-1: show info) with their rule. */
int metrics_list(struct cli *c, int type);
/* Print instance-level info (info / haproxy info). */
void info_print(struct cli *c, const struct hap_snapshot *s);
void info_json(struct jw *w, const struct hap_snapshot *s);

/* ---- change.c ---- */

/* Dry run, confirm, apply and report a plan; field is read before and
 * after (may be NULL) from objects of type (an enum hap_obj) or, with
 * type -1, from "show info". The caller frees the plan. */
int change_run(struct cli *c, struct hap_plan *p, int type, const char *field, const char *proxy,
               const char *what);
/* Report a failed plan: the message, and the exit status for its code. */
int plan_error(struct cli *c, int code, const struct hap_error *err);
/* A plan's commands, one line per instance and object ("# ...: not sent:
 * why" before a skipped one): the dry run of every change. */
void change_dry_run(const struct hap_plan *p);

/* ---- guard.c ---- */

/* 1 when a weight change to value ends at 0 on some instance of the plan
 * (0, or a percentage of the configured weight that rounds to 0, read from
 * each instance; unknown counts as 0). backend may be NULL. */
int guard_weight_zero(struct cli *c, const struct hap_plan *p, const char *value,
                      const char *backend);
/* A local file to send: a regular file of at most max bytes, else a usage
 * error printed (EXIT_USAGE); 0 when it may be read. */
int guard_local_file(struct cli *c, const char *path, long long max);
/* A whole output of those rows, when nothing was sent because of them. */
void guard_unreached_print(struct cli *c, const struct hap_snapshot *s);
/* Print "+added -removed" per instance of a replace; *removes when entries
 * go away or the file is empty. 0, or an exit status. */
int guard_replace_preview(struct cli *c, FILE *out, enum hap_pattern_kind kind, const char *id,
                          const struct hap_pattern_file *f, int *removes, size_t *ninst);
/* Ask, or refuse without a terminal, before a disruptive change reaching
 * more than one instance (unless -y). 0, or an exit status. */
int guard_confirm(struct cli *c, const char *what, size_t ninst);
/* 1 when a raw reply is one of HAProxy's known refusals. */
int guard_exec_refusal(const char *reply);

/* ---- commands ---- */
int cmd_info(struct cli *c, int argc, char **argv);
int cmd_haproxy(struct cli *c, int argc, char **argv);
int cmd_frontend(struct cli *c, int argc, char **argv);
int cmd_backend(struct cli *c, int argc, char **argv);
int cmd_server(struct cli *c, int argc, char **argv);
int cmd_dump(struct cli *c, int argc, char **argv);
int cmd_exporter(struct cli *c, int argc, char **argv);
int cmd_fleet(struct cli *c, int argc, char **argv);

/* ---- server workflows (cmd_workflow.c): several names and -b, drain, wait... ---- */
int wf_set(struct cli *c, int argc, char **argv);
int wf_simple(struct cli *c, int argc, char **argv);
int wf_drain(struct cli *c, int argc, char **argv);
int wf_wait(struct cli *c, int argc, char **argv);
int wf_add(struct cli *c, int argc, char **argv);
int wf_del(struct cli *c, int argc, char **argv);
int wf_remove(struct cli *c, int argc, char **argv);
int wf_state(struct cli *c, int argc, char **argv);
int wf_list(struct cli *c, int argc, char **argv);
int wf_show(struct cli *c, int argc, char **argv);
int wf_metric(struct cli *c, int argc, char **argv);
/* 1 when a read verb is given more than its single form takes (nfixed
 * positionals, one -b, no BACKEND/SERVER): then wf_list/show/metric run it. */
int wf_wants(int argc, char **argv, int nfixed);

/* ---- acl/map (cmd_pattern.c) ---- */
int cmd_acl(struct cli *c, int argc, char **argv);
int cmd_map(struct cli *c, int argc, char **argv);

#endif
