/**
 * \file test_store.c
 * cmocka tests of store/rv_store*: key encoding and ordering (prefix and
 * range scans select exactly what they should), value round trips,
 * rdata-set canonicalisation and digests, meta, and enrichment periods.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rv_err.h"
#include "rv_ip.h"
#include "rv_name.h"
#include "rv_store.h"
#include "tmp_store.h"

static size_t
wire(const char *s, uint8_t *w)
{
	size_t n;

	assert_int_equal(rv_name_from_str(s, w, &n), RV_OK);
	return n;
}

static int
kcmp(const struct rv_key *a, const struct rv_key *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->buf, b->buf, n);

	return c ? c : (a->len > b->len) - (a->len < b->len);
}

static void
rrkey(struct rv_key *k, const char *owner, uint16_t type, const char *zone,
    uint64_t d)
{
	uint8_t o[RV_NAME_MAX], z[RV_NAME_MAX];
	size_t ol = wire(owner, o), zl = wire(zone, z);

	assert_int_equal(rv_key_rrset(k, o, ol, type, z, zl, d), RV_OK);
}

static void
test_rrset_key_roundtrip(void **state)
{
	struct rv_key k;
	struct rv_rrset_key d;
	uint8_t w[RV_NAME_MAX];
	(void)state;

	rrkey(&k, "WWW.Example.COM", 1, "example.com", 0x0102030405060708ULL);
	/* Compact bailiwick: one octet, 2 labels. */
	assert_int_equal(k.buf[k.len - 9], 2);
	assert_int_equal(rv_rrset_key_decode(k.buf, k.len, &d), RV_OK);
	assert_int_equal(d.type, 1);
	assert_true(d.digest == 0x0102030405060708ULL);
	assert_int_equal(d.owner_len, wire("www.example.com", w));
	assert_memory_equal(d.owner, w, d.owner_len);
	assert_int_equal(d.zone_len, wire("example.com", w));
	assert_memory_equal(d.zone, w, d.zone_len);

	/* An out-of-bailiwick zone is spelled out. */
	rrkey(&k, "www.example.com", 1, "other.net", 7);
	assert_int_equal(rv_rrset_key_decode(k.buf, k.len, &d), RV_OK);
	assert_int_equal(d.zone_len, wire("other.net", w));
	assert_memory_equal(d.zone, w, d.zone_len);

	/* The root zone. */
	rrkey(&k, "com", 2, ".", 9);
	assert_int_equal(rv_rrset_key_decode(k.buf, k.len, &d), RV_OK);
	assert_int_equal(d.zone_len, 1);

	/* Garbage does not decode. */
	assert_int_equal(rv_rrset_key_decode(k.buf, k.len - 1, &d),
	    RV_ECORRUPT);
}

static void
test_rrset_key_order(void **state)
{
	struct rv_key a, b, p;
	uint8_t w[RV_NAME_MAX];
	size_t wl;
	struct rv_val v;
	(void)state;

	/* Canonical order: the parent first, then its children. */
	rrkey(&a, "example.com", 1, "com", 0);
	rrkey(&b, "a.example.com", 1, "example.com", 0);
	assert_true(kcmp(&a, &b) < 0);
	/* Type order inside one name. */
	rrkey(&a, "x.example.com", 1, "example.com", ~0ULL);
	rrkey(&b, "x.example.com", 28, "example.com", 0);
	assert_true(kcmp(&a, &b) < 0);

	/* Subdomain prefix: matches the name and below, nothing else. */
	wl = wire("example.com", w);
	assert_int_equal(rv_key_rrset_sub(&p, w, wl), RV_OK);
	const char *in[] = { "example.com", "www.example.com", "a.b.example.com" };
	const char *out[] = { "example.com.au", "notexample.com", "example.community", "com" };
	for (size_t i = 0; i < 3; i++) {
		rrkey(&a, in[i], 1, "com", 1);
		v = rv_key_val(&a);
		assert_true(rv_key_has_prefix(&v, &p));
	}
	for (size_t i = 0; i < 4; i++) {
		rrkey(&a, out[i], 1, "com", 1);
		v = rv_key_val(&a);
		assert_false(rv_key_has_prefix(&v, &p));
	}
	/* Exact name prefix excludes subdomains. */
	assert_int_equal(rv_key_rrset_name(&p, w, wl), RV_OK);
	rrkey(&a, "www.example.com", 1, "com", 1);
	v = rv_key_val(&a);
	assert_false(rv_key_has_prefix(&v, &p));
	rrkey(&a, "example.com", 16, "com", 1);
	v = rv_key_val(&a);
	assert_true(rv_key_has_prefix(&v, &p));
}

