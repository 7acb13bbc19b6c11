/**
 * \file commands.c
 * The command table and the top level: `rearview COMMAND ...`,
 * `rearview --help`, `rearview --version`. Add a command family here
 * (one line) and in its own cmd_<family>.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "run.h"

const char *cli_progname = "rearview";

const struct cli_command cli_commands[] = {
	{ "lookup", "RRsets of a name, *.domain or www.example.*",
	  cmd_lookup },
	{ "rdata", "names pointing at an address/CIDR (ip), a name (name), "
	  "raw rdata (raw)", cmd_rdata },
	{ "asn", "addresses of an AS and the names on them", cmd_asn },
	{ "subdomains", "distinct names below a domain (--ip: on an address)",
	  cmd_subdomains },
	{ "history", "what a name resolved to, period after period",
	  cmd_history },
	{ "summarize", "totals of any of the above", cmd_summarize },
	{ "stats", "database size, counts, sensors, last write", cmd_stats },
	{ "report", "fast-flux, tunnelling, phishing and newly observed "
	  "domains reports", cmd_report },
	{ "verdict", "block, watch or none for a name or address, with "
	  "everything behind it", cmd_verdict },
	{ "rpz", "the block verdicts as a Response Policy Zone for the "
	  "resolvers", cmd_rpz },
	{ "check", "verify the database: every tree, row and counter",
	  cmd_check },
	{ "archive", "move what stopped changing into a compressed archive "
	  "segment", cmd_archive },
	{ "backup", "a consistent, compacted copy of the database while "
	  "rearviewd writes", cmd_backup },
	{ "serve", "the HTTP query service: DNSDB API, CIRCL, rearview's "
	  "own", cmd_serve },
	{ "clickhouse-schema", "the ClickHouse schema for a cluster, as SQL",
	  cmd_chschema },
	{ NULL, NULL, NULL }
};

/* Error lines: at most CLI_ERR_SHOW octets shown of a message (its start
 * and its end); a message longer than CLI_ERR_MAX shows its start. */
#define CLI_ERR_SHOW 400
#define CLI_ERR_MAX 4096

void
cli_err(const char *fmt, ...)
{
	char msg[CLI_ERR_MAX + 1];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	/* One line, whatever the input it quotes: control octets become
	 * '?', and a message swollen by a huge argument keeps its start and
	 * its end (where the hint is) around a mark. */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if ((size_t)n > CLI_ERR_MAX)
		fprintf(stderr, "%s: %.*s[... %d octets ...]\n", cli_progname,
		    CLI_ERR_MAX / 2, msg, n - CLI_ERR_MAX / 2);
	else if (n > CLI_ERR_SHOW)
		fprintf(stderr, "%s: %.*s[...]%s\n", cli_progname,
		    CLI_ERR_SHOW / 2, msg, msg + n - CLI_ERR_SHOW / 2);
	else
		fprintf(stderr, "%s: %s\n", cli_progname, msg);
}

const struct cli_command *
cli_command_find(const struct cli_command *tab, const char *name)
{
	for (; tab->name != NULL; tab++)
		if (strcmp(tab->name, name) == 0)
			return tab;
	return NULL;
}

static void
help(FILE *fp)
{
	fprintf(fp, "usage: %s COMMAND [OPTIONS] ARG...\n"
	    "Passive DNS lookups and pivots over a rearview database.\n\n"
	    "Commands:\n", cli_progname);
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(fp, "  %-11s %s\n", c->name, c->summary);
	fprintf(fp, "\nCommon options (every query command):\n"
	    "  -d, --db DIR     database (default $REARVIEW_DB, else "
	    "/var/lib/rearview)\n"
	    "  -A/-B TIME, -c   seen after/before TIME; -c: whole span "
	    "inside\n"
	    "  -l, --limit N    at most N results (default 1000, 0 = all)\n"
	    "  -s, --sort KEY   first|last|count|name|data; -r reverses\n"
	    "  -o, --output F   table|json|dnsdb|csv|text (default table on "
	    "a tty, else json)\n"
	    "  -f, --file FILE  one query per line ('-' = stdin)\n\n"
	    "Examples:\n"
	    "  %s lookup '*.example.com'\n"
	    "  %s rdata ip 165.22.196.0/24 -A 7d\n"
	    "  %s lookup -t A example.com -o text | awk '$4 == \"A\" {print $5}' | "
	    "%s rdata ip -f -\n\n"
	    "'%s COMMAND --help' for its options; rearview(1) for all.\n"
	    "Exit: 0 results, 1 none, 2 usage error, 3 other error.\n",
	    cli_progname, cli_progname, cli_progname, cli_progname,
	    cli_progname);
}

/* dnsdbq's query flags, for a hint when one comes where a command
 * belongs. */
static const struct {
	const char *flag, *instead;
} dnsdbq_flags[] = {
	{ "-r", "lookup NAME[/TYPE[/BAILIWICK]]" },
	{ "-n", "rdata name NAME[/TYPE]" },
	{ "-i", "rdata ip ADDR[,LEN]" },
	{ "-R", "rdata raw HEX[/TYPE]" },
	{ "-N", "lookup NAME (raw owner names are not supported)" },
};

/* Move argv[1..n] behind the other arguments, keeping their order. */
static void
rotate_front(int argc, char **argv, int n)
{
	for (int r = 0; r < n; r++) {
		char *first = argv[1];
		memmove(argv + 1, argv + 2, (size_t)(argc - 2) * sizeof(*argv));
		argv[argc - 1] = first;
	}
}

int
cli_main(int argc, char **argv)
{
	static const struct cli_env top = { 0 };
	const struct cli_env *env = &top;
	const struct cli_command *c;

	if (argc < 2) {
		help(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && (c = cli_command_find(cli_commands, argv[2]))) {
			char *hv[] = { argv[2], "--help", NULL };
			return c->run(2, hv, env);
		}
		help(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("%s %s\n", cli_progname, PACKAGE_VERSION);
		return CLI_EXIT_OK;
	}
	/* `rearview --db DIR lookup x` as well as `rearview lookup x --db
	 * DIR`: a leading --db option moves to the end, where the command's
	 * own option parser reads it. */
	if (argc > 3 && (strcmp(argv[1], "--db") == 0 ||
	    strcmp(argv[1], "-d") == 0))
		rotate_front(argc, argv, 2);
	else if (argc > 2 && strncmp(argv[1], "--db=", 5) == 0)
		rotate_front(argc, argv, 1);
	if ((c = cli_command_find(cli_commands, argv[1])) == NULL) {
		for (size_t i = 0; i < sizeof(dnsdbq_flags) /
		    sizeof(dnsdbq_flags[0]); i++)
			if (strcmp(argv[1], dnsdbq_flags[i].flag) == 0) {
				cli_err("'%s' is dnsdbq's; in rearview write "
				    "'%s %s' (try '%s --help')", argv[1],
				    cli_progname, dnsdbq_flags[i].instead,
				    cli_progname);
				return CLI_EXIT_USAGE;
			}
		if (argv[1][0] == '-')
			cli_err("'%s' before a command: give COMMAND first "
			    "(try '%s --help')", argv[1], cli_progname);
		else
			cli_err("unknown command '%s' (try '%s --help')",
			    argv[1], cli_progname);
		return CLI_EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1, env);
}
