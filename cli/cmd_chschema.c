/**
 * \file cmd_chschema.c
 * `rearview clickhouse-schema`: the ClickHouse schema of a rearview
 * cluster (issue #22, contrib/clickhouse/README.md), as SQL statements
 * separated by `;`, for ClickHouse 18.16 (Debian 12's) and later.
 *
 * Every table of the LMDB store has a ClickHouse counterpart ordered by
 * `key`, the octets of its LMDB key (store/SCHEMA.md): owner names with
 * their labels reversed, so `*.domain` is a prefix; addresses as 4 or 16
 * octets, so a CIDR is a range; ASN then address. A range of LMDB keys is
 * a range here, in the same order, which is what lets one query engine
 * read either store. Readable columns (names and rdata in presentation
 * form) sit beside the key for people who query ClickHouse directly.
 * For each table X:
 *  - X_local: the rows, AggregatingMergeTree (or its Replicated variant
 *    with --replicated): first/last/count/TTL range/sensors as min, max,
 *    sum and groupUniqArrayArray states, merged by ClickHouse as rearview's
 *    merge rule merges them;
 *  - X_ingest: where a writer inserts plain values: on one server a Null
 *    table, and X_mv the materialized view that turns what is inserted
 *    there into states in X_local (18.16 has no SimpleAggregateFunction,
 *    and a writer should not encode states); with --cluster a
 *    Distributed table over every shard's X_in (that Null table), sharded
 *    by the registered domain so one domain's rows stay on one shard;
 *  - X: what a reader queries (with -Merge functions and GROUP BY the
 *    key): a view of X_local, or a Distributed table over the shards.
 * The ip table (enrichment periods) is a ReplacingMergeTree keyed by
 * address and period start.
 *
 * Exit status: 0, 2 usage error.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rv_num.h"

/* One aggregated table: its name, its plain columns (readable forms of
 * what the key holds, and the rrset's rdata set), which states it keeps
 * and how it is sharded. Every table is ordered by `key`, the LMDB key's
 * octets (store/SCHEMA.md), so a range of LMDB keys is a range here. */
struct chtab {
	const char *name;
	const char *plain;	/* "col Type, ..." */
	unsigned states;	/* CH_* */
	const char *shard;	/* the sharding expression */
};

#define CH_TIMES	1u	/* time_first, time_last */
#define CH_COUNT	2u	/* count */
#define CH_TTL		4u	/* ttl_min, ttl_max */
#define CH_SENSORS	8u	/* sensors */

static const struct chtab tabs[] = {
	{ "rrset", "regdom String, rrname String, rrtype UInt16, "
	  "bailiwick String, rdata Array(String), rdcount UInt16, set String",
	  CH_TIMES | CH_COUNT | CH_TTL | CH_SENSORS, "cityHash64(regdom)" },
	{ "neg", "regdom String, qname String, qtype UInt16, rcode UInt8, "
	  "bailiwick String",
	  CH_TIMES | CH_COUNT | CH_TTL | CH_SENSORS, "cityHash64(regdom)" },
	{ "rdata", "value String, rrtype UInt16, rrname String",
	  CH_TIMES | CH_COUNT, "cityHash64(key)" },
	{ "names", "name String", CH_TIMES, "cityHash64(key)" },
	{ "asn", "asn UInt32, addr String", CH_TIMES, "cityHash64(key)" },
	{ "regdom", "regdom String", CH_TIMES, "cityHash64(regdom)" },
};

struct chopts {
	const char *db, *cluster;
	unsigned shards;
	int replicated;
};

static void
engine(FILE *fp, const struct chopts *o, const char *table,
    const char *kind)
{
	if (o->replicated)
		fprintf(fp, "ENGINE = Replicated%s('/clickhouse/tables/{shard}/"
		    "%s/%s', '{replica}')", kind, o->db, table);
	else
		fprintf(fp, "ENGINE = %s()", kind);
}

/* The aggregated columns: in X_local as states of fn over type, in the
 * ingest table as plain values named in (all its sensors in an array), turned
 * into states by the materialized view. A delta seen by several sensors
 * is one row with all of them, so its count is summed once. */
static const struct chstate {
	unsigned set;		/* CH_* */
	const char *name, *in, *fn, *type;
} states[] = {
	{ CH_TIMES, "time_first", "time_first", "min", "UInt32" },
	{ CH_TIMES, "time_last", "time_last", "max", "UInt32" },
	{ CH_COUNT, "count", "count", "sum", "UInt64" },
	{ CH_TTL, "ttl_min", "ttl_min", "min", "UInt32" },
	{ CH_TTL, "ttl_max", "ttl_max", "max", "UInt32" },
	{ CH_SENSORS, "sensors", "sensors", "groupUniqArrayArray",
	  "Array(String)" },
};

