/**
 * \file fstrm_server.c
 * The Frame Streams receiver (fstrm_server.h): listeners, one poll() loop,
 * a small state machine per connection.
 *
 * On the wire (the Frame Streams protocol, as libfstrm speaks it): a data
 * frame is a 32-bit big-endian length (not 0) and that many octets; a
 * control frame is a 0 "escape", a 32-bit length (at most 512) and the
 * control frame: a 32-bit type and fields, each a 32-bit type, a 32-bit
 * length and its octets. Content type is the only field.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "fstrm_server.h"
#include "log.h"
#include "rv_err.h"

#define BUF_INIT ((size_t)64 << 10)	/* a connection's first buffer */
#define ACCEPT_BURST 16			/* accepts per listener per turn */
#define OUT_MAX (2 * (8 + RVD_FSTRM_CONTROL_MAX))

enum cstate {
	S_INIT,		/* nothing yet: READY (bidirectional) or START */
	S_ACCEPTED,	/* READY answered by ACCEPT: START next */
	S_STARTED,	/* data frames, then STOP */
	S_FINISHING,	/* STOP answered by FINISH: close once it is out */
};

struct lsn {
	int fd;
	int is_unix;
	char *url;
	char *path;		/* unix: the file made, removed at the end */
	dev_t dev;
	ino_t ino;
	unsigned port;
};

struct conn {
	int fd;
	int dead;
	uint64_t id;
	size_t lsn;
	enum cstate st;
	int bidir;
	int64_t deadline;	/* handshake: START before this (ms), or 0 */
	char who[128];
	uint8_t *buf;		/* data in buf[off, off + len) */
	size_t off, len, cap;
	uint8_t out[OUT_MAX];	/* control frames to send */
	size_t outoff, outlen;
};

struct counters {
	atomic_uint_fast64_t connections, refused, active, frames, bytes,
	    bad_frames, truncated, timeouts, closed_error, closed_clean,
	    closed_eof;
};

struct rvd_fstrm_server {
	struct rvd_fstrm_opts o;
	char *ctype;
	size_t ctlen;
	struct lsn l[RVD_FSTRM_LISTEN_MAX];
	size_t nl;
	struct conn **c;	/* max_conns slots, the first nc used */
	size_t nc;
	struct pollfd *pfd;	/* 1 + nl + max_conns */
	int stop_rd, stop_wr;
	pthread_t thr;
	int running;
	uint64_t next_id;
	struct counters n;
	struct rvd_ratelimit rl;	/* server thread only */
};

#define INC(s, f) atomic_fetch_add_explicit(&(s)->n.f, 1, memory_order_relaxed)
#define ADD(s, f, v) \
	atomic_fetch_add_explicit(&(s)->n.f, (v), memory_order_relaxed)

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int
rvd_fstrm_server_new(const struct rvd_fstrm_opts *o,
    struct rvd_fstrm_server **out)
{
	struct rvd_fstrm_server *s;
	int p[2];

	*out = NULL;
	if (!o->content_type || !*o->content_type ||
	    strlen(o->content_type) > RVD_FSTRM_CONTROL_MAX - 16 ||
	    !o->on_frame)
		return RV_EINVAL;
	if (!(s = calloc(1, sizeof(*s))))
		return RV_ENOMEM;
	s->o = *o;
	if (!s->o.max_frame)
		s->o.max_frame = RVD_FSTRM_FRAME_MAX;
	if (!s->o.max_conns)
		s->o.max_conns = 64;
	if (!s->o.handshake_ms)
		s->o.handshake_ms = 10000;
	if (!s->o.unix_mode)
		s->o.unix_mode = 0660;
	s->o.unix_group = NULL;		/* looked up in listen, not kept */
	s->ctlen = strlen(o->content_type);
	s->rl.burst = 20;
	s->rl.period = 60;
	s->stop_rd = s->stop_wr = -1;
	if (!(s->ctype = strdup(o->content_type)) ||
	    !(s->c = calloc(s->o.max_conns, sizeof(*s->c))) ||
	    !(s->pfd = calloc(1 + RVD_FSTRM_LISTEN_MAX + s->o.max_conns,
	    sizeof(*s->pfd)))) {
		rvd_fstrm_server_free(s);
		return RV_ENOMEM;
	}
	if (o->unix_group && !(s->o.unix_group = strdup(o->unix_group))) {
		rvd_fstrm_server_free(s);
		return RV_ENOMEM;
	}
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) {
		rvd_fstrm_server_free(s);
		return RV_EIO;
	}
	s->stop_rd = p[0];
	s->stop_wr = p[1];
	*out = s;
	return RV_OK;
}

