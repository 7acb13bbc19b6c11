/**
 * \file tmp_store.c
 * A store in a fresh temporary directory (tmp_store.h).
 */
#include "tmp_store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "rv_err.h"

int
tmp_store_open(char *dir, size_t dirsz, const char *prefix, size_t mapsize,
    struct rv_store **st)
{
	*st = NULL;
	snprintf(dir, dirsz, "/tmp/%s-XXXXXX", prefix);
	if (mkdtemp(dir) == NULL ||
	    rv_store_open(dir, RV_STORE_CREATE, mapsize, st) != RV_OK)
		return -1;
	return 0;
}

int
tmp_store_close(const char *dir, struct rv_store *st)
{
	char cmd[128];

	rv_store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
tmp_store_setup(void **state)
{
	struct tmp_store_fx *f = test_calloc(1, sizeof(*f));

	*state = f;
	if (f == NULL)
		return -1;
	return tmp_store_open(f->dir, sizeof(f->dir), "rv-test-store",
	    64 << 20, &f->st);
}

int
tmp_store_teardown(void **state)
{
	struct tmp_store_fx *f = *state;
	int rc = tmp_store_close(f->dir, f->st);

	test_free(f);
	return rc;
}
