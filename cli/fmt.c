/**
 * \file fmt.c
 * Text helpers shared by the formats (names, rdata, sensors, enrichment,
 * escaping) and the dispatch to the format of a struct cli_out.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rvq_idn.h"
#include "out.h"
#include "rv_err.h"
#include "rv_rdata.h"
#include "rv_time.h"
#include "sb.h"

/* Has the word an octet below 0x20, a '"' or a '\\'? The classic tests
 * for "a byte less than n" and "a zero byte" (after xor with the octet
 * sought), exact as a yes or no for the word. */
static inline int
word_needs_escape(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t high = 0x8080808080808080ull;
	uint64_t lt = (x - ones * 0x20) & ~x;
	uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');

	q = (q - ones) & ~q;
	bs = (bs - ones) & ~bs;
	return ((lt | q | bs) & high) != 0;
}

void
sb_json(struct sb *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(s), i = 0, from = 0;

	sb_ch(b, '"');
	while (i < n) {
		unsigned char c;
		uint64_t x;

		if (i + 8 <= n) {	/* eight plain octets at a time */
			memcpy(&x, s + i, 8);
			if (!word_needs_escape(x)) {
				i += 8;
				continue;
			}
		}
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		sb_mem(b, s + from, i - from);
		switch (c) {
		case '"': sb_mem(b, "\\\"", 2); break;
		case '\\': sb_mem(b, "\\\\", 2); break;
		case '\n': sb_mem(b, "\\n", 2); break;
		case '\r': sb_mem(b, "\\r", 2); break;
		case '\t': sb_mem(b, "\\t", 2); break;
		default:
			sb_mem(b, "\\u00", 4);
			sb_ch(b, hex[c >> 4]);
			sb_ch(b, hex[c & 15]);
		}
		from = ++i;
	}
	sb_mem(b, s + from, n - from);
	sb_ch(b, '"');
}

void
sb_csv(struct sb *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		sb_str(b, s);
		return;
	}
	sb_ch(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			sb_ch(b, '"');
		sb_ch(b, *s);
	}
	sb_ch(b, '"');
}

void
cli_time_str(uint32_t t, int iso, char *out, size_t outsz)
{
	if (rv_time_format(t, iso, out, outsz) != RV_OK)
		snprintf(out, outsz, "%u", t);
}

int
cli_name_str(const struct cli_out *o, const uint8_t *wire, size_t len,
    char *out, size_t outsz)
{
	char u[RV_NAME_STR_MAX * 2];
	int rc = rv_name_to_str(wire, len, out, outsz);

	if (rc != RV_OK) {
		snprintf(out, outsz, "(bad name)");
		return rc;
	}
	if (o != NULL && o->idn && rvq_idn_unicode(out, u, sizeof(u))) {
		size_t n = strlen(out);
		if (n + strlen(u) + 4 <= outsz)
			snprintf(out + n, outsz - n, " (%s)", u);
	}
	return RV_OK;
}

const char *
cli_type_str(uint16_t type)
{
	static char **cache;	/* one process: type names made once */
	static char buf[RV_TYPE_STR_MAX];	/* when memory is short */

	if (cache == NULL && (cache = calloc(65536, sizeof(*cache))) == NULL)
		return rv_type_to_str(type, buf);
	if (cache[type] == NULL &&
	    (cache[type] = strdup(rv_type_to_str(type, buf))) == NULL)
		return buf;
	return cache[type];
}

/* Types whose rdata is exactly one domain name (RFC 1035 and 6672). */
static int
name_only(uint16_t type)
{
	switch (type) {
	case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12:
	case 39:
		return 1;
	default:
		return 0;
	}
}

static int
rd_is_ip(const struct rvq_row *r, uint16_t len)
{
	return !r->rd_is_name && ((r->type == 1 && len == 4) ||
	    (r->type == 28 && len == 16));
}

