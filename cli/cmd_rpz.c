/**
 * \file cmd_rpz.c
 * `rearview rpz`: the phishing report's block verdicts as a Response
 * Policy Zone for the resolvers that feed rearview (Unbound's rpz:, BIND's
 * response-policy). One `NAME CNAME .` (NXDOMAIN) per flagged name and
 * `*.REGDOM CNAME .` plus `REGDOM CNAME .` per flagged registered domain,
 * each with a comment giving its score, its reasons and the day it
 * expires (last seen + the window: an entry no longer seen ages out at
 * the next refresh). With --passthru, the zone of own and allowed domains
 * as `rpz-passthru.` instead, for a first rpz zone that wins over the
 * block zone.
 *
 * The SOA serial increases on every write: the current time, or one more
 * than the serial of the file being replaced. --write FILE replaces the
 * file atomically (temporary file, fsync, rename).
 *
 * Exit status: 0 written, 2 usage error, 3 other error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "rv_err.h"
#include "rv_file.h"
#include "rv_num.h"
#include "rv_time.h"
#include "rvq_report.h"
#include "rvq_text.h"

enum {
	OPT_WATCH = CLI_OPT_OWN, OPT_PSL, OPT_MIN_SCORE, OPT_ALLOW, OPT_WRITE,
	OPT_ORIGIN, OPT_PASSTHRU, OPT_CHUNK, OPT_UNTIL
};

static const struct cli_optdef rpz_opts[] = {
	{ { "watch", required_argument, NULL, OPT_WATCH }, "FILE",
	  "watch list (default " RVQ_WATCH_DEFAULT ")" },
	{ { "psl", required_argument, NULL, OPT_PSL }, "FILE",
	  "public suffix list (default: the system's)" },
	{ { "window", required_argument, NULL, 'w' }, "DUR",
	  "names seen in the window ending now (default 7d); entries "
	  "expire one window after their last sighting" },
	{ { "until", required_argument, NULL, OPT_UNTIL }, "TIME",
	  "the window's end (default now)" },
	{ { "min-score", required_argument, NULL, OPT_MIN_SCORE }, "S",
	  "only block verdicts scoring at least S (default: the block "
	  "threshold)" },
	{ { "allow", required_argument, NULL, OPT_ALLOW }, "FILE",
	  "zones never blocked, one per line (repeatable)" },
	{ { "write", required_argument, NULL, OPT_WRITE }, "FILE",
	  "replace FILE atomically instead of printing" },
	{ { "origin", required_argument, NULL, OPT_ORIGIN }, "ZONE",
	  "the zone's name (default rpz.rearview. or "
	  "passthru.rpz.rearview.)" },
	{ { "passthru", no_argument, NULL, OPT_PASSTHRU }, NULL,
	  "write the allow zone instead: own, brand and allowed domains as "
	  "rpz-passthru" },
	{ { "chunk", required_argument, NULL, OPT_CHUNK }, "N",
	  "records per read transaction (default 65536)" },
};

struct rctx {
	struct cli_opts o;
	const char *watch, *psl, *write, *origin;
	const char *allow_file[16];
	unsigned nallow;
	int64_t window;
	double min_score;
	int have_min, passthru;
	int64_t until;
	uint64_t chunk;
};

static int
opt_fn(int code, const char *arg, void *ctx)
{
	struct rctx *x = ctx;
	char *end;

	switch (code) {
	case OPT_WATCH: x->watch = arg; return 0;
	case OPT_PSL: x->psl = arg; return 0;
	case OPT_WRITE: x->write = arg; return 0;
	case OPT_ORIGIN: x->origin = arg; return 0;
	case OPT_PASSTHRU: x->passthru = 1; return 0;
	case OPT_UNTIL:
		if (rv_time_parse(arg, x->o.now, &x->until) != RV_OK ||
		    x->until < 0 || x->until > UINT32_MAX) {
			cli_err("rpz: --until: bad time '%s' (epoch, "
			    "2019-07-17[T19:52], 24h)", arg);
			return -1;
		}
		return 0;
	case OPT_ALLOW:
		if (x->nallow == sizeof(x->allow_file) /
		    sizeof(x->allow_file[0])) {
			cli_err("rpz: --allow: at most 16 files");
			return -1;
		}
		x->allow_file[x->nallow++] = arg;
		return 0;
	case 'w':
		if (rv_duration_parse(arg, &x->window) != RV_OK ||
		    x->window <= 0) {
			cli_err("rpz: --window: bad duration '%s' (7d, 24h)",
			    arg);
			return -1;
		}
		return 0;
	case OPT_MIN_SCORE:
		errno = 0;
		x->min_score = strtod(arg, &end);
		if (end == arg || *end != '\0' || errno != 0 ||
		    !(x->min_score >= 0 && x->min_score < 1e6)) {
			cli_err("rpz: --min-score: '%s' is not a score", arg);
			return -1;
		}
		x->have_min = 1;
		return 0;
	case OPT_CHUNK:
		if (rv_parse_u64(arg, 10, 1, UINT32_MAX, &x->chunk) != RV_OK) {
			cli_err("rpz: --chunk: '%s' is not a number from 1",
			    arg);
			return -1;
		}
		return 0;
	default:
		return -1;
	}
}

/* The serial of an existing zone file: the number after "SOA ... (" or
 * on the SOA line, as this command writes it. 0 when none. */
