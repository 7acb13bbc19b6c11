#!/usr/bin/env bash
# rel_resolver.sh: the resolver is unaffected by the
# indexer. Under a steady dnsperf load (a fixed rate, -Q; every name a
# cache miss: unique names under the wildcard zone wild.test.) the run
# goes through phases in one resolver and module lifetime:
#   base1  no fault
#   stop   rearviewd stopped (SIGTERM), kept down REL_DOWN s, restarted
#   base2  no fault (the module has reconnected)
#   pause  rearviewd SIGSTOPped for the phase (its socket fills), SIGCONT
#   base3  no fault
#   kill9  rearviewd killed with kill -9, restarted REL_DOWN s later
#   base4  no fault
# Per phase: queries sent and answered, SERVFAILs, lost queries, QPS and
# the p99 latency (from dnsperf -v, per query), printed as a table with
# the ratio to the no-fault phases of the same run (REL_RESULTS=FILE
# also writes it there). The test asserts what must hold whatever the
# machine's speed: no SERVFAIL and no lost query in any phase, the module
# reconnects after every fault (records of each following phase are
# stored), and its counters account for every record: at rest
# captured == sent + dropped_send with nothing queued, and every record
# the module counted as sent is either stored or counted by rearviewd as
# lost in transit (in flight when rearviewd died), exactly.
# Timing figures are for bench/faults/resolver.sh (REL_PHASE=20
# REL_RATE=2000), not asserted here.
set -u
. "${RV_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/e2e/harness.sh"
. "$RV_TOP_SRCDIR/tests/e2e/rel_lib.sh"

PHASE=${REL_PHASE:-4}		# seconds per phase
RATE=${REL_RATE:-200}		# queries per second
DOWN=${REL_DOWN:-$((PHASE < 10 ? PHASE - 1 : 10))}
rv_init resolver-faults
rel_bins
rv_need dnsperf
DB=$RV_TMP/db
rel_pipeline --db "$DB" --listen "$RV_INGEST" --flush-interval 100

phase() {	# NAME: one dnsperf run of PHASE seconds at RATE
  local n=$1 f=$RV_TMP/q-$1
  awk -v p="$n" -v n=$((RATE * PHASE + RATE)) \
    'BEGIN { for (i = 0; i < n; i++) printf "%s-%d.wild.test A\n", p, i }' > "$f"
  dnsperf -s "$RV_RESOLVER" -d "$f" -n 1 -l "$PHASE" -Q "$RATE" -c 4 -q 500 -t 3 -v \
    > "$RV_TMP/dnsperf-$n.out" 2>&1
}
# The figures of a phase: sent answered servfail lost qps p99_ms
figures() {
  local o=$RV_TMP/dnsperf-$1.out
  awk '
    /Queries sent:/ { sent = $3 }
    /Queries completed:/ { done = $3 }
    /Queries lost:/ { lost = $3 }
    /Queries per second:/ { qps = $4 }
    /SERVFAIL/ { for (i = 1; i <= NF; i++) if ($i == "SERVFAIL") sf = $(i + 1) }
    END { printf "%d %d %d %d %.1f", sent, done, sf, lost, qps }' "$o"
  # per-query latencies: the last field of the verbose result lines
  awk '$1 == ">" { print $NF * 1000 }' "$o" | sort -n |
    awk '{ v[NR] = $1 } END { k = int(NR * 0.99 + 0.5); if (k > NR) k = NR;
      if (k < 1) k = 1; printf " %.2f\n", v[k] }'
}
stored_phase() {	# NAME: RRsets stored of that phase's names
  "$CLI" lookup -d "$DB" "*.wild.test" -l 0 -o json 2>/dev/null | grep -c "\"rrname\":\"$1-"
}

PHASES="base1 stop base2 pause base3 kill9 base4"
for p in $PHASES; do
  phase "$p" & DP=$!
  case $p in
    stop) sleep 0.5; kill -TERM "$RVD_PID"; wait "$RVD_PID"; RVD_PID=
          sleep "$DOWN"; rel_rvd_start "${RVDARGS[@]}" ;;
    pause) sleep 0.5; kill -STOP "$RVD_PID"; sleep $((PHASE - 1)); kill -CONT "$RVD_PID" ;;
    kill9) sleep 0.5; rel_rvd_kill9; sleep "$DOWN"; rel_rvd_start "${RVDARGS[@]}" ;;
  esac
  wait "$DP" || rv_fail "dnsperf failed in phase $p: $(tail -3 "$RV_TMP/dnsperf-$p.out")"
  kill -0 "$UPID" 2>/dev/null || rv_fail "unbound died in phase $p"
