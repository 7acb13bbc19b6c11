/**
 * \file subdomains.c
 * The distinct names below a domain with first seen, last seen and count
 * summed over their RRsets (one prefix scan of the RRset index, whose
 * rows come grouped by owner); with an address filter, the names below
 * it seen on those addresses (one range scan of the rdata index, the
 * names collected, sorted and merged).
 */
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "rv_err.h"

struct sub {
	struct rvq_ctx *c;
	const uint8_t *dom;
	size_t dom_len;
	/* the name being summed up */
	uint8_t owner[RV_NAME_MAX];
	size_t owner_len;
	struct rvq_row acc;
	int have;
	/* by address: names collected, then sorted and merged */
	struct rvq_row **v;
	size_t n, cap;
};

static int
flush_name(struct sub *s)
{
	int rc = RV_OK;

	if (s->have)
		rc = rvq_give(s->c, &s->acc);
	s->have = 0;
	return rc;
}

static void
add_to(struct rvq_row *acc, const struct rvq_row *r)
{
	if (r->first < acc->first)
		acc->first = r->first;
	if (r->last > acc->last)
		acc->last = r->last;
	acc->count += r->count;
}

static void
start_name(struct sub *s, const struct rvq_row *r)
{
	memcpy(s->owner, r->owner, r->owner_len);
	s->owner_len = r->owner_len;
	memset(&s->acc, 0, sizeof(s->acc));
	s->acc.kind = RVQ_ROW_NAME;
	s->acc.owner = s->owner;
	s->acc.owner_len = s->owner_len;
	s->acc.first = r->first;
	s->acc.last = r->last;
	s->acc.count = r->count;
	s->have = 1;
}

/* Sum r into the current name, or give that one and start r's. */
static int
add_row(struct sub *s, const struct rvq_row *r)
{
	int rc;

	if (s->have && s->owner_len == r->owner_len &&
	    memcmp(s->owner, r->owner, r->owner_len) == 0) {
		add_to(&s->acc, r);
		return RV_OK;
	}
	if ((rc = flush_name(s)) != RV_OK)
		return rc;
	start_name(s, r);
	return RV_OK;
}

static int
rrset_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct sub *s = arg;
	struct rv_rrset_key key;
	struct rv_rrset_val val;
	struct rvq_row r;
	int rc;

	if ((rc = rv_rrset_key_decode(k->data, k->len, &key)) != 0)
		return rc;
	if (key.owner_len == s->dom_len)	/* the domain itself */
		return RV_OK;
	if ((rc = rv_rrset_val_decode(v->data, v->len, &val)) != 0)
		return rc;
	rvq_row_from_rrset(&r, &key, &val);
	if (!rvq_filter_pass(s->c->f, &r))
		return RV_OK;
	return add_row(s, &r);
}

static int
ip_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct sub *s = arg;
	const struct rvq_filter *f = s->c->f;
	struct rv_rdata_key key;
	struct rv_seen seen;
	struct rvq_row r, *c;

	if (rv_rdata_key_decode(k->data, k->len, &key) != RV_OK ||
	    rv_rdata_val_decode(v->data, v->len, &seen) != RV_OK)
		return RV_ECORRUPT;
	if (key.owner_len <= s->dom_len || !rv_name_is_subdomain(key.owner,
	    key.owner_len, s->dom, s->dom_len))
		return RV_OK;
	memset(&r, 0, sizeof(r));
	r.kind = RVQ_ROW_RDATA;
	r.owner = key.owner;
	r.owner_len = key.owner_len;
	r.type = key.type;
	r.rd = key.ip.addr;
	r.rd_len = rv_ip_len(key.ip.family);
	r.first = seen.first;
	r.last = seen.last;
	r.count = seen.count;
	if (!rvq_filter_pass(f, &r))
		return RV_OK;
	if (f->sensor_set) {
		struct rvq_join jn;
		unsigned i = 0;
		(void)rvq_db_join(s->c->db, &r, &jn);
		while (i < jn.nsens && jn.sens[i] != f->sensor_id)
			i++;
		if (i == jn.nsens)
			return RV_OK;
	}
	r.kind = RVQ_ROW_NAME;
	r.rd = NULL;
	r.rd_len = 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct rvq_row **nv = realloc(s->v, cap * sizeof(*nv));
		if (nv == NULL)
			return RV_ENOMEM;
		s->v = nv;
		s->cap = cap;
	}
	if ((c = rvq_row_copy(&r)) == NULL)
		return RV_ENOMEM;
	s->v[s->n++] = c;
	return RV_OK;
}

static int
cmp_okey(const void *a, const void *b)
{
	const struct rvq_row *x = *(struct rvq_row *const *)a;
	const struct rvq_row *y = *(struct rvq_row *const *)b;
	size_t n = x->okey_len < y->okey_len ? x->okey_len : y->okey_len;
	int c = memcmp(x->okey, y->okey, n);

	return c != 0 ? c : (x->okey_len > y->okey_len) -
	    (x->okey_len < y->okey_len);
}

/* Sort the collected names, merge duplicates, give them. */
static int
give_collected(struct sub *s)
{
	int rc = RV_OK;

	qsort(s->v, s->n, sizeof(*s->v), cmp_okey);
	for (size_t i = 0; i < s->n && rc == RV_OK; i++)
		rc = add_row(s, s->v[i]);
	return rc;
}

int
rvq_exec_subdomains(struct rvq_ctx *c, struct rvq_err *err)
{
	const struct rvq_query *q = c->q;
	struct sub s;
	struct rv_key lo;
	int rc;

	memset(&s, 0, sizeof(s));
	s.c = c;
	s.dom = q->name;
	s.dom_len = q->name_len;
	if (c->f->sub_ip == NULL) {
		if (rv_key_rrset_sub(&lo, s.dom, s.dom_len) != RV_OK) {
			rvq_errf(err, "name '%s' is too long for a key",
			    q->arg);
			return RV_EINVAL;
		}
		rc = rvq_scan(c, RV_DB_RRSET, &lo, &lo, rrset_row, &s);
	} else {
		rc = rvq_scan_range(c, c->f->sub_ip, ip_row, &s);
		if (rc == RV_OK)
			rc = give_collected(&s);
	}
	if (rc == RV_OK)
		rc = flush_name(&s);
	for (size_t i = 0; i < s.n; i++)
		free(s.v[i]);
	free(s.v);
	return rc;
}
