/**
 * \file rv_seg.c
 * Archive segments: their list in the meta database, opening them once
 * per store, and iterating them under the fault guard (store_seg.h).
 */
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

uint8_t
rv_seg_tag(enum rv_db db)
{
	switch (db) {
	case RV_DB_RRSET:
		return 'R';
	case RV_DB_NEG:
		return 'N';
	case RV_DB_RDATA:
		return 'D';
	case RV_DB_NAMES:
		return 'F';
	case RV_DB_ASN:
		return 'A';
	default:
		return 0;
	}
}

int
rv_seg_merging(const struct rv_store *st, enum rv_db db)
{
	return (st->flags & RV_STORE_RDONLY) && rv_seg_tag(db) != 0;
}

/* --- the list in meta -------------------------------------------------------- */

int
rv_seg_meta_decode(const struct rv_val *k, const struct rv_val *v,
    struct rv_seg_meta *out)
{
	size_t pl = sizeof(RV_SEG_META_PREFIX) - 1, nl = k->len - pl;
	const uint8_t *p = v->data;

	if (k->len <= pl || nl >= RV_SEG_NAME_MAX ||
	    v->len != RV_SEG_META_SIZE ||
	    memchr((const char *)k->data + pl, '/', nl) != NULL ||
	    memchr((const char *)k->data + pl, '\0', nl) != NULL)
		return RV_ECORRUPT;
	memcpy(out->name, (const char *)k->data + pl, nl);
	out->name[nl] = '\0';
	out->first = rv_get32(p);
	out->last = rv_get32(p + 4);
	out->rows = rv_get64(p + 8);
	out->bytes = rv_get64(p + 16);
	out->rrsets = rv_get64(p + 24);
	return RV_OK;
}

int
rv_seg_each(struct rv_store *st, struct rv_txn *txn,
    int (*fn)(void *arg, const struct rv_seg_meta *m), void *arg)
{
	struct rv_cursor *c = NULL;
	struct rv_val k = { sizeof(RV_SEG_META_PREFIX) - 1,
	    RV_SEG_META_PREFIX }, v;
	int rc;

	if ((rc = rv_cursor_open(st, txn, RV_DB_META, &c)) != RV_OK)
		return rc;
	for (rc = rv_cursor_get(c, &k, &v, RV_SET_RANGE); rc == RV_OK;
	    rc = rv_cursor_get(c, &k, &v, RV_NEXT)) {
		struct rv_seg_meta m;

		if (k.len < 4 || memcmp(k.data, RV_SEG_META_PREFIX, 4) != 0)
			break;
		/* fn's own result is returned as it is, RV_ENOENT too. */
		if ((rc = fn(arg, rv_seg_meta_decode(&k, &v, &m) == RV_OK ?
		    &m : NULL)) != RV_OK)
			goto out;
	}
	if (rc == RV_ENOENT)
		rc = RV_OK;
out:
	rv_cursor_close(c);
	return rc;
}

int
rv_seg_array_add(void *arg, const struct rv_seg_meta *m)
{
	struct rv_seg_array *sa = arg;

	if (m == NULL)
		return RV_ECORRUPT;
	if (sa->n == sa->cap) {
		struct rv_seg_meta *na;
		size_t cap = sa->cap ? 2 * sa->cap : 16;

		if ((na = realloc(sa->a, cap * sizeof(*na))) == NULL)
			return RV_ENOMEM;
		sa->a = na;
		sa->cap = cap;
	}
	sa->a[sa->n++] = *m;
	return RV_OK;
}

void
rv_seg_meta_encode(const struct rv_seg_meta *m,
    uint8_t out[RV_SEG_META_SIZE])
{
	rv_put32(out, m->first);
	rv_put32(out + 4, m->last);
	rv_put64(out + 8, m->rows);
	rv_put64(out + 16, m->bytes);
	rv_put64(out + 24, m->rrsets);
}

int
rv_seg_key(const char *name, uint8_t *buf, size_t cap, struct rv_val *k)
{
	int n = snprintf((char *)buf, cap, RV_SEG_META_PREFIX "%s", name);

	if (n < 0 || (size_t)n >= cap)
		return RV_ETOOBIG;
	k->data = buf;
	k->len = (size_t)n;
	return RV_OK;
}

