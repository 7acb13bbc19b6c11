/**
 * \file test_cli_query.c
 * The CLI end to end, in process: a database written through the store's
 * write API, every command run through cli_main() with its stdout
 * captured, exact rows asserted (CIDR across addresses, a wildcard that
 * must not over-match, time fences, ASN pivots, formats, exit codes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli.h"
#include "rv_err.h"
#include "test_cli_fixture.h"

#define T0 1563393120u	/* 2019-07-17 19:52:00 */
#define T1 1563416100u	/* 2019-07-18 02:15:00 */
#define Y2020 1577836800u
#define Y2021 1609459200u
#define Y2022 1640995200u

static const struct fx_rec recs[] = {
	{ "webmail.groupweblogs-gsm1900.com", "A", "groupweblogs-gsm1900.com",
	  "corp-dns1", T0, T1, 1, 300, { "165.22.196.7" } },
	{ "cpanel.groupweblogs-gsm1900.com", "A", "groupweblogs-gsm1900.com",
	  "corp-dns1", T0, T1, 2, 300, { "165.22.196.7" } },
	{ "mail.groupweblogs-gsm1900.com", "CNAME", "groupweblogs-gsm1900.com",
	  "corp-dns1", T0, T1, 1, 300, { "groupweblogs-gsm1900.com." } },
	{ "groupweblogs-gsm1900.com", "A", "groupweblogs-gsm1900.com",
	  "corp-dns1", T0, T1, 3, 300, { "165.22.196.7" } },
	{ "groupweblogs-gsm1900.com", "NS", "com", "corp-dns1", T0, T1, 1,
	  172800, { "rreui10.traeumtgerade.de.", "rreui11.traeumtgerade.de." } },
	{ "groupweblogs-gsm1900.com", "MX", "groupweblogs-gsm1900.com",
	  "corp-dns1", T0, T1, 1, 300, { "10 groupweblogs-gsm1900.com." } },
	{ "other.example.net", "A", "example.net", "corp-dns2", Y2020,
	  Y2020 + 100, 5, 60, { "165.22.196.8" } },
	{ "www.example.com", "A", "example.com", "corp-dns1", Y2020,
	  Y2020 + 86400, 10, 60, { "192.0.2.1" } },
	{ "www.example.com", "A", "example.com", "corp-dns2", Y2021,
	  Y2021 + 86400, 7, 60, { "192.0.2.2", "192.0.2.1" } },
	{ "example.com", "A", "example.com", "corp-dns1", Y2021, Y2021, 1, 60,
	  { "192.0.2.10" } },
	{ "example.com.au", "A", "example.com.au", "corp-dns1", Y2021, Y2021,
	  1, 60, { "192.0.2.11" } },
	{ "notexample.com", "A", "notexample.com", "corp-dns1", Y2021, Y2021,
	  1, 60, { "192.0.2.12" } },
	{ "a.b.example.com", "AAAA", "example.com", "corp-dns1", Y2022,
	  Y2022, 1, 60, { "2001:db8::1" } },
	{ "txt.example.com", "TXT", "example.com", "corp-dns2", Y2022, Y2022,
	  2, 60, { "\"v=spf1 \\\"q\\\" -all\" \"x,y\"" } },
	{ "we\\.ird.example.com", "A", "example.com", "corp-dns1", Y2022,
	  Y2022, 1, 60, { "192.0.2.3" } },
	{ "xn--bcher-kva.de", "A", "de", "corp-dns1", Y2022, Y2022, 1, 60,
	  { "192.0.2.4" } },
	/* negative answers: a DGA's NXDOMAINs and a NODATA */
	{ "qx7fz.example.com", "A", "example.com", "corp-dns1", Y2022, Y2022,
	  40, 900, { "!NXDOMAIN" } },
	{ "k2vnd.example.com", "A", "example.com", "corp-dns2", Y2022,
	  Y2022 + 60, 25, 900, { "!NXDOMAIN" } },
	{ "www.example.com", "TXT", "example.com", "corp-dns1", Y2021, Y2021,
	  2, 300, { "!NODATA" } },
};

static const struct fx_ip ips[] = {
	{ "165.22.196.7", T0, 14061, "US", "DIGITALOCEAN-ASN", "" },
	{ "165.22.196.8", Y2020, 14061, "US", "DIGITALOCEAN-ASN", "" },
	{ "192.0.2.1", Y2020, 64500, "DE", "Example AS", "Berlin" },
};

static char dir[64];
static char out[65536], err[4096];

