/**
 * \file main.c
 * rearviewd: start-up, the flusher thread and signal handling.
 *
 * SIGTERM/SIGINT: stop receiving, flush what is aggregated, exit 0.
 * SIGHUP: reload the mmdb files (and close enrichment periods that changed).
 * SIGUSR1: run the archive now (archive_step; docs/ARCHIVE.md).
 * SIGUSR2: compact data.mdb now (compact.c).
 * A database written before the names index held target names gets them
 * once, in slices between flushes (backfill_step).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpsl.h>

#include "compact.h"
#include "dnstap_in.h"
#include "import_dnstap.h"
#include "flush.h"
#include "sink.h"
#include "log.h"
#include "rv_err.h"
#include "rvd.h"

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The one line for a damaged database (exit status 3). */
static void
rvd_damaged(const char *db, const char *why)
{
	rvd_log(LOG_CRIT, "database '%s' is damaged (%s): restore it from a "
	    "backup (rearview check tells what is wrong)", db,
	    why ? why : "a row that does not decode");
}

/* Write one table, retrying while the disk is full (never dropping it
 * unless we are stopping and it keeps failing). */
static void
write_table(struct rvd *d, struct rvd_agg *a)
{
	struct rvd_flush_result res;
	int64_t t0 = mono_ms();
	unsigned tries = 0;
	int rc;

	if (a->n == 0 && a->frames == 0 && a->frames_rejected == 0 &&
	    a->dt_counts == 0)
		return;
	for (;;) {
		rc = rvd_flush_write(d->st, a, d->en, (uint32_t)time(NULL),
		    &res);
		if (rc == RV_OK)
			break;
		if (rc == RV_ECORRUPT) {	/* retrying cannot help */
			rvd_damaged(d->cfg.db, rv_store_why(d->st));
			_exit(3);
		}
		tries++;
		rvd_log(LOG_ERR, "flush failed (%s)%s; %zu RRsets kept in memory,"
		    " retrying", rv_strerror(rc), rc == RV_ENOSPC ?
		    ": the disk is full" : "", a->n);
		if (atomic_load(&d->fstop) && tries >= 3) {
			rvd_log(LOG_ERR, "giving up: %zu RRsets lost", a->n);
			return;
		}
		if (rc != RV_ENOSPC && tries >= 10) {
			/* Not the disk: the store may be in a fatal state
			 * (LMDB's panic) that only reopening clears. Committed
			 * data is safe; let the supervisor restart us. */
			rvd_log(LOG_CRIT, "flushes keep failing (%s): exiting "
			    "for a restart, %zu RRsets lost", rv_strerror(rc),
			    a->n);
			_exit(1);
		}
		sleep(tries < 5 ? 1 : 5);
	}
	rvd_log(LOG_DEBUG, "flush %llu committed: %zu entries, %llu new "
	    "rrsets, %zu index rows, frames through #%llu, %lld ms",
	    (unsigned long long)res.seq, res.entries,
	    (unsigned long long)res.new_rrsets, res.rows,
	    (unsigned long long)a->seq_frames, (long long)(mono_ms() - t0));
}

static void
check_mmdb(struct rvd *d, int force)
{
	size_t changed = 0;
	int rc;

	if (!rvd_enrich_reload(d->en, force))
		return;
	rc = rvd_flush_reenrich(d->st, d->en, (uint32_t)time(NULL), &changed);
	if (rc != RV_OK)
		rvd_log(LOG_ERR, "re-enrichment: %s", rv_strerror(rc));
	else
		rvd_log(LOG_INFO, "mmdb changed: %zu addresses got a new "
		    "enrichment period", changed);
}

/* The one-time backfill of target names into the names database of a
 * database written before names held them (SCHEMA.md), a slice between
 * flushes so that receiving goes on. */
struct backfill {
	int pending;		/* slices remain */
	int64_t next;		/* after a failure: not before this time */
	int64_t t0;
	size_t rows, names;
};

#define BACKFILL_SLICE 50000	/* 'N' rows per slice (one transaction) */

static void
backfill_step(struct rvd *d, struct backfill *b)
{
	struct rv_names_backfill res;
	int rc;

	if (!b->pending || mono_ms() < b->next || atomic_load(&d->fstop))
		return;
	rc = rv_store_names_backfill(d->st, BACKFILL_SLICE,
	    (uint32_t)time(NULL), &res);
	if (rc != RV_OK) {
		rvd_log(LOG_ERR, "target names backfill: %s; retrying in 5 s",
		    rv_strerror(rc));
		b->next = mono_ms() + 5000;
		return;
	}
	if (b->t0 == 0 && !res.done)
		rvd_log(LOG_INFO, "this database predates target names in the "
		    "names index: adding them (once)");
	if (b->t0 == 0)
		b->t0 = mono_ms();
	b->rows += res.rows;
	b->names += res.names;
	if (res.done) {
		b->pending = 0;
		if (b->rows > 0)
			rvd_log(LOG_INFO, "target names added to the names "
			    "index: %zu reverse rows read, %zu names rows "
			    "written, %lld ms", b->rows, b->names,
			    (long long)(mono_ms() - b->t0));
	}
}

