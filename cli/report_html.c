/**
 * \file report_html.c
 * `--out DIR`: the dated report files. DIR/rearview-<kind>-YYYY-MM-DD.json
 * is the whole report as one JSON document (report_json_doc); the .html
 * beside it is a self-contained page (inline CSS, no script, no external
 * resource) with the ranked table and, for every flagged fast-flux name,
 * an inline-SVG chart of its distinct addresses over time: one line per
 * address, one bar per period an RRset holding it was seen, coloured by
 * ASN. Both files are written to a temporary name and renamed; DIR is
 * created if missing (not its parents).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out.h"
#include "report.h"
#include "rv_time.h"
#include "rv_err.h"
#include "rv_file.h"

#define CHART_ROWS 40	/* addresses drawn per chart */
#define CHART_W 760
#define CHART_LEFT 170
#define CHART_ROW_H 12

static void
html_esc(FILE *fp, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '&': fputs("&amp;", fp); break;
		case '"': fputs("&quot;", fp); break;
		default: fputc(*s, fp);
		}
	}
}

static void
name_text(const uint8_t *w, size_t len, char *out, size_t outsz)
{
	if (rv_name_to_str(w, len, out, outsz) != RV_OK)
		snprintf(out, outsz, "?");
}

static void
page_head(FILE *fp, const char *title, const struct rvq_report *rep,
    uint64_t candidates, uint64_t flagged)
{
	char a[RV_TIME_STR_MAX], b[RV_TIME_STR_MAX], g[RV_TIME_STR_MAX];

	rvq_time_str((uint32_t)rep->win.since, 0, a, sizeof(a));
	rvq_time_str((uint32_t)rep->win.until, 0, b, sizeof(b));
	rvq_time_str((uint32_t)rep->generated, 0, g, sizeof(g));
	fprintf(fp, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><title>rearview: %s</title>\n<style>\n"
	    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\n"
	    "table{border-collapse:collapse;margin:1em 0}\n"
	    "th,td{padding:2px 8px;border-bottom:1px solid #ddd;"
	    "text-align:right}\n"
	    "th:nth-child(2),td:nth-child(2){text-align:left;"
	    "font-family:monospace}\n"
	    "tr.flag td{background:#fff0f0}\n"
	    "h2{font-family:monospace;font-size:15px;margin-top:2em}\n"
	    "svg text{font:10px monospace;fill:#333}\n"
	    ".ex{font-family:monospace;text-align:left;color:#555}\n"
	    "</style></head><body>\n<h1>rearview: %s</h1>\n"
	    "<p>Window %s &ndash; %s UTC; generated %s UTC. "
	    "%llu candidates, <b>%llu flagged</b>.</p>\n",
	    title, title, a, b, g, (unsigned long long)candidates,
	    (unsigned long long)flagged);
}

/* Colour of an ASN: a stable hue. */
static unsigned
hue(uint32_t asn)
{
	return asn == 0 ? 0 : (unsigned)((asn * 2654435761u) >> 8) % 360;
}

static int
cmp_ip(const struct rv_ip *x, const struct rv_ip *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, rv_ip_len(x->family));
}

