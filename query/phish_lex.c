/**
 * \file phish_lex.c
 * Lexical analysis of one name against the watch list: lookalikes of the
 * registered label (ASCII skeleton, single edits, two edits for long
 * brands, hyphenation, brand plus word, tld-swap, IDN homographs through
 * ICU), and per-name signs (embedded brand, split brand, nesting,
 * credential keywords). Scoring and verdicts are in phish_score.c.
 *
 * ASCII labels never reach ICU: their skeleton is computed here with a
 * small table (0->o, 1/i->l, rn->m, vv->w, cl->d), applied to brands and
 * names alike. xn-- labels are decoded with libidn2, checked for mixed
 * scripts and skeletonised with uspoof, then folded the same way.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>
#include <unicode/uchar.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "rv_err.h"
#include "rvq_phish.h"

#define LMAX 64		/* a label with its NUL */

struct brand {
	char label[LMAX];
	char fold[LMAX];	/* ASCII skeleton of label */
	size_t len, flen;
	size_t dom0, ndom;	/* its domains: ph->dom[dom0 .. dom0+ndom) */
};

/* A pattern of the substring matcher (brands or keywords). */
struct pat {
	const char *s;
	size_t len;
	unsigned id;		/* brand index or keyword index */
	int token_only;		/* must be a whole token */
};

struct matcher {
	struct pat *p;		/* sorted by first byte */
	size_t n;
	unsigned start[257];	/* p[start[c] .. start[c+1]) begin with c */
};

struct rvq_phish {
	struct rvq_phish_weights wt;
	struct brand *b;
	size_t nb;
	char (*dom)[RVQ_PHISH_DOMAIN_MAX];	/* brand domains, by brand */
	size_t ndom;
	char (*ex)[RVQ_PHISH_DOMAIN_MAX];	/* exempt domains, sorted */
	size_t nex;
	struct matcher mb;	/* brands */
	struct matcher mk;	/* keywords */
	USpoofChecker *sc;
};

/* Credential keywords: long ones match inside words, short ones only as
 * tokens. */
static const char *const keywords[] = {
	"login", "logon", "signin", "sign-in", "verify", "verification",
	"account", "secure", "security", "update", "webmail", "wallet",
	"banking", "password", "passwd", "support", "billing", "confirm",
	"unlock", "recovery", "validate", "validation", "invoice", "payment",
	"refund", "suspend", "helpdesk", "authenticate", "credential",
	"auth", "sso", "mfa", "otp", "bank",
};
#define NKEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

/* Neighbouring keys on a QWERTY keyboard. */
static const char *const kbd[36] = {
	"qwsz", "vghn", "xdfv", "serfcx", "wrsd34", "drtgvc", "ftyhbv",
	"gyujnb", "uojk89", "huikmn", "jiolm", "kop", "njk", "bhjm",
	"ipkl90", "ol0", "wa12", "etdf45", "awedxz", "ryfg56", "yihj78",
	"cfgb", "qeas23", "zsdc", "tugh67", "asx",
	"9op", "2q", "13qw", "24we", "35er", "46rt", "57ty", "68yu", "79ui",
	"80io",
};

static int
is_tokchar(char c)
{
	return c >= 'a' && c <= 'z';
}

static int
adjacent(char a, char b)
{
	int i;

	if (a >= 'a' && a <= 'z')
		i = a - 'a';
	else if (a >= '0' && a <= '9')
		i = 26 + (a - '0');
	else
		return 0;
	return strchr(kbd[i], b) != NULL && b != '\0';
}

/* ASCII skeleton: 0->o, 1 and i->l, rn->m, vv->w, cl->d. */
static size_t
fold(const char *in, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		char c = in[i], n = i + 1 < len ? in[i + 1] : '\0';

		if (c == 'r' && n == 'n')
			c = 'm', i++;
		else if (c == 'v' && n == 'v')
			c = 'w', i++;
		else if (c == 'c' && n == 'l')
			c = 'd', i++;
		else if (c == '0')
			c = 'o';
		else if (c == '1' || c == 'i')
			c = 'l';
		out[o++] = c;
	}
	out[o] = '\0';
	return o;
}

