/**
 * \file rv_archive.c
 * Moving what stopped changing from LMDB into a segment (the archive
 * job, rv_archive_job_new; docs/ARCHIVE.md "Tiering").
 *
 * 1. Select: rows whose last sighting is before the cutoff, read in short
 *    read transactions, written in key order into DB/archive/NAME.tmp,
 *    which is fsynced and renamed. Nobody reads a file the meta database
 *    does not list; one left by a killed run is deleted by the next.
 * 2. Register: one write transaction lists the segment (`seg:NAME`) and
 *    marks it pending (`seg_pending`, nothing removed yet). From then on
 *    readers merge it, but LMDB's row wins where LMDB still has one.
 * 3. Remove: batches of rows, each in one write transaction that also
 *    moves the pending mark past its last key. A row unchanged since step
 *    1 is deleted; one seen again is rewritten as what it holds beyond the
 *    archived copy (rv_seg_val_less), so that the merge of both is whole.
 * 4. The last transaction deletes the pending mark.
 * A kill at any point leaves a store every reader answers rightly from;
 * the next run finishes step 3 before it archives again.
 *
 * Test knobs (tests/e2e/archive.sh): RV_ARCHIVE_KILL_AT=written,
 * registered or batch kills the process (SIGKILL) right after that step
 * (batch: after the first removal batch; rv_seg_test_kill);
 * RV_ARCHIVE_BATCH=N makes the removal batches N rows.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mtbl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rv_be.h"
#include "rv_err.h"
#include "store_lmdb.h"
#include "store_seg.h"

#define SELECT_SLICE 65536	/* rows per read transaction */
#define REMOVE_BATCH 20000	/* rows per write transaction */

/* The archivable databases in tag order (A D F N R). */
static const enum rv_db order[] = {
	RV_DB_ASN, RV_DB_RDATA, RV_DB_NAMES, RV_DB_NEG, RV_DB_RRSET,
};
#define NORDER (sizeof(order) / sizeof(order[0]))

static int
archive_dir(const struct rv_store *st, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%s/archive", st->path);

	return n < 0 || (size_t)n >= cap ? RV_ETOOBIG : RV_OK;
}

/* --- 1. select ---------------------------------------------------------- */

struct sel {
	struct mtbl_writer *w;
	uint32_t cutoff;
	struct rv_archive_result *res;
	uint32_t first, last;
	uint8_t buf[RV_KEY_MAX + 1];
	uint8_t *val;
	size_t vcap;
};

static int
sel_row(struct sel *s, enum rv_db db, const struct rv_val *k,
    const struct rv_val *v)
{
	uint32_t first, last;
	size_t len;
	int rc;

	if ((rc = rv_seg_val_last(db, v, &first, &last)) != RV_OK)
		return rc;
	if (last >= s->cutoff)
		return RV_OK;
	if (v->len + 5 > s->vcap) {
		uint8_t *n = realloc(s->val, v->len + 5);

		if (n == NULL)
			return RV_ENOMEM;
		s->val = n;
		s->vcap = v->len + 5;
	}
	if ((rc = rv_seg_val_pack(db, v->data, v->len, s->val, s->vcap,
	    &len)) != RV_OK)
		return rc;
	s->buf[0] = rv_seg_tag(db);
	memcpy(s->buf + 1, k->data, k->len);
	if (mtbl_writer_add(s->w, s->buf, k->len + 1, s->val, len) !=
	    mtbl_res_success)
		return RV_EIO;
	if (s->res->rows == 0 || first < s->first)
		s->first = first;
	if (s->res->rows == 0 || last > s->last)
		s->last = last;
	s->res->rows++;
	s->res->rows_db[db]++;
	return RV_OK;
}

/* One read transaction of at most \p max rows of database \p db from
 * after the key \p at (atlen 0: from the first); \p at then holds the
 * last key read. *end: the database has no more rows. */
