/*
 * fleet.h - internals shared by the model: the fleet, its targets (the
 * instances an operation talks to) and per-instance results.
 *
 * A target is one HAProxy process: a worker socket, or one worker behind a
 * master CLI (addressed with "@!<pid> " in front of each command line).
 * Targets are resolved per operation, so a reload between two operations
 * is seen.
 */
#ifndef HAP_MODEL_FLEET_H
#define HAP_MODEL_FLEET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "haproxyadmin.h"
#include "proto/frame.h"
#include "transport/transport.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/hmap.h"

/* The reply budget of a fleet handle: the bytes of replies that live
 * snapshots keep, counted against max_total by every later exchange.
 * Shared by the handle and each snapshot (refs), so either may go first. */
struct hap_budget {
	size_t held;
	size_t refs;
};

/* Take or drop a reference; the last drop frees. NULL is a no-op. */
struct hap_budget *hap_budget_get(struct hap_budget *b);
void hap_budget_put(struct hap_budget *b);

struct hap {
	struct hap_options opts;
	struct hap_budget *budget;
	struct hap_xopts xopts;
	struct hap_addr *addrs;
	size_t naddrs;
};

/* The strings are borrowed, never freed one by one (1,000 targets held
 * 440 bytes of them inline each): from the address (h->addrs), from the
 * block of the array hap_targets_resolve() made (a master's workers), or
 * from whoever set them (a plan's skip message). A copy of a target is
 * valid while its source is. */
struct hap_target {
	size_t addr;        /* index in hap->addrs */
	int64_t pid;        /* worker pid behind a master, else 0 */
	unsigned flags;     /* HAP_INST_OLD_WORKER */
	int err;            /* set when the target could not be resolved */
	char prefix[32];    /* "@!<pid> " for a master's worker, else "" */
	const char *name;   /* display name */
	const char *errmsg; /* why it could not be resolved, else "" */
};

/*
 * Resolve the fleet's targets: plain endpoints as they are, masters by a
 * "show proc" round (one parallel exchange for all masters). A master that
 * fails becomes one target carrying its error. Caller frees *out (one
 * block: the strings not the addresses' own follow the array).
 */
int hap_targets_resolve(struct hap *h, struct hap_target **out, size_t *n);

/* Append to b the command line(s) for a target: each line of cmds (which
 * must end with '\n') gets the target's prefix. */
int hap_target_request(const struct hap_target *t, const char *cmds, struct hap_buf *b);

/*
 * One exchange of a round: the command lines (each ending in '\n') for one
 * target. hap_calls_run() runs every call in parallel; a call whose target
 * failed to resolve is not sent and gets the target's error.
 */
struct hap_reply_table;

/* What a call got back: the outputs of its exchange that callers read,
 * without the exchange job (a round of 8,000 writes holds 8,000 of these;
 * the transport's jobs live only while hap_calls_run() runs). */
struct hap_reply_share;

struct hap_call_out {
	/* the bytes received, released by hap_calls_release(); for a call of
	 * a prompt-mode connection (share set) a view cut in place from the
	 * connection's reply: cap 0, NUL-terminated, never grown, and
	 * hap_buf_release() only forgets it */
	struct hap_buf reply;
	int err;                       /* 0, or HAP_E* for this call */
	size_t req_sent;               /* request bytes the peer accepted (a write may have run) */
	char *errmsg;                  /* owned, or NULL: read it with hap_call_errmsg() */
	struct hap_reply_share *share; /* the connection's reply, or NULL */
};

/* A prompt-mode connection's reply, which its calls' replies are cut from
 * in place (no copy each): every call of the connection holds a reference,
 * the last hap_calls_release() frees it. */
struct hap_reply_share {
	size_t refs;
	struct hap_buf bytes;
};

