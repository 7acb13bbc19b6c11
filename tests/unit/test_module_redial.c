/**
 * \file test_module_redial.c
 * module/sender.c's dialer watchdog: a dialer that nng 1.5.2 gave up on is
 * replaced, and a connected one is left alone.
 *
 * nng 1.5.2 maps EPIPE to NNG_ECLOSED, and its dialer takes NNG_ECLOSED
 * from a connect attempt as "closed by the application": it never dials
 * again (src/core/dialer.c, dialer_connect_cb). A unix socket connect that
 * lands in the backlog of an indexer being killed gets EPIPE on the
 * 8-octet SP header, and the module then lost everything until Unbound
 * restarted (rel_loss.sh saw it once in a few dozen kills).
 *
 * The test makes that happen on purpose: its sendmsg (an exported
 * definition in the executable comes before libc's, for libnng too) fails
 * the sender's first SP header with EPIPE, against a real nng PULL
 * listener in the test. A record must still arrive, through a dialer the
 * watchdog made anew.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <nng/nng.h>
#include <nng/protocol/pipeline0/pull.h>

#include "rv_err.h"
#include "sender.h"

static _Atomic int inject;	/* fail the next SP header with EPIPE */
static _Atomic int injected;	/* headers failed so far */

/* The PUSH side's SP connection header: 00 'S' 'P' 00, protocol 0x50
 * (push0), 00 00. */
static int
push_header(const struct msghdr *m)
{
	const uint8_t *b;

	if (m->msg_iovlen < 1 || m->msg_iov[0].iov_len != 8)
		return 0;
	b = m->msg_iov[0].iov_base;
	return b[0] == 0 && b[1] == 'S' && b[2] == 'P' && b[3] == 0 &&
	    b[4] == 0 && b[5] == 0x50;
}

/* Default visibility (the build hides symbols), so that libnng's calls
 * bind to it. */
__attribute__((visibility("default"))) ssize_t
sendmsg(int fd, const struct msghdr *m, int flags)
{
	static ssize_t (*real)(int, const struct msghdr *, int);
	int one = 1;
	ssize_t n;

	if (push_header(m) && atomic_compare_exchange_strong(&inject, &one,
	    0)) {
		atomic_fetch_add(&injected, 1);
		errno = EPIPE;
		return -1;
	}
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "sendmsg");
	/* The test's own listener answers the hung-up connection with a
	 * real EPIPE; as in rearviewd (lib/nng_epipe.c) it becomes
	 * ECONNRESET, or nng 1.5.2's listener would stop accepting. */
	if ((n = real(fd, m, flags)) < 0 && errno == EPIPE)
		errno = ECONNRESET;
	return n;
}

static void
quiet(enum rvm_log level, const char *fmt, ...)
{
	(void)level;
	if (getenv("RV_TEST_VERBOSE")) {
		va_list ap;

		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

struct fixture {
	char dir[64], url[128];
	nng_socket pull;
	struct rvm_conf conf;
	struct rvm_queue q;
	struct rvm_sender s;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/rv-test-redial.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->url, sizeof(f->url), "ipc://%s/ingest.sock", f->dir);
	if (nng_pull0_open(&f->pull) != 0 ||
	    nng_socket_set_ms(f->pull, NNG_OPT_RECVTIMEO, 200) != 0 ||
	    nng_listen(f->pull, f->url, NULL, 0) != 0)
		return -1;
	if (rvm_conf_defaults(&f->conf) != RV_OK)
		return -1;
	free(f->conf.endpoints[0]);	/* the default endpoint */
	f->conf.endpoints[0] = strdup(f->url);
	f->conf.nendpoints = 1;
	f->conf.batch_delay_ms = 5;
	f->conf.stats_interval_s = 0;
	if (rvm_queue_init(&f->q, 1 << 16, 4096, 0) != RV_OK)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char path[160];

	rvm_sender_stop(&f->s);
	rvm_queue_fini(&f->q);
	rvm_conf_free(&f->conf);
	nng_close(f->pull);
	snprintf(path, sizeof(path), "%s/ingest.sock", f->dir);
	(void)unlink(path);
	(void)rmdir(f->dir);
	free(f);
	return 0;
}

static void
put_record(struct fixture *f, uint32_t ttl)
{
	static const uint8_t owner[] = "\3www\7example\3com";
	static const uint8_t rdata[] = { 0, 4, 192, 0, 2, 1 };
	struct rv_record r;

	memset(&r, 0, sizeof(r));
	r.kind = RV_REC_RRSET;
	r.section = RV_SEC_ANSWER;
	r.owner = owner;
	r.owner_len = sizeof(owner);
	r.qname = owner;
	r.qname_len = sizeof(owner);
	r.zone = owner + 4;
	r.zone_len = sizeof(owner) - 4;
	r.qtype = r.type = 1;
	r.rclass = r.qclass = 1;
	r.ttl = ttl;
	r.rdcount = 1;
	r.rdata = rdata;
	r.rdata_len = sizeof(rdata);
	assert_int_equal(rvm_queue_put(&f->q, &r), RV_OK);
}

/* Receive frames until one holds a record with \p ttl, for at most
 * \p tries receive timeouts (a deadline for what must happen, not a
 * measurement). */
static int
await_record(struct fixture *f, uint32_t ttl, int tries)
{
	for (int i = 0; i < tries; i++) {
		struct rv_frame_hdr h;
		struct rv_record r;
		void *buf;
		size_t len, off;
		int found = 0;

		if (nng_recv(f->pull, &buf, &len, NNG_FLAG_ALLOC) != 0)
			continue;
		if (rv_frame_validate(buf, len, &h) == RV_OK &&
		    rv_frame_decode_header(buf, len, &h, &off) == RV_OK)
			while (rv_frame_decode_record(buf, len, &off, &r) ==
			    RV_OK)
				found |= r.ttl == ttl;
		nng_free(buf, len);
		if (found)
			return 1;
	}
	return 0;
}

static uint64_t
redials(struct fixture *f)
{
	struct rvm_stats st;

	rvm_stats_collect(&f->s, &f->q, 1, &st);
	return st.redials;
}

/* A dialer nng gave up on is replaced; the record goes through it. */
static void
test_wedged_dialer_replaced(void **state)
{
	struct fixture *f = *state;
	char err[256];

	rvm_sender_set_redial_after(300);
	atomic_store(&inject, 1);
	assert_int_equal(rvm_sender_start(&f->s, &f->conf, &f->q, 1, quiet,
	    err, sizeof(err)), RV_OK);
	put_record(f, 4242);
	assert_true(await_record(f, 4242, 150));
	assert_int_equal(atomic_load(&injected), 1);
	assert_true(redials(f) >= 1);
}

/* A connected dialer is never replaced: three watchdog periods with a
 * live pipe add no redial, and records keep flowing. */
static void
test_connected_left_alone(void **state)
{
	struct fixture *f = *state;
	uint64_t before;
	char err[256];

	rvm_sender_set_redial_after(300);
	assert_int_equal(rvm_sender_start(&f->s, &f->conf, &f->q, 1, quiet,
	    err, sizeof(err)), RV_OK);
	put_record(f, 1);
	assert_true(await_record(f, 1, 150));
	before = redials(f);
	for (uint32_t i = 2; i < 2 + 9; i++) {
		put_record(f, i);
		assert_true(await_record(f, i, 150));
		nanosleep(&(struct timespec){ 0, 100000000L }, NULL);
	}
	assert_int_equal(redials(f), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wedged_dialer_replaced,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_connected_left_alone,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
