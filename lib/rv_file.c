/**
 * \file rv_file.c
 * Replacing a file whole (rv_file.h).
 */
#include "rv_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rv_err.h"

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

int
rv_file_replace(const char *path, const void *data, size_t len)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *p = data, *slash;
	int fd, rc = RV_OK;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return RV_ETOOBIG;
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash == NULL ? 1 : slash == path ?
	    1 : (int)(slash - path), slash == NULL ? "." : path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640)) < 0)
		return io_err();
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = io_err();
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	if (rc == RV_OK && fsync(fd) != 0)
		rc = io_err();
	if (close(fd) != 0 && rc == RV_OK)
		rc = io_err();
	if (rc == RV_OK && rename(tmp, path) != 0)
		rc = io_err();
	if (rc != RV_OK) {
		int e = errno;

		(void)unlink(tmp);
		errno = e;
		return rc;
	}
	return rv_file_sync_dir(dir);
}
