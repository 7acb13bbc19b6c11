/**
 * \file sv_query.c
 * A request's query: its filter and limits from the request's parameters,
 * run by the engine, rows serialised for the request's protocol. See
 * sv_query.h.
 */
#define _GNU_SOURCE 1	/* fopencookie */
#include "sv_query.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rv_err.h"
#include "rvq.h"
#include "rvq_report.h"
#include "rvq_verdict.h"
#include "rvq_ser.h"
#include "rvq_stats.h"
#include "sb.h"
#include "sv_fmt.h"

/* Rows between checks of the client (cancel) when the reader is not
 * waiting; a waiting reader gets every row at once. */
#define CHECK_EVERY 256
/* Output handed on once this much is buffered. */
#define CHUNK (SB_SIZE - 4096)
/* A query run in place (sv_job_run) gives up after this long. */
#define SYNC_MS 20

struct sv_job {
	struct sv *sv;
	struct sv_req req;
	struct rvq_filter f;
	struct rv_iprange sub_ip;	/**< subdomains: only names on it */
	struct rvq_query q[2];	/**< CIRCL asks a name as owner and as
				 * rdata */
	unsigned nq;
	uint64_t limit;		/**< rows at most (UINT64_MAX: none) */
	uint64_t skip;		/**< rows still to skip (offset) */
	uint64_t cursor;	/**< CIRCL: the page's first row */
	uint64_t max_count;	/**< summarize: rows counted at most */
	uint64_t rows;		/**< rows given */
	uint64_t seen;		/**< rows the engine gave */
	int limited;		/**< rows remained past the limit */
	int cancelled;
	struct rvq_summary sum;
	struct rvq_row **hist;	/**< history: the rows, to sort */
	size_t nhist;
	struct rvq_ser ser;
	struct rvq_db db;
	struct sv_stream *s;
	struct sv_fmt *fmt;	/**< a DNSDB stream's formatter thread, which
				 * owns ser and sb while it runs */
	int fmt_rc;		/**< why the rows stopped going to it */
	struct sb *sb;
	char who[80];
	uint64_t t0;
	uint64_t txn_ms;	/**< when the read transaction began */
	unsigned renewals;	/**< read transactions renewed */
	unsigned renew_asks;	/**< renew_due calls */
};

static int
bad(char *msg, size_t msgsz, const char *what)
{
	snprintf(msg, msgsz, "%s", what);
	return 400;
}

/* The filter: type and bailiwick of the path, the time fences. */
static int
filter(struct sv_job *j, char *msg, size_t msgsz)
{
	const struct sv_req *r = &j->req;
	struct rvq_fence *fe = &j->f.fence;

	rvq_filter_init(&j->f);
	if (rvq_types_parse(r->types[0] != '\0' ? r->types : r->route ==
	    SV_HISTORY ? RVQ_HISTORY_TYPES : "ANY", j->f.types,
	    &j->f.ntypes) != RV_OK)
		return bad(msg, msgsz, "unknown type");
	if (r->bailiwick[0] != '\0' && rvq_zone_arg(r->bailiwick, j->f.zone,
	    &j->f.zone_len) != RV_OK)
		return bad(msg, msgsz, "invalid bailiwick");
	if (r->ip[0] != '\0') {
		if (rv_range_parse(r->ip, &j->sub_ip) != RV_OK)
			return bad(msg, msgsz, "invalid ip: want an address, "
			    "CIDR or range");
		j->f.sub_ip = &j->sub_ip;
	}
	if (r->tfa.set)
		rvq_fence_raise(&fe->first_after, r->tfa.v);
	if (r->tfb.set)
		rvq_fence_lower(&fe->first_before, r->tfb.v);
	if (r->tla.set)
		rvq_fence_raise(&fe->last_after, r->tla.v);
	if (r->tlb.set)
		rvq_fence_lower(&fe->last_before, r->tlb.v);
	/* Reverse rows get their RRsets' sensors and bailiwick in the
	 * native API; DNSDB's and CIRCL's rows are the index as it is. */
	j->f.join = r->proto == SV_NATIVE;
	return 0;
}

