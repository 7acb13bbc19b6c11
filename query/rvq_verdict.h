/**
 * \file rvq_verdict.h
 * `rearview verdict NAME-OR-IP` (and the HTTP service's verdict): what
 * rearview knows to decide on blocking, gathered on one page. For a name:
 * first and last seen, the age of its registered domain, its phishing
 * judgement (reasons and points), the fast-flux and tunnelling flags from
 * a report pass over its registered domain, the flagged domains on its
 * addresses and its ASNs' share of flagged domains. For an address: the
 * names seen on it, judged the same way. Then a recommendation, with its
 * reasons: block, watch or none (rvq_verdict_word), the same words in
 * every output format.
 *
 * The neighbourhood (co-hosted names, ASN shares) is a bounded sample:
 * RVQ_VD_SCAN rows per address and per ASN, counted in the result.
 *
 * Ownership: struct rvq_vd owns nothing on the heap.
 */
#ifndef RVQ_VERDICT_H
#define RVQ_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "rv_ip.h"
#include "rvq_db.h"
#include "rvq_phish.h"
#include "rvq_report_feat.h"

#define RVQ_VD_ADDRS 8		/**< addresses of a name looked at */
#define RVQ_VD_PEERS 10		/**< flagged co-hosted names listed */
#define RVQ_VD_ASNS 4		/**< ASNs looked at */
#define RVQ_VD_SCAN 2000	/**< reverse rows read per address or ASN */
#define RVQ_VD_WHY 8		/**< reasons of the recommendation */

/** A flagged name on one of the subject's addresses. */
struct rvq_vd_peer {
	char name[RVQ_PHISH_DOMAIN_MAX];
	int verdict;		/**< enum rvq_verdict */
	double score;
	char brand[RVQ_PHISH_BRAND_MAX];
};

/** An ASN of the subject and its share of flagged registered domains. */
struct rvq_vd_asn {
	uint32_t asn;
	char org[64];
	uint64_t domains;	/**< distinct registered domains sampled */
	uint64_t flagged;	/**< of them with a block or watch verdict */
	int sampled;		/**< the ASN has more than RVQ_VD_SCAN rows */
};

/** What is asked and how. */
struct rvq_verdict_cfg {
	const struct rvq_phish *phish;
	const void *psl;		/**< psl_ctx_t */
	struct rvq_window win;		/**< the reports' window */
};

struct rvq_vd {
	char subject[RVQ_PHISH_DOMAIN_MAX];	/**< the name or address */
	int is_ip;
	int seen;			/**< anything in the database */
	uint32_t first, last;		/**< of the name's RRsets / the
					 * address's rows */
	char regdom[RVQ_PHISH_DOMAIN_MAX];	/**< "" for an address */
	uint32_t regdom_first;		/**< 0: unknown */
	int regdom_new;			/**< first seen in the window */
	struct rvq_phish_out judge;	/**< the name's phishing judgement */
	int flux, tunnel;		/**< report flags in the window */
	double flux_score, tunnel_score;
	struct rv_ip addr[RVQ_VD_ADDRS];
	unsigned naddr;
	struct rvq_vd_peer peer[RVQ_VD_PEERS];
	unsigned npeer;
	uint64_t peers_seen;		/**< distinct names on the addresses */
	uint64_t peers_flagged;		/**< of them flagged (block/watch) */
	uint64_t peers_block;		/**< of them block */
	struct rvq_vd_asn asn[RVQ_VD_ASNS];
	unsigned nasn;
	int verdict;			/**< the recommendation */
	char why[RVQ_VD_WHY][160];	/**< its reasons, in words */
	unsigned nwhy;
};

/**
 * Gather the verdict of \p arg (a domain name or an IPv4/IPv6 address).
 * \return 0, RV_EINVAL (\p err_msg says why: not a name or address),
 *	or an rv_err code from the store.
 */
int rvq_verdict(struct rvq_db *db, const struct rvq_verdict_cfg *cfg,
    const char *arg, struct rvq_vd *out, char *err_msg,
    size_t err_len);

struct sb;
/** The verdict as one JSON object (no newline). */
void rvq_verdict_json(struct sb *b, const struct rvq_vd *v);

#endif
