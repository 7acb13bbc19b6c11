/**
 * \file rv_store_import.c
 * The imports a database has taken, by the fingerprint of their content
 * (meta "import:" fp:16 -> when:8 records:8, SCHEMA.md), so that the same
 * export imported twice is counted once.
 */
#include <string.h>

#include "rv_be.h"
#include "rv_err.h"
#include "rv_store.h"

#define PREFIX "import:"
#define PLEN (sizeof(PREFIX) - 1)

static void
fp_key(struct rv_key *k, const uint8_t fp[RV_IMPORT_FP_LEN])
{
	memcpy(k->buf, PREFIX, PLEN);
	memcpy(k->buf + PLEN, fp, RV_IMPORT_FP_LEN);
	k->len = PLEN + RV_IMPORT_FP_LEN;
}

int
rv_store_import_get(struct rv_store *st, struct rv_txn *txn,
    const uint8_t fp[RV_IMPORT_FP_LEN], uint64_t *when, uint64_t *records)
{
	struct rv_key k;
	struct rv_val kv, v;
	int rc;

	fp_key(&k, fp);
	kv = rv_key_val(&k);
	if ((rc = rv_get(st, txn, RV_DB_META, &kv, &v)) != RV_OK)
		return rc;
	if (v.len != 16)
		return RV_ECORRUPT;
	*when = rv_get64(v.data);
	*records = rv_get64((const uint8_t *)v.data + 8);
	return RV_OK;
}

int
rv_store_import_put(struct rv_store *st, struct rv_txn *txn,
    const uint8_t fp[RV_IMPORT_FP_LEN], uint64_t when, uint64_t records)
{
	uint8_t buf[16];
	struct rv_key k;
	struct rv_val kv, v = { sizeof(buf), buf };

	fp_key(&k, fp);
	kv = rv_key_val(&k);
	rv_put64(buf, when);
	rv_put64(buf + 8, records);
	return rv_put(st, txn, RV_DB_META, &kv, &v, 0);
}
