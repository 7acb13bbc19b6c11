#!/bin/sh
# The archive tier end to end (docs/ARCHIVE.md): the same observations go
# into a database that archives and into a control that never does, and
# every command, in every output format, must answer the same from both:
# after archiving half, after re-sightings of archived rows, after a kill
# -9 at each step of an archive run and its resumption, and after
# archiving everything, and after merging segments (and a kill -9
# during it). Backups link the segments; retention drops whole ones. A
# damaged segment is named and skipped.
top=${RV_TOP_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
rvd=$top/indexer/rearviewd
rv=$top/cli/rearview
[ -x "$rvd" ] || { echo "SKIP: $rvd not built"; exit 77; }
[ -x "$rv" ] || { echo "SKIP: $rv not built"; exit 77; }
tmp=$(mktemp -d /tmp/rv-archive-e2e.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

# Observations from 2019 to 2024: A (one or two addresses), NS, CNAME, MX,
# TXT and negative-free; names under 40 registered domains.
gen() {	# first-time-base count-multiplier
	awk -v base="$1" -v mul="$2" 'BEGIN {
	for (i = 1; i <= 900; i++) {
		d = "dom" (i % 40) ".example"; s = "corp-dns" (i % 3)
		t = base + i * 86400 * 2; l = t + (i % 7) * 3600; c = (i % 9 + 1) * mul
		if (i % 5 == 0)
			rd = "\"10." (i % 4) "." (i % 250) ".1\",\"10." (i % 4) ".7." (i % 200) "\""
		else
			rd = "\"10." (i % 4) "." (i % 250) "." (i % 13) "\""
		printf "{\"rrname\":\"host%d.%s.\",\"rrtype\":\"A\",\"rdata\":[%s],\"time_first\":%d,\"time_last\":%d,\"count\":%d,\"bailiwick\":\"%s.\",\"sensor_id\":\"%s\"}\n", i % 300, d, rd, t, l, c, d, s
		if (i % 10 == 0)
			printf "{\"rrname\":\"%s.\",\"rrtype\":\"NS\",\"rdata\":[\"ns%d.dns-host.net.\",\"ns%d.dns-host.net.\"],\"time_first\":%d,\"time_last\":%d,\"count\":%d,\"bailiwick\":\"example.\",\"sensor_id\":\"%s\"}\n", d, i % 6, i % 6 + 1, t, l, c, s
		if (i % 15 == 0)
			printf "{\"rrname\":\"www%d.%s.\",\"rrtype\":\"CNAME\",\"rdata\":[\"host%d.%s.\"],\"time_first\":%d,\"time_last\":%d,\"count\":%d,\"bailiwick\":\"%s.\",\"sensor_id\":\"%s\"}\n", i % 4, d, i % 300, d, t, l, c, d, s
		if (i % 25 == 0)
			printf "{\"rrname\":\"%s.\",\"rrtype\":\"MX\",\"rdata\":[\"10 mail.%s.\"],\"time_first\":%d,\"time_last\":%d,\"count\":%d,\"bailiwick\":\"%s.\",\"sensor_id\":\"%s\"}\n", d, d, t, l, c, d, s
		if (i % 30 == 0)
			printf "{\"rrname\":\"%s.\",\"rrtype\":\"TXT\",\"rdata\":[\"\\\"v=spf1 -all\\\"\"],\"time_first\":%d,\"time_last\":%d,\"count\":%d,\"bailiwick\":\"%s.\",\"sensor_id\":\"%s\"}\n", d, t, l, c, d, s
	} }'
}
gen 1560000000 1 >"$tmp/f1.json"
# Later: many of the same RRsets seen again (archived ones among them),
# and new ones.
gen 1600000000 2 >"$tmp/f2.json"

imp() {	# db file
	"$rvd" --db "$1" --import "$2" --no-progress >"$tmp/imp.log" 2>&1 ||
		{ cat "$tmp/imp.log"; fail "rearviewd --import $2 into $1"; }
}

# Every query kind, in every format; the reports over a fixed window.
queries() {
	cat <<'Q'
lookup host7.dom7.example
lookup *.dom3.example
lookup *.dom5.example -t A -A 2020-06-01 -B 2022-06-01
lookup host1*.dom1.example
lookup dom10.example -t NS
history host9.dom9.example
rdata ip 10.1.0.0/16
rdata ip 10.2.7.0/24 -c -A 2019-01-01
rdata ip 10.3.3.3
rdata name ns2.dns-host.net
rdata name *.dns-host.net
rdata name mail.dom25.example
subdomains dom5.example
subdomains example
summarize lookup *.dom3.example
summarize rdata ip 10.0.0.0/8
summarize subdomains example
lookup *.dom5.example -c -A 2021-01-01 -B 2023-01-01
lookup host3.dom3.example -c -B 2020-06-01
rdata ip 10.0.0.0/8 -c -A 2022-01-01
history host9.dom9.example -c -A 2020-01-01
summarize lookup *.dom3.example -c -A 2021-06-01
subdomains dom5.example -c -A 2021-01-01
Q
}
reports() {
	cat <<'Q'
report newdomains -A 2019-01-01 -B 2026-01-01
report fastflux -A 2019-01-01 -B 2026-01-01
report tunnel -A 2019-01-01 -B 2026-01-01
verdict host7.dom7.example
verdict 10.1.1.1
Q
}

# same DB CONTROL LABEL: every query's output (and exit status) equal.
same() {
	n=0
	queries | while IFS= read -r q; do
		for f in json dnsdb csv text table; do
			# shellcheck disable=SC2086
			"$rv" --db "$1" $q -o $f >"$tmp/a" 2>"$tmp/ae"; ra=$?
			# shellcheck disable=SC2086
			"$rv" --db "$2" $q -o $f >"$tmp/b" 2>"$tmp/be"; rb=$?
			[ $ra -eq $rb ] || { cat "$tmp/ae"; fail "$3: '$q -o $f' exit $ra, control $rb"; }
			cmp -s "$tmp/a" "$tmp/b" || { diff "$tmp/a" "$tmp/b" | head -20; fail "$3: '$q -o $f' differs"; }
		done
	done || exit 1
	reports | while IFS= read -r q; do
		for f in json csv; do
			# shellcheck disable=SC2086
			"$rv" --db "$1" $q -o $f >"$tmp/a" 2>"$tmp/ae"; ra=$?
			# shellcheck disable=SC2086
			"$rv" --db "$2" $q -o $f >"$tmp/b" 2>"$tmp/be"; rb=$?
			[ $ra -eq $rb ] || { cat "$tmp/ae"; fail "$3: '$q -o $f' exit $ra, control $rb"; }
			# report headers carry the time they were made
			grep -v '"generated"' "$tmp/a" >"$tmp/a2"; grep -v '"generated"' "$tmp/b" >"$tmp/b2"
			cmp -s "$tmp/a2" "$tmp/b2" || { diff "$tmp/a2" "$tmp/b2" | head -20; fail "$3: '$q -o $f' differs"; }
		done
	done || exit 1
}

rows() { mdb_stat -s "$2" "$1" | awk '/Entries/ {print $2}'; }

imp "$tmp/db" "$tmp/f1.json"
imp "$tmp/ctl" "$tmp/f1.json"
# the queries must have something to compare
"$rv" --db "$tmp/ctl" lookup '*.dom3.example' -o csv | grep -q 'host3.dom3.example' ||
	fail "the fixture's data is not there"

# 1. Half of it into a segment.
live0=$(rows "$tmp/db" rrset)
age=$(( $(date +%s) - 1600000000 ))
"$rv" archive --db "$tmp/db" --older-than "${age}s" -o json >"$tmp/ar1" ||
	fail "archive exited $?"
grep -q '"segment":"seg-000001.mtbl"' "$tmp/ar1" || { cat "$tmp/ar1"; fail "no segment"; }
live1=$(rows "$tmp/db" rrset)
moved=$(sed 's/.*"rows_rrset":\([0-9]*\).*/\1/' "$tmp/ar1")
[ "$moved" -gt 100 ] && [ "$live1" -gt 100 ] ||
	fail "expected about half the RRsets archived: $moved archived, $live1 live"
[ $((live0 - live1)) -eq "$moved" ] || fail "live rows $live0 -> $live1, archived $moved"
[ -f "$tmp/db/archive/seg-000001.mtbl" ] || fail "no segment file"
same "$tmp/db" "$tmp/ctl" "half archived"

# 2. Archived RRsets seen again: a live row starts again, queries merge.
imp "$tmp/db" "$tmp/f2.json"
imp "$tmp/ctl" "$tmp/f2.json"
same "$tmp/db" "$tmp/ctl" "seen again"

# 3. kill -9 after each step of a run, then the run that finishes it.
for at in written registered batch; do
	rm -rf "$tmp/k"; cp -a "$tmp/db" "$tmp/k"
	RV_ARCHIVE_KILL_AT=$at RV_ARCHIVE_BATCH=97 "$rv" archive --db "$tmp/k" \
	    --older-than 1s >/dev/null 2>&1; rc=$?
	[ $rc -eq 137 ] || fail "kill at $at: archive exited $rc, not killed"
	same "$tmp/k" "$tmp/ctl" "killed after $at"
	"$rv" archive --db "$tmp/k" --older-than 1s -o json >"$tmp/ar" ||
		fail "archive after a kill at $at exited $?"
	# killed before it was listed, the segment is swept and written
	# again; after that, the rerun finishes the removal, and nothing is
	# left to archive: two segments either way
	case $at in
	written) grep -q '"resumed":false' "$tmp/ar" || fail "nothing pending after $at" ;;
	*) grep -q '"resumed":true.*' "$tmp/ar" && grep -q '"segment":""' "$tmp/ar" ||
		{ cat "$tmp/ar"; fail "the run killed after $at was not resumed"; } ;;
	esac
	same "$tmp/k" "$tmp/ctl" "resumed after $at"
	n=$(ls "$tmp/k/archive" | wc -l)
	[ "$n" -eq 2 ] || { ls -l "$tmp/k/archive"; fail "after $at: $n files in archive/, want 2"; }
	[ "$(rows "$tmp/k" rrset)" -eq 0 ] || fail "after $at: RRsets left live"
