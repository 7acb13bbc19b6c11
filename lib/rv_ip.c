/**
 * \file rv_ip.c
 * IPv4/IPv6 addresses, CIDR blocks and FROM-TO ranges.
 */
#include "rv_ip.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "rv_err.h"

size_t
rv_ip_len(uint8_t family)
{
	return family == 4 ? 4 : family == 6 ? 16 : 0;
}

int
rv_ip_parse(const char *s, struct rv_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, ip->addr) != 1)
			return RV_EINVAL;
		ip->family = 6;
	} else {
		/* inet_pton accepts only the strict dotted quad: good. */
		if (inet_pton(AF_INET, s, ip->addr) != 1)
			return RV_EINVAL;
		ip->family = 4;
	}
	return RV_OK;
}

int
rv_ip_to_str(const struct rv_ip *ip, char *out, size_t outsz)
{
	int af = ip->family == 4 ? AF_INET : ip->family == 6 ? AF_INET6 : -1;

	if (af < 0)
		return RV_EINVAL;
	if (!inet_ntop(af, ip->addr, out, (socklen_t)outsz))
		return RV_ETOOBIG;
	return RV_OK;
}

size_t
rv_ip4_text(const uint8_t *a, char *out)
{
	char *p = out;

	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		*p++ = '.';
	}
	*--p = '\0';
	return (size_t)(p - out);
}

size_t
rv_ip6_text(const uint8_t *a, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int best = -1, bestlen = 0, run = -1;
	char *p = out;

	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	/* the longest run of zero groups; the first when two are as long */
	for (int i = 0; i <= 8; i++) {
		if (i < 8 && w[i] == 0) {
			if (run < 0)
				run = i;
			continue;
		}
		if (run >= 0 && i - run > bestlen) {
			best = run;
			bestlen = i - run;
		}
		run = -1;
	}
	if (bestlen < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + bestlen) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i != 0)
			*p++ = ':';
		/* ::a.b.c.d and ::ffff:a.b.c.d */
		if (i == 6 && best == 0 && (bestlen == 6 ||
		    (bestlen == 5 && w[5] == 0xffff)))
			return (size_t)(p - out) + rv_ip4_text(a + 12, p);
		for (int s = 12, lead = 1; s >= 0; s -= 4) {
			unsigned d = w[i] >> s & 0xf;

			if (lead && d == 0 && s > 0)
				continue;
			lead = 0;
			*p++ = hex[d];
		}
	}
	if (best >= 0 && best + bestlen == 8)
		*p++ = ':';
	*p = '\0';
	return (size_t)(p - out);
}

int
rv_range_from_cidr(const struct rv_ip *ip, unsigned prefix,
    struct rv_iprange *r)
{
	size_t n = rv_ip_len(ip->family);

	if (n == 0)
		return RV_EINVAL;
	if (prefix > n * 8)
		return RV_ERANGE;
	memset(r, 0, sizeof(*r));
	r->family = ip->family;
	for (size_t i = 0; i < n; i++) {
		unsigned bits = prefix >= (i + 1) * 8 ? 8 :
		    prefix <= i * 8 ? 0 : prefix - (unsigned)i * 8;
		uint8_t mask = (uint8_t)(bits ? 0xff << (8 - bits) : 0);
		r->lo[i] = ip->addr[i] & mask;
		r->hi[i] = (uint8_t)(ip->addr[i] | (uint8_t)~mask);
	}
	return RV_OK;
}

int
rv_range_parse(const char *s, struct rv_iprange *r)
{
	char buf[2 * RV_IP_STR_MAX + 8];
	struct rv_ip a, b;
	char *sep;
	int rc;

	if (strlen(s) >= sizeof(buf))
		return RV_EINVAL;
	strcpy(buf, s);
	if ((sep = strchr(buf, '/')) != NULL) {
		char *end;
		*sep++ = '\0';
		if (*sep < '0' || *sep > '9')
			return RV_EINVAL;
		unsigned long p = strtoul(sep, &end, 10);
		if (*end != '\0')
			return RV_EINVAL;
		if ((rc = rv_ip_parse(buf, &a)) != RV_OK)
			return rc;
		if (p > 128)
			return RV_ERANGE;
		return rv_range_from_cidr(&a, (unsigned)p, r);
	}
	if ((sep = strchr(buf, '-')) != NULL) {
		*sep++ = '\0';
		if ((rc = rv_ip_parse(buf, &a)) != RV_OK ||
		    (rc = rv_ip_parse(sep, &b)) != RV_OK)
			return rc;
		if (a.family != b.family)
			return RV_EINVAL;
		if (memcmp(a.addr, b.addr, rv_ip_len(a.family)) > 0)
			return RV_EINVAL;
		memset(r, 0, sizeof(*r));
		r->family = a.family;
		memcpy(r->lo, a.addr, 16);
		memcpy(r->hi, b.addr, 16);
		return RV_OK;
	}
	if ((rc = rv_ip_parse(buf, &a)) != RV_OK)
		return rc;
	return rv_range_from_cidr(&a, (unsigned)rv_ip_len(a.family) * 8, r);
}

int
rv_range_contains(const struct rv_iprange *r, const struct rv_ip *ip)
{
	size_t n = rv_ip_len(r->family);

	return ip->family == r->family && n &&
	    memcmp(ip->addr, r->lo, n) >= 0 && memcmp(ip->addr, r->hi, n) <= 0;
}

int
rv_range_v4mapped(const struct rv_iprange *r, struct rv_iprange *v4)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	if (r->family != 6 || memcmp(r->lo, mapped, 12) != 0 ||
	    memcmp(r->hi, mapped, 12) != 0)
		return 0;
	memset(v4, 0, sizeof(*v4));
	v4->family = 4;
	memcpy(v4->lo, r->lo + 12, 4);
	memcpy(v4->hi, r->hi + 12, 4);
	return 1;
}
