/**
 * \file test_report_feat.c
 * The report's pure feature code on hand-made records: the window and its
 * edges, fast-flux features and both scores (a flux name is flagged, a CDN
 * with many addresses in one ASN is not), the NS accumulator, entropy,
 * tunnelling features and score (a tunnel ranks above busy ordinary
 * domains), and allow-lists.
 *
 * It links the query engine like any caller; leaks are the sanitizer
 * build's to find (./run test runs it under ASan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "rv_err.h"
#include "rv_name.h"
#include "rvq_report_feat.h"

#define T0 1700000000u	/* window start */
#define T1 (T0 + 86400u)	/* window end */

static const struct rvq_window win = { T0, T1 };

static void
wire(const char *s, uint8_t *out, size_t *len)
{
	assert_int_equal(rv_name_from_str(s, out, len), RV_OK);
}

static void
mkaddr(struct rvq_ff_addr *a, const char *ip, uint32_t asn, const char *cc)
{
	memset(a, 0, sizeof(*a));
	assert_int_equal(rv_ip_parse(ip, &a->ip), RV_OK);
	a->asn = asn;
	snprintf(a->cc, sizeof(a->cc), "%s", cc);
}

static void
test_window_edges(void **state)
{
	(void)state;
	assert_true(rvq_window_has(&win, T0));
	assert_true(rvq_window_has(&win, T1));
	assert_false(rvq_window_has(&win, T0 - 1));
	assert_false(rvq_window_has(&win, T1 + 1));
	assert_true(rvq_window_overlaps(&win, T0 - 100, T0));
	assert_false(rvq_window_overlaps(&win, T0 - 100, T0 - 1));
	assert_true(rvq_window_overlaps(&win, T1, T1 + 100));
	assert_false(rvq_window_overlaps(&win, T1 + 1, T1 + 100));
	assert_true(rvq_window_overlaps(&win, T0 - 100, T1 + 100));
}

static int
setup_name(void **state)
{
	struct rvq_ff_name *n = test_calloc(1, sizeof(*n));

	*state = n;
	return n == NULL;
}

static int
teardown_name(void **state)
{
	struct rvq_ff_name *n = *state;

	rvq_ff_name_free(n);
	test_free(n);
	return 0;
}

/* A name rotating over four ASNs and several countries, TTL 60. */
static void
test_flux_flagged(void **state)
{
	struct rvq_ff_name *n = *state;
	struct rvq_ff_params p;
	struct rvq_ff_result r;
	struct rvq_ff_addr a[16];
	uint8_t o[RV_NAME_MAX];
	size_t olen, i, k;
	char ip[64];

	rvq_ff_params_default(&p);
	wire("flux.example.test", o, &olen);
	rvq_ff_name_start(n, o, olen);
	/* 6 rotations of 10 addresses: 60 distinct, 4 ASNs, 3 countries. */
	for (k = 0; k < 6; k++) {
		for (i = 0; i < 10; i++) {
			unsigned j = (unsigned)(k * 10 + i);

			switch (j % 4) {
			case 0:
				snprintf(ip, sizeof(ip), "1.%u.0.%u",
				    128 + j, j);
				mkaddr(&a[i], ip, 1221, "AU");
				break;
			case 1:
				snprintf(ip, sizeof(ip), "12.81.%u.%u",
				    92 + j % 4, j);
				mkaddr(&a[i], ip, 7018, "US");
				break;
			case 2:
				snprintf(ip, sizeof(ip), "2600:6000::%x", j);
				mkaddr(&a[i], ip, 237, "");
				break;
			default:
				snprintf(ip, sizeof(ip), "2600:7000::%x", j);
				mkaddr(&a[i], ip, 6939, "SE");
				break;
			}
		}
		assert_int_equal(rvq_ff_name_add(n, &win, 1,
		    T0 + (uint32_t)k * 3600, T0 + (uint32_t)k * 3600 + 600, 5,
		    60, a, 10), RV_OK);
	}
	rvq_ff_name_set_ns(n, 2, 0);
	assert_true(rvq_ff_name_candidate(n));
	assert_true(rvq_ff_name_may_flag(n, &p));
	assert_int_equal(rvq_ff_name_eval(n, &p, &r), RV_OK);
	assert_int_equal(r.n_addr, 60);
	assert_int_equal(r.n_asn, 4);
	assert_int_equal(r.n_cc, 3);
	assert_int_equal(r.n_v4 + r.n_v6, 60);
	assert_int_equal(r.n_net6, 2);
	assert_int_equal(r.ttl_min, 60);
	assert_int_equal(r.churn, 6);
	assert_int_equal(r.count, 30);
	assert_int_equal(r.n_ns, 2);
	assert_true(r.holz > 1.32 * 60 + 18.54 * 4 - 1e-9);
	assert_true(r.holz < 1.32 * 60 + 18.54 * 4 + 1e-9);
	assert_true(r.holz > p.holz_threshold);
	assert_true(r.score >= p.score_threshold);
	assert_true(r.flagged);
	rvq_ff_name_free(n);
}

