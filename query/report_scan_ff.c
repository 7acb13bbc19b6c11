/**
 * \file report_scan_ff.c
 * The fast-flux side of the report pass (report_scan.h): a name's A/AAAA
 * RRsets, each address enriched with the ASN and country stored for it at
 * observation time (the ip period holding the RRset's last seen, clipped
 * to the window) when the name could be flagged at all
 * (ff_name_may_flag), the kept rows, and, for them only, the NS names of
 * the zone that served them (the bailiwick), looked up once per zone.
 */
#include <stdlib.h>
#include <string.h>

#include "report_scan.h"
#include "rv_err.h"
#include "rv_name.h"
#include "rv_rdata.h"
#include "rv_store.h"

struct nsctx {
	struct scan *s;
	int rc;
};

static int
ns_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct nsctx *x = arg;
	struct scan *s = x->s;
	struct rv_rrset_val val;
	const uint8_t *rd;
	uint16_t rdlen;
	uint64_t setdig = 0;
	size_t off = 0, n = 0, i;
	int rc;

	if ((rc = rv_rrset_val_decode(v->data, v->len, &val)) != 0)
		return rc;
	for (i = k->len >= 8 ? k->len - 8 : 0; i < k->len; i++)
		setdig = setdig << 8 | ((const uint8_t *)k->data)[i];
	while ((rc = rv_set_next(val.set, val.set_len, &off, &rd, &rdlen)) ==
	    RV_OK) {
		if (n == s->nscap) {
			size_t ncap = s->nscap ? s->nscap * 2 : 16;
			uint64_t *p = realloc(s->nsbuf, ncap * sizeof(*p));

			if (p == NULL)
				return RV_ENOMEM;
			s->nsbuf = p;
			s->nscap = ncap;
		}
		s->nsbuf[n++] = rv_rdata_digest(TYPE_NS, rd, rdlen);
	}
	if (rc != RV_ENOENT)
		return rc;
	return rvq_ff_ns_add(&s->ns, &s->cfg->win, val.first, val.last, setdig,
	    s->nsbuf, n);
}

/* NS names of a zone (a name's bailiwick), cached for the last zone. */
static int
zone_ns(struct scan *s, const uint8_t *zone, size_t zlen)
{
	struct nsctx x = { s, 0 };
	struct rv_key k;
	int rc;

	if (s->ns_valid && s->nszlen == zlen &&
	    memcmp(s->nszone, zone, zlen) == 0)
		return RV_OK;
	rvq_ff_ns_start(&s->ns);
	rc = rv_key_rrset_name_type(&k, zone, zlen, TYPE_NS);
	if (rc == RV_OK)
		rc = rv_store_scan(s->db->st, s->db->txn, RV_DB_RRSET, &k, &k,
		    ns_row, &x);
	if (rc != RV_OK)
		return rc;
	memcpy(s->nszone, zone, zlen);
	s->nszlen = zlen;
	s->ns_n = rvq_ff_ns_count(&s->ns);
	s->ns_changed = s->ns.nsets > 1;
	s->ns_valid = 1;
	return RV_OK;
}

/* ASN and country of ip at time t, through a direct-mapped cache of
 * enrichment periods (addresses repeat across names and rotations). The
 * report renews its read transaction, so it keeps no store cursor here,
 * and this cache of values copied out lives across renewals (rvq_db's
 * own ones end with each transaction).
 * \return 0, RV_ENOENT (no enrichment), or a store error. */