static int
set_group(const char *path, const char *group)
{
	struct group gr, *g = NULL;
	char buf[4096];

	if (getgrnam_r(group, &gr, buf, sizeof(buf), &g) != 0 || g == NULL) {
		rvd_log(LOG_ERR, "dnstap group %s: no such group", group);
		return RV_EINVAL;
	}
	if (chown(path, (uid_t)-1, g->gr_gid) != 0) {
		rvd_log(LOG_ERR, "dnstap group %s: chgrp %s: %s (rearviewd "
		    "must be a member of the group)", group, path,
		    strerror(errno));
		return RV_EINVAL;
	}
	return RV_OK;
}

/* Is a live server behind the socket file at path? */
static int
socket_alive(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), alive;

	if (fd < 0)
		return 1;		/* cannot tell: do not take it over */
	alive = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 ||
	    (errno != ECONNREFUSED && errno != ENOENT);
	close(fd);
	return alive;
}

static int
listen_unix(struct rvd_fstrm_server *s, struct lsn *l, const char *path)
{
	struct sockaddr_un sun;
	struct stat sb;
	char dir[sizeof(sun.sun_path)], *sl;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof(sun.sun_path)) {
		rvd_log(LOG_ERR, "%s: empty or too long a path", l->url);
		return RV_EINVAL;
	}
	memcpy(sun.sun_path, path, strlen(path));
	snprintf(dir, sizeof(dir), "%s", path);
	if ((sl = strrchr(dir, '/')) && sl != dir) {
		*sl = 0;
		if (mkdir(dir, 0750) != 0 && errno != EEXIST)
			rvd_log(LOG_WARNING, "mkdir %s: %s", dir,
			    strerror(errno));
	}
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode) || socket_alive(&sun)) {
			rvd_log(LOG_ERR, "%s: %s exists%s", l->url, path,
			    S_ISSOCK(sb.st_mode) ? " and is in use" :
			    " and is not a socket");
			return RV_EEXIST;
		}
		(void)unlink(path);	/* stale: nobody listens */
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0) {
		rvd_log(LOG_ERR, "%s: socket: %s", l->url, strerror(errno));
		return RV_EIO;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		rvd_log(LOG_ERR, "%s: bind: %s", l->url, strerror(errno));
		close(fd);
		return RV_EIO;
	}
	/* Nobody can connect before listen(): mode and group first. */
	if (stat(path, &sb) != 0 || chmod(path, s->o.unix_mode) != 0) {
		rvd_log(LOG_ERR, "%s: chmod: %s", l->url, strerror(errno));
		goto fail;
	}
	l->dev = sb.st_dev;
	l->ino = sb.st_ino;
	if (!(l->path = strdup(path)))
		goto fail;
	if (s->o.unix_group && set_group(path, s->o.unix_group) != RV_OK) {
		close(fd);
		(void)unlink(path);
		free(l->path);
		l->path = NULL;
		return RV_EINVAL;
	}
	if (listen(fd, 64) != 0) {
		rvd_log(LOG_ERR, "%s: listen: %s", l->url, strerror(errno));
		goto fail;
	}
	l->fd = fd;
	l->is_unix = 1;
	return RV_OK;
fail:
	close(fd);
	(void)unlink(path);
	free(l->path);
	l->path = NULL;
	return RV_EIO;
}

