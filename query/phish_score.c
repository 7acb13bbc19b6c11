/**
 * \file phish_score.c
 * The phishing engine's one table of weights, the words of its reasons
 * and verdicts, and rvq_phish_eval: lexical reasons plus the caller's
 * context signals -> score -> verdict.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rv_err.h"
#include "rvq_phish.h"

/*
 * The defaults. Thresholds: watch 25, block 60 (block also needs a
 * lookalike or embedded-brand reason).
 *
 * Strong on their own (>= block): same skeleton (paypa1, g00gle,
 * rnicrosoft) 70, IDN homograph 80, tld-swap 60, hyphens inside the brand
 * 60, brand + credential keyword (paypal-login, paypalsecure) 70, the
 * brand's domain inside someone else's name (paypal.com-secure.example)
 * 70.
 *
 * Single edits grow with the brand's length: 30 for a 5-letter brand,
 * +8 a letter (paypal 38, facebook 54, microsoft 62), +10 for a plausible
 * slip. A single edit of a brand of 5-6 letters stays below block
 * (apply ~ apple, adore ~ adobe: one edit from a short brand is often an
 * ordinary word); with one more signal (a keyword, a new domain) it
 * blocks. Two edits (brands of 8+): 45, +5 a letter.
 *
 * Weak (watch at most on their own): brand glued into a longer word 30
 * (pineapple), brand as a token beside other words 50, embedded as a
 * label or token 55 / glued 40, mixed scripts 15, keywords 15 + 8 each
 * more (at most 35), nesting 5 a label beyond 3 (at most 15), new domain
 * 15, TTL under 300 s 5, shared addresses 10 each (at most 20), fast-flux
 * 15, tunnelling 10.
 *
 * bench/phishing/run.sh fits `block`, `edit_per_letter` and `typo_bonus`
 * on half the brands and reports the other half (RESULTS.md).
 */
const struct rvq_phish_weights rvq_phish_weights_default = {
	.skeleton = 90,
	.homograph = 90,
	.mixed_script = 15,
	.tld_swap = 85,
	.exact_label = 30,
	.hyphenation = 85,
	.edit_base = 30,
	.edit_per_letter = 8,
	.edit_max = 70,
	.typo_bonus = 10,
	.edit2_base = 45,
	.edit2_per_letter = 5,
	.add_keyword = 85,
	.add_token = 70,
	.add_glued = 30,
	.embed_domain = 85,
	.embed_token = 65,
	.embed_glued = 40,
	.nested_per_label = 5,
	.nested_max = 15,
	.keyword_first = 15,
	.keyword_more = 8,
	.keyword_max = 35,
	.new_domain = 15,
	.short_ttl = 5,
	.shared_per = 10,
	.shared_max = 20,
	.flux = 15,
	.tunnel = 10,
	.watch = 25,
	.block = 60,
	.short_ttl_secs = 300,
	.nested_from = 3,
	.edit1_min_len = 5,
	.edit2_min_len = 8,
};

static const char *const kind_words[RVQ_PH_KIND_MAX] = {
	[RVQ_PH_SKELETON] = "lookalike-skeleton",
	[RVQ_PH_EDIT] = "lookalike-edit",
	[RVQ_PH_BITFLIP] = "bitflip",
	[RVQ_PH_OMISSION] = "omission",
	[RVQ_PH_REPETITION] = "repetition",
	[RVQ_PH_TRANSPOSITION] = "transposition",
	[RVQ_PH_HYPHENATION] = "hyphenation",
	[RVQ_PH_ADDITION] = "addition",
	[RVQ_PH_TLDSWAP] = "tld-swap",
	[RVQ_PH_HOMOGRAPH] = "homograph",
	[RVQ_PH_MIXED] = "mixed-script",
	[RVQ_PH_EMBEDDED] = "embedded-brand",
	[RVQ_PH_NESTED] = "nested",
	[RVQ_PH_KEYWORD] = "keyword",
	[RVQ_PH_NEW] = "new-domain",
	[RVQ_PH_SHORTTTL] = "short-ttl",
	[RVQ_PH_SHARED] = "shared-hosting",
	[RVQ_PH_FLUX] = "fast-flux",
	[RVQ_PH_TUNNEL] = "tunnel",
};

const char *
rvq_phish_reason_word(int kind)
{
	if (kind < 0 || kind >= RVQ_PH_KIND_MAX)
		return "unknown";
	return kind_words[kind];
}

