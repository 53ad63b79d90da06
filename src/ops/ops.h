/*
 * ops.h - operations: how a change is formatted, which socket level it
 * needs, and how each reply is judged.
 *
 * Owns: one reply table per operation, built from replies captured from
 * HAProxy 2.6 (tests/data/2.6/), and plans: the exact command for each
 * instance holding an object, from a fresh snapshot, applied in parallel.
 *
 * Must never: judge a reply by a scattered string search, or count a reply
 * it does not know as success (an unknown text is a refusal, verbatim).
 */
#ifndef HAP_OPS_H
#define HAP_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "haproxyadmin.h"
#include "util/arena.h"
#include "util/buf.h"

enum hap_verdict {
	HAP_V_APPLIED = 0,
	HAP_V_REFUSED,
	HAP_V_NOTFOUND,
	HAP_V_PARTIAL,
	HAP_V_DENIED,
	HAP_V_UNKNOWN, /* no reply byte at all: never a success */
};

enum hap_match {
	HAP_M_EMPTY = 0, /* the lone "\n" of a silent success */
	HAP_M_EXACT,
	HAP_M_PREFIX,
	HAP_M_CONTAINS,
	HAP_M_END, /* end of a table */
};

struct hap_reply_rule {
	enum hap_match match;
	const char *text;
	enum hap_verdict verdict;
};

struct hap_reply_table {
	const char *op;
	int level; /* minimum socket level, enum hap_level */
	const struct hap_reply_rule *rules;
};

/* Judge a reply (trailing newlines ignored): the first matching rule of the
 * table, then the rules common to every op; anything else is a refusal.
 * An empty reply (not even the "\n" of a silent success) is HAP_V_UNKNOWN:
 * the command may or may not have run. */
enum hap_verdict hap_reply_judge(const struct hap_reply_table *t, const char *reply, size_t len);
/* The result code of a verdict (0, HAP_EREFUSED, ...). */
int hap_verdict_code(enum hap_verdict v);

/* Reply tables, one per operation. */
extern const struct hap_reply_table hap_op_set_weight;
extern const struct hap_reply_table hap_op_set_state;
extern const struct hap_reply_table hap_op_enable_server;
extern const struct hap_reply_table hap_op_disable_server;
extern const struct hap_reply_table hap_op_set_addr;
extern const struct hap_reply_table hap_op_set_health;
extern const struct hap_reply_table hap_op_set_agent;
extern const struct hap_reply_table hap_op_enable_health;
extern const struct hap_reply_table hap_op_disable_health;
extern const struct hap_reply_table hap_op_enable_agent;
extern const struct hap_reply_table hap_op_disable_agent;
extern const struct hap_reply_table hap_op_set_maxconn_server;
extern const struct hap_reply_table hap_op_shutdown_sessions;
extern const struct hap_reply_table hap_op_enable_frontend;
extern const struct hap_reply_table hap_op_disable_frontend;
extern const struct hap_reply_table hap_op_shutdown_frontend;
extern const struct hap_reply_table hap_op_set_maxconn_frontend;
extern const struct hap_reply_table hap_op_set_maxconn_global;
extern const struct hap_reply_table hap_op_set_rate_limit;
extern const struct hap_reply_table hap_op_clear_counters;
extern const struct hap_reply_table hap_op_clear_counters_all;

/* Strictly decimal, at most maxlen digits, value <= max. */
int hap_op_number(const char *v, int64_t max);
/* When no instance answered the plan's read: HAP_EIO naming the first
 * failure; else 0. */
int hap_plan_reachable(const struct hap_plan *p, struct hap_error *err);
/* A plan function's first step: an empty plan of fleet h (borrowed) about
 * objects of kind okind (enum hap_object_kind) in *p. 0 or HAP_ENOMEM. */
int hap_plan_alloc(struct hap_plan **p, struct hap *h, int okind, struct hap_error *err);
/* A plan function's last step: on ret (an error), p is freed and ret
 * returned; otherwise *out = p and 0. */
int hap_plan_done(struct hap_plan **out, struct hap_plan *p, int ret);
/*
 * The read-back carried by the change's own prompt session (reference §8):
 * one "show info" (the Pid and start time the writes met) and, after the
 * writes of an instance, "get weight B/S" per write (the write's own
 * read-back line, hap_call.rb) on the same connection, so that a weight
 * change costs no second read of the fleet. calls[get[i]] (the write: its
 * rb_reply) and calls[info[i]] are entry i's, or get[i] is
 * HAP_INLINE_NONE: entry i is read back by a snapshot (ops/readback.c).
 */
