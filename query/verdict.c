/**
 * \file verdict.c
 * rvq_verdict (rvq_verdict.h): one name or address, everything rearview
 * knows to decide on blocking it, and a recommendation with its reasons.
 * The judgement and the report flags come from the engine's report pass
 * restricted to the name's registered domain; the neighbourhood is a
 * bounded sample of the reverse index.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rv_err.h"
#include "rv_name.h"
#include "rv_store.h"
#include "rvq_newdom.h"
#include "rvq_hostaddr.h"
#include "rvq_report.h"
#include "rvq_verdict.h"
#include "sb.h"

#define ASN_ADDRS	200	/* addresses sampled per ASN */
#define ASN_OWNERS	20	/* owners sampled per such address */

static void
why(struct rvq_vd *v, const char *fmt, ...)
{
	va_list ap;

	if (v->nwhy == RVQ_VD_WHY)
		return;
	va_start(ap, fmt);
	vsnprintf(v->why[v->nwhy++], sizeof(v->why[0]), fmt, ap);
	va_end(ap);
}

/* The lexical judgement of an owner name (no context): its verdict. */
static int
judge_name(const struct rvq_verdict_cfg *cfg, const uint8_t *w, size_t wl,
    struct rvq_phish_out *o, char *text, size_t textsz)
{
	char reg[RVQ_PHISH_DOMAIN_MAX];
	struct rvq_phish_in in;
	size_t off;

	memset(o, 0, sizeof(*o));
	if (!rvq_host_text(w, wl, text, textsz) ||
	    rv_regdom(cfg->psl, w, wl, &off) != RV_OK ||
	    !rvq_host_text(w + off, wl - off, reg, sizeof(reg)))
		return RVQ_VERDICT_NONE;
	memset(&in, 0, sizeof(in));
	in.name = text;
	in.regdom = reg;
	if (rvq_phish_eval(cfg->phish, &in, o) != RV_OK)
		return RVQ_VERDICT_NONE;
	return o->verdict;
}

/* The reverse rows of one address: first/last, and each distinct owner
 * judged into the peer list (skipping names under \p self). */
static int
peers_of(struct rvq_db *db, const struct rvq_verdict_cfg *cfg,
    const struct rv_ip *ip, const uint8_t *self, size_t selflen,
    struct rvq_vd *v)
{
	struct rv_iprange r;
	struct rv_key lo, hi;
	struct rv_cursor *c = NULL;
	struct rv_val k, val;
	struct rv_rdata_key rk;
	struct rv_seen s;
	uint8_t last[RV_NAME_MAX];
	size_t lastlen = 0, n = 0;
	int rc;

	if ((rc = rv_range_from_cidr(ip, ip->family == 4 ? 32 : 128, &r)) !=
	    RV_OK || (rc = rv_key_rdata_range(&lo, &hi, &r)) != RV_OK ||
	    (rc = rv_cursor_open(db->st, db->txn, RV_DB_RDATA, &c)) != RV_OK)
		goto leave;
	k = rv_key_val(&lo);
	for (rc = rv_cursor_get(c, &k, &val, RV_SET_RANGE); rc == RV_OK &&
	    n < RVQ_VD_SCAN; rc = rv_cursor_get(c, &k, &val, RV_NEXT), n++) {
		struct rvq_phish_out o;
		char text[RVQ_PHISH_DOMAIN_MAX];
		int verdict;

		if (!rv_key_has_prefix(&k, &lo))	/* one address */
			break;
		if (rv_rdata_key_decode(k.data, k.len, &rk) != RV_OK ||
		    rv_rdata_val_decode(val.data, val.len, &s) != RV_OK) {
			rc = RV_ECORRUPT;
			goto leave;
		}
		if (v->is_ip) {
			if (!v->seen || s.first < v->first)
				v->first = s.first;
			if (s.last > v->last)
				v->last = s.last;
			v->seen = 1;
		}
		if (rv_name_eq(rk.owner, rk.owner_len, last, lastlen))
			continue;
		memcpy(last, rk.owner, rk.owner_len);
		lastlen = rk.owner_len;
		if (self != NULL && rv_name_is_subdomain(rk.owner, rk.owner_len,
		    self, selflen))
			continue;
		v->peers_seen++;
		verdict = judge_name(cfg, rk.owner, rk.owner_len, &o, text,
		    sizeof(text));
		if (verdict == RVQ_VERDICT_NONE)
			continue;
		v->peers_flagged++;
		v->peers_block += verdict == RVQ_VERDICT_BLOCK;
		if (v->npeer < RVQ_VD_PEERS) {
			struct rvq_vd_peer *p = &v->peer[v->npeer++];
			snprintf(p->name, sizeof(p->name), "%s", text);
			p->verdict = verdict;
			p->score = o.score;
			snprintf(p->brand, sizeof(p->brand), "%s", o.brand);
		}
	}
	if (rc == RV_ENOENT)
		rc = RV_OK;
leave:
	rv_cursor_close(c);
	return rc;
}

