/**
 * \file test_cli_format.c
 * Every output format on hand-made rows, with escapes in names and TXT
 * data, the table's alignment and elision, offset/limit/sort, summaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "out.h"
#include "report.h"
#include "rv_err.h"
#include "rv_name.h"
#include "rv_rdata.h"
#include "sb.h"

static char buf[65536];

static const char *
sensor(void *arg, uint16_t id)
{
	(void)arg;
	return id == 1 ? "corp-dns1" : id == 2 ? "dns\"2" : NULL;
}

static int
geo(void *arg, const struct rv_ip *ip, uint32_t t, struct rv_ipinfo *g)
{
	(void)arg;
	(void)t;
	if (ip->family != 4 || ip->addr[0] != 165)
		return RV_ENOENT;
	memset(g, 0, sizeof(*g));
	g->asn = 14061;
	strcpy(g->cc, "US");
	strcpy(g->org, "DIGITALOCEAN");
	return RV_OK;
}

/* An A RRset and a TXT RRset with awkward owner names. */
struct rows {
	uint8_t o1[RV_NAME_MAX], o2[RV_NAME_MAX], z[RV_NAME_MAX];
	uint8_t set1[64], set2[128];
	uint16_t sens[2];
	struct rvq_row a, txt;
};

static void
make_rows(struct rows *r)
{
	size_t l1, l2, lz, n;
	uint8_t rd[100];

	assert_int_equal(rv_name_from_str("webmail.groupweblogs-gsm1900.com",
	    r->o1, &l1), RV_OK);
	assert_int_equal(rv_name_from_str("a\\.b\\\"c\\009.example.com",
	    r->o2, &l2), RV_OK);
	assert_int_equal(rv_name_from_str("example.com", r->z, &lz), RV_OK);
	/* SET: 2-octet length then rdata */
	memcpy(r->set1, "\x00\x04\xa5\x16\xc4\x07\x00\x04\xa5\x16\xc4\x08",
	    12);
	n = sizeof(rd);
	assert_int_equal(rv_rdata_from_str(16, "\"v=spf1 \\\"q\\\"\" \"a,b\"",
	    rd, &n), RV_OK);
	r->set2[0] = 0;
	r->set2[1] = (uint8_t)n;
	memcpy(r->set2 + 2, rd, n);
	r->sens[0] = 1;
	r->sens[1] = 2;
	memset(&r->a, 0, sizeof(r->a));
	r->a.kind = RVQ_ROW_RRSET;
	r->a.owner = r->o1;
	r->a.owner_len = l1;
	r->a.type = 1;
	r->a.zone = r->z;
	r->a.zone_len = lz;
	r->a.first = 1563393120;
	r->a.last = 1563416100;
	r->a.count = 3;
	r->a.has_ttl = 1;
	r->a.ttl_min = 60;
	r->a.ttl_max = 300;
	r->a.sensors = r->sens;
	r->a.nsens = 1;
	r->a.set = r->set1;
	r->a.set_len = 12;
	r->a.rdcount = 2;
	r->txt = r->a;
	r->txt.owner = r->o2;
	r->txt.owner_len = l2;
	r->txt.type = 16;
	r->txt.first = 1600000000;
	r->txt.last = 1600000001;
	r->txt.count = 1;
	r->txt.nsens = 2;
	r->txt.set = r->set2;
	r->txt.set_len = n + 2;
	r->txt.rdcount = 1;
}

/* Run rows through an output of format fmt; the text lands in buf. */
static int
render(enum cli_fmt fmt, int width, uint64_t limit, const struct rvq_row *rs,
    size_t n, struct cli_out *o)
{
	FILE *f = tmpfile();
	size_t len;
	int rc = RV_OK;

	memset(o, 0, sizeof(*o));
	o->fp = f;
	o->fmt = fmt;
	o->sort = CLI_SORT_FIRST;
	o->desc = 1;
	o->limit = limit;
	o->width = width;
	o->csv_header = 1;
	o->geo = geo;
	o->sensor = sensor;
	assert_int_equal(cli_out_begin(o), RV_OK);
	for (size_t i = 0; i < n && rc == RV_OK; i++)
		rc = cli_out_row(o, &rs[i]);
	assert_int_equal(cli_out_end(o), RV_OK);
	cli_out_free(o);
	rewind(f);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[len] = '\0';
	fclose(f);
	return rc;
}

