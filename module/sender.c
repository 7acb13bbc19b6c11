/**
 * \file sender.c
 * The sender thread: queues -> frames -> nng PUSH; counters to the log and
 * to the stats file.
 */
#include "sender.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <nng/protocol/pipeline0/push.h>

#include "rv_err.h"

/* Sleep between queue scans when fewer than 64 records came: at most
 * 20 ms (a quarter of batch-delay if that is shorter). Every wake costs
 * the resolver's host a syscall and a scan whatever the load, so waking
 * rarely is what keeps the module cheap at ordinary rates; a 4 MiB queue
 * takes 20 ms of over a million records a second, and a busier queue is
 * drained without sleeping. */
#define TICK_MAX_MS 20
#define SENDBUF_MSGS 8		/* frames nng holds while no peer takes them */
#define RECONN_MIN_MS 100
#define RECONN_MAX_MS 2000
#define STATS_FILE_MS 1000	/* stats file refresh */
#define REDIAL_AFTER_MS 5000	/* an endpoint this long unconnected is
				 * dialed anew (links_watch) */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static uint64_t
get(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* Process-wide, not per sender: they outlive a reload (the module pins
 * itself in memory, see module.c). */
static _Atomic uint64_t closes_abandoned;	/* see close_bounded() */
static _Atomic unsigned close_wait_ms;		/* 0: wait for nng_close */
static _Atomic unsigned redial_after_ms = REDIAL_AFTER_MS;

/*
 * One per endpoint: its dialer and a live pipe of it, as nng's pipe
 * events report them. nng's threads run the pipe callback until nng_close
 * has returned, so the block is on the heap, not in the sender, and is
 * freed only after that (close_bounded).
 */
struct rvm_link {
	nng_dialer d;			/**< sender thread only */
	_Atomic int id;			/**< nng_dialer_id(d), -1: none */
	_Atomic uint32_t pipe;		/**< a pipe of d, 0: none */
	uint64_t down_since_ms;		/**< sender thread; 0: up */
	int said;			/**< this outage was logged */
	int broken;			/**< the first dial failed (bad URL or
					 * TLS file): said then, not retried */
};

struct rvm_links {
	size_t n;
	struct rvm_link l[RVM_ENDPOINTS_MAX];
};

/* --- counters ---------------------------------------------------------- */

void
rvm_stats_collect(const struct rvm_sender *s, struct rvm_queue *queues,
    size_t nqueues, struct rvm_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < nqueues; i++) {
		const struct rvm_pcount *c = &queues[i].count;

		st->responses += get(&c->responses);
		st->captured += get(&c->captured);
		st->dropped_queue += get(&c->dropped);
		st->toobig += get(&c->toobig);
		st->excluded += get(&c->excluded);
		st->timeouts += get(&c->timeouts);
		st->skipped += get(&c->skipped);
		st->queued_bytes += rvm_queue_used(&queues[i]);
	}
	if (s) {
		st->sent = get(&s->sent);
		st->dropped_send = get(&s->dropped_send);
		st->frames = get(&s->frames);
		st->bytes = get(&s->bytes);
		st->send_errors = get(&s->send_errors);
		st->redials = get(&s->redials);
	}
	st->close_abandoned = get(&closes_abandoned);
}

int
rvm_stats_format(const struct rvm_stats *st, const char *sensor, char *out,
    size_t outsz)
{
	int n = snprintf(out, outsz,
	    "sensor %s\n"
	    "responses %" PRIu64 "\n"
	    "captured %" PRIu64 "\n"
	    "sent %" PRIu64 "\n"
	    "dropped %" PRIu64 "\n"
	    "dropped_queue_full %" PRIu64 "\n"
	    "dropped_send %" PRIu64 "\n"
	    "toobig %" PRIu64 "\n"
	    "excluded %" PRIu64 "\n"
	    "timeouts %" PRIu64 "\n"
	    "skipped_local %" PRIu64 "\n"
	    "frames %" PRIu64 "\n"
	    "bytes %" PRIu64 "\n"
	    "send_errors %" PRIu64 "\n"
	    "queued_bytes %" PRIu64 "\n"
	    "close_abandoned %" PRIu64 "\n"
	    "redials %" PRIu64 "\n",
	    sensor, st->responses, st->captured, st->sent,
	    st->dropped_queue + st->dropped_send, st->dropped_queue,
	    st->dropped_send, st->toobig, st->excluded, st->timeouts,
	    st->skipped, st->frames, st->bytes, st->send_errors,
	    st->queued_bytes, st->close_abandoned, st->redials);

	return n < 0 || (size_t)n >= outsz ? RV_ETOOBIG : RV_OK;
}

