/**
 * \file rel_rogue.c
 * Test helper for the reliability tests: a rogue nng PUSH client that
 * sends hostile frames to rearviewd (over ipc://, tcp:// or tls+tcp://,
 * with or without a client certificate).
 *
 *   rel_rogue [TLS options] --connect URL MODE [--count N] [--size N]
 *   lies      a valid 3-record frame, then one copy per lie: every length
 *             field of the header and of each record (record length, each
 *             label length of the first label of every name, rdata count,
 *             every rdata length) set to 0, 1, one less, one more, 0x3f/
 *             0xc0 for labels, and all ones; then every truncation of the
 *             frame. Prints "lies N invalid I" (I by the library's own
 *             validator: what the daemon must reject).
 *   size      one valid frame of exactly --size octets (A records, the
 *             last one padded by a TXT record to hit the size)
 *   names     one valid frame with names at their limits: 127 labels,
 *             escaped dots, zero octets, upper case, a 63-octet label
 *   bigset    RRsets over 64 KiB: 20000 A rdata, 2 TXT of 40000 octets
 *   valid     --count N records vN.rogue.test A 198.51.100.x in frames of
 *             100, sensor --sensor (default "rogue")
 *   hangup    --count N plain connections to the URL's address (ipc:// or
 *             tcp://IPV4:PORT) closed at once without a byte, as a port
 *             scanner or a health check does; prints "hangups N"
 * Exit 0 when every frame was handed to nng, 1 if a send failed (e.g. no
 * TLS session), 2 on a usage error.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pipeline0/push.h>
#include <nng/supplemental/tls/tls.h>

#include "rv_err.h"
#include "rv_frame.h"
#include "rv_name.h"

#define BUFSZ (8u << 20)

static nng_socket sock;
static unsigned long sent, failed;
static const char *sensor = "rogue";

static void
send_buf(const uint8_t *b, size_t n)
{
	int rv = nng_send(sock, (void *)b, n, 0);

	if (rv) {
		fprintf(stderr, "rel_rogue: send of %zu octets: %s\n", n,
		    nng_strerror(rv));
		failed++;
	} else {
		sent++;
	}
}

/* A record with the given owner (wire), type and rdata block. */
static void
rec_init(struct rv_record *r, const uint8_t *owner, size_t olen,
    uint16_t type, const uint8_t *rd, size_t rdlen, uint16_t rdcount)
{
	static const uint8_t zone[] = { 4, 't', 'e', 's', 't', 0 };

	memset(r, 0, sizeof(*r));
	r->kind = RV_REC_RRSET;
	r->section = RV_SEC_ANSWER;
	r->flags = RV_RF_AA;
	r->time = 1700000000;
	r->server.family = 4;
	r->server.addr[0] = 127;
	r->server.addr[3] = 9;
	r->port = 53;
	r->qtype = type;
	r->qclass = 1;
	r->qname = owner;
	r->qname_len = olen;
	r->zone = zone;
	r->zone_len = sizeof(zone);
	r->owner = owner;
	r->owner_len = olen;
	r->type = type;
	r->rclass = 1;
	r->ttl = 300;
	r->rdcount = rdcount;
	r->rdata = rd;
	r->rdata_len = rdlen;
}

static int
add_a(struct rv_frame_enc *e, const char *name, unsigned i)
{
	uint8_t w[RV_NAME_MAX], rd[6] = { 0, 4, 198, 51, (uint8_t)(100 + i /
	    256 % 100), (uint8_t)i };
	struct rv_record r;
	size_t wl;

	if (rv_name_from_str(name, w, &wl) != RV_OK)
		return RV_EINVAL;
	rec_init(&r, w, wl, 1, rd, sizeof(rd), 1);
	return rv_frame_add(e, &r);
}

/* Lie in the field of width w at offset o; send the copy. */
static unsigned long nlies, ninvalid;

