/**
 * \file exec.h
 * Inside the engine: the state of one running query, shared by the
 * files that run each kind (lookup.c, rdata.c, subdomains.c).
 */
#ifndef RVQ_EXEC_H
#define RVQ_EXEC_H

#include "rv_store.h"
#include "rvq.h"

struct rvq_ctx {
	struct rvq_db *db;
	const struct rvq_query *q;
	const struct rvq_filter *f;
	rvq_row_fn fn;
	void *arg;
	int stopped;		/**< fn asked to stop */
	int fn_failed;		/**< fn returned an error: rvq_exec's is
				 * fn's, which says nothing of the store */
	/* pausing (rvq_exec_resumable) */
	unsigned depth;		/**< scans open now */
	unsigned scan_no;	/**< top-level scans begun */
	struct rvq_resume *res;
	rvq_pause_fn pause;
	void *pause_arg;
};

/**
 * Give a row to the consumer as it is (no filter). \return 0 to go on,
 * RV_ENOENT to stop (the consumer's wish, noted in c->stopped), or the
 * consumer's error (noted in c->fn_failed).
 */
int rvq_give(struct rvq_ctx *c, const struct rvq_row *r);

/**
 * Filter a row and give it to the consumer, joining the sensors and
 * bailiwick of a reverse-index row when the filter asks. \return as
 * rvq_give, or a store error.
 */
int rvq_emit(struct rvq_ctx *c, const struct rvq_row *r);

/**
 * One scan of a database: rv_store_scan in the query's transaction,
 * turning a stop inside a nested scan into the outer scan's stop.
 */
int rvq_scan(struct rvq_ctx *c, enum rv_db db, const struct rv_key *lo,
    const struct rv_key *hi, rv_scan_fn fn, void *arg);

/**
 * A range scan of the rdata index over the addresses of \p r, and over
 * the IPv4 addresses an IPv4-mapped IPv6 range stands for.
 */
int rvq_scan_range(struct rvq_ctx *c, const struct rv_iprange *r,
    rv_scan_fn fn, void *arg);

/** Builds the prefix key of a database for one name (rv_key_rrset_name
 * and the like). */
typedef int (*rvq_name_key_fn)(struct rv_key *k, const uint8_t *name,
    size_t len);

/**
 * A right-hand wildcard (www.example.*): for every name of the names
 * index under the forward-order prefix \p pre (rv_key_names_prefix), scan
 * \p db over the prefix key \p key_of builds for that name and give its
 * rows to \p fn with \p arg.
 */
int rvq_names_scan(struct rvq_ctx *c, const struct rv_key *pre,
    enum rv_db db, rvq_name_key_fn key_of, rv_scan_fn fn, void *arg);

/**
 * "NAME/TYPE[/BAILIWICK]" (bailiwick allowed or not): the name into head
 * (empty when arg has no such suffix), the type and bailiwick into the
 * query's own filter. \return 0 or RV_EINVAL.
 */
int rvq_split_suffix(struct rvq_query *q, const char *arg, int bailiwick,
    char *head, size_t headsz, struct rvq_err *err);

/* Each kind: prepare (check the argument) and run. */
int rvq_prepare_raw(struct rvq_query *q, const char *arg,
    struct rvq_err *err);
int rvq_exec_lookup(struct rvq_ctx *c, struct rvq_err *err);
int rvq_exec_rdata(struct rvq_ctx *c, struct rvq_err *err);
int rvq_exec_asn(struct rvq_ctx *c, struct rvq_err *err);
int rvq_exec_subdomains(struct rvq_ctx *c, struct rvq_err *err);

#endif
