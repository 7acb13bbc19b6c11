/**
 * \file ingest.c
 * The receiver: an nng PULL socket listening on ipc://, tcp:// (loopback
 * unless --insecure-tcp) and tls+tcp:// (client certificates required);
 * each frame is validated whole before any record is used, then merged
 * into the current aggregation table. Frames over --max-frame are dropped
 * here, counted and logged with their sender (admit.h says why not by
 * nng); connections are logged as they open and close.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <nng/nng.h>
#include <nng/protocol/pipeline0/pull.h>
#include <nng/supplemental/tls/tls.h>

#include "admit.h"
#include "log.h"
#include "rv_err.h"
#include "rv_frame.h"
#include "rvd.h"

struct rvd_ingest {
	struct rvd *d;
	nng_socket sock;
	int open;
	nng_listener lst[RVD_LISTEN_MAX];
	size_t nlst;
	nng_tls_config *tls;
	pthread_t thr;
	int running;
	struct rvd_ratelimit rl;	/**< rejected frames (receiver) */
	pthread_mutex_t conn_mu;	/**< nng's threads share conn_rl */
	struct rvd_ratelimit conn_rl;	/**< connections opened/closed */
};

/* Is the host of tcp://HOST:PORT a loopback address? */
static int
tcp_is_loopback(const char *url)
{
	const char *h = strstr(url, "://"), *end;
	char host[128];
	struct in_addr a4;
	struct in6_addr a6;
	size_t n;

	if (!h)
		return 0;
	h += 3;
	if (*h == '[') {
		h++;
		if (!(end = strchr(h, ']')))
			return 0;
	} else if (!(end = strrchr(h, ':'))) {
		return 0;
	}
	if ((n = (size_t)(end - h)) == 0 || n >= sizeof(host))
		return 0;		/* "tcp://:port" is every interface */
	memcpy(host, h, n);
	host[n] = 0;
	if (strcmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = 0;
		}
	}
	fclose(f);
	return buf;
}

static int
tls_setup(struct rvd_ingest *in)
{
	const struct rvd_config *c = &in->d->cfg;
	char *cert = NULL, *key = NULL;
	int rv, rc = RV_EINVAL;

	if (!c->tls_cert || !c->tls_key || !c->tls_ca) {
		rvd_log(LOG_ERR, "tls+tcp:// needs tls-cert, tls-key and tls-ca"
		    " (client certificates are required)");
		goto leave;
	}
	if (!(cert = slurp(c->tls_cert)) || !(key = slurp(c->tls_key))) {
		rvd_log(LOG_ERR, "cannot read %s: %s", cert ? c->tls_key :
		    c->tls_cert, strerror(errno));
		goto leave;
	}
	if ((rv = nng_tls_config_alloc(&in->tls, NNG_TLS_MODE_SERVER)) ||
	    (rv = nng_tls_config_own_cert(in->tls, cert, key, NULL)) ||
	    (rv = nng_tls_config_ca_file(in->tls, c->tls_ca)) ||
	    (rv = nng_tls_config_auth_mode(in->tls,
	    NNG_TLS_AUTH_MODE_REQUIRED))) {
		rvd_log(LOG_ERR, "TLS setup: %s", nng_strerror(rv));
		goto leave;
	}
	rc = RV_OK;
leave:
	free(cert);
	free(key);
	return rc;
}

/* The ipc socket's group: the senders' (Unbound's), so that the analysts,
 * who read the database through its own group, cannot write frames. */
static int
set_group(const char *path, const char *group)
{
	struct group gr, *g = NULL;
	char buf[4096];

	if (getgrnam_r(group, &gr, buf, sizeof(buf), &g) != 0 || g == NULL) {
		rvd_log(LOG_ERR, "--ipc-group %s: no such group", group);
		return RV_EINVAL;
	}
	if (chown(path, (uid_t)-1, g->gr_gid) != 0) {
		rvd_log(LOG_ERR, "--ipc-group %s: chgrp %s: %s (rearviewd must "
		    "be a member of the group)", group, path, strerror(errno));
		return RV_EINVAL;
	}
	return RV_OK;
}

