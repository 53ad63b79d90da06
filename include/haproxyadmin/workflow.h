/*
 * haproxyadmin/workflow.h - fleet workflows: selections, waits, dynamic servers, state files.
 * Part of the public API; include <haproxyadmin.h> (the umbrella) or this file.
 */
#ifndef HAPROXYADMIN_WORKFLOW_H
#define HAPROXYADMIN_WORKFLOW_H

#include "haproxyadmin/change.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Fleet workflows: several servers, drain and wait, dynamic servers   */
/* ------------------------------------------------------------------ */

/*
 * A selection of servers: names, each "SERVER" or "BACKEND/SERVER", and
 * backends. A plain name is looked up in every listed backend (the union),
 * or in every backend when none is listed; "BACKEND/SERVER" names its own
 * backend. Strings are borrowed by the calls that take a selection.
 */
struct hap_server_sel {
	const char *const *names;
	size_t nnames;
	const char *const *backends;
	size_t nbackends;
};

/* Validate a selection (no I/O): HAP_EINVAL with a message. */
HAP_API int hap_server_sel_check(const struct hap_server_sel *sel, struct hap_error *err);
/* 1 when the server (backend, name) is selected, else 0. */
HAP_API int hap_server_sel_match(const struct hap_server_sel *sel, const char *backend,
                                 const char *name);
/*
 * hap_server_plan() for every server of a selection: op->server and
 * op->backend are ignored. HAP_ENOTFOUND naming the first name that is on no
 * instance (nothing is planned then). Caller frees *out with hap_plan_free().
 */
HAP_API int hap_servers_plan(struct hap_plan **out, struct hap *h, const struct hap_server_op *op,
                             const struct hap_server_sel *sel, struct hap_error *err);

/* What a wait waits for, on every instance holding a selected server. */
enum hap_wait_cond {
	HAP_WAIT_EMPTY = 0, /* scur and qcur are 0 */
	HAP_WAIT_UP,        /* status UP (or "no check": the server is not checked) */
	HAP_WAIT_DOWN,      /* status DOWN */
	HAP_WAIT_MAINT,     /* status MAINT */
	HAP_WAIT_READY,     /* neither MAINT nor DRAIN */
};

/*
 * The state of a wait after a poll round: one row per instance and server
 * (old workers included: their sessions are real, whatever HAP_OPT_OLD_WORKERS
 * says; duplicates left out).
 */
struct hap_wait;
struct hap_wait_row {
	size_t instance;     /* instance index in hap_wait_snapshot() (its name:
	                      * hap_instance_name() of that snapshot) */
	const char *backend; /* the server's backend; NULL for an instance that
	                      * did not answer (status says why) */
	const char *name;    /* the server; NULL likewise */
	int64_t scur;        /* -1 when unknown */
	int64_t qcur;        /* -1 when unknown */
	const char *status;  /* show stat's status, or the instance's error */
	int old_worker;      /* 1 for an old worker */
	int met;             /* 1 when the condition holds there */
};
/* Called after every poll round; return non-zero to stop waiting (the wait
 * then returns HAP_ERROR). */
typedef int (*hap_wait_cb)(const struct hap_wait *w, void *arg);

/*
 * Poll until the condition holds on every row, or timeout_ms passes
 * (0: one round only). One read per instance per interval_ms (default 500):
 * "show stat BACKEND 4 -1" when the selection is in one backend, else the
 * servers of every backend. 0 when met everywhere; HAP_ETIMEDOUT at the
 * timeout (the rows say where it is not met); HAP_ENOTFOUND when no
 * instance holds a selected server; HAP_ERROR when cb stopped it. *out is
 * set whenever rows were read: caller owns it, free with hap_wait_free().
 */
HAP_API int hap_server_wait(struct hap_wait **out, struct hap *h, const struct hap_server_sel *sel,
                            enum hap_wait_cond cond, int timeout_ms, int interval_ms,
                            hap_wait_cb cb, void *arg, struct hap_error *err);
HAP_API size_t hap_wait_count(const struct hap_wait *w);
/* Row i; strings borrowed, valid until the next round or hap_wait_free(). */
HAP_API void hap_wait_row(struct hap_wait_row *out, const struct hap_wait *w, size_t i);
/* The read of the last round, which the rows' instance indices point into.
 * Borrowed, valid until the next round or hap_wait_free(). */
HAP_API const struct hap_snapshot *hap_wait_snapshot(const struct hap_wait *w);
/* Rows whose condition does not hold yet, and their sessions (scur + qcur). */
HAP_API size_t hap_wait_pending(const struct hap_wait *w);
HAP_API int64_t hap_wait_sessions(const struct hap_wait *w);
HAP_API int64_t hap_wait_elapsed_ms(const struct hap_wait *w);
/* "empty", "up", "down", "maint", "ready"; hap_wait_cond_parse: 0 or HAP_EINVAL. */
HAP_API const char *hap_wait_cond_name(enum hap_wait_cond c);
HAP_API int hap_wait_cond_parse(enum hap_wait_cond *out, const char *word);
/* NULL is a no-op. */
HAP_API void hap_wait_free(struct hap_wait *w);

