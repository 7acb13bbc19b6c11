/**
 * \file test_store_damage.c
 * cmocka tests of what the store does with a damaged data.mdb
 * (RELIABILITY.md, "Damaged databases"): beside the store because some
 * damage is made through LMDB's own layout (store_lmdb.h). Each test
 * writes a small database through the store, damages the file and holds
 * the store to an error (RV_ECORRUPT and a reason), never a signal:
 *  - a file cut short at several sizes, and meta pages that lie, are
 *    refused at open (readers and writers), before anything is mapped
 *    past the end;
 *  - a file cut short under an open reader: the SIGBUS inside LMDB comes
 *    back as RV_ECORRUPT, and the store refuses every call after it;
 *  - a fault outside the store's calls still kills the process;
 *  - a value whose stored length runs past the end of the file is not
 *    handed out;
 *  - rv_store_check: a sound database has no problem, a row that does
 *    not decode and a counter that lies are problems;
 *  - a second writer (RV_STORE_EXCL) is refused with the holder's pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "rv_be.h"
#include "rv_err.h"
#include "rv_name.h"
#include "store_lmdb.h"
#include "tmp_store.h"

#define ROWS 3000

struct fx {
	char dir[64];
	char file[128];
	off_t size;		/* of the sound data.mdb */
};

/* One rrset row per i, its counters with it: a sound database. */
static int
fill(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	uint64_t add[RV_STAT_COUNT] = { 0 };
	uint8_t owner[RV_NAME_MAX], set[64], val[256];
	struct rv_rrset_val v = { 0 };
	struct rv_key k;
	struct rv_val kv, vv;
	char name[64];
	size_t olen;
	int rc;

	(void)arg;
	for (int i = 0; i < ROWS; i++) {
		snprintf(name, sizeof(name), "host%d.damage.test", i);
		if (rv_name_from_str(name, owner, &olen) != RV_OK)
			return RV_EINVAL;
		set[0] = 0;
		set[1] = 4;
		rv_put32(set + 2, 0x0a000000u + (uint32_t)i);
		v.first = 1000;
		v.last = 2000;
		v.count = 2;
		v.ttl_min = v.ttl_max = 60;
		v.rdcount = 1;
		v.set = set;
		v.set_len = 6;
		rv_rrset_val_encode(&v, val);
		if ((rc = rv_key_rrset(&k, owner, olen, 1, NULL, 0,
		    rv_set_digest(set, 6))) != RV_OK)
			return rc;
		kv = rv_key_val(&k);
		vv.data = val;
		vv.len = rv_rrset_val_size(&v);
		if ((rc = rv_put(st, txn, RV_DB_RRSET, &kv, &vv, 0)) != RV_OK)
			return rc;
	}
	add[RV_STAT_RRSETS] = ROWS;
	add[RV_STAT_OBSERVATIONS] = 2 * ROWS;
	return rv_store_stats_add(st, txn, add, 2000);
}

static int
setup(void **state)
{
	struct fx *f = test_calloc(1, sizeof(*f));
	struct rv_store *st;
	struct stat sb;

	*state = f;
	if (f == NULL || tmp_store_open(f->dir, sizeof(f->dir),
	    "rv-test-damage", 64 << 20, &st) != 0)
		return -1;
	if (rv_store_write(st, fill, NULL, NULL) != RV_OK)
		return -1;
	rv_store_close(st);
	snprintf(f->file, sizeof(f->file), "%s/data.mdb", f->dir);
	if (stat(f->file, &sb) != 0)
		return -1;
	f->size = sb.st_size;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int rc = tmp_store_close(f->dir, NULL);

	test_free(f);
	return rc;
}

static void
cut(const struct fx *f, off_t size)
{
	assert_int_equal(truncate(f->file, size), 0);
}

/* Overwrite n octets at off. */
static void
poke(const struct fx *f, off_t off, const void *b, size_t n)
{
	int fd = open(f->file, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, b, n, off), (ssize_t)n);
	close(fd);
}

static void
assert_why(struct rv_store *st, const char *part)
{
	const char *why = rv_store_why(st);

	assert_non_null(why);
	if (strstr(why, part) == NULL)
		fail_msg("why is '%s', want '%s' in it", why, part);
}

static void
test_short_file_refused_at_open(void **state)
{
	struct fx *f = *state;
	/* mid first meta page, mid second, just after both, mid data,
	 * one page short */
	const off_t sizes[] = { 100, 6000, 8192, f->size / 2, f->size - 4096 };
	struct rv_store *st;

	char *sound = malloc((size_t)f->size);
	int fd = open(f->file, O_RDONLY);

	assert_true(f->size > 8 * 4096);
	assert_non_null(sound);
	assert_int_equal(read(fd, sound, (size_t)f->size), f->size);
	close(fd);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		poke(f, 0, sound, (size_t)f->size);
		cut(f, sizes[i]);
		assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st),
		    RV_ECORRUPT);
		assert_null(st);
		assert_why(NULL, i < 2 ? "meta page" : "shorter than its "
		    "last page");
		/* A writer too: it would fault on its first page. */
		assert_int_equal(rv_store_open(f->dir, 0, 64 << 20, &st),
		    RV_ECORRUPT);
		assert_why(NULL, i < 2 ? "meta page" : "shorter than its "
		    "last page");
	}
	free(sound);
}

