/**
 * \file sv_main.c
 * `rearview serve` (the rearview-serve program, which `rearview serve`
 * runs): the command line and config file, the keys, the store opened
 * read-only, then the HTTP service (sv_http.c). Every config key is a long
 * option name, as in rearviewd.conf, so the two cannot drift apart.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpsl.h>

#include "config.h"
#include "rv_err.h"
#include "rv_num.h"
#include "rv_ch.h"
#include "rv_conf.h"
#include "rvq_db.h"
#include "rvq_phish.h"
#include "sv.h"

enum {
	O_TLS_CERT = 256, O_TLS_KEY, O_INSECURE, O_MAX_CONN, O_TIMEOUT,
	O_LIMIT_DEFAULT, O_LIMIT_MAX, O_OFFSET_MAX, O_ORIGIN, O_ACCESS_LOG,
	O_WATCH,
	O_ADD_KEY, O_KEY_OPTIONS, O_ONGOING, O_TXN_MS
};

static const struct option opts[] = {
	{ "db",			required_argument, NULL, 'd' },
	{ "backend",		required_argument, NULL, 'd' },
	{ "listen",		required_argument, NULL, 'l' },
	{ "keys",		required_argument, NULL, 'k' },
	{ "tls-cert",		required_argument, NULL, O_TLS_CERT },
	{ "tls-key",		required_argument, NULL, O_TLS_KEY },
	{ "insecure-http",	no_argument,       NULL, O_INSECURE },
	{ "threads",		required_argument, NULL, 't' },
	{ "max-connections",	required_argument, NULL, O_MAX_CONN },
	{ "timeout",		required_argument, NULL, O_TIMEOUT },
	{ "limit-default",	required_argument, NULL, O_LIMIT_DEFAULT },
	{ "limit-max",		required_argument, NULL, O_LIMIT_MAX },
	{ "offset-max",		required_argument, NULL, O_OFFSET_MAX },
	{ "keepalive-ms",	required_argument, NULL, O_ONGOING },
	{ "txn-ms",		required_argument, NULL, O_TXN_MS },
	{ "origin",		required_argument, NULL, O_ORIGIN },
	{ "access-log",		required_argument, NULL, O_ACCESS_LOG },
	{ "watch",		required_argument, NULL, O_WATCH },
	{ "add-key",		required_argument, NULL, O_ADD_KEY },
	{ "key-options",	required_argument, NULL, O_KEY_OPTIONS },
	{ "config",		required_argument, NULL, 'c' },
	{ "help",		no_argument,       NULL, 'h' },
	{ "version",		no_argument,       NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: rearview serve [-d DIR] [--listen ADDR:PORT]... [--keys FILE]\n"
"                      [--tls-cert FILE --tls-key FILE] [--threads N]\n"
"       rearview serve --keys FILE --add-key NAME [--key-options OPTS]\n"
"\n"
"Serve the database over HTTP, read-only, next to a running rearviewd:\n"
"the DNSDB API v2 (/dnsdb/v2/...; dnsdbq with DNSDB_SERVER works\n"
"unchanged), its v1 routes (/lookup/...), CIRCL passive DNS\n"
"(/pdns/query/...), rearview's own API (/api/v1/...) and the investigation\n"
"page for browsers (/).\n"
"\n"
"  -d, --db DIR            database (default $REARVIEW_DB, else\n"
"                          /var/lib/rearview)\n"
"      --backend URL       answer lookups from ClickHouse instead:\n"
"                          clickhouse+http://[USER[:PASS]@]HOST[:PORT]/DB,\n"
"                          filled by rearviewd --sink (reports, verdicts\n"
"                          and statistics need --db DIR: 501 here)\n"
"  -l, --listen ADDR:PORT  listen there (repeatable; [::1]:8053 for IPv6;\n"
"                          default 127.0.0.1:8053)\n"
"  -k, --keys FILE         API keys (X-API-Key, or basic auth's password);\n"
"                          without keys only loopback clients are answered\n"
"      --tls-cert FILE     serve HTTPS with this PEM certificate ...\n"
"      --tls-key FILE      ... and this PEM key\n"
"      --insecure-http     allow plain HTTP on a non-loopback address\n"
"  -t, --threads N         queries running at once (default 16; more: 503)\n"
"      --max-connections N connections at once (default 256)\n"
"      --timeout S         close a connection idle this long (default 30)\n"
"      --limit-default N   rows when a query gives no limit (10000)\n"
"      --limit-max N       most rows a query may ask (limit=0; 1000000)\n"
"      --offset-max N      a larger offset answers 416 (1000000)\n"
"      --keepalive-ms N    {\"cond\":\"ongoing\"} after this long without a\n"
"                          row (default 5000)\n"
"      --txn-ms N          a stream renews its read transaction this often,\n"
"                          so rearviewd can reuse freed pages (default 1000)\n"
"      --origin TEXT       CIRCL's \"origin\" field (default rearview)\n"
"      --access-log FILE   log requests there (default: stderr)\n"
"      --watch FILE        watch list of the phishing report and verdicts\n"
"                          (default /etc/rearview/watch.conf when it exists)\n"
"      --add-key NAME      add a key to --keys, print its secret once, exit\n"
"      --key-options OPTS  with --add-key: \"rate=N/S quota=N results=N\"\n"
"  -c, --config FILE       config file (keys are these long options)\n"
"  -h, --help              this help\n"
"  -V, --version           version\n"
"\n"
"Exit status: 0 stopped by SIGINT/SIGTERM, 1 error, 2 usage error.\n"
"See rearview-serve(8) for the routes, parameters and keys file.\n");
}

struct args {
	struct sv_conf c;
	const char *add_key, *key_options;
	char *owned[64];	/* config file values */
	unsigned nowned;
};

