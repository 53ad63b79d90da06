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
	HAP_EUNKNOWN = -17,     /* sent, but no complete reply: outcome not known */
	HAP_ESUPERSEDED = -18,  /* another value than the one asked for is live */
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
	/* total deadline of everything the fleet handle does, counted from
	 * hap_new(): no exchange runs past it; 0 = none */
	int deadline_ms;
	/* cap on the replies of all instances together, across the rounds of
	 * a command: what live snapshots of this handle keep counts; default
	 * max_reply (so N flooding peers hold max_reply, not N times it) */
	size_t max_total;
};

/* Include old workers (draining after a reload) in aggregates and writes. */
#define HAP_OPT_OLD_WORKERS 0x1u
/* Changes: do not read the state back; an accepted command is "sent". */
#define HAP_OPT_NO_VERIFY 0x2u
/* Changes: do not take the per-object lock (see README, "Concurrent writers"). */
#define HAP_OPT_NO_LOCK 0x4u

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
/*
 * Check a proxy or server name against HAProxy's charset (letters, digits,
 * '-', '_', '.', ':'); what names it in the message ("backend"). 0 or
 * HAP_EINVAL. Every function that sends a name checks it too.
 */
HAP_API int hap_name_check(const char *what, const char *name, struct hap_error *err);
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
/* HAProxy 2.6's "show stat typed" / "show info typed" tag of a field for an
 * object type (as hap_known_field()), e.g. "MCP": origin, nature (C counter,
 * G gauge, R rate, M max, L limit, A age, a average, D duration...), scope.
 * NULL when the type has no such field. Borrowed, static. */
HAP_API const char *hap_field_tag(int type, const char *field);

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
#define HAP_SNAP_ACLS      0x8u  /* also "show acl" (the list of ACLs) */
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
/* The same, reading the rows of one proxy only ("show stat <proxy> <what> -1"):
 * the cheap read of one backend's servers. Instances without it hold none. */
HAP_API int hap_snapshot_new_proxy(struct hap_snapshot **out, struct hap *h, unsigned what,
                                   const char *proxy, struct hap_error *err);
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
/*
 * The aggregate and every instance's values in one pass over the rows:
 * out must hold (1 + hap_object_instance_count(o)) * hap_snapshot_field_count()
 * values; out[0..F) is the aggregate, out[(1 + k) * F + f] the k-th instance's.
 */
HAP_API int hap_object_values_all(struct hap_value *out, const struct hap_object *o);
/* The same for n chosen fields (indices from hap_snapshot_field_index()):
 * out holds (1 + instances) * n values, out[(1 + k) * n + x] for fields[x].
 * Cheaper when few fields are needed: rows are split only as far as needed. */
HAP_API int hap_object_values_select(struct hap_value *out, const struct hap_object *o,
                                     const size_t *fields, size_t n);
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

/*
 * The outcome of entry i: one word per row, counted from these only.
 * APPLIED: sent, accepted and the read-back shows the requested value.
 * SENT: accepted, not read back (HAP_OPT_NO_VERIFY, or nothing to read).
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
 * keys with blanks (process identity only). With HAP_OPT_NO_VERIFY an
 * accepted command is SENT. Returns 0 when the round ran. Caller owns
 * *out, free with hap_result_free().
 */
