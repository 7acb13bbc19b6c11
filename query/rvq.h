/**
 * \file rvq.h
 * The query engine: a query in, rows out through a callback, errors
 * returned with a message meant for a person. It prints nothing and keeps
 * no globals, so every front end (the CLI, the HTTP service) asks the same
 * code the same questions.
 *
 * A caller opens a database (rvq_db_open, rvq_db.h), fills a struct
 * rvq_filter, checks a query's argument with rvq_prepare (a bad argument
 * is RV_EINVAL with the message saying what is wrong), learns the order
 * its rows will come in (q.order: a caller that wants that order may
 * stream them and stop early) and runs it with rvq_exec, once or more.
 *
 * Arguments are what analysts type, DNSDB's forms included: NAME,
 * *.NAME, NAME.*, NAME/TYPE[/BAILIWICK] (lookup), NAME/TYPE (rdata name),
 * ADDR, CIDR, FROM-TO or ADDR,LEN (rdata ip), HEX/TYPE (rdata raw);
 * rvq_path reads dnsdbq's batch lines and the DNSDB API's paths.
 *
 * Lifetime: rows given to the callback point into the store's memory or
 * the engine's buffers and die when the callback returns (rvq_row_copy
 * keeps one). A prepared query owns its buffers until rvq_query_free; it
 * points at its filter and its argument, which must outlive it, and into
 * itself: do not copy one.
 */
#ifndef RVQ_H
#define RVQ_H

#include <stddef.h>
#include <stdint.h>

#include "rv_ip.h"
#include "rv_name.h"
#include "rvq_db.h"
#include "rvq_row.h"

/** The types a history shows unless asked for others: what a name
 * resolved to. */
#define RVQ_HISTORY_TYPES "A,AAAA,CNAME"

/** Most -t types in one query. */
#define RVQ_TYPES_MAX 32

/**
 * A time fence: a record [first, last] matches when
 * first_after <= first <= first_before and last_after <= last <= last_before
 * (all inclusive). Unset bounds are INT64_MIN / INT64_MAX.
 */
struct rvq_fence {
	int64_t first_after, first_before;
	int64_t last_after, last_before;
};

/** A fence with no bound set. */
void rvq_fence_init(struct rvq_fence *f);

/** Does [first, last] pass the fence? */
int rvq_fence_match(const struct rvq_fence *f, int64_t first, int64_t last);

/**
 * Tighten \p f with a window [after, before] (INT64_MIN/MAX when open):
 * overlap (record seen at some time in the window: last >= after,
 * first <= before), or with \p complete the whole span inside it
 * (first >= after, last <= before), as dnsdbq's -A, -B and -c.
 */
void rvq_fence_window(struct rvq_fence *f, int64_t after, int64_t before,
    int complete);

/** Tighten one bound: a lower bound (*_after) only rises, an upper one
 * (*_before) only falls. */
void rvq_fence_raise(int64_t *lower, int64_t v);
void rvq_fence_lower(int64_t *upper, int64_t v);

/** Is any bound of the fence set? */
int rvq_fence_active(const struct rvq_fence *f);

/**
 * Parse a type list ("A,AAAA,ns", "ANY", "ANY-DNSSEC") into types; ANY
 * gives *n = 0 (no filter), ANY-DNSSEC the DNSSEC types.
 * \param types	RVQ_TYPES_MAX entries
 * \return 0, RV_EINVAL naming nothing (the caller says what), RV_ETOOBIG.
 */
int rvq_types_parse(const char *s, uint16_t *types, unsigned *n);

/** A message for a person about a failed call ("" when there is none). */
struct rvq_err {
	char msg[512];
};

