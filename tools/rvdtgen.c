/**
 * \file rvdtgen.c
 * rvdtgen: the synthetic stream of gen.h (the observations rvgen sends as
 * frames: same seed, same counts, same times, same sensor names) as dnstap
 * RESOLVER_RESPONSE messages over Frame Streams, for bench/dnstap.
 *
 * Observation j (RRset i = gen_obs(j)) becomes the response an
 * authoritative server of the RRset's zone would send: ID j, QR and AA,
 * one question (owner, type, IN), the RRset in the answer (owner a
 * pointer to the question), nothing else; wrapped in a Dnstap message of
 * type RESOLVER_RESPONSE with query_zone the zone, response_address
 * 192.0.2.53 port 53 over UDP (the server rvgen's frames carry),
 * response_time_sec the observation's time, identity the sensor name
 * (gen-0..gen-3, rotating every --per-frame observations as rvgen's frames
 * do). Everything is in bailiwick, so rearviewd's scrubber keeps exactly
 * the one RRset per message.
 *
 * Output: libfstrm's unix writer (bidirectional: READY/ACCEPT/START, and
 * STOP/FINISH at the end, so when rvdtgen returns the receiver has read
 * every frame), or a Frame Streams file (--file; rearviewd --import reads
 * it too), which --replay sends later so that encoding is not timed.
 *
 * Note on times: rearviewd counts a response seen again (all but its ID)
 * within 5 seconds once (a resolver's retry, indexer/dnstap_records.c).
 * The generator repeats popular RRsets many times a second at the default
 * --span, so a benchmark comparing counts with rvgen's must stretch the
 * span to at least 6 seconds per observation (bench/dnstap/run.sh).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/uio.h>

#include <fstrm.h>

#include "dnstap.pb-c.h"
#include "gen.h"

#define CONTENT_TYPE "protobuf:dnstap.Dnstap"
#define MSG_MAX 4096		/* one encoded Dnstap message, at most */
#define BATCH_MAX 4096		/* frames per writev */

static void
usage(FILE *f)
{
	fprintf(f,
"usage: rvdtgen [options] (--connect unix:PATH | --file PATH)\n"
"       rvdtgen --replay FILE --connect unix:PATH\n"
"  -n, --observations N   observations to generate (10000000)\n"
"  -r, --rrsets N         distinct RRsets (1000000)\n"
"  -s, --seed N           generator seed (1)\n"
"      --skew X           popularity index = n * u^X (default: Zipf-like)\n"
"      --start N          first observation time, epoch (1700000000)\n"
"      --span N           seconds the stream covers (86400; see the note\n"
"                         on retries in the source)\n"
"      --sensors N        identities rotate over N sensor names (4)\n"
"      --per-frame N      observations per identity turn and per write (256)\n"
"      --seq, --only-a    as rvgen\n"
"  -c, --connect URL      unix:PATH (or PATH) of rearviewd --dnstap\n"
"  -f, --file PATH        write a Frame Streams file instead\n"
"      --replay FILE      send a Frame Streams file to --connect\n"
"  -q, --quiet            no summary\n"
"  -h, --help\n");
}

static int
num(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || !*s || *end || *s == '-' ? -1 : 0;
}

/* The DNS response of observation j for RRset r into out; its length, or
 * 0 if it does not fit. */
