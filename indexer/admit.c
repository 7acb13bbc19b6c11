/**
 * \file admit.c
 * The size limit in front of the frame decoder, and the counters of
 * dropped frames (why rearviewd and not nng enforces --max-frame: admit.h).
 */
#include "admit.h"
#include "rv_err.h"

size_t
rvd_admit_nng_limit(size_t max_frame)
{
	size_t twice = max_frame > RVD_ADMIT_NNG_MAX / 2 ? RVD_ADMIT_NNG_MAX :
	    2 * max_frame;

	return twice < RVD_ADMIT_NNG_FLOOR ? RVD_ADMIT_NNG_FLOOR : twice;
}

int
rvd_admit_frame(const uint8_t *buf, size_t len, size_t max_frame,
    struct rv_frame_hdr *hdr)
{
	if (len > max_frame)
		return RV_ETOOBIG;
	return rv_frame_validate(buf, len, hdr);
}

void
rvd_admit_count_reject(struct rvd_agg *a, size_t len, size_t max_frame)
{
	a->frames_rejected++;
	if (len > max_frame)
		a->frames_oversize++;
}
