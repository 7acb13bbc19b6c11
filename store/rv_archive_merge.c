/**
 * \file rv_archive_merge.c
 * The segments' later life: merging small ones into larger ones, and
 * dropping whole old ones (retention). docs/ARCHIVE.md.
 *
 * Merging is size-tiered over consecutive segments (in the order they
 * were written, so over adjacent time): whenever RV_MERGE_FANIN of them
 * in a row are within RV_MERGE_RATIO of each other in size, they become
 * one, the same RRset's rows combined by rv_seg_val_merge. Daily runs
 * thus make a few segments of each size, like days, months and years, and
 * a query opens a logarithmic number of them.
 *
 * Both change the list in one write transaction (the readers' view moves
 * from the old segments to the new at once) and unlink files only after
 * it: a kill leaves either the old list or the new, and files no list
 * names are swept by the next run. A reader that still has the old list
 * open keeps the files it opened (Unix unlink).
 */
#include <errno.h>
#include <mtbl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rv_be.h"
#include "rv_err.h"
#include "store_lmdb.h"
#include "store_seg.h"

/* All listed segments, in name (= write) order; none while one is
 * pending (a killed run: rv_archive finishes it first). */
static int
listed(struct rv_store *st, struct rv_seg_meta **out, size_t *n)
{
	struct rv_txn *txn = NULL;
	struct rv_seg_pending p;
	struct rv_seg_array sa = { NULL, 0, 0 };
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = rv_store_read_begin(st, &txn)) != RV_OK)
		return rc;
	if ((rc = rv_seg_pending_get(st, txn, &p)) != RV_ENOENT) {
		rv_txn_abort(txn);
		return rc == RV_OK ? RV_ESTATE : rc;
	}
	rc = rv_seg_each(st, txn, rv_seg_array_add, &sa);
	rv_txn_abort(txn);
	if (rc != RV_OK) {
		free(sa.a);
		return rc;
	}
	*out = sa.a;
	*n = sa.n;
	return RV_OK;
}

/* The list's change: drop \p ndrop segments, add \p add (may be NULL). */
struct change {
	const struct rv_seg_meta *drop;
	size_t ndrop;
	const struct rv_seg_meta *add;
	uint64_t seq;
};

static int
change_fn(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	const struct change *ch = arg;
	uint8_t key[RV_SEG_KEY_MAX];
	struct rv_val k;
	int rc;

	for (size_t i = 0; i < ch->ndrop; i++)
		if ((rc = rv_seg_key(ch->drop[i].name, key, sizeof(key), &k)) ||
		    (rc = rv_del(st, txn, RV_DB_META, &k)) != RV_OK)
			return rc;
	if (ch->add == NULL)
		return RV_OK;
	return rv_seg_put(st, txn, ch->add, ch->seq);
}

/* Commit the change, then unlink the dropped files. */
static int
apply(struct rv_store *st, const struct change *ch)
{
	char path[4200];
	int rc;

	rv_seg_test_kill(ch->add ? "merge-written" : "retain");
	if ((rc = rv_store_write(st, change_fn, (void *)ch, NULL)) != RV_OK ||
	    (rc = rv_store_sync(st)) != RV_OK)
		return rc;
	rv_seg_test_kill("merge-listed");
	for (size_t i = 0; i < ch->ndrop; i++)
		if (rv_seg_path(st, ch->drop[i].name, path, sizeof(path)) ==
		    RV_OK)
			(void)unlink(path);
	return RV_OK;
}

/* --- merging ------------------------------------------------------------- */

struct mctx {
	int bad;	/**< a row did not decode */
};

/* libmtbl's merge callback: two packed values of one tagged key. */
static void
merge_cb(void *clos, const uint8_t *key, size_t klen, const uint8_t *v0,
    size_t l0, const uint8_t *v1, size_t l1, uint8_t **out, size_t *olen)
{
	struct mctx *m = clos;
	enum rv_db db = RV_DB_COUNT;
	size_t cap = l0 + l1 + 40 + 2 * RV_SENSORS_MAX, a_len, b_len, len;
	uint8_t *a = malloc(cap), *b = malloc(cap), *c = malloc(cap);
	struct rv_val va, vb;

	*out = NULL;
	*olen = 0;
	for (int d = 0; d < RV_DB_COUNT; d++)
		if (klen > 0 && rv_seg_tag((enum rv_db)d) == key[0] &&
		    key[0] != 0)
			db = (enum rv_db)d;
	if (a == NULL || b == NULL || c == NULL || db == RV_DB_COUNT ||
	    rv_seg_val_unpack(db, v0, l0, a, cap, &a_len) != RV_OK ||
	    rv_seg_val_unpack(db, v1, l1, b, cap, &b_len) != RV_OK)
		goto bad;
	va.data = a;
	va.len = a_len;
	vb.data = b;
	vb.len = b_len;
	if (rv_seg_val_merge(db, &va, &vb, c, cap, &len) != RV_OK ||
	    rv_seg_val_pack(db, c, len, a, cap, &len) != RV_OK)
		goto bad;
	free(b);
	free(c);
	*out = a;
	*olen = len;
	return;
bad:
	m->bad = 1;
	free(a);
	free(b);
	free(c);
	/* keep the first: the merge is thrown away anyway */
	if ((*out = malloc(l0 ? l0 : 1)) != NULL) {
		memcpy(*out, v0, l0);
		*olen = l0;
	}
}

