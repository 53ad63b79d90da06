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
#include "parse/parse.h"

int hap_pat_merge(struct hap_patterns **out, enum hap_pattern_kind kind, const char *const *names,
                  const struct hap_pat_ref_list *const *lists, size_t n, struct hap_error *err);
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
