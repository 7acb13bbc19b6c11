/**
 * \file rvq_newdom.h
 * Newly observed registered domains (`rearview report newdomains`): the
 * registered domains whose first sighting anywhere in the database falls
 * in a window, from the store's registered-domain index (one range scan of
 * its time rows), each confirmed and described by one prefix scan of its
 * RRsets: the first names seen under it, their addresses with ASN and
 * country at observation time, its name servers and its smallest TTL.
 *
 * Ownership: struct rvq_newdom_result owns its rows; free it with
 * rvq_newdom_free() (safe on a zeroed struct). Rows hold names as text.
 */
#ifndef RVQ_NEWDOM_H
#define RVQ_NEWDOM_H

#include <stddef.h>
#include <stdint.h>

#include "rv_ip.h"
#include "rv_name.h"
#include "rvq_db.h"
#include "rvq_report_feat.h"

#define RVQ_ND_NAMES 5		/**< first names kept per domain */
#define RVQ_ND_ADDRS 8		/**< addresses kept per domain */
#define RVQ_ND_NS 4		/**< name servers kept per domain */
/** RRsets read per domain at most: a domain with more is described by
 * its first ones (truncated set) and never confirmed older than it is. */
#define RVQ_ND_SCAN_MAX 20000

/** One name under a new domain. */
struct rvq_nd_name {
	char text[RV_NAME_STR_MAX];
	uint32_t first;
};

/** One address seen under a new domain, enriched at its first sighting. */
struct rvq_nd_addr {
	struct rv_ip ip;
	uint32_t first;
	uint32_t asn;		/**< 0: unknown */
	char cc[3];		/**< "" unknown */
};

/** One newly observed registered domain. */
struct rvq_newdom {
	char domain[RV_NAME_STR_MAX];	/**< presentation, no final dot */
	uint8_t wire[RV_NAME_MAX];
	size_t wlen;
	uint32_t first, last;	/**< over its RRsets */
	uint64_t rrsets;	/**< RRsets read under it */
	int truncated;		/**< more than RVQ_ND_SCAN_MAX */
	uint32_t ttl_min;	/**< smallest TTL, 0 unknown */
	struct rvq_nd_name name[RVQ_ND_NAMES];	/**< earliest first */
	unsigned nname;
	uint64_t names;		/**< distinct owner names under it */
	struct rvq_nd_addr addr[RVQ_ND_ADDRS];
	unsigned naddr;
	char ns[RVQ_ND_NS][RV_NAME_STR_MAX];
	unsigned nns;
};

/** The result of one scan. */
struct rvq_newdom_result {
	struct rvq_window win;
	uint32_t index_since;	/**< when the index began (regdom_since) */
	uint32_t observing_since;	/**< the earliest first sighting the
					 * index holds (0: empty) */
	struct rvq_newdom *row;
	size_t n, cap;
	uint64_t candidates;	/**< index rows in the window */
	uint64_t older;		/**< of them, found older by their RRsets */
	double seconds;
};

/**
 * Fill \p out with the registered domains first seen in \p win, earliest
 * first; at most \p max rows when max is not 0 (candidates still counted).
 * \return 0, RV_ENOENT (the database has no registered-domain index: no
 *	rearviewd of this version has written it), or an rv_err code.
 */
int rvq_newdom_scan(struct rvq_db *db, const struct rvq_window *win,
    size_t max, struct rvq_newdom_result *out);

/** The earliest first sighting the index holds (0: none): how long the
 * database has been observing registered domains. \return 0 or an error. */
int rvq_newdom_observing(struct rvq_db *db, uint32_t *t);

/**
 * Is the registered domain \p reg (wire) first seen in \p win: its index
 * row says so, and none of its RRsets (RVQ_ND_SCAN_MAX read at most) is
 * older? \return 1 new, 0 not (or no index), < 0 an rv_err code.
 */
int rvq_newdom_is_new(struct rvq_db *db, const uint8_t *reg, size_t len,
    const struct rvq_window *win);

/** Free the rows. */
void rvq_newdom_free(struct rvq_newdom_result *r);

#endif
