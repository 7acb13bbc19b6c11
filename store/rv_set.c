/**
 * \file rv_set.c
 * Rdata sets: canonical form (RFC 4034 6.2 lowercasing, sorted, no
 * duplicates) and the 64-bit digest that rrset keys carry.
 */
#define _GNU_SOURCE 1	/* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "rv_hash.h"
#include "rv_err.h"
#include "rv_store.h"
#include "rv_be.h"

/* Lowercase the name at rd[*off] inside len; advance *off past it.
 * Returns -1 if there is no well-formed name there. */
static int
canon_name(uint8_t *rd, size_t len, size_t *off)
{
	size_t n;

	if (*off >= len || rv_name_wire_len(rd + *off, len - *off, &n) != RV_OK)
		return -1;
	rv_name_canon(rd + *off, n);
	*off += n;
	return 0;
}

void
rv_rdata_canon(uint16_t type, uint8_t *rd, size_t len)
{
	size_t off = 0;
	int names = 1;

	switch (type) {
	case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12:
	case 39: case 30 /* NXT */: case 47 /* NSEC */:
		break;
	case 6 /* SOA */: case 14 /* MINFO */: case 17 /* RP */:
		names = 2;
		break;
	case 15 /* MX */: case 18 /* AFSDB */: case 21 /* RT */:
	case 36 /* KX */:
		off = 2;
		break;
	case 26 /* PX */:
		off = 2;
		names = 2;
		break;
	case 33 /* SRV */:
		off = 6;
		break;
	case 24 /* SIG */: case 46 /* RRSIG */:
		off = 18;
		break;
	case 35 /* NAPTR */:
		off = 4;
		for (int i = 0; i < 3; i++) {
			if (off >= len || off + 1 + rd[off] > len)
				return;
			off += 1 + (size_t)rd[off];
		}
		break;
	case 38 /* A6 */:
		if (len < 1 || rd[0] == 0 || rd[0] > 128)
			return;
		off = 1 + (size_t)(128 - rd[0]) / 8;
		break;
	default:
		return;
	}
	while (names-- > 0)
		if (canon_name(rd, len, &off) != 0)
			return;
}

int
rv_set_next(const uint8_t *set, size_t len, size_t *off, const uint8_t **rd,
    uint16_t *rdlen)
{
	size_t o = *off;
	uint16_t n;

	if (o == len)
		return RV_ENOENT;
	if (o + 2 > len || o + 2 + (n = rv_get16(set + o)) > len)
		return RV_ECORRUPT;
	*rd = set + o + 2;
	*rdlen = n;
	*off = o + 2 + n;
	return RV_OK;
}

/* One entry of the set being built: offset of its length field in out. */
struct ent {
	size_t off;
	size_t len;	/* including the 2-octet length */
};

static int
ent_cmp(const void *a, const void *b, void *base)
{
	const struct ent *x = a, *y = b;
	const uint8_t *p = base;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(p + x->off, p + y->off, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

int
rv_set_canon(uint16_t type, const uint8_t *rdata, size_t rdata_len,
    uint16_t rdcount, uint8_t *out, size_t outsz, size_t *outlen,
    uint16_t *outcount)
{
	struct ent stack[32], *e = stack;
	uint8_t *tmp = NULL;
	size_t o = 0, w = 0;
	unsigned n = 0, k = 0;
	int rc = RV_OK;

	if (rdata_len > outsz) {
		rc = RV_ETOOBIG;
		goto leave;
	}
	if (rdcount > 32 && !(e = malloc(rdcount * sizeof(*e)))) {
		rc = RV_ENOMEM;
		goto leave;
	}
	/* Copy and canonicalise each entry into out, recording where. */
	while (o < rdata_len) {
		uint16_t l;
		if (o + 2 > rdata_len ||
		    o + 2 + (l = rv_get16(rdata + o)) > rdata_len || n == rdcount) {
			rc = RV_EFORMAT;
			goto leave;
		}
		memcpy(out + o, rdata + o, 2 + (size_t)l);
		rv_rdata_canon(type, out + o + 2, l);
		e[n].off = o;
		e[n].len = 2 + (size_t)l;
		n++;
		o += 2 + (size_t)l;
	}
	if (n != rdcount) {
		rc = RV_EFORMAT;
		goto leave;
	}
	if (n > 1) {
		/* Sort by (length, octets); the copy lets entries move. */
		int sorted = 1;
		for (unsigned i = 1; i < n && sorted; i++)
			sorted = ent_cmp(&e[i - 1], &e[i], out) < 0;
		if (!sorted) {
			qsort_r(e, n, sizeof(*e), ent_cmp, out);
			if (!(tmp = malloc(rdata_len))) {
				rc = RV_ENOMEM;
				goto leave;
			}
			memcpy(tmp, out, rdata_len);
			for (unsigned i = 0; i < n; i++) {
				if (i && e[i].len == e[i - 1].len &&
				    memcmp(tmp + e[i].off, tmp + e[i - 1].off,
				    e[i].len) == 0)
					continue;
				memcpy(out + w, tmp + e[i].off, e[i].len);
				w += e[i].len;
				k++;
			}
			n = k;
			o = w;
		}
	}
	*outlen = o;
	*outcount = (uint16_t)n;
leave:
	free(tmp);
	if (e != stack)
		free(e);
	return rc;
}

/* --- digest ------------------------------------------------------------- */

uint64_t
rv_set_digest(const uint8_t *set, size_t len)
{
	return rv_hash64(0x7276736574ULL /* "rvset" */, set, len);
}

uint64_t
rv_rdata_digest(uint16_t type, const uint8_t *rd, size_t len)
{
	uint8_t buf[65535];
	size_t n = len > sizeof(buf) ? sizeof(buf) : len;

	memcpy(buf, rd, n);
	rv_rdata_canon(type, buf, n);
	return rv_hash64(0x7276726400000000ULL | type, buf, n);
}
