/**
 * \file remote.c
 * The ClickHouse backend's reads (rvq_remote.h): a scan of [lo, hi] is
 * one or more SELECTs of the merged rows with key >= lo and key <
 * succ(hi), in pages of key order, in RowBinary; each row becomes the
 * LMDB key and value the store would hand out.
 */
#include "rvq_remote.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rv_ch.h"
#include "rv_err.h"
#include "rvq_row.h"

/* Rows per SELECT: a lookup's answer is usually one page; a long scan
 * pays a round trip per page. */
#define PAGE_ROWS	4096
/* An answer larger than this is refused (a page of 4096 rows of 64 KiB
 * rdata sets at most). */
#define ANSWER_MAX	((size_t)512 << 20)

/* The rows of one answer: the answer itself (keys point into it) and the
 * values re-encoded beside it, kept until rvq_remote_end. */
struct page {
	struct page *next;
	uint8_t *ans;
	uint8_t *vals;
};

struct rvq_remote {
	struct rv_ch_url u;
	CURL *h;
	struct page *pages;
	pthread_mutex_t mu;	/* names: a printer thread reads them while
				 * the reader adds */
	char **names;		/* sensor names by id, kept until close */
	size_t nnames;
	uint8_t *buf;		/* the answer being received */
	size_t len, cap;
	int too_big;
	char why[400];
};

/*
 * libcurl, loaded when a ClickHouse URL is first opened: linked, it and
 * the two dozen libraries it needs (TLS, Kerberos, LDAP, ...) would be
 * loaded at every start of the CLI, which answers a lookup in about as
 * long as that takes. Process-wide by nature: written once under
 * curl_once, only read after (layout_check.sh allows it, as text.c's
 * type names).
 */
static struct {
	CURLcode (*global_init)(long);
	CURL *(*init)(void);
	CURLcode (*setopt)(CURL *, CURLoption, ...);
	CURLcode (*perform)(CURL *);
	CURLcode (*getinfo)(CURL *, CURLINFO, ...);
	const char *(*strerror)(CURLcode);
	void (*cleanup)(CURL *);
	int ok;
} cu;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_load(void)
{
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);

	if (h == NULL)
		return;
	/* POSIX: a function pointer through a void * */
	*(void **)&cu.global_init = dlsym(h, "curl_global_init");
	*(void **)&cu.init = dlsym(h, "curl_easy_init");
	*(void **)&cu.setopt = dlsym(h, "curl_easy_setopt");
	*(void **)&cu.perform = dlsym(h, "curl_easy_perform");
	*(void **)&cu.getinfo = dlsym(h, "curl_easy_getinfo");
	*(void **)&cu.strerror = dlsym(h, "curl_easy_strerror");
	*(void **)&cu.cleanup = dlsym(h, "curl_easy_cleanup");
	cu.ok = cu.global_init && cu.init && cu.setopt && cu.perform &&
	    cu.getinfo && cu.strerror && cu.cleanup &&
	    cu.global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static size_t
take(char *p, size_t sz, size_t n, void *arg)
{
	struct rvq_remote *r = arg;
	size_t add = sz * n, nc;
	uint8_t *nb;

	if (r->len + add > ANSWER_MAX) {
		r->too_big = 1;
		return 0;
	}
	if (r->len + add > r->cap) {
		for (nc = r->cap ? r->cap : 65536; nc < r->len + add; nc *= 2)
			;
		if ((nb = realloc(r->buf, nc)) == NULL)
			return 0;
		r->buf = nb;
		r->cap = nc;
	}
	memcpy(r->buf + r->len, p, add);
	r->len += add;
	return add;
}

/* POST sql; the answer in r->buf (r->len octets). \return 0, RV_EIO
 * (why says what ClickHouse or the connection said). */
