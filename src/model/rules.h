/*
 * rules.h - the aggregation table (see rules.c).
 */
#ifndef HAP_MODEL_RULES_H
#define HAP_MODEL_RULES_H

#include <stddef.h>

#include "haproxyadmin.h"

struct hap_rule_row {
	const char *name;
	const char *tag[3]; /* HAProxy 2.6 typed tag per F, B, S row (info: tag[0]); NULL = n/a */
	int override;       /* an enum hap_rule replacing the derived one, or -1 */
	const char *why;    /* the reason for the override */
};

enum hap_rule hap_rule_of_tag(const char *tag);
const struct hap_rule_row *hap_rule_rows(int info, size_t *n);
const struct hap_rule_row *hap_rule_find(int info, const char *name, size_t len);
/* The rule of a row for an object type (0 F, 1 B, 2 S; -1 info). */
enum hap_rule hap_rule_of_row(const struct hap_rule_row *row, int type);

#endif
