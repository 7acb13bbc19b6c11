/**
 * \file cmd_rdata.c
 * The reverse pivots: `rearview rdata ip ADDR|CIDR|FROM-TO`, `rdata name
 * NAME`, `rdata raw HEX` and `rearview asn NUMBER`, all over the rdata
 * index (one range or prefix scan each; `rdata name NAME.*` one prefix
 * scan of the names index, then one of the rdata index per target).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "rv_err.h"
#include "rv_num.h"
#include "rv_rdata.h"
#include "run.h"

enum { OPT_TYPE = 't' };

static const struct cli_optdef rdata_opts[] = {
	{ { "type", required_argument, NULL, OPT_TYPE }, "TYPES",
	  "only these record types (A,NS,MX,...)" },
};
#define NRDATA (sizeof(rdata_opts) / sizeof(rdata_opts[0]))

static int
rdata_opt(int code, const char *arg, void *ctx)
{
	(void)code;
	return cli_run_types(ctx, arg);
}

struct rscan {
	struct cli_run *run;
	size_t apex_len;	/* rdata name *.NAME: skip NAME itself */
	const uint8_t *raw;	/* rdata raw: the bytes asked for */
	size_t raw_len;
	uint32_t asn_first, asn_last;	/* asn: the address's period */
	int asn;
};

static int
rdata_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct rscan *s = arg;
	struct rv_rdata_key key;
	struct rv_seen seen;
	struct cli_row r;
	int rc;

	if ((rc = rv_rdata_key_decode(k->data, k->len, &key)) != 0 ||
	    (rc = rv_rdata_val_decode(v->data, v->len, &seen)) != 0)
		return rc;
	memset(&r, 0, sizeof(r));
	r.kind = CLI_ROW_RDATA;
	r.owner = key.owner;
	r.owner_len = key.owner_len;
	r.type = key.type;
	r.first = seen.first;
	r.last = seen.last;
	r.count = seen.count;
	switch (key.tag) {
	case RV_TAG_IPV4:
	case RV_TAG_IPV6:
		r.rd = key.ip.addr;
		r.rd_len = rv_ip_len(key.ip.family);
		break;
	case RV_TAG_NAME:
		if (s->apex_len > 0 && key.target_len == s->apex_len)
			return RV_OK;
		r.rd = key.target;
		r.rd_len = key.target_len;
		r.rd_is_name = 1;
		break;
	default:
		r.rd = s->raw;
		r.rd_len = s->raw_len;
		break;
	}
	/* asn: the name was on the address while it was in the AS. */
	if (s->asn && (r.last < s->asn_first || r.first > s->asn_last))
		return RV_OK;
	return cli_run_emit(s->run, &r);
}

static int
scan(struct cli_run *run, struct rscan *s, const struct rv_key *lo,
    const struct rv_key *hi)
{
	int rc = rv_store_scan(run->db.st, run->db.txn, RV_DB_RDATA, lo, hi,
	    rdata_row, s);

	if (rc != RV_OK && rc != RV_ENOENT) {
		cli_run_error(run, rc);
		return CLI_EXIT_ERROR;
	}
	return CLI_EXIT_OK;
}

static int
q_ip(struct cli_run *run, const char *arg)
{
	struct rscan s = { .run = run };
	struct rv_iprange r;
	struct rv_key lo, hi;
	int rc = rv_range_parse(arg, &r);

	if (rc != RV_OK) {
		cli_err("%s: invalid address, CIDR or range '%s'%s", run->cmd,
		    arg, rc == RV_ERANGE ? ": prefix too long for the family"
		    : "");
		return CLI_EXIT_USAGE;
	}
	if (rv_key_rdata_range(&lo, &hi, &r) != RV_OK)
		return CLI_EXIT_ERROR;
	run->out.natural = run->out.sort == CLI_SORT_DATA && !run->out.desc;
	return scan(run, &s, &lo, &hi);
}

/* The reverse-index prefix of one target name (cli_name_key_fn). */
static int
target_key(struct rv_key *k, const uint8_t *name, size_t len)
{
	return rv_key_rdata_name_prefix(k, name, len, 0);
}

/* www.example.*: the names database holds every target name in forward
 * order (SCHEMA.md), so the candidates are one prefix scan there and each
 * one's rows a prefix scan of the reverse index. */