/* The Gantt chart of one flagged name's addresses. */
static void
chart(FILE *fp, const struct rvq_report_ff *f, const struct rvq_window *w)
{
	size_t idx[CHART_ROWS], nrow = 0, i, j, more = 0;
	int64_t t0 = w->until, t1 = w->since;
	double span;
	int h;

	for (i = 0; i < f->nrr; i++) {
		int64_t a = f->rr[i].first < w->since ? w->since :
		    f->rr[i].first;
		int64_t b = f->rr[i].last > w->until ? w->until :
		    f->rr[i].last;

		if (a < t0)
			t0 = a;
		if (b > t1)
			t1 = b;
	}
	if (t1 <= t0)
		t1 = t0 + 1;
	span = (double)(t1 - t0);
	/* Distinct addresses in order of first appearance. */
	for (i = 0; i < f->naddr; i++) {
		for (j = 0; j < nrow; j++)
			if (cmp_ip(&f->addr[idx[j]].ip, &f->addr[i].ip) == 0)
				break;
		if (j < nrow)
			continue;
		if (nrow == CHART_ROWS) {
			more++;
			continue;
		}
		idx[nrow++] = i;
	}
	more = more > 0 ? f->r.n_addr - nrow : 0;
	h = (int)nrow * CHART_ROW_H + 30;
	fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\">\n", CHART_W, h, CHART_W, h);
	fprintf(fp, "<rect x=\"%d\" y=\"0\" width=\"%d\" height=\"%d\" "
	    "fill=\"#f8f8f8\"/>\n", CHART_LEFT, CHART_W - CHART_LEFT - 10,
	    (int)nrow * CHART_ROW_H);
	for (j = 0; j < nrow; j++) {
		const struct rvq_ff_addr *a = &f->addr[idx[j]];
		char ip[RV_IP_STR_MAX];
		int y = (int)j * CHART_ROW_H;

		if (rv_ip_to_str(&a->ip, ip, sizeof(ip)) != RV_OK)
			snprintf(ip, sizeof(ip), "?");
		fprintf(fp, "<text x=\"2\" y=\"%d\">%s AS%u %s</text>\n",
		    y + 9, ip, a->asn, a->cc);
		for (i = 0; i < f->nrr; i++) {
			const struct rvq_ff_rrset *r = &f->rr[i];
			size_t k;
			double x0, x1;
			int64_t s, e;

			for (k = 0; k < r->naddr; k++)
				if (cmp_ip(&f->addr[r->addr_off + k].ip,
				    &a->ip) == 0)
					break;
			if (k == r->naddr)
				continue;
			s = r->first < t0 ? t0 : r->first;
			e = r->last > t1 ? t1 : r->last;
			x0 = CHART_LEFT + (CHART_W - CHART_LEFT - 10) *
			    (double)(s - t0) / span;
			x1 = CHART_LEFT + (CHART_W - CHART_LEFT - 10) *
			    (double)(e - t0) / span;
			if (x1 - x0 < 2)
				x1 = x0 + 2;
			fprintf(fp, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
			    "height=\"%d\" fill=\"hsl(%u,65%%,%d%%)\"/>\n",
			    x0, y + 2, x1 - x0, CHART_ROW_H - 3, hue(a->asn),
			    a->asn ? 50 : 70);
		}
	}
	{
		char a[RV_TIME_STR_MAX], b[RV_TIME_STR_MAX];

		rvq_time_str((uint32_t)t0, 0, a, sizeof(a));
		rvq_time_str((uint32_t)t1, 0, b, sizeof(b));
		fprintf(fp, "<text x=\"%d\" y=\"%d\">%s</text>\n"
		    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
		    CHART_LEFT, h - 14, a, CHART_W - 10, h - 14, b);
		if (more > 0)
			fprintf(fp, "<text x=\"2\" y=\"%d\">+%zu more "
			    "addresses</text>\n", h - 2, more);
	}
	fputs("</svg>\n", fp);
}

static const char *
ttl_str(uint32_t ttl, char *buf, size_t sz)
{
	if (ttl == UINT32_MAX)
		return "-";
	snprintf(buf, sz, "%u", ttl);
	return buf;
}

