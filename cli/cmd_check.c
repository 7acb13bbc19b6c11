/**
 * \file cmd_check.c
 * `rearview check`: verify a whole database (rv_store_check) and say
 * whether it is sound, what it holds and every problem found.
 *
 * Output (stdout, text): one line per part of the file, one "problem"
 * line per problem, then "result sound" or "result damaged: N
 * problems". Exit 0 when sound; 3 when damaged (with one line on stderr
 * saying what to do) or when the database cannot be read at all.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "rv_err.h"
#include "run.h"

static void
on_problem(int db, const char *line, void *arg)
{
	(void)db;
	(void)arg;
	printf("problem    %s\n", line);
}

static void
summary(const char *path, const struct rv_check *c)
{
	printf("database   %s\n", path);
	printf("data.mdb   %" PRIu64 " octets, page size %" PRIu64 ", last "
	    "page %" PRIu64 "\n", c->file_size, c->psize, c->last_page);
	for (int d = 0; d < RV_DB_COUNT; d++) {
		const struct rv_check_db *b = &c->db[d];
		printf("%-10s %" PRIu64 " rows, %" PRIu64 " pages%s\n",
		    rv_db_name((enum rv_db)d), b->rows, b->pages,
		    b->walked ? "" : " (not walked to its end)");
	}
	printf("counters   observations %" PRIu64 ", rrsets %" PRIu64
	    ", negatives %" PRIu64 ", ips %" PRIu64 "\n",
	    c->stats[RV_STAT_OBSERVATIONS], c->stats[RV_STAT_RRSETS],
	    c->stats[RV_STAT_NEGATIVES], c->stats[RV_STAT_IPS]);
	if (c->segments)
		printf("archive    %" PRIu64 " segments, %" PRIu64 " read to "
		    "their end, %" PRIu64 " rows\n", c->segments,
		    c->segments_walked, c->segment_rows);
	if (c->complete)
		printf("pages      %" PRIu64 " in trees, %" PRIu64 " free, 2 "
		    "meta\n", c->tree_pages, c->free_pages);
}

/* The verdict: stdout's last line, and on damage one line on stderr. */
static int
verdict(const char *path, uint64_t problems, const char *why)
{
	if (problems == 0) {
		printf("result     sound\n");
		return CLI_EXIT_OK;
	}
	printf("result     damaged: %" PRIu64 " problem%s\n", problems,
	    problems == 1 ? "" : "s");
	fflush(stdout);
	if (why != NULL)
		cli_err("database '%s' is damaged (%s): restore it from a "
		    "backup", path, why);
	else
		cli_err("database '%s' is damaged (%" PRIu64 " problem%s, "
		    "listed above): restore it from a backup", path, problems,
		    problems == 1 ? "" : "s");
	return CLI_EXIT_ERROR;
}

int
cmd_check(int argc, char **argv, const struct cli_env *env)
{
	struct cli_run run;
	struct rvq_err err;
	struct rv_check c;
	int rc;

	cli_run_init(&run, "check", env);
	rc = cli_opts_parse_db(&run.opts, argc, argv, "check [--db DIR]",
	    "Verify the database: walk every tree, decode every key and "
	    "value, hold the counters against the rows. Exit 0: sound; 3: "
	    "damaged (each problem listed).", NULL, 0, NULL, NULL);
	if (rc != CLI_EXIT_OK || run.opts.help)
		return rc;
	if (run.opts.argc > 0) {
		cli_err("check: unexpected argument '%s'", run.opts.argv[0]);
		return CLI_EXIT_USAGE;
	}
	rc = rvq_db_open(run.opts.db, &run.db, &err);
	if (rc == RV_ECORRUPT) {
		/* Damaged before anything could be walked: that is the one
		 * problem to report. */
		const char *why = run.db.st != NULL ? rv_store_why(run.db.st) :
		    rv_store_why(NULL);
		printf("database   %s\n", run.opts.db);
		printf("problem    data.mdb: %s\n", why ? why : "unreadable");
		return verdict(run.opts.db, 1, why ? why : "unreadable");
	}
	if (rc != RV_OK) {
		cli_err("%s", err.msg);
		return CLI_EXIT_ERROR;
	}
	/* The check reads in transactions of its own. */
	rvq_db_end(&run.db);
	rc = rv_store_check(run.db.st, &c, on_problem, NULL);
	summary(run.opts.db, &c);
	if (rc != RV_OK && rc != RV_ECORRUPT) {
		cli_err("check: '%s': %s", run.opts.db, rv_strerror(rc));
		rvq_db_close(&run.db);
		return CLI_EXIT_ERROR;
	}
	rc = verdict(run.opts.db, c.problems + (rc != RV_OK && !c.problems),
	    NULL);
	rvq_db_close(&run.db);
	return rc;
}