static int
setup(void **state)
{
	(void)state;
	return fx_setup(dir, sizeof(dir), "rv-cli-test", recs,
	    sizeof(recs) / sizeof(recs[0]), ips, sizeof(ips) / sizeof(ips[0]));
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

static void
test_wildcard_no_overmatch(void **state)
{
	(void)state;
	assert_int_equal(run("lookup", "*.example.com", "-o", "csv", "-s",
	    "name", NULL), 0);
	assert_string_equal(out, CSVH
	    "2022-01-01T00:00:00Z,2022-01-01T00:00:00Z,1,a.b.example.com.,"
	    "AAAA,example.com.,corp-dns1,2001:db8::1,,\n"
	    "2022-01-01T00:00:00Z,2022-01-01T00:00:00Z,2,txt.example.com.,"
	    "TXT,example.com.,corp-dns2,\"\"\"v=spf1 \\\"\"q\\\"\" -all\"\" "
	    "\"\"x,y\"\"\",,\n"
	    "2022-01-01T00:00:00Z,2022-01-01T00:00:00Z,1,we\\.ird.example.com.,"
	    "A,example.com.,corp-dns1,192.0.2.3,,\n"
	    "2021-01-01T00:00:00Z,2021-01-02T00:00:00Z,7,www.example.com.,A,"
	    "example.com.,corp-dns2,192.0.2.1,64500,DE\n"
	    "2021-01-01T00:00:00Z,2021-01-02T00:00:00Z,7,www.example.com.,A,"
	    "example.com.,corp-dns2,192.0.2.2,,\n"
	    "2020-01-01T00:00:00Z,2020-01-02T00:00:00Z,10,www.example.com.,A,"
	    "example.com.,corp-dns1,192.0.2.1,64500,DE\n");
	/* exact: only example.com itself */
	assert_int_equal(run("lookup", "example.com", "-o", "csv", NULL), 0);
	assert_non_null(strstr(out, ",example.com.,A,"));
	assert_null(strstr(out, "example.com.au"));
	assert_null(strstr(out, "www."));
}

static void
test_rhs_wildcard(void **state)
{
	(void)state;
	assert_int_equal(run("lookup", "example.*", "-o", "csv", "-s", "name",
	    NULL), 0);
	assert_non_null(strstr(out, ",example.com.,A,"));
	assert_non_null(strstr(out, ",example.com.au.,A,"));
	assert_null(strstr(out, "www.example.com"));
	assert_null(strstr(out, "notexample"));
}

static void
test_cidr(void **state)
{
	(void)state;
	assert_int_equal(run("rdata", "ip", "165.22.196.0/24", "-o", "csv",
	    "-s", "name", NULL), 0);
	assert_string_equal(out, CSVH
	    "2019-07-17T19:52:00Z,2019-07-18T02:15:00Z,3,"
	    "groupweblogs-gsm1900.com.,A,,,165.22.196.7,14061,US\n"
	    "2019-07-17T19:52:00Z,2019-07-18T02:15:00Z,2,"
	    "cpanel.groupweblogs-gsm1900.com.,A,,,165.22.196.7,14061,US\n"
	    "2019-07-17T19:52:00Z,2019-07-18T02:15:00Z,1,"
	    "webmail.groupweblogs-gsm1900.com.,A,,,165.22.196.7,14061,US\n"
	    "2020-01-01T00:00:00Z,2020-01-01T00:01:40Z,5,other.example.net.,A,"
	    ",,165.22.196.8,14061,US\n");
	/* a range and the data order */
	assert_int_equal(run("rdata", "ip", "192.0.2.1-192.0.2.2", "-o",
	    "csv", "-s", "data", NULL), 0);
	assert_string_equal(out, CSVH
	    "2020-01-01T00:00:00Z,2021-01-02T00:00:00Z,17,www.example.com.,A,"
	    ",,192.0.2.1,64500,DE\n"
	    "2021-01-01T00:00:00Z,2021-01-02T00:00:00Z,7,www.example.com.,A,"
	    ",,192.0.2.2,,\n");
	/* the text format joins the RRsets for sources and bailiwick */
	assert_int_equal(run("rdata", "ip", "192.0.2.1", "-o", "text", NULL),
	    0);
	assert_string_equal(out, ";; first seen 2020-01-01T00:00:00Z, last "
	    "seen 2021-01-02T00:00:00Z, count 17, bailiwick example.com., "
	    "sensors corp-dns1,corp-dns2\n"
	    "www.example.com. 60 IN A 192.0.2.1 ; AS64500 DE\n\n");
	/* --sensor joins in every format */
	assert_int_equal(run("rdata", "ip", "192.0.2.0/24", "-S", "corp-dns2",
	    "-o", "csv", "-s", "data", NULL), 0);
	assert_string_equal(out, CSVH
	    "2020-01-01T00:00:00Z,2021-01-02T00:00:00Z,17,www.example.com.,A,"
	    "example.com.,\"corp-dns1,corp-dns2\",192.0.2.1,64500,DE\n"
	    "2021-01-01T00:00:00Z,2021-01-02T00:00:00Z,7,www.example.com.,A,"
	    "example.com.,corp-dns2,192.0.2.2,,\n");
	assert_int_equal(run("rdata", "ip", "192.0.2.0/24", "-S", "nobody",
	    NULL), 1);
	assert_int_equal(run("rdata", "ip", "2001:db8::/32", "-o", "csv",
	    NULL), 0);
	assert_non_null(strstr(out, ",a.b.example.com.,AAAA,"));
}

static void
test_time_fence(void **state)
{
	(void)state;
	/* overlap: the 2020 row ends before 2021; the 2021 row stays */
	assert_int_equal(run("lookup", "www.example.com", "-A", "2021-01-01",
	    "-o", "csv", NULL), 0);
	assert_string_equal(out, CSVH
	    "2021-01-01T00:00:00Z,2021-01-02T00:00:00Z,7,www.example.com.,A,"
	    "example.com.,corp-dns2,192.0.2.1,64500,DE\n"
	    "2021-01-01T00:00:00Z,2021-01-02T00:00:00Z,7,www.example.com.,A,"
	    "example.com.,corp-dns2,192.0.2.2,,\n");
	/* overlap keeps a row straddling the window edge ... */
	assert_int_equal(run("lookup", "www.example.com", "-A",
	    "2020-01-01T12:00:00Z", "-B", "2020-06-01", "-o", "csv", NULL), 0);
	assert_non_null(strstr(out, ",10,www.example.com."));
	/* ... complete does not */
	assert_int_equal(run("lookup", "www.example.com", "-A",
	    "2020-01-01T12:00:00Z", "-B", "2020-06-01", "-c", "-o", "csv",
	    NULL), 1);
	assert_int_equal(run("lookup", "www.example.com", "--first-before",
	    "2020-06-01", "-o", "csv", NULL), 0);
	assert_null(strstr(out, "2021-01-01T"));
}

static void
test_asn_and_name_pivots(void **state)
{
	(void)state;
	assert_int_equal(run("asn", "AS14061", "-o", "csv", "-s", "name",
	    NULL), 0);
	assert_non_null(strstr(out, ",webmail.groupweblogs-gsm1900.com.,A,"));
	assert_non_null(strstr(out, ",other.example.net.,A,"));
	assert_null(strstr(out, "www.example.com"));
	assert_int_equal(run("asn", "64501", NULL), 1);
	assert_int_equal(run("rdata", "name", "rreui10.traeumtgerade.de", "-o",
	    "csv", NULL), 0);
	assert_string_equal(out, CSVH
	    "2019-07-17T19:52:00Z,2019-07-18T02:15:00Z,1,"
	    "groupweblogs-gsm1900.com.,NS,,,rreui10.traeumtgerade.de.,,\n");
	assert_int_equal(run("rdata", "name", "*.traeumtgerade.de", "-o",
	    "csv", NULL), 0);
	assert_non_null(strstr(out, "rreui11.traeumtgerade.de."));
	/* MX and CNAME targets */
	assert_int_equal(run("rdata", "name", "groupweblogs-gsm1900.com",
	    "-t", "MX", "-o", "csv", NULL), 0);
	assert_non_null(strstr(out, ",MX,"));
	assert_null(strstr(out, ",CNAME,"));
	/* raw TXT rdata */
	assert_int_equal(run("rdata", "raw", "0f763d7370663120227122202d616c6c"
	    "03782c79", "-t", "TXT", "-o", "csv", NULL), 0);
	assert_non_null(strstr(out, ",txt.example.com.,TXT,"));
}

static void
test_subdomains_history(void **state)
{
	(void)state;
	assert_int_equal(run("subdomains", "groupweblogs-gsm1900.com", "-o",
	    "csv", "-s", "name", NULL), 0);
	assert_string_equal(out, CSVH
	    "2019-07-17T19:52:00Z,2019-07-18T02:15:00Z,2,"
	    "cpanel.groupweblogs-gsm1900.com.,,,,,,\n"
	    "2019-07-17T19:52:00Z,2019-07-18T02:15:00Z,1,"
	    "mail.groupweblogs-gsm1900.com.,,,,,,\n"
	    "2019-07-17T19:52:00Z,2019-07-18T02:15:00Z,1,"
	    "webmail.groupweblogs-gsm1900.com.,,,,,,\n");
	assert_int_equal(run("subdomains", "example.com", "--ip",
	    "192.0.2.0/24", "-o", "csv", "-s", "name", NULL), 0);
	assert_string_equal(out, CSVH
	    "2022-01-01T00:00:00Z,2022-01-01T00:00:00Z,1,"
	    "we\\.ird.example.com.,,,,,,\n"
	    "2020-01-01T00:00:00Z,2021-01-02T00:00:00Z,24,"
	    "www.example.com.,,,,,,\n");
	/* history: A, AAAA and CNAME unless -t says otherwise (ANY too) */
	assert_int_equal(run("history", "groupweblogs-gsm1900.com", "-o",
	    "csv", NULL), 0);
	assert_null(strstr(out, ",NS,"));
	assert_int_equal(run("history", "groupweblogs-gsm1900.com", "-t",
	    "ANY", "-o", "csv", NULL), 0);
	assert_non_null(strstr(out, ",NS,"));
	assert_non_null(strstr(out, ",MX,"));
	assert_int_equal(run("history", "www.example.com", "-o", "text",
	    NULL), 0);
	assert_string_equal(out,
	    ";; first seen 2020-01-01T00:00:00Z, last seen 2020-01-02T00:00:00Z"
	    ", count 10, bailiwick example.com., sensors corp-dns1\n"
	    "www.example.com. 60 IN A 192.0.2.1 ; AS64500 DE\n\n"
	    ";; first seen 2021-01-01T00:00:00Z, last seen 2021-01-02T00:00:00Z"
	    ", count 7, bailiwick example.com., sensors corp-dns2\n"
	    "www.example.com. 60 IN A 192.0.2.1 ; AS64500 DE\n"
	    "www.example.com. 60 IN A 192.0.2.2\n\n");
}

static void
test_json_dnsdb_summary(void **state)
{
	(void)state;
	assert_int_equal(run("lookup", "txt.example.com", "-o", "json", NULL),
	    0);
	assert_string_equal(out, "{\"rrname\":\"txt.example.com.\","
	    "\"rrtype\":\"TXT\",\"rdata\":[\"\\\"v=spf1 \\\\\\\"q\\\\\\\" -all"
	    "\\\" \\\"x,y\\\"\"],\"time_first\":1640995200,\"time_last\":"
	    "1640995200,\"count\":2,\"bailiwick\":\"example.com.\","
	    "\"sensor_id\":\"corp-dns2\",\"ttl_min\":60,\"ttl_max\":60}\n");
	assert_int_equal(run("rdata", "ip", "165.22.196.7", "-o", "dnsdb",
	    "-l", "1", "-s", "name", NULL), 0);
	assert_string_equal(out, "{\"cond\":\"begin\"}\n"
	    "{\"obj\":{\"count\":3,\"time_first\":1563393120,\"time_last\":"
	    "1563416100,\"rrname\":\"groupweblogs-gsm1900.com.\",\"rrtype\":"
	    "\"A\",\"rdata\":\"165.22.196.7\"}}\n"
	    "{\"cond\":\"limited\",\"msg\":\"Result limit reached\"}\n");
	assert_int_equal(run("summarize", "lookup", "*.groupweblogs-gsm1900.com",
	    "-o", "json", NULL), 0);
	assert_string_equal(out, "{\"count\":4,\"num_results\":3,"
	    "\"time_first\":1563393120,\"time_last\":1563416100}\n");
	assert_int_equal(run("stats", "-o", "json", NULL), 0);
	assert_non_null(strstr(out, "\"rrsets\":16"));
	assert_non_null(strstr(out, "\"sensor:corp-dns2\":39"));	/* 14 + 25 NXDOMAIN */
	assert_non_null(strstr(out, "\"negatives\":3"));
}

static void
test_table(void **state)
{
	(void)state;
	assert_int_equal(run("lookup", "*.groupweblogs-gsm1900.com", "-o",
	    "table", "-s", "name", NULL), 0);
	/* 80 columns: Source, ASN and CC go, names lose their middle, the
	 * times become dates */
	assert_string_equal(out,
	    "Query                      Type   Count  Response         First Seen"
	    "  Last Seen\n"
	    "cpanel.g...s-gsm1900.com.  A          2  165.22.196.7     2019-07-17"
	    "  2019-07-18\n"
	    "mail.gro...s-gsm1900.com.  CNAME      1  groupweblogs...  2019-07-17"
	    "  2019-07-18\n"
	    "webmail....s-gsm1900.com.  A          1  165.22.196.7     2019-07-17"
	    "  2019-07-18\n");
	/* with room, whole times with seconds and the registered domain */
	setenv("COLUMNS", "120", 1);
	assert_int_equal(run("lookup", "*.groupweblogs-gsm1900.com", "-o",
	    "table", "-s", "name", NULL), 0);
	setenv("COLUMNS", "80", 1);
	assert_non_null(strstr(out, "First Seen (UTC)"));
	assert_non_null(strstr(out, "2019-07-17 19:52:00"));
	assert_non_null(strstr(out, "\ncpanel.groupweblogs-gsm1900.com. "));
}

/* What a new user tripped over: each of these failed before its fix. */
static void
test_user_report(void **state)
{
	(void)state;
	/* a limited answer says so in every format, and still exits 0 */
	static const char *fmts[] = { "json", "csv", "text", "table" };
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		assert_int_equal(run("lookup", "*.example.com", "-l", "1", "-o",
		    fmts[i], NULL), 0);
		if (strstr(err, "more results than --limit 1 for "
		    "'*.example.com'") == NULL)
			fail_msg("-o %s: no limit note: '%s'", fmts[i], err);
	}
	assert_int_equal(run("lookup", "*.example.com", "-l", "1", "-o",
	    "dnsdb", NULL), 0);
	assert_string_equal(err, "");	/* its last line says it */
	assert_non_null(strstr(out, "\"cond\":\"limited\""));
	assert_int_equal(run("lookup", "*.example.com", "-l", "0", "-o",
	    "json", NULL), 0);
	assert_string_equal(err, "");

	/* eight digits that make a date are that date, not 1970 */
	assert_int_equal(run("lookup", "www.example.com", "-A", "20210101",
	    "-o", "csv", NULL), 0);
	assert_null(strstr(out, ",10,www.example.com."));	/* 2020's */
	assert_non_null(strstr(out, ",7,www.example.com."));
	/* dnsdbq's relative forms */
	assert_int_equal(run("lookup", "www.example.com", "-A", "-86400", "-B",
	    "now", NULL), 1);	/* nothing seen in the last day */
	assert_int_equal(run("lookup", "www.example.com", "-A", "1w2d", NULL),
	    1);

	/* a window that ends before it starts is an error, not 'none' */
	assert_int_equal(run("lookup", "www.example.com", "-A", "2021-01-01",
	    "-B", "2020-01-01", NULL), 2);
	assert_non_null(strstr(err, "ends before it starts"));
	assert_int_equal(run("lookup", "www.example.com", "--last-after",
	    "2021-01-01", "--last-before", "2020-01-01", NULL), 2);
	assert_non_null(strstr(err, "--last-after is later"));

	/* TYPE0 is no type: a usage error like any unknown type */
	assert_int_equal(run("lookup", "-t", "TYPE0", "www.example.com", NULL),
	    2);
	assert_non_null(strstr(err, "unknown type"));

	/* an IPv4-mapped address finds the IPv4 rows */
	assert_int_equal(run("rdata", "ip", "::ffff:192.0.2.1", "-o", "csv",
	    NULL), 0);
	assert_non_null(strstr(out, ",www.example.com.,A,,,192.0.2.1,"));
	assert_int_equal(run("rdata", "ip", "::ffff:192.0.2.0/120", "-o",
	    "csv", "-l", "0", NULL), 0);
	assert_non_null(strstr(out, ",192.0.2.12,"));
	assert_int_equal(run("subdomains", "example.com", "--ip",
	    "::ffff:192.0.2.1", "-o", "csv", NULL), 0);
	assert_non_null(strstr(out, "www.example.com."));

	/* reverse rows in text show their RRsets' TTL, not 0 */
	assert_int_equal(run("rdata", "ip", "165.22.196.7", "-o", "text", "-s",
	    "name", NULL), 0);
	assert_non_null(strstr(out, "groupweblogs-gsm1900.com. 300 IN A "
	    "165.22.196.7"));
	assert_null(strstr(out, " 0 IN A"));
}