/** Set err's message (err may be NULL). */
void rvq_errf(struct rvq_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * Parse a name argument: IDN to A-labels, then wire form (lowercase).
 * Recognises "*.NAME" (*wild = 1) and "NAME.*" (*wild = 2; wire then
 * holds the leading labels).
 * \param wire	RV_NAME_MAX octets
 * \return 0, or RV_EINVAL with err saying what is wrong with arg.
 */
int rvq_name_arg(const char *arg, uint8_t *wire, size_t *len, int *wild,
    struct rvq_err *err);

/**
 * Parse a zone name (--bailiwick) into wire form, lowercase.
 * \return 0, or RV_EINVAL.
 */
int rvq_zone_arg(const char *arg, uint8_t *wire, size_t *len);

/** What a query asks. */
enum rvq_kind {
	RVQ_LOOKUP = 0,		/**< RRsets of NAME, *.NAME or NAME.* */
	RVQ_RDATA_IP,		/**< names on an address, CIDR or range */
	RVQ_RDATA_NAME,		/**< names pointing at NAME, *.NAME, NAME.* */
	RVQ_RDATA_RAW,		/**< names with this rdata (hex) */
	RVQ_ASN,		/**< addresses seen in an AS, names on them */
	RVQ_SUBDOMAINS		/**< distinct names below a domain */
};

/** The order rows come in. */
enum rvq_order {
	RVQ_ORDER_NONE = 0,	/**< none a caller can use */
	RVQ_ORDER_NAME,		/**< owner names in canonical order */
	RVQ_ORDER_DATA		/**< rdata in index order (addresses,
				 * target names) */
};

/** The filters every query applies to its rows. */
struct rvq_filter {
	uint16_t types[RVQ_TYPES_MAX];
	unsigned ntypes;		/**< 0: any type */
	uint8_t zone[RV_NAME_MAX];	/**< bailiwick, wire lowercase */
	size_t zone_len;		/**< 0: any bailiwick */
	int sensor_set;			/**< only rows this sensor saw */
	uint16_t sensor_id;		/**< UINT16_MAX: a sensor never seen */
	struct rvq_fence fence;
	int join;	/**< give reverse-index rows the sensors and bailiwick
			 * of their RRsets (a lookup each; always done when
			 * zone or sensor filter them) */
	const struct rv_iprange *sub_ip;	/**< RVQ_SUBDOMAINS: only
						 * names on these addresses */
	int negative;		/**< RVQ_LOOKUP: the negative answers
				 * (NXDOMAIN, NODATA) instead of RRsets */
};

/** A filter that lets every row through. */
void rvq_filter_init(struct rvq_filter *f);

/** Does the row pass the type, time, bailiwick and sensor filters? */
int rvq_filter_pass(const struct rvq_filter *f, const struct rvq_row *r);

/** Totals of a query's rows (summarize). */
struct rvq_summary {
	uint64_t results;	/**< rows */
	uint64_t count;		/**< sum of counts */
	uint32_t first, last;	/**< min first, max last (0 when no rows) */
};

/** Add a row to the totals. */
void rvq_summary_add(struct rvq_summary *m, const struct rvq_row *r);

/** A checked query, ready to run. */
struct rvq_query {
	enum rvq_kind kind;
	enum rvq_order order;		/**< the order rows will come in */
	const struct rvq_filter *f;
	const char *arg;		/**< as given, for messages */
	uint8_t name[RV_NAME_MAX];	/**< a name query's name */
	size_t name_len;
	int wild;			/**< 1: *.NAME, 2: NAME.* */
	struct rv_iprange range;	/**< RVQ_RDATA_IP */
	uint32_t asn;			/**< RVQ_ASN */
	uint8_t *raw;			/**< RVQ_RDATA_RAW, owned */
	size_t raw_len;
	struct rvq_filter own;		/**< f, with the type and bailiwick
					 * of "NAME/TYPE/BAILIWICK" */
};

/**
 * Check \p arg for a query of \p kind and fill \p q.
 * \return 0; RV_EINVAL with err saying what is wrong with arg (a usage
 *	error); RV_ENOMEM.
 */
int rvq_prepare(struct rvq_query *q, enum rvq_kind kind, const char *arg,
    const struct rvq_filter *f, struct rvq_err *err);

/**
 * A DNSDB-style query path: "rrset/name/NAME[/TYPE[/BAILIWICK]]",
 * "rdata/name/NAME[/TYPE]", "rdata/ip/ADDR[,LEN]", "rdata/raw/HEX[/TYPE]"
 * (dnsdbq's batch lines; the DNSDB API's lookup paths).
 * \return 1 with *kind and *rest (the argument for rvq_prepare, inside
 *	path), or 0 when path is none of these.
 */
int rvq_path(const char *path, enum rvq_kind *kind, const char **rest);

/** Free what rvq_prepare allocated; safe twice. */
void rvq_query_free(struct rvq_query *q);

/**
 * The consumer of rows. \return 0 to go on, RV_ENOENT to stop the query
 * (it then ends with 0), or an error to end it with.
 */
typedef int (*rvq_row_fn)(void *arg, const struct rvq_row *r);

/**
 * Run a prepared query in the database's read transaction, giving each
 * row that passes the filter to \p fn.
 * \return 0 (rows or none); the callback's error (err->msg then empty);
 *	RV_EINVAL when the argument cannot be asked after all (a name too
 *	long for a key: a usage error); RV_ENOTSUP when the database cannot
 *	answer it; or an error of the store; err says what.
 */
int rvq_exec(struct rvq_db *db, const struct rvq_query *q, rvq_row_fn fn,
    void *arg, struct rvq_err *err);

/**
 * Where a paused query stopped, to go on from there in a new read
 * transaction: a long stream then never holds one snapshot (and with it
 * rearviewd's free pages) for its whole length.
 */
struct rvq_resume {
	int set;		/**< in: go on after this point */
	int paused;		/**< out: stopped at a row boundary; go on */
	unsigned scan;		/**< which of the query's top-level scans */
	struct rv_key after;	/**< its last key done */
};

/** Pause at the next boundary? (Asked after each top-level row.) */
typedef int (*rvq_pause_fn)(void *arg);

/** Can this query pause and resume? (All but subdomains, whose rows
 * gather several of the store's.) */
int rvq_resumable(const struct rvq_query *q);

/**
 * rvq_exec that stops, once \p pause says so, at the next boundary
 * between the rows of its top-level scans (all of a wildcard name's, an
 * AS address's rows are given before), with res->paused and the point
 * in res; called again with res (and res->set) in another transaction it
 * gives the rows after that point, none twice, none missed.
 * \return as rvq_exec; RV_ENOTSUP for a query that cannot resume.
 */
int rvq_exec_resumable(struct rvq_db *db, const struct rvq_query *q,
    rvq_row_fn fn, void *arg, rvq_pause_fn pause, void *pause_arg,
    struct rvq_resume *res, struct rvq_err *err);

#endif
