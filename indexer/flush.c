/**
 * \file flush.c
 * One aggregation window -> one write transaction of the store
 * (rv_store_write grows a full map and runs it again). Keys are written in sorted order per database, which is what
 * makes LMDB fast (DESIGN.md: ~920k sorted puts/s against ~220k random).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flush.h"
#include "log.h"
#include "rv_psort.h"
#include "rv_err.h"
#include "rv_rdata.h"


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

/* Who else gets every delta written (rvd_flush_set_tap). */
static const struct rvd_flush_tap *flush_tap;

void
rvd_flush_set_tap(const struct rvd_flush_tap *t)
{
	flush_tap = t;
}

/* Give the tap the delta (k, v) the attempt writes into db. */
static int
tap(enum rv_db db, const void *k, size_t klen, const void *v, size_t vlen)
{
	return flush_tap ? flush_tap->row(flush_tap->arg, db, k, klen, v,
	    vlen) : RV_OK;
}

/* The public suffix list for registered domains (rvd_flush_set_psl). */
static const void *flush_psl;

void
rvd_flush_set_psl(const void *psl)
{
	flush_psl = psl;
}

/* The registered domain of an RRset's owner, as a regdom row keyed by its
 * name key. Entries come in key order, so one owner's RRsets are
 * adjacent: the last owner's answer is reused. */
struct regdom_cache {
	const uint8_t *owner;
	size_t olen;
	int have;		/* key holds the owner's domain */
	struct rv_key key;
};

static int
add_regdom(struct regdom_cache *rc_, const struct rvd_agg_ent *e,
    struct rows *rg)
{
	const uint8_t *o = rvd_agg_owner(e);
	struct rv_seen s = { e->first, e->last, 0 };
	size_t off;

	if (rc_->owner == NULL || rc_->olen != e->ownerlen ||
	    memcmp(rc_->owner, o, e->ownerlen) != 0) {
		rc_->owner = o;
		rc_->olen = e->ownerlen;
		rc_->have = rv_regdom(flush_psl ? flush_psl :
		    rv_psl_default(), o, e->ownerlen, &off) == RV_OK &&
		    rv_name_key(o + off, e->ownerlen - off, rc_->key.buf,
		    &rc_->key.len) == RV_OK;
	}
	return rc_->have ? rows_add(rg, &rc_->key, &s) : RV_OK;
}

/* Build the rdata, names (owners and targets) and regdom rows of the
 * table (independent of the db). */
static int
build_rows(struct rvd_agg_ent **ents, size_t n, struct rows *rd,
    struct rows *nm, struct rows *rg)
{
	struct regdom_cache rdc = { 0 };
	struct rv_key k;
	int rc;

	for (size_t i = 0; i < n; i++) {
		const struct rvd_agg_ent *e = ents[i];
		struct rv_seen s = { e->first, e->last, e->count };
		const uint8_t *set = rvd_agg_set(e), *d, *tgt;
		size_t off = 0, tl, nkl;
		uint16_t dl;

		if (e->kind != RV_REC_RRSET)
			continue;
		if ((rc = add_regdom(&rdc, e, rg)) != RV_OK)
			return rc;
		if (rv_key_names(&k, rvd_agg_owner(e), e->ownerlen) == RV_OK) {
			struct rv_seen ns = { e->first, e->last, 0 };
			if ((rc = rows_add(nm, &k, &ns)) != RV_OK)
				return rc;
		}
		if (skip_rdata_index(e->type))
			continue;
		/* NK(owner) is the start of the rrset key: encode it once. */
		if (rv_name_key_len(rvd_agg_key(e), e->keylen, &nkl) != RV_OK)
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
			    rvd_agg_key(e), nkl);
			if (rc == RV_ETOOBIG)
				continue;	/* absurdly long names */
			if (rc != RV_OK || (rc = rows_add(rd, &k, &s)) != RV_OK)
				return rc;
		}
	}
	if ((rc = rows_sort(rd)) != RV_OK || (rc = rows_sort(rg)) != RV_OK)
		return rc;
	return rows_sort(nm);
}

/** State of one attempt: rv_store_write runs it again, from the start,
 * after growing a full map. */