/* A merge in progress: its inputs open in a libmtbl merger, the merged
 * rows copied into the new segment a budget at a time. */
struct rv_merge_job {
	struct rv_store *st;
	struct rv_seg_meta in[RV_MERGE_FANIN];
	struct rv_seg segs[RV_MERGE_FANIN];
	struct rv_seg_meta m;	/* the new segment */
	uint64_t seq;
	struct mctx mc;
	struct mtbl_merger *mg;
	struct mtbl_iter *it;
	struct mtbl_writer *w;
	char tmp[4200], final[4200];
};

void
rv_merge_free(struct rv_merge_job *mj)
{
	if (mj == NULL)
		return;
	if (mj->it != NULL)
		mtbl_iter_destroy(&mj->it);
	if (mj->w != NULL) {
		uint64_t b;

		(void)rv_seg_writer_close(mj->w, mj->tmp, 0, &b);
		(void)unlink(mj->tmp);
	}
	mtbl_merger_destroy(&mj->mg);
	for (size_t i = 0; i < RV_MERGE_FANIN; i++)
		rv_seg_close_file(&mj->segs[i]);
	free(mj);
}

static int
make_iter(void *arg)
{
	struct rv_merge_job *mj = arg;

	mj->it = mtbl_source_iter(mtbl_merger_source(mj->mg));
	return RV_OK;
}

/* Start merging in[0..RV_MERGE_FANIN). */
static int
merge_start(struct rv_store *st, const struct rv_seg_meta *in, uint64_t seq,
    struct rv_merge_job **out)
{
	struct mtbl_merger_options *mo;
	struct rv_merge_job *mj = calloc(1, sizeof(*mj));
	char path[4200];
	int rc = RV_OK;

	*out = NULL;
	if (mj == NULL || (mo = mtbl_merger_options_init()) == NULL) {
		free(mj);
		return RV_ENOMEM;
	}
	mj->st = st;
	mj->seq = seq;
	snprintf(mj->m.name, sizeof(mj->m.name), "seg-%06llu.mtbl",
	    (unsigned long long)seq);
	mtbl_merger_options_set_merge_func(mo, merge_cb, &mj->mc);
	mj->mg = mtbl_merger_init(mo);
	mtbl_merger_options_destroy(&mo);
	for (size_t i = 0; i < RV_MERGE_FANIN && rc == RV_OK; i++) {
		mj->in[i] = in[i];
		mj->segs[i].m = in[i];
		if ((rc = rv_seg_path(st, in[i].name, path, sizeof(path))) ==
		    RV_OK && (rc = rv_seg_open_file(st, &mj->segs[i], path)) ==
		    RV_OK)
			mtbl_merger_add_source(mj->mg,
			    mtbl_reader_source(mj->segs[i].r));
		mj->m.first = i == 0 || in[i].first < mj->m.first ?
		    in[i].first : mj->m.first;
		mj->m.last = in[i].last > mj->m.last ? in[i].last : mj->m.last;
	}
	if (rc == RV_OK && (rv_seg_path(st, mj->m.name, mj->final,
	    sizeof(mj->final)) != RV_OK || snprintf(mj->tmp, sizeof(mj->tmp),
	    "%s.tmp", mj->final) >= (int)sizeof(mj->tmp)))
		rc = RV_ETOOBIG;
	if (rc == RV_OK && (mj->w = rv_seg_writer_open(mj->tmp)) == NULL)
		rc = RV_EIO;
	if (rc == RV_OK)
		rc = rv_seg_guarded(st, &mj->segs[0], make_iter, mj);
	if (rc != RV_OK) {
		rv_merge_free(mj);
		return rc;
	}
	*out = mj;
	return RV_OK;
}

