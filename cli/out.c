/**
 * \file out.c
 * The output stage: streaming or bounded-heap sorting, offset and limit,
 * summaries; the formats are in fmt*.c.
 */
#include "out.h"
#include "out_pipe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "rv_err.h"
#include "rv_store.h"

/* Copies kept without a limit live in big chunks, freed at once. */
struct cli_chunk {
	struct cli_chunk *next;
	size_t used, size;
	uint64_t data[];
};

static void
free_list(struct cli_chunk **l)
{
	while (*l != NULL) {
		struct cli_chunk *next = (*l)->next;
		free(*l);
		*l = next;
	}
}

static void
free_chunks(struct cli_out *o)
{
	free_list(&o->chunks);
	free_list(&o->spare);
}

/* Empty the chunks of a printed batch for the next one, keeping their
 * memory (a batch is some 10 MB: freeing it would cost a page fault per
 * 4 KiB each time). */
void
cli_out_spare_chunks(struct cli_out *o, struct cli_chunk *list)
{
	while (list != NULL) {
		struct cli_chunk *next = list->next;
		list->used = 0;
		list->next = o->spare;
		o->spare = list;
		list = next;
	}
}

static void
spare_chunks(struct cli_out *o)
{
	cli_out_spare_chunks(o, o->chunks);
	o->chunks = NULL;
}

/* A copy in the chunks; with the owner's sort key when it is to be
 * sorted (rows held for a batch are printed in the order they came). */
static struct rvq_row *
arena_copy(struct cli_out *o, const struct rvq_row *r, int sorted)
{
	uint8_t key[RV_NAME_KEY_MAX];
	size_t klen = sorted ? rvq_row_owner_key(r, key) : 0,
	    n = rvq_row_copy_size(r, klen);
	struct cli_chunk *ch = o->chunks;

	if (ch == NULL || ch->size - ch->used < n) {
		size_t size = n > (1u << 20) ? n : (1u << 20);
		if (o->spare != NULL && o->spare->size >= n) {
			ch = o->spare;
			o->spare = ch->next;
		} else if ((ch = malloc(sizeof(*ch) + size)) != NULL) {
			ch->used = 0;
			ch->size = size;
		} else {
			return NULL;
		}
		ch->next = o->chunks;
		o->chunks = ch;
	}
	ch->used += n;
	return rvq_row_copy_at(r,
	    (struct rvq_row *)(void *)((uint8_t *)ch->data + ch->used - n), key,
	    klen);
}

enum cli_fmt
cli_fmt_resolve(enum cli_fmt f, FILE *fp)
{
	if (f != CLI_FMT_AUTO)
		return f;
	return isatty(fileno(fp)) ? CLI_FMT_TABLE : CLI_FMT_JSON;
}

int
cli_sort_desc(enum cli_sort s)
{
	return s == CLI_SORT_FIRST || s == CLI_SORT_LAST ||
	    s == CLI_SORT_COUNT || s == CLI_SORT_DEFAULT;
}

int
cli_term_width(FILE *fp)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");

	if (isatty(fileno(fp)) && ioctl(fileno(fp), TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0)
		return ws.ws_col;
	if (cols != NULL) {
		int w = atoi(cols);
		if (w > 0 && w < 100000)
			return w;
	}
	return 0;
}

static int
cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int
cmp_bytes(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	return c != 0 ? c : cmp_u64(al, bl);
}

static int
cmp_data(const struct rvq_row *a, const struct rvq_row *b)
{
	if (a->kind == RVQ_ROW_RRSET)
		return cmp_bytes(a->set, a->set_len, b->set, b->set_len);
	return cmp_bytes(a->rd, a->rd_len, b->rd, b->rd_len);
}

int
cli_row_cmp(const struct cli_out *o, const struct rvq_row *a,
    const struct rvq_row *b)
{
	int c = 0;

	switch (o->sort) {
	case CLI_SORT_FIRST: c = cmp_u64(a->first, b->first); break;
	case CLI_SORT_LAST: c = cmp_u64(a->last, b->last); break;
	case CLI_SORT_COUNT: c = cmp_u64(a->count, b->count); break;
	case CLI_SORT_DATA: c = cmp_data(a, b); break;
	default:
		c = cmp_bytes(a->okey, a->okey_len, b->okey, b->okey_len);
		if (c == 0)
			c = cmp_u64(a->type, b->type);
		if (c == 0)
			c = cmp_data(a, b);
		break;
	}
	if (o->desc)
		c = -c;
	if (c == 0 && o->sort == CLI_SORT_DATA)
		c = cmp_bytes(a->okey, a->okey_len, b->okey, b->okey_len);
	/* Other ties keep the scan's key order (name or address order). */
	if (c == 0)
		c = cmp_u64(a->seq, b->seq);
	return c;
}

/* The heap keeps the rows that come first; its top is the one that comes
 * last, the first to go. */
static void
sift_up(struct cli_out *o, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (cli_row_cmp(o, o->keep[p], o->keep[i]) >= 0)
			break;
		struct rvq_row *t = o->keep[p];
		o->keep[p] = o->keep[i];
		o->keep[i] = t;
		i = p;
	}
}

