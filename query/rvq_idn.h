/**
 * \file rvq_idn.h
 * Internationalised names through libidn2: U-label input to A-labels, and
 * A-labels shown as U-labels (--idn).
 */
#ifndef RVQ_IDN_H
#define RVQ_IDN_H

#include <stddef.h>

/**
 * A name as typed -> ASCII presentation. ASCII input is copied as is;
 * other input is converted with IDNA2008 (NFC, non-transitional). A leading
 * "*." or a trailing ".*" wildcard is kept.
 * \return 0, RV_EINVAL (not a valid IDN), RV_ETOOBIG.
 */
int rvq_idn_input(const char *in, char *out, size_t outsz);

/**
 * ASCII presentation with xn-- labels -> UTF-8 with U-labels.
 * \return 1 when converted (some label was an A-label), 0 when there was
 *	nothing to convert or it did not convert (out untouched).
 */
int rvq_idn_unicode(const char *ascii, char *out, size_t outsz);

#endif
