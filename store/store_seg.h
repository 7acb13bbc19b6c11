/**
 * \file store_seg.h
 * The archive tier inside store/ (docs/ARCHIVE.md): segment files, their
 * value codec, the merge rule, and the cursor that reads both tiers.
 *
 * A segment is an immutable libmtbl table in DB/archive/. Its keys are the
 * live tier's keys behind one octet naming the database (rv_seg_tag), its
 * values the live values with varint numbers (rv_seg_val_pack). The list
 * of segments is in the meta database (`seg:NAME`), so a reader's
 * transaction sees the segments and the rows of one consistent moment;
 * `seg_pending` names the one segment whose rows are still being removed
 * from LMDB and how far that has gone.
 *
 * libmtbl asserts (abort()) on a damaged block. Every call into it runs
 * under the store's fault guard with aborts caught (SEG_GUARD in
 * rv_seg.c): a damaged segment is marked, reported by name
 * (rv_store_why), and skipped from then on.
 *
 * Ownership: the store owns the open segments (struct rv_seg) until
 * rv_store_close; readers share them (libmtbl readers are read-only
 * maps). A cursor owns its iterators.
 */
#ifndef RV_STORE_SEG_H
#define RV_STORE_SEG_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "rv_store.h"

struct mtbl_reader;
struct mtbl_iter;

/** Longest segment file name (+NUL). */
#define RV_SEG_NAME_MAX 48

/** The octet before a live key in a segment; 0 for databases that stay
 * live (ip, regdom, meta). Tags sort as A D F N R. */
uint8_t rv_seg_tag(enum rv_db db);

/* --- values (rv_seg_val.c) ------------------------------------------------ */

/** Live value -> segment value. \p cap >= len + 5. */
int rv_seg_val_pack(enum rv_db db, const uint8_t *v, size_t len,
    uint8_t *out, size_t cap, size_t *outlen);
/** Segment value -> live value. \p cap >= len + 20. RV_ECORRUPT. */
int rv_seg_val_unpack(enum rv_db db, const uint8_t *p, size_t len,
    uint8_t *out, size_t cap, size_t *outlen);
/** The merge of two live values of one key (the one rule for every tier:
 * min first, max last, summed count, TTL and sensor unions; the rdata set
 * is a's). \p cap >= a->len + 2 * RV_SENSORS_MAX. */
int rv_seg_val_merge(enum rv_db db, const struct rv_val *a,
    const struct rv_val *b, uint8_t *out, size_t cap, size_t *outlen);
/** What \p live holds beyond \p arch (a row seen again after it was
 * archived): its count less the archived one; merging arch with the
 * result gives live back. \p cap >= live->len. */
int rv_seg_val_less(enum rv_db db, const struct rv_val *live,
    const struct rv_val *arch, uint8_t *out, size_t cap, size_t *outlen);
/** First and last seen of a live value. */
int rv_seg_val_last(enum rv_db db, const struct rv_val *v, uint32_t *first,
    uint32_t *last);

/* --- segments (rv_seg.c) ---------------------------------------------------- */

/** One segment as the meta database lists it. */
struct rv_seg_meta {
	char name[RV_SEG_NAME_MAX];
	uint32_t first, last;	/**< the rows' earliest first, latest last */
	uint64_t rows;
	uint64_t bytes;		/**< the file's size */
	uint64_t rrsets;	/**< rows of the rrset database among rows */
};

/** An open segment, shared by the store's readers. */
struct rv_seg {
	struct rv_seg_meta m;
	struct mtbl_reader *r;	/**< NULL: missing or not a segment */
	atomic_int bad;		/**< found damaged: skipped from then on */
	unsigned refs;		/**< cursors holding it (seg_mu) */
	int seen;		/**< in the list being read (seg_mu) */
	struct rv_seg *next;
};

