/**
 * \file lmdb_packed.c
 * The size floor of a layout in LMDB: copies every named database of an
 * environment into a new one with MDB_APPEND, in key order, so that every
 * leaf is filled before the next is started (LMDB splits an appending
 * page at its end). A live indexer inserts into the middle of its trees,
 * whose pages then settle at about two thirds full; this copy shows what
 * the same rows would take with none of that slack, i.e. what no
 * compaction or fill policy could go below without changing the layout.
 *
 * usage: lmdb_packed SRC DST; DST must be a new empty directory.
 * Prints one line per database: name, entries, pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#define MAXDBS 32

static int
fail(const char *what, int rc)
{
	fprintf(stderr, "lmdb_packed: %s: %s\n", what, mdb_strerror(rc));
	return 1;
}

/* Copy one database (name NULL: the unnamed one's plain rows). */
static int
copy_db(MDB_env *src, MDB_env *dst, const char *name)
{
	MDB_txn *rt = NULL, *wt = NULL;
	MDB_cursor *rcur = NULL, *wcur = NULL;
	MDB_dbi rd, wd;
	MDB_val k, v;
	MDB_stat st;
	int rc;

	if ((rc = mdb_txn_begin(src, NULL, MDB_RDONLY, &rt)) ||
	    (rc = mdb_dbi_open(rt, name, 0, &rd)) ||
	    (rc = mdb_txn_begin(dst, NULL, 0, &wt)) ||
	    (rc = mdb_dbi_open(wt, name, MDB_CREATE, &wd)) ||
	    (rc = mdb_cursor_open(rt, rd, &rcur)) ||
	    (rc = mdb_cursor_open(wt, wd, &wcur)))
		goto leave;
	for (rc = mdb_cursor_get(rcur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(rcur, &k, &v, MDB_NEXT))
		if ((rc = mdb_cursor_put(wcur, &k, &v, MDB_APPEND)) != 0)
			goto leave;
	if (rc != MDB_NOTFOUND)
		goto leave;
	mdb_cursor_close(wcur);
	wcur = NULL;
	if ((rc = mdb_stat(wt, wd, &st)) != 0)
		goto leave;
	rc = mdb_txn_commit(wt);
	wt = NULL;
	if (rc == 0)
		printf("%s %zu %zu\n", name, st.ms_entries, st.ms_branch_pages +
		    st.ms_leaf_pages + st.ms_overflow_pages);
leave:
	if (wcur != NULL)
		mdb_cursor_close(wcur);
	if (rcur != NULL)
		mdb_cursor_close(rcur);
	if (wt != NULL)
		mdb_txn_abort(wt);
	if (rt != NULL)
		mdb_txn_abort(rt);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
main(int argc, char **argv)
{
	MDB_env *src = NULL, *dst = NULL;
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_dbi main_db;
	MDB_val k, v;
	char *names[MAXDBS];
	size_t n = 0;
	int rc, status = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: lmdb_packed SRC DST\n");
		return 2;
	}
	if ((rc = mdb_env_create(&src)) || (rc = mdb_env_set_maxdbs(src,
	    MAXDBS)) || (rc = mdb_env_open(src, argv[1], MDB_RDONLY, 0)))
		return fail(argv[1], rc);
	if ((rc = mdb_env_create(&dst)) || (rc = mdb_env_set_maxdbs(dst,
	    MAXDBS)) || (rc = mdb_env_set_mapsize(dst, (size_t)64 << 30)) ||
	    (rc = mdb_env_open(dst, argv[2], MDB_NOSYNC, 0644))) {
		status = fail(argv[2], rc);
		goto leave;
	}
	/* The unnamed database lists the named ones. */
	if ((rc = mdb_txn_begin(src, NULL, MDB_RDONLY, &txn)) ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &main_db)) ||
	    (rc = mdb_cursor_open(txn, main_db, &cur))) {
		status = fail("main database", rc);
		goto leave;
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 &&
	    n < MAXDBS; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
		if ((names[n] = strndup(k.mv_data, k.mv_size)) != NULL)
			n++;
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	for (size_t i = 0; i < n; i++)
		if ((rc = copy_db(src, dst, names[i])) != 0) {
			status = fail(names[i], rc);
			goto leave;
		}
	status = 0;
leave:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	if (dst != NULL)
		mdb_env_close(dst);
	mdb_env_close(src);
	return status;
}