static int
sel_slice(struct rv_store *st, struct sel *s, enum rv_db db, uint8_t *at,
    size_t *atlen, unsigned max, int *end)
{
	struct rv_txn *txn = NULL;
	struct rv_cursor *c = NULL;
	struct rv_val k = { *atlen, at }, v;
	unsigned n = 0;
	int rc;

	*end = 0;
	if ((rc = rv_store_read_begin(st, &txn)) != RV_OK)
		return rc;
	if ((rc = rv_cursor_open(st, txn, db, &c)) != RV_OK) {
		rv_txn_abort(txn);
		return rc;
	}
	rc = rv_cursor_get(c, &k, &v, *atlen ? RV_SET_RANGE : RV_FIRST);
	if (rc == RV_OK && *atlen && k.len == *atlen &&
	    memcmp(k.data, at, *atlen) == 0)
		rc = rv_cursor_get(c, &k, &v, RV_NEXT);
	for (; rc == RV_OK; rc = rv_cursor_get(c, &k, &v, RV_NEXT)) {
		if ((rc = sel_row(s, db, &k, &v)) != RV_OK)
			break;
		if (++n == max) {
			memcpy(at, k.data, k.len);
			*atlen = k.len;
			break;
		}
	}
	*end = rc == RV_ENOENT;
	rv_cursor_close(c);
	rv_txn_abort(txn);
	return rc == RV_ENOENT ? RV_OK : rc;
}

/* --- 2. register ------------------------------------------------------------ */

static int
put_pending(struct rv_store *st, struct rv_txn *txn, const char *name,
    const uint8_t *done, size_t dlen)
{
	uint8_t v[RV_SEG_NAME_MAX + RV_KEY_MAX + 2];
	struct rv_val k = { sizeof(RV_SEG_PENDING_KEY) - 1,
	    RV_SEG_PENDING_KEY }, vv;
	size_t nl = strlen(name) + 1;

	memcpy(v, name, nl);
	if (dlen > 0)
		memcpy(v + nl, done, dlen);
	vv.data = v;
	vv.len = nl + dlen;
	return rv_put(st, txn, RV_DB_META, &k, &vv, 0);
}

struct reg {
	const struct rv_seg_meta *m;
	uint64_t seq;
};

static int
reg_fn(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	struct reg *r = arg;
	int rc;

	if ((rc = rv_seg_put(st, txn, r->m, r->seq)) != RV_OK)
		return rc;
	return put_pending(st, txn, r->m->name, NULL, 0);
}

/* --- 3. remove ---------------------------------------------------------------- */

static size_t
batch_rows(void)
{
	const char *e = getenv("RV_ARCHIVE_BATCH");
	long n = e != NULL ? strtol(e, NULL, 10) : 0;

	return n > 0 && n < REMOVE_BATCH ? (size_t)n : REMOVE_BATCH;
}

struct batch {
	enum rv_db db;
	uint8_t tag;
	const char *name;
	size_t n;
	struct { uint8_t *k; size_t kl; uint8_t *v; size_t vl; } row[
	    REMOVE_BATCH];
	uint8_t *tmp;
	size_t tcap;
	uint64_t deleted, kept;
};

static int
remove_fn(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	struct batch *b = arg;
	uint8_t done[RV_KEY_MAX + 1];
	int rc = RV_OK;

	b->deleted = b->kept = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct rv_val k = { b->row[i].kl, b->row[i].k }, live;
		struct rv_val arch = { b->row[i].vl, b->row[i].v }, d;
		size_t len;

		rc = rv_get(st, txn, b->db, &k, &live);
		if (rc == RV_ENOENT)
			continue;
		if (rc != RV_OK)
			return rc;
		if (live.len == arch.len &&
		    memcmp(live.data, arch.data, arch.len) == 0) {
			if ((rc = rv_del(st, txn, b->db, &k)) != RV_OK)
				return rc;
			b->deleted++;
			continue;
		}
		if (live.len > b->tcap) {
			uint8_t *n = realloc(b->tmp, live.len);

			if (n == NULL)
				return RV_ENOMEM;
			b->tmp = n;
			b->tcap = live.len;
		}
		if ((rc = rv_seg_val_less(b->db, &live, &arch, b->tmp,
		    b->tcap, &len)) != RV_OK)
			return rc;
		d.data = b->tmp;
		d.len = len;
		if ((rc = rv_put(st, txn, b->db, &k, &d, 0)) != RV_OK)
			return rc;
		b->kept++;
	}
	if (b->n == 0)
		return RV_OK;
	done[0] = b->tag;
	memcpy(done + 1, b->row[b->n - 1].k, b->row[b->n - 1].kl);
	return put_pending(st, txn, b->name, done,
	    b->row[b->n - 1].kl + 1);
}

