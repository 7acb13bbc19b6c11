/**
 * \file cmd_lookup.c
 * `rearview lookup NAME` (RRsets of a name, `*.NAME`, `NAME.*`) and
 * `rearview history NAME` (the same rows as a timeline, oldest first).
 */
#include <string.h>

#include "cli.h"
#include "rv_err.h"
#include "run.h"

enum { OPT_BAILIWICK = 'b', OPT_TYPE = 't' };

static const struct cli_optdef lookup_opts[] = {
	{ { "type", required_argument, NULL, OPT_TYPE }, "TYPES",
	  "A,AAAA,NS,... or ANY (default), ANY-DNSSEC" },
	{ { "bailiwick", required_argument, NULL, OPT_BAILIWICK }, "ZONE",
	  "only RRsets served by ZONE's servers" },
};
#define NLOOKUP (sizeof(lookup_opts) / sizeof(lookup_opts[0]))

static int
lookup_opt(int code, const char *arg, void *ctx)
{
	struct cli_run *run = ctx;

	if (code == OPT_TYPE)
		return cli_run_types(run, arg);
	return cli_run_bailiwick(run, arg);
}

struct lookup {
	struct cli_run *run;
	size_t apex_len;	/* *.NAME: skip NAME itself */
};

static int
rrset_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct lookup *lk = arg;
	struct rv_rrset_key key;
	struct rv_rrset_val val;
	struct cli_row r;
	int rc;

	if ((rc = rv_rrset_key_decode(k->data, k->len, &key)) != 0)
		return rc;
	if (lk->apex_len > 0 && key.owner_len == lk->apex_len)
		return RV_OK;
	if ((rc = rv_rrset_val_decode(v->data, v->len, &val)) != 0)
		return rc;
	cli_row_from_rrset(&r, &key, &val);
	return cli_run_emit(lk->run, &r);
}

static int
q_lookup(struct cli_run *run, const char *arg)
{
	uint8_t wire[RV_NAME_MAX];
	struct lookup lk = { run, 0 };
	struct rv_key pre;
	size_t len;
	int wild, rc;

	if ((rc = cli_run_name(run, arg, wire, &len, &wild)) != CLI_EXIT_OK)
		return rc;
	switch (wild) {
	case 1:
		lk.apex_len = len;
		rc = rv_key_rrset_sub(&pre, wire, len);
		break;
	case 2:		/* names db rows, then each owner's RRsets (none for
			 * a name seen only as a target: SCHEMA.md) */
		rc = rv_key_names_prefix(&pre, wire, len);
		break;
	default:
		rc = rv_key_rrset_name(&pre, wire, len);
		break;
	}
	if (rc != RV_OK) {
		cli_err("%s: name '%s' is too long for a key", run->cmd, arg);
		return CLI_EXIT_USAGE;
	}
	/* Keys come in canonical name order: stream when that is asked. */
	run->out.natural = wild != 2 && run->out.sort == CLI_SORT_NAME &&
	    !run->out.desc;
	rc = wild == 2 ? cli_run_names_scan(run, &pre, RV_DB_RRSET,
	    rv_key_rrset_name, rrset_row, &lk) : rv_store_scan(run->db.st,
	    run->db.txn, RV_DB_RRSET, &pre, &pre, rrset_row, &lk);
	if (rc != RV_OK && rc != RV_ENOENT) {
		cli_run_error(run, rc);
		return CLI_EXIT_ERROR;
	}
	return CLI_EXIT_OK;
}

int
cmd_lookup(int argc, char **argv)
{
	struct cli_run run;
	int rc;

	cli_run_init(&run, "lookup");
	rc = cli_opts_parse(&run.opts, argc, argv, "lookup [OPTIONS] NAME...",
	    "RRsets of NAME, of every name below it (*.example.com) or of "
	    "names\nstarting with it (www.example.*).", lookup_opts, NLOOKUP,
	    lookup_opt, &run);
	if (rc != CLI_EXIT_OK || run.opts.help)
		return rc;
	return cli_run_queries(&run, q_lookup, CLI_SORT_FIRST, 1);
}

int
cmd_history(int argc, char **argv)
{
	struct cli_run run;
	int rc;

	cli_run_init(&run, "history");
	rc = cli_opts_parse(&run.opts, argc, argv, "history [OPTIONS] NAME...",
	    "What NAME resolved to, period after period, oldest first\n"
	    "(types A, AAAA and CNAME unless -t says otherwise).",
	    lookup_opts, NLOOKUP, lookup_opt, &run);
	if (rc != CLI_EXIT_OK || run.opts.help)
		return rc;
	if (!run.types_set && cli_run_types(&run, "A,AAAA,CNAME") != 0)
		return CLI_EXIT_ERROR;
	return cli_run_queries(&run, q_lookup, CLI_SORT_FIRST, 0);
}
