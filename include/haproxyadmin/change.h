/*
 * haproxyadmin/change.h - changes and results: plan from a fresh read, apply, one outcome per row.
 * Part of the public API; include <haproxyadmin.h> (the umbrella) or this file.
 */
#ifndef HAPROXYADMIN_CHANGE_H
#define HAPROXYADMIN_CHANGE_H

#include "haproxyadmin/snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Results: the outcome of one command on each instance                */
/* ------------------------------------------------------------------ */

/*
 * The one outcome type: whatever went to several instances reports one
 * entry per instance (and object) here, owned (hap_plan_apply(),
 * hap_exec(), hap_pattern_replace_apply(), the workflows) or borrowed
 * (hap_snapshot_result(), hap_pattern_read_result(),
 * hap_state_diff_result()). Code 0 is outcome SENT unless a read-back
 * showed the requested value (APPLIED); a read that answered is 0 / SENT.
 */
struct hap_result;

/*
 * What an entry of a plan or a result is about. The first three are the
 * values of enum hap_obj (a proxy or a server of a snapshot).
 */
enum hap_object_kind {
	HAP_KIND_FRONTEND = HAP_OBJ_FRONTEND,
	HAP_KIND_BACKEND = HAP_OBJ_BACKEND,
	HAP_KIND_SERVER = HAP_OBJ_SERVER,
	HAP_KIND_GLOBAL, /* a process-wide setting (name "global") */
	HAP_KIND_ACL,    /* an ACL file (name: the file) */
	HAP_KIND_MAP,    /* a map file (name: the file) */
	HAP_KIND_RAW,    /* no object: a raw command, a read, a wait (name: the object
	                  * as hap_result_object() says it, may be NULL) */
};

/* Entries: one per instance and object a command was meant for. */
HAP_API size_t hap_result_count(const struct hap_result *r);
/* Display name of the instance. Borrowed, valid until hap_result_free(). */
HAP_API const char *hap_result_instance(const struct hap_result *r, size_t i);
/* The object ("backend/server", a frontend, a map file); NULL for raw commands. */
HAP_API const char *hap_result_object(const struct hap_result *r, size_t i);
/* The instance index of entry i in the snapshot of the plan it was applied
 * from (hap_plan_snapshot()); for hap_exec() and hap_server_state_read()
 * the instance's position in the fleet when it ran (a snapshot taken then
 * numbers it the same); HAP_AGGREGATE when it is tied to none (a workflow
 * step without an instance). */
HAP_API size_t hap_result_instance_index(const struct hap_result *r, size_t i);
/*
 * The object of entry i, never a string to split: returns its kind (enum
 * hap_object_kind). *backend (may be NULL) gets a server's backend, else
 * NULL; *name (may be NULL) the server's or proxy's name, the file, else
 * the object as hap_result_object() says it. Borrowed.
 */
HAP_API int hap_result_object_ref(const struct hap_result *r, size_t i, const char **backend,
                                  const char **name);
/* The runtime command line (without routing prefix and newline). */
HAP_API const char *hap_result_command(const struct hap_result *r, size_t i);
/*
 * 0 accepted or answered (see hap_result_outcome() for whether it was read
 * back); HAP_EREFUSED refused by HAProxy (message is its text, verbatim);
 * HAP_ENOTFOUND the instance does not hold the object; HAP_EPARTIAL part of
 * the change applied (message says which); HAP_EPERM the socket's level is
 * too low (nothing sent); transport errors (HAP_ECONNREFUSED, HAP_EBUSY...).
 */
HAP_API int hap_result_code(const struct hap_result *r, size_t i);
/* HAProxy's reply, trimmed of trailing newlines, or the error message. */
HAP_API const char *hap_result_message(const struct hap_result *r, size_t i);

/*
 * The outcome of entry i: one word per row, counted from these only.
 * APPLIED: sent, accepted and the read-back shows the requested value.
 * SENT: accepted, not read back (HAP_OPT_NO_VERIFY, or nothing to read);
 * the default of code 0, and the outcome of a read that answered.
 * UNKNOWN: sent, no complete reply, and the read-back failed too.
 * REFUSED: HAProxy's refusal, verbatim. NOT_FOUND: the instance does not
 * hold the object. PARTIAL: part of the change is live. DENIED: socket
 * level too low (nothing sent). SUPERSEDED: the read-back shows another
 * value than the one asked for (see hap_result_why()). ERROR: not sent or
 * not done (transport failure, unreachable, the rest of a replace failed).
 */