/* ---------------------------------------------------------------- */
/* building                                                          */
/* ---------------------------------------------------------------- */

static int
pat_cmp(const void *a, const void *b)
{
	const struct pat *x = a, *y = b;

	if ((unsigned char)x->s[0] != (unsigned char)y->s[0])
		return (unsigned char)x->s[0] - (unsigned char)y->s[0];
	return (int)x->id - (int)y->id;
}

static void
matcher_index(struct matcher *m)
{
	size_t i;
	unsigned c;

	qsort(m->p, m->n, sizeof(*m->p), pat_cmp);
	for (c = 0, i = 0; c <= 256; c++) {
		while (i < m->n && (unsigned char)m->p[i].s[0] < c)
			i++;
		m->start[c] = (unsigned)i;
	}
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

void
rvq_phish_free(struct rvq_phish *ph)
{
	if (ph == NULL)
		return;
	if (ph->sc)
		uspoof_close(ph->sc);
	free(ph->b);
	free(ph->dom);
	free(ph->ex);
	free(ph->mb.p);
	free(ph->mk.p);
	free(ph);
}

static int
build_brands(struct rvq_phish *ph, const struct rvq_watch *w)
{
	size_t n = rvq_watch_count(w), i, j;

	ph->b = calloc(n ? n : 1, sizeof(*ph->b));
	ph->dom = calloc(n ? n : 1, sizeof(*ph->dom));
	ph->ex = calloc(n ? n : 1, sizeof(*ph->ex));
	if (!ph->b || !ph->dom || !ph->ex)
		return RV_ENOMEM;
	/* brands in first-seen order; their domains grouped after them */
	for (i = 0; i < n; i++) {
		const struct rvq_watch_entry *e = rvq_watch_at(w, i);

		if (e->domain[0])
			memcpy(ph->ex[ph->nex++], e->domain,
			    sizeof(ph->ex[0]));
		if (e->kind == RVQ_WATCH_ALLOW || e->label[0] == '\0')
			continue;
		for (j = 0; j < ph->nb; j++)
			if (strcmp(ph->b[j].label, e->label) == 0)
				break;
		if (j == ph->nb) {
			struct brand *b = &ph->b[ph->nb++];

			snprintf(b->label, sizeof(b->label), "%s", e->label);
			b->len = strlen(b->label);
			b->flen = fold(b->label, b->len, b->fold);
		}
	}
	for (j = 0; j < ph->nb; j++) {
		ph->b[j].dom0 = ph->ndom;
		for (i = 0; i < n; i++) {
			const struct rvq_watch_entry *e = rvq_watch_at(w, i);
			size_t k;

			if (e->kind == RVQ_WATCH_ALLOW || !e->domain[0] ||
			    strcmp(e->label, ph->b[j].label) != 0)
				continue;
			for (k = ph->b[j].dom0; k < ph->ndom; k++)
				if (strcmp(ph->dom[k], e->domain) == 0)
					break;
			if (k == ph->ndom)
				memcpy(ph->dom[ph->ndom++], e->domain,
				    sizeof(ph->dom[0]));
		}
		ph->b[j].ndom = ph->ndom - ph->b[j].dom0;
	}
	qsort(ph->ex, ph->nex, sizeof(ph->ex[0]), str_cmp);
	return RV_OK;
}

static int
build_matchers(struct rvq_phish *ph)
{
	size_t i;

	ph->mb.p = calloc(ph->nb ? ph->nb : 1, sizeof(struct pat));
	ph->mk.p = calloc(NKEYWORDS, sizeof(struct pat));
	if (!ph->mb.p || !ph->mk.p)
		return RV_ENOMEM;
	for (i = 0; i < ph->nb; i++) {
		struct pat *p = &ph->mb.p[ph->mb.n++];

		p->s = ph->b[i].label;
		p->len = ph->b[i].len;
		p->id = (unsigned)i;
		p->token_only = p->len < ph->wt.edit1_min_len;
	}
	for (i = 0; i < NKEYWORDS; i++) {
		struct pat *p = &ph->mk.p[ph->mk.n++];

		p->s = keywords[i];
		p->len = strlen(keywords[i]);
		p->id = (unsigned)i;
		p->token_only = p->len < 5;
	}
	matcher_index(&ph->mb);
	matcher_index(&ph->mk);
	return RV_OK;
}

struct rvq_phish *
rvq_phish_new(const struct rvq_watch *w, const struct rvq_phish_weights *wt,
    int *rc)
{
	struct rvq_phish *ph;
	UErrorCode st = U_ZERO_ERROR;
	int r;

	if ((ph = calloc(1, sizeof(*ph))) == NULL) {
		r = RV_ENOMEM;
		goto leave;
	}
	ph->wt = wt ? *wt : rvq_phish_weights_default;
	if ((r = build_brands(ph, w)) != RV_OK ||
	    (r = build_matchers(ph)) != RV_OK)
		goto leave;
	ph->sc = uspoof_open(&st);
	if (U_SUCCESS(st))
		uspoof_setChecks(ph->sc, USPOOF_RESTRICTION_LEVEL |
		    USPOOF_MIXED_NUMBERS | USPOOF_INVISIBLE, &st);
	if (U_SUCCESS(st))
		uspoof_setRestrictionLevel(ph->sc, USPOOF_HIGHLY_RESTRICTIVE);
	r = U_SUCCESS(st) ? RV_OK : RV_EINVAL;
leave:
	if (rc)
		*rc = r;
	if (r != RV_OK) {
		rvq_phish_free(ph);
		ph = NULL;
	}
	return ph;
}

const struct rvq_phish_weights *
rvq_phish_weights_of(const struct rvq_phish *ph)
{
	return &ph->wt;
}

int
rvq_phish_exempt(const struct rvq_phish *ph, const char *name)
{
	const char *p = name;

	if (ph->nex == 0)
		return 0;
	for (;;) {
		if (bsearch(p, ph->ex, ph->nex, sizeof(ph->ex[0]), str_cmp))
			return 1;
		if ((p = strchr(p, '.')) == NULL)
			return 0;
		p++;
	}
}

/* ---------------------------------------------------------------- */
/* edits                                                             */
/* ---------------------------------------------------------------- */

/* One edit from brand b to candidate a: the kind (or -1) and whether it
 * is a plausible slip. */
static int
classify1(const char *a, size_t alen, const char *b, size_t blen,
    int *plausible, char *what, size_t whatsz)
{
	size_t i = 0, j;

	*plausible = 0;
	while (i < alen && i < blen && a[i] == b[i])
		i++;
	if (alen == blen) {
		if (i == alen)
			return -1;
		j = i + 1;
		if (memcmp(a + j, b + j, alen - j) == 0) {
			unsigned x = (unsigned char)a[i] ^ (unsigned char)b[i];

			if ((x & (x - 1)) == 0)
				return RVQ_PH_BITFLIP;
			*plausible = adjacent(b[i], a[i]);
			snprintf(what, whatsz, "%s%c->%c", *plausible ?
			    "key " : "", b[i], a[i]);
			return RVQ_PH_EDIT;
		}
		if (j < alen && a[i] == b[j] && a[j] == b[i] &&
		    memcmp(a + j + 1, b + j + 1, alen - j - 1) == 0) {
			*plausible = 1;
			return RVQ_PH_TRANSPOSITION;
		}
		return -1;
	}
	if (alen == blen + 1) {
		if (memcmp(a + i + 1, b + i, blen - i) != 0)
			return -1;
		if (i == blen)
			return RVQ_PH_ADDITION;
		if (a[i] == b[i] || (i > 0 && a[i] == a[i - 1])) {
			*plausible = 1;
			return RVQ_PH_REPETITION;
		}
		*plausible = adjacent(b[i], a[i]) ||
		    (i > 0 && adjacent(b[i - 1], a[i]));
		snprintf(what, whatsz, "%sinsert %c", *plausible ? "key " : "",
		    a[i]);
		return RVQ_PH_EDIT;
	}
	if (alen + 1 == blen) {
		if (memcmp(a + i, b + i + 1, alen - i) != 0)
			return -1;
		*plausible = 1;
		return RVQ_PH_OMISSION;
	}
	return -1;
}

/* Optimal string alignment distance, or k+1 when above k. */
static unsigned
osa(const char *a, size_t n, const char *b, size_t m, unsigned k)
{
	unsigned r0[LMAX], r1[LMAX], r2[LMAX], *p2 = r0, *p1 = r1, *c = r2, *t;
	size_t i, j;

	if (n >= LMAX || m >= LMAX)
		return k + 1;
	for (j = 0; j <= m; j++)
		p1[j] = (unsigned)j;
	for (i = 1; i <= n; i++) {
		unsigned rowmin;

		c[0] = (unsigned)i;
		rowmin = c[0];
		for (j = 1; j <= m; j++) {
			unsigned v = p1[j] + 1, x = c[j - 1] + 1;
			unsigned s = p1[j - 1] + (a[i - 1] != b[j - 1]);

			v = x < v ? x : v;
			v = s < v ? s : v;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && p2[j - 2] + 1 < v)
				v = p2[j - 2] + 1;
			c[j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > k)
			return k + 1;
		t = p2, p2 = p1, p1 = c, c = t;
	}
	return p1[m];
}

/* ---------------------------------------------------------------- */
/* reasons                                                           */
/* ---------------------------------------------------------------- */

struct best {
	int kind;
	double points;
	size_t brand;
	char detail[128];
};

static void
best_set(struct best *bt, int kind, double points, size_t brand,
    const char *fmt, ...)
{
	va_list ap;

	if (points <= bt->points)
		return;
	bt->kind = kind;
	bt->points = points;
	bt->brand = brand;
	va_start(ap, fmt);
	vsnprintf(bt->detail, sizeof(bt->detail), fmt, ap);
	va_end(ap);
}

static void
best_emit(const struct rvq_phish *ph, const struct best *bt,
    struct rvq_phish_out *out)
{
	if (bt->points > 0)
		rvq_phish_add(out, bt->kind, bt->points,
		    bt->brand < ph->nb ? ph->b[bt->brand].label : "", "%s",
		    bt->detail);
}

static double
edit1_points(const struct rvq_phish_weights *wt, size_t blen, int plausible)
{
	double p = wt->edit_base + wt->edit_per_letter *
	    (double)(blen - wt->edit1_min_len);

	if (p > wt->edit_max)
		p = wt->edit_max;
	return p + (plausible ? wt->typo_bonus : 0);
}

/* Is s[0..len) a keyword (exactly)? */
static int
is_keyword(const struct rvq_phish *ph, const char *s, size_t len)
{
	unsigned k;
	unsigned char c = len ? (unsigned char)s[0] : 0;

	for (k = ph->mk.start[c]; k < ph->mk.start[c + 1]; k++)
		if (ph->mk.p[k].len == len && memcmp(ph->mk.p[k].s, s, len) == 0)
			return 1;
	return 0;
}

/* Does s[0..len) contain a keyword (long ones anywhere, short ones as
 * tokens)? */
static int
has_keyword(const struct rvq_phish *ph, const char *s, size_t len)
{
	size_t i;
	unsigned k;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		for (k = ph->mk.start[c]; k < ph->mk.start[c + 1]; k++) {
			const struct pat *p = &ph->mk.p[k];

			if (p->len > len - i || memcmp(s + i, p->s, p->len))
				continue;
			if (p->token_only && ((i > 0 && is_tokchar(s[i - 1])) ||
			    (i + p->len < len && is_tokchar(s[i + p->len]))))
				continue;
			return 1;
		}
	}
	return 0;
}

