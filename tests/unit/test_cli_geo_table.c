/**
 * \file test_cli_geo_table.c
 * The ip database in memory (query/geo_table.c) gives the answer the store
 * gives (rv_store_ipinfo_at) for every question: thousands of random
 * IPv4 and IPv6 addresses with one to four periods, closed and open,
 * values short and long, asked before, inside, between and after their
 * periods, and addresses it has never seen; and it refuses a database
 * that is too big for its limit or holds a key it cannot read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rvq_geo_table.h"
#include "rv_err.h"
#include "tmp_store.h"

#define NADDR 3000
#define T0 1600000000u

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Addresses from a few dense prefixes, so that hash slots collide and
 * neighbours share periods' values. */
static void
rnd_ip(struct rv_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (rnd() % 3 == 0) {
		ip->family = 6;
		ip->addr[0] = 0x20;
		ip->addr[1] = 0x01;
		ip->addr[2] = 0x0d;
		ip->addr[3] = 0xb8;
		ip->addr[15] = (uint8_t)rnd();
		ip->addr[14] = (uint8_t)(rnd() % 8);
	} else {
		ip->family = 4;
		ip->addr[0] = (uint8_t)(rnd() % 2 ? 10 : 192);
		ip->addr[1] = 0;
		ip->addr[2] = (uint8_t)(rnd() % 16);
		ip->addr[3] = (uint8_t)rnd();
	}
}

static void
rnd_info(struct rv_ipinfo *g)
{
	static const char *const orgs[] = { "", "AS One", "Deutsche Telekom "
	    "AG, a name long enough not to be copied into an answer", "Two" };
	static const char *const cities[] = { "", "Berlin", "Paris" };

	memset(g, 0, sizeof(*g));
	g->asn = 64500 + rnd() % 5;
	snprintf(g->cc, sizeof(g->cc), "%s", rnd() % 2 ? "DE" : "FR");
	snprintf(g->org, sizeof(g->org), "%s", orgs[rnd() % 4]);
	snprintf(g->city, sizeof(g->city), "%s", cities[rnd() % 3]);
	g->lat = g->lon = RV_LATLON_NONE;
}

static int
put(struct rv_store *st, struct rv_txn *txn, const struct rv_ip *ip,
    uint32_t since, const struct rv_ipinfo *g)
{
	struct rv_key k;
	uint8_t b[1024];
	struct rv_val kv, vv;

	if (rv_key_ip(&k, ip, since) != RV_OK)
		return -1;
	rv_ipinfo_encode(g, b);
	kv = rv_key_val(&k);
	vv.data = b;
	vv.len = rv_ipinfo_size(g);
	return rv_put(st, txn, RV_DB_IP, &kv, &vv, 0) == RV_OK ? 0 : -1;
}

/* NADDR addresses, each with 1-4 periods T0 + 1000 * j apart; all but
 * the last period are closed. */
static void
fill(struct rv_store *st, struct rv_ip *ips)
{
	struct rv_txn *txn;

	assert_int_equal(rv_store_write_begin(st, &txn), RV_OK);
	for (size_t i = 0; i < NADDR; i++) {
		unsigned np = 1 + rnd() % 4;

		rnd_ip(&ips[i]);
		for (unsigned j = 0; j < np; j++) {
			struct rv_ipinfo g;

			rnd_info(&g);
			g.until = j + 1 < np ? T0 + 1000 * (j + 1) : 0;
			assert_int_equal(put(st, txn, &ips[i], T0 + 1000 * j,
			    &g), 0);
		}
	}
	assert_int_equal(rv_txn_commit(st, txn), RV_OK);
}

static void
same(const struct rv_ipinfo *a, const struct rv_ipinfo *b)
{
	assert_int_equal(a->since, b->since);
	assert_int_equal(a->until, b->until);
	assert_int_equal(a->asn, b->asn);
	assert_string_equal(a->cc, b->cc);
	assert_int_equal(a->lat, b->lat);
	assert_int_equal(a->lon, b->lon);
	assert_string_equal(a->org, b->org);
	assert_string_equal(a->city, b->city);
}