static int
query(struct rvq_remote *r, const char *sql)
{
	long code = 0;
	CURLcode cc;

	r->len = 0;
	r->too_big = 0;
	cu.setopt(r->h, CURLOPT_POSTFIELDS, sql);
	cu.setopt(r->h, CURLOPT_POSTFIELDSIZE, (long)strlen(sql));
	cc = cu.perform(r->h);
	cu.getinfo(r->h, CURLINFO_RESPONSE_CODE, &code);
	if (cc != CURLE_OK) {
		snprintf(r->why, sizeof(r->why), "ClickHouse at %.200s: %s",
		    r->u.base, r->too_big ? "an answer too large" :
		    cu.strerror(cc));
		return RV_EIO;
	}
	if (code != 200) {
		size_t n = 0;

		while (n < r->len && n < 200 && r->buf[n] != '\n')
			n++;
		snprintf(r->why, sizeof(r->why), "ClickHouse at %.200s: HTTP %ld: "
		    "%.*s", r->u.base, code, (int)n, r->len ? (char *)r->buf :
		    "");
		return RV_EIO;
	}
	return RV_OK;
}

int
rvq_remote_open(const char *url, int check, struct rvq_remote **out,
    char *why, size_t whysz)
{
	struct rvq_remote *r;
	const char *w;
	char sql[256];
	int rc = RV_OK;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return RV_ENOMEM;
	pthread_mutex_init(&r->mu, NULL);
	if ((rc = rv_ch_url_parse(url, &r->u, &w)) != RV_OK) {
		snprintf(why, whysz, "'%s': %s", url, w);
		rvq_remote_close(r);
		return rc;
	}
	pthread_once(&curl_once, curl_load);
	if (!cu.ok) {
		snprintf(why, whysz, "the ClickHouse backend needs libcurl "
		    "(libcurl.so.4: apt-get install libcurl4)");
		rvq_remote_close(r);
		return RV_ENOTSUP;
	}
	if ((r->h = cu.init()) == NULL) {
		rvq_remote_close(r);
		return RV_ENOMEM;
	}
	cu.setopt(r->h, CURLOPT_URL, r->u.base);
	cu.setopt(r->h, CURLOPT_WRITEFUNCTION, take);
	cu.setopt(r->h, CURLOPT_WRITEDATA, r);
	cu.setopt(r->h, CURLOPT_CONNECTTIMEOUT, 5L);
	cu.setopt(r->h, CURLOPT_TIMEOUT, 120L);
	cu.setopt(r->h, CURLOPT_NOSIGNAL, 1L);
	cu.setopt(r->h, CURLOPT_ACCEPT_ENCODING, "");
	if (r->u.user[0]) {
		cu.setopt(r->h, CURLOPT_USERNAME, r->u.user);
		cu.setopt(r->h, CURLOPT_PASSWORD, r->u.password);
	}
	snprintf(sql, sizeof(sql), "SELECT count() FROM system.tables WHERE "
	    "database = '%s' AND name = 'rrset'", r->u.db);
	if (check && (rc = query(r, sql)) == RV_OK &&
	    !(r->len == 2 && memcmp(r->buf, "1\n", 2) == 0)) {
		snprintf(r->why, sizeof(r->why), "ClickHouse at %.200s has no "
		    "table %s.rrset (rearview clickhouse-schema makes it)",
		    r->u.base, r->u.db);
		rc = RV_EIO;
	}
	if (rc != RV_OK) {
		snprintf(why, whysz, "%s", r->why);
		rvq_remote_close(r);
		return rc;
	}
	*out = r;
	return RV_OK;
}

void
rvq_remote_end(struct rvq_remote *r)
{
	struct page *p, *n;

	if (r == NULL)
		return;
	for (p = r->pages; p != NULL; p = n) {
		n = p->next;
		free(p->ans);
		free(p->vals);
		free(p);
	}
	r->pages = NULL;
}

