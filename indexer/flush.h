/**
 * \file flush.h
 * Writing one aggregation window into the store: the rrset and neg rows, the
 * reverse index (rdata), names, ip and asn rows, sensor statistics and the
 * meta counters, all in one write transaction.
 */
#ifndef RVD_FLUSH_H
#define RVD_FLUSH_H

#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "enrich.h"
#include "rv_store.h"

/** What a committed flush did. */
struct rvd_flush_result {
	uint64_t seq;		/**< stat:flushes after this flush */
	size_t entries;		/**< rrset + neg rows written */
	size_t rows;		/**< rdata, names, ip, asn rows written */
	uint64_t new_rrsets, new_negs, new_ips;
	uint64_t new_regdoms;	/**< registered domains new to the store */
	unsigned grows;		/**< map growths it needed */
};

/**
 * Write the table in one transaction (rv_store_write: when the map is
 * full, it is grown and the whole write redone). The table is not
 * changed, so on any error the caller may retry it later.
 * \param en	enrichment for new addresses, may be NULL
 * \param now	time for stat:last_write
 * \return 0, RV_ENOSPC (disk full: retry later), RV_ENOMEM, RV_EIO, ...
 */
int rvd_flush_write(struct rv_store *st, struct rvd_agg *a,
    struct rvd_enrich *en, uint32_t now, struct rvd_flush_result *res);

/**
 * Who else gets what a flush writes (rearviewd's ClickHouse sinks,
 * sink.h): begin at each attempt's start (an attempt run again starts
 * over), row for each delta the attempt writes (LMDB encodings, before
 * the merge), commit once the flush committed. The flush knows only
 * this, so the indexer's core builds without the sinks (the fuzzers).
 */
struct rvd_flush_tap {
	void (*begin)(void *arg, struct rv_store *st, struct rv_txn *txn,
	    uint32_t now);
	int (*row)(void *arg, enum rv_db db, const void *k, size_t klen,
	    const void *v, size_t vlen);
	int (*commit)(void *arg);
	void *arg;
};

/** The tap of every flush from now on (NULL: none); set it before the
 * first flush. The struct must live as long. */
void rvd_flush_set_tap(const struct rvd_flush_tap *tap);

/** The public suffix list (a psl_ctx_t) for the regdom index; the
 * system's (rv_psl_default) until set. Call before the first flush. */
void rvd_flush_set_psl(const void *psl);

/**
 * After the mmdb data changed: for every address whose current period's
 * enrichment differs from the new data, close the period (until = now) and
 * open a new one (since = now). Runs in transactions of a few thousand
 * addresses.
 * \param changed out: addresses that got a new period
 */
int rvd_flush_reenrich(struct rv_store *st, struct rvd_enrich *en, uint32_t now,
    size_t *changed);

#endif
