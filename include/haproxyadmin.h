/*
 * haproxyadmin.h - manage many HAProxy instances through their runtime API
 * as if they were one.
 *
 * Conventions:
 * - Functions that can fail return 0 or a negative enum hap_err.
 * - A function that allocates for the caller says so ("caller owns *out,
 *   free with X"); a returned pointer is otherwise borrowed from its parent
 *   and valid as long as the parent is.
 * - struct hap_error *err parameters may be NULL.
 * - The library never prints, exits or touches signals. A handle is not
 *   thread-safe; separate handles on separate threads are fine.
 */
#ifndef HAPROXYADMIN_H
#define HAPROXYADMIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HAP_API __attribute__((visibility("default")))
#else
#define HAP_API
#endif

#define HAP_VERSION "0.1.0"

enum hap_err {
	HAP_OK = 0,
	HAP_ERROR = -1,         /* anything else */
	HAP_ENOMEM = -2,        /* out of memory */
	HAP_EINVAL = -3,        /* invalid argument or input (nothing was sent) */
	HAP_ERANGE = -4,        /* number out of range */
	HAP_EIO = -5,           /* socket error */
	HAP_ETIMEDOUT = -6,     /* deadline passed */
	HAP_EPROTO = -7,        /* reply could not be understood */
	HAP_EREFUSED = -8,      /* HAProxy answered with an error */
	HAP_ENOTFOUND = -9,     /* no such object on this instance */
	HAP_ECONNREFUSED = -10, /* nothing listens behind the socket */
	HAP_EACCES = -11,       /* permission denied on the socket */
	HAP_ETOOBIG = -12,      /* reply larger than the cap */
	HAP_EPERM = -13,        /* socket level too low for the command */
	HAP_EBUSY = -14,        /* connected, but no answer within the deadline */
	HAP_ENOENT = -15,       /* no socket at that path */
	HAP_EPARTIAL = -16,     /* part of a change was applied */
};

/* Name of an error code ("connection refused"); never NULL. */
HAP_API const char *hap_strerror(int code);

/* The message of a failed call: one line, names the object and the cause. */
struct hap_error {
	int code;
	char msg[512];
};

/* ------------------------------------------------------------------ */
/* The fleet: endpoints and options                                    */
/* ------------------------------------------------------------------ */

/* Options; zero means default for every field. */
struct hap_options {
	int timeout_ms;   /* deadline of one exchange with one instance; default 2000 */
	int retries;      /* extra connect attempts; default 1; negative = none */
	int parallel;     /* at most this many sockets open at once; default 64 */
	size_t max_reply; /* cap on one reply in bytes; default 256 MiB */
	unsigned flags;   /* HAP_OPT_* */
};

/* Include old workers (draining after a reload) in aggregates and writes. */
#define HAP_OPT_OLD_WORKERS 0x1u

struct hap;

/* Create an empty fleet. opts may be NULL. Caller owns *out, free with hap_free(). */
HAP_API int hap_new(struct hap **out, const struct hap_options *opts);
/* Free a fleet; NULL is a no-op. */
HAP_API void hap_free(struct hap *h);

/*
 * Add an endpoint: a UNIX socket path (or unix:PATH), a directory (every
 * UNIX socket in it, sorted by name), tcp:HOST:PORT (IPv4 or [IPv6]), or
 * master:PATH / master:tcp:HOST:PORT (a master CLI: its workers become
 * instances). Nothing is sent. HAP_EINVAL / HAP_ENOENT with a message in err.
 */
HAP_API int hap_add_endpoint(struct hap *h, const char *spec, struct hap_error *err);
HAP_API size_t hap_endpoint_count(const struct hap *h);
/* Borrowed; valid until hap_free(). */
HAP_API const char *hap_endpoint_name(const struct hap *h, size_t i);

/* ------------------------------------------------------------------ */
/* Values                                                              */
/* ------------------------------------------------------------------ */

