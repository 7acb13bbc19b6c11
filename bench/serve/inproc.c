/**
 * \file inproc.c
 * The floor for the service's latency: one exact lookup answered in
 * process, as the service answers it (a read transaction on the open
 * store, prepare, run, SAF lines into memory), N times; prints the mean
 * and the 50th and 99th percentiles in microseconds.
 *   inproc DBDIR NAME [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rv_err.h"
#include "rvq.h"
#include "rvq_ser.h"

static struct sb out;
static struct rvq_ser ser;

static int
row(void *arg, const struct rvq_row *r)
{
	(void)arg;
	out.len = 0;
	return rvq_ser_saf(&ser, &out, r);
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct rv_store *st = NULL;
	struct rvq_filter f;
	struct rvq_err err;
	double *t, sum = 0;
	int n = argc > 3 ? atoi(argv[3]) : 100000;

	if (argc < 3 || n <= 0 || (t = calloc((size_t)n, sizeof(*t))) == NULL ||
	    rv_store_open(argv[1], RV_STORE_RDONLY, 0, &st) != RV_OK ||
	    rvq_ser_init(&ser) != RV_OK) {
		fprintf(stderr, "usage: inproc DBDIR NAME [N]\n");
		return 2;
	}
	out.fp = stdout;
	rvq_filter_init(&f);
	for (int i = 0; i < n; i++) {
		struct rvq_db db;
		struct rvq_query q;
		double t0 = now_us();

		if (rvq_db_attach(&db, st, argv[1], &err) != RV_OK ||
		    rvq_prepare(&q, RVQ_LOOKUP, argv[2], &f, &err) != RV_OK ||
		    rvq_exec(&db, &q, row, NULL, &err) != RV_OK) {
			fprintf(stderr, "inproc: %s\n", err.msg);
			return 1;
		}
		rvq_query_free(&q);
		rvq_ser_forget(&ser);
		rvq_db_close(&db);
		t[i] = now_us() - t0;
		sum += t[i];
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("in-process exact lookup: mean %.1f us, p50 %.1f us, p99 %.1f us "
	    "(%d runs)\n", sum / n, t[n / 2], t[n * 99 / 100], n);
	rvq_ser_free(&ser);
	rv_store_close(st);
	free(t);
	return 0;
}
