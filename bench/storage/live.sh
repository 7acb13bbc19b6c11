#!/bin/sh
# Why the live tier's data.mdb outgrows its pages in use (issue #21), and
# what a smaller flush does to it. Not part of make check.
#
#   bench/storage/live.sh [BUILDDIR]     env: N (2000000) observations of
#                                        as many RRsets (rvgen -n N -r N),
#                                        FLUSH ("500000 50000": --flush-max
#                                        values, one fresh run each),
#                                        STEADY (0) days after each bulk
#                                        load, DAY (200000) new RRsets a
#                                        day sent at RATE (20000) a second,
#                                        COMPACT (1): compact online after
#                                        the load
#
# 1. The mechanism in plain LMDB (bench/storage/lmdb_reuse): 20 write
#    transactions of 100,000 random keys, without and then with a one-row
#    transaction after each (rv_store_release_freed): the baseline.
# 2. For each --flush-max: a fresh rearviewd (nng, MaxMind's test mmdb
# files), tools/rvgen sends N distinct RRsets (one observation each, the
# CLI benchmark's database), and `rearview stats` is read once a second:
# file octets, pages in use, pages on LMDB's free list. At the end: the
# file against its pages in use, and a compacted copy (mdb_copy -c).
# 3. With COMPACT=1: SIGUSR2 makes the same rearviewd compact data.mdb
# online while rvgen sends 100,000 more RRsets at 50,000/s; the time the
# flushes waited, the file against its pages in use after, and that every
# observation sent meanwhile was stored.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-${RV_BUILDDIR:-$src/build}}
N=${N:-2000000}
FLUSH=${FLUSH:-500000 50000}
STEADY=${STEADY:-0} DAY=${DAY:-200000} RATE=${RATE:-20000}
COMPACT=${COMPACT:-1}
MMDB=${MMDB:-$src/.deps/mmdb}
for b in "$B/tools/rvgen" "$B/indexer/rearviewd" "$B/cli/rearview" \
    "$B/bench/storage/lmdb_reuse"; do
	[ -x "$b" ] || { echo "missing $b: build first" >&2; exit 1; }
