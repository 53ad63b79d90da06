/*
 * pattern.c - "show acl" / "show map": the list of pattern files, and the
 * entries of one of them.
 *
 *   # id (file) description
 *   0 (/etc/haproxy/wl) pattern loaded from file '/etc/haproxy/wl' used by
 *     acl at file '/etc/haproxy/haproxy.cfg' line 26. curr_ver=0 next_ver=0 entry_cnt=1
 *   1 () acl 'src' file '/etc/haproxy/haproxy.cfg' line 26. curr_ver=0 ...
 *
 *   0x55c283cb0e90 127.0.0.1                 (show acl <id>)
 *   0x55c283cd1dd0 app.foo.com backend_all   (show map <id>)
 *
 * Ids are per instance (the same file has different ids on different
 * instances), so the file name is what a fleet-wide caller matches on. An
 * error text such as "Unknown ACL identifier..." does not parse as a list
 * and is reported as HAP_EPROTO. Views point into the reply.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "parse/parse.h"
#include "util/banned.h"

/* The first occurrence of s in v, or NULL. */
static const char *find(struct hap_view v, const char *s)
{
	const char *p = v.p, *end = v.p + v.n;
	size_t n = strlen(s);

	while ((size_t)(end - p) >= n) {
		const char *c = memchr(p, s[0], (size_t)(end - p) - n + 1);

		if (!c)
			return NULL;
		if (memcmp(c, s, n) == 0)
			return c;
		p = c + 1;
	}
	return NULL;
}

/* The last occurrence of s in v, or NULL. */
static const char *rfind(struct hap_view v, const char *s)
{
	size_t n = strlen(s);

	if (v.n < n)
		return NULL;
	for (size_t i = v.n - n + 1; i-- > 0;)
		if (memcmp(v.p + i, s, n) == 0)
			return v.p + i;
	return NULL;
}

/*
 * Split the " curr_ver=0 next_ver=0 entry_cnt=1" tail off the description
 * (HAProxy prints "%s. curr_ver=%u next_ver=%u entry_cnt=%llu"; versions
 * before 2.4 print none of it).
 */
static int parse_tail(struct hap_pat_ref *r)
{
	const char *t = rfind(r->desc, ". curr_ver=");
	struct hap_view tail;

	if (!t)
		return 0;
	tail = hap_view_make(t + 2, (size_t)(r->desc.p + r->desc.n - (t + 2)));
	r->desc.n = (size_t)(t - r->desc.p);
	while (tail.n) {
		const char *sp = memchr(tail.p, ' ', tail.n), *eq;
		struct hap_view tok = hap_view_make(tail.p, sp ? (size_t)(sp - tail.p) : tail.n);
		struct hap_view key, val;
		int64_t *dst = NULL;

		tail = sp ? hap_view_make(sp + 1, tail.n - tok.n - 1) : hap_view_make(tail.p, 0);
		if (!tok.n)
			continue;
		eq = memchr(tok.p, '=', tok.n);
		if (!eq)
			return HAP_EPROTO;
		key = hap_view_make(tok.p, (size_t)(eq - tok.p));
		val = hap_view_make(eq + 1, tok.n - key.n - 1);
		if (hap_view_eq(key, "curr_ver"))
			dst = &r->curr_ver;
		else if (hap_view_eq(key, "next_ver"))
			dst = &r->next_ver;
		else if (hap_view_eq(key, "entry_cnt"))
			dst = &r->entry_cnt;
		if (dst && (hap_num_i64(val, dst) || *dst < 0))
			return HAP_EPROTO;
	}
	return 0;
}

/* "ID (FILE) DESCRIPTION" */
static int parse_ref(struct hap_view line, struct hap_pat_ref *r)
{
	const char *sp = memchr(line.p, ' ', line.n), *close;
	struct hap_view rest;

	r->entry_cnt = r->curr_ver = r->next_ver = -1;
	if (!sp || hap_num_i64(hap_view_make(line.p, (size_t)(sp - line.p)), &r->id) || r->id < 0)
		return HAP_EPROTO;
	rest = hap_view_make(sp + 1, line.n - (size_t)(sp + 1 - line.p));
	if (!hap_view_startswith(rest, "("))
		return HAP_EPROTO;
	rest.p++;
	rest.n--;
	/*
	 * A file name may contain ") ": prefer the end that HAProxy's own
	 * description confirms, then the first ") ", then a ")" ending the line.
	 */
	close = find(rest, ") pattern loaded from file '");
	if (!close)
		close = find(rest, ") ");
	if (!close && rest.n && rest.p[rest.n - 1] == ')')
		close = rest.p + rest.n - 1;
	if (!close)
		return HAP_EPROTO;
	r->file = hap_view_make(rest.p, (size_t)(close - rest.p));
	rest = hap_view_make(close + 1, rest.n - r->file.n - 1);
	r->desc = hap_view_trim(rest);
	return parse_tail(r);
}