/* Write the stats file atomically: a reader sees the old or the new. */
static void
write_stats_file(struct rvm_sender *s, const struct rvm_stats *st)
{
	char text[1024], tmp[4096];
	FILE *f;

	int ok = 0, e = 0;

	if (rvm_stats_format(st, s->conf->sensor, text, sizeof(text)) !=
	    RV_OK || (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp",
	    s->conf->stats_file) >= sizeof(tmp))
		return;
	if ((f = fopen(tmp, "w")) != NULL) {
		fputs(text, f);
		if (fclose(f) == 0 && rename(tmp, s->conf->stats_file) == 0)
			ok = 1;
		else
			e = errno;
		if (!ok)
			(void)remove(tmp);
	} else {
		e = errno;
	}
	/* A failure is said once (every second would flood the log), and
	 * again only after a write has worked in between. */
	if (!ok && !s->file_failed)
		s->log(RVM_LOG_ERR, "rearview: cannot write stats-file %s: %s "
		    "(it must be writable by Unbound's user, inside its "
		    "chroot if it has one); not said again until it works",
		    s->conf->stats_file, strerror(e));
	s->file_failed = !ok;
}

static void
report(struct rvm_sender *s, uint64_t now, int force)
{
	struct rvm_stats st;
	int do_log = s->conf->stats_interval_s &&
	    (force || now >= s->next_log_ms);
	int do_file = s->conf->stats_file && (force || now >= s->next_file_ms);

	if (!do_log && !do_file)
		return;
	rvm_stats_collect(s, s->queues, s->nqueues, &st);
	if (do_file) {
		write_stats_file(s, &st);
		s->next_file_ms = now + STATS_FILE_MS;
	}
	if (do_log) {
		s->log(RVM_LOG_INFO, "rearview: responses %" PRIu64
		    " captured %" PRIu64 " sent %" PRIu64 " dropped %" PRIu64
		    " (queue full %" PRIu64 ", send %" PRIu64 ") toobig %"
		    PRIu64 " excluded %" PRIu64 " timeouts %" PRIu64
		    " frames %" PRIu64 " bytes %" PRIu64, st.responses,
		    st.captured, st.sent, st.dropped_queue + st.dropped_send,
		    st.dropped_queue, st.dropped_send, st.toobig, st.excluded,
		    st.timeouts, st.frames, st.bytes);
		s->next_log_ms = now + (uint64_t)s->conf->stats_interval_s *
		    1000;
	}
}

/* --- frames ------------------------------------------------------------ */

static void
frame_reset(struct rvm_sender *s)
{
	(void)rv_frame_begin(&s->enc, s->frame, s->conf->frame_size,
	    s->conf->sensor, strlen(s->conf->sensor));
	s->pending = 0;
}

/* The frame's place in the stream and the drops so far (lib/FRAME.md).
 * Summing the queues' counters costs a load per worker thread, once per
 * frame. */
static void
stamp(struct rvm_sender *s)
{
	struct rv_frame_seq sq = { s->boot, s->seq, { 0, 0, 0 } };

	for (size_t i = 0; i < s->nqueues; i++) {
		sq.drops.queue_full += get(&s->queues[i].count.dropped);
		sq.drops.toobig += get(&s->queues[i].count.toobig);
	}
	sq.drops.send = get(&s->dropped_send);
	rv_frame_stamp(&s->enc, &sq);
}