struct hap_call {
	size_t target;
	const char *cmds; /* borrowed */
	size_t cmds_len;  /* raw only */
	int raw;          /* cmds is the whole request as it is sent (framed, prefixed) */
	int no_shut;      /* the request ends the session itself: no half-close */
	/* optional: hap_job.on_bytes of the call's exchange (a read indexing
	 * its reply as it arrives) */
	void (*on_bytes)(struct hap_job *j, void *arg);
	void *on_bytes_arg;
	const struct hap_reply_table *judge; /* hap_round_run(): NULL for a read */
	struct hap_call_out out;             /* outputs: out.err, out.reply, the message */
	int sent;
	int code;    /* hap_round_run(): 0, HAP_EUNKNOWN, a verdict's or transport code */
	int outcome; /* hap_round_run(): enum hap_outcome */
	/* optional, a write sharing a prompt-mode connection (hap_round_run):
	 * one line read back on the same connection after all of its writes
	 * ("get weight B/S"); rb_reply its complete reply (rb_len bytes,
	 * NUL-terminated, cut in place from out.share), or NULL */
	const char *rb;
	char *rb_reply;
	size_t rb_len;
};

int hap_calls_run(struct hap *h, const struct hap_target *ts, struct hap_call *calls, size_t n);
void hap_calls_release(struct hap_call *calls, size_t n);
/* The call's error message: its own line, else its code's text ("" when
 * it has neither). Never NULL. */
const char *hap_call_errmsg(const struct hap_call *c);
/* Set the call's message (a formatted copy). Out of memory: the message is
 * the code's text (hap_call_errmsg()). */
void hap_call_errmsgf(struct hap_call *c, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* hap_master_routing_failed(): proto/frame.h */

struct hap_result_entry {
	char *instance; /* display name of the instance */
	char *object;   /* what the command was about ("backend/server"), may be NULL */
	char *command;  /* the command line sent (without the routing prefix or '\n') */
	int code; /* 0, HAP_EREFUSED (message = HAProxy's text), HAP_ENOTFOUND, transport errors */
	char *message;    /* HAProxy's reply (trimmed) or the error message */
	int sent;         /* 0 when nothing was sent (dry run or refused before sending) */
	int outcome;      /* enum hap_outcome, from code unless set */
	int why;          /* enum hap_why */
	char *after;      /* value read back, or NULL */
	size_t inst;      /* instance index in the plan's snapshot, HAP_AGGREGATE: none */
	int kind;         /* enum hap_object_kind of the object (HAP_KIND_RAW: none) */
	char *backend;    /* a server's backend (split from object once), else NULL */
	const char *name; /* the object's name: in object, after the backend's '/' */
};

/* The entries' strings live in one arena per result set (an 8,000-command
 * change makes 8,000 entries: no malloc per string); an instance's name is
 * copied once and shared by its entries. A result set calloc'd to zero is
 * an empty one. */
struct hap_result {
	size_t n, cap;
	struct hap_result_entry *e;
	struct hap_arena strings;
	struct hap_hmap names; /* instance name -> its copy in strings (as a size_t) */
};

/* Room for n entries in all, so that a round's results are one allocation. */
int hap_result_reserve(struct hap_result *r, size_t n);

int hap_result_add(struct hap_result *r, const char *instance, const char *object,
                   const char *command, int code, const char *msg, size_t msglen, int sent);
/* Tie entry i to its instance (index in the plan's snapshot) and object
 * kind (enum hap_object_kind); a server's "backend/server" is split here,
 * once, so callers never split it. HAP_ENOMEM. */
int hap_result_set_ref(struct hap_result *r, size_t i, size_t inst, int kind);
/* The outcome a code means when nothing else is known: 0 is SENT, never
 * APPLIED (only a read-back that shows the requested value sets APPLIED,
 * with hap_result_judged()). */
int hap_outcome_of(int code);
/* Set the outcome of the last-added or any entry: code and outcome, why,
 * the value read back (copied, may be NULL) and a new message (may be NULL:
 * kept). HAP_ENOMEM. */
int hap_result_judged(struct hap_result *r, size_t i, int code, int outcome, int why,
                      const char *after, const char *msg);

#endif
