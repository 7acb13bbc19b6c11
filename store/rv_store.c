/**
 * \file rv_store.c
 * The LMDB environment: open/close, named databases, transactions, map
 * growth, error translation and range scans.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "rv_err.h"
#include "rv_be.h"
#include "store_lmdb.h"
#include "store_seg.h"

#define MIB ((size_t)1 << 20)
#define GIB ((size_t)1 << 30)

/* Why this thread's last rv_store_open failed (RV_ECORRUPT, RV_EBUSY). */
static __thread char open_why[200];

static const char *const db_names[RV_DB_COUNT] = {
	"rrset", "neg", "rdata", "names", "ip", "asn", "regdom", "meta",
};

const char *
rv_db_name(enum rv_db db)
{
	return (unsigned)db < RV_DB_COUNT ? db_names[db] : "?";
}

int
rv_store_err(int rc)
{
	switch (rc) {
	case 0:
		return RV_OK;
	case MDB_NOTFOUND:
		return RV_ENOENT;
	case MDB_MAP_FULL:
	case ENOSPC:
	case EDQUOT:
		return RV_ENOSPC;
	case MDB_KEYEXIST:
		return RV_EEXIST;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_CURSOR_FULL:	/* a tree deeper than LMDB allows: a loop */
	case MDB_PAGE_FULL:	/* "internal error": a page's header lies */
	case MDB_BAD_TXN:	/* after an error LMDB flagged, not returned */
	case RV_MDB_FAULT:
		return RV_ECORRUPT;
	case MDB_VERSION_MISMATCH:
		return RV_EVERSION;
	case ENOMEM:
		return RV_ENOMEM;
	case MDB_BAD_VALSIZE:
		return RV_ETOOBIG;
	case ENOENT:
		return RV_ENOENT;
	default:
		return RV_EIO;
	}
}

void
rv_store_damage(struct rv_store *st, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&st->why_mu);
	if (!atomic_load(&st->damaged)) {
		va_start(ap, fmt);
		vsnprintf(st->why, sizeof(st->why), fmt, ap);
		va_end(ap);
		atomic_store(&st->damaged, 1);
	}
	pthread_mutex_unlock(&st->why_mu);
}

const char *
rv_store_why(struct rv_store *st)
{
	if (st == NULL)
		return open_why[0] != '\0' ? open_why : NULL;
	return atomic_load(&st->damaged) ? st->why : NULL;
}

int
rv_store_rc(struct rv_store *st, int mdb_rc)
{
	switch (mdb_rc) {
	case MDB_CORRUPTED:
		rv_store_damage(st, "a page of the wrong type");
		break;
	case MDB_PAGE_NOTFOUND:
		rv_store_damage(st, "a page number past the last page");
		break;
	case MDB_CURSOR_FULL:
		rv_store_damage(st, "a tree deeper than LMDB allows: a page "
		    "points back up the tree");
		break;
	case MDB_INVALID:
		rv_store_damage(st, "a meta page is not LMDB's");
		break;
	case MDB_PAGE_FULL:
		rv_store_damage(st, "a page fuller than its header says");
		break;
	case MDB_BAD_TXN:
		rv_store_damage(st, "LMDB gave up a transaction after an error "
		    "inside a page");
		break;
	default:
		break;
	}
	return rv_store_err(mdb_rc);
}

int
rv_store_wrote(struct rv_store *st, int mdb_rc)
{
	if (mdb_rc == MDB_MAP_FULL)
		st->map_full = 1;
	return rv_store_rc(st, mdb_rc);
}

int
rv_store_map_full(const struct rv_store *st)
{
	return st->map_full;
}

MDB_dbi
rv_store_dbi(const struct rv_store *st, enum rv_db db)
{
	return st->dbi[db];
}

static const char schema_key[] = "schema";

/* LMDB's record of a named database in the main tree (struct MDB_db: pad,
 * flags, depth, then five page numbers or counts) */
#define LMDB_DB_RECORD (4 + 2 + 2 + 5 * sizeof(size_t))
#define LMDB_MAIN_DBI 1

/*
 * The main tree's record of named database i must be as long as LMDB's
 * struct: mdb_dbi_open checks its flags only, and a commit that rewrites a
 * record whose length was damaged moves the page's other nodes by the
 * difference, past the end of the page (a heap overflow in LMDB, found by
 * rel_damaged.sh).
 */
static int
db_record_ok(struct rv_store *st, MDB_txn *txn, int i)
{
	MDB_val k = { strlen(db_names[i]), (void *)db_names[i] }, v;
	int rc;

	RV_GUARD(st, rc, mdb_get(txn, LMDB_MAIN_DBI, &k, &v));
	if (rc == MDB_NOTFOUND)
		return RV_OK;	/* created in this transaction */
	if (rc != 0)
		return rv_store_rc(st, rc);
	if (v.mv_size != LMDB_DB_RECORD) {
		rv_store_damage(st, "the record of the %s database has %zu "
		    "octets, want %zu", db_names[i], v.mv_size,
		    (size_t)LMDB_DB_RECORD);
		return RV_ECORRUPT;
	}
	return RV_OK;
}

