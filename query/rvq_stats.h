/**
 * \file rvq_stats.h
 * What a database holds and how it was fed: size, counters, rows per
 * index, the last write and each sensor's accounting (lib/FRAME.md),
 * walked once for every front end (`rearview stats`, the service's
 * /api/v1/stats), which only format them.
 */
#ifndef RVQ_STATS_H
#define RVQ_STATS_H

#include <stdint.h>

#include "rvq_db.h"

enum rvq_stat_kind {
	RVQ_STAT_NUM,	/**< num */
	RVQ_STAT_STR,	/**< str */
	RVQ_STAT_TIME	/**< num: epoch seconds, 0 for never */
};

/** One figure: key as "rows:rrset", "sensor:NAME:lost" and the like. */
typedef void (*rvq_stat_fn)(void *arg, const char *key,
    enum rvq_stat_kind kind, uint64_t num, const char *str);

/**
 * Give every figure of \p db to \p fn, in a fixed order.
 * \return 0, or an error of the store.
 */
int rvq_stats(struct rvq_db *db, rvq_stat_fn fn, void *arg);

#endif
