/**
 * \file test_module_sender.c
 * module/sender.c's bounded close: rvm_sender_stop returns within its
 * deadline even when nng_close blocks (as nng 1.5.2's can when the peer
 * stopped reading mid-frame, nanomsg/nng#1219), counts the abandoned
 * close in close_abandoned, and the helper thread finishes and frees its
 * block when nng_close finally returns; a close that returns in time is
 * not counted; with no deadline, stop waits for the close.
 *
 * nng_close is replaced by the fake below (the executable's definition
 * comes before libnng's), which blocks until the test releases it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <cmocka.h>

#include "sender.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int hold;		/* nng_close blocks while set */
static int closes;		/* nng_close calls returned */

int
nng_close(nng_socket s)
{
	(void)s;
	pthread_mutex_lock(&mu);
	while (hold)
		pthread_cond_wait(&cv, &mu);
	closes++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return 0;
}

static void
quiet(enum rvm_log level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

static uint64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A sender with an open socket and no thread: what stop closes. */
static void
open_sender(struct rvm_sender *s)
{
	memset(s, 0, sizeof(*s));
	s->sock_open = 1;
	s->log = quiet;
}

static uint64_t
abandoned(void)
{
	struct rvm_stats st;

	rvm_stats_collect(NULL, NULL, 0, &st);
	return st.close_abandoned;
}

static void
set_hold(int v)
{
	pthread_mutex_lock(&mu);
	hold = v;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

/* Wait (a deadline for what must happen) until \p n closes returned. */
static int
wait_closes(int n)
{
	int ok;

	for (int i = 0; i < 500; i++) {
		pthread_mutex_lock(&mu);
		ok = closes >= n;
		pthread_mutex_unlock(&mu);
		if (ok)
			return 1;
		nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
	}
	return 0;
}

static void
test_close_in_time(void **state)
{
	struct rvm_sender s;
	uint64_t before = abandoned();

	(void)state;
	rvm_sender_set_close_wait(250);
	set_hold(0);
	closes = 0;
	open_sender(&s);
	rvm_sender_stop(&s);
	assert_int_equal(closes, 1);
	assert_int_equal(s.sock_open, 0);
	assert_int_equal(abandoned(), before);
}

static void
test_close_abandoned(void **state)
{
	struct rvm_sender s;
	uint64_t before = abandoned(), t0;
	char text[1024];
	struct rvm_stats st;

	(void)state;
	rvm_sender_set_close_wait(100);
	set_hold(1);
	closes = 0;
	open_sender(&s);
	t0 = ms_now();
	rvm_sender_stop(&s);
	/* Returned although nng_close has not: the close was abandoned. */
	pthread_mutex_lock(&mu);
	assert_int_equal(closes, 0);
	pthread_mutex_unlock(&mu);
	assert_true(ms_now() - t0 >= 100);
	assert_int_equal(s.sock_open, 0);
	assert_int_equal(abandoned(), before + 1);
	rvm_stats_collect(NULL, NULL, 0, &st);
	assert_int_equal(rvm_stats_format(&st, "t", text, sizeof(text)), 0);
	assert_non_null(strstr(text, "\nclose_abandoned 1\n"));
	/* The helper finishes and frees its block (ASan and LeakSanitizer
	 * check) once nng_close returns. */
	set_hold(0);
	assert_true(wait_closes(1));
	nanosleep(&(struct timespec){ 0, 50000000L }, NULL);
}

static void *
release_later(void *arg)
{
	(void)arg;
	nanosleep(&(struct timespec){ 0, 300000000L }, NULL);
	set_hold(0);
	return NULL;
}

static void
test_no_deadline_waits(void **state)
{
	struct rvm_sender s;
	uint64_t before = abandoned();
	pthread_t t;

	(void)state;
	rvm_sender_set_close_wait(0);
	set_hold(1);
	closes = 0;
	open_sender(&s);
	assert_int_equal(pthread_create(&t, NULL, release_later, NULL), 0);
	rvm_sender_stop(&s);
	assert_int_equal(closes, 1);
	assert_int_equal(abandoned(), before);
	pthread_join(t, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_in_time),
		cmocka_unit_test(test_close_abandoned),
		cmocka_unit_test(test_no_deadline_waits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
