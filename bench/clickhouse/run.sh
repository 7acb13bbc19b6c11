#!/bin/bash
# bench/clickhouse/run.sh: rearviewd's ClickHouse sink (issue #22), not
# part of make check.
#
#   make -C <builddir>/bench bench-clickhouse      or
#   bench/clickhouse/run.sh [BUILDDIR]
#
# Env: OBS (10000000) observations, RRSETS (1000000) distinct RRsets,
#      SEED (1), ROUNDS (3) rounds of 1, 2, 2b, RUNS (15) runs per query,
#      KEEP=1.
# Two clickhouse-server 18.16 on loopback as the two shards of a cluster
# (the machine's own cores: ClickHouse competes with rearviewd for them,
# as it would not in a real cluster). In one run, side by side:
#  1. LMDB only: the stream replayed into a fresh rearviewd;
#  2. with the sink: the same stream into a fresh rearviewd with --sink to
#     the cluster; LMDB ingest rate against 1., then how long the cluster
#     took to have every delta (the journal empty): the sink's rate;
#  2b. the sink's own cost: the same stream with a sink whose ClickHouse
#     does not answer (a closed port), so the batches only go into the
#     journal: what rearviewd pays when ClickHouse runs on machines of its
#     own, not on the two cores the indexer has here;
#  3. query latency: the standard lookups (a name, *.domain, an address,
#     a /16, www.example.*, a summary) through the CLI, from the store of
#     2. and from the cluster it filled (--db clickhouse+http://...):
#     the median of RUNS runs each, whole process;
#  4. size: RRSETS A RRsets, with the sink: bytes per A RRset in LMDB
#     (pages in use) and in ClickHouse (compressed parts of every table,
#     after OPTIMIZE ... FINAL merged them), and ClickHouse's rrset table
#     alone.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-${RV_BUILDDIR:-$src/build}}
OBS=${OBS:-10000000}
RRSETS=${RRSETS:-1000000}
SEED=${SEED:-1}
RUNS=${RUNS:-15}
ROUNDS=${ROUNDS:-3}
GEN=$B/tools/rvgen
RVD=$B/indexer/rearviewd
DUMP=$B/tools/rv_dbdump
. "$src/bench/lib.sh"
bench_init ch "$GEN" "$RVD" "$DUMP" "$B/cli/rearview"
T=$W	# ch_lib.sh keeps the servers' data under $T
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$src/tests/e2e/port_lib.sh"
port() { rv_port; }
. "$src/tests/e2e/ch_lib.sh"
BENCH_CLEANUP='eval "$EXTRA_CLEANUP"'
cpu() {	# CPU seconds of a process, all threads
	awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$1/stat"
}
used() {
	mdb_stat -a "$1" | awk '/^Status of/ { db = $3 } /Leaf pages:/ { p += $3 }
		/Branch pages:/ { p += $3 } /Overflow pages:/ { p += $3 }
		END { print p * 4096 }'
}
chbytes() {	# compressed octets of the active parts of TABLE (all if empty), both shards
	local s=0 n i
	for i in 1 2; do
		n=$(ch_q "$i" "SELECT sum(data_compressed_bytes) FROM system.parts WHERE active AND database = 'rearview' ${1:+AND table = '$1'}")
		s=$((s + ${n:-0}))
	done
	echo "$s"
}
jwait() {	# jwait DB: wait until the cluster holds as many RRsets as DB
	# and then the sink's journal is empty (the batch with the last
	# RRsets is removed once all its tables' parts are in; it may not be
	# in the journal yet when the store has its rows); prints the
	# seconds waited
	local t0 d n
	t0=$(now)
	d=$(ls -d "$1"/sink-* 2>/dev/null | head -1)
	n=$("$DUMP" "$1" stats | awk '$1 == "rrsets" { print $2 }')
	until [ "$(ch_q 1 'SELECT count() FROM (SELECT key FROM rearview.rrset GROUP BY key)')" = "$n" ]; do
		sleep 0.2
	done
	while [ -n "$(find "$d" -maxdepth 1 -name "*.b" 2>/dev/null)" ]; do sleep 0.1; done
	echo "$(now) - $t0" | bc -l
}

