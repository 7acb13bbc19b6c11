/**
 * \file report_out.c
 * Printing report rows: an aligned table (names elided in the middle to
 * fit the terminal, as the CLI's table does), JSON lines and CSV through
 * the CLI's line builder and escapers (sb.h, fmt.c), and the whole report
 * as one JSON document for --out.
 *
 * Times are UTC ISO 8601 in the table and CSV, epoch seconds in JSON, as
 * everywhere in the CLI.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "report.h"
#include "rv_err.h"
#include "rvq_newdom.h"
#include "sb.h"

#define NCOL_MAX 16
#define CELL_MAX 256

struct table {
	int ncol;
	const char *const *head;
	const int *right;
	int name_col;
	unsigned keep;		/* columns (bit i) never narrowed: times */
	unsigned late;		/* columns (bit i) narrowed after the name:
				 * the reasons a row is there */
	char (*cell)[NCOL_MAX][CELL_MAX];
	size_t n;
};

static const char *const ff_head[] = { "#", "Name", "Flag", "Holz",
	"Score", "Addrs", "ASNs", "CCs", "/16s", "/32s", "TTL", "NS",
	"NS chg", "Churn", "Last Seen" };
static const int ff_right[] = { 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1,
	0 };
static const char *const tun_head[] = { "#", "Domain", "Flag", "Score",
	"Names", "Len", "Max", "Entropy", "TXT/NULL/CNAME", "NXDOMAIN",
	"Last Seen" };
static const int tun_right[] = { 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0 };

static const char *const ph_head[] = { "#", "Name", "Verdict", "Score",
	"Brand", "New", "TTL", "Last Seen", "Reasons" };
static const int ph_right[] = { 1, 0, 0, 1, 0, 0, 1, 0, 0 };

#define NPH ((int)(sizeof(ph_head) / sizeof(ph_head[0])))
#define NFF ((int)(sizeof(ff_head) / sizeof(ff_head[0])))
#define NTUN ((int)(sizeof(tun_head) / sizeof(tun_head[0])))

static void
name_text(const uint8_t *w, size_t len, char *out, size_t outsz)
{
	if (rv_name_to_str(w, len, out, outsz) != RV_OK)
		snprintf(out, outsz, "?");
}

/* The cells of one row (text, times as ISO). */
static void
ff_cells(const struct rvq_report_ff *f, uint64_t rank, char c[][CELL_MAX])
{
	char name[RV_NAME_STR_MAX];

	name_text(f->owner, f->owner_len, name, sizeof(name));
	snprintf(c[0], CELL_MAX, "%llu", (unsigned long long)rank);
	snprintf(c[1], CELL_MAX, "%.*s", CELL_MAX - 1, name);
	snprintf(c[2], CELL_MAX, "%s", f->r.flagged ? "FLUX" : "-");
	snprintf(c[3], CELL_MAX, "%.2f", f->r.holz);
	snprintf(c[4], CELL_MAX, "%.1f", f->r.score);
	snprintf(c[5], CELL_MAX, "%u", f->r.n_addr);
	snprintf(c[6], CELL_MAX, "%u", f->r.n_asn);
	snprintf(c[7], CELL_MAX, "%u", f->r.n_cc);
	snprintf(c[8], CELL_MAX, "%u", f->r.n_net4);
	snprintf(c[9], CELL_MAX, "%u", f->r.n_net6);
	if (f->r.ttl_min == UINT32_MAX)
		snprintf(c[10], CELL_MAX, "-");
	else
		snprintf(c[10], CELL_MAX, "%u", f->r.ttl_min);
	snprintf(c[11], CELL_MAX, "%u", f->r.n_ns);
	snprintf(c[12], CELL_MAX, "%s", f->r.ns_changed ? "yes" : "no");
	snprintf(c[13], CELL_MAX, "%u", f->r.churn);
	rvq_time_str(f->r.last, 0, c[14], CELL_MAX);
}

