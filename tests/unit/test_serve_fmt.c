/**
 * \file test_serve_fmt.c
 * serve/sv_fmt.c, a DNSDB stream's formatter thread: every row formatted
 * once, in order, from copies that outlive the producer's row; a row
 * larger than a batch; a hand-off of the rows held so far; the
 * formatter's error stops the producer and is returned; stop with nothing
 * added. Also run under ThreadSanitizer (./run).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "rv_err.h"
#include "sv_fmt.h"

struct seen {
	uint64_t next;		/* the count the next row must have */
	uint64_t rows, batches;
	uint64_t fail_at;	/* 0: never */
	size_t big;		/* the big row's set_len, 0: none */
};

static int
row_cb(void *arg, const struct rvq_row *r)
{
	struct seen *s = arg;
	char want[16];

	if (r->count != s->next)
		return RV_EINVAL;
	/* the owner is the copy's, not the producer's buffer */
	snprintf(want, sizeof(want), "r%llu", (unsigned long long)
	    (r->count % 1000));
	if (r->owner_len != strlen(want) || memcmp(r->owner, want,
	    r->owner_len) != 0)
		return RV_EINVAL;
	if (s->big > 0 && r->count == 7 && (r->set_len != s->big ||
	    r->set[s->big - 1] != 0x5a))
		return RV_EINVAL;
	s->next++;
	s->rows++;
	return s->fail_at != 0 && s->rows == s->fail_at ? RV_EIO : RV_OK;
}

static int
end_cb(void *arg)
{
	struct seen *s = arg;

	/* atomic: test_hand_idle watches it while the formatter runs */
	__atomic_add_fetch(&s->batches, 1, __ATOMIC_RELAXED);
	return RV_OK;
}

/* Add row \p i from a buffer that is overwritten right after. */
static int
add(struct sv_fmt *f, uint64_t i, const uint8_t *set, size_t set_len)
{
	char owner[16];
	struct rvq_row r;
	int rc;

	memset(&r, 0, sizeof(r));
	snprintf(owner, sizeof(owner), "r%llu", (unsigned long long)
	    (i % 1000));
	r.owner = (const uint8_t *)owner;
	r.owner_len = strlen(owner);
	r.type = 1;
	r.count = i;
	r.set = set;
	r.set_len = set_len;
	rc = sv_fmt_add(f, &r);
	memset(owner, 'x', sizeof(owner));
	return rc;
}

static void
test_order_and_copies(void **state)
{
	struct seen s = { 0 };
	struct sv_fmt *f;
	uint8_t *big = malloc(600 << 10);	/* larger than a batch */

	(void)state;
	assert_non_null(big);
	memset(big, 0x5a, 600 << 10);
	s.big = 600 << 10;
	assert_int_equal(sv_fmt_start(&f, row_cb, end_cb, &s), RV_OK);
	for (uint64_t i = 0; i < 100000; i++)
		assert_int_equal(i == 7 ? add(f, i, big, 600 << 10) :
		    add(f, i, NULL, 0), RV_OK);
	free(big);
	assert_int_equal(sv_fmt_stop(f), RV_OK);
	assert_int_equal(s.rows, 100000);
	assert_int_equal(s.next, 100000);
	assert_true(s.batches > 2);	/* handed on in batches */
}

/* What is held is handed on at once when the formatter is idle. */
static void
test_hand_idle(void **state)
{
	struct seen s = { 0 };
	struct sv_fmt *f;
	int done = 0;

	(void)state;
	assert_int_equal(sv_fmt_start(&f, row_cb, end_cb, &s), RV_OK);
	assert_int_equal(add(f, 0, NULL, 0), RV_OK);
	assert_int_equal(add(f, 1, NULL, 0), RV_OK);
	assert_int_equal(sv_fmt_hand_idle(f), RV_OK);
	/* formatted without more rows or a stop (a deadline, not a
	 * measurement) */
	for (int i = 0; i < 1000 && !done; i++) {
		nanosleep(&(struct timespec){ 0, 5000000L }, NULL);
		done = __atomic_load_n(&s.batches, __ATOMIC_RELAXED) == 1;
	}
	assert_true(done);
	assert_int_equal(sv_fmt_stop(f), RV_OK);
	assert_int_equal(s.rows, 2);
}

/* The formatter's error reaches the producer and stop. */
static void
test_error_stops(void **state)
{
	struct seen s = { 0 };
	struct sv_fmt *f;
	uint64_t i;
	int rc = RV_OK;

	(void)state;
	s.fail_at = 10;
	assert_int_equal(sv_fmt_start(&f, row_cb, end_cb, &s), RV_OK);
	for (i = 0; i < 10000000 && rc == RV_OK; i++)
		rc = add(f, i, NULL, 0);
	assert_int_equal(rc, RV_EIO);
	assert_int_equal(sv_fmt_stop(f), RV_EIO);
	assert_int_equal(s.rows, 10);
	assert_int_equal(s.batches, 0);
}

static void
test_stop_empty(void **state)
{
	struct seen s = { 0 };
	struct sv_fmt *f;

	(void)state;
	assert_int_equal(sv_fmt_start(&f, row_cb, end_cb, &s), RV_OK);
	assert_int_equal(sv_fmt_stop(f), RV_OK);
	assert_int_equal(s.rows, 0);
	assert_int_equal(s.batches, 0);
	assert_int_equal(sv_fmt_stop(NULL), RV_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_copies),
		cmocka_unit_test(test_hand_idle),
		cmocka_unit_test(test_error_stops),
		cmocka_unit_test(test_stop_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