/* The watch list (--watch, else the default file when it exists) and the
 * lookalike engine on it. */
static int
watch_open(struct sv *sv)
{
	const char *path = sv->c.watch, *why = NULL;
	unsigned line = 0;
	int rc;

	if ((sv->watch = rvq_watch_new()) == NULL)
		return RV_ENOMEM;
	if (path == NULL && access(RVQ_WATCH_DEFAULT, F_OK) == 0)
		path = RVQ_WATCH_DEFAULT;
	if (path != NULL && (rc = rvq_watch_load(sv->watch, path, &line,
	    &why)) != RV_OK) {
		if (rc == RV_EIO)
			fprintf(stderr, "rearview serve: --watch: cannot read "
			    "%s: %s\n", path, strerror(errno));
		else
			fprintf(stderr, "rearview serve: %s:%u: %s\n", path,
			    line, why != NULL ? why : rv_strerror(rc));
		return rc;
	}
	if ((sv->phish = rvq_phish_new(sv->watch, NULL, &rc)) == NULL) {
		fprintf(stderr, "rearview serve: the lookalike matcher: %s\n",
		    rv_strerror(rc));
		return rc;
	}
	return RV_OK;
}

static int
num(const char *v, uint64_t min, uint64_t max, uint64_t *out)
{
	return v != NULL && rv_parse_u64(v, 10, min, max, out) == RV_OK ? 0 :
	    -1;
}

