/*
 * test_conf.c: config files of "key value" lines (lib/rv_conf.h), as
 * rearviewd and rearview serve read them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rv_conf.h"

enum { O_NUM = 256, O_FLAG, O_NAME };

static const struct option opts[] = {
	{ "config",	required_argument, NULL, 'c' },
	{ "help",	no_argument,       NULL, 'h' },
	{ "num",	required_argument, NULL, O_NUM },
	{ "flag",	no_argument,       NULL, O_FLAG },
	{ "name",	required_argument, NULL, O_NAME },
	{ NULL, 0, NULL, 0 }
};
static const int refused[] = { 'c', 'h', 0 };

/* What the lines gave, in order: "key=value;" ("key;" without one). */
struct got {
	char s[8192];
};

static int
take(void *arg, const struct option *o, const char *v, const char **why)
{
	struct got *g = arg;
	size_t n = strlen(g->s);

	if (o->val == O_NUM && strspn(v, "0123456789") != strlen(v)) {
		*why = "not a number";
		return -1;
	}
	snprintf(g->s + n, sizeof(g->s) - n, "%s%s%s;", o->name, v ? "=" : "",
	    v ? v : "");
	return 0;
}

static char path[] = "/tmp/rv-test-conf.XXXXXX";

/* Read text as a config file: rv_conf_read's result, what it gave in g
 * and what it said in err. */
static int
read_text(const char *text, struct got *g, char *err, size_t errsz)
{
	int fd = mkstemp(path), saved = dup(2), rc;
	FILE *e = tmpfile();
	size_t n;

	assert_true(fd >= 0 && saved >= 0 && e != NULL);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	memset(g, 0, sizeof(*g));
	fflush(stderr);
	dup2(fileno(e), 2);
	rc = rv_conf_read("prog", path, opts, refused, take, g);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(e);
	n = fread(err, 1, errsz - 1, e);
	err[n] = '\0';
	fclose(e);
	unlink(path);
	strcpy(path + strlen(path) - 6, "XXXXXX");
	return rc;
}

static void
test_forms(void **state)
{
	struct got g;
	char err[512];

	(void)state;
	assert_int_equal(read_text("# a comment\n\n  num 7\nname = a b  # c\n"
	    "flag\n\tnum=8\r\nname\t= x=y\nflag # on", &g, err, sizeof(err)),
	    0);
	assert_string_equal(g.s,
	    "num=7;name=a b;flag;num=8;name=x=y;flag;");
	assert_string_equal(err, "");
}

static void
test_errors(void **state)
{
	static const struct {
		const char *text, *said;
	} bad[] = {
		{ "num 1\nnope 2\n", "prog: F:2: unknown key 'nope'\n" },
		{ "config /etc/x\n", "prog: F:1: unknown key 'config'\n" },
		{ "help\n", "prog: F:1: unknown key 'help'\n" },
		{ "num\n", "prog: F:1: bad value for 'num': ''\n" },
		{ "\n\nnum x1\nnum 2\n",
		    "prog: F:3: bad value for 'num': 'x1': not a number\n" },
	};
	struct got g;
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(read_text(bad[i].text, &g, err, sizeof(err)),
		    -1);
		/* the file's name (from mkstemp) said as F */
		{
			char *p = strstr(err, "/tmp/rv-test-conf.");
			char *q;

			assert_non_null(p);
			q = strchr(p, ':');
			assert_non_null(q);
			memmove(p + 1, q, strlen(q) + 1);
			p[0] = 'F';
		}
		assert_string_equal(err, bad[i].said);
	}
	/* the first error stops the reading */
	assert_int_equal(read_text("nope\nnum 1\n", &g, err, sizeof(err)), -1);
	assert_string_equal(g.s, "");
}

/* A line past the buffer is an error, not two lines (its tail is not
 * taken for a key of its own). */
static void
test_long_line(void **state)
{
	char *text = malloc(6000), err[512];
	struct got g;

	(void)state;
	assert_non_null(text);
	memset(text, 'a', 5990);
	memcpy(text, "name ", 5);
	memcpy(text + 4100, " num 5", 6);
	strcpy(text + 5990, "\n");
	assert_int_equal(read_text(text, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: line longer than 4095 octets"));
	assert_string_equal(g.s, "");
	free(text);
}

static void
test_missing_file(void **state)
{
	struct got g;

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(rv_conf_read("prog", "/nonexistent/rv.conf", opts,
	    refused, take, &g), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
