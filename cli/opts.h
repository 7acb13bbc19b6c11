/**
 * \file opts.h
 * Command-line options: the options every command takes, a way for each
 * command to add its own, checked number parsing, and the time fence.
 *
 * One getopt_long table is built per command from the common table and the
 * command's own (struct cli_optdef), so `rearview COMMAND --help` lists
 * exactly what that command accepts.
 */
#ifndef RV_CLI_OPTS_H
#define RV_CLI_OPTS_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "rvq.h"

/** Output formats (-o). */
enum cli_fmt {
	CLI_FMT_AUTO = 0,	/**< table on a terminal, else json */
	CLI_FMT_TABLE,
	CLI_FMT_JSON,		/**< COF JSON lines */
	CLI_FMT_DNSDB,		/**< DNSDB-style SAF JSON lines */
	CLI_FMT_CSV,
	CLI_FMT_TEXT		/**< dig-like */
};

/** Sort keys (--sort). */
enum cli_sort {
	CLI_SORT_DEFAULT = 0,	/**< the command's own default */
	CLI_SORT_FIRST,
	CLI_SORT_LAST,
	CLI_SORT_COUNT,
	CLI_SORT_NAME,
	CLI_SORT_DATA
};

/** Default --limit. */
#define CLI_LIMIT_DEFAULT 1000

/** Everything the common options set. */
struct cli_opts {
	int64_t now;		/**< for relative times; set by cli_opts_init */
	const char *db;		/**< --db, $REARVIEW_DB, /var/lib/rearview */
	struct rvq_fence fence;	/**< after cli_opts_parse: the final fence */
	int64_t after, before;	/**< -A / -B, INT64_MIN/MAX when unset */
	int complete;		/**< -c */
	uint64_t limit;		/**< 0 = no limit */
	uint64_t offset;
	enum cli_sort sort;
	int reverse;
	const char *sensor;
	enum cli_fmt fmt;
	int idn;
	const char *file;	/**< -f FILE, "-" for stdin */
	int help;		/**< --help was given (usage printed) */
	int argc;		/**< positional arguments left */
	char **argv;
};

/** The first code of a command's own long-only options (the common
 * ones use 256 and up; cli_opts_parse refuses a clash). */
#define CLI_OPT_OWN 512

/** A command's own option: the getopt_long entry and its help line. */
struct cli_optdef {
	struct option opt;	/**< .val is the code given to the handler */
	const char *arg;	/**< name of the argument in help, or NULL */
	const char *help;	/**< one line */
};

/**
 * Handler for a command's own options.
 * \return 0, or nonzero after printing an error with cli_err (usage).
 */
typedef int (*cli_opt_fn)(int code, const char *arg, void *ctx);

/** Defaults; \p now is the time relative values count back from. */
void cli_opts_init(struct cli_opts *o, int64_t now);

/**
 * Parse argv (argv[0] is the command name) with the common options and
 * \p extra (n entries, may be NULL). On --help prints the command's help to
 * stdout and sets o->help. Positional arguments are left in o->argc/argv.
 * \param usage	"lookup [OPTIONS] NAME"-style synopsis for help
 * \param summary one line describing the command
 * \return CLI_EXIT_OK, or CLI_EXIT_USAGE after printing one line.
 */
int cli_opts_parse(struct cli_opts *o, int argc, char **argv,
    const char *usage, const char *summary,
    const struct cli_optdef *extra, size_t n, cli_opt_fn fn, void *ctx);

/**
 * cli_opts_parse for a command that runs no query (rearview archive):
 * of the common options only --db and --help, listed and taken; the
 * command's own may reuse the codes of the others (-o).
 */
int cli_opts_parse_db(struct cli_opts *o, int argc, char **argv,
    const char *usage, const char *summary,
    const struct cli_optdef *extra, size_t n, cli_opt_fn fn, void *ctx);

/** Print a command's help (usage line, summary, its options, common). */
void cli_opts_help(FILE *fp, const char *usage, const char *summary,
    const struct cli_optdef *extra, size_t n);


/** Parse a format name. \return 0 or RV_EINVAL. */
int cli_fmt_parse(const char *s, enum cli_fmt *fmt);

/** Parse a sort key name. \return 0 or RV_EINVAL. */
int cli_sort_parse(const char *s, enum cli_sort *sort);

#endif
