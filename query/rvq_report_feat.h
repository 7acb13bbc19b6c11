/**
 * \file rvq_report_feat.h
 * Pure feature computation for `rearview report`: the time
 * window, allow-lists, the fast-flux features and scores of one owner name,
 * and the DNS-tunnelling features and score of one registered domain.
 *
 * Nothing here touches the store: the database layer (report_scan.c) decodes
 * RRsets and feeds them in, so every computation is unit-tested on
 * hand-made records (tests/unit/test_report_feat.c).
 *
 * Window semantics (both reports): the window is [since, until], both
 * ends inclusive, in epoch seconds. A name (or a registered domain) is a
 * candidate when at least one of its records has its last seen inside the
 * window; its features are computed over every record whose span
 * [first, last] overlaps the window (last >= since and first <= until).
 *
 * Ownership: struct rvq_ff_name, struct rvq_allow own heap arrays; free them
 * with rvq_ff_name_free() / rvq_allow_free(), both safe on a zeroed object.
 * struct rvq_tun_domain owns nothing.
 */
#ifndef RVQ_REPORT_FEAT_H
#define RVQ_REPORT_FEAT_H

#include <stddef.h>
#include <stdint.h>

#include "rv_ip.h"
#include "rv_name.h"

/* ---------------------------------------------------------------------- */
/* Window                                                                  */

/** The report window, both ends inclusive (epoch seconds). */
struct rvq_window {
	int64_t since, until;
};

/** Does t lie inside the window? */
int rvq_window_has(const struct rvq_window *w, int64_t t);

/** Does [first, last] overlap the window? */
int rvq_window_overlaps(const struct rvq_window *w, int64_t first,
    int64_t last);

/* ---------------------------------------------------------------------- */
/* Allow-lists                                                             */

/**
 * A set of zones: a name is allowed when it is one of them or below one.
 * Zones are kept as sorted reversed-label key prefixes (rv_name_key_prefix),
 * so a lookup is one binary search per label of the name.
 */
struct rvq_allow {
	uint8_t **key;		/**< sorted key prefixes */
	size_t *len;
	size_t n, cap;
};

/** Add a zone in presentation form. \return 0, RV_EINVAL, RV_ETOOBIG,
 * RV_ENOMEM. */
int rvq_allow_add(struct rvq_allow *a, const char *zone);

/**
 * Add every zone of a file: one per line, '#' starts a comment, blank
 * lines are ignored. On a bad line \p errline gets its number.
 * \return 0, RV_EIO (see errno), RV_EINVAL / RV_ETOOBIG (bad line),
 *	RV_ENOMEM.
 */
int rvq_allow_load(struct rvq_allow *a, const char *path, unsigned *errline);

/** Sort the zones; call once after the last add, before lookups. */
void rvq_allow_finish(struct rvq_allow *a);

/** Is the wire name \p name (or an ancestor) in the set? */
int rvq_allow_match(const struct rvq_allow *a, const uint8_t *name,
    size_t len);

/** Free the zones; safe on a zeroed object. */
void rvq_allow_free(struct rvq_allow *a);

/* ---------------------------------------------------------------------- */
/* Fast flux                                                               */

/** One address of an RRset with its enrichment at observation time. */
struct rvq_ff_addr {
	struct rv_ip ip;
	uint32_t asn;		/**< 0 when unknown */
	char cc[3];		/**< ISO country code, "" when unknown */
};

/** One A or AAAA RRset of a name (its addresses are in ff_name.addr). */
struct rvq_ff_rrset {
	uint16_t type;
	uint32_t first, last, count, ttl_min;
	size_t addr_off, naddr;
};

/** Scoring parameters (defaults: ff_params_default). */
struct rvq_ff_params {
	double holz_threshold;	/**< flag when f > this (142.38) */
	double score_threshold;	/**< flag when the rearview score >= this */
	unsigned min_asn;	/**< never flag with fewer distinct ASNs (2) */
	double ttl_ref;		/**< TTL weight 1/(1 + ttl_min/ttl_ref) (900) */
};

/** The documented defaults. */
void rvq_ff_params_default(struct rvq_ff_params *p);

/** Accumulates the A/AAAA RRsets of one owner name. */
struct rvq_ff_name {
	uint8_t owner[RV_NAME_MAX];
	size_t owner_len;
	struct rvq_ff_rrset *rr;
	size_t nrr, rrcap;
	struct rvq_ff_addr *addr;
	size_t naddr, addrcap;
	unsigned nns;		/**< distinct NS names of its zone */
	int ns_changed;		/**< several NS sets overlap the window */
	int64_t last_in;	/**< latest last seen inside the window, or
				 * -1 */
};

/** Features and scores of one name (see rearview-report(1)). */
struct rvq_ff_result {
	unsigned n_addr;	/**< distinct addresses (nA) */
	unsigned n_v4, n_v6;
	unsigned n_asn;		/**< distinct known ASNs (nASN) */
	unsigned n_cc;		/**< distinct known countries */
	unsigned n_net4;	/**< distinct IPv4 /16s */
	unsigned n_net6;	/**< distinct IPv6 /32s */
	uint32_t ttl_min;	/**< UINT32_MAX: unknown (imported data) */
	unsigned n_ns;		/**< nNS */
	int ns_changed;
	unsigned churn;		/**< distinct address sets (RRsets) */
	uint32_t first, last;	/**< span of the RRsets in the window */
	uint64_t count;		/**< observations */
	double holz;		/**< f = 1.32 nA + 18.54 nASN + 0 nNS */
	double score;		/**< the rearview score */
	int flagged;
};

/** Start a name (keeps the arrays, drops their contents). */
void rvq_ff_name_start(struct rvq_ff_name *n, const uint8_t *owner, size_t len);

