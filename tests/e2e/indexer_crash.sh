#!/bin/bash
# kill -9 during heavy ingest, then restart: the database opens, mdb_stat
# is clean, and every RRset whose flush completed (rearviewd logs
# "flush N committed ... frames through #F") is there.
. "$(dirname "$0")/indexer_lib.sh"
command -v mdb_stat >/dev/null || { echo "SKIP: mdb_stat missing"; exit 77; }

PER=100
start_rvd -d "$T/db" -l "ipc://$T/in.sock" --flush-interval 100 \
	--flush-max 20000 -v
"$GEN" -q --seq -n 3000000 -r 3000000 --per-frame $PER -c "ipc://$T/in.sock" &
GEN_PID=$!
# Let some flushes complete, then kill in the middle of the stream (no
# time limit is asserted: a loaded machine only makes this slower).
for _ in $(seq 1200); do
	[ "$(grep -c 'committed' "$T/rvd.log")" -ge 5 ] && break
	sleep 0.1
done
kill -9 "$RVD_PID"
wait "$RVD_PID" 2>/dev/null
RVD_PID=
kill "$GEN_PID" 2>/dev/null
wait "$GEN_PID" 2>/dev/null
GEN_PID=
last=$(grep -o 'committed: .*frames through #[0-9]*' "$T/rvd.log" | tail -1 |
	sed 's/.*#//')
[ -n "$last" ] && [ "$last" -gt 0 ] || fail "no completed flush before the kill"
ok "killed after frames through #$last were committed"

mdb_stat -a "$T/db" >"$T/stat.txt" 2>&1 || fail "mdb_stat: $(cat "$T/stat.txt")"
ok "mdb_stat is clean after kill -9"
want=$((last * PER))
missing=$("$DUMP" "$T/db" seqcheck "$want") ||
	fail "$missing of $want committed RRsets missing"
ok "all $want RRsets of completed flushes are there"

# Restart on the same database: it opens, ingests, exits cleanly.
start_rvd -d "$T/db" -l "ipc://$T/in.sock" --flush-interval 100
"$GEN" -q --seq -n 1000 -r 1000 --per-frame $PER -c "ipc://$T/in.sock" ||
	fail "rvgen after restart"
stop_rvd
"$DUMP" "$T/db" seqcheck 1000 >/dev/null || fail "data after restart missing"
mdb_stat -a "$T/db" >/dev/null 2>&1 || fail "mdb_stat after restart"
ok "restart: opens, ingests, SIGTERM flushes and exits 0"
echo PASS
