/**
 * \file capture_bench.c
 * What the module's callback costs a worker thread per upstream response,
 * measured without Unbound: rvm_capture() over a typical scrubbed answer
 * (an A RRset of 2 with its RRSIG, the zone's NS set, 2 glue addresses)
 * into a real per-thread queue (rvm_queue_put), which a "sender" drains
 * between batches. Prints ns per response and per record; CPU time of the
 * producer side only, which is what a resolver thread pays.
 *
 *   capture_bench [RESPONSES]     (default 2000000)
 */
#include "ub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include "capture.h"
#include "conf.h"
#include "queue.h"
#include "rv_err.h"
#include "rv_name.h"
#include "rv_rdata.h"

/* One packed RRset from presentation rdata (sigs after the RRs). */
static struct ub_packed_rrset_key *
rrset(const char *owner, uint16_t type, const char *const *rd, size_t n,
    const char *sig)
{
	struct ub_packed_rrset_key *k = calloc(1, sizeof(*k));
	struct packed_rrset_data *d = calloc(1, sizeof(*d));
	size_t total = n + (sig != NULL), off = 0;
	uint8_t *block = malloc(total * 600);

	if (!k || !d || !block)
		exit(3);
	d->count = n;
	d->rrsig_count = sig != NULL;
	d->rr_len = calloc(total, sizeof(size_t));
	d->rr_ttl = calloc(total, sizeof(time_t));
	d->rr_data = calloc(total, sizeof(uint8_t *));
	for (size_t i = 0; i < total; i++) {
		size_t len = 598;

		if (rv_rdata_from_str(i < n ? type : 46, i < n ? rd[i] : sig,
		    block + off + 2, &len) != RV_OK)
			exit(3);
		block[off] = (uint8_t)(len >> 8);
		block[off + 1] = (uint8_t)len;
		d->rr_len[i] = len + 2;
		d->rr_ttl[i] = 3600;
		d->rr_data[i] = block + off;
		off += len + 2;
	}
	k->entry.data = d;
	k->rk.dname = malloc(RV_NAME_MAX);
	if (rv_name_from_str(owner, k->rk.dname, &k->rk.dname_len) != RV_OK)
		exit(3);
	k->rk.type = htons(type);
	k->rk.rrset_class = htons(1);
	return k;
}

static double
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int
emit(void *arg, const struct rv_record *rec)
{
	return rvm_queue_put(arg, rec) == RV_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static const char *const a[] = { "192.0.2.10", "192.0.2.11" };
	static const char *const ns[] = { "ns1.shop.example.",
	    "ns2.shop.example." };
	static const char *const g1[] = { "198.51.100.1" };
	static const char *const g2[] = { "198.51.100.2" };
	static const char *const sig = "A 13 3 3600 20301231000000 "
	    "20200101000000 12345 shop.example. dGVzdHNpZ25hdHVyZXRlc3RzaWdu"
	    "YXR1cmV0ZXN0c2lnbmF0dXJldGVzdHNpZ25hdHVyZXRlc3RzaWduYXR1cmU=";
	struct ub_packed_rrset_key *sets[5];
	struct reply_info rep;
	struct rvm_capture_in in;
	struct rvm_capture_out out;
	struct rvm_queue q;
	uint8_t qname[RV_NAME_MAX], zone[RV_NAME_MAX], scratch[4096];
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
	unsigned long records = 0;
	double t = 0, t0;

	sets[0] = rrset("www.shop.example", 1, a, 2, sig);
	sets[1] = rrset("shop.example", 2, ns, 2, NULL);
	sets[2] = rrset("ns1.shop.example", 1, g1, 1, NULL);
	sets[3] = rrset("ns2.shop.example", 1, g2, 1, NULL);
	memset(&rep, 0, sizeof(rep));
	rep.flags = 0x8400;
	rep.an_numrrsets = 1;
	rep.ns_numrrsets = 1;
	rep.ar_numrrsets = 2;
	rep.rrset_count = 4;
	rep.rrsets = sets;
	memset(&in, 0, sizeof(in));
	in.rep = &rep;
	(void)rv_name_from_str("www.shop.example", qname, &in.qname_len);
	(void)rv_name_from_str("shop.example", zone, &in.zone_len);
	in.qname = qname;
	in.zone = zone;
	in.qtype = in.qclass = 1;
	(void)rv_ip_parse("203.0.113.53", &in.server);
	in.port = 53;
	in.time = 1700000000;
	if (rvm_queue_init(&q, 4 << 20, 1 << 20, 0) != RV_OK)
		return 3;
	for (unsigned long i = 0; i < n; i += 1000) {
		const uint8_t *p;
		size_t len;

		t0 = cpu_ns();
		for (unsigned long j = i; j < i + 1000 && j < n; j++) {
			(void)rvm_capture(&in, NULL, scratch, sizeof(scratch),
			    emit, &q, &out);
			records += out.emitted;
		}
		t += cpu_ns() - t0;
		while (rvm_queue_peek(&q, &p, &len))	/* the sender */
			rvm_queue_pop(&q, len);
	}
	if (atomic_load(&q.count.dropped))
		fprintf(stderr, "warning: %lu records dropped\n",
		    (unsigned long)atomic_load(&q.count.dropped));
	printf("responses %lu records %lu ns/response %.1f ns/record %.1f\n",
	    n, records, t / (double)n, t / (double)records);
	rvm_queue_fini(&q);
	return 0;
}
