/**
 * \file run.h
 * Running a query command: options, the database, the output stage, one
 * query of the engine (query/rvq.h) per argument or per line of -f FILE,
 * and the exit status. The engine finds the rows; this file only says
 * where they go and how failures read on a terminal.
 */
#ifndef RV_CLI_RUN_H
#define RV_CLI_RUN_H

#include <stdint.h>

#include "cli.h"
#include "opts.h"
#include "out.h"
#include "rvq.h"

struct cli_run {
	const char *cmd;	/**< "lookup", "rdata ip", ... for messages */
	const struct cli_env *env;
	struct cli_opts opts;
	struct rvq_db db;
	struct cli_out out;
	struct rvq_filter filter;	/**< -t, --bailiwick, --sensor, the
					 * fence; the join */
	int types_set;		/**< -t was given (ANY included) */
	struct rv_iprange sub_ip;	/**< subdomains --ip */
	int damaged;		/**< the database is damaged: no more
				 * queries */
};

/** Defaults before cli_opts_parse. */
void cli_run_init(struct cli_run *run, const char *cmd,
    const struct cli_env *env);

/**
 * Parse --type / --bailiwick values into the run's filter; print the
 * error. \return 0 or CLI_EXIT_USAGE.
 */
int cli_run_types(struct cli_run *run, const char *arg);
int cli_run_bailiwick(struct cli_run *run, const char *arg);

/**
 * Everything after option parsing: check there is something to query,
 * open the database, set up the output (sort default \p sort, direction
 * \p desc unless --sort/--reverse say otherwise), run a query of \p kind
 * for each argument or line, and close.
 * \return the exit status.
 */
int cli_run_queries(struct cli_run *run, enum rvq_kind kind,
    enum cli_sort sort, int desc);

#endif
