/**
 * \file sensors.c
 * Sensor names -> ids and their stream state: the receiver's cache, and
 * the writer's lookup or allocation in the meta database.
 */
#include <stdlib.h>
#include <string.h>

#include "rv_err.h"
#include "rv_frame.h"
#include "sensors.h"

struct rvd_sensor_ent {
	uint16_t id;
	uint8_t len;
	char name[RV_SENSOR_MAX];
	struct rv_sensor_seq seq;
};

void
rvd_sensors_init(struct rvd_sensors *s)
{
	memset(s, 0, sizeof(*s));
}

void
rvd_sensors_free(struct rvd_sensors *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int
match(const struct rvd_sensor_ent *e, const char *name, size_t len)
{
	return e->len == len && memcmp(e->name, name, len) == 0;
}

int
rvd_sensors_find(struct rvd_sensors *s, const char *name, size_t len,
    uint16_t *id)
{
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
	return RV_ENOENT;
}

int
rvd_sensors_add(struct rvd_sensors *s, const char *name, size_t len,
    uint16_t id, const struct rv_sensor_seq *seq)
{
	struct rvd_sensor_ent *e;

	if (len > RV_SENSOR_MAX)
		return RV_EINVAL;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		struct rvd_sensor_ent *nv = realloc(s->v, nc * sizeof(*nv));
		if (!nv)
			return RV_ENOMEM;
		s->v = nv;
		s->cap = nc;
	}
	e = &s->v[s->n];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->len = (uint8_t)len;
	memcpy(e->name, name, len);
	e->seq = *seq;
	s->last = s->n++;
	return RV_OK;
}

struct reg {
	const char *name;
	size_t len;
	uint16_t id;
	struct rv_sensor_seq seq;
};

static int
reg_txn(struct rv_store *st, struct rv_txn *txn, void *arg)
{
	struct reg *r = arg;
	int rc = rv_store_sensor_get_or_add(st, txn, r->name, r->len, &r->id);

	if (rc == RV_OK && (rc = rv_store_sensor_seq(st, txn, r->id,
	    &r->seq)) == RV_ENOENT)
		rc = RV_OK;
	return rc;
}

int
rvd_sensors_register(struct rv_store *st, const char *name, size_t len,
    uint16_t *id, struct rv_sensor_seq *seq)
{
	struct reg r = { name, len, 0, { 0 } };
	int rc;

	if (len > RV_SENSOR_MAX)
		return RV_EINVAL;
	if ((rc = rv_store_write(st, reg_txn, &r, NULL)) != RV_OK)
		return rc;
	*id = r.id;
	*seq = r.seq;
	return RV_OK;
}

int
rvd_sensors_id(struct rvd_sensors *s, struct rv_store *st, const char *name,
    size_t len, uint16_t *id)
{
	struct rv_sensor_seq seq;
	int rc = rvd_sensors_find(s, name, len, id);

	if (rc != RV_ENOENT)
		return rc;
	if ((rc = rvd_sensors_register(st, name, len, id, &seq)) != RV_OK)
		return rc;
	return rvd_sensors_add(s, name, len, *id, &seq);
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
rvd_sensors_seq_advance(struct rv_sensor_seq *q, const struct rv_frame_seq *f,
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
rvd_sensors_seq_frame(struct rvd_sensors *s, uint16_t id,
    const struct rv_frame_hdr *h, const struct rv_sensor_seq **out)
{
	struct rvd_sensor_ent *e = NULL;

	for (size_t i = 0; i < s->n && !e; i++)
		if (s->v[(s->last + i) % s->n].id == id)
			e = &s->v[(s->last + i) % s->n];
	if (!e)
		return RV_ENOENT;
	rvd_sensors_seq_advance(&e->seq, &h->seq, h->count);
	*out = &e->seq;
	return RV_OK;
}