static int
listen_one(struct rvd_ingest *in, const char *url)
{
	const struct rvd_config *c = &in->d->cfg;
	nng_listener l;
	int rv;

	if (strncmp(url, "tcp", 3) == 0 && !tcp_is_loopback(url) &&
	    !c->insecure_tcp) {
		rvd_log(LOG_ERR, "%s: not a loopback address; use tls+tcp:// "
		    "or --insecure-tcp", url);
		return RV_EINVAL;
	}
	if (strncmp(url, "ipc://", 6) == 0) {
		/* Create the socket's directory if it is missing. */
		char dir[512], *s;
		snprintf(dir, sizeof(dir), "%s", url + 6);
		if ((s = strrchr(dir, '/')) && s != dir) {
			*s = 0;
			if (mkdir(dir, 0750) != 0 && errno != EEXIST)
				rvd_log(LOG_WARNING, "mkdir %s: %s", dir,
				    strerror(errno));
		}
	}
	if ((rv = nng_listener_create(&l, in->sock, url))) {
		rvd_log(LOG_ERR, "%s: %s", url, nng_strerror(rv));
		return RV_EINVAL;
	}
	if (strncmp(url, "ipc://", 6) == 0 &&
	    (rv = nng_listener_set_int(l, NNG_OPT_IPC_PERMISSIONS,
	    (int)c->ipc_mode))) {
		rvd_log(LOG_ERR, "%s: permissions: %s", url, nng_strerror(rv));
		nng_listener_close(l);
		return RV_EINVAL;
	}
	if (strncmp(url, "tls+", 4) == 0) {
		if (!in->tls && tls_setup(in) != RV_OK) {
			nng_listener_close(l);
			return RV_EINVAL;
		}
		if ((rv = nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG,
		    in->tls))) {
			rvd_log(LOG_ERR, "%s: %s", url, nng_strerror(rv));
			nng_listener_close(l);
			return RV_EINVAL;
		}
	}
	if ((rv = nng_listener_start(l, 0))) {
		rvd_log(LOG_ERR, "listen %s: %s", url, nng_strerror(rv));
		nng_listener_close(l);
		return RV_EIO;
	}
	if (strncmp(url, "ipc://", 6) == 0 && c->ipc_group != NULL &&
	    set_group(url + 6, c->ipc_group) != RV_OK) {
		nng_listener_close(l);
		return RV_EINVAL;
	}
	in->lst[in->nlst++] = l;
	rvd_log(LOG_INFO, "listening on %s", url);
	return RV_OK;
}

/* Who is at the other end of a connection, for logs: address and port,
 * or for ipc:// the peer's process and user id. \return 0 if nng no longer
 * knows (out says "unknown peer"), 1 if it does. */
static int
peer(nng_pipe p, char *out, size_t outsz)
{
	nng_sockaddr sa;
	char a[RV_IP_STR_MAX];
	uint64_t pid, uid;

	snprintf(out, outsz, "unknown peer");
	if (nng_pipe_get_addr(p, NNG_OPT_REMADDR, &sa))
		return 0;
	switch (sa.s_family) {
	case NNG_AF_INET:
		inet_ntop(AF_INET, &sa.s_in.sa_addr, a, sizeof(a));
		snprintf(out, outsz, "%s:%u", a, ntohs(sa.s_in.sa_port));
		break;
	case NNG_AF_INET6:
		inet_ntop(AF_INET6, sa.s_in6.sa_addr, a, sizeof(a));
		snprintf(out, outsz, "[%s]:%u", a, ntohs(sa.s_in6.sa_port));
		break;
	case NNG_AF_IPC:
		if (nng_pipe_get_uint64(p, NNG_OPT_IPC_PEER_PID, &pid) == 0 &&
		    nng_pipe_get_uint64(p, NNG_OPT_IPC_PEER_UID, &uid) == 0)
			snprintf(out, outsz, "ipc peer pid %llu uid %llu",
			    (unsigned long long)pid, (unsigned long long)uid);
		else
			snprintf(out, outsz, "ipc peer");
		break;
	default:
		return 0;
	}
	return 1;
}