/* URL dressing glued to a brand (wwwpaypal, paypalcom, httpspaypal):
 * counts like a keyword when it is all that is added. */
static int
is_dressing(const char *s)
{
	static const char *const dress[] = {
		"www", "http", "https", "com", "net", "org",
	};
	size_t i;

	for (i = 0; i < sizeof(dress) / sizeof(dress[0]); i++)
		if (strcmp(s, dress[i]) == 0)
			return 1;
	return 0;
}

/* Brand inside label s (not equal to it): addition / embedded. glue: the
 * label minus the brand when the brand is glued into a longer token. */
static void
containment(const struct rvq_phish *ph, const char *s, size_t len, int embed,
    const char *disp, struct best *bt)
{
	const struct rvq_phish_weights *wt = &ph->wt;
	size_t i;
	unsigned k;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		for (k = ph->mb.start[c]; k < ph->mb.start[c + 1]; k++) {
			const struct pat *p = &ph->mb.p[k];
			size_t e = i + p->len, ts = i, te = e;
			int lb, rb, kw;
			char rest[LMAX];
			double pts, glued;

			if (p->len > len - i || memcmp(s + i, p->s, p->len))
				continue;
			if (p->len == len && !embed)
				continue;
			lb = i == 0 || !is_tokchar(s[i - 1]);
			rb = e == len || !is_tokchar(s[e]);
			if (p->token_only && !(lb && rb))
				continue;
			/* the glued remainder of the brand's token */
			while (ts > 0 && is_tokchar(s[ts - 1]))
				ts--;
			while (te < len && is_tokchar(s[te]))
				te++;
			if ((i - ts) + (te - e) >= sizeof(rest))
				continue;	/* longer than any label */
			memcpy(rest, s + ts, i - ts);
			memcpy(rest + (i - ts), s + e, te - e);
			rest[(i - ts) + (te - e)] = '\0';
			kw = has_keyword(ph, s, len) ||
			    is_keyword(ph, rest, strlen(rest)) ||
			    is_dressing(rest);
			glued = wt->add_glued + wt->edit_per_letter *
			    ((double)p->len - (double)wt->edit1_min_len);
			if (embed) {
				pts = (lb && rb) ? wt->embed_token :
				    wt->embed_glued + glued - wt->add_glued;
				if (kw && pts < wt->embed_token)
					pts = wt->embed_token;
				best_set(bt, RVQ_PH_EMBEDDED, pts, p->id,
				    "%s in %s", p->s, disp);
			} else {
				pts = kw ? wt->add_keyword : (lb && rb) ?
				    wt->add_token : glued;
				best_set(bt, RVQ_PH_ADDITION, pts, p->id,
				    "%.40s ~ %s + %s", disp, p->s,
				    kw ? "keyword" : (lb && rb) ? "word" :
				    "glued");
			}
		}
	}
}

