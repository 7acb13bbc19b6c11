/**
 * \file rv_msg.h
 * DNS wire messages: the one DNS message parser of the project, and the
 * conversion of an upstream response into the rv_records the resolver
 * module would have captured for it (rearviewd's dnstap input, issue #20).
 *
 * Parsing (rv_msg_parse) is a pure function of (buffer, length) into a
 * caller-owned struct rv_msg of fixed size: no allocation, no globals, every
 * length checked before it is used. The struct is large (about 470 KiB:
 * RV_MSG_RR_MAX RRs, RV_MSG_DATA_MAX octets of rdata, RV_MSG_NAMES_MAX of
 * owner names): allocate one per thread and reuse it, not on the stack.
 * Everything it points to is inside the struct itself, so it must not be
 * copied or moved while it is used; the wire buffer is not referenced after
 * rv_msg_parse returns. A parse overwrites the previous one.
 *
 * What the parser produces:
 *  - the header (id, flags, opcode, rcode, the four counts) and the first
 *    question (further questions are checked for framing and skipped);
 *  - every RR of the answer, authority and additional sections in message
 *    order (rr[]), owner decompressed, type, class, TTL as sent, and the
 *    rdata in canonical uncompressed form: the names in the rdata of NS,
 *    MD, MF, CNAME, SOA, MB, MG, MR, PTR, MINFO, MX (RFC 3597 section 4),
 *    RP, AFSDB, RT, SIG, PX, NXT, NAPTR, SRV (RFC 3597: receivers should
 *    decompress them) and, as Unbound's parser does, DNAME, KX, RRSIG and
 *    NSEC are decompressed; every other type's rdata is copied as is;
 *  - the RRsets (set[]), as Unbound's parser groups them: the RRs of one
 *    (owner, type, class) in a section, in the order the first of each
 *    appears; an RRSIG joins the RRset of its owner, class and covered
 *    type (one before it, or one after it in the same section), else an
 *    RRset of type RRSIG; an SOA in the authority section is an RRset
 *    apart from one elsewhere; data of an RRset already seen in an
 *    earlier section is dropped (RFC 2181 5.3, Unbound drops it too;
 *    counted in dup_dropped). The OPT pseudo-RR is in rr[] but in no
 *    RRset. Each RRset's rdata (and its
 *    signatures') is one block in the packed layout of struct rv_record:
 *    per RR a 2-octet big-endian length then the rdata.
 *
 * Compression: a pointer must point strictly backwards (before the pointer
 * itself), at most RV_MSG_PTR_MAX pointers per name, a name at most
 * RV_NAME_MAX octets, label types 0x40 and 0x80 are malformed. A message
 * with any malformed name or RR, or an RR whose rdata does not hold the
 * fields of its type (a name running past the rdata, a fixed field cut in
 * the middle), is rejected whole, as Unbound rejects it (FORMERR: the
 * resolver never uses it). Octets after the last RR are ignored.
 */
#ifndef RV_MSG_H
#define RV_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "rv_frame.h"
#include "rv_ip.h"
#include "rv_name.h"

#define RV_MSG_HDR 12			/**< header octets */
#define RV_MSG_RR_MAX 1024		/**< RRs held; more: RV_ETOOBIG */
#define RV_MSG_DATA_MAX (256u << 10)	/**< packed rdata octets held */
#define RV_MSG_NAMES_MAX (64u << 10)	/**< owner name octets held */
#define RV_MSG_PTR_MAX 128		/**< compression pointers per name */
#define RV_MSG_NOSET 0xffffu		/**< rr.set of an RR in no RRset */

/** Header flag bits (the second 16-bit word, host order). */
#define RV_MSG_QR 0x8000u
#define RV_MSG_AA 0x0400u
#define RV_MSG_TC 0x0200u
#define RV_MSG_RD 0x0100u
#define RV_MSG_RA 0x0080u
#define RV_MSG_OPCODE(f) (((f) >> 11) & 0xfu)
#define RV_MSG_RCODE(f) ((f) & 0xfu)

/** One RR, in message order. */
struct rv_msg_rr {
	uint8_t section;		/**< enum rv_section */
	uint16_t type, rclass;
	uint32_t ttl;			/**< as sent */
	uint16_t set;			/**< index in set[], or RV_MSG_NOSET */
	const uint8_t *owner;	size_t owner_len;	/**< decompressed */
	const uint8_t *rdata;	uint16_t rdlen;		/**< canonical */
	size_t wire_rd;			/**< private: rdata offset in the wire */
	uint16_t wire_rdlen;		/**< private: rdata length in the wire */
};

