/**
 * \file test_sink_send.c
 * cmocka tests of the ClickHouse sink's sender (indexer/sink_send.h)
 * against a fake ClickHouse: an HTTP server thread on 127.0.0.1 that
 * gunzips each posted body, records it with its decoded query, and
 * answers with a scripted status. Covered: a batch's
 * parts posted in order to the right tables; a failing server retried
 * with its message kept and the batch acknowledged only once all parts
 * are in; the progress of a batch kept across a restart of the sender;
 * a server not listening, then coming up; a corrupt batch dropped and
 * counted; stop while the server never answers.
 *
 * Nothing here asserts a duration but "stop returns" (generously): the
 * outcomes are awaited with bounded polling.
 */
#define _GNU_SOURCE	/* strcasestr */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "journal.h"
#include "ch_sample.h"
#include "rv_err.h"
#include "rv_ch_sink.h"
#include "rv_name.h"
#include "sink_batch.h"
#include "sink_send.h"

#define MAX_REQ 64

/* What each part of append_three's batch must carry: its rows encoded by
 * rv_ch_row directly. */
static struct rv_chbuf want[3];
#define WAIT_S 30

/* ---- the fake ClickHouse ---- */

struct req {
	char query[256];	/* the decoded query parameter */
	uint8_t *body;		/* gunzipped */
	size_t len;
	int gzip;		/* Content-Encoding: gzip was sent */
};

struct fake {
	int lfd;
	uint16_t port;
	pthread_t thread;
	int stop;		/* atomic */
	pthread_mutex_t mu;	/* guards what follows */
	int script[8], nscript;	/* the first answers' statuses */
	int dflt;		/* the status after the script */
	int hang;		/* read a request, never answer */
	struct req reqs[MAX_REQ];
	int nreq;
};

static int
fake_stopping(struct fake *f)
{
	return __atomic_load_n(&f->stop, __ATOMIC_RELAXED);
}

/* Wait for fd to be readable; 0 when stop is asked meanwhile. */
static int
readable(struct fake *f, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (!fake_stopping(f))
		if (poll(&p, 1, 50) > 0)
			return 1;
	return 0;
}

/* Append what fd has to *buf; \return the octets read, 0 at EOF/stop. */
static size_t
more(struct fake *f, int fd, char **buf, size_t *len, size_t *cap)
{
	ssize_t r;

	if (*cap - *len < 4096) {
		*cap = *cap * 2 + 4096;
		*buf = realloc(*buf, *cap + 1);
		assert_non_null(*buf);
	}
	if (!readable(f, fd) || (r = read(fd, *buf + *len, *cap - *len)) <= 0)
		return 0;
	*len += (size_t)r;
	(*buf)[*len] = '\0';
	return (size_t)r;
}

static void
url_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;
	unsigned v;

	for (i = 0; i < n && o + 1 < cap; i++) {
		if (s[i] == '%' && i + 2 < n && sscanf(s + i + 1, "%2x", &v) == 1)
			out[o++] = (char)v, i += 2;
		else
			out[o++] = s[i] == '+' ? ' ' : s[i];
	}
	out[o] = '\0';
}

static void
gunzip(const uint8_t *in, size_t n, struct req *r)
{
	z_stream z;
	size_t cap = n * 4 + 1024;

	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 31), Z_OK);
	r->body = malloc(cap);
	assert_non_null(r->body);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = r->body;
	z.avail_out = (uInt)cap;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	r->len = z.total_out;
	inflateEnd(&z);
}

/* Record the request (headers in h, body at b) and pick the status. */
static int
record(struct fake *f, const char *h, const uint8_t *b, size_t n)
{
	struct req r = { .gzip = strcasestr(h, "\r\ncontent-encoding: gzip")
	    != NULL };
	const char *q = strstr(h, "&query="), *qe;
	int status;

