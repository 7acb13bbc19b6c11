/**
 * \file test_dnstap.c
 * cmocka tests of rearviewd's dnstap input (issue #20): the decoder
 * (indexer/dnstap_decode.c) on messages encoded here with protobuf-c, kept
 * and dropped by type, malformed ones counted; and the Frame Streams
 * server (indexer/fstrm_server.c) over real unix and TCP sockets: the
 * bidirectional handshake, unidirectional senders, bad control frames,
 * garbage, oversize frames, disconnects mid-frame, a stalled sender that
 * must not hold the others, the connection limit and the handshake
 * timeout. Frames received go through the decoder as in rearviewd.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "dnstap.pb-c.h"
#include "dnstap_decode.h"
#include "dnstap_records.h"
#include "fstrm_server.h"
#include "rv_err.h"

#define CT RVD_DNSTAP_CONTENT_TYPE

static const uint8_t zone[] = "\007example\003com";	/* + the NUL */
static const uint8_t resp[] = {
	0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
	0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 10,
};

/* A dnstap message of a type, packed into buf; \return its length. */
static size_t
encode(uint8_t *buf, size_t cap, int type, const char *identity,
    void (*tweak)(Dnstap__Dnstap *, Dnstap__Message *))
{
	Dnstap__Dnstap dt = DNSTAP__DNSTAP__INIT;
	Dnstap__Message m = DNSTAP__MESSAGE__INIT;
	static uint8_t a4[4] = { 192, 0, 2, 53 }, q4[4] = { 10, 0, 0, 1 };
	size_t n;

	dt.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
	if (identity) {
		dt.has_identity = 1;
		dt.identity.data = (uint8_t *)identity;
		dt.identity.len = strlen(identity);
	}
	dt.has_version = 1;
	dt.version.data = (uint8_t *)"test 1.0";
	dt.version.len = 8;
	dt.message = &m;
	m.type = (Dnstap__Message__Type)type;
	m.has_socket_family = 1;
	m.socket_family = DNSTAP__SOCKET_FAMILY__INET;
	m.has_socket_protocol = 1;
	m.socket_protocol = DNSTAP__SOCKET_PROTOCOL__UDP;
	m.has_query_address = 1;
	m.query_address.data = q4;
	m.query_address.len = 4;
	m.has_response_address = 1;
	m.response_address.data = a4;
	m.response_address.len = 4;
	m.has_query_port = 1;
	m.query_port = 40000;
	m.has_response_port = 1;
	m.response_port = 53;
	m.has_query_zone = 1;
	m.query_zone.data = (uint8_t *)zone;
	m.query_zone.len = sizeof(zone);
	m.has_response_time_sec = 1;
	m.response_time_sec = 1700000000;
	m.has_response_time_nsec = 1;
	m.response_time_nsec = 123456789;
	m.has_response_message = 1;
	m.response_message.data = (uint8_t *)resp;
	m.response_message.len = sizeof(resp);
	if (tweak)
		tweak(&dt, &m);
	n = dnstap__dnstap__get_packed_size(&dt);
	assert_true(n <= cap);
	return dnstap__dnstap__pack(&dt, buf);
}

/* --- the decoder ----------------------------------------------------------- */

static void
test_decode_resolver_response(void **state)
{
	struct rvd_dnstap_dec d;
	struct rvd_dnstap_msg m;
	uint8_t buf[1024];
	size_t n = encode(buf, sizeof(buf), RVD_DT_RESOLVER_RESPONSE, "ns1",
	    NULL);

	(void)state;
	assert_int_equal(rvd_dnstap_dec_init(&d, 1 << 20), RV_OK);
	assert_int_equal(rvd_dnstap_decode(&d, buf, n, &m), RV_OK);
	assert_int_equal(m.type, RVD_DT_RESOLVER_RESPONSE);
	assert_int_equal(m.identity_len, 3);
	assert_memory_equal(m.identity, "ns1", 3);
	assert_int_equal(m.query_zone_len, sizeof(zone));
	assert_memory_equal(m.query_zone, zone, sizeof(zone));
	assert_int_equal(m.family, AF_INET);
	assert_memory_equal(m.addr, "\300\000\002\065", 4);
	assert_int_equal(m.port, 53);
	assert_int_equal(m.protocol, RVD_DT_UDP);
	assert_int_equal(m.tcp, 0);
	assert_true(m.has_time);
	assert_int_equal(m.time_sec, 1700000000);
	assert_int_equal(m.time_nsec, 123456789);
	assert_int_equal(m.response_len, sizeof(resp));
	assert_memory_equal(m.response, resp, sizeof(resp));
	assert_int_equal(d.st.kept, 1);
	assert_int_equal(d.st.frames, 1);
	rvd_dnstap_dec_free(&d);
}

