#!/bin/sh
# The service benchmark (not part of make check). From the build directory:
#   make -C bench bench-serve        or   sh ../bench/serve/run.sh [DBDIR]
# DBDIR defaults to the CLI benchmark's 10M-RRset database (bench/cli/run.sh
# builds it). Measures, each against its baseline in the same run:
# 1. streaming: rows/s of one rdata/ip /8 query over HTTP (curl to
#    /dev/null) against the CLI's -o dnsdb for the same query in the same
#    order (-s data: the CLI's default sort would hold every row), best
#    of 5, and the CPU each takes (the service's from /proc, curl's and
#    the CLI's from time(1));
# 2. concurrency: exact lookups from 64 keep-alive clients (wrk, 2 threads,
#    20 s): requests/s, p50 and p99, against the in-process lookup time;
# 3. memory: the service's own resident memory (RssAnon: the database's
#    pages it maps are the page cache's, in RssFile) sampled during a
#    stream of every rdata/ip row.
set -e
db=${1:-/tmp/rv-bench-cli-10000000/db}
b=$(pwd)
[ -x "$b/cli/rearview" ] || { echo "run from the build directory" >&2; exit 2; }
[ -f "$db/data.mdb" ] || { echo "no database in $db (run bench/cli/run.sh first)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing (apt-get install wrk)" >&2; exit 2; }
rv=$b/cli/rearview
export REARVIEW_SERVE=$b/serve/rearview-serve REARVIEW_DB=$db
port=18053
log=$(mktemp /tmp/rv-bench-serve.XXXXXX)
start() {
	"$rv" serve --db "$db" --listen 127.0.0.1:$port --limit-max 1000000000 \
	    --threads 64 --max-connections 512 2>"$log" &
	pid=$!
	until curl -s -o /dev/null http://127.0.0.1:$port/dnsdb/v2/ping; do sleep 0.1; done
}
stop() { kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; }
trap 'stop; rm -f "$log"' EXIT INT TERM

# a name with an address, and that address's /8
line=$("$rv" rdata ip 11.0.0.0/8 -o csv -l 1 2>/dev/null | sed -n 2p)
[ -n "$line" ] || line=$("$rv" rdata ip 0.0.0.0/0 -o csv -l 1 | sed -n 2p)
name=$(echo "$line" | cut -d, -f4)
addr=$(echo "$line" | grep -oE '[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+' | head -1)
net=${addr%%.*}.0.0.0
echo "database: $db ($(du -sh "$db" | cut -f1)); name $name; network $net/8"

start
# 1. streaming
rows=$("$rv" rdata ip "$net/8" -o dnsdb -l 0 | grep -c '"obj"')
best_cli=999999 best_http=999999 cpu_cli=0 cpu_http=0 cpu_curl=0
ticks() { awk '{ print $14 + $15 }' /proc/$pid/stat; }	# utime+stime
tck=$(getconf CLK_TCK)
for i in 1 2 3 4 5; do
	t=$( { /usr/bin/time -f '%e %U %S' "$rv" rdata ip "$net/8" -o dnsdb -l 0 -s data >/dev/null; } 2>&1 | tail -1)
	best_cli=$(echo "$t $best_cli" | awk '{ print ($1 < $4) ? $1 : $4 }')
	cpu_cli=$(echo "$t $cpu_cli" | awk '{ print $4 + $2 + $3 }')
	t0=$(ticks)
	t=$( { /usr/bin/time -f '%U %S' curl -s -o /dev/null -w '%{time_total}\n' \
	    "http://127.0.0.1:$port/dnsdb/v2/lookup/rdata/ip/$net,8?limit=0"; } 2>&1 | tr '\n' ' ')
	t1=$(ticks)
	best_http=$(echo "$t $best_http" | awk '{ print ($1 < $4) ? $1 : $4 }')
	cpu_curl=$(echo "$t $cpu_curl" | awk '{ print $4 + $2 + $3 }')
	cpu_http=$(echo "$t0 $t1 $tck $cpu_http" | awk '{ print $4 + ($2 - $1) / $3 }')
done
hrows=$(curl -s "http://127.0.0.1:$port/dnsdb/v2/lookup/rdata/ip/$net,8?limit=0" | grep -c '"obj"')
[ "$hrows" = "$rows" ] || echo "WARNING: HTTP gave $hrows rows, the CLI $rows"
echo "streaming rdata/ip $net/8, $rows rows (best of 5; CPU: mean of 5):"
echo "$rows $best_cli $best_http $cpu_cli $cpu_http $cpu_curl" | awk '{ printf "  CLI -o dnsdb -s data: %.2f s, %.0f rows/s, CPU %.2f s\n  HTTP (curl):  %.2f s, %.0f rows/s = %.2fx the CLI; service CPU %.2f s (%.2fx the CLI), curl %.2f s\n", $2, $1/$2, $4/5, $3, $1/$3, $2/$3, $5/5, $5/$4, $6/5 }'

# 2. concurrency
"$b/bench/serve/inproc" "$db" "$name" 100000
wrk -t2 -c64 -d20s --latency \
    "http://127.0.0.1:$port/dnsdb/v2/lookup/rrset/name/$name" >"$log.wrk"
grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors' "$log.wrk" | sed 's/^/  wrk: /'
stop

# 3. memory during a stream of every rdata/ip row
start
curl -s -o /dev/null "http://127.0.0.1:$port/dnsdb/v2/lookup/rdata/ip/0.0.0.0,0?limit=0" &
cpid=$!
samples=
while kill -0 $cpid 2>/dev/null; do
	samples="$samples $(awk '/RssAnon/ { print $2 }' /proc/$pid/status)"
	file=$(awk '/RssFile/ { print $2 }' /proc/$pid/status)
	sleep 0.5
done
echo "RssFile (mapped database pages) at the end: $file KiB"
echo "$samples" | awk '{ n = NF; printf "RssAnon during a %s-sample stream: first %d KiB, at 1/4 %d, 1/2 %d, 3/4 %d, last %d; max %d KiB\n", n, $1, $(int(n/4)+1), $(int(n/2)+1), $(int(3*n/4)+1), $n, max() }
function max(  m, i) { m = 0; for (i = 1; i <= NF; i++) if ($i > m) m = $i; return m }'
