/**
 * \file log.c
 * Logging to stderr and syslog, with a rate limit for untrusted input.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static int log_syslog;
static int log_verbose;

void
rvd_log_open(const char *ident, int use_syslog, int verbose)
{
	log_syslog = use_syslog;
	log_verbose = verbose;
	if (use_syslog)
		openlog(ident, LOG_PID, LOG_DAEMON);
}

void
rvd_log_close(void)
{
	if (log_syslog)
		closelog();
	log_syslog = 0;
}

static void
vlog(int prio, const char *fmt, va_list ap)
{
	static const char *const lvl[] = {
		"emerg", "alert", "crit", "error", "warning", "notice",
		"info", "debug",
	};
	char msg[1024], ts[32];
	struct timespec now;
	struct tm tm;

	if (prio == LOG_DEBUG && !log_verbose)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	/* One fprintf per line: stdio locks the stream, lines stay whole. */
	fprintf(stderr, "%s.%03ldZ rearviewd %s: %s\n", ts,
	    now.tv_nsec / 1000000, lvl[prio & 7], msg);
	if (log_syslog)
		syslog(prio, "%s", msg);
}

void
rvd_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

void
rvd_log_rl(struct rvd_ratelimit *rl, int prio, const char *fmt, ...)
{
	int64_t now = (int64_t)time(NULL);
	va_list ap;

	if (now >= rl->window + rl->period) {
		if (rl->suppressed)
			rvd_log(prio, "%llu similar messages suppressed",
			    (unsigned long long)rl->suppressed);
		rl->window = now;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	if (rl->printed >= rl->burst) {
		rl->suppressed++;
		return;
	}
	rl->printed++;
	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}
