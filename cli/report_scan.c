/**
 * \file report_scan.c
 * The database side of `rearview report`: one pass over the rrset and neg
 * databases, merged by owner name (both keys start with NK(owner), so
 * every name's RRsets and negative answers come together, names in DNS
 * canonical order), in read-only transactions renewed every REPORT_CHUNK
 * records at a name boundary.
 *
 * Fast flux: a name's A/AAAA RRsets, each address enriched with the ASN
 * and country stored for it at observation time (the ip period holding
 * the RRset's last seen, clipped to the window) when the name could be
 * flagged at all (ff_name_may_flag), and, for the rows kept, the NS
 * RRsets of the zone
 * that served them (the bailiwick), looked up once per zone.
 *
 * Tunnelling: each name's registered domain comes from the public suffix
 * list (libpsl), computed once per parent name: reg(x.P) is x.P when P is
 * a public suffix, else reg(P). Names come in depth-first order, so the
 * open domains form a stack (a registered domain can hold another one
 * below a private suffix, e.g. amazonaws.com and b.s3.amazonaws.com).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpsl.h>

#include "report.h"
#include "rv_err.h"
#include "rv_name.h"
#include "rv_rdata.h"
#include "rv_store.h"

#define TYPE_A		1
#define TYPE_NS		2
#define TYPE_AAAA	28
#define STACK_MAX	128

/* A cursor over one database that survives transaction renewal. */
struct cur {
	enum rv_db db;
	MDB_cursor *c;
	MDB_val k, v;
	size_t nklen;		/* NK(owner) length at the start of k */
	int eof;
	uint8_t save[RV_KEY_MAX];
	size_t savelen;
};

/* A cached enrichment: the address, the period it holds for, the result. */
struct geo_slot {
	struct rv_ip ip;
	uint8_t used;
	char cc[3];
	int rc;
	uint32_t since, until, asn;
};
#define GEO_SLOTS (1u << 16)

/* An open registered domain. */
struct frame {
	struct tun_domain d;
	uint8_t sample[REPORT_SAMPLES][RV_NAME_MAX];
	size_t samplelen[REPORT_SAMPLES];
	unsigned nsample;
};

struct scan {
	struct cli_db *db;
	const struct report_cfg *cfg;
	struct report *rep;
	struct cur rr, neg;
	uint64_t nrec;		/* records since the last renewal */
	/* the current name */
	uint8_t nk[RV_KEY_MAX];
	size_t nklen;
	uint8_t owner[RV_NAME_MAX];
	size_t olen;
	/* fast flux */
	struct ff_name ffn;
	struct ff_addr *abuf;
	size_t acap;
	uint8_t zone[RV_NAME_MAX];
	size_t zlen;
	int have_zone;
	struct ff_ns ns;
	uint64_t *nsbuf;
	size_t nscap;
	uint8_t nszone[RV_NAME_MAX];
	size_t nszlen;
	int ns_valid;
	unsigned ns_n;
	int ns_changed;
	struct geo_slot *geo;	/* GEO_SLOTS, direct-mapped by address */
	/* tunnelling */
	struct frame *stack;
	int depth;
	int below;		/* the name is strictly below the top domain */
	int name_in;		/* the name had a record in the window */
	uint8_t pcache[RV_NAME_MAX];	/* parent name of the last lookup */
	size_t pclen;
	int pc_valid;
	int pc_suffix;		/* the parent is a public suffix */
	size_t pc_reglen;	/* else its registered domain's length, or 0 */
};

static int cmp_ff(const void *a, const void *b);
static int cmp_tun(const void *a, const void *b);

