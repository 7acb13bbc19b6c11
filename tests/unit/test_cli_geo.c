/**
 * \file test_cli_geo.c
 * Batched enrichment (query/geo.c and the output's batches in cli/out.c):
 * answers from a batch are the ones single lookups give (periods, unknown
 * addresses, repeats, values too long to copy), whether they come from
 * sorted probes or from the in-memory table; and the output holds rows
 * in batches of CLI_GEO_BATCH, printed here or by the printer thread,
 * without changing a byte of what it prints.
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

#include "rvq_db.h"
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
	struct rv_txn *txn = NULL;
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
		struct rv_val kv, vv;

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
		vv.data = b;
		vv.len = rv_ipinfo_size(&info);
		rc = rv_put(st, txn, RV_DB_IP, &kv, &vv, 0);
	}
	if (rc == RV_OK) {
		rc = rv_txn_commit(st, txn);
		txn = NULL;
	}
leave:
	rv_txn_abort(txn);
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

/* An answer must be what a plain store lookup gives. */
static void
check(struct rvq_db *db, const struct rvq_geo_ans *q)
{
	struct rv_ipinfo a, b;
	int rb;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	rb = rv_store_ipinfo_at(db->st, db->txn, &q->ip, q->t, &b);
	assert_int_equal(q->rc, rb);
	if (rb != RV_OK)
		return;
	assert_int_equal(rv_ipinfo_decode(q->v != NULL ? q->v : q->val,
	    q->vlen, &a), RV_OK);
	assert_int_equal(q->since, b.since);
	assert_int_equal(a.until, b.until);	/* the end is in the value */
	assert_int_equal(a.asn, b.asn);
	assert_string_equal(a.cc, b.cc);
	assert_string_equal(a.org, b.org);
	assert_string_equal(a.city, b.city);
}

static void
ask(struct rvq_geo_ans *q)
{
	const char *addr[] = { "198.51.100.7", "192.0.2.1", "192.0.2.1",
	    "203.0.113.9", "2001:db8::1", "192.0.2.1", "198.51.100.7",
	    "2001:db8::2" };
	uint32_t ts[] = { T0, T0 + 5, T0 + 2000, T0, T0, T0 - 5, T0, T0 };

	memset(q, 0, 8 * sizeof(*q));
	for (size_t i = 0; i < 8; i++) {
		q[i] = (struct rvq_geo_ans){ .ip = ip_of(addr[i]), .t = ts[i] };
		q[i].rc = -1;
	}
}

/* The batch's questions, asked of a freshly opened db. */
static void
open_asked(struct rvq_db *db, struct rvq_geo_ans *q)
{
	ask(q);
	assert_int_equal(rvq_db_open(dir, db, NULL), 0);
}

/* A batch's answers are right, and so is a single lookup after it. */
static void
answers_right(struct rvq_db *db, const struct rvq_geo_ans *q)
{
	struct rv_ipinfo g;

	for (size_t i = 0; i < 8; i++)
		check(db, &q[i]);
	assert_int_equal(rvq_db_geo(db, &q[2].ip, q[2].t, &g), RV_OK);
	assert_string_equal(g.city, "Paris");
	assert_int_equal(g.since, T0 + 1000);
}

/* Sorted probes (the table is not built: it is not worth it yet). */
static void
test_batch_probes(void **state)
{
	struct rvq_geo_ans q[8];
	struct rvq_db db;

	(void)state;
	open_asked(&db, q);
	db.gtab_tried = 1;
	assert_int_equal(rvq_db_geo_batch(&db, q, 8), RV_OK);
	assert_null(db.gtab);
	for (size_t i = 0; i < 8; i++)
		check(&db, &q[i]);
	assert_non_null(q[0].v);	/* too long to copy: in the map */
	assert_null(q[1].v);		/* copied into the answer */
	/* the periods really differ, and the unknown address is unknown */
	assert_int_equal(q[1].since, T0);
	assert_int_equal(q[2].since, T0 + 1000);
	assert_int_equal(q[3].rc, RV_ENOENT);
	assert_int_equal(q[7].rc, RV_ENOENT);
	assert_int_equal(db.geo_single, 0);
	rvq_db_close(&db);
}

/* A batch big enough for the database builds the table and answers
 * from it; single lookups then use it too. */
static void
test_batch_table(void **state)
{
	struct rvq_geo_ans q[8];
	struct rvq_db db;

	(void)state;
	open_asked(&db, q);
	assert_int_equal(rvq_db_geo_batch(&db, q, 8), RV_OK);
	assert_non_null(db.gtab);
	answers_right(&db, q);
	assert_int_equal(db.geo_single, 0);
	rvq_db_close(&db);
}

/* Output with a fake enrichment: every address is AS(100 + last octet +
 * 1000 * third octet). With geo_shared the printer thread and this one
 * may both ask (cli/out.c flush_held), so the counts are atomic. */
static unsigned nbatch;
static size_t nasked;

static int
fake_geo(void *arg, const struct rv_ip *ip, uint32_t t, struct rv_ipinfo *g)
{
	(void)arg;
	(void)t;
	memset(g, 0, sizeof(*g));
	g->asn = 100 + ip->addr[3] + 1000u * ip->addr[2];
	strcpy(g->cc, "DE");
	return RV_OK;
}

static int
fake_batch(void *arg, struct rvq_geo_ans *q, size_t n)
{
	(void)arg;
	__atomic_add_fetch(&nbatch, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&nasked, n, __ATOMIC_RELAXED);
	for (size_t i = 0; i < n; i++) {
		struct rv_ipinfo g;

		assert_int_equal(fake_geo(NULL, &q[i].ip, q[i].t, &g), RV_OK);
		assert_true(rv_ipinfo_size(&g) <= sizeof(q[i].val));
		rv_ipinfo_encode(&g, q[i].val);
		q[i].vlen = (uint32_t)rv_ipinfo_size(&g);
		q[i].v = NULL;
		q[i].since = g.since;
		q[i].rc = RV_OK;
	}
	return RV_OK;
}

