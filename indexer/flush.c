/**
 * \file flush.c
 * One aggregation window -> one LMDB write transaction, with map growth
 * and retry. Keys are written in sorted order per database, which is what
 * makes LMDB fast (DESIGN.md: ~920k sorted puts/s against ~220k random).
 */
#define _GNU_SOURCE 1	/* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "flush.h"
#include "log.h"
#include "rv_err.h"
#include "rv_rdata.h"

#define MAX_GROWS 16

/** A secondary row (rdata or names) waiting to be merged in. */
struct row {
	size_t off;		/**< key octets in rows.buf */
	uint16_t len;
	struct rv_seen s;
};

struct rows {
	struct row *v;
	size_t n, cap;
	uint8_t *buf;
	size_t used, bcap;
};

static void
rows_free(struct rows *r)
{
	free(r->v);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

static int
rows_add(struct rows *r, const struct rv_key *k, const struct rv_seen *s)
{
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 4096;
		struct row *nv = realloc(r->v, nc * sizeof(*nv));
		if (!nv)
			return RV_ENOMEM;
		r->v = nv;
		r->cap = nc;
	}
	if (r->used + k->len > r->bcap) {
		size_t nc = r->bcap ? r->bcap * 2 : 1 << 20;
		uint8_t *nb;
		while (nc < r->used + k->len)
			nc *= 2;
		if (!(nb = realloc(r->buf, nc)))
			return RV_ENOMEM;
		r->buf = nb;
		r->bcap = nc;
	}
	memcpy(r->buf + r->used, k->buf, k->len);
	r->v[r->n].off = r->used;
	r->v[r->n].len = (uint16_t)k->len;
	r->v[r->n].s = *s;
	r->used += k->len;
	r->n++;
	return RV_OK;
}

