/**
 * \file cmd_lookup.c
 * `rearview lookup NAME` (RRsets of a name, `*.NAME`, `NAME.*`) and
 * `rearview history NAME` (the same rows as a timeline, oldest first).
 */
#include "cli.h"
#include "rv_err.h"
#include "run.h"

enum { OPT_BAILIWICK = 'b', OPT_TYPE = 't', OPT_NEGATIVE = CLI_OPT_OWN };

static const struct cli_optdef lookup_opts[] = {
	{ { "type", required_argument, NULL, OPT_TYPE }, "TYPES",
	  "A,AAAA,NS,... or ANY (default), ANY-DNSSEC" },
	{ { "bailiwick", required_argument, NULL, OPT_BAILIWICK }, "ZONE",
	  "only RRsets served by ZONE's servers" },
	{ { "negative", no_argument, NULL, OPT_NEGATIVE }, NULL,
	  "negative answers (NXDOMAIN, NODATA) instead of RRsets" },
};
#define NLOOKUP (sizeof(lookup_opts) / sizeof(lookup_opts[0]))

static int
lookup_opt(int code, const char *arg, void *ctx)
{
	struct cli_run *run = ctx;

	if (code == OPT_TYPE)
		return cli_run_types(run, arg);
	if (code == OPT_NEGATIVE) {
		run->filter.negative = 1;
		return CLI_EXIT_OK;
	}
	return cli_run_bailiwick(run, arg);
}

int
cmd_lookup(int argc, char **argv, const struct cli_env *env)
{
	struct cli_run run;
	int rc;

	cli_run_init(&run, "lookup", env);
	rc = cli_opts_parse(&run.opts, argc, argv, "lookup [OPTIONS] NAME...",
	    "RRsets of NAME, of every name below it (*.example.com) or of "
	    "names\nstarting with it (www.example.*).", lookup_opts, NLOOKUP,
	    lookup_opt, &run);
	if (rc != CLI_EXIT_OK || run.opts.help)
		return rc;
	return cli_run_queries(&run, RVQ_LOOKUP, CLI_SORT_FIRST, 1);
}

int
cmd_history(int argc, char **argv, const struct cli_env *env)
{
	struct cli_run run;
	int rc;

	cli_run_init(&run, "history", env);
	rc = cli_opts_parse(&run.opts, argc, argv, "history [OPTIONS] NAME...",
	    "What NAME resolved to, period after period, oldest first\n"
	    "(types A, AAAA and CNAME unless -t says otherwise).",
	    lookup_opts, NLOOKUP, lookup_opt, &run);
	if (rc != CLI_EXIT_OK || run.opts.help)
		return rc;
	if (!run.types_set && cli_run_types(&run, RVQ_HISTORY_TYPES) != 0)
		return CLI_EXIT_ERROR;
	return cli_run_queries(&run, RVQ_LOOKUP, CLI_SORT_FIRST, 0);
}
