// SPDX-License-Identifier: GPL-2.0
/*
 * The one allocation hook of the store, with fault injection for tests, and
 * the per-request scratch arena.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xld/store/xs.h"

static long fail_countdown = -1;
static long live;

void xs_alloc_fail_at(long n)
{
	fail_countdown = n;
}

long xs_alloc_live(void)
{
	return live;
}

static bool should_fail(void)
{
	if (fail_countdown < 0)
		return false;
	if (fail_countdown-- == 0)
		return true;
	return false;
}

void *xs_malloc(size_t n)
{
	void *p;

	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	p = malloc(n ? n : 1);
	if (p)
		live++;
	return p;
}

void *xs_calloc(size_t n, size_t size)
{
	void *p;

	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	p = calloc(n ? n : 1, size ? size : 1);
	if (p)
		live++;
	return p;
}

void xs_free(void *p)
{
	if (!p)
		return;
	live--;
	free(p);
}

/* A block too big for the arena's base, freed at reset. */
struct xs_arena_chunk {
	struct xs_arena_chunk *next;
	max_align_t data[];
};

int xs_arena_init(struct xs_arena *a, size_t cap)
{
	a->base = xs_malloc(cap);
	if (!a->base)
		return -ENOMEM;
	a->used = 0;
	a->cap = cap;
	a->chunks = NULL;
	return 0;
}

void xs_arena_reset(struct xs_arena *a)
{
	struct xs_arena_chunk *c;

	while ((c = a->chunks)) {
		a->chunks = c->next;
		xs_free(c);
	}
	a->used = 0;
}

void xs_arena_dispose(struct xs_arena *a)
{
	if (!a->base)
		return;
	xs_arena_reset(a);
	xs_free(a->base);
	a->base = NULL;
	a->cap = 0;
}

void *xs_arena_alloc(struct xs_arena *a, size_t n)
{
	struct xs_arena_chunk *c;
	size_t al = (n + 15) & ~(size_t)15;

	if (al < n) {
		errno = ENOMEM;
		return NULL;
	}
	if (al <= a->cap - a->used) {
		void *p = a->base + a->used;

		a->used += al;
		return p;
	}
	if (al > SIZE_MAX - sizeof(*c)) {
		errno = ENOMEM;
		return NULL;
	}
	c = xs_malloc(sizeof(*c) + al);
	if (!c)
		return NULL;
	c->next = a->chunks;
	a->chunks = c;
	return c->data;
}