/* Compare wire names as strings of a small set. */
struct dset {
	char (*name)[RVQ_PHISH_DOMAIN_MAX];
	size_t n, cap;
};

static int
dset_add(struct dset *d, const char *s)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->name[i], s) == 0)
			return 0;
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 64;
		void *nn = realloc(d->name, nc * sizeof(*d->name));
		if (nn == NULL)
			return -1;
		d->name = nn;
		d->cap = nc;
	}
	snprintf(d->name[d->n++], sizeof(d->name[0]), "%s", s);
	return 1;
}

/* The share of flagged registered domains in one ASN, sampled. */
static int
asn_share(struct rvq_db *db, const struct rvq_verdict_cfg *cfg,
    struct rvq_vd_asn *a)
{
	struct rv_cursor *c = NULL, *rd = NULL;
	struct rv_key p, lo, hi;
	struct rv_val k, v, rk, rv;
	struct dset seen = { 0 };
	size_t naddr = 0;
	int rc;

	if ((rc = rv_key_asn_prefix(&p, a->asn)) != RV_OK ||
	    (rc = rv_cursor_open(db->st, db->txn, RV_DB_ASN, &c)) != RV_OK ||
	    (rc = rv_cursor_open(db->st, db->txn, RV_DB_RDATA, &rd)) != RV_OK)
		goto leave;
	k = rv_key_val(&p);
	for (rc = rv_cursor_get(c, &k, &v, RV_SET_RANGE);
	    rc == RV_OK && rv_key_has_prefix(&k, &p);
	    rc = rv_cursor_get(c, &k, &v, RV_NEXT)) {
		struct rv_iprange r;
		struct rv_ip ip;
		uint32_t asn;
		size_t owners = 0;

		if (naddr++ == ASN_ADDRS) {
			a->sampled = 1;
			break;
		}
		if (rv_asn_key_decode(k.data, k.len, &asn, &ip) != RV_OK ||
		    rv_range_from_cidr(&ip, ip.family == 4 ? 32 : 128, &r) !=
		    RV_OK || rv_key_rdata_range(&lo, &hi, &r) != RV_OK)
			continue;
		rk = rv_key_val(&lo);
		for (rc = rv_cursor_get(rd, &rk, &rv, RV_SET_RANGE);
		    rc == RV_OK && owners < ASN_OWNERS;
		    rc = rv_cursor_get(rd, &rk, &rv, RV_NEXT), owners++) {
			struct rv_rdata_key dk;
			struct rvq_phish_out o;
			char text[RVQ_PHISH_DOMAIN_MAX];
			char reg[RVQ_PHISH_DOMAIN_MAX];
			size_t off;
			int verdict, added;

			if (rk.len < 1u + rv_ip_len(ip.family) ||
			    memcmp(rk.data, hi.buf, 1 + rv_ip_len(ip.family)))
				break;
			if (rv_rdata_key_decode(rk.data, rk.len, &dk) !=
			    RV_OK || rv_regdom(cfg->psl, dk.owner,
			    dk.owner_len, &off) != RV_OK ||
			    !rvq_host_text(dk.owner + off, dk.owner_len - off,
			    reg, sizeof(reg)))
				continue;
			if ((added = dset_add(&seen, reg)) < 0) {
				rc = RV_ENOMEM;
				goto leave;
			}
			if (!added)
				continue;
			a->domains++;
			verdict = judge_name(cfg, dk.owner, dk.owner_len, &o,
			    text, sizeof(text));
			a->flagged += verdict != RVQ_VERDICT_NONE;
		}
		if (rc != RV_OK && rc != RV_ENOENT)
			goto leave;
		rc = RV_OK;
	}
	if (rc == RV_ENOENT)
		rc = RV_OK;
leave:
	free(seen.name);
	rv_cursor_close(c);
	rv_cursor_close(rd);
	return rc;
}

/* The ASNs of the subject's addresses (current enrichment). */
static int
asns(struct rvq_db *db, const struct rvq_verdict_cfg *cfg,
    struct rvq_vd *v)
{
	int rc;