static void
ff_page(FILE *fp, const struct rvq_report *rep)
{
	char name[RV_NAME_STR_MAX], t[RV_TIME_STR_MAX], ttl[16];
	size_t i;

	page_head(fp, "fast-flux report", rep, rep->ff_candidates,
	    rep->ff_flagged);
	fputs("<table><tr><th>#</th><th>Name</th><th>Flag</th><th>Holz f</th>"
	    "<th>Score</th><th>Addrs</th><th>ASNs</th><th>CCs</th>"
	    "<th>/16s</th><th>/32s</th><th>TTL min</th><th>NS</th>"
	    "<th>NS changed</th><th>Churn</th><th>Last seen</th></tr>\n", fp);
	for (i = 0; i < rep->nff; i++) {
		const struct rvq_report_ff *f = &rep->ff[i];

		name_text(f->owner, f->owner_len, name, sizeof(name));
		rvq_time_str(f->r.last, 0, t, sizeof(t));
		fprintf(fp, "<tr%s><td>%zu</td><td>", f->r.flagged ?
		    " class=\"flag\"" : "", i + 1);
		if (f->r.flagged)
			fprintf(fp, "<a href=\"#n%zu\">", i + 1);
		html_esc(fp, name);
		fprintf(fp, "%s</td><td>%s</td><td>%.2f</td><td>%.1f</td>"
		    "<td>%u</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td>"
		    "<td>%s</td><td>%u</td><td>%s</td><td>%u</td><td>%s</td>"
		    "</tr>\n", f->r.flagged ? "</a>" : "",
		    f->r.flagged ? "FLUX" : "-", f->r.holz, f->r.score,
		    f->r.n_addr, f->r.n_asn, f->r.n_cc, f->r.n_net4,
		    f->r.n_net6, ttl_str(f->r.ttl_min, ttl, sizeof(ttl)),
		    f->r.n_ns,
		    f->r.ns_changed ? "yes" : "no", f->r.churn, t);
	}
	fputs("</table>\n", fp);
	for (i = 0; i < rep->nff; i++) {
		const struct rvq_report_ff *f = &rep->ff[i];

		if (!f->r.flagged || f->rr == NULL)
			continue;
		name_text(f->owner, f->owner_len, name, sizeof(name));
		fprintf(fp, "<h2 id=\"n%zu\">", i + 1);
		html_esc(fp, name);
		fprintf(fp, "</h2>\n<p>%u addresses in %u ASNs and %u "
		    "countries, %u address sets, minimum TTL %s s.</p>\n",
		    f->r.n_addr, f->r.n_asn, f->r.n_cc, f->r.churn,
		    ttl_str(f->r.ttl_min, ttl, sizeof(ttl)));
		chart(fp, f, &rep->win);
	}
}

static void
tun_page(FILE *fp, const struct rvq_report *rep)
{
	char name[RV_NAME_STR_MAX], t[RV_TIME_STR_MAX];
	size_t i;
	unsigned j;

	page_head(fp, "DNS tunnelling report", rep, rep->tun_candidates,
	    rep->tun_flagged);
	fputs("<table><tr><th>#</th><th>Domain</th><th>Flag</th>"
	    "<th>Score</th><th>Names</th><th>Label len</th><th>Max</th>"
	    "<th>Entropy</th><th>TXT/NULL/CNAME</th><th>NXDOMAIN</th>"
	    "<th>Last seen</th><th>Examples</th></tr>\n", fp);
	for (i = 0; i < rep->ntun; i++) {
		const struct rvq_report_tun *r = &rep->tun[i];

		name_text(r->domain, r->domain_len, name, sizeof(name));
		rvq_time_str(r->last, 0, t, sizeof(t));
		fprintf(fp, "<tr%s><td>%zu</td><td>", r->r.flagged ?
		    " class=\"flag\"" : "", i + 1);
		html_esc(fp, name);
		fprintf(fp, "</td><td>%s</td><td>%.1f</td><td>%llu</td>"
		    "<td>%.1f</td><td>%u</td><td>%.2f</td><td>%.0f%%</td>"
		    "<td>%.0f%%</td><td>%s</td><td class=\"ex\">",
		    r->r.flagged ? "TUNNEL" : "-", r->r.score,
		    (unsigned long long)r->r.nnames, r->r.mean_len,
		    r->r.max_len, r->r.entropy, 100.0 * r->r.special,
		    100.0 * r->r.nx_rate, t);
		for (j = 0; j < RVQ_REPORT_SAMPLES && r->sample[j]; j++) {
			if (j > 0)
				fputs("<br>", fp);
			html_esc(fp, r->sample[j]);
		}
		fputs("</td></tr>\n", fp);
	}
	fputs("</table>\n", fp);
}