static int
apply(struct args *a, int code, const char *v)
{
	struct sv_conf *c = &a->c;
	uint64_t u;

	switch (code) {
	case 'd': c->db = v; return 0;
	case 'l':
		if (c->nlisten == SV_LISTEN_MAX)
			return -1;
		c->listen[c->nlisten++] = v;
		return 0;
	case 'k': c->keys = v; return 0;
	case O_TLS_CERT: c->tls_cert = v; return 0;
	case O_TLS_KEY: c->tls_key = v; return 0;
	case O_INSECURE: c->insecure_http = 1; return 0;
	case O_ORIGIN: c->origin = v; return 0;
	case O_ACCESS_LOG: c->access_log = v; return 0;
	case O_WATCH: c->watch = v; return 0;
	case O_ADD_KEY: a->add_key = v; return 0;
	case O_KEY_OPTIONS: a->key_options = v; return 0;
	case 't':
		if (num(v, 1, 100, &u) != 0)	/* LMDB's 126 reader slots */
			return -1;
		c->threads = (unsigned)u;
		return 0;
	case O_MAX_CONN:
		if (num(v, 1, 100000, &u) != 0)
			return -1;
		c->max_conn = (unsigned)u;
		return 0;
	case O_TIMEOUT:
		if (num(v, 1, 86400, &u) != 0)
			return -1;
		c->timeout = (unsigned)u;
		return 0;
	case O_ONGOING:
		if (num(v, 10, 3600000, &u) != 0)
			return -1;
		c->ongoing_ms = (unsigned)u;
		return 0;
	case O_TXN_MS:
		if (num(v, 1, 3600000, &u) != 0)
			return -1;
		c->txn_ms = (unsigned)u;
		return 0;
	case O_LIMIT_DEFAULT:
		return num(v, 1, UINT32_MAX, &c->limit_default);
	case O_LIMIT_MAX:
		return num(v, 1, UINT32_MAX, &c->limit_max);
	case O_OFFSET_MAX:
		return num(v, 0, UINT32_MAX, &c->offset_max);
	default:
		return -1;
	}
}

/* A config file's line (rv_conf_read): the value is kept for the run. */
static int
conf_line(void *arg, const struct option *o, const char *v, const char **why)
{
	struct args *a = arg;

	if (a->nowned == sizeof(a->owned) / sizeof(a->owned[0]) ||
	    (a->owned[a->nowned] = strdup(v != NULL ? v : "")) == NULL) {
		*why = "too many keys";
		return -1;
	}
	return apply(a, o->val, a->owned[a->nowned++]);
}

/* Options that make no sense in a file. */
static const int not_in_file[] = { 'c', 'h', 'V', O_ADD_KEY, O_KEY_OPTIONS,
	0 };

static const char *
opt_name(int code)
{
	for (const struct option *o = opts; o->name != NULL; o++)
		if (o->val == code)
			return o->name;
	return "?";
}

/* \return 0 to go on, 1 to exit 0 (help), 2 usage error. */
static int
parse(struct args *a, int argc, char **argv)
{
	const char *conf = NULL, *env = getenv("REARVIEW_DB");
	int ch, cl_listen = 0;

	a->c.threads = 16;
	a->c.max_conn = 256;
	a->c.timeout = 30;
	a->c.limit_default = 10000;
	a->c.limit_max = 1000000;
	a->c.offset_max = 1000000;
	a->c.ongoing_ms = 5000;
	a->c.txn_ms = 1000;
	a->c.origin = "rearview";
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "d:l:k:t:c:hV", opts, NULL)) !=
	    -1)
		if (ch == 'c')
			conf = optarg;
	if (conf != NULL && rv_conf_read("rearview serve", conf, opts,
	    not_in_file, conf_line, a) != 0)
		return 2;
	optind = 0;
	opterr = 1;
	while ((ch = getopt_long(argc, argv, "d:l:k:t:c:hV", opts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("rearview serve %s\n", PACKAGE_VERSION);
			return 1;
		case '?':
			fprintf(stderr, "Try 'rearview serve --help'.\n");
			return 2;
		default:
			if (ch == 'l' && cl_listen++ == 0)
				a->c.nlisten = 0;	/* replaces the config's */
			if (apply(a, ch, optarg) != 0) {
				fprintf(stderr, "rearview serve: bad value for "
				    "--%s: '%s'\n", opt_name(ch),
				    optarg != NULL ? optarg : "");
				return 2;
			}
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rearview serve: unexpected argument '%s'\n"
		    "Try 'rearview serve --help'.\n", argv[optind]);
		return 2;
	}
	if (a->c.db == NULL)
		a->c.db = env != NULL && *env != '\0' ? env :
		    "/var/lib/rearview";
	if (a->c.nlisten == 0)
		a->c.listen[a->c.nlisten++] = "127.0.0.1:8053";
	if ((a->c.tls_cert == NULL) != (a->c.tls_key == NULL)) {
		fprintf(stderr, "rearview serve: give both --tls-cert and "
		    "--tls-key\n");
		return 2;
	}
	if (a->c.limit_default > a->c.limit_max)
		a->c.limit_default = a->c.limit_max;
	if (a->add_key != NULL && a->c.keys == NULL) {
		fprintf(stderr, "rearview serve: --add-key needs --keys FILE\n");
		return 2;
	}
	return 0;
}

