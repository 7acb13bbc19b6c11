/**
 * \file rv_err.c
 * The one strerror for rearview error codes.
 */
#include "rv_err.h"

const char *
rv_strerror(int err)
{
	static const char *const text[RV_ERR_MAX] = {
		[RV_OK] = "success",
		[RV_EINVAL] = "invalid argument",
		[RV_ENOMEM] = "out of memory",
		[RV_ETRUNC] = "input truncated",
		[RV_EFORMAT] = "malformed input",
		[RV_EVERSION] = "unsupported version",
		[RV_ERANGE] = "value out of range",
		[RV_ETOOBIG] = "too big",
		[RV_ENOSPC] = "no space left",
		[RV_ENOENT] = "not found",
		[RV_EIO] = "I/O error",
		[RV_EEXIST] = "already exists",
		[RV_ESTATE] = "wrong state",
		[RV_ENOTSUP] = "not supported",
		[RV_ECORRUPT] = "database corrupt",
		[RV_EBUSY] = "in use by another process",
	};
	if (err < 0 || err >= RV_ERR_MAX || text[err] == 0)
		return "unknown error";
	return text[err];
}
