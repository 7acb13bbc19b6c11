/**
 * \file sink_send.c
 * The sender of one ClickHouse sink (sink_send.h): the oldest batch of
 * the journal, part by part, gzip-compressed over HTTP; the batch
 * acknowledged once every part is in; failures retried with a growing
 * pause; what is done within a batch and the figures written beside the
 * journal.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "log.h"
#include "rv_be.h"
#include "rv_err.h"
#include "rv_ch_sink.h"
#include "rv_file.h"
#include "rv_time.h"
#include "sink_batch.h"
#include "sink_send.h"

#define PAUSE_MIN_MS	100
#define PAUSE_MAX_MS	5000
#define IDLE_MS		1000	/* re-check the journal without a kick */

struct rvd_sink_sender {
	struct rv_ch_url u;
	struct rvd_journal *j;
	char dir[4096];
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop, kicked;	/* under mu */
	CURL *h;
	struct rv_sink_state st;
	char err[CURL_ERROR_SIZE];
	uint8_t *body;		/* the answer's first octets (an error) */
	size_t body_len;
	const void *psl;	/* the registered domains' list */
	/* The oldest batch, held while it is retried: read and encoded as
	 * each table's RowBinary rows once, and its part zpart compressed
	 * once, however often they are posted. */
	int held;
	uint64_t seq;
	struct rv_chbuf tab[RV_DB_COUNT];
	uint8_t *z;
	size_t zlen;
	unsigned zpart;
};

/* One part of the held batch: a table's rows. */
struct part {
	const char *name;
	uint32_t rows;
	size_t len;
	const uint8_t *data;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int
stopping(struct rvd_sink_sender *s)
{
	int stop;

	pthread_mutex_lock(&s->mu);
	stop = s->stop;
	pthread_mutex_unlock(&s->mu);
	return stop;
}

/* --- the files beside the journal (rv_ch_sink.h) -------------------------- */

static void
progress_write(const struct rvd_sink_sender *s, uint64_t seq, unsigned done)
{
	int rc = rv_sink_progress_write(s->dir, seq, done);

	if (rc != RV_OK)
		rvd_log(LOG_WARNING, "sink %s%s: cannot note its progress (%s): "
		    "a restart now would post a part again", s->u.base,
		    s->u.db, rv_strerror(rc));
}

static void
state_write(struct rvd_sink_sender *s)
{
	(void)rv_sink_state_write(s->dir, &s->st);	/* figures only */
}

/* --- posting -------------------------------------------------------------- */

/* gzip of n octets into a malloc'ed *out. */
static int
gzip(const uint8_t *in, size_t n, uint8_t **out, size_t *outlen)
{
	z_stream z;
	size_t cap = deflateBound(NULL, n) + 64;
	uint8_t *o = malloc(cap);
	int zr;

	if (o == NULL)
		return RV_ENOMEM;
	memset(&z, 0, sizeof(z));
	/* level 1: the rows are sorted and repetitive, most of the gain is
	 * had at the fastest level, and the flusher's machine is busy */
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK) {
		free(o);
		return RV_ENOMEM;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = o;
	z.avail_out = (uInt)cap;
	zr = deflate(&z, Z_FINISH);
	*outlen = z.total_out;
	deflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(o);
		return RV_ENOMEM;
	}
	*out = o;
	return RV_OK;
}

static size_t
keep_body(char *p, size_t sz, size_t n, void *arg)
{
	struct rvd_sink_sender *s = arg;
	size_t add = sz * n, room = 512 - s->body_len;

	if (add < room)
		room = add;
	memcpy(s->body + s->body_len, p, room);
	s->body_len += room;
	return add;
}

/* Abandon a transfer when the sender is asked to stop. */
static int
xfer(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)a;
	(void)b;
	(void)c;
	(void)d;
	return stopping(arg);
}

/* Forget the held batch. */
static void
drop_held(struct rvd_sink_sender *s)
{
	s->held = 0;
	free(s->z);
	s->z = NULL;
	s->zlen = 0;
}

/* Post part number i of the held batch. \return 0 (ClickHouse has it),
 * RV_EIO (st.last_error says why). */
