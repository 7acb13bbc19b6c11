/**
 * \file report.c
 * `rearview report fastflux|tunnel`: options, the window, allow-lists,
 * thresholds, then scan, print and (--out DIR) write the dated files.
 *
 * Exit status: 0 something was flagged, 1 nothing flagged, 2 usage error,
 * 3 any other error (as the CLI's 0 results / 1 no results).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpsl.h>

#include "cli.h"
#include "out.h"
#include "report.h"
#include "rvq_newdom.h"
#include "rv_err.h"
#include "rv_num.h"
#include "rv_time.h"

enum {
	OPT_WINDOW = 'w',
	OPT_SINCE = CLI_OPT_OWN,
	OPT_UNTIL,
	OPT_ALL,
	OPT_OUT,
	OPT_ALLOW,
	OPT_ALLOW_ZONE,
	OPT_PSL,
	OPT_HOLZ,
	OPT_SCORE,
	OPT_MIN_ASN,
	OPT_TTL_REF,
	OPT_THRESHOLD,
	OPT_MIN_NAMES,
	OPT_LEN_RAMP,
	OPT_ENT_RAMP,
	OPT_CHUNK,
	OPT_WATCH,
	OPT_WARMUP
};

#define COMMON_REPORT_OPTS \
	{ { "window", required_argument, NULL, OPT_WINDOW }, "DUR", \
	  "window ending now (default 24h; 90m, 7d, 2w, seconds)" }, \
	{ { "since", required_argument, NULL, OPT_SINCE }, "TIME", \
	  "window start (epoch, ISO 8601, or 24h ago)" }, \
	{ { "until", required_argument, NULL, OPT_UNTIL }, "TIME", \
	  "window end (default now)" }, \
	{ { "all", no_argument, NULL, OPT_ALL }, NULL, \
	  "list every candidate ranked, not only the flagged ones" }, \
	{ { "out", required_argument, NULL, OPT_OUT }, "DIR", \
	  "also write DIR/rearview-KIND-DATE.json and .html" }, \
	{ { "allow", required_argument, NULL, OPT_ALLOW }, "FILE", \
	  "zones never reported, one per line (repeatable)" }, \
	{ { "allow-zone", required_argument, NULL, OPT_ALLOW_ZONE }, \
	  "ZONE", "a zone never reported (repeatable)" }, \
	{ { "chunk", required_argument, NULL, OPT_CHUNK }, "N", \
	  "records per read transaction (default 65536)" }

static const struct cli_optdef ff_opts[] = {
	COMMON_REPORT_OPTS,
	{ { "holz-threshold", required_argument, NULL, OPT_HOLZ }, "F",
	  "flag when Holz's f exceeds F (default 142.38)" },
	{ { "score-threshold", required_argument, NULL, OPT_SCORE }, "S",
	  "flag when the rearview score reaches S (default 50)" },
	{ { "min-asn", required_argument, NULL, OPT_MIN_ASN }, "N",
	  "never flag with fewer than N ASNs (default 2, at least 2)" },
	{ { "ttl-ref", required_argument, NULL, OPT_TTL_REF }, "SECS",
	  "TTL weight 1/(1+ttl/SECS) (default 900)" },
};

static const struct cli_optdef tun_opts[] = {
	COMMON_REPORT_OPTS,
	{ { "threshold", required_argument, NULL, OPT_THRESHOLD }, "S",
	  "flag when the score reaches S (default 30)" },
	{ { "min-names", required_argument, NULL, OPT_MIN_NAMES }, "N",
	  "and the domain has at least N names (default 20)" },
	{ { "len-ramp", required_argument, NULL, OPT_LEN_RAMP }, "LO,HI",
	  "label length scored 0 at LO, 1 at HI (default 10,50)" },
	{ { "entropy-ramp", required_argument, NULL, OPT_ENT_RAMP }, "LO,HI",
	  "label entropy scored 0 at LO, 1 at HI bits (default 3,4.5)" },
	{ { "psl", required_argument, NULL, OPT_PSL }, "FILE",
	  "public suffix list (default: the system's, else built in)" },
};

static const struct cli_optdef ph_opts[] = {
	COMMON_REPORT_OPTS,
	{ { "watch", required_argument, NULL, OPT_WATCH }, "FILE",
	  "watch list: brand/own/allow lines (default "
	  RVQ_WATCH_DEFAULT ")" },
	{ { "psl", required_argument, NULL, OPT_PSL }, "FILE",
	  "public suffix list (default: the system's, else built in)" },
};

static const struct cli_optdef nd_opts[] = {
	COMMON_REPORT_OPTS,
	{ { "watch", required_argument, NULL, OPT_WATCH }, "FILE",
	  "watch list for the signals (default " RVQ_WATCH_DEFAULT ")" },
	{ { "warm-up", required_argument, NULL, OPT_WARMUP }, "DUR",
	  "history needed before 'new' means new (default 7d)" },
};

struct rctx {
	struct cli_opts o;
	struct rvq_report_cfg cfg;
	int64_t window;
	int64_t since, until;
	int have_since, have_until;
	const char *out;
	const char *psl_file;
	const char *watch_file;
	int64_t warmup;
	const char *cmd;
};

/* A checked non-negative number. */
static int
parse_num(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(v) ||
	    v < 0) {
		cli_err("report: %s: '%s' is not a non-negative number", opt,
		    s);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_ramp(const char *opt, const char *s, double *lo, double *hi)
{
	char buf[128];
	char *comma;

	if (strlen(s) >= sizeof(buf) || (comma = strchr(s, ',')) == NULL) {
		cli_err("report: %s: '%s' is not LO,HI", opt, s);
		return -1;
	}
	memcpy(buf, s, (size_t)(comma - s));
	buf[comma - s] = '\0';
	if (parse_num(opt, buf, lo) != 0 || parse_num(opt, comma + 1, hi))
		return -1;
	if (*hi <= *lo) {
		cli_err("report: %s: HI must be above LO in '%s'", opt, s);
		return -1;
	}
	return 0;
}

static int
parse_time(struct rctx *x, const char *opt, const char *s, int64_t *out)
{
	int rc = rv_time_parse(s, x->o.now, out);

	if (rc != RV_OK || *out < 0 || *out > UINT32_MAX) {
		cli_err("report: %s: bad time '%s' (epoch, 2019-07-17[T19:52], "
		    "24h)", opt, s);
		return -1;
	}
	return 0;
}

static int
opt_fn(int code, const char *arg, void *ctx)
{
	struct rctx *x = ctx;
	uint64_t u;
	unsigned line;
	int rc;

	switch (code) {
	case OPT_WINDOW:
		if (rv_duration_parse(arg, &x->window) != RV_OK ||
		    x->window <= 0) {
			cli_err("report: --window: bad duration '%s' (24h, 7d, "
			    "90m)", arg);
			return -1;
		}
		return 0;
	case OPT_SINCE:
		x->have_since = 1;
		return parse_time(x, "--since", arg, &x->since);
	case OPT_UNTIL:
		x->have_until = 1;
		return parse_time(x, "--until", arg, &x->until);
	case OPT_ALL:
		x->cfg.all = 1;
		return 0;
	case OPT_OUT:
		x->out = arg;
		return 0;
	case OPT_PSL:
		x->psl_file = arg;
		return 0;
	case OPT_WATCH:
		x->watch_file = arg;
		return 0;
	case OPT_WARMUP:
		if (rv_duration_parse(arg, &x->warmup) != RV_OK ||
		    x->warmup < 0) {
			cli_err("report: --warm-up: bad duration '%s' (7d, "
			    "36h)", arg);
			return -1;
		}
		return 0;
	case OPT_ALLOW:
		rc = rvq_allow_load(&x->cfg.allow, arg, &line);
		if (rc == RV_EIO)
			cli_err("report: --allow: cannot read %s: %s", arg,
			    strerror(errno));
		else if (rc != RV_OK && line > 0)
			cli_err("report: %s:%u: not a zone name", arg, line);
		else if (rc != RV_OK)
			cli_err("report: --allow %s: %s", arg, rv_strerror(rc));
		return rc == RV_OK ? 0 : -1;
	case OPT_ALLOW_ZONE:
		if (rvq_allow_add(&x->cfg.allow, arg) != RV_OK) {
			cli_err("report: --allow-zone: bad zone name '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_HOLZ:
		return parse_num("--holz-threshold", arg,
		    &x->cfg.ff.holz_threshold);
	case OPT_SCORE:
		return parse_num("--score-threshold", arg,
		    &x->cfg.ff.score_threshold);
	case OPT_TTL_REF:
		if (parse_num("--ttl-ref", arg, &x->cfg.ff.ttl_ref) != 0)
			return -1;
		if (x->cfg.ff.ttl_ref <= 0) {
			cli_err("report: --ttl-ref must be above 0");
			return -1;
		}
		return 0;
	case OPT_CHUNK:
		if (rv_parse_u64(arg, 10, 0, UINT32_MAX, &x->cfg.chunk) != RV_OK ||
		    x->cfg.chunk == 0) {
			cli_err("report: --chunk: '%s' is not a number from 1",
			    arg);
			return -1;
		}
		return 0;
	case OPT_MIN_ASN:
	case OPT_MIN_NAMES:
		if (rv_parse_u64(arg, 10, 0, 1000000, &u) != RV_OK) {
			cli_err("report: %s: '%s' is not a number up to "
			    "1000000", code == OPT_MIN_ASN ? "--min-asn" :
			    "--min-names", arg);
			return -1;
		}
		if (code == OPT_MIN_ASN)
			x->cfg.ff.min_asn = (unsigned)u;
		else
			x->cfg.tun.min_names = (unsigned)u;
		return 0;
	case OPT_THRESHOLD:
		return parse_num("--threshold", arg, &x->cfg.tun.threshold);
	case OPT_LEN_RAMP:
		return parse_ramp("--len-ramp", arg, &x->cfg.tun.len_lo,
		    &x->cfg.tun.len_hi);
	case OPT_ENT_RAMP:
		return parse_ramp("--entropy-ramp", arg, &x->cfg.tun.ent_lo,
		    &x->cfg.tun.ent_hi);
	default:
		return -1;
	}
}

/* Options of the query commands that mean nothing here. */
static int
check_common(struct rctx *x)
{
	const struct cli_opts *o = &x->o;

	if (rvq_fence_active(&o->fence)) {
		cli_err("report: use --window or --since/--until, not "
		    "-A/-B/--first-*/--last-*");
		return -1;
	}
	if (o->sort != CLI_SORT_DEFAULT || o->reverse) {
		cli_err("report: rows are ranked by score; --sort and "
		    "--reverse do not apply");
		return -1;
	}
	if (o->sensor != NULL || o->file != NULL || o->idn) {
		cli_err("report: --sensor, --file and --idn do not apply");
		return -1;
	}
	if (o->fmt != CLI_FMT_AUTO && o->fmt != CLI_FMT_TABLE &&
	    o->fmt != CLI_FMT_JSON && o->fmt != CLI_FMT_CSV) {
		cli_err("report: -o takes table, json or csv");
		return -1;
	}
	if (o->argc > 0) {
		cli_err("report %s: unexpected argument '%s' (try 'rearview "
		    "report %s --help')", x->cmd, o->argv[0], x->cmd);
		return -1;
	}
	return 0;
}

/* The window from --window, --since and --until. */
static int
set_window(struct rctx *x)
{
	int64_t until = x->have_until ? x->until : x->o.now;
	int64_t since = x->have_since ? x->since : until - x->window;

	if (since < 0)
		since = 0;
	if (since > until) {
		cli_err("report: the window starts after it ends (--since is "
		    "later than --until)");
		return -1;
	}
	x->cfg.win.since = since;
	x->cfg.win.until = until;
	return 0;
}

/* How long the registered-domain index has observed, and a warning while
 * it is younger than the warm-up (newly observed means little before). */
static void
history_note(const char *cmd, int64_t now, uint32_t observing,
    int64_t warmup)
{
	char t[RV_TIME_STR_MAX];

	if (observing == 0) {
		cli_err("%s: warning: the registered-domain index is empty: "
		    "nothing observed yet", cmd);
		return;
	}
	rvq_time_str(observing, 0, t, sizeof(t));
	if (now - (int64_t)observing < warmup)
		cli_err("%s: warning: observing since %s (%.1f days), less "
		    "than the %.0f-day warm-up: domains seen before may look "
		    "new", cmd, t, (double)(now - observing) / 86400.0,
		    (double)warmup / 86400.0);
}

static int
run(int argc, char **argv, enum rvq_report_kind kind)
{
	static const char *usage[] = { NULL, "report fastflux [OPTIONS]",
	    "report tunnel [OPTIONS]", NULL, "report phishing [OPTIONS]" };
	static const char *summary[] = { NULL,
	    "Names that look like fast flux: many addresses across ASNs and "
	    "countries, short TTLs, rotating sets.",
	    "Registered domains that look like DNS tunnels: many long, random "
	    "labels, TXT/NULL/CNAME data, NXDOMAINs.", NULL,
	    "Names seen in the window that look like phishing: lookalikes of "
	    "watched brands and own domains, brands embedded in other "
	    "domains, credential keywords; each with its reasons and a "
	    "verdict (block, watch, none)." };
	const struct cli_optdef *od = kind == RVQ_REPORT_FF ? ff_opts :
	    kind == RVQ_REPORT_PHISH ? ph_opts : tun_opts;
	size_t nod = kind == RVQ_REPORT_FF ?
	    sizeof(ff_opts) / sizeof(ff_opts[0]) : kind == RVQ_REPORT_PHISH ?
	    sizeof(ph_opts) / sizeof(ph_opts[0]) :
	    sizeof(tun_opts) / sizeof(tun_opts[0]);
	struct rctx x;
	struct rvq_db db;
	struct rvq_report rep;
	struct cli_watch cw;
	psl_ctx_t *own_psl = NULL;
	char path[4096];
	int rc, ex = CLI_EXIT_ERROR;

	memset(&x, 0, sizeof(x));
	memset(&db, 0, sizeof(db));
	memset(&rep, 0, sizeof(rep));
	memset(&cw, 0, sizeof(cw));
	x.cmd = kind == RVQ_REPORT_FF ? "fastflux" : kind == RVQ_REPORT_PHISH ?
	    "phishing" : "tunnel";
	x.window = 86400;
	x.cfg.kinds = kind;
	rvq_ff_params_default(&x.cfg.ff);
	rvq_tun_params_default(&x.cfg.tun);
	cli_opts_init(&x.o, (int64_t)time(NULL));
	rc = cli_opts_parse(&x.o, argc, argv, usage[kind], summary[kind],
	    od, nod, opt_fn, &x);
	if (rc != CLI_EXIT_OK || x.o.help) {
		ex = rc;
		goto leave;
	}
	if (check_common(&x) != 0 || set_window(&x) != 0) {
		ex = CLI_EXIT_USAGE;
		goto leave;
	}
	rvq_allow_finish(&x.cfg.allow);
	/* Only the printed rows are kept; --out DIR gets the same rows. */
	if (x.o.limit > 0)
		x.cfg.keep = x.o.offset + x.o.limit;
	if (kind == RVQ_REPORT_PHISH) {
		/* The other reports run in the same pass for their flags. */
		if ((ex = cli_watch_open("report phishing", x.watch_file,
		    x.psl_file, &cw)) != CLI_EXIT_OK)
			goto leave;
		ex = CLI_EXIT_ERROR;
		x.cfg.kinds = RVQ_REPORT_PHISH | RVQ_REPORT_FF | RVQ_REPORT_TUN;
		x.cfg.phish = cw.ph;
		x.cfg.psl = cw.psl;
	} else if (kind == RVQ_REPORT_TUN) {
		if (x.psl_file != NULL) {
			own_psl = psl_load_file(x.psl_file);
			if (own_psl == NULL) {
				cli_err("report: --psl: cannot load %s",
				    x.psl_file);
				ex = CLI_EXIT_USAGE;
				goto leave;
			}
		} else {
			own_psl = psl_latest(NULL);
		}
		x.cfg.psl = own_psl != NULL ? own_psl :
		    (void *)psl_builtin();
		if (x.cfg.psl == NULL) {
			cli_err("report: no public suffix list (install "
			    "publicsuffix or give --psl FILE)");
			goto leave;
		}
	}
	if (cli_db_open(x.o.db, &db) != CLI_EXIT_OK)
		goto leave;
	rc = rvq_report_scan(&db, &x.cfg, &rep);
	if (rc == RV_ECORRUPT) {
		struct rvq_err err;
		rvq_db_errf(&err, &db, rc);
		cli_err("%s", err.msg);
	}
	rvq_db_close(&db);
	if (rc != RV_OK) {
		if (rc != RV_ECORRUPT)
			cli_err("report %s: reading %s: %s", x.cmd, x.o.db,
			    rv_strerror(rc));
		goto leave;
	}
	if (kind == RVQ_REPORT_PHISH && rep.regdom_since == 0)
		cli_err("report phishing: warning: the database has no "
		    "registered-domain index yet (rearviewd of this version "
		    "keeps it): no domain counts as newly observed");
	else if (kind == RVQ_REPORT_PHISH)
		history_note("report phishing", x.o.now, rep.observing_since,
		    7 * 86400);
	if (x.out != NULL && (rc = report_write_dir(x.out, kind, &rep,
	    &x.cfg, path, sizeof(path))) != RV_OK) {
		cli_err("report %s: cannot write the report in %s: %s", x.cmd,
		    x.out, rc == RV_EIO ? strerror(errno) : rv_strerror(rc));
		goto leave;
	}
	rc = report_print(stdout, cli_fmt_resolve(x.o.fmt, stdout), kind,
	    &rep, &x.cfg, x.o.offset, x.o.limit);
	if (rc != RV_OK || fflush(stdout) != 0) {
		cli_err("report %s: cannot write the output", x.cmd);
		goto leave;
	}
	ex = (kind == RVQ_REPORT_FF ? rep.ff_flagged : kind ==
	    RVQ_REPORT_PHISH ? rep.ph_flagged : rep.tun_flagged) > 0 ?
	    CLI_EXIT_OK : CLI_EXIT_NONE;
leave:
	cli_watch_close(&cw);
	rvq_report_free(&rep);
	rvq_allow_free(&x.cfg.allow);
	if (own_psl != NULL)
		psl_free(own_psl);
	return ex;
}

static int
cmd_fastflux(int argc, char **argv, const struct cli_env *env)
{
	(void)env;
	return run(argc, argv, RVQ_REPORT_FF);
}

static int
cmd_tunnel(int argc, char **argv, const struct cli_env *env)
{
	(void)env;
	return run(argc, argv, RVQ_REPORT_TUN);
}

static int
cmd_phishing(int argc, char **argv, const struct cli_env *env)
{
	(void)env;
	return run(argc, argv, RVQ_REPORT_PHISH);
}

static int
cmd_newdomains(int argc, char **argv, const struct cli_env *env)
{
	struct rctx x;
	struct rvq_db db;
	struct rvq_newdom_result r;
	struct cli_watch cw;
	int rc, ex = CLI_EXIT_ERROR;

	(void)env;
	memset(&x, 0, sizeof(x));
	memset(&db, 0, sizeof(db));
	memset(&r, 0, sizeof(r));
	memset(&cw, 0, sizeof(cw));
	x.cmd = "newdomains";
	x.window = 86400;
	x.warmup = 7 * 86400;
	cli_opts_init(&x.o, (int64_t)time(NULL));
	rc = cli_opts_parse(&x.o, argc, argv, "report newdomains [OPTIONS]",
	    "Registered domains (public suffix list) whose first sighting "
	    "anywhere in the database falls in the window: first names, "
	    "addresses, ASNs, name servers and phishing signals.", nd_opts,
	    sizeof(nd_opts) / sizeof(nd_opts[0]), opt_fn, &x);
	if (rc != CLI_EXIT_OK || x.o.help) {
		ex = rc;
		goto leave;
	}
	if (check_common(&x) != 0 || set_window(&x) != 0) {
		ex = CLI_EXIT_USAGE;
		goto leave;
	}
	if (x.out != NULL || x.cfg.all || x.cfg.allow.n > 0) {
		cli_err("report newdomains: --out, --all and --allow do not "
		    "apply");
		ex = CLI_EXIT_USAGE;
		goto leave;
	}
	if ((ex = cli_watch_open("report newdomains", x.watch_file, NULL,
	    &cw)) != CLI_EXIT_OK)
		goto leave;
	ex = CLI_EXIT_ERROR;
	if (cli_db_open(x.o.db, &db) != CLI_EXIT_OK)
		goto leave;
	rc = rvq_newdom_scan(&db, &x.cfg.win, x.o.limit > 0 ?
	    (size_t)(x.o.offset + x.o.limit) : 0, &r);
	if (rc == RV_ECORRUPT) {
		struct rvq_err err;
		rvq_db_errf(&err, &db, rc);
		cli_err("%s", err.msg);
	}
	rvq_db_close(&db);
	if (rc == RV_ENOENT) {
		cli_err("report newdomains: %s has no registered-domain index "
		    "yet: it is kept by rearviewd from this version on (start "
		    "it once on the database)", x.o.db);
		goto leave;
	}
	if (rc != RV_OK) {
		if (rc != RV_ECORRUPT)
			cli_err("report newdomains: reading %s: %s", x.o.db,
			    rv_strerror(rc));
		goto leave;
	}
	history_note("report newdomains", x.o.now, r.observing_since,
	    x.warmup);
	rc = report_newdom_print(stdout, cli_fmt_resolve(x.o.fmt, stdout), &r,
	    &cw, x.o.offset, x.o.limit);
	if (rc != RV_OK || fflush(stdout) != 0) {
		cli_err("report newdomains: cannot write the output");
		goto leave;
	}
	ex = r.n > 0 ? CLI_EXIT_OK : CLI_EXIT_NONE;
leave:
	cli_watch_close(&cw);
	rvq_newdom_free(&r);
	rvq_allow_free(&x.cfg.allow);
	return ex;
}

static const struct cli_command report_cmds[] = {
	{ "fastflux", "names that look like fast-flux service networks",
	  cmd_fastflux },
	{ "tunnel", "registered domains that look like DNS tunnels",
	  cmd_tunnel },
	{ "phishing", "names that look like phishing: lookalikes, embedded "
	  "brands, keywords; verdicts", cmd_phishing },
	{ "newdomains", "registered domains first seen in the window",
	  cmd_newdomains },
	{ NULL, NULL, NULL }
};

static void
report_help(FILE *fp)
{
	const struct cli_command *c;

	fprintf(fp, "usage: %s report fastflux|tunnel|phishing|newdomains [OPTIONS]\n"
	    "Scheduled detection reports over the window (default the last "
	    "24h).\n\n", cli_progname);
	for (c = report_cmds; c->name != NULL; c++)
		fprintf(fp, "  %-9s %s\n", c->name, c->summary);
	fprintf(fp, "\n'%s report KIND --help' for its options; "
	    "rearview-report(1) for the scores.\n"
	    "Exit: 0 something flagged, 1 nothing flagged, 2 usage error, "
	    "3 other error.\n", cli_progname);
}

int
cmd_report(int argc, char **argv, const struct cli_env *env)
{
	const struct cli_command *c;

	if (argc < 2) {
		cli_err("report: which report? fastflux, tunnel, phishing or newdomains (try '%s "
		    "report --help')", cli_progname);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		report_help(stdout);
		return CLI_EXIT_OK;
	}
	if ((c = cli_command_find(report_cmds, argv[1])) == NULL) {
		cli_err("report: unknown report '%s' (fastflux, tunnel, phishing or "
		    "newdomains)",
		    argv[1]);
		return CLI_EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1, env);
}