struct collect {
	int n;
	char owners[16][64];
};

static int
collect_rdata(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct collect *c = arg;
	struct rv_rdata_key d;
	struct rv_seen s;

	assert_int_equal(rv_rdata_key_decode(k->data, k->len, &d), 0);
	assert_int_equal(rv_rdata_val_decode(v->data, v->len, &s), 0);
	assert_true(c->n < 16);
	rv_name_to_str(d.owner, d.owner_len, c->owners[c->n++], 64);
	return RV_OK;
}

static void
put_rdata_ip(struct tmp_store_fx *f, struct rv_txn *txn, const char *addr,
    const char *owner)
{
	struct rv_ip ip;
	struct rv_key k;
	uint8_t w[RV_NAME_MAX], vb[RV_RDATA_VAL_SIZE];
	struct rv_seen s = { 10, 20, 3 };
	size_t wl = wire(owner, w);
	struct rv_val kv, vv = { sizeof(vb), vb };

	assert_int_equal(rv_ip_parse(addr, &ip), RV_OK);
	assert_int_equal(rv_key_rdata_ip(&k, &ip, ip.family == 4 ? 1 : 28, w,
	    wl), RV_OK);
	rv_rdata_val_encode(&s, vb);
	kv = rv_key_val(&k);
	assert_int_equal(rv_put(f->st, txn, RV_DB_RDATA, &kv, &vv, 0), RV_OK);
}

static void
test_rdata_cidr_scan(void **state)
{
	struct tmp_store_fx *f = *state;
	struct rv_iprange r;
	struct rv_key lo, hi;
	struct collect c = { 0 };
	struct rv_txn *txn;

	assert_int_equal(rv_store_write_begin(f->st, &txn), RV_OK);
	put_rdata_ip(f, txn, "192.0.2.255", "before.test");
	put_rdata_ip(f, txn, "192.0.3.0", "first.test");
	put_rdata_ip(f, txn, "192.0.3.77", "mid.test");
	put_rdata_ip(f, txn, "192.0.3.255", "last.test");
	put_rdata_ip(f, txn, "192.0.4.0", "after.test");
	put_rdata_ip(f, txn, "2001:db8::1", "v6.test");
	assert_int_equal(rv_txn_commit(f->st, txn), RV_OK);

	assert_int_equal(rv_store_read_begin(f->st, &txn), RV_OK);
	assert_int_equal(rv_range_parse("192.0.3.9/24", &r), RV_OK);
	assert_int_equal(rv_key_rdata_range(&lo, &hi, &r), RV_OK);
	assert_int_equal(rv_store_scan(f->st, txn, RV_DB_RDATA, &lo, &hi,
	    collect_rdata, &c), RV_OK);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.owners[0], "first.test.");
	assert_string_equal(c.owners[1], "mid.test.");
	assert_string_equal(c.owners[2], "last.test.");
	c.n = 0;
	assert_int_equal(rv_range_parse("2001:db8::/32", &r), RV_OK);
	assert_int_equal(rv_key_rdata_range(&lo, &hi, &r), RV_OK);
	assert_int_equal(rv_store_scan(f->st, txn, RV_DB_RDATA, &lo, &hi,
	    collect_rdata, &c), RV_OK);
	assert_int_equal(c.n, 1);
	rv_txn_abort(txn);
}

static void
test_rdata_name_keys(void **state)
{
	struct rv_key k, p;
	struct rv_rdata_key d;
	uint8_t t[RV_NAME_MAX], o[RV_NAME_MAX];
	size_t tl = wire("mail.example.net", t), ol = wire("example.org", o);
	struct rv_val v;
	(void)state;

	assert_int_equal(rv_key_rdata_name(&k, t, tl, 15, o, ol), RV_OK);
	assert_int_equal(rv_rdata_key_decode(k.buf, k.len, &d), RV_OK);
	assert_int_equal(d.tag, RV_TAG_NAME);
	assert_int_equal(d.type, 15);
	assert_int_equal(d.owner_len, ol);
	assert_int_equal(d.target_len, tl);
	tl = wire("example.net", t);
	assert_int_equal(rv_key_rdata_name_prefix(&p, t, tl, 1), RV_OK);
	v = rv_key_val(&k);
	assert_true(rv_key_has_prefix(&v, &p));
	assert_int_equal(rv_key_rdata_name_prefix(&p, t, tl, 0), RV_OK);
	assert_false(rv_key_has_prefix(&v, &p));

	assert_int_equal(rv_key_rdata_hash(&k, 42, 16, o, ol), RV_OK);
	assert_int_equal(rv_rdata_key_decode(k.buf, k.len, &d), RV_OK);
	assert_int_equal(d.tag, RV_TAG_HASH);
	assert_true(d.digest == 42);
}

