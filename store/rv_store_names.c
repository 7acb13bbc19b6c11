/**
 * \file rv_store_names.c
 * Target names in the names database (SCHEMA.md): the meta flag that says
 * the names database holds them, and the one-time backfill that adds them
 * to a database written before it did, from the 'N' rows of the rdata
 * database in resumable slices.
 */
#include <stdlib.h>
#include <string.h>

#include "rv_be.h"
#include "rv_err.h"
#include "rv_store.h"

static const char flag_key[] = "names_targets";
static const char at_key[] = "names_targets_at";

/* Grow and redo a slice at most this often (as a flush does). */
#define MAX_GROWS 16

static MDB_val
meta_key(const char *s)
{
	MDB_val k = { strlen(s), (void *)s };

	return k;
}

int
rv_store_names_targets(struct rv_store *st, MDB_txn *txn, uint32_t *since)
{
	MDB_val k = meta_key(flag_key), v;
	int rc = rv_store_err(mdb_get(txn, rv_store_dbi(st, RV_DB_META), &k,
	    &v));

	if (rc != RV_OK)
		return rc;
	if (v.mv_size != 4)
		return RV_ECORRUPT;
	if (since != NULL)
		*since = rv_get32(v.mv_data);
	return RV_OK;
}

int
rv_store_names_targets_set(struct rv_store *st, MDB_txn *txn, uint32_t now)
{
	MDB_val k = meta_key(flag_key), v;
	uint8_t b[4];

	rv_put32(b, now);
	v.mv_size = 4;
	v.mv_data = b;
	return rv_store_err(mdb_put(txn, rv_store_dbi(st, RV_DB_META), &k, &v,
	    0));
}

/** One slice's state. */
struct slice {
	struct rv_store *st;
	MDB_txn *txn;
	MDB_cursor *names;
	int mrc;		/* raw LMDB code of a failure */
	struct rv_names_backfill *res;
	/* the target being gathered: NK(target), its rows' union */
	uint8_t nk[RV_NAME_KEY_MAX];
	size_t nklen;
	struct rv_seen seen;
};

static int
fail(struct slice *s, int mrc)
{
	s->mrc = mrc;
	return rv_store_err(mrc);
}

/* Merge the gathered target into its names row. */
static int
put_target(struct slice *s)
{
	uint8_t wire[RV_NAME_MAX], b[RV_SEEN2_SIZE];
	struct rv_seen cur = s->seen, old;
	struct rv_key k;
	MDB_val kv, v;
	size_t wl, nkl;
	int mrc, found = 0;

	if ((nkl = s->nklen) == 0)
		return RV_OK;
	s->nklen = 0;
	/* A key that is not a name, or one too long to be a names key,
	 * is skipped as flushes skip it. */
	if (rv_name_from_key(s->nk, nkl, wire, &wl) != RV_OK ||
	    rv_key_names(&k, wire, wl) != RV_OK)
		return RV_OK;
	kv = rv_key_val(&k);
	mrc = mdb_cursor_get(s->names, &kv, &v, MDB_SET_KEY);
	if (mrc == 0 && rv_names_val_decode(v.mv_data, v.mv_size, &old) ==
	    RV_OK) {
		if (old.first <= cur.first && old.last >= cur.last)
			return RV_OK;
		rv_seen_merge(&old, &cur);
		cur = old;
		found = 1;
	} else if (mrc != 0 && mrc != MDB_NOTFOUND) {
		return fail(s, mrc);
	}
	cur.count = 0;
	rv_seen2_encode(&cur, b);
	v.mv_size = RV_SEEN2_SIZE;
	v.mv_data = b;
	kv = rv_key_val(&k);
	if ((mrc = mdb_cursor_put(s->names, &kv, &v, found ? MDB_CURRENT : 0)))
		return fail(s, mrc);
	s->res->names++;
	return RV_OK;
}