/* Negative answers can be asked for, in every format, and are never
 * mixed into the RRsets. */
static void
test_negative(void **state)
{
	(void)state;
	assert_int_equal(run("lookup", "*.example.com", "--negative", "-o",
	    "csv", "-s", "count", NULL), 0);
	assert_string_equal(out, CSVH
	    "2022-01-01T00:00:00Z,2022-01-01T00:00:00Z,40,qx7fz.example.com.,"
	    "A,example.com.,corp-dns1,NXDOMAIN,,\n"
	    "2022-01-01T00:00:00Z,2022-01-01T00:01:00Z,25,k2vnd.example.com.,"
	    "A,example.com.,corp-dns2,NXDOMAIN,,\n"
	    "2021-01-01T00:00:00Z,2021-01-01T00:00:00Z,2,www.example.com.,"
	    "TXT,example.com.,corp-dns1,NODATA,,\n");
	assert_int_equal(run("lookup", "qx7fz.example.com", "--negative", "-o",
	    "json", NULL), 0);
	assert_string_equal(out, "{\"rrname\":\"qx7fz.example.com.\","
	    "\"rrtype\":\"A\",\"rcode\":\"NXDOMAIN\",\"time_first\":"
	    "1640995200,\"time_last\":1640995200,\"count\":40,\"bailiwick\":"
	    "\"example.com.\",\"sensor_id\":\"corp-dns1\",\"ttl_min\":900,"
	    "\"ttl_max\":900}\n");
	assert_int_equal(run("lookup", "qx7fz.example.com", "--negative", "-o",
	    "text", NULL), 0);
	assert_non_null(strstr(out, "qx7fz.example.com. 900 IN A ; "
	    "NXDOMAIN\n"));
	assert_int_equal(run("lookup", "qx7fz.example.com", "--negative", "-o",
	    "dnsdb", NULL), 0);
	assert_non_null(strstr(out, "\"rrtype\":\"A\",\"bailiwick\":"
	    "\"example.com.\",\"rcode\":\"NXDOMAIN\"}}"));
	assert_int_equal(run("lookup", "qx7fz.example.com", "--negative", "-o",
	    "table", NULL), 0);
	assert_non_null(strstr(out, "NXDOMAIN"));
	/* totals for an NXDOMAIN storm; filters apply */
	assert_int_equal(run("summarize", "lookup", "*.example.com",
	    "--negative", "-t", "A", "-o", "csv", NULL), 0);
	assert_string_equal(out, "num_results,count,time_first,time_last\n"
	    "2,65,2022-01-01T00:00:00Z,2022-01-01T00:01:00Z\n");
	assert_int_equal(run("history", "www.example.com", "--negative", "-t",
	    "TXT", "-o", "csv", NULL), 0);
	assert_non_null(strstr(out, ",NODATA,"));
	/* never in the RRsets' answers */
	assert_int_equal(run("lookup", "qx7fz.example.com", NULL), 1);
	assert_int_equal(run("lookup", "www.example.com", "-t", "TXT", NULL),
	    1);
	assert_int_equal(run("lookup", "qx7fz.*", "--negative", NULL), 2);
	assert_non_null(strstr(err, "does not reach negative answers"));
}

