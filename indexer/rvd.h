/**
 * \file rvd.h
 * rearviewd's configuration and the state its threads share.
 *
 * Threads: the receiver (ingest.c) validates frames and merges records
 * into the current aggregation table; the flusher (main.c) swaps the table
 * out at each flush interval and writes it (flush.c); the main thread
 * waits for signals. The table swap and the sensor requests are the only
 * shared steps, under mu. The flusher is the only thread that uses the
 * store: LMDB allows one writer, and growing the map needs every other
 * transaction of the process closed.
 */
#ifndef RVD_H
#define RVD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "enrich.h"
#include "rv_store.h"
#include "sensors.h"

#define RVD_LISTEN_MAX 16
/** A window's table flushes early past this much memory, and the receiver
 * waits at twice it (huge rdata sets must not exhaust memory). */
#define RVD_TABLE_MEM ((size_t)192 << 20)
#define RVD_DEFAULT_DB "/var/lib/rearview"
#define RVD_DEFAULT_LISTEN "ipc:///run/rearview/ingest.sock"

/** Everything configurable; options.c fills it from the config file and
 * the command line. Strings are malloc'ed and freed by rvd_config_free. */
struct rvd_config {
	char *db;
	char *listen[RVD_LISTEN_MAX];
	size_t nlisten;
	unsigned ipc_mode;		/**< 0660 */
	char *ipc_group;	/**< group of ipc sockets (the senders'), or
				 * NULL: rearviewd's own */
	char *tls_cert, *tls_key, *tls_ca;
	int insecure_tcp;
	size_t max_frame;		/**< octets */
	unsigned flush_ms;		/**< flush interval */
	size_t flush_max;		/**< entries that force a flush */
	unsigned sync_s;		/**< rv_store_sync interval, 0:
					 * each flush */
	size_t mapsize_mb;
	struct rvd_enrich_cfg mmdb;	/**< strings owned by the config */
	unsigned mmdb_check_s;		/**< mtime check interval */
	uint32_t archive_after_s;	/**< live window; 0: never archive */
	uint32_t archive_every_s;	/**< archive run interval */
	uint32_t retain_s;		/**< archive retention; 0: all */
	unsigned archive_budget;	/**< rows of archive work per flush */
	double compact_above;		/**< file / pages in use that starts
					 * a compaction; 0: never */
	uint32_t compact_every_s;	/**< how often that is measured */
	int use_syslog, verbose;
	int sync_commits;		/**< --sync: every commit synced */
	char *import;			/**< --import FILE ("-": stdin) */
	char *sensor;			/**< import: default sensor name */
	char *psl;			/**< --psl FILE, or NULL */
	int progress;			/**< import: -1 auto, 0 no, 1 yes */
	int reimport;			/**< import content taken before */
	char *dnstap[RVD_LISTEN_MAX];	/**< --dnstap: unix:PATH, tcp://A:P */
	size_t ndnstap;
	char *dnstap_sensor;		/**< --dnstap-sensor, or NULL: the
					 * message's identity, else "dnstap" */
	unsigned dnstap_mode;		/**< unix sockets' mode; 0: ipc_mode */
	char *dnstap_group;		/**< their group; NULL: ipc_group */
	char *sink[RVD_LISTEN_MAX];	/**< --sink clickhouse+http://... */
	size_t nsink;
	uint64_t sink_journal_mb;	/**< each sink's journal bound */
};

/**
 * A sensor name the receiver has not cached: the flusher, the store's only
 * writer in rearviewd, looks it up or allocates its id and reads its
 * stream state (sensors_register), so the receiver never touches the
 * store. Under mu; the receiver sets pending and waits on cv.
 */
struct rvd_sensor_req {
	int pending;			/**< asked, not yet answered */
	char name[RV_SENSOR_MAX];
	size_t len;
	int rc;				/**< the answer: */
	uint16_t id;
	struct rv_sensor_seq seq;
};

/** Shared daemon state. */
struct rvd {
	struct rvd_config cfg;
	struct rv_store *st;
	struct rvd_enrich *en;
	struct rvd_sensors sens;		/**< receiver thread only */
	struct rvd_sensor_req sreq;	/**< under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;		/**< table swapped, sensor request or
					 * answer, stop */
	struct rvd_agg *cur;		/**< being filled (under mu) */
	struct rvd_agg tabs[2];
	atomic_int stop;		/**< receiver: stop */
	atomic_int fstop;		/**< flusher: last flush, then stop
					 * (set after the receiver is joined, so
					 * its last frame is flushed too) */
	atomic_int reload;		/**< SIGHUP seen */
	atomic_int archive_now;		/**< SIGUSR1 seen */
	atomic_int compact_now;		/**< SIGUSR2 seen */
	uint64_t frames_seen;		/**< frames received (receiver) */
};

/** Is the window full enough to flush now? (under mu) */
static inline int
rvd_table_full(const struct rvd *d, unsigned factor)
{
	return d->cur->n >= factor * d->cfg.flush_max ||
	    rvd_agg_mem(d->cur) >= factor * RVD_TABLE_MEM;
}

/** Parse the command line (and the config file it names).
 * \return 0 to run, 1 if --help/--version was handled (exit 0), 2 on a
 * usage or config error (already reported on stderr). */
/**
 * Tell the service manager how rearviewd is ("READY=1", "STOPPING=1"):
 * systemd's notification protocol, one datagram to $NOTIFY_SOCKET (a
 * path, or @name for the abstract namespace). Nothing when it is unset.
 * \return 0, or -1 with errno (the daemon logs it and goes on).
 */
int rvd_notify(const char *state);

int rvd_config_parse(struct rvd_config *cfg, int argc, char **argv);

void rvd_config_free(struct rvd_config *cfg);

/** Run the JSON import of cfg->import into st. \return exit status. */
int rvd_import(struct rvd_config *cfg, struct rv_store *st);

struct rvd_ingest;

/** Open the PULL socket, start the listeners and the receiver thread. */
int rvd_ingest_start(struct rvd *d, struct rvd_ingest **out);

/** Stop receiving and join the receiver thread; safe on NULL. */
void rvd_ingest_stop(struct rvd_ingest *in);

#endif
