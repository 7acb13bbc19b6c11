/**
 * \file rv_store_txn.c
 * Transactions, cursors, single gets and puts in the store's own types,
 * and the one grow-and-retry loop every writer uses (rv_store_write).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rv_err.h"
#include "store_lmdb.h"
#include "store_seg.h"

#define MAX_GROWS 16

/* Below this much free space, a failed commit is a full disk. */
#define DISK_LOW ((uint64_t)64 << 20)

int
rv_txn_commit(struct rv_store *st, struct rv_txn *txn)
{
	uint64_t avail;
	int mrc;

	if (atomic_load(&st->unusable)) {
		/* Never commit what a fault interrupted. */
		mdb_txn_abort(lm_txn(txn));
		pthread_rwlock_unlock(&st->gen);
		return RV_ECORRUPT;
	}
	RV_GUARD(st, mrc, mdb_txn_commit(lm_txn(txn)));
	if (mrc == RV_MDB_FAULT)
		mdb_txn_abort(lm_txn(txn));
	pthread_rwlock_unlock(&st->gen);

	if ((mrc == EIO || mrc == ENOSPC) &&
	    rv_store_disk_free(st, &avail) == RV_OK && avail < DISK_LOW)
		mrc = ENOSPC;	/* LMDB reports a short write as EIO */
	return rv_store_wrote(st, mrc);
}

void
rv_txn_abort(struct rv_txn *txn)
{
	struct rv_store *st;

	if (txn == NULL)
		return;
	st = mdb_env_get_userctx(mdb_txn_env(lm_txn(txn)));
	mdb_txn_abort(lm_txn(txn));
	pthread_rwlock_unlock(&st->gen);
}

int
rv_store_write(struct rv_store *st,
    int (*fn)(struct rv_store *st, struct rv_txn *txn, void *arg), void *arg,
    unsigned *grows)
{
	struct rv_txn *txn = NULL;
	unsigned g = 0;
	int rc;

	for (;;) {
		if ((rc = rv_store_write_begin(st, &txn)) != RV_OK)
			break;
		rc = fn(st, txn, arg);
		if (rc == RV_OK)
			rc = rv_txn_commit(st, txn);
		else
			rv_txn_abort(txn);
		txn = NULL;
		if (rc == RV_OK || !rv_store_map_full(st) || g == MAX_GROWS)
			break;
		if ((rc = rv_store_grow(st)) != RV_OK)
			break;
		g++;
	}
	if (grows)
		*grows = g;
	return rc;
}

/* The tick: the meta database's schema row written back unchanged, which
 * dirties a page or two, so the commit takes a transaction id. */
static int
tick(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	struct rv_val k = { 6, "schema" }, v;
	uint8_t b[16];
	int rc;

	(void)arg;
	if ((rc = rv_get(st, txn, RV_DB_META, &k, &v)) != RV_OK)
		return rc;
	if (v.len > sizeof(b))
		return RV_ECORRUPT;
	memcpy(b, v.data, v.len);	/* the put may move the page */
	v.data = b;
	return rv_put(st, txn, RV_DB_META, &k, &v, 0);
}

int
rv_store_release_freed(struct rv_store *st)
{
	return rv_store_write(st, tick, NULL, NULL);
}

int
rv_store_rows(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    uint64_t *rows)
{
	MDB_stat ms;
	int mrc;

	if (st->absent[db])
		return RV_ENOENT;
	RV_GUARD(st, mrc, mdb_stat(lm_txn(txn), rv_store_dbi(st, db), &ms));
	*rows = mrc ? 0 : ms.ms_entries;
	return rv_store_rc(st, mrc);
}

/* Sum the page counts of the free list's entries (each value an IDL whose
 * first word is its length), as mdb_stat -f does. Under the guard. */
static int
free_pages(struct rv_store *st, MDB_txn *t, uint64_t *pages)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int mrc;

	*pages = 0;
	if ((mrc = mdb_cursor_open(t, 0 /* FREE_DBI */, &cur)) != 0)
		return mrc;
	while ((mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		size_t n;

		if (v.mv_size < sizeof(size_t) || !rv_span_ok(st, &v)) {
			mrc = MDB_CORRUPTED;
			break;
		}
		memcpy(&n, v.mv_data, sizeof(n));
		*pages += n;
	}
	mdb_cursor_close(cur);
	return mrc == MDB_NOTFOUND ? 0 : mrc;
}

int
rv_store_space(struct rv_store *st, struct rv_txn *txn,
    struct rv_store_space *out)
{
	MDB_envinfo info;
	MDB_stat ms;
	int mrc;

	memset(out, 0, sizeof(*out));
	if ((mrc = mdb_env_stat(st->env, &ms)) != 0 ||
	    (mrc = mdb_env_info(st->env, &info)) != 0)
		return rv_store_rc(st, mrc);
	/* The page count lands in *out: nothing local is live across the
	 * guard's longjmp. */
	RV_GUARD(st, mrc, free_pages(st, lm_txn(txn), &out->free_bytes));
	if (mrc != 0)
		return rv_store_rc(st, mrc);
	out->page_bytes = ms.ms_psize;
	out->pages_bytes = ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
	out->free_bytes *= ms.ms_psize;
	out->used_bytes = out->pages_bytes > out->free_bytes ?
	    out->pages_bytes - out->free_bytes : 0;
	return RV_OK;
}