static void
tw_v6_tcp(Dnstap__Dnstap *dt, Dnstap__Message *m)
{
	static uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	dt->has_identity = 0;
	m->socket_family = DNSTAP__SOCKET_FAMILY__INET6;
	m->socket_protocol = DNSTAP__SOCKET_PROTOCOL__DOT;
	m->response_address.data = a6;
	m->response_address.len = 16;
	m->has_query_address = 0;
	m->has_query_zone = 0;
	m->has_response_time_nsec = 0;
	m->response_port = 853;
}

static void
test_decode_forwarder_v6(void **state)
{
	struct rvd_dnstap_dec d;
	struct rvd_dnstap_msg m;
	uint8_t buf[1024];
	size_t n = encode(buf, sizeof(buf), RVD_DT_FORWARDER_RESPONSE, NULL,
	    tw_v6_tcp);

	(void)state;
	assert_int_equal(rvd_dnstap_dec_init(&d, 1 << 20), RV_OK);
	assert_int_equal(rvd_dnstap_decode(&d, buf, n, &m), RV_OK);
	assert_int_equal(m.type, RVD_DT_FORWARDER_RESPONSE);
	assert_null(m.identity);
	assert_null(m.query_zone);
	assert_int_equal(m.family, AF_INET6);
	assert_int_equal(m.addr[0], 0x20);
	assert_int_equal(m.addr[15], 1);
	assert_int_equal(m.port, 853);
	assert_int_equal(m.protocol, RVD_DT_DOT);
	assert_int_equal(m.tcp, 1);
	assert_int_equal(m.time_nsec, 0);
	rvd_dnstap_dec_free(&d);
}

/* Every type but the two responses from upstream is dropped, by type;
 * client-side ones are counted apart as well. */
static void
test_decode_dropped_types(void **state)
{
	struct rvd_dnstap_dec d;
	struct rvd_dnstap_msg m;
	uint8_t buf[1024];
	size_t n;

	(void)state;
	assert_int_equal(rvd_dnstap_dec_init(&d, 1 << 20), RV_OK);
	for (int t = 1; t <= RVD_DT_TYPE_MAX; t++) {
		int kept = t == RVD_DT_RESOLVER_RESPONSE ||
		    t == RVD_DT_FORWARDER_RESPONSE;
		int client = t == RVD_DT_CLIENT_QUERY ||
		    t == RVD_DT_CLIENT_RESPONSE;

		n = encode(buf, sizeof(buf), t, "r", NULL);
		assert_int_equal(rvd_dnstap_decode(&d, buf, n, &m),
		    kept ? RV_OK : RV_ENOENT);
		/* Whatever is dropped still says who sent it and what it
		 * was: its sensor's counters need both. */
		assert_int_equal(m.type, t);
		assert_int_equal(m.identity_len, 1);
		assert_memory_equal(m.identity, "r", 1);
		if (!kept) {
			assert_null(m.response);
			assert_int_equal(rvd_dnstap_not_kept(RV_ENOENT, &m),
			    client ? RV_DT_DROPPED_CLIENT : RV_DT_DROPPED);
		}
	}
	n = encode(buf, sizeof(buf), 77, "r", NULL);	/* a future type */
	assert_int_equal(rvd_dnstap_decode(&d, buf, n, &m), RV_ENOENT);
	assert_int_equal(d.st.kept, 2);
	assert_int_equal(d.st.dropped, RVD_DT_TYPE_MAX - 2 + 1);
	assert_int_equal(d.st.client, 2);
	assert_int_equal(d.st.dropped_type[RVD_DT_CLIENT_QUERY], 1);
	assert_int_equal(d.st.dropped_type[RVD_DT_CLIENT_RESPONSE], 1);
	assert_int_equal(d.st.dropped_type[RVD_DT_AUTH_RESPONSE], 1);
	assert_int_equal(d.st.dropped_type[RVD_DT_RESOLVER_RESPONSE], 0);
	assert_int_equal(d.st.dropped_type[0], 1);
	assert_string_equal(rvd_dnstap_type_name(RVD_DT_CLIENT_QUERY),
	    "CLIENT_QUERY");
	assert_string_equal(rvd_dnstap_type_name(77), "UNKNOWN");
	rvd_dnstap_dec_free(&d);
}

/* The sensor a frame counts for: --dnstap-sensor, its identity, or the
 * fallback, never more than RV_SENSOR_MAX octets; a frame that does not
 * decode is malformed and names nobody. */
