/**
 * \file store_lmdb.h
 * Inside store/ only: the LMDB engine behind the store's own types. A
 * struct rv_txn * is an MDB_txn *, converted here and nowhere else; a
 * struct rv_cursor wraps an MDB_cursor; struct rv_val and MDB_val are
 * copied field by field (two words) at the boundary.
 *
 * Damaged files (RELIABILITY.md, "Damaged databases"): every LMDB call
 * that reads the map runs under RV_GUARD, so that a SIGBUS or SIGSEGV
 * inside it (a page beyond the end of the file, a pointer a flipped octet
 * sent outside the map) or an LMDB assertion comes back as RV_MDB_FAULT
 * instead of killing the process; and every key and value handed to a
 * caller must lie inside the part of the map the file is known to cover
 * (rv_span_ok), so that the callers' own reads cannot fault either.
 */
#ifndef RV_STORE_LMDB_H
#define RV_STORE_LMDB_H

#include <lmdb.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>

#include "rv_store.h"

struct rv_store {
	MDB_env *env;
	char *path;
	MDB_dbi dbi[RV_DB_COUNT];
	uint8_t absent[RV_DB_COUNT];	/**< an optional database a reader
					 * did not find (RV_DB_REGDOM) */
	unsigned flags;
	int map_full;		/**< the last write failed with MDB_MAP_FULL */
	int lock_fd;		/**< writer.lock held (RV_STORE_EXCL), or -1 */
	int data_fd;		/**< LMDB's descriptor of data.mdb */
	unsigned psize;		/**< page size (from the meta page) */
	/* Where LMDB mapped data.mdb (0, 0: not known, no span checks) and
	 * how many octets of it the file is known to hold. */
	_Atomic uintptr_t map_lo;
	_Atomic uintptr_t map_len;
	_Atomic uint64_t file_ok;
	/* The last page of a meta whose pages past the end of data.mdb were
	 * found free (rv_store_check_size), so not looked at again. */
	_Atomic uint64_t tail_free_last;
	atomic_int unusable;	/**< a fault: LMDB is not called again */
	atomic_int damaged;	/**< why[] says what was found */
	pthread_mutex_t seg_mu;	/**< segs and seg_why */
	struct rv_seg *segs;	/**< archive segments opened so far */
	char seg_why[200];
	pthread_mutex_t why_mu;
	char why[200];
	/* Every transaction holds gen for reading; replacing the environment
	 * (rv_store_compact, a reader adopting a compacted file) holds it for
	 * writing, so no transaction of the old one is open then. */
	pthread_rwlock_t gen;
	_Atomic uint64_t dev;	/**< data.mdb the environment has open */
	_Atomic uint64_t ino;
	atomic_int no_env;	/**< adopting a new data.mdb failed */
};

/* LMDB's meta page as it lies in data.mdb (data format version 1, native
 * byte order; lmdb.h does not describe it): the page header (16 octets),
 * mm_magic:4 @16, mm_version:4 @20, mm_address:8, mm_mapsize:8, two
 * database records of 48 octets @40 (free pages, main tree; the first's
 * pad field @40 is the page size, each record's root page is at +40),
 * mm_last_pg:8 @136, mm_txnid:8 @144. */
#define META_LEN	152
#define META_MAGIC	0xBEEFC0DEu
#define META_VERSION	1
#define META_OFF_MAGIC	16
#define META_OFF_VERSION 20
#define META_OFF_PSIZE	40
#define META_OFF_ROOT0	80
#define META_OFF_ROOT1	128
#define META_OFF_LAST	136
#define META_OFF_TXNID	144
#define META_NO_ROOT	UINT64_MAX	/* P_INVALID: an empty tree */

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

/** A guarded LMDB call faulted (not an LMDB code, not an errno). */
#define RV_MDB_FAULT	(-31000)