static void
tun_cells(const struct rvq_report_tun *t, uint64_t rank, char c[][CELL_MAX])
{
	char name[RV_NAME_STR_MAX];

	name_text(t->domain, t->domain_len, name, sizeof(name));
	snprintf(c[0], CELL_MAX, "%llu", (unsigned long long)rank);
	snprintf(c[1], CELL_MAX, "%.*s", CELL_MAX - 1, name);
	snprintf(c[2], CELL_MAX, "%s", t->r.flagged ? "TUNNEL" : "-");
	snprintf(c[3], CELL_MAX, "%.1f", t->r.score);
	snprintf(c[4], CELL_MAX, "%llu", (unsigned long long)t->r.nnames);
	snprintf(c[5], CELL_MAX, "%.1f", t->r.mean_len);
	snprintf(c[6], CELL_MAX, "%u", t->r.max_len);
	snprintf(c[7], CELL_MAX, "%.2f", t->r.entropy);
	snprintf(c[8], CELL_MAX, "%.0f%%", 100.0 * t->r.special);
	snprintf(c[9], CELL_MAX, "%.0f%%", 100.0 * t->r.nx_rate);
	rvq_time_str(t->last, 0, c[10], CELL_MAX);
}

static void
ph_cells(const struct rvq_report_phish *p, uint64_t rank, char c[][CELL_MAX])
{
	size_t at = 0;

	snprintf(c[0], CELL_MAX, "%llu", (unsigned long long)rank);
	snprintf(c[1], CELL_MAX, "%.*s", CELL_MAX - 1, p->name);
	snprintf(c[2], CELL_MAX, "%s", rvq_verdict_word(p->out.verdict));
	snprintf(c[3], CELL_MAX, "%.1f", p->out.score);
	snprintf(c[4], CELL_MAX, "%s", p->out.brand[0] ? p->out.brand : "-");
	snprintf(c[5], CELL_MAX, "%s", p->in.is_new ? "yes" : "no");
	if (p->in.ttl_min == 0)
		snprintf(c[6], CELL_MAX, "-");
	else
		snprintf(c[6], CELL_MAX, "%u", p->in.ttl_min);
	rvq_time_str(p->last, 0, c[7], CELL_MAX);
	/* Every reason with its contribution: never a bare number. */
	c[8][0] = '\0';
	for (unsigned i = 0; i < p->out.n && at < CELL_MAX - 1; i++) {
		int n = snprintf(c[8] + at, CELL_MAX - at, "%s%s %+.0f",
		    i ? ", " : "", rvq_phish_reason_word(p->out.r[i].kind),
		    p->out.r[i].points);
		if (n < 0)
			break;
		at += (size_t)n;
	}
}

/* Print s in w columns, eliding the middle of a name that is too long;
 * the last column (last) is not padded, so no line ends in spaces. */
static void
put(FILE *fp, const char *s, int w, int right, int elide, int last)
{
	int n = (int)strlen(s);

	if (n > w && elide && w > 8) {
		int tail = (w - 3) * 2 / 3, lead = w - 3 - tail;

		fprintf(fp, "%.*s...%s", lead, s, s + n - tail);
		return;
	}
	if (n > w)
		n = w;
	if (last && !right)
		w = n;
	fprintf(fp, right ? "%*.*s" : "%-*.*s", w, n, s);
}

/* Narrow the widest of the columns in mask, each down to 16, until the
 * table fits width (0: any width); returns the new total. */
static int
narrow(const struct table *t, int *w, int *shrunk, int total, int width,
    unsigned mask)
{
	while (width > 0 && total > width) {
		int wide = -1, i;

		for (i = 0; i < t->ncol; i++)
			if ((mask & 1u << i) && w[i] > 16 &&
			    (wide < 0 || w[i] > w[wide]))
				wide = i;
		if (wide < 0)
			break;
		shrunk[wide] = 1;
		if (w[wide] - (total - width) >= 16) {
			w[wide] -= total - width;
			total = width;
		} else {
			total -= w[wide] - 16;
			w[wide] = 16;
		}
	}
	return total;
}

static int
table_print(FILE *fp, const struct table *t)
{
	int w[NCOL_MAX], shrunk[NCOL_MAX] = { 0 }, total = 0,
	    width = cli_term_width(fp), i;
	size_t r;

	for (i = 0; i < t->ncol; i++)
		w[i] = (int)strlen(t->head[i]);
	for (r = 0; r < t->n; r++)
		for (i = 0; i < t->ncol; i++) {
			int l = (int)strlen(t->cell[r][i]);

			if (l > w[i])
				w[i] = l;
		}
	for (i = 0; i < t->ncol; i++)
		total += w[i] + (i ? 2 : 0);
	/* Too wide: the widest other columns (lists of names, addresses)
	 * give way first, down to 16 columns each, then the name, down to
	 * 32, then the late columns (reasons), down to 16. */
	total = narrow(t, w, shrunk, total, width, ~(t->keep | t->late |
	    1u << t->name_col));
	if (width > 0 && total > width) {
		int give = total - width, min = 32, was = w[t->name_col];

		if (w[t->name_col] - give >= min)
			w[t->name_col] -= give;
		else if (w[t->name_col] > min)
			w[t->name_col] = min;
		total -= was - w[t->name_col];
	}
	narrow(t, w, shrunk, total, width, t->late);
	for (r = 0; r <= t->n; r++) {
		for (i = 0; i < t->ncol; i++) {
			const char *s = r == 0 ? t->head[i] :
			    t->cell[r - 1][i];

			if (i > 0)
				fputs("  ", fp);
			put(fp, s, w[i], t->right[i] && r > 0,
			    i == t->name_col || shrunk[i], i == t->ncol - 1);
		}
		fputc('\n', fp);
	}
	return ferror(fp) ? RV_EIO : RV_OK;
}

