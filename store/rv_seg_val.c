/**
 * \file rv_seg_val.c
 * The archive's value codec and the one merge rule of every tier
 * (store_seg.h, docs/ARCHIVE.md).
 *
 * A segment holds the live tier's rows (same keys, store/SCHEMA.md) with
 * the fixed 4-octet numbers at the head of each value rewritten as
 * varints: first, last as its distance from first, then the rest (count,
 * TTLs). The tail (sensors, the rdata set) is kept as it is. The live
 * encoding is what every reader decodes, so a segment row is unpacked back
 * to it before anyone sees it.
 */
#include <string.h>

#include "rv_be.h"
#include "rv_err.h"
#include "store_seg.h"

/* How many 4-octet numbers head each archivable database's value. */
static unsigned
head_nums(enum rv_db db)
{
	switch (db) {
	case RV_DB_RRSET:
	case RV_DB_NEG:
		return 5;	/* first last count ttl_min ttl_max */
	case RV_DB_RDATA:
		return 3;	/* first last count */
	case RV_DB_NAMES:
	case RV_DB_ASN:
		return 2;	/* first last */
	default:
		return 0;
	}
}

static size_t
put_varint(uint8_t *p, uint64_t x)
{
	size_t n = 0;

	while (x >= 0x80) {
		p[n++] = (uint8_t)(x | 0x80);
		x >>= 7;
	}
	p[n++] = (uint8_t)x;
	return n;
}

static int
get_varint(const uint8_t *p, size_t len, size_t *off, uint64_t *out)
{
	uint64_t x = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t b;

		if (*off >= len)
			return RV_ECORRUPT;
		b = p[(*off)++];
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = x;
			return RV_OK;
		}
	}
	return RV_ECORRUPT;
}

/* Signed distances (last - first, ttl_max - ttl_min) as zigzag. */
static uint64_t
zz(uint32_t to, uint32_t from)
{
	int64_t d = (int64_t)to - (int64_t)from;

	return ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);
}

static uint32_t
unzz(uint32_t from, uint64_t z)
{
	int64_t d = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);

	return (uint32_t)((int64_t)from + d);
}

int
rv_seg_val_pack(enum rv_db db, const uint8_t *v, size_t len, uint8_t *out,
    size_t cap, size_t *outlen)
{
	unsigned n = head_nums(db);
	uint32_t x[5];
	size_t o = 0;

	if (n == 0 || len < 4u * n)
		return n == 0 ? RV_EINVAL : RV_ECORRUPT;
	if (cap < len + 5)
		return RV_ETOOBIG;
	for (unsigned i = 0; i < n; i++)
		x[i] = rv_get32(v + 4 * i);
	o += put_varint(out + o, x[0]);
	o += put_varint(out + o, zz(x[1], x[0]));
	if (n >= 3)
		o += put_varint(out + o, x[2]);
	if (n == 5) {
		o += put_varint(out + o, x[3]);
		o += put_varint(out + o, zz(x[4], x[3]));
	}
	memcpy(out + o, v + 4 * n, len - 4 * n);
	*outlen = o + len - 4 * n;
	return RV_OK;
}

int
rv_seg_val_unpack(enum rv_db db, const uint8_t *p, size_t len, uint8_t *out,
    size_t cap, size_t *outlen)
{
	unsigned n = head_nums(db);
	uint64_t y[5];
	size_t o = 0;

	if (n == 0)
		return RV_EINVAL;
	for (unsigned i = 0; i < n; i++)	/* 1 and 4 are distances */
		if (get_varint(p, len, &o, &y[i]) != RV_OK ||
		    (i != 1 && i != 4 && y[i] > UINT32_MAX))
			return RV_ECORRUPT;
	if (cap < 4 * n + (len - o))
		return RV_ETOOBIG;
	rv_put32(out, (uint32_t)y[0]);
	rv_put32(out + 4, unzz((uint32_t)y[0], y[1]));
	if (n >= 3)
		rv_put32(out + 8, (uint32_t)y[2]);
	if (n == 5) {
		rv_put32(out + 12, (uint32_t)y[3]);
		rv_put32(out + 16, unzz((uint32_t)y[3], y[4]));
	}
	memcpy(out + 4 * n, p + o, len - o);
	*outlen = 4 * n + (len - o);
	return RV_OK;
}