int
rv_seg_put(struct rv_store *st, struct rv_txn *txn,
    const struct rv_seg_meta *m, uint64_t seq)
{
	uint8_t key[RV_SEG_KEY_MAX], val[RV_SEG_META_SIZE], sq[8];
	struct rv_val k, v;
	int rc;

	if ((rc = rv_seg_key(m->name, key, sizeof(key), &k)) != RV_OK)
		return rc;
	rv_seg_meta_encode(m, val);
	v.data = val;
	v.len = sizeof(val);
	if ((rc = rv_put(st, txn, RV_DB_META, &k, &v, 0)) != RV_OK)
		return rc;
	rv_put64(sq, seq);
	k.data = RV_SEG_SEQ_KEY;
	k.len = sizeof(RV_SEG_SEQ_KEY) - 1;
	v.data = sq;
	v.len = sizeof(sq);
	return rv_put(st, txn, RV_DB_META, &k, &v, 0);
}

int
rv_seg_pending_get(struct rv_store *st, struct rv_txn *txn,
    struct rv_seg_pending *out)
{
	struct rv_val k = { sizeof(RV_SEG_PENDING_KEY) - 1,
	    RV_SEG_PENDING_KEY }, v;
	const char *nul;
	size_t nl;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = rv_get(st, txn, RV_DB_META, &k, &v)) != RV_OK)
		return rc;
	nul = memchr(v.data, '\0', v.len);
	if (nul == NULL || (nl = (size_t)(nul - (const char *)v.data)) == 0 ||
	    nl >= RV_SEG_NAME_MAX || v.len - nl - 1 > RV_KEY_MAX + 1) {
		rv_store_damage(st, "the archive's pending record does not "
		    "decode");
		return RV_ECORRUPT;
	}
	memcpy(out->name, v.data, nl + 1);
	out->done_len = v.len - nl - 1;
	memcpy(out->done, nul + 1, out->done_len);
	return RV_OK;
}

int
rv_seg_path(const struct rv_store *st, const char *name, char *buf,
    size_t cap)
{
	int n = snprintf(buf, cap, "%s/archive/%s", st->path, name);

	return n < 0 || (size_t)n >= cap ? RV_ETOOBIG : RV_OK;
}

static int
info_add(void *arg, const struct rv_seg_meta *m)
{
	struct rv_archive_info *out = arg;

	if (m == NULL)
		return RV_ECORRUPT;
	if (out->segments == 0 || m->first < out->first)
		out->first = m->first;
	if (out->segments == 0 || m->last > out->last)
		out->last = m->last;
	out->segments++;
	out->rows += m->rows;
	out->bytes += m->bytes;
	out->rrsets += m->rrsets;
	return RV_OK;
}

int
rv_archive_info(struct rv_store *st, struct rv_txn *txn,
    struct rv_archive_info *out)
{
	struct rv_seg_pending p;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = rv_seg_pending_get(st, txn, &p);
	if (rc != RV_OK && rc != RV_ENOENT)
		return rc;
	out->pending = rc == RV_OK;
	return rv_seg_each(st, txn, info_add, out);
}

/* --- opening, under the guard ------------------------------------------------ */

/* LeakSanitizer: what libmtbl allocates inside a guarded call that a
 * damaged block interrupts cannot be freed (see SEG_GUARD), so
 * allocations made inside guarded calls are not leak-checked. Those are
 * libmtbl's readers, iterators and blocks; rv_seg_close_all and
 * rv_seg_it_close free them, and test_seg counts open iterators. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define LSAN_OFF() __lsan_disable()
#define LSAN_ON() __lsan_enable()
#else
#define LSAN_OFF() do { } while (0)
#define LSAN_ON() do { } while (0)
#endif

/* Run an mtbl call with libmtbl's assertions and faults caught: on one,
 * the segment is marked damaged and rc set to RV_ECORRUPT. libmtbl's
 * state inside the call is abandoned (what it allocated leaks: once per
 * damaged segment). */
#define SEG_GUARD(st, seg, locked, rc, call) do {			\
	struct rv_guard g_;						\
	if (sigsetjmp(g_.jb, 0) != 0) {					\
		LSAN_ON();						\
		seg_fault((st), (seg), &g_, (locked));			\
		(rc) = RV_ECORRUPT;					\
		break;							\
	}								\
	g_.prev = rv_guard_cur;						\
	g_.abrt = 1;							\
	rv_guard_cur = &g_;						\
	LSAN_OFF();							\
	atomic_signal_fence(memory_order_seq_cst);			\
	(rc) = (call);							\
	atomic_signal_fence(memory_order_seq_cst);			\
	LSAN_ON();							\
	rv_guard_cur = g_.prev;						\
} while (0)

static void
note_why(struct rv_store *st, const char *name, const char *why)
{
	if (st->seg_why[0] == '\0')
		snprintf(st->seg_why, sizeof(st->seg_why),
		    "archive segment %s: %s", name, why);
}