/* A CDN: 120 addresses in one ASN. Holz's f exceeds its threshold on nA
 * alone, yet the name must not be flagged. */
static void
test_cdn_not_flagged(void **state)
{
	struct rvq_ff_name *n = *state;
	struct rvq_ff_params p;
	struct rvq_ff_result r;
	struct rvq_ff_addr a[120];
	uint8_t o[RV_NAME_MAX];
	size_t olen, i;
	char ip[64];

	rvq_ff_params_default(&p);
	wire("cdn.example.test", o, &olen);
	rvq_ff_name_start(n, o, olen);
	for (i = 0; i < 120; i++) {
		snprintf(ip, sizeof(ip), "1.%u.%u.1", 128 + (unsigned)i / 10,
		    (unsigned)i);
		mkaddr(&a[i], ip, 1221, i % 2 ? "AU" : "NZ");
	}
	for (i = 0; i < 12; i++)
		assert_int_equal(rvq_ff_name_add(n, &win, 1, T0 + 10,
		    T0 + 100 + (uint32_t)i, 1, 20, &a[i * 10], 10), RV_OK);
	assert_int_equal(rvq_ff_name_eval(n, &p, &r), RV_OK);
	assert_int_equal(r.n_addr, 120);
	assert_int_equal(r.n_asn, 1);
	assert_int_equal(r.n_net4, 12);
	assert_true(r.holz > p.holz_threshold);
	assert_false(r.flagged);
	/* Unknown TTLs (imported data) weigh as ttl_ref. */
	n->rr[0].ttl_min = UINT32_MAX;
	assert_int_equal(rvq_ff_name_eval(n, &p, &r), RV_OK);
	assert_int_equal(r.ttl_min, 20);
	for (i = 0; i < n->nrr; i++)
		n->rr[i].ttl_min = UINT32_MAX;
	assert_int_equal(rvq_ff_name_eval(n, &p, &r), RV_OK);
	assert_int_equal(r.ttl_min, UINT32_MAX);
	/* Even a zero score threshold cannot flag one ASN. */
	p.score_threshold = 0;
	p.min_asn = 0;
	assert_int_equal(rvq_ff_name_eval(n, &p, &r), RV_OK);
	assert_false(r.flagged);
	rvq_ff_name_free(n);
}

/* An ordinary name: two addresses, one ASN, TTL one hour, stable. */
static void
test_ordinary_name(void **state)
{
	struct rvq_ff_name *n = *state;
	struct rvq_ff_params p;
	struct rvq_ff_result r;
	struct rvq_ff_addr a[2];
	uint8_t o[RV_NAME_MAX];
	size_t olen;

	rvq_ff_params_default(&p);
	wire("www.example.test", o, &olen);
	rvq_ff_name_start(n, o, olen);
	mkaddr(&a[0], "81.2.69.142", 0, "GB");
	mkaddr(&a[1], "81.2.69.143", 0, "GB");
	assert_int_equal(rvq_ff_name_add(n, &win, 1, T0 - 86400 * 30, T1 - 5,
	    900, 3600, a, 2), RV_OK);
	assert_int_equal(rvq_ff_name_eval(n, &p, &r), RV_OK);
	assert_int_equal(r.n_addr, 2);
	assert_int_equal(r.n_asn, 0);
	assert_int_equal(r.churn, 1);
	assert_true(r.score == 0.0);
	assert_false(r.flagged);
	/* Two addresses in one set cannot reach either threshold. */
	assert_false(rvq_ff_name_may_flag(n, &p));
	rvq_ff_name_free(n);
}

