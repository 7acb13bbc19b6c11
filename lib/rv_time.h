/**
 * \file rv_time.h
 * Time parsing and formatting. Times are int64 seconds since the epoch, UTC.
 */
#ifndef RV_TIME_H
#define RV_TIME_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define RV_TIME_STR_MAX 32

/**
 * Parse a time given on a command line or in a config file:
 *  - epoch seconds: "1563392520";
 *  - ISO 8601 in UTC unless an offset is given: "2019-07-17",
 *    "2019-07-17T19:52", "2019-07-17 19:52:00", "2019-07-17T19:52:00Z",
 *    "2019-07-17T21:52:00+02:00", and the basic form of a date,
 *    "20190717" (eight digits that make a date are a date, not a second
 *    of 1970);
 *  - "now" (\p now);
 *  - relative to \p now, in the past: "7d", "24h", "90m", "30s", "2w",
 *    "1w2d12h", with an optional leading '-' ("-90m" is the same as
 *    "90m"); "-86400" is seconds back, as dnsdbq reads it.
 * \return 0, RV_EINVAL on bad syntax, RV_ERANGE on overflow or a date
 *	field out of range.
 */
int rv_time_parse(const char *s, int64_t now, int64_t *out);

/**
 * Parse a duration ("24h", "7d", "90m", "30s", "2w", "1w2d12h", or plain
 * seconds).
 */
int rv_duration_parse(const char *s, int64_t *secs);

/** "2019-07-17 19:52:00" (UTC), or "2019-07-17T19:52:00Z" when iso. */
int rv_time_format(int64_t t, int iso, char *out, size_t outsz);

/**
 * \p ms milliseconds from now on CLOCK_MONOTONIC, in \p ts: the deadline
 * of a pthread_cond_timedwait on a condition variable set to that clock
 * (pthread_condattr_setclock).
 */
void rv_deadline_ms(struct timespec *ts, unsigned ms);

#endif
