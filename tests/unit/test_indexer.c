/**
 * \file test_indexer.c
 * cmocka tests of the indexer's aggregation and flush: identical RRsets
 * merge (min first, max last, summed count, TTL range, sensor union),
 * different sets and negative answers stay apart, a flush writes every
 * index, and enrichment keeps the period it was valid in when the mmdb
 * data changes (MaxMind's test databases in $RV_MMDB_DIR); every record
 * of a numbered stream is received or counted lost, across a restart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "agg.h"
#include "enrich.h"
#include "flush.h"
#include "log.h"
#include "rv_err.h"
#include "rv_name.h"
#include "rv_store.h"
#include "rvd.h"
#include "sensors.h"
#include "tmp_store.h"

struct fx {
	char dir[64];
	struct rv_store *st;
	struct rvd_agg a;
};

static int
setup(void **state)
{
	struct fx *f = test_calloc(1, sizeof(*f));

	if (tmp_store_open(f->dir, sizeof(f->dir), "rv-test-idx",
	    32 << 20, &f->st) != 0 ||
	    rvd_agg_init(&f->a) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	rvd_agg_destroy(&f->a);
	if (tmp_store_close(f->dir, f->st) != 0)
		return -1;
	test_free(f);
	return 0;
}

/* A record with up to 4 IPv4 rdata given as text. */
struct rec_buf {
	struct rv_record r;
	uint8_t owner[RV_NAME_MAX], zone[RV_NAME_MAX], rd[64];
};

static void
mkrec(struct rec_buf *b, const char *owner, const char *zone, int64_t t,
    uint32_t ttl, const char *const *ips, int nips)
{
	size_t n = 0;

	memset(b, 0, sizeof(*b));
	assert_int_equal(rv_name_from_str(owner, b->owner, &b->r.owner_len), 0);
	assert_int_equal(rv_name_from_str(zone, b->zone, &b->r.zone_len), 0);
	b->r.owner = b->owner;
	b->r.qname = b->owner;
	b->r.qname_len = b->r.owner_len;
	b->r.zone = b->zone;
	b->r.kind = nips ? RV_REC_RRSET : RV_REC_NEGATIVE;
	b->r.section = nips ? RV_SEC_ANSWER : RV_SEC_NONE;
	b->r.rcode = nips ? 0 : 3;
	b->r.time = t;
	b->r.type = 1;
	b->r.qtype = 1;
	b->r.rclass = 1;
	b->r.qclass = 1;
	b->r.ttl = ttl;
	for (int i = 0; i < nips; i++) {
		struct rv_ip ip;
		assert_int_equal(rv_ip_parse(ips[i], &ip), 0);
		b->rd[n++] = 0;
		b->rd[n++] = 4;
		memcpy(b->rd + n, ip.addr, 4);
		n += 4;
	}
	b->r.rdcount = (uint16_t)nips;
	b->r.rdata = b->rd;
	b->r.rdata_len = n;
}

