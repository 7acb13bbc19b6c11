/**
 * \file rv_msg.c
 * DNS wire messages: the parser (see rv_msg.h; the scrubber that turns a
 * parsed response into rv_records is rv_msg_scrub.c).
 */
#include "rv_msg.h"

#include <string.h>

#include "rv_be.h"
#include "rv_err.h"

#include "rv_msg_types.h"

static inline uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

int
rv_msg_name(const uint8_t *w, size_t len, size_t off, size_t limit,
    uint8_t *out, size_t *out_len, size_t *end)
{
	size_t p = off, n = 0, lim = limit < len ? limit : len;
	int jumps = 0, jumped = 0;

	for (;;) {
		uint8_t c;

		if (p >= lim)
			return RV_ETRUNC;
		c = w[p];
		if ((c & 0xc0) == 0xc0) {
			size_t t;

			if (p + 1 >= lim)
				return RV_ETRUNC;
			t = (size_t)(c & 0x3f) << 8 | w[p + 1];
			if (!jumped)
				*end = p + 2;
			if (t >= p || ++jumps > RV_MSG_PTR_MAX)
				return RV_EFORMAT;
			jumped = 1;
			p = t;
			lim = len;
			continue;
		}
		if (c & 0xc0)
			return RV_EFORMAT;
		if (p + 1 + c > lim)
			return RV_ETRUNC;
		if (n + 1 + c > RV_NAME_MAX)
			return RV_EFORMAT;
		out[n] = c;
		memcpy(out + n + 1, w + p + 1, c);
		n += 1 + (size_t)c;
		if (c == 0) {
			if (!jumped)
				*end = p + 1;
			*out_len = n;
			return RV_OK;
		}
		p += 1 + (size_t)c;
	}
}

/*
 * The fields of the types whose rdata names are decompressed: 'f' two
 * fixed octets, 'N' a name, 'S' a character-string; what follows the
 * fields is copied as is. NULL: copy the whole rdata.
 */
static const char *
rdata_fields(uint16_t type)
{
	switch (type) {
	case T_NS: case T_MD: case T_MF: case T_CNAME: case T_MB: case T_MG:
	case T_MR: case T_PTR: case T_DNAME: case T_NXT: case T_NSEC:
		return "N";
	case T_SOA:
		return "NNffffffffff";
	case T_MINFO: case T_RP:
		return "NN";
	case T_MX: case T_AFSDB: case T_RT: case T_KX:
		return "fN";
	case T_PX:
		return "fNN";
	case T_SRV:
		return "fffN";
	case T_SIG: case T_RRSIG:
		return "fffffffffN";
	case T_NAPTR:
		return "ffSSSN";
	default:
		return NULL;
	}
}

/*
 * Canonical rdata of the RR whose wire rdata is [rd, rd + rdlen) into out
 * (cap octets). Fields stop where the rdata ends at a field boundary (as
 * Unbound's parser does); a field cut in the middle is malformed.
 */
static int
canon_rdata(const uint8_t *w, size_t len, size_t rd, size_t rdlen,
    uint16_t type, uint8_t *out, size_t cap, size_t *olen)
{
	const char *f = rdata_fields(type);
	size_t p = rd, e = rd + rdlen, o = 0;

	for (; f && *f && p < e; f++) {
		size_t n;

		if (*f == 'N') {
			uint8_t nm[RV_NAME_MAX];
			size_t nl, end;
			int rc = rv_msg_name(w, len, p, e, nm, &nl, &end);

			if (rc != RV_OK)
				return RV_EFORMAT;
			if (o + nl > cap)
				return RV_ETOOBIG;
			memcpy(out + o, nm, nl);
			o += nl;
			p = end;
			continue;
		}
		n = *f == 'f' ? 2 : 1 + (size_t)w[p];
		if (n > e - p)
			return RV_EFORMAT;
		if (o + n > cap)
			return RV_ETOOBIG;
		memcpy(out + o, w + p, n);
		o += n;
		p += n;
	}
	if (o + (e - p) > cap)
		return RV_ETOOBIG;
	memcpy(out + o, w + p, e - p);
	*olen = o + (e - p);
	return RV_OK;
}

