/**
 * \file test_ip.c
 * Addresses, CIDR blocks and ranges, with their edges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>

#include "rv_err.h"
#include "rv_ip.h"

static void
range_is(const char *in, const char *lo, const char *hi)
{
	struct rv_iprange r;
	struct rv_ip a, b;

	assert_int_equal(rv_range_parse(in, &r), RV_OK);
	assert_int_equal(rv_ip_parse(lo, &a), RV_OK);
	assert_int_equal(rv_ip_parse(hi, &b), RV_OK);
	assert_int_equal(r.family, a.family);
	assert_memory_equal(r.lo, a.addr, rv_ip_len(a.family));
	assert_memory_equal(r.hi, b.addr, rv_ip_len(b.family));
}

static void
test_parse_and_print(void **state)
{
	struct rv_ip ip;
	char s[RV_IP_STR_MAX];

	(void)state;
	assert_int_equal(rv_ip_parse("165.22.196.7", &ip), RV_OK);
	assert_int_equal(ip.family, 4);
	assert_memory_equal(ip.addr, "\xa5\x16\xc4\x07", 4);
	assert_int_equal(rv_ip_to_str(&ip, s, sizeof(s)), RV_OK);
	assert_string_equal(s, "165.22.196.7");
	assert_int_equal(rv_ip_parse("2001:DB8::1", &ip), RV_OK);
	assert_int_equal(ip.family, 6);
	assert_int_equal(rv_ip_to_str(&ip, s, sizeof(s)), RV_OK);
	assert_string_equal(s, "2001:db8::1");
	assert_int_equal(rv_ip_parse("::ffff:1.2.3.4", &ip), RV_OK);
	assert_int_equal(ip.family, 6);
	assert_int_equal(ip.addr[15], 4);
}

static void
test_parse_bad(void **state)
{
	struct rv_ip ip;
	struct rv_iprange r;

	(void)state;
	assert_int_equal(rv_ip_parse("1.2.3", &ip), RV_EINVAL);
	assert_int_equal(rv_ip_parse("1.2.3.256", &ip), RV_EINVAL);
	assert_int_equal(rv_ip_parse("01.2.3.4x", &ip), RV_EINVAL);
	assert_int_equal(rv_ip_parse("", &ip), RV_EINVAL);
	assert_int_equal(rv_ip_parse("2001:db8:::1", &ip), RV_EINVAL);
	assert_int_equal(rv_range_parse("10.0.0.0/33", &r), RV_ERANGE);
	assert_int_equal(rv_range_parse("::/129", &r), RV_ERANGE);
	assert_int_equal(rv_range_parse("10.0.0.0/", &r), RV_EINVAL);
	assert_int_equal(rv_range_parse("10.0.0.0/-1", &r), RV_EINVAL);
	assert_int_equal(rv_range_parse("10.0.0.0/8x", &r), RV_EINVAL);
	assert_int_equal(rv_range_parse("10.0.0.9-10.0.0.1", &r), RV_EINVAL);
	assert_int_equal(rv_range_parse("10.0.0.1-::1", &r), RV_EINVAL);
	assert_int_equal(rv_range_parse("10.0.0.1-", &r), RV_EINVAL);
}

static void
test_cidr_edges(void **state)
{
	(void)state;
	range_is("165.22.196.0/24", "165.22.196.0", "165.22.196.255");
	range_is("165.22.196.7/24", "165.22.196.0", "165.22.196.255");
	range_is("0.0.0.0/0", "0.0.0.0", "255.255.255.255");
	range_is("192.0.2.1/32", "192.0.2.1", "192.0.2.1");
	range_is("192.0.2.1", "192.0.2.1", "192.0.2.1");
	range_is("10.1.2.3/15", "10.0.0.0", "10.1.255.255");
	range_is("::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	range_is("2001:db8::1/128", "2001:db8::1", "2001:db8::1");
	range_is("2001:db8::/33", "2001:db8::", "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff");
	range_is("::ffff:0:0/96", "::ffff:0.0.0.0", "::ffff:255.255.255.255");
	range_is("::ffff:1.2.3.0/120", "::ffff:1.2.3.0", "::ffff:1.2.3.255");
	range_is("10.0.0.1-10.0.0.9", "10.0.0.1", "10.0.0.9");
	range_is("2001:db8::1-2001:db8::ff", "2001:db8::1", "2001:db8::ff");
}

static void
test_contains(void **state)
{
	struct rv_iprange r;
	struct rv_ip ip;

	(void)state;
	assert_int_equal(rv_range_parse("165.22.196.0/24", &r), RV_OK);
	assert_int_equal(rv_ip_parse("165.22.196.7", &ip), RV_OK);
	assert_true(rv_range_contains(&r, &ip));
	assert_int_equal(rv_ip_parse("165.22.197.0", &ip), RV_OK);
	assert_false(rv_range_contains(&r, &ip));
	assert_int_equal(rv_ip_parse("::ffff:165.22.196.7", &ip), RV_OK);
	assert_false(rv_range_contains(&r, &ip));	/* other family */
}

/* rv_ip4_text and rv_ip6_text write what inet_ntop writes: random
 * addresses built from zero and non-zero groups (so every shape of zero
 * run occurs), embedded IPv4 forms, and the edges. */
static void
test_text_as_inet_ntop(void **state)
{
	static const char *const edges[] = { "::", "::1", "1::", "::ffff:0:0",
	    "::ffff:1.2.3.4", "::1.2.3.4", "::0.0.0.1", "::255.255.255.255",
	    "::fffe:1.2.3.4", "0:0:0:0:0:1:1.2.3.4", "1:0:0:1:0:0:0:1",
	    "1:0:0:2:0:0:3:4", "0:1:0:0:0:0:0:0", "fe80::1:0:0:1",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "1:2:3:4:5:6:7:0",
	    "0:0:1:2:3:4:5:6", "::ffff:ffff:0:0" };
	uint64_t x = 88172645463325252ull;
	uint8_t a[16];
	char want[RV_IP_STR_MAX], got[RV_IP_STR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		assert_int_equal(inet_pton(AF_INET6, edges[i], a), 1);
		assert_non_null(inet_ntop(AF_INET6, a, want, sizeof(want)));
		assert_int_equal(rv_ip6_text(a, got), strlen(want));
		assert_string_equal(got, want);
	}
	for (int n = 0; n < 200000; n++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		for (int g = 0; g < 8; g++) {
			unsigned v = (unsigned)(x >> (g * 8));
			unsigned kind = (unsigned)(x >> (g * 3 + 40)) % 4;
			/* zero, one octet, a short and a full group */
			v = kind == 0 ? 0 : kind == 1 ? v & 0xf : kind == 2 ?
			    v & 0xff : v * 2654435761u;
			a[2 * g] = (uint8_t)(v >> 8);
			a[2 * g + 1] = (uint8_t)v;
		}
		if (n % 7 == 0)
			memset(a, 0, 10 + n % 3);	/* embedded IPv4 */
		if (n % 14 == 0) {
			a[10] = a[11] = 0xff;
		}
		assert_non_null(inet_ntop(AF_INET6, a, want, sizeof(want)));
		assert_int_equal(rv_ip6_text(a, got), strlen(want));
		assert_string_equal(got, want);
		assert_non_null(inet_ntop(AF_INET, a + n % 13, want,
		    sizeof(want)));
		assert_int_equal(rv_ip4_text(a + n % 13, got), strlen(want));
		assert_string_equal(got, want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_print),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_cidr_edges),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_text_as_inet_ntop),
	};
	return cmocka_run_group_tests_name("ip", tests, NULL, NULL);
}
