/**
 * \file test_serve_keys.c
 * The service's keys (serve/sv_keys.c): the file's lines and errors,
 * secrets found by their hash only, the token bucket, the daily quota,
 * and admission from several threads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rv_err.h"
#include "sv_keys.h"

/* SHA-256 of "secret" */
#define H_SECRET "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"
#define DAY_MS (86400ULL * 1000)
#define T0 (20000ULL * DAY_MS + 3600ULL * 1000)	/* 01:00 UTC */

static char path[64];
static char err[512];

static void
write_file(const char *text)
{
	FILE *fp;

	snprintf(path, sizeof(path), "/tmp/rv-keys-test.%d", (int)getpid());
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

static int
load(const char *text, struct sv_keys **ks)
{
	write_file(text);
	return sv_keys_load(path, ks, err, sizeof(err));
}

static void
test_load_find(void **state)
{
	struct sv_keys *ks = NULL;
	struct sv_key *k;

	(void)state;
	assert_int_equal(load("# keys\n\nsoc sha256:" H_SECRET " rate=5/1 "
	    "quota=100 results=10 # the SOC\n", &ks), RV_OK);
	assert_non_null(k = sv_keys_find(ks, "secret", 6));
	assert_string_equal(sv_key_name(k), "soc");
	assert_null(sv_keys_find(ks, "secreT", 6));
	assert_null(sv_keys_find(ks, "", 0));
	assert_null(sv_keys_find(ks, "secret", 5));
	sv_keys_free(ks);
	unlink(path);
}

static void
test_bad_lines(void **state)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "soc sha256:abc\n", ":1: key 'soc' wants sha256" },
		{ "so c sha256:" H_SECRET "\n", ":1: key 'so' wants" },
		{ "s/c sha256:" H_SECRET "\n", ":1: bad key name 's/c'" },
		{ "#\nsoc sha256:" H_SECRET " rat=5/1\n",
		  ":2: unknown or bad option 'rat=5/1'" },
		{ "soc sha256:" H_SECRET " rate=5\n", "option 'rate=5'" },
		{ "soc sha256:" H_SECRET " rate=0/1\n", "option 'rate=0/1'" },
		{ "soc sha256:" H_SECRET "\nsoc sha256:" H_SECRET "\n",
		  ":2: key 'soc' named twice" },
		{ "# nothing\n", "no keys" },
	};
	struct sv_keys *ks = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load(bad[i].text, &ks), RV_EINVAL);
		assert_null(ks);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("line %zu: '%s' lacks '%s'", i, err,
			    bad[i].want);
	}
	assert_int_equal(sv_keys_load("/nonexistent/keys", &ks, err,
	    sizeof(err)), RV_EIO);
	unlink(path);
}

static void
test_add(void **state)
{
	char s1[SV_KEY_SECRET_MAX], s2[SV_KEY_SECRET_MAX];
	struct sv_keys *ks = NULL;
	struct stat st;
	FILE *fp;
	char line[512];

	(void)state;
	snprintf(path, sizeof(path), "/tmp/rv-keys-add.%d", (int)getpid());
	unlink(path);
	assert_int_equal(sv_keys_add(path, "a", NULL, s1, sizeof(s1), err,
	    sizeof(err)), RV_OK);
	assert_int_equal(sv_keys_add(path, "b", "rate=2/60", s2, sizeof(s2),
	    err, sizeof(err)), RV_OK);
	assert_int_equal(strlen(s1), 67);
	assert_string_not_equal(s1, s2);
	assert_int_equal(sv_keys_add(path, "a", NULL, s2, sizeof(s2), err,
	    sizeof(err)), RV_EEXIST);
	assert_int_equal(sv_keys_add(path, "c", "bogus=1", s2, sizeof(s2),
	    err, sizeof(err)), RV_EINVAL);
	assert_int_equal(sv_keys_add(path, "bad name", NULL, s2, sizeof(s2),
	    err, sizeof(err)), RV_EINVAL);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* the secret is nowhere in the file */
	assert_non_null(fp = fopen(path, "r"));
	while (fgets(line, sizeof(line), fp) != NULL)
		assert_null(strstr(line, s1 + 3));
	fclose(fp);
	assert_int_equal(sv_keys_load(path, &ks, err, sizeof(err)), RV_OK);
	assert_string_equal(sv_key_name(sv_keys_find(ks, s1, strlen(s1))),
	    "a");
	sv_keys_free(ks);
	unlink(path);
}