static void
test_agg_merge(void **state)
{
	struct fx *f = *state;
	struct rec_buf b;
	const char *ab[] = { "192.0.2.1", "192.0.2.2" };
	const char *ba[] = { "192.0.2.2", "192.0.2.1" };
	const char *c[] = { "192.0.2.3" };
	struct rvd_agg_ent **v;

	mkrec(&b, "www.example.com", "example.com", 1000, 300, ab, 2);
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_OK);
	/* Same set in another order, other case, other sensor. */
	mkrec(&b, "WWW.example.com", "example.com", 900, 60, ba, 2);
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 2), RV_OK);
	mkrec(&b, "www.example.com", "example.com", 1100, 600, ab, 2);
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_OK);
	assert_int_equal(f->a.n, 1);
	/* Another set: another entry. Another bailiwick: another entry. */
	mkrec(&b, "www.example.com", "example.com", 1000, 300, c, 1);
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_OK);
	mkrec(&b, "www.example.com", "com", 1000, 300, c, 1);
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_OK);
	/* A negative answer for the same name stays apart. */
	mkrec(&b, "www.example.com", "example.com", 1000, 300, NULL, 0);
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_OK);
	/* Class CH is not stored. */
	mkrec(&b, "version.bind", ".", 1000, 0, c, 1);
	b.r.rclass = 3;
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_ENOTSUP);
	assert_int_equal(f->a.n, 4);
	assert_int_equal(f->a.obs, 6);

	assert_int_equal(rvd_agg_sorted(&f->a, &v), RV_OK);
	int found = 0;
	for (size_t i = 0; i < f->a.n; i++) {
		if (v[i]->kind != RV_REC_RRSET || v[i]->rdcount != 2)
			continue;
		found++;
		assert_int_equal(v[i]->first, 900);
		assert_int_equal(v[i]->last, 1100);
		assert_int_equal(v[i]->count, 3);
		assert_int_equal(v[i]->ttl_min, 60);
		assert_int_equal(v[i]->ttl_max, 600);
		assert_int_equal(v[i]->nsens, 2);
	}
	assert_int_equal(found, 1);
	/* Sorted: RRsets before negatives, keys ascending. */
	assert_int_equal(v[f->a.n - 1]->kind, RV_REC_NEGATIVE);
	free(v);
	assert_int_equal(f->a.sens[1].obs, 5);
	assert_int_equal(f->a.sens[2].obs, 1);
}

static void
test_agg_frame(void **state)
{
	struct fx *f = *state;
	static uint8_t buf[65536];
	struct rv_frame_enc enc;
	struct rv_frame_hdr hdr;
	struct rec_buf b;
	struct rvd_agg_ent **v;
	const char *ab[] = { "192.0.2.1", "192.0.2.2" };
	const char *ba[] = { "192.0.2.2", "192.0.2.1" };
	char name[64];
	size_t off;
	uint64_t bad = 0;

	assert_int_equal(rv_frame_begin(&enc, buf, sizeof(buf), "s1", 2), 0);
	/* 50 distinct names, each seen twice with the set in two orders,
	 * one class CH record, one negative answer. */
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "h%d.example.com", i % 50);
		mkrec(&b, name, "example.com", 1000 + i, 300, i < 50 ? ab : ba,
		    2);
		assert_int_equal(rv_frame_add(&enc, &b.r), 0);
	}
	mkrec(&b, "version.bind", ".", 1, 0, ab, 1);
	b.r.rclass = 3;
	assert_int_equal(rv_frame_add(&enc, &b.r), 0);
	mkrec(&b, "nx.example.com", "example.com", 5, 300, NULL, 0);
	assert_int_equal(rv_frame_add(&enc, &b.r), 0);
	size_t len = rv_frame_finish(&enc);
	assert_int_equal(rv_frame_validate(buf, len, &hdr), 0);
	assert_int_equal(rv_frame_decode_header(buf, len, &hdr, &off), 0);
	assert_int_equal(rvd_agg_add_frame(&f->a, buf, len, off, hdr.count, 7,
	    &bad), 0);
	assert_int_equal(bad, 1);
	assert_int_equal(f->a.n, 51);
	assert_int_equal(f->a.obs, 101);
	assert_int_equal(rvd_agg_sorted(&f->a, &v), 0);
	for (size_t i = 0; i < 50; i++) {
		assert_int_equal(v[i]->kind, RV_REC_RRSET);
		assert_int_equal(v[i]->count, 2);
		assert_int_equal(v[i]->last - v[i]->first, 50);
	}
	assert_int_equal(v[50]->kind, RV_REC_NEGATIVE);
	free(v);
}