/* Open (and for writers create) the named dbs and check the schema. */
static int
open_dbs(struct rv_store *st)
{
	int rdonly = st->flags & RV_STORE_RDONLY;
	MDB_txn *txn = NULL;
	MDB_val k = { sizeof(schema_key) - 1, (void *)schema_key }, v;
	uint8_t ver[4];
	int rc;
	volatile int missing = 0, first_missing = 0;

	RV_GUARD(st, rc, mdb_txn_begin(st->env, NULL, rdonly ? MDB_RDONLY : 0,
	    &txn));
	if (rc) {
		txn = NULL;
		rc = rv_store_rc(st, rc);
		goto leave;
	}
	for (int i = 0; i < RV_DB_COUNT; i++) {
		RV_GUARD(st, rc, mdb_dbi_open(txn, db_names[i], rdonly ? 0 :
		    MDB_CREATE, &st->dbi[i]));
		if (rc == MDB_NOTFOUND && rdonly && i == RV_DB_REGDOM) {
			/* Came after version 1's first databases: a reader
			 * goes on without it until a writer creates it. */
			st->absent[i] = 1;
			continue;
		}
		if (rc == MDB_NOTFOUND && rdonly) {
			if (missing++ == 0)
				first_missing = i;
			continue;
		}
		if (rc == MDB_INCOMPATIBLE) {
			rv_store_damage(st, "the record of the %s database is "
			    "not a database's", db_names[i]);
			rc = RV_ECORRUPT;
			goto leave;
		}
		if (rc) {
			rc = rv_store_rc(st, rc);
			goto leave;
		}
		if ((rc = db_record_ok(st, txn, i)) != RV_OK)
			goto leave;
	}
	if (missing == RV_DB_COUNT - st->absent[RV_DB_REGDOM]) {	/* not a rearview database */
		rc = RV_ENOENT;
		goto leave;
	}
	if (missing > 0) {
		rv_store_damage(st, "the %s database is missing from the main "
		    "tree", db_names[first_missing]);
		rc = RV_ECORRUPT;
		goto leave;
	}
	RV_GUARD(st, rc, mdb_get(txn, st->dbi[RV_DB_META], &k, &v));
	if (rc == MDB_NOTFOUND && !rdonly) {
		rv_put32(ver, RV_SCHEMA_VERSION);
		v.mv_size = 4;
		v.mv_data = ver;
		RV_GUARD(st, rc, mdb_put(txn, st->dbi[RV_DB_META], &k, &v, 0));
		/* A new database: its names rows hold targets from the
		 * start (no backfill to do). */
		if (rc == 0 && (rc = rv_store_names_targets_set(st, rv_txn_of(txn),
		    (uint32_t)time(NULL))) != RV_OK)
			goto leave;
	} else if (rc == 0 && (v.mv_size != 4 ||
	    rv_get32(v.mv_data) != RV_SCHEMA_VERSION)) {
		rc = RV_EVERSION;
		goto leave;
	}
	if (rc) {
		rc = rv_store_rc(st, rc);
		goto leave;
	}
	/* A writer keeps the registered-domain index from now on (from the
	 * creation of a new database). */
	if (!rdonly) {
		uint32_t since;
		rc = rv_store_regdom_since(st, rv_txn_of(txn), &since);
		if (rc == RV_ENOENT)
			rc = rv_store_regdom_since_set(st, rv_txn_of(txn),
			    (uint32_t)time(NULL));
		if (rc != RV_OK)
			goto leave;
	}
	RV_GUARD(st, rc, mdb_txn_commit(txn));
	txn = NULL;
	rc = rv_store_rc(st, rc);
leave:
	if (txn)
		mdb_txn_abort(txn);
	return rc;
}

/* Readers register in lock.mdb and so need to write it (0660 with the
 * group of the database's readers), but only the writer writes data.mdb:
 * it loses group and other write, whatever the umask left it. */
static void
writer_only_data(struct rv_store *st)
{
	struct stat sb;
	int fd;

	if (mdb_env_get_fd(st->env, &fd) == 0 && fstat(fd, &sb) == 0 &&
	    (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		(void)fchmod(fd, sb.st_mode & 07755 & ~(mode_t)(S_IWGRP |
		    S_IWOTH));
}

/* RV_STORE_EXCL: the one writer holds an flock on DIR/writer.lock, with
 * its pid in the file for the message of the one refused. */
static int
lock_writer(struct rv_store *st, const char *path)
{
	char file[4096], pid[32];
	ssize_t n;
	int fd;

	if ((size_t)snprintf(file, sizeof(file), "%s/writer.lock", path) >=
	    sizeof(file))
		return RV_ETOOBIG;
	if ((fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0660)) < 0)
		return RV_EIO;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		if (e != EWOULDBLOCK) {
			close(fd);
			errno = e;
			return RV_EIO;
		}
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(open_why, sizeof(open_why), "another writer holds "
		    "%.120s%s%.20s%s", file, pid[0] ? " (pid " : "", pid,
		    pid[0] ? ")" : "");
		close(fd);
		return RV_EBUSY;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		/* The lock holds without the pid; only the message loses it. */
	}
	st->lock_fd = fd;
	return RV_OK;
}


struct meta {
	uint32_t magic, version, psize;
	uint64_t root[2], last, txnid;
};

static void
meta_read(const uint8_t *b, struct meta *m)
{
	memcpy(&m->magic, b + META_OFF_MAGIC, 4);
	memcpy(&m->version, b + META_OFF_VERSION, 4);
	memcpy(&m->psize, b + META_OFF_PSIZE, 4);
	memcpy(&m->root[0], b + META_OFF_ROOT0, 8);
	memcpy(&m->root[1], b + META_OFF_ROOT1, 8);
	memcpy(&m->last, b + META_OFF_LAST, 8);
	memcpy(&m->txnid, b + META_OFF_TXNID, 8);
}

/* Is meta page i, as read, one LMDB could have written into a file of
 * size octets? (its page size checked already) */