	for (unsigned i = 0; i < v->naddr && v->nasn < RVQ_VD_ASNS; i++) {
		struct rv_ipinfo info;
		unsigned j;

		if (rv_store_ipinfo_at(db->st, db->txn, &v->addr[i],
		    UINT32_MAX, &info) != RV_OK || info.asn == 0)
			continue;
		for (j = 0; j < v->nasn && v->asn[j].asn != info.asn; j++)
			;
		if (j < v->nasn)
			continue;
		memset(&v->asn[v->nasn], 0, sizeof(v->asn[0]));
		v->asn[v->nasn].asn = info.asn;
		snprintf(v->asn[v->nasn].org, sizeof(v->asn[0].org), "%.63s",
		    info.org);
		if ((rc = asn_share(db, cfg, &v->asn[v->nasn])) != RV_OK)
			return rc;
		v->nasn++;
	}
	return RV_OK;
}

/* The name's RRsets: first/last, and its addresses. */
static int
name_rrsets(struct rvq_db *db, const uint8_t *w, size_t wl,
    struct rvq_vd *v)
{
	struct rv_cursor *c = NULL;
	struct rv_key p;
	struct rv_val k, val;
	int rc;

	if ((rc = rv_key_rrset_name(&p, w, wl)) != RV_OK ||
	    (rc = rv_cursor_open(db->st, db->txn, RV_DB_RRSET, &c)) != RV_OK)
		goto leave;
	k = rv_key_val(&p);
	for (rc = rv_cursor_get(c, &k, &val, RV_SET_RANGE);
	    rc == RV_OK && rv_key_has_prefix(&k, &p);
	    rc = rv_cursor_get(c, &k, &val, RV_NEXT)) {
		const uint8_t *kd = k.data;
		struct rv_rrset_val rv;
		uint16_t type;

		if (k.len < p.len + 2 ||
		    rv_rrset_val_decode(val.data, val.len, &rv) != RV_OK) {
			rc = RV_ECORRUPT;
			goto leave;
		}
		type = (uint16_t)(kd[p.len] << 8 | kd[p.len + 1]);
		if (!v->seen || rv.first < v->first)
			v->first = rv.first;
		if (rv.last > v->last)
			v->last = rv.last;
		v->seen = 1;
		rvq_addrs_add(v->addr, &v->naddr, RVQ_VD_ADDRS, type, rv.set,
		    rv.set_len);
	}
	if (rc == RV_ENOENT)
		rc = RV_OK;
leave:
	rv_cursor_close(c);
	return rc;
}

/* The report pass over the registered domain: the name's judgement in
 * context and the fast-flux and tunnelling flags. */
static int
reports(struct rvq_db *db, const struct rvq_verdict_cfg *cfg,
    const uint8_t *w, size_t wl, const uint8_t *reg, size_t rlen,
    struct rvq_vd *v)
{
	struct rvq_report_cfg rc_;
	struct rvq_report rep;
	struct rvq_phish_in in;
	int rc;

	memset(&rc_, 0, sizeof(rc_));
	rc_.kinds = RVQ_REPORT_PHISH | RVQ_REPORT_FF | RVQ_REPORT_TUN;
	rc_.win = cfg->win;
	rc_.all = 1;
	rc_.phish = cfg->phish;
	rc_.psl = (void *)cfg->psl;
	rc_.prefix = reg;
	rc_.prefix_len = rlen;
	rvq_ff_params_default(&rc_.ff);
	rvq_tun_params_default(&rc_.tun);
	if ((rc = rvq_report_scan(db, &rc_, &rep)) != RV_OK)
		goto leave;
	v->judge.n = 0;
	for (size_t i = 0; i < rep.nph; i++)
		if (strcmp(rep.ph[i].name, v->subject) == 0)
			v->judge = rep.ph[i].out;
	if (v->judge.n == 0) {	/* not in the window: judge it anyway */
		memset(&in, 0, sizeof(in));
		in.name = v->subject;
		in.regdom = v->regdom;
		in.is_new = v->regdom_new;
		(void)rvq_phish_eval(cfg->phish, &in, &v->judge);
	}
	for (size_t i = 0; i < rep.nff; i++)
		if (rv_name_eq(rep.ff[i].owner, rep.ff[i].owner_len, w, wl)) {
			v->flux = rep.ff[i].r.flagged;
			v->flux_score = rep.ff[i].r.score;
		}
	for (size_t i = 0; i < rep.ntun; i++)
		if (rv_name_eq(rep.tun[i].domain, rep.tun[i].domain_len, reg,
		    rlen)) {
			v->tunnel = rep.tun[i].r.flagged;
			v->tunnel_score = rep.tun[i].r.score;
		}
leave:
	rvq_report_free(&rep);
	return rc;
}

