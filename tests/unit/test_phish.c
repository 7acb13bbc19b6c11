/**
 * \file test_phish.c
 * The phishing engine (query/rvq_phish.h) on hand-made names: every
 * permutation family for paypal and microsoft, dictionary words one edit
 * from short brands stay below block, short brands match only as tokens,
 * embedded brands, own and allowed names, keywords alone, IDN homographs,
 * ASCII skeletons, watch-file errors with their line.
 *
 * It links the query engine like any caller; leaks are the sanitizer
 * build's to find.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "rv_err.h"
#include "rvq_phish.h"

struct fx {
	struct rvq_watch *w;
	struct rvq_phish *ph;
};

static const char *const watch_lines[][2] = {
	{ "brand", "paypal paypal.com" },
	{ "brand", "microsoft microsoft.com" },
	{ "brand", "google.com" },
	{ "brand", "apple apple.com" },
	{ "brand", "adobe adobe.com" },
	{ "brand", "wikipedia wikipedia.org" },
	{ "brand", "ups ups.com" },
	{ "brand", "dhl" },
	{ "own", "example-corp.com" },
	{ "allow", "googlesource.com" },
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	size_t i;
	int rc;

	assert_non_null(f);
	f->w = rvq_watch_new();
	assert_non_null(f->w);
	for (i = 0; i < sizeof(watch_lines) / sizeof(watch_lines[0]); i++)
		assert_int_equal(rvq_watch_add(f->w, watch_lines[i][0],
		    watch_lines[i][1], NULL), RV_OK);
	f->ph = rvq_phish_new(f->w, NULL, &rc);
	assert_int_equal(rc, RV_OK);
	assert_non_null(f->ph);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	rvq_phish_free(f->ph);
	rvq_watch_free(f->w);
	free(f);
	return 0;
}

/* Evaluate name (regdom: its last two labels unless given). */
static void
eval(struct fx *f, const char *name, const char *regdom,
    struct rvq_phish_out *out)
{
	struct rvq_phish_in in = { 0 };
	const char *p = name + strlen(name);
	int dots = 0;

	if (regdom == NULL) {
		while (p > name) {
			p--;
			if (*p == '.' && ++dots == 2) {
				p++;
				break;
			}
		}
		regdom = p;
	}
	in.name = name;
	in.regdom = regdom;
	assert_int_equal(rvq_phish_eval(f->ph, &in, out), RV_OK);
}

static int
has_kind(const struct rvq_phish_out *o, int kind)
{
	unsigned i;

	for (i = 0; i < o->n; i++)
		if (o->r[i].kind == kind)
			return 1;
	return 0;
}

static void
expect(struct fx *f, const char *name, int kind, int verdict,
    const char *brand)
{
	struct rvq_phish_out o;

	eval(f, name, NULL, &o);
	if (!has_kind(&o, kind) || o.verdict != verdict ||
	    (brand && strcmp(o.brand, brand) != 0)) {
		unsigned i;

		print_error("%s: verdict %s score %.0f brand %s, want %s %s\n",
		    name, rvq_verdict_word(o.verdict), o.score, o.brand,
		    rvq_phish_reason_word(kind), rvq_verdict_word(verdict));
		for (i = 0; i < o.n; i++)
			print_error("  %s %.0f %s\n",
			    rvq_phish_reason_word(o.r[i].kind), o.r[i].points,
			    o.r[i].detail);
		fail();
	}
}

