/**
 * \file test_query.c
 * The query engine as a front end other than the CLI calls it: arguments
 * checked with their messages, the order rows come in, filters, the
 * sensor/bailiwick join, a consumer that stops early (also inside nested
 * scans) or fails, and the COF/SAF serialisers, over a database written
 * through the store's API. Nothing here goes through cli_main.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <cmocka.h>

#include "rv_err.h"
#include "rv_rdata.h"
#include "rvq.h"
#include "rvq_ser.h"
#include "test_cli_fixture.h"

#define T0 1563393120u	/* 2019-07-17 19:52:00 */
#define T1 1563416100u
#define Y2020 1577836800u
#define Y2021 1609459200u

static const struct fx_rec recs[] = {
	{ "www.example.com", "A", "example.com", "dns1", Y2020, Y2020 + 86400,
	  10, 60, { "192.0.2.1" } },
	{ "www.example.com", "A", "example.com", "dns2", Y2021, Y2021 + 86400,
	  7, 60, { "192.0.2.2", "192.0.2.1" } },
	{ "mail.example.com", "CNAME", "example.com", "dns1", T0, T1, 2, 300,
	  { "www.example.com." } },
	{ "mail.example.com", "A", "example.com", "dns2", T0, T1, 3, 300,
	  { "192.0.2.9" } },
	{ "example.com", "NS", "com", "dns1", T0, T1, 1, 172800,
	  { "ns1.example.net.", "ns2.example.net." } },
	{ "other.example.org", "A", "example.org", "dns2", Y2021, Y2021, 1, 60,
	  { "192.0.2.2" } },
	{ "www.example.org", "A", "example.org", "dns1", Y2021, Y2021, 1, 60,
	  { "198.51.100.1" } },
};

static const struct fx_ip ips[] = {
	{ "192.0.2.1", Y2020, 64500, "DE", "Example AS", "Berlin" },
	{ "192.0.2.2", Y2020, 64500, "DE", "Example AS", "" },
};

static char dir[64];
static struct rvq_db db;

static int
setup(void **state)
{
	(void)state;
	if (fx_setup(dir, sizeof(dir), "rv-query-test", recs,
	    sizeof(recs) / sizeof(recs[0]), ips,
	    sizeof(ips) / sizeof(ips[0])) != 0)
		return -1;
	return rvq_db_open(dir, &db, NULL) == RV_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	rvq_db_close(&db);
	return fx_teardown(dir);
}

/* A consumer that keeps the owner and type of each row, and may stop
 * after `stop_after` rows or fail with `fail`. */
struct got {
	char rows[32][RV_NAME_STR_MAX + 16];
	size_t n;
	size_t stop_after;	/* 0: never */
	int fail;
	uint64_t count;
	unsigned nsens;		/* of the last row */
	size_t zone_len;	/* of the last row */
};

static int
collect(void *arg, const struct rvq_row *r)
{
	struct got *g = arg;
	char name[RV_NAME_STR_MAX];

	if (g->fail)
		return g->fail;
	assert_int_equal(rv_name_to_str(r->owner, r->owner_len, name,
	    sizeof(name)), RV_OK);
	assert_true(g->n < 32);
	snprintf(g->rows[g->n++], sizeof(g->rows[0]), "%s %u", name, r->type);
	g->count += r->count;
	g->nsens = r->nsens;
	g->zone_len = r->zone_len;
	if (g->stop_after > 0 && g->n == g->stop_after)
		return RV_ENOENT;
	return RV_OK;
}

/* Prepare and run; the rows in *g. */
static int
ask(enum rvq_kind kind, const char *arg, const struct rvq_filter *f,
    struct got *g, struct rvq_err *err)
{
	struct rvq_query q;
	int rc = rvq_prepare(&q, kind, arg, f, err);

	if (rc == RV_OK)
		rc = rvq_exec(&db, &q, collect, g, err);
	rvq_query_free(&q);
	return rc;
}

