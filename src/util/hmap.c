/*
 * hmap.c - open-addressing string map (see hmap.h).
 */
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "util/hmap.h"
#include "util/banned.h"

uint64_t hap_hash(const void *p, size_t n)
{
	/* FNV-1a: short keys (proxy and server names), no need for more */
	const unsigned char *s = p;
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int grow(struct hap_hmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64, i;
	struct hap_hmap_slot *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return HAP_ENOMEM;
	for (i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->slots[i].used)
			continue;
		j = m->slots[i].hash & (ncap - 1);
		while (ns[j].used)
			j = (j + 1) & (ncap - 1);
		ns[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
	return 0;
}

int hap_hmap_put(struct hap_hmap *m, struct hap_view key, size_t val, size_t *out)
{
	uint64_t h = hap_hash(key.p, key.n);
	size_t j;

	if ((m->n + 1) * 4 > m->cap * 3) {
		int ret = grow(m);

		if (ret)
			return ret;
	}
	j = h & (m->cap - 1);
	while (m->slots[j].used) {
		if (m->slots[j].hash == h && hap_view_eqv(m->slots[j].key, key)) {
			if (out)
				*out = m->slots[j].val;
			return 0;
		}
		j = (j + 1) & (m->cap - 1);
	}
	m->slots[j].used = 1;
	m->slots[j].key = key;
	m->slots[j].hash = h;
	m->slots[j].val = val;
	m->n++;
	if (out)
		*out = val;
	return 0;
}

int hap_hmap_get(const struct hap_hmap *m, struct hap_view key, size_t *out)
{
	uint64_t h;
	size_t j;

	if (!m->cap)
		return 0;
	h = hap_hash(key.p, key.n);
	j = h & (m->cap - 1);
	while (m->slots[j].used) {
		if (m->slots[j].hash == h && hap_view_eqv(m->slots[j].key, key)) {
			*out = m->slots[j].val;
			return 1;
		}
		j = (j + 1) & (m->cap - 1);
	}
	return 0;
}

void hap_hmap_release(struct hap_hmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = 0;
	m->n = 0;
}
