#!/bin/bash
# rel_damaged.sh: damaged database files, and a second writer.
# A small database (an NDJSON import: A, AAAA, NS, MX, CNAME and TXT
# RRsets, some on overflow pages) is copied and each copy damaged one way:
#  - cut short: inside the first meta page, inside the second, right after
#    them, at 40 % of the file, one page short, one octet short;
#  - bits flipped in meta page 0, in meta page 1, octets replaced anywhere
#    in the two meta pages;
#  - octets replaced or bits flipped all over the data pages (a few hundred
#    or a few dozen);
#  - zeroed ranges: meta page 0, meta page 1, whole pages and short runs
#    in the data.
# On each copy `rearview lookup`, `rearview rdata ip`, `rearview stats`,
# `rearview check` and `rearviewd --import` run. Every one must end
# without a signal and in time, and with either a correct answer (the
# sound database's, octet for octet) or the one-line error that names the
# database and says what to do. The one exception is documented
# (RELIABILITY.md, section 10): octets changed inside a value that still
# decodes give another answer, which no reader can tell from a right one
# (LMDB keeps no checksums); such answers are counted and shown, and
# allowed only for damage inside the data pages.
# Then: a second rearviewd on a database in use is refused, so is
# --import; after the first stops, the import goes through.
. "$(dirname "$0")/indexer_lib.sh"
CLI=$B/cli/rearview
[ -x "$CLI" ] || { echo "SKIP: $CLI not built"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

# --- the sound database ------------------------------------------------------
awk -v N=4000 'BEGIN { for (i = 0; i < N; i++) {
	d = "d" int(i / 7) ".ex" (i % 13) ".test"; t = 1500000000 + i * 60; k = i % 10
	if (k < 4)
		printf "{\"rrname\":\"h%d.%s\",\"rrtype\":\"A\",\"rdata\":[\"10.%d.%d.%d\",\"192.0.2.%d\"],\"time_first\":%d,\"time_last\":%d,\"count\":%d,\"bailiwick\":\"%s\",\"sensor_id\":\"s%d\"}\n", i, d, int(i / 65536) % 256, int(i / 256) % 256, i % 256, i % 200, t, t + 3600, i % 50 + 1, d, i % 3
	else if (k < 6)
		printf "{\"rrname\":\"h%d.%s\",\"rrtype\":\"AAAA\",\"rdata\":\"2001:db8::%x\",\"time_first\":%d,\"count\":2}\n", i, d, i, t
	else if (k < 7)
		printf "{\"rrname\":\"%s\",\"rrtype\":\"NS\",\"rdata\":[\"ns1.dns%d.test.\",\"ns2.dns%d.test.\"],\"time_first\":%d}\n", d, i % 97, i % 97, t
	else if (k < 8)
		printf "{\"rrname\":\"%s\",\"rrtype\":\"MX\",\"rdata\":\"10 mx%d.%s.\",\"time_first\":%d}\n", d, i, d, t
	else if (k < 9)
		printf "{\"rrname\":\"w%d.%s\",\"rrtype\":\"CNAME\",\"rdata\":\"e%d.cdn.test.\",\"time_first\":%d}\n", i, d, i % 300, t
	else {	# every 40th a TXT of 12 strings: over 2 KiB, an overflow page
		s = ""; n = (i % 40 == 9) ? 12 : 1
		for (j = 0; j < n; j++) s = s sprintf("%s\\\"%0200d%04d\\\"", j ? " " : "", 0, i)
		printf "{\"rrname\":\"t%d.%s\",\"rrtype\":\"TXT\",\"rdata\":\"%s\",\"time_first\":%d}\n", i, d, s, t
	}
} }' >"$T/in.json"
echo '{"rrname":"late.import.test","rrtype":"A","rdata":"198.51.100.7","time_first":1600000000}' >"$T/late.json"
"$RVD" -d "$T/sound" --import "$T/in.json" --no-progress 2>"$T/imp.log" ||
	fail "import: $(tail -2 "$T/imp.log")"
SIZE=$(stat -c %s "$T/sound/data.mdb")
PS=4096
[ "$SIZE" -gt $((100 * PS)) ] || fail "the sound database is only $SIZE octets"
"$CLI" check -d "$T/sound" >"$T/check.out" 2>&1 || fail "the sound database: $(cat "$T/check.out")"
grep -q '^result *sound$' "$T/check.out" || fail "check: $(cat "$T/check.out")"
ok "a sound database of $SIZE octets ($(awk '$1 == "rrset" { print $2 }' "$T/check.out") RRsets, some on overflow pages); rearview check: sound"

fresh() { rm -rf "$T/c"; cp -r "$T/sound" "$T/c"; }

