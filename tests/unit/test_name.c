/**
 * \file test_name.c
 * Names: presentation <-> wire, escapes, limits, canonical form and the
 * reversed-label key ordering the indexes depend on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rv_err.h"
#include "rv_name.h"

static void
wire(const char *s, uint8_t *out, size_t *len)
{
	assert_int_equal(rv_name_from_str(s, out, len), RV_OK);
}

static void
key_of(const char *s, uint8_t *key, size_t *klen)
{
	uint8_t w[RV_NAME_MAX];
	size_t wl;

	wire(s, w, &wl);
	assert_int_equal(rv_name_key(w, wl, key, klen), RV_OK);
}

/* Does the subdomain prefix of `zone` match the key of `name`? */
static int
prefix_matches(const char *zone, const char *name)
{
	uint8_t w[RV_NAME_MAX], p[RV_NAME_KEY_MAX], k[RV_NAME_KEY_MAX];
	size_t wl, pl, kl;

	wire(zone, w, &wl);
	assert_int_equal(rv_name_key_prefix(w, wl, p, &pl), RV_OK);
	key_of(name, k, &kl);
	return kl >= pl && memcmp(k, p, pl) == 0;
}

static void
roundtrip(const char *in, const char *expect)
{
	uint8_t w[RV_NAME_MAX];
	char out[RV_NAME_STR_MAX];
	size_t wl;

	wire(in, w, &wl);
	assert_int_equal(rv_name_to_str(w, wl, out, sizeof(out)), RV_OK);
	assert_string_equal(out, expect);
}

static void
test_presentation(void **state)
{
	(void)state;
	roundtrip("www.Example.COM", "www.Example.COM.");
	roundtrip("example.com.", "example.com.");
	roundtrip(".", ".");
	roundtrip("", ".");
	roundtrip("a\\.b.example", "a\\.b.example.");
	roundtrip("\\065\\000x.test", "A\\000x.test.");
	roundtrip("sp\\ ace.test", "sp\\032ace.test.");
	roundtrip("semi\\;colon.test", "semi\\;colon.test.");
	roundtrip("back\\\\slash.test", "back\\\\slash.test.");
}

static void
test_wire_layout(void **state)
{
	uint8_t w[RV_NAME_MAX];
	size_t wl;

	(void)state;
	wire("a\\.b.example", w, &wl);
	assert_int_equal(wl, 1 + 3 + 1 + 7 + 1);
	assert_int_equal(w[0], 3);
	assert_memory_equal(w + 1, "a.b", 3);
	assert_int_equal(rv_name_labels(w, wl), 2);
}

static void
test_bad_presentation(void **state)
{
	uint8_t w[RV_NAME_MAX];
	size_t wl;
	char big[600];

	(void)state;
	assert_int_equal(rv_name_from_str("a..b", w, &wl), RV_EINVAL);
	assert_int_equal(rv_name_from_str(".a", w, &wl), RV_EINVAL);
	assert_int_equal(rv_name_from_str("a\\", w, &wl), RV_EINVAL);
	assert_int_equal(rv_name_from_str("a\\25", w, &wl), RV_EINVAL);
	assert_int_equal(rv_name_from_str("a\\256", w, &wl), RV_EINVAL);
	/* A 64-octet label is one too many. */
	memset(big, 'a', 64);
	big[64] = '\0';
	assert_int_equal(rv_name_from_str(big, w, &wl), RV_ETOOBIG);
	big[63] = '\0';
	assert_int_equal(rv_name_from_str(big, w, &wl), RV_OK);
	assert_int_equal(wl, 65);
}

