/**
 * \file rv_store_key.c
 * Key builders and key decoders for every database of store/SCHEMA.md.
 */
#include <string.h>

#include "rv_err.h"
#include "rv_store.h"
#include "rv_be.h"

/* Append octets; RV_ETOOBIG past RV_KEY_MAX. */
static int
app(struct rv_key *k, const void *p, size_t n)
{
	if (k->len + n > RV_KEY_MAX)
		return RV_ETOOBIG;
	memcpy(k->buf + k->len, p, n);
	k->len += n;
	return RV_OK;
}

static int
app16(struct rv_key *k, uint16_t v)
{
	uint8_t b[2];

	rv_put16(b, v);
	return app(k, b, 2);
}

static int
app32(struct rv_key *k, uint32_t v)
{
	uint8_t b[4];

	rv_put32(b, v);
	return app(k, b, 4);
}

/* Append NK(name), or its prefix form when !term. */
static int
app_name(struct rv_key *k, const uint8_t *name, size_t len, int term)
{
	uint8_t tmp[RV_NAME_KEY_MAX];
	size_t n;
	int rc;

	rc = term ? rv_name_key(name, len, tmp, &n) :
	    rv_name_key_prefix(name, len, tmp, &n);
	if (rc != RV_OK)
		return rc;
	return app(k, tmp, n);
}

/* Append BW(owner, zone): label count of zone when owner is at or below
 * it, else 0xFF NK(zone). A NULL zone is the root. */
static int
app_bw(struct rv_key *k, const uint8_t *owner, size_t olen,
    const uint8_t *zone, size_t zlen)
{
	static const uint8_t root[1] = { 0 };
	uint8_t b;
	int n;

	if (zone == NULL || zlen == 0) {
		zone = root;
		zlen = 1;
	}
	if (rv_name_is_subdomain(owner, olen, zone, zlen)) {
		n = rv_name_labels(zone, zlen);
		if (n < 0 || n > 127)
			return RV_EFORMAT;
		b = (uint8_t)n;
		return app(k, &b, 1);
	}
	b = 0xFF;
	if (app(k, &b, 1) != RV_OK)
		return RV_ETOOBIG;
	return app_name(k, zone, zlen, 1);
}

struct rv_val
rv_key_val(const struct rv_key *k)
{
	struct rv_val v = { k->len, k->buf };

	return v;
}

int
rv_key_has_prefix(const struct rv_val *k, const struct rv_key *p)
{
	return k->len >= p->len && memcmp(k->data, p->buf, p->len) == 0;
}

/* --- rrset ------------------------------------------------------------ */

int
rv_key_rrset(struct rv_key *k, const uint8_t *owner, size_t olen,
    uint16_t type, const uint8_t *zone, size_t zlen, uint64_t digest)
{
	uint8_t d[8];
	int rc;

	k->len = 0;
	rv_put64(d, digest);
	if ((rc = app_name(k, owner, olen, 1)) != RV_OK ||
	    (rc = app16(k, type)) != RV_OK ||
	    (rc = app_bw(k, owner, olen, zone, zlen)) != RV_OK ||
	    (rc = app(k, d, 8)) != RV_OK)
		return rc;
	return RV_OK;
}

int
rv_key_rrset_name(struct rv_key *k, const uint8_t *owner, size_t olen)
{
	k->len = 0;
	return app_name(k, owner, olen, 1);
}

int
rv_key_rrset_name_type(struct rv_key *k, const uint8_t *owner, size_t olen,
    uint16_t type)
{
	int rc;

	k->len = 0;
	if ((rc = app_name(k, owner, olen, 1)) != RV_OK)
		return rc;
	return app16(k, type);
}

int
rv_key_rrset_sub(struct rv_key *k, const uint8_t *name, size_t nlen)
{
	k->len = 0;
	return app_name(k, name, nlen, 0);
}

