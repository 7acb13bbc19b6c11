#!/bin/bash
# bench/ingest/run.sh: the indexer benchmark (not part of make check).
#
#   make -C <builddir>/bench bench-ingest        or
#   bench/ingest/run.sh [BUILDDIR]
#
# Env: OBS (10000000) observations, RRSETS (1000000) distinct RRsets,
#      SEED (1), MMDB (mmdb dir, default <srcdir>/.deps/mmdb), KEEP=1.
# In one run, side by side:
#  1. baseline: lmdb_baseline puts the RRSETS distinct RRsets (same keys
#     and values as rearviewd, rrset + rdata + names rows) straight into
#     LMDB, 100k per transaction;
#  2. unique inserts: RRSETS observations of RRSETS distinct RRsets
#     replayed over nng ipc:// into rearviewd;
#  3. the full stream: OBS observations over RRSETS distinct RRsets;
#  4. size: RRSETS A-only RRsets, bytes on disk per A RRset; and the same
#     rows copied in key order with MDB_APPEND (lmdb_packed): every page
#     full, the floor of this layout in LMDB.
# Frames are generated into files first (rvgen --file), so the sender only
# replays them. Rates count from the first frame sent until rearviewd's
# stat:observations reaches the total (read through lib/ by rv_dbdump).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-${RV_BUILDDIR:-$src/build}}
OBS=${OBS:-10000000}
RRSETS=${RRSETS:-1000000}
SEED=${SEED:-1}
GEN=$B/tools/rvgen
BASE=$B/bench/ingest/lmdb_baseline
PACK=$B/bench/ingest/lmdb_packed
RVD=$B/indexer/rearviewd
DUMP=$B/tools/rv_dbdump
. "$src/bench/lib.sh"
bench_init idx "$GEN" "$BASE" "$PACK" "$RVD" "$DUMP"

kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# run_rvd NAME FRAMES TOTAL: replay FRAMES into a fresh rearviewd; sets
# SECS, PEAK_RSS_KB (VmHWM), PEAK_ANON_KB (max RssAnon sampled), DB.
run_rvd() {
	local name=$1 frames=$2 total=$3 t0 t1 a
	DB=$W/$name.db
	"$RVD" -d "$DB" -l "ipc://$W/$name.sock" --mapsize 4096 "${mm[@]}" \
		>"$W/$name.log" 2>&1 &
	RVD_PID=$!
	until grep -q 'ready:' "$W/$name.log" 2>/dev/null; do sleep 0.05; done
	PEAK_ANON_KB=0
	t0=$(now)
	"$GEN" -q --replay "$frames" -c "ipc://$W/$name.sock" &
	local gpid=$!
	while :; do
		a=$(kb "$RVD_PID" RssAnon)
		[ "$a" -gt "$PEAK_ANON_KB" ] && PEAK_ANON_KB=$a
		[ "$(obs "$DB")" = "$total" ] && break
		sleep 0.05
	done
	t1=$(now)
	PEAK_RSS_KB=$(kb "$RVD_PID" VmHWM)
	# CPU seconds per thread: on a shared machine wall time lies.
	CPU=$(for t in /proc/"$RVD_PID"/task/*; do
		awk '{ printf "%s %.2f\n", $2, ($14 + $15) / 100 }' "$t/stat"; done |
		awk '{ c[$1] += $2; if ($1 == "(rearviewd)") { n++; r[n] = $2 } }
		END { printf "threads: main+flusher+receiver %.2f s (%s), nng %.2f s",
			c["(rearviewd)"], r[2] " flusher, " r[n] " receiver",
			c["(nng:task)"] + c["(nng:poll:epoll)"] }')
	wait "$gpid"
	kill -TERM "$RVD_PID"
	wait "$RVD_PID"
	RVD_PID=
	SECS=$(echo "$t1 - $t0" | bc -l)
}

# bytes DB: octets of the data file actually allocated on disk (it also
# holds pages freed by copy-on-write that LMDB reuses).
bytes() { du -B1 "$1/data.mdb" | awk '{print $1}'; }
# used DB: octets in pages the databases use (mdb_stat), and a breakdown.
used() {
	mdb_stat -a "$1" | awk '/^Status of/ { db = $3 } /Entries:/ { e[db] = $2 }
		/Leaf pages:/ { p[db] += $3 } /Branch pages:/ { p[db] += $3 }
		/Overflow pages:/ { p[db] += $3 }
		END { for (d in e) { t += p[d] * 4096 }; print t }'
}
breakdown() {
	mdb_stat -a "$1" | awk -v n="$2" '/^Status of/ { db = $3 } /Entries:/ { e[db] = $2 }
		/Leaf pages:/ { p[db] += $3 } /Branch pages:/ { p[db] += $3 }
		/Overflow pages:/ { p[db] += $3 }
		END { for (d in e) if (d != "Main" && d != "meta" && e[d] > 0)
			printf "    %-6s %9d entries %8d pages %6.1f bytes per RRset\n", d, e[d], p[d], p[d] * 4096 / n }'
}
stat_of() { "$DUMP" "$1" stats | awk -v k="$2" '$1 == k { print $2 }'; }

echo "== generating frames (not timed): $OBS observations over $RRSETS RRsets, seed $SEED"
"$GEN" -q -n "$OBS" -r "$RRSETS" -s "$SEED" -f "$W/stream.bin"
"$GEN" -q -n "$RRSETS" -r "$RRSETS" -s "$SEED" -f "$W/unique.bin"
"$GEN" -q -n "$RRSETS" -r "$RRSETS" -s "$SEED" --only-a -f "$W/a.bin"
ls -l "$W"/*.bin | awk '{ printf "  %s %d MB\n", $NF, $5 / 1e6 }'

echo "== 1. baseline: $RRSETS distinct RRsets straight into LMDB"
BL=$("$BASE" "$W/base.db" "$RRSETS" "$SEED")
echo "  $BL"
BL_RATE=$(echo "$BL" | awk '{ print $(NF-1) }')

echo "== 2. rearviewd, unique inserts: $RRSETS observations of $RRSETS RRsets"
run_rvd unique "$W/unique.bin" "$RRSETS"
U_RATE=$(echo "$RRSETS / $SECS" | bc)
U_RRSETS=$(stat_of "$DB" rrsets)
echo "  CPU $CPU"
echo "  $U_RRSETS RRsets stored in $SECS s = $U_RATE observations/s" \
	"(ratio to baseline $(echo "scale=2; $U_RATE / $BL_RATE" | bc))"

echo "== 3. rearviewd, the stream: $OBS observations over $RRSETS RRsets"
run_rvd stream "$W/stream.bin" "$OBS"
S_RATE=$(echo "$OBS / $SECS" | bc)
S_RRSETS=$(stat_of "$DB" rrsets)
S_BYTES=$(bytes "$DB")
echo "  $OBS observations in $SECS s = $S_RATE observations/s"
echo "  CPU $CPU"
echo "  peak RSS $((PEAK_RSS_KB / 1024)) MiB (VmHWM, incl. touched LMDB pages)," \
	"peak anonymous $((PEAK_ANON_KB / 1024)) MiB (without the map)"
S_USED=$(used "$DB")
echo "  $S_RRSETS RRsets: data file $S_BYTES bytes = $((S_BYTES / S_RRSETS)) bytes per RRset;" \
	"pages in use $S_USED bytes = $((S_USED / S_RRSETS)) bytes per RRset (all indexes)"
breakdown "$DB" "$S_RRSETS"

echo "== 4. size: $RRSETS A RRsets (1-3 addresses each)"
run_rvd a "$W/a.bin" "$RRSETS"
A_RRSETS=$(stat_of "$DB" rrsets)
A_BYTES=$(bytes "$DB")
A_USED=$(used "$DB")
echo "  $A_RRSETS A RRsets: data file $A_BYTES bytes = $((A_BYTES / A_RRSETS)) bytes per A RRset;" \
	"pages in use $((A_USED / A_RRSETS)) bytes per A RRset (rrset + rdata + names + ip + asn)"
breakdown "$DB" "$A_RRSETS"
mkdir "$W/packed"
"$PACK" "$DB" "$W/packed" >/dev/null
P_USED=$(used "$W/packed")
echo "  the same rows packed (MDB_APPEND in key order, every page full):" \
	"$((P_USED / A_RRSETS)) bytes per A RRset"
breakdown "$W/packed" "$A_RRSETS"
echo "== load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
