/*
 * snapinfo.c - the "show info" replies of a snapshot's instances, kept as
 * values only: their keys (~70 names, ~0.9 KB of the ~1.2 KB text) are
 * shared by every instance that sent the same list, as the "show stat"
 * header is. The text is walked once per instance; nothing points into it
 * after, so it can leave the reply as it arrives (snapshot.c).
 *
 * Must never: answer a key an instance did not send, or another
 * instance's value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/snapshot_int.h"
#include "util/banned.h"

/* Room for n more key and value views in s->iscratch (2 per line). */
static int scratch_room(struct hap_snapshot *s, size_t n)
{
	struct hap_view *p;
	size_t ncap;

	if (n <= s->iscap)
		return 0;
	ncap = s->iscap ? s->iscap * 2 : 256;
	while (ncap < n)
		ncap *= 2;
	p = realloc(s->iscratch, ncap * sizeof(*p));
	if (!p)
		return HAP_ENOMEM;
	s->iscratch = p;
	s->iscap = ncap;
	return 0;
}

/* The lines of text into s->iscratch (key, value, key, ...): their count
 * into *n, or an error in the words of hap_info_parse. */
static int walk(struct hap_snapshot *s, const char *text, size_t len, size_t *n,
                struct hap_error *err)
{
	struct hap_view key, val;
	size_t pos = 0, k = 0;
	int have_name = 0;

	while (hap_info_next(text, len, &pos, &key, &val)) {
		if (key.n > UINT16_MAX || val.n > UINT16_MAX || (size_t)(key.p - text) > UINT16_MAX)
			return hap_error_set(err, HAP_ETOOBIG, "show info: too long");
		if (scratch_room(s, 2 * k + 2))
			return hap_error_set(err, HAP_ENOMEM, "show info: out of memory");
		if (!have_name && hap_view_eq(key, "Name"))
			have_name = 1;
		s->iscratch[2 * k] = key;
		s->iscratch[2 * k + 1] = val;
		k++;
	}
	if (!have_name)
		return hap_error_set(err, HAP_EPROTO, "show info: no Name field");
	*n = k;
	return 0;
}

/* Key list g is the n keys in s->iscratch. */
static int same_keys(const struct hap_snapshot *s, const struct snap_ikeys *g, size_t n)
{
	if (g->n != n)
		return 0;
	for (size_t k = 0; k < n; k++)
		if (!hap_view_eqv(g->keys[k], s->iscratch[2 * k]))
			return 0;
	return 1;
}

/* The key list of the n keys in s->iscratch, made on first sight: *id. */
static int keys_of(struct hap_snapshot *s, size_t n, size_t *id)
{
	struct snap_ikeys *g;
	size_t i;

	/* the previous instance's list, usually */
	for (i = s->nikeys; i-- > 0;)
		if (same_keys(s, &s->ikeys[i], n)) {
			*id = i;
			return 0;
		}
	if (s->nikeys == s->ikeycap) {
		size_t ncap = s->ikeycap ? s->ikeycap * 2 : 4;

		g = realloc(s->ikeys, ncap * sizeof(*g));
		if (!g)
			return HAP_ENOMEM;
		s->ikeys = g;
		s->ikeycap = ncap;
	}
	g = &s->ikeys[s->nikeys];
	memset(g, 0, sizeof(*g));
	g->keys = hap_arena_alloc(&s->arena, (n ? n : 1) * sizeof(*g->keys));
	if (!g->keys)
		return HAP_ENOMEM;
	for (i = 0; i < n; i++) {
		struct hap_view k = s->iscratch[2 * i];
		char *copy = hap_arena_strndup(&s->arena, k.p, k.n);

		if (!copy)
			return HAP_ENOMEM;
		g->keys[i] = hap_view_make(copy, k.n);
	}
	g->n = n;
	*id = s->nikeys++;
	return 0;
}

int hap_snap_info_take(struct hap_snapshot *s, struct snap_inst *in, const char *text, size_t len,
                       struct hap_error *err)
{
	size_t n = 0, total = 0, k;
	uint16_t *iv;
	char *vals;
	int ret = walk(s, text, len, &n, err);

	if (ret)
		return ret;
	for (k = 0; k < n; k++)
		total += s->iscratch[2 * k + 1].n;
	if (total > UINT16_MAX)
		return hap_error_set(err, HAP_ETOOBIG, "show info: too long");
	if (keys_of(s, n, &in->ikeys))
		return hap_error_set(err, HAP_ENOMEM, "show info: out of memory");
	iv = hap_arena_alloc(&s->arena, (n + 1) * sizeof(*iv) + total);
	if (!iv)
		return hap_error_set(err, HAP_ENOMEM, "show info: out of memory");
	vals = (char *)(iv + n + 1);
	for (total = 0, k = 0; k < n; k++) {
		struct hap_view v = s->iscratch[2 * k + 1];

		iv[k] = (uint16_t)total;
		if (v.n)
			memcpy(vals + total, v.p, v.n);
		total += v.n;
	}
	iv[n] = (uint16_t)total;
	in->ival = iv;
	return 0;
}

size_t hap_snap_ikey_find(const struct snap_ikeys *k, const char *key)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (hap_view_eq(k->keys[i], key))
			break;
	return i;
}

int hap_snap_info_get(const struct snap_inst *in, const char *key, struct hap_view *out)
{
	size_t li;

	if (!in->has_info)
		return 0;
	li = hap_snap_ikey_find(&in->s->ikeys[in->ikeys], key);
	if (li == in->s->ikeys[in->ikeys].n)
		return 0;
	*out = hap_snap_info_val(in, li);
	return 1;
}

void hap_snap_info_release(struct hap_snapshot *s)
{
	free(s->ikeys);
	s->ikeys = NULL;
	s->nikeys = s->ikeycap = 0;
	free(s->iscratch);
	s->iscratch = NULL;
	s->iscap = 0;
}
