/**
 * \file flush.c
 * One aggregation window -> one LMDB write transaction, with map growth
 * and retry. Keys are written in sorted order per database, which is what
 * makes LMDB fast (DESIGN.md: ~920k sorted puts/s against ~220k random).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flush.h"
#include "log.h"
#include "rv_psort.h"
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

/* Sort and merge rows with equal keys. */
static int
rows_sort(struct rows *r)
{
	struct rv_psort_item *it = malloc((r->n ? r->n : 1) * sizeof(*it));
	struct row *nv = malloc((r->n ? r->n : 1) * sizeof(*nv));
	size_t w = 0;

	if (!it || !nv) {
		free(it);
		free(nv);
		return RV_ENOMEM;
	}
	for (size_t i = 0; i < r->n; i++)
		rv_psort_set(&it[i], r->buf + r->v[i].off, r->v[i].len,
		    (uint32_t)i);
	rv_psort(it, r->n);
	for (size_t i = 0; i < r->n; i++) {
		const struct row *x = &r->v[it[i].idx];
		if (w && rv_psort_cmp(&it[i - 1], &it[i]) == 0)
			rv_seen_merge(&nv[w - 1].s, &x->s);
		else
			nv[w++] = *x;
	}
	free(it);
	free(r->v);
	r->v = nv;
	r->n = w;
	r->cap = r->n ? r->n : 1;
	return RV_OK;
}

/* DNSSEC chaff that would only bloat the reverse index. */
static int
skip_rdata_index(uint16_t type)
{
	return type == 46 || type == 47 || type == 50 || type == 51;
}

/* Build the rdata and names rows (owners and targets) of the table
 * (independent of the db). */
static int
build_rows(struct agg_ent **ents, size_t n, struct rows *rd, struct rows *nm)
{
	struct rv_key k;
	int rc;

	for (size_t i = 0; i < n; i++) {
		const struct agg_ent *e = ents[i];
		struct rv_seen s = { e->first, e->last, e->count };
		const uint8_t *set = agg_set(e), *d, *tgt;
		size_t off = 0, tl, nkl;
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
		/* NK(owner) is the start of the rrset key: encode it once. */
		if (rv_name_key_len(agg_key(e), e->keylen, &nkl) != RV_OK)
			continue;
		while (rv_set_next(set, e->setlen, &off, &d, &dl) == RV_OK) {
			uint8_t pl[RV_NAME_KEY_MAX], tag;
			size_t plen;
			if ((e->type == 1 && dl == 4) ||
			    (e->type == 28 && dl == 16)) {
				tag = dl == 4 ? RV_TAG_IPV4 : RV_TAG_IPV6;
				memcpy(pl, d, dl);
				plen = dl;
			} else if (rv_rdata_target(e->type, d, dl, &tgt, &tl) ==
			    RV_OK) {
				struct rv_seen ns = { e->first, e->last, 0 };
				tag = RV_TAG_NAME;
				if (rv_name_key(tgt, tl, pl, &plen) != RV_OK)
					continue;
				/* Targets are names too: "rdata name
				 * ns1.example.*" scans them (SCHEMA.md). */
				if (rv_key_names(&k, tgt, tl) == RV_OK &&
				    (rc = rows_add(nm, &k, &ns)) != RV_OK)
					return rc;
			} else {
				uint64_t h = rv_rdata_digest(e->type, d, dl);
				tag = RV_TAG_HASH;
				for (int b = 0; b < 8; b++)
					pl[b] = (uint8_t)(h >> (56 - 8 * b));
				plen = 8;
			}
			rc = rv_key_rdata_nk(&k, tag, pl, plen, e->type,
			    agg_key(e), nkl);
			if (rc == RV_ETOOBIG)
				continue;	/* absurdly long names */
			if (rc != RV_OK || (rc = rows_add(rd, &k, &s)) != RV_OK)
				return rc;
		}
	}
	if ((rc = rows_sort(rd)) != RV_OK)
		return rc;
	return rows_sort(nm);
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
	MDB_cursor *cur[RV_DB_COUNT];	/* freed with the transaction */
	int64_t t[5];			/* phase times, for the debug log */
};

/* CPU time of this thread: the machine may be shared, wall time lies. */
static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Names' last seen moves in steps of this much (exact times are in the
 * rrset rows): saves a write per RRset and flush. */
#define NAMES_LAST_STEP 86400

/* Below this much free space a failed commit is a full disk. */
#define DISK_LOW ((uint64_t)64 << 20)