static int
post(struct rvd_sink_sender *s, const struct part *p, unsigned i)
{
	char sql[192], url[1024], *q;
	struct curl_slist *hd = NULL;
	long code = 0;
	CURLcode cc;
	int rc;

	if (s->z != NULL && s->zpart != i) {
		free(s->z);
		s->z = NULL;
	}
	if (s->z == NULL) {
		if ((rc = gzip(p->data, p->len, &s->z, &s->zlen)) != RV_OK) {
			snprintf(s->st.last_error, sizeof(s->st.last_error),
			    "gzip: out of memory");
			return rc;
		}
		s->zpart = i;
	}
	snprintf(sql, sizeof(sql), "INSERT INTO %s.%s_ingest FORMAT RowBinary",
	    s->u.db, p->name);
	q = curl_easy_escape(s->h, sql, 0);
	/* One block, so the part goes into a table whole or not at all;
	 * into a cluster synchronously (sink_send.h says why). */
	snprintf(url, sizeof(url), "%s?max_insert_block_size=%u&"
	    "insert_distributed_sync=1&query=%s", s->u.base, p->rows + 1,
	    q != NULL ? q : "");
	curl_free(q);
	hd = curl_slist_append(hd, "Content-Encoding: gzip");
	/* no "Expect: 100-continue" round trip for a large part */
	hd = curl_slist_append(hd, "Expect:");
	curl_easy_setopt(s->h, CURLOPT_URL, url);
	curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, s->z);
	curl_easy_setopt(s->h, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)s->zlen);
	s->body_len = 0;
	s->err[0] = '\0';
	cc = curl_easy_perform(s->h);
	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hd);
	if (cc == CURLE_OK && code == 200)
		return RV_OK;
	if (cc != CURLE_OK) {
		snprintf(s->st.last_error, sizeof(s->st.last_error), "%s",
		    s->err[0] ? s->err : curl_easy_strerror(cc));
	} else {
		size_t n = 0;

		while (n < s->body_len && s->body[n] != '\n' && n < 200)
			n++;
		snprintf(s->st.last_error, sizeof(s->st.last_error), "HTTP "
		    "%ld: %.*s", code, (int)n, (const char *)s->body);
	}
	return RV_EIO;
}

/* Send the held batch whole, from the parts it has in on: each table
 * with rows, in the order of enum rv_db. \return 0, RV_EIO (try again
 * later). */
static int
send_batch(struct rvd_sink_sender *s)
{
	unsigned done = rv_sink_progress_read(s->dir, s->seq), i = 0;

	for (int d = 0; d < RV_DB_COUNT; d++) {
		struct part p = { rv_ch_table((enum rv_db)d), s->tab[d].rows,
		    s->tab[d].len, s->tab[d].p };

		if (p.rows == 0)
			continue;
		if (i++ < done)
			continue;	/* in before a restart or an outage */
		s->st.last_try = (uint64_t)time(NULL);
		if (post(s, &p, i - 1) != RV_OK || stopping(s))
			return RV_EIO;
		s->st.sent_parts++;
		s->st.sent_rows += p.rows;
		s->st.sent_bytes += p.len;
		s->st.last_ok = (uint64_t)time(NULL);
		progress_write(s, s->seq, i);
	}
	return RV_OK;
}

/* Hold the oldest batch: read it and encode it. \return 0, RV_ENOENT
 * (none), RV_ECORRUPT (not a batch), RV_EIO/RV_ENOMEM (try again). */
static int
hold(struct rvd_sink_sender *s)
{
	void *b;
	size_t len;
	int rc = rvd_journal_peek(s->j, &s->seq, &b, &len);

	if (rc != RV_OK)
		return rc;
	rc = rvd_batch_encode(b, len, s->psl, s->tab);
	free(b);
	if (rc == RV_OK)
		s->held = 1;
	return rc;
}

/* Wait up to ms for a stop, or also a kick (a new batch) when
 * kick_wakes: a backoff after a failure waits its time whatever comes. */
static void
wait_ms(struct rvd_sink_sender *s, unsigned ms, int kick_wakes)
{
	struct timespec ts;

	rv_deadline_ms(&ts, ms);
	pthread_mutex_lock(&s->mu);
	while (!s->stop && !(kick_wakes && s->kicked) &&
	    pthread_cond_timedwait(&s->cv, &s->mu, &ts) == 0)
		;
	if (kick_wakes)
		s->kicked = 0;
	pthread_mutex_unlock(&s->mu);
}

