/**
 * \file test_module_capture.c
 * module/capture.c on hand-built Unbound responses (reply_info with packed
 * RRsets, as the iterator hands them to the callback): every section,
 * RRSIGs as their own records, NXDOMAIN and NODATA (also after a CNAME),
 * referrals that are not negative, oversized and non-contiguous RRsets,
 * names at the 255-octet limit, the zone and type filter. Every record goes
 * through the real frame encoder and decoder.
 */
#include "ub.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "capture.h"
#include "conf.h"
#include "rv_err.h"
#include "rv_frame.h"
#include "rv_name.h"
#include "rv_rdata.h"

/* --- building responses ------------------------------------------------ */

#define MAX_ALLOCS 64
static void *allocs[MAX_ALLOCS];
static size_t nallocs;

static void *
keep(void *p)
{
	assert_non_null(p);
	assert_true(nallocs < MAX_ALLOCS);
	allocs[nallocs++] = p;
	return p;
}

static uint8_t *
wire(const char *name, size_t *len)
{
	uint8_t *w = keep(test_malloc(RV_NAME_MAX));

	assert_int_equal(rv_name_from_str(name, w, len), RV_OK);
	return w;
}

/*
 * One packed RRset: n rdatas of \p type then nsig RRSIG rdatas, all in one
 * block the way Unbound's parser packs them (or each RR in its own
 * allocation when \p scatter).
 */
static struct ub_packed_rrset_key *
rrset(const char *owner, uint16_t type, const char *const *rd, size_t n,
    const char *const *sig, size_t nsig, time_t ttl, int scatter)
{
	struct ub_packed_rrset_key *k = keep(test_calloc(1, sizeof(*k)));
	struct packed_rrset_data *d = keep(test_calloc(1, sizeof(*d)));
	size_t total = n + nsig, off = 0;
	uint8_t *block;

	d->count = n;
	d->rrsig_count = nsig;
	d->ttl = ttl;
	d->rr_len = keep(test_calloc(total, sizeof(size_t)));
	d->rr_ttl = keep(test_calloc(total, sizeof(time_t)));
	d->rr_data = keep(test_calloc(total, sizeof(uint8_t *)));
	block = keep(test_malloc(total * 600 + 1));
	for (size_t i = 0; i < total; i++) {
		uint8_t buf[600];
		size_t len = sizeof(buf) - 2;

		assert_int_equal(rv_rdata_from_str(i < n ? type : 46,
		    i < n ? rd[i] : sig[i - n], buf + 2, &len), RV_OK);
		buf[0] = (uint8_t)(len >> 8);
		buf[1] = (uint8_t)len;
		d->rr_len[i] = len + 2;
		d->rr_ttl[i] = ttl + (time_t)i * 10;	/* min is the first */
		d->rr_data[i] = scatter ? keep(test_malloc(len + 2)) :
		    block + off;
		memcpy(d->rr_data[i], buf, len + 2);
		off += len + 2;
	}
	k->entry.data = d;
	k->rk.dname = wire(owner, &k->rk.dname_len);
	k->rk.type = htons(type);
	k->rk.rrset_class = htons(1);
	return k;
}

static struct reply_info *
reply(uint16_t flags, size_t an, size_t ns, size_t ar, ...)
{
	struct reply_info *rep = keep(test_calloc(1, sizeof(*rep)));
	size_t n = an + ns + ar;
	va_list ap;

	rep->flags = flags;
	rep->an_numrrsets = an;
	rep->ns_numrrsets = ns;
	rep->ar_numrrsets = ar;
	rep->rrset_count = n;
	rep->rrsets = keep(test_calloc(n ? n : 1, sizeof(*rep->rrsets)));
	va_start(ap, ar);
	for (size_t i = 0; i < n; i++)
		rep->rrsets[i] = va_arg(ap, struct ub_packed_rrset_key *);
	va_end(ap);
	return rep;
}