done

# 4. Everything into a second segment.
"$rv" archive --db "$tmp/db" --older-than 1s >"$tmp/ar2" || fail "archive all"
grep -q '^seg-000002.mtbl: ' "$tmp/ar2" || { cat "$tmp/ar2"; fail "second segment"; }
[ "$(rows "$tmp/db" rrset)" -eq 0 ] || fail "RRsets left live"
same "$tmp/db" "$tmp/ctl" "all archived"
"$rv" archive --db "$tmp/db" --older-than 1s >"$tmp/ar3" || fail "archive nothing"
grep -q 'no segment written' "$tmp/ar3" || { cat "$tmp/ar3"; fail "empty run"; }

# rearview check reads the segments too, and the counts add up over
# both tiers.
"$rv" check --db "$tmp/db" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "check of the archived db"; }
grep -q '^archive    2 segments, 2 read to their end' "$tmp/out" &&
	grep -q '^result     sound' "$tmp/out" || { cat "$tmp/out"; fail "check output"; }

# 5. A damaged segment: named, skipped, never a crash.
cp -a "$tmp/db" "$tmp/d"
seg=$tmp/d/archive/seg-000001.mtbl
sz=$(stat -c %s "$seg")
printf 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' |
	dd of="$seg" bs=1 seek=$((sz / 3)) conv=notrunc 2>/dev/null