# The commands, and what the sound database answers (in $T/c, where the
# damaged copies will be: stats names its directory). Stats' map_bytes is
# left out: it is the map this reader chose, which a meta page's damaged
# map size may change without any data changing; so are used_bytes and
# free_bytes: a damaged newer meta page makes LMDB read the older one,
# whose free list differs while the data it points to is the same; and
# file_bytes: a file cut where only free pages were lost is sound (LMDB
# leaves such pages unwritten itself) and answers the same.
QUERIES=("lookup *.ex3.test -l 0 -o json" "rdata ip 10.0.0.0/8 -l 0 -o json"
	"stats -o json")
run_q() {	# I: query I on $T/c into $T/q.out, $T/q.err; its status
	local rc
	# shellcheck disable=SC2086
	timeout 60 "$CLI" ${QUERIES[$1]} -d "$T/c" >"$T/q.raw" 2>"$T/q.err"
	rc=$?
	sed -E 's/"(map|used|free|file)_bytes":[0-9]*,//g' "$T/q.raw" >"$T/q.out"
	return $rc
}
fresh
for i in "${!QUERIES[@]}"; do
	run_q "$i"
	want_rc[i]=$?
	[ "${want_rc[i]}" = 0 ] || fail "${QUERIES[i]} on the sound database: $(cat "$T/q.err")"
	cp "$T/q.out" "$T/want.$i"
done

# --- damage -----------------------------------------------------------------
# damage FILE KIND SEED N LO HI: python3 does the octets (seeded, so every
# run damages the same way). KIND: flip (one bit of each of N octets),
# rand (N octets replaced), zero (N octets from a random place).
damage() {
	python3 - "$@" <<'PY'
import random, sys
path, kind, seed, n, lo, hi = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:7])
r = random.Random(seed)
with open(path, 'r+b') as f:
	b = bytearray(f.read())
	hi = min(hi, len(b))
	if kind == 'flip':
		for _ in range(n):
			o = r.randrange(lo, hi); b[o] ^= 1 << r.randrange(8)
	elif kind == 'rand':
		for _ in range(n):
			o = r.randrange(lo, hi); b[o] = (b[o] + r.randrange(1, 256)) % 256
	elif kind == 'zero':
		o = r.randrange(lo, max(lo + 1, hi - n)); b[o:o + n] = bytes(n)
	f.seek(0); f.write(b)
PY
}

ERRLINE="^rearview: database '$T/c' is damaged \(.+\): restore it from a backup \(rearview check tells what is wrong\)$"
RVDLINE="rearviewd crit: database '$T/i' is damaged \(.+\): restore it from a backup \(rearview check tells what is wrong\)$"
cases=0 runs=0 errors=0 right=0 wrong=0
# one_case NAME WRONG_OK: the copy in $T/c is damaged; run everything on it.
one_case() {
	local name=$1 wrong_ok=$2 i rc
	cases=$((cases + 1))
	for i in "${!QUERIES[@]}"; do
		run_q "$i"
		rc=$?
		runs=$((runs + 1))
		[ "$rc" -lt 124 ] || fail "$name: ${QUERIES[i]}: exit $rc (a signal or a hang): $(head -c 300 "$T/q.err")"
		grep -qE 'Sanitizer|runtime error' "$T/q.err" && fail "$name: ${QUERIES[i]}: $(cat "$T/q.err")"
		if [ "$rc" = 3 ]; then
			[ "$(wc -l <"$T/q.err")" = 1 ] && grep -qE "$ERRLINE" "$T/q.err" ||
				fail "$name: ${QUERIES[i]}: not the one-line error: $(head -c 400 "$T/q.err")"
			errors=$((errors + 1))
		elif [ "$rc" = "${want_rc[i]}" ] && cmp -s "$T/q.out" "$T/want.$i"; then
			right=$((right + 1))
		elif [ "$wrong_ok" = 1 ] && [ "$rc" -le 1 ] && [ ! -s "$T/q.err" ]; then
			wrong=$((wrong + 1))	# a value that still decodes
		else
			fail "$name: ${QUERIES[i]}: exit $rc, neither the right answer nor the error: $(head -c 300 "$T/q.err") $(diff "$T/q.out" "$T/want.$i" | head -5)"
		fi
	done
	timeout 120 "$CLI" check -d "$T/c" >"$T/chk.out" 2>"$T/chk.err"
	rc=$?
	runs=$((runs + 1))
	[ "$rc" -lt 124 ] || fail "$name: check: exit $rc: $(head -c 300 "$T/chk.err")"
	grep -qE 'Sanitizer|runtime error' "$T/chk.err" && fail "$name: check: $(cat "$T/chk.err")"
	case $rc in
	0) grep -q '^result *sound$' "$T/chk.out" || fail "$name: check exit 0: $(tail -3 "$T/chk.out")" ;;
	3) [ "$(wc -l <"$T/chk.err")" = 1 ] &&
		grep -qE "^rearview: database '$T/c' is damaged \(.+\): restore it from a backup$" "$T/chk.err" &&
		grep -q '^result *damaged: ' "$T/chk.out" ||
		fail "$name: check: $(cat "$T/chk.err") $(tail -3 "$T/chk.out")" ;;
	*) fail "$name: check: exit $rc: $(cat "$T/chk.err")" ;;
	esac
	# The writer: an import into a copy of the damaged copy.
	rm -rf "$T/i"
	cp -r "$T/c" "$T/i"
	timeout 120 "$RVD" -d "$T/i" --import "$T/late.json" --no-progress >"$T/i.log" 2>&1
	rc=$?
	runs=$((runs + 1))
	[ "$rc" -lt 124 ] || fail "$name: rearviewd --import: exit $rc: $(tail -3 "$T/i.log")"
	grep -qE 'Sanitizer|runtime error' "$T/i.log" && fail "$name: import: $(cat "$T/i.log")"
	case $rc in
	0) ;;
	3) grep -qE "$RVDLINE" "$T/i.log" || fail "$name: import exit 3 without the line: $(tail -3 "$T/i.log")" ;;
	*) fail "$name: rearviewd --import: exit $rc: $(tail -3 "$T/i.log")" ;;
	esac
}
for size in 100 6000 $((2 * PS)) $((SIZE * 2 / 5)) $((SIZE - PS)) $((SIZE - 1)); do
	fresh
	truncate -s "$size" "$T/c/data.mdb"
	one_case "cut to $size octets" 0
