/**
 * \file test_ch_row.c
 * store/rv_ch.c: store rows as RowBinary rows of the ClickHouse tables
 * (contrib/clickhouse): read back column by column, in the order
 * `rearview clickhouse-schema` prints them; and the ClickHouse URLs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rv_ch.h"
#include "ch_sample.h"
#include "rv_err.h"
#include "rv_ip.h"
#include "rv_name.h"

/* The checks read rows with the backend's reader (rv_ch.h); a read
 * past the end fails the test. */
static uint64_t
u(struct rv_chrd *r, size_t n)
{
	uint64_t x = rv_chrd_u(r, n);

	assert_false(r->bad);
	return x;
}

/* The next String, NUL-terminated into out. */
static const char *
str(struct rv_chrd *r, char *out, size_t outsz)
{
	size_t n;
	const uint8_t *p = rv_chrd_str(r, &n);

	assert_false(r->bad);
	assert_true(n < outsz);
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}


static void
test_rrset(void **state)
{
	struct rv_chbuf b = { 0 };
	uint8_t o[RV_NAME_MAX], z[RV_NAME_MAX], set[64], v[256];
	size_t ol, zl, sl;
	struct rv_key k;
	struct rv_rrset_val val = { 0 };
	const uint8_t rd1[4] = { 192, 0, 2, 1 }, rd2[4] = { 192, 0, 2, 7 };
	struct rv_chrd r;
	char s[256];

	(void)state;
	ch_sample_wire("www.example.co.uk.", o, &ol);
	ch_sample_wire("example.co.uk.", z, &zl);
	set[0] = 0; set[1] = 4; memcpy(set + 2, rd1, 4);
	set[6] = 0; set[7] = 4; memcpy(set + 8, rd2, 4);
	sl = 12;
	assert_int_equal(rv_key_rrset(&k, o, ol, 1, z, zl, rv_set_digest(set,
	    sl)), RV_OK);
	val.first = 1600000000; val.last = 1600000500; val.count = 7;
	val.ttl_min = 60; val.ttl_max = 300;
	val.nsens = 2; val.sensor[0] = 3; val.sensor[1] = 9;
	val.rdcount = 2; val.set = set; val.set_len = sl;
	rv_rrset_val_encode(&val, v);
	assert_int_equal(rv_ch_row(&b, RV_DB_RRSET, k.buf, k.len, v,
	    rv_rrset_val_size(&val), NULL, ch_sample_sensor, NULL, 0), RV_OK);
	assert_int_equal(b.rows, 1);
	r = (struct rv_chrd){ b.p, b.len, 0, 0 };
	assert_int_equal(rv_chrd_leb(&r), k.len);	/* key: the LMDB key */
	assert_memory_equal(r.p + r.off, k.buf, k.len);
	r.off += k.len;
	assert_string_equal(str(&r, s, sizeof(s)), "example.co.uk.");
	assert_string_equal(str(&r, s, sizeof(s)), "www.example.co.uk.");
	assert_int_equal(u(&r, 2), 1);
	assert_string_equal(str(&r, s, sizeof(s)), "example.co.uk.");
	assert_int_equal(rv_chrd_leb(&r), 2);		/* rdata */
	assert_string_equal(str(&r, s, sizeof(s)), "192.0.2.1");
	assert_string_equal(str(&r, s, sizeof(s)), "192.0.2.7");
	assert_int_equal(u(&r, 2), 2);		/* rdcount */
	assert_int_equal(rv_chrd_leb(&r), sl);		/* set, as stored */
	assert_memory_equal(r.p + r.off, set, sl);
	r.off += sl;
	assert_int_equal(u(&r, 4), 1600000000);
	assert_int_equal(u(&r, 4), 1600000500);
	assert_int_equal(u(&r, 8), 7);
	assert_int_equal(u(&r, 4), 60);
	assert_int_equal(u(&r, 4), 300);
	assert_int_equal(rv_chrd_leb(&r), 2);		/* sensors, by name */
	assert_string_equal(str(&r, s, sizeof(s)), "dns3");
	assert_string_equal(str(&r, s, sizeof(s)), "#9");
	assert_int_equal(r.off, b.len);

	/* A value that does not decode: nothing appended. */
	assert_int_equal(rv_ch_row(&b, RV_DB_RRSET, k.buf, k.len, v, 5, NULL,
	    ch_sample_sensor, NULL, 0), RV_ECORRUPT);
	assert_int_equal(b.rows, 1);
	assert_int_equal(b.len, r.off);
	rv_chbuf_free(&b);
}

