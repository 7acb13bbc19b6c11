/**
 * \file test_cli_fixture.c
 * The CLI tests' database writer (see test_cli_fixture.h): a plain,
 * record-at-a-time use of the store's write API.
 */
#include "test_cli_fixture.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "rv_err.h"
#include "rv_frame.h"
#include "rv_ip.h"
#include "rv_name.h"
#include "rv_rdata.h"
#include "tmp_store.h"

#define CHECK(x) do { if ((rc = (x)) != RV_OK) goto leave; } while (0)

static int
put(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    const struct rv_key *k, const void *v, size_t vl)
{
	struct rv_val key = rv_key_val(k), val = { vl, v };

	return rv_put(st, txn, db, &key, &val, 0);
}

static int
get(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    const struct rv_key *k, struct rv_val *val)
{
	struct rv_val key = rv_key_val(k);

	return rv_get(st, txn, db, &key, val);
}

/* rdata/names/asn rows: merge first/last/count. */
static int
put_seen(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    const struct rv_key *k, const struct fx_rec *r, int with_count)
{
	struct rv_seen s = { r->first, r->last, r->count }, old;
	uint8_t b[RV_RDATA_VAL_SIZE];
	struct rv_val v;

	if (get(st, txn, db, k, &v) == RV_OK &&
	    (with_count ? rv_rdata_val_decode(v.data, v.len, &old) :
	    rv_asn_val_decode(v.data, v.len, &old)) == RV_OK)
		rv_seen_merge(&s, &old);
	if (with_count) {
		rv_rdata_val_encode(&s, b);
		return put(st, txn, db, k, b, RV_RDATA_VAL_SIZE);
	}
	rv_seen2_encode(&s, b);
	return put(st, txn, db, k, b, RV_SEEN2_SIZE);
}

static const struct fx_ip *
find_ip(const struct fx_ip *ips, size_t nips, const struct rv_ip *ip)
{
	for (size_t i = 0; i < nips; i++) {
		struct rv_ip a;
		if (rv_ip_parse(ips[i].addr, &a) == RV_OK &&
		    a.family == ip->family &&
		    memcmp(a.addr, ip->addr, rv_ip_len(a.family)) == 0)
			return &ips[i];
	}
	return NULL;
}

static int
write_ip(struct rv_store *st, struct rv_txn *txn, const struct fx_ip *fi,
    const struct rv_ip *ip, const struct fx_rec *r)
{
	struct rv_ipinfo info;
	uint8_t b[1024];
	struct rv_key k;
	int rc;

	memset(&info, 0, sizeof(info));
	info.since = fi->since;
	info.asn = fi->asn;
	snprintf(info.cc, sizeof(info.cc), "%s", fi->cc ? fi->cc : "");
	snprintf(info.org, sizeof(info.org), "%s", fi->org ? fi->org : "");
	snprintf(info.city, sizeof(info.city), "%s",
	    fi->city ? fi->city : "");
	info.lat = info.lon = RV_LATLON_NONE;
	CHECK(rv_key_ip(&k, ip, fi->since));
	rv_ipinfo_encode(&info, b);
	CHECK(put(st, txn, RV_DB_IP, &k, b, rv_ipinfo_size(&info)));
	CHECK(rv_key_asn(&k, fi->asn, ip));
	CHECK(put_seen(st, txn, RV_DB_ASN, &k, r, 0));
leave:
	return rc;
}

/* A record's value without its rdata (times, count, TTL, its sensor, the
 * sensor's counters updated), as a flush would start it. */
static int
seen_val(struct rv_store *st, struct rv_txn *txn, const struct fx_rec *r,
    struct rv_rrset_val *v)
{
	uint16_t sid;
	int rc;

	CHECK(rv_store_sensor_get_or_add(st, txn, r->sensor, strlen(r->sensor),
	    &sid));
	CHECK(rv_store_sensor_stat_add(st, txn, sid, r->count, r->last));
	memset(v, 0, sizeof(*v));
	v->first = r->first;
	v->last = r->last;
	v->count = r->count;
	v->ttl_min = v->ttl_max = r->ttl;
	rv_rrset_val_add_sensor(v, sid);
leave:
	return rc;
}