/* What dnsdbq users type and their scripts hold. */
static void
test_dnsdb_habits(void **state)
{
	char path[128];
	FILE *f;

	(void)state;
	/* NAME/TYPE[/BAILIWICK] */
	assert_int_equal(run("lookup", "www.example.com/A", "-o", "csv", "-l",
	    "0", NULL), 0);
	assert_non_null(strstr(out, ",www.example.com.,A,"));
	assert_int_equal(run("lookup", "groupweblogs-gsm1900.com/NS", "-o",
	    "csv", NULL), 0);
	assert_null(strstr(out, ",A,"));
	assert_non_null(strstr(out, ",NS,"));
	assert_int_equal(run("lookup", "groupweblogs-gsm1900.com/ANY/com",
	    "-o", "csv", NULL), 0);
	assert_non_null(strstr(out, ",NS,com.,"));	/* only com's */
	assert_null(strstr(out, ",A,"));
	assert_int_equal(run("lookup", "www.example.com/A/x/y", NULL), 2);
	assert_non_null(strstr(err, "want NAME/TYPE[/BAILIWICK]"));
	/* a name with '/' (RFC 2317) is still a name */
	assert_int_equal(run("lookup", "0/25.2.0.192.in-addr.arpa", NULL), 1);
	/* ADDR,LEN */
	assert_int_equal(run("rdata", "ip", "192.0.2.0,24", "-o", "csv", "-l",
	    "0", NULL), 0);
	assert_non_null(strstr(out, ",192.0.2.12,"));
	/* dnsdbq's batch lines, whatever the command */
	snprintf(path, sizeof(path), "%s/batch.txt", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("rrset/name/www.example.com/A\nrdata/ip/165.22.196.8\n"
	    "rdata/name/rreui10.traeumtgerade.de/NS\n", f);
	fclose(f);
	assert_int_equal(run("lookup", "-f", path, "-o", "csv", "-l", "0",
	    NULL), 0);
	assert_non_null(strstr(out, ",www.example.com.,A,"));
	assert_non_null(strstr(out, ",other.example.net.,A,"));
	assert_non_null(strstr(out, ",groupweblogs-gsm1900.com.,NS,"));
	/* an unknown sensor is said, with the dnsdbq hint when -S looks like
	 * it swallowed an argument */
	assert_int_equal(run("lookup", "www.example.com", "-S", "-k", NULL), 1);
	assert_non_null(strstr(err, "no sensor '-k' in this database"));
	assert_non_null(strstr(err, "not dnsdbq's sort"));
	assert_int_equal(run("lookup", "-S", "www.example.com", "x.example",
	    NULL), 1);
	assert_non_null(strstr(err, "no sensor 'www.example.com'"));
	/* dnsdbq's own flags get the rearview way to say it */
	assert_int_equal(run("-r", "www.example.com/A", NULL), 2);
	assert_non_null(strstr(err, "'-r' is dnsdbq's; in rearview write "
	    "'rearview lookup NAME[/TYPE[/BAILIWICK]]'"));
	assert_int_equal(run("-i", "192.0.2.1", NULL), 2);
	assert_non_null(strstr(err, "rdata ip ADDR[,LEN]"));
	/* pasted URLs and text get a hint */
	assert_int_equal(run("lookup", "https://user@www.example.com:8443/x?y",
	    NULL), 2);
	assert_non_null(strstr(err, "is a URL: give its host name "
	    "('www.example.com')"));
	assert_int_equal(run("lookup", "www.example.com other.example.net",
	    NULL), 2);
	assert_non_null(strstr(err, "a name has no spaces"));
}

static void
test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(run("lookup", "nothing.example.org", NULL), 1);
	assert_int_equal(run("lookup", "a..b", NULL), 2);
	assert_non_null(strstr(err, "invalid name 'a..b'"));
	assert_int_equal(run("rdata", "ip", "10.0.0.0/33", NULL), 2);
	assert_non_null(strstr(err, "10.0.0.0/33"));
	assert_int_equal(run("lookup", "-t", "BOGUS", "x.com", NULL), 2);
	assert_non_null(strstr(err, "unknown type"));
	assert_int_equal(run("lookup", "--db", "/nonexistent/rv", "x.com",
	    NULL), 3);
	assert_non_null(strstr(err, "no rearview database"));
	assert_int_equal(run("frobnicate", NULL), 2);
	assert_int_equal(run("lookup", "--bogus", "x", NULL), 2);
	assert_non_null(strstr(err, "'--bogus'"));
	assert_int_equal(run("lookup", NULL), 2);
	assert_int_equal(run("lookup", "-l", "-5", "x", NULL), 2);
	assert_int_equal(run("asn", "ASX", NULL), 2);
	assert_int_equal(run("rdata", "raw", "abc", NULL), 2);
	assert_int_equal(run("lookup", "*", NULL), 2);
	assert_int_equal(run("lookup", "--help", NULL), 0);
	/* every command's options parse (no code clashes with common ones) */
	assert_int_equal(run("history", "--help", NULL), 0);
	assert_int_equal(run("rdata", "ip", "--help", NULL), 0);
	assert_int_equal(run("rdata", "name", "--help", NULL), 0);
	assert_int_equal(run("rdata", "raw", "--help", NULL), 0);
	assert_int_equal(run("asn", "--help", NULL), 0);
	assert_int_equal(run("subdomains", "--help", NULL), 0);
	assert_int_equal(run("stats", "--help", NULL), 0);
	assert_int_equal(run("report", "fastflux", "--help", NULL), 0);
	assert_int_equal(run("report", "tunnel", "--help", NULL), 0);
	assert_int_equal(run("--version", NULL), 0);
	/* an error quoting a huge or multi-line argument stays one short
	 * line and keeps its hint */
	{
		static char huge[20000];
		memset(huge, 'a', sizeof(huge) - 1);
		assert_int_equal(run("lookup", huge, NULL), 2);
		assert_true(strlen(err) < 600);
		assert_non_null(strstr(err, "[...]"));
		assert_non_null(strstr(err, "over 255 octets\n"));
		assert_int_equal(run("lookup", "a.example\nb.example", NULL), 2);
		assert_non_null(strstr(err, "a.example?b.example"));
		assert_int_equal(strchr(err, '\n')[1], '\0');
	}
	/* every error is one line */
	assert_int_equal(run("lookup", "-A", "yesterday", "x", NULL), 2);
	assert_non_null(strchr(err, '\n'));
	assert_int_equal(strchr(err, '\n')[1], '\0');
}