static uint32_t
set_hash(const uint8_t *name, size_t nlen, uint16_t type, uint16_t rclass)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < nlen; i++)
		h = (h ^ lower(name[i])) * 16777619u;
	h = (h ^ type) * 16777619u;
	return (h ^ rclass) * 16777619u;
}

/* Unbound keeps an SOA in the authority section (a negative answer's)
 * apart from one elsewhere: it is another RRset. */
static int
soa_apart(const struct rv_msg_rrset *s, uint16_t type, uint8_t section)
{
	return type == T_SOA && (s->section == RV_SEC_AUTHORITY) !=
	    (section == RV_SEC_AUTHORITY);
}

static int
set_find(const struct rv_msg *m, uint32_t h, const uint8_t *name,
    size_t nlen, uint16_t type, uint16_t rclass, uint8_t section)
{
	for (size_t i = 0; i < m->nset; i++) {
		const struct rv_msg_rrset *s = &m->set[i];

		if (s->hash == h && s->type == type && s->rclass == rclass &&
		    !soa_apart(s, type, section) &&
		    rv_name_eq(s->owner, s->owner_len, name, nlen))
			return (int)i;
	}
	return -1;
}

/* The owner for a new RRset or an RR in none: shared with the RRset made
 * last when the octets are the same (RRs of one name come together). */
static const uint8_t *
name_store(struct rv_msg *m, const uint8_t *name, size_t nlen)
{
	uint8_t *p;

	if (m->nset > 0) {
		const struct rv_msg_rrset *l = &m->set[m->nset - 1];

		if (l->owner_len == nlen && memcmp(l->owner, name, nlen) == 0)
			return l->owner;
	}
	if (nlen > RV_MSG_NAMES_MAX - m->names_len)
		return NULL;
	p = m->names + m->names_len;
	memcpy(p, name, nlen);
	m->names_len += nlen;
	return p;
}

static int
sig_covered(const uint8_t *w, const struct rv_msg_rr *r, uint16_t *type)
{
	if (r->type != T_RRSIG || r->wire_rdlen < 2)
		return 0;
	*type = rv_get16(w + r->wire_rd);
	return 1;
}

static int
set_new(struct rv_msg *m, const uint8_t *name, size_t nlen, uint16_t type,
    uint16_t rclass, uint8_t section, uint32_t h, size_t first)
{
	struct rv_msg_rrset *s;
	const uint8_t *owner = name_store(m, name, nlen);

	if (!owner || m->nset >= RV_MSG_RR_MAX)
		return -1;
	s = &m->set[m->nset];
	memset(s, 0, sizeof(*s));
	s->owner = owner;
	s->owner_len = nlen;
	s->type = type;
	s->rclass = rclass;
	s->section = section;
	s->hash = h;
	s->first = (uint16_t)first;
	return (int)m->nset++;
}

/*
 * Put rr[i] (owner name/nlen) into an RRset. A data RR joins its RRset or
 * makes one (and takes the signatures over that wait for it in an RRSIG
 * RRset of this section); an RRSIG joins the RRset it covers in this
 * section, else the RRSIG RRset of its owner.
 */
static int
group(struct rv_msg *m, const uint8_t *w, size_t i, const uint8_t *name,
    size_t nlen)
{
	struct rv_msg_rr *r = &m->rr[i];
	uint16_t cov;
	uint32_t h;
	int s;

	r->set = RV_MSG_NOSET;
	if (r->type == T_OPT && r->section == RV_SEC_ADDITIONAL)
		goto alone;
	if (sig_covered(w, r, &cov)) {
		h = set_hash(name, nlen, cov, r->rclass);
		s = set_find(m, h, name, nlen, cov, r->rclass, r->section);
		if (s >= 0) {
			r->set = (uint16_t)s;
			return RV_OK;
		}
	}
	h = set_hash(name, nlen, r->type, r->rclass);
	s = set_find(m, h, name, nlen, r->type, r->rclass, r->section);
	if (s >= 0) {
		if (m->set[s].section != r->section) {
			m->dup_dropped++;
			goto alone;
		}
		r->set = (uint16_t)s;
		return RV_OK;
	}
	s = set_new(m, name, nlen, r->type, r->rclass, r->section, h, i);
	if (s < 0)
		return RV_ETOOBIG;
	r->set = (uint16_t)s;
	if (r->type != T_RRSIG) {
		/* Signatures that came first, in this section's RRSIG set. */
		uint32_t hs = set_hash(name, nlen, T_RRSIG, r->rclass);
		int ss = set_find(m, hs, name, nlen, T_RRSIG, r->rclass,
		    r->section);

		if (ss >= 0 && m->set[ss].section == r->section)
			for (size_t j = 0; j < i; j++)
				if (m->rr[j].set == (uint16_t)ss &&
				    sig_covered(w, &m->rr[j], &cov) &&
				    cov == r->type)
					m->rr[j].set = (uint16_t)s;
	}
	return RV_OK;
alone:
	r->owner = name_store(m, name, nlen);
	r->owner_len = nlen;
	return r->owner ? RV_OK : RV_ETOOBIG;
}

