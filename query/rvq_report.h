/**
 * \file rvq_report.h
 * The computation of the fast-flux and DNS-tunnelling reports: one pass
 * over the rrset and neg databases in key order (both start with
 * NK(owner), so a name's RRsets and negative answers are merged by name),
 * in short read-only transactions of at most RVQ_REPORT_CHUNK records,
 * feeding the pure feature code (rvq_report_feat.h) through its fast-flux
 * and tunnelling sides (report_scan_ff.c, report_scan_tun.c; shared state
 * in report_scan.h). The CLI prints the result (cli/report_out.c,
 * cli/report_html.c); the HTTP service will serve it.
 *
 * Ownership: struct rvq_report owns its rows and everything they point
 * at; free it with rvq_report_free() (safe on a zeroed struct).
 */
#ifndef RVQ_REPORT_H
#define RVQ_REPORT_H

#include <stdint.h>

#include "rvq_db.h"
#include "rvq_phish.h"
#include "rvq_report_feat.h"

/** Records read per read-only transaction before it is renewed. */
#define RVQ_REPORT_CHUNK 65536

/** Example names kept per tunnel row. */
#define RVQ_REPORT_SAMPLES 3

/** Which report(s) a scan computes. */
enum rvq_report_kind {
	RVQ_REPORT_FF = 1,		/**< fast flux */
	RVQ_REPORT_TUN = 2,		/**< DNS tunnelling */
	RVQ_REPORT_PHISH = 4		/**< phishing and lookalikes (with
					 * FF and TUN for their flags) */
};

/** Addresses kept per phishing row (for shared hosting). */
#define RVQ_REPORT_PH_ADDRS 4

/** Options of one report run. */
struct rvq_report_cfg {
	unsigned kinds;		/**< RVQ_REPORT_FF | RVQ_REPORT_TUN */
	struct rvq_window win;
	int all;		/**< keep unflagged candidates too */
	struct rvq_allow allow;
	struct rvq_ff_params ff;
	struct rvq_tun_params tun;
	void *psl;		/**< psl_ctx_t, for RVQ_REPORT_TUN and PHISH */
	const struct rvq_phish *phish;	/**< for RVQ_REPORT_PHISH */
	const uint8_t *prefix;	/**< only names at or below this wire name
				 * (NULL: all), as `rearview verdict` asks */
	size_t prefix_len;
	uint64_t chunk;		/**< records per read transaction */
	uint64_t keep;		/**< rows kept (the best), 0 = all */
};

/** One fast-flux row, with its RRsets for the chart. */
struct rvq_report_ff {
	uint8_t owner[RV_NAME_MAX];
	size_t owner_len;
	uint8_t zone[RV_NAME_MAX];	/**< its bailiwick, for nNS */
	size_t zone_len;		/**< 0: unknown */
	struct rvq_ff_result r;
	struct rvq_ff_rrset *rr;	/**< NULL unless flagged */
	size_t nrr;
	struct rvq_ff_addr *addr;
	size_t naddr;
};

/** One tunnel row. */
struct rvq_report_tun {
	uint8_t domain[RV_NAME_MAX];
	size_t domain_len;
	struct rvq_tun_result r;
	uint32_t last;		/**< latest last seen in the window */
	char *sample[RVQ_REPORT_SAMPLES];	/**< example names (text), or
						 * NULL */
};

/** One phishing row: a name seen in the window with a brand, keyword or
 * structure reason, and its verdict. */
struct rvq_report_phish {
	char name[RVQ_PHISH_DOMAIN_MAX];	/**< presentation, no dot */
	char regdom[RVQ_PHISH_DOMAIN_MAX];	/**< its registered domain */
	uint32_t first, last;	/**< over its RRsets in the window */
	struct rvq_phish_in in;	/**< the signals it was judged on (name and
				 * regdom point into this row) */
	struct rv_ip addr[RVQ_REPORT_PH_ADDRS];
	unsigned naddr;
	struct rvq_phish_out out;
};

/** The result of a scan. */
struct rvq_report {
	struct rvq_window win;
	int64_t generated;	/**< when the scan ran */
	struct rvq_report_ff *ff;
	size_t nff, capff;
	struct rvq_report_tun *tun;
	size_t ntun, captun;
	struct rvq_report_phish *ph;
	size_t nph, capph;
	uint64_t ph_flagged, ph_candidates, ph_block;
	uint32_t regdom_since;	/**< when the index of first sightings
				 * began (0: none; is_new is then never
				 * set) */
	uint32_t observing_since;	/**< the earliest first sighting
					 * indexed (rvq_newdom_observing) */
	uint64_t ff_flagged, ff_candidates;
	uint64_t tun_flagged, tun_candidates;
	uint64_t records;	/**< rrset + neg records read */
	uint64_t txns;		/**< read transactions used */
	double seconds;		/**< scan time */
};

/**
 * Scan the database and fill \p rep with the candidates of the kinds in
 * cfg (flagged ones, or all with cfg->all), ranked: flagged first, then by
 * score; only the best cfg->keep rows of each kind when it is not 0 (the
 * counts still cover every candidate). The read transaction of \p db is
 * renewed every cfg->chunk records (RVQ_REPORT_CHUNK when 0) at a name
 * boundary, so a long report never pins old pages for long.
 * \return 0, or an rv_err code.
 */
int rvq_report_scan(struct rvq_db *db, const struct rvq_report_cfg *cfg,
    struct rvq_report *rep);

struct sb;

/** A row as one JSON object (no newline), ranked from 1. */
void rvq_report_ff_json(struct sb *b, const struct rvq_report_ff *f,
    uint64_t rank);
void rvq_report_tun_json(struct sb *b, const struct rvq_report_tun *t,
    uint64_t rank);
void rvq_report_phish_json(struct sb *b, const struct rvq_report_phish *p,
    uint64_t rank);
/** A judgement's reasons as a JSON array. */
void rvq_phish_reasons_json(struct sb *b, const struct rvq_phish_out *o);

/** Free the rows. */
void rvq_report_free(struct rvq_report *rep);

#endif