static void
test_idn_offset(void **state)
{
	(void)state;
	/* U-labels in, A-labels stored; --idn shows both */
#define UBUCHER "b\xc3\xbc" "cher"	/* "bücher" in UTF-8 */
	assert_int_equal(run("lookup", UBUCHER ".de", "-o", "csv", NULL), 0);
	assert_non_null(strstr(out, ",xn--bcher-kva.de.,A,"));
	assert_int_equal(run("lookup", "xn--bcher-kva.de", "--idn", "-o",
	    "csv", NULL), 0);
	assert_non_null(strstr(out, ",xn--bcher-kva.de. (" UBUCHER ".de.),"));
	assert_int_equal(run("lookup", "xn--bcher-kva.de", "--idn", "-o",
	    "json", NULL), 0);
	assert_non_null(strstr(out, "\"rrname_unicode\":\"" UBUCHER ".de.\""));
	assert_int_equal(run("lookup", UBUCHER "..de", NULL), 2);
	/* offset and limit, streamed (key order) and sorted (heap) */
	assert_int_equal(run("lookup", "*.example.com", "-s", "name",
	    "--offset", "1", "-l", "1", "-o", "csv", NULL), 0);
	assert_string_equal(out, CSVH
	    "2022-01-01T00:00:00Z,2022-01-01T00:00:00Z,2,txt.example.com.,"
	    "TXT,example.com.,corp-dns2,\"\"\"v=spf1 \\\"\"q\\\"\" -all\"\" "
	    "\"\"x,y\"\"\",,\n");
	assert_int_equal(run("lookup", "*.example.com", "-s", "count",
	    "--offset", "1", "-l", "1", "-o", "csv", NULL), 0);
	assert_non_null(strstr(out, ",7,www.example.com.,A,"));
	assert_int_equal(run("lookup", "*.example.com", "-s", "count", "-r",
	    "-l", "1", "-o", "csv", NULL), 0);
	assert_non_null(strstr(out, ",1,a.b.example.com.,"));
}