static int
meta_sound(struct rv_store *st, int i, const struct meta *m, uint64_t size)
{
	if (m->magic != META_MAGIC) {
		rv_store_damage(st, "meta page %d is not an LMDB meta page", i);
		return 0;
	}
	if (m->version != META_VERSION)
		return 1;	/* LMDB says RV_EVERSION */
	if (m->last < 1) {
		rv_store_damage(st, "meta page %d names last page %llu", i,
		    (unsigned long long)m->last);
		return 0;
	}
	/* The last page itself may lie past the end of the file: LMDB does
	 * not write pages a transaction allocated and freed again, and
	 * rv_store_check_size sees that those are free. The roots must be in
	 * the file. */
	for (int d = 0; d < 2; d++)
		if (m->root[d] != META_NO_ROOT && m->root[d] >= size / m->psize &&
		    m->root[d] <= m->last) {
			rv_store_damage(st, "data.mdb is shorter than its last "
			    "page: %llu octets, meta page %d names root page "
			    "%llu", (unsigned long long)size, i,
			    (unsigned long long)m->root[d]);
			return 0;
		}
	for (int d = 0; d < 2; d++)
		if (m->root[d] != META_NO_ROOT &&
		    (m->root[d] < 2 || m->root[d] > m->last)) {
			rv_store_damage(st, "meta page %d names root page %llu "
			    "for its %s tree, outside pages 2 to %llu", i,
			    (unsigned long long)m->root[d],
			    d ? "main" : "free-page",
			    (unsigned long long)m->last);
			return 0;
		}
	return 1;
}

/*
 * Before LMDB maps anything, the two meta pages as LMDB wrote them: a
 * page size LMDB could have used, a file long enough for both pages and
 * for the last page each names, roots inside that, and transaction ids
 * that belong together (LMDB writes the meta of transaction N into page
 * N % 2, so the two are N and N - 1, or both 0 in a new file). A meta
 * page LMDB would pick over the right one (a damaged transaction id), or
 * one whose last page lies beyond the end of the file, is caught here.
 */
static int
precheck_meta(struct rv_store *st, const char *file)
{
	uint8_t b[META_LEN];
	struct meta m[2];
	uint64_t size, t0, t1;
	struct stat sb;
	ssize_t n;
	int fd, rc = RV_ECORRUPT;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? RV_OK : RV_EIO;	/* a new one */
	if (fstat(fd, &sb) != 0) {
		rc = RV_EIO;
		goto leave;
	}
	size = (uint64_t)sb.st_size;
	if (size == 0) {
		rc = RV_OK;	/* LMDB makes a new environment of it */
		goto leave;
	}
	if ((n = pread(fd, b, sizeof(b), 0)) < (ssize_t)sizeof(b)) {
		rv_store_damage(st, "data.mdb is cut short inside its first "
		    "meta page: %llu octets", (unsigned long long)size);
		goto leave;
	}
	meta_read(b, &m[0]);
	if (m[0].magic != META_MAGIC) {
		rv_store_damage(st, "data.mdb does not start with an LMDB meta "
		    "page");
		goto leave;
	}
	if (m[0].version != META_VERSION) {
		rc = RV_OK;	/* LMDB says RV_EVERSION */
		goto leave;
	}
	if (m[0].psize < 512 || m[0].psize > 65536 ||
	    (m[0].psize & (m[0].psize - 1))) {
		rv_store_damage(st, "the first meta page names a page size of "
		    "%" PRIu32 " octets", m[0].psize);
		goto leave;
	}
	if (size < 2 * (uint64_t)m[0].psize ||
	    pread(fd, b, sizeof(b), m[0].psize) < (ssize_t)sizeof(b)) {
		rv_store_damage(st, "data.mdb is shorter than its two meta "
		    "pages: %llu octets, want %" PRIu32,
		    (unsigned long long)size, 2 * m[0].psize);
		goto leave;
	}
	meta_read(b, &m[1]);
	if (m[1].magic == META_MAGIC && m[1].psize != m[0].psize) {
		rv_store_damage(st, "the meta pages name page sizes of %"
		    PRIu32 " and %" PRIu32 " octets", m[0].psize, m[1].psize);
		goto leave;
	}
	if (!meta_sound(st, 0, &m[0], size) || !meta_sound(st, 1, &m[1], size))
		goto leave;
	t0 = m[0].txnid;
	t1 = m[1].txnid;
	if (!(t0 == 0 && t1 == 0) && !(t0 % 2 == 0 && t1 % 2 == 1 &&
	    (t0 == t1 + 1 || t1 == t0 + 1))) {
		rv_store_damage(st, "the meta pages name transactions %llu and "
		    "%llu, not two in a row", (unsigned long long)t0,
		    (unsigned long long)t1);
		goto leave;
	}
	rc = RV_OK;
leave:
	close(fd);
	return rc;
}

/* Count the pages in [from, last] on the free list of read transaction
 * t: each record an IDL, its length first, then page numbers. Under the
 * guard. */
static int
free_in(struct rv_store *st, MDB_txn *t, uint64_t from, uint64_t last,
    uint64_t *n)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int mrc;

	*n = 0;
	if ((mrc = mdb_cursor_open(t, 0 /* FREE_DBI */, &cur)) != 0)
		return mrc;
	while ((mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		const uint8_t *p = v.mv_data;
		size_t len;

		if (v.mv_size < sizeof(size_t) || !rv_span_ok(st, &v)) {
			mrc = MDB_CORRUPTED;
			break;
		}
		memcpy(&len, p, sizeof(len));
		if (len > v.mv_size / sizeof(size_t) - 1) {
			mrc = MDB_CORRUPTED;
			break;
		}
		for (size_t i = 1; i <= len; i++) {
			size_t pg;
			memcpy(&pg, p + i * sizeof(size_t), sizeof(pg));
			*n += pg >= from && pg <= last;
		}
	}
	mdb_cursor_close(cur);
	return mrc == MDB_NOTFOUND ? 0 : mrc;
}

