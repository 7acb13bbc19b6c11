/**
 * \file watch.c
 * What the phishing report, `rearview verdict` and `rearview rpz` share
 * before they ask the engine: the watch list (--watch FILE, else
 * RVQ_WATCH_DEFAULT when it exists), the lexical engine built on it, and
 * the public suffix list (--psl FILE, else the system's).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <libpsl.h>

#include "cli.h"
#include "report.h"
#include "rv_err.h"

int
cli_watch_open(const char *cmd, const char *path, const char *psl_file,
    struct cli_watch *cw)
{
	const char *why = NULL;
	unsigned line = 0;
	int rc;

	memset(cw, 0, sizeof(*cw));
	if ((cw->w = rvq_watch_new()) == NULL) {
		cli_err("%s: out of memory", cmd);
		return CLI_EXIT_ERROR;
	}
	if (path == NULL && access(RVQ_WATCH_DEFAULT, F_OK) == 0)
		path = RVQ_WATCH_DEFAULT;
	if (path == NULL) {
		cli_err("%s: warning: no watch list (%s, or --watch FILE): no brand "
		    "or own domain to compare names with, so nothing can be "
		    "blocked", cmd, RVQ_WATCH_DEFAULT);
	} else if ((rc = rvq_watch_load(cw->w, path, &line, &why)) != RV_OK) {
		if (rc == RV_EIO)
			cli_err("%s: --watch: cannot read %s: %s", cmd, path,
			    strerror(errno));
		else if (line > 0)
			cli_err("%s: %s:%u: %s", cmd, path, line,
			    why != NULL ? why : rv_strerror(rc));
		else
			cli_err("%s: --watch %s: %s", cmd, path,
			    why != NULL ? why : rv_strerror(rc));
		cli_watch_close(cw);
		return CLI_EXIT_USAGE;
	}
	if ((cw->ph = rvq_phish_new(cw->w, NULL, &rc)) == NULL) {
		cli_err("%s: cannot build the lookalike matcher: %s", cmd,
		    rv_strerror(rc));
		cli_watch_close(cw);
		return CLI_EXIT_ERROR;
	}
	if (psl_file != NULL) {
		if ((cw->own_psl = psl_load_file(psl_file)) == NULL) {
			cli_err("%s: --psl: cannot load %s", cmd, psl_file);
			cli_watch_close(cw);
			return CLI_EXIT_USAGE;
		}
		cw->psl = cw->own_psl;
	} else {
		cw->psl = (void *)rv_psl_default();
	}
	if (cw->psl == NULL) {
		cli_err("%s: no public suffix list (install publicsuffix or "
		    "give --psl FILE)", cmd);
		cli_watch_close(cw);
		return CLI_EXIT_ERROR;
	}
	return CLI_EXIT_OK;
}

void
cli_watch_close(struct cli_watch *cw)
{
	rvq_phish_free(cw->ph);
	rvq_watch_free(cw->w);
	if (cw->own_psl != NULL)
		psl_free(cw->own_psl);
	memset(cw, 0, sizeof(*cw));
}
