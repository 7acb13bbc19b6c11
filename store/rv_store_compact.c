/**
 * \file rv_store_compact.c
 * Online compaction of data.mdb, and readers adopting the compacted file.
 *
 * LMDB never gives pages back to the file system: a bulk load leaves the
 * file up to twice its pages in use (bench/storage/RESULTS.md). The writer
 * writes a compacted copy (mdb_env_copy2 with MDB_CP_COMPACT: the pages in
 * use, renumbered) beside the database and renames it over data.mdb. The
 * copy must be exactly the last committed transaction, so the caller
 * commits nothing meanwhile (rearviewd's flusher runs it between two
 * flushes; receiving goes on into memory).
 *
 * The one trick: lock.mdb stays. It holds the id of the last committed
 * transaction, T, which every process that has the file open shares, and
 * a reader takes meta page T % 2 of whatever data.mdb it has mapped. LMDB's
 * compacted copy calls itself transaction 1; here both its meta pages are
 * rewritten as transactions T and T - 1 (the same tree), so a process that
 * opens the new file with the old lock.mdb, or the old file, reads a whole
 * tree either way, and the writer's next transaction, T + 1, follows on.
 * A reader that still has the old file mapped reads a snapshot of it (at
 * most the last committed before the swap; nothing writes it any more);
 * before each transaction it compares the inode of data.mdb with its own
 * and, when they differ and it holds no transaction, opens the new one.
 * Reader slots of the old file's readers stay in lock.mdb's table; they
 * only hold back the reuse of pages freed after their transaction, which
 * costs nothing in a file whose free list starts empty.
 *
 * kill -9 at any step: before the rename the database is untouched (the
 * next writer's open deletes DB/compact.tmp); after it the new file is
 * whole and its meta pages agree with lock.mdb.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rv_err.h"
#include "store_lmdb.h"
#include "store_seg.h"

/* The MDB_meta after the meta page's 16-octet header (store_lmdb.h). */
#define META_BODY	META_OFF_MAGIC

static int
path_of(const struct rv_store *st, const char *name, char *out, size_t cap)
{
	return (size_t)snprintf(out, cap, "%s/%s", st->path, name) >= cap ?
	    RV_ETOOBIG : RV_OK;
}

void
rv_store_compact_leftover(struct rv_store *st)
{
	char dir[4200], file[4300];

	if (path_of(st, "compact.tmp", dir, sizeof(dir)) != RV_OK)
		return;
	snprintf(file, sizeof(file), "%s/data.mdb", dir);
	(void)unlink(file);	/* the only file mdb_env_copy2 writes */
	(void)rmdir(dir);
}

/* The copy's meta pages as transactions txnid (page txnid % 2) and
 * txnid - 1, both naming the tree LMDB's copy wrote into page 1. */
static int
renumber_metas(const char *file, unsigned psize, uint64_t txnid)
{
	uint8_t b[META_LEN];
	uint32_t magic;
	uint64_t id;
	int fd, rc = RV_EIO;

	if ((fd = open(file, O_RDWR | O_CLOEXEC)) < 0)
		return RV_EIO;
	if (pread(fd, b, sizeof(b), psize) != (ssize_t)sizeof(b))
		goto leave;
	memcpy(&magic, b + META_BODY, 4);
	memcpy(&id, b + META_OFF_TXNID, 8);
	if (magic != META_MAGIC || id != 1) {
		rc = RV_ECORRUPT;	/* not the copy LMDB 0.9 writes */
		goto leave;
	}
	for (uint64_t t = txnid - 1; t <= txnid; t++) {
		memcpy(b + META_OFF_TXNID, &t, 8);
		if (pwrite(fd, b + META_BODY, META_LEN - META_BODY,
		    (off_t)((t & 1) * psize + META_BODY)) !=
		    META_LEN - META_BODY)
			goto leave;
	}
	rc = fsync(fd) == 0 ? RV_OK : errno == ENOSPC ? RV_ENOSPC : RV_EIO;
leave:
	close(fd);
	return rc;
}

static uint64_t
file_size(const char *file)
{
	struct stat sb;

	return stat(file, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The id of the last committed transaction. */
static int
last_txnid(struct rv_store *st, uint64_t *id)
{
	MDB_envinfo info;
	int rc;

	RV_GUARD(st, rc, mdb_env_info(st->env, &info));
	if (rc != 0)
		return rv_store_rc(st, rc);
	*id = (uint64_t)info.me_last_txnid;
	return RV_OK;
}

int
rv_store_compact(struct rv_store *st, struct rv_compact_result *res)
{
	char dir[4200], tmp[4300], live[4200];
	uint64_t before, after;
	size_t mapsize;
	int64_t t0 = now_ms();
	int rc;

	memset(res, 0, sizeof(*res));
	if ((st->flags & RV_STORE_RDONLY) || st->lock_fd < 0)
		return RV_ESTATE;
	if ((rc = path_of(st, "compact.tmp", dir, sizeof(dir))) != RV_OK ||
	    (rc = path_of(st, "data.mdb", live, sizeof(live))) != RV_OK)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s/data.mdb", dir);
	res->before = file_size(live);
	rv_store_compact_leftover(st);
	if (mkdir(dir, 0750) != 0)
		return errno == ENOSPC ? RV_ENOSPC : RV_EIO;
	if ((rc = last_txnid(st, &before)) != RV_OK ||
	    (rc = rv_store_copy(st, dir, 1)) != RV_OK ||
	    (rc = last_txnid(st, &after)) != RV_OK)
		goto leave;
	if (after != before || after < 1) {
		rc = RV_ESTATE;	/* a commit during the copy: not this one */
		goto leave;
	}
	res->after = file_size(tmp);
	if ((rc = renumber_metas(tmp, st->psize, after)) != RV_OK)
		goto leave;
	res->copy_ms = now_ms() - t0;

	/* The swap: no transaction of this process is open across it. */
	mapsize = rv_store_mapsize(st);
	pthread_rwlock_wrlock(&st->gen);
	if (rename(tmp, live) != 0) {
		rc = errno == ENOSPC ? RV_ENOSPC : RV_EIO;
		pthread_rwlock_unlock(&st->gen);
		goto leave;
	}
	res->swapped = 1;
	(void)rv_seg_fsync(st->path, 1);
	rv_store_env_close(st);
	rc = rv_store_env_setup(st, mapsize);
	if (rc != RV_OK) {
		rv_store_env_close(st);
		atomic_store(&st->no_env, 1);
	}
	pthread_rwlock_unlock(&st->gen);
leave:
	rv_store_compact_leftover(st);
	res->ms = now_ms() - t0;
	return rc;
}

void
rv_store_adopt_check(struct rv_store *st)
{
	char live[4200];
	struct stat sb;
	int rc;

	if (!atomic_load(&st->no_env) &&
	    (path_of(st, "data.mdb", live, sizeof(live)) != RV_OK ||
	    stat(live, &sb) != 0 ||
	    ((uint64_t)sb.st_ino == atomic_load(&st->ino) &&
	    (uint64_t)sb.st_dev == atomic_load(&st->dev))))
		return;
	/* Only with no transaction open (another thread's, or this
	 * thread's own): else the next transaction tries again. */
	if (pthread_rwlock_trywrlock(&st->gen) != 0)
		return;
	rv_store_env_close(st);
	rc = rv_store_env_setup(st, 0);
	if (rc != RV_OK)
		rv_store_env_close(st);
	atomic_store(&st->no_env, rc != RV_OK);
	pthread_rwlock_unlock(&st->gen);
}