/* Decode NK at *off into wire; advances *off. */
static int
take_name(const uint8_t *k, size_t len, size_t *off, uint8_t *wire,
    size_t *wlen)
{
	size_t n;

	if (*off >= len || rv_name_from_key_prefix(k + *off, len - *off, wire,
	    wlen, &n) != RV_OK)
		return RV_ECORRUPT;
	*off += n;
	return RV_OK;
}

/* Decode BW at *off given the owner. */
static int
take_bw(const uint8_t *k, size_t len, size_t *off, const uint8_t *owner,
    size_t olen, uint8_t *zone, size_t *zlen)
{
	int nl, skip;
	size_t i = 0;

	if (*off >= len)
		return RV_ECORRUPT;
	if (k[*off] == 0xFF) {
		(*off)++;
		return take_name(k, len, off, zone, zlen);
	}
	nl = rv_name_labels(owner, olen);
	skip = nl - k[*off];
	if (skip < 0)
		return RV_ECORRUPT;
	(*off)++;
	while (skip-- > 0)
		i += 1 + (size_t)owner[i];
	*zlen = olen - i;
	memcpy(zone, owner + i, *zlen);
	return RV_OK;
}

int
rv_rrset_key_decode(const uint8_t *k, size_t len, struct rv_rrset_key *out)
{
	size_t off = 0;

	/* no memset: two 255-octet buffers per row of a scan */
	out->rcode = 0;
	if (take_name(k, len, &off, out->owner, &out->owner_len) != RV_OK ||
	    off + 2 > len)
		return RV_ECORRUPT;
	out->type = rv_get16(k + off);
	off += 2;
	if (take_bw(k, len, &off, out->owner, out->owner_len, out->zone,
	    &out->zone_len) != RV_OK || off + 8 != len)
		return RV_ECORRUPT;
	out->digest = rv_get64(k + off);
	return RV_OK;
}

/* --- neg ---------------------------------------------------------------- */

int
rv_key_neg(struct rv_key *k, const uint8_t *qname, size_t qlen,
    uint16_t qtype, uint8_t rcode, const uint8_t *zone, size_t zlen)
{
	int rc;

	k->len = 0;
	if ((rc = app_name(k, qname, qlen, 1)) != RV_OK ||
	    (rc = app16(k, qtype)) != RV_OK ||
	    (rc = app(k, &rcode, 1)) != RV_OK ||
	    (rc = app_bw(k, qname, qlen, zone, zlen)) != RV_OK)
		return rc;
	return RV_OK;
}

int
rv_neg_key_decode(const uint8_t *k, size_t len, struct rv_rrset_key *out)
{
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	if (take_name(k, len, &off, out->owner, &out->owner_len) != RV_OK ||
	    off + 3 > len)
		return RV_ECORRUPT;
	out->type = rv_get16(k + off);
	out->rcode = k[off + 2];
	off += 3;
	if (take_bw(k, len, &off, out->owner, out->owner_len, out->zone,
	    &out->zone_len) != RV_OK || off != len)
		return RV_ECORRUPT;
	return RV_OK;
}

/* --- rdata -------------------------------------------------------------- */

static int
rdata_tail(struct rv_key *k, uint16_t type, const uint8_t *owner, size_t olen)
{
	int rc;

	if ((rc = app16(k, type)) != RV_OK)
		return rc;
	return app_name(k, owner, olen, 1);
}

int
rv_key_rdata_ip(struct rv_key *k, const struct rv_ip *ip, uint16_t type,
    const uint8_t *owner, size_t olen)
{
	uint8_t tag;
	size_t n = rv_ip_len(ip->family);
	int rc;

	if (n == 0)
		return RV_EINVAL;
	tag = ip->family == 4 ? RV_TAG_IPV4 : RV_TAG_IPV6;
	k->len = 0;
	if ((rc = app(k, &tag, 1)) != RV_OK || (rc = app(k, ip->addr, n)) != RV_OK)
		return rc;
	return rdata_tail(k, type, owner, olen);
}

