/**
 * \file sender.h
 * The sender thread: drains the per-thread queues into frames and pushes
 * them to the indexer over nng, and reports the counters.
 *
 * It never makes a worker wait: workers only touch their own queue. Sends
 * are non-blocking; a frame nng cannot take (no peer connected, peer's
 * buffer full) is retried each tick for send_timeout_ms, during which the
 * queues absorb new records, and then dropped and counted. nng's dialers
 * reconnect by themselves, except when nng 1.5.2 gives one up for good
 * (see sender.c, links_watch): an endpoint without a connection for
 * rvm_sender_set_redial_after() gets a new dialer, counted in redials.
 *
 * A frame goes out when it holds batch_size records, when the next record
 * would make it larger than frame_size, or when its oldest record is
 * batch_delay_ms old. Every frame carries the boot id, the number of its
 * first record and the drop counters (lib/FRAME.md), so the indexer can
 * count every record lost after nng took it; the number advances only
 * when nng takes a frame, so a dropped frame is counted once, here.
 *
 * Knows nothing of Unbound: logging goes through a callback.
 */
#ifndef RVM_SENDER_H
#define RVM_SENDER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>

#include "conf.h"
#include "queue.h"
#include "rv_frame.h"

/** Log levels for the callback. */
enum rvm_log { RVM_LOG_ERR, RVM_LOG_INFO };

/** printf-like logger, must be thread-safe (Unbound's is). */
typedef void (*rvm_log_fn)(enum rvm_log level, const char *fmt, ...);

/** A snapshot of every counter, summed over the threads. */
struct rvm_stats {
	uint64_t responses, captured, dropped_queue, toobig, excluded;
	uint64_t timeouts, skipped;
	uint64_t sent, dropped_send, frames, bytes, send_errors;
	uint64_t queued_bytes;
	uint64_t close_abandoned;	/**< process-wide, over reloads */
	uint64_t redials;		/**< dialers made anew (links_watch) */
};

struct rvm_links;

struct rvm_sender {
	const struct rvm_conf *conf;	/**< borrowed, outlives the sender */
	struct rvm_queue *queues;	/**< borrowed array of nqueues */
	size_t nqueues;
	rvm_log_fn log;
	nng_socket sock;
	int sock_open;
	pthread_t thread;
	int thread_started;
	_Atomic int stop;
	/* Sender-thread state. */
	uint8_t *frame;
	struct rv_frame_enc enc;
	uint64_t frame_start_ms;	/**< when its first record came */
	int pending;			/**< a finished frame waits to go */
	uint64_t pending_since_ms;
	uint64_t next_log_ms, next_file_ms;
	int file_failed;	/**< the stats file's last write failed (and
				 * was logged, once) */
	size_t next_queue;		/**< round robin start */
	uint64_t boot;			/**< random, chosen at start, never 0 */
	uint64_t seq;			/**< records nng has taken (frame numbering) */
	struct rvm_links *links;	/**< the endpoints' dialers; owned, and
					 * freed after nng_close returns */
	uint64_t next_watch_ms;
	/* Sender counters (written by the sender thread only). */
	_Atomic uint64_t sent, dropped_send, frames, bytes, send_errors;
	_Atomic uint64_t redials;
};

/**
 * Open the nng socket, start the dialers (non-blocking: an absent indexer
 * is not an error) and the thread.
 * \param err	receives a message on failure
 * \return 0, RV_ENOMEM, RV_EIO (nng or thread error; err says which).
 *	On failure everything is undone.
 */
int rvm_sender_start(struct rvm_sender *s, const struct rvm_conf *conf,
    struct rvm_queue *queues, size_t nqueues, rvm_log_fn log, char *err,
    size_t errsz);

/**
 * Stop and join the thread after one last non-blocking flush, close the
 * socket, free the frame. Safe on a zeroed or stopped sender.
 *
 * The close is bounded by rvm_sender_set_close_wait(): nng_close runs on a
 * helper thread, and a close that misses the deadline is abandoned (the
 * socket and the helper live on, and free themselves if nng_close ever
 * returns), logged and counted in close_abandoned. Only a caller that keeps
 * this code and libnng mapped for the life of the process may set a
 * deadline, and it must then never call nng_fini.
 */
void rvm_sender_stop(struct rvm_sender *s);

/**
 * The deadline of every later rvm_sender_stop's close, process-wide.
 * \param ms	0 (the default): wait for nng_close however long it takes.
 */
void rvm_sender_set_close_wait(unsigned ms);

/**
 * How long an endpoint may go without a connection before its dialer is
 * replaced, process-wide (default 5000 ms; tests shorten it).
 */
void rvm_sender_set_redial_after(unsigned ms);

/** Sum the counters of the queues and the sender (any thread). */
void rvm_stats_collect(const struct rvm_sender *s, struct rvm_queue *queues,
    size_t nqueues, struct rvm_stats *st);

/** The counters as "name value" lines, for the stats file. */
int rvm_stats_format(const struct rvm_stats *st, const char *sensor,
    char *out, size_t outsz);

#endif
