/**
 * \file fmt.c
 * The dispatch to the format of a struct cli_out (the table, or the line
 * formats), and the enrichment each printed row needs: found in batches
 * before printing, or asked one rdata at a time. The text of a row's
 * parts is query/'s (rvq_text.h).
 */
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "rv_err.h"
#include "sb.h"

int
cli_fmt_shows_geo(const struct cli_out *o)
{
	return o->geo != NULL && o->fmt != CLI_FMT_DNSDB;
}

/* Room for n answers in buf. */
static int
buf_room(struct cli_geo_buf *buf, size_t n)
{
	struct rvq_geo_ans *a;
	size_t cap;

	if (n <= buf->cap)
		return RV_OK;
	cap = buf->cap ? 2 * buf->cap : 4096;
	if (cap < n)
		cap = n;
	if ((a = realloc(buf->a, cap * sizeof(*a))) == NULL)
		return RV_ENOMEM;
	buf->a = a;
	buf->cap = cap;
	return RV_OK;
}

int
cli_geo_prefetch(const struct cli_out *o, struct rvq_row *const *rows,
    size_t n, struct cli_geo_buf *buf)
{
	size_t k = 0;
	int rc = RV_OK;

	if (!cli_fmt_shows_geo(o))
		return RV_OK;		/* nothing to find */
	if (o->geo_batch == NULL)
		return RV_ENOENT;
	for (size_t i = 0; i < n && rc == RV_OK; i++) {
		struct rvq_row *r = rows[i];
		const uint8_t *rd;
		uint16_t len;
		size_t off = 0;

		r->geo = NULL;
		r->ngeo = 0;
		if (!rvq_row_has_ips(r))
			continue;
		while (rc == RV_OK &&
		    rvq_row_rd_next(r, &off, &rd, &len) == RV_OK) {
			struct rv_ip ip;
			if (!rvq_rdata_ip(r, rd, len, &ip) ||
			    (rc = buf_room(buf, k + 1)) != RV_OK)
				continue;
			buf->a[k].ip = ip;
			buf->a[k++].t = r->last;  /* the time cli_rdata_geo asks */
			r->ngeo++;
		}
	}
	if (rc == RV_OK && k > 0)
		rc = o->geo_batch(o->cb_arg, buf->a, k);
	/* point the rows at their answers, now that buf has moved its last */
	k = 0;
	for (size_t i = 0; i < n; i++) {
		rows[i]->geo = rc == RV_OK && rows[i]->ngeo > 0 ? buf->a + k :
		    NULL;
		k += rows[i]->ngeo;
		if (rc != RV_OK)
			rows[i]->ngeo = 0;
	}
	return rc;
}

int
cli_rdata_geo(const struct cli_out *o, const struct rvq_row *r,
    const uint8_t *rd, uint16_t len, struct rv_ipinfo *info)
{
	struct rv_ip ip;
	int rc;

	if (o->geo == NULL || !rvq_rdata_ip(r, rd, len, &ip))
		return RV_ENOENT;
	/* A printer thread has rows with all their answers, unless it may
	 * ask the callback itself (geo_in_printer). */
	if ((rc = rvq_row_geo_info(r, rd, len, info)) == -1)
		rc = o->pipe == NULL || o->geo_in_printer ?
		    o->geo(o->cb_arg, &ip, r->last, info) : RV_ENOENT;
	if (rc != RV_OK)
		return RV_ENOENT;
	/* a row without any enrichment (no mmdb at the time) says nothing */
	if (rvq_ipinfo_empty(info))
		return RV_ENOENT;
	return RV_OK;
}

int
cli_fmt_begin(struct cli_out *o)
{
	o->queries++;
	if (o->fmt == CLI_FMT_TABLE)
		return RV_OK;
	if (o->sb == NULL) {
		if ((o->sb = malloc(sizeof(*o->sb))) == NULL)
			return RV_ENOMEM;
		o->sb->len = 0;
		o->sb->err = 0;
	}
	o->sb->fp = o->fp;
	return cli_lines_begin(o);
}

int
cli_fmt_row(struct cli_out *o, const struct rvq_row *r)
{
	if (o->fmt == CLI_FMT_TABLE)
		return cli_table_row(o, r);
	return cli_lines_row(o, r);
}

int
cli_fmt_end(struct cli_out *o)
{
	if (o->fmt == CLI_FMT_TABLE)
		return cli_table_flush(o);
	return cli_lines_end(o);
}

int
cli_fmt_summary(struct cli_out *o)
{
	int rc;

	if (o->fmt != CLI_FMT_TABLE && (rc = cli_fmt_begin(o)) != RV_OK)
		return rc;
	return cli_lines_summary(o);
}
