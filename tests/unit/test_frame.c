/**
 * \file test_frame.c
 * The frame codec: round trips, every truncation, corrupted lengths and
 * fields, and an encoder that never half-writes a record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "frame_sample.h"
#include "rv_err.h"
#include "rv_frame.h"

static uint8_t frame[4096];
static size_t flen;

static int
setup(void **state)
{
	(void)state;
	flen = sample_frame(frame, sizeof(frame));
	return flen ? 0 : -1;
}

static void
assert_same(const struct rv_record *a, const struct rv_record *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->section, b->section);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->rcode, b->rcode);
	assert_int_equal(a->time, b->time);
	assert_int_equal(a->server.family, b->server.family);
	assert_memory_equal(a->server.addr, b->server.addr, 16);
	assert_int_equal(a->port, b->port);
	assert_int_equal(a->qtype, b->qtype);
	assert_int_equal(a->qclass, b->qclass);
	assert_int_equal(a->qname_len, b->qname_len);
	assert_memory_equal(a->qname, b->qname, a->qname_len);
	assert_int_equal(a->zone_len, b->zone_len);
	assert_memory_equal(a->zone, b->zone, a->zone_len);
	assert_int_equal(a->owner_len, b->owner_len);
	assert_memory_equal(a->owner, b->owner, a->owner_len);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->rclass, b->rclass);
	assert_int_equal(a->ttl, b->ttl);
	assert_int_equal(a->rdcount, b->rdcount);
	assert_int_equal(a->rdata_len, b->rdata_len);
	if (a->rdata_len)
		assert_memory_equal(a->rdata, b->rdata, a->rdata_len);
}

static void
test_roundtrip(void **state)
{
	struct rv_frame_hdr h;
	struct rv_record got, want;
	size_t off;

	(void)state;
	assert_int_equal(rv_frame_validate(frame, flen, &h), RV_OK);
	assert_int_equal(h.count, SAMPLE_RECORDS);
	assert_int_equal(h.sensor_len, 9);
	assert_memory_equal(h.sensor, "corp-dns1", 9);
	assert_int_equal(rv_frame_decode_header(frame, flen, &h, &off), 0);
	for (int i = 0; i < SAMPLE_RECORDS; i++) {
		size_t start = off;
		assert_int_equal(rv_frame_decode_record(frame, flen, &off,
		    &got), RV_OK);
		sample_record(i, &want);
		assert_same(&got, &want);
		assert_int_equal(off - start, rv_record_size(&want));
	}
	assert_int_equal(off, flen);
}

static void
test_rdata_iteration(void **state)
{
	struct rv_record r;
	const uint8_t *rd;
	uint16_t l;
	size_t off = 0;

	(void)state;
	sample_record(0, &r);
	assert_int_equal(rv_record_next_rdata(&r, &off, &rd, &l), RV_OK);
	assert_int_equal(l, 4);
	assert_memory_equal(rd, "\xc0\x00\x02\x01", 4);
	assert_int_equal(rv_record_next_rdata(&r, &off, &rd, &l), RV_OK);
	assert_memory_equal(rd, "\xc0\x00\x02\x02", 4);
	assert_int_equal(rv_record_next_rdata(&r, &off, &rd, &l), RV_ENOENT);
}

/* Every proper prefix of a valid frame is rejected, never read past. */
static void
test_every_truncation(void **state)
{
	struct rv_frame_hdr h;

	(void)state;
	for (size_t n = 0; n < flen; n++) {
		/* A heap copy of exactly n octets, so ASan sees overreads. */
		uint8_t *cut = malloc(n ? n : 1);
		assert_non_null(cut);
		memcpy(cut, frame, n);
		int rc = rv_frame_validate(cut, n, &h);
		assert_true(rc == RV_ETRUNC || rc == RV_EFORMAT);
		free(cut);
	}
}

/* Every 4-octet and 2-octet field overwritten with hostile lengths. */
static void
test_corrupted_lengths(void **state)
{
	static const uint32_t vals[] = { 0, 1, 2, 3, 0x7f, 0xff, 0x100,
	    0xffff, 0x10000, 0x7fffffff, 0xffffffff };
	struct rv_frame_hdr h;

	(void)state;
	for (size_t pos = 0; pos + 1 < flen; pos++) {
		for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			for (int width = 1; width <= 4; width *= 2) {
				uint8_t *c = malloc(flen);
				assert_non_null(c);
				memcpy(c, frame, flen);
				for (int k = 0; k < width && pos + (size_t)k < flen; k++)
					c[pos + (size_t)k] = (uint8_t)(vals[v] >>
					    (8 * (width - 1 - k)));
				/* Any outcome but a crash or an overread. */
				(void)rv_frame_validate(c, flen, &h);
				free(c);
			}
		}
	}
}

