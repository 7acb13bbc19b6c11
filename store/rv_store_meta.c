/**
 * \file rv_store_meta.c
 * The meta database: counters, sensor names <-> ids, per-sensor stats.
 */
#include <stdio.h>
#include <string.h>

#include "rv_err.h"
#include "rv_frame.h"
#include "rv_be.h"
#include "store_lmdb.h"

static const char *const stat_names[RV_STAT_COUNT] = {
	"observations", "rrsets", "negatives", "ips", "frames",
	"frames_rejected", "records_rejected", "flushes", "frames_oversize",
};

const char *
rv_stat_name(enum rv_stat s)
{
	return (unsigned)s < RV_STAT_COUNT ? stat_names[s] : "?";
}

/* A meta row of the wrong length: damage (rv_store_why). */
static int
bad_len(struct rv_store *st, const struct rv_key *k, size_t len)
{
	rv_store_damage(st, "the meta row %.*s has %zu octets",
	    (int)(k->len > 40 ? 40 : k->len), (const char *)k->buf, len);
	return RV_ECORRUPT;
}

/* Build "prefix" + text into a key. */
static int
text_key(struct rv_key *k, const char *prefix, const char *s, size_t len)
{
	size_t pl = strlen(prefix);

	if (pl + len > RV_KEY_MAX)
		return RV_ETOOBIG;
	memcpy(k->buf, prefix, pl);
	memcpy(k->buf + pl, s, len);
	k->len = pl + len;
	return RV_OK;
}

/* Build "prefix" + id:2 into a key. */
static void
id_key(struct rv_key *k, const char *prefix, uint16_t id)
{
	size_t pl = strlen(prefix);

	memcpy(k->buf, prefix, pl);
	rv_put16(k->buf + pl, id);
	k->len = pl + 2;
}

static int
get(struct rv_store *st, struct rv_txn *txn, const struct rv_key *key,
    struct rv_val *v)
{
	struct rv_val k = rv_key_val(key);

	return rv_get(st, txn, RV_DB_META, &k, v);
}

static int
put(struct rv_store *st, struct rv_txn *txn, const struct rv_key *key,
    const void *data, size_t len)
{
	struct rv_val k = rv_key_val(key), v = { len, data };

	return rv_put(st, txn, RV_DB_META, &k, &v, 0);
}

int
rv_store_stats_read(struct rv_store *st, struct rv_txn *txn,
    struct rv_store_stats *out)
{
	struct rv_key k;
	struct rv_val v;
	int rc;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < RV_STAT_COUNT; i++) {
		text_key(&k, "stat:", stat_names[i], strlen(stat_names[i]));
		rc = get(st, txn, &k, &v);
		if (rc == RV_ENOENT)
			continue;
		if (rc != RV_OK)
			return rc;
		if (v.len != 8)
			return bad_len(st, &k, v.len);
		out->v[i] = rv_get64(v.data);
	}
	text_key(&k, "stat:", "last_write", 10);
	rc = get(st, txn, &k, &v);
	if (rc == RV_OK) {
		if (v.len != 4)
			return bad_len(st, &k, v.len);
		out->last_write = rv_get32(v.data);
	}
	return rc == RV_ENOENT ? RV_OK : rc;
}

int
rv_store_stats_add(struct rv_store *st, struct rv_txn *txn,
    const uint64_t add[RV_STAT_COUNT], uint32_t now)
{
	struct rv_key k;
	struct rv_val v;
	uint8_t b[8];
	int rc;

	for (int i = 0; i < RV_STAT_COUNT; i++) {
		uint64_t cur = 0;
		if (add[i] == 0)
			continue;
		text_key(&k, "stat:", stat_names[i], strlen(stat_names[i]));
		rc = get(st, txn, &k, &v);
		if (rc == RV_OK && v.len == 8)
			cur = rv_get64(v.data);
		else if (rc != RV_OK && rc != RV_ENOENT)
			return rc;
		rv_put64(b, cur + add[i]);
		if ((rc = put(st, txn, &k, b, 8)))
			return rc;
	}
	text_key(&k, "stat:", "last_write", 10);
	rv_put32(b, now);
	return (put(st, txn, &k, b, 4));
}

