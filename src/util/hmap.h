/*
 * hmap.h - string-keyed hash map from a key (bytes) to a size_t.
 *
 * Keys are borrowed views: the map never copies them, so they must outlive
 * the map (they point into reply buffers or a snapshot's arena). Open
 * addressing with linear probing; used to merge rows by name.
 */
#ifndef HAP_UTIL_HMAP_H
#define HAP_UTIL_HMAP_H

#include <stddef.h>
#include <stdint.h>

#include "util/view.h"

struct hap_hmap_slot {
	struct hap_view key;
	uint64_t hash;
	size_t val;
	int used;
};

struct hap_hmap {
	struct hap_hmap_slot *slots;
	size_t cap; /* power of two or 0 */
	size_t n;
};

#define HAP_HMAP_INIT                                                                              \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

uint64_t hap_hash(const void *p, size_t n);
/* Insert key -> val unless present. *out gets the stored value (old or new). */
int hap_hmap_put(struct hap_hmap *m, struct hap_view key, size_t val, size_t *out);
/* 1 and *out set when found, 0 otherwise. */
int hap_hmap_get(const struct hap_hmap *m, struct hap_view key, size_t *out);
void hap_hmap_release(struct hap_hmap *m);

#endif
