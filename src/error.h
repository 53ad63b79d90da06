/*
 * error.h - filling a caller's struct hap_error (which may be NULL).
 */
#ifndef HAP_ERROR_H
#define HAP_ERROR_H

#include "haproxyadmin.h"

/* Set code and message; returns code so callers can "return hap_error_set(...)". */
int hap_error_set(struct hap_error *err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void hap_error_clear(struct hap_error *err);

/* strerror_r() text of errno value e in buf, starting lower-case like every
 * message of ours ("connection refused"). Returns buf. */
const char *hap_errtext(int e, char *buf, size_t size);

#endif
