#!/bin/sh
# The CLI benchmark (not part of make check). From the build directory:
#   make -C bench bench-cli          or   sh ../bench/cli/run.sh [N [DIR]]
# 1. Database: tools/rvgen's stream (N distinct RRsets, one observation
#    each; N = 10,000,000 by default) sent by rvgen over nng into the real
#    rearviewd with MaxMind's test mmdb files, plus 1,000 names under
#    big.bench. imported as COF (for the *.domain query). Kept in DIR and
#    reused by later runs.
# 2. SQLite: the same RRsets copied into one table with indexes (cli/load).
# 3. Whole-process wall time (perf stat -r, fork+exec+exit) of rearview and
#    the sqlite3 shell on the same questions, alternating A B A B; and the
#    streaming scan rate to /dev/null.
set -e
n=${1:-10000000}
dir=${2:-/tmp/rv-bench-cli-$n}
b=$(pwd)
[ -x "$b/cli/rearview" ] || { echo "run from the build directory" >&2; exit 2; }
src=$(cd "$(dirname "$0")/../.." && pwd)
mm=${MMDB:-$src/.deps/mmdb}
rv=$b/cli/rearview
mkdir -p "$dir"
if [ ! -f "$dir/db/data.mdb" ]; then
	"$b/indexer/rearviewd" -d "$dir/db" -l "ipc://$dir/ingest.sock" \
		--mapsize 16384 --asn-db "$mm/GeoLite2-ASN-Test.mmdb" \
		--geo-db "$mm/GeoIP2-City-Test.mmdb" >"$dir/rvd.log" 2>&1 &
	pid=$!
	trap 'kill $pid 2>/dev/null' EXIT INT TERM
	until grep -q 'ready:' "$dir/rvd.log"; do sleep 0.1; done
	t0=$(date +%s)
	"$b/tools/rvgen" -q -n "$n" -r "$n" --connect "ipc://$dir/ingest.sock"
	until [ "$("$rv" stats --db "$dir/db" -o csv |
	    awk -F, '$1 == "observations" { print $2 }')" -ge "$n" ]; do
		sleep 1
	done
	echo "ingest: $n RRsets in $(( $(date +%s) - t0 )) s"
	kill $pid; wait $pid || true
	trap - EXIT INT TERM
	i=0
	while [ $i -lt 1000 ]; do
		printf '{"rrname":"h%d.big.bench.","rrtype":"A","rdata":["198.18.%d.%d"],"time_first":%d,"time_last":1700005000,"count":1,"bailiwick":"big.bench.","sensor_id":"bench"}\n' \
			$i $((i / 256)) $((i % 256)) $((1700000000 + i))
		i=$((i + 1))
	done >"$dir/big.json"
	"$b/indexer/rearviewd" -d "$dir/db" --import "$dir/big.json" --no-progress
fi
if [ ! -f "$dir/sq.db" ]; then
	/usr/bin/time -f "sqlite load: %e s" "$b/bench/cli/load" "$dir/db" "$dir/sq.db"
fi
echo "rearview: $(du -sh "$dir/db" | cut -f1), sqlite: $(du -sh "$dir/sq.db" | cut -f1)"

db=$dir/db sq=$dir/sq.db
# Query values: a name with an A record, its /24 and /16, its ASN.
name=$(sqlite3 "$sq" "SELECT owner FROM rr WHERE type=1 AND ip IS NOT NULL AND owner NOT LIKE '%big.bench.' LIMIT 1 OFFSET 5000")
ipn=$(sqlite3 "$sq" "SELECT ip FROM rr WHERE owner='$name' AND ip IS NOT NULL LIMIT 1")
dq() { echo "$(($1 >> 24)).$(($1 >> 16 & 255)).$(($1 >> 8 & 255)).$(($1 & 255))"; }
n24=$((ipn & ~255)) n16=$((ipn & ~65535))
# the smallest AS with 100+ addresses (MaxMind's test data has two)
asn=$(sqlite3 "$sq" "SELECT asn FROM asn WHERE asn > 0 GROUP BY asn HAVING count(*) >= 100 ORDER BY count(*) LIMIT 1")
cols="owner,type,first,last,count,rdata"

