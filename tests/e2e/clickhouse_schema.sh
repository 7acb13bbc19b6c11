#!/bin/bash
# `rearview clickhouse-schema` on the real ClickHouse Debian ships (18.16):
# two clickhouse-server processes on loopback as the two shards of a
# cluster, the cluster schema applied to both, rows inserted through the
# Distributed ingest table land on their shards by registered domain and
# come back merged the way rearview merges (first min, last max, counts
# summed, TTL range, sensors united); the one-server schema too; the
# files under contrib/clickhouse/ are the command's output; bad options
# are refused.
. "$(dirname "$0")/indexer_lib.sh"
RV=$B/cli/rearview
SRC=${RV_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
[ -x "$RV" ] || { echo "SKIP: $RV not built"; exit 77; }
. "$(dirname "$0")/ch_lib.sh"
# The committed files are what the command prints.
"$RV" clickhouse-schema | cmp -s - "$SRC/contrib/clickhouse/schema.sql" ||
	fail "contrib/clickhouse/schema.sql is not 'rearview clickhouse-schema'"
"$RV" clickhouse-schema --cluster rearview --shards 2 |
	cmp -s - "$SRC/contrib/clickhouse/schema-cluster.sql" ||
	fail "contrib/clickhouse/schema-cluster.sql is not 'rearview clickhouse-schema --cluster rearview --shards 2'"
refuse() {	# refuse WHAT ARGS...: exit 2 and one line naming WHAT
	local what=$1; shift
	"$RV" clickhouse-schema "$@" >"$T/out" 2>"$T/err"; local rc=$?
	[ "$rc" = 2 ] && grep -q -- "$what" "$T/err" && [ ! -s "$T/out" ] ||
	    { cat "$T/err"; fail "clickhouse-schema $*: exit $rc, want 2 naming '$what'"; }
}
refuse "not a name" --database 'x; DROP DATABASE system'
refuse "not a name" --cluster 'a b'
refuse "needs --cluster" --shards 2
refuse "--shards takes" --cluster c --shards 0
refuse "unknown option" --bogus
"$RV" clickhouse-schema --help | grep -q -- '--replicated' || fail "--help lists no --replicated"
"$RV" clickhouse-schema --cluster c --replicated | grep -q "ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/rearview/rrset_local', '{replica}')" ||
	fail "--replicated gives no Replicated engine"

# Two servers, shards 1 and 2 of cluster rv2.
ch_start 1; ch_start 2
ch_schema 1 --cluster rv2; ch_schema 2 --cluster rv2
q() { ch_q "$@"; }
ver=$(q 1 'SELECT version()')

# Rows of three registered domains; www.example.com twice (two deltas of
# one RRset), with a quote and a backslash in a TXT rdata.
tab=$'\t'
{	# key regdom rrname rrtype bailiwick rdata rdcount set first last count ttl_min ttl_max sensor
	printf 'K:com.example.www.:1:42\texample.com\twww.example.com.\t1\texample.com.\t[%s]\t1\t\\x00\\x04\t1600000000\t1600000100\t3\t300\t300\t[\x27dns1\x27]\n' "'192.0.2.1'"
	printf 'K:com.example.www.:1:42\texample.com\twww.example.com.\t1\texample.com.\t[%s]\t1\t\\x00\\x04\t1500000000\t1600000500\t4\t60\t300\t[\x27dns2\x27]\n' "'192.0.2.1'"
	printf 'K:org.other.a.:16:7\tother.org\ta.other.org.\t16\tother.org.\t[%s]\t1\t\\x00\\x05\t1600000000\t1600000000\t1\t30\t30\t[\x27dns1\x27]\n' "'\"it\\'s\"'"
	printf 'K:net.third.b.:1:9\tthird.net\tb.third.net.\t1\tthird.net.\t[%s]\t1\t\\x00\\x04\t1600000000\t1600000000\t1\t30\t30\t[\x27dns3\x27]\n' "'203.0.113.9'"
} >"$T/rows.tsv"
curl -sS -m 30 --data-binary @"$T/rows.tsv" \
    "$(ch_url 1)/?insert_distributed_sync=1&query=INSERT%20INTO%20rearview.rrset_ingest%20FORMAT%20TabSeparated" ||
	fail "insert into rrset_ingest"
merged='SELECT rrname, rrtype, minMerge(time_first), maxMerge(time_last), sumMerge(count), minMerge(ttl_min), maxMerge(ttl_max), arrayStringConcat(arraySort(groupUniqArrayArrayMerge(sensors)), '"'"','"'"'), any(rdata) FROM rearview.rrset GROUP BY key, rrname, rrtype ORDER BY key FORMAT TSV'
q 1 "$merged" >"$T/got" || fail "select from rrset"
printf '%s\n' \
  "www.example.com.${tab}1${tab}1500000000${tab}1600000500${tab}7${tab}60${tab}300${tab}dns1,dns2${tab}['192.0.2.1']" \
  "b.third.net.${tab}1${tab}1600000000${tab}1600000000${tab}1${tab}30${tab}30${tab}dns3${tab}['203.0.113.9']" \
  "a.other.org.${tab}16${tab}1600000000${tab}1600000000${tab}1${tab}30${tab}30${tab}dns1${tab}['\"it\\'s\"']" >"$T/want"
cmp -s "$T/got" "$T/want" || { diff "$T/want" "$T/got"; fail "the cluster's merged rows differ"; }
# Server 2 answers the same through its own Distributed table.
q 2 "$merged" | cmp -s - "$T/want" || fail "shard 2's Distributed table answers differently"
# Each domain on one shard; both shards hold some.
n1=$(q 1 'SELECT count() FROM rearview.rrset_local'); n2=$(q 2 'SELECT count() FROM rearview.rrset_local')
[ "$n1" -ge 1 ] && [ "$n2" -ge 1 ] && [ $((n1 + n2)) -le 4 ] || fail "rows per shard: $n1 and $n2"
for d in example.com other.org third.net; do
	s1=$(q 1 "SELECT count() FROM rearview.rrset_local WHERE regdom = '$d'")
	s2=$(q 2 "SELECT count() FROM rearview.rrset_local WHERE regdom = '$d'")
	[ "$s1" = 0 ] || [ "$s2" = 0 ] || fail "$d's rows on both shards"
done

# The one-server schema, under another database name, on server 1.
ch_schema 1 --database rv_one
curl -sS -m 30 --data-binary @"$T/rows.tsv" \
    "$(ch_url 1)/?query=INSERT%20INTO%20rv_one.rrset_ingest%20FORMAT%20TabSeparated" ||
	fail "insert into rv_one.rrset_ingest"
q 1 "${merged//rearview./rv_one.}" | cmp -s - "$T/want" || fail "the one-server schema merges differently"

ch_stop 1; ch_stop 2
ok "the schema applies on ClickHouse $ver, one server and two shards; rows land on their shard by registered domain and merge as rearview merges"
echo "PASS: clickhouse_schema"
