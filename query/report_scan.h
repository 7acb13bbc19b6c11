/**
 * \file report_scan.h
 * Internal to report_scan*.c: the state of one report pass and the
 * functions its three files share. report_scan.c runs the merged pass over
 * the rrset and neg databases; report_scan_ff.c is its fast-flux side
 * (enrichment, NS names, kept rows), report_scan_tun.c its tunnelling side
 * (registered domains, the stack of open domains, kept rows).
 *
 * Lifetime: a struct rv_val and pointers into keys/values are valid only
 * until the pass renews its read transaction (renew() in report_scan.c, at
 * a name boundary); everything kept across names is copied.
 */
#ifndef RVQ_REPORT_SCAN_H
#define RVQ_REPORT_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "rvq_report.h"
#include "rv_store.h"

#define TYPE_A		1
#define TYPE_NS		2
#define TYPE_AAAA	28
#define STACK_MAX	128

/* A cursor over one database that survives transaction renewal. */
struct cur {
	enum rv_db db;
	struct rv_cursor *c;
	struct rv_val k, v;
	size_t nklen;		/* NK(owner) length at the start of k */
	int eof;
	uint8_t save[RV_KEY_MAX];
	size_t savelen;
	const struct rv_key *pfx;	/* keys past this prefix are the end */
};

/* A cached enrichment: the address, the period it holds for, the result. */
struct geo_slot {
	struct rv_ip ip;
	uint8_t used;
	char cc[3];
	int rc;
	uint32_t since, until, asn;
};
#define GEO_SLOTS (1u << 16)

/* An open registered domain. */
struct frame {
	struct rvq_tun_domain d;
	uint8_t sample[RVQ_REPORT_SAMPLES][RV_NAME_MAX];
	size_t samplelen[RVQ_REPORT_SAMPLES];
	unsigned nsample;
};

struct scan {
	struct rvq_db *db;
	const struct rvq_report_cfg *cfg;
	struct rvq_report *rep;
	struct cur rr, neg;
	uint64_t nrec;		/* records since the last renewal */
	/* the current name */
	uint8_t nk[RV_KEY_MAX];
	size_t nklen;
	uint8_t owner[RV_NAME_MAX];
	size_t olen;
	/* fast flux */
	struct rvq_ff_name ffn;
	struct rvq_ff_addr *abuf;
	size_t acap;
	uint8_t zone[RV_NAME_MAX];
	size_t zlen;
	int have_zone;
	struct rvq_ff_ns ns;
	uint64_t *nsbuf;
	size_t nscap;
	uint8_t nszone[RV_NAME_MAX];
	size_t nszlen;
	int ns_valid;
	unsigned ns_n;
	int ns_changed;
	struct geo_slot *geo;	/* GEO_SLOTS, direct-mapped by address */
	/* tunnelling */
	struct frame *stack;
	int depth;
	int below;		/* the name is strictly below the top domain */
	int name_in;		/* the name had a record in the window */
	uint8_t pcache[RV_NAME_MAX];	/* parent name of the last lookup */
	size_t pclen;
	int pc_valid;
	int pc_suffix;		/* the parent is a public suffix */
	size_t pc_reglen;	/* else its registered domain's length, or 0 */
	/* phishing: the current name's signals */
	int ph_in;		/* an RRset's last seen in the window */
	uint32_t ph_first, ph_last, ph_ttl;
	struct rv_ip ph_addr[RVQ_REPORT_PH_ADDRS];
	unsigned ph_naddr;
	/* ... and the last registered domain's cached parts */
	char ph_reg[RVQ_PHISH_DOMAIN_MAX];
	int ph_reg_new;
	struct rvq_phish_out *ph_part;
	/* the prefix the pass keeps to (cfg->prefix) */
	struct rv_key pfx;
	int have_pfx;
};

/** memcmp order, shorter first on a common prefix. */
int rvq_scan_bcmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* report_scan_ff.c */
/** Add one A/AAAA RRset (the rr cursor's record) to the current name. */
int rvq_scan_ff_rrset(struct scan *s, uint16_t type,
    const struct rv_rrset_val *val);
/** The current name is complete: evaluate it, keep its row if shown. */
int rvq_scan_ff_done(struct scan *s);
/** NS names of the kept rows' zones (after the pass). */
int rvq_scan_ff_ns(struct scan *s);
/** Drop the fast-flux rows from keep on (rows ranked). */
void rvq_scan_ff_cut(struct rvq_report *rep, size_t keep);
/** Rank order of fast-flux rows (qsort). */
int rvq_scan_cmp_ff(const void *a, const void *b);

/* report_scan_phish.c */
/** Add one RRset (the rr cursor's record) to the current name. */
void rvq_scan_ph_rrset(struct scan *s, uint16_t type,
    const struct rv_rrset_val *val);
/** The current name is complete: judge it, keep its row if shown. */
int rvq_scan_ph_done(struct scan *s);
/** After the pass: the flags of the other reports, shared hosting, the
 * final verdicts, ranking (before the rows are cut). */
int rvq_scan_ph_finish(struct scan *s);
/** Drop the phishing rows from keep on. */
void rvq_scan_ph_cut(struct rvq_report *rep, size_t keep);

/* report_scan_tun.c */
/** Find or open the frame of the current name's registered domain. */
int rvq_scan_tun_begin(struct scan *s);
/** Count the current name in its domain if it had a record in the window. */
void rvq_scan_tun_end(struct scan *s);
/** Close the innermost open domain, keeping its row if shown. */
int rvq_scan_tun_pop(struct scan *s);
/** Drop the tunnel rows from keep on (rows ranked). */
void rvq_scan_tun_cut(struct rvq_report *rep, size_t keep);
/** Rank order of tunnel rows (qsort). */
int rvq_scan_cmp_tun(const void *a, const void *b);

#endif