static void
test_agg_many_sensors(void **state)
{
	struct fx *f = *state;
	struct rec_buf b;
	const char *c[] = { "192.0.2.3" };

	mkrec(&b, "x.example.com", "example.com", 1, 1, c, 1);
	for (uint16_t s = 100; s > 0; s--)
		assert_int_equal(rvd_agg_add_record(&f->a, &b.r, s), RV_OK);
	assert_int_equal(f->a.n, 1);
	struct rvd_agg_ent **v;
	assert_int_equal(rvd_agg_sorted(&f->a, &v), RV_OK);
	assert_int_equal(v[0]->nsens, RV_SENSORS_MAX);
	const uint16_t *ids = rvd_agg_ent_sensors(v[0]);
	for (int i = 1; i < RV_SENSORS_MAX; i++)
		assert_true(ids[i - 1] < ids[i]);
	free(v);
}

struct counter {
	int n;
};

static int
count_cb(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	(void)k; (void)v;
	((struct counter *)arg)->n++;
	return RV_OK;
}

static int
count_db(struct fx *f, enum rv_db db)
{
	struct counter c = { 0 };
	struct rv_key lo = { 0 }, hi;
	struct rv_txn *txn;

	memset(hi.buf, 0xff, 16);
	hi.len = 16;
	assert_int_equal(rv_store_read_begin(f->st, &txn), 0);
	assert_int_equal(rv_store_scan(f->st, txn, db, &lo, &hi, count_cb, &c),
	    0);
	rv_txn_abort(txn);
	return c.n;
}

static void
test_flush_merges_into_store(void **state)
{
	struct fx *f = *state;
	struct rec_buf b;
	struct rvd_flush_result res;
	const char *ab[] = { "192.0.2.1", "192.0.2.2" };
	struct rv_key k;
	uint8_t w[RV_NAME_MAX];
	size_t wl;
	struct rv_txn *txn;
	struct rv_val kv, v;
	struct rv_cursor *cur;
	struct rv_rrset_val val;

	for (int round = 0; round < 2; round++) {
		mkrec(&b, "www.example.com", "example.com", 1000 + round * 100,
		    300, ab, 2);
		assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_OK);
		assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_OK);
		mkrec(&b, "nx.example.com", "example.com", 1000, 300, NULL, 0);
		assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_OK);
		f->a.frames = 1;
		assert_int_equal(rvd_flush_write(f->st, &f->a, NULL, 5000,
		    &res), 0);
		assert_int_equal(res.seq, (uint64_t)round + 1);
		assert_int_equal(res.new_rrsets, round ? 0 : 1);
		rvd_agg_reset(&f->a);
	}
	assert_int_equal(count_db(f, RV_DB_RRSET), 1);
	assert_int_equal(count_db(f, RV_DB_NEG), 1);
	assert_int_equal(count_db(f, RV_DB_RDATA), 2);
	assert_int_equal(count_db(f, RV_DB_NAMES), 1);
	assert_int_equal(count_db(f, RV_DB_IP), 2);	/* empty enrichment */
	assert_int_equal(count_db(f, RV_DB_ASN), 0);

	wl = sizeof(w);
	assert_int_equal(rv_name_from_str("www.example.com", w, &wl), 0);
	assert_int_equal(rv_key_rrset_name_type(&k, w, wl, 1), 0);
	assert_int_equal(rv_store_read_begin(f->st, &txn), 0);
	assert_int_equal(rv_cursor_open(f->st, txn, RV_DB_RRSET, &cur), 0);
	kv = rv_key_val(&k);
	assert_int_equal(rv_cursor_get(cur, &kv, &v, RV_SET_RANGE), 0);
	assert_true(rv_key_has_prefix(&kv, &k));
	assert_int_equal(rv_rrset_val_decode(v.data, v.len, &val), 0);
	assert_int_equal(val.first, 1000);
	assert_int_equal(val.last, 1100);
	assert_int_equal(val.count, 4);
	assert_int_equal(val.rdcount, 2);
	rv_cursor_close(cur);
	struct rv_store_stats s;
	assert_int_equal(rv_store_stats_read(f->st, txn, &s), 0);
	assert_int_equal(s.v[RV_STAT_OBSERVATIONS], 6);
	assert_int_equal(s.v[RV_STAT_RRSETS], 1);
	assert_int_equal(s.v[RV_STAT_NEGATIVES], 1);
	assert_int_equal(s.v[RV_STAT_FRAMES], 2);
	rv_txn_abort(txn);
}

