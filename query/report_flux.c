/**
 * \file report_flux.c
 * Fast-flux features and scores of one owner name, over hand-fed RRsets
 * (report_feat.h). Also the time window and the NS accumulator.
 *
 * Scores (documented in man/rearview-report.1):
 *  - Holz et al. (NDSS 2008): f = 1.32 nA + 18.54 nASN + 0 nNS, fast flux
 *    when f > 142.38;
 *  - rearview: R = 10 * D * T * C with
 *      D = (nASN - 1) + 0.5 (nCC - 1)   network and country diversity,
 *      T = 1 / (1 + ttl_min / ttl_ref)   short TTLs weigh more (0.5
 *                                        when no TTL is known),
 *      C = log2(1 + churn)               rotating address sets weigh more.
 *  A name is flagged when nASN >= min_asn and (f > holz_threshold or
 *  R >= score_threshold): never on the number of addresses alone.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rv_err.h"
#include "rvq_report_feat.h"

#define TYPE_A		1
#define TYPE_AAAA	28

static double ttl_weight(uint32_t ttl_min, const struct rvq_ff_params *p);

int
rvq_window_has(const struct rvq_window *w, int64_t t)
{
	return t >= w->since && t <= w->until;
}

int
rvq_window_overlaps(const struct rvq_window *w, int64_t first, int64_t last)
{
	return last >= w->since && first <= w->until;
}

void
rvq_ff_params_default(struct rvq_ff_params *p)
{
	p->holz_threshold = 142.38;
	p->score_threshold = 50.0;
	p->min_asn = 2;
	p->ttl_ref = 900.0;
}

void
rvq_ff_name_start(struct rvq_ff_name *n, const uint8_t *owner, size_t len)
{
	if (len > sizeof(n->owner))
		len = sizeof(n->owner);
	memcpy(n->owner, owner, len);
	n->owner_len = len;
	n->nrr = 0;
	n->naddr = 0;
	n->nns = 0;
	n->ns_changed = 0;
	n->last_in = -1;
}

/* Grow an array to hold want elements. */
static int
grow(void **arr, size_t *cap, size_t want, size_t elsize)
{
	size_t ncap;
	void *p;

	if (want <= *cap)
		return RV_OK;
	ncap = *cap ? *cap : 8;
	while (ncap < want)
		ncap *= 2;
	p = realloc(*arr, ncap * elsize);
	if (p == NULL)
		return RV_ENOMEM;
	*arr = p;
	*cap = ncap;
	return RV_OK;
}

int
rvq_ff_name_add(struct rvq_ff_name *n, const struct rvq_window *w,
    uint16_t type, uint32_t first, uint32_t last, uint32_t count,
    uint32_t ttl_min, const struct rvq_ff_addr *addr, size_t naddr)
{
	struct rvq_ff_rrset *r;
	int rc = RV_OK;

	if (!rvq_window_overlaps(w, first, last))
		goto leave;
	rc = grow((void **)&n->rr, &n->rrcap, n->nrr + 1, sizeof(*n->rr));
	if (rc != RV_OK)
		goto leave;
	rc = grow((void **)&n->addr, &n->addrcap, n->naddr + naddr,
	    sizeof(*n->addr));
	if (rc != RV_OK)
		goto leave;
	r = &n->rr[n->nrr++];
	r->type = type;
	r->first = first;
	r->last = last;
	r->count = count;
	r->ttl_min = ttl_min;
	r->addr_off = n->naddr;
	r->naddr = naddr;
	if (naddr > 0)
		memcpy(&n->addr[n->naddr], addr, naddr * sizeof(*addr));
	n->naddr += naddr;
	if (rvq_window_has(w, last) && (int64_t)last > n->last_in)
		n->last_in = last;
leave:
	return rc;
}

void
rvq_ff_name_set_ns(struct rvq_ff_name *n, unsigned nns, int changed)
{
	n->nns = nns;
	n->ns_changed = changed;
}

