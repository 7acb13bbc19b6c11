/**
 * \file queue.h
 * The bounded per-thread queue between one Unbound worker thread (the
 * producer) and the sender thread (the consumer).
 *
 * A single-producer single-consumer ring of encoded records
 * (rv_record_encode form, which starts with its own 4-octet length), with
 * C11 atomics and no lock: the worker never waits. When a record does not
 * fit, the producer drops it and counts it. A record is contiguous in the
 * ring; when it would straddle the end, the producer skips the tail of the
 * ring (marking it with a length of 0xffffffff when 4 octets are left).
 *
 * The counters a worker updates live in its own queue, so workers do not
 * share cache lines; the sender sums them with relaxed loads.
 */
#ifndef RVM_QUEUE_H
#define RVM_QUEUE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "rv_frame.h"

/** Producer-side counters, one set per worker thread. */
struct rvm_pcount {
	_Atomic uint64_t responses;	/**< upstream answers seen */
	_Atomic uint64_t captured;	/**< records queued */
	_Atomic uint64_t dropped;	/**< records dropped: queue full */
	_Atomic uint64_t toobig;	/**< records over the size limit */
	_Atomic uint64_t excluded;	/**< answers or records filtered out */
	_Atomic uint64_t timeouts;	/**< no answer (response NULL) */
	_Atomic uint64_t skipped;	/**< local auth-zone answers */
};

struct rvm_queue {
	/* Producer-owned line. */
	_Alignas(64) _Atomic size_t head;	/**< bytes ever written */
	size_t skip;			/**< pending wrap skip (producer) */
	struct rvm_pcount count;
	/* Consumer-owned line. */
	_Alignas(64) _Atomic size_t tail;	/**< bytes ever consumed */
	/* Read-only after init. */
	_Alignas(64) uint8_t *buf;
	size_t cap;
	size_t max_record;		/**< largest record accepted */
	uint8_t *scratch;		/**< producer's gather buffer */
	size_t scratch_size;
};

/**
 * Set up a queue of \p cap octets (at least 4 * max_record) with a
 * producer scratch buffer of \p scratch octets.
 * \return 0, RV_EINVAL, RV_ENOMEM.
 */
int rvm_queue_init(struct rvm_queue *q, size_t cap, size_t max_record,
    size_t scratch);

/** Free the buffers; safe on a zeroed queue. */
void rvm_queue_fini(struct rvm_queue *q);

/**
 * Producer: room for a record of \p len octets, or NULL when the queue is
 * full or len is over max_record (the caller counts the drop). Call
 * rvm_queue_commit() with the same len to publish what was written.
 */
uint8_t *rvm_queue_reserve(struct rvm_queue *q, size_t len);

/** Producer: publish the record written into the last reservation. */
void rvm_queue_commit(struct rvm_queue *q, size_t len);

/**
 * Consumer: the oldest record (pointer and full encoded length), or 0 if
 * the queue is empty. The record stays valid until rvm_queue_pop().
 */
int rvm_queue_peek(struct rvm_queue *q, const uint8_t **rec, size_t *len);

/** Consumer: release the record returned by the last peek. */
void rvm_queue_pop(struct rvm_queue *q, size_t len);

/**
 * Producer: encode \p rec into the queue and count it: captured, or
 * dropped (queue full), or toobig (over max_record).
 * \return 0 if queued, RV_ENOSPC (full) or RV_ETOOBIG (dropped).
 */
int rvm_queue_put(struct rvm_queue *q, const struct rv_record *rec);

/** Octets queued now (approximate when read by a third thread). */
size_t rvm_queue_used(struct rvm_queue *q);

#endif
