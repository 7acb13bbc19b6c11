#!/bin/sh
# ab.sh OLD NEW DB: the same queries and scans through two rearview
# binaries on one database, alternating A B A B... so the machine's drift
# falls on both, and the best of ROUNDS (default 5) runs of each kept.
# For a change that must leave speed alone (a refactor): every line's
# NEW/OLD ratio should be 1.00 within noise.
#
#   bench/cli/ab.sh /tmp/rearview.before build/cli/rearview /tmp/rv-bench-cli-10000000/db
#
# Queries take their values from the database itself: a name with an A
# record, its /24 and /16, the AS of its address.
set -eu
[ $# -eq 3 ] || { sed -n '2,10s/^# \{0,1\}//p' "$0" >&2; exit 2; }
old=$1 new=$2 db=$3 rounds=${ROUNDS:-5}
for b in "$old" "$new"; do
	[ -x "$b" ] || { echo "ab.sh: '$b' is not a program" >&2; exit 2; }
done
[ -f "$db/data.mdb" ] || { echo "ab.sh: no database in '$db'" >&2; exit 2; }

# A name with an A record and its address, from a bounded scan.
line=$("$new" rdata ip 0.0.0.0/0 --db "$db" -o csv -l 5000 -s data 2>/dev/null | tail -1)
name=$(echo "$line" | cut -d, -f4)
ip=$(echo "$line" | cut -d, -f8)
n24=${ip%.*}.0/24
n16=$(echo "$ip" | cut -d. -f1-2).0.0/16
asn=$("$new" rdata ip "$ip" --db "$db" -o csv -l 1 2>/dev/null | tail -1 | cut -d, -f9)
[ -n "$asn" ] || asn=1221

# Wall seconds of one run, output to /dev/null.
once() {
	s=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || true
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.4f\n", $2 - $1 }'
}

row() {	# label, rearview args...
	label=$1; shift
	a=999 b=999 k=0
	while [ $k -lt "$rounds" ]; do
		x=$(once "$old" "$@" --db "$db")
		y=$(once "$new" "$@" --db "$db")
		a=$(printf '%s\n%s\n' "$a" "$x" | sort -n | head -1)
		b=$(printf '%s\n%s\n' "$b" "$y" | sort -n | head -1)
		k=$((k + 1))
	done
	echo "| $label | $(echo "$a" | awk '{ printf "%.1f", $1 * 1000 }') | $(echo "$b" | awk '{ printf "%.1f", $1 * 1000 }') | $(echo "$a $b" | awk '{ printf "%.2f", $2 / $1 }') |"
}

echo "| query (best of $rounds) | old ms | new ms | new/old |"
echo "|---|---|---|---|"
row "lookup $name -o json" lookup "$name" -o json
row "lookup *.big.bench -o json" lookup '*.big.bench' -o json -l 0
row "rdata ip $n24 -o json" rdata ip "$n24" -o json -l 0
row "rdata ip $n16 -o json" rdata ip "$n16" -o json -l 0
row "asn $asn -o json" asn "$asn" -o json -l 0
row "subdomains com -l 1000" subdomains com -l 1000
row "summarize lookup *.net" summarize lookup '*.net'
row "lookup *.com -s name -o json (scan)" lookup '*.com' -s name -o json -l 0
row "lookup *.com -s name -o csv (scan)" lookup '*.com' -s name -o csv -l 0
row "lookup *.com -s name -o dnsdb (scan)" lookup '*.com' -s name -o dnsdb -l 0
row "rdata ip 0.0.0.0/0 -s data -o json (scan)" rdata ip 0.0.0.0/0 -s data -o json -l 0