/* The archive tier (docs/ARCHIVE.md): every --archive-every, a job moves
 * what was last seen before the live window into a segment, drops
 * segments past --retain and merges segments; the flusher runs it a step
 * at a time after its flushes, for at most a quarter of the flush
 * interval each time, so receiving is never held up for long. */
struct archiving {
	struct rv_archive_job *job;
	int64_t next;		/* when the next run starts */
	int64_t t0;
};

static void
archive_init(struct rvd *d, struct archiving *a)
{
	struct rv_archive_info ai;
	struct rv_txn *txn = NULL;

	a->job = NULL;
	a->next = mono_ms() + (int64_t)d->cfg.archive_every_s * 1000;
	/* A run killed with rearviewd: finish it now. */
	if (rv_store_read_begin(d->st, &txn) == RV_OK) {
		if (rv_archive_info(d->st, txn, &ai) == RV_OK && ai.pending)
			a->next = mono_ms();
		rv_txn_abort(txn);
	}
}

static void
archive_step(struct rvd *d, struct archiving *a)
{
	const struct rv_archive_result *r;
	int64_t until = mono_ms() + d->cfg.flush_ms / 4;
	int rc = RV_OK, done = 0;

	if (a->job == NULL) {
		int64_t now = (int64_t)time(NULL);
		uint32_t after = d->cfg.archive_after_s;
		uint32_t keep = d->cfg.retain_s;

		if (!atomic_exchange(&d->archive_now, 0) && mono_ms() < a->next)
			return;
		a->next = mono_ms() + (int64_t)d->cfg.archive_every_s * 1000;
		if (after == 0) {
			rvd_log(LOG_INFO, "archive: off (--archive-after 0)");
			return;
		}
		rc = rv_archive_job_new(d->st, (uint32_t)(now > after ? now -
		    after : 0), keep && now > keep ? (uint32_t)(now - keep) :
		    0, 1, &a->job);
		if (rc != RV_OK) {
			rvd_log(LOG_ERR, "archive: %s", rv_strerror(rc));
			return;
		}
		a->t0 = mono_ms();
	}
	do
		rc = rv_archive_job_step(a->job, d->cfg.archive_budget, &done);
	while (rc == RV_OK && !done && mono_ms() < until &&
	    !atomic_load(&d->fstop));
	if (rc == RV_OK && !done)
		return;
	r = rv_archive_job_result(a->job);
	if (rc != RV_OK)
		rvd_log(LOG_ERR, "archive: %s%s%s; the next run goes on from "
		    "there", rv_strerror(rc), rv_store_why(d->st) ? ": " : "",
		    rv_store_why(d->st) ? rv_store_why(d->st) : "");
	else
		rvd_log(LOG_INFO, "archive: %s%s%s%" PRIu64 " rows into a "
		    "segment (%" PRIu64 " octets), %" PRIu64 " live rows "
		    "removed, %" PRIu64 " kept; %" PRIu64 " segments merged "
		    "into %" PRIu64 ", %" PRIu64 " dropped; %lld ms",
		    r->resumed ? "finished a killed run; " : "",
		    r->segment[0] ? r->segment : "no segment", r->segment[0] ?
		    ": " : ", ", r->rows, r->bytes, r->deleted, r->kept,
		    r->merged, r->merges, r->dropped,
		    (long long)(mono_ms() - a->t0));
	rv_archive_job_free(a->job);
	a->job = NULL;
}

/* Answer the receiver's request for a sensor it has not cached (under mu,
 * which is released while the store is written). */
static void
serve_sensor(struct rvd *d)
{
	struct rvd_sensor_req *r = &d->sreq;
	char name[RV_SENSOR_MAX];
	size_t len = r->len;
	struct rv_sensor_seq seq;
	uint16_t id = 0;
	int rc;

	memcpy(name, r->name, len);
	pthread_mutex_unlock(&d->mu);
	rc = rvd_sensors_register(d->st, name, len, &id, &seq);
	pthread_mutex_lock(&d->mu);
	r->rc = rc;
	r->id = id;
	r->seq = seq;
	r->pending = 0;
	pthread_cond_broadcast(&d->cv);
}