void
rvq_remote_close(struct rvq_remote *r)
{
	if (r == NULL)
		return;
	rvq_remote_end(r);
	if (r->h != NULL)
		cu.cleanup(r->h);
	for (size_t i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	free(r->buf);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

const char *
rvq_remote_why(const struct rvq_remote *r)
{
	return r->why;
}

const char *
rvq_remote_sensor(struct rvq_remote *r, uint16_t id)
{
	const char *n;

	pthread_mutex_lock(&r->mu);
	n = id < r->nnames ? r->names[id] : NULL;
	pthread_mutex_unlock(&r->mu);
	return n;
}

static int
sensor_id_locked(struct rvq_remote *r, const char *name, size_t len,
    uint16_t *id)
{
	char **nn;

	for (size_t i = 0; i < r->nnames; i++)
		if (strlen(r->names[i]) == len &&
		    memcmp(r->names[i], name, len) == 0) {
			*id = (uint16_t)i;
			return RV_OK;
		}
	if (r->nnames > UINT16_MAX)
		return RV_ETOOBIG;
	if ((nn = realloc(r->names, (r->nnames + 1) * sizeof(*nn))) == NULL)
		return RV_ENOMEM;
	r->names = nn;
	if ((nn[r->nnames] = strndup(name, len)) == NULL)
		return RV_ENOMEM;
	*id = (uint16_t)r->nnames++;
	return RV_OK;
}

static int
sensor_id(struct rvq_remote *r, const char *name, size_t len, uint16_t *id)
{
	int rc;

	pthread_mutex_lock(&r->mu);
	rc = sensor_id_locked(r, name, len, id);
	pthread_mutex_unlock(&r->mu);
	return rc;
}

int
rvq_remote_sensor_id(struct rvq_remote *r, const char *name, uint16_t *id)
{
	return sensor_id(r, name, strlen(name), id);
}

static int
cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return x < y ? -1 : x > y;
}

/* One rrset or neg row after its key -> the LMDB value at out. */
static size_t
val_rrset(struct rvq_remote *r, struct rv_chrd *b, int neg, uint8_t *out)
{
	struct rv_rrset_val v;
	uint64_t count;
	size_t ns, sl;

	memset(&v, 0, sizeof(v));
	v.first = (uint32_t)rv_chrd_u(b, 4);
	v.last = (uint32_t)rv_chrd_u(b, 4);
	count = rv_chrd_u(b, 8);
	v.count = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
	v.ttl_min = (uint32_t)rv_chrd_u(b, 4);
	v.ttl_max = (uint32_t)rv_chrd_u(b, 4);
	ns = rv_chrd_leb(b);
	for (size_t i = 0; i < ns && !b->bad; i++) {
		const uint8_t *s = rv_chrd_str(b, &sl);
		uint16_t id;

		if (!b->bad && v.nsens < RV_SENSORS_MAX &&
		    sensor_id(r, (const char *)s, sl, &id) == RV_OK)
			v.sensor[v.nsens++] = id;
	}
	qsort(v.sensor, v.nsens, sizeof(v.sensor[0]), cmp_u16);
	if (neg) {
		if (b->bad)
			return 0;
		rv_neg_val_encode(&v, out);
		return rv_neg_val_size(&v);
	}
	v.rdcount = (uint16_t)rv_chrd_u(b, 2);
	v.set = rv_chrd_str(b, &v.set_len);
	if (b->bad)
		return 0;
	rv_rrset_val_encode(&v, out);
	return rv_rrset_val_size(&v);
}

static size_t
val_ip(struct rv_chrd *b, uint8_t *out)
{
	struct rv_ipinfo in;
	const uint8_t *s;
	size_t n;

	memset(&in, 0, sizeof(in));
	in.until = (uint32_t)rv_chrd_u(b, 4);
	in.asn = (uint32_t)rv_chrd_u(b, 4);
	in.cc[0] = (char)rv_chrd_u(b, 1);
	in.cc[1] = (char)rv_chrd_u(b, 1);
	in.lat = (int32_t)(uint32_t)rv_chrd_u(b, 4);
	in.lon = (int32_t)(uint32_t)rv_chrd_u(b, 4);
	s = rv_chrd_str(b, &n);
	memcpy(in.org, s, n < sizeof(in.org) ? n : sizeof(in.org) - 1);
	s = rv_chrd_str(b, &n);
	memcpy(in.city, s, n < sizeof(in.city) ? n : sizeof(in.city) - 1);
	if (b->bad)
		return 0;
	rv_ipinfo_encode(&in, out);
	return rv_ipinfo_size(&in);
}

/* One row after its key -> its LMDB value at out; 0 when it does not
 * decode. */
static size_t
value(struct rvq_remote *r, enum rv_db db, struct rv_chrd *b, uint8_t *out)
{
	struct rv_seen s;

	switch (db) {
	case RV_DB_RRSET:
	case RV_DB_NEG:
		return val_rrset(r, b, db == RV_DB_NEG, out);
	case RV_DB_IP:
		return val_ip(b, out);
	case RV_DB_RDATA:
		s.first = (uint32_t)rv_chrd_u(b, 4);
		s.last = (uint32_t)rv_chrd_u(b, 4);
		s.count = (uint32_t)(rv_chrd_u(b, 8) & UINT32_MAX);
		if (b->bad)
			return 0;
		rv_rdata_val_encode(&s, out);
		return RV_RDATA_VAL_SIZE;
	default:
		s.first = (uint32_t)rv_chrd_u(b, 4);
		s.last = (uint32_t)rv_chrd_u(b, 4);
		s.count = 0;
		if (b->bad)
			return 0;
		rv_seen2_encode(&s, out);
		return RV_SEEN2_SIZE;
	}
}

/* --- SQL ------------------------------------------------------------------ */

/* What a table's merged row is, after the key. */
static const char *
columns(enum rv_db db)
{
	switch (db) {
	case RV_DB_RRSET:
		return "minMerge(time_first), maxMerge(time_last), "
		    "sumMerge(count), minMerge(ttl_min), maxMerge(ttl_max), "
		    "groupUniqArrayArrayMerge(sensors), any(rdcount), any(set)";
	case RV_DB_NEG:
		return "minMerge(time_first), maxMerge(time_last), "
		    "sumMerge(count), minMerge(ttl_min), maxMerge(ttl_max), "
		    "groupUniqArrayArrayMerge(sensors)";
	case RV_DB_RDATA:
		return "minMerge(time_first), maxMerge(time_last), "
		    "sumMerge(count)";
	case RV_DB_IP:
		return "argMax(until, version), argMax(asn, version), "
		    "argMax(cc, version), argMax(lat, version), "
		    "argMax(lon, version), argMax(org, version), "
		    "argMax(city, version)";
	default:
		return "minMerge(time_first), maxMerge(time_last)";
	}
}

/* Append "unhex('...')" of n octets to sql at *off. */
static void
hex(char *sql, size_t *off, const uint8_t *p, size_t n)
{
	static const char d[] = "0123456789ABCDEF";

	*off += (size_t)sprintf(sql + *off, "unhex('");
	for (size_t i = 0; i < n; i++) {
		sql[(*off)++] = d[p[i] >> 4];
		sql[(*off)++] = d[p[i] & 15];
	}
	*off += (size_t)sprintf(sql + *off, "')");
}

/* The first key past every key that starts with hi: hi without its
 * trailing 0xff octets, its last one plus one. 0: there is none. */
static size_t
succ(const struct rv_key *hi, uint8_t *out)
{
	size_t n = hi->len;

	while (n > 0 && hi->buf[n - 1] == 0xff)
		n--;
	if (n == 0)
		return 0;
	memcpy(out, hi->buf, n);
	out[n - 1]++;
	return n;
}

/* --- scans ---------------------------------------------------------------- */

/*
 * Run sql (a SELECT of key and columns(db) in RowBinary) and give its rows
 * to fn as LMDB keys and values, kept in a page until rvq_remote_end.
 * *rows: how many were given; last: the last key (RV_KEY_MAX octets).
 * \return 0 (also when fn stopped quietly: *stopped), fn's error, RV_EIO,
 * RV_ECORRUPT, RV_ENOMEM.
 */
static int
select_rows(struct rvq_remote *r, enum rv_db db, const char *sql,
    rv_scan_fn fn, void *arg, size_t *rows, uint8_t *last, size_t *lastlen,
    int *stopped)
{
	struct page *pg;
	struct rv_chrd b;
	size_t plen, voff = 0;
	int rc;

	*rows = 0;
	*stopped = 0;
	if ((rc = query(r, sql)) != RV_OK || (plen = r->len) == 0)
		return rc;
	/* The page keeps the answer; the values (never longer than their
	 * row in the answer) go beside it. fn may query again
	 * (enrichment): r->buf and r->len are then its. */
	if ((pg = calloc(1, sizeof(*pg))) == NULL ||
	    (pg->vals = malloc(plen + 64)) == NULL) {
		free(pg);
		return RV_ENOMEM;
	}
	pg->ans = r->buf;
	r->buf = NULL;
	r->cap = 0;
	pg->next = r->pages;
	r->pages = pg;
	b = (struct rv_chrd){ pg->ans, plen, 0, 0 };
	while (b.off < b.len) {
		struct rv_val k, v;

		k.data = rv_chrd_str(&b, &k.len);
		v.len = value(r, db, &b, pg->vals + voff);
		v.data = pg->vals + voff;
		if (b.bad || v.len == 0 || k.len > RV_KEY_MAX ||
		    voff + v.len > plen + 64) {
			snprintf(r->why, sizeof(r->why), "ClickHouse at %.200s: "
			    "a %s row that does not decode", r->u.base,
			    rv_ch_table(db));
			return RV_ECORRUPT;
		}
		voff += v.len;
		memcpy(last, k.data, k.len);
		*lastlen = k.len;
		(*rows)++;
		if ((rc = fn(&k, &v, arg)) == RV_ENOENT) {
			*stopped = 1;	/* the callback's quiet stop */
			return RV_OK;
		}
		if (rc != RV_OK)
			return rc;
	}
	return RV_OK;
}

int
rvq_remote_scan(struct rvq_remote *r, enum rv_db db, const struct rv_key *lo,
    const struct rv_key *hi, rv_scan_fn fn, void *arg)
{
	const char *table = rv_ch_table(db);
	uint8_t from[RV_KEY_MAX], up[RV_KEY_MAX];
	size_t fromlen = lo->len, uplen = succ(hi, up), n;
	int incl = 1, stopped, rc;
	char *sql;

	/* Not in ClickHouse (meta, the regdom 'T' index): no answer rather
	 * than an empty one a caller would take for "none". */
	if (!rv_ch_sent(db, lo->buf, lo->len))
		return RV_ENOTSUP;
	/* SELECT ... WHERE key >= unhex(2*511) AND key < unhex(2*511) ... */
	if ((sql = malloc(4 * RV_KEY_MAX + 1024)) == NULL)
		return RV_ENOMEM;
	memcpy(from, lo->buf, lo->len);
	do {
		size_t off = (size_t)sprintf(sql, "SELECT key, %s FROM %s.%s "
		    "WHERE key %s ", columns(db), r->u.db, table, incl ? ">=" :
		    ">");

		hex(sql, &off, from, fromlen);
		if (uplen) {
			off += (size_t)sprintf(sql + off, " AND key < ");
			hex(sql, &off, up, uplen);
		}
		sprintf(sql + off, " GROUP BY key ORDER BY key LIMIT %d "
		    "FORMAT RowBinary", PAGE_ROWS);
		rc = select_rows(r, db, sql, fn, arg, &n, from, &fromlen,
		    &stopped);
		incl = 0;	/* the next page: past the last key */
	} while (rc == RV_OK && !stopped && n == PAGE_ROWS);
	free(sql);
	return rc;
}

/* rv_store_ipinfo_find's choice among an address's periods: the largest
 * since <= t, else the first. */
struct period {
	uint32_t t;
	int have;
	uint32_t since;
	struct rv_val v;
};

static int
period_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct period *p = arg;
	struct rv_ip ip;
	uint32_t since;

	if (rv_ip_key_decode(k->data, k->len, &ip, &since) != RV_OK)
		return RV_ECORRUPT;
	/* Rows come in key order, since ascending: the last one <= t wins,
	 * and the first one stands while none is. */
	if (since <= p->t || !p->have) {
		p->have = 1;
		p->since = since;
		p->v = *v;
	}
	return RV_OK;
}