/* The last page of the meta of transaction id, read from data.mdb; 0 if
 * neither meta page holds it (a writer moved on: ask again). */
static uint64_t
meta_last_of(struct rv_store *st, uint64_t id)
{
	uint8_t b[META_LEN];
	struct meta m;

	for (int i = 0; i < 2; i++)
		if (pread(st->data_fd, b, sizeof(b), (off_t)i * st->psize) ==
		    (ssize_t)sizeof(b)) {
			meta_read(b, &m);
			if (m.magic == META_MAGIC && m.txnid == id)
				return m.last;
		}
	return 0;
}

/*
 * data.mdb ends before the last page the newest meta names. LMDB does not
 * write the pages a transaction allocated at the end of the file and
 * freed again before it committed, so that is sound when every page past
 * the end is on that snapshot's free list; otherwise the file was cut. In
 * a read transaction of its own (MDB_NOTLS: beside the caller's), whose
 * meta is read from the file by its id; a writer moving on meanwhile
 * makes it look again.
 */
static int lm_begin(struct rv_store *st, unsigned flags, MDB_txn **t);

struct tail {
	uint64_t from, last, free;	/* pages past the end, and free */
};

/* One look (tail_check): 0 sound, 1 look again, RV_ECORRUPT, or an error.
 * The guarded calls write only through pointers. */
static int
tail_look(struct rv_store *st, struct tail *tl)
{
	MDB_txn *t;
	struct stat sb;
	int rc;

	if ((rc = lm_begin(st, MDB_RDONLY, &t)) != 0)
		return rv_store_rc(st, rc);
	if ((tl->last = meta_last_of(st, mdb_txn_id(t))) == 0 ||
	    fstat(st->data_fd, &sb) != 0) {
		mdb_txn_abort(t);
		return 1;
	}
	tl->from = (uint64_t)sb.st_size / st->psize;
	tl->free = 0;
	if (tl->last < tl->from) {	/* the file has grown since */
		mdb_txn_abort(t);
		return 0;
	}
	RV_GUARD(st, rc, free_in(st, t, tl->from, tl->last, &tl->free));
	if (rc == RV_MDB_FAULT)
		return rv_store_rc(st, rc);	/* t is gone with the store */
	mdb_txn_abort(t);
	if (rc != 0)
		return rv_store_rc(st, rc);
	if (tl->free != tl->last - tl->from + 1)
		return RV_ECORRUPT;
	atomic_store(&st->tail_free_last, tl->last);
	return 0;
}

static int
tail_check(struct rv_store *st)
{
	struct tail tl = { 0, 0, 0 };
	int rc = 1;

	for (int tries = 0; tries < 8 && rc == 1; tries++)
		rc = tail_look(st, &tl);
	if (rc != RV_ECORRUPT && rc != 1)
		return rc;
	rv_store_damage(st, "data.mdb is shorter than its last page: %llu "
	    "octets, page %llu ends at %llu, and %llu of the pages past its "
	    "end are in use", (unsigned long long)tl.from * st->psize,
	    (unsigned long long)tl.last, (unsigned long long)(tl.last + 1) *
	    st->psize, (unsigned long long)(tl.last - tl.from + 1 - tl.free));
	return RV_ECORRUPT;
}

int
rv_store_check_size(struct rv_store *st)
{
	MDB_envinfo info;
	struct stat sb;
	uint64_t need;
	int rc;

	RV_GUARD(st, rc, mdb_env_info(st->env, &info));
	if (rc != 0)
		return rv_store_rc(st, rc);
	if ((uint64_t)info.me_last_pgno >= UINT64_MAX / st->psize) {
		rv_store_damage(st, "the meta page names an impossible last "
		    "page, %zu", info.me_last_pgno);
		return RV_ECORRUPT;
	}
	need = ((uint64_t)info.me_last_pgno + 1) * st->psize;
	if (need <= atomic_load_explicit(&st->file_ok, memory_order_relaxed) ||
	    info.me_last_pgno == atomic_load_explicit(&st->tail_free_last,
	    memory_order_relaxed))
		return RV_OK;
	if (fstat(st->data_fd, &sb) != 0)
		return RV_EIO;
	atomic_store(&st->file_ok, (uint64_t)sb.st_size);
	if ((uint64_t)sb.st_size >= need)
		return RV_OK;
	return tail_check(st);
}

int
rv_span_recheck(struct rv_store *st, const MDB_val *m)
{
	uintptr_t lo = atomic_load(&st->map_lo), len = atomic_load(&st->map_len);
	uintptr_t off = (uintptr_t)m->mv_data - lo;
	struct stat sb;

	if (off < len && fstat(st->data_fd, &sb) == 0 &&
	    (uint64_t)sb.st_size > atomic_load(&st->file_ok)) {
		/* The writer's own transaction may have written pages past
		 * the size seen at its start (LMDB spills dirty pages). */
		atomic_store(&st->file_ok, (uint64_t)sb.st_size);
		if (off <= (uint64_t)sb.st_size &&
		    m->mv_size <= (uint64_t)sb.st_size - off)
			return 1;
	}
	if (off < len)
		rv_store_damage(st, "a key or value runs past the end of "
		    "data.mdb: %zu octets at offset %llu", m->mv_size,
		    (unsigned long long)off);
	else
		rv_store_damage(st, "a key or value lies outside data.mdb");
	return 0;
}

