#!/bin/bash
# rel_hostile.sh: hostile input to every entry point.
# Each input gets a clear error or a counted rejection; nothing crashes,
# hangs, grows memory without bound or stores wrong data.
#  - frames from a rogue nng client (rel_rogue) that lie about every length
#    field and every truncation: each one counted in frames_rejected, the
#    honest frame's 3 RRsets stored exactly, nothing else;
#  - 200 connections that hang up before the SP handshake (nng 1.5.2's
#    listener stopped accepting after one: nanomsg/nng#1518): a sensor
#    connecting afterwards is stored;
#  - a frame of exactly --max-frame octets is taken whole; one octet more
#    is dropped and counted in frames_oversize, and the daemon goes on;
#  - names at their limits (127 labels, escaped dots, zero octets, upper
#    case, 63-octet labels) stored and found exactly, also by the CLI;
#  - RRsets over 64 KiB: counted in records_rejected, the rest of the
#    frame stored;
#  - floods of random names: rearviewd's anonymous memory stays within
#    the bound its configuration sets (flush-max), whatever the names, and
#    stops growing (a plateau over equal floods, also under ASan);
#  - garbage in every import line: each bad line reported with its number
#    and counted, good lines around them stored;
#  - absurd CLI arguments: exit 1, 2 or 3 with one line on stderr, in time.
. "$(dirname "$0")/indexer_lib.sh"
CLI=$B/cli/rearview
ROGUE=$B/tools/rel_rogue
for b in "$CLI" "$ROGUE"; do [ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }; done
URL=ipc://$T/in.sock
MAX=1048576
start_rvd -d "$T/db" -l "$URL" --flush-interval 100 --flush-max 1000 \
	--max-frame $MAX -v