done
for seed in 1 2 3 4; do
	fresh; damage "$T/c/data.mdb" flip "$seed" 3 16 160
	one_case "meta page 0, 3 bits flipped (seed $seed)" 0
	fresh; damage "$T/c/data.mdb" flip "$seed" 3 $((PS + 16)) $((PS + 160))
	one_case "meta page 1, 3 bits flipped (seed $seed)" 0
	fresh; damage "$T/c/data.mdb" rand "$seed" 16 0 $((2 * PS))
	one_case "meta pages, 16 octets replaced (seed $seed)" 0
done
for seed in 1 2 3 4 5 6 7 8; do
	fresh; damage "$T/c/data.mdb" rand "$seed" 300 $((2 * PS)) "$SIZE"
	one_case "data pages, 300 octets replaced (seed $seed)" 1
	fresh; damage "$T/c/data.mdb" flip "$seed" 30 $((2 * PS)) "$SIZE"
	one_case "data pages, 30 bits flipped (seed $seed)" 1
done
fresh; damage "$T/c/data.mdb" zero 1 $PS 0 $PS
one_case "meta page 0 zeroed" 0
fresh; damage "$T/c/data.mdb" zero 1 $PS $PS $((2 * PS))
one_case "meta page 1 zeroed" 0
for seed in 1 2 3 4; do
	fresh; damage "$T/c/data.mdb" zero "$seed" $PS $((2 * PS)) "$SIZE"
	one_case "a page's worth of data zeroed (seed $seed)" 1
	fresh; damage "$T/c/data.mdb" zero "$seed" 64 $((2 * PS)) "$SIZE"
	one_case "64 octets of data zeroed (seed $seed)" 1
done
ok "$cases damaged copies, $runs runs (lookup, rdata ip, stats, check, rearviewd --import): no signal, no hang; queries: $right right answers, $errors one-line errors naming the database, $wrong other answers from values that still decode"
[ "$errors" -gt 0 ] && [ "$right" -gt 0 ] || fail "the cases do not exercise both outcomes"

# --- one writer per database --------------------------------------------------
cp -r "$T/sound" "$T/db"
start_rvd -d "$T/db" -l "ipc://$T/in.sock"
timeout 20 "$RVD" -d "$T/db" -l "ipc://$T/in2.sock" >"$T/second.log" 2>&1
rc=$?
[ "$rc" = 1 ] || fail "a second rearviewd on the same database: exit $rc: $(tail -3 "$T/second.log")"
grep -q "database '$T/db' is in use: another writer holds $T/db/writer.lock (pid $RVD_PID); one rearviewd (or --import) per database" "$T/second.log" ||
	fail "the second rearviewd's message: $(cat "$T/second.log")"
timeout 20 "$RVD" -d "$T/db" --import "$T/late.json" --no-progress >"$T/second.log" 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q "is in use: .*(pid $RVD_PID)" "$T/second.log" ||
	fail "--import beside a running rearviewd: exit $rc: $(tail -3 "$T/second.log")"
kill -0 "$RVD_PID" || fail "the first rearviewd died"
"$CLI" lookup late.import.test -d "$T/db" >/dev/null 2>&1 && fail "the refused import wrote"
stop_rvd
"$RVD" -d "$T/db" --import "$T/late.json" --no-progress 2>"$T/imp.log" ||
	fail "the import after rearviewd stopped: $(tail -2 "$T/imp.log")"
"$CLI" lookup late.import.test -d "$T/db" -o json | grep -q '"198.51.100.7"' ||
	fail "the import after rearviewd stopped is not there"
ok "a second rearviewd and an --import beside a running one are refused with its pid; after it stops the import goes through"
echo PASS
