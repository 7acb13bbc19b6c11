/**
 * \file test_rdata_text.c
 * The ldns-free printers of MX, SRV, SOA and TXT (rv_rdata_text.c) print
 * exactly what ldns prints: compared on many random rdata, including every
 * octet value in TXT strings, truncated and overlong rdata, and buffers
 * too short by one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rv_err.h"
#include "rv_rdata.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11) % n;
}

/* A random name; its octets avoid `"`, `@` and `$`, the three that
 * rv_name_to_str escapes and ldns does not (see rv_rdata_text.c). */
static size_t
rand_name(uint8_t *p)
{
	static const char odd[] = ".;()\\ \t\x7f\x80\xff-_*";
	size_t o = 0;
	int labels = (int)rnd(4);

	for (int l = 0; l < labels; l++) {
		uint8_t n = (uint8_t)(1 + rnd(12));
		p[o++] = n;
		for (uint8_t i = 0; i < n; i++) {
			if (rnd(8) == 0)
				p[o++] = (uint8_t)odd[rnd(sizeof(odd) - 1)];
			else
				p[o++] = (uint8_t)('a' + rnd(26));
		}
	}
	p[o++] = 0;
	return o;
}

static size_t
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 2;
}

static size_t
rand_rdata(uint16_t type, uint8_t *p)
{
	size_t o = 0;

	switch (type) {
	case 15:
		o += put16(p, rnd(65536));
		o += rand_name(p + o);
		break;
	case 33:
		for (int i = 0; i < 3; i++)
			o += put16(p + o, rnd(65536));
		o += rand_name(p + o);
		break;
	case 6:
		o += rand_name(p);
		o += rand_name(p + o);
		for (int i = 0; i < 5; i++) {
			o += put16(p + o, rnd(65536));
			o += put16(p + o, rnd(65536));
		}
		break;
	default: {	/* TXT, SPF: 1-3 strings of any octets */
		int n = 1 + (int)rnd(3);
		for (int s = 0; s < n; s++) {
			uint8_t l = (uint8_t)rnd(rnd(4) == 0 ? 256 : 20);
			p[o++] = l;
			for (uint8_t i = 0; i < l; i++)
				p[o++] = (uint8_t)rnd(256);
		}
	}
	}
	return o;
}

static void
check_same(uint16_t type, const uint8_t *rd, size_t len)
{
	char fast[4096], slow[4096];
	int a = rv_rdata_to_str_fast(type, rd, len, fast, sizeof(fast));
	int b = rv_rdata_to_str_ldns(type, rd, len, slow, sizeof(slow));

	assert_int_equal(b, RV_OK);
	if (a == RV_ENOENT) {	/* not exactly this type: ldns decides */
		assert_int_equal(rv_rdata_to_str(type, rd, len, fast,
		    sizeof(fast)), RV_OK);
		assert_string_equal(fast, slow);
		return;
	}
	assert_int_equal(a, RV_OK);
	if (strcmp(fast, slow) != 0)
		fail_msg("type %u: fast '%s' ldns '%s'", type, fast, slow);
	/* one octet short: too big, never a truncated answer */
	size_t n = strlen(fast);
	assert_int_equal(rv_rdata_to_str_fast(type, rd, len, fast, n),
	    RV_ETOOBIG);
	assert_int_equal(rv_rdata_to_str_fast(type, rd, len, fast, n + 1),
	    RV_OK);
	assert_string_equal(fast, slow);
}

static void
test_same_as_ldns(void **state)
{
	static const uint16_t types[] = { 15, 33, 6, 16, 99 };
	uint8_t rd[2048];

	(void)state;
	for (int i = 0; i < 20000; i++) {
		uint16_t t = types[rnd(5)];
		size_t len = rand_rdata(t, rd);
		check_same(t, rd, len);
		/* truncated or with a trailing octet: ldns decides */
		if (len > 1)
			check_same(t, rd, rnd((uint32_t)len));
		rd[len] = (uint8_t)rnd(256);
		check_same(t, rd, len + 1);
	}
}

static void
test_known_text(void **state)
{
	static const uint8_t mx[] = { 0, 10, 4, 'm', 'a', 'i', 'l', 0 };
	static const uint8_t txt[] = { 5, 'a', '"', '\\', '\t', 0x01, 0 };
	static const uint8_t at[] = { 0, 1, 2, '@', '$', 0 };
	char out[256];

	(void)state;
	assert_int_equal(rv_rdata_to_str(15, mx, sizeof(mx), out, sizeof(out)),
	    RV_OK);
	assert_string_equal(out, "10 mail.");
	assert_int_equal(rv_rdata_to_str(16, txt, sizeof(txt), out,
	    sizeof(out)), RV_OK);
	assert_string_equal(out, "\"a\\\"\\\\\t\\001\" \"\"");
	/* names in rdata are escaped as owner names are */
	assert_int_equal(rv_rdata_to_str(15, at, sizeof(at), out, sizeof(out)),
	    RV_OK);
	assert_string_equal(out, "1 \\@\\$.");
	/* empty TXT rdata is not TXT: RFC 3597 form */
	assert_int_equal(rv_rdata_to_str(16, txt, 0, out, sizeof(out)), RV_OK);
	assert_string_equal(out, "\\# 0");
	assert_int_equal(rv_rdata_to_str_fast(1, mx, 4, out, sizeof(out)),
	    RV_ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_ldns),
		cmocka_unit_test(test_known_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
