/**
 * \file rv_file.c
 * Replacing a file whole (rv_file.h).
 */
#include "rv_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "rv_err.h"

#ifndef IOV_MAX
#define IOV_MAX 1024	/* Linux's, where <limits.h> does not say */
#endif

static int
io_err(void)
{
	return errno == ENOSPC || errno == EDQUOT ? RV_ENOSPC : RV_EIO;
}

int
rv_file_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return io_err();
	rc = fsync(fd) == 0 ? RV_OK : io_err();
	close(fd);
	return rc;
}

/* The directory of path ("." for a bare name), into dir. */
static void
dir_of(const char *path, char *dir, size_t dirsz)
{
	const char *slash = strrchr(path, '/');

	snprintf(dir, dirsz, "%.*s", slash == NULL ? 1 : slash == path ? 1 :
	    (int)(slash - path), slash == NULL ? "." : path);
}

/* The end of a replace: tmp (written, synced, closed when rc is 0)
 * renamed over path and the directory synced; on an error tmp removed,
 * errno kept. \return rc, or the rename's or the sync's error. */
static int
put_in_place(int rc, const char *tmp, const char *path)
{
	char dir[PATH_MAX];

	if (rc == RV_OK && rename(tmp, path) != 0)
		rc = io_err();
	if (rc != RV_OK) {
		int e = errno;

		(void)unlink(tmp);
		errno = e;
		return rc;
	}
	dir_of(path, dir, sizeof(dir));
	return rv_file_sync_dir(dir);
}

/* Write all of iov[0..n) to fd (writev, short writes resumed; iov is
 * consumed). \return 0, or the error of io_err(). */
static int
write_iov(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n > IOV_MAX ? IOV_MAX : n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return io_err();
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return RV_OK;
}

int
rv_file_replace(const char *path, const void *data, size_t len)
{
	struct iovec v = { (void *)(uintptr_t)data, len };

	return rv_file_replacev(path, &v, 1);
}

int
rv_file_replacev(const char *path, struct iovec *iov, int n)
{
	char tmp[PATH_MAX];
	int fd, rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return RV_ETOOBIG;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640)) < 0)
		return io_err();
	rc = write_iov(fd, iov, n);
	if (rc == RV_OK && fsync(fd) != 0)
		rc = io_err();
	if (close(fd) != 0 && rc == RV_OK)
		rc = io_err();
	return put_in_place(rc, tmp, path);
}

FILE *
rv_file_stream_open(const char *path, char *tmp, size_t tmpsz)
{
	mode_t mask;
	FILE *fp;
	int fd;

	if ((size_t)snprintf(tmp, tmpsz, "%s.tmpXXXXXX", path) >= tmpsz) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if ((fd = mkstemp(tmp)) < 0)
		return NULL;
	mask = umask(0);	/* mkstemp makes 0600: give the umask's mode */
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || (fp = fdopen(fd, "w")) == NULL) {
		int e = errno;

		close(fd);
		(void)unlink(tmp);
		errno = e;
		return NULL;
	}
	return fp;
}

int
rv_file_stream_commit(FILE *fp, const char *tmp, const char *path)
{
	int rc = RV_OK;

	if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0)
		rc = io_err();
	if (fclose(fp) != 0 && rc == RV_OK)
		rc = io_err();
	return put_in_place(rc, tmp, path);
}

void
rv_file_stream_abort(FILE *fp, const char *tmp)
{
	int e = errno;

	if (fp != NULL)
		fclose(fp);
	(void)unlink(tmp);
	errno = e;
}
