/**
 * \file enrich.h
 * IP enrichment from mmdb files (libmaxminddb): an ASN database and a City
 * or Country database, with configurable field paths so that MaxMind
 * GeoLite2/GeoIP2, DB-IP and IPinfo files all work.
 *
 * Used from one thread (the flusher). Without files every lookup gives an
 * empty rv_ipinfo.
 */
#ifndef RVD_ENRICH_H
#define RVD_ENRICH_H

#include "rv_ip.h"
#include "rv_store.h"

/** Field paths, dot-separated ("location.latitude"); NULL for defaults. */
struct rvd_enrich_cfg {
	const char *asn_db;	/**< path or NULL */
	const char *geo_db;	/**< path or NULL */
	const char *f_asn;	/**< "autonomous_system_number" (a number or "AS123") */
	const char *f_org;	/**< "autonomous_system_organization" */
	const char *f_cc;	/**< "country.iso_code" */
	const char *f_city;	/**< "city.names.en" */
	const char *f_lat;	/**< "location.latitude" */
	const char *f_lon;	/**< "location.longitude" */
};

struct rvd_enrich;

/**
 * Open the configured files. A file that cannot be opened is an error
 * (RV_EIO, with a message logged), so a typo does not silently disable
 * enrichment. \p out is freed with rvd_enrich_close().
 */
int rvd_enrich_open(const struct rvd_enrich_cfg *cfg, struct rvd_enrich **out);

/** Close; safe on NULL. */
void rvd_enrich_close(struct rvd_enrich *en);

/** Look an address up; fields not found are left empty. since/until are 0. */
void rvd_enrich_lookup(struct rvd_enrich *en, const struct rv_ip *ip,
    struct rv_ipinfo *out);

/**
 * Reopen the files if \p force or if a file's mtime, size or inode
 * changed. On failure the old data stays in use.
 * \return 1 if the data changed, 0 if not.
 */
int rvd_enrich_reload(struct rvd_enrich *en, int force);

/** Are any files configured? */
int rvd_enrich_active(const struct rvd_enrich *en);

#endif