static uint32_t
old_serial(const char *path)
{
	char buf[512];
	FILE *fp;
	unsigned long v = 0;

	if (path == NULL || (fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		char *p = strstr(buf, " SOA ");
		if (p != NULL && sscanf(p, " SOA %*s %*s %lu", &v) == 1)
			break;
	}
	fclose(fp);
	return v > UINT32_MAX ? 0 : (uint32_t)v;
}

/* A name is safe to write as an owner: letters, digits, '-', '_', '.'
 * (what the engine judged; anything else is left out). */
static int
owner_ok(const char *s)
{
	if (*s == '\0' || strlen(s) > 240)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

/* A comment: reasons with their points (printable ASCII only). */
static void
comment(FILE *fp, const struct rvq_report_phish *p, int64_t expires)
{
	char day[RV_TIME_STR_MAX];

	rvq_time_str((uint32_t)expires, 0, day, sizeof(day));
	fprintf(fp, "; %s score %.0f brand %s expires %.10s:", p->name,
	    p->out.score, p->out.brand[0] ? p->out.brand : "-", day);
	for (unsigned i = 0; i < p->out.n; i++)
		fprintf(fp, " %s%+.0f", rvq_phish_reason_word(p->out.r[i].kind),
		    p->out.r[i].points);
	fputc('\n', fp);
}

static void
header(FILE *fp, const char *origin, uint32_t serial, int64_t now,
    const char *what)
{
	char t[RV_TIME_STR_MAX];

	rvq_time_str((uint32_t)now, 0, t, sizeof(t));
	fprintf(fp, "; %s, written by rearview rpz at %s UTC\n"
	    "$ORIGIN %s\n$TTL 300\n"
	    "@ SOA localhost. hostmaster.localhost. %u 3600 600 86400 300\n"
	    "@ NS localhost.\n", what, t, origin, serial);
}

/* Has this owner been written already (sorted rows can repeat a domain)? */
struct seen {
	char (*v)[RVQ_PHISH_DOMAIN_MAX];
	size_t n, cap;
};

static int
seen_add(struct seen *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return 0;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		void *nv = realloc(s->v, nc * sizeof(*s->v));
		if (nv == NULL)
			return -1;
		s->v = nv;
		s->cap = nc;
	}
	snprintf(s->v[s->n++], sizeof(s->v[0]), "%s", name);
	return 1;
}

static int
block_zone(FILE *fp, const struct rvq_report *rep, const struct rctx *x,
    const struct rvq_allow *allow, double min, uint64_t *entries)
{
	struct seen done = { NULL, 0, 0 };
	int rc = RV_OK;

	for (size_t i = 0; i < rep->nph; i++) {
		const struct rvq_report_phish *p = &rep->ph[i];
		uint8_t w[RV_NAME_MAX];
		size_t wl = sizeof(w);
		int64_t exp = (int64_t)p->last + x->window;
		int a, b;

		if (p->out.verdict != RVQ_VERDICT_BLOCK || p->out.score < min ||
		    !owner_ok(p->name) || !owner_ok(p->regdom))
			continue;
		if (rv_name_from_str(p->name, w, &wl) == RV_OK &&
		    rvq_allow_match(allow, w, wl))
			continue;
		if ((a = seen_add(&done, p->name)) < 0 ||
		    (b = seen_add(&done, p->regdom)) < 0) {
			rc = RV_ENOMEM;
			break;
		}
		wl = sizeof(w);
		b = b && rv_name_from_str(p->regdom, w, &wl) == RV_OK &&
		    !rvq_allow_match(allow, w, wl);
		a = a && strcmp(p->name, p->regdom) != 0;
		if (!a && !b)
			continue;	/* written already, under another name */
		comment(fp, p, exp);
		if (b) {
			fprintf(fp, "%s CNAME .\n*.%s CNAME .\n", p->regdom,
			    p->regdom);
			*entries += 2;
		}
		if (a) {
			fprintf(fp, "%s CNAME .\n", p->name);
			(*entries)++;
		}
	}
	free(done.v);
	return rc;
}

static void
passthru_zone(FILE *fp, const struct cli_watch *cw, const struct rctx *x,
    uint64_t *entries)
{
	size_t n = rvq_watch_count(cw->w);
	char line[512];

	for (size_t i = 0; i < n; i++) {
		const struct rvq_watch_entry *e = rvq_watch_at(cw->w, i);
		if (e->domain[0] == '\0' || !owner_ok(e->domain))
			continue;
		fprintf(fp, "%s CNAME rpz-passthru.\n*.%s CNAME "
		    "rpz-passthru.\n", e->domain, e->domain);
		*entries += 2;
	}
	for (unsigned f = 0; f < x->nallow; f++) {
		FILE *in = fopen(x->allow_file[f], "r");
		if (in == NULL)
			continue;	/* checked when loaded */
		while (fgets(line, sizeof(line), in) != NULL) {
			char *s = line, *e;
			while (*s == ' ' || *s == '\t')
				s++;
			for (e = s; *e && *e != '#' && *e != '\n' &&
			    *e != ' ' && *e != '\t'; e++)
				;
			*e = '\0';
			if (e > s && e[-1] == '.')
				e[-1] = '\0';
			for (char *c = s; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
			if (!owner_ok(s))
				continue;
			fprintf(fp, "%s CNAME rpz-passthru.\n*.%s CNAME "
			    "rpz-passthru.\n", s, s);
			*entries += 2;
		}
		fclose(in);
	}
}

int
cmd_rpz(int argc, char **argv, const struct cli_env *env)
{
	struct rctx x;
	struct rvq_db db;
	struct rvq_report rep;
	struct rvq_report_cfg cfg;
	struct rvq_allow allow;
	struct cli_watch cw;
	char tmp[4096];
	FILE *fp = NULL;
	uint32_t serial;
	uint64_t entries = 0;
	unsigned line;
	int rc, ex = CLI_EXIT_ERROR;

	(void)env;
	memset(&x, 0, sizeof(x));
	memset(&db, 0, sizeof(db));
	memset(&rep, 0, sizeof(rep));
	memset(&cfg, 0, sizeof(cfg));
	memset(&allow, 0, sizeof(allow));
	memset(&cw, 0, sizeof(cw));
	tmp[0] = '\0';
	x.window = 7 * 86400;
	cli_opts_init(&x.o, (int64_t)time(NULL));
	x.until = 0;
	rc = cli_opts_parse(&x.o, argc, argv, "rpz [OPTIONS]",
	    "The phishing report's block verdicts as a Response Policy Zone "
	    "(NXDOMAIN for each flagged name and registered domain), for "
	    "Unbound's rpz: or BIND's response-policy; --passthru: the zone "
	    "of own and allowed domains.", rpz_opts,
	    sizeof(rpz_opts) / sizeof(rpz_opts[0]), opt_fn, &x);
	if (rc != CLI_EXIT_OK || x.o.help)
		return rc;
	if (x.until == 0)
		x.until = x.o.now;
	if (x.o.argc > 0) {
		cli_err("rpz: unexpected argument '%s' (try 'rearview rpz "
		    "--help')", x.o.argv[0]);
		return CLI_EXIT_USAGE;
	}
	if (x.o.fmt != CLI_FMT_AUTO) {
		cli_err("rpz: the output is a zone file; -o does not apply");
		return CLI_EXIT_USAGE;
	}
	for (unsigned i = 0; i < x.nallow; i++) {
		rc = rvq_allow_load(&allow, x.allow_file[i], &line);
		if (rc != RV_OK) {
			if (rc == RV_EIO)
				cli_err("rpz: --allow: cannot read %s: %s",
				    x.allow_file[i], strerror(errno));
			else
				cli_err("rpz: %s:%u: not a zone name",
				    x.allow_file[i], line);
			ex = CLI_EXIT_USAGE;
			goto leave;
		}
	}
	rvq_allow_finish(&allow);
	if ((ex = cli_watch_open("rpz", x.watch, x.psl, &cw)) != CLI_EXIT_OK)
		goto leave;
	ex = CLI_EXIT_ERROR;
	if (x.origin == NULL)
		x.origin = x.passthru ? "passthru.rpz.rearview." :
		    "rpz.rearview.";
	if (!x.passthru) {
		cfg.kinds = RVQ_REPORT_PHISH | RVQ_REPORT_FF | RVQ_REPORT_TUN;
		cfg.win.until = x.until;
		cfg.win.since = x.until - x.window < 0 ? 0 :
		    x.until - x.window;
		cfg.phish = cw.ph;
		cfg.psl = cw.psl;
		cfg.chunk = x.chunk;
		rvq_ff_params_default(&cfg.ff);
		rvq_tun_params_default(&cfg.tun);
		if (cli_db_open(x.o.db, &db) != CLI_EXIT_OK)
			goto leave;
		rc = rvq_report_scan(&db, &cfg, &rep);
		if (rc == RV_ECORRUPT) {
			struct rvq_err err;
			rvq_db_errf(&err, &db, rc);
			cli_err("%s", err.msg);
		}
		rvq_db_close(&db);
		if (rc != RV_OK) {
			if (rc != RV_ECORRUPT)
				cli_err("rpz: reading %s: %s", x.o.db,
				    rv_strerror(rc));
			goto leave;
		}
	}
	serial = (uint32_t)x.o.now;
	if (old_serial(x.write) >= serial)
		serial = old_serial(x.write) + 1;
	fp = x.write == NULL ? stdout : rv_file_stream_open(x.write, tmp,
	    sizeof(tmp));
	if (fp == NULL) {
		cli_err("rpz: cannot write %s: %s", x.write, strerror(errno));
		goto leave;
	}
	header(fp, x.origin, serial, x.o.now, x.passthru ?
	    "rearview: never blocked (own, brand and allowed domains)" :
	    "rearview: names the phishing report says to block");
	if (x.passthru)
		passthru_zone(fp, &cw, &x, &entries);
	else if (block_zone(fp, &rep, &x, &allow, x.have_min ? x.min_score :
	    0, &entries) != RV_OK) {
		cli_err("rpz: out of memory");
		goto leave;
	}
	fprintf(fp, "; %llu entries\n", (unsigned long long)entries);
	if (x.write == NULL && (fflush(fp) != 0 || ferror(fp))) {
		cli_err("rpz: cannot write the output: %s", strerror(errno));
		goto leave;
	}
	if (x.write != NULL) {
		int wrc = rv_file_stream_commit(fp, tmp, x.write);

		fp = NULL;
		if (wrc != RV_OK) {
			cli_err("rpz: cannot write %s: %s", x.write,
			    strerror(errno));
			goto leave;
		}
		cli_err("rpz: wrote %s: %llu entries, serial %u", x.write,
		    (unsigned long long)entries, serial);
	}
	ex = CLI_EXIT_OK;
leave:
	if (fp != NULL && fp != stdout)
		rv_file_stream_abort(fp, tmp);
	cli_watch_close(&cw);
	rvq_report_free(&rep);
	rvq_allow_free(&allow);
	return ex;
}
