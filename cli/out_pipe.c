/**
 * \file out_pipe.c
 * The printer thread of out_pipe.h: one mutex and one condition variable
 * around a single batch slot.
 */
#include "out_pipe.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "rv_err.h"

struct cli_pipe {
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct cli_out *o;
	struct rvq_row **rows;	/* the handed batch, or spare room */
	size_t n, cap;
	struct cli_geo_buf gbuf;	/* the answers its rows point to */
	int ask;		/* the printer finds them */
	struct cli_chunk *chunks;	/* where the batch's copies live */
	int busy;		/* a batch is handed and not printed yet */
	int quit;
	int rc;			/* the printer's first error */
	int err_no;		/* and its errno */
};

static void *
printer(void *arg)
{
	struct cli_pipe *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->busy && !p->quit)
			pthread_cond_wait(&p->cv, &p->mu);
		if (!p->busy)
			break;
		pthread_mutex_unlock(&p->mu);
		if (p->rc == RV_OK && p->ask)	/* or the rows ask one by one */
			(void)cli_geo_prefetch(p->o, p->rows, p->n, &p->gbuf);
		int rc = p->rc == RV_OK ?
		    cli_out_emit_rows(p->o, p->rows, p->n) : p->rc;
		int e = errno;
		pthread_mutex_lock(&p->mu);
		if (p->rc == RV_OK && rc != RV_OK) {
			p->rc = rc;
			p->err_no = e;
		}
		p->busy = 0;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int
cli_pipe_start(struct cli_out *o)
{
	struct cli_pipe *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return RV_ENOMEM;
	p->o = o;
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		goto fail_mu;
	if (pthread_cond_init(&p->cv, NULL) != 0)
		goto fail_cv;
	if (pthread_create(&p->thr, NULL, printer, p) != 0)
		goto fail_thr;
	o->pipe = p;
	return RV_OK;
fail_thr:
	pthread_cond_destroy(&p->cv);
fail_cv:
	pthread_mutex_destroy(&p->mu);
fail_mu:
	free(p);
	return RV_ENOMEM;
}

/* With the lock held: wait until the printer is idle and take back the
 * chunks of what it printed. */
static void
wait_idle(struct cli_pipe *p)
{
	while (p->busy)
		pthread_cond_wait(&p->cv, &p->mu);
	cli_out_spare_chunks(p->o, p->chunks);
	p->chunks = NULL;
	p->n = 0;
}

int
cli_pipe_busy(struct cli_out *o)
{
	struct cli_pipe *p = o->pipe;
	int busy;

	pthread_mutex_lock(&p->mu);
	busy = p->busy;
	pthread_mutex_unlock(&p->mu);
	return busy;
}

int
cli_pipe_hand(struct cli_out *o, int ask)
{
	struct cli_pipe *p = o->pipe;
	struct rvq_row **rows;
	struct cli_geo_buf gbuf;
	size_t cap;
	int rc;

	pthread_mutex_lock(&p->mu);
	wait_idle(p);
	if ((rc = p->rc) == RV_OK) {
		rows = p->rows;
		cap = p->cap;
		p->rows = o->keep;
		p->cap = o->capkeep;
		p->n = o->nkeep;
		p->chunks = o->chunks;
		o->keep = rows;
		o->capkeep = cap;
		p->ask = ask;
		if (!ask) {	/* the rows point into o's answers */
			gbuf = p->gbuf;
			p->gbuf = o->gbuf;
			o->gbuf = gbuf;
		}
		o->nkeep = 0;
		o->chunks = NULL;
		p->busy = 1;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int
cli_pipe_stop(struct cli_out *o)
{
	struct cli_pipe *p = o->pipe;
	int rc;

	if (p == NULL)
		return RV_OK;
	pthread_mutex_lock(&p->mu);
	wait_idle(p);
	p->quit = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thr, NULL);
	rc = p->rc;
	if (rc != RV_OK)
		errno = p->err_no;
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->rows);
	free(p->gbuf.a);
	free(p);
	o->pipe = NULL;
	return rc;
}
