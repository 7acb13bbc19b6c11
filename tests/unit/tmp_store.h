/**
 * \file tmp_store.h
 * A store in a fresh temporary directory, for the unit tests' setups:
 * created empty, closed and removed with its directory afterwards.
 */
#ifndef TEST_TMP_STORE_H
#define TEST_TMP_STORE_H

#include <stddef.h>

#include "rv_store.h"

/**
 * Create /tmp/PREFIX-XXXXXX (its path into dir, dirsz octets) and open a
 * new store there (RV_STORE_CREATE, mapsize octets, 0 for the default).
 * \return 0, or -1 (what cmocka's setup returns on failure).
 */
int tmp_store_open(char *dir, size_t dirsz, const char *prefix,
    size_t mapsize, struct rv_store **st);

/** Close st (may be NULL) and remove dir with what is in it.
 * \return 0 or -1. */
int tmp_store_close(const char *dir, struct rv_store *st);

/** A store in a temporary directory, as a cmocka test's state. */
struct tmp_store_fx {
	char dir[64];
	struct rv_store *st;
};

/** cmocka setup: *state is a new struct tmp_store_fx, its store empty
 * (64 MiB map). */
int tmp_store_setup(void **state);

/** cmocka teardown of tmp_store_setup. */
int tmp_store_teardown(void **state);

#endif
