/**
 * \file report.h
 * `rearview report fastflux|tunnel`: the command and its output. The
 * computation is the query engine's (query/rvq_report.h).
 *
 *  - report.c: the subcommands, their options, the exit status;
 *  - report_out.c: table, json and csv on stdout;
 *  - report_html.c: --out DIR, the dated JSON file and the HTML page with
 *    one inline-SVG chart per flagged name.
 */
#ifndef RV_CLI_REPORT_H
#define RV_CLI_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "opts.h"
#include "rvq_report.h"

/**
 * Print the rows of one kind on fp in fmt (table, json or csv), skipping
 * \p offset and at most \p limit rows (0: all).
 * \return 0, RV_EIO.
 */
int report_print(FILE *fp, enum cli_fmt fmt, enum rvq_report_kind kind,
    const struct rvq_report *rep, const struct rvq_report_cfg *cfg,
    uint64_t offset, uint64_t limit);

/**
 * Write DIR/rearview-<kind>-YYYY-MM-DD.json and .html (the date of the
 * window's end, UTC), each through a temporary file and rename, so a
 * reader never sees half a report. \p path gets the HTML path.
 * \return 0, RV_EIO (errno set), RV_ENOMEM.
 */
int report_write_dir(const char *dir, enum rvq_report_kind kind,
    const struct rvq_report *rep, const struct rvq_report_cfg *cfg, char *path,
    size_t pathsz);

/** The watch list, the lookalike engine on it and the public suffix list
 * (cli/watch.c). */
struct cli_watch {
	struct rvq_watch *w;
	struct rvq_phish *ph;
	void *psl;		/**< psl_ctx_t to use */
	void *own_psl;		/**< psl_ctx_t loaded from --psl, or NULL */
};

/**
 * Load the watch list (path NULL: RVQ_WATCH_DEFAULT when it exists, else
 * an empty list with a warning), build the engine, load --psl FILE (NULL:
 * the system's). Errors are printed, prefixed with \p cmd.
 * \return CLI_EXIT_OK, CLI_EXIT_USAGE (bad file), CLI_EXIT_ERROR.
 */
int cli_watch_open(const char *cmd, const char *path, const char *psl_file,
    struct cli_watch *cw);
void cli_watch_close(struct cli_watch *cw);

struct rvq_newdom_result;
/** Print newly observed domains on fp in fmt (table, json, csv). */
int report_newdom_print(FILE *fp, enum cli_fmt fmt,
    const struct rvq_newdom_result *r, const struct cli_watch *cw,
    uint64_t offset, uint64_t limit);

/** Write the whole report of one kind as one JSON document. */
int report_json_doc(FILE *fp, enum rvq_report_kind kind,
    const struct rvq_report *rep, const struct rvq_report_cfg *cfg);

#endif
