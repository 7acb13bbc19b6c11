/**
 * \file rv_num.h
 * The one checked number parser for command lines and config files.
 */
#ifndef RV_NUM_H
#define RV_NUM_H

#include <stdint.h>

/**
 * Parse an unsigned integer that must fill all of \p s: digits of \p base
 * (8, 10 or 16) only, no sign, no space, no suffix.
 * \return 0, RV_EINVAL (empty, sign, stray characters), RV_ERANGE
 *	(overflow, or outside [min, max]).
 */
int rv_parse_u64(const char *s, int base, uint64_t min, uint64_t max,
    uint64_t *out);

#endif