static void
test_frame_sensor(void **state)
{
	struct rvd_dnstap_dec d;
	struct rvd_dnstap_msg m;
	char longid[RV_SENSOR_MAX + 20];
	const char *name;
	uint8_t buf[1024];
	size_t n;

	(void)state;
	assert_int_equal(rvd_dnstap_dec_init(&d, 1 << 20), RV_OK);
	n = encode(buf, sizeof(buf), RVD_DT_CLIENT_QUERY, "res1", NULL);
	assert_int_equal(rvd_dnstap_decode(&d, buf, n, &m), RV_ENOENT);
	assert_int_equal(rvd_dnstap_sensor("site-a", &m, "dnstap", &name), 6);
	assert_memory_equal(name, "site-a", 6);
	assert_int_equal(rvd_dnstap_sensor(NULL, &m, "dnstap", &name), 4);
	assert_memory_equal(name, "res1", 4);
	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = 0;
	n = encode(buf, sizeof(buf), RVD_DT_RESOLVER_RESPONSE, longid, NULL);
	assert_int_equal(rvd_dnstap_decode(&d, buf, n, &m), RV_OK);
	assert_int_equal(rvd_dnstap_sensor(NULL, &m, "dnstap", &name),
	    RV_SENSOR_MAX);
	buf[0] ^= 0xff;		/* no longer a protobuf */
	assert_int_equal(rvd_dnstap_decode(&d, buf, n, &m), RV_EFORMAT);
	assert_int_equal(rvd_dnstap_sensor(NULL, &m, "dnstap", &name), 6);
	assert_memory_equal(name, "dnstap", 6);
	assert_int_equal(rvd_dnstap_not_kept(RV_EFORMAT, &m), RV_DT_MALFORMED);
	assert_int_equal(rvd_dnstap_not_kept(RV_ETOOBIG, &m), RV_DT_MALFORMED);
	rvd_dnstap_dec_free(&d);
}

static void tw_noresp(Dnstap__Dnstap *dt, Dnstap__Message *m)
{ (void)dt; m->has_response_message = 0; }
static void tw_badaddr(Dnstap__Dnstap *dt, Dnstap__Message *m)
{ (void)dt; m->socket_family = DNSTAP__SOCKET_FAMILY__INET6; }
static void tw_badport(Dnstap__Dnstap *dt, Dnstap__Message *m)
{ (void)dt; m->response_port = 70000; }
static void tw_badnsec(Dnstap__Dnstap *dt, Dnstap__Message *m)
{ (void)dt; m->response_time_nsec = 1000000000u; }
static void tw_notmsg(Dnstap__Dnstap *dt, Dnstap__Message *m)
{ (void)m; dt->type = (Dnstap__Dnstap__Type)2; }
static void tw_nomsg(Dnstap__Dnstap *dt, Dnstap__Message *m)
{ (void)m; dt->message = NULL; }

static void
test_decode_malformed(void **state)
{
	struct rvd_dnstap_dec d;
	struct rvd_dnstap_msg m;
	uint8_t buf[2048], junk[300];
	size_t n;

	(void)state;
	assert_int_equal(rvd_dnstap_dec_init(&d, 1024), RV_OK);
	/* Not protobuf; a message cut short; an empty frame (no type). */
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	assert_int_equal(rvd_dnstap_decode(&d, junk, sizeof(junk), &m),
	    RV_EFORMAT);
	n = encode(buf, sizeof(buf), RVD_DT_RESOLVER_RESPONSE, "x", NULL);
	for (size_t cut = 1; cut < n; cut += 7)
		assert_int_not_equal(rvd_dnstap_decode(&d, buf, n - cut, &m),
		    RV_OK);
	assert_int_equal(rvd_dnstap_decode(&d, buf, 0, &m), RV_EFORMAT);
	/* Fields that disagree. */
	n = encode(buf, sizeof(buf), RVD_DT_RESOLVER_RESPONSE, "x", tw_badaddr);
	assert_int_equal(rvd_dnstap_decode(&d, buf, n, &m), RV_EFORMAT);
	n = encode(buf, sizeof(buf), RVD_DT_RESOLVER_RESPONSE, "x", tw_badport);
	assert_int_equal(rvd_dnstap_decode(&d, buf, n, &m), RV_EFORMAT);
	n = encode(buf, sizeof(buf), RVD_DT_RESOLVER_RESPONSE, "x", tw_badnsec);
	assert_int_equal(rvd_dnstap_decode(&d, buf, n, &m), RV_EFORMAT);
	/* Over max_frame. */
	assert_int_equal(rvd_dnstap_decode(&d, buf, 1025, &m), RV_ETOOBIG);
	/* Well-formed, but nothing to keep. */
	n = encode(buf, sizeof(buf), RVD_DT_RESOLVER_RESPONSE, "x", tw_noresp);
	assert_int_equal(rvd_dnstap_decode(&d, buf, n, &m), RV_ENOENT);
	assert_int_equal(d.st.no_response, 1);
	n = encode(buf, sizeof(buf), RVD_DT_RESOLVER_RESPONSE, "x", tw_notmsg);
	assert_int_equal(rvd_dnstap_decode(&d, buf, n, &m), RV_ENOENT);
	n = encode(buf, sizeof(buf), RVD_DT_RESOLVER_RESPONSE, "x", tw_nomsg);
	assert_int_equal(rvd_dnstap_decode(&d, buf, n, &m), RV_ENOENT);
	assert_int_equal(d.st.not_message, 2);
	assert_true(d.st.malformed >= 6);
	assert_int_equal(d.st.kept, 0);
	rvd_dnstap_dec_free(&d);
}

