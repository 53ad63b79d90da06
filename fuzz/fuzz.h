/*
 * fuzz.h - what every libFuzzer target here shares: a check that aborts
 * (so libFuzzer records the input as a crash) and the bounds test for views
 * that must point into the fuzzer's input.
 *
 * The targets check properties, not just "no crash": every view a parser
 * returns lies inside the bytes it was given, counts agree with what was
 * stored, and a refused input leaves a message.
 */
#ifndef HAP_FUZZ_H
#define HAP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/view.h"

#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* An empty view may point anywhere; any other must lie inside [base, base + n). */
static inline int fuzz_inside(struct hap_view v, const void *base, size_t n)
{
	const char *b = base;

	return v.n == 0 || (v.p >= b && v.n <= n && v.p - b <= (ptrdiff_t)(n - v.n));
}

/* A message left by a refusal: non-empty and NUL-terminated within its array. */
static inline int fuzz_msg_ok(const char *msg, size_t size)
{
	return msg[0] != '\0' && memchr(msg, '\0', size) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
