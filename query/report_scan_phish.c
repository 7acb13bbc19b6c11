/**
 * \file report_scan_phish.c
 * The phishing side of the report pass: every name with an RRset whose
 * last sighting is in the window is judged by the lexical engine
 * (rvq_phish.h) with its signals (registered domain newly observed, its
 * smallest TTL); names with a brand, keyword or structure reason are kept.
 * After the pass the other reports' flags and shared hosting (addresses
 * shared with other flagged registered domains) are added and every kept
 * name is judged again, so a row's reasons are complete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_scan.h"
#include "rv_be.h"
#include "rv_err.h"
#include "rv_name.h"
#include "rv_store.h"
#include "rvq_hostaddr.h"
#include "rvq_newdom.h"

void
rvq_scan_ph_rrset(struct scan *s, uint16_t type,
    const struct rv_rrset_val *val)
{
	if (!rvq_window_overlaps(&s->cfg->win, val->first, val->last))
		return;
	if (rvq_window_has(&s->cfg->win, val->last))
		s->ph_in = 1;
	if (val->first < s->ph_first)
		s->ph_first = val->first;
	if (val->last > s->ph_last)
		s->ph_last = val->last;
	if (val->ttl_min <= val->ttl_max && (s->ph_ttl == 0 ||
	    val->ttl_min < s->ph_ttl))
		s->ph_ttl = val->ttl_min > 0 ? val->ttl_min : 1;
	rvq_addrs_add(s->ph_addr, &s->ph_naddr, RVQ_REPORT_PH_ADDRS, type,
	    val->set, val->set_len);
}

/* Is the registered domain (wire) first seen in the window? Asked once
 * per domain, and only for names with a reason of their own. */
static int
regdom_new(struct scan *s, const uint8_t *reg, size_t rlen)
{
	if (s->ph_reg_new < 0) {
		int r = rvq_newdom_is_new(s->db, reg, rlen, &s->cfg->win);
		s->ph_reg_new = r > 0;
		if (r < 0)
			return r;
	}
	return RV_OK;
}

static int
keep_row(struct scan *s, const char *name, const struct rvq_phish_out *o)
{
	struct rvq_report *rep = s->rep;
	struct rvq_report_phish *p;

	if (rep->nph == rep->capph) {
		size_t nc = rep->capph ? rep->capph * 2 : 64;
		struct rvq_report_phish *np = realloc(rep->ph, nc *
		    sizeof(*np));
		if (np == NULL)
			return RV_ENOMEM;
		rep->ph = np;
		rep->capph = nc;
	}
	p = &rep->ph[rep->nph++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->regdom, sizeof(p->regdom), "%s", s->ph_reg);
	p->first = s->ph_first;
	p->last = s->ph_last;
	p->in.is_new = s->ph_reg_new;
	p->in.ttl_min = s->ph_ttl;
	memcpy(p->addr, s->ph_addr, sizeof(p->addr));
	p->naddr = s->ph_naddr;
	p->out = *o;
	return RV_OK;
}

/* Does the judgement hold anything beyond the context signals? */
static int
has_own_reason(const struct rvq_phish_out *o)
{
	for (unsigned i = 0; i < o->n; i++)
		if (o->r[i].kind < RVQ_PH_NEW)
			return 1;
	return 0;
}

int
rvq_scan_ph_done(struct scan *s)
{
	char name[RVQ_PHISH_DOMAIN_MAX], reg[RVQ_PHISH_DOMAIN_MAX];
	struct rvq_phish_in in;
	struct rvq_phish_out o;
	size_t off;
	int rc;

	if (!s->ph_in || s->cfg->phish == NULL)
		return RV_OK;
	if (!rvq_host_text(s->owner, s->olen, name, sizeof(name)) ||
	    rv_regdom(s->cfg->psl, s->owner, s->olen, &off) != RV_OK ||
	    !rvq_host_text(s->owner + off, s->olen - off, reg, sizeof(reg)))
		return RV_OK;
	s->rep->ph_candidates++;
	if (s->ph_part == NULL) {
		if ((s->ph_part = calloc(1, sizeof(*s->ph_part))) == NULL)
			return RV_ENOMEM;
		s->ph_reg[0] = '\0';
	}
	if (strcmp(reg, s->ph_reg) != 0) {
		snprintf(s->ph_reg, sizeof(s->ph_reg), "%s", reg);
		if (rvq_phish_regdom(s->cfg->phish, reg, s->ph_part) != RV_OK)
			s->ph_part->n = 0;
		s->ph_reg_new = -1;	/* not asked yet */
	}
	memset(&in, 0, sizeof(in));
	in.name = name;
	in.regdom = reg;
	in.ttl_min = s->ph_ttl;
	if (rvq_phish_eval2(s->cfg->phish, &in, s->ph_part, &o) != RV_OK ||
	    !has_own_reason(&o))
		return RV_OK;
	if ((rc = regdom_new(s, s->owner + off, s->olen - off)) != RV_OK)
		return -rc;
	if (s->ph_reg_new) {
		in.is_new = 1;
		if (rvq_phish_eval2(s->cfg->phish, &in, s->ph_part, &o) !=
		    RV_OK)
			return RV_OK;
	}
	return keep_row(s, name, &o);
}

/* --- after the pass ------------------------------------------------------ */

/* An address and the row that has it, for shared hosting. */
struct addr_ref {
	struct rv_ip ip;
	size_t row;
};

