#!/bin/sh
# The CLI over a database filled by the real indexer: a COF file imported
# with `rearviewd --import`, then every command with exact rows.
top=${RV_TOP_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
rvd=$top/indexer/rearviewd
rv=$top/cli/rearview
[ -x "$rvd" ] || { echo "SKIP: $rvd not built"; exit 77; }
[ -x "$rv" ] || { echo "SKIP: $rv not built"; exit 77; }
tmp=$(mktemp -d /tmp/rv-cli-e2e.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

cat > "$tmp/in.json" <<'JSON'
{"rrname":"webmail.groupweblogs-gsm1900.com.","rrtype":"A","rdata":["165.22.196.7"],"time_first":1563393120,"time_last":1563416100,"count":1,"bailiwick":"groupweblogs-gsm1900.com.","sensor_id":"corp-dns1"}
{"rrname":"cpanel.groupweblogs-gsm1900.com.","rrtype":"A","rdata":["165.22.196.7"],"time_first":1563393120,"time_last":1563416100,"count":2,"bailiwick":"groupweblogs-gsm1900.com.","sensor_id":"corp-dns1"}
{"rrname":"other.example.net.","rrtype":"A","rdata":["165.22.196.8"],"time_first":1577836800,"time_last":1577836900,"count":5,"bailiwick":"example.net.","sensor_id":"corp-dns2"}
{"rrname":"www.example.com.","rrtype":"A","rdata":["192.0.2.1"],"time_first":1577836800,"time_last":1577923200,"count":10,"bailiwick":"example.com.","sensor_id":"corp-dns1"}
{"rrname":"www.example.com.","rrtype":"A","rdata":["192.0.2.2"],"time_first":1609459200,"time_last":1609545600,"count":7,"bailiwick":"example.com.","sensor_id":"corp-dns2"}
{"rrname":"example.com.au.","rrtype":"A","rdata":["192.0.2.11"],"time_first":1609459200,"time_last":1609459200,"count":1,"bailiwick":"example.com.au.","sensor_id":"corp-dns1"}
{"rrname":"groupweblogs-gsm1900.com.","rrtype":"NS","rdata":["rreui10.traeumtgerade.de.","rreui11.traeumtgerade.de."],"time_first":1563393120,"time_last":1563416100,"count":1,"bailiwick":"com.","sensor_id":"corp-dns1"}
{"rrname":"alpha.org.","rrtype":"NS","rdata":["ns.dns-host.com.","ns1.dns-host.com."],"time_first":1577836800,"time_last":1577923200,"count":3,"bailiwick":"org.","sensor_id":"corp-dns1"}
{"rrname":"beta.org.","rrtype":"NS","rdata":["ns.dns-host.net.","ns1.dns-host.com."],"time_first":1609459200,"time_last":1609545600,"count":2,"bailiwick":"org.","sensor_id":"corp-dns2"}
{"rrname":"mail.beta.org.","rrtype":"MX","rdata":["10 ns.dns-host.net."],"time_first":1640995200,"time_last":1640995200,"count":1,"bailiwick":"beta.org.","sensor_id":"corp-dns2"}
{"rrname":"x.beta.org.","rrtype":"CNAME","rdata":["ns10.dns-host.com."],"time_first":1640995200,"time_last":1640995200,"count":1,"bailiwick":"beta.org.","sensor_id":"corp-dns2"}
{"rrname":"y.beta.org.","rrtype":"CNAME","rdata":["a.ns.dns-host.com."],"time_first":1640995200,"time_last":1640995200,"count":1,"bailiwick":"beta.org.","sensor_id":"corp-dns2"}
JSON
"$rvd" --db "$tmp/db" --import "$tmp/in.json" --no-progress >"$tmp/imp.log" 2>&1 ||
	{ cat "$tmp/imp.log"; fail "rearviewd --import failed"; }
export REARVIEW_DB="$tmp/db"
H=time_first,time_last,count,rrname,rrtype,bailiwick,sensor,rdata,asn,country

check() {	# expected-file command...
	exp=$1; shift
	"$rv" "$@" -o csv -s name >"$tmp/out" 2>"$tmp/err"; rc=$?
	[ $rc -eq 0 ] || { cat "$tmp/err"; fail "rearview $* exited $rc"; }
	printf '%s\n' "$H" >"$tmp/exp"; cat "$exp" >>"$tmp/exp"
	diff -u "$tmp/exp" "$tmp/out" || fail "rearview $*"
}

cat >"$tmp/e1" <<'E'
2019-07-17T19:52:00Z,2019-07-18T02:15:00Z,2,cpanel.groupweblogs-gsm1900.com.,A,,,165.22.196.7,,
2019-07-17T19:52:00Z,2019-07-18T02:15:00Z,1,webmail.groupweblogs-gsm1900.com.,A,,,165.22.196.7,,
2020-01-01T00:00:00Z,2020-01-01T00:01:40Z,5,other.example.net.,A,,,165.22.196.8,,
E
check "$tmp/e1" rdata ip 165.22.196.0/24
# (one name: rows in key order, i.e. by rdata-set digest)
cat >"$tmp/e2" <<'E'
2021-01-01T00:00:00Z,2021-01-02T00:00:00Z,7,www.example.com.,A,example.com.,corp-dns2,192.0.2.2,,
2020-01-01T00:00:00Z,2020-01-02T00:00:00Z,10,www.example.com.,A,example.com.,corp-dns1,192.0.2.1,,
E
check "$tmp/e2" lookup '*.example.com'
sed -n 1p "$tmp/e2" >"$tmp/e3"
check "$tmp/e3" lookup www.example.com -A 2020-06-01
cat >"$tmp/e4" <<'E'
2019-07-17T19:52:00Z,2019-07-18T02:15:00Z,1,groupweblogs-gsm1900.com.,NS,,,rreui10.traeumtgerade.de.,,
E
check "$tmp/e4" rdata name rreui10.traeumtgerade.de
# the text format joins the RRsets: sources and bailiwick
"$rv" rdata ip 165.22.196.8 -o text >"$tmp/out" || fail "rdata ip -o text"
grep -q '^;; .*bailiwick example.net., sensors corp-dns2$' "$tmp/out" || { cat "$tmp/out"; fail "text join"; }
# the pivot of the README and --help: -o text piped into -f -, whose ;;
# comment lines and blank lines are skipped; a batch's csv names the
# query of each row first
"$rv" lookup -t A webmail.groupweblogs-gsm1900.com -o text |
	awk '$4 == "A" {print $5}' | "$rv" rdata ip -f - -o csv -s name >"$tmp/out" ||
	fail "text | rdata ip -f - exited $?"
printf 'query,%s\n' "$H" >"$tmp/exp"
grep -v other.example "$tmp/e1" | sed 's/^/165.22.196.7,/' >>"$tmp/exp"
diff -u "$tmp/exp" "$tmp/out" || fail "text | rdata ip -f -"
printf ';; first seen ..., sensors corp-dns1\n\n# a comment\n165.22.196.7\n' |
	"$rv" rdata ip -f - -o csv -s name >"$tmp/out" || fail "-f - with comment lines exited $?"
diff -u "$tmp/exp" "$tmp/out" || fail "-f - skips ;; and # lines"
"$rv" lookup -t A webmail.groupweblogs-gsm1900.com -o text | "$rv" rdata ip -f - >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q 'webmail' "$tmp/err" || { cat "$tmp/err"; fail "a record line is not an address: usage error"; }
# --db before the command works as after it
"$rv" --db "$tmp/db" rdata ip 165.22.196.0/24 -o csv -s name >"$tmp/out" ||
	fail "rearview --db DIR rdata ip exited $?"
printf '%s\n' "$H" >"$tmp/exp"; cat "$tmp/e1" >>"$tmp/exp"
diff -u "$tmp/exp" "$tmp/out" || fail "--db before the command"
"$rv" --db "$tmp/db" >/dev/null 2>&1; [ $? -eq 2 ] || fail "--db without a command must be a usage error"
"$rv" lookup nothing.example.org >/dev/null 2>&1; [ $? -eq 1 ] || fail "no results must exit 1"

# rdata name NAME.*: target names whose leading labels are NAME, through
# the names index that the import filled; never ns10. or a.ns.
cat >"$tmp/f1" <<'E'
2020-01-01T00:00:00Z,2020-01-02T00:00:00Z,3,alpha.org.,NS,,,ns1.dns-host.com.,,
2021-01-01T00:00:00Z,2021-01-02T00:00:00Z,2,beta.org.,NS,,,ns1.dns-host.com.,,
E
check "$tmp/f1" rdata name 'ns1.dns-host.*'
cat >"$tmp/f2" <<'E'
2020-01-01T00:00:00Z,2020-01-02T00:00:00Z,3,alpha.org.,NS,,,ns.dns-host.com.,,
2021-01-01T00:00:00Z,2021-01-02T00:00:00Z,2,beta.org.,NS,,,ns.dns-host.net.,,
2022-01-01T00:00:00Z,2022-01-01T00:00:00Z,1,mail.beta.org.,MX,,,ns.dns-host.net.,,
E
check "$tmp/f2" rdata name 'ns.dns-host.*'
sed -n 3p "$tmp/f2" >"$tmp/f3"
check "$tmp/f3" rdata name 'ns.dns-host.*' -t MX
sed -n 2,3p "$tmp/f2" >"$tmp/f4"
check "$tmp/f4" rdata name 'ns.dns-host.*' -A 2020-06-01
sed -n 1,2p "$tmp/f2" >"$tmp/f5"
check "$tmp/f5" rdata name 'ns.dns-host.*' -t NS -B 2021-06-01
"$rv" rdata name 'ns.dns-host.*' -B 2019-12-31 >/dev/null 2>&1
[ $? -eq 1 ] || fail "rdata name NAME.* outside the fence must exit 1"
# lookup NAME.* meets the target-only names and finds no RRsets there
"$rv" lookup 'ns.dns-host.*' >/dev/null 2>&1
[ $? -eq 1 ] || fail "lookup ns.dns-host.* must find no RRsets"

# A database written before names held target names: the same data with
# an empty names database and without the flag (mdb_dump | mdb_load).
old_db() {	# DIR: make an old copy of $tmp/db there
	command -v mdb_dump >/dev/null && command -v mdb_load >/dev/null ||
		return 1
	mkdir -p "$1" && mdb_dump -a -p "$tmp/db" | awk '
		/^database=/ { db = substr($0, 10) }
		/^HEADER=END/ { data = 1; print; next }
		/^DATA=END/ { data = 0; print; next }
		data && db == "names" { next }
		data && db == "meta" && skip { skip = 0; next }
		data && db == "meta" && $0 == " names_targets" { skip = 1; next }
		{ print }' | mdb_load "$1" 2>/dev/null
}
if old_db "$tmp/old"; then
	"$rv" --db "$tmp/old" rdata name 'ns.dns-host.*' >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 3 ] || fail "rdata name NAME.* on an old database must exit 3"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "rdata name: 'ns.dns-host.\*' needs target names" "$tmp/err" ||
		{ cat "$tmp/err"; fail "one-line error for an old database"; }
	"$rv" --db "$tmp/old" rdata name ns.dns-host.net >/dev/null ||
		fail "exact rdata name on an old database"
	# an import (here of nothing) backfills first
	"$rvd" --db "$tmp/old" --import /dev/null --no-progress >"$tmp/imp.log" 2>&1 ||
		{ cat "$tmp/imp.log"; fail "rearviewd --import /dev/null on an old database"; }
	grep -q 'target names added to the names index: 9 reverse rows read' "$tmp/imp.log" ||
		{ cat "$tmp/imp.log"; fail "backfill log line"; }
	check "$tmp/f2" --db "$tmp/old" rdata name 'ns.dns-host.*'
	check "$tmp/f1" --db "$tmp/old" rdata name 'ns1.dns-host.*'
	# the daemon backfills between flushes, receiving meanwhile
	old_db "$tmp/old2" || fail "second old copy"
	sock="ipc://$tmp/rvd.sock"
	"$rvd" --db "$tmp/old2" --listen "$sock" >"$tmp/rvd.log" 2>&1 &
	pid=$!
	trap 'kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
	i=0
	until "$rv" --db "$tmp/old2" rdata name 'ns.dns-host.*' >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 300 ] && kill -0 $pid 2>/dev/null ||
			{ cat "$tmp/rvd.log"; fail "rearviewd did not backfill"; }
		sleep 0.1
	done
	kill -TERM $pid; wait $pid || { cat "$tmp/rvd.log"; fail "rearviewd exit"; }
	grep -q 'target names added to the names index: 9 reverse rows read' "$tmp/rvd.log" ||
		{ cat "$tmp/rvd.log"; fail "daemon backfill log line"; }
	check "$tmp/f2" --db "$tmp/old2" rdata name 'ns.dns-host.*'