struct attempt {
	struct rv_txn *txn;
	struct rv_store *st;
	struct rvd_enrich *en;
	struct rvd_agg *a;
	struct rvd_agg_ent **ents;
	const struct rows *rd, *nm, *rg;
	uint32_t now;
	struct rvd_flush_result *res;
	uint64_t stat[RV_STAT_COUNT];
	size_t rows;
	uint8_t *vbuf;		/* value scratch */
	struct rv_cursor *cur[RV_DB_COUNT];	/* closed at the attempt's end */
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

/* The database's cursor in this attempt, opened on first use. */
static int
cursor(struct attempt *at, enum rv_db db, struct rv_cursor **c)
{
	int rc;

	if (!at->cur[db] && (rc = rv_cursor_open(at->st, at->txn, db,
	    &at->cur[db])) != RV_OK)
		return rc;
	*c = at->cur[db];
	return RV_OK;
}

/*
 * Find key k with the database's cursor. Keys come in sorted order, so
 * a range seek leaves the cursor on the right leaf page and the put that
 * follows skips the search from the root (LMDB's cursor fast path).
 * \return 1 found (v set, cursor on it), 0 not found, < 0 error (*rc).
 */
static int
lookup(struct attempt *at, enum rv_db db, const struct rv_val *k,
    struct rv_val *v, struct rv_cursor **c, int *rc)
{
	struct rv_val kk = *k;