rrsets() { "$DUMP" "$T/db" rrsets; }
alive() { kill -0 "$RVD_PID" 2>/dev/null || fail "rearviewd died: $1"; }
# rows_are PATTERN N: wait (10 s at most) until N stored rows match.
rows_are() {
	local i
	for i in $(seq 100); do
		[ "$(rrsets | grep -c "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- lying frames ---------------------------------------------------------
"$ROGUE" --connect "$URL" lies >"$T/lies.out" || fail "rel_rogue lies"
read -r _ nlies _ ninv < <(grep '^lies' "$T/lies.out")
[ "$nlies" -gt 300 ] || fail "only $nlies lies sent"
wait_stat frames_rejected "$ninv"
wait_stat frames $((1 + nlies - ninv))
alive "after lying frames"
rrsets | grep 'lies\.test' >"$T/lies.rr"
[ "$(wc -l <"$T/lies.rr")" = 3 ] || fail "lies.test rows: $(cat "$T/lies.rr")"
for n in one:1 two:2 three:3; do
	grep -q "^${n%:*}\.lies\.test\. A test\. $((1 + nlies - ninv)) .* rogue 198\.51\.100\.${n#*:}\$" "$T/lies.rr" ||
		fail "${n%:*}.lies.test wrong: $(cat "$T/lies.rr")"
done
ok "$nlies lying frames: $ninv rejected and counted, the honest RRsets exact"

# --- hang-ups during the handshake -----------------------------------------
# nng 1.5.2 took the EPIPE of its header write to a peer that had gone as
# its own socket closing, and accepted nothing more (nanomsg/nng#1518);
# rearviewd reports that EPIPE as a reset (lib/nng_epipe.c).
"$ROGUE" --connect "$URL" hangup --count 200 >"$T/hangup.out" ||
	fail "rel_rogue hangup: $(cat "$T/hangup.out")"
"$ROGUE" --connect "$URL" --sensor after-hangup valid --count 10 >/dev/null ||
	fail "a valid sender after the hang-ups"
rows_are after-hangup 10 ||
	fail "nothing stored after 200 hang-ups: the listener stopped accepting"
alive "after hang-ups"
ok "200 connections that hung up before the handshake; the next sensor's 10 records stored"

# --- frames at and over the maximum size ----------------------------------
"$ROGUE" --connect "$URL" size --size $MAX >"$T/size.out" || fail "size frame"
read -r _ _ _ nrec < <(grep '^size' "$T/size.out")
f0=$(dbstat frames)
wait_stat frames $((f0 + 0))
rows_are 'size\.test' "$nrec" || fail "frame of $MAX octets not stored whole"
rrsets | grep -q '^pad\.size\.test\. TXT test\. 1 .*<6[0-9]* octets>$' || fail "padding TXT"
"$ROGUE" --connect "$URL" size --size $((MAX + 1)) >/dev/null
"$ROGUE" --connect "$URL" --sensor after-big valid --count 10 >/dev/null ||
	fail "a valid sender after the oversized frame"
rows_are after-big 10 || fail "nothing stored after the oversized frame"
rrsets | grep -q '^pad\.size\.test\. TXT test\. 1 ' || fail "oversized frame was stored"
wait_stat frames_oversize 1
alive "after frames over the maximum"
ok "a $MAX-octet frame is stored ($nrec RRsets); $((MAX + 1)) octets is dropped and counted, the daemon goes on"

# --- names at their limits -----------------------------------------------
"$ROGUE" --connect "$URL" names >/dev/null || fail "names frame"
want='a\.b.names.test. zero\000x.names.test. \000.names.test. upper.names.test. back\\slash.names.test. sp\032ace.names.test.'
rows_are 'names\.test\.' 7
for n in $want xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.names.test.; do
	rrsets | grep -qF "$n A test. 1 " || fail "name $n not stored as such: $(rrsets | grep names)"
done
deep=$(printf 'a.%.0s' $(seq 125))z.t.
rrsets | grep -qF "$deep A " || fail "127-label name not stored"
"$CLI" lookup -d "$T/db" 'a\.b.names.test' -o json >"$T/q" || fail "CLI escaped-dot lookup"
[ "$(wc -l <"$T/q")" = 1 ] && grep -qF '"rrname":"a\\.b.names.test."' "$T/q" ||
	fail "escaped-dot lookup: $(cat "$T/q")"
"$CLI" lookup -d "$T/db" 'a.b.names.test' >/dev/null; [ $? = 1 ] ||
	fail "a.b.names.test must not match a\\.b.names.test"
"$CLI" lookup -d "$T/db" "$deep" -o json | grep -q '"rdata":\["198.51.100.9"\]' ||
	fail "127-label name not found by the CLI"
"$CLI" lookup -d "$T/db" '*.names.test' -l 0 -o json >"$T/q"
[ "$(wc -l <"$T/q")" = 7 ] || fail "*.names.test: $(wc -l <"$T/q") rows, want 7"
ok "127 labels, escaped dots, zero octets, case: stored and found exactly"

# --- RRsets over 64 KiB ---------------------------------------------------
r0=$(dbstat records_rejected)
"$ROGUE" --connect "$URL" bigset >/dev/null || fail "bigset frame"
wait_stat records_rejected $((r0 + 2))
for _ in $(seq 50); do rrsets | grep -q '^small\.bigset' && break; sleep 0.1; done
rrsets | grep -q '^small\.bigset\.test\. A .* 198\.51\.100\.1$' || fail "the small RRset of the frame"
rrsets | grep -qE '^(many-a|big-txt)\.bigset' && fail "an RRset over 64 KiB was stored"
alive "after RRsets over 64 KiB"
ok "RRsets over 64 KiB (20000 A, 80 KB TXT): 2 records rejected and counted"

# --- a flood of random names: memory stays within its configured bound --------
# What rearviewd holds is bounded by its configuration, not by the names it
# has seen: two aggregation tables of at most 2 x flush-max (1000) entries,
# and LMDB's dirty pages of one flush (each of ~6 index rows per RRset on its
# own 4 KiB page when the tree is large): about 50 MiB. A fresh daemon on the
# same database takes FLOODS equal floods of NFLOOD new random names (each
# flood its own seed: new RRsets, new owners), and its anonymous memory
# (RssAnon) is read before and after each:
#  - plain build: after every flood within the bound, 96 MiB;
#  - every build: the plateau. Growth over the last two floods (200k new
#    names) at most 16 MiB (measured: 6 MiB), 24 MiB under ASan (measured:
#    10 MiB). A leak of 500 octets per name adds ~48 MiB per flood, ~95 MiB
#    over those two (~150 MiB under ASan); one of 100 octets, ~19 MiB
#    (~48 MiB under ASan). Both were injected once and failed this test on
#    both builds.
# Under ASan RssAnon also holds shadow memory and whatever the quarantine
# keeps of freed memory (256 MiB by default), so its level is not the
# daemon's footprint and no bound is asserted on it there; this daemon runs
# with the quarantine off and freed memory returned to the OS at once, so
# the growth between floods is what the program keeps, as on the plain build.
FLOODS=${RV_FLOODS:-4} NFLOOD=100000	# RV_FLOODS=10: a longer look at the curve
[ "$FLOODS" -ge 3 ] || fail "RV_FLOODS must be 3 or more: the plateau is after the first flood"
bound=$((96 * 1024)) plateau=$((16 * 1024))
asan=0
readelf -d "$RVD" 2>/dev/null | grep -q 'NEEDED.*libasan' && asan=1 plateau=$((24 * 1024))
stop_rvd
mv "$T/rvd.log" "$T/rvd-hostile.log"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:allocator_release_to_os_interval_ms=0" \
	start_rvd -d "$T/db" -l "$URL" --flush-interval 100 --flush-max 1000 \
	--max-frame $MAX -v
anon() { awk '/^RssAnon:/ { print $2 }' "/proc/$RVD_PID/status"; }
o0=$(dbstat observations)
mem=("$(anon)")
for k in $(seq "$FLOODS"); do
	"$GEN" -q -s $((10 + k)) -n "$NFLOOD" -r "$NFLOOD" -c "$URL" || fail "flood $k"
	for _ in $(seq 1800); do
		[ "$(dbstat observations)" -ge $((o0 + k * NFLOOD)) ] && break
		sleep 0.1
	done
	[ "$(dbstat observations)" -ge $((o0 + k * NFLOOD)) ] ||
		fail "flood $k: observations $(dbstat observations), want $((o0 + k * NFLOOD))"
	alive "flood $k"
	mem+=("$(anon)")
done
figs="${mem[*]}"
figs=${figs// / -> }
grow=$((mem[FLOODS] - mem[FLOODS - 2]))
build=plain; [ "$asan" = 1 ] && build="ASan, quarantine off"
ok "$FLOODS floods of $NFLOOD random names ($(dbstat rrsets) distinct RRsets in the db), $build: anonymous memory $figs KiB; ${grow} KiB over the last two floods"
if [ "$asan" = 0 ]; then
	for k in $(seq "$FLOODS"); do
		[ "${mem[k]}" -le "$bound" ] ||
			fail "rearviewd's memory beyond its configured bound ($bound KiB) after flood $k: $figs KiB"
	done
fi
[ "$grow" -le "$plateau" ] ||
	fail "rearviewd's memory grows with the names it has seen: $grow KiB over the last $((2 * NFLOOD)) names (at most $plateau KiB): $figs KiB"
stop_rvd

# --- garbage in import lines --------------------------------------------------
G=$T/garbage.json
{
	echo '{"rrname":"good1.imp.test","rrtype":"A","rdata":"192.0.2.1","time_first":1500000000}'
	head -c 300 /dev/urandom | tr -d '\n\r'; echo
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":"192.0.2.1","time_first":1'
	echo '[]'
	echo '"string"'
	echo '12345'
	echo '{"rrname":5,"rrtype":"A","rdata":"192.0.2.1","time_first":1}'
	echo "{\"rrname\":\"$(head -c 10000 /dev/zero | tr '\0' a).imp.test\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\",\"time_first\":1}"
	echo "{\"rrname\":\"$(head -c 64 /dev/zero | tr '\0' a).imp.test\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\",\"time_first\":1}"
	echo '{"rrname":"a..imp.test","rrtype":"A","rdata":"192.0.2.1","time_first":1}'
	echo '{"rrname":"x.imp.test","rrtype":"BOGUS","rdata":"192.0.2.1","time_first":1}'
	echo '{"rrname":"x.imp.test","rrtype":70000,"rdata":"192.0.2.1","time_first":1}'
	echo '{"rrname":"x.imp.test","rrtype":-1,"rdata":"192.0.2.1","time_first":1}'
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":"not-an-address","time_first":1}'
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":[],"time_first":1}'
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":[1,2],"time_first":1}'
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":{"a":1},"time_first":1}'
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":"192.0.2.1","time_first":-5}'
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":"192.0.2.1","time_first":1e20}'
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":"192.0.2.1","time_first":99999999999999999999999}'
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":"192.0.2.1","time_first":4294967296}'
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":"192.0.2.1","time_first":20,"time_last":10}'
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":"192.0.2.1"}'
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":"192.0.2.1","time_first":1,"count":0}'
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":"192.0.2.1","time_first":1,"count":"many"}'
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":"192.0.2.1","time_first":1,"bailiwick":5}'
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":"192.0.2.1","time_first":1,"bailiwick":"a..b"}'
	echo '{"rrname":"x.imp.test","rrtype":"A","rdata":"192.0.2.1","time_first":1,"sensor_id":""}'
	echo "{\"rrname\":\"x.imp.test\",\"rrtype\":\"A\",\"rdata\":\"192.0.2.1\",\"time_first\":1,\"sensor_id\":\"$(head -c 65 /dev/zero | tr '\0' s)\"}"
	echo '{"rrname":"x\u0000y.imp.test","rrtype":"A","rdata":"192.0.2.1","time_first":1}'
	printf '%.0s[' $(seq 5000); printf '%.0s]' $(seq 5000); echo
	echo "{\"rrname\":\"x.imp.test\",\"rrtype\":\"TXT\",\"rdata\":\"$(head -c 70000 /dev/zero | tr '\0' t)\",\"time_first\":1}"
	printf '{"rrname":"x.imp.test","rrtype":"A","time_first":1,"rdata":['
	for i in $(seq 0 19999); do printf '"10.%d.%d.%d",' $((i / 65536)) $((i / 256 % 256)) $((i % 256)); done
	echo '"10.9.9.9"]}'
	printf '%*s{}\n' 3000000 ''
	echo '{"rrname":"good2.imp.test","rrtype":"TXT","rdata":"\"a\\\\.b\" \"c\"","time_first":1500000000,"time_last":1500000500,"count":7}'
	echo '{"rrname":"a\\.b.imp.test","rrtype":"NS","rdata":["NS1.Imp.TEST.","ns2.imp.test."],"time_first":1500000000}'
} >"$G"
lines=$(wc -l <"$G")
bad=$((lines - 3))
timeout 120 "$RVD" -d "$T/db" --import "$G" --sensor garbage 2>"$T/imp.log"
rc=$?
[ "$rc" = 0 ] || fail "import exit $rc: $(tail -3 "$T/imp.log")"
grep -q "3 records, $bad bad lines of $lines" "$T/imp.log" || fail "import summary: $(tail -2 "$T/imp.log")"
for l in $(seq 2 $((lines - 2))); do
	grep -q "garbage.json:$l: " "$T/imp.log" || fail "bad line $l not reported"
done
[ "$(dbstat records_rejected)" -ge "$bad" ] || fail "records_rejected $(dbstat records_rejected)"
rrsets | grep -q '^good1\.imp\.test\. A \. 1 1500000000 1500000000 .* garbage 192\.0\.2\.1$' || fail "good1"
rrsets | grep -q '^good2\.imp\.test\. TXT \. 7 1500000000 1500000500 ' || fail "good2"
rrsets | grep -qF 'a\.b.imp.test. NS . 1 1500000000 1500000000 ' || fail "escaped owner"
rrsets | grep -qF 'ns1.imp.test.|ns2.imp.test.' || fail "NS rdata not canonical (lower case, sorted)"
[ "$(rrsets | grep -c 'imp\.test')" = 3 ] || fail "extra imported rows: $(rrsets | grep imp.test | cut -c1-100)"
ok "$bad garbage import lines (binary, truncated, wrong types, 10 KB names, 3 MB line, deep nesting, >64 KiB sets) reported and counted; 3 good lines stored"

# --- absurd CLI arguments ----------------------------------------------------
D=(-d "$T/db")
L10K=$(head -c 10000 /dev/zero | tr '\0' a)
S5K=$(head -c 5000 /dev/zero | tr '\0' s)
n=0
absurd() {	# WANT ARGS...: run the CLI, want exit WANT and a one-line error
	local want=$1; shift
	timeout 20 "$CLI" "$@" >"$T/cli.out" 2>"$T/cli.err"
	local rc=$?
	n=$((n + 1))
	[ "$rc" = "$want" ] || fail "rearview ${*:0:4}...: exit $rc, want $want: $(head -c 200 "$T/cli.err")"
	if [ "$want" -ge 2 ]; then
		[ "$(wc -l <"$T/cli.err")" = 1 ] || fail "rearview $1 $2: not one line on stderr: $(head -c 300 "$T/cli.err")"
		grep -q '^rearview: ' "$T/cli.err" || fail "error does not name the program"
	fi
	grep -qE 'Sanitizer|runtime error' "$T/cli.err" && fail "sanitizer: $(cat "$T/cli.err")"
	return 0
}
absurd 2 lookup "${D[@]}" "$L10K"
absurd 2 lookup "${D[@]}" ""
absurd 2 lookup "${D[@]}" "$(head -c 64 /dev/zero | tr '\0' a).test"
absurd 2 lookup "${D[@]}" "$(printf 'abcdefghij.%.0s' $(seq 30))"
absurd 2 lookup "${D[@]}" '*.'
absurd 2 lookup "${D[@]}" 'www.*.test'
absurd 2 lookup "${D[@]}" '\999.test'
absurd 2 lookup "${D[@]}" 'a\'
absurd 2 lookup "${D[@]}" '..'
absurd 2 lookup "${D[@]}" "$(printf 'b\377\376.test')"
absurd 2 lookup "${D[@]}" good1.imp.test -l 99999999999999999999999
absurd 2 lookup "${D[@]}" good1.imp.test -l -5
absurd 2 lookup "${D[@]}" good1.imp.test --offset 18446744073709551616
absurd 2 lookup "${D[@]}" good1.imp.test -t BOGUS
absurd 2 lookup "${D[@]}" good1.imp.test -t TYPE99999
absurd 2 lookup "${D[@]}" good1.imp.test -t ''
absurd 2 lookup "${D[@]}" good1.imp.test -A yesterday
absurd 2 lookup "${D[@]}" good1.imp.test -A 99999999999999999999
absurd 2 lookup "${D[@]}" good1.imp.test -B 2019-13-45
absurd 2 lookup "${D[@]}" good1.imp.test -A 2019-07-17T25:00:00Z
absurd 2 lookup "${D[@]}" good1.imp.test -A ''
absurd 2 lookup "${D[@]}" good1.imp.test --sort nonsense
absurd 2 lookup "${D[@]}" good1.imp.test -o xml
absurd 2 lookup "${D[@]}" good1.imp.test --bailiwick "$S5K"
absurd 2 lookup "${D[@]}" good1.imp.test --sensor "$S5K"
absurd 1 lookup "${D[@]}" good1.imp.test --sensor nosuchsensor
absurd 1 lookup "${D[@]}" good1.imp.test -A 4294967296
absurd 3 lookup "${D[@]}" -f /nonexistent
absurd 3 lookup -d "$T/nonexistent" good1.imp.test
absurd 3 lookup -d '' good1.imp.test
absurd 2 rdata ip "${D[@]}" 10.0.0.0/33
absurd 2 rdata ip "${D[@]}" ::/129
absurd 2 rdata ip "${D[@]}" 10.0.0.0/-1
absurd 2 rdata ip "${D[@]}" 10.0.0.0/99999999999999999999
absurd 2 rdata ip "${D[@]}" 1.2.3.4-1.2.3.3
absurd 2 rdata ip "${D[@]}" 1.2.3.4-::1
absurd 2 rdata ip "${D[@]}" 999.1.1.1
absurd 2 rdata ip "${D[@]}" ''
absurd 2 rdata raw "${D[@]}" zz
absurd 2 rdata raw "${D[@]}" abc
absurd 2 rdata raw "${D[@]}" ''
absurd 2 rdata name "${D[@]}" "$L10K"
absurd 2 rdata bogus "${D[@]}" x
absurd 2 asn "${D[@]}" 99999999999999999999
absurd 2 asn "${D[@]}" 4294967296
absurd 2 asn "${D[@]}" ''
absurd 2 subdomains "${D[@]}" ''
absurd 2 subdomains "${D[@]}" test --ip 10.0.0.0/33
absurd 2 history "${D[@]}" "$L10K"
absurd 2 summarize "${D[@]}" bogus
absurd 2 stats "${D[@]}" extra
absurd 2 bogus
absurd 2 ''
# Wide but valid: the whole address space, the whole tree, answered.
absurd 0 rdata ip "${D[@]}" 0.0.0.0/0 -l 1
absurd 0 lookup "${D[@]}" '*.test' -l 1
ok "$n absurd CLI invocations: each exit 1/2/3 with one line on stderr"
echo PASS
