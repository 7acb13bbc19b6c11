/**
 * \file cmd_archive.c
 * `rearview archive [--db DIR] [--older-than AGE] [--retain AGE]
 * [--no-merge]`: move the rows whose last sighting is older than AGE
 * (default 30d) out of LMDB into a new archive segment, merge segments
 * of about the same size, and drop whole segments past --retain
 * (docs/ARCHIVE.md). Every query reads both tiers, so answers do not
 * change; the live file stops growing with history.
 *
 * It is the database's writer for as long as it runs: rearviewd must not
 * be running on the same database (its lock says so). A kill at any
 * point is safe; the next run finishes what the killed one started.
 *
 * Exit status: 0 done (also when nothing was old enough), 2 usage error,
 * 3 other error.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "rv_err.h"
#include "rv_store.h"
#include "rv_time.h"
#include "run.h"
#include "rvq_db.h"

enum { OPT_OLDER = CLI_OPT_OWN, OPT_RETAIN, OPT_NO_MERGE };

/* Of the query options archive takes only --db (cli_opts_parse_db); -o
 * is its own, for its one line as JSON. */
static const struct cli_optdef archive_opts[] = {
	{ { "older-than", required_argument, NULL, OPT_OLDER }, "AGE",
	  "archive what was last seen longer ago than AGE (30d; 1s: all "
	  "but the last second)" },
	{ { "retain", required_argument, NULL, OPT_RETAIN }, "AGE",
	  "then drop whole segments whose rows were all last seen longer "
	  "ago than AGE (2y; default: keep everything)" },
	{ { "no-merge", no_argument, NULL, OPT_NO_MERGE }, NULL,
	  "do not merge segments of about the same size" },
	{ { "output", required_argument, NULL, 'o' }, "FMT",
	  "json: say what was done as one JSON object (else a line)" },
};

struct args {
	int64_t age, retain;
	int merge;
	enum cli_fmt fmt;
};

static int
on_opt(int code, const char *arg, void *ctx)
{
	struct args *a = ctx;
	int64_t *to = code == OPT_OLDER ? &a->age : &a->retain;

	if (code == OPT_NO_MERGE) {
		a->merge = 0;
		return 0;
	}
	if (code == 'o') {
		/* The query formats as before: json (jsonl, cof) or a line. */
		if (cli_fmt_parse(arg, &a->fmt) != RV_OK) {
			cli_err("archive: unknown output format '%s': want "
			    "json or text", arg);
			return 1;
		}
		return 0;
	}
	if (code != OPT_OLDER && code != OPT_RETAIN)
		return 0;
	if (rv_duration_parse(arg, to) != RV_OK || *to <= 0 ||
	    *to > (int64_t)100 * 365 * 86400) {
		cli_err("archive: --%s '%s' is not a duration from 1s to 100y "
		    "(30d, 12h, 2y, 1w2d)", code == OPT_OLDER ? "older-than" :
		    "retain", arg);
		return 1;
	}
	return 0;
}

static void
print(const struct rv_archive_result *r, int json, int64_t cutoff)
{
	static const enum rv_db dbs[] = { RV_DB_RRSET, RV_DB_NEG, RV_DB_RDATA,
	    RV_DB_NAMES, RV_DB_ASN };

	if (json) {
		printf("{\"segment\":\"%s\",\"cutoff\":%" PRId64 ",\"rows\":%"
		    PRIu64, r->segment, cutoff, r->rows);
		for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++)
			printf(",\"rows_%s\":%" PRIu64, rv_db_name(dbs[i]),
			    r->rows_db[dbs[i]]);
		printf(",\"bytes\":%" PRIu64 ",\"deleted\":%" PRIu64
		    ",\"kept\":%" PRIu64 ",\"resumed\":%s,\"merges\":%"
		    PRIu64 ",\"merged\":%" PRIu64 ",\"dropped\":%" PRIu64
		    ",\"dropped_rows\":%" PRIu64 "}\n", r->bytes, r->deleted,
		    r->kept, r->resumed ? "true" : "false", r->merges,
		    r->merged, r->dropped, r->dropped_rows);
		return;
	}
	if (r->merges)
		printf("merged %" PRIu64 " segments into %" PRIu64 "\n",
		    r->merged, r->merges);
	if (r->dropped)
		printf("dropped %" PRIu64 " segments past retention (%" PRIu64
		    " rows)\n", r->dropped, r->dropped_rows);
	if (r->resumed)
		printf("finished the removal a killed run had begun\n");
	if (r->segment[0] == '\0') {
		printf("nothing last seen before the cutoff: no segment "
		    "written\n");
		return;
	}
	printf("%s: %" PRIu64 " rows (%" PRIu64 " RRsets, %" PRIu64
	    " negative answers), %" PRIu64 " octets; %" PRIu64
	    " removed from the live tier, %" PRIu64 " seen again meanwhile "
	    "and kept\n", r->segment, r->rows, r->rows_db[RV_DB_RRSET],
	    r->rows_db[RV_DB_NEG], r->bytes, r->deleted, r->kept);
}

