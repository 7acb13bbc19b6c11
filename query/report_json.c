/**
 * \file report_json.c
 * A report's rows as JSON objects, one per row: what `rearview report -o
 * json` prints and the service's /api/v1/report gives.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rv_err.h"
#include "rv_ip.h"
#include "rv_name.h"
#include "rvq_report.h"
#include "sb.h"

static void
name_text(const uint8_t *w, size_t len, char *out, size_t outsz)
{
	if (rv_name_to_str(w, len, out, outsz) != RV_OK)
		snprintf(out, outsz, "?");
}

/* The ASNs and countries of a kept row, as JSON arrays. */
static void
ff_lists(struct sb *b, const struct rvq_report_ff *f)
{
	size_t i, j;
	int first = 1;

	sb_str(b, ",\"asn_list\":[");
	for (i = 0; i < f->naddr; i++) {
		uint32_t a = f->addr[i].asn;

		for (j = 0; j < i && f->addr[j].asn != a; j++)
			;
		if (a == 0 || j < i)
			continue;
		if (!first)
			sb_ch(b, ',');
		first = 0;
		sb_u64(b, a);
	}
	sb_str(b, "],\"country_list\":[");
	first = 1;
	for (i = 0; i < f->naddr; i++) {
		const char *c = f->addr[i].cc;

		for (j = 0; j < i && strcmp(f->addr[j].cc, c) != 0; j++)
			;
		if (c[0] == '\0' || j < i)
			continue;
		if (!first)
			sb_ch(b, ',');
		first = 0;
		sb_json(b, c);
	}
	sb_ch(b, ']');
}

void
rvq_report_ff_json(struct sb *b, const struct rvq_report_ff *f, uint64_t rank)
{
	char name[RV_NAME_STR_MAX];

	name_text(f->owner, f->owner_len, name, sizeof(name));
	sb_key_u64(b, "{\"report\":\"fastflux\",\"rank\":", rank);
	sb_str(b, ",\"rrname\":");
	sb_json(b, name);
	sb_str(b, f->r.flagged ? ",\"flagged\":true" : ",\"flagged\":false");
	sb_fmt(b, ",\"holz_score\":%.2f", f->r.holz);
	sb_fmt(b, ",\"score\":%.2f", f->r.score);
	sb_key_u64(b, ",\"addresses\":", f->r.n_addr);
	sb_key_u64(b, ",\"ipv4\":", f->r.n_v4);
	sb_key_u64(b, ",\"ipv6\":", f->r.n_v6);
	sb_key_u64(b, ",\"asns\":", f->r.n_asn);
	sb_key_u64(b, ",\"countries\":", f->r.n_cc);
	sb_key_u64(b, ",\"nets16\":", f->r.n_net4);
	sb_key_u64(b, ",\"nets32\":", f->r.n_net6);
	sb_str(b, ",\"ttl_min\":");
	if (f->r.ttl_min == UINT32_MAX)
		sb_str(b, "null");
	else
		sb_u64(b, f->r.ttl_min);
	sb_key_u64(b, ",\"ns\":", f->r.n_ns);
	sb_str(b, f->r.ns_changed ? ",\"ns_changed\":true" :
	    ",\"ns_changed\":false");
	sb_key_u64(b, ",\"churn\":", f->r.churn);
	sb_key_u64(b, ",\"count\":", f->r.count);
	sb_key_u64(b, ",\"time_first\":", f->r.first);
	sb_key_u64(b, ",\"time_last\":", f->r.last);
	if (f->addr != NULL)
		ff_lists(b, f);
	sb_ch(b, '}');
}

void
rvq_report_tun_json(struct sb *b, const struct rvq_report_tun *t, uint64_t rank)
{
	char name[RV_NAME_STR_MAX];
	unsigned i;

	name_text(t->domain, t->domain_len, name, sizeof(name));
	sb_key_u64(b, "{\"report\":\"tunnel\",\"rank\":", rank);
	sb_str(b, ",\"domain\":");
	sb_json(b, name);
	sb_str(b, t->r.flagged ? ",\"flagged\":true" : ",\"flagged\":false");
	sb_fmt(b, ",\"score\":%.2f", t->r.score);
	sb_key_u64(b, ",\"names\":", t->r.nnames);
	sb_fmt(b, ",\"label_len_mean\":%.2f", t->r.mean_len);
	sb_key_u64(b, ",\"label_len_max\":", t->r.max_len);
	sb_fmt(b, ",\"entropy\":%.3f", t->r.entropy);
	sb_fmt(b, ",\"txt_null_cname\":%.3f", t->r.special);
	sb_fmt(b, ",\"nxdomain_rate\":%.3f", t->r.nx_rate);
	sb_key_u64(b, ",\"time_last\":", t->last);
	sb_str(b, ",\"examples\":[");
	for (i = 0; i < RVQ_REPORT_SAMPLES && t->sample[i] != NULL; i++) {
		if (i > 0)
			sb_ch(b, ',');
		sb_json(b, t->sample[i]);
	}
	sb_str(b, "]}");
}


void
rvq_report_phish_json(struct sb *b, const struct rvq_report_phish *p,
    uint64_t rank)
{
	char ip[64];
	unsigned i;

	sb_key_u64(b, "{\"report\":\"phishing\",\"rank\":", rank);
	sb_str(b, ",\"name\":");
	sb_json(b, p->name);
	sb_str(b, ",\"registered_domain\":");
	sb_json(b, p->regdom);
	sb_str(b, ",\"verdict\":");
	sb_json(b, rvq_verdict_word(p->out.verdict));
	sb_fmt(b, ",\"score\":%.1f", p->out.score);
	sb_str(b, ",\"brand\":");
	sb_json(b, p->out.brand);
	sb_key_u64(b, ",\"time_first\":", p->first);
	sb_key_u64(b, ",\"time_last\":", p->last);
	sb_str(b, p->in.is_new ? ",\"new_domain\":true" :
	    ",\"new_domain\":false");
	sb_key_u64(b, ",\"ttl_min\":", p->in.ttl_min);
	sb_str(b, ",\"addresses\":[");
	for (i = 0; i < p->naddr; i++) {
		if (i > 0)
			sb_ch(b, ',');
		if (rv_ip_to_str(&p->addr[i], ip, sizeof(ip)) != RV_OK)
			snprintf(ip, sizeof(ip), "?");
		sb_json(b, ip);
	}
	sb_str(b, "],\"reasons\":");
	rvq_phish_reasons_json(b, &p->out);
	sb_ch(b, '}');
}

void
rvq_phish_reasons_json(struct sb *b, const struct rvq_phish_out *o)
{
	sb_ch(b, '[');
	for (unsigned i = 0; i < o->n; i++) {
		if (i > 0)
			sb_ch(b, ',');
		sb_str(b, "{\"reason\":");
		sb_json(b, rvq_phish_reason_word(o->r[i].kind));
		sb_fmt(b, ",\"points\":%.1f", o->r[i].points);
		sb_str(b, ",\"brand\":");
		sb_json(b, o->r[i].brand);
		sb_str(b, ",\"detail\":");
		sb_json(b, o->r[i].detail);
		sb_ch(b, '}');
	}
	sb_ch(b, ']');
}
