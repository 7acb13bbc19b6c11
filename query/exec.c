/**
 * \file exec.c
 * Preparing and running a query: the argument checked once, the rows
 * filtered and joined in one place, errors turned into messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exec.h"
#include "rv_err.h"
#include "rv_num.h"

int
rvq_prepare(struct rvq_query *q, enum rvq_kind kind, const char *arg,
    const struct rvq_filter *f, struct rvq_err *err)
{
	char head[RV_NAME_STR_MAX * 2];
	const char *p = arg;
	uint64_t asn;
	int rc;

	memset(q, 0, sizeof(*q));
	q->kind = kind;
	q->f = f;
	q->arg = arg;
	if (err != NULL)
		err->msg[0] = '\0';
	/* NAME/TYPE[/BAILIWICK], HEX/TYPE: the argument proper in head */
	if (kind == RVQ_LOOKUP || kind == RVQ_RDATA_NAME ||
	    kind == RVQ_RDATA_RAW) {
		if ((rc = rvq_split_suffix(q, arg, kind == RVQ_LOOKUP, head,
		    sizeof(head), err)) != RV_OK)
			return rc;
		if (head[0] != '\0')
			arg = head;
	}
	/* ADDR,LEN: a CIDR as DNSDB writes it in a path */
	if (kind == RVQ_RDATA_IP && strchr(arg, ',') != NULL &&
	    strchr(arg, '/') == NULL && strlen(arg) < sizeof(head)) {
		snprintf(head, sizeof(head), "%s", arg);
		*strchr(head, ',') = '/';
		arg = head;
	}
	switch (kind) {
	case RVQ_LOOKUP:
		rc = rvq_name_arg(arg, q->name, &q->name_len, &q->wild, err);
		/* Keys come in canonical name order, but NAME.* visits the
		 * names in forward order. */
		q->order = q->wild == 2 ? RVQ_ORDER_NONE : RVQ_ORDER_NAME;
		return rc;
	case RVQ_SUBDOMAINS:
		if ((rc = rvq_name_arg(arg, q->name, &q->name_len, &q->wild,
		    err)) != RV_OK)
			return rc;
		if (q->wild == 2) {
			rvq_errf(err, "'%s': give a domain (example.com or "
			    "*.example.com)", arg);
			return RV_EINVAL;
		}
		q->order = RVQ_ORDER_NAME;
		return RV_OK;
	case RVQ_RDATA_NAME:
		rc = rvq_name_arg(arg, q->name, &q->name_len, &q->wild, err);
		/* Targets of NAME.* come in forward order, not data order. */
		q->order = q->wild == 2 ? RVQ_ORDER_NONE : RVQ_ORDER_DATA;
		return rc;
	case RVQ_RDATA_IP:
		if ((rc = rv_range_parse(arg, &q->range)) != RV_OK) {
			rvq_errf(err, "invalid address, CIDR or range '%s'%s",
			    arg, rc == RV_ERANGE ? ": prefix too long for the "
			    "family" : "");
			return RV_EINVAL;
		}
		q->order = RVQ_ORDER_DATA;
		return RV_OK;
	case RVQ_RDATA_RAW:
		q->order = RVQ_ORDER_NONE;
		return rvq_prepare_raw(q, arg, err);
	case RVQ_ASN:
		if (strncasecmp(p, "AS", 2) == 0)
			p += 2;
		if (rv_parse_u64(p, 10, 0, UINT32_MAX, &asn) != RV_OK) {
			rvq_errf(err, "invalid AS number '%s' (want "
			    "1-4294967295, AS prefix optional)", arg);
			return RV_EINVAL;
		}
		q->asn = (uint32_t)asn;
		q->order = RVQ_ORDER_DATA;
		return RV_OK;
	}
	rvq_errf(err, "unknown kind of query");
	return RV_EINVAL;
}

void
rvq_query_free(struct rvq_query *q)
{
	free(q->raw);
	q->raw = NULL;
	q->raw_len = 0;
}

