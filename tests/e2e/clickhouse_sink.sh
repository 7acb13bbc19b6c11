#!/bin/bash
# rearviewd's ClickHouse sink (indexer/sink.c, sink_send.c) and the
# ClickHouse backend of the lookups (query/remote.c), on a real two-shard
# cluster of clickhouse-server 18.16 on loopback.
#  1. Faults: a stream of RRsets goes in while shard 2 is killed -9 and
#     restarted, and while the server rearviewd posts to is down across
#     a restart of rearviewd. Once the sink's journal is empty, ClickHouse
#     holds every RRset of the store with its first and last sighting,
#     TTL range, sensors and rdata, and no count below the store's (a
#     block whose answer a kill swallowed may go in twice: ClickHouse
#     delivers at least once); the other tables hold the store's rows.
#  2. The backend: a second rearviewd sinks a clean stream into another
#     database of the cluster; ClickHouse's rows are then the store's
#     exactly, and the CLI and `rearview serve --backend` answer the
#     standard lookups (DNSDB v2, CIRCL, native; names, wildcards, CIDR,
#     time fences, limits) from ClickHouse as from the store, and
#     attempts at SQL injection find what the store finds.
. "$(dirname "$0")/indexer_lib.sh"
. "$(dirname "$0")/ch_lib.sh"

ch_start 1; ch_start 2
ch_schema 1 --cluster rv2; ch_schema 2 --cluster rv2
SINK="clickhouse+http://127.0.0.1:$ch_http1/rearview"
JDIR=$T/db/sink-127_0_0_1_${ch_http1}_rearview
# Batches waiting in the sink's journal (find: the sender removes them
# while we look).
waiting() { find "$JDIR" -maxdepth 1 -name '*.b' 2>/dev/null | wc -l; }

# Bad sinks are refused at the start, with the reason, before the
# database is created (and in a config file, with its line).
for bad in "clickhouse+http://127.0.0.1:$ch_http1/" "clickhouse+http://h/x;DROP" "http://h/db"; do
	"$RVD" -d "$T/bad" -l "ipc://$T/bad.sock" --sink "$bad" >"$T/bad.log" 2>&1
	[ $? = 2 ] || fail "rearviewd took --sink '$bad' (or not as a usage error)"
	grep -q "^rearviewd: bad value for --sink: '.*': ..." "$T/bad.log" ||
		{ cat "$T/bad.log"; fail "no reason for --sink '$bad'"; }
	[ ! -e "$T/bad" ] || fail "--sink '$bad' refused after creating the database"
	printf 'db %s\nsink %s\n' "$T/bad" "$bad" >"$T/bad.conf"
	"$RVD" -c "$T/bad.conf" >"$T/bad.log" 2>&1
	[ $? = 2 ] && grep -q "bad.conf:2: bad value for 'sink'" "$T/bad.log" ||
		{ cat "$T/bad.log"; fail "the config file's 'sink $bad' taken"; }
done
ok "bad --sink URLs (option and config file) refused with the reason, no database created"

start_rvd -d "$T/db" -l "ipc://$T/in.sock" --flush-interval 100 \
    --archive-after 0 --sink "$SINK"
"$GEN" -q -n 40000 -r 8000 --span 3000000 --start 1600000000 \
    --per-frame 64 --rate 10000 --connect "ipc://$T/in.sock" &
GEN_PID=$!
sleep 1.5
ch_stop 2 KILL		# shard 2 gone mid-ingest: inserts fail, are retried
sleep 1
ch_start 2
wait_gen

# The server rearviewd posts to goes down; more arrives; rearviewd stops
# with batches in its journal and starts again.
ch_stop 1 KILL
"$GEN" -q -n 50000 -r 8000 --from 40000 --span 3000000 --start 1600000000 \
    --per-frame 64 --rate 10000 --connect "ipc://$T/in.sock" &
GEN_PID=$!
wait_gen
sleep 0.5
stop_rvd
[ "$(waiting)" -gt 0 ] || fail "no batches waiting in $JDIR while ClickHouse was down"
sinkstat() {	# sinkstat DB FIGURE: rearview stats' figure of the sink
	"$B/cli/rearview" stats --db "$1" -o csv |
	    awk -F, -v k="sink:127_0_0_1_${ch_http1}_rearview:$2" '$1 == k { print $2 }'
}
[ "$(sinkstat "$T/db" waiting_batches)" = "$(waiting)" ] ||
	fail "rearview stats says $(sinkstat "$T/db" waiting_batches) batches wait, the journal holds $(waiting)"