static struct rvm_capture_in
input(struct reply_info *rep, const char *qname, uint16_t qtype,
    const char *zone)
{
	struct rvm_capture_in in;

	memset(&in, 0, sizeof(in));
	in.rep = rep;
	in.qname = wire(qname, &in.qname_len);
	in.qtype = qtype;
	in.qclass = 1;
	in.zone = wire(zone, &in.zone_len);
	assert_int_equal(rv_ip_parse("127.60.0.4", &in.server), RV_OK);
	in.port = 53;
	in.flags = RV_RF_TCP;
	in.time = 1700000000;
	return in;
}

/* --- capturing into a frame --------------------------------------------- */

static uint8_t frame[1 << 20];
static struct rv_frame_enc enc;
static int refuse_after = -1;	/* emit refuses after this many */

static int
emit(void *arg, const struct rv_record *rec)
{
	(void)arg;
	if (refuse_after == 0)
		return 1;
	if (refuse_after > 0)
		refuse_after--;
	return rv_frame_add(&enc, rec) == RV_OK ? 0 : 1;
}

static struct rv_record recs[16];
static size_t nrecs;

static struct rvm_capture_out
run(const struct rvm_capture_in *in, const struct rvm_filter *f,
    size_t scratch_size)
{
	static uint8_t scratch[1 << 17];
	struct rvm_capture_out out;
	struct rv_frame_hdr h;
	size_t len, off;

	assert_int_equal(rv_frame_begin(&enc, frame, sizeof(frame), "t", 1),
	    RV_OK);
	assert_int_equal(rvm_capture(in, f, scratch, scratch_size, emit,
	    NULL, &out), RV_OK);
	len = rv_frame_finish(&enc);
	assert_int_equal(rv_frame_validate(frame, len, &h), RV_OK);
	assert_int_equal(h.count, out.emitted);
	assert_int_equal(rv_frame_decode_header(frame, len, &h, &off), RV_OK);
	nrecs = 0;
	for (uint32_t i = 0; i < h.count && i < 16; i++)
		assert_int_equal(rv_frame_decode_record(frame, len, &off,
		    &recs[nrecs++]), RV_OK);
	return out;
}

static void
assert_name(const uint8_t *w, size_t len, const char *expect)
{
	char s[RV_NAME_STR_MAX];

	assert_int_equal(rv_name_to_str(w, len, s, sizeof(s)), RV_OK);
	assert_string_equal(s, expect);
}

/* The rdata block must be Unbound's packed form, byte for byte. */
static void
assert_rdata(const struct rv_record *r, const struct ub_packed_rrset_key *k,
    size_t from, size_t to)
{
	const struct packed_rrset_data *d = k->entry.data;
	size_t off = 0;

	assert_int_equal(r->rdcount, to - from);
	for (size_t i = from; i < to; i++) {
		assert_memory_equal(r->rdata + off, d->rr_data[i],
		    d->rr_len[i]);
		off += d->rr_len[i];
	}
	assert_int_equal(off, r->rdata_len);
}

/* Every test ends with this, so cmocka's leak check after the test sees
 * every block freed. */
static void
release(void)
{
	for (size_t i = 0; i < nallocs; i++)
		test_free(allocs[i]);
	nallocs = 0;
	refuse_after = -1;
}

/* --- tests --------------------------------------------------------------- */

static const char *const www_a[] = { "192.0.2.10", "192.0.2.11" };
static const char *const ns_rd[] = { "ns1.shop.test." };
static const char *const glue[] = { "127.60.0.4" };
static const char *const soa_rd[] = {
	"ns1.shop.test. hostmaster.shop.test. 1 7200 3600 1209600 300" };

