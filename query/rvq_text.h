/**
 * \file rvq_text.h
 * Rows' parts as text, for every serialiser and output format: times,
 * names (with U-labels on request), types, rdata, sensors, bailiwicks.
 * Thread-safe: nothing here keeps state but what the caller passes in.
 */
#ifndef RVQ_TEXT_H
#define RVQ_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "rv_ip.h"
#include "rv_name.h"
#include "rvq_row.h"

/** Longest rdata text we print (bigger rdata is cut, never overflows). */
#define RVQ_RDATA_STR_MAX 65536

/** Time as text: "2019-07-17 19:52:00", or ISO "2019-07-17T19:52:00Z". */
void rvq_time_str(uint32_t t, int iso, char *out, size_t outsz);

/**
 * A wire name as text; with \p idn and an xn-- label, " (U-label form)"
 * follows. "(bad name)" and an error when wire is not a name.
 */
int rvq_name_str(const uint8_t *wire, size_t len, int idn, char *out,
    size_t outsz);

/** Name of a type ("A", "TYPE65280"), made once per type; never NULL. */
const char *rvq_type_str(uint16_t type);

/**
 * One rdata of a row as text: addresses in their usual forms, target
 * names as names (U-labels too with idn), everything else in its
 * presentation format; rdata too long for out says so instead.
 */
int rvq_rdata_str(const struct rvq_row *r, const uint8_t *rd, uint16_t len,
    int idn, char *out, size_t outsz);

/** A negative answer's rcode as text: "NXDOMAIN", "NODATA" (0),
 * "SERVFAIL", "REFUSED" or "RCODE7"; buf holds RVQ_RCODE_STR_MAX. */
#define RVQ_RCODE_STR_MAX 16
const char *rvq_rcode_str(uint8_t rcode, char *buf);

/** Is rd an address (the row's rdata are A or AAAA)? Then *ip is it. */
int rvq_rdata_ip(const struct rvq_row *r, const uint8_t *rd, uint16_t len,
    struct rv_ip *ip);

/** Name of a sensor id; NULL when unknown. */
typedef const char *(*rvq_sensor_fn)(void *arg, uint16_t id);

/** Sensors of a row by name, joined with ',' (#ID for unknown ones; "-"
 * when none). */
void rvq_sensors_str(const struct rvq_row *r, rvq_sensor_fn fn, void *arg,
    char *out, size_t outsz);

/** The last bailiwick made into text: neighbours in a scan mostly share
 * it. Zero it to start. */
struct rvq_bw_memo {
	uint8_t wire[RV_NAME_MAX];
	size_t len;		/**< 0: nothing kept */
	char text[RV_NAME_STR_MAX * 3];
};

/** The text of a row's bailiwick (zone_len > 0); valid until the next
 * call with the memo. */
const char *rvq_bailiwick_str(struct rvq_bw_memo *m, const struct rvq_row *r);

#endif
