/**
 * \file fuzz_msg.c
 * libFuzzer target: the DNS message parser and the scrubber (rv_msg.c)
 * take any octets without crashing or reading out of bounds. Input: one
 * octet N, then N octets of query_zone (N = 0: zone unknown; N = 255: the
 * root), then the message. Every record produced must encode and decode
 * back through the frame codec, and every parsed RR's canonical rdata
 * must lie in its RRset's packed block.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rv_frame.h"
#include "rv_msg.h"
#include "rv_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rv_msg msg;

static int
check(void *arg, const struct rv_record *rec)
{
	static uint8_t enc[RV_MSG_DATA_MAX + 4096];
	struct rv_record back;
	size_t len, off = 0, rdoff = 0, n = 0;
	const uint8_t *rd;
	uint16_t rl;

	(void)arg;
	if (rv_record_encode(rec, enc, sizeof(enc), &len) != 0)
		abort();
	if (rv_frame_decode_record(enc, len, &off, &back) != 0 || off != len)
		abort();
	if (back.rdcount != rec->rdcount || back.type != rec->type ||
	    back.rdata_len != rec->rdata_len ||
	    !rv_name_eq(back.owner, back.owner_len, rec->owner,
	    rec->owner_len))
		abort();
	while (rv_record_next_rdata(rec, &rdoff, &rd, &rl) == 0)
		n++;
	if (n != rec->rdcount || rdoff != rec->rdata_len)
		abort();
	/* Every third record refused, to walk that path too. */
	return rec->rdata_len % 3 == 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rv_msg_src src;
	struct rv_msg_out out;
	uint8_t root = 0;
	size_t zl;

	if (size < 1)
		return 0;
	zl = data[0];
	memset(&src, 0, sizeof(src));
	if (zl == 255) {
		src.zone = &root;
		src.zone_len = 1;
		zl = 0;
	} else if (zl > 0) {
		if (size - 1 < zl)
			return 0;
		src.zone = data + 1;
		src.zone_len = zl;
	}
	src.flags = RV_RF_TCP;
	src.time = 1700000000;
	if (rv_msg_parse(&msg, data + 1 + zl, size - 1 - zl) != 0) {
		if (msg.nrr != 0 || msg.nset != 0)
			abort();
		return 0;
	}
	for (size_t i = 0; i < msg.nrr; i++) {
		const struct rv_msg_rr *r = &msg.rr[i];

		if (r->rdlen && (r->rdata < msg.data ||
		    r->rdata + r->rdlen > msg.data + msg.data_len))
			abort();
		if (r->set != RV_MSG_NOSET && r->set >= msg.nset)
			abort();
	}
	(void)rv_msg_records(&msg, &src, check, NULL, &out);
	/* And with the zone unknown. */
	src.zone = NULL;
	src.zone_len = 0;
	(void)rv_msg_records(&msg, &src, check, NULL, &out);
	return 0;
}
