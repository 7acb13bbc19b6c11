/**
 * \file rv_time.c
 * Epoch, ISO 8601 and relative times; UTC formatting.
 */
#include "rv_time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "rv_err.h"

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), Howard Hinnant's
 * days_from_civil: no timegm(), no TZ environment. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Read exactly n digits. */
static int
digits(const char **s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*s)[i];
		if (c < '0' || c > '9')
			return RV_EINVAL;
		v = v * 10 + (c - '0');
	}
	*s += n;
	*out = v;
	return RV_OK;
}

static int
parse_iso(const char *s, int64_t *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, mo, d, h = 0, mi = 0, se = 0, oh = 0, om = 0, sign = 0;

	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) ||
	    *s++ != '-' || digits(&s, 2, &d))
		return RV_EINVAL;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi))
			return RV_EINVAL;
		if (*s == ':') {
			s++;
			if (digits(&s, 2, &se))
				return RV_EINVAL;
			if (*s == '.') {	/* fractions are dropped */
				s++;
				if (*s < '0' || *s > '9')
					return RV_EINVAL;
				while (*s >= '0' && *s <= '9')
					s++;
			}
		}
		if (*s == 'Z' || *s == 'z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			sign = *s++ == '-' ? -1 : 1;
			if (digits(&s, 2, &oh))
				return RV_EINVAL;
			if (*s == ':')
				s++;
			if (digits(&s, 2, &om))
				return RV_EINVAL;
		}
	}
	if (*s != '\0')
		return RV_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 || mi > 59 ||
	    se > 60 || oh > 23 || om > 59)
		return RV_ERANGE;
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + se - sign * (oh * 3600 + om * 60);
	return RV_OK;
}

int
rv_duration_parse(const char *s, int64_t *secs)
{
	const int64_t max = INT64_MAX / 4;
	int64_t total = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return RV_EINVAL;
	/* "1w2d3h": numbers each with a unit, summed; plain seconds alone */
	while (*s != '\0') {
		long long v, mult;

		if (*s < '0' || *s > '9')
			return RV_EINVAL;
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno == ERANGE)
			return RV_ERANGE;
		switch (*end) {
		case '\0':
			if (total != 0)	/* "1d5": 5 what? */
				return RV_EINVAL;
			mult = 1;
			break;
		case 's': mult = 1; end++; break;
		case 'm': mult = 60; end++; break;
		case 'h': mult = 3600; end++; break;
		case 'd': mult = 86400; end++; break;
		case 'w': mult = 7 * 86400; end++; break;
		default: return RV_EINVAL;
		}
		if (v < 0 || v > max / mult || total > max - v * mult)
			return RV_ERANGE;
		total += (int64_t)(v * mult);
		s = end;
	}
	*secs = total;
	return RV_OK;
}

/* YYYYMMDD (ISO 8601's basic form of a date), which read as epoch
 * seconds would be a day in 1970: \return 1 with *out the day's start. */
static int
basic_date(const char *s, int64_t *out)
{
	char iso[11];

	if (strlen(s) != 8 || strspn(s, "0123456789") != 8 || s[0] == '0')
		return 0;
	memcpy(iso, s, 4);
	iso[4] = '-';
	memcpy(iso + 5, s + 4, 2);
	iso[7] = '-';
	memcpy(iso + 8, s + 6, 2);
	iso[10] = '\0';
	return parse_iso(iso, out) == RV_OK;
}

int
rv_time_parse(const char *s, int64_t now, int64_t *out)
{
	size_t n = strlen(s);
	int64_t d;
	int rc;

	if (n == 0)
		return RV_EINVAL;
	if (strcasecmp(s, "now") == 0) {
		*out = now;
		return RV_OK;
	}
	if (n >= 10 && s[4] == '-')
		return parse_iso(s, out);
	if (basic_date(s, out))
		return RV_OK;
	/* All digits: epoch seconds. */
	if (strspn(s, "0123456789") == n) {
		if (n > 12)
			return RV_ERANGE;
		*out = strtoll(s, NULL, 10);
		return RV_OK;
	}
	/* Relative, in the past: "7d", "1w2d", "-90m", and dnsdbq's
	 * "-86400" (seconds). */
	if (*s == '-')
		s++;
	if ((rc = rv_duration_parse(s, &d)) != RV_OK)
		return rc;
	*out = now - d;
	return RV_OK;
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian), by eras
 * of 400 years that start on March 1st, so the leap day ends a year. */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;			/* from 0000-03-01 */
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static char *
put2(char *p, unsigned v)
{
	*p++ = (char)('0' + v / 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

int
rv_time_format(int64_t t, int iso, char *out, size_t outsz)
{
	struct tm tm;
	time_t tt = (time_t)t;

	/* Without gmtime_r and strftime for years 1970-9999: a CSV scan
	 * formats two times per line, millions of lines. */
	if (t >= 0 && t <= 253402300799 && outsz >= 21) {
		int64_t y;
		unsigned mo, d, sec = (unsigned)(t % 86400);
		char *p = out;

		civil_from_days(t / 86400, &y, &mo, &d);
		p = put2(p, (unsigned)(y / 100));
		p = put2(p, (unsigned)(y % 100));
		*p++ = '-';
		p = put2(p, mo);
		*p++ = '-';
		p = put2(p, d);
		*p++ = iso ? 'T' : ' ';
		p = put2(p, sec / 3600);
		*p++ = ':';
		p = put2(p, sec / 60 % 60);
		*p++ = ':';
		p = put2(p, sec % 60);
		if (iso)
			*p++ = 'Z';
		*p = '\0';
		return RV_OK;
	}
	if (!gmtime_r(&tt, &tm))
		return RV_ERANGE;
	if (strftime(out, outsz, iso ? "%Y-%m-%dT%H:%M:%SZ" :
	    "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return RV_ETOOBIG;
	return RV_OK;
}

void
rv_deadline_ms(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}
