/**
 * \file sink.h
 * rearviewd's ClickHouse sinks (issue #22, `--sink
 * clickhouse+http://HOST:8123/DB`). Each flush's deltas, the rows it
 * merges into the store as they were before the merge, are sent to every
 * sink, while LMDB stays the local store:
 *  - the flush taps each row it writes (rvd_sinks_row, through its
 *    tap, flush.h) and copies it as it is, with the names of the sensors
 *    it names, into the flush's batch (sink_batch.h): the encoding as
 *    ClickHouse's RowBinary (store/rv_ch.h) is the sender's, off the
 *    flush; an attempt that is run again starts the rows again
 *    (rvd_sinks_begin);
 *  - after the commit the batch is appended to each sink's
 *    journal (journal.h: durable, bounded, the oldest dropped and counted
 *    when full) in the database directory, `sink-HOST_PORT_DB/`;
 *  - each sink's sender thread (sink_send.h) posts its journal's batches
 *    to ClickHouse and removes them once ClickHouse has them.
 * So a ClickHouse outage or a restart loses nothing, and a batch is
 * appended before the flush that made it is reported done.
 *
 * Since ClickHouse receives exactly the deltas the store merged, its
 * merged rows equal the store's (first min, last max, counts summed, TTL
 * range, sensors by name), except that regdom rows' last seen is exact
 * there and moves in steps of a day in the store.
 *
 * Thread-safety: one thread (the store's writer) calls everything.
 * Ownership: struct rvd_sinks owns its sinks, journals and senders.
 */
#ifndef RVD_SINK_H
#define RVD_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "flush.h"
#include "rv_ch.h"
#include "rv_store.h"
#include "sink_send.h"

struct rvd_sinks;

/**
 * Open the sinks of \p urls (n of them, n may be 0) into *out: parse
 * each, open its journal under \p dbdir bounded to \p journal_max
 * octets, start its sender. \return 0, or an error with \p err saying
 * which sink and why.
 */
int rvd_sinks_open(struct rvd_sinks **out, const char *dbdir,
    char *const *urls, size_t n, uint64_t journal_max, const void *psl,
    char *err, size_t errsz);

/** Stop the senders, close the journals (what is in them stays), free
 * \p s (NULL: nothing). */
void rvd_sinks_close(struct rvd_sinks *s);

/** A flush attempt begins in \p txn: forget the rows of any earlier one. */
void rvd_sinks_begin(struct rvd_sinks *s, struct rv_store *st,
    struct rv_txn *txn, uint32_t now);

/** The attempt writes the delta (k, v) into \p db (LMDB encodings). */
int rvd_sinks_row(struct rvd_sinks *s, enum rv_db db, const void *k,
    size_t klen, const void *v, size_t vlen);

/**
 * The attempt committed: its rows as one batch into every sink's
 * journal, and the senders woken. \return 0, or the journal's error
 * (RV_EIO, RV_ENOSPC: the batch is not in that sink's journal; logged).
 */
int rvd_sinks_commit(struct rvd_sinks *s);

/** The flush's tap (flush.h) that feeds these sinks. */
void rvd_sinks_tap(struct rvd_sinks *s, struct rvd_flush_tap *tap);

#endif