/* Equal where a is ASCII; a's non-ASCII letters ('?': no ASCII
 * skeleton) stand for any letter, at most half of them. */
static int
wild_eq(const char *a, const char *b, size_t len)
{
	size_t i, q = 0;

	for (i = 0; i < len; i++) {
		if (a[i] == '?')
			q++;
		else if (a[i] != b[i])
			return 0;
	}
	return q > 0 && 2 * q <= len;
}

/* Lookalikes of one candidate label (ASCII; for an IDN label its folded
 * skeleton) against every brand. */
static void
lookalike(const struct rvq_phish *ph, const char *cand, size_t clen,
    const char *regdom, const char *suffix, const char *disp, int idn,
    struct best *bt)
{
	const struct rvq_phish_weights *wt = &ph->wt;
	char cf[LMAX], nh[LMAX], nhf[LMAX], what[32];
	size_t cflen, nhlen = 0, i, j;
	int hy = memchr(cand, '-', clen) != NULL;

	cflen = fold(cand, clen, cf);
	if (hy) {
		for (i = 0; i < clen; i++)
			if (cand[i] != '-')
				nh[nhlen++] = cand[i];
		nh[nhlen] = '\0';
		fold(nh, nhlen, nhf);
	}
	for (i = 0; i < ph->nb; i++) {
		const struct brand *b = &ph->b[i];
		int k, pl = 0;
		size_t d = clen > b->len ? clen - b->len : b->len - clen;

		size_t fd = cflen > b->flen ? cflen - b->flen :
		    b->flen - cflen;

		if (!hy && d > 2 && fd > 2)
			continue;
		if (clen == b->len && memcmp(cand, b->label, clen) == 0) {
			if (idn) {
				best_set(bt, RVQ_PH_HOMOGRAPH, wt->homograph,
				    i, "%.60s ~ %s (IDN)", disp, b->label);
				continue;
			}
			if (b->ndom == 0) {
				best_set(bt, RVQ_PH_EMBEDDED, wt->exact_label,
				    i, "%s is the registered label",
				    b->label);
				continue;
			}
			for (j = 0; j < b->ndom; j++)
				if (strcmp(ph->dom[b->dom0 + j], regdom) == 0)
					break;
			if (j == b->ndom)
				best_set(bt, RVQ_PH_TLDSWAP, wt->tld_swap, i,
				    "%s.%.40s ~ %s (tld-swap)", b->label,
				    suffix, ph->dom[b->dom0]);
			continue;
		}
		if (cflen == b->flen && memcmp(cf, b->fold, cflen) == 0) {
			best_set(bt, idn ? RVQ_PH_HOMOGRAPH : RVQ_PH_SKELETON,
			    idn ? wt->homograph : wt->skeleton, i,
			    "%.60s ~ %s (%s)", disp, b->label,
			    idn ? "IDN" : "skeleton");
			continue;
		}
		if (idn && cflen == b->flen && wild_eq(cf, b->fold, cflen)) {
			best_set(bt, RVQ_PH_HOMOGRAPH, wt->homograph, i,
			    "%.60s ~ %s (IDN, look-alike letters)", disp,
			    b->label);
			continue;
		}
		if (hy && nhlen == b->len && memcmp(nh, b->label, nhlen) == 0) {
			best_set(bt, RVQ_PH_HYPHENATION, wt->hyphenation, i,
			    "%.60s ~ %s (hyphens)", disp, b->label);
			continue;
		}
		if (hy && strcmp(nhf, b->fold) == 0) {
			best_set(bt, RVQ_PH_SKELETON, wt->skeleton, i,
			    "%.60s ~ %s (skeleton, hyphens)", disp, b->label);
			continue;
		}
		if (b->len < wt->edit1_min_len)
			continue;
		what[0] = '\0';
		k = classify1(cand, clen, b->label, b->len, &pl, what,
		    sizeof(what));
		if (k < 0 && (cflen != clen || b->flen != b->len ||
		    memcmp(cf, cand, clen) != 0)) {
			k = classify1(cf, cflen, b->fold, b->flen, &pl, what,
			    sizeof(what));
			if (k >= 0) {
				k = RVQ_PH_EDIT;
				pl = 0;
				snprintf(what, sizeof(what), "skeleton+edit");
			}
		}
		if (k >= 0) {
			best_set(bt, k, edit1_points(wt, b->len, pl), i,
			    "%.60s ~ %s (%s%s%s)", disp, b->label,
			    rvq_phish_reason_word(k), what[0] ? ": " : "",
			    what);
			continue;
		}
		if (b->len >= wt->edit2_min_len && d <= 2 &&
		    osa(cand, clen, b->label, b->len, 2) <= 2)
			best_set(bt, RVQ_PH_EDIT, wt->edit2_base +
			    wt->edit2_per_letter *
			    (double)(b->len - wt->edit2_min_len), i,
			    "%.60s ~ %s (2 edits)", disp, b->label);
	}
	containment(ph, cand, clen, 0, disp, bt);
}