/* One committed slice; s->mrc says why it failed. */
static int
slice_run(struct slice *s, size_t max_rows, uint32_t now)
{
	MDB_dbi meta = rv_store_dbi(s->st, RV_DB_META);
	MDB_cursor *rd = NULL;
	MDB_val ak = meta_key(at_key), k, v;
	struct rv_key from;
	int rc, mrc, done;

	memset(s->res, 0, sizeof(*s->res));
	s->mrc = 0;
	s->nklen = 0;
	s->names = NULL;
	if ((rc = rv_store_write_begin(s->st, &s->txn)) != RV_OK)
		return rc;
	rc = rv_store_names_targets(s->st, s->txn, NULL);
	if (rc != RV_ENOENT) {
		s->res->done = rc == RV_OK;
		return rc;
	}
	/* Resume where the last slice stopped, or at the first 'N' row. */
	mrc = mdb_get(s->txn, meta, &ak, &v);
	if (mrc == 0 && v.mv_size >= 1 && v.mv_size <= RV_KEY_MAX) {
		memcpy(from.buf, v.mv_data, v.mv_size);
		from.len = v.mv_size;
	} else if (mrc == 0 || mrc == MDB_NOTFOUND) {
		from.buf[0] = RV_TAG_NAME;
		from.len = 1;
	} else {
		return fail(s, mrc);
	}
	if ((mrc = mdb_cursor_open(s->txn, rv_store_dbi(s->st, RV_DB_RDATA),
	    &rd)) || (mrc = mdb_cursor_open(s->txn, rv_store_dbi(s->st,
	    RV_DB_NAMES), &s->names))) {
		rc = fail(s, mrc);
		goto leave;
	}
	k = rv_key_val(&from);
	mrc = mdb_cursor_get(rd, &k, &v, MDB_SET_RANGE);
	while (mrc == 0 && k.mv_size > 1 &&
	    *(const uint8_t *)k.mv_data == RV_TAG_NAME &&
	    s->res->rows < max_rows) {
		const uint8_t *kd = k.mv_data;
		struct rv_seen seen;
		size_t nkl;

		s->res->rows++;
		/* Rows of one target are adjacent: gather them, then write
		 * (a write ends the life of k and v). */
		if (rv_name_key_len(kd + 1, k.mv_size - 1, &nkl) == RV_OK &&
		    rv_rdata_val_decode(v.mv_data, v.mv_size, &seen) ==
		    RV_OK) {
			if (nkl == s->nklen && memcmp(kd + 1, s->nk, nkl) == 0) {
				rv_seen_merge(&s->seen, &seen);
			} else {
				uint8_t nk[RV_NAME_KEY_MAX];
				memcpy(nk, kd + 1, nkl);
				if ((rc = put_target(s)) != RV_OK)
					goto leave;
				memcpy(s->nk, nk, nkl);
				s->nklen = nkl;
				s->seen = seen;
			}
		}
		mrc = mdb_cursor_get(rd, &k, &v, MDB_NEXT);
	}
	if (mrc != 0 && mrc != MDB_NOTFOUND) {
		rc = fail(s, mrc);
		goto leave;
	}
	done = mrc == MDB_NOTFOUND || k.mv_size <= 1 ||
	    *(const uint8_t *)k.mv_data != RV_TAG_NAME;
	if (!done) {
		memcpy(from.buf, k.mv_data, k.mv_size);
		from.len = k.mv_size;
	}
	if ((rc = put_target(s)) != RV_OK)
		goto leave;
	if (done) {
		mrc = mdb_del(s->txn, meta, &ak, NULL);
		if (mrc != 0 && mrc != MDB_NOTFOUND) {
			rc = fail(s, mrc);
			goto leave;
		}
		if ((rc = rv_store_names_targets_set(s->st, s->txn, now)) !=
		    RV_OK)
			goto leave;
	} else {
		v = rv_key_val(&from);
		if ((mrc = mdb_put(s->txn, meta, &ak, &v, 0))) {
			rc = fail(s, mrc);
			goto leave;
		}
	}
	mdb_cursor_close(rd);
	rd = NULL;
	mdb_cursor_close(s->names);
	s->names = NULL;
	mrc = mdb_txn_commit(s->txn);
	s->txn = NULL;
	if (mrc) {
		rc = fail(s, mrc);
		goto leave;
	}
	s->res->done = done;
	rc = RV_OK;
leave:
	if (rd != NULL)
		mdb_cursor_close(rd);
	if (s->names != NULL)
		mdb_cursor_close(s->names);
	s->names = NULL;
	return rc;
}

int
rv_store_names_backfill(struct rv_store *st, size_t max_rows, uint32_t now,
    struct rv_names_backfill *res)
{
	struct slice s = { .st = st, .res = res };
	int rc;

	for (unsigned grows = 0;; grows++) {
		rc = slice_run(&s, max_rows ? max_rows : 1, now);
		rv_store_txn_end(s.txn);
		s.txn = NULL;
		if (rc == RV_OK || !rv_store_is_map_full(s.mrc) ||
		    grows == MAX_GROWS)
			break;
		if ((rc = rv_store_grow(st)) != RV_OK)
			break;
	}
	return rc;
}