/** One RRset, in the order its first RR appears. */
struct rv_msg_rrset {
	const uint8_t *owner;	size_t owner_len;	/**< of its first RR */
	uint16_t type, rclass;
	uint8_t section;		/**< enum rv_section */
	uint16_t count;			/**< data RRs (type RRSIG: signatures) */
	uint16_t sig_count;		/**< RRSIGs covering it */
	uint16_t first;			/**< rr[] index of its first data RR */
	uint32_t ttl;			/**< smallest TTL of the data RRs: MSB
					 * set counts as 0 (RFC 2181 8), an SOA
					 * in the authority section at most its
					 * MINIMUM (RFC 2308), as Unbound does */
	uint32_t first_ttl;		/**< the same for rr[first] alone */
	uint32_t sig_ttl;		/**< smallest TTL of the RRSIGs */
	const uint8_t *rdata;	size_t rdata_len;	/**< packed, count */
	const uint8_t *sigs;	size_t sigs_len;	/**< packed, sig_count */
	uint32_t hash;			/**< private: of (owner, type, class) */
};

/** A parsed message. See the file comment for size and lifetime. */
struct rv_msg {
	uint16_t id, flags;
	uint8_t opcode, rcode;
	uint16_t qdcount, ancount, nscount, arcount;
	int has_question;		/**< qdcount >= 1 */
	uint8_t qname[RV_NAME_MAX];	size_t qname_len;
	uint16_t qtype, qclass;
	size_t nrr;			/**< RRs in rr[] */
	size_t nset;			/**< RRsets in set[] */
	unsigned dup_dropped;		/**< RRs of an RRset seen in an earlier
					 * section (in rr[], in no RRset) */
	struct rv_msg_rr rr[RV_MSG_RR_MAX];
	struct rv_msg_rrset set[RV_MSG_RR_MAX];
	size_t names_len, data_len;
	uint8_t names[RV_MSG_NAMES_MAX];
	uint8_t data[RV_MSG_DATA_MAX];
};

/**
 * Parse one DNS message.
 * \return 0; RV_ETRUNC (the message ends inside the header, a name, an RR
 *	or its rdata); RV_EFORMAT (a bad name: forward pointer, pointer loop,
 *	label type, over RV_NAME_MAX; rdata that is not its type's fields);
 *	RV_ETOOBIG (more than RV_MSG_RR_MAX RRs, or the decompressed names
 *	or rdata do not fit the struct). On error *m holds no usable RRs
 *	(nrr and nset are 0).
 */
int rv_msg_parse(struct rv_msg *m, const uint8_t *wire, size_t len);

/**
 * Decompress the name at \p off of \p wire into \p out (RV_NAME_MAX
 * octets), with the checks of the file comment. The octets of the name
 * that are at \p off itself (up to its first pointer) must end before
 * \p limit (<= len).
 * \param end	out: offset just after the name at \p off
 * \return 0, RV_ETRUNC, RV_EFORMAT.
 */
int rv_msg_name(const uint8_t *wire, size_t len, size_t off, size_t limit,
    uint8_t *out, size_t *out_len, size_t *end);

/** What rv_msg_records() knows besides the message (dnstap fields). */
struct rv_msg_src {
	const uint8_t *zone;	/**< query_zone (wire, uncompressed): the
				 * zone the server was asked as; NULL:
				 * unknown (see rv_msg_records) */
	size_t zone_len;
	struct rv_ip server;	/**< response_address; family 0: unknown */
	uint16_t port;
	uint8_t flags;		/**< RV_RF_TCP, RV_RF_FORWARD (AA is taken
				 * from the message) */
	int64_t time;		/**< observation, epoch seconds */
};

/**
 * Called once per record. The record points into the struct rv_msg, the
 * rv_msg_src and rv_msg_records' stack: copy what you keep before
 * returning. \return 0 if taken, anything else if refused.
 */
typedef int (*rv_msg_emit_fn)(void *arg, const struct rv_record *rec);

/** What rv_msg_records() did. Drops are counted in RRsets (an RRset and
 * its signatures count once). */
