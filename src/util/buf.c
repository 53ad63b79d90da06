/*
 * buf.c - capped, always NUL-terminated byte buffer (see buf.h).
 * Never prints, never aborts on a peer's size: a cap is an error code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "util/buf.h"
#include "util/banned.h"

char hap_buf_empty[1];

static size_t buf_max(const struct hap_buf *b)
{
	return b->max ? b->max : ((size_t)-1) / 2;
}

void hap_buf_init(struct hap_buf *b, size_t max)
{
	b->ptr = hap_buf_empty;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void hap_buf_release(struct hap_buf *b)
{
	if (b->cap)
		free(b->ptr);
	hap_buf_init(b, b->max);
}

void hap_buf_reset(struct hap_buf *b)
{
	b->len = 0;
	/* without room, ptr is the shared hap_buf_empty, already "": not
	 * written, so that threads with buffers of their own never share a
	 * write */
	if (b->cap)
		b->ptr[0] = '\0';
}

int hap_buf_grow(struct hap_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > buf_max(b) - b->len)
		return HAP_ETOOBIG;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap = ncap < ((size_t)-1) / 2 ? ncap * 2 : need;
	p = realloc(b->cap ? b->ptr : NULL, ncap);
	if (!p)
		return HAP_ENOMEM;
	if (!b->cap)
		p[0] = '\0';
	b->ptr = p;
	b->cap = ncap;
	return 0;
}

int hap_buf_add(struct hap_buf *b, const void *p, size_t n)
{
	int ret = hap_buf_grow(b, n);

	if (ret)
		return ret;
	if (n)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int hap_buf_adds(struct hap_buf *b, const char *s)
{
	return hap_buf_add(b, s, strlen(s));
}

int hap_buf_addc(struct hap_buf *b, char c)
{
	return hap_buf_add(b, &c, 1);
}

int hap_buf_vaddf(struct hap_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, ret;

	va_copy(cp, ap);
	n = vsnprintf(b->cap ? b->ptr + b->len : NULL, b->cap ? b->cap - b->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return HAP_EINVAL;
	if (b->cap && (size_t)n < b->cap - b->len) {
		if ((size_t)n > buf_max(b) - b->len) {
			b->ptr[b->len] = '\0';
			return HAP_ETOOBIG;
		}
		b->len += (size_t)n;
		return 0;
	}
	ret = hap_buf_grow(b, (size_t)n);
	if (ret) {
		b->ptr[b->len] = '\0';
		return ret;
	}
	vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int hap_buf_addf(struct hap_buf *b, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = hap_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return ret;
}

char *hap_buf_detach(struct hap_buf *b, size_t *len)
{
	char *p = b->ptr;

	if (!b->cap)
		p = calloc(1, 1);
	if (len)
		*len = b->len;
	hap_buf_init(b, b->max);
	return p;
}
