/**
 * \file cmd_subdomains.c
 * `rearview subdomains DOMAIN [--ip ADDR|CIDR]`: the distinct names below a
 * domain with first seen, last seen and count summed over their RRsets;
 * with --ip, only names seen on those addresses.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rv_err.h"
#include "run.h"

enum { OPT_IP = 'i', OPT_TYPE = 't' };

static const struct cli_optdef sub_opts[] = {
	{ { "ip", required_argument, NULL, OPT_IP }, "ADDR|CIDR",
	  "only names seen on these addresses" },
	{ { "type", required_argument, NULL, OPT_TYPE }, "TYPES",
	  "only names with RRsets of these types" },
};
#define NSUB (sizeof(sub_opts) / sizeof(sub_opts[0]))

struct sub {
	struct cli_run *run;
	const char *ip;
	struct rv_iprange range;
	uint8_t dom[RV_NAME_MAX];
	size_t dom_len;
	/* the name being summed up (rows come grouped by owner) */
	uint8_t owner[RV_NAME_MAX];
	size_t owner_len;
	struct cli_row acc;
	int have;
	/* --ip: names collected, then sorted and merged */
	struct cli_row **v;
	size_t n, cap;
};

static int
sub_opt(int code, const char *arg, void *ctx)
{
	struct cli_run *run = ctx;
	struct sub *s = run->ctx;

	if (code == OPT_TYPE)
		return cli_run_types(run, arg);
	if (rv_range_parse(arg, &s->range) != RV_OK) {
		cli_err("subdomains: invalid --ip '%s' (want ADDR, CIDR or "
		    "FROM-TO)", arg);
		return CLI_EXIT_USAGE;
	}
	s->ip = arg;
	return CLI_EXIT_OK;
}

static int
flush_name(struct sub *s)
{
	int rc = RV_OK;

	if (s->have)
		rc = cli_out_row(&s->run->out, &s->acc);
	s->have = 0;
	return rc;
}

static void
add_to(struct cli_row *acc, const struct cli_row *r)
{
	if (r->first < acc->first)
		acc->first = r->first;
	if (r->last > acc->last)
		acc->last = r->last;
	acc->count += r->count;
}

static int
start_name(struct sub *s, const struct cli_row *r)
{
	memcpy(s->owner, r->owner, r->owner_len);
	s->owner_len = r->owner_len;
	memset(&s->acc, 0, sizeof(s->acc));
	s->acc.kind = CLI_ROW_NAME;
	s->acc.owner = s->owner;
	s->acc.owner_len = s->owner_len;
	s->acc.first = r->first;
	s->acc.last = r->last;
	s->acc.count = r->count;
	s->have = 1;
	return RV_OK;
}

static int
rrset_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct sub *s = arg;
	struct rv_rrset_key key;
	struct rv_rrset_val val;
	struct cli_row r;
	int rc;

	if ((rc = rv_rrset_key_decode(k->data, k->len, &key)) != 0)
		return rc;
	if (key.owner_len == s->dom_len)	/* the domain itself */
		return RV_OK;
	if ((rc = rv_rrset_val_decode(v->data, v->len, &val)) != 0)
		return rc;
	cli_row_from_rrset(&r, &key, &val);
	if (!cli_run_pass(s->run, &r))
		return RV_OK;
	if (s->have && s->owner_len == r.owner_len &&
	    memcmp(s->owner, r.owner, r.owner_len) == 0) {
		add_to(&s->acc, &r);
		return RV_OK;
	}
	if ((rc = flush_name(s)) != RV_OK)
		return rc;
	return start_name(s, &r);
}