static void
ph_page(FILE *fp, const struct rvq_report *rep)
{
	char t[RV_TIME_STR_MAX];
	size_t i;
	unsigned j;

	page_head(fp, "Phishing and lookalike report", rep,
	    rep->ph_candidates, rep->ph_flagged);
	fputs("<table><tr><th>#</th><th>Name</th><th>Verdict</th>"
	    "<th>Score</th><th>Brand</th><th>Last seen</th>"
	    "<th>Reasons</th></tr>\n", fp);
	for (i = 0; i < rep->nph; i++) {
		const struct rvq_report_phish *r = &rep->ph[i];

		rvq_time_str(r->last, 0, t, sizeof(t));
		fprintf(fp, "<tr%s><td>%zu</td><td>", r->out.verdict ==
		    RVQ_VERDICT_BLOCK ? " class=\"flag\"" : "", i + 1);
		html_esc(fp, r->name);
		fprintf(fp, "</td><td>%s</td><td>%.1f</td><td>",
		    rvq_verdict_word(r->out.verdict), r->out.score);
		html_esc(fp, r->out.brand);
		fprintf(fp, "</td><td>%s</td><td class=\"ex\">", t);
		for (j = 0; j < r->out.n; j++) {
			if (j > 0)
				fputs("<br>", fp);
			fprintf(fp, "%s %+.1f: ", rvq_phish_reason_word(
			    r->out.r[j].kind), r->out.r[j].points);
			html_esc(fp, r->out.r[j].detail);
		}
		fputs("</td></tr>\n", fp);
	}
	fputs("</table>\n", fp);
}

/* Write one file through a temporary name; fn fills it. */
static int
write_file(const char *path, enum rvq_report_kind kind, int html,
    const struct rvq_report *rep, const struct rvq_report_cfg *cfg)
{
	char tmp[4096];
	FILE *fp;
	int rc = RV_OK;

	if ((fp = rv_file_stream_open(path, tmp, sizeof(tmp))) == NULL)
		return RV_EIO;
	if (html) {
		if (kind == RVQ_REPORT_FF)
			ff_page(fp, rep);
		else if (kind == RVQ_REPORT_PHISH)
			ph_page(fp, rep);
		else
			tun_page(fp, rep);
		fputs("<p>rearview-report(1) explains the columns and the "
		    "scores.</p>\n</body></html>\n", fp);
	} else {
		rc = report_json_doc(fp, kind, rep, cfg);
	}
	if (rc != RV_OK) {
		rv_file_stream_abort(fp, tmp);
		return rc;
	}
	return rv_file_stream_commit(fp, tmp, path);
}

int
report_write_dir(const char *dir, enum rvq_report_kind kind,
    const struct rvq_report *rep, const struct rvq_report_cfg *cfg, char *path,
    size_t pathsz)
{
	const char *what = kind == RVQ_REPORT_FF ? "fastflux" :
	    kind == RVQ_REPORT_PHISH ? "phishing" : "tunnel";
	char json[4096], day[16];
	time_t t = (time_t)rep->win.until;
	struct tm tm;
	int rc;

	if (gmtime_r(&t, &tm) == NULL)
		return RV_EINVAL;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)	/* the umask applies */
		return RV_EIO;
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	if (snprintf(json, sizeof(json), "%s/rearview-%s-%s.json", dir, what,
	    day) >= (int)sizeof(json) || snprintf(path, pathsz,
	    "%s/rearview-%s-%s.html", dir, what, day) >= (int)pathsz) {
		errno = ENAMETOOLONG;
		return RV_EIO;
	}
	if ((rc = write_file(json, kind, 0, rep, cfg)) != RV_OK)
		return rc;
	return write_file(path, kind, 1, rep, cfg);
}
