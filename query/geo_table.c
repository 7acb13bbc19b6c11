/**
 * \file geo_table.c
 * The ip database in memory: open-addressing hash tables by address
 * (IPv4 and IPv6 apart, so an IPv4 slot is 12 octets), at a load of 0.8,
 * built in one pass in key order.
 *
 * A slot holds its address's period in place when it has one (the usual
 * case); an address with several periods points to a run of them in
 * ->periods instead. Periods name their value by an index into ->infos:
 * values are interned, so all addresses of one AS and place (and period
 * end) share one value in the map, and what a lookup decodes is nearly
 * always already in the cache. Fresh memory is what the build costs
 * most, so everything is as small as it can be.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "rvq_geo_table.h"
#include "rv_be.h"
#include "rv_err.h"

#define GT_MULTI 0x80000000u	/* slot: since indexes a run of periods */
#define GT_LAST 0x40000000u	/* period: the last of its address's run */
#define GT_ID 0x3FFFFFFFu	/* period: the value's index in infos */
#define GT_AHEAD 16		/* slots prefetched ahead of an insert */

/* One period: its start and its value. info is 0 in an empty slot
 * (infos[0] is never used). */
struct gt_period {
	uint32_t since, info;
};

struct gt_slot4 {
	uint32_t addr;		/* host order */
	struct gt_period p;
};

struct gt_slot6 {
	uint8_t addr[16];
	struct gt_period p;
};

struct gt_info {
	const uint8_t *v;	/* a value in the map */
	uint32_t len;
};

struct rvq_geo_table {
	struct gt_slot4 *s4;
	struct gt_slot6 *s6;
	size_t cap4, cap6;
	struct gt_period *periods;
	size_t nper, capper;
	struct gt_info *infos;
	size_t ninfo, capinfo;
	size_t bytes;
};

/* What the build needs besides the table: addresses in key order before
 * they are hashed, and the interning index. */
struct gt_build {
	struct rvq_geo_table *t;
	struct gt_slot4 *a4;	/* room for every row of the database */
	struct gt_slot6 *a6;
	size_t n4, n6, rows;
	uint32_t *ix;		/* info ids by value hash, 0 empty */
	size_t capix;
	uint32_t last;		/* the id of the previous row's value */
	size_t max_bytes;
};

static size_t
hash_range(uint64_t h, size_t cap)
{
	return (size_t)(((h >> 32) * (uint64_t)cap) >> 32);
}

static uint64_t
hash4(uint32_t a)
{
	return (uint64_t)a * 0x9E3779B97F4A7C15ull;
}

static uint64_t
hash6(const uint8_t *a)
{
	uint64_t w0, w1;

	memcpy(&w0, a, 8);
	memcpy(&w1, a + 8, 8);
	return (w0 ^ (w1 * 0xC2B2AE3D27D4EB4Full)) * 0x9E3779B97F4A7C15ull;
}

static uint64_t
hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t h = n * 0x9E3779B97F4A7C15ull, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xC2B2AE3D27D4EB4Full;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * 0x9E3779B97F4A7C15ull;
	return h ^ (h >> 32);
}

/* Grow an array of elements of size sz so that index n fits; doubles. */
static int
grow(struct gt_build *b, void **arr, size_t *cap, size_t n, size_t sz)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return RV_OK;
	ncap = *cap ? *cap * 2 : 1024;
	b->t->bytes += (ncap - *cap) * sz;
	if (b->t->bytes > b->max_bytes || (p = realloc(*arr, ncap * sz)) ==
	    NULL)
		return RV_ENOMEM;
	*arr = p;
	*cap = ncap;
	return RV_OK;
}

/* Values are 20-50 octets (intern() checks at least 20): words compared
 * in line, the last one overlapping, beat a memcmp call once per row of
 * the ip database. */
static int
info_same(const struct gt_info *in, const uint8_t *v, size_t len)
{
	const uint8_t *a = in->v;
	uint64_t x, y;

	if (in->len != len)
		return 0;
	for (size_t i = 0; i + 8 < len; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, v + i, 8);
		if (x != y)
			return 0;
	}
	memcpy(&x, a + len - 8, 8);
	memcpy(&y, v + len - 8, 8);
	return x == y;
}

