/**
 * \file rvq_ser.h
 * The serialisers every front end shares: a row as a COF JSON object
 * (Passive DNS Common Output Format, the CIRCL and CLI json form) and as
 * a DNSDB SAF object ({"obj":{...}} lines between {"cond":"begin"} and
 * {"cond":"succeeded"} or "limited"), and totals in both.
 *
 * Ownership: a struct rvq_ser carries scratch space for one row at a
 * time and memos of rendered enrichment; one per thread that
 * serialises. Its memos point into the read transaction the rows came
 * from: rvq_ser_forget() before rows of another.
 */
#ifndef RVQ_SER_H
#define RVQ_SER_H

#include <stdint.h>

#include "rvq.h"
#include "rvq_text.h"
#include "sb.h"

/**
 * Enrichment of one rdata of a row (an address): 0 with *info filled,
 * nonzero when nothing is to be shown.
 */
typedef int (*rvq_geo_fn)(void *arg, const struct rvq_row *r,
    const uint8_t *rd, uint16_t len, struct rv_ipinfo *info);

struct rvq_ser_scratch;

struct rvq_ser {
	int idn;		/**< COF: rrname_unicode for xn-- names */
	int saf_single;		/**< SAF: a reverse-index row's rdata as a
				 * string, as DNSDB's rdata lookups give it */
	rvq_geo_fn geo;		/**< COF enrichment; NULL: none */
	rvq_sensor_fn sensor;	/**< sensor names; NULL: none */
	void *arg;		/**< for geo and sensor */
	const char *query;	/**< COF: the query the row answers, as
				 * "query" (batches); NULL: none */
	const char *origin;	/**< COF: "origin" (CIRCL's field); NULL:
				 * none */
	int saf_bare;		/**< SAF: the object alone, without
				 * {"obj":...} (DNSDB API v1's lines) */
	int humantime;		/**< SAF: times as "2019-07-17T19:52:00Z"
				 * strings (DNSDB's humantime) */
	struct rvq_ser_scratch *s;	/**< rvq_ser_init's */
};

/** Zero the settings and allocate the scratch. \return 0, RV_ENOMEM. */
int rvq_ser_init(struct rvq_ser *ser);

/** Free the scratch; safe on a zeroed struct and twice. */
void rvq_ser_free(struct rvq_ser *ser);

/** Forget the memos (before rows of another transaction). */
void rvq_ser_forget(struct rvq_ser *ser);

/** The scratch's bailiwick memo, for formats of the caller's own. */
struct rvq_bw_memo *rvq_ser_bw(struct rvq_ser *ser);

/** One row as a COF line. \return 0, or a row that cannot be read. */
int rvq_ser_cof(struct rvq_ser *ser, struct sb *b, const struct rvq_row *r);

/** One row as a SAF object line. \return as rvq_ser_cof. */
int rvq_ser_saf(struct rvq_ser *ser, struct sb *b, const struct rvq_row *r);

/** The SAF lines around the objects; begin names the query when given
 * (a batch of them), as {"cond":"begin","query":"..."}. */
void rvq_ser_saf_begin(struct sb *b, const char *query);
void rvq_ser_saf_end(struct sb *b, int limited);

/** Totals as one line: COF-style {"count":...}, or a SAF object; with
 * "query" when given. */
void rvq_ser_summary(struct sb *b, int saf, const struct rvq_summary *m,
    const char *query);

#endif
