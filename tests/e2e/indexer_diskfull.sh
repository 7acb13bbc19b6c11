#!/bin/bash
# A full disk: rearviewd's database on a 2 MiB tmpfs. Flushes fail with a
# clear "disk is full" error, rearviewd keeps the data in memory and
# retries; once there is space every RRset arrives, and the database is
# consistent throughout (mdb_stat). Needs root to mount a tmpfs.
. "$(dirname "$0")/indexer_lib.sh"
command -v mdb_stat >/dev/null || { echo "SKIP: mdb_stat missing"; exit 77; }
mkdir "$T/mnt"
mount -t tmpfs -o size=2m tmpfs "$T/mnt" 2>/dev/null ||
	{ echo "SKIP: cannot mount a tmpfs (needs root)"; exit 77; }
EXTRA_CLEANUP='umount "$T/mnt" 2>/dev/null'
DB=$T/mnt/db

start_rvd -d "$T/mnt/db" -l "ipc://$T/in.sock" --mapsize 64 \
	--flush-interval 100 -v
"$GEN" -q --seq -n 40000 -r 40000 --per-frame 100 -c "ipc://$T/in.sock" ||
	fail "rvgen"
for _ in $(seq 1200); do
	grep -q 'the disk is full' "$T/rvd.log" && break
	sleep 0.1
done
grep -q 'flush failed (no space left): the disk is full; .* retrying' "$T/rvd.log" ||
	fail "no disk-full error in the log"
kill -0 "$RVD_PID" || fail "rearviewd died on a full disk"
mdb_stat -a "$T/mnt/db" >/dev/null 2>&1 || fail "mdb_stat on a full disk"
ok "disk full: a clear error, rearviewd alive, database consistent"

mount -o remount,size=64m "$T/mnt" || fail "remount"
for _ in $(seq 1200); do
	[ "$(dbstat observations 2>/dev/null)" = 40000 ] && break
	sleep 0.1
done
stop_rvd
"$DUMP" "$T/mnt/db" seqcheck 40000 >/dev/null || fail "RRsets missing after the retry"
mdb_stat -a "$T/mnt/db" >/dev/null 2>&1 || fail "mdb_stat after the retry"
ok "with space again the retried flush stores all 40000 RRsets"
echo PASS
