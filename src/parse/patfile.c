/*
 * patfile.c - a local ACL/map file, parsed as HAProxy's pattern loader
 * reads it, into the entries a replace sends.
 *
 * Owns: struct hap_pattern_file and its accessors, hap_pattern_file_parse().
 *
 * Must never: do I/O (hap_pattern_file_read() in ops/replace.c reads the
 * file and hands its bytes here).
 */
#define LINE_MAX_BYTES 8000
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "parse/parse.h"
#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* A local file for a replace                                          */
/* ------------------------------------------------------------------ */

void hap_pattern_file_free(struct hap_pattern_file *f)
{
	if (!f)
		return;
	hap_buf_release(&f->text);
	free(f->off);
	free(f->line);
	free(f);
}

size_t hap_pattern_file_count(const struct hap_pattern_file *f)
{
	return f->n;
}

const char *hap_pattern_file_entry(const struct hap_pattern_file *f, size_t i)
{
	return f->text.ptr + f->off[i];
}

size_t hap_pattern_file_line(const struct hap_pattern_file *f, size_t i)
{
	return f->line[i];
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Append an entry: a, or "a b" when b is not NULL (a map's key and value). */
static int file_add(struct hap_pattern_file *f, size_t *cap, const char *a, size_t an,
                    const char *b, size_t bn, size_t lineno)
{
	if (f->n + 1 >= *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;
		size_t *o = realloc(f->off, ncap * sizeof(*o));

		if (!o)
			return HAP_ENOMEM;
		f->off = o;
		o = realloc(f->line, ncap * sizeof(*o));
		if (!o)
			return HAP_ENOMEM;
		f->line = o;
		*cap = ncap;
	}
	f->off[f->n] = f->text.len;
	f->line[f->n] = lineno;
	if (hap_buf_add(&f->text, a, an) || (b && hap_buf_addc(&f->text, ' ')) ||
	    (b && hap_buf_add(&f->text, b, bn)) || hap_buf_addc(&f->text, '\0'))
		return HAP_ENOMEM;
	f->n++;
	f->off[f->n] = f->text.len;
	return 0;
}

int hap_pattern_file_parse(struct hap_pattern_file **out, enum hap_pattern_kind kind,
                           const char *text, size_t len, struct hap_error *err)
{
	struct hap_pattern_file *f = calloc(1, sizeof(*f));
	const char *p = text, *end = text + len;
	size_t lineno = 0, cap = 0;
	int ret = 0;

	*out = NULL;
	if (!f)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	f->kind = kind;
	hap_buf_init(&f->text, 0);
	f->off = calloc(1, sizeof(*f->off));
	if (!f->off) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e = nl ? nl : end, *k;

		p = nl ? nl + 1 : end;
		lineno++;
		if (memchr(s, '\0', (size_t)(e - s))) {
			ret = hap_error_set(err, HAP_EINVAL, "line %zu: NUL byte", lineno);
			goto out;
		}
		if (e > s && e[-1] == '\r')
			e--;
		if (memchr(s, '\r', (size_t)(e - s))) {
			ret = hap_error_set(err, HAP_EINVAL,
			                    "line %zu: carriage return inside the line", lineno);
			goto out;
		}
		while (s < e && blank(*s))
			s++;
		if (s == e || *s == '#')
			continue;
		if ((size_t)(e - s) > LINE_MAX_BYTES) {
			ret = hap_error_set(err, HAP_EINVAL, "line %zu: longer than %d bytes",
			                    lineno, LINE_MAX_BYTES);
			goto out;
		}
		if (kind == HAP_PATTERN_ACL) {
			/* the pattern is the rest of the line, as HAProxy loads it */
			ret = file_add(f, &cap, s, (size_t)(e - s), NULL, 0, lineno);
		} else {
			/* the key is the first word, the value the rest after blanks:
			 * sent as "key value" (a key alone as "key ": the payload
			 * needs the blank, the value is then empty, as from a file) */
			const char *v;

			for (k = s; k < e && !blank(*k); k++)
				;
			for (v = k; v < e && blank(*v); v++)
				;
			ret = file_add(f, &cap, s, (size_t)(k - s), v, (size_t)(e - v), lineno);
		}
		if (ret) {
			ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
			goto out;
		}
	}
out:
	if (ret) {
		hap_pattern_file_free(f);
		return ret;
	}
	*out = f;
	return 0;
}