/* Limits as DNSDB applies them, and the key's cap. */
static int
limits(struct sv_job *j, uint64_t results_max, char *msg, size_t msgsz)
{
	const struct sv_conf *c = &j->sv->c;
	const struct sv_req *r = &j->req;

	j->limit = !r->limit_set ? c->limit_default : r->limit == 0 ||
	    r->limit > c->limit_max ? c->limit_max : r->limit;
	if (results_max > 0 && j->limit > results_max)
		j->limit = results_max;
	if (r->offset > c->offset_max) {
		snprintf(msg, msgsz, "offset %llu is beyond this server's "
		    "maximum (%llu)", (unsigned long long)r->offset,
		    (unsigned long long)c->offset_max);
		return 416;
	}
	if (r->offset > 0 && j->req.route != SV_LOOKUP &&
	    j->req.route != SV_HISTORY && j->req.route != SV_REPORT)
		return bad(msg, msgsz, "only lookups take an offset");
	j->skip = r->offset;
	j->max_count = r->max_count_set && r->max_count > 0 ? r->max_count :
	    UINT64_MAX;
	if (j->req.route == SV_COUNT && !r->max_count_set)
		j->max_count = c->limit_max;
	return 0;
}

/* CIRCL's value: an address (or network), or a name asked as owner and
 * as rdata. */
static int
circl_kinds(struct sv_job *j, enum rvq_kind *k)
{
	struct rv_iprange ip;
	const char *v = j->req.value;

	if (rv_range_parse(v, &ip) == RV_OK) {
		k[0] = RVQ_RDATA_IP;
		return 1;
	}
	k[0] = RVQ_LOOKUP;
	k[1] = RVQ_RDATA_NAME;
	return 2;
}

int
sv_job_prepare(struct sv *sv, const struct sv_req *req, uint64_t results_max,
    const char *who, struct sv_job **out, char *msg, size_t msgsz)
{
	enum rvq_kind kinds[2] = { req->kind, req->kind };
	struct rvq_err err;
	struct sv_job *j;
	int status;

	*out = NULL;
	if ((j = calloc(1, sizeof(*j))) == NULL || (j->sb = malloc(
	    sizeof(*j->sb))) == NULL || rvq_ser_init(&j->ser) != RV_OK) {
		snprintf(msg, msgsz, "out of memory");
		sv_job_free(j);
		return 503;
	}
	j->sv = sv;
	j->req = *req;
	j->t0 = sv_now_ms();
	snprintf(j->who, sizeof(j->who), "%s", who);
	if (sv->st == NULL && (req->route == SV_STATS || req->route ==
	    SV_REPORT)) {
		snprintf(msg, msgsz, "the ClickHouse backend answers lookups; "
		    "reports, verdicts and statistics read a rearview "
		    "database (--db DIR)");
		status = 501;
		goto fail;
	}
	if ((status = filter(j, msg, msgsz)) != 0 ||
	    (status = limits(j, results_max, msg, msgsz)) != 0)
		goto fail;
	j->nq = req->route == SV_STATS || req->route == SV_REPORT ? 0 :
	    req->circl_guess ?
	    (unsigned)circl_kinds(j, kinds) : 1;
	for (unsigned i = 0; i < j->nq; i++) {
		int rc = rvq_prepare(&j->q[i], kinds[i], j->req.value, &j->f,
		    &err);
		if (rc != RV_OK) {
			j->nq = i;
			snprintf(msg, msgsz, "%s", err.msg);
			status = rc == RV_EINVAL ? 400 : 500;
			goto fail;
		}
	}
	*out = j;
	return 0;
fail:
	sv_job_free(j);
	return status;
}

void
sv_job_page(struct sv_job *j, uint64_t count, uint64_t cursor)
{
	if (count > 0 && count < j->limit)
		j->limit = count;
	j->skip = j->cursor = cursor;
}

uint64_t
sv_job_rows(const struct sv_job *j)
{
	return j->rows;
}

/* Output of a query run in place: memory up to a cap. */
struct mem {
	char *buf;
	size_t len, cap;
	int over;
};

static ssize_t
mem_write(void *cookie, const char *b, size_t n)
{
	struct mem *m = cookie;

	if (m->over || m->len + n > m->cap) {
		m->over = 1;
		errno = ENOSPC;
		return -1;
	}
	memcpy(m->buf + m->len, b, n);
	m->len += n;
	return (ssize_t)n;
}

