/**
 * \file rvq_phish.h
 * The lexical engine of `rearview report phishing` and `rearview verdict`:
 * a watch list (brands, own and allowed domains), the lexical analysis of
 * one owner name against it (lookalikes, embedded brands, credential
 * keywords) and one table of weights that turns reasons and the caller's
 * context signals into a score and a verdict.
 *
 * Pure computation: no store, no printing, no mutable globals. A watch
 * list is filled once, then a context (struct rvq_phish) is built from it;
 * after that both are read-only and may be used from several threads at
 * once (ICU's spoof checker is only read after it is configured).
 *
 * Input names are in ASCII presentation form, lowercase, without a
 * trailing dot, possibly with xn-- labels. The caller computes the
 * registered domain (libpsl, private suffixes included) and passes it as
 * text; the public suffix is the registered domain minus its first label,
 * the registered label is that first label.
 */
#ifndef RVQ_PHISH_H
#define RVQ_PHISH_H

#include <stddef.h>
#include <stdint.h>

/** Where `rearview report phishing` looks for the watch list by default. */
#define RVQ_WATCH_DEFAULT "/etc/rearview/watch.conf"

/** Longest brand label (a DNS label) and longest domain kept, with NUL. */
#define RVQ_PHISH_BRAND_MAX 64
#define RVQ_PHISH_DOMAIN_MAX 256
/** Most reasons reported for one name. */
#define RVQ_PHISH_REASONS_MAX 16

/* ------------------------------------------------------------------ */
/* Watch list                                                          */
/* ------------------------------------------------------------------ */

/** Kinds of watch-list entries. */
enum rvq_watch_kind {
	RVQ_WATCH_BRAND = 0,	/**< a brand: its label, maybe its domains */
	RVQ_WATCH_OWN,		/**< our own domain: exempt, and a brand */
	RVQ_WATCH_ALLOW		/**< an allowed domain: exempt only */
};

/** One entry, as added. */
struct rvq_watch_entry {
	int kind;				/**< enum rvq_watch_kind */
	char label[RVQ_PHISH_BRAND_MAX];	/**< brand label ("" for allow) */
	char domain[RVQ_PHISH_DOMAIN_MAX];	/**< "" for a label-only brand */
};

struct rvq_watch;

/** An empty watch list; NULL when out of memory. Free with rvq_watch_free. */
struct rvq_watch *rvq_watch_new(void);

/** Free a watch list (NULL is fine). Free contexts built on it first. */
void rvq_watch_free(struct rvq_watch *w);

/**
 * Add one entry. kind is "brand", "own" or "allow". value:
 *  - brand: "LABEL" (paypal), "DOMAIN" (paypal.com: the label is its first
 *    label) or "LABEL DOMAIN..." (paypal paypal.com paypal.me). A brand's
 *    domains are exempt and are the reference for tld-swap.
 *  - own: "DOMAIN" (exempt, with everything below it; its first label is
 *    compared like a brand's).
 *  - allow: "DOMAIN" (exempt, with everything below it).
 * Input is copied and lowercased.
 * \return RV_OK, RV_EINVAL (bad kind or value; *why says what, a static
 *	string, when why is not NULL), RV_ENOMEM.
 */
int rvq_watch_add(struct rvq_watch *w, const char *kind, const char *value,
    const char **why);

/**
 * Load a watch file: one entry a line, "KIND VALUE" as rvq_watch_add,
 * '#' starts a comment, blank lines ignored.
 * \param errline set to the offending line (0 when not a line's fault).
 * \param why set to a short static text saying what is wrong (may be NULL).
 * \return RV_OK, RV_EIO (cannot open or read: errno), RV_EINVAL (a bad
 *	line), RV_ENOMEM. Entries before a bad line stay added.
 */
int rvq_watch_load(struct rvq_watch *w, const char *path, unsigned *errline,
    const char **why);

/** Number of entries, and entry i (valid while w lives and is unchanged). */
size_t rvq_watch_count(const struct rvq_watch *w);
const struct rvq_watch_entry *rvq_watch_at(const struct rvq_watch *w,
    size_t i);

/**
 * 1 when name is an own, allowed or brand domain or below one, else 0.
 * Linear in the list; rvq_phish_eval has a faster copy of this check.
 */
int rvq_watch_exempt(const struct rvq_watch *w, const char *name);

/* ------------------------------------------------------------------ */
/* Reasons, weights, verdicts                                          */
/* ------------------------------------------------------------------ */

