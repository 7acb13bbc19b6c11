#!/bin/bash
# Frames over --max-frame: rearviewd, not nng, enforces the
# limit, so each one is counted (frames_oversize, inside frames_rejected),
# logged with its sender (address and port over tcp:// and tls+tcp://, pid
# and uid over ipc://) and dropped; the daemon goes on and stores the valid frames
# around them. A frame of exactly --max-frame is taken. Above nng's ceiling
# (twice --max-frame, at least 4 MiB) nng cuts the connection unseen: not
# counted (nng does not say why), the connection's close is logged, and the
# daemon still goes on. `rearview stats` shows the counter.
. "$(dirname "$0")/indexer_lib.sh"
ROGUE=$B/tools/rel_rogue
CLI=$B/cli/rearview
[ -x "$ROGUE" ] || { echo "SKIP: $ROGUE not built"; exit 77; }

MAX=65536
P=$(port 5)
TCP=tcp://127.0.0.1:$P
IPC=ipc://$T/in.sock
# tls+tcp:// too when openssl can make the certificates.
tls=() ntls=0
if command -v openssl >/dev/null; then
	ossl() { openssl "$@" >>"$T/openssl.log" 2>&1 || fail "openssl $1"; }
	ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=rv-test-ca \
		-keyout "$T/ca.key" -out "$T/ca.crt"
	for n in localhost client; do
		ossl req -newkey rsa:2048 -nodes -subj "/CN=$n" \
			-keyout "$T/$n.key" -out "$T/$n.csr"
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$T/$n.ext"
		ossl x509 -req -in "$T/$n.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" \
			-CAcreateserial -days 2 -extfile "$T/$n.ext" -out "$T/$n.crt"
	done
	cat "$T/client.crt" "$T/client.key" >"$T/client.both"
	TLS=tls+tcp://127.0.0.1:$(port 6)
	tls=(-l "$TLS" --tls-cert "$T/localhost.crt" --tls-key "$T/localhost.key"
		--tls-ca "$T/ca.crt")
	ntls=1
fi
start_rvd -d "$T/db" -l "$IPC" -l "$TCP" "${tls[@]}" --max-frame $MAX \
	--flush-interval 100
alive() { kill -0 "$RVD_PID" 2>/dev/null || fail "rearviewd died: $1"; }
rogue() { timeout 60 "$ROGUE" "$@" >>"$T/rogue.out" 2>&1 || fail "rel_rogue $*: $(tail -3 "$T/rogue.out")"; }

# Three valid frames over the limit: one octet over and 100000 octets over
# tcp://, 70000 octets over ipc:// (from a process whose pid we know).
rogue --connect "$TCP" size --size $((MAX + 1))
rogue --connect "$TCP" size --size 100000
"$ROGUE" --connect "$IPC" size --size 70000 >>"$T/rogue.out" 2>&1 &
rpid=$!
wait "$rpid" || fail "rel_rogue over ipc"
[ $ntls = 1 ] && rogue --connect "$TLS" --tls-ca "$T/ca.crt" \
	--tls-cert-key "$T/client.both" --tls-server-name localhost \
	size --size 80000
# Two malformed frames and 1000 sequential RRsets around them.
"$GEN" -q --seq -n 1000 -r 1000 --per-frame 100 --invalid 2 -c "$TCP" ||
	fail "rvgen"
nover=$((3 + ntls))
wait_stat frames_rejected $((nover + 2))
wait_stat frames_oversize $nover
alive "after frames over --max-frame"
ok "$nover frames over --max-frame and 2 malformed ones: frames_rejected $((nover + 2)), frames_oversize $nover"

grep -qE "rejected a frame of $((MAX + 1)) octets from 127\.0\.0\.1:[0-9]+: over --max-frame \($MAX\)" "$T/rvd.log" ||
	fail "no log line naming the tcp sender of the $((MAX + 1))-octet frame"
grep -qE "rejected a frame of 100000 octets from 127\.0\.0\.1:[0-9]+: over --max-frame" "$T/rvd.log" ||
	fail "no log line for the 100000-octet frame"
grep -qF "rejected a frame of 70000 octets from ipc peer pid $rpid uid $(id -u): over --max-frame ($MAX)" "$T/rvd.log" ||
	fail "no log line naming the ipc sender (pid $rpid): $(grep 70000 "$T/rvd.log")"
if [ $ntls = 1 ]; then
	grep -qE "rejected a frame of 80000 octets from 127\.0\.0\.1:[0-9]+: over --max-frame" "$T/rvd.log" ||
		fail "no log line naming the tls+tcp sender"
fi
[ "$(grep -c 'over --max-frame' "$T/rvd.log")" = $nover ] || fail "want $nover oversize log lines"
ok "each oversize frame logged with its sender (tcp/tls address and port, ipc pid and uid)"

# Exactly --max-frame is taken whole.
rogue --connect "$TCP" size --size $MAX
nrec=$(awk -v m=$MAX '$1 == "size" && $2 == m { print $4 }' "$T/rogue.out")
[ -n "$nrec" ] || fail "rel_rogue printed no record count"
wait_stat frames 11
[ "$("$DUMP" "$T/db" rrsets | grep -c '\.size\.test\. ')" = "$nrec" ] ||
	fail "the $MAX-octet frame's $nrec RRsets are not all stored"
"$DUMP" "$T/db" rrsets | grep -q '^pad\.size\.test\. TXT test\. 1 ' ||
	fail "pad.size.test seen more than once: an oversize frame was stored"
ok "a frame of exactly $MAX octets is stored ($nrec RRsets); none of the oversize ones"

# Above nng's ceiling (4 MiB here): the connection is closed unread.
rogue --connect "$TCP" size --size 5000000
rogue --connect "$TCP" --sensor after-big valid --count 10
wait_stat frames 12
alive "after a frame over nng's ceiling"
[ "$(dbstat frames_oversize)" = $nover ] || fail "frames_oversize $(dbstat frames_oversize): nng's cut is not countable"
grep -q 'connection #[0-9]* closed' "$T/rvd.log" || fail "no connection close logged"
ok "a 5000000-octet frame: nng closes the connection, the close is logged, the daemon goes on"

stop_rvd
missing=$("$DUMP" "$T/db" seqcheck 1000) || fail "$missing sequential RRsets missing"
[ "$("$DUMP" "$T/db" rrsets | grep -c 'rogue\.test\. A .* after-big ')" = 10 ] ||
	fail "the 10 RRsets sent after the oversize frames are not all stored"
ok "all RRsets of the valid frames are stored"
if [ -x "$CLI" ]; then
	"$CLI" stats -d "$T/db" -o table >"$T/stats.txt" || fail "rearview stats"
	grep -qE "^frames_oversize +$nover\$" "$T/stats.txt" || fail "rearview stats: $(cat "$T/stats.txt")"
	grep -qE "^frames_rejected +$((nover + 2))\$" "$T/stats.txt" || fail "rearview stats: $(cat "$T/stats.txt")"
	"$CLI" stats -d "$T/db" -o json | grep -q "\"frames_oversize\":$nover[,}]" ||
		fail "rearview stats -o json has no frames_oversize $nover"
	ok "rearview stats shows frames_oversize $nover of frames_rejected $((nover + 2))"
fi
echo PASS