static uint32_t
rr_ttl(const struct rv_msg_rr *r)
{
	uint32_t ttl = r->ttl & 0x80000000u ? 0 : r->ttl;

	if (r->type == T_SOA && r->section == RV_SEC_AUTHORITY &&
	    r->rdlen >= 20) {
		uint32_t min = rv_get32(r->rdata + r->rdlen - 4);

		if (min < ttl)
			ttl = min;
	}
	return ttl;
}

/* Write the RRs of set s with is_sig (or not) into data, packed. */
static int
pack(struct rv_msg *m, const uint8_t *w, size_t len, size_t s, int sigs,
    size_t *count, uint32_t *ttl)
{
	struct rv_msg_rrset *set = &m->set[s];

	*count = 0;
	*ttl = 0;
	for (size_t i = 0; i < m->nrr; i++) {
		struct rv_msg_rr *r = &m->rr[i];
		size_t cl;
		uint32_t t;
		int rc;

		if (r->set != s || ((r->type == T_RRSIG &&
		    set->type != T_RRSIG) != sigs))
			continue;
		if (RV_MSG_DATA_MAX - m->data_len < 2)
			return RV_ETOOBIG;
		rc = canon_rdata(w, len, r->wire_rd, r->wire_rdlen, r->type,
		    m->data + m->data_len + 2,
		    RV_MSG_DATA_MAX - m->data_len - 2, &cl);
		if (rc != RV_OK)
			return rc;
		if (cl > UINT16_MAX)
			return RV_ETOOBIG;
		rv_put16(m->data + m->data_len, (uint16_t)cl);
		r->rdata = m->data + m->data_len + 2;
		r->rdlen = (uint16_t)cl;
		r->owner = set->owner;
		r->owner_len = set->owner_len;
		m->data_len += 2 + cl;
		t = rr_ttl(r);
		if (*count == 0 || t < *ttl)
			*ttl = t;
		if (*count == 0 && !sigs) {
			set->first = (uint16_t)i;
			set->first_ttl = t;
		}
		(*count)++;
	}
	return RV_OK;
}

