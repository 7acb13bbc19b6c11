/**
 * \file opts.c
 * The common options, per-command option tables, checked numbers and the
 * time fence.
 */
#include "opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "rv_err.h"
#include "rv_frame.h"
#include "rv_num.h"
#include "rv_rdata.h"
#include "rv_time.h"

/* Codes of long-only common options. */
enum {
	OPT_FIRST_AFTER = 256,
	OPT_FIRST_BEFORE,
	OPT_LAST_AFTER,
	OPT_LAST_BEFORE,
	OPT_OFFSET,
	OPT_IDN
};

/* The two common options every command takes. */
#define DEF_DB { { "db", required_argument, NULL, 'd' }, "DIR", \
	"database (default $REARVIEW_DB, else /var/lib/rearview)" }
#define DEF_HELP { { "help", no_argument, NULL, 'h' }, NULL, "this help" }

static const struct cli_optdef common[] = {
	DEF_DB,
	{ { "after", required_argument, NULL, 'A' }, "TIME",
	  "seen after TIME (with -c: first seen after it)" },
	{ { "before", required_argument, NULL, 'B' }, "TIME",
	  "seen before TIME (with -c: last seen before it)" },
	{ { "complete", no_argument, NULL, 'c' }, NULL,
	  "whole span inside -A/-B instead of overlapping" },
	{ { "first-after", required_argument, NULL, OPT_FIRST_AFTER }, "TIME",
	  NULL },
	{ { "first-before", required_argument, NULL, OPT_FIRST_BEFORE },
	  "TIME", NULL },
	{ { "last-after", required_argument, NULL, OPT_LAST_AFTER }, "TIME",
	  NULL },
	{ { "last-before", required_argument, NULL, OPT_LAST_BEFORE }, "TIME",
	  "raw fences; TIME is epoch, 2019-07-17[T19:52[:00]], 7d, 24h" },
	{ { "limit", required_argument, NULL, 'l' }, "N",
	  "at most N results (default 1000, 0 = all)" },
	{ { "offset", required_argument, NULL, OPT_OFFSET }, "N",
	  "skip the first N results" },
	{ { "sort", required_argument, NULL, 's' }, "KEY",
	  "first|last|count|name|data (default first, newest first)" },
	{ { "reverse", no_argument, NULL, 'r' }, NULL,
	  "reverse the order" },
	{ { "sensor", required_argument, NULL, 'S' }, "NAME",
	  "only what sensor NAME saw" },
	{ { "output", required_argument, NULL, 'o' }, "FMT",
	  "table|json|dnsdb|csv|text (default table on a tty, else json)" },
	{ { "idn", no_argument, NULL, OPT_IDN }, NULL,
	  "show U-labels next to xn-- names" },
	{ { "file", required_argument, NULL, 'f' }, "FILE",
	  "one query argument per line ('-' for stdin)" },
	DEF_HELP,
};
#define NCOMMON (sizeof(common) / sizeof(common[0]))

/* The common options of a command that runs no query
 * (cli_opts_parse_db). */
static const struct cli_optdef db_only[] = { DEF_DB, DEF_HELP };
#define NDB_ONLY (sizeof(db_only) / sizeof(db_only[0]))

void
cli_opts_init(struct cli_opts *o, int64_t now)
{
	const char *env = getenv("REARVIEW_DB");

	memset(o, 0, sizeof(*o));
	o->now = now;
	o->db = env != NULL && *env != '\0' ? env : "/var/lib/rearview";
	rvq_fence_init(&o->fence);
	o->after = INT64_MIN;
	o->before = INT64_MAX;
	o->limit = CLI_LIMIT_DEFAULT;
}

int
cli_fmt_parse(const char *s, enum cli_fmt *fmt)
{
	static const char *names[] = { "auto", "table", "json", "dnsdb",
	    "csv", "text" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*fmt = (enum cli_fmt)i;
			return RV_OK;
		}
	if (strcmp(s, "cof") == 0 || strcmp(s, "jsonl") == 0) {
		*fmt = CLI_FMT_JSON;
		return RV_OK;
	}
	return RV_EINVAL;
}

int
cli_sort_parse(const char *s, enum cli_sort *sort)
{
	static const char *names[] = { "default", "first", "last", "count",
	    "name", "data" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*sort = (enum cli_sort)i;
			return RV_OK;
		}
	return RV_EINVAL;
}

static void
help_line(FILE *fp, const struct cli_optdef *d)
{
	char left[64];
	int c = d->opt.val;

	if (c > 0 && c < 128)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", c, d->opt.name,
		    d->arg ? " " : "", d->arg ? d->arg : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", d->opt.name,
		    d->arg ? " " : "", d->arg ? d->arg : "");
	if (d->help == NULL) {	/* folded into the next line's help */
		fprintf(fp, "  %s\n", left);
		return;
	}
	if (strlen(left) > 22)
		fprintf(fp, "  %s\n  %-22s %s\n", left, "", d->help);
	else
		fprintf(fp, "  %-22s %s\n", left, d->help);
}