static void
sift_down(struct cli_out *o, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < o->nkeep && cli_row_cmp(o, o->keep[l], o->keep[m]) > 0)
			m = l;
		if (r < o->nkeep && cli_row_cmp(o, o->keep[r], o->keep[m]) > 0)
			m = r;
		if (m == i)
			break;
		struct rvq_row *t = o->keep[m];
		o->keep[m] = o->keep[i];
		o->keep[i] = t;
		i = m;
	}
}

static const struct cli_out *sort_ctx;	/* qsort has no argument */

/* Rows with their primary sort key as a number, so most comparisons are
 * one integer compare. */
struct sortent {
	uint64_t k;
	struct rvq_row *r;
};

static int
qcmp(const void *a, const void *b)
{
	const struct sortent *x = a, *y = b;

	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	return cli_row_cmp(sort_ctx, x->r, y->r);
}

static int
sort_kept(struct cli_out *o)
{
	struct sortent *v = malloc(o->nkeep * sizeof(*v));

	if (v == NULL)
		return RV_ENOMEM;
	for (size_t i = 0; i < o->nkeep; i++) {
		const struct rvq_row *r = o->keep[i];
		uint64_t k = 0;
		switch (o->sort) {
		case CLI_SORT_FIRST: k = r->first; break;
		case CLI_SORT_LAST: k = r->last; break;
		case CLI_SORT_COUNT: k = r->count; break;
		default: break;
		}
		v[i].k = o->desc ? ~k : k;
		v[i].r = o->keep[i];
	}
	sort_ctx = o;
	qsort(v, o->nkeep, sizeof(*v), qcmp);
	for (size_t i = 0; i < o->nkeep; i++)
		o->keep[i] = v[i].r;
	free(v);
	return RV_OK;
}

int
cli_out_begin(struct cli_out *o)
{
	o->seen = o->emitted = o->taken = 0;
	o->write_failed = 0;
	o->limited = 0;
	o->err = 0;
	memset(&o->sum, 0, sizeof(o->sum));
	if (o->summarize)
		return RV_OK;
	return cli_fmt_begin(o);
}

static int
emit(struct cli_out *o, const struct rvq_row *r)
{
	int rc = cli_fmt_row(o, r);

	if (rc == RV_OK)
		o->emitted++;
	else if (o->err == 0)
		o->err = rc;
	return rc;
}

static int
keep(struct cli_out *o, const struct rvq_row *r)
{
	uint64_t k = o->limit == 0 ? 0 : o->offset + o->limit;
	uint8_t key[RV_NAME_KEY_MAX];
	struct rvq_row *c, tmp;

	if (k != 0 && o->nkeep == k) {
		o->limited = 1;
		tmp = *r;	/* compare as the copy would */
		tmp.seq = o->seen;
		tmp.okey = key;
		if (rv_name_key(r->owner, r->owner_len, key, &tmp.okey_len))
			tmp.okey_len = 0;
		if (cli_row_cmp(o, &tmp, o->keep[0]) >= 0)
			return RV_OK;
	}
	if ((c = k == 0 ? arena_copy(o, r, 1) : rvq_row_copy(r)) == NULL)
		return RV_ENOMEM;
	c->seq = o->seen;
	if (k != 0 && o->nkeep == k) {
		free(o->keep[0]);
		o->keep[0] = c;
		sift_down(o, 0);
		return RV_OK;
	}
	if (o->nkeep == o->capkeep) {
		size_t cap = o->capkeep ? o->capkeep * 2 : 256;
		struct rvq_row **nk = realloc(o->keep, cap * sizeof(*nk));
		if (nk == NULL) {
			free(c);
			return RV_ENOMEM;
		}
		o->keep = nk;
		o->capkeep = cap;
	}
	o->keep[o->nkeep++] = c;
	if (k != 0)
		sift_up(o, o->nkeep - 1);
	return RV_OK;
}

/* Streamed rows wait in batches when the format shows enrichment, so
 * that their addresses are looked up together (geo.c), and when a
 * printer thread may print them (out_pipe.h). */
static int
batched(const struct cli_out *o)
{
	return (o->geo_batch != NULL && cli_fmt_shows_geo(o)) ||
	    o->shareable != NULL;
}

static int
hold(struct cli_out *o, const struct rvq_row *r)
{
	struct rvq_row *c;

	if (o->nkeep == o->capkeep) {
		size_t cap = o->capkeep ? o->capkeep * 2 : 256;
		struct rvq_row **nk = realloc(o->keep, cap * sizeof(*nk));
		if (nk == NULL)
			return RV_ENOMEM;
		o->keep = nk;
		o->capkeep = cap;
	}
	if ((c = arena_copy(o, r, 0)) == NULL)
		return RV_ENOMEM;
	o->keep[o->nkeep++] = c;
	return RV_OK;
}

int
cli_out_emit_rows(struct cli_out *o, struct rvq_row *const *rows, size_t n)
{
	int rc = RV_OK;

	for (size_t i = 0; i < n && rc == RV_OK; i++)
		rc = emit(o, rows[i]);
	return rc;
}

