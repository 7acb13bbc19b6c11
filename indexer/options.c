/**
 * \file options.c
 * rearviewd's command line and config file. Both go through one table:
 * every config key is a long option name, so they cannot drift apart.
 * Config errors name the file, the line and the offending text.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rv_ch.h"
#include "rv_conf.h"
#include "rv_frame.h"
#include "rv_err.h"
#include "rv_num.h"
#include "rv_time.h"
#include "rvd.h"

enum {
	O_IPC_MODE = 256, O_IPC_GROUP, O_TLS_CERT, O_TLS_KEY, O_TLS_CA, O_INSECURE_TCP,
	O_MAX_FRAME, O_FLUSH_INTERVAL, O_FLUSH_MAX, O_SYNC_INTERVAL,
	O_MAPSIZE, O_ASN_DB, O_GEO_DB, O_F_ASN, O_F_ORG, O_F_CC, O_F_CITY,
	O_F_LAT, O_F_LON, O_MMDB_CHECK, O_SYSLOG, O_SENSOR, O_PROGRESS,
	O_NO_PROGRESS, O_SYNC, O_REIMPORT, O_PSL, O_DNSTAP, O_DNSTAP_SENSOR,
	O_DNSTAP_MODE, O_DNSTAP_GROUP, O_ARCHIVE_AFTER, O_ARCHIVE_EVERY,
	O_RETAIN, O_ARCHIVE_BUDGET, O_COMPACT_ABOVE, O_COMPACT_EVERY,
	O_SINK, O_SINK_JOURNAL,
};

static const struct option opts[] = {
	{ "config",		required_argument, NULL, 'c' },
	{ "db",			required_argument, NULL, 'd' },
	{ "listen",		required_argument, NULL, 'l' },
	{ "ipc-mode",		required_argument, NULL, O_IPC_MODE },
	{ "ipc-group",		required_argument, NULL, O_IPC_GROUP },
	{ "tls-cert",		required_argument, NULL, O_TLS_CERT },
	{ "tls-key",		required_argument, NULL, O_TLS_KEY },
	{ "tls-ca",		required_argument, NULL, O_TLS_CA },
	{ "insecure-tcp",	no_argument,	   NULL, O_INSECURE_TCP },
	{ "max-frame",		required_argument, NULL, O_MAX_FRAME },
	{ "flush-interval",	required_argument, NULL, O_FLUSH_INTERVAL },
	{ "flush-max",		required_argument, NULL, O_FLUSH_MAX },
	{ "sync-interval",	required_argument, NULL, O_SYNC_INTERVAL },
	{ "sync",		no_argument,	   NULL, O_SYNC },
	{ "mapsize",		required_argument, NULL, O_MAPSIZE },
	{ "asn-db",		required_argument, NULL, O_ASN_DB },
	{ "geo-db",		required_argument, NULL, O_GEO_DB },
	{ "field-asn",		required_argument, NULL, O_F_ASN },
	{ "field-org",		required_argument, NULL, O_F_ORG },
	{ "field-cc",		required_argument, NULL, O_F_CC },
	{ "field-city",		required_argument, NULL, O_F_CITY },
	{ "field-lat",		required_argument, NULL, O_F_LAT },
	{ "field-lon",		required_argument, NULL, O_F_LON },
	{ "mmdb-check",		required_argument, NULL, O_MMDB_CHECK },
	{ "syslog",		no_argument,	   NULL, O_SYSLOG },
	{ "verbose",		no_argument,	   NULL, 'v' },
	{ "import",		required_argument, NULL, 'i' },
	{ "sensor",		required_argument, NULL, O_SENSOR },
	{ "progress",		no_argument,	   NULL, O_PROGRESS },
	{ "no-progress",	no_argument,	   NULL, O_NO_PROGRESS },
	{ "reimport",		no_argument,	   NULL, O_REIMPORT },
	{ "psl",		required_argument, NULL, O_PSL },
	{ "dnstap",		required_argument, NULL, O_DNSTAP },
	{ "dnstap-sensor",	required_argument, NULL, O_DNSTAP_SENSOR },
	{ "dnstap-mode",	required_argument, NULL, O_DNSTAP_MODE },
	{ "dnstap-group",	required_argument, NULL, O_DNSTAP_GROUP },
	{ "archive-after",	required_argument, NULL, O_ARCHIVE_AFTER },
	{ "archive-every",	required_argument, NULL, O_ARCHIVE_EVERY },
	{ "archive-budget",	required_argument, NULL, O_ARCHIVE_BUDGET },
	{ "retain",		required_argument, NULL, O_RETAIN },
	{ "compact-above",	required_argument, NULL, O_COMPACT_ABOVE },
	{ "compact-every",	required_argument, NULL, O_COMPACT_EVERY },
	{ "sink",		required_argument, NULL, O_SINK },
	{ "sink-journal-max",	required_argument, NULL, O_SINK_JOURNAL },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: rearviewd [options]            receive frames and keep the database\n"
"       rearviewd --import FILE [opts]  load NDJSON (COF or DNSDB style)\n"
"  -c, --config FILE       config file (keys are these long options)\n"
"  -d, --db DIR            LMDB environment (" RVD_DEFAULT_DB ")\n"
"  -l, --listen URL        ipc://, tcp:// or tls+tcp:// (repeatable;\n"
"                          default " RVD_DEFAULT_LISTEN ")\n"
"      --ipc-mode MODE     ipc socket permissions (0660)\n"
"      --ipc-group GROUP   ipc sockets' group: the senders (Unbound), not\n"
"                          the readers of the database (default: own)\n"
"      --tls-cert/--tls-key/--tls-ca FILE   for tls+tcp:// (client certs required)\n"
"      --insecure-tcp      allow tcp:// on a non-loopback address\n"
"      --dnstap URL        receive dnstap (Frame Streams) on unix:PATH or\n"
"                          tcp://ADDR:PORT (repeatable; resolver responses\n"
"                          only, client-side messages are dropped)\n"
"      --dnstap-sensor NAME  sensor of dnstap records (default: the\n"
"                          message's identity, else 'dnstap')\n"
"      --dnstap-mode MODE, --dnstap-group GROUP   dnstap unix sockets'\n"
"                          permissions and group (default: the ipc ones)\n"
"      --max-frame BYTES   largest frame accepted (4194304)\n"
"      --flush-interval MS flush every MS milliseconds (500)\n"
"      --flush-max N       flush early at N distinct RRsets (500000)\n"
"      --sync-interval S   sync the database every S seconds (30); --sync: every commit\n"
"      --mapsize MB        initial LMDB map size (1024); grows on demand\n"
"      --asn-db FILE, --geo-db FILE   mmdb files for enrichment\n"
"      --field-asn/-org/-cc/-city/-lat/-lon PATH   mmdb field paths\n"
"      --mmdb-check S      reload mmdb files when they change (60)\n"
"      --archive-after AGE move rows last seen longer ago than AGE into the\n"
"                          archive's segments (30d; 0: never)\n"
"      --archive-every DUR how often (1d; the first run one DUR after the\n"
"                          start; SIGUSR1: now)\n"
"      --archive-budget N  rows of archive work between two flushes (20000)\n"
"      --retain AGE        drop archive segments whose rows were all last\n"
"                          seen longer ago than AGE (default: keep all)\n"
"      --compact-above R   compact data.mdb online when the file is more\n"
"                          than R times its pages in use and 64 MiB over\n"
"                          (1.3; 0: never; SIGUSR2: compact now)\n"
"      --compact-every DUR how often the file is measured (10m)\n"
"      --sink URL          also send every flush's deltas to ClickHouse:\n"
"                          clickhouse+http://[USER[:PASS]@]HOST[:PORT]/DB\n"
"                          (repeatable; `rearview clickhouse-schema` makes\n"
"                          the tables; a journal in DIR/sink-*/ keeps what\n"
"                          ClickHouse has not taken yet)\n"
"      --sink-journal-max MB  bound of each sink's journal; past it the\n"
"                          oldest deltas are dropped and counted (1024)\n"
"      --psl FILE          public suffix list for registered domains\n"
"                          (default: the system's, else libpsl's own)\n"
"      --syslog            log to syslog too;  -v, --verbose: debug logs\n"
"  -i, --import FILE       import NDJSON ('-' for stdin) and exit\n"
"      --sensor NAME       sensor for imported records without sensor_id\n"
"      --progress, --no-progress   import progress on stderr (auto: tty)\n"
"      --reimport          import a file whose content was imported before\n"
"                          (its counts add up again; default: skip it)\n"
"  -h, --help, -V, --version\n");
}

