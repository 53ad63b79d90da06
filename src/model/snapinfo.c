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

/* Room for the values block of n keys read from a text of len bytes in
 * s->ivtmp: n + 1 offsets, then at most len bytes of values. */
static uint16_t *block_room(struct hap_snapshot *s, size_t n, size_t len)
{
	size_t need = (n + 1) * sizeof(uint16_t) + len;
	char *p;

	if (need <= s->ivcap)
		return (uint16_t *)s->ivtmp;
	p = realloc(s->ivtmp, need);
	if (!p)
		return NULL;
	s->ivtmp = p;
	s->ivcap = need;
	return (uint16_t *)p;
}

/* The values of text into the block s->ivtmp when its lines are exactly
 * the keys of list g in order, each followed by ": " (then the first ": "
 * of its line: a key holds none), and a blank line or the end after the
 * last: their bytes, else 0 (hap_info_next's walk decides). A line costs
 * one memcmp() and its value's bytes, where the walk looks for the
 * separator in every key. */
static size_t walk_known(struct hap_snapshot *s, const struct snap_ikeys *g, const char *text,
                         size_t len)
{
	const char *p = text, *end = text + len;
	uint16_t *off = block_room(s, g->n, len);
	char *d0, *d;
	size_t k;

	if (!off)
		return 0;
	d0 = d = (char *)(off + g->n + 1);
	for (k = 0; k < g->n; k++) {
		struct hap_view key = g->keys[k];
		const char *q = p + key.n + 2;

		if ((size_t)(end - p) < key.n + 2 || memcmp(p, key.p, key.n) != 0 ||
		    p[key.n] != ':' || p[key.n + 1] != ' ' || (size_t)(p - text) > UINT16_MAX)
			return 0;
		off[k] = (uint16_t)(d - d0);
		while (q < end && *q != '\n')
			*d++ = *q++;
		if (d > d0 + off[k] && d[-1] == '\r')
			d--;
		if ((size_t)(d - d0) > UINT16_MAX)
			return 0;
		p = q < end ? q + 1 : end;
	}
	off[g->n] = (uint16_t)(d - d0);
	if (p == end || p[0] == '\n' || (end - p >= 2 && p[0] == '\r' && p[1] == '\n'))
		return (g->n + 1) * sizeof(uint16_t) + (size_t)(d - d0);
	return 0;
}

/* The values of the n lines in s->iscratch into the block s->ivtmp: its
 * bytes, or 0 (out of memory, or too long: *ret). */
static size_t block_of(struct hap_snapshot *s, size_t n, size_t len, int *ret)
{
	uint16_t *off = block_room(s, n, len);
	char *d;
	size_t k, total = 0;

	*ret = HAP_ENOMEM;
	if (!off)
		return 0;
	d = (char *)(off + n + 1);
	for (k = 0; k < n; k++) {
		struct hap_view v = s->iscratch[2 * k + 1];

		if (total + v.n > UINT16_MAX) {
			*ret = HAP_ETOOBIG;
			return 0;
		}
		off[k] = (uint16_t)total;
		if (v.n)
			memcpy(d + total, v.p, v.n);
		total += v.n;
	}
	off[n] = (uint16_t)total;
	return (n + 1) * sizeof(uint16_t) + total;
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
	size_t n = 0, bytes = 0;
	int ret;

	/* the keys of the list the previous instance sent, usually (a list is
	 * made by the walk: it has a "Name" key) */
	if (s->nikeys && (bytes = walk_known(s, &s->ikeys[s->ilast], text, len)) != 0) {
		in->ikeys = s->ilast;
	} else {
		ret = walk(s, text, len, &n, err);
		if (ret)
			return ret;
		bytes = block_of(s, n, len, &ret);
		if (!bytes)
			return hap_error_set(err, ret, "show info: %s",
			                     ret == HAP_ENOMEM ? "out of memory" : "too long");
		if (keys_of(s, n, &in->ikeys))
			return hap_error_set(err, HAP_ENOMEM, "show info: out of memory");
		s->ilast = in->ikeys;
	}
	in->ival = hap_arena_alloc(&s->arena, bytes);
	if (!in->ival)
		return hap_error_set(err, HAP_ENOMEM, "show info: out of memory");
	memcpy(in->ival, s->ivtmp, bytes);
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
	free(s->ivtmp);
	s->ivtmp = NULL;
	s->ivcap = 0;
}
