#!/bin/sh
# The archive tier's benchmark (not part of make check). From the build
# directory:   make -C bench bench-archive   or   sh ../bench/storage/archive.sh [N [DIR]]
# 1. live: tools/rvgen's A-only stream (N distinct RRsets, one to three
#    addresses each, two on average; N = 10,000,000 by default) spread over
#    60 days, through the real rearviewd with MaxMind's test mmdb files.
# 2. half: a copy with the older 30 days archived (rearview archive);
#    all: a copy with everything archived. Time, rows/s, peak memory, and
#    the octets of each tier per RRset.
# 3. Whole-process query times (perf stat) on live, half and all,
#    alternating: exact lookup, *.domain, a /24, an ASN.
# 4. Ingest: M more observations into copies of live, by a rearviewd that
#    does not archive and by one that archives the older half meanwhile.
# Results go to stdout as Markdown (bench/storage/RESULTS.md keeps them).
set -e
n=${1:-10000000}
dir=${2:-/tmp/rv-bench-archive-$n}
m=${M:-2000000}
b=$(pwd)
[ -x "$b/cli/rearview" ] || { echo "run from the build directory" >&2; exit 2; }
src=$(cd "$(dirname "$0")/../.." && pwd)
mm=${MMDB:-$src/.deps/mmdb}
rv=$b/cli/rearview
rvd=$b/indexer/rearviewd
start=1700000000 span=5184000
mkdir -p "$dir"

stat_of() { "$rv" stats --db "$1" -o csv | awk -F, -v k="$2" '$1 == k { print $2 }'; }
# feed DB COUNT RVGEN-ARGS...: a rearviewd on DB (the rest of its args in
# $RVD_ARGS) and rvgen; prints the seconds until DB counts COUNT
# observations more than before.
feed() {
	db=$1 want=$2; shift 2
	base=$(stat_of "$db" observations 2>/dev/null || echo 0)
	# shellcheck disable=SC2086
	"$rvd" -d "$db" -l "ipc://$dir/in.sock" --mapsize 16384 \
		--asn-db "$mm/GeoLite2-ASN-Test.mmdb" \
		--geo-db "$mm/GeoIP2-City-Test.mmdb" $RVD_ARGS >"$dir/rvd.log" 2>&1 &
	pid=$!
	until grep -q 'ready:' "$dir/rvd.log"; do sleep 0.1; done
	[ -n "$ON_READY" ] && eval "$ON_READY"
	t0=$(date +%s.%N)
	"$b/tools/rvgen" -q "$@" --connect "ipc://$dir/in.sock"
	until [ "$(stat_of "$db" observations)" -ge $((base + want)) ]; do
		sleep 0.2
	done
	t1=$(date +%s.%N)
	kill $pid; wait $pid || true
	echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }'
}

if [ ! -f "$dir/live/data.mdb" ]; then
	RVD_ARGS="--archive-after 0" ON_READY= s=$(feed "$dir/live" "$n" -n "$n" -r "$n" \
	    --only-a --start $start --span $span)
	echo "ingest of $n A RRsets: $s s"
fi
rrsets=$(stat_of "$dir/live" rrsets)
fb=$(stat_of "$dir/live" file_bytes) ub=$(stat_of "$dir/live" used_bytes)
echo
echo "## $n A RRsets (rvgen --only-a, one to three addresses, 60 days)"
echo
echo "| tier | octets | per RRset |"
echo "|---|---|---|"
echo "| live data.mdb file, never archived | $fb | $((fb / rrsets)) |"
echo "| live pages in use, never archived | $ub | $((ub / rrsets)) |"

# archive DB AGE-ARGS...: run rearview archive, print "s rows rss_kb"
archive() {
	db=$1; shift
	/usr/bin/time -f "%e %M" -o "$dir/time" "$rv" archive --db "$db" "$@" \
	    -o json >"$dir/ar.json"
	rows=$(sed 's/.*"rows":\([0-9]*\).*/\1/' "$dir/ar.json")
	echo "$(cut -d' ' -f1 "$dir/time") $rows $(cut -d' ' -f2 "$dir/time")"
}
now=$(date +%s)
mid=$((now - (start + span / 2)))
for t in half all; do
	if [ ! -d "$dir/$t/archive" ]; then
		rm -rf "$dir/$t"
		cp -a "$dir/live" "$dir/$t"
		if [ $t = half ]; then
			r=$(archive "$dir/$t" --older-than "${mid}s" --no-merge)
		else
			r=$(archive "$dir/$t" --older-than 1s --no-merge)
		fi
		echo "$r" >"$dir/$t.archive"
	fi
