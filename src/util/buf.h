/*
 * buf.h - the one owning byte buffer.
 *
 * Invariants: ptr is never NULL (it points at a static "" until the first
 * append), the content is always NUL-terminated, and len never exceeds max:
 * an append past the cap fails with HAP_ETOOBIG and leaves the buffer as it
 * was. Every buffer fed from a socket gets a cap.
 */
#ifndef HAP_UTIL_BUF_H
#define HAP_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct hap_buf {
	char *ptr;
	size_t len;
	size_t cap; /* allocated bytes, 0 while ptr is the static "" */
	size_t max; /* hard cap on len; 0 means SIZE_MAX / 2 */
};

extern char hap_buf_empty[];
#define HAP_BUF_INIT                                                                               \
	{                                                                                          \
		hap_buf_empty, 0, 0, 0                                                             \
	}

void hap_buf_init(struct hap_buf *b, size_t max);
void hap_buf_release(struct hap_buf *b);
void hap_buf_reset(struct hap_buf *b);
/* Make room for at least <extra> more bytes (plus the NUL). */
int hap_buf_grow(struct hap_buf *b, size_t extra);
int hap_buf_add(struct hap_buf *b, const void *p, size_t n);
int hap_buf_adds(struct hap_buf *b, const char *s);
int hap_buf_addc(struct hap_buf *b, char c);
int hap_buf_addf(struct hap_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int hap_buf_vaddf(struct hap_buf *b, const char *fmt, va_list ap)
        __attribute__((format(printf, 2, 0)));
/* Hand the allocation to the caller (free with free()); the buffer is reset. */
char *hap_buf_detach(struct hap_buf *b, size_t *len);

#endif
