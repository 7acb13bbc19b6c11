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
#   rel_pipeline RVD_ARGS... [-- MODULE_CONF_LINES...]
#                               NSD, rearviewd, the module, Unbound; UPID
#   rel_wild_load PREFIX RATE SECONDS [DNSPERF_ARGS...]
#                               dnsperf in the background (DP)

rel_bins() {
  RVD=$RV_TOP_BUILDDIR/indexer/rearviewd
  CLI=$RV_TOP_BUILDDIR/cli/rearview
  DUMP=$RV_TOP_BUILDDIR/tools/rv_dbdump
  GEN=$RV_TOP_BUILDDIR/tools/rvgen
  ROGUE=$RV_TOP_BUILDDIR/tools/rel_rogue
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

# rel_pipeline RVD_ARGS... [-- MODULE_CONF_LINES...]: the standard
# hierarchy, rearviewd with RVD_ARGS (kept in RVDARGS for restarts), the
# module config with the extra lines, and Unbound with the module (without
# it when REL_NO_MODULE=1, the control), which must answer; UPID is its pid.
rel_pipeline() {
  RVDARGS=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do RVDARGS+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  rv_net_start
  rel_rvd_start "${RVDARGS[@]}"
  rv_module_conf "$RV_TMP/module.conf" "$@"
  if [ "${REL_NO_MODULE:-0}" = 1 ]; then
    rv_resolver_start --no-module --extra "num-queries-per-thread: 4096"
  else
    rv_resolver_start --module-conf "$RV_TMP/module.conf" \
      --extra "num-queries-per-thread: 4096"
  fi
  [ "$(rv_q warm.wild.test A)" = 192.0.2.99 ] || rv_fail "resolver does not answer"
  UPID=$(cat "$RV_TMP/resolver/unbound.pid")
}

# rel_wild_load PREFIX RATE SECONDS [DNSPERF_ARGS...]: dnsperf in the
# background (DP, output $RV_TMP/dnsperf.out) asking RATE unique names
# PREFIX<i>.wild.test a second for SECONDS: every one a cache miss, so the
# module captures every answer.
rel_wild_load() {
  local prefix=$1 rate=$2 secs=$3
  shift 3
  awk -v p="$prefix" -v n=$((rate * (secs + 1))) \
    'BEGIN { for (i = 0; i < n; i++) printf "%s%d.wild.test A\n", p, i }' > "$RV_TMP/q-$prefix"
  dnsperf -s "$RV_RESOLVER" -d "$RV_TMP/q-$prefix" -n 1 -l "$secs" -Q "$rate" -c 4 "$@" \
    > "$RV_TMP/dnsperf.out" 2>&1 &
  DP=$!
  RV_BG_PIDS="$RV_BG_PIDS $DP"
}