int
cli_rdata_str(const struct cli_out *o, const struct rvq_row *r,
    const uint8_t *rd, uint16_t len, char *out, size_t outsz)
{
	int rc;

	if (rd_is_ip(r, len)) {
		if (outsz < RV_IP_STR_MAX)
			return RV_ETOOBIG;
		if (len == 4)
			rv_ip4_text(rd, out);
		else
			rv_ip6_text(rd, out);
		return RV_OK;
	}
	if (r->rd_is_name)
		return cli_name_str(o, rd, len, out, outsz);
	/* one name: the name printer, no need for ldns' generic one */
	if (name_only(r->type) && rv_name_to_str(rd, len, out, outsz) == RV_OK)
		return RV_OK;
	rc = rv_rdata_to_str(r->type, rd, len, out, outsz);
	if (rc == RV_ETOOBIG && outsz > 32)	/* absurdly long: say so */
		snprintf(out, outsz, "\\# %u (too long to print)", len);
	return rc == RV_ETOOBIG ? RV_OK : rc;
}

/* rd as an address when the row's rdata are addresses. */
static int
rd_ip(const struct rvq_row *r, const uint8_t *rd, uint16_t len,
    struct rv_ip *ip)
{
	if (!rd_is_ip(r, len))
		return 0;
	memset(ip, 0, sizeof(*ip));
	ip->family = len == 4 ? 4 : 6;
	memcpy(ip->addr, rd, len);
	return 1;
}

int
cli_fmt_shows_geo(const struct cli_out *o)
{
	return o->geo != NULL && o->fmt != CLI_FMT_DNSDB;
}

int
cli_row_has_ips(const struct rvq_row *r)
{
	return !r->rd_is_name && (r->type == 1 || r->type == 28);
}

/* Room for n answers in buf. */
static int
buf_room(struct cli_geo_buf *buf, size_t n)
{
	struct rvq_geo_ans *a;
	size_t cap;

	if (n <= buf->cap)
		return RV_OK;
	cap = buf->cap ? 2 * buf->cap : 4096;
	if (cap < n)
		cap = n;
	if ((a = realloc(buf->a, cap * sizeof(*a))) == NULL)
		return RV_ENOMEM;
	buf->a = a;
	buf->cap = cap;
	return RV_OK;
}

int
cli_geo_prefetch(const struct cli_out *o, struct rvq_row *const *rows,
    size_t n, struct cli_geo_buf *buf)
{
	size_t k = 0;
	int rc = RV_OK;

	if (!cli_fmt_shows_geo(o))
		return RV_OK;		/* nothing to find */
	if (o->geo_batch == NULL)
		return RV_ENOENT;
	for (size_t i = 0; i < n && rc == RV_OK; i++) {
		struct rvq_row *r = rows[i];
		const uint8_t *rd;
		uint16_t len;
		size_t off = 0;

		r->geo = NULL;
		r->ngeo = 0;
		if (!cli_row_has_ips(r))
			continue;
		while (rc == RV_OK &&
		    rvq_row_rd_next(r, &off, &rd, &len) == RV_OK) {
			struct rv_ip ip;
			if (!rd_ip(r, rd, len, &ip) ||
			    (rc = buf_room(buf, k + 1)) != RV_OK)
				continue;
			buf->a[k].ip = ip;
			buf->a[k++].t = r->last;  /* the time cli_rdata_geo asks */
			r->ngeo++;
		}
	}
	if (rc == RV_OK && k > 0)
		rc = o->geo_batch(o->cb_arg, buf->a, k);
	/* point the rows at their answers, now that buf has moved its last */
	k = 0;
	for (size_t i = 0; i < n; i++) {
		rows[i]->geo = rc == RV_OK && rows[i]->ngeo > 0 ? buf->a + k :
		    NULL;
		k += rows[i]->ngeo;
		if (rc != RV_OK)
			rows[i]->ngeo = 0;
	}
	return rc;
}

