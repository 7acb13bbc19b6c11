/**
 * \file dnstap_records.c
 * dnstap's records hook (dnstap_records.h): one resolver response, as a
 * resolver logged it raw, becomes the records the module would have sent
 * (lib/rv_msg.h applies the scrubber's bailiwick rule), merged into the
 * aggregation table the nng input fills, under the same lock and with the
 * same backpressure (ingest.c).
 *
 * A resolver logs every response it gets, retries included: the same
 * response (all but its 16-bit ID) again within RETRY_WINDOW seconds is
 * counted once. Runs in the dnstap thread only.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dnstap_records.h"
#include "log.h"
#include "rv_err.h"
#include "rv_msg.h"
#include "rvd.h"

#define RETRY_SLOTS 8192	/* recent responses remembered */
#define RETRY_WINDOW 5		/* seconds a repeat counts as a retry */
#define SENSORS_MAX 64		/* sensor names cached */

struct sensor {
	char name[RV_SENSOR_MAX];
	size_t len;
	uint16_t id;
};

struct rvd_dnstap_rec {
	struct rv_msg *msg;		/* ~330 KiB, reused */
	uint64_t retry_hash[RETRY_SLOTS];
	int64_t retry_time[RETRY_SLOTS];
	struct sensor sens[SENSORS_MAX];
	unsigned nsens;
	struct rvd_dnstap_rec_stats st;
	struct rvd_ratelimit rl;
};

int
rvd_dnstap_rec_new(struct rvd_dnstap_rec **out)
{
	struct rvd_dnstap_rec *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (r == NULL || (r->msg = malloc(sizeof(*r->msg))) == NULL) {
		free(r);
		return RV_ENOMEM;
	}
	r->rl.burst = 10;
	r->rl.period = 60;
	*out = r;
	return RV_OK;
}

void
rvd_dnstap_rec_free(struct rvd_dnstap_rec *r)
{
	if (r == NULL)
		return;
	free(r->msg);
	free(r);
}

const struct rvd_dnstap_rec_stats *
rvd_dnstap_rec_stats(const struct rvd_dnstap_rec *r)
{
	return &r->st;
}

/* FNV-1a over the response without its ID, the zone and the server. */
static uint64_t
response_hash(const struct rvd_dnstap_msg *m)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 2; i < m->response_len; i++)
		h = (h ^ m->response[i]) * 0x100000001b3ULL;
	for (i = 0; i < m->query_zone_len; i++)
		h = (h ^ m->query_zone[i]) * 0x100000001b3ULL;
	return h ? h : 1;
}

/* Seen within RETRY_WINDOW seconds? Remembers it either way. */
static int
is_retry(struct rvd_dnstap_rec *r, const struct rvd_dnstap_msg *m, int64_t t)
{
	uint64_t h = response_hash(m);
	size_t slot = (size_t)(h % RETRY_SLOTS);
	int dup = r->retry_hash[slot] == h &&
	    t - r->retry_time[slot] <= RETRY_WINDOW &&
	    r->retry_time[slot] - t <= RETRY_WINDOW;

	r->retry_hash[slot] = h;
	r->retry_time[slot] = t;
	return dup;
}

/* The id of a sensor name: cached, or asked of the flusher as the nng
 * input asks (rvd.h), waiting for the request slot to be free. */
static int
sensor_id(struct rvd_dnstap_rec *r, struct rvd *d, const char *name,
    size_t len, uint16_t *id)
{
	struct rvd_sensor_req *q = &d->sreq;
	int rc;

	for (unsigned i = 0; i < r->nsens; i++)
		if (r->sens[i].len == len && memcmp(r->sens[i].name, name,
		    len) == 0) {
			*id = r->sens[i].id;
			return RV_OK;
		}
	pthread_mutex_lock(&d->mu);
	while (q->pending && !atomic_load(&d->stop))	/* the nng input's */
		pthread_cond_wait(&d->cv, &d->mu);
	memcpy(q->name, name, len);
	q->len = len;
	q->pending = 1;
	pthread_cond_broadcast(&d->cv);
	while (q->pending && !atomic_load(&d->stop))
		pthread_cond_wait(&d->cv, &d->mu);
	rc = q->pending ? RV_ESTATE : q->rc;
	*id = q->id;
	pthread_mutex_unlock(&d->mu);
	if (rc == RV_OK && r->nsens < SENSORS_MAX) {
		memcpy(r->sens[r->nsens].name, name, len);
		r->sens[r->nsens].len = len;
		r->sens[r->nsens].id = *id;
		r->nsens++;
	}
	return rc;
}

struct emit_ctx {
	struct rvd_agg *a;
	uint16_t sid;
	uint64_t bad;
};

static int
emit(void *arg, const struct rv_record *rec)
{
	struct emit_ctx *e = arg;

	if (rvd_agg_add_record(e->a, rec, e->sid) != RV_OK) {
		e->bad++;
		return -1;
	}
	return 0;
}