static int
is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		const uint8_t *b = in6->sin6_addr.s6_addr;
		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
		    (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && b[12] == 127);
	}
	return 0;
}

static int
listen_tcp(struct rvd_fstrm_server *s, struct lsn *l, const char *hp)
{
	char host[256], port[16];
	const char *colon, *h = hp, *hend;
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd, one = 1, rv;

	if (*h == '[') {
		h++;
		if (!(hend = strchr(h, ']')) || hend[1] != ':')
			goto bad;
		colon = hend + 1;
	} else {
		if (!(colon = strrchr(h, ':')))
			goto bad;
		hend = colon;
	}
	if ((size_t)(hend - h) >= sizeof(host) || strlen(colon + 1) == 0 ||
	    strlen(colon + 1) >= sizeof(port) ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		goto bad;
	memcpy(host, h, (size_t)(hend - h));
	host[hend - h] = 0;
	snprintf(port, sizeof(port), "%s", colon + 1);
	if (atoi(port) > 65535)
		goto bad;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rv = getaddrinfo(*host ? host : NULL, port, &hints, &ai)) != 0) {
		rvd_log(LOG_ERR, "%s: %s", l->url, gai_strerror(rv));
		return RV_EINVAL;
	}
	if (!s->o.allow_remote_tcp && (!*host || !is_loopback(ai->ai_addr))) {
		rvd_log(LOG_ERR, "%s: not a loopback address; dnstap has no "
		    "TLS: use --insecure-tcp to listen there anyway", l->url);
		freeaddrinfo(ai);
		return RV_EINVAL;
	}
	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol)) < 0) {
		rvd_log(LOG_ERR, "%s: socket: %s", l->url, strerror(errno));
		freeaddrinfo(ai);
		return RV_EIO;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		rvd_log(LOG_ERR, "%s: listen: %s", l->url, strerror(errno));
		close(fd);
		freeaddrinfo(ai);
		return RV_EIO;
	}
	freeaddrinfo(ai);
	l->port = ss.ss_family == AF_INET6 ?
	    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) :
	    ntohs(((struct sockaddr_in *)&ss)->sin_port);
	l->fd = fd;
	return RV_OK;
bad:
	rvd_log(LOG_ERR, "%s: expected tcp://ADDR:PORT or tcp://[ADDR]:PORT",
	    l->url);
	return RV_EINVAL;
}

int
rvd_fstrm_server_listen(struct rvd_fstrm_server *s, const char *url)
{
	struct lsn *l;
	int rc;

	if (s->running || s->nl == RVD_FSTRM_LISTEN_MAX)
		return RV_ESTATE;
	l = &s->l[s->nl];
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (!(l->url = strdup(url)))
		return RV_ENOMEM;
	if (strncmp(url, "unix://", 7) == 0)
		rc = listen_unix(s, l, url + 7);
	else if (strncmp(url, "unix:", 5) == 0)
		rc = listen_unix(s, l, url + 5);
	else if (strncmp(url, "tcp://", 6) == 0)
		rc = listen_tcp(s, l, url + 6);
	else {
		rvd_log(LOG_ERR, "%s: expected unix:PATH or tcp://ADDR:PORT",
		    url);
		rc = RV_EINVAL;
	}
	if (rc != RV_OK) {
		free(l->url);
		l->url = NULL;
		return rc;
	}
	s->nl++;
	rvd_log(LOG_INFO, "dnstap: listening on %s", url);
	return RV_OK;
}

unsigned
rvd_fstrm_server_port(const struct rvd_fstrm_server *s, size_t i)
{
	return i < s->nl ? s->l[i].port : 0;
}

void
rvd_fstrm_server_stats(const struct rvd_fstrm_server *s,
    struct rvd_fstrm_stats *o)
{
	struct counters *n = (struct counters *)&s->n;

#define GET(f) o->f = atomic_load_explicit(&n->f, memory_order_relaxed)
	GET(connections);
	GET(refused);
	GET(active);
	GET(frames);
	GET(bytes);
	GET(bad_frames);
	GET(truncated);
	GET(timeouts);
	GET(closed_error);
	GET(closed_clean);
	GET(closed_eof);
#undef GET
}