/* rv_name_eq: ASCII case ignored in labels, never in label lengths. */
static void
test_name_eq(void **state)
{
	uint8_t a[RV_NAME_MAX], b[RV_NAME_MAX];
	size_t al, bl;

	(void)state;
	assert_int_equal(rv_name_from_str("WwW.Example.COM", a, &al), RV_OK);
	assert_int_equal(rv_name_from_str("www.example.com", b, &bl), RV_OK);
	assert_true(rv_name_eq(a, al, b, bl));
	assert_true(rv_name_eq(a, al, a, al));
	assert_int_equal(rv_name_from_str("www.example.co", b, &bl), RV_OK);
	assert_false(rv_name_eq(a, al, b, bl));
	assert_int_equal(rv_name_from_str("www.example.cop", b, &bl), RV_OK);
	assert_false(rv_name_eq(a, al, b, bl));
	assert_int_equal(rv_name_from_str("ww.wexample.com", b, &bl), RV_OK);
	assert_false(rv_name_eq(a, al, b, bl));	/* same octets, other cuts */
	/* 'A' (65) and 'a' (97) as label lengths are different lengths */
	memset(a, 'x', sizeof(a));
	memset(b, 'x', sizeof(b));
	a[0] = 'A';
	b[0] = 'a';
	a[66] = b[66] = 0;
	assert_false(rv_name_eq(a, 67, b, 67));
	/* the root */
	assert_true(rv_name_eq((const uint8_t *)"", 1, (const uint8_t *)"", 1));
	/* 0x5b-0x60 and 0x7b-0x7f are not letters: never folded */
	assert_int_equal(rv_name_from_str("a[", a, &al), RV_OK);
	assert_int_equal(rv_name_from_str("a{", b, &bl), RV_OK);
	assert_false(rv_name_eq(a, al, b, bl));
}

/* Names of exactly 255 octets pass, 256 fail. */
static void
test_max_length(void **state)
{
	char s[600];
	uint8_t w[RV_NAME_MAX], k[RV_NAME_KEY_MAX], w2[RV_NAME_MAX];
	char out[RV_NAME_STR_MAX];
	size_t wl, kl, wl2, o = 0;

	(void)state;
	/* 3 labels of 63 + 1 of 61 = 4*1 + 250 + root = 255 */
	for (int l = 0; l < 4; l++) {
		int n = l < 3 ? 63 : 61;
		memset(s + o, 'a' + l, (size_t)n);
		o += (size_t)n;
		s[o++] = '.';
	}
	s[o] = '\0';
	assert_int_equal(rv_name_from_str(s, w, &wl), RV_OK);
	assert_int_equal(wl, 255);
	assert_int_equal(rv_name_wire_len(w, wl, &wl2), RV_OK);
	assert_int_equal(rv_name_to_str(w, wl, out, sizeof(out)), RV_OK);
	assert_string_equal(out, s);
	assert_int_equal(rv_name_key(w, wl, k, &kl), RV_OK);
	assert_int_equal(rv_name_from_key(k, kl, w2, &wl2), RV_OK);
	assert_int_equal(wl2, wl);
	assert_memory_equal(w2, w, wl);
	/* one more octet */
	memmove(s + 1, s, strlen(s) + 1);
	s[0] = 'z';
	assert_int_equal(rv_name_from_str(s, w, &wl), RV_ETOOBIG);
	/* 127 one-octet labels: 254 + root = 255 */
	for (o = 0; o < 127 * 2; o += 2) {
		s[o] = 'x';
		s[o + 1] = '.';
	}
	s[o] = '\0';
	assert_int_equal(rv_name_from_str(s, w, &wl), RV_OK);
	assert_int_equal(rv_name_labels(w, wl), 127);
	s[o] = 'y';
	s[o + 1] = '\0';
	assert_int_equal(rv_name_from_str(s, w, &wl), RV_ETOOBIG);
}

static void
test_wire_checks(void **state)
{
	size_t l;
	const uint8_t ptr[] = { 3, 'w', 'w', 'w', 0xc0, 12 };
	const uint8_t trunc[] = { 3, 'w', 'w' };
	const uint8_t noroot[] = { 1, 'a' };
	uint8_t big[300];

	(void)state;
	assert_int_equal(rv_name_wire_len(ptr, sizeof(ptr), &l), RV_EFORMAT);
	assert_int_equal(rv_name_wire_len(trunc, sizeof(trunc), &l),
	    RV_ETRUNC);
	assert_int_equal(rv_name_wire_len(noroot, sizeof(noroot), &l),
	    RV_ETRUNC);
	for (int i = 0; i < 299; i++)
		big[i] = 1;
	assert_int_equal(rv_name_wire_len(big, sizeof(big), &l), RV_ETOOBIG);
}

