/**
 * \file sv.h
 * `rearview serve`: the service's configuration and state, shared by its
 * files (sv_main.c options and start-up, sv_http.c requests and routes,
 * sv_stream.c the result streams, sv_query.c the queries).
 *
 * Threads: libmicrohttpd runs a thread per connection (a slow client or a
 * long stream holds only its own); each query runs in a thread of its own
 * (sv_stream.c) that writes into a bounded queue the connection's thread
 * drains. The store is opened once, read-only; every query has its own
 * read transaction (the store's read transactions belong to no thread).
 */
#ifndef SV_H
#define SV_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "rv_store.h"
#include "sv_keys.h"
#include "sv_req.h"

#define SV_LISTEN_MAX 8

struct sv_conf {
	const char *db;			/**< database directory */
	const char *listen[SV_LISTEN_MAX];	/**< ADDR:PORT, [V6]:PORT */
	unsigned nlisten;
	const char *keys;		/**< keys file; NULL: loopback only */
	const char *tls_cert, *tls_key;	/**< PEM files */
	int insecure_http;		/**< plain HTTP off loopback allowed */
	unsigned threads;		/**< queries running at once */
	unsigned max_conn;		/**< connections at once */
	unsigned timeout;		/**< idle connection, seconds */
	uint64_t limit_default;		/**< DNSDB's default limit */
	uint64_t limit_max;		/**< limit=0 and the clamp */
	uint64_t offset_max;		/**< a larger offset is 416 */
	unsigned ongoing_ms;		/**< keep-alive line after this long
					 * without a row */
	unsigned txn_ms;		/**< a stream renews its read
					 * transaction after this long */
	const char *origin;		/**< CIRCL's "origin" */
	const char *access_log;		/**< file; NULL: stderr */
	const char *watch;		/**< watch list for phishing and
					 * verdicts (NULL: the default) */
};

struct sv {
	struct sv_conf c;
	struct rv_store *st;
	struct sv_keys *keys;		/**< NULL: no keys, loopback only */
	void *psl;			/**< psl_ctx_t: the tunnel report's
					 * registered domains */
	struct rvq_watch *watch;	/**< --watch FILE (or empty) */
	struct rvq_phish *phish;	/**< the lookalike engine on it */
	FILE *log;			/**< access and error log */
	pthread_mutex_t mu;		/**< guards running and log lines */
	unsigned running;		/**< queries running now */
	uint64_t served;		/**< requests answered */
};

/** Write one log line (a newline is added), under sv->mu. */
void sv_log(struct sv *sv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Start the listeners and serve until SIGINT or SIGTERM. \return 0, or
 * an error after saying what on stderr. */
int sv_http_run(struct sv *sv);

/** Milliseconds on the monotonic clock. */
uint64_t sv_now_ms(void);

#endif
