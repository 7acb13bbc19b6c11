/**
 * \file report_scan.c
 * The database side of `rearview report`: one pass over the rrset and neg
 * databases, merged by owner name (both keys start with NK(owner), so
 * every name's RRsets and negative answers come together, names in DNS
 * canonical order), in read-only transactions renewed every RVQ_REPORT_CHUNK
 * records at a name boundary.
 *
 * Each name feeds the fast-flux side (report_scan_ff.c) and the
 * tunnelling side (report_scan_tun.c); the state they share is in
 * report_scan.h.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_scan.h"
#include "rv_err.h"
#include "rv_name.h"
#include "rv_store.h"
#include "rvq_newdom.h"

/* Compare two byte strings, shorter first on a common prefix. */
int
rvq_scan_bcmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n ? memcmp(a, b, n) : 0;

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int
cur_get(struct cur *c, enum rv_op op)
{
	int rc = rv_cursor_get(c->c, &c->k, &c->v, op);

	if (rc == RV_ENOENT) {
		c->eof = 1;
		return RV_OK;
	}
	if (rc != RV_OK)
		return rc;
	if (c->pfx != NULL && !rv_key_has_prefix(&c->k, c->pfx)) {
		c->eof = 1;
		return RV_OK;
	}
	c->eof = 0;
	return rv_name_key_len(c->k.data, c->k.len, &c->nklen) ==
	    RV_OK ? RV_OK : RV_ECORRUPT;
}

static int
cur_open(struct scan *s, struct cur *c)
{
	return rv_cursor_open(s->db->st, s->db->txn, c->db, &c->c);
}

/* End the read transaction and begin a fresh one, putting both cursors
 * back on the record they were on. */
static int
renew(struct scan *s)
{
	struct cur *cs[2] = { &s->rr, &s->neg };
	int i, rc = RV_OK;

	for (i = 0; i < 2; i++) {
		if (!cs[i]->eof) {
			cs[i]->savelen = cs[i]->k.len;
			memcpy(cs[i]->save, cs[i]->k.data, cs[i]->savelen);
		}
		rv_cursor_close(cs[i]->c);
		cs[i]->c = NULL;
	}
	if ((rc = rvq_db_renew(s->db)) != RV_OK)
		goto leave;
	s->rep->txns++;
	for (i = 0; i < 2; i++) {
		if ((rc = cur_open(s, cs[i])) != RV_OK)
			goto leave;
		if (cs[i]->eof)
			continue;
		cs[i]->k.data = cs[i]->save;
		cs[i]->k.len = cs[i]->savelen;
		if ((rc = cur_get(cs[i], RV_SET_RANGE)) != RV_OK)
			goto leave;
	}
	s->nrec = 0;
leave:
	return rc;
}

static int
same_name(const struct scan *s, const struct cur *c)
{
	return !c->eof && c->nklen == s->nklen &&
	    memcmp(c->k.data, s->nk, s->nklen) == 0;
}

/* --- the merge ------------------------------------------------------------ */

static int
do_rrset(struct scan *s)
{
	const uint8_t *k = s->rr.k.data;
	struct rv_rrset_val val;
	uint16_t type;
	int rc;

	if (s->rr.k.len < s->rr.nklen + 2)
		return RV_ECORRUPT;
	type = (uint16_t)(k[s->rr.nklen] << 8 | k[s->rr.nklen + 1]);
	rc = rv_rrset_val_decode(s->rr.v.data, s->rr.v.len, &val);
	if (rc != RV_OK)
		return rc;
	if ((s->cfg->kinds & RVQ_REPORT_FF) && (type == TYPE_A ||
	    type == TYPE_AAAA) && (rc = rvq_scan_ff_rrset(s, type, &val)) != RV_OK)
		return rc;
	if (s->cfg->kinds & RVQ_REPORT_PHISH)
		rvq_scan_ph_rrset(s, type, &val);
	if (s->below && rvq_tun_add_rrset(&s->stack[s->depth - 1].d,
	    &s->cfg->win, type, val.first, val.last, val.count))
		s->name_in = 1;
	return RV_OK;
}

static int
do_neg(struct scan *s)
{
	const uint8_t *k = s->neg.k.data;
	struct rv_rrset_val val;
	int rc;

	if (!s->below)
		return RV_OK;
	if (s->neg.k.len < s->neg.nklen + 3)
		return RV_ECORRUPT;
	rc = rv_neg_val_decode(s->neg.v.data, s->neg.v.len, &val);
	if (rc != RV_OK)
		return rc;
	if (rvq_tun_add_neg(&s->stack[s->depth - 1].d, &s->cfg->win,
	    k[s->neg.nklen + 2], val.first, val.last, val.count))
		s->name_in = 1;
	return RV_OK;
}

