#!/bin/sh
# `rearview report` over a database filled by the real indexer: a COF file
# imported with `rearviewd --import`, enriched from MaxMind's test mmdb
# files. A fast-flux name rotating over four ASNs and several countries, a
# CDN-like name with 100 addresses in one ASN (Holz's f alone would flag
# it), an ordinary name, a tunnel of 300 random TXT names and an ordinary
# domain of 36 readable names; then window edges, allow-lists, chunked
# read transactions, --out files and exit codes.
top=${RV_TOP_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
mmdb=${RV_MMDB_DIR:-}
rvd=$top/indexer/rearviewd
rv=$top/cli/rearview
[ -x "$rvd" ] || { echo "SKIP: $rvd not built"; exit 77; }
[ -x "$rv" ] || { echo "SKIP: $rv not built"; exit 77; }
[ -f "$mmdb/GeoLite2-ASN-Test.mmdb" ] ||
	{ echo "SKIP: no MaxMind test databases (RV_MMDB_DIR)"; exit 77; }
tmp=$(mktemp -d /tmp/rv-report-e2e.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

T=1790000000			# window end
S=$((T - 86400))		# window start (24h)
W="--since $S --until $T"

# The records, generated reproducibly.
awk -v T=$T -v S=$S 'function rec(n, t, rd, f, l, c, bw) {
	printf "{\"rrname\":\"%s\",\"rrtype\":\"%s\",\"rdata\":[%s],", n, t, rd
	printf "\"time_first\":%d,\"time_last\":%d,\"count\":%d,", f, l, c
	printf "\"bailiwick\":\"%s\",\"sensor_id\":\"e2e\"}\n", bw
}
function rnd(n,   s, i) {
	s = ""
	for (i = 0; i < n; i++)
		s = s substr("abcdefghijklmnopqrstuvwxyz234567", int(rand() * 32) + 1, 1)
	return s
}
BEGIN {
	srand(7)
	# flux: 6 rotations of 10 addresses over AS1221, AS7018, AS237,
	# AS6939 and country-only ranges of the City test database.
	n = 0
	for (i = 0; i < 20; i++) ip[n++] = sprintf("1.%d.%d.7", 128 + i, i)
	for (i = 0; i < 10; i++) ip[n++] = sprintf("12.81.%d.%d", 92 + i % 4, 10 + i)
	for (i = 0; i < 10; i++) ip[n++] = sprintf("2600:6000::%x", i + 1)
	for (i = 0; i < 8; i++) ip[n++] = sprintf("2600:7000::%x", i + 1)
	split("81.2.69.142 81.2.69.150 89.160.20.115 89.160.20.130 175.16.199.5 216.160.83.57 67.43.156.9 202.196.224.3 2.125.160.217 2001:218::5 2001:250::7 2a02:d180::9", o, " ")
	for (i = 1; i <= 12; i++) ip[n++] = o[i]
	for (k = 0; k < 6; k++) {
		v4 = ""; v6 = ""
		for (i = k; i < n; i += 6) {
			if (index(ip[i], ":")) v6 = v6 (v6 ? "," : "") "\"" ip[i] "\""
			else v4 = v4 (v4 ? "," : "") "\"" ip[i] "\""
		}
		f = S + 3600 + k * 3000
		rec("flux.e2e.test.", "A", v4, f, f + 600, 5, "e2e.test.")
		rec("flux.e2e.test.", "AAAA", v6, f, f + 600, 5, "e2e.test.")
		# the same name shape, last seen one second before the window
		rec("oldflux.e2e.test.", "A", v4, S - 9000 + k, S - 1, 5, "e2e.test.")
		rec("oldflux.e2e.test.", "AAAA", v6, S - 9000, S - 1, 5, "e2e.test.")
		# and last seen exactly at the window start
		rec("edgeflux.e2e.test.", "A", v4, S - 9000 + k, S, 5, "e2e.test.")
		rec("edgeflux.e2e.test.", "AAAA", v6, S - 9000, S, 5, "e2e.test.")
	}
	# cdn: 100 addresses in AS1221, 10 rotations
	for (k = 0; k < 10; k++) {
		v4 = ""
		for (i = 0; i < 10; i++)
			v4 = v4 (i ? "," : "") sprintf("\"1.%d.%d.1\"", 130 + k, i)
		rec("cdn.e2e.test.", "A", v4, S + k * 1000, S + k * 1000 + 900, 3, "e2e.test.")
	}
	rec("www.e2e.test.", "A", "\"81.2.69.160\"", S - 86400 * 30, T - 100, 900, "e2e.test.")
	rec("e2e.test.", "NS", "\"ns1.e2e.test.\",\"ns2.e2e.test.\"", S - 86400 * 30, T - 100, 10, "test.")
	# tunnel: 300 random TXT names
	for (i = 0; i < 300; i++)
		rec(rnd(40 + int(rand() * 20)) ".t.tunnel.test.", "TXT", "\"\\\"" rnd(80) "\\\"\"", T - 5000 + i, T - 5000 + i, 1, "tunnel.test.")
	# ordinary domain: 36 readable names
	split("www mail shop api blog static intranet vpn portal docs news help login cdn img", w, " ")
	for (i = 0; i < 36; i++)
		rec(w[i % 15 + 1] int(i / 15) ".ordinary.test.", "A", sprintf("\"81.2.69.%d\"", 144 + i % 16), S + 10, T - 50, 20, "ordinary.test.")
}' > "$tmp/in.json"

"$rvd" --db "$tmp/db" --import "$tmp/in.json" --no-progress \
	--asn-db "$mmdb/GeoLite2-ASN-Test.mmdb" \
	--geo-db "$mmdb/GeoIP2-City-Test.mmdb" >"$tmp/imp.log" 2>&1 ||
	{ cat "$tmp/imp.log"; fail "rearviewd --import failed"; }
export REARVIEW_DB="$tmp/db"

# run EXPECTED-EXIT OUTFILE ARGS...
run() {
	exp=$1 out=$2; shift 2
	"$rv" "$@" >"$out" 2>"$tmp/err"; rc=$?
	[ $rc -eq "$exp" ] || { cat "$tmp/err"; fail "rearview $* exited $rc, not $exp"; }
}
has() { grep -q -- "$2" "$1" || { cat "$1"; fail "$3"; }; }
hasnt() { ! grep -q -- "$2" "$1" || { cat "$1"; fail "$3"; }; }

# Fast flux.
run 0 "$tmp/ff" report fastflux $W -o json
has "$tmp/ff" '"rrname":"flux.e2e.test.","flagged":true' "the flux name is flagged"
has "$tmp/ff" '"asns":4,' "the flux name spans four ASNs"
has "$tmp/ff" '"asn_list":\[.*1221.*\]' "ASNs come from the mmdb at import"
hasnt "$tmp/ff" 'cdn.e2e.test' "the CDN is not flagged"
hasnt "$tmp/ff" 'www.e2e.test' "the ordinary name is not flagged"
hasnt "$tmp/ff" 'oldflux' "a name last seen before the window is no candidate"
has "$tmp/ff" '"rrname":"edgeflux.e2e.test.","flagged":true' "last seen at the window start counts"
run 0 "$tmp/ffall" report fastflux $W -o json --all
has "$tmp/ffall" '"rrname":"cdn.e2e.test.","flagged":false,"holz_score":150.54' "CDN: f > 142.38 on nA alone, not flagged"
has "$tmp/ffall" '"rrname":"www.e2e.test.","flagged":false' "the ordinary name is a candidate"
has "$tmp/ffall" '"rrname":"www.e2e.test.".*"ns":2,' "NS names of the zone"
[ "$(head -1 "$tmp/ffall" | grep -c '"rank":1,"rrname":"edgeflux\|"rank":1,"rrname":"flux')" = 1 ] ||
	fail "flagged names rank first"

# Tunnelling.
run 0 "$tmp/tun" report tunnel $W -o json --all
has "$tmp/tun" '"domain":"tunnel.test.","flagged":true' "the tunnel is flagged"
has "$tmp/tun" '"domain":"tunnel.test.","flagged":true,"score":[0-9.]*,"names":300,' "300 tunnel names"
has "$tmp/tun" '"domain":"ordinary.test.","flagged":false' "the ordinary domain is not flagged"
head -1 "$tmp/tun" | grep -q '"domain":"tunnel.test."' || fail "the tunnel ranks first"

# The same output whatever the read-transaction size.
run 0 "$tmp/ff3" report fastflux $W -o json --all --chunk 3
cmp -s "$tmp/ffall" "$tmp/ff3" || fail "--chunk 3 changed the fast-flux report"
run 0 "$tmp/tun3" report tunnel $W -o json --all --chunk 2
cmp -s "$tmp/tun" "$tmp/tun3" || fail "--chunk 2 changed the tunnel report"

# Allow-lists; nothing flagged exits 1.
printf '# CDNs and friends\ne2e.test\n' >"$tmp/allow"
run 1 "$tmp/x" report fastflux $W --allow "$tmp/allow" -o json
[ -s "$tmp/x" ] && fail "allowed names are not reported"
run 1 "$tmp/x" report tunnel $W --allow-zone tunnel.test -o json
run 1 "$tmp/x" report fastflux --since $((S - 86400 * 400)) --until $((S - 86400 * 300)) -o json

# Table and CSV.
run 0 "$tmp/t" report fastflux $W -o table
has "$tmp/t" '^#  *Name  *Flag  *Holz  *Score' "table header"
has "$tmp/t" 'flux.e2e.test.  *FLUX' "table row"
run 0 "$tmp/c" report tunnel $W -o csv
has "$tmp/c" '^Rank,Domain,Flag,Score,Names' "csv header"
has "$tmp/c" '^1,tunnel.test.,TUNNEL,' "csv row"

# --out DIR: the dated JSON and HTML files.
run 0 "$tmp/x" report fastflux $W --out "$tmp/out" -o json
run 0 "$tmp/x" report tunnel $W --out "$tmp/out" -o json
day=$(date -u -d @$T +%Y-%m-%d)
for k in fastflux tunnel; do
	[ -s "$tmp/out/rearview-$k-$day.json" ] || fail "no $k JSON report"
	[ -s "$tmp/out/rearview-$k-$day.html" ] || fail "no $k HTML report"
done
has "$tmp/out/rearview-fastflux-$day.json" '"flagged":2,' "JSON report counts"
has "$tmp/out/rearview-fastflux-$day.html" '<svg ' "an SVG chart per flagged name"
[ "$(grep -c '<svg ' "$tmp/out/rearview-fastflux-$day.html")" = 2 ] || fail "two charts"
has "$tmp/out/rearview-tunnel-$day.html" 't.tunnel.test.' "tunnel examples"
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; [json.load(open(f)) for f in sys.argv[1:]]' \
		"$tmp/out"/*.json || fail "the JSON reports do not parse"
fi

# The nightly wrapper: both reports, the allow-list, N days kept.
src=${RV_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
nightly=$src/contrib/rearview-report-nightly
mkdir -p "$tmp/nightly"
touch -d '40 days ago' "$tmp/nightly/rearview-fastflux-2000-01-01.html"
touch -d '2 days ago' "$tmp/nightly/rearview-tunnel-2000-01-02.json"
touch -d '40 days ago' "$tmp/nightly/unrelated.txt"
REARVIEW_BIN=$rv REARVIEW_REPORT_DIR=$tmp/nightly REARVIEW_REPORT_KEEP_DAYS=30 \
	REARVIEW_REPORT_ALLOW=$tmp/allow REARVIEW_REPORT_OPTS="--until $T" \
	sh "$nightly" || fail "rearview-report-nightly failed"
today=$day
for f in rearview-fastflux-$today.json rearview-fastflux-$today.html \
	rearview-tunnel-$today.json rearview-tunnel-$today.html \
	rearview-tunnel-2000-01-02.json unrelated.txt; do
	[ -f "$tmp/nightly/$f" ] || fail "nightly: $f missing"
done
[ -f "$tmp/nightly/rearview-fastflux-2000-01-01.html" ] && fail "nightly: old report kept"
has "$tmp/nightly/rearview-fastflux-$today.json" '"flagged":0,' "nightly: the allow-list applies"
has "$tmp/nightly/rearview-tunnel-$today.json" '"flagged":1,' "nightly: tunnel report"
REARVIEW_BIN=$rv REARVIEW_REPORT_DIR=$tmp/nightly REARVIEW_REPORT_KEEP_DAYS=x \
	sh "$nightly" 2>/dev/null && fail "nightly: a bad KEEP_DAYS must fail"
REARVIEW_BIN=$rv REARVIEW_DB=$tmp/nodb REARVIEW_REPORT_DIR=$tmp/nightly \
	sh "$nightly" 2>/dev/null
[ $? = 3 ] || fail "nightly: a missing database must exit 3"

# Usage and other errors.
run 2 "$tmp/x" report fastflux --window nonsense
run 2 "$tmp/x" report fastflux -o dnsdb
run 2 "$tmp/x" report fastflux extra-arg
run 2 "$tmp/x" report tunnel --since $T --until $S
run 2 "$tmp/x" report tunnel --min-names -1
run 2 "$tmp/x" report nosuch
run 2 "$tmp/x" report fastflux --allow "$tmp/nonexistent"
run 3 "$tmp/x" report fastflux --db "$tmp/nodb"
has "$tmp/err" 'rearview' "one-line error on a missing database"
run 3 "$tmp/x" report fastflux $W --out /proc/nonexistent
echo "PASS"
