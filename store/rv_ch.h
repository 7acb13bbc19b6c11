/**
 * \file rv_ch.h
 * rearview's rows in ClickHouse's terms (issue #22, contrib/clickhouse/
 * README.md): a row of the store, as its LMDB key and value
 * (store/SCHEMA.md), becomes one RowBinary row of the table's `_ingest`
 * table, whose columns `rearview clickhouse-schema` prints. The key goes
 * as it is (every ClickHouse table is ordered by it); the value's figures
 * go as plain columns the materialized views turn into states; readable
 * forms of the names and rdata go beside them.
 *
 * Ownership: a struct rv_chbuf owns its buffer; rv_chbuf_free releases it.
 */
#ifndef RV_CH_H
#define RV_CH_H

#include <stddef.h>
#include <stdint.h>

#include "rv_store.h"

/** Where a ClickHouse is: clickhouse+http://[USER[:PASSWORD]@]HOST[:PORT]/DB
 * (the sink of rearviewd, the backend of the query engine). */
struct rv_ch_url {
	char base[512];		/**< "http://HOST:PORT/" (what curl is given) */
	char user[64], password[128];	/**< empty when not given */
	char db[64];		/**< a plain identifier */
};

/** Does \p s name a ClickHouse (start with "clickhouse+")? */
int rv_ch_is_url(const char *s);

/**
 * Parse \p s. \return 0, or RV_EINVAL with \p why (a static string)
 * saying what is wrong. DB must be a plain identifier: it goes into SQL
 * unquoted.
 */
int rv_ch_url_parse(const char *s, struct rv_ch_url *u, const char **why);

/** RowBinary rows of one table, appended to. */
struct rv_chbuf {
	uint8_t *p;
	size_t len, cap;
	uint32_t rows;
};

void rv_chbuf_free(struct rv_chbuf *b);
/** Forget the rows, keep the memory. */
void rv_chbuf_reset(struct rv_chbuf *b);

/** The ClickHouse table of a database ("rrset", ...), NULL for those not
 * sent (meta). */
const char *rv_ch_table(enum rv_db db);

/** Is row (k, klen) of \p db sent to ClickHouse? Not meta, and of regdom
 * only the 'D' rows (the 'T' index is the 'D' rows sorted by first
 * sighting). */
int rv_ch_sent(enum rv_db db, const void *k, size_t klen);

/** A sensor id's name (NULL when unknown: the row gets "#ID"). */
typedef const char *(*rv_ch_sensor_fn)(void *arg, uint16_t id);

/**
 * Append row (k, v) of \p db to \p b. Rows not sent (rv_ch_sent) return
 * 0 with nothing appended.
 * \param psl	the public suffix list for the regdom column (rrset, neg)
 * \param version	the ip table's ReplacingMergeTree version
 * \return 0, RV_ENOMEM, RV_ECORRUPT (a key or value that does not decode).
 */
int rv_ch_row(struct rv_chbuf *b, enum rv_db db, const uint8_t *k,
    size_t klen, const uint8_t *v, size_t vlen, const void *psl,
    rv_ch_sensor_fn sensor, void *arg, uint32_t version);

/**
 * A reader of RowBinary (ClickHouse's answers, the tests' checks): every
 * read past the end, or a length past it, sets \p bad and reads as 0 or
 * "", so a caller checks bad once after a row.
 */
struct rv_chrd {
	const uint8_t *p;
	size_t len, off;
	int bad;
};

/** An unsigned integer of \p n octets (little-endian). */
uint64_t rv_chrd_u(struct rv_chrd *b, size_t n);
/** A LEB128 length (at most the octets left). */
size_t rv_chrd_leb(struct rv_chrd *b);
/** A String: its \p n octets, pointing into the input. */
const uint8_t *rv_chrd_str(struct rv_chrd *b, size_t *n);

#endif