/* Decode one row of db into rrset form (seen rows use first/last/count). */
static int
decode(enum rv_db db, const struct rv_val *v, struct rv_rrset_val *r,
    struct rv_seen *s)
{
	switch (db) {
	case RV_DB_RRSET:
		return rv_rrset_val_decode(v->data, v->len, r);
	case RV_DB_NEG:
		return rv_neg_val_decode(v->data, v->len, r);
	case RV_DB_RDATA:
		return rv_rdata_val_decode(v->data, v->len, s);
	case RV_DB_NAMES:
		return rv_names_val_decode(v->data, v->len, s);
	case RV_DB_ASN:
		return rv_asn_val_decode(v->data, v->len, s);
	default:
		return RV_EINVAL;
	}
}

static int
encode(enum rv_db db, const struct rv_rrset_val *r, const struct rv_seen *s,
    uint8_t *out, size_t cap, size_t *outlen)
{
	size_t n;

	switch (db) {
	case RV_DB_RRSET:
	case RV_DB_NEG:
		n = db == RV_DB_RRSET ? rv_rrset_val_size(r) :
		    rv_neg_val_size(r);
		if (n > cap)
			return RV_ETOOBIG;
		if (db == RV_DB_RRSET)
			rv_rrset_val_encode(r, out);
		else
			rv_neg_val_encode(r, out);
		break;
	case RV_DB_RDATA:
		if ((n = RV_RDATA_VAL_SIZE) > cap)
			return RV_ETOOBIG;
		rv_rdata_val_encode(s, out);
		break;
	default:
		if ((n = RV_SEEN2_SIZE) > cap)
			return RV_ETOOBIG;
		rv_seen2_encode(s, out);
		break;
	}
	*outlen = n;
	return RV_OK;
}

/* Decode a and b, each into the form its database uses (the other form
 * left zeroed, so encode() writes what it finds either way). */
static int
decode_two(enum rv_db db, const struct rv_val *a, struct rv_rrset_val *ra,
    struct rv_seen *sa, const struct rv_val *b, struct rv_rrset_val *rb,
    struct rv_seen *sb)
{
	int rc;

	memset(ra, 0, sizeof(*ra));
	memset(rb, 0, sizeof(*rb));
	memset(sa, 0, sizeof(*sa));
	memset(sb, 0, sizeof(*sb));
	if ((rc = decode(db, a, ra, sa)) != RV_OK)
		return rc;
	return decode(db, b, rb, sb);
}

int
rv_seg_val_merge(enum rv_db db, const struct rv_val *a,
    const struct rv_val *b, uint8_t *out, size_t cap, size_t *outlen)
{
	struct rv_rrset_val ra, rb;
	struct rv_seen sa, sb;
	int rc;

	if ((rc = decode_two(db, a, &ra, &sa, b, &rb, &sb)) != RV_OK)
		return rc;
	if (db == RV_DB_RRSET || db == RV_DB_NEG)
		rv_rrset_val_merge(&ra, &rb);	/* the set stays a's */
	else
		rv_seen_merge(&sa, &sb);
	return encode(db, &ra, &sa, out, cap, outlen);
}

int
rv_seg_val_less(enum rv_db db, const struct rv_val *live,
    const struct rv_val *arch, uint8_t *out, size_t cap, size_t *outlen)
{
	struct rv_rrset_val rl, ra;
	struct rv_seen sl, sa;
	int rc;

	if ((rc = decode_two(db, live, &rl, &sl, arch, &ra, &sa)) != RV_OK)
		return rc;
	/* Only the count adds up; first, last, TTLs and sensors are unions,
	 * which the merge of the archived row and the live one restores. */
	rl.count = rl.count > ra.count ? rl.count - ra.count : 0;
	sl.count = sl.count > sa.count ? sl.count - sa.count : 0;
	return encode(db, &rl, &sl, out, cap, outlen);
}

int
rv_seg_val_last(enum rv_db db, const struct rv_val *v, uint32_t *first,
    uint32_t *last)
{
	if (head_nums(db) == 0 || v->len < 8)
		return head_nums(db) == 0 ? RV_EINVAL : RV_ECORRUPT;
	*first = rv_get32(v->data);
	*last = rv_get32((const uint8_t *)v->data + 4);
	return RV_OK;
}
