/**
 * \file gen.c
 * The synthetic stream of gen.h.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gen.h"
#include "rv_name.h"

static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t
h2(uint64_t seed, uint64_t a, uint64_t b)
{
	return mix(mix(seed ^ mix(a)) ^ b);
}

void
gen_defaults(struct gen_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->seed = 1;
	c->nobs = 10000000;
	c->nrrsets = 1000000;
	c->skew = 0;
	c->t0 = 1700000000;
	c->span = 86400;
}

static const char *const tlds[] = {
	"com", "com", "com", "com", "net", "net", "org", "de", "io", "co.uk",
	"ru", "nl", "fr", "info", "xyz", "com.au",
};
static const char *const words[] = {
	"shop", "news", "cloud", "mail", "bank", "data", "web", "media",
	"game", "travel", "health", "tech", "food", "auto", "home", "sport",
};
static const char *const hosts[] = {
	"www", "mail", "api", "cdn", "static", "m", "app", "login", "smtp",
	"vpn", "img", "blog", "shop", "portal", "dev", "autodiscover",
};
static const char *const cdns[] = {
	"akamaiedge.net", "cloudfront.net", "fastly.net", "azureedge.net",
	"edgekey.net", "cdn.cloudflare.net",
};

/* A /16 or a test range for address pool member p. */
static void
pool_addr4(uint64_t seed, uint64_t p, uint8_t a[4])
{
	uint64_t h = h2(seed, 4, p);

	switch (p % 16) {
	case 0: case 1: case 2:		/* 1.128.0.0/11: AS1221 */
		a[0] = 1;
		a[1] = (uint8_t)(128 + (h >> 8) % 32);
		break;
	case 3:				/* 12.81.92.0/22: AS7018 */
		a[0] = 12; a[1] = 81;
		a[2] = (uint8_t)(92 + (h >> 16) % 4);
		a[3] = (uint8_t)(h >> 24);
		return;
	case 4:				/* 81.2.69.160/27: GB (City test) */
		a[0] = 81; a[1] = 2; a[2] = 69;
		a[3] = (uint8_t)(160 + (h >> 24) % 32);
		return;
	case 5:				/* 175.16.199.0/24: CN (City test) */
		a[0] = 175; a[1] = 16; a[2] = 199;
		a[3] = (uint8_t)(h >> 24);
		return;
	default:			/* hosting-like /16s */
		a[0] = (uint8_t)(23 + (h >> 8) % 200);
		a[1] = (uint8_t)((h >> 16) % 64);
		break;
	}
	a[2] = (uint8_t)(h >> 32);
	a[3] = (uint8_t)(h >> 40);
}

/* Append a presentation name as wire; returns new length. */
static size_t
wname(const char *s, uint8_t *out)
{
	size_t n = 0;

	if (rv_name_from_str(s, out, &n) != 0) {
		out[0] = 0;
		n = 1;
	}
	return n;
}

static void
add_rd(struct gen_rrset *r, const uint8_t *d, size_t n)
{
	if (r->rdlen + 2 + n > GEN_RDATA_MAX)
		return;
	r->rdata[r->rdlen] = (uint8_t)(n >> 8);
	r->rdata[r->rdlen + 1] = (uint8_t)n;
	memcpy(r->rdata + r->rdlen + 2, d, n);
	r->rdlen += 2 + n;
	r->rdcount++;
}

static void
seq_rrset(uint64_t i, struct gen_rrset *r)
{
	char s[64];
	uint8_t a[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8),
	    (uint8_t)i };

	snprintf(s, sizeof(s), "n%llu.seq.test", (unsigned long long)i);
	r->olen = wname(s, r->owner);
	r->zlen = wname("seq.test", r->zone);
	r->type = 1;
	r->ttl = 300;
	add_rd(r, a, 4);
}