static int
ix_rehash(struct gt_build *b)
{
	struct rvq_geo_table *t = b->t;
	size_t cap = b->capix ? b->capix * 2 : 1024;
	uint32_t *ix = calloc(cap, sizeof(*ix));

	if (ix == NULL)
		return RV_ENOMEM;
	for (size_t id = 1; id < t->ninfo; id++) {
		const struct gt_info *in = &t->infos[id];
		size_t i = hash_range(hash_bytes(in->v, in->len), cap);

		while (ix[i] != 0)
			i = i + 1 == cap ? 0 : i + 1;
		ix[i] = (uint32_t)id;
	}
	free(b->ix);
	b->ix = ix;
	b->capix = cap;
	return RV_OK;
}

/* The id of value v (a new one if unseen, checked by decoding). */
static int
intern(struct gt_build *b, const uint8_t *v, size_t len, uint32_t *id)
{
	struct rvq_geo_table *t = b->t;
	struct rv_ipinfo check;
	size_t i;
	int rc;

	if (len < 20 || len > UINT32_MAX)
		return RV_ECORRUPT;
	/* neighbours in the tree mostly share their AS and place */
	if (b->last != 0 && info_same(&t->infos[b->last], v, len)) {
		*id = b->last;
		return RV_OK;
	}
	if (t->ninfo * 2 >= b->capix && (rc = ix_rehash(b)) != RV_OK)
		return rc;
	i = hash_range(hash_bytes(v, len), b->capix);
	for (; b->ix[i] != 0; i = i + 1 == b->capix ? 0 : i + 1) {
		if (info_same(&t->infos[b->ix[i]], v, len)) {
			*id = b->last = b->ix[i];
			return RV_OK;
		}
	}
	if ((rc = rv_ipinfo_decode(v, len, &check)) != RV_OK)
		return rc;
	if (t->ninfo > GT_ID)
		return RV_ENOMEM;
	if ((rc = grow(b, (void **)&t->infos, &t->capinfo, t->ninfo,
	    sizeof(*t->infos))) != RV_OK)
		return rc;
	t->infos[t->ninfo].v = v;
	t->infos[t->ninfo].len = (uint32_t)len;
	*id = b->last = (uint32_t)t->ninfo;
	b->ix[i] = *id;
	t->ninfo++;
	return RV_OK;
}

/* Add period p to the address whose slot period is *sp (the previous row
 * was the same address). */
static int
add_period(struct gt_build *b, struct gt_period *sp, const struct gt_period *p)
{
	struct rvq_geo_table *t = b->t;
	int rc;

	if ((rc = grow(b, (void **)&t->periods, &t->capper, t->nper + 1,
	    sizeof(*t->periods))) != RV_OK)
		return rc;
	if (t->nper + 2 > UINT32_MAX)
		return RV_ENOMEM;
	if (!(sp->info & GT_MULTI)) {	/* the first becomes a run */
		t->periods[t->nper] = *sp;
		sp->since = (uint32_t)t->nper++;
		sp->info = GT_MULTI;
	} else {
		t->periods[t->nper - 1].info &= ~GT_LAST;
	}
	t->periods[t->nper] = *p;
	t->periods[t->nper++].info |= GT_LAST;
	return RV_OK;
}

/* One row of the ip database, in key order. */
static int
add_row(struct gt_build *b, const struct rv_val *k, const struct rv_val *v)
{
	struct gt_period p;
	struct rv_ip ip;
	int rc;

	if ((rc = rv_ip_key_decode(k->data, k->len, &ip, &p.since)) != RV_OK ||
	    (rc = intern(b, v->data, v->len, &p.info)) != RV_OK)
		return rc;
	if (ip.family == 4) {
		uint32_t a = rv_get32(ip.addr);

		if (b->n4 > 0 && b->a4[b->n4 - 1].addr == a)
			return add_period(b, &b->a4[b->n4 - 1].p, &p);
		if (b->n4 + b->n6 == b->rows)	/* more than counted */
			return RV_ECORRUPT;
		b->a4[b->n4].addr = a;
		b->a4[b->n4++].p = p;
	} else {
		if (b->n6 > 0 && memcmp(b->a6[b->n6 - 1].addr, ip.addr, 16) ==
		    0)
			return add_period(b, &b->a6[b->n6 - 1].p, &p);
		if (b->n4 + b->n6 == b->rows)
			return RV_ECORRUPT;
		memcpy(b->a6[b->n6].addr, ip.addr, 16);
		b->a6[b->n6++].p = p;
	}
	return RV_OK;
}