static void
test_rdata_asn_ip(void **state)
{
	struct rv_chbuf b = { 0 };
	uint8_t o[RV_NAME_MAX], v[256];
	size_t ol;
	struct rv_key k;
	struct rv_ip ip;
	struct rv_seen sn = { 10, 20, 3 };
	struct rv_ipinfo in = { 0 };
	struct rv_chrd r;
	char s[256];

	(void)state;
	ch_sample_wire("a.example.org.", o, &ol);
	assert_int_equal(rv_ip_parse("2001:db8::5", &ip), RV_OK);
	assert_int_equal(rv_key_rdata_ip(&k, &ip, 28, o, ol), RV_OK);
	rv_rdata_val_encode(&sn, v);
	assert_int_equal(rv_ch_row(&b, RV_DB_RDATA, k.buf, k.len, v,
	    RV_RDATA_VAL_SIZE, NULL, NULL, NULL, 0), RV_OK);
	r = (struct rv_chrd){ b.p, b.len, 0, 0 };
	r.off += rv_chrd_leb(&r);
	assert_string_equal(str(&r, s, sizeof(s)), "2001:db8::5");
	assert_int_equal(u(&r, 2), 28);
	assert_string_equal(str(&r, s, sizeof(s)), "a.example.org.");
	assert_int_equal(u(&r, 4), 10);
	assert_int_equal(u(&r, 4), 20);
	assert_int_equal(u(&r, 8), 3);
	assert_int_equal(r.off, b.len);

	rv_chbuf_reset(&b);
	assert_int_equal(rv_key_asn(&k, 64500, &ip), RV_OK);
	rv_seen2_encode(&sn, v);
	assert_int_equal(rv_ch_row(&b, RV_DB_ASN, k.buf, k.len, v,
	    RV_SEEN2_SIZE, NULL, NULL, NULL, 0), RV_OK);
	r = (struct rv_chrd){ b.p, b.len, 0, 0 };
	r.off += rv_chrd_leb(&r);
	assert_int_equal(u(&r, 4), 64500);
	assert_string_equal(str(&r, s, sizeof(s)), "2001:db8::5");
	assert_int_equal(u(&r, 4), 10);
	assert_int_equal(u(&r, 4), 20);
	assert_int_equal(r.off, b.len);

	rv_chbuf_reset(&b);
	in.since = 100; in.until = 0; in.asn = 64500;
	memcpy(in.cc, "NL", 3);
	in.lat = -123; in.lon = 456;
	strcpy(in.org, "Example BV");
	assert_int_equal(rv_key_ip(&k, &ip, 100), RV_OK);
	rv_ipinfo_encode(&in, v);
	assert_int_equal(rv_ch_row(&b, RV_DB_IP, k.buf, k.len, v,
	    rv_ipinfo_size(&in), NULL, NULL, NULL, 77), RV_OK);
	r = (struct rv_chrd){ b.p, b.len, 0, 0 };
	r.off += rv_chrd_leb(&r);
	assert_string_equal(str(&r, s, sizeof(s)), "2001:db8::5");
	assert_int_equal(u(&r, 4), 100);
	assert_int_equal(u(&r, 4), 0);
	assert_int_equal(u(&r, 4), 64500);
	assert_memory_equal(r.p + r.off, "NL", 2);
	r.off += 2;
	assert_int_equal((int32_t)u(&r, 4), -123);
	assert_int_equal((int32_t)u(&r, 4), 456);
	assert_string_equal(str(&r, s, sizeof(s)), "Example BV");
	assert_string_equal(str(&r, s, sizeof(s)), "");
	assert_int_equal(u(&r, 4), 77);
	assert_int_equal(r.off, b.len);
	rv_chbuf_free(&b);
}