static void
test_answers_as_store(void **state)
{
	struct tmp_store_fx *fx = *state;
	static struct rv_ip ips[NADDR];
	struct rvq_geo_table *tab;
	struct rv_txn *txn;
	size_t found = 0, unknown = 0;

	fill(fx->st, ips);
	assert_int_equal(rv_store_read_begin(fx->st, &txn), RV_OK);
	assert_int_equal(rvq_geo_table_build(fx->st, txn, (size_t)1 << 30,
	    &tab), RV_OK);
	assert_true(rvq_geo_table_bytes(tab) > 0);
	for (size_t n = 0; n < 20000; n++) {
		struct rv_ipinfo a, b;
		struct rv_ip ip;
		uint32_t t = T0 - 500 + rnd() % 5000;
		int ra, rb;

		if (n % 4 == 0)
			rnd_ip(&ip);	/* mostly never seen */
		else
			ip = ips[rnd() % NADDR];
		if (n % 50 == 0)
			t = n % 100 ? 0 : UINT32_MAX;
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		ra = rvq_geo_table_find(tab, &ip, t, &a);
		rb = rv_store_ipinfo_at(fx->st, txn, &ip, t, &b);
		assert_int_equal(ra, rb);
		if (ra == RV_OK) {
			same(&a, &b);
			found++;
		} else {
			unknown++;
		}
	}
	assert_true(found > 10000);	/* the test asks both kinds */
	assert_true(unknown > 1000);
	rvq_geo_table_free(tab);
	rv_txn_abort(txn);
}

static void
test_limits(void **state)
{
	struct tmp_store_fx *fx = *state;
	static struct rv_ip ips[NADDR];
	struct rvq_geo_table *tab = NULL;
	struct rv_txn *txn;
	struct rv_val k, v;

	fill(fx->st, ips);
	assert_int_equal(rv_store_read_begin(fx->st, &txn), RV_OK);
	assert_int_equal(rvq_geo_table_build(fx->st, txn, 4096, &tab),
	    RV_ENOMEM);
	assert_null(tab);
	rv_txn_abort(txn);
	/* a key of no family the table knows */
	assert_int_equal(rv_store_write_begin(fx->st, &txn), RV_OK);
	k.data = "\x05zzzzzzzz";
	k.len = 9;
	v.data = "01234567890123456789";
	v.len = 20;
	assert_int_equal(rv_put(fx->st, txn, RV_DB_IP, &k, &v, 0), RV_OK);
	assert_int_equal(rv_txn_commit(fx->st, txn), RV_OK);
	assert_int_equal(rv_store_read_begin(fx->st, &txn), RV_OK);
	assert_int_equal(rvq_geo_table_build(fx->st, txn, (size_t)1 << 30,
	    &tab), RV_ECORRUPT);
	assert_null(tab);
	rv_txn_abort(txn);
}

static void
test_empty(void **state)
{
	struct tmp_store_fx *fx = *state;
	struct rvq_geo_table *tab;
	struct rv_ipinfo g;
	struct rv_ip ip;
	struct rv_txn *txn;

	assert_int_equal(rv_store_read_begin(fx->st, &txn), RV_OK);
	assert_int_equal(rvq_geo_table_build(fx->st, txn, (size_t)1 << 30,
	    &tab), RV_OK);
	rnd_ip(&ip);
	assert_int_equal(rvq_geo_table_find(tab, &ip, T0, &g), RV_ENOENT);
	rvq_geo_table_free(tab);
	rv_txn_abort(txn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_answers_as_store,
		    tmp_store_setup, tmp_store_teardown),
		cmocka_unit_test_setup_teardown(test_limits,
		    tmp_store_setup, tmp_store_teardown),
		cmocka_unit_test_setup_teardown(test_empty,
		    tmp_store_setup, tmp_store_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
