/*
 * prom_names.h - the exporter's name tables (prom_names.c), rendered by prom.c.
 */
#ifndef HAP_CLI_PROM_NAMES_H
#define HAP_CLI_PROM_NAMES_H

#include <stddef.h>

/* HAProxy's exporter names for "show stat" fields (and "show info" keys
 * below). Rows with the same name form one family, told apart by a label. */
struct pmetric {
	const char *field;
	const char *name;
	const char *label; /* an extra label, e.g. code="2xx", or NULL */
	int ms;            /* the field is in milliseconds; exported in seconds */
	const char *help;
};

extern const struct pmetric prom_stat_metrics[];
extern const size_t prom_nstat_metrics;
extern const struct pmetric prom_info_metrics[];
extern const size_t prom_ninfo_metrics;

#endif
