/**
 * \file rv_ip.h
 * IPv4/IPv6 addresses, CIDR and address ranges.
 *
 * Addresses are kept in network byte order in a 16-octet array; IPv4 uses
 * the first 4. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) stay IPv6: they
 * are what an AAAA record said.
 */
#ifndef RV_IP_H
#define RV_IP_H

#include <stddef.h>
#include <stdint.h>

#define RV_IP_STR_MAX 46	/**< INET6_ADDRSTRLEN */

struct rv_ip {
	uint8_t family;		/**< 4 or 6 */
	uint8_t addr[16];	/**< network order; 4 or 16 octets used */
};

/** An inclusive range of one family: lo <= addr <= hi. */
struct rv_iprange {
	uint8_t family;		/**< 4 or 6 */
	uint8_t lo[16];
	uint8_t hi[16];
};

/** Octets in an address of this family (4 or 16), 0 if unknown. */
size_t rv_ip_len(uint8_t family);

/** Parse one address, IPv4 dotted quad or IPv6. */
int rv_ip_parse(const char *s, struct rv_ip *ip);

/** Address -> text (inet_ntop). */
int rv_ip_to_str(const struct rv_ip *ip, char *out, size_t outsz);

/**
 * The text inet_ntop gives, without printf (scans print millions): a
 * dotted quad; IPv6 with the longest run of two or more zero groups (the
 * first of equals) as "::", and ::a.b.c.d and ::ffff:a.b.c.d for
 * embedded IPv4 as glibc writes them.
 * \param out	RV_IP_STR_MAX octets
 * \return the length written (a NUL follows).
 */
size_t rv_ip4_text(const uint8_t *a, char *out);
size_t rv_ip6_text(const uint8_t *a, char *out);

/**
 * Parse ADDR, ADDR/PREFIX or FROM-TO into a range. Host bits set in a CIDR
 * are allowed (192.0.2.7/24 is 192.0.2.0-192.0.2.255), as dnsdbq does.
 * \return 0, RV_EINVAL (syntax, mixed families, FROM > TO), RV_ERANGE
 *	(prefix over 32 or 128).
 */
int rv_range_parse(const char *s, struct rv_iprange *r);

/**
 * An IPv6 range inside ::ffff:0:0/96 (IPv4-mapped addresses) as the IPv4
 * range it stands for. \return 1 with *v4 filled, or 0.
 */
int rv_range_v4mapped(const struct rv_iprange *r, struct rv_iprange *v4);

/** Range from an address and a prefix length. */
int rv_range_from_cidr(const struct rv_ip *ip, unsigned prefix,
    struct rv_iprange *r);

/** Is ip inside r? */
int rv_range_contains(const struct rv_iprange *r, const struct rv_ip *ip);

#endif