static int
fail(struct attempt *at, int mrc)
{
	at->mrc = mrc;
	return rv_store_err(mrc);
}

/* The database's cursor in this attempt, opened on first use. */
static int
cursor(struct attempt *at, enum rv_db db, MDB_cursor **c)
{
	int mrc;

	if (!at->cur[db] && (mrc = mdb_cursor_open(at->txn,
	    rv_store_dbi(at->st, db), &at->cur[db])))
		return fail(at, mrc);
	*c = at->cur[db];
	return RV_OK;
}

/*
 * Find key k with the database's cursor. Keys come in sorted order, so
 * MDB_SET_RANGE leaves the cursor on the right leaf page and the put that
 * follows skips the search from the root (LMDB's cursor fast path).
 * \return 1 found (v set, cursor on it), 0 not found, < 0 error.
 */
static int
lookup(struct attempt *at, enum rv_db db, const MDB_val *k, MDB_val *v,
    MDB_cursor **c)
{
	MDB_val kk = *k;
	int mrc;

	if (cursor(at, db, c) != RV_OK)
		return -1;
	mrc = mdb_cursor_get(*c, &kk, v, MDB_SET_RANGE);
	if (mrc == MDB_NOTFOUND)
		return 0;
	if (mrc) {
		fail(at, mrc);
		return -1;
	}
	return kk.mv_size == k->mv_size &&
	    memcmp(kk.mv_data, k->mv_data, k->mv_size) == 0;
}

static int
store(struct attempt *at, MDB_cursor *c, MDB_val *k, MDB_val *v, int found)
{
	int mrc = mdb_cursor_put(c, k, v, found ? MDB_CURRENT : 0);

	return mrc ? fail(at, mrc) : RV_OK;
}

static int
put_entry(struct attempt *at, const struct agg_ent *e)
{
	enum rv_db db = e->kind == RV_REC_RRSET ? RV_DB_RRSET : RV_DB_NEG;
	MDB_val k = { e->keylen, (void *)agg_key(e) }, v;
	struct rv_rrset_val val, old;
	const uint16_t *s = agg_ent_sensors(e);
	MDB_cursor *c = NULL;
	int found, rc;

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
	if ((found = lookup(at, db, &k, &v, &c)) < 0)
		return rv_store_err(at->mrc);
	if (found) {
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
	} else {
		at->stat[db == RV_DB_RRSET ? RV_STAT_RRSETS :
		    RV_STAT_NEGATIVES]++;
	}
	v.mv_size = db == RV_DB_RRSET ? rv_rrset_val_size(&val) :
	    rv_neg_val_size(&val);
	v.mv_data = at->vbuf;
	if (db == RV_DB_RRSET)
		rv_rrset_val_encode(&val, at->vbuf);
	else
		rv_neg_val_encode(&val, at->vbuf);
	if ((rc = store(at, c, &k, &v, found)) != RV_OK)
		return rc;
	at->stat[RV_STAT_OBSERVATIONS] += e->count;
	return RV_OK;
}

/* Merge a seen row (rdata: 12 octets, names/asn: 8). */
static int
put_seen(struct attempt *at, enum rv_db db, const void *key, size_t klen,
    const struct rv_seen *s)
{
	MDB_val k = { klen, (void *)key }, v;
	struct rv_seen cur = *s, old;
	uint8_t b[RV_RDATA_VAL_SIZE];
	int full = db == RV_DB_RDATA, found;
	MDB_cursor *c = NULL;

	if ((found = lookup(at, db, &k, &v, &c)) < 0)
		return rv_store_err(at->mrc);
	if (found) {
		int dr = full ? rv_rdata_val_decode(v.mv_data, v.mv_size, &old) :
		    rv_names_val_decode(v.mv_data, v.mv_size, &old);
		if (dr == RV_OK) {
			if (!full && old.first <= cur.first &&
			    cur.last < old.last + (db == RV_DB_NAMES ?
			    NAMES_LAST_STEP : 1))
				return RV_OK;	/* nothing new */
			rv_seen_merge(&old, &cur);
			cur = old;
		}
	}
	if (full)
		rv_rdata_val_encode(&cur, b);
	else
		rv_seen2_encode(&cur, b);
	v.mv_size = full ? RV_RDATA_VAL_SIZE : RV_SEEN2_SIZE;
	v.mv_data = b;
	at->rows++;
	return store(at, c, &k, &v, found);
}