int
rvd_dnstap_prepare(struct rvd_dnstap_rec *r, const struct rvd_dnstap_msg *m,
    const char *sensor, size_t sensor_len, struct rv_msg_src *src)
{
	int rc;

	memset(src, 0, sizeof(*src));
	src->time = m->has_time ? (int64_t)m->time_sec : (int64_t)time(NULL);
	if (is_retry(r, m, src->time)) {
		r->st.retries++;
		return RV_EEXIST;
	}
	if ((rc = rv_msg_parse(r->msg, m->response, m->response_len)) !=
	    RV_OK) {
		r->st.malformed++;
		rvd_log_rl(&r->rl, LOG_WARNING, "dnstap %.*s: a response that "
		    "is not a DNS message (%s)", (int)sensor_len, sensor,
		    rv_strerror(rc));
		return rc;
	}
	src->zone = m->query_zone;
	src->zone_len = m->query_zone_len;
	if (m->family == AF_INET || m->family == AF_INET6) {
		src->server.family = m->family == AF_INET ? 4 : 6;
		memcpy(src->server.addr, m->addr, m->family == AF_INET ? 4 :
		    16);
		src->port = m->port;
	}
	src->flags = (m->tcp ? RV_RF_TCP : 0) |
	    (m->type == RVD_DT_FORWARDER_RESPONSE ? RV_RF_FORWARD : 0);
	return RV_OK;
}

int
rvd_dnstap_emit(struct rvd_dnstap_rec *r, struct rvd_agg *a, uint16_t sid,
    const struct rv_msg_src *src)
{
	struct rv_msg_out out;
	struct emit_ctx e = { a, sid, 0 };
	uint64_t rejected;
	int rc;

	memset(&out, 0, sizeof(out));
	rc = rv_msg_records(r->msg, src, emit, &e, &out);
	/* What the bailiwick rule dropped is rejected, as a frame's bad
	 * records are: counted, never stored. */
	rejected = e.bad + out.out_of_zone + out.irrelevant + out.unglued;
	a->records_rejected += rejected;
	r->st.responses++;
	r->st.records += out.emitted;
	r->st.out_of_zone += out.out_of_zone;
	r->st.scrubbed += out.irrelevant + out.unglued;
	if (rc != RV_OK && rc != RV_ETRUNC)
		r->st.refused++;
	if (rvd_agg_sensor_dt(a, sid, RV_DT_RESPONSES, 1) != RV_OK ||
	    rvd_agg_sensor_dt(a, sid, RV_DT_RECORDS, out.emitted) != RV_OK ||
	    rvd_agg_sensor_dt(a, sid, RV_DT_REJECTED, rejected) != RV_OK ||
	    (rc != RV_OK && rc != RV_ETRUNC && rvd_agg_sensor_dt(a, sid,
	    RV_DT_MALFORMED, 1) != RV_OK))
		return RV_ENOMEM;
	return rc == RV_ETRUNC ? RV_OK : rc;	/* TC: retried over TCP */
}

size_t
rvd_dnstap_sensor(const char *configured, const struct rvd_dnstap_msg *m,
    const char *fallback, const char **name)
{
	size_t len;

	if (configured)
		*name = configured;
	else if (m->identity_len) {
		*name = (const char *)m->identity;
		return m->identity_len < RV_SENSOR_MAX ? m->identity_len :
		    RV_SENSOR_MAX;
	} else
		*name = fallback;
	len = strlen(*name);
	return len < RV_SENSOR_MAX ? len : RV_SENSOR_MAX;
}

enum rv_dt_stat
rvd_dnstap_not_kept(int decode_rc, const struct rvd_dnstap_msg *m)
{
	if (decode_rc != RV_ENOENT)
		return RV_DT_MALFORMED;
	return m->type == RVD_DT_CLIENT_QUERY ||
	    m->type == RVD_DT_CLIENT_RESPONSE ? RV_DT_DROPPED_CLIENT :
	    RV_DT_DROPPED;
}

int
rvd_dnstap_count(struct rvd *d, struct rvd_dnstap_rec *r, const char *sensor,
    size_t sensor_len, enum rv_dt_stat k)
{
	uint16_t sid;
	int rc;

	if ((rc = sensor_id(r, d, sensor, sensor_len, &sid)) != RV_OK)
		return rc;
	pthread_mutex_lock(&d->mu);
	rc = rvd_agg_sensor_dt(d->cur, sid, k, 1);
	pthread_mutex_unlock(&d->mu);
	return rc;
}

int
rvd_dnstap_records(struct rvd *d, void *arg, const struct rvd_dnstap_msg *m,
    const char *sensor, size_t sensor_len)
{
	struct rvd_dnstap_rec *r = arg;
	struct rv_msg_src src;
	uint16_t sid;
	int prc, rc;

	if ((rc = sensor_id(r, d, sensor, sensor_len, &sid)) != RV_OK) {
		rvd_log_rl(&r->rl, LOG_WARNING, "dnstap sensor %.*s: %s",
		    (int)sensor_len, sensor, rv_strerror(rc));
		return rc;
	}
	prc = rvd_dnstap_prepare(r, m, sensor, sensor_len, &src);
	pthread_mutex_lock(&d->mu);
	if (prc == RV_OK) {
		while (rvd_table_full(d, 2) && !atomic_load(&d->stop))
			pthread_cond_wait(&d->cv, &d->mu);  /* backpressure */
		rc = rvd_dnstap_emit(r, d->cur, sid, &src);
		if (rvd_table_full(d, 1))
			pthread_cond_broadcast(&d->cv);
	} else if ((rc = rvd_agg_sensor_dt(d->cur, sid, prc == RV_EEXIST ?
	    RV_DT_RETRIES : RV_DT_MALFORMED, 1)) == RV_OK && prc != RV_EEXIST)
		rc = prc;
	pthread_mutex_unlock(&d->mu);
	return rc;
}