struct rv_msg_out {
	unsigned emitted;	/**< records emit took */
	unsigned refused;	/**< records emit refused */
	unsigned negative;	/**< of the emitted: negative records */
	unsigned out_of_zone;	/**< owner not at or below the zone, or an
				 * NSEC whose next name leaves the zone */
	unsigned irrelevant;	/**< off the question's CNAME chain or not
				 * its type, NS/CNAME/DNAME/A/AAAA where the
				 * scrubber does not take them, a second or
				 * promiscuous NS set */
	unsigned unglued;	/**< additional A/AAAA that no kept NS, MX,
				 * SRV, KX, MB, MD, MF names (or whose naming
				 * RRset was out of the zone) */
};

/**
 * Turn one parsed upstream response into the records the resolver module
 * (module/capture.c) produces for it after Unbound's scrubber
 * (iterator/iter_scrub.c) has run, by applying that scrubber here: the
 * input is what a resolver logged as RESOLVER_RESPONSE, raw.
 *
 * Records: one per kept RRset (owner, type, class) per section with all its
 * rdata, TTL the smallest of the set; then, when it has signatures, one of
 * type RRSIG with them; then the negative record for NXDOMAIN or NODATA as
 * capture.h describes it (owner: the question's name or the end of the
 * kept CNAME chain, type: the question's; TTL min(SOA TTL, MINIMUM) from
 * a kept authority SOA, else 0; none when the question's name is not in
 * the zone, and none for a NOERROR without SOA whose authority NS set was
 * dropped as out of the zone: that is a referral, not a denial). Every
 * record carries the response's
 * question (qname/qtype/qclass), rcode, AA, the source's server, port,
 * time and flags, and zone: the zone the rule was applied with.
 *
 * The scrubber (Unbound 1.17 defaults: harden-glue, iter-scrub-promiscuous
 * on), for NOERROR, NXDOMAIN and YXDOMAIN:
 *  - answer: starting at the question's name, RRsets of the name followed
 *    so far: the type asked (any, for ANY), a CNAME (its first RR only;
 *    the name moves to its target) or a DNAME above the name (with the
 *    CNAME it implies: the one the server sent, else a synthesized one,
 *    TTL 0); everything else is dropped; then every answer RRset not at
 *    the question's name is dropped (Unbound re-asks the rest of a chain),
 *    except a leading DNAME within the zone;
 *  - authority: CNAME, DNAME, A, AAAA dropped; one NS set, only at or
 *    above the question's name and only in a referral (NOERROR, no
 *    answer, no SOA, not at the zone itself); a DS at the question's name
 *    for a DS question becomes the whole answer;
 *  - additional: CNAME, DNAME, NS dropped; A/AAAA kept only for names an
 *    NS (MX, SRV, KX, MB, MD, MF) RRset of the question's name in the answer
 *    or of the authority names; if any RRset of such a type is dropped as
 *    out of the zone, or from the answer as not at the question's name,
 *    the whole additional section goes;
 * and for every rcode: every RRset whose owner is not at or below the
 * zone is dropped, and so is an NSEC whose next name is outside it. Where
 * Unbound keeps an NS set above the zone (a lame upward referral, kept for
 * its lameness check) this drops it: it is out of bailiwick. Not done:
 * Unbound's private-address filter (configuration), the cache TTL limits
 * (cache-max-ttl, cache-max-negative-ttl) and the check that the question
 * echoes the one sent (the question is taken from the response).
 *
 * Zone unknown (src->zone NULL): the question's name is taken as the zone,
 * the narrowest the server can have been asked as, so nothing above or
 * beside the question's name is kept: a referral's NS set and glue are
 * kept when the NS set is at the question's name (QNAME minimisation) and
 * the glue below it, an SOA at the apex above the name is dropped (the
 * negative record then has TTL 0). Safe, at the cost of some data.
 *
 * \return 0 (records emitted as counted in out); RV_ETRUNC for a response
 *	with TC (the resolver retries over TCP; nothing emitted); RV_EFORMAT
 *	for a message the scrubber rejects whole (no QR, opcode not QUERY,
 *	not exactly one question, a DNAME RRset of more than one RR or whose
 *	CNAME would be too long) or that was not parsed; RV_EINVAL for a bad
 *	src->zone. Nothing is emitted unless 0 is returned.
 */
int rv_msg_records(const struct rv_msg *m, const struct rv_msg_src *src,
    rv_msg_emit_fn emit, void *arg, struct rv_msg_out *out);

#endif
