/**
 * \file frame_sample.c
 * Sample records: an A RRset from an answer with IPv4 server, an NS
 * referral from the authority section, AAAA glue with an IPv6 server, and
 * an NXDOMAIN.
 */
#include "frame_sample.h"

#include <string.h>

static const uint8_t n_www[] = "\x03www\x07" "example\x03" "com";	/* + NUL */
static const uint8_t n_ex[] = "\x07" "example\x03" "com";
static const uint8_t n_com[] = "\x03" "com";
static const uint8_t n_ns1[] = "\x03ns1\x07" "example\x03" "com";
static const uint8_t n_nx[] = "\x06nosuch\x07" "example\x03" "com";
static const uint8_t rd_a[] = { 0, 4, 192, 0, 2, 1, 0, 4, 192, 0, 2, 2 };
static const uint8_t rd_ns[] = { 0, 17, 3, 'n', 's', '1', 7, 'e', 'x', 'a',
    'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
static const uint8_t rd_aaaa[] = { 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0x53 };

void
sample_record(int i, struct rv_record *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = RV_REC_RRSET;
	r->time = 1563392520 + i;
	r->qtype = 1;
	r->qclass = 1;
	r->rclass = 1;
	r->ttl = 300;
	r->qname = n_www;
	r->qname_len = sizeof(n_www);
	switch (i) {
	case 0:
		r->section = RV_SEC_ANSWER;
		r->flags = RV_RF_AA;
		r->server.family = 4;
		memcpy(r->server.addr, "\x7f\x00\x00\x0b", 4);
		r->port = 53;
		r->zone = n_ex;
		r->zone_len = sizeof(n_ex);
		r->owner = n_www;
		r->owner_len = sizeof(n_www);
		r->type = 1;
		r->rdcount = 2;
		r->rdata = rd_a;
		r->rdata_len = sizeof(rd_a);
		break;
	case 1:
		r->section = RV_SEC_AUTHORITY;
		r->server.family = 4;
		memcpy(r->server.addr, "\x7f\x00\x00\x0a", 4);
		r->port = 53;
		r->zone = n_com;
		r->zone_len = sizeof(n_com);
		r->owner = n_ex;
		r->owner_len = sizeof(n_ex);
		r->type = 2;
		r->ttl = 172800;
		r->rdcount = 1;
		r->rdata = rd_ns;
		r->rdata_len = sizeof(rd_ns);
		break;
	case 2:
		r->section = RV_SEC_ADDITIONAL;
		r->flags = RV_RF_TCP;
		r->server.family = 6;
		r->server.addr[15] = 1;
		r->port = 53;
		r->zone = n_com;
		r->zone_len = sizeof(n_com);
		r->owner = n_ns1;
		r->owner_len = sizeof(n_ns1);
		r->type = 28;
		r->rdcount = 1;
		r->rdata = rd_aaaa;
		r->rdata_len = sizeof(rd_aaaa);
		break;
	default:
		r->kind = RV_REC_NEGATIVE;
		r->section = RV_SEC_NONE;
		r->flags = RV_RF_AA;
		r->rcode = 3;
		r->qname = n_nx;
		r->qname_len = sizeof(n_nx);
		r->zone = n_ex;
		r->zone_len = sizeof(n_ex);
		r->owner = n_nx;
		r->owner_len = sizeof(n_nx);
		r->type = 1;
		r->ttl = 3600;
		break;
	}
}

size_t
sample_frame(uint8_t *buf, size_t cap)
{
	struct rv_frame_enc enc;
	struct rv_record r;

	if (rv_frame_begin(&enc, buf, cap, "corp-dns1", 9) != 0)
		return 0;
	for (int i = 0; i < SAMPLE_RECORDS; i++) {
		sample_record(i, &r);
		if (rv_frame_add(&enc, &r) != 0)
			return 0;
	}
	return rv_frame_finish(&enc);
}
