/**
 * \file rvq_row.h
 * One result row, as every command produces it and every format prints it.
 *
 * A row only points at its data (the store's memory or the caller's buffers):
 * valid until the read transaction ends or the caller reuses its buffers.
 * rvq_row_copy() makes an owned copy in one allocation (free() it).
 */
#ifndef RVQ_ROW_H
#define RVQ_ROW_H

#include <stddef.h>
#include <stdint.h>

#include "rv_err.h"
#include "rv_ip.h"
#include "rv_name.h"
#include "rv_store.h"

/** Values up to this size are copied into their answer. */
#define RVQ_GEO_VAL_INLINE 40

/**
 * One question of an enrichment batch (an address and the time of its
 * row) and, once rvq_db_geo_batch has run, its answer.
 */
struct rvq_geo_ans {
	struct rv_ip ip;	/**< asked */
	uint32_t t;		/**< asked */
	int rc;			/**< 0, RV_ENOENT (no row), or an error */
	uint32_t since;		/**< the period found (its end is in the
				 * value) */
	uint32_t vlen;		/**< the value as stored (rv_ipinfo_decode) */
	const uint8_t *v;	/**< it, in the map or the caller's table;
				 * NULL when it is in val */
	uint8_t val[RVQ_GEO_VAL_INLINE];
};

enum rvq_row_kind {
	RVQ_ROW_RRSET = 0,	/**< an RRset: rdata in set/set_len (SET) */
	RVQ_ROW_RDATA,		/**< one rdata (rdata index): rd/rd_len */
	RVQ_ROW_NAME		/**< a name only (subdomains) */
};

struct rvq_row {
	enum rvq_row_kind kind;
	const uint8_t *owner;	size_t owner_len;	/**< wire */
	uint16_t type;
	const uint8_t *zone;	size_t zone_len;	/**< bailiwick; 0 len:
							 * unknown */
	uint32_t first, last;
	uint64_t count;
	uint32_t ttl_min, ttl_max;
	int has_ttl;
	const uint16_t *sensors;	unsigned nsens;
	int negative;		/**< a negative answer: no rdata, rcode */
	uint8_t rcode;		/**< 3 NXDOMAIN, 0 NODATA, ... */
	/* RVQ_ROW_RRSET */
	const uint8_t *set;	size_t set_len;
	unsigned rdcount;
	/* RVQ_ROW_RDATA: the rdata of `type`, or a target name (rd_is_name) */
	const uint8_t *rd;	size_t rd_len;
	int rd_is_name;
	/* the consumer's (the CLI's output stage): zero from the engine */
	uint64_t seq;			/**< arrival order, for stable sorts */
	const uint8_t *okey;	size_t okey_len;	/**< NK(owner) in copies */
	const struct rvq_geo_ans *geo;	unsigned ngeo;	/**< enrichment of
					 * its addresses, found in a batch */
};

/** Fill \p r (zeroed first) from a decoded rrset key and value; it points
 * into both. */
void rvq_row_from_rrset(struct rvq_row *r, const struct rv_rrset_key *key,
    const struct rv_rrset_val *val);

/** Owned copy of a row in one malloc block; NULL when out of memory. */
struct rvq_row *rvq_row_copy(const struct rvq_row *r);

/**
 * For callers that keep copies in memory of their own (the output's
 * chunks): the owner's sort key (rv_name_key) into key, RV_NAME_KEY_MAX
 * octets (0 when it has none); the size of a copy carrying a klen-octet
 * key; and the copy itself at c, which must have that many octets.
 */
size_t rvq_row_owner_key(const struct rvq_row *r, uint8_t *key);
struct rvq_row *rvq_row_copy_at(const struct rvq_row *r, struct rvq_row *c,
    const uint8_t *key, size_t klen);



/** The answer for one rdata of a row among the row's (r->geo), or NULL. */
const struct rvq_geo_ans *rvq_row_geo_answer(const struct rvq_row *r,
    const uint8_t *rd, uint16_t len);

/**
 * The enrichment of one rdata from the row's answers.
 * \return 0 with *info filled; -1 when the row has no answer for it
 *	(ask rvq_db_geo); RV_ENOENT or another code when the answer was
 *	that nothing is known.
 */
int rvq_row_geo_info(const struct rvq_row *r, const uint8_t *rd,
    uint16_t len, struct rv_ipinfo *info);

/*
 * Small helpers called for every row of a scan, inline so that a scan of
 * millions of rows pays no call for them.
 */

/**
 * Iterate the rdata of a row; start with *off = 0.
 * \return 0 with rd/len set, RV_ENOENT at the end, RV_ECORRUPT.
 */
static inline int
rvq_row_rd_next(const struct rvq_row *r, size_t *off, const uint8_t **rd,
    uint16_t *len)
{
	switch (r->kind) {
	case RVQ_ROW_RRSET:
		return rv_set_next(r->set, r->set_len, off, rd, len);
	case RVQ_ROW_RDATA:
		if (*off > 0)
			return RV_ENOENT;
		*off = 1;
		*rd = r->rd;
		*len = (uint16_t)r->rd_len;
		return RV_OK;
	default:
		return RV_ENOENT;
	}
}

/** Are the row's rdata addresses (A or AAAA), which enrichment is for? */
static inline int
rvq_row_has_ips(const struct rvq_row *r)
{
	return !r->rd_is_name && (r->type == 1 || r->type == 28);
}

/** Octets of an owned copy of r whose name key is klen octets (kept a
 * multiple of 8, so the next copy is aligned). */
static inline size_t
rvq_row_copy_size(const struct rvq_row *r, size_t klen)
{
	size_t n = sizeof(struct rvq_row) + r->nsens * sizeof(uint16_t) +
	    r->owner_len + r->zone_len + r->set_len + r->rd_len + klen;

	return (n + 7) & ~(size_t)7;
}

#endif