enum chform { STATE_COL, PLAIN_COL, MV_STATE };

/* The aggregated columns of a table with states \p set, as columns of
 * X_local, of the ingest table, or the view's SELECT list. */
static void
state_list(FILE *fp, unsigned set, enum chform form)
{
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		const struct chstate *c = &states[i];

		if (!(set & c->set))
			continue;
		if (form == STATE_COL)
			fprintf(fp, ",\n    %s AggregateFunction(%s, %s)",
			    c->name, c->fn, c->type);
		else if (form == PLAIN_COL)
			fprintf(fp, ",\n    %s %s", c->in, c->type);
		else
			fprintf(fp, ",\n    %sState(%s) AS %s", c->fn, c->in,
			    c->name);
	}
}

/* "a String, b UInt16" -> "fn(a) AS a, fn(b) AS b" */
static void
names_of(FILE *fp, const char *cols, const char *fn)
{
	const char *c = cols;

	while (*c) {
		const char *sp = strchr(c, ' '), *comma = strchr(c, ',');

		fprintf(fp, "%s(%.*s) AS %.*s", fn, (int)(sp - c), c,
		    (int)(sp - c), c);
		if (comma == NULL)
			break;
		fputs(", ", fp);
		c = comma + 2;
	}
}

static void
table(FILE *fp, const struct chopts *o, const struct chtab *t)
{
	const char *db = o->db, *in = o->cluster ? "in" : "ingest";

	fprintf(fp, "\nCREATE TABLE IF NOT EXISTS %s.%s_local (\n    key "
	    "String,\n    %s", db, t->name, t->plain);
	state_list(fp, t->states, STATE_COL);
	fputs("\n) ", fp);
	{
		char local[64];
		snprintf(local, sizeof(local), "%s_local", t->name);
		engine(fp, o, local, "AggregatingMergeTree");
	}
	fputs("\nORDER BY key;\n", fp);

	fprintf(fp, "\nCREATE TABLE IF NOT EXISTS %s.%s_%s (\n    key "
	    "String,\n    %s", db, t->name, in, t->plain);
	state_list(fp, t->states, PLAIN_COL);
	fputs("\n) ENGINE = Null;\n", fp);

	fprintf(fp, "\nCREATE MATERIALIZED VIEW IF NOT EXISTS %s.%s_mv TO "
	    "%s.%s_local AS SELECT\n    key,\n    ", db, t->name, db,
	    t->name);
	names_of(fp, t->plain, "any");
	state_list(fp, t->states, MV_STATE);
	fprintf(fp, "\nFROM %s.%s_%s\nGROUP BY key;\n", db, t->name, in);

	if (o->cluster) {
		fprintf(fp, "\nCREATE TABLE IF NOT EXISTS %s.%s_ingest AS "
		    "%s.%s_in\nENGINE = Distributed(%s, %s, %s_in, %s);\n",
		    db, t->name, db, t->name, o->cluster, db, t->name,
		    t->shard);
		fprintf(fp, "\nCREATE TABLE IF NOT EXISTS %s.%s AS %s.%s_local"
		    "\nENGINE = Distributed(%s, %s, %s_local);\n", db, t->name,
		    db, t->name, o->cluster, db, t->name);
	} else {
		fprintf(fp, "\nCREATE VIEW IF NOT EXISTS %s.%s AS SELECT * "
		    "FROM %s.%s_local;\n", db, t->name, db, t->name);
	}
}

static void
ip_table(FILE *fp, const struct chopts *o)
{
	const char *db = o->db;

	fprintf(fp, "\nCREATE TABLE IF NOT EXISTS %s.ip_local (\n"
	    "    key String,\n    addr String,\n    since UInt32,\n"
	    "    until UInt32,\n    asn UInt32,\n    cc FixedString(2),\n"
	    "    lat Int32,\n    lon Int32,\n    org String,\n"
	    "    city String,\n    version UInt32\n) ", db);
	if (o->replicated)
		fprintf(fp, "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/"
		    "tables/{shard}/%s/ip_local', '{replica}', version)", db);
	else
		fputs("ENGINE = ReplacingMergeTree(version)", fp);
	fputs("\nORDER BY key;\n", fp);
	if (o->cluster) {
		fprintf(fp, "\nCREATE TABLE IF NOT EXISTS %s.ip_ingest AS "
		    "%s.ip_local\nENGINE = Distributed(%s, %s, ip_local, "
		    "cityHash64(key));\n", db, db, o->cluster, db);
		fprintf(fp, "\nCREATE TABLE IF NOT EXISTS %s.ip AS %s.ip_local"
		    "\nENGINE = Distributed(%s, %s, ip_local);\n", db, db,
		    o->cluster, db);
	} else {
		/* ReplacingMergeTree takes inserts itself. */
		fprintf(fp, "\nCREATE VIEW IF NOT EXISTS %s.ip AS SELECT * "
		    "FROM %s.ip_local;\n", db, db);
	}
}