const char *
rvq_verdict_word(int verdict)
{
	switch (verdict) {
	case RVQ_VERDICT_NONE:
		return "none";
	case RVQ_VERDICT_WATCH:
		return "watch";
	case RVQ_VERDICT_BLOCK:
		return "block";
	default:
		return "unknown";
	}
}

int
rvq_phish_kind_is_brand(int kind)
{
	return (kind >= RVQ_PH_SKELETON && kind <= RVQ_PH_HOMOGRAPH) ||
	    kind == RVQ_PH_EMBEDDED;
}

void
rvq_phish_add(struct rvq_phish_out *out, int kind, double points,
    const char *brand, const char *fmt, ...)
{
	struct rvq_phish_reason *r;
	va_list ap;
	unsigned i;

	if (out->n < RVQ_PHISH_REASONS_MAX)
		r = &out->r[out->n++];
	else {
		r = &out->r[0];
		for (i = 1; i < out->n; i++)
			if (out->r[i].points < r->points)
				r = &out->r[i];
		if (r->points >= points)
			return;
	}
	r->kind = kind;
	r->points = points;
	snprintf(r->brand, sizeof(r->brand), "%s", brand ? brand : "");
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

static int
reason_cmp(const void *a, const void *b)
{
	const struct rvq_phish_reason *x = a, *y = b;

	if (x->points != y->points)
		return x->points < y->points ? 1 : -1;
	return x->kind - y->kind;
}

int
rvq_phish_eval2(const struct rvq_phish *ph, const struct rvq_phish_in *in,
    const struct rvq_phish_out *regpart, struct rvq_phish_out *out)
{
	const struct rvq_phish_weights *wt;
	int rc = RV_OK, brand = 0;
	unsigned i;

	if (out == NULL)
		return RV_EINVAL;
	memset(out, 0, sizeof(*out));
	if (ph == NULL || in == NULL || in->name == NULL ||
	    in->regdom == NULL || in->name[0] == '\0')
		return RV_EINVAL;
	wt = rvq_phish_weights_of(ph);
	if (rvq_phish_exempt(ph, in->name))
		return RV_OK;
	if (regpart) {
		memcpy(out->r, regpart->r, regpart->n * sizeof(out->r[0]));
		out->n = regpart->n;
	} else if ((rc = rvq_phish_regdom(ph, in->regdom, out)) != RV_OK)
		goto leave;
	if ((rc = rvq_phish_name(ph, in->name, in->regdom, out)) != RV_OK)
		goto leave;
	if (in->is_new)
		rvq_phish_add(out, RVQ_PH_NEW, wt->new_domain, "",
		    "%s newly observed", in->regdom);
	if (in->ttl_min && in->ttl_min < wt->short_ttl_secs)
		rvq_phish_add(out, RVQ_PH_SHORTTTL, wt->short_ttl, "",
		    "min TTL %u s", (unsigned)in->ttl_min);
	if (in->shared_flagged) {
		double p = wt->shared_per * in->shared_flagged;

		rvq_phish_add(out, RVQ_PH_SHARED, p > wt->shared_max ?
		    wt->shared_max : p, "", "addresses shared with %u "
		    "flagged domains", in->shared_flagged);
	}
	if (in->flux)
		rvq_phish_add(out, RVQ_PH_FLUX, wt->flux, "", "fast-flux");
	if (in->tunnel)
		rvq_phish_add(out, RVQ_PH_TUNNEL, wt->tunnel, "", "tunnelling");
	qsort(out->r, out->n, sizeof(out->r[0]), reason_cmp);
	for (i = 0; i < out->n; i++) {
		out->score += out->r[i].points;
		if (rvq_phish_kind_is_brand(out->r[i].kind) && !brand) {
			brand = 1;
			snprintf(out->brand, sizeof(out->brand), "%s",
			    out->r[i].brand);
		}
	}
	if (brand && out->score >= wt->block)
		out->verdict = RVQ_VERDICT_BLOCK;
	else if (out->score >= wt->watch)
		out->verdict = RVQ_VERDICT_WATCH;
leave:
	if (rc != RV_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

int
rvq_phish_eval(const struct rvq_phish *ph, const struct rvq_phish_in *in,
    struct rvq_phish_out *out)
{
	return rvq_phish_eval2(ph, in, NULL, out);
}
