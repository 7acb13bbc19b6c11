/**
 * \file fuzz_keys.c
 * libFuzzer target: the key builders and decoders of store/rv_store.h
 * and the value codecs. Two halves:
 *  - build: names, types, addresses and digests taken from the input are
 *    turned into every kind of key; each key must decode to exactly what
 *    built it (owner, zone, type, rcode, address, digest), and keys of one
 *    name must sort with the name (a name's key is a prefix of its
 *    subdomains' keys).
 *  - decode: the input itself is handed to every key and value decoder;
 *    whatever decodes must encode and decode again to the same thing.
 * The first octet picks the half and the key kind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rv_err.h"
#include "rv_ip.h"
#include "rv_name.h"
#include "rv_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A cursor over the fuzz input; reads past the end give zeros. */
struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t
u8(struct in *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static uint16_t
u16(struct in *in)
{
	return (uint16_t)(u8(in) << 8 | u8(in));
}

static uint64_t
u64(struct in *in)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | u8(in);
	return v;
}

/* A valid wire name of up to 127 labels with any octets in them (dots,
 * zeros, backslashes), lowercased as keys keep them. */
static void
name(struct in *in, uint8_t *w, size_t *len)
{
	unsigned labels = u8(in) % 128;
	size_t o = 0;

	for (unsigned i = 0; i < labels; i++) {
		size_t l = u8(in) % 64;
		if (l == 0)
			l = 1;
		if (o + 1 + l + 1 > RV_NAME_MAX)
			break;
		w[o++] = (uint8_t)l;
		for (size_t j = 0; j < l; j++)
			w[o++] = u8(in);
	}
	w[o++] = 0;
	*len = o;
	rv_name_canon(w, o);
}

/* A zone: usually an ancestor of the owner (the compact bailiwick), else
 * any name (the 0xFF form). */
static void
zone_of(struct in *in, const uint8_t *owner, size_t olen, uint8_t *z,
    size_t *zlen)
{
	uint8_t sel = u8(in);
	size_t o = 0;

	if (sel & 1) {
		name(in, z, zlen);
		return;
	}
	for (unsigned skip = sel >> 1; skip > 0 && owner[o]; skip--)
		o += 1 + (size_t)owner[o];
	*zlen = olen - o;
	memcpy(z, owner + o, *zlen);
}

static void
same_name(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	if (al != bl || memcmp(a, b, al) != 0)
		abort();
}

static void
ip_of(struct in *in, struct rv_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = (u8(in) & 1) ? 6 : 4;
	for (size_t i = 0; i < rv_ip_len(ip->family); i++)
		ip->addr[i] = u8(in);
}

