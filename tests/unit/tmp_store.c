/**
 * \file tmp_store.c
 * A store in a fresh temporary directory (tmp_store.h).
 */
#include "tmp_store.h"

#include <stdio.h>
#include <stdlib.h>

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
