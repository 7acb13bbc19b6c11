/**
 * \file dnstap_records.h
 * The dnstap input's records hook: a kept RESOLVER_RESPONSE or
 * FORWARDER_RESPONSE (dnstap_decode.h) becomes the records the resolver
 * module would have sent for it, with the bailiwick rule of Unbound's
 * scrubber applied (lib/rv_msg.h: dnstap carries responses raw), merged
 * into the aggregation table like a frame's records.
 *
 * Ownership: struct rvd_dnstap_rec is the hook's state (a reusable message
 * buffer, the retry memory, a sensor-id cache, a batch of records not yet
 * merged); one per dnstap thread, from rvd_dnstap_rec_new to
 * rvd_dnstap_rec_free (flush it first: the batch is dropped).
 */
#ifndef RVD_DNSTAP_RECORDS_H
#define RVD_DNSTAP_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "dnstap_decode.h"
#include "rv_msg.h"

struct rvd;
struct rvd_dnstap_rec;

/** What the hook did, since it was made. */
struct rvd_dnstap_rec_stats {
	uint64_t responses;	/**< turned into records */
	uint64_t tcp;		/**< of them, answers over a stream (TCP) */
	uint64_t records;	/**< records merged */
	uint64_t retries;	/**< a response seen again within seconds */
	uint64_t malformed;	/**< not a DNS message */
	uint64_t refused;	/**< messages the scrubber rejects whole */
	uint64_t out_of_zone;	/**< RRsets outside the zone (bailiwick) */
	uint64_t scrubbed;	/**< other RRsets the scrubber drops */
};

/**
 * The hook's state, merging into rearviewd's current table under its lock
 * (\p d, the live input) or into a table the caller owns (\p a, the
 * import of capture files; \p d NULL). \return RV_OK, RV_ENOMEM.
 */
int rvd_dnstap_rec_new(struct rvd *d, struct rvd_agg *a,
    struct rvd_dnstap_rec **out);
void rvd_dnstap_rec_free(struct rvd_dnstap_rec *r);
const struct rvd_dnstap_rec_stats *rvd_dnstap_rec_stats(
    const struct rvd_dnstap_rec *r);

/**
 * The two halves of the hook, for a caller that owns its table (the
 * import of capture files). Prepare: a retry (RV_EEXIST: skip it), else
 * parse the response into r's message buffer and fill \p src.
 * \return RV_OK, RV_EEXIST, or the parser's error.
 */
int rvd_dnstap_prepare(struct rvd_dnstap_rec *r,
    const struct rvd_dnstap_msg *m, const char *sensor, size_t sensor_len,
    struct rv_msg_src *src);
/**
 * Emit the prepared response's records as sensor \p sid into the batch,
 * which is merged into the table (rvd_agg_add_frame, as an nng frame)
 * when it holds a frame's worth, when the sensor changes, and at
 * rvd_dnstap_flush. What the bailiwick rule drops goes to the table's
 * records_rejected, and the sensor's counters (rv_sensor_dt) go with the
 * records. \return RV_OK, the scrubber's refusal, or RV_ENOMEM.
 */
int rvd_dnstap_emit(struct rvd_dnstap_rec *r, uint16_t sid,
    const struct rv_msg_src *src);

/** Merge what the batch holds now: when no more frames are at hand (the
 * live input before it waits, before FINISH), and at an import's end. */
int rvd_dnstap_flush(struct rvd_dnstap_rec *r);

/**
 * The sensor a frame counts for: \p configured (--dnstap-sensor), else
 * the message's dnstap identity, else \p fallback; at most RV_SENSOR_MAX
 * octets. \return its length; *name is not NUL-terminated.
 */
size_t rvd_dnstap_sensor(const char *configured,
    const struct rvd_dnstap_msg *m, const char *fallback, const char **name);

/** The counter of a frame rvd_dnstap_decode did not keep (its return). */
enum rv_dt_stat rvd_dnstap_not_kept(int decode_rc,
    const struct rvd_dnstap_msg *m);

/** Live input: add one to \p sensor's counter \p k in the current
 * window (rearviewd's table). \return RV_OK, or why the sensor has no
 * id. */
int rvd_dnstap_count(struct rvd *d, struct rvd_dnstap_rec *r,
    const char *sensor, size_t sensor_len, enum rv_dt_stat k);

/**
 * The hook (rvd_dnstap_hook_fn): \p arg is the struct rvd_dnstap_rec.
 * Waits while the table is full (backpressure) or rearviewd stops. A
 * retry or a response that does not parse is counted for its sensor.
 * \return RV_OK, or the parse or scrubber error (counted by the caller).
 */
int rvd_dnstap_records(struct rvd *d, void *arg,
    const struct rvd_dnstap_msg *m, const char *sensor, size_t sensor_len);

#endif
