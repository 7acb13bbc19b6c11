/**
 * \file rvq_hostaddr.h
 * Two small things the reports, newly observed domains and verdicts all
 * need: a name as a host name (presentation form without the final dot),
 * and the distinct addresses of an A or AAAA RRset kept in a small array.
 */
#ifndef RVQ_HOSTADDR_H
#define RVQ_HOSTADDR_H

#include <stddef.h>
#include <stdint.h>

#include "rv_ip.h"

/**
 * \p wire as text without its final dot (the root stays "."); "?" when it
 * does not decode.
 * \return 1 for a host name the lexical engine takes (no \-escapes, not
 *	empty), else 0.
 */
int rvq_host_text(const uint8_t *wire, size_t len, char *out, size_t outsz);

/**
 * Add the addresses of one A (type 1) or AAAA (28) rdata set (SET layout,
 * rv_set_next) to \p addr, skipping those already there and rdata of the
 * wrong length, until \p max are held. Other types add nothing.
 */
void rvq_addrs_add(struct rv_ip *addr, unsigned *n, unsigned max,
    uint16_t type, const uint8_t *set, size_t set_len);

#endif
