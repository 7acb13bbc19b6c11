/**
 * \file test_seg.c
 * The archive tier's logic: the segment value codec, the one merge rule
 * and its inverse (rv_seg_val_less), and a reader's cursor over LMDB and
 * segments: merged rows, the pending segment shadowed by LMDB, and a
 * damaged segment skipped with its name reported.
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

#include "rv_be.h"
#include "rv_err.h"
#include "store_lmdb.h"
#include "store_seg.h"
#include "tmp_store.h"

/* A live rrset value with \p nsens sensors and one A rdata. */
static size_t
rrset_val(uint8_t *out, uint32_t first, uint32_t last, uint32_t count,
    uint32_t tmin, uint32_t tmax, uint16_t sensor)
{
	static const uint8_t set[] = { 0, 4, 192, 0, 2, 1 };
	struct rv_rrset_val v;

	memset(&v, 0, sizeof(v));
	v.first = first;
	v.last = last;
	v.count = count;
	v.ttl_min = tmin;
	v.ttl_max = tmax;
	v.nsens = 1;
	v.sensor[0] = sensor;
	v.rdcount = 1;
	v.set = set;
	v.set_len = sizeof(set);
	rv_rrset_val_encode(&v, out);
	return rv_rrset_val_size(&v);
}

static void
test_codec_roundtrip(void **state)
{
	uint8_t live[128], packed[160], back[200];
	size_t ll, pl, bl;
	/* known TTLs, unknown TTLs (imports: min > max), last < first */
	const uint32_t cases[][5] = {
		{ 1700000000, 1700003600, 3, 300, 300 },
		{ 1700000000, 1700000000, 1, UINT32_MAX, 0 },
		{ 1700000000, 1600000000, UINT32_MAX, 0, UINT32_MAX },
		{ 0, UINT32_MAX, 0, 5, 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ll = rrset_val(live, cases[i][0], cases[i][1], cases[i][2],
		    cases[i][3], cases[i][4], 7);
		assert_int_equal(rv_seg_val_pack(RV_DB_RRSET, live, ll, packed,
		    sizeof(packed), &pl), RV_OK);
		assert_int_equal(rv_seg_val_unpack(RV_DB_RRSET, packed, pl,
		    back, sizeof(back), &bl), RV_OK);
		assert_int_equal(bl, ll);
		assert_memory_equal(back, live, ll);
	}
	/* an rdata row: 12 octets become 3 to 9 */
	rv_put32(live, 1700000000);
	rv_put32(live + 4, 1700000100);
	rv_put32(live + 8, 2);
	assert_int_equal(rv_seg_val_pack(RV_DB_RDATA, live, 12, packed,
	    sizeof(packed), &pl), RV_OK);
	assert_true(pl < 12);
	assert_int_equal(rv_seg_val_unpack(RV_DB_RDATA, packed, pl, back,
	    sizeof(back), &bl), RV_OK);
	assert_int_equal(bl, 12);
	assert_memory_equal(back, live, 12);
	/* databases that stay live have no segment encoding */
	assert_int_equal(rv_seg_val_pack(RV_DB_IP, live, 12, packed,
	    sizeof(packed), &pl), RV_EINVAL);
}

static void
test_codec_hostile(void **state)
{
	uint8_t back[64], in[16];
	size_t bl;

	(void)state;
	/* a varint that never ends, one too long, a value cut short */
	memset(in, 0xff, sizeof(in));
	assert_int_equal(rv_seg_val_unpack(RV_DB_RDATA, in, sizeof(in), back,
	    sizeof(back), &bl), RV_ECORRUPT);
	assert_int_equal(rv_seg_val_unpack(RV_DB_RDATA, in, 2, back,
	    sizeof(back), &bl), RV_ECORRUPT);
	/* first beyond 32 bits */
	in[0] = 0x80; in[1] = 0x80; in[2] = 0x80; in[3] = 0x80; in[4] = 0x10;
	in[5] = 0; in[6] = 0;
	assert_int_equal(rv_seg_val_unpack(RV_DB_RDATA, in, 7, back,
	    sizeof(back), &bl), RV_ECORRUPT);
	/* too small an output buffer */
	in[0] = 1; in[1] = 0; in[2] = 1;
	assert_int_equal(rv_seg_val_unpack(RV_DB_RDATA, in, 3, back, 8, &bl),
	    RV_ETOOBIG);
}

static void
test_merge_and_less(void **state)
{
	uint8_t a[128], b[128], m[256], d[256], back[256];
	struct rv_val va, vb, vm, vd;
	struct rv_rrset_val r;
	size_t ml, dl, bl;

	(void)state;
	va.len = rrset_val(a, 100, 200, 5, 60, 300, 1);	/* archived */
	vb.len = rrset_val(b, 150, 900, 9, 30, 120, 2);	/* live */
	va.data = a;
	vb.data = b;
	assert_int_equal(rv_seg_val_merge(RV_DB_RRSET, &va, &vb, m, sizeof(m),
	    &ml), RV_OK);
	assert_int_equal(rv_rrset_val_decode(m, ml, &r), RV_OK);
	assert_int_equal(r.first, 100);
	assert_int_equal(r.last, 900);
	assert_int_equal(r.count, 14);
	assert_int_equal(r.ttl_min, 30);
	assert_int_equal(r.ttl_max, 300);
	assert_int_equal(r.nsens, 2);
	assert_int_equal(r.rdcount, 1);
	/* live = archived merged with (live less archived) */
	vm.data = m;
	vm.len = ml;
	assert_int_equal(rv_seg_val_less(RV_DB_RRSET, &vm, &va, d, sizeof(d),
	    &dl), RV_OK);
	vd.data = d;
	vd.len = dl;
	assert_int_equal(rv_seg_val_merge(RV_DB_RRSET, &va, &vd, back,
	    sizeof(back), &bl), RV_OK);
	assert_int_equal(bl, ml);
	assert_memory_equal(back, m, ml);
	/* names rows: first/last only */
	rv_put32(a, 100); rv_put32(a + 4, 200);
	rv_put32(b, 50); rv_put32(b + 4, 150);
	va.len = vb.len = 8;
	assert_int_equal(rv_seg_val_merge(RV_DB_NAMES, &va, &vb, m, sizeof(m),
	    &ml), RV_OK);
	assert_int_equal(ml, 8);
	assert_int_equal(rv_get32(m), 50);
	assert_int_equal(rv_get32(m + 4), 200);
}

/* --- the cursor over both tiers ---------------------------------------- */

static int
put_row(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	const uint32_t *t = arg;
	uint8_t k[4], v[12];
	struct rv_val kv = { 4, k }, vv = { 12, v };
	int rc;

	for (uint32_t i = 0; i < t[0]; i++) {
		rv_put32(k, i);
		rv_put32(v, t[1]);
		rv_put32(v + 4, t[2]);
		rv_put32(v + 8, 1);
		if ((rc = rv_put(st, txn, RV_DB_RDATA, &kv, &vv, 0)) != RV_OK)
			return rc;
	}
	return RV_OK;
}

/* Sum of counts and row count over the rdata database, as a reader. */
static void
read_all(const char *dir, uint64_t *rows, uint64_t *count, const char **why)
{
	static char whybuf[256];
	struct rv_store *st = NULL;
	struct rv_txn *txn = NULL;
	struct rv_cursor *c = NULL;
	struct rv_val k, v;
	int rc;

	*rows = *count = 0;
	assert_int_equal(rv_store_open(dir, RV_STORE_RDONLY, 0, &st), RV_OK);
	assert_int_equal(rv_store_read_begin(st, &txn), RV_OK);
	assert_int_equal(rv_cursor_open(st, txn, RV_DB_RDATA, &c), RV_OK);
	for (rc = rv_cursor_get(c, &k, &v, RV_FIRST); rc == RV_OK;
	    rc = rv_cursor_get(c, &k, &v, RV_NEXT)) {
		assert_int_equal(v.len, 12);
		(*rows)++;
		*count += rv_get32((const uint8_t *)v.data + 8);
	}
	assert_int_equal(rc, RV_ENOENT);
	*why = NULL;
	if (rv_store_seg_why(st) != NULL) {
		snprintf(whybuf, sizeof(whybuf), "%s", rv_store_seg_why(st));
		*why = whybuf;
	}
	rv_cursor_close(c);
	assert_int_equal(rv_seg_open_iterators(), 0);
	rv_txn_abort(txn);
	rv_store_close(st);
}

/* One archive run to its end, as rearview archive makes it (no retention,
 * no merging): the job API's steps with no budget to speak of. */
static int
archive_run(struct rv_store *st, uint32_t cutoff,
    struct rv_archive_result *res)
{
	struct rv_archive_job *j = NULL;
	int rc, done = 0;

	memset(res, 0, sizeof(*res));
	if ((rc = rv_archive_job_new(st, cutoff, 0, 0, &j)) != RV_OK)
		return rc;
	while (rc == RV_OK && !done)
		rc = rv_archive_job_step(j, UINT32_MAX, &done);
	*res = *rv_archive_job_result(j);
	rv_archive_job_free(j);
	return rc;
}

static void
test_tiers(void **state)
{
	struct tmp_store_fx *f = *state;
	struct rv_archive_result res;
	uint32_t old[3] = { 3000, 1000, 2000 }, again[3] = { 10, 5000, 6000 };
	uint64_t rows, count;
	const char *why;
	char path[4200];
	FILE *fp;

	assert_int_equal(rv_store_write(f->st, put_row, old, NULL), RV_OK);
	assert_int_equal(archive_run(f->st, 2500, &res), RV_OK);
	assert_string_equal(res.segment, "seg-000001.mtbl");
	assert_int_equal(res.rows_db[RV_DB_RDATA], 3000);
	assert_int_equal(res.deleted, 3000);
	/* rows 0-9 seen again: live rows of count 1 beside archived ones */
	assert_int_equal(rv_store_write(f->st, put_row, again, NULL), RV_OK);
	read_all(f->dir, &rows, &count, &why);
	assert_int_equal(rows, 3000);
	assert_int_equal(count, 3010);
	assert_null(why);
	/* a reader's view of the segment's blocks, damaged in the middle */
	snprintf(path, sizeof(path), "%s/archive/seg-000001.mtbl", f->dir);
	assert_non_null(fp = fopen(path, "r+"));
	assert_int_equal(fseek(fp, 300, SEEK_SET), 0);
	assert_int_equal(fwrite("0123456789abcdef", 1, 16, fp), 16);
	fclose(fp);
	read_all(f->dir, &rows, &count, &why);
	assert_non_null(why);
	assert_non_null(strstr(why, "seg-000001.mtbl"));
	assert_true(rows >= 10 && rows < 3000);	/* the live rows at least */
}

/* RRsets with sets of 120 addresses (about 750 octets a value), each
 * archived in three runs with a sighting between them: a reader merges
 * three segment rows per key, which outgrows the cursor's first buffers
 * (it once kept a pointer into a buffer it had moved). */
static int
put_big(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	const uint32_t *t = arg;
	uint8_t set[120 * 6], val[1024];
	struct rv_rrset_val v;
	struct rv_val kv, vv;
	struct rv_key k;
	int rc;

	for (int i = 0; i < 120; i++) {
		set[6 * i] = 0;
		set[6 * i + 1] = 4;
		set[6 * i + 2] = 10;
		set[6 * i + 3] = 0;
		set[6 * i + 4] = 0;
		set[6 * i + 5] = (uint8_t)i;
	}
	for (uint32_t n = 0; n < 50; n++) {
		uint8_t owner[32];
		int len = snprintf((char *)owner + 1, sizeof(owner) - 2,
		    "h%u", n);

		owner[0] = (uint8_t)len;
		owner[len + 1] = 0;
		memset(&v, 0, sizeof(v));
		v.first = t[0];
		v.last = t[0] + 10;
		v.count = 1;
		v.ttl_min = v.ttl_max = 60;
		v.nsens = 1;
		v.sensor[0] = (uint16_t)(t[1] + n % 3);
		v.rdcount = 120;
		v.set = set;
		v.set_len = sizeof(set);
		rv_rrset_val_encode(&v, val);
		if ((rc = rv_key_rrset(&k, owner, (size_t)len + 2, 1, NULL, 0,
		    rv_set_digest(set, sizeof(set)))) != RV_OK)
			return rc;
		kv = rv_key_val(&k);
		vv.data = val;
		vv.len = rv_rrset_val_size(&v);
		if ((rc = rv_put(st, txn, RV_DB_RRSET, &kv, &vv, 0)) != RV_OK)
			return rc;
	}
	return RV_OK;
}

static void
test_tiers_big(void **state)
{
	struct tmp_store_fx *f = *state;
	struct rv_archive_result res;
	struct rv_store *st = NULL;
	struct rv_txn *txn = NULL;
	struct rv_cursor *c = NULL;
	struct rv_rrset_val r;
	struct rv_val k, v;
	unsigned rows = 0;
	int rc;

	for (uint32_t run = 0; run < 3; run++) {
		uint32_t t[2] = { 1000 + run * 100, 1 + run };

		assert_int_equal(rv_store_write(f->st, put_big, t, NULL), RV_OK);
		assert_int_equal(archive_run(f->st, 5000, &res), RV_OK);
		assert_int_equal(res.rows_db[RV_DB_RRSET], 50);
	}
	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st), RV_OK);
	assert_int_equal(rv_store_read_begin(st, &txn), RV_OK);
	assert_int_equal(rv_cursor_open(st, txn, RV_DB_RRSET, &c), RV_OK);
	for (rc = rv_cursor_get(c, &k, &v, RV_FIRST); rc == RV_OK;
	    rc = rv_cursor_get(c, &k, &v, RV_NEXT)) {
		assert_int_equal(rv_rrset_val_decode(v.data, v.len, &r), RV_OK);
		assert_int_equal(r.first, 1000);
		assert_int_equal(r.last, 1210);
		assert_int_equal(r.count, 3);
		assert_int_equal(r.rdcount, 120);
		assert_true(r.nsens >= 1 && r.nsens <= 3);
		rows++;
	}
	assert_int_equal(rc, RV_ENOENT);
	assert_int_equal(rows, 50);
	rv_cursor_close(c);
	rv_txn_abort(txn);
	rv_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec_roundtrip),
		cmocka_unit_test(test_codec_hostile),
		cmocka_unit_test(test_merge_and_less),
		cmocka_unit_test_setup_teardown(test_tiers, tmp_store_setup,
		    tmp_store_teardown),
		cmocka_unit_test_setup_teardown(test_tiers_big, tmp_store_setup,
		    tmp_store_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
