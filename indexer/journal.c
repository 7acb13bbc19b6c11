/**
 * \file journal.c
 * The sinks' durable, bounded queue of batches (journal.h).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "rv_err.h"
#include "rv_ch_sink.h"
#include "rv_file.h"

#define NAME_MAX_ 64

struct batch {
	uint64_t seq, len;
};

struct rvd_journal {
	pthread_mutex_t mu;
	char *dir;
	uint64_t max_bytes;
	struct batch *q;	/* waiting, oldest first, at q[head..head+n) */
	size_t head, n, cap;
	uint64_t bytes, next_seq, dropped_batches, dropped_bytes;
};

static void
path_of(const struct rvd_journal *j, uint64_t seq, const char *ext,
    char *out, size_t cap)
{
	snprintf(out, cap, "%s/%016" PRIx64 ".%s", j->dir, seq, ext);
}

static int
push(struct rvd_journal *j, uint64_t seq, uint64_t len)
{
	if (j->head > 0 && j->head + j->n == j->cap) {	/* slide down */
		memmove(j->q, j->q + j->head, j->n * sizeof(*j->q));
		j->head = 0;
	}
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 64;
		struct batch *q = realloc(j->q, cap * sizeof(*q));
		if (q == NULL)
			return RV_ENOMEM;
		j->q = q;
		j->cap = cap;
	}
	j->q[j->head + j->n].seq = seq;
	j->q[j->head + j->n].len = len;
	j->n++;
	j->bytes += len;
	return RV_OK;
}

static int
cmp_batch(const void *a, const void *b)
{
	uint64_t x = ((const struct batch *)a)->seq;
	uint64_t y = ((const struct batch *)b)->seq;

	return x < y ? -1 : x > y;
}

/* A name of 16 lower-case hex digits and ".ext": its number, else 0. */
static uint64_t
seq_of(const char *name, const char *ext)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 16; i++) {
		char c = name[i];
		if (c >= '0' && c <= '9')
			v = v << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint64_t)(c - 'a' + 10);
		else
			return 0;
	}
	return name[16] == '.' && strcmp(name + 17, ext) == 0 ? v : 0;
}