static void
test_families(void **state)
{
	struct fx *f = *state;

	/* microsoft: 9 letters, a single edit blocks */
	expect(f, "rnicrosoft.com", RVQ_PH_SKELETON, RVQ_VERDICT_BLOCK,
	    "microsoft");
	expect(f, "micr0soft.com", RVQ_PH_SKELETON, RVQ_VERDICT_BLOCK, NULL);
	expect(f, "microsoff.com", RVQ_PH_EDIT, RVQ_VERDICT_BLOCK, NULL);
	expect(f, "microsofu.com", RVQ_PH_BITFLIP, RVQ_VERDICT_BLOCK, NULL);
	expect(f, "micrsoft.com", RVQ_PH_OMISSION, RVQ_VERDICT_BLOCK, NULL);
	expect(f, "microosoft.com", RVQ_PH_REPETITION, RVQ_VERDICT_BLOCK,
	    NULL);
	expect(f, "mircosoft.com", RVQ_PH_TRANSPOSITION, RVQ_VERDICT_BLOCK,
	    NULL);
	expect(f, "micro-soft.com", RVQ_PH_HYPHENATION, RVQ_VERDICT_BLOCK,
	    NULL);
	expect(f, "microsofts.com", RVQ_PH_ADDITION, RVQ_VERDICT_BLOCK, NULL);
	expect(f, "microsoft-login.com", RVQ_PH_ADDITION, RVQ_VERDICT_BLOCK,
	    NULL);
	expect(f, "microsoft.net", RVQ_PH_TLDSWAP, RVQ_VERDICT_BLOCK, NULL);
	expect(f, "micro.soft.com", RVQ_PH_HYPHENATION, RVQ_VERDICT_BLOCK,
	    NULL);
	expect(f, "mizrosoft.com", RVQ_PH_EDIT, RVQ_VERDICT_BLOCK, NULL);
	expect(f, "micorsfot.com", RVQ_PH_EDIT, RVQ_VERDICT_WATCH, NULL);
	/* paypal */
	expect(f, "paypa1.com", RVQ_PH_SKELETON, RVQ_VERDICT_BLOCK, "paypal");
	expect(f, "pay-pal.com", RVQ_PH_HYPHENATION, RVQ_VERDICT_BLOCK, NULL);
	expect(f, "paypal.net", RVQ_PH_TLDSWAP, RVQ_VERDICT_BLOCK, NULL);
	expect(f, "paypal-login.com", RVQ_PH_ADDITION, RVQ_VERDICT_BLOCK,
	    NULL);
	expect(f, "paypalsecure.com", RVQ_PH_ADDITION, RVQ_VERDICT_BLOCK,
	    NULL);
	expect(f, "paypl.com", RVQ_PH_OMISSION, RVQ_VERDICT_WATCH, NULL);
	expect(f, "ppaypal.com", RVQ_PH_REPETITION, RVQ_VERDICT_WATCH, NULL);
	expect(f, "papyal.com", RVQ_PH_TRANSPOSITION, RVQ_VERDICT_WATCH, NULL);
	expect(f, "paypak.com", RVQ_PH_EDIT, RVQ_VERDICT_WATCH, NULL);
	expect(f, "paypam.com", RVQ_PH_BITFLIP, RVQ_VERDICT_WATCH, NULL);
	/* a single edit plus a credential keyword blocks */
	expect(f, "login.paypak.com", RVQ_PH_EDIT, RVQ_VERDICT_BLOCK, NULL);
	expect(f, "g00gle.com", RVQ_PH_SKELETON, RVQ_VERDICT_BLOCK, "google");
	expect(f, "vvikipedia.org", RVQ_PH_SKELETON, RVQ_VERDICT_BLOCK,
	    "wikipedia");
}

static void
test_words(void **state)
{
	struct fx *f = *state;
	static const char *const words[] = {
		"apply.com", "adore.com", "ample.com", "abode.com",
		"pineapple.com", "papal.com", "cups.com", "groups.com",
		"startups.io", "dhlaw.com",
	};
	struct rvq_phish_out o;
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		eval(f, words[i], NULL, &o);
		if (o.verdict == RVQ_VERDICT_BLOCK)
			fail_msg("%s blocked (%.0f, %s)", words[i], o.score,
			    o.n ? o.r[0].detail : "");
	}
	/* cups does not match ups at all */
	eval(f, "cups.com", NULL, &o);
	assert_int_equal(o.n, 0);
	eval(f, "ups-tracking.com", NULL, &o);
	assert_true(has_kind(&o, RVQ_PH_ADDITION));
	assert_string_equal(o.brand, "ups");
	eval(f, "dhl.xyz", NULL, &o);
	assert_true(has_kind(&o, RVQ_PH_EMBEDDED));	/* label-only brand */
}

