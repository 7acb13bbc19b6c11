/**
 * \file db.h
 * The CLI's read side of the store: open read-only with errors an analyst
 * understands, one short read transaction per run, sensor names and
 * enrichment with small caches, and the join from a reverse-index row to
 * the RRsets that hold it (sensors).
 *
 * Lifetime: everything a struct cli_db hands out (sensor names, rows built
 * from the store's memory) is valid until cli_db_close().
 */
#ifndef RV_CLI_DB_H
#define RV_CLI_DB_H

#include <stdint.h>

#include "row.h"
#include "rv_store.h"

struct cli_db {
	struct rv_store *st;
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
	struct cli_geo_memo *memo;	/**< geo.c: a batch's sort */
	uint64_t geo_single;	/**< lookups made outside a batch, and
				 * not from the table */
	uint64_t geo_asked;	/**< addresses asked in batches so far */
	struct cli_geo_table *gtab;	/**< the ip database in memory */
	struct rv_txn *gtab_txn;	/**< the transaction gtab was read in */
	int gtab_tried;		/**< built, or found not worth it */
};

/**
 * Open \p path read-only and begin the read transaction. Prints one line
 * on error ("no rearview database in DIR", ...).
 * \return CLI_EXIT_OK or CLI_EXIT_ERROR.
 */
int cli_db_open(const char *path, struct cli_db *db);

/** End the transaction and close; safe on a zeroed struct. */
void cli_db_close(struct cli_db *db);

/** Sensor name of an id (cli_sensor_fn); NULL when unknown. */
const char *cli_db_sensor(void *db, uint16_t id);

/**
 * Id of a sensor name. \return 0, RV_ENOENT when the database has never
 * seen it.
 */
int cli_db_sensor_id(struct cli_db *db, const char *name, uint16_t *id);

/**
 * Enrichment of ip at time t (cli_geo_fn, geo.c): from the table when a
 * batch has built it, else one lookup (cached for a repeated ip).
 */
int cli_db_geo(void *db, const struct rv_ip *ip, uint32_t t,
    struct rv_ipinfo *out);

struct cli_geo_ans;

/**
 * Answer n questions at once (cli_geo_batch_fn): looked up in key order,
 * or from the table. Once a run has asked as many addresses as would pay
 * for it, the whole ip database is read into a table (geo_table.h) and
 * every later question is answered from there.
 * \return 0, RV_ENOMEM or RV_EIO (then the rows ask cli_db_geo).
 */
int cli_db_geo_batch(void *db, struct cli_geo_ans *q, size_t n);

/**
 * cli_geo_shared_fn: yes once lookups are answered from the table, which
 * is read-only (neither cli_db_geo nor cli_db_geo_batch reads the store or
 * changes the struct from then on).
 */
int cli_db_geo_shared(void *db);

/**
 * cli_shareable_fn: load the sensor names, so that cli_db_sensor only
 * reads memory from then on and a printer thread may call it.
 */
int cli_db_shareable(void *db);

/** Free the memo and the table (cli_db_close does, before the
 * transaction ends). */
void cli_db_geo_free(struct cli_db *db);

/**
 * For a reverse-index row (CLI_ROW_RDATA): the union of the sensors of the
 * RRsets of row->owner/type that contain its rdata, and the bailiwick when
 * exactly one zone holds it.
 * \param sens	RV_SENSORS_MAX entries
 * \param zone	RV_NAME_MAX octets; *zlen 0 when unknown or ambiguous
 * \return 0, RV_ENOENT when no RRset holds it, or an error.
 */
int cli_db_join(struct cli_db *db, const struct cli_row *row, uint16_t *sens,
    unsigned *nsens, uint8_t *zone, size_t *zlen);

/** Message for an error of the store while reading. */
void cli_db_error(const struct cli_db *db, const char *what, int rc);

#endif