/*
 * A dynamic server ("add server", HAProxy 2.6): added to BACKEND on every
 * instance holding it. HAProxy's rules apply: the backend's algorithm must
 * be dynamic, default-server is not inherited, the server starts in
 * maintenance and its checks start only after "enable health|agent".
 */
struct hap_server_add {
	const char *backend;
	const char *name;
	const char *addr;       /* IPv4[:PORT] or [IPv6][:PORT] */
	const char *weight;     /* NULL: HAProxy's default (1) */
	const char *maxconn;    /* NULL: none */
	int check;              /* health checks (enabled after the add) */
	int agent_check;        /* agent checks; agent_port needed */
	const char *agent_port; /* NULL unless agent_check */
	int backup;
	int disabled;     /* leave it in maintenance (checks still enabled) */
	int keep_partial; /* when an instance refuses, keep it on the others */
};

/* Validate (no I/O): HAP_EINVAL with a message. */
HAP_API int hap_server_add_check(const struct hap_server_add *a, struct hap_error *err);
/*
 * Plan "add server" on every instance holding the backend (old workers left
 * out). HAP_ENOTFOUND when none does. Caller frees with hap_plan_free().
 */
HAP_API int hap_server_add_plan(struct hap_plan **out, struct hap *h,
                                const struct hap_server_add *a, struct hap_error *err);
/*
 * Run it: "add server" everywhere; if any instance refused or failed and
 * keep_partial is 0, "del server" where it was added (the rollback);
 * else "enable health", "enable agent" as asked and, unless disabled,
 * "enable server" where it was added. *out has one entry per command sent
 * (hap_result_command() says which step). The fleet is the plan's (see
 * hap_plan_apply()). Returns 0 when it ran. Caller owns *out, free with
 * hap_result_free().
 */
HAP_API int hap_server_add_apply(struct hap_result **out, const struct hap_plan *p,
                                 const struct hap_server_add *a, struct hap_error *err);

/*
 * Plan "del server" for every selected server on every instance holding it.
 * An instance where the server is not in maintenance, or still has
 * sessions, gets a skipped entry (HAP_EREFUSED with the reason): nothing is
 * sent there. Caller frees with hap_plan_free().
 */
HAP_API int hap_server_del_plan(struct hap_plan **out, struct hap *h,
                                const struct hap_server_sel *sel, struct hap_error *err);

/*
 * The safe removal, per instance: "set server state drain", wait until
 * scur and qcur are 0 (timeout_ms, interval_ms, cb as hap_server_wait()),
 * "set server state maint", "del server". When a step fails anywhere (a
 * refusal, the timeout), every instance where the server still exists is
 * put back in the state it was found in (ready, drain or maint). *out lists
 * every step per instance ("wait empty" rows are not runtime commands: sent
 * is 0). Returns 0 when it ran. Caller owns *out, free with hap_result_free().
 */
HAP_API int hap_server_remove(struct hap_result **out, struct hap *h,
                              const struct hap_server_sel *sel, int timeout_ms, int interval_ms,
                              hap_wait_cb cb, void *arg, struct hap_error *err);

/*
 * "show servers state" of every instance (what server-state-file holds):
 * one entry per instance, the message is the reply. Caller frees with
 * hap_result_free().
 */
HAP_API int hap_server_state_read(struct hap_result **out, struct hap *h, struct hap_error *err);

/* A server whose runtime state differs from its configuration. Borrowed. */
struct hap_state_change {
	size_t instance; /* the entry of hap_state_diff_result() (the instance's
	                  * position in the fleet; its name: hap_result_instance()) */
	const char *backend;
	const char *server;
	const char *field;   /* "weight" (srv_uweight vs srv_iweight) or "state" */
	const char *config;  /* the configured value ("ready" for a state) */
	const char *runtime; /* the value now ("maint", "drain", "maint+drain") */
};
struct hap_state_diff;
/*
 * What a reload would undo, from "show servers state": weights set at
 * runtime, and servers put in maint or drain from the runtime API (or by
 * checks' administrative paths). Addresses are not compared: HAProxy 2.6
 * does not report the configured one. Caller owns *out, free with
 * hap_state_diff_free().
 */
HAP_API int hap_server_state_diff(struct hap_state_diff **out, struct hap *h,
                                  struct hap_error *err);
HAP_API size_t hap_state_diff_count(const struct hap_state_diff *d);
HAP_API void hap_state_diff_get(struct hap_state_change *out, const struct hap_state_diff *d,
                                size_t i);
/* How the read went on each instance, as one result (borrowed, valid until
 * hap_state_diff_free()): hap_server_state_read()'s, entry i per instance
 * of the fleet; hap_result_code() is not 0 where the instance did not
 * answer (hap_result_message() says why). */
HAP_API const struct hap_result *hap_state_diff_result(const struct hap_state_diff *d);
/* NULL is a no-op. */
HAP_API void hap_state_diff_free(struct hap_state_diff *d);

#ifdef __cplusplus
}
#endif
#endif
