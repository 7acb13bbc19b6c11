/**
 * \file sink_send.h
 * The sender of one ClickHouse sink (issue #22): a thread that takes the
 * oldest batch of the sink's journal (journal.h), posts each of its parts
 * to ClickHouse's HTTP interface and acknowledges the batch once every
 * part is in. A ClickHouse outage or restart only delays: the batch is
 * posted again, with a growing pause, until it goes in.
 *
 * A batch (sink_batch.h: the store's rows as the flush wrote them) is
 * encoded here, off the flush, into its parts: each table with rows, in
 * the order of enum rv_db, as RowBinary rows for `INSERT INTO
 * DB.TABLE_ingest`. A batch that does not parse, or has a row that does
 * not encode, is dropped and counted (corrupt_batches) before any part of
 * it is posted. The encoded batch and the compressed part being posted
 * are kept until they are in, so retries do not repeat the work.
 * A part is posted gzip-compressed as one block (max_insert_block_size),
 * so it goes into a table whole or not at all. Into a cluster's
 * Distributed table the insert is synchronous (insert_distributed_sync):
 * an answer of 200 means every shard has its rows. It fails while a
 * shard is down, and the journal holds the batch until it is back; a
 * failure after some shards took their rows makes the part's second post
 * count those rows twice. (ClickHouse 18.16's asynchronous distributed
 * insert, which never counts twice, lost rows in the e2e test: its queue
 * moved a block to "broken" when the shard died while taking it.)
 * The parts already in
 * are remembered in the journal's directory (file `progress`: the batch
 * number and how many parts are in, fsynced), so a batch interrupted by
 * an outage or a restart of rearviewd does not insert a part twice; only
 * a part whose answer was lost (ClickHouse took it, the connection broke
 * before the 200) can go in twice, and then only its counts are summed
 * twice (first, last, TTL range and sensors are idempotent).
 *
 * What `rearview stats` shows of the sink is in the journal's directory
 * too (file `state`, rewritten after each attempt: store/rv_ch_sink.h).
 *
 * Thread-safety: start/stop/kick from one thread (rearviewd's flusher);
 * the journal is shared with the appender as journal.h allows.
 */
#ifndef RVD_SINK_SEND_H
#define RVD_SINK_SEND_H

#include <stdint.h>

#include "journal.h"
#include "rv_ch.h"

struct rvd_sink_sender;

/**
 * Start the sender of journal \p j (opened on \p dir) towards \p u,
 * with \p psl (a psl_ctx_t; NULL: the built-in list) for the registered
 * domains. \return 0, RV_ENOMEM, RV_EIO (no thread).
 */
int rvd_sink_sender_start(const struct rv_ch_url *u, struct rvd_journal *j,
    const char *dir, const void *psl, struct rvd_sink_sender **out);

/** A batch was appended: wake the sender if it waits for one. */
void rvd_sink_sender_kick(struct rvd_sink_sender *s);

/**
 * Stop: an attempt under way is finished or abandoned within a few
 * seconds; what is not acknowledged stays in the journal. NULL is fine.
 */
void rvd_sink_sender_stop(struct rvd_sink_sender *s);

#endif
