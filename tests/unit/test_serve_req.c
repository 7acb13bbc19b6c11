/**
 * \file test_serve_req.c
 * The service's request targets (serve/sv_req.c): routes, the query path
 * split before decoding, DNSDB's parameters, and hostile targets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "sv_req.h"

#define NOW 1800000000

static struct sv_req r;
static char msg[256];

static int
parse(const char *t)
{
	return sv_req_parse(t, strlen(t), NOW, &r, msg, sizeof(msg));
}

static void
test_routes(void **state)
{
	(void)state;
	assert_int_equal(parse("/dnsdb/v2/ping"), 0);
	assert_int_equal(r.route, SV_PING);
	assert_int_equal(parse("/dnsdb/v2/rate_limit?swclient=dnsdbq"), 0);
	assert_int_equal(r.route, SV_RATE_LIMIT);
	assert_int_equal(r.proto, SV_DNSDB2);
	assert_int_equal(parse("/rate_limit"), 0);
	assert_int_equal(r.route, SV_RATE_LIMIT);
	assert_int_equal(r.proto, SV_DNSDB1);
	assert_int_equal(parse("/nothing/here"), 0);
	assert_int_equal(r.route, SV_NONE);
	assert_int_equal(parse("/dnsdb/v2/pingg"), 0);
	assert_int_equal(r.route, SV_NONE);
	assert_int_equal(parse("/pdns/query/192.0.2.1"), 0);
	assert_int_equal(r.proto, SV_CIRCL);
	assert_int_equal(r.circl_guess, 1);
	assert_string_equal(r.value, "192.0.2.1");
	assert_int_equal(parse("/api/v1/asn/AS13335"), 0);
	assert_int_equal(r.kind, RVQ_ASN);
	assert_int_equal(r.proto, SV_NATIVE);
	assert_int_equal(parse("/api/v1/subdomains/example.com?ip=10.0.0.0%2F8"
	    "&sensor=r1"), 0);
	assert_int_equal(r.kind, RVQ_SUBDOMAINS);
	assert_string_equal(r.ip, "10.0.0.0/8");
	assert_string_equal(r.sensor, "r1");
	assert_int_equal(parse("/api/v1/history/www.example.com?type=A"), 0);
	assert_int_equal(r.route, SV_HISTORY);
	assert_int_equal(r.kind, RVQ_LOOKUP);
	assert_string_equal(r.types, "A");
	assert_int_equal(parse("/api/v1/report/tunnel?window=7d&all=t"), 0);
	assert_int_equal(r.route, SV_REPORT);
	assert_int_equal(r.report, 2);
	assert_int_equal(r.window, 7 * 86400);
	assert_int_equal(r.all, 1);
	assert_int_equal(parse("/api/v1/report/fastflux"), 0);
	assert_int_equal(r.window, 86400);
	assert_int_equal(parse("/api/v1/report/fastflux?window=-1"), 400);
	assert_int_equal(parse("/api/v1/report/other"), 0);
	assert_int_equal(r.route, SV_NONE);
	assert_int_equal(parse("/api/v1/count/rdata/ip/10.0.0.0,8"), 0);
	assert_int_equal(r.route, SV_COUNT);
}

/* A text parameter longer than its buffer is a 400 that names it. */
static void
test_text_too_long(void **state)
{
	char t[600];

	(void)state;
	snprintf(t, sizeof(t), "/api/v1/lookup/rrset/name/x?sensor=%0300d", 0);
	assert_int_equal(parse(t), 400);
	assert_string_equal(msg, "sensor: too long");
	snprintf(t, sizeof(t), "/api/v1/history/x?type=%0200d", 0);
	assert_int_equal(parse(t), 400);
	assert_string_equal(msg, "type: too long");
	snprintf(t, sizeof(t), "/api/v1/lookup/rrset/name/x?sensor=%0127d", 0);
	assert_int_equal(parse(t), 0);
	assert_int_equal(strlen(r.sensor), 127);
}