/* Mark a segment damaged; \p locked: seg_mu is held (opening). */
static void
seg_damaged(struct rv_store *st, struct rv_seg *seg, const char *why,
    int locked)
{
	atomic_store(&seg->bad, 1);
	if (!locked)
		pthread_mutex_lock(&st->seg_mu);
	note_why(st, seg->m.name, why);
	if (!locked)
		pthread_mutex_unlock(&st->seg_mu);
}

static void
seg_fault(struct rv_store *st, struct rv_seg *seg, const struct rv_guard *g,
    int locked)
{
	seg_damaged(st, seg, g->sig == SIGABRT ? "libmtbl found a damaged "
	    "block" : "a read outside the file", locked);
}

const char *
rv_store_seg_why(struct rv_store *st)
{
	const char *w;

	pthread_mutex_lock(&st->seg_mu);
	w = st->seg_why[0] != '\0' ? st->seg_why : NULL;
	pthread_mutex_unlock(&st->seg_mu);
	return w;
}

static int
reader_open(const char *path, struct mtbl_reader **out)
{
	struct mtbl_reader_options *o = mtbl_reader_options_init();

	mtbl_reader_options_set_verify_checksums(o, true);
	*out = mtbl_reader_init(path, o);
	mtbl_reader_options_destroy(&o);
	return *out != NULL ? RV_OK : RV_ECORRUPT;
}

/* Open one listed segment (st->seg_mu held). */
static struct rv_seg *
seg_open(struct rv_store *st, const struct rv_seg_meta *m)
{
	struct rv_seg *s = calloc(1, sizeof(*s));
	char path[4096];
	int rc;

	if (s == NULL)
		return NULL;
	s->m = *m;
	s->next = st->segs;
	st->segs = s;
	if (rv_seg_path(st, m->name, path, sizeof(path)) != RV_OK)
		return s;
	/* Under seg_mu: nobody may see the segment half open. The guard
	 * jumps back here, with the mutex still held, on damage. */
	SEG_GUARD(st, s, 1, rc, reader_open(path, &s->r));
	if (rc != RV_OK)
		note_why(st, m->name, access(path, F_OK) ? strerror(errno) :
		    "not a segment file");
	if (rc == RV_OK && s->r != NULL &&
	    mtbl_metadata_count_entries(mtbl_reader_metadata(s->r)) !=
	    m->rows) {
		atomic_store(&s->bad, 1);	/* not the file listed */
		note_why(st, m->name, "not the rows the archive lists");
	}
	return s;
}

int
rv_seg_open_file(struct rv_store *st, struct rv_seg *seg, const char *path)
{
	int rc;

	SEG_GUARD(st, seg, 0, rc, reader_open(path, &seg->r));
	return rc;
}

void
rv_seg_close_file(struct rv_seg *seg)
{
	mtbl_reader_destroy(&seg->r);
}

static struct rv_seg *
seg_find(struct rv_store *st, const struct rv_seg_meta *m)
{
	struct rv_seg *s;

	for (s = st->segs; s != NULL; s = s->next)
		if (strcmp(s->m.name, m->name) == 0)
			return s;
	return seg_open(st, m);
}

/* Close the segments of the store's cache that the list just read does
 * not name and nobody holds (seg_mu held): a long-running reader (rearview
 * serve) lets merged and dropped files go. */
static void
evict(struct rv_store *st)
{
	struct rv_seg **pp = &st->segs, *s;

	while ((s = *pp) != NULL) {
		if (!s->seen && s->refs == 0) {
			*pp = s->next;
			mtbl_reader_destroy(&s->r);
			free(s);
			continue;
		}
		s->seen = 0;
		pp = &s->next;
	}
}

/* rv_seg_list's walk (seg_mu held). */
struct seg_listing {
	struct rv_store *st;
	struct rv_seg **a;
	size_t n, cap;
};

static int
list_add(void *arg, const struct rv_seg_meta *m)
{
	struct seg_listing *l = arg;
	struct rv_seg *s;

	if (m == NULL) {
		rv_store_damage(l->st, "a segment record that does not "
		    "decode");
		return RV_ECORRUPT;
	}
	if ((s = seg_find(l->st, m)) == NULL)
		return RV_ENOMEM;
	s->seen = 1;
	if (s->r == NULL || atomic_load(&s->bad))
		return RV_OK;	/* damaged: reported, skipped */
	if (l->n + 2 > l->cap) {
		struct rv_seg **na;
		size_t cap = l->cap ? 2 * l->cap : 8;

		if ((na = realloc(l->a, cap * sizeof(*na))) == NULL)
			return RV_ENOMEM;
		l->a = na;
		l->cap = cap;
	}
	s->refs++;
	l->a[l->n++] = s;
	l->a[l->n] = NULL;
	return RV_OK;
}