int
rvq_remote_ipinfo_find(struct rvq_remote *r, const struct rv_ip *ip,
    uint32_t t, uint32_t *since, struct rv_val *val)
{
	struct period p = { .t = t };
	struct rv_key pre;
	int rc;

	if ((rc = rv_key_ip_prefix(&pre, ip)) != RV_OK ||
	    (rc = rvq_remote_scan(r, RV_DB_IP, &pre, &pre, period_row, &p)) !=
	    RV_OK)
		return rc;
	if (!p.have)
		return RV_ENOENT;
	*since = p.since;
	*val = p.v;
	return RV_OK;
}

/* --- enrichment of many addresses at once ------------------------------ */

/* Addresses per SELECT of a batch (about 50 KB of SQL). */
#define BATCH_ADDRS 1024

struct rowlist {
	struct rv_val *k, *v;
	size_t n, cap;
};

static int
collect(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct rowlist *l = arg;

	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 256;
		struct rv_val *nk = realloc(l->k, nc * sizeof(*nk));
		struct rv_val *nv;

		if (nk == NULL)
			return RV_ENOMEM;
		l->k = nk;
		if ((nv = realloc(l->v, nc * sizeof(*nv))) == NULL)
			return RV_ENOMEM;
		l->v = nv;
		l->cap = nc;
	}
	l->k[l->n] = *k;
	l->v[l->n++] = *v;
	return RV_OK;
}