static void
lie(const uint8_t *f, size_t n, size_t o, int w, uint64_t orig, uint8_t *tmp)
{
	uint64_t vals[] = { 0, 1, orig - 1, orig + 1, 0x3f, 0xc0,
	    w == 1 ? 0xff : w == 2 ? 0xffff : 0xffffffffu };
	struct rv_frame_hdr h;

	for (size_t k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
		uint64_t v = vals[k];
		if (v == orig || (w != 1 && (k == 4 || k == 5)))
			continue;
		memcpy(tmp, f, n);
		for (int b = 0; b < w; b++)
			tmp[o + (size_t)b] = (uint8_t)(v >> (8 * (w - 1 - b)));
		nlies++;
		if (rv_frame_validate(tmp, n, &h) != RV_OK)
			ninvalid++;
		send_buf(tmp, n);
	}
}

static uint64_t
rd_be(const uint8_t *p, int w)
{
	uint64_t v = 0;

	for (int i = 0; i < w; i++)
		v = v << 8 | p[i];
	return v;
}

static void
mode_lies(uint8_t *buf, uint8_t *tmp)
{
	struct rv_frame_enc e;
	struct rv_frame_hdr h;
	size_t n, o;

	rv_frame_begin(&e, buf, BUFSZ, sensor, strlen(sensor));
	add_a(&e, "one.lies.test", 1);
	add_a(&e, "two.lies.test", 2);
	add_a(&e, "three.lies.test", 3);
	n = rv_frame_finish(&e);
	send_buf(buf, n);		/* the honest one */
	lie(buf, n, 6, 1, buf[6], tmp);	/* sensor name length */
	lie(buf, n, 8, 4, rd_be(buf + 8, 4), tmp);	/* record count */
	if (rv_frame_decode_header(buf, n, &h, &o) != RV_OK)
		exit(3);
	while (o < n) {
		size_t r = o, p = o + 4 + 4 + 8, end;
		uint16_t rdc;
		lie(buf, n, r, 4, rd_be(buf + r, 4), tmp);	/* record len */
		end = r + 4 + rd_be(buf + r, 4);
		p += 1 + (buf[p] == 4 ? 4 : buf[p] == 6 ? 16 : 0) + 2 + 4;
		for (int nm = 0; nm < 3; nm++) {	/* qname, zone, owner */
			lie(buf, n, p, 1, buf[p], tmp);
			while (buf[p])
				p += 1 + buf[p];
			p++;
		}
		p += 2 + 2 + 4;
		rdc = (uint16_t)rd_be(buf + p, 2);
		lie(buf, n, p, 2, rdc, tmp);		/* rdata count */
		p += 2;
		for (uint16_t i = 0; i < rdc; i++) {
			lie(buf, n, p, 2, rd_be(buf + p, 2), tmp);
			p += 2 + rd_be(buf + p, 2);
		}
		o = end;
	}
	for (size_t cut = 0; cut < n; cut++) {	/* every truncation */
		nlies++;
		if (rv_frame_validate(buf, cut, &h) != RV_OK)
			ninvalid++;
		send_buf(buf, cut ? cut : 1);
	}
	printf("lies %lu invalid %lu\n", nlies, ninvalid);
}

static int
mode_size(uint8_t *buf, size_t want)
{
	struct rv_frame_enc e;
	struct rv_record r;
	static uint8_t pad[2 + 65535];
	uint8_t w[RV_NAME_MAX];
	char name[64];
	size_t wl, base, n;
	unsigned i = 0;

	if (want > BUFSZ)
		return 2;
	rv_frame_begin(&e, buf, want, sensor, strlen(sensor));
	rv_name_from_str("pad.size.test", w, &wl);
	rec_init(&r, w, wl, 16, pad, 3, 1);
	base = rv_record_size(&r) - 3;	/* a TXT record without rdata */
	/* A records while the rest is more than one TXT record can pad
	 * (an A record is ~50 octets, so what is left is then 3..65537). */
	while (want - e.len > base + 3 + 65000) {
		snprintf(name, sizeof(name), "s%u.size.test", i);
		if (add_a(&e, name, i++) != RV_OK)
			return 3;
	}
	n = want - e.len - base;	/* rdata block: 2 + len, TXT 1 + txt */
	if (n < 3 || n > sizeof(pad))
		return 3;
	pad[0] = (uint8_t)((n - 2) >> 8);
	pad[1] = (uint8_t)(n - 2);
	/* TXT rdata: character strings of up to 255 octets filling n - 2 */
	for (size_t o = 2; o < n;) {
		size_t l = n - o - 1 > 255 ? 255 : n - o - 1;
		pad[o] = (uint8_t)l;
		memset(pad + o + 1, 'x', l);
		o += 1 + l;
	}
	rec_init(&r, w, wl, 16, pad, n, 1);
	if (rv_frame_add(&e, &r) != RV_OK)
		return 3;
	n = rv_frame_finish(&e);
	if (n != want)
		return 3;
	send_buf(buf, n);
	printf("size %zu records %u\n", n, i + 1);
	return 0;
}