static void
test_flush_grows_map(void **state)
{
	struct fx *f = *state;
	struct rec_buf b;
	struct rvd_flush_result res;
	char name[64], ip[32];
	size_t before;

	/* A 1 MiB map: 120k RRsets with all indexes need far more. */
	rv_store_close(f->st);
	assert_int_equal(rv_store_open(f->dir, 0, 1 << 20, &f->st), 0);
	before = rv_store_mapsize(f->st);
	for (int i = 0; i < 120000; i++) {
		const char *ips[] = { ip };
		snprintf(name, sizeof(name), "h%d.grow.example", i);
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i >> 16, (i >> 8) & 255,
		    i & 255);
		mkrec(&b, name, "grow.example", 1000, 300, ips, 1);
		assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_OK);
	}
	assert_int_equal(rvd_flush_write(f->st, &f->a, NULL, 1, &res), RV_OK);
	assert_true(res.grows > 0);
	assert_true(rv_store_mapsize(f->st) > before);
	assert_int_equal(count_db(f, RV_DB_RRSET), 120000);
}

/* The regdom row of \p name: its 'D' first/last and whether its 'T' row
 * sits at that first sighting. */
static void
regdom_row(struct fx *f, const char *name, uint32_t *first, uint32_t *last,
    int *timed)
{
	uint8_t w[RV_NAME_MAX], back[RV_NAME_MAX];
	size_t wl = sizeof(w), bl;
	struct rv_key k, tk;
	struct rv_val kv, v;
	struct rv_txn *txn;
	struct rv_seen s;
	uint32_t t;

	assert_int_equal(rv_name_from_str(name, w, &wl), 0);
	assert_int_equal(rv_key_regdom(&k, w, wl), 0);
	assert_int_equal(rv_store_read_begin(f->st, &txn), 0);
	kv = rv_key_val(&k);
	assert_int_equal(rv_get(f->st, txn, RV_DB_REGDOM, &kv, &v), 0);
	assert_int_equal(rv_names_val_decode(v.data, v.len, &s), 0);
	*first = s.first;
	*last = s.last;
	assert_int_equal(rv_key_regdom_time(&tk, s.first, k.buf + 1,
	    k.len - 1), 0);
	kv = rv_key_val(&tk);
	*timed = rv_get(f->st, txn, RV_DB_REGDOM, &kv, &v) == RV_OK;
	assert_int_equal(rv_regdom_key_decode(tk.buf, tk.len, &t, back, &bl),
	    0);
	assert_int_equal(t, s.first);
	assert_true(rv_name_eq(back, bl, w, wl));
	rv_txn_abort(txn);
}

/* The registered-domain index: one row per registered domain under the
 * public suffix list (private suffixes too), negative answers not
 * counted, and the time row following an earlier first sighting. */
