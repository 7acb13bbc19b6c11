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

/* The sensor's stream accounting (lib/FRAME.md): what it numbered and the
 * indexer received, what was lost on the way, its restarts, and what the
 * sensor says it dropped itself, over all its boots. */
static int
seq_stats(struct kv *k, struct cli_run *run, uint16_t id, const char *name,
    size_t len)
{
	struct rv_sensor_seq q;
	char key[RV_SENSOR_MAX + 40];
	int rc = rv_store_sensor_seq(run->db.st, run->db.txn, id, &q);
	const struct { const char *n; uint64_t v; } f[] = {
		{ "received", q.received },
		{ "lost", q.lost },
		{ "resets", q.resets },
		{ "unsequenced", q.unsequenced },
		{ "out_of_order", q.out_of_order },
		{ "dropped_queue_full", q.drops.queue_full +
		    q.drops_before.queue_full },
		{ "dropped_send", q.drops.send + q.drops_before.send },
		{ "dropped_toobig", q.drops.toobig + q.drops_before.toobig },
	};

	if (rc != RV_OK && rc != RV_ENOENT)
		return rc;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(key, sizeof(key), "sensor:%.*s:%s", (int)len, name,
		    f[i].n);
		kv_num(k, key, f[i].v);
	}
	return RV_OK;
}

static int
one_sensor(uint16_t id, const char *name, size_t len, void *arg)
{
	struct kv *k = arg;
	struct cli_run *run = (struct cli_run *)k->o->cb_arg;
	struct rv_sensor_stat ss;
	char key[RV_SENSOR_MAX + 32];

	memset(&ss, 0, sizeof(ss));
	(void)rv_store_sensor_stat(run->db.st, run->db.txn, id, &ss);
	if (len > RV_SENSOR_MAX)
		len = RV_SENSOR_MAX;
	snprintf(key, sizeof(key), "sensor:%.*s", (int)len, name);
	kv_num(k, key, ss.observations);
	snprintf(key, sizeof(key), "sensor:%.*s:last", (int)len, name);
	kv_time(k, key, ss.last);
	return seq_stats(k, run, id, name, len);
}

static int
stats(struct cli_run *run)
{
	struct cli_out *o = &run->out;
	struct rv_store_stats s;
	struct kv k = { o, NULL, 0 };
	char path[4200];
	struct stat sb;
	uint64_t rows;
	int rc;

	if ((rc = cli_fmt_begin(o)) != RV_OK)
		return rc;
	k.b = o->sb;
	if ((rc = rv_store_stats_read(run->db.st, run->db.txn, &s)) != RV_OK)
		return rc;
	if (o->fmt == CLI_FMT_DNSDB)
		sb_str(k.b, "{\"obj\":{");
	else if (o->fmt == CLI_FMT_JSON)
		sb_ch(k.b, '{');
	else if (o->fmt == CLI_FMT_CSV)
		sb_str(k.b, "key,value\n");
	kv_str(&k, "database", run->db.path);
	snprintf(path, sizeof(path), "%s/data.mdb", run->db.path);
	kv_num(&k, "file_bytes", stat(path, &sb) == 0 ? (uint64_t)sb.st_size :
	    0);
	kv_num(&k, "map_bytes", rv_store_mapsize(run->db.st));
	kv_num(&k, "schema", RV_SCHEMA_VERSION);
	for (int i = 0; i < RV_STAT_COUNT; i++)
		kv_num(&k, rv_stat_name((enum rv_stat)i), s.v[i]);
	for (int d = 0; d < RV_DB_COUNT; d++) {
		char key[32];
		if (rv_store_rows(run->db.st, run->db.txn, (enum rv_db)d,
		    &rows) != RV_OK)
			continue;
		snprintf(key, sizeof(key), "rows:%s", rv_db_name((enum rv_db)d));
		kv_num(&k, key, rows);
	}
	kv_time(&k, "last_write", s.last_write);
	if ((rc = rv_store_sensors(run->db.st, run->db.txn, one_sensor, &k)))
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
