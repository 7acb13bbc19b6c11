/**
 * \file test_indexer_admit.c
 * cmocka tests of rearviewd's size limit in front of the decoder
 * (indexer/admit.c): nng's ceiling sits above --max-frame and never below
 * a module's largest frame; a frame over --max-frame is refused before its
 * content is looked at, however valid; malformed frames under the limit
 * keep their decoder error; and a flush writes both counters, the oversize
 * ones inside frames_rejected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "admit.h"
#include "agg.h"
#include "flush.h"
#include "frame_sample.h"
#include "rv_err.h"
#include "rv_store.h"
#include "tmp_store.h"

struct fx {
	char dir[64];
	struct rv_store *st;
	struct rvd_agg a;
	uint8_t frame[4096];
	size_t len;
};

static int
setup(void **state)
{
	struct fx *f = test_calloc(1, sizeof(*f));

	if (tmp_store_open(f->dir, sizeof(f->dir), "rv-test-admit",
	    32 << 20, &f->st) != 0 ||
	    rvd_agg_init(&f->a) != 0)
		return -1;
	f->len = sample_frame(f->frame, sizeof(f->frame));
	*state = f;
	return f->len > 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	rvd_agg_destroy(&f->a);
	if (tmp_store_close(f->dir, f->st) != 0)
		return -1;
	test_free(f);
	return 0;
}

static void
test_nng_limit(void **state)
{
	(void)state;
	/* Small limits: a module's largest frame still reaches rearviewd. */
	assert_int_equal(rvd_admit_nng_limit(1024), RVD_ADMIT_NNG_FLOOR);
	assert_int_equal(rvd_admit_nng_limit(RVD_ADMIT_NNG_FLOOR / 2),
	    RVD_ADMIT_NNG_FLOOR);
	assert_int_equal(RVD_ADMIT_NNG_FLOOR, (size_t)4 << 20);
	/* Otherwise twice the limit: bounded, and always above it. */
	assert_int_equal(rvd_admit_nng_limit((size_t)4 << 20), (size_t)8 << 20);
	assert_int_equal(rvd_admit_nng_limit((size_t)1 << 30), (size_t)2 << 30);
	for (size_t m = 1024; m <= ((size_t)1 << 30); m *= 2)
		assert_true(rvd_admit_nng_limit(m) > m);
	/* Never more than nng takes. */
	assert_int_equal(rvd_admit_nng_limit(RVD_ADMIT_NNG_MAX / 2 + 1),
	    RVD_ADMIT_NNG_MAX);
	assert_int_equal(rvd_admit_nng_limit(SIZE_MAX), RVD_ADMIT_NNG_MAX);
}

static void
test_frame_over_max(void **state)
{
	struct fx *f = *state;
	struct rv_frame_hdr h;

	/* Exactly the limit: taken. */
	memset(&h, 0, sizeof(h));
	assert_int_equal(rvd_admit_frame(f->frame, f->len, f->len, &h), RV_OK);
	assert_int_equal(h.count, SAMPLE_RECORDS);
	/* One octet over: refused although the frame is valid. */
	assert_int_equal(rvd_admit_frame(f->frame, f->len, f->len - 1, &h),
	    RV_ETOOBIG);
	/* Malformed and over the limit: still "too big". */
	f->frame[0] ^= 0xff;
	assert_int_equal(rvd_admit_frame(f->frame, f->len, f->len - 1, &h),
	    RV_ETOOBIG);
	/* Malformed within the limit: the decoder's own error. */
	assert_int_equal(rvd_admit_frame(f->frame, f->len, f->len, &h),
	    rv_frame_validate(f->frame, f->len, &h));
	assert_int_not_equal(rvd_admit_frame(f->frame, f->len, f->len, &h),
	    RV_OK);
	f->frame[0] ^= 0xff;
	assert_int_equal(rvd_admit_frame(f->frame, f->len - 1, f->len, &h),
	    RV_ETRUNC);
}

static void
test_counters_flushed(void **state)
{
	struct fx *f = *state;
	struct rvd_flush_result res;
	struct rv_store_stats s;
	struct rv_txn *txn;

	rvd_admit_count_reject(&f->a, 100, 1024);		/* malformed */
	rvd_admit_count_reject(&f->a, 1025, 1024);		/* oversize */
	rvd_admit_count_reject(&f->a, 1024,
	    1024);		/* at the limit */
	rvd_admit_count_reject(&f->a, (size_t)8 << 20, 1024);
	assert_int_equal(f->a.frames_rejected, 4);
	assert_int_equal(f->a.frames_oversize, 2);
	assert_int_equal(rvd_flush_write(f->st, &f->a, NULL, 5000, &res),
	    RV_OK);
	rvd_agg_reset(&f->a);
	assert_int_equal(f->a.frames_oversize, 0);
	rvd_admit_count_reject(&f->a, 2000, 1024);
	assert_int_equal(rvd_flush_write(f->st, &f->a, NULL, 5001, &res),
	    RV_OK);

	assert_int_equal(rv_store_read_begin(f->st, &txn), RV_OK);
	assert_int_equal(rv_store_stats_read(f->st, txn, &s), RV_OK);
	rv_txn_abort(txn);
	assert_int_equal(s.v[RV_STAT_FRAMES_REJECTED], 5);
	assert_int_equal(s.v[RV_STAT_FRAMES_OVERSIZE], 3);
	assert_int_equal(s.v[RV_STAT_FRAMES], 0);
	assert_string_equal(rv_stat_name(RV_STAT_FRAMES_OVERSIZE),
	    "frames_oversize");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nng_limit),
		cmocka_unit_test_setup_teardown(test_frame_over_max, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_counters_flushed, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