[ "$(sinkstat "$T/db" retries)" -gt 0 ] || fail "rearview stats counts no retries"
sinkstat "$T/db" last_error | grep -qi "connect" || fail "rearview stats: last error '$(sinkstat "$T/db" last_error)'"
ch_start 1
start_rvd -d "$T/db" -l "ipc://$T/in.sock" --flush-interval 100 \
    --archive-after 0 --sink "$SINK"
for _ in $(seq 1200); do
	[ "$(waiting)" = 0 ] && break
	kill -0 "$RVD_PID" 2>/dev/null || fail "rearviewd died while sending"
	sleep 0.1
done
[ "$(waiting)" = 0 ] || fail "the journal still holds $(waiting) batches after 120 s"
stop_rvd
[ "$(sinkstat "$T/db" waiting_batches)" = 0 ] && [ "$(sinkstat "$T/db" lag_s)" = 0 ] &&
    [ "$(sinkstat "$T/db" dropped_batches)" = 0 ] || fail "rearview stats: the sink still waits or dropped"
# The server rearviewd posts to has every row; the other shard's part
# may still be in its queue (ClickHouse's own, on disk).
n=$("$DUMP" "$T/db" rrsets | wc -l)
for _ in $(seq 600); do
	[ "$(ch_q 1 'SELECT count() FROM (SELECT key FROM rearview.rrset GROUP BY key)')" = "$n" ] && break
	sleep 0.1
done
[ "$(dbstat observations)" = 50000 ] || fail "the store has $(dbstat observations) observations, want 50000"

# Every RRset, as the store has it and as ClickHouse merged it.
sortsens='{ n = split($9, s, ","); for (i = 2; i <= n; i++) for (j = i; j > 1 && s[j-1] > s[j]; j--) { t = s[j]; s[j] = s[j-1]; s[j-1] = t }
	  $9 = s[1]; for (i = 2; i <= n; i++) $9 = $9 "," s[i]; $2 = ""; print }'
rrsets_of() {	# rrsets_of DIR DATABASE: the RRsets of the store, of ClickHouse,
	# as "owner zone count first last ttl_min ttl_max sensors rdata"
	"$DUMP" "$1" rrsets | awk "$sortsens" | sort >"$T/want"
	ch_q 1 "SELECT rrname, rrtype, bailiwick, sumMerge(count), minMerge(time_first), maxMerge(time_last), minMerge(ttl_min), maxMerge(ttl_max), arrayStringConcat(arraySort(groupUniqArrayArrayMerge(sensors)), ','), arrayStringConcat(any(rdata), '|') FROM $2.rrset GROUP BY key, rrname, rrtype, bailiwick FORMAT TSV" |
	    tr '\t' ' ' | awk '{ $2 = ""; print }' | sort >"$T/got"
	[ "$(wc -l <"$T/want")" -gt 1000 ] || fail "only $(wc -l <"$T/want") RRsets stored"
}
rrsets_of "$T/db" rearview
# Without the count, the same; the count never below the store's.
# (each line as "everything but the count<TAB>the count", sorted without it)
nocount() { awk '{ c = $3; $3 = ""; print $0 "\t" c }' "$1" | sort -t"$tab" -k1,1 >"$1.nc"; }
tab=$'\t'
nocount "$T/want"; nocount "$T/got"
cut -f1 "$T/want.nc" >"$T/want.rows"; cut -f1 "$T/got.nc" >"$T/got.rows"
cmp -s "$T/want.rows" "$T/got.rows" || { diff "$T/want.rows" "$T/got.rows" | head -20; fail "ClickHouse's RRsets differ from the store's ($(wc -l <"$T/want") in the store, $(wc -l <"$T/got") in ClickHouse)"; }
twice=$(paste "$T/want.nc" "$T/got.nc" | awk -F'\t' '{ if ($4 + 0 < $2 + 0) low++; else if ($4 + 0 > $2 + 0) hi++ }
	END { if (low) print "low"; else print hi + 0 }')
[ "$twice" != low ] || fail "a count in ClickHouse below the store's"
# Both shards hold some, each registered domain on one.
n1=$(ch_q 1 'SELECT count() FROM rearview.rrset_local'); n2=$(ch_q 2 'SELECT count() FROM rearview.rrset_local')
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] || fail "rows per shard: $n1 and $n2"
both=$(ch_q 1 "SELECT count() FROM (SELECT DISTINCT regdom FROM remote('127.0.0.1:$ch_tcp1', rearview.rrset_local)) WHERE regdom IN (SELECT DISTINCT regdom FROM remote('127.0.0.1:$ch_tcp2', rearview.rrset_local))")
[ "$both" = 0 ] || fail "$both registered domains on both shards"
# The other tables: as many rows as the store's.
for t in rdata names; do
	c=$(ch_q 1 "SELECT count() FROM (SELECT key FROM rearview.$t GROUP BY key)")
	s=$(mdb_stat -s "$t" "$T/db" | awk '$1 == "Entries:" { print $2 }')
	[ "$c" -gt 0 ] && [ "$c" = "$s" ] || fail "$t: $c rows in ClickHouse, $s in the store"
