/**
 * \file ser.c
 * COF and DNSDB SAF serialisers (rvq_ser.h).
 */
#include <stdlib.h>
#include <string.h>

#include "rv_err.h"
#include "rvq_ser.h"

/* JSON enrichment objects kept by the stored value they were made from
 * (answers from the in-memory table share one value per AS and place),
 * so a scan renders each only once. */
#define GEO_MEMO 64
#define GEO_MEMO_TEXT 256
struct geo_memo {
	const uint8_t *v;	/* NULL: empty */
	uint32_t vlen;
	int rc;
	size_t len;
	char text[GEO_MEMO_TEXT];
};

/* Per-row scratch: big enough for any name and rdata text. */
struct rvq_ser_scratch {
	struct geo_memo gm[GEO_MEMO];
	struct sb gsb;		/* renders an enrichment object: at most
				 * about 3 KiB, so never flushed (no fp) */
	char name[RV_NAME_STR_MAX * 3];
	char uname[RV_NAME_STR_MAX * 3];
	struct rvq_bw_memo bw;
	char sens[1024];
	char rd[RVQ_RDATA_STR_MAX];
};

int
rvq_ser_init(struct rvq_ser *ser)
{
	memset(ser, 0, sizeof(*ser));
	if ((ser->s = malloc(sizeof(*ser->s))) == NULL)
		return RV_ENOMEM;
	ser->s->gsb.fp = NULL;
	rvq_ser_forget(ser);
	return RV_OK;
}

void
rvq_ser_free(struct rvq_ser *ser)
{
	free(ser->s);
	ser->s = NULL;
}

void
rvq_ser_forget(struct rvq_ser *ser)
{
	memset(ser->s->gm, 0, sizeof(ser->s->gm));
	ser->s->bw.len = 0;
}

struct rvq_bw_memo *
rvq_ser_bw(struct rvq_ser *ser)
{
	return &ser->s->bw;
}

static void
geo_json(struct sb *b, const struct rv_ipinfo *g)
{
	sb_str(b, "{\"asn\":");
	sb_u64(b, g->asn);
	if (g->org[0]) {
		sb_str(b, ",\"as_org\":");
		sb_json(b, g->org);
	}
	if (g->cc[0]) {
		sb_str(b, ",\"country\":");
		sb_json(b, g->cc);
	}
	if (g->city[0]) {
		sb_str(b, ",\"city\":");
		sb_json(b, g->city);
	}
	sb_ch(b, '}');
}

/* The JSON enrichment object of one rdata of a row, rendered or from the
 * memo. \return 0 with *t and *tl set, or nonzero when there is none. */
static int
geo_text(struct rvq_ser *ser, const struct rvq_row *r, const uint8_t *rd,
    uint16_t len, const char **t, size_t *tl)
{
	struct rvq_ser_scratch *s = ser->s;
	const struct rvq_geo_ans *a = rvq_row_geo_answer(r, rd, len);
	struct geo_memo *m = NULL;
	struct rv_ipinfo g;
	int rc;

	if (a != NULL && a->rc == RV_OK && a->v != NULL) {
		uintptr_t h = (uintptr_t)a->v;

		m = &s->gm[(h ^ h >> 7 ^ h >> 13) % GEO_MEMO];
		if (m->v == a->v && m->vlen == a->vlen) {
			*t = m->text;
			*tl = m->len;
			return m->rc;
		}
	}
	s->gsb.len = 0;
	s->gsb.err = 0;
	if ((rc = ser->geo(ser->arg, r, rd, len, &g)) == RV_OK)
		geo_json(&s->gsb, &g);
	*t = s->gsb.buf;
	*tl = s->gsb.len;
	if (m != NULL && s->gsb.len <= GEO_MEMO_TEXT) {
		m->v = a->v;
		m->vlen = a->vlen;
		m->rc = rc;
		m->len = s->gsb.len;
		memcpy(m->text, s->gsb.buf, s->gsb.len);
	}
	return rc;
}

