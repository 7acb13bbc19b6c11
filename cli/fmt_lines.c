/**
 * \file fmt_lines.c
 * The line formats: COF JSON lines and DNSDB SAF lines through query/'s
 * serialisers (rvq_ser.h), CSV and dig-like text here; and summaries in
 * every format.
 */
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "rv_err.h"
#include "rv_time.h"
#include "rvq_ser.h"

/* Per-row scratch of the CSV and text formats (the JSON ones are
 * query/'s serialisers, with scratch of their own). */
struct cli_lines_scratch {
	char name[RV_NAME_STR_MAX * 3];
	char sens[1024];
	char t1[RV_TIME_STR_MAX], t2[RV_TIME_STR_MAX];
	char rd[RVQ_RDATA_STR_MAX];
};

/* The serialisers' callbacks: the output's enrichment and sensors. */
static int
ser_geo(void *arg, const struct rvq_row *r, const uint8_t *rd, uint16_t len,
    struct rv_ipinfo *info)
{
	return cli_rdata_geo(arg, r, rd, len, info);
}

static const char *
ser_sensor(void *arg, uint16_t id)
{
	const struct cli_out *o = arg;

	return o->sensor(o->cb_arg, id);
}

/* The output's serialiser and scratch, made on first use; the sensor
 * and enrichment callbacks are the output's. */
static int
ready(struct cli_out *o)
{
	if (o->ser == NULL) {
		if ((o->ser = malloc(sizeof(*o->ser))) == NULL)
			return RV_ENOMEM;
		if (rvq_ser_init(o->ser) != RV_OK ||
		    (o->scratch = malloc(sizeof(*o->scratch))) == NULL) {
			cli_lines_free(o);
			return RV_ENOMEM;
		}
	}
	o->ser->idn = o->idn;
	o->ser->saf_single = o->dnsdb_single;
	o->ser->geo = ser_geo;
	o->ser->sensor = o->sensor != NULL ? ser_sensor : NULL;
	o->ser->arg = o;
	o->ser->query = o->query;
	return RV_OK;
}

void
cli_lines_free(struct cli_out *o)
{
	if (o->ser != NULL)
		rvq_ser_free(o->ser);
	free(o->ser);
	o->ser = NULL;
	free(o->scratch);
	o->scratch = NULL;
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
row_csv(struct cli_out *o, const struct rvq_row *r)
{
	struct cli_lines_scratch *s = o->scratch;
	struct sb *b = o->sb;
	const char *tbuf = "", *zone = "";
	const uint8_t *rd;
	uint16_t len;
	size_t off = 0;
	int rc, n = 0;

	rvq_time_str(r->first, 1, s->t1, sizeof(s->t1));
	rvq_time_str(r->last, 1, s->t2, sizeof(s->t2));
	rvq_name_str(r->owner, r->owner_len, o->idn, s->name,
	    sizeof(s->name));
	if (r->zone_len > 0)
		zone = rvq_bailiwick_str(rvq_ser_bw(o->ser), r);
	s->sens[0] = '\0';
	if (r->nsens > 0)
		rvq_sensors_str(r, o->ser->sensor, o, s->sens,
		    sizeof(s->sens));
	if (r->kind != RVQ_ROW_NAME)
		tbuf = rvq_type_str(r->type);
	do {
		rc = rvq_row_rd_next(r, &off, &rd, &len);
		if (rc != RV_OK && (rc != RV_ENOENT || n > 0))
			break;
		if (o->query != NULL) {
			sb_csv(b, o->query);
			sb_ch(b, ',');
		}
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
			rvq_rdata_str(r, rd, len, o->idn, s->rd, sizeof(s->rd));
			sb_csv(b, s->rd);
			csv_geo(o, r, rd, len);
		} else {
			if (r->negative)	/* the rdata column says what */
				sb_str(b, rvq_rcode_str(r->rcode, s->rd));
			sb_str(b, ",,");
		}
		sb_ch(b, '\n');
		n++;
	} while (rc == RV_OK);
	return rc == RV_ENOENT ? RV_OK : rc;
}