/* Answer a from the periods in l (key order): those of its address, by
 * rv_store_ipinfo_find's rule. */
static void
answer_from(const struct rowlist *l, struct rvq_geo_ans *a)
{
	struct period p = { .t = a->t };
	struct rv_key pre;
	size_t lo = 0, hi = l->n;

	a->rc = RV_ENOENT;
	if (rv_key_ip_prefix(&pre, &a->ip) != RV_OK)
		return;
	while (lo < hi) {	/* the first key >= pre */
		size_t mid = lo + (hi - lo) / 2;
		const struct rv_val *k = &l->k[mid];
		size_t m = k->len < pre.len ? k->len : pre.len;
		int c = memcmp(k->data, pre.buf, m);

		if (c < 0 || (c == 0 && k->len < pre.len))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < l->n && rv_key_has_prefix(&l->k[lo], &pre); lo++)
		if (period_row(&l->k[lo], &l->v[lo], &p) != RV_OK)
			return;
	if (!p.have)
		return;
	a->rc = RV_OK;
	a->since = p.since;
	a->v = p.v.data;	/* in a page, until rvq_remote_end */
	a->vlen = (uint32_t)p.v.len;
}

/* Append "unhex('..')" of each address prefix of family fam in q[0..m)
 * to sql at *off, comma-separated. \return how many. */
