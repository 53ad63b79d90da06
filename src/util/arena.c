/*
 * arena.c - bump allocator (see arena.h).
 */
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/banned.h"

struct hap_arena_block {
	struct hap_arena_block *next;
	size_t used, size;
	max_align_t data[];
};

#define BLOCK_SIZE (64 * 1024)

/* n bytes at an offset that is a multiple of align (a power of two). */
static void *arena_get(struct hap_arena *a, size_t n, size_t align)
{
	struct hap_arena_block *b = a->head;
	size_t need = n;
	char *p;

	if (b && align > 1)
		b->used = (b->used + align - 1) & ~(align - 1);
	if (!b || b->used > b->size || b->size - b->used < need) {
		size_t size = need > BLOCK_SIZE ? need : BLOCK_SIZE;

		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->size = size;
		b->used = 0;
		/* a block larger than the default goes behind the head so the
		 * head's free space is not wasted */
		if (a->head && need > BLOCK_SIZE) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = (char *)b->data + b->used;
	b->used += need;
	return p;
}

void *hap_arena_alloc(struct hap_arena *a, size_t n)
{
	return arena_get(a, n, sizeof(max_align_t));
}

char *hap_arena_strndup(struct hap_arena *a, const char *p, size_t n)
{
	char *s = arena_get(a, n + 1, 1); /* packed: a string needs no alignment */

	if (!s)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

void hap_arena_release(struct hap_arena *a)
{
	while (a->head) {
		struct hap_arena_block *b = a->head;

		a->head = b->next;
		free(b);
	}
}
