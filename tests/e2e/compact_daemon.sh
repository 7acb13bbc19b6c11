#!/bin/bash
# rearviewd compacts data.mdb online (store/rv_store_compact.c) while it
# receives: the same frames go into a rearviewd compacted on SIGUSR2 every
# half second and into one never compacted. The answers must be the same,
# the file must end at its pages in use, `rearview check` must find it
# sound, and a `rearview serve` started before the first compaction must
# follow every swap (its answers from the newest file, the old ones
# unmapped).
. "$(dirname "$0")/indexer_lib.sh"
RV=$B/cli/rearview
[ -x "$RV" ] || { echo "SKIP: $RV not built"; exit 77; }
[ -x "$B/serve/rearview-serve" ] || { echo "SKIP: rearview-serve not built"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl missing"; exit 77; }
export REARVIEW_SERVE="$B/serve/rearview-serve"
SERVE_PID=
EXTRA_CLEANUP='[ -n "$SERVE_PID" ] && kill -9 "$SERVE_PID" 2>/dev/null'

feed() {	# db extra-args...: all the frames into a new rearviewd
	local db=$1; shift
	: >"$T/rvd.log"
	start_rvd -d "$db" -l "ipc://$T/in.sock" --flush-interval 100 \
	    --archive-after 0 "$@"
	# the same seeded stream each time, over 4 s, RRsets seen again and
	# again (counts and last sightings change, pages are rewritten)
	"$GEN" -q -n 60000 -r 20000 --span 3000000 --start 1600000000 \
	    --per-frame 64 --rate 15000 --connect "ipc://$T/in.sock" &
	GEN_PID=$!
}
stat_of() {	# db key
	"$RV" stats --db "$1" -o csv | awk -F, -v k="$2" '$1 == k { print $2 }'
}
wait_all() {	# db
	for _ in $(seq 600); do
		[ "$(stat_of "$1" observations)" = 60000 ] && return 0
		sleep 0.1
	done
	fail "observations in $1: $(stat_of "$1" observations), want 60000"
}

feed "$T/c" --compact-above 0
wait_gen
wait_all "$T/c"
stop_rvd

feed "$T/k" --compact-above 0
p=$(port 1)
"$RV" serve --db "$T/k" --listen "127.0.0.1:$p" 2>"$T/serve.log" &
SERVE_PID=$!
for _ in $(seq 100); do
	curl -s -o /dev/null "http://127.0.0.1:$p/dnsdb/v2/ping" && break
	sleep 0.05
done
curl -s -o /dev/null "http://127.0.0.1:$p/dnsdb/v2/ping" || fail "rearview serve did not start"
# rvgen ends when its stream is sent (a minute at most); a rearviewd that
# died would leave it waiting for ever.
for _ in $(seq 240); do
	kill -0 "$GEN_PID" 2>/dev/null || break
	kill -USR2 "$RVD_PID" 2>/dev/null || fail "rearviewd died while compacting"
	# the service reads between the swaps
	curl -s -m 20 -o /dev/null "http://127.0.0.1:$p/api/v1/stats" ||
	    fail "rearview serve did not answer during the compactions"
	sleep 0.5
done
kill -0 "$GEN_PID" 2>/dev/null && fail "rvgen still sending after two minutes"
GEN_PID=
wait_all "$T/k"
n0=$(grep -c 'compact: data.mdb' "$T/rvd.log")
kill -USR2 "$RVD_PID"
for _ in $(seq 300); do
	[ "$(grep -c 'compact: data.mdb' "$T/rvd.log")" -gt "$n0" ] && break
	sleep 0.1
done
runs=$(grep -c 'compact: data.mdb' "$T/rvd.log")
[ "$runs" -ge 3 ] || { grep 'compact' "$T/rvd.log"; fail "$runs compactions while receiving, want 3 or more"; }
grep -q 'compact: .*error\|compact: .*unchanged\|compact: .*could not' "$T/rvd.log" &&
    { grep compact "$T/rvd.log"; fail "a compaction failed"; }

# The service answers from the newest file and has let the old ones go.
curl -s -m 20 "http://127.0.0.1:$p/api/v1/stats" >"$T/sstats" ||
    fail "rearview serve did not answer after the compactions"
grep -q '"observations":60000' "$T/sstats" ||
    fail "rearview serve sees $(grep -o '"observations":[0-9]*' "$T/sstats"), want 60000"
grep -q 'data.mdb (deleted)' "/proc/$SERVE_PID/maps" &&
    fail "rearview serve still maps a replaced data.mdb"

# The file is its pages in use (nothing was committed since the last one).
file=$(stat_of "$T/k" file_bytes)
used=$(stat_of "$T/k" used_bytes)
[ "$file" -le $((used + 8192)) ] || fail "data.mdb is $file octets after compacting, $used in use"
stop_rvd
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=
"$RV" check --db "$T/k" >"$T/check" 2>&1 || { cat "$T/check"; fail "rearview check after the compactions"; }
[ "$(stat_of "$T/k" rrsets)" = "$(stat_of "$T/c" rrsets)" ] || fail "rrsets differ"

same_answers "$T/k" "$T/c"
# A new rearviewd opens the compacted database and goes on.
: >"$T/rvd.log"
start_rvd -d "$T/k" -l "ipc://$T/in.sock" --flush-interval 100
"$GEN" -q -n 1000 --start 1700000000 --connect "ipc://$T/in.sock" ||
    fail "rvgen into the reopened database"
for _ in $(seq 300); do
	[ "$(stat_of "$T/k" observations)" = 61000 ] && break
	sleep 0.1
done
[ "$(stat_of "$T/k" observations)" = 61000 ] || fail "the reopened database took $(stat_of "$T/k" observations) observations, want 61000"
stop_rvd

# kill -9 while compacting, at several points: the database stays sound
# and whole, and the next start clears the half-written copy.
killed=0
for d in 0 0.005 0.01 0.02 0.04 0.08; do
	: >"$T/rvd.log"
	start_rvd -d "$T/k" -l "ipc://$T/in.sock" --flush-interval 50
	kill -USR2 "$RVD_PID"
	sleep "$d"
	kill -9 "$RVD_PID"; wait "$RVD_PID" 2>/dev/null; RVD_PID=
	grep -q 'compact: data.mdb' "$T/rvd.log" || killed=$((killed + 1))
	"$RV" check --db "$T/k" >"$T/check" 2>&1 ||
	    { cat "$T/check"; fail "rearview check after kill -9 $d s into a compaction"; }
	[ "$(stat_of "$T/k" observations)" = 61000 ] ||
	    fail "kill -9 $d s into a compaction: $(stat_of "$T/k" observations) observations, want 61000"
done
: >"$T/rvd.log"	# start_rvd waits for this start's 'ready:'
start_rvd -d "$T/k" -l "ipc://$T/in.sock"
[ -e "$T/k/compact.tmp" ] && fail "a killed compaction's copy is still there after a start"
stop_rvd
[ "$killed" -ge 1 ] || fail "no kill landed before a compaction finished"
ok "kill -9 at 6 points of a compaction ($killed before it finished): sound and whole each time"
ok "compacted $runs times while receiving and serving: data.mdb $file octets ($used in use), answers equal the control's, check clean"
echo "PASS: compact_daemon"