# run NAME FRAMES TOTAL [rearviewd args]: replay FRAMES into a fresh
# rearviewd; SECS until TOTAL observations are in LMDB, DB, RVD_CPU.
run() {
	local name=$1 frames=$2 total=$3 t0
	shift 3
	DB=$T/$name.db
	rm -rf "$DB"
	"$RVD" -d "$DB" -l "ipc://$T/$name.sock" --mapsize 4096 "$@" \
		>"$T/$name.log" 2>&1 &
	RVD_PID=$!
	until grep -q 'ready:' "$T/$name.log" 2>/dev/null; do sleep 0.05; done
	t0=$(now)
	"$GEN" -q --replay "$frames" -c "ipc://$T/$name.sock"
	until [ "$(obs "$DB")" = "$total" ]; do sleep 0.05; done
	SECS=$(echo "$(now) - $t0" | bc -l)
	RVD_CPU=$(cpu "$RVD_PID")
}
stop() { kill -TERM "$RVD_PID"; wait "$RVD_PID"; RVD_PID=; }
ch_empty() {	# every table of both shards emptied
	local i t
	for i in 1 2; do
		for t in rrset neg rdata names asn regdom ip; do
			ch_q "$i" "TRUNCATE TABLE rearview.${t}_local" >/dev/null
		done
	done
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "== generating frames (not timed): $OBS observations over $RRSETS RRsets, seed $SEED"
"$GEN" -q -n "$OBS" -r "$RRSETS" -s "$SEED" -f "$T/stream.bin"
"$GEN" -q -n "$RRSETS" -r "$RRSETS" -s "$SEED" --only-a -f "$T/a.bin"
ch_start 1; ch_start 2
ch_schema 1 --cluster rv2; ch_schema 2 --cluster rv2
echo "  ClickHouse $(ch_q 1 'SELECT version()'), two shards on loopback"
SINK="clickhouse+http://127.0.0.1:$ch_http1/rearview"

# 1, 2 and 2b in ROUNDS rounds, one after the other in each, so that the
# machine's drifts fall on all three alike; the medians are the figures.
echo "== 1, 2, 2b: $OBS observations over $RRSETS RRsets, $ROUNDS rounds"
for r in $(seq "$ROUNDS"); do
	run lmdb "$T/stream.bin" "$OBS"
	L=$(echo "$OBS / $SECS" | bc); LC=$RVD_CPU
	stop
	ch_empty
	run sink "$T/stream.bin" "$OBS" --sink "$SINK"
	S=$(echo "$OBS / $SECS" | bc); SC=$RVD_CPU
	WAITED=$(jwait "$DB")
	TOT=$(echo "$SECS + $WAITED" | bc -l)
	stop	# the sender writes its figures (state) as it stops
	SENT=$(awk '$1 == "sent_rows" { print $2 }' "$DB"/sink-*/state)
	RRS=$(ch_q 1 'SELECT count() FROM (SELECT key FROM rearview.rrset GROUP BY key)')
	run away "$T/stream.bin" "$OBS" --sink "clickhouse+http://127.0.0.1:$(port)/rearview"
	A=$(echo "$OBS / $SECS" | bc); AC=$RVD_CPU
	J=$(du -sm "$DB"/sink-* | awk '{ print $1 }')
	stop
	echo "  round $r: 1. LMDB only $L obs/s (CPU $LC s);" \
		"2. with the sink $S obs/s = $(echo "scale=3; $S / $L" | bc) x (CPU $SC s)," \
		"the cluster had every delta $(printf %.1f "$WAITED") s after LMDB ($SENT rows, $RRS RRsets);" \
		"2b. ClickHouse elsewhere $A obs/s = $(echo "scale=3; $A / $L" | bc) x (CPU $AC s, journal $J MB)"
	echo "$(echo "scale=3; $S / $L" | bc)" >>"$T/ratio.sink"
	echo "$(echo "scale=3; $A / $L" | bc)" >>"$T/ratio.away"
	echo "$L" >>"$T/rate.lmdb"
	echo "$(echo "$SENT / $TOT" | bc)" >>"$T/rate.ch"
done
echo "  medians: LMDB only $(median <"$T/rate.lmdb") obs/s; with the sink $(median <"$T/ratio.sink") x;" \
	"ClickHouse elsewhere $(median <"$T/ratio.away") x; into the cluster $(median <"$T/rate.ch") rows/s"
DB=$T/sink.db
echo "== 3. query latency, median of $RUNS runs (ms, whole CLI process): store | ClickHouse"
RV=$B/cli/rearview
"$DUMP" "$DB" rrsets >"$T/all"
name=$(awk '$2 == "A" { print $1; exit }' "$T/all")
ip=$(awk '$2 == "A" { split($10, a, "|"); print a[1]; exit }' "$T/all")
dom=$(echo "$name" | awk -F. '{ print $(NF-2) "." $(NF-1) }')
net=$(echo "$ip" | awk -F. '{ print $1 "." $2 ".0.0/16" }')
fwd=$(echo "$name" | awk -F. '{ print $1 "." $2 ".*" }')
med() {	# med DB ARGS...: median wall ms of RUNS runs of rearview --db DB ARGS
	local db=$1 i t0; shift
	for i in $(seq "$RUNS"); do
		t0=$(date +%s%N)
		"$RV" --db "$db" "$@" -l 0 >/dev/null 2>&1
		echo $(( ($(date +%s%N) - t0) / 1000 ))
	done | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] / 1000 }'
}
for q in "lookup $name" "lookup *.$dom" "rdata ip $ip" "rdata ip $net" \
    "lookup $fwd" "summarize lookup *.$dom"; do
	# shellcheck disable=SC2086
	printf '  %-44s %8s | %8s   (%s rows)\n' "$q" "$(med "$DB" $q)" \
	    "$(med "$SINK" $q)" "$("$RV" --db "$DB" $q -l 0 -o json 2>/dev/null | wc -l)"
done

echo "== 4. size: $RRSETS A RRsets (1-3 addresses each), with the sink"
ch_empty
run a "$T/a.bin" "$RRSETS" --sink "$SINK"
jwait "$DB" >/dev/null
stop
for i in 1 2; do
	for t in rrset neg rdata names asn regdom ip; do
		ch_q "$i" "OPTIMIZE TABLE rearview.${t}_local FINAL" >/dev/null
	done
done
A=$("$DUMP" "$DB" stats | awk '$1 == "rrsets" { print $2 }')
LU=$(used "$DB")
CA=$(chbytes); CR=$(chbytes rrset_local)
echo "  LMDB: $((LU / A)) bytes per A RRset (pages in use, every index)"
echo "  ClickHouse: $((CA / A)) bytes per A RRset compressed (every table), rrset table alone $((CR / A))"
for t in rrset rdata names asn regdom ip; do
	echo "    ${t}_local $(( $(chbytes ${t}_local) / A )) bytes per A RRset"
done
echo "== load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