static void
test_prepare_errors(void **state)
{
	static const struct {
		enum rvq_kind kind;
		const char *arg, *msg;
	} bad[] = {
		{ RVQ_RDATA_IP, "192.0.2.300", "invalid address, CIDR or range" },
		{ RVQ_RDATA_IP, "10.0.0.0/33", "prefix too long" },
		{ RVQ_LOOKUP, "*.", "would match every name" },
		{ RVQ_LOOKUP, ".*", "would match every name" },
		{ RVQ_LOOKUP, "a*b.com", "a wildcard is" },
		{ RVQ_LOOKUP, "", "empty" },
		{ RVQ_SUBDOMAINS, "www.*", "give a domain" },
		{ RVQ_ASN, "ASx", "invalid AS number" },
		{ RVQ_ASN, "4294967296", "invalid AS number" },
		{ RVQ_RDATA_RAW, "abc", "even number of hex digits" },
		{ RVQ_RDATA_RAW, "0g", "at offset 0" },
	};
	struct rvq_filter f;
	struct rvq_query q;
	struct rvq_err err;

	(void)state;
	rvq_filter_init(&f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rvq_prepare(&q, bad[i].kind, bad[i].arg, &f,
		    &err), RV_EINVAL);
		if (strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].arg,
			    err.msg, bad[i].msg);
		rvq_query_free(&q);
	}
}

static void
test_order(void **state)
{
	static const struct {
		enum rvq_kind kind;
		const char *arg;
		enum rvq_order order;
	} cases[] = {
		{ RVQ_LOOKUP, "example.com", RVQ_ORDER_NAME },
		{ RVQ_LOOKUP, "*.example.com", RVQ_ORDER_NAME },
		{ RVQ_LOOKUP, "www.*", RVQ_ORDER_NONE },
		{ RVQ_RDATA_IP, "192.0.2.0/24", RVQ_ORDER_DATA },
		{ RVQ_RDATA_NAME, "*.example.net", RVQ_ORDER_DATA },
		{ RVQ_RDATA_NAME, "ns1.*", RVQ_ORDER_NONE },
		{ RVQ_RDATA_RAW, "c0000201", RVQ_ORDER_NONE },
		{ RVQ_ASN, "AS64500", RVQ_ORDER_DATA },
		{ RVQ_SUBDOMAINS, "example.com", RVQ_ORDER_NAME },
	};
	struct rvq_filter f;
	struct rvq_query q;

	(void)state;
	rvq_filter_init(&f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(rvq_prepare(&q, cases[i].kind, cases[i].arg,
		    &f, NULL), RV_OK);
		assert_int_equal(q.order, cases[i].order);
		rvq_query_free(&q);
	}
}

static void
test_lookup_and_filters(void **state)
{
	struct rvq_filter f;
	struct got g;

	(void)state;
	rvq_filter_init(&f);
	memset(&g, 0, sizeof(g));
	assert_int_equal(ask(RVQ_LOOKUP, "www.example.com", &f, &g, NULL),
	    RV_OK);
	assert_int_equal(g.n, 2);	/* two RRsets of www */
	assert_int_equal(g.count, 17);

	/* *.example.com: the names below, not example.com itself */
	memset(&g, 0, sizeof(g));
	assert_int_equal(ask(RVQ_LOOKUP, "*.example.com", &f, &g, NULL),
	    RV_OK);
	assert_int_equal(g.n, 4);
	for (size_t i = 0; i < g.n; i++)
		assert_null(strstr(g.rows[i], "example.com. 2"));

	/* -t CNAME */
	assert_int_equal(rvq_types_parse("CNAME", f.types, &f.ntypes), RV_OK);
	memset(&g, 0, sizeof(g));
	assert_int_equal(ask(RVQ_LOOKUP, "*.example.com", &f, &g, NULL),
	    RV_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.rows[0], "mail.example.com. 5");

	/* a fence: only what was seen in 2021 */
	rvq_filter_init(&f);
	rvq_fence_window(&f.fence, Y2021, Y2021 + 86400 * 2, 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(ask(RVQ_LOOKUP, "www.example.com", &f, &g, NULL),
	    RV_OK);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.count, 7);

	/* a sensor */
	rvq_filter_init(&f);
	f.sensor_set = 1;
	assert_int_equal(rvq_db_sensor_id(&db, "dns2", &f.sensor_id), RV_OK);
	memset(&g, 0, sizeof(g));
	assert_int_equal(ask(RVQ_LOOKUP, "*.example.com", &f, &g, NULL),
	    RV_OK);
	assert_int_equal(g.n, 2);	/* www A (2021) and mail A */
	assert_int_equal(rvq_db_sensor_id(&db, "nosuch", &f.sensor_id),
	    RV_ENOENT);
}

