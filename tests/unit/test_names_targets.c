/**
 * \file test_names_targets.c
 * cmocka tests of target names in the names database (store/rv_store_names.c,
 * SCHEMA.md): the right-hand wildcard prefix selects exactly the names whose
 * leading labels are given, a new database is flagged as holding target
 * names, and the backfill of an older one reads only the 'N' rows, merges
 * every target into its names row across slice boundaries, resumes where
 * the last slice stopped and sets the flag once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Does the names key of \p name start with the prefix of \p labels? */
static int
fwd_match(const char *labels, const char *name)
{
	uint8_t l[RV_NAME_MAX], n[RV_NAME_MAX];
	size_t ll = wire(labels, l), nl = wire(name, n);
	struct rv_key p, k;
	struct rv_val v;

	assert_int_equal(rv_key_names_prefix(&p, l, ll), RV_OK);
	assert_int_equal(rv_key_names(&k, n, nl), RV_OK);
	v = rv_key_val(&k);
	return rv_key_has_prefix(&v, &p);
}

static void
test_fwd_prefix(void **state)
{
	(void)state;
	assert_true(fwd_match("ns.example", "ns.example.com"));
	assert_true(fwd_match("ns.example", "ns.example.net"));
	assert_true(fwd_match("ns.example", "NS.Example.co.uk"));
	assert_true(fwd_match("ns.example", "ns.example"));
	assert_false(fwd_match("ns.example", "ns1.example.com"));
	assert_false(fwd_match("ns.example", "ns.examples.com"));
	assert_false(fwd_match("ns.example", "a.ns.example.com"));
	assert_false(fwd_match("ns.example", "ns.com"));
	assert_true(fwd_match("ns1", "ns1.example.com"));
	assert_false(fwd_match("ns1", "ns10.example.com"));
	/* escaped octets keep label boundaries */
	assert_false(fwd_match("ns.example", "ns\\.example.com"));
	assert_true(fwd_match("a\\000b", "a\\000b.example"));
	assert_false(fwd_match("a", "a\\000b.example"));
}

static void
test_new_db_flagged(void **state)
{
	struct tmp_store_fx *f = *state;
	struct rv_txn *txn;
	uint32_t since = 0;

	assert_int_equal(rv_store_read_begin(f->st, &txn), RV_OK);
	assert_int_equal(rv_store_names_targets(f->st, txn, &since), RV_OK);
	assert_true(since > 0);
	rv_txn_abort(txn);
}

/* One row of an older database's reverse index. */
struct nrow {
	const char *target;
	uint16_t type;
	const char *owner;
	uint32_t first, last;
};

static const struct nrow nrows[] = {
	{ "ns.example.com", 2, "alpha.org", 1000, 2000 },
	{ "ns.example.com", 2, "beta.org", 900, 1500 },
	{ "ns.example.com", 15, "gamma.org", 3000, 3000 },
	{ "ns1.example.com", 2, "alpha.org", 1000, 2000 },
	{ ".", 15, "null.org", 100, 100 },
	{ "NS.Example.NET", 5, "www.beta.org", 4000, 5000 },
};
#define NNROWS (sizeof(nrows) / sizeof(nrows[0]))

static void
put_raw(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    const struct rv_key *k, const void *v, size_t vl)
{
	struct rv_val kv = rv_key_val(k), vv = { vl, v };

	assert_int_equal(rv_put(st, txn, db, &kv, &vv, 0), RV_OK);
}

/* An older database: 'N', 'H' and address rows, names rows of owners only
 * (ns.example.com is an owner too), no flag. */