/* Decode an xn-- label and fold its skeleton to ASCII ('?' for what has
 * no ASCII skeleton). Returns the length, or 0 when it did not decode.
 * *mixed: uspoof says it mixes scripts (or fails the restriction level).*/
static size_t
idn_fold(const struct rvq_phish *ph, const char *label, char *out,
    int *mixed, char *uni, size_t unisz)
{
	char *u8 = NULL;
	UChar u16[LMAX * 2], sk[LMAX * 4];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n16 = 0, nsk, i;
	size_t o = 0;
	int32_t chk;
	char tmp[LMAX];

	*mixed = 0;
	if (idn2_to_unicode_8z8z(label, &u8, 0) != IDN2_OK || u8 == NULL)
		return 0;
	snprintf(uni, unisz, "%s", u8);
	u_strFromUTF8(u16, (int32_t)(sizeof(u16) / sizeof(u16[0])), &n16, u8,
	    -1, &st);
	idn2_free(u8);
	if (U_FAILURE(st))
		return 0;
	chk = uspoof_check2(ph->sc, u16, n16, NULL, &st);
	if (U_SUCCESS(st) && chk != 0)
		*mixed = 1;
	st = U_ZERO_ERROR;
	nsk = uspoof_getSkeleton(ph->sc, 0, u16, n16, sk,
	    (int32_t)(sizeof(sk) / sizeof(sk[0])), &st);
	if (U_FAILURE(st))
		return 0;
	for (i = 0; i < nsk && o + 1 < LMAX; ) {
		UChar32 c;

		U16_NEXT(sk, i, nsk, c);
		if (u_charType(c) == U_NON_SPACING_MARK)
			continue;
		c = u_tolower(c);
		tmp[o++] = (c < 0x80) ? (char)c : '?';
	}
	tmp[o] = '\0';
	memcpy(out, tmp, o + 1);
	return o;
}

