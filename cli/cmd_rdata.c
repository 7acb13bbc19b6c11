/**
 * \file cmd_rdata.c
 * The reverse pivots: `rearview rdata ip ADDR|CIDR|FROM-TO`, `rdata name
 * NAME`, `rdata raw HEX` and `rearview asn NUMBER`, all over the rdata
 * index (one range or prefix scan each; `rdata name NAME.*` one prefix
 * scan of the names index, then one of the rdata index per target).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "rv_err.h"
#include "rv_num.h"
#include "rv_rdata.h"
#include "run.h"

enum { OPT_TYPE = 't' };

static const struct cli_optdef rdata_opts[] = {
	{ { "type", required_argument, NULL, OPT_TYPE }, "TYPES",
	  "only these record types (A,NS,MX,...)" },
};
#define NRDATA (sizeof(rdata_opts) / sizeof(rdata_opts[0]))

static int
rdata_opt(int code, const char *arg, void *ctx)
{
	(void)code;
	return cli_run_types(ctx, arg);
}

static const char *const rdata_usage[] = {
	"rdata ip [OPTIONS] ADDR|CIDR|FROM-TO...",
	"rdata name [OPTIONS] NAME...",
	"rdata raw [OPTIONS] HEX...",
};

static int
rdata_sub(int argc, char **argv, const struct cli_env *env, int which,
    const char *summary)
{
	static const char *cmds[] = { "rdata ip", "rdata name", "rdata raw" };
	static const enum rvq_kind kinds[] = { RVQ_RDATA_IP, RVQ_RDATA_NAME,
	    RVQ_RDATA_RAW };
	struct cli_run run;
	int rc;

	cli_run_init(&run, cmds[which], env);
	rc = cli_opts_parse(&run.opts, argc, argv, rdata_usage[which], summary,
	    rdata_opts, NRDATA, rdata_opt, &run);
	if (rc != CLI_EXIT_OK || run.opts.help)
		return rc;
	run.out.dnsdb_single = 1;
	return cli_run_queries(&run, kinds[which], CLI_SORT_FIRST, 1);
}

static int
cmd_rdata_ip(int argc, char **argv, const struct cli_env *env)
{
	return rdata_sub(argc, argv, env, 0, "Names seen pointing at an "
	    "address, a CIDR block or a FROM-TO range (IPv4, IPv6).");
}

static int
cmd_rdata_name(int argc, char **argv, const struct cli_env *env)
{
	return rdata_sub(argc, argv, env, 1, "Names whose NS, CNAME, MX, "
	    "PTR, SRV, SOA MNAME or SVCB target is NAME,\nis below it "
	    "(*.example.net) or begins with its labels (ns1.example.*).");
}

static int
cmd_rdata_raw(int argc, char **argv, const struct cli_env *env)
{
	return rdata_sub(argc, argv, env, 2, "Names with this exact rdata "
	    "(hex wire form; -t to say its type).");
}

static const struct cli_command rdata_cmds[] = {
	{ "ip", "names on an address, CIDR or range", cmd_rdata_ip },
	{ "name", "names pointing at a name (NS, CNAME, MX...)",
	  cmd_rdata_name },
	{ "raw", "names with this raw rdata", cmd_rdata_raw },
	{ NULL, NULL, NULL }
};

int
cmd_rdata(int argc, char **argv, const struct cli_env *env)
{
	const struct cli_command *c;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		FILE *fp = argc < 2 ? stderr : stdout;
		fprintf(fp, "usage: %s rdata ip|name|raw [OPTIONS] ARG...\n",
		    cli_progname);
		for (c = rdata_cmds; c->name != NULL; c++)
			fprintf(fp, "  %-6s %s\n", c->name, c->summary);
		fprintf(fp, "'%s rdata SUBCOMMAND --help' for its options.\n",
		    cli_progname);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if ((c = cli_command_find(rdata_cmds, argv[1])) == NULL) {
		cli_err("rdata: unknown kind '%s' (want ip, name or raw)",
		    argv[1]);
		return CLI_EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1, env);
}

int
cmd_asn(int argc, char **argv, const struct cli_env *env)
{
	struct cli_run run;
	int rc;

	cli_run_init(&run, "asn", env);
	rc = cli_opts_parse(&run.opts, argc, argv, "asn [OPTIONS] NUMBER...",
	    "Addresses seen in an AS (the ASN stored when they were observed)"
	    "\nand the names on them.", rdata_opts, NRDATA, rdata_opt, &run);
	if (rc != CLI_EXIT_OK || run.opts.help)
		return rc;
	run.out.dnsdb_single = 1;
	return cli_run_queries(&run, RVQ_ASN, CLI_SORT_FIRST, 1);
}