static unsigned nshare;

static int
share(void *arg)
{
	(void)arg;
	nshare++;
	return 1;
}

/* batched: 0 none, 1 batches, 2 batches and the printer thread, 3 the
 * printer asking the enrichment of its batches itself */
static char *
render(enum cli_fmt fmt, int natural, int batched, size_t nrows)
{
	static uint8_t owner[RV_NAME_MAX], set[8] = { 0, 4, 192, 0, 2, 0 };
	struct cli_out o;
	struct rvq_row r;
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
	o.shareable = batched >= 2 ? share : NULL;
	o.geo_shared = batched == 3 ? share : NULL;
	memset(&r, 0, sizeof(r));
	r.kind = RVQ_ROW_RRSET;
	r.owner = owner;
	r.owner_len = olen;
	r.type = 1;
	r.set = set;
	r.set_len = 6;
	r.rdcount = 1;
	assert_int_equal(cli_out_begin(&o), RV_OK);
	for (size_t i = 0; i < nrows; i++) {
		set[4] = (uint8_t)(i >> 16);	/* batches differ */
		set[5] = (uint8_t)i;
		r.first = T0 + (uint32_t)(i % 1000);
		r.last = r.first + 1;
		assert_int_equal(cli_out_row(&o, &r), RV_OK);
	}
	assert_int_equal(cli_out_end(&o), RV_OK);
	cli_out_free(&o);
	fclose(f);
	return text;
}

/* A renewed transaction keeps nothing of the old one: the table built
 * in it points into its pages and the ip cursor is on its snapshot. */
static void
test_renew(void **state)
{
	struct rvq_geo_ans q[8];
	struct rv_ipinfo g;
	struct rvq_db db;

	(void)state;
	open_asked(&db, q);
	assert_int_equal(rvq_db_geo(&db, &q[1].ip, q[1].t, &g), RV_OK);
	assert_non_null(db.ipcur);
	assert_int_equal(rvq_db_geo_batch(&db, q, 8), RV_OK);
	assert_non_null(db.gtab);
	assert_int_equal(rvq_db_renew(&db), RV_OK);
	assert_non_null(db.txn);
	assert_null(db.ipcur);
	assert_null(db.gtab);
	assert_false(rvq_db_geo_shared(&db));
	assert_false(db.geo_valid);
	/* and the answers come from the new transaction */
	ask(q);
	assert_int_equal(rvq_db_geo_batch(&db, q, 8), RV_OK);
	answers_right(&db, q);
	rvq_db_end(&db);
	assert_null(db.txn);
	rvq_db_close(&db);
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
			for (int mode = 1; mode <= 3; mode++) {
				nbatch = 0;
				nasked = 0;
				nshare = 0;
				char *batched = render(fmts[f], natural, mode,
				    n);
				assert_string_equal(plain, batched);
				if (fmts[f] == CLI_FMT_DNSDB) {	/* no geo */
					assert_int_equal(nbatch, 0);
				} else {
					assert_int_equal(nbatch, 3);
					assert_int_equal(nasked, n);
				}
				/* the printer ran: started at the first full
				 * batch of a streamed output */
				assert_int_equal(nshare, mode == 1 || !natural ?
				    0 : mode - 1);
				free(batched);
			}
			free(plain);
		}
	}
}

/* A scan whose output fails in the middle (here: /dev/full; the first
 * batch goes to the printer thread, the second finds that it failed)
 * stops, says that writing failed and why, and exits with 3; it does not
 * blame the database or hang. */
#define NBIG (2 * CLI_GEO_BATCH + 5000)
static void
test_write_error(void **state)
{
	static struct fx_rec big[NBIG];
	static char names[NBIG][32], addrs[NBIG][16];
	static const char *const fmts[] = { "json", "dnsdb", "csv" };
	char bdir[64], err[4096];

	(void)state;
	for (size_t i = 0; i < NBIG; i++) {
		snprintf(names[i], sizeof(names[i]), "h%06zu.full.example", i);
		snprintf(addrs[i], sizeof(addrs[i]), "10.%zu.%zu.%zu",
		    i >> 16 & 255, i >> 8 & 255, i & 255);
		big[i] = (struct fx_rec){ names[i], "A", "full.example", "s1",
		    T0, T0 + 10, 1, 60, { addrs[i] } };
	}
	snprintf(bdir, sizeof(bdir), "/tmp/rv-geo-full-XXXXXX");
	assert_non_null(mkdtemp(bdir));
	assert_int_equal(fx_build(bdir, big, NBIG, NULL, 0), RV_OK);
	for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		char *argv[] = { "rearview", "lookup", "*.full.example", "--db",
		    bdir, "-s", "name", "-l", "0", "-o", (char *)fmts[f], NULL };

		assert_int_equal(fx_run_to("/dev/full", 11, argv, err,
		    sizeof(err)), 3);
		assert_non_null(strstr(err, "lookup: writing output: No space "
		    "left on device"));
		assert_null(strstr(err, "reading"));
		assert_null(strchr(strchr(err, '\n') + 1, '\n')); /* 1 line */
	}
	assert_int_equal(fx_teardown(bdir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_probes),
		cmocka_unit_test(test_batch_table),
		cmocka_unit_test(test_renew),
		cmocka_unit_test(test_output_batches),
		cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