/** Reason kinds; rvq_phish_reason_word gives their stable words. */
enum rvq_phish_kind {
	RVQ_PH_SKELETON = 0,	/**< same confusable skeleton as a brand */
	RVQ_PH_EDIT,		/**< other edit (substitution, insertion, d=2) */
	RVQ_PH_BITFLIP,		/**< one letter one bit away */
	RVQ_PH_OMISSION,	/**< one letter left out */
	RVQ_PH_REPETITION,	/**< one letter doubled */
	RVQ_PH_TRANSPOSITION,	/**< two neighbours swapped */
	RVQ_PH_HYPHENATION,	/**< hyphens (or dots) added inside the brand */
	RVQ_PH_ADDITION,	/**< brand plus a letter or a word */
	RVQ_PH_TLDSWAP,		/**< the brand label under another suffix */
	RVQ_PH_HOMOGRAPH,	/**< IDN label whose skeleton is the brand */
	RVQ_PH_MIXED,		/**< IDN label mixing scripts */
	RVQ_PH_EMBEDDED,	/**< brand in a label of someone else's domain */
	RVQ_PH_NESTED,		/**< many labels below the registered domain */
	RVQ_PH_KEYWORD,		/**< credential keywords */
	RVQ_PH_NEW,		/**< registered domain newly observed */
	RVQ_PH_SHORTTTL,	/**< short TTL */
	RVQ_PH_SHARED,		/**< shares addresses with flagged domains */
	RVQ_PH_FLUX,		/**< fast-flux */
	RVQ_PH_TUNNEL,		/**< tunnelling */
	RVQ_PH_KIND_MAX
};

/** Verdicts. Words: "none", "watch", "block" (rvq_verdict_word). */
enum rvq_verdict {
	RVQ_VERDICT_NONE = 0,
	RVQ_VERDICT_WATCH,
	RVQ_VERDICT_BLOCK
};

/**
 * The one table of weights and thresholds. Points are added up; the
 * verdict is BLOCK when the score reaches `block` and at least one reason
 * is a lookalike (skeleton..homograph) or embedded-brand, WATCH when it
 * reaches `watch`, else NONE. Names at or below an own, allowed or brand
 * domain are never flagged.
 *
 * Single edits of a brand (edit, bitflip, omission, repetition,
 * transposition, one added letter) score
 *   edit_base + edit_per_letter * (brand length - edit1_min_len)
 *   (+ typo_bonus when the edit is a plausible slip: a neighbouring key,
 *   a doubled or dropped letter, swapped neighbours), at most edit_max;
 * the defaults keep a single edit of a 5- or 6-letter brand (apply ~
 * apple, adore ~ adobe) below `block`: many dictionary words are one edit
 * from a short brand. Edits need brands of edit1_min_len letters (one
 * edit) or edit2_min_len (two); shorter brands match only as whole tokens
 * (split on '-', '.' and digits) or by skeleton.
 * rvq_phish_weights_default holds the defaults (documented at its
 * definition in phish_score.c); bench/phishing fits them.
 */
struct rvq_phish_weights {
	double skeleton;	/**< same ASCII skeleton (paypa1, g00gle) */
	double homograph;	/**< IDN label with the brand's skeleton */
	double mixed_script;	/**< IDN label mixing scripts (uspoof) */
	double tld_swap;	/**< brand label, other suffix */
	double exact_label;	/**< brand label, brand has no domain listed */
	double hyphenation;	/**< pay-pal, pay.pal */
	double edit_base;	/**< one edit of a brand of edit1_min_len */
	double edit_per_letter;	/**< + per letter beyond edit1_min_len */
	double edit_max;	/**< cap of one-edit points (before bonus) */
	double typo_bonus;	/**< the edit is a plausible slip */
	double edit2_base;	/**< two edits of a brand of edit2_min_len */
	double edit2_per_letter;/**< + per letter beyond edit2_min_len */
	double add_keyword;	/**< brand + credential keyword (paypal-login) */
	double add_token;	/**< brand as a token beside other tokens */
	double add_glued;	/**< brand glued into a longer word */
	double embed_domain;	/**< brand domain in the labels (paypal.com.x.y) */
	double embed_token;	/**< brand as a label or token of a label */
	double embed_glued;	/**< brand inside a longer label */
	double nested_per_label;/**< per label beyond nested_from */
	double nested_max;
	double keyword_first;	/**< first credential keyword */
	double keyword_more;	/**< each further one */
	double keyword_max;
	double new_domain;	/**< registered domain newly observed */
	double short_ttl;	/**< min TTL below short_ttl_secs (0 = unknown) */
	double shared_per;	/**< per other flagged domain on the addresses */
	double shared_max;
	double flux;		/**< fast-flux flag */
	double tunnel;		/**< tunnelling flag */
	double watch;		/**< threshold for WATCH */
	double block;		/**< threshold for BLOCK (with a brand reason) */
	uint32_t short_ttl_secs;
	unsigned nested_from;	/**< labels below the regdom before "nested" */
	unsigned edit1_min_len;	/**< brands this long get one-edit matching */
	unsigned edit2_min_len;	/**< brands this long get two-edit matching */
};

