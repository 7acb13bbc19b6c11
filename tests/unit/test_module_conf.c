/**
 * \file test_module_conf.c
 * module/conf.c: defaults, a missing file, a file with every setting, and
 * bad files, each of which must name file:line and the offending text and
 * leave capture disabled.
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

#include "conf.h"
#include "rv_err.h"

static char dir[] = "/tmp/rv-test-conf-XXXXXX";
static char path[256];

static int
group_setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/module.conf", dir);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

static void
write_conf(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int
bit(const struct rvm_conf *c, uint16_t t)
{
	return rvm_filter_type(&c->filter, t) != 0;
}

static void
test_missing_file_is_defaults(void **state)
{
	struct rvm_conf c;
	char err[256] = "";

	(void)state;
	assert_int_equal(rvm_conf_load(&c, "/nonexistent/rv/module.conf", err,
	    sizeof(err)), RV_OK);
	assert_int_equal(c.enable, 1);
	assert_int_equal(c.nendpoints, 1);
	assert_string_equal(c.endpoints[0], RVM_ENDPOINT_DEFAULT);
	assert_true(strlen(c.sensor) > 0);
	assert_int_equal(c.queue_size, 4 << 20);
	assert_int_equal(c.batch_size, 512);
	assert_int_equal(c.batch_delay_ms, 200);
	assert_true(c.batch_delay_ms <= 1000);	/* records within 1 s */
	assert_int_equal(c.send_timeout_ms, 1000);
	assert_null(c.stats_file);
	assert_int_equal(c.filter.nzones, 0);
	assert_true(bit(&c, 1) && bit(&c, 46) && bit(&c, 65535));
	rvm_conf_free(&c);
	rvm_conf_free(&c);	/* twice is safe */
}

static void
test_every_setting(void **state)
{
	struct rvm_conf c;
	char err[256] = "";

	(void)state;
	write_conf("# a comment\n"
	    "\n"
	    "enable: yes\n"
	    "endpoint: tcp://127.0.0.1:5555   # trailing comment\n"
	    "endpoint: \"tls+tcp://indexer.example:5556\"\n"
	    "sensor: corp-dns1\n"
	    "queue-size: 512k\n"
	    "frame-size: 2m\n"
	    "batch-size: 64\n"
	    "batch-delay: 50ms\n"
	    "send-timeout: 2s\n"
	    "stats-interval: 60\n"
	    "stats-file: /run/rearview/module.stats\n"
	    "tls-ca-file: /etc/rearview/ca.pem\n"
	    "tls-cert-key-file: /etc/rearview/client.pem\n"
	    "tls-server-name: indexer.example\n"
	    "exclude-zone: corp.internal\n"
	    "exclude-zone: 10.in-addr.arpa.\n"
	    "exclude-type: aaaa\n"
	    "include-type: A\n"
	    "include-type: AAAA\n"
	    "include-type: NS\n"
	    "  include-type:   TYPE65280  \n");
	assert_int_equal(rvm_conf_load(&c, path, err, sizeof(err)), RV_OK);
	assert_int_equal(c.enable, 1);
	assert_int_equal(c.nendpoints, 2);	/* the default is replaced */
	assert_string_equal(c.endpoints[0], "tcp://127.0.0.1:5555");
	assert_string_equal(c.endpoints[1], "tls+tcp://indexer.example:5556");
	assert_string_equal(c.sensor, "corp-dns1");
	assert_int_equal(c.queue_size, 512 << 10);
	assert_int_equal(c.frame_size, 2 << 20);
	assert_int_equal(c.batch_size, 64);
	assert_int_equal(c.batch_delay_ms, 50);
	assert_int_equal(c.send_timeout_ms, 2000);
	assert_int_equal(c.stats_interval_s, 60);
	assert_string_equal(c.stats_file, "/run/rearview/module.stats");
	assert_string_equal(c.tls_ca_file, "/etc/rearview/ca.pem");
	assert_string_equal(c.tls_cert_key_file, "/etc/rearview/client.pem");
	assert_string_equal(c.tls_server_name, "indexer.example");
	assert_int_equal(c.filter.nzones, 2);
	/* include narrows, exclude wins whatever the order */
	assert_true(bit(&c, 1));
	assert_false(bit(&c, 28));
	assert_true(bit(&c, 2));
	assert_true(bit(&c, 65280));
	assert_false(bit(&c, 15));
	{
		uint8_t w[RV_NAME_MAX];
		size_t wl;

		assert_int_equal(rv_name_from_str("a.b.CORP.internal", w, &wl),
		    RV_OK);
		assert_true(rvm_filter_excluded(&c.filter, w, wl));
		assert_int_equal(rv_name_from_str("corp.internal.example", w,
		    &wl), RV_OK);
		assert_false(rvm_filter_excluded(&c.filter, w, wl));
	}
	rvm_conf_free(&c);
}

static void
test_disable(void **state)
{
	struct rvm_conf c;
	char err[256] = "";

	(void)state;
	write_conf("enable: no\n");
	assert_int_equal(rvm_conf_load(&c, path, err, sizeof(err)), RV_OK);
	assert_int_equal(c.enable, 0);
	rvm_conf_free(&c);
}

/* Each bad file: error, capture off, and the message names file:line and
 * what was wrong. */
