/**
 * \file lmdb_reuse.c
 * The live tier's file growth, in plain LMDB (bench/storage): T write
 * transactions of K random 16-octet keys with 64-octet values, as a bulk
 * ingest's flushes are (random keys touch most leaf pages every time),
 * with and without a one-row transaction after each (what
 * rv_store_release_freed does). Prints, after each, the pages in the file,
 * on the free list and in use.
 *
 *   lmdb_reuse DIR [T [K]]     two databases in DIR: plain/ and tick/
 */
#include <errno.h>
#include <inttypes.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A small, seeded generator: both runs insert the same keys. */
static uint64_t
next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int
free_pages(MDB_env *env, uint64_t *n)
{
	MDB_txn *t;
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	*n = 0;
	if ((rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &t)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(t, 0, &c)) == 0) {
		while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
			size_t len;
			memcpy(&len, v.mv_data, sizeof(len));
			*n += len;
		}
		mdb_cursor_close(c);
	}
	mdb_txn_abort(t);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
run(const char *dir, int tick, int txns, int keys)
{
	MDB_env *env = NULL;
	MDB_txn *t;
	MDB_dbi dbi, meta;
	MDB_envinfo info;
	uint64_t seed = 0x9e3779b97f4a7c15ULL, fp;
	char val[64];
	int rc;

	memset(val, 'v', sizeof(val));
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "lmdb_reuse: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, 2)) ||
	    (rc = mdb_env_set_mapsize(env, (size_t)16 << 30)) ||
	    (rc = mdb_env_open(env, dir, MDB_NOSYNC, 0644)))
		goto leave;
	for (int r = 0; r < txns; r++) {
		if ((rc = mdb_txn_begin(env, NULL, 0, &t)) ||
		    (rc = mdb_dbi_open(t, "x", MDB_CREATE, &dbi)))
			goto leave;
		for (int i = 0; i < keys && rc == 0; i++) {
			uint64_t kb[2] = { next(&seed), next(&seed) };
			MDB_val k = { sizeof(kb), kb }, v = { sizeof(val), val };
			rc = mdb_put(t, dbi, &k, &v, 0);
		}
		if (rc || (rc = mdb_txn_commit(t)))
			goto leave;
		if (tick) {
			MDB_val k = { 4, "tick" }, v = { sizeof(r), &r };
			if ((rc = mdb_txn_begin(env, NULL, 0, &t)) ||
			    (rc = mdb_dbi_open(t, "m", MDB_CREATE, &meta)) ||
			    (rc = mdb_put(t, meta, &k, &v, 0)) ||
			    (rc = mdb_txn_commit(t)))
				goto leave;
		}
		if ((rc = mdb_env_info(env, &info)) || (rc = free_pages(env, &fp)))
			goto leave;
		printf("%s txn %d: file %zu pages, free %" PRIu64 ", in use %"
		    PRIu64 ", file / in use %.2f\n", tick ? "tick " : "plain",
		    r + 1, info.me_last_pgno + 1, fp,
		    (uint64_t)(info.me_last_pgno + 1) - fp,
		    (double)(info.me_last_pgno + 1) /
		    (double)((uint64_t)(info.me_last_pgno + 1) - fp));
	}
leave:
	if (env)
		mdb_env_close(env);
	if (rc)
		fprintf(stderr, "lmdb_reuse: %s: %s\n", dir, mdb_strerror(rc));
	return rc;
}

int
main(int argc, char **argv)
{
	char a[4096], b[4096];
	int txns = argc > 2 ? atoi(argv[2]) : 20;
	int keys = argc > 3 ? atoi(argv[3]) : 100000;

	if (argc < 2 || txns < 1 || keys < 1) {
		fprintf(stderr, "usage: lmdb_reuse DIR [TXNS [KEYS]]\n");
		return 2;
	}
	if (mkdir(argv[1], 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "lmdb_reuse: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	snprintf(a, sizeof(a), "%s/plain", argv[1]);
	snprintf(b, sizeof(b), "%s/tick", argv[1]);
	return run(a, 0, txns, keys) || run(b, 1, txns, keys) ? 1 : 0;
}
