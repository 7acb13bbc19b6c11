#!/usr/bin/env bash
# rel_reload_stop.sh: an `unbound-control reload` can
# never hang on the module. rearviewd is SIGSTOPped while it receives
# large frames (1 MiB frames of unique wild.test names under dnsperf load:
# the module's pipe is stuck part-way through a frame, the kernel's socket
# buffer full, nng's send queue full); then REL_RELOADS (100) reloads, each
# followed by a query; then SIGCONT, rearviewd killed (-9, vanished
# mid-frame), more reloads, and the resolver still answers. A query gets
# 1 s (kdig +timeout=1, no retry); one that misses it is asked again with
# 3 s and 3 tries: an answer then is a slow one (a cold cache after the
# reload, a loaded machine: counted and printed, since a timing bound in a
# test only measures the machine), no answer is a hang and fails the test. The module's deinit closes nng
# on a helper thread with a deadline; a close that misses it is abandoned,
# counted in the log ("abandoned") and in the stats file
# (close_abandoned). The test prints how many closes were abandoned and
# Unbound's resident memory after reload 20 and after the last.
# REL_NO_MODULE=1 runs the same steps without the module (the control).
set -u
. "${RV_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/e2e/harness.sh"
. "$RV_TOP_SRCDIR/tests/e2e/rel_lib.sh"

RELOADS=${REL_RELOADS:-100}
rv_init reloadstop
# A stopped rearviewd ignores the SIGTERM of the cleanup: resume it first.
RVD_PID=
trap 'rc=$?; [ -n "$RVD_PID" ] && kill -CONT "$RVD_PID" 2>/dev/null; (exit $rc); rv_cleanup' EXIT
rel_bins
rv_need dnsperf
DB=$RV_TMP/db
# Large frames: up to 1 MiB or 65536 records, sent once a second.
rel_pipeline --db "$DB" --listen "$RV_INGEST" --flush-interval 100 -- \
  'frame-size: 1m' 'batch-size: 65536' 'batch-delay: 1000ms' 'queue-size: 16m'
rel_wild_load s 2000 900 -t 2

# An answer within 1 s (the issue's bound), else within 3 tries of 3 s
# (slow: counted in $SLOW), else none (a hang: returns 1).
SLOW=0
answers() {
  [ "$(kdig +short +timeout=1 +retry=0 @"$RV_RESOLVER" "$1" A 2>/dev/null)" = 192.0.2.99 ] && return 0
  [ "$(kdig +short +timeout=3 +retry=2 @"$RV_RESOLVER" "$1" A 2>/dev/null)" = 192.0.2.99 ] || return 1
  SLOW=$((SLOW + 1))
}

# Where Unbound's threads are, for the failure report.
stacks() {
  command -v gdb > /dev/null || return 0
  gdb -p "$UPID" -batch -ex 'thread apply all bt' > "$RV_TMP/unbound.stacks" 2>&1
  rv_log "unbound's threads: $RV_TMP/unbound.stacks"
  grep -E '^Thread|^#[0-9]+ ' "$RV_TMP/unbound.stacks" | grep -vE 'in (__GI_|__libc_|start_thread|clone)' | head -40 >&2
}

if [ "${REL_NO_MODULE:-0}" = 1 ]; then
  sleep 3
  kill -STOP "$RVD_PID"
else
  # Frames reach rearviewd, then it stops mid-frame: the module keeps
  # producing frames nobody takes, until its send queue is full and it
  # drops (dropped_send > 0 means nng took no more: the pipe is stuck).
  rv_wait_stat frames 2 30 || rv_fail "no frame sent before the stop"
  kill -STOP "$RVD_PID"
  rv_wait_stat dropped_send 1 60 || rv_fail "the module's pipe never filled up"
  rv_log "rearviewd stopped mid-frame: $(rv_stat frames) frames, $(rv_stat bytes) bytes sent, $(rv_stat dropped_send) records dropped at send"
fi

rss20=
for r in $(seq "$RELOADS"); do
  [ "$r" = $((RELOADS / 2)) ] && {
    # Half way: rearviewd resumes, then vanishes with frames in flight.
    kill -CONT "$RVD_PID"; sleep 0.3; rel_rvd_kill9; }
  rv_control reload > /dev/null || rv_fail "reload $r failed"
  answers "reload$r.wild.test" || {
    kill -0 "$UPID" 2>/dev/null || rv_fail "unbound died at reload $r"
    stacks; rv_fail "no answer after reload $r (1 s, then 3 tries of 3 s): a hang"; }
  [ "$r" = 20 ] && { sleep 0.5; rss20=$(rel_rss "$UPID"); }
done
sleep 1
rss_end=$(rel_rss "$UPID")
answers after.wild.test || rv_fail "no answer after the reloads"
kill -INT "$DP" 2>/dev/null; wait "$DP" 2>/dev/null
kill -0 "$UPID" 2>/dev/null || rv_fail "unbound died after the reloads"
[ -n "$RVD_PID" ] && { kill -CONT "$RVD_PID"; rel_rvd_kill9; }
if [ "${REL_NO_MODULE:-0}" = 1 ]; then
  rv_log "no module: $((RELOADS + 1 - SLOW)) of $((RELOADS + 1)) queries answered within 1 s"
  rv_log "no module: unbound RSS after reload 20: $rss20 KiB, after reload $RELOADS: $rss_end KiB"
  rv_resolver_stop
  rv_pass
fi
inits=$(grep -c 'rearview: capturing to ' "$RV_TMP/resolver/unbound.log")
[ "$inits" -ge $((RELOADS + 1)) ] || rv_fail "module initialised $inits times for $RELOADS reloads"
rv_expect_none "$RV_TMP/resolver/unbound.log" 'rearview: .*(disabled|loaded twice|cannot)' \
  "module came back enabled after each reload"
abandoned=$(grep -c 'rearview: .*abandoned' "$RV_TMP/resolver/unbound.log")
rv_log "$RELOADS reloads with rearviewd stopped, then killed: every one answered, $((RELOADS + 1 - SLOW)) of $((RELOADS + 1)) queries within 1 s; $abandoned nng closes abandoned"
rv_log "unbound RSS after reload 20: $rss20 KiB, after reload $RELOADS: $rss_end KiB"

rv_resolver_stop
[ "$RV_RESOLVER_STATUS" = 0 ] || rv_fail "unbound exited with status $RV_RESOLVER_STATUS"
rv_expect_none "$RV_TMP/resolver/unbound.out" 'Segmentation|Aborted|double free|corrupted' "clean exit"
rv_pass
