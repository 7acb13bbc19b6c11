/**
 * \file sink_batch.c
 * A sink's batch: written by the flush, encoded by the sender
 * (sink_batch.h).
 */
#include "sink_batch.h"

#include <stdlib.h>
#include <string.h>

#include "rv_be.h"
#include "rv_err.h"

#define MAGIC		"RVB1"
#define HEAD_LEN	(4 + 4 + 4 + 2)	/* magic, version, nrows, nnames */
#define ROW_HEAD	(1 + 2 + 4)	/* db, klen, vlen */

static int
grow(uint8_t **p, size_t *cap, size_t need)
{
	size_t nc = *cap ? *cap : 4096;
	uint8_t *np;

	if (need <= *cap)
		return RV_OK;
	while (nc < need)
		nc *= 2;
	if ((np = realloc(*p, nc)) == NULL)
		return RV_ENOMEM;
	*p = np;
	*cap = nc;
	return RV_OK;
}

void
rvd_batch_begin(struct rvd_batch *b, uint32_t version)
{
	b->len = 0;
	b->nrows = 0;
	b->nnames = 0;
	if (b->named != NULL)
		memset(b->named, 0, b->named_cap);
	b->nlen = 0;
	if (grow(&b->names, &b->ncap, HEAD_LEN) == RV_OK) {
		memcpy(b->names, MAGIC, 4);
		rv_put32(b->names + 4, version);
		b->nlen = HEAD_LEN;
	}
}

/* Put sensor id's name in the header, once per batch. */
static int
name_once(struct rvd_batch *b, uint16_t id, rv_ch_sensor_fn sensor, void *arg)
{
	size_t byte = id / 8, nl;
	const char *n;

	if (byte >= b->named_cap) {
		size_t nc = 8192;	/* every u16 id */
		uint8_t *p = realloc(b->named, nc);

		if (p == NULL)
			return RV_ENOMEM;
		memset(p + b->named_cap, 0, nc - b->named_cap);
		b->named = p;
		b->named_cap = nc;
	}
	if (b->named[byte] & (1u << (id % 8)))
		return RV_OK;
	if (b->nlen < HEAD_LEN)
		return RV_ENOMEM;	/* rvd_batch_begin could not */
	n = sensor != NULL ? sensor(arg, id) : NULL;
	if (n == NULL)
		return RV_OK;		/* unknown: the encoder says "#ID" */
	nl = strlen(n) > 255 ? 255 : strlen(n);
	if (grow(&b->names, &b->ncap, b->nlen + 3 + nl) != RV_OK)
		return RV_ENOMEM;
	rv_put16(b->names + b->nlen, id);
	b->names[b->nlen + 2] = (uint8_t)nl;
	memcpy(b->names + b->nlen + 3, n, nl);
	b->nlen += 3 + nl;
	b->nnames++;
	b->named[byte] |= (uint8_t)(1u << (id % 8));
	return RV_OK;
}

int
rvd_batch_row(struct rvd_batch *b, enum rv_db db, const void *k, size_t klen,
    const void *v, size_t vlen, rv_ch_sensor_fn sensor, void *arg)
{
	int rc;

	if (klen > UINT16_MAX || vlen > UINT32_MAX)
		return RV_ETOOBIG;
	if (db == RV_DB_RRSET || db == RV_DB_NEG) {
		struct rv_rrset_val val;

		if ((db == RV_DB_NEG ? rv_neg_val_decode(v, vlen, &val) :
		    rv_rrset_val_decode(v, vlen, &val)) != RV_OK)
			return RV_ECORRUPT;
		for (unsigned i = 0; i < val.nsens; i++)
			if ((rc = name_once(b, val.sensor[i], sensor, arg)) !=
			    RV_OK)
				return rc;
	}
	if ((rc = grow(&b->rows, &b->cap, b->len + ROW_HEAD + klen + vlen)) !=
	    RV_OK)
		return rc;
	b->rows[b->len] = (uint8_t)db;
	rv_put16(b->rows + b->len + 1, (uint16_t)klen);
	rv_put32(b->rows + b->len + 3, (uint32_t)vlen);
	memcpy(b->rows + b->len + ROW_HEAD, k, klen);
	memcpy(b->rows + b->len + ROW_HEAD + klen, v, vlen);
	b->len += ROW_HEAD + klen + vlen;
	b->nrows++;
	return RV_OK;
}

