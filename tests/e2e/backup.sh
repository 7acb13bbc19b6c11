#!/bin/bash
# backup.sh: `rearview backup DEST` end to end.
#  - taken while rearviewd ingests: the copy is sound (rearview check:
#    counters agree with the rows) and holds a prefix of the sequential
#    stream, no more than the source held right after;
#  - taken of a quiet database, compacted and --no-compact: every RRset,
#    negative answer and address row identical to the source (rv_dbdump),
#    the compacted file no larger, mode 0660, nothing left beside DEST;
#  - restored (rearviewd on the copy): ingest goes on where it was;
#  - DEST that exists, DEST in a missing directory, no DEST, a missing
#    database: one line and exit 3 (2 for usage), nothing created.
. "$(dirname "$0")/indexer_lib.sh"
CLI=$B/cli/rearview
[ -x "$CLI" ] || { echo "SKIP: $CLI not built"; exit 77; }
URL=ipc://$T/in.sock
N=200000
rows() { "$DUMP" "$1" rrsets | sort; }
wait_ge() {	# NAME VALUE SECONDS: until $T/db's counter reaches VALUE
	for _ in $(seq $(($3 * 10))); do
		[ "$(dbstat "$1")" -ge "$2" ] 2>/dev/null && return 0
		sleep 0.1
	done
	fail "$1 is $(dbstat "$1"), want at least $2"
}

start_rvd -d "$T/db" -l "$URL" --flush-interval 50 --flush-max 5000 -v
"$GEN" -q --seq -n $N -r $N --rate 40000 -c "$URL" &
GEN_PID=$!
wait_ge observations 20000 30
"$CLI" backup -d "$T/db" "$T/live" > "$T/live.out" 2> "$T/live.err" ||
	fail "backup during ingest: $(cat "$T/live.err")"
held=$(dbstat observations)
grep -qE "^backup $T/live: [0-9]+ RRsets, 0 negative answers, [0-9]+ observations, last write [0-9T:-]+Z; data.mdb [0-9]+ octets \(compacted\)$" "$T/live.out" ||
	fail "backup's summary line: $(cat "$T/live.out")"
"$CLI" check -d "$T/live" > "$T/check.out" 2>&1 || fail "the backup taken during ingest is not sound: $(tail -5 "$T/check.out")"
copied=$(DB=$T/live dbstat observations)
[ "$copied" -ge 20000 ] && [ "$copied" -le "$held" ] ||
	fail "the backup holds $copied observations; the source had at least 20000 before and $held after"
# What was copied is a prefix n0..n<copied-1> of the sequential stream.
"$DUMP" "$T/live" rrsets | awk '{ sub(/^n/, "", $1); sub(/\..*/, "", $1); print $1 }' | sort -n > "$T/live.ids"
[ "$(wc -l < "$T/live.ids")" = "$copied" ] && [ "$(head -1 "$T/live.ids")" = 0 ] &&
	[ "$(tail -1 "$T/live.ids")" = $((copied - 1)) ] ||
	fail "the backup during ingest is not a prefix of the stream ($copied rows, ids $(head -1 "$T/live.ids")..$(tail -1 "$T/live.ids"))"
ok "backup during ingest: sound, a prefix of $copied of the stream (the source had $held right after)"
wait_gen
wait_stat observations $N 60
stop_rvd

# A quiet database: both kinds of copy hold exactly what the source holds.
"$CLI" backup -d "$T/db" "$T/c" > /dev/null 2> "$T/c.err" || fail "backup: $(cat "$T/c.err")"
"$CLI" backup -d "$T/db" --no-compact "$T/p" > /dev/null 2> "$T/p.err" || fail "backup --no-compact: $(cat "$T/p.err")"
rows "$T/db" > "$T/db.rows"
for d in c p; do
	rows "$T/$d" | cmp -s - "$T/db.rows" || fail "backup $d: RRsets differ from the source"
	for what in stats neg; do
		"$DUMP" "$T/$d" $what | grep -v '^last_write' > "$T/$d.$what"
		"$DUMP" "$T/db" $what | grep -v '^last_write' | cmp -s - "$T/$d.$what" ||
			fail "backup $d: $what differ from the source"
	done
	[ "$(stat -c %a "$T/$d/data.mdb")" = 660 ] || fail "backup $d: data.mdb mode $(stat -c %a "$T/$d/data.mdb"), want 660"
done
[ "$(wc -l < "$T/db.rows")" = $N ] || fail "the source has $(wc -l < "$T/db.rows") RRsets, want $N"
cs=$(stat -c %s "$T/c/data.mdb") ps=$(stat -c %s "$T/p/data.mdb") ss=$(stat -c %s "$T/db/data.mdb")
[ "$cs" -le "$ps" ] && [ "$ps" = "$ss" ] || fail "sizes: compacted $cs, plain $ps, source $ss"
ls "$T" | grep -q partial && fail "a partial copy was left: $(ls "$T")"
ok "quiet database: compacted ($cs octets) and plain ($ps) copies identical to the source ($N RRsets)"

# Restore: rearviewd on the copy goes on from it.
start_rvd -d "$T/c" -l "$URL" --flush-interval 50 -v
"$GEN" -q --seq --from $N -n $((N + 1000)) -r $((N + 1000)) -c "$URL"
DB=$T/c wait_stat observations $((N + 1000)) 30
stop_rvd
"$CLI" check -d "$T/c" > "$T/check.out" 2>&1 || fail "the restored database is not sound: $(tail -5 "$T/check.out")"
ok "restored: rearviewd took 1000 more RRsets on the copy, sound"

# Refusals: one line on stderr, the right status, nothing created.
expect() {	# STATUS ARGS...: rearview ARGS exits STATUS with one line
	local want=$1; shift
	"$CLI" "$@" > "$T/r.out" 2> "$T/r.err"
	local rc=$?
	[ "$rc" = "$want" ] && [ "$(wc -l < "$T/r.err")" = 1 ] && [ ! -s "$T/r.out" ] ||
		fail "rearview $*: exit $rc (want $want), stderr: $(cat "$T/r.err")"
}
expect 3 backup -d "$T/db" "$T/c"
grep -q "exists" "$T/r.err" || fail "DEST that exists: $(cat "$T/r.err")"
expect 3 backup -d "$T/db" "$T/nope/x"
expect 2 backup -d "$T/db"
expect 2 backup -d "$T/db" "$T/a" "$T/b"
expect 3 backup -d "$T/missing" "$T/m"
# the query options are not backup's nor check's
expect 2 backup -d "$T/db" -A 2020-01-01 "$T/q"
grep -q "unknown option '-A'" "$T/r.err" || fail "backup -A: $(cat "$T/r.err")"
expect 2 check -d "$T/db" -l 5
grep -q "unknown option '-l'" "$T/r.err" || fail "check -l: $(cat "$T/r.err")"
[ -e "$T/nope" ] || [ -e "$T/a" ] || [ -e "$T/m" ] || [ -e "$T/q" ] && fail "a refused backup created something: $(ls "$T")"
ls "$T" | grep -q partial && fail "a partial copy was left: $(ls "$T")"
ok "refusals: one line each, nothing created"
echo "PASS: backup"
