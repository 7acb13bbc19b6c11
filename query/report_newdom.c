/**
 * \file report_newdom.c
 * Newly observed registered domains (rvq_newdom.h): the index's time rows
 * in the window, then one prefix scan of each candidate's RRsets, which
 * confirms that nothing under it is older than the window (the index of a
 * database written before it existed starts at its first writer's start)
 * and gathers what an analyst looks at first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rv_be.h"
#include "rv_err.h"
#include "rv_rdata.h"
#include "rv_store.h"
#include "rvq_hostaddr.h"
#include "rvq_newdom.h"

#define TYPE_A		1
#define TYPE_NS		2
#define TYPE_AAAA	28

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Keep the RVQ_ND_NAMES earliest names (one entry per name). */
static void
add_name(struct rvq_newdom *d, const uint8_t *owner, size_t olen,
    uint32_t first, int new_name)
{
	char text[RV_NAME_STR_MAX];
	unsigned i, at;

	(void)rvq_host_text(owner, olen, text, sizeof(text));
	if (!new_name) {	/* the same owner as the last RRset */
		for (i = 0; i < d->nname; i++)
			if (strcmp(d->name[i].text, text) == 0) {
				if (first < d->name[i].first)
					d->name[i].first = first;
				return;
			}
	}
	if (d->nname == RVQ_ND_NAMES && first >= d->name[d->nname - 1].first)
		return;
	for (at = 0; at < d->nname && d->name[at].first <= first; at++)
		;
	if (d->nname < RVQ_ND_NAMES)
		d->nname++;
	memmove(&d->name[at + 1], &d->name[at],
	    (d->nname - 1 - at) * sizeof(d->name[0]));
	snprintf(d->name[at].text, sizeof(d->name[at].text), "%s", text);
	d->name[at].first = first;
}

static void
add_addrs(struct rvq_newdom *d, uint16_t type, const struct rv_rrset_val *v)
{
	const uint8_t *rd;
	size_t off = 0;
	uint16_t rl;

	while (d->naddr < RVQ_ND_ADDRS &&
	    rv_set_next(v->set, v->set_len, &off, &rd, &rl) == RV_OK) {
		struct rv_ip ip;
		unsigned i;

		if (rl != (type == TYPE_A ? 4 : 16))
			continue;
		memset(&ip, 0, sizeof(ip));
		ip.family = type == TYPE_A ? 4 : 6;
		memcpy(ip.addr, rd, rl);
		for (i = 0; i < d->naddr; i++)
			if (memcmp(&d->addr[i].ip, &ip, sizeof(ip)) == 0)
				break;
		if (i < d->naddr)
			continue;
		d->addr[d->naddr].ip = ip;
		d->addr[d->naddr].first = v->first;
		d->naddr++;
	}
}

static void
add_ns(struct rvq_newdom *d, const struct rv_rrset_val *v)
{
	const uint8_t *rd, *t;
	size_t off = 0, tl;
	uint16_t rl;

	while (d->nns < RVQ_ND_NS &&
	    rv_set_next(v->set, v->set_len, &off, &rd, &rl) == RV_OK)
		if (rv_rdata_target(TYPE_NS, rd, rl, &t, &tl) == RV_OK)
			(void)rvq_host_text(t, tl, d->ns[d->nns++],
			    RV_NAME_STR_MAX);
}

/*
 * Read the RRsets of d and its subdomains. \return 1 when something under
 * it is older than the window (not new after all), 0 new, < 0 an error
 * (*rc).
 */
static int
describe(struct rvq_db *db, const struct rvq_window *win,
    struct rvq_newdom *d, int *rc)
{
	struct rv_cursor *c = NULL;
	struct rv_rrset_key rk;
	struct rv_rrset_val v;
	struct rv_key p;
	struct rv_val k, val;
	uint8_t last_owner[RV_NAME_MAX];
	size_t last_olen = 0;
	int older = 0;