int
sv_job_run(struct sv_job *j, size_t cap, char **out, size_t *len)
{
	cookie_io_functions_t io = { .write = mem_write };
	struct mem m = { NULL, 0, cap, 0 };
	FILE *fp;

	*out = NULL;
	*len = 0;
	if ((m.buf = malloc(cap)) == NULL)
		return RV_ENOMEM;
	if ((fp = fopencookie(&m, "w", io)) == NULL) {
		free(m.buf);
		return RV_ENOMEM;
	}
	setvbuf(fp, NULL, _IONBF, 0);
	pthread_mutex_lock(&j->sv->mu);
	j->sv->running++;
	pthread_mutex_unlock(&j->sv->mu);
	sv_job_produce(NULL, fp, j);
	fclose(fp);
	if (m.over || j->cancelled) {
		free(m.buf);
		return RV_ETOOBIG;
	}
	*out = m.buf;
	*len = m.len;
	return RV_OK;
}

uint64_t
sv_job_next_cursor(const struct sv_job *j)
{
	return j->limited ? j->cursor + j->rows : 0;
}

void
sv_job_free(void *arg)
{
	struct sv_job *j = arg;

	if (j == NULL)
		return;
	for (size_t i = 0; i < j->nhist; i++)
		free(j->hist[i]);
	free(j->hist);
	for (unsigned i = 0; i < j->nq; i++)
		rvq_query_free(&j->q[i]);
	rvq_ser_free(&j->ser);
	free(j->sb);
	free(j);
}

static const char *
sensor_name(void *db, uint16_t id)
{
	return rvq_db_sensor(db, id);
}

/* One row of the engine, or RV_ENOENT to stop. */
static int
row(void *arg, const struct rvq_row *r)
{
	struct sv_job *j = arg;
	int rc;

	j->seen++;
	if (j->seen < 64 || j->seen % CHECK_EVERY == 0) {
		/* in place: a query that runs long goes to a stream */
		if (j->s == NULL ? sv_now_ms() - j->t0 > SYNC_MS :
		    sv_stream_cancelled(j->s)) {
			j->cancelled = 1;
			return RV_ENOENT;
		}
	}
	if (j->req.route == SV_HISTORY) {	/* kept, to sort */
		struct rvq_row **h;
		if (j->nhist == j->limit) {
			j->limited = 1;
			return RV_ENOENT;
		}
		if ((h = realloc(j->hist, (j->nhist + 1) * sizeof(*h))) ==
		    NULL)
			return RV_ENOMEM;
		j->hist = h;
		if ((h[j->nhist] = rvq_row_copy(r)) == NULL)
			return RV_ENOMEM;
		j->nhist++;
		return RV_OK;
	}
	if (j->req.route != SV_LOOKUP) {	/* summarize, count */
		if (j->sum.results == j->max_count) {
			j->limited = 1;
			return RV_ENOENT;
		}
		rvq_summary_add(&j->sum, r);
		return RV_OK;
	}
	if (j->skip > 0) {
		j->skip--;
		return RV_OK;
	}
	if (j->rows == j->limit) {
		j->limited = 1;
		return RV_ENOENT;
	}
	if (j->fmt != NULL) {
		/* copied here, formatted by the formatter thread */
		if ((rc = sv_fmt_add(j->fmt, r)) == RV_OK && (j->rows < 64 ||
		    j->rows % CHECK_EVERY == 0) && sv_stream_hungry(j->s))
			rc = sv_fmt_hand_idle(j->fmt);
		if (rc != RV_OK) {
			j->fmt_rc = rc;
			return RV_ENOENT;
		}
		j->rows++;
		return RV_OK;
	}
	rc = j->req.proto == SV_DNSDB2 || j->req.proto == SV_DNSDB1 ?
	    rvq_ser_saf(&j->ser, j->sb, r) : rvq_ser_cof(&j->ser, j->sb, r);
	if (rc != RV_OK)
		return rc;
	j->rows++;
	if (j->sb->len >= CHUNK || (j->s != NULL && (j->rows < 64 ||
	    j->rows % CHECK_EVERY == 0) ? sv_stream_hungry(j->s) : 0))
		sb_flush(j->sb);
	if (j->sb->err) {
		j->cancelled = 1;
		return RV_ENOENT;
	}
	return RV_OK;
}

