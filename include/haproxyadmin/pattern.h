/*
 * haproxyadmin/pattern.h - ACLs and maps: listings, reads, entry changes, atomic replace.
 * Part of the public API; include <haproxyadmin.h> (the umbrella) or this file.
 */
#ifndef HAPROXYADMIN_PATTERN_H
#define HAPROXYADMIN_PATTERN_H

#include "haproxyadmin/change.h"

#ifdef __cplusplus
extern "C" {
#endif

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
enum hap_pattern_kind {
	HAP_PATTERN_ACL = 0, /* "show acl", "add acl", ... */
	HAP_PATTERN_MAP = 1, /* "show map", "add map", ... */
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
                             enum hap_pattern_kind kind, struct hap_error *err);
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

/*
 * What an id resolved to. The strings are borrowed from the object that
 * filled it in (the listing, the plan, the read or the replace) and valid
 * as long as that object (see each call).
 */
struct hap_pattern_target {
	const char *file; /* the file every instance is addressed by */
	const char *note; /* "" unless a number was resolved: then say it, e.g. "#6 is
	                     FILE on INSTANCE; using the file on every instance loading it" */
	size_t holders;   /* live instances loading the file */
};

/*
 * Resolve an id: a file as listed (exactly), else "#N" or "N" looked up on
 * every instance. HAP_ENOTFOUND when no instance lists it; HAP_EINVAL when
 * the number names different files, or an inline ACL, on different
 * instances (the message says what it is on each). out's strings are
 * borrowed from p, valid until the next resolve on p or hap_patterns_free().
 */
HAP_API int hap_patterns_resolve(struct hap_pattern_target *out, struct hap_patterns *p,
                                 const char *id, struct hap_error *err);
/* 1 when instance i of s lists file among its ACLs (maps), 0 when it does
 * not, HAP_ENOTFOUND when its listing was not read (it did not answer). */
HAP_API int hap_pattern_holds(const struct hap_snapshot *s, size_t i, enum hap_pattern_kind kind,
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
	enum hap_pattern_kind kind;
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
 * resolve the id (target, may be NULL, gets the file and the note,
 * borrowed from *out: valid until hap_plan_free()), and plan the command
 * for each instance loading the file. A "#0x" reference
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
/*
 * The outcome per instance, as one result (borrowed, valid until
 * hap_pattern_read_free()): entry i for each instance of the fleet
 * (duplicates and excluded ones left out), with its instance index in the
 * read's snapshot, the file as its object (kind HAP_KIND_ACL or
 * HAP_KIND_MAP) and the command. A read that answered is code 0, outcome
 * SENT (a read is never "applied") and message ""; HAP_ENOTFOUND /
 * NOT_FOUND: the instance does not load the file (not a failure); else
 * HAProxy's refusal or a transport error with its message. The entry
 * index i is the one the calls below take.
 */
HAP_API const struct hap_result *hap_pattern_read_result(const struct hap_pattern_read *r);
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
HAP_API int hap_pattern_file_parse(struct hap_pattern_file **out, enum hap_pattern_kind kind,
                                   const char *text, size_t len, struct hap_error *err);
/* The same from a local file (read whole; at most 1 GiB). */
HAP_API int hap_pattern_file_read(struct hap_pattern_file **out, enum hap_pattern_kind kind,
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
 * touched: check the snapshot of hap_pattern_replace_plan() before applying.
 */
struct hap_pattern_replace;

/*
 * Plan it: validate, read every instance, resolve the id, check that every
 * request fits HAProxy's buffer. f must outlive *out. Same errors as
 * hap_pattern_plan(). Caller owns *out, free with hap_pattern_replace_free().
 */
HAP_API int hap_pattern_replace_new(struct hap_pattern_replace **out, struct hap *h,
                                    enum hap_pattern_kind kind, const char *id,
                                    const struct hap_pattern_file *f, struct hap_error *err);
/* NULL is a no-op. */
HAP_API void hap_pattern_replace_free(struct hap_pattern_replace *r);
/* Borrowed, valid until hap_pattern_replace_free(). */
HAP_API const struct hap_pattern_target *
hap_pattern_replace_target(const struct hap_pattern_replace *r);
/*
 * The instances it runs on (those loading the file), as a plan (borrowed,
 * valid until hap_pattern_replace_free()): entry k per instance, read with
 * the hap_plan_* accessors (count, instance index, object ref: the file,
 * kind HAP_KIND_ACL or HAP_KIND_MAP; command: its first step, "prepare");
 * hap_plan_snapshot() is the read the replace was planned from (who holds
 * the file, who did not answer). The k of the calls below. It is not
 * applied as a plan (hap_plan_apply() refuses it with HAP_EINVAL).
 */
HAP_API const struct hap_plan *hap_pattern_replace_plan(const struct hap_pattern_replace *r);
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
 * per entry of hap_pattern_replace_plan(), with its instance index; its
 * outcome: APPLIED when
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
 * The replace borrows the fleet it was planned on (hap_pattern_replace_new()):
 * the fleet must outlive it. Returns 0 when it ran. Caller owns *out, free
 * with hap_result_free().
 */
HAP_API int hap_pattern_replace_apply(struct hap_result **out, struct hap_pattern_replace *r,
                                      struct hap_error *err);

#ifdef __cplusplus
}
#endif
#endif