	d->first = UINT32_MAX;
	if ((*rc = rv_key_rrset_sub(&p, d->wire, d->wlen)) != RV_OK ||
	    (*rc = rv_cursor_open(db->st, db->txn, RV_DB_RRSET, &c)) != RV_OK)
		goto leave;
	k = rv_key_val(&p);
	for (*rc = rv_cursor_get(c, &k, &val, RV_SET_RANGE);
	    *rc == RV_OK && rv_key_has_prefix(&k, &p);
	    *rc = rv_cursor_get(c, &k, &val, RV_NEXT)) {
		int new_name;

		if (d->rrsets == RVQ_ND_SCAN_MAX) {
			d->truncated = 1;
			break;
		}
		if (rv_rrset_key_decode(k.data, k.len, &rk) != RV_OK ||
		    rv_rrset_val_decode(val.data, val.len, &v) != RV_OK) {
			*rc = RV_ECORRUPT;
			goto leave;
		}
		d->rrsets++;
		if (v.first < win->since) {
			older = 1;
			break;
		}
		new_name = !rv_name_eq(rk.owner, rk.owner_len, last_owner,
		    last_olen);
		if (new_name) {
			memcpy(last_owner, rk.owner, rk.owner_len);
			last_olen = rk.owner_len;
			d->names++;
		}
		if (v.first < d->first)
			d->first = v.first;
		if (v.last > d->last)
			d->last = v.last;
		if (v.ttl_min <= v.ttl_max && (d->ttl_min == 0 ||
		    v.ttl_min < d->ttl_min))
			d->ttl_min = v.ttl_min;
		add_name(d, rk.owner, rk.owner_len, v.first, new_name);
		if (rk.type == TYPE_A || rk.type == TYPE_AAAA)
			add_addrs(d, rk.type, &v);
		else if (rk.type == TYPE_NS && rv_name_eq(rk.owner,
		    rk.owner_len, d->wire, d->wlen))
			add_ns(d, &v);
	}
	if (*rc == RV_ENOENT || *rc == RV_OK)
		*rc = RV_OK;
	else
		goto leave;
	for (unsigned i = 0; i < d->naddr; i++) {
		struct rv_ipinfo info;
		if (rv_store_ipinfo_at(db->st, db->txn, &d->addr[i].ip,
		    d->addr[i].first, &info) == RV_OK) {
			d->addr[i].asn = info.asn;
			memcpy(d->addr[i].cc, info.cc, sizeof(info.cc));
		}
	}
	if (d->first == UINT32_MAX)
		d->first = 0;
leave:
	rv_cursor_close(c);
	return *rc != RV_OK ? -1 : older;
}

static int
push(struct rvq_newdom_result *r, struct rvq_newdom **out)
{
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 64;
		struct rvq_newdom *nr = realloc(r->row, nc * sizeof(*nr));
		if (nr == NULL)
			return RV_ENOMEM;
		r->row = nr;
		r->cap = nc;
	}
	*out = &r->row[r->n];
	memset(*out, 0, sizeof(**out));
	return RV_OK;
}

int
rvq_newdom_observing(struct rvq_db *db, uint32_t *t)
{
	struct rv_cursor *c = NULL;
	struct rv_val k, v;
	struct rv_key lo;
	int rc;

	*t = 0;
	if ((rc = rv_cursor_open(db->st, db->txn, RV_DB_REGDOM, &c)) != RV_OK)
		return rc == RV_ENOENT ? RV_OK : rc;
	/* The earliest time row: the earliest first sighting indexed. */
	lo.buf[0] = RV_REGDOM_TIME;
	lo.len = 1;
	k = rv_key_val(&lo);
	rc = rv_cursor_get(c, &k, &v, RV_SET_RANGE);
	if (rc == RV_OK && k.len > 5 &&
	    ((const uint8_t *)k.data)[0] == RV_REGDOM_TIME)
		*t = rv_get32((const uint8_t *)k.data + 1);
	rv_cursor_close(c);
	return rc == RV_OK || rc == RV_ENOENT ? RV_OK : rc;
}