else
	echo "note: no mdb_dump/mdb_load, old-database part skipped"
fi
# Round trip: rearview's own dnsdb output (DNSDB SAF lines) imports into a
# new database that answers the same, counts and times included.
"$rv" lookup '*.com' -o dnsdb -l 0 >"$tmp/saf" || fail "export as dnsdb"
grep -q '^{"cond":"begin"}' "$tmp/saf" || fail "the export is SAF"
"$rvd" --db "$tmp/rt" --import "$tmp/saf" --no-progress >"$tmp/rt.log" 2>&1 ||
	{ cat "$tmp/rt.log"; fail "importing rearview's -o dnsdb output"; }
grep -q ', 0 bad lines' "$tmp/rt.log" || { cat "$tmp/rt.log"; fail "SAF lines rejected"; }
"$rv" lookup '*.com' -o dnsdb -l 0 -s name >"$tmp/a"
"$rv" --db "$tmp/rt" lookup '*.com' -o dnsdb -l 0 -s name >"$tmp/b"
diff -u "$tmp/a" "$tmp/b" || fail "the round trip changed an answer"
# A directory, or a file of nothing usable, is an error, not an empty import.
"$rvd" --db "$tmp/rt" --import "$tmp" --no-progress >/dev/null 2>&1 &&
	fail "importing a directory succeeded"
printf 'garbage\n' >"$tmp/bad.json"
"$rvd" --db "$tmp/rt" --import "$tmp/bad.json" --no-progress >/dev/null 2>&1 &&
	fail "an import whose every line is rejected succeeded"
echo "PASS"