static void
test_json(void **state)
{
	struct rows r;
	struct cli_out o;

	(void)state;
	make_rows(&r);
	struct rvq_row rs[] = { r.a, r.txt };
	render(CLI_FMT_JSON, 0, 0, rs, 2, &o);
	assert_string_equal(buf,
	    "{\"rrname\":\"a\\\\.b\\\\\\\"c\\\\009.example.com.\",\"rrtype\":"
	    "\"TXT\",\"rdata\":[\"\\\"v=spf1 \\\\\\\"q\\\\\\\"\\\" \\\"a,b\\\"\"],"
	    "\"time_first\":1600000000,\"time_last\":1600000001,\"count\":1,"
	    "\"bailiwick\":\"example.com.\",\"sensors\":[\"corp-dns1\","
	    "\"dns\\\"2\"],\"sensor_id\":\"corp-dns1\",\"ttl_min\":60,"
	    "\"ttl_max\":300}\n"
	    "{\"rrname\":\"webmail.groupweblogs-gsm1900.com.\",\"rrtype\":\"A\","
	    "\"rdata\":[\"165.22.196.7\",\"165.22.196.8\"],\"enrichment\":["
	    "{\"asn\":14061,\"as_org\":\"DIGITALOCEAN\",\"country\":\"US\"},"
	    "{\"asn\":14061,\"as_org\":\"DIGITALOCEAN\",\"country\":\"US\"}],"
	    "\"time_first\":1563393120,\"time_last\":1563416100,\"count\":3,"
	    "\"bailiwick\":\"example.com.\",\"sensor_id\":\"corp-dns1\","
	    "\"ttl_min\":60,\"ttl_max\":300}\n");
}

static void
test_dnsdb_limit_offset(void **state)
{
	struct rows r;
	struct cli_out o;

	(void)state;
	make_rows(&r);
	struct rvq_row rs[] = { r.a, r.txt };
	render(CLI_FMT_DNSDB, 0, 1, rs, 2, &o);
	assert_true(o.limited);
	assert_int_equal(o.emitted, 1);
	assert_non_null(strstr(buf, "{\"cond\":\"begin\"}\n{\"obj\":{\"count\":1,"));
	assert_non_null(strstr(buf, "\n{\"cond\":\"limited\",\"msg\":"
	    "\"Result limit reached\"}\n"));
	render(CLI_FMT_DNSDB, 0, 0, rs, 2, &o);
	assert_false(o.limited);
	assert_non_null(strstr(buf, "}}\n{\"cond\":\"succeeded\"}\n"));
}

static void
test_csv_text(void **state)
{
	struct rows r;
	struct cli_out o;

	(void)state;
	make_rows(&r);
	render(CLI_FMT_CSV, 0, 0, &r.txt, 1, &o);
	assert_string_equal(buf, "time_first,time_last,count,rrname,rrtype,"
	    "bailiwick,sensor,rdata,asn,country\n"
	    "2020-09-13T12:26:40Z,2020-09-13T12:26:41Z,1,"
	    "\"a\\.b\\\"\"c\\009.example.com.\",TXT,example.com.,"
	    "\"corp-dns1,dns\"\"2\",\"\"\"v=spf1 \\\"\"q\\\"\"\"\" \"\"a,b\"\"\""
	    ",,\n");
	render(CLI_FMT_TEXT, 0, 0, &r.a, 1, &o);
	assert_string_equal(buf, ";; first seen 2019-07-17T19:52:00Z, last "
	    "seen 2019-07-18T02:15:00Z, count 3, bailiwick example.com., "
	    "sensors corp-dns1\n"
	    "webmail.groupweblogs-gsm1900.com. 300 IN A 165.22.196.7 ; AS14061 US\n"
	    "webmail.groupweblogs-gsm1900.com. 300 IN A 165.22.196.8 ; AS14061 US\n"
	    "\n");
}