static void
test_flush_regdom(void **state)
{
	struct fx *f = *state;
	struct rec_buf b;
	struct rvd_flush_result res;
	const char *ips[] = { "192.0.2.1" };
	uint32_t first, last;
	int timed;

	mkrec(&b, "www.example.co.uk", "example.co.uk", 5000, 300, ips, 1);
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_OK);
	mkrec(&b, "login.example.co.uk", "example.co.uk", 6000, 300, ips, 1);
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_OK);
	mkrec(&b, "a.b.foo.github.io", "github.io", 5000, 300, ips, 1);
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_OK);
	mkrec(&b, "co.uk", "uk", 5000, 300, ips, 1);	/* a suffix: none */
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_OK);
	mkrec(&b, "nx.absent.example", "example", 5000, 300, NULL, 0);
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_OK);
	assert_int_equal(rvd_flush_write(f->st, &f->a, NULL, 7000, &res), 0);
	assert_int_equal(res.new_regdoms, 2);
	assert_int_equal(count_db(f, RV_DB_REGDOM), 4);	/* 2 'D' + 2 'T' */
	regdom_row(f, "example.co.uk", &first, &last, &timed);
	assert_true(first == 5000 && last == 6000 && timed);
	regdom_row(f, "foo.github.io", &first, &last, &timed);
	assert_true(first == 5000 && timed);
	rvd_agg_reset(&f->a);

	/* An import of older data: first moves back, so does the 'T' row. */
	mkrec(&b, "old.example.co.uk", "example.co.uk", 100, 300, ips, 1);
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), RV_OK);
	assert_int_equal(rvd_flush_write(f->st, &f->a, NULL, 7001, &res), 0);
	assert_int_equal(res.new_regdoms, 0);
	assert_int_equal(count_db(f, RV_DB_REGDOM), 4);
	regdom_row(f, "example.co.uk", &first, &last, &timed);
	assert_true(first == 100 && last == 6000 && timed);
}

static const char *
mmdb(const char *file)
{
	static char path[2][512];
	static int i;
	const char *d = getenv("RV_MMDB_DIR");

	if (!d || !*d)
		return NULL;
	i ^= 1;
	snprintf(path[i], sizeof(path[i]), "%s/%s", d, file);
	return access(path[i], R_OK) == 0 ? path[i] : NULL;
}

static void
test_enrichment_periods(void **state)
{
	struct fx *f = *state;
	struct rvd_enrich_cfg cfg = { 0 };
	struct rvd_enrich *en = NULL;
	struct rec_buf b;
	struct rvd_flush_result res;
	struct rv_ipinfo info;
	struct rv_ip ip;
	struct rv_txn *txn;
	size_t changed = 0;
	const char *a1[] = { "1.128.0.1" }, *a2[] = { "12.81.92.5" };
	const char *a3[] = { "81.2.69.160" };

	cfg.asn_db = mmdb("GeoLite2-ASN-Test.mmdb");
	cfg.geo_db = mmdb("GeoIP2-City-Test.mmdb");
	if (!cfg.asn_db || !cfg.geo_db)
		skip();
	assert_int_equal(rvd_enrich_open(&cfg, &en), RV_OK);
	mkrec(&b, "a.example.com", "example.com", 1000, 300, a1, 1);
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), 0);
	mkrec(&b, "b.example.com", "example.com", 1000, 300, a2, 1);
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), 0);
	mkrec(&b, "c.example.co.uk", "example.co.uk", 1000, 300, a3, 1);
	assert_int_equal(rvd_agg_add_record(&f->a, &b.r, 1), 0);
	assert_int_equal(rvd_flush_write(f->st, &f->a, en, 1000, &res), 0);
	rvd_agg_reset(&f->a);
	assert_int_equal(res.new_ips, 3);

	assert_int_equal(rv_store_read_begin(f->st, &txn), 0);
	rv_ip_parse("1.128.0.1", &ip);
	assert_int_equal(rv_store_ipinfo_at(f->st, txn, &ip, 1000, &info), 0);
	assert_int_equal(info.asn, 1221);
	assert_string_equal(info.org, "Telstra Pty Ltd");
	rv_ip_parse("12.81.92.5", &ip);
	assert_int_equal(rv_store_ipinfo_at(f->st, txn, &ip, 1000, &info), 0);
	assert_int_equal(info.asn, 7018);
	rv_ip_parse("81.2.69.160", &ip);
	assert_int_equal(rv_store_ipinfo_at(f->st, txn, &ip, 1000, &info), 0);
	assert_string_equal(info.cc, "GB");
	assert_string_equal(info.city, "London");
	assert_int_not_equal(info.lat, RV_LATLON_NONE);
	rv_txn_abort(txn);

	/* The data changes: the ASN file is gone from the config. Addresses
	 * keep what they had before t=2000 and get the new data after. */
	rvd_enrich_close(en);
	cfg.asn_db = NULL;
	assert_int_equal(rvd_enrich_open(&cfg, &en), RV_OK);
	assert_int_equal(rvd_flush_reenrich(f->st, en, 2000, &changed), 0);
	assert_int_equal(changed, 2);	/* the GB address had no ASN */
	assert_int_equal(rv_store_read_begin(f->st, &txn), 0);
	rv_ip_parse("1.128.0.1", &ip);
	assert_int_equal(rv_store_ipinfo_at(f->st, txn, &ip, 1500, &info), 0);
	assert_int_equal(info.asn, 1221);
	assert_int_equal(info.until, 2000);
	assert_int_equal(rv_store_ipinfo_at(f->st, txn, &ip, 2500, &info), 0);
	assert_int_equal(info.asn, 0);
	assert_int_equal(info.since, 2000);
	assert_int_equal(info.until, 0);
	rv_ip_parse("81.2.69.160", &ip);
	assert_int_equal(rv_store_ipinfo_at(f->st, txn, &ip, 2500, &info), 0);
	assert_int_equal(info.since, 1000);
	rv_txn_abort(txn);
	/* Nothing changes the second time. */
	assert_int_equal(rvd_flush_reenrich(f->st, en, 3000, &changed), 0);
	assert_int_equal(changed, 0);
	/* The ASN index kept the pivot. */
	assert_int_equal(count_db(f, RV_DB_ASN), 2);
	rvd_enrich_close(en);
}