done

# --- at rest: the counters account for every record -----------------------------
rv_q rest.wild.test A >/dev/null
for _ in $(seq 100); do	# the module's queue drains, the stats file catches up
  [ "$(rv_stat queued_bytes)" = 0 ] && c=$(rv_stat captured) &&
    [ "$c" = "$(( $(rv_stat sent) + $(rv_stat dropped_send) ))" ] && break
  sleep 0.1
done
sleep 1.5	# the stats file is rewritten every second
captured=$(rv_stat captured) sent=$(rv_stat sent) dsend=$(rv_stat dropped_send)
dqueue=$(rv_stat dropped_queue_full) queued=$(rv_stat queued_bytes)
[ "$queued" = 0 ] || rv_fail "module queue not empty at rest: $queued octets"
[ "$captured" = $((sent + dsend)) ] ||
  rv_fail "captured $captured != sent $sent + dropped_send $dsend"
rel_rvd_stop
stored=$(rel_dbstat "$DB" observations)
transit=$("$CLI" stats -d "$DB" -o csv | awk -F, '$1 == "sensor:e2e:lost" { print $2 }')
[ "$sent" = $((stored + transit)) ] ||
  rv_fail "sent $sent != stored $stored + counted lost in transit $transit"

# --- the module reconnected after every fault -------------------------------------
for p in base2 base3 base4 stop kill9; do
  n=$(stored_phase "$p")
  [ "$n" -gt 0 ] || rv_fail "nothing of phase $p stored: the module did not reconnect"
done

# --- figures -------------------------------------------------------------------------
{
  printf 'rate %s q/s, %s s phases, indexer down %s s in stop/kill9\n' "$RATE" "$PHASE" "$DOWN"
  printf '%-6s %6s %6s %5s %5s %8s %8s %7s %7s %7s\n' phase sent answrd srvfl lost qps p99ms qps/b p99/b stored
  bq=0 bp=0 nb=0
  for p in $PHASES; do
    read -r _s _d _f _l q p99 < <(figures "$p")
    case $p in base*) bq=$(echo "$bq + $q" | bc -l); bp=$(echo "$bp + $p99" | bc -l); nb=$((nb + 1)) ;; esac
  done
  bq=$(echo "$bq / $nb" | bc -l) bp=$(echo "$bp / $nb" | bc -l)
  for p in $PHASES; do
    read -r s d f l q p99 < <(figures "$p")
    printf '%-6s %6d %6d %5d %5d %8.1f %8.2f %7.3f %7.3f %7d\n' "$p" "$s" "$d" "$f" "$l" "$q" "$p99" \
      "$(echo "$q / $bq" | bc -l)" "$(echo "$p99 / $bp" | bc -l)" "$(stored_phase "$p")"
  done
  printf 'module: captured %s = sent %s + dropped_send %s (dropped_queue_full %s); ' \
    "$captured" "$sent" "$dsend" "$dqueue"
  printf 'stored %s observations; lost in transit (sent, then rearviewd died or stopped) %s\n' \
    "$stored" "$transit"
} > "$RV_TMP/results.txt"
cat "$RV_TMP/results.txt" >&2
[ -n "${REL_RESULTS:-}" ] && cp "$RV_TMP/results.txt" "$REL_RESULTS"

# --- what must hold on any machine --------------------------------------------------
for p in $PHASES; do
  read -r s d f l _ _ < <(figures "$p")
  [ "$s" -gt 0 ] && [ "$s" = "$d" ] || rv_fail "phase $p: $d of $s queries answered"
  [ "$f" = 0 ] || rv_fail "phase $p: $f SERVFAIL"
  [ "$l" = 0 ] || rv_fail "phase $p: $l queries lost"
done
rv_check_sanitizers
kill -0 "$UPID" 2>/dev/null || rv_fail "unbound died"
rv_pass
