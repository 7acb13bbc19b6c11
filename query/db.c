/**
 * \file db.c
 * Read-only store access for the queries: open, sensors and the reverse-row
 * -> RRset join (enrichment is in geo.c).
 */
#include "rvq_db.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rvq.h"
#include "rvq_remote.h"
#include "rv_ch.h"
#include "rv_err.h"
#include "rv_frame.h"
#include "rv_rdata.h"

/* The one line for a damaged database: what is wrong, what to do. */
static void
damaged(struct rvq_err *err, const char *path, const char *why)
{
	rvq_errf(err, "database '%s' is damaged (%s): restore it from a "
	    "backup (rearview check tells what is wrong)", path,
	    why != NULL ? why : "a row that does not decode");
}

void
rvq_db_errf(struct rvq_err *err, struct rvq_db *db, int rc)
{
	if (db->rm != NULL)
		rvq_errf(err, "%s", rvq_remote_why(db->rm)[0] ?
		    rvq_remote_why(db->rm) : rv_strerror(rc));
	else if (rc == RV_ECORRUPT)
		damaged(err, db->path, db->st != NULL ? rv_store_why(db->st) :
		    NULL);
	else
		rvq_errf(err, "reading '%s': %s", db->path, rv_strerror(rc));
}

int
rvq_db_open_lookups(const char *path, struct rvq_db *db, struct rvq_err *err)
{
	char why[512];
	int rc;

	if (!rv_ch_is_url(path))
		return rvq_db_open(path, db, err);
	memset(db, 0, sizeof(*db));
	db->path = path;
	if ((rc = rvq_remote_open(path, 1, &db->rm, why, sizeof(why))) !=
	    RV_OK)
		rvq_errf(err, "%s", why);
	return rc;
}

int
rvq_db_open(const char *path, struct rvq_db *db, struct rvq_err *err)
{
	int rc;

	memset(db, 0, sizeof(*db));
	db->path = path;
	if (rv_ch_is_url(path)) {
		rvq_errf(err, "'%s' is a ClickHouse: this reads a rearview "
		    "database directory (ClickHouse answers lookups only)",
		    path);
		return RV_ENOTSUP;
	}
	rc = rv_store_open(path, RV_STORE_RDONLY, 0, &db->st);
	if (rc == RV_OK)
		rc = rv_store_read_begin(db->st, &db->txn);
	switch (rc) {
	case RV_OK:
		return RV_OK;
	case RV_ENOENT:
		rvq_errf(err, "no rearview database in '%s' (give --db DIR or "
		    "set REARVIEW_DB)", path);
		break;
	case RV_EVERSION:
		rvq_errf(err, "database '%s' has a schema version this "
		    "rearview does not read (want %d)", path,
		    RV_SCHEMA_VERSION);
		break;
	case RV_EIO:
		rvq_errf(err, "cannot open database '%s': %s", path,
		    strerror(errno));
		break;
	case RV_ECORRUPT:
		damaged(err, path, rv_store_why(db->st));
		break;
	default:
		rvq_errf(err, "cannot open database '%s': %s", path,
		    rv_strerror(rc));
		break;
	}
	rvq_db_close(db);
	return rc;
}

int
rvq_db_attach(struct rvq_db *db, struct rv_store *st, const char *path,
    struct rvq_err *err)
{
	int rc;

	memset(db, 0, sizeof(*db));
	db->path = path;
	if (st == NULL && rv_ch_is_url(path)) {	/* a service's thread */
		char why[512];

		if ((rc = rvq_remote_open(path, 0, &db->rm, why,
		    sizeof(why))) != RV_OK)
			rvq_errf(err, "%s", why);
		return rc;
	}
	db->st = st;
	db->borrowed = 1;
	if ((rc = rv_store_read_begin(st, &db->txn)) != RV_OK) {
		rvq_db_errf(err, db, rc);
		rvq_db_close(db);
	}
	return rc;
}

void
rvq_db_end(struct rvq_db *db)
{
	rv_cursor_close(db->ipcur);
	db->ipcur = NULL;
	for (int i = 0; i < RV_DB_COUNT; i++) {
		rv_cursor_close(db->scur[i]);
		db->scur[i] = NULL;
		db->suntiered[i] = 0;
	}
	/* The table's answers point into this transaction's pages, and a
	 * new transaction may get the old one's address (have_table()); the
	 * last answer is of this snapshot too. */
	rvq_db_geo_free(db);
	db->geo_valid = 0;
	rvq_remote_end(db->rm);
	rv_txn_abort(db->txn);
	db->txn = NULL;
}

int
rvq_db_renew(struct rvq_db *db)
{
	rvq_db_end(db);
	return db->rm != NULL ? RV_OK : rv_store_read_begin(db->st, &db->txn);
}

int
rvq_db_scan(struct rvq_db *db, enum rv_db dbi, const struct rv_key *lo,
    const struct rv_key *hi, rv_scan_fn fn, void *arg)
{
	if (db->rm != NULL)
		return rvq_remote_scan(db->rm, dbi, lo, hi, fn, arg);
	return rv_store_scan(db->st, db->txn, dbi, lo, hi, fn, arg);
}