/* Try to send the current frame. Returns 1 if the frame is gone (sent or
 * dropped) and a new one has begun, 0 if it is still pending. */
static int
flush(struct rvm_sender *s, uint64_t now)
{
	size_t len;
	int rv;

	if (s->enc.count == 0)
		return 1;
	len = rv_frame_finish(&s->enc);
	stamp(s);
	rv = nng_send(s->sock, s->frame, len, NNG_FLAG_NONBLOCK);
	if (rv == 0) {
		s->seq += s->enc.count;
		add(&s->sent, s->enc.count);
		add(&s->frames, 1);
		add(&s->bytes, len);
	} else if (rv == NNG_EAGAIN && (!s->pending ||
	    now - s->pending_since_ms < s->conf->send_timeout_ms)) {
		if (!s->pending) {
			s->pending = 1;
			s->pending_since_ms = now;
		}
		return 0;
	} else {
		if (rv != NNG_EAGAIN)
			add(&s->send_errors, 1);
		add(&s->dropped_send, s->enc.count);
	}
	frame_reset(s);
	return 1;
}

/*
 * Move records from the queues into the frame, sending full frames.
 * \return records moved.
 */
static size_t
drain(struct rvm_sender *s, uint64_t now)
{
	size_t moved = 0;

	for (size_t k = 0; k < s->nqueues; k++) {
		struct rvm_queue *q = &s->queues[(s->next_queue + k) %
		    s->nqueues];
		const uint8_t *rec;
		size_t len;

		while (rvm_queue_peek(q, &rec, &len)) {
			if (s->pending && !flush(s, now))
				goto leave;
			if (s->enc.count >= s->conf->batch_size ||
			    rv_frame_add_raw(&s->enc, rec, len) != RV_OK) {
				if (s->enc.count == 0) {
					/* Cannot fit an empty frame (the
					 * queue's max_record prevents it). */
					add(&s->dropped_send, 1);
					rvm_queue_pop(q, len);
					continue;
				}
				if (!flush(s, now))
					goto leave;
				continue;
			}
			if (s->enc.count == 1)
				s->frame_start_ms = now;
			rvm_queue_pop(q, len);
			moved++;
		}
	}
leave:
	s->next_queue = (s->next_queue + 1) % s->nqueues;
	return moved;
}

static void links_watch(struct rvm_sender *s, uint64_t now);

static void *
run(void *arg)
{
	struct rvm_sender *s = arg;
	unsigned tick = s->conf->batch_delay_ms / 4;
	uint64_t now;

	if (tick > TICK_MAX_MS)
		tick = TICK_MAX_MS;
	if (tick < 1)
		tick = 1;

	while (!atomic_load_explicit(&s->stop, memory_order_acquire)) {
		size_t moved;

		now = now_ms();
		moved = drain(s, now);
		if (s->enc.count > 0 && (s->pending ||
		    now - s->frame_start_ms >= s->conf->batch_delay_ms))
			(void)flush(s, now);
		report(s, now, 0);
		links_watch(s, now);
		if (moved < 64)
			sleep_ms(tick);
	}
	/* Last round: what is queued goes if nng takes it now. */
	now = now_ms();
	s->pending_since_ms = now - s->conf->send_timeout_ms;
	while (drain(s, now) > 0)
		;
	(void)flush(s, now + s->conf->send_timeout_ms);
	report(s, now, 1);
	return NULL;
}

/* --- start / stop ------------------------------------------------------ */

/* A boot id the indexer has not seen from this sensor: random, never 0
 * (0 marks an unsequenced sender). getrandom's urandom pool is ready long
 * before a resolver starts; if it fails, time and pid are unique enough
 * for telling restarts apart. */
static uint64_t
boot_id(void)
{
	uint64_t id = 0;
	struct timespec ts;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != (ssize_t)sizeof(id)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		id = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		id ^= (uint64_t)getpid() << 40;
	}
	return id ? id : 1;
}

