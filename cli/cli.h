/**
 * \file cli.h
 * rearview, the analyst's CLI: the pieces every command shares.
 *
 * A command is one entry of cli_commands[] (commands.c): a name, a one-line
 * summary and a function. Commands parse their options with cli_opts_parse
 * (the common options plus a table of their own), open the database with
 * rvq_db_open, feed rows to a struct cli_out (out.h) and return an exit
 * status. To add a command family (such as `report`), write
 * cli/cmd_<family>.c with one `int cmd_<family>(int argc, char **argv,
 * const struct cli_env *env)`,
 * declare it here and add a line to cli_commands[].
 *
 * Exit status (CLI_EXIT_*): 0 results, 1 no results, 2 usage error, 3 any
 * other error; every error prints one line on stderr naming what was wrong.
 */
#ifndef RV_CLI_H
#define RV_CLI_H

#include <stdint.h>
#include <stdio.h>

enum cli_exit {
	CLI_EXIT_OK = 0,	/**< results */
	CLI_EXIT_NONE = 1,	/**< no results */
	CLI_EXIT_USAGE = 2,	/**< usage error */
	CLI_EXIT_ERROR = 3	/**< any other error */
};

/**
 * What a command runs under, set by the commands above it: `summarize
 * lookup x` runs lookup with summarize set.
 */
struct cli_env {
	int summarize;		/**< print totals instead of rows */
};

/** One command (or subcommand) in a dispatch table. */
struct cli_command {
	const char *name;
	const char *summary;	/**< one line for --help */
	/** argv[0] is the name */
	int (*run)(int argc, char **argv, const struct cli_env *env);
};

/** The top-level command table, ended by a zeroed entry. */
extern const struct cli_command cli_commands[];

/**
 * Find \p name in a table ended by a zeroed entry. \return NULL if absent.
 */
const struct cli_command *cli_command_find(const struct cli_command *tab,
    const char *name);

/** The whole program: `rearview COMMAND ...`. \return the exit status. */
int cli_main(int argc, char **argv);

/**
 * Print "rearview: " + message + newline on stderr; the one place errors
 * are printed, so every error is one line.
 */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct rvq_db;

/**
 * Open the database read-only (rvq_db_open, run.c), printing why not.
 * \return CLI_EXIT_OK or CLI_EXIT_ERROR.
 */
int cli_db_open(const char *path, struct rvq_db *db);

/** The program name used in messages ("rearview"). */
extern const char *cli_progname;

/* Commands, one file per family. */
int cmd_lookup(int argc, char **argv, const struct cli_env *env);
int cmd_history(int argc, char **argv, const struct cli_env *env);
int cmd_rdata(int argc, char **argv, const struct cli_env *env);
int cmd_asn(int argc, char **argv, const struct cli_env *env);
int cmd_subdomains(int argc, char **argv, const struct cli_env *env);
int cmd_summarize(int argc, char **argv, const struct cli_env *env);
int cmd_stats(int argc, char **argv, const struct cli_env *env);
int cmd_report(int argc, char **argv, const struct cli_env *env);
int cmd_check(int argc, char **argv, const struct cli_env *env);
int cmd_archive(int argc, char **argv, const struct cli_env *env);
int cmd_backup(int argc, char **argv, const struct cli_env *env);
int cmd_serve(int argc, char **argv, const struct cli_env *env);
int cmd_verdict(int argc, char **argv, const struct cli_env *env);
int cmd_rpz(int argc, char **argv, const struct cli_env *env);
int cmd_chschema(int argc, char **argv, const struct cli_env *env);

#endif