#define HAP_INLINE_NONE ((size_t)-1)
struct hap_call;
struct hap_target;
struct hap_inline {
	const struct hap_call *calls; /* borrowed: the apply's calls */
	size_t *get, *info;           /* per entry; owned */
	struct hap_buf text;          /* the read-back's command lines */
};
/* The read-back of the entries of p that can be read back in their
 * session: each one's line on its write (calls[i].rb), and one "show info"
 * call per instance appended to calls (room for one per instance of the
 * plan's snapshot) from *n on, on the entries' targets ts; il->get and
 * il->info say whose (the fleet is p's). 0 or HAP_ENOMEM. */
int hap_readback_inline_add(struct hap_inline *il, const struct hap_plan *p,
                            const struct hap_target *ts, struct hap_call *calls, size_t *n);
void hap_readback_inline_release(struct hap_inline *il);
/* After an apply: settle each entry's outcome in r by what is live now,
 * from the replies of its session's read-back (il, may be NULL) or else by
 * reading the objects back (ops/readback.c). 0 or HAP_ENOMEM. */
int hap_plan_readback(const struct hap_plan *p, struct hap_result *r, const struct hap_inline *il);

/* ---- plans ---- */

struct hap_plan_entry {
	size_t inst; /* instance index in the plan's snapshot */
	/* the strings live in the plan's arena (p->strings) */
	const char *object;  /* "backend/server", a frontend name, a map file */
	const char *backend; /* a server's backend (split from object once), else NULL */
	const char *name;    /* the object's name: in object, after the backend's '/' */
	const char *command; /* the line, without routing prefix and '\n' */
	const struct hap_reply_table *judge;
	int skip_code; /* not 0: not sent, reported with this code (hap_plan_skip_set) */
	const char *skip_msg;
};

struct hap_plan {
	struct hap *h;             /* borrowed: the fleet, which outlives the plan */
	struct hap_snapshot *snap; /* owned: the read the plan was built from */
	size_t n, cap;
	struct hap_plan_entry *e;
	struct hap_arena strings; /* the entries' strings */
	size_t nobjects;          /* distinct objects changed */
	int disruptive;           /* the change stops traffic (disable, maint, drain, shutdown) */
	int okind;                /* enum hap_object_kind of its objects */
	int replace;              /* a replace's plan (hap_pattern_replace_plan): never applied */
	/* the read-back after the change (hap_plan_verify) */
	int verify;         /* 0: only the reply is judged */
	unsigned vmask;     /* HAP_SNAP_* to read back (0: "show info" only) */
	char *vproxy;       /* read one proxy only, or NULL */
	const char *vfield; /* the field compared; NULL: nothing to compare, an
	                     * accepted command is reported sent, never applied */
	char vwant[64];     /* the requested value */
	int vmode;          /* enum hap_vmode */
	/* a map/ACL entry change: read the entries back (hap_pattern_read) */
	int pcheck;       /* 0: none */
	int pkind;        /* enum hap_pattern_kind */
	int pverb;        /* enum hap_pattern_verb: ADD, SET, DEL or CLEAR */
	char *pfile;      /* the file */
	char *pkey;       /* NULL for CLEAR */
	char *pvalue;     /* maps, ADD and SET */
	char *ptarget[2]; /* the target's file and note (hap_pattern_plan) */
};

enum hap_vmode {
	HAP_VM_EXACT = 0, /* the field reads vwant */
	HAP_VM_PCT,       /* vwant is a percentage of the configured weight: 0 only for 0% */
	HAP_VM_PREFIX,    /* the field starts with vwant ("MAINT", "DRAIN") */
	HAP_VM_ANY_OF,    /* the field starts with one of vwant's '|'-separated words */
	HAP_VM_NONE_OF,   /* the field is shown and starts with none of those words */
	HAP_VM_SHOWN,     /* the field is shown (not empty): a check that runs */
	HAP_VM_HIDDEN,    /* the field is empty: HAProxy hides it for a stopped check */
};

/* Read the object back after applying p: mask and proxy say what to read,
 * field (static) and want what it must show. HAP_ENOMEM. */
int hap_plan_verify(struct hap_plan *p, unsigned mask, const char *proxy, const char *field,
                    const char *want, int mode);
/* The read-back of a server change: the field and value op asks for, read
 * from op->backend alone when it is set. HAP_ENOMEM. */
int hap_server_plan_verify(struct hap_plan *p, const struct hap_server_op *op);
/* A server plan whose entries all lie in one backend reads back that
 * backend alone (a few KB instead of every server). HAP_ENOMEM. */
int hap_server_plan_narrow(struct hap_plan *p);

/* Add an entry; command is copied. Level below the table's: a skipped entry. */
int hap_plan_add(struct hap_plan *p, size_t inst, const char *object, const char *command,
                 const struct hap_reply_table *judge);
/* Entry i is not sent: reported with code and msg (copied). HAP_ENOMEM. */
int hap_plan_skip_set(struct hap_plan *p, size_t i, int code, const char *msg);

#endif