static void
test_meta_lies_refused_at_open(void **state)
{
	struct fx *f = *state;
	uint64_t big = 1000000, txnid = 77;
	uint32_t psize = 4000;
	struct rv_store *st;

	/* Both meta pages' last page beyond the end of the file, the pages
	 * past it not free: whichever meta LMDB picks, the file was cut.
	 * (Free pages past the end are LMDB's own doing: test_store_lmdb.) */
	poke(f, 136, &big, 8);
	poke(f, 4096 + 136, &big, 8);
	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st),
	    RV_ECORRUPT);
	assert_why(NULL, "shorter than its last page");
	assert_int_equal(teardown(state), 0);
	assert_int_equal(setup(state), 0);
	f = *state;
	/* A transaction id that would make LMDB pick the wrong meta page. */
	poke(f, 136 + 8, &txnid, 8);
	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st),
	    RV_ECORRUPT);
	assert_why(NULL, "not two in a row");
	assert_int_equal(teardown(state), 0);
	assert_int_equal(setup(state), 0);
	f = *state;
	/* A page size LMDB never writes. */
	poke(f, 40, &psize, 4);
	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st),
	    RV_ECORRUPT);
	assert_why(NULL, "page size");
}

static int
get_row(struct rv_store *st, int i)
{
	uint8_t owner[RV_NAME_MAX], set[6] = { 0, 4 };
	struct rv_key k;
	struct rv_val kv, v;
	struct rv_txn *txn;
	char name[64];
	size_t olen;
	int rc;

	snprintf(name, sizeof(name), "host%d.damage.test", i);
	assert_int_equal(rv_name_from_str(name, owner, &olen), RV_OK);
	rv_put32(set + 2, 0x0a000000u + (uint32_t)i);
	assert_int_equal(rv_key_rrset(&k, owner, olen, 1, NULL, 0,
	    rv_set_digest(set, 6)), RV_OK);
	kv = rv_key_val(&k);
	if ((rc = rv_store_read_begin(st, &txn)) != RV_OK)
		return rc;
	rc = rv_get(st, txn, RV_DB_RRSET, &kv, &v);
	rv_txn_abort(txn);
	return rc;
}

static void
test_sigbus_under_a_reader_is_an_error(void **state)
{
	struct fx *f = *state;
	struct rv_store *st;

	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st),
	    RV_OK);
	assert_int_equal(get_row(st, 5), RV_OK);
	assert_null(rv_store_why(st));
	/* Cut under the open reader: the metas stay, the trees go. LMDB's
	 * page search faults (SIGBUS) inside the guard. */
	cut(f, 3 * 4096);
	assert_int_equal(get_row(st, 7), RV_ECORRUPT);
	assert_why(st, "SIGBUS");
	/* Unusable from then on: no LMDB call at all. */
	assert_int_equal(get_row(st, 5), RV_ECORRUPT);
	rv_store_close(st);
}

static void
test_fault_elsewhere_still_kills(void **state)
{
	struct fx *f = *state;
	struct rv_store *st;
	int status;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		/* As in a program of its own: nobody else handles SIGSEGV
		 * (not cmocka, not a sanitizer). The store's handler is
		 * installed and no guard is armed: a real fault. */
		static volatile uintptr_t nowhere = 16;
		volatile int *p = (volatile int *)nowhere;
		signal(SIGSEGV, SIG_DFL);
		if (rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st) != RV_OK)
			_exit(10);
		*p = 1;
		_exit(11);	/* not reached */
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
}

static void
test_value_past_the_end_not_handed_out(void **state)
{
	struct fx *f = *state;
	struct rv_store *st;
	struct rv_txn *txn;
	struct rv_cursor *c;
	struct rv_val k, v;
	uintptr_t node;
	uint16_t hi = 0x7fff;

	/* The last row's node: its data size (mn_lo, mn_hi) is the 4
	 * octets 8 before its key (LMDB's MDB_node). */
	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st),
	    RV_OK);
	assert_int_equal(rv_store_read_begin(st, &txn), RV_OK);
	assert_int_equal(rv_cursor_open(st, txn, RV_DB_RRSET, &c), RV_OK);
	assert_int_equal(rv_cursor_get(c, &k, &v, RV_LAST), RV_OK);
	assert_true(atomic_load(&st->map_len) > 0);
	node = (uintptr_t)k.data - 8 - atomic_load(&st->map_lo);
	rv_cursor_close(c);
	rv_txn_abort(txn);
	rv_store_close(st);
	poke(f, (off_t)node + 2, &hi, 2);	/* ~2 GiB of value */

	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st),
	    RV_OK);
	assert_int_equal(rv_store_read_begin(st, &txn), RV_OK);
	assert_int_equal(rv_cursor_open(st, txn, RV_DB_RRSET, &c), RV_OK);
	assert_int_equal(rv_cursor_get(c, &k, &v, RV_LAST), RV_ECORRUPT);
	assert_why(st, "past the end of data.mdb");
	rv_cursor_close(c);
	rv_txn_abort(txn);
	rv_store_close(st);
}