static size_t
response(uint64_t j, const struct gen_rrset *r, uint8_t *out, size_t cap)
{
	size_t n = 0, p = 0;

	if (12 + r->olen + 4 + (size_t)r->rdcount * 12 + r->rdlen > cap)
		return 0;
	out[n++] = (uint8_t)(j >> 8);	/* ID */
	out[n++] = (uint8_t)j;
	out[n++] = 0x84;		/* QR, opcode QUERY, AA */
	out[n++] = 0x00;		/* rcode NOERROR */
	out[n++] = 0; out[n++] = 1;	/* QDCOUNT */
	out[n++] = (uint8_t)(r->rdcount >> 8);
	out[n++] = (uint8_t)r->rdcount;	/* ANCOUNT */
	memset(out + n, 0, 4);		/* NSCOUNT, ARCOUNT */
	n += 4;
	memcpy(out + n, r->owner, r->olen);
	n += r->olen;
	out[n++] = (uint8_t)(r->type >> 8);
	out[n++] = (uint8_t)r->type;
	out[n++] = 0; out[n++] = 1;	/* IN */
	for (unsigned k = 0; k < r->rdcount && p + 2 <= r->rdlen; k++) {
		size_t len = (size_t)r->rdata[p] << 8 | r->rdata[p + 1];

		out[n++] = 0xc0; out[n++] = 12;	/* the question's name */
		out[n++] = (uint8_t)(r->type >> 8);
		out[n++] = (uint8_t)r->type;
		out[n++] = 0; out[n++] = 1;
		out[n++] = (uint8_t)(r->ttl >> 24);
		out[n++] = (uint8_t)(r->ttl >> 16);
		out[n++] = (uint8_t)(r->ttl >> 8);
		out[n++] = (uint8_t)r->ttl;
		memcpy(out + n, r->rdata + p, 2 + len);	/* RDLENGTH, RDATA */
		n += 2 + len;
		p += 2 + len;
	}
	return n;
}

/* Observation j as a packed Dnstap message into out; its length or 0. */
static size_t
encode(const struct gen_cfg *c, uint64_t j, const char *sensor,
    uint8_t *out, size_t cap)
{
	static uint8_t server[4] = { 192, 0, 2, 53 }, self[4] = { 10, 0, 0, 1 };
	static const char version[] = "rvdtgen";
	Dnstap__Dnstap dt = DNSTAP__DNSTAP__INIT;
	Dnstap__Message m = DNSTAP__MESSAGE__INIT;
	struct gen_rrset r;
	uint8_t wire[GEN_RDATA_MAX + 600];
	uint32_t t;
	size_t wl;

	gen_rrset(c, gen_obs(c, j, &t), &r);
	if (!(wl = response(j, &r, wire, sizeof(wire))))
		return 0;
	dt.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
	dt.has_identity = 1;
	dt.identity.data = (uint8_t *)sensor;
	dt.identity.len = strlen(sensor);
	dt.has_version = 1;
	dt.version.data = (uint8_t *)version;
	dt.version.len = sizeof(version) - 1;
	dt.message = &m;
	m.type = DNSTAP__MESSAGE__TYPE__RESOLVER_RESPONSE;
	m.has_socket_family = 1;
	m.socket_family = DNSTAP__SOCKET_FAMILY__INET;
	m.has_socket_protocol = 1;
	m.socket_protocol = DNSTAP__SOCKET_PROTOCOL__UDP;
	m.has_query_address = 1;
	m.query_address.data = self;
	m.query_address.len = sizeof(self);
	m.has_query_port = 1;
	m.query_port = 40000 + (uint32_t)(j % 20000);
	m.has_response_address = 1;
	m.response_address.data = server;
	m.response_address.len = sizeof(server);
	m.has_response_port = 1;
	m.response_port = 53;
	m.has_query_zone = 1;
	m.query_zone.data = r.zone;
	m.query_zone.len = r.zlen;
	m.has_response_time_sec = 1;
	m.response_time_sec = t;
	m.has_response_time_nsec = 1;
	m.response_time_nsec = 0;
	m.has_response_message = 1;
	m.response_message.data = wire;
	m.response_message.len = wl;
	if (dnstap__dnstap__get_packed_size(&dt) > cap)
		return 0;
	return dnstap__dnstap__pack(&dt, out);
}

