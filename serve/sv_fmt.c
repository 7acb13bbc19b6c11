/**
 * \file sv_fmt.c
 * A producer and a formatter thread with two batches of row copies
 * between them. See sv_fmt.h.
 */
#include "sv_fmt.h"

#include <pthread.h>
#include <stdlib.h>

#include "rv_err.h"

/* Row copies per batch: about 256 KiB, a few thousand rows. Big enough
 * that the hand-off costs nothing per row, small enough that the first
 * rows do not wait. */
#define BATCH_OCTETS (256u << 10)

struct batch {
	uint8_t *arena;
	size_t used, cap;
	struct rvq_row **rows;
	size_t n, rcap;
};

struct sv_fmt {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int busy;		/**< work holds a batch to format */
	int stop;		/**< no more batches */
	int err;		/**< the formatter's first error */
	struct batch b[2];
	struct batch *fill;	/**< the producer's */
	struct batch *work;	/**< the formatter's */
	sv_fmt_row_fn row;
	sv_fmt_end_fn end;
	void *arg;
	pthread_t th;
};

static void *
formatter(void *arg)
{
	struct sv_fmt *f = arg;
	int rc = RV_OK;

	for (;;) {
		struct batch *w;

		pthread_mutex_lock(&f->mu);
		while (!f->busy && !f->stop)
			pthread_cond_wait(&f->cv, &f->mu);
		if (!f->busy) {
			pthread_mutex_unlock(&f->mu);
			return NULL;
		}
		w = f->work;
		pthread_mutex_unlock(&f->mu);
		for (size_t i = 0; rc == RV_OK && i < w->n; i++)
			rc = f->row(f->arg, w->rows[i]);
		if (rc == RV_OK)
			rc = f->end(f->arg);
		pthread_mutex_lock(&f->mu);
		f->busy = 0;
		if (rc != RV_OK && f->err == RV_OK)
			f->err = rc;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
	}
}

int
sv_fmt_start(struct sv_fmt **out, sv_fmt_row_fn row, sv_fmt_end_fn end,
    void *arg)
{
	struct sv_fmt *f;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return RV_ENOMEM;
	for (int i = 0; i < 2; i++)
		if ((f->b[i].arena = malloc(BATCH_OCTETS)) == NULL)
			goto fail;
		else
			f->b[i].cap = BATCH_OCTETS;
	f->fill = &f->b[0];
	f->work = &f->b[1];
	f->row = row;
	f->end = end;
	f->arg = arg;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	if (pthread_create(&f->th, NULL, formatter, f) != 0) {
		pthread_cond_destroy(&f->cv);
		pthread_mutex_destroy(&f->mu);
		goto fail;
	}
	*out = f;
	return RV_OK;
fail:
	free(f->b[0].arena);
	free(f->b[1].arena);
	free(f);
	return RV_ENOMEM;
}

/* Wait for the formatter to be idle, then give it the filled batch. */
static int
hand(struct sv_fmt *f)
{
	struct batch *b;
	int rc;

	pthread_mutex_lock(&f->mu);
	while (f->busy && f->err == RV_OK)
		pthread_cond_wait(&f->cv, &f->mu);
	if ((rc = f->err) == RV_OK && f->fill->n > 0) {
		b = f->fill;
		f->fill = f->work;
		f->work = b;
		f->busy = 1;
		pthread_cond_broadcast(&f->cv);
	}
	pthread_mutex_unlock(&f->mu);
	f->fill->n = 0;
	f->fill->used = 0;
	return rc;
}

int
sv_fmt_add(struct sv_fmt *f, const struct rvq_row *r)
{
	size_t need = rvq_row_copy_size(r, 0);
	struct batch *b = f->fill;
	int rc;

	if (b->used + need > b->cap) {
		if (b->n > 0 && (rc = hand(f)) != RV_OK)
			return rc;
		b = f->fill;
		if (need > b->cap) {	/* a row larger than a batch */
			uint8_t *a = realloc(b->arena, need);
			if (a == NULL)
				return RV_ENOMEM;
			b->arena = a;
			b->cap = need;
		}
	}
	if (b->n == b->rcap) {
		size_t rcap = b->rcap ? b->rcap * 2 : 1024;
		struct rvq_row **v = realloc(b->rows, rcap * sizeof(*v));
		if (v == NULL)
			return RV_ENOMEM;
		b->rows = v;
		b->rcap = rcap;
	}
	/* rvq_row_copy_size rounds to 8: every copy stays aligned */
	b->rows[b->n++] = rvq_row_copy_at(r, (struct rvq_row *)(void *)
	    (b->arena + b->used), NULL, 0);
	b->used += need;
	return RV_OK;
}

int
sv_fmt_hand_idle(struct sv_fmt *f)
{
	int busy, rc;

	pthread_mutex_lock(&f->mu);
	busy = f->busy;
	rc = f->err;
	pthread_mutex_unlock(&f->mu);
	return rc != RV_OK || busy || f->fill->n == 0 ? rc : hand(f);
}

int
sv_fmt_stop(struct sv_fmt *f)
{
	int rc;

	if (f == NULL)
		return RV_OK;
	(void)hand(f);
	pthread_mutex_lock(&f->mu);
	while (f->busy && f->err == RV_OK)
		pthread_cond_wait(&f->cv, &f->mu);
	f->stop = 1;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->th, NULL);
	rc = f->err;
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	for (int i = 0; i < 2; i++) {
		free(f->b[i].arena);
		free(f->b[i].rows);
	}
	free(f);
	return rc;
}
