/**
 * \file test_indexer_import.c
 * cmocka tests of the NDJSON import (COF and DNSDB style, malformed lines
 * counted and skipped, the same merge rules as live data) and of the
 * config file parser (file:line errors).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agg.h"
#include "import.h"
#include "log.h"
#include "rv_err.h"
#include "rv_name.h"
#include "rv_store.h"
#include "tmp_store.h"
#include "rvd.h"

struct fx {
	char dir[64];
	struct rv_store *st;
	struct rvd_agg a;
	struct rvd_sensors sens;
	struct rvd_import_ctx ctx;
};

static int
setup(void **state)
{
	struct fx *f = test_calloc(1, sizeof(*f));

	if (tmp_store_open(f->dir, sizeof(f->dir), "rv-test-imp", 16 << 20,
	    &f->st) != 0 || rvd_agg_init(&f->a) != 0)
		return -1;
	rvd_sensors_init(&f->sens);
	f->ctx.agg = &f->a;
	f->ctx.sens = &f->sens;
	f->ctx.st = f->st;
	if (rvd_sensors_id(&f->sens, f->st, "default", 7,
	    &f->ctx.default_sensor) != 0)
		return -1;
	f->ctx.buf = test_malloc(RVD_IMPORT_BUF_SIZE);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	test_free(f->ctx.buf);
	rvd_sensors_free(&f->sens);
	rvd_agg_destroy(&f->a);
	if (tmp_store_close(f->dir, f->st) != 0)
		return -1;
	test_free(f);
	return 0;
}

static int
line(struct fx *f, const char *s)
{
	char err[256];

	return rvd_import_line(&f->ctx, s, strlen(s), err, sizeof(err));
}

static void
test_cof_and_dnsdb(void **state)
{
	struct fx *f = *state;
	struct rvd_agg_ent **v;

	/* COF with an rdata array, out of order: one RRset. */
	assert_int_equal(line(f, "{\"rrname\":\"www.example.com.\","
	    "\"rrtype\":\"A\",\"rdata\":[\"192.0.2.2\",\"192.0.2.1\"],"
	    "\"time_first\":1000,\"time_last\":2000,\"count\":5,"
	    "\"bailiwick\":\"example.com.\",\"sensor_id\":\"feed-a\"}"), 0);
	/* DNSDB style, the same RRset with zone times, another source. */
	assert_int_equal(line(f, "{\"rrname\":\"WWW.example.com\","
	    "\"rrtype\":\"A\",\"rdata\":[\"192.0.2.1\",\"192.0.2.2\"],"
	    "\"zone_time_first\":500,\"zone_time_last\":1500,\"count\":2,"
	    "\"bailiwick\":\"example.com\"}"), 0);
	/* A string rdata of a name type, numeric rrtype. */
	assert_int_equal(line(f, "{\"rrname\":\"example.com\",\"rrtype\":15,"
	    "\"rdata\":\"10 MX.example.com.\",\"time_first\":7,"
	    "\"time_last\":7}"), 0);
	assert_int_equal(f->a.n, 2);
	assert_int_equal(rvd_agg_sorted(&f->a, &v), 0);
	for (size_t i = 0; i < f->a.n; i++) {
		if (v[i]->type != 1)
			continue;
		assert_int_equal(v[i]->first, 500);
		assert_int_equal(v[i]->last, 2000);
		assert_int_equal(v[i]->count, 7);
		assert_int_equal(v[i]->nsens, 2);
		assert_true(v[i]->ttl_min > v[i]->ttl_max);	/* unknown */
	}
	free(v);
}

/* DNSDB's SAF lines, as DNSDB and `rearview -o dnsdb` write them, import
 * like COF: the record is "obj", the cond lines frame it. */
static void
test_saf_lines(void **state)
{
	struct fx *f = *state;

	assert_int_equal(line(f, "{\"cond\":\"begin\"}"), RV_ENOENT);
	assert_int_equal(line(f, "{\"obj\":{\"count\":3,\"time_first\":"
	    "1563393120,\"time_last\":1563416100,\"rrname\":"
	    "\"groupweblogs-gsm1900.com.\",\"rrtype\":\"A\",\"bailiwick\":"
	    "\"groupweblogs-gsm1900.com.\",\"rdata\":[\"165.22.196.7\"]}}"),
	    RV_OK);
	assert_int_equal(line(f, "{\"obj\":{\"count\":7,\"time_first\":1,"
	    "\"time_last\":2,\"rrname\":\"www.example.com.\",\"rrtype\":"
	    "\"A\",\"rdata\":\"192.0.2.2\"}}"), RV_OK);
	assert_int_equal(line(f, "{\"cond\":\"limited\",\"msg\":"
	    "\"Result limit reached\"}"), RV_ENOENT);
	assert_int_equal(line(f, "{\"cond\":\"succeeded\"}"), RV_ENOENT);
	assert_int_equal(f->a.n, 2);
}