enum hap_value_kind {
	HAP_VALUE_ABSENT = 0, /* empty field, or no instance has it */
	HAP_VALUE_NUMBER,     /* num is set */
	HAP_VALUE_TEXT,       /* text/len are set */
	HAP_VALUE_DISAGREE,   /* instances hold different values: read each instance */
};

/*
 * A field's value. text is NOT NUL-terminated: use len. It is borrowed from
 * the snapshot and valid until hap_snapshot_free().
 */
struct hap_value {
	enum hap_value_kind kind;
	int64_t num;
	const char *text;
	size_t len;
};

/* How a field is aggregated across instances (a data table, see README). */
enum hap_rule {
	HAP_RULE_AGREE = 0, /* names, status, config: must be equal, else DISAGREE */
	HAP_RULE_SUM,       /* counters, gauges, rates, limits */
	HAP_RULE_MAX,       /* maxima */
	HAP_RULE_MIN,       /* ages (negative "never" values ignored) */
	HAP_RULE_AVG,       /* averages, rounded to the nearest integer */
};

/* Rule for a "show stat" field of an object type, or a "show info" key (type -1). */
HAP_API enum hap_rule hap_field_rule(int type, const char *field);
/* The fields HAProxy 2.6 reports for an object type (0 frontend, 1 backend,
 * 2 server) or -1 for "show info", from the rule table. Borrowed, static. */
HAP_API size_t hap_known_field_count(int type);
HAP_API const char *hap_known_field(int type, size_t i);
/* "agree", "sum", "max", "min", "avg". */
HAP_API const char *hap_rule_name(enum hap_rule rule);

/* ------------------------------------------------------------------ */
/* Snapshots: one parallel read of every instance, merged              */
/* ------------------------------------------------------------------ */

enum hap_obj {
	HAP_OBJ_FRONTEND = 0,
	HAP_OBJ_BACKEND = 1,
	HAP_OBJ_SERVER = 2,
};

/* What a snapshot reads besides "show info" (show stat's type mask). */
#define HAP_SNAP_FRONTENDS 0x1u
#define HAP_SNAP_BACKENDS  0x2u
#define HAP_SNAP_SERVERS   0x4u
#define HAP_SNAP_ALL       0x7u
#define HAP_SNAP_ACLS      0x8u /* also "show acl" (the list of ACLs) */
#define HAP_SNAP_MAPS      0x10u /* also "show map" (the list of maps) */

/* Instance flags. */
#define HAP_INST_OLD_WORKER 0x1u /* an old worker still draining after a reload */
#define HAP_INST_DUPLICATE  0x2u /* the same process as an earlier instance: ignored */
#define HAP_INST_EXCLUDED   0x4u /* left out of aggregates (old worker without the option) */

/* The index meaning "every instance, aggregated" in value getters. */
#define HAP_AGGREGATE ((size_t)-1)

struct hap_snapshot;
struct hap_object;

/*
 * Read every instance of the fleet in one parallel round: "show cli level",
 * "show info" and, as <what> asks, "show acl", "show map" and
 * "show stat -1 <what & HAP_SNAP_ALL> -1", all in one request. Returns 0 when the round
 * ran, even if instances failed: each instance has its own status. Fails
 * as a whole only for fleet-wide reasons (HAP_ENOMEM, no endpoint).
 * Caller owns *out, free with hap_snapshot_free().
 */
HAP_API int hap_snapshot_new(struct hap_snapshot **out, struct hap *h, unsigned what,
                             struct hap_error *err);
HAP_API void hap_snapshot_free(struct hap_snapshot *s);

/* Instances, in endpoint order (a master expands to its workers). */
HAP_API size_t hap_snapshot_instance_count(const struct hap_snapshot *s);
/* Display name: the endpoint, plus " @!PID" for a master's worker. Borrowed. */
HAP_API const char *hap_instance_name(const struct hap_snapshot *s, size_t i);
/* 0 when the instance answered, else its error code; *msg (may be NULL) gets
 * a one-line message (borrowed). */
HAP_API int hap_instance_status(const struct hap_snapshot *s, size_t i, const char **msg);
HAP_API unsigned hap_instance_flags(const struct hap_snapshot *s, size_t i);