static void
test_every_section(void **state)
{
	struct ub_packed_rrset_key *a = rrset("www.shop.test", 1, www_a, 2,
	    NULL, 0, 3600, 0);
	struct ub_packed_rrset_key *ns = rrset("shop.test", 2, ns_rd, 1,
	    NULL, 0, 86400, 0);
	struct ub_packed_rrset_key *g = rrset("ns1.shop.test", 1, glue, 1,
	    NULL, 0, 86400, 0);
	struct rvm_capture_in in = input(reply(0x8400, 1, 1, 1, a, ns, g),
	    "www.shop.test", 1, "shop.test");
	struct rvm_capture_out out = run(&in, NULL, 0);

	(void)state;
	assert_int_equal(out.emitted, 3);
	assert_int_equal(out.refused + out.excluded + out.toobig, 0);
	assert_int_equal(recs[0].section, RV_SEC_ANSWER);
	assert_int_equal(recs[1].section, RV_SEC_AUTHORITY);
	assert_int_equal(recs[2].section, RV_SEC_ADDITIONAL);
	assert_name(recs[0].owner, recs[0].owner_len, "www.shop.test.");
	assert_name(recs[1].owner, recs[1].owner_len, "shop.test.");
	assert_name(recs[2].owner, recs[2].owner_len, "ns1.shop.test.");
	assert_int_equal(recs[1].type, 2);
	assert_rdata(&recs[0], a, 0, 2);
	assert_rdata(&recs[1], ns, 0, 1);
	assert_rdata(&recs[2], g, 0, 1);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(recs[i].kind, RV_REC_RRSET);
		assert_int_equal(recs[i].flags, RV_RF_AA | RV_RF_TCP);
		assert_int_equal(recs[i].rcode, 0);
		assert_int_equal(recs[i].time, 1700000000);
		assert_int_equal(recs[i].server.family, 4);
		assert_int_equal(recs[i].port, 53);
		assert_int_equal(recs[i].rclass, 1);
		assert_int_equal(recs[i].qtype, 1);
		assert_name(recs[i].qname, recs[i].qname_len,
		    "www.shop.test.");
		assert_name(recs[i].zone, recs[i].zone_len, "shop.test.");
	}
	assert_int_equal(recs[0].ttl, 3600);	/* the smaller of two */
	release();
}

static void
test_rrsig_separate(void **state)
{
	static const char *const sig[] = { "A 13 3 3600 20301231000000 "
	    "20200101000000 12345 shop.test. "
	    "dGVzdHNpZ25hdHVyZXRlc3RzaWduYXR1cmU=" };
	struct ub_packed_rrset_key *a = rrset("www.shop.test", 1, www_a, 2,
	    sig, 1, 300, 0);
	struct rvm_capture_in in = input(reply(0x8400, 1, 0, 0, a),
	    "www.shop.test", 1, "shop.test");
	struct rvm_capture_out out = run(&in, NULL, 0);

	(void)state;
	assert_int_equal(out.emitted, 2);
	assert_int_equal(recs[0].type, 1);
	assert_rdata(&recs[0], a, 0, 2);
	assert_int_equal(recs[0].ttl, 300);
	assert_int_equal(recs[1].type, 46);
	assert_int_equal(recs[1].section, RV_SEC_ANSWER);
	assert_name(recs[1].owner, recs[1].owner_len, "www.shop.test.");
	assert_rdata(&recs[1], a, 2, 3);
	assert_int_equal(recs[1].ttl, 320);	/* the signature's own */
	release();
}

static void
test_nxdomain(void **state)
{
	struct ub_packed_rrset_key *soa = rrset("shop.test", 6, soa_rd, 1,
	    NULL, 0, 3600, 0);
	struct rvm_capture_in in = input(reply(0x8403, 0, 1, 0, soa),
	    "nope.shop.test", 28, "shop.test");
	struct rvm_capture_out out = run(&in, NULL, 0);

	(void)state;
	assert_int_equal(out.emitted, 2);
	/* The SOA as an ordinary authority record... */
	assert_int_equal(recs[0].kind, RV_REC_RRSET);
	assert_int_equal(recs[0].type, 6);
	assert_int_equal(recs[0].section, RV_SEC_AUTHORITY);
	assert_int_equal(recs[0].rcode, 3);
	/* ...and the negative record about the question. */
	assert_int_equal(recs[1].kind, RV_REC_NEGATIVE);
	assert_int_equal(recs[1].section, RV_SEC_NONE);
	assert_int_equal(recs[1].type, 28);
	assert_int_equal(recs[1].rcode, 3);
	assert_int_equal(recs[1].rdcount, 0);
	assert_int_equal(recs[1].rdata_len, 0);
	assert_int_equal(recs[1].ttl, 300);	/* min(3600, MINIMUM 300) */
	assert_name(recs[1].owner, recs[1].owner_len, "nope.shop.test.");
	release();
}