/* --- connections ---------------------------------------------------------- */

static void
peer_name(struct conn *c, int is_unix, const struct sockaddr_storage *ss)
{
	char a[INET6_ADDRSTRLEN];

	if (is_unix) {
		struct ucred uc;
		socklen_t ul = sizeof(uc);
		if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &uc, &ul) == 0)
			snprintf(c->who, sizeof(c->who), "unix peer pid %ld "
			    "uid %ld", (long)uc.pid, (long)uc.uid);
		else
			snprintf(c->who, sizeof(c->who), "unix peer");
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		snprintf(c->who, sizeof(c->who), "[%s]:%u", a,
		    ntohs(in6->sin6_port));
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;
		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		snprintf(c->who, sizeof(c->who), "%s:%u", a,
		    ntohs(in->sin_port));
	} else {
		snprintf(c->who, sizeof(c->who), "unknown peer");
	}
}

/* Close a connection: the open count first, then closed_error for an
 * error, then the reason's own counter (ctr, or NULL), so that a reader who
 * sees the reason's count sees the rest. Logged; the slot is swept after
 * the turn. */
static void
conn_close(struct rvd_fstrm_server *s, struct conn *c,
    atomic_uint_fast64_t *ctr, int error, const char *why)
{
	if (c->dead)
		return;
	c->dead = 1;
	atomic_fetch_sub_explicit(&s->n.active, 1, memory_order_relaxed);
	if (error)
		INC(s, closed_error);
	if (ctr)
		atomic_fetch_add_explicit(ctr, 1, memory_order_relaxed);
	rvd_log_rl(&s->rl, error ? LOG_WARNING : LOG_INFO,
	    "dnstap connection #%llu (%s) closed: %s",
	    (unsigned long long)c->id, c->who, why);
}

static void
accept_some(struct rvd_fstrm_server *s, size_t li)
{
	struct lsn *l = &s->l[li];

	for (int k = 0; k < ACCEPT_BURST; k++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct conn *c;
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				rvd_log_rl(&s->rl, LOG_WARNING, "dnstap %s: "
				    "accept: %s", l->url, strerror(errno));
			return;
		}
		if (s->nc == s->o.max_conns || !(c = calloc(1, sizeof(*c)))) {
			INC(s, refused);
			rvd_log_rl(&s->rl, LOG_WARNING, "dnstap %s: refused a "
			    "connection: %zu open (the limit)", l->url, s->nc);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->id = ++s->next_id;
		c->lsn = li;
		c->st = S_INIT;
		c->deadline = mono_ms() + s->o.handshake_ms;
		peer_name(c, l->is_unix, &ss);
		s->c[s->nc++] = c;
		INC(s, connections);
		INC(s, active);
		rvd_log_rl(&s->rl, LOG_INFO, "dnstap connection #%llu from %s "
		    "on %s", (unsigned long long)c->id, c->who, l->url);
	}
}

/* Send what is queued; \return 0, or -1 when the connection is closed. */
static int
conn_flush(struct rvd_fstrm_server *s, struct conn *c)
{
	while (c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen,
		    MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			conn_close(s, c, NULL, 1, strerror(errno));
			return -1;
		}
		c->outoff += (size_t)n;
		c->outlen -= (size_t)n;
	}
	c->outoff = 0;
	if (c->st == S_FINISHING) {
		conn_close(s, c, &s->n.closed_clean, 0, "STOP, FINISH");
		return -1;
	}
	return 0;
}

