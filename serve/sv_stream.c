/**
 * \file sv_stream.c
 * Result streams: a producer thread, a bounded queue of chunks, a reader.
 * See sv_stream.h.
 */
#define _GNU_SOURCE 1	/* fopencookie */
#include "sv_stream.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "rv_err.h"
#include "rv_time.h"

struct chunk {
	struct chunk *next;
	size_t len, off;	/**< off: octets already read */
	char data[];
};

struct sv_stream {
	pthread_mutex_t mu;
	pthread_cond_t cv;	/**< queue changed, or cancel */
	struct chunk *head, *tail;
	size_t queued, queue_max;
	int done;		/**< producer returned */
	int cancel;
	int wrote;		/**< the producer wrote something */
	int waiting;		/**< the reader waits for output */
	int refs;
	int at_line;		/**< the client has whole lines only */
	uint64_t sent;
	unsigned ongoing_ms;
	const char *keepalive;
	FILE *fp;
	pthread_t th;
	sv_produce_fn fn;
	void *arg;
	void (*arg_free)(void *);
};

/* The producer's FILE writes here: one chunk, after room in the queue. */
static ssize_t
cookie_write(void *cookie, const char *buf, size_t n)
{
	struct sv_stream *s = cookie;
	struct chunk *c;

	if (n == 0)
		return 0;
	if ((c = malloc(sizeof(*c) + n)) == NULL)
		return -1;
	memcpy(c->data, buf, n);
	c->len = n;
	c->off = 0;
	c->next = NULL;
	pthread_mutex_lock(&s->mu);
	while (!s->cancel && s->queued > 0 && s->queued + n > s->queue_max)
		pthread_cond_wait(&s->cv, &s->mu);
	if (s->cancel) {
		pthread_mutex_unlock(&s->mu);
		free(c);
		errno = EPIPE;
		return -1;
	}
	if (s->tail != NULL)
		s->tail->next = c;
	else
		s->head = c;
	s->tail = c;
	s->queued += n;
	s->wrote = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return (ssize_t)n;
}

static void *
producer(void *arg)
{
	struct sv_stream *s = arg;

	s->fn(s, s->fp, s->arg);
	fflush(s->fp);
	pthread_mutex_lock(&s->mu);
	s->done = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int
sv_stream_start(struct sv_stream **out, size_t queue_max, unsigned ongoing_ms,
    const char *keepalive, sv_produce_fn fn, void *arg,
    void (*arg_free)(void *))
{
	cookie_io_functions_t io = { .write = cookie_write };
	pthread_condattr_t ca;
	struct sv_stream *s;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		arg_free(arg);
		return RV_ENOMEM;
	}
	pthread_mutex_init(&s->mu, NULL);
	/* timed waits on the monotonic clock (rv_deadline_ms()) */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	s->queue_max = queue_max;
	s->ongoing_ms = ongoing_ms;
	s->keepalive = keepalive;
	s->fn = fn;
	s->arg = arg;
	s->arg_free = arg_free;
	s->refs = 1;
	s->at_line = 1;
	if ((s->fp = fopencookie(s, "w", io)) == NULL)
		goto fail;
	/* The producer's own buffer (struct sb) makes the chunks. */
	setvbuf(s->fp, NULL, _IONBF, 0);
	if (pthread_create(&s->th, NULL, producer, s) != 0) {
		fclose(s->fp);
		goto fail;
	}
	*out = s;
	return RV_OK;
fail:
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	arg_free(arg);
	free(s);
	return RV_EIO;
}

int
sv_stream_wait_first(struct sv_stream *s)
{
	int empty;

	pthread_mutex_lock(&s->mu);
	while (!s->wrote && !s->done)
		pthread_cond_wait(&s->cv, &s->mu);
	empty = !s->wrote;
	pthread_mutex_unlock(&s->mu);
	return empty;
}

ssize_t
sv_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sv_stream *s = cls;
	struct timespec ts;
	size_t n = 0;
	ssize_t rc;

	(void)pos;
	pthread_mutex_lock(&s->mu);
	rv_deadline_ms(&ts, s->ongoing_ms);
	while (s->head == NULL && !s->done && !s->cancel) {
		s->waiting = 1;
		if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) ==
		    ETIMEDOUT && s->head == NULL && !s->done) {
			s->waiting = 0;
			if (s->keepalive == NULL || !s->at_line) {
				rv_deadline_ms(&ts, s->ongoing_ms);
				continue;
			}
			n = strlen(s->keepalive);
			if (n > max)
				n = max;
			memcpy(buf, s->keepalive, n);
			s->sent += n;
			pthread_mutex_unlock(&s->mu);
			return (ssize_t)n;
		}
	}
	s->waiting = 0;
	while (s->head != NULL && n < max) {
		struct chunk *c = s->head;
		size_t k = c->len - c->off;
		if (k > max - n)
			k = max - n;
		memcpy(buf + n, c->data + c->off, k);
		c->off += k;
		n += k;
		if (c->off == c->len) {
			s->head = c->next;
			if (s->head == NULL)
				s->tail = NULL;
			s->queued -= c->len;
			free(c);
		}
	}
	if (n > 0) {
		/* The producer writes whole lines: the client has whole
		 * lines when the queue holds no part of a chunk. */
		s->at_line = s->head == NULL || s->head->off == 0;
		s->sent += n;
		pthread_cond_broadcast(&s->cv);
		rc = (ssize_t)n;
	} else
		rc = s->cancel ? MHD_CONTENT_READER_END_WITH_ERROR :
		    MHD_CONTENT_READER_END_OF_STREAM;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

void
sv_stream_wait_done(struct sv_stream *s)
{
	pthread_mutex_lock(&s->mu);
	while (!s->done)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
}

void
sv_stream_ref(struct sv_stream *s)
{
	pthread_mutex_lock(&s->mu);
	s->refs++;
	pthread_mutex_unlock(&s->mu);
}

int
sv_stream_cancelled(struct sv_stream *s)
{
	int c;

	pthread_mutex_lock(&s->mu);
	c = s->cancel;
	pthread_mutex_unlock(&s->mu);
	return c;
}

int
sv_stream_hungry(struct sv_stream *s)
{
	int w;

	pthread_mutex_lock(&s->mu);
	w = s->waiting;
	pthread_mutex_unlock(&s->mu);
	return w;
}

void
sv_stream_cancel(struct sv_stream *s)
{
	pthread_mutex_lock(&s->mu);
	s->cancel = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

uint64_t
sv_stream_sent(struct sv_stream *s)
{
	uint64_t n;

	pthread_mutex_lock(&s->mu);
	n = s->sent;
	pthread_mutex_unlock(&s->mu);
	return n;
}

void
sv_stream_release(struct sv_stream *s)
{
	int last;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	last = --s->refs == 0;
	pthread_mutex_unlock(&s->mu);
	if (!last)
		return;
	sv_stream_cancel(s);
	pthread_join(s->th, NULL);
	fclose(s->fp);
	while (s->head != NULL) {
		struct chunk *c = s->head;
		s->head = c->next;
		free(c);
	}
	s->arg_free(s->arg);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

void
sv_stream_response_free(void *cls)
{
	struct sv_stream *s = cls;

	sv_stream_cancel(s);
	sv_stream_release(s);
}