/* A negative answer: a neg row, as the flush writes it (no names row). */
static int
write_neg(struct rv_store *st, struct rv_txn *txn, const struct fx_rec *r,
    uint16_t type, const uint8_t *owner, size_t olen, const uint8_t *zone,
    size_t zlen, uint64_t *stats)
{
	uint8_t val[1024];
	struct rv_rrset_val v, old;
	struct rv_key k;
	struct rv_val mv;
	int rc;

	CHECK(seen_val(st, txn, r, &v));
	CHECK(rv_key_neg(&k, owner, olen, type,
	    strcmp(r->rdata[0], "!NXDOMAIN") == 0 ? 3 : 0, zlen ? zone : NULL,
	    zlen));
	if (get(st, txn, RV_DB_NEG, &k, &mv) == RV_OK &&
	    rv_neg_val_decode(mv.data, mv.len, &old) == RV_OK)
		rv_rrset_val_merge(&v, &old);
	else
		stats[RV_STAT_NEGATIVES]++;
	stats[RV_STAT_OBSERVATIONS] += r->count;
	rv_neg_val_encode(&v, val);
	CHECK(put(st, txn, RV_DB_NEG, &k, val, rv_neg_val_size(&v)));
leave:
	return rc;
}

static int
write_rec(struct rv_store *st, struct rv_txn *txn, const struct fx_rec *r,
    const struct fx_ip *ips, size_t nips, uint64_t *stats)
{
	uint8_t block[8192], set[8192], owner[RV_NAME_MAX], zone[RV_NAME_MAX];
	uint8_t val[16384];
	size_t blen = 0, olen, zlen = 0, setlen;
	uint16_t type, rdcount = 0, setcount;
	struct rv_rrset_val v, old;
	struct rv_key k;
	struct rv_val mv;
	int rc;

	CHECK(rv_type_from_str(r->type, &type));
	CHECK(rv_name_from_str(r->owner, owner, &olen));
	rv_name_canon(owner, olen);
	if (r->zone != NULL) {
		CHECK(rv_name_from_str(r->zone, zone, &zlen));
		rv_name_canon(zone, zlen);
	}
	if (r->rdata[0] != NULL && r->rdata[0][0] == '!')
		return write_neg(st, txn, r, type, owner, olen, zone, zlen,
		    stats);
	for (int i = 0; i < FX_RDATA_MAX && r->rdata[i] != NULL; i++) {
		size_t len = sizeof(block) - blen - 2;
		CHECK(rv_rdata_from_str(type, r->rdata[i], block + blen + 2,
		    &len));
		block[blen] = (uint8_t)(len >> 8);
		block[blen + 1] = (uint8_t)len;
		blen += 2 + len;
		rdcount++;
	}
	CHECK(rv_set_canon(type, block, blen, rdcount, set, sizeof(set),
	    &setlen, &setcount));
	CHECK(seen_val(st, txn, r, &v));
	v.rdcount = setcount;
	v.set = set;
	v.set_len = setlen;
	CHECK(rv_key_rrset(&k, owner, olen, type, zlen ? zone : NULL, zlen,
	    rv_set_digest(set, setlen)));
	if (get(st, txn, RV_DB_RRSET, &k, &mv) == RV_OK &&
	    rv_rrset_val_decode(mv.data, mv.len, &old) == RV_OK) {
		rv_rrset_val_merge(&v, &old);
	} else {
		stats[RV_STAT_RRSETS]++;
	}
	stats[RV_STAT_OBSERVATIONS] += r->count;
	rv_rrset_val_encode(&v, val);
	CHECK(put(st, txn, RV_DB_RRSET, &k, val, rv_rrset_val_size(&v)));
	CHECK(rv_key_names(&k, owner, olen));
	CHECK(put_seen(st, txn, RV_DB_NAMES, &k, r, 0));
	/* The reverse index: one row per rdata. */
	size_t off = 0;
	const uint8_t *rd, *t;
	uint16_t rl;
	size_t tl;
	while (rv_set_next(set, setlen, &off, &rd, &rl) == RV_OK) {
		if ((type == 1 && rl == 4) || (type == 28 && rl == 16)) {
			struct rv_ip ip = { .family = rl == 4 ? 4 : 6 };
			const struct fx_ip *fi;
			memcpy(ip.addr, rd, rl);
			CHECK(rv_key_rdata_ip(&k, &ip, type, owner, olen));
			if ((fi = find_ip(ips, nips, &ip)) != NULL) {
				CHECK(write_ip(st, txn, fi, &ip, r));
				stats[RV_STAT_IPS]++;
			}
		} else if (rv_rdata_target(type, rd, rl, &t, &tl) == RV_OK) {
			/* targets are names rows too, as flushes write them */
			CHECK(rv_key_names(&k, t, tl));
			CHECK(put_seen(st, txn, RV_DB_NAMES, &k, r, 0));
			CHECK(rv_key_rdata_name(&k, t, tl, type, owner, olen));
		} else {
			CHECK(rv_key_rdata_hash(&k, rv_rdata_digest(type, rd,
			    rl), type, owner, olen));
		}
		CHECK(put_seen(st, txn, RV_DB_RDATA, &k, r, 1));
	}
leave:
	return rc;
}

