/**
 * \file sv_stream.h
 * A result stream: a producer thread writes lines through a FILE into a
 * bounded queue; the connection's thread drains it as the client reads
 * (libmicrohttpd's content reader). A full queue blocks the producer
 * (backpressure: memory stays bounded whatever the result's size); a
 * client that goes away cancels it, and its next write fails.
 *
 * While the producer finds nothing for ongoing_ms, the reader sends the
 * keep-alive line (DNSDB's {"cond":"ongoing"}) between whole lines.
 * (A DNSDB lookup's producer hands its rows to a formatter thread of its
 * own, serve/sv_fmt.h, which then does the writing.)
 *
 * Ownership: sv_stream_start gives the caller (the request) a reference;
 * the response takes another (sv_stream_ref); whoever drops the last joins
 * the producer and frees everything, arg included (with arg_free).
 */
#ifndef SV_STREAM_H
#define SV_STREAM_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct sv_stream;

/** The producer: write through fp, stop soon once sv_stream_cancelled. */
typedef void (*sv_produce_fn)(struct sv_stream *s, FILE *fp, void *arg);

/**
 * Start a stream. \p keepalive may be NULL (no keep-alive lines).
 * \return 0, RV_ENOMEM, RV_EIO (no thread).
 */
int sv_stream_start(struct sv_stream **out, size_t queue_max,
    unsigned ongoing_ms, const char *keepalive, sv_produce_fn fn, void *arg,
    void (*arg_free)(void *));

/** Wait until the producer has queued output or ended. \return 1 when it
 * ended having written nothing, else 0. */
int sv_stream_wait_first(struct sv_stream *s);

/** Wait until the producer has ended. */
void sv_stream_wait_done(struct sv_stream *s);

/** Take another reference. */
void sv_stream_ref(struct sv_stream *s);

/** The content reader (MHD_ContentReaderCallback). */
ssize_t sv_stream_read(void *cls, uint64_t pos, char *buf, size_t max);

/** Has the client gone (or the service stopped)? */
int sv_stream_cancelled(struct sv_stream *s);

/** Is the reader waiting for output? (Then flush after each line.) */
int sv_stream_hungry(struct sv_stream *s);

/** Stop the producer at its next write. */
void sv_stream_cancel(struct sv_stream *s);

/** Drop a reference; the last one joins and frees. (Also the response's
 * MHD_ContentReaderFreeCallback, which cancels first.) */
void sv_stream_release(struct sv_stream *s);
void sv_stream_response_free(void *cls);

/** Octets the client was given so far. */
uint64_t sv_stream_sent(struct sv_stream *s);

#endif