static void
test_bucket(void **state)
{
	struct sv_keys *ks = NULL;
	struct sv_key *k;
	struct sv_key_rate r;
	unsigned retry;

	(void)state;
	assert_int_equal(load("k sha256:" H_SECRET " rate=3/60\n", &ks),
	    RV_OK);
	k = sv_keys_find(ks, "secret", 6);
	for (int i = 0; i < 3; i++)
		assert_int_equal(sv_key_admit(k, T0, &retry), RV_OK);
	assert_int_equal(sv_key_admit(k, T0, &retry), RV_ERANGE);
	assert_in_range(retry, 20, 21);		/* one token: 20 s */
	assert_int_equal(sv_key_admit(k, T0 + 19000, &retry), RV_ERANGE);
	assert_int_equal(sv_key_admit(k, T0 + 20000, &retry), RV_OK);
	assert_int_equal(sv_key_admit(k, T0 + 20000, &retry), RV_ERANGE);
	/* a long pause fills the bucket, no more */
	for (int i = 0; i < 3; i++)
		assert_int_equal(sv_key_admit(k, T0 + 3600000, &retry), RV_OK);
	assert_int_equal(sv_key_admit(k, T0 + 3600000, &retry), RV_ERANGE);
	sv_key_rate(k, T0 + 3600000, &r);
	assert_true(r.has_burst);
	assert_int_equal(r.burst_size, 3);
	assert_int_equal(r.burst_window, 60);
	assert_false(r.has_quota);
	assert_false(r.has_results);
	sv_keys_free(ks);
	unlink(path);
}

static void
test_quota(void **state)
{
	struct sv_keys *ks = NULL;
	struct sv_key *k;
	struct sv_key_rate r;
	unsigned retry;

	(void)state;
	assert_int_equal(load("k sha256:" H_SECRET " quota=2 results=7\n",
	    &ks), RV_OK);
	k = sv_keys_find(ks, "secret", 6);
	assert_int_equal(sv_key_admit(k, T0, &retry), RV_OK);
	sv_key_rate(k, T0, &r);
	assert_true(r.has_quota);
	assert_int_equal(r.limit, 2);
	assert_int_equal(r.remaining, 1);
	assert_int_equal(r.reset, 20001LL * 86400);
	assert_int_equal(r.results_max, 7);
	assert_int_equal(sv_key_admit(k, T0, &retry), RV_OK);
	assert_int_equal(sv_key_admit(k, T0 + 1000, &retry), RV_ENOSPC);
	assert_int_equal(retry, 23 * 3600 - 1);
	/* the next UTC day */
	assert_int_equal(sv_key_admit(k, T0 + DAY_MS, &retry), RV_OK);
	sv_keys_free(ks);
	unlink(path);
}

struct race {
	struct sv_key *k;
	int admitted;
};

static void *
racer(void *arg)
{
	struct race *r = arg;
	unsigned retry;

	for (int i = 0; i < 1000; i++)
		if (sv_key_admit(r->k, T0, &retry) == RV_OK)
			r->admitted++;
	return NULL;
}

static void
test_threads(void **state)
{
	struct sv_keys *ks = NULL;
	struct race r[4];
	pthread_t th[4];
	int total = 0;

	(void)state;
	assert_int_equal(load("k sha256:" H_SECRET " rate=1000/3600\n", &ks),
	    RV_OK);
	for (int i = 0; i < 4; i++) {
		r[i].k = sv_keys_find(ks, "secret", 6);
		r[i].admitted = 0;
		assert_int_equal(pthread_create(&th[i], NULL, racer, &r[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		total += r[i].admitted;
	}
	assert_int_equal(total, 1000);	/* the burst, not one more */
	sv_keys_free(ks);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_find),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_quota),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