/* A hexadecimal number at *c (sscanf would cost more than the open). */
static uintptr_t
hex(const char **c)
{
	uintptr_t v = 0;

	for (;; (*c)++) {
		unsigned d = (unsigned char)**c;
		if (d >= '0' && d <= '9')
			d -= '0';
		else if (d >= 'a' && d <= 'f')
			d -= 'a' - 10;
		else
			return v;
		v = v << 4 | d;
	}
}

/* The mapping of /proc/self/maps that holds p. */
static int
find_mapping(const void *p, uintptr_t *lo, uintptr_t *len)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	uintptr_t a = (uintptr_t)p;
	int found = 0;

	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		const char *c = line;
		uintptr_t s = hex(&c), e;
		if (*c++ != '-')
			continue;
		e = hex(&c);
		if (a >= s && a < e) {
			*lo = s;
			*len = e - s;
			found = 1;
		}
		/* the rest of a long line (a long path) */
		while (strchr(line, '\n') == NULL &&
		    fgets(line, sizeof(line), f) != NULL)
			;
	}
	fclose(f);
	return found;
}

/* A key of the map: the schema row, read in t (a clean page). */
static const void *
some_key(struct rv_store *st, MDB_txn *t)
{
	MDB_val k = { sizeof(schema_key) - 1, (void *)schema_key }, v;
	int rc;

	RV_GUARD(st, rc, mdb_get(t, st->dbi[RV_DB_META], &k, &v));
	return rc == 0 ? v.mv_data : NULL;
}

/* Where the map is, from a key read in t. */
static void
locate_in(struct rv_store *st, MDB_txn *t)
{
	const void *p = some_key(st, t);
	uintptr_t lo = 0, len = 0;

	if (p == NULL || !find_mapping(p, &lo, &len))
		lo = len = 0;	/* unknown: no span checks */
	atomic_store(&st->map_len, 0);
	atomic_store(&st->map_lo, lo);
	atomic_store(&st->map_len, len);
}

void
rv_store_locate_map(struct rv_store *st)
{
	MDB_txn *t = NULL;
	int rc;

	RV_GUARD(st, rc, mdb_txn_begin(st->env, NULL, MDB_RDONLY, &t));
	if (rc != 0) {
		atomic_store(&st->map_len, 0);
		atomic_store(&st->map_lo, 0);
		return;
	}
	locate_in(st, t);
	mdb_txn_abort(t);
}

/* Create and open the environment; mapsize 0: LMDB's choice (a reader:
 * the size the meta page names). */
static int
env_open(struct rv_store *st, const char *path, unsigned mflags,
    size_t mapsize)
{
	int rc;

	if ((rc = mdb_env_create(&st->env)) ||
	    (rc = mdb_env_set_maxdbs(st->env, RV_DB_COUNT + 1)) ||
	    (rc = mdb_env_set_assert(st->env, rv_guard_assert)) ||
	    (mapsize && (rc = mdb_env_set_mapsize(st->env, mapsize))))
		return rc;
	RV_GUARD(st, rc, mdb_env_open(st->env, path, mflags, 0660));
	if (rc == 0)	/* rv_txn_abort finds the store of a transaction */
		rc = mdb_env_set_userctx(st->env, st);
	return rc;
}

/* LMDB's flags for the store's flags. */
static unsigned
env_flags(unsigned flags)
{
	unsigned mflags = MDB_NOTLS;

	if (flags & RV_STORE_RDONLY)
		return mflags | MDB_RDONLY;
	/* Not MDB_NOMEMINIT: LMDB 0.9.24 then follows a node offset out of
	 * a dirty page in the first commit on a compacted copy
	 * (rv_store_compact; ASan found it; test_store_lmdb). Zeroing a new
	 * page costs about what copying it does. */
	if (!(flags & RV_STORE_SYNC))
		mflags |= MDB_NOSYNC;
	return mflags;
}

int
rv_store_env_setup(struct rv_store *st, size_t mapsize)
{
	char file[4096];
	struct stat sb;
	MDB_stat ms;
	unsigned mflags = env_flags(st->flags);
	int rc;

	if ((size_t)snprintf(file, sizeof(file), "%s/data.mdb", st->path) >=
	    sizeof(file))
		return RV_ETOOBIG;
	if ((rc = precheck_meta(st, file)) != RV_OK)
		return rc;
	rv_guard_install();
	rc = env_open(st, st->path, mflags, mapsize);
	if (rc == ENOMEM && stat(file, &sb) == 0) {
		/* The map the meta page asks for does not fit: a reader
		 * needs no more than the file; a writer grows later. */
		mdb_env_close(st->env);
		st->env = NULL;
		rc = env_open(st, st->path, mflags, (size_t)sb.st_size);
		if (rc == ENOMEM) {
			rv_store_damage(st, "the meta page names a last page "
			    "far beyond the end of data.mdb, %lld octets",
			    (long long)sb.st_size);
			return RV_ECORRUPT;
		}
	}
	if (rc) {
		int e = rc;
		rc = rv_store_rc(st, rc);
		errno = e > 0 ? e : errno;
		return rc;
	}
	RV_GUARD(st, rc, mdb_env_stat(st->env, &ms));
	if (rc == 0)
		RV_GUARD(st, rc, mdb_env_get_fd(st->env, &st->data_fd));
	if (rc)
		return rv_store_rc(st, rc);
	if (fstat(st->data_fd, &sb) != 0)
		return RV_EIO;
	atomic_store(&st->dev, (uint64_t)sb.st_dev);
	atomic_store(&st->ino, (uint64_t)sb.st_ino);
	st->psize = ms.ms_psize;
	if (st->psize < 512 || st->psize > 65536 ||
	    (st->psize & (st->psize - 1))) {
		rv_store_damage(st, "the meta pages name a page size of %u "
		    "octets", st->psize);
		return RV_ECORRUPT;
	}
	/* Nothing past the end of the file is read, not even by LMDB. */
	if ((rc = rv_store_check_size(st)) != RV_OK)
		return rc;
	if (!(st->flags & RV_STORE_RDONLY))
		writer_only_data(st);
	if ((rc = open_dbs(st)) != RV_OK)
		return rc;
	rv_store_locate_map(st);
	return RV_OK;
}