static void
batch_clear(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->row[i].k);
		free(b->row[i].v);
	}
	b->n = 0;
}

/* Copy one segment row (unpacked to the live encoding) into the batch. */
static int
batch_add(struct batch *b, const uint8_t *k, size_t kl, const uint8_t *v,
    size_t vl)
{
	size_t cap = vl + 20, len;
	uint8_t *kc = malloc(kl ? kl : 1), *vc = malloc(cap);

	if (kc == NULL || vc == NULL) {
		free(kc);
		free(vc);
		return RV_ENOMEM;
	}
	if (rv_seg_val_unpack(b->db, v, vl, vc, cap, &len) != RV_OK) {
		free(kc);
		free(vc);
		return RV_ECORRUPT;
	}
	memcpy(kc, k, kl);
	b->row[b->n].k = kc;
	b->row[b->n].kl = kl;
	b->row[b->n].v = vc;
	b->row[b->n].vl = len;
	b->n++;
	return RV_OK;
}

static int
clear_pending(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	struct rv_val k = { sizeof(RV_SEG_PENDING_KEY) - 1,
	    RV_SEG_PENDING_KEY };
	int rc = rv_del(st, txn, RV_DB_META, &k);

	(void)arg;
	return rc == RV_ENOENT ? RV_OK : rc;
}

/* One removal batch of the pending segment \p p, from its progress mark:
 * at most \p max rows in one write transaction. *done: nothing was left,
 * and the pending mark is gone. \p seg: the segment, opened once. */
static int
remove_step(struct rv_store *st, const struct rv_seg_pending *p,
    struct rv_seg *seg, struct batch *b, size_t max,
    struct rv_archive_result *res, int *done)
{
	int rc = RV_OK, wrc;

	*done = 0;
	b->name = p->name;
	for (size_t i = 0; i < NORDER && b->n == 0 && rc == RV_OK; i++) {
		uint8_t tag = rv_seg_tag(order[i]);
		const uint8_t *from = NULL, *k, *v;
		size_t flen = 0, kl, vl;
		struct rv_seg_it *it = NULL;

		if (p->done_len > 0 && p->done[0] > tag)
			continue;	/* this database is done */
		if (p->done_len > 0 && p->done[0] == tag) {
			from = p->done + 1;
			flen = p->done_len - 1;
		}
		b->db = order[i];
		b->tag = tag;
		if ((rc = rv_seg_it_open(st, seg, tag, from, flen, &it)))
			break;
		while (b->n < max &&
		    (rc = rv_seg_it_next(it, &k, &kl, &v, &vl)) == RV_OK) {
			if (from != NULL && kl == flen &&
			    memcmp(k, from, kl) == 0)
				continue;	/* done already */
			if ((rc = batch_add(b, k, kl, v, vl)) != RV_OK)
				break;
		}
		rv_seg_it_close(it);
		if (rc == RV_ENOENT)
			rc = RV_OK;
	}
	if (rc != RV_OK) {
		batch_clear(b);
		return rc;
	}
	if (b->n == 0) {
		/* All removed: the segment is merged like any other. */
		if ((rc = rv_store_write(st, clear_pending, NULL, NULL)) ==
		    RV_OK && (rc = rv_store_sync(st)) == RV_OK)
			rc = rv_store_release_freed(st);
		*done = rc == RV_OK;
		return rc;
	}
	wrc = rv_store_write(st, remove_fn, b, NULL);
	rv_seg_test_kill("batch");
	res->deleted += b->deleted;
	res->kept += b->kept;
	batch_clear(b);
	return wrc;
}

/* --- the whole run, step by step ------------------------------------------ */

