/**
 * \file rv_msg_scrub.c
 * rv_msg_records (rv_msg.h): a parsed upstream response, scrubbed as
 * Unbound's iterator scrubs it (its bailiwick rule), into the rv_records
 * the resolver module would have captured.
 */
#include "rv_msg.h"

#include <string.h>

#include "rv_be.h"
#include "rv_err.h"
#include "rv_msg_types.h"

#define CHAIN_MAX 16	/* CNAME links followed for the negative record */

/* --- the scrubber ------------------------------------------------------ */

#define K_KEEP	0x01	/* the RRset stays */
#define K_GLUE	0x02	/* an additional A/AAAA named by a kept RRset */
#define K_ONE	0x04	/* only its first RR (a CNAME) */
#define K_ANS	0x08	/* moved to the answer section (DS referral) */

struct scrub {
	const struct rv_msg *m;
	const uint8_t *zone;
	size_t zone_len;
	int zone_known;			/* else the question's name */
	int ns_dropped;			/* an authority NS out of the zone */
	uint8_t k[RV_MSG_RR_MAX];
	int syn_after;			/* synthesized CNAME after this set */
	uint8_t syn[2 + RV_NAME_MAX];	/* its packed rdata */
	size_t syn_len;
	struct rv_msg_out *out;
};

static int
name_strict_sub(const uint8_t *n, size_t nl, const uint8_t *z, size_t zl)
{
	return rv_name_is_subdomain(n, nl, z, zl) && !rv_name_eq(n, nl, z, zl);
}

static int
has_additional(uint16_t t)
{
	return t == T_MB || t == T_MD || t == T_MF || t == T_NS ||
	    t == T_MX || t == T_KX || t == T_SRV;
}

/* The name an RR of a has_additional type names. */
static int
additional_name(uint16_t type, const uint8_t *rd, size_t rdlen,
    const uint8_t **nm, size_t *nl)
{
	size_t off = type == T_MX || type == T_KX ? 2 : type == T_SRV ? 6 : 0;

	if (rdlen < off + 1)
		return 0;
	*nm = rd + off;
	return rv_name_wire_len(rd + off, rdlen - off, nl) == RV_OK;
}

static void
drop(struct scrub *sc, size_t s, unsigned *counter)
{
	sc->k[s] &= (uint8_t)~K_KEEP;
	(*counter)++;
}

static uint8_t
sec_of(const struct scrub *sc, size_t s)
{
	return (sc->k[s] & K_ANS) ? RV_SEC_ANSWER : sc->m->set[s].section;
}

static int
soa_in_auth(const struct scrub *sc)
{
	for (size_t s = 0; s < sc->m->nset; s++)
		if ((sc->k[s] & K_KEEP) && sc->m->set[s].type == T_SOA &&
		    sec_of(sc, s) == RV_SEC_AUTHORITY)
			return 1;
	return 0;
}

static size_t
an_sets(const struct scrub *sc)
{
	size_t n = sc->syn_after >= 0;

	for (size_t s = 0; s < sc->m->nset; s++)
		if ((sc->k[s] & K_KEEP) && sec_of(sc, s) == RV_SEC_ANSWER)
			n++;
	return n;
}

/* Mark the additional A/AAAA RRsets set s names. */
static void
mark_additional(struct scrub *sc, size_t s)
{
	const struct rv_msg *m = sc->m;
	const struct rv_msg_rrset *set = &m->set[s];
	size_t off = 0;
	const uint8_t *rd;
	uint16_t rl;

	if (!has_additional(set->type) || set->type == T_RRSIG)
		return;
	for (uint16_t i = 0; i < set->count && off + 2 <= set->rdata_len;
	    i++) {
		const uint8_t *nm;
		size_t nl;

		rl = rv_get16(set->rdata + off);
		rd = set->rdata + off + 2;
		off += 2 + (size_t)rl;
		if (!additional_name(set->type, rd, rl, &nm, &nl))
			continue;
		for (size_t a = 0; a < m->nset; a++) {
			const struct rv_msg_rrset *x = &m->set[a];

			if (x->section == RV_SEC_ADDITIONAL &&
			    (x->type == T_A || x->type == T_AAAA) &&
			    x->rclass == set->rclass &&
			    rv_name_eq(x->owner, x->owner_len, nm, nl))
				sc->k[a] |= K_GLUE;
		}
	}
}

/* The first RR's rdata of set s. */
static const uint8_t *
first_rdata(const struct rv_msg_rrset *set, uint16_t *rl)
{
	if (set->count < 1 || set->rdata_len < 2)
		return NULL;
	*rl = rv_get16(set->rdata);
	return set->rdata + 2;
}