static void
test_enrich_bad_file(void **state)
{
	struct rvd_enrich_cfg cfg = { .asn_db = "/nonexistent.mmdb" };
	struct rvd_enrich *en = NULL;
	struct rv_ipinfo info;
	struct rv_ip ip;
	(void)state;

	assert_int_equal(rvd_enrich_open(&cfg, &en), RV_EIO);
	assert_null(en);
	/* No files: empty enrichment, never a failure. */
	cfg.asn_db = NULL;
	assert_int_equal(rvd_enrich_open(&cfg, &en), RV_OK);
	rv_ip_parse("1.128.0.1", &ip);
	rvd_enrich_lookup(en, &ip, &info);
	assert_int_equal(info.asn, 0);
	assert_int_equal(info.lat, RV_LATLON_NONE);
	assert_false(rvd_enrich_active(en));
	rvd_enrich_close(en);
}


static struct rv_frame_seq
fseq(uint64_t boot, uint64_t seq, uint64_t dq)
{
	struct rv_frame_seq f = { boot, seq, { dq, 0, 0 } };

	return f;
}

/* The arithmetic: in order, gaps, restarts, unnumbered and late frames. */
static void
test_seq_advance(void **state)
{
	struct rv_sensor_seq q;
	struct rv_frame_seq f;

	(void)state;
	memset(&q, 0, sizeof(q));
	f = fseq(7, 0, 0);
	rvd_sensors_seq_advance(&q, &f, 10);	/* 0..9 */
	f = fseq(7, 10, 2);
	rvd_sensors_seq_advance(&q, &f, 5);		/* 10..14 */
	f = fseq(7, 20, 1);			/* 15..19 lost; late drops */
	rvd_sensors_seq_advance(&q, &f, 5);
	assert_true(q.boot == 7 && q.next == 25 && q.received == 20);
	assert_true(q.lost == 5 && q.resets == 0);
	assert_true(q.drops.queue_full == 2);	/* never goes back */
	f = fseq(7, 12, 3);			/* below next: late */
	rvd_sensors_seq_advance(&q, &f, 4);
	assert_true(q.out_of_order == 4 && q.next == 25 && q.lost == 5);
	assert_true(q.drops.queue_full == 3);
	f = fseq(0, 999, 0);			/* unnumbered */
	rvd_sensors_seq_advance(&q, &f, 6);
	assert_true(q.unsequenced == 6 && q.next == 25 && q.received == 24);
	f = fseq(8, 3, 1);	/* a restart, 0..2 of the new boot lost */
	rvd_sensors_seq_advance(&q, &f, 2);
	assert_true(q.boot == 8 && q.resets == 1 && q.next == 5);
	assert_true(q.lost == 8 && q.received == 26);
	assert_true(q.drops_before.queue_full == 3 && q.drops.queue_full == 1);
	f = fseq(8, UINT64_MAX - 1, 0);	/* a liar cannot wrap the sums */
	rvd_sensors_seq_advance(&q, &f, 10);
	assert_true(q.next == UINT64_MAX && q.lost >= UINT64_MAX - 20);
	f = fseq(8, UINT64_MAX, 0);
	rvd_sensors_seq_advance(&q, &f, 10);
	assert_true(q.lost == UINT64_MAX && q.next == UINT64_MAX);
}