done
for t in half all; do
	set -- $(cat "$dir/$t.archive")
	sb=$(stat_of "$dir/$t" segments_bytes) sr=$(stat_of "$dir/$t" segments_rrsets)
	ub=$(stat_of "$dir/$t" used_bytes)
	echo "| $t: segments ($sr RRsets; with their rdata, names and asn rows) | $sb | $((sb / sr)) |"
	echo "| $t: live pages in use after archiving | $ub | $((ub / rrsets)) |"
	# the live file after a compacting backup: what a restore would hold
	rm -rf "$dir/$t.bk"
	"$rv" backup --db "$dir/$t" "$dir/$t.bk" >/dev/null
	cb=$(stat -c %s "$dir/$t.bk/data.mdb")
	echo "| $t: live data.mdb compacted + segments | $((cb + sb)) | $(((cb + sb) / rrsets)) |"
	rm -rf "$dir/$t.bk"
	arch="$arch| $t | $2 | $1 | $(echo "$2 $1" | awk '{ printf "%.0f", $1 / $2 }') | $(($3 / 1024)) |
"
done
echo
echo "| rearview archive | rows moved | seconds | rows/s | peak RSS MiB |"
echo "|---|---|---|---|---|"
printf '%s' "$arch"

# Queries: values from the data.
name=$("$rv" --db "$dir/live" lookup '*.com' -o csv -l 5000 -s name | tail -1 | cut -d, -f4)
dom=$(echo "$name" | awk -F. '{ print $(NF-2) "." $(NF-1) }')
ip=$("$rv" --db "$dir/live" lookup "$name" -o csv | sed -n 2p | cut -d, -f8)
n24=$(echo "$ip" | awk -F. '{ print $1 "." $2 "." $3 ".0/24" }')
asn=$("$rv" --db "$dir/live" rdata ip 0.0.0.0/0 -o csv -l 300000 -s data |
    awk -F, 'NR > 1 && $9 != "" { print $9 }' | sort | uniq -c | sort -n |
    awk '$1 >= 20 { a = $2 } END { print a }')
ms() {
	perf stat -r "${R:-10}" -- "$@" 2>&1 >/dev/null | awk '
		/seconds time elapsed/ { printf "%.2f", $1 * 1000 }'
}
row() {	# label, rearview args...
	label=$1; shift
	best_l=999999 best_h=999999 best_a=999999
	for k in 1 2 3; do	# live half all, three times: the best mean of each
		x=$(ms "$rv" "$@" --db "$dir/live" -o json -l 0)
		y=$(ms "$rv" "$@" --db "$dir/half" -o json -l 0)
		z=$(ms "$rv" "$@" --db "$dir/all" -o json -l 0)
		best_l=$(printf '%s\n%s\n' "$best_l" "$x" | sort -n | head -1)
		best_h=$(printf '%s\n%s\n' "$best_h" "$y" | sort -n | head -1)
		best_a=$(printf '%s\n%s\n' "$best_a" "$z" | sort -n | head -1)
	done
	r=$("$rv" "$@" --db "$dir/live" -o csv -l 0 | wc -l)
	rh=$("$rv" "$@" --db "$dir/half" -o csv -l 0 | wc -l)
	[ "$r" = "$rh" ] || echo "WARNING: $label: $r rows live, $rh half"
	echo "| $label | $((r - 1)) | $best_l | $best_h ($(echo "$best_h $best_l" | awk '{ printf "%.2fx", $1 / $2 }')) | $best_a ($(echo "$best_a $best_l" | awk '{ printf "%.2fx", $1 / $2 }')) |"
}
echo
f=$(ms /bin/true)
echo "process floor (/bin/true): $f ms"
echo
echo "| query | rows | live ms | half in segments ms | all in segments ms |"
echo "|---|---|---|---|---|"
row "exact lookup ($name)" lookup "$name"
row "*.$dom" lookup "*.$dom"
row "rdata ip $n24" rdata ip "$n24"
[ -n "$asn" ] && R=3 row "asn $asn" asn "$asn"

# Ingest with and without archiving.
echo
echo "| $m more observations into a copy of live | seconds | observations/s |"
echo "|---|---|---|"
for mode in plain archiving; do
	rm -rf "$dir/ing"
	cp -a "$dir/live" "$dir/ing"
	if [ $mode = plain ]; then
		RVD_ARGS="--archive-after 0" ON_READY=
	else
		RVD_ARGS="--archive-after ${mid}s --archive-every 1h"
		ON_READY='kill -USR1 $pid'
	fi
	s=$(feed "$dir/ing" "$m" -n "$m" -r "$n" --only-a -s 7 \
	    --start $((start + span)) --span 86400)
	[ $mode = archiving ] && grep 'archive: ' "$dir/rvd.log" | tail -1 >"$dir/ing.log"
	echo "| rearviewd, $mode | $s | $(echo "$m $s" | awk '{ printf "%.0f", $1 / $2 }') |"
done
echo
echo "archiving during that run: $(sed 's/.*archive: //' "$dir/ing.log")"
rm -rf "$dir/ing"
