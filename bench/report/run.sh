#!/bin/sh
# The nightly report's run time (not part of make check). From the build
# directory:
#   make -C bench bench-report DB=/path/to/db    or
#   sh ../bench/report/run.sh DB [SINCE UNTIL [RUNS]]
# DB is a rearview database, e.g. the CLI benchmark's 10M-RRset one
# (bench/cli/run.sh). The window defaults to tools/rvgen's day
# (1700000000 .. 1700086400), so every RRset of a generated database is in
# it: the worst case, every name a candidate. Each run is what the nightly
# job does: `rearview report KIND --out DIR` with the default thresholds;
# fastflux, tunnel and phishing (30 watched brands) alternate, RUNS (3) times each, and each line gives
# wall, user and system seconds and the peak RSS (which counts the LMDB
# pages the process touched: the map is file-backed).
set -e
db=${1:?usage: run.sh DB [SINCE UNTIL [RUNS]]}
since=${2:-1700000000}
until=${3:-1700086400}
runs=${4:-3}
b=$(pwd)
rv=$b/cli/rearview
[ -x "$rv" ] || { echo "run from the build directory" >&2; exit 2; }
out=$(mktemp -d /tmp/rv-bench-report.XXXXXX)
trap 'rm -rf "$out"' EXIT INT TERM
echo "database: $db ($(du -sh "$db" | cut -f1)), $("$rv" stats --db "$db" -o csv |
	awk -F, '$1 == "rrsets" { r = $2 } $1 == "negatives" { n = $2 }
	END { printf "%s RRsets, %s negative answers", r, n }')"
echo "window: $since .. $until; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| report | run | wall s | user s | sys s | max RSS MB | flagged | records read |"
echo "|---|---|---|---|---|---|---|---|"
# The phishing report's watch list: the evaluation's 30 brands.
sed -n 's/^\([a-z0-9-]*\) \([a-z0-9.-]*\)$/brand \1 \2/p' \
	"$(dirname "$0")/../phishing/brands.txt" > "$out/watch.conf"
i=1
while [ $i -le "$runs" ]; do
	for k in fastflux tunnel phishing; do
		set +e
		/usr/bin/time -f '%e %U %S %M' -o "$out/time" "$rv" report "$k" \
			--db "$db" --since "$since" --until "$until" --out "$out" \
			$([ $k = phishing ] && echo --watch "$out/watch.conf") \
			-o json >/dev/null 2>"$out/err"
		rc=$?
		set -e
		[ $rc -le 1 ] || { cat "$out/err" >&2; exit 3; }
		j=$(ls "$out"/rearview-"$k"-*.json | head -1)
		f=$(sed -n 's/.*"flagged":\([0-9]*\),"records":\([0-9]*\).*/\1 \2/p' "$j" | head -1)
		read -r wall user sys rss <<EOT
$(tail -1 "$out/time")
EOT
		echo "| $k | $i | $wall | $user | $sys | $((rss / 1024)) | ${f% *} | ${f#* } |"
	done
	i=$((i + 1))
done