/* An address seen in this window from first to last. */
static int
put_ip(struct attempt *at, const struct rv_ip *ip, uint32_t first,
    uint32_t last)
{
	struct rv_ipinfo info;
	struct rv_key k;
	struct rv_seen s = { first, last, 0 };
	MDB_cursor *c = NULL;
	MDB_val kv, v;
	int rc;

	if ((rc = cursor(at, RV_DB_IP, &c)) != RV_OK)
		return rc;
	rc = rv_store_ipinfo_at_cursor(c, ip, UINT32_MAX, &info);
	if (rc == RV_ENOENT) {
		enrich_lookup(at->en, ip, &info);
		info.since = first;
		rv_key_ip(&k, ip, first);
		kv = rv_key_val(&k);
		v.mv_size = rv_ipinfo_size(&info);
		v.mv_data = at->vbuf;
		rv_ipinfo_encode(&info, at->vbuf);
		if ((rc = store(at, c, &kv, &v, 0)) != RV_OK)
			return rc;
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
	memset(at->cur, 0, sizeof(at->cur));
	if ((rc = rv_store_write_begin(at->st, &at->txn)) != RV_OK)
		return rc;
	if ((rc = rv_store_stats_read(at->st, at->txn, &before)) != RV_OK)
		return rc;
	at->t[0] = now_us();
	for (size_t i = 0; i < a->n; i++)
		if ((rc = put_entry(at, ents[i])) != RV_OK)
			return rc;
	at->t[1] = now_us();
	if ((rc = write_rdata(at, rd)) != RV_OK)
		return rc;
	at->t[2] = now_us();
	for (size_t i = 0; i < nm->n; i++)
		if ((rc = put_seen(at, RV_DB_NAMES, nm->buf + nm->v[i].off,
		    nm->v[i].len, &nm->v[i].s)) != RV_OK)
			return rc;
	for (size_t id = 0; id < a->nsens_cap; id++) {
		const struct agg_sensor *sn = &a->sens[id];
		if (sn->obs && (rc = rv_store_sensor_stat_add(at->st,
		    at->txn, (uint16_t)id, sn->obs, sn->last)))
			return rc;
		if (sn->has_seq && (rc = rv_store_sensor_seq_put(at->st,
		    at->txn, (uint16_t)id, &sn->seq)))
			return rc;
	}
	at->stat[RV_STAT_FRAMES] = a->frames;
	at->stat[RV_STAT_FRAMES_REJECTED] = a->frames_rejected;
	at->stat[RV_STAT_RECORDS_REJECTED] = a->records_rejected;
	at->stat[RV_STAT_FRAMES_OVERSIZE] = a->frames_oversize;
	at->stat[RV_STAT_FLUSHES] = 1;
	if ((rc = rv_store_stats_add(at->st, at->txn, at->stat, now)))
		return rc;
	at->in_commit = 1;
	at->t[3] = now_us();
	rc = mdb_txn_commit(at->txn);
	at->txn = NULL;
	if (rc == EIO || rc == ENOSPC) {
		/* LMDB reports a short write (the disk filled up in the
		 * middle of it) as EIO: tell a full disk apart. */
		uint64_t avail;
		if (rv_store_disk_free(at->st, &avail) == RV_OK &&
		    avail < DISK_LOW)
			rc = ENOSPC;
	}
	at->t[4] = now_us();
	rvd_log(LOG_DEBUG, "flush phases (CPU ms): rrsets %lld, rdata+ip %lld, "
	    "names+meta %lld, commit %lld", (long long)(at->t[1] - at->t[0]) / 1000,
	    (long long)(at->t[2] - at->t[1]) / 1000,
	    (long long)(at->t[3] - at->t[2]) / 1000,
	    (long long)(at->t[4] - at->t[3]) / 1000);
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
	int64_t t0, t1;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!(at.vbuf = malloc(RV_SENSORS_MAX * 2 + 64 + 65536 + 512))) {
		rc = RV_ENOMEM;
		goto leave;
	}
	t0 = now_us();
	if ((rc = agg_sorted(a, &ents)) != RV_OK)
		goto leave;
	t1 = now_us();
	if ((rc = build_rows(ents, a->n, &rd, &nm)) != RV_OK)
		goto leave;
	rvd_log(LOG_DEBUG, "flush prepare (CPU ms): sort %lld, index rows %lld",
	    (long long)(t1 - t0) / 1000, (long long)(now_us() - t1) / 1000);
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
