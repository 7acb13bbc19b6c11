#!/bin/bash
# rel_space.sh: space exhaustion.
#  - A map that fills grows by itself: rearviewd starts with a 1 MiB map
#    and takes 60000 RRsets, logging each growth; all of them are there.
#  - A full file system: the database lives on a small tmpfs mounted here
#    (skip, 77, when mounting is not permitted). A stream larger than the
#    file system fills it: rearviewd logs a clear "disk is full" error,
#    keeps running and keeps what it had (mdb_stat clean, readers see
#    every RRset committed so far, a gapless prefix); then the file system
#    is grown (remount) and the same process, without a restart, writes
#    what it held and what was still coming: every RRset of the stream is
#    there, once.
. "$(dirname "$0")/indexer_lib.sh"
CLI=$B/cli/rearview
[ -x "$CLI" ] || { echo "SKIP: $CLI not built"; exit 77; }
command -v mdb_stat >/dev/null || { echo "SKIP: mdb_stat missing"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: mounting a tmpfs needs root"; exit 77; }
FS=$T/fs
mkdir -p "$FS"
mount -t tmpfs -o size=12m,mode=0755 rv-rel-space "$FS" 2>"$T/mount.err" ||
	{ echo "SKIP: cannot mount a tmpfs: $(cat "$T/mount.err")"; exit 77; }
MOUNTED=1
space_cleanup() {
	[ -n "$RVD_PID" ] && kill -9 "$RVD_PID" 2>/dev/null
	[ -n "${GEN_PID:-}" ] && kill -9 "$GEN_PID" 2>/dev/null
	wait 2>/dev/null
	RVD_PID= GEN_PID=
	[ "${MOUNTED:-0}" = 1 ] && umount "$FS"
	cleanup
}
trap space_cleanup EXIT
PER=100

# --- a full map grows -------------------------------------------------------------
start_rvd -d "$T/db" -l "ipc://$T/in.sock" --mapsize 1 --flush-interval 100 -v
"$GEN" -q --seq -n 60000 -r 60000 --per-frame $PER -c "ipc://$T/in.sock" || fail "rvgen"
stop_rvd
grows=$(grep -c 'LMDB map grown to' "$T/rvd.log")
[ "$grows" -ge 1 ] || fail "the 1 MiB map did not grow"
"$DUMP" "$T/db" seqcheck 60000 >/dev/null || fail "RRsets missing after map growth"
ok "1 MiB map grew by itself in $grows flushes ($(grep -o 'grown to [0-9]* MiB' "$T/rvd.log" | tail -1)); all 60000 RRsets there"

# --- a full file system -------------------------------------------------------------
: >"$T/rvd.log"
N=200000
start_rvd -d "$FS/db" -l "ipc://$T/in2.sock" --mapsize 64 --flush-interval 100 \
	--flush-max 20000 -v
pid=$RVD_PID
"$GEN" -q --seq -n $N -r $N --per-frame $PER -c "ipc://$T/in2.sock" &
GEN_PID=$!
for _ in $(seq 600); do
	grep -q 'disk is full' "$T/rvd.log" && break
	kill -0 "$RVD_PID" 2>/dev/null || fail "rearviewd died filling the disk"
	sleep 0.1
done
grep -q 'disk is full' "$T/rvd.log" || fail "no 'disk is full' error (df: $(df -k "$FS" | tail -1))"
sleep 1
kill -0 "$RVD_PID" 2>/dev/null || fail "rearviewd died on a full disk"
err=$(grep -m1 'disk is full' "$T/rvd.log" | sed 's/^[^ ]* //')
df -k "$FS" | tail -1 >"$T/df.txt"
# What it had is intact and readable while the disk is full.
mdb_stat -a "$FS/db" >"$T/stat.txt" 2>&1 || fail "mdb_stat on the full disk: $(tail -2 "$T/stat.txt")"
have=$("$DUMP" "$FS/db" stats | awk '$1 == "rrsets" { print $2 }')
[ "$have" -gt 0 ] && [ "$have" -lt $N ] || fail "$have RRsets stored on a 12 MiB file system"
"$DUMP" "$FS/db" seqcheck "$have" >/dev/null || fail "what was stored before the disk filled is not intact"
"$CLI" lookup -d "$FS/db" "n$((have - 1)).seq.test" >/dev/null || fail "reader on the full disk"
ok "disk full after $have RRsets: '$err'; daemon alive, mdb_stat clean, a reader sees all $have"

# Space comes back: the same process goes on.
mount -o remount,size=256m "$FS" || fail "remount"
wait "$GEN_PID" || fail "rvgen did not finish after space came back"
GEN_PID=
for _ in $(seq 300); do
	[ "$("$DUMP" "$FS/db" stats | awk '$1 == "rrsets" { print $2 }')" = $N ] && break
	sleep 0.1
done
[ "$RVD_PID" = "$pid" ] && kill -0 "$pid" 2>/dev/null || fail "rearviewd was restarted or died"
stop_rvd
"$DUMP" "$FS/db" seqcheck $N >/dev/null || fail "not every RRset arrived after space came back"
obs=$("$DUMP" "$FS/db" stats | awk '$1 == "observations" { print $2 }')
[ "$obs" = $N ] || fail "observations $obs, want $N (each RRset once)"
mdb_stat -a "$FS/db" >/dev/null || fail "mdb_stat at the end"
retries=$(grep -c 'disk is full' "$T/rvd.log")
ok "space back: the same process wrote all $N RRsets after $retries failed flushes, nothing lost or doubled"
echo PASS