int
rv_store_sensor_name(struct rv_store *st, struct rv_txn *txn, uint16_t id,
    char *name, size_t namesz)
{
	struct rv_key k;
	struct rv_val v;
	int rc;

	id_key(&k, "sensor#", id);
	if ((rc = get(st, txn, &k, &v)) != RV_OK)
		return rc;
	if (v.len >= namesz)
		return RV_ETOOBIG;
	memcpy(name, v.data, v.len);
	name[v.len] = 0;
	return RV_OK;
}

int
rv_store_sensor_id(struct rv_store *st, struct rv_txn *txn, const char *name,
    size_t len, uint16_t *id)
{
	struct rv_key k;
	struct rv_val v;
	int rc;

	if ((rc = text_key(&k, "sensor:", name, len)) != RV_OK ||
	    (rc = get(st, txn, &k, &v)) != RV_OK)
		return rc;
	if (v.len != 2)
		return bad_len(st, &k, v.len);
	*id = rv_get16(v.data);
	return RV_OK;
}

int
rv_store_sensor_get_or_add(struct rv_store *st, struct rv_txn *txn,
    const char *name, size_t len, uint16_t *id)
{
	struct rv_cursor *cur = NULL;
	struct rv_key k, ik;
	struct rv_val key, v;
	uint16_t next = 1;
	uint8_t b[2];
	int rc;

	if (len > RV_SENSOR_MAX)
		return RV_EINVAL;
	rc = rv_store_sensor_id(st, txn, name, len, id);
	if (rc != RV_ENOENT)
		return rc;
	/* The highest id in use is the last "sensor#" key before "sensor$". */
	if ((rc = rv_cursor_open(st, txn, RV_DB_META, &cur)) != RV_OK)
		goto leave;
	key.len = 7;
	key.data = "sensor$";
	rc = rv_cursor_get(cur, &key, &v, RV_SET_RANGE);
	rc = rv_cursor_get(cur, &key, &v, rc == RV_OK ? RV_PREV : RV_LAST);
	if (rc != RV_OK && rc != RV_ENOENT)
		goto leave;
	if (rc == 0 && key.len == 9 && memcmp(key.data, "sensor#", 7) == 0) {
		next = (uint16_t)(rv_get16((const uint8_t *)key.data + 7) + 1);
		if (next == 0) {
			rc = RV_ERANGE;
			goto leave;
		}
	}
	id_key(&ik, "sensor#", next);
	text_key(&k, "sensor:", name, len);
	rv_put16(b, next);
	if ((rc = put(st, txn, &k, b, 2)) || (rc = put(st, txn, &ik, name, len)))
		goto leave;
	*id = next;
	rc = RV_OK;
leave:
	rv_cursor_close(cur);
	return rc;
}

int
rv_store_sensor_stat(struct rv_store *st, struct rv_txn *txn, uint16_t id,
    struct rv_sensor_stat *out)
{
	struct rv_key k;
	struct rv_val v;
	int rc;

	memset(out, 0, sizeof(*out));
	id_key(&k, "sensor_stat#", id);
	if ((rc = get(st, txn, &k, &v)) != RV_OK)
		return rc;
	if (v.len != 12)
		return bad_len(st, &k, v.len);
	out->observations = rv_get64(v.data);
	out->last = rv_get32((const uint8_t *)v.data + 8);
	return RV_OK;
}

int
rv_store_sensor_stat_add(struct rv_store *st, struct rv_txn *txn, uint16_t id,
    uint64_t observations, uint32_t last)
{
	struct rv_sensor_stat s;
	struct rv_key k;
	uint8_t b[12];
	int rc = rv_store_sensor_stat(st, txn, id, &s);

	if (rc != RV_OK && rc != RV_ENOENT)
		return rc;
	s.observations += observations;
	if (last > s.last)
		s.last = last;
	rv_put64(b, s.observations);
	rv_put32(b + 8, s.last);
	id_key(&k, "sensor_stat#", id);
	return (put(st, txn, &k, b, 12));
}

/* sensor_seq# values: the fields of struct rv_sensor_seq in order, each a
 * big-endian u64. */
#define SEQ_FIELDS 13

static void
seq_fields(struct rv_sensor_seq *q, uint64_t *f[SEQ_FIELDS])
{
	uint64_t *v[SEQ_FIELDS] = {
		&q->boot, &q->next, &q->received, &q->lost, &q->resets,
		&q->unsequenced, &q->out_of_order, &q->drops.queue_full,
		&q->drops.send, &q->drops.toobig, &q->drops_before.queue_full,
		&q->drops_before.send, &q->drops_before.toobig,
	};

	memcpy(f, v, sizeof(v));
}

