/**
 * \file stats.c
 * The database's figures, walked for the front ends. See rvq_stats.h.
 */
#include "rvq_stats.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "rv_ch_sink.h"
#include "rv_err.h"
#include "rv_frame.h"

struct walk {
	struct rvq_db *db;
	rvq_stat_fn fn;
	void *arg;
};

/* The sensor's stream accounting: what it numbered and the indexer
 * received, what was lost on the way, its restarts, and what the sensor
 * says it dropped itself, over all its boots. */
static int
seq_stats(struct walk *w, uint16_t id, const char *name, size_t len)
{
	struct rv_sensor_seq q;
	char key[RV_SENSOR_MAX + 40];
	int rc = rv_store_sensor_seq(w->db->st, w->db->txn, id, &q);
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
		w->fn(w->arg, key, RVQ_STAT_NUM, f[i].v, NULL);
	}
	return RV_OK;
}

/* A dnstap sensor's accounting (rv_sensor_dt). \return 0 if it is one
 * and its figures were given, else not 0. */
static int
dt_stats(struct walk *w, uint16_t id, const char *name, size_t len,
    struct rv_sensor_dt *dt)
{
	char key[RV_SENSOR_MAX + 40];

	if (rv_store_sensor_dt(w->db->st, w->db->txn, id, dt) != RV_OK)
		return 1;
	for (int i = 0; i < RV_DT_STAT_COUNT; i++) {
		snprintf(key, sizeof(key), "sensor:%.*s:dnstap_%s", (int)len,
		    name, rv_dt_stat_name((enum rv_dt_stat)i));
		w->fn(w->arg, key, RVQ_STAT_NUM, dt->v[i], NULL);
	}
	return 0;
}

static int
one_sensor(uint16_t id, const char *name, size_t len, void *arg)
{
	struct walk *w = arg;
	struct rv_sensor_stat ss;
	struct rv_sensor_dt dt;
	char key[RV_SENSOR_MAX + 32];
	int rc;

	memset(&ss, 0, sizeof(ss));
	(void)rv_store_sensor_stat(w->db->st, w->db->txn, id, &ss);
	if (len > RV_SENSOR_MAX)
		len = RV_SENSOR_MAX;
	snprintf(key, sizeof(key), "sensor:%.*s", (int)len, name);
	w->fn(w->arg, key, RVQ_STAT_NUM, ss.observations, NULL);
	snprintf(key, sizeof(key), "sensor:%.*s:last", (int)len, name);
	w->fn(w->arg, key, RVQ_STAT_TIME, ss.last, NULL);
	/* A dnstap sensor numbers no frames: no stream figures. */
	if (dt_stats(w, id, name, len, &dt) && (rc = seq_stats(w, id, name,
	    len)) != RV_OK)
		return rc;
	return RV_OK;
}

/* The archive tier (docs/ARCHIVE.md); rows:* above are the live tier's. */
static int
archive_stats(struct rvq_db *db, rvq_stat_fn fn, void *arg)
{
	struct rv_archive_info ai;
	int rc;

	if ((rc = rv_archive_info(db->st, db->txn, &ai)) != RV_OK)
		return rc;
	fn(arg, "segments", RVQ_STAT_NUM, ai.segments, NULL);
	fn(arg, "segments_rows", RVQ_STAT_NUM, ai.rows, NULL);
	fn(arg, "segments_rrsets", RVQ_STAT_NUM, ai.rrsets, NULL);
	fn(arg, "segments_bytes", RVQ_STAT_NUM, ai.bytes, NULL);
	fn(arg, "segments_bytes_per_rrset", RVQ_STAT_NUM, ai.rrsets ?
	    (ai.bytes + ai.rrsets / 2) / ai.rrsets : 0, NULL);
	fn(arg, "segments_first", RVQ_STAT_TIME, ai.first, NULL);
	fn(arg, "segments_last", RVQ_STAT_TIME, ai.last, NULL);
	fn(arg, "segments_pending", RVQ_STAT_NUM, (uint64_t)ai.pending, NULL);
	return RV_OK;
}

