/**
 * \file fuzz_import.c
 * libFuzzer target: one line of NDJSON import (COF or DNSDB style) through
 * indexer/import.c's rvd_import_line() into an aggregation table. Any line
 * must give 0 or an error code with a reason, never a crash; a line it
 * accepts must leave a table whose every entry has a key that decodes, a
 * bailiwick the owner lies in or a 0xFF zone, an rdata set that iterates
 * to its end with the counted number of rdata, and first <= last.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "import.h"
#include "rv_err.h"
#include "rv_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rvd_agg tab;
static uint8_t *scratch;

static void
check_table(void)
{
	struct rvd_agg_ent **v = NULL;
	struct rv_rrset_key k;

	if (rvd_agg_sorted(&tab, &v) != RV_OK)
		abort();
	for (size_t i = 0; i < tab.n; i++) {
		const struct rvd_agg_ent *e = v[i];
		size_t off = 0, nrd = 0;
		const uint8_t *rd;
		uint16_t rl;

		if (e->kind != RV_REC_RRSET ||
		    rv_rrset_key_decode(rvd_agg_key(e), e->keylen,
		        &k) != RV_OK ||
		    k.type != e->type || k.owner_len != e->ownerlen ||
		    e->first > e->last || e->count == 0)
			abort();
		while (rv_set_next(rvd_agg_set(e), e->setlen, &off, &rd, &rl) ==
		    RV_OK)
			nrd++;
		if (off != e->setlen || nrd != e->rdcount || nrd == 0)
			abort();
	}
	free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rvd_import_ctx ctx = { .agg = &tab, .sens = NULL,
	    .default_sensor = 1 };
	char err[256];
	size_t before;
	int rc;

	if (size > 256 * 1024)
		return 0;
	if (!scratch) {
		if (rvd_agg_init(&tab) != RV_OK ||
		    !(scratch = malloc(RVD_IMPORT_BUF_SIZE)))
			abort();
	}
	ctx.buf = scratch;
	before = tab.n;
	rc = rvd_import_line(&ctx, (const char *)data, size, err, sizeof(err));
	if (rc == RV_OK) {
		if (tab.n < before || tab.n > before + 1)
			abort();
		check_table();
	} else if (err[0] == 0 || memchr(err, 0, sizeof(err)) == NULL) {
		abort();	/* a rejection must say why */
	}
	rvd_agg_reset(&tab);
	return 0;
}
