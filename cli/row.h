/**
 * \file row.h
 * One result row, as every command produces it and every format prints it.
 *
 * A row only points at its data (the store's memory or the caller's buffers):
 * valid until the read transaction ends or the caller reuses its buffers.
 * cli_row_copy() makes an owned copy in one allocation (free() it).
 */
#ifndef RV_CLI_ROW_H
#define RV_CLI_ROW_H

#include <stddef.h>
#include <stdint.h>

#include "rv_name.h"
#include "rv_store.h"

struct cli_geo_ans;

enum cli_row_kind {
	CLI_ROW_RRSET = 0,	/**< an RRset: rdata in set/set_len (SET) */
	CLI_ROW_RDATA,		/**< one rdata (rdata index): rd/rd_len */
	CLI_ROW_NAME		/**< a name only (subdomains) */
};

struct cli_row {
	enum cli_row_kind kind;
	const uint8_t *owner;	size_t owner_len;	/**< wire */
	uint16_t type;
	const uint8_t *zone;	size_t zone_len;	/**< bailiwick; 0 len:
							 * unknown */
	uint32_t first, last;
	uint64_t count;
	uint32_t ttl_min, ttl_max;
	int has_ttl;
	const uint16_t *sensors;	unsigned nsens;
	/* CLI_ROW_RRSET */
	const uint8_t *set;	size_t set_len;
	unsigned rdcount;
	/* CLI_ROW_RDATA: the rdata of `type`, or a target name (rd_is_name) */
	const uint8_t *rd;	size_t rd_len;
	int rd_is_name;
	/* private to the output stage */
	uint64_t seq;			/**< arrival order, for stable sorts */
	const uint8_t *okey;	size_t okey_len;	/**< NK(owner) in copies */
	const struct cli_geo_ans *geo;	unsigned ngeo;	/**< enrichment of
					 * its addresses, found in a batch */
};

/** Fill \p r (zeroed first) from a decoded rrset key and value; it points
 * into both. */
void cli_row_from_rrset(struct cli_row *r, const struct rv_rrset_key *key,
    const struct rv_rrset_val *val);

/** Owned copy of a row in one malloc block; NULL when out of memory. */
struct cli_row *cli_row_copy(const struct cli_row *r);

/**
 * Iterate the rdata of a row; start with *off = 0.
 * \return 0 with rd/len set, RV_ENOENT at the end, RV_ECORRUPT.
 */
int cli_row_rd_next(const struct cli_row *r, size_t *off,
    const uint8_t **rd, uint16_t *len);

#endif