void hap_pat_ref_release(struct hap_pat_ref_list *l)
{
	if (!l)
		return;
	free(l->refs);
	l->refs = NULL;
	l->n = 0;
}

int hap_pat_ref_parse(struct hap_pat_ref_list *out, const char *text, size_t len,
                      struct hap_error *err)
{
	const char *p = text, *end = len ? text + len : text;
	size_t lineno = 0, cap = 0;
	int ret;

	out->n = 0;
	out->refs = NULL;
	while (p < end) {
		struct hap_view line = hap_view_next_line(&p, end);
		struct hap_pat_ref r;

		lineno++;
		if (!line.n)
			break;
		if (line.p[0] == '#')
			continue;
		memset(&r, 0, sizeof(r));
		if (parse_ref(line, &r)) {
			ret = hap_error_set(
			        err, HAP_EPROTO,
			        "pattern list: line %zu: expected \"<id> (<file>) <description>\"",
			        lineno);
			goto fail;
		}
		if (out->n == cap) {
			struct hap_pat_ref *nr = NULL;

			cap = cap ? cap * 2 : 16;
			if (cap < SIZE_MAX / 2 / sizeof(*nr))
				nr = realloc(out->refs, cap * sizeof(*nr));
			if (!nr) {
				ret = hap_error_set(err, HAP_ENOMEM, "pattern list: out of memory");
				goto fail;
			}
			out->refs = nr;
		}
		out->refs[out->n++] = r;
	}
	return 0;
fail:
	hap_pat_ref_release(out);
	return ret;
}

void hap_pat_entry_release(struct hap_pat_entry_list *l)
{
	if (!l)
		return;
	free(l->entries);
	l->entries = NULL;
	l->n = 0;
}

static int hexdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * "0xREF KEY" or "0xREF KEY VALUE". HAProxy prints "%p %s" or "%p %s %s":
 * an ACL pattern is the rest of the line; a map key is one word (a key
 * with a blank, possible through "add map", cannot be told from its value).
 */
static int parse_entry(struct hap_view line, int is_map, struct hap_pat_entry *e)
{
	const char *sp = memchr(line.p, ' ', line.n);
	struct hap_view rest;
	size_t i;

	if (!sp)
		return HAP_EPROTO;
	e->ref = hap_view_make(line.p, (size_t)(sp - line.p));
	if (e->ref.n < 3 || !hap_view_startswith(e->ref, "0x"))
		return HAP_EPROTO;
	for (i = 2; i < e->ref.n; i++)
		if (!hexdigit(e->ref.p[i]))
			return HAP_EPROTO;
	rest = hap_view_make(sp + 1, line.n - e->ref.n - 1);
	if (!is_map) {
		e->key = rest;
		e->value = hap_view_make(rest.p + rest.n, 0);
		return 0;
	}
	sp = memchr(rest.p, ' ', rest.n);
	if (!sp) {
		/* a map file line may hold a key alone: its value is empty */
		e->key = rest;
		e->value = hap_view_make(rest.p + rest.n, 0);
		return 0;
	}
	e->key = hap_view_make(rest.p, (size_t)(sp - rest.p));
	e->value = hap_view_make(sp + 1, rest.n - e->key.n - 1);
	return 0;
}

int hap_pat_entry_parse(struct hap_pat_entry_list *out, const char *text, size_t len, int is_map,
                        struct hap_error *err)
{
	const char *p = text, *end = len ? text + len : text;
	size_t lineno = 0, cap = 0;
	int ret;

	out->n = 0;
	out->entries = NULL;
	while (p < end) {
		struct hap_view line = hap_view_next_line(&p, end);
		struct hap_pat_entry e;

		lineno++;
		if (!line.n)
			break;
		memset(&e, 0, sizeof(e));
		if (parse_entry(line, is_map, &e)) {
			ret = hap_error_set(err, HAP_EPROTO,
			                    "%s entries: line %zu: expected \"0x<ref> %s\"",
			                    is_map ? "map" : "acl", lineno,
			                    is_map ? "<key> <value>" : "<pattern>");
			goto fail;
		}
		if (out->n == cap) {
			struct hap_pat_entry *ne = NULL;

			cap = cap ? cap * 2 : 16;
			if (cap < SIZE_MAX / 2 / sizeof(*ne))
				ne = realloc(out->entries, cap * sizeof(*ne));
			if (!ne) {
				ret = hap_error_set(err, HAP_ENOMEM, "%s entries: out of memory",
				                    is_map ? "map" : "acl");
				goto fail;
			}
			out->entries = ne;
		}
		out->entries[out->n++] = e;
	}
	return 0;
fail:
	hap_pat_entry_release(out);
	return ret;
}
