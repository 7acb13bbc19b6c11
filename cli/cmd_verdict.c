/**
 * \file cmd_verdict.c
 * `rearview verdict NAME-OR-IP`: one screen with what rearview knows to
 * decide on blocking (query/rvq_verdict.h) and its recommendation: block,
 * watch or none, the same words in every output format.
 *
 * Exit status: 0 block or watch, 1 none, 2 usage error, 3 other error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "out.h"
#include "report.h"
#include "rv_err.h"
#include "rv_time.h"
#include "rvq_text.h"
#include "rvq_verdict.h"
#include "sb.h"

enum { OPT_WATCH = CLI_OPT_OWN, OPT_PSL, OPT_WINDOW };

static const struct cli_optdef vd_opts[] = {
	{ { "watch", required_argument, NULL, OPT_WATCH }, "FILE",
	  "watch list (default " RVQ_WATCH_DEFAULT ")" },
	{ { "psl", required_argument, NULL, OPT_PSL }, "FILE",
	  "public suffix list (default: the system's)" },
	{ { "window", required_argument, NULL, 'w' }, "DUR",
	  "the reports' window ending now (default 7d)" },
};

struct vctx {
	struct cli_opts o;
	const char *watch, *psl;
	int64_t window;
};

static int
opt_fn(int code, const char *arg, void *ctx)
{
	struct vctx *x = ctx;

	switch (code) {
	case OPT_WATCH:
		x->watch = arg;
		return 0;
	case OPT_PSL:
		x->psl = arg;
		return 0;
	case 'w':
		if (rv_duration_parse(arg, &x->window) != RV_OK ||
		    x->window <= 0) {
			cli_err("verdict: --window: bad duration '%s' (7d, "
			    "24h)", arg);
			return -1;
		}
		return 0;
	default:
		return -1;
	}
}

static void
line(const char *key, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
line(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("%-16s ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *
when(uint32_t t, char *buf, size_t n)
{
	if (t == 0)
		return "-";
	rvq_time_str(t, 0, buf, n);
	return buf;
}

static void
print_table(const struct rvq_vd *v, int64_t now)
{
	char a[RV_TIME_STR_MAX], b[RV_TIME_STR_MAX], ip[64];
	unsigned i;

	line("subject", "%s", v->subject);
	line("recommendation", "%s", rvq_verdict_word(v->verdict));
	for (i = 0; i < v->nwhy; i++)
		line(i ? "" : "because", "%s", v->why[i]);
	if (v->seen)
		line("seen", "%s .. %s", when(v->first, a, sizeof(a)),
		    when(v->last, b, sizeof(b)));
	else
		line("seen", "never");
	if (!v->is_ip) {
		if (v->regdom[0]) {
			if (v->regdom_first)
				line("registered", "%s, first seen %s (%.1f "
				    "days ago)%s", v->regdom,
				    when(v->regdom_first, a, sizeof(a)),
				    (double)(now - v->regdom_first) / 86400.0,
				    v->regdom_new ? ", newly observed" : "");
			else
				line("registered", "%s", v->regdom);
		}
		line("phishing", "%s, score %.0f%s%s",
		    rvq_verdict_word(v->judge.verdict), v->judge.score,
		    v->judge.brand[0] ? ", brand " : "", v->judge.brand);
		for (i = 0; i < v->judge.n; i++)
			line("", "%+6.0f  %-20s %s", v->judge.r[i].points,
			    rvq_phish_reason_word(v->judge.r[i].kind),
			    v->judge.r[i].detail);
		line("fast flux", "%s", v->flux ? "flagged" : "no");
		line("tunnelling", "%s", v->tunnel ? "flagged" : "no");
	}
	for (i = 0; i < v->naddr; i++) {
		if (rv_ip_to_str(&v->addr[i], ip, sizeof(ip)) != RV_OK)
			continue;
		line(i ? "" : "addresses", "%s", ip);
	}
	line(v->is_ip ? "names on it" : "co-hosted", "%llu names, %llu "
	    "flagged, %llu block", (unsigned long long)v->peers_seen,
	    (unsigned long long)v->peers_flagged,
	    (unsigned long long)v->peers_block);
	for (i = 0; i < v->npeer; i++)
		line("", "%-5s %5.0f  %s%s%s", rvq_verdict_word(
		    v->peer[i].verdict), v->peer[i].score, v->peer[i].name,
		    v->peer[i].brand[0] ? "  brand " : "", v->peer[i].brand);
	for (i = 0; i < v->nasn; i++)
		line(i ? "" : "asn", "AS%u %s: %llu of %llu sampled domains "
		    "flagged%s", v->asn[i].asn, v->asn[i].org,
		    (unsigned long long)v->asn[i].flagged,
		    (unsigned long long)v->asn[i].domains,
		    v->asn[i].sampled ? " (sample)" : "");
}

int
cmd_verdict(int argc, char **argv, const struct cli_env *env)
{
	struct vctx x;
	struct rvq_db db;
	struct rvq_vd *v = NULL;
	struct rvq_verdict_cfg cfg;
	struct cli_watch cw;
	char msg[256];
	int rc, ex = CLI_EXIT_ERROR;

	(void)env;
	memset(&x, 0, sizeof(x));
	memset(&db, 0, sizeof(db));
	memset(&cw, 0, sizeof(cw));
	x.window = 7 * 86400;
	cli_opts_init(&x.o, (int64_t)time(NULL));
	rc = cli_opts_parse(&x.o, argc, argv, "verdict [OPTIONS] NAME-OR-IP",
	    "What rearview knows to decide on blocking a name or an address: "
	    "first and last seen, the registered domain's age, every report "
	    "flag with its reasons, flagged co-hosted names, the ASN's share "
	    "of flagged domains, and a recommendation (block, watch, none). "
	    "Exit 0: block or watch, 1: none.", vd_opts,
	    sizeof(vd_opts) / sizeof(vd_opts[0]), opt_fn, &x);
	if (rc != CLI_EXIT_OK || x.o.help)
		return rc;
	if (x.o.argc != 1) {
		cli_err("verdict: give one name or address (try 'rearview "
		    "verdict --help')");
		return CLI_EXIT_USAGE;
	}
	if (x.o.fmt != CLI_FMT_AUTO && x.o.fmt != CLI_FMT_TABLE &&
	    x.o.fmt != CLI_FMT_JSON) {
		cli_err("verdict: -o takes table or json");
		return CLI_EXIT_USAGE;
	}
	if ((ex = cli_watch_open("verdict", x.watch, x.psl, &cw)) !=
	    CLI_EXIT_OK)
		return ex;
	ex = CLI_EXIT_ERROR;
	if ((v = malloc(sizeof(*v))) == NULL)
		goto leave;
	memset(&cfg, 0, sizeof(cfg));
	cfg.phish = cw.ph;
	cfg.psl = cw.psl;
	cfg.win.until = x.o.now;
	cfg.win.since = x.o.now - x.window < 0 ? 0 : x.o.now - x.window;
	if (cli_db_open(x.o.db, &db) != CLI_EXIT_OK)
		goto leave;
	msg[0] = '\0';
	rc = rvq_verdict(&db, &cfg, x.o.argv[0], v, msg, sizeof(msg));
	if (rc == RV_ECORRUPT) {
		struct rvq_err err;
		rvq_db_errf(&err, &db, rc);
		cli_err("%s", err.msg);
	}
	rvq_db_close(&db);
	if (rc == RV_EINVAL) {
		cli_err("verdict: %s", msg[0] ? msg : "bad argument");
		ex = CLI_EXIT_USAGE;
		goto leave;
	}
	if (rc != RV_OK) {
		if (rc != RV_ECORRUPT)
			cli_err("verdict: reading %s: %s", x.o.db,
			    rv_strerror(rc));
		goto leave;
	}
	if (cli_fmt_resolve(x.o.fmt, stdout) == CLI_FMT_JSON) {
		struct sb *b = malloc(sizeof(*b));
		if (b == NULL)
			goto leave;
		b->fp = stdout;
		b->len = 0;
		b->err = 0;
		rvq_verdict_json(b, v);
		sb_ch(b, '\n');
		sb_flush(b);
		free(b);
	} else {
		print_table(v, x.o.now);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_err("verdict: cannot write the output");
		goto leave;
	}
	ex = v->verdict != RVQ_VERDICT_NONE ? CLI_EXIT_OK : CLI_EXIT_NONE;
leave:
	cli_watch_close(&cw);
	free(v);
	return ex;
}