int
rvq_phish_regdom(const struct rvq_phish *ph, const char *regdom,
    struct rvq_phish_out *part)
{
	const char *dot;
	size_t llen;
	char label[LMAX], folded[LMAX], uni[4 * LMAX];
	struct best bt = { .kind = -1, .points = 0, .brand = (size_t)-1 };

	part->n = 0;
	if (regdom == NULL || (dot = strchr(regdom, '.')) == NULL ||
	    dot == regdom || (llen = (size_t)(dot - regdom)) >= LMAX)
		return RV_EINVAL;
	memcpy(label, regdom, llen);
	label[llen] = '\0';
	if (llen > 4 && memcmp(label, "xn--", 4) == 0) {
		int mixed = 0;
		size_t fl = idn_fold(ph, label, folded, &mixed, uni,
		    sizeof(uni));

		if (fl) {
			if (mixed)
				rvq_phish_add(part, RVQ_PH_MIXED,
				    ph->wt.mixed_script, "",
				    "%.80s mixes scripts", uni);
			lookalike(ph, folded, fl, regdom, dot + 1, uni, 1, &bt);
		}
	} else
		lookalike(ph, label, llen, regdom, dot + 1, label, 0, &bt);
	best_emit(ph, &bt, part);
	return RV_OK;
}