/* "rdata":[...] (or a string when single), then the enrichment array. */
static int
json_rdata(struct rvq_ser *ser, struct sb *b, const struct rvq_row *r,
    int single, int with_geo)
{
	struct rvq_ser_scratch *s = ser->s;
	const uint8_t *rd;
	uint16_t len;
	size_t off = 0;
	int rc, n = 0, geo = 0;

	sb_str(b, single ? ",\"rdata\":" : ",\"rdata\":[");
	while ((rc = rvq_row_rd_next(r, &off, &rd, &len)) == RV_OK) {
		if (n++ > 0)
			sb_ch(b, ',');
		rvq_rdata_str(r, rd, len, ser->idn, s->rd, sizeof(s->rd));
		sb_json(b, s->rd);
	}
	if (!single)
		sb_ch(b, ']');
	if (rc != RV_ENOENT)
		return rc;
	if (!with_geo || ser->geo == NULL || !rvq_row_has_ips(r))
		return RV_OK;
	off = 0;
	while (rvq_row_rd_next(r, &off, &rd, &len) == RV_OK) {
		const char *t;
		size_t tl;

		if (geo_text(ser, r, rd, len, &t, &tl) != RV_OK) {
			if (geo > 0)
				sb_str(b, ",null");
			else if (n > 1)	/* keep the array aligned */
				sb_str(b, ",\"enrichment\":[null");
			else
				continue;
			geo++;
			continue;
		}
		sb_str(b, geo > 0 ? "," : ",\"enrichment\":[");
		sb_mem(b, t, tl);
		geo++;
	}
	if (geo > 0)
		sb_ch(b, ']');
	return RV_OK;
}

/* A negative answer has no rdata: "rcode":"NXDOMAIN" says what it was. */
static int
json_rcode(struct sb *b, const struct rvq_row *r)
{
	char buf[RVQ_RCODE_STR_MAX];

	sb_str(b, ",\"rcode\":\"");
	sb_str(b, rvq_rcode_str(r->rcode, buf));
	sb_ch(b, '"');
	return RV_OK;
}

/* "sensors":[...] when there are several, and "sensor_id", the first. */
static void
json_sensors(struct rvq_ser *ser, struct sb *b, const struct rvq_row *r)
{
	struct rvq_ser_scratch *s = ser->s;

	rvq_sensors_str(r, ser->sensor, ser->arg, s->sens, sizeof(s->sens));
	if (strchr(s->sens, ',') != NULL) {
		sb_str(b, ",\"sensors\":[");
		for (char *p = s->sens, *q; p != NULL; p = q) {
			if ((q = strchr(p, ',')) != NULL)
				*q++ = '\0';
			if (p != s->sens)
				sb_ch(b, ',');
			sb_json(b, p);
		}
		sb_ch(b, ']');
	}
	sb_str(b, ",\"sensor_id\":");
	sb_json(b, s->sens);	/* the first one */
}

int
rvq_ser_cof(struct rvq_ser *ser, struct sb *b, const struct rvq_row *r)
{
	struct rvq_ser_scratch *s = ser->s;
	int rc = RV_OK;

	rvq_name_str(r->owner, r->owner_len, 0, s->name, sizeof(s->name));
	sb_str(b, "{\"rrname\":");
	sb_json(b, s->name);
	if (ser->idn && rvq_name_str(r->owner, r->owner_len, 1, s->uname,
	    sizeof(s->uname)) == RV_OK && strcmp(s->uname, s->name) != 0) {
		char *u = strstr(s->uname, " (");
		u[strlen(u) - 1] = '\0';
		sb_str(b, ",\"rrname_unicode\":");
		sb_json(b, u + 2);
	}
	if (r->kind != RVQ_ROW_NAME) {
		sb_str(b, ",\"rrtype\":\"");
		sb_str(b, rvq_type_str(r->type));
		sb_ch(b, '"');
		rc = r->negative ? json_rcode(b, r) :
		    json_rdata(ser, b, r, 0, 1);
	}
	sb_str(b, ",\"time_first\":");
	sb_u64(b, r->first);
	sb_str(b, ",\"time_last\":");
	sb_u64(b, r->last);
	sb_str(b, ",\"count\":");
	sb_u64(b, r->count);
	if (r->zone_len > 0) {
		sb_str(b, ",\"bailiwick\":");
		sb_json(b, rvq_bailiwick_str(&s->bw, r));
	}
	if (r->nsens > 0)
		json_sensors(ser, b, r);
	if (r->has_ttl) {
		sb_str(b, ",\"ttl_min\":");
		sb_u64(b, r->ttl_min);
		sb_str(b, ",\"ttl_max\":");
		sb_u64(b, r->ttl_max);
	}
	if (ser->query != NULL) {
		sb_str(b, ",\"query\":");
		sb_json(b, ser->query);
	}
	if (ser->origin != NULL) {
		sb_str(b, ",\"origin\":");
		sb_json(b, ser->origin);
	}
	sb_str(b, "}\n");
	return rc;
}

