/**
 * \file test_module_queue.c
 * module/queue.c: records come out whole and in order across the ring's
 * wrap, a full queue refuses and counts the drop without waiting, records
 * over the limit are counted as too big, and one producer thread against
 * one consumer thread loses nothing it did not count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "queue.h"
#include "rv_err.h"
#include "rv_frame.h"
#include "rv_name.h"

static uint8_t owner[RV_NAME_MAX];
static uint8_t rdata[4096];

/* A record whose TTL carries a sequence number and whose rdata has
 * \p nrd octets (one rdata entry). */
static void
make(struct rv_record *r, uint32_t seq, size_t nrd)
{
	size_t olen;

	memset(r, 0, sizeof(*r));
	assert_int_equal(rv_name_from_str("www.shop.test", owner, &olen),
	    RV_OK);
	r->kind = RV_REC_RRSET;
	r->section = RV_SEC_ANSWER;
	r->owner = r->qname = r->zone = owner;
	r->owner_len = r->qname_len = r->zone_len = olen;
	r->type = r->qtype = 16;
	r->rclass = r->qclass = 1;
	r->ttl = seq;
	r->rdcount = 1;
	rdata[0] = (uint8_t)((nrd - 2) >> 8);
	rdata[1] = (uint8_t)(nrd - 2);
	memset(rdata + 2, (int)(seq & 0xff), nrd - 2);
	r->rdata = rdata;
	r->rdata_len = nrd;
}

/* Pop one record and check it decodes with the expected sequence. */
static void
pop_expect(struct rvm_queue *q, uint32_t seq)
{
	const uint8_t *p;
	uint8_t frame[8192];
	struct rv_frame_enc enc;
	struct rv_frame_hdr h;
	struct rv_record r;
	size_t len, off, rlen;

	assert_int_equal(rvm_queue_peek(q, &p, &rlen), 1);
	len = rlen;
	assert_int_equal(rv_frame_begin(&enc, frame, sizeof(frame), "q", 1),
	    RV_OK);
	assert_int_equal(rv_frame_add_raw(&enc, p, len), RV_OK);
	len = rv_frame_finish(&enc);
	assert_int_equal(rv_frame_validate(frame, len, &h), RV_OK);
	assert_int_equal(rv_frame_decode_header(frame, len, &h, &off), RV_OK);
	assert_int_equal(rv_frame_decode_record(frame, len, &off, &r), RV_OK);
	assert_int_equal(r.ttl, seq);
	assert_int_equal(off, RV_FRAME_HDR_MIN + 1 + rlen);
	rvm_queue_pop(q, rlen);
}

static uint64_t
get(_Atomic uint64_t *c)
{
	return atomic_load(c);
}

static void
test_bad_sizes(void **state)
{
	struct rvm_queue q;

	(void)state;
	assert_int_equal(rvm_queue_init(&q, 1000, 500, 0), RV_EINVAL);
	assert_int_equal(rvm_queue_init(&q, 1000, 4, 0), RV_EINVAL);
	rvm_queue_fini(&q);	/* safe after a failed init */
}

static void
test_fill_drop_count(void **state)
{
	struct rvm_queue q;
	struct rv_record r;
	size_t n = 0, rsz;

	(void)state;
	assert_int_equal(rvm_queue_init(&q, 4096, 1024, 0), RV_OK);
	make(&r, 0, 100);
	rsz = rv_record_size(&r);
	/* Fill: every put succeeds until the ring has no room. */
	for (;;) {
		make(&r, (uint32_t)n, 100);
		if (rvm_queue_put(&q, &r) != RV_OK)
			break;
		n++;
	}
	assert_int_equal(n, 4096 / rsz);
	assert_int_equal(get(&q.count.captured), n);
	assert_int_equal(get(&q.count.dropped), 1);
	/* More drops are counted, never waited for. */
	for (int i = 0; i < 10; i++)
		assert_int_equal(rvm_queue_put(&q, &r), RV_ENOSPC);
	assert_int_equal(get(&q.count.dropped), 11);
	/* Draining one makes room for one. */
	pop_expect(&q, 0);
	make(&r, 1000, 100);
	assert_int_equal(rvm_queue_put(&q, &r), RV_OK);
	for (uint32_t i = 1; i < n; i++)
		pop_expect(&q, i);
	pop_expect(&q, 1000);
	assert_int_equal(rvm_queue_peek(&q, &(const uint8_t *){ NULL },
	    &(size_t){ 0 }), 0);
	assert_int_equal(rvm_queue_used(&q), 0);
	rvm_queue_fini(&q);
}