static size_t
prefixes(char *sql, size_t *off, const struct rvq_geo_ans *q, size_t m,
    int fam)
{
	size_t k = 0;

	for (size_t i = 0; i < m; i++) {
		struct rv_key pre;

		if (q[i].ip.family != fam ||
		    rv_key_ip_prefix(&pre, &q[i].ip) != RV_OK)
			continue;
		if (k++ > 0)
			sql[(*off)++] = ',';
		hex(sql, off, pre.buf, pre.len);
	}
	return k;
}

int
rvq_remote_ipinfo_batch(struct rvq_remote *r, struct rvq_geo_ans *q, size_t n)
{
	struct rowlist l = { 0 };
	uint8_t last[RV_KEY_MAX];
	size_t lastlen, got;
	int stopped, rc = RV_OK;
	/* per address "unhex('34 hex digits'),": 46 */
	char *sql = malloc(BATCH_ADDRS * 48 + 1024);

	if (sql == NULL)
		return RV_ENOMEM;
	/*
	 * The periods of the batch's addresses: a key's first 5 (IPv4) or
	 * 17 (IPv6) octets IN the set of them. ClickHouse 18.16 reads the
	 * ip table for it, which is fast; ORed key ranges would use the
	 * primary index but cost it far more per range and granule.
	 */
	for (size_t i0 = 0; i0 < n && rc == RV_OK; i0 += BATCH_ADDRS) {
		size_t m = n - i0 < BATCH_ADDRS ? n - i0 : BATCH_ADDRS, k;
		size_t off = (size_t)sprintf(sql, "SELECT key, %s FROM %s.ip "
		    "WHERE substring(key, 1, 5) IN (", columns(RV_DB_IP),
		    r->u.db);

		k = prefixes(sql, &off, q + i0, m, 4);
		if (k == 0)
			off += (size_t)sprintf(sql + off, "''");
		off += (size_t)sprintf(sql + off, ") OR substring(key, 1, 17) "
		    "IN (");
		if (prefixes(sql, &off, q + i0, m, 6) == 0) {
			if (k == 0)
				continue;	/* no address to ask for */
			off += (size_t)sprintf(sql + off, "''");
		}
		sprintf(sql + off, ") GROUP BY key ORDER BY key FORMAT RowBinary");
		l.n = 0;
		rc = select_rows(r, RV_DB_IP, sql, collect, &l, &got, last,
		    &lastlen, &stopped);
		for (size_t i = 0; i < m && rc == RV_OK; i++)
			answer_from(&l, &q[i0 + i]);
	}
	free(l.k);
	free(l.v);
	free(sql);
	return rc;
}