/* Names ClickHouse takes unquoted: a letter or _, then letters, digits
 * and _ (so nothing of them needs escaping in the statements). */
static int
ident_ok(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 48 ||
	    !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    *s == '_'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s clickhouse-schema [--database NAME] "
	    "[--cluster NAME [--shards N]] [--replicated]\n"
	    "Print the ClickHouse schema of a rearview store as SQL "
	    "statements separated by ';'\n(ClickHouse 18.16 and later; "
	    "contrib/clickhouse/README.md). Apply with\n"
	    "  rearview clickhouse-schema | clickhouse-client -n\n"
	    "  --database NAME   the database (rearview)\n"
	    "  --cluster NAME    a cluster of the servers' remote_servers: "
	    "Distributed\n"
	    "                    tables over the shards (run the output on "
	    "every server)\n"
	    "  --shards N        with --cluster: also print, as a comment, "
	    "the\n"
	    "                    remote_servers entry for N shards\n"
	    "  --replicated      Replicated engines ({shard} and {replica} "
	    "macros, ZooKeeper)\n"
	    "  -h, --help        this help\n", cli_progname);
}

int
cmd_chschema(int argc, char **argv, const struct cli_env *env)
{
	static const struct option lo[] = {
		{ "database", required_argument, NULL, 'D' },
		{ "cluster", required_argument, NULL, 'C' },
		{ "shards", required_argument, NULL, 'S' },
		{ "replicated", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct chopts o = { "rearview", NULL, 0, 0 };
	uint64_t n;
	int c;

	(void)env;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 'D': o.db = optarg; break;
		case 'C': o.cluster = optarg; break;
		case 'S':
			if (rv_parse_u64(optarg, 10, 1, 1000, &n) != 0) {
				cli_err("clickhouse-schema: --shards takes a "
				    "number from 1 to 1000, not '%s'", optarg);
				return 2;
			}
			o.shards = (unsigned)n;
			break;
		case 'R': o.replicated = 1; break;
		case 'h': usage(stdout); return 0;
		case ':':
			cli_err("clickhouse-schema: %s needs a value",
			    argv[optind - 1]);
			return 2;
		default:
			cli_err("clickhouse-schema: unknown option '%s'",
			    argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		cli_err("clickhouse-schema: no arguments, only options ('%s')",
		    argv[optind]);
		return 2;
	}
	if (!ident_ok(o.db) || (o.cluster && !ident_ok(o.cluster))) {
		cli_err("clickhouse-schema: '%s' is not a name ClickHouse "
		    "takes unquoted (a letter or _, then letters, digits, _)",
		    ident_ok(o.db) ? o.cluster : o.db);
		return 2;
	}
	if (o.shards && !o.cluster) {
		cli_err("clickhouse-schema: --shards needs --cluster");
		return 2;
	}
	printf("-- rearview's ClickHouse schema (rearview clickhouse-schema%s%s"
	    "%s%s%s)\n", o.cluster ? " --cluster " : "", o.cluster ?
	    o.cluster : "", o.replicated ? " --replicated" : "",
	    strcmp(o.db, "rearview") ? " --database " : "",
	    strcmp(o.db, "rearview") ? o.db : "");
	if (o.shards) {
		printf("-- The servers' config.xml, one shard per server:\n"
		    "-- <remote_servers><%s>\n", o.cluster);
		for (unsigned i = 1; i <= o.shards; i++)
			printf("--   <shard><internal_replication>%s"
			    "</internal_replication><replica><host>shard%u"
			    "</host><port>9000</port></replica></shard>\n",
			    o.replicated ? "true" : "false", i);
		printf("-- </%s></remote_servers>\n", o.cluster);
	}
	printf("\nCREATE DATABASE IF NOT EXISTS %s;\n", o.db);
	for (size_t i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++)
		table(stdout, &o, &tabs[i]);
	ip_table(stdout, &o);
	return ferror(stdout) || fflush(stdout) ? 3 : 0;
}
