/**
 * \file report_scan_tun.c
 * The tunnelling side of the report pass (report_scan.h): each name's
 * registered domain comes from the public suffix list (rv_regdom, the
 * store's, as the regdom index has it), computed once per parent name:
 * reg(x.P) is x.P when P is a public suffix, else reg(P). Names come in depth-first order, so the open domains form a
 * stack (a registered domain can hold another one below a private suffix,
 * e.g. amazonaws.com and b.s3.amazonaws.com); a domain is evaluated when
 * the pass leaves it.
 */
#include <stdlib.h>
#include <string.h>

#include "report_scan.h"
#include "rv_err.h"
#include "rv_name.h"

/* Length of the registered domain of the current name (a suffix of it),
 * 0 when it has none. rv_regdom on the name says whether its parent is a
 * public suffix (the name is its own registered domain) or which suffix
 * of the parent it is: both depend on the parent only, so they are kept
 * for the next name below it. A name that is itself a public suffix says
 * nothing of its siblings and is not kept. */
static size_t
reg_domain(struct scan *s)
{
	const uint8_t *p;
	size_t plen, off;
	int rc;

	if (s->olen <= 1)
		return 0;
	p = s->owner + 1 + s->owner[0];
	plen = s->olen - 1 - s->owner[0];
	if (!s->pc_valid || s->pclen != plen || memcmp(s->pcache, p, plen)) {
		s->pc_suffix = plen <= 1;	/* the parent is the root */
		s->pc_reglen = 0;
		if (!s->pc_suffix) {
			rc = rv_regdom(s->cfg->psl, s->owner, s->olen, &off);
			if (rc != RV_OK) {
				s->pc_valid = 0;
				return 0;
			}
			if (off == 0)
				s->pc_suffix = 1;
			else
				s->pc_reglen = s->olen - off;
		}
		memcpy(s->pcache, p, plen);
		s->pclen = plen;
		s->pc_valid = 1;
	}
	if (s->pc_suffix)
		return s->olen;
	return s->pc_reglen;
}

void
rvq_scan_tun_cut(struct rvq_report *rep, size_t keep)
{
	size_t i;
	unsigned j;

	for (i = keep; i < rep->ntun; i++)
		for (j = 0; j < RVQ_REPORT_SAMPLES; j++)
			free(rep->tun[i].sample[j]);
	if (rep->ntun > keep)
		rep->ntun = keep;
}

static void
trim_tun(struct rvq_report *rep, uint64_t keep)
{
	if (keep == 0 || rep->ntun < 2 * keep)
		return;
	qsort(rep->tun, rep->ntun, sizeof(*rep->tun), rvq_scan_cmp_tun);
	rvq_scan_tun_cut(rep, keep);
}

static int
keep_tun(struct scan *s, struct frame *f)
{
	struct rvq_report *rep = s->rep;
	struct rvq_report_tun *row;
	struct rvq_tun_result r;
	char str[RV_NAME_STR_MAX];
	unsigned i;

	if (rvq_tun_eval(&f->d, &s->cfg->tun, &r) != RV_OK)
		return RV_OK;
	rep->tun_candidates++;
	if (r.flagged)
		rep->tun_flagged++;
	if (!r.flagged && !s->cfg->all)
		return RV_OK;
	trim_tun(rep, s->cfg->keep);
	if (rep->ntun == rep->captun) {
		size_t ncap = rep->captun ? rep->captun * 2 : 64;
		struct rvq_report_tun *p = realloc(rep->tun, ncap * sizeof(*p));

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

int
rvq_scan_tun_pop(struct scan *s)
{
	return keep_tun(s, &s->stack[--s->depth]);
}

/* Find or open the frame of the current name's registered domain. */
int
rvq_scan_tun_begin(struct scan *s)
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
		if ((rc = rvq_scan_tun_pop(s)) != RV_OK)
			return rc;
	}
	top = s->depth > 0 ? &s->stack[s->depth - 1] : NULL;
	if (top == NULL || top->d.domain_len != reglen ||
	    memcmp(top->d.domain, reg, reglen) != 0) {
		if (s->depth == STACK_MAX)
			return RV_OK;	/* absurdly deep: skip */
		top = &s->stack[s->depth++];
		rvq_tun_start(&top->d, reg, reglen);
		top->nsample = 0;
	}
	s->below = s->olen > reglen;
	return RV_OK;
}

void
rvq_scan_tun_end(struct scan *s)
{
	struct frame *f;

	if (!s->below || !s->name_in)
		return;
	f = &s->stack[s->depth - 1];
	rvq_tun_add_name(&f->d, s->owner, s->olen);
	if (f->nsample < RVQ_REPORT_SAMPLES) {
		memcpy(f->sample[f->nsample], s->owner, s->olen);
		f->samplelen[f->nsample++] = s->olen;
	}
}

int
rvq_scan_cmp_tun(const void *a, const void *b)
{
	const struct rvq_report_tun *x = a, *y = b;

	if (x->r.flagged != y->r.flagged)
		return x->r.flagged ? -1 : 1;
	if (x->r.score != y->r.score)
		return x->r.score > y->r.score ? -1 : 1;
	return rvq_scan_bcmp(x->domain, x->domain_len, y->domain,
	    y->domain_len);
}