/* What a flush commits is where the stream resumes after a crash: frames
 * taken but not committed show up as the next frame's gap. */
static void
test_seq_persisted(void **state)
{
	struct fx *f = *state;
	struct rvd_sensors s;
	const struct rv_sensor_seq *q;
	struct rv_sensor_seq stored;
	struct rv_frame_hdr h;
	struct rvd_flush_result res;
	uint16_t id, id2;
	struct rv_txn *txn;

	memset(&h, 0, sizeof(h));
	rvd_sensors_init(&s);
	assert_int_equal(rvd_sensors_id(&s, f->st, "s1", 2, &id), RV_OK);
	for (int i = 0; i < 3; i++) {	/* three frames of 100, committed */
		h.seq = fseq(42, (uint64_t)i * 100, 0);
		h.count = 100;
		assert_int_equal(rvd_sensors_seq_frame(&s, id, &h, &q), RV_OK);
		assert_int_equal(rvd_agg_sensor_seq(&f->a, id, q), RV_OK);
	}
	assert_int_equal(rvd_flush_write(f->st, &f->a, NULL, 5000, &res), 0);
	rvd_agg_reset(&f->a);
	h.seq = fseq(42, 300, 0);	/* taken, then the process dies */
	assert_int_equal(rvd_sensors_seq_frame(&s, id, &h, &q), RV_OK);
	assert_int_equal(rvd_agg_sensor_seq(&f->a, id, q), RV_OK);
	rvd_agg_reset(&f->a);
	rvd_sensors_free(&s);

	/* The restarted indexer: the flusher registers the sensor for the
	 * receiver, which caches it with its stored state. */
	rvd_sensors_init(&s);
	assert_int_equal(rvd_sensors_find(&s, "s1", 2, &id2), RV_ENOENT);
	assert_int_equal(rvd_sensors_register(f->st, "s1", 2, &id2, &stored), 0);
	assert_int_equal(id2, id);
	assert_int_equal(rvd_sensors_add(&s, "s1", 2, id2, &stored), RV_OK);
	h.seq = fseq(42, 450, 4);	/* 300..449 never committed */
	h.count = 50;
	assert_int_equal(rvd_sensors_seq_frame(&s, id, &h, &q), RV_OK);
	assert_true(q->lost == 150 && q->received == 350 && q->next == 500);
	assert_int_equal(rvd_agg_sensor_seq(&f->a, id, q), RV_OK);
	assert_int_equal(rvd_flush_write(f->st, &f->a, NULL, 5001, &res), 0);
	rvd_sensors_free(&s);

	assert_int_equal(rv_store_read_begin(f->st, &txn), 0);
	assert_int_equal(rv_store_sensor_seq(f->st, txn, id, &stored), 0);
	rv_txn_abort(txn);
	assert_true(stored.boot == 42 && stored.next == 500);
	assert_true(stored.received == 350 && stored.lost == 150);
	assert_true(stored.drops.queue_full == 4 && stored.resets == 0);
}

/* A dnstap sensor's counters are summed over flushes, in the flush that
 * commits its records; a window that kept nothing still carries them. */