static void
test_header_errors(void **state)
{
	struct rv_frame_hdr h;
	uint8_t c[4096];

	(void)state;
	memcpy(c, frame, flen);
	c[0] = 'X';
	assert_int_equal(rv_frame_validate(c, flen, &h), RV_EFORMAT);
	memcpy(c, frame, flen);
	c[4] = 3;
	assert_int_equal(rv_frame_validate(c, flen, &h), RV_EVERSION);
	c[4] = 0;
	assert_int_equal(rv_frame_validate(c, flen, &h), RV_EVERSION);
	memcpy(c, frame, flen);
	c[6] = 0;	/* empty sensor */
	assert_int_equal(rv_frame_validate(c, flen, &h), RV_EFORMAT);
	memcpy(c, frame, flen);
	c[RV_FRAME_HDR_MIN] = ' ';	/* sensor with a space */
	assert_int_equal(rv_frame_validate(c, flen, &h), RV_EFORMAT);
	memcpy(c, frame, flen);
	c[11] = SAMPLE_RECORDS + 1;	/* count says more than there is */
	assert_int_equal(rv_frame_validate(c, flen, &h), RV_ETRUNC);
	memcpy(c, frame, flen);
	c[11] = SAMPLE_RECORDS - 1;	/* trailing record not counted */
	assert_int_equal(rv_frame_validate(c, flen, &h), RV_EFORMAT);
	memcpy(c, frame, flen);
	c[flen] = 0;	/* trailing garbage */
	assert_int_equal(rv_frame_validate(c, flen + 1, &h), RV_EFORMAT);
}

/* Version 2 carries the stream position; version 1 (the same frame without
 * octets 12..51) still decodes, unsequenced, with the same records. */
static void
test_sequence_fields(void **state)
{
	const struct rv_frame_seq sq = { 0x0123456789abcdefULL,
	    0xfedcba9876543210ULL, { 7, 1ULL << 40, UINT64_MAX } };
	struct rv_frame_enc enc;
	struct rv_frame_hdr h;
	struct rv_record r, r1;
	uint8_t c[4096], v1[4096];
	size_t off, off1;

	(void)state;
	memcpy(c, frame, flen);
	assert_int_equal(rv_frame_validate(c, flen, &h), RV_OK);
	assert_int_equal(h.version, 2);
	assert_true(h.seq.boot == 0 && h.seq.seq == 0);	/* not stamped */
	enc.buf = c;
	enc.cap = sizeof(c);
	enc.len = flen;
	rv_frame_stamp(&enc, &sq);
	assert_int_equal(rv_frame_validate(c, flen, &h), RV_OK);
	assert_true(h.seq.boot == sq.boot && h.seq.seq == sq.seq);
	assert_true(h.seq.drops.queue_full == 7);
	assert_true(h.seq.drops.send == 1ULL << 40);
	assert_true(h.seq.drops.toobig == UINT64_MAX);
	assert_int_equal(h.count, SAMPLE_RECORDS);
	/* Every cut inside the header is a truncation, never a read past. */
	for (size_t cut = 0; cut < RV_FRAME_HDR_MIN + h.sensor_len; cut++)
		assert_int_equal(rv_frame_decode_header(c, cut, &h, &off),
		    RV_ETRUNC);

	memcpy(v1, c, 12);
	memcpy(v1 + 12, c + RV_FRAME_HDR_MIN, flen - RV_FRAME_HDR_MIN);
	v1[4] = RV_FRAME_VERSION_1;
	assert_int_equal(rv_frame_validate(v1, flen - 40, &h), RV_OK);
	assert_int_equal(h.version, 1);
	assert_true(h.seq.boot == 0 && h.seq.seq == 0 &&
	    h.seq.drops.toobig == 0);
	assert_int_equal(h.count, SAMPLE_RECORDS);
	assert_int_equal(rv_frame_decode_header(v1, flen - 40, &h, &off1), 0);
	assert_int_equal(rv_frame_decode_header(c, flen, &h, &off), 0);
	assert_int_equal(off1 + 40, off);
	assert_int_equal(rv_frame_decode_record(c, flen, &off, &r), 0);
	assert_int_equal(rv_frame_decode_record(v1, flen - 40, &off1, &r1), 0);
	assert_int_equal(r.owner_len, r1.owner_len);
	assert_memory_equal(r.owner, r1.owner, r.owner_len);
	assert_int_equal(r.rdata_len, r1.rdata_len);
}

