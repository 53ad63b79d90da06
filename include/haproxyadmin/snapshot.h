/*
 * haproxyadmin/snapshot.h - snapshots and values: one parallel read of every instance, merged.
 * Part of the public API; include <haproxyadmin.h> (the umbrella) or this file.
 */
#ifndef HAPROXYADMIN_SNAPSHOT_H
#define HAPROXYADMIN_SNAPSHOT_H

#include "haproxyadmin/fleet.h"

#ifdef __cplusplus
extern "C" {
#endif

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
struct hap_result; /* change.h */

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
/*
 * How the read went on each instance, as one result (struct hap_result,
 * change.h; borrowed, valid until hap_snapshot_free()): entry i is instance
 * i (hap_result_instance_index() is i). hap_result_code() is 0 when the
 * instance answered (outcome SENT: a read is never "applied"), else its
 * error code; hap_result_message() is "" or a one-line message.
 */
HAP_API const struct hap_result *hap_snapshot_result(const struct hap_snapshot *s);
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

/*
 * The seed's lookup: every server named name (NULL: any name) in backend
 * (NULL: every backend that holds it), in snapshot order, one per call.
 * *pos is the cursor: set it to 0 before the first call. NULL after the
 * last one. Borrowed, like hap_snapshot_object().
 *   size_t pos = 0;
 *   while ((o = hap_snapshot_server_next(s, &pos, NULL, "web1")))
 *           ...
 */
HAP_API const struct hap_object *hap_snapshot_server_next(const struct hap_snapshot *s, size_t *pos,
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

#ifdef __cplusplus
}
#endif
#endif
