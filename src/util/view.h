/*
 * view.h - non-owning string views and strict number parsing.
 *
 * A view points into a buffer it does not own (a reply, an argv string);
 * it is valid as long as that buffer is. Number parsers accept exactly the
 * whole view: no blanks, no junk, no overflow; empty is an error.
 */
#ifndef HAP_UTIL_VIEW_H
#define HAP_UTIL_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct hap_view {
	const char *p;
	size_t n;
};

static inline struct hap_view hap_view_make(const char *p, size_t n)
{
	struct hap_view v = { p, n };
	return v;
}

static inline struct hap_view hap_view_str(const char *s)
{
	return hap_view_make(s, strlen(s));
}

static inline int hap_view_eq(struct hap_view v, const char *s)
{
	size_t n = strlen(s);
	return v.n == n && (n == 0 || memcmp(v.p, s, n) == 0);
}

static inline int hap_view_eqv(struct hap_view a, struct hap_view b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static inline int hap_view_startswith(struct hap_view v, const char *s)
{
	size_t n = strlen(s);
	return v.n >= n && memcmp(v.p, s, n) == 0;
}

/* Strip ASCII blanks (space, tab, CR, LF) on both ends. */
struct hap_view hap_view_trim(struct hap_view v);

/* Parse a whole view as a decimal integer; 0 or HAP_EINVAL / HAP_ERANGE. */
int hap_num_i64(struct hap_view v, int64_t *out);
int hap_num_u64(struct hap_view v, uint64_t *out);
/* Same on a NUL-terminated string. */
int hap_num_parse_i64(const char *s, int64_t *out);
/* A decimal number with an optional fraction ("1.5"); used for -t. */
int hap_num_parse_double(const char *s, double *out);

/* A user-given string fit for a one-line message: bytes outside printable
 * ASCII become \xNN, long strings are cut with "...". Returns buf. */
const char *hap_printable(const char *s, char *buf, size_t len);

/* Copy a view into a new NUL-terminated string; caller frees. NULL on ENOMEM. */
char *hap_view_dup(struct hap_view v);

/* Next line of [*p, end): its bytes without the "\n" and any '\r' before it
 * (the same line end as hap_csv_split(), so that row indexes, the inline
 * splitters and hap_csv_split() all see the same last field); *p moves on.
 * The one line splitter of every reply parser. */
struct hap_view hap_view_next_line(const char **p, const char *end);

#endif
