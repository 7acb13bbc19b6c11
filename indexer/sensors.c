/**
 * \file sensors.c
 * Cached sensor name -> id mapping backed by the meta database.
 */
#include <stdlib.h>
#include <string.h>

#include "rv_err.h"
#include "rv_frame.h"
#include "sensors.h"

struct sensor_ent {
	uint16_t id;
	uint8_t len;
	char name[RV_SENSOR_MAX];
};

void
sensors_init(struct sensors *s, struct rv_store *st)
{
	memset(s, 0, sizeof(*s));
	s->st = st;
}

void
sensors_free(struct sensors *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int
match(const struct sensor_ent *e, const char *name, size_t len)
{
	return e->len == len && memcmp(e->name, name, len) == 0;
}

int
sensors_id(struct sensors *s, const char *name, size_t len, uint16_t *id)
{
	MDB_txn *txn = NULL;
	int rc;

	if (len > RV_SENSOR_MAX)
		return RV_EINVAL;
	if (s->last < s->n && match(&s->v[s->last], name, len)) {
		*id = s->v[s->last].id;
		return RV_OK;
	}
	for (size_t i = 0; i < s->n; i++)
		if (match(&s->v[i], name, len)) {
			s->last = i;
			*id = s->v[i].id;
			return RV_OK;
		}
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		struct sensor_ent *nv = realloc(s->v, nc * sizeof(*nv));
		if (!nv)
			return RV_ENOMEM;
		s->v = nv;
		s->cap = nc;
	}
	for (int tries = 0; tries < 4; tries++) {
		if ((rc = rv_store_write_begin(s->st, &txn)) != RV_OK)
			return rc;
		rc = rv_store_sensor_get_or_add(s->st, txn, name, len, id);
		if (rc == RV_OK)
			rc = rv_store_err(mdb_txn_commit(txn));
		else
			mdb_txn_abort(txn);
		if (rc != RV_ENOSPC || rv_store_grow(s->st) != RV_OK)
			break;
	}
	if (rc != RV_OK)
		return rc;
	s->v[s->n].id = *id;
	s->v[s->n].len = (uint8_t)len;
	memcpy(s->v[s->n].name, name, len);
	s->last = s->n++;
	return RV_OK;
}