/* rearviewd's ClickHouse sinks (DIR/sink-*, rv_ch_sink.h): what waits,
 * since when, what was dropped, the sender's figures. */
static void
sink_stats(const char *dbdir, rvq_stat_fn fn, void *arg)
{
	DIR *d = opendir(dbdir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		struct rv_sink_figures f;
		char path[4200], key[300];
		const char *n = e->d_name;
		uint64_t now = (uint64_t)time(NULL);

		if (strncmp(n, "sink-", 5) != 0 || strlen(n) > 200)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dbdir, n);
		if (rv_sink_figures(path, &f) != RV_OK)
			continue;
#define SINK_FIG(what, kind, num, str) do { \
		snprintf(key, sizeof(key), "sink:%s:%s", n + 5, what); \
		fn(arg, key, kind, num, str); \
	} while (0)
		SINK_FIG("waiting_batches", RVQ_STAT_NUM, f.batches, NULL);
		SINK_FIG("waiting_bytes", RVQ_STAT_NUM, f.bytes, NULL);
		SINK_FIG("lag_s", RVQ_STAT_NUM, f.oldest && now > f.oldest ?
		    now - f.oldest : 0, NULL);
		SINK_FIG("dropped_batches", RVQ_STAT_NUM, f.dropped_batches,
		    NULL);
		SINK_FIG("dropped_bytes", RVQ_STAT_NUM, f.dropped_bytes, NULL);
		SINK_FIG("sent_batches", RVQ_STAT_NUM, f.st.sent_batches, NULL);
		SINK_FIG("sent_rows", RVQ_STAT_NUM, f.st.sent_rows, NULL);
		SINK_FIG("retries", RVQ_STAT_NUM, f.st.retries, NULL);
		SINK_FIG("last_ok", RVQ_STAT_TIME, f.st.last_ok, NULL);
		SINK_FIG("last_error", RVQ_STAT_STR, 0, f.st.last_error);
#undef SINK_FIG
	}
	closedir(d);
}

int
rvq_stats(struct rvq_db *db, rvq_stat_fn fn, void *arg)
{
	struct walk w = { db, fn, arg };
	struct rv_store_stats s;
	struct rv_store_space sp;
	char path[4200];
	struct stat sb;
	uint64_t rows;
	int rc;

	if ((rc = rv_store_stats_read(db->st, db->txn, &s)) != RV_OK)
		return rc;
	fn(arg, "database", RVQ_STAT_STR, 0, db->path);
	snprintf(path, sizeof(path), "%s/data.mdb", db->path);
	fn(arg, "file_bytes", RVQ_STAT_NUM, stat(path, &sb) == 0 ?
	    (uint64_t)sb.st_size : 0, NULL);
	fn(arg, "map_bytes", RVQ_STAT_NUM, rv_store_mapsize(db->st), NULL);
	if ((rc = rv_store_space(db->st, db->txn, &sp)) != RV_OK)
		return rc;
	fn(arg, "used_bytes", RVQ_STAT_NUM, sp.used_bytes, NULL);
	fn(arg, "free_bytes", RVQ_STAT_NUM, sp.free_bytes, NULL);
	fn(arg, "schema", RVQ_STAT_NUM, RV_SCHEMA_VERSION, NULL);
	for (int i = 0; i < RV_STAT_COUNT; i++)
		fn(arg, rv_stat_name((enum rv_stat)i), RVQ_STAT_NUM, s.v[i],
		    NULL);
	for (int d = 0; d < RV_DB_COUNT; d++) {
		char key[32];
		if (rv_store_rows(db->st, db->txn, (enum rv_db)d, &rows) !=
		    RV_OK)
			continue;
		snprintf(key, sizeof(key), "rows:%s", rv_db_name((enum rv_db)d));
		fn(arg, key, RVQ_STAT_NUM, rows, NULL);
	}
	if ((rc = archive_stats(db, fn, arg)) != RV_OK)
		return rc;
	fn(arg, "last_write", RVQ_STAT_TIME, s.last_write, NULL);
	if ((rc = rv_store_sensors(db->st, db->txn, one_sensor, &w)) != RV_OK)
		return rc;
	sink_stats(db->path, fn, arg);
	return RV_OK;
}
