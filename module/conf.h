/**
 * \file conf.h
 * The module's own configuration file (Unbound only lets a dynlib module
 * have `dynlib-file:`). See man/rearview-module.5 and
 * unbound-conf/module.conf for the settings.
 *
 * Syntax: one `name: value` per line, `#` starts a comment, values may be
 * double-quoted. Repeatable settings: endpoint, exclude-zone, include-type,
 * exclude-type. A missing file means defaults; any error names the file,
 * the line and the offending text, and the caller then runs with capture
 * disabled.
 *
 * This file knows nothing of Unbound, so it is unit tested on its own.
 */
#ifndef RVM_CONF_H
#define RVM_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "rv_frame.h"
#include "rv_name.h"

#define RVM_CONF_DEFAULT "/etc/rearview/module.conf"
#define RVM_CONF_ENV "REARVIEW_MODULE_CONF"
#define RVM_ENDPOINT_DEFAULT "ipc:///run/rearview/ingest.sock"
#define RVM_ENDPOINTS_MAX 16
#define RVM_ZONES_MAX 256

/** One excluded zone, wire form. */
struct rvm_zone {
	uint8_t name[RV_NAME_MAX];
	size_t len;
};

/**
 * What to capture: the filter capture.c applies. Plain data, no pointers
 * the filter does not own.
 */
struct rvm_filter {
	uint8_t types[65536 / 8];	/**< bit set: capture this rrtype */
	struct rvm_zone *zones;		/**< excluded zones (owned) */
	size_t nzones;
};

/** The settings. rvm_conf_free() releases what it owns. */
struct rvm_conf {
	int enable;			/**< capture at all */
	int from_file;			/**< rvm_conf_load found the file */
	char *endpoints[RVM_ENDPOINTS_MAX];	/**< nng URLs (owned) */
	size_t nendpoints;
	char sensor[RV_SENSOR_MAX + 1];	/**< printable, no spaces */
	size_t queue_size;		/**< bytes per worker thread */
	uint32_t batch_size;		/**< records per frame */
	size_t frame_size;		/**< max octets per frame */
	uint32_t batch_delay_ms;	/**< oldest record waits at most this */
	uint32_t send_timeout_ms;	/**< retry an unsent frame this long */
	uint32_t stats_interval_s;	/**< counters to Unbound's log; 0 off */
	char *stats_file;		/**< counters file, or NULL (owned) */
	char *tls_ca_file;		/**< for tls+tcp:// (owned) */
	char *tls_cert_key_file;
	char *tls_server_name;
	struct rvm_filter filter;
};

/**
 * Defaults: enabled, the default endpoint, the host name as sensor, 4 MiB
 * queues, 512-record / 1 MiB frames, 200 ms batch delay, 1 s send
 * timeout, stats to the log every 300 s, every type, no excluded zone.
 * \return 0 or RV_ENOMEM.
 */
int rvm_conf_defaults(struct rvm_conf *c);

/**
 * The file to read: $REARVIEW_MODULE_CONF if set and not empty, else
 * RVM_CONF_DEFAULT. Never NULL.
 */
const char *rvm_conf_path(void);

/** Did $REARVIEW_MODULE_CONF choose the file (then it must exist)? */
int rvm_conf_path_chosen(void);

/**
 * Load \p path over the defaults. A file that does not exist gives the
 * defaults and returns 0.
 * \param err	receives "file:line: problem" on error
 * \return 0, RV_EINVAL (syntax or value; err says where), RV_EIO (the file
 *	exists but cannot be read), RV_ENOMEM. On error \p c holds the
 *	defaults with enable = 0, and still needs rvm_conf_free().
 */
int rvm_conf_load(struct rvm_conf *c, const char *path, char *err,
    size_t errsz);

/** Free what \p c owns; safe on a zeroed or already freed conf. */
void rvm_conf_free(struct rvm_conf *c);

/** Does the filter capture this type? */
static inline int
rvm_filter_type(const struct rvm_filter *f, uint16_t type)
{
	return f->types[type >> 3] & (1u << (type & 7));
}

/** Is \p name (wire) equal to or under an excluded zone? */
int rvm_filter_excluded(const struct rvm_filter *f, const uint8_t *name,
    size_t len);

#endif