int
rvq_give(struct rvq_ctx *c, const struct rvq_row *r)
{
	int rc = c->fn(c->arg, r);

	if (rc == RV_ENOENT)
		c->stopped = 1;
	else if (rc != RV_OK)
		c->fn_failed = 1;
	return rc;
}

int
rvq_emit(struct rvq_ctx *c, const struct rvq_row *r)
{
	const struct rvq_filter *f = c->f;
	struct rvq_join jn;
	struct rvq_row j;
	int rc;

	if (!rvq_filter_pass(f, r))
		return RV_OK;
	if (r->kind != RVQ_ROW_RDATA || !(f->join || f->sensor_set ||
	    f->zone_len > 0))
		return rvq_give(c, r);
	rc = rvq_db_join(c->db, r, &jn);
	if (rc != RV_OK && rc != RV_ENOENT)
		return rc;
	if (f->sensor_set) {
		unsigned i = 0;
		while (i < jn.nsens && jn.sens[i] != f->sensor_id)
			i++;
		if (i == jn.nsens)
			return RV_OK;
	}
	if (f->zone_len > 0 && (jn.zone_len != f->zone_len ||
	    memcmp(jn.zone, f->zone, jn.zone_len) != 0))
		return RV_OK;
	j = *r;
	j.sensors = jn.sens;
	j.nsens = jn.nsens;
	j.zone = jn.zone;
	j.zone_len = jn.zone_len;
	j.ttl_min = jn.ttl_min;
	j.ttl_max = jn.ttl_max;
	j.has_ttl = jn.has_ttl;
	return rvq_give(c, &j);
}

/* A top-level scan of a resumable run: skips the row it resumes after,
 * and pauses after a row when asked. */
struct top {
	struct rvq_ctx *c;
	rv_scan_fn fn;
	void *arg;
	unsigned no;
	int skip;		/**< the first row may be the one done */
};

static int
top_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct top *t = arg;
	struct rvq_ctx *c = t->c;
	struct rvq_resume *res = c->res;
	int rc;

	if (t->skip) {
		t->skip = 0;
		if (k->len == res->after.len && memcmp(k->data,
		    res->after.buf, k->len) == 0)
			return RV_OK;
	}
	if ((rc = t->fn(k, v, t->arg)) != RV_OK)
		return rc;
	if (c->pause(c->pause_arg)) {
		if (k->len > sizeof(res->after.buf))
			return RV_ETOOBIG;
		res->paused = 1;
		res->scan = t->no;
		memcpy(res->after.buf, k->data, k->len);
		res->after.len = k->len;
		c->stopped = 1;
		return RV_ENOENT;
	}
	return RV_OK;
}

/* rv_store_scan, through the database's kept cursor when it reads archive
 * segments (rvq_db.h: nearby scans reuse their decoded blocks). */
static int
scan(struct rvq_db *d, enum rv_db db, const struct rv_key *lo,
    const struct rv_key *hi, rv_scan_fn fn, void *arg)
{
	int rc;

	if (d->rm != NULL || d->sbusy[db] || d->suntiered[db])
		return rvq_db_scan(d, db, lo, hi, fn, arg);
	if (d->scur[db] == NULL) {
		if ((rc = rv_cursor_open(d->st, d->txn, db, &d->scur[db])) !=
		    RV_OK) {
			d->scur[db] = NULL;
			return rc == RV_ENOENT ? RV_OK : rc;
		}
		if (!rv_cursor_tiered(d->scur[db])) {
			rv_cursor_close(d->scur[db]);
			d->scur[db] = NULL;
			d->suntiered[db] = 1;
			return rv_store_scan(d->st, d->txn, db, lo, hi, fn, arg);
		}
	}
	d->sbusy[db] = 1;
	rc = rv_store_scan_cursor(d->scur[db], lo, hi, fn, arg);
	d->sbusy[db] = 0;
	return rc;
}

