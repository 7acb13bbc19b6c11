/**
 * \file test_cli_geo.c
 * Batched enrichment (cli/geo.c and the output's batches in cli/out.c):
 * answers from a batch are the ones single lookups give (periods, unknown
 * addresses, repeats), asked in order they need no further lookup, asked
 * out of order they are still right; and the output holds rows in
 * batches of CLI_GEO_BATCH without changing a byte of what it prints.
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

#include "db.h"
#include "out.h"
#include "rv_err.h"
#include "rv_name.h"
#include "test_cli_fixture.h"

#define T0 1600000000u

static const struct fx_rec recs[] = {
	{ "a.example.com", "A", "example.com", "s1", T0, T0 + 10, 1, 60,
	  { "192.0.2.1", "198.51.100.7" } },
};

/* 192.0.2.1 moved from AS64500 to AS64501 at T0 + 1000. */
static const struct fx_ip ips[] = {
	{ "192.0.2.1", T0, 64500, "DE", "Old AS", "Berlin" },
	{ "192.0.2.1", T0 + 1000, 64501, "FR", "New AS", "Paris" },
	{ "198.51.100.7", T0, 64502, "US", "A rather long organisation name "
	  "that does not fit inline", "Springfield" },
	{ "2001:db8::1", T0, 64503, "NL", "V6 AS", "" },
};

static char dir[64];

/* ip rows as SCHEMA.md has them, two periods for one address (the
 * fixture writes one per address). */
static int
write_ips(void)
{
	struct rv_store *st = NULL;
	MDB_txn *txn = NULL;
	int rc;

	if ((rc = rv_store_open(dir, 0, 0, &st)) != RV_OK ||
	    (rc = rv_store_write_begin(st, &txn)) != RV_OK)
		goto leave;
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]) && rc == RV_OK;
	    i++) {
		struct rv_ipinfo info;
		struct rv_ip ip;
		struct rv_key k;
		uint8_t b[1024];
		MDB_val kv, vv;

		memset(&info, 0, sizeof(info));
		info.asn = ips[i].asn;
		snprintf(info.cc, sizeof(info.cc), "%s", ips[i].cc);
		snprintf(info.org, sizeof(info.org), "%s", ips[i].org);
		snprintf(info.city, sizeof(info.city), "%s", ips[i].city);
		info.lat = info.lon = RV_LATLON_NONE;
		if ((rc = rv_ip_parse(ips[i].addr, &ip)) != RV_OK ||
		    (rc = rv_key_ip(&k, &ip, ips[i].since)) != RV_OK)
			break;
		rv_ipinfo_encode(&info, b);
		kv = rv_key_val(&k);
		vv.mv_data = b;
		vv.mv_size = rv_ipinfo_size(&info);
		if (mdb_put(txn, rv_store_dbi(st, RV_DB_IP), &kv, &vv, 0) != 0)
			rc = RV_EIO;
	}
	if (rc == RV_OK) {
		rc = mdb_txn_commit(txn) == 0 ? RV_OK : RV_EIO;
		txn = NULL;
	}
leave:
	if (txn != NULL)
		mdb_txn_abort(txn);
	rv_store_close(st);
	return rc;
}

static int
setup(void **state)
{
	(void)state;
	if (fx_setup(dir, sizeof(dir), "rv-geo-test", recs, 1, NULL, 0) != 0)
		return -1;
	return write_ips();
}

static int
teardown(void **state)
{
	(void)state;
	return fx_teardown(dir);
}

static struct rv_ip
ip_of(const char *s)
{
	struct rv_ip ip;

	assert_int_equal(rv_ip_parse(s, &ip), RV_OK);
	return ip;
}

/* cli_db_geo must agree with a plain store lookup. */
static void
check(struct cli_db *db, const struct rv_ip *ip, uint32_t t)
{
	struct rv_ipinfo a, b;
	int ra, rb;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ra = cli_db_geo(db, ip, t, &a);
	rb = rv_store_ipinfo_at(db->st, db->txn, ip, t, &b);
	assert_int_equal(ra, rb);
	if (ra != RV_OK)
		return;
	assert_int_equal(a.since, b.since);
	assert_int_equal(a.asn, b.asn);
	assert_string_equal(a.cc, b.cc);
	assert_string_equal(a.org, b.org);
	assert_string_equal(a.city, b.city);
}

