/**
 * \file rv_tier.c
 * The cursor that reads the live tier and the archive as one database
 * (store_seg.h, docs/ARCHIVE.md "Queries").
 *
 * Sources: LMDB's cursor and one iterator per segment, each on its
 * current row. The merged cursor stands on the smallest key among them
 * and combines the rows of every source on that key with
 * rv_seg_val_merge. One exception keeps a segment that is still being
 * taken out of LMDB (the pending one) from being counted twice: for keys
 * past its progress mark, the row LMDB still holds is the whole truth and
 * the segment's copy is left out.
 *
 * Keys and values returned point into the cursor's buffers, LMDB's map or
 * libmtbl's blocks: valid until the cursor moves again or closes.
 */
#include <stdlib.h>
#include <string.h>

#include "rv_err.h"
#include "store_lmdb.h"
#include "store_seg.h"

struct tsrc {
	struct rv_seg *seg;	/**< NULL: the LMDB cursor */
	struct rv_seg_it *it;
	int valid;		/**< on a row */
	int here;		/**< part of the current merged row */
	struct rv_val k, v;	/**< v: live encoding (LMDB) or packed */
};

struct rv_tier {
	struct rv_store *st;
	enum rv_db db;
	uint8_t tag;
	struct rv_cursor *live;
	struct rv_seg **segs;
	struct rv_seg_pending pend;
	int on;			/**< standing on a merged row */
	/* Where the sources stand: each on its first row >= base (base_eq)
	 * or > base; valid while have_base. */
	uint8_t base[RV_KEY_MAX];
	size_t baselen;
	int have_base, base_eq;
	struct rv_val ck, cv;	/**< that row */
	uint8_t key[RV_KEY_MAX];
	uint8_t *acc, *one, *out;	/**< value buffers, each cap octets */
	size_t cap;
	size_t n;		/**< sources: [0] LMDB, then the segments */
	struct tsrc src[];
};

static int
keycmp(const struct rv_val *a, const struct rv_val *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->data, b->data, n);

	if (c != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int
grow(struct rv_tier *t, size_t need)
{
	uint8_t *p[3];
	size_t cap = t->cap ? t->cap : 256;

	if (need <= t->cap)
		return RV_OK;
	while (cap < need)
		cap *= 2;
	for (int i = 0; i < 3; i++) {
		uint8_t **b = i == 0 ? &t->acc : i == 1 ? &t->one : &t->out;

		if ((p[i] = realloc(*b, cap)) == NULL)
			return RV_ENOMEM;
		*b = p[i];
	}
	t->cap = cap;
	return RV_OK;
}

int
rv_tier_open(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    struct rv_cursor *live, struct rv_tier **out)
{
	struct rv_seg **segs = NULL;
	struct rv_seg_pending pend;
	struct rv_tier *t;
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = rv_seg_list(st, txn, &segs, &n, &pend)) != RV_OK)
		return rc;
	if (n == 0) {
		free(segs);
		return RV_OK;
	}
	if ((t = calloc(1, sizeof(*t) + (n + 1) * sizeof(t->src[0]))) ==
	    NULL) {
		free(segs);
		return RV_ENOMEM;
	}
	t->st = st;
	t->db = db;
	t->tag = rv_seg_tag(db);
	t->live = live;
	t->segs = segs;
	t->pend = pend;
	t->n = n + 1;
	for (size_t i = 0; i < n; i++)
		t->src[i + 1].seg = segs[i];
	*out = t;
	return RV_OK;
}

void
rv_tier_close(struct rv_tier *t)
{
	if (t == NULL)
		return;
	for (size_t i = 1; i < t->n; i++) {
		rv_seg_it_close(t->src[i].it);
		rv_seg_release(t->st, t->src[i].seg);
	}
	free(t->segs);
	free(t->acc);
	free(t->one);
	free(t->out);
	free(t);
}

/* Move one source to its next row (op: where LMDB goes). A damaged
 * segment ends its source: it is reported (rv_store_seg_why) and the
 * others go on. */