/**
 * Translate an LMDB return code (or an errno from a commit) to enum
 * rv_err: MDB_NOTFOUND -> RV_ENOENT, MDB_MAP_FULL/ENOSPC/EDQUOT ->
 * RV_ENOSPC, MDB_KEYEXIST -> RV_EEXIST, MDB_CORRUPTED/MDB_PAGE_NOTFOUND/
 * MDB_INVALID/MDB_CURSOR_FULL/MDB_PAGE_FULL/RV_MDB_FAULT -> RV_ECORRUPT,
 * MDB_BAD_TXN -> RV_ECORRUPT (the store's callers never go on with a
 * transaction after an error, so LMDB flagged one it did not return: a
 * damaged page met on the way),
 * MDB_VERSION_MISMATCH -> RV_EVERSION, ENOMEM -> RV_ENOMEM,
 * MDB_BAD_VALSIZE -> RV_ETOOBIG, others RV_EIO.
 */
int rv_store_err(int mdb_rc);

/** rv_store_err(), and for a code that means damage, note in the store
 * what LMDB found (rv_store_why). */
int rv_store_rc(struct rv_store *st, int mdb_rc);

/** Note a write's LMDB code (MDB_MAP_FULL sets rv_store_map_full) and
 * translate it. */
int rv_store_wrote(struct rv_store *st, int mdb_rc);

/** Record what is wrong with the store (the first finding is kept). */
void rv_store_damage(struct rv_store *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- the fault guard (rv_store_guard.c) ---------------------------------- */

/** One guarded call's landing place; guards nest (a scan's callback may
 * read the store again). */
struct rv_guard {
	sigjmp_buf jb;
	struct rv_guard *prev;
	int sig;		/**< SIGBUS, SIGSEGV, SIGABRT, or 0: an LMDB
				 * assertion */
	int abrt;		/**< catch abort() too (libmtbl's asserts) */
	void *addr;		/**< the faulting address */
	char what[160];		/**< the assertion's text */
};

/** The innermost armed guard of this thread (NULL: faults crash). */
extern __thread struct rv_guard *rv_guard_cur
    __attribute__((tls_model("initial-exec")));

/** Install the SIGBUS/SIGSEGV handler (again, if someone replaced it). */
void rv_guard_install(void);

/** LMDB's assertion callback (mdb_env_set_assert): under a guard, the
 * assertion becomes a fault; otherwise LMDB aborts as before. */
void rv_guard_assert(MDB_env *env, const char *msg);

/** After a fault: note it, declare the store unusable, RV_MDB_FAULT. */
int rv_guard_fault(struct rv_store *st, const struct rv_guard *g);

/**
 * Evaluate \p call (an LMDB call that reads the map) into \p rc under the
 * guard: a fault sets rc to RV_MDB_FAULT and leaves the store unusable
 * (every later call gets RV_MDB_FAULT without entering LMDB). No syscall:
 * sigsetjmp without the signal mask (the handler runs with SA_NODEFER).
 * Only \p st and \p rc may be used after a fault.
 */
#define RV_GUARD(st, rc, call) do {					\
	struct rv_guard rv_g_;						\
	if (atomic_load_explicit(&(st)->unusable,			\
	    memory_order_relaxed)) {					\
		(rc) = RV_MDB_FAULT;					\
		break;							\
	}								\
	if (sigsetjmp(rv_g_.jb, 0) != 0) {				\
		(rc) = rv_guard_fault((st), &rv_g_);			\
		break;							\
	}								\
	rv_g_.prev = rv_guard_cur;					\
	rv_g_.abrt = 0;							\
	rv_guard_cur = &rv_g_;						\
	atomic_signal_fence(memory_order_seq_cst);			\
	(rc) = (call);							\
	atomic_signal_fence(memory_order_seq_cst);			\
	rv_guard_cur = rv_g_.prev;					\
} while (0)

/* --- spans: what callers may read ----------------------------------------- */

/** Slow path of rv_span_ok: look at the file again (it may have grown),
 * else note the damage. \return 1 if the span is fine after all. */
int rv_span_recheck(struct rv_store *st, const MDB_val *m);

/**
 * Is the key or value \p m safe for a caller to read? Inside LMDB's
 * mapping it must end within the octets data.mdb is known to hold;
 * outside it is only a writer's dirty page (a reader's values are all in
 * the map). Two compares on the fast path.
 */