int
rvq_scan(struct rvq_ctx *c, enum rv_db db, const struct rv_key *lo,
    const struct rv_key *hi, rv_scan_fn fn, void *arg)
{
	struct top t = { c, fn, arg, 0, 0 };
	int rc;

	if (c->depth == 0 && c->res != NULL) {
		t.no = c->scan_no++;
		if (c->res->set && t.no < c->res->scan)
			return RV_OK;	/* done before the pause */
		if (c->res->set && t.no == c->res->scan) {
			lo = &c->res->after;	/* from there, it excluded */
			t.skip = 1;
		}
		fn = top_row;
		arg = &t;
	}
	c->depth++;
	rc = scan(c->db, db, lo, hi, fn, arg);
	c->depth--;
	/* rv_store_scan turns the consumer's stop into 0: an outer scan
	 * must stop too. */
	return rc == RV_OK && c->stopped ? RV_ENOENT : rc;
}

struct names_scan {
	struct rvq_ctx *c;
	enum rv_db db;
	rvq_name_key_fn key_of;
	rv_scan_fn fn;
	void *arg;
};

/* One name of the names index: the rows of db under its key. */
static int
names_scan_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct names_scan *ns = arg;
	uint8_t name[RV_NAME_MAX];
	size_t len;
	struct rv_key pre;
	int rc;

	(void)v;
	if ((rc = rv_names_key_decode(k->data, k->len, name,
	    &len)) != RV_OK || (rc = ns->key_of(&pre, name, len)) != RV_OK)
		return rc;
	return rvq_scan(ns->c, ns->db, &pre, &pre, ns->fn, ns->arg);
}

int
rvq_names_scan(struct rvq_ctx *c, const struct rv_key *pre, enum rv_db db,
    rvq_name_key_fn key_of, rv_scan_fn fn, void *arg)
{
	struct names_scan ns = { c, db, key_of, fn, arg };

	return rvq_scan(c, RV_DB_NAMES, pre, pre, names_scan_row, &ns);
}

static int
run(struct rvq_ctx *c, struct rvq_db *db, struct rvq_err *err)
{
	int rc;

	if (err != NULL)
		err->msg[0] = '\0';
	switch (c->q->kind) {
	case RVQ_LOOKUP:
		rc = rvq_exec_lookup(c, err);
		break;
	case RVQ_RDATA_IP:
	case RVQ_RDATA_NAME:
	case RVQ_RDATA_RAW:
		rc = rvq_exec_rdata(c, err);
		break;
	case RVQ_ASN:
		rc = rvq_exec_asn(c, err);
		break;
	case RVQ_SUBDOMAINS:
		rc = rvq_exec_subdomains(c, err);
		break;
	default:
		rc = RV_EINVAL;
		break;
	}
	if (rc == RV_ENOENT)	/* the consumer had enough */
		rc = RV_OK;
	if (rc == RV_ECORRUPT && err != NULL)	/* also from a consumer */
		rvq_db_errf(err, db, rc);
	else if (rc != RV_OK && !c->fn_failed && err != NULL &&
	    err->msg[0] == '\0')
		rvq_db_errf(err, db, rc);
	return rc;
}

int
rvq_exec(struct rvq_db *db, const struct rvq_query *q, rvq_row_fn fn,
    void *arg, struct rvq_err *err)
{
	struct rvq_ctx c = { .db = db, .q = q, .f = q->f, .fn = fn,
	    .arg = arg };

	return run(&c, db, err);
}

int
rvq_resumable(const struct rvq_query *q)
{
	return q->kind != RVQ_SUBDOMAINS;
}

int
rvq_exec_resumable(struct rvq_db *db, const struct rvq_query *q,
    rvq_row_fn fn, void *arg, rvq_pause_fn pause, void *pause_arg,
    struct rvq_resume *res, struct rvq_err *err)
{
	struct rvq_ctx c = { .db = db, .q = q, .f = q->f, .fn = fn,
	    .arg = arg, .res = res, .pause = pause, .pause_arg = pause_arg };

	if (!rvq_resumable(q)) {
		rvq_errf(err, "this query cannot pause");
		return RV_ENOTSUP;
	}
	res->paused = 0;
	return run(&c, db, err);
}
