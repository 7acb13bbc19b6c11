/**
 * \file sink_batch.h
 * A ClickHouse sink's batch as its journal keeps it (sink.h): the rows
 * one flush wrote, as the store's own key and value octets, with the
 * names of the sensors they name. The flush only copies the rows
 * (rvd_batch_row); the sender turns a batch into ClickHouse's RowBinary
 * (rvd_batch_encode, store/rv_ch.h) on its own thread, off the flush.
 *
 * Layout (integers big-endian):
 *   "RVB1", u32 version (the flush's time: the ip table's version),
 *   u32 nrows, u16 nnames, nnames x (u16 id, u8 len, len octets of name),
 *   rows to the end, each u8 db, u16 klen, u32 vlen, key, value.
 * A batch is read back as untrusted input: anything that does not parse,
 * or a row that does not decode, makes the whole batch RV_ECORRUPT.
 *
 * Ownership: struct rvd_batch owns its buffers (rvd_batch_free).
 * Thread-safety: none; one batch is written by one thread.
 */
#ifndef RVD_SINK_BATCH_H
#define RVD_SINK_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "rv_ch.h"
#include "rv_store.h"

/** One flush's batch being written. */
struct rvd_batch {
	uint8_t *rows;		/* the rows part */
	size_t len, cap;
	uint32_t nrows;
	uint8_t *names;		/* the header: magic, version, names */
	size_t nlen, ncap;
	uint16_t nnames;
	uint8_t *named;		/* ids already in names: a bitmap */
	size_t named_cap;	/* its octets */
};

/** Start a batch for the flush at \p version (its time); keeps memory. */
void rvd_batch_begin(struct rvd_batch *b, uint32_t version);

/**
 * Append row (k, v) of \p db. The sensors an rrset or neg value names are
 * looked up with \p sensor (NULL: unknown, sent as "#ID") once per batch.
 * \return 0, RV_ENOMEM, RV_ETOOBIG (a key over 64 KiB), RV_ECORRUPT (an
 * rrset or neg value that does not decode: the store's own, so a bug).
 */
int rvd_batch_row(struct rvd_batch *b, enum rv_db db, const void *k,
    size_t klen, const void *v, size_t vlen, rv_ch_sensor_fn sensor,
    void *arg);

/** Has the batch rows? */
int rvd_batch_empty(const struct rvd_batch *b);

/** The batch as two pieces for writev (valid until the next call). */
void rvd_batch_iov(const struct rvd_batch *b, struct iovec iov[2]);

void rvd_batch_free(struct rvd_batch *b);

/**
 * Encode batch \p p (len octets, from the journal) as RowBinary rows of
 * each table into tab[db] (reset first), with \p psl for the registered
 * domains (NULL: the built-in list). \return 0, RV_ENOMEM, RV_ECORRUPT.
 */
int rvd_batch_encode(const uint8_t *p, size_t len, const void *psl,
    struct rv_chbuf tab[RV_DB_COUNT]);

#endif