static void
test_qpath(void **state)
{
	(void)state;
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/www.example.com/"
	    "A/example.com"), 0);
	assert_int_equal(r.route, SV_LOOKUP);
	assert_int_equal(r.kind, RVQ_LOOKUP);
	assert_string_equal(r.value, "www.example.com");
	assert_string_equal(r.types, "A");
	assert_string_equal(r.bailiwick, "example.com");
	assert_int_equal(parse("/dnsdb/v2/summarize/rrset/name/*.example.com/"
	    "ANY-DNSSEC"), 0);
	assert_int_equal(r.route, SV_SUMMARIZE);
	assert_string_equal(r.value, "*.example.com");
	assert_int_equal(parse("/lookup/rdata/ip/10.0.0.1-10.0.0.9"), 0);
	assert_int_equal(r.kind, RVQ_RDATA_IP);
	assert_string_equal(r.value, "10.0.0.1-10.0.0.9");
	assert_int_equal(parse("/dnsdb/v2/lookup/rdata/raw/0a000001/A"), 0);
	assert_int_equal(r.kind, RVQ_RDATA_RAW);
	/* An encoded '/' is part of a value, never a separator. */
	assert_int_equal(parse("/dnsdb/v2/lookup/rdata/name/0%2F25.2.0.192."
	    "in-addr.arpa/PTR"), 0);
	assert_string_equal(r.value, "0/25.2.0.192.in-addr.arpa");
	assert_string_equal(r.types, "PTR");
	/* dnsdbq sends a '/' of a value unencoded: parts up to the first
	 * type are the value's; the bailiwick keeps its own */
	assert_int_equal(parse("/dnsdb/v2/lookup/rdata/name/0/25.2.0.192."
	    "in-addr.arpa"), 0);
	assert_string_equal(r.value, "0/25.2.0.192.in-addr.arpa");
	assert_string_equal(r.types, "");
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/1.0/25.2.0.192."
	    "in-addr.arpa/PTR/0/25.2.0.192.in-addr.arpa"), 0);
	assert_string_equal(r.value, "1.0/25.2.0.192.in-addr.arpa");
	assert_string_equal(r.types, "PTR");
	assert_string_equal(r.bailiwick, "0/25.2.0.192.in-addr.arpa");
	assert_int_equal(parse("/dnsdb/v2/lookup/rdata/ip/10.0.0.0/8"), 0);
	assert_string_equal(r.value, "10.0.0.0/8");
	/* rrset/raw: the owner in wire form, made text */
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/raw/"
	    "03777777076578616d706c6503636f6d00/A"), 0);
	assert_int_equal(r.kind, RVQ_LOOKUP);
	assert_string_equal(r.value, "www.example.com.");
	/* a trailing slash adds nothing */
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/example.com/"), 0);
	assert_string_equal(r.types, "");
}

static void
test_qpath_bad(void **state)
{
	(void)state;
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name"), 400);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/ip/10.0.0.1"), 400);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/x/TYPE0"), 400);
	assert_non_null(strstr(msg, "unknown type"));
	assert_int_equal(parse("/dnsdb/v2/lookup/rdata/name/x/A/b"), 400);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/x/A,TYPE0"), 400);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/raw/0377/A"), 400);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/raw/zz/A"), 400);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name//A"), 400);
	assert_non_null(strstr(msg, "empty"));
	assert_int_equal(parse("/dnsdb/v2/lookup/blah/name/x"), 400);
}

static void
test_params(void **state)
{
	(void)state;
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/x?limit=5&"
	    "offset=7&max_count=9&time_first_after=-86400&"
	    "time_last_before=1700000000&humantime=True&aggr=f&swclient=q&"
	    "version=2.6.7&id=abc"), 0);
	assert_int_equal(r.limit_set, 1);
	assert_int_equal(r.limit, 5);
	assert_int_equal(r.offset, 7);
	assert_int_equal(r.max_count, 9);
	assert_int_equal(r.tfa.set, 1);
	assert_int_equal(r.tfa.v, NOW - 86400);
	assert_int_equal(r.tlb.v, 1700000000);
	assert_int_equal(r.tfb.set, 0);
	assert_int_equal(r.humantime, 1);
	assert_int_equal(r.aggr, 0);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/x?limit=0"), 0);
	assert_int_equal(r.limit_set, 1);
	assert_int_equal(r.limit, 0);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/x?humantime=t"),
	    0);
	assert_int_equal(r.humantime, 1);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/x?limit=-1"), 400);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/x?limit=1e9"),
	    400);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/x?limit="
	    "99999999999999999999999"), 400);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/x?humantime=maybe"),
	    400);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/x?"
	    "time_first_after=yesterday"), 400);
	/* empty pairs and valueless keys are harmless */
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/x?&&swclient&"),
	    0);
	assert_int_equal(sv_bool("FALSE"), 0);
	assert_int_equal(sv_bool("Yes"), 1);
	assert_int_equal(sv_bool(""), -1);
}

static void
test_hostile(void **state)
{
	char big[SV_TARGET_MAX + 64];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(parse(big), 414);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/a%00b"), 400);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/a%0ab"), 400);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/a%zzb"), 400);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/a%2"), 400);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/a%"), 400);
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/x?limit=%00"),
	    400);
	assert_int_equal(parse("relative/path"), 400);
	assert_int_equal(parse(""), 400);
	assert_int_equal(sv_req_parse("/a\0b", 4, NOW, &r, msg, sizeof(msg)),
	    400);
	/* messages are one line whatever they quote */
	assert_int_equal(parse("/dnsdb/v2/lookup/rrset/name/x/%1b%5b31m"),
	    400);
	for (const char *p = msg; *p != '\0'; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	/* more segments than any route has */
	assert_int_equal(parse("/a/b/c/d/e/f/g/h/i/j/k/l/m/n"), 404);
}

static void
test_pct(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(sv_pct_decode("a%41+b", 6, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "aA b");
	assert_int_equal(sv_pct_decode("a%41+b", 6, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "aA+b");
	assert_int_equal(sv_pct_decode("abcdefgh", 8, 0, out, sizeof(out)),
	    -1);
	assert_int_equal(sv_pct_decode("abcdefg", 7, 0, out, sizeof(out)), 0);
	assert_int_equal(sv_pct_decode("%7f", 3, 0, out, sizeof(out)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_text_too_long),
		cmocka_unit_test(test_qpath),
		cmocka_unit_test(test_qpath_bad),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_pct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
