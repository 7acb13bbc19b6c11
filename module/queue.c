/**
 * \file queue.c
 * Lock-free single-producer single-consumer ring of encoded records.
 */
#include "queue.h"

#include <stdlib.h>
#include <string.h>

#include "rv_be.h"
#include "rv_err.h"
#include "rv_frame.h"

#define WRAP_MARK 0xffffffffu

int
rvm_queue_init(struct rvm_queue *q, size_t cap, size_t max_record,
    size_t scratch)
{
	int rc = RV_OK;

	memset(q, 0, sizeof(*q));
	if (max_record < 8 || cap / 4 < max_record) {
		rc = RV_EINVAL;
		goto leave;
	}
	q->buf = malloc(cap);
	q->scratch = scratch ? malloc(scratch) : NULL;
	if (!q->buf || (scratch && !q->scratch)) {
		rc = RV_ENOMEM;
		goto leave;
	}
	q->cap = cap;
	q->max_record = max_record;
	q->scratch_size = scratch;
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
leave:
	if (rc != RV_OK)
		rvm_queue_fini(q);
	return rc;
}

void
rvm_queue_fini(struct rvm_queue *q)
{
	free(q->buf);
	free(q->scratch);
	q->buf = q->scratch = NULL;
	q->cap = 0;
}

uint8_t *
rvm_queue_reserve(struct rvm_queue *q, size_t len)
{
	size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
	size_t avail = q->cap - (head - tail);
	size_t idx = head % q->cap, contig = q->cap - idx;

	q->skip = 0;
	if (len > q->max_record || len < 4)
		return NULL;
	if (len <= contig)
		return len <= avail ? q->buf + idx : NULL;
	/* Skip the end of the ring and start over at 0. */
	if (contig + len > avail)
		return NULL;
	if (contig >= 4)
		memset(q->buf + idx, 0xff, 4);
	q->skip = contig;
	return q->buf;
}

void
rvm_queue_commit(struct rvm_queue *q, size_t len)
{
	size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);

	atomic_store_explicit(&q->head, head + q->skip + len,
	    memory_order_release);
	q->skip = 0;
}

int
rvm_queue_peek(struct rvm_queue *q, const uint8_t **rec, size_t *len)
{
	size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&q->head, memory_order_acquire);

	while (tail != head) {
		size_t idx = tail % q->cap, contig = q->cap - idx;
		uint32_t l;

		if (contig < 4 || (l = rv_get32(q->buf + idx)) == WRAP_MARK) {
			tail += contig;	/* the producer skipped this */
			atomic_store_explicit(&q->tail, tail,
			    memory_order_release);
			continue;
		}
		*rec = q->buf + idx;
		*len = 4 + (size_t)l;
		return 1;
	}
	return 0;
}

void
rvm_queue_pop(struct rvm_queue *q, size_t len)
{
	size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);

	atomic_store_explicit(&q->tail, tail + len, memory_order_release);
}

size_t
rvm_queue_used(struct rvm_queue *q)
{
	return atomic_load_explicit(&q->head, memory_order_relaxed) -
	    atomic_load_explicit(&q->tail, memory_order_relaxed);
}

static void
count(_Atomic uint64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

int
rvm_queue_put(struct rvm_queue *q, const struct rv_record *rec)
{
	size_t n = rv_record_size(rec), used;
	uint8_t *p;
	int rc;

	if (n > q->max_record) {
		count(&q->count.toobig);
		rc = RV_ETOOBIG;
		goto leave;
	}
	if ((p = rvm_queue_reserve(q, n)) == NULL) {
		count(&q->count.dropped);
		rc = RV_ENOSPC;
		goto leave;
	}
	if ((rc = rv_record_encode(rec, p, n, &used)) != RV_OK) {
		count(&q->count.toobig);
		goto leave;
	}
	rvm_queue_commit(q, used);
	count(&q->count.captured);
leave:
	return rc;
}
