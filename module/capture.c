/**
 * \file capture.c
 * reply_info -> rv_records (see capture.h).
 */
#include "ub.h"

#include "capture.h"

#include <string.h>

#include "conf.h"
#include "rv_be.h"
#include "rv_err.h"
#include "rv_name.h"

#define TYPE_CNAME 5
#define TYPE_SOA 6
#define TYPE_NS 2
#define TYPE_RRSIG 46
#define TYPE_ANY 255
#define RCODE_NOERROR 0
#define RCODE_NXDOMAIN 3
#define CHAIN_MAX 16	/* CNAME links followed to find the final name */

static uint32_t
ttl32(time_t t)
{
	if (t < 0)
		return 0;
	if ((unsigned long long)t > UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)t;
}

/*
 * Point rec->rdata at RRs [from, to) of d: in place when Unbound packed
 * them back to back (it always does for parsed messages), else gathered
 * into scratch. Sets rdcount, rdata_len and ttl.
 * \return 0, RV_ETOOBIG (does not fit scratch or more than 65535 RRs).
 */
static int
rdata_block(const struct packed_rrset_data *d, size_t from, size_t to,
    uint8_t *scratch, size_t scratch_size, struct rv_record *rec)
{
	size_t total = 0;
	int contig = 1;
	time_t ttl = 0;

	if (to - from > UINT16_MAX)
		return RV_ETOOBIG;
	for (size_t i = from; i < to; i++) {
		total += d->rr_len[i];
		if (i > from && d->rr_data[i] != d->rr_data[i - 1] +
		    d->rr_len[i - 1])
			contig = 0;
		if (i == from || d->rr_ttl[i] < ttl)
			ttl = d->rr_ttl[i];
	}
	rec->rdcount = (uint16_t)(to - from);
	rec->rdata_len = total;
	rec->ttl = ttl32(ttl);
	if (contig) {
		rec->rdata = d->rr_data[from];
		return RV_OK;
	}
	if (total > scratch_size)
		return RV_ETOOBIG;
	for (size_t i = from, off = 0; i < to; i++) {
		memcpy(scratch + off, d->rr_data[i], d->rr_len[i]);
		off += d->rr_len[i];
	}
	rec->rdata = scratch;
	return RV_OK;
}

/* Packed rr_data entries carry their own 2-octet length; they must agree
 * with rr_len or the record would not decode. */
static int
rdata_sane(const struct packed_rrset_data *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (d->rr_len[i] < 2 || !d->rr_data[i] ||
		    rv_get16(d->rr_data[i]) != d->rr_len[i] - 2)
			return 0;
	return 1;
}

static void
give(rvm_emit_fn emit, void *arg, const struct rv_record *rec,
    struct rvm_capture_out *out)
{
	if (emit(arg, rec) == 0)
		out->emitted++;
	else
		out->refused++;
}

/* The RRset record, then its RRSIG record. */
static void
one_rrset(const struct ub_packed_rrset_key *k, uint8_t section,
    struct rv_record *rec, const struct rvm_filter *filter,
    uint8_t *scratch, size_t scratch_size, rvm_emit_fn emit, void *arg,
    struct rvm_capture_out *out)
{
	const struct packed_rrset_data *d = k->entry.data;

	if (!d || !k->rk.dname || !rdata_sane(d, d->count + d->rrsig_count))
		return;
	if (filter && rvm_filter_excluded(filter, k->rk.dname,
	    k->rk.dname_len)) {
		out->excluded += (d->count > 0) + (d->rrsig_count > 0);
		return;
	}
	rec->kind = RV_REC_RRSET;
	rec->section = section;
	rec->owner = k->rk.dname;
	rec->owner_len = k->rk.dname_len;
	rec->rclass = ntohs(k->rk.rrset_class);
	rec->type = ntohs(k->rk.type);
	if (d->count > 0) {
		if (filter && !rvm_filter_type(filter, rec->type))
			out->excluded++;
		else if (rdata_block(d, 0, d->count, scratch, scratch_size,
		    rec) != RV_OK)
			out->toobig++;
		else
			give(emit, arg, rec, out);
	}
	if (d->rrsig_count > 0) {
		rec->type = TYPE_RRSIG;
		if (filter && !rvm_filter_type(filter, TYPE_RRSIG))
			out->excluded++;
		else if (rdata_block(d, d->count, d->count + d->rrsig_count,
		    scratch, scratch_size, rec) != RV_OK)
			out->toobig++;
		else
			give(emit, arg, rec, out);
	}
}

static const struct ub_packed_rrset_key *
find_rrset(const struct reply_info *rep, size_t from, size_t to,
    const uint8_t *name, size_t nlen, uint16_t type)
{
	for (size_t i = from; i < to; i++) {
		const struct ub_packed_rrset_key *k = rep->rrsets[i];

		if (k && ntohs(k->rk.type) == type &&
		    (!name || rv_name_eq(k->rk.dname, k->rk.dname_len, name,
		    nlen)))
			return k;
	}
	return NULL;
}

/*
 * Negative answers: NXDOMAIN, or NOERROR without the asked type at the end
 * of the CNAME chain, when the authority section has the SOA (or, without
 * a CNAME, has no NS: not a referral).
 */
