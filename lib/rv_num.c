/**
 * \file rv_num.c
 * Checked unsigned integer parsing.
 */
#include "rv_num.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "rv_err.h"

int
rv_parse_u64(const char *s, int base, uint64_t min, uint64_t max,
    uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull would take leading space, a sign and "0x" */
	if (s == NULL || !isxdigit((unsigned char)*s) ||
	    (base != 16 && !isdigit((unsigned char)*s)))
		return RV_EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end != '\0' || end == s)
		return RV_EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return RV_ERANGE;
	*out = v;
	return RV_OK;
}