int
rv_key_rdata_name(struct rv_key *k, const uint8_t *target, size_t tlen,
    uint16_t type, const uint8_t *owner, size_t olen)
{
	uint8_t tag = RV_TAG_NAME;
	int rc;

	k->len = 0;
	if ((rc = app(k, &tag, 1)) != RV_OK ||
	    (rc = app_name(k, target, tlen, 1)) != RV_OK)
		return rc;
	return rdata_tail(k, type, owner, olen);
}

int
rv_key_rdata_hash(struct rv_key *k, uint64_t digest, uint16_t type,
    const uint8_t *owner, size_t olen)
{
	int rc;

	if ((rc = rv_key_rdata_hash_prefix(k, digest)) != RV_OK)
		return rc;
	return rdata_tail(k, type, owner, olen);
}

int
rv_key_rdata_nk(struct rv_key *k, uint8_t tag, const uint8_t *payload,
    size_t plen, uint16_t type, const uint8_t *owner_nk, size_t nklen)
{
	int rc;

	k->len = 0;
	if ((rc = app(k, &tag, 1)) != RV_OK ||
	    (rc = app(k, payload, plen)) != RV_OK ||
	    (rc = app16(k, type)) != RV_OK)
		return rc;
	return app(k, owner_nk, nklen);
}

int
rv_key_rdata_range(struct rv_key *lo, struct rv_key *hi,
    const struct rv_iprange *r)
{
	size_t n = rv_ip_len(r->family);

	if (n == 0)
		return RV_EINVAL;
	lo->buf[0] = hi->buf[0] = r->family == 4 ? RV_TAG_IPV4 : RV_TAG_IPV6;
	memcpy(lo->buf + 1, r->lo, n);
	memcpy(hi->buf + 1, r->hi, n);
	lo->len = hi->len = 1 + n;
	return RV_OK;
}

int
rv_key_rdata_name_prefix(struct rv_key *k, const uint8_t *target, size_t tlen,
    int sub)
{
	uint8_t tag = RV_TAG_NAME;

	k->len = 0;
	if (app(k, &tag, 1) != RV_OK)
		return RV_ETOOBIG;
	return app_name(k, target, tlen, !sub);
}

int
rv_key_rdata_hash_prefix(struct rv_key *k, uint64_t digest)
{
	k->buf[0] = RV_TAG_HASH;
	rv_put64(k->buf + 1, digest);
	k->len = 9;
	return RV_OK;
}

int
rv_rdata_key_decode(const uint8_t *k, size_t len, struct rv_rdata_key *out)
{
	size_t off = 1, n;

	memset(out, 0, sizeof(*out));
	if (len < 1)
		return RV_ECORRUPT;
	out->tag = k[0];
	switch (k[0]) {
	case RV_TAG_IPV4:
	case RV_TAG_IPV6:
		out->ip.family = k[0] == RV_TAG_IPV4 ? 4 : 6;
		n = rv_ip_len(out->ip.family);
		if (off + n > len)
			return RV_ECORRUPT;
		memcpy(out->ip.addr, k + off, n);
		off += n;
		break;
	case RV_TAG_NAME:
		if (take_name(k, len, &off, out->target, &out->target_len))
			return RV_ECORRUPT;
		break;
	case RV_TAG_HASH:
		if (off + 8 > len)
			return RV_ECORRUPT;
		out->digest = rv_get64(k + off);
		off += 8;
		break;
	default:
		return RV_ECORRUPT;
	}
	if (off + 2 > len)
		return RV_ECORRUPT;
	out->type = rv_get16(k + off);
	off += 2;
	if (take_name(k, len, &off, out->owner, &out->owner_len) != RV_OK ||
	    off != len)
		return RV_ECORRUPT;
	return RV_OK;
}

/* --- names -------------------------------------------------------------- */

