/**
 * \file agg.c
 * The in-memory aggregation table: an arena of entries and an
 * open-addressing hash index keyed by the LMDB key.
 */
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "rv_psort.h"
#include "rv_err.h"

#define CHUNK (1u << 20)
#define SCRATCH 65536
#define PIPE 3

struct rvd_agg_chunk {
	struct rvd_agg_chunk *next;
	size_t used, cap;
	_Alignas(16) uint8_t mem[];
};

static void *
arena_alloc(struct rvd_agg *a, size_t n)
{
	struct rvd_agg_chunk *c = a->chunks;

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
rvd_agg_init(struct rvd_agg *a)
{
	memset(a, 0, sizeof(*a));
	a->cap = 1024;
	if (!(a->tab = calloc(a->cap, sizeof(*a->tab))) ||
	    !(a->scratch = malloc(PIPE * SCRATCH))) {
		rvd_agg_destroy(a);
		return RV_ENOMEM;
	}
	return RV_OK;
}

void
rvd_agg_reset(struct rvd_agg *a)
{
	for (size_t i = 0; i < a->cap && a->n; i++)
		if (a->tab[i].e && a->tab[i].e->sens_ext)
			free(a->tab[i].e->sens_ext);
	while (a->chunks) {
		struct rvd_agg_chunk *c = a->chunks;
		a->chunks = c->next;
		free(c);
	}
	if (a->tab)
		memset(a->tab, 0, a->cap * sizeof(*a->tab));
	a->n = 0;
	a->mem = 0;
	a->obs = a->frames = a->frames_rejected = a->records_rejected = 0;
	a->frames_oversize = a->dt_counts = 0;
	if (a->sens)
		memset(a->sens, 0, a->nsens_cap * sizeof(*a->sens));
}

void
rvd_agg_destroy(struct rvd_agg *a)
{
	rvd_agg_reset(a);
	free(a->tab);
	free(a->sens);
	free(a->scratch);
	memset(a, 0, sizeof(*a));
}

size_t
rvd_agg_mem(const struct rvd_agg *a)
{
	return a->mem + a->cap * sizeof(*a->tab);
}

static int
grow(struct rvd_agg *a)
{
	size_t ncap = a->cap * 2;
	struct rvd_agg_slot *nt = calloc(ncap, sizeof(*nt));

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
rvd_agg_ent_sensors(const struct rvd_agg_ent *e)
{
	return e->sens_ext ? e->sens_ext : e->sens;
}

static int
add_sensor(struct rvd_agg_ent *e, uint16_t id)
{
	uint16_t *s = e->sens_ext ? e->sens_ext : e->sens;
	unsigned cap = e->sens_ext ? RV_SENSORS_MAX : RVD_AGG_SENS_INLINE,
	    i = 0;

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

/* The window's entry of a sensor, growing the array to hold its id. */
static struct rvd_agg_sensor *
sensor_at(struct rvd_agg *a, uint16_t id)
{
	if (id >= a->nsens_cap) {
		size_t n = (size_t)id + 16;
		struct rvd_agg_sensor *s = realloc(a->sens, n * sizeof(*s));
		if (!s)
			return NULL;
		memset(s + a->nsens_cap, 0, (n - a->nsens_cap) * sizeof(*s));
		a->sens = s;
		a->nsens_cap = n;
	}
	return &a->sens[id];
}

int
rvd_agg_sensor_seq(struct rvd_agg *a, uint16_t id,
    const struct rv_sensor_seq *q)
{
	struct rvd_agg_sensor *s = sensor_at(a, id);

	if (!s)
		return RV_ENOMEM;
	s->seq = *q;
	s->has_seq = 1;
	return RV_OK;
}

int
rvd_agg_sensor_dt(struct rvd_agg *a, uint16_t id, enum rv_dt_stat k,
    uint64_t n)
{
	struct rvd_agg_sensor *s = sensor_at(a, id);

	if (!s)
		return RV_ENOMEM;
	s->dt.v[k] += n;
	s->has_dt = 1;
	a->dt_counts++;
	return RV_OK;
}

static int
count_sensor(struct rvd_agg *a, uint16_t id, uint32_t count, uint32_t last)
{
	if (!sensor_at(a, id))
		return RV_ENOMEM;
	a->sens[id].obs += count;
	if (last > a->sens[id].last)
		a->sens[id].last = last;
	return RV_OK;
}

/** An observation ready to merge: its key built and hashed. */
struct prep {
	uint8_t kind;
	const uint8_t *owner;	size_t olen;
	uint16_t type;
	const uint8_t *set;	size_t setlen;
	uint16_t rdcount;
	uint32_t first, last, count, ttl;
	struct rv_key k;
	uint64_t h;
	int rc;
};

static int
prep_key(struct prep *p, uint8_t rcode, const uint8_t *zone, size_t zlen)
{
	if (p->kind == RV_REC_RRSET)
		p->rc = rv_key_rrset(&p->k, p->owner, p->olen, p->type, zone,
		    zlen, rv_set_digest(p->set, p->setlen));
	else
		p->rc = rv_key_neg(&p->k, p->owner, p->olen, p->type, rcode,
		    zone, zlen);
	p->h = rv_set_digest(p->k.buf, p->k.len) ^ p->kind;
	return p->rc;
}

static int
merge(struct rvd_agg *a, const struct prep *p, uint16_t sensor)
{
	struct rvd_agg_ent *e;
	size_t i;
	int rc;

	if ((rc = count_sensor(a, sensor, p->count, p->last)) != RV_OK)
		return rc;
	for (i = p->h & (a->cap - 1); (e = a->tab[i].e);
	    i = (i + 1) & (a->cap - 1))
		if (a->tab[i].hash == p->h && e->keylen == p->k.len &&
		    e->kind == p->kind &&
		    memcmp(e->data, p->k.buf, p->k.len) == 0)
			break;
	if (e) {
		if (p->first < e->first)
			e->first = p->first;
		if (p->last > e->last)
			e->last = p->last;
		e->count = e->count > UINT32_MAX - p->count ? UINT32_MAX :
		    e->count + p->count;
		if (p->ttl != UINT32_MAX) {
			if (p->ttl < e->ttl_min)
				e->ttl_min = p->ttl;
			if (p->ttl > e->ttl_max)
				e->ttl_max = p->ttl;
		}
		a->obs += p->count;
		return add_sensor(e, sensor);
	}
	if (!(e = arena_alloc(a, sizeof(*e) + p->k.len + p->olen + p->setlen)))
		return RV_ENOMEM;
	memset(e, 0, sizeof(*e));
	e->hash = p->h;
	e->first = p->first;
	e->last = p->last;
	e->count = p->count;
	e->ttl_min = p->ttl;		/* UINT32_MAX: unknown */
	e->ttl_max = p->ttl == UINT32_MAX ? 0 : p->ttl;
	e->setlen = (uint32_t)p->setlen;
	e->type = p->type;
	e->rdcount = p->rdcount;
	e->keylen = (uint16_t)p->k.len;
	e->ownerlen = (uint8_t)p->olen;
	e->kind = p->kind;
	e->nsens = 1;
	e->sens[0] = sensor;
	memcpy(e->data, p->k.buf, p->k.len);
	memcpy(e->data + p->k.len, p->owner, p->olen);
	rv_name_canon(e->data + p->k.len, p->olen);
	if (p->setlen)
		memcpy(e->data + p->k.len + p->olen, p->set, p->setlen);
	a->tab[i].hash = p->h;
	a->tab[i].e = e;
	a->n++;
	a->obs += p->count;
	if (a->n * 2 > a->cap)
		return grow(a);
	return RV_OK;
}

int
rvd_agg_add(struct rvd_agg *a, uint8_t kind, const uint8_t *owner, size_t olen,
    uint16_t type, uint8_t rcode, const uint8_t *zone, size_t zlen,
    const uint8_t *set, size_t setlen, uint16_t rdcount, uint32_t first,
    uint32_t last, uint32_t count, uint32_t ttl, uint16_t sensor)
{
	struct prep p = { .kind = kind, .owner = owner, .olen = olen,
	    .type = type, .set = set, .setlen = setlen, .rdcount = rdcount,
	    .first = first, .last = last, .count = count, .ttl = ttl };

	if (prep_key(&p, rcode, zone, zlen) != RV_OK)
		return p.rc;
	return merge(a, &p, sensor);
}

/* A decoded frame record -> prep; the set goes to scratch. */
static int
prep_record(struct prep *p, const struct rv_record *rec, uint8_t *scratch)
{
	uint32_t t;

	memset(p, 0, offsetof(struct prep, k));
	if (rec->rclass != 1)
		return p->rc = RV_ENOTSUP;
	t = rec->time < 0 ? 0 : rec->time > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)rec->time;
	p->kind = rec->kind == RV_REC_NEGATIVE ? RV_REC_NEGATIVE : RV_REC_RRSET;
	p->owner = rec->owner;
	p->olen = rec->owner_len;
	p->type = rec->type;
	p->first = p->last = t;
	p->count = 1;
	p->ttl = rec->ttl;
	if (p->kind == RV_REC_RRSET) {
		if (rec->rdata_len > SCRATCH)
			return p->rc = RV_ETOOBIG;
		if ((p->rc = rv_set_canon(rec->type, rec->rdata,
		    rec->rdata_len, rec->rdcount, scratch, SCRATCH,
		    &p->setlen, &p->rdcount)) != RV_OK)
			return p->rc;
		p->set = scratch;
	}
	return prep_key(p, rec->rcode, rec->zone, rec->zone_len);
}

int
rvd_agg_add_record(struct rvd_agg *a, const struct rv_record *rec,
    uint16_t sensor)
{
	struct prep p;

	if (prep_record(&p, rec, a->scratch) != RV_OK)
		return p.rc;
	return merge(a, &p, sensor);
}

int
rvd_agg_add_frame(struct rvd_agg *a, const uint8_t *buf, size_t len, size_t off,
    uint32_t count, uint16_t sensor, uint64_t *bad)
{
	struct prep ring[PIPE];
	struct rv_record rec;
	uint64_t nbad = 0;

	/* Three stages, one record apart: build the key and prefetch its
	 * hash slot; prefetch the entry the slot points at; merge. The two
	 * cache misses of a lookup overlap with the work on other records. */
	for (uint32_t i = 0; i < count + 2; i++) {
		if (i < count) {
			struct prep *p = &ring[i % PIPE];
			if (rv_frame_decode_record(buf, len, &off, &rec) !=
			    RV_OK) {
				nbad += count - i;	/* validated: cannot be */
				count = i;
			} else if (prep_record(p, &rec, a->scratch +
			    (i % PIPE) * SCRATCH) == RV_OK) {
				__builtin_prefetch(&a->tab[p->h & (a->cap - 1)]);
			}
		}
		if (i >= 1 && i - 1 < count) {
			struct prep *p = &ring[(i - 1) % PIPE];
			struct rvd_agg_ent *e;
			if (p->rc == RV_OK &&
			    (e = a->tab[p->h & (a->cap - 1)].e) != NULL)
				__builtin_prefetch(e);
		}
		if (i >= 2 && i - 2 < count) {
			struct prep *p = &ring[(i - 2) % PIPE];
			if (p->rc != RV_OK || merge(a, p, sensor) != RV_OK)
				nbad++;
		}
	}
	*bad = nbad;
	return RV_OK;
}

int
rvd_agg_sorted(struct rvd_agg *a, struct rvd_agg_ent ***out)
{
	struct rv_psort_item *s = malloc((a->n ? a->n : 1) * sizeof(*s));
	struct rvd_agg_ent **v = malloc((a->n ? a->n : 1) * sizeof(*v));
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
			struct rvd_agg_ent *e = a->tab[i].e;
			if (e && e->kind == kind)
				rv_psort_set(&s[j++], e->data, e->keylen,
				    (uint32_t)i);
		}
		rv_psort(s + start, j - start);
	}
	for (; k < j; k++)
		v[k] = a->tab[s[k].idx].e;
	free(s);
	*out = v;
	return RV_OK;
}