/* CNAME sname -> alias, from DNAME set d. */
static int
dname_alias(const struct rv_msg_rrset *d, const uint8_t *sname,
    size_t snlen, uint8_t *alias, size_t *alen)
{
	uint16_t rl;
	const uint8_t *t = first_rdata(d, &rl);
	size_t tl, keep;

	if (!t || rv_name_wire_len(t, rl, &tl) != RV_OK)
		return 0;
	keep = snlen - d->owner_len;
	if (keep + tl > RV_NAME_MAX)
		return 0;
	memcpy(alias, sname, keep);
	memcpy(alias + keep, t, tl);
	*alen = keep + tl;
	return 1;
}

/* iter_scrub.c scrub_normalize(). \return 0 or RV_EFORMAT (rejected). */
static int
normalize(struct scrub *sc)
{
	const struct rv_msg *m = sc->m;
	uint8_t buf[2][RV_NAME_MAX];
	const uint8_t *sname = m->qname;
	size_t snlen = m->qname_len, s = 0;
	int nb = 0, nsset = -1;

	if (m->rcode != RC_NOERROR && m->rcode != RC_NXDOMAIN &&
	    m->rcode != RC_YXDOMAIN)
		return RV_OK;
	while (s < m->nset && m->set[s].section == RV_SEC_ANSWER) {
		const struct rv_msg_rrset *set = &m->set[s];

		if (set->type == T_DNAME &&
		    name_strict_sub(sname, snlen, set->owner, set->owner_len)) {
			uint8_t *alias = buf[nb];
			size_t alen;
			const struct rv_msg_rrset *nx = s + 1 < m->nset &&
			    m->set[s + 1].section == RV_SEC_ANSWER ?
			    &m->set[s + 1] : NULL;

			if (set->count != 1)
				return RV_EFORMAT;
			if (!dname_alias(set, sname, snlen, alias, &alen)) {
				if (m->rcode == RC_YXDOMAIN) {
					s++;
					continue;
				}
				return RV_EFORMAT;
			}
			if (nx && nx->type == T_CNAME && rv_name_eq(sname,
			    snlen, nx->owner, nx->owner_len)) {
				uint16_t rl;
				const uint8_t *t = first_rdata(nx, &rl);
				size_t tl;

				if (!t || rv_name_wire_len(t, rl, &tl) != RV_OK)
					return RV_EFORMAT;
				if (rv_name_eq(alias, alen, t, tl)) {
					s++;	/* the CNAME, as usual */
					continue;
				}
			}
			/* Synthesize; only one at the question's name can
			 * survive the sanitizer. */
			if (sc->syn_after < 0 && rv_name_eq(sname, snlen,
			    m->qname, m->qname_len)) {
				sc->syn_after = (int)s;
				rv_put16(sc->syn, (uint16_t)alen);
				memcpy(sc->syn + 2, alias, alen);
				sc->syn_len = 2 + alen;
			}
			sname = alias;
			snlen = alen;
			nb ^= 1;
			s++;
			continue;
		}
		if (!rv_name_eq(sname, snlen, set->owner, set->owner_len)) {
			drop(sc, s++, &sc->out->irrelevant);
			continue;
		}
		if (set->type == T_CNAME) {
			const uint8_t *old = sname;
			size_t oldlen = snlen;
			uint16_t rl;
			const uint8_t *t = first_rdata(set, &rl);
			size_t tl;

			if (!t || rv_name_wire_len(t, rl, &tl) != RV_OK)
				return RV_EFORMAT;
			if (set->count > 1)
				sc->k[s] |= K_ONE;
			sname = t;
			snlen = tl;
			s++;
			if (m->qtype == T_ANY)
				while (s < m->nset &&
				    m->set[s].section == RV_SEC_ANSWER &&
				    rv_name_eq(old, oldlen, m->set[s].owner,
				    m->set[s].owner_len))
					s++;
			continue;
		}
		if (m->qtype != T_ANY && m->qtype != set->type) {
			drop(sc, s++, &sc->out->irrelevant);
			continue;
		}
		if (rv_name_eq(m->qname, m->qname_len, set->owner,
		    set->owner_len))
			mark_additional(sc, s);
		s++;
	}
	for (; s < m->nset && m->set[s].section == RV_SEC_AUTHORITY; s++) {
		const struct rv_msg_rrset *set = &m->set[s];

		if (set->type == T_DNAME || set->type == T_CNAME ||
		    set->type == T_A || set->type == T_AAAA) {
			drop(sc, s, &sc->out->irrelevant);
			continue;
		}
		if (set->type == T_NS) {
			int nodata = m->rcode == RC_NOERROR &&
			    soa_in_auth(sc) && an_sets(sc) == 0;

			if (!rv_name_is_subdomain(m->qname, m->qname_len,
			    set->owner, set->owner_len) ||
			    m->rcode == RC_NXDOMAIN || nodata ||
			    m->rcode != RC_NOERROR || an_sets(sc) != 0 ||
			    soa_in_auth(sc) || (sc->zone_known &&
			    rv_name_eq(set->owner, set->owner_len, sc->zone,
			    sc->zone_len)) || nsset >= 0) {
				drop(sc, s, &sc->out->irrelevant);
				continue;
			}
			nsset = (int)s;
		}
		if (set->type == T_DS && m->qtype == T_DS &&
		    rv_name_eq(m->qname, m->qname_len, set->owner,
		    set->owner_len)) {
			for (size_t o = 0; o < m->nset; o++)
				if (o != s && (sc->k[o] & K_KEEP))
					drop(sc, o, &sc->out->irrelevant);
			sc->k[s] |= K_ANS;
			sc->syn_after = -1;
			return RV_OK;
		}
		mark_additional(sc, s);
	}
	for (; s < m->nset; s++) {
		const struct rv_msg_rrset *set = &m->set[s];

		if (set->type == T_A || set->type == T_AAAA) {
			if (!(sc->k[s] & K_GLUE))
				drop(sc, s, &sc->out->unglued);
			continue;
		}
		if (set->type == T_DNAME || set->type == T_CNAME ||
		    set->type == T_NS)
			drop(sc, s, &sc->out->irrelevant);
	}
	return RV_OK;
}