/* Delete files of archive/ that no `seg:` row lists (killed runs). */
static int
sweep(struct rv_store *st)
{
	char dir[4096], path[4096 + 256];
	struct rv_txn *txn = NULL;
	struct dirent *de;
	DIR *d;
	int rc;

	if (archive_dir(st, dir, sizeof(dir)) != RV_OK)
		return RV_ETOOBIG;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? RV_OK : RV_EIO;
	if ((rc = rv_store_read_begin(st, &txn)) != RV_OK) {
		closedir(d);
		return rc;
	}
	while ((de = readdir(d)) != NULL) {
		uint8_t key[RV_SEG_KEY_MAX];
		struct rv_val k, v;

		if (de->d_name[0] == '.')
			continue;
		/* A name too long for a key is no segment's. */
		if (rv_seg_key(de->d_name, key, sizeof(key), &k) == RV_OK &&
		    rv_get(st, txn, RV_DB_META, &k, &v) == RV_OK)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	rv_txn_abort(txn);
	closedir(d);
	return RV_OK;
}

static int
pending_now(struct rv_store *st, struct rv_seg_pending *p)
{
	struct rv_txn *txn = NULL;
	int rc;

	if ((rc = rv_store_read_begin(st, &txn)) != RV_OK)
		return rc;
	rc = rv_seg_pending_get(st, txn, p);
	rv_txn_abort(txn);
	return rc;
}

enum phase {
	PH_RESUME,	/* a killed run's pending segment? */
	PH_START,	/* sweep, name the segment, open its writer */
	PH_SELECT,	/* read slices into the writer */
	PH_COMMIT,	/* rename, list it as pending */
	PH_REMOVE,	/* remove batches from LMDB */
	PH_RETAIN,
	PH_MERGE,
	PH_DONE
};

struct rv_archive_job {
	struct rv_store *st;
	uint32_t cutoff, retain_before;
	int merge;
	enum phase ph;
	int resuming;		/* PH_REMOVE for a killed run's segment */
	struct rv_archive_result res;
	/* select */
	struct sel sel;
	size_t dbi;
	uint8_t at[RV_KEY_MAX];
	size_t atlen;
	struct rv_seg_meta m;
	uint64_t seq;
	char final[4200], tmp[4300];
	/* remove */
	struct rv_seg_pending p;
	struct rv_seg seg;	/* the pending segment, open */
	int seg_open;
	struct batch *b;
	/* merge */
	struct rv_merge_job *mj;
};

int
rv_archive_job_new(struct rv_store *st, uint32_t cutoff,
    uint32_t retain_before, int merge, struct rv_archive_job **out)
{
	struct rv_archive_job *j;

	*out = NULL;
	if (st->flags & RV_STORE_RDONLY)
		return RV_ESTATE;
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->b = calloc(1, sizeof(*j->b))) == NULL) {
		free(j);
		return RV_ENOMEM;
	}
	j->st = st;
	j->cutoff = cutoff;
	j->retain_before = retain_before;
	j->merge = merge;
	j->ph = PH_RESUME;
	*out = j;
	return RV_OK;
}

static void
seg_drop(struct rv_archive_job *j)
{
	if (j->seg_open)
		rv_seg_close_file(&j->seg);
	memset(&j->seg, 0, sizeof(j->seg));
	j->seg_open = 0;
}

void
rv_archive_job_free(struct rv_archive_job *j)
{
	if (j == NULL)
		return;
	if (j->sel.w != NULL) {
		uint64_t b;

		(void)rv_seg_writer_close(j->sel.w, j->tmp, 0, &b);
		(void)unlink(j->tmp);
	}
	free(j->sel.val);
	seg_drop(j);
	if (j->b != NULL) {
		batch_clear(j->b);
		free(j->b->tmp);
		free(j->b);
	}
	rv_merge_free(j->mj);
	free(j);
}

const struct rv_archive_result *
rv_archive_job_result(const struct rv_archive_job *j)
{
	return &j->res;
}

