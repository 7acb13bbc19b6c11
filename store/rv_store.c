/**
 * \file rv_store.c
 * The LMDB environment: open/close, named databases, transactions, map
 * growth, error translation and range scans.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <time.h>

#include "rv_err.h"
#include "rv_be.h"
#include "store_lmdb.h"

#define MIB ((size_t)1 << 20)
#define GIB ((size_t)1 << 30)

struct rv_store {
	MDB_env *env;
	char *path;
	MDB_dbi dbi[RV_DB_COUNT];
	unsigned flags;
	int map_full;		/**< the last write failed with MDB_MAP_FULL */
};

static const char *const db_names[RV_DB_COUNT] = {
	"rrset", "neg", "rdata", "names", "ip", "asn", "meta",
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

int
rv_store_wrote(struct rv_store *st, int mdb_rc)
{
	if (mdb_rc == MDB_MAP_FULL)
		st->map_full = 1;
	return rv_store_err(mdb_rc);
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

/* Open (and for writers create) the named dbs and check the schema. */
static int
open_dbs(struct rv_store *st)
{
	int rdonly = st->flags & RV_STORE_RDONLY;
	MDB_txn *txn = NULL;
	MDB_val k = { sizeof(schema_key) - 1, (void *)schema_key }, v;
	uint8_t ver[4];
	int rc;

	if ((rc = mdb_txn_begin(st->env, NULL, rdonly ? MDB_RDONLY : 0, &txn))) {
		rc = rv_store_err(rc);
		goto leave;
	}
	for (int i = 0; i < RV_DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, db_names[i], rdonly ? 0 : MDB_CREATE,
		    &st->dbi[i]);
		if (rc) {
			rc = rv_store_err(rc);
			goto leave;
		}
	}
	rc = mdb_get(txn, st->dbi[RV_DB_META], &k, &v);
	if (rc == MDB_NOTFOUND && !rdonly) {
		rv_put32(ver, RV_SCHEMA_VERSION);
		v.mv_size = 4;
		v.mv_data = ver;
		rc = mdb_put(txn, st->dbi[RV_DB_META], &k, &v, 0);
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
		rc = rv_store_err(rc);
		goto leave;
	}
	rc = rv_store_err(mdb_txn_commit(txn));
	txn = NULL;
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

int
rv_store_open(const char *path, unsigned flags, size_t mapsize,
    struct rv_store **out)
{
	struct rv_store *st = NULL;
	char file[4096];
	struct stat sb;
	unsigned mflags = MDB_NOTLS;
	int rc = RV_OK;

	*out = NULL;
	if (!(st = calloc(1, sizeof(*st)))) {
		rc = RV_ENOMEM;
		goto leave;
	}
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
		mflags |= MDB_RDONLY;
	} else {
		if ((flags & RV_STORE_CREATE) && mkdir(path, 0750) != 0 &&
		    errno != EEXIST) {
			rc = RV_EIO;
			goto leave;
		}
		if (!(flags & RV_STORE_SYNC))
			mflags |= MDB_NOSYNC;
		/* Pages are written whole by us; no need to zero them first. */
		mflags |= MDB_NOMEMINIT;
	}
	if ((rc = mdb_env_create(&st->env)) ||
	    (rc = mdb_env_set_maxdbs(st->env, RV_DB_COUNT + 1)) ||
	    (!(flags & RV_STORE_RDONLY) &&
	    (rc = mdb_env_set_mapsize(st->env, mapsize ? mapsize : GIB))) ||
	    (rc = mdb_env_open(st->env, path, mflags, 0660))) {
		int e = rc;
		rc = rv_store_err(rc);
		errno = e > 0 ? e : errno;
		goto leave;
	}
	if (!(flags & RV_STORE_RDONLY))
		writer_only_data(st);
	rc = open_dbs(st);
leave:
	if (rc != RV_OK)
		rv_store_close(st);
	else
		*out = st;
	return rc;
}

void
rv_store_close(struct rv_store *st)
{
	if (!st)
		return;
	if (st->env) {
		if (!(st->flags & RV_STORE_RDONLY))
			mdb_env_sync(st->env, 1);
		mdb_env_close(st->env);
	}
	free(st->path);
	free(st);
}

/* Begin a transaction; adopt the map size another process grew to. */
static int
txn_begin(struct rv_store *st, unsigned flags, struct rv_txn **txn)
{
	MDB_txn *t = NULL;
	int rc = mdb_txn_begin(st->env, NULL, flags, &t);

	if (rc == MDB_MAP_RESIZED) {
		if ((rc = mdb_env_set_mapsize(st->env, 0)) == 0)
			rc = mdb_txn_begin(st->env, NULL, flags, &t);
	}
	*txn = rc ? NULL : rv_txn_of(t);
	return rv_store_err(rc);
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

size_t
rv_store_mapsize(const struct rv_store *st)
{
	MDB_envinfo info;

	if (mdb_env_info(st->env, &info) != 0)
		return 0;
	return info.me_mapsize;
}

int
rv_store_grow(struct rv_store *st)
{
	size_t cur = rv_store_mapsize(st), step;

	step = cur < 256 * MIB ? 256 * MIB : cur > 8 * GIB ? 8 * GIB : cur;
	return rv_store_err(mdb_env_set_mapsize(st->env, cur + step));
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
	return rv_store_err(mdb_env_sync(st->env, 1));
}

int
rv_store_scan(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    const struct rv_key *lo, const struct rv_key *hi, rv_scan_fn fn,
    void *arg)
{
	MDB_cursor *cur = NULL;
	MDB_val k = { lo->len, (void *)(uintptr_t)lo->buf }, v;
	struct rv_val rk, rv;
	int mrc, rc = RV_OK;

	if ((mrc = mdb_cursor_open(lm_txn(txn), st->dbi[db], &cur))) {
		rc = rv_store_err(mrc);
		goto leave;
	}
	mrc = mdb_cursor_get(cur, &k, &v, lo->len ? MDB_SET_RANGE : MDB_FIRST);
	while (mrc == 0) {
		size_t n = k.mv_size < hi->len ? k.mv_size : hi->len;
		if (memcmp(k.mv_data, hi->buf, n) > 0)
			break;
		rk = rv_val_of(&k);
		rv = rv_val_of(&v);
		if ((rc = fn(&rk, &rv, arg)) != RV_OK)
			break;
		mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	if (rc == RV_ENOENT)
		rc = RV_OK;
	else if (rc == RV_OK && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = rv_store_err(mrc);
leave:
	if (cur)
		mdb_cursor_close(cur);
	return rc;
}

/* --- ip periods ----------------------------------------------------------- */

int
rv_store_ipinfo_at(struct rv_store *st, struct rv_txn *txn,
    const struct rv_ip *ip, uint32_t t, struct rv_ipinfo *out)
{
	struct rv_cursor cur = { NULL, st };
	int rc;

	if ((rc = mdb_cursor_open(lm_txn(txn), st->dbi[RV_DB_IP], &cur.mc)))
		return rv_store_err(rc);
	rc = rv_store_ipinfo_at_cursor(&cur, ip, t, out);
	mdb_cursor_close(cur.mc);
	return rc;
}

int
rv_store_ipinfo_find(struct rv_cursor *rc_cur, const struct rv_ip *ip,
    uint32_t t, uint32_t *since, struct rv_val *val)
{
	MDB_cursor *cur = rc_cur->mc;
	struct rv_key pre, key;
	struct rv_val rk;
	MDB_val k, v;
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
	rk = rv_key_val(&key);
	k = lm_val(&rk);
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	if (rc == 0)
		rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
	else if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rv_store_err(rc);
	rk = rv_val_of(&k);
	if (rc != 0 || !rv_key_has_prefix(&rk, &pre) || k.mv_size != pre.len + 4) {
		/* t is before every period: take the first one. */
		rk = rv_key_val(&pre);
		k = lm_val(&rk);
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		rk = rv_val_of(&k);
		if (rc != 0 || !rv_key_has_prefix(&rk, &pre))
			return rc && rc != MDB_NOTFOUND ? rv_store_err(rc) :
			    RV_ENOENT;
	}
	if ((rc = rv_ip_key_decode(k.mv_data, k.mv_size, &kip, since)))
		return rc;
	*val = rv_val_of(&v);
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
	return rv_ipinfo_decode(v.data, v.len, out);
}