/* Fields this schema does not know (a later dnstap's policy = 15 or the
 * sender's own) are skipped; a frame of thousands of tiny fields stays
 * inside the arena's bound (kept or refused, never more memory). */
static void
test_decode_unknown_fields(void **state)
{
	struct rvd_dnstap_dec d;
	struct rvd_dnstap_msg m;
	size_t cap = 200000, n;
	uint8_t *buf = malloc(cap);

	(void)state;
	assert_non_null(buf);
	assert_int_equal(rvd_dnstap_dec_init(&d, cap), RV_OK);
	n = encode(buf, cap, RVD_DT_RESOLVER_RESPONSE, "x", NULL);
	buf[n++] = 0x80;	/* field 16, varint */
	buf[n++] = 0x01;
	buf[n++] = 0x05;
	buf[n++] = 0xa2;	/* field 20, bytes, length 2 */
	buf[n++] = 0x01;
	buf[n++] = 0x02;
	buf[n++] = 'h';
	buf[n++] = 'i';
	assert_int_equal(rvd_dnstap_decode(&d, buf, n, &m), RV_OK);
	assert_int_equal(m.response_len, sizeof(resp));
	while (n + 3 <= cap) {	/* a flood of unknown varints */
		buf[n++] = 0x80;
		buf[n++] = 0x01;
		buf[n++] = 0x01;
	}
	(void)rvd_dnstap_decode(&d, buf, n, &m);
	assert_true(d.cap <= 2 * cap + (64 << 10));
	rvd_dnstap_dec_free(&d);
	free(buf);
}

/* --- the server ------------------------------------------------------------- */

struct srv_fx {
	struct rvd_fstrm_server *s;
	char dir[64], path[128], url[160];
	struct rvd_dnstap_dec dec;
	pthread_mutex_t mu;
	uint64_t kept, other;
	uint64_t last_conn;
};

static void
on_frame(void *arg, const struct rvd_fstrm_peer *peer, const uint8_t *data,
    size_t len)
{
	struct srv_fx *f = arg;
	struct rvd_dnstap_msg m;

	pthread_mutex_lock(&f->mu);
	if (rvd_dnstap_decode(&f->dec, data, len, &m) == RV_OK)
		f->kept++;
	else
		f->other++;
	f->last_conn = peer->conn;
	pthread_mutex_unlock(&f->mu);
}

static int
srv_setup_opts(void **state, size_t max_conns, unsigned handshake_ms)
{
	struct srv_fx *f = calloc(1, sizeof(*f));
	struct rvd_fstrm_opts o = {
		.content_type = CT, .max_frame = 4096, .max_conns = max_conns,
		.handshake_ms = handshake_ms, .on_frame = on_frame,
	};

	if (!f)
		return -1;
	pthread_mutex_init(&f->mu, NULL);
	snprintf(f->dir, sizeof(f->dir), "/tmp/rv-test-dnstap-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/run/dt.sock", f->dir);
	snprintf(f->url, sizeof(f->url), "unix:%s", f->path);
	o.arg = f;
	if (rvd_dnstap_dec_init(&f->dec, 4096) != RV_OK ||
	    rvd_fstrm_server_new(&o, &f->s) != RV_OK ||
	    rvd_fstrm_server_listen(f->s, f->url) != RV_OK ||
	    rvd_fstrm_server_listen(f->s, "tcp://127.0.0.1:0") != RV_OK ||
	    rvd_fstrm_server_start(f->s) != RV_OK)
		return -1;
	*state = f;
	return 0;
}