static void
test_reverse_and_join(void **state)
{
	struct rvq_filter f;
	struct got g;

	(void)state;
	rvq_filter_init(&f);
	memset(&g, 0, sizeof(g));
	assert_int_equal(ask(RVQ_RDATA_IP, "192.0.2.2", &f, &g, NULL), RV_OK);
	assert_int_equal(g.n, 2);	/* www.example.com, other.example.org */
	assert_int_equal(g.nsens, 0);	/* the index as it is */

	f.join = 1;
	memset(&g, 0, sizeof(g));
	assert_int_equal(ask(RVQ_RDATA_IP, "192.0.2.1", &f, &g, NULL), RV_OK);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.nsens, 2);	/* both RRsets hold it */
	assert_true(g.zone_len > 0);	/* one zone: example.com */

	/* --bailiwick on reverse rows joins */
	rvq_filter_init(&f);
	assert_int_equal(rvq_zone_arg("example.org", f.zone, &f.zone_len),
	    RV_OK);
	memset(&g, 0, sizeof(g));
	assert_int_equal(ask(RVQ_RDATA_IP, "192.0.2.0/24", &f, &g, NULL),
	    RV_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.rows[0], "other.example.org. 1");

	/* names pointing at a name; asn pivot */
	rvq_filter_init(&f);
	memset(&g, 0, sizeof(g));
	assert_int_equal(ask(RVQ_RDATA_NAME, "*.example.net", &f, &g, NULL),
	    RV_OK);
	assert_int_equal(g.n, 2);
	memset(&g, 0, sizeof(g));
	assert_int_equal(ask(RVQ_ASN, "AS64500", &f, &g, NULL), RV_OK);
	assert_int_equal(g.n, 3);	/* www on .1, www and other on .2 */
}

static void
test_subdomains(void **state)
{
	struct rvq_filter f;
	struct rv_iprange r;
	struct got g;

	(void)state;
	rvq_filter_init(&f);
	memset(&g, 0, sizeof(g));
	assert_int_equal(ask(RVQ_SUBDOMAINS, "example.com", &f, &g, NULL),
	    RV_OK);
	assert_int_equal(g.n, 2);	/* mail and www, once each */
	assert_int_equal(g.count, 22);	/* 2 + 3 + 10 + 7 */

	assert_int_equal(rv_range_parse("192.0.2.9", &r), RV_OK);
	f.sub_ip = &r;
	memset(&g, 0, sizeof(g));
	assert_int_equal(ask(RVQ_SUBDOMAINS, "example.com", &f, &g, NULL),
	    RV_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.rows[0], "mail.example.com. 0");
}

/* The consumer's stop ends the query with 0, also from inside the nested
 * scans of NAME.* and asn; its error ends it with that error and no
 * message of the engine's. */
static void
test_consumer_stop_and_error(void **state)
{
	struct rvq_filter f;
	struct rvq_err err;
	struct got g;

	(void)state;
	rvq_filter_init(&f);
	memset(&g, 0, sizeof(g));
	g.stop_after = 1;
	assert_int_equal(ask(RVQ_LOOKUP, "*.example.com", &f, &g, NULL),
	    RV_OK);
	assert_int_equal(g.n, 1);
	memset(&g, 0, sizeof(g));
	g.stop_after = 1;
	assert_int_equal(ask(RVQ_LOOKUP, "www.*", &f, &g, NULL), RV_OK);
	assert_int_equal(g.n, 1);	/* not one per name */
	memset(&g, 0, sizeof(g));
	g.stop_after = 2;
	assert_int_equal(ask(RVQ_ASN, "64500", &f, &g, NULL), RV_OK);
	assert_int_equal(g.n, 2);

	memset(&g, 0, sizeof(g));
	g.fail = RV_EIO;
	assert_int_equal(ask(RVQ_LOOKUP, "*.example.com", &f, &g, &err),
	    RV_EIO);
	assert_string_equal(err.msg, "");
}

static void
test_open_error(void **state)
{
	struct rvq_db none;
	struct rvq_err err;

	(void)state;
	assert_int_equal(rvq_db_open("/nonexistent/rv", &none, &err),
	    RV_ENOENT);
	assert_non_null(strstr(err.msg, "no rearview database in "
	    "'/nonexistent/rv'"));
}

/* The serialisers, as the HTTP service will call them. */
struct lines {
	struct rvq_ser ser;
	struct sb *b;
	FILE *fp;
	char buf[4096];
};