static void
csv_row(struct sb *b, char c[][CELL_MAX], int ncol)
{
	int i;

	for (i = 0; i < ncol; i++) {
		if (i > 0)
			sb_ch(b, ',');
		sb_csv(b, c[i]);
	}
	sb_ch(b, '\n');
}

/* Row i of one kind's rows. */
static void
cells(enum rvq_report_kind kind, const struct rvq_report *rep, size_t i,
    char c[][CELL_MAX])
{
	if (kind == RVQ_REPORT_FF)
		ff_cells(&rep->ff[i], i + 1, c);
	else if (kind == RVQ_REPORT_PHISH)
		ph_cells(&rep->ph[i], i + 1, c);
	else
		tun_cells(&rep->tun[i], i + 1, c);
}

static void
json_row(struct sb *b, enum rvq_report_kind kind, const struct rvq_report *rep,
    size_t i)
{
	if (kind == RVQ_REPORT_FF)
		rvq_report_ff_json(b, &rep->ff[i], i + 1);
	else if (kind == RVQ_REPORT_PHISH)
		rvq_report_phish_json(b, &rep->ph[i], i + 1);
	else
		rvq_report_tun_json(b, &rep->tun[i], i + 1);
}

int
report_print(FILE *fp, enum cli_fmt fmt, enum rvq_report_kind kind,
    const struct rvq_report *rep, const struct rvq_report_cfg *cfg,
    uint64_t offset, uint64_t limit)
{
	size_t nrows = kind == RVQ_REPORT_FF ? rep->nff :
	    kind == RVQ_REPORT_PHISH ? rep->nph : rep->ntun, i, end;
	const char *const *head = kind == RVQ_REPORT_FF ? ff_head :
	    kind == RVQ_REPORT_PHISH ? ph_head : tun_head;
	struct table t;
	struct sb *b = NULL;
	int ncol = kind == RVQ_REPORT_FF ? NFF : kind == RVQ_REPORT_PHISH ?
	    NPH : NTUN, rc = RV_OK;

	(void)cfg;
	memset(&t, 0, sizeof(t));
	if (offset > nrows)
		offset = nrows;
	end = limit == 0 || nrows - offset < limit ? nrows :
	    (size_t)(offset + limit);
	if (fmt == CLI_FMT_TABLE) {
		t.ncol = ncol;
		t.head = head;
		t.right = kind == RVQ_REPORT_FF ? ff_right :
		    kind == RVQ_REPORT_PHISH ? ph_right : tun_right;
		t.name_col = 1;
		t.keep = 1u << (kind == RVQ_REPORT_PHISH ? 7 : ncol - 1);
		if (kind == RVQ_REPORT_PHISH)
			t.late = 1u << 8;	/* Reasons */
		t.cell = calloc(end - offset + 1, sizeof(*t.cell));
		if (t.cell == NULL) {
			rc = RV_ENOMEM;
			goto leave;
		}
		for (i = offset; i < end; i++, t.n++)
			cells(kind, rep, i, t.cell[t.n]);
		rc = table_print(fp, &t);
		goto leave;
	}
	if ((b = malloc(sizeof(*b))) == NULL) {
		rc = RV_ENOMEM;
		goto leave;
	}
	b->fp = fp;
	b->len = 0;
	b->err = 0;
	if (fmt == CLI_FMT_CSV) {
		char c[NCOL_MAX][CELL_MAX];
		int k;

		for (k = 0; k < ncol; k++)
			snprintf(c[k], CELL_MAX, "%s", head[k]);
		snprintf(c[0], CELL_MAX, "Rank");
		csv_row(b, c, ncol);
		for (i = offset; i < end; i++) {
			cells(kind, rep, i, c);
			csv_row(b, c, ncol);
		}
	} else {
		for (i = offset; i < end; i++) {
			json_row(b, kind, rep, i);
			sb_ch(b, '\n');
		}
	}
	sb_flush(b);
	if (b->err || ferror(fp))
		rc = RV_EIO;
leave:
	free(t.cell);
	free(b);
	return rc;
}