static void
negative(const struct rvm_capture_in *in, struct rv_record *rec,
    const struct rvm_filter *filter, rvm_emit_fn emit, void *arg,
    struct rvm_capture_out *out)
{
	const struct reply_info *rep = in->rep;
	size_t an = rep->an_numrrsets, ns_end = an + rep->ns_numrrsets;
	const uint8_t *name = in->qname;
	size_t nlen = in->qname_len;
	const struct ub_packed_rrset_key *soa, *k;
	int rcode = FLAGS_GET_RCODE(rep->flags), followed = 0;

	if (rcode != RCODE_NOERROR && rcode != RCODE_NXDOMAIN)
		return;
	/* Follow the CNAME chain from the question's name. */
	for (int i = 0; i < CHAIN_MAX && in->qtype != TYPE_CNAME; i++) {
		const struct packed_rrset_data *d;

		k = find_rrset(rep, 0, an, name, nlen, TYPE_CNAME);
		if (!k || !(d = k->entry.data) || d->count < 1 ||
		    d->rr_len[0] < 3)
			break;
		if (rv_name_wire_len(d->rr_data[0] + 2, d->rr_len[0] - 2,
		    &nlen) != RV_OK) {
			nlen = k->rk.dname_len;
			break;
		}
		name = d->rr_data[0] + 2;
		followed = 1;
	}
	soa = find_rrset(rep, an, ns_end, NULL, 0, TYPE_SOA);
	if (rcode == RCODE_NOERROR) {
		if (in->qtype == TYPE_ANY) {
			if (an > 0)
				return;
		} else if (find_rrset(rep, 0, an, name, nlen, in->qtype)) {
			return;
		}
		/* A CNAME whose target the server did not answer for is a
		 * partial answer the resolver goes on with, unless the SOA
		 * says the target has no such data; without a CNAME, an NS
		 * set and no SOA is a referral. */
		if (!soa && (followed ||
		    find_rrset(rep, an, ns_end, NULL, 0, TYPE_NS)))
			return;
	}
	if (filter && (!rvm_filter_type(filter, in->qtype) ||
	    rvm_filter_excluded(filter, name, nlen))) {
		out->excluded++;
		return;
	}
	rec->kind = RV_REC_NEGATIVE;
	rec->section = RV_SEC_NONE;
	rec->owner = name;
	rec->owner_len = nlen;
	rec->type = in->qtype;
	rec->rclass = in->qclass;
	rec->ttl = 0;
	if (soa) {
		const struct packed_rrset_data *d = soa->entry.data;

		if (d && d->count > 0 && d->rr_len[0] >= 2 + 22) {
			uint32_t min = rv_get32(d->rr_data[0] + d->rr_len[0] - 4);
			uint32_t ttl = ttl32(d->rr_ttl[0]);

			rec->ttl = ttl < min ? ttl : min;
		}
	}
	rec->rdcount = 0;
	rec->rdata = NULL;
	rec->rdata_len = 0;
	give(emit, arg, rec, out);
}

int
rvm_capture(const struct rvm_capture_in *in,
    const struct rvm_filter *filter, uint8_t *scratch, size_t scratch_size,
    rvm_emit_fn emit, void *arg, struct rvm_capture_out *out)
{
	const struct reply_info *rep = in->rep;
	struct rv_record rec;
	size_t n, ns_end;
	int rc = RV_OK;

	memset(out, 0, sizeof(*out));
	n = rep->rrset_count;
	ns_end = rep->an_numrrsets + rep->ns_numrrsets;
	if (rep->an_numrrsets + rep->ns_numrrsets + rep->ar_numrrsets != n ||
	    (n > 0 && !rep->rrsets)) {
		rc = RV_EINVAL;
		goto leave;
	}
	if (filter && rvm_filter_excluded(filter, in->qname, in->qname_len)) {
		out->excluded++;
		goto leave;
	}
	memset(&rec, 0, sizeof(rec));
	rec.rcode = (uint8_t)FLAGS_GET_RCODE(rep->flags);
	rec.flags = (uint8_t)((in->flags & (RV_RF_FORWARD | RV_RF_TCP)) |
	    ((rep->flags & BIT_AA) ? RV_RF_AA : 0));
	rec.time = in->time;
	rec.server = in->server;
	rec.port = in->port;
	rec.qname = in->qname;
	rec.qname_len = in->qname_len;
	rec.qtype = in->qtype;
	rec.qclass = in->qclass;
	rec.zone = in->zone;
	rec.zone_len = in->zone_len;
	for (size_t i = 0; i < n; i++) {
		uint8_t section = i < rep->an_numrrsets ? RV_SEC_ANSWER :
		    i < ns_end ? RV_SEC_AUTHORITY : RV_SEC_ADDITIONAL;

		if (!rep->rrsets[i]) {
			rc = RV_EINVAL;
			goto leave;
		}
		one_rrset(rep->rrsets[i], section, &rec, filter, scratch,
		    scratch_size, emit, arg, out);
	}
	negative(in, &rec, filter, emit, arg, out);
leave:
	return rc;
}
