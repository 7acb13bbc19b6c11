/**
 * \file test_cli_rdata_fwd.c
 * `rearview rdata name NAME.*` (right-hand wildcard over target names) in
 * process, over a database written through the store's write API: exact
 * rows, no over-matching (ns.dns-host.* is not ns1.dns-host.com nor
 * a.ns.dns-host.com), -t, time fences, limits, lookup NAME.* unchanged by
 * target-only names, argument errors, and the one-line error on a
 * database that predates target names (flag removed), gone after the
 * backfill.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rv_err.h"
#include "test_cli_fixture.h"

#define Y2020 1577836800u
#define Y2021 1609459200u
#define Y2022 1640995200u

static const struct fx_rec recs[] = {
	{ "alpha.org", "NS", "org", "corp-dns1", Y2020, Y2020 + 86400, 3,
	  172800, { "ns.dns-host.com.", "ns1.dns-host.com." } },
	{ "beta.org", "NS", "org", "corp-dns2", Y2021, Y2021 + 86400, 2,
	  172800, { "ns.dns-host.net.", "ns1.dns-host.com." } },
	{ "mail.beta.org", "MX", "beta.org", "corp-dns2", Y2022, Y2022, 1,
	  300, { "10 ns.dns-host.net." } },
	{ "_sip._tcp.beta.org", "SRV", "beta.org", "corp-dns2", Y2022, Y2022,
	  4, 300, { "0 5 5060 ns.dns-host.org." } },
	{ "www.beta.org", "CNAME", "beta.org", "corp-dns2", Y2022, Y2022, 1,
	  300, { "ns1.dns-host.com.au." } },
	{ "x.beta.org", "CNAME", "beta.org", "corp-dns2", Y2022, Y2022, 1,
	  300, { "ns10.dns-host.com." } },
	{ "y.beta.org", "CNAME", "beta.org", "corp-dns2", Y2022, Y2022, 1,
	  300, { "a.ns.dns-host.com." } },
	{ "ns.dns-host.com", "A", "dns-host.com", "corp-dns1", Y2020, Y2020,
	  9, 300, { "198.51.100.53" } },
};

static char dir[64];
static char out[65536], err[4096];

static int
setup(void **state)
{
	(void)state;
	return fx_setup(dir, sizeof(dir), "rv-cli-fwd", recs,
	    sizeof(recs) / sizeof(recs[0]), NULL, 0);
}

static int
teardown(void **state)
{
	(void)state;
	return fx_teardown(dir);
}

/* Run rearview with NULL-terminated args; stdout in out, stderr in err. */
#define run(...) fx_rv(out, sizeof(out), err, sizeof(err), __VA_ARGS__)

#define CSVH "time_first,time_last,count,rrname,rrtype,bailiwick,sensor," \
	"rdata,asn,country\n"
#define R_ALPHA_NS "2020-01-01T00:00:00Z,2020-01-02T00:00:00Z,3,alpha.org.," \
	"NS,,,"
#define R_BETA_NS "2021-01-01T00:00:00Z,2021-01-02T00:00:00Z,2,beta.org.," \
	"NS,,,"
#define R_2022 "2022-01-01T00:00:00Z,2022-01-01T00:00:00Z,"

static void
test_rows_no_overmatch(void **state)
{
	(void)state;
	assert_int_equal(run("rdata", "name", "ns.dns-host.*", "-o", "csv",
	    "-s", "name", NULL), 0);
	assert_string_equal(out, CSVH
	    R_ALPHA_NS "ns.dns-host.com.,,\n"
	    R_BETA_NS "ns.dns-host.net.,,\n"
	    R_2022 "4,_sip._tcp.beta.org.,SRV,,,ns.dns-host.org.,,\n"
	    R_2022 "1,mail.beta.org.,MX,,,ns.dns-host.net.,,\n");
	assert_int_equal(run("rdata", "name", "NS1.dns-host.*", "-o", "csv",
	    "-s", "name", NULL), 0);
	assert_string_equal(out, CSVH
	    R_ALPHA_NS "ns1.dns-host.com.,,\n"
	    R_BETA_NS "ns1.dns-host.com.,,\n"
	    R_2022 "1,www.beta.org.,CNAME,,,ns1.dns-host.com.au.,,\n");
	/* one leading label: every ns10.* target, nothing else */
	assert_int_equal(run("rdata", "name", "ns10.*", "-o", "csv", NULL), 0);
	assert_string_equal(out, CSVH
	    R_2022 "1,x.beta.org.,CNAME,,,ns10.dns-host.com.,,\n");
	assert_int_equal(run("rdata", "name", "dns-host.*", NULL), 1);
	assert_int_equal(run("rdata", "name", "ns1.dns-host.com.au.br.*",
	    NULL), 1);
	/* as with lookup, the leading labels themselves are a match */
	assert_int_equal(run("rdata", "name", "ns.dns-host.com.*", "-o", "csv",
	    NULL), 0);
	assert_string_equal(out, CSVH R_ALPHA_NS "ns.dns-host.com.,,\n");
	/* the exact and *.NAME forms as before */
	assert_int_equal(run("rdata", "name", "*.ns.dns-host.com", "-o", "csv",
	    NULL), 0);
	assert_string_equal(out, CSVH
	    R_2022 "1,y.beta.org.,CNAME,,,a.ns.dns-host.com.,,\n");
}