struct mstep {
	struct rv_merge_job *mj;
	unsigned budget;
	int end;
};

static int
copy_rows(void *arg)
{
	struct mstep *ms = arg;
	struct rv_merge_job *mj = ms->mj;
	const uint8_t *k, *v;
	size_t kl, vl;

	for (unsigned n = 0; n < ms->budget; n++) {
		if (mj->it == NULL ||
		    mtbl_iter_next(mj->it, &k, &kl, &v, &vl) !=
		    mtbl_res_success) {
			ms->end = 1;
			return RV_OK;
		}
		if (mtbl_writer_add(mj->w, k, kl, v, vl) != mtbl_res_success)
			return RV_EIO;
	}
	return RV_OK;
}

int
rv_merge_step(struct rv_merge_job *mj, unsigned budget, int *done)
{
	struct mstep ms = { mj, budget ? budget : 1, 0 };
	int rc;

	*done = 0;
	rc = rv_seg_guarded(mj->st, &mj->segs[0], copy_rows, &ms);
	if (rc == RV_OK && mj->mc.bad)
		rc = RV_ECORRUPT;
	*done = rc == RV_OK && ms.end;
	return rc;
}

int
rv_merge_finish(struct rv_merge_job *mj, struct rv_archive_result *res)
{
	struct rv_seg probe;
	struct change ch;
	int rc;

	rc = rv_seg_writer_close(mj->w, mj->tmp, 1, &mj->m.bytes);
	mj->w = NULL;
	/* Count what was written: rows of equal keys became one. */
	memset(&probe, 0, sizeof(probe));
	if (rc == RV_OK && (rc = rv_seg_open_file(mj->st, &probe, mj->tmp)) ==
	    RV_OK)
		rc = rv_seg_count(mj->st, &probe, &mj->m.rows, &mj->m.rrsets);
	rv_seg_close_file(&probe);
	if (rc == RV_OK && rename(mj->tmp, mj->final) != 0)
		rc = RV_EIO;
	if (rc != RV_OK) {
		(void)unlink(mj->tmp);
		return rc;
	}
	if ((rc = rv_seg_dir_fsync(mj->st)) != RV_OK)
		return rc;
	ch.drop = mj->in;
	ch.ndrop = RV_MERGE_FANIN;
	ch.add = &mj->m;
	ch.seq = mj->seq;
	if ((rc = apply(mj->st, &ch)) != RV_OK)
		return rc;
	res->merged += RV_MERGE_FANIN;
	res->merges++;
	return RV_OK;
}

int
rv_merge_plan(struct rv_store *st, struct rv_merge_job **out)
{
	struct rv_seg_meta *a = NULL;
	size_t n;
	uint64_t seq;
	int rc;

	*out = NULL;
	if ((rc = listed(st, &a, &n)) != RV_OK)
		return rc == RV_ESTATE ? RV_OK : rc;
	for (size_t i = 0; i + RV_MERGE_FANIN <= n; i++) {
		uint64_t lo = UINT64_MAX, hi = 0;

		for (size_t k = i; k < i + RV_MERGE_FANIN; k++) {
			lo = a[k].bytes < lo ? a[k].bytes : lo;
			hi = a[k].bytes > hi ? a[k].bytes : hi;
		}
		if (hi > lo * RV_MERGE_RATIO)
			continue;
		if ((rc = rv_seg_next_seq(st, &seq)) == RV_OK)
			rc = merge_start(st, a + i, seq, out);
		break;
	}
	free(a);
	return rc;
}

/* --- retention ------------------------------------------------------------- */

int
rv_archive_retain(struct rv_store *st, uint32_t before,
    struct rv_archive_result *res)
{
	struct rv_seg_meta *a = NULL;
	struct change ch;
	size_t n, k = 0;
	int rc;

	if ((rc = listed(st, &a, &n)) != RV_OK)
		return rc == RV_ESTATE ? RV_OK : rc;
	/* Whole segments only: the last sighting of every row in it is
	 * before the limit. */
	for (size_t i = 0; i < n; i++)
		if (a[i].last < before)
			a[k++] = a[i];
	memset(&ch, 0, sizeof(ch));
	ch.drop = a;
	ch.ndrop = k;
	rc = k ? apply(st, &ch) : RV_OK;
	if (rc == RV_OK)
		res->dropped = k;
	for (size_t i = 0; rc == RV_OK && i < k; i++)
		res->dropped_rows += a[i].rows;
	free(a);
	return rc;
}