	if (q == NULL)
		q = strstr(h, "?query=");
	assert_non_null(q);
	q += 7;
	qe = q + strcspn(q, "& ");
	url_decode(q, (size_t)(qe - q), r.query, sizeof(r.query));
	/* one block: the part goes in whole or not at all; every shard has
	 * it when the answer comes */
	assert_non_null(strstr(h, "max_insert_block_size="));
	assert_non_null(strstr(h, "insert_distributed_sync=1"));
	gunzip(b, n, &r);
	pthread_mutex_lock(&f->mu);
	assert_true(f->nreq < MAX_REQ);
	status = f->nreq < f->nscript ? f->script[f->nreq] : f->dflt;
	f->reqs[f->nreq++] = r;
	pthread_mutex_unlock(&f->mu);
	return status;
}

static void
answer(int fd, int status)
{
	const char *body = status == 200 ? "" : "Code: 241, e.displayText() = "
	    "DB::Exception: Memory limit exceeded\nstack trace:\n0. x\n";
	char b[512];
	int n;

	n = snprintf(b, sizeof(b), "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n"
	    "Content-Type: text/plain\r\n\r\n%s", status,
	    status == 200 ? "OK" : "Error", strlen(body), body);
	(void)send(fd, b, (size_t)n, MSG_NOSIGNAL);
}

/* Serve one request of fd. \return 0 when the connection is over. */
static int
serve_one(struct fake *f, int fd, char **buf, size_t *len, size_t *cap)
{
	char *end, *cl;
	size_t hlen, blen;
	int status, hang;

	while ((end = strstr(*buf, "\r\n\r\n")) == NULL)
		if (more(f, fd, buf, len, cap) == 0)
			return 0;
	hlen = (size_t)(end - *buf) + 4;
	cl = strcasestr(*buf, "\r\ncontent-length:");
	assert_true(cl != NULL && cl < end);	/* not chunked */
	blen = strtoul(cl + 17, NULL, 10);
	while (*len < hlen + blen)
		if (more(f, fd, buf, len, cap) == 0)
			return 0;
	end[2] = '\0';
	status = record(f, *buf, (uint8_t *)*buf + hlen, blen);
	pthread_mutex_lock(&f->mu);
	hang = f->hang;
	pthread_mutex_unlock(&f->mu);
	if (hang)
		return readable(f, -1), 0;	/* poll ignores -1: until stop */
	answer(fd, status);
	memmove(*buf, *buf + hlen + blen, *len - hlen - blen + 1);
	*len -= hlen + blen;
	return 1;
}

static void *
fake_run(void *arg)
{
	struct fake *f = arg;
	size_t len, cap = 4096;
	char *buf = malloc(cap + 1);
	int fd;

	assert_non_null(buf);
	while (readable(f, f->lfd)) {
		if ((fd = accept(f->lfd, NULL, NULL)) < 0)
			continue;
		len = 0;
		buf[0] = '\0';
		while (serve_one(f, fd, &buf, &len, &cap))
			;
		close(fd);
	}
	free(buf);
	return NULL;
}

/* A socket bound to a free port of 127.0.0.1, not listening: connects to
 * the port are refused, and nothing else (not even an outgoing
 * connection's source port) can take it until fake_start listens on it. */
static int
bound_socket(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Listen on fd (from bound_socket; -1: a new one) and serve. */
static void
fake_start(struct fake *f, int fd)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	f->lfd = fd >= 0 ? fd : bound_socket();
	assert_int_equal(listen(f->lfd, 8), 0);
	assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&a, &alen), 0);
	f->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_run, f), 0);
}

static void
fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->lfd = -1;
	f->dflt = 200;
	pthread_mutex_init(&f->mu, NULL);
}

static void
fake_stop(struct fake *f)
{
	int i;

	if (f->lfd >= 0) {
		__atomic_store_n(&f->stop, 1, __ATOMIC_RELAXED);
		pthread_join(f->thread, NULL);
		close(f->lfd);
	}
	for (i = 0; i < f->nreq; i++)
		free(f->reqs[i].body);
	pthread_mutex_destroy(&f->mu);
}

