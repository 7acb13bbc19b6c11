/**
 * \file cmd_stats.c
 * `rearview stats`: database size, row counts, ingest counters, sensors
 * and the last write, in every output format.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "rv_err.h"
#include "rv_frame.h"
#include "rv_time.h"
#include "run.h"
#include "rvq_stats.h"
#include "sb.h"

/* The table: keys (sensor:NAME:dropped_queue_full is the longest usual
 * one) and then numbers right-aligned. */
#define KEY_W 34
#define NUM_W 20

struct kv {
	struct cli_out *o;
	struct sb *b;
	int n;
};

static void
kv_num(struct kv *k, const char *key, uint64_t v)
{
	switch (k->o->fmt) {
	case CLI_FMT_JSON:
	case CLI_FMT_DNSDB:
		sb_str(k->b, k->n++ ? ",\"" : "\"");
		sb_str(k->b, key);
		sb_str(k->b, "\":");
		sb_u64(k->b, v);
		break;
	case CLI_FMT_CSV:
		sb_str(k->b, key);
		sb_ch(k->b, ',');
		sb_u64(k->b, v);
		sb_ch(k->b, '\n');
		break;
	default: {	/* numbers right-aligned in one column */
		char line[160];
		snprintf(line, sizeof(line), "%-*s %*llu\n", KEY_W, key,
		    NUM_W, (unsigned long long)v);
		sb_str(k->b, line);
	}
	}
}

static void
kv_str(struct kv *k, const char *key, const char *v)
{
	switch (k->o->fmt) {
	case CLI_FMT_JSON:
	case CLI_FMT_DNSDB:
		sb_str(k->b, k->n++ ? ",\"" : "\"");
		sb_str(k->b, key);
		sb_str(k->b, "\":");
		sb_json(k->b, v);
		break;
	case CLI_FMT_CSV:
		sb_str(k->b, key);
		sb_ch(k->b, ',');
		sb_csv(k->b, v);
		sb_ch(k->b, '\n');
		break;
	default: {
		char line[160];
		snprintf(line, sizeof(line), "%-*s ", KEY_W, key);
		sb_str(k->b, line);
		sb_str(k->b, v);
		sb_ch(k->b, '\n');
	}
	}
}

static void
kv_time(struct kv *k, const char *key, uint32_t t)
{
	char s[RV_TIME_STR_MAX];

	if (k->o->fmt == CLI_FMT_JSON || k->o->fmt == CLI_FMT_DNSDB) {
		kv_num(k, key, t);
		return;
	}
	if (t == 0)
		snprintf(s, sizeof(s), "never");
	else if (k->o->fmt == CLI_FMT_TEXT) {	/* the table's */
		rvq_time_str(t, 0, s, sizeof(s) - 4);
		strcat(s, " UTC");
	} else
		rvq_time_str(t, 1, s, sizeof(s));
	kv_str(k, key, s);
}

/* One figure of the engine's walk, in the output's format. */
static void
figure(void *arg, const char *key, enum rvq_stat_kind kind, uint64_t num,
    const char *str)
{
	struct kv *k = arg;

	if (kind == RVQ_STAT_STR)
		kv_str(k, key, str);
	else if (kind == RVQ_STAT_TIME)
		kv_time(k, key, (uint32_t)num);
	else
		kv_num(k, key, num);
}

static int
stats(struct cli_run *run)
{
	struct cli_out *o = &run->out;
	struct kv k = { o, NULL, 0 };
	int rc;

	if ((rc = cli_fmt_begin(o)) != RV_OK)
		return rc;
	k.b = o->sb;
	if (o->fmt == CLI_FMT_DNSDB)
		sb_str(k.b, "{\"obj\":{");
	else if (o->fmt == CLI_FMT_JSON)
		sb_ch(k.b, '{');
	else if (o->fmt == CLI_FMT_CSV)
		sb_str(k.b, "key,value\n");
	if ((rc = rvq_stats(&run->db, figure, &k)) != RV_OK)
		return rc;
	if (o->fmt == CLI_FMT_DNSDB)
		sb_str(k.b, "}}\n{\"cond\":\"succeeded\"}\n");
	else if (o->fmt == CLI_FMT_JSON)
		sb_str(k.b, "}\n");
	sb_flush(k.b);
	return k.b->err ? RV_EIO : RV_OK;
}

int
cmd_stats(int argc, char **argv, const struct cli_env *env)
{
	struct cli_run run;
	int rc;

	cli_run_init(&run, "stats", env);
	rc = cli_opts_parse(&run.opts, argc, argv, "stats [OPTIONS]",
	    "Database size, RRsets, addresses, sensors, ingest counters and "
	    "the last write.", NULL, 0, NULL, NULL);
	if (rc != CLI_EXIT_OK || run.opts.help)
		return rc;
	if (run.opts.argc > 0) {
		cli_err("stats: unexpected argument '%s'", run.opts.argv[0]);
		return CLI_EXIT_USAGE;
	}
	if (cli_db_open(run.opts.db, &run.db) != CLI_EXIT_OK)
		return CLI_EXIT_ERROR;
	run.out.fp = stdout;
	run.out.fmt = cli_fmt_resolve(run.opts.fmt, stdout);
	run.out.cb_arg = &run;
	/* The table is plain key/value lines. */
	if (run.out.fmt == CLI_FMT_TABLE)
		run.out.fmt = CLI_FMT_TEXT;
	rc = stats(&run);
	if (rc == RV_ECORRUPT) {
		struct rvq_err err;
		rvq_db_errf(&err, &run.db, rc);
		cli_err("%s", err.msg);
		rc = CLI_EXIT_ERROR;
	} else if (rc != RV_OK) {
		cli_err("stats: '%s': %s", run.opts.db, rc == RV_EIO ?
		    strerror(errno) : rv_strerror(rc));
		rc = CLI_EXIT_ERROR;
	}
	cli_out_free(&run.out);
	rvq_db_close(&run.db);
	return rc;
}
