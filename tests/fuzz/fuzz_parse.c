/**
 * \file fuzz_parse.c
 * libFuzzer target: the text parsers analysts and config files feed:
 * names, IP ranges, times, durations, and rdata in presentation form. The
 * first octet picks the parser; the rest is the NUL-terminated text.
 * Whatever parses must print and parse back to the same value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rv_ip.h"
#include "rv_name.h"
#include "rv_rdata.h"
#include "rv_time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
names(const char *s)
{
	uint8_t w[RV_NAME_MAX], w2[RV_NAME_MAX], k[RV_NAME_KEY_MAX];
	char out[RV_NAME_STR_MAX];
	size_t wl, wl2, kl;

	if (rv_name_from_str(s, w, &wl) != 0)
		return;
	if (rv_name_to_str(w, wl, out, sizeof(out)) != 0 ||
	    rv_name_from_str(out, w2, &wl2) != 0 || wl2 != wl ||
	    memcmp(w, w2, wl) != 0)
		abort();
	rv_name_canon(w, wl);
	if (rv_name_key(w, wl, k, &kl) != 0 ||
	    rv_name_from_key(k, kl, w2, &wl2) != 0 || wl2 != wl ||
	    memcmp(w, w2, wl) != 0)
		abort();
	if (rv_name_key_fwd(w, wl, k, &kl) != 0)
		abort();
}

static void
ranges(const char *s)
{
	struct rv_iprange r;

	if (rv_range_parse(s, &r) != 0)
		return;
	if (memcmp(r.lo, r.hi, rv_ip_len(r.family)) > 0)
		abort();
}

static void
times(const char *s)
{
	int64_t t, d;
	char out[RV_TIME_STR_MAX];

	if (rv_time_parse(s, 1800000000, &t) == 0)
		(void)rv_time_format(t, 1, out, sizeof(out));
	(void)rv_duration_parse(s, &d);
}

static void
rdata(uint16_t type, const char *s)
{
	uint8_t rd[4096];
	size_t len = sizeof(rd);
	char *out = malloc(65536);

	if (out && rv_rdata_from_str(type, s, rd, &len) == 0)
		(void)rv_rdata_to_str(type, rd, len, out, 65536);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 3 || size > 4096)
		return 0;
	if (!(s = malloc(size - 2)))
		return 0;
	memcpy(s, data + 3, size - 3);
	s[size - 3] = '\0';
	switch (data[0] % 4) {
	case 0: names(s); break;
	case 1: ranges(s); break;
	case 2: times(s); break;
	default: rdata((uint16_t)(data[1] << 8 | data[2]), s); break;
	}
	free(s);
	return 0;
}