/* nng's threads: a connection opened or closed. A frame over nng's
 * ceiling closes its connection with no other trace (admit.h), so these
 * lines are what shows a sender that keeps being cut off. Closed pipes
 * may no longer know their address: the id ties the two lines together. */
static void
pipe_event(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct rvd_ingest *in = arg;
	char who[128];
	int known = peer(p, who, sizeof(who));

	pthread_mutex_lock(&in->conn_mu);
	if (ev == NNG_PIPE_EV_ADD_POST)
		rvd_log_rl(&in->conn_rl, LOG_INFO, "connection #%u from %s",
		    (unsigned)nng_pipe_id(p), who);
	else
		rvd_log_rl(&in->conn_rl, LOG_INFO, "connection #%u closed%s%s%s",
		    (unsigned)nng_pipe_id(p), known ? " (" : "",
		    known ? who : "", known ? ")" : "");
	pthread_mutex_unlock(&in->conn_mu);
}

/* The id of a frame's sensor: from the cache, or asked of the flusher
 * (rvd.h), which waits for it. Gives up when rearviewd stops. */
static int
sensor_id(struct rvd_ingest *in, const struct rv_frame_hdr *hdr, uint16_t *id)
{
	struct rvd *d = in->d;
	struct rvd_sensor_req *r = &d->sreq;
	const char *name = (const char *)hdr->sensor;
	struct rv_sensor_seq seq;
	int rc = rvd_sensors_find(&d->sens, name, hdr->sensor_len, id);

	if (rc != RV_ENOENT)
		return rc;
	pthread_mutex_lock(&d->mu);
	memcpy(r->name, name, hdr->sensor_len);
	r->len = hdr->sensor_len;
	r->pending = 1;
	pthread_cond_broadcast(&d->cv);
	while (r->pending && !atomic_load(&d->stop))
		pthread_cond_wait(&d->cv, &d->mu);
	rc = r->pending ? RV_ESTATE : r->rc;
	*id = r->id;
	seq = r->seq;
	pthread_mutex_unlock(&d->mu);
	if (rc == RV_OK)
		rc = rvd_sensors_add(&d->sens, name, hdr->sensor_len, *id,
		    &seq);
	return rc;
}

/* Merge a validated frame into the current table. */
static void
take_frame(struct rvd_ingest *in, const uint8_t *buf, size_t len,
    const struct rv_frame_hdr *hdr)
{
	struct rvd *d = in->d;
	const struct rv_sensor_seq *seq = NULL;
	struct rv_frame_hdr h;
	uint16_t sid = 0;
	size_t off;
	uint64_t bad = 0;
	int rc;

	if ((rc = sensor_id(in, hdr, &sid)) != RV_OK ||
	    (rc = rvd_sensors_seq_frame(&d->sens, sid, hdr, &seq)) != RV_OK)
		rvd_log_rl(&in->rl, LOG_WARNING, "sensor %.*s: %s",
		    (int)hdr->sensor_len, (const char *)hdr->sensor,
		    rv_strerror(rc));
	pthread_mutex_lock(&d->mu);
	while (rvd_table_full(d, 2) && !atomic_load(&d->stop))
		pthread_cond_wait(&d->cv, &d->mu);	/* backpressure */
	/* The stream state travels with the window that holds the frame, so
	 * it is committed with the frame's records. */
	if (seq && rvd_agg_sensor_seq(d->cur, sid, seq) != RV_OK)
		rvd_log_rl(&in->rl, LOG_WARNING, "sensor %.*s: stream state "
		    "not saved (out of memory)", (int)hdr->sensor_len,
		    (const char *)hdr->sensor);
	if (rv_frame_decode_header(buf, len, &h, &off) == RV_OK)
		rvd_agg_add_frame(d->cur, buf, len, off, hdr->count, sid, &bad);
	d->cur->frames++;
	d->cur->records_rejected += bad;
	d->cur->seq_frames = ++d->frames_seen;
	if (rvd_table_full(d, 1))
		pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
}

