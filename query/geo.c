/**
 * \file geo.c
 * Enrichment for the output: the ASN/geo row of an address at a time.
 *
 * One lookup in the ip index is a B-tree descent to a random leaf, about
 * 3 us in a 10M-RRset database, and a scan of A records asks one per
 * address: that was three quarters of the time of `lookup '*.com'`. So
 * the output stage asks the addresses of a batch of rows at once before
 * it prints them (rvq_db_geo_batch). They are sorted and looked up in
 * key order through one cursor, so the upper levels of the tree stay in
 * the cache and neighbours share leaf pages, and each answer is stored
 * with its question, where the printing finds it (fmt.c).
 *
 * Sorting helps less the bigger the scan: each batch still touches most
 * leaves of the ip tree. So once a run has asked as many addresses as the
 * whole tree costs to read (GEO_TABLE_PAYS), the tree is read once into a
 * hash table (geo_table.c) and everything after is answered from there,
 * with the slots of the next questions prefetched: at most twice the cost
 * of the better choice made in hindsight (the ski-rental bound), for no
 * more than GEO_TABLE_MAX octets.
 *
 * Rows asked one by one (rvq_db_geo: reverse scans, whose addresses come
 * in order) use the table when there is one, else one lookup each with a
 * one-entry cache for a repeated address.
 *
 * Lifetime: answers may point into the store's memory or the table; both live
 * until the transaction ends (rvq_db_end, rvq_db_renew, rvq_db_close).
 */
#include <stdlib.h>
#include <string.h>

#include "rvq_db.h"
#include "rvq_remote.h"
#include "rvq_geo_table.h"
#include "rvq_text.h"
#include "rv_be.h"
#include "rv_err.h"
#include "rv_psort.h"

/* Reading one row of the ip tree into the table costs about a tenth of
 * a batched probe, and a run with the table prints on a second thread
 * from then on anyway (bench/cli/RESULTS.md). */
#define GEO_TABLE_PAYS 16
/* About 40M addresses; a bigger tree is probed in batches. */
#define GEO_TABLE_MAX ((size_t)1 << 30)
/* Questions ahead whose slot is prefetched: a miss to memory each. */
#define GEO_AHEAD 8

/* Address and time as one memcmp-ordered key: family, 16 address octets
 * (IPv4 zero padded), time big-endian, 3 zero octets. */
#define GKEY_LEN 21
struct gkey {
	uint64_t w[3];
};

/* The sort of a batch's questions, kept for the next batch. */
struct rvq_geo_memo {
	struct gkey *keys;
	struct rv_psort_item *items;
	size_t cap;
};

static void
gkey_set(struct gkey *k, const struct rv_ip *ip, uint32_t t)
{
	uint8_t *p = (uint8_t *)k->w;

	memset(k, 0, sizeof(*k));
	p[0] = ip->family;
	memcpy(p + 1, ip->addr, ip->family == 4 ? 4 : 16);
	rv_put32(p + 17, t);
}

void
rvq_db_geo_free(struct rvq_db *db)
{
	struct rvq_geo_memo *m = db->memo;

	if (m != NULL) {
		free(m->keys);
		free(m->items);
		free(m);
		db->memo = NULL;
	}
	rvq_geo_table_free(db->gtab);
	db->gtab = NULL;
	db->gtab_txn = NULL;
}

static int
have_table(const struct rvq_db *db)
{
	return db->gtab != NULL && db->gtab_txn == db->txn;
}

/* Is the table there, or is it time to build it now that n more
 * addresses are asked? */
static int
table_ready(struct rvq_db *db, size_t n)
{
	uint64_t rows;

	if (db->gtab != NULL)
		return have_table(db);
	if (db->gtab_tried || db->rm != NULL)
		return 0;	/* ClickHouse: lookups by address only */
	db->geo_asked += n;
	if (rv_store_rows(db->st, db->txn, RV_DB_IP, &rows) != RV_OK) {
		db->gtab_tried = 1;
		return 0;
	}
	if (db->geo_asked * GEO_TABLE_PAYS < rows)
		return 0;
	db->gtab_tried = 1;
	if (rvq_geo_table_build(db->st, db->txn, GEO_TABLE_MAX, &db->gtab) !=
	    RV_OK)
		return 0;	/* too big or unreadable: probe as before */
	db->gtab_txn = db->txn;
	return 1;
}

static int
memo_room(struct rvq_geo_memo *m, size_t n)
{
	if (n <= m->cap)
		return RV_OK;
	struct gkey *k = realloc(m->keys, n * sizeof(*k));
	if (k != NULL)
		m->keys = k;
	struct rv_psort_item *it = realloc(m->items, n * sizeof(*it));
	if (it != NULL)
		m->items = it;
	if (k == NULL || it == NULL)
		return RV_ENOMEM;
	m->cap = n;
	return RV_OK;
}

static int
ip_cursor(struct rvq_db *db)
{
	if (db->ipcur == NULL && rv_cursor_open(db->st, db->txn, RV_DB_IP,
	    &db->ipcur) != RV_OK) {
		db->ipcur = NULL;
		return RV_EIO;
	}
	return RV_OK;
}

static void
from_table(struct rvq_db *db, struct rvq_geo_ans *q, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct rvq_geo_ans *a = &q[i];

		if (i + GEO_AHEAD < n)
			rvq_geo_table_prefetch(db->gtab, &q[i + GEO_AHEAD].ip);
		a->rc = rvq_geo_table_find_raw(db->gtab, &a->ip, a->t,
		    &a->since, &a->v, &a->vlen);
	}
}