static void
test_malformed_lines(void **state)
{
	struct fx *f = *state;
	const char *bad[] = {
		"not json",
		"[1,2,3]",
		"{\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\",\"time_first\":1}",
		"{\"rrname\":\"a.test\",\"rrtype\":\"NOPE\",\"rdata\":\"x\","
		    "\"time_first\":1}",
		"{\"rrname\":\"a.test\",\"rrtype\":\"A\",\"rdata\":\"not-an-ip\","
		    "\"time_first\":1}",
		"{\"rrname\":\"a.test\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\"}",
		"{\"rrname\":\"a.test\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\","
		    "\"time_first\":5,\"time_last\":4}",
		"{\"rrname\":\"a.test\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\","
		    "\"time_first\":\"yesterday\"}",
		"{\"rrname\":\"a.test\",\"rrtype\":\"A\",\"rdata\":[],"
		    "\"time_first\":1}",
		"{\"rrname\":\"a.test\",\"rrtype\":\"A\",\"rdata\":[1],"
		    "\"time_first\":1}",
		"{\"rrname\":\"a.test\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\","
		    "\"time_first\":1,\"count\":0}",
		"{\"rrname\":\"a..test\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\","
		    "\"time_first\":1}",
		"{\"rrname\":\"a.test\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\","
		    "\"time_first\":1,\"bailiwick\":5}",
		"{\"rrname\":\"a.test\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\","
		    "\"time_first\":1",
		/* Unicode where A-labels belong: never findable, refused */
		"{\"rrname\":\"b\u00fccher.de\",\"rrtype\":\"A\","
		    "\"rdata\":\"192.0.2.1\",\"time_first\":1}",
		"{\"rrname\":\"a.test\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\","
		    "\"time_first\":1,\"bailiwick\":\"\u00e9.test\"}",
		/* a SAF object without a record */
		"{\"obj\":{\"count\":1}}",
	};
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = rvd_import_line(&f->ctx, bad[i], strlen(bad[i]), err,
		    sizeof(err));
		assert_int_not_equal(rc, RV_OK);
		assert_true(err[0] != 0);
	}
	assert_int_equal(f->a.n, 0);
}