static int
step(struct rv_tier *t, struct tsrc *s, enum rv_op op)
{
	const uint8_t *k, *v;
	size_t kl, vl;
	int rc;

	if (s->seg == NULL) {
		rc = rv_cursor_get_live(t->live, &s->k, &s->v, op);
	} else {
		rc = rv_seg_it_next(s->it, &k, &kl, &v, &vl);
		if (rc == RV_OK) {
			s->k.data = k;
			s->k.len = kl;
			s->v.data = v;
			s->v.len = vl;
		} else if (rc == RV_ECORRUPT) {
			rc = RV_ENOENT;
		}
	}
	s->valid = rc == RV_OK;
	return rc == RV_ENOENT ? RV_OK : rc;
}

/* A segment source before \p k: step forward, NEAR_ROWS rows at most,
 * to the first row >= k. Successive scans of nearby keys (one address
 * after another) then stay in the block libmtbl decoded; a new iterator
 * would decode it again (an 8 KiB block holds a few hundred rows; a
 * step within it costs about a 200th of decoding it). \return 1 if the source now stands on a row >= k or
 * at its end, 0 to open a new iterator at k. */
#define NEAR_ROWS 128
static int
near(struct rv_tier *t, struct tsrc *s, const struct rv_val *k)
{
	struct rv_val b = { t->baselen, t->base };
	int c;

	/* The source stands on its first row past base: for k past base
	 * too, the rows before k are ahead of it. */
	if (k->len == 0 || !t->have_base)
		return 0;
	c = keycmp(&b, k);
	if (c > 0 || (c == 0 && !t->base_eq))
		return 0;	/* backwards: only a new iterator goes back */
	for (int i = 0; i < NEAR_ROWS; i++) {
		if (keycmp(&s->k, k) >= 0)
			return 1;
		if (step(t, s, RV_NEXT) != RV_OK)
			return 0;
		if (!s->valid)
			return 1;	/* the end: nothing >= k */
	}
	return keycmp(&s->k, k) >= 0;
}

/* Put every source on the first row >= k (len 0: the first row). */
static int
seek(struct rv_tier *t, const struct rv_val *k)
{
	int rc = RV_OK;

	for (size_t i = 0; i < t->n; i++) {
		struct tsrc *s = &t->src[i];

		s->here = 0;
		if (s->seg == NULL) {
			s->k = *k;
			if ((rc = step(t, s, k->len ? RV_SET_RANGE : RV_FIRST)))
				break;
			continue;
		}
		if (s->it != NULL && s->valid && near(t, s, k))
			continue;	/* its decoded block serves again */
		rv_seg_it_close(s->it);
		s->it = NULL;
		s->valid = 0;
		rc = rv_seg_it_open(t->st, s->seg, t->tag, k->data, k->len,
		    &s->it);
		if (rc == RV_ECORRUPT) {
			rc = RV_OK;
			continue;	/* damaged: skipped */
		}
		if (rc != RV_OK || (rc = step(t, s, RV_NEXT)) != RV_OK)
			break;
	}
	t->have_base = rc == RV_OK;
	if (k->len > 0)		/* RV_FIRST seeks the empty key */
		memcpy(t->base, k->data, k->len);
	t->baselen = k->len;
	t->base_eq = 1;
	return rc;
}

/* Is the tagged key (tag, k) past the pending segment's progress? */
static int
past_done(const struct rv_tier *t, const struct rv_val *k)
{
	struct rv_val d = { t->pend.done_len, t->pend.done };
	uint8_t tk[RV_KEY_MAX + 1];
	struct rv_val kv = { k->len + 1, tk };

	if (t->pend.done_len == 0)
		return 1;
	tk[0] = t->tag;
	memcpy(tk + 1, k->data, k->len);
	return keycmp(&kv, &d) > 0;
}

