/**
 * \file fuzz_dnstap.c
 * libFuzzer target for rearviewd's dnstap input: any octets as a Frame
 * Streams data frame must be kept, dropped or refused by the decoder
 * (indexer/dnstap_decode.c), never crash; a kept message's pointers lie
 * inside the decoder's arena with lengths that fit, its address fits its
 * family, and only the two upstream response types are kept. A kept
 * message then goes through the records hook as the capture import
 * drives it (indexer/dnstap_records.c: retry filter, DNS parse and
 * scrubber, records encoded into a batch frame merged into an
 * aggregation table): every response is counted once, as taken or as a
 * retry or refusal, and the table stays bounded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "agg.h"
#include "dnstap_decode.h"
#include "dnstap_records.h"
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

/* The kept message through the records hook; each response counts once:
 * as taken (responses), as a retry, or as refused (malformed). */
static void
records(struct rvd_dnstap_rec *rec, struct rvd_agg *a,
    const struct rvd_dnstap_msg *m)
{
	const struct rvd_dnstap_rec_stats *st = rvd_dnstap_rec_stats(rec);
	uint64_t before = st->responses + st->retries + st->malformed;
	struct rv_msg_src src;
	int rc = rvd_dnstap_prepare(rec, m, "fuzz", 4, &src);

	if (rc == RV_OK)
		(void)rvd_dnstap_emit(rec, 0, &src);
	else if (rc != RV_EEXIST && rc != RV_EFORMAT && rc != RV_ETRUNC &&
	    rc != RV_ETOOBIG && rc != RV_EINVAL)
		abort();
	if (st->responses + st->retries + st->malformed != before + 1)
		abort();
	if (rvd_dnstap_flush(rec) != RV_OK)
		abort();
	if (a->n > 200000 || rvd_agg_mem(a) > ((size_t)256 << 20))
		rvd_agg_reset(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rvd_dnstap_dec d;
	static struct rvd_agg a;
	static struct rvd_dnstap_rec *rec;
	static int init;
	struct rvd_dnstap_msg m;
	uint64_t before;
	int rc;

	if (!init) {
		if (rvd_dnstap_dec_init(&d, 1 << 20) != RV_OK ||
		    rvd_agg_init(&a) != RV_OK ||
		    rvd_dnstap_rec_new(NULL, &a, &rec) != RV_OK)
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
		records(rec, &a, &m);
	} else if (rc != RV_ENOENT && rc != RV_EFORMAT && rc != RV_ETOOBIG) {
		abort();
	}
	if (d.used > d.limit || d.limit > 2 * size + (64 << 10))
		abort();
	return 0;
}
