/**
 * \file load.c
 * Builds the CLI benchmark's data twice from the same generator
 * (bench/gen): a rearview LMDB database through the store API, and an
 * SQLite file with the indexes a team would add (owner, reversed owner for
 * *.domain, address as integer for CIDR, ASN). Plus "big.bench." with
 * 1,000 names for the *.domain query.
 *
 * usage: load LMDB_DIR SQLITE_FILE NRRSETS
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "gen.h"
#include "rv_err.h"
#include "rv_name.h"
#include "rv_rdata.h"
#include "rv_store.h"

#define BATCH 200000

static struct rv_store *st;
static MDB_txn *txn;
static sqlite3 *sq;
static sqlite3_stmt *ins_rr, *ins_rd, *ins_asn;

static void
die(const char *what, int rc)
{
	fprintf(stderr, "load: %s: %d %s\n", what, rc, rv_strerror(rc));
	exit(1);
}

static void
put(enum rv_db db, const struct rv_key *k, const void *v, size_t vl,
    unsigned flags)
{
	MDB_val key = rv_key_val(k), val = { vl, (void *)v };
	int rc = mdb_put(txn, rv_store_dbi(st, db), &key, &val, flags);

	if (rc != 0 && rc != MDB_KEYEXIST)
		die("mdb_put", rv_store_err(rc));
}

/* A synthetic ASN per /16 so the ASN pivot has something to find. */
static uint32_t
asn_of(const uint8_t *a)
{
	return 64512 + (uint32_t)((a[0] * 256u + a[1]) % 1000);
}

static void
load_rrset(const struct gen_rrset *g, uint32_t first, uint32_t last,
    uint32_t count, uint16_t sid)
{
	uint8_t set[GEN_RDATA_MAX + 16], val[GEN_RDATA_MAX + 64];
	char owner[RV_NAME_STR_MAX], rev[RV_NAME_STR_MAX], rdtxt[8192];
	size_t setlen, off = 0, tl;
	uint16_t setcount, rl;
	const uint8_t *rd, *t;
	struct rv_rrset_val v;
	struct rv_seen s = { first, last, count };
	uint8_t sv[RV_RDATA_VAL_SIZE];
	struct rv_key k;
	int rc;

	if ((rc = rv_set_canon(g->type, g->rdata, g->rdlen, g->rdcount, set,
	    sizeof(set), &setlen, &setcount)))
		die("set", rc);
	memset(&v, 0, sizeof(v));
	v.first = first;
	v.last = last;
	v.count = count;
	v.ttl_min = v.ttl_max = g->ttl;
	rv_rrset_val_add_sensor(&v, sid);
	v.rdcount = setcount;
	v.set = set;
	v.set_len = setlen;
	rv_key_rrset(&k, g->owner, g->olen, g->type, g->zone, g->zlen,
	    rv_set_digest(set, setlen));
	rv_rrset_val_encode(&v, val);
	put(RV_DB_RRSET, &k, val, rv_rrset_val_size(&v), 0);
	rv_key_names(&k, g->owner, g->olen);
	rv_seen2_encode(&s, sv);
	put(RV_DB_NAMES, &k, sv, RV_SEEN2_SIZE, 0);
	rv_name_to_str(g->owner, g->olen, owner, sizeof(owner));
	/* reversed presentation for SQLite's *.domain range */
	size_t n = strlen(owner);
	for (size_t i = 0; i < n; i++)
		rev[i] = owner[n - 1 - i];
	rev[n] = '\0';
	while ((rc = rv_set_next(set, setlen, &off, &rd, &rl)) == RV_OK) {
		rv_rdata_val_encode(&s, sv);
		sqlite3_int64 ip = -1;
		if ((g->type == 1 && rl == 4) || (g->type == 28 && rl == 16)) {
			struct rv_ip a = { .family = rl == 4 ? 4 : 6 };
			memcpy(a.addr, rd, rl);
			rv_key_rdata_ip(&k, &a, g->type, g->owner, g->olen);
			if (rl == 4) {
				uint8_t iv[64];
				struct rv_ipinfo info;
				uint32_t asn = asn_of(rd);
				struct rv_key ak;
				struct rv_seen as = { 1600000000, UINT32_MAX - 1, 0 };
				ip = (sqlite3_int64)rd[0] << 24 | rd[1] << 16 |
				    rd[2] << 8 | rd[3];
				memset(&info, 0, sizeof(info));
				info.asn = asn;
				strcpy(info.cc, "ZZ");
				info.lat = info.lon = RV_LATLON_NONE;
				rv_key_ip(&ak, &a, 1600000000);
				rv_ipinfo_encode(&info, iv);
				put(RV_DB_IP, &ak, iv, rv_ipinfo_size(&info), 0);
				rv_key_asn(&ak, asn, &a);
				rv_seen2_encode(&as, iv);
				put(RV_DB_ASN, &ak, iv, RV_SEEN2_SIZE, 0);
				sqlite3_bind_int64(ins_asn, 1, asn);
				sqlite3_bind_int64(ins_asn, 2, ip);
				sqlite3_step(ins_asn);
				sqlite3_reset(ins_asn);
			}
		} else if (rv_rdata_target(g->type, rd, rl, &t, &tl) == RV_OK) {
			rv_key_rdata_name(&k, t, tl, g->type, g->owner, g->olen);
		} else {
			rv_key_rdata_hash(&k, rv_rdata_digest(g->type, rd, rl),
			    g->type, g->owner, g->olen);
		}
		put(RV_DB_RDATA, &k, sv, RV_RDATA_VAL_SIZE, 0);
		rv_rdata_to_str(g->type, rd, rl, rdtxt, sizeof(rdtxt));
		sqlite3_bind_text(ins_rr, 1, owner, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_rr, 2, rev, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins_rr, 3, g->type);
		sqlite3_bind_int64(ins_rr, 4, first);
		sqlite3_bind_int64(ins_rr, 5, last);
		sqlite3_bind_int64(ins_rr, 6, count);
		sqlite3_bind_text(ins_rr, 7, rdtxt, -1, SQLITE_STATIC);
		if (ip >= 0)
			sqlite3_bind_int64(ins_rr, 8, ip);
		else
			sqlite3_bind_null(ins_rr, 8);
		if (sqlite3_step(ins_rr) != SQLITE_DONE)
			die(sqlite3_errmsg(sq), 0);
		sqlite3_reset(ins_rr);
	}
}

