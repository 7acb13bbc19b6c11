#!/usr/bin/env bash
# rel_loss.sh: every lost record is counted, exactly.
# Frames carry their sensor's boot id and the number of their first record
# (lib/FRAME.md); rearviewd commits each sensor's next expected number with
# the records, so what is received but never committed, or lost in nng's
# buffers, shows up as the next frame's gap after a restart.
#
# Load from two kinds of sensor at once: the real module in the project's
# Unbound under dnsperf (sensor e2e, unique names under wild.test, so every
# query is a cache miss and captured) and rvgen sending numbered frames for
# two more sensors (gen-0, gen-1) at a fixed rate. rearviewd is killed with
# SIGKILL REL_KILLS (5) times at random moments and restarted. At rest,
# for each sensor:
#   records the sensor sent = records stored (sum of counts) + records lost
# exactly, with no reset, nothing unsequenced or out of order, the drop
# counters the module reported in its frames equal to its stats file, and
# the sum of counts over every stored row equal to the observations
# counter. The kills must have lost something (lost > 0), so the identity
# is tested under loss.
set -u
. "${RV_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/e2e/harness.sh"
. "$RV_TOP_SRCDIR/tests/e2e/rel_lib.sh"

KILLS=${REL_KILLS:-5}
RATE=${REL_RATE:-200}		# dnsperf queries per second
GRATE=${REL_GEN_RATE:-4000}	# rvgen records per second
rv_init loss
rel_bins
rv_need dnsperf
DB=$RV_TMP/db
# Flushes every 300 ms: a kill finds up to that much received and not yet
# committed.
rel_pipeline --db "$DB" --listen "$RV_INGEST" --flush-interval 300

dur=$((KILLS * 2 + 3))
rel_wild_load loss- "$RATE" "$dur" -q 500 -t 3
"$GEN" --number --sensors 2 --per-frame 100 --rate "$GRATE" -s 14 \
  -n $((dur * GRATE)) -r 20000 -c "$RV_INGEST" > "$RV_TMP/gen.out" 2> "$RV_TMP/gen.err" &
GP=$!
RV_BG_PIDS="$RV_BG_PIDS $GP"

for k in $(seq "$KILLS"); do
  sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.8 + r % 100 / 100 }')"
  rel_rvd_kill9
  sleep 0.3
  rel_rvd_start "${RVDARGS[@]}"
done
wait "$GP" || rv_fail "rvgen failed: $(cat "$RV_TMP/gen.err")"
wait "$DP" || rv_fail "dnsperf failed: $(tail -3 "$RV_TMP/dnsperf.out")"
kill -0 "$UPID" 2>/dev/null || rv_fail "unbound died"

# --- at rest ---------------------------------------------------------------
# One more answer after the load, so the module's last counters travel in a
# frame; then its queue is empty and every record is sent or dropped.
rv_q rest.wild.test A > /dev/null
for _ in $(seq 100); do
  [ "$(rv_stat queued_bytes)" = 0 ] && c=$(rv_stat captured) &&
    [ "$c" = "$(( $(rv_stat sent) + $(rv_stat dropped_send) ))" ] && break
  sleep 0.1
done
sleep 1.5	# the stats file is rewritten every second
[ "$(rv_stat queued_bytes)" = 0 ] || rv_fail "module queue not empty at rest"
rel_rvd_stop	# flushes and commits everything received

"$CLI" stats -d "$DB" -o csv > "$RV_TMP/stats.csv" || rv_fail "rearview stats failed"
st() { awk -F, -v k="$1" '$1 == k { print $2 }' "$RV_TMP/stats.csv"; }

# Every stored row's count, summed, is the observations counter.
sum=$("$DUMP" "$DB" rrsets | awk '{ s += $4 } END { print s + 0 }')
sum=$((sum + $("$DUMP" "$DB" neg | awk '{ s += $5 } END { print s + 0 }')))
[ "$sum" = "$(st observations)" ] || rv_fail "sum of counts $sum != observations $(st observations)"
# And rearview check, after the kills: every tree, row, counter and page
# agrees.
"$CLI" check -d "$DB" > "$RV_TMP/check.out" 2>&1 ||
  rv_fail "rearview check: $(grep -E '^problem|^result|^rearview' "$RV_TMP/check.out" | head -5)"

total_lost=0 total_obs=0
check_sensor() {	# NAME SENT
  local n=$1 sent=$2 obs rec lost
  obs=$(st "sensor:$n") rec=$(st "sensor:$n:received") lost=$(st "sensor:$n:lost")
  [ -n "$obs" ] && [ -n "$rec" ] && [ -n "$lost" ] || rv_fail "sensor $n missing from rearview stats"
  [ "$rec" = "$obs" ] || rv_fail "sensor $n: received $rec != stored $obs"
  [ "$sent" = $((obs + lost)) ] ||
    rv_fail "sensor $n: sent $sent != stored $obs + lost $lost (off by $((sent - obs - lost)))"
  for z in resets unsequenced out_of_order; do
    [ "$(st "sensor:$n:$z")" = 0 ] || rv_fail "sensor $n: $z $(st "sensor:$n:$z")"
  done
  total_lost=$((total_lost + lost)) total_obs=$((total_obs + obs))
  rv_log "sensor $n: sent $sent = stored $obs + lost $lost"
}
check_sensor e2e "$(rv_stat sent)"
while read -r _ name _ sent; do
  check_sensor "$name" "$sent"
done < "$RV_TMP/gen.out"
[ "$(wc -l < "$RV_TMP/gen.out")" = 2 ] || rv_fail "rvgen: $(cat "$RV_TMP/gen.out")"
[ "$total_obs" = "$(st observations)" ] || rv_fail "sensors' observations $total_obs != $(st observations)"
[ "$total_lost" -gt 0 ] || rv_fail "$KILLS kills lost nothing: the test did not test loss"

# The module's own drops, as its frames reported them, equal its stats file.
[ "$(st sensor:e2e:dropped_queue_full)" = "$(rv_stat dropped_queue_full)" ] ||
  rv_fail "dropped_queue_full: frames say $(st sensor:e2e:dropped_queue_full), module $(rv_stat dropped_queue_full)"
[ "$(st sensor:e2e:dropped_send)" = "$(rv_stat dropped_send)" ] ||
  rv_fail "dropped_send: frames say $(st sensor:e2e:dropped_send), module $(rv_stat dropped_send)"
echo "ok: $KILLS kills under load: for 3 sensors, sent = stored + lost exactly ($total_obs stored, $total_lost lost); module drops reported (send $(rv_stat dropped_send))"
rv_pass