int
cmd_archive(int argc, char **argv, const struct cli_env *env)
{
	struct rv_archive_result res;
	struct rv_archive_job *job = NULL;
	struct rv_store *st = NULL;
	struct cli_opts o;
	struct args a = { 30 * 86400, 0, 1, CLI_FMT_AUTO };
	struct rvq_db db;
	struct rvq_err err;
	int64_t now = (int64_t)time(NULL), cutoff;
	int rc, done = 0;

	cli_opts_init(&o, now);
	(void)env;
	rc = cli_opts_parse_db(&o, argc, argv, "archive [--db DIR] "
	    "[--older-than AGE] [--retain AGE] [--no-merge] [-o json]",
	    "Move the rows "
	    "last seen longer than AGE ago (30d) from the live LMDB file into a new compressed archive "
	    "segment under DIR/archive. Queries read both tiers, so answers "
	    "stay the same. Then segments of about the same size are merged, "
	    "and with --retain whole old segments dropped. rearviewd must "
	    "not be running on DIR.",
	    archive_opts, sizeof(archive_opts) / sizeof(archive_opts[0]),
	    on_opt, &a);
	if (rc != CLI_EXIT_OK || o.help)
		return rc;
	if (o.argc != 0) {
		cli_err("archive: unexpected argument '%s'", o.argv[0]);
		return CLI_EXIT_USAGE;
	}
	cutoff = now - a.age;
	if (cutoff < 0)
		cutoff = 0;
	/* The writer's open takes any directory (and would make a database
	 * in an empty one): first see that DIR holds one, worded as every
	 * query says it. */
	if (rvq_db_open(o.db, &db, &err) != RV_OK) {
		cli_err("%s", err.msg);
		return CLI_EXIT_ERROR;
	}
	rvq_db_close(&db);
	rc = rv_store_open(o.db, RV_STORE_EXCL, 0, &st);
	if (rc != RV_OK) {
		const char *why = rv_store_why(NULL);

		cli_err("archive: cannot open '%s' as its writer: %s%s%s", o.db,
		    rc == RV_EBUSY ? "rearviewd (or another writer) holds it"
		    : rv_strerror(rc), why ? ": " : "", why ? why : "");
		return CLI_EXIT_ERROR;
	}
	memset(&res, 0, sizeof(res));
	rc = rv_archive_job_new(st, (uint32_t)cutoff, a.retain > 0 ?
	    (uint32_t)(now - a.retain > 0 ? now - a.retain : 1) : 0, a.merge,
	    &job);
	while (rc == RV_OK && !done)
		rc = rv_archive_job_step(job, UINT32_MAX, &done);
	if (job != NULL)
		res = *rv_archive_job_result(job);
	rv_archive_job_free(job);
	if (rc != RV_OK) {
		const char *why = rv_store_why(st);

		cli_err("archive: %s%s%s (a rerun finishes it)", rv_strerror(rc),
		    why ? ": " : "", why ? why : "");
		rv_store_close(st);
		return CLI_EXIT_ERROR;
	}
	rv_store_close(st);
	print(&res, a.fmt == CLI_FMT_JSON, cutoff);
	return CLI_EXIT_OK;
}