static void
test_embedded(void **state)
{
	struct fx *f = *state;
	struct rvq_phish_out o;

	eval(f, "paypal.com-secure-login.example", NULL, &o);
	assert_int_equal(o.verdict, RVQ_VERDICT_BLOCK);
	assert_true(has_kind(&o, RVQ_PH_EMBEDDED));
	assert_string_equal(o.brand, "paypal");
	eval(f, "login.microsoftonline.verify-account.example", NULL, &o);
	assert_int_equal(o.verdict, RVQ_VERDICT_BLOCK);
	assert_true(has_kind(&o, RVQ_PH_EMBEDDED));
	assert_true(has_kind(&o, RVQ_PH_KEYWORD));
	eval(f, "a.b.c.d.e.paypal.login.example.co.uk", "example.co.uk", &o);
	assert_true(has_kind(&o, RVQ_PH_NESTED));
	assert_int_equal(o.verdict, RVQ_VERDICT_BLOCK);
}

static void
test_exempt(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = {
		"paypal.com", "www.paypal.com", "login.paypal.com",
		"secure-login.microsoft.com", "example-corp.com",
		"www.example-corp.com", "login.example-corp.com",
		"mail.example-corp.com", "paypal.googlesource.com",
		"googlesource.com",
	};
	struct rvq_phish_out o;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		eval(f, names[i], NULL, &o);
		assert_int_equal(o.verdict, RVQ_VERDICT_NONE);
		assert_int_equal(o.n, 0);
	}
	assert_int_equal(rvq_watch_exempt(f->w, "a.googlesource.com"), 1);
	assert_int_equal(rvq_watch_exempt(f->w, "xgooglesource.com"), 0);
	/* own domain's label is a brand */
	expect(f, "example-c0rp.com", RVQ_PH_SKELETON, RVQ_VERDICT_BLOCK,
	    "example-corp");
}

static void
test_keywords_context(void **state)
{
	struct fx *f = *state;
	struct rvq_phish_in in = { 0 };
	struct rvq_phish_out o;

	eval(f, "secure-login-verify-account-update.example.com", NULL, &o);
	assert_true(has_kind(&o, RVQ_PH_KEYWORD));
	assert_int_equal(o.verdict, RVQ_VERDICT_WATCH);
	in.name = "a.b.c.d.e.f.webmail-login-verify.example.com";
	in.regdom = "example.com";
	in.is_new = 1;
	in.ttl_min = 60;
	in.shared_flagged = 5;
	in.flux = 1;
	in.tunnel = 1;
	assert_int_equal(rvq_phish_eval(f->ph, &in, &o), RV_OK);
	assert_true(o.score >= rvq_phish_weights_default.block);
	assert_int_equal(o.verdict, RVQ_VERDICT_WATCH);
	assert_true(has_kind(&o, RVQ_PH_FLUX));
	assert_true(has_kind(&o, RVQ_PH_SHARED));
	/* a short-brand edit plus newness: now it blocks */
	in.name = "paypak.com";
	in.regdom = "paypak.com";
	in.ttl_min = 0;
	in.shared_flagged = 0;
	in.flux = in.tunnel = 0;
	assert_int_equal(rvq_phish_eval(f->ph, &in, &o), RV_OK);
	assert_int_equal(o.verdict, RVQ_VERDICT_BLOCK);
	/* regdom must be a suffix of the name */
	in.regdom = "other.com";
	assert_int_equal(rvq_phish_eval(f->ph, &in, &o), RV_EINVAL);
	assert_string_equal(rvq_verdict_word(RVQ_VERDICT_BLOCK), "block");
	assert_string_equal(rvq_phish_reason_word(RVQ_PH_TLDSWAP), "tld-swap");
	assert_string_equal(rvq_phish_reason_word(99), "unknown");
}