int
rv_key_names(struct rv_key *k, const uint8_t *owner, size_t olen)
{
	uint8_t tmp[RV_NAME_KEY_MAX];
	size_t n;
	int rc;

	k->len = 0;
	if ((rc = rv_name_key_fwd(owner, olen, tmp, &n)) != RV_OK)
		return rc;
	return app(k, tmp, n);
}

int
rv_key_names_prefix(struct rv_key *k, const uint8_t *labels, size_t llen)
{
	int rc;

	/* The forward key without its final 00: labels, each ending in 00. */
	if ((rc = rv_key_names(k, labels, llen)) != RV_OK)
		return rc;
	if (k->len > 1)
		k->len--;
	else
		k->len = 0;	/* the root: everything */
	return RV_OK;
}

int
rv_names_key_decode(const uint8_t *k, size_t len, uint8_t *owner,
    size_t *olen)
{
	size_t i = 0, o = 0;

	while (i < len && k[i] != 0) {
		size_t lpos = o++;
		uint8_t l = 0;
		while (i < len && k[i] != 0) {
			uint8_t c = k[i++];
			if (c == 1) {
				if (i >= len || k[i] < 1 || k[i] > 2)
					return RV_ECORRUPT;
				c = (uint8_t)(k[i++] - 1);
			}
			if (l == RV_LABEL_MAX || o + 2 > RV_NAME_MAX)
				return RV_ECORRUPT;
			owner[o++] = c;
			l++;
		}
		if (i >= len)
			return RV_ECORRUPT;
		i++;
		owner[lpos] = l;
	}
	if (i + 1 != len)
		return RV_ECORRUPT;
	owner[o++] = 0;
	*olen = o;
	return RV_OK;
}

/* --- ip ----------------------------------------------------------------- */

int
rv_key_ip_prefix(struct rv_key *k, const struct rv_ip *ip)
{
	size_t n = rv_ip_len(ip->family);

	if (n == 0)
		return RV_EINVAL;
	k->buf[0] = ip->family;
	memcpy(k->buf + 1, ip->addr, n);
	k->len = 1 + n;
	return RV_OK;
}

int
rv_key_ip(struct rv_key *k, const struct rv_ip *ip, uint32_t since)
{
	int rc;

	if ((rc = rv_key_ip_prefix(k, ip)) != RV_OK)
		return rc;
	return app32(k, since);
}

int
rv_ip_key_decode(const uint8_t *k, size_t len, struct rv_ip *ip,
    uint32_t *since)
{
	size_t n;

	memset(ip, 0, sizeof(*ip));
	if (len < 1 || (n = rv_ip_len(k[0])) == 0 || len != 1 + n + 4)
		return RV_ECORRUPT;
	ip->family = k[0];
	memcpy(ip->addr, k + 1, n);
	*since = rv_get32(k + 1 + n);
	return RV_OK;
}

/* --- asn ---------------------------------------------------------------- */

int
rv_key_asn_prefix(struct rv_key *k, uint32_t asn)
{
	rv_put32(k->buf, asn);
	k->len = 4;
	return RV_OK;
}

int
rv_key_asn(struct rv_key *k, uint32_t asn, const struct rv_ip *ip)
{
	size_t n = rv_ip_len(ip->family);

	if (n == 0)
		return RV_EINVAL;
	rv_put32(k->buf, asn);
	k->buf[4] = ip->family;
	memcpy(k->buf + 5, ip->addr, n);
	k->len = 5 + n;
	return RV_OK;
}

int
rv_asn_key_decode(const uint8_t *k, size_t len, uint32_t *asn,
    struct rv_ip *ip)
{
	size_t n;

	memset(ip, 0, sizeof(*ip));
	if (len < 5 || (n = rv_ip_len(k[4])) == 0 || len != 5 + n)
		return RV_ECORRUPT;
	*asn = rv_get32(k);
	ip->family = k[4];
	memcpy(ip->addr, k + 5, n);
	return RV_OK;
}