/* nng's threads: note which pipe each of our dialers has. */
static void
pipe_event(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct rvm_links *ls = arg;
	int id = nng_dialer_id(nng_pipe_dialer(p));
	uint32_t pid = (uint32_t)nng_pipe_id(p), want = pid;

	if (id < 0)
		return;
	for (size_t k = 0; k < ls->n; k++) {
		struct rvm_link *l = &ls->l[k];

		if (atomic_load(&l->id) != id)
			continue;
		if (ev == NNG_PIPE_EV_ADD_POST)
			atomic_store(&l->pipe, pid);
		else
			(void)atomic_compare_exchange_strong(&l->pipe, &want,
			    0);
	}
}

/* Start endpoint k's dialer. Its id is known to pipe_event before it can
 * connect. */
static int
dial(struct rvm_sender *s, size_t k, char *err, size_t errsz)
{
	const struct rvm_conf *c = s->conf;
	const char *url = c->endpoints[k];
	struct rvm_link *l = &s->links->l[k];
	nng_dialer d;
	int rv;

	atomic_store(&l->id, -1);
	atomic_store(&l->pipe, 0);
	if ((rv = nng_dialer_create(&d, s->sock, url)) != 0)
		goto fail;
	if (strncmp(url, "tls+", 4) == 0) {
		if ((c->tls_ca_file && (rv = nng_dialer_set_string(d,
		    NNG_OPT_TLS_CA_FILE, c->tls_ca_file)) != 0) ||
		    (c->tls_cert_key_file && (rv = nng_dialer_set_string(d,
		    NNG_OPT_TLS_CERT_KEY_FILE, c->tls_cert_key_file)) != 0) ||
		    (c->tls_server_name && (rv = nng_dialer_set_string(d,
		    NNG_OPT_TLS_SERVER_NAME, c->tls_server_name)) != 0)) {
			nng_dialer_close(d);
			goto fail;
		}
	}
	atomic_store(&l->id, nng_dialer_id(d));
	/* Non-blocking: the first connect happens in the background, and
	 * nng keeps redialing while the indexer is away. */
	if ((rv = nng_dialer_start(d, NNG_FLAG_NONBLOCK)) != 0) {
		atomic_store(&l->id, -1);
		nng_dialer_close(d);
		goto fail;
	}
	l->d = d;
	return RV_OK;
fail:
	snprintf(err, errsz, "endpoint %s: %s", url, nng_strerror(rv));
	return RV_EIO;
}

void
rvm_sender_set_redial_after(unsigned ms)
{
	atomic_store_explicit(&redial_after_ms, ms ? ms : 1,
	    memory_order_relaxed);
}

/*
 * nng 1.5.2 maps EPIPE to NNG_ECLOSED, and its dialer takes NNG_ECLOSED
 * from a connect attempt as the application closing it: it never dials
 * again (src/core/dialer.c, dialer_connect_cb). A unix socket connect that
 * lands in the backlog of an indexer as it is killed gets exactly that on
 * the SP header, and nothing would be sent until Unbound restarts. So an
 * endpoint without a pipe for redial_after_ms gets a new dialer; a healthy
 * one retries every RECONN_MAX_MS at most, so this only adds a connect
 * attempt while the indexer is away. Said once per outage.
 */