/* Zeroed memory, on huge pages where the kernel gives them: a lookup is
 * a cache miss anyway, it need not be a TLB miss too; and a fault per
 * 2 MiB instead of per 4 KiB makes fresh memory cheap. Untouched parts
 * cost nothing, so the build can reserve for the most it may need. */
static void *
map_zeroed(size_t len)
{
	void *p;

	if (len == 0)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, len, MADV_HUGEPAGE);
#endif
	return p;
}

static void
unmap(void *p, size_t len)
{
	if (p != NULL)
		(void)munmap(p, len);
}

/* Slots for n addresses at a load of at most 0.8. */
static size_t
slots_for(size_t n)
{
	return n + n / 4 + 1;
}

/* Hash the collected addresses into their tables. */
static int
place(struct gt_build *b)
{
	struct rvq_geo_table *t = b->t;

	t->cap4 = slots_for(b->n4);
	t->cap6 = slots_for(b->n6);
	t->bytes += t->cap4 * sizeof(*t->s4) + t->cap6 * sizeof(*t->s6);
	/* the peak: the collected addresses are still there */
	if (t->bytes + b->n4 * sizeof(*b->a4) + b->n6 * sizeof(*b->a6) >
	    b->max_bytes)
		return RV_ENOMEM;
	/* zeroed: info 0 marks an empty slot */
	if ((t->s4 = map_zeroed(t->cap4 * sizeof(*t->s4))) == NULL ||
	    (t->s6 = map_zeroed(t->cap6 * sizeof(*t->s6))) == NULL)
		return RV_ENOMEM;
	for (size_t j = 0; j < b->n4; j++) {
		size_t i = hash_range(hash4(b->a4[j].addr), t->cap4);

		if (j + GT_AHEAD < b->n4)
			__builtin_prefetch(&t->s4[hash_range(hash4(
			    b->a4[j + GT_AHEAD].addr), t->cap4)], 1);
		while (t->s4[i].p.info != 0)
			i = i + 1 == t->cap4 ? 0 : i + 1;
		t->s4[i] = b->a4[j];
	}
	for (size_t j = 0; j < b->n6; j++) {
		size_t i = hash_range(hash6(b->a6[j].addr), t->cap6);

		if (j + GT_AHEAD < b->n6)
			__builtin_prefetch(&t->s6[hash_range(hash6(
			    b->a6[j + GT_AHEAD].addr), t->cap6)], 1);
		while (t->s6[i].p.info != 0)
			i = i + 1 == t->cap6 ? 0 : i + 1;
		t->s6[i] = b->a6[j];
	}
	return RV_OK;
}