done
ok "$(wc -l <"$T/want") RRsets, shard 2 killed mid-ingest, the target down across a restart: ClickHouse holds every one as the store does ($twice with a delta taken twice)"

# 2. A clean stream into database rvb: ClickHouse's rows are the store's.
ch_schema 1 --cluster rv2 --database rvb; ch_schema 2 --cluster rv2 --database rvb
SINK="clickhouse+http://127.0.0.1:$ch_http1/rvb"
JDIR=$T/db2/sink-127_0_0_1_${ch_http1}_rvb
: >"$T/rvd.log"
# With MaxMind's test databases (when the build has them) the addresses
# are enriched, and the answers' enrichment comes from ClickHouse's ip
# table too.
mm=()
[ -n "$MMDB" ] && [ -f "$MMDB/GeoLite2-ASN-Test.mmdb" ] &&
	mm=(--asn-db "$MMDB/GeoLite2-ASN-Test.mmdb" --geo-db "$MMDB/GeoIP2-City-Test.mmdb")
start_rvd -d "$T/db2" -l "ipc://$T/in2.sock" --flush-interval 100 \
    --archive-after 0 --sink "$SINK" "${mm[@]}"
"$GEN" -q -n 40000 -r 8000 --span 3000000 --start 1600000000 -s 2 \
    --per-frame 64 --rate 20000 --connect "ipc://$T/in2.sock" &
GEN_PID=$!
wait_gen
for _ in $(seq 600); do
	[ "$(waiting)" = 0 ] && break
	sleep 0.1
done
stop_rvd
n=$("$DUMP" "$T/db2" rrsets | wc -l)
for _ in $(seq 600); do
	[ "$(ch_q 1 'SELECT count() FROM (SELECT key FROM rvb.rrset GROUP BY key)')" = "$n" ] && break
	sleep 0.1
done
rrsets_of "$T/db2" rvb
cmp -s "$T/want" "$T/got" || { diff "$T/want" "$T/got" | head -20; fail "rvb: ClickHouse's RRsets differ from the store's"; }