/* Print the held rows in order and drop them. Once a full batch has all
 * its enrichment (and the sensor callback may be shared), a printer
 * thread is started (out_pipe.h) and the batches are handed to it; a
 * batch without its answers is printed here, after the printer has
 * finished and ended, since only this thread may ask the callback.
 * When the enrichment may be asked from the printer too (geo_shared),
 * whichever thread would wait finds it: the printer when it is ready for
 * the batch, else this thread while it is still busy with the last. */
static int
flush_held(struct cli_out *o)
{
	int rc, answered;

	if (o->pipe != NULL && !o->geo_in_printer && o->geo_shared != NULL &&
	    o->geo_shared(o->cb_arg))
		o->geo_in_printer = 1;	/* for good: the printer may ask */
	if (o->geo_in_printer) {
		answered = cli_pipe_busy(o) && cli_geo_prefetch(o, o->keep,
		    o->nkeep, &o->gbuf) == RV_OK;
		rc = cli_pipe_hand(o, !answered);
		goto leave;
	}
	answered = cli_geo_prefetch(o, o->keep, o->nkeep, &o->gbuf) == RV_OK;
	if (!answered && o->pipe != NULL &&
	    (rc = cli_pipe_stop(o)) != RV_OK)
		goto leave;
	if (answered && o->pipe == NULL && o->nkeep == CLI_GEO_BATCH &&
	    o->shareable != NULL && o->shareable(o->cb_arg))
		(void)cli_pipe_start(o);	/* else print here */
	if (o->pipe != NULL)
		rc = cli_pipe_hand(o, 0);
	else
		rc = cli_out_emit_rows(o, o->keep, o->nkeep);
leave:
	o->nkeep = 0;
	spare_chunks(o);
	return rc == RV_OK ? RV_OK : RV_EIO;
}

int
cli_out_row(struct cli_out *o, const struct rvq_row *r)
{
	struct rvq_row tmp;
	int rc;

	o->seen++;
	if (o->summarize) {
		rvq_summary_add(&o->sum, r);
		return RV_OK;
	}
	if (!o->natural)
		return keep(o, r);
	if (o->seen <= o->offset)
		return RV_OK;
	if (o->limit != 0 && o->taken >= o->limit) {
		o->limited = 1;
		return RV_ENOENT;
	}
	o->taken++;
	tmp = *r;
	tmp.geo = NULL;
	tmp.ngeo = 0;
	tmp.seq = o->seen;
	if (!batched(o))
		rc = emit(o, &tmp) == RV_OK ? RV_OK : RV_EIO;
	else if ((rc = hold(o, &tmp)) == RV_OK && o->nkeep == CLI_GEO_BATCH)
		rc = flush_held(o);
	if (rc == RV_EIO) {
		o->write_failed = 1;
		o->write_errno = errno;
	}
	return rc;
}

int
cli_out_write_failed(struct cli_out *o, int *err)
{
	if (!o->write_failed)
		return 0;
	*err = o->write_errno;
	if (o->pipe != NULL && cli_pipe_stop(o) != RV_OK)
		*err = errno;		/* the printer's */
	return 1;
}

int
cli_out_end(struct cli_out *o)
{
	int rc = RV_OK;

	if (o->summarize) {
		rc = cli_fmt_summary(o);
		goto leave;
	}
	if (o->natural) {
		(void)flush_held(o);
		if ((rc = cli_pipe_stop(o)) != RV_OK && o->err == 0)
			o->err = rc;	/* the printer's error is in o->err */
		rc = RV_OK;
	} else if (o->nkeep > 0) {
		if ((rc = sort_kept(o)) != RV_OK)
			goto leave;
		for (size_t i = o->offset; i < o->nkeep; i++) {
			if ((i - o->offset) % CLI_GEO_BATCH == 0)
				(void)cli_geo_prefetch(o, o->keep + i,
				    o->nkeep - i < CLI_GEO_BATCH ?
				    o->nkeep - i : CLI_GEO_BATCH, &o->gbuf);
			if (emit(o, o->keep[i]) != RV_OK)
				break;
		}
	}
	if (o->err == 0)
		o->err = cli_fmt_end(o);
	if (fflush(o->fp) != 0 && o->err == 0)
		o->err = RV_EIO;
	rc = o->err;
leave:
	return rc;
}

void
cli_out_reset(struct cli_out *o)
{
	(void)cli_pipe_stop(o);	/* after an error: the batch it has */
	if (o->chunks == NULL)	/* else the copies live in the chunks */
		for (size_t i = 0; i < o->nkeep; i++)
			free(o->keep[i]);
	free_chunks(o);
	free(o->keep);
	o->keep = NULL;
	o->nkeep = o->capkeep = 0;
	cli_table_free(o);
	free(o->gbuf.a);
	o->gbuf.a = NULL;
	o->gbuf.cap = 0;
	o->geo_in_printer = 0;
}

void
cli_out_free(struct cli_out *o)
{
	cli_out_reset(o);
	free(o->sb);
	o->sb = NULL;
	cli_lines_free(o);
}