static void *
flusher_main(void *arg)
{
	struct rvd *d = arg;
	int64_t next_sync = mono_ms() + d->cfg.sync_s * 1000;
	int64_t next_check = mono_ms() + d->cfg.mmdb_check_s * 1000;
	struct backfill bf = { .pending = 1 };
	struct archiving ar;
	struct rvd_compacting cp;
	int last = 0;

	archive_init(d, &ar);
	rvd_compact_init(d, &cp, mono_ms());
	while (!last) {
		struct rvd_agg *full;
		int64_t deadline = mono_ms() + d->cfg.flush_ms;
		struct timespec ts;

		backfill_step(d, &bf);
		pthread_mutex_lock(&d->mu);
		while (!atomic_load(&d->fstop) && !rvd_table_full(d, 1) &&
		    mono_ms() < deadline && !(bf.pending &&
		    mono_ms() >= bf.next)) {
			int64_t ms = deadline - mono_ms();
			if (d->sreq.pending) {
				serve_sensor(d);
				continue;
			}
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += ms / 1000;
			ts.tv_nsec += (ms % 1000) * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&d->cv, &d->mu, &ts);
		}
		if (d->sreq.pending)
			serve_sensor(d);
		last = atomic_load(&d->fstop);
		full = d->cur;
		d->cur = full == &d->tabs[0] ? &d->tabs[1] : &d->tabs[0];
		pthread_cond_broadcast(&d->cv);
		pthread_mutex_unlock(&d->mu);

		write_table(d, full);
		rvd_agg_reset(full);
		if (atomic_exchange(&d->reload, 0)) {
			check_mmdb(d, 1);
		} else if (d->cfg.mmdb_check_s && mono_ms() >= next_check) {
			check_mmdb(d, 0);
			next_check = mono_ms() + d->cfg.mmdb_check_s * 1000;
		}
		if (!last)
			archive_step(d, &ar);
		if (!last && rvd_compact_step(d, &cp, mono_ms()) != RV_OK) {
			rvd_damaged(d->cfg.db, rv_store_why(d->st));
			_exit(3);
		}
		if (!d->cfg.sync_commits && mono_ms() >= next_sync) {
			rv_store_sync(d->st);
			next_sync = mono_ms() + d->cfg.sync_s * 1000;
		}
	}
	rv_archive_job_free(ar.job);	/* the next start goes on */
	return NULL;
}

/* Wait for signals in the main thread (all threads block them). */
static void
signal_loop(struct rvd *d, const sigset_t *set)
{
	for (;;) {
		int sig;
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			rvd_log(LOG_INFO, "SIGHUP: reloading mmdb files");
			atomic_store(&d->reload, 1);
			continue;
		}
		if (sig == SIGUSR1) {
			rvd_log(LOG_INFO, "SIGUSR1: archiving now");
			atomic_store(&d->archive_now, 1);
			continue;
		}
		if (sig == SIGUSR2) {
			rvd_log(LOG_INFO, "SIGUSR2: compacting data.mdb");
			atomic_store(&d->compact_now, 1);
			continue;
		}
		rvd_log(LOG_INFO, "%s: flushing and exiting", strsignal(sig));
		return;
	}
}

static int
run_daemon(struct rvd *d)
{
	struct rvd_ingest *in = NULL;
	struct rvd_dnstap_in *dt = NULL;
	pthread_t flusher;
	int have_flusher = 0, rc, status = 1;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((rc = rvd_enrich_open(&d->cfg.mmdb, &d->en)) != RV_OK)
		goto leave;
	if (rvd_agg_init(&d->tabs[0]) != RV_OK || rvd_agg_init(&d->tabs[1]) != RV_OK)
		goto leave;
	d->cur = &d->tabs[0];
	rvd_sensors_init(&d->sens);
	if (pthread_create(&flusher, NULL, flusher_main, d) != 0)
		goto leave;
	have_flusher = 1;
	if ((rc = rvd_ingest_start(d, &in)) != RV_OK)
		goto leave;
	/* dnstap beside nng, into the same table (dnstap_records.h). */
	if ((rc = rvd_dnstap_start(d, NULL, NULL, &dt)) != RV_OK)
		goto leave;
	rvd_log(LOG_INFO, "ready: database %s, flush every %u ms",
	    d->cfg.db, d->cfg.flush_ms);
	if (rvd_notify("READY=1") != 0)
		rvd_log(LOG_WARNING, "telling the service manager: %s",
		    strerror(errno));
	signal_loop(d, &set);
	(void)rvd_notify("STOPPING=1");
	status = 0;
leave:
	atomic_store(&d->stop, 1);
	rvd_dnstap_stop(dt);
	rvd_ingest_stop(in);
	atomic_store(&d->fstop, 1);
	if (have_flusher) {
		pthread_mutex_lock(&d->mu);
		pthread_cond_broadcast(&d->cv);
		pthread_mutex_unlock(&d->mu);
		pthread_join(flusher, NULL);
	}
	rvd_sensors_free(&d->sens);
	rvd_agg_destroy(&d->tabs[0]);
	rvd_agg_destroy(&d->tabs[1]);
	rvd_enrich_close(d->en);
	return status;
}