static void
test_names_asn_ip_keys(void **state)
{
	struct rv_key k, p;
	uint8_t w[RV_NAME_MAX], back[RV_NAME_MAX];
	size_t wl = wire("www.Example.com", w), bl;
	struct rv_ip ip, ip2;
	uint32_t asn, since;
	struct rv_val v;
	(void)state;

	assert_int_equal(rv_key_names(&k, w, wl), RV_OK);
	assert_int_equal(rv_names_key_decode(k.buf, k.len, back, &bl), RV_OK);
	rv_name_canon(w, wl);
	assert_int_equal(bl, wl);
	assert_memory_equal(back, w, wl);
	wl = wire("www.example", w);
	assert_int_equal(rv_key_names_prefix(&p, w, wl), RV_OK);
	v = rv_key_val(&k);
	assert_true(rv_key_has_prefix(&v, &p));

	assert_int_equal(rv_ip_parse("12.81.92.1", &ip), RV_OK);
	assert_int_equal(rv_key_asn(&k, 7018, &ip), RV_OK);
	assert_int_equal(rv_asn_key_decode(k.buf, k.len, &asn, &ip2), RV_OK);
	assert_int_equal(asn, 7018);
	assert_memory_equal(ip2.addr, ip.addr, 4);
	assert_int_equal(rv_key_asn_prefix(&p, 7018), RV_OK);
	v = rv_key_val(&k);
	assert_true(rv_key_has_prefix(&v, &p));

	assert_int_equal(rv_key_ip(&k, &ip, 12345), RV_OK);
	assert_int_equal(rv_ip_key_decode(k.buf, k.len, &ip2, &since), RV_OK);
	assert_int_equal(since, 12345);
}

static void
test_values(void **state)
{
	struct rv_rrset_val v, d;
	struct rv_ipinfo in, out;
	uint8_t buf[512], set[] = { 0, 4, 192, 0, 2, 1, 0, 4, 192, 0, 2, 2 };
	(void)state;

	memset(&v, 0, sizeof(v));
	v.first = 100; v.last = 200; v.count = 3;
	v.ttl_min = 60; v.ttl_max = 300;
	rv_rrset_val_add_sensor(&v, 9);
	rv_rrset_val_add_sensor(&v, 2);
	rv_rrset_val_add_sensor(&v, 9);
	v.rdcount = 2; v.set = set; v.set_len = sizeof(set);
	rv_rrset_val_encode(&v, buf);
	assert_int_equal(rv_rrset_val_decode(buf, rv_rrset_val_size(&v), &d),
	    RV_OK);
	assert_int_equal(d.nsens, 2);
	assert_int_equal(d.sensor[0], 2);
	assert_int_equal(d.sensor[1], 9);
	assert_int_equal(d.rdcount, 2);
	assert_memory_equal(d.set, set, sizeof(set));
	/* A wrong rdcount is corruption. */
	buf[rv_neg_val_size(&v) + 1] = 3;
	assert_int_equal(rv_rrset_val_decode(buf, rv_rrset_val_size(&v), &d),
	    RV_ECORRUPT);

	/* Merge: min first, max last, summed count, ttl range, sensors. */
	struct rv_rrset_val add = { .first = 50, .last = 150, .count = 2,
	    .ttl_min = 30, .ttl_max = 30, .nsens = 1, .sensor = { 5 } };
	rv_rrset_val_merge(&v, &add);
	assert_int_equal(v.first, 50);
	assert_int_equal(v.last, 200);
	assert_int_equal(v.count, 5);
	assert_int_equal(v.ttl_min, 30);
	assert_int_equal(v.ttl_max, 300);
	assert_int_equal(v.nsens, 3);
	add.count = UINT32_MAX;
	rv_rrset_val_merge(&v, &add);
	assert_true(v.count == UINT32_MAX);

	memset(&in, 0, sizeof(in));
	in.asn = 1221; in.lat = -378136; in.lon = 1449631;
	strcpy(in.cc, "AU");
	strcpy(in.org, "Telstra Pty Ltd");
	strcpy(in.city, "Melbourne");
	rv_ipinfo_encode(&in, buf);
	assert_int_equal(rv_ipinfo_decode(buf, rv_ipinfo_size(&in), &out),
	    RV_OK);
	assert_int_equal(out.asn, 1221);
	assert_int_equal(out.lat, -378136);
	assert_string_equal(out.cc, "AU");
	assert_string_equal(out.org, "Telstra Pty Ltd");
	assert_string_equal(out.city, "Melbourne");
	assert_true(rv_ipinfo_same(&in, &out));
}

