/**
 * \file rvq_geo_table.h
 * The whole ip database as an in-memory hash table, for scans that ask
 * the enrichment of millions of addresses in random order.
 *
 * A B-tree probe for a random address costs a descent to a cold leaf
 * (0.7-2 us in a 10M-RRset database); the table answers with one cache
 * miss (one slot holds an address with a single period, by far the
 * common case) and a read of a value that is shared by every address
 * with the same ASN, organisation and place, so it stays in the cache.
 * Building it is one sequential pass over the ip database, about a tenth
 * of a probe per row: worth it only once a scan has asked that much
 * (geo.c decides). About 15 octets per IPv4 address and 30 per IPv6
 * one, and as much again while it is built.
 *
 * Lifetime: built from a read transaction; its answers point into the
 * store's memory, so the table must be freed before that transaction ends.
 * Read-only after the build, so any thread may look up in it.
 */
#ifndef RVQ_GEO_TABLE_H
#define RVQ_GEO_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "rv_store.h"

struct rvq_geo_table;

/**
 * Read every row of the ip database of \p st in \p txn into a new table.
 * \param max_bytes	give up with RV_ENOMEM rather than use more
 * \return 0, RV_ENOMEM, RV_ECORRUPT (a key or value that does not
 *	decode) or RV_EIO; *out is NULL unless 0.
 */
int rvq_geo_table_build(struct rv_store *st, struct rv_txn *txn,
    size_t max_bytes, struct rvq_geo_table **out);

/**
 * Same answer as rv_store_ipinfo_at(): the period of \p ip with the
 * largest since <= t, or the first one when t is before every period.
 * \return 0, RV_ENOENT if the address has no row.
 */
int rvq_geo_table_find(const struct rvq_geo_table *tab, const struct rv_ip *ip,
    uint32_t t, struct rv_ipinfo *out);

/**
 * rvq_geo_table_find() without decoding: the period, and its value as
 * stored (for rv_ipinfo_decode), in the map. \return 0, RV_ENOENT.
 */
int rvq_geo_table_find_raw(const struct rvq_geo_table *tab,
    const struct rv_ip *ip, uint32_t t, uint32_t *since, const uint8_t **v,
    uint32_t *vlen);

/** Start bringing the slot of \p ip into the cache (a lookup soon). */
void rvq_geo_table_prefetch(const struct rvq_geo_table *tab,
    const struct rv_ip *ip);

/** Octets the table holds (for the README's figures and the tests). */
size_t rvq_geo_table_bytes(const struct rvq_geo_table *tab);

void rvq_geo_table_free(struct rvq_geo_table *tab);

#endif