static inline int
rv_span_ok(struct rv_store *st, const MDB_val *m)
{
	uintptr_t off = (uintptr_t)m->mv_data -
	    atomic_load_explicit(&st->map_lo, memory_order_relaxed);

	if (off < atomic_load_explicit(&st->map_len, memory_order_relaxed)) {
		uint64_t ok = atomic_load_explicit(&st->file_ok,
		    memory_order_relaxed);
		if (off <= ok && m->mv_size <= ok - off)
			return 1;
	} else if (!(st->flags & RV_STORE_RDONLY) ||
	    atomic_load_explicit(&st->map_len, memory_order_relaxed) == 0) {
		return 1;
	}
	return rv_span_recheck(st, m);
}

/** rv_span_ok's bounds, read once for a loop over many rows (a scan):
 * they change only when the map moves or the file grows, and a stale copy
 * only sends a row to rv_span_recheck. */
struct rv_span {
	uintptr_t lo, len;
	uint64_t ok;
	int rdonly;
};

static inline void
rv_span_load(struct rv_store *st, struct rv_span *s)
{
	s->lo = atomic_load_explicit(&st->map_lo, memory_order_relaxed);
	s->len = atomic_load_explicit(&st->map_len, memory_order_relaxed);
	s->ok = atomic_load_explicit(&st->file_ok, memory_order_relaxed);
	s->rdonly = (st->flags & RV_STORE_RDONLY) != 0;
}

/** rv_span_ok() against bounds read before. */
static inline int
rv_span_in(struct rv_store *st, struct rv_span *s, const MDB_val *m)
{
	uintptr_t off = (uintptr_t)m->mv_data - s->lo;

	if (off < s->len) {
		if (off <= s->ok && m->mv_size <= s->ok - off)
			return 1;
	} else if (!s->rdonly || s->len == 0) {
		return 1;
	}
	if (!rv_span_recheck(st, m))
		return 0;
	rv_span_load(st, s);
	return 1;
}

/** A cursor: LMDB's, the store (for noting a full map on a put), and
 * the span bounds as they were when it opened (rv_span_in). */
struct rv_cursor {
	MDB_cursor *mc;
	struct rv_store *st;
	struct rv_span span;
	struct rv_tier *tier;	/**< a reader's view of both tiers, or NULL */
};

/** rv_cursor_open on LMDB alone, also for a reader (rv_store_check). */
int rv_cursor_open_live(struct rv_store *st, struct rv_txn *txn,
    enum rv_db db, struct rv_cursor **out);

/** rv_cursor_get on LMDB alone (the tier cursor's live source). */
int rv_cursor_get_live(struct rv_cursor *c, struct rv_val *k,
    struct rv_val *v, enum rv_op op);

/**
 * Learn where LMDB mapped the file (after open and after every remap):
 * the mapping of /proc/self/maps that holds a key just read. Without
 * /proc the span checks are off (the guard still holds).
 */
void rv_store_locate_map(struct rv_store *st);

/**
 * Does data.mdb hold every page up to the environment's last one? Called
 * at open and at every transaction's start (one fstat only when the last
 * page moved beyond what was checked). \return 0, RV_ECORRUPT (noted).
 */
int rv_store_check_size(struct rv_store *st);

/**
 * Open the environment of st->path into st (st->env NULL; st->flags
 * decide how), with the map size \p mapsize (0: the file's or LMDB's).
 * rv_store_open does this once; a reader does it again when rearviewd has
 * replaced data.mdb by a compacted copy (rv_store_compact.c).
 * \return 0 or the store's error (st->env may then be set: close it).
 */
int rv_store_env_setup(struct rv_store *st, size_t mapsize);

/** Close the environment (synced first by a writer). */
void rv_store_env_close(struct rv_store *st);

/** Has data.mdb been replaced since the environment was opened? A reader
 * that finds so opens the new one (between its transactions). */
void rv_store_adopt_check(struct rv_store *st);

/** A writer's open: remove what a killed compaction left (DB/compact.tmp). */
void rv_store_compact_leftover(struct rv_store *st);

#endif