static void
test_set_canon(void **state)
{
	/* Two NS rdata in mixed case, out of order, one duplicate. */
	uint8_t blk[128], out[128], out2[128];
	uint8_t a[RV_NAME_MAX], b[RV_NAME_MAX];
	size_t al = wire("NS2.Example.NET", a), bl = wire("ns1.example.net", b);
	size_t n = 0, ol, ol2;
	uint16_t cnt, cnt2;
	(void)state;

	blk[n++] = 0; blk[n++] = (uint8_t)al; memcpy(blk + n, a, al); n += al;
	blk[n++] = 0; blk[n++] = (uint8_t)bl; memcpy(blk + n, b, bl); n += bl;
	blk[n++] = 0; blk[n++] = (uint8_t)al; memcpy(blk + n, a, al); n += al;
	assert_int_equal(rv_set_canon(2, blk, n, 3, out, sizeof(out), &ol,
	    &cnt), RV_OK);
	assert_int_equal(cnt, 2);
	/* Same set given differently: same bytes, same digest. */
	rv_name_canon(a, al);
	n = 0;
	blk[n++] = 0; blk[n++] = (uint8_t)bl; memcpy(blk + n, b, bl); n += bl;
	blk[n++] = 0; blk[n++] = (uint8_t)al; memcpy(blk + n, a, al); n += al;
	assert_int_equal(rv_set_canon(2, blk, n, 2, out2, sizeof(out2), &ol2,
	    &cnt2), RV_OK);
	assert_int_equal(ol, ol2);
	assert_memory_equal(out, out2, ol);
	assert_true(rv_set_digest(out, ol) == rv_set_digest(out2, ol2));
	assert_false(rv_set_digest(out, ol) == rv_set_digest(out, ol - 1));
	/* Case in TXT is data: not lowercased. */
	uint8_t txt[] = { 0, 3, 2, 'A', 'b' }, t2[8];
	assert_int_equal(rv_set_canon(16, txt, 5, 1, t2, 8, &ol, &cnt), 0);
	assert_int_equal(t2[3], 'A');
	/* A count that does not match is an error. */
	assert_int_equal(rv_set_canon(16, txt, 5, 2, t2, 8, &ol, &cnt),
	    RV_EFORMAT);
	assert_int_equal(rv_set_canon(16, txt, 4, 1, t2, 8, &ol, &cnt),
	    RV_EFORMAT);
	/* MX: the exchange after the preference is lowercased. */
	uint8_t mx[32];
	size_t ml = wire("MX.Example.com", mx + 4);
	mx[0] = 0; mx[1] = (uint8_t)(2 + ml); mx[2] = 0; mx[3] = 10;
	assert_int_equal(rv_set_canon(15, mx, 4 + ml, 1, out, sizeof(out),
	    &ol, &cnt), 0);
	assert_int_equal(out[5], 'm');
	assert_true(rv_rdata_digest(15, mx + 2, 2 + ml) ==
	    rv_rdata_digest(15, out + 2, 2 + ml));
}