static void
test_nodata(void **state)
{
	struct ub_packed_rrset_key *soa = rrset("shop.test", 6, soa_rd, 1,
	    NULL, 0, 60, 0);
	struct rvm_capture_in in = input(reply(0x8400, 0, 1, 0, soa),
	    "mail.shop.test", 28, "shop.test");
	struct rvm_capture_out out = run(&in, NULL, 0);

	(void)state;
	assert_int_equal(out.emitted, 2);
	assert_int_equal(recs[1].kind, RV_REC_NEGATIVE);
	assert_int_equal(recs[1].rcode, 0);
	assert_int_equal(recs[1].ttl, 60);	/* min(60, 300) */
	assert_name(recs[1].owner, recs[1].owner_len, "mail.shop.test.");
	release();
}

static void
test_cname_then_nodata(void **state)
{
	static const char *const c1[] = { "alias2.shop.test." };
	static const char *const c2[] = { "www.shop.test." };
	struct ub_packed_rrset_key *k1 = rrset("alias.shop.test", 5, c1, 1,
	    NULL, 0, 60, 0);
	struct ub_packed_rrset_key *k2 = rrset("ALIAS2.shop.test", 5, c2, 1,
	    NULL, 0, 60, 0);
	struct ub_packed_rrset_key *soa = rrset("shop.test", 6, soa_rd, 1,
	    NULL, 0, 60, 0);
	struct rvm_capture_in in = input(reply(0x8400, 2, 1, 0, k1, k2, soa),
	    "alias.shop.test", 16, "shop.test");
	struct rvm_capture_out out = run(&in, NULL, 0);

	(void)state;
	assert_int_equal(out.emitted, 4);
	assert_int_equal(recs[3].kind, RV_REC_NEGATIVE);
	/* The chain is followed case-insensitively to its end. */
	assert_name(recs[3].owner, recs[3].owner_len, "www.shop.test.");
	assert_int_equal(recs[3].type, 16);
	release();
}

static void
test_answer_is_not_negative(void **state)
{
	static const char *const c1[] = { "www.shop.test." };
	struct ub_packed_rrset_key *k1 = rrset("alias.shop.test", 5, c1, 1,
	    NULL, 0, 60, 0);
	struct ub_packed_rrset_key *a = rrset("www.shop.test", 1, www_a, 2,
	    NULL, 0, 60, 0);
	struct rvm_capture_in in = input(reply(0x8400, 2, 0, 0, k1, a),
	    "alias.shop.test", 1, "shop.test");
	struct rvm_capture_out out = run(&in, NULL, 0);

	(void)state;
	assert_int_equal(out.emitted, 2);
	for (size_t i = 0; i < nrecs; i++)
		assert_int_equal(recs[i].kind, RV_REC_RRSET);
	release();
}

/* NSD answers one CNAME at a time: the target's data is not there and
 * there is no SOA. That is no NODATA. */
static void
test_partial_chain_is_not_negative(void **state)
{
	static const char *const c1[] = { "alias2.shop.test." };
	struct ub_packed_rrset_key *k1 = rrset("alias.shop.test", 5, c1, 1,
	    NULL, 0, 60, 0);
	struct rvm_capture_in in = input(reply(0x8400, 1, 0, 0, k1),
	    "alias.shop.test", 1, "shop.test");
	struct rvm_capture_out out = run(&in, NULL, 0);

	(void)state;
	assert_int_equal(out.emitted, 1);
	assert_int_equal(recs[0].kind, RV_REC_RRSET);
	assert_int_equal(recs[0].type, 5);
	release();
}