static void
mode_names(uint8_t *buf)
{
	static const char *names[] = {
		"a\\.b.names.test", "zero\\000x.names.test",
		"\\000.names.test", "UPPER.Names.TEST",
		"back\\\\slash.names.test", "sp\\032ace.names.test",
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		".names.test",
	};
	struct rv_frame_enc e;
	char deep[600];
	size_t o = 0;

	rv_frame_begin(&e, buf, BUFSZ, sensor, strlen(sensor));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (add_a(&e, names[i], (unsigned)i) != RV_OK)
			fprintf(stderr, "rel_rogue: %s not a name\n", names[i]);
	/* 127 labels of one octet: 255 octets, the longest a name can be */
	for (int i = 0; i < 125; i++)
		o += (size_t)snprintf(deep + o, sizeof(deep) - o, "a.");
	snprintf(deep + o, sizeof(deep) - o, "z.t");
	if (add_a(&e, deep, 9) != RV_OK)
		fprintf(stderr, "rel_rogue: deep name refused\n");
	send_buf(buf, rv_frame_finish(&e));
	printf("names %u\n", e.count);
}

static void
mode_bigset(uint8_t *buf)
{
	static uint8_t rd[20000 * 6 + 2 * 40002];
	struct rv_frame_enc e;
	struct rv_record r;
	uint8_t w[RV_NAME_MAX];
	size_t wl, o = 0;

	rv_frame_begin(&e, buf, BUFSZ, sensor, strlen(sensor));
	for (unsigned i = 0; i < 20000; i++) {
		uint8_t *p = rd + 6 * i;
		p[0] = 0; p[1] = 4; p[2] = 10; p[3] = 77;
		p[4] = (uint8_t)(i >> 8); p[5] = (uint8_t)i;
	}
	rv_name_from_str("many-a.bigset.test", w, &wl);
	rec_init(&r, w, wl, 1, rd, 6 * 20000, 20000);
	rv_frame_add(&e, &r);
	for (int k = 0; k < 2; k++) {	/* TXT: 2 rdata of 40000 octets */
		uint8_t *p = rd + o;
		p[0] = 40000 >> 8; p[1] = 40000 & 0xff;
		for (size_t s = 0; s < 40000; s += 250) {
			p[2 + s] = 249;
			memset(p + 3 + s, 'a' + k, 249);
		}
		o += 40002;
	}
	rv_name_from_str("big-txt.bigset.test", w, &wl);
	rec_init(&r, w, wl, 16, rd, o, 2);
	rv_frame_add(&e, &r);
	add_a(&e, "small.bigset.test", 1);	/* the one that fits */
	send_buf(buf, rv_frame_finish(&e));
	printf("bigset %u\n", e.count);
}

static void
mode_valid(uint8_t *buf, unsigned long count)
{
	struct rv_frame_enc e;
	char name[64];

	for (unsigned long i = 0; i < count;) {
		rv_frame_begin(&e, buf, BUFSZ, sensor, strlen(sensor));
		for (int k = 0; k < 100 && i < count; k++, i++) {
			snprintf(name, sizeof(name), "v%lu.rogue.test", i);
			add_a(&e, name, (unsigned)i);
		}
		send_buf(buf, rv_frame_finish(&e));
	}
	printf("valid %lu\n", count);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: rel_rogue [--tls-ca F] [--tls-cert-key F] "
	    "[--tls-server-name N] [--sensor S]\n"
	    "       --connect URL lies|size|names|bigset|valid|hangup "
	    "[--size N] [--count N]\n");
}

