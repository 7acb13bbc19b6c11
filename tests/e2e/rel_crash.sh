#!/bin/bash
# rel_crash.sh: kill -9 rearviewd at random moments
# during heavy ingest, ROUNDS times in a row (RV_CRASH_ROUNDS, default 20)
# on the same database. The stronger version of indexer_crash.sh (one
# kill): after every kill
#  - mdb_stat -a is clean, and `rearview stats` agrees with the B-trees:
#    its rrsets and ips counters equal the row counts (rows:rrset, rows:ip);
#  - every RRset whose flush was logged as committed before the kill is
#    there, and what is stored is exactly a prefix n0..n<S-1> of the
#    sequential stream (no hole, no torn flush, no stray row): at most the
#    flushes not yet committed are lost; the ends of the prefix are checked
#    every round through the CLI;
#  - every RV_CRASH_FULL_EVERY rounds (5) and after the last: full scans,
#    mdb_dump -a reads every page of every database (a torn page would
#    fail the walk), rv_dbdump decodes every RRset (count == stats) and
#    finds every one of n0..n<S-1>, and `rearview check` finds the
#    database sound (rows, counters and pages agree);
#  - the next round resumes the stream at n<S> on the same database.
# The random moments come from $RANDOM seeded by RV_CRASH_SEED (printed).
. "$(dirname "$0")/indexer_lib.sh"
CLI=$B/cli/rearview
[ -x "$CLI" ] || { echo "SKIP: $CLI not built"; exit 77; }
for c in mdb_stat mdb_dump; do
	command -v $c >/dev/null || { echo "SKIP: $c missing (lmdb-utils)"; exit 77; }
done
ROUNDS=${RV_CRASH_ROUNDS:-20}
FMAX=${RV_CRASH_FLUSH_MAX:-5000}	# RRsets per flush (bench: 200000)
FULL=${RV_CRASH_FULL_EVERY:-5}		# full scans every FULL rounds
scans=0
SEED=${RV_CRASH_SEED:-$$}
RANDOM=$SEED
PER=100
URL=ipc://$T/in.sock
jnum() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$T/stats.json"; }
S=0		# RRsets stored so far: n0..n<S-1>
kills=0 committed_total=0
echo "seed $SEED, $ROUNDS rounds, flushes of up to $FMAX RRsets"
for r in $(seq "$ROUNDS"); do
	: >"$T/rvd.log"
	start_rvd -d "$T/db" -l "$URL" --flush-interval 50 --flush-max "$FMAX" -v
	"$GEN" -q --seq --from "$S" -n $((S + 5000000)) -r $((S + 5000000)) \
		--per-frame $PER -c "$URL" 2>/dev/null &
	GEN_PID=$!
	# A random moment: after 0, 1 or 2 committed flushes, then 0..149 ms
	# (inside the next flush's aggregation, write or commit).
	k=$((RANDOM % 3)) ms=$((RANDOM % 150))
	for _ in $(seq 200); do
		[ "$(grep -c committed "$T/rvd.log")" -ge $k ] && break
		sleep 0.05
	done
	sleep "$(printf '0.%03d' $ms)"
	kill -9 "$RVD_PID"
	wait "$RVD_PID" 2>/dev/null
	RVD_PID=
	kills=$((kills + 1))
	kill "$GEN_PID" 2>/dev/null
	wait "$GEN_PID" 2>/dev/null
	GEN_PID=
	logged=$(grep -o 'frames through #[0-9]*' "$T/rvd.log" | tail -1 | sed 's/.*#//')
	logged=${logged:-0}
	received=$(grep -c 'committed' "$T/rvd.log")

	mdb_stat -a "$T/db" >"$T/stat.txt" 2>&1 || fail "round $r: mdb_stat: $(tail -3 "$T/stat.txt")"
	"$CLI" stats -d "$T/db" -o json >"$T/stats.json" || fail "round $r: rearview stats"
	rr=$(jnum rrsets) rows=$(jnum 'rows:rrset') ips=$(jnum ips) iprows=$(jnum 'rows:ip')
	[ "$rr" = "$rows" ] || fail "round $r: stats rrsets $rr, rrset rows $rows"
	[ "$ips" = "$iprows" ] || fail "round $r: stats ips $ips, ip rows $iprows"
	want=$((S + logged * PER))
	[ "$rr" -ge "$want" ] || fail "round $r: $rr RRsets stored, $want committed before the kill"
	[ $((rr % PER)) = 0 ] || fail "round $r: $rr RRsets: a torn frame"
	# The ends of the prefix, by the CLI: the last one there, none after.
	if [ "$rr" -gt 0 ]; then
		"$CLI" lookup -d "$T/db" "n$((rr - 1)).seq.test" >/dev/null ||
			fail "round $r: n$((rr - 1)).seq.test missing"
	fi
	"$CLI" lookup -d "$T/db" "n$rr.seq.test" >/dev/null
	[ $? = 1 ] || fail "round $r: n$rr.seq.test stored beyond the prefix"
	# Full scans every FULL rounds and at the end (they grow with the db).
	if [ $((r % FULL)) = 0 ] || [ "$r" = "$ROUNDS" ]; then
		mdb_dump -a "$T/db" >/dev/null 2>"$T/dump.err" ||
			fail "round $r: mdb_dump -a: $(cat "$T/dump.err")"
		scan=$("$DUMP" "$T/db" rrsets | grep -c ' A seq\.test\. ')
		[ "$scan" = "$rr" ] || fail "round $r: stats rrsets $rr, full scan $scan"
		missing=$("$DUMP" "$T/db" seqcheck "$rr") ||
			fail "round $r: stored set is not the prefix n0..n$((rr - 1)): $missing missing"
		# rearview check: every tree, row, counter and page agrees.
		"$CLI" check -d "$T/db" >"$T/check.out" 2>&1 ||
			fail "round $r: rearview check: $(grep -E '^problem|^result|^rearview' "$T/check.out" | head -5)"
		scans=$((scans + 1))
	fi
	scan=$rr
	committed_total=$((committed_total + scan - S))
	echo "round $r: $((scan - S)) RRsets kept ($received flushes; logged through frame #$logged), total $scan"
	S=$scan
done
ok "$kills kill -9 during ingest: mdb_stat clean and stats == rows every time; $scans full scans (mdb_dump -a, rv_dbdump, rearview check) agree; every committed RRset there; stored set a gapless prefix ($S RRsets)"

# After all that, a clean start, more data, SIGTERM: everything there.
: >"$T/rvd.log"
start_rvd -d "$T/db" -l "$URL" --flush-interval 50
"$GEN" -q --seq --from "$S" -n $((S + 1000)) -r $((S + 1000)) --per-frame $PER -c "$URL" ||
	fail "rvgen after the kills"
stop_rvd
"$DUMP" "$T/db" seqcheck $((S + 1000)) >/dev/null || fail "data after the last restart"
mdb_stat -a "$T/db" >/dev/null || fail "mdb_stat at the end"
ok "restart after $kills kills: ingests and exits cleanly"
echo PASS
