/**
 * \file rv_ch.c
 * A store row -> a RowBinary row of its ClickHouse `_ingest` table
 * (rv_ch.h). RowBinary: integers little-endian, a String as its LEB128
 * length and octets, an Array as its LEB128 size and elements.
 */
#include "config.h"

#include "rv_ch.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rv_err.h"
#include "rv_ip.h"
#include "rv_name.h"
#include "rv_rdata.h"

void
rv_chbuf_free(struct rv_chbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void
rv_chbuf_reset(struct rv_chbuf *b)
{
	b->len = 0;
	b->rows = 0;
}

/* Room for n more octets. */
static int
room(struct rv_chbuf *b, size_t n)
{
	size_t nc;
	uint8_t *np;

	if (b->len + n <= b->cap)
		return RV_OK;
	for (nc = b->cap ? b->cap : 65536; nc < b->len + n; nc *= 2)
		;
	if ((np = realloc(b->p, nc)) == NULL)
		return RV_ENOMEM;
	b->p = np;
	b->cap = nc;
	return RV_OK;
}

static int
put_uint(struct rv_chbuf *b, uint64_t x, size_t octets)
{
	if (room(b, octets) != RV_OK)
		return RV_ENOMEM;
	for (size_t i = 0; i < octets; i++)
		b->p[b->len++] = (uint8_t)(x >> (8 * i));
	return RV_OK;
}

static int
put_leb(struct rv_chbuf *b, uint64_t x)
{
	if (room(b, 10) != RV_OK)
		return RV_ENOMEM;
	do {
		uint8_t c = x & 0x7f;
		x >>= 7;
		b->p[b->len++] = (uint8_t)(c | (x ? 0x80 : 0));
	} while (x);
	return RV_OK;
}

static int
put_str(struct rv_chbuf *b, const void *s, size_t len)
{
	if (put_leb(b, len) != RV_OK || room(b, len) != RV_OK)
		return RV_ENOMEM;
	memcpy(b->p + b->len, s, len);
	b->len += len;
	return RV_OK;
}

static int
put_cstr(struct rv_chbuf *b, const char *s)
{
	return put_str(b, s, strlen(s));
}

/* A wire name in presentation form ("" when it does not print). */
static int
put_name(struct rv_chbuf *b, const uint8_t *wire, size_t len)
{
	char s[RV_NAME_STR_MAX];

	if (rv_name_to_str(wire, len, s, sizeof(s)) != RV_OK)
		s[0] = '\0';
	return put_cstr(b, s);
}

static int
put_ip(struct rv_chbuf *b, const struct rv_ip *ip)
{
	char s[64];

	if (rv_ip_to_str(ip, s, sizeof(s)) != RV_OK)
		s[0] = '\0';
	return put_cstr(b, s);
}

/* The registered domain of an owner ("" for a public suffix). */
static int
put_regdom(struct rv_chbuf *b, const void *psl, const uint8_t *wire,
    size_t len)
{
	size_t off;

	if (rv_regdom(psl != NULL ? psl : rv_psl_default(), wire, len, &off) !=
	    RV_OK)
		return put_str(b, "", 0);
	return put_name(b, wire + off, len - off);
}

/* One rdata in presentation form ("" when it does not print): most fit
 * the stack; an RFC 3597 form of 64 KiB does not. */
static int
put_rd(struct rv_chbuf *b, uint16_t type, const uint8_t *rd, uint16_t rl)
{
	char small[1024], *s = small;
	size_t cap = sizeof(small);
	int rc;

	rc = rv_rdata_to_str(type, rd, rl, s, cap);
	if (rc == RV_ETOOBIG) {
		cap = 4 * (size_t)rl + 64;
		if ((s = malloc(cap)) == NULL)
			return RV_ENOMEM;
		rc = rv_rdata_to_str(type, rd, rl, s, cap);
	}
	rc = put_cstr(b, rc == RV_OK ? s : "");
	if (s != small)
		free(s);
	return rc;
}

/* The rdata of a set, one element each. */
static int
put_rdata(struct rv_chbuf *b, uint16_t type, const uint8_t *set, size_t len,
    uint16_t rdcount)
{
	const uint8_t *rd;
	uint16_t rl;
	size_t off = 0;
	int rc = put_leb(b, rdcount);

	for (uint16_t i = 0; rc == RV_OK && i < rdcount; i++) {
		if (rv_set_next(set, len, &off, &rd, &rl) != RV_OK)
			return RV_ECORRUPT;
		rc = put_rd(b, type, rd, rl);
	}
	return rc;
}

static int
put_sensors(struct rv_chbuf *b, const struct rv_rrset_val *v,
    rv_ch_sensor_fn sensor, void *arg)
{
	int rc = put_leb(b, v->nsens);

	for (unsigned i = 0; rc == RV_OK && i < v->nsens; i++) {
		const char *n = sensor ? sensor(arg, v->sensor[i]) : NULL;
		char id[16];

		if (n == NULL) {
			snprintf(id, sizeof(id), "#%u", v->sensor[i]);
			n = id;
		}
		rc = put_cstr(b, n);
	}
	return rc;
}

/* time_first, time_last [, count] */
static int
put_seen(struct rv_chbuf *b, const struct rv_seen *s, int count)
{
	int rc = put_uint(b, s->first, 4);

	if (rc == RV_OK)
		rc = put_uint(b, s->last, 4);
	if (rc == RV_OK && count)
		rc = put_uint(b, s->count, 8);
	return rc;
}

/* time_first, time_last, count, ttl_min, ttl_max, sensors */
static int
put_figures(struct rv_chbuf *b, const struct rv_rrset_val *v,
    rv_ch_sensor_fn sensor, void *arg)
{
	struct rv_seen s = { v->first, v->last, v->count };
	int rc = put_seen(b, &s, 1);

	if (rc == RV_OK)
		rc = put_uint(b, v->ttl_min, 4);
	if (rc == RV_OK)
		rc = put_uint(b, v->ttl_max, 4);
	return rc == RV_OK ? put_sensors(b, v, sensor, arg) : rc;
}

static int
row_rrset(struct rv_chbuf *b, enum rv_db db, const uint8_t *k, size_t klen,
    const uint8_t *v, size_t vlen, const void *psl, rv_ch_sensor_fn sensor,
    void *arg)
{
	struct rv_rrset_key key;
	struct rv_rrset_val val;
	int neg = db == RV_DB_NEG, rc;

	if ((neg ? rv_neg_key_decode(k, klen, &key) :
	    rv_rrset_key_decode(k, klen, &key)) != RV_OK ||
	    (neg ? rv_neg_val_decode(v, vlen, &val) :
	    rv_rrset_val_decode(v, vlen, &val)) != RV_OK)
		return RV_ECORRUPT;
	if ((rc = put_str(b, k, klen)) != RV_OK ||
	    (rc = put_regdom(b, psl, key.owner, key.owner_len)) != RV_OK ||
	    (rc = put_name(b, key.owner, key.owner_len)) != RV_OK ||
	    (rc = put_uint(b, key.type, 2)) != RV_OK)
		return rc;
	if (neg && (rc = put_uint(b, key.rcode, 1)) != RV_OK)
		return rc;
	if ((rc = put_name(b, key.zone, key.zone_len)) != RV_OK)
		return rc;
	if (!neg && ((rc = put_rdata(b, key.type, val.set, val.set_len,
	    val.rdcount)) != RV_OK || (rc = put_uint(b, val.rdcount, 2)) !=
	    RV_OK || (rc = put_str(b, val.set, val.set_len)) != RV_OK))
		return rc;
	return put_figures(b, &val, sensor, arg);
}

static int
row_rdata(struct rv_chbuf *b, const uint8_t *k, size_t klen,
    const uint8_t *v, size_t vlen)
{
	struct rv_rdata_key key;
	struct rv_seen s;
	char h[24];
	int rc;

	if (rv_rdata_key_decode(k, klen, &key) != RV_OK ||
	    rv_rdata_val_decode(v, vlen, &s) != RV_OK)
		return RV_ECORRUPT;
	if ((rc = put_str(b, k, klen)) != RV_OK)
		return rc;
	if (key.tag == RV_TAG_IPV4 || key.tag == RV_TAG_IPV6) {
		rc = put_ip(b, &key.ip);
	} else if (key.tag == RV_TAG_NAME) {
		rc = put_name(b, key.target, key.target_len);
	} else {
		snprintf(h, sizeof(h), "#%016llx",
		    (unsigned long long)key.digest);
		rc = put_cstr(b, h);
	}
	if (rc != RV_OK || (rc = put_uint(b, key.type, 2)) != RV_OK ||
	    (rc = put_name(b, key.owner, key.owner_len)) != RV_OK)
		return rc;
	return put_seen(b, &s, 1);
}

/* names, regdom 'D' and asn: key, readable columns, first, last */
static int
row_seen2(struct rv_chbuf *b, enum rv_db db, const uint8_t *k, size_t klen,
    const uint8_t *v, size_t vlen)
{
	uint8_t wire[RV_NAME_MAX];
	size_t wl;
	uint32_t asn, first;
	struct rv_ip ip;
	struct rv_seen s;
	int rc;

	if ((db == RV_DB_ASN ? rv_asn_val_decode(v, vlen, &s) :
	    rv_names_val_decode(v, vlen, &s)) != RV_OK)
		return RV_ECORRUPT;
	if (db == RV_DB_NAMES) {
		if (rv_names_key_decode(k, klen, wire, &wl) != RV_OK)
			return RV_ECORRUPT;
	} else if (db == RV_DB_REGDOM) {
		if (rv_regdom_key_decode(k, klen, &first, wire, &wl) != RV_OK)
			return RV_ECORRUPT;
	} else if (rv_asn_key_decode(k, klen, &asn, &ip) != RV_OK) {
		return RV_ECORRUPT;
	}
	if ((rc = put_str(b, k, klen)) != RV_OK)
		return rc;
	if (db == RV_DB_ASN)
		rc = put_uint(b, asn, 4) == RV_OK ? put_ip(b, &ip) : RV_ENOMEM;
	else
		rc = put_name(b, wire, wl);
	return rc == RV_OK ? put_seen(b, &s, 0) : rc;
}

static int
row_ip(struct rv_chbuf *b, const uint8_t *k, size_t klen, const uint8_t *v,
    size_t vlen, uint32_t version)
{
	struct rv_ipinfo in;
	struct rv_ip ip;
	uint32_t since;
	char cc[2];
	int rc;

	if (rv_ip_key_decode(k, klen, &ip, &since) != RV_OK ||
	    rv_ipinfo_decode(v, vlen, &in) != RV_OK)
		return RV_ECORRUPT;
	cc[0] = in.cc[0];
	cc[1] = in.cc[0] ? in.cc[1] : '\0';
	if ((rc = put_str(b, k, klen)) != RV_OK ||
	    (rc = put_ip(b, &ip)) != RV_OK ||
	    (rc = put_uint(b, since, 4)) != RV_OK ||
	    (rc = put_uint(b, in.until, 4)) != RV_OK ||
	    (rc = put_uint(b, in.asn, 4)) != RV_OK ||
	    (rc = room(b, 2)) != RV_OK)
		return rc;
	memcpy(b->p + b->len, cc, 2);
	b->len += 2;
	if ((rc = put_uint(b, (uint32_t)in.lat, 4)) != RV_OK ||
	    (rc = put_uint(b, (uint32_t)in.lon, 4)) != RV_OK ||
	    (rc = put_cstr(b, in.org)) != RV_OK ||
	    (rc = put_cstr(b, in.city)) != RV_OK)
		return rc;
	return put_uint(b, version, 4);
}

const char *
rv_ch_table(enum rv_db db)
{
	switch (db) {
	case RV_DB_RRSET: return "rrset";
	case RV_DB_NEG: return "neg";
	case RV_DB_RDATA: return "rdata";
	case RV_DB_NAMES: return "names";
	case RV_DB_ASN: return "asn";
	case RV_DB_REGDOM: return "regdom";
	case RV_DB_IP: return "ip";
	default: return NULL;
	}
}

int
rv_ch_sent(enum rv_db db, const void *k, size_t klen)
{
	if (rv_ch_table(db) == NULL)
		return 0;
	return db != RV_DB_REGDOM || (klen > 0 && *(const uint8_t *)k == 'D');
}

int
rv_ch_row(struct rv_chbuf *b, enum rv_db db, const uint8_t *k, size_t klen,
    const uint8_t *v, size_t vlen, const void *psl, rv_ch_sensor_fn sensor,
    void *arg, uint32_t version)
{
	size_t mark = b->len;
	int rc;

	switch (db) {
	case RV_DB_RRSET:
	case RV_DB_NEG:
		rc = row_rrset(b, db, k, klen, v, vlen, psl, sensor, arg);
		break;
	case RV_DB_RDATA:
		rc = row_rdata(b, k, klen, v, vlen);
		break;
	case RV_DB_REGDOM:
		if (!rv_ch_sent(db, k, klen))
			return RV_OK;
		/* FALLTHROUGH */
	case RV_DB_NAMES:
	case RV_DB_ASN:
		rc = row_seen2(b, db, k, klen, v, vlen);
		break;
	case RV_DB_IP:
		rc = row_ip(b, k, klen, v, vlen, version);
		break;
	default:
		rc = RV_EINVAL;
		break;
	}
	if (rc == RV_OK)
		b->rows++;
	else
		b->len = mark;	/* no half row */
	return rc;
}

int
rv_ch_is_url(const char *s)
{
	return s != NULL && strncmp(s, "clickhouse+", 11) == 0;
}

/* A letter or _, then letters, digits and _: nothing to escape in SQL. */
static int
ident_ok(const char *s, size_t n)
{
	if (n == 0 || n > 48 || isdigit((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* Copy n octets of s into out (outsz), NUL-terminated. */
static int
cut(char *out, size_t outsz, const char *s, size_t n)
{
	if (n >= outsz)
		return RV_EINVAL;
	memcpy(out, s, n);
	out[n] = '\0';
	return RV_OK;
}

int
rv_ch_url_parse(const char *s, struct rv_ch_url *u, const char **why)
{
	const char *p, *at, *slash, *host, *colon;
	int tls;

	memset(u, 0, sizeof(*u));
	*why = "not clickhouse+http://[USER[:PASSWORD]@]HOST[:PORT]/DB";
	if (strncmp(s, "clickhouse+http://", 18) == 0)
		tls = 0;
	else if (strncmp(s, "clickhouse+https://", 19) == 0)
		tls = 1;
	else
		return RV_EINVAL;
	p = s + (tls ? 19 : 18);
	if ((slash = strchr(p, '/')) == NULL) {
		*why = "no /DB after the host";
		return RV_EINVAL;
	}
	at = memrchr(p, '@', (size_t)(slash - p));	/* a password may hold @ */
	if (at != NULL) {
		const char *c = memchr(p, ':', (size_t)(at - p));
		size_t ul = (size_t)((c ? c : at) - p);

		if (ul == 0 || cut(u->user, sizeof(u->user), p, ul) ||
		    (c && cut(u->password, sizeof(u->password), c + 1,
		    (size_t)(at - c - 1)))) {
			*why = "a user or password that is empty or too long";
			return RV_EINVAL;
		}
		p = at + 1;
	}
	host = p;
	if (*host == '[') {		/* [IPv6] */
		const char *e = memchr(host, ']', (size_t)(slash - host));
		if (e == NULL) {
			*why = "an IPv6 address without its ]";
			return RV_EINVAL;
		}
		for (const char *c = host + 1; c < e; c++)
			if (!isxdigit((unsigned char)*c) && *c != ':' &&
			    *c != '.') {
				*why = "an IPv6 address with characters one "
				    "has not";
				return RV_EINVAL;
			}
		colon = e + 1 < slash && e[1] == ':' ? e + 1 : NULL;
		if (e + 1 != slash && colon == NULL) {
			*why = "something after the ] that is not :PORT";
			return RV_EINVAL;
		}
	} else {
		colon = memchr(host, ':', (size_t)(slash - host));
	}
	if ((colon ? colon : slash) == host) {
		*why = "no host";
		return RV_EINVAL;
	}
	for (const char *c = host; c < (colon ? colon : slash); c++)
		if (!isalnum((unsigned char)*c) && !strchr(".-[]:", *c)) {
			*why = "a host name with characters a host name has not";
			return RV_EINVAL;
		}
	if (colon != NULL) {
		char *end;
		long port = strtol(colon + 1, &end, 10);

		if (end != slash || port < 1 || port > 65535) {
			*why = "a port that is not a number from 1 to 65535";
			return RV_EINVAL;
		}
	}
	if (!ident_ok(slash + 1, strlen(slash + 1))) {
		*why = "the database is not a plain name (a letter or _, then "
		    "letters, digits, _)";
		return RV_EINVAL;
	}
	strcpy(u->db, slash + 1);
	if ((size_t)snprintf(u->base, sizeof(u->base), "%s://%.*s%s/",
	    tls ? "https" : "http", (int)((colon ? colon : slash) - host), host,
	    colon ? "" : ":8123") >= sizeof(u->base) ||
	    (colon && strlen(u->base) + (size_t)(slash - colon) >=
	    sizeof(u->base))) {
		*why = "a host name too long";
		return RV_EINVAL;
	}
	if (colon) {	/* put :PORT back before the final / */
		size_t bl = strlen(u->base) - 1;
		snprintf(u->base + bl, sizeof(u->base) - bl, "%.*s/",
		    (int)(slash - colon), colon);
	}
	*why = NULL;
	return RV_OK;
}

/* --- reading RowBinary ---------------------------------------------------- */

uint64_t
rv_chrd_u(struct rv_chrd *b, size_t n)
{
	uint64_t x = 0;

	if (b->off + n > b->len) {
		b->bad = 1;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		x |= (uint64_t)b->p[b->off + i] << (8 * i);
	b->off += n;
	return x;
}

size_t
rv_chrd_leb(struct rv_chrd *b)
{
	uint64_t x = 0;

	for (int sh = 0; sh < 64; sh += 7) {
		uint8_t c;

		if (b->off >= b->len)
			break;
		c = b->p[b->off++];
		x |= (uint64_t)(c & 0x7f) << sh;
		if (!(c & 0x80)) {
			if (x <= b->len - b->off)
				return (size_t)x;
			break;
		}
	}
	b->bad = 1;
	return 0;
}

const uint8_t *
rv_chrd_str(struct rv_chrd *b, size_t *n)
{
	const uint8_t *s;

	*n = rv_chrd_leb(b);
	if (b->bad) {
		*n = 0;
		return (const uint8_t *)"";
	}
	s = b->p + b->off;
	b->off += *n;
	return s;
}