/* The help, with the common options \p com (common or db_only). */
static void
help(FILE *fp, const char *usage, const char *summary,
    const struct cli_optdef *extra, size_t n, const struct cli_optdef *com,
    size_t ncom)
{
	fprintf(fp, "usage: %s %s\n%s\n", cli_progname, usage, summary);
	if (n > 0) {
		fprintf(fp, "Options:\n");
		for (size_t i = 0; i < n; i++)
			help_line(fp, &extra[i]);
	}
	fprintf(fp, "Common options:\n");
	/* The four raw fences share one help line. */
	for (size_t i = 0; i < ncom; i++) {
		if (com[i].opt.val == OPT_FIRST_AFTER) {
			fprintf(fp, "      --first-after, --first-before, "
			    "--last-after, --last-before TIME\n"
			    "  %-22s raw fences; TIME: epoch, ISO 8601, 7d, "
			    "24h, 90m\n", "");
			i += 3;
			continue;
		}
		help_line(fp, &com[i]);
	}
	if (com == common)
		fprintf(fp, "Exit: 0 results, 1 none, 2 usage, 3 error. "
		    "See rearview(1).\n");
	else
		fprintf(fp, "Exit: 0 done, 2 usage, 3 error. See "
		    "rearview(1).\n");
}

void
cli_opts_help(FILE *fp, const char *usage, const char *summary,
    const struct cli_optdef *extra, size_t n)
{
	help(fp, usage, summary, extra, n, common, NCOMMON);
}