"$rv" --db "$tmp/d" rdata ip 10.0.0.0/8 -o csv >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] || { cat "$tmp/err"; fail "damaged segment: exit $rc, want 3"; }
grep -q 'archive segment seg-000001.mtbl' "$tmp/err" || { cat "$tmp/err"; fail "damage not named"; }
grep -q '^[0-9]' "$tmp/out" || fail "no rows from the sound parts"
"$rv" check --db "$tmp/d" >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 3 ] && grep -q 'problem.*archive segment seg-000001.mtbl' "$tmp/out" ||
	{ cat "$tmp/out"; fail "check of a damaged segment: exit $rc"; }
printf 'garbage' >"$tmp/d/archive/seg-000002.mtbl"
"$rv" --db "$tmp/d" lookup '*.dom3.example' -o csv >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] && grep -q 'archive segment seg-00000[12].mtbl' "$tmp/err" ||
	{ cat "$tmp/err"; fail "truncated segment: exit $rc"; }

# 6. Merging: four runs a slice of time each make four segments of about
# the same size; the fourth run merges them into one. Killed after the
# merged file is written, or after the list names it, the store answers
# the same and the next run tidies up.
imp "$tmp/m" "$tmp/f1.json"
imp "$tmp/c1" "$tmp/f1.json"
now=$(date +%s)
for t in 1580000000 1600000000 1620000000; do
	"$rv" archive --db "$tmp/m" --older-than $((now - t))s --no-merge \
	    >/dev/null || fail "slice archive to $t"