static int
srv_setup(void **state)
{
	return srv_setup_opts(state, 8, 10000);
}

static int
srv_setup_small(void **state)
{
	return srv_setup_opts(state, 2, 300);
}

static int
srv_teardown(void **state)
{
	struct srv_fx *f = *state;
	struct stat sb;
	char run[160];

	rvd_fstrm_server_free(f->s);
	/* The socket file went with the server. */
	if (stat(f->path, &sb) == 0)
		return -1;
	snprintf(run, sizeof(run), "%s/run", f->dir);
	rmdir(run);
	rmdir(f->dir);
	rvd_dnstap_dec_free(&f->dec);
	pthread_mutex_destroy(&f->mu);
	free(f);
	return 0;
}

static int
dial_unix(const struct srv_fx *f)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memcpy(sun.sun_path, f->path, strlen(f->path) + 1);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static int
dial_tcp(const struct srv_fx *f)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sin.sin_port = htons((uint16_t)rvd_fstrm_server_port(f->s, 1));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
send_all(int fd, const void *p, size_t n)
{
	assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Send to a server that may close the connection as soon as it has seen
 * enough of a bad frame: the rest may then find the socket reset. */
static void
send_may_fail(int fd, const void *p, size_t n)
{
	ssize_t r = send(fd, p, n, MSG_NOSIGNAL);

	assert_true(r == (ssize_t)n || (r < 0 && (errno == EPIPE ||
	    errno == ECONNRESET)));
}

/* A control frame, with a content type when ct is not NULL. */
static void
send_control(int fd, uint32_t type, const char *ct)
{
	uint8_t b[600];
	size_t cl = 4 + (ct ? 8 + strlen(ct) : 0);

	put32(b, 0);
	put32(b + 4, (uint32_t)cl);
	put32(b + 8, type);
	if (ct) {
		put32(b + 12, RVD_FSTRM_FIELD_CONTENT_TYPE);
		put32(b + 16, (uint32_t)strlen(ct));
		memcpy(b + 20, ct, strlen(ct));
	}
	send_all(fd, b, 8 + cl);
}

static void
send_data(int fd, const uint8_t *p, size_t n)
{
	uint8_t h[4];

	put32(h, (uint32_t)n);
	send_all(fd, h, 4);
	send_all(fd, p, n);
}

/* Read exactly n octets (2 s at most); \return n, or fewer at EOF. */
static size_t
recv_n(int fd, uint8_t *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		ssize_t r;
		if (poll(&pf, 1, 2000) <= 0)
			break;
		if ((r = recv(fd, p + got, n - got, 0)) <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

/* Expect a control frame of type; \return its content type length. */
static size_t
expect_control(int fd, uint32_t type, char *ct, size_t ctcap)
{
	uint8_t b[600];
	uint32_t cl;
	size_t ctlen = 0;

	assert_int_equal(recv_n(fd, b, 8), 8);
	assert_int_equal(b[0] | b[1] | b[2] | b[3], 0);
	cl = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | b[6] << 8 | b[7];
	assert_true(cl >= 4 && cl <= 512);
	assert_int_equal(recv_n(fd, b, cl), cl);
	assert_int_equal(b[3], type);
	if (cl >= 12) {
		ctlen = (size_t)b[10] << 8 | b[11];
		assert_int_equal(b[7], RVD_FSTRM_FIELD_CONTENT_TYPE);
		assert_true(ctlen < ctcap && 12 + ctlen <= cl);
		memcpy(ct, b + 12, ctlen);
		ct[ctlen] = 0;
	}
	return ctlen;
}

/* The peer closed: EOF within 2 s. */
static int
closed_by_server(int fd)
{
	uint8_t b[64];
	struct pollfd pf = { .fd = fd, .events = POLLIN };

	for (int i = 0; i < 100; i++) {
		ssize_t r;
		if (poll(&pf, 1, 2000) <= 0)
			return 0;
		r = recv(fd, b, sizeof(b), 0);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return 1;
		if (r < 0)
			return 0;
	}
	return 0;
}

static struct rvd_fstrm_stats
stats_when(const struct srv_fx *f, size_t off, uint64_t want)
{
	struct rvd_fstrm_stats st;

	for (int i = 0; i < 400; i++) {
		rvd_fstrm_server_stats(f->s, &st);
		if (*(const uint64_t *)((const char *)&st + off) >= want)
			break;
		usleep(5000);
	}
	return st;
}
#define WAIT(f, field, want) \
	stats_when(f, offsetof(struct rvd_fstrm_stats, field), want)

static void
test_server_bidirectional(void **state)
{
	struct srv_fx *f = *state;
	struct rvd_fstrm_stats st;
	uint8_t msg[1024];
	char ct[300];
	size_t n;
	int fd = dial_unix(f);

	/* READY offers several content types, ours among them. */
	{
		const char *a = "protobuf:other.Type";
		size_t la = strlen(a), lb = strlen(CT), cl = 4 + 8 + la + 8 + lb;
		uint8_t *p = malloc(8 + cl);
		assert_non_null(p);
		put32(p, 0);
		put32(p + 4, (uint32_t)cl);
		put32(p + 8, RVD_FSTRM_READY);
		put32(p + 12, RVD_FSTRM_FIELD_CONTENT_TYPE);
		put32(p + 16, (uint32_t)la);
		memcpy(p + 20, a, la);
		put32(p + 20 + la, RVD_FSTRM_FIELD_CONTENT_TYPE);
		put32(p + 24 + la, (uint32_t)lb);
		memcpy(p + 28 + la, CT, lb);
		send_all(fd, p, 8 + cl);
		free(p);
	}
	assert_int_equal(expect_control(fd, RVD_FSTRM_ACCEPT, ct, sizeof(ct)),
	    strlen(CT));
	assert_string_equal(ct, CT);
	send_control(fd, RVD_FSTRM_START, CT);
	n = encode(msg, sizeof(msg), RVD_DT_RESOLVER_RESPONSE, "ns1", NULL);
	send_data(fd, msg, n);
	n = encode(msg, sizeof(msg), RVD_DT_CLIENT_QUERY, "ns1", NULL);
	send_data(fd, msg, n);
	n = encode(msg, sizeof(msg), RVD_DT_FORWARDER_RESPONSE, "ns1", NULL);
	send_data(fd, msg, n);
	send_control(fd, RVD_FSTRM_STOP, NULL);
	expect_control(fd, RVD_FSTRM_FINISH, ct, sizeof(ct));
	assert_true(closed_by_server(fd));
	close(fd);
	st = WAIT(f, closed_clean, 1);
	assert_int_equal(st.closed_clean, 1);
	assert_int_equal(st.frames, 3);
	assert_int_equal(st.connections, 1);
	assert_int_equal(st.bad_frames, 0);
	assert_int_equal(st.closed_error, 0);
	assert_int_equal(st.active, 0);
	pthread_mutex_lock(&f->mu);
	assert_int_equal(f->kept, 2);
	assert_int_equal(f->other, 1);
	assert_int_equal(f->dec.st.client, 1);
	pthread_mutex_unlock(&f->mu);
}

/* A unidirectional sender (fstrm's file replay, a TCP output): START,
 * frames, STOP, no answers; frames split across writes byte by byte. */
static void
test_server_unidirectional_tcp(void **state)
{
	struct srv_fx *f = *state;
	struct rvd_fstrm_stats st;
	uint8_t msg[1024], h[4];
	size_t n = encode(msg, sizeof(msg), RVD_DT_RESOLVER_RESPONSE, NULL,
	    NULL);
	int fd = dial_tcp(f);

	send_control(fd, RVD_FSTRM_START, CT);
	put32(h, (uint32_t)n);
	for (size_t i = 0; i < 4; i++) {
		send_all(fd, h + i, 1);
		usleep(1000);
	}
	for (size_t i = 0; i < n; i += 50) {
		send_all(fd, msg + i, n - i < 50 ? n - i : 50);
		usleep(1000);
	}
	for (int k = 0; k < 20; k++)
		send_data(fd, msg, n);
	send_control(fd, RVD_FSTRM_STOP, NULL);
	assert_true(closed_by_server(fd));
	close(fd);
	st = WAIT(f, closed_clean, 1);
	assert_int_equal(st.frames, 21);
	assert_int_equal(st.bytes, 21 * n);
	assert_int_equal(st.closed_clean, 1);
	pthread_mutex_lock(&f->mu);
	assert_int_equal(f->kept, 21);
	pthread_mutex_unlock(&f->mu);
}

static void
test_server_bad_control(void **state)
{
	struct srv_fx *f = *state;
	struct rvd_fstrm_stats st;
	uint8_t msg[64] = { 1, 2, 3 }, b[16];
	int fd;

	/* READY without our content type: no ACCEPT, closed. */
	fd = dial_unix(f);
	send_control(fd, RVD_FSTRM_READY, "protobuf:other.Type");
	assert_true(closed_by_server(fd));
	close(fd);
	/* Data before START (closed after its length, maybe). */
	fd = dial_unix(f);
	put32(b, 3);
	send_all(fd, b, 4);
	send_may_fail(fd, msg, 3);
	assert_true(closed_by_server(fd));
	close(fd);
	/* START with another content type. */
	fd = dial_tcp(f);
	send_control(fd, RVD_FSTRM_START, "text:plain");
	assert_true(closed_by_server(fd));
	close(fd);
	/* A client sending FINISH, an unknown type, STOP before START. */
	fd = dial_unix(f);
	send_control(fd, RVD_FSTRM_FINISH, NULL);
	assert_true(closed_by_server(fd));
	close(fd);
	fd = dial_unix(f);
	send_control(fd, 0x77, NULL);
	assert_true(closed_by_server(fd));
	close(fd);
	fd = dial_unix(f);
	send_control(fd, RVD_FSTRM_STOP, NULL);
	assert_true(closed_by_server(fd));
	close(fd);
	/* A control frame over 512 octets; one shorter than its type. */
	fd = dial_unix(f);
	put32(b, 0);
	put32(b + 4, 100000);
	send_all(fd, b, 8);
	assert_true(closed_by_server(fd));
	close(fd);
	fd = dial_unix(f);
	put32(b, 0);
	put32(b + 4, 2);
	b[8] = b[9] = 0;
	send_all(fd, b, 10);
	assert_true(closed_by_server(fd));
	close(fd);
	/* A field longer than its control frame. */
	fd = dial_unix(f);
	put32(b, 0);
	put32(b + 4, 12);
	put32(b + 8, RVD_FSTRM_START);
	put32(b + 12, 1);
	send_all(fd, b, 16);
	put32(b, 400);
	send_may_fail(fd, b, 4);
	assert_true(closed_by_server(fd));
	close(fd);
	st = WAIT(f, bad_frames, 9);
	assert_int_equal(st.bad_frames, 9);
	assert_int_equal(st.closed_error, 9);
	assert_int_equal(st.frames, 0);
}

/* Garbage, a frame over max_frame, an end in the middle of a frame: each
 * closes its connection and is counted; the server goes on serving. */
static void
test_server_garbage_and_truncation(void **state)
{
	struct srv_fx *f = *state;
	struct rvd_fstrm_stats st;
	uint8_t junk[3000], msg[1024], h[4];
	size_t n = encode(msg, sizeof(msg), RVD_DT_RESOLVER_RESPONSE, NULL,
	    NULL);
	int fd;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + 7);
	fd = dial_tcp(f);
	send_all(fd, junk, sizeof(junk));
	assert_true(closed_by_server(fd));
	close(fd);
	/* Oversize, after a good start. */
	fd = dial_unix(f);
	send_control(fd, RVD_FSTRM_START, CT);
	put32(h, 4097);
	send_all(fd, h, 4);
	assert_true(closed_by_server(fd));
	close(fd);
	/* Gone in the middle of a frame (its length said more). */
	fd = dial_unix(f);
	send_control(fd, RVD_FSTRM_START, CT);
	send_data(fd, msg, n);
	put32(h, (uint32_t)n);
	send_all(fd, h, 4);
	send_all(fd, msg, n / 2);
	close(fd);
	/* Gone in the middle of a control frame. */
	fd = dial_unix(f);
	put32(h, 0);
	send_all(fd, h, 4);
	send_all(fd, "\0\0", 2);
	close(fd);
	st = WAIT(f, truncated, 2);
	assert_int_equal(st.truncated, 2);
	assert_int_equal(st.bad_frames, 2);
	assert_int_equal(st.frames, 1);
	assert_int_equal(st.closed_error, 4);
	/* Still serving. */
	fd = dial_unix(f);
	send_control(fd, RVD_FSTRM_START, CT);
	send_data(fd, msg, n);
	send_control(fd, RVD_FSTRM_STOP, NULL);
	assert_true(closed_by_server(fd));
	close(fd);
	st = WAIT(f, frames, 2);
	assert_int_equal(st.frames, 2);
}

/* A sender stalled in the middle of a frame holds nobody else back. */
static void
test_server_stalled_sender(void **state)
{
	struct srv_fx *f = *state;
	struct rvd_fstrm_stats st;
	uint8_t msg[1024], h[4];
	size_t n = encode(msg, sizeof(msg), RVD_DT_RESOLVER_RESPONSE, NULL,
	    NULL);
	int slow = dial_tcp(f), fast;

	send_control(slow, RVD_FSTRM_START, CT);
	put32(h, (uint32_t)n);
	send_all(slow, h, 4);
	send_all(slow, msg, 10);		/* and then nothing */
	fast = dial_unix(f);
	send_control(fast, RVD_FSTRM_START, CT);
	for (int i = 0; i < 50; i++)
		send_data(fast, msg, n);
	st = WAIT(f, frames, 50);
	assert_int_equal(st.frames, 50);
	send_control(fast, RVD_FSTRM_STOP, NULL);
	assert_true(closed_by_server(fast));
	close(fast);
	/* The slow one finishes its frame at last. */
	send_all(slow, msg + 10, n - 10);
	st = WAIT(f, frames, 51);
	assert_int_equal(st.frames, 51);
	close(slow);
	st = WAIT(f, closed_eof, 1);
	assert_int_equal(st.closed_eof, 1);
}

/* Over max_conns: accepted and closed at once; a connection that does not
 * start in time is closed. */
static void
test_server_limits(void **state)
{
	struct srv_fx *f = *state;
	struct rvd_fstrm_stats st;
	int a = dial_unix(f), b = dial_tcp(f), c;

	st = WAIT(f, connections, 2);
	assert_int_equal(st.connections, 2);
	c = dial_unix(f);
	assert_true(closed_by_server(c));
	close(c);
	st = WAIT(f, refused, 1);
	assert_int_equal(st.refused, 1);
	/* b starts; a never does and times out (300 ms). */
	send_control(b, RVD_FSTRM_START, CT);
	assert_true(closed_by_server(a));
	close(a);
	st = WAIT(f, timeouts, 1);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(st.active, 1);
	close(b);
	st = WAIT(f, closed_eof, 1);
	assert_int_equal(st.active, 0);
}

static void
test_server_listen_errors(void **state)
{
	struct rvd_fstrm_server *s;
	struct rvd_fstrm_opts o = { .content_type = CT, .on_frame = on_frame };
	char dir[] = "/tmp/rv-test-dnstap-XXXXXX", path[96], url[128];
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(rvd_fstrm_server_new(&o, &s), RV_OK);
	assert_int_equal(rvd_fstrm_server_listen(s, "udp://1.2.3.4:5"),
	    RV_EINVAL);
	assert_int_equal(rvd_fstrm_server_listen(s, "tcp://127.0.0.1"),
	    RV_EINVAL);
	assert_int_equal(rvd_fstrm_server_listen(s, "tcp://192.0.2.1:6000"),
	    RV_EINVAL);	/* not loopback */
	assert_int_equal(rvd_fstrm_server_listen(s, "tcp://:6000"),
	    RV_EINVAL);	/* every interface */
	/* A regular file where the socket would be: left alone. */
	snprintf(path, sizeof(path), "%s/file", dir);
	assert_non_null(fp = fopen(path, "w"));
	fclose(fp);
	snprintf(url, sizeof(url), "unix:%s", path);
	assert_int_equal(rvd_fstrm_server_listen(s, url), RV_EEXIST);
	unlink(path);
	/* A live socket: refused; a stale one: replaced. */
	snprintf(path, sizeof(path), "%s/s", dir);
	snprintf(url, sizeof(url), "unix://%s", path);
	assert_int_equal(rvd_fstrm_server_listen(s, url), RV_OK);
	{
		struct rvd_fstrm_server *s2;
		assert_int_equal(rvd_fstrm_server_new(&o, &s2), RV_OK);
		assert_int_equal(rvd_fstrm_server_listen(s2, url), RV_EEXIST);
		rvd_fstrm_server_free(s2);
	}
	rvd_fstrm_server_free(s);
	{
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		memcpy(sun.sun_path, path, strlen(path) + 1);
		assert_int_equal(bind(fd, (struct sockaddr *)&sun,
		    sizeof(sun)), 0);
		close(fd);	/* stale: a file nobody listens on */
	}
	assert_int_equal(rvd_fstrm_server_new(&o, &s), RV_OK);
	assert_int_equal(rvd_fstrm_server_listen(s, url), RV_OK);
	{
		struct stat sb;
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0660);
	}
	rvd_fstrm_server_free(s);
	assert_int_not_equal(access(path, F_OK), 0);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_resolver_response),
		cmocka_unit_test(test_decode_forwarder_v6),
		cmocka_unit_test(test_decode_dropped_types),
		cmocka_unit_test(test_frame_sensor),
		cmocka_unit_test(test_decode_malformed),
		cmocka_unit_test(test_decode_unknown_fields),
		cmocka_unit_test_setup_teardown(test_server_bidirectional,
		    srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_unidirectional_tcp,
		    srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_bad_control,
		    srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(
		    test_server_garbage_and_truncation, srv_setup,
		    srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_stalled_sender,
		    srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_server_limits,
		    srv_setup_small, srv_teardown),
		cmocka_unit_test(test_server_listen_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
