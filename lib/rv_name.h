/**
 * \file rv_name.h
 * DNS names: wire <-> presentation, canonical form, and the reversed-label
 * key encoding that every index uses.
 *
 * Wire names here are always uncompressed (Unbound stores rdata and owner
 * names decompressed), at most RV_NAME_MAX octets including the root label.
 *
 * Key encoding (rv_name_key): the labels from the root down, each label's
 * octets lowercased and mapped so that no octet is 0x00 (0x00 -> 0x01 0x01,
 * 0x01 -> 0x01 0x02, everything else unchanged), each label followed by one
 * 0x00, and the whole name followed by one more 0x00. So
 *
 *     example.com.      -> "com" 00 "example" 00 00
 *     www.example.com.  -> "com" 00 "example" 00 "www" 00 00
 *     .                 -> 00
 *
 * Properties the indexes rely on:
 *  - memcmp order of keys is DNS canonical order of names (RFC 4034 6.1);
 *  - the key of a name without its final 00 (rv_name_key_prefix) is a
 *    prefix of exactly the keys of that name and its subdomains: "com" 00
 *    "example" 00 is not a prefix of example.com.au, notexample.com or
 *    example.community;
 *  - a key is self-delimiting: it ends at the first 00 00 pair (a label
 *    never starts with 00 after mapping), so fields can follow it.
 */
#ifndef RV_NAME_H
#define RV_NAME_H

#include <stddef.h>
#include <stdint.h>

#define RV_NAME_MAX 255		/**< max wire length of a name */
#define RV_LABEL_MAX 63		/**< max octets in one label */
#define RV_NAME_STR_MAX 1025	/**< presentation buffer incl. NUL (\DDD) */
#define RV_NAME_KEY_MAX 512	/**< max key length (worst-case escaping) */

/**
 * Check an uncompressed wire name.
 * \param p	the name
 * \param max	octets available at p
 * \param len	out: the name's length including the root label
 * \return 0, RV_ETRUNC if it runs past max, RV_EFORMAT for a compression
 *	pointer or label type, RV_ETOOBIG over RV_NAME_MAX.
 */
int rv_name_wire_len(const uint8_t *p, size_t max, size_t *len);

/**
 * Presentation -> wire. Accepts a trailing dot or not ("example.com" and
 * "example.com." are the same), "." or "" for the root, and the RFC 1035
 * escapes \X and \DDD. Case is kept.
 * \param s	NUL-terminated text
 * \param out	RV_NAME_MAX octets
 * \param len	out: wire length
 * \return 0, RV_EINVAL (bad escape, empty label), RV_ETOOBIG (label > 63
 *	or name > 255).
 */
int rv_name_from_str(const char *s, uint8_t *out, size_t *len);

/**
 * Wire -> presentation with a trailing dot; '.', '\\', '"', '(', ')', ';',
 * '@', '$' and space are escaped with a backslash, other octets outside
 * 0x21..0x7e as \DDD.
 * \param out	buffer of outsz (RV_NAME_STR_MAX always suffices)
 * \return 0, RV_EFORMAT for a bad wire name, RV_ETOOBIG if outsz is short.
 */
int rv_name_to_str(const uint8_t *wire, size_t len, char *out, size_t outsz);

/** Lowercase (ASCII A-Z only, as DNS does) a wire name in place. */
void rv_name_canon(uint8_t *wire, size_t len);

/** Number of labels, not counting the root (so "." has 0). */
int rv_name_labels(const uint8_t *wire, size_t len);

/**
 * Are two wire names the same name (ASCII case ignored)? Both must be
 * well-formed (rv_name_wire_len); lengths are the names' whole lengths.
 */
int rv_name_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/**
 * Is \p name equal to or below \p zone? Case-insensitive, both wire.
 */
int rv_name_is_subdomain(const uint8_t *name, size_t nlen,
    const uint8_t *zone, size_t zlen);

/**
 * Wire name -> index key (see the file comment). Lowercases.
 * \param key	RV_NAME_KEY_MAX octets
 * \param keylen out: key length including the final 00
 */
int rv_name_key(const uint8_t *wire, size_t len, uint8_t *key,
    size_t *keylen);

/**
 * The key of \p wire without its final 00: the prefix that matches the name
 * and all its subdomains.
 */
int rv_name_key_prefix(const uint8_t *wire, size_t len, uint8_t *key,
    size_t *keylen);

/**
 * Length of the name key at the start of \p key (up to and including the
 * terminating 00 00 / lone 00 for the root).
 * \return 0, RV_EFORMAT if no terminator within max.
 */
int rv_name_key_len(const uint8_t *key, size_t max, size_t *keylen);

/** Index key -> wire name. Octets come back as the key holds them
 * (lowercase for every key rv_name_key() made). */
int rv_name_from_key(const uint8_t *key, size_t keylen, uint8_t *wire,
    size_t *len);

/**
 * rv_name_from_key() of the name key at the start of \p key (up to \p max
 * octets, as rv_name_key_len() finds its end), in one pass.
 * \param used	set to the key's length on success
 */
int rv_name_from_key_prefix(const uint8_t *key, size_t max, uint8_t *wire,
    size_t *len, size_t *used);

/**
 * Forward-order key for right-hand wildcards ("www.example.*"): the same
 * label mapping, labels in wire order, each followed by 00, then 00.
 * "www.example" is then a prefix scan.
 */
int rv_name_key_fwd(const uint8_t *wire, size_t len, uint8_t *key,
    size_t *keylen);

#endif
