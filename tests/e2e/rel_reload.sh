#!/usr/bin/env bash
# rel_reload.sh: REL_RELOADS (100) `unbound-control
# reload`s under dnsperf load with the real rearviewd behind the module.
# The stronger version of module_reload.sh (8 reloads, kdig loops, the
# test receiver). Unbound must not crash; the module must come back
# enabled after every reload (its init line each time, never "disabled")
# and capture afterwards (records of names asked after the last reload are
# stored by rearviewd); no leak: under --enable-sanitizers the module runs
# with ASan and LeakSanitizer checks the whole process at exit
# (RV_LEAK_CHECK=1 here); in a normal build Unbound's resident memory
# after reload 20 and after the last is printed, and may not grow by more
# than 32 MiB over the last 80 reloads (Unbound drops its caches at each
# reload, so a leak of the module's per-init allocations would show).
# REL_NO_MODULE=1 runs the same reloads without the module: the control
# for the memory figure (bench/faults/reload.sh prints both). Resident
# memory is also sampled before every reload, and the least-squares slope
# over reloads 50 to the last (after warm-up) is printed in KiB per reload:
# one sample at reload 20 and one at the end swing by MiBs with what the
# caches hold at that instant. REL_MALLOC_STATS=1 (with gdb) also prints
# glibc's malloc_stats() totals after reload 50 and after the last: heap
# Unbound holds from the system and how much of it is allocated.
set -u
. "${RV_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/e2e/harness.sh"
. "$RV_TOP_SRCDIR/tests/e2e/rel_lib.sh"

RELOADS=${REL_RELOADS:-100}
export RV_LEAK_CHECK=${RV_LEAK_CHECK:-1}
rv_init reload100
rel_bins
rv_need dnsperf
DB=$RV_TMP/db
rel_pipeline --db "$DB" --listen "$RV_INGEST" --flush-interval 100
rel_wild_load r 300 600 -t 2
# heap_stats TAG: glibc's totals, from malloc_stats() called in Unbound.
heap_stats() {
  [ "${REL_MALLOC_STATS:-0}" = 1 ] && command -v gdb > /dev/null || return 0
  gdb -p "$UPID" -batch -ex 'call (void)malloc_stats()' > /dev/null 2>&1
  sleep 0.2
  rv_log "$1: heap $(grep -A2 '^Total (incl. mmap)' "$RV_TMP/resolver/unbound.out" |
    tail -2 | tr -s ' \n' ' ')"
}
rss20=
for r in $(seq "$RELOADS"); do
  sleep 0.1
  echo "$r $(rel_rss "$UPID")" >> "$RV_TMP/rss"
  rv_control reload > /dev/null || rv_fail "reload $r failed"
  kill -0 "$UPID" 2>/dev/null || rv_fail "unbound died at reload $r"
  [ "$r" = 20 ] && { sleep 0.5; rss20=$(rel_rss "$UPID"); }
  [ "$r" = 50 ] && heap_stats "after reload 50"
done
sleep 1
heap_stats "after reload $RELOADS"
rss_end=$(rel_rss "$UPID")
slope=$(awk '$1 >= 50 && $2 != "" { n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2 }
  END { if (n > 2 && n * sxx != sx * sx) printf "%.1f", (n * sxy - sx * sy) / (n * sxx - sx * sx); else print "n/a" }' "$RV_TMP/rss")
kill -INT "$DP" 2>/dev/null; wait "$DP" 2>/dev/null
kill -0 "$UPID" 2>/dev/null || rv_fail "unbound died after the reloads"
if [ "${REL_NO_MODULE:-0}" = 1 ]; then
  rv_log "no module: unbound RSS after reload 20: $rss20 KiB, after reload $RELOADS: $rss_end KiB; slope over reloads 50-$RELOADS: $slope KiB per reload"
  rv_resolver_stop
  rel_rvd_stop
  rv_pass
fi
inits=$(grep -c 'rearview: capturing to ' "$RV_TMP/resolver/unbound.log")
[ "$inits" -ge $((RELOADS + 1)) ] || rv_fail "module initialised $inits times for $RELOADS reloads"
rv_expect_none "$RV_TMP/resolver/unbound.log" 'rearview: .*(disabled|loaded twice|cannot)' \
  "module came back enabled after each reload"

# Capture still works: names asked now reach the database.
for i in 1 2 3; do
  [ "$(rv_q "after$i.reloads.wild.test" A)" = 192.0.2.99 ] || rv_fail "no answer after the reloads"
done
for _ in $(seq 100); do
  [ "$("$CLI" lookup -d "$DB" '*.reloads.wild.test' -o json 2>/dev/null | wc -l)" = 3 ] && break
  sleep 0.1
done
[ "$("$CLI" lookup -d "$DB" '*.reloads.wild.test' -o json 2>/dev/null | wc -l)" = 3 ] ||
  rv_fail "names asked after $RELOADS reloads were not stored"
during=$(rel_dbstat "$DB" observations)
sent=$(sed -n 's/.*Queries completed: *\([0-9]*\).*/\1/p' "$RV_TMP/dnsperf.out")
lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' "$RV_TMP/dnsperf.out")
rv_log "$RELOADS reloads under load: $sent queries answered, $lost lost (in flight at a reload), $during records stored; module initialised $inits times"
if [ "$RV_SANITIZED" = 0 ]; then
  rv_log "unbound RSS after reload 20: $rss20 KiB, after reload $RELOADS: $rss_end KiB; slope over reloads 50-$RELOADS: $slope KiB per reload"
  [ "$rss_end" -le $((rss20 + 32768)) ] ||
    rv_fail "unbound grew from $rss20 to $rss_end KiB over $((RELOADS - 20)) reloads"
fi

# A clean stop: the last deinit; LeakSanitizer reports at exit.
rv_resolver_stop
[ "$RV_RESOLVER_STATUS" = 0 ] || rv_fail "unbound exited with status $RV_RESOLVER_STATUS"
rv_expect_none "$RV_TMP/resolver/unbound.out" 'Segmentation|Aborted|double free|corrupted' "clean exit"
rel_rvd_stop
rv_pass