const struct rvq_geo_ans *
cli_row_geo_answer(const struct rvq_row *r, const uint8_t *rd, uint16_t len)
{
	struct rv_ip ip;

	if (r->ngeo == 0 || !rd_ip(r, rd, len, &ip))
		return NULL;
	for (unsigned j = 0; j < r->ngeo; j++) {
		const struct rvq_geo_ans *a = &r->geo[j];

		if (a->ip.family == ip.family && memcmp(a->ip.addr, ip.addr,
		    len) == 0 && a->t == r->last)
			return a;
	}
	return NULL;
}

/* The answer for rd among a row's, as rvq_db_geo would give it. */
static int
row_answer(const struct rvq_row *r, const uint8_t *rd, uint16_t len,
    struct rv_ipinfo *info)
{
	const struct rvq_geo_ans *a = cli_row_geo_answer(r, rd, len);
	int rc;

	if (a == NULL)
		return -1;
	if (a->rc != RV_OK)
		return a->rc;
	if ((rc = rv_ipinfo_decode(a->v != NULL ? a->v : a->val, a->vlen,
	    info)) != RV_OK)
		return rc;
	info->since = a->since;
	return RV_OK;
}

int
cli_rdata_geo(const struct cli_out *o, const struct rvq_row *r,
    const uint8_t *rd, uint16_t len, struct rv_ipinfo *info)
{
	struct rv_ip ip;
	int rc;

	if (o->geo == NULL || !rd_ip(r, rd, len, &ip))
		return RV_ENOENT;
	/* A printer thread has rows with all their answers, unless it may
	 * ask the callback itself (geo_in_printer). */
	if ((rc = row_answer(r, rd, len, info)) == -1)
		rc = o->pipe == NULL || o->geo_in_printer ?
		    o->geo(o->cb_arg, &ip, r->last, info) : RV_ENOENT;
	if (rc != RV_OK)
		return RV_ENOENT;
	/* a row without any enrichment (no mmdb at the time) says nothing */
	if (info->asn == 0 && info->cc[0] == '\0' && info->org[0] == '\0' &&
	    info->city[0] == '\0')
		return RV_ENOENT;
	return RV_OK;
}

void
cli_sensors_str(const struct cli_out *o, const struct rvq_row *r,
    char *out, size_t outsz)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < r->nsens && o->sensor != NULL; i++) {
		const char *s = o->sensor(o->cb_arg, r->sensors[i]);
		char idbuf[16];
		size_t sl;

		if (s == NULL) {
			snprintf(idbuf, sizeof(idbuf), "#%u", r->sensors[i]);
			s = idbuf;
		}
		sl = strlen(s);
		if (n + sl + 2 >= outsz)
			break;
		if (n > 0)
			out[n++] = ',';
		memcpy(out + n, s, sl + 1);
		n += sl;
	}
	if (n == 0 && outsz > 1)
		snprintf(out, outsz, "-");
}

int
cli_fmt_begin(struct cli_out *o)
{
	o->queries++;
	if (o->fmt == CLI_FMT_TABLE)
		return RV_OK;
	if (o->sb == NULL) {
		if ((o->sb = malloc(sizeof(*o->sb))) == NULL)
			return RV_ENOMEM;
		o->sb->len = 0;
		o->sb->err = 0;
	}
	o->sb->fp = o->fp;
	return cli_lines_begin(o);
}

int
cli_fmt_row(struct cli_out *o, const struct rvq_row *r)
{
	if (o->fmt == CLI_FMT_TABLE)
		return cli_table_row(o, r);
	return cli_lines_row(o, r);
}

int
cli_fmt_end(struct cli_out *o)
{
	if (o->fmt == CLI_FMT_TABLE)
		return cli_table_flush(o);
	return cli_lines_end(o);
}

int
cli_fmt_summary(struct cli_out *o)
{
	int rc;

	if (o->fmt != CLI_FMT_TABLE && (rc = cli_fmt_begin(o)) != RV_OK)
		return rc;
	return cli_lines_summary(o);
}
