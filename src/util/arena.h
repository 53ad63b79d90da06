/*
 * arena.h - a bump allocator for many small strings that live as long as
 * their owner (a snapshot's names and decoded fields). Freed all at once.
 */
#ifndef HAP_UTIL_ARENA_H
#define HAP_UTIL_ARENA_H

#include <stddef.h>

struct hap_arena_block;

struct hap_arena {
	struct hap_arena_block *head;
};

#define HAP_ARENA_INIT                                                                             \
	{                                                                                          \
		NULL                                                                               \
	}

/* NULL on ENOMEM. */
void *hap_arena_alloc(struct hap_arena *a, size_t n);
/* A NUL-terminated copy of p[0..n). */
char *hap_arena_strndup(struct hap_arena *a, const char *p, size_t n);
void hap_arena_release(struct hap_arena *a);

#endif
