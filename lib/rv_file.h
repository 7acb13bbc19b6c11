/**
 * \file rv_file.h
 * Replacing a file whole: what is read afterwards is the old content or
 * the new, never a part, also after a crash (write PATH.tmp, fsync it,
 * rename it over PATH, fsync the directory).
 */
#ifndef RV_FILE_H
#define RV_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/uio.h>

/**
 * Replace \p path with \p len octets of \p data (mode 0640 for a new
 * file). A killed writer leaves PATH.tmp, which the next call replaces.
 * \return 0, RV_ENOSPC (disk full), RV_EIO (errno set), RV_ETOOBIG (a
 * path too long); on an error PATH is as it was.
 */
int rv_file_replace(const char *path, const void *data, size_t len);

/** The same with the content gathered from \p n pieces (written with
 * writev; \p iov is consumed). */
int rv_file_replacev(const char *path, struct iovec *iov, int n);

/**
 * A file written as a stream to replace \p path: a temporary file beside
 * it (PATH.tmpXXXXXX, in \p tmp), with the mode a new file gets under
 * the umask. \return the stream, or NULL (errno set).
 */
FILE *rv_file_stream_open(const char *path, char *tmp, size_t tmpsz);

/**
 * The stream is complete: flush it, fsync it, close it, rename \p tmp
 * over \p path and fsync the directory. On an error \p tmp is removed
 * and \p path is as it was. \return 0, RV_ENOSPC, RV_EIO (errno set).
 */
int rv_file_stream_commit(FILE *fp, const char *tmp, const char *path);

/** Give the stream up: close it, remove \p tmp. */
void rv_file_stream_abort(FILE *fp, const char *tmp);

/** fsync a directory (after a rename or unlink in it). \return 0,
 * RV_ENOSPC, RV_EIO. */
int rv_file_sync_dir(const char *dir);

#endif