/* Connect to the URL's address N times and close at once. */
static int
mode_hangup(const char *url, unsigned long n)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *su = (struct sockaddr_un *)&ss;
	struct sockaddr_in *si = (struct sockaddr_in *)&ss;
	socklen_t len;
	char host[64];
	unsigned port;
	unsigned long done = 0;

	memset(&ss, 0, sizeof(ss));
	if (!strncmp(url, "ipc://", 6) &&
	    strlen(url + 6) < sizeof(su->sun_path)) {
		su->sun_family = AF_UNIX;
		strcpy(su->sun_path, url + 6);
		len = sizeof(*su);
	} else if (sscanf(url, "tcp://%63[0-9.]:%u", host, &port) == 2 &&
	    inet_pton(AF_INET, host, &si->sin_addr) == 1 && port < 65536) {
		si->sin_family = AF_INET;
		si->sin_port = htons((uint16_t)port);
		len = sizeof(*si);
	} else {
		fprintf(stderr, "rel_rogue: hangup needs ipc:// or "
		    "tcp://IPV4:PORT, not %s\n", url);
		return 2;
	}
	for (unsigned long i = 0; i < n; i++) {
		int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return 1;
		if (connect(fd, (struct sockaddr *)&ss, len) == 0)
			done++;
		close(fd);
	}
	printf("hangups %lu\n", done);
	return done == n ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static const struct option o[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "size", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "sensor", required_argument, NULL, 'S' },
		{ "tls-ca", required_argument, NULL, 'A' },
		{ "tls-cert-key", required_argument, NULL, 'K' },
		{ "tls-server-name", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = NULL, *ca = NULL, *ck = NULL, *sn = NULL, *mode;
	unsigned long size = 0, count = 100;
	uint8_t *buf, *tmp;
	nng_dialer d;
	int c, rv, rc = 0;

	while ((c = getopt_long(argc, argv, "h", o, NULL)) != -1) {
		switch (c) {
		case 'c': url = optarg; break;
		case 's': size = strtoul(optarg, NULL, 10); break;
		case 'n': count = strtoul(optarg, NULL, 10); break;
		case 'S': sensor = optarg; break;
		case 'A': ca = optarg; break;
		case 'K': ck = optarg; break;
		case 'N': sn = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!url || optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	mode = argv[optind];
	if (!strcmp(mode, "hangup"))
		return mode_hangup(url, count);
	buf = malloc(BUFSZ);
	tmp = malloc(BUFSZ);
	if (!buf || !tmp)
		return 1;
	if ((rv = nng_push0_open(&sock)) ||
	    (rv = nng_socket_set_ms(sock, NNG_OPT_SENDTIMEO, 3000)) ||
	    (rv = nng_dialer_create(&d, sock, url)) ||
	    (ca && (rv = nng_dialer_set_string(d, NNG_OPT_TLS_CA_FILE, ca))) ||
	    (ck && (rv = nng_dialer_set_string(d, NNG_OPT_TLS_CERT_KEY_FILE,
	    ck))) ||
	    (sn && (rv = nng_dialer_set_string(d, NNG_OPT_TLS_SERVER_NAME,
	    sn))) ||
	    (rv = nng_dialer_start(d, NNG_FLAG_NONBLOCK))) {
		fprintf(stderr, "rel_rogue: %s: %s\n", url, nng_strerror(rv));
		return 1;
	}
	if (!strcmp(mode, "lies"))
		mode_lies(buf, tmp);
	else if (!strcmp(mode, "size"))
		rc = mode_size(buf, size);
	else if (!strcmp(mode, "names"))
		mode_names(buf);
	else if (!strcmp(mode, "bigset"))
		mode_bigset(buf);
	else if (!strcmp(mode, "valid"))
		mode_valid(buf, count);
	else {
		usage(stderr);
		rc = 2;
	}
	/* Let nng's buffer drain, then leave without nng_close: in nng 1.5.2
	 * it can wait forever for a pipe whose peer closed it in the middle
	 * of a message (what the size mode provokes), and exit frees it all
	 * anyway. */
	sleep(1);
	free(buf);
	free(tmp);
	printf("sent %lu failed %lu\n", sent, failed);
	return rc ? rc : failed ? 1 : 0;
}
