/**
 * \file report_tunnel.c
 * DNS-tunnelling features and score of one registered domain, over
 * hand-fed records (report_feat.h).
 *
 * Score (documented in man/rearview-report.1):
 *   S = log2(1 + names) * (4 L + 3 E + 2 Y + X)
 * with L the mean leftmost-label length and E the mean leftmost-label
 * entropy, each mapped linearly onto 0..1 between the configured low and
 * high marks, Y the share of TXT/NULL/CNAME RRsets and X the NXDOMAIN share
 * of observations. A domain is flagged when S >= threshold and it has at
 * least min_names names below it. A busy ordinary domain has many names,
 * but short readable labels and address data, so L, E and Y stay low.
 */
#include <math.h>
#include <string.h>

#include "rv_err.h"
#include "rvq_report_feat.h"

#define TYPE_CNAME	5
#define TYPE_NULL	10
#define TYPE_TXT	16
#define RCODE_NXDOMAIN	3

double
rvq_entropy(const uint8_t *s, size_t n)
{
	size_t freq[256];
	uint8_t seen[256];
	double h = 0.0;
	size_t i, k = 0;

	/* Touch only the octets present: labels are short (<= 63). */
	for (i = 0; i < n; i++)
		freq[s[i]] = 0;
	for (i = 0; i < n; i++)
		if (freq[s[i]]++ == 0)
			seen[k++] = s[i];
	for (i = 0; i < k; i++) {
		double q = (double)freq[seen[i]] / (double)n;

		h -= q * log2(q);
	}
	return h;
}

void
rvq_tun_params_default(struct rvq_tun_params *p)
{
	p->threshold = 30.0;
	p->min_names = 20;
	p->len_lo = 10.0;
	p->len_hi = 50.0;
	p->ent_lo = 3.0;
	p->ent_hi = 4.5;
}

void
rvq_tun_start(struct rvq_tun_domain *d, const uint8_t *domain, size_t len)
{
	memset(d, 0, sizeof(*d));
	if (len > sizeof(d->domain))
		len = sizeof(d->domain);
	memcpy(d->domain, domain, len);
	d->domain_len = len;
	d->last_in = -1;
}

static void
seen(struct rvq_tun_domain *d, const struct rvq_window *w, uint32_t last)
{
	if (rvq_window_has(w, last) && (int64_t)last > d->last_in)
		d->last_in = last;
}

int
rvq_tun_add_rrset(struct rvq_tun_domain *d, const struct rvq_window *w,
    uint16_t type, uint32_t first, uint32_t last, uint32_t count)
{
	if (!rvq_window_overlaps(w, first, last))
		return 0;
	d->n_rrsets++;
	if (type == TYPE_TXT || type == TYPE_NULL || type == TYPE_CNAME)
		d->n_special++;
	d->obs_pos += count;
	seen(d, w, last);
	return 1;
}

int
rvq_tun_add_neg(struct rvq_tun_domain *d, const struct rvq_window *w,
    uint8_t rcode, uint32_t first, uint32_t last, uint32_t count)
{
	if (!rvq_window_overlaps(w, first, last))
		return 0;
	d->obs_neg += count;
	if (rcode == RCODE_NXDOMAIN)
		d->obs_nx += count;
	seen(d, w, last);
	return 1;
}

void
rvq_tun_add_name(struct rvq_tun_domain *d, const uint8_t *name, size_t len)
{
	unsigned ll;

	d->nnames++;
	if (len == 0)
		return;
	ll = name[0];
	if (ll == 0 || (size_t)ll + 1 > len)
		return;
	d->sum_len += ll;
	if (ll > d->max_len)
		d->max_len = ll;
	d->sum_ent += rvq_entropy(name + 1, ll);
}

int
rvq_tun_candidate(const struct rvq_tun_domain *d)
{
	return d->last_in >= 0 && d->nnames > 0;
}

/* Map x onto 0..1 between lo and hi. */
static double
ramp(double x, double lo, double hi)
{
	if (hi <= lo)
		return x >= hi ? 1.0 : 0.0;
	if (x <= lo)
		return 0.0;
	if (x >= hi)
		return 1.0;
	return (x - lo) / (hi - lo);
}

int
rvq_tun_eval(const struct rvq_tun_domain *d, const struct rvq_tun_params *p,
    struct rvq_tun_result *r)
{
	double l, e;

	memset(r, 0, sizeof(*r));
	if (!rvq_tun_candidate(d))
		return RV_ENOENT;
	r->nnames = d->nnames;
	r->mean_len = d->sum_len / (double)d->nnames;
	r->max_len = d->max_len;
	r->entropy = d->sum_ent / (double)d->nnames;
	r->special = d->n_rrsets ? (double)d->n_special / d->n_rrsets : 0.0;
	r->nx_rate = d->obs_pos + d->obs_neg ?
	    (double)d->obs_nx / (double)(d->obs_pos + d->obs_neg) : 0.0;
	l = ramp(r->mean_len, p->len_lo, p->len_hi);
	e = ramp(r->entropy, p->ent_lo, p->ent_hi);
	r->score = log2(1.0 + (double)d->nnames) *
	    (4.0 * l + 3.0 * e + 2.0 * r->special + r->nx_rate);
	r->flagged = r->score >= p->threshold && d->nnames >= p->min_names;
	return RV_OK;
}