static void
test_dt_counts_persisted(void **state)
{
	struct fx *f = *state;
	struct rvd_sensors s;
	struct rv_sensor_dt dt;
	struct rvd_flush_result res;
	struct rv_txn *txn;
	uint16_t id, other;

	rvd_sensors_init(&s);
	assert_int_equal(rvd_sensors_id(&s, f->st, "res1", 4, &id), RV_OK);
	assert_int_equal(rvd_sensors_id(&s, f->st, "nng1", 4, &other), RV_OK);
	assert_int_equal(rvd_agg_sensor_dt(&f->a, id, RV_DT_RESPONSES, 2), 0);
	assert_int_equal(rvd_agg_sensor_dt(&f->a, id, RV_DT_RECORDS, 5), 0);
	assert_int_equal(rvd_agg_sensor_dt(&f->a, id, RV_DT_DROPPED_CLIENT, 7),
	    0);
	assert_int_equal(f->a.n, 0);
	assert_true(f->a.dt_counts > 0);
	assert_int_equal(rvd_flush_write(f->st, &f->a, NULL, 5000, &res), 0);
	rvd_agg_reset(&f->a);
	assert_int_equal(f->a.dt_counts, 0);
	assert_int_equal(rvd_agg_sensor_dt(&f->a, id, RV_DT_DROPPED_CLIENT, 1),
	    0);
	assert_int_equal(rvd_agg_sensor_dt(&f->a, id, RV_DT_RETRIES, 3), 0);
	assert_int_equal(rvd_flush_write(f->st, &f->a, NULL, 5001, &res), 0);
	rvd_sensors_free(&s);

	assert_int_equal(rv_store_read_begin(f->st, &txn), 0);
	assert_int_equal(rv_store_sensor_dt(f->st, txn, id, &dt), 0);
	assert_true(dt.v[RV_DT_RESPONSES] == 2 && dt.v[RV_DT_RECORDS] == 5);
	assert_true(dt.v[RV_DT_DROPPED_CLIENT] == 8);
	assert_true(dt.v[RV_DT_RETRIES] == 3 && dt.v[RV_DT_REJECTED] == 0);
	/* An nng sensor has no dnstap counters. */
	assert_int_equal(rv_store_sensor_dt(f->st, txn, other, &dt), RV_ENOENT);
	rv_txn_abort(txn);
	assert_string_equal(rv_dt_stat_name(RV_DT_DROPPED_CLIENT),
	    "dropped_client");
}

/* Readiness for systemd: one datagram to $NOTIFY_SOCKET, a path or an
 * abstract name; nothing without it. */
static void
test_notify(void **state)
{
	struct sockaddr_un sa;
	char path[64], buf[64];
	ssize_t n;
	int fd;

	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(rvd_notify("READY=1"), 0);
	snprintf(path, sizeof(path), "/tmp/rv-notify-%d.sock", (int)getpid());
	unlink(path);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_true((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(rvd_notify("READY=1"), 0);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_int_equal(n, 7);
	buf[n] = '\0';
	assert_string_equal(buf, "READY=1");
	close(fd);
	unlink(path);
	/* the abstract namespace */
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "rv-notify-%d",
	    (int)getpid());
	assert_true((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    strlen(sa.sun_path + 1))), 0);
	snprintf(path, sizeof(path), "@%s", sa.sun_path + 1);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(rvd_notify("STOPPING=1"), 0);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_int_equal(n, 10);
	close(fd);
	/* a name that is no socket address */
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(rvd_notify("READY=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify),
		cmocka_unit_test_setup_teardown(test_agg_merge, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_agg_frame, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_agg_many_sensors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_flush_merges_into_store,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_regdom, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_flush_grows_map, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_enrichment_periods, setup,
		    teardown),
		cmocka_unit_test(test_enrich_bad_file),
		cmocka_unit_test(test_seq_advance),
		cmocka_unit_test_setup_teardown(test_seq_persisted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dt_counts_persisted,
		    setup, teardown),
	};
	rvd_log_open("test", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
