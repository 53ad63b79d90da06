/*
 * patterns.h - the merged ACL/map listing (model/patterns.c), for the
 * operations and the unit tests.
 */
#ifndef HAP_MODEL_PATTERNS_H
#define HAP_MODEL_PATTERNS_H

#include <stddef.h>

#include "haproxyadmin.h"
#include "parse/parse.h"

/* "acl" or "map": the word in a command. */
static inline const char *hap_pat_kind_word(enum hap_pattern_kind kind)
{
	return kind == HAP_PATTERN_MAP ? "map" : "acl";
}

/* "ACL" or "map": the word in a message. */
static inline const char *hap_pat_kind_name(enum hap_pattern_kind kind)
{
	return kind == HAP_PATTERN_MAP ? "map" : "ACL";
}

int hap_pat_merge(struct hap_patterns **out, enum hap_pattern_kind kind, const char *const *names,
                  const struct hap_pat_ref_list *const *lists, size_t n, struct hap_error *err);

#endif