static int
set_str(char **dst, const char *v)
{
	char *s = strdup(v);

	if (!s)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

static int
set_cstr(const char **dst, const char *v)
{
	char *s = strdup(v);

	if (!s)
		return -1;
	free((char *)*dst);
	*dst = s;
	return 0;
}

static int
is_true(const char *v)
{
	return !v || !strcmp(v, "yes") || !strcmp(v, "true") ||
	    !strcmp(v, "1") || !strcmp(v, "on");
}

static int
is_bool(const char *v)
{
	return is_true(v) || !strcmp(v, "no") || !strcmp(v, "false") ||
	    !strcmp(v, "0") || !strcmp(v, "off");
}

/* Why apply() refused a value, when it can say more than "bad value"
 * (a static string; NULL otherwise). */
static const char *apply_why;

/* Apply one option; \return 0 or -1 (bad value). */
static int
apply(struct rvd_config *c, int code, const char *v)
{
	uint64_t n;

	switch (code) {
	case 'd': return set_str(&c->db, v);
	case 'l':
		if (c->nlisten == RVD_LISTEN_MAX || !strstr(v, "://"))
			return -1;
		c->listen[c->nlisten] = NULL;
		if (set_str(&c->listen[c->nlisten], v))
			return -1;
		c->nlisten++;
		return 0;
	case O_IPC_MODE:
		if (rv_parse_u64(v, 8, 0, 0777, &n))
			return -1;
		c->ipc_mode = (unsigned)n;
		return 0;
	case O_IPC_GROUP: return set_str(&c->ipc_group, v);
	case O_TLS_CERT: return set_str(&c->tls_cert, v);
	case O_TLS_KEY: return set_str(&c->tls_key, v);
	case O_TLS_CA: return set_str(&c->tls_ca, v);
	case O_INSECURE_TCP:
		if (v && !is_bool(v))
			return -1;
		c->insecure_tcp = is_true(v);
		return 0;
	case O_MAX_FRAME:
		if (rv_parse_u64(v, 10, 1024, 1u << 30, &n))
			return -1;
		c->max_frame = (size_t)n;
		return 0;
	case O_FLUSH_INTERVAL:
		if (rv_parse_u64(v, 10, 10, 3600000, &n))
			return -1;
		c->flush_ms = (unsigned)n;
		return 0;
	case O_FLUSH_MAX:
		if (rv_parse_u64(v, 10, 1, 100000000, &n))
			return -1;
		c->flush_max = (size_t)n;
		return 0;
	case O_SYNC_INTERVAL:
		if (rv_parse_u64(v, 10, 0, 86400, &n))
			return -1;
		c->sync_s = (unsigned)n;
		return 0;
	case O_SYNC:
		if (v && !is_bool(v))
			return -1;
		c->sync_commits = is_true(v);
		return 0;
	case O_MAPSIZE:
		if (rv_parse_u64(v, 10, 1, 1u << 24, &n))
			return -1;
		c->mapsize_mb = (size_t)n;
		return 0;
	case O_ASN_DB: return set_cstr(&c->mmdb.asn_db, v);
	case O_GEO_DB: return set_cstr(&c->mmdb.geo_db, v);
	case O_F_ASN: return set_cstr(&c->mmdb.f_asn, v);
	case O_F_ORG: return set_cstr(&c->mmdb.f_org, v);
	case O_F_CC: return set_cstr(&c->mmdb.f_cc, v);
	case O_F_CITY: return set_cstr(&c->mmdb.f_city, v);
	case O_F_LAT: return set_cstr(&c->mmdb.f_lat, v);
	case O_F_LON: return set_cstr(&c->mmdb.f_lon, v);
	case O_MMDB_CHECK:
		if (rv_parse_u64(v, 10, 0, 86400, &n))
			return -1;
		c->mmdb_check_s = (unsigned)n;
		return 0;
	case O_SYSLOG:
		if (v && !is_bool(v))
			return -1;
		c->use_syslog = is_true(v);
		return 0;
	case 'v':
		if (v && !is_bool(v))
			return -1;
		c->verbose = is_true(v);
		return 0;
	case 'i': return set_str(&c->import, v);
	case O_SENSOR:
		if (strlen(v) == 0 || strlen(v) > RV_SENSOR_MAX)
			return -1;
		return set_str(&c->sensor, v);
	case O_ARCHIVE_AFTER:
	case O_ARCHIVE_EVERY:
	case O_RETAIN: {
		int64_t d;

		if (rv_duration_parse(v, &d) != RV_OK || d < 0 ||
		    d > (int64_t)100 * 365 * 86400 ||
		    (d == 0 && code != O_ARCHIVE_AFTER && code != O_RETAIN))
			return -1;
		if (code == O_ARCHIVE_AFTER)
			c->archive_after_s = (uint32_t)d;
		else if (code == O_ARCHIVE_EVERY)
			c->archive_every_s = (uint32_t)d;
		else
			c->retain_s = (uint32_t)d;
		return 0;
	}
	case O_COMPACT_ABOVE: {
		char *end;
		double r;

		errno = 0;
		r = strtod(v, &end);
		if (errno || end == v || *end != '\0' || !(r == 0 ||
		    (r >= 1.01 && r <= 100)))
			return -1;
		c->compact_above = r;
		return 0;
	}
	case O_COMPACT_EVERY: {
		int64_t d;

		if (rv_duration_parse(v, &d) != RV_OK || d < 1 ||
		    d > (int64_t)365 * 86400)
			return -1;
		c->compact_every_s = (uint32_t)d;
		return 0;
	}
	case O_ARCHIVE_BUDGET:
		if (rv_parse_u64(v, 10, 100, 10000000, &n))
			return -1;
		c->archive_budget = (unsigned)n;
		return 0;
	case O_PROGRESS: c->progress = 1; return 0;
	case O_NO_PROGRESS: c->progress = 0; return 0;
	case O_REIMPORT: c->reimport = 1; return 0;
	case O_PSL: return set_str(&c->psl, v);
	case O_SINK: {
		struct rv_ch_url u;

		/* checked here, so a bad URL is refused before the
		 * database is opened or created */
		if (c->nsink == RVD_LISTEN_MAX) {
			apply_why = "too many sinks";
			return -1;
		}
		if (rv_ch_url_parse(v, &u, &apply_why) != RV_OK)
			return -1;
		c->sink[c->nsink] = NULL;
		if (set_str(&c->sink[c->nsink], v))
			return -1;
		c->nsink++;
		return 0;
	}
	case O_SINK_JOURNAL:
		if (rv_parse_u64(v, 10, 1, 1 << 24, &n))
			return -1;
		c->sink_journal_mb = n;
		return 0;
	case O_DNSTAP:
		if (c->ndnstap == RVD_LISTEN_MAX ||
		    (strncmp(v, "unix:", 5) != 0 && strncmp(v, "tcp://", 6) != 0))
			return -1;
		c->dnstap[c->ndnstap] = NULL;
		if (set_str(&c->dnstap[c->ndnstap], v))
			return -1;
		c->ndnstap++;
		return 0;
	case O_DNSTAP_SENSOR:
		if (strlen(v) == 0 || strlen(v) > RV_SENSOR_MAX)
			return -1;
		return set_str(&c->dnstap_sensor, v);
	case O_DNSTAP_MODE:
		if (rv_parse_u64(v, 8, 1, 0777, &n))
			return -1;
		c->dnstap_mode = (unsigned)n;
		return 0;
	case O_DNSTAP_GROUP: return set_str(&c->dnstap_group, v);
	default:
		return -1;
	}
}

/* A config file's line (rv_conf_read). */
static int
conf_line(void *arg, const struct option *o, const char *v, const char **why)
{
	int rc;

	apply_why = NULL;
	rc = apply(arg, o->val, v);
	*why = apply_why;
	return rc;
}

/* Options that make no sense in a file. */
static const int not_in_file[] = { 'c', 'h', 'V', 'i', 0 };

/* The long name of an option code, for messages. */
static const char *
opt_name(int code)
{
	for (const struct option *o = opts; o->name; o++)
		if (o->val == code)
			return o->name;
	return "?";
}

static void
defaults(struct rvd_config *c)
{
	memset(c, 0, sizeof(*c));
	c->ipc_mode = 0660;
	c->max_frame = RV_FRAME_MAX_DEFAULT;
	c->flush_ms = 500;
	c->flush_max = 500000;
	c->sync_s = 30;
	c->mapsize_mb = 1024;
	c->mmdb_check_s = 60;
	c->archive_after_s = 30 * 86400;
	c->archive_every_s = 86400;
	c->archive_budget = 20000;
	c->compact_above = 1.3;
	c->compact_every_s = 600;
	c->sink_journal_mb = 1024;
	c->progress = -1;
}

int
rvd_config_parse(struct rvd_config *c, int argc, char **argv)
{
	const char *conf = NULL;
	int ch, cl_listen = 0, cl_dnstap = 0, cl_sink = 0;

	defaults(c);
	/* First pass: only --config, so the command line overrides it.
	 * optind = 0 makes glibc start over (parse may run more than once). */
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "c:d:l:vi:hV", opts, NULL)) != -1)
		if (ch == 'c')
			conf = optarg;
	if (conf && rv_conf_read("rearviewd", conf, opts, not_in_file,
	    conf_line, c) != 0)
		return 2;
	optind = 0;
	opterr = 1;
	while ((ch = getopt_long(argc, argv, "c:d:l:vi:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("rearviewd %s\n", PACKAGE_VERSION);
			return 1;
		case '?':
			fprintf(stderr, "Try 'rearviewd --help'.\n");
			return 2;
		default:
			if (ch == 'l' && !cl_listen++) {
				/* The command line replaces the config's list. */
				for (size_t i = 0; i < c->nlisten; i++)
					free(c->listen[i]);
				c->nlisten = 0;
			}
			if (ch == O_DNSTAP && !cl_dnstap++) {
				for (size_t i = 0; i < c->ndnstap; i++)
					free(c->dnstap[i]);
				c->ndnstap = 0;
			}
			if (ch == O_SINK && !cl_sink++) {
				for (size_t i = 0; i < c->nsink; i++)
					free(c->sink[i]);
				c->nsink = 0;
			}
			apply_why = NULL;
			if (apply(c, ch, optarg) != 0) {
				fprintf(stderr, "rearviewd: bad value for "
				    "--%s: '%s'%s%s\n", opt_name(ch),
				    optarg ? optarg : "", apply_why ? ": " : "",
				    apply_why ? apply_why : "");
				return 2;
			}
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rearviewd: unexpected argument '%s'\n"
		    "Try 'rearviewd --help'.\n", argv[optind]);
		return 2;
	}
	if (!c->db && set_str(&c->db, RVD_DEFAULT_DB) != 0)
		return 2;
	if (!c->nlisten && apply(c, 'l', RVD_DEFAULT_LISTEN) != 0)
		return 2;
	return 0;
}

void
rvd_config_free(struct rvd_config *c)
{
	free(c->db);
	for (size_t i = 0; i < c->nlisten; i++)
		free(c->listen[i]);
	free(c->tls_cert);
	free(c->ipc_group);
	free(c->tls_key);
	free(c->tls_ca);
	free((char *)c->mmdb.asn_db);
	free((char *)c->mmdb.geo_db);
	free((char *)c->mmdb.f_asn);
	free((char *)c->mmdb.f_org);
	free((char *)c->mmdb.f_cc);
	free((char *)c->mmdb.f_city);
	free((char *)c->mmdb.f_lat);
	free((char *)c->mmdb.f_lon);
	free(c->import);
	free(c->sensor);
	free(c->psl);
	for (size_t i = 0; i < c->ndnstap; i++)
		free(c->dnstap[i]);
	for (size_t i = 0; i < c->nsink; i++)
		free(c->sink[i]);
	free(c->dnstap_sensor);
	free(c->dnstap_group);
	memset(c, 0, sizeof(*c));
}