static int
cmp_ref(const void *a, const void *b)
{
	const struct addr_ref *x = a, *y = b;
	int c = memcmp(&x->ip, &y->ip, sizeof(x->ip));

	if (c != 0)
		return c;
	return x->row < y->row ? -1 : x->row > y->row;
}

static int
cmp_ph(const void *a, const void *b)
{
	const struct rvq_report_phish *x = a, *y = b;

	if (x->out.verdict != y->out.verdict)
		return x->out.verdict > y->out.verdict ? -1 : 1;
	if (x->out.score != y->out.score)
		return x->out.score > y->out.score ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The fast-flux and tunnelling flags of each row. */
static void
other_flags(struct rvq_report *rep)
{
	char t[RVQ_PHISH_DOMAIN_MAX];

	for (size_t i = 0; i < rep->nff; i++) {
		if (!rep->ff[i].r.flagged)
			continue;
		(void)rvq_host_text(rep->ff[i].owner, rep->ff[i].owner_len, t,
		    sizeof(t));
		for (size_t j = 0; j < rep->nph; j++)
			if (strcmp(rep->ph[j].name, t) == 0)
				rep->ph[j].in.flux = 1;
	}
	for (size_t i = 0; i < rep->ntun; i++) {
		if (!rep->tun[i].r.flagged)
			continue;
		(void)rvq_host_text(rep->tun[i].domain, rep->tun[i].domain_len, t,
		    sizeof(t));
		for (size_t j = 0; j < rep->nph; j++)
			if (strcmp(rep->ph[j].regdom, t) == 0)
				rep->ph[j].in.tunnel = 1;
	}
}

/*
 * Shared hosting: for each row, the other registered domains with a brand
 * reason (flagged by their own lexical evidence) on any of its addresses.
 */
static int
shared_hosting(struct rvq_report *rep)
{
	struct addr_ref *ref;
	size_t n = 0, i, j;

	for (i = 0; i < rep->nph; i++)
		n += rep->ph[i].naddr;
	if (n == 0)
		return RV_OK;
	if ((ref = malloc(n * sizeof(*ref))) == NULL)
		return RV_ENOMEM;
	n = 0;
	for (i = 0; i < rep->nph; i++) {
		int brand = 0;
		for (unsigned r = 0; r < rep->ph[i].out.n; r++)
			brand |= rvq_phish_kind_is_brand(rep->ph[i].out.r[r].kind);
		if (!brand)
			continue;
		for (unsigned a = 0; a < rep->ph[i].naddr; a++) {
			ref[n].ip = rep->ph[i].addr[a];
			ref[n++].row = i;
		}
	}
	qsort(ref, n, sizeof(*ref), cmp_ref);
	/* For each row and address, the distinct other domains there; a
	 * row's count is the most on any one of its addresses. */
	for (i = 0; i < rep->nph; i++) {
		struct rvq_report_phish *p = &rep->ph[i];
		unsigned best = 0;

		for (unsigned a = 0; a < p->naddr; a++) {
			struct addr_ref key = { p->addr[a], 0 };
			size_t lo = 0, hi = n;
			unsigned cnt = 0;
			const char *prev = NULL;

			while (lo < hi) {	/* the first ref of the address */
				size_t mid = lo + (hi - lo) / 2;
				if (cmp_ref(&ref[mid], &key) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (j = lo; j < n && memcmp(&ref[j].ip, &key.ip,
			    sizeof(key.ip)) == 0; j++) {
				const char *d = rep->ph[ref[j].row].regdom;
				if (strcmp(d, p->regdom) == 0 ||
				    (prev != NULL && strcmp(prev, d) == 0))
					continue;
				prev = d;
				cnt++;
			}
			if (cnt > best)
				best = cnt;
		}
		p->in.shared_flagged = best;
	}
	free(ref);
	return RV_OK;
}

int
rvq_scan_ph_finish(struct scan *s)
{
	struct rvq_report *rep = s->rep;
	size_t i, w = 0;
	int rc;

	other_flags(rep);
	if ((rc = shared_hosting(rep)) != RV_OK)
		return rc;
	for (i = 0; i < rep->nph; i++) {
		struct rvq_report_phish *p = &rep->ph[i];
		p->in.name = p->name;
		p->in.regdom = p->regdom;
		if (rvq_phish_eval(s->cfg->phish, &p->in, &p->out) != RV_OK)
			continue;
		if (p->out.verdict != RVQ_VERDICT_NONE)
			rep->ph_flagged++;
		if (p->out.verdict == RVQ_VERDICT_BLOCK)
			rep->ph_block++;
		if (p->out.verdict == RVQ_VERDICT_NONE && !s->cfg->all)
			continue;
		rep->ph[w++] = *p;
	}
	rep->nph = w;
	/* in.name and in.regdom point into the rows: set them again after
	 * the rows moved. */
	if (rep->nph > 1)
		qsort(rep->ph, rep->nph, sizeof(*rep->ph), cmp_ph);
	for (i = 0; i < rep->nph; i++) {
		rep->ph[i].in.name = rep->ph[i].name;
		rep->ph[i].in.regdom = rep->ph[i].regdom;
	}
	return RV_OK;
}

void
rvq_scan_ph_cut(struct rvq_report *rep, size_t keep)
{
	if (rep->nph > keep)
		rep->nph = keep;
}
