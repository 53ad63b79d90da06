/*
 * prom.h - the merged fleet in the Prometheus text format (prom.c), and
 * the exporter that serves it (cmd_exporter.c).
 */
#ifndef HAP_CLI_PROM_H
#define HAP_CLI_PROM_H

#include <stddef.h>

#include "haproxyadmin.h"

/* State kept across scrapes: the last counter values of every instance,
 * so a summed counter never goes backwards when an instance restarts or
 * an old worker exits. */
struct prom;

struct prom *prom_new(int per_instance);
void prom_free(struct prom *p);
/* Render one snapshot; *out is malloc'd (caller frees), *len its length.
 * secs is the time the snapshot took. 0, or -1 when out of memory. */
int prom_render(struct prom *p, const struct hap_snapshot *s, double secs, char **out, size_t *len);

#endif