/* --import FILE: a dnstap capture (Frame Streams), or NDJSON. */
static int
import(struct rvd_config *cfg, struct rv_store *st)
{
	FILE *f;
	int status;

	if (strcmp(cfg->import, "-") == 0 ||
	    (f = fopen(cfg->import, "r")) == NULL)
		return rvd_import(cfg, st);	/* it says why */
	if (!rvd_import_is_dnstap(f)) {
		fclose(f);
		return rvd_import(cfg, st);
	}
	status = rvd_import_dnstap(cfg, st, f);
	fclose(f);
	return status;
}

int
main(int argc, char **argv)
{
	static struct rvd d;
	struct rvd_sinks *sinks = NULL;
	static struct rvd_flush_tap tap;
	char why[512];
	unsigned flags = RV_STORE_CREATE;
	psl_ctx_t *psl = NULL;
	int rc, status;

	switch (rvd_config_parse(&d.cfg, argc, argv)) {
	case 0:
		break;
	case 1:
		rvd_config_free(&d.cfg);
		return 0;
	default:
		rvd_config_free(&d.cfg);
		return 2;
	}
	rvd_log_open("rearviewd", d.cfg.use_syslog, d.cfg.verbose);
	/* Flushes allocate and free the same large sort buffers over and
	 * over: keep them in the heap instead of fresh mmaps, which cost a
	 * page fault per 4 KiB every time. */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
	pthread_mutex_init(&d.mu, NULL);
	pthread_cond_init(&d.cv, NULL);
	if (d.cfg.sync_commits)
		flags |= RV_STORE_SYNC;
	if (d.cfg.psl != NULL) {
		if ((psl = psl_load_file(d.cfg.psl)) == NULL) {
			rvd_log(LOG_ERR, "--psl: cannot load the public suffix "
			    "list %s", d.cfg.psl);
			status = 2;
			goto leave;
		}
		rvd_flush_set_psl(psl);
	}
	/* One writer per database: a second rearviewd (--import too) is
	 * refused. */
	rc = rv_store_open(d.cfg.db, flags | RV_STORE_EXCL,
	    d.cfg.mapsize_mb << 20, &d.st);
	if (rc == RV_ECORRUPT) {
		rvd_damaged(d.cfg.db, rv_store_why(NULL));
		status = 3;
	} else if (rc == RV_EBUSY) {
		rvd_log(LOG_ERR, "database '%s' is in use: %s; one rearviewd "
		    "(or --import) per database", d.cfg.db, rv_store_why(NULL));
		status = 1;
	} else if (rc != RV_OK) {
		rvd_log(LOG_ERR, "cannot open the database %s: %s%s%s",
		    d.cfg.db, rv_strerror(rc), rc == RV_EIO ? ": " : "",
		    rc == RV_EIO ? strerror(errno) : "");
		status = 1;
	} else if (rvd_sinks_open(&sinks, d.cfg.db, d.cfg.sink, d.cfg.nsink,
	    d.cfg.sink_journal_mb << 20, psl, why, sizeof(why)) != RV_OK) {
		rvd_log(LOG_ERR, "%s", why);
		status = 2;
	} else {
		rvd_sinks_tap(sinks, &tap);
		rvd_flush_set_tap(d.cfg.nsink ? &tap : NULL);
		status = d.cfg.import ? import(&d.cfg, d.st) : run_daemon(&d);
	}
	if (status != 0 && d.st != NULL && rv_store_why(d.st) != NULL) {
		rvd_damaged(d.cfg.db, rv_store_why(d.st));
		status = 3;
	}
	rvd_flush_set_tap(NULL);
	rvd_sinks_close(sinks);
	rv_store_close(d.st);
leave:
	if (psl != NULL)
		psl_free(psl);
	rvd_log(LOG_INFO, "exit %d", status);
	rvd_log_close();
	rvd_config_free(&d.cfg);
	return status;
}
