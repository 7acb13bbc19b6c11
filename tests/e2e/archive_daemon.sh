#!/bin/bash
# rearviewd archives while it receives (docs/ARCHIVE.md): the same frames
# go into a rearviewd that archives on SIGUSR1 (everything older than a
# second, in small steps between flushes) and into one that never
# archives; the answers must be the same, and the first must hold its
# history in segments.
. "$(dirname "$0")/indexer_lib.sh"
RV=$B/cli/rearview
[ -x "$RV" ] || { echo "SKIP: $RV not built"; exit 77; }

feed() {	# db extra-args...: all the frames into a new rearviewd
	local db=$1; shift
	: >"$T/rvd.log"
	start_rvd -d "$db" -l "ipc://$T/in.sock" --flush-interval 100 "$@"
	# the same seeded stream each time, slow enough (4 s) for several
	# archive runs to happen while it arrives
	"$GEN" -q -n 60000 -r 20000 --span 3000000 --start 1600000000 \
	    --per-frame 64 --rate 15000 --connect "ipc://$T/in.sock" &
	GEN_PID=$!
}
observations() {
	"$RV" stats --db "$1" -o csv | awk -F, '$1 == "observations" { print $2 }'
}
wait_all() {	# db
	for _ in $(seq 600); do
		[ "$(observations "$1")" = 60000 ] && return 0
		sleep 0.1
	done
	fail "observations in $1: $(observations "$1"), want 60000"
}

# The control.
feed "$T/c" --archive-after 0
wait_gen
wait_all "$T/c"
stop_rvd

# Archiving while the frames arrive: SIGUSR1 every half second.
feed "$T/a" --archive-after 1s --archive-every 1h --archive-budget 700
# rvgen ends when its stream is sent (a minute at most); a rearviewd that
# died would leave it waiting for ever.
for _ in $(seq 240); do
	kill -0 "$GEN_PID" 2>/dev/null || break
	kill -USR1 "$RVD_PID" 2>/dev/null || fail "rearviewd died while archiving"
	sleep 0.5
done
kill -0 "$GEN_PID" 2>/dev/null && fail "rvgen still sending after two minutes"
GEN_PID=
wait_all "$T/a"
kill -USR1 "$RVD_PID"
for _ in $(seq 600); do
	n=$(grep -c 'archive: .*ms$' "$T/rvd.log")
	[ "$(grep -c 'SIGUSR1' "$T/rvd.log")" -gt 0 ] && [ "$n" -gt 1 ] &&
	    ! grep -q 'archive: .*error' "$T/rvd.log" &&
	    [ "$("$RV" stats --db "$T/a" -o csv | awk -F, '$1 == "segments_pending" { print $2 }')" = 0 ] &&
	    [ "$("$RV" stats --db "$T/a" -o csv | awk -F, '$1 == "rows:rrset" { print $2 }')" = 0 ] && break
	kill -USR1 "$RVD_PID"
	sleep 0.2
done
stop_rvd
runs=$(grep -c 'archive: seg-' "$T/rvd.log")
[ "$runs" -ge 2 ] || { grep 'archive: ' "$T/rvd.log"; fail "$runs segments written while receiving, want 2 or more"; }
"$RV" stats --db "$T/a" -o csv >"$T/stats"
segs=$(awk -F, '$1 == "segments" { print $2 }' "$T/stats")
live=$(awk -F, '$1 == "rows:rrset" { print $2 }' "$T/stats")
[ "${segs:-0}" -ge 1 ] || fail "no segments: $(grep segments "$T/stats")"
[ "$live" = 0 ] || fail "$live RRsets still live after the last run"
grep -q 'archive: .*error\|archive: .*corrupt' "$T/rvd.log" && fail "an archive run failed"

same_answers "$T/a" "$T/c"
ok "archived while receiving: $runs runs wrote segments, $segs left after merging; answers equal the control's"
echo "PASS: archive_daemon"
