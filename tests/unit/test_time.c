/**
 * \file test_time.c
 * Epoch, ISO 8601 and relative time parsing; UTC formatting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <time.h>

#include "rv_err.h"
#include "rv_time.h"

#define NOW 1800000000

static int64_t
parse(const char *s)
{
	int64_t t = -1;

	assert_int_equal(rv_time_parse(s, NOW, &t), RV_OK);
	return t;
}

static void
test_epoch(void **state)
{
	(void)state;
	assert_int_equal(parse("0"), 0);
	assert_int_equal(parse("1563392520"), 1563392520);
}

static void
test_iso(void **state)
{
	(void)state;
	assert_int_equal(parse("1970-01-01"), 0);
	assert_int_equal(parse("2019-07-17T19:52:00Z"), 1563393120);
	assert_int_equal(parse("2019-07-17 19:52"), 1563393120);
	assert_int_equal(parse("2019-07-17T19:52:00"), 1563393120);
	assert_int_equal(parse("2019-07-17T21:52:00+02:00"), 1563393120);
	assert_int_equal(parse("2019-07-17T18:52:00-0100"), 1563393120);
	assert_int_equal(parse("2019-07-17T19:52:00.123Z"), 1563393120);
	assert_int_equal(parse("2000-02-29"), 951782400);
	assert_int_equal(parse("2100-03-01"), 4107542400);
}

static void
test_relative(void **state)
{
	(void)state;
	assert_int_equal(parse("7d"), NOW - 7 * 86400);
	assert_int_equal(parse("24h"), NOW - 86400);
	assert_int_equal(parse("-90m"), NOW - 5400);
	assert_int_equal(parse("30s"), NOW - 30);
	assert_int_equal(parse("2w"), NOW - 14 * 86400);
	/* dnsdbq's forms: compound units, plain seconds back, now */
	assert_int_equal(parse("1w2d"), NOW - 9 * 86400);
	assert_int_equal(parse("1d12h30m5s"), NOW - 86400 - 12 * 3600 - 1805);
	assert_int_equal(parse("-86400"), NOW - 86400);
	assert_int_equal(parse("now"), NOW);
	assert_int_equal(parse("NOW"), NOW);
}

/* Eight digits that make a date are that date (ISO 8601 basic), not a
 * second of 1970; other numbers stay epoch seconds. */
static void
test_basic_date(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(parse("20261202"), parse("2026-12-02"));
	assert_int_equal(parse("20000229"), 951782400);
	assert_int_equal(parse("20261302"), 20261302);	/* month 13 */
	assert_int_equal(parse("02612020"), 2612020);
	assert_int_equal(parse("1563392520"), 1563392520);
	assert_int_equal(rv_duration_parse("1d5", &t), RV_EINVAL);
	assert_int_equal(rv_duration_parse("1w2d", &t), RV_OK);
	assert_int_equal(t, 9 * 86400);
}

static void
test_bad(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(rv_time_parse("", NOW, &t), RV_EINVAL);
	assert_int_equal(rv_time_parse("yesterday", NOW, &t), RV_EINVAL);
	assert_int_equal(rv_time_parse("7y", NOW, &t), RV_EINVAL);
	assert_int_equal(rv_time_parse("-", NOW, &t), RV_EINVAL);
	assert_int_equal(rv_time_parse("--5", NOW, &t), RV_EINVAL);
	assert_int_equal(rv_time_parse("1d-5h", NOW, &t), RV_EINVAL);
	assert_int_equal(rv_time_parse("nowish", NOW, &t), RV_EINVAL);
	assert_int_equal(rv_time_parse("7dd", NOW, &t), RV_EINVAL);
	assert_int_equal(rv_time_parse("2019-02-29", NOW, &t), RV_ERANGE);
	assert_int_equal(rv_time_parse("2019-13-01", NOW, &t), RV_ERANGE);
	assert_int_equal(rv_time_parse("2019-07-17T25:00", NOW, &t), RV_ERANGE);
	assert_int_equal(rv_time_parse("2019-07-17T19", NOW, &t), RV_EINVAL);
	assert_int_equal(rv_time_parse("2019-07-17X", NOW, &t), RV_EINVAL);
	assert_int_equal(rv_time_parse("99999999999999999999", NOW, &t),
	    RV_ERANGE);
	assert_int_equal(rv_time_parse("99999999999999999999d", NOW, &t),
	    RV_ERANGE);
}

static void
test_duration(void **state)
{
	int64_t d;

	(void)state;
	assert_int_equal(rv_duration_parse("24h", &d), RV_OK);
	assert_int_equal(d, 86400);
	assert_int_equal(rv_duration_parse("3600", &d), RV_OK);
	assert_int_equal(d, 3600);
	assert_int_equal(rv_duration_parse("-1h", &d), RV_EINVAL);
	assert_int_equal(rv_duration_parse("h", &d), RV_EINVAL);
}

static void
test_format(void **state)
{
	char buf[RV_TIME_STR_MAX];

	(void)state;
	assert_int_equal(rv_time_format(1563393120, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2019-07-17 19:52:00");
	assert_int_equal(rv_time_format(1563393120, 1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2019-07-17T19:52:00Z");
	assert_int_equal(rv_time_format(0, 1, buf, 5), RV_ETOOBIG);
}

/* rv_time_format writes what gmtime_r and strftime write, over the
 * whole range it computes itself, leap days and the edges included. */
static void
test_format_as_strftime(void **state)
{
	static const int64_t edges[] = { 0, 59, 86399, 86400, 68169599,
	    68169600, 951782399, 951782400, 951868800, 4107542399,
	    4107542400, 4294967295, 253402300799, 253402300800 };
	uint64_t x = 0x853C49E6748FEA9Bull;

	(void)state;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]) + 100000;
	    i++) {
		int64_t t;
		struct tm tm;
		time_t tt;
		char want[64], got[64];

		if (i < sizeof(edges) / sizeof(edges[0])) {
			t = edges[i];
		} else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			t = (int64_t)(x % 253402300800ull);
		}
		tt = (time_t)t;
		for (int iso = 0; iso <= 1; iso++) {
			assert_non_null(gmtime_r(&tt, &tm));
			assert_true(strftime(want, sizeof(want), iso ?
			    "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S", &tm) >
			    0);
			assert_int_equal(rv_time_format(t, iso, got,
			    sizeof(got)), RV_OK);
			assert_string_equal(got, want);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_as_strftime),
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_iso),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_basic_date),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
