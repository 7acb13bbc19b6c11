/**
 * \file load.c
 * The SQLite side of the CLI benchmark: copies a rearview database (built
 * by the real indexer from tools/rvgen's stream) into one SQLite file with
 * the indexes a team would add instead of rearview: owner, reversed owner
 * (for *.domain as a range), IPv4 address as an integer (for CIDR), ASN.
 * One row per rdata, as analysts' tables have them.
 *
 * usage: load LMDB_DIR SQLITE_FILE
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "rv_err.h"
#include "rv_name.h"
#include "rv_rdata.h"
#include "rv_store.h"

static sqlite3 *sq;
static sqlite3_stmt *ins_rr, *ins_asn;
static uint64_t rows;

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "load: %s: %s\n", what, why);
	exit(1);
}

static int
rrset(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	static char owner[RV_NAME_STR_MAX], rev[RV_NAME_STR_MAX], txt[65536];
	struct rv_rrset_key key;
	struct rv_rrset_val val;
	const uint8_t *rd;
	uint16_t rl;
	size_t off = 0, n;

	(void)arg;
	if (rv_rrset_key_decode(k->data, k->len, &key) != RV_OK ||
	    rv_rrset_val_decode(v->data, v->len, &val) != RV_OK)
		return RV_ECORRUPT;
	rv_name_to_str(key.owner, key.owner_len, owner, sizeof(owner));
	n = strlen(owner);
	for (size_t i = 0; i < n; i++)
		rev[i] = owner[n - 1 - i];
	rev[n] = '\0';
	while (rv_set_next(val.set, val.set_len, &off, &rd, &rl) == RV_OK) {
		if (rv_rdata_to_str(key.type, rd, rl, txt, sizeof(txt)) != 0)
			txt[0] = '\0';
		sqlite3_bind_text(ins_rr, 1, owner, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_rr, 2, rev, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins_rr, 3, key.type);
		sqlite3_bind_int64(ins_rr, 4, val.first);
		sqlite3_bind_int64(ins_rr, 5, val.last);
		sqlite3_bind_int64(ins_rr, 6, val.count);
		sqlite3_bind_text(ins_rr, 7, txt, -1, SQLITE_STATIC);
		if (key.type == 1 && rl == 4)
			sqlite3_bind_int64(ins_rr, 8, (sqlite3_int64)rd[0] << 24 |
			    rd[1] << 16 | rd[2] << 8 | rd[3]);
		else
			sqlite3_bind_null(ins_rr, 8);
		if (sqlite3_step(ins_rr) != SQLITE_DONE)
			die("insert", sqlite3_errmsg(sq));
		sqlite3_reset(ins_rr);
		if (++rows % 1000000 == 0)
			fprintf(stderr, "\rload: %llu rows", (unsigned long long)rows);
	}
	return RV_OK;
}

static int
asn(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct rv_ip ip;
	uint32_t a;

	(void)v;
	(void)arg;
	if (rv_asn_key_decode(k->data, k->len, &a, &ip) != RV_OK)
		return RV_ECORRUPT;
	if (ip.family != 4)
		return RV_OK;
	sqlite3_bind_int64(ins_asn, 1, a);
	sqlite3_bind_int64(ins_asn, 2, (sqlite3_int64)ip.addr[0] << 24 |
	    ip.addr[1] << 16 | ip.addr[2] << 8 | ip.addr[3]);
	if (sqlite3_step(ins_asn) != SQLITE_DONE)
		die("insert", sqlite3_errmsg(sq));
	sqlite3_reset(ins_asn);
	return RV_OK;
}

int
main(int argc, char **argv)
{
	struct rv_store *st = NULL;
	struct rv_key all = { 0 };
	struct rv_txn *txn = NULL;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: load LMDB_DIR SQLITE_FILE\n");
		return 2;
	}
	if ((rc = rv_store_open(argv[1], RV_STORE_RDONLY, 0, &st)) ||
	    (rc = rv_store_read_begin(st, &txn)))
		die(argv[1], rv_strerror(rc));
	if (sqlite3_open(argv[2], &sq) != SQLITE_OK)
		die(argv[2], "cannot open");
	if (sqlite3_exec(sq, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
	    "CREATE TABLE rr (owner TEXT, rev TEXT, type INT, first INT, "
	    "last INT, count INT, rdata TEXT, ip INT);"
	    "CREATE TABLE asn (asn INT, ip INT); BEGIN;", NULL, NULL,
	    NULL) != SQLITE_OK)
		die("schema", sqlite3_errmsg(sq));
	sqlite3_prepare_v2(sq, "INSERT INTO rr VALUES (?,?,?,?,?,?,?,?)", -1,
	    &ins_rr, NULL);
	sqlite3_prepare_v2(sq, "INSERT INTO asn VALUES (?,?)", -1, &ins_asn,
	    NULL);
	/* lo = empty key (the start), hi = 0xff: every key */
	struct rv_key hi = { 1, { 0xff } };
	if ((rc = rv_store_scan(st, txn, RV_DB_RRSET, &all, &hi, rrset, NULL)) ||
	    (rc = rv_store_scan(st, txn, RV_DB_ASN, &all, &hi, asn, NULL)))
		die("scan", rv_strerror(rc));
	fprintf(stderr, "\rload: %llu rows, indexing\n",
	    (unsigned long long)rows);
	if (sqlite3_exec(sq, "COMMIT;"
	    "CREATE INDEX rr_owner ON rr(owner);"
	    "CREATE INDEX rr_rev ON rr(rev);"
	    "CREATE INDEX rr_ip ON rr(ip);"
	    "CREATE INDEX asn_asn ON asn(asn, ip);"
	    "ANALYZE;", NULL, NULL, NULL) != SQLITE_OK)
		die("index", sqlite3_errmsg(sq));
	sqlite3_finalize(ins_rr);
	sqlite3_finalize(ins_asn);
	sqlite3_close(sq);
	rv_txn_abort(txn);
	rv_store_close(st);
	return 0;
}