done
command -v mdb_copy >/dev/null || { echo "mdb_copy not found (lmdb-utils)" >&2; exit 1; }
W=$(mktemp -d /tmp/rv-storage-live.XXXXXX)
PID=
trap '[ -n "$PID" ] && kill -9 $PID 2>/dev/null; rm -rf "$W"' EXIT
stat_of() {	# DB: "file used free observations rrsets" from rearview stats
	"$B/cli/rearview" stats -d "$1" -o csv 2>/dev/null | awk -F, '
	    $1 == "file_bytes" { f = $2 } $1 == "used_bytes" { u = $2 }
	    $1 == "free_bytes" { r = $2 } $1 == "observations" { n = $2 }
	    $1 == "rrsets" { k = $2 }
	    END { printf "%.0f %.0f %.0f %.0f %.0f\n", f, u, r, n, k }'
}
mb() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
# steady DB: after the bulk load, STEADY "days" of new RRsets at a
# resolver fleet's pace, compressed: each day DAY new RRsets (another
# seed) at RATE a second with --flush-interval 100, so a flush carries
# RATE / 10 entries against the bulk's hundreds of thousands. Prints the
# file against its pages in use after each day.
steady() {
	local db=$1 day=1 t
	"$B/indexer/rearviewd" -d "$db" -l "ipc://$W/in.sock" --mapsize 16384 \
	    --flush-interval 100 -v >"$W/rvd-steady.log" 2>&1 &
	PID=$!
	until grep -q 'ready:' "$W/rvd-steady.log"; do sleep 0.1; done
	while [ "$day" -le "$STEADY" ]; do
		set -- $(stat_of "$db")
		t=$(($4 + DAY))
		"$B/tools/rvgen" -q -n "$DAY" -r "$DAY" -s $((day + 1)) \
		    --start $((1700000000 + day * 86400)) --rate "$RATE" \
		    --connect "ipc://$W/in.sock"
		while set -- $(stat_of "$db"); [ "$4" -lt "$t" ]; do sleep 0.5; done
		echo "  day $day (+$DAY new RRsets at $RATE/s): file $(mb "$1") MB, in use $(mb "$2") MB, free list $(mb "$3") MB, file / in use $(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }') x"
		day=$((day + 1))
	done
	kill "$PID"; wait "$PID" || true; PID=
}
echo "== plain LMDB, 20 transactions of 100,000 random keys"
"$B/bench/storage/lmdb_reuse" "$W/lmdb" 20 100000 > "$W/lmdb.out"
grep -E 'txn (1|5|10|20):' "$W/lmdb.out" | sed 's/^/  /'
rm -rf "$W/lmdb"
echo "== rearviewd, $N distinct RRsets"
for F in $FLUSH; do
	db=$W/db-$F
	"$B/indexer/rearviewd" -d "$db" -l "ipc://$W/in.sock" --mapsize 16384 \
	    --flush-max "$F" --compact-above 0 --asn-db "$MMDB/GeoLite2-ASN-Test.mmdb" \
	    --geo-db "$MMDB/GeoIP2-City-Test.mmdb" -v >"$W/rvd.log" 2>&1 &
	PID=$!
	until grep -q 'ready:' "$W/rvd.log"; do sleep 0.1; done
	t0=$(date +%s)
	"$B/tools/rvgen" -q -n "$N" -r "$N" --connect "ipc://$W/in.sock" &
	peak=0 peak_used=0
	while :; do
		set -- $(stat_of "$db")
		[ "$1" -gt "$peak" ] && { peak=$1; peak_used=$2; }
		[ "$4" -ge "$N" ] && break
		sleep 1
	done
	wait $!
	secs=$(( $(date +%s) - t0 ))
	set -- $(stat_of "$db")
	before="$*"
	if [ "$COMPACT" = 1 ]; then
		"$B/tools/rvgen" -q -n 100000 -r 100000 -s 7 --start 1700000000 \
		    --rate 50000 --connect "ipc://$W/in.sock" &
		g=$!
		kill -USR2 "$PID"
		until grep -q 'compact: data.mdb' "$W/rvd.log"; do sleep 0.2; done
		wait "$g"
		while set -- $(stat_of "$db"); [ "$4" -lt $((N + 100000)) ]; do sleep 0.5; done
		after="$*"
	fi
	kill "$PID"; wait "$PID" || true; PID=
	set -- $before
	flushes=$(grep -c 'flush [0-9]* committed' "$W/rvd.log" || true)
	mkdir -p "$W/compact"; mdb_copy -c "$db" "$W/compact" && csize=$(stat -c %s "$W/compact/data.mdb")
	rm -rf "$W/compact"
	R=$5
	echo "--flush-max $F: $N observations, $R RRsets in $secs s, $flushes flushes"
	echo "  file $(mb "$1") MB = $(($1 / R)) B/RRset; in use $(mb "$2") MB = $(($2 / R)) B/RRset; free list $(mb "$3") MB"
	echo "  file / in use = $(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }') x; compacted copy $(mb "$csize") MB = $((csize / R)) B/RRset"
	echo "  largest file while ingesting $(mb "$peak") MB (in use then $(mb "$peak_used") MB)"
	if [ "$COMPACT" = 1 ]; then
		set -- $after
		echo "  online compaction (SIGUSR2) while 100,000 more RRsets arrived at 50,000/s: $(grep -o 'compact: data.mdb.*' "$W/rvd.log")"
		echo "  after it and the 100,000: file $(mb "$1") MB, in use $(mb "$2") MB, file / in use $(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }') x; observations $4 of $((N + 100000)) sent"
	fi
	[ "$STEADY" -gt 0 ] && steady "$db"
	rm -rf "$db"
done
