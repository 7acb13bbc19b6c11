/**
 * \file enrich.c
 * mmdb lookups through libmaxminddb, with reload on change.
 */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <maxminddb.h>

#include "enrich.h"
#include "log.h"
#include "rv_err.h"

#define PATH_PARTS 8

/** A field path split into components. */
struct fpath {
	char buf[128];
	const char *part[PATH_PARTS + 1];
};

struct mmdb {
	const char *path;
	int open;
	MMDB_s db;
	struct stat sb;
};

struct rvd_enrich {
	struct mmdb asn, geo;
	struct fpath f_asn, f_org, f_cc, f_city, f_lat, f_lon;
};

static void
fpath_set(struct fpath *f, const char *s, const char *def)
{
	char *p, *save = NULL;
	int n = 0;

	snprintf(f->buf, sizeof(f->buf), "%s", s && *s ? s : def);
	for (p = strtok_r(f->buf, ".", &save); p && n < PATH_PARTS;
	    p = strtok_r(NULL, ".", &save))
		f->part[n++] = p;
	f->part[n] = NULL;
}

static int
mmdb_load(struct mmdb *m)
{
	MMDB_s db;
	struct stat sb;
	int rc;

	if (stat(m->path, &sb) != 0) {
		rvd_log(LOG_ERR, "mmdb %s: %m", m->path);
		return RV_EIO;
	}
	if ((rc = MMDB_open(m->path, MMDB_MODE_MMAP, &db)) != MMDB_SUCCESS) {
		rvd_log(LOG_ERR, "mmdb %s: %s", m->path, MMDB_strerror(rc));
		return RV_EIO;
	}
	if (m->open)
		MMDB_close(&m->db);
	m->db = db;
	m->sb = sb;
	m->open = 1;
	rvd_log(LOG_INFO, "mmdb %s loaded (%s, built %llu)", m->path,
	    db.metadata.database_type,
	    (unsigned long long)db.metadata.build_epoch);
	return RV_OK;
}

int
rvd_enrich_open(const struct rvd_enrich_cfg *cfg, struct rvd_enrich **out)
{
	struct rvd_enrich *en = calloc(1, sizeof(*en));
	int rc = RV_OK;

	*out = NULL;
	if (!en)
		return RV_ENOMEM;
	fpath_set(&en->f_asn, cfg->f_asn, "autonomous_system_number");
	fpath_set(&en->f_org, cfg->f_org, "autonomous_system_organization");
	fpath_set(&en->f_cc, cfg->f_cc, "country.iso_code");
	fpath_set(&en->f_city, cfg->f_city, "city.names.en");
	fpath_set(&en->f_lat, cfg->f_lat, "location.latitude");
	fpath_set(&en->f_lon, cfg->f_lon, "location.longitude");
	en->asn.path = cfg->asn_db;
	en->geo.path = cfg->geo_db;
	if ((en->asn.path && (rc = mmdb_load(&en->asn)) != RV_OK) ||
	    (en->geo.path && (rc = mmdb_load(&en->geo)) != RV_OK)) {
		rvd_enrich_close(en);
		return rc;
	}
	*out = en;
	return RV_OK;
}

void
rvd_enrich_close(struct rvd_enrich *en)
{
	if (!en)
		return;
	if (en->asn.open)
		MMDB_close(&en->asn.db);
	if (en->geo.open)
		MMDB_close(&en->geo.db);
	free(en);
}

int
rvd_enrich_active(const struct rvd_enrich *en)
{
	return en && (en->asn.open || en->geo.open);
}

static int
changed(const struct mmdb *m)
{
	struct stat sb;

	if (!m->path || stat(m->path, &sb) != 0)
		return 0;
	return sb.st_mtim.tv_sec != m->sb.st_mtim.tv_sec ||
	    sb.st_mtim.tv_nsec != m->sb.st_mtim.tv_nsec ||
	    sb.st_size != m->sb.st_size || sb.st_ino != m->sb.st_ino;
}

int
rvd_enrich_reload(struct rvd_enrich *en, int force)
{
	int any = 0;

	if (!en)
		return 0;
	if (en->asn.path && (force || changed(&en->asn)))
		any |= mmdb_load(&en->asn) == RV_OK;
	if (en->geo.path && (force || changed(&en->geo)))
		any |= mmdb_load(&en->geo) == RV_OK;
	return any;
}