/** The meta key prefix of the segment list, and the pending record. */
#define RV_SEG_META_PREFIX "seg:"
#define RV_SEG_PENDING_KEY "seg_pending"
/** The meta key of the last segment number given out. */
#define RV_SEG_SEQ_KEY "seg_seq"

/** Merging: this many consecutive segments within this size ratio of
 * each other become one (rv_archive_merge.c). */
#define RV_MERGE_FANIN 4
#define RV_MERGE_RATIO 4

/** The pending segment and its progress: rows with tagged keys up to and
 * including \p done (done_len 0: none) are already gone from LMDB. */
struct rv_seg_pending {
	char name[RV_SEG_NAME_MAX];
	uint8_t done[RV_KEY_MAX + 1];
	size_t done_len;
};

/** Decode / encode a `seg:` value: first:4 last:4 rows:8 bytes:8
 * rrsets:8. */
#define RV_SEG_META_SIZE 32
int rv_seg_meta_decode(const struct rv_val *k, const struct rv_val *v,
    struct rv_seg_meta *out);
void rv_seg_meta_encode(const struct rv_seg_meta *m,
    uint8_t out[RV_SEG_META_SIZE]);

/**
 * Call \p fn for each `seg:` row of \p txn, in name (= write) order, with
 * the row decoded; \p m is NULL for a row that does not decode (the
 * caller says whether that stops it), and is valid only during the call.
 * \p fn returns RV_OK to go on; anything else stops the walk and is
 * returned. \return RV_OK at the end, fn's code, or a cursor error.
 */
int rv_seg_each(struct rv_store *st, struct rv_txn *txn,
    int (*fn)(void *arg, const struct rv_seg_meta *m), void *arg);

/** The segments copied into an array the caller frees (a), grown by
 * rv_seg_array_add: an rv_seg_each \p fn (\p arg: the array) that stops
 * with RV_ECORRUPT at a row that does not decode, RV_ENOMEM. Start from
 * a zeroed one. */
struct rv_seg_array {
	struct rv_seg_meta *a;
	size_t n, cap;
};
int rv_seg_array_add(void *arg, const struct rv_seg_meta *m);

/** The `seg:NAME` key of \p name into \p buf (RV_SEG_KEY_MAX will do).
 * RV_ETOOBIG. */
#define RV_SEG_KEY_MAX (sizeof(RV_SEG_META_PREFIX) - 1 + RV_SEG_NAME_MAX)
int rv_seg_key(const char *name, uint8_t *buf, size_t cap,
    struct rv_val *k);

/** List segment \p m (its `seg:` row) and make \p seq the last segment
 * number given out (`seg_seq`), in the write transaction \p txn. */
int rv_seg_put(struct rv_store *st, struct rv_txn *txn,
    const struct rv_seg_meta *m, uint64_t seq);

/** The pending record of \p txn. \return 0, RV_ENOENT (none), error. */
int rv_seg_pending_get(struct rv_store *st, struct rv_txn *txn,
    struct rv_seg_pending *out);

/** "DB/archive/NAME" into \p buf. */
int rv_seg_path(const struct rv_store *st, const char *name, char *buf,
    size_t cap);

/**
 * The segments \p txn lists, opened (once per store), as a NULL-ended
 * array the caller frees, each segment held until rv_seg_release.
 * Damaged ones are left out. Segments the store opened earlier that this
 * list no longer names (merged, dropped) and nobody holds are closed.
 * \p pending filled (name "" if none). \return 0, RV_ENOMEM, error.
 */
int rv_seg_list(struct rv_store *st, struct rv_txn *txn,
    struct rv_seg ***out, size_t *n, struct rv_seg_pending *pending);

/** Open a segment file outside the store's list (the archiver's own
 * reading); \p seg zeroed with its name set. RV_ECORRUPT. */
int rv_seg_open_file(struct rv_store *st, struct rv_seg *seg,
    const char *path);
void rv_seg_close_file(struct rv_seg *seg);

