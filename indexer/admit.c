/**
 * \file admit.c
 * The size limit in front of the frame decoder, and the counters of
 * dropped frames (why rearviewd and not nng enforces --max-frame: admit.h).
 */
#include "admit.h"
#include "rv_err.h"

size_t
admit_nng_limit(size_t max_frame)
{
	size_t twice = max_frame > ADMIT_NNG_MAX / 2 ? ADMIT_NNG_MAX :
	    2 * max_frame;

	return twice < ADMIT_NNG_FLOOR ? ADMIT_NNG_FLOOR : twice;
}

int
admit_frame(const uint8_t *buf, size_t len, size_t max_frame,
    struct rv_frame_hdr *hdr)
{
	if (len > max_frame)
		return RV_ETOOBIG;
	return rv_frame_validate(buf, len, hdr);
}

void
admit_count_reject(struct agg *a, size_t len, size_t max_frame)
{
	a->frames_rejected++;
	if (len > max_frame)
		a->frames_oversize++;
}