/* Queue a control frame (type, optionally our content type). */
static void
queue_control(struct rvd_fstrm_server *s, struct conn *c, uint32_t type,
    int with_ctype)
{
	uint8_t *p;
	size_t clen = 4 + (with_ctype ? 8 + s->ctlen : 0);

	if (c->outoff) {
		memmove(c->out, c->out + c->outoff, c->outlen);
		c->outoff = 0;
	}
	if (c->outlen + 8 + clen > sizeof(c->out))
		return;		/* cannot happen: at most two are queued */
	p = c->out + c->outlen;
	put32(p, 0);
	put32(p + 4, (uint32_t)clen);
	put32(p + 8, type);
	if (with_ctype) {
		put32(p + 12, RVD_FSTRM_FIELD_CONTENT_TYPE);
		put32(p + 16, (uint32_t)s->ctlen);
		memcpy(p + 20, s->ctype, s->ctlen);
	}
	c->outlen += 8 + clen;
}

/*
 * One control frame (its type and fields, without the escape and length).
 * \return 0 to go on, -1 when the connection is closed.
 */
/* Every frame read so far was given to on_frame. */
static void
idle(struct rvd_fstrm_server *s)
{
	if (s->o.on_idle)
		s->o.on_idle(s->o.arg);
}

static int
control(struct rvd_fstrm_server *s, struct conn *c, const uint8_t *p,
    size_t len)
{
	uint32_t type, ft, fl;
	size_t nct = 0, off = 4;
	int match = 0;
	const char *why = NULL;

	if (len < 4) {
		why = "control frame too short";
		goto bad;
	}
	type = get32(p);
	while (off < len) {
		if (len - off < 8) {
			why = "truncated control field";
			goto bad;
		}
		ft = get32(p + off);
		fl = get32(p + off + 4);
		off += 8;
		if (fl > len - off) {
			why = "control field longer than its frame";
			goto bad;
		}
		if (ft == RVD_FSTRM_FIELD_CONTENT_TYPE) {
			nct++;
			if (fl == s->ctlen && memcmp(p + off, s->ctype, fl) == 0)
				match = 1;
		}
		/* Other field types: skipped (the spec allows them). */
		off += fl;
	}
	switch (type) {
	case RVD_FSTRM_READY:
		if (c->st != S_INIT) {
			why = "READY out of turn";
			goto bad;
		}
		if (nct && !match) {
			why = "READY without our content type";
			goto bad;
		}
		c->bidir = 1;
		c->st = S_ACCEPTED;
		queue_control(s, c, RVD_FSTRM_ACCEPT, 1);
		return conn_flush(s, c);
	case RVD_FSTRM_START:
		if (c->st != S_INIT && c->st != S_ACCEPTED) {
			why = "START out of turn";
			goto bad;
		}
		if (nct > 1 || (nct && !match)) {
			why = "START with another content type";
			goto bad;
		}
		c->st = S_STARTED;
		c->deadline = 0;
		return 0;
	case RVD_FSTRM_STOP:
		if (c->st != S_STARTED) {
			why = "STOP out of turn";
			goto bad;
		}
		if (!c->bidir) {
			conn_close(s, c, &s->n.closed_clean, 0, "STOP");
			return -1;
		}
		c->st = S_FINISHING;
		idle(s);	/* FINISH says all was taken */
		queue_control(s, c, RVD_FSTRM_FINISH, 0);
		return conn_flush(s, c);
	default:
		why = "unexpected control frame type";
		goto bad;
	}
bad:
	conn_close(s, c, &s->n.bad_frames, 1, why);
	return -1;
}

/* Frames in the buffer: hand data frames on, answer control frames.
 * \return 0, or -1 when the connection is closed. */
