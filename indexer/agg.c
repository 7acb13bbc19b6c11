/**
 * \file agg.c
 * The in-memory aggregation table: an arena of entries and an
 * open-addressing hash index keyed by the LMDB key.
 */
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "psort.h"
#include "rv_err.h"

#define CHUNK (1u << 20)
#define SCRATCH 65536

struct agg_chunk {
	struct agg_chunk *next;
	size_t used, cap;
	_Alignas(16) uint8_t mem[];
};

static void *
arena_alloc(struct agg *a, size_t n)
{
	struct agg_chunk *c = a->chunks;

	n = (n + 15) & ~(size_t)15;
	if (!c || c->used + n > c->cap) {
		size_t cap = n > CHUNK ? n : CHUNK;
		if (!(c = malloc(sizeof(*c) + cap)))
			return NULL;
		c->next = a->chunks;
		c->used = 0;
		c->cap = cap;
		a->chunks = c;
		a->mem += sizeof(*c) + cap;
	}
	c->used += n;
	return c->mem + c->used - n;
}

int
agg_init(struct agg *a)
{
	memset(a, 0, sizeof(*a));
	a->cap = 1024;
	if (!(a->tab = calloc(a->cap, sizeof(*a->tab))) ||
	    !(a->scratch = malloc(SCRATCH))) {
		agg_destroy(a);
		return RV_ENOMEM;
	}
	return RV_OK;
}

void
agg_reset(struct agg *a)
{
	for (size_t i = 0; i < a->cap && a->n; i++)
		if (a->tab[i].e && a->tab[i].e->sens_ext)
			free(a->tab[i].e->sens_ext);
	while (a->chunks) {
		struct agg_chunk *c = a->chunks;
		a->chunks = c->next;
		free(c);
	}
	if (a->tab)
		memset(a->tab, 0, a->cap * sizeof(*a->tab));
	a->n = 0;
	a->mem = 0;
	a->obs = a->frames = a->frames_rejected = a->records_rejected = 0;
	if (a->sens)
		memset(a->sens, 0, a->nsens_cap * sizeof(*a->sens));
}

void
agg_destroy(struct agg *a)
{
	agg_reset(a);
	free(a->tab);
	free(a->sens);
	free(a->scratch);
	memset(a, 0, sizeof(*a));
}

size_t
agg_mem(const struct agg *a)
{
	return a->mem + a->cap * sizeof(*a->tab);
}

static int
grow(struct agg *a)
{
	size_t ncap = a->cap * 2;
	struct agg_slot *nt = calloc(ncap, sizeof(*nt));

	if (!nt)
		return RV_ENOMEM;
	for (size_t i = 0; i < a->cap; i++) {
		size_t j;
		if (!a->tab[i].e)
			continue;
		for (j = a->tab[i].hash & (ncap - 1); nt[j].e;
		    j = (j + 1) & (ncap - 1))
			;
		nt[j] = a->tab[i];
	}
	free(a->tab);
	a->tab = nt;
	a->cap = ncap;
	return RV_OK;
}

const uint16_t *
agg_ent_sensors(const struct agg_ent *e)
{
	return e->sens_ext ? e->sens_ext : e->sens;
}

static int
add_sensor(struct agg_ent *e, uint16_t id)
{
	uint16_t *s = e->sens_ext ? e->sens_ext : e->sens;
	unsigned cap = e->sens_ext ? RV_SENSORS_MAX : AGG_SENS_INLINE, i = 0;

	while (i < e->nsens && s[i] < id)
		i++;
	if (i < e->nsens && s[i] == id)
		return RV_OK;
	if (e->nsens == cap) {
		if (e->sens_ext)
			return RV_OK;	/* capped, as in the store */
		if (!(e->sens_ext = malloc(RV_SENSORS_MAX * sizeof(uint16_t))))
			return RV_ENOMEM;
		memcpy(e->sens_ext, e->sens, sizeof(e->sens));
		s = e->sens_ext;
	}
	memmove(s + i + 1, s + i, (e->nsens - i) * sizeof(*s));
	s[i] = id;
	e->nsens++;
	return RV_OK;
}

static int
count_sensor(struct agg *a, uint16_t id, uint32_t count, uint32_t last)
{
	if (id >= a->nsens_cap) {
		size_t n = (size_t)id + 16;
		struct agg_sensor *s = realloc(a->sens, n * sizeof(*s));
		if (!s)
			return RV_ENOMEM;
		memset(s + a->nsens_cap, 0, (n - a->nsens_cap) * sizeof(*s));
		a->sens = s;
		a->nsens_cap = n;
	}
	a->sens[id].obs += count;
	if (last > a->sens[id].last)
		a->sens[id].last = last;
	return RV_OK;
}

