/**
 * \file fuzz_frame.c
 * libFuzzer target: the frame decoder must reject any malformed input with
 * an error code and never read out of bounds. For frames it accepts, every
 * record is walked again, its rdata iterated and re-encoded byte for byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rv_frame.h"
#include "rv_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rv_frame_hdr h;
	struct rv_record r;
	size_t off;

	if (rv_frame_validate(data, size, &h) != 0)
		return 0;
	if (rv_frame_decode_header(data, size, &h, &off) != 0)
		abort();	/* validate accepted it */
	for (uint32_t i = 0; i < h.count; i++) {
		size_t start = off, rdoff = 0, n;
		const uint8_t *rd;
		uint16_t rl;
		uint8_t key[RV_NAME_KEY_MAX];
		uint8_t *copy;

		if (rv_frame_decode_record(data, size, &off, &r) != 0)
			abort();
		while (rv_record_next_rdata(&r, &rdoff, &rd, &rl) == 0)
			;
		if (rv_name_key(r.owner, r.owner_len, key, &n) != 0 &&
		    r.owner_len <= 255)
			(void)0;	/* keys may not fit: that is allowed */
		copy = malloc(off - start);
		if (!copy)
			abort();
		if (rv_record_encode(&r, copy, off - start, &n) != 0 ||
		    n != off - start || memcmp(copy, data + start, n) != 0)
			abort();	/* decode/encode must be inverse */
		free(copy);
	}
	return 0;
}