static void
links_watch(struct rvm_sender *s, uint64_t now)
{
	unsigned after = atomic_load_explicit(&redial_after_ms,
	    memory_order_relaxed);
	char err[256];

	if (now < s->next_watch_ms)
		return;
	s->next_watch_ms = now + (after >= 4 ? after / 4 : 1);
	for (size_t k = 0; k < s->links->n; k++) {
		struct rvm_link *l = &s->links->l[k];
		nng_pipe p = { .id = atomic_load(&l->pipe) };
		int id = atomic_load(&l->id), first;

		if (l->broken)
			continue;
		if (p.id != 0 && id >= 0 && nng_dialer_id(nng_pipe_dialer(p))
		    == id) {
			l->down_since_ms = 0;
			l->said = 0;
			continue;
		}
		if (l->down_since_ms == 0) {
			l->down_since_ms = now;
			continue;
		}
		if (now - l->down_since_ms < after)
			continue;
		if ((first = !l->said))
			s->log(RVM_LOG_INFO, "rearview: %s: no connection for "
			    "%" PRIu64 " ms, dialing anew until one is made",
			    s->conf->endpoints[k], now - l->down_since_ms);
		l->said = 1;
		l->down_since_ms = now;
		if (id >= 0) {
			atomic_store(&l->id, -1);
			nng_dialer_close(l->d);
		}
		/* Counted before the dialer starts: it connects in nng's
		 * threads, and whoever sees a record it carried must see
		 * the count too. */
		add(&s->redials, 1);
		if (dial(s, k, err, sizeof(err)) != RV_OK && first)
			s->log(RVM_LOG_ERR, "rearview: %s", err);
	}
}

int
rvm_sender_start(struct rvm_sender *s, const struct rvm_conf *conf,
    struct rvm_queue *queues, size_t nqueues, rvm_log_fn log, char *err,
    size_t errsz)
{
	int rc = RV_OK, rv, dialed = 0;

	memset(s, 0, sizeof(*s));
	s->conf = conf;
	s->queues = queues;
	s->nqueues = nqueues;
	s->log = log;
	atomic_init(&s->stop, 0);
	if ((s->frame = malloc(conf->frame_size)) == NULL) {
		snprintf(err, errsz, "out of memory");
		rc = RV_ENOMEM;
		goto leave;
	}
	frame_reset(s);
	s->boot = boot_id();
	if ((rv = nng_push0_open(&s->sock)) != 0) {
		snprintf(err, errsz, "nng_push0_open: %s", nng_strerror(rv));
		rc = RV_EIO;
		goto leave;
	}
	s->sock_open = 1;
	(void)nng_socket_set_int(s->sock, NNG_OPT_SENDBUF, SENDBUF_MSGS);
	(void)nng_socket_set_ms(s->sock, NNG_OPT_RECONNMINT, RECONN_MIN_MS);
	(void)nng_socket_set_ms(s->sock, NNG_OPT_RECONNMAXT, RECONN_MAX_MS);
	if ((s->links = calloc(1, sizeof(*s->links))) == NULL) {
		snprintf(err, errsz, "out of memory");
		rc = RV_ENOMEM;
		goto leave;
	}
	s->links->n = conf->nendpoints;
	if ((rv = nng_pipe_notify(s->sock, NNG_PIPE_EV_ADD_POST, pipe_event,
	    s->links)) != 0 || (rv = nng_pipe_notify(s->sock,
	    NNG_PIPE_EV_REM_POST, pipe_event, s->links)) != 0) {
		snprintf(err, errsz, "nng_pipe_notify: %s", nng_strerror(rv));
		rc = RV_EIO;
		goto leave;
	}
	for (size_t i = 0; i < conf->nendpoints; i++) {
		/* One bad endpoint is logged; the others still work. */
		if (dial(s, i, err, errsz) == RV_OK) {
			dialed++;
		} else {
			s->links->l[i].broken = 1;
			log(RVM_LOG_ERR, "rearview: %s", err);
		}
	}
	if (dialed == 0) {
		snprintf(err, errsz, "no usable endpoint");
		rc = RV_EIO;
		goto leave;
	}
	if ((rv = pthread_create(&s->thread, NULL, run, s)) != 0) {
		snprintf(err, errsz, "pthread_create: %s", strerror(rv));
		rc = RV_EIO;
		goto leave;
	}
	s->thread_started = 1;
leave:
	if (rc != RV_OK)
		rvm_sender_stop(s);
	return rc;
}

/* --- a close with a deadline ------------------------------------------ */