/* One probe of the ip tree into a. The value is copied while its page
 * is in the cache (most are 20-50 octets); a longer one stays in the map. */
static void
probe(struct rvq_db *db, struct rvq_geo_ans *a)
{
	struct rv_val v;

	a->rc = db->rm != NULL ? rvq_remote_ipinfo_find(db->rm, &a->ip, a->t,
	    &a->since, &v) : rv_store_ipinfo_find(db->ipcur, &a->ip, a->t,
	    &a->since, &v);
	if (a->rc != RV_OK)
		return;
	if (v.len > UINT32_MAX) {
		a->rc = RV_ECORRUPT;
		return;
	}
	a->vlen = (uint32_t)v.len;
	a->v = v.data;
	if (v.len <= RVQ_GEO_VAL_INLINE) {
		memcpy(a->val, v.data, v.len);
		a->v = NULL;
	}
}

int
rvq_db_geo_batch(void *arg, struct rvq_geo_ans *q, size_t n)
{
	struct rvq_db *db = arg;
	struct rvq_geo_memo *m = db->memo;
	const struct rvq_geo_ans *prev = NULL;
	int rc;

	if (db->rm != NULL)	/* ClickHouse: a few SELECTs for them all */
		return rvq_remote_ipinfo_batch(db->rm, q, n);
	if (table_ready(db, n)) {
		from_table(db, q, n);
		return RV_OK;
	}
	if (m == NULL && (m = db->memo = calloc(1, sizeof(*m))) == NULL)
		return RV_ENOMEM;
	if ((rc = memo_room(m, n)) != RV_OK ||
	    (db->rm == NULL && (rc = ip_cursor(db)) != RV_OK))
		return rc;
	for (size_t i = 0; i < n; i++) {
		gkey_set(&m->keys[i], &q[i].ip, q[i].t);
		rv_psort_set(&m->items[i], (const uint8_t *)m->keys[i].w,
		    GKEY_LEN, (uint32_t)i);
	}
	rv_psort(m->items, n);
	for (size_t j = 0; j < n; j++) {
		struct rvq_geo_ans *a = &q[m->items[j].idx];

		if (prev != NULL && rv_psort_cmp(&m->items[j - 1],
		    &m->items[j]) == 0) {	/* asked before: same answer */
			a->rc = prev->rc;
			a->since = prev->since;
			a->vlen = prev->vlen;
			a->v = prev->v;
			if (a->v == NULL)
				memcpy(a->val, prev->val, sizeof(a->val));
		} else {
			probe(db, a);
		}
		prev = a;
	}
	return RV_OK;
}

/* rv_store_ipinfo_at on the ClickHouse backend. */
static int
remote_ipinfo_at(struct rvq_db *db, const struct rv_ip *ip, uint32_t t,
    struct rv_ipinfo *out)
{
	struct rv_val v;
	uint32_t since;
	int rc;

	if ((rc = rvq_remote_ipinfo_find(db->rm, ip, t, &since, &v)) != RV_OK)
		return rc;
	memset(out, 0, sizeof(*out));
	out->since = since;
	return rv_ipinfo_decode(v.data, v.len, out);
}

int
rvq_db_geo(void *arg, const struct rv_ip *ip, uint32_t t,
    struct rv_ipinfo *out)
{
	struct rvq_db *db = arg;
	size_t n = rv_ip_len(ip->family);

	if (have_table(db))
		return rvq_geo_table_find(db->gtab, ip, t, out);
	if (db->geo_valid && db->geo_ip.family == ip->family &&
	    memcmp(db->geo_ip.addr, ip->addr, n) == 0 &&
	    (t == db->geo_t || (db->geo_rc == RV_OK && t >= db->geo.since &&
	    (db->geo.until == 0 || t < db->geo.until)))) {
		if (db->geo_rc == RV_OK)
			*out = db->geo;
		return db->geo_rc;
	}
	db->geo_ip = *ip;
	db->geo_t = t;
	db->geo_valid = 1;
	db->geo_single++;
	if (db->rm != NULL)
		db->geo_rc = remote_ipinfo_at(db, ip, t, &db->geo);
	else
		db->geo_rc = ip_cursor(db) == RV_OK ?
		    rv_store_ipinfo_at_cursor(db->ipcur, ip, t, &db->geo) :
		    rv_store_ipinfo_at(db->st, db->txn, ip, t, &db->geo);
	if (db->geo_rc == RV_OK)
		*out = db->geo;
	return db->geo_rc;
}

int
rvq_db_shareable(void *arg)
{
	(void)rvq_db_sensor(arg, 0);	/* the names are loaded once */
	return 1;
}

int
rvq_db_geo_shared(void *arg)
{
	return have_table(arg);
}

int
rvq_ipinfo_empty(const struct rv_ipinfo *info)
{
	return info->asn == 0 && info->cc[0] == '\0' && info->org[0] == '\0' &&
	    info->city[0] == '\0';
}

int
rvq_db_row_geo(void *db, const struct rvq_row *r, const uint8_t *rd,
    uint16_t len, struct rv_ipinfo *info)
{
	struct rv_ip ip;
	int rc;

	if (!rvq_rdata_ip(r, rd, len, &ip))
		return RV_ENOENT;
	if ((rc = rvq_row_geo_info(r, rd, len, info)) == -1)
		rc = rvq_db_geo(db, &ip, r->last, info);
	return rc == RV_OK && !rvq_ipinfo_empty(info) ? RV_OK : RV_ENOENT;
}