static void
test_bad_files(void **state)
{
	static const struct {
		const char *text;
		int line;
		const char *needle;
	} bad[] = {
		{ "sensor: a\nfoo: bar\n", 2, "unknown setting 'foo'" },
		{ "queue-size: 1k\n", 1, "queue-size: '1k' is out of range" },
		{ "queue-size: lots\n", 1, "'lots' is not a size" },
		{ "batch-delay: 5s\n", 1, "batch-delay: '5s' is out of range" },
		{ "batch-delay: 10 ms\n", 1, "'10 ms' is not a duration" },
		{ "batch-size: 0\n", 1, "batch-size: '0' is out of range" },
		{ "batch-size: -3\n", 1, "'-3' is not a number" },
		{ "\n\nendpoint: http://x\n", 3, "'http://x' is not an ipc://" },
		{ "include-type: BOGUS\n", 1, "unknown rrtype 'BOGUS'" },
		{ "exclude-zone: a..b\n", 1, "'a..b' is not a domain name" },
		{ "sensor: \"a b\"\n", 1, "'a b' has a space" },
		{ "enable: maybe\n", 1, "'maybe' is not yes or no" },
		{ "just words\n", 1, "expected 'name: value'" },
		{ "sensor: \"open\n", 1, "unterminated quote" },
		{ "sensor:\n", 1, "sensor: missing value" },
		{ "stats-interval: 1500ms\n", 1, "not whole seconds" },
		{ "batch-delay: 2\n", 1, "batch-delay: '2' is out of range" },
		{ "tls-ca-file: /x\n", 1, "no tls+tcp:// endpoint" },
	};
	char err[512], where[300];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rvm_conf c;

		write_conf(bad[i].text);
		err[0] = 0;
		assert_int_equal(rvm_conf_load(&c, path, err, sizeof(err)),
		    RV_EINVAL);
		snprintf(where, sizeof(where), "%s:%d: ", path, bad[i].line);
		if (strncmp(err, where, strlen(where)) != 0 ||
		    !strstr(err, bad[i].needle))
			fail_msg("case %zu: got \"%s\", want \"%s...%s\"", i,
			    err, where, bad[i].needle);
		assert_int_equal(c.enable, 0);
		assert_int_equal(c.nendpoints, 1);	/* defaults again */
		rvm_conf_free(&c);
	}
}

static void
test_long_line(void **state)
{
	struct rvm_conf c;
	char err[256] = "";
	char *text = test_malloc(10000);

	(void)state;
	memcpy(text, "sensor: ", 8);
	memset(text + 8, 'x', 9000);
	strcpy(text + 9008, "\n");
	write_conf(text);
	test_free(text);
	assert_int_equal(rvm_conf_load(&c, path, err, sizeof(err)),
	    RV_EINVAL);
	assert_non_null(strstr(err, ":1: line longer than"));
	rvm_conf_free(&c);
}

static void
test_unreadable(void **state)
{
	struct rvm_conf c;
	char err[256] = "";

	(void)state;
	/* A directory exists but is no config file. */
	assert_int_equal(rvm_conf_load(&c, dir, err, sizeof(err)) != RV_OK,
	    1);
	assert_int_equal(c.enable, 0);
	assert_non_null(strstr(err, dir));
	rvm_conf_free(&c);
}

static void
test_env_path(void **state)
{
	(void)state;
	unsetenv(RVM_CONF_ENV);
	assert_string_equal(rvm_conf_path(), RVM_CONF_DEFAULT);
	setenv(RVM_CONF_ENV, "", 1);
	assert_string_equal(rvm_conf_path(), RVM_CONF_DEFAULT);
	setenv(RVM_CONF_ENV, path, 1);
	assert_string_equal(rvm_conf_path(), path);
	unsetenv(RVM_CONF_ENV);
}

/* The commented module.conf we ship: with every setting uncommented it
 * must load, so the documentation cannot drift from the parser. */
static void
test_shipped_conf(void **state)
{
	const char *top = getenv("RV_TOP_SRCDIR");
	char src[512], line[1024];
	struct rvm_conf c;
	char err[512] = "";
	FILE *in, *out;
	int n = 0;

	(void)state;
	if (!top)
		skip();
	snprintf(src, sizeof(src), "%s/unbound-conf/module.conf", top);
	assert_non_null(in = fopen(src, "r"));
	assert_non_null(out = fopen(path, "w"));
	while (fgets(line, sizeof(line), in)) {
		size_t k = 1;

		while (line[0] == '#' && ((line[k] >= 'a' && line[k] <= 'z') ||
		    line[k] == '-'))
			k++;
		if (line[0] == '#' && k > 1 && line[k] == ':') {
			fputs(line + 1, out);
			n++;
		}
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_true(n >= 15);
	if (rvm_conf_load(&c, path, err, sizeof(err)) != RV_OK)
		fail_msg("%s (from %s)", err, src);
	assert_int_equal(c.nendpoints, 2);
	assert_int_equal(c.filter.nzones, 2);
	rvm_conf_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_file_is_defaults),
		cmocka_unit_test(test_every_setting),
		cmocka_unit_test(test_disable),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_env_path),
		cmocka_unit_test(test_shipped_conf),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
