/*
 * pattern.h - what cmd_pattern.c (verbs, changes, replace) and
 * pattern_read.c (list, show, get) share.
 */
#ifndef HAP_CLI_PATTERN_H
#define HAP_CLI_PATTERN_H

#include "haproxyadmin.h"
#include "cli.h"

/* "acl" or "map". */
const char *pat_obj_name(enum hap_pattern_kind kind);
/* The verb's options (-h only) and its exact number of arguments: -1 to go
 * on, else an exit status. */
int pat_args(struct cli *c, enum hap_pattern_kind kind, const struct cli_verb *v, int argc,
             char **argv, int want);
/* Check op (bad input: exit 2, nothing sent), then open the fleet: 0 or an
 * exit status. */
int pat_ready(struct cli *c, const struct hap_pattern_op *op);
/* Instances of s that answered and do not load file: said once on stderr. */
void pat_not_holding(struct cli *c, const struct hap_snapshot *s, enum hap_pattern_kind kind,
                     const char *file, const char *what);
/* "acl|map list" and the reads "show" / "get" (op->verb). Exit statuses. */
int pat_list(struct cli *c, enum hap_pattern_kind kind, const struct cli_verb *v, int argc,
             char **argv);
int pat_read(struct cli *c, struct hap_pattern_op *op);

#endif