/* The formatter thread's side of a DNSDB stream (sv_fmt.h): SAF needs
 * nothing but the row. */
static int
fmt_row(void *arg, const struct rvq_row *r)
{
	struct sv_job *j = arg;
	int rc = rvq_ser_saf(&j->ser, j->sb, r);

	return rc != RV_OK ? rc : j->sb->err ? RV_EIO : RV_OK;
}

static int
fmt_end(void *arg)
{
	struct sv_job *j = arg;

	rvq_ser_forget(&j->ser);	/* its memos point into the batch */
	sb_flush(j->sb);
	return j->sb->err ? RV_EIO : RV_OK;
}

/* The serialiser as the protocol wants it. */
static void
ser_setup(struct sv_job *j)
{
	const struct sv_req *r = &j->req;
	int rdata = j->q[0].kind != RVQ_LOOKUP;

	j->ser.saf_single = rdata;
	j->ser.saf_bare = r->proto == SV_DNSDB1;
	j->ser.humantime = r->humantime;
	if (r->proto == SV_CIRCL)
		j->ser.origin = j->sv->c.origin;
	j->ser.sensor = sensor_name;	/* COF's sensor_id */
	j->ser.arg = &j->db;
	if (r->proto == SV_NATIVE)
		j->ser.geo = rvq_db_row_geo;
}

/* One figure of the database as a JSON member. */
static void
figure(void *arg, const char *key, enum rvq_stat_kind kind, uint64_t num,
    const char *str)
{
	struct sv_job *j = arg;

	sb_ch(j->sb, j->rows++ > 0 ? ',' : '{');
	sb_json(j->sb, key);	/* sensor names are the senders' */
	sb_ch(j->sb, ':');
	if (kind == RVQ_STAT_STR)
		sb_json(j->sb, str);
	else
		sb_u64(j->sb, num);
}

/* History: oldest first, as `rearview history` shows it. */
static int
by_first(const void *a, const void *b)
{
	const struct rvq_row *x = *(struct rvq_row *const *)a;
	const struct rvq_row *y = *(struct rvq_row *const *)b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->last < y->last ? -1 : x->last > y->last;
}

static int
history(struct sv_job *j)
{
	int rc = RV_OK;

	if (j->nhist > 1)	/* qsort wants an array, even of none */
		qsort(j->hist, j->nhist, sizeof(*j->hist), by_first);
	for (size_t i = 0; i < j->nhist && rc == RV_OK; i++) {
		rc = rvq_ser_cof(&j->ser, j->sb, j->hist[i]);
		j->rows++;
	}
	return rc;
}

/* A verdict of the request's value (the window: the reports'). */
static int
verdict(struct sv_job *j, struct rvq_err *err)
{
	struct rvq_verdict_cfg cfg;
	struct rvq_vd *v = malloc(sizeof(*v));
	int64_t now = time(NULL);
	char msg[256] = "";
	int rc;

	if (v == NULL)
		return RV_ENOMEM;
	memset(&cfg, 0, sizeof(cfg));
	cfg.phish = j->sv->phish;
	cfg.psl = j->sv->psl;
	cfg.win.until = now;
	cfg.win.since = now > j->req.window ? now - j->req.window : 0;
	rc = rvq_verdict(&j->db, &cfg, j->req.value, v, msg, sizeof(msg));
	if (rc == RV_EINVAL)
		snprintf(err->msg, sizeof(err->msg), "%s", msg);
	else if (rc != RV_OK)
		rvq_db_errf(err, &j->db, rc);
	else {
		rvq_verdict_json(j->sb, v);
		sb_ch(j->sb, '\n');
		j->rows++;
	}
	free(v);
	return rc;
}