static void
build(uint8_t kind, struct in *in)
{
	uint8_t owner[RV_NAME_MAX], zone[RV_NAME_MAX], tgt[RV_NAME_MAX];
	size_t olen, zlen, tlen;
	struct rv_key k, k2;
	struct rv_rrset_key rk;
	struct rv_rdata_key dk;
	struct rv_ip ip, ip2;
	uint16_t type;
	uint64_t dg;
	uint32_t t, t2, asn, asn2;

	name(in, owner, &olen);
	type = u16(in);
	switch (kind % 7) {
	case 0:		/* rrset */
		zone_of(in, owner, olen, zone, &zlen);
		dg = u64(in);
		if (rv_key_rrset(&k, owner, olen, type, zone, zlen, dg) != 0)
			return;		/* too long for LMDB: refused */
		if (rv_rrset_key_decode(k.buf, k.len, &rk) != 0)
			abort();
		same_name(rk.owner, rk.owner_len, owner, olen);
		same_name(rk.zone, rk.zone_len, zone, zlen);
		if (rk.type != type || rk.digest != dg)
			abort();
		/* the name prefix and the subtree prefix both match it */
		if (rv_key_rrset_name(&k2, owner, olen) == 0) {
			struct rv_val v = rv_key_val(&k);
			if (!rv_key_has_prefix(&v, &k2))
				abort();
		}
		if (rv_key_rrset_sub(&k2, zone, zlen) == 0 &&
		    rv_name_is_subdomain(owner, olen, zone, zlen)) {
			struct rv_val v = rv_key_val(&k);
			if (!rv_key_has_prefix(&v, &k2))
				abort();
		}
		break;
	case 1: {	/* neg */
		uint8_t rcode = u8(in);
		zone_of(in, owner, olen, zone, &zlen);
		if (rv_key_neg(&k, owner, olen, type, rcode, zone, zlen) != 0)
			return;
		if (rv_neg_key_decode(k.buf, k.len, &rk) != 0)
			abort();
		same_name(rk.owner, rk.owner_len, owner, olen);
		same_name(rk.zone, rk.zone_len, zone, zlen);
		if (rk.type != type || rk.rcode != rcode)
			abort();
		break;
	}
	case 2:		/* rdata: address */
		ip_of(in, &ip);
		if (rv_key_rdata_ip(&k, &ip, type, owner, olen) != 0)
			return;
		if (rv_rdata_key_decode(k.buf, k.len, &dk) != 0 ||
		    dk.tag != (ip.family == 4 ? RV_TAG_IPV4 : RV_TAG_IPV6) ||
		    dk.ip.family != ip.family || dk.type != type ||
		    memcmp(dk.ip.addr, ip.addr, rv_ip_len(ip.family)) != 0)
			abort();
		same_name(dk.owner, dk.owner_len, owner, olen);
		{	/* the address's own /32 or /128 range holds the key */
			struct rv_iprange r;
			struct rv_key lo, hi;
			struct rv_val v = rv_key_val(&k);
			if (rv_range_from_cidr(&ip, ip.family == 4 ? 32 : 128,
			    &r) != 0 || rv_key_rdata_range(&lo, &hi, &r) != 0)
				abort();
			size_t m = lo.len < k.len ? lo.len : k.len;
			int c = memcmp(v.data, lo.buf, m);
			if (c < 0 || (c == 0 && k.len < lo.len) ||
			    k.len < hi.len || memcmp(k.buf, hi.buf, hi.len) > 0)
				abort();
		}
		break;
	case 3:		/* rdata: target name */
		name(in, tgt, &tlen);
		if (rv_key_rdata_name(&k, tgt, tlen, type, owner, olen) != 0)
			return;
		if (rv_rdata_key_decode(k.buf, k.len, &dk) != 0 ||
		    dk.tag != RV_TAG_NAME || dk.type != type)
			abort();
		same_name(dk.target, dk.target_len, tgt, tlen);
		same_name(dk.owner, dk.owner_len, owner, olen);
		if (rv_key_rdata_name_prefix(&k2, tgt, tlen, 0) == 0) {
			struct rv_val v = rv_key_val(&k);
			if (!rv_key_has_prefix(&v, &k2))
				abort();
		}
		break;
	case 4:		/* rdata: digest */
		dg = u64(in);
		if (rv_key_rdata_hash(&k, dg, type, owner, olen) != 0)
			return;
		if (rv_rdata_key_decode(k.buf, k.len, &dk) != 0 ||
		    dk.tag != RV_TAG_HASH || dk.digest != dg || dk.type != type)
			abort();
		same_name(dk.owner, dk.owner_len, owner, olen);
		break;
	case 5: {	/* names */
		uint8_t back[RV_NAME_MAX];
		size_t blen;
		if (rv_key_names(&k, owner, olen) != 0)
			return;
		if (rv_names_key_decode(k.buf, k.len, back, &blen) != 0)
			abort();
		same_name(back, blen, owner, olen);
		break;
	}
	default:	/* ip and asn */
		ip_of(in, &ip);
		t = (uint32_t)u64(in);
		asn = (uint32_t)u64(in);
		if (rv_key_ip(&k, &ip, t) != 0 ||
		    rv_ip_key_decode(k.buf, k.len, &ip2, &t2) != 0 ||
		    ip2.family != ip.family || t2 != t ||
		    memcmp(ip2.addr, ip.addr, rv_ip_len(ip.family)) != 0)
			abort();
		if (rv_key_asn(&k, asn, &ip) != 0 ||
		    rv_asn_key_decode(k.buf, k.len, &asn2, &ip2) != 0 ||
		    asn2 != asn || ip2.family != ip.family ||
		    memcmp(ip2.addr, ip.addr, rv_ip_len(ip.family)) != 0)
			abort();
		break;
	}
}

/* Arbitrary octets into every decoder; what decodes must survive an
 * encode/decode round trip unchanged. */