int
rvd_batch_empty(const struct rvd_batch *b)
{
	return b->len == 0;
}

void
rvd_batch_iov(const struct rvd_batch *b, struct iovec iov[2])
{
	rv_put32(b->names + 8, b->nrows);
	rv_put16(b->names + 12, b->nnames);
	iov[0].iov_base = b->names;
	iov[0].iov_len = b->nlen;
	iov[1].iov_base = b->rows;
	iov[1].iov_len = b->len;
}

void
rvd_batch_free(struct rvd_batch *b)
{
	free(b->rows);
	free(b->names);
	free(b->named);
	memset(b, 0, sizeof(*b));
}

/* --- the sender's side --------------------------------------------------- */

/* A batch's names (entries in the batch, not NUL-terminated: copied out
 * as they are asked), by id when there are many. */
struct names {
	const uint8_t *p;	/* the first name's entry */
	uint16_t n;
	const uint8_t **by_id;	/* 65536 entries, or NULL: search p */
	char buf[256];
};

#define NAMES_INDEXED	32	/* past this many, an index by id */

static const char *
name_of(void *arg, uint16_t id)
{
	struct names *nm = arg;
	const uint8_t *e = nm->by_id != NULL ? nm->by_id[id] : NULL;

	if (nm->by_id == NULL) {
		const uint8_t *x = nm->p;

		for (uint16_t i = 0; i < nm->n && e == NULL; i++) {
			if (rv_get16(x) == id)
				e = x;
			x += 3 + (size_t)x[2];
		}
	}
	if (e == NULL)
		return NULL;
	memcpy(nm->buf, e + 3, e[2]);
	nm->buf[e[2]] = '\0';
	return nm->buf;
}

int
rvd_batch_encode(const uint8_t *p, size_t len, const void *psl,
    struct rv_chbuf tab[RV_DB_COUNT])
{
	struct names nm;
	uint32_t version, nrows, seen = 0;
	size_t off;
	int rc;

	for (int d = 0; d < RV_DB_COUNT; d++)
		rv_chbuf_reset(&tab[d]);
	if (len < HEAD_LEN || memcmp(p, MAGIC, 4) != 0)
		return RV_ECORRUPT;
	version = rv_get32(p + 4);
	nrows = rv_get32(p + 8);
	nm.n = rv_get16(p + 12);
	nm.p = p + HEAD_LEN;
	nm.by_id = NULL;
	if (nm.n > NAMES_INDEXED &&
	    (nm.by_id = calloc(65536, sizeof(*nm.by_id))) == NULL)
		return RV_ENOMEM;
	off = HEAD_LEN;
	rc = RV_OK;
	for (uint16_t i = 0; i < nm.n; i++) {
		if (len - off < 3 || len - off - 3 < p[off + 2]) {
			rc = RV_ECORRUPT;
			break;
		}
		if (nm.by_id != NULL)
			nm.by_id[rv_get16(p + off)] = p + off;
		off += 3 + (size_t)p[off + 2];
	}
	while (rc == RV_OK && off < len) {
		size_t klen, vlen;
		uint8_t db;

		if (len - off < ROW_HEAD) {
			rc = RV_ECORRUPT;
			break;
		}
		db = p[off];
		klen = rv_get16(p + off + 1);
		vlen = rv_get32(p + off + 3);
		off += ROW_HEAD;
		if (db >= RV_DB_COUNT || rv_ch_table((enum rv_db)db) == NULL ||
		    len - off < klen || len - off - klen < vlen) {
			rc = RV_ECORRUPT;
			break;
		}
		rc = rv_ch_row(&tab[db], (enum rv_db)db, p + off, klen,
		    p + off + klen, vlen, psl, name_of, &nm, version);
		off += klen + vlen;
		seen++;
	}
	free(nm.by_id);
	if (rc == RV_OK && seen != nrows)
		rc = RV_ECORRUPT;	/* cut at a row's end */
	return rc;
}