static void
test_canon_and_subdomain(void **state)
{
	uint8_t a[RV_NAME_MAX], b[RV_NAME_MAX];
	size_t al, bl;

	(void)state;
	wire("WWW.Example.COM", a, &al);
	rv_name_canon(a, al);
	wire("www.example.com", b, &bl);
	assert_memory_equal(a, b, al);
	wire("Example.com", b, &bl);
	assert_true(rv_name_is_subdomain(a, al, b, bl));
	wire("le.com", b, &bl);
	assert_false(rv_name_is_subdomain(a, al, b, bl));
	wire(".", b, &bl);
	assert_true(rv_name_is_subdomain(a, al, b, bl));
	assert_false(rv_name_is_subdomain(b, bl, a, al));
}

/* One prefix scan returns exactly a name and its subdomains. */
static void
test_key_prefix_scan(void **state)
{
	(void)state;
	assert_true(prefix_matches("example.com", "example.com"));
	assert_true(prefix_matches("example.com", "www.example.com"));
	assert_true(prefix_matches("example.com", "a.b.c.EXAMPLE.com"));
	assert_false(prefix_matches("example.com", "example.com.au"));
	assert_false(prefix_matches("example.com", "notexample.com"));
	assert_false(prefix_matches("example.com", "example.community"));
	assert_false(prefix_matches("example.com", "com"));
	assert_false(prefix_matches("example.com", "examplecom"));
	assert_true(prefix_matches(".", "anything.at.all"));
	/* A label holding a zero octet or a dot does not confuse it. */
	assert_false(prefix_matches("example.com", "example\\000.com"));
	assert_false(prefix_matches("example.com", "x.example\\.com"));
	assert_true(prefix_matches("example.com", "\\000.example.com"));
}

static int
cmp_keys(const void *a, const void *b)
{
	const uint8_t *const *x = a, *const *y = b;
	size_t lx, ly;

	assert_int_equal(rv_name_key_len(*x, RV_NAME_KEY_MAX, &lx), RV_OK);
	assert_int_equal(rv_name_key_len(*y, RV_NAME_KEY_MAX, &ly), RV_OK);
	int c = memcmp(*x, *y, lx < ly ? lx : ly);
	return c ? c : (lx > ly) - (lx < ly);
}

/* Key order is DNS canonical order (RFC 4034 section 6.1 example). */
static void
test_key_canonical_order(void **state)
{
	static const char *names[] = {
		"example", "a.example", "yljkjljk.a.example",
		"Z.a.example", "zABC.a.EXAMPLE", "z.example", "\\001.z.example",
		"*.z.example", "\\200.z.example",
	};
	enum { N = sizeof(names) / sizeof(names[0]) };
	uint8_t keys[N][RV_NAME_KEY_MAX];
	const uint8_t *ptrs[N];
	size_t kl;

	(void)state;
	/* Insert in reverse, sort, expect the RFC's order. */
	for (size_t i = 0; i < N; i++) {
		key_of(names[N - 1 - i], keys[i], &kl);
		ptrs[i] = keys[i];
	}
	qsort(ptrs, N, sizeof(ptrs[0]), cmp_keys);
	for (size_t i = 0; i < N; i++) {
		uint8_t k[RV_NAME_KEY_MAX];
		key_of(names[i], k, &kl);
		assert_memory_equal(ptrs[i], k, kl);
	}
}