static void
test_too_big(void **state)
{
	struct rvm_queue q;
	struct rv_record r;

	(void)state;
	assert_int_equal(rvm_queue_init(&q, 4096, 512, 0), RV_OK);
	make(&r, 1, 1000);
	assert_int_equal(rvm_queue_put(&q, &r), RV_ETOOBIG);
	assert_int_equal(get(&q.count.toobig), 1);
	assert_int_equal(get(&q.count.dropped), 0);
	assert_int_equal(rvm_queue_used(&q), 0);
	rvm_queue_fini(&q);
}

/* Sizes that do not divide the ring: records straddling the end are moved
 * to its start, with and without room for the wrap mark. */
static void
test_wrap(void **state)
{
	struct rvm_queue q;
	struct rv_record r;
	uint32_t in = 0, out = 0;

	(void)state;
	assert_int_equal(rvm_queue_init(&q, 1200, 300, 0), RV_OK);
	for (int round = 0; round < 500; round++) {
		size_t sz = 3 + (size_t)(round * 37) % 190;

		make(&r, in, sz);
		if (rvm_queue_put(&q, &r) == RV_OK)
			in++;
		else
			pop_expect(&q, out++);
		if (round % 3 == 0 && out < in)
			pop_expect(&q, out++);
	}
	while (out < in)
		pop_expect(&q, out++);
	assert_int_equal(rvm_queue_used(&q), 0);
	rvm_queue_fini(&q);
}

/* One producer, one consumer, no lock: what arrives is in order and what
 * does not arrive was counted as dropped. */
#define STRESS_N 200000
static atomic_int finished;

static void *
producer(void *arg)
{
	struct rvm_queue *q = arg;
	struct rv_record r;
	uint8_t own[RV_NAME_MAX];
	uint8_t rd[64];
	size_t olen;

	(void)rv_name_from_str("p.test", own, &olen);
	memset(&r, 0, sizeof(r));
	r.kind = RV_REC_RRSET;
	r.section = RV_SEC_ANSWER;
	r.owner = r.qname = r.zone = own;
	r.owner_len = r.qname_len = r.zone_len = olen;
	r.type = r.qtype = r.rclass = r.qclass = 1;
	r.rdcount = 1;
	rd[0] = 0;
	rd[1] = 4;
	r.rdata = rd;
	r.rdata_len = 6;
	for (uint32_t i = 0; i < STRESS_N; i++) {
		r.ttl = i;
		(void)rvm_queue_put(q, &r);
	}
	atomic_store(&finished, 1);
	return NULL;
}

static void
test_threads(void **state)
{
	struct rvm_queue q;
	pthread_t t;
	uint32_t got = 0, last = 0;
	int first = 1, done = 0;

	(void)state;
	assert_int_equal(rvm_queue_init(&q, 8192, 1024, 0), RV_OK);
	assert_int_equal(pthread_create(&t, NULL, producer, &q), 0);
	for (;;) {
		const uint8_t *p;
		size_t len;

		if (!rvm_queue_peek(&q, &p, &len)) {
			if (done)
				break;
			/* Once the producer is finished, one more pass
			 * drains what it left. */
			done = atomic_load(&finished);
			continue;
		}
		{
			/* TTL sits 10 octets before the end of this
			 * record's fixed tail: rdcount(2) rdata(6). */
			const uint8_t *tt = p + len - 6 - 2 - 4;
			uint32_t seq = (uint32_t)tt[0] << 24 |
			    (uint32_t)tt[1] << 16 | (uint32_t)tt[2] << 8 |
			    tt[3];

			if (!first)
				assert_true(seq > last);
			first = 0;
			last = seq;
		}
		rvm_queue_pop(&q, len);
		got++;
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(got, get(&q.count.captured));
	assert_int_equal(got + get(&q.count.dropped), STRESS_N);
	rvm_queue_fini(&q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_fill_drop_count),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