int
rv_get(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    const struct rv_val *k, struct rv_val *v)
{
	MDB_val mk = lm_val(k), mv;
	int mrc;

	if (st->absent[db])
		return RV_ENOENT;
	RV_GUARD(st, mrc, mdb_get(lm_txn(txn), rv_store_dbi(st, db), &mk,
	    &mv));
	if (mrc != 0)
		return rv_store_rc(st, mrc);
	if (!rv_span_ok(st, &mv))
		return RV_ECORRUPT;
	*v = rv_val_of(&mv);
	return RV_OK;
}

static unsigned
put_flags(unsigned flags)
{
	return (flags & RV_PUT_APPEND ? MDB_APPEND : 0) |
	    (flags & RV_PUT_CURRENT ? MDB_CURRENT : 0);
}

int
rv_put(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    const struct rv_val *k, const struct rv_val *v, unsigned flags)
{
	MDB_val mk = lm_val(k), mv = lm_val(v);
	int mrc;

	RV_GUARD(st, mrc, mdb_put(lm_txn(txn), rv_store_dbi(st, db), &mk, &mv,
	    put_flags(flags)));
	return rv_store_wrote(st, mrc);
}

int
rv_del(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    const struct rv_val *k)
{
	MDB_val mk = lm_val(k);
	int mrc;

	RV_GUARD(st, mrc, mdb_del(lm_txn(txn), rv_store_dbi(st, db), &mk,
	    NULL));
	return rv_store_wrote(st, mrc);
}

static int
cursor_open(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    int tiers, struct rv_cursor **out)
{
	struct rv_cursor *c = malloc(sizeof(*c));
	int mrc;

	*out = NULL;
	if (st->absent[db]) {
		free(c);
		return RV_ENOENT;
	}
	if (!c)
		return RV_ENOMEM;
	c->st = st;
	c->mc = NULL;
	c->tier = NULL;
	rv_span_load(st, &c->span);
	RV_GUARD(st, mrc, mdb_cursor_open(lm_txn(txn), rv_store_dbi(st, db),
	    &c->mc));
	if (mrc != 0) {
		free(c);
		return rv_store_rc(st, mrc);
	}
	if (tiers && rv_seg_merging(st, db) &&
	    (mrc = rv_tier_open(st, txn, db, c, &c->tier)) != RV_OK) {
		rv_cursor_close(c);
		return mrc;
	}
	*out = c;
	return RV_OK;
}

int
rv_cursor_open(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    struct rv_cursor **out)
{
	return cursor_open(st, txn, db, 1, out);
}

int
rv_cursor_open_live(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    struct rv_cursor **out)
{
	return cursor_open(st, txn, db, 0, out);
}

void
rv_cursor_close(struct rv_cursor *c)
{
	if (!c)
		return;
	rv_tier_close(c->tier);
	mdb_cursor_close(c->mc);
	free(c);
}

static const MDB_cursor_op ops[] = {
	[RV_FIRST] = MDB_FIRST, [RV_LAST] = MDB_LAST, [RV_NEXT] = MDB_NEXT,
	[RV_PREV] = MDB_PREV, [RV_SET_KEY] = MDB_SET_KEY,
	[RV_SET_RANGE] = MDB_SET_RANGE, [RV_CURRENT] = MDB_GET_CURRENT,
};

int
rv_cursor_get(struct rv_cursor *c, struct rv_val *k, struct rv_val *v,
    enum rv_op op)
{
	if (c->tier != NULL)
		return rv_tier_get(c->tier, k, v, op);
	return rv_cursor_get_live(c, k, v, op);
}

int
rv_cursor_get_live(struct rv_cursor *c, struct rv_val *k, struct rv_val *v,
    enum rv_op op)
{
	MDB_val mk = { 0, NULL }, mv;
	int mrc;

	if (op == RV_SET_KEY || op == RV_SET_RANGE)
		mk = lm_val(k);
	RV_GUARD(c->st, mrc, mdb_cursor_get(c->mc, &mk, &mv, ops[op]));
	if (mrc != 0)
		return rv_store_rc(c->st, mrc);
	if (!rv_span_in(c->st, &c->span, &mk) ||
	    !rv_span_in(c->st, &c->span, &mv))
		return RV_ECORRUPT;
	*k = rv_val_of(&mk);
	*v = rv_val_of(&mv);
	return RV_OK;
}

int
rv_cursor_put(struct rv_cursor *c, const struct rv_val *k,
    const struct rv_val *v, unsigned flags)
{
	MDB_val mk = lm_val(k), mv = lm_val(v);
	int mrc;

	RV_GUARD(c->st, mrc, mdb_cursor_put(c->mc, &mk, &mv,
	    put_flags(flags)));
	return rv_store_wrote(c->st, mrc);
}

int
rv_cursor_del(struct rv_cursor *c)
{
	int mrc;

	RV_GUARD(c->st, mrc, mdb_cursor_del(c->mc, 0));
	return rv_store_wrote(c->st, mrc);
}