int
rvq_ff_name_candidate(const struct rvq_ff_name *n)
{
	return n->last_in >= 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort v[0..n) and return the number of distinct values other than skip
 * (pass a value that cannot occur to count everything). */
static unsigned
distinct(uint64_t *v, size_t n, uint64_t skip)
{
	unsigned d = 0;
	size_t i;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	for (i = 0; i < n; i++)
		if ((i == 0 || v[i] != v[i - 1]) && v[i] != skip)
			d++;
	return d;
}

static int
cmp_addr(const void *a, const void *b)
{
	const struct rv_ip *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

/* Distinct addresses and per-family counts. */
static void
count_addrs(const struct rvq_ff_name *n, struct rv_ip *scratch,
    struct rvq_ff_result *r)
{
	size_t i;

	if (n->naddr == 0)
		return;
	for (i = 0; i < n->naddr; i++) {
		memset(&scratch[i], 0, sizeof(scratch[i]));
		scratch[i].family = n->addr[i].ip.family;
		memcpy(scratch[i].addr, n->addr[i].ip.addr,
		    rv_ip_len(n->addr[i].ip.family));
	}
	qsort(scratch, n->naddr, sizeof(*scratch), cmp_addr);
	for (i = 0; i < n->naddr; i++) {
		if (i > 0 && cmp_addr(&scratch[i], &scratch[i - 1]) == 0)
			continue;
		r->n_addr++;
		if (scratch[i].family == 4)
			r->n_v4++;
		else
			r->n_v6++;
	}
}

/* Distinct address sets: RRsets of the same type with the same
 * addresses count once (the caller gives one RRset per stored set, so
 * this is the number of RRsets, but hand-made input may repeat). */
static unsigned
count_churn(const struct rvq_ff_name *n)
{
	unsigned churn = 0;
	size_t i, j;

	for (i = 0; i < n->nrr; i++) {
		const struct rvq_ff_rrset *a = &n->rr[i];
		int dup = 0;

		for (j = 0; j < i && !dup; j++) {
			const struct rvq_ff_rrset *b = &n->rr[j];
			size_t k;

			if (b->type != a->type || b->naddr != a->naddr)
				continue;
			dup = 1;
			for (k = 0; k < a->naddr && dup; k++)
				if (cmp_addr(&n->addr[a->addr_off + k].ip,
				    &n->addr[b->addr_off + k].ip) != 0)
					dup = 0;
		}
		if (!dup)
			churn++;
		if (i > 64)	/* quadratic guard: beyond, count all */
			return churn + (unsigned)(n->nrr - i - 1);
	}
	return churn;
}

int
rvq_ff_name_eval(const struct rvq_ff_name *n, const struct rvq_ff_params *p,
    struct rvq_ff_result *r)
{
	struct rv_ip *ips = NULL;
	uint64_t *v = NULL;
	size_t i;
	double d, t, c;
	int rc = RV_OK;

	memset(r, 0, sizeof(*r));
	if (!rvq_ff_name_candidate(n)) {
		rc = RV_ENOENT;
		goto leave;
	}
	if (n->naddr > 0) {
		ips = malloc(n->naddr * sizeof(*ips));
		v = malloc(n->naddr * sizeof(*v));
		if (ips == NULL || v == NULL) {
			rc = RV_ENOMEM;
			goto leave;
		}
	}
	count_addrs(n, ips, r);
	for (i = 0; i < n->naddr; i++)
		v[i] = n->addr[i].asn;
	r->n_asn = distinct(v, n->naddr, 0);
	for (i = 0; i < n->naddr; i++)
		v[i] = (uint64_t)(uint8_t)n->addr[i].cc[0] << 8 |
		    (uint8_t)n->addr[i].cc[1];
	r->n_cc = distinct(v, n->naddr, 0);
	for (i = 0; i < n->naddr; i++)
		v[i] = n->addr[i].ip.family == 4 ?
		    (uint64_t)n->addr[i].ip.addr[0] << 8 |
		    n->addr[i].ip.addr[1] : UINT64_MAX;
	r->n_net4 = distinct(v, n->naddr, UINT64_MAX);
	for (i = 0; i < n->naddr; i++)
		v[i] = n->addr[i].ip.family == 6 ?
		    (uint64_t)n->addr[i].ip.addr[0] << 24 |
		    (uint64_t)n->addr[i].ip.addr[1] << 16 |
		    (uint64_t)n->addr[i].ip.addr[2] << 8 |
		    n->addr[i].ip.addr[3] : UINT64_MAX;
	r->n_net6 = distinct(v, n->naddr, UINT64_MAX);

	r->ttl_min = UINT32_MAX;
	r->first = UINT32_MAX;
	for (i = 0; i < n->nrr; i++) {
		const struct rvq_ff_rrset *rr = &n->rr[i];

		if (rr->ttl_min < r->ttl_min)
			r->ttl_min = rr->ttl_min;
		if (rr->first < r->first)
			r->first = rr->first;
		if (rr->last > r->last)
			r->last = rr->last;
		r->count += rr->count;
	}
	r->churn = count_churn(n);
	r->n_ns = n->nns;
	r->ns_changed = n->ns_changed;

	r->holz = 1.32 * r->n_addr + 18.54 * r->n_asn + 0.0 * r->n_ns;
	d = (r->n_asn > 1 ? r->n_asn - 1.0 : 0.0) +
	    0.5 * (r->n_cc > 1 ? r->n_cc - 1.0 : 0.0);
	t = ttl_weight(r->ttl_min, p);
	c = log2(1.0 + r->churn);
	r->score = 10.0 * d * t * c;
	r->flagged = r->n_asn >= p->min_asn && r->n_asn >= 2 &&
	    (r->holz > p->holz_threshold || r->score >= p->score_threshold);
leave:
	free(ips);
	free(v);
	return rc;
}

/* The TTL weight T of the rearview score. */
static double
ttl_weight(uint32_t ttl_min, const struct rvq_ff_params *p)
{
	/* Imported data may carry no TTL (stored as UINT32_MAX): weigh it
	 * as a TTL of ttl_ref. */
	if (ttl_min == UINT32_MAX)
		return 0.5;
	return 1.0 / (1.0 + ttl_min / (p->ttl_ref > 0 ? p->ttl_ref : 1.0));
}

int
rvq_ff_name_may_flag(const struct rvq_ff_name *n, const struct rvq_ff_params *p)
{
	uint32_t ttl = UINT32_MAX;
	double na = (double)n->naddr, ub;
	size_t i;

	if (n->naddr < 2)
		return 0;
	for (i = 0; i < n->nrr; i++)
		if (n->rr[i].ttl_min < ttl)
			ttl = n->rr[i].ttl_min;
	/* nASN <= nA and nCC <= nA; churn <= the number of RRsets. */
	if (1.32 * na + 18.54 * na > p->holz_threshold)
		return 1;
	ub = 10.0 * 1.5 * (na - 1.0) * ttl_weight(ttl, p) *
	    log2(1.0 + (double)n->nrr);
	return ub >= p->score_threshold;
}

void
rvq_ff_name_free(struct rvq_ff_name *n)
{
	free(n->rr);
	free(n->addr);
	n->rr = NULL;
	n->addr = NULL;
	n->nrr = n->rrcap = n->naddr = n->addrcap = 0;
}

void
rvq_ff_ns_start(struct rvq_ff_ns *ns)
{
	ns->n = 0;
	ns->nsets = 0;
	ns->set0 = 0;
}

int
rvq_ff_ns_add(struct rvq_ff_ns *ns, const struct rvq_window *w, uint32_t first,
    uint32_t last, uint64_t setdigest, const uint64_t *names, size_t n)
{
	int rc = RV_OK;

	if (!rvq_window_overlaps(w, first, last))
		goto leave;
	rc = grow((void **)&ns->name, &ns->cap, ns->n + n, sizeof(*ns->name));
	if (rc != RV_OK)
		goto leave;
	if (n > 0)
		memcpy(&ns->name[ns->n], names, n * sizeof(*names));
	ns->n += n;
	if (ns->nsets == 0) {
		ns->set0 = setdigest;
		ns->nsets = 1;
	} else if (setdigest != ns->set0) {
		ns->nsets++;
	}
leave:
	return rc;
}

unsigned
rvq_ff_ns_count(struct rvq_ff_ns *ns)
{
	return ns->n ? distinct(ns->name, ns->n, 0) +
	    (ns->name[0] == 0) : 0;
}

void
rvq_ff_ns_free(struct rvq_ff_ns *ns)
{
	free(ns->name);
	ns->name = NULL;
	ns->n = ns->cap = 0;
}