/* Does every NSEC's next name stay in the zone? */
static int
nsec_in_zone(const struct scrub *sc, const struct rv_msg_rrset *set)
{
	size_t off = 0;

	for (uint16_t i = 0; i < set->count; i++) {
		size_t nl;
		uint16_t rl;

		if (off + 2 > set->rdata_len)
			return 0;
		rl = rv_get16(set->rdata + off);
		if (off + 2 + rl > set->rdata_len ||
		    rv_name_wire_len(set->rdata + off + 2, rl, &nl) != RV_OK ||
		    !rv_name_is_subdomain(set->rdata + off + 2, nl, sc->zone,
		    sc->zone_len))
			return 0;
		off += 2 + (size_t)rl;
	}
	return 1;
}

/* iter_scrub.c scrub_sanitize(), without the private-address filter. */
static void
sanitize(struct scrub *sc)
{
	const struct rv_msg *m = sc->m;
	size_t s = 0;
	int del_addi = 0;

	/* Skip RRsets normalize dropped to find the first that stays. */
	while (s < m->nset && !(sc->k[s] & K_KEEP))
		s++;
	if (s < m->nset && m->set[s].type == T_DNAME &&
	    sec_of(sc, s) == RV_SEC_ANSWER &&
	    name_strict_sub(m->qname, m->qname_len, m->set[s].owner,
	    m->set[s].owner_len) &&
	    rv_name_is_subdomain(m->set[s].owner, m->set[s].owner_len,
	    sc->zone, sc->zone_len))
		s++;
	for (; s < m->nset; s++) {
		const struct rv_msg_rrset *set = &m->set[s];

		if (!(sc->k[s] & K_KEEP) || sec_of(sc, s) != RV_SEC_ANSWER)
			continue;
		if (!rv_name_eq(m->qname, m->qname_len, set->owner,
		    set->owner_len)) {
			if (has_additional(set->type))
				del_addi = 1;
			drop(sc, s, &sc->out->irrelevant);
		}
	}
	for (s = 0; s < m->nset; s++) {
		const struct rv_msg_rrset *set = &m->set[s];

		if (!(sc->k[s] & K_KEEP))
			continue;
		if (!rv_name_is_subdomain(set->owner, set->owner_len,
		    sc->zone, sc->zone_len)) {
			/* Unbound keeps a lame NS set above the zone for its
			 * lameness check; out of bailiwick here. */
			if (an_sets(sc) == 0 && set->type == T_NS &&
			    sec_of(sc, s) == RV_SEC_AUTHORITY &&
			    m->rcode == RC_NOERROR && !soa_in_auth(sc) &&
			    rv_name_is_subdomain(sc->zone, sc->zone_len,
			    set->owner, set->owner_len))
				del_addi = 1;
			else if (has_additional(set->type))
				del_addi = 1;
			if (set->type == T_NS &&
			    sec_of(sc, s) == RV_SEC_AUTHORITY)
				sc->ns_dropped = 1;
			drop(sc, s, &sc->out->out_of_zone);
			continue;
		}
		if (del_addi && sec_of(sc, s) == RV_SEC_ADDITIONAL) {
			drop(sc, s, &sc->out->unglued);
			continue;
		}
		if (set->type == T_NSEC && !nsec_in_zone(sc, set))
			drop(sc, s, &sc->out->out_of_zone);
	}
	/* The synthesized CNAME is at the question's name. */
	if (sc->syn_after >= 0 && !rv_name_is_subdomain(m->qname,
	    m->qname_len, sc->zone, sc->zone_len)) {
		sc->syn_after = -1;
		sc->out->out_of_zone++;
	}
}

