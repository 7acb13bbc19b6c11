/**
 * \file rv_frame.c
 * Frame encoder and decoder. The layout is in lib/FRAME.md.
 */
#include "rv_frame.h"

#include <string.h>

#include "rv_be.h"
#include "rv_err.h"
#include "rv_name.h"

/* A cursor over [p, end): every read checks the bound first. */
struct cur {
	const uint8_t *p, *end;
};

static int
need(struct cur *c, size_t n)
{
	return (size_t)(c->end - c->p) >= n ? RV_OK : RV_ETRUNC;
}

static int
rd_name(struct cur *c, const uint8_t **name, size_t *len)
{
	int rc = rv_name_wire_len(c->p, (size_t)(c->end - c->p), len);

	if (rc != RV_OK)
		return rc == RV_ETRUNC ? RV_ETRUNC : RV_EFORMAT;
	*name = c->p;
	c->p += *len;
	return RV_OK;
}

/* --- decoding ---------------------------------------------------------- */

int
rv_frame_decode_header(const uint8_t *buf, size_t len,
    struct rv_frame_hdr *hdr, size_t *off)
{
	size_t hlen;

	if (len < RV_FRAME_HDR_V1)
		return RV_ETRUNC;
	if (rv_get32(buf) != RV_FRAME_MAGIC)
		return RV_EFORMAT;
	if (buf[4] == RV_FRAME_VERSION)
		hlen = RV_FRAME_HDR_MIN;
	else if (buf[4] == RV_FRAME_VERSION_1)
		hlen = RV_FRAME_HDR_V1;
	else
		return RV_EVERSION;
	if (len < hlen)
		return RV_ETRUNC;
	hdr->version = buf[4];
	hdr->flags = buf[5];
	hdr->sensor_len = buf[6];
	if (hdr->flags != 0 || buf[7] != 0 || hdr->sensor_len == 0 ||
	    hdr->sensor_len > RV_SENSOR_MAX)
		return RV_EFORMAT;
	hdr->count = rv_get32(buf + 8);
	memset(&hdr->seq, 0, sizeof(hdr->seq));
	if (hlen == RV_FRAME_HDR_MIN) {
		hdr->seq.boot = rv_get64(buf + 12);
		hdr->seq.seq = rv_get64(buf + 20);
		hdr->seq.drops.queue_full = rv_get64(buf + 28);
		hdr->seq.drops.send = rv_get64(buf + 36);
		hdr->seq.drops.toobig = rv_get64(buf + 44);
	}
	if (len - hlen < hdr->sensor_len)
		return RV_ETRUNC;
	hdr->sensor = buf + hlen;
	for (size_t i = 0; i < hdr->sensor_len; i++)
		if (hdr->sensor[i] < 0x21 || hdr->sensor[i] > 0x7e)
			return RV_EFORMAT;
	*off = hlen + hdr->sensor_len;
	return RV_OK;
}

int
rv_frame_decode_record(const uint8_t *buf, size_t len, size_t *off,
    struct rv_record *rec)
{
	struct cur c;
	uint32_t rlen;
	size_t alen, blk;
	int rc;

	if (*off > len || len - *off < 4)
		return RV_ETRUNC;
	rlen = rv_get32(buf + *off);
	if (len - *off - 4 < rlen)
		return RV_ETRUNC;
	c.p = buf + *off + 4;
	c.end = c.p + rlen;
	memset(rec, 0, sizeof(*rec));

	if ((rc = need(&c, 13)) != RV_OK)
		return rc;
	rec->kind = c.p[0];
	rec->section = c.p[1];
	rec->flags = c.p[2];
	rec->rcode = c.p[3];
	rec->time = (int64_t)((uint64_t)rv_get32(c.p + 4) << 32 | rv_get32(c.p + 8));
	rec->server.family = c.p[12];
	c.p += 13;
	if (rec->kind != RV_REC_RRSET && rec->kind != RV_REC_NEGATIVE)
		return RV_EFORMAT;
	if (rec->section > RV_SEC_ADDITIONAL || (rec->flags & ~RV_RF_ALL) ||
	    rec->rcode > 15)
		return RV_EFORMAT;
	if ((rec->kind == RV_REC_NEGATIVE) != (rec->section == RV_SEC_NONE))
		return RV_EFORMAT;
	if (rec->server.family != 0 && rec->server.family != 4 &&
	    rec->server.family != 6)
		return RV_EFORMAT;
	alen = rv_ip_len(rec->server.family);
	if ((rc = need(&c, alen + 6)) != RV_OK)
		return rc;
	memcpy(rec->server.addr, c.p, alen);
	c.p += alen;
	rec->port = rv_get16(c.p);
	rec->qtype = rv_get16(c.p + 2);
	rec->qclass = rv_get16(c.p + 4);
	c.p += 6;
	if ((rc = rd_name(&c, &rec->qname, &rec->qname_len)) != RV_OK ||
	    (rc = rd_name(&c, &rec->zone, &rec->zone_len)) != RV_OK ||
	    (rc = rd_name(&c, &rec->owner, &rec->owner_len)) != RV_OK)
		return rc;
	if ((rc = need(&c, 10)) != RV_OK)
		return rc;
	rec->type = rv_get16(c.p);
	rec->rclass = rv_get16(c.p + 2);
	rec->ttl = rv_get32(c.p + 4);
	rec->rdcount = rv_get16(c.p + 8);
	c.p += 10;
	rec->rdata = c.p;
	rec->rdata_len = (size_t)(c.end - c.p);
	if (rec->kind == RV_REC_RRSET ? rec->rdcount == 0 : rec->rdcount != 0)
		return RV_EFORMAT;
	/* The rdata entries must fill the rest of the record exactly. */
	blk = 0;
	for (uint16_t i = 0; i < rec->rdcount; i++) {
		if (rec->rdata_len - blk < 2)
			return RV_ETRUNC;
		size_t l = rv_get16(rec->rdata + blk);
		if (rec->rdata_len - blk - 2 < l)
			return RV_ETRUNC;
		blk += 2 + l;
	}
	if (blk != rec->rdata_len)
		return RV_EFORMAT;
	*off += 4 + rlen;
	return RV_OK;
}

