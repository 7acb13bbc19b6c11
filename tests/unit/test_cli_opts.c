/**
 * \file test_cli_opts.c
 * The CLI's option parsing, checked numbers, types and time fences
 * (overlap by default, complete with -c, as dnsdbq -A/-B/-c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"
#include "opts.h"
#include "rv_err.h"
#include "rv_num.h"

#define NOW 1700000000

struct extra {
	const char *ip;
	int seen;
};

static int
on_extra(int code, const char *arg, void *ctx)
{
	struct extra *e = ctx;

	if (code != 'i')
		return 1;
	e->ip = arg;
	e->seen++;
	return 0;
}

static const struct cli_optdef xopts[] = {
	{ { "ip", required_argument, NULL, 'i' }, "ADDR", "an address" },
};

static int
parse(struct cli_opts *o, struct extra *e, int argc, char **argv)
{
	cli_opts_init(o, NOW);
	return cli_opts_parse(o, argc, argv, "x [OPTIONS] ARG", "test",
	    xopts, 1, on_extra, e);
}

static void
test_common(void **state)
{
	char *argv[] = { "lookup", "-l", "5", "--offset", "2", "-s", "last",
	    "-r", "-o", "csv", "--sensor", "s1", "--db", "/x", "NAME", "--idn",
	    "-i", "1.2.3.4", "-f", "-", NULL };
	struct cli_opts o;
	struct extra e = { 0 };

	(void)state;
	assert_int_equal(parse(&o, &e, 20, argv), CLI_EXIT_OK);
	assert_int_equal(o.limit, 5);
	assert_int_equal(o.offset, 2);
	assert_int_equal(o.sort, CLI_SORT_LAST);
	assert_int_equal(o.reverse, 1);
	assert_int_equal(o.fmt, CLI_FMT_CSV);
	assert_string_equal(o.sensor, "s1");
	assert_string_equal(o.db, "/x");
	assert_int_equal(o.idn, 1);
	assert_string_equal(o.file, "-");
	assert_int_equal(e.seen, 1);
	assert_string_equal(e.ip, "1.2.3.4");
	assert_int_equal(o.argc, 1);
	assert_string_equal(o.argv[0], "NAME");
}

static void
test_defaults(void **state)
{
	char *argv[] = { "lookup", "x", NULL };
	struct cli_opts o;
	struct extra e = { 0 };

	(void)state;
	setenv("REARVIEW_DB", "/env/db", 1);
	assert_int_equal(parse(&o, &e, 2, argv), CLI_EXIT_OK);
	assert_string_equal(o.db, "/env/db");
	unsetenv("REARVIEW_DB");
	assert_int_equal(parse(&o, &e, 2, argv), CLI_EXIT_OK);
	assert_string_equal(o.db, "/var/lib/rearview");
	assert_int_equal(o.limit, CLI_LIMIT_DEFAULT);
	assert_int_equal(o.fmt, CLI_FMT_AUTO);
	assert_int_equal(rvq_fence_active(&o.fence), 0);
}

static void
test_bad(void **state)
{
	static char *bad[][4] = {
		{ "lookup", "-l", "x", NULL },
		{ "lookup", "-l", "-1", NULL },
		{ "lookup", "--offset", "1e3", NULL },
		{ "lookup", "-s", "size", NULL },
		{ "lookup", "-o", "xml", NULL },
		{ "lookup", "-A", "yesterday", NULL },
		{ "lookup", "--last-before", "2019-13-01", NULL },
		{ "lookup", "--nope", NULL, NULL },
		{ "lookup", "-Z", NULL, NULL },
		{ "lookup", "-l", NULL, NULL },
	};
	struct cli_opts o;
	struct extra e = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int argc = 0;
		while (bad[i][argc] != NULL)
			argc++;
		assert_int_equal(parse(&o, &e, argc, bad[i]), CLI_EXIT_USAGE);
	}
}

static void
test_numbers_types(void **state)
{
	uint64_t v;
	uint16_t t[RVQ_TYPES_MAX];
	unsigned n;

	(void)state;
	assert_int_equal(rv_parse_u64("0", 10, 0, 10, &v), RV_OK);
	assert_int_equal(v, 0);
	assert_int_equal(rv_parse_u64("11", 10, 0, 10, &v), RV_ERANGE);
	assert_int_equal(rv_parse_u64("99999999999999999999999", 10, 0, UINT64_MAX,
	    &v), RV_ERANGE);
	assert_int_equal(rv_parse_u64("", 10, 0, 10, &v), RV_EINVAL);
	assert_int_equal(rv_parse_u64("+1", 10, 0, 10, &v), RV_EINVAL);
	assert_int_equal(rv_parse_u64("1 ", 10, 0, 10, &v), RV_EINVAL);
	assert_int_equal(rvq_types_parse("A,aaaa,NS", t, &n), RV_OK);
	assert_int_equal(n, 3);
	assert_int_equal(t[0], 1);
	assert_int_equal(t[1], 28);
	assert_int_equal(t[2], 2);
	assert_int_equal(rvq_types_parse("ANY", t, &n), RV_OK);
	assert_int_equal(n, 0);
	assert_int_equal(rvq_types_parse("ANY-DNSSEC", t, &n), RV_OK);
	assert_true(n >= 6);
	assert_int_equal(t[0], 43);	/* DS */
	assert_int_equal(rvq_types_parse("TYPE65280", t, &n), RV_OK);
	assert_int_equal(t[0], 65280);
	assert_int_equal(rvq_types_parse("A,,NS", t, &n), RV_EINVAL);
	assert_int_equal(rvq_types_parse("BOGUS", t, &n), RV_EINVAL);
	assert_int_equal(rvq_types_parse("", t, &n), RV_EINVAL);
}

