/**
 * \file lmdb_baseline.c
 * The benchmark's baseline: the same distinct RRsets as rvgen generates,
 * with the same keys and values rearviewd writes (rrset rows, rdata rows,
 * names rows), put straight into LMDB in generation order with large
 * transactions (100,000 RRsets each, MDB_NOSYNC). No network, no frames,
 * no aggregation, no enrichment: the cost of the storage alone.
 *
 * The store creates the database (schema, named databases), so that the
 * result is one rearview reads; the puts then go through an environment
 * of our own, opened with the store's flags, so that nothing of the
 * store's layer is measured.
 *
 * usage: lmdb_baseline DIR [RRSETS [SEED]]; prints RRsets/s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lmdb.h>

#include "gen.h"
#include "rv_err.h"
#include "rv_rdata.h"
#include "rv_store.h"

#define TXN_RRSETS 100000
#define MAPSIZE ((size_t)8 << 30)

/* The databases written, by enum rv_db. */
static const enum rv_db dbs[] = { RV_DB_RRSET, RV_DB_RDATA, RV_DB_NAMES };
#define NDBS (sizeof(dbs) / sizeof(dbs[0]))

static int
put(MDB_txn *txn, MDB_dbi dbi, const struct rv_key *k, void *v, size_t vlen)
{
	MDB_val kv = { k->len, (void *)k->buf }, vv = { vlen, v };

	return mdb_put(txn, dbi, &kv, &vv, 0);
}

int
main(int argc, char **argv)
{
	struct gen_cfg c;
	struct rv_store *st = NULL;
	MDB_env *env = NULL;
	MDB_dbi dbi[RV_DB_COUNT];
	struct gen_rrset r;
	struct rv_rrset_val val;
	struct rv_seen s;
	struct rv_key k;
	static uint8_t set[GEN_RDATA_MAX], vbuf[GEN_RDATA_MAX + 256];
	MDB_txn *txn = NULL;
	struct timespec t0, t1;
	size_t setlen;
	uint16_t n;
	int rc;

	gen_defaults(&c);
	if (argc < 2) {
		fprintf(stderr, "usage: lmdb_baseline DIR [RRSETS [SEED]]\n");
		return 2;
	}
	if (argc > 2)
		c.nrrsets = strtoull(argv[2], NULL, 10);
	if (argc > 3)
		c.seed = strtoull(argv[3], NULL, 10);
	if ((rc = rv_store_open(argv[1], RV_STORE_CREATE, MAPSIZE, &st))) {
		fprintf(stderr, "lmdb_baseline: %s: %s\n", argv[1],
		    rv_strerror(rc));
		return 1;
	}
	rv_store_close(st);
	/* The store's writer flags: no sync per commit, no zeroed pages. */
	if ((rc = mdb_env_create(&env)) ||
	    (rc = mdb_env_set_maxdbs(env, RV_DB_COUNT + 1)) ||
	    (rc = mdb_env_set_mapsize(env, MAPSIZE)) ||
	    (rc = mdb_env_open(env, argv[1], MDB_NOTLS | MDB_NOSYNC |
	    MDB_NOMEMINIT, 0660)) ||
	    (rc = mdb_txn_begin(env, NULL, 0, &txn)))
		goto fail;
	for (size_t i = 0; i < NDBS; i++)
		if ((rc = mdb_dbi_open(txn, rv_db_name(dbs[i]), 0,
		    &dbi[dbs[i]])))
			goto fail;
	/* the handles outlive the transaction that opened them */
	if ((rc = mdb_txn_commit(txn)))
		goto fail;
	txn = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint64_t i = 0; i < c.nrrsets; i++) {
		const uint8_t *d, *tgt;
		uint16_t dl;
		size_t off = 0, tl;
		uint32_t t = c.t0 + (uint32_t)(i * c.span / c.nrrsets);

		if (!txn && (rc = mdb_txn_begin(env, NULL, 0, &txn)))
			goto fail;
		gen_rrset(&c, i, &r);
		if (rv_set_canon(r.type, r.rdata, r.rdlen, r.rdcount, set,
		    sizeof(set), &setlen, &n) != RV_OK)
			continue;
		memset(&val, 0, sizeof(val));
		val.first = val.last = t;
		val.count = 1;
		val.ttl_min = val.ttl_max = r.ttl;
		val.nsens = 1;
		val.sensor[0] = 1;
		val.rdcount = n;
		val.set = set;
		val.set_len = setlen;
		rv_key_rrset(&k, r.owner, r.olen, r.type, r.zone, r.zlen,
		    rv_set_digest(set, setlen));
		rv_rrset_val_encode(&val, vbuf);
		if ((rc = put(txn, dbi[RV_DB_RRSET], &k, vbuf,
		    rv_rrset_val_size(&val))))
			goto fail;
		s.first = s.last = t;
		s.count = 1;
		while (rv_set_next(set, setlen, &off, &d, &dl) == RV_OK) {
			if (r.type == 1 || r.type == 28) {
				struct rv_ip ip = { .family = dl == 4 ? 4 : 6 };
				memcpy(ip.addr, d, dl);
				rv_key_rdata_ip(&k, &ip, r.type, r.owner, r.olen);
			} else if (rv_rdata_target(r.type, d, dl, &tgt, &tl) ==
			    RV_OK) {
				rv_key_rdata_name(&k, tgt, tl, r.type, r.owner,
				    r.olen);
			} else {
				rv_key_rdata_hash(&k, rv_rdata_digest(r.type, d,
				    dl), r.type, r.owner, r.olen);
			}
			rv_rdata_val_encode(&s, vbuf);
			if ((rc = put(txn, dbi[RV_DB_RDATA], &k,
			    vbuf, RV_RDATA_VAL_SIZE)))
				goto fail;
		}
		rv_key_names(&k, r.owner, r.olen);
		rv_seen2_encode(&s, vbuf);
		if ((rc = put(txn, dbi[RV_DB_NAMES], &k, vbuf,
		    RV_SEEN2_SIZE)))
			goto fail;
		if ((i + 1) % TXN_RRSETS == 0) {
			if ((rc = mdb_txn_commit(txn)))
				goto fail;
			txn = NULL;
		}
	}
	if (txn && (rc = mdb_txn_commit(txn)))
		goto fail;
	txn = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	{
		double secs = (double)(t1.tv_sec - t0.tv_sec) +
		    (t1.tv_nsec - t0.tv_nsec) / 1e9;
		printf("baseline: %llu RRsets in %.2f s = %.0f RRsets/s\n",
		    (unsigned long long)c.nrrsets, secs, c.nrrsets / secs);
	}
	/* as the store's close does: the data on disk before we exit */
	mdb_env_sync(env, 1);
	mdb_env_close(env);
	return 0;
fail:
	fprintf(stderr, "lmdb_baseline: %s\n", mdb_strerror(rc));
	if (txn)
		mdb_txn_abort(txn);
	mdb_env_close(env);
	return 1;
}
