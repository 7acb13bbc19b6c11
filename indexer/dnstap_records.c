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
#include "rv_hash.h"
#include "rv_msg.h"
#include "rvd.h"

#define RETRY_SLOTS 8192	/* recent responses remembered */
#define RETRY_WINDOW 5		/* seconds a repeat counts as a retry */
#define SENSORS_MAX 64		/* sensor names cached */
#define BATCH_RECORDS 256	/* merged at once, as an nng frame's */
#define BATCH_CAP (256 * 1024)	/* octets of a batch's frame */

struct sensor {
	char name[RV_SENSOR_MAX];
	size_t len;
	uint16_t id;
};

/* Records of consecutive responses of one sensor, encoded as a frame, so
 * that they are merged as an nng frame is: rvd_agg_add_frame overlaps the
 * table lookups of consecutive records (prefetching), and one lock is
 * taken for the lot. What the responses did is counted with them, so the
 * sensor's counters commit in the flush that commits its records. */
struct batch {
	struct rv_frame_enc enc;	/* over buf; enc.count 0: empty */
	uint16_t sid;
	struct rv_sensor_dt dt;		/* the responses' counters */
	uint64_t rejected;		/* records the scrubber dropped */
	uint8_t buf[BATCH_CAP];
};

struct rvd_dnstap_rec {
	struct rv_msg *msg;		/* ~330 KiB, reused */
	uint64_t retry_hash[RETRY_SLOTS];
	int64_t retry_time[RETRY_SLOTS];
	struct sensor sens[SENSORS_MAX];
	unsigned nsens;
	struct rvd_dnstap_rec_stats st;
	struct rvd_ratelimit rl;
	struct rvd *d;			/* the batch's target: rearviewd's */
	struct rvd_agg *a;		/* table (locked), or this one */
	struct batch b;
};

