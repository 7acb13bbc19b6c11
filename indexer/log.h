/**
 * \file log.h
 * rearviewd's logging: stderr (with a UTC timestamp) and, on request,
 * syslog. Thread-safe. Rate-limited logging for things a hostile peer can
 * trigger at will (rejected frames).
 */
#ifndef RVD_LOG_H
#define RVD_LOG_H

#include <stdint.h>
#include <syslog.h>

/** Open: to syslog too when \p use_syslog; \p verbose enables LOG_DEBUG. */
void rvd_log_open(const char *ident, int use_syslog, int verbose);

/** Close syslog if it was opened. */
void rvd_log_close(void);

/** Log at a syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG). */
void rvd_log(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** State of one rate limit: at most \p burst messages per \p period s. */
struct rvd_ratelimit {
	unsigned burst;
	unsigned period;
	int64_t window;		/**< start of the current window */
	unsigned printed;	/**< in this window */
	uint64_t suppressed;	/**< since the last summary */
};

/** Log through a rate limit; says how many were suppressed when a new
 * window opens. The caller serialises calls on one limit. */
void rvd_log_rl(struct rvd_ratelimit *rl, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
