/**
 * \file fmt_lines.c
 * The line formats: COF JSON lines, DNSDB-style SAF lines (begin, objects,
 * succeeded/limited), CSV, and dig-like text; and summaries in every
 * format.
 */
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "rv_err.h"
#include "rv_rdata.h"
#include "rv_time.h"
#include "sb.h"

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
struct scratch {
	struct geo_memo gm[GEO_MEMO];
	struct sb gsb;		/* renders an enrichment object: at most
				 * about 3 KiB, so never flushed (no fp) */
	char name[RV_NAME_STR_MAX * 3];
	char zone[RV_NAME_STR_MAX * 3];
	/* the last bailiwick printed, as wire and as text: neighbours in a
	 * scan mostly share it */
	uint8_t bw_wire[RV_NAME_MAX];
	size_t bw_len;
	char bw[RV_NAME_STR_MAX * 3];
	char sens[1024];
	char t1[RV_TIME_STR_MAX], t2[RV_TIME_STR_MAX];
	char rd[CLI_RDATA_STR_MAX];
};

static struct scratch *
scratch(void)
{
	static struct scratch *s;	/* one process, one thread at a time */

	if (s == NULL && (s = malloc(sizeof(*s))) != NULL) {
		s->bw_len = 0;
		memset(s->gm, 0, sizeof(s->gm));
		s->gsb.fp = NULL;
	}
	return s;
}

/* The text of a row's bailiwick (zone_len > 0), made once per run of
 * rows that share it. */