static void
test_table(void **state)
{
	struct rows r;
	struct cli_out o;

	(void)state;
	make_rows(&r);
	struct rvq_row rs[] = { r.a, r.txt };
	render(CLI_FMT_TABLE, 0, 0, rs, 2, &o);
	assert_string_equal(buf,
	    "Query                              Type  Source           Count  "
	    "Response              First Seen (UTC)     Last Seen (UTC)        ASN"
	    "  CC\n"
	    "a\\.b\\\"c\\009.example.com.           TXT   corp-dns1,dns\"2      1  "
	    "\"v=spf1 \\\"q\\\"\" \"a,b\"  2020-09-13 12:26:40  "
	    "2020-09-13 12:26:41\n"
	    "webmail.groupweblogs-gsm1900.com.  A     corp-dns1            3  "
	    "165.22.196.7          2019-07-17 19:52:00  2019-07-18 02:15:00  "
	    "14061  US\n"
	    "                                                                 "
	    "165.22.196.8                                                    "
	    "14061  US\n");
	/* 80 columns: names lose their middle, data its end */
	render(CLI_FMT_TABLE, 100, 0, rs, 2, &o);
	for (char *p = buf, *e; *p; p = e + 1) {
		e = strchr(p, '\n');
		assert_non_null(e);
		assert_true(e - p <= 100);
	}
	assert_null(strstr(buf, "Source"));
	/* the registered domain stays whole: names keep room for it */
	assert_non_null(strstr(buf, "groupweblogs-gsm1900.com.  A "));
	assert_null(strstr(buf, "...s-gsm1900.com."));
	/* no line ends in spaces, a cut head included */
	render(CLI_FMT_TABLE, 60, 0, rs, 2, &o);
	assert_null(strstr(buf, " \n"));

	/* two RRsets alike but for their bailiwick (the parent's and the
	 * child's NS, say) get a Bailiwick column; different ones do not */
	uint8_t z2[RV_NAME_MAX];
	size_t lz2;
	assert_int_equal(rv_name_from_str("com", z2, &lz2), RV_OK);
	struct rvq_row twin[] = { r.a, r.a };
	twin[1].zone = z2;
	twin[1].zone_len = lz2;
	render(CLI_FMT_TABLE, 0, 0, twin, 2, &o);
	assert_non_null(strstr(buf, "Bailiwick"));
	assert_non_null(strstr(buf, " com. "));
	assert_non_null(strstr(buf, " example.com. "));
	render(CLI_FMT_TABLE, 0, 0, rs, 2, &o);
	assert_null(strstr(buf, "Bailiwick"));
}

static void
test_sort_summary(void **state)
{
	struct rows r;
	struct cli_out o;

	(void)state;
	make_rows(&r);
	struct rvq_row rs[] = { r.a, r.txt };
	/* default: first seen, newest first (TXT is 2020) */
	render(CLI_FMT_CSV, 0, 0, rs, 2, &o);
	assert_true(strstr(buf, ",TXT,") < strstr(buf, ",A,"));
	memset(&o, 0, sizeof(o));
	o.sort = CLI_SORT_COUNT;
	o.desc = 1;
	assert_true(cli_row_cmp(&o, &r.a, &r.txt) < 0);
	o.desc = 0;
	assert_true(cli_row_cmp(&o, &r.a, &r.txt) > 0);
	/* summary */
	FILE *f = tmpfile();
	memset(&o, 0, sizeof(o));
	o.fp = f;
	o.fmt = CLI_FMT_JSON;
	o.summarize = 1;
	assert_int_equal(cli_out_begin(&o), RV_OK);
	assert_int_equal(cli_out_row(&o, &r.a), RV_OK);
	assert_int_equal(cli_out_row(&o, &r.txt), RV_OK);
	assert_int_equal(cli_out_end(&o), RV_OK);
	cli_out_free(&o);
	rewind(f);
	buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
	fclose(f);
	assert_string_equal(buf, "{\"count\":4,\"num_results\":2,\"time_first\":"
	    "1563393120,\"time_last\":1600000001}\n");
}

static void
test_escapes(void **state)
{
	struct sb *b = malloc(sizeof(*b));
	FILE *f = tmpfile();

	(void)state;
	b->fp = f;
	b->len = 0;
	b->err = 0;
	sb_json(b, "a\"b\\c\n\x01\x7f");
	sb_ch(b, ' ');
	sb_csv(b, "plain");
	sb_ch(b, ' ');
	sb_csv(b, "a,\"b\"");
	sb_u64(b, 0);
	sb_u64(b, 18446744073709551615ULL);
	sb_flush(b);
	rewind(f);
	buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
	fclose(f);
	free(b);
	assert_string_equal(buf, "\"a\\\"b\\\\c\\n\\u0001\x7f\" plain "
	    "\"a,\"\"b\"\"\"018446744073709551615");
}