static void
fake_set(struct fake *f, int *field, int v)
{
	pthread_mutex_lock(&f->mu);
	*field = v;
	pthread_mutex_unlock(&f->mu);
}

static int
fake_nreq(struct fake *f)
{
	int n;

	pthread_mutex_lock(&f->mu);
	n = f->nreq;
	pthread_mutex_unlock(&f->mu);
	return n;
}

/* How many requests went to table \p name. */
static int
fake_count(struct fake *f, const char *name)
{
	char q[128];
	int i, n = 0;

	snprintf(q, sizeof(q), "INSERT INTO db.%s_ingest FORMAT RowBinary",
	    name);
	pthread_mutex_lock(&f->mu);
	for (i = 0; i < f->nreq; i++)
		n += strcmp(f->reqs[i].query, q) == 0;
	pthread_mutex_unlock(&f->mu);
	return n;
}

/* ---- fixtures ---- */

static char dir[64];
static struct rvd_journal *journal;
static struct fake fake;

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/rv-sink-send-XXXXXX");
	fake_init(&fake);
	for (int i = 0; i < 3; i++)
		rv_chbuf_reset(&want[i]);
	return mkdtemp(dir) && rvd_journal_open(dir, 1 << 20, &journal) == 0 ?
	    0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	fake_stop(&fake);
	rvd_journal_close(journal);
	for (int i = 0; i < 3; i++)
		rv_chbuf_free(&want[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The port fd is bound to. */
static uint16_t
port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	return ntohs(a.sin_port);
}

static struct rvd_sink_sender *
start(uint16_t port)
{
	struct rvd_sink_sender *s;
	struct rv_ch_url u;
	const char *why;
	char url[128];

	snprintf(url, sizeof(url), "clickhouse+http://u:p@127.0.0.1:%u/db",
	    port);
	assert_int_equal(rv_ch_url_parse(url, &u, &why), RV_OK);
	assert_int_equal(rvd_sink_sender_start(&u, journal, dir, NULL, &s),
	    RV_OK);
	return s;
}

/* The tables of the batch of append_three, in the order of enum rv_db
 * (the order of its parts), with 1, 2 and 3 rows. */
static const char *const NAMES[3] = { "rrset", "rdata", "names" };
static const enum rv_db DBS[3] = { RV_DB_RRSET, RV_DB_RDATA, RV_DB_NAMES };


/* Row (k, v) of db into the batch b and into want[i]. */
static void
row(struct rvd_batch *b, int i, const struct rv_key *k, const uint8_t *v,
    size_t vlen)
{
	assert_int_equal(rvd_batch_row(b, DBS[i], k->buf, k->len, v, vlen,
	    ch_sample_sensor, NULL), RV_OK);
	assert_int_equal(rv_ch_row(&want[i], DBS[i], k->buf, k->len, v, vlen,
	    NULL, ch_sample_sensor, NULL, 1234), RV_OK);
}

/* Append the batch of three tables' rows (1 rrset, 2 rdata, 3 names) as
 * the flush writes it; want[] gets what their parts must carry. */
static void
append_three(void)
{
	uint8_t o[RV_NAME_MAX], z[RV_NAME_MAX], set[6] = { 0, 4, 192, 0, 2, 1 };
	uint8_t v[256];
	struct rv_rrset_val val = { 0 };
	struct rv_seen sn = { 10, 20, 3 };
	struct rvd_batch b = { 0 };
	struct iovec iov[2];
	struct rv_key k;
	size_t ol, zl;
	int i;

	for (i = 0; i < 3; i++)
		rv_chbuf_reset(&want[i]);
	rvd_batch_begin(&b, 1234);
	ch_sample_wire("www.example.com.", o, &ol);
	ch_sample_wire("example.com.", z, &zl);
	assert_int_equal(rv_key_rrset(&k, o, ol, 1, z, zl, rv_set_digest(set,
	    sizeof(set))), RV_OK);
	val.first = 1600000000; val.last = 1600000500; val.count = 7;
	val.ttl_min = 60; val.ttl_max = 300;
	val.nsens = 2; val.sensor[0] = 3; val.sensor[1] = 9;
	val.rdcount = 1; val.set = set; val.set_len = sizeof(set);
	rv_rrset_val_encode(&val, v);
	row(&b, 0, &k, v, rv_rrset_val_size(&val));
	rv_rdata_val_encode(&sn, v);
	for (i = 0; i < 2; i++) {
		struct rv_ip ip = { .family = 4, .addr = { 192, 0, 2, 1 } };

		ip.addr[3] = (uint8_t)(1 + i);
		assert_int_equal(rv_key_rdata_ip(&k, &ip, 1, o, ol), RV_OK);
		row(&b, 1, &k, v, RV_RDATA_VAL_SIZE);
	}
	rv_seen2_encode(&sn, v);
	for (i = 0; i < 3; i++) {
		char n[32];

		snprintf(n, sizeof(n), "n%d.example.com.", i);
		ch_sample_wire(n, o, &ol);
		assert_int_equal(rv_key_names(&k, o, ol), RV_OK);
		row(&b, 2, &k, v, RV_SEEN2_SIZE);
	}
	rvd_batch_iov(&b, iov);
	assert_int_equal(rvd_journal_appendv(journal, iov, 2), RV_OK);
	rvd_batch_free(&b);
}

static int
journal_empty(void *arg)
{
	struct rvd_journal_stats st;

	(void)arg;
	rvd_journal_stats(journal, &st);
	return st.batches == 0;
}

static int
retried_twice(void *arg)
{
	struct rv_sink_state st;

	(void)arg;
	return rv_sink_state_read(dir, &st) == RV_OK && st.retries >= 2;
}

static int
has_requests(void *arg)
{
	return fake_nreq(&fake) >= *(int *)arg;
}

/* Poll pred for up to WAIT_S seconds. */
static void
wait_until(int (*pred)(void *), void *arg)
{
	struct timespec t = { 0, 20 * 1000000L };
	int i;

	for (i = 0; i < WAIT_S * 50 && !pred(arg); i++)
		nanosleep(&t, NULL);
	assert_true(pred(arg));
}

static uint64_t
waiting(void)
{
	struct rvd_journal_stats st;

	rvd_journal_stats(journal, &st);
	return st.batches;
}

/* The last request to table i has want[i], gzip-encoded. */
static void
assert_part(int i)
{
	size_t len = want[i].len;
	const struct req *r = NULL;
	char q[128];
	int k;

	snprintf(q, sizeof(q), "INSERT INTO db.%s_ingest FORMAT RowBinary",
	    NAMES[i]);
	for (k = 0; k < fake.nreq; k++)
		if (strcmp(fake.reqs[k].query, q) == 0)
			r = &fake.reqs[k];
	if (r == NULL)
		fail_msg("nothing posted to %s", NAMES[i]);
	else
		assert_true(r->gzip);
	assert_int_equal(r ? r->len : 0, len);
	assert_memory_equal(r ? r->body : NULL, want[i].p, len);
}

/* ---- tests ---- */

static void
test_three_parts(void **state)
{
	struct rvd_sink_sender *s;
	struct rv_sink_state st;
	int i;

	(void)state;
	fake_start(&fake, -1);
	s = start(fake.port);
	append_three();
	rvd_sink_sender_kick(s);
	wait_until(journal_empty, NULL);
	rvd_sink_sender_stop(s);
	assert_int_equal(fake.nreq, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(fake_count(&fake, NAMES[i]), 1);
		assert_part(i);
	}
	assert_int_equal(rv_sink_state_read(dir, &st), RV_OK);
	assert_int_equal(st.sent_batches, 1);
	assert_int_equal(st.sent_parts, 3);
	assert_int_equal(st.sent_rows, 6);
	assert_int_equal(st.retries, 0);
	assert_true(st.last_ok > 0);
	assert_string_equal(st.last_error, "");
}

static void
test_retry(void **state)
{
	struct rvd_sink_sender *s;
	struct rv_sink_state st;
	int i;

	(void)state;
	fake.script[0] = 200;	/* part 1 goes in, part 2 fails */
	fake.nscript = 1;
	fake.dflt = 500;
	fake_start(&fake, -1);
	append_three();
	s = start(fake.port);
	wait_until(retried_twice, NULL);
	assert_int_equal(waiting(), 1);	/* not acknowledged yet */
	assert_int_equal(rv_sink_state_read(dir, &st), RV_OK);
	assert_string_equal(st.last_error, "HTTP 500: Code: 241, "
	    "e.displayText() = DB::Exception: Memory limit exceeded");
	assert_int_equal(st.sent_parts, 1);
	fake_set(&fake, &fake.dflt, 200);
	wait_until(journal_empty, NULL);
	rvd_sink_sender_stop(s);
	assert_int_equal(fake_count(&fake, NAMES[0]), 1);
	assert_true(fake_count(&fake, NAMES[1]) >= 3);
	assert_int_equal(fake_count(&fake, NAMES[2]), 1);
	for (i = 0; i < 3; i++)
		assert_part(i);
	assert_int_equal(rv_sink_state_read(dir, &st), RV_OK);
	assert_int_equal(st.retries, (uint64_t)fake_count(&fake, NAMES[1]) - 1);
	assert_int_equal(st.sent_batches, 1);
	assert_int_equal(st.sent_parts, 3);
}

static void
test_progress_across_restart(void **state)
{
	struct rvd_sink_sender *s;
	char path[128];
	int two = 2;

	(void)state;
	fake.script[0] = 200;
	fake.nscript = 1;
	fake.dflt = 500;
	fake_start(&fake, -1);
	append_three();
	s = start(fake.port);
	wait_until(has_requests, &two);	/* part 1 in, part 2 refused */
	rvd_sink_sender_stop(s);
	assert_int_equal(waiting(), 1);
	fake_set(&fake, &fake.dflt, 200);
	s = start(fake.port);
	wait_until(journal_empty, NULL);
	rvd_sink_sender_stop(s);
	assert_int_equal(fake_count(&fake, NAMES[0]), 1);
	assert_true(fake_count(&fake, NAMES[1]) >= 2);
	assert_int_equal(fake_count(&fake, NAMES[2]), 1);
	assert_part(1);
	assert_part(2);
	snprintf(path, sizeof(path), "%s/progress", dir);
	assert_int_equal(access(path, F_OK), -1);	/* cleared */
}

static void
test_refused_then_up(void **state)
{
	struct rvd_sink_sender *s;
	struct rv_sink_state st;
	int fd = bound_socket();

	(void)state;
	append_three();
	s = start(port_of(fd));
	wait_until(retried_twice, NULL);
	assert_int_equal(waiting(), 1);
	assert_int_equal(rv_sink_state_read(dir, &st), RV_OK);
	assert_int_equal(st.sent_parts, 0);
	assert_string_not_equal(st.last_error, "");
	fake_start(&fake, fd);
	wait_until(journal_empty, NULL);
	rvd_sink_sender_stop(s);
	assert_int_equal(fake.nreq, 3);
	assert_part(0);
	assert_int_equal(rv_sink_state_read(dir, &st), RV_OK);
	assert_int_equal(st.sent_batches, 1);
}

static void
test_corrupt_dropped(void **state)
{
	/* "RVB1", version, nrows, nnames, names, then rows: u8 db,
	 * u16 klen, u32 vlen, key, value */
#define H(rows, names) "RVB1\0\0\0\0\0\0\0" rows "\0" names
	static const struct {
		const char *b;
		size_t len;
	} corrupt[] = {
		{ "RVB2\0\0\0\0\0\0\0\0\0\0", 14 },	/* not the magic */
		{ H("\0", "\1") "\0\3\5ab", 19 },	/* a name past the end */
		{ H("\1", "\0") "\0\0\x09\0\0\0\0k", 22 },	/* a key past it */
		{ H("\1", "\0") "\7\0\1\0\0\0\0k", 22 },	/* meta */
		{ H("\1", "\0") "\0\0\1\0\0\0\1kv", 23 },	/* not an rrset */
		{ H("\1", "\0") "\0\0", 16 },		/* a row cut short */
		{ H("\1", "\0"), 14 },		/* a row missing */
	};
#undef H
	struct rvd_sink_sender *s;
	struct rv_sink_state st;
	size_t i;

	(void)state;
	fake_start(&fake, -1);
	for (i = 0; i < sizeof(corrupt) / sizeof(corrupt[0]); i++)
		assert_int_equal(rvd_journal_append(journal, corrupt[i].b,
		    corrupt[i].len), RV_OK);
	append_three();
	s = start(fake.port);
	wait_until(journal_empty, NULL);
	rvd_sink_sender_stop(s);
	assert_int_equal(fake.nreq, 3);
	for (i = 0; i < 3; i++)
		assert_part((int)i);
	assert_int_equal(rv_sink_state_read(dir, &st), RV_OK);
	assert_int_equal(st.corrupt_batches, sizeof(corrupt) /
	    sizeof(corrupt[0]));
	assert_int_equal(st.sent_batches, 1);
}

static void
test_stop_while_hanging(void **state)
{
	struct timespec t0, t1;
	struct rvd_sink_sender *s;
	int one = 1;

	(void)state;
	fake.hang = 1;
	fake_start(&fake, -1);
	append_three();
	s = start(fake.port);
	wait_until(has_requests, &one);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rvd_sink_sender_stop(s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 20);	/* not the 30 s timeout */
	assert_int_equal(waiting(), 1);
}

/* New batches (a kick per flush) do not cut a backoff short: a ClickHouse
 * that is down costs a retry per pause, not a retry per flush. */
static void
test_kicks_keep_the_backoff(void **state)
{
	struct rvd_sink_sender *s;
	struct rv_sink_state st;
	int fd = bound_socket();	/* connections refused */

	(void)state;
	append_three();
	s = start(port_of(fd));
	for (int i = 0; i < 100; i++) {
		append_three();
		rvd_sink_sender_kick(s);
		usleep(10000);
	}
	rvd_sink_sender_stop(s);
	close(fd);
	assert_int_equal(rv_sink_state_read(dir, &st), RV_OK);
	assert_true(st.retries >= 1);
	/* pauses of 0.1, 0.2, 0.4 ... 5 s: a handful, however slow the
	 * machine; woken by each kick it would be about 100 */
	if (st.retries >= 50)
		fail_msg("%llu retries for 100 kicks",
		    (unsigned long long)st.retries);
	assert_int_equal(waiting(), 101);
}

static const char *
sensor_s(void *arg, uint16_t id)
{
	static char n[16];

	(void)arg;
	snprintf(n, sizeof(n), "s%u", id);
	return id % 7 == 0 ? NULL : n;	/* some unknown: "#ID" */
}

/* A batch naming many sensors (past the encoder's index threshold) reads
 * back as rv_ch_row encodes the rows with the store's names. */
static void
test_batch_many_sensors(void **state)
{
	uint8_t o[RV_NAME_MAX], z[RV_NAME_MAX], set[6] = { 0, 4, 192, 0, 2, 1 };
	uint8_t v[256], *flat;
	struct rv_chbuf direct = { 0 }, tab[RV_DB_COUNT];
	struct rvd_batch b = { 0 };
	struct iovec iov[2];
	struct rv_key k;
	size_t ol, zl;

	(void)state;
	memset(tab, 0, sizeof(tab));
	ch_sample_wire("example.com.", z, &zl);
	rvd_batch_begin(&b, 7);
	for (unsigned i = 0; i < 48; i++) {	/* 48 + 3 sensors */
		struct rv_rrset_val val = { 0 };
		char n[32];

		snprintf(n, sizeof(n), "h%u.example.com.", i);
		ch_sample_wire(n, o, &ol);
		assert_int_equal(rv_key_rrset(&k, o, ol, 1, z, zl,
		    rv_set_digest(set, sizeof(set))), RV_OK);
		val.first = 1; val.last = 2; val.count = 1;
		val.nsens = 2;
		val.sensor[0] = (uint16_t)i;
		val.sensor[1] = (uint16_t)(60000 + i % 3);
		val.rdcount = 1; val.set = set; val.set_len = sizeof(set);
		rv_rrset_val_encode(&val, v);
		assert_int_equal(rvd_batch_row(&b, RV_DB_RRSET, k.buf, k.len, v,
		    rv_rrset_val_size(&val), sensor_s, NULL), RV_OK);
		assert_int_equal(rv_ch_row(&direct, RV_DB_RRSET, k.buf, k.len,
		    v, rv_rrset_val_size(&val), NULL, sensor_s, NULL, 7), RV_OK);
	}
	rvd_batch_iov(&b, iov);
	assert_non_null(flat = malloc(iov[0].iov_len + iov[1].iov_len));
	memcpy(flat, iov[0].iov_base, iov[0].iov_len);
	memcpy(flat + iov[0].iov_len, iov[1].iov_base, iov[1].iov_len);
	assert_int_equal(rvd_batch_encode(flat, iov[0].iov_len +
	    iov[1].iov_len, NULL, tab), RV_OK);
	assert_int_equal(tab[RV_DB_RRSET].rows, 48);
	assert_int_equal(tab[RV_DB_RRSET].len, direct.len);
	assert_memory_equal(tab[RV_DB_RRSET].p, direct.p, direct.len);
	/* cut anywhere, the batch is refused, never misread */
	for (size_t cut = 0; cut < iov[0].iov_len + iov[1].iov_len; cut++)
		if (rvd_batch_encode(flat, cut, NULL, tab) != RV_ECORRUPT)
			fail_msg("a batch cut at %zu read", cut);
	free(flat);
	rvd_batch_free(&b);
	rv_chbuf_free(&direct);
	for (int d = 0; d < RV_DB_COUNT; d++)
		rv_chbuf_free(&tab[d]);
}

static void
test_state_file_untrusted(void **state)
{
	static const char *const bad[] = {
		"retries x\n", "retries\n", "retries 1", "retries 1x\n",
		"retries 18446744073709551616\n", "retries -1\n",
	};
	struct rv_sink_state st;
	char path[128];
	FILE *f;
	size_t i;

	(void)state;
	snprintf(path, sizeof(path), "%s/state", dir);
	assert_int_equal(rv_sink_state_read(dir, &st), RV_ENOENT);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_non_null(f = fopen(path, "w"));
		fputs(bad[i], f);
		fclose(f);
		if (rv_sink_state_read(dir, &st) != RV_ECORRUPT)
			fail_msg("accepted %s", bad[i]);
	}
	assert_non_null(f = fopen(path, "w"));
	for (i = 0; i < 5000; i++)
		fputc('x', f);
	fclose(f);
	assert_int_equal(rv_sink_state_read(dir, &st), RV_ECORRUPT);
	assert_non_null(f = fopen(path, "w"));
	fputs("retries 7\nfuture_key 1\nlast_error HTTP 500: boom\n", f);
	fclose(f);
	assert_int_equal(rv_sink_state_read(dir, &st), RV_OK);
	assert_int_equal(st.retries, 7);
	assert_string_equal(st.last_error, "HTTP 500: boom");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_three_parts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_progress_across_restart,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_then_up, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_dropped, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stop_while_hanging, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kicks_keep_the_backoff,
		    setup, teardown),
		cmocka_unit_test(test_batch_many_sensors),
		cmocka_unit_test_setup_teardown(test_state_file_untrusted,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
