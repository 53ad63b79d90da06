/*
 * csv.c - one line of HAProxy's CSV ("show stat") into field views.
 *
 * HAProxy quotes a free-text field (an agent's text, a check description)
 * when it contains ',' or '"', doubling the quotes inside (RFC 4180), and
 * ends every line with a comma that is not a field. A naive split on ','
 * shifts every later column of such a row, which is the bug this file
 * exists to avoid.
 *
 * Fields are views into the line: nothing is copied, and only
 * hap_csv_text() decodes a doubled quote, into a caller's buffer. The line
 * need not be NUL-terminated and nothing past len is ever read.
 */
#include <limits.h>
#include <string.h>

#include "haproxyadmin.h"
#include "parse/parse.h"
#include "util/banned.h"

int hap_csv_next(const char *line, size_t len, size_t *pos, struct hap_view *out)
{
	size_t i = *pos;

	if (i >= len)
		return 0;
	if (line[i] != '"') {
		/* most fields are a few digits: a plain loop beats a memchr call */
		size_t j = i;

		while (j < len && line[j] != ',')
			j++;
		*out = hap_view_make(line + i, j - i);
		*pos = j < len ? j + 1 : len;
		return 1;
	}
	/* quoted: the field ends at a quote that is not doubled */
	for (size_t j = i + 1;;) {
		const char *q = j < len ? memchr(line + j, '"', len - j) : NULL;
		size_t k;

		if (!q)
			return HAP_EPROTO;
		k = (size_t)(q - line);
		if (k + 1 < len && line[k + 1] == '"') {
			j = k + 2;
			continue;
		}
		*out = hap_view_make(line + i + 1, k - i - 1);
		if (k + 1 == len) {
			*pos = len;
			return 1;
		}
		/* "abc"def: not something HAProxy writes; refuse rather than guess */
		if (line[k + 1] != ',')
			return HAP_EPROTO;
		*pos = k + 2;
		return 1;
	}
}

int hap_csv_split(const char *line, size_t len, struct hap_view *out, size_t max)
{
	size_t pos = 0, n = 0;
	struct hap_view f;
	int ret;

	while (len && line[len - 1] == '\r')
		len--;
	while ((ret = hap_csv_next(line, len, &pos, &f)) == 1) {
		if (n == INT_MAX)
			return HAP_EPROTO;
		if (n < max)
			out[n] = f;
		n++;
	}
	return ret < 0 ? ret : (int)n;
}

int hap_csv_text(struct hap_view field, struct hap_buf *b)
{
	size_t i = 0;
	int ret;

	hap_buf_reset(b);
	while (i < field.n) {
		const char *q = memchr(field.p + i, '"', field.n - i);
		size_t k = q ? (size_t)(q - field.p) + 1 : field.n;

		/* copy up to and including one quote, then skip its double */
		ret = hap_buf_add(b, field.p + i, k - i);
		if (ret) {
			hap_buf_reset(b);
			return ret;
		}
		i = k;
		if (q && i < field.n && field.p[i] == '"')
			i++;
	}
	return 0;
}