void
rv_store_env_close(struct rv_store *st)
{
	if (st->env == NULL)
		return;
	if (!(st->flags & RV_STORE_RDONLY) && !atomic_load(&st->unusable))
		mdb_env_sync(st->env, 1);
	mdb_env_close(st->env);
	st->env = NULL;
	st->data_fd = -1;
	memset(st->absent, 0, sizeof(st->absent));
	atomic_store(&st->map_lo, 0);
	atomic_store(&st->map_len, 0);
	atomic_store(&st->file_ok, 0);
	atomic_store(&st->tail_free_last, 0);
}

int
rv_store_open(const char *path, unsigned flags, size_t mapsize,
    struct rv_store **out)
{
	struct rv_store *st = NULL;
	char file[4096];
	struct stat sb;
	int rc = RV_OK;

	*out = NULL;
	open_why[0] = '\0';
	if (!(st = calloc(1, sizeof(*st)))) {
		rc = RV_ENOMEM;
		goto leave;
	}
	st->lock_fd = -1;
	st->data_fd = -1;
	pthread_mutex_init(&st->why_mu, NULL);
	pthread_mutex_init(&st->seg_mu, NULL);
	pthread_rwlock_init(&st->gen, NULL);
	st->flags = flags;
	if (!(st->path = strdup(path))) {
		rc = RV_ENOMEM;
		goto leave;
	}
	if ((size_t)snprintf(file, sizeof(file), "%s/data.mdb", path) >=
	    sizeof(file)) {
		rc = RV_ETOOBIG;
		goto leave;
	}
	if (flags & RV_STORE_RDONLY) {
		if (stat(file, &sb) != 0) {
			rc = errno == ENOENT || errno == ENOTDIR ? RV_ENOENT :
			    RV_EIO;
			goto leave;
		}
		if (sb.st_size == 0) {
			rc = RV_ENOENT;
			goto leave;
		}
	} else {
		if ((flags & RV_STORE_CREATE) && mkdir(path, 0750) != 0 &&
		    errno != EEXIST) {
			rc = RV_EIO;
			goto leave;
		}
		if ((flags & RV_STORE_EXCL) &&
		    (rc = lock_writer(st, path)) != RV_OK)
			goto leave;
		if (flags & RV_STORE_EXCL)
			rv_store_compact_leftover(st);
		if (!mapsize)
			mapsize = GIB;
	}
	rc = rv_store_env_setup(st, mapsize);
leave:
	if (rc != RV_OK) {
		if (st != NULL && rv_store_why(st) != NULL &&
		    (rc == RV_ECORRUPT || rc == RV_EBUSY))
			snprintf(open_why, sizeof(open_why), "%s", st->why);
		if (rc == RV_ECORRUPT && open_why[0] == '\0')
			snprintf(open_why, sizeof(open_why), "unreadable");
		rv_store_close(st);
	} else {
		*out = st;
	}
	return rc;
}

void
rv_store_close(struct rv_store *st)
{
	if (!st)
		return;
	rv_store_env_close(st);
	if (st->lock_fd >= 0) {
		if (ftruncate(st->lock_fd, 0) != 0) {
			/* only a stale pid left in the file */
		}
		close(st->lock_fd);	/* releases the flock */
	}
	rv_seg_close_all(st);
	pthread_rwlock_destroy(&st->gen);
	pthread_mutex_destroy(&st->seg_mu);
	pthread_mutex_destroy(&st->why_mu);
	free(st->path);
	free(st);
}

/* Adopt the map size another process grew to (the map moves). */
static int
remap(struct rv_store *st)
{
	int rc;

	atomic_store(&st->map_len, 0);
	RV_GUARD(st, rc, mdb_env_set_mapsize(st->env, 0));
	return rc;
}

static int
lm_begin(struct rv_store *st, unsigned flags, MDB_txn **t)
{
	int rc;

	RV_GUARD(st, rc, mdb_txn_begin(st->env, NULL, flags, t));
	return rc;
}

/* Begin a transaction; adopt the map size another process grew to, and
 * (a reader) the compacted file that replaced data.mdb. The transaction
 * holds st->gen for reading until rv_txn_commit or rv_txn_abort. */