/* A SAF time: a number, or with humantime an ISO 8601 string. */
static void
saf_time(const struct rvq_ser *ser, struct sb *b, uint32_t t)
{
	char s[40];

	if (!ser->humantime) {
		sb_u64(b, t);
		return;
	}
	rvq_time_str(t, 1, s, sizeof(s));
	sb_ch(b, '"');
	sb_str(b, s);
	sb_ch(b, '"');
}

int
rvq_ser_saf(struct rvq_ser *ser, struct sb *b, const struct rvq_row *r)
{
	struct rvq_ser_scratch *s = ser->s;
	int rc = RV_OK;

	sb_str(b, ser->saf_bare ? "{\"count\":" : "{\"obj\":{\"count\":");
	sb_u64(b, r->count);
	sb_str(b, ",\"time_first\":");
	saf_time(ser, b, r->first);
	sb_str(b, ",\"time_last\":");
	saf_time(ser, b, r->last);
	rvq_name_str(r->owner, r->owner_len, 0, s->name, sizeof(s->name));
	sb_str(b, ",\"rrname\":");
	sb_json(b, s->name);
	if (r->kind != RVQ_ROW_NAME) {
		sb_str(b, ",\"rrtype\":\"");
		sb_str(b, rvq_type_str(r->type));
		sb_ch(b, '"');
	}
	if (r->zone_len > 0) {
		sb_str(b, ",\"bailiwick\":");
		sb_json(b, rvq_bailiwick_str(&s->bw, r));
	}
	if (r->kind != RVQ_ROW_NAME)
		rc = r->negative ? json_rcode(b, r) : json_rdata(ser, b, r,
		    r->kind == RVQ_ROW_RDATA && ser->saf_single, 0);
	sb_str(b, ser->saf_bare ? "}\n" : "}}\n");
	return rc;
}

void
rvq_ser_saf_begin(struct sb *b, const char *query)
{
	if (query == NULL) {
		sb_str(b, "{\"cond\":\"begin\"}\n");
		return;
	}
	sb_str(b, "{\"cond\":\"begin\",\"query\":");
	sb_json(b, query);
	sb_str(b, "}\n");
}

void
rvq_ser_saf_end(struct sb *b, int limited)
{
	sb_str(b, limited ?
	    "{\"cond\":\"limited\",\"msg\":\"Result limit reached\"}\n" :
	    "{\"cond\":\"succeeded\"}\n");
}

void
rvq_ser_summary(struct sb *b, int saf, const struct rvq_summary *m,
    const char *query)
{
	sb_str(b, saf ? "{\"obj\":{\"count\":" : "{\"count\":");
	sb_u64(b, m->count);
	sb_str(b, ",\"num_results\":");
	sb_u64(b, m->results);
	if (m->results > 0) {
		sb_str(b, ",\"time_first\":");
		sb_u64(b, m->first);
		sb_str(b, ",\"time_last\":");
		sb_u64(b, m->last);
	}
	if (query != NULL) {
		sb_str(b, ",\"query\":");
		sb_json(b, query);
	}
	sb_str(b, saf ? "}}\n" : "}\n");
}
