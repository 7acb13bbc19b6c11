/**
 * \file run.c
 * The query driver: database, output, arguments or -f FILE lines, shared
 * filters, exit status.
 */
#include "run.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "rv_err.h"

void
cli_run_init(struct cli_run *run, const char *cmd, const struct cli_env *env)
{
	memset(run, 0, sizeof(*run));
	run->cmd = cmd;
	run->env = env;
	cli_opts_init(&run->opts, (int64_t)time(NULL));
	rvq_filter_init(&run->filter);
}

int
cli_run_types(struct cli_run *run, const char *arg)
{
	int rc = rvq_types_parse(arg, run->filter.types, &run->filter.ntypes);

	run->types_set = 1;
	if (rc == RV_ETOOBIG) {
		cli_err("%s: too many types in '%s' (at most %d)", run->cmd,
		    arg, RVQ_TYPES_MAX);
		return CLI_EXIT_USAGE;
	}
	if (rc != RV_OK) {
		cli_err("%s: unknown type in '%s' (want A,AAAA,... ANY or "
		    "ANY-DNSSEC)", run->cmd, arg);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

int
cli_run_bailiwick(struct cli_run *run, const char *arg)
{
	if (rvq_zone_arg(arg, run->filter.zone, &run->filter.zone_len) !=
	    RV_OK) {
		cli_err("%s: invalid bailiwick '%s'", run->cmd, arg);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

/* Open for a command: the lookups also read a ClickHouse backend. */
static int
db_open(const char *path, struct rvq_db *db, int lookups)
{
	struct rvq_err err;

	if ((lookups ? rvq_db_open_lookups(path, db, &err) :
	    rvq_db_open(path, db, &err)) == RV_OK)
		return CLI_EXIT_OK;
	cli_err("%s", err.msg);
	return CLI_EXIT_ERROR;
}

int
cli_db_open(const char *path, struct rvq_db *db)
{
	return db_open(path, db, 0);
}

/* The engine's rows go to the output stage. */
static int
to_out(void *arg, const struct rvq_row *r)
{
	return cli_out_row(arg, r);
}

/* Rows may be streamed (and the scan stopped at the limit) when they come
 * in the order the output wants. */
static int
natural(const struct cli_out *o, enum rvq_order order)
{
	if (o->desc)
		return 0;
	return (order == RVQ_ORDER_NAME && o->sort == CLI_SORT_NAME) ||
	    (order == RVQ_ORDER_DATA && o->sort == CLI_SORT_DATA);
}

/* One query of the engine: prepare, run, say what went wrong. */
static int
query(struct cli_run *run, enum rvq_kind kind, const char *arg)
{
	struct rvq_query q;
	struct rvq_err err;
	int rc, e;

	rc = rvq_prepare(&q, kind, arg, &run->filter, &err);
	if (rc == RV_EINVAL) {
		cli_err("%s: %s", run->cmd, err.msg);
		return CLI_EXIT_USAGE;
	}
	if (rc != RV_OK) {
		cli_err("%s: %s", run->cmd, rv_strerror(rc));
		return CLI_EXIT_ERROR;
	}
	run->out.natural = natural(&run->out, q.order);
	rc = rvq_exec(&run->db, &q, to_out, &run->out, &err);
	rvq_query_free(&q);
	if (rc == RV_OK)
		return CLI_EXIT_OK;
	if (cli_out_write_failed(&run->out, &e)) {
		cli_err("%s: writing output: %s", run->cmd, strerror(e));
	} else if (rc == RV_ECORRUPT) {
		/* One line that says it all; the next queries would only
		 * repeat it. */
		cli_err("%s", err.msg);
		run->damaged = 1;
	} else if (err.msg[0] != '\0')
		cli_err("%s: %s", run->cmd, err.msg);
	else
		cli_err("%s: %s", run->cmd, rv_strerror(rc));
	return rc == RV_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
}

/* Run one query; fold its status into *status. */
static void
one(struct cli_run *run, enum rvq_kind kind, const char *arg,
    int *status)
{
	struct cli_out *o = &run->out;
	int rc, st;

	/* In a batch every format says which query its rows answer. */
	o->query = run->opts.file != NULL || run->opts.argc > 1 ? arg : NULL;
	if ((rc = cli_out_begin(o)) != RV_OK) {
		cli_err("%s: %s", run->cmd, rv_strerror(rc));
		st = CLI_EXIT_ERROR;
		goto leave;
	}
	/* dnsdbq's batch lines and DNSDB paths say their own kind */
	(void)rvq_path(arg, &kind, &arg);
	st = query(run, kind, arg);
	if (st != CLI_EXIT_OK && st != CLI_EXIT_NONE)
		goto leave;
	if ((rc = cli_out_end(o)) != RV_OK) {
		cli_err("%s: writing output: %s", run->cmd, rc == RV_EIO ?
		    strerror(errno) : rv_strerror(rc));
		st = CLI_EXIT_ERROR;
		goto leave;
	}
	st = (o->summarize ? o->sum.results : o->emitted) > 0 ?
	    CLI_EXIT_OK : CLI_EXIT_NONE;
	/* The dnsdb format says it in its last line; the others on stderr,
	 * so a script never takes a cut answer for the whole. */
	if (o->limited && o->fmt != CLI_FMT_DNSDB)
		cli_err("%s: more results than --limit %llu for '%s'; --limit 0 "
		    "shows all", run->cmd, (unsigned long long)o->limit, arg);
	if (st == CLI_EXIT_NONE && o->fmt == CLI_FMT_TABLE)
		cli_err("%s: no results for '%s'", run->cmd, arg);
leave:
	cli_out_reset(o);
	/* Worst first: error, usage, results, none. */
	if (st == CLI_EXIT_ERROR || *status == CLI_EXIT_ERROR)
		*status = CLI_EXIT_ERROR;
	else if (st == CLI_EXIT_USAGE || *status == CLI_EXIT_USAGE)
		*status = CLI_EXIT_USAGE;
	else if (st == CLI_EXIT_OK || *status == CLI_EXIT_OK)
		*status = CLI_EXIT_OK;
}

static int
batch(struct cli_run *run, enum rvq_kind kind, int *status)
{
	const char *path = run->opts.file;
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = CLI_EXIT_OK;

	if (fp == NULL) {
		cli_err("%s: cannot open '%s': %s", run->cmd, path,
		    strerror(errno));
		return CLI_EXIT_ERROR;
	}
	while ((n = getline(&line, &cap, fp)) != -1) {
		char *s = line, *e = line + n;
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		*e = '\0';
		/* blank lines, # comments and the ;; lines of -o text */
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		one(run, kind, s, status);
		if (*status == CLI_EXIT_ERROR && (run->out.err != 0 ||
		    run->damaged))
			break;	/* output is gone (EPIPE...), or the db: stop */
	}
	if (ferror(fp)) {
		cli_err("%s: reading '%s': %s", run->cmd, path,
		    strerror(errno));
		rc = CLI_EXIT_ERROR;
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

int
cli_run_queries(struct cli_run *run, enum rvq_kind kind,
    enum cli_sort sort, int desc)
{
	struct cli_opts *op = &run->opts;
	struct cli_out *o = &run->out;
	int status = CLI_EXIT_NONE, rc;

	if (op->argc == 0 && op->file == NULL) {
		cli_err("%s: nothing to look up (try '%s %s --help')",
		    run->cmd, cli_progname, run->cmd);
		return CLI_EXIT_USAGE;
	}
	if (db_open(op->db, &run->db, 1) != CLI_EXIT_OK)
		return CLI_EXIT_ERROR;
	run->filter.fence = op->fence;
	if (op->sensor != NULL) {
		run->filter.sensor_set = 1;
		rc = rvq_db_sensor_id(&run->db, op->sensor,
		    &run->filter.sensor_id);
		if (rc == RV_ENOENT) {	/* no such sensor: nothing matches */
			run->filter.sensor_id = UINT16_MAX;
			/* say so: a dnsdbq habit (-S sorts there) or a typo
			 * would otherwise read as 'no results' */
			cli_err("%s: no sensor '%s' in this database ('%s stats' "
			    "lists them)%s", run->cmd, op->sensor, cli_progname,
			    op->sensor[0] == '-' || strchr(op->sensor, '.') ?
			    "; -S is --sensor here, not dnsdbq's sort (use "
			    "--sort, -r)" : "");
		} else if (rc != RV_OK) {
			struct rvq_err err;
			rvq_db_errf(&err, &run->db, rc);
			if (rc == RV_ECORRUPT)
				cli_err("%s", err.msg);
			else
				cli_err("%s: %s", run->cmd, err.msg);
			status = CLI_EXIT_ERROR;
			goto leave;
		}
	}
	o->fp = stdout;
	o->fmt = cli_fmt_resolve(op->fmt, stdout);
	o->sort = op->sort != CLI_SORT_DEFAULT ? op->sort : sort;
	o->desc = (op->sort != CLI_SORT_DEFAULT ? cli_sort_desc(o->sort) :
	    desc) ^ op->reverse;
	o->limit = op->limit;
	o->offset = op->offset;
	o->idn = op->idn;
	o->width = o->fmt == CLI_FMT_TABLE ? cli_term_width(stdout) : 0;
	o->summarize = run->env->summarize;
	o->csv_header = 1;
	o->geo = rvq_db_geo;
	o->geo_batch = rvq_db_geo_batch;
	o->geo_shared = rvq_db_geo_shared;
	o->sensor = rvq_db_sensor;
	o->shareable = rvq_db_shareable;
	o->cb_arg = &run->db;
	/* Reverse rows get Source and bailiwick from their RRsets in the
	 * human formats; json, dnsdb and csv print the index as it is and
	 * stream at full speed (--sensor and --bailiwick join anyway). */
	run->filter.join = o->fmt == CLI_FMT_TABLE || o->fmt == CLI_FMT_TEXT ||
	    run->filter.zone_len > 0;
	for (int i = 0; i < op->argc && !run->damaged; i++)
		one(run, kind, op->argv[i], &status);
	if (op->file != NULL && !run->damaged &&
	    (rc = batch(run, kind, &status)) != CLI_EXIT_OK)
		status = rc;
leave:
	cli_out_free(o);
	if (run->db.st != NULL && rv_store_seg_why(run->db.st) != NULL) {
		/* The answers above lack that segment's rows: say so, and
		 * let scripts see it in the status. */
		cli_err("%s: %s; its rows are left out (rearview check)",
		    run->cmd, rv_store_seg_why(run->db.st));
		status = CLI_EXIT_ERROR;
	}
	rvq_db_close(&run->db);
	return status;
}