static void
begin(void)
{
	int rc;

	if ((rc = rv_store_write_begin(st, &txn)))
		die("begin", rc);
	sqlite3_exec(sq, "BEGIN", NULL, NULL, NULL);
}

static void
commit(void)
{
	int rc = mdb_txn_commit(txn);

	if (rc)
		die("commit", rv_store_err(rc));
	sqlite3_exec(sq, "COMMIT", NULL, NULL, NULL);
}

int
main(int argc, char **argv)
{
	struct gen_cfg c;
	struct gen_rrset g;
	uint64_t n;
	uint16_t sid;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: load LMDB_DIR SQLITE_FILE NRRSETS\n");
		return 2;
	}
	n = strtoull(argv[3], NULL, 10);
	gen_defaults(&c);
	c.nrrsets = n;
	c.nobs = n;
	if ((rc = rv_store_open(argv[1], RV_STORE_CREATE, (size_t)n * 2048 +
	    (1u << 30), &st)))
		die(argv[1], rc);
	if (sqlite3_open(argv[2], &sq) != SQLITE_OK)
		die("sqlite3_open", 0);
	sqlite3_exec(sq, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
	    "CREATE TABLE rr (owner TEXT, rev TEXT, type INT, first INT, "
	    "last INT, count INT, rdata TEXT, ip INT);"
	    "CREATE TABLE asn (asn INT, ip INT);", NULL, NULL, NULL);
	sqlite3_prepare_v2(sq, "INSERT INTO rr VALUES (?,?,?,?,?,?,?,?)", -1,
	    &ins_rr, NULL);
	sqlite3_prepare_v2(sq, "INSERT INTO rr (owner) VALUES (?)", -1,
	    &ins_rd, NULL);
	sqlite3_prepare_v2(sq, "INSERT OR IGNORE INTO asn VALUES (?,?)", -1,
	    &ins_asn, NULL);
	begin();
	if ((rc = rv_store_sensor_get_or_add(st, txn, "bench", 5, &sid)))
		die("sensor", rc);
	for (uint64_t i = 0; i < n; i++) {
		uint32_t first = c.t0 + (uint32_t)(i * c.span / n);
		gen_rrset(&c, i, &g);
		load_rrset(&g, first, first + (uint32_t)(i % 3600),
		    1 + (uint32_t)(i % 7), sid);
		if (i % BATCH == BATCH - 1) {
			commit();
			begin();
			fprintf(stderr, "\rload: %llu", (unsigned long long)i + 1);
		}
	}
	/* big.bench.: 1,000 names under one domain, each an A */
	for (int i = 0; i < 1000; i++) {
		char name[64];
		memset(&g, 0, sizeof(g));
		snprintf(name, sizeof(name), "h%d.big.bench.", i);
		rv_name_from_str(name, g.owner, &g.olen);
		rv_name_from_str("big.bench.", g.zone, &g.zlen);
		g.type = 1;
		g.ttl = 60;
		g.rdcount = 1;
		g.rdata[0] = 0;
		g.rdata[1] = 4;
		g.rdata[2] = 198;
		g.rdata[3] = 18;
		g.rdata[4] = (uint8_t)(i >> 8);
		g.rdata[5] = (uint8_t)i;
		g.rdlen = 6;
		load_rrset(&g, c.t0 + (uint32_t)i, c.t0 + 5000, 1, sid);
	}
	uint64_t add[RV_STAT_COUNT] = { 0 };
	add[RV_STAT_RRSETS] = n + 1000;
	rv_store_stats_add(st, txn, add, c.t0 + c.span);
	commit();
	fprintf(stderr, "\rload: indexing sqlite\n");
	sqlite3_exec(sq, "CREATE INDEX rr_owner ON rr(owner);"
	    "CREATE INDEX rr_rev ON rr(rev);"
	    "CREATE INDEX rr_ip ON rr(ip);"
	    "CREATE INDEX asn_asn ON asn(asn, ip);"
	    "ANALYZE;", NULL, NULL, NULL);
	sqlite3_finalize(ins_rr);
	sqlite3_finalize(ins_rd);
	sqlite3_finalize(ins_asn);
	sqlite3_close(sq);
	rv_store_close(st);
	return 0;
}