/* Does a brand domain start at name[i] (a label start) and continue into
 * further labels or a hyphen ("paypal.com-login.example")? */
static int
brand_domain_at(const struct rvq_phish *ph, const char *name, size_t nlen,
    size_t i, size_t *brand)
{
	size_t k;

	for (k = 0; k < ph->ndom; k++) {
		size_t dl = strlen(ph->dom[k]);

		if (dl < nlen - i && memcmp(name + i, ph->dom[k], dl) == 0 &&
		    (name[i + dl] == '.' || name[i + dl] == '-')) {
			size_t b;

			for (b = 0; b < ph->nb; b++)
				if (k >= ph->b[b].dom0 &&
				    k < ph->b[b].dom0 + ph->b[b].ndom)
					break;
			*brand = b;
			return 1;
		}
	}
	return 0;
}

int
rvq_phish_name(const struct rvq_phish *ph, const char *name,
    const char *regdom, struct rvq_phish_out *out)
{
	const struct rvq_phish_weights *wt = &ph->wt;
	size_t nlen = strlen(name), rlen = strlen(regdom), sublen, i, start;
	size_t nlab = 0, last = 0, bi;
	struct best bt = { .kind = -1, .points = 0, .brand = (size_t)-1 };
	char kwl[96];
	size_t kwn = 0, kwo = 0;
	unsigned found[(NKEYWORDS + 31) / 32] = { 0 };
	const char *rl_end = strchr(regdom, '.');

	if (rlen > nlen || strcmp(name + nlen - rlen, regdom) != 0 ||
	    (rlen < nlen && name[nlen - rlen - 1] != '.') || rl_end == NULL)
		return RV_EINVAL;
	sublen = rlen < nlen ? nlen - rlen - 1 : 0;
	/* labels below the registered domain */
	for (i = 0, start = 0; sublen && i <= sublen; i++) {
		if (i < sublen && name[i] != '.')
			continue;
		nlab++;
		last = start;
		if (brand_domain_at(ph, name, nlen, start, &bi))
			best_set(&bt, RVQ_PH_EMBEDDED, wt->embed_domain, bi,
			    "%s in %.60s", ph->dom[ph->b[bi].dom0], name);
		else
			containment(ph, name + start, i - start, 1, name, &bt);
		start = i + 1;
	}
	/* a brand split by a dot: pay.pal.com */
	if (nlab) {
		char cat[2 * LMAX], cf[2 * LMAX];
		size_t a = sublen - last, r = (size_t)(rl_end - regdom);

		if (a + r < LMAX) {
			memcpy(cat, name + last, a);
			memcpy(cat + a, regdom, r);
			cat[a + r] = '\0';
			fold(cat, a + r, cf);
			for (bi = 0; bi < ph->nb; bi++)
				if (strcmp(cat, ph->b[bi].label) == 0 ||
				    strcmp(cf, ph->b[bi].fold) == 0)
					best_set(&bt, RVQ_PH_HYPHENATION,
					    wt->hyphenation, bi,
					    "%.*s.%.*s ~ %s (split)", (int)a,
					    name + last, (int)r, regdom,
					    ph->b[bi].label);
		}
	}
	best_emit(ph, &bt, out);
	if (nlab > wt->nested_from) {
		double p = wt->nested_per_label * (double)(nlab -
		    wt->nested_from);

		rvq_phish_add(out, RVQ_PH_NESTED, p > wt->nested_max ?
		    wt->nested_max : p, "", "%zu labels below %s", nlab,
		    regdom);
	}
	/* credential keywords in every label but the public suffix */
	{
		size_t end = sublen ? sublen + 1 + (size_t)(rl_end - regdom) :
		    (size_t)(rl_end - regdom);
		const char *s = name;

		for (i = 0; i < end; i++) {
			unsigned char c = (unsigned char)s[i];
			unsigned k;

			for (k = ph->mk.start[c]; k < ph->mk.start[c + 1];
			    k++) {
				const struct pat *p = &ph->mk.p[k];

				if (p->len > end - i ||
				    memcmp(s + i, p->s, p->len))
					continue;
				if (p->token_only && ((i > 0 &&
				    is_tokchar(s[i - 1])) || (i + p->len <
				    end && is_tokchar(s[i + p->len]))))
					continue;
				if (found[p->id / 32] & (1u << (p->id % 32)))
					continue;
				found[p->id / 32] |= 1u << (p->id % 32);
				if (kwo + p->len + 3 < sizeof(kwl))
					kwo += (size_t)snprintf(kwl + kwo,
					    sizeof(kwl) - kwo, "%s%s",
					    kwn ? ", " : "", p->s);
				kwn++;
			}
		}
	}
	if (kwn) {
		double p = wt->keyword_first + wt->keyword_more *
		    (double)(kwn - 1);

		rvq_phish_add(out, RVQ_PH_KEYWORD, p > wt->keyword_max ?
		    wt->keyword_max : p, "", "%s", kwl);
	}
	return RV_OK;
}
