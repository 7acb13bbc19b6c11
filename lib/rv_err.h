/**
 * \file rv_err.h
 * Error codes shared by every part of rearview.
 *
 * Functions return 0 on success or one of these codes; results come back
 * through out-parameters. rv_strerror() is the one place that turns a code
 * into text. The storage engine's codes are translated once, inside
 * store/ (not found -> RV_ENOENT, map full -> RV_ENOSPC).
 */
#ifndef RV_ERR_H
#define RV_ERR_H

enum rv_err {
	RV_OK = 0,
	RV_EINVAL,	/**< invalid argument or syntax */
	RV_ENOMEM,	/**< out of memory */
	RV_ETRUNC,	/**< input ends before a length says it should */
	RV_EFORMAT,	/**< input is malformed */
	RV_EVERSION,	/**< unsupported format or schema version */
	RV_ERANGE,	/**< a value is out of its allowed range */
	RV_ETOOBIG,	/**< does not fit: name, key, frame or buffer */
	RV_ENOSPC,	/**< no space left: LMDB map or disk full */
	RV_ENOENT,	/**< not found */
	RV_EIO,		/**< I/O or system error (see errno) */
	RV_EEXIST,	/**< already exists */
	RV_ESTATE,	/**< called in the wrong state */
	RV_ENOTSUP,	/**< not supported */
	RV_ECORRUPT,	/**< stored data is not what the schema says */
	RV_EBUSY,	/**< in use by another process (a second writer) */
	RV_ERR_MAX
};

/** Text for an error code; never NULL, also for unknown codes. */
const char *rv_strerror(int err);

#endif