static void
test_ipinfo_periods(void **state)
{
	struct tmp_store_fx *f = *state;
	struct rv_ip ip;
	struct rv_ipinfo in, out;
	struct rv_key k;
	uint8_t vb[600];
	struct rv_txn *txn;
	struct rv_val kv, vv;

	assert_int_equal(rv_ip_parse("1.128.0.1", &ip), RV_OK);
	assert_int_equal(rv_store_write_begin(f->st, &txn), RV_OK);
	const uint32_t since[] = { 1000, 2000, 3000 };
	const uint32_t asn[] = { 1221, 7018, 15169 };
	for (int i = 0; i < 3; i++) {
		memset(&in, 0, sizeof(in));
		in.asn = asn[i];
		in.until = i < 2 ? since[i + 1] : 0;
		rv_key_ip(&k, &ip, since[i]);
		rv_ipinfo_encode(&in, vb);
		kv = rv_key_val(&k);
		vv.len = rv_ipinfo_size(&in);
		vv.data = vb;
		assert_int_equal(rv_put(f->st, txn, RV_DB_IP, &kv, &vv, 0),
		    RV_OK);
	}
	assert_int_equal(rv_txn_commit(f->st, txn), RV_OK);
	assert_int_equal(rv_store_read_begin(f->st, &txn), RV_OK);
	const uint32_t t[] = { 5, 1000, 1999, 2000, 2500, 3000, UINT32_MAX };
	const uint32_t want[] = { 1221, 1221, 1221, 7018, 7018, 15169, 15169 };
	for (int i = 0; i < 7; i++) {
		assert_int_equal(rv_store_ipinfo_at(f->st, txn, &ip, t[i], &out),
		    RV_OK);
		assert_int_equal(out.asn, want[i]);
	}
	assert_int_equal(out.since, 3000);
	assert_int_equal(rv_ip_parse("1.128.0.2", &ip), RV_OK);
	assert_int_equal(rv_store_ipinfo_at(f->st, txn, &ip, 2000, &out),
	    RV_ENOENT);
	rv_txn_abort(txn);
}

static int
count_sensor(uint16_t id, const char *name, size_t len, void *arg)
{
	(void)id; (void)name; (void)len;
	(*(int *)arg)++;
	return RV_OK;
}

static void
test_meta(void **state)
{
	struct tmp_store_fx *f = *state;
	struct rv_txn *txn;
	uint16_t a, b, c;
	char name[RV_SENSOR_NAME_BUF];
	uint64_t add[RV_STAT_COUNT] = { 0 };
	struct rv_store_stats s;
	struct rv_sensor_stat ss;
	int n = 0;

	assert_int_equal(rv_store_write_begin(f->st, &txn), RV_OK);
	assert_int_equal(rv_store_sensor_get_or_add(f->st, txn, "dns1", 4, &a), 0);
	assert_int_equal(rv_store_sensor_get_or_add(f->st, txn, "dns2", 4, &b), 0);
	assert_int_equal(rv_store_sensor_get_or_add(f->st, txn, "dns1", 4, &c), 0);
	assert_int_equal(a, c);
	assert_int_not_equal(a, b);
	add[RV_STAT_OBSERVATIONS] = 7;
	add[RV_STAT_FLUSHES] = 1;
	assert_int_equal(rv_store_stats_add(f->st, txn, add, 99), RV_OK);
	assert_int_equal(rv_store_stats_add(f->st, txn, add, 100), RV_OK);
	assert_int_equal(rv_store_sensor_stat_add(f->st, txn, b, 5, 50), 0);
	assert_int_equal(rv_store_sensor_stat_add(f->st, txn, b, 5, 40), 0);
	assert_int_equal(rv_txn_commit(f->st, txn), RV_OK);

	assert_int_equal(rv_store_read_begin(f->st, &txn), RV_OK);
	assert_int_equal(rv_store_sensor_name(f->st, txn, b, name,
	    sizeof(name)), RV_OK);
	assert_string_equal(name, "dns2");
	assert_int_equal(rv_store_sensor_id(f->st, txn, "dns3", 4, &c),
	    RV_ENOENT);
	assert_int_equal(rv_store_sensors(f->st, txn, count_sensor, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rv_store_stats_read(f->st, txn, &s), RV_OK);
	assert_int_equal(s.v[RV_STAT_OBSERVATIONS], 14);
	assert_int_equal(s.v[RV_STAT_FLUSHES], 2);
	assert_int_equal(s.last_write, 100);
	assert_int_equal(rv_store_sensor_stat(f->st, txn, b, &ss), RV_OK);
	assert_int_equal(ss.observations, 10);
	assert_int_equal(ss.last, 50);
	rv_txn_abort(txn);
}

static void
test_open_errors(void **state)
{
	struct tmp_store_fx *f = *state;
	struct rv_store *st = NULL;
	struct rv_txn *txn = NULL;
	char path[128];
	(void)f;

	assert_int_equal(rv_store_open("/nonexistent/rv", RV_STORE_RDONLY, 0,
	    &st), RV_ENOENT);
	assert_null(st);
	snprintf(path, sizeof(path), "%s/empty", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(rv_store_open(path, RV_STORE_RDONLY, 0, &st),
	    RV_ENOENT);
	/* A reader opens the writer's database while the writer has it, and
	 * cannot write to it. */
	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st), 0);
	assert_int_equal(rv_store_write_begin(st, &txn), RV_ESTATE);
	assert_null(txn);
	rv_store_close(st);
}