static int
row_text(struct cli_out *o, const struct rvq_row *r)
{
	struct cli_lines_scratch *s = o->scratch;
	struct sb *b = o->sb;
	const char *tbuf = "";
	const uint8_t *rd;
	uint16_t len;
	size_t off = 0;
	int rc;

	rvq_time_str(r->first, 1, s->t1, sizeof(s->t1));
	rvq_time_str(r->last, 1, s->t2, sizeof(s->t2));
	rvq_name_str(r->owner, r->owner_len, o->idn, s->name,
	    sizeof(s->name));
	sb_str(b, ";; first seen ");
	sb_str(b, s->t1);
	sb_str(b, ", last seen ");
	sb_str(b, s->t2);
	sb_str(b, ", count ");
	sb_u64(b, r->count);
	if (r->zone_len > 0) {
		sb_str(b, ", bailiwick ");
		sb_str(b, rvq_bailiwick_str(rvq_ser_bw(o->ser), r));
	}
	if (r->nsens > 0) {
		rvq_sensors_str(r, o->ser->sensor, o, s->sens,
		    sizeof(s->sens));
		sb_str(b, ", sensors ");
		sb_str(b, s->sens);
	}
	sb_ch(b, '\n');
	if (r->kind == RVQ_ROW_NAME) {
		sb_str(b, s->name);
		sb_str(b, "\n\n");
		return RV_OK;
	}
	tbuf = rvq_type_str(r->type);
	if (r->negative) {	/* no rdata: what the answer was instead */
		sb_str(b, s->name);
		sb_ch(b, ' ');
		sb_u64(b, r->has_ttl ? r->ttl_max : 0);
		sb_str(b, " IN ");
		sb_str(b, tbuf);
		sb_str(b, " ; ");
		sb_str(b, rvq_rcode_str(r->rcode, s->rd));
		sb_str(b, "\n\n");
		return RV_OK;
	}
	while ((rc = rvq_row_rd_next(r, &off, &rd, &len)) == RV_OK) {
		struct rv_ipinfo g;

		sb_str(b, s->name);
		sb_ch(b, ' ');
		sb_u64(b, r->has_ttl ? r->ttl_max : 0);
		sb_str(b, " IN ");
		sb_str(b, tbuf);
		sb_ch(b, ' ');
		rvq_rdata_str(r, rd, len, o->idn, s->rd, sizeof(s->rd));
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
	int rc;

	if ((rc = ready(o)) != RV_OK)
		return rc;
	/* Memos point into the map of the query before: forget them. */
	rvq_ser_forget(o->ser);
	if (o->fmt == CLI_FMT_DNSDB)
		rvq_ser_saf_begin(o->sb, o->query);
	else if (o->fmt == CLI_FMT_CSV && o->csv_header) {
		if (o->query != NULL)	/* a batch: which query, first */
			sb_str(o->sb, "query,");
		sb_str(o->sb, o->summarize ?
		    "num_results,count,time_first,time_last\n" :
		    "time_first,time_last,count,rrname,rrtype,bailiwick,"
		    "sensor,rdata,asn,country\n");
		o->csv_header = 0;
	} else if (o->fmt == CLI_FMT_TEXT && o->query != NULL) {
		sb_str(o->sb, ";; query ");
		sb_str(o->sb, o->query);
		sb_str(o->sb, "\n\n");
	}
	return o->sb->err ? RV_EIO : RV_OK;
}

int
cli_lines_row(struct cli_out *o, const struct rvq_row *r)
{
	int rc;

	switch (o->fmt) {
	case CLI_FMT_DNSDB: rc = rvq_ser_saf(o->ser, o->sb, r); break;
	case CLI_FMT_CSV: rc = row_csv(o, r); break;
	case CLI_FMT_TEXT: rc = row_text(o, r); break;
	default: rc = rvq_ser_cof(o->ser, o->sb, r); break;
	}
	if (rc == RV_OK && o->sb->err)
		rc = RV_EIO;
	return rc;
}

int
cli_lines_end(struct cli_out *o)
{
	if (o->fmt == CLI_FMT_DNSDB)
		rvq_ser_saf_end(o->sb, o->limited);
	sb_flush(o->sb);
	return o->sb->err ? RV_EIO : RV_OK;
}

int
cli_lines_summary(struct cli_out *o)
{
	const struct rvq_summary *m = &o->sum;
	char t1[RV_TIME_STR_MAX] = "-", t2[RV_TIME_STR_MAX] = "-";

	if (o->fmt == CLI_FMT_TABLE) {
		if (o->query != NULL)
			fprintf(o->fp, ";; %s\n", o->query);
		if (m->results > 0) {
			rvq_time_str(m->first, 0, t1, sizeof(t1));
			rvq_time_str(m->last, 0, t2, sizeof(t2));
		}
		/* numbers right-aligned under right-aligned heads */
		fprintf(o->fp, "%10s  %12s  %-19s  %s\n%10llu  %12llu  "
		    "%-19s  %s\n", "Results", "Count", "First Seen (UTC)",
		    "Last Seen (UTC)", (unsigned long long)m->results,
		    (unsigned long long)m->count, t1, t2);
		return fflush(o->fp) == 0 ? RV_OK : RV_EIO;
	}
	struct sb *b = o->sb;
	switch (o->fmt) {
	case CLI_FMT_CSV:
		if (m->results > 0) {
			rvq_time_str(m->first, 1, t1, sizeof(t1));
			rvq_time_str(m->last, 1, t2, sizeof(t2));
		} else {
			t1[0] = t2[0] = '\0';
		}
		if (o->query != NULL) {
			sb_csv(b, o->query);
			sb_ch(b, ',');
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
			rvq_time_str(m->first, 1, t1, sizeof(t1));
			rvq_time_str(m->last, 1, t2, sizeof(t2));
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
		rvq_ser_summary(b, o->fmt == CLI_FMT_DNSDB, m, o->query);
		break;
	}
	return cli_lines_end(o);
}