int
rv_seg_list(struct rv_store *st, struct rv_txn *txn, struct rv_seg ***out,
    size_t *n, struct rv_seg_pending *pending)
{
	struct seg_listing l = { st, NULL, 0, 0 };
	int rc;

	*out = NULL;
	*n = 0;
	rc = rv_seg_pending_get(st, txn, pending);
	if (rc == RV_ENOENT)
		pending->name[0] = '\0';
	else if (rc != RV_OK)
		return rc;
	pthread_mutex_lock(&st->seg_mu);
	if ((rc = rv_seg_each(st, txn, list_add, &l)) == RV_OK)
		evict(st);
	else
		for (size_t i = 0; i < l.n; i++)
			l.a[i]->refs--;
	pthread_mutex_unlock(&st->seg_mu);
	if (rc != RV_OK) {
		free(l.a);
		return rc;
	}
	*out = l.a;
	*n = l.n;
	return RV_OK;
}

void
rv_seg_release(struct rv_store *st, struct rv_seg *seg)
{
	pthread_mutex_lock(&st->seg_mu);
	seg->refs--;
	pthread_mutex_unlock(&st->seg_mu);
}

void
rv_seg_close_all(struct rv_store *st)
{
	struct rv_seg *s, *next;

	for (s = st->segs; s != NULL; s = next) {
		next = s->next;
		mtbl_reader_destroy(&s->r);
		free(s);
	}
	st->segs = NULL;
}

void
rv_seg_test_kill(const char *at)
{
	const char *e = getenv("RV_ARCHIVE_KILL_AT");

	if (e != NULL && strcmp(e, at) == 0)
		raise(SIGKILL);
}

int
rv_seg_guarded(struct rv_store *st, struct rv_seg *seg, int (*fn)(void *),
    void *arg)
{
	int rc;

	SEG_GUARD(st, seg, 0, rc, fn(arg));
	return rc;
}

int
rv_seg_count(struct rv_store *st, struct rv_seg *seg, uint64_t *rows,
    uint64_t *rrsets)
{
	struct rv_seg_it *it = NULL;
	const uint8_t *k, *v;
	size_t kl, vl;
	int rc;

	*rows = mtbl_metadata_count_entries(mtbl_reader_metadata(seg->r));
	*rrsets = 0;
	if ((rc = rv_seg_it_open(st, seg, rv_seg_tag(RV_DB_RRSET), NULL, 0,
	    &it)) != RV_OK)
		return rc;
	while ((rc = rv_seg_it_next(it, &k, &kl, &v, &vl)) == RV_OK)
		(*rrsets)++;
	rv_seg_it_close(it);
	return rc == RV_ENOENT ? RV_OK : rc;
}

int
rv_seg_next_seq(struct rv_store *st, uint64_t *seq)
{
	struct rv_txn *txn = NULL;
	struct rv_val k = { sizeof(RV_SEG_SEQ_KEY) - 1, RV_SEG_SEQ_KEY }, v;
	int rc;

	if ((rc = rv_store_read_begin(st, &txn)) != RV_OK)
		return rc;
	rc = rv_get(st, txn, RV_DB_META, &k, &v);
	*seq = rc == RV_OK && v.len == 8 ? rv_get64(v.data) + 1 : 1;
	rv_txn_abort(txn);
	return rc == RV_OK || rc == RV_ENOENT ? RV_OK : rc;
}

int
rv_seg_dir_fsync(const struct rv_store *st)
{
	char dir[4200];

	if (snprintf(dir, sizeof(dir), "%s/archive", st->path) >=
	    (int)sizeof(dir))
		return RV_ETOOBIG;
	return rv_seg_fsync(dir, 1);
}

/* --- writing ------------------------------------------------------------------ */

int
rv_seg_fsync(const char *path, int dir)
{
	int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
	int rc = RV_OK;

	if (fd < 0)
		return RV_EIO;
	if (fsync(fd) != 0)
		rc = errno == ENOSPC ? RV_ENOSPC : RV_EIO;
	close(fd);
	return rc;
}