static int
geo(struct scan *s, const struct rv_ip *ip, uint32_t t, uint32_t *asn,
    char cc[3])
{
	struct geo_slot *g;
	struct rv_ipinfo info;
	uint64_t h = 1469598103934665603ull;
	size_t i, n = rv_ip_len(ip->family);
	int rc;

	for (i = 0; i < n; i++)
		h = (h ^ ip->addr[i]) * 1099511628211ull;
	g = &s->geo[(h ^ h >> 29) & (GEO_SLOTS - 1)];
	/* A cached period answers for t inside it; an address with no row
	 * (rc RV_ENOENT) has none at any time. */
	if (g->used && g->ip.family == ip->family &&
	    memcmp(g->ip.addr, ip->addr, n) == 0 && (g->rc == RV_ENOENT ||
	    (t >= g->since && (g->until == 0 || t < g->until)))) {
		*asn = g->asn;
		memcpy(cc, g->cc, 3);
		return g->rc;
	}
	rc = rv_store_ipinfo_at(s->db->st, s->db->txn, ip, t, &info);
	if (rc != RV_OK && rc != RV_ENOENT)
		return rc;
	memset(g, 0, sizeof(*g));
	g->used = 1;
	g->ip = *ip;
	g->rc = rc;
	if (rc == RV_OK) {
		g->asn = info.asn;
		memcpy(g->cc, info.cc, 2);
		/* The period answered for t; before the first period the first
		 * one answers, so widen it down to 0. */
		g->since = t < info.since ? 0 : info.since;
		g->until = info.until;
	}
	*asn = g->asn;
	memcpy(cc, g->cc, 3);
	return rc;
}

/* The ASN and country of every address of the current name at the time
 * its RRset was last seen (clipped to the window's end). */
static void
enrich(struct scan *s)
{
	struct rvq_ff_name *n = &s->ffn;
	size_t i, k;

	for (i = 0; i < n->nrr; i++) {
		const struct rvq_ff_rrset *r = &n->rr[i];
		uint32_t t = (int64_t)r->last > s->cfg->win.until ?
		    (uint32_t)s->cfg->win.until : r->last;

		for (k = 0; k < r->naddr; k++) {
			struct rvq_ff_addr *a = &n->addr[r->addr_off + k];

			if (geo(s, &a->ip, t, &a->asn, a->cc) != RV_OK) {
				a->asn = 0;
				a->cc[0] = '\0';
			}
		}
	}
}

int
rvq_scan_ff_rrset(struct scan *s, uint16_t type,
    const struct rv_rrset_val *val)
{
	const struct rvq_window *w = &s->cfg->win;
	const uint8_t *rd;
	uint16_t rdlen;
	size_t off = 0, n = 0;
	int rc;

	if (!rvq_window_overlaps(w, val->first, val->last))
		return RV_OK;
	if (!s->have_zone) {
		struct rv_rrset_key key;

		rc = rv_rrset_key_decode(s->rr.k.data, s->rr.k.len,
		    &key);
		if (rc != RV_OK)
			return rc;
		memcpy(s->zone, key.zone, key.zone_len);
		s->zlen = key.zone_len;
		s->have_zone = 1;
	}
	while ((rc = rv_set_next(val->set, val->set_len, &off, &rd, &rdlen)) ==
	    RV_OK) {
		struct rvq_ff_addr *a;

		if (rdlen != (type == TYPE_A ? 4 : 16))
			continue;
		if (n == s->acap) {
			size_t ncap = s->acap ? s->acap * 2 : 64;
			struct rvq_ff_addr *p = realloc(s->abuf,
			    ncap * sizeof(*p));

			if (p == NULL)
				return RV_ENOMEM;
			s->abuf = p;
			s->acap = ncap;
		}
		a = &s->abuf[n++];
		memset(a, 0, sizeof(*a));
		a->ip.family = type == TYPE_A ? 4 : 6;
		memcpy(a->ip.addr, rd, rdlen);
	}
	if (rc != RV_ENOENT)
		return rc;
	return rvq_ff_name_add(&s->ffn, w, type, val->first, val->last,
	    val->count, val->ttl_min, s->abuf, n);
}

/* Drop the rows from keep on (the rows are ranked). */
void
rvq_scan_ff_cut(struct rvq_report *rep, size_t keep)
{
	size_t i;

	for (i = keep; i < rep->nff; i++) {
		free(rep->ff[i].rr);
		free(rep->ff[i].addr);
	}
	if (rep->nff > keep)
		rep->nff = keep;
}
/* With a row limit, hold at most 2 * keep rows: past that, rank them and
 * drop all but the best keep (amortised n log keep, and bounded memory
 * for --all over a large database). */
