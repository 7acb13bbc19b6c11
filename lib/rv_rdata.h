/**
 * \file rv_rdata.h
 * RR types and rdata in presentation form, through libldns: every type
 * ldns knows (SVCB/HTTPS, CAA, DNSSEC types...) and RFC 3597 \# for the
 * rest. Rdata here is always uncompressed wire form without its RDLENGTH.
 */
#ifndef RV_RDATA_H
#define RV_RDATA_H

#include <stddef.h>
#include <stdint.h>

#define RV_TYPE_STR_MAX 16

/** "A", "TYPE65280" ...; never fails. buf of RV_TYPE_STR_MAX. */
const char *rv_type_to_str(uint16_t type, char *buf);

/** "A", "aaaa", "TYPE123" -> number. \return 0 or RV_EINVAL. */
int rv_type_from_str(const char *s, uint16_t *type);

/** Class to text ("IN", "CH", "CLASS7"). */
const char *rv_class_to_str(uint16_t cls, char *buf);

/** Rcode to text ("NOERROR", "NXDOMAIN", "RCODE12"). */
const char *rv_rcode_to_str(uint8_t rcode, char *buf);

/**
 * Rdata -> presentation text as in a zone file. Rdata that does not parse
 * as its type is printed in RFC 3597 form ("\# 4 c0000201"), never lost.
 * \return 0, RV_ETOOBIG if outsz is short, RV_ENOMEM.
 */
int rv_rdata_to_str(uint16_t type, const uint8_t *rd, size_t len,
    char *out, size_t outsz);

/**
 * The two halves of rv_rdata_to_str, for tests that compare them:
 * rv_rdata_to_str_fast prints MX, SRV, SOA, TXT and SPF without ldns
 * (rv_rdata_text.c; RV_ENOENT for other types and for rdata that does not
 * parse exactly as its type), rv_rdata_to_str_ldns prints any type
 * through ldns. Both return 0 or RV_ETOOBIG as rv_rdata_to_str does.
 */
int rv_rdata_to_str_fast(uint16_t type, const uint8_t *rd, size_t len,
    char *out, size_t outsz);
int rv_rdata_to_str_ldns(uint16_t type, const uint8_t *rd, size_t len,
    char *out, size_t outsz);

/**
 * Presentation text -> rdata wire form (names relative to the root).
 * \param out	buffer of *len octets; on return *len is the rdata length
 * \return 0, RV_EINVAL for text that is not valid rdata of the type,
 *	RV_ETOOBIG if it does not fit.
 */
int rv_rdata_from_str(uint16_t type, const char *s, uint8_t *out,
    size_t *len);

/**
 * The domain name an rdata points at, for the reverse name index: NS,
 * CNAME, DNAME, PTR, MD/MF/MB/MG/MR, MX/KX/RT/AFSDB (after 2 octets),
 * SRV (after 6), SOA (MNAME), SVCB/HTTPS (TargetName after 2), NAPTR
 * (replacement). Returns a pointer into \p rd.
 * \return 0 with name and nlen set, RV_ENOENT if the type has no target,
 *	RV_EFORMAT if the rdata is malformed.
 */
int rv_rdata_target(uint16_t type, const uint8_t *rd, size_t len,
    const uint8_t **name, size_t *nlen);

#endif