/* A report over the window, its rows from offset to the limit. */
static int
report(struct sv_job *j, struct rvq_err *err)
{
	enum rvq_report_kind kind = j->req.report == 1 ? RVQ_REPORT_FF :
	    j->req.report == 3 ? RVQ_REPORT_PHISH : RVQ_REPORT_TUN;
	struct rvq_report_cfg cfg;
	struct rvq_report rep;
	size_t n, end;
	int64_t now = time(NULL);
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	memset(&rep, 0, sizeof(rep));
	cfg.kinds = kind == RVQ_REPORT_PHISH ? RVQ_REPORT_PHISH | RVQ_REPORT_FF |
	    RVQ_REPORT_TUN : kind;
	cfg.phish = j->sv->phish;
	rvq_ff_params_default(&cfg.ff);
	rvq_tun_params_default(&cfg.tun);
	cfg.win.until = now;
	cfg.win.since = now > j->req.window ? now - j->req.window : 0;
	cfg.all = j->req.all;
	cfg.psl = j->sv->psl;
	cfg.keep = j->req.offset + j->limit;
	rvq_allow_finish(&cfg.allow);
	if ((rc = rvq_report_scan(&j->db, &cfg, &rep)) != RV_OK)
		rvq_db_errf(err, &j->db, rc);
	n = kind == RVQ_REPORT_FF ? rep.nff : kind == RVQ_REPORT_PHISH ?
	    rep.nph : rep.ntun;
	end = j->req.offset >= n ? 0 : n - j->req.offset < j->limit ? n :
	    j->req.offset + j->limit;
	for (size_t i = j->req.offset; rc == RV_OK && i < end; i++) {
		if (kind == RVQ_REPORT_FF)
			rvq_report_ff_json(j->sb, &rep.ff[i], i + 1);
		else if (kind == RVQ_REPORT_PHISH)
			rvq_report_phish_json(j->sb, &rep.ph[i], i + 1);
		else
			rvq_report_tun_json(j->sb, &rep.tun[i], i + 1);
		sb_ch(j->sb, '\n');
		j->rows++;
	}
	j->limited = rc == RV_OK && end < n;
	rvq_report_free(&rep);
	rvq_allow_free(&cfg.allow);
	return rc;
}

/* Totals, as the route wants them. */
static void
totals(struct sv_job *j)
{
	struct sb *b = j->sb;

	if (j->req.route == SV_COUNT) {
		sb_str(b, "{\"results\":");
		sb_u64(b, j->sum.results);
		sb_str(b, ",\"capped\":");
		sb_str(b, j->limited ? "true" : "false");
		sb_str(b, "}\n");
		return;
	}
	rvq_ser_summary(b, j->req.proto == SV_DNSDB2, &j->sum, NULL);
}

/* Time for a new read transaction? Asked after every row; the clock is
 * read every 64th (a clock read per row was 4 % of a stream's work). */
static int
renew_due(void *arg)
{
	struct sv_job *j = arg;

	return ++j->renew_asks % 64 == 0 &&
	    sv_now_ms() - j->txn_ms >= j->sv->c.txn_ms;
}

/*
 * A stream's query in read transactions of about --txn-ms each: paused at
 * a row boundary, the transaction ended (rearviewd may reuse the pages it
 * freed since), a new one begun and the query resumed after its last row.
 */
static int
run_renewing(struct sv_job *j, const struct rvq_query *q,
    struct rvq_err *err)
{
	struct rvq_resume res;
	int rc;

	memset(&res, 0, sizeof(res));
	for (;;) {
		j->txn_ms = sv_now_ms();
		rc = rvq_exec_resumable(&j->db, q, row, j, renew_due, j, &res,
		    err);
		if (rc != RV_OK || !res.paused || j->limited || j->cancelled ||
		    j->fmt_rc != RV_OK)
			return rc;
		/* the memos point into this transaction's pages (with a
		 * formatter, into its batches, and it forgets them) */
		if (j->fmt == NULL)
			rvq_ser_forget(&j->ser);
		rvq_db_close(&j->db);
		if ((rc = rvq_db_attach(&j->db, j->sv->st, j->sv->c.db,
		    err)) != RV_OK)
			return rc;
		j->renewals++;
		res.set = 1;
	}
}