done
[ "$(ls "$tmp/m/archive" | wc -l)" -eq 3 ] || fail "three slices, three segments"
for at in merge-written merge-listed; do
	rm -rf "$tmp/k"; cp -a "$tmp/m" "$tmp/k"
	RV_ARCHIVE_KILL_AT=$at "$rv" archive --db "$tmp/k" \
	    --older-than $((now - 1640000000))s >/dev/null 2>&1; rc=$?
	[ $rc -eq 137 ] || fail "kill at $at: archive exited $rc, not killed"
	same "$tmp/k" "$tmp/c1" "killed at $at"
	"$rv" archive --db "$tmp/k" --older-than 1s -o json >"$tmp/ar" ||
		fail "archive after a kill at $at"
	same "$tmp/k" "$tmp/c1" "after a kill at $at"
done
"$rv" archive --db "$tmp/m" --older-than $((now - 1640000000))s -o json >"$tmp/ar" ||
	fail "the merging run"
grep -q '"merges":1,"merged":4' "$tmp/ar" || { cat "$tmp/ar"; fail "four segments were not merged"; }
[ "$(ls "$tmp/m/archive")" = seg-000005.mtbl ] || { ls "$tmp/m/archive"; fail "merged files"; }
"$rv" stats --db "$tmp/m" -o json | grep -q '"segments":1,' || fail "stats: segments"
same "$tmp/m" "$tmp/c1" "merged"

# 7. Backup: the copy links the segments and answers the same.
"$rv" backup --db "$tmp/m" "$tmp/bk" >/dev/null || fail "backup"
[ "$(stat -c %h "$tmp/bk/archive/seg-000005.mtbl")" -eq 2 ] || fail "segment not linked"
same "$tmp/bk" "$tmp/c1" "backup"

# 8. Retention drops whole segments only: a segment of the newest rows
# stays, the merged one (all last seen before 2022) goes.
"$rv" archive --db "$tmp/m" --older-than 1s --no-merge >/dev/null || fail "archive the rest"
"$rv" archive --db "$tmp/m" --older-than 1s --retain $((now - 1641000000))s -o json >"$tmp/ar" ||
	fail "retain"
grep -q '"dropped":1,' "$tmp/ar" || { cat "$tmp/ar"; fail "retention dropped nothing"; }
[ ! -e "$tmp/m/archive/seg-000005.mtbl" ] || fail "the dropped segment's file is still there"
"$rv" --db "$tmp/m" lookup '*.dom3.example' -o csv -B 2021-06-01 >"$tmp/out"; rc=$?
[ $rc -eq 1 ] || { cat "$tmp/out"; fail "rows past retention still answer ($rc)"; }
"$rv" --db "$tmp/m" lookup '*.dom3.example' -o csv -A 2022-06-01 >"$tmp/out" ||
	fail "rows within retention are gone"

# 9. Refusals: one line each.
"$rv" archive --db "$tmp/db" --older-than soon >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "older-than 'soon'" "$tmp/err" || fail "bad age: exit $rc"
"$rv" archive --db "$tmp/none" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "missing db: exit $rc"; }
grep -q "no rearview database in '$tmp/none'" "$tmp/err" || { cat "$tmp/err"; fail "missing db: not said so"; }
# an empty directory is no database either, and is left empty
mkdir "$tmp/empty"
"$rv" archive --db "$tmp/empty" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] && grep -q "no rearview database in '$tmp/empty'" "$tmp/err" || { cat "$tmp/err"; fail "empty dir: exit $rc"; }
[ -z "$(ls "$tmp/empty")" ] || { ls "$tmp/empty"; fail "archive made files in an empty directory"; }
# only its own options and --db: no query options, listed or taken
"$rv" archive --help >"$tmp/out" 2>&1 || fail "archive --help"
grep -q -- '--older-than' "$tmp/out" && grep -q -- '--db' "$tmp/out" || { cat "$tmp/out"; fail "archive --help lacks its options"; }
! grep -q -e '--after' -e '--complete' -e '--limit' -e '--sort' "$tmp/out" || { cat "$tmp/out"; fail "archive --help lists query options"; }
for opt in "-A 1d" "-B 1d" "-c" "-l 5" "--sensor s1" "-f -"; do
	"$rv" archive --db "$tmp/db" $opt >/dev/null 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "unknown option" "$tmp/err" || { cat "$tmp/err"; fail "archive $opt: exit $rc, want a usage error"; }
done
flock "$tmp/db/writer.lock" sleep 5 & holder=$!
sleep 0.5
"$rv" archive --db "$tmp/db" >/dev/null 2>"$tmp/err"; rc=$?
kill $holder 2>/dev/null; wait $holder 2>/dev/null
[ $rc -eq 3 ] && grep -q 'holds it' "$tmp/err" || { cat "$tmp/err"; fail "held lock: exit $rc"; }
echo "PASS: archive"