static int
process(struct rvd_fstrm_server *s, struct conn *c)
{
	const struct rvd_fstrm_peer peer = {
		.conn = c->id, .who = c->who, .url = s->l[c->lsn].url,
	};

	while (c->len >= 4 && c->st != S_FINISHING) {
		const uint8_t *p = c->buf + c->off;
		uint32_t fl = get32(p);
		size_t need;

		if (fl == 0) {			/* control frame */
			if (c->len < 8)
				break;
			fl = get32(p + 4);
			if (fl > RVD_FSTRM_CONTROL_MAX) {
				conn_close(s, c, &s->n.bad_frames, 1,
				    "control frame over 512 octets");
				return -1;
			}
			need = 8 + (size_t)fl;
			if (c->len < need)
				break;
			c->off += need;
			c->len -= need;
			if (control(s, c, p + 8, fl) != 0)
				return -1;
			continue;
		}
		if (c->st != S_STARTED) {
			conn_close(s, c, &s->n.bad_frames, 1,
			    "data frame before START");
			return -1;
		}
		if (fl > s->o.max_frame) {
			char why[96];
			snprintf(why, sizeof(why), "a frame of %lu octets, "
			    "over the limit (%zu)", (unsigned long)fl,
			    s->o.max_frame);
			conn_close(s, c, &s->n.bad_frames, 1, why);
			return -1;
		}
		need = 4 + (size_t)fl;
		if (c->len < need) {
			if (c->cap < need) {	/* room for the whole frame */
				uint8_t *nb;
				if (c->off) {
					memmove(c->buf, c->buf + c->off,
					    c->len);
					c->off = 0;
				}
				if (!(nb = realloc(c->buf, need))) {
					conn_close(s, c, NULL, 1, "out of memory");
					return -1;
				}
				c->buf = nb;
				c->cap = need;
			}
			break;
		}
		c->off += need;
		c->len -= need;
		INC(s, frames);
		ADD(s, bytes, fl);
		s->o.on_frame(s->o.arg, &peer, p + 4, fl);
	}
	return 0;
}

static void
conn_read(struct rvd_fstrm_server *s, struct conn *c)
{
	ssize_t n;

	if (!c->buf) {
		if (!(c->buf = malloc(BUF_INIT))) {
			conn_close(s, c, NULL, 1, "out of memory");
			return;
		}
		c->cap = BUF_INIT;
	}
	if (c->off) {
		memmove(c->buf, c->buf + c->off, c->len);
		c->off = 0;
	}
	n = read(c->fd, c->buf + c->len, c->cap - c->len);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			conn_close(s, c, NULL, 1, strerror(errno));
		return;
	}
	if (n == 0) {
		if (c->len) {
			conn_close(s, c, &s->n.truncated, 1,
			    "ended in the middle of a frame");
		} else {
			conn_close(s, c, &s->n.closed_eof, 0, c->st == S_STARTED ?
			    "ended without STOP" : "ended");
		}
		return;
	}
	c->len += (size_t)n;
	if (process(s, c) != 0)
		return;
	/* Done with a big frame: give its memory back. */
	if (c->len == 0 && c->cap > BUF_INIT) {
		free(c->buf);
		c->buf = NULL;
		c->cap = c->off = 0;
	}
}

static void
conn_free(struct conn *c)
{
	close(c->fd);
	free(c->buf);
	free(c);
}

/* At the stop: what the senders wrote before it is in the sockets' buffers;
 * read it (for DRAIN_MS at most), so that a resolver that logged a
 * response and then stopped, or a rearviewd stopped right after, loses
 * nothing that had arrived. */
#define DRAIN_MS 1000

static void
drain(struct rvd_fstrm_server *s)
{
	int64_t end = mono_ms() + DRAIN_MS;

	for (size_t i = 0; i < s->nc; i++) {
		struct conn *c = s->c[i];

		while (!c->dead && c->st != S_FINISHING && mono_ms() < end) {
			struct pollfd p = { .fd = c->fd, .events = POLLIN };

			if (poll(&p, 1, 0) <= 0 ||
			    !(p.revents & (POLLIN | POLLHUP | POLLERR)))
				break;
			conn_read(s, c);
		}
	}
}