/* The level of the socket an instance was reached through ("show cli level"). */
enum hap_level {
	HAP_LEVEL_UNKNOWN = 0,
	HAP_LEVEL_USER,
	HAP_LEVEL_OPERATOR,
	HAP_LEVEL_ADMIN,
};
HAP_API int hap_instance_level(const struct hap_snapshot *s, size_t i);
/* "user", "operator", "admin" or "unknown". */
HAP_API const char *hap_level_name(int level);
/* For a HAP_INST_DUPLICATE instance: the index of the one it duplicates. */
HAP_API size_t hap_instance_duplicate_of(const struct hap_snapshot *s, size_t i);
/* Number of instances that answered and count (not duplicates, not excluded). */
HAP_API size_t hap_snapshot_live_count(const struct hap_snapshot *s);

/* "show info" keys: the union over instances, in first-seen order. Borrowed. */
HAP_API size_t hap_snapshot_info_count(const struct hap_snapshot *s);
HAP_API const char *hap_snapshot_info_key(const struct hap_snapshot *s, size_t k);
/* Value of an info key on instance i, or aggregated (i = HAP_AGGREGATE). */
HAP_API int hap_snapshot_info(struct hap_value *out, const struct hap_snapshot *s, size_t i,
                              const char *key);

/* "show stat" fields: the union of every instance's columns. Borrowed. */
HAP_API size_t hap_snapshot_field_count(const struct hap_snapshot *s);
HAP_API const char *hap_snapshot_field_name(const struct hap_snapshot *s, size_t f);
/* Index of a field by name, or -1. */
HAP_API int hap_snapshot_field_index(const struct hap_snapshot *s, const char *name);

/* Objects of a type, sorted by name (servers by backend, then name). */
HAP_API size_t hap_snapshot_count(const struct hap_snapshot *s, enum hap_obj type);
HAP_API const struct hap_object *hap_snapshot_object(const struct hap_snapshot *s,
                                                     enum hap_obj type, size_t i);
/* Find by name; for servers give the backend. NULL if no instance has it. */
HAP_API const struct hap_object *hap_snapshot_find(const struct hap_snapshot *s, enum hap_obj type,
                                                   const char *backend, const char *name);

HAP_API enum hap_obj hap_object_type(const struct hap_object *o);
HAP_API const char *hap_object_name(const struct hap_object *o);
/* The backend of a server; NULL for frontends and backends. */
HAP_API const char *hap_object_backend(const struct hap_object *o);
/* The instances holding the object: count, and the instance index of each. */
HAP_API size_t hap_object_instance_count(const struct hap_object *o);
HAP_API size_t hap_object_instance(const struct hap_object *o, size_t k);

/*
 * Every field of the object at once: out must hold hap_snapshot_field_count()
 * values. k is the object's k-th instance, or HAP_AGGREGATE for the value
 * across instances by each field's rule (excluded instances left out).
 */
HAP_API int hap_object_values(struct hap_value *out, const struct hap_object *o, size_t k);
/* One field by name (same meaning of k). */
HAP_API int hap_object_value(struct hap_value *out, const struct hap_object *o, size_t k,
                             const char *field);

/* ------------------------------------------------------------------ */
/* Results: the outcome of one command on each instance                */
/* ------------------------------------------------------------------ */

struct hap_result;

/* Entries: one per instance and object a command was meant for. */
HAP_API size_t hap_result_count(const struct hap_result *r);
/* Display name of the instance. Borrowed, valid until hap_result_free(). */
HAP_API const char *hap_result_instance(const struct hap_result *r, size_t i);
/* The object ("backend/server", a frontend, a map file); NULL for raw commands. */
HAP_API const char *hap_result_object(const struct hap_result *r, size_t i);
/* The runtime command line (without routing prefix and newline). */
HAP_API const char *hap_result_command(const struct hap_result *r, size_t i);
/*
 * 0 applied; HAP_EREFUSED refused by HAProxy (message is its text, verbatim);
 * HAP_ENOTFOUND the instance does not hold the object; HAP_EPARTIAL part of
 * the change applied (message says which); HAP_EPERM the socket's level is
 * too low (nothing sent); transport errors (HAP_ECONNREFUSED, HAP_EBUSY...).
 */
