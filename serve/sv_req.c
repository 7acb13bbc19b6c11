/**
 * \file sv_req.c
 * Request targets: split, decode, route, parameters. See sv_req.h.
 */
#include "sv_req.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rv_err.h"
#include "rv_ip.h"
#include "rv_name.h"
#include "rv_num.h"
#include "rv_time.h"

/** Most path segments looked at (the longest route has 8). */
#define SEGS_MAX 12

struct seg {
	const char *p;	/**< raw, inside the target */
	size_t len;
};

static int
fail(char *msg, size_t msgsz, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(char *msg, size_t msgsz, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, msgsz, fmt, ap);
	va_end(ap);
	/* One line whatever it quotes. */
	for (char *p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return status;
}

/* A text parameter into its fixed buffer, or 400 when it does not fit. */
static int
text_param(char *dst, size_t dstsz, const char *k, const char *v, char *msg,
    size_t msgsz)
{
	if (strlen(v) >= dstsz)
		return fail(msg, msgsz, 400, "%s: too long", k);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
sv_pct_decode(const char *s, size_t len, int plus, char *out, size_t outsz)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			int h, l;
			if (i + 2 >= len)
				return -1;
			h = hexval(s[i + 1]);
			l = hexval(s[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = h << 4 | l;
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		/* NUL ends C strings, and no name, address or parameter
		 * holds a control octet; DEL neither. */
		if (c < 0x20 || c == 0x7f)
			return -1;
		if (o + 1 >= outsz)
			return -1;
		out[o++] = (char)c;
	}
	if (outsz == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

int
sv_bool(const char *s)
{
	static const char *const yes[] = { "true", "t", "1", "yes", "y",
	    "on" };
	static const char *const no[] = { "false", "f", "0", "no", "n",
	    "off" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* Split the path (after its leading '/') on '/'; a trailing '/' adds
 * nothing. \return the number of segments, or -1 for too many. */
static int
split(const char *p, size_t len, struct seg *segs)
{
	int n = 0;
	size_t i = 0;

	while (i < len) {
		size_t j = i;
		while (j < len && p[j] != '/')
			j++;
		if (n == SEGS_MAX)
			return -1;
		segs[n].p = p + i;
		segs[n].len = j - i;
		n++;
		i = j + 1;
	}
	return n;
}

static int
seg_is(const struct seg *s, const char *word)
{
	return s->len == strlen(word) && strncmp(s->p, word, s->len) == 0;
}

static int
decode_seg(const struct seg *s, char *out, size_t outsz, const char *what,
    char *msg, size_t msgsz)
{
	if (s->len == 0)
		return fail(msg, msgsz, 400, "empty %s in the path", what);
	if (sv_pct_decode(s->p, s->len, 0, out, outsz) != 0)
		return fail(msg, msgsz, 400, "bad %s in the path: invalid "
		    "percent-encoding, a control character or too long",
		    what);
	return 0;
}

/* /api/v1/verdict/VALUE: a name or an address, checked before the
 * answer starts (a stream cannot change its status later). */
static int
verdict_value(struct sv_req *r, const struct seg *s, char *msg, size_t msgsz)
{
	uint8_t wire[RV_NAME_MAX];
	struct rv_ip ip;
	size_t wl;
	int rc;

	if ((rc = decode_seg(s, r->value, sizeof(r->value), "value", msg,
	    msgsz)) != 0)
		return rc;
	if (rv_ip_parse(r->value, &ip) == RV_OK ||
	    (rv_name_from_str(r->value, wire, &wl) == RV_OK && wl > 1))
		return 0;
	return fail(msg, msgsz, 400, "not a domain name or an IP address: "
	    "'%.200s'", r->value);
}

/* rrset/raw/HEX: the owner name in wire form as hex, made text. */
static int
raw_owner(struct sv_req *r, char *msg, size_t msgsz)
{
	uint8_t wire[RV_NAME_MAX];
	size_t n = strlen(r->value), wl;

	if (n == 0 || n % 2 != 0 || n / 2 > sizeof(wire))
		return fail(msg, msgsz, 400, "invalid raw name: want the "
		    "wire form in hex (at most %zu octets)", sizeof(wire));
	for (size_t i = 0; i < n; i += 2) {
		int h = hexval(r->value[i]), l = hexval(r->value[i + 1]);
		if (h < 0 || l < 0)
			return fail(msg, msgsz, 400, "invalid raw name: not "
			    "hex");
		wire[i / 2] = (uint8_t)(h << 4 | l);
	}
	if (rv_name_wire_len(wire, n / 2, &wl) != RV_OK || wl != n / 2 ||
	    rv_name_to_str(wire, wl, r->value, sizeof(r->value)) != RV_OK)
		return fail(msg, msgsz, 400, "invalid raw name: not one "
		    "name in wire form");
	return 0;
}

/* A type list ("A", "a,aaaa", "ANY-DNSSEC", "TYPE65"), not a name's part
 * ("25.2.0.192.in-addr.arpa"): a letter first, no dot. */
static int
type_like(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	return strchr(s, '.') == NULL;
}

/* dst += "/" part */
static int
append(char *dst, size_t sz, const char *part, char *msg, size_t msgsz)
{
	size_t n = strlen(dst), m = strlen(part);

	if (n + 1 + m >= sz)
		return fail(msg, msgsz, 400, "value too long");
	dst[n] = '/';
	memcpy(dst + n + 1, part, m + 1);
	return 0;
}

/*
 * QPATH: rrset/name/NAME[/TYPE[/BAILIWICK]], rrset/raw/HEX[/TYPE],
 * rdata/name/NAME[/TYPE], rdata/ip/ADDR, rdata/raw/HEX[/TYPE].
 */
static int
qpath(struct sv_req *r, const struct seg *s, int n, char *msg, size_t msgsz)
{
	int rrset, maxn, raw = 0, rc, t;
	uint16_t types[RVQ_TYPES_MAX];
	unsigned nt;

	if (n < 3)
		return fail(msg, msgsz, 400, "incomplete query: want "
		    "rrset/name/NAME, rdata/ip/ADDR and the like");
	rrset = seg_is(&s[0], "rrset");
	if (!rrset && !seg_is(&s[0], "rdata"))
		return fail(msg, msgsz, 400, "unknown kind of lookup: want "
		    "rrset or rdata");
	if (seg_is(&s[1], "name")) {
		r->kind = rrset ? RVQ_LOOKUP : RVQ_RDATA_NAME;
		maxn = rrset ? 5 : 4;
	} else if (seg_is(&s[1], "raw")) {
		r->kind = rrset ? RVQ_LOOKUP : RVQ_RDATA_RAW;
		raw = rrset;
		maxn = 4;
	} else if (!rrset && seg_is(&s[1], "ip")) {
		r->kind = RVQ_RDATA_IP;
		maxn = 3;
	} else
		return fail(msg, msgsz, 400, "unknown %s lookup: want %s",
		    rrset ? "rrset" : "rdata", rrset ? "name or raw" :
		    "name, ip or raw");
	if ((rc = decode_seg(&s[2], r->value, sizeof(r->value), "value",
	    msg, msgsz)) != 0)
		return rc;
	/* dnsdbq sends a '/' in a value as it is (RFC 2317's
	 * 0/25.2.0.192.in-addr.arpa, an address's /LEN): parts that are
	 * not a type belong to the value, up to the first type. */
	for (t = 3; t < n; t++) {
		char part[SV_VALUE_MAX + 1];
		if ((rc = decode_seg(&s[t], part, sizeof(part), "type", msg,
		    msgsz)) != 0)
			return rc;
		if (r->kind != RVQ_RDATA_IP && type_like(part)) {
			if (strlen(part) >= sizeof(r->types) ||
			    rvq_types_parse(part, types, &nt) != RV_OK)
				return fail(msg, msgsz, 400, "unknown type "
				    "'%.64s'", part);
			strcpy(r->types, part);
			break;
		}
		if ((rc = append(r->value, sizeof(r->value), part, msg,
		    msgsz)) != 0)
			return rc;
	}
	if (t + 1 < n) {	/* TYPE/BAILIWICK, the bailiwick with its '/' */
		if (maxn < 5)
			return fail(msg, msgsz, 400, "too many parts in the "
			    "query path");
		if ((rc = decode_seg(&s[t + 1], r->bailiwick,
		    sizeof(r->bailiwick), "bailiwick", msg, msgsz)) != 0)
			return rc;
		for (t += 2; t < n; t++) {
			char part[SV_VALUE_MAX + 1];
			if ((rc = decode_seg(&s[t], part, sizeof(part),
			    "bailiwick", msg, msgsz)) != 0 ||
			    (rc = append(r->bailiwick, sizeof(r->bailiwick),
			    part, msg, msgsz)) != 0)
				return rc;
		}
	}
	(void)maxn;
	return raw ? raw_owner(r, msg, msgsz) : 0;
}

/* A time fence: epoch seconds, or negative seconds back from now. */
static int
fence(struct sv_fence_param *f, const char *v, int64_t now)
{
	uint64_t u;
	int neg = v[0] == '-';

	if (rv_parse_u64(v + neg, 10, 0, (uint64_t)INT32_MAX * 16, &u) !=
	    RV_OK)
		return -1;
	f->set = 1;
	f->v = neg ? now - (int64_t)u : (int64_t)u;
	return 0;
}

static int
param(struct sv_req *r, const char *k, const char *v, int64_t now,
    char *msg, size_t msgsz)
{
	struct { const char *name; struct sv_fence_param *f; } fences[] = {
		{ "time_first_after", &r->tfa },
		{ "time_first_before", &r->tfb },
		{ "time_last_after", &r->tla },
		{ "time_last_before", &r->tlb },
	};
	int b;

	for (size_t i = 0; i < sizeof(fences) / sizeof(fences[0]); i++)
		if (strcmp(k, fences[i].name) == 0) {
			if (fence(fences[i].f, v, now) != 0)
				return fail(msg, msgsz, 400, "%s: want epoch "
				    "seconds, or negative seconds back from "
				    "now", k);
			return 0;
		}
	if (strcmp(k, "limit") == 0 || strcmp(k, "offset") == 0 ||
	    strcmp(k, "max_count") == 0) {
		uint64_t u;
		if (rv_parse_u64(v, 10, 0, UINT64_MAX / 2, &u) != RV_OK)
			return fail(msg, msgsz, 400, "%s: want a number of "
			    "results", k);
		if (k[0] == 'l') {
			r->limit_set = 1;
			r->limit = u;
		} else if (k[0] == 'o')
			r->offset = u;
		else {
			r->max_count_set = 1;
			r->max_count = u;
		}
		return 0;
	}
	if (strcmp(k, "aggr") == 0 || strcmp(k, "humantime") == 0) {
		if ((b = sv_bool(v)) < 0)
			return fail(msg, msgsz, 400, "%s: want true or false",
			    k);
		if (k[0] == 'a')
			r->aggr = b;
		else
			r->humantime = b;
		return 0;
	}
	if (r->proto == SV_NATIVE && strcmp(k, "ip") == 0)
		return text_param(r->ip, sizeof(r->ip), k, v, msg, msgsz);
	if (r->route == SV_REPORT && strcmp(k, "window") == 0) {
		if (rv_duration_parse(v, &r->window) != RV_OK ||
		    r->window <= 0 || r->window > 3650LL * 86400)
			return fail(msg, msgsz, 400, "window: want a duration "
			    "such as 24h or 7d");
		return 0;
	}
	if (r->route == SV_REPORT && strcmp(k, "all") == 0) {
		if ((b = sv_bool(v)) < 0)
			return fail(msg, msgsz, 400, "all: want true or false");
		r->all = b;
		return 0;
	}
	if (r->proto == SV_NATIVE && strcmp(k, "type") == 0)
		return text_param(r->types, sizeof(r->types), k, v, msg, msgsz);
	if (r->proto == SV_NATIVE && strcmp(k, "sensor") == 0)
		return text_param(r->sensor, sizeof(r->sensor), k, v, msg,
		    msgsz);
	return 0;	/* swclient, version, id and the like */
}

static int
params(struct sv_req *r, const char *q, size_t len, int64_t now, char *msg,
    size_t msgsz)
{
	char k[64], v[SV_VALUE_MAX + 1];
	size_t i = 0;
	int rc;

	while (i < len) {
		size_t j = i, eq;
		while (j < len && q[j] != '&')
			j++;
		eq = i;
		while (eq < j && q[eq] != '=')
			eq++;
		if (j > i) {
			if (sv_pct_decode(q + i, eq - i, 1, k, sizeof(k)) !=
			    0)
				return fail(msg, msgsz, 400, "bad parameter "
				    "name: invalid percent-encoding, a "
				    "control character or too long");
			if (sv_pct_decode(q + (eq < j ? eq + 1 : j),
			    eq < j ? j - eq - 1 : 0, 1, v, sizeof(v)) != 0)
				return fail(msg, msgsz, 400, "bad value of "
				    "'%s': invalid percent-encoding, a "
				    "control character or too long", k);
			if ((rc = param(r, k, v, now, msg, msgsz)) != 0)
				return rc;
		}
		i = j + 1;
	}
	return 0;
}

/* The route of the path's segments; 0, or a status. */
static int
route(struct sv_req *r, const struct seg *s, int n, char *msg, size_t msgsz)
{
	int rc;

	/* /dnsdb/v2/... */
	if (n >= 3 && seg_is(&s[0], "dnsdb") && seg_is(&s[1], "v2")) {
		r->proto = SV_DNSDB2;
		if (n == 3 && seg_is(&s[2], "ping"))
			r->route = SV_PING;
		else if (n == 3 && seg_is(&s[2], "rate_limit"))
			r->route = SV_RATE_LIMIT;
		else if (seg_is(&s[2], "lookup")) {
			r->route = SV_LOOKUP;
			return qpath(r, s + 3, n - 3, msg, msgsz);
		} else if (seg_is(&s[2], "summarize")) {
			r->route = SV_SUMMARIZE;
			return qpath(r, s + 3, n - 3, msg, msgsz);
		}
		return 0;
	}
	/* /api/v1/... */
	if (n >= 3 && seg_is(&s[0], "api") && seg_is(&s[1], "v1")) {
		r->proto = SV_NATIVE;
		if (n == 3 && seg_is(&s[2], "stats"))
			r->route = SV_STATS;
		else if (n == 3 && seg_is(&s[2], "ping"))
			r->route = SV_PING;
		else if (n == 4 && seg_is(&s[2], "report") &&
		    (seg_is(&s[3], "fastflux") || seg_is(&s[3], "tunnel") ||
		    seg_is(&s[3], "phishing"))) {
			r->route = SV_REPORT;
			r->report = s[3].p[0] == 'f' ? 1 : s[3].p[0] == 't' ?
			    2 : 3;
			r->window = 86400;
		} else if (n == 4 && seg_is(&s[2], "verdict")) {
			r->route = SV_REPORT;
			r->report = 4;
			r->window = 7 * 86400;
			return verdict_value(r, &s[3], msg, msgsz);
		}
		else if (seg_is(&s[2], "lookup") || seg_is(&s[2],
		    "summarize") || seg_is(&s[2], "count")) {
			r->route = s[2].p[0] == 'l' ? SV_LOOKUP :
			    s[2].p[0] == 's' ? SV_SUMMARIZE : SV_COUNT;
			return qpath(r, s + 3, n - 3, msg, msgsz);
		} else if (n == 4 && (seg_is(&s[2], "asn") ||
		    seg_is(&s[2], "subdomains") || seg_is(&s[2], "history"))) {
			r->route = s[2].p[0] == 'h' ? SV_HISTORY : SV_LOOKUP;
			r->kind = s[2].p[0] == 'a' ? RVQ_ASN : s[2].p[0] == 's' ?
			    RVQ_SUBDOMAINS : RVQ_LOOKUP;
			return decode_seg(&s[3], r->value, sizeof(r->value),
			    "value", msg, msgsz);
		}
		return 0;
	}
	/* /pdns/query/VALUE (CIRCL) */
	if (n == 3 && seg_is(&s[0], "pdns") && seg_is(&s[1], "query")) {
		r->proto = SV_CIRCL;
		r->route = SV_LOOKUP;
		r->circl_guess = 1;
		if ((rc = decode_seg(&s[2], r->value, sizeof(r->value),
		    "value", msg, msgsz)) != 0)
			return rc;
		return 0;
	}
	/* DNSDB API v1: /lookup/QPATH, /rate_limit */
	r->proto = SV_DNSDB1;
	if (n == 1 && seg_is(&s[0], "rate_limit"))
		r->route = SV_RATE_LIMIT;
	else if (n >= 1 && seg_is(&s[0], "lookup")) {
		r->route = SV_LOOKUP;
		return qpath(r, s + 1, n - 1, msg, msgsz);
	}
	return 0;
}

int
sv_req_parse(const char *target, size_t len, int64_t now, struct sv_req *r,
    char *msg, size_t msgsz)
{
	struct seg segs[SEGS_MAX];
	size_t plen = 0;
	int n, rc;

	memset(r, 0, sizeof(*r));
	r->aggr = 1;
	if (msgsz > 0)
		msg[0] = '\0';
	if (len > SV_TARGET_MAX)
		return fail(msg, msgsz, 414, "request target longer than %d "
		    "octets", SV_TARGET_MAX);
	if (len == 0 || target[0] != '/')
		return fail(msg, msgsz, 400, "request target must be a path");
	while (plen < len && target[plen] != '?' && target[plen] != '#')
		plen++;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)target[i] <= 0x20 ||
		    (unsigned char)target[i] >= 0x7f)
			return fail(msg, msgsz, 400, "request target holds a "
			    "raw control, space or non-ASCII octet");
	if ((n = split(target + 1, plen - 1, segs)) < 0)
		return 404;
	if ((rc = route(r, segs, n, msg, msgsz)) != 0)
		return rc;
	if (plen < len && target[plen] == '?') {
		size_t qend = plen + 1;
		while (qend < len && target[qend] != '#')
			qend++;
		if ((rc = params(r, target + plen + 1, qend - plen - 1, now,
		    msg, msgsz)) != 0)
			return rc;
	}
	return 0;
}
