/**
 * \file rdata.c
 * The reverse pivots over the rdata index: names on an address, a CIDR
 * block or a range (one range scan); names pointing at a name (one prefix
 * scan; NAME.* one prefix scan of the names index, then one of the rdata
 * index per target); names with exact rdata (one scan per type); and the
 * names on every address an AS was seen with.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "rv_err.h"
#include "rv_rdata.h"

struct rscan {
	struct rvq_ctx *c;
	size_t apex_len;	/* rdata name *.NAME: skip NAME itself */
	const uint8_t *raw;	/* rdata raw: the bytes asked for */
	size_t raw_len;
	uint32_t asn_first, asn_last;	/* asn: the address's period */
	int asn;
};

static int
rdata_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct rscan *s = arg;
	struct rv_rdata_key key;
	struct rv_seen seen;
	struct rvq_row r;
	int rc;

	if ((rc = rv_rdata_key_decode(k->data, k->len, &key)) != 0 ||
	    (rc = rv_rdata_val_decode(v->data, v->len, &seen)) != 0)
		return rc;
	memset(&r, 0, sizeof(r));
	r.kind = RVQ_ROW_RDATA;
	r.owner = key.owner;
	r.owner_len = key.owner_len;
	r.type = key.type;
	r.first = seen.first;
	r.last = seen.last;
	r.count = seen.count;
	switch (key.tag) {
	case RV_TAG_IPV4:
	case RV_TAG_IPV6:
		r.rd = key.ip.addr;
		r.rd_len = rv_ip_len(key.ip.family);
		break;
	case RV_TAG_NAME:
		if (s->apex_len > 0 && key.target_len == s->apex_len)
			return RV_OK;
		r.rd = key.target;
		r.rd_len = key.target_len;
		r.rd_is_name = 1;
		break;
	default:
		r.rd = s->raw;
		r.rd_len = s->raw_len;
		break;
	}
	/* asn: the name was on the address while it was in the AS. */
	if (s->asn && (r.last < s->asn_first || r.first > s->asn_last))
		return RV_OK;
	return rvq_emit(s->c, &r);
}

/* One range of addresses; an IPv4-mapped one (::ffff:a.b.c.d) is also
 * the IPv4 addresses it stands for, which come first in index order. */
int
rvq_scan_range(struct rvq_ctx *c, const struct rv_iprange *r,
    rv_scan_fn fn, void *arg)
{
	struct rv_iprange v4;
	struct rv_key lo, hi;
	int rc;

	if (rv_range_v4mapped(r, &v4)) {
		if ((rc = rv_key_rdata_range(&lo, &hi, &v4)) != RV_OK ||
		    (rc = rvq_scan(c, RV_DB_RDATA, &lo, &hi, fn, arg)) !=
		    RV_OK)
			return rc;
	}
	if ((rc = rv_key_rdata_range(&lo, &hi, r)) != RV_OK)
		return rc;
	return rvq_scan(c, RV_DB_RDATA, &lo, &hi, fn, arg);
}

static int
exec_ip(struct rvq_ctx *c)
{
	struct rscan s = { .c = c };

	return rvq_scan_range(c, &c->q->range, rdata_row, &s);
}

/* The reverse-index prefix of one target name (rvq_name_key_fn). */
static int
target_key(struct rv_key *k, const uint8_t *name, size_t len)
{
	return rv_key_rdata_name_prefix(k, name, len, 0);
}

static int
too_long(const struct rvq_query *q, struct rvq_err *err)
{
	rvq_errf(err, "name '%s' is too long for a key", q->arg);
	return RV_EINVAL;
}

/* www.example.*: the names database holds every target name in forward
 * order (SCHEMA.md), so the candidates are one prefix scan there and each
 * one's rows a prefix scan of the reverse index. */
static int
exec_name_fwd(struct rvq_ctx *c, struct rvq_err *err)
{
	const struct rvq_query *q = c->q;
	struct rscan s = { .c = c };
	struct rv_key pre;
	int rc = rvq_db_remote(c->db) ? RV_OK :
	    rv_store_names_targets(c->db->st, c->db->txn, NULL);

	if (rc == RV_ENOENT) {
		rvq_errf(err, "'%s' needs target names in the names index, "
		    "which database '%s' predates: rearviewd adds them when it "
		    "next opens it", q->arg, c->db->path);
		return RV_ENOTSUP;
	}
	if (rc != RV_OK)
		return rc;
	if (rv_key_names_prefix(&pre, q->name, q->name_len) != RV_OK)
		return too_long(q, err);
	return rvq_names_scan(c, &pre, RV_DB_RDATA, target_key, rdata_row,
	    &s);
}

