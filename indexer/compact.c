/**
 * \file compact.c
 * When rearviewd compacts data.mdb (compact.h). The work is the store's
 * (rv_store_compact); here: when, whether the disk has room, and the log.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#include "compact.h"
#include "log.h"
#include "rv_err.h"
#include "rv_store.h"

/* Below this much reclaimable space a compaction is not worth its copy. */
#define COMPACT_MIN_GAIN ((uint64_t)64 << 20)

void
rvd_compact_init(struct rvd *d, struct rvd_compacting *c, int64_t now_ms)
{
	c->next = now_ms + (int64_t)d->cfg.compact_every_s * 1000;
}

/* data.mdb's size and the pages in use, now. */
static int
measure(struct rvd *d, uint64_t *file, uint64_t *used)
{
	char path[4200];
	struct rv_store_space sp;
	struct rv_txn *txn;
	struct stat sb;
	int rc;

	snprintf(path, sizeof(path), "%s/data.mdb", d->cfg.db);
	if (stat(path, &sb) != 0)
		return RV_EIO;
	*file = (uint64_t)sb.st_size;
	if ((rc = rv_store_read_begin(d->st, &txn)) != RV_OK)
		return rc;
	rc = rv_store_space(d->st, txn, &sp);
	rv_txn_abort(txn);
	*used = sp.used_bytes;
	return rc;
}

int
rvd_compact_step(struct rvd *d, struct rvd_compacting *c, int64_t now_ms)
{
	struct rv_compact_result r;
	uint64_t file = 0, used = 0, avail = 0;
	int asked = atomic_exchange(&d->compact_now, 0), rc;

	if (!asked && (d->cfg.compact_above == 0 || now_ms < c->next))
		return RV_OK;
	c->next = now_ms + (int64_t)d->cfg.compact_every_s * 1000;
	if ((rc = measure(d, &file, &used)) != RV_OK) {
		rvd_log(LOG_ERR, "compact: measuring data.mdb: %s",
		    rv_strerror(rc));
		return RV_OK;
	}
	if (!asked && ((double)file <= d->cfg.compact_above * (double)used ||
	    file - used < COMPACT_MIN_GAIN)) {
		rvd_log(LOG_DEBUG, "compact: not needed: data.mdb %" PRIu64
		    " octets, %" PRIu64 " in use", file, used);
		return RV_OK;
	}
	if (rv_store_disk_free(d->st, &avail) == RV_OK &&
	    avail < used + COMPACT_MIN_GAIN) {
		rvd_log(LOG_WARNING, "compact: not enough free disk for a "
		    "copy of the %" PRIu64 " octets in use (%" PRIu64 " free);"
		    " data.mdb stays at %" PRIu64 " octets", used, avail, file);
		return RV_OK;
	}
	rc = rv_store_compact(d->st, &r);
	if (rc != RV_OK && !r.swapped) {
		rvd_log(LOG_ERR, "compact: %s%s%s; data.mdb unchanged",
		    rv_strerror(rc), rv_store_why(d->st) ? ": " : "",
		    rv_store_why(d->st) ? rv_store_why(d->st) : "");
		return RV_OK;
	}
	if (rc != RV_OK) {
		rvd_log(LOG_ERR, "compact: data.mdb was replaced by its "
		    "compacted copy, which could not be opened: %s",
		    rv_strerror(rc));
		return RV_ECORRUPT;
	}
	rvd_log(LOG_INFO, "compact: data.mdb %" PRIu64 " -> %" PRIu64
	    " octets%s; flushes waited %" PRId64 " ms", r.before, r.after,
	    asked ? " (SIGUSR2)" : "", r.ms);
	return RV_OK;
}