static int
give(rv_msg_emit_fn emit, void *arg, const struct rv_record *rec,
    struct rv_msg_out *out)
{
	if (emit(arg, rec) == 0) {
		out->emitted++;
		return 1;
	}
	out->refused++;
	return 0;
}

/* A kept RRset of a section (0: any) by name (NULL: any) and type. The
 * synthesized CNAME counts as an answer RRset at the question's name. */
static int
find_kept(const struct scrub *sc, uint8_t section, const uint8_t *name,
    size_t nlen, uint16_t type, const uint8_t **rd, uint16_t *rl,
    size_t *set)
{
	const struct rv_msg *m = sc->m;

	for (size_t s = 0; s < m->nset; s++) {
		const struct rv_msg_rrset *x = &m->set[s];

		if ((sc->k[s] & K_KEEP) && sec_of(sc, s) == section &&
		    x->type == type && (!name || rv_name_eq(x->owner,
		    x->owner_len, name, nlen))) {
			*rd = first_rdata(x, rl);
			*set = s;
			return 1;
		}
		if ((int)s == sc->syn_after && section == RV_SEC_ANSWER &&
		    type == T_CNAME && (!name || rv_name_eq(m->qname,
		    m->qname_len, name, nlen))) {
			*rd = sc->syn + 2;
			*rl = (uint16_t)(sc->syn_len - 2);
			*set = RV_MSG_RR_MAX;
			return 1;
		}
	}
	return 0;
}

/* capture.c negative(), over the kept RRsets. */
static void
negative(const struct scrub *sc, struct rv_record *rec, rv_msg_emit_fn emit,
    void *arg, struct rv_msg_out *out)
{
	const struct rv_msg *m = sc->m;
	const uint8_t *name = m->qname, *rd;
	size_t nlen = m->qname_len, s, soa = 0;
	uint16_t rl;
	int followed = 0, has_soa;

	if (m->rcode != RC_NOERROR && m->rcode != RC_NXDOMAIN)
		return;
	/* Not the server's to deny. */
	if (!rv_name_is_subdomain(m->qname, m->qname_len, sc->zone,
	    sc->zone_len)) {
		out->out_of_zone++;
		return;
	}
	for (int i = 0; i < CHAIN_MAX && m->qtype != T_CNAME; i++) {
		size_t tl;

		if (!find_kept(sc, RV_SEC_ANSWER, name, nlen, T_CNAME, &rd,
		    &rl, &s) || !rd || rl < 1)
			break;
		if (rv_name_wire_len(rd, rl, &tl) != RV_OK)
			break;
		name = rd;
		nlen = tl;
		followed = 1;
	}
	has_soa = find_kept(sc, RV_SEC_AUTHORITY, NULL, 0, T_SOA, &rd, &rl,
	    &soa);
	if (m->rcode == RC_NOERROR) {
		if (m->qtype == T_ANY) {
			if (an_sets(sc) > 0)
				return;
		} else if (find_kept(sc, RV_SEC_ANSWER, name, nlen, m->qtype,
		    &rd, &rl, &s)) {
			return;
		}
		/* An NS set dropped as out of the zone still makes it a
		 * (lame or poisoned) referral, not a denial. */
		if (!has_soa && (followed || sc->ns_dropped ||
		    find_kept(sc, RV_SEC_AUTHORITY, NULL, 0, T_NS, &rd, &rl,
		    &s)))
			return;
	}
	rec->kind = RV_REC_NEGATIVE;
	rec->section = RV_SEC_NONE;
	rec->owner = name;
	rec->owner_len = nlen;
	rec->type = m->qtype;
	rec->rclass = m->qclass;
	rec->ttl = 0;
	if (has_soa) {
		const struct rv_msg_rrset *x = &m->set[soa];

		if (first_rdata(x, &rl) && rl >= 22) {
			uint32_t min = rv_get32(x->rdata + 2 + rl - 4);

			rec->ttl = x->first_ttl < min ? x->first_ttl : min;
		}
	}
	rec->rdcount = 0;
	rec->rdata = NULL;
	rec->rdata_len = 0;
	if (give(emit, arg, rec, out))
		out->negative++;
}