static void
test_batch_answers(void **state)
{
	const char *addr[] = { "198.51.100.7", "192.0.2.1", "192.0.2.1",
	    "203.0.113.9", "2001:db8::1", "192.0.2.1", "198.51.100.7" };
	uint32_t ts[] = { T0, T0 + 5, T0 + 2000, T0, T0, T0 + 5, T0 };
	struct rv_ip v[7];
	struct cli_db db;
	size_t n = 7;

	(void)state;
	for (size_t i = 0; i < n; i++)
		v[i] = ip_of(addr[i]);
	assert_int_equal(cli_db_open(dir, &db), 0);
	assert_int_equal(cli_db_geo_batch(&db, v, ts, n), RV_OK);
	for (size_t i = 0; i < n; i++)
		check(&db, &v[i], ts[i]);
	assert_int_equal(db.geo_single, 0);	/* all from the batch */
	/* the periods really differ, and the unknown address is unknown */
	struct rv_ipinfo g;
	assert_int_equal(cli_db_geo_batch(&db, v + 1, ts + 1, 3), RV_OK);
	assert_int_equal(cli_db_geo(&db, &v[1], ts[1], &g), RV_OK);
	assert_int_equal(g.asn, 64500);
	assert_int_equal(cli_db_geo(&db, &v[2], ts[2], &g), RV_OK);
	assert_int_equal(g.asn, 64501);
	assert_string_equal(g.city, "Paris");
	assert_int_equal(cli_db_geo(&db, &v[3], ts[3], &g), RV_ENOENT);
	assert_int_equal(db.geo_single, 0);
	/* out of order: looked up on its own, still right */
	assert_int_equal(cli_db_geo_batch(&db, v, ts, n), RV_OK);
	check(&db, &v[2], ts[2]);
	check(&db, &v[0], ts[0]);
	assert_true(db.geo_single > 0);
	cli_db_close(&db);
}

/* Output with a fake enrichment: every address is AS(last octet). */
static unsigned nbatch;
static size_t nasked;

static int
fake_geo(void *arg, const struct rv_ip *ip, uint32_t t, struct rv_ipinfo *g)
{
	(void)arg;
	(void)t;
	memset(g, 0, sizeof(*g));
	g->asn = 100 + ip->addr[3];
	strcpy(g->cc, "DE");
	return RV_OK;
}

static int
fake_batch(void *arg, const struct rv_ip *v, const uint32_t *ts, size_t n)
{
	(void)arg;
	(void)v;
	(void)ts;
	nbatch++;
	nasked += n;
	return RV_OK;
}

static char *
render(enum cli_fmt fmt, int natural, int batched, size_t nrows)
{
	static uint8_t owner[RV_NAME_MAX], set[8] = { 0, 4, 192, 0, 2, 0 };
	struct cli_out o;
	struct cli_row r;
	char *text = NULL;
	size_t len = 0, olen;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(rv_name_from_str("x.example.com", owner, &olen),
	    RV_OK);
	memset(&o, 0, sizeof(o));
	o.fp = f;
	o.fmt = fmt;
	o.sort = natural ? CLI_SORT_NAME : CLI_SORT_FIRST;
	o.desc = !natural;
	o.natural = natural;
	o.csv_header = 1;
	o.geo = fake_geo;
	o.geo_batch = batched ? fake_batch : NULL;
	memset(&r, 0, sizeof(r));
	r.kind = CLI_ROW_RRSET;
	r.owner = owner;
	r.owner_len = olen;
	r.type = 1;
	r.set = set;
	r.set_len = 6;
	r.rdcount = 1;
	assert_int_equal(cli_out_begin(&o), RV_OK);
	for (size_t i = 0; i < nrows; i++) {
		set[5] = (uint8_t)i;
		r.first = T0 + (uint32_t)(i % 1000);
		r.last = r.first + 1;
		assert_int_equal(cli_out_row(&o, &r), RV_OK);
	}
	assert_int_equal(cli_out_end(&o), RV_OK);
	cli_out_reset(&o);
	free(o.sb);
	fclose(f);
	return text;
}

static void
test_output_batches(void **state)
{
	static const enum cli_fmt fmts[] = { CLI_FMT_JSON, CLI_FMT_CSV,
	    CLI_FMT_TEXT, CLI_FMT_TABLE, CLI_FMT_DNSDB };
	size_t n = 2 * CLI_GEO_BATCH + 5;

	(void)state;
	for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		for (int natural = 0; natural <= 1; natural++) {
			char *plain = render(fmts[f], natural, 0, n);
			nbatch = 0;
			nasked = 0;
			char *batched = render(fmts[f], natural, 1, n);
			assert_string_equal(plain, batched);
			if (fmts[f] == CLI_FMT_DNSDB) {	/* no enrichment */
				assert_int_equal(nbatch, 0);
			} else {
				assert_int_equal(nbatch, 3);
				assert_int_equal(nasked, n);
			}
			free(plain);
			free(batched);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_answers),
		cmocka_unit_test(test_output_batches),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