int
rv_frame_validate(const uint8_t *buf, size_t len, struct rv_frame_hdr *hdr)
{
	struct rv_record rec;
	size_t off;
	int rc;

	if ((rc = rv_frame_decode_header(buf, len, hdr, &off)) != RV_OK)
		return rc;
	for (uint32_t i = 0; i < hdr->count; i++)
		if ((rc = rv_frame_decode_record(buf, len, &off, &rec)) !=
		    RV_OK)
			return rc;
	return off == len ? RV_OK : RV_EFORMAT;
}

int
rv_record_next_rdata(const struct rv_record *rec, size_t *off,
    const uint8_t **rd, uint16_t *rdlen)
{
	if (*off + 2 > rec->rdata_len)
		return RV_ENOENT;
	*rdlen = rv_get16(rec->rdata + *off);
	if (*off + 2 + *rdlen > rec->rdata_len)
		return RV_ENOENT;
	*rd = rec->rdata + *off + 2;
	*off += 2 + (size_t)*rdlen;
	return RV_OK;
}

/* --- encoding ---------------------------------------------------------- */

int
rv_frame_begin(struct rv_frame_enc *enc, uint8_t *buf, size_t cap,
    const char *sensor, size_t sensor_len)
{
	if (sensor_len == 0 || sensor_len > RV_SENSOR_MAX)
		return RV_EINVAL;
	if (cap < RV_FRAME_HDR_MIN + sensor_len)
		return RV_ETOOBIG;
	enc->buf = buf;
	enc->cap = cap;
	enc->count = 0;
	rv_put32(buf, RV_FRAME_MAGIC);
	buf[4] = RV_FRAME_VERSION;
	buf[5] = 0;
	buf[6] = (uint8_t)sensor_len;
	buf[7] = 0;
	memset(buf + 8, 0, RV_FRAME_HDR_MIN - 8);
	memcpy(buf + RV_FRAME_HDR_MIN, sensor, sensor_len);
	enc->len = RV_FRAME_HDR_MIN + sensor_len;
	return RV_OK;
}

size_t
rv_record_size(const struct rv_record *rec)
{
	return 4 + 13 + rv_ip_len(rec->server.family) + 6 + rec->qname_len +
	    rec->zone_len + rec->owner_len + 10 + rec->rdata_len;
}

int
rv_record_encode(const struct rv_record *rec, uint8_t *out, size_t outsz,
    size_t *len)
{
	size_t n = rv_record_size(rec), alen = rv_ip_len(rec->server.family);
	uint8_t *p = out;

	if (n > outsz)
		return RV_ETOOBIG;
	if (n - 4 > UINT32_MAX)
		return RV_ETOOBIG;
	rv_put32(p, (uint32_t)(n - 4));
	p[4] = rec->kind;
	p[5] = rec->section;
	p[6] = rec->flags;
	p[7] = rec->rcode;
	rv_put32(p + 8, (uint32_t)((uint64_t)rec->time >> 32));
	rv_put32(p + 12, (uint32_t)rec->time);
	p[16] = rec->server.family;
	p += 17;
	memcpy(p, rec->server.addr, alen);
	p += alen;
	rv_put16(p, rec->port);
	rv_put16(p + 2, rec->qtype);
	rv_put16(p + 4, rec->qclass);
	p += 6;
	memcpy(p, rec->qname, rec->qname_len);
	p += rec->qname_len;
	memcpy(p, rec->zone, rec->zone_len);
	p += rec->zone_len;
	memcpy(p, rec->owner, rec->owner_len);
	p += rec->owner_len;
	rv_put16(p, rec->type);
	rv_put16(p + 2, rec->rclass);
	rv_put32(p + 4, rec->ttl);
	rv_put16(p + 8, rec->rdcount);
	p += 10;
	if (rec->rdata_len)
		memcpy(p, rec->rdata, rec->rdata_len);
	*len = n;
	return RV_OK;
}

int
rv_frame_add(struct rv_frame_enc *enc, const struct rv_record *rec)
{
	size_t n;
	int rc;

	if (enc->count == UINT32_MAX)
		return RV_ETOOBIG;
	rc = rv_record_encode(rec, enc->buf + enc->len, enc->cap - enc->len,
	    &n);
	if (rc != RV_OK)
		return rc;
	enc->len += n;
	enc->count++;
	return RV_OK;
}

int
rv_frame_add_raw(struct rv_frame_enc *enc, const uint8_t *rec, size_t len)
{
	if (len > enc->cap - enc->len || enc->count == UINT32_MAX)
		return RV_ETOOBIG;
	memcpy(enc->buf + enc->len, rec, len);
	enc->len += len;
	enc->count++;
	return RV_OK;
}

size_t
rv_frame_finish(struct rv_frame_enc *enc)
{
	rv_put32(enc->buf + 8, enc->count);
	return enc->len;
}

void
rv_frame_stamp(struct rv_frame_enc *enc, const struct rv_frame_seq *sq)
{
	rv_put64(enc->buf + 12, sq->boot);
	rv_put64(enc->buf + 20, sq->seq);
	rv_put64(enc->buf + 28, sq->drops.queue_full);
	rv_put64(enc->buf + 36, sq->drops.send);
	rv_put64(enc->buf + 44, sq->drops.toobig);
}
