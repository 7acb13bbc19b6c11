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
command -v clickhouse-server >/dev/null && command -v clickhouse-client >/dev/null ||
	{ echo "SKIP: clickhouse-server not installed (scripts/setup-deps.sh installs it)"; exit 77; }
CH_PIDS=
EXTRA_CLEANUP='for p in $CH_PIDS; do kill -9 $p 2>/dev/null; done'

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
tcp1=$(port 11); tcp2=$(port 12); http1=$(port 13); http2=$(port 14)
for i in 1 2; do
	d=$T/ch$i; mkdir -p "$d"
	eval tcp=\$tcp$i http=\$http$i
	cat >"$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/server.log</log><errorlog>$d/server.err.log</errorlog><console>0</console></logger>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <remote_servers><rv2>
    <shard><replica><host>127.0.0.1</host><port>$tcp1</port></replica></shard>
    <shard><replica><host>127.0.0.1</host><port>$tcp2</port></replica></shard>
  </rv2></remote_servers>
</yandex>
XML
	clickhouse-server --config-file="$d/config.xml" >"$d/out" 2>&1 &
	CH_PIDS="$CH_PIDS $!"
done
q() {	# q N SQL: run SQL on server N over HTTP, TSV out
	local p; eval p=\$http$1
	curl -sS -m 30 --data-binary "$2" "http://127.0.0.1:$p/?insert_distributed_sync=1"
}
for i in 1 2; do
	for _ in $(seq 300); do
		[ "$(q "$i" 'SELECT 1' 2>/dev/null)" = 1 ] && break
		sleep 0.1
	done
	[ "$(q "$i" 'SELECT 1')" = 1 ] || { cat "$T/ch$i/server.err.log" "$T/ch$i/out"; fail "clickhouse-server $i did not start"; }
	eval tcp=\$tcp$i
	"$RV" clickhouse-schema --cluster rv2 |
	    clickhouse-client --port "$tcp" -n >"$T/apply$i" 2>&1 ||
	    { cat "$T/apply$i"; fail "the cluster schema does not apply on server $i"; }
done
ver=$(q 1 'SELECT version()')

# Rows of three registered domains; www.example.com twice (two deltas of
# one RRset), with a quote and a backslash in a TXT rdata.
tab=$'\t'
{	# key regdom rrname rrtype bailiwick rdata rdcount set first last count ttl_min ttl_max sensor
	printf 'K:com.example.www.:1:42\texample.com\twww.example.com.\t1\texample.com.\t[%s]\t1\t\\x00\\x04\t1600000000\t1600000100\t3\t300\t300\tdns1\n' "'192.0.2.1'"
	printf 'K:com.example.www.:1:42\texample.com\twww.example.com.\t1\texample.com.\t[%s]\t1\t\\x00\\x04\t1500000000\t1600000500\t4\t60\t300\tdns2\n' "'192.0.2.1'"
	printf 'K:org.other.a.:16:7\tother.org\ta.other.org.\t16\tother.org.\t[%s]\t1\t\\x00\\x05\t1600000000\t1600000000\t1\t30\t30\tdns1\n' "'\"it\\'s\"'"
	printf 'K:net.third.b.:1:9\tthird.net\tb.third.net.\t1\tthird.net.\t[%s]\t1\t\\x00\\x04\t1600000000\t1600000000\t1\t30\t30\tdns3\n' "'203.0.113.9'"
} >"$T/rows.tsv"
curl -sS -m 30 --data-binary @"$T/rows.tsv" \
    "http://127.0.0.1:$http1/?insert_distributed_sync=1&query=INSERT%20INTO%20rearview.rrset_ingest%20FORMAT%20TabSeparated" ||
	fail "insert into rrset_ingest"
merged='SELECT rrname, rrtype, minMerge(time_first), maxMerge(time_last), sumMerge(count), minMerge(ttl_min), maxMerge(ttl_max), arrayStringConcat(arraySort(groupUniqArrayMerge(sensors)), '"'"','"'"'), any(rdata) FROM rearview.rrset GROUP BY key, rrname, rrtype ORDER BY key FORMAT TSV'
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
"$RV" clickhouse-schema --database rv_one | clickhouse-client --port "$tcp1" -n >"$T/apply" 2>&1 ||
	{ cat "$T/apply"; fail "the one-server schema does not apply"; }
curl -sS -m 30 --data-binary @"$T/rows.tsv" \
    "http://127.0.0.1:$http1/?query=INSERT%20INTO%20rv_one.rrset_ingest%20FORMAT%20TabSeparated" ||
	fail "insert into rv_one.rrset_ingest"
q 1 "${merged//rearview./rv_one.}" | cmp -s - "$T/want" || fail "the one-server schema merges differently"

for p in $CH_PIDS; do kill "$p"; wait "$p" 2>/dev/null; done
CH_PIDS=
ok "the schema applies on ClickHouse $ver, one server and two shards; rows land on their shard by registered domain and merge as rearview merges"
echo "PASS: clickhouse_schema"