HAP_API int hap_result_code(const struct hap_result *r, size_t i);
/* HAProxy's reply, trimmed of trailing newlines, or the error message. */
HAP_API const char *hap_result_message(const struct hap_result *r, size_t i);
/* 1 when the command was sent to that instance, 0 when it was not. */
HAP_API int hap_result_sent(const struct hap_result *r, size_t i);
/* Entries whose code is not 0. */
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
 * count what it touches (confirmation), then apply it.
 */
struct hap_plan;

/* Commands: one per instance and object. Borrowed, valid until hap_plan_free(). */
HAP_API size_t hap_plan_count(const struct hap_plan *p);
HAP_API const char *hap_plan_instance(const struct hap_plan *p, size_t i);
HAP_API const char *hap_plan_object(const struct hap_plan *p, size_t i);
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
 * judge each reply with the operation's table. *out lists one entry per
 * plan entry: applied (0), refused (HAProxy's text verbatim), not found,
 * partly applied, skipped, or a transport error. Returns 0 when the round
 * ran. Caller owns *out, free with hap_result_free().
 */
HAP_API int hap_plan_apply(struct hap_result **out, struct hap *h, const struct hap_plan *p,
			   struct hap_error *err);

enum hap_server_change {
	HAP_SERVER_WEIGHT = 0,     /* value: "0".."256" or "N%" of the configured weight */
	HAP_SERVER_STATE,          /* value: ready, drain, maint */
	HAP_SERVER_ENABLE,         /* leave maintenance ("enable server") */
	HAP_SERVER_DISABLE,        /* enter maintenance ("disable server") */
	HAP_SERVER_ADDR,           /* value: an IPv4/IPv6 address; port: optional */
	HAP_SERVER_HEALTH,         /* value: up, stopping, down */
	HAP_SERVER_AGENT,          /* value: up, down */
	HAP_SERVER_CHECK,          /* value: enable, disable (health checks) */
	HAP_SERVER_AGENT_CHECK,    /* value: enable, disable (agent checks) */
	HAP_SERVER_MAXCONN,        /* value: 0.. */
	HAP_SERVER_SHUTDOWN_SESSIONS, /* close every session of the server */
};

struct hap_server_op {
	enum hap_server_change change;
	const char *backend; /* NULL: every backend that has the server */
	const char *server;
	const char *value;   /* see enum hap_server_change; NULL when none */
	const char *port;    /* HAP_SERVER_ADDR only; NULL for none */
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
	HAP_GLOBAL_MAXCONN = 0,          /* "set maxconn global N" */
	HAP_GLOBAL_RATE_CONNECTIONS,     /* "set rate-limit connections global N" */
	HAP_GLOBAL_RATE_SESSIONS,        /* "set rate-limit sessions global N" */
	HAP_GLOBAL_RATE_SSL_SESSIONS,    /* "set rate-limit ssl-sessions global N" */
	HAP_GLOBAL_RATE_HTTP_COMPRESSION, /* "set rate-limit http-compression global N" (kB/s) */
	HAP_GLOBAL_CLEAR_COUNTERS,       /* "clear counters" (maxima) */
	HAP_GLOBAL_CLEAR_COUNTERS_ALL,   /* "clear counters all" */
};

struct hap_global_op {
	enum hap_global_change change;
	const char *value; /* the number for set changes, NULL for clear */
};

HAP_API int hap_global_op_check(const struct hap_global_op *op, struct hap_error *err);
/* Plan the change on every instance. Caller frees with hap_plan_free(). */
HAP_API int hap_global_plan(struct hap_plan **out, struct hap *h, const struct hap_global_op *op,
			    struct hap_error *err);

/* ------------------------------------------------------------------ */
/* ACLs and maps                                                       */
/* ------------------------------------------------------------------ */

/* (declarations of the ACL and map API go here) */

#ifdef __cplusplus
}
#endif
#endif
