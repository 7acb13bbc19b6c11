/**
 * \file test_store_lmdb.c
 * cmocka tests of the store's engine layer, beside it because they see
 * LMDB (store_lmdb.h), which nothing outside store/ may: every LMDB code
 * and commit errno maps to the rv_err the callers rely on, a full map is
 * noted only by writes, and a value the engine holds comes back through
 * the store's own types unchanged.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rv_err.h"
#include "store_lmdb.h"
#include "tmp_store.h"

static void
test_error_translation(void **state)
{
	static const struct { int mdb, rv; } map[] = {
		{ 0, RV_OK }, { MDB_NOTFOUND, RV_ENOENT },
		{ MDB_MAP_FULL, RV_ENOSPC }, { ENOSPC, RV_ENOSPC },
		{ EDQUOT, RV_ENOSPC }, { MDB_KEYEXIST, RV_EEXIST },
		{ MDB_CORRUPTED, RV_ECORRUPT },
		{ MDB_PAGE_NOTFOUND, RV_ECORRUPT }, { MDB_INVALID, RV_ECORRUPT },
		{ MDB_VERSION_MISMATCH, RV_EVERSION }, { ENOMEM, RV_ENOMEM },
		{ MDB_BAD_VALSIZE, RV_ETOOBIG }, { ENOENT, RV_ENOENT },
		{ MDB_CURSOR_FULL, RV_ECORRUPT }, { MDB_PAGE_FULL, RV_ECORRUPT },
		{ MDB_BAD_TXN, RV_ECORRUPT },
		{ EIO, RV_EIO }, { MDB_PANIC, RV_EIO },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		assert_int_equal(rv_store_err(map[i].mdb), map[i].rv);
}

static void
test_map_full_noted_by_writes_only(void **state)
{
	struct tmp_store_fx *f = *state;

	assert_false(rv_store_map_full(f->st));
	assert_int_equal(rv_store_wrote(f->st, MDB_NOTFOUND), RV_ENOENT);
	assert_false(rv_store_map_full(f->st));
	assert_int_equal(rv_store_wrote(f->st, MDB_MAP_FULL), RV_ENOSPC);
	assert_true(rv_store_map_full(f->st));
	/* A new write transaction starts with a clean slate. */
	struct rv_txn *txn;
	assert_int_equal(rv_store_write_begin(f->st, &txn), RV_OK);
	assert_false(rv_store_map_full(f->st));
	rv_txn_abort(txn);
}

static void
test_values_round_trip(void **state)
{
	struct tmp_store_fx *f = *state;
	struct rv_val k = { 5, "key-1" }, v = { 3, "abc" }, got;
	struct rv_txn *txn;
	MDB_val mk, mv;

	assert_int_equal(rv_store_write_begin(f->st, &txn), RV_OK);
	assert_int_equal(rv_put(f->st, txn, RV_DB_META, &k, &v, 0), RV_OK);
	/* What the store wrote is what LMDB holds ... */
	mk = lm_val(&k);
	assert_int_equal(mdb_get(lm_txn(txn), rv_store_dbi(f->st, RV_DB_META),
	    &mk, &mv), 0);
	assert_int_equal(mv.mv_size, 3);
	assert_memory_equal(mv.mv_data, "abc", 3);
	/* ... and what LMDB holds comes back unchanged. */
	got = rv_val_of(&mv);
	assert_int_equal(got.len, 3);
	assert_ptr_equal(got.data, mv.mv_data);
	assert_int_equal(rv_txn_commit(f->st, txn), RV_OK);
}

/* The file's pages are the pages in use plus LMDB's free list, as
 * mdb_stat -ef counts them; deleting rows puts pages on the free list. */