/* Three octets: c and two digits of n (n < 100). */
static struct rv_val
kv_of(char *buf, char c, int n)
{
	struct rv_val v = { 3, buf };

	buf[0] = c;
	buf[1] = (char)('0' + n / 10);
	buf[2] = (char)('0' + n % 10);
	return v;
}

static void
test_txn_cursor(void **state)
{
	struct tmp_store_fx *f = *state;
	struct rv_txn *txn;
	struct rv_cursor *c = NULL;
	struct rv_val k, v;
	char kb[4], vb[4];
	uint64_t rows;

	assert_int_equal(rv_store_write_begin(f->st, &txn), RV_OK);
	for (int i = 10; i < 50; i += 10) {	/* k10 k20 k30 k40 */
		k = kv_of(kb, 'k', i);
		v = kv_of(vb, 'v', i);
		assert_int_equal(rv_put(f->st, txn, RV_DB_ASN, &k, &v, 0),
		    RV_OK);
	}
	k = kv_of(kb, 'k', 99);		/* sorts last: may be appended */
	v = kv_of(vb, 'v', 99);
	assert_int_equal(rv_put(f->st, txn, RV_DB_ASN, &k, &v,
	    RV_PUT_APPEND), RV_OK);
	k = kv_of(kb, 'k', 40);
	assert_int_equal(rv_del(f->st, txn, RV_DB_ASN, &k), RV_OK);
	assert_int_equal(rv_del(f->st, txn, RV_DB_ASN, &k), RV_ENOENT);
	/* replace a value through the cursor */
	assert_int_equal(rv_cursor_open(f->st, txn, RV_DB_ASN, &c), RV_OK);
	k = kv_of(kb, 'k', 20);
	assert_int_equal(rv_cursor_get(c, &k, &v, RV_SET_KEY), RV_OK);
	v = kv_of(vb, 'w', 20);
	assert_int_equal(rv_cursor_put(c, &k, &v, RV_PUT_CURRENT), RV_OK);
	rv_cursor_close(c);
	assert_int_equal(rv_txn_commit(f->st, txn), RV_OK);

	assert_int_equal(rv_store_read_begin(f->st, &txn), RV_OK);
	assert_int_equal(rv_store_rows(f->st, txn, RV_DB_ASN, &rows), RV_OK);
	assert_int_equal(rows, 4);	/* k10 k20 k30 k99 */
	k = kv_of(kb, 'k', 20);
	assert_int_equal(rv_get(f->st, txn, RV_DB_ASN, &k, &v), RV_OK);
	assert_int_equal(v.len, 3);
	assert_memory_equal(v.data, "w20", 3);
	k = kv_of(kb, 'k', 40);
	assert_int_equal(rv_get(f->st, txn, RV_DB_ASN, &k, &v), RV_ENOENT);
	assert_int_equal(rv_cursor_open(f->st, txn, RV_DB_ASN, &c), RV_OK);
	k = kv_of(kb, 'k', 31);
	assert_int_equal(rv_cursor_get(c, &k, &v, RV_SET_RANGE), RV_OK);
	assert_memory_equal(k.data, "k99", 3);
	assert_memory_equal(v.data, "v99", 3);
	assert_int_equal(rv_cursor_get(c, &k, &v, RV_NEXT), RV_ENOENT);
	assert_int_equal(rv_cursor_get(c, &k, &v, RV_LAST), RV_OK);
	assert_memory_equal(k.data, "k99", 3);
	assert_int_equal(rv_cursor_get(c, &k, &v, RV_PREV), RV_OK);
	assert_memory_equal(k.data, "k30", 3);
	assert_int_equal(rv_cursor_get(c, &k, &v, RV_CURRENT), RV_OK);
	assert_memory_equal(v.data, "v30", 3);
	k = kv_of(kb, 'k', 40);
	assert_int_equal(rv_cursor_get(c, &k, &v, RV_SET_KEY), RV_ENOENT);
	k = kv_of(kb, 'l', 0);
	assert_int_equal(rv_cursor_get(c, &k, &v, RV_SET_RANGE), RV_ENOENT);
	assert_int_equal(rv_cursor_get(c, &k, &v, RV_FIRST), RV_OK);
	assert_memory_equal(k.data, "k10", 3);
	rv_cursor_close(c);
	rv_cursor_close(NULL);
	rv_txn_abort(txn);
	rv_txn_abort(NULL);
}