static int
ser_row(void *arg, const struct rvq_row *r)
{
	struct lines *l = arg;

	return l->ser.saf_single ? rvq_ser_saf(&l->ser, l->b, r) :
	    rvq_ser_cof(&l->ser, l->b, r);
}

static const char *
sensor_name(void *arg, uint16_t id)
{
	return rvq_db_sensor(arg, id);
}

/* The service's variants of the serialisers, for the next serialise(). */
static int set_humantime, set_bare;
static const char *set_origin;

static void
serialise(enum rvq_kind kind, const char *arg, int saf, char *out,
    size_t outsz)
{
	struct lines l;
	struct rvq_filter f;
	struct rvq_query q;
	size_t n;

	rvq_filter_init(&f);
	assert_int_equal(rvq_ser_init(&l.ser), RV_OK);
	l.ser.saf_single = saf;
	l.ser.humantime = set_humantime;
	l.ser.saf_bare = set_bare;
	l.ser.origin = set_origin;
	l.ser.sensor = sensor_name;
	l.ser.arg = &db;
	assert_non_null(l.b = calloc(1, sizeof(*l.b)));
	assert_non_null(l.fp = tmpfile());
	l.b->fp = l.fp;
	if (saf)
		rvq_ser_saf_begin(l.b, NULL);
	assert_int_equal(rvq_prepare(&q, kind, arg, &f, NULL), RV_OK);
	assert_int_equal(rvq_exec(&db, &q, ser_row, &l, NULL), RV_OK);
	if (saf)
		rvq_ser_saf_end(l.b, 0);
	sb_flush(l.b);
	assert_int_equal(l.b->err, 0);
	rewind(l.fp);
	n = fread(out, 1, outsz - 1, l.fp);
	out[n] = '\0';
	fclose(l.fp);
	free(l.b);
	rvq_query_free(&q);
	rvq_ser_free(&l.ser);
}

static void
test_serialisers(void **state)
{
	char out[4096];

	(void)state;
	serialise(RVQ_LOOKUP, "mail.example.com", 0, out, sizeof(out));
	assert_string_equal(out,
	    "{\"rrname\":\"mail.example.com.\",\"rrtype\":\"A\","
	    "\"rdata\":[\"192.0.2.9\"],\"time_first\":1563393120,"
	    "\"time_last\":1563416100,\"count\":3,\"bailiwick\":"
	    "\"example.com.\",\"sensor_id\":\"dns2\",\"ttl_min\":300,"
	    "\"ttl_max\":300}\n"
	    "{\"rrname\":\"mail.example.com.\",\"rrtype\":\"CNAME\","
	    "\"rdata\":[\"www.example.com.\"],\"time_first\":1563393120,"
	    "\"time_last\":1563416100,\"count\":2,\"bailiwick\":"
	    "\"example.com.\",\"sensor_id\":\"dns1\",\"ttl_min\":300,"
	    "\"ttl_max\":300}\n");
	serialise(RVQ_RDATA_IP, "192.0.2.9", 1, out, sizeof(out));
	assert_string_equal(out, "{\"cond\":\"begin\"}\n"
	    "{\"obj\":{\"count\":3,\"time_first\":1563393120,"
	    "\"time_last\":1563416100,\"rrname\":\"mail.example.com.\","
	    "\"rrtype\":\"A\",\"rdata\":\"192.0.2.9\"}}\n"
	    "{\"cond\":\"succeeded\"}\n");
	/* DNSDB's humantime; v1's bare objects; CIRCL's origin */
	set_humantime = 1;
	serialise(RVQ_RDATA_IP, "192.0.2.9", 1, out, sizeof(out));
	assert_non_null(strstr(out, "{\"obj\":{\"count\":3,\"time_first\":"
	    "\"2019-07-17T19:52:00Z\",\"time_last\":\"2019-07-18T02:15:00Z\","));
	set_humantime = 0;
	set_bare = 1;
	serialise(RVQ_RDATA_IP, "192.0.2.9", 1, out, sizeof(out));
	assert_non_null(strstr(out, "\n{\"count\":3,\"time_first\":"
	    "1563393120,"));
	assert_non_null(strstr(out, "\"rdata\":\"192.0.2.9\"}\n{\"cond\""));
	set_bare = 0;
	set_origin = "rearview";
	serialise(RVQ_RDATA_IP, "192.0.2.9", 0, out, sizeof(out));
	assert_non_null(strstr(out, ",\"origin\":\"rearview\"}\n"));
	set_origin = NULL;
}