# The ClickHouse backend: the same lookups give the same answers, from
# the CLI and from `rearview serve`, as from the store.
RV=$B/cli/rearview
export REARVIEW_SERVE="$B/serve/rearview-serve"
same_answers "$SINK" "$T/db2"
SERVE_PIDS=
EXTRA_CLEANUP="$EXTRA_CLEANUP; for p in \$SERVE_PIDS; do kill -9 \$p 2>/dev/null; done"
serve() {	# serve PORT ARGS...: rearview serve on PORT, wait until it answers
	local p=$1; shift
	"$RV" serve --listen "127.0.0.1:$p" "$@" 2>>"$T/serve$p.log" &
	SERVE_PIDS="$SERVE_PIDS $!"
	for _ in $(seq 200); do
		curl -s -o /dev/null "http://127.0.0.1:$p/dnsdb/v2/ping" && return 0
		sleep 0.05
	done
	cat "$T/serve$p.log"; fail "rearview serve $* did not start"
}
pl=$(port 21); pc=$(port 22)
serve "$pl" --db "$T/db2"
serve "$pc" --backend "$SINK"
# Values from the data: a name with an A RRset, its address, its
# registered domain, a target name, a forward wildcard.
"$DUMP" "$T/db2" rrsets >"$T/all"
name=$(awk '$2 == "A" { print $1; exit }' "$T/all")
ip=$(awk '$2 == "A" { split($10, a, "|"); print a[1]; exit }' "$T/all")
dom=$(echo "$name" | awk -F. '{ print $(NF-2) "." $(NF-1) }')
tgt=$(awk '$2 == "NS" || $2 == "CNAME" { split($10, a, "|"); print a[1]; exit }' "$T/all")
fwd=$(echo "$name" | awk -F. '{ print $1 "." $2 }')
[ -n "$name" ] && [ -n "$ip" ] && [ -n "$tgt" ] || fail "no A or NS/CNAME RRsets to ask for"
net=$(echo "$ip" | awk -F. '{ print $1 "." $2 ".0.0,16" }')
n=0
for path in "/dnsdb/v2/lookup/rrset/name/$name?limit=0" \
    "/dnsdb/v2/lookup/rrset/name/*.$dom?limit=0" \
    "/dnsdb/v2/lookup/rrset/name/*.$dom/A?limit=0&time_first_after=1601000000&time_last_before=1602500000" \
    "/dnsdb/v2/lookup/rrset/name/$fwd.*?limit=0" \
    "/dnsdb/v2/lookup/rrset/name/*.com?limit=5&offset=3" \
    "/dnsdb/v2/lookup/rdata/ip/$ip?limit=0" \
    "/dnsdb/v2/lookup/rdata/ip/$net?limit=0" \
    "/dnsdb/v2/lookup/rdata/name/$tgt?limit=0" \
    "/dnsdb/v2/summarize/rrset/name/*.$dom" \
    "/dnsdb/v2/lookup/rrset/name/$name?sensor=sensor1" \
    "/pdns/query/$name" "/pdns/query/$ip" \
    "/api/v1/lookup/rrset/name/*.$dom?limit=0" \
    "/api/v1/lookup/rrset/name/*.com?limit=0" \
    "/api/v1/subdomains/$dom?limit=0" \
    "/dnsdb/v2/lookup/rrset/name/x'%20OR%201=1%20--.$dom?limit=0" \
    "/dnsdb/v2/lookup/rrset/name/$dom')%3B%20DROP%20TABLE%20rearview.rrset%3B--?limit=0" \
    "/dnsdb/v2/lookup/rdata/name/a%5C'b.$dom?limit=0"; do
	curl -s -m 60 -o "$T/l" -w '%{http_code}\n' "http://127.0.0.1:$pl$path" >"$T/lc"
	curl -s -m 60 -o "$T/c" -w '%{http_code}\n' "http://127.0.0.1:$pc$path" >"$T/cc"
	cmp -s "$T/lc" "$T/cc" && cmp -s "$T/l" "$T/c" ||
	    { diff "$T/l" "$T/c" | head -5; fail "$path: HTTP $(cat "$T/cc") from ClickHouse, $(cat "$T/lc") from the store, or other rows"; }
	[ "$(wc -c <"$T/l")" -gt 60 ] && n=$((n + 1))
done
[ "$n" -ge 12 ] || fail "only $n of the queries had rows to compare"
if [ ${#mm[@]} -gt 0 ]; then	# enrichment was compared: there was some
	curl -s "http://127.0.0.1:$pc/api/v1/lookup/rrset/name/*.com?limit=0" >"$T/c"
	grep -q '"asn":[1-9]' "$T/c" || fail "no enrichment from ClickHouse's ip table"
fi
# The tables survive the attempts at injection; reports need the store.
[ "$(ch_q 1 'SELECT count() FROM system.tables WHERE database = '"'rvb'"' AND name = '"'rrset'"'')" = 1 ] ||
	fail "rvb.rrset is gone"
code=$(curl -s -o "$T/x" -w '%{http_code}' "http://127.0.0.1:$pc/api/v1/stats")
[ "$code" = 501 ] && grep -q ClickHouse "$T/x" || fail "stats on the ClickHouse backend: HTTP $code $(cat "$T/x")"
"$RV" stats --db "$SINK" >"$T/x" 2>&1 && fail "rearview stats read a ClickHouse"
grep -q "ClickHouse answers lookups only" "$T/x" || fail "rearview stats --db URL: $(cat "$T/x")"
"$RV" lookup "$name" --db "clickhouse+http://127.0.0.1:$ch_http1/nosuchdb" >"$T/x" 2>&1 && fail "a database ClickHouse lacks answered"
grep -q "no table nosuchdb.rrset" "$T/x" || fail "no word on the missing tables: $(cat "$T/x")"
ok "the ClickHouse backend answers $n lookups (DNSDB v2, CIRCL, native; names, wildcards, CIDR, fences, limits) as the store does; injection attempts find nothing"
echo "PASS: clickhouse_sink"