/* Combine the sources on the smallest key into the current row. */
static int
pick(struct rv_tier *t)
{
	struct tsrc *min = NULL;
	size_t len, nval = 0, nhere = 0;
	int rc;

	t->on = 0;
	for (size_t i = 0; i < t->n; i++) {
		t->src[i].here = 0;
		if (t->src[i].valid && (min == NULL ||
		    keycmp(&t->src[i].k, &min->k) < 0))
			min = &t->src[i];
	}
	if (min == NULL)
		return RV_ENOENT;
	for (size_t i = 0; i < t->n; i++) {
		struct tsrc *s = &t->src[i];

		if (s->valid && keycmp(&s->k, &min->k) == 0) {
			s->here = 1;
			nhere++;
		}
	}
	memcpy(t->key, min->k.data, min->k.len);
	t->ck.data = t->key;
	t->ck.len = min->k.len;
	for (size_t i = 0; i < t->n; i++) {
		struct tsrc *s = &t->src[i];
		struct rv_val a, b;
		uint8_t *sw;

		if (!s->here)
			continue;
		if (s->seg != NULL && t->src[0].here &&
		    strcmp(s->seg->m.name, t->pend.name) == 0 &&
		    past_done(t, &t->ck))
			continue;	/* LMDB still holds the whole row */
		if (s->seg == NULL && nhere == 1) {
			t->cv = s->v;	/* LMDB alone: no copy */
			nval = 1;
			break;
		}
		if ((rc = grow(t, s->v.len + 20 + 2 * RV_SENSORS_MAX +
		    (nval ? t->cv.len : 0))) != RV_OK)
			return rc;
		if (nval > 0)
			t->cv.data = t->acc;	/* grow may have moved it */
		if (s->seg == NULL) {
			memcpy(t->one, s->v.data, s->v.len);
			len = s->v.len;
		} else if (rv_seg_val_unpack(t->db, s->v.data, s->v.len,
		    t->one, t->cap, &len) != RV_OK) {
			continue;	/* a row that does not decode: skipped */
		}
		if (nval == 0) {
			sw = t->acc;
			t->acc = t->one;
			t->one = sw;
			t->cv.data = t->acc;
			t->cv.len = len;
			nval = 1;
			continue;
		}
		a = t->cv;
		b.data = t->one;
		b.len = len;
		if ((rc = rv_seg_val_merge(t->db, &a, &b, t->out, t->cap,
		    &len)) != RV_OK)
			return rc;
		sw = t->acc;
		t->acc = t->out;
		t->out = sw;
		t->cv.data = t->acc;
		t->cv.len = len;
		nval++;
	}
	t->on = nval > 0;
	return RV_OK;
}

/* Move past the current row, to the next one that has a value. */
static int
advance(struct rv_tier *t)
{
	int rc;

	do {
		t->have_base = 0;
		for (size_t i = 0; i < t->n; i++)
			if (t->src[i].here &&
			    (rc = step(t, &t->src[i], RV_NEXT)) != RV_OK)
				return rc;
		/* every source is past the row just left */
		memcpy(t->base, t->ck.data, t->ck.len);
		t->baselen = t->ck.len;
		t->base_eq = 0;
		t->have_base = 1;
		if ((rc = pick(t)) != RV_OK)
			return rc;
	} while (!t->on);
	return RV_OK;
}

int
rv_tier_get(struct rv_tier *t, struct rv_val *k, struct rv_val *v,
    enum rv_op op)
{
	struct rv_val want = { 0, NULL };
	int rc;

	switch (op) {
	case RV_FIRST:
	case RV_SET_RANGE:
	case RV_SET_KEY:
		if (op != RV_FIRST) {
			if (k->len > RV_KEY_MAX)
				return RV_ETOOBIG;
			want = *k;
		}
		if ((rc = seek(t, &want)) != RV_OK ||
		    (rc = pick(t)) != RV_OK)
			break;
		if (!t->on && (rc = advance(t)) != RV_OK)
			break;
		if (op == RV_SET_KEY && keycmp(&t->ck, &want) != 0) {
			t->on = 0;
			return RV_ENOENT;
		}
		break;
	case RV_NEXT:
		if (!t->on)
			return RV_ENOENT;
		rc = advance(t);
		break;
	case RV_CURRENT:
		rc = t->on ? RV_OK : RV_ENOENT;
		break;
	default:
		return RV_ENOTSUP;	/* backwards: only on live databases */
	}
	if (rc != RV_OK) {
		t->on = 0;
		if (rc != RV_ENOENT)
			t->have_base = 0;	/* sources anywhere */
		return rc;
	}
	*k = t->ck;
	*v = t->cv;
	return RV_OK;
}
