/**
 * \file capture.h
 * Turn one scrubbed upstream response (Unbound's reply_info) into
 * rv_records: one per RRset and section, one more per RRset that carries
 * RRSIGs (type RRSIG, same owner and section), and a negative record for
 * NXDOMAIN and NODATA.
 *
 * Only reads Unbound's structs and calls no Unbound function, so the unit
 * tests build reply_info by hand and run it without Unbound.
 *
 * Record layout choices (the indexer relies on them):
 *  - the rdata block is Unbound's packed rr_data as is (2-octet length then
 *    the rdata, per RR); RRSIGs follow the RRs in packed data and go into
 *    their own record;
 *  - TTL: the smallest TTL of the RRs (of the signatures, for the RRSIG
 *    record), as the server sent them;
 *  - negative: kind RV_REC_NEGATIVE, section RV_SEC_NONE, owner = the name
 *    the answer is about (the question's name, or the last target of a CNAME
 *    chain in the answer section), type = the question's type, no rdata,
 *    TTL = min(SOA TTL, SOA MINIMUM) when the authority section has an SOA
 *    (RFC 2308), else 0. The SOA itself is also captured as an ordinary
 *    authority record.
 */
#ifndef RVM_CAPTURE_H
#define RVM_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "rv_frame.h"
#include "rv_ip.h"

struct reply_info;
struct rvm_filter;

/** What the module knows about one response besides the message. */
struct rvm_capture_in {
	const struct reply_info *rep;	/**< the scrubbed response */
	const uint8_t *qname;		/**< the question sent (wire) */
	size_t qname_len;
	uint16_t qtype, qclass;
	const uint8_t *zone;		/**< bailiwick: the zone cut (wire) */
	size_t zone_len;
	struct rv_ip server;		/**< who answered; family 0: unknown */
	uint16_t port;
	uint8_t flags;			/**< RV_RF_FORWARD, RV_RF_TCP; AA is
					 * taken from rep */
	int64_t time;			/**< observation time */
};

/**
 * Called once per record. The record points into the response and into
 * \p scratch: copy what you keep before returning.
 * \return 0 if the record was taken, anything else if it was dropped (the
 *	callee counts why).
 */
typedef int (*rvm_emit_fn)(void *arg, const struct rv_record *rec);

/** What rvm_capture() did. */
struct rvm_capture_out {
	unsigned emitted;	/**< records handed to emit that it took */
	unsigned refused;	/**< records emit refused */
	unsigned excluded;	/**< records filtered (zone or type) */
	unsigned toobig;	/**< records whose rdata did not fit scratch */
};

/**
 * Capture one response.
 * \param filter	types and zones to leave out; NULL: everything
 * \param scratch	buffer to gather rdata that is not contiguous in
 *			Unbound's packed form (rare); size scratch_size
 * \return 0, or RV_EINVAL for a response that breaks Unbound's own
 *	invariants (section counts, a missing rrset); records already
 *	emitted stay emitted.
 */
int rvm_capture(const struct rvm_capture_in *in,
    const struct rvm_filter *filter, uint8_t *scratch, size_t scratch_size,
    rvm_emit_fn emit, void *arg, struct rvm_capture_out *out);

#endif
