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

struct rvd_sink {
	struct rv_ch_url url;
	char dir[4096];
	struct rvd_journal *j;
	struct rvd_sink_sender *snd;
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
rvd_sinks_open(struct rvd_sinks *s, const char *dbdir, char *const *urls,
    size_t n, uint64_t journal_max, const void *psl, char *err, size_t errsz)
{
	const char *why;
	int rc = RV_OK;

	memset(s, 0, sizeof(*s));
	s->psl = psl;
	if (n == 0)
		return RV_OK;
	if ((s->v = calloc(n, sizeof(*s->v))) == NULL)
		return RV_ENOMEM;
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
		if ((rc = rvd_sink_sender_start(&k->url, k->j, k->dir,
		    &k->snd)) != RV_OK) {
			snprintf(err, errsz, "--sink '%s': %s", urls[i],
			    rv_strerror(rc));
			break;
		}
	}
	if (rc != RV_OK)
		rvd_sinks_close(s);
	return rc;
}

void
rvd_sinks_close(struct rvd_sinks *s)
{
	for (size_t i = 0; i < s->n; i++) {
		rvd_sink_sender_stop(s->v[i]->snd);
		rvd_journal_close(s->v[i]->j);
		free(s->v[i]);
	}
	free(s->v);
	for (int d = 0; d < RV_DB_COUNT; d++)
		rv_chbuf_free(&s->tab[d]);
	for (size_t i = 0; i < s->nnames; i++)
		free(s->names[i]);
	free(s->names);
	memset(s, 0, sizeof(*s));
}

void
rvd_sinks_begin(struct rvd_sinks *s, struct rv_store *st, struct rv_txn *txn,
    uint32_t now)
{
	for (int d = 0; d < RV_DB_COUNT; d++)
		rv_chbuf_reset(&s->tab[d]);
	s->st = st;
	s->txn = txn;
	s->now = now;
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

	if (s->n == 0 || rv_ch_table(db) == NULL)
		return RV_OK;
	rc = rv_ch_row(&s->tab[db], db, k, klen, v, vlen, s->psl, sensor_name,
	    s, s->now);
	if (rc == RV_ECORRUPT) {	/* the store's own encoding: a bug */
		rvd_log(LOG_WARNING, "sink: a %s row that does not encode, "
		    "not sent", rv_db_name(db));
		return RV_OK;
	}
	return rc;
}

/* The batch: each table with rows as one part (sink_send.h). */
static int
batch(const struct rvd_sinks *s, uint8_t **out, size_t *len)
{
	size_t n = 0, off = 0;
	uint8_t *p;

	for (int d = 0; d < RV_DB_COUNT; d++)
		if (s->tab[d].rows)
			n += 1 + strlen(rv_ch_table((enum rv_db)d)) + 8 +
			    s->tab[d].len;
	*out = NULL;
	*len = 0;
	if (n == 0)
		return RV_OK;
	if ((p = malloc(n)) == NULL)
		return RV_ENOMEM;
	for (int d = 0; d < RV_DB_COUNT; d++) {
		const struct rv_chbuf *b = &s->tab[d];
		const char *name = rv_ch_table((enum rv_db)d);
		size_t nl;

		if (b->rows == 0)
			continue;
		nl = strlen(name);
		p[off++] = (uint8_t)nl;
		memcpy(p + off, name, nl);
		off += nl;
		for (int i = 0; i < 4; i++)
			p[off++] = (uint8_t)(b->rows >> (24 - 8 * i));
		for (int i = 0; i < 4; i++)
			p[off++] = (uint8_t)((uint32_t)b->len >> (24 - 8 * i));
		memcpy(p + off, b->p, b->len);
		off += b->len;
	}
	*out = p;
	*len = off;
	return RV_OK;
}

int
rvd_sinks_commit(struct rvd_sinks *s)
{
	uint8_t *p;
	size_t len;
	int rc, first = RV_OK;

	if (s->n == 0)
		return RV_OK;
	if ((rc = batch(s, &p, &len)) != RV_OK) {
		rvd_log(LOG_ERR, "sink: this flush's deltas are in no journal: "
		    "%s", rv_strerror(rc));
		return rc;
	}
	if (len == 0)
		return RV_OK;
	for (size_t i = 0; i < s->n; i++) {
		rc = rvd_journal_append(s->v[i]->j, p, len);
		if (rc != RV_OK) {
			rvd_log(LOG_ERR, "sink %s%s: a batch of %zu octets is "
			    "not in its journal: %s", s->v[i]->url.base,
			    s->v[i]->url.db, len, rv_strerror(rc));
			if (first == RV_OK)
				first = rc;
			continue;
		}
		rvd_sink_sender_kick(s->v[i]->snd);
	}
	s->batches++;
	s->bytes += len;
	free(p);
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