/* All records of the next name. */
static int
one_name(struct scan *s)
{
	const struct cur *c;
	int allowed, rc;

	if (s->rr.eof)
		c = &s->neg;
	else if (s->neg.eof)
		c = &s->rr;
	else
		c = rvq_scan_bcmp(s->rr.k.data, s->rr.nklen, s->neg.k.data,
		    s->neg.nklen) <= 0 ? &s->rr : &s->neg;
	s->nklen = c->nklen;
	memcpy(s->nk, c->k.data, c->nklen);
	if ((rc = rv_name_from_key(s->nk, s->nklen, s->owner, &s->olen)))
		return rc;
	allowed = rvq_allow_match(&s->cfg->allow, s->owner, s->olen);
	rvq_ff_name_start(&s->ffn, s->owner, s->olen);
	s->have_zone = 0;
	s->below = 0;
	s->ph_in = 0;
	s->ph_naddr = 0;
	s->ph_ttl = 0;
	s->ph_first = UINT32_MAX;
	s->ph_last = 0;
	if (!allowed && (s->cfg->kinds & RVQ_REPORT_TUN) &&
	    (rc = rvq_scan_tun_begin(s)) != RV_OK)
		return rc;
	while (same_name(s, &s->rr)) {
		if (!allowed && (rc = do_rrset(s)) != RV_OK)
			return rc;
		s->nrec++;
		s->rep->records++;
		if ((rc = cur_get(&s->rr, RV_NEXT)) != RV_OK)
			return rc;
	}
	while (same_name(s, &s->neg)) {
		if (!allowed && (rc = do_neg(s)) != RV_OK)
			return rc;
		s->nrec++;
		s->rep->records++;
		if ((rc = cur_get(&s->neg, RV_NEXT)) != RV_OK)
			return rc;
	}
	if (allowed)
		return RV_OK;
	if ((s->cfg->kinds & RVQ_REPORT_FF) && (rc = rvq_scan_ff_done(s)) != RV_OK)
		return rc;
	if ((s->cfg->kinds & RVQ_REPORT_PHISH) &&
	    (rc = rvq_scan_ph_done(s)) != RV_OK)
		return rc;
	rvq_scan_tun_end(s);
	return RV_OK;
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
rvq_report_scan(struct rvq_db *db, const struct rvq_report_cfg *cfg,
    struct rvq_report *rep)
{
	struct scan *s;
	double t0 = now_mono();
	int rc = RV_OK;

	memset(rep, 0, sizeof(*rep));
	rep->win = cfg->win;
	rep->generated = (int64_t)time(NULL);
	rep->txns = 1;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return RV_ENOMEM;
	s->db = db;
	s->cfg = cfg;
	s->rep = rep;
	s->rr.db = RV_DB_RRSET;
	s->neg.db = RV_DB_NEG;
	s->stack = calloc(STACK_MAX, sizeof(*s->stack));
	s->geo = calloc(GEO_SLOTS, sizeof(*s->geo));
	if (s->stack == NULL || s->geo == NULL) {
		rc = RV_ENOMEM;
		goto leave;
	}
	if ((cfg->kinds & RVQ_REPORT_PHISH) && rv_store_regdom_since(db->st,
	    db->txn, &rep->regdom_since) != RV_OK)
		rep->regdom_since = 0;
	if ((cfg->kinds & RVQ_REPORT_PHISH) &&
	    (rc = rvq_newdom_observing(db, &rep->observing_since)) != RV_OK)
		goto leave;
	if (cfg->prefix != NULL) {
		/* rrset and neg keys both start with NK(owner). */
		if ((rc = rv_key_rrset_sub(&s->pfx, cfg->prefix,
		    cfg->prefix_len)) != RV_OK)
			goto leave;
		s->rr.pfx = s->neg.pfx = &s->pfx;
		s->rr.k = s->neg.k = rv_key_val(&s->pfx);
	}
	if ((rc = cur_open(s, &s->rr)) != RV_OK ||
	    (rc = cur_open(s, &s->neg)) != RV_OK ||
	    (rc = cur_get(&s->rr, cfg->prefix ? RV_SET_RANGE : RV_FIRST)) !=
	    RV_OK ||
	    (rc = cur_get(&s->neg, cfg->prefix ? RV_SET_RANGE : RV_FIRST)) !=
	    RV_OK)
		goto leave;
	while (!s->rr.eof || !s->neg.eof) {
		if ((rc = one_name(s)) != RV_OK)
			goto leave;
		if (s->nrec >= (cfg->chunk ? cfg->chunk : RVQ_REPORT_CHUNK) &&
		    (rc = renew(s)) != RV_OK)
			goto leave;
	}
	while (s->depth > 0)
		if ((rc = rvq_scan_tun_pop(s)) != RV_OK)
			goto leave;
	if (rep->nff > 1)
		qsort(rep->ff, rep->nff, sizeof(*rep->ff), rvq_scan_cmp_ff);
	if (rep->ntun > 1)
		qsort(rep->tun, rep->ntun, sizeof(*rep->tun), rvq_scan_cmp_tun);
	if ((cfg->kinds & RVQ_REPORT_PHISH) &&
	    (rc = rvq_scan_ph_finish(s)) != RV_OK)
		goto leave;
	if (cfg->keep > 0) {
		rvq_scan_ff_cut(rep, cfg->keep);
		rvq_scan_tun_cut(rep, cfg->keep);
		rvq_scan_ph_cut(rep, cfg->keep);
	}
	/* NS names weigh in neither score (Holz: 0 nNS): look them up only
	 * for the rows kept, in the last read transaction. */
	rc = rvq_scan_ff_ns(s);
leave:
	rv_cursor_close(s->rr.c);
	rv_cursor_close(s->neg.c);
	rvq_ff_name_free(&s->ffn);
	rvq_ff_ns_free(&s->ns);
	free(s->abuf);
	free(s->nsbuf);
	free(s->stack);
	free(s->geo);
	free(s->ph_part);
	free(s);
	rep->seconds = now_mono() - t0;
	return rc;
}

void
rvq_report_free(struct rvq_report *rep)
{
	size_t i;
	unsigned j;

	for (i = 0; i < rep->nff; i++) {
		free(rep->ff[i].rr);
		free(rep->ff[i].addr);
	}
	for (i = 0; i < rep->ntun; i++)
		for (j = 0; j < RVQ_REPORT_SAMPLES; j++)
			free(rep->tun[i].sample[j]);
	free(rep->ff);
	free(rep->tun);
	free(rep->ph);
	memset(rep, 0, sizeof(*rep));
}
