/*
 * view.c - strict number parsing for views (see view.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "haproxyadmin.h"
#include "util/view.h"
#include "util/banned.h"

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct hap_view hap_view_trim(struct hap_view v)
{
	while (v.n && blank(v.p[0])) {
		v.p++;
		v.n--;
	}
	while (v.n && blank(v.p[v.n - 1]))
		v.n--;
	return v;
}

int hap_num_u64(struct hap_view v, uint64_t *out)
{
	uint64_t acc = 0;
	size_t i;

	if (v.n == 0)
		return HAP_EINVAL;
	for (i = 0; i < v.n; i++) {
		unsigned d;

		if (v.p[i] < '0' || v.p[i] > '9')
			return HAP_EINVAL;
		d = (unsigned)(v.p[i] - '0');
		if (acc > (UINT64_MAX - d) / 10)
			return HAP_ERANGE;
		acc = acc * 10 + d;
	}
	*out = acc;
	return 0;
}

int hap_num_i64(struct hap_view v, int64_t *out)
{
	uint64_t u;
	int neg = 0, ret;

	if (v.n && (v.p[0] == '-' || v.p[0] == '+')) {
		neg = v.p[0] == '-';
		v.p++;
		v.n--;
	}
	ret = hap_num_u64(v, &u);
	if (ret)
		return ret;
	if (neg) {
		if (u > (uint64_t)INT64_MAX + 1)
			return HAP_ERANGE;
		*out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	} else {
		if (u > (uint64_t)INT64_MAX)
			return HAP_ERANGE;
		*out = (int64_t)u;
	}
	return 0;
}

int hap_num_parse_i64(const char *s, int64_t *out)
{
	return hap_num_i64(hap_view_str(s), out);
}

int hap_num_parse_double(const char *s, double *out)
{
	char *end;
	double d;
	size_t i;

	/* strtod accepts hex, inf, nan and blanks: allow digits and one dot only */
	if (!*s)
		return HAP_EINVAL;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
			return HAP_EINVAL;
	errno = 0;
	d = strtod(s, &end);
	if (*end || errno || !isfinite(d))
		return HAP_EINVAL;
	*out = d;
	return 0;
}

char *hap_view_dup(struct hap_view v)
{
	char *s = malloc(v.n + 1);

	if (!s)
		return NULL;
	if (v.n)
		memcpy(s, v.p, v.n);
	s[v.n] = '\0';
	return s;
}

const char *hap_printable(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return "";
	for (; s && *s && o + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			static const char hex[] = "0123456789abcdef";

			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	if (s && *s && o + 3 < len) {
		buf[o++] = '.';
		buf[o++] = '.';
		buf[o++] = '.';
	}
	buf[o] = '\0';
	return buf;
}

struct hap_view hap_view_next_line(const char **p, const char *end)
{
	const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
	size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

	*p = nl ? nl + 1 : end;
	while (n && s[n - 1] == '\r')
		n--;
	return hap_view_make(s, n);
}

int hap_number_parse(int64_t *out, const char *s, int64_t lo, int64_t hi)
{
	int64_t v;
	int ret = hap_num_parse_i64(s, &v);

	if (ret)
		return ret;
	if (v < lo || v > hi)
		return HAP_ERANGE;
	*out = v;
	return 0;
}

int hap_decimal_parse(double *out, const char *s, double lo, double hi)
{
	double v;
	int ret = hap_num_parse_double(s, &v);

	if (ret)
		return ret;
	if (!(v >= lo && v <= hi))
		return HAP_ERANGE;
	*out = v;
	return 0;
}
