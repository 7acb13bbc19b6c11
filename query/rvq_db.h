/**
 * \file rvq_db.h
 * The query engine's read side of the store: open read-only with errors an analyst
 * understands, one short read transaction per run, sensor names and
 * enrichment with small caches, and the join from a reverse-index row to
 * the RRsets that hold it (sensors).
 *
 * Lifetime: everything a struct rvq_db hands out (sensor names, rows built
 * from the store's memory) is valid until rvq_db_close().
 */
#ifndef RVQ_DB_H
#define RVQ_DB_H

#include <stdint.h>

#include "rvq_row.h"
#include "rv_store.h"

struct rvq_remote;

struct rvq_db {
	struct rv_store *st;	/**< NULL on the ClickHouse backend */
	struct rvq_remote *rm;	/**< the ClickHouse backend (rvq_remote.h),
				 * or NULL: the store */
	int borrowed;		/**< st is the caller's (rvq_db_attach) */
	struct rv_txn *txn;
	const char *path;
	char **sensor_names;	/**< by id, loaded on first use */
	uint32_t nsensor_names;
	int sensors_loaded;
	/* enrichment cache: the last address looked up */
	struct rv_ip geo_ip;
	struct rv_ipinfo geo;
	int geo_rc;
	uint32_t geo_t;
	int geo_valid;
	struct rv_cursor *ipcur;	/**< on the ip database, kept for
					 * lookups */
	/* Scans of a database with archive segments go through one cursor
	 * kept per database (rv_store_scan_cursor); busy while one runs (a
	 * nested scan opens its own), untiered once found without
	 * segments. */
	struct rv_cursor *scur[RV_DB_COUNT];
	uint8_t sbusy[RV_DB_COUNT], suntiered[RV_DB_COUNT];
	struct rvq_geo_memo *memo;	/**< geo.c: a batch's sort */
	uint64_t geo_single;	/**< lookups made outside a batch, and
				 * not from the table */
	uint64_t geo_asked;	/**< addresses asked in batches so far */
	struct rvq_geo_table *gtab;	/**< the ip database in memory */
	struct rv_txn *gtab_txn;	/**< the transaction gtab was read in */
	int gtab_tried;		/**< built, or found not worth it */
};

struct rvq_err;

/**
 * Open \p path read-only and begin the read transaction.
 * \return 0, or an error with err saying what in words an analyst
 *	understands ("no rearview database in DIR", ...); RV_ENOTSUP for a
 *	ClickHouse URL (what reads the store itself, reports, stats,
 *	checks, cannot read ClickHouse).
 */
int rvq_db_open(const char *path, struct rvq_db *db, struct rvq_err *err);

/**
 * rvq_db_open for the lookups (rvq_exec): a path that is a ClickHouse URL
 * (clickhouse+http://HOST:PORT/DB) opens the ClickHouse backend, from
 * which they read the same rows.
 */
int rvq_db_open_lookups(const char *path, struct rvq_db *db,
    struct rvq_err *err);

/**
 * Say what went wrong reading \p db: for RV_ECORRUPT "database 'DIR' is
 * damaged (WHAT): restore it from a backup (rearview check tells what is
 * wrong)", with what the store found (rv_store_why); otherwise "reading
 * 'DIR': ERROR".
 */
void rvq_db_errf(struct rvq_err *err, struct rvq_db *db, int rc);

/**
 * Begin a read transaction on a store the caller opened and keeps (a
 * service's threads, each with its own struct rvq_db on one store opened
 * RV_STORE_RDONLY: its read transactions belong to no thread). rvq_db_close
 * then ends the transaction and leaves the store open. With \p st NULL
 * and \p path a ClickHouse URL, the thread's own connection to the
 * ClickHouse backend (checked once by rvq_db_open_lookups).
 * \return 0, or an error with err saying what.
 */
int rvq_db_attach(struct rvq_db *db, struct rv_store *st, const char *path,
    struct rvq_err *err);