static int
parse(struct rv_msg *m, const uint8_t *w, size_t len)
{
	uint8_t nm[RV_NAME_MAX];
	size_t nl, p, end;
	int rc;

	if (len < RV_MSG_HDR)
		return RV_ETRUNC;
	m->id = rv_get16(w);
	m->flags = rv_get16(w + 2);
	m->opcode = (uint8_t)RV_MSG_OPCODE(m->flags);
	m->rcode = (uint8_t)RV_MSG_RCODE(m->flags);
	m->qdcount = rv_get16(w + 4);
	m->ancount = rv_get16(w + 6);
	m->nscount = rv_get16(w + 8);
	m->arcount = rv_get16(w + 10);
	p = RV_MSG_HDR;
	for (unsigned q = 0; q < m->qdcount; q++) {
		if ((rc = rv_msg_name(w, len, p, len, nm, &nl, &end)) != RV_OK)
			return rc;
		if (len - end < 4)
			return RV_ETRUNC;
		if (q == 0) {
			memcpy(m->qname, nm, nl);
			m->qname_len = nl;
			m->qtype = rv_get16(w + end);
			m->qclass = rv_get16(w + end + 2);
			m->has_question = 1;
		}
		p = end + 4;
	}
	if ((size_t)m->ancount + m->nscount + m->arcount > RV_MSG_RR_MAX)
		return RV_ETOOBIG;
	for (size_t i = 0; i < (size_t)m->ancount + m->nscount + m->arcount;
	    i++) {
		struct rv_msg_rr *r = &m->rr[i];

		memset(r, 0, sizeof(*r));
		r->section = i < m->ancount ? RV_SEC_ANSWER :
		    i < (size_t)m->ancount + m->nscount ? RV_SEC_AUTHORITY :
		    RV_SEC_ADDITIONAL;
		if ((rc = rv_msg_name(w, len, p, len, nm, &nl, &end)) != RV_OK)
			return rc;
		if (len - end < 10)
			return RV_ETRUNC;
		r->type = rv_get16(w + end);
		r->rclass = rv_get16(w + end + 2);
		r->ttl = rv_get32(w + end + 4);
		r->wire_rdlen = rv_get16(w + end + 8);
		r->wire_rd = end + 10;
		if (len - r->wire_rd < r->wire_rdlen)
			return RV_ETRUNC;
		p = r->wire_rd + r->wire_rdlen;
		m->nrr = i + 1;
		if ((rc = group(m, w, i, nm, nl)) != RV_OK)
			return rc;
	}
	/* RRs in no RRset keep their rdata too (packed like the rest). */
	for (size_t s = 0; s < m->nset; s++) {
		struct rv_msg_rrset *set = &m->set[s];
		size_t n, off = m->data_len;
		uint32_t ttl;

		if ((rc = pack(m, w, len, s, 0, &n, &ttl)) != RV_OK)
			return rc;
		set->count = (uint16_t)n;
		set->ttl = ttl;
		set->rdata = m->data + off;
		set->rdata_len = m->data_len - off;
		off = m->data_len;
		if ((rc = pack(m, w, len, s, 1, &n, &ttl)) != RV_OK)
			return rc;
		set->sig_count = (uint16_t)n;
		set->sig_ttl = ttl;
		set->sigs = m->data + off;
		set->sigs_len = m->data_len - off;
	}
	for (size_t i = 0; i < m->nrr; i++) {
		struct rv_msg_rr *r = &m->rr[i];
		size_t cl;

		if (r->set != RV_MSG_NOSET)
			continue;
		if (RV_MSG_DATA_MAX - m->data_len < 2)
			return RV_ETOOBIG;
		rc = canon_rdata(w, len, r->wire_rd, r->wire_rdlen, r->type,
		    m->data + m->data_len + 2,
		    RV_MSG_DATA_MAX - m->data_len - 2, &cl);
		if (rc != RV_OK)
			return rc;
		if (cl > UINT16_MAX)
			return RV_ETOOBIG;
		rv_put16(m->data + m->data_len, (uint16_t)cl);
		r->rdata = m->data + m->data_len + 2;
		r->rdlen = (uint16_t)cl;
		m->data_len += 2 + cl;
	}
	return RV_OK;
}

/* Drop the RRsets that lost every RR to another (signatures moved to the
 * RRset they cover) and renumber. */
static void
compact(struct rv_msg *m)
{
	uint16_t map[RV_MSG_RR_MAX];
	size_t n = 0;

	for (size_t s = 0; s < m->nset; s++) {
		if (m->set[s].count == 0 && m->set[s].sig_count == 0) {
			map[s] = RV_MSG_NOSET;
			continue;
		}
		map[s] = (uint16_t)n;
		if (n != s)
			m->set[n] = m->set[s];
		n++;
	}
	if (n == m->nset)
		return;
	m->nset = n;
	for (size_t i = 0; i < m->nrr; i++)
		if (m->rr[i].set != RV_MSG_NOSET)
			m->rr[i].set = map[m->rr[i].set];
}

int
rv_msg_parse(struct rv_msg *m, const uint8_t *wire, size_t len)
{
	int rc;

	m->id = m->flags = 0;
	m->opcode = m->rcode = 0;
	m->qdcount = m->ancount = m->nscount = m->arcount = 0;
	m->has_question = 0;
	m->qname_len = 0;
	m->qtype = m->qclass = 0;
	m->nrr = m->nset = 0;
	m->dup_dropped = 0;
	m->names_len = m->data_len = 0;
	if (!wire && len > 0)
		return RV_EINVAL;
	rc = parse(m, wire, len);
	if (rc != RV_OK) {
		m->nrr = m->nset = 0;
		return rc;
	}
	compact(m);
	return RV_OK;
}