static void
make_old(struct tmp_store_fx *f)
{
	uint8_t t[RV_NAME_MAX], o[RV_NAME_MAX], b[RV_RDATA_VAL_SIZE];
	struct rv_val fk = { 13, "names_targets" };
	struct rv_key k;
	struct rv_ip ip;
	struct rv_txn *txn;

	assert_int_equal(rv_store_write_begin(f->st, &txn), RV_OK);
	for (size_t i = 0; i < NNROWS; i++) {
		struct rv_seen s = { nrows[i].first, nrows[i].last, 1 };
		size_t tl = wire(nrows[i].target, t);
		size_t ol = wire(nrows[i].owner, o);
		assert_int_equal(rv_key_rdata_name(&k, t, tl, nrows[i].type, o,
		    ol), RV_OK);
		rv_rdata_val_encode(&s, b);
		put_raw(f->st, txn, RV_DB_RDATA, &k, b, RV_RDATA_VAL_SIZE);
	}
	{
		struct rv_seen s = { 10, 20, 1 };
		size_t ol = wire("txt.org", o);
		rv_rdata_val_encode(&s, b);
		assert_int_equal(rv_key_rdata_hash(&k, 42, 16, o, ol), RV_OK);
		put_raw(f->st, txn, RV_DB_RDATA, &k, b, RV_RDATA_VAL_SIZE);
		assert_int_equal(rv_ip_parse("192.0.2.1", &ip), RV_OK);
		ol = wire("a.org", o);
		assert_int_equal(rv_key_rdata_ip(&k, &ip, 1, o, ol), RV_OK);
		put_raw(f->st, txn, RV_DB_RDATA, &k, b, RV_RDATA_VAL_SIZE);
	}
	{
		struct rv_seen s = { 500, 600, 0 };
		size_t ol = wire("ns.example.com", o);
		assert_int_equal(rv_key_names(&k, o, ol), RV_OK);
		rv_seen2_encode(&s, b);
		put_raw(f->st, txn, RV_DB_NAMES, &k, b, RV_SEEN2_SIZE);
		ol = wire("a.org", o);
		assert_int_equal(rv_key_names(&k, o, ol), RV_OK);
		s.first = 10;
		s.last = 20;
		rv_seen2_encode(&s, b);
		put_raw(f->st, txn, RV_DB_NAMES, &k, b, RV_SEEN2_SIZE);
	}
	assert_int_equal(rv_del(f->st, txn, RV_DB_META, &fk), RV_OK);
	assert_int_equal(rv_txn_commit(f->st, txn), RV_OK);
}

/* The names row of \p name: 1 and its times, 0 when absent. */
static int
names_row(struct tmp_store_fx *f, const char *name, uint32_t *first,
    uint32_t *last)
{
	uint8_t w[RV_NAME_MAX];
	size_t wl = wire(name, w);
	struct rv_seen s;
	struct rv_key k;
	struct rv_txn *txn;
	struct rv_val kv, v;
	int rc;

	assert_int_equal(rv_key_names(&k, w, wl), RV_OK);
	kv = rv_key_val(&k);
	assert_int_equal(rv_store_read_begin(f->st, &txn), RV_OK);
	rc = rv_get(f->st, txn, RV_DB_NAMES, &kv, &v);
	if (rc == RV_OK) {
		assert_int_equal(rv_names_val_decode(v.data, v.len, &s),
		    RV_OK);
		*first = s.first;
		*last = s.last;
	} else {
		assert_int_equal(rc, RV_ENOENT);
	}
	rv_txn_abort(txn);
	return rc == RV_OK;
}

static size_t
names_count(struct tmp_store_fx *f)
{
	struct rv_txn *txn;
	uint64_t rows;

	assert_int_equal(rv_store_read_begin(f->st, &txn), RV_OK);
	assert_int_equal(rv_store_rows(f->st, txn, RV_DB_NAMES, &rows), RV_OK);
	rv_txn_abort(txn);
	return (size_t)rows;
}

/* The flag and whether a resume point is stored. */
static void
flag_state(struct tmp_store_fx *f, int *flag, uint32_t *since, int *at)
{
	struct rv_val ak = { 16, "names_targets_at" }, v;
	struct rv_txn *txn;
	int rc;

	assert_int_equal(rv_store_read_begin(f->st, &txn), RV_OK);
	rc = rv_store_names_targets(f->st, txn, since);
	assert_true(rc == RV_OK || rc == RV_ENOENT);
	*flag = rc == RV_OK;
	rc = rv_get(f->st, txn, RV_DB_META, &ak, &v);
	assert_true(rc == RV_OK || rc == RV_ENOENT);
	*at = rc == RV_OK;
	rv_txn_abort(txn);
}

static void
check_backfilled(struct tmp_store_fx *f)
{
	uint32_t a = 0, b = 0;

	/* the owner row widened by its targets' rows: 500..3000 */
	assert_true(names_row(f, "ns.example.com", &a, &b));
	assert_int_equal(a, 500);
	assert_int_equal(b, 3000);
	assert_true(names_row(f, "ns1.example.com", &a, &b));
	assert_int_equal(a, 1000);
	assert_int_equal(b, 2000);
	assert_true(names_row(f, "ns.example.net", &a, &b));
	assert_int_equal(a, 4000);
	assert_int_equal(b, 5000);
	assert_true(names_row(f, ".", &a, &b));
	assert_int_equal(a, 100);
	/* the owner rows as they were; nothing from 'H' or address rows */
	assert_true(names_row(f, "a.org", &a, &b));
	assert_int_equal(a, 10);
	assert_int_equal(b, 20);
	assert_false(names_row(f, "alpha.org", &a, &b));
	assert_false(names_row(f, "txt.org", &a, &b));
	assert_int_equal(names_count(f), 5);
}

