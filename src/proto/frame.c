/*
 * frame.c - cutting one instance's snapshot reply into the replies of its
 * commands (see frame.h). Pure: bytes in, views out.
 */
#include <string.h>

#include "haproxyadmin.h"
#include "proto/frame.h"
#include "util/banned.h"

/* "show cli level": one word and a blank line. */
static int level_of(struct hap_view w)
{
	if (hap_view_eq(w, "admin"))
		return HAP_LEVEL_ADMIN;
	if (hap_view_eq(w, "operator"))
		return HAP_LEVEL_OPERATOR;
	if (hap_view_eq(w, "user"))
		return HAP_LEVEL_USER;
	return HAP_LEVEL_UNKNOWN;
}

/* Length of the "show info" block at p: up to and with its first empty
 * line ("\n" or "\r\n"), or all of it. */
static size_t info_len(const char *p, size_t n)
{
	const char *s = p, *end = p + n;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (l && s[l - 1] == '\r')
			l--;
		s = nl ? nl + 1 : end;
		if (!l)
			break;
	}
	return (size_t)(s - p);
}

/* A listing at p: its length without the blank line; *used moves past it. */
static size_t listing_len(const char *p, size_t rest, size_t *used)
{
	const char *e = rest ? memchr(p, '\n', rest) : NULL, *q = p;
	size_t len;

	/* the blank line: "\n\n", or a lone "\n" for an empty list */
	if (e == p) {
		*used += 1;
		return 0;
	}
	e = NULL;
	while ((q = memchr(q, '\n', rest - (size_t)(q - p))) != NULL) {
		if ((size_t)(q - p) + 1 < rest && q[1] == '\n') {
			e = q;
			break;
		}
		q++;
	}
	len = e ? (size_t)(e - p) + 1 : rest;
	*used += e ? len + 1 : len;
	return len;
}

void hap_frame_snapshot(struct hap_frame *out, const char *reply, size_t len, unsigned what)
{
	const char *nl = len ? memchr(reply, '\n', len) : NULL;
	size_t used = 0, l;

	memset(out, 0, sizeof(*out));
	out->level = HAP_LEVEL_UNKNOWN;
	out->first_line = hap_view_make(reply, nl ? (size_t)(nl - reply) : len);
	/*
	 * Every reply of HAProxy ends with a blank line, the last one too: a
	 * reply without it was cut short (the process died, a proxy or the
	 * network closed early), and its missing rows would go unnoticed.
	 */
	if (hap_master_routing_failed(reply, len)) {
		out->status = HAP_FRAME_ROUTING;
		return;
	}
	if (len < 2 || memcmp(reply + len - 2, "\n\n", 2) != 0) {
		out->status = len ? HAP_FRAME_CUT : HAP_FRAME_EMPTY;
		return;
	}
	l = nl ? (size_t)(nl - reply) : 0;
	out->level = level_of(hap_view_make(reply, l));
	if (out->level != HAP_LEVEL_UNKNOWN) {
		used = l + 1;
		if (used < len && reply[used] == '\n')
			used++;
	}
	out->info = hap_view_make(reply + used, info_len(reply + used, len - used));
	used += out->info.n;
	for (int k = 0; k < 2; k++) {
		const char *p = reply + used;

		if (!(what & (k ? HAP_SNAP_MAPS : HAP_SNAP_ACLS)))
			continue;
		out->has_pat[k] = 1;
		out->pat[k] = hap_view_make(p, listing_len(p, len - used, &used));
	}
	out->rest = used;
}

size_t hap_prompt_cut(const char *buf, size_t len, size_t from)
{
	const char *p = buf + from, *end = buf + len, *nl;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (end - nl >= 3 && nl[1] == '>' && nl[2] == ' ')
			return (size_t)(nl - buf) + 1;
		p = nl + 1;
	}
	return 0;
}

/* Length of a master prompt at p ("master", flag groups in () or [], "> "),
 * or 0 when there is none (or not all of it yet). */
static size_t master_prompt_at(const char *p, const char *end)
{
	const char *q = p + 6;

	if (end - p < 8 || memcmp(p, "master", 6) != 0)
		return 0;
	while (q < end && (*q == '(' || *q == '[')) {
		char close = *q == '(' ? ')' : ']';

		while (q < end && *q != close && *q != '\n')
			q++;
		if (q == end || *q != close)
			return 0;
		q++;
	}
	if (end - q < 2 || q[0] != '>' || q[1] != ' ')
		return 0;
	return (size_t)(q + 2 - p);
}

int hap_master_prompt_cut(const char *buf, size_t len, size_t from, size_t *end, size_t *next)
{
	const char *p = buf + from, *e = buf + len, *nl;
	size_t n;

	if (from > len)
		return 0;
	if ((n = master_prompt_at(p, e)) != 0) {
		*end = from;
		*next = from + n;
		return 1;
	}
	while (p < e && (nl = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		if ((n = master_prompt_at(nl + 1, e)) != 0) {
			*end = (size_t)(nl - buf) + 1;
			*next = *end + n;
			return 1;
		}
		p = nl + 1;
	}
	return 0;
}

/* End of the first terminated empty line ("\n" or "\r\n") in p[0, n),
 * as info_len() counts it; 0 when there is none yet. */
static size_t info_end(const char *p, size_t n)
{
	const char *s = p, *end = p + n;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l;

		if (!nl)
			return 0;
		l = (size_t)(nl - s);
		if (l && s[l - 1] == '\r')
			l--;
		s = nl + 1;
		if (!l)
			return (size_t)(s - p);
	}
	return 0;
}

int hap_frame_rows_start(const char *reply, size_t len, unsigned what, size_t *rest)
{
	size_t info_off, info_n;

	return hap_frame_head(reply, len, what, &info_off, &info_n, rest);
}

int hap_frame_head(const char *reply, size_t len, unsigned what, size_t *info_off, size_t *info_n,
                   size_t *rest)
{
	const char *nl = len ? memchr(reply, '\n', len) : NULL;
	size_t used = 0, l;

	/* the first line whole: the level, or a master's routing failure */
	if (!nl || hap_master_routing_failed(reply, len))
		return 0;
	l = (size_t)(nl - reply);
	if (level_of(hap_view_make(reply, l)) != HAP_LEVEL_UNKNOWN) {
		used = l + 1;
		if (used == len)
			return 0; /* its blank line may follow */
		if (reply[used] == '\n')
			used++;
	}
	l = info_end(reply + used, len - used);
	if (!l)
		return 0;
	*info_off = used;
	*info_n = l;
	used += l;
	for (int k = 0; k < 2; k++) {
		const char *p = reply + used, *q = p;
		size_t left = len - used;

		if (!(what & (k ? HAP_SNAP_MAPS : HAP_SNAP_ACLS)))
			continue;
		if (!left)
			return 0;
		if (p[0] == '\n') {
			used += 1; /* an empty list */
			continue;
		}
		/* up to and with "\n\n" */
		for (;;) {
			q = memchr(q, '\n', left - (size_t)(q - p));
			if (!q || (size_t)(q - p) + 1 >= left)
				return 0;
			if (q[1] == '\n')
				break;
			q++;
		}
		used += (size_t)(q - p) + 2;
	}
	*rest = used;
	return 1;
}