static void
test_space(void **state)
{
	struct tmp_store_fx *f = *state;
	struct rv_store_space sp, sp2;
	struct rv_txn *txn;
	char key[16], val[512];
	MDB_envinfo info;
	MDB_stat ms;

	memset(val, 'v', sizeof(val));
	assert_int_equal(rv_store_write_begin(f->st, &txn), RV_OK);
	for (int i = 0; i < 2000; i++) {
		struct rv_val k = { (size_t)snprintf(key, sizeof(key), "k%05d",
		    i), key }, v = { sizeof(val), val };
		assert_int_equal(rv_put(f->st, txn, RV_DB_META, &k, &v, 0),
		    RV_OK);
	}
	assert_int_equal(rv_txn_commit(f->st, txn), RV_OK);
	assert_int_equal(rv_store_read_begin(f->st, &txn), RV_OK);
	assert_int_equal(rv_store_space(f->st, txn, &sp), RV_OK);
	rv_txn_abort(txn);
	assert_int_equal(mdb_env_stat(f->st->env, &ms), 0);
	assert_int_equal(mdb_env_info(f->st->env, &info), 0);
	assert_int_equal(sp.page_bytes, ms.ms_psize);
	assert_int_equal(sp.pages_bytes, (info.me_last_pgno + 1) * ms.ms_psize);
	assert_int_equal(sp.used_bytes + sp.free_bytes, sp.pages_bytes);
	/* 2000 values of 512 octets need at least 1 MB of pages. */
	assert_true(sp.used_bytes >= 2000 * 512);

	assert_int_equal(rv_store_write_begin(f->st, &txn), RV_OK);
	for (int i = 0; i < 2000; i++) {
		struct rv_val k = { (size_t)snprintf(key, sizeof(key), "k%05d",
		    i), key };
		assert_int_equal(rv_del(f->st, txn, RV_DB_META, &k), RV_OK);
	}
	assert_int_equal(rv_txn_commit(f->st, txn), RV_OK);
	/* A second commit lets the first one's freed pages be counted as
	 * free (the newest snapshot still owns what it replaced). */
	assert_int_equal(rv_store_write_begin(f->st, &txn), RV_OK);
	assert_int_equal(rv_txn_commit(f->st, txn), RV_OK);
	assert_int_equal(rv_store_read_begin(f->st, &txn), RV_OK);
	assert_int_equal(rv_store_space(f->st, txn, &sp2), RV_OK);
	rv_txn_abort(txn);
	assert_int_equal(sp2.used_bytes + sp2.free_bytes, sp2.pages_bytes);
	assert_true(sp2.free_bytes >= 2000 * 512);
	assert_true(sp2.used_bytes < sp.used_bytes / 4);
}

static void
rewrite_all(struct tmp_store_fx *f, char fill)
{
	struct rv_txn *txn;
	char key[16], val[512];

	memset(val, fill, sizeof(val));
	assert_int_equal(rv_store_write_begin(f->st, &txn), RV_OK);
	for (int i = 0; i < 2000; i++) {
		struct rv_val k = { (size_t)snprintf(key, sizeof(key), "k%05d",
		    i), key }, v = { sizeof(val), val };
		assert_int_equal(rv_put(f->st, txn, RV_DB_META, &k, &v, 0),
		    RV_OK);
	}
	assert_int_equal(rv_txn_commit(f->st, txn), RV_OK);
}

static uint64_t
file_pages(struct tmp_store_fx *f)
{
	MDB_envinfo info;

	assert_int_equal(mdb_env_info(f->st->env, &info), 0);
	return info.me_last_pgno + 1;
}

/* A write that rewrites every page frees them all; LMDB lets only the
 * write after next reuse them, unless rv_store_release_freed commits a
 * transaction in between: then the next rewrite grows the file by a few
 * pages, not by a copy of the tree. */
static void
test_release_freed(void **state)
{
	struct tmp_store_fx *f = *state;
	uint64_t before, after_plain, after_release;

	rewrite_all(f, 'a');
	rewrite_all(f, 'b');		/* frees the first copy */
	before = file_pages(f);
	rewrite_all(f, 'c');		/* may not reuse 'b''s frees yet */
	after_plain = file_pages(f);
	assert_true(after_plain - before > 200);	/* a second copy */
	assert_int_equal(rv_store_release_freed(f->st), RV_OK);
	before = file_pages(f);
	rewrite_all(f, 'd');		/* reuses what 'c' freed */
	after_release = file_pages(f);
	assert_true(after_release - before < 20);
}