static void
test_idn(void **state)
{
	struct fx *f = *state;
	struct rvq_phish_out o;

	/* Cyrillic a in paypal */
	expect(f, "xn--pypal-4ve.com", RVQ_PH_HOMOGRAPH, RVQ_VERDICT_BLOCK,
	    "paypal");
	eval(f, "xn--pypal-4ve.com", NULL, &o);
	assert_true(has_kind(&o, RVQ_PH_MIXED));
	/* a plain IDN with no brand: not blocked */
	eval(f, "xn--mnchen-3ya.de", NULL, &o);
	assert_int_not_equal(o.verdict, RVQ_VERDICT_BLOCK);
}

static void
test_cached_part(void **state)
{
	struct fx *f = *state;
	struct rvq_phish_out part, a, b;
	struct rvq_phish_in in = { 0 };

	assert_int_equal(rvq_phish_regdom(f->ph, "paypa1.com", &part), RV_OK);
	assert_int_equal(part.n, 1);
	in.name = "login.paypa1.com";
	in.regdom = "paypa1.com";
	assert_int_equal(rvq_phish_eval2(f->ph, &in, &part, &a), RV_OK);
	assert_int_equal(rvq_phish_eval(f->ph, &in, &b), RV_OK);
	assert_true(a.score == b.score);
	assert_int_equal(a.n, b.n);
	assert_int_equal(rvq_phish_regdom(f->ph, "nodot", &part), RV_EINVAL);
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
test_watch_file(void **state)
{
	char path[] = "/tmp/test_phish_XXXXXX";
	struct rvq_watch *w;
	const char *why = NULL;
	unsigned line = 99;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "# brands\n\nbrand paypal paypal.com  # main\n"
	    "own example.com\nallow googlesource.com\n"
	    "BRAND Microsoft.com\n");
	w = rvq_watch_new();
	assert_int_equal(rvq_watch_load(w, path, &line, &why), RV_OK);
	assert_int_equal(rvq_watch_count(w), 4);
	assert_string_equal(rvq_watch_at(w, 3)->label, "microsoft");
	assert_string_equal(rvq_watch_at(w, 3)->domain, "microsoft.com");
	assert_int_equal(rvq_watch_exempt(w, "www.example.com"), 1);
	rvq_watch_free(w);

	write_file(path, "brand paypal\n# ok\nfoo bar\n");
	w = rvq_watch_new();
	assert_int_equal(rvq_watch_load(w, path, &line, &why), RV_EINVAL);
	assert_int_equal(line, 3);
	assert_non_null(why);
	rvq_watch_free(w);

	write_file(path, "own example.com\nown not_a_domain\n");
	w = rvq_watch_new();
	assert_int_equal(rvq_watch_load(w, path, &line, &why), RV_EINVAL);
	assert_int_equal(line, 2);
	rvq_watch_free(w);

	write_file(path, "brand\n");
	w = rvq_watch_new();
	assert_int_equal(rvq_watch_load(w, path, &line, &why), RV_EINVAL);
	assert_int_equal(line, 1);
	rvq_watch_free(w);

	write_file(path, "brand paypal paypal.com bad..domain\n");
	w = rvq_watch_new();
	assert_int_equal(rvq_watch_load(w, path, &line, &why), RV_EINVAL);
	assert_int_equal(line, 1);
	rvq_watch_free(w);

	unlink(path);
	w = rvq_watch_new();
	assert_int_equal(rvq_watch_load(w, path, &line, &why), RV_EIO);
	assert_int_equal(line, 0);
	rvq_watch_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_embedded),
		cmocka_unit_test(test_exempt),
		cmocka_unit_test(test_keywords_context),
		cmocka_unit_test(test_idn),
		cmocka_unit_test(test_cached_part),
		cmocka_unit_test(test_watch_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
