/**
 * \file row.c
 * Result rows: built from the store's keys and values, copied in one
 * block, their rdata walked.
 */
#include "rvq_row.h"

#include <stdlib.h>
#include <string.h>

#include "rv_err.h"
#include "rvq_text.h"

/* Copy r into c (rvq_row_copy_size octets). */
struct rvq_row *
rvq_row_copy_at(const struct rvq_row *r, struct rvq_row *c, const uint8_t *key,
    size_t klen)
{
	uint8_t *p;

	*c = *r;
	p = (uint8_t *)(c + 1);
	if (r->nsens > 0) {
		memcpy(p, r->sensors, r->nsens * sizeof(uint16_t));
		c->sensors = (const uint16_t *)(void *)p;
		p += r->nsens * sizeof(uint16_t);
	}
#define COPY(field, len) do { \
		if ((len) > 0) { memcpy(p, r->field, len); c->field = p; \
		    p += (len); } } while (0)
	COPY(owner, r->owner_len);
	COPY(zone, r->zone_len);
	COPY(set, r->set_len);
	COPY(rd, r->rd_len);
#undef COPY
	if (klen > 0) {
		memcpy(p, key, klen);
		c->okey = p;
	}
	c->okey_len = klen;
	c->geo = NULL;		/* answers are found for the copy */
	c->ngeo = 0;
	return c;
}

size_t
rvq_row_owner_key(const struct rvq_row *r, uint8_t *key)
{
	size_t klen = 0;

	if (r->owner_len > 0 &&
	    rv_name_key(r->owner, r->owner_len, key, &klen) != RV_OK)
		klen = 0;
	return klen;
}

void
rvq_row_from_rrset(struct rvq_row *r, const struct rv_rrset_key *key,
    const struct rv_rrset_val *val)
{
	memset(r, 0, sizeof(*r));
	r->kind = RVQ_ROW_RRSET;
	r->owner = key->owner;
	r->owner_len = key->owner_len;
	r->type = key->type;
	r->zone = key->zone;
	r->zone_len = key->zone_len;
	r->first = val->first;
	r->last = val->last;
	r->count = val->count;
	r->ttl_min = val->ttl_min;
	r->ttl_max = val->ttl_max;
	r->has_ttl = val->ttl_min <= val->ttl_max;	/* imported: none */
	r->sensors = val->sensor;
	r->nsens = val->nsens;
	r->set = val->set;
	r->set_len = val->set_len;
	r->rdcount = val->rdcount;
}

struct rvq_row *
rvq_row_copy(const struct rvq_row *r)
{
	uint8_t key[RV_NAME_KEY_MAX];
	size_t klen = rvq_row_owner_key(r, key);
	struct rvq_row *c = malloc(rvq_row_copy_size(r, klen));

	return c == NULL ? NULL : rvq_row_copy_at(r, c, key, klen);
}

const struct rvq_geo_ans *
rvq_row_geo_answer(const struct rvq_row *r, const uint8_t *rd, uint16_t len)
{
	struct rv_ip ip;

	if (r->ngeo == 0 || !rvq_rdata_ip(r, rd, len, &ip))
		return NULL;
	for (unsigned j = 0; j < r->ngeo; j++) {
		const struct rvq_geo_ans *a = &r->geo[j];

		if (a->ip.family == ip.family && memcmp(a->ip.addr, ip.addr,
		    len) == 0 && a->t == r->last)
			return a;
	}
	return NULL;
}

int
rvq_row_geo_info(const struct rvq_row *r, const uint8_t *rd, uint16_t len,
    struct rv_ipinfo *info)
{
	const struct rvq_geo_ans *a = rvq_row_geo_answer(r, rd, len);
	int rc;

	if (a == NULL)
		return -1;
	if (a->rc != RV_OK)
		return a->rc;
	if ((rc = rv_ipinfo_decode(a->v != NULL ? a->v : a->val, a->vlen,
	    info)) != RV_OK)
		return rc;
	info->since = a->since;
	return RV_OK;
}
