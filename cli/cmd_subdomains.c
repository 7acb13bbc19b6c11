/**
 * \file cmd_subdomains.c
 * `rearview subdomains DOMAIN [--ip ADDR|CIDR]`: the distinct names below a
 * domain with first seen, last seen and count summed over their RRsets;
 * with --ip, only names seen on those addresses.
 */
#include "cli.h"
#include "rv_err.h"
#include "run.h"

enum { OPT_IP = 'i', OPT_TYPE = 't' };

static const struct cli_optdef sub_opts[] = {
	{ { "ip", required_argument, NULL, OPT_IP }, "ADDR|CIDR",
	  "only names seen on these addresses" },
	{ { "type", required_argument, NULL, OPT_TYPE }, "TYPES",
	  "only names with RRsets of these types" },
};
#define NSUB (sizeof(sub_opts) / sizeof(sub_opts[0]))

static int
sub_opt(int code, const char *arg, void *ctx)
{
	struct cli_run *run = ctx;

	if (code == OPT_TYPE)
		return cli_run_types(run, arg);
	if (rv_range_parse(arg, &run->sub_ip) != RV_OK) {
		cli_err("subdomains: invalid --ip '%s' (want ADDR, CIDR or "
		    "FROM-TO)", arg);
		return CLI_EXIT_USAGE;
	}
	run->filter.sub_ip = &run->sub_ip;
	return CLI_EXIT_OK;
}

int
cmd_subdomains(int argc, char **argv, const struct cli_env *env)
{
	struct cli_run run;
	int rc;

	cli_run_init(&run, "subdomains", env);
	rc = cli_opts_parse(&run.opts, argc, argv,
	    "subdomains [OPTIONS] DOMAIN...",
	    "Distinct names below DOMAIN with first seen, last seen and count."
	    "\nWith --ip, the names below DOMAIN seen on those addresses.",
	    sub_opts, NSUB, sub_opt, &run);
	if (rc != CLI_EXIT_OK || run.opts.help)
		return rc;
	return cli_run_queries(&run, RVQ_SUBDOMAINS, CLI_SORT_FIRST, 1);
}