static void
test_batch(void **state)
{
	char path[128];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/batch.txt", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# comment\n192.0.2.2\n\n  165.22.196.8  \n", f);
	fclose(f);
	assert_int_equal(run("rdata", "ip", "-f", path, "-o", "dnsdb", NULL),
	    0);
	/* each query's begin line names it */
	assert_string_equal(out, "{\"cond\":\"begin\",\"query\":"
	    "\"192.0.2.2\"}\n"
	    "{\"obj\":{\"count\":7,\"time_first\":1609459200,\"time_last\":"
	    "1609545600,\"rrname\":\"www.example.com.\",\"rrtype\":\"A\","
	    "\"rdata\":\"192.0.2.2\"}}\n"
	    "{\"cond\":\"succeeded\"}\n{\"cond\":\"begin\",\"query\":"
	    "\"165.22.196.8\"}\n"
	    "{\"obj\":{\"count\":5,\"time_first\":1577836800,\"time_last\":"
	    "1577836900,\"rrname\":\"other.example.net.\",\"rrtype\":\"A\","
	    "\"rdata\":\"165.22.196.8\"}}\n"
	    "{\"cond\":\"succeeded\"}\n");
	/* and every other format says which query each row answers */
	assert_int_equal(run("rdata", "ip", "-f", path, "-o", "json", NULL),
	    0);
	assert_non_null(strstr(out, "\"rrname\":\"www.example.com.\""));
	assert_non_null(strstr(out, ",\"query\":\"192.0.2.2\"}\n"));
	assert_non_null(strstr(out, ",\"query\":\"165.22.196.8\"}\n"));
	assert_int_equal(run("rdata", "ip", "-f", path, "-o", "csv", NULL),
	    0);
	assert_string_equal(out, "query," CSVH
	    "192.0.2.2,2021-01-01T00:00:00Z,2021-01-02T00:00:00Z,7,"
	    "www.example.com.,A,,,192.0.2.2,,\n"
	    "165.22.196.8,2020-01-01T00:00:00Z,2020-01-01T00:01:40Z,5,"
	    "other.example.net.,A,,,165.22.196.8,14061,US\n");
	assert_int_equal(run("rdata", "ip", "-f", path, "-o", "text", NULL),
	    0);
	assert_non_null(strstr(out, ";; query 192.0.2.2\n"));
	assert_non_null(strstr(out, ";; query 165.22.196.8\n"));
	assert_int_equal(run("rdata", "ip", "-f", path, "-o", "table", NULL),
	    0);
	assert_non_null(strstr(out, ";; 192.0.2.2\n"));
	assert_non_null(strstr(out, "\n;; 165.22.196.8\n"));
	/* several arguments are a batch too; one is not */
	assert_int_equal(run("summarize", "rdata", "ip", "192.0.2.2",
	    "165.22.196.8", "-o", "json", NULL), 0);
	assert_non_null(strstr(out, "\"query\":\"165.22.196.8\"}"));
	assert_int_equal(run("rdata", "ip", "192.0.2.2", "-o", "json", NULL),
	    0);
	assert_null(strstr(out, "\"query\""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wildcard_no_overmatch),
		cmocka_unit_test(test_rhs_wildcard),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_time_fence),
		cmocka_unit_test(test_asn_and_name_pivots),
		cmocka_unit_test(test_subdomains_history),
		cmocka_unit_test(test_json_dnsdb_summary),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_user_report),
		cmocka_unit_test(test_dnsdb_habits),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_idn_offset),
		cmocka_unit_test(test_batch),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
