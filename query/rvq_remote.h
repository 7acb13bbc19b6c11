/**
 * \file rvq_remote.h
 * The query engine's ClickHouse backend (issue #22): the rows of a
 * rearview database as a ClickHouse cluster holds them (rearviewd
 * --sink, contrib/clickhouse), read by key range. Every ClickHouse table
 * is ordered by the LMDB key's octets and ClickHouse compares Strings as
 * LMDB compares keys, so a scan of [lo, hi] here gives the rows LMDB's
 * scan gives, in the same order and in the same encodings (the merged
 * states turned back into LMDB values), and everything above the scan
 * (filters, time fences, limits, output) is the engine's one code.
 *
 * Only what the lookups read is here: scans of the rrset, neg, rdata,
 * names and asn tables, enrichment periods of an address, and sensor
 * names. Sensor ids are this process's own, given to names in the order
 * rows bring them (rows print sensors by name, so ids never show).
 *
 * SQL is built from key octets in hex and from the database name, which
 * rv_ch_url_parse allows only as a plain identifier: nothing a user types
 * reaches ClickHouse as SQL.
 *
 * Lifetime: keys and values handed to a scan's callback point into pages
 * kept until rvq_remote_end (a query's "transaction"), as LMDB's stay
 * valid until its transaction ends.
 * Thread-safety: one struct rvq_remote per thread (serve's workers each
 * open their own).
 */
#ifndef RVQ_REMOTE_H
#define RVQ_REMOTE_H

#include <stdint.h>

#include "rv_store.h"

struct rvq_remote;

/**
 * Open the ClickHouse at \p url (clickhouse+http://HOST:PORT/DB); with
 * \p check, ask it once that it answers and has rearview's tables.
 * \return 0; RV_EINVAL (a bad URL), RV_EIO (no answer, no tables),
 * RV_ENOTSUP (no libcurl), with \p why saying which (whysz octets).
 */
int rvq_remote_open(const char *url, int check, struct rvq_remote **out,
    char *why, size_t whysz);

/** Close (NULL is fine). */
void rvq_remote_close(struct rvq_remote *r);

/** Free the pages of the rows handed out so far. */
void rvq_remote_end(struct rvq_remote *r);

/** rv_store_scan's contract over the ClickHouse tables. RV_EIO when
 * ClickHouse does not answer (rvq_remote_why says why); RV_ENOTSUP for
 * what the sink does not send (meta, the regdom 'T' index). */
int rvq_remote_scan(struct rvq_remote *r, enum rv_db db,
    const struct rv_key *lo, const struct rv_key *hi, rv_scan_fn fn,
    void *arg);

/** rv_store_ipinfo_find's contract: the period of \p ip at \p t. */
int rvq_remote_ipinfo_find(struct rvq_remote *r, const struct rv_ip *ip,
    uint32_t t, uint32_t *since, struct rv_val *val);

struct rvq_geo_ans;

/**
 * rv_store_ipinfo_find for n questions at once (the engine's enrichment
 * batch), in a few SELECTs: each answer's value lies in a page until
 * rvq_remote_end. \return 0 (each question's rc says what was found), or
 * the error of a SELECT.
 */
int rvq_remote_ipinfo_batch(struct rvq_remote *r, struct rvq_geo_ans *q,
    size_t n);

/** The name of a sensor id handed out in rows (NULL when unknown). */
const char *rvq_remote_sensor(struct rvq_remote *r, uint16_t id);

/** The id of a sensor name (given one if new). \return 0, RV_ENOMEM,
 * RV_ETOOBIG (more names than ids). */
int rvq_remote_sensor_id(struct rvq_remote *r, const char *name,
    uint16_t *id);

/** What the last failure was ("" none). */
const char *rvq_remote_why(const struct rvq_remote *r);

#endif