static void
test_types_fences_limit(void **state)
{
	(void)state;
	assert_int_equal(run("rdata", "name", "ns.dns-host.*", "-t", "MX,SRV",
	    "-o", "csv", "-s", "name", NULL), 0);
	assert_string_equal(out, CSVH
	    R_2022 "4,_sip._tcp.beta.org.,SRV,,,ns.dns-host.org.,,\n"
	    R_2022 "1,mail.beta.org.,MX,,,ns.dns-host.net.,,\n");
	assert_int_equal(run("rdata", "name", "ns.dns-host.*", "-t", "CNAME",
	    NULL), 1);
	/* last seen after mid-2020: not alpha.org's NS of 2020 */
	assert_int_equal(run("rdata", "name", "ns1.dns-host.*", "-A",
	    "2020-06-01", "-o", "csv", "-s", "name", NULL), 0);
	assert_string_equal(out, CSVH
	    R_BETA_NS "ns1.dns-host.com.,,\n"
	    R_2022 "1,www.beta.org.,CNAME,,,ns1.dns-host.com.au.,,\n");
	/* first seen before 2021-06-01 */
	assert_int_equal(run("rdata", "name", "ns.dns-host.*", "-B",
	    "2021-06-01", "-t", "NS", "-o", "csv", "-s", "name", NULL), 0);
	assert_string_equal(out, CSVH
	    R_ALPHA_NS "ns.dns-host.com.,,\n"
	    R_BETA_NS "ns.dns-host.net.,,\n");
	assert_int_equal(run("rdata", "name", "ns.dns-host.*", "-B",
	    "2019-12-31", NULL), 1);
	/* sorted, not streamed: the highest count first */
	assert_int_equal(run("rdata", "name", "ns.dns-host.*", "-s", "count",
	    "-l", "1", "-o", "csv", NULL), 0);
	assert_string_equal(out, CSVH
	    R_2022 "4,_sip._tcp.beta.org.,SRV,,,ns.dns-host.org.,,\n");
	assert_int_equal(run("summarize", "rdata", "name", "ns.dns-host.*",
	    "-o", "csv", NULL), 0);
	assert_non_null(strstr(out, ",10,"));	/* 3 + 2 + 4 + 1 */
}

static void
test_lookup_unchanged(void **state)
{
	(void)state;
	/* ns.dns-host.net and .org are target names only: no RRsets */
	assert_int_equal(run("lookup", "ns.dns-host.*", "-o", "csv", NULL), 0);
	assert_string_equal(out, CSVH
	    "2020-01-01T00:00:00Z,2020-01-01T00:00:00Z,9,ns.dns-host.com.,A,"
	    "dns-host.com.,corp-dns1,198.51.100.53,,\n");
	assert_int_equal(run("lookup", "ns1.dns-host.*", NULL), 1);
}

static void
test_arg_errors(void **state)
{
	(void)state;
	assert_int_equal(run("rdata", "name", "*.dns-host.*", NULL), 2);
	assert_non_null(strstr(err, "'*.dns-host.*'"));
	assert_int_equal(run("rdata", "name", ".*", NULL), 2);
	assert_non_null(strstr(err, "every name"));
	assert_int_equal(run("rdata", "name", "ns..dns-host.*", NULL), 2);
	assert_int_equal(run("rdata", "name", "--help", NULL), 0);
	assert_non_null(strstr(out, "ns1.example.*"));
}

/* Remove the flag: the database now looks like one written before. */
static void
unflag(void)
{
	struct rv_store *st = NULL;
	struct rv_val k = { 13, "names_targets" };
	struct rv_txn *txn;

	assert_int_equal(rv_store_open(dir, 0, 0, &st), RV_OK);
	assert_int_equal(rv_store_write_begin(st, &txn), RV_OK);
	assert_int_equal(rv_del(st, txn, RV_DB_META, &k), RV_OK);
	assert_int_equal(rv_txn_commit(st, txn), RV_OK);
	rv_store_close(st);
}

static void
test_not_backfilled(void **state)
{
	struct rv_names_backfill res;
	struct rv_store *st = NULL;

	(void)state;
	unflag();
	assert_int_equal(run("rdata", "name", "ns.dns-host.*", NULL), 3);
	assert_non_null(strstr(err, "rdata name: 'ns.dns-host.*' needs target "
	    "names"));
	assert_non_null(strchr(err, '\n'));
	assert_int_equal(strchr(err, '\n')[1], '\0');	/* one line */
	/* the other forms do not need them */
	assert_int_equal(run("rdata", "name", "ns.dns-host.net", NULL), 0);
	assert_int_equal(run("lookup", "ns.dns-host.*", NULL), 0);
	/* what rearviewd does when it opens the database */
	assert_int_equal(rv_store_open(dir, 0, 0, &st), RV_OK);
	assert_int_equal(rv_store_names_backfill(st, 1000, Y2022, &res),
	    RV_OK);
	assert_true(res.done);
	assert_int_equal(res.rows, 9);
	rv_store_close(st);
	assert_int_equal(run("rdata", "name", "ns.dns-host.*", "-o", "csv",
	    "-s", "name", NULL), 0);
	assert_non_null(strstr(out, ",mail.beta.org.,MX,"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_no_overmatch),
		cmocka_unit_test(test_types_fences_limit),
		cmocka_unit_test(test_lookup_unchanged),
		cmocka_unit_test(test_arg_errors),
		cmocka_unit_test(test_not_backfilled),	/* last: unflags */
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