/* Get the value at a path; 0 if found. */
static int
getv(MMDB_entry_s *ent, const struct fpath *f, MMDB_entry_data_s *d)
{
	if (MMDB_aget_value(ent, d, f->part) != MMDB_SUCCESS || !d->has_data)
		return -1;
	return 0;
}

static void
get_str(MMDB_entry_s *ent, const struct fpath *f, char *out, size_t outsz)
{
	MMDB_entry_data_s d;
	size_t n;

	if (getv(ent, f, &d) != 0 || d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return;
	n = d.data_size < outsz - 1 ? d.data_size : outsz - 1;
	memcpy(out, d.utf8_string, n);
	out[n] = 0;
}

static int
get_num(MMDB_entry_s *ent, const struct fpath *f, double *v)
{
	MMDB_entry_data_s d;
	char tmp[64], *end;
	size_t n;

	if (getv(ent, f, &d) != 0)
		return -1;
	switch (d.type) {
	case MMDB_DATA_TYPE_UINT16: *v = d.uint16; return 0;
	case MMDB_DATA_TYPE_UINT32: *v = d.uint32; return 0;
	case MMDB_DATA_TYPE_INT32: *v = d.int32; return 0;
	case MMDB_DATA_TYPE_UINT64: *v = (double)d.uint64; return 0;
	case MMDB_DATA_TYPE_DOUBLE: *v = d.double_value; return 0;
	case MMDB_DATA_TYPE_FLOAT: *v = d.float_value; return 0;
	case MMDB_DATA_TYPE_UTF8_STRING:
		/* IPinfo: "AS15169", and strings for coordinates. */
		n = d.data_size < sizeof(tmp) - 1 ? d.data_size : sizeof(tmp) - 1;
		memcpy(tmp, d.utf8_string, n);
		tmp[n] = 0;
		*v = strtod(tmp + ((tmp[0] == 'A' || tmp[0] == 'a') &&
		    (tmp[1] == 'S' || tmp[1] == 's') ? 2 : 0), &end);
		return end == tmp ? -1 : 0;
	default:
		return -1;
	}
}

static int
lookup(struct mmdb *m, const struct rv_ip *ip, MMDB_entry_s *ent)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	MMDB_lookup_result_s r;
	int err;

	if (!m->open)
		return -1;
	if (ip->family == 4) {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		memcpy(&s4.sin_addr, ip->addr, 4);
		r = MMDB_lookup_sockaddr(&m->db, (struct sockaddr *)&s4, &err);
	} else {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		memcpy(&s6.sin6_addr, ip->addr, 16);
		r = MMDB_lookup_sockaddr(&m->db, (struct sockaddr *)&s6, &err);
	}
	if (err != MMDB_SUCCESS || !r.found_entry)
		return -1;
	*ent = r.entry;
	return 0;
}

void
rvd_enrich_lookup(struct rvd_enrich *en, const struct rv_ip *ip,
    struct rv_ipinfo *out)
{
	MMDB_entry_s ent;
	double v;

	memset(out, 0, sizeof(*out));
	out->lat = out->lon = RV_LATLON_NONE;
	if (!en)
		return;
	if (lookup(&en->asn, ip, &ent) == 0) {
		if (get_num(&ent, &en->f_asn, &v) == 0 && v >= 0 &&
		    v <= UINT32_MAX)
			out->asn = (uint32_t)v;
		get_str(&ent, &en->f_org, out->org, sizeof(out->org));
	}
	if (lookup(&en->geo, ip, &ent) == 0) {
		get_str(&ent, &en->f_cc, out->cc, sizeof(out->cc));
		get_str(&ent, &en->f_city, out->city, sizeof(out->city));
		if (get_num(&ent, &en->f_lat, &v) == 0 && fabs(v) <= 90)
			out->lat = (int32_t)lround(v * 1e4);
		if (get_num(&ent, &en->f_lon, &v) == 0 && fabs(v) <= 180)
			out->lon = (int32_t)lround(v * 1e4);
		/* An ASN database that also carries geo (IPinfo) fills cc. */
	}
	if (!out->cc[0] && lookup(&en->asn, ip, &ent) == 0)
		get_str(&ent, &en->f_cc, out->cc, sizeof(out->cc));
}
