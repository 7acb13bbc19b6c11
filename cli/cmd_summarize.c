/**
 * \file cmd_summarize.c
 * `rearview summarize COMMAND ARGS...`: run a query command and print its
 * totals (results, summed count, first and last seen) instead of rows.
 */
#include <string.h>

#include "cli.h"
#include "run.h"

int
cmd_summarize(int argc, char **argv, const struct cli_env *env)
{
	struct cli_env sum = *env;
	const struct cli_command *c;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		FILE *fp = argc < 2 ? stderr : stdout;
		fprintf(fp, "usage: %s summarize COMMAND [OPTIONS] ARG...\n"
		    "Totals of a query: number of results, summed count, "
		    "first and last seen.\nCOMMAND is lookup, history, rdata "
		    "ip|name|raw, asn or subdomains, with\nits options "
		    "(time fences, -t, --sensor...); all results count "
		    "(no --limit).\n", cli_progname);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	c = cli_command_find(cli_commands, argv[1]);
	if (c == NULL || c->run == cmd_summarize || c->run == cmd_stats) {
		cli_err("summarize: cannot summarize '%s' (want lookup, "
		    "history, rdata, asn or subdomains)", argv[1]);
		return CLI_EXIT_USAGE;
	}
	sum.summarize = 1;
	return c->run(argc - 1, argv + 1, &sum);
}