/* Window edges: last seen exactly at since or until makes a candidate;
 * one second outside does not; RRsets outside are not counted. */
static void
test_flux_window_edges(void **state)
{
	struct rvq_ff_name *n = *state;
	struct rvq_ff_params p;
	struct rvq_ff_result r;
	struct rvq_ff_addr a[2];
	uint8_t o[RV_NAME_MAX];
	size_t olen;

	rvq_ff_params_default(&p);
	wire("edge.example.test", o, &olen);
	mkaddr(&a[0], "1.128.0.1", 1221, "AU");
	mkaddr(&a[1], "12.81.92.1", 7018, "US");

	rvq_ff_name_start(n, o, olen);
	assert_int_equal(rvq_ff_name_add(n, &win, 1, T0 - 50, T0 - 1, 1, 60,
	    &a[0], 1), RV_OK);
	assert_false(rvq_ff_name_candidate(n));
	assert_int_equal(n->nrr, 0);
	assert_int_equal(rvq_ff_name_eval(n, &p, &r), RV_ENOENT);

	rvq_ff_name_start(n, o, olen);
	assert_int_equal(rvq_ff_name_add(n, &win, 1, T0 - 50, T0, 1, 60,
	    &a[0], 1), RV_OK);
	assert_true(rvq_ff_name_candidate(n));

	rvq_ff_name_start(n, o, olen);
	assert_int_equal(rvq_ff_name_add(n, &win, 1, T1, T1, 1, 60, &a[0], 1),
	    RV_OK);
	assert_true(rvq_ff_name_candidate(n));

	/* Overlapping but last seen after the window: counted, not a
	 * candidate by itself. */
	rvq_ff_name_start(n, o, olen);
	assert_int_equal(rvq_ff_name_add(n, &win, 1, T1 - 10, T1 + 1, 1, 60,
	    &a[0], 1), RV_OK);
	assert_false(rvq_ff_name_candidate(n));
	assert_int_equal(rvq_ff_name_add(n, &win, 1, T0 + 5, T0 + 6, 1, 30,
	    &a[1], 1), RV_OK);
	assert_true(rvq_ff_name_candidate(n));
	assert_int_equal(rvq_ff_name_eval(n, &p, &r), RV_OK);
	assert_int_equal(r.n_addr, 2);
	assert_int_equal(r.n_asn, 2);
	assert_int_equal(r.ttl_min, 30);
	assert_false(rvq_ff_name_may_flag(n, &p));
	/* The bound holds: even in 2 ASNs it scores below the threshold. */
	assert_false(r.flagged);
	assert_int_equal(r.first, T0 + 5);
	assert_int_equal(r.last, T1 + 1);

	/* Starts after the window: ignored. */
	rvq_ff_name_start(n, o, olen);
	assert_int_equal(rvq_ff_name_add(n, &win, 1, T1 + 1, T1 + 2, 1, 60,
	    &a[0], 1), RV_OK);
	assert_int_equal(n->nrr, 0);
	rvq_ff_name_free(n);
}

/* The same address set under two bailiwicks is one set; an address in
 * two sets is one address. */
static void
test_flux_dedup(void **state)
{
	struct rvq_ff_name *n = *state;
	struct rvq_ff_params p;
	struct rvq_ff_result r;
	struct rvq_ff_addr a[3];
	uint8_t o[RV_NAME_MAX];
	size_t olen;

	rvq_ff_params_default(&p);
	wire("dup.example.test", o, &olen);
	mkaddr(&a[0], "1.128.0.1", 1221, "AU");
	mkaddr(&a[1], "1.128.0.2", 1221, "AU");
	mkaddr(&a[2], "1.128.0.3", 1221, "AU");
	rvq_ff_name_start(n, o, olen);
	assert_int_equal(rvq_ff_name_add(n, &win, 1, T0, T0 + 1, 1, 300, a, 2),
	    RV_OK);
	assert_int_equal(rvq_ff_name_add(n, &win, 1, T0, T0 + 2, 1, 300, a, 2),
	    RV_OK);
	assert_int_equal(rvq_ff_name_add(n, &win, 1, T0, T0 + 3, 1, 100, &a[1],
	    2), RV_OK);
	assert_int_equal(rvq_ff_name_eval(n, &p, &r), RV_OK);
	assert_int_equal(r.n_addr, 3);
	assert_int_equal(r.churn, 2);
	assert_int_equal(r.n_net4, 1);
	assert_int_equal(r.ttl_min, 100);
	rvq_ff_name_free(n);
}