static int
ph_start(struct rv_archive_job *j)
{
	char dir[4096];
	int rc;

	if ((rc = sweep(j->st)) != RV_OK ||
	    (rc = archive_dir(j->st, dir, sizeof(dir))) != RV_OK)
		return rc;
	if (mkdir(dir, 0770) != 0 && errno != EEXIST)
		return RV_EIO;
	if ((rc = rv_seg_next_seq(j->st, &j->seq)) != RV_OK)
		return rc;
	memset(&j->m, 0, sizeof(j->m));
	snprintf(j->m.name, sizeof(j->m.name), "seg-%06llu.mtbl",
	    (unsigned long long)j->seq);
	snprintf(j->final, sizeof(j->final), "%s/%s", dir, j->m.name);
	snprintf(j->tmp, sizeof(j->tmp), "%s.tmp", j->final);
	memset(&j->sel, 0, sizeof(j->sel));
	j->sel.cutoff = j->cutoff;
	j->sel.res = &j->res;
	if ((j->sel.w = rv_seg_writer_open(j->tmp)) == NULL)
		return RV_EIO;
	j->dbi = 0;
	j->atlen = 0;
	j->ph = PH_SELECT;
	return RV_OK;
}

static int
ph_select(struct rv_archive_job *j, unsigned budget)
{
	unsigned max = budget < SELECT_SLICE ? budget : SELECT_SLICE;
	int rc, end;

	rc = sel_slice(j->st, &j->sel, order[j->dbi], j->at, &j->atlen,
	    max ? max : 1, &end);
	if (rc != RV_OK)
		return rc;
	if (!end)
		return RV_OK;
	j->atlen = 0;
	if (++j->dbi < NORDER)
		return RV_OK;
	/* All read: finish the file. */
	j->m.first = j->sel.first;
	j->m.last = j->sel.last;
	j->m.rows = j->res.rows;
	j->m.rrsets = j->res.rows_db[RV_DB_RRSET];
	rc = rv_seg_writer_close(j->sel.w, j->tmp, j->res.rows > 0,
	    &j->m.bytes);
	j->sel.w = NULL;
	if (rc != RV_OK || j->res.rows == 0) {
		(void)unlink(j->tmp);
		j->ph = PH_RETAIN;
		return rc;
	}
	j->ph = PH_COMMIT;
	return RV_OK;
}

static int
ph_commit(struct rv_archive_job *j)
{
	struct reg reg = { &j->m, j->seq };
	int rc;

	if (rename(j->tmp, j->final) != 0) {
		(void)unlink(j->tmp);
		return RV_EIO;
	}
	if ((rc = rv_seg_dir_fsync(j->st)) != RV_OK)
		return rc;
	rv_seg_test_kill("written");
	if ((rc = rv_store_write(j->st, reg_fn, &reg, NULL)) != RV_OK ||
	    (rc = rv_store_sync(j->st)) != RV_OK)
		return rc;
	rv_seg_test_kill("registered");
	snprintf(j->res.segment, sizeof(j->res.segment), "%s", j->m.name);
	j->res.bytes = j->m.bytes;
	j->ph = PH_REMOVE;
	return RV_OK;
}

static int
ph_remove(struct rv_archive_job *j, unsigned budget)
{
	size_t max = batch_rows();
	char path[4200];
	int rc, done;

	if (!j->seg_open) {
		rc = pending_now(j->st, &j->p);
		if (rc == RV_ENOENT) {	/* nothing pending after all */
			j->ph = j->resuming ? PH_START : PH_RETAIN;
			j->resuming = 0;
			return RV_OK;
		}
		if (rc != RV_OK)
			return rc;
		snprintf(j->seg.m.name, sizeof(j->seg.m.name), "%s",
		    j->p.name);
		if ((rc = rv_seg_path(j->st, j->p.name, path, sizeof(path))) !=
		    RV_OK || (rc = rv_seg_open_file(j->st, &j->seg, path)) !=
		    RV_OK) {
			seg_drop(j);
			return rc;
		}
		j->seg_open = 1;
	} else if ((rc = pending_now(j->st, &j->p)) != RV_OK) {
		return rc;
	}
	if (budget < max)
		max = budget ? budget : 1;
	if ((rc = remove_step(j->st, &j->p, &j->seg, j->b, max, &j->res,
	    &done)) != RV_OK)
		return rc;
	if (done) {
		seg_drop(j);
		j->ph = j->resuming ? PH_START : PH_RETAIN;
		j->resuming = 0;
	}
	return RV_OK;
}