static struct fstrm_writer *
open_writer(const char *url, const char *file)
{
	struct fstrm_writer_options *wopt = fstrm_writer_options_init();
	struct fstrm_writer *w = NULL;

	fstrm_writer_options_add_content_type(wopt, CONTENT_TYPE,
	    strlen(CONTENT_TYPE));
	if (url) {
		struct fstrm_unix_writer_options *uopt =
		    fstrm_unix_writer_options_init();

		if (strncmp(url, "unix:", 5) == 0)
			url += 5;
		fstrm_unix_writer_options_set_socket_path(uopt, url);
		w = fstrm_unix_writer_init(uopt, wopt);
		fstrm_unix_writer_options_destroy(&uopt);
	} else {
		struct fstrm_file_options *fopt = fstrm_file_options_init();

		fstrm_file_options_set_file_path(fopt, file);
		w = fstrm_file_writer_init(fopt, wopt);
		fstrm_file_options_destroy(&fopt);
	}
	fstrm_writer_options_destroy(&wopt);
	if (w && fstrm_writer_open(w) != fstrm_res_success)
		fstrm_writer_destroy(&w);
	return w;
}

struct batch {
	struct iovec iov[BATCH_MAX];
	uint8_t *buf;
	size_t used, cap;
	int n;
	uint64_t frames, octets;
};

static int
flush(struct fstrm_writer *w, struct batch *b)
{
	if (b->n && fstrm_writer_writev(w, b->iov, b->n) !=
	    fstrm_res_success) {
		fprintf(stderr, "rvdtgen: write failed\n");
		return -1;
	}
	b->n = 0;
	b->used = 0;
	return 0;
}

/* Room for one more frame of up to MSG_MAX octets? Flush if not. */
static uint8_t *
room(struct fstrm_writer *w, struct batch *b)
{
	if ((b->n == BATCH_MAX || b->cap - b->used < MSG_MAX) &&
	    flush(w, b) != 0)
		return NULL;
	return b->buf + b->used;
}

static void
add(struct batch *b, size_t len)
{
	b->iov[b->n].iov_base = b->buf + b->used;
	b->iov[b->n].iov_len = len;
	b->n++;
	b->used += len;
	b->frames++;
	b->octets += len;
}

static int
generate(struct fstrm_writer *w, struct batch *b, const struct gen_cfg *c,
    unsigned per, unsigned nsens)
{
	char sensor[32];
	uint64_t turn = 0;

	for (uint64_t j = 0; j < c->nobs; turn++) {
		snprintf(sensor, sizeof(sensor), "gen-%llu",
		    (unsigned long long)(turn % nsens));
		for (unsigned k = 0; k < per && j < c->nobs; k++, j++) {
			uint8_t *p = room(w, b);
			size_t len;

			if (!p)
				return -1;
			if (!(len = encode(c, j, sensor, p, MSG_MAX))) {
				fprintf(stderr, "rvdtgen: observation %llu "
				    "does not fit\n", (unsigned long long)j);
				return -1;
			}
			add(b, len);
		}
		if (flush(w, b) != 0)
			return -1;
	}
	return 0;
}