static void
test_key_roundtrip_and_len(void **state)
{
	static const char *names[] = { ".", "com", "www.example.com",
	    "\\000\\001\\002.x", "A.B.C" };
	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint8_t w[RV_NAME_MAX], w2[RV_NAME_MAX], k[RV_NAME_KEY_MAX + 4];
		size_t wl, wl2, kl, kl2;
		wire(names[i], w, &wl);
		rv_name_canon(w, wl);
		assert_int_equal(rv_name_key(w, wl, k, &kl), RV_OK);
		/* Fields after the key do not change its length. */
		memcpy(k + kl, "\x00\x01\x00\x00", 4);
		assert_int_equal(rv_name_key_len(k, kl + 4, &kl2), RV_OK);
		assert_int_equal(kl2, kl);
		assert_int_equal(rv_name_from_key(k, kl, w2, &wl2), RV_OK);
		assert_int_equal(wl2, wl);
		assert_memory_equal(w2, w, wl);
		/* in one pass, with what follows in the key */
		memset(w2, 0xAA, sizeof(w2));
		assert_int_equal(rv_name_from_key_prefix(k, kl + 4, w2, &wl2,
		    &kl2), RV_OK);
		assert_int_equal(kl2, kl);
		assert_int_equal(wl2, wl);
		assert_memory_equal(w2, w, wl);
	}
}

/* rv_name_from_key_prefix on random names, with and without escaped
 * octets, gives back the name and the length rv_name_key_len finds; cut
 * anywhere, it fails. */
static void
test_key_prefix_random(void **state)
{
	uint64_t x = 0x2545F4914F6CDD1Dull;

	(void)state;
	for (int n = 0; n < 20000; n++) {
		uint8_t w[RV_NAME_MAX], w2[RV_NAME_MAX];
		uint8_t k[RV_NAME_KEY_MAX + 8];
		size_t wl = 0, wl2, kl, kl2, used;
		int labels;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		labels = (int)(x % 6);
		for (int l = 0; l < labels && wl < 200; l++) {
			size_t ll = 1 + (size_t)((x >> (8 * l)) % 20);
			w[wl++] = (uint8_t)ll;
			for (size_t j = 0; j < ll; j++) {
				unsigned c = (unsigned)((x >> ((j + l) % 56)) &
				    0xff);
				/* mostly letters; some 0 and 1 to escape */
				w[wl++] = (uint8_t)(n % 5 == 0 && j == 0 ?
				    c % 2 : 'a' + c % 26);
			}
		}
		w[wl++] = 0;
		assert_int_equal(rv_name_key(w, wl, k, &kl), RV_OK);
		memcpy(k + kl, "\x00\x01\x00\x00\x07", 5);
		assert_int_equal(rv_name_key_len(k, kl + 5, &kl2), RV_OK);
		assert_int_equal(rv_name_from_key_prefix(k, kl + 5, w2, &wl2,
		    &used), RV_OK);
		assert_int_equal(used, kl2);
		assert_int_equal(wl2, wl);
		assert_memory_equal(w2, w, wl);
		for (size_t cut = 0; cut < kl; cut++)
			assert_int_not_equal(rv_name_from_key_prefix(k, cut, w2,
			    &wl2, &used), RV_OK);
	}
}

static void
test_key_fwd(void **state)
{
	uint8_t w[RV_NAME_MAX], k[RV_NAME_KEY_MAX];
	size_t wl, kl;

	(void)state;
	wire("www.Example.com", w, &wl);
	assert_int_equal(rv_name_key_fwd(w, wl, k, &kl), RV_OK);
	assert_int_equal(kl, 17);
	assert_memory_equal(k, "www\0example\0com\0\0", 17);
}

static void
test_key_bad(void **state)
{
	uint8_t w[RV_NAME_MAX];
	size_t wl;
	const uint8_t noterm[] = { 'c', 'o', 'm', 0 };
	const uint8_t badesc[] = { 1, 7, 0, 0 };

	(void)state;
	assert_int_equal(rv_name_from_key(noterm, sizeof(noterm), w, &wl),
	    RV_EFORMAT);
	assert_int_equal(rv_name_from_key(badesc, sizeof(badesc), w, &wl),
	    RV_EFORMAT);
	assert_int_equal(rv_name_key_len(noterm, sizeof(noterm), &wl),
	    RV_EFORMAT);
}