/* The pages on the free list of the newest snapshot, and its last page. */
static uint8_t *
free_map(struct rv_store *st, uint64_t *last)
{
	MDB_envinfo info;
	MDB_txn *t;
	MDB_cursor *c;
	MDB_val k, v;
	uint8_t *map;

	assert_int_equal(mdb_env_info(st->env, &info), 0);
	*last = info.me_last_pgno;
	map = test_calloc(1, *last + 1);
	assert_int_equal(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &t), 0);
	assert_int_equal(mdb_cursor_open(t, 0, &c), 0);
	while (mdb_cursor_get(c, &k, &v, MDB_NEXT) == 0) {
		size_t n, pg;
		memcpy(&n, v.mv_data, sizeof(n));
		for (size_t i = 1; i <= n; i++) {
			memcpy(&pg, (uint8_t *)v.mv_data + i * sizeof(pg),
			    sizeof(pg));
			if (pg <= *last)
				map[pg] = 1;
		}
	}
	mdb_cursor_close(c);
	mdb_txn_abort(t);
	return map;
}

/* rv_store_check's problems, but the meta rows these tests write. */
static void
count_problem(int db, const char *line, void *arg)
{
	(void)db;
	if (strstr(line, "not a key of the schema") == NULL)
		++*(uint64_t *)arg;
}

/* LMDB does not write the pages a transaction allocated at the end of the
 * file and freed again before it committed, so data.mdb may end before
 * the last page its meta names, with every page past the end free (a
 * resolver fleet's steady flushes after a bulk load did that). Such a
 * file is sound; one cut into a page in use is damage. Made here by
 * cutting the free pages off the top of a real database. */
static void
test_free_tail_is_sound(void **state)
{
	struct tmp_store_fx *f = *state;
	struct rv_store *st;
	struct rv_check c;
	uint64_t last, top = 0, psize = f->st->psize, problems = 0;
	uint8_t *map;
	char path[128];

	rewrite_all(f, 'a');		/* pages at the end of the file */
	rewrite_all(f, 'b');
	for (int i = 0; i < 3; i++)	/* the top ones freed, not reused */
		assert_int_equal(rv_store_release_freed(f->st), RV_OK);
	map = free_map(f->st, &last);
	while (top <= last && map[last - top])
		top++;
	test_free(map);
	assert_true(top >= 1);		/* else this test proves nothing */
	rv_store_close(f->st);
	f->st = NULL;
	snprintf(path, sizeof(path), "%s/data.mdb", f->dir);
	assert_int_equal(truncate(path, (off_t)((last + 1 - top) * psize)), 0);
	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st), RV_OK);
	(void)rv_store_check(st, &c, count_problem, &problems);
	assert_int_equal(problems, 0);	/* the test's own rows aside */
	rv_store_close(st);
	/* A writer goes on from it too. */
	assert_int_equal(rv_store_open(f->dir, 0, 0, &f->st), RV_OK);
	rewrite_all(f, 'c');
	rv_store_close(f->st);
	f->st = NULL;
	/* Pages in use cut off: damage. */
	{
		struct stat sb;
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(truncate(path, sb.st_size - (off_t)(40 * psize)), 0);
	}
	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st),
	    RV_ECORRUPT);
	assert_non_null(strstr(rv_store_why(NULL), "shorter than its last page"));
}

/* The value of key k00001 in a new transaction of st ('c': 512 'c's). */
static char
read_k1(struct rv_store *st)
{
	struct rv_txn *txn;
	struct rv_val k = { 6, "k00001" }, v;
	char c;

	assert_int_equal(rv_store_read_begin(st, &txn), RV_OK);
	assert_int_equal(rv_get(st, txn, RV_DB_META, &k, &v), RV_OK);
	assert_int_equal(v.len, 512);
	c = ((const char *)v.data)[511];
	rv_txn_abort(txn);
	return c;
}