static void
test_regdom_names(void **state)
{
	struct rv_chbuf b = { 0 };
	uint8_t w[RV_NAME_MAX], v[16];
	size_t wl;
	struct rv_key k;
	struct rv_seen sn = { 5, 6, 0 };
	struct rv_chrd r;
	char s[256];

	(void)state;
	ch_sample_wire("example.com.", w, &wl);
	rv_seen2_encode(&sn, v);
	/* 'T' rows are not sent; 'D' rows are. */
	assert_int_equal(rv_key_regdom_time(&k, 5, (const uint8_t *)"com\0"
	    "example\0\0", 13), RV_OK);
	assert_int_equal(rv_ch_row(&b, RV_DB_REGDOM, k.buf, k.len, NULL, 0,
	    NULL, NULL, NULL, 0), RV_OK);
	assert_int_equal(b.rows, 0);
	assert_int_equal(rv_key_regdom(&k, w, wl), RV_OK);
	assert_int_equal(rv_ch_row(&b, RV_DB_REGDOM, k.buf, k.len, v,
	    RV_SEEN2_SIZE, NULL, NULL, NULL, 0), RV_OK);
	assert_int_equal(rv_key_names(&k, w, wl), RV_OK);
	assert_int_equal(rv_ch_row(&b, RV_DB_NAMES, k.buf, k.len, v,
	    RV_SEEN2_SIZE, NULL, NULL, NULL, 0), RV_OK);
	assert_int_equal(b.rows, 2);
	r = (struct rv_chrd){ b.p, b.len, 0, 0 };
	for (int i = 0; i < 2; i++) {
		r.off += rv_chrd_leb(&r);
		assert_string_equal(str(&r, s, sizeof(s)), "example.com.");
		assert_int_equal(u(&r, 4), 5);
		assert_int_equal(u(&r, 4), 6);
	}
	assert_int_equal(r.off, b.len);
	assert_null(rv_ch_table(RV_DB_META));
	assert_string_equal(rv_ch_table(RV_DB_NEG), "neg");
	rv_chbuf_free(&b);
}

static void
test_url(void **state)
{
	static const struct {
		const char *s, *base, *user, *pass, *db;
	} good[] = {
		{ "clickhouse+http://127.0.0.1:8123/rearview",
		  "http://127.0.0.1:8123/", "", "", "rearview" },
		{ "clickhouse+http://ch.example.net/rv_1",
		  "http://ch.example.net:8123/", "", "", "rv_1" },
		{ "clickhouse+https://u:p%40ss@[::1]:8443/_x",
		  "https://[::1]:8443/", "u", "p%40ss", "_x" },
		{ "clickhouse+http://reader@h:1/d", "http://h:1/", "reader", "",
		  "d" },
		{ "clickhouse+http://al:s3:c@r@10.0.0.1:9000/_rv_2",
		  "http://10.0.0.1:9000/", "al", "s3:c@r", "_rv_2" },
		{ "clickhouse+http://bob@[::1]/db", "http://[::1]:8123/", "bob",
		  "", "db" },
		{ "clickhouse+https://[2001:db8::1]:8443/db",
		  "https://[2001:db8::1]:8443/", "", "", "db" },
		{ "clickhouse+http://u:@h-1.x/Db9", "http://h-1.x:8123/", "u",
		  "", "Db9" },
	};
	static const char *const bad[] = {
		"http://h/db", "clickhouse+http://h", "clickhouse+http://h/",
		"clickhouse+http://h/1db", "clickhouse+http://h/a;DROP",
		"clickhouse+http://h/a b", "clickhouse+http://h:0/db",
		"clickhouse+http://h:65536/db", "clickhouse+http://h:x/db",
		"clickhouse+http:///db", "clickhouse+http://@h/db",
		"clickhouse+http://[::1/db", "clickhouse+http://h'/db",
		"clickhouse+http://[::1]x/db", "clickhouse://h/db",
		"clickhouse+http://h/d-b", "clickhouse+http://h/db/x",
		"clickhouse+http://h:/db", "clickhouse+http://h:8x/db",
		"clickhouse+http://[zz]/db", "clickhouse+http://h_x/db",
		"clickhouse+http://h/"
		"a123456789012345678901234567890123456789012345678",
	};
	struct rv_ch_url u;
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(rv_ch_url_parse(good[i].s, &u, &why), RV_OK);
		assert_string_equal(u.base, good[i].base);
		assert_string_equal(u.user, good[i].user);
		assert_string_equal(u.password, good[i].pass);
		assert_string_equal(u.db, good[i].db);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(rv_ch_url_parse(bad[i], &u, &why), RV_EINVAL);
		assert_non_null(why);
	}
	assert_true(rv_ch_is_url("clickhouse+http://h/d"));
	assert_false(rv_ch_is_url("/var/lib/rearview"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rrset),
		cmocka_unit_test(test_rdata_asn_ip),
		cmocka_unit_test(test_regdom_names),
		cmocka_unit_test(test_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