static void
test_backfill_slices(void **state)
{
	struct tmp_store_fx *f = *state;
	struct rv_names_backfill res;
	size_t slices = 0, rows = 0, names = 0;
	uint32_t since;
	int flag, at;

	make_old(f);
	flag_state(f, &flag, &since, &at);
	assert_false(flag);
	assert_false(at);
	/* one row a slice: targets span slices, each slice resumes */
	do {
		assert_int_equal(rv_store_names_backfill(f->st, 1, 7777, &res),
		    RV_OK);
		assert_int_equal(res.rows, 1);
		slices++;
		rows += res.rows;
		names += res.names;
		flag_state(f, &flag, &since, &at);
		assert_int_equal(flag, res.done);
		assert_int_equal(at, !res.done);
	} while (!res.done && slices < 100);
	assert_int_equal(slices, NNROWS);
	assert_int_equal(rows, NNROWS);
	/* ns.example.com widened twice (to 2000, then to 3000; its row of
	 * 900..1500 changes nothing), three new rows */
	assert_int_equal(names, 5);
	assert_int_equal(since, 7777);
	check_backfilled(f);
	/* done: nothing more to do, nothing changes */
	assert_int_equal(rv_store_names_backfill(f->st, 1, 8888, &res), RV_OK);
	assert_true(res.done);
	assert_int_equal(res.rows, 0);
	flag_state(f, &flag, &since, &at);
	assert_int_equal(since, 7777);
}

static void
test_backfill_resume(void **state)
{
	struct tmp_store_fx *f = *state;
	struct rv_names_backfill res;
	uint32_t since;
	int flag, at;

	make_old(f);
	assert_int_equal(rv_store_names_backfill(f->st, 2, 100, &res), RV_OK);
	assert_int_equal(res.rows, 2);
	assert_false(res.done);
	flag_state(f, &flag, &since, &at);
	assert_false(flag);
	assert_true(at);
	/* a new process (reopen) goes on from the stored point */
	rv_store_close(f->st);
	f->st = NULL;
	assert_int_equal(rv_store_open(f->dir, 0, 64 << 20, &f->st), RV_OK);
	assert_int_equal(rv_store_names_backfill(f->st, 1000, 200, &res),
	    RV_OK);
	assert_true(res.done);
	assert_int_equal(res.rows, NNROWS - 2);
	flag_state(f, &flag, &since, &at);
	assert_true(flag);
	assert_false(at);
	assert_int_equal(since, 200);
	check_backfilled(f);
}

static void
test_backfill_empty(void **state)
{
	struct tmp_store_fx *f = *state;
	struct rv_names_backfill res;
	struct rv_val fk = { 13, "names_targets" };
	struct rv_txn *txn;
	uint32_t since;
	int flag, at;

	/* an older database without any target row: one slice, done */
	assert_int_equal(rv_store_write_begin(f->st, &txn), RV_OK);
	assert_int_equal(rv_del(f->st, txn, RV_DB_META, &fk), RV_OK);
	assert_int_equal(rv_txn_commit(f->st, txn), RV_OK);
	assert_int_equal(rv_store_names_backfill(f->st, 10, 300, &res), RV_OK);
	assert_true(res.done);
	assert_int_equal(res.rows, 0);
	assert_int_equal(res.names, 0);
	flag_state(f, &flag, &since, &at);
	assert_true(flag);
	assert_int_equal(since, 300);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fwd_prefix),
		cmocka_unit_test_setup_teardown(test_new_db_flagged, tmp_store_setup,
		    tmp_store_teardown),
		cmocka_unit_test_setup_teardown(test_backfill_slices, tmp_store_setup,
		    tmp_store_teardown),
		cmocka_unit_test_setup_teardown(test_backfill_resume, tmp_store_setup,
		    tmp_store_teardown),
		cmocka_unit_test_setup_teardown(test_backfill_empty, tmp_store_setup,
		    tmp_store_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