/* Compare two byte strings, shorter first on a common prefix. */
static int
bcmp_len(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n ? memcmp(a, b, n) : 0;

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int
cur_get(struct cur *c, MDB_cursor_op op)
{
	int mrc = mdb_cursor_get(c->c, &c->k, &c->v, op);

	if (mrc == MDB_NOTFOUND) {
		c->eof = 1;
		return RV_OK;
	}
	if (mrc != 0)
		return rv_store_err(mrc);
	c->eof = 0;
	return rv_name_key_len(c->k.mv_data, c->k.mv_size, &c->nklen) ==
	    RV_OK ? RV_OK : RV_ECORRUPT;
}

static int
cur_open(struct scan *s, struct cur *c)
{
	int mrc = mdb_cursor_open(s->db->txn, rv_store_dbi(s->db->st,
	    c->db), &c->c);

	return mrc ? rv_store_err(mrc) : RV_OK;
}

/* End the read transaction and begin a fresh one, putting both cursors
 * back on the record they were on. */
static int
renew(struct scan *s)
{
	struct cur *cs[2] = { &s->rr, &s->neg };
	int i, rc = RV_OK;

	for (i = 0; i < 2; i++) {
		if (!cs[i]->eof) {
			cs[i]->savelen = cs[i]->k.mv_size;
			memcpy(cs[i]->save, cs[i]->k.mv_data, cs[i]->savelen);
		}
		mdb_cursor_close(cs[i]->c);
		cs[i]->c = NULL;
	}
	mdb_txn_abort(s->db->txn);
	s->db->txn = NULL;
	rc = rv_store_read_begin(s->db->st, &s->db->txn);
	if (rc != RV_OK)
		goto leave;
	s->rep->txns++;
	for (i = 0; i < 2; i++) {
		if ((rc = cur_open(s, cs[i])) != RV_OK)
			goto leave;
		if (cs[i]->eof)
			continue;
		cs[i]->k.mv_data = cs[i]->save;
		cs[i]->k.mv_size = cs[i]->savelen;
		if ((rc = cur_get(cs[i], MDB_SET_RANGE)) != RV_OK)
			goto leave;
	}
	s->nrec = 0;
leave:
	return rc;
}

static int
same_name(const struct scan *s, const struct cur *c)
{
	return !c->eof && c->nklen == s->nklen &&
	    memcmp(c->k.mv_data, s->nk, s->nklen) == 0;
}

/* --- fast flux ------------------------------------------------------------ */

struct nsctx {
	struct scan *s;
	int rc;
};

static int
ns_row(const MDB_val *k, const MDB_val *v, void *arg)
{
	struct nsctx *x = arg;
	struct scan *s = x->s;
	struct rv_rrset_val val;
	const uint8_t *rd;
	uint16_t rdlen;
	uint64_t setdig = 0;
	size_t off = 0, n = 0, i;
	int rc;

	if ((rc = rv_rrset_val_decode(v->mv_data, v->mv_size, &val)) != 0)
		return rc;
	for (i = k->mv_size >= 8 ? k->mv_size - 8 : 0; i < k->mv_size; i++)
		setdig = setdig << 8 | ((const uint8_t *)k->mv_data)[i];
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
	return ff_ns_add(&s->ns, &s->cfg->win, val.first, val.last, setdig,
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
	ff_ns_start(&s->ns);
	rc = rv_key_rrset_name_type(&k, zone, zlen, TYPE_NS);
	if (rc == RV_OK)
		rc = rv_store_scan(s->db->st, s->db->txn, RV_DB_RRSET, &k, &k,
		    ns_row, &x);
	if (rc != RV_OK)
		return rc;
	memcpy(s->nszone, zone, zlen);
	s->nszlen = zlen;
	s->ns_n = ff_ns_count(&s->ns);
	s->ns_changed = s->ns.nsets > 1;
	s->ns_valid = 1;
	return RV_OK;
}

/* ASN and country of ip at time t, through a direct-mapped cache of
 * enrichment periods (addresses repeat across names and rotations). The
 * report renews its read transaction, so it keeps no LMDB handle here
 * (cli_db's own geo cache may hold a cursor of the first transaction).
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
	struct ff_name *n = &s->ffn;
	size_t i, k;

	for (i = 0; i < n->nrr; i++) {
		const struct ff_rrset *r = &n->rr[i];
		uint32_t t = (int64_t)r->last > s->cfg->win.until ?
		    (uint32_t)s->cfg->win.until : r->last;

		for (k = 0; k < r->naddr; k++) {
			struct ff_addr *a = &n->addr[r->addr_off + k];

			if (geo(s, &a->ip, t, &a->asn, a->cc) != RV_OK) {
				a->asn = 0;
				a->cc[0] = '\0';
			}
		}
	}
}

static int
ff_rrset(struct scan *s, uint16_t type, const struct rv_rrset_val *val)
{
	const struct rv_window *w = &s->cfg->win;
	const uint8_t *rd;
	uint16_t rdlen;
	size_t off = 0, n = 0;
	int rc;

	if (!rv_window_overlaps(w, val->first, val->last))
		return RV_OK;
	if (!s->have_zone) {
		struct rv_rrset_key key;

		rc = rv_rrset_key_decode(s->rr.k.mv_data, s->rr.k.mv_size,
		    &key);
		if (rc != RV_OK)
			return rc;
		memcpy(s->zone, key.zone, key.zone_len);
		s->zlen = key.zone_len;
		s->have_zone = 1;
	}
	while ((rc = rv_set_next(val->set, val->set_len, &off, &rd, &rdlen)) ==
	    RV_OK) {
		struct ff_addr *a;

		if (rdlen != (type == TYPE_A ? 4 : 16))
			continue;
		if (n == s->acap) {
			size_t ncap = s->acap ? s->acap * 2 : 64;
			struct ff_addr *p = realloc(s->abuf, ncap * sizeof(*p));

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
	return ff_name_add(&s->ffn, w, type, val->first, val->last,
	    val->count, val->ttl_min, s->abuf, n);
}

/* Drop the rows from keep on (the rows are ranked). */
static void
cut_ff(struct report *rep, size_t keep)
{
	size_t i;

	for (i = keep; i < rep->nff; i++) {
		free(rep->ff[i].rr);
		free(rep->ff[i].addr);
	}
	if (rep->nff > keep)
		rep->nff = keep;
}

static void
cut_tun(struct report *rep, size_t keep)
{
	size_t i;
	unsigned j;

	for (i = keep; i < rep->ntun; i++)
		for (j = 0; j < REPORT_SAMPLES; j++)
			free(rep->tun[i].sample[j]);
	if (rep->ntun > keep)
		rep->ntun = keep;
}

/* With a row limit, hold at most 2 * keep rows: past that, rank them and
 * drop all but the best keep (amortised n log keep, and bounded memory
 * for --all over a large database). */
static void
trim_ff(struct report *rep, uint64_t keep)
{
	if (keep == 0 || rep->nff < 2 * keep)
		return;
	qsort(rep->ff, rep->nff, sizeof(*rep->ff), cmp_ff);
	cut_ff(rep, keep);
}

static void
trim_tun(struct report *rep, uint64_t keep)
{
	if (keep == 0 || rep->ntun < 2 * keep)
		return;
	qsort(rep->tun, rep->ntun, sizeof(*rep->tun), cmp_tun);
	cut_tun(rep, keep);
}

static int
keep_ff(struct scan *s, const struct ff_result *r)
{
	struct report *rep = s->rep;
	struct report_ff *row;

	trim_ff(rep, s->cfg->keep);

	if (rep->nff == rep->capff) {
		size_t ncap = rep->capff ? rep->capff * 2 : 64;
		struct report_ff *p = realloc(rep->ff, ncap * sizeof(*p));

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

static int
ff_name_done(struct scan *s)
{
	struct ff_result r;
	int rc;

	if (!ff_name_candidate(&s->ffn))
		return RV_OK;
	/* Enrichment only matters for a name that could be flagged (one
	 * address never spans two ASNs), or to show it with --all. */
	if (!s->cfg->all && !ff_name_may_flag(&s->ffn, &s->cfg->ff)) {
		s->rep->ff_candidates++;
		return RV_OK;
	}
	enrich(s);
	if ((rc = ff_name_eval(&s->ffn, &s->cfg->ff, &r)) != RV_OK)
		return rc;
	s->rep->ff_candidates++;
	if (r.flagged)
		s->rep->ff_flagged++;
	if (r.flagged || s->cfg->all)
		return keep_ff(s, &r);
	return RV_OK;
}

/* --- tunnelling ----------------------------------------------------------- */

/* Length of the registered domain of the current name (a suffix of it),
 * 0 when it has none. */
static size_t
reg_domain(struct scan *s)
{
	const uint8_t *p;
	size_t plen;
	char str[RV_NAME_STR_MAX];
	const char *reg;
	size_t k, labels, i;

	if (s->olen <= 1)
		return 0;
	p = s->owner + 1 + s->owner[0];
	plen = s->olen - 1 - s->owner[0];
	if (!s->pc_valid || s->pclen != plen || memcmp(s->pcache, p, plen)) {
		memcpy(s->pcache, p, plen);
		s->pclen = plen;
		s->pc_valid = 1;
		s->pc_suffix = 0;
		s->pc_reglen = 0;
		if (plen <= 1) {		/* the parent is the root */
			s->pc_suffix = 1;
			goto done;
		}
		if (rv_name_to_str(p, plen, str, sizeof(str)) != RV_OK)
			goto done;
		k = strlen(str);
		if (k > 0 && str[k - 1] == '.')
			str[k - 1] = '\0';
		if (psl_is_public_suffix(s->cfg->psl, str)) {
			s->pc_suffix = 1;
			goto done;
		}
		reg = psl_registrable_domain(s->cfg->psl, str);
		if (reg == NULL)
			goto done;
		/* Labels before reg: its unescaped dots. */
		for (labels = 0, i = 0; str + i < reg; i++) {
			if (str[i] == '\\')
				i++;
			else if (str[i] == '.')
				labels++;
		}
		for (i = 0; labels > 0 && i < plen; labels--)
			i += 1 + p[i];
		s->pc_reglen = plen - i;
	}
done:
	if (s->pc_suffix)
		return s->olen;
	return s->pc_reglen;
}

static int
keep_tun(struct scan *s, struct frame *f)
{
	struct report *rep = s->rep;
	struct report_tun *row;
	struct tun_result r;
	char str[RV_NAME_STR_MAX];
	unsigned i;

	if (tun_eval(&f->d, &s->cfg->tun, &r) != RV_OK)
		return RV_OK;
	rep->tun_candidates++;
	if (r.flagged)
		rep->tun_flagged++;
	if (!r.flagged && !s->cfg->all)
		return RV_OK;
	trim_tun(rep, s->cfg->keep);
	if (rep->ntun == rep->captun) {
		size_t ncap = rep->captun ? rep->captun * 2 : 64;
		struct report_tun *p = realloc(rep->tun, ncap * sizeof(*p));

		if (p == NULL)
			return RV_ENOMEM;
		rep->tun = p;
		rep->captun = ncap;
	}
	row = &rep->tun[rep->ntun++];
	memset(row, 0, sizeof(*row));
	memcpy(row->domain, f->d.domain, f->d.domain_len);
	row->domain_len = f->d.domain_len;
	row->r = r;
	row->last = (uint32_t)f->d.last_in;
	for (i = 0; i < f->nsample; i++) {
		if (rv_name_to_str(f->sample[i], f->samplelen[i], str,
		    sizeof(str)) != RV_OK)
			continue;
		if ((row->sample[i] = strdup(str)) == NULL)
			return RV_ENOMEM;
	}
	return RV_OK;
}

static int
pop(struct scan *s)
{
	return keep_tun(s, &s->stack[--s->depth]);
}

/* Find or open the frame of the current name's registered domain. */
static int
tun_name_begin(struct scan *s)
{
	size_t reglen = reg_domain(s);
	const uint8_t *reg = s->owner + s->olen - reglen;
	struct frame *top;
	int rc;

	s->below = 0;
	s->name_in = 0;
	if (reglen == 0)
		return RV_OK;
	while (s->depth > 0) {
		top = &s->stack[s->depth - 1];
		if (rv_name_is_subdomain(reg, reglen, top->d.domain,
		    top->d.domain_len))
			break;
		if ((rc = pop(s)) != RV_OK)
			return rc;
	}
	top = s->depth > 0 ? &s->stack[s->depth - 1] : NULL;
	if (top == NULL || top->d.domain_len != reglen ||
	    memcmp(top->d.domain, reg, reglen) != 0) {
		if (s->depth == STACK_MAX)
			return RV_OK;	/* absurdly deep: skip */
		top = &s->stack[s->depth++];
		tun_start(&top->d, reg, reglen);
		top->nsample = 0;
	}
	s->below = s->olen > reglen;
	return RV_OK;
}

static void
tun_name_end(struct scan *s)
{
	struct frame *f;

	if (!s->below || !s->name_in)
		return;
	f = &s->stack[s->depth - 1];
	tun_add_name(&f->d, s->owner, s->olen);
	if (f->nsample < REPORT_SAMPLES) {
		memcpy(f->sample[f->nsample], s->owner, s->olen);
		f->samplelen[f->nsample++] = s->olen;
	}
}

/* --- the merge ------------------------------------------------------------ */

static int
do_rrset(struct scan *s)
{
	const uint8_t *k = s->rr.k.mv_data;
	struct rv_rrset_val val;
	uint16_t type;
	int rc;

	if (s->rr.k.mv_size < s->rr.nklen + 2)
		return RV_ECORRUPT;
	type = (uint16_t)(k[s->rr.nklen] << 8 | k[s->rr.nklen + 1]);
	rc = rv_rrset_val_decode(s->rr.v.mv_data, s->rr.v.mv_size, &val);
	if (rc != RV_OK)
		return rc;
	if ((s->cfg->kinds & REPORT_FF) && (type == TYPE_A ||
	    type == TYPE_AAAA) && (rc = ff_rrset(s, type, &val)) != RV_OK)
		return rc;
	if (s->below && tun_add_rrset(&s->stack[s->depth - 1].d,
	    &s->cfg->win, type, val.first, val.last, val.count))
		s->name_in = 1;
	return RV_OK;
}

static int
do_neg(struct scan *s)
{
	const uint8_t *k = s->neg.k.mv_data;
	struct rv_rrset_val val;
	int rc;

	if (!s->below)
		return RV_OK;
	if (s->neg.k.mv_size < s->neg.nklen + 3)
		return RV_ECORRUPT;
	rc = rv_neg_val_decode(s->neg.v.mv_data, s->neg.v.mv_size, &val);
	if (rc != RV_OK)
		return rc;
	if (tun_add_neg(&s->stack[s->depth - 1].d, &s->cfg->win,
	    k[s->neg.nklen + 2], val.first, val.last, val.count))
		s->name_in = 1;
	return RV_OK;
}

/* All records of the next name. */
static int
one_name(struct scan *s)
{
	const struct cur *c;
	int allowed, rc;

	if (s->rr.eof)
		c = &s->neg;
	else if (s->neg.eof)
		c = &s->rr;
	else
		c = bcmp_len(s->rr.k.mv_data, s->rr.nklen, s->neg.k.mv_data,
		    s->neg.nklen) <= 0 ? &s->rr : &s->neg;
	s->nklen = c->nklen;
	memcpy(s->nk, c->k.mv_data, c->nklen);
	if ((rc = rv_name_from_key(s->nk, s->nklen, s->owner, &s->olen)))
		return rc;
	allowed = rv_allow_match(&s->cfg->allow, s->owner, s->olen);
	ff_name_start(&s->ffn, s->owner, s->olen);
	s->have_zone = 0;
	s->below = 0;
	if (!allowed && (s->cfg->kinds & REPORT_TUN) &&
	    (rc = tun_name_begin(s)) != RV_OK)
		return rc;
	while (same_name(s, &s->rr)) {
		if (!allowed && (rc = do_rrset(s)) != RV_OK)
			return rc;
		s->nrec++;
		s->rep->records++;
		if ((rc = cur_get(&s->rr, MDB_NEXT)) != RV_OK)
			return rc;
	}
	while (same_name(s, &s->neg)) {
		if (!allowed && (rc = do_neg(s)) != RV_OK)
			return rc;
		s->nrec++;
		s->rep->records++;
		if ((rc = cur_get(&s->neg, MDB_NEXT)) != RV_OK)
			return rc;
	}
	if (allowed)
		return RV_OK;
	if ((s->cfg->kinds & REPORT_FF) && (rc = ff_name_done(s)) != RV_OK)
		return rc;
	tun_name_end(s);
	return RV_OK;
}

static int
cmp_ff(const void *a, const void *b)
{
	const struct report_ff *x = a, *y = b;

	if (x->r.flagged != y->r.flagged)
		return x->r.flagged ? -1 : 1;
	if (x->r.score != y->r.score)
		return x->r.score > y->r.score ? -1 : 1;
	if (x->r.holz != y->r.holz)
		return x->r.holz > y->r.holz ? -1 : 1;
	return bcmp_len(x->owner, x->owner_len, y->owner, y->owner_len);
}

static int
cmp_tun(const void *a, const void *b)
{
	const struct report_tun *x = a, *y = b;

	if (x->r.flagged != y->r.flagged)
		return x->r.flagged ? -1 : 1;
	if (x->r.score != y->r.score)
		return x->r.score > y->r.score ? -1 : 1;
	return bcmp_len(x->domain, x->domain_len, y->domain, y->domain_len);
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
report_scan(struct cli_db *db, const struct report_cfg *cfg,
    struct report *rep)
{
	struct scan *s;
	double t0 = now_mono();
	size_t i;
	int rc = RV_OK;

	memset(rep, 0, sizeof(*rep));
	rep->win = cfg->win;
	rep->generated = (int64_t)time(NULL);
	rep->txns = 1;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return RV_ENOMEM;
	s->db = db;
	s->cfg = cfg;
	s->rep = rep;
	s->rr.db = RV_DB_RRSET;
	s->neg.db = RV_DB_NEG;
	s->stack = calloc(STACK_MAX, sizeof(*s->stack));
	s->geo = calloc(GEO_SLOTS, sizeof(*s->geo));
	if (s->stack == NULL || s->geo == NULL) {
		rc = RV_ENOMEM;
		goto leave;
	}
	if ((rc = cur_open(s, &s->rr)) != RV_OK ||
	    (rc = cur_open(s, &s->neg)) != RV_OK ||
	    (rc = cur_get(&s->rr, MDB_FIRST)) != RV_OK ||
	    (rc = cur_get(&s->neg, MDB_FIRST)) != RV_OK)
		goto leave;
	while (!s->rr.eof || !s->neg.eof) {
		if ((rc = one_name(s)) != RV_OK)
			goto leave;
		if (s->nrec >= (cfg->chunk ? cfg->chunk : REPORT_CHUNK) &&
		    (rc = renew(s)) != RV_OK)
			goto leave;
	}
	while (s->depth > 0)
		if ((rc = pop(s)) != RV_OK)
			goto leave;
	if (rep->nff > 1)
		qsort(rep->ff, rep->nff, sizeof(*rep->ff), cmp_ff);
	if (rep->ntun > 1)
		qsort(rep->tun, rep->ntun, sizeof(*rep->tun), cmp_tun);
	if (cfg->keep > 0) {
		cut_ff(rep, cfg->keep);
		cut_tun(rep, cfg->keep);
	}
	/* NS names weigh in neither score (Holz: 0 nNS): look them up only
	 * for the rows kept, in the last read transaction. */
	for (i = 0; i < rep->nff; i++) {
		struct report_ff *f = &rep->ff[i];

		if (f->zone_len == 0)
			continue;
		if ((rc = zone_ns(s, f->zone, f->zone_len)) != RV_OK)
			goto leave;
		f->r.n_ns = s->ns_n;
		f->r.ns_changed = s->ns_changed;
	}
leave:
	if (s->rr.c != NULL)
		mdb_cursor_close(s->rr.c);
	if (s->neg.c != NULL)
		mdb_cursor_close(s->neg.c);
	ff_name_free(&s->ffn);
	ff_ns_free(&s->ns);
	free(s->abuf);
	free(s->nsbuf);
	free(s->stack);
	free(s->geo);
	free(s);
	rep->seconds = now_mono() - t0;
	return rc;
}

void
report_free(struct report *rep)
{
	size_t i;
	unsigned j;

	for (i = 0; i < rep->nff; i++) {
		free(rep->ff[i].rr);
		free(rep->ff[i].addr);
	}
	for (i = 0; i < rep->ntun; i++)
		for (j = 0; j < REPORT_SAMPLES; j++)
			free(rep->tun[i].sample[j]);
	free(rep->ff);
	free(rep->tun);
	memset(rep, 0, sizeof(*rep));
}