static int
exec_name(struct rvq_ctx *c, struct rvq_err *err)
{
	const struct rvq_query *q = c->q;
	struct rscan s = { .c = c };
	struct rv_key pre;

	if (q->wild == 2)
		return exec_name_fwd(c, err);
	if (q->wild == 1)
		s.apex_len = q->name_len;
	if (rv_key_rdata_name_prefix(&pre, q->name, q->name_len,
	    q->wild == 1) != RV_OK)
		return too_long(q, err);
	return rvq_scan(c, RV_DB_RDATA, &pre, &pre, rdata_row, &s);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
rvq_prepare_raw(struct rvq_query *q, const char *arg, struct rvq_err *err)
{
	size_t n = strlen(arg);

	if (n == 0 || n % 2 != 0 || n / 2 > 65535) {
		rvq_errf(err, "invalid HEX '%s': want an even number of hex "
		    "digits", arg);
		return RV_EINVAL;
	}
	if ((q->raw = malloc(n / 2)) == NULL)
		return RV_ENOMEM;
	for (size_t i = 0; i < n; i += 2) {
		int a = hexval((unsigned char)arg[i]);
		int b = hexval((unsigned char)arg[i + 1]);
		if (a < 0 || b < 0) {
			rvq_errf(err, "invalid HEX '%s' at offset %zu", arg, i);
			rvq_query_free(q);
			return RV_EINVAL;
		}
		q->raw[q->raw_len++] = (uint8_t)(a << 4 | b);
	}
	return RV_OK;
}

/* One scan per type: the rdata index keys each type's rdata its own way
 * (addresses, target names, digests). */
static int
exec_raw(struct rvq_ctx *c)
{
	/* Without -t: addresses and the common types with hashed rdata. */
	static const uint16_t dflt[] = { 1, 28, 16, 99, 257, 44, 52, 13, 43,
	    48, 256, 53, 61, 29, 17 };
	const struct rvq_query *q = c->q;
	const struct rvq_filter *f = c->f;
	struct rscan s = { .c = c, .raw = q->raw, .raw_len = q->raw_len };
	const uint8_t *rd = q->raw;
	size_t len = q->raw_len;
	const uint16_t *types = f->ntypes ? f->types : dflt;
	unsigned ntypes = f->ntypes ? f->ntypes :
	    sizeof(dflt) / sizeof(dflt[0]);
	int rc = RV_OK;

	for (unsigned i = 0; i < ntypes && rc == RV_OK; i++) {
		struct rv_key lo, hi;
		const uint8_t *t;
		size_t tl;
		uint16_t type = types[i];

		if ((type == 1 && len == 4) || (type == 28 && len == 16)) {
			struct rv_iprange r = { .family = len == 4 ? 4 : 6 };
			memcpy(r.lo, rd, len);
			memcpy(r.hi, rd, len);
			if (rv_key_rdata_range(&lo, &hi, &r) != RV_OK)
				continue;
		} else if (type == 1 || type == 28) {
			continue;
		} else if (rv_rdata_target(type, rd, len, &t, &tl) == RV_OK) {
			if (rv_key_rdata_name_prefix(&lo, t, tl, 0) != RV_OK)
				continue;
			hi = lo;
		} else if (rv_key_rdata_hash_prefix(&lo,
		    rv_rdata_digest(type, rd, len)) == RV_OK) {
			hi = lo;
		} else {
			continue;
		}
		rc = rvq_scan(c, RV_DB_RDATA, &lo, &hi, rdata_row, &s);
	}
	return rc;
}

int
rvq_exec_rdata(struct rvq_ctx *c, struct rvq_err *err)
{
	switch (c->q->kind) {
	case RVQ_RDATA_IP:
		return exec_ip(c);
	case RVQ_RDATA_NAME:
		return exec_name(c, err);
	default:
		return exec_raw(c);
	}
}

/* asn: every address of the AS, then every name on each address. */
static int
asn_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct rscan *s = arg;
	struct rv_seen seen;
	struct rv_iprange r;
	struct rv_key lo, hi;
	struct rv_ip ip;
	uint32_t asn;
	int rc;

	if ((rc = rv_asn_key_decode(k->data, k->len, &asn, &ip)) ||
	    (rc = rv_asn_val_decode(v->data, v->len, &seen)))
		return rc;
	s->asn_first = seen.first;
	s->asn_last = seen.last;
	r.family = ip.family;
	memcpy(r.lo, ip.addr, sizeof(r.lo));
	memcpy(r.hi, ip.addr, sizeof(r.hi));
	if ((rc = rv_key_rdata_range(&lo, &hi, &r)) != RV_OK)
		return rc;
	return rvq_scan(s->c, RV_DB_RDATA, &lo, &hi, rdata_row, s);
}

int
rvq_exec_asn(struct rvq_ctx *c, struct rvq_err *err)
{
	struct rscan s = { .c = c, .asn = 1 };
	struct rv_key pre;
	int rc;

	(void)err;
	if ((rc = rv_key_asn_prefix(&pre, c->q->asn)) != RV_OK)
		return rc;
	return rvq_scan(c, RV_DB_ASN, &pre, &pre, asn_row, &s);
}
