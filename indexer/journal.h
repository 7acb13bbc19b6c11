/**
 * \file journal.h
 * A durable, bounded queue of batches on disk, for rearviewd's sinks
 * (issue #22: ClickHouse): the flusher appends what one committed flush
 * sends to a sink as one batch; the sink's sender takes the oldest, sends
 * it, and acknowledges it once the other side has it. A ClickHouse outage
 * or a restart of rearviewd loses nothing that was appended.
 *
 * On disk, in the journal's own directory: one file per batch,
 * `%016llx.b` named by its number (increasing from 1, never reused),
 * written whole (rv_file_replace: `%016llx.b.tmp`, fsynced, renamed,
 * the directory fsynced): a batch is in the journal whole or not at all
 * (a killed append leaves a .tmp file, which the next open removes). `dropped`
 * holds the batches and octets dropped so far (two u64, big-endian).
 *
 * When the batches hold more than the bound, the oldest are dropped
 * (removed and counted) until they fit; the newest is always kept.
 *
 * Thread-safety: one appender and one sender may share a journal.
 * Ownership: the journal owns its directory's batch files; peek returns a
 * copy the caller frees.
 */
#ifndef RVD_JOURNAL_H
#define RVD_JOURNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct rvd_journal;

/** What a journal holds and has dropped (for `rearview stats`). */
struct rvd_journal_stats {
	uint64_t batches;	/**< waiting */
	uint64_t bytes;		/**< their octets */
	uint64_t next_seq;	/**< the number the next batch gets */
	uint64_t dropped_batches; /**< dropped at the bound, ever */
	uint64_t dropped_bytes;
};

/**
 * Open (creating it, mode 0750) the journal in \p dir, bounded to
 * \p max_bytes of batches. Removes a killed append's .tmp files.
 * \return 0, RV_EIO (errno set), RV_ENOMEM, RV_ECORRUPT (a `dropped`
 * file of the wrong size).
 */
int rvd_journal_open(const char *dir, uint64_t max_bytes,
    struct rvd_journal **out);

/** Close (NULL is fine). Batches stay on disk for the next open. */
void rvd_journal_close(struct rvd_journal *j);

/**
 * Append one batch (len > 0), durable when this returns. Then drops the
 * oldest batches past the bound.
 * \return 0, RV_EINVAL (len 0), RV_EIO/RV_ENOSPC (nothing appended).
 */
int rvd_journal_append(struct rvd_journal *j, const void *data, size_t len);

/** The same, the batch gathered from \p n pieces (at most 64; \p iov is
 * not changed). */
int rvd_journal_appendv(struct rvd_journal *j, const struct iovec *iov,
    int n);

/**
 * The oldest batch: its number in *seq and a malloc'ed copy of it in
 * *data (*len octets; the caller frees it).
 * \return 0, RV_ENOENT (empty), RV_ENOMEM, RV_EIO.
 */
int rvd_journal_peek(struct rvd_journal *j, uint64_t *seq, void **data,
    size_t *len);

/** The sequence number of the oldest batch. \return 0, RV_ENOENT (none). */
int rvd_journal_oldest(struct rvd_journal *j, uint64_t *seq);

/**
 * The other side has batch \p seq: remove it. A batch dropped meanwhile
 * (at the bound) is no error.
 * \return 0, RV_ESTATE (seq is not the oldest batch), RV_EIO.
 */
int rvd_journal_ack(struct rvd_journal *j, uint64_t seq);

/** The journal's figures now. */
void rvd_journal_stats(struct rvd_journal *j, struct rvd_journal_stats *st);

#endif