HAP_API int hap_plan_apply(struct hap_result **out, struct hap *h, const struct hap_plan *p,
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

/* ------------------------------------------------------------------ */
/* ACLs and maps                                                       */
/* ------------------------------------------------------------------ */

/*
 * ACLs and maps are addressed by their file, which is the same on every
 * instance. A numeric id ("#6" or "6") is per instance: HAProxy numbers ACLs
 * and maps together in parse order, so one file is #6 here and #8 there,
 * and #6 there is something else. An id is resolved to its file where it is
 * listed, every instance is addressed by that file, and an id that means
 * different files (or an inline ACL) on different instances is refused:
 * "#N" is never sent to a fleet. Instances that do not load the file are
 * "not holding" it: they are left alone, not failed.
 */
enum hap_pat_kind {
	HAP_PAT_ACL = 0, /* "show acl", "add acl", ... */
	HAP_PAT_MAP = 1, /* "show map", "add map", ... */
};

/* One row of an instance's "show acl" / "show map". Strings are borrowed
 * from the struct hap_patterns that returned it. */
struct hap_pattern_ref {
	size_t instance;  /* index in the snapshot */
	int64_t id;       /* "#id" on that instance only */
	const char *file; /* "" for an inline ACL (no file) */
	const char *desc; /* HAProxy's description ("pattern loaded from file ...") */
	int64_t entries;  /* entry_cnt: every version, committed or not; -1 if not reported */
	int64_t curr_ver; /* -1 if not reported */
	int64_t next_ver; /* -1 if not reported */
};

struct hap_patterns;

/*
 * Merge the ACL (or map) listings of a snapshot taken with HAP_SNAP_ACLS
 * (HAP_SNAP_MAPS) by file. Instances that did not answer, duplicates and
 * excluded old workers are left out. Caller owns *out, free with
 * hap_patterns_free(); s must outlive it.
 */
HAP_API int hap_patterns_new(struct hap_patterns **out, const struct hap_snapshot *s,
                             enum hap_pat_kind kind, struct hap_error *err);
/* NULL is a no-op. */
HAP_API void hap_patterns_free(struct hap_patterns *p);
/* Files, sorted by name. Borrowed, valid until hap_patterns_free(). */
HAP_API size_t hap_patterns_count(const struct hap_patterns *p);
HAP_API const char *hap_patterns_file(const struct hap_patterns *p, size_t f);
/* The instances loading file f, in instance order, with their own row. */
HAP_API size_t hap_patterns_holder_count(const struct hap_patterns *p, size_t f);
HAP_API const struct hap_pattern_ref *hap_patterns_holder(const struct hap_patterns *p, size_t f,
                                                          size_t k);
/* Index of a file in *out, or HAP_ENOTFOUND. */
HAP_API int hap_patterns_find(const struct hap_patterns *p, const char *file, size_t *out);
/* Inline ACLs (no file), per instance: listed, never addressable fleet-wide. */
HAP_API size_t hap_patterns_inline_count(const struct hap_patterns *p);
HAP_API const struct hap_pattern_ref *hap_patterns_inline_ref(const struct hap_patterns *p,
                                                              size_t i);

/* What an id resolved to. */
struct hap_pattern_target {
	char file[4096]; /* the file every instance is addressed by */
	char note[1024]; /* set when a number was resolved: say it, e.g. "#6 is FILE on
	                    INSTANCE; using the file on every instance loading it" */
	size_t holders;  /* live instances loading the file */
};

/*
 * Resolve an id: a file as listed (exactly), else "#N" or "N" looked up on
 * every instance. HAP_ENOTFOUND when no instance lists it; HAP_EINVAL when
 * the number names different files, or an inline ACL, on different
 * instances (the message says what it is on each).
 */
HAP_API int hap_patterns_resolve(struct hap_pattern_target *out, const struct hap_patterns *p,
                                 const char *id, struct hap_error *err);
/* 1 when instance i of s lists file among its ACLs (maps), 0 when it does
 * not, HAP_ENOTFOUND when its listing was not read (it did not answer). */
HAP_API int hap_pattern_holds(const struct hap_snapshot *s, size_t i, enum hap_pat_kind kind,
                              const char *file);

enum hap_pattern_verb {
	HAP_PATTERN_SHOW = 0, /* read: the entries */
	HAP_PATTERN_GET,      /* read: how a value matches (key) */
	HAP_PATTERN_ADD,      /* key (the ACL pattern / map key), value (maps) */
	HAP_PATTERN_SET,      /* maps only: key or "#0xREF", value */
	HAP_PATTERN_DEL,      /* key or "#0xREF" (every entry with that key) */
	HAP_PATTERN_CLEAR,    /* every entry: disruptive */
};

struct hap_pattern_op {
	enum hap_pat_kind kind;
	enum hap_pattern_verb verb;
	const char *id;    /* a file as listed, "#N" or "N" */
	const char *key;   /* see enum hap_pattern_verb; NULL when none */
	const char *value; /* map value for ADD and SET; NULL otherwise */
};

/* Validate (no I/O): HAP_EINVAL with a message. Keys and values may hold
 * ';', '\' and blanks (escaped so they arrive as one argument), not a
 * newline; a "#..." key of DEL/SET must be an entry reference "#0x<hex>". */
HAP_API int hap_pattern_op_check(const struct hap_pattern_op *op, struct hap_error *err);

/*
 * Plan a change (ADD, SET, DEL, CLEAR): validate, read every instance,
 * resolve the id (target, may be NULL, gets the file and the note), and
 * plan the command for each instance loading the file. A "#0x" reference
 * names an entry of one instance: HAP_EINVAL unless exactly one instance
 * loads the file. HAP_ENOTFOUND when none does; HAP_EIO when no instance
 * answered. Caller owns *out, free with hap_plan_free().
 */
HAP_API int hap_pattern_plan(struct hap_plan **out, struct hap_pattern_target *target,
                             struct hap *h, const struct hap_pattern_op *op, struct hap_error *err);

/* An entry of "show acl|map FILE". Borrowed from the read. */
struct hap_pattern_entry {
	const char *ref;   /* "0x55c283cb0e90": meaningful on its instance only */
	const char *key;   /* the ACL pattern or the map key */
	const char *value; /* the map value; "" for ACLs */
};

struct hap_pattern_read;

/*
 * A read (SHOW or GET) of the file on every instance loading it, in
 * parallel. Same errors as hap_pattern_plan(). Caller owns *out, free with
 * hap_pattern_read_free().
 */
HAP_API int hap_pattern_read_new(struct hap_pattern_read **out, struct hap *h,
                                 const struct hap_pattern_op *op, struct hap_error *err);
/* NULL is a no-op. */
HAP_API void hap_pattern_read_free(struct hap_pattern_read *r);
/* Borrowed, valid until hap_pattern_read_free(). */
HAP_API const struct hap_pattern_target *hap_pattern_read_target(const struct hap_pattern_read *r);
/* The instances of the fleet (duplicates and excluded ones left out). */
HAP_API size_t hap_pattern_read_count(const struct hap_pattern_read *r);
HAP_API const char *hap_pattern_read_instance(const struct hap_pattern_read *r, size_t i);
/* 0 read; HAP_ENOTFOUND the instance does not load the file (not a
 * failure); else HAProxy's refusal or a transport error. *msg (may be NULL)
 * gets the message. */
HAP_API int hap_pattern_read_status(const struct hap_pattern_read *r, size_t i, const char **msg);
/* SHOW: the entries of instance i, in HAProxy's order. */
HAP_API size_t hap_pattern_read_entry_count(const struct hap_pattern_read *r, size_t i);
HAP_API int hap_pattern_read_entry(struct hap_pattern_entry *out, const struct hap_pattern_read *r,
                                   size_t i, size_t e);
/* GET: HAProxy's one-line answer on instance i ("type=str, ..., found=yes, ..."); "" otherwise. */
HAP_API const char *hap_pattern_read_answer(const struct hap_pattern_read *r, size_t i);
/* 1 when every instance read gave the same answer (SHOW: the same keys and
 * values in the same order; entry references always differ and are not
 * compared), 0 when they differ or none was read. */
HAP_API int hap_pattern_read_agree(const struct hap_pattern_read *r);

/* The content of a local file for a replace, validated. */
struct hap_pattern_file;

/*
 * Parse a file's content: one ACL pattern per line, or "key value" per map
 * line (the key is the first word, the value the rest of the line), as
 * HAProxy reads such files; blank lines and lines whose first non-blank is
 * '#' are skipped, leading blanks and a final CR dropped. HAP_EINVAL naming
 * the line: a NUL, a CR inside a line, a line over 8000 bytes. Caller owns
 * *out, free with hap_pattern_file_free().
 */
HAP_API int hap_pattern_file_parse(struct hap_pattern_file **out, enum hap_pat_kind kind,
                                   const char *text, size_t len, struct hap_error *err);
/* The same from a local file (read whole; at most 1 GiB). */
HAP_API int hap_pattern_file_read(struct hap_pattern_file **out, enum hap_pat_kind kind,
                                  const char *path, struct hap_error *err);
/* NULL is a no-op. */
HAP_API void hap_pattern_file_free(struct hap_pattern_file *f);
HAP_API size_t hap_pattern_file_count(const struct hap_pattern_file *f);
/* Entry i as it is sent: the ACL pattern, or the map's "key value". Borrowed. */
HAP_API const char *hap_pattern_file_entry(const struct hap_pattern_file *f, size_t i);
/* The line of entry i in the file (1-based). */
HAP_API size_t hap_pattern_file_line(const struct hap_pattern_file *f, size_t i);

/*
 * An atomic replace of a file's whole content on every instance loading it:
 * "prepare acl|map FILE" everywhere (a new version), every entry added to
 * that version in requests under HAProxy's 16 KB buffer ("add map @V FILE
 * <<" payloads; batches of "add acl @V FILE PATTERN" for ACLs, which have
 * no payload form in 2.6), in the file's order, then "commit acl|map @V
 * FILE" everywhere, only when every instance took every entry. Otherwise
 * nothing is committed anywhere (the prepared versions are cleared) and the
 * old content stays in use. Instances that did not answer the read are not
 * touched: check hap_pattern_replace_snapshot() before applying.
 */
struct hap_pattern_replace;

/*
 * Plan it: validate, read every instance, resolve the id, check that every
 * request fits HAProxy's buffer. f must outlive *out. Same errors as
 * hap_pattern_plan(). Caller owns *out, free with hap_pattern_replace_free().
 */
HAP_API int hap_pattern_replace_new(struct hap_pattern_replace **out, struct hap *h,
                                    enum hap_pat_kind kind, const char *id,
                                    const struct hap_pattern_file *f, struct hap_error *err);
/* NULL is a no-op. */
HAP_API void hap_pattern_replace_free(struct hap_pattern_replace *r);
/* Borrowed, valid until hap_pattern_replace_free(). */
HAP_API const struct hap_pattern_target *
hap_pattern_replace_target(const struct hap_pattern_replace *r);
/* The read the replace was planned from (who holds the file, who did not answer). */
HAP_API const struct hap_snapshot *
hap_pattern_replace_snapshot(const struct hap_pattern_replace *r);
/* The instances it runs on (those loading the file). */
HAP_API size_t hap_pattern_replace_count(const struct hap_pattern_replace *r);
HAP_API size_t hap_pattern_replace_instance_index(const struct hap_pattern_replace *r, size_t k);
HAP_API const char *hap_pattern_replace_instance(const struct hap_pattern_replace *r, size_t k);
/* Add requests (connections) per instance: payload chunks for maps,
 * command batches for ACLs. */
HAP_API size_t hap_pattern_replace_requests(const struct hap_pattern_replace *r);
/* The version of instance k: the one prepared after hap_pattern_replace_apply(),
 * before it the one "prepare" should create (next_ver + 1). */
HAP_API uint32_t hap_pattern_replace_version(const struct hap_pattern_replace *r, size_t k);
/*
 * Dry run: every runtime command for instance k, in order, payloads
 * included, one per line, with the predicted version. Caller owns *out
 * (NUL-terminated, *len bytes), free with free().
 */
HAP_API int hap_pattern_replace_commands(char **out, size_t *len,
                                         const struct hap_pattern_replace *r, size_t k,
                                         struct hap_error *err);
/*
 * Run it, holding the file's lock (see hap_plan_apply). *out has one entry
 * per instance of hap_pattern_replace_count(); its outcome: APPLIED when
 * the listing read back after the commit shows the committed version as
 * curr_ver (the listing only, never the entries; SENT with
 * HAP_OPT_NO_VERIFY); a commit without a complete reply is read back the
 * same way (re-read until the deadline) and stays UNKNOWN only when that
 * fails; SUPERSEDED where another writer's later version is live or the
 * process restarted; REFUSED with HAProxy's text where it refused (the
 * message says in which step); ERROR for an instance that took everything
 * but was not committed because another one failed. Every prepared
 * version that is not committed is cleared, and a clear that answers late
 * is read back ("show map|acl @V FILE") before it is called failed.
 * Returns 0 when it ran. Caller owns *out, free with hap_result_free().
 */
HAP_API int hap_pattern_replace_apply(struct hap_result **out, struct hap *h,
                                      struct hap_pattern_replace *r, struct hap_error *err);

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
	const char *instance; /* display name */
	const char *object;   /* "backend/server" */
	int64_t scur;         /* -1 when unknown */
	int64_t qcur;         /* -1 when unknown */
	const char *status;   /* show stat's status, or the instance's error */
	int old_worker;       /* 1 for an old worker */
	int met;              /* 1 when the condition holds there */
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
 * (hap_result_command() says which step). Returns 0 when it ran. Caller
 * owns *out, free with hap_result_free().
 */
HAP_API int hap_server_add_apply(struct hap_result **out, struct hap *h, const struct hap_plan *p,
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
	const char *instance;
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
/* Instances that did not answer: their name and message (borrowed). */
HAP_API size_t hap_state_diff_failed(const struct hap_state_diff *d);
HAP_API void hap_state_diff_failure(const struct hap_state_diff *d, size_t i, const char **instance,
                                    const char **msg);
/* NULL is a no-op. */
HAP_API void hap_state_diff_free(struct hap_state_diff *d);

#ifdef __cplusplus
}
#endif
#endif
