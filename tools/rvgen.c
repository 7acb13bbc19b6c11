/**
 * \file rvgen.c
 * rvgen: write the synthetic stream of gen.h as rearview frames, to an nng
 * PUSH socket (what rearviewd listens on) or to a file of length-prefixed
 * frames (4-octet big-endian length, then the frame), and replay such a
 * file to a socket. Used by bench/ingest and by the end-to-end tests.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pipeline0/push.h>
#include <nng/supplemental/tls/tls.h>

#include "gen.h"
#include "rv_frame.h"

struct out {
	FILE *f;
	nng_socket sock;
	int nng;
	uint64_t frames, octets;
	int number;			/**< --number: frames carry a sequence */
	unsigned long long rate;	/**< --rate: records/s, 0: no limit */
	uint64_t boot[64], sent[64];	/**< per sensor, with --number */
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: rvgen [options] (--connect URL | --file PATH)\n"
"       rvgen --replay FILE --connect URL\n"
"  -n, --observations N   observations to generate (10000000)\n"
"  -r, --rrsets N         distinct RRsets (1000000)\n"
"  -s, --seed N           generator seed (1)\n"
"      --skew X           popularity index = n * u^X (default: Zipf-like)\n"
"      --start N          first observation time, epoch (1700000000)\n"
"      --span N           seconds the stream covers (86400)\n"
"      --sensors N        frames rotate over N sensor names (4)\n"
"      --per-frame N      records per frame (256)\n"
"      --from N           start at observation N (0)\n"
"      --seq              sequential mode: RRset i is n<i>.seq.test A 10.x.y.z\n"
"      --only-a           only A RRsets (for the size per A RRset)\n"
"      --invalid N        also send N garbage frames (tests)\n"
"      --rate N           at most N records a second (no limit)\n"
"      --number           number the records like the module does (boot id,\n"
"                         sequence); print each sensor's records sent\n"
"  -c, --connect URL      nng PUSH dial (blocking sends)\n"
"      --tls-ca FILE      tls+tcp://: the CA of the server's certificate\n"
"      --tls-cert FILE, --tls-key FILE   tls+tcp://: client certificate\n"
"  -f, --file PATH        write length-prefixed frames ('-': stdout)\n"
"      --replay FILE      send a frame file to --connect\n"
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

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[65536];
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return strdup(buf);
}

/* Dial in the background (reconnecting); tls+tcp:// with a config. */
static int
dial(nng_socket s, const char *url, const char *ca, const char *cert,
    const char *key)
{
	nng_dialer d;
	nng_tls_config *cfg = NULL;
	char *c = NULL, *k = NULL;
	int rv;

	if ((rv = nng_dialer_create(&d, s, url)))
		return rv;
	if (strncmp(url, "tls+", 4) == 0) {
		if ((rv = nng_tls_config_alloc(&cfg, NNG_TLS_MODE_CLIENT)) ||
		    (rv = nng_tls_config_server_name(cfg, "localhost")) ||
		    (ca && (rv = nng_tls_config_ca_file(cfg, ca))) ||
		    (rv = nng_tls_config_auth_mode(cfg, ca ?
		    NNG_TLS_AUTH_MODE_REQUIRED : NNG_TLS_AUTH_MODE_NONE)))
			goto leave;
		if (cert && key) {
			if (!(c = slurp(cert)) || !(k = slurp(key))) {
				rv = NNG_ENOENT;
				goto leave;
			}
			if ((rv = nng_tls_config_own_cert(cfg, c, k, NULL)))
				goto leave;
		}
		if ((rv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cfg)))
			goto leave;
	}
	rv = nng_dialer_start(d, NNG_FLAG_NONBLOCK);
leave:
	if (cfg)
		nng_tls_config_free(cfg);
	free(c);
	free(k);
	return rv;
}

/*
 * nng_close drops what is still queued (nng has no linger). With no send
 * buffer, the socket can send again (NNG_OPT_SENDFD readable) only when
 * the last frame has been written to the transport, whose data survives
 * our close. Wait for that (at most a minute, if the receiver is stuck).
 */
