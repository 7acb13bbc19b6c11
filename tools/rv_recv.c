/**
 * \file rv_recv.c
 * A small nng PULL receiver for the end-to-end tests: listens on a URL,
 * validates every frame with lib/rv_frame.h and prints one line per record
 * so a test can assert record by record:
 *
 *   rec owner=www.shop.test. type=A sec=answer kind=rrset zone=shop.test.
 *       server=127.60.0.4 port=53 rcode=NOERROR aa=1 fwd=0 tcp=0
 *       qname=www.shop.test. qtype=A ttl=3600 n=1 sensor=e2e
 *       rdata=192.0.2.10
 *
 * (one line; rdata entries joined with " | "). A frame that does not
 * validate prints "bad-frame ERROR". Runs until SIGTERM/SIGINT or until
 * --count records were printed; output is flushed after every frame.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/pipeline0/pull.h>

#include "rv_err.h"
#include "rv_frame.h"
#include "rv_ip.h"
#include "rv_name.h"
#include "rv_rdata.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *
section_str(uint8_t s)
{
	static const char *const names[] = { "none", "answer", "authority",
	    "additional" };

	return s < 4 ? names[s] : "?";
}

static void
print_record(const struct rv_record *r, const char *sensor, size_t slen)
{
	char owner[RV_NAME_STR_MAX], zone[RV_NAME_STR_MAX];
	char qname[RV_NAME_STR_MAX], ip[RV_IP_STR_MAX] = "unknown";
	char t[RV_TYPE_STR_MAX], qt[RV_TYPE_STR_MAX], rc[RV_TYPE_STR_MAX];
	static char rd[70000];
	const uint8_t *p;
	uint16_t len;
	size_t off = 0;
	int first = 1;

	if (rv_name_to_str(r->owner, r->owner_len, owner, sizeof(owner)) ||
	    rv_name_to_str(r->zone, r->zone_len, zone, sizeof(zone)) ||
	    rv_name_to_str(r->qname, r->qname_len, qname, sizeof(qname))) {
		printf("bad-name\n");
		return;
	}
	if (r->server.family)
		(void)rv_ip_to_str(&r->server, ip, sizeof(ip));
	printf("rec owner=%s type=%s sec=%s kind=%s zone=%s server=%s "
	    "port=%u rcode=%s aa=%d fwd=%d tcp=%d qname=%s qtype=%s ttl=%u "
	    "n=%u sensor=%.*s rdata=", owner, rv_type_to_str(r->type, t),
	    section_str(r->section),
	    r->kind == RV_REC_NEGATIVE ? "negative" : "rrset", zone, ip,
	    r->port, rv_rcode_to_str(r->rcode, rc), !!(r->flags & RV_RF_AA),
	    !!(r->flags & RV_RF_FORWARD), !!(r->flags & RV_RF_TCP), qname,
	    rv_type_to_str(r->qtype, qt), r->ttl, r->rdcount, (int)slen,
	    sensor);
	while (rv_record_next_rdata(r, &off, &p, &len) == RV_OK) {
		if (rv_rdata_to_str(r->type, p, len, rd, sizeof(rd)) != RV_OK)
			snprintf(rd, sizeof(rd), "(unprintable)");
		printf("%s%s", first ? "" : " | ", rd);
		first = 0;
	}
	printf("\n");
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: rv_recv --listen URL [--count N]\n"
	    "  -l, --listen URL   nng URL to listen on (ipc://, tcp://)\n"
	    "  -c, --count N      exit after N records\n"
	    "  -h, --help         this text\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = NULL;
	unsigned long want = 0, got = 0;
	nng_socket sock;
	char *end;
	int c, rv, ret = 3;

	while ((c = getopt_long(argc, argv, "l:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			url = optarg;
			break;
		case 'c':
			want = strtoul(optarg, &end, 10);
			if (*optarg == 0 || *end) {
				fprintf(stderr, "rv_recv: --count: '%s' is "
				    "not a number\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!url || optind != argc) {
		fprintf(stderr, "rv_recv: %s\n", url ? "unexpected argument" :
		    "--listen URL is required");
		usage(stderr);
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if ((rv = nng_pull0_open(&sock)) != 0 ||
	    (rv = nng_socket_set_ms(sock, NNG_OPT_RECVTIMEO, 100)) != 0 ||
	    (rv = nng_socket_set_size(sock, NNG_OPT_RECVMAXSZ,
	    RV_FRAME_MAX_DEFAULT)) != 0 ||
	    (rv = nng_listen(sock, url, NULL, 0)) != 0) {
		fprintf(stderr, "rv_recv: %s: %s\n", url, nng_strerror(rv));
		return 3;
	}
	printf("listening %s\n", url);
	fflush(stdout);
	while (!stop && (!want || got < want)) {
		struct rv_frame_hdr h;
		struct rv_record r;
		uint8_t *buf;
		size_t len, off;

		rv = nng_recv(sock, &buf, &len, NNG_FLAG_ALLOC);
		if (rv == NNG_ETIMEDOUT)
			continue;
		if (rv != 0) {
			fprintf(stderr, "rv_recv: %s\n", nng_strerror(rv));
			goto leave;
		}
		if ((rv = rv_frame_validate(buf, len, &h)) != RV_OK) {
			printf("bad-frame %s\n", rv_strerror(rv));
		} else {
			(void)rv_frame_decode_header(buf, len, &h, &off);
			printf("frame sensor=%.*s records=%u bytes=%zu\n",
			    (int)h.sensor_len, (const char *)h.sensor, h.count,
			    len);
			for (uint32_t i = 0; i < h.count; i++) {
				(void)rv_frame_decode_record(buf, len, &off,
				    &r);
				print_record(&r, (const char *)h.sensor,
				    h.sensor_len);
				got++;
			}
		}
		fflush(stdout);
		nng_free(buf, len);
	}
	ret = 0;
leave:
	nng_close(sock);
	return ret;
}