static int
txn_begin(struct rv_store *st, unsigned flags, struct rv_txn **txn)
{
	MDB_txn *t = NULL;
	int rc, remapped = 0;

	*txn = NULL;
	if (st->flags & RV_STORE_RDONLY)
		rv_store_adopt_check(st);
	pthread_rwlock_rdlock(&st->gen);
	if (atomic_load(&st->no_env)) {	/* a failed adoption */
		pthread_rwlock_unlock(&st->gen);
		return RV_EIO;
	}
	rc = lm_begin(st, flags, &t);
	if (rc == MDB_MAP_RESIZED && (rc = remap(st)) == 0) {
		remapped = 1;
		rc = lm_begin(st, flags, &t);
	}
	if (rc) {
		pthread_rwlock_unlock(&st->gen);
		return rv_store_rc(st, rc);
	}
	/* The pages of this transaction are all inside the file. */
	if ((rc = rv_store_check_size(st)) != RV_OK) {
		mdb_txn_abort(t);
		pthread_rwlock_unlock(&st->gen);
		return rc;
	}
	if (remapped)
		locate_in(st, t);
	*txn = rv_txn_of(t);
	return RV_OK;
}

int
rv_store_read_begin(struct rv_store *st, struct rv_txn **txn)
{
	return txn_begin(st, MDB_RDONLY, txn);
}

int
rv_store_write_begin(struct rv_store *st, struct rv_txn **txn)
{
	if (st->flags & RV_STORE_RDONLY)
		return RV_ESTATE;
	st->map_full = 0;
	return txn_begin(st, 0, txn);
}

int
rv_store_copy(struct rv_store *st, const char *dir, int compact)
{
	char path[4200];
	int rc, fd;

	/* LMDB's copy runs in a read transaction of its own: a consistent
	 * snapshot however long it takes, the writer never waits. */
	RV_GUARD(st, rc, mdb_env_copy2(st->env, dir, compact ?
	    MDB_CP_COMPACT : 0));
	if (rc != 0)
		return rv_store_rc(st, rc);
	/* mdb_env_copy2 does not fsync what it wrote. */
	if ((size_t)snprintf(path, sizeof(path), "%s/data.mdb", dir) >=
	    sizeof(path))
		return RV_ETOOBIG;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return RV_EIO;
	/* The live file's mode, not LMDB's 0644 for copies: what
	 * resolvers saw is not for every local user. */
	rc = fchmod(fd, 0660) == 0 && fsync(fd) == 0 ? RV_OK :
	    errno == ENOSPC ? RV_ENOSPC : RV_EIO;
	close(fd);
	return rc;
}

size_t
rv_store_mapsize(const struct rv_store *cst)
{
	struct rv_store *st = (struct rv_store *)(uintptr_t)cst;
	MDB_envinfo info;
	int rc;

	RV_GUARD(st, rc, mdb_env_info(st->env, &info));
	return rc != 0 ? 0 : info.me_mapsize;
}

int
rv_store_grow(struct rv_store *st)
{
	size_t cur = rv_store_mapsize(st), step;
	int rc;

	if (atomic_load(&st->unusable))
		return RV_ECORRUPT;
	step = cur < 256 * MIB ? 256 * MIB : cur > 8 * GIB ? 8 * GIB : cur;
	atomic_store(&st->map_len, 0);	/* the map moves */
	RV_GUARD(st, rc, mdb_env_set_mapsize(st->env, cur + step));
	rc = rv_store_rc(st, rc);
	rv_store_locate_map(st);
	return rc;
}

int
rv_store_disk_free(const struct rv_store *st, uint64_t *bytes)
{
	struct statvfs sv;

	if (statvfs(st->path, &sv) != 0)
		return RV_EIO;
	*bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
	return RV_OK;
}

int
rv_store_sync(struct rv_store *st)
{
	if (atomic_load(&st->unusable))
		return RV_ECORRUPT;
	return rv_store_err(mdb_env_sync(st->env, 1));
}

/* The scan's loop, under one guard for the whole scan: armed around each
 * LMDB call, not around the callback (a fault there is the caller's, and
 * crashes as it always did). One sigsetjmp per scan, not per row. */