static void
recommend(struct rvq_vd *v)
{
	if (v->is_ip) {
		if (v->peers_block > 0 && v->peers_block * 2 >= v->peers_seen)
			v->verdict = RVQ_VERDICT_BLOCK;
		else if (v->peers_flagged > 0)
			v->verdict = RVQ_VERDICT_WATCH;
		if (v->peers_flagged > 0)
			why(v, "%llu of %llu names on it flagged (%llu block)",
			    (unsigned long long)v->peers_flagged,
			    (unsigned long long)v->peers_seen,
			    (unsigned long long)v->peers_block);
	} else {
		v->verdict = v->judge.verdict;
		if (v->judge.verdict != RVQ_VERDICT_NONE)
			why(v, "phishing judgement %s, score %.0f%s%s",
			    rvq_verdict_word(v->judge.verdict), v->judge.score,
			    v->judge.brand[0] ? ", brand " : "",
			    v->judge.brand);
		if (v->flux) {
			why(v, "fast-flux report flags it (score %.0f)",
			    v->flux_score);
			if (v->verdict == RVQ_VERDICT_NONE)
				v->verdict = RVQ_VERDICT_WATCH;
		}
		if (v->tunnel) {
			why(v, "tunnelling report flags %s (score %.0f)",
			    v->regdom, v->tunnel_score);
			if (v->verdict == RVQ_VERDICT_NONE)
				v->verdict = RVQ_VERDICT_WATCH;
		}
		if (v->peers_block > 0) {
			why(v, "%llu block-flagged names share its addresses",
			    (unsigned long long)v->peers_block);
			if (v->verdict == RVQ_VERDICT_NONE)
				v->verdict = RVQ_VERDICT_WATCH;
		}
	}
	for (unsigned i = 0; i < v->nasn; i++)
		if (v->asn[i].domains > 0 && v->asn[i].flagged * 4 >=
		    v->asn[i].domains && v->asn[i].flagged > 0)
			why(v, "AS%u: %llu of %llu sampled domains flagged",
			    v->asn[i].asn,
			    (unsigned long long)v->asn[i].flagged,
			    (unsigned long long)v->asn[i].domains);
	if (!v->seen)
		why(v, "never seen by rearview");
	else if (v->nwhy == 0)
		why(v, "nothing flagged");
}

int
rvq_verdict(struct rvq_db *db, const struct rvq_verdict_cfg *cfg,
    const char *arg, struct rvq_vd *out, char *err_msg,
    size_t err_len)
{
	uint8_t w[RV_NAME_MAX];
	size_t wl = sizeof(w), off = 0;
	struct rv_ip ip;
	int rc;

	memset(out, 0, sizeof(*out));
	if (rv_ip_parse(arg, &ip) == RV_OK) {
		out->is_ip = 1;
		out->addr[0] = ip;
		out->naddr = 1;
		if (rv_ip_to_str(&ip, out->subject, sizeof(out->subject)) !=
		    RV_OK)
			return RV_EINVAL;
		if ((rc = peers_of(db, cfg, &ip, NULL, 0, out)) != RV_OK ||
		    (rc = asns(db, cfg, out)) != RV_OK)
			return rc;
		recommend(out);
		return RV_OK;
	}
	if (rv_name_from_str(arg, w, &wl) != RV_OK || wl <= 1) {
		snprintf(err_msg, err_len, "'%s' is neither a domain name nor "
		    "an IP address", arg);
		return RV_EINVAL;
	}
	rv_name_canon(w, wl);
	if (!rvq_host_text(w, wl, out->subject, sizeof(out->subject))) {
		snprintf(err_msg, err_len, "'%s' is not a host name", arg);
		return RV_EINVAL;
	}
	if ((rc = name_rrsets(db, w, wl, out)) != RV_OK)
		return rc;
	if (rv_regdom(cfg->psl, w, wl, &off) == RV_OK) {
		struct rv_key k;
		struct rv_val kv, v;
		struct rv_seen s;

		(void)rvq_host_text(w + off, wl - off, out->regdom,
		    sizeof(out->regdom));
		if (rv_key_regdom(&k, w + off, wl - off) == RV_OK) {
			kv = rv_key_val(&k);
			if (rv_get(db->st, db->txn, RV_DB_REGDOM, &kv, &v) ==
			    RV_OK && rv_names_val_decode(v.data, v.len, &s) ==
			    RV_OK)
				out->regdom_first = s.first;
		}
		rc = rvq_newdom_is_new(db, w + off, wl - off, &cfg->win);
		if (rc < 0)
			return -rc;
		out->regdom_new = rc;
		if ((rc = reports(db, cfg, w, wl, w + off, wl - off, out)) !=
		    RV_OK)
			return rc;
	} else {
		struct rvq_phish_in in;
		memset(&in, 0, sizeof(in));
		in.name = out->subject;
		in.regdom = out->subject;
		(void)rvq_phish_eval(cfg->phish, &in, &out->judge);
	}
	for (unsigned i = 0; i < out->naddr; i++)
		if ((rc = peers_of(db, cfg, &out->addr[i], w + off, wl - off,
		    out)) != RV_OK)
			return rc;
	if ((rc = asns(db, cfg, out)) != RV_OK)
		return rc;
	recommend(out);
	return RV_OK;
}

