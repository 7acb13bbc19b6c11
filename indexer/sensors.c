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
	uint8_t seq_loaded;	/**< seq read from the database */
	char name[RV_SENSOR_MAX];
	struct rv_sensor_seq seq;
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
	memset(&s->v[s->n], 0, sizeof(s->v[s->n]));
	s->v[s->n].id = *id;
	s->v[s->n].len = (uint8_t)len;
	memcpy(s->v[s->n].name, name, len);
	s->last = s->n++;
	return RV_OK;
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static void
drops_add(struct rv_frame_drops *to, const struct rv_frame_drops *d)
{
	to->queue_full = sat_add(to->queue_full, d->queue_full);
	to->send = sat_add(to->send, d->send);
	to->toobig = sat_add(to->toobig, d->toobig);
}

/* The counters only grow within a boot; a late frame may carry older ones. */
static void
drops_max(struct rv_frame_drops *to, const struct rv_frame_drops *d)
{
	if (d->queue_full > to->queue_full)
		to->queue_full = d->queue_full;
	if (d->send > to->send)
		to->send = d->send;
	if (d->toobig > to->toobig)
		to->toobig = d->toobig;
}

void
sensors_seq_advance(struct rv_sensor_seq *q, const struct rv_frame_seq *f,
    uint32_t count)
{
	if (f->boot == 0) {
		q->unsequenced = sat_add(q->unsequenced, count);
		return;
	}
	q->received = sat_add(q->received, count);
	if (f->boot != q->boot) {
		if (q->boot != 0) {
			q->resets = sat_add(q->resets, 1);
			drops_add(&q->drops_before, &q->drops);
		}
		q->boot = f->boot;
		q->next = 0;
		memset(&q->drops, 0, sizeof(q->drops));
	}
	drops_max(&q->drops, &f->drops);
	if (f->seq < q->next) {
		q->out_of_order = sat_add(q->out_of_order, count);
		return;
	}
	q->lost = sat_add(q->lost, f->seq - q->next);
	q->next = sat_add(f->seq, count);
}

int
sensors_seq_frame(struct sensors *s, uint16_t id, const struct rv_frame_hdr *h,
    const struct rv_sensor_seq **out)
{
	struct sensor_ent *e = NULL;
	MDB_txn *txn = NULL;
	int rc;

	for (size_t i = 0; i < s->n && !e; i++)
		if (s->v[(s->last + i) % s->n].id == id)
			e = &s->v[(s->last + i) % s->n];
	if (!e)
		return RV_ENOENT;
	if (!e->seq_loaded) {
		if ((rc = rv_store_read_begin(s->st, &txn)) != RV_OK)
			return rc;
		rc = rv_store_sensor_seq(s->st, txn, id, &e->seq);
		mdb_txn_abort(txn);
		if (rc != RV_OK && rc != RV_ENOENT)
			return rc;
		e->seq_loaded = 1;
	}
	sensors_seq_advance(&e->seq, &h->seq, h->count);
	*out = &e->seq;
	return RV_OK;
}