static void
test_to_str_short_buffer(void **state)
{
	uint8_t w[RV_NAME_MAX];
	char out[8];
	size_t wl;

	(void)state;
	wire("www.example.com", w, &wl);
	assert_int_equal(rv_name_to_str(w, wl, out, sizeof(out)), RV_ETOOBIG);
}

/* Presentation form, octet by octet, as RFC 1035 5.1 writes it. */
static void
ref_to_str(const uint8_t *w, char *out)
{
	size_t i = 0, o = 0;

	if (w[0] == 0)
		out[o++] = '.';
	while (w[i]) {
		uint8_t l = w[i++];
		for (uint8_t k = 0; k < l; k++) {
			uint8_t c = w[i++];
			if (c < 0x21 || c > 0x7e)
				o += (size_t)sprintf(out + o, "\\%03u", c);
			else if (strchr(".\\\"();@$", c) != NULL)
				o += (size_t)sprintf(out + o, "\\%c", c);
			else
				out[o++] = (char)c;
		}
		out[o++] = '.';
	}
	out[o] = '\0';
}

/* rv_name_to_str on random names, plain and with every kind of escape,
 * into every buffer size: the reference text when it fits with room to
 * spare, an error when it cannot fit, and never a write past the end. */
static void
test_to_str_random(void **state)
{
	static const uint8_t odd[] = { 0, 1, ' ', '.', '\\', '"', '(', ')',
	    ';', '@', '$', 0x7f, 0xff, 'A', '-', '_' };
	uint64_t x = 0x9E3779B97F4A7C15ull;

	(void)state;
	for (int n = 0; n < 5000; n++) {
		uint8_t w[RV_NAME_MAX];
		char want[RV_NAME_STR_MAX * 4], got[RV_NAME_STR_MAX * 4 + 8];
		size_t wl = 0, need;
		int labels;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		labels = (int)(x % 5);
		for (int l = 0; l < labels; l++) {
			size_t ll = 1 + (size_t)((x >> (8 * l)) % 12);
			w[wl++] = (uint8_t)ll;
			for (size_t j = 0; j < ll; j++) {
				unsigned c = (unsigned)(x >> ((3 * j + l) % 58));
				w[wl++] = n % 3 == 0 && c % 4 == 0 ?
				    odd[c / 4 % sizeof(odd)] :
				    (uint8_t)('a' + c % 26);
			}
		}
		w[wl++] = 0;
		ref_to_str(w, want);
		need = strlen(want) + 1;
		for (size_t sz = 1; sz <= need + 8; sz++) {
			int rc;

			memset(got, '#', sizeof(got));
			rc = rv_name_to_str(w, wl, got, sz);
			assert_int_equal(got[sz], '#');
			if (sz < need)
				assert_int_equal(rc, RV_ETOOBIG);
			else if (sz >= need + 4 || rc == RV_OK) {
				assert_int_equal(rc, RV_OK);
				assert_string_equal(got, want);
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_str_random),
		cmocka_unit_test(test_presentation),
		cmocka_unit_test(test_wire_layout),
		cmocka_unit_test(test_bad_presentation),
		cmocka_unit_test(test_max_length),
		cmocka_unit_test(test_wire_checks),
		cmocka_unit_test(test_canon_and_subdomain),
		cmocka_unit_test(test_name_eq),
		cmocka_unit_test(test_key_prefix_scan),
		cmocka_unit_test(test_key_canonical_order),
		cmocka_unit_test(test_key_roundtrip_and_len),
		cmocka_unit_test(test_key_prefix_random),
		cmocka_unit_test(test_key_fwd),
		cmocka_unit_test(test_key_bad),
		cmocka_unit_test(test_to_str_short_buffer),
	};
	return cmocka_run_group_tests_name("name", tests, NULL, NULL);
}