/* JSON string escaping, one octet at a time (RFC 8259 7). */
static size_t
ref_json(const char *s, char *out)
{
	size_t o = 0;

	out[o++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			out[o++] = '\\';
			out[o++] = (char)*p;
		} else if (*p == '\n') {
			o += (size_t)sprintf(out + o, "\\n");
		} else if (*p == '\r') {
			o += (size_t)sprintf(out + o, "\\r");
		} else if (*p == '\t') {
			o += (size_t)sprintf(out + o, "\\t");
		} else if (*p < 0x20) {
			o += (size_t)sprintf(out + o, "\\u%04x", *p);
		} else {
			out[o++] = (char)*p;
		}
	}
	out[o++] = '"';
	return o;
}

/* sb_json, which looks at eight octets at a time, escapes exactly what
 * the octet-by-octet rule does: random strings of every length with
 * the octets to escape anywhere, UTF-8 and DEL left alone. */
static void
test_json_escape_random(void **state)
{
	static const char odd[] = { '"', '\\', '\n', '\r', '\t', 1, 0x1f, 0x20,
	    0x7f, (char)0x80, (char)0xc3, (char)0xff, 'a', '0', '!', '~' };
	uint64_t x = 0xD1B54A32D192ED03ull;
	struct sb *b = malloc(sizeof(*b));

	(void)state;
	assert_non_null(b);
	for (int n = 0; n < 20000; n++) {
		char in[64], want[64 * 6 + 3];
		size_t len, wl;
		FILE *f = tmpfile();

		assert_non_null(f);
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		len = (size_t)(x % 40);
		for (size_t i = 0; i < len; i++) {
			unsigned c = (unsigned)(x >> (i % 57));
			in[i] = c % 7 == 0 ? odd[c / 7 % sizeof(odd)] :
			    (char)('a' + c % 26);
		}
		in[len] = '\0';
		wl = ref_json(in, want);
		b->fp = f;
		b->len = 0;
		b->err = 0;
		sb_json(b, in);
		assert_int_equal(b->len, wl);
		assert_memory_equal(b->buf, want, wl);
		fclose(f);
	}
	free(b);
}

/* A narrow phishing table gives up the long name's middle before the
 * reasons a row is there (a random tunnel name once hid them). */
static void
test_phish_table_narrow(void **state)
{
	struct rvq_report rep;
	struct rvq_report_phish ph[2];
	FILE *f = tmpfile();
	size_t len;

	(void)state;
	memset(&rep, 0, sizeof(rep));
	memset(ph, 0, sizeof(ph));
	strcpy(ph[0].name, "login.acrne-widgets.com");
	strcpy(ph[1].name, "xzxe446uteynxgt3delogonc67m6takfzqanmpa.t.xfer-sync.org");
	for (int i = 0; i < 2; i++) {
		ph[i].last = 1700000000;
		ph[i].in.ttl_min = 300;
		ph[i].out.n = 2;
		ph[i].out.r[0].kind = i ? RVQ_PH_KEYWORD : RVQ_PH_SKELETON;
		ph[i].out.r[0].points = 90;
		ph[i].out.r[1].kind = RVQ_PH_NEW;
		ph[i].out.r[1].points = 15;
	}
	rep.ph = ph;
	rep.nph = 2;
	setenv("COLUMNS", "130", 1);
	assert_int_equal(report_print(f, CLI_FMT_TABLE, RVQ_REPORT_PHISH, &rep,
	    NULL, 0, 0), RV_OK);
	setenv("COLUMNS", "80", 1);
	rewind(f);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[len] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "lookalike-skeleton +90, new-domain +15"));
	assert_non_null(strstr(buf, "...nmpa.t.xfer-sync.org  "));
	assert_null(strstr(buf, " \n"));	/* no line ends in spaces */
	for (char *l = buf; *l != '\0'; l = strchr(l, '\n') + 1)
		assert_true(strchr(l, '\n') - l <= 130);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_dnsdb_limit_offset),
		cmocka_unit_test(test_csv_text),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_sort_summary),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_json_escape_random),
		cmocka_unit_test(test_phish_table_narrow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