/* The pruning bound is sound: whenever ff_name_may_flag says no, the
 * full evaluation does not flag either, over many random names. */
static void
test_flux_bound(void **state)
{
	struct rvq_ff_name *n = *state;
	struct rvq_ff_params p;
	struct rvq_ff_result r;
	struct rvq_ff_addr a[8];
	uint8_t o[RV_NAME_MAX];
	size_t olen;
	uint32_t x = 99;
	unsigned iter, k, i, flagged = 0;

	rvq_ff_params_default(&p);
	p.score_threshold = 20;	/* more names near the edge */
	wire("rnd.example.test", o, &olen);
	for (iter = 0; iter < 3000; iter++) {
		unsigned nrr = 1 + (x = x * 1103515245u + 12345u) % 8;
		uint32_t ttl = (x = x * 1103515245u + 12345u) % 4000;

		rvq_ff_name_start(n, o, olen);
		for (k = 0; k < nrr; k++) {
			unsigned na = 1 + (x = x * 1103515245u + 12345u) % 8;

			for (i = 0; i < na; i++) {
				x = x * 1103515245u + 12345u;
				memset(&a[i], 0, sizeof(a[i]));
				a[i].ip.family = 4;
				a[i].ip.addr[0] = (uint8_t)(x >> 24);
				a[i].ip.addr[1] = (uint8_t)(x >> 16);
				a[i].ip.addr[3] = (uint8_t)(x >> 8);
				a[i].asn = (x >> 4) % 6;
				a[i].cc[0] = (char)('A' + (x >> 9) % 5);
				a[i].cc[1] = 'X';
			}
			assert_int_equal(rvq_ff_name_add(n, &win, 1, T0, T0 + k, 1,
			    ttl, a, na), RV_OK);
		}
		assert_int_equal(rvq_ff_name_eval(n, &p, &r), RV_OK);
		if (!rvq_ff_name_may_flag(n, &p))
			assert_false(r.flagged);
		flagged += (unsigned)r.flagged;
	}
	assert_true(flagged > 0);
	rvq_ff_name_free(n);
}

static void
test_ns(void **state)
{
	struct rvq_ff_ns ns;
	const uint64_t s1[] = { 11, 22 }, s2[] = { 22, 33 };

	(void)state;
	memset(&ns, 0, sizeof(ns));
	rvq_ff_ns_start(&ns);
	assert_int_equal(rvq_ff_ns_add(&ns, &win, T0 - 999, T0 + 1, 1, s1, 2),
	    RV_OK);
	assert_int_equal(rvq_ff_ns_count(&ns), 2);
	assert_int_equal(ns.nsets, 1);
	/* Outside the window: ignored. */
	assert_int_equal(rvq_ff_ns_add(&ns, &win, T0 - 999, T0 - 1, 2, s2, 2),
	    RV_OK);
	assert_int_equal(ns.nsets, 1);
	assert_int_equal(rvq_ff_ns_add(&ns, &win, T0 + 5, T1, 2, s2, 2), RV_OK);
	assert_int_equal(rvq_ff_ns_count(&ns), 3);
	assert_int_equal(ns.nsets, 2);
	rvq_ff_ns_start(&ns);
	assert_int_equal(rvq_ff_ns_count(&ns), 0);
	rvq_ff_ns_free(&ns);
}

static void
test_entropy(void **state)
{
	(void)state;
	assert_true(rvq_entropy((const uint8_t *)"", 0) == 0.0);
	assert_true(rvq_entropy((const uint8_t *)"aaaa", 4) == 0.0);
	assert_true(rvq_entropy((const uint8_t *)"abab", 4) == 1.0);
	assert_true(rvq_entropy((const uint8_t *)"abcd", 4) == 2.0);
	assert_true(rvq_entropy((const uint8_t *)"0123456789abcdef", 16)
	    == 4.0);
}

