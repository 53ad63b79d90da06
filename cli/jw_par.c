/*
 * jw_par.c - the elements of a long JSON array rendered by two threads and
 * written in their order: the objects of a big fleet are evaluated and
 * written after the last byte of the read, when the client is alone on the
 * machine, and a second core halves that time.
 *
 * The elements are cut into chunks; the calling thread renders the even
 * ones straight into its writer, a worker the odd ones into one of two
 * buffers of its own, which the caller copies in place between its chunks.
 * The bytes are the ones a single thread writes: the worker's writer starts
 * at the caller's depth, past its first element (it gets a comma).
 *
 * Must never: reorder or drop an element, or let the worker run more than
 * two chunks ahead (the memory of a dump stays a few chunks, not its size).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "cli.h"

/* elements per chunk: a dump's server is ~5 KB of JSON, a summary ~1 KB.
 * With 128 the worker's two buffers grew to 1 MB each and a dump of the
 * 80,000-server fleet peaked 1.3 MB higher than with one thread; with 64
 * its peak RSS is one thread's (28.4-28.7 MB), for ~700 waits in all. */
#define PAR_CHUNK 64

struct par {
	const struct jw_par_ops *ops;
	void *arg;
	size_t n, nchunks;
	int depth;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct jw slot[2];
	int full[2];
};

static void render(const struct par *p, struct jw *w, void *ctx, size_t c)
{
	size_t i, end = (c + 1) * PAR_CHUNK < p->n ? (c + 1) * PAR_CHUNK : p->n;

	for (i = c * PAR_CHUNK; i < end; i++)
		p->ops->item(w, ctx, i);
}

static void *worker(void *arg)
{
	struct par *p = arg;
	void *ctx = p->ops->ctx_new(p->arg);
	size_t c;

	for (c = 1; c < p->nchunks; c += 2) {
		int s = (int)(c / 2 % 2);
		struct jw *w = &p->slot[s];

		pthread_mutex_lock(&p->mu);
		while (p->full[s])
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		w->len = 0;
		w->depth = p->depth;
		w->first[p->depth] = 0;
		w->after_key = 0;
		render(p, w, ctx, c);
		pthread_mutex_lock(&p->mu);
		p->full[s] = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	p->ops->ctx_free(ctx);
	return NULL;
}

/* The caller's side: its chunks rendered, the worker's copied in order. */
static void run_main(struct par *p, struct jw *w)
{
	void *ctx = p->ops->ctx_new(p->arg);
	size_t c;

	for (c = 0; c < p->nchunks; c++) {
		int s = (int)(c / 2 % 2);

		if (c % 2 == 0) {
			render(p, w, ctx, c);
			continue;
		}
		pthread_mutex_lock(&p->mu);
		while (!p->full[s])
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		jw_raw(w, p->slot[s].buf, p->slot[s].len);
		pthread_mutex_lock(&p->mu);
		p->full[s] = 0;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	p->ops->ctx_free(ctx);
}

void jw_par_items(struct jw *w, size_t n, const struct jw_par_ops *ops, void *arg)
{
	struct par p;
	pthread_t th;
	size_t i;
	int s;

	memset(&p, 0, sizeof(p));
	p.ops = ops;
	p.arg = arg;
	p.n = n;
	p.nchunks = (n + PAR_CHUNK - 1) / PAR_CHUNK;
	p.depth = w->depth;
	if (p.nchunks >= 2 && !getenv("HAPROXYADMIN_ONE_THREAD")) {
		pthread_mutex_init(&p.mu, NULL);
		pthread_cond_init(&p.cv, NULL);
		jw_init(&p.slot[0], NULL);
		jw_init(&p.slot[1], NULL);
		if (pthread_create(&th, NULL, worker, &p) == 0) {
			run_main(&p, w);
			pthread_join(th, NULL);
			n = 0;
		}
		for (s = 0; s < 2; s++)
			free(p.slot[s].buf);
		pthread_cond_destroy(&p.cv);
		pthread_mutex_destroy(&p.mu);
		if (!n)
			return;
	}
	/* one thread: a short array, or no worker could start */
	arg = ops->ctx_new(arg);
	for (i = 0; i < n; i++)
		ops->item(w, arg, i);
	ops->ctx_free(arg);
}