struct lines {
	int n;
	char first[400];
};

static void
on_problem(int db, const char *line, void *arg)
{
	struct lines *l = arg;

	(void)db;
	if (l->n++ == 0)
		snprintf(l->first, sizeof(l->first), "%s", line);
}

static int
bad_row(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	struct rv_val k = { 3, "\x02zz" }, v = { 3, "bad" };

	(void)arg;
	return rv_put(st, txn, RV_DB_RDATA, &k, &v, 0);
}

static int
bump_rrsets(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	uint64_t add[RV_STAT_COUNT] = { 0 };

	(void)arg;
	add[RV_STAT_RRSETS] = 1;
	return rv_store_stats_add(st, txn, add, 2000);
}

static void
test_check(void **state)
{
	struct fx *f = *state;
	struct rv_store *st;
	struct rv_check c;
	struct lines l = { 0 };

	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st),
	    RV_OK);
	assert_int_equal(rv_store_check(st, &c, on_problem, &l), RV_OK);
	if (c.problems != 0)
		fail_msg("a sound database: %s", l.first);
	assert_true(c.complete);
	assert_int_equal(c.db[RV_DB_RRSET].rows, ROWS);
	assert_int_equal(c.stats[RV_STAT_RRSETS], ROWS);
	assert_int_equal(c.tree_pages + c.free_pages + 2, c.last_page + 1);
	rv_store_close(st);

	/* A row that does not decode. */
	assert_int_equal(rv_store_open(f->dir, 0, 64 << 20, &st), RV_OK);
	assert_int_equal(rv_store_write(st, bad_row, NULL, NULL), RV_OK);
	rv_store_close(st);
	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st),
	    RV_OK);
	assert_int_equal(rv_store_check(st, &c, on_problem, &l), RV_OK);
	assert_int_equal(c.problems, 1);
	assert_non_null(strstr(l.first, "rdata: row 0"));
	assert_non_null(strstr(l.first, "does not decode"));
	rv_store_close(st);

	/* A counter that disagrees with its tree. */
	assert_int_equal(rv_store_open(f->dir, 0, 64 << 20, &st), RV_OK);
	assert_int_equal(rv_store_write(st, bump_rrsets, NULL, NULL), RV_OK);
	rv_store_close(st);
	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st),
	    RV_OK);
	l.n = 0;
	assert_int_equal(rv_store_check(st, &c, on_problem, &l), RV_OK);
	assert_int_equal(c.problems, 2);
	rv_store_close(st);
}

static void
test_check_after_a_fault(void **state)
{
	struct fx *f = *state;
	struct rv_store *st;
	struct rv_check c;
	struct lines l = { 0 };

	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &st),
	    RV_OK);
	cut(f, 3 * 4096);
	assert_int_equal(rv_store_check(st, &c, on_problem, &l), RV_ECORRUPT);
	assert_true(c.problems >= 1);
	assert_false(c.complete);
	assert_non_null(strstr(l.first, "SIGBUS"));
	rv_store_close(st);
}

static void
test_second_writer_refused(void **state)
{
	struct fx *f = *state;
	struct rv_store *a, *b;
	char want[32];

	assert_int_equal(rv_store_open(f->dir, RV_STORE_EXCL, 64 << 20, &a),
	    RV_OK);
	assert_int_equal(rv_store_open(f->dir, RV_STORE_EXCL, 64 << 20, &b),
	    RV_EBUSY);
	assert_null(b);
	snprintf(want, sizeof(want), "(pid %ld)", (long)getpid());
	assert_why(NULL, want);
	/* Readers never take it. */
	assert_int_equal(rv_store_open(f->dir, RV_STORE_RDONLY, 0, &b), RV_OK);
	rv_store_close(b);
	rv_store_close(a);
	/* Released with its store. */
	assert_int_equal(rv_store_open(f->dir, RV_STORE_EXCL, 64 << 20, &b),
	    RV_OK);
	rv_store_close(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_short_file_refused_at_open,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_meta_lies_refused_at_open,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_sigbus_under_a_reader_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_elsewhere_still_kills,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_value_past_the_end_not_handed_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_after_a_fault,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_writer_refused,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