static void
drain(struct out *o)
{
	struct pollfd pfd = { .events = POLLIN };
	int fd;

	if (nng_socket_get_int(o->sock, NNG_OPT_SENDFD, &fd) != 0) {
		sleep(2);
		return;
	}
	pfd.fd = fd;
	if (poll(&pfd, 1, 60000) != 1)
		fprintf(stderr, "rvgen: the receiver did not take the last "
		    "frame within a minute\n");
	usleep(100000);
}

static int
emit(struct out *o, const uint8_t *buf, size_t len)
{
	uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16),
	    (uint8_t)(len >> 8), (uint8_t)len };
	int rv;

	o->frames++;
	o->octets += len;
	if (!o->nng)
		return fwrite(hdr, 4, 1, o->f) == 1 &&
		    fwrite(buf, len, 1, o->f) == 1 ? 0 : -1;
	/* Blocks while the receiver is slow or away; nng redials (and, with
	 * lib/nng_epipe.c linked in, even after a hang-up mid-handshake). */
	rv = nng_send(o->sock, (void *)buf, len, 0);
	if (rv != 0) {
		fprintf(stderr, "rvgen: send: %s\n", nng_strerror(rv));
		return -1;
	}
	return 0;
}

static int
replay(struct out *o, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	uint8_t hdr[4], *buf = malloc(RV_FRAME_MAX_DEFAULT);
	int rc = 0;

	if (!f || !buf) {
		fprintf(stderr, "rvgen: %s: %s\n", path, strerror(errno));
		free(buf);
		return -1;
	}
	while (fread(hdr, 4, 1, f) == 1) {
		size_t len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 |
		    (size_t)hdr[2] << 8 | hdr[3];
		if (len > RV_FRAME_MAX_DEFAULT || fread(buf, len, 1, f) != 1 ||
		    emit(o, buf, len) != 0) {
			rc = -1;
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	free(buf);
	return rc;
}

static int
generate(struct out *o, const struct gen_cfg *c, uint64_t from,
    unsigned per_frame, unsigned nsensors, unsigned invalid)
{
	static uint8_t buf[1 << 20];
	struct rv_frame_enc enc;
	struct gen_rrset r;
	struct rv_record rec;
	char sensor[32];
	uint64_t j = from;

	for (unsigned k = 0; k < invalid; k++) {
		memset(buf, 0xA5, 100);
		if (emit(o, buf, 100 + k) != 0)
			return -1;
	}
	while (j < c->nobs) {
		snprintf(sensor, sizeof(sensor), "gen-%llu",
		    (unsigned long long)(o->frames % nsensors));
		if (rv_frame_begin(&enc, buf, sizeof(buf), sensor,
		    strlen(sensor)) != 0)
			return -1;
		for (unsigned n = 0; n < per_frame && j < c->nobs; n++, j++) {
			uint32_t t;
			uint64_t i = gen_obs(c, j, &t);
			gen_rrset(c, i, &r);
			memset(&rec, 0, sizeof(rec));
			rec.kind = RV_REC_RRSET;
			rec.section = RV_SEC_ANSWER;
			rec.flags = RV_RF_AA;
			rec.time = t;
			rec.server.family = 4;
			rec.server.addr[0] = 192; rec.server.addr[1] = 0;
			rec.server.addr[2] = 2; rec.server.addr[3] = 53;
			rec.port = 53;
			rec.qtype = r.type;
			rec.qclass = 1;
			rec.qname = r.owner; rec.qname_len = r.olen;
			rec.zone = r.zone; rec.zone_len = r.zlen;
			rec.owner = r.owner; rec.owner_len = r.olen;
			rec.type = r.type;
			rec.rclass = 1;
			rec.ttl = r.ttl;
			rec.rdcount = r.rdcount;
			rec.rdata = r.rdata; rec.rdata_len = r.rdlen;
			if (rv_frame_add(&enc, &rec) != 0)
				return -1;
		}
		if (o->rate)	/* paced per frame: good enough for tests */
			usleep((useconds_t)(1000000ULL * enc.count / o->rate));
		if (o->number) {
			unsigned k = (unsigned)((o->frames) % nsensors);
			struct rv_frame_seq sq = { o->boot[k], o->sent[k],
			    { 0, 0, 0 } };
			rv_frame_stamp(&enc, &sq);
			if (emit(o, buf, rv_frame_finish(&enc)) != 0)
				return -1;
			o->sent[k] += enc.count;
			continue;
		}
		if (emit(o, buf, rv_frame_finish(&enc)) != 0)
			return -1;
	}
	return 0;
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
		{ "from", required_argument, NULL, 'F' },
		{ "seq", no_argument, NULL, 'Q' },
		{ "only-a", no_argument, NULL, 'A' },
		{ "number", no_argument, NULL, 'U' },
		{ "rate", required_argument, NULL, 'W' },
		{ "invalid", required_argument, NULL, 'I' },
		{ "connect", required_argument, NULL, 'c' },
		{ "file", required_argument, NULL, 'f' },
		{ "replay", required_argument, NULL, 'R' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "tls-ca", required_argument, NULL, 'a' },
		{ "tls-cert", required_argument, NULL, 'e' },
		{ "tls-key", required_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen_cfg c;
	struct out o = { 0 };
	const char *url = NULL, *file = NULL, *rep = NULL;
	const char *tls_ca = NULL, *tls_cert = NULL, *tls_key = NULL;
	unsigned long long v, from = 0, per = 256, nsens = 4, invalid = 0;
	int ch, quiet = 0, rc, rv;
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
		case 'U': o.number = 1; break;
		case 'c': url = optarg; break;
		case 'f': file = optarg; break;
		case 'R': rep = optarg; break;
		case 'a': tls_ca = optarg; break;
		case 'e': tls_cert = optarg; break;
		case 'y': tls_key = optarg; break;
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
			case 'p': per = v ? v : 1; break;
			case 'F': from = v; break;
			case 'I': invalid = v; break;
			case 'W': o.rate = v; break;
			}
		}
	}
	if ((!url) == (!file) || (rep && !url) || !c.nobs || !c.nrrsets) {
		fprintf(stderr, "rvgen: give exactly one of --connect and "
		    "--file (--replay needs --connect), and nonzero counts\n");
		return 2;
	}
	if (url) {
		/* Redial as quickly as the module does (module/sender.c). */
		if ((rv = nng_push0_open(&o.sock)) ||
		    (rv = nng_socket_set_int(o.sock, NNG_OPT_SENDBUF, 0)) ||
		    (rv = nng_socket_set_ms(o.sock, NNG_OPT_RECONNMINT, 100)) ||
		    (rv = nng_socket_set_ms(o.sock, NNG_OPT_RECONNMAXT, 2000)) ||
		    (rv = dial(o.sock, url, tls_ca, tls_cert, tls_key))) {
			fprintf(stderr, "rvgen: %s: %s\n", url, nng_strerror(rv));
			return 1;
		}
		o.nng = 1;
	} else if (!(o.f = strcmp(file, "-") ? fopen(file, "w") : stdout)) {
		fprintf(stderr, "rvgen: %s: %s\n", file, strerror(errno));
		return 1;
	}
	if (o.number && (rep || nsens > 64)) {
		fprintf(stderr, "rvgen: --number needs generated frames and at "
		    "most 64 sensors\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned k = 0; o.number && k < nsens; k++)
		o.boot[k] = ((uint64_t)t0.tv_nsec << 20 ^ (uint64_t)getpid() <<
		    8 ^ (uint64_t)t0.tv_sec << 40) + k + 1;
	rc = rep ? replay(&o, rep) :
	    generate(&o, &c, from, (unsigned)per, (unsigned)nsens,
	    (unsigned)invalid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (o.nng) {
		drain(&o);
		nng_close(o.sock);
	} else if (o.f != stdout && fclose(o.f) != 0) {
		rc = -1;
	}
	for (unsigned k = 0; o.number && k < nsens; k++)
		printf("sensor gen-%u sent %llu\n", k,
		    (unsigned long long)o.sent[k]);
	if (!quiet)
		fprintf(stderr, "rvgen: %llu frames, %llu octets in %.2f s\n",
		    (unsigned long long)o.frames,
		    (unsigned long long)o.octets, secs);
	return rc ? 1 : 0;
bad:
	fprintf(stderr, "rvgen: bad value for %s: '%s'\n", argv[optind - 1],
	    optarg);
	return 2;
}