	if ((*rc = cursor(at, db, c)) != RV_OK)
		return -1;
	*rc = rv_cursor_get(*c, &kk, v, RV_SET_RANGE);
	if (*rc == RV_ENOENT) {
		*rc = RV_OK;
		return 0;
	}
	if (*rc != RV_OK)
		return -1;
	return kk.len == k->len && memcmp(kk.data, k->data, k->len) == 0;
}

static int
store(struct rv_cursor *c, const struct rv_val *k, const struct rv_val *v,
    int found)
{
	return rv_cursor_put(c, k, v, found ? RV_PUT_CURRENT : 0);
}

static int
put_entry(struct attempt *at, const struct rvd_agg_ent *e)
{
	enum rv_db db = e->kind == RV_REC_RRSET ? RV_DB_RRSET : RV_DB_NEG;
	struct rv_val k = { e->keylen, rvd_agg_key(e) }, v;
	struct rv_rrset_val val, old;
	const uint16_t *s = rvd_agg_ent_sensors(e);
	struct rv_cursor *c = NULL;
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
	val.set = rvd_agg_set(e);
	val.set_len = e->setlen;
	if (flush_tap) {
		size_t n = db == RV_DB_RRSET ? rv_rrset_val_size(&val) :
		    rv_neg_val_size(&val);
		if (db == RV_DB_RRSET)
			rv_rrset_val_encode(&val, at->vbuf);
		else
			rv_neg_val_encode(&val, at->vbuf);
		if ((rc = tap(db, k.data, k.len, at->vbuf, n)) != RV_OK)
			return rc;
	}
	if ((found = lookup(at, db, &k, &v, &c, &rc)) < 0)
		return rc;
	if (found) {
		int dr = db == RV_DB_RRSET ?
		    rv_rrset_val_decode(v.data, v.len, &old) :
		    rv_neg_val_decode(v.data, v.len, &old);
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
	v.len = db == RV_DB_RRSET ? rv_rrset_val_size(&val) :
	    rv_neg_val_size(&val);
	v.data = at->vbuf;
	if (db == RV_DB_RRSET)
		rv_rrset_val_encode(&val, at->vbuf);
	else
		rv_neg_val_encode(&val, at->vbuf);
	if ((rc = store(c, &k, &v, found)) != RV_OK)
		return rc;
	at->stat[RV_STAT_OBSERVATIONS] += e->count;
	return RV_OK;
}

/* Merge a seen row (rdata: 12 octets, names/asn: 8). */
static int
put_seen(struct attempt *at, enum rv_db db, const void *key, size_t klen,
    const struct rv_seen *s)
{
	struct rv_val k = { klen, key }, v;
	struct rv_seen cur = *s, old;
	uint8_t b[RV_RDATA_VAL_SIZE];
	int full = db == RV_DB_RDATA, found, rc;
	struct rv_cursor *c = NULL;

	if ((found = lookup(at, db, &k, &v, &c, &rc)) < 0)
		return rc;
	if (found) {
		int dr = full ? rv_rdata_val_decode(v.data, v.len, &old) :
		    rv_names_val_decode(v.data, v.len, &old);
		if (dr == RV_OK) {
			if (!full && old.first <= cur.first &&
			    cur.last < old.last + (db == RV_DB_NAMES ?
			    NAMES_LAST_STEP : 1))
				return RV_OK;	/* nothing new */
			rv_seen_merge(&old, &cur);
			cur = old;
		}
	}
	v.len = full ? RV_RDATA_VAL_SIZE : RV_SEEN2_SIZE;
	if (flush_tap) {	/* the delta, *s */
		if (full)
			rv_rdata_val_encode(s, b);
		else
			rv_seen2_encode(s, b);
		if ((rc = tap(db, key, klen, b, v.len)) != RV_OK)
			return rc;
	}
	if (full)
		rv_rdata_val_encode(&cur, b);
	else
		rv_seen2_encode(&cur, b);
	v.data = b;
	at->rows++;
	return store(c, &k, &v, found);
}

/* An address seen in this window from first to last. */
static int
put_ip(struct attempt *at, const struct rv_ip *ip, uint32_t first,
    uint32_t last)
{
	struct rv_ipinfo info;
	struct rv_key k;
	struct rv_seen s = { first, last, 0 };
	struct rv_cursor *c = NULL;
	struct rv_val kv, v;
	int rc;

	if ((rc = cursor(at, RV_DB_IP, &c)) != RV_OK)
		return rc;
	rc = rv_store_ipinfo_at_cursor(c, ip, UINT32_MAX, &info);
	if (rc == RV_ENOENT) {
		rvd_enrich_lookup(at->en, ip, &info);
		info.since = first;
		rv_key_ip(&k, ip, first);
		kv = rv_key_val(&k);
		v.len = rv_ipinfo_size(&info);
		v.data = at->vbuf;
		rv_ipinfo_encode(&info, at->vbuf);
		if ((rc = tap(RV_DB_IP, kv.data, kv.len, v.data, v.len)) !=
		    RV_OK || (rc = store(c, &kv, &v, 0)) != RV_OK)
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

/* The 'D' row of a registered domain's sighting, for the sinks. */
static int
tap_regdom(const uint8_t *nk, size_t nklen, const struct rv_seen *s)
{
	struct rv_key k;
	uint8_t b[RV_SEEN2_SIZE];

	if (rv_key_regdom_nk(&k, nk, nklen) != RV_OK)
		return RV_OK;
	rv_seen2_encode(s, b);
	return tap(RV_DB_REGDOM, k.buf, k.len, b, sizeof(b));
}

static int
write_regdom(struct attempt *at, const struct rows *rg)
{
	struct rv_cursor *c = NULL;
	int rc, added;

	if (rg->n == 0)
		return RV_OK;
	if ((rc = cursor(at, RV_DB_REGDOM, &c)) != RV_OK)
		return rc;
	for (size_t i = 0; i < rg->n; i++) {
		if (flush_tap && (rc = tap_regdom(rg->buf + rg->v[i].off,
		    rg->v[i].len, &rg->v[i].s)) != RV_OK)
			return rc;
		if ((rc = rv_store_regdom_merge(c, rg->buf + rg->v[i].off,
		    rg->v[i].len, &rg->v[i].s, &added)) != RV_OK)
			return rc;
		at->rows++;
		at->res->new_regdoms += (size_t)added;
	}
	return RV_OK;
}

/* The writes of one window, in the write transaction rv_store_write gives;
 * it commits. */
static int
write_all(struct attempt *at)
{
	const struct rvd_agg *a = at->a;
	struct rv_store_stats before;
	int rc;

	if ((rc = rv_store_stats_read(at->st, at->txn, &before)) != RV_OK)
		return rc;
	at->t[0] = now_us();
	for (size_t i = 0; i < a->n; i++)
		if ((rc = put_entry(at, at->ents[i])) != RV_OK)
			return rc;
	at->t[1] = now_us();
	if ((rc = write_rdata(at, at->rd)) != RV_OK)
		return rc;
	at->t[2] = now_us();
	for (size_t i = 0; i < at->nm->n; i++)
		if ((rc = put_seen(at, RV_DB_NAMES, at->nm->buf +
		    at->nm->v[i].off, at->nm->v[i].len, &at->nm->v[i].s)) !=
		    RV_OK)
			return rc;
	if ((rc = write_regdom(at, at->rg)) != RV_OK)
		return rc;
	for (size_t id = 0; id < a->nsens_cap; id++) {
		const struct rvd_agg_sensor *sn = &a->sens[id];
		if (sn->obs && (rc = rv_store_sensor_stat_add(at->st,
		    at->txn, (uint16_t)id, sn->obs, sn->last)))
			return rc;
		if (sn->has_seq && (rc = rv_store_sensor_seq_put(at->st,
		    at->txn, (uint16_t)id, &sn->seq)))
			return rc;
		if (sn->has_dt && (rc = rv_store_sensor_dt_add(at->st,
		    at->txn, (uint16_t)id, &sn->dt)))
			return rc;
	}
	at->stat[RV_STAT_FRAMES] = a->frames;
	at->stat[RV_STAT_FRAMES_REJECTED] = a->frames_rejected;
	at->stat[RV_STAT_RECORDS_REJECTED] = a->records_rejected;
	at->stat[RV_STAT_FRAMES_OVERSIZE] = a->frames_oversize;
	at->stat[RV_STAT_FLUSHES] = 1;
	if ((rc = rv_store_stats_add(at->st, at->txn, at->stat, at->now)))
		return rc;
	at->res->seq = before.v[RV_STAT_FLUSHES] + 1;
	at->res->entries = a->n;
	at->res->rows = at->rows;
	at->res->new_rrsets = at->stat[RV_STAT_RRSETS];
	at->res->new_negs = at->stat[RV_STAT_NEGATIVES];
	at->res->new_ips = at->stat[RV_STAT_IPS];
	return RV_OK;
}

static int
attempt_write(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	struct attempt *at = arg;
	int rc;

	memset(at->stat, 0, sizeof(at->stat));
	at->res->new_regdoms = 0;
	memset(at->cur, 0, sizeof(at->cur));
	at->rows = 0;
	at->txn = txn;
	if (flush_tap)
		flush_tap->begin(flush_tap->arg, st, txn, at->now);
	rc = write_all(at);
	for (int d = 0; d < RV_DB_COUNT; d++)
		rv_cursor_close(at->cur[d]);
	at->t[3] = now_us();
	return rc;
}

int
rvd_flush_write(struct rv_store *st, struct rvd_agg *a, struct rvd_enrich *en,
    uint32_t now, struct rvd_flush_result *res)
{
	struct rvd_agg_ent **ents = NULL;
	struct rows rd = { 0 }, nm = { 0 }, rg = { 0 };
	struct attempt at = { .st = st, .en = en, .a = a, .rd = &rd,
	    .nm = &nm, .rg = &rg, .now = now, .res = res };
	int64_t t0, t1;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!(at.vbuf = malloc(RV_SENSORS_MAX * 2 + 64 + 65536 + 512))) {
		rc = RV_ENOMEM;
		goto leave;
	}
	t0 = now_us();
	if ((rc = rvd_agg_sorted(a, &ents)) != RV_OK)
		goto leave;
	at.ents = ents;
	t1 = now_us();
	if ((rc = build_rows(ents, a->n, &rd, &nm, &rg)) != RV_OK)
		goto leave;
	rvd_log(LOG_DEBUG, "flush prepare (CPU ms): sort %lld, index rows %lld",
	    (long long)(t1 - t0) / 1000, (long long)(now_us() - t1) / 1000);
	rc = rv_store_write(st, attempt_write, &at, &res->grows);
	/* What the flush freed, the next one may reuse (a failure here
	 * costs file space, never data). */
	if (rc == RV_OK)
		(void)rv_store_release_freed(st);
	/* Committed: the deltas go to the tap (the sinks' journals; one
	 * that cannot take them says so in the log; the store has them). */
	if (rc == RV_OK && flush_tap)
		(void)flush_tap->commit(flush_tap->arg);
	at.t[4] = now_us();
	rvd_log(LOG_DEBUG, "flush phases (CPU ms): rrsets %lld, rdata+ip %lld, "
	    "names+meta %lld, commit %lld", (long long)(at.t[1] - at.t[0]) / 1000,
	    (long long)(at.t[2] - at.t[1]) / 1000,
	    (long long)(at.t[3] - at.t[2]) / 1000,
	    (long long)(at.t[4] - at.t[3]) / 1000);
	if (res->grows)
		rvd_log(LOG_INFO, "LMDB map grown to %zu MiB (%u growths in "
		    "this flush)", rv_store_mapsize(st) >> 20, res->grows);
	if (rc != RV_OK && rv_store_map_full(st))
		rvd_log(LOG_ERR, "LMDB map still full after %u growths",
		    res->grows);
leave:
	rows_free(&rd);
	rows_free(&nm);
	rows_free(&rg);
	free(ents);
	free(at.vbuf);
	return rc;
}

/* One transaction of flush_reenrich: up to 5000 addresses from \p from on.
 * The batch reads from and writes next, so a retry starts where it did. */
struct reenrich {
	struct rvd_enrich *en;
	uint32_t now;
	struct rv_key from;	/**< where this batch starts */
	struct rv_key next;	/**< where the next one starts */
	int done;
	size_t changed;		/**< in this batch */
};

static int
reenrich_batch(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	struct reenrich *r = arg;
	struct rv_cursor *cur = NULL;
	struct rv_val k, v;
	uint8_t vbuf[1024];
	size_t batch = 0;
	int rc;

	r->changed = 0;
	r->done = 0;
	if ((rc = rv_cursor_open(st, txn, RV_DB_IP, &cur)) != RV_OK)
		return rc;
	k = rv_key_val(&r->from);
	rc = rv_cursor_get(cur, &k, &v, r->from.len ? RV_SET_RANGE :
	    RV_FIRST);
	for (; rc == RV_OK && batch < 5000; batch++) {
		struct rv_ipinfo old, neu;
		struct rv_ip ip;
		struct rv_key nk;
		struct rv_val nkv, nv;
		uint32_t since;

		if (rv_ip_key_decode(k.data, k.len, &ip, &since) ||
		    rv_ipinfo_decode(v.data, v.len, &old) || old.until != 0) {
			rc = rv_cursor_get(cur, &k, &v, RV_NEXT);
			continue;
		}
		rvd_enrich_lookup(r->en, &ip, &neu);
		if (!rv_ipinfo_same(&old, &neu) && since < r->now) {
			old.until = r->now;
			rv_ipinfo_encode(&old, vbuf);
			nv.len = rv_ipinfo_size(&old);
			nv.data = vbuf;
			if ((rc = rv_cursor_put(cur, &k, &nv, RV_PUT_CURRENT)))
				break;
			rv_key_ip(&nk, &ip, r->now);
			nkv = rv_key_val(&nk);
			rv_ipinfo_encode(&neu, vbuf);
			nv.len = rv_ipinfo_size(&neu);
			if ((rc = rv_put(st, txn, RV_DB_IP, &nkv, &nv, 0)))
				break;
			r->changed++;
			/* The cursor may have moved: re-seek past. */
			k = nkv;
			if ((rc = rv_cursor_get(cur, &k, &v, RV_SET_RANGE)))
				break;
		}
		rc = rv_cursor_get(cur, &k, &v, RV_NEXT);
	}
	if (rc == RV_ENOENT) {
		r->done = 1;
		rc = RV_OK;
	} else if (rc == RV_OK) {
		memcpy(r->next.buf, k.data, k.len);
		r->next.len = k.len;
	}
	rv_cursor_close(cur);
	return rc;
}

int
rvd_flush_reenrich(struct rv_store *st, struct rvd_enrich *en, uint32_t now,
    size_t *changed)
{
	struct reenrich r = { .en = en, .now = now };
	int rc = RV_OK;

	*changed = 0;
	while (!r.done && rc == RV_OK) {
		if ((rc = rv_store_write(st, reenrich_batch, &r,
		    NULL)) != RV_OK)
			break;
		*changed += r.changed;
		r.from = r.next;
	}
	return rc;
}
