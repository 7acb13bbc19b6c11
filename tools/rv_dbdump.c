/**
 * \file rv_dbdump.c
 * Test helper: read a rearview database through store/rv_store.h and print
 * it as text, so end-to-end tests can assert on real stored data.
 *
 *   rv_dbdump DB stats             counters, one "name value" a line
 *   rv_dbdump DB rrsets            owner type zone count first last
 *                                  ttl_min ttl_max sensors rdata|rdata
 *   rv_dbdump DB neg               owner type rcode zone count first last
 *   rv_dbdump DB rdata RANGE       owners of A/AAAA rows in an IP range
 *   rv_dbdump DB ip ADDR TIME      enrichment of ADDR at TIME
 *   rv_dbdump DB asn ASN           addresses seen in an ASN
 *   rv_dbdump DB seqcheck N        do n0..n<N-1>.seq.test A exist? prints
 *                                  the number missing, exit 1 if any
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rv_err.h"
#include "rv_ip.h"
#include "rv_name.h"
#include "rv_rdata.h"
#include "rv_store.h"

struct ctx {
	struct rv_store *st;
	struct rv_txn *txn;
	unsigned long found;
};

static int
print_rrset(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct ctx *c = arg;
	struct rv_rrset_key key;
	struct rv_rrset_val val;
	char o[RV_NAME_STR_MAX], z[RV_NAME_STR_MAX], t[RV_TYPE_STR_MAX];
	char rd[4096], sn[RV_SENSOR_NAME_BUF];
	const uint8_t *d;
	uint16_t dl;
	size_t off = 0;

	if (rv_rrset_key_decode(k->data, k->len, &key) ||
	    rv_rrset_val_decode(v->data, v->len, &val)) {
		printf("CORRUPT\n");
		return RV_OK;
	}
	rv_name_to_str(key.owner, key.owner_len, o, sizeof(o));
	rv_name_to_str(key.zone, key.zone_len, z, sizeof(z));
	printf("%s %s %s %u %u %u %u %u ", o, rv_type_to_str(key.type, t), z,
	    val.count, val.first, val.last, val.ttl_min, val.ttl_max);
	for (unsigned i = 0; i < val.nsens; i++) {
		if (rv_store_sensor_name(c->st, c->txn, val.sensor[i], sn,
		    sizeof(sn)) != RV_OK)
			snprintf(sn, sizeof(sn), "#%u", val.sensor[i]);
		printf("%s%s", i ? "," : "", sn);
	}
	printf(" ");
	for (int i = 0; rv_set_next(val.set, val.set_len, &off, &d, &dl) == 0;
	    i++) {
		if (rv_rdata_to_str(key.type, d, dl, rd, sizeof(rd)) != RV_OK)
			snprintf(rd, sizeof(rd), "<%u octets>", dl);
		printf("%s%s", i ? "|" : "", rd);
	}
	printf("\n");
	return RV_OK;
}

static int
print_neg(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct rv_rrset_key key;
	struct rv_rrset_val val;
	char o[RV_NAME_STR_MAX], z[RV_NAME_STR_MAX], t[RV_TYPE_STR_MAX];
	char r[32];

	(void)arg;
	if (rv_neg_key_decode(k->data, k->len, &key) ||
	    rv_neg_val_decode(v->data, v->len, &val)) {
		printf("CORRUPT\n");
		return RV_OK;
	}
	rv_name_to_str(key.owner, key.owner_len, o, sizeof(o));
	rv_name_to_str(key.zone, key.zone_len, z, sizeof(z));
	printf("%s %s %s %s %u %u %u\n", o, rv_type_to_str(key.type, t),
	    rv_rcode_to_str(key.rcode, r), z, val.count, val.first, val.last);
	return RV_OK;
}

static int
print_rdata(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct rv_rdata_key key;
	struct rv_seen s;
	char a[RV_IP_STR_MAX], o[RV_NAME_STR_MAX], t[RV_TYPE_STR_MAX];

	(void)arg;
	if (rv_rdata_key_decode(k->data, k->len, &key) ||
	    rv_rdata_val_decode(v->data, v->len, &s)) {
		printf("CORRUPT\n");
		return RV_OK;
	}
	rv_ip_to_str(&key.ip, a, sizeof(a));
	rv_name_to_str(key.owner, key.owner_len, o, sizeof(o));
	printf("%s %s %s %u %u %u\n", a, rv_type_to_str(key.type, t), o,
	    s.count, s.first, s.last);
	return RV_OK;
}

static int
print_asn(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct rv_ip ip;
	struct rv_seen s;
	uint32_t asn;
	char a[RV_IP_STR_MAX];

	(void)arg;
	if (rv_asn_key_decode(k->data, k->len, &asn, &ip) ||
	    rv_asn_val_decode(v->data, v->len, &s))
		return RV_ECORRUPT;
	rv_ip_to_str(&ip, a, sizeof(a));
	printf("AS%u %s %u %u\n", asn, a, s.first, s.last);
	return RV_OK;
}

static int
stats(struct ctx *c)
{
	struct rv_store_stats s;
	int rc = rv_store_stats_read(c->st, c->txn, &s);

	if (rc)
		return rc;
	for (int i = 0; i < RV_STAT_COUNT; i++)
		printf("%s %llu\n", rv_stat_name(i),
		    (unsigned long long)s.v[i]);
	printf("last_write %u\n", s.last_write);
	return RV_OK;
}

static int
seqcheck(struct ctx *c, unsigned long n)
{
	unsigned long missing = 0;
	char s[64];
	uint8_t w[RV_NAME_MAX];
	size_t wl;
	struct rv_key k;
	struct rv_cursor *cur;
	int rc;

	if ((rc = rv_cursor_open(c->st, c->txn, RV_DB_RRSET, &cur)) != RV_OK)
		return rc;
	for (unsigned long i = 0; i < n; i++) {
		struct rv_val kv, v;
		snprintf(s, sizeof(s), "n%lu.seq.test", i);
		rv_name_from_str(s, w, &wl);
		rv_key_rrset_name_type(&k, w, wl, 1);
		kv = rv_key_val(&k);
		if (rv_cursor_get(cur, &kv, &v, RV_SET_RANGE) != RV_OK ||
		    !rv_key_has_prefix(&kv, &k))
			missing++;
	}
	rv_cursor_close(cur);
	printf("%lu\n", missing);
	return missing ? RV_ENOENT : RV_OK;
}

int
main(int argc, char **argv)
{
	struct ctx c = { 0 };
	struct rv_key lo, hi;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: rv_dbdump DB stats|rrsets|neg|rdata R|"
		    "ip A T|asn N|seqcheck N\n");
		return 2;
	}
	if ((rc = rv_store_open(argv[1], RV_STORE_RDONLY, 0, &c.st))) {
		fprintf(stderr, "rv_dbdump: %s: %s\n", argv[1],
		    rv_strerror(rc));
		return 3;
	}
	if ((rc = rv_store_read_begin(c.st, &c.txn)))
		goto leave;
	if (!strcmp(argv[2], "stats")) {
		rc = stats(&c);
	} else if (!strcmp(argv[2], "rrsets") || !strcmp(argv[2], "neg")) {
		lo.len = 0;
		memset(hi.buf, 0xff, 8);
		hi.len = 8;
		rc = rv_store_scan(c.st, c.txn, argv[2][0] == 'r' ? RV_DB_RRSET :
		    RV_DB_NEG, &lo, &hi, argv[2][0] == 'r' ? print_rrset :
		    print_neg, &c);
	} else if (!strcmp(argv[2], "rdata") && argc > 3) {
		struct rv_iprange r;
		if ((rc = rv_range_parse(argv[3], &r)) == 0 &&
		    (rc = rv_key_rdata_range(&lo, &hi, &r)) == 0)
			rc = rv_store_scan(c.st, c.txn, RV_DB_RDATA, &lo, &hi,
			    print_rdata, &c);
	} else if (!strcmp(argv[2], "ip") && argc > 4) {
		struct rv_ip ip;
		struct rv_ipinfo info;
		if ((rc = rv_ip_parse(argv[3], &ip)) == 0 &&
		    (rc = rv_store_ipinfo_at(c.st, c.txn, &ip,
		    (uint32_t)strtoul(argv[4], NULL, 10), &info)) == 0)
			printf("since=%u until=%u asn=%u cc=%s city=%s org=%s "
			    "lat=%d lon=%d\n", info.since, info.until,
			    info.asn, info.cc, info.city, info.org, info.lat,
			    info.lon);
	} else if (!strcmp(argv[2], "asn") && argc > 3) {
		rv_key_asn_prefix(&lo, (uint32_t)strtoul(argv[3], NULL, 10));
		rc = rv_store_scan(c.st, c.txn, RV_DB_ASN, &lo, &lo, print_asn,
		    &c);
	} else if (!strcmp(argv[2], "seqcheck") && argc > 3) {
		rc = seqcheck(&c, strtoul(argv[3], NULL, 10));
		if (rc == RV_ENOENT) {
			rv_txn_abort(c.txn);
			rv_store_close(c.st);
			return 1;
		}
	} else {
		fprintf(stderr, "rv_dbdump: unknown command\n");
		rc = RV_EINVAL;
	}
leave:
	rv_txn_abort(c.txn);
	rv_store_close(c.st);
	if (rc) {
		fprintf(stderr, "rv_dbdump: %s\n", rv_strerror(rc));
		return 3;
	}
	return 0;
}
