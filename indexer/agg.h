/**
 * \file agg.h
 * The aggregation table: observations of identical RRsets (same owner,
 * type, bailiwick and rdata set) and identical negative answers are merged
 * in memory within one flush window, keyed by their LMDB key.
 *
 * Not thread-safe: the caller serialises access. All memory of a table
 * (entries, keys, sets) lives in its arena and is freed by rvd_agg_reset().
 */
#ifndef RVD_AGG_H
#define RVD_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "rv_frame.h"
#include "rv_store.h"

#define RVD_AGG_SENS_INLINE 5

/** One merged RRset or negative answer. */
struct rvd_agg_ent {
	uint64_t hash;
	uint32_t first, last, count, ttl_min, ttl_max;
	uint32_t setlen;
	uint16_t type;
	uint16_t rdcount;
	uint16_t keylen;
	uint8_t ownerlen;
	uint8_t kind;			/**< RV_REC_RRSET or RV_REC_NEGATIVE */
	uint8_t nsens;
	uint16_t sens[RVD_AGG_SENS_INLINE];
	uint16_t *sens_ext;		/**< RV_SENSORS_MAX ids once inline is full */
	uint8_t data[];			/**< key, owner (wire), set */
};

static inline const uint8_t *rvd_agg_key(const struct rvd_agg_ent *e)
{ return e->data; }
static inline const uint8_t *rvd_agg_owner(const struct rvd_agg_ent *e)
{ return e->data + e->keylen; }
static inline const uint8_t *rvd_agg_set(const struct rvd_agg_ent *e)
{ return e->data + e->keylen + e->ownerlen; }

/** Observations per sensor in this window, and the sensor's stream state
 * after the window's last frame (written by the flush that commits it). */
struct rvd_agg_sensor {
	uint64_t obs;
	uint32_t last;
	int has_seq;			/**< seq is set */
	struct rv_sensor_seq seq;
	int has_dt;			/**< dt is set: a dnstap sensor */
	struct rv_sensor_dt dt;		/**< added to the stored counters */
};

struct rvd_agg_chunk;

/** A hash slot: the hash beside the pointer saves a cache miss a probe. */
struct rvd_agg_slot {
	uint64_t hash;
	struct rvd_agg_ent *e;
};

struct rvd_agg {
	struct rvd_agg_slot *tab;	/**< open addressing, cap a power
					 * of 2 */
	size_t cap, n;
	struct rvd_agg_chunk *chunks;
	size_t mem;		/**< octets in the arena */
	uint64_t obs;		/**< observations merged in */
	uint64_t frames, frames_rejected, records_rejected;
	uint64_t frames_oversize;	/**< of frames_rejected: > --max-frame */
	uint64_t seq_frames;	/**< frames received up to this window's end */
	uint64_t dt_counts;	/**< rvd_agg_sensor_dt calls: a window of
				 * dnstap frames none of which was kept
				 * still has counters to write */
	struct rvd_agg_sensor *sens;	/**< indexed by sensor id */
	size_t nsens_cap;
	uint8_t *scratch;	/**< 3 x 64 KiB for set canonicalisation */
};

/** Initialise an empty table. \return 0 or RV_ENOMEM. */
int rvd_agg_init(struct rvd_agg *a);

/** Free everything; the table is empty and usable again. */
void rvd_agg_reset(struct rvd_agg *a);

/** Free everything, including the scratch buffer. Safe on a zeroed agg. */
void rvd_agg_destroy(struct rvd_agg *a);

/**
 * Merge one observation given as parts. \p set is canonical (rv_set_canon)
 * for RRsets, NULL for negatives. The key is built here.
 * \return 0, RV_ETOOBIG (key too long), RV_ENOMEM.
 */
int rvd_agg_add(struct rvd_agg *a, uint8_t kind, const uint8_t *owner,
    size_t olen, uint16_t type, uint8_t rcode, const uint8_t *zone, size_t zlen,
    const uint8_t *set, size_t setlen, uint16_t rdcount, uint32_t first,
    uint32_t last, uint32_t count, uint32_t ttl, uint16_t sensor);

/**
 * Merge one decoded frame record seen by \p sensor. Records of a class
 * other than IN are skipped (RV_ENOTSUP).
 * \return 0, RV_ENOTSUP, RV_EFORMAT, RV_ETOOBIG, RV_ENOMEM.
 */
int rvd_agg_add_record(struct rvd_agg *a, const struct rv_record *rec,
    uint16_t sensor);

/**
 * Merge all \p count records of a validated frame starting at \p off,
 * with the lookups of consecutive records overlapped (prefetching).
 * \param bad	out: records skipped (class not IN, key too long, ...)
 */
int rvd_agg_add_frame(struct rvd_agg *a, const uint8_t *buf, size_t len,
    size_t off, uint32_t count, uint16_t sensor, uint64_t *bad);

/** Add \p n to dnstap sensor \p id's counter \p k in this window.
 * \return RV_OK, RV_ENOMEM. */
int rvd_agg_sensor_dt(struct rvd_agg *a, uint16_t id, enum rv_dt_stat k,
    uint64_t n);

/** Set a sensor's stream state as of this window's end (a copy).
 * \return 0, RV_ENOMEM. */
int rvd_agg_sensor_seq(struct rvd_agg *a, uint16_t id,
    const struct rv_sensor_seq *q);

/** The entries sorted by key (memcmp). \p out is malloc'ed, caller frees. */
int rvd_agg_sorted(struct rvd_agg *a, struct rvd_agg_ent ***out);

/** Sensor ids of an entry (sorted) and their number. */
const uint16_t *rvd_agg_ent_sensors(const struct rvd_agg_ent *e);

/** Approximate memory held, octets. */
size_t rvd_agg_mem(const struct rvd_agg *a);

#endif