static void
test_import_file(void **state)
{
	struct fx *f = *state;
	struct rvd_config cfg;
	char path[128];
	FILE *fp;
	struct rv_txn *txn;
	struct rv_store_stats s;
	uint16_t id;

	snprintf(path, sizeof(path), "%s/in.json", f->dir);
	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "{\"rrname\":\"a.test\",\"rrtype\":\"A\",\"rdata\":"
	    "\"192.0.2.1\",\"time_first\":10,\"time_last\":20,\"count\":3}\n"
	    "garbage line\n"
	    "\n"
	    "{\"rrname\":\"a.test\",\"rrtype\":\"A\",\"rdata\":"
	    "\"192.0.2.1\",\"time_first\":5,\"time_last\":8,\"count\":1}\n"
	    "{\"rrname\":\"b.test\",\"rrtype\":\"NS\",\"rdata\":"
	    "[\"ns1.b.test.\"],\"time_first\":5}\n");
	fclose(fp);
	memset(&cfg, 0, sizeof(cfg));
	cfg.import = path;
	cfg.flush_max = 1;	/* a flush after every record */
	cfg.progress = 0;
	assert_int_equal(rvd_import(&cfg, f->st), 0);
	assert_int_equal(rv_store_read_begin(f->st, &txn), 0);
	assert_int_equal(rv_store_stats_read(f->st, txn, &s), 0);
	assert_int_equal(s.v[RV_STAT_RRSETS], 2);
	assert_int_equal(s.v[RV_STAT_OBSERVATIONS], 5);
	assert_int_equal(s.v[RV_STAT_RECORDS_REJECTED], 1);
	/* The file's name is the sensor of records without sensor_id. */
	assert_int_equal(rv_store_sensor_id(f->st, txn, "in.json", 7, &id), 0);
	rv_txn_abort(txn);
	cfg.import = "/nonexistent/file.json";
	assert_int_equal(rvd_import(&cfg, f->st), 1);
	/* The same content again is recognised and skipped: counts stay;
	 * --reimport adds it again; a changed file is a new import. */
	cfg.import = path;
	assert_int_equal(rvd_import(&cfg, f->st), 0);
	assert_int_equal(rv_store_read_begin(f->st, &txn), 0);
	assert_int_equal(rv_store_stats_read(f->st, txn, &s), 0);
	assert_int_equal(s.v[RV_STAT_OBSERVATIONS], 5);
	rv_txn_abort(txn);
	cfg.reimport = 1;
	assert_int_equal(rvd_import(&cfg, f->st), 0);
	cfg.reimport = 0;
	assert_int_equal(rv_store_read_begin(f->st, &txn), 0);
	assert_int_equal(rv_store_stats_read(f->st, txn, &s), 0);
	assert_int_equal(s.v[RV_STAT_OBSERVATIONS], 10);
	rv_txn_abort(txn);
	assert_non_null(fp = fopen(path, "a"));
	fprintf(fp, "{\"rrname\":\"c.test\",\"rrtype\":\"A\",\"rdata\":"
	    "\"192.0.2.3\",\"time_first\":5,\"count\":2}\n");
	fclose(fp);
	assert_int_equal(rvd_import(&cfg, f->st), 0);
	assert_int_equal(rv_store_read_begin(f->st, &txn), 0);
	assert_int_equal(rv_store_stats_read(f->st, txn, &s), 0);
	assert_int_equal(s.v[RV_STAT_OBSERVATIONS], 17);
	rv_txn_abort(txn);
	/* a directory, and a file whose every record is rejected, fail */
	cfg.import = f->dir;
	assert_int_equal(rvd_import(&cfg, f->st), 1);
	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "garbage\n{\"rrname\":\"x.test\"}\n");
	fclose(fp);
	cfg.import = path;
	assert_int_equal(rvd_import(&cfg, f->st), 1);
	/* SAF framing lines alone are no failure (an empty result) */
	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "{\"cond\":\"begin\"}\n{\"cond\":\"succeeded\"}\n");
	fclose(fp);
	assert_int_equal(rvd_import(&cfg, f->st), 0);
}

static int
parse_conf(struct fx *f, const char *text, struct rvd_config *cfg)
{
	char path[128];
	FILE *fp;
	char *argv[] = { "rearviewd", "-c", path, NULL };
	int rc;

	snprintf(path, sizeof(path), "%s/r.conf", f->dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
	rc = rvd_config_parse(cfg, 3, argv);
	return rc;
}

static void
test_config_file(void **state)
{
	struct fx *f = *state;
	struct rvd_config cfg;

	assert_int_equal(parse_conf(f, "# comment\ndb = /tmp/x\n"
	    "listen tcp://127.0.0.1:5555\nlisten=ipc:///tmp/a.sock\n"
	    "flush-interval 250\nasn-db /a.mmdb\ninsecure-tcp yes\n", &cfg), 0);
	assert_string_equal(cfg.db, "/tmp/x");
	assert_int_equal(cfg.nlisten, 2);
	assert_int_equal(cfg.flush_ms, 250);
	assert_int_equal(cfg.insecure_tcp, 1);
	assert_string_equal(cfg.mmdb.asn_db, "/a.mmdb");
	rvd_config_free(&cfg);
	assert_int_equal(parse_conf(f, "db /x\nbogus-key 1\n", &cfg), 2);
	rvd_config_free(&cfg);
	assert_int_equal(parse_conf(f, "flush-interval soon\n", &cfg), 2);
	rvd_config_free(&cfg);
	assert_int_equal(parse_conf(f, "import /x\n", &cfg), 2);
	rvd_config_free(&cfg);
	/* Defaults. */
	assert_int_equal(parse_conf(f, "\n", &cfg), 0);
	assert_string_equal(cfg.db, RVD_DEFAULT_DB);
	assert_string_equal(cfg.listen[0], RVD_DEFAULT_LISTEN);
	assert_int_equal(cfg.ipc_mode, 0660);
	rvd_config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_saf_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cof_and_dnsdb, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_malformed_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_import_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_config_file, setup,
		    teardown),
	};
	rvd_log_open("test", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