static void *
run(void *arg)
{
	struct rvd_sink_sender *s = arg;
	unsigned pause = PAUSE_MIN_MS;

	while (!stopping(s)) {
		uint64_t oldest;
		int rc;

		/* The held batch goes on being sent while it is the oldest
		 * (the journal drops the oldest when full). */
		if (s->held && (rvd_journal_oldest(s->j, &oldest) != RV_OK ||
		    oldest != s->seq))
			drop_held(s);
		if (!s->held && (rc = hold(s)) != RV_OK &&
		    rc != RV_ECORRUPT) {
			if (rc == RV_ENOENT) {
				wait_ms(s, IDLE_MS, 1);
				continue;
			}
			snprintf(s->st.last_error, sizeof(s->st.last_error),
			    "cannot read its journal: %s", rv_strerror(rc));
			rvd_log(LOG_ERR, "sink %s%s: %s", s->u.base, s->u.db,
			    s->st.last_error);
			state_write(s);
			wait_ms(s, PAUSE_MAX_MS, 0);
			continue;
		}
		rc = s->held ? send_batch(s) : RV_ECORRUPT;
		if (rc == RV_ECORRUPT) {
			rvd_log(LOG_ERR, "sink %s%s: batch %llu in %s is not a "
			    "batch: dropped", s->u.base, s->u.db,
			    (unsigned long long)s->seq, s->dir);
			s->st.corrupt_batches++;
		}
		if (rc == RV_OK || rc == RV_ECORRUPT) {
			(void)rvd_journal_ack(s->j, s->seq);
			rv_sink_progress_clear(s->dir);
			drop_held(s);
			if (rc == RV_OK)
				s->st.sent_batches++;
			if (pause > PAUSE_MIN_MS)
				rvd_log(LOG_INFO, "sink %s%s: sending again",
				    s->u.base, s->u.db);
			pause = PAUSE_MIN_MS;
		} else if (!stopping(s)) {
			s->st.retries++;
			if (pause == PAUSE_MIN_MS)
				rvd_log(LOG_WARNING, "sink %s%s: %s (retrying)",
				    s->u.base, s->u.db, s->st.last_error);
		}
		state_write(s);
		if (rc == RV_EIO) {
			wait_ms(s, pause, 0);
			pause = pause * 2 > PAUSE_MAX_MS ? PAUSE_MAX_MS :
			    pause * 2;
		}
	}
	drop_held(s);
	for (int d = 0; d < RV_DB_COUNT; d++)
		rv_chbuf_free(&s->tab[d]);
	return NULL;
}

int
rvd_sink_sender_start(const struct rv_ch_url *u, struct rvd_journal *j,
    const char *dir, const void *psl, struct rvd_sink_sender **out)
{
	struct rvd_sink_sender *s;
	pthread_condattr_t ca;

	*out = NULL;
	pthread_once(&curl_once, curl_init);
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->body = malloc(512)) == NULL || (s->h = curl_easy_init()) ==
	    NULL) {
		if (s != NULL)
			free(s->body);
		free(s);
		return RV_ENOMEM;
	}
	s->u = *u;
	s->j = j;
	s->psl = psl;
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	(void)rv_sink_state_read(dir, &s->st);	/* the figures go on */
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);	/* waits on the monotonic clock */
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, keep_body);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->h, CURLOPT_ERRORBUFFER, s->err);
	curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(s->h, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(s->h, CURLOPT_XFERINFOFUNCTION, xfer);
	curl_easy_setopt(s->h, CURLOPT_XFERINFODATA, s);
	if (u->user[0]) {
		curl_easy_setopt(s->h, CURLOPT_USERNAME, u->user);
		curl_easy_setopt(s->h, CURLOPT_PASSWORD, u->password);
	}
	if (pthread_create(&s->thread, NULL, run, s) != 0) {
		curl_easy_cleanup(s->h);
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->mu);
		free(s->body);
		free(s);
		return RV_EIO;
	}
	*out = s;
	return RV_OK;
}

void
rvd_sink_sender_kick(struct rvd_sink_sender *s)
{
	pthread_mutex_lock(&s->mu);
	s->kicked = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void
rvd_sink_sender_stop(struct rvd_sink_sender *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	state_write(s);
	curl_easy_cleanup(s->h);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s->body);
	free(s);
}
