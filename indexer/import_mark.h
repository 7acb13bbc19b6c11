/**
 * \file import_mark.h
 * An import's content, recognised: `rearviewd --import` of the same file
 * twice (an NDJSON export or a dnstap capture) must not add its counts
 * twice. The file is fingerprinted before it is read, skipped if the
 * database has its mark, and marked once all of it is committed.
 */
#ifndef RVD_IMPORT_MARK_H
#define RVD_IMPORT_MARK_H

#include <stdint.h>
#include <stdio.h>

#include "rv_store.h"

/**
 * A 128-bit fingerprint of everything \p f holds from where it is; \p f
 * is rewound after. Two 64-bit hashes (FNV-1a, and a multiply-rotate),
 * so that the same export imported twice is recognised: only an accident
 * is guarded against, not an adversary. \return 0, or -1 (errno).
 */
int rvd_import_fingerprint(FILE *f, uint8_t fp[RV_IMPORT_FP_LEN]);

/** Was content with this fingerprint imported before? Then say when (as
 * a notice naming \p name) and return 1; else 0. */
int rvd_import_taken_before(struct rv_store *st, const char *name,
    const uint8_t fp[RV_IMPORT_FP_LEN]);

/** Mark the content imported now, with its \p records, in a write
 * transaction of its own; a failure is logged, naming \p name.
 * \return RV_OK, or the store's error. */
int rvd_import_mark(struct rv_store *st, const char *name,
    const uint8_t fp[RV_IMPORT_FP_LEN], uint64_t records);

#endif