enum hap_outcome {
	HAP_OUT_APPLIED = 0,
	HAP_OUT_SENT,
	HAP_OUT_UNKNOWN,
	HAP_OUT_REFUSED,
	HAP_OUT_NOT_FOUND,
	HAP_OUT_PARTIAL,
	HAP_OUT_DENIED,
	HAP_OUT_SUPERSEDED,
	HAP_OUT_ERROR,
};
/* Why a read-back differs from the request, when known. */
enum hap_why {
	HAP_WHY_NONE = 0,
	HAP_WHY_RESTARTED,   /* new Pid or Start_time_sec since the plan's read */
	HAP_WHY_CHANGED,     /* changed by someone else (another writer's value is live) */
	HAP_WHY_NORMALISED,  /* HAProxy accepted it and stored another value (e.g. rounded) */
	HAP_WHY_NOT_APPLIED, /* the read-back shows the old value */
};
/* "applied", "sent", "unknown", "refused", "not-found", "partial", "denied",
 * "superseded", "error". Static, never NULL. */
HAP_API const char *hap_outcome_name(int outcome);
/* "", "restarted", "changed-by-other", "normalised", "not-applied". Static. */
HAP_API const char *hap_why_name(int why);
/* enum hap_outcome of entry i. */
HAP_API int hap_result_outcome(const struct hap_result *r, size_t i);
/* enum hap_why of entry i. */
HAP_API int hap_result_why(const struct hap_result *r, size_t i);
/* The value read back after the change (text), NULL when not read back.
 * Borrowed, valid until hap_result_free(). */
HAP_API const char *hap_result_after(const struct hap_result *r, size_t i);
/* 1 when every entry is APPLIED or SENT (0 entries: 1). */
HAP_API int hap_result_all_done(const struct hap_result *r);
/* 1 when the command was sent to that instance, 0 when it was not. */
HAP_API int hap_result_sent(const struct hap_result *r, size_t i);
/* Entries whose outcome is neither APPLIED nor SENT. */
HAP_API size_t hap_result_failures(const struct hap_result *r);
/* NULL is a no-op. */
HAP_API void hap_result_free(struct hap_result *r);

/*
 * Send one raw command line to every instance (the routing prefix is added
 * for a master's workers) and collect each reply verbatim (code 0) or the
 * transport error. The line may not contain a newline. Caller owns *out,
 * free with hap_result_free().
 */
HAP_API int hap_exec(struct hap_result **out, struct hap *h, const char *cmd,
                     struct hap_error *err);

/* ------------------------------------------------------------------ */
/* Changes: plan from a fresh read, then apply in parallel             */
/* ------------------------------------------------------------------ */

/*
 * A plan is the exact runtime command for each instance that holds the
 * object(s) of a change, built from a fresh snapshot. Print it (dry run),
 * count what it touches (confirmation), then apply it. A plan keeps
 * (borrows) the struct hap it was planned on: free the plan first.
 */
struct hap_plan;

/* Commands: one per instance and object. Borrowed, valid until hap_plan_free(). */
HAP_API size_t hap_plan_count(const struct hap_plan *p);
/* Display name of the instance of entry i (for messages; use
 * hap_plan_instance_index() to tie it to anything). */
HAP_API const char *hap_plan_instance(const struct hap_plan *p, size_t i);
/* The object for display ("backend/server", a frontend, a file). */
HAP_API const char *hap_plan_object(const struct hap_plan *p, size_t i);
/* The object of entry i, as hap_result_object_ref(): its kind (enum
 * hap_object_kind), a server's backend in *backend (else NULL) and the
 * name in *name (both may be NULL). Borrowed. */
HAP_API int hap_plan_object_ref(const struct hap_plan *p, size_t i, const char **backend,
                                const char **name);
HAP_API const char *hap_plan_command(const struct hap_plan *p, size_t i);
/* Instance index of entry i in hap_plan_snapshot(). */
HAP_API size_t hap_plan_instance_index(const struct hap_plan *p, size_t i);
/* Not 0 when entry i will not be sent (e.g. HAP_EPERM: socket level too low). */
HAP_API int hap_plan_skip(const struct hap_plan *p, size_t i, const char **msg);
/* Distinct objects the change touches. */
HAP_API size_t hap_plan_objects(const struct hap_plan *p);
/* 1 when the change stops traffic (disable, maint, drain, shutdown). */
HAP_API int hap_plan_disruptive(const struct hap_plan *p);
/* The read the plan was built from (values "before"). Borrowed. */
HAP_API const struct hap_snapshot *hap_plan_snapshot(const struct hap_plan *p);
/* NULL is a no-op. */
HAP_API void hap_plan_free(struct hap_plan *p);

/*
 * Send every command of the plan in parallel (one connection each) and
 * judge each reply with the operation's table, holding the per-object lock
 * (HAP_EBUSY naming the holder when another writer on this host keeps it
 * past the exchange deadline; nothing is sent then; HAP_OPT_NO_LOCK skips
 * it). Then, unless HAP_OPT_NO_VERIFY, read the objects back (one read;
 * one proxy when the plan is about one) and settle each entry's outcome
 * (hap_result_outcome): APPLIED only where the read-back shows the
 * requested value (servers: weight, maxconn, maint/drain, addr; frontends:
 * status, maxconn; process-wide settings: their "show info" value, except
 * maxconn 0 and clear counters), SUPERSEDED / PARTIAL / ERROR with
 * hap_result_why() otherwise; UNKNOWN (sent, no complete reply) is
 * replaced by what is read back when it can be. Map/ACL entry changes
 * read the file's entries back ("show map|acl FILE": the key holds the
 * value, is gone, the file is empty), except for "#0x" references and map
 * keys with blanks (process identity only). With HAP_OPT_NO_VERIFY, or
 * when there is nothing to read back, an accepted command is SENT. The
 * plan borrows the fleet it was planned on (the struct hap given to the
 * plan function): the fleet must outlive the plan. Returns 0 when the
 * round ran. Caller owns *out, free with hap_result_free().
 */