struct fill {
	int n;		/* rows to write */
};

/* Write rows 0..n-1 of 1 KiB each into the rdata database. */
static int
fill_rows(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	const struct fill *fl = arg;
	static uint8_t big[1024];
	struct rv_val k, v = { sizeof(big), big };
	uint8_t kb[4];
	int rc = RV_OK;

	for (int i = 0; i < fl->n && rc == RV_OK; i++) {
		kb[0] = (uint8_t)(i >> 24);
		kb[1] = (uint8_t)(i >> 16);
		kb[2] = (uint8_t)(i >> 8);
		kb[3] = (uint8_t)i;
		k.len = sizeof(kb);
		k.data = kb;
		rc = rv_put(st, txn, RV_DB_RDATA, &k, &v, 0);
	}
	return rc;
}

static void
test_map_full(void **state)
{
	char dir[64];
	struct rv_store *st;
	struct rv_txn *txn;
	struct fill fl = { 4096 };	/* 4 MiB and more: past a 1 MiB map */
	unsigned grows = 0;
	uint64_t rows;
	(void)state;

	assert_int_equal(tmp_store_open(dir, sizeof(dir), "rv-test-full",
	    1 << 20, &st), 0);
	assert_int_equal(rv_store_write_begin(st, &txn), RV_OK);
	assert_false(rv_store_map_full(st));
	assert_int_equal(fill_rows(st, txn, &fl), RV_ENOSPC);
	assert_true(rv_store_map_full(st));
	rv_txn_abort(txn);
	/* the one helper grows the map and runs the writer again */
	assert_int_equal(rv_store_write(st, fill_rows, &fl, &grows), RV_OK);
	assert_true(grows >= 1);
	assert_true(rv_store_mapsize(st) > (1 << 20));
	assert_int_equal(rv_store_read_begin(st, &txn), RV_OK);
	assert_int_equal(rv_store_rows(st, txn, RV_DB_RDATA, &rows), RV_OK);
	assert_int_equal(rows, fl.n);
	rv_txn_abort(txn);
	assert_int_equal(tmp_store_close(dir, st), 0);
}

/* Readers need to write lock.mdb (they register there), never data.mdb:
 * the writer leaves it without group or other write, whatever the umask. */
static void
test_data_file_mode(void **state)
{
	char dir[64], path[128];
	struct rv_store *st;
	struct stat sb;
	mode_t old = umask(0007);

	(void)state;
	assert_int_equal(tmp_store_open(dir, sizeof(dir), "rv-test-mode",
	    1 << 20, &st), 0);
	umask(old);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0660);
	assert_int_equal(tmp_store_close(dir, st), 0);
}

static void
test_grow(void **state)
{
	struct tmp_store_fx *f = *state;
	size_t before = rv_store_mapsize(f->st);

	assert_int_equal(rv_store_grow(f->st), RV_OK);
	assert_true(rv_store_mapsize(f->st) >= before + (256u << 20));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rrset_key_roundtrip),
		cmocka_unit_test(test_rrset_key_order),
		cmocka_unit_test(test_rdata_name_keys),
		cmocka_unit_test(test_names_asn_ip_keys),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_set_canon),
		cmocka_unit_test_setup_teardown(test_rdata_cidr_scan, tmp_store_setup,
		    tmp_store_teardown),
		cmocka_unit_test_setup_teardown(test_ipinfo_periods, tmp_store_setup,
		    tmp_store_teardown),
		cmocka_unit_test_setup_teardown(test_meta, tmp_store_setup,
		    tmp_store_teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, tmp_store_setup,
		    tmp_store_teardown),
		cmocka_unit_test_setup_teardown(test_txn_cursor,
		    tmp_store_setup, tmp_store_teardown),
		cmocka_unit_test(test_map_full),
		cmocka_unit_test(test_data_file_mode),
		cmocka_unit_test_setup_teardown(test_grow, tmp_store_setup,
		    tmp_store_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