static uint64_t
size_of(const char *dir, const char *name)
{
	char p[256];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* Online compaction: the file shrinks to its pages in use; a reader's
 * open transaction still reads the old file, its next one (and another
 * reader's) the new file with what the writer committed since; the
 * writer and a new process reopen it; a killed run's leftover goes. */
static void
test_compact_online(void **state)
{
	struct tmp_store_fx *f = *state;
	struct rv_store *r1, *r2, *r3;
	struct rv_compact_result res;
	struct rv_txn *t1;
	struct rv_val k = { 6, "k00001" }, v;
	char p[256];

	rv_store_close(f->st);
	assert_int_equal(rv_store_open(f->dir, RV_STORE_EXCL, 64 << 20,
	    &f->st), RV_OK);
	rewrite_all(f, 'a');
	rewrite_all(f, 'b');
	rewrite_all(f, 'c');
	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &r1), RV_OK);
	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &r2), RV_OK);
	assert_int_equal(read_k1(r2), 'c');
	assert_int_equal(rv_store_read_begin(r1, &t1), RV_OK);
	assert_int_equal(rv_store_compact(r1, &res), RV_ESTATE);

	assert_int_equal(rv_store_compact(f->st, &res), RV_OK);
	assert_true(res.after * 2 < res.before);
	assert_int_equal(size_of(f->dir, "data.mdb"), res.after);
	assert_int_equal(size_of(f->dir, "compact.tmp/data.mdb"), 0);
	/* the open transaction reads the file it began on */
	assert_int_equal(rv_get(r1, t1, RV_DB_META, &k, &v), RV_OK);
	assert_int_equal(((const char *)v.data)[0], 'c');
	/* the writer goes on in the new file; readers follow */
	rewrite_all(f, 'd');
	assert_int_equal(read_k1(f->st), 'd');
	assert_int_equal(read_k1(r2), 'd');
	rv_txn_abort(t1);
	assert_int_equal(read_k1(r1), 'd');
	rewrite_all(f, 'e');
	assert_int_equal(read_k1(r1), 'e');
	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &r3), RV_OK);
	assert_int_equal(read_k1(r3), 'e');
	assert_int_equal(rv_store_compact(f->st, &res), RV_OK);	/* again */
	assert_int_equal(read_k1(r3), 'e');
	rv_store_close(r3);

	/* a new writer, after a killed run left its copy behind */
	rv_store_close(f->st);
	snprintf(p, sizeof(p), "%s/compact.tmp", f->dir);
	assert_int_equal(mkdir(p, 0750), 0);
	snprintf(p, sizeof(p), "%s/compact.tmp/data.mdb", f->dir);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs("half a copy", fp);
	fclose(fp);
	assert_int_equal(rv_store_open(f->dir, RV_STORE_EXCL, 64 << 20,
	    &f->st), RV_OK);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(read_k1(f->st), 'e');
	rewrite_all(f, 'f');
	assert_int_equal(read_k1(r1), 'f');
	assert_int_equal(read_k1(r2), 'f');

	/* a compaction that fails before the swap leaves all as it was */
	snprintf(p, sizeof(p), "%s/compact.tmp", f->dir);
	assert_non_null(fp = fopen(p, "w"));	/* no directory there */
	fclose(fp);
	{
		uint64_t size = size_of(f->dir, "data.mdb");

		assert_int_equal(rv_store_compact(f->st, &res), RV_EIO);
		assert_int_equal(res.swapped, 0);
		assert_int_equal(size_of(f->dir, "data.mdb"), size);
	}
	rewrite_all(f, 'g');
	assert_int_equal(read_k1(f->st), 'g');
	assert_int_equal(read_k1(r1), 'g');
	assert_int_equal(unlink(p), 0);
	rv_store_close(r1);
	rv_store_close(r2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_translation),
		cmocka_unit_test_setup_teardown(
		    test_map_full_noted_by_writes_only, tmp_store_setup,
		    tmp_store_teardown),
		cmocka_unit_test_setup_teardown(test_values_round_trip,
		    tmp_store_setup, tmp_store_teardown),
		cmocka_unit_test_setup_teardown(test_space, tmp_store_setup,
		    tmp_store_teardown),
		cmocka_unit_test_setup_teardown(test_release_freed,
		    tmp_store_setup, tmp_store_teardown),
		cmocka_unit_test_setup_teardown(test_compact_online,
		    tmp_store_setup, tmp_store_teardown),
		cmocka_unit_test_setup_teardown(test_free_tail_is_sound,
		    tmp_store_setup, tmp_store_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