int
agg_add(struct agg *a, uint8_t kind, const uint8_t *owner, size_t olen,
    uint16_t type, uint8_t rcode, const uint8_t *zone, size_t zlen,
    const uint8_t *set, size_t setlen, uint16_t rdcount, uint32_t first,
    uint32_t last, uint32_t count, uint32_t ttl, uint16_t sensor)
{
	struct rv_key k;
	struct agg_ent *e;
	uint64_t h;
	size_t i;
	int rc;

	if (kind == RV_REC_RRSET)
		rc = rv_key_rrset(&k, owner, olen, type, zone, zlen,
		    rv_set_digest(set, setlen));
	else
		rc = rv_key_neg(&k, owner, olen, type, rcode, zone, zlen);
	if (rc != RV_OK)
		return rc;
	if ((rc = count_sensor(a, sensor, count, last)) != RV_OK)
		return rc;
	h = rv_set_digest(k.buf, k.len) ^ kind;
	for (i = h & (a->cap - 1); (e = a->tab[i].e); i = (i + 1) & (a->cap - 1))
		if (a->tab[i].hash == h && e->keylen == k.len &&
		    e->kind == kind && memcmp(e->data, k.buf, k.len) == 0)
			break;
	if (e) {
		if (first < e->first)
			e->first = first;
		if (last > e->last)
			e->last = last;
		e->count = e->count > UINT32_MAX - count ? UINT32_MAX :
		    e->count + count;
		if (ttl != UINT32_MAX) {
			if (ttl < e->ttl_min)
				e->ttl_min = ttl;
			if (ttl > e->ttl_max)
				e->ttl_max = ttl;
		}
		a->obs += count;
		return add_sensor(e, sensor);
	}
	if (!(e = arena_alloc(a, sizeof(*e) + k.len + olen + setlen)))
		return RV_ENOMEM;
	memset(e, 0, sizeof(*e));
	e->hash = h;
	e->first = first;
	e->last = last;
	e->count = count;
	e->ttl_min = ttl;		/* UINT32_MAX: unknown */
	e->ttl_max = ttl == UINT32_MAX ? 0 : ttl;
	e->setlen = (uint32_t)setlen;
	e->type = type;
	e->rdcount = rdcount;
	e->keylen = (uint16_t)k.len;
	e->ownerlen = (uint8_t)olen;
	e->kind = kind;
	e->nsens = 1;
	e->sens[0] = sensor;
	memcpy(e->data, k.buf, k.len);
	memcpy(e->data + k.len, owner, olen);
	rv_name_canon(e->data + k.len, olen);
	if (setlen)
		memcpy(e->data + k.len + olen, set, setlen);
	a->tab[i].hash = h;
	a->tab[i].e = e;
	a->n++;
	a->obs += count;
	if (a->n * 2 > a->cap)
		return grow(a);
	return RV_OK;
}

int
agg_add_record(struct agg *a, const struct rv_record *rec, uint16_t sensor)
{
	size_t setlen = 0;
	uint16_t n = 0;
	uint32_t t;
	int rc;

	if (rec->rclass != 1)
		return RV_ENOTSUP;
	t = rec->time < 0 ? 0 : rec->time > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)rec->time;
	if (rec->kind == RV_REC_NEGATIVE)
		return agg_add(a, RV_REC_NEGATIVE, rec->owner, rec->owner_len,
		    rec->type, rec->rcode, rec->zone, rec->zone_len, NULL, 0,
		    0, t, t, 1, rec->ttl, sensor);
	if (rec->rdata_len > SCRATCH)
		return RV_ETOOBIG;
	if ((rc = rv_set_canon(rec->type, rec->rdata, rec->rdata_len,
	    rec->rdcount, a->scratch, SCRATCH, &setlen, &n)) != RV_OK)
		return rc;
	return agg_add(a, RV_REC_RRSET, rec->owner, rec->owner_len, rec->type,
	    0, rec->zone, rec->zone_len, a->scratch, setlen, n, t, t, 1,
	    rec->ttl, sensor);
}

int
agg_sorted(struct agg *a, struct agg_ent ***out)
{
	struct psort_item *s = malloc((a->n ? a->n : 1) * sizeof(*s));
	struct agg_ent **v = malloc((a->n ? a->n : 1) * sizeof(*v));
	size_t j = 0, k = 0;

	if (!s || !v) {
		free(s);
		free(v);
		return RV_ENOMEM;
	}
	/* RRsets first, then negatives: two runs, each sorted by key. */
	for (int kind = RV_REC_RRSET; kind <= RV_REC_NEGATIVE; kind++) {
		size_t start = j;
		for (size_t i = 0; i < a->cap; i++) {
			struct agg_ent *e = a->tab[i].e;
			if (e && e->kind == kind)
				psort_set(&s[j++], e->data, e->keylen,
				    (uint32_t)i);
		}
		psort(s + start, j - start);
	}
	for (; k < j; k++)
		v[k] = a->tab[s[k].idx].e;
	free(s);
	*out = v;
	return RV_OK;
}