void
rvq_db_close(struct rvq_db *db)
{
	rvq_db_end(db);
	rvq_remote_close(db->rm);
	db->rm = NULL;
	if (!db->borrowed)
		rv_store_close(db->st);
	db->st = NULL;
	for (uint32_t i = 0; i < db->nsensor_names; i++)
		free(db->sensor_names[i]);
	free(db->sensor_names);
	db->sensor_names = NULL;
	db->nsensor_names = 0;
}

static int
load_sensor(uint16_t id, const char *name, size_t len, void *arg)
{
	struct rvq_db *db = arg;

	if (id >= db->nsensor_names) {
		uint32_t n = (uint32_t)id + 1;
		char **nn = realloc(db->sensor_names, n * sizeof(*nn));
		if (nn == NULL)
			return RV_ENOMEM;
		memset(nn + db->nsensor_names, 0,
		    (n - db->nsensor_names) * sizeof(*nn));
		db->sensor_names = nn;
		db->nsensor_names = n;
	}
	free(db->sensor_names[id]);
	if ((db->sensor_names[id] = strndup(name, len)) == NULL)
		return RV_ENOMEM;
	return RV_OK;
}

static void
load_sensors(struct rvq_db *db)
{
	if (db->sensors_loaded)
		return;
	db->sensors_loaded = 1;
	(void)rv_store_sensors(db->st, db->txn, load_sensor, db);
}

const char *
rvq_db_sensor(void *arg, uint16_t id)
{
	struct rvq_db *db = arg;

	if (db->rm != NULL)
		return rvq_remote_sensor(db->rm, id);
	load_sensors(db);
	return id < db->nsensor_names ? db->sensor_names[id] : NULL;
}

int
rvq_db_sensor_id(struct rvq_db *db, const char *name, uint16_t *id)
{
	if (db->rm != NULL)
		return rvq_remote_sensor_id(db->rm, name, id);
	return rv_store_sensor_id(db->st, db->txn, name, strlen(name), id);
}

struct join {
	const struct rvq_row *row;
	struct rvq_join *out;
	uint8_t zone[RV_NAME_MAX];
	size_t zlen;
	int zones;		/* distinct zones seen (0, 1, 2 = many) */
	int found;
};

static int
set_holds(const struct rvq_row *row, const uint8_t *set, size_t len)
{
	const uint8_t *rd, *t;
	uint16_t rl;
	size_t off = 0, tl;

	while (rv_set_next(set, len, &off, &rd, &rl) == RV_OK) {
		if (!row->rd_is_name) {
			if (rl == row->rd_len && memcmp(rd, row->rd, rl) == 0)
				return 1;
			continue;
		}
		if (rv_rdata_target(row->type, rd, rl, &t, &tl) == RV_OK &&
		    rv_name_is_subdomain(t, tl, row->rd, row->rd_len) &&
		    rv_name_is_subdomain(row->rd, row->rd_len, t, tl))
			return 1;
	}
	return 0;
}

static int
join_one(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct join *j = arg;
	struct rv_rrset_val val;
	struct rv_rrset_key key;

	if (rv_rrset_val_decode(v->data, v->len, &val) != RV_OK ||
	    !set_holds(j->row, val.set, val.set_len))
		return RV_OK;
	if (!j->found || val.ttl_min < j->out->ttl_min)
		j->out->ttl_min = val.ttl_min;
	if (!j->found || val.ttl_max > j->out->ttl_max)
		j->out->ttl_max = val.ttl_max;
	j->found = 1;
	for (unsigned i = 0; i < val.nsens; i++) {
		struct rvq_join *o = j->out;
		unsigned m = 0;
		while (m < o->nsens && o->sens[m] != val.sensor[i])
			m++;
		if (m == o->nsens && o->nsens < RV_SENSORS_MAX)
			o->sens[o->nsens++] = val.sensor[i];
	}
	if (j->zones < 2 &&
	    rv_rrset_key_decode(k->data, k->len, &key) == RV_OK) {
		if (j->zones == 0) {
			memcpy(j->zone, key.zone, key.zone_len);
			j->zlen = key.zone_len;
			j->zones = 1;
		} else if (key.zone_len != j->zlen ||
		    memcmp(key.zone, j->zone, j->zlen) != 0) {
			j->zones = 2;
		}
	}
	return RV_OK;
}

int
rvq_db_join(struct rvq_db *db, const struct rvq_row *row, struct rvq_join *out)
{
	uint16_t *sens = out->sens;
	struct join j;
	struct rv_key pre;
	int rc;

	memset(&j, 0, sizeof(j));
	memset(out, 0, sizeof(*out));
	j.row = row;
	j.out = out;
	if ((rc = rv_key_rrset_name_type(&pre, row->owner, row->owner_len,
	    row->type)) != RV_OK)
		return rc;
	if ((rc = rvq_db_scan(db, RV_DB_RRSET, &pre, &pre, join_one, &j)) !=
	    RV_OK)
		return rc;
	for (unsigned a = 1; a < out->nsens; a++)	/* ids in order, as
							 * stored */
		for (unsigned b = a; b > 0 && sens[b - 1] > sens[b]; b--) {
			uint16_t t = sens[b];
			sens[b] = sens[b - 1];
			sens[b - 1] = t;
		}
	if (j.zones == 1) {
		memcpy(out->zone, j.zone, j.zlen);
		out->zone_len = j.zlen;
	}
	out->has_ttl = j.found && out->ttl_min <= out->ttl_max;
	return j.found ? RV_OK : RV_ENOENT;
}