static int
scan_loop(struct rv_store *st, MDB_cursor *mc, const struct rv_key *lo,
    const struct rv_key *hi, rv_scan_fn fn, void *arg)
{
	struct rv_guard g;
	struct rv_span span;
	MDB_val k, v;
	struct rv_val rk, rv;
	int mrc, rc;

	if (atomic_load_explicit(&st->unusable, memory_order_relaxed))
		return RV_ECORRUPT;
	if (sigsetjmp(g.jb, 0) != 0)
		return rv_store_rc(st, rv_guard_fault(st, &g));
	g.abrt = 0;
	rv_span_load(st, &span);
	k.mv_size = lo->len;
	k.mv_data = (void *)(uintptr_t)lo->buf;
	g.prev = rv_guard_cur;
	rv_guard_cur = &g;
	atomic_signal_fence(memory_order_seq_cst);
	mrc = mdb_cursor_get(mc, &k, &v, lo->len ? MDB_SET_RANGE : MDB_FIRST);
	atomic_signal_fence(memory_order_seq_cst);
	rv_guard_cur = g.prev;
	rc = RV_OK;
	while (mrc == 0) {
		size_t n;
		if (!rv_span_in(st, &span, &k) || !rv_span_in(st, &span, &v)) {
			rc = RV_ECORRUPT;
			break;
		}
		n = k.mv_size < hi->len ? k.mv_size : hi->len;
		if (memcmp(k.mv_data, hi->buf, n) > 0)
			break;
		rk = rv_val_of(&k);
		rv = rv_val_of(&v);
		if ((rc = fn(&rk, &rv, arg)) != RV_OK)
			break;
		if (atomic_load_explicit(&st->unusable, memory_order_relaxed))
			return RV_ECORRUPT;	/* the callback's reads faulted */
		g.prev = rv_guard_cur;
		rv_guard_cur = &g;
		atomic_signal_fence(memory_order_seq_cst);
		mrc = mdb_cursor_get(mc, &k, &v, MDB_NEXT);
		atomic_signal_fence(memory_order_seq_cst);
		rv_guard_cur = g.prev;
	}
	if (rc == RV_ENOENT)
		rc = RV_OK;
	else if (rc == RV_OK && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = rv_store_rc(st, mrc);
	return rc;
}

/* rv_store_scan through a cursor over both tiers. */
static int
scan_tiers(struct rv_cursor *c, const struct rv_key *lo,
    const struct rv_key *hi, rv_scan_fn fn, void *arg)
{
	struct rv_val k = rv_key_val(lo), v;
	int rc;

	for (rc = rv_cursor_get(c, &k, &v, lo->len ? RV_SET_RANGE : RV_FIRST);
	    rc == RV_OK; rc = rv_cursor_get(c, &k, &v, RV_NEXT)) {
		size_t n = k.len < hi->len ? k.len : hi->len;

		if (memcmp(k.data, hi->buf, n) > 0)
			break;
		if ((rc = fn(&k, &v, arg)) != RV_OK)
			break;
	}
	return rc == RV_ENOENT ? RV_OK : rc;
}

int
rv_store_scan_cursor(struct rv_cursor *c, const struct rv_key *lo,
    const struct rv_key *hi, rv_scan_fn fn, void *arg)
{
	return scan_tiers(c, lo, hi, fn, arg);
}

int
rv_cursor_tiered(const struct rv_cursor *c)
{
	return c->tier != NULL;
}

int
rv_store_scan(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    const struct rv_key *lo, const struct rv_key *hi, rv_scan_fn fn,
    void *arg)
{
	MDB_cursor *mc = NULL;
	int rc;

	if (st->absent[db])
		return RV_OK;	/* an optional database: no rows */
	if (rv_seg_merging(st, db)) {
		struct rv_cursor *c;

		if ((rc = rv_cursor_open(st, txn, db, &c)) != RV_OK)
			return rc;
		if (c->tier != NULL) {
			rc = scan_tiers(c, lo, hi, fn, arg);
			rv_cursor_close(c);
			return rc;
		}
		rv_cursor_close(c);	/* no segments: LMDB alone */
	}
	RV_GUARD(st, rc, mdb_cursor_open(lm_txn(txn), st->dbi[db], &mc));
	if (rc != 0)
		return rv_store_rc(st, rc);
	rc = scan_loop(st, mc, lo, hi, fn, arg);
	mdb_cursor_close(mc);
	return rc;
}

/* --- ip periods ----------------------------------------------------------- */

int
rv_store_ipinfo_at(struct rv_store *st, struct rv_txn *txn,
    const struct rv_ip *ip, uint32_t t, struct rv_ipinfo *out)
{
	struct rv_cursor *cur = NULL;
	int rc;

	if ((rc = rv_cursor_open(st, txn, RV_DB_IP, &cur)) != RV_OK)
		return rc;
	rc = rv_store_ipinfo_at_cursor(cur, ip, t, out);
	rv_cursor_close(cur);
	return rc;
}

int
rv_store_ipinfo_find(struct rv_cursor *cur, const struct rv_ip *ip,
    uint32_t t, uint32_t *since, struct rv_val *val)
{
	struct rv_key pre, key;
	struct rv_val k, v;
	struct rv_ip kip;
	int rc;

	if ((rc = rv_key_ip_prefix(&pre, ip)) != RV_OK)
		return rc;
	/* Largest since <= t: position after (ip, t), step back. */
	if (t == UINT32_MAX) {
		key = pre;
		memset(key.buf + key.len, 0xFF, 5);
		key.len += 5;
	} else {
		rv_key_ip(&key, ip, t + 1);
	}
	k = rv_key_val(&key);
	rc = rv_cursor_get(cur, &k, &v, RV_SET_RANGE);
	if (rc == RV_OK)
		rc = rv_cursor_get(cur, &k, &v, RV_PREV);
	else if (rc == RV_ENOENT)
		rc = rv_cursor_get(cur, &k, &v, RV_LAST);
	if (rc != RV_OK && rc != RV_ENOENT)
		return rc;
	if (rc != RV_OK || !rv_key_has_prefix(&k, &pre) || k.len != pre.len + 4) {
		/* t is before every period: take the first one. */
		k = rv_key_val(&pre);
		rc = rv_cursor_get(cur, &k, &v, RV_SET_RANGE);
		if (rc != RV_OK || !rv_key_has_prefix(&k, &pre))
			return rc != RV_OK && rc != RV_ENOENT ? rc : RV_ENOENT;
	}
	if ((rc = rv_ip_key_decode(k.data, k.len, &kip, since))) {
		rv_store_damage(cur->st, "an ip key that does not decode");
		return rc;
	}
	*val = v;
	return RV_OK;
}

int
rv_store_ipinfo_at_cursor(struct rv_cursor *cur, const struct rv_ip *ip,
    uint32_t t, struct rv_ipinfo *out)
{
	struct rv_val v;
	uint32_t since;
	int rc;

	if ((rc = rv_store_ipinfo_find(cur, ip, t, &since, &v)) != RV_OK)
		return rc;
	memset(out, 0, sizeof(*out));
	out->since = since;
	if ((rc = rv_ipinfo_decode(v.data, v.len, out)) == RV_ECORRUPT)
		rv_store_damage(cur->st, "an ip row that does not decode");
	return rc;
}
