/**
 * \file sink.c
 * The ClickHouse sinks' batches (sink.h): rows tapped from a flush, one
 * batch per committed flush, appended to every sink's journal.
 */
#include "sink.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "log.h"
#include "rv_err.h"
#include "sink_batch.h"

struct rvd_sink {
	struct rv_ch_url url;
	char dir[4096];
	struct rvd_journal *j;
	struct rvd_sink_sender *snd;
};

struct rvd_sinks {
	struct rvd_sink **v;
	size_t n;
	struct rvd_batch b;	/* this flush's rows */
	const void *psl;
	/* sensor names by id, read from the store as rows name them */
	char **names;
	size_t nnames;
	struct rv_store *st;
	struct rv_txn *txn;	/* the attempt's, for the names */
};

/* DBDIR/sink-HOST_PORT_DB: the journal of one sink, named by where it
 * sends, so reordering --sink options keeps each journal with its sink. */
static int
sink_dir(char *out, size_t outsz, const char *dbdir,
    const struct rv_ch_url *u)
{
	char name[sizeof(u->base) + sizeof(u->db)];
	const char *h = strstr(u->base, "://");
	size_t n = 0;

	for (h = h ? h + 3 : u->base; *h && n + 1 < sizeof(name); h++)
		name[n++] = isalnum((unsigned char)*h) ? *h : '_';
	while (n > 0 && name[n - 1] == '_')
		n--;
	name[n] = '\0';
	return snprintf(out, outsz, "%s/sink-%s_%s", dbdir, name, u->db) <
	    (int)outsz ? RV_OK : RV_ETOOBIG;
}

int
rvd_sinks_open(struct rvd_sinks **out, const char *dbdir, char *const *urls,
    size_t n, uint64_t journal_max, const void *psl, char *err, size_t errsz)
{
	struct rvd_sinks *s;
	const char *why;
	int rc = RV_OK;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (n > 0 && (s->v = calloc(n, sizeof(*s->v))) == NULL)) {
		free(s);
		snprintf(err, errsz, "out of memory");
		return RV_ENOMEM;
	}
	s->psl = psl;
	for (size_t i = 0; i < n; i++) {
		struct rvd_sink *k = calloc(1, sizeof(*k));

		if (k == NULL) {
			rc = RV_ENOMEM;
			snprintf(err, errsz, "out of memory");
			break;
		}
		s->v[s->n++] = k;
		if ((rc = rv_ch_url_parse(urls[i], &k->url, &why)) != RV_OK) {
			snprintf(err, errsz, "--sink '%s': %s", urls[i], why);
			break;
		}
		if ((rc = sink_dir(k->dir, sizeof(k->dir), dbdir, &k->url)) !=
		    RV_OK ||
		    (rc = rvd_journal_open(k->dir, journal_max, &k->j)) !=
		    RV_OK) {
			snprintf(err, errsz, "--sink '%s': its journal '%s': %s",
			    urls[i], k->dir, rv_strerror(rc));
			break;
		}
		if ((rc = rvd_sink_sender_start(&k->url, k->j, k->dir, psl,
		    &k->snd)) != RV_OK) {
			snprintf(err, errsz, "--sink '%s': %s", urls[i],
			    rv_strerror(rc));
			break;
		}
	}
	if (rc != RV_OK)
		rvd_sinks_close(s);
	else
		*out = s;
	return rc;
}

void
rvd_sinks_close(struct rvd_sinks *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		rvd_sink_sender_stop(s->v[i]->snd);
		rvd_journal_close(s->v[i]->j);
		free(s->v[i]);
	}
	free(s->v);
	rvd_batch_free(&s->b);
	for (size_t i = 0; i < s->nnames; i++)
		free(s->names[i]);
	free(s->names);
	free(s);
}

void
rvd_sinks_begin(struct rvd_sinks *s, struct rv_store *st, struct rv_txn *txn,
    uint32_t now)
{
	rvd_batch_begin(&s->b, now);
	s->st = st;
	s->txn = txn;
}

/* A sensor's name, read from the store the first time an id is seen. */
static const char *
sensor_name(void *arg, uint16_t id)
{
	struct rvd_sinks *s = arg;
	char name[RV_SENSOR_MAX + 1];

	if (id >= s->nnames) {
		char **nn = realloc(s->names, ((size_t)id + 1) * sizeof(*nn));
		if (nn == NULL)
			return NULL;
		memset(nn + s->nnames, 0, ((size_t)id + 1 - s->nnames) *
		    sizeof(*nn));
		s->names = nn;
		s->nnames = (size_t)id + 1;
	}
	if (s->names[id] == NULL && rv_store_sensor_name(s->st, s->txn, id,
	    name, sizeof(name)) == RV_OK)
		s->names[id] = strdup(name);
	return s->names[id];
}

int
rvd_sinks_row(struct rvd_sinks *s, enum rv_db db, const void *k, size_t klen,
    const void *v, size_t vlen)
{
	int rc;

	if (s->n == 0 || !rv_ch_sent(db, k, klen))
		return RV_OK;
	rc = rvd_batch_row(&s->b, db, k, klen, v, vlen, sensor_name, s);
	if (rc == RV_ECORRUPT) {	/* the store's own encoding: a bug */
		rvd_log(LOG_WARNING, "sink: a %s row that does not encode, "
		    "not sent", rv_db_name(db));
		return RV_OK;
	}
	return rc;
}

int
rvd_sinks_commit(struct rvd_sinks *s)
{
	struct iovec iov[2];
	int rc, first = RV_OK;

	if (s->n == 0 || rvd_batch_empty(&s->b))
		return RV_OK;
	rvd_batch_iov(&s->b, iov);
	for (size_t i = 0; i < s->n; i++) {
		rc = rvd_journal_appendv(s->v[i]->j, iov, 2);
		if (rc != RV_OK) {
			rvd_log(LOG_ERR, "sink %s%s: a batch of %zu octets is "
			    "not in its journal: %s", s->v[i]->url.base,
			    s->v[i]->url.db, iov[0].iov_len + iov[1].iov_len,
			    rv_strerror(rc));
			if (first == RV_OK)
				first = rc;
			continue;
		}
		rvd_sink_sender_kick(s->v[i]->snd);
	}
	return first;
}

static void
tap_begin(void *arg, struct rv_store *st, struct rv_txn *txn, uint32_t now)
{
	rvd_sinks_begin(arg, st, txn, now);
}

static int
tap_row(void *arg, enum rv_db db, const void *k, size_t klen, const void *v,
    size_t vlen)
{
	return rvd_sinks_row(arg, db, k, klen, v, vlen);
}

static int
tap_commit(void *arg)
{
	return rvd_sinks_commit(arg);
}

void
rvd_sinks_tap(struct rvd_sinks *s, struct rvd_flush_tap *tap)
{
	tap->begin = tap_begin;
	tap->row = tap_row;
	tap->commit = tap_commit;
	tap->arg = s;
}
