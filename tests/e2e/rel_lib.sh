# rel_lib.sh: what the reliability tests (rel_*.sh) add to harness.sh:
# rearviewd, the CLI and the test helpers inside a harness test, so a test
# can run the whole pipeline (NSD -> Unbound + module -> rearviewd -> LMDB
# -> rearview) and kill any part of it. Source after harness.sh and
# rv_init (bash).
#
#   rel_bins                    RVD CLI DUMP GEN ROGUE; skip if one is missing
#   rel_rvd_start ARGS...       rearviewd in the background, log
#                               $RV_TMP/rvd.log, RVD_PID; waits for "ready:"
#   rel_rvd_stop                SIGTERM, wait; fail unless it exits 0
#   rel_rvd_kill9               kill -9, wait
#   rel_dbstat DB NAME          a meta counter read through lib/ (rv_dbdump)
#   rel_rss PID                 resident set size in KiB
#   rel_wait_dbstat DB NAME MIN [SECONDS]

rel_bins() {
  RVD=$RV_TOP_BUILDDIR/indexer/rearviewd
  CLI=$RV_TOP_BUILDDIR/cli/rearview
  DUMP=$RV_TOP_BUILDDIR/tests/e2e/rv_dbdump
  GEN=$RV_TOP_BUILDDIR/tests/e2e/rvgen
  ROGUE=$RV_TOP_BUILDDIR/tests/e2e/rel_rogue
  local b
  for b in "$RVD" "$CLI" "$DUMP" "$GEN" "$ROGUE"; do
    [ -x "$b" ] || rv_skip "$b not built"
  done
}

rel_rvd_start() {
  "$RVD" "$@" >> "$RV_TMP/rvd.log" 2>&1 &
  RVD_PID=$!
  RV_BG_PIDS="$RV_BG_PIDS $RVD_PID"
  local i
  for i in $(seq 150); do
    [ "$(grep -c 'ready:' "$RV_TMP/rvd.log" 2>/dev/null)" -gt "${RVD_STARTS:-0}" ] && {
      RVD_STARTS=$((${RVD_STARTS:-0} + 1)); return 0; }
    kill -0 "$RVD_PID" 2>/dev/null || rv_fail "rearviewd exited at start: $(tail -3 "$RV_TMP/rvd.log")"
    sleep 0.1
  done
  rv_fail "rearviewd not ready after 15 s"
}

rel_rvd_stop() {
  kill -TERM "$RVD_PID" 2>/dev/null
  wait "$RVD_PID"
  local rc=$?
  RVD_PID=
  [ "$rc" = 0 ] || rv_fail "rearviewd exited $rc after SIGTERM: $(tail -3 "$RV_TMP/rvd.log")"
}

rel_rvd_kill9() {
  kill -9 "$RVD_PID" 2>/dev/null
  wait "$RVD_PID" 2>/dev/null
  RVD_PID=
}

rel_dbstat() { "$DUMP" "$1" stats | awk -v k="$2" '$1 == k { print $2 }'; }

rel_wait_dbstat() {
  local i v
  for i in $(seq $((${4:-20} * 10))); do
    v=$(rel_dbstat "$1" "$2")
    [ -n "$v" ] && [ "$v" -ge "$3" ] && return 0
    sleep 0.1
  done
  return 1
}

rel_rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