static void
trim_ff(struct rvq_report *rep, uint64_t keep)
{
	if (keep == 0 || rep->nff < 2 * keep)
		return;
	qsort(rep->ff, rep->nff, sizeof(*rep->ff), rvq_scan_cmp_ff);
	rvq_scan_ff_cut(rep, keep);
}
static int
keep_ff(struct scan *s, const struct rvq_ff_result *r)
{
	struct rvq_report *rep = s->rep;
	struct rvq_report_ff *row;

	trim_ff(rep, s->cfg->keep);

	if (rep->nff == rep->capff) {
		size_t ncap = rep->capff ? rep->capff * 2 : 64;
		struct rvq_report_ff *p = realloc(rep->ff, ncap * sizeof(*p));

		if (p == NULL)
			return RV_ENOMEM;
		rep->ff = p;
		rep->capff = ncap;
	}
	row = &rep->ff[rep->nff];
	memset(row, 0, sizeof(*row));
	memcpy(row->owner, s->owner, s->olen);
	row->owner_len = s->olen;
	if (s->have_zone) {
		memcpy(row->zone, s->zone, s->zlen);
		row->zone_len = s->zlen;
	}
	row->r = *r;
	if (r->flagged) {
		row->rr = malloc(s->ffn.nrr * sizeof(*row->rr));
		row->addr = malloc((s->ffn.naddr ? s->ffn.naddr : 1) *
		    sizeof(*row->addr));
		if (row->rr == NULL || row->addr == NULL) {
			free(row->rr);
			free(row->addr);
			return RV_ENOMEM;
		}
		memcpy(row->rr, s->ffn.rr, s->ffn.nrr * sizeof(*row->rr));
		memcpy(row->addr, s->ffn.addr, s->ffn.naddr *
		    sizeof(*row->addr));
		row->nrr = s->ffn.nrr;
		row->naddr = s->ffn.naddr;
	}
	rep->nff++;
	return RV_OK;
}

int
rvq_scan_ff_done(struct scan *s)
{
	struct rvq_ff_result r;
	int rc;

	if (!rvq_ff_name_candidate(&s->ffn))
		return RV_OK;
	/* Enrichment only matters for a name that could be flagged (one
	 * address never spans two ASNs), or to show it with --all. */
	if (!s->cfg->all && !rvq_ff_name_may_flag(&s->ffn, &s->cfg->ff)) {
		s->rep->ff_candidates++;
		return RV_OK;
	}
	enrich(s);
	if ((rc = rvq_ff_name_eval(&s->ffn, &s->cfg->ff, &r)) != RV_OK)
		return rc;
	s->rep->ff_candidates++;
	if (r.flagged)
		s->rep->ff_flagged++;
	if (r.flagged || s->cfg->all)
		return keep_ff(s, &r);
	return RV_OK;
}

int
rvq_scan_ff_ns(struct scan *s)
{
	struct rvq_report *rep = s->rep;
	size_t i;
	int rc;

	for (i = 0; i < rep->nff; i++) {
		struct rvq_report_ff *f = &rep->ff[i];

		if (f->zone_len == 0)
			continue;
		if ((rc = zone_ns(s, f->zone, f->zone_len)) != RV_OK)
			return rc;
		f->r.n_ns = s->ns_n;
		f->r.ns_changed = s->ns_changed;
	}
	return RV_OK;
}

int
rvq_scan_cmp_ff(const void *a, const void *b)
{
	const struct rvq_report_ff *x = a, *y = b;

	if (x->r.flagged != y->r.flagged)
		return x->r.flagged ? -1 : 1;
	if (x->r.score != y->r.score)
		return x->r.score > y->r.score ? -1 : 1;
	if (x->r.holz != y->r.holz)
		return x->r.holz > y->r.holz ? -1 : 1;
	return rvq_scan_bcmp(x->owner, x->owner_len, y->owner, y->owner_len);
}