int
report_json_doc(FILE *fp, enum rvq_report_kind kind,
    const struct rvq_report *rep, const struct rvq_report_cfg *cfg)
{
	struct sb *b = malloc(sizeof(*b));
	size_t i, n = kind == RVQ_REPORT_FF ? rep->nff :
	    kind == RVQ_REPORT_PHISH ? rep->nph : rep->ntun;
	int rc = RV_OK;

	if (b == NULL)
		return RV_ENOMEM;
	b->fp = fp;
	b->len = 0;
	b->err = 0;
	sb_str(b, kind == RVQ_REPORT_FF ? "{\"report\":\"fastflux\"" :
	    kind == RVQ_REPORT_PHISH ? "{\"report\":\"phishing\"" :
	    "{\"report\":\"tunnel\"");
	sb_key_u64(b, ",\"generated\":", (uint64_t)rep->generated);
	sb_key_u64(b, ",\"window\":{\"since\":", (uint64_t)rep->win.since);
	sb_key_u64(b, ",\"until\":", (uint64_t)rep->win.until);
	sb_str(b, "},\"params\":{");
	if (kind == RVQ_REPORT_FF) {
		sb_fmt(b, "\"holz_threshold\":%.2f", cfg->ff.holz_threshold);
		sb_fmt(b, ",\"score_threshold\":%.2f", cfg->ff.score_threshold);
		sb_key_u64(b, ",\"min_asn\":", cfg->ff.min_asn);
		sb_fmt(b, ",\"ttl_ref\":%.0f", cfg->ff.ttl_ref);
	} else if (kind == RVQ_REPORT_PHISH) {
		const struct rvq_phish_weights *w = cfg->phish != NULL ?
		    rvq_phish_weights_of(cfg->phish) :
		    &rvq_phish_weights_default;
		sb_fmt(b, "\"watch\":%.1f", w->watch);
		sb_fmt(b, ",\"block\":%.1f", w->block);
		sb_key_u64(b, ",\"regdom_since\":", rep->regdom_since);
	} else {
		sb_fmt(b, "\"threshold\":%.2f", cfg->tun.threshold);
		sb_key_u64(b, ",\"min_names\":", cfg->tun.min_names);
		sb_fmt(b, ",\"len_lo\":%.1f", cfg->tun.len_lo);
		sb_fmt(b, ",\"len_hi\":%.1f", cfg->tun.len_hi);
		sb_fmt(b, ",\"entropy_lo\":%.2f", cfg->tun.ent_lo);
		sb_fmt(b, ",\"entropy_hi\":%.2f", cfg->tun.ent_hi);
	}
	sb_key_u64(b, "},\"candidates\":",
	    kind == RVQ_REPORT_FF ? rep->ff_candidates :
	    kind == RVQ_REPORT_PHISH ? rep->ph_candidates : rep->tun_candidates);
	sb_key_u64(b, ",\"flagged\":",
	    kind == RVQ_REPORT_FF ? rep->ff_flagged :
	    kind == RVQ_REPORT_PHISH ? rep->ph_flagged : rep->tun_flagged);
	sb_key_u64(b, ",\"records\":", rep->records);
	sb_fmt(b, ",\"seconds\":%.3f", rep->seconds);
	sb_str(b, ",\"rows\":[\n");
	for (i = 0; i < n; i++) {
		json_row(b, kind, rep, i);
		sb_str(b, i + 1 < n ? ",\n" : "\n");
	}
	sb_str(b, "]}\n");
	sb_flush(b);
	if (b->err || ferror(fp))
		rc = RV_EIO;
	free(b);
	return rc;
}

/* --- newly observed domains ------------------------------------------- */

static const char *const nd_head[] = { "#", "Domain", "First Seen",
	"Verdict", "Signals", "Names", "First Names", "Addresses", "ASNs",
	"NS", "TTL" };
static const int nd_right[] = { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1 };
#define NND ((int)(sizeof(nd_head) / sizeof(nd_head[0])))
#define ND_CELL_ITEMS 3	/* names and addresses in a table or CSV cell */