int
rvq_newdom_scan(struct rvq_db *db, const struct rvq_window *win,
    size_t max, struct rvq_newdom_result *out)
{
	struct rv_cursor *c = NULL;
	struct rv_val k, v;
	struct rv_key lo;
	double t0 = now_mono();
	uint8_t *cand = NULL;	/* candidates' wire names, RV_NAME_MAX each */
	size_t ncand = 0, capcand = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->win = *win;
	if ((rc = rv_store_regdom_since(db->st, db->txn,
	    &out->index_since)) != RV_OK)
		goto leave;
	if ((rc = rvq_newdom_observing(db, &out->observing_since)) != RV_OK ||
	    (rc = rv_cursor_open(db->st, db->txn, RV_DB_REGDOM, &c)) != RV_OK)
		goto leave;
	/* Time rows in [since, until]; collected first, described after
	 * (the descriptions use other cursors of the same transaction). */
	lo.buf[0] = RV_REGDOM_TIME;
	rv_put32(lo.buf + 1, (uint32_t)(win->since < 0 ? 0 :
	    win->since > UINT32_MAX ? UINT32_MAX : win->since));
	lo.len = 5;
	k = rv_key_val(&lo);
	for (rc = rv_cursor_get(c, &k, &v, RV_SET_RANGE); rc == RV_OK;
	    rc = rv_cursor_get(c, &k, &v, RV_NEXT)) {
		const uint8_t *kd = k.data;
		uint32_t first;
		size_t wl;

		if (k.len < 6 || kd[0] != RV_REGDOM_TIME ||
		    (int64_t)rv_get32(kd + 1) > win->until)
			break;
		if (ncand == capcand) {
			size_t nc = capcand ? capcand * 2 : 256;
			uint8_t *nb = realloc(cand, nc * RV_NAME_MAX);
			if (nb == NULL) {
				rc = RV_ENOMEM;
				goto leave;
			}
			cand = nb;
			capcand = nc;
		}
		if (rv_regdom_key_decode(kd, k.len, &first,
		    cand + ncand * RV_NAME_MAX, &wl) != RV_OK) {
			rc = RV_ECORRUPT;
			goto leave;
		}
		/* Keep the length in the name itself: wire names end at
		 * their root label. */
		ncand++;
	}
	if (rc != RV_OK && rc != RV_ENOENT)
		goto leave;
	rc = RV_OK;
	out->candidates = ncand;
	for (size_t i = 0; i < ncand && (max == 0 || out->n < max); i++) {
		struct rvq_newdom *d;
		const uint8_t *w = cand + i * RV_NAME_MAX;
		size_t wl;
		int older;

		if (rv_name_wire_len(w, RV_NAME_MAX, &wl) != RV_OK)
			continue;
		if ((rc = push(out, &d)) != RV_OK)
			goto leave;
		memcpy(d->wire, w, wl);
		d->wlen = wl;
		(void)rvq_host_text(w, wl, d->domain, sizeof(d->domain));
		if ((older = describe(db, win, d, &rc)) < 0)
			goto leave;
		if (older || d->rrsets == 0)
			out->older++;
		else
			out->n++;
	}
leave:
	rv_cursor_close(c);
	free(cand);
	out->seconds = now_mono() - t0;
	return rc;
}

int
rvq_newdom_is_new(struct rvq_db *db, const uint8_t *reg, size_t len,
    const struct rvq_window *win)
{
	struct rvq_newdom *d;
	struct rv_key k;
	struct rv_val kv, v;
	struct rv_seen seen;
	int rc, older;

	if ((rc = rv_key_regdom(&k, reg, len)) != RV_OK)
		return rc == RV_ETOOBIG ? 0 : -rc;
	kv = rv_key_val(&k);
	rc = rv_get(db->st, db->txn, RV_DB_REGDOM, &kv, &v);
	if (rc == RV_ENOENT)
		return 0;
	if (rc != RV_OK)
		return -rc;
	if (rv_names_val_decode(v.data, v.len, &seen) != RV_OK)
		return -RV_ECORRUPT;
	if (seen.first < win->since || seen.first > win->until)
		return 0;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -RV_ENOMEM;
	memcpy(d->wire, reg, len);
	d->wlen = len;
	older = describe(db, win, d, &rc);
	free(d);
	return older < 0 ? -rc : !older;
}

void
rvq_newdom_free(struct rvq_newdom_result *r)
{
	free(r->row);
	memset(r, 0, sizeof(*r));
}