/**
 * End db->txn (the snapshot) and everything kept in it: the ip cursor,
 * the scan cursors, the enrichment table (its answers point into the
 * transaction's pages) and the last answer cached. db->txn is then NULL
 * (for a caller that reads in transactions of its own, such as rearview
 * check or backup). Rows and answers handed out before are no longer
 * valid; sensor names stay.
 */
void rvq_db_end(struct rvq_db *db);

/**
 * rvq_db_end, then begin a new read transaction (a long scan lets LMDB
 * reuse the pages writers freed meanwhile). \return 0, or the store's
 * error (db->txn is then NULL; rvq_db_close still cleans up).
 */
int rvq_db_renew(struct rvq_db *db);

/** On the ClickHouse backend? (It answers lookups, not reports.) */
static inline int rvq_db_remote(const struct rvq_db *db)
{ return db->rm != NULL; }

/** rv_store_scan of the store or of the ClickHouse backend. */
int rvq_db_scan(struct rvq_db *db, enum rv_db dbi, const struct rv_key *lo,
    const struct rv_key *hi, rv_scan_fn fn, void *arg);

/** End the transaction and close; safe on a zeroed struct. */
void rvq_db_close(struct rvq_db *db);

/** Sensor name of an id (the output's sensor callback); NULL when unknown. */
const char *rvq_db_sensor(void *db, uint16_t id);

/**
 * Id of a sensor name. \return 0, RV_ENOENT when the database has never
 * seen it.
 */
int rvq_db_sensor_id(struct rvq_db *db, const char *name, uint16_t *id);

/**
 * Enrichment of ip at time t (the output's geo callback, geo.c): from the table when a
 * batch has built it, else one lookup (cached for a repeated ip).
 */
int rvq_db_geo(void *db, const struct rv_ip *ip, uint32_t t,
    struct rv_ipinfo *out);

/** A record with no enrichment at all (no mmdb at the time). */
int rvq_ipinfo_empty(const struct rv_ipinfo *info);

/**
 * Enrichment of one rdata of a row (rvq_ser's geo callback, arg the
 * struct rvq_db) for a caller that serialises in the thread that reads:
 * RV_OK with info, RV_ENOENT when the rdata is no address or nothing is
 * known of it.
 */
int rvq_db_row_geo(void *db, const struct rvq_row *r, const uint8_t *rd,
    uint16_t len, struct rv_ipinfo *info);

struct rvq_geo_ans;

/**
 * Answer n questions at once (the output's batch callback): looked up in key order,
 * or from the table. Once a run has asked as many addresses as would pay
 * for it, the whole ip database is read into a table (rvq_geo_table.h) and
 * every later question is answered from there.
 * \return 0, RV_ENOMEM or RV_EIO (then the rows ask rvq_db_geo).
 */
int rvq_db_geo_batch(void *db, struct rvq_geo_ans *q, size_t n);

/**
 * Yes once lookups are answered from the table, which
 * is read-only (neither rvq_db_geo nor rvq_db_geo_batch reads the store or
 * changes the struct from then on).
 */
int rvq_db_geo_shared(void *db);

/**
 * Load the sensor names, so that rvq_db_sensor only
 * reads memory from then on and a printer thread may call it.
 */
int rvq_db_shareable(void *db);

/** Free the memo and the table (rvq_db_end does, before the
 * transaction ends). */
void rvq_db_geo_free(struct rvq_db *db);

/** What the RRsets holding a reverse-index row's rdata say of it. */
struct rvq_join {
	uint16_t sens[RV_SENSORS_MAX];	/**< the union of their sensors */
	unsigned nsens;
	uint8_t zone[RV_NAME_MAX];	/**< the bailiwick when exactly one
					 * zone holds it */
	size_t zone_len;		/**< 0: unknown or ambiguous */
	uint32_t ttl_min, ttl_max;	/**< over those RRsets */
	int has_ttl;			/**< some RRset holds it */
};

/**
 * For a reverse-index row (RVQ_ROW_RDATA): the RRsets of row->owner/type
 * that contain its rdata, summed up in \p out.
 * \return 0, RV_ENOENT when no RRset holds it, or an error.
 */
int rvq_db_join(struct rvq_db *db, const struct rvq_row *row,
    struct rvq_join *out);

#endif