static int
row_cmp(const void *x, const void *y, void *base)
{
	const struct row *a = x, *b = y;
	const uint8_t *p = base;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(p + a->off, p + b->off, n);

	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* Sort and merge rows with equal keys. */
static void
rows_sort(struct rows *r)
{
	size_t w = 0;

	qsort_r(r->v, r->n, sizeof(*r->v), row_cmp, r->buf);
	for (size_t i = 0; i < r->n; i++) {
		if (w && row_cmp(&r->v[w - 1], &r->v[i], r->buf) == 0)
			rv_seen_merge(&r->v[w - 1].s, &r->v[i].s);
		else
			r->v[w++] = r->v[i];
	}
	r->n = w;
}

/* DNSSEC chaff that would only bloat the reverse index. */
static int
skip_rdata_index(uint16_t type)
{
	return type == 46 || type == 47 || type == 50 || type == 51;
}

/* Build the rdata and names rows of the table (independent of the db). */
static int
build_rows(struct agg_ent **ents, size_t n, struct rows *rd, struct rows *nm)
{
	struct rv_key k;
	int rc;

	for (size_t i = 0; i < n; i++) {
		const struct agg_ent *e = ents[i];
		struct rv_seen s = { e->first, e->last, e->count };
		const uint8_t *set = agg_set(e), *d, *tgt;
		size_t off = 0, tl;
		uint16_t dl;

		if (e->kind != RV_REC_RRSET)
			continue;
		if (rv_key_names(&k, agg_owner(e), e->ownerlen) == RV_OK) {
			struct rv_seen ns = { e->first, e->last, 0 };
			if ((rc = rows_add(nm, &k, &ns)) != RV_OK)
				return rc;
		}
		if (skip_rdata_index(e->type))
			continue;
		while (rv_set_next(set, e->setlen, &off, &d, &dl) == RV_OK) {
			struct rv_ip ip;
			if ((e->type == 1 && dl == 4) ||
			    (e->type == 28 && dl == 16)) {
				ip.family = dl == 4 ? 4 : 6;
				memcpy(ip.addr, d, dl);
				rc = rv_key_rdata_ip(&k, &ip, e->type,
				    agg_owner(e), e->ownerlen);
			} else if (rv_rdata_target(e->type, d, dl, &tgt, &tl) ==
			    RV_OK) {
				rc = rv_key_rdata_name(&k, tgt, tl, e->type,
				    agg_owner(e), e->ownerlen);
			} else {
				rc = rv_key_rdata_hash(&k,
				    rv_rdata_digest(e->type, d, dl), e->type,
				    agg_owner(e), e->ownerlen);
			}
			if (rc == RV_ETOOBIG)
				continue;	/* absurdly long names */
			if (rc != RV_OK || (rc = rows_add(rd, &k, &s)) != RV_OK)
				return rc;
		}
	}
	rows_sort(rd);
	rows_sort(nm);
	return RV_OK;
}

/** State of one attempt. */
struct attempt {
	struct rv_store *st;
	MDB_txn *txn;
	struct enrich *en;
	uint64_t stat[RV_STAT_COUNT];
	size_t rows;
	uint8_t *vbuf;		/* value scratch */
	int mrc;		/* raw LMDB code of the failure */
	int in_commit;
};

static int
fail(struct attempt *at, int mrc)
{
	at->mrc = mrc;
	return rv_store_err(mrc);
}

static int
put_entry(struct attempt *at, const struct agg_ent *e)
{
	enum rv_db db = e->kind == RV_REC_RRSET ? RV_DB_RRSET : RV_DB_NEG;
	MDB_dbi dbi = rv_store_dbi(at->st, db);
	MDB_val k = { e->keylen, (void *)agg_key(e) }, v;
	struct rv_rrset_val val, old;
	const uint16_t *s = agg_ent_sensors(e);
	int mrc;

	memset(&val, 0, sizeof(val));
	val.first = e->first;
	val.last = e->last;
	val.count = e->count;
	val.ttl_min = e->ttl_min;
	val.ttl_max = e->ttl_max;
	val.nsens = e->nsens;
	memcpy(val.sensor, s, e->nsens * sizeof(*s));
	val.rdcount = e->rdcount;
	val.set = agg_set(e);
	val.set_len = e->setlen;
	mrc = mdb_get(at->txn, dbi, &k, &v);
	if (mrc == 0) {
		int dr = db == RV_DB_RRSET ?
		    rv_rrset_val_decode(v.mv_data, v.mv_size, &old) :
		    rv_neg_val_decode(v.mv_data, v.mv_size, &old);
		if (dr == RV_OK) {
			rv_rrset_val_merge(&old, &val);
			old.set = val.set;	/* same digest, same set */
			old.set_len = val.set_len;
			old.rdcount = val.rdcount;
			val = old;
		} else {
			rvd_log(LOG_WARNING, "%s: overwriting a corrupt row",
			    rv_db_name(db));
		}
	} else if (mrc == MDB_NOTFOUND) {
		at->stat[db == RV_DB_RRSET ? RV_STAT_RRSETS :
		    RV_STAT_NEGATIVES]++;
	} else {
		return fail(at, mrc);
	}
	v.mv_size = db == RV_DB_RRSET ? rv_rrset_val_size(&val) :
	    rv_neg_val_size(&val);
	v.mv_data = at->vbuf;
	if (db == RV_DB_RRSET)
		rv_rrset_val_encode(&val, at->vbuf);
	else
		rv_neg_val_encode(&val, at->vbuf);
	if ((mrc = mdb_put(at->txn, dbi, &k, &v, 0)))
		return fail(at, mrc);
	at->stat[RV_STAT_OBSERVATIONS] += e->count;
	return RV_OK;
}

/* Merge a seen row (rdata: 12 octets, names/asn: 8). */
static int
put_seen(struct attempt *at, enum rv_db db, const void *key, size_t klen,
    const struct rv_seen *s)
{
	MDB_dbi dbi = rv_store_dbi(at->st, db);
	MDB_val k = { klen, (void *)key }, v;
	struct rv_seen cur = *s, old;
	uint8_t b[RV_RDATA_VAL_SIZE];
	int full = db == RV_DB_RDATA, mrc;

	mrc = mdb_get(at->txn, dbi, &k, &v);
	if (mrc == 0) {
		int dr = full ? rv_rdata_val_decode(v.mv_data, v.mv_size, &old) :
		    rv_names_val_decode(v.mv_data, v.mv_size, &old);
		if (dr == RV_OK) {
			if (old.first <= cur.first && old.last >= cur.last &&
			    !full)
				return RV_OK;	/* nothing new */
			rv_seen_merge(&old, &cur);
			cur = old;
		}
	} else if (mrc != MDB_NOTFOUND) {
		return fail(at, mrc);
	}
	if (full)
		rv_rdata_val_encode(&cur, b);
	else
		rv_seen2_encode(&cur, b);
	v.mv_size = full ? RV_RDATA_VAL_SIZE : RV_SEEN2_SIZE;
	v.mv_data = b;
	if ((mrc = mdb_put(at->txn, dbi, &k, &v, 0)))
		return fail(at, mrc);
	at->rows++;
	return RV_OK;
}

/* An address seen in this window from first to last. */
static int
put_ip(struct attempt *at, const struct rv_ip *ip, uint32_t first,
    uint32_t last)
{
	struct rv_ipinfo info;
	struct rv_key k;
	struct rv_seen s = { first, last, 0 };
	MDB_val kv, v;
	int rc, mrc;

	rc = rv_store_ipinfo_at(at->st, at->txn, ip, UINT32_MAX, &info);
	if (rc == RV_ENOENT) {
		enrich_lookup(at->en, ip, &info);
		info.since = first;
		rv_key_ip(&k, ip, first);
		kv = rv_key_val(&k);
		v.mv_size = rv_ipinfo_size(&info);
		v.mv_data = at->vbuf;
		rv_ipinfo_encode(&info, at->vbuf);
		if ((mrc = mdb_put(at->txn, rv_store_dbi(at->st, RV_DB_IP),
		    &kv, &v, 0)))
			return fail(at, mrc);
		at->stat[RV_STAT_IPS]++;
		at->rows++;
	} else if (rc != RV_OK) {
		return rc;
	}
	if (info.asn == 0)
		return RV_OK;
	rv_key_asn(&k, info.asn, ip);
	return put_seen(at, RV_DB_ASN, k.buf, k.len, &s);
}

static int
write_rdata(struct attempt *at, const struct rows *rd)
{
	struct rv_ip ip, cur = { 0 };
	uint32_t first = 0, last = 0;
	int rc;

	for (size_t i = 0; i < rd->n; i++) {
		const struct row *r = &rd->v[i];
		const uint8_t *key = rd->buf + r->off;
		if ((rc = put_seen(at, RV_DB_RDATA, key, r->len, &r->s)))
			return rc;
		if (key[0] != RV_TAG_IPV4 && key[0] != RV_TAG_IPV6)
			continue;
		/* Rows of one address are adjacent: group them. */
		memset(&ip, 0, sizeof(ip));
		ip.family = key[0] == RV_TAG_IPV4 ? 4 : 6;
		memcpy(ip.addr, key + 1, rv_ip_len(ip.family));
		if (cur.family && memcmp(&ip, &cur, sizeof(ip)) == 0) {
			if (r->s.first < first)
				first = r->s.first;
			if (r->s.last > last)
				last = r->s.last;
			continue;
		}
		if (cur.family && (rc = put_ip(at, &cur, first, last)))
			return rc;
		cur = ip;
		first = r->s.first;
		last = r->s.last;
	}
	if (cur.family)
		return put_ip(at, &cur, first, last);
	return RV_OK;
}

static int
attempt_write(struct attempt *at, struct agg *a, struct agg_ent **ents,
    const struct rows *rd, const struct rows *nm, uint32_t now,
    struct flush_result *res)
{
	struct rv_store_stats before;
	int rc;

	memset(at->stat, 0, sizeof(at->stat));
	at->rows = 0;
	at->mrc = 0;
	at->in_commit = 0;
	if ((rc = rv_store_write_begin(at->st, &at->txn)) != RV_OK)
		return rc;
	if ((rc = rv_store_stats_read(at->st, at->txn, &before)) != RV_OK)
		return rc;
	for (size_t i = 0; i < a->n; i++)
		if ((rc = put_entry(at, ents[i])) != RV_OK)
			return rc;
	if ((rc = write_rdata(at, rd)) != RV_OK)
		return rc;
	for (size_t i = 0; i < nm->n; i++)
		if ((rc = put_seen(at, RV_DB_NAMES, nm->buf + nm->v[i].off,
		    nm->v[i].len, &nm->v[i].s)) != RV_OK)
			return rc;
	for (size_t id = 0; id < a->nsens_cap; id++)
		if (a->sens[id].obs && (rc = rv_store_sensor_stat_add(at->st,
		    at->txn, (uint16_t)id, a->sens[id].obs, a->sens[id].last)))
			return rc;
	at->stat[RV_STAT_FRAMES] = a->frames;
	at->stat[RV_STAT_FRAMES_REJECTED] = a->frames_rejected;
	at->stat[RV_STAT_RECORDS_REJECTED] = a->records_rejected;
	at->stat[RV_STAT_FLUSHES] = 1;
	if ((rc = rv_store_stats_add(at->st, at->txn, at->stat, now)))
		return rc;
	at->in_commit = 1;
	rc = mdb_txn_commit(at->txn);
	at->txn = NULL;
	if (rc)
		return fail(at, rc);
	res->seq = before.v[RV_STAT_FLUSHES] + 1;
	res->entries = a->n;
	res->rows = at->rows;
	res->new_rrsets = at->stat[RV_STAT_RRSETS];
	res->new_negs = at->stat[RV_STAT_NEGATIVES];
	res->new_ips = at->stat[RV_STAT_IPS];
	return RV_OK;
}

int
flush_write(struct rv_store *st, struct agg *a, struct enrich *en,
    uint32_t now, struct flush_result *res)
{
	struct agg_ent **ents = NULL;
	struct rows rd = { 0 }, nm = { 0 };
	struct attempt at = { .st = st, .en = en };
	int rc;

	memset(res, 0, sizeof(*res));
	if (!(at.vbuf = malloc(RV_SENSORS_MAX * 2 + 64 + 65536 + 512))) {
		rc = RV_ENOMEM;
		goto leave;
	}
	if ((rc = agg_sorted(a, &ents)) != RV_OK ||
	    (rc = build_rows(ents, a->n, &rd, &nm)) != RV_OK)
		goto leave;
	for (;;) {
		rc = attempt_write(&at, a, ents, &rd, &nm, now, res);
		rv_store_txn_end(at.txn);
		at.txn = NULL;
		/* ENOSPC before the commit is the map; at the commit, the disk. */
		if (rc == RV_OK || !(rv_store_is_map_full(at.mrc) ||
		    (rc == RV_ENOSPC && !at.in_commit)))
			break;
		if (res->grows == MAX_GROWS) {
			rvd_log(LOG_ERR, "LMDB map still full after %u growths",
			    res->grows);
			break;
		}
		if ((rc = rv_store_grow(st)) != RV_OK) {
			rvd_log(LOG_ERR, "cannot grow the LMDB map: %s",
			    rv_strerror(rc));
			break;
		}
		res->grows++;
		rvd_log(LOG_INFO, "LMDB map grown to %zu MiB",
		    rv_store_mapsize(st) >> 20);
	}
leave:
	rows_free(&rd);
	rows_free(&nm);
	free(ents);
	free(at.vbuf);
	return rc;
}

int
flush_reenrich(struct rv_store *st, struct enrich *en, uint32_t now,
    size_t *changed)
{
	struct rv_key from = { 0 };
	int rc = RV_OK, done = 0;
	uint8_t vbuf[1024];

	*changed = 0;
	while (!done && rc == RV_OK) {
		MDB_txn *txn = NULL;
		MDB_cursor *cur = NULL;
		MDB_val k, v;
		size_t batch = 0;
		int mrc;

		if ((rc = rv_store_write_begin(st, &txn)) != RV_OK)
			break;
		if ((mrc = mdb_cursor_open(txn, rv_store_dbi(st, RV_DB_IP),
		    &cur))) {
			rc = rv_store_err(mrc);
			goto next;
		}
		k = rv_key_val(&from);
		mrc = mdb_cursor_get(cur, &k, &v, from.len ? MDB_SET_RANGE :
		    MDB_FIRST);
		for (; mrc == 0 && batch < 5000; batch++) {
			struct rv_ipinfo old, neu;
			struct rv_ip ip;
			struct rv_key nk;
			uint32_t since;
			MDB_val nkv, nv;

			if (rv_ip_key_decode(k.mv_data, k.mv_size, &ip, &since) ||
			    rv_ipinfo_decode(v.mv_data, v.mv_size, &old) ||
			    old.until != 0) {
				mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
				continue;
			}
			enrich_lookup(en, &ip, &neu);
			if (!rv_ipinfo_same(&old, &neu) && since < now) {
				old.until = now;
				rv_ipinfo_encode(&old, vbuf);
				nv.mv_size = rv_ipinfo_size(&old);
				nv.mv_data = vbuf;
				if ((mrc = mdb_cursor_put(cur, &k, &nv,
				    MDB_CURRENT)))
					break;
				rv_key_ip(&nk, &ip, now);
				nkv = rv_key_val(&nk);
				rv_ipinfo_encode(&neu, vbuf);
				nv.mv_size = rv_ipinfo_size(&neu);
				if ((mrc = mdb_put(txn, rv_store_dbi(st,
				    RV_DB_IP), &nkv, &nv, 0)))
					break;
				(*changed)++;
				/* The cursor may have moved: re-seek past. */
				k = nkv;
				if ((mrc = mdb_cursor_get(cur, &k, &v,
				    MDB_SET_RANGE)))
					break;
			}
			mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
		}
		if (mrc == MDB_NOTFOUND) {
			done = 1;
		} else if (mrc) {
			rc = rv_store_err(mrc);
			goto next;
		} else {
			memcpy(from.buf, k.mv_data, k.mv_size);
			from.len = k.mv_size;
		}
		mdb_cursor_close(cur);
		cur = NULL;
		rc = rv_store_err(mdb_txn_commit(txn));
		txn = NULL;
next:
		if (cur)
			mdb_cursor_close(cur);
		rv_store_txn_end(txn);
	}
	return rc;
}