void
rvq_verdict_json(struct sb *b, const struct rvq_vd *v)
{
	char ip[64];
	unsigned i;

	sb_str(b, "{\"subject\":");
	sb_json(b, v->subject);
	sb_str(b, ",\"recommendation\":");
	sb_json(b, rvq_verdict_word(v->verdict));
	sb_str(b, ",\"why\":[");
	for (i = 0; i < v->nwhy; i++) {
		if (i > 0)
			sb_ch(b, ',');
		sb_json(b, v->why[i]);
	}
	sb_str(b, v->seen ? "],\"seen\":true" : "],\"seen\":false");
	sb_key_u64(b, ",\"time_first\":", v->first);
	sb_key_u64(b, ",\"time_last\":", v->last);
	if (!v->is_ip) {
		sb_str(b, ",\"registered_domain\":");
		sb_json(b, v->regdom);
		sb_key_u64(b, ",\"registered_domain_first\":",
		    v->regdom_first);
		sb_str(b, v->regdom_new ? ",\"new_domain\":true" :
		    ",\"new_domain\":false");
		sb_str(b, ",\"phishing\":{\"verdict\":");
		sb_json(b, rvq_verdict_word(v->judge.verdict));
		sb_fmt(b, ",\"score\":%.1f,\"brand\":", v->judge.score);
		sb_json(b, v->judge.brand);
		sb_str(b, ",\"reasons\":");
		rvq_phish_reasons_json(b, &v->judge);
		sb_str(b, v->flux ? "},\"fastflux\":true" :
		    "},\"fastflux\":false");
		sb_str(b, v->tunnel ? ",\"tunnel\":true" : ",\"tunnel\":false");
	}
	sb_str(b, ",\"addresses\":[");
	for (i = 0; i < v->naddr; i++) {
		if (rv_ip_to_str(&v->addr[i], ip, sizeof(ip)) != RV_OK)
			snprintf(ip, sizeof(ip), "?");
		if (i > 0)
			sb_ch(b, ',');
		sb_json(b, ip);
	}
	sb_key_u64(b, "],\"cohosted_names\":", v->peers_seen);
	sb_key_u64(b, ",\"cohosted_flagged\":", v->peers_flagged);
	sb_key_u64(b, ",\"cohosted_block\":", v->peers_block);
	sb_str(b, ",\"cohosted\":[");
	for (i = 0; i < v->npeer; i++) {
		sb_str(b, i ? ",{\"name\":" : "{\"name\":");
		sb_json(b, v->peer[i].name);
		sb_str(b, ",\"verdict\":");
		sb_json(b, rvq_verdict_word(v->peer[i].verdict));
		sb_fmt(b, ",\"score\":%.1f,\"brand\":", v->peer[i].score);
		sb_json(b, v->peer[i].brand);
		sb_ch(b, '}');
	}
	sb_str(b, "],\"asns\":[");
	for (i = 0; i < v->nasn; i++) {
		sb_key_u64(b, i ? ",{\"asn\":" : "{\"asn\":", v->asn[i].asn);
		sb_str(b, ",\"org\":");
		sb_json(b, v->asn[i].org);
		sb_key_u64(b, ",\"domains_sampled\":", v->asn[i].domains);
		sb_key_u64(b, ",\"domains_flagged\":", v->asn[i].flagged);
		sb_ch(b, '}');
	}
	sb_str(b, "]}");
}