/* The phishing signals of a new domain: the strongest judgement of the
 * domain itself and its first names, newly observed. */
static void
nd_judge(const struct rvq_newdom *d, const struct cli_watch *cw,
    struct rvq_phish_out *best)
{
	struct rvq_phish_in in;
	struct rvq_phish_out o;

	memset(best, 0, sizeof(*best));
	for (unsigned i = 0; i <= d->nname; i++) {
		memset(&in, 0, sizeof(in));
		in.name = i == 0 ? d->domain : d->name[i - 1].text;
		in.regdom = d->domain;
		in.is_new = 1;
		in.ttl_min = d->ttl_min;
		if (rvq_phish_eval(cw->ph, &in, &o) == RV_OK &&
		    (o.verdict > best->verdict || (o.verdict ==
		    best->verdict && o.score > best->score)))
			*best = o;
	}
}

/* Append "a, b, c" to a cell. */
static void
cat(char *c, size_t *at, const char *s)
{
	int n;

	if (*at >= CELL_MAX - 1)
		return;
	n = snprintf(c + *at, CELL_MAX - *at, "%s%s", *at ? " " : "", s);
	if (n > 0)
		*at += (size_t)n;
	if (*at > CELL_MAX - 1)
		*at = CELL_MAX - 1;
}

static void
nd_cells(const struct rvq_newdom *d, const struct rvq_phish_out *o,
    uint64_t rank, char c[][CELL_MAX])
{
	char ip[64], tmp[32];
	size_t at;
	unsigned i, j;

	snprintf(c[0], CELL_MAX, "%llu", (unsigned long long)rank);
	snprintf(c[1], CELL_MAX, "%.*s", CELL_MAX - 1, d->domain);
	rvq_time_str(d->first, 0, c[2], CELL_MAX);
	snprintf(c[3], CELL_MAX, "%llu%s", (unsigned long long)d->names,
	    d->truncated ? "+" : "");
	/* A table row stays readable: the first few; JSON has them all. */
	for (at = 0, c[4][0] = '\0', i = 0; i < d->nname && i < ND_CELL_ITEMS;
	    i++)
		cat(c[4], &at, d->name[i].text);
	if (d->names > ND_CELL_ITEMS)
		cat(c[4], &at, "...");
	for (at = 0, c[5][0] = '\0', i = 0; i < d->naddr && i < ND_CELL_ITEMS;
	    i++)
		if (rv_ip_to_str(&d->addr[i].ip, ip, sizeof(ip)) == RV_OK)
			cat(c[5], &at, ip);
	if (d->naddr > ND_CELL_ITEMS)
		cat(c[5], &at, "...");
	for (at = 0, c[6][0] = '\0', i = 0; i < d->naddr; i++) {
		if (d->addr[i].asn == 0)
			continue;
		for (j = 0; j < i && d->addr[j].asn != d->addr[i].asn; j++)
			;
		if (j < i)
			continue;
		snprintf(tmp, sizeof(tmp), "AS%u%s%s", d->addr[i].asn,
		    d->addr[i].cc[0] ? "/" : "", d->addr[i].cc);
		cat(c[6], &at, tmp);
	}
	for (at = 0, c[7][0] = '\0', i = 0; i < d->nns; i++)
		cat(c[7], &at, d->ns[i]);
	if (d->ttl_min == 0)
		snprintf(c[8], CELL_MAX, "-");
	else
		snprintf(c[8], CELL_MAX, "%u", d->ttl_min);
	snprintf(c[9], CELL_MAX, "%s", rvq_verdict_word(o->verdict));
	for (at = 0, c[10][0] = '\0', i = 0; i < o->n; i++) {
		snprintf(tmp, sizeof(tmp), "%s%s", i ? "," : "",
		    rvq_phish_reason_word(o->r[i].kind));
		if (at < CELL_MAX - 1) {
			int n = snprintf(c[10] + at, CELL_MAX - at, "%s", tmp);
			if (n > 0)
				at += (size_t)n;
			if (at > CELL_MAX - 1)
				at = CELL_MAX - 1;
		}
	}
	for (i = 3; i < 8; i++)
		if (c[i][0] == '\0')
			snprintf(c[i], CELL_MAX, "-");
	/* Filled in reading order above; shown with the verdict first. */
	{
		static const int from[] = { 9, 10, 3, 4, 5, 6, 7, 8 };
		char t[8][CELL_MAX];

		for (i = 0; i < 8; i++)
			memcpy(t[i], c[from[i]], CELL_MAX);
		for (i = 0; i < 8; i++)
			memcpy(c[3 + i], t[i], CELL_MAX);
	}
}