void
sv_job_produce(struct sv_stream *s, FILE *fp, void *arg)
{
	struct sv_job *j = arg;
	int saf = j->req.proto == SV_DNSDB2, rc = RV_OK;
	struct rvq_err err = { "" };

	j->s = s;
	memset(j->sb, 0, sizeof(*j->sb));
	j->sb->fp = fp;
	ser_setup(j);
	if (saf)
		rvq_ser_saf_begin(j->sb, NULL);
	if ((rc = rvq_db_attach(&j->db, j->sv->st, j->sv->c.db, &err)) ==
	    RV_OK && j->req.sensor[0] != '\0') {
		j->f.sensor_set = 1;
		if (rvq_db_sensor_id(&j->db, j->req.sensor, &j->f.sensor_id) !=
		    RV_OK)
			j->f.sensor_id = UINT16_MAX;	/* matches nothing */
	}
	if (rc == RV_OK && j->req.route == SV_REPORT)
		rc = j->req.report == 4 ? verdict(j, &err) : report(j, &err);
	if (rc == RV_OK && j->req.route == SV_STATS) {
		if ((rc = rvq_stats(&j->db, figure, j)) == RV_OK)
			sb_str(j->sb, j->rows > 0 ? "}\n" : "{}\n");
		else
			rvq_db_errf(&err, &j->db, rc);
	}
	/* A DNSDB stream formats in a second thread; CIRCL's and the native
	 * rows call back into the database (sensor names, enrichment). */
	if (rc == RV_OK && s != NULL && j->req.route == SV_LOOKUP &&
	    (saf || j->req.proto == SV_DNSDB1) &&
	    sv_fmt_start(&j->fmt, fmt_row, fmt_end, j) != RV_OK)
		j->fmt = NULL;		/* then in this thread */
	for (unsigned i = 0; rc == RV_OK && i < j->nq && !j->limited &&
	    !j->cancelled && j->fmt_rc == RV_OK; i++)
		rc = s != NULL && rvq_resumable(&j->q[i]) ?
		    run_renewing(j, &j->q[i], &err) :
		    rvq_exec(&j->db, &j->q[i], row, j, &err);
	if (j->fmt != NULL) {
		int e = sv_fmt_stop(j->fmt);

		j->fmt = NULL;
		if (e == RV_OK)
			e = j->fmt_rc;
		if (e == RV_EIO)
			j->cancelled = 1;	/* the client has gone */
		else if (e != RV_OK && rc == RV_OK)
			rc = e;
	}
	if (rc == RV_OK && (j->req.route == SV_SUMMARIZE || j->req.route ==
	    SV_COUNT) && !j->cancelled)
		totals(j);
	if (rc == RV_OK && j->req.route == SV_HISTORY && !j->cancelled)
		rc = history(j);
	if (saf && rc != RV_OK && !j->cancelled) {
		sb_str(j->sb, "{\"cond\":\"failed\",\"msg\":");
		sb_json(j->sb, err.msg[0] != '\0' ? err.msg : rv_strerror(rc));
		sb_str(j->sb, "}\n");
	} else if (saf && !j->cancelled)
		rvq_ser_saf_end(j->sb, j->limited);
	sb_flush(j->sb);
	rvq_ser_forget(&j->ser);
	rvq_db_close(&j->db);
	pthread_mutex_lock(&j->sv->mu);
	j->sv->running--;
	pthread_mutex_unlock(&j->sv->mu);
	if (s == NULL && j->cancelled)
		return;		/* given up in place: the stream logs it */
	sv_log(j->sv, "query key=%s q=%s rows=%llu%s%s ms=%llu txns=%u%s%s",
	    j->who, j->nq > 0 ? j->q[0].arg : j->req.route == SV_REPORT ?
	    (j->req.report == 1 ? "report fastflux" : j->req.report == 2 ?
	    "report tunnel" : j->req.report == 3 ? "report phishing" :
	    "verdict") : "stats",
	    (unsigned long long)(j->req.route == SV_LOOKUP || j->req.route ==
	    SV_HISTORY || j->req.route == SV_REPORT ? j->rows :
	    j->sum.results), j->limited ? " limited" : "",
	    j->cancelled ? " cancelled" : "",
	    (unsigned long long)(sv_now_ms() - j->t0), j->renewals + 1,
	    rc != RV_OK ?
	    " error=" : "", rc != RV_OK ? (err.msg[0] != '\0' ? err.msg :
	    rv_strerror(rc)) : "");
}
