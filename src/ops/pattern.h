/*
 * pattern.h - internals of the ACL/map operations (pattern.c) that the unit
 * tests exercise directly: merging listings, payload chunking, checking a
 * stream of replies, and the reply tables.
 */
#ifndef HAP_OPS_PATTERN_H
#define HAP_OPS_PATTERN_H

#include <stddef.h>

#include "haproxyadmin.h"
#include "ops/ops.h"
#include "model/patterns.h"
#include "parse/parse.h"

/* "show", "get", ... by enum hap_pattern_verb. */
extern const char *const hap_pat_verb_words[];
/* "VERB acl|map FILE [KEY [VALUE]]" of a single-entry op. */
int hap_pat_format_cmd(struct hap_buf *b, const struct hap_pattern_op *op, const char *file,
                       struct hap_error *err);
/* The reply table of VERB on an ACL or a map. */
const struct hap_reply_table *hap_pat_table_of(enum hap_pattern_kind kind, enum hap_pattern_verb v);
/* The snapshot and listing an ACL/map id resolves in (ops/pattern.c). t's
 * strings are copied to own[0] (the file) and own[1] (the note), which the
 * caller's object keeps and frees, and t points at them. */
int hap_pat_resolve_fleet(struct hap_snapshot **snap, struct hap_patterns **pl, size_t *file,
                          struct hap_pattern_target *t, char **own, struct hap *h,
                          enum hap_pattern_kind kind, const char *id, struct hap_error *err);
size_t hap_pat_chunk_end(const struct hap_pattern_file *f, size_t start, size_t budget,
                         size_t overhead);
int hap_pat_stream_check(const char *reply, size_t len, int prompt, size_t ncmds, size_t *failed,
                         char *msg, size_t msglen);

extern const struct hap_reply_table hap_op_show_acl, hap_op_show_map;
extern const struct hap_reply_table hap_op_get_acl, hap_op_get_map;
extern const struct hap_reply_table hap_op_add_acl, hap_op_add_map;
extern const struct hap_reply_table hap_op_set_map;
extern const struct hap_reply_table hap_op_del_acl, hap_op_del_map;
extern const struct hap_reply_table hap_op_clear_acl, hap_op_clear_map;
extern const struct hap_reply_table hap_op_prepare_acl, hap_op_prepare_map;
extern const struct hap_reply_table hap_op_commit_acl, hap_op_commit_map;

#endif