static void
nd_json(struct sb *b, const struct rvq_newdom *d, const struct rvq_phish_out *o,
    uint64_t rank)
{
	char ip[64];
	unsigned i;

	sb_key_u64(b, "{\"report\":\"newdomains\",\"rank\":", rank);
	sb_str(b, ",\"domain\":");
	sb_json(b, d->domain);
	sb_key_u64(b, ",\"time_first\":", d->first);
	sb_key_u64(b, ",\"time_last\":", d->last);
	sb_key_u64(b, ",\"names\":", d->names);
	sb_str(b, d->truncated ? ",\"truncated\":true" : ",\"truncated\":false");
	sb_str(b, ",\"first_names\":[");
	for (i = 0; i < d->nname; i++) {
		sb_str(b, i ? ",{\"name\":" : "{\"name\":");
		sb_json(b, d->name[i].text);
		sb_key_u64(b, ",\"time_first\":", d->name[i].first);
		sb_ch(b, '}');
	}
	sb_str(b, "],\"addresses\":[");
	for (i = 0; i < d->naddr; i++) {
		if (rv_ip_to_str(&d->addr[i].ip, ip, sizeof(ip)) != RV_OK)
			snprintf(ip, sizeof(ip), "?");
		sb_str(b, i ? ",{\"ip\":" : "{\"ip\":");
		sb_json(b, ip);
		sb_key_u64(b, ",\"asn\":", d->addr[i].asn);
		sb_str(b, ",\"cc\":");
		sb_json(b, d->addr[i].cc);
		sb_ch(b, '}');
	}
	sb_str(b, "],\"nameservers\":[");
	for (i = 0; i < d->nns; i++) {
		if (i > 0)
			sb_ch(b, ',');
		sb_json(b, d->ns[i]);
	}
	sb_key_u64(b, "],\"ttl_min\":", d->ttl_min);
	sb_str(b, ",\"verdict\":");
	sb_json(b, rvq_verdict_word(o->verdict));
	sb_fmt(b, ",\"score\":%.1f,\"reasons\":", o->score);
	rvq_phish_reasons_json(b, o);
	sb_ch(b, '}');
}

int
report_newdom_print(FILE *fp, enum cli_fmt fmt,
    const struct rvq_newdom_result *r, const struct cli_watch *cw,
    uint64_t offset, uint64_t limit)
{
	size_t i, end, nrows = r->n;
	struct table t;
	struct sb *b = NULL;
	struct rvq_phish_out o;
	char c[NCOL_MAX][CELL_MAX];
	int k, rc = RV_OK;

	memset(&t, 0, sizeof(t));
	if (offset > nrows)
		offset = nrows;
	end = limit == 0 || nrows - offset < limit ? nrows :
	    (size_t)(offset + limit);
	if (fmt == CLI_FMT_TABLE) {
		t.ncol = NND;
		t.head = nd_head;
		t.right = nd_right;
		t.name_col = 1;
		t.keep = 1u << 2;	/* First Seen */
		if ((t.cell = calloc(end - offset + 1, sizeof(*t.cell))) ==
		    NULL)
			return RV_ENOMEM;
		for (i = offset; i < end; i++, t.n++) {
			nd_judge(&r->row[i], cw, &o);
			nd_cells(&r->row[i], &o, i + 1, t.cell[t.n]);
		}
		rc = table_print(fp, &t);
		free(t.cell);
		return rc;
	}
	if ((b = malloc(sizeof(*b))) == NULL)
		return RV_ENOMEM;
	b->fp = fp;
	b->len = 0;
	b->err = 0;
	if (fmt == CLI_FMT_CSV) {
		for (k = 0; k < NND; k++)
			snprintf(c[k], CELL_MAX, "%s", nd_head[k]);
		snprintf(c[0], CELL_MAX, "Rank");
		csv_row(b, c, NND);
	}
	for (i = offset; i < end; i++) {
		nd_judge(&r->row[i], cw, &o);
		if (fmt == CLI_FMT_CSV) {
			nd_cells(&r->row[i], &o, i + 1, c);
			csv_row(b, c, NND);
		} else {
			nd_json(b, &r->row[i], &o, i + 1);
			sb_ch(b, '\n');
		}
	}
	sb_flush(b);
	if (b->err || ferror(fp))
		rc = RV_EIO;
	free(b);
	return rc;
}