static int
ip_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct sub *s = arg;
	struct rv_rdata_key key;
	struct rv_seen seen;
	struct cli_row r, *c;

	if (rv_rdata_key_decode(k->data, k->len, &key) != RV_OK ||
	    rv_rdata_val_decode(v->data, v->len, &seen) != RV_OK)
		return RV_ECORRUPT;
	if (key.owner_len <= s->dom_len || !rv_name_is_subdomain(key.owner,
	    key.owner_len, s->dom, s->dom_len))
		return RV_OK;
	memset(&r, 0, sizeof(r));
	r.kind = CLI_ROW_RDATA;
	r.owner = key.owner;
	r.owner_len = key.owner_len;
	r.type = key.type;
	r.rd = key.ip.addr;
	r.rd_len = rv_ip_len(key.ip.family);
	r.first = seen.first;
	r.last = seen.last;
	r.count = seen.count;
	if (!cli_run_pass(s->run, &r))
		return RV_OK;
	if (s->run->sensor_set) {
		uint16_t sens[RV_SENSORS_MAX];
		uint8_t zone[RV_NAME_MAX];
		unsigned ns = 0, i = 0;
		size_t zl;
		(void)cli_db_join(&s->run->db, &r, sens, &ns, zone, &zl);
		while (i < ns && sens[i] != s->run->sensor_id)
			i++;
		if (i == ns)
			return RV_OK;
	}
	r.kind = CLI_ROW_NAME;
	r.rd = NULL;
	r.rd_len = 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct cli_row **nv = realloc(s->v, cap * sizeof(*nv));
		if (nv == NULL)
			return RV_ENOMEM;
		s->v = nv;
		s->cap = cap;
	}
	if ((c = cli_row_copy(&r)) == NULL)
		return RV_ENOMEM;
	s->v[s->n++] = c;
	return RV_OK;
}

static int
cmp_okey(const void *a, const void *b)
{
	const struct cli_row *x = *(struct cli_row *const *)a;
	const struct cli_row *y = *(struct cli_row *const *)b;
	size_t n = x->okey_len < y->okey_len ? x->okey_len : y->okey_len;
	int c = memcmp(x->okey, y->okey, n);

	return c != 0 ? c : (x->okey_len > y->okey_len) -
	    (x->okey_len < y->okey_len);
}

/* Sort the --ip names, merge duplicates, emit. */
static int
emit_collected(struct sub *s)
{
	int rc = RV_OK;

	qsort(s->v, s->n, sizeof(*s->v), cmp_okey);
	for (size_t i = 0; i < s->n && rc == RV_OK; i++) {
		struct cli_row *r = s->v[i];
		if (s->have && s->owner_len == r->owner_len &&
		    memcmp(s->owner, r->owner, r->owner_len) == 0) {
			add_to(&s->acc, r);
			continue;
		}
		if ((rc = flush_name(s)) == RV_OK)
			rc = start_name(s, r);
	}
	return rc;
}

static int
q_sub(struct cli_run *run, const char *arg)
{
	struct sub *s = run->ctx;
	struct rv_key lo, hi;
	int wild, rc;

	if ((rc = cli_run_name(run, arg, s->dom, &s->dom_len, &wild)) != 0)
		return rc;
	if (wild == 2) {
		cli_err("%s: '%s': give a domain (example.com or "
		    "*.example.com)", run->cmd, arg);
		return CLI_EXIT_USAGE;
	}
	s->have = 0;
	s->n = 0;
	run->out.natural = run->out.sort == CLI_SORT_NAME && !run->out.desc;
	if (s->ip == NULL) {
		if (rv_key_rrset_sub(&lo, s->dom, s->dom_len) != RV_OK)
			return CLI_EXIT_USAGE;
		rc = rv_store_scan(run->db.st, run->db.txn, RV_DB_RRSET, &lo,
		    &lo, rrset_row, s);
	} else {
		if (rv_key_rdata_range(&lo, &hi, &s->range) != RV_OK)
			return CLI_EXIT_ERROR;
		rc = rv_store_scan(run->db.st, run->db.txn, RV_DB_RDATA, &lo,
		    &hi, ip_row, s);
		if (rc == RV_OK)
			rc = emit_collected(s);
	}
	if (rc == RV_OK)
		rc = flush_name(s);
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	s->n = 0;
	if (rc != RV_OK && rc != RV_ENOENT) {
		cli_run_error(run, rc);
		return CLI_EXIT_ERROR;
	}
	return CLI_EXIT_OK;
}

int
cmd_subdomains(int argc, char **argv)
{
	struct cli_run run;
	struct sub s;
	int rc;

	memset(&s, 0, sizeof(s));
	cli_run_init(&run, "subdomains");
	run.ctx = &s;
	s.run = &run;
	rc = cli_opts_parse(&run.opts, argc, argv,
	    "subdomains [OPTIONS] DOMAIN...",
	    "Distinct names below DOMAIN with first seen, last seen and count."
	    "\nWith --ip, the names below DOMAIN seen on those addresses.",
	    sub_opts, NSUB, sub_opt, &run);
	if (rc == CLI_EXIT_OK && !run.opts.help)
		rc = cli_run_queries(&run, q_sub, CLI_SORT_FIRST, 1);
	free(s.v);
	return rc;
}