# Mean wall time and CPU time (task-clock) in ms of R runs: "wall cpu".
ms() {
	perf stat -r "${R:-10}" -- "$@" 2>&1 >/dev/null | awk '
		/task-clock/ { c = $1 }
		/seconds time elapsed/ { printf "%.2f %.2f", $1 * 1000, c }'
}
rows() { "$@" 2>/dev/null | wc -l; }
row() {	# label, sql, rearview args...
	label=$1 sql=$2; shift 2
	a="999999 0" b="999999 0"
	for k in 1 2 3; do	# A B A B A B: the best of three means each
		x=$(ms "$rv" "$@" --db "$db" -o json -l 0)
		y=$(ms sqlite3 "$sq" "$sql")
		a=$(printf '%s\n%s\n' "$a" "$x" | sort -n | head -1)
		b=$(printf '%s\n%s\n' "$b" "$y" | sort -n | head -1)
	done
	ra=$(rows "$rv" "$@" --db "$db" -o csv -l 0) rb=$(rows sqlite3 "$sq" "$sql")
	echo "| $label | $((ra - 1)) / $rb | ${a% *} (${a#* }) | ${b% *} (${b#* }) | $(echo "${b% *} ${a% *}" | awk '{ printf "%.1fx", $1 / $2 }') |"
}
echo
f=$(ms /bin/true)
echo "process floor on this machine now (/bin/true): ${f% *} ms wall (${f#* } cpu)"
echo
echo "| query | rows, rearview / sqlite | rearview ms wall (cpu) | sqlite3 ms wall (cpu) | sqlite / rearview (wall) |"
echo "|---|---|---|---|---|"
row "exact lookup ($name)" "SELECT $cols FROM rr WHERE owner='$name' ORDER BY first DESC" lookup "$name"
row "*.big.bench (1,000 names)" "SELECT $cols FROM rr WHERE rev >= '.hcneb.gib.' AND rev < '.hcneb.gib/' ORDER BY first DESC" lookup '*.big.bench'
row "CIDR /24 ($(dq $n24)/24)" "SELECT $cols FROM rr WHERE ip BETWEEN $n24 AND $((n24 + 255)) ORDER BY first DESC" rdata ip "$(dq $n24)/24"
row "CIDR /16 ($(dq $n16)/16)" "SELECT $cols FROM rr WHERE ip BETWEEN $n16 AND $((n16 + 65535)) ORDER BY first DESC" rdata ip "$(dq $n16)/16"
R=3
row "ASN $asn" "SELECT $cols FROM rr WHERE ip IN (SELECT ip FROM asn WHERE asn = $asn) ORDER BY first DESC" asn "$asn"
echo
# Best wall and CPU time in seconds of three single runs: "wall cpu".
best3() {
	for k in 1 2 3; do R=1 ms "$@"; echo; done |
	    awk 'NR == 1 || $1 < w { w = $1; c = $2 } END {
		printf "%.2f %.2f", w / 1000, c / 1000 }'
}
echo "| scan to /dev/null (key order, --limit 0) | rows | wall s | CPU s | rows/s (wall) |"
echo "|---|---|---|---|---|"
scan() {	# label, rearview args...
	label=$1; shift
	r=$("$rv" summarize "$@" --db "$db" -o csv | sed -n 2p | cut -d, -f1)
	t=$(best3 "$rv" "$@" --db "$db" -l 0)
	echo "| $label | $r | ${t% *} | ${t#* } | $(echo "$r ${t% *}" | awk '{ printf "%.2fM", $1 / $2 / 1e6 }') |"
}
scan "lookup '*.com' -s name -o json" lookup '*.com' -s name -o json
scan "lookup '*.com' -s name -o csv" lookup '*.com' -s name -o csv
scan "lookup '*.com' -s name -o text" lookup '*.com' -s name -o text
scan "lookup '*.com' -s name -o dnsdb" lookup '*.com' -s name -o dnsdb
scan "rdata ip 0.0.0.0/0 -s data -o json" rdata ip 0.0.0.0/0 -s data -o json
scan "rdata ip 0.0.0.0/0 -s data -o dnsdb" rdata ip 0.0.0.0/0 -s data -o dnsdb
# The baseline: the same *.com scan from SQLite, as JSON.
sr=$(sqlite3 "$sq" "SELECT count(*) FROM rr WHERE rev >= '.moc.' AND rev < '.moc/'")
t=$(best3 sqlite3 -json "$sq" "SELECT $cols FROM rr WHERE rev >= '.moc.' AND rev < '.moc/'")
echo "| sqlite3 -json, rr rows of *.com (baseline) | $sr | ${t% *} | ${t#* } | $(echo "$sr ${t% *}" | awk '{ printf "%.2fM", $1 / $2 / 1e6 }') |"
