/*
 * info.c - "show info": "Key: value" lines up to a blank line.
 *
 * Keys may contain spaces ("Unstoppable Jobs", "Build info") and optional
 * keys are simply absent ("description"), so the reply is kept as an
 * ordered list of views and looked up by name. The reply ends at its blank
 * line, and *consumed says where, so several replies read in one buffer
 * ("show info\nshow stat\n" on one connection) are parsed one after the
 * other. Nothing is copied; nothing past len is read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "parse/parse.h"
#include "util/banned.h"

void hap_info_release(struct hap_info *info)
{
	if (!info)
		return;
	free(info->kv);
	info->kv = NULL;
	info->base = NULL;
	info->n = 0;
}

int hap_info_get(const struct hap_info *info, const char *key, struct hap_view *out)
{
	for (size_t i = 0; i < info->n; i++) {
		if (hap_view_eq(hap_info_key(info, i), key)) {
			*out = hap_info_val(info, i);
			return 1;
		}
	}
	return 0;
}

static int add_kv(struct hap_info *info, size_t *cap, struct hap_view key, struct hap_view val)
{
	if (key.n > UINT16_MAX || val.n > UINT16_MAX || (size_t)(key.p - info->base) > UINT16_MAX)
		return HAP_ETOOBIG;
	if (info->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct hap_kv *kv;

		if (ncap > SIZE_MAX / 2 / sizeof(*kv))
			return HAP_ENOMEM;
		kv = realloc(info->kv, ncap * sizeof(*kv));
		if (!kv)
			return HAP_ENOMEM;
		info->kv = kv;
		*cap = ncap;
	}
	info->kv[info->n].off = (uint32_t)(key.p - info->base);
	info->kv[info->n].klen = (uint32_t)key.n;
	info->kv[info->n].vlen = (uint32_t)val.n;
	info->n++;
	return 0;
}

/* The first ": " of a line, or NULL. */
static const char *find_sep(struct hap_view line)
{
	const char *p = line.p, *end = line.p + line.n;

	while (p < end && (p = memchr(p, ':', (size_t)(end - p))) != NULL) {
		if (p + 1 < end && p[1] == ' ')
			return p;
		p++;
	}
	return NULL;
}

/* The lines before the first blank one: at least the keys there are. */
static size_t count_lines(const char *p, const char *end)
{
	size_t n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl == p || (nl == p + 1 && *p == '\r'))
			break;
		n++;
		p = nl ? nl + 1 : end;
	}
	return n;
}

int hap_info_next(const char *text, size_t len, size_t *pos, struct hap_view *key,
                  struct hap_view *val)
{
	const char *p, *end;

	if (!len) {
		*pos = 0;
		return 0;
	}
	p = text + *pos;
	end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sep;
		struct hap_view line = hap_view_make(p, nl ? (size_t)(nl - p) : (size_t)(end - p));

		p = nl ? nl + 1 : end;
		if (line.n && line.p[line.n - 1] == '\r')
			line.n--;
		if (!line.n)
			break;
		sep = find_sep(line);
		if (!sep || sep == line.p)
			continue;
		*key = hap_view_make(line.p, (size_t)(sep - line.p));
		*val = hap_view_make(sep + 2, (size_t)(line.p + line.n - (sep + 2)));
		*pos = (size_t)(p - text);
		return 1;
	}
	*pos = (size_t)(p - text);
	return 0;
}

int hap_info_parse(struct hap_info *out, const char *text, size_t len, size_t *consumed,
                   struct hap_error *err)
{
	size_t cap = count_lines(text, len ? text + len : text), pos = 0;
	struct hap_view key, val;
	int ret, have_name = 0;

	out->n = 0;
	out->base = text;
	/* sized once: 1,000 instances' indexes are held at once */
	out->kv = cap ? malloc(cap * sizeof(*out->kv)) : NULL;
	if (cap && !out->kv)
		return hap_error_set(err, HAP_ENOMEM, "show info: out of memory");
	while (hap_info_next(text, len, &pos, &key, &val)) {
		if (hap_view_eq(key, "Name"))
			have_name = 1;
		ret = add_kv(out, &cap, key, val);
		if (ret) {
			hap_info_release(out);
			return hap_error_set(err, ret, "show info: %s",
			                     ret == HAP_ENOMEM ? "out of memory" : "too long");
		}
	}

	if (consumed)
		*consumed = len ? pos : 0;
	if (!have_name) {
		hap_info_release(out);
		return hap_error_set(err, HAP_EPROTO, "show info: no Name field");
	}
	return 0;
}
