/**
 * \file fstrm_server.h
 * A Frame Streams (fstrm) receiver that listens: unix and TCP sockets,
 * one thread, one poll() loop serving every connection.
 *
 * Senders (resolvers emitting dnstap) connect to rearviewd. A
 * bidirectional sender sends READY with its content types, is answered
 * ACCEPT with ours, sends START, data frames and STOP, and is answered
 * FINISH; a unidirectional one starts with START and ends with STOP. Every
 * socket is nonblocking and each connection reads at most its buffer per
 * turn, so a slow or stalled sender holds no other back. A connection's
 * buffer grows only to the frame it is reading, never past max_frame plus
 * the length prefix; connections are capped at max_conns (more are
 * accepted and closed at once, counted), so the memory is bounded by
 * max_conns * max_frame. A frame over max_frame, a bad or unexpected
 * control frame, a data frame before START, or a handshake not done in
 * handshake_ms closes the connection and is counted; a disconnect in the
 * middle of a frame is counted too.
 *
 * Data frames go to the callback, in the server's thread, with who sent
 * them; the payload is valid during the call only.
 */
#ifndef RVD_FSTRM_SERVER_H
#define RVD_FSTRM_SERVER_H

#include <stddef.h>
#include <stdint.h>

/** Frame Streams control frame types. */
enum {
	RVD_FSTRM_ACCEPT = 0x01,
	RVD_FSTRM_START = 0x02,
	RVD_FSTRM_STOP = 0x03,
	RVD_FSTRM_READY = 0x04,
	RVD_FSTRM_FINISH = 0x05,
};
/** The only control field type: a content type. */
#define RVD_FSTRM_FIELD_CONTENT_TYPE 0x01
/** The largest control frame (fstrm's own limit). */
#define RVD_FSTRM_CONTROL_MAX 512
/** The default largest data frame. */
#define RVD_FSTRM_FRAME_MAX ((size_t)1 << 20)
#define RVD_FSTRM_LISTEN_MAX 16

/** Who sent a frame. */
struct rvd_fstrm_peer {
	uint64_t conn;		/**< connection number, from 1 */
	const char *who;	/**< "ADDR:PORT", or "unix peer pid N uid N" */
	const char *url;	/**< the listener it came in on */
};

/** Called with each data frame (in the server's thread). */
typedef void (*rvd_fstrm_frame_fn)(void *arg,
    const struct rvd_fstrm_peer *peer, const uint8_t *data, size_t len);

/** Called in the server's thread when every frame read so far has been
 * given to on_frame: before it waits for more, and before it answers a
 * STOP with FINISH. A consumer that batches frames hands them on here. */
typedef void (*rvd_fstrm_idle_fn)(void *arg);

struct rvd_fstrm_opts {
	const char *content_type;	/**< e.g. "protobuf:dnstap.Dnstap" */
	size_t max_frame;		/**< 0: RVD_FSTRM_FRAME_MAX */
	size_t max_conns;		/**< 0: 64 */
	unsigned handshake_ms;		/**< START within this; 0: 10000 */
	unsigned unix_mode;		/**< unix sockets' mode; 0: 0660 */
	const char *unix_group;		/**< their group, or NULL */
	int allow_remote_tcp;		/**< tcp:// on a non-loopback address */
	rvd_fstrm_frame_fn on_frame;
	rvd_fstrm_idle_fn on_idle;	/**< or NULL */
	void *arg;
};

/** Counters (read with rvd_fstrm_server_stats at any time). */
struct rvd_fstrm_stats {
	uint64_t connections;	/**< accepted */
	uint64_t refused;	/**< closed at once: over max_conns */
	uint64_t active;	/**< open now */
	uint64_t frames;	/**< data frames handed to the callback */
	uint64_t bytes;		/**< their payload octets */
	uint64_t bad_frames;	/**< oversized, bad or unexpected control
				 * frames, data before START */
	uint64_t truncated;	/**< connections that ended mid-frame */
	uint64_t timeouts;	/**< handshakes not done in time */
	uint64_t closed_error;	/**< connections closed for any error above
				 * (or a read/write error) */
	uint64_t closed_clean;	/**< ended by STOP (and FINISH) */
	uint64_t closed_eof;	/**< ended by the peer between frames */
};

struct rvd_fstrm_server;

/** A server with no listeners yet. \return RV_OK, RV_EINVAL, RV_ENOMEM,
 * RV_EIO (the stop pipe). */
int rvd_fstrm_server_new(const struct rvd_fstrm_opts *o,
    struct rvd_fstrm_server **out);

/**
 * Listen on "unix:PATH" (also "unix://PATH") or "tcp://ADDR:PORT"
 * ("[V6]:PORT"; port 0 picks one, see rvd_fstrm_server_port). A unix
 * socket's directory is created if missing, a stale socket file (nobody
 * listening) is replaced, and the file gets the mode and group of the
 * options before anyone can connect. Before rvd_fstrm_server_start.
 * \return RV_OK, RV_EINVAL (bad URL, non-loopback TCP not allowed, no
 * such group), RV_EEXIST (a live socket or another file at PATH), RV_EIO.
 */
int rvd_fstrm_server_listen(struct rvd_fstrm_server *s, const char *url);

/** The local port of the i-th listener (TCP), or 0. */
unsigned rvd_fstrm_server_port(const struct rvd_fstrm_server *s, size_t i);

/** Start the server's thread. \return RV_OK, RV_ESTATE, RV_EIO. */
int rvd_fstrm_server_start(struct rvd_fstrm_server *s);

/** Stop the thread (if started) and close every connection; the counters
 * stay readable. */
void rvd_fstrm_server_stop(struct rvd_fstrm_server *s);

/** Stop the thread (if started), close every connection and listener,
 * remove the unix socket files made, free. Safe on NULL. */
void rvd_fstrm_server_free(struct rvd_fstrm_server *s);

/** A snapshot of the counters (any thread). */
void rvd_fstrm_server_stats(const struct rvd_fstrm_server *s,
    struct rvd_fstrm_stats *out);

#endif