int
rv_store_sensor_seq(struct rv_store *st, struct rv_txn *txn, uint16_t id,
    struct rv_sensor_seq *out)
{
	uint64_t *f[SEQ_FIELDS];
	struct rv_key k;
	struct rv_val v;
	int rc;

	memset(out, 0, sizeof(*out));
	id_key(&k, "sensor_seq#", id);
	if ((rc = get(st, txn, &k, &v)) != RV_OK)
		return rc;
	if (v.len != SEQ_FIELDS * 8)
		return bad_len(st, &k, v.len);
	seq_fields(out, f);
	for (int i = 0; i < SEQ_FIELDS; i++)
		*f[i] = rv_get64((const uint8_t *)v.data + 8 * i);
	return RV_OK;
}

int
rv_store_sensor_seq_put(struct rv_store *st, struct rv_txn *txn, uint16_t id,
    const struct rv_sensor_seq *in)
{
	struct rv_sensor_seq q = *in;
	uint64_t *f[SEQ_FIELDS];
	uint8_t b[SEQ_FIELDS * 8];
	struct rv_key k;

	seq_fields(&q, f);
	for (int i = 0; i < SEQ_FIELDS; i++)
		rv_put64(b + 8 * i, *f[i]);
	id_key(&k, "sensor_seq#", id);
	return (put(st, txn, &k, b, sizeof(b)));
}

static const char *const dt_stat_names[RV_DT_STAT_COUNT] = {
	"responses", "records", "retries", "rejected", "malformed",
	"dropped_client", "dropped",
};

const char *
rv_dt_stat_name(enum rv_dt_stat s)
{
	return (unsigned)s < RV_DT_STAT_COUNT ? dt_stat_names[s] : "?";
}

/* sensor_dt# values: RV_DT_STAT_COUNT big-endian u64s, in enum order. */
int
rv_store_sensor_dt(struct rv_store *st, struct rv_txn *txn, uint16_t id,
    struct rv_sensor_dt *out)
{
	struct rv_key k;
	struct rv_val v;
	int rc;

	memset(out, 0, sizeof(*out));
	id_key(&k, "sensor_dt#", id);
	if ((rc = get(st, txn, &k, &v)) != RV_OK)
		return rc;
	if (v.len != RV_DT_STAT_COUNT * 8)
		return bad_len(st, &k, v.len);
	for (int i = 0; i < RV_DT_STAT_COUNT; i++)
		out->v[i] = rv_get64((const uint8_t *)v.data + 8 * i);
	return RV_OK;
}

int
rv_store_sensor_dt_add(struct rv_store *st, struct rv_txn *txn, uint16_t id,
    const struct rv_sensor_dt *add)
{
	struct rv_sensor_dt s;
	uint8_t b[RV_DT_STAT_COUNT * 8];
	struct rv_key k;
	int rc = rv_store_sensor_dt(st, txn, id, &s);

	if (rc != RV_OK && rc != RV_ENOENT)
		return rc;
	for (int i = 0; i < RV_DT_STAT_COUNT; i++)
		rv_put64(b + 8 * i, s.v[i] + add->v[i]);
	id_key(&k, "sensor_dt#", id);
	return put(st, txn, &k, b, sizeof(b));
}

int
rv_store_sensors(struct rv_store *st, struct rv_txn *txn, rv_sensor_fn fn,
    void *arg)
{
	struct rv_cursor *cur = NULL;
	struct rv_val k = { 7, "sensor#" }, v;
	int mrc, rc = RV_OK;

	if ((rc = rv_cursor_open(st, txn, RV_DB_META, &cur)) != RV_OK)
		goto leave;
	mrc = rv_cursor_get(cur, &k, &v, RV_SET_RANGE);
	while (mrc == 0 && k.len == 9 &&
	    memcmp(k.data, "sensor#", 7) == 0) {
		if ((rc = fn(rv_get16((const uint8_t *)k.data + 7), v.data,
		    v.len, arg)) != RV_OK)
			break;
		mrc = rv_cursor_get(cur, &k, &v, RV_NEXT);
	}
	if (rc == RV_ENOENT)
		rc = RV_OK;
	else if (rc == RV_OK && mrc != RV_OK && mrc != RV_ENOENT)
		rc = mrc;
leave:
	rv_cursor_close(cur);
	return rc;
}