/**
 * Add one A/AAAA RRset with its enriched addresses (copied). RRsets that
 * do not overlap the window are ignored.
 * \return 0 (also when ignored), RV_ENOMEM.
 */
int rvq_ff_name_add(struct rvq_ff_name *n, const struct rvq_window *w,
    uint16_t type, uint32_t first, uint32_t last, uint32_t count,
    uint32_t ttl_min, const struct rvq_ff_addr *addr, size_t naddr);

/** Record the NS information of the name's zone. */
void rvq_ff_name_set_ns(struct rvq_ff_name *n, unsigned nns, int changed);

/** Is the name a candidate (some RRset's last seen in the window)? */
int rvq_ff_name_candidate(const struct rvq_ff_name *n);

/**
 * Compute the features and both scores.
 * \return 0, RV_ENOMEM (scratch space), RV_ENOENT if not a candidate.
 */
int rvq_ff_name_eval(const struct rvq_ff_name *n, const struct rvq_ff_params *p,
    struct rvq_ff_result *r);

/**
 * Could the name be flagged at all, whatever its ASNs and countries? An
 * upper bound from the address count (nASN, nCC <= nA), the RRset count
 * (churn) and the TTL, so the database layer can skip enrichment: when
 * it returns 0, ff_name_eval never flags the name.
 */
int rvq_ff_name_may_flag(const struct rvq_ff_name *n,
    const struct rvq_ff_params *p);

/** Free the arrays; safe on a zeroed object. */
void rvq_ff_name_free(struct rvq_ff_name *n);

/**
 * NS names of a zone: feed every NS RRset of the zone (the digest of each
 * target name and the digest of the set), then read the distinct count and
 * whether more than one NS set overlapped the window.
 */
struct rvq_ff_ns {
	uint64_t *name;		/**< target-name digests */
	size_t n, cap;
	uint64_t set0;		/**< first set digest seen */
	unsigned nsets;
};

/** Empty the accumulator (keeps the array). */
void rvq_ff_ns_start(struct rvq_ff_ns *ns);
/** Add one NS RRset if it overlaps the window. \return 0, RV_ENOMEM. */
int rvq_ff_ns_add(struct rvq_ff_ns *ns, const struct rvq_window *w,
    uint32_t first, uint32_t last, uint64_t setdigest, const uint64_t *names,
    size_t n);
/** Distinct NS names (sorts in place). */
unsigned rvq_ff_ns_count(struct rvq_ff_ns *ns);
/** Free; safe on a zeroed object. */
void rvq_ff_ns_free(struct rvq_ff_ns *ns);

/* ---------------------------------------------------------------------- */
/* DNS tunnelling                                                          */

/** Shannon entropy in bits per symbol of the octets of s (0 for n = 0). */
double rvq_entropy(const uint8_t *s, size_t n);

/** Scoring parameters (defaults: tun_params_default). */
struct rvq_tun_params {
	double threshold;	/**< flag when score >= this (30) */
	unsigned min_names;	/**< and at least this many names (20) */
	double len_lo, len_hi;	/**< label-length ramp (10 .. 50 octets) */
	double ent_lo, ent_hi;	/**< entropy ramp (3.0 .. 4.5 bits) */
};

/** The documented defaults. */
void rvq_tun_params_default(struct rvq_tun_params *p);

/** Accumulates the names below one registered domain. */
struct rvq_tun_domain {
	uint8_t domain[RV_NAME_MAX];
	size_t domain_len;
	uint64_t nnames;	/**< distinct names below the domain */
	double sum_len;		/**< of leftmost labels */
	unsigned max_len;
	double sum_ent;		/**< entropy of leftmost labels */
	uint64_t n_rrsets;	/**< RRsets in the window */
	uint64_t n_special;	/**< of which TXT, NULL or CNAME */
	uint64_t obs_pos;	/**< observations of RRsets */
	uint64_t obs_neg;	/**< observations of negative answers */
	uint64_t obs_nx;	/**< of which NXDOMAIN */
	int64_t last_in;	/**< latest last seen inside the window, or
				 * -1 */
};

/** Features and score of one registered domain. */
struct rvq_tun_result {
	uint64_t nnames;
	double mean_len;
	unsigned max_len;
	double entropy;		/**< mean per leftmost label */
	double special;		/**< share of TXT/NULL/CNAME RRsets */
	double nx_rate;		/**< NXDOMAIN share of observations */
	double score;
	int flagged;
};

/** Start a domain (wire name). */
void rvq_tun_start(struct rvq_tun_domain *d, const uint8_t *domain, size_t len);

/**
 * Add one RRset of a name below the domain. \return 1 when it overlaps
 * the window (and was counted), 0 when ignored.
 */
int rvq_tun_add_rrset(struct rvq_tun_domain *d, const struct rvq_window *w,
    uint16_t type, uint32_t first, uint32_t last, uint32_t count);

/** Add one negative answer (rcode 3 is NXDOMAIN). \return as above. */
int rvq_tun_add_neg(struct rvq_tun_domain *d, const struct rvq_window *w,
    uint8_t rcode, uint32_t first, uint32_t last, uint32_t count);

/** Count one distinct name below the domain (call once per name that had
 * a record in the window); its leftmost label feeds the label features. */
void rvq_tun_add_name(struct rvq_tun_domain *d, const uint8_t *name,
    size_t len);

/** Is the domain a candidate (some record's last seen in the window, and
 * at least one name below it)? */
int rvq_tun_candidate(const struct rvq_tun_domain *d);

/** Compute the features and the score. \return 0, RV_ENOENT if not a
 * candidate. */
int rvq_tun_eval(const struct rvq_tun_domain *d, const struct rvq_tun_params *p,
    struct rvq_tun_result *r);

#endif
