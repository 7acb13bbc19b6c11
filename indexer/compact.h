/**
 * \file compact.h
 * rearviewd's online compaction of data.mdb (store/rv_store_compact.c):
 * every --compact-every the flusher measures the file against its pages
 * in use and, past --compact-above, replaces it by a compacted copy
 * between two flushes. SIGUSR2 compacts at the next flush.
 */
#ifndef RVD_COMPACT_H
#define RVD_COMPACT_H

#include <stdint.h>

#include "rvd.h"

/** The flusher's compaction state (its own; no lock). */
struct rvd_compacting {
	int64_t next;		/**< when the file is measured next (ms) */
};

/** Set up: the first measurement one --compact-every after the start. */
void rvd_compact_init(struct rvd *d, struct rvd_compacting *c,
    int64_t now_ms);

/**
 * After a flush, with no transaction open: measure when due, compact when
 * the file has grown past the ratio (or SIGUSR2 asked). Receiving goes on
 * meanwhile; flushes wait for the copy. Logs what it did.
 * \return 0, or RV_ECORRUPT when the store is unusable afterwards (the
 * caller exits as for a damaged database).
 */
int rvd_compact_step(struct rvd *d, struct rvd_compacting *c, int64_t now_ms);

#endif