static const char *
bailiwick(struct scratch *s, const struct rvq_row *r)
{
	if (r->zone_len != s->bw_len || memcmp(r->zone, s->bw_wire,
	    r->zone_len) != 0) {
		s->bw_len = 0;
		if (cli_name_str(NULL, r->zone, r->zone_len, s->bw,
		    sizeof(s->bw)) == RV_OK && r->zone_len <= RV_NAME_MAX) {
			memcpy(s->bw_wire, r->zone, r->zone_len);
			s->bw_len = r->zone_len;
		}
	}
	return s->bw;
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
geo_text(const struct cli_out *o, const struct rvq_row *r, const uint8_t *rd,
    uint16_t len, struct scratch *s, const char **t, size_t *tl)
{
	const struct rvq_geo_ans *a = cli_row_geo_answer(r, rd, len);
	struct geo_memo *m = NULL;
	struct rv_ipinfo g;
	int rc;

	if (a != NULL && a->rc == RV_OK && a->v != NULL && o->geo != NULL) {
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
	if ((rc = cli_rdata_geo(o, r, rd, len, &g)) == RV_OK)
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
json_rdata(struct cli_out *o, const struct rvq_row *r, struct scratch *s,
    int single, int with_geo)
{
	struct sb *b = o->sb;
	const uint8_t *rd;
	uint16_t len;
	size_t off = 0;
	int rc, n = 0, geo = 0;

	sb_str(b, single ? ",\"rdata\":" : ",\"rdata\":[");
	while ((rc = rvq_row_rd_next(r, &off, &rd, &len)) == RV_OK) {
		if (n++ > 0)
			sb_ch(b, ',');
		cli_rdata_str(o, r, rd, len, s->rd, sizeof(s->rd));
		sb_json(b, s->rd);
	}
	if (!single)
		sb_ch(b, ']');
	if (rc != RV_ENOENT)
		return rc;
	if (!with_geo || !cli_row_has_ips(r))
		return RV_OK;
	off = 0;
	while (rvq_row_rd_next(r, &off, &rd, &len) == RV_OK) {
		const char *t;
		size_t tl;

		if (geo_text(o, r, rd, len, s, &t, &tl) != RV_OK) {
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

static int
row_json(struct cli_out *o, const struct rvq_row *r, struct scratch *s)
{
	struct sb *b = o->sb;
	int rc = RV_OK;

	cli_name_str(NULL, r->owner, r->owner_len, s->name, sizeof(s->name));
	sb_str(b, "{\"rrname\":");
	sb_json(b, s->name);
	if (o->idn && cli_name_str(o, r->owner, r->owner_len, s->zone,
	    sizeof(s->zone)) == RV_OK && strcmp(s->zone, s->name) != 0) {
		char *u = strstr(s->zone, " (");
		u[strlen(u) - 1] = '\0';
		sb_str(b, ",\"rrname_unicode\":");
		sb_json(b, u + 2);
	}
	if (r->kind != RVQ_ROW_NAME) {
		sb_str(b, ",\"rrtype\":\"");
		sb_str(b, cli_type_str(r->type));
		sb_ch(b, '"');
		rc = json_rdata(o, r, s, 0, 1);
	}
	sb_str(b, ",\"time_first\":");
	sb_u64(b, r->first);
	sb_str(b, ",\"time_last\":");
	sb_u64(b, r->last);
	sb_str(b, ",\"count\":");
	sb_u64(b, r->count);
	if (r->zone_len > 0) {
		sb_str(b, ",\"bailiwick\":");
		sb_json(b, bailiwick(s, r));
	}
	if (r->nsens > 0) {
		cli_sensors_str(o, r, s->sens, sizeof(s->sens));
		char *comma = strchr(s->sens, ',');
		if (comma != NULL) {
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
	if (r->has_ttl) {
		sb_str(b, ",\"ttl_min\":");
		sb_u64(b, r->ttl_min);
		sb_str(b, ",\"ttl_max\":");
		sb_u64(b, r->ttl_max);
	}
	sb_str(b, "}\n");
	return rc;
}

static int
row_dnsdb(struct cli_out *o, const struct rvq_row *r, struct scratch *s)
{
	struct sb *b = o->sb;
	int rc = RV_OK;

	sb_str(b, "{\"obj\":{\"count\":");
	sb_u64(b, r->count);
	sb_str(b, ",\"time_first\":");
	sb_u64(b, r->first);
	sb_str(b, ",\"time_last\":");
	sb_u64(b, r->last);
	cli_name_str(NULL, r->owner, r->owner_len, s->name, sizeof(s->name));
	sb_str(b, ",\"rrname\":");
	sb_json(b, s->name);
	if (r->kind != RVQ_ROW_NAME) {
		sb_str(b, ",\"rrtype\":\"");
		sb_str(b, cli_type_str(r->type));
		sb_ch(b, '"');
	}
	if (r->zone_len > 0) {
		sb_str(b, ",\"bailiwick\":");
		sb_json(b, bailiwick(s, r));
	}
	if (r->kind != RVQ_ROW_NAME)
		rc = json_rdata(o, r, s, r->kind == RVQ_ROW_RDATA &&
		    o->dnsdb_single, 0);
	sb_str(b, "}}\n");
	return rc;
}

static void
csv_geo(struct cli_out *o, const struct rvq_row *r, const uint8_t *rd,
    uint16_t len)
{
	struct rv_ipinfo g;

	if (cli_rdata_geo(o, r, rd, len, &g) == RV_OK) {
		sb_ch(o->sb, ',');
		sb_u64(o->sb, g.asn);
		sb_ch(o->sb, ',');
		sb_csv(o->sb, g.cc);
	} else {
		sb_str(o->sb, ",,");
	}
}

static int
row_csv(struct cli_out *o, const struct rvq_row *r, struct scratch *s)
{
	struct sb *b = o->sb;
	const char *tbuf = "", *zone = "";
	const uint8_t *rd;
	uint16_t len;
	size_t off = 0;
	int rc, n = 0;

	cli_time_str(r->first, 1, s->t1, sizeof(s->t1));
	cli_time_str(r->last, 1, s->t2, sizeof(s->t2));
	cli_name_str(o, r->owner, r->owner_len, s->name, sizeof(s->name));
	if (r->zone_len > 0)
		zone = bailiwick(s, r);
	s->sens[0] = '\0';
	if (r->nsens > 0)
		cli_sensors_str(o, r, s->sens, sizeof(s->sens));
	if (r->kind != RVQ_ROW_NAME)
		tbuf = cli_type_str(r->type);
	do {
		rc = rvq_row_rd_next(r, &off, &rd, &len);
		if (rc != RV_OK && (rc != RV_ENOENT || n > 0))
			break;
		sb_str(b, s->t1);
		sb_ch(b, ',');
		sb_str(b, s->t2);
		sb_ch(b, ',');
		sb_u64(b, r->count);
		sb_ch(b, ',');
		sb_csv(b, s->name);
		sb_ch(b, ',');
		sb_str(b, tbuf);
		sb_ch(b, ',');
		sb_csv(b, zone);
		sb_ch(b, ',');
		sb_csv(b, s->sens);
		sb_ch(b, ',');
		if (rc == RV_OK) {
			cli_rdata_str(o, r, rd, len, s->rd, sizeof(s->rd));
			sb_csv(b, s->rd);
			csv_geo(o, r, rd, len);
		} else {
			sb_str(b, ",,");
		}
		sb_ch(b, '\n');
		n++;
	} while (rc == RV_OK);
	return rc == RV_ENOENT ? RV_OK : rc;
}

static int
row_text(struct cli_out *o, const struct rvq_row *r, struct scratch *s)
{
	struct sb *b = o->sb;
	const char *tbuf = "";
	const uint8_t *rd;
	uint16_t len;
	size_t off = 0;
	int rc;

	cli_time_str(r->first, 1, s->t1, sizeof(s->t1));
	cli_time_str(r->last, 1, s->t2, sizeof(s->t2));
	cli_name_str(o, r->owner, r->owner_len, s->name, sizeof(s->name));
	sb_str(b, ";; first seen ");
	sb_str(b, s->t1);
	sb_str(b, ", last seen ");
	sb_str(b, s->t2);
	sb_str(b, ", count ");
	sb_u64(b, r->count);
	if (r->zone_len > 0) {
		sb_str(b, ", bailiwick ");
		sb_str(b, bailiwick(s, r));
	}
	if (r->nsens > 0) {
		cli_sensors_str(o, r, s->sens, sizeof(s->sens));
		sb_str(b, ", sensors ");
		sb_str(b, s->sens);
	}
	sb_ch(b, '\n');
	if (r->kind == RVQ_ROW_NAME) {
		sb_str(b, s->name);
		sb_str(b, "\n\n");
		return RV_OK;
	}
	tbuf = cli_type_str(r->type);
	while ((rc = rvq_row_rd_next(r, &off, &rd, &len)) == RV_OK) {
		struct rv_ipinfo g;

		sb_str(b, s->name);
		sb_ch(b, ' ');
		sb_u64(b, r->has_ttl ? r->ttl_max : 0);
		sb_str(b, " IN ");
		sb_str(b, tbuf);
		sb_ch(b, ' ');
		cli_rdata_str(o, r, rd, len, s->rd, sizeof(s->rd));
		sb_str(b, s->rd);
		if (cli_rdata_geo(o, r, rd, len, &g) == RV_OK) {
			sb_str(b, " ; AS");
			sb_u64(b, g.asn);
			if (g.cc[0]) {
				sb_ch(b, ' ');
				sb_str(b, g.cc);
			}
		}
		sb_ch(b, '\n');
	}
	sb_ch(b, '\n');
	return rc == RV_ENOENT ? RV_OK : rc;
}

int
cli_lines_begin(struct cli_out *o)
{
	struct scratch *s = scratch();

	/* Memos point into the map of the query before: forget them. */
	if (s != NULL) {
		memset(s->gm, 0, sizeof(s->gm));
		s->bw_len = 0;
	}
	if (o->fmt == CLI_FMT_DNSDB)
		sb_str(o->sb, "{\"cond\":\"begin\"}\n");
	else if (o->fmt == CLI_FMT_CSV && o->csv_header) {
		sb_str(o->sb, o->summarize ?
		    "num_results,count,time_first,time_last\n" :
		    "time_first,time_last,count,rrname,rrtype,bailiwick,"
		    "sensor,rdata,asn,country\n");
		o->csv_header = 0;
	}
	return o->sb->err ? RV_EIO : RV_OK;
}

int
cli_lines_row(struct cli_out *o, const struct rvq_row *r)
{
	struct scratch *s = scratch();
	int rc;

	if (s == NULL)
		return RV_ENOMEM;
	switch (o->fmt) {
	case CLI_FMT_DNSDB: rc = row_dnsdb(o, r, s); break;
	case CLI_FMT_CSV: rc = row_csv(o, r, s); break;
	case CLI_FMT_TEXT: rc = row_text(o, r, s); break;
	default: rc = row_json(o, r, s); break;
	}
	if (rc == RV_OK && o->sb->err)
		rc = RV_EIO;
	return rc;
}

int
cli_lines_end(struct cli_out *o)
{
	if (o->fmt == CLI_FMT_DNSDB)
		sb_str(o->sb, o->limited ?
		    "{\"cond\":\"limited\",\"msg\":\"Result limit reached\"}\n" :
		    "{\"cond\":\"succeeded\"}\n");
	sb_flush(o->sb);
	return o->sb->err ? RV_EIO : RV_OK;
}

int
cli_lines_summary(struct cli_out *o)
{
	const struct cli_summary *m = &o->sum;
	char t1[RV_TIME_STR_MAX] = "-", t2[RV_TIME_STR_MAX] = "-";

	if (o->fmt == CLI_FMT_TABLE) {
		if (m->results > 0) {
			cli_time_str(m->first, 0, t1, sizeof(t1));
			cli_time_str(m->last, 0, t2, sizeof(t2));
		}
		fprintf(o->fp, "%-10s  %-10s  %-19s  %-19s\n%10llu  %10llu  "
		    "%-19s  %-19s\n", "Results", "Count", "First Seen",
		    "Last Seen", (unsigned long long)m->results,
		    (unsigned long long)m->count, t1, t2);
		return fflush(o->fp) == 0 ? RV_OK : RV_EIO;
	}
	struct sb *b = o->sb;
	switch (o->fmt) {
	case CLI_FMT_CSV:
		if (m->results > 0) {
			cli_time_str(m->first, 1, t1, sizeof(t1));
			cli_time_str(m->last, 1, t2, sizeof(t2));
		} else {
			t1[0] = t2[0] = '\0';
		}
		sb_u64(b, m->results);
		sb_ch(b, ',');
		sb_u64(b, m->count);
		sb_ch(b, ',');
		sb_str(b, t1);
		sb_ch(b, ',');
		sb_str(b, t2);
		sb_ch(b, '\n');
		break;
	case CLI_FMT_TEXT:
		if (m->results > 0) {
			cli_time_str(m->first, 1, t1, sizeof(t1));
			cli_time_str(m->last, 1, t2, sizeof(t2));
		}
		sb_str(b, ";; results ");
		sb_u64(b, m->results);
		sb_str(b, ", count ");
		sb_u64(b, m->count);
		sb_str(b, ", first seen ");
		sb_str(b, t1);
		sb_str(b, ", last seen ");
		sb_str(b, t2);
		sb_ch(b, '\n');
		break;
	default:
		sb_str(b, o->fmt == CLI_FMT_DNSDB ? "{\"obj\":{\"count\":" :
		    "{\"count\":");
		sb_u64(b, m->count);
		sb_str(b, ",\"num_results\":");
		sb_u64(b, m->results);
		if (m->results > 0) {
			sb_str(b, ",\"time_first\":");
			sb_u64(b, m->first);
			sb_str(b, ",\"time_last\":");
			sb_u64(b, m->last);
		}
		sb_str(b, o->fmt == CLI_FMT_DNSDB ? "}}\n" : "}\n");
		break;
	}
	return cli_lines_end(o);
}
