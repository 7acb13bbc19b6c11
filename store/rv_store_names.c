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
#include "store_lmdb.h"

static const char flag_key[] = "names_targets";
static const char at_key[] = "names_targets_at";

static struct rv_val
meta_key(const char *s)
{
	struct rv_val k = { strlen(s), s };

	return k;
}

int
rv_store_names_targets(struct rv_store *st, struct rv_txn *txn,
    uint32_t *since)
{
	struct rv_val k = meta_key(flag_key), v;
	int rc = rv_get(st, txn, RV_DB_META, &k, &v);

	if (rc != RV_OK)
		return rc;
	if (v.len != 4) {
		rv_store_damage(st, "the meta row %s has %zu octets", flag_key,
		    v.len);
		return RV_ECORRUPT;
	}
	if (since != NULL)
		*since = rv_get32(v.data);
	return RV_OK;
}

int
rv_store_names_targets_set(struct rv_store *st, struct rv_txn *txn,
    uint32_t now)
{
	struct rv_val k = meta_key(flag_key), v;
	uint8_t b[4];

	rv_put32(b, now);
	v.len = 4;
	v.data = b;
	return rv_put(st, txn, RV_DB_META, &k, &v, 0);
}

/** One slice's state. */
struct slice {
	struct rv_cursor *names;
	struct rv_names_backfill *res;
	size_t max_rows;
	uint32_t now;
	/* the target being gathered: NK(target), its rows' union */
	uint8_t nk[RV_NAME_KEY_MAX];
	size_t nklen;
	struct rv_seen seen;
};

/* Merge the gathered target into its names row. */
static int
put_target(struct slice *s)
{
	uint8_t wire[RV_NAME_MAX], b[RV_SEEN2_SIZE];
	struct rv_seen cur = s->seen, old;
	struct rv_key k;
	struct rv_val kv, v;
	size_t wl, nkl;
	int rc, found = 0;

	if ((nkl = s->nklen) == 0)
		return RV_OK;
	s->nklen = 0;
	/* A key that is not a name, or one too long to be a names key,
	 * is skipped as flushes skip it. */
	if (rv_name_from_key(s->nk, nkl, wire, &wl) != RV_OK ||
	    rv_key_names(&k, wire, wl) != RV_OK)
		return RV_OK;
	kv = rv_key_val(&k);
	rc = rv_cursor_get(s->names, &kv, &v, RV_SET_KEY);
	if (rc == RV_OK && rv_names_val_decode(v.data, v.len, &old) ==
	    RV_OK) {
		if (old.first <= cur.first && old.last >= cur.last)
			return RV_OK;
		rv_seen_merge(&old, &cur);
		cur = old;
		found = 1;
	} else if (rc != RV_OK && rc != RV_ENOENT) {
		return rc;
	}
	cur.count = 0;
	rv_seen2_encode(&cur, b);
	v.len = RV_SEEN2_SIZE;
	v.data = b;
	kv = rv_key_val(&k);
	if ((rc = rv_cursor_put(s->names, &kv, &v, found ? RV_PUT_CURRENT :
	    0)) != RV_OK)
		return rc;
	s->res->names++;
	return RV_OK;
}

/* One slice, in the write transaction rv_store_write gives it (and gives
 * it again, from the start, after growing a full map). */
static int
slice_run(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	struct slice *s = arg;
	struct rv_cursor *rd = NULL;
	struct rv_val ak = meta_key(at_key), k, v;
	struct rv_key from;
	int rc, done;

	memset(s->res, 0, sizeof(*s->res));
	s->nklen = 0;
	s->names = NULL;
	rc = rv_store_names_targets(st, txn, NULL);
	if (rc != RV_ENOENT) {
		s->res->done = rc == RV_OK;
		return rc;
	}
	/* Resume where the last slice stopped, or at the first 'N' row. */
	rc = rv_get(st, txn, RV_DB_META, &ak, &v);
	if (rc == RV_OK && v.len >= 1 && v.len <= RV_KEY_MAX) {
		memcpy(from.buf, v.data, v.len);
		from.len = v.len;
	} else if (rc == RV_OK || rc == RV_ENOENT) {
		from.buf[0] = RV_TAG_NAME;
		from.len = 1;
	} else {
		return rc;
	}
	if ((rc = rv_cursor_open(st, txn, RV_DB_RDATA, &rd)) != RV_OK ||
	    (rc = rv_cursor_open(st, txn, RV_DB_NAMES, &s->names)) != RV_OK)
		goto leave;
	k = rv_key_val(&from);
	rc = rv_cursor_get(rd, &k, &v, RV_SET_RANGE);
	while (rc == RV_OK && k.len > 1 &&
	    *(const uint8_t *)k.data == RV_TAG_NAME &&
	    s->res->rows < s->max_rows) {
		const uint8_t *kd = k.data;
		struct rv_seen seen;
		size_t nkl;

		s->res->rows++;
		/* Rows of one target are adjacent: gather them, then write
		 * (a write ends the life of k and v). */
		if (rv_name_key_len(kd + 1, k.len - 1, &nkl) == RV_OK &&
		    rv_rdata_val_decode(v.data, v.len, &seen) == RV_OK) {
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
		rc = rv_cursor_get(rd, &k, &v, RV_NEXT);
	}
	if (rc != RV_OK && rc != RV_ENOENT)
		goto leave;
	done = rc == RV_ENOENT || k.len <= 1 ||
	    *(const uint8_t *)k.data != RV_TAG_NAME;
	if (!done) {
		memcpy(from.buf, k.data, k.len);
		from.len = k.len;
	}
	if ((rc = put_target(s)) != RV_OK)
		goto leave;
	if (done) {
		rc = rv_del(st, txn, RV_DB_META, &ak);
		if ((rc != RV_OK && rc != RV_ENOENT) ||
		    (rc = rv_store_names_targets_set(st, txn, s->now)) !=
		    RV_OK)
			goto leave;
	} else {
		v = rv_key_val(&from);
		if ((rc = rv_put(st, txn, RV_DB_META, &ak, &v, 0)) != RV_OK)
			goto leave;
	}
	s->res->done = done;
	rc = RV_OK;
leave:
	rv_cursor_close(rd);
	rv_cursor_close(s->names);
	s->names = NULL;
	return rc;
}

int
rv_store_names_backfill(struct rv_store *st, size_t max_rows, uint32_t now,
    struct rv_names_backfill *res)
{
	struct slice s = { .res = res, .max_rows = max_rows ? max_rows : 1,
	    .now = now };
	int rc = rv_store_write(st, slice_run, &s, NULL);

	if (rc != RV_OK)
		res->done = 0;
	return rc;
}