void
gen_rrset(const struct gen_cfg *c, uint64_t i, struct gen_rrset *r)
{
	uint64_t h = h2(c->seed, 1, i), h1 = h2(c->seed, 2, i);
	uint64_t ndom = c->nrrsets / 3 + 1, d = h % ndom;
	unsigned pick = (unsigned)((h >> 32) % (c->only_a ? 55 : 100));
	char dom[96], own[160], s[256];
	uint8_t buf[600], a[16];
	size_t n;

	memset(r, 0, offsetof(struct gen_rrset, rdata));
	r->rdlen = 0;
	if (c->seq) {
		seq_rrset(i, r);
		return;
	}
	snprintf(dom, sizeof(dom), "%s%llu.%s", words[d % 16],
	    (unsigned long long)(d / 16), tlds[mix(d) % 16]);
	if ((h1 & 0xff) < 85)
		snprintf(own, sizeof(own), "%08llx.%s",
		    (unsigned long long)(h1 >> 32), dom);
	else
		snprintf(own, sizeof(own), "%s.%s", hosts[(h1 >> 8) % 16], dom);
	r->ttl = (const uint32_t[]){ 60, 300, 300, 3600, 3600, 86400 }[h1 % 6];
	r->zlen = wname(dom, r->zone);
	if (pick < 55 || pick >= 97) {			/* A (and SRV below) */
		r->type = 1;
		for (unsigned k = 0; k <= (h1 >> 40) % 3; k++) {
			pool_addr4(c->seed, h2(c->seed, 3, i * 8 + k) %
			    (c->nrrsets / 3 + 1), a);
			add_rd(r, a, 4);
		}
		if (pick >= 97) {
			r->type = 33;
			r->rdcount = 0;
			r->rdlen = 0;
			snprintf(own, sizeof(own), "_sip._tcp.%s", dom);
			buf[0] = 0; buf[1] = 10; buf[2] = 0; buf[3] = 60;
			buf[4] = 0x13; buf[5] = 0xc4;
			snprintf(s, sizeof(s), "sip%llu.%s",
			    (unsigned long long)(h1 >> 48), dom);
			n = wname(s, buf + 6);
			add_rd(r, buf, 6 + n);
		}
	} else if (pick < 70) {				/* AAAA */
		r->type = 28;
		memset(a, 0, 16);
		a[0] = 0x20; a[1] = 0x01; a[2] = 0x0d;
		a[3] = (uint8_t)(0xb8 + (h1 >> 20) % 2);
		for (int k = 4; k < 16; k++)
			a[k] = (uint8_t)(h2(c->seed, 5, i) >> (k * 4));
		add_rd(r, a, 16);
	} else if (pick < 80) {				/* CNAME */
		r->type = 5;
		snprintf(s, sizeof(s), "e%llu.%s",
		    (unsigned long long)((h1 >> 20) % 500000),
		    cdns[(h1 >> 12) % 6]);
		n = wname(s, buf);
		add_rd(r, buf, n);
	} else if (pick < 85) {				/* NS */
		r->type = 2;
		snprintf(own, sizeof(own), "%s", dom);
		r->zlen = wname(strchr(dom, '.') + 1, r->zone);
		for (int k = 0; k < 2; k++) {
			snprintf(s, sizeof(s), "ns%d.dns%llu.net", k + 1,
			    (unsigned long long)((h1 >> 16) % 200000));
			n = wname(s, buf);
			add_rd(r, buf, n);
		}
	} else if (pick < 89) {				/* MX */
		r->type = 15;
		snprintf(own, sizeof(own), "%s", dom);
		buf[0] = 0;
		buf[1] = 10;
		snprintf(s, sizeof(s), "mx%llu.%s",
		    (unsigned long long)((h1 >> 16) % 100000), dom);
		n = wname(s, buf + 2);
		add_rd(r, buf, 2 + n);
	} else if (pick < 95) {				/* TXT */
		r->type = 16;
		snprintf(s + 1, sizeof(s) - 1, "v=spf1 include:_spf%llu.%s ~all",
		    (unsigned long long)((h1 >> 16) % 1000000), dom);
		s[0] = (char)strlen(s + 1);
		add_rd(r, (const uint8_t *)s, 1 + (size_t)(uint8_t)s[0]);
	} else {					/* SOA */
		r->type = 6;
		snprintf(own, sizeof(own), "%s", dom);
		snprintf(s, sizeof(s), "ns1.%s", dom);
		n = wname(s, buf);
		snprintf(s, sizeof(s), "hostmaster.%s", dom);
		n += wname(s, buf + n);
		uint32_t v[5] = { (uint32_t)(h1 >> 32), 7200, 3600, 1209600,
		    300 };
		for (int k = 0; k < 5; k++) {
			buf[n++] = (uint8_t)(v[k] >> 24);
			buf[n++] = (uint8_t)(v[k] >> 16);
			buf[n++] = (uint8_t)(v[k] >> 8);
			buf[n++] = (uint8_t)v[k];
		}
		add_rd(r, buf, n);
	}
	r->olen = wname(own, r->owner);
}

uint64_t
gen_obs(const struct gen_cfg *c, uint64_t j, uint32_t *t)
{
	uint64_t cj = (uint64_t)((unsigned __int128)j * c->nrrsets / c->nobs);
	uint64_t cp;
	double u;

	*t = c->t0 + (uint32_t)((unsigned __int128)j * c->span / c->nobs);
	if (j == 0)
		return 0;
	cp = (uint64_t)((unsigned __int128)(j - 1) * c->nrrsets / c->nobs);
	if (cj > cp || c->nobs <= c->nrrsets)
		return cj;
	u = (double)(h2(c->seed, 9, j) >> 11) / 9007199254740992.0;
	if (c->skew == 0)
		return (uint64_t)(exp(u * log((double)cj + 2)) - 1) % (cj + 1);
	return (uint64_t)((double)(cj + 1) * pow(u, c->skew)) % (cj + 1);
}