struct mtbl_writer *
rv_seg_writer_open(const char *tmp)
{
	struct mtbl_writer_options *o = mtbl_writer_options_init();
	struct mtbl_writer *w;

	/* zstd at 3 and 8 KiB blocks: a /24 reverse lookup reads few
	 * blocks (docs/ARCHIVE.md); restarts every 16 keys (mtbl's). */
	mtbl_writer_options_set_compression(o, MTBL_COMPRESSION_ZSTD);
	mtbl_writer_options_set_compression_level(o, 3);
	mtbl_writer_options_set_block_size(o, 8192);
	mtbl_writer_options_set_block_restart_interval(o, 16);
	(void)unlink(tmp);
	w = mtbl_writer_init(tmp, o);
	mtbl_writer_options_destroy(&o);
	return w;
}

int
rv_seg_writer_close(struct mtbl_writer *w, const char *tmp, int keep,
    uint64_t *bytes)
{
	struct stat sb;
	int rc;

	mtbl_writer_destroy(&w);	/* writes the index and trailer */
	if (!keep)
		return RV_OK;
	if (chmod(tmp, 0640) != 0 || stat(tmp, &sb) != 0)
		return RV_EIO;
	if ((rc = rv_seg_fsync(tmp, 0)) != RV_OK)
		return rc;
	*bytes = (uint64_t)sb.st_size;
	return RV_OK;
}

/* --- iterators ------------------------------------------------------------- */

static atomic_long open_its;	/* rv_seg_it alive: leaks show in tests */

long
rv_seg_open_iterators(void)
{
	return atomic_load(&open_its);
}

struct rv_seg_it {
	struct rv_store *st;
	struct rv_seg *seg;
	struct mtbl_iter *it;
	uint8_t tag;
};

/* From (tag, key) on; rv_seg_it_next stops where the tag changes. NULL
 * (nothing at or after the key) reads as the end. */
static int
it_make(struct rv_seg_it *i, const uint8_t *key, size_t len)
{
	uint8_t lo[RV_KEY_MAX + 1];

	lo[0] = i->tag;
	if (len > 0)
		memcpy(lo + 1, key, len);
	i->it = mtbl_source_get_range(mtbl_reader_source(i->seg->r), lo,
	    len + 1, (const uint8_t *)"\xff", 1);
	return RV_OK;
}

int
rv_seg_it_open(struct rv_store *st, struct rv_seg *seg, uint8_t tag,
    const uint8_t *key, size_t len, struct rv_seg_it **out)
{
	struct rv_seg_it *i;
	int rc;

	*out = NULL;
	if (len > RV_KEY_MAX)
		return RV_ETOOBIG;
	if (seg->r == NULL || atomic_load(&seg->bad))
		return RV_ECORRUPT;
	if ((i = calloc(1, sizeof(*i))) == NULL)
		return RV_ENOMEM;
	i->st = st;
	i->seg = seg;
	i->tag = tag;
	SEG_GUARD(st, seg, 0, rc, it_make(i, key, len));
	if (rc != RV_OK) {
		free(i);
		return rc;
	}
	atomic_fetch_add(&open_its, 1);
	*out = i;
	return RV_OK;
}

static int
it_step(struct rv_seg_it *i, const uint8_t **k, size_t *klen,
    const uint8_t **v, size_t *vlen)
{
	if (i->it == NULL ||
	    mtbl_iter_next(i->it, k, klen, v, vlen) != mtbl_res_success)
		return RV_ENOENT;
	return RV_OK;
}

int
rv_seg_it_next(struct rv_seg_it *i, const uint8_t **k, size_t *klen,
    const uint8_t **v, size_t *vlen)
{
	int rc;

	if (atomic_load(&i->seg->bad))
		return RV_ECORRUPT;	/* found damaged by another reader */
	SEG_GUARD(i->st, i->seg, 0, rc, it_step(i, k, klen, v, vlen));
	if (rc != RV_OK) {
		if (rc == RV_ECORRUPT)
			i->it = NULL;	/* abandoned with the segment */
		return rc;
	}
	if (*klen < 1 || (*k)[0] != i->tag) {
		return RV_ENOENT;
	}
	if (*klen > RV_KEY_MAX + 1) {
		seg_damaged(i->st, i->seg, "a key longer than the store's",
		    0);
		i->it = NULL;
		return RV_ECORRUPT;
	}
	(*k)++;
	(*klen)--;
	return RV_OK;
}

void
rv_seg_it_close(struct rv_seg_it *i)
{
	if (i == NULL)
		return;
	if (i->it != NULL)
		mtbl_iter_destroy(&i->it);
	atomic_fetch_sub(&open_its, 1);
	free(i);
}
