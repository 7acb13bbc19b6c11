/**
 * \file rv_ch_sink.h
 * What a ClickHouse sink of rearviewd keeps in its directory beside the
 * database (DIR/sink-HOST_PORT_DB/, indexer/sink.h), read by rearviewd
 * and by `rearview stats`:
 *  - `%016llx.b`: the batches waiting (indexer/journal.h), each as
 *    indexer/sink_batch.h lays it out;
 *  - `dropped`: batches and octets dropped at the journal's bound, ever
 *    (two u64, big-endian);
 *  - `state`: the sender's figures, "key value" lines (below);
 *  - `progress`: the parts of the oldest batch already in ClickHouse.
 * Every file is replaced whole (rv_file_replace).
 */
#ifndef RV_CH_SINK_H
#define RV_CH_SINK_H

#include <stdint.h>

/** The sender's figures. */
struct rv_sink_state {
	uint64_t sent_batches, sent_parts, sent_rows, sent_bytes;
	uint64_t retries;	/**< failed posts, ever */
	uint64_t corrupt_batches;	/**< batches that did not parse:
					 * dropped */
	uint64_t last_ok;	/**< epoch seconds of the last part in, 0 never */
	uint64_t last_try;	/**< of the last attempt */
	char last_error[256];	/**< of the last failed attempt, "" none */
};

/** \return 0, RV_ENOENT (never written), RV_EIO, RV_ECORRUPT. */
int rv_sink_state_read(const char *dir, struct rv_sink_state *st);
/** \return as rv_file_replace. */
int rv_sink_state_write(const char *dir, const struct rv_sink_state *st);

/** \return 0 (zeros when never written), RV_EIO, RV_ECORRUPT. */
int rv_sink_dropped_read(const char *dir, uint64_t *batches,
    uint64_t *bytes);
int rv_sink_dropped_write(const char *dir, uint64_t batches, uint64_t bytes);

/** The parts of batch \p seq already in ClickHouse: 0 when `progress`
 * names another batch or is missing or damaged. */
unsigned rv_sink_progress_read(const char *dir, uint64_t seq);
/** \return as rv_file_replace. */
int rv_sink_progress_write(const char *dir, uint64_t seq, unsigned done);
/** The batch is acknowledged: its progress goes with it. */
void rv_sink_progress_clear(const char *dir);

/** A sink's directory at a glance (`rearview stats`). */
struct rv_sink_figures {
	uint64_t batches, bytes;	/**< waiting */
	uint64_t oldest;		/**< mtime of the oldest waiting, 0 none */
	uint64_t dropped_batches, dropped_bytes;
	struct rv_sink_state st;	/**< zeros when never written */
};

/** \return 0, RV_EIO (no such directory). */
int rv_sink_figures(const char *dir, struct rv_sink_figures *out);

#endif