int
fx_write(struct rv_store *st, const struct fx_rec *recs, size_t n,
    const struct fx_ip *ips, size_t nips)
{
	uint64_t stats[RV_STAT_COUNT] = { 0 };
	struct rv_txn *txn = NULL;
	uint32_t last = 0;
	int rc;

	CHECK(rv_store_write_begin(st, &txn));
	for (size_t i = 0; i < n; i++) {
		CHECK(write_rec(st, txn, &recs[i], ips, nips, stats));
		if (recs[i].last > last)
			last = recs[i].last;
	}
	CHECK(rv_store_stats_add(st, txn, stats, last));
	rc = rv_txn_commit(st, txn);
	txn = NULL;
leave:
	rv_txn_abort(txn);
	return rc;
}

int
fx_build(const char *dir, const struct fx_rec *recs, size_t n,
    const struct fx_ip *ips, size_t nips)
{
	struct rv_store *st = NULL;
	int rc;

	CHECK(rv_store_open(dir, RV_STORE_CREATE, 0, &st));
	rc = fx_write(st, recs, n, ips, nips);
leave:
	rv_store_close(st);
	return rc;
}

/* Read what a captured stream got back into buf. */
static void
slurp(FILE *f, char *buf, size_t sz)
{
	size_t n = 0;

	if (f != NULL) {
		rewind(f);
		n = fread(buf, 1, sz - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/* cli_main with stdout on fd out and stderr on fd err, both restored
 * after (and stdout's error flag cleared: it was this run's). */
static int
run_on(int out, int err, int argc, char **argv)
{
	int rc, so, se;

	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(out, 1);
	dup2(err, 2);
	rc = cli_main(argc, argv);
	fflush(stdout);
	clearerr(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	return rc;
}

int
fx_run(int argc, char **argv, char *out, size_t outsz, char *err,
    size_t errsz)
{
	FILE *fo = tmpfile(), *fe = tmpfile();
	int rc = -1;

	if (fo != NULL && fe != NULL)
		rc = run_on(fileno(fo), fileno(fe), argc, argv);
	slurp(fo, out, outsz);
	slurp(fe, err, errsz);
	return rc;
}

int
fx_run_to(const char *path, int argc, char **argv, char *err, size_t errsz)
{
	FILE *fe = tmpfile();
	int rc = -1, fd = open(path, O_WRONLY);

	if (fe != NULL && fd >= 0)
		rc = run_on(fd, fileno(fe), argc, argv);
	if (fd >= 0)
		close(fd);
	slurp(fe, err, errsz);
	return rc;
}

int
fx_rv(char *out, size_t outsz, char *err, size_t errsz, const char *a0, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = "rearview";
	argv[argc++] = (char *)a0;
	va_start(ap, a0);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	return fx_run(argc, argv, out, outsz, err, errsz);
}

int
fx_setup(char *dir, size_t dirsz, const char *prefix,
    const struct fx_rec *recs, size_t n, const struct fx_ip *ips, size_t nips)
{
	snprintf(dir, dirsz, "/tmp/%s-XXXXXX", prefix);
	if (mkdtemp(dir) == NULL || fx_build(dir, recs, n, ips, nips) != RV_OK)
		return -1;
	setenv("REARVIEW_DB", dir, 1);
	setenv("COLUMNS", "80", 1);
	return 0;
}

int
fx_teardown(const char *dir)
{
	return tmp_store_close(dir, NULL);
}
