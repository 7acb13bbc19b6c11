/**
 * \file geo.c
 * Enrichment for the output: the ASN/geo row of an address at a time.
 *
 * One lookup in the ip index is a B-tree descent to a random leaf, about
 * 3 us in a 10M-RRset database, and a scan of A records asks one per
 * address: that was three quarters of the time of `lookup '*.com'`. So
 * the output stage hands over the addresses of a batch of rows before it
 * prints them (cli_db_geo_batch). They are sorted and looked up in key
 * order through one cursor, so the upper levels of the tree stay in the
 * cache and neighbours share leaf pages, and each answer is stored at
 * its position in the batch. Printing then asks for the same addresses in
 * the same order, so cli_db_geo reads the answers front to back, checking
 * each against the question; anything else is looked up on its own (with
 * a one-entry cache for a repeated address).
 *
 * Lifetime: an answer may point into the LMDB map; answers are used only
 * while the read transaction they were looked up in is the current one.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "rv_be.h"
#include "rv_err.h"
#include "rv_psort.h"

/* Address and time as one memcmp-ordered key: family, 16 address octets
 * (IPv4 zero padded), time big-endian, 3 zero octets. */
#define GKEY_LEN 21
struct gkey {
	uint64_t w[3];
};

/* An answer. The value is copied while its page is in the cache (most
 * are 20-50 octets); a longer one is read from the map when printed. */
#define GVAL_INLINE 40
struct gres {
	int rc;
	uint32_t since;
	uint32_t vlen;
	const uint8_t *vp;	/* the value: val, or in the map */
	uint8_t val[GVAL_INLINE];
};

struct cli_geo_memo {
	MDB_txn *txn;		/* the transaction the answers belong to */
	struct gkey *keys;	/* the batch's questions, in asking order */
	struct rv_psort_item *items;
	struct gres *res;	/* the answers, in asking order */
	size_t n, next, cap;	/* questions, the next expected, room */
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

static int
gkey_eq(const struct gkey *a, const struct gkey *b)
{
	return a->w[0] == b->w[0] && a->w[1] == b->w[1] && a->w[2] == b->w[2];
}

void
cli_db_geo_free(struct cli_db *db)
{
	struct cli_geo_memo *m = db->memo;

	if (m == NULL)
		return;
	free(m->keys);
	free(m->items);
	free(m->res);
	free(m);
	db->memo = NULL;
}

static int
memo_room(struct cli_geo_memo *m, size_t n)
{
	if (n <= m->cap)
		return RV_OK;
	struct gkey *k = realloc(m->keys, n * sizeof(*k));
	if (k != NULL)
		m->keys = k;
	struct rv_psort_item *it = realloc(m->items, n * sizeof(*it));
	if (it != NULL)
		m->items = it;
	struct gres *r = realloc(m->res, n * sizeof(*r));
	if (r != NULL)
		m->res = r;
	if (k == NULL || it == NULL || r == NULL)
		return RV_ENOMEM;
	m->cap = n;
	return RV_OK;
}

static int
ip_cursor(struct cli_db *db)
{
	if (db->ipcur == NULL && mdb_cursor_open(db->txn, rv_store_dbi(db->st,
	    RV_DB_IP), &db->ipcur) != 0) {
		db->ipcur = NULL;
		return RV_EIO;
	}
	return RV_OK;
}

int
cli_db_geo_batch(void *arg, const struct rv_ip *ips, const uint32_t *ts,
    size_t n)
{
	struct cli_db *db = arg;
	struct cli_geo_memo *m = db->memo;
	const struct gres *prev = NULL;
	int rc;

	if (m == NULL && (m = db->memo = calloc(1, sizeof(*m))) == NULL)
		return RV_ENOMEM;
	m->txn = NULL;
	m->n = m->next = 0;
	if ((rc = memo_room(m, n)) != RV_OK || (rc = ip_cursor(db)) != RV_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		gkey_set(&m->keys[i], &ips[i], ts[i]);
		rv_psort_set(&m->items[i], (const uint8_t *)m->keys[i].w,
		    GKEY_LEN, (uint32_t)i);
	}
	rv_psort(m->items, n);
	for (size_t j = 0; j < n; j++) {
		uint32_t x = m->items[j].idx;
		struct gres *e = &m->res[x];
		MDB_val v;

		if (prev != NULL && rv_psort_cmp(&m->items[j - 1],
		    &m->items[j]) == 0) {	/* asked before */
			*e = *prev;
			if (prev->vp == prev->val)
				e->vp = e->val;
			prev = e;
			continue;
		}
		prev = e;
		e->rc = rv_store_ipinfo_find(db->ipcur, &ips[x], ts[x],
		    &e->since, &v);
		if (e->rc != RV_OK)
			continue;
		e->vlen = (uint32_t)v.mv_size;
		e->vp = v.mv_data;
		if (v.mv_size <= GVAL_INLINE) {
			memcpy(e->val, v.mv_data, v.mv_size);
			e->vp = e->val;
		}
	}
	m->n = n;
	m->txn = db->txn;
	return RV_OK;
}

/* The next answer of the batch if it is for (ip, t): RV_OK with *out
 * filled, or the lookup's error; -1 when the batch does not have it. */
static int
memo_get(struct cli_db *db, const struct rv_ip *ip, uint32_t t,
    struct rv_ipinfo *out)
{
	struct cli_geo_memo *m = db->memo;
	const struct gres *e;
	struct gkey k;

	if (m == NULL || m->txn != db->txn || m->next >= m->n)
		return -1;
	gkey_set(&k, ip, t);
	if (!gkey_eq(&k, &m->keys[m->next]))
		return -1;
	e = &m->res[m->next++];
	if (e->rc != RV_OK)
		return e->rc;
	out->since = e->since;
	return rv_ipinfo_decode(e->vp, e->vlen, out);
}

int
cli_db_geo(void *arg, const struct rv_ip *ip, uint32_t t,
    struct rv_ipinfo *out)
{
	struct cli_db *db = arg;
	size_t n = rv_ip_len(ip->family);
	int rc;

	if ((rc = memo_get(db, ip, t, out)) != -1)
		return rc;
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
	db->geo_rc = ip_cursor(db) == RV_OK ?
	    rv_store_ipinfo_at_cursor(db->ipcur, ip, t, &db->geo) :
	    rv_store_ipinfo_at(db->st, db->txn, ip, t, &db->geo);
	if (db->geo_rc == RV_OK)
		*out = db->geo;
	return db->geo_rc;
}
