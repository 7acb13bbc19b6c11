/**
 * \file test_serve_stream.c
 * The service's result streams (serve/sv_stream.c): every line arrives
 * whole and in order through a queue far smaller than the output, the
 * keep-alive line comes only between lines, and a cancelled stream stops
 * its producer. Also run under ThreadSanitizer (./run test).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "rv_err.h"
#include "sv_stream.h"

struct prod {
	int lines;		/**< to write */
	int pause_at;		/**< sleep before this line (-1: never) */
	int written;		/**< lines written before a write failed */
	int stopped;		/**< saw the cancel */
};

static void
produce(struct sv_stream *s, FILE *fp, void *arg)
{
	struct prod *p = arg;

	for (int i = 0; i < p->lines; i++) {
		if (i == p->pause_at) {
			fflush(fp);
			usleep(300 * 1000);
		}
		if (sv_stream_cancelled(s)) {
			p->stopped = 1;
			return;
		}
		if (fprintf(fp, "{\"line\":%d,\"pad\":\"%0100d\"}\n", i, i) <
		    0 || (i % 7 == 0 && fflush(fp) != 0)) {
			p->stopped = 1;
			return;
		}
		p->written++;
	}
}

static void
nothing(void *arg)
{
	(void)arg;
}

/* Read the whole stream in reads of odd sizes. */
static char *
drain(struct sv_stream *s, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	ssize_t r;

	assert_non_null(buf);
	while ((r = sv_stream_read(s, n, buf + n, n % 3 == 0 ? 999 :
	    4096)) > 0) {
		n += (size_t)r;
		assert_true(n + 4096 < cap);
	}
	assert_int_equal(r, MHD_CONTENT_READER_END_OF_STREAM);
	*len = n;
	return buf;
}

static void
test_order(void **state)
{
	struct prod p = { 5000, -1, 0, 0 };
	struct sv_stream *s;
	size_t len;
	char *buf, *line;
	int i = 0;

	(void)state;
	/* a 4 KiB queue for about 600 KB: the producer waits again and again */
	assert_int_equal(sv_stream_start(&s, 4096, 5000, NULL, produce, &p,
	    nothing), RV_OK);
	buf = drain(s, &len);
	buf[len] = '\0';
	for (line = strtok(buf, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		int k = -1;
		assert_int_equal(sscanf(line, "{\"line\":%d,", &k), 1);
		assert_int_equal(k, i);
		i++;
	}
	assert_int_equal(i, 5000);
	assert_int_equal(sv_stream_sent(s), len);
	free(buf);
	sv_stream_release(s);
}

static void
test_keepalive(void **state)
{
	struct prod p = { 50, 20, 0, 0 };
	struct sv_stream *s;
	size_t len;
	char *buf;
	const char *ka;
	int kas = 0;

	(void)state;
	assert_int_equal(sv_stream_start(&s, 1 << 16, 50, "{\"cond\":"
	    "\"ongoing\"}\n", produce, &p, nothing), RV_OK);
	buf = drain(s, &len);
	buf[len] = '\0';
	/* a 300 ms pause, 50 ms keep-alives: some, each at a line start */
	for (ka = strstr(buf, "{\"cond\""); ka != NULL;
	    ka = strstr(ka + 1, "{\"cond\"")) {
		assert_true(ka == buf || ka[-1] == '\n');
		kas++;
	}
	assert_true(kas >= 1);
	assert_int_equal(p.written, 50);
	free(buf);
	sv_stream_release(s);
}

static void
test_cancel(void **state)
{
	struct prod p = { 1000000, -1, 0, 0 };
	struct sv_stream *s;
	char buf[512];

	(void)state;
	assert_int_equal(sv_stream_start(&s, 4096, 5000, NULL, produce, &p,
	    nothing), RV_OK);
	assert_int_equal(sv_stream_wait_first(s), 0);
	assert_true(sv_stream_read(s, 0, buf, sizeof(buf)) > 0);
	sv_stream_ref(s);		/* as a response would */
	sv_stream_response_free(s);	/* the client went away */
	sv_stream_release(s);		/* joins the producer */
	assert_true(p.stopped);
	assert_true(p.written < 1000000);
}

static void
test_empty(void **state)
{
	struct prod p = { 0, -1, 0, 0 };
	struct sv_stream *s;
	char buf[16];

	(void)state;
	assert_int_equal(sv_stream_start(&s, 4096, 5000, NULL, produce, &p,
	    nothing), RV_OK);
	assert_int_equal(sv_stream_wait_first(s), 1);
	sv_stream_wait_done(s);
	assert_int_equal(sv_stream_read(s, 0, buf, sizeof(buf)),
	    MHD_CONTENT_READER_END_OF_STREAM);
	sv_stream_release(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
