/**
 * \file report.h
 * `rearview report fastflux|tunnel`: the pieces of the report
 * family and how they fit.
 *
 *  - report.c: the subcommands, their options, the exit status;
 *  - report_scan.c: one pass over the rrset and neg databases in key order
 *    (both start with NK(owner), so a name's RRsets and negative answers
 *    are merged by name), in short read-only transactions of at most
 *    REPORT_CHUNK records, feeding the pure feature code (report_feat.h)
 *    through its fast-flux and tunnelling sides (report_scan_ff.c,
 *    report_scan_tun.c; shared state in report_scan.h);
 *  - report_out.c: table, json and csv on stdout;
 *  - report_html.c: --out DIR, the dated JSON file and the HTML page with
 *    one inline-SVG chart per flagged name.
 *
 * Ownership: struct report owns its rows and everything they point at;
 * free it with report_free() (safe on a zeroed struct).
 */
#ifndef RV_CLI_REPORT_H
#define RV_CLI_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "rvq_db.h"
#include "opts.h"
#include "report_feat.h"

/** Records read per read-only transaction before it is renewed. */
#define REPORT_CHUNK 65536

/** Example names kept per tunnel row. */
#define REPORT_SAMPLES 3

/** Which report(s) a scan computes. */
enum report_kind {
	REPORT_FF = 1,		/**< fast flux */
	REPORT_TUN = 2		/**< DNS tunnelling */
};

/** Options of one report run. */
struct report_cfg {
	unsigned kinds;		/**< REPORT_FF | REPORT_TUN */
	struct rv_window win;
	int all;		/**< keep unflagged candidates too */
	struct rv_allow allow;
	struct ff_params ff;
	struct tun_params tun;
	void *psl;		/**< psl_ctx_t, for REPORT_TUN */
	uint64_t chunk;		/**< records per read transaction */
	uint64_t keep;		/**< rows kept (the best), 0 = all */
};

/** One fast-flux row, with its RRsets for the chart. */
struct report_ff {
	uint8_t owner[RV_NAME_MAX];
	size_t owner_len;
	uint8_t zone[RV_NAME_MAX];	/**< its bailiwick, for nNS */
	size_t zone_len;		/**< 0: unknown */
	struct ff_result r;
	struct ff_rrset *rr;	/**< NULL unless flagged */
	size_t nrr;
	struct ff_addr *addr;
	size_t naddr;
};

/** One tunnel row. */
struct report_tun {
	uint8_t domain[RV_NAME_MAX];
	size_t domain_len;
	struct tun_result r;
	uint32_t last;		/**< latest last seen in the window */
	char *sample[REPORT_SAMPLES];	/**< example names (text), or NULL */
};

/** The result of a scan. */
struct report {
	struct rv_window win;
	int64_t generated;	/**< when the scan ran */
	struct report_ff *ff;
	size_t nff, capff;
	struct report_tun *tun;
	size_t ntun, captun;
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
 * renewed every cfg->chunk records (REPORT_CHUNK when 0) at a name
 * boundary, so a long report never pins old pages for long.
 * \return 0, or an rv_err code (printed by the caller).
 */
int report_scan(struct rvq_db *db, const struct report_cfg *cfg,
    struct report *rep);

/** Free the rows. */
void report_free(struct report *rep);

/**
 * Print the rows of one kind on fp in fmt (table, json or csv), skipping
 * \p offset and at most \p limit rows (0: all).
 * \return 0, RV_EIO.
 */
int report_print(FILE *fp, enum cli_fmt fmt, enum report_kind kind,
    const struct report *rep, const struct report_cfg *cfg,
    uint64_t offset, uint64_t limit);

/**
 * Write DIR/rearview-<kind>-YYYY-MM-DD.json and .html (the date of the
 * window's end, UTC), each through a temporary file and rename, so a
 * reader never sees half a report. \p path gets the HTML path.
 * \return 0, RV_EIO (errno set), RV_ENOMEM.
 */
int report_write_dir(const char *dir, enum report_kind kind,
    const struct report *rep, const struct report_cfg *cfg, char *path,
    size_t pathsz);

/** Write the whole report of one kind as one JSON document. */
int report_json_doc(FILE *fp, enum report_kind kind,
    const struct report *rep, const struct report_cfg *cfg);

#endif