static void
test_record_field_errors(void **state)
{
	struct rv_frame_enc enc;
	struct rv_record r;
	struct rv_frame_hdr h;
	uint8_t buf[1024];
	size_t len;

	(void)state;
	/* kind, section, flags, rcode, family out of range */
	for (int t = 0; t < 7; t++) {
		sample_record(0, &r);
		switch (t) {
		case 0: r.kind = 3; break;
		case 1: r.section = 4; break;
		case 2: r.flags = 0x80; break;
		case 3: r.rcode = 16; break;
		case 4: r.section = RV_SEC_NONE; break;	/* RRset w/o section */
		case 5: r.rdcount = 3; break;	/* count disagrees */
		case 6: r.rdcount = 1; break;	/* block longer than count */
		}
		assert_int_equal(rv_frame_begin(&enc, buf, sizeof(buf), "s",
		    1), RV_OK);
		assert_int_equal(rv_frame_add(&enc, &r), RV_OK);
		len = rv_frame_finish(&enc);
		assert_int_not_equal(rv_frame_validate(buf, len, &h), RV_OK);
	}
	/* a negative record with rdata */
	sample_record(3, &r);
	sample_record(0, &r);
	r.kind = RV_REC_NEGATIVE;
	r.section = RV_SEC_NONE;
	assert_int_equal(rv_frame_begin(&enc, buf, sizeof(buf), "s", 1), 0);
	assert_int_equal(rv_frame_add(&enc, &r), RV_OK);
	len = rv_frame_finish(&enc);
	assert_int_equal(rv_frame_validate(buf, len, &h), RV_EFORMAT);
	/* a compressed owner name */
	sample_record(0, &r);
	static const uint8_t ptr[] = { 3, 'w', 'w', 'w', 0xc0, 12 };
	r.owner = ptr;
	r.owner_len = sizeof(ptr);
	assert_int_equal(rv_frame_begin(&enc, buf, sizeof(buf), "s", 1), 0);
	assert_int_equal(rv_frame_add(&enc, &r), RV_OK);
	len = rv_frame_finish(&enc);
	assert_int_equal(rv_frame_validate(buf, len, &h), RV_EFORMAT);
}

/* A record that does not fit leaves the frame as it was. */
static void
test_encoder_full(void **state)
{
	struct rv_frame_enc enc;
	struct rv_record r;
	struct rv_frame_hdr h;
	uint8_t buf[128], copy[128];
	size_t len, before;

	(void)state;
	assert_int_equal(rv_frame_begin(&enc, buf, 10, "s", 1), RV_ETOOBIG);
	assert_int_equal(rv_frame_begin(&enc, buf, sizeof(buf), "", 0),
	    RV_EINVAL);
	assert_int_equal(rv_frame_begin(&enc, buf, sizeof(buf), "s", 1), 0);
	sample_record(3, &r);
	while (rv_frame_add(&enc, &r) == RV_OK)
		;
	before = enc.len;
	memcpy(copy, buf, sizeof(buf));
	assert_int_equal(rv_frame_add(&enc, &r), RV_ETOOBIG);
	assert_int_equal(enc.len, before);
	assert_memory_equal(copy, buf, sizeof(buf));
	len = rv_frame_finish(&enc);
	assert_int_equal(rv_frame_validate(buf, len, &h), RV_OK);
	assert_int_equal(h.count, enc.count);
}

/* rv_record_encode + rv_frame_add_raw equals rv_frame_add. */
static void
test_raw_records(void **state)
{
	struct rv_frame_enc enc;
	struct rv_record r;
	uint8_t buf[4096], one[512];
	size_t n, len;

	(void)state;
	assert_int_equal(rv_frame_begin(&enc, buf, sizeof(buf), "corp-dns1",
	    9), RV_OK);
	for (int i = 0; i < SAMPLE_RECORDS; i++) {
		sample_record(i, &r);
		assert_int_equal(rv_record_encode(&r, one, sizeof(one), &n), 0);
		assert_int_equal(n, rv_record_size(&r));
		assert_int_equal(rv_frame_add_raw(&enc, one, n), RV_OK);
	}
	len = rv_frame_finish(&enc);
	assert_int_equal(len, flen);
	assert_memory_equal(buf, frame, flen);
	assert_int_equal(rv_record_encode(&r, one, 3, &n), RV_ETOOBIG);
}

/* An RRset over 64 KiB (many rdata) encodes and decodes. */
static void
test_large_rrset(void **state)
{
	enum { N = 20000 };
	struct rv_frame_enc enc;
	struct rv_frame_hdr h;
	struct rv_record r, got;
	uint8_t *rd = malloc(N * 6), *buf = malloc(N * 6 + 1024);
	size_t off;

	(void)state;
	assert_non_null(rd);
	assert_non_null(buf);
	for (int i = 0; i < N; i++) {
		uint8_t *p = rd + i * 6;
		p[0] = 0; p[1] = 4; p[2] = 10; p[3] = (uint8_t)(i >> 16);
		p[4] = (uint8_t)(i >> 8); p[5] = (uint8_t)i;
	}
	sample_record(0, &r);
	r.rdcount = N;
	r.rdata = rd;
	r.rdata_len = N * 6;
	assert_int_equal(rv_frame_begin(&enc, buf, N * 6 + 1024, "s", 1), 0);
	assert_int_equal(rv_frame_add(&enc, &r), RV_OK);
	size_t len = rv_frame_finish(&enc);
	assert_true(len > 65536);
	assert_int_equal(rv_frame_validate(buf, len, &h), RV_OK);
	assert_int_equal(rv_frame_decode_header(buf, len, &h, &off), 0);
	assert_int_equal(rv_frame_decode_record(buf, len, &off, &got), 0);
	assert_int_equal(got.rdcount, N);
	free(rd);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_rdata_iteration),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_corrupted_lengths),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_sequence_fields),
		cmocka_unit_test(test_record_field_errors),
		cmocka_unit_test(test_encoder_full),
		cmocka_unit_test(test_raw_records),
		cmocka_unit_test(test_large_rrset),
	};
	return cmocka_run_group_tests_name("frame", tests, setup, NULL);
}
