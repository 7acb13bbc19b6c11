/**
 * \file import_mark.c
 * An import's content, recognised (import_mark.h).
 */
#include "config.h"

#include <inttypes.h>
#include <time.h>

#include "import_mark.h"
#include "log.h"
#include "rv_be.h"
#include "rv_err.h"
#include "rv_time.h"

int
rvd_import_fingerprint(FILE *f, uint8_t fp[RV_IMPORT_FP_LEN])
{
	uint64_t a = 0xcbf29ce484222325ULL, b = 0x9e3779b97f4a7c15ULL, len = 0;
	unsigned char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		for (size_t i = 0; i < n; i++) {
			a = (a ^ buf[i]) * 0x100000001b3ULL;
			b = ((b ^ buf[i]) * 0xff51afd7ed558ccdULL);
			b = b << 31 | b >> 33;
		}
		len += n;
	}
	if (ferror(f) || fseek(f, 0, SEEK_SET) != 0)
		return -1;
	b ^= len;
	rv_put64(fp, a);
	rv_put64(fp + 8, b);
	return 0;
}

int
rvd_import_taken_before(struct rv_store *st, const char *name,
    const uint8_t fp[RV_IMPORT_FP_LEN])
{
	uint64_t when, records;
	struct rv_txn *txn;
	char t[RV_TIME_STR_MAX];
	int rc;

	if (rv_store_read_begin(st, &txn) != RV_OK)
		return 0;
	rc = rv_store_import_get(st, txn, fp, &when, &records);
	rv_txn_abort(txn);
	if (rc != RV_OK)
		return 0;
	(void)rv_time_format((int64_t)when, 1, t, sizeof(t));
	rvd_log(LOG_NOTICE, "%s: this content was imported on %s (%" PRIu64
	    " records): nothing to do; --reimport counts it again", name, t,
	    records);
	return 1;
}

struct mark {
	const uint8_t *fp;
	uint64_t when, records;
};

static int
put_mark(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	struct mark *m = arg;

	return rv_store_import_put(st, txn, m->fp, m->when, m->records);
}

int
rvd_import_mark(struct rv_store *st, const char *name,
    const uint8_t fp[RV_IMPORT_FP_LEN], uint64_t records)
{
	struct mark m = { fp, (uint64_t)time(NULL), records };
	int rc = rv_store_write(st, put_mark, &m, NULL);

	if (rc != RV_OK)
		rvd_log(LOG_ERR, "%s: imported, but not marked as such (%s): "
		    "importing it again would count it twice", name,
		    rv_strerror(rc));
	return rc;
}
