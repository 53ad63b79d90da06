/*
 * replace.h - the state of an ACL/map replace shared by its steps:
 * replace.c (plan, apply), replace_load.c (the entries' requests) and
 * replace_check.c (the read-backs).
 */
#ifndef HAP_OPS_REPLACE_H
#define HAP_OPS_REPLACE_H

#include <stddef.h>
#include <stdint.h>

#include "haproxyadmin.h"
#include "ops/ops.h"
#include "util/buf.h"

/* A whole request (command, payload, blank line) stays under this: HAProxy
 * reads it into one tune.bufsize (16384) buffer and drops a larger one. */
#define REQ_MAX 15000
/* Room for a master's "@!<pid> " routing prefix in a request. */
#define PREFIX_MAX 32
#define FILE_MAX   ((size_t)1 << 30)
/* Longest "@<version>" word: "@4294967295". */
#define VER_MAX_WORD 11

enum rstate {
	RS_PLANNED = 0,
	RS_PREPARED,
	RS_LOADED,
	RS_COMMITTED, /* the commit was accepted (read back: applied, else sent) */
	RS_FAILED,
	RS_UNKNOWN,    /* commit sent, no complete reply */
	RS_SUPERSEDED, /* read back: another version is live */
};

struct rinst {
	size_t inst;  /* snapshot index */
	uint32_t ver; /* predicted, then prepared */
	enum rstate st;
	int has_ver; /* prepared: a version exists that a clear must drop */
	int code;    /* failure code */
	int sent;
	int why;       /* enum hap_why, for RS_SUPERSEDED and RS_FAILED */
	int verified;  /* read back: curr_ver is ver */
	char step[96]; /* where it failed: "prepare", "add request 3 of 12 (...)", "commit" */
	char msg[600];
	char cleanup[200];
	struct hap_buf req;
};

struct hap_pattern_replace {
	struct hap *h; /* borrowed: the fleet, which outlives the replace */
	struct hap_snapshot *snap;
	struct hap_pattern_target target;
	char *tstr[2]; /* the target's file and note */
	enum hap_pattern_kind kind;
	const struct hap_pattern_file *f;
	struct hap_buf fword; /* the file as one escaped word */
	size_t n;
	struct rinst *ri;
	size_t nreq;
	size_t *req_end;       /* entry index ending request q */
	struct hap_plan *plan; /* one entry per instance (its "prepare"), on snap */
};

/* Display name of instance k of the replace. */
const char *hap_rep_name(const struct hap_pattern_replace *r, size_t k);

/* Instance x failed at step with HAProxy's (or our) message. */
void hap_rep_fail(struct rinst *x, int code, const char *step, const char *msg);
/* One single-line command on each listed instance (replace.c). */
int hap_rep_round(struct hap *h, struct hap_pattern_replace *r, const char *verb,
                  const struct hap_reply_table *t, const unsigned char *which, int *codes,
                  struct hap_buf *replies);
/* "[PREFIX]VERB acl|map [@V] FILE" (no '\n'). */
int hap_rep_add_cmd(struct hap_buf *b, const struct hap_pattern_replace *r, const char *prefix,
                    const char *verb, const uint32_t *ver);
/* Cut the entries into requests (replace_load.c). */
int hap_rep_plan_requests(struct hap_pattern_replace *r, size_t pre, struct hap_error *err);
/* Step 2: every request, in rounds (replace_load.c). */
int hap_rep_load(struct hap *h, struct hap_pattern_replace *r);
/* The read-backs (replace_check.c). */
int hap_rep_commit_check(struct hap *h, struct hap_pattern_replace *r);
int hap_rep_yield_check(struct hap *h, struct hap_pattern_replace *r);
int hap_rep_prepare_check(struct hap *h, struct hap_pattern_replace *r, const int *codes);
int hap_rep_clear_check(struct hap *h, struct hap_pattern_replace *r, const unsigned char *which,
                        int *codes, struct hap_buf *replies);

#endif