static void
decode(const uint8_t *d, size_t n)
{
	struct rv_rrset_key rk, rk2;
	struct rv_rdata_key dk, dk2;
	struct rv_rrset_val v, v2;
	struct rv_ipinfo info, info2;
	struct rv_seen s;
	struct rv_key k;
	struct rv_ip ip;
	uint8_t w[RV_NAME_MAX], *buf;
	size_t wl;
	uint32_t t, asn;

	/* Keys the writer builds are lowercase; a decoded hostile key may
	 * hold upper case, which re-encoding folds: compare folded names. */
	if (rv_rrset_key_decode(d, n, &rk) == 0 &&
	    (rv_name_canon(rk.owner, rk.owner_len),
	    rv_name_canon(rk.zone, rk.zone_len), 1) &&
	    rv_key_rrset(&k, rk.owner, rk.owner_len, rk.type, rk.zone,
	    rk.zone_len, rk.digest) == 0) {
		if (rv_rrset_key_decode(k.buf, k.len, &rk2) != 0 ||
		    rk2.type != rk.type || rk2.digest != rk.digest)
			abort();
		same_name(rk2.owner, rk2.owner_len, rk.owner, rk.owner_len);
		same_name(rk2.zone, rk2.zone_len, rk.zone, rk.zone_len);
	}
	if (rv_neg_key_decode(d, n, &rk) == 0 &&
	    (rv_name_canon(rk.owner, rk.owner_len),
	    rv_name_canon(rk.zone, rk.zone_len), 1) &&
	    rv_key_neg(&k, rk.owner, rk.owner_len, rk.type, rk.rcode,
	    rk.zone, rk.zone_len) == 0) {
		if (rv_neg_key_decode(k.buf, k.len, &rk2) != 0 ||
		    rk2.type != rk.type || rk2.rcode != rk.rcode)
			abort();
		same_name(rk2.owner, rk2.owner_len, rk.owner, rk.owner_len);
	}
	if (rv_rdata_key_decode(d, n, &dk) == 0) {
		int rc = -1;
		if (dk.tag == RV_TAG_IPV4 || dk.tag == RV_TAG_IPV6)
			rc = rv_key_rdata_ip(&k, &dk.ip, dk.type, dk.owner,
			    dk.owner_len);
		else if (dk.tag == RV_TAG_NAME)
			rc = rv_key_rdata_name(&k, dk.target, dk.target_len,
			    dk.type, dk.owner, dk.owner_len);
		else if (dk.tag == RV_TAG_HASH)
			rc = rv_key_rdata_hash(&k, dk.digest, dk.type,
			    dk.owner, dk.owner_len);
		else
			abort();	/* decoded an unknown tag */
		if (rc == 0 && (rv_rdata_key_decode(k.buf, k.len, &dk2) != 0 ||
		    dk2.tag != dk.tag || dk2.type != dk.type))
			abort();
	}
	if (rv_names_key_decode(d, n, w, &wl) == 0 &&
	    rv_name_wire_len(w, wl, &wl) != 0)
		abort();	/* decoded into an invalid wire name */
	(void)rv_ip_key_decode(d, n, &ip, &t);
	(void)rv_asn_key_decode(d, n, &asn, &ip);
	(void)rv_rdata_val_decode(d, n, &s);
	(void)rv_names_val_decode(d, n, &s);

	if (rv_rrset_val_decode(d, n, &v) == 0) {
		size_t sz = rv_rrset_val_size(&v);
		if (!(buf = malloc(sz ? sz : 1)))
			abort();
		rv_rrset_val_encode(&v, buf);
		if (rv_rrset_val_decode(buf, sz, &v2) != 0 ||
		    v2.first != v.first || v2.last != v.last ||
		    v2.count != v.count || v2.nsens != v.nsens ||
		    v2.rdcount != v.rdcount || v2.set_len != v.set_len ||
		    memcmp(v2.set, v.set, v.set_len) != 0)
			abort();
		free(buf);
	}
	if (rv_neg_val_decode(d, n, &v) == 0) {
		size_t sz = rv_neg_val_size(&v);
		if (!(buf = malloc(sz ? sz : 1)))
			abort();
		rv_neg_val_encode(&v, buf);
		if (rv_neg_val_decode(buf, sz, &v2) != 0 ||
		    v2.count != v.count || v2.nsens != v.nsens)
			abort();
		free(buf);
	}
	if (rv_ipinfo_decode(d, n, &info) == 0) {
		size_t sz = rv_ipinfo_size(&info);
		if (!(buf = malloc(sz)))
			abort();
		rv_ipinfo_encode(&info, buf);
		if (rv_ipinfo_decode(buf, sz, &info2) != 0)
			abort();
		info2.since = info.since;
		if (!rv_ipinfo_same(&info, &info2) || info2.until != info.until)
			abort();
		free(buf);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data + 1, size ? size - 1 : 0 };

	if (size < 1 || size > 4096)
		return 0;
	if (data[0] & 0x80)
		decode(data + 1, size - 1);
	else
		build(data[0], &in);
	return 0;
}
