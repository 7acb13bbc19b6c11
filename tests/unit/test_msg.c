/**
 * \file test_msg.c
 * The DNS message parser (compression in owners and rdata, pointer loops,
 * truncation) and the scrubber that turns a raw upstream response into
 * the module's records: negative answers, referrals and their glue,
 * poisoning attempts, CNAME chains across zones, DNAME, DS referrals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rv_be.h"
#include "rv_err.h"
#include "rv_frame.h"
#include "rv_msg.h"
#include "rv_name.h"

/* --- building messages ------------------------------------------------- */

struct wb {
	uint8_t b[4096];
	size_t n;
};

static void
w8(struct wb *w, uint8_t v)
{
	assert_true(w->n < sizeof(w->b));
	w->b[w->n++] = v;
}

static void
w16(struct wb *w, uint16_t v)
{
	w8(w, (uint8_t)(v >> 8));
	w8(w, (uint8_t)v);
}

static void
w32(struct wb *w, uint32_t v)
{
	w16(w, (uint16_t)(v >> 16));
	w16(w, (uint16_t)v);
}

static void
wbytes(struct wb *w, const void *p, size_t n)
{
	assert_true(w->n + n <= sizeof(w->b));
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void
wire(const char *s, uint8_t *out, size_t *len)
{
	assert_int_equal(rv_name_from_str(s, out, len), RV_OK);
}

/* An uncompressed name; returns its offset. */
static size_t
wname(struct wb *w, const char *s)
{
	uint8_t nm[RV_NAME_MAX];
	size_t nl, at = w->n;

	wire(s, nm, &nl);
	wbytes(w, nm, nl);
	return at;
}

/* Labels (text, no root; "" for none) then a pointer to off. */
static size_t
wptr(struct wb *w, const char *labels, size_t off)
{
	size_t at = w->n;

	if (*labels) {
		uint8_t nm[RV_NAME_MAX];
		size_t nl;

		wire(labels, nm, &nl);
		wbytes(w, nm, nl - 1);	/* without the root label */
	}
	w16(w, (uint16_t)(0xc000 | off));
	return at;
}

static void
whdr(struct wb *w, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
    uint16_t ar)
{
	w->n = 0;
	w16(w, 0x1234);
	w16(w, flags);
	w16(w, qd);
	w16(w, an);
	w16(w, ns);
	w16(w, ar);
}

/* After the owner: type, class IN, TTL, then a length to patch. */
static size_t
rr_begin(struct wb *w, uint16_t type, uint32_t ttl)
{
	w16(w, type);
	w16(w, 1);
	w32(w, ttl);
	w16(w, 0);
	return w->n;
}

static void
rr_end(struct wb *w, size_t start)
{
	rv_put16(w->b + start - 2, (uint16_t)(w->n - start));
}

static void
rr_a(struct wb *w, uint32_t ttl, uint32_t addr)
{
	size_t s = rr_begin(w, 1, ttl);

	w32(w, addr);
	rr_end(w, s);
}

/* A SOA with names mname/rname written by the caller's function. */
static void
rr_soa(struct wb *w, uint32_t ttl, size_t zone_off, uint32_t minimum)
{
	size_t s = rr_begin(w, 6, ttl);

	wptr(w, "ns1", zone_off);
	wptr(w, "hostmaster", zone_off);
	w32(w, 2024010101);
	w32(w, 7200);
	w32(w, 3600);
	w32(w, 1209600);
	w32(w, minimum);
	rr_end(w, s);
}

#define QR 0x8000
#define AA 0x0400

/* --- collecting records ------------------------------------------------ */

#define GOT_MAX 64

struct got {
	uint8_t kind, section, rcode, flags;
	char owner[RV_NAME_STR_MAX];
	char zone[RV_NAME_STR_MAX];
	uint16_t type, rdcount;
	uint32_t ttl;
	uint8_t rdata[1024];
	size_t rdata_len;
};

static struct got got[GOT_MAX];
static size_t ngot;
static struct rv_msg msg;	/* large: not on the stack */

static int
collect(void *arg, const struct rv_record *rec)
{
	struct got *g;
	uint8_t enc[8192];
	size_t elen, off = 0;
	struct rv_record back;

	(void)arg;
	assert_true(ngot < GOT_MAX);
	g = &got[ngot++];
	memset(g, 0, sizeof(*g));
	g->kind = rec->kind;
	g->section = rec->section;
	g->rcode = rec->rcode;
	g->flags = rec->flags;
	g->type = rec->type;
	g->rdcount = rec->rdcount;
	g->ttl = rec->ttl;
	assert_int_equal(rv_name_to_str(rec->owner, rec->owner_len, g->owner,
	    sizeof(g->owner)), RV_OK);
	assert_int_equal(rv_name_to_str(rec->zone, rec->zone_len, g->zone,
	    sizeof(g->zone)), RV_OK);
	assert_true(rec->rdata_len <= sizeof(g->rdata));
	if (rec->rdata_len)
		memcpy(g->rdata, rec->rdata, rec->rdata_len);
	g->rdata_len = rec->rdata_len;
	/* Every record goes through the frame codec. */
	assert_int_equal(rv_record_encode(rec, enc, sizeof(enc), &elen),
	    RV_OK);
	assert_int_equal(rv_frame_decode_record(enc, elen, &off, &back),
	    RV_OK);
	assert_int_equal(off, elen);
	assert_int_equal(back.type, rec->type);
	assert_int_equal(back.rdcount, rec->rdcount);
	assert_int_equal(back.rdata_len, rec->rdata_len);
	return 0;
}

/* Parse w and run the scrubber with zone (text, NULL: unknown). */
static int
run(const struct wb *w, const char *zone, struct rv_msg_out *out)
{
	struct rv_msg_src src;
	uint8_t z[RV_NAME_MAX];
	size_t zl = 0;

	memset(&src, 0, sizeof(src));
	if (zone) {
		wire(zone, z, &zl);
		src.zone = z;
		src.zone_len = zl;
	}
	src.server.family = 4;
	src.server.addr[0] = 192;
	src.server.addr[3] = 1;
	src.port = 53;
	src.time = 1700000000;
	src.flags = RV_RF_TCP;
	ngot = 0;
	assert_int_equal(rv_msg_parse(&msg, w->b, w->n), RV_OK);
	return rv_msg_records(&msg, &src, collect, NULL, out);
}

static const struct got *
find(uint8_t kind, uint8_t section, const char *owner, uint16_t type)
{
	for (size_t i = 0; i < ngot; i++)
		if (got[i].kind == kind && got[i].section == section &&
		    got[i].type == type && strcmp(got[i].owner, owner) == 0)
			return &got[i];
	return NULL;
}

/* The question, returning the offset of its name. */
static size_t
wq(struct wb *w, const char *name, uint16_t type)
{
	size_t at = wname(w, name);

	w16(w, type);
	w16(w, 1);
	return at;
}

/* --- parsing ----------------------------------------------------------- */

static void
expect_name(const uint8_t *p, size_t len, const char *s)
{
	uint8_t nm[RV_NAME_MAX];
	size_t nl;

	wire(s, nm, &nl);
	assert_int_equal(len, nl);
	assert_memory_equal(p, nm, nl);
}

static void
test_compression(void **state)
{
	struct wb w;
	size_t q, s, ex, nl;
	const struct rv_msg_rr *r;
	uint8_t nm[RV_NAME_MAX];

	(void)state;
	whdr(&w, QR | AA, 1, 3, 1, 0);
	q = wq(&w, "example.com", 255);
	ex = q;
	/* example.com MX 10 mail.example.com (compressed exchange) */
	wptr(&w, "", q);
	s = rr_begin(&w, 15, 300);
	w16(&w, 10);
	wptr(&w, "mail", ex);
	rr_end(&w, s);
	/* _sip._tcp.example.com SRV 1 2 5060 sip.example.com */
	wptr(&w, "_sip._tcp", q);
	s = rr_begin(&w, 33, 300);
	w16(&w, 1);
	w16(&w, 2);
	w16(&w, 5060);
	wptr(&w, "sip", ex);
	rr_end(&w, s);
	/* a TXT whose octets look like a pointer: copied as is */
	wptr(&w, "", q);
	s = rr_begin(&w, 16, 300);
	w8(&w, 2);
	w8(&w, 0xc0);
	w8(&w, 0x0c);
	rr_end(&w, s);
	/* authority: SOA with both names compressed */
	wptr(&w, "", q);
	rr_soa(&w, 3600, q, 600);
	assert_int_equal(rv_msg_parse(&msg, w.b, w.n), RV_OK);
	assert_int_equal(msg.qdcount, 1);
	expect_name(msg.qname, msg.qname_len, "example.com");
	assert_int_equal(msg.qtype, 255);
	assert_int_equal(msg.nrr, 4);
	assert_int_equal(msg.nset, 4);

	r = &msg.rr[0];
	expect_name(r->owner, r->owner_len, "example.com");
	assert_int_equal(r->type, 15);
	assert_int_equal(r->rdlen, 2 + 18);
	assert_int_equal(rv_get16(r->rdata), 10);
	expect_name(r->rdata + 2, r->rdlen - 2, "mail.example.com");

	r = &msg.rr[1];
	expect_name(r->owner, r->owner_len, "_sip._tcp.example.com");
	assert_int_equal(r->rdlen, 6 + 17);
	expect_name(r->rdata + 6, r->rdlen - 6, "sip.example.com");

	r = &msg.rr[2];
	assert_int_equal(r->rdlen, 3);
	assert_int_equal(r->rdata[1], 0xc0);

	r = &msg.rr[3];
	assert_int_equal(r->section, RV_SEC_AUTHORITY);
	wire("ns1.example.com", nm, &nl);
	assert_memory_equal(r->rdata, nm, nl);
	assert_int_equal(r->rdlen, nl + 24 + 20);
	expect_name(r->rdata + nl, 24, "hostmaster.example.com");
	assert_int_equal(rv_get32(r->rdata + r->rdlen - 4), 600);
	/* RRset packing and the SOA's TTL capped at its MINIMUM */
	assert_int_equal(msg.set[3].ttl, 600);
	assert_int_equal(msg.set[3].rdata_len, 2 + r->rdlen);
	assert_int_equal(rv_get16(msg.set[3].rdata), r->rdlen);
}

static void
test_pointer_loops(void **state)
{
	struct wb w;
	uint8_t out[RV_NAME_MAX];
	size_t ol, end, q;

	(void)state;
	/* A pointer to itself, and one forward. */
	whdr(&w, QR, 1, 0, 0, 0);
	w16(&w, 0xc000 | 12);
	w16(&w, 1);
	w16(&w, 1);
	assert_int_equal(rv_msg_parse(&msg, w.b, w.n), RV_EFORMAT);
	whdr(&w, QR, 1, 0, 0, 0);
	w16(&w, 0xc000 | 14);
	wname(&w, "a");
	w16(&w, 1);
	w16(&w, 1);
	assert_int_equal(rv_msg_parse(&msg, w.b, w.n), RV_EFORMAT);
	/* Two pointers to each other. */
	whdr(&w, QR, 1, 1, 0, 0);
	q = wq(&w, "a", 1);
	w.b[q] = 0xc0;		/* "a" at 12 becomes a pointer to 14 */
	w.b[q + 1] = 14;
	assert_int_equal(rv_msg_parse(&msg, w.b, w.n), RV_EFORMAT);
	/* A chain of backward pointers longer than RV_MSG_PTR_MAX. */
	w.n = 0;
	w8(&w, 0);
	for (size_t i = 0; i < 200; i++)
		w16(&w, (uint16_t)(0xc000 | (i == 0 ? 0 : 1 + 2 * (i - 1))));
	assert_int_equal(rv_msg_name(w.b, w.n, 1 + 2 * 99, w.n, out, &ol,
	    &end), RV_OK);
	assert_int_equal(ol, 1);
	assert_int_equal(end, 1 + 2 * 99 + 2);
	assert_int_equal(rv_msg_name(w.b, w.n, 1 + 2 * 199, w.n, out, &ol,
	    &end), RV_EFORMAT);
	/* A name over 255 octets by pointers: 63-octet labels, each
	 * followed by a pointer to the one before. */
	{
		uint8_t b[2 + 5 * 66];
		size_t o = 0, starts[5];

		for (int l = 0; l < 5; l++) {
			starts[l] = o;
			b[o++] = 63;
			memset(b + o, 'a', 63);
			o += 63;
			if (l == 0) {
				b[o++] = 0;
			} else {
				b[o++] = (uint8_t)(0xc0 | starts[l - 1] >> 8);
				b[o++] = (uint8_t)starts[l - 1];
			}
		}
		assert_int_equal(rv_msg_name(b, o, starts[2], o, out, &ol,
		    &end), RV_OK);
		assert_int_equal(ol, 3 * 64 + 1);
		assert_int_equal(rv_msg_name(b, o, starts[3], o, out, &ol,
		    &end), RV_EFORMAT);
	}
	/* Label types 0x40 and 0x80. */
	w.n = 0;
	w8(&w, 0x41);
	w8(&w, 0);
	assert_int_equal(rv_msg_name(w.b, w.n, 0, w.n, out, &ol, &end),
	    RV_EFORMAT);
	w.b[0] = 0x81;
	assert_int_equal(rv_msg_name(w.b, w.n, 0, w.n, out, &ol, &end),
	    RV_EFORMAT);
}

/* A name in rdata that runs past the RR's rdata (into the next RR) is
 * malformed, and so is an MX with one octet. */
static void
test_bad_rdata(void **state)
{
	struct wb w;
	size_t q, s;

	(void)state;
	whdr(&w, QR, 1, 2, 0, 0);
	q = wq(&w, "example.com", 2);
	wptr(&w, "", q);
	s = rr_begin(&w, 2, 300);
	w8(&w, 3);
	wbytes(&w, "ns1", 3);
	rr_end(&w, s);		/* no root label inside the rdata */
	wptr(&w, "", q);
	s = rr_begin(&w, 2, 300);
	w8(&w, 0);
	rr_end(&w, s);
	assert_int_equal(rv_msg_parse(&msg, w.b, w.n), RV_EFORMAT);
	assert_int_equal(msg.nrr, 0);

	whdr(&w, QR, 1, 1, 0, 0);
	q = wq(&w, "example.com", 15);
	wptr(&w, "", q);
	s = rr_begin(&w, 15, 300);
	w8(&w, 1);
	rr_end(&w, s);
	assert_int_equal(rv_msg_parse(&msg, w.b, w.n), RV_EFORMAT);
}

/* Every prefix of a good message is RV_ETRUNC. */
static void
test_truncated(void **state)
{
	struct wb w;
	size_t q, s;

	(void)state;
	whdr(&w, QR | AA, 1, 2, 1, 1);
	q = wq(&w, "www.example.com", 1);
	wptr(&w, "", q);
	s = rr_begin(&w, 5, 60);
	wptr(&w, "web", q + 4);
	rr_end(&w, s);
	wptr(&w, "web", q + 4);
	rr_a(&w, 60, 0x0a000001);
	wptr(&w, "", q + 4);
	rr_soa(&w, 60, q + 4, 60);
	w8(&w, 0);		/* OPT */
	s = rr_begin(&w, 41, 0);
	rr_end(&w, s);
	assert_int_equal(rv_msg_parse(&msg, w.b, w.n), RV_OK);
	assert_int_equal(msg.nrr, 4);
	assert_int_equal(msg.nset, 3);
	assert_int_equal(msg.rr[3].set, RV_MSG_NOSET);
	for (size_t n = 0; n < w.n; n++)
		assert_int_equal(rv_msg_parse(&msg, w.b, n), RV_ETRUNC);
	assert_int_equal(rv_msg_parse(&msg, NULL, 0), RV_ETRUNC);
}

/* Data of an RRset already seen in an earlier section is dropped; an SOA
 * in the answer and one in the authority section are two RRsets. */
static void
test_sections(void **state)
{
	struct wb w;
	size_t q;

	(void)state;
	whdr(&w, QR | AA, 1, 2, 1, 1);
	q = wq(&w, "example.com", 6);
	wptr(&w, "", q);
	rr_soa(&w, 3600, q, 300);
	wptr(&w, "", q);
	rr_a(&w, 60, 0x0a000001);
	wptr(&w, "", q);
	rr_soa(&w, 3600, q, 300);
	wptr(&w, "", q);
	rr_a(&w, 60, 0x0a000002);
	assert_int_equal(rv_msg_parse(&msg, w.b, w.n), RV_OK);
	assert_int_equal(msg.nrr, 4);
	assert_int_equal(msg.nset, 3);
	assert_int_equal(msg.dup_dropped, 1);
	assert_int_equal(msg.rr[3].set, RV_MSG_NOSET);
	assert_int_equal(msg.rr[3].rdlen, 4);
	assert_int_equal(msg.set[0].ttl, 3600);	/* answer: as sent */
	assert_int_equal(msg.set[2].ttl, 300);	/* authority: MINIMUM */
	assert_int_equal(msg.set[2].section, RV_SEC_AUTHORITY);
}

/* --- records ----------------------------------------------------------- */

static void
test_nxdomain(void **state)
{
	struct wb w;
	struct rv_msg_out out;
	size_t q, z;
	const struct got *g;

	(void)state;
	whdr(&w, QR | AA | 3, 1, 0, 1, 0);
	q = wq(&w, "nx.example.com", 1);
	z = q + 3;
	wptr(&w, "", z);
	rr_soa(&w, 3600, z, 300);
	assert_int_equal(run(&w, "example.com", &out), RV_OK);
	assert_int_equal(ngot, 2);
	g = find(RV_REC_RRSET, RV_SEC_AUTHORITY, "example.com.", 6);
	assert_non_null(g);
	assert_int_equal(g->ttl, 300);
	assert_int_equal(g->rcode, 3);
	assert_int_equal(g->flags, RV_RF_AA | RV_RF_TCP);
	assert_string_equal(g->zone, "example.com.");
	g = find(RV_REC_NEGATIVE, RV_SEC_NONE, "nx.example.com.", 1);
	assert_non_null(g);
	assert_int_equal(g->ttl, 300);
	assert_int_equal(g->rdcount, 0);
	assert_int_equal(out.emitted, 2);
	assert_int_equal(out.negative, 1);
}

static void
test_nodata(void **state)
{
	struct wb w;
	struct rv_msg_out out;
	size_t q, s;
	const struct got *g;

	(void)state;
	/* NODATA, with an NS set the scrubber drops and a poisoning SOA of
	 * another zone. */
	whdr(&w, QR | AA, 1, 0, 3, 0);
	q = wq(&w, "www.example.com", 28);
	wptr(&w, "", q + 4);
	rr_soa(&w, 7200, q + 4, 900);
	wptr(&w, "", q + 4);
	s = rr_begin(&w, 2, 7200);
	wptr(&w, "ns1", q + 4);
	rr_end(&w, s);
	wname(&w, "bank.com");
	rr_soa(&w, 7200, q + 4, 900);
	assert_int_equal(run(&w, "example.com", &out), RV_OK);
	assert_int_equal(ngot, 2);
	assert_non_null(find(RV_REC_RRSET, RV_SEC_AUTHORITY, "example.com.",
	    6));
	g = find(RV_REC_NEGATIVE, RV_SEC_NONE, "www.example.com.", 28);
	assert_non_null(g);
	assert_int_equal(g->ttl, 900);
	assert_int_equal(g->rcode, 0);
	assert_int_equal(out.irrelevant, 1);
	assert_int_equal(out.out_of_zone, 1);
}

static void
test_referral_glue(void **state)
{
	struct wb w;
	struct rv_msg_out out;
	size_t q, s, ns1, ns2;
	const struct got *g;

	(void)state;
	whdr(&w, QR, 1, 0, 1, 4);
	q = wq(&w, "www.example.com", 1);
	wptr(&w, "", q + 4);
	s = rr_begin(&w, 2, 172800);
	ns1 = wptr(&w, "ns1", q + 4);
	rr_end(&w, s);
	/* second NS RR of the same set, pointing out of the zone */
	wptr(&w, "", q + 4);
	s = rr_begin(&w, 2, 86400);
	ns2 = wname(&w, "ns.example.net");
	rr_end(&w, s);
	w.b[9] = 2;		/* nscount 2 */
	wptr(&w, "", ns1);
	rr_a(&w, 172800, 0xc0000201);
	wptr(&w, "", ns1);
	rr_a(&w, 172800, 0xc0000202);	/* same RRset, two RRs */
	wptr(&w, "", ns2);
	rr_a(&w, 172800, 0xc6336401);	/* out of com: dropped */
	wname(&w, "www.bank.com");
	rr_a(&w, 172800, 0x06060606);	/* named by nothing: dropped */
	assert_int_equal(run(&w, "com", &out), RV_OK);
	assert_int_equal(ngot, 2);
	g = find(RV_REC_RRSET, RV_SEC_AUTHORITY, "example.com.", 2);
	assert_non_null(g);
	assert_int_equal(g->rdcount, 2);
	assert_int_equal(g->ttl, 86400);
	assert_int_equal(g->rcode, 0);
	assert_int_equal(g->flags, RV_RF_TCP);
	g = find(RV_REC_RRSET, RV_SEC_ADDITIONAL, "ns1.example.com.", 1);
	assert_non_null(g);
	assert_int_equal(g->rdcount, 2);
	assert_int_equal(out.out_of_zone, 1);
	assert_int_equal(out.unglued, 1);
	assert_int_equal(out.negative, 0);

	/* The same referral with the zone unknown: the NS set is above the
	 * question's name, so nothing is kept. */
	assert_int_equal(run(&w, NULL, &out), RV_OK);
	assert_int_equal(ngot, 0);
	assert_int_equal(out.out_of_zone, 3);
	assert_int_equal(out.unglued, 1);
	assert_int_equal(out.negative, 0);
}

/* QNAME minimisation: the referral's NS set is at the question's name;
 * with the zone unknown it and its in-bailiwick glue stay. */
static void
test_zone_unknown(void **state)
{
	struct wb w;
	struct rv_msg_out out;
	size_t q, s, ns1;
	const struct got *g;

	(void)state;
	whdr(&w, QR, 1, 0, 1, 2);
	q = wq(&w, "example.com", 1);
	wptr(&w, "", q);
	s = rr_begin(&w, 2, 172800);
	ns1 = wptr(&w, "ns1", q);
	rr_end(&w, s);
	w.b[9] = 2;
	wptr(&w, "", q);
	s = rr_begin(&w, 2, 172800);
	wname(&w, "ns.other.net");
	rr_end(&w, s);
	wptr(&w, "", ns1);
	rr_a(&w, 172800, 0xc0000201);
	wname(&w, "ns.other.net");
	rr_a(&w, 172800, 0xc0000202);
	assert_int_equal(run(&w, NULL, &out), RV_OK);
	assert_int_equal(ngot, 2);
	g = find(RV_REC_RRSET, RV_SEC_AUTHORITY, "example.com.", 2);
	assert_non_null(g);
	assert_string_equal(g->zone, "example.com.");
	assert_non_null(find(RV_REC_RRSET, RV_SEC_ADDITIONAL,
	    "ns1.example.com.", 1));
	assert_int_equal(out.out_of_zone, 1);
}

static void
test_poison_answer(void **state)
{
	struct wb w;
	struct rv_msg_out out;
	size_t q, s;

	(void)state;
	/* www.example.com A, plus www.bank.com A in the answer, an NS set
	 * for bank.com in the authority and its address in additional. */
	whdr(&w, QR | AA, 1, 2, 1, 1);
	q = wq(&w, "www.example.com", 1);
	wptr(&w, "", q);
	rr_a(&w, 300, 0x0a000001);
	wname(&w, "www.bank.com");
	rr_a(&w, 86400, 0x06060606);
	wname(&w, "bank.com");
	s = rr_begin(&w, 2, 86400);
	wname(&w, "ns.bank.com");
	rr_end(&w, s);
	wname(&w, "ns.bank.com");
	rr_a(&w, 86400, 0x06060607);
	assert_int_equal(run(&w, "example.com", &out), RV_OK);
	assert_int_equal(ngot, 1);
	assert_non_null(find(RV_REC_RRSET, RV_SEC_ANSWER, "www.example.com.",
	    1));
	assert_int_equal(out.irrelevant, 2);
	assert_int_equal(out.unglued, 1);
	/* Asked as a zone the question is not in: nothing, and no
	 * negative record either. */
	assert_int_equal(run(&w, "sub.example.com", &out), RV_OK);
	assert_int_equal(ngot, 0);
	assert_int_equal(out.out_of_zone, 2);
}

static void
test_cname_across_zones(void **state)
{
	struct wb w;
	struct rv_msg_out out;
	size_t q, s, t;
	const struct got *g;

	(void)state;
	whdr(&w, QR | AA, 1, 3, 0, 0);
	q = wq(&w, "www.example.com", 1);
	wptr(&w, "", q);
	s = rr_begin(&w, 5, 300);
	t = wname(&w, "www.cdn.net");
	rr_end(&w, s);
	wptr(&w, "", t);
	s = rr_begin(&w, 5, 60);
	wptr(&w, "edge", t + 4);
	rr_end(&w, s);
	wptr(&w, "edge", t + 4);
	rr_a(&w, 20, 0x05060708);
	assert_int_equal(run(&w, "example.com", &out), RV_OK);
	assert_int_equal(ngot, 1);
	g = find(RV_REC_RRSET, RV_SEC_ANSWER, "www.example.com.", 5);
	assert_non_null(g);
	assert_int_equal(g->ttl, 300);
	assert_int_equal(out.irrelevant, 2);
	assert_int_equal(out.negative, 0);
}

/* A CNAME at the question's name whose target the server says has no
 * such data: the negative record is about the target. */
static void
test_cname_nodata(void **state)
{
	struct wb w;
	struct rv_msg_out out;
	size_t q, s;
	const struct got *g;

	(void)state;
	whdr(&w, QR | AA, 1, 1, 1, 0);
	q = wq(&w, "www.example.com", 28);
	wptr(&w, "", q);
	s = rr_begin(&w, 5, 300);
	wptr(&w, "web", q + 4);
	rr_end(&w, s);
	wptr(&w, "", q + 4);
	rr_soa(&w, 300, q + 4, 120);
	assert_int_equal(run(&w, "example.com", &out), RV_OK);
	assert_int_equal(ngot, 3);
	g = find(RV_REC_NEGATIVE, RV_SEC_NONE, "web.example.com.", 28);
	assert_non_null(g);
	assert_int_equal(g->ttl, 120);
}

static void
test_rrsig_grouping(void **state)
{
	struct wb w;
	struct rv_msg_out out;
	size_t q, s;
	const struct got *g;

	(void)state;
	/* RRSIG(A) before the A RRs, and an RRSIG(AAAA) covering nothing. */
	whdr(&w, QR | AA, 1, 4, 0, 0);
	q = wq(&w, "www.example.com", 1);
	for (int i = 0; i < 2; i++) {
		wptr(&w, "", q);
		s = rr_begin(&w, 46, 100 + (uint32_t)i);
		w16(&w, i == 0 ? 1 : 28);
		w8(&w, 13);
		w8(&w, 3);
		w32(&w, 300);
		w32(&w, 1800000000);
		w32(&w, 1700000000);
		w16(&w, 4711);
		wptr(&w, "", q + 4);	/* compressed signer: decompressed */
		w32(&w, 0xdeadbeef);
		rr_end(&w, s);
	}
	wptr(&w, "", q);
	rr_a(&w, 300, 0x0a000001);
	wptr(&w, "", q);
	rr_a(&w, 200, 0x0a000002);
	assert_int_equal(rv_msg_parse(&msg, w.b, w.n), RV_OK);
	assert_int_equal(msg.nset, 2);
	assert_int_equal(run(&w, "example.com", &out), RV_OK);
	assert_int_equal(ngot, 2);
	g = &got[0];
	assert_int_equal(g->type, 1);
	assert_int_equal(g->rdcount, 2);
	assert_int_equal(g->ttl, 200);
	g = &got[1];
	assert_int_equal(g->type, 46);
	assert_int_equal(g->rdcount, 1);
	assert_int_equal(g->ttl, 100);
	assert_int_equal(g->rdata_len, 2 + 18 + 13 + 4);
	assert_int_equal(out.irrelevant, 1);	/* RRSIG(AAAA) alone */
}

static void
test_dname(void **state)
{
	struct wb w;
	struct rv_msg_out out;
	size_t q, s;
	const struct got *g;

	(void)state;
	/* www.example.com A; example.com DNAME example.net, no CNAME sent:
	 * the CNAME is synthesized (TTL 0). */
	whdr(&w, QR | AA, 1, 2, 0, 0);
	q = wq(&w, "www.example.com", 1);
	wptr(&w, "", q + 4);
	s = rr_begin(&w, 39, 3600);
	wname(&w, "example.net");
	rr_end(&w, s);
	wname(&w, "www.example.net");
	rr_a(&w, 300, 0x0a000001);
	assert_int_equal(run(&w, "example.com", &out), RV_OK);
	assert_int_equal(ngot, 2);
	assert_non_null(find(RV_REC_RRSET, RV_SEC_ANSWER, "example.com.",
	    39));
	g = find(RV_REC_RRSET, RV_SEC_ANSWER, "www.example.com.", 5);
	assert_non_null(g);
	assert_int_equal(g->ttl, 0);
	assert_int_equal(g->rdcount, 1);
	expect_name(g->rdata + 2, g->rdata_len - 2, "www.example.net");
}

static void
test_ds_referral(void **state)
{
	struct wb w;
	struct rv_msg_out out;
	size_t q, s;

	(void)state;
	/* A DS question answered as a referral carrying the DS. */
	whdr(&w, QR, 1, 0, 2, 0);
	q = wq(&w, "example.com", 43);
	wptr(&w, "", q);
	s = rr_begin(&w, 2, 172800);
	wptr(&w, "ns1", q);
	rr_end(&w, s);
	wptr(&w, "", q);
	s = rr_begin(&w, 43, 86400);
	w16(&w, 4711);
	w8(&w, 13);
	w8(&w, 2);
	w32(&w, 0x01020304);
	rr_end(&w, s);
	assert_int_equal(run(&w, "com", &out), RV_OK);
	assert_int_equal(ngot, 1);
	assert_non_null(find(RV_REC_RRSET, RV_SEC_ANSWER, "example.com.",
	    43));
}

static void
test_rejected(void **state)
{
	struct wb w;
	struct rv_msg_out out;
	struct rv_msg_src src;
	size_t q;
	uint8_t bad[2] = { 3, 'a' };

	(void)state;
	whdr(&w, QR | 0x0200, 1, 1, 0, 0);	/* TC */
	q = wq(&w, "www.example.com", 1);
	wptr(&w, "", q);
	rr_a(&w, 300, 0x0a000001);
	assert_int_equal(run(&w, "example.com", &out), RV_ETRUNC);
	assert_int_equal(ngot, 0);
	w.b[2] = 0;				/* no QR */
	assert_int_equal(run(&w, "example.com", &out), RV_EFORMAT);
	w.b[2] = 0x80;
	w.b[5] = 0;				/* no question */
	w.b[7] = 0;
	w.n = 12;
	assert_int_equal(run(&w, "example.com", &out), RV_EFORMAT);
	whdr(&w, QR, 1, 1, 0, 0);
	q = wq(&w, "www.example.com", 1);
	wptr(&w, "", q);
	rr_a(&w, 300, 0x0a000001);
	w.b[5] = 1;
	assert_int_equal(run(&w, "example.com", &out), RV_OK);
	assert_int_equal(ngot, 1);
	memset(&src, 0, sizeof(src));
	src.zone = bad;
	src.zone_len = sizeof(bad);
	assert_int_equal(rv_msg_records(&msg, &src, collect, NULL, &out),
	    RV_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compression),
		cmocka_unit_test(test_pointer_loops),
		cmocka_unit_test(test_bad_rdata),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_nxdomain),
		cmocka_unit_test(test_nodata),
		cmocka_unit_test(test_referral_glue),
		cmocka_unit_test(test_zone_unknown),
		cmocka_unit_test(test_poison_answer),
		cmocka_unit_test(test_cname_across_zones),
		cmocka_unit_test(test_cname_nodata),
		cmocka_unit_test(test_rrsig_grouping),
		cmocka_unit_test(test_dname),
		cmocka_unit_test(test_ds_referral),
		cmocka_unit_test(test_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
