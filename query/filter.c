/**
 * \file filter.c
 * The filters every query applies: time fences, record types, bailiwick
 * and sensor; and the parsing of the arguments that set them.
 */
#include <string.h>
#include <strings.h>

#include "rv_err.h"
#include "rv_rdata.h"
#include "rvq.h"

void
rvq_fence_init(struct rvq_fence *f)
{
	f->first_after = f->last_after = INT64_MIN;
	f->first_before = f->last_before = INT64_MAX;
}

int
rvq_fence_match(const struct rvq_fence *f, int64_t first, int64_t last)
{
	return first >= f->first_after && first <= f->first_before &&
	    last >= f->last_after && last <= f->last_before;
}

void
rvq_fence_raise(int64_t *bound, int64_t v)
{
	if (v > *bound)
		*bound = v;
}

void
rvq_fence_lower(int64_t *bound, int64_t v)
{
	if (v < *bound)
		*bound = v;
}

void
rvq_fence_window(struct rvq_fence *f, int64_t after, int64_t before,
    int complete)
{
	if (complete) {
		rvq_fence_raise(&f->first_after, after);
		rvq_fence_lower(&f->last_before, before);
	} else {
		rvq_fence_raise(&f->last_after, after);
		rvq_fence_lower(&f->first_before, before);
	}
}

int
rvq_fence_active(const struct rvq_fence *f)
{
	return f->first_after != INT64_MIN || f->last_after != INT64_MIN ||
	    f->first_before != INT64_MAX || f->last_before != INT64_MAX;
}

int
rvq_types_parse(const char *s, uint16_t *types, unsigned *n)
{
	/* DNSSEC types: DS, RRSIG, NSEC, DNSKEY, NSEC3, NSEC3PARAM, DLV,
	 * CDS, CDNSKEY. */
	static const uint16_t dnssec[] = { 43, 46, 47, 48, 50, 51, 32769,
	    59, 60 };
	char tok[64];
	unsigned k = 0;
	int any = 0;

	while (*s != '\0') {
		size_t len = strcspn(s, ",");
		uint16_t t;

		if (len == 0 || len >= sizeof(tok))
			return RV_EINVAL;
		memcpy(tok, s, len);
		tok[len] = '\0';
		s += len + (s[len] == ',');
		if (strcasecmp(tok, "ANY") == 0) {
			any = 1;
			continue;
		}
		if (strcasecmp(tok, "ANY-DNSSEC") == 0) {
			for (size_t i = 0; i < sizeof(dnssec) / 2; i++) {
				if (k == RVQ_TYPES_MAX)
					return RV_ETOOBIG;
				types[k++] = dnssec[i];
			}
			continue;
		}
		if (rv_type_from_str(tok, &t) != RV_OK || t == 0)
			return RV_EINVAL;	/* TYPE0 is reserved: no RRset */
		if (k == RVQ_TYPES_MAX)
			return RV_ETOOBIG;
		types[k++] = t;
	}
	if (k == 0 && !any)
		return RV_EINVAL;
	*n = any ? 0 : k;
	return RV_OK;
}

void
rvq_filter_init(struct rvq_filter *f)
{
	memset(f, 0, sizeof(*f));
	rvq_fence_init(&f->fence);
}

static int
has_sensor(const uint16_t *sens, unsigned n, uint16_t id)
{
	for (unsigned i = 0; i < n; i++)
		if (sens[i] == id)
			return 1;
	return 0;
}

int
rvq_filter_pass(const struct rvq_filter *f, const struct rvq_row *r)
{
	if (f->ntypes > 0) {
		unsigned i = 0;
		while (i < f->ntypes && f->types[i] != r->type)
			i++;
		if (i == f->ntypes)
			return 0;
	}
	if (!rvq_fence_match(&f->fence, r->first, r->last))
		return 0;
	if (f->zone_len > 0 && r->kind == RVQ_ROW_RRSET &&
	    (r->zone_len != f->zone_len ||
	    memcmp(r->zone, f->zone, r->zone_len) != 0))
		return 0;
	if (f->sensor_set && r->kind == RVQ_ROW_RRSET &&
	    !has_sensor(r->sensors, r->nsens, f->sensor_id))
		return 0;
	return 1;
}

void
rvq_summary_add(struct rvq_summary *m, const struct rvq_row *r)
{
	if (m->results == 0 || r->first < m->first)
		m->first = r->first;
	if (r->last > m->last)
		m->last = r->last;
	m->results++;
	m->count += r->count;
}