/* Feed one name with one RRset (or a negative answer) to a domain. */
static void
feed(struct rvq_tun_domain *d, const char *name, uint16_t type, int neg,
    uint32_t first, uint32_t last, uint32_t count)
{
	uint8_t w[RV_NAME_MAX];
	size_t wl;
	int in;

	wire(name, w, &wl);
	if (neg)
		in = rvq_tun_add_neg(d, &win, (uint8_t)type, first, last, count);
	else
		in = rvq_tun_add_rrset(d, &win, type, first, last, count);
	if (in)
		rvq_tun_add_name(d, w, wl);
}

static uint32_t rng = 12345;

static char
rnd_char(void)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

	rng = rng * 1103515245u + 12345u;
	return b32[(rng >> 16) % 32];
}

static void
tunnel_domain(struct rvq_tun_domain *d, unsigned n)
{
	uint8_t dom[RV_NAME_MAX];
	size_t dl, i, j;
	char name[128];

	wire("tunnel.test", dom, &dl);
	rvq_tun_start(d, dom, dl);
	for (i = 0; i < n; i++) {
		for (j = 0; j < 50; j++)
			name[j] = rnd_char();
		snprintf(name + 50, sizeof(name) - 50, ".tunnel.test");
		feed(d, name, 16, 0, T0 + (uint32_t)i, T0 + (uint32_t)i, 1);
	}
}

static void
test_tunnel_vs_ordinary(void **state)
{
	static const char *words[] = { "www", "mail", "shop", "api", "blog",
	    "static", "intranet", "vpn", "portal", "docs" };
	struct rvq_tun_params p;
	struct rvq_tun_domain d;
	struct rvq_tun_result tun, ord, cdn, mx;
	uint8_t dom[RV_NAME_MAX];
	size_t dl, i;
	char name[128];

	(void)state;
	rvq_tun_params_default(&p);

	tunnel_domain(&d, 300);
	assert_int_equal(rvq_tun_eval(&d, &p, &tun), RV_OK);
	assert_int_equal(tun.nnames, 300);
	assert_int_equal(tun.max_len, 50);
	assert_true(tun.mean_len == 50.0);
	assert_true(tun.entropy > 4.0);
	assert_true(tun.special == 1.0);
	assert_true(tun.flagged);

	/* An ordinary domain: 30 readable names with addresses. */
	wire("ordinary.test", dom, &dl);
	rvq_tun_start(&d, dom, dl);
	for (i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "%s%zu.ordinary.test",
		    words[i % 10], i / 10);
		feed(&d, name, 1, 0, T0, T1, 100);
	}
	feed(&d, "missing.ordinary.test", 3, 1, T0, T0, 2);
	assert_int_equal(rvq_tun_eval(&d, &p, &ord), RV_OK);
	assert_int_equal(ord.nnames, 31);
	assert_true(ord.nx_rate > 0.0 && ord.nx_rate < 0.01);
	assert_false(ord.flagged);

	/* A busy CDN: 5000 short hex names with addresses. */
	wire("cdn.test", dom, &dl);
	rvq_tun_start(&d, dom, dl);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "e%05zx.a.cdn.test", i * 7919);
		feed(&d, name, 1, 0, T0, T1, 10);
	}
	assert_int_equal(rvq_tun_eval(&d, &p, &cdn), RV_OK);
	assert_false(cdn.flagged);

	/* A mail provider: many readable tenant names with A/MX/CNAME. */
	wire("mailhost.test", dom, &dl);
	rvq_tun_start(&d, dom, dl);
	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "%s-corp%zu-com.mail.mailhost.test",
		    words[i % 10], i);
		feed(&d, name, i % 3 == 0 ? 1 : i % 3 == 1 ? 15 : 5, 0, T0,
		    T1, 10);
	}
	assert_int_equal(rvq_tun_eval(&d, &p, &mx), RV_OK);
	assert_false(mx.flagged);

	assert_true(tun.score > ord.score);
	assert_true(tun.score > cdn.score);
	assert_true(tun.score > mx.score);
}