HAP_API int hap_plan_apply(struct hap_result **out, const struct hap_plan *p,
                           struct hap_error *err);

enum hap_server_change {
	HAP_SERVER_WEIGHT = 0,        /* value: "0".."256" or "N%" of the configured weight */
	HAP_SERVER_STATE,             /* value: ready, drain, maint */
	HAP_SERVER_ENABLE,            /* leave maintenance ("enable server") */
	HAP_SERVER_DISABLE,           /* enter maintenance ("disable server") */
	HAP_SERVER_ADDR,              /* value: an IPv4/IPv6 address; port: optional */
	HAP_SERVER_HEALTH,            /* value: up, stopping, down */
	HAP_SERVER_AGENT,             /* value: up, down */
	HAP_SERVER_CHECK,             /* value: enable, disable (health checks) */
	HAP_SERVER_AGENT_CHECK,       /* value: enable, disable (agent checks) */
	HAP_SERVER_MAXCONN,           /* value: 0.. */
	HAP_SERVER_SHUTDOWN_SESSIONS, /* close every session of the server */
};

struct hap_server_op {
	enum hap_server_change change;
	const char *backend; /* NULL: every backend that has the server */
	const char *server;
	const char *value; /* see enum hap_server_change; NULL when none */
	const char *port;  /* HAP_SERVER_ADDR only; NULL for none */
};

/*
 * Validate the change (nothing is sent when it is invalid: HAP_EINVAL with
 * a message), read every instance, and plan the command for each instance
 * and backend that holds the server. HAP_ENOTFOUND when none does.
 * Caller owns *out, free with hap_plan_free().
 */
HAP_API int hap_server_plan(struct hap_plan **out, struct hap *h, const struct hap_server_op *op,
                            struct hap_error *err);
/* Only the validation of hap_server_plan (no I/O). */
HAP_API int hap_server_op_check(const struct hap_server_op *op, struct hap_error *err);

enum hap_frontend_change {
	HAP_FRONTEND_ENABLE = 0, /* accept new connections again ("enable frontend") */
	HAP_FRONTEND_DISABLE,    /* stop accepting, keep the listeners ("disable frontend") */
	HAP_FRONTEND_SHUTDOWN,   /* stop for good: cannot be enabled again ("shutdown frontend") */
	HAP_FRONTEND_MAXCONN,    /* value: 0.. */
};

struct hap_frontend_op {
	enum hap_frontend_change change;
	const char *const *names; /* one or more frontends */
	size_t nnames;
	const char *value; /* HAP_FRONTEND_MAXCONN only */
};

/* Validate (no I/O): HAP_EINVAL with a message. */
HAP_API int hap_frontend_op_check(const struct hap_frontend_op *op, struct hap_error *err);
/* Plan the change on every instance holding each frontend; HAP_ENOTFOUND
 * when a named frontend is on no instance. Caller frees with hap_plan_free(). */
HAP_API int hap_frontend_plan(struct hap_plan **out, struct hap *h,
                              const struct hap_frontend_op *op, struct hap_error *err);

enum hap_global_change {
	HAP_GLOBAL_MAXCONN = 0,           /* "set maxconn global N" */
	HAP_GLOBAL_RATE_CONNECTIONS,      /* "set rate-limit connections global N" */
	HAP_GLOBAL_RATE_SESSIONS,         /* "set rate-limit sessions global N" */
	HAP_GLOBAL_RATE_SSL_SESSIONS,     /* "set rate-limit ssl-sessions global N" */
	HAP_GLOBAL_RATE_HTTP_COMPRESSION, /* "set rate-limit http-compression global N" (kB/s) */
	HAP_GLOBAL_CLEAR_COUNTERS,        /* "clear counters" (maxima) */
	HAP_GLOBAL_CLEAR_COUNTERS_ALL,    /* "clear counters all" */
};

struct hap_global_op {
	enum hap_global_change change;
	const char *value; /* the number for set changes, NULL for clear */
};

HAP_API int hap_global_op_check(const struct hap_global_op *op, struct hap_error *err);
/* Plan the change on every instance. Caller frees with hap_plan_free(). */
HAP_API int hap_global_plan(struct hap_plan **out, struct hap *h, const struct hap_global_op *op,
                            struct hap_error *err);

#ifdef __cplusplus
}
#endif
#endif