/** The defaults (read-only). */
extern const struct rvq_phish_weights rvq_phish_weights_default;

/** One reason with its contribution. Strings are NUL-terminated. */
struct rvq_phish_reason {
	int kind;				/**< enum rvq_phish_kind */
	double points;
	char brand[RVQ_PHISH_BRAND_MAX];	/**< "" when not about a brand */
	char detail[128];			/**< "paypa1 ~ paypal (skeleton)" */
};

/** Caller's input: the name and context signals (0 = not known/not set). */
struct rvq_phish_in {
	const char *name;	/**< owner name, ASCII, lowercase, no final dot */
	const char *regdom;	/**< its registered domain (libpsl) */
	int is_new;		/**< registered domain newly observed */
	uint32_t ttl_min;	/**< smallest TTL seen, seconds; 0 unknown */
	unsigned shared_flagged;/**< other flagged domains on its addresses */
	int flux;		/**< fast-flux report flagged it */
	int tunnel;		/**< tunnelling report flagged it */
};

/** Result: score, verdict, best brand and reasons (highest points first). */
struct rvq_phish_out {
	double score;
	int verdict;				/**< enum rvq_verdict */
	char brand[RVQ_PHISH_BRAND_MAX];	/**< best brand matched, or "" */
	struct rvq_phish_reason r[RVQ_PHISH_REASONS_MAX];
	unsigned n;
};

struct rvq_phish;

/**
 * Build a context from a watch list (weights NULL: the defaults; else
 * copied). Precomputes brand skeletons and the matchers, opens ICU's
 * spoof checker. The watch list must outlive the context and stay
 * unchanged. *rc: RV_OK, RV_ENOMEM, RV_EINVAL (ICU refused), RV_ETOOBIG.
 * \return the context, NULL on error. Free with rvq_phish_free.
 */
struct rvq_phish *rvq_phish_new(const struct rvq_watch *w,
    const struct rvq_phish_weights *weights, int *rc);

/** Free a context (NULL is fine). */
void rvq_phish_free(struct rvq_phish *ph);

/**
 * The per-registered-domain part, which a caller may cache per regdom:
 * lookalikes of the registered label (skeleton, edits, hyphenation,
 * addition, tld-swap, homograph, mixed-script). Fills part->r and part->n
 * only (score and verdict are set by rvq_phish_eval).
 * \return RV_OK, RV_EINVAL (empty or malformed regdom).
 */
int rvq_phish_regdom(const struct rvq_phish *ph, const char *regdom,
    struct rvq_phish_out *part);

/**
 * Evaluate one name. regpart: the cached result of rvq_phish_regdom for
 * in->regdom, or NULL to compute it here. Adds the per-name reasons
 * (embedded brand, split brand, nested, keywords) and the context
 * signals, scores and decides. out is fully overwritten.
 * \return RV_OK, RV_EINVAL (name or regdom missing, regdom not a suffix of
 *	name).
 */
int rvq_phish_eval2(const struct rvq_phish *ph, const struct rvq_phish_in *in,
    const struct rvq_phish_out *regpart, struct rvq_phish_out *out);

/** rvq_phish_eval2 without a cached part. */
int rvq_phish_eval(const struct rvq_phish *ph, const struct rvq_phish_in *in,
    struct rvq_phish_out *out);

/** "lookalike-skeleton", "bitflip", ...; "unknown" for a bad kind. */
const char *rvq_phish_reason_word(int kind);

/** "none", "watch", "block"; "unknown" for a bad value. */
const char *rvq_verdict_word(int verdict);

/** 1 when the kind is a lookalike or embedded-brand reason (can block). */
int rvq_phish_kind_is_brand(int kind);

/* Between the engine's own files (phish_lex.c, phish_score.c); callers
 * use the functions above. */

/** The weights a context was built with. */
const struct rvq_phish_weights *rvq_phish_weights_of(const struct rvq_phish *ph);

/** 1 when name is at or below an exempt (own, allow, brand) domain. */
int rvq_phish_exempt(const struct rvq_phish *ph, const char *name);

/**
 * The per-name part: appends embedded-brand, split, nested and keyword
 * reasons to out (out->n is not reset). \return RV_OK, RV_EINVAL (regdom
 * is not name's suffix).
 */
int rvq_phish_name(const struct rvq_phish *ph, const char *name,
    const char *regdom, struct rvq_phish_out *out);

/**
 * Append a reason (detail printf-style, truncated). When out is full the
 * reason with the fewest points gives way to a better one.
 */
void rvq_phish_add(struct rvq_phish_out *out, int kind, double points,
    const char *brand, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