static void
emit_set(const struct scrub *sc, size_t s, struct rv_record *rec,
    rv_msg_emit_fn emit, void *arg, struct rv_msg_out *out)
{
	const struct rv_msg_rrset *set = &sc->m->set[s];

	rec->kind = RV_REC_RRSET;
	rec->section = sec_of(sc, s);
	rec->owner = set->owner;
	rec->owner_len = set->owner_len;
	rec->rclass = set->rclass;
	rec->type = set->type;
	if (set->count > 0) {
		rec->rdcount = set->count;
		rec->rdata = set->rdata;
		rec->rdata_len = set->rdata_len;
		rec->ttl = set->ttl;
		if (sc->k[s] & K_ONE) {
			rec->rdcount = 1;
			rec->rdata_len = 2 + (size_t)rv_get16(set->rdata);
			rec->ttl = set->first_ttl;
		}
		give(emit, arg, rec, out);
	}
	if (set->sig_count > 0) {
		rec->type = T_RRSIG;
		rec->rdcount = set->sig_count;
		rec->rdata = set->sigs;
		rec->rdata_len = set->sigs_len;
		rec->ttl = set->sig_ttl;
		give(emit, arg, rec, out);
	}
}

int
rv_msg_records(const struct rv_msg *m, const struct rv_msg_src *src,
    rv_msg_emit_fn emit, void *arg, struct rv_msg_out *out)
{
	struct scrub sc;
	struct rv_record rec;
	size_t zl;
	int rc;

	memset(out, 0, sizeof(*out));
	if (src->zone && (rv_name_wire_len(src->zone, src->zone_len, &zl) !=
	    RV_OK || zl != src->zone_len))
		return RV_EINVAL;
	if (!(m->flags & RV_MSG_QR) || m->opcode != 0 || m->qdcount != 1 ||
	    !m->has_question)
		return RV_EFORMAT;
	if (m->flags & RV_MSG_TC)
		return RV_ETRUNC;
	memset(&sc, 0, sizeof(sc));
	sc.m = m;
	sc.out = out;
	sc.zone = src->zone ? src->zone : m->qname;
	sc.zone_len = src->zone ? src->zone_len : m->qname_len;
	sc.zone_known = src->zone != NULL;
	sc.syn_after = -1;
	for (size_t s = 0; s < m->nset; s++)
		sc.k[s] = K_KEEP;
	if ((rc = normalize(&sc)) != RV_OK) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	sanitize(&sc);

	memset(&rec, 0, sizeof(rec));
	rec.rcode = m->rcode;
	rec.flags = (uint8_t)((src->flags & (RV_RF_FORWARD | RV_RF_TCP)) |
	    ((m->flags & RV_MSG_AA) ? RV_RF_AA : 0));
	rec.time = src->time;
	rec.server = src->server;
	rec.port = src->port;
	rec.qname = m->qname;
	rec.qname_len = m->qname_len;
	rec.qtype = m->qtype;
	rec.qclass = m->qclass;
	rec.zone = sc.zone;
	rec.zone_len = sc.zone_len;
	/* Answer first: a DS referral's DS moved there leads. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t s = 0; s < m->nset; s++) {
			if ((sc.k[s] & K_KEEP) &&
			    ((sc.k[s] & K_ANS) != 0) == (pass == 0))
				emit_set(&sc, s, &rec, emit, arg, out);
			if (pass == 1 && (int)s == sc.syn_after) {
				rec.kind = RV_REC_RRSET;
				rec.section = RV_SEC_ANSWER;
				rec.owner = m->qname;
				rec.owner_len = m->qname_len;
				rec.type = T_CNAME;
				rec.rclass = m->set[s].rclass;
				rec.ttl = 0;
				rec.rdcount = 1;
				rec.rdata = sc.syn;
				rec.rdata_len = sc.syn_len;
				give(emit, arg, &rec, out);
			}
		}
	negative(&sc, &rec, emit, arg, out);
	return RV_OK;
}