static int
ph_merge(struct rv_archive_job *j, unsigned budget)
{
	int rc, done;

	if (j->mj == NULL) {
		if ((rc = rv_merge_plan(j->st, &j->mj)) != RV_OK)
			return rc;
		if (j->mj == NULL)
			j->ph = PH_DONE;	/* nothing to merge */
		return RV_OK;
	}
	if ((rc = rv_merge_step(j->mj, budget, &done)) != RV_OK || !done) {
		if (rc != RV_OK) {
			rv_merge_free(j->mj);
			j->mj = NULL;
		}
		return rc;
	}
	rc = rv_merge_finish(j->mj, &j->res);
	rv_merge_free(j->mj);
	j->mj = NULL;	/* the next step plans again */
	return rc;
}

int
rv_archive_job_step(struct rv_archive_job *j, unsigned budget, int *done)
{
	int rc = RV_OK;

	switch (j->ph) {
	case PH_RESUME:
		rc = pending_now(j->st, &j->p);
		if (rc == RV_OK) {
			j->res.resumed = 1;
			j->resuming = 1;
			j->ph = PH_REMOVE;
		} else if (rc == RV_ENOENT) {
			rc = RV_OK;
			j->ph = PH_START;
		}
		break;
	case PH_START:
		rc = ph_start(j);
		break;
	case PH_SELECT:
		rc = ph_select(j, budget);
		break;
	case PH_COMMIT:
		rc = ph_commit(j);
		break;
	case PH_REMOVE:
		rc = ph_remove(j, budget);
		break;
	case PH_RETAIN:
		if (j->retain_before > 0)
			rc = rv_archive_retain(j->st, j->retain_before,
			    &j->res);
		j->ph = j->merge ? PH_MERGE : PH_DONE;
		break;
	case PH_MERGE:
		rc = ph_merge(j, budget);
		break;
	case PH_DONE:
		break;
	}
	*done = j->ph == PH_DONE;
	return rc;
}

/* --- backup: the segments a copy lists -------------------------------------- */

/* Copy a file's octets (link(2) across file systems fails). */
static int
copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = RV_EIO;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return RV_EIO;
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0)
		goto out;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			goto out;
	if (n == 0 && fsync(out) == 0)
		rc = RV_OK;
out:
	if (rc != RV_OK && errno == ENOSPC)
		rc = RV_ENOSPC;
	close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/* rv_archive_copy_segments' walk: each listed file into adir. */
struct seg_copy {
	struct rv_store *src;
	char adir[4200];
	int made;
	char *missing;
	size_t cap;
};

static int
copy_one(void *arg, const struct rv_seg_meta *m)
{
	struct seg_copy *sc = arg;
	char from[4400], to[4400];
	int rc;

	if (m == NULL)
		return RV_ECORRUPT;
	if (!sc->made && mkdir(sc->adir, 0750) != 0 && errno != EEXIST)
		return RV_EIO;
	sc->made = 1;
	snprintf(to, sizeof(to), "%s/%s", sc->adir, m->name);
	if ((rc = rv_seg_path(sc->src, m->name, from, sizeof(from))) != RV_OK)
		return rc;
	/* Segments never change: a hard link is a copy. */
	if (link(from, to) != 0 && (errno != EXDEV ||
	    (rc = copy_file(from, to)) != RV_OK)) {
		if (rc == RV_OK)
			rc = errno == ENOSPC ? RV_ENOSPC : RV_EIO;
		if (sc->cap)
			snprintf(sc->missing, sc->cap, "%s", m->name);
		return rc;
	}
	return RV_OK;
}

int
rv_archive_copy_segments(struct rv_store *src, const char *dir,
    char *missing, size_t cap)
{
	struct seg_copy sc = { .src = src, .missing = missing, .cap = cap };
	struct rv_store *cp = NULL;
	struct rv_txn *txn = NULL;
	int rc;

	if (cap)
		missing[0] = '\0';
	if ((rc = rv_store_open(dir, RV_STORE_RDONLY, 0, &cp)) != RV_OK)
		return rc;
	if ((rc = rv_store_read_begin(cp, &txn)) != RV_OK)
		goto out;
	snprintf(sc.adir, sizeof(sc.adir), "%s/archive", dir);
	rc = rv_seg_each(cp, txn, copy_one, &sc);
	if (rc == RV_OK && sc.made)
		rc = rv_seg_fsync(sc.adir, 1);
out:
	rv_txn_abort(txn);
	rv_store_close(cp);
	return rc;
}