int
rvd_dnstap_rec_new(struct rvd *d, struct rvd_agg *a,
    struct rvd_dnstap_rec **out)
{
	struct rvd_dnstap_rec *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (r == NULL || (r->msg = malloc(sizeof(*r->msg))) == NULL) {
		free(r);
		return RV_ENOMEM;
	}
	r->rl.burst = 10;
	r->rl.period = 60;
	r->d = d;
	r->a = a;
	if (rv_frame_begin(&r->b.enc, r->b.buf, sizeof(r->b.buf), "dnstap", 6)
	    != RV_OK) {
		rvd_dnstap_rec_free(r);
		return RV_ESTATE;
	}
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

/* The response without its ID, and the zone, eight octets at a time. */
static uint64_t
response_hash(const struct rvd_dnstap_msg *m)
{
	size_t skip = m->response_len < 2 ? m->response_len : 2;
	uint64_t h = rv_hash64(rv_hash64(0x72657472ULL /* "retr" */,
	    m->query_zone, m->query_zone_len), m->response + skip,
	    m->response_len - skip);

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

/* Merge the batch into its table and empty it. Live (r->d): under
 * rearviewd's lock, waiting while the table is full (backpressure). */
static int
batch_merge(struct rvd_dnstap_rec *r)
{
	struct batch *b = &r->b;
	struct rvd_agg *a = r->a;
	struct rv_frame_hdr h;
	uint64_t bad = 0;
	size_t len, off;
	int rc = RV_OK;

	if (b->enc.count == 0 && b->rejected == 0 && b->dt.v[RV_DT_RESPONSES]
	    == 0)
		return RV_OK;
	len = rv_frame_finish(&b->enc);
	if (r->d) {
		pthread_mutex_lock(&r->d->mu);
		while (rvd_table_full(r->d, 2) && !atomic_load(&r->d->stop))
			pthread_cond_wait(&r->d->cv, &r->d->mu);
		a = r->d->cur;
	}
	if (b->enc.count && rv_frame_decode_header(b->buf, len, &h, &off) ==
	    RV_OK)
		rc = rvd_agg_add_frame(a, b->buf, len, off, b->enc.count,
		    b->sid, &bad);
	a->records_rejected += bad + b->rejected;
	b->dt.v[RV_DT_REJECTED] += bad;
	b->dt.v[RV_DT_RECORDS] -= bad;
	for (int k = 0; k < RV_DT_STAT_COUNT && rc == RV_OK; k++)
		if (b->dt.v[k])
			rc = rvd_agg_sensor_dt(a, b->sid, (enum rv_dt_stat)k,
			    b->dt.v[k]);
	if (r->d) {
		if (rvd_table_full(r->d, 1))
			pthread_cond_broadcast(&r->d->cv);
		pthread_mutex_unlock(&r->d->mu);
	}
	memset(&b->dt, 0, sizeof(b->dt));
	b->rejected = 0;
	if (rv_frame_begin(&b->enc, b->buf, sizeof(b->buf), "dnstap", 6) !=
	    RV_OK && rc == RV_OK)
		rc = RV_ESTATE;
	return rc;
}

/* The scrubber's callback: a record into the batch, merging a full one
 * first (a response can make more records than one batch holds). */
static int
emit(void *arg, const struct rv_record *rec)
{
	struct rvd_dnstap_rec *r = arg;
	int rc = rv_frame_add(&r->b.enc, rec);

	if (rc == RV_ETOOBIG && r->b.enc.count > 0) {
		if (batch_merge(r) != RV_OK)
			return -1;
		rc = rv_frame_add(&r->b.enc, rec);
	}
	if (rc != RV_OK) {		/* larger than a batch: never stored */
		r->b.rejected++;
		r->b.dt.v[RV_DT_REJECTED]++;
		return 0;
	}
	r->b.dt.v[RV_DT_RECORDS]++;
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
rvd_dnstap_emit(struct rvd_dnstap_rec *r, uint16_t sid,
    const struct rv_msg_src *src)
{
	struct batch *b = &r->b;
	struct rv_msg_out out;
	int rc;

	if (b->sid != sid && (rc = batch_merge(r)) != RV_OK)
		return rc;
	b->sid = sid;
	memset(&out, 0, sizeof(out));
	rc = rv_msg_records(r->msg, src, emit, r, &out);
	/* What the bailiwick rule dropped is rejected, as a frame's bad
	 * records are: counted, never stored. */
	b->rejected += out.out_of_zone + out.irrelevant + out.unglued;
	b->dt.v[RV_DT_REJECTED] += out.out_of_zone + out.irrelevant +
	    out.unglued;
	b->dt.v[RV_DT_RESPONSES]++;
	r->st.responses++;
	r->st.tcp += (src->flags & RV_RF_TCP) != 0;
	r->st.records += out.emitted;
	r->st.out_of_zone += out.out_of_zone;
	r->st.scrubbed += out.irrelevant + out.unglued;
	if (rc != RV_OK && rc != RV_ETRUNC) {
		r->st.refused++;
		b->dt.v[RV_DT_MALFORMED]++;
	}
	if (b->enc.count >= BATCH_RECORDS) {
		int mrc = batch_merge(r);
		if (mrc != RV_OK)
			return mrc;
	}
	return rc == RV_ETRUNC ? RV_OK : rc;	/* TC: retried over TCP */
}

int
rvd_dnstap_flush(struct rvd_dnstap_rec *r)
{
	return batch_merge(r);
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
	if ((prc = rvd_dnstap_prepare(r, m, sensor, sensor_len, &src)) ==
	    RV_OK)
		return rvd_dnstap_emit(r, sid, &src);
	pthread_mutex_lock(&d->mu);
	if ((rc = rvd_agg_sensor_dt(d->cur, sid, prc == RV_EEXIST ?
	    RV_DT_RETRIES : RV_DT_MALFORMED, 1)) == RV_OK && prc != RV_EEXIST)
		rc = prc;
	pthread_mutex_unlock(&d->mu);
	return rc;
}
