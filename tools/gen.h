/**
 * \file gen.h
 * A reproducible synthetic passive DNS stream: RRset number i and
 * observation number j are pure functions of (config, i or j), so the
 * indexer benchmark, its LMDB baseline and the CLI's big test database all
 * see the same data without storing it.
 *
 * Mix (by RRset): A 55 %, AAAA 15 %, CNAME 10 %, NS 5 %, MX 4 %, TXT 6 %,
 * SOA 2 %, SRV 3 %; owners under ~R/3 registrable domains in a dozen
 * TLDs, a third of host labels random (CDN style); addresses from a pool of
 * ~R/3 drawn from hosting /16s and from the ranges of MaxMind's test
 * databases (1.128.0.0/11 = AS1221, 12.81.92.0/22 = AS7018, City ranges)
 * so enrichment is real. Observations: every RRset is introduced once,
 * evenly over the stream; the other observations repeat already
 * introduced RRsets with a Zipf-like popularity (s = 1, as DNS query
 * popularity is measured to be: index = introduced^u - 1, u uniform, so
 * early RRsets are the popular ones), or index = introduced * u^skew when
 * skew is set.
 */
#ifndef RV_GEN_H
#define RV_GEN_H

#include <stddef.h>
#include <stdint.h>

struct gen_cfg {
	uint64_t seed;
	uint64_t nobs;		/**< observations */
	uint64_t nrrsets;	/**< distinct RRsets */
	double skew;		/**< 0: Zipf-like; else index = n * u^skew */
	uint32_t t0;		/**< time of the first observation */
	uint32_t span;		/**< seconds the stream covers */
	int seq;		/**< sequential mode: RRset i is n<i>.seq.test A */
	int only_a;		/**< every RRset an A RRset (size benchmark) */
};

#define GEN_RDATA_MAX 2048

struct gen_rrset {
	uint8_t owner[255];	size_t olen;
	uint8_t zone[255];	size_t zlen;
	uint16_t type;
	uint32_t ttl;
	uint16_t rdcount;
	uint8_t rdata[GEN_RDATA_MAX];	/**< 2-octet length + rdata, each */
	size_t rdlen;
};

/** Defaults: 10M observations, 1M RRsets, seed 1, Zipf-like. */
void gen_defaults(struct gen_cfg *c);

/** Build RRset number i (0 <= i < nrrsets). */
void gen_rrset(const struct gen_cfg *c, uint64_t i, struct gen_rrset *out);

/** The RRset of observation j and its time. */
uint64_t gen_obs(const struct gen_cfg *c, uint64_t j, uint32_t *t);

#endif
