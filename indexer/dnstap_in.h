/**
 * \file dnstap_in.h
 * rearviewd's dnstap input (issue #20): any resolver as a sensor.
 *
 * A Frame Streams server (fstrm_server.h) on each --dnstap URL, one
 * thread; each data frame is decoded (dnstap_decode.h) and, when it is a
 * resolver's or forwarder's response, handed to the records hook with
 * the sensor name: --dnstap-sensor, else the message's identity, else
 * "dnstap". Client-side messages are dropped and counted there. The
 * counters are logged at stop.
 */
#ifndef RVD_DNSTAP_IN_H
#define RVD_DNSTAP_IN_H

#include <stddef.h>

#include "dnstap_decode.h"

struct rvd;
struct rvd_dnstap_in;

/**
 * Turns a kept message into records for the aggregation table (in the
 * dnstap thread). \p sensor is not NUL-terminated. \return RV_OK or an
 * error (counted as a conversion failure).
 */
typedef int (*rvd_dnstap_hook_fn)(struct rvd *d, void *arg,
    const struct rvd_dnstap_msg *m, const char *sensor, size_t sensor_len);

/**
 * Listen on every d->cfg.dnstap URL and start the thread (nothing when
 * there is none: *out is NULL). \p hook NULL: the default hook
 * (rvd_dnstap_records, dnstap_records.h: records into the table).
 * \return RV_OK or the first listener's error (logged).
 */
int rvd_dnstap_start(struct rvd *d, rvd_dnstap_hook_fn hook, void *arg,
    struct rvd_dnstap_in **out);

/** Stop the thread, log the counters, free. Safe on NULL. */
void rvd_dnstap_stop(struct rvd_dnstap_in *in);


#endif