static void
test_referral_is_not_negative(void **state)
{
	struct ub_packed_rrset_key *ns = rrset("shop.test", 2, ns_rd, 1,
	    NULL, 0, 86400, 0);
	struct ub_packed_rrset_key *g = rrset("ns1.shop.test", 1, glue, 1,
	    NULL, 0, 86400, 0);
	struct rvm_capture_in in = input(reply(0x8000, 0, 1, 1, ns, g),
	    "shop.test", 1, "test");
	struct rvm_capture_out out = run(&in, NULL, 0);

	(void)state;
	assert_int_equal(out.emitted, 2);
	assert_int_equal(recs[0].flags & RV_RF_AA, 0);
	assert_name(recs[0].zone, recs[0].zone_len, "test.");
	assert_int_equal(recs[0].kind, RV_REC_RRSET);
	assert_int_equal(recs[1].kind, RV_REC_RRSET);
	release();
}

/* 3000 addresses: one record, every rdata, in order. */
static void
test_oversized_rrset(void **state)
{
	enum { N = 3000 };
	static char text[N][16];
	static const char *rd[N];
	struct ub_packed_rrset_key *a;
	struct rvm_capture_in in;
	struct rvm_capture_out out;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		snprintf(text[i], sizeof(text[i]), "10.0.%zu.%zu", i / 256,
		    i % 256);
		rd[i] = text[i];
	}
	a = rrset("big.shop.test", 1, rd, N, NULL, 0, 60, 0);
	in = input(reply(0x8400, 1, 0, 0, a), "big.shop.test", 1,
	    "shop.test");
	out = run(&in, NULL, 0);
	assert_int_equal(out.emitted, 1);
	assert_int_equal(recs[0].rdcount, N);
	assert_int_equal(recs[0].rdata_len, N * 6);
	assert_rdata(&recs[0], a, 0, N);
	release();
}

/* Scattered rdata is gathered into scratch; when it does not fit, the
 * record is counted as too big and the rest still goes. */
static void
test_scattered_and_too_big(void **state)
{
	struct ub_packed_rrset_key *a = rrset("www.shop.test", 1, www_a, 2,
	    NULL, 0, 60, 1);
	struct ub_packed_rrset_key *ns = rrset("shop.test", 2, ns_rd, 1,
	    NULL, 0, 60, 1);
	struct rvm_capture_in in = input(reply(0x8400, 1, 1, 0, a, ns),
	    "www.shop.test", 1, "shop.test");
	struct rvm_capture_out out = run(&in, NULL, 4096);

	(void)state;
	assert_int_equal(out.emitted, 2);
	assert_rdata(&recs[0], a, 0, 2);
	assert_rdata(&recs[1], ns, 0, 1);
	out = run(&in, NULL, 8);	/* 2 x 6 octets do not fit in 8 */
	assert_int_equal(out.emitted, 1);
	assert_int_equal(out.toobig, 1);
	assert_int_equal(recs[0].type, 2);
	release();
}

/* A full queue refuses: counted, and the capture goes on. */
static void
test_emit_refuses(void **state)
{
	struct ub_packed_rrset_key *a = rrset("www.shop.test", 1, www_a, 2,
	    NULL, 0, 60, 0);
	struct ub_packed_rrset_key *ns = rrset("shop.test", 2, ns_rd, 1,
	    NULL, 0, 60, 0);
	struct rvm_capture_in in = input(reply(0x8400, 1, 1, 0, a, ns),
	    "www.shop.test", 1, "shop.test");
	struct rvm_capture_out out;

	(void)state;
	refuse_after = 1;
	out = run(&in, NULL, 0);
	assert_int_equal(out.emitted, 1);
	assert_int_equal(out.refused, 1);
	release();
}

