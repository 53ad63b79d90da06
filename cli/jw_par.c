/*
 * jw_par.c - the elements of a long JSON array rendered by two threads and
 * written in their order: the objects of a big fleet are evaluated and
 * written after the last byte of the read, when the client is alone on the
 * machine, and a second core halves that time.
 *
 * The elements are cut into chunks, claimed in order by whichever thread
 * is free: the calling thread renders the next chunk to write straight into
 * its writer, any later one (as the worker does) into the buffer of its
 * slot, and writes the slots' chunks in order. Neither waits for the other
 * while a chunk can be claimed, so a worker the scheduler keeps off a busy
 * machine costs little: the caller goes on alone. The bytes are the ones a
 * single thread writes: a slot's writer starts at the caller's depth, past
 * its first element (chunk 0, always the caller's, so every other chunk
 * starts with a comma).
 *
 * Must never: reorder or drop an element, or render more than PAR_SLOTS
 * chunks ahead of the writing (a dump's memory stays a few chunks).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "cli.h"

/* elements per chunk: a dump's server is ~5 KB of JSON, a summary ~1 KB.
 * With 128 a dump of the 80,000-server fleet peaked 1.3 MB above one
 * thread's RSS (the slots' buffers grow to a chunk's size). */
#define PAR_CHUNK 32
/* chunks rendered ahead of the writing, at most */
#define PAR_SLOTS 4

struct par {
	const struct jw_par_ops *ops;
	void *arg;
	size_t n, nchunks;
	int depth;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t claim; /* the next chunk to render */
	size_t wrote; /* the next chunk to write */
	struct jw slot[PAR_SLOTS];
	int full[PAR_SLOTS]; /* chunk c is in slot c % PAR_SLOTS */
};

static void render(const struct par *p, struct jw *w, void *ctx, size_t c)
{
	size_t i, end = (c + 1) * PAR_CHUNK < p->n ? (c + 1) * PAR_CHUNK : p->n;

	for (i = c * PAR_CHUNK; i < end; i++)
		p->ops->item(w, ctx, i);
}

/* Chunk c into its slot; called and returns with p->mu held. */
static void render_slot(struct par *p, void *ctx, size_t c)
{
	struct jw *w = &p->slot[c % PAR_SLOTS];

	pthread_mutex_unlock(&p->mu);
	w->len = 0;
	w->depth = p->depth;
	w->first[p->depth] = 0;
	w->after_key = 0;
	render(p, w, ctx, c);
	pthread_mutex_lock(&p->mu);
	p->full[c % PAR_SLOTS] = 1;
	pthread_cond_broadcast(&p->cv);
}

static int can_claim(const struct par *p)
{
	return p->claim < p->nchunks && p->claim < p->wrote + PAR_SLOTS;
}

static void *worker(void *arg)
{
	struct par *p = arg;
	void *ctx = p->ops->ctx_new(p->arg);

	pthread_mutex_lock(&p->mu);
	while (p->claim < p->nchunks) {
		if (can_claim(p))
			render_slot(p, ctx, p->claim++);
		else
			pthread_cond_wait(&p->cv, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	p->ops->ctx_free(ctx);
	return NULL;
}

/* The caller's side, chunk 0 rendered: every chunk written in order. */
static void run_main(struct par *p, struct jw *w, void *ctx)
{
	pthread_mutex_lock(&p->mu);
	p->wrote = 1;
	pthread_cond_broadcast(&p->cv);
	while (p->wrote < p->nchunks) {
		size_t s = p->wrote % PAR_SLOTS;

		if (p->full[s]) {
			pthread_mutex_unlock(&p->mu);
			jw_raw(w, p->slot[s].buf, p->slot[s].len);
			pthread_mutex_lock(&p->mu);
			p->full[s] = 0;
			p->wrote++;
			pthread_cond_broadcast(&p->cv);
		} else if (p->claim == p->wrote) {
			/* the next to write: straight into the output */
			p->claim++;
			pthread_mutex_unlock(&p->mu);
			render(p, w, ctx, p->wrote);
			pthread_mutex_lock(&p->mu);
			p->wrote++;
			pthread_cond_broadcast(&p->cv);
		} else if (can_claim(p)) {
			render_slot(p, ctx, p->claim++);
		} else {
			/* the worker renders the next to write, every slot taken */
			pthread_cond_wait(&p->cv, &p->mu);
		}
	}
	pthread_mutex_unlock(&p->mu);
}

void jw_par_items(struct jw *w, size_t n, const struct jw_par_ops *ops, void *arg)
{
	struct par p;
	pthread_t th;
	void *ctx = ops->ctx_new(arg);
	size_t i;
	int s, par, two = 0;

	memset(&p, 0, sizeof(p));
	p.ops = ops;
	p.arg = arg;
	p.n = n;
	p.nchunks = (n + PAR_CHUNK - 1) / PAR_CHUNK;
	p.depth = w->depth;
	p.claim = 1; /* chunk 0 is the caller's: it has no comma */
	par = p.nchunks >= 2 && !getenv("HAPROXYADMIN_ONE_THREAD");
	if (par) {
		pthread_mutex_init(&p.mu, NULL);
		pthread_cond_init(&p.cv, NULL);
		for (s = 0; s < PAR_SLOTS; s++)
			jw_init(&p.slot[s], NULL);
		two = pthread_create(&th, NULL, worker, &p) == 0;
	}
	if (two) {
		render(&p, w, ctx, 0);
		run_main(&p, w, ctx);
		pthread_join(th, NULL);
	} else {
		/* one thread: a short array, or no worker could start */
		for (i = 0; i < n; i++)
			ops->item(w, ctx, i);
	}
	if (par) {
		for (s = 0; s < PAR_SLOTS; s++)
			free(p.slot[s].buf);
		pthread_cond_destroy(&p.cv);
		pthread_mutex_destroy(&p.mu);
	}
	ops->ctx_free(ctx);
}