/* A record seen [first, last] against -A 100 -B 200. */
static int
fenced(int complete, int64_t first, int64_t last)
{
	struct rvq_fence f = { INT64_MIN, INT64_MAX, INT64_MIN, INT64_MAX };

	rvq_fence_window(&f, 100, 200, complete);
	return rvq_fence_match(&f, first, last);
}

static void
test_fence(void **state)
{
	(void)state;
	/* overlap */
	assert_true(fenced(0, 120, 180));	/* inside */
	assert_true(fenced(0, 50, 150));	/* straddles the start */
	assert_true(fenced(0, 150, 250));	/* straddles the end */
	assert_true(fenced(0, 50, 250));	/* covers the window */
	assert_true(fenced(0, 50, 100));	/* edges are inclusive */
	assert_true(fenced(0, 200, 300));
	assert_false(fenced(0, 10, 99));	/* before */
	assert_false(fenced(0, 201, 300));	/* after */
	/* complete */
	assert_true(fenced(1, 120, 180));
	assert_true(fenced(1, 100, 200));
	assert_false(fenced(1, 50, 150));
	assert_false(fenced(1, 150, 250));
	assert_false(fenced(1, 50, 250));
	assert_false(fenced(1, 10, 99));
}

static void
test_fence_options(void **state)
{
	char *a1[] = { "lookup", "-A", "100", "-B", "200", "x", NULL };
	char *a2[] = { "lookup", "-c", "-A", "100", "-B", "200", "x", NULL };
	char *a3[] = { "lookup", "--first-after", "1d", "--last-before",
	    "2019-07-17T19:52:00Z", "x", NULL };
	struct cli_opts o;
	struct extra e = { 0 };

	(void)state;
	/* dnsdbq: -A is time_last_after, -B time_first_before ... */
	assert_int_equal(parse(&o, &e, 6, a1), CLI_EXIT_OK);
	assert_int_equal(o.fence.last_after, 100);
	assert_int_equal(o.fence.first_before, 200);
	assert_int_equal(o.fence.first_after, INT64_MIN);
	assert_int_equal(o.fence.last_before, INT64_MAX);
	/* ... and -c switches them */
	assert_int_equal(parse(&o, &e, 7, a2), CLI_EXIT_OK);
	assert_int_equal(o.fence.first_after, 100);
	assert_int_equal(o.fence.last_before, 200);
	assert_int_equal(o.fence.last_after, INT64_MIN);
	/* raw fences, relative and ISO values */
	assert_int_equal(parse(&o, &e, 6, a3), CLI_EXIT_OK);
	assert_int_equal(o.fence.first_after, NOW - 86400);
	assert_int_equal(o.fence.last_before, 1563393120);
}

static void
test_help(void **state)
{
	char *argv[] = { "lookup", "--help", NULL };
	struct cli_opts o;
	struct extra e = { 0 };
	FILE *f = tmpfile();
	char buf[8192];
	size_t n;
	int lines = 0;

	(void)state;
	assert_int_equal(parse(&o, &e, 2, argv), CLI_EXIT_OK);
	assert_int_equal(o.help, 1);
	cli_opts_help(f, "x [OPTIONS] ARG", "test", xopts, 1);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	for (char *p = buf; *p; p++)
		lines += *p == '\n';
	assert_true(lines <= 30);	/* fits a screen */
	assert_non_null(strstr(buf, "--ip ADDR"));
	assert_non_null(strstr(buf, "--first-after"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_common),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_numbers_types),
		cmocka_unit_test(test_fence),
		cmocka_unit_test(test_fence_options),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