/* Owner, question and zone of 255 octets: 63+63+63+61 plus lengths. */
static void
test_names_at_limit(void **state)
{
	char name[300];
	struct ub_packed_rrset_key *a;
	struct rvm_capture_in in;
	struct rvm_capture_out out;
	char *p = name;

	(void)state;
	for (int l = 0; l < 4; l++) {
		int n = l < 3 ? 63 : 61;

		memset(p, 'a' + l, (size_t)n);
		p += n;
		*p++ = '.';
	}
	*p = 0;
	a = rrset(name, 1, www_a, 1, NULL, 0, 60, 0);
	assert_int_equal(a->rk.dname_len, 255);
	in = input(reply(0x8400, 1, 0, 0, a), name, 1, name);
	out = run(&in, NULL, 0);
	assert_int_equal(out.emitted, 1);
	assert_int_equal(recs[0].owner_len, 255);
	assert_int_equal(recs[0].qname_len, 255);
	assert_int_equal(recs[0].zone_len, 255);
	assert_memory_equal(recs[0].owner, a->rk.dname, 255);
	/* And the root, the shortest name. */
	a = rrset(".", 2, ns_rd, 1, NULL, 0, 60, 0);
	in = input(reply(0x8400, 1, 0, 0, a), ".", 2, ".");
	out = run(&in, NULL, 0);
	assert_int_equal(out.emitted, 1);
	assert_int_equal(recs[0].owner_len, 1);
	assert_int_equal(recs[0].zone_len, 1);
	release();
}

static void
test_filter(void **state)
{
	struct rvm_filter *f = keep(test_calloc(1, sizeof(*f)));
	struct rvm_zone z;
	static const char *const sig[] = { "A 13 3 3600 20301231000000 "
	    "20200101000000 12345 shop.test. AAAA" };
	struct ub_packed_rrset_key *a = rrset("www.shop.test", 1, www_a, 2,
	    sig, 1, 60, 0);
	struct ub_packed_rrset_key *ns = rrset("shop.test", 2, ns_rd, 1,
	    NULL, 0, 60, 0);
	struct ub_packed_rrset_key *g = rrset("ns1.corp.test", 1, glue, 1,
	    NULL, 0, 60, 0);
	struct rvm_capture_in in = input(reply(0x8400, 1, 1, 1, a, ns, g),
	    "www.shop.test", 1, "shop.test");
	struct rvm_capture_out out;

	(void)state;
	memset(f->types, 0xff, sizeof(f->types));
	f->types[46 >> 3] &= (uint8_t)~(1u << (46 & 7));	/* no RRSIG */
	assert_int_equal(rv_name_from_str("CORP.test", z.name, &z.len),
	    RV_OK);
	f->zones = &z;
	f->nzones = 1;
	out = run(&in, f, 0);
	assert_int_equal(out.emitted, 2);	/* A and NS */
	assert_int_equal(out.excluded, 2);	/* RRSIG and corp glue */
	assert_int_equal(recs[0].type, 1);
	assert_int_equal(recs[1].type, 2);
	/* A question under an excluded zone leaves nothing at all. */
	in = input(reply(0x8400, 1, 0, 0, a), "x.corp.test", 1, "corp.test");
	out = run(&in, f, 0);
	assert_int_equal(out.emitted, 0);
	assert_int_equal(out.excluded, 1);
	release();
}

static void
test_bad_counts(void **state)
{
	struct ub_packed_rrset_key *a = rrset("www.shop.test", 1, www_a, 1,
	    NULL, 0, 60, 0);
	struct reply_info *rep = reply(0x8400, 1, 0, 0, a);
	struct rvm_capture_in in;
	struct rvm_capture_out out;
	uint8_t scratch[16];

	(void)state;
	rep->ns_numrrsets = 1;	/* counts no longer add up */
	in = input(rep, "www.shop.test", 1, "shop.test");
	assert_int_equal(rv_frame_begin(&enc, frame, sizeof(frame), "t", 1),
	    RV_OK);
	assert_int_equal(rvm_capture(&in, NULL, scratch, sizeof(scratch),
	    emit, NULL, &out), RV_EINVAL);
	assert_int_equal(out.emitted, 0);
	release();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_section),
		cmocka_unit_test(test_rrsig_separate),
		cmocka_unit_test(test_nxdomain),
		cmocka_unit_test(test_nodata),
		cmocka_unit_test(test_cname_then_nodata),
		cmocka_unit_test(test_answer_is_not_negative),
		cmocka_unit_test(test_partial_chain_is_not_negative),
		cmocka_unit_test(test_referral_is_not_negative),
		cmocka_unit_test(test_oversized_rrset),
		cmocka_unit_test(test_scattered_and_too_big),
		cmocka_unit_test(test_emit_refuses),
		cmocka_unit_test(test_names_at_limit),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_bad_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
