/**
 * \file test_journal.c
 * cmocka tests of the sinks' journal (indexer/journal.h): batches come
 * back oldest first and go when acknowledged; they survive a close (a
 * restart) with their numbers; a killed append's temporary file is
 * removed; past the bound the oldest are dropped and counted, the count
 * kept across a restart; the newest is always kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "journal.h"
#include "rv_err.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/rv-journal-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The oldest batch must be \p want; acknowledge it. */
static void
take(struct rvd_journal *j, const char *want, uint64_t want_seq)
{
	void *data;
	size_t len;
	uint64_t seq;

	assert_int_equal(rvd_journal_peek(j, &seq, &data, &len), RV_OK);
	assert_int_equal(seq, want_seq);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(data, want, len);
	free(data);
	assert_int_equal(rvd_journal_ack(j, seq), RV_OK);
}

static void
test_order_ack_restart(void **state)
{
	struct rvd_journal *j;
	struct rvd_journal_stats st;
	char path[128];
	void *data;
	size_t len;
	uint64_t seq;
	FILE *f;

	(void)state;
	assert_int_equal(rvd_journal_open(dir, 1 << 20, &j), RV_OK);
	assert_int_equal(rvd_journal_peek(j, &seq, &data, &len), RV_ENOENT);
	assert_int_equal(rvd_journal_append(j, "", 0), RV_EINVAL);
	assert_int_equal(rvd_journal_append(j, "one", 3), RV_OK);
	assert_int_equal(rvd_journal_append(j, "two", 3), RV_OK);
	assert_int_equal(rvd_journal_append(j, "three", 5), RV_OK);
	rvd_journal_stats(j, &st);
	assert_int_equal(st.batches, 3);
	assert_int_equal(st.bytes, 11);
	take(j, "one", 1);
	/* only the oldest can be acknowledged; one acknowledged twice is
	 * no error (it is gone) */
	assert_int_equal(rvd_journal_ack(j, 3), RV_ESTATE);
	assert_int_equal(rvd_journal_ack(j, 1), RV_OK);
	rvd_journal_close(j);

	/* a restart, after a killed append and beside a stranger's file */
	snprintf(path, sizeof(path), "%s/0000000000000004.b.tmp", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("half", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	assert_int_equal(rvd_journal_open(dir, 1 << 20, &j), RV_OK);
	snprintf(path, sizeof(path), "%s/0000000000000004.b.tmp", dir);
	assert_int_equal(access(path, F_OK), -1);
	rvd_journal_stats(j, &st);
	assert_int_equal(st.batches, 2);
	assert_int_equal(st.next_seq, 4);
	assert_int_equal(rvd_journal_append(j, "four", 4), RV_OK);
	take(j, "two", 2);
	take(j, "three", 3);
	take(j, "four", 4);
	assert_int_equal(rvd_journal_peek(j, &seq, &data, &len), RV_ENOENT);
	rvd_journal_close(j);
}

static void
test_bound_drops_oldest(void **state)
{
	struct rvd_journal *j;
	struct rvd_journal_stats st;
	char b[100];

	(void)state;
	memset(b, 'x', sizeof(b));
	assert_int_equal(rvd_journal_open(dir, 250, &j), RV_OK);
	for (int i = 0; i < 5; i++) {
		b[0] = (char)('0' + i);
		assert_int_equal(rvd_journal_append(j, b, sizeof(b)), RV_OK);
	}
	rvd_journal_stats(j, &st);
	assert_int_equal(st.batches, 2);	/* 3 and 4 fit in 250 */
	assert_int_equal(st.dropped_batches, 3);
	assert_int_equal(st.dropped_bytes, 300);
	rvd_journal_close(j);
	assert_int_equal(rvd_journal_open(dir, 250, &j), RV_OK);
	rvd_journal_stats(j, &st);
	assert_int_equal(st.dropped_batches, 3);
	{
		void *data;
		size_t len;
		uint64_t seq;

		assert_int_equal(rvd_journal_peek(j, &seq, &data, &len), RV_OK);
		assert_int_equal(seq, 4);
		assert_int_equal(((char *)data)[0], '3');
		free(data);
	}
	/* a batch larger than the bound is kept alone */
	{
		char big[400];
		memset(big, 'y', sizeof(big));
		assert_int_equal(rvd_journal_append(j, big, sizeof(big)),
		    RV_OK);
	}
	rvd_journal_stats(j, &st);
	assert_int_equal(st.batches, 1);
	assert_int_equal(st.bytes, 400);
	assert_int_equal(st.dropped_batches, 5);
	rvd_journal_close(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_ack_restart, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bound_drops_oldest, setup,
		    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