static int
time_opt(struct cli_opts *o, const char *name, const char *arg, int64_t *v)
{
	int rc = rv_time_parse(arg, o->now, v);

	if (rc != RV_OK) {
		cli_err("%s: invalid time '%s': %s (use 2019-07-17[T19:52:00Z], "
		    "20190717, epoch seconds, now, or back from now: 7d, "
		    "1w2d, -86400)", name, arg,
		    rv_strerror(rc));
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

static int
common_opt(struct cli_opts *o, const char *cmd, int c, const char *arg)
{
	int64_t t;
	int rc = CLI_EXIT_OK;

	switch (c) {
	case 'd': o->db = arg; break;
	case 'A': rc = time_opt(o, "--after", arg, &o->after); break;
	case 'B': rc = time_opt(o, "--before", arg, &o->before); break;
	case 'c': o->complete = 1; break;
	case OPT_FIRST_AFTER:
		if ((rc = time_opt(o, "--first-after", arg, &t)) == 0)
			rvq_fence_raise(&o->fence.first_after, t);
		break;
	case OPT_FIRST_BEFORE:
		if ((rc = time_opt(o, "--first-before", arg, &t)) == 0)
			rvq_fence_lower(&o->fence.first_before, t);
		break;
	case OPT_LAST_AFTER:
		if ((rc = time_opt(o, "--last-after", arg, &t)) == 0)
			rvq_fence_raise(&o->fence.last_after, t);
		break;
	case OPT_LAST_BEFORE:
		if ((rc = time_opt(o, "--last-before", arg, &t)) == 0)
			rvq_fence_lower(&o->fence.last_before, t);
		break;
	case 'l':
		if (rv_parse_u64(arg, 10, 0, UINT64_MAX / 2, &o->limit) != RV_OK) {
			cli_err("%s: invalid --limit '%s': want a number, 0 "
			    "for all", cmd, arg);
			rc = CLI_EXIT_USAGE;
		}
		break;
	case OPT_OFFSET:
		if (rv_parse_u64(arg, 10, 0, UINT64_MAX / 2, &o->offset) != RV_OK) {
			cli_err("%s: invalid --offset '%s': want a number",
			    cmd, arg);
			rc = CLI_EXIT_USAGE;
		}
		break;
	case 's':
		if (cli_sort_parse(arg, &o->sort) != RV_OK) {
			cli_err("%s: unknown sort key '%s': want first, last, "
			    "count, name or data", cmd, arg);
			rc = CLI_EXIT_USAGE;
		}
		break;
	case 'r': o->reverse = 1; break;
	case 'S':
		if (strlen(arg) > RV_SENSOR_MAX) {
			cli_err("%s: invalid --sensor: a sensor name has at "
			    "most %d octets", cmd, RV_SENSOR_MAX);
			rc = CLI_EXIT_USAGE;
		}
		o->sensor = arg;
		break;
	case 'o':
		if (cli_fmt_parse(arg, &o->fmt) != RV_OK) {
			cli_err("%s: unknown output format '%s': want table, "
			    "json, dnsdb, csv or text", cmd, arg);
			rc = CLI_EXIT_USAGE;
		}
		break;
	case OPT_IDN: o->idn = 1; break;
	case 'f': o->file = arg; break;
	default: rc = -1; break;	/* not a common option */
	}
	return rc;
}

/* Append the short-option letters of defs to s. */
static size_t
add_shorts(char *s, size_t k, const struct cli_optdef *defs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int c = defs[i].opt.val;
		if (c <= 0 || c >= 128)
			continue;
		s[k++] = (char)c;
		if (defs[i].opt.has_arg == required_argument)
			s[k++] = ':';
	}
	return k;
}

/* Is \p c the code of one of \p defs? */
static int
has_code(const struct cli_optdef *defs, size_t n, int c)
{
	for (size_t i = 0; i < n; i++)
		if (defs[i].opt.val == c)
			return 1;
	return 0;
}

/* cli_opts_parse with the common options \p com (common or db_only). */
static int
parse(struct cli_opts *o, int argc, char **argv, const char *usage,
    const char *summary, const struct cli_optdef *extra, size_t n,
    cli_opt_fn fn, void *ctx, const struct cli_optdef *com, size_t ncom)
{
	struct option *lo = NULL;
	char *shorts = NULL;
	const char *cmd = argv[0];
	int rc = CLI_EXIT_OK, c;
	size_t k;

	lo = calloc(ncom + n + 1, sizeof(*lo));
	shorts = malloc(3 * (ncom + n) + 2);
	if (lo == NULL || shorts == NULL) {
		cli_err("out of memory");
		rc = CLI_EXIT_ERROR;
		goto leave;
	}
	for (k = 0; k < ncom; k++)
		lo[k] = com[k].opt;
	for (size_t i = 0; i < n; i++) {
		/* a command's code that is also a common one's would run the
		 * wrong handler: a programming error, caught by every --help
		 * test */
		for (size_t j = 0; j < ncom; j++)
			if (extra[i].opt.val == com[j].opt.val) {
				cli_err("%s: internal error: --%s reuses the "
				    "code of --%s", cmd, extra[i].opt.name,
				    com[j].opt.name);
				rc = CLI_EXIT_ERROR;
				goto leave;
			}
		lo[k++] = extra[i].opt;
	}
	k = 0;
	shorts[k++] = ':';
	k = add_shorts(shorts, k, com, ncom);
	k = add_shorts(shorts, k, extra, n);
	shorts[k] = '\0';

	optind = 0;	/* GNU: full reinitialisation, argv[0] skipped */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		if (c == '?' || c == ':') {
			const char *what = argv[optind - 1];
			char buf[3] = { '-', (char)optopt, '\0' };

			if (optopt != 0 && strncmp(what, "--", 2) != 0)
				what = buf;
			cli_err("%s: %s '%s' (try '%s %s --help')", cmd,
			    c == '?' ? "unknown option" :
			    "missing argument for", what, cli_progname, cmd);
			rc = CLI_EXIT_USAGE;
			goto leave;
		}
		if (c == 'h') {
			help(stdout, usage, summary, extra, n, com, ncom);
			o->help = 1;
			goto leave;
		}
		/* A command's own code may be a common one it does not
		 * take (db_only): its handler gets it. */
		rc = has_code(com, ncom, c) ? common_opt(o, cmd, c, optarg) :
		    -1;
		if (rc == -1)
			rc = fn != NULL && fn(c, optarg, ctx) != 0 ?
			    CLI_EXIT_USAGE : CLI_EXIT_OK;
		if (rc != CLI_EXIT_OK)
			goto leave;
	}
	if (o->after != INT64_MIN && o->before != INT64_MAX &&
	    o->after > o->before) {
		cli_err("%s: the window ends before it starts (--after %lld is "
		    "later than --before %lld)", cmd, (long long)o->after,
		    (long long)o->before);
		rc = CLI_EXIT_USAGE;
		goto leave;
	}
	if (o->fence.first_after > o->fence.first_before ||
	    o->fence.last_after > o->fence.last_before) {
		cli_err("%s: --%s-after is later than --%s-before: nothing "
		    "can match", cmd, o->fence.first_after >
		    o->fence.first_before ? "first" : "last",
		    o->fence.first_after > o->fence.first_before ? "first" :
		    "last");
		rc = CLI_EXIT_USAGE;
		goto leave;
	}
	rvq_fence_window(&o->fence, o->after, o->before, o->complete);
	o->argc = argc - optind;
	o->argv = argv + optind;
leave:
	free(lo);
	free(shorts);
	return rc;
}

int
cli_opts_parse(struct cli_opts *o, int argc, char **argv,
    const char *usage, const char *summary,
    const struct cli_optdef *extra, size_t n, cli_opt_fn fn, void *ctx)
{
	return parse(o, argc, argv, usage, summary, extra, n, fn, ctx, common,
	    NCOMMON);
}

int
cli_opts_parse_db(struct cli_opts *o, int argc, char **argv,
    const char *usage, const char *summary,
    const struct cli_optdef *extra, size_t n, cli_opt_fn fn, void *ctx)
{
	return parse(o, argc, argv, usage, summary, extra, n, fn, ctx, db_only,
	    NDB_ONLY);
}