static int
q_name_fwd(struct cli_run *run, const char *arg, const uint8_t *wire,
    size_t len)
{
	struct rscan s = { .run = run };
	struct rv_key pre;
	int rc = rv_store_names_targets(run->db.st, run->db.txn, NULL);

	if (rc == RV_ENOENT) {
		cli_err("%s: '%s' needs target names in the names index, "
		    "which database '%s' predates: rearviewd adds them when it "
		    "next opens it", run->cmd, arg, run->db.path);
		return CLI_EXIT_ERROR;
	}
	if (rc != RV_OK) {
		cli_run_error(run, rc);
		return CLI_EXIT_ERROR;
	}
	if (rv_key_names_prefix(&pre, wire, len) != RV_OK) {
		cli_err("%s: name '%s' is too long for a key", run->cmd, arg);
		return CLI_EXIT_USAGE;
	}
	/* Targets come in forward order, not in the data order. */
	run->out.natural = 0;
	rc = cli_run_names_scan(run, &pre, RV_DB_RDATA, target_key, rdata_row,
	    &s);
	if (rc != RV_OK && rc != RV_ENOENT) {
		cli_run_error(run, rc);
		return CLI_EXIT_ERROR;
	}
	return CLI_EXIT_OK;
}

static int
q_name(struct cli_run *run, const char *arg)
{
	struct rscan s = { .run = run };
	uint8_t wire[RV_NAME_MAX];
	struct rv_key pre;
	size_t len;
	int wild, rc;

	if ((rc = cli_run_name(run, arg, wire, &len, &wild)) != CLI_EXIT_OK)
		return rc;
	if (wild == 2)
		return q_name_fwd(run, arg, wire, len);
	if (wild == 1)
		s.apex_len = len;
	if (rv_key_rdata_name_prefix(&pre, wire, len, wild == 1) != RV_OK) {
		cli_err("%s: name '%s' is too long for a key", run->cmd, arg);
		return CLI_EXIT_USAGE;
	}
	run->out.natural = run->out.sort == CLI_SORT_DATA && !run->out.desc;
	return scan(run, &s, &pre, &pre);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int
q_raw(struct cli_run *run, const char *arg)
{
	/* Without -t: addresses and the common types with hashed rdata. */
	static const uint16_t dflt[] = { 1, 28, 16, 99, 257, 44, 52, 13, 43,
	    48, 256, 53, 61, 29, 17 };
	struct rscan s = { .run = run };
	uint8_t *rd = NULL;
	size_t n = strlen(arg), len = 0;
	const uint16_t *types = run->ntypes ? run->types : dflt;
	unsigned ntypes = run->ntypes ? run->ntypes :
	    sizeof(dflt) / sizeof(dflt[0]);
	int st = CLI_EXIT_OK;

	if (n == 0 || n % 2 != 0 || n / 2 > 65535 ||
	    (rd = malloc(n / 2)) == NULL) {
		cli_err("%s: invalid HEX '%s': want an even number of hex "
		    "digits", run->cmd, arg);
		st = CLI_EXIT_USAGE;
		goto leave;
	}
	for (size_t i = 0; i < n; i += 2) {
		int a = hexval((unsigned char)arg[i]);
		int b = hexval((unsigned char)arg[i + 1]);
		if (a < 0 || b < 0) {
			cli_err("%s: invalid HEX '%s' at offset %zu", run->cmd,
			    arg, i);
			st = CLI_EXIT_USAGE;
			goto leave;
		}
		rd[len++] = (uint8_t)(a << 4 | b);
	}
	s.raw = rd;
	s.raw_len = len;
	for (unsigned i = 0; i < ntypes && st == CLI_EXIT_OK; i++) {
		struct rv_key lo, hi;
		const uint8_t *t;
		size_t tl;
		uint16_t type = types[i];

		if ((type == 1 && len == 4) || (type == 28 && len == 16)) {
			struct rv_iprange r = { .family = len == 4 ? 4 : 6 };
			memcpy(r.lo, rd, len);
			memcpy(r.hi, rd, len);
			if (rv_key_rdata_range(&lo, &hi, &r) != RV_OK)
				continue;
		} else if (type == 1 || type == 28) {
			continue;
		} else if (rv_rdata_target(type, rd, len, &t, &tl) == RV_OK) {
			if (rv_key_rdata_name_prefix(&lo, t, tl, 0) != RV_OK)
				continue;
			hi = lo;
		} else if (rv_key_rdata_hash_prefix(&lo,
		    rv_rdata_digest(type, rd, len)) == RV_OK) {
			hi = lo;
		} else {
			continue;
		}
		st = scan(run, &s, &lo, &hi);
	}
leave:
	free(rd);
	return st;
}

static const char *const rdata_usage[] = {
	"rdata ip [OPTIONS] ADDR|CIDR|FROM-TO...",
	"rdata name [OPTIONS] NAME...",
	"rdata raw [OPTIONS] HEX...",
};

static int
rdata_sub(int argc, char **argv, int which, cli_query_fn fn,
    const char *summary)
{
	static const char *cmds[] = { "rdata ip", "rdata name", "rdata raw" };
	struct cli_run run;
	int rc;

	cli_run_init(&run, cmds[which]);
	rc = cli_opts_parse(&run.opts, argc, argv, rdata_usage[which], summary,
	    rdata_opts, NRDATA, rdata_opt, &run);
	if (rc != CLI_EXIT_OK || run.opts.help)
		return rc;
	run.out.dnsdb_single = 1;
	return cli_run_queries(&run, fn, CLI_SORT_FIRST, 1);
}

static int
cmd_rdata_ip(int argc, char **argv)
{
	return rdata_sub(argc, argv, 0, q_ip, "Names seen pointing at an "
	    "address, a CIDR block or a FROM-TO range (IPv4, IPv6).");
}

static int
cmd_rdata_name(int argc, char **argv)
{
	return rdata_sub(argc, argv, 1, q_name, "Names whose NS, CNAME, MX, "
	    "PTR, SRV, SOA MNAME or SVCB target is NAME,\nis below it "
	    "(*.example.net) or begins with its labels (ns1.example.*).");
}

static int
cmd_rdata_raw(int argc, char **argv)
{
	return rdata_sub(argc, argv, 2, q_raw, "Names with this exact rdata "
	    "(hex wire form; -t to say its type).");
}

static const struct cli_command rdata_cmds[] = {
	{ "ip", "names on an address, CIDR or range", cmd_rdata_ip },
	{ "name", "names pointing at a name (NS, CNAME, MX...)",
	  cmd_rdata_name },
	{ "raw", "names with this raw rdata", cmd_rdata_raw },
	{ NULL, NULL, NULL }
};

int
cmd_rdata(int argc, char **argv)
{
	const struct cli_command *c;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		FILE *fp = argc < 2 ? stderr : stdout;
		fprintf(fp, "usage: %s rdata ip|name|raw [OPTIONS] ARG...\n",
		    cli_progname);
		for (c = rdata_cmds; c->name != NULL; c++)
			fprintf(fp, "  %-6s %s\n", c->name, c->summary);
		fprintf(fp, "'%s rdata SUBCOMMAND --help' for its options.\n",
		    cli_progname);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if ((c = cli_command_find(rdata_cmds, argv[1])) == NULL) {
		cli_err("rdata: unknown kind '%s' (want ip, name or raw)",
		    argv[1]);
		return CLI_EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}

/* asn: every address of the AS, then every name on each address. */
static int
asn_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct rscan *s = arg;
	struct rv_seen seen;
	struct rv_iprange r;
	struct rv_key lo, hi;
	struct rv_ip ip;
	uint32_t asn;
	int rc;

	if ((rc = rv_asn_key_decode(k->data, k->len, &asn, &ip)) ||
	    (rc = rv_asn_val_decode(v->data, v->len, &seen)))
		return rc;
	s->asn_first = seen.first;
	s->asn_last = seen.last;
	r.family = ip.family;
	memcpy(r.lo, ip.addr, sizeof(r.lo));
	memcpy(r.hi, ip.addr, sizeof(r.hi));
	if ((rc = rv_key_rdata_range(&lo, &hi, &r)) != RV_OK)
		return rc;
	rc = rv_store_scan(s->run->db.st, s->run->db.txn, RV_DB_RDATA, &lo,
	    &hi, rdata_row, s);
	if (rc == RV_OK && s->run->out.natural && s->run->out.limited)
		rc = RV_ENOENT;
	return rc;
}

static int
q_asn(struct cli_run *run, const char *arg)
{
	struct rscan s = { .run = run, .asn = 1 };
	const char *p = arg;
	struct rv_key pre;
	uint64_t asn;
	int rc;

	if (strncasecmp(p, "AS", 2) == 0)
		p += 2;
	if (rv_parse_u64(p, 10, 0, UINT32_MAX, &asn) != RV_OK) {
		cli_err("%s: invalid AS number '%s' (want 1-4294967295, "
		    "AS prefix optional)", run->cmd, arg);
		return CLI_EXIT_USAGE;
	}
	if (rv_key_asn_prefix(&pre, (uint32_t)asn) != RV_OK)
		return CLI_EXIT_ERROR;
	run->out.natural = run->out.sort == CLI_SORT_DATA && !run->out.desc;
	rc = rv_store_scan(run->db.st, run->db.txn, RV_DB_ASN, &pre, &pre,
	    asn_row, &s);
	if (rc != RV_OK && rc != RV_ENOENT) {
		cli_run_error(run, rc);
		return CLI_EXIT_ERROR;
	}
	return CLI_EXIT_OK;
}

int
cmd_asn(int argc, char **argv)
{
	struct cli_run run;
	int rc;

	cli_run_init(&run, "asn");
	rc = cli_opts_parse(&run.opts, argc, argv, "asn [OPTIONS] NUMBER...",
	    "Addresses seen in an AS (the ASN stored when they were observed)"
	    "\nand the names on them.", rdata_opts, NRDATA, rdata_opt, &run);
	if (rc != CLI_EXIT_OK || run.opts.help)
		return rc;
	run.out.dnsdb_single = 1;
	return cli_run_queries(&run, q_asn, CLI_SORT_FIRST, 1);
}
