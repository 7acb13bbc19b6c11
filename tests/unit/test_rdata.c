/**
 * \file test_rdata.c
 * Types, and rdata text <-> wire through ldns for common, modern and
 * unknown types; the target-name extraction of the reverse name index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rv_err.h"
#include "rv_name.h"
#include "rv_rdata.h"

static uint16_t
type(const char *s)
{
	uint16_t t = 0;

	assert_int_equal(rv_type_from_str(s, &t), RV_OK);
	return t;
}

/* text -> wire -> text gives `expect`. */
static void
rt(const char *t, const char *in, const char *expect)
{
	uint8_t rd[4096];
	size_t len = sizeof(rd);
	char out[8192];

	assert_int_equal(rv_rdata_from_str(type(t), in, rd, &len), RV_OK);
	assert_int_equal(rv_rdata_to_str(type(t), rd, len, out, sizeof(out)),
	    RV_OK);
	assert_string_equal(out, expect);
}

static void
test_types(void **state)
{
	char buf[RV_TYPE_STR_MAX];

	(void)state;
	assert_int_equal(type("A"), 1);
	assert_int_equal(type("aaaa"), 28);
	assert_int_equal(type("HTTPS"), 65);
	assert_int_equal(type("TYPE65280"), 65280);
	assert_string_equal(rv_type_to_str(1, buf), "A");
	assert_string_equal(rv_type_to_str(65280, buf), "TYPE65280");
	assert_string_equal(rv_type_to_str(46, buf), "RRSIG");
	uint16_t t;
	assert_int_equal(rv_type_from_str("BOGUS", &t), RV_EINVAL);
	assert_int_equal(rv_type_from_str("TYPE65536", &t), RV_EINVAL);
	assert_string_equal(rv_rcode_to_str(3, buf), "NXDOMAIN");
	assert_string_equal(rv_class_to_str(1, buf), "IN");
}

static void
test_roundtrips(void **state)
{
	(void)state;
	rt("A", "165.22.196.7", "165.22.196.7");
	rt("AAAA", "2001:db8::1", "2001:db8::1");
	rt("NS", "rreui10.traeumtgerade.de.", "rreui10.traeumtgerade.de.");
	rt("MX", "10 groupweblogs-gsm1900.com.", "10 groupweblogs-gsm1900.com.");
	rt("TXT", "\"v=spf1 -all\" \"two\"", "\"v=spf1 -all\" \"two\"");
	rt("TXT", "\"quote\\\"semi;\"", "\"quote\\\"semi;\"");
	rt("CAA", "0 issue \"letsencrypt.org\"", "0 issue \"letsencrypt.org\"");
	rt("SOA", "ns1.example. host.example. 1 7200 3600 1209600 300",
	    "ns1.example. host.example. 1 7200 3600 1209600 300");
	rt("SRV", "0 5 5060 sip.example.", "0 5 5060 sip.example.");
	rt("TYPE65280", "\\# 3 010203", "\\# 3 010203");
}

static void
test_svcb(void **state)
{
	uint8_t rd[512];
	size_t len = sizeof(rd);
	char out[1024];

	(void)state;
	/* ldns in Debian 12 knows SVCB/HTTPS key=value syntax. */
	if (rv_rdata_from_str(65, "1 . alpn=h2,h3", rd, &len) != RV_OK)
		skip();
	assert_int_equal(rv_rdata_to_str(65, rd, len, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "alpn="));
}

static void
test_malformed_is_generic(void **state)
{
	const uint8_t bad_a[] = { 1, 2, 3 };	/* A must be 4 octets */
	char out[64];

	(void)state;
	assert_int_equal(rv_rdata_to_str(1, bad_a, sizeof(bad_a), out,
	    sizeof(out)), RV_OK);
	assert_string_equal(out, "\\# 3 010203");
	assert_int_equal(rv_rdata_to_str(1, bad_a, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "\\# 0");
}

static void
test_bad_text(void **state)
{
	uint8_t rd[64];
	size_t len = sizeof(rd);

	(void)state;
	assert_int_equal(rv_rdata_from_str(1, "1.2.3", rd, &len), RV_EINVAL);
	len = sizeof(rd);
	assert_int_equal(rv_rdata_from_str(28, "zz::1::2", rd, &len), RV_EINVAL);
	len = 2;
	assert_int_equal(rv_rdata_from_str(1, "1.2.3.4", rd, &len),
	    RV_ETOOBIG);
}

static void
target_is(const char *t, const char *text, const char *expect)
{
	uint8_t rd[512], w[RV_NAME_MAX];
	size_t len = sizeof(rd), nlen, wl;
	const uint8_t *name;

	assert_int_equal(rv_rdata_from_str(type(t), text, rd, &len), RV_OK);
	assert_int_equal(rv_rdata_target(type(t), rd, len, &name, &nlen), 0);
	assert_int_equal(rv_name_from_str(expect, w, &wl), RV_OK);
	assert_int_equal(nlen, wl);
	assert_memory_equal(name, w, wl);
}

static void
test_targets(void **state)
{
	uint8_t rd[8];
	const uint8_t *name;
	size_t nlen;

	(void)state;
	target_is("NS", "ns1.example.", "ns1.example");
	target_is("CNAME", "a.example.", "a.example");
	target_is("MX", "10 mx.example.", "mx.example");
	target_is("SRV", "0 5 5060 sip.example.", "sip.example");
	target_is("SOA", "ns1.example. host.example. 1 2 3 4 5", "ns1.example");
	target_is("PTR", "host.example.", "host.example");
	target_is("NAPTR", "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.",
	    "_sip._udp.example");
	assert_int_equal(rv_rdata_target(1, rd, 4, &name, &nlen), RV_ENOENT);
	memcpy(rd, "\x00\x0a\x03mx", 5);	/* MX with a cut name */
	assert_int_equal(rv_rdata_target(15, rd, 5, &name, &nlen), RV_EFORMAT);
	assert_int_equal(rv_rdata_target(15, rd, 1, &name, &nlen), RV_EFORMAT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_roundtrips),
		cmocka_unit_test(test_svcb),
		cmocka_unit_test(test_malformed_is_generic),
		cmocka_unit_test(test_bad_text),
		cmocka_unit_test(test_targets),
	};
	return cmocka_run_group_tests_name("rdata", tests, NULL, NULL);
}