static void *
recv_main(void *arg)
{
	struct rvd_ingest *in = arg;
	struct rvd *d = in->d;
	struct rv_frame_hdr hdr;
	char who[128];
	size_t len;
	int rv, rc;

	while (!atomic_load(&d->stop)) {
		nng_msg *m = NULL;
		if ((rv = nng_recvmsg(in->sock, &m, 0))) {
			if (rv == NNG_ETIMEDOUT || rv == NNG_EAGAIN)
				continue;
			if (rv == NNG_ECLOSED)
				break;
			rvd_log_rl(&in->rl, LOG_WARNING, "receive: %s",
			    nng_strerror(rv));
			continue;
		}
		len = nng_msg_len(m);
		rc = rvd_admit_frame(nng_msg_body(m), len, d->cfg.max_frame,
		    &hdr);
		if (rc != RV_OK) {
			peer(nng_msg_get_pipe(m), who, sizeof(who));
			if (len > d->cfg.max_frame)
				rvd_log_rl(&in->rl, LOG_WARNING, "rejected a frame "
				    "of %zu octets from %s: over --max-frame "
				    "(%zu)", len, who, d->cfg.max_frame);
			else
				rvd_log_rl(&in->rl, LOG_WARNING, "rejected a frame "
				    "of %zu octets from %s: %s", len, who,
				    rv_strerror(rc));
			pthread_mutex_lock(&d->mu);
			rvd_admit_count_reject(d->cur, len, d->cfg.max_frame);
			pthread_mutex_unlock(&d->mu);
		} else {
			take_frame(in, nng_msg_body(m), len, &hdr);
		}
		nng_msg_free(m);
	}
	return NULL;
}

int
rvd_ingest_start(struct rvd *d, struct rvd_ingest **out)
{
	struct rvd_ingest *in = calloc(1, sizeof(*in));
	int rv, rc = RV_OK;

	*out = NULL;
	if (!in)
		return RV_ENOMEM;
	in->d = d;
	in->rl.burst = 10;
	in->rl.period = 60;
	in->conn_rl.burst = 20;
	in->conn_rl.period = 60;
	pthread_mutex_init(&in->conn_mu, NULL);
	if ((rv = nng_pull0_open(&in->sock))) {
		rvd_log(LOG_ERR, "nng: %s", nng_strerror(rv));
		rc = RV_EIO;
		goto leave;
	}
	in->open = 1;
	/* nng's limit is a ceiling above --max-frame: see admit.h. */
	if ((rv = nng_socket_set_size(in->sock, NNG_OPT_RECVMAXSZ,
	    rvd_admit_nng_limit(d->cfg.max_frame))) ||
	    (rv = nng_pipe_notify(in->sock, NNG_PIPE_EV_ADD_POST, pipe_event,
	    in)) ||
	    (rv = nng_pipe_notify(in->sock, NNG_PIPE_EV_REM_POST, pipe_event,
	    in)) ||
	    (rv = nng_socket_set_ms(in->sock, NNG_OPT_RECVTIMEO, 200)) ||
	    (rv = nng_socket_set_int(in->sock, NNG_OPT_RECVBUF, 256))) {
		rvd_log(LOG_ERR, "nng options: %s", nng_strerror(rv));
		rc = RV_EIO;
		goto leave;
	}
	for (size_t i = 0; i < d->cfg.nlisten; i++)
		if ((rc = listen_one(in, d->cfg.listen[i])) != RV_OK)
			goto leave;
	if (pthread_create(&in->thr, NULL, recv_main, in) != 0) {
		rc = RV_EIO;
		goto leave;
	}
	in->running = 1;
leave:
	if (rc != RV_OK)
		rvd_ingest_stop(in);
	else
		*out = in;
	return rc;
}

void
rvd_ingest_stop(struct rvd_ingest *in)
{
	if (!in)
		return;
	if (in->running) {
		pthread_mutex_lock(&in->d->mu);
		pthread_cond_broadcast(&in->d->cv);
		pthread_mutex_unlock(&in->d->mu);
		pthread_join(in->thr, NULL);
	}
	if (in->open)
		nng_close(in->sock);
	if (in->tls)
		nng_tls_config_free(in->tls);
	pthread_mutex_destroy(&in->conn_mu);
	free(in);
}
