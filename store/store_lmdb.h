/**
 * \file store_lmdb.h
 * Inside store/ only: the LMDB engine behind the store's own types. A
 * struct rv_txn * is an MDB_txn *, converted here and nowhere else; a
 * struct rv_cursor wraps an MDB_cursor; struct rv_val and MDB_val are
 * copied field by field (two words) at the boundary.
 */
#ifndef RV_STORE_LMDB_H
#define RV_STORE_LMDB_H

#include <lmdb.h>

#include "rv_store.h"

static inline MDB_txn *
lm_txn(struct rv_txn *t)
{
	return (MDB_txn *)(void *)t;
}

static inline struct rv_txn *
rv_txn_of(MDB_txn *t)
{
	return (struct rv_txn *)(void *)t;
}

/** A cursor: LMDB's, and the store for noting a full map on a put. */
struct rv_cursor {
	MDB_cursor *mc;
	struct rv_store *st;
};

static inline MDB_val
lm_val(const struct rv_val *v)
{
	MDB_val m = { v->len, (void *)(uintptr_t)v->data };

	return m;
}

static inline struct rv_val
rv_val_of(const MDB_val *m)
{
	struct rv_val v = { m->mv_size, m->mv_data };

	return v;
}

/** Handle of a named database; valid until rv_store_close(). */
MDB_dbi rv_store_dbi(const struct rv_store *st, enum rv_db db);

/**
 * Translate an LMDB return code (or an errno from a commit) to enum
 * rv_err: MDB_NOTFOUND -> RV_ENOENT, MDB_MAP_FULL/ENOSPC/EDQUOT ->
 * RV_ENOSPC, MDB_KEYEXIST -> RV_EEXIST, MDB_CORRUPTED/MDB_PAGE_NOTFOUND/
 * MDB_INVALID -> RV_ECORRUPT, MDB_VERSION_MISMATCH -> RV_EVERSION,
 * ENOMEM -> RV_ENOMEM, MDB_BAD_VALSIZE -> RV_ETOOBIG, others RV_EIO.
 */
int rv_store_err(int mdb_rc);

/** Note a write's LMDB code (MDB_MAP_FULL sets rv_store_map_full) and
 * translate it. */
int rv_store_wrote(struct rv_store *st, int mdb_rc);

#endif