static int
scan(struct rvd_journal *j)
{
	DIR *d = opendir(j->dir);
	struct dirent *e;
	int rc = RV_OK;

	if (d == NULL)
		return RV_EIO;
	while (rc == RV_OK && (e = readdir(d)) != NULL) {
		char path[4200];
		struct stat sb;
		uint64_t seq;

		if ((seq = seq_of(e->d_name, "b.tmp")) != 0 ||
		    strcmp(e->d_name, "dropped.tmp") == 0) {
			snprintf(path, sizeof(path), "%s/%s", j->dir,
			    e->d_name);
			(void)unlink(path);	/* a killed append's */
			continue;
		}
		if ((seq = seq_of(e->d_name, "b")) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", j->dir, e->d_name);
		if (stat(path, &sb) != 0)
			continue;
		rc = push(j, seq, (uint64_t)sb.st_size);
		if (seq >= j->next_seq)
			j->next_seq = seq + 1;
	}
	closedir(d);
	if (rc == RV_OK && j->n > 1)
		qsort(j->q, j->n, sizeof(*j->q), cmp_batch);
	return rc;
}

int
rvd_journal_open(const char *dir, uint64_t max_bytes,
    struct rvd_journal **out)
{
	struct rvd_journal *j;
	int rc;

	*out = NULL;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return RV_ENOMEM;
	pthread_mutex_init(&j->mu, NULL);
	j->max_bytes = max_bytes;
	j->next_seq = 1;
	if ((j->dir = strdup(dir)) == NULL) {
		rc = RV_ENOMEM;
		goto leave;
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		rc = RV_EIO;
		goto leave;
	}
	if ((rc = rv_sink_dropped_read(dir, &j->dropped_batches,
	    &j->dropped_bytes)) != RV_OK || (rc = scan(j)) != RV_OK)
		goto leave;
	*out = j;
leave:
	if (rc != RV_OK)
		rvd_journal_close(j);
	return rc;
}

void
rvd_journal_close(struct rvd_journal *j)
{
	if (j == NULL)
		return;
	pthread_mutex_destroy(&j->mu);
	free(j->q);
	free(j->dir);
	free(j);
}

/* Remove the oldest batch (under mu). */
static void
pop(struct rvd_journal *j)
{
	char path[4200];

	path_of(j, j->q[j->head].seq, "b", path, sizeof(path));
	(void)unlink(path);
	j->bytes -= j->q[j->head].len;
	j->head++;
	if (--j->n == 0)
		j->head = 0;
}

int
rvd_journal_append(struct rvd_journal *j, const void *data, size_t len)
{
	struct iovec v = { (void *)(uintptr_t)data, len };

	return rvd_journal_appendv(j, &v, 1);
}

int
rvd_journal_appendv(struct rvd_journal *j, const struct iovec *iov, int n)
{
	struct iovec w[64];
	char path[4200];
	uint64_t seq, before;
	size_t len = 0;
	int rc;

	if (n < 0 || n > 64)
		return RV_EINVAL;
	for (int i = 0; i < n; i++)
		len += (w[i] = iov[i]).iov_len;
	if (len == 0)
		return RV_EINVAL;
	/* Only the appender takes numbers: no lock needed to write. */
	pthread_mutex_lock(&j->mu);
	seq = j->next_seq;
	pthread_mutex_unlock(&j->mu);
	path_of(j, seq, "b", path, sizeof(path));
	if ((rc = rv_file_replacev(path, w, n)) != RV_OK)
		return rc;
	pthread_mutex_lock(&j->mu);
	j->next_seq = seq + 1;
	if ((rc = push(j, seq, len)) != RV_OK) {
		pthread_mutex_unlock(&j->mu);
		(void)unlink(path);
		return rc;
	}
	before = j->dropped_batches;
	while (j->bytes > j->max_bytes && j->n > 1) {
		j->dropped_batches++;
		j->dropped_bytes += j->q[j->head].len;
		pop(j);
	}
	if (j->dropped_batches != before)
		(void)rv_sink_dropped_write(j->dir, j->dropped_batches,
		    j->dropped_bytes);	/* the count only: best effort */
	pthread_mutex_unlock(&j->mu);
	return RV_OK;
}

int
rvd_journal_peek(struct rvd_journal *j, uint64_t *seq, void **data,
    size_t *len)
{
	for (;;) {
		char path[4200];
		struct stat sb;
		uint64_t s;
		void *buf;
		ssize_t n;
		int fd;

		pthread_mutex_lock(&j->mu);
		if (j->n == 0) {
			pthread_mutex_unlock(&j->mu);
			return RV_ENOENT;
		}
		s = j->q[j->head].seq;
		pthread_mutex_unlock(&j->mu);
		path_of(j, s, "b", path, sizeof(path));
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			if (errno == ENOENT)
				continue;	/* dropped meanwhile */
			return RV_EIO;
		}
		if (fstat(fd, &sb) != 0 || sb.st_size <= 0) {
			close(fd);
			return RV_EIO;
		}
		if ((buf = malloc((size_t)sb.st_size)) == NULL) {
			close(fd);
			return RV_ENOMEM;
		}
		n = pread(fd, buf, (size_t)sb.st_size, 0);
		close(fd);
		if (n != sb.st_size) {
			free(buf);
			return RV_EIO;
		}
		*seq = s;
		*data = buf;
		*len = (size_t)n;
		return RV_OK;
	}
}

int
rvd_journal_oldest(struct rvd_journal *j, uint64_t *seq)
{
	int rc = RV_ENOENT;

	pthread_mutex_lock(&j->mu);
	if (j->n > 0) {
		*seq = j->q[j->head].seq;
		rc = RV_OK;
	}
	pthread_mutex_unlock(&j->mu);
	return rc;
}

int
rvd_journal_ack(struct rvd_journal *j, uint64_t seq)
{
	int rc = RV_OK;

	pthread_mutex_lock(&j->mu);
	if (j->n > 0 && j->q[j->head].seq == seq)
		pop(j);
	else if (j->n > 0 && seq > j->q[j->head].seq)
		rc = RV_ESTATE;
	pthread_mutex_unlock(&j->mu);
	return rc;
}

void
rvd_journal_stats(struct rvd_journal *j, struct rvd_journal_stats *st)
{
	pthread_mutex_lock(&j->mu);
	st->batches = j->n;
	st->bytes = j->bytes;
	st->next_seq = j->next_seq;
	st->dropped_batches = j->dropped_batches;
	st->dropped_bytes = j->dropped_bytes;
	pthread_mutex_unlock(&j->mu);
}
