/**
 * \file fuzz_dnstap.c
 * libFuzzer target for rearviewd's dnstap decoder
 * (indexer/dnstap_decode.c): any octets as a Frame Streams data frame
 * must be kept, dropped or refused, never crash; a kept message's
 * pointers lie inside the decoder's arena with lengths that fit, its
 * address fits its family, and only the two upstream response types are
 * kept.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dnstap_decode.h"
#include "rv_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(const struct rvd_dnstap_dec *d, const uint8_t *p, size_t n)
{
	if (!p) {
		if (n)
			abort();
		return;
	}
	if (p < d->arena || n > d->used || p > d->arena + d->used - n)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rvd_dnstap_dec d;
	static int init;
	struct rvd_dnstap_msg m;
	uint64_t before;
	int rc;

	if (!init) {
		if (rvd_dnstap_dec_init(&d, 1 << 20) != RV_OK)
			abort();
		init = 1;
	}
	before = d.st.frames;
	rc = rvd_dnstap_decode(&d, data, size, &m);
	if (d.st.frames != before + 1)
		abort();
	if (rc == RV_OK) {
		if (m.type != 4 && m.type != 8)
			abort();
		if (m.family != 0 && m.family != AF_INET && m.family != AF_INET6)
			abort();
		if (m.response_len == 0 || m.query_zone_len > 255 ||
		    m.time_nsec >= 1000000000u)
			abort();
		inside(&d, m.response, m.response_len);
		inside(&d, m.identity, m.identity_len);
		inside(&d, m.query_zone, m.query_zone_len);
	} else if (rc != RV_ENOENT && rc != RV_EFORMAT && rc != RV_ETOOBIG) {
		abort();
	}
	if (d.used > d.limit || d.limit > 2 * size + (64 << 10))
		abort();
	return 0;
}