int
rvq_geo_table_build(struct rv_store *st, struct rv_txn *txn,
    size_t max_bytes, struct rvq_geo_table **out)
{
	struct gt_build b;
	struct rv_cursor *cur = NULL;
	struct rv_val k, v;
	uint64_t rows;
	int rc, grc;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	b.max_bytes = max_bytes;
	if (rv_store_rows(st, txn, RV_DB_IP, &rows) != RV_OK)
		return RV_EIO;
	/* an address costs at least its slot and a half */
	if (rows > max_bytes / (sizeof(*b.a4) * 3 / 2))
		return RV_ENOMEM;
	b.rows = (size_t)rows;
	if ((b.t = calloc(1, sizeof(*b.t))) == NULL)
		return RV_ENOMEM;
	if (b.rows > 0 && ((b.a4 = map_zeroed(b.rows * sizeof(*b.a4))) ==
	    NULL || (b.a6 = map_zeroed(b.rows * sizeof(*b.a6))) == NULL)) {
		unmap(b.a4, b.rows * sizeof(*b.a4));
		free(b.t);
		return RV_ENOMEM;
	}
	b.t->ninfo = 1;		/* id 0 is "empty" */
	rc = grow(&b, (void **)&b.t->infos, &b.t->capinfo, 1,
	    sizeof(*b.t->infos));
	if (rc == RV_OK && rv_cursor_open(st, txn, RV_DB_IP, &cur) != RV_OK)
		rc = RV_EIO;
	for (grc = rc == RV_OK ? rv_cursor_get(cur, &k, &v, RV_FIRST) :
	    RV_ENOENT; grc == RV_OK && rc == RV_OK;
	    grc = rv_cursor_get(cur, &k, &v, RV_NEXT))
		rc = add_row(&b, &k, &v);
	if (rc == RV_OK && grc != RV_ENOENT)
		rc = RV_EIO;
	rv_cursor_close(cur);
	if (rc == RV_OK)
		rc = place(&b);
	/* the collected addresses and the index are the build's only */
	unmap(b.a4, b.rows * sizeof(*b.a4));
	unmap(b.a6, b.rows * sizeof(*b.a6));
	free(b.ix);
	if (rc != RV_OK) {
		rvq_geo_table_free(b.t);
		return rc;
	}
	*out = b.t;
	return RV_OK;
}

static const struct gt_period *
find_slot(const struct rvq_geo_table *t, const struct rv_ip *ip)
{
	if (ip->family == 4 && t->cap4 > 0) {
		uint32_t a = rv_get32(ip->addr);
		size_t i = hash_range(hash4(a), t->cap4);

		for (; t->s4[i].p.info != 0; i = i + 1 == t->cap4 ? 0 : i + 1)
			if (t->s4[i].addr == a)
				return &t->s4[i].p;
	} else if (ip->family == 6 && t->cap6 > 0) {
		size_t i = hash_range(hash6(ip->addr), t->cap6);

		for (; t->s6[i].p.info != 0; i = i + 1 == t->cap6 ? 0 : i + 1)
			if (memcmp(t->s6[i].addr, ip->addr, 16) == 0)
				return &t->s6[i].p;
	}
	return NULL;
}

int
rvq_geo_table_find_raw(const struct rvq_geo_table *t, const struct rv_ip *ip,
    uint32_t when, uint32_t *since, const uint8_t **v, uint32_t *vlen)
{
	const struct gt_period *p = find_slot(t, ip);

	if (p == NULL)
		return RV_ENOENT;
	if (p->info & GT_MULTI) {
		/* the last period that began by then, else the first */
		const struct gt_period *run = t->periods + p->since;

		for (p = run; !(p->info & GT_LAST) && p[1].since <= when; p++)
			;
	}
	*since = p->since;
	*v = t->infos[p->info & GT_ID].v;
	*vlen = t->infos[p->info & GT_ID].len;
	return RV_OK;
}

int
rvq_geo_table_find(const struct rvq_geo_table *t, const struct rv_ip *ip,
    uint32_t when, struct rv_ipinfo *out)
{
	const uint8_t *v;
	uint32_t since, vlen;
	int rc;

	if ((rc = rvq_geo_table_find_raw(t, ip, when, &since, &v, &vlen)) !=
	    RV_OK || (rc = rv_ipinfo_decode(v, vlen, out)) != RV_OK)
		return rc;
	out->since = since;
	return RV_OK;
}

void
rvq_geo_table_prefetch(const struct rvq_geo_table *t, const struct rv_ip *ip)
{
	if (ip->family == 4 && t->cap4 > 0)
		__builtin_prefetch(&t->s4[hash_range(hash4(rv_get32(ip->addr)),
		    t->cap4)]);
	else if (ip->family == 6 && t->cap6 > 0)
		__builtin_prefetch(&t->s6[hash_range(hash6(ip->addr),
		    t->cap6)]);
}

size_t
rvq_geo_table_bytes(const struct rvq_geo_table *t)
{
	return t->bytes;
}

void
rvq_geo_table_free(struct rvq_geo_table *t)
{
	if (t == NULL)
		return;
	unmap(t->s4, t->cap4 * sizeof(*t->s4));
	unmap(t->s6, t->cap6 * sizeof(*t->s6));
	free(t->periods);
	free(t->infos);
	free(t);
}