static int
add_key(struct args *a)
{
	char secret[SV_KEY_SECRET_MAX], err[512];

	if (sv_keys_add(a->c.keys, a->add_key, a->key_options, secret,
	    sizeof(secret), err, sizeof(err)) != RV_OK) {
		fprintf(stderr, "rearview serve: %s\n", err);
		return 1;
	}
	printf("%s\n", secret);
	fprintf(stderr, "rearview serve: key '%s' added to '%s'; its secret "
	    "(above) is shown only this once\n", a->add_key, a->c.keys);
	return 0;
}

/*
 * --db clickhouse+http://HOST:PORT/DB (or --backend): the lookups are
 * answered from ClickHouse, each worker with its own connection; asked
 * once here that it answers and has the tables. \return 0, RV_ENOTSUP
 * (said why).
 */
static int
check_remote(const char *url)
{
	struct rvq_db db;
	struct rvq_err err;

	if (rvq_db_open_lookups(url, &db, &err) != RV_OK) {
		fprintf(stderr, "rearview serve: %s\n", err.msg);
		return RV_ENOTSUP;
	}
	rvq_db_close(&db);
	return RV_OK;
}

int
main(int argc, char **argv)
{
	static struct args a;	/* zeroed; lives as long as the service */
	struct sv sv;
	char err[512];
	int rc;

	if ((rc = parse(&a, argc, argv)) != 0)
		return rc == 1 ? 0 : 2;
	if (a.add_key != NULL)
		return add_key(&a);
	memset(&sv, 0, sizeof(sv));
	sv.c = a.c;
	sv.log = stderr;
	pthread_mutex_init(&sv.mu, NULL);
	rc = 1;
	if (a.c.access_log != NULL && (sv.log = fopen(a.c.access_log,
	    "a")) == NULL) {
		fprintf(stderr, "rearview serve: cannot open '%s': %s\n",
		    a.c.access_log, strerror(errno));
		sv.log = stderr;
		goto leave;
	}
	if (a.c.keys != NULL && sv_keys_load(a.c.keys, &sv.keys, err,
	    sizeof(err)) != RV_OK) {
		fprintf(stderr, "rearview serve: %s\n", err);
		goto leave;
	}
	switch (rv_ch_is_url(a.c.db) ? check_remote(a.c.db) :
	    rv_store_open(a.c.db, RV_STORE_RDONLY, 0, &sv.st)) {
	case RV_OK:
		break;
	case RV_ENOENT:
		fprintf(stderr, "rearview serve: no rearview database in '%s' "
		    "(give --db DIR or set REARVIEW_DB)\n", a.c.db);
		goto leave;
	case RV_ENOTSUP:	/* check_remote said why */
		goto leave;
	default:
		fprintf(stderr, "rearview serve: cannot open database '%s': "
		    "%s\n", a.c.db, sv.st != NULL ? rv_store_why(sv.st) :
		    strerror(errno));
		goto leave;
	}
	/* The system's list when installed (publicsuffix), else libpsl's. */
	if ((sv.psl = psl_latest(NULL)) == NULL)
		sv.psl = (void *)psl_builtin();
	if (watch_open(&sv) != RV_OK)
		goto leave;
	rc = sv_http_run(&sv) == RV_OK ? 0 : 1;
leave:
	rvq_phish_free(sv.phish);
	rvq_watch_free(sv.watch);
	if (sv.psl != NULL && sv.psl != psl_builtin())
		psl_free(sv.psl);
	rv_store_close(sv.st);
	sv_keys_free(sv.keys);
	if (sv.log != stderr)
		fclose(sv.log);
	for (unsigned i = 0; i < a.nowned; i++)
		free(a.owned[i]);
	pthread_mutex_destroy(&sv.mu);
	return rc;
}