static int
replay(struct fstrm_writer *w, struct batch *b, const char *path,
    unsigned per)
{
	struct fstrm_file_options *fopt = fstrm_file_options_init();
	struct fstrm_reader_options *ropt = fstrm_reader_options_init();
	struct fstrm_reader *r;
	const uint8_t *data;
	size_t len;
	fstrm_res res;
	int rc = 0;

	fstrm_file_options_set_file_path(fopt, path);
	fstrm_reader_options_add_content_type(ropt, CONTENT_TYPE,
	    strlen(CONTENT_TYPE));
	r = fstrm_file_reader_init(fopt, ropt);
	fstrm_file_options_destroy(&fopt);
	fstrm_reader_options_destroy(&ropt);
	if (!r || fstrm_reader_open(r) != fstrm_res_success) {
		fprintf(stderr, "rvdtgen: %s: cannot open as Frame Streams\n",
		    path);
		if (r)
			fstrm_reader_destroy(&r);
		return -1;
	}
	while ((res = fstrm_reader_read(r, &data, &len)) ==
	    fstrm_res_success) {
		uint8_t *p;

		if (len > MSG_MAX || !(p = room(w, b))) {
			rc = -1;
			break;
		}
		memcpy(p, data, len);
		add(b, len);
		if (b->n >= (int)per && flush(w, b) != 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && res != fstrm_res_stop) {
		fprintf(stderr, "rvdtgen: %s: read error\n", path);
		rc = -1;
	}
	if (rc == 0)
		rc = flush(w, b);
	fstrm_reader_destroy(&r);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "observations", required_argument, NULL, 'n' },
		{ "rrsets", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "skew", required_argument, NULL, 'k' },
		{ "start", required_argument, NULL, 'T' },
		{ "span", required_argument, NULL, 'S' },
		{ "sensors", required_argument, NULL, 'N' },
		{ "per-frame", required_argument, NULL, 'p' },
		{ "seq", no_argument, NULL, 'Q' },
		{ "only-a", no_argument, NULL, 'A' },
		{ "connect", required_argument, NULL, 'c' },
		{ "file", required_argument, NULL, 'f' },
		{ "replay", required_argument, NULL, 'R' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen_cfg c;
	struct batch b = { .n = 0 };
	struct fstrm_writer *w;
	const char *url = NULL, *file = NULL, *rep = NULL;
	unsigned long long v, per = 256, nsens = 4;
	int ch, quiet = 0, rc;
	struct timespec t0, t1;
	double secs;

	gen_defaults(&c);
	while ((ch = getopt_long(argc, argv, "n:r:s:c:f:qh", opts, NULL)) != -1) {
		char *end;
		switch (ch) {
		case 'k':
			c.skew = strtod(optarg, &end);
			if (*end || c.skew < 0)
				goto bad;
			break;
		case 'Q': c.seq = 1; break;
		case 'A': c.only_a = 1; break;
		case 'c': url = optarg; break;
		case 'f': file = optarg; break;
		case 'R': rep = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		case '?': usage(stderr); return 2;
		default:
			if (num(optarg, &v) != 0)
				goto bad;
			switch (ch) {
			case 'n': c.nobs = v; break;
			case 'r': c.nrrsets = v; break;
			case 's': c.seed = v; break;
			case 'T': c.t0 = (uint32_t)v; break;
			case 'S': c.span = (uint32_t)v; break;
			case 'N': nsens = v ? v : 1; break;
			case 'p': per = v ? (v < BATCH_MAX ? v : BATCH_MAX) : 1;
				break;
			}
		}
	}
	if ((!url) == (!file) || (rep && !url) || !c.nobs || !c.nrrsets) {
		fprintf(stderr, "rvdtgen: give exactly one of --connect and "
		    "--file (--replay needs --connect), and nonzero counts\n");
		return 2;
	}
	b.cap = (size_t)BATCH_MAX * MSG_MAX;
	if (!(b.buf = malloc(b.cap))) {
		fprintf(stderr, "rvdtgen: out of memory\n");
		return 1;
	}
	if (!(w = open_writer(url, file))) {
		fprintf(stderr, "rvdtgen: %s: cannot open (is rearviewd "
		    "listening with --dnstap?)\n", url ? url : file);
		free(b.buf);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = rep ? replay(w, &b, rep, (unsigned)per) :
	    generate(w, &b, &c, (unsigned)per, (unsigned)nsens);
	/* STOP, and with the unix writer wait for FINISH: everything sent
	 * has been read by the receiver. */
	if (fstrm_writer_close(w) != fstrm_res_success && rc == 0) {
		fprintf(stderr, "rvdtgen: close failed\n");
		rc = -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fstrm_writer_destroy(&w);
	free(b.buf);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (!quiet)
		fprintf(stderr, "rvdtgen: %llu messages, %llu octets in %.2f s "
		    "= %.0f messages/s\n", (unsigned long long)b.frames,
		    (unsigned long long)b.octets, secs,
		    secs > 0 ? (double)b.frames / secs : 0.0);
	return rc ? 1 : 0;
bad:
	fprintf(stderr, "rvdtgen: bad value for %s: '%s'\n", argv[optind - 1],
	    optarg);
	return 2;
}
