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

void *hap_arena_alloc(struct hap_arena *a, size_t n)
{
	struct hap_arena_block *b = a->head;
	size_t align = sizeof(max_align_t);
	size_t need = (n + align - 1) / align * align;
	char *p;

	if (!b || b->size - b->used < need) {
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

char *hap_arena_strndup(struct hap_arena *a, const char *p, size_t n)
{
	char *s = hap_arena_alloc(a, n + 1);

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
