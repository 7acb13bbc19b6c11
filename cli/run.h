/**
 * \file run.h
 * Running a query command: options, the database, the output stage, one
 * query per argument or per line of -f FILE, the shared row filters and
 * the exit status.
 */
#ifndef RV_CLI_RUN_H
#define RV_CLI_RUN_H

#include <stdint.h>

#include "db.h"
#include "opts.h"
#include "out.h"
#include "row.h"

struct cli_run;

/**
 * One query: parse \p arg, scan, give rows to cli_run_emit().
 * \return CLI_EXIT_OK (whether or not rows came), CLI_EXIT_USAGE after
 *	printing what is wrong with arg, CLI_EXIT_ERROR after printing.
 */
typedef int (*cli_query_fn)(struct cli_run *run, const char *arg);

struct cli_run {
	const char *cmd;	/**< "lookup", "rdata ip", ... for messages */
	struct cli_opts opts;
	struct cli_db db;
	struct cli_out out;
	/* filters shared by the commands */
	uint16_t types[CLI_TYPES_MAX];
	unsigned ntypes;	/**< 0: any type */
	int types_set;		/**< -t was given (ANY included) */
	uint8_t zone[RV_NAME_MAX];	/**< --bailiwick, wire lowercase */
	size_t zone_len;	/**< 0: no bailiwick filter */
	int sensor_set;		/**< --sensor given */
	uint16_t sensor_id;
	int join;		/**< look up sensors of reverse rows */
	void *ctx;		/**< the command's own state */
};

/**
 * The one-line message for a scan that failed with rc: the output's
 * error when writing stopped it, else the database's.
 */
void cli_run_error(struct cli_run *run, int rc);

/** Set by `summarize`: commands print totals instead of rows. */
extern int cli_summarize;

/** Defaults before cli_opts_parse. */
void cli_run_init(struct cli_run *run, const char *cmd);

/**
 * Parse --type / --bailiwick values into the run's filters; print the
 * error. \return 0 or CLI_EXIT_USAGE.
 */
int cli_run_types(struct cli_run *run, const char *arg);
int cli_run_bailiwick(struct cli_run *run, const char *arg);

/**
 * Everything after option parsing: check there is something to query,
 * open the database, set up the output (sort default \p sort, direction
 * \p desc unless --sort/--reverse say otherwise), run \p fn on each
 * argument or line, and close.
 * \return the exit status.
 */
int cli_run_queries(struct cli_run *run, cli_query_fn fn,
    enum cli_sort sort, int desc);

/** Does the row pass the type, time, bailiwick and sensor filters? */
int cli_run_pass(const struct cli_run *run, const struct cli_row *r);

/**
 * Filter a row and give it to the output (joining sensors of reverse
 * rows when needed). \return 0 to go on, RV_ENOENT to stop the scan,
 * an error.
 */
int cli_run_emit(struct cli_run *run, const struct cli_row *r);

/**
 * Parse a name argument: IDN to A-labels, then wire form (lowercase).
 * Recognises "*.NAME" (*wild = 1) and "NAME.*" (*wild = 2; wire then holds
 * the leading labels). Prints the error.
 * \return 0 or CLI_EXIT_USAGE.
 */
int cli_run_name(struct cli_run *run, const char *arg, uint8_t *wire,
    size_t *len, int *wild);

/** Builds the prefix key of a database for one name (rv_key_rrset_name
 * and the like). */
typedef int (*cli_name_key_fn)(struct rv_key *k, const uint8_t *name,
    size_t len);

/**
 * A right-hand wildcard (www.example.*): for every name of the names
 * index under the forward-order prefix \p pre (rv_key_names_prefix), scan
 * \p db over the prefix key \p key_of builds for that name and give its
 * rows to \p fn with \p arg.
 * \return 0, or an rv_err code from the store or from fn.
 */
int cli_run_names_scan(struct cli_run *run, const struct rv_key *pre,
    enum rv_db db, cli_name_key_fn key_of, rv_scan_fn fn, void *arg);

#endif