/* nng 1.5.2's nng_close waits for every pipe to finish, and a pipe whose
 * peer stopped reading mid-frame may never finish (nanomsg/nng#1219).
 * The close runs on a helper thread; the caller waits at most a deadline,
 * then abandons it: the helper goes on (its code must stay mapped: the
 * caller pinned the library) and frees the shared block when nng_close
 * returns, if ever. Whichever side finishes last frees it, and with it
 * the links block nng's pipe callback may still use until then. */
struct closer {
	nng_socket sock;
	struct rvm_links *links;
	rvm_log_fn log;
	pthread_mutex_t mu;
	pthread_cond_t cv;		/**< CLOCK_MONOTONIC */
	int done;			/**< nng_close returned */
	int abandoned;			/**< the caller stopped waiting */
	uint64_t start_ms;
};

void
rvm_sender_set_close_wait(unsigned ms)
{
	atomic_store_explicit(&close_wait_ms, ms, memory_order_relaxed);
}

static void
closer_free(struct closer *c)
{
	free(c->links);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static void *
closer_run(void *arg)
{
	struct closer *c = arg;
	int last;

	nng_close(c->sock);
	pthread_mutex_lock(&c->mu);
	c->done = 1;
	last = c->abandoned;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	if (last) {
		c->log(RVM_LOG_INFO, "rearview: an abandoned nng close "
		    "finished after %" PRIu64 " ms", now_ms() - c->start_ms);
		closer_free(c);
	}
	return NULL;
}

/*
 * Close \p sock, waiting at most \p wait_ms (0: however long it takes),
 * and free \p links once it is closed.
 * \return 1 if the close was abandoned (it may still finish later).
 */
static int
close_bounded(nng_socket sock, struct rvm_links *links, unsigned wait_ms,
    rvm_log_fn log)
{
	struct closer *c = NULL;
	pthread_condattr_t ca;
	struct timespec dl;
	pthread_t t;
	int abandoned = 0, rv = 0;

	if (wait_ms == 0 || (c = calloc(1, sizeof(*c))) == NULL)
		goto direct;
	c->sock = sock;
	c->links = links;
	c->log = log;
	c->start_ms = now_ms();
	if (pthread_condattr_init(&ca) != 0) {
		free(c);
		goto direct;
	}
	(void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rv = pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rv != 0) {
		free(c);
		goto direct;
	}
	pthread_mutex_init(&c->mu, NULL);
	if (pthread_create(&t, NULL, closer_run, c) != 0) {
		c->links = NULL;
		closer_free(c);
		goto direct;
	}
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += wait_ms / 1000;
	dl.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->mu);
	while (!c->done)	/* 0 is a wakeup; anything else ends the wait */
		if (pthread_cond_timedwait(&c->cv, &c->mu, &dl) != 0)
			break;
	if (!c->done)
		c->abandoned = abandoned = 1;
	pthread_mutex_unlock(&c->mu);
	if (abandoned) {
		/* The helper owns c now. */
		pthread_detach(t);
		add(&closes_abandoned, 1);
		log(RVM_LOG_ERR, "rearview: nng_close did not finish in %u ms "
		    "(the indexer stopped reading?): socket abandoned, %"
		    PRIu64 " so far", wait_ms, get(&closes_abandoned));
	} else {
		pthread_join(t, NULL);
		closer_free(c);
	}
	return abandoned;
direct:
	nng_close(sock);
	free(links);
	return 0;
}

void
rvm_sender_stop(struct rvm_sender *s)
{
	if (s->thread_started) {
		atomic_store_explicit(&s->stop, 1, memory_order_release);
		pthread_join(s->thread, NULL);
		s->thread_started = 0;
	}
	if (s->sock_open) {
		(void)close_bounded(s->sock, s->links, atomic_load_explicit(
		    &close_wait_ms, memory_order_relaxed), s->log);
		s->sock_open = 0;
	} else {
		free(s->links);
	}
	s->links = NULL;
	free(s->frame);
	s->frame = NULL;
}