static void *
serve(void *arg)
{
	struct rvd_fstrm_server *s = arg;

	for (;;) {
		size_t np = 0, nc = s->nc;
		int64_t now = mono_ms(), next = -1;
		int timeout;

		s->pfd[np++] = (struct pollfd){ .fd = s->stop_rd,
		    .events = POLLIN };
		for (size_t i = 0; i < s->nl; i++)
			s->pfd[np++] = (struct pollfd){ .fd = s->l[i].fd,
			    .events = POLLIN };
		for (size_t i = 0; i < nc; i++) {
			struct conn *c = s->c[i];
			short ev = c->st == S_FINISHING ? 0 : POLLIN;
			if (c->outlen)
				ev |= POLLOUT;
			s->pfd[np++] = (struct pollfd){ .fd = c->fd,
			    .events = ev };
			if (c->deadline && (next < 0 || c->deadline < next))
				next = c->deadline;
		}
		timeout = next < 0 ? -1 : next <= now ? 0 :
		    (int)(next - now > 60000 ? 60000 : next - now);
		idle(s);
		if (poll(s->pfd, np, timeout) < 0) {
			if (errno == EINTR)
				continue;
			rvd_log(LOG_ERR, "dnstap: poll: %s", strerror(errno));
			break;
		}
		if (s->pfd[0].revents) {
			drain(s);
			idle(s);
			break;
		}
		for (size_t i = 0; i < nc; i++) {
			struct conn *c = s->c[i];
			short re = s->pfd[1 + s->nl + i].revents;
			if ((re & POLLOUT) && conn_flush(s, c) != 0)
				continue;
			if (!(re & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (c->st == S_FINISHING) {	/* gone before FINISH */
					conn_close(s, c, &s->n.closed_clean, 0,
				    "STOP (gone before FINISH)");
			} else {
				conn_read(s, c);
			}
		}
		for (size_t i = 0; i < s->nl; i++)
			if (s->pfd[1 + i].revents & POLLIN)
				accept_some(s, i);
		now = mono_ms();
		for (size_t i = 0; i < s->nc; i++) {
			struct conn *c = s->c[i];
			if (!c->dead && c->deadline && now >= c->deadline) {
				conn_close(s, c, &s->n.timeouts, 1,
				    "no START in time");
			}
		}
		for (size_t i = 0; i < s->nc;) {	/* sweep */
			if (s->c[i]->dead) {
				conn_free(s->c[i]);
				s->c[i] = s->c[--s->nc];
			} else {
				i++;
			}
		}
	}
	return NULL;
}

int
rvd_fstrm_server_start(struct rvd_fstrm_server *s)
{
	if (s->running)
		return RV_ESTATE;
	if (pthread_create(&s->thr, NULL, serve, s) != 0)
		return RV_EIO;
	s->running = 1;
	return RV_OK;
}

void
rvd_fstrm_server_stop(struct rvd_fstrm_server *s)
{
	if (s->running) {
		ssize_t w;
		do
			w = write(s->stop_wr, "x", 1);
		while (w < 0 && errno == EINTR);
		pthread_join(s->thr, NULL);
		s->running = 0;
	}
	for (size_t i = 0; i < s->nc; i++) {
		if (!s->c[i]->dead)	/* open at the stop: not an error */
			atomic_fetch_sub_explicit(&s->n.active, 1,
			    memory_order_relaxed);
		conn_free(s->c[i]);
	}
	s->nc = 0;
}

void
rvd_fstrm_server_free(struct rvd_fstrm_server *s)
{
	if (!s)
		return;
	rvd_fstrm_server_stop(s);
	for (size_t i = 0; i < s->nl; i++) {
		struct lsn *l = &s->l[i];
		struct stat sb;
		if (l->fd >= 0)
			close(l->fd);
		/* Remove our socket file, not one a successor made. */
		if (l->path && stat(l->path, &sb) == 0 &&
		    sb.st_dev == l->dev && sb.st_ino == l->ino)
			(void)unlink(l->path);
		free(l->path);
		free(l->url);
	}
	if (s->stop_rd >= 0)
		close(s->stop_rd);
	if (s->stop_wr >= 0)
		close(s->stop_wr);
	free((char *)s->o.unix_group);
	free(s->ctype);
	free(s->c);
	free(s->pfd);
	free(s);
}