static void
test_tunnel_window_edges(void **state)
{
	struct rvq_tun_params p;
	struct rvq_tun_domain d;
	struct rvq_tun_result r;
	uint8_t dom[RV_NAME_MAX];
	size_t dl;

	(void)state;
	rvq_tun_params_default(&p);
	wire("edge.test", dom, &dl);
	rvq_tun_start(&d, dom, dl);
	feed(&d, "a.edge.test", 16, 0, T0 - 10, T0 - 1, 1);
	feed(&d, "b.edge.test", 3, 1, T1 + 1, T1 + 5, 1);
	assert_int_equal(d.nnames, 0);
	assert_int_equal(rvq_tun_eval(&d, &p, &r), RV_ENOENT);
	/* Overlapping, last seen after the window: counted, no candidate. */
	feed(&d, "c.edge.test", 16, 0, T1, T1 + 5, 1);
	assert_int_equal(d.nnames, 1);
	assert_false(rvq_tun_candidate(&d));
	feed(&d, "d.edge.test", 3, 1, T0 - 5, T0, 4);
	assert_true(rvq_tun_candidate(&d));
	assert_int_equal(rvq_tun_eval(&d, &p, &r), RV_OK);
	assert_int_equal(r.nnames, 2);
	assert_true(r.nx_rate == 0.8);
	assert_true(r.special == 1.0);
	/* Thresholds are configurable: too few names to flag. */
	p.threshold = 0;
	assert_int_equal(rvq_tun_eval(&d, &p, &r), RV_OK);
	assert_false(r.flagged);
	p.min_names = 2;
	assert_int_equal(rvq_tun_eval(&d, &p, &r), RV_OK);
	assert_true(r.flagged);
}

static void
test_allow(void **state)
{
	struct rvq_allow a;
	uint8_t w[RV_NAME_MAX];
	size_t wl;
	char path[] = "/tmp/rv-allow-XXXXXX";
	unsigned line;
	FILE *fp;
	int fd;

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(rvq_allow_add(&a, "Example.COM."), RV_OK);
	assert_int_equal(rvq_allow_add(&a, "akamaiedge.net"), RV_OK);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs("# CDNs\n\n  cloudfront.net  # AWS\nsophosxl.net\n", fp);
	fclose(fp);
	assert_int_equal(rvq_allow_load(&a, path, &line), RV_OK);
	rvq_allow_finish(&a);
	wire("www.example.com", w, &wl);
	assert_true(rvq_allow_match(&a, w, wl));
	wire("EXAMPLE.com", w, &wl);
	assert_true(rvq_allow_match(&a, w, wl));
	wire("example.com.au", w, &wl);
	assert_false(rvq_allow_match(&a, w, wl));
	wire("notexample.com", w, &wl);
	assert_false(rvq_allow_match(&a, w, wl));
	wire("com", w, &wl);
	assert_false(rvq_allow_match(&a, w, wl));
	wire("d111.cloudfront.net", w, &wl);
	assert_true(rvq_allow_match(&a, w, wl));
	wire("x.y.sophosxl.net", w, &wl);
	assert_true(rvq_allow_match(&a, w, wl));

	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("ok.test\nbad..name\n", fp);
	fclose(fp);
	assert_int_equal(rvq_allow_load(&a, path, &line), RV_EINVAL);
	assert_int_equal(line, 2);
	unlink(path);
	assert_int_equal(rvq_allow_load(&a, path, &line), RV_EIO);
	rvq_allow_free(&a);
	rvq_allow_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test_setup_teardown(test_flux_flagged,
		    setup_name, teardown_name),
		cmocka_unit_test_setup_teardown(test_cdn_not_flagged,
		    setup_name, teardown_name),
		cmocka_unit_test_setup_teardown(test_ordinary_name,
		    setup_name, teardown_name),
		cmocka_unit_test_setup_teardown(test_flux_window_edges,
		    setup_name, teardown_name),
		cmocka_unit_test_setup_teardown(test_flux_dedup,
		    setup_name, teardown_name),
		cmocka_unit_test_setup_teardown(test_flux_bound,
		    setup_name, teardown_name),
		cmocka_unit_test(test_ns),
		cmocka_unit_test(test_entropy),
		cmocka_unit_test(test_tunnel_vs_ordinary),
		cmocka_unit_test(test_tunnel_window_edges),
		cmocka_unit_test(test_allow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
