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
#include "idn.h"
#include "rv_err.h"
#include "rv_name.h"

int cli_summarize;

void
cli_run_init(struct cli_run *run, const char *cmd)
{
	memset(run, 0, sizeof(*run));
	run->cmd = cmd;
	cli_opts_init(&run->opts, (int64_t)time(NULL));
}

int
cli_run_types(struct cli_run *run, const char *arg)
{
	int rc = cli_types_parse(arg, run->types, &run->ntypes);

	run->types_set = 1;
	if (rc == RV_ETOOBIG) {
		cli_err("%s: too many types in '%s' (at most %d)", run->cmd,
		    arg, CLI_TYPES_MAX);
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
	char a[RV_NAME_STR_MAX];

	if (cli_idn_input(arg, a, sizeof(a)) != RV_OK ||
	    rv_name_from_str(a, run->zone, &run->zone_len) != RV_OK) {
		cli_err("%s: invalid bailiwick '%s'", run->cmd, arg);
		return CLI_EXIT_USAGE;
	}
	rv_name_canon(run->zone, run->zone_len);
	return CLI_EXIT_OK;
}

int
cli_run_name(struct cli_run *run, const char *arg, uint8_t *wire,
    size_t *len, int *wild)
{
	char a[RV_NAME_STR_MAX];
	size_t n;
	int rc;

	*wild = 0;
	rc = cli_idn_input(arg, a, sizeof(a));
	if (rc != RV_OK) {
		cli_err("%s: invalid name '%s': %s", run->cmd, arg,
		    rc == RV_EINVAL ? "not a valid internationalised name" :
		    rv_strerror(rc));
		return CLI_EXIT_USAGE;
	}
	n = strlen(a);
	if (strncmp(a, "*.", 2) == 0) {
		*wild = 1;
		memmove(a, a + 2, n - 1);
		if (a[0] == '\0' || strcmp(a, ".") == 0) {
			cli_err("%s: '%s' would match every name; give a "
			    "domain after '*.'", run->cmd, arg);
			return CLI_EXIT_USAGE;
		}
	} else if (n >= 2 && strcmp(a + n - 2, ".*") == 0) {
		*wild = 2;
		a[n - 2] = '\0';
		if (a[0] == '\0') {
			cli_err("%s: '%s' would match every name", run->cmd,
			    arg);
			return CLI_EXIT_USAGE;
		}
	}
	if (strchr(a, '*') != NULL && strstr(a, "\\*") == NULL) {
		cli_err("%s: invalid name '%s': a wildcard is '*.NAME' or "
		    "'NAME.*'", run->cmd, arg);
		return CLI_EXIT_USAGE;
	}
	if (a[0] == '\0' || (rc = rv_name_from_str(a, wire, len)) != RV_OK) {
		cli_err("%s: invalid name '%s': %s", run->cmd, arg,
		    a[0] == '\0' ? "empty" : rc == RV_ETOOBIG ?
		    "a label over 63 or the name over 255 octets" :
		    "empty label or bad escape");
		return CLI_EXIT_USAGE;
	}
	rv_name_canon(wire, *len);
	return CLI_EXIT_OK;
}

int
cli_run_pass(const struct cli_run *run, const struct cli_row *r)
{
	if (run->ntypes > 0) {
		unsigned i = 0;
		while (i < run->ntypes && run->types[i] != r->type)
			i++;
		if (i == run->ntypes)
			return 0;
	}
	if (!cli_fence_match(&run->opts.fence, r->first, r->last))
		return 0;
	if (run->zone_len > 0 && r->kind == CLI_ROW_RRSET &&
	    (r->zone_len != run->zone_len ||
	    memcmp(r->zone, run->zone, r->zone_len) != 0))
		return 0;
	if (run->sensor_set && r->kind == CLI_ROW_RRSET) {
		unsigned i = 0;
		while (i < r->nsens && r->sensors[i] != run->sensor_id)
			i++;
		if (i == r->nsens)
			return 0;
	}
	return 1;
}

int
cli_run_emit(struct cli_run *run, const struct cli_row *r)
{
	uint16_t sens[RV_SENSORS_MAX];
	uint8_t zone[RV_NAME_MAX];
	struct cli_row j;
	int rc;

	if (!cli_run_pass(run, r))
		return RV_OK;
	if (r->kind == CLI_ROW_RDATA && (run->join || run->sensor_set)) {
		j = *r;
		rc = cli_db_join(&run->db, r, sens, &j.nsens, zone,
		    &j.zone_len);
		if (rc != RV_OK && rc != RV_ENOENT)
			return rc;
		j.sensors = sens;
		j.zone = zone;
		if (run->sensor_set) {
			unsigned i = 0;
			while (i < j.nsens && sens[i] != run->sensor_id)
				i++;
			if (i == j.nsens)
				return RV_OK;
		}
		if (run->zone_len > 0 && (j.zone_len != run->zone_len ||
		    memcmp(zone, run->zone, j.zone_len) != 0))
			return RV_OK;
		return cli_out_row(&run->out, &j);
	}
	return cli_out_row(&run->out, r);
}

void
cli_run_error(struct cli_run *run, int rc)
{
	int e;

	if (cli_out_write_failed(&run->out, &e))
		cli_err("%s: writing output: %s", run->cmd, strerror(e));
	else
		cli_db_error(&run->db, run->cmd, rc);
}

/* Run one query; fold its status into *status. */
static void
one(struct cli_run *run, cli_query_fn fn, const char *arg, int *status)
{
	struct cli_out *o = &run->out;
	int rc, st;

	if ((rc = cli_out_begin(o)) != RV_OK) {
		cli_err("%s: %s", run->cmd, rv_strerror(rc));
		st = CLI_EXIT_ERROR;
		goto leave;
	}
	st = fn(run, arg);
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
	if (o->limited && (o->fmt == CLI_FMT_TABLE || o->fmt == CLI_FMT_TEXT))
		cli_err("%s: more results than --limit %llu; --limit 0 "
		    "shows all", run->cmd, (unsigned long long)o->limit);
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
batch(struct cli_run *run, cli_query_fn fn, int *status)
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
		one(run, fn, s, status);
		if (*status == CLI_EXIT_ERROR && run->out.err != 0)
			break;	/* output is gone (EPIPE...): stop */
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
cli_run_queries(struct cli_run *run, cli_query_fn fn, enum cli_sort sort,
    int desc)
{
	struct cli_opts *op = &run->opts;
	struct cli_out *o = &run->out;
	int status = CLI_EXIT_NONE, rc;

	if (op->argc == 0 && op->file == NULL) {
		cli_err("%s: nothing to look up (try '%s %s --help')",
		    run->cmd, cli_progname, run->cmd);
		return CLI_EXIT_USAGE;
	}
	if (cli_db_open(op->db, &run->db) != CLI_EXIT_OK)
		return CLI_EXIT_ERROR;
	if (op->sensor != NULL) {
		run->sensor_set = 1;
		rc = cli_db_sensor_id(&run->db, op->sensor, &run->sensor_id);
		if (rc == RV_ENOENT) {	/* no such sensor: nothing matches */
			run->sensor_id = UINT16_MAX;
		} else if (rc != RV_OK) {
			cli_db_error(&run->db, run->cmd, rc);
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
	o->summarize = cli_summarize;
	o->csv_header = 1;
	o->geo = cli_db_geo;
	o->geo_batch = cli_db_geo_batch;
	o->geo_shared = cli_db_geo_shared;
	o->sensor = cli_db_sensor;
	o->shareable = cli_db_shareable;
	o->cb_arg = &run->db;
	/* Reverse rows get Source and bailiwick from their RRsets in the
	 * human formats; json, dnsdb and csv print the index as it is and
	 * stream at full speed (--sensor and --bailiwick join anyway). */
	run->join = o->fmt == CLI_FMT_TABLE || o->fmt == CLI_FMT_TEXT ||
	    run->zone_len > 0;
	for (int i = 0; i < op->argc; i++)
		one(run, fn, op->argv[i], &status);
	if (op->file != NULL && (rc = batch(run, fn, &status)) != CLI_EXIT_OK)
		status = rc;
leave:
	cli_out_reset(o);
	free(o->sb);
	o->sb = NULL;
	cli_db_close(&run->db);
	return status;
}

struct names_scan {
	struct cli_run *run;
	enum rv_db db;
	cli_name_key_fn key_of;
	rv_scan_fn fn;
	void *arg;
};

/* One name of the names index: the rows of db under its key. */
static int
names_scan_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct names_scan *ns = arg;
	uint8_t name[RV_NAME_MAX];
	size_t len;
	struct rv_key pre;
	int rc;

	(void)v;
	if ((rc = rv_names_key_decode(k->data, k->len, name,
	    &len)) != RV_OK || (rc = ns->key_of(&pre, name, len)) != RV_OK)
		return rc;
	rc = rv_store_scan(ns->run->db.st, ns->run->db.txn, ns->db, &pre, &pre,
	    ns->fn, ns->arg);
	/* rv_store_scan turns the output's stop into 0: pass it on. */
	if (rc == RV_OK && ns->run->out.natural && ns->run->out.limited)
		rc = RV_ENOENT;
	return rc;
}

int
cli_run_names_scan(struct cli_run *run, const struct rv_key *pre,
    enum rv_db db, cli_name_key_fn key_of, rv_scan_fn fn, void *arg)
{
	struct names_scan ns = { run, db, key_of, fn, arg };

	return rv_store_scan(run->db.st, run->db.txn, RV_DB_NAMES, pre, pre,
	    names_scan_row, &ns);
}