/** The kill -9 tests' knob: SIGKILL this process if the environment's
 * RV_ARCHIVE_KILL_AT is \p at (tests/e2e/archive.sh). */
void rv_seg_test_kill(const char *at);

/** Run \p fn (which calls libmtbl on \p seg and others) under the
 * guard: RV_ECORRUPT on a fault or an assertion (\p seg is named). */
int rv_seg_guarded(struct rv_store *st, struct rv_seg *seg,
    int (*fn)(void *), void *arg);
/** Rows of an open segment, and its rrset rows. */
int rv_seg_count(struct rv_store *st, struct rv_seg *seg, uint64_t *rows,
    uint64_t *rrsets);
/** The number for the next segment's name (meta seg_seq + 1). */
int rv_seg_next_seq(struct rv_store *st, uint64_t *seq);
/** fsync DB/archive. */
int rv_seg_dir_fsync(const struct rv_store *st);

/** fsync a file (dir 0) or a directory (dir 1). RV_EIO, RV_ENOSPC. */
int rv_seg_fsync(const char *path, int dir);
struct mtbl_writer;
/** A new segment at \p tmp (replaced if there), with the archive's
 * options. NULL on error. */
struct mtbl_writer *rv_seg_writer_open(const char *tmp);
/** Finish it; \p keep: chmod 0640 and fsync it and give its size
 * (else the caller unlinks it). */
int rv_seg_writer_close(struct mtbl_writer *w, const char *tmp, int keep,
    uint64_t *bytes);

/** Iterator on one segment, under the guard. */
struct rv_seg_it;
/** Position at the first tagged key >= (tag, key). */
int rv_seg_it_open(struct rv_store *st, struct rv_seg *seg, uint8_t tag,
    const uint8_t *key, size_t len, struct rv_seg_it **out);
/** The next row of the same tag: key (without the tag) and packed value,
 * valid until the next call. RV_ENOENT at the end; RV_ECORRUPT when the
 * segment is damaged (it is then marked and skipped). */
int rv_seg_it_next(struct rv_seg_it *it, const uint8_t **k, size_t *klen,
    const uint8_t **v, size_t *vlen);
void rv_seg_it_close(struct rv_seg_it *it);
/** Iterators alive in this process (tests: none left after a query). */
long rv_seg_open_iterators(void);

/** Does this store read the archive with its live rows? (readers) */
int rv_seg_merging(const struct rv_store *st, enum rv_db db);

/** Let go of a segment rv_seg_list gave. */
void rv_seg_release(struct rv_store *st, struct rv_seg *seg);

/** Close the store's open segments (rv_store_close). */
void rv_seg_close_all(struct rv_store *st);

/* --- merging, step by step (rv_archive_merge.c) ------------------------- */

struct rv_merge_job;
/** The next merge to make (*out NULL: none), its inputs opened. */
int rv_merge_plan(struct rv_store *st, struct rv_merge_job **out);
/** Copy at most \p budget merged rows into the new segment. */
int rv_merge_step(struct rv_merge_job *mj, unsigned budget, int *done);
/** After the last step: name the new segment instead of its inputs. */
int rv_merge_finish(struct rv_merge_job *mj, struct rv_archive_result *res);
void rv_merge_free(struct rv_merge_job *mj);

/* --- the cursor over both tiers (rv_tier.c) -------------------------------- */

struct rv_tier;
/** Open the merged view of \p db under \p txn; *out NULL when the store
 * has no segments (use LMDB alone). Every segment is read whatever a
 * query's time fence: a row that spans tiers needs all its parts for its
 * first, last and count, so skipping a segment by its time range would
 * let a live part pass a fence its whole row fails (docs/ARCHIVE.md). */
int rv_tier_open(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    struct rv_cursor *live, struct rv_tier **out);
int rv_tier_get(struct rv_tier *t, struct rv_val *k, struct rv_val *v,
    enum rv_op op);
void rv_tier_close(struct rv_tier *t);

#endif