/* Type names from several threads at once (a data race here is what
 * ThreadSanitizer reports in the TSan stage). */
static int
always(void *arg)
{
	(*(unsigned *)arg)++;
	return 1;
}

/*
 * A query paused after every top-level row and resumed each time in a new
 * read transaction gives the rows an uninterrupted run gives, in the same
 * order: none twice, none missed.
 */
static void
test_resume(void **state)
{
	static const struct { enum rvq_kind kind; const char *arg; } qs[] = {
		{ RVQ_LOOKUP, "www.example.com" },
		{ RVQ_LOOKUP, "*.example.com" },
		{ RVQ_LOOKUP, "www.example.*" },
		{ RVQ_LOOKUP, "example.com/NS" },
		{ RVQ_RDATA_IP, "192.0.2.0/24" },
		{ RVQ_RDATA_IP, "::ffff:192.0.2.0/120" },
		{ RVQ_RDATA_IP, "0.0.0.0/0" },
		{ RVQ_RDATA_NAME, "*.example.net" },
		{ RVQ_RDATA_NAME, "www.example.*" },
		{ RVQ_RDATA_RAW, "c0000201" },
		{ RVQ_ASN, "64500" },
	};
	struct rvq_filter f;

	(void)state;
	rvq_filter_init(&f);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		struct got whole, parts;
		struct rvq_resume res;
		struct rvq_query q;
		unsigned asked = 0, segments = 0;

		memset(&whole, 0, sizeof(whole));
		memset(&parts, 0, sizeof(parts));
		memset(&res, 0, sizeof(res));
		assert_int_equal(ask(qs[i].kind, qs[i].arg, &f, &whole, NULL),
		    RV_OK);
		assert_int_equal(rvq_prepare(&q, qs[i].kind, qs[i].arg, &f,
		    NULL), RV_OK);
		assert_true(rvq_resumable(&q));
		do {
			struct rvq_db seg;
			assert_int_equal(rvq_db_attach(&seg, db.st, dir, NULL),
			    RV_OK);
			assert_int_equal(rvq_exec_resumable(&seg, &q, collect,
			    &parts, always, &asked, &res, NULL), RV_OK);
			rvq_db_close(&seg);
			res.set = 1;
			segments++;
			assert_true(segments < 100);
		} while (res.paused);
		rvq_query_free(&q);
		if (whole.n != parts.n)
			fail_msg("%s: %zu rows whole, %zu in %u parts",
			    qs[i].arg, whole.n, parts.n, segments);
		for (size_t k = 0; k < whole.n; k++)
			assert_string_equal(whole.rows[k], parts.rows[k]);
		assert_true(whole.n == 0 || segments > 1);
		assert_true(asked > 0 || whole.n == 0);
	}
	/* subdomains gathers rows: it says so instead */
	{
		struct rvq_query q;
		struct rvq_resume res;
		struct rvq_err err;
		struct got g;
		unsigned asked = 0;

		memset(&res, 0, sizeof(res));
		memset(&g, 0, sizeof(g));
		assert_int_equal(rvq_prepare(&q, RVQ_SUBDOMAINS, "example.com",
		    &f, NULL), RV_OK);
		assert_false(rvq_resumable(&q));
		assert_int_equal(rvq_exec_resumable(&db, &q, collect, &g,
		    always, &asked, &res, &err), RV_ENOTSUP);
		rvq_query_free(&q);
	}
}

static void *
names(void *arg)
{
	(void)arg;
	for (unsigned t = 0; t < 65536; t += 7)
		if (strcmp(rvq_type_str((uint16_t)t),
		    rv_type_to_str((uint16_t)t,
		    (char[RV_TYPE_STR_MAX]){ 0 })) != 0)
			return (void *)1;
	return NULL;
}

static void
test_type_names_threads(void **state)
{
	pthread_t th[4];
	void *ret;

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, names, NULL), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], &ret), 0);
		assert_null(ret);
	}
	assert_string_equal(rvq_type_str(1), "A");
	assert_string_equal(rvq_type_str(65280), "TYPE65280");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepare_errors),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_lookup_and_filters),
		cmocka_unit_test(test_reverse_and_join),
		cmocka_unit_test(test_subdomains),
		cmocka_unit_test(test_consumer_stop_and_error),
		cmocka_unit_test(test_open_error),
		cmocka_unit_test(test_serialisers),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_type_names_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
