/**
 * \file rv_ch_sink.c
 * A ClickHouse sink's directory (rv_ch_sink.h).
 */
#include "rv_ch_sink.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rv_be.h"
#include "rv_err.h"
#include "rv_file.h"

static const struct {
	const char *key;
	size_t off;
} keys[] = {
	{ "sent_batches", offsetof(struct rv_sink_state, sent_batches) },
	{ "sent_parts", offsetof(struct rv_sink_state, sent_parts) },
	{ "sent_rows", offsetof(struct rv_sink_state, sent_rows) },
	{ "sent_bytes", offsetof(struct rv_sink_state, sent_bytes) },
	{ "retries", offsetof(struct rv_sink_state, retries) },
	{ "corrupt_batches", offsetof(struct rv_sink_state, corrupt_batches) },
	{ "last_ok", offsetof(struct rv_sink_state, last_ok) },
	{ "last_try", offsetof(struct rv_sink_state, last_try) },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static uint64_t *
field(struct rv_sink_state *st, size_t i)
{
	return (uint64_t *)(void *)((char *)st + keys[i].off);
}

int
rv_sink_state_write(const char *dir, const struct rv_sink_state *st)
{
	struct rv_sink_state c = *st;
	char path[4200], b[1024];
	size_t n = 0;

	for (size_t i = 0; i < NKEYS; i++)
		n += (size_t)snprintf(b + n, sizeof(b) - n, "%s %llu\n",
		    keys[i].key, (unsigned long long)*field(&c, i));
	/* one line: the error is a line of ClickHouse's or curl's */
	c.last_error[strcspn(c.last_error, "\r\n")] = '\0';
	n += (size_t)snprintf(b + n, sizeof(b) - n, "last_error %s\n",
	    c.last_error);
	snprintf(path, sizeof(path), "%s/state", dir);
	return rv_file_replace(path, b, n < sizeof(b) ? n : sizeof(b) - 1);
}

int
rv_sink_state_read(const char *dir, struct rv_sink_state *st)
{
	char path[4200], line[512];
	size_t total = 0;
	FILE *fp;
	int rc = RV_OK;

	memset(st, 0, sizeof(*st));
	snprintf(path, sizeof(path), "%s/state", dir);
	if ((fp = fopen(path, "r")) == NULL)
		return errno == ENOENT ? RV_ENOENT : RV_EIO;
	/* A file, but read as untrusted: lines and the whole bounded. */
	while (fgets(line, sizeof(line), fp) != NULL) {
		if ((total += strlen(line)) > 4096) {
			rc = RV_ECORRUPT;
			break;
		}
		char *v = strchr(line, ' '), *end;
		unsigned long long x;
		size_t i;

		if (v == NULL || strchr(line, '\n') == NULL) {
			rc = RV_ECORRUPT;
			break;
		}
		*v++ = '\0';
		v[strcspn(v, "\n")] = '\0';
		if (strcmp(line, "last_error") == 0) {
			snprintf(st->last_error, sizeof(st->last_error), "%s", v);
			continue;
		}
		for (i = 0; i < NKEYS; i++)
			if (strcmp(line, keys[i].key) == 0)
				break;
		errno = 0;
		x = strtoull(v, &end, 10);
		if (!isdigit((unsigned char)*v) || *end != '\0' || errno != 0) {
			rc = RV_ECORRUPT;
			break;
		}
		if (i < NKEYS)	/* an unknown key: a newer writer's */
			*field(st, i) = x;
	}
	fclose(fp);
	return rc;
}

int
rv_sink_dropped_write(const char *dir, uint64_t batches, uint64_t bytes)
{
	char path[4200];
	uint8_t b[16];

	snprintf(path, sizeof(path), "%s/dropped", dir);
	rv_put64(b, batches);
	rv_put64(b + 8, bytes);
	return rv_file_replace(path, b, sizeof(b));
}

int
rv_sink_dropped_read(const char *dir, uint64_t *batches, uint64_t *bytes)
{
	char path[4200];
	uint8_t b[17];
	ssize_t n;
	int fd;

	*batches = *bytes = 0;
	snprintf(path, sizeof(path), "%s/dropped", dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? RV_OK : RV_EIO;
	n = read(fd, b, sizeof(b));
	close(fd);
	if (n != 16)
		return RV_ECORRUPT;
	*batches = rv_get64(b);
	*bytes = rv_get64(b + 8);
	return RV_OK;
}

unsigned
rv_sink_progress_read(const char *dir, uint64_t seq)
{
	char path[4200];
	uint8_t b[13];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/progress", dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, b, sizeof(b));
	close(fd);
	if (n != 12 || rv_get64(b) != seq)
		return 0;
	return rv_get32(b + 8);
}

int
rv_sink_progress_write(const char *dir, uint64_t seq, unsigned done)
{
	char path[4200];
	uint8_t b[12];

	snprintf(path, sizeof(path), "%s/progress", dir);
	rv_put64(b, seq);
	rv_put32(b + 8, done);
	return rv_file_replace(path, b, sizeof(b));
}

void
rv_sink_progress_clear(const char *dir)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/progress", dir);
	if (unlink(path) == 0)
		(void)rv_file_sync_dir(dir);
}

int
rv_sink_figures(const char *dir, struct rv_sink_figures *out)
{
	DIR *d;
	struct dirent *e;

	memset(out, 0, sizeof(*out));
	if ((d = opendir(dir)) == NULL)
		return RV_EIO;
	while ((e = readdir(d)) != NULL) {
		size_t nl = strlen(e->d_name);
		char path[4200];
		struct stat sb;

		if (nl != 18 || strcmp(e->d_name + 16, ".b") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &sb) != 0)
			continue;	/* sent meanwhile */
		out->batches++;
		out->bytes += (uint64_t)sb.st_size;
		if (out->oldest == 0 || (uint64_t)sb.st_mtime < out->oldest)
			out->oldest = (uint64_t)sb.st_mtime;
	}
	closedir(d);
	(void)rv_sink_dropped_read(dir, &out->dropped_batches,
	    &out->dropped_bytes);
	(void)rv_sink_state_read(dir, &out->st);
	return RV_OK;
}
