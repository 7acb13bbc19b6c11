#!/usr/bin/env bash
# bench/module/run.sh: what the capture module costs the resolver, next to
# no capture and next to Unbound's own dnstap capture.
#
#   bench/module/run.sh [--build DIR] [--rounds N] [--rate QPS] [--secs S]
#                       [--max-secs S] [--out FILE] [--cg-rounds N]
#                       [--cg-queries N]
#
# Three configurations, alternated A B C A B C ... in one run, each on a
# fresh Unbound (2 threads) recursing from the loopback NSD hierarchy of
# tests/e2e/harness.sh; every query is a cache miss (a unique name under
# the wildcard zone wild.test.):
#   A  Unbound without the module          ("validator iterator")
#   B  with the module and a running receiver: rearviewd (the indexer) if
#      it is built, else the e2e test receiver
#   C  without the module, with dnstap-log-resolver-response-messages and
#      fstrm_capture reading the dnstap socket
# Per configuration and round:
#   - resolver CPU time per query at a fixed rate (dnsperf -Q; utime+stime
#     of the unbound process from /proc/PID/stat), the stable figure;
#   - the receiver's CPU time per query (rearviewd / fstrm_capture);
#   - p50/p99 latency at the fixed rate (dnsperf -v);
#   - maximum QPS (dnsperf with 20 clients, no rate limit), which swings
#     by ~15 % from run to run on shared cores.
# Then, because CPU time swings too on a loaded shared machine, the same
# configurations under valgrind's callgrind: instructions executed by the
# whole unbound process (all threads, the module's sender and dnstap's
# I/O thread included) per query, at 300 queries/s (--cg-rounds rounds of
# --cg-queries queries; 0 rounds skips it). That count does not depend on
# what else the machine runs.
# Prints a Markdown table (medians over rounds) and writes it to --out.
# Not part of `make check`: run as root (ports 53 on 127.x addresses).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$top/build rounds=3 rate=4000 secs=10 max_secs=8 out= cg_rounds=2 cg_queries=4000
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --secs) secs=$2; shift 2 ;;
    --max-secs) max_secs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --cg-rounds) cg_rounds=$2; shift 2 ;;
    --cg-queries) cg_queries=$2; shift 2 ;;
    -h|--help) sed -n '2,35s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
export RV_TOP_SRCDIR=$top RV_TOP_BUILDDIR=$(cd "$build" && pwd)
. "$top/tests/e2e/harness.sh"
rv_need dnsperf fstrm_capture
rv_init bench
[ "$RV_SANITIZED" = 0 ] || rv_skip "the module in $build is built with sanitizers: benchmark a normal build"
hz=$(getconf CLK_TCK)
indexer=$RV_TOP_BUILDDIR/indexer/rearviewd
[ -x "$indexer" ] || indexer=$top/build/indexer/rearviewd
rv_net_start

cpu_ticks() {  # PID -> utime+stime in clock ticks
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

names() {  # PREFIX COUNT -> a dnsperf data file of unique names
  awk -v p="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s%d.wild.test A\n", p, i }'
}

RECV_PID=
start_config() {  # A|B|C ROUND
  local c=$1 r=$2
  rm -rf "$RV_TMP/resolver" "$RV_TMP/db"
  case $c in
    A) rv_resolver_start --no-module ;;
    B)
      if [ -x "$indexer" ]; then
        "$indexer" --db "$RV_TMP/db" --listen "$RV_INGEST" >"$RV_TMP/indexer.log" 2>&1 &
        RECV_PID=$! B_RECV=rearviewd
      else
        "$RV_RECV" --listen "$RV_INGEST" >/dev/null 2>&1 &
        RECV_PID=$! B_RECV=rv_recv
      fi
      RV_BG_PIDS="$RV_BG_PIDS $RECV_PID"
      rv_module_conf "$RV_TMP/module.conf" "stats-interval: 0"
      rv_resolver_start --module-conf "$RV_TMP/module.conf"
      ;;
    C)
      rm -f "$RV_TMP/dnstap.sock"
      fstrm_capture -t protobuf:dnstap.Dnstap -u "$RV_TMP/dnstap.sock" -w /dev/null \
        >"$RV_TMP/fstrm.log" 2>&1 &
      RECV_PID=$!
      RV_BG_PIDS="$RV_BG_PIDS $RECV_PID"
      for i in $(seq 50); do [ -S "$RV_TMP/dnstap.sock" ] && break; sleep 0.1; done
      rv_resolver_start --no-module --extra "dnstap:
  dnstap-enable: yes
  dnstap-socket-path: \"$RV_TMP/dnstap.sock\"
  dnstap-log-resolver-response-messages: yes
server:"
      ;;
  esac
  # Warm up: the delegation to wild.test. is learnt once, then every
  # measured query is one upstream query.
  names "w$c$r-" 200 > "$RV_TMP/warm"
  dnsperf -s "$RV_RESOLVER" -d "$RV_TMP/warm" -n 1 -l 5 >/dev/null 2>&1
}

stop_config() {
  rv_resolver_stop
  if [ -n "$RECV_PID" ]; then
    kill "$RECV_PID" 2>/dev/null; wait "$RECV_PID" 2>/dev/null
    RECV_PID=
  fi
}

results=$RV_TMP/results
: > "$results"
measure() {  # CONFIG ROUND
  local c=$1 r=$2 pid t0 t1 r0=0 r1=0 done lat p50 p99 maxq
  start_config "$c" "$r"
  pid=$(cat "$RV_TMP/resolver/unbound.pid")
  names "f$c$r-" $((rate * secs + rate)) > "$RV_TMP/fixed"
  t0=$(cpu_ticks "$pid")
  [ -n "$RECV_PID" ] && r0=$(cpu_ticks "$RECV_PID")
  dnsperf -s "$RV_RESOLVER" -d "$RV_TMP/fixed" -Q "$rate" -l "$secs" -c 4 -q 500 -v \
    > "$RV_TMP/fixed.out" 2>&1
  t1=$(cpu_ticks "$pid")
  [ -n "$RECV_PID" ] && r1=$(cpu_ticks "$RECV_PID")
  done=$(awk '/Queries completed:/ { print $3 }' "$RV_TMP/fixed.out")
  lat=$(awk '/^> NOERROR/ { print $NF }' "$RV_TMP/fixed.out" | sort -g)
  p50=$(printf '%s\n' "$lat" | awk '{ a[NR] = $1 } END { print a[int(NR * 0.50) + 1] * 1000 }')
  p99=$(printf '%s\n' "$lat" | awk '{ a[NR] = $1 } END { print a[int(NR * 0.99) + 1] * 1000 }')
  names "m$c$r-" 400000 > "$RV_TMP/max"
  maxq=$(dnsperf -s "$RV_RESOLVER" -d "$RV_TMP/max" -l "$max_secs" -c 20 -q 500 2>&1 |
    awk '/Queries per second:/ { printf "%d", $4 }')
  stop_config
  awk -v c="$c" -v r="$r" -v hz="$hz" -v d="$done" -v t="$((t1 - t0))" \
      -v rt="$((r1 - r0))" -v p50="$p50" -v p99="$p99" -v m="$maxq" 'BEGIN {
    printf "%s %s %.2f %.2f %.3f %.3f %d %d\n", c, r, t / hz * 1e6 / d,
      rt / hz * 1e6 / d, p50, p99, m, d }' >> "$results"
  tail -1 "$results" >&2
}

echo "rounds=$rounds rate=$rate/s for ${secs}s, max QPS over ${max_secs}s; config round cpu_us/q recv_us/q p50_ms p99_ms max_qps completed" >&2
for r in $(seq "$rounds"); do
  for c in A B C; do measure "$c" "$r"; done
done

# --- instructions per query under callgrind --------------------------------
cgres=$RV_TMP/cg-results
: > "$cgres"
real_prefix=$RV_UNBOUND_PREFIX
measure_instr() {  # CONFIG ROUND
  local c=$1 r=$2 pid f ir
  mkdir -p "$RV_TMP/vg/sbin"
  ln -sf "$real_prefix/sbin/unbound-control" "$real_prefix/sbin/unbound-checkconf" "$RV_TMP/vg/sbin/"
  printf '#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file=%s/cg.out "%s/sbin/unbound" "$@"\n' \
    "$RV_TMP" "$real_prefix" > "$RV_TMP/vg/sbin/unbound"
  chmod +x "$RV_TMP/vg/sbin/unbound"
  rm -f "$RV_TMP"/cg.out*
  RV_UNBOUND_PREFIX=$RV_TMP/vg
  start_config "$c" "cg$r"
  pid=$(cat "$RV_TMP/resolver/unbound.pid")
  names "g$c$r-" "$cg_queries" > "$RV_TMP/cgq"
  callgrind_control -z "$pid" >/dev/null 2>&1
  dnsperf -s "$RV_RESOLVER" -d "$RV_TMP/cgq" -n 1 -Q 300 -c 4 -q 100 > "$RV_TMP/cg.dnsperf" 2>&1
  callgrind_control -d "$pid" >/dev/null 2>&1
  done=$(awk '/Queries completed:/ { print $3 }' "$RV_TMP/cg.dnsperf")
  stop_config
  RV_UNBOUND_PREFIX=$real_prefix
  f=$(ls "$RV_TMP"/cg.out.* 2>/dev/null | head -1)
  ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$f" 2>/dev/null)
  [ -n "$ir" ] && [ -n "$done" ] && [ "$done" -gt 0 ] ||
    { rv_log "callgrind: no figures for $c (see $RV_TMP)"; return 0; }
  awk -v c="$c" -v r="$r" -v ir="$ir" -v d="$done" \
    'BEGIN { printf "%s %s %.0f %d\n", c, r, ir / d, d }' >> "$cgres"
  tail -1 "$cgres" >&2
}
if [ "$cg_rounds" -gt 0 ] && command -v valgrind >/dev/null && command -v callgrind_control >/dev/null; then
  echo "callgrind: $cg_rounds rounds of $cg_queries queries at 300/s; config round instructions/query completed" >&2
  for r in $(seq "$cg_rounds"); do
    for c in A B C; do measure_instr "$c" "$r"; done
  done
fi

# Medians per configuration, and B and C relative to A.
table=$(awk '
  function med(s,   n, a, i, j, t) {
    n = split(s, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { cpu[$1] = cpu[$1] " " $3; rc[$1] = rc[$1] " " $4; p50[$1] = p50[$1] " " $5
    p99[$1] = p99[$1] " " $6; mq[$1] = mq[$1] " " $7 }
  END {
    name["A"] = "A: no capture"; name["B"] = "B: rearview module"; name["C"] = "C: dnstap"
    ca = med(cpu["A"]); qa = med(mq["A"])
    print "| configuration | resolver CPU/query | vs A | receiver CPU/query | p50 | p99 | max QPS | vs A |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|"
    for (k = 0; k < 3; k++) {
      c = substr("ABC", k + 1, 1)
      printf "| %s | %.1f us | %+.1f %% | %.1f us | %.2f ms | %.2f ms | %d | %+.1f %% |\n",
        name[c], med(cpu[c]), (med(cpu[c]) / ca - 1) * 100, med(rc[c]),
        med(p50[c]), med(p99[c]), med(mq[c]), (med(mq[c]) / qa - 1) * 100
    }
  }' "$results")
cgtable=
if [ -s "$cgres" ]; then
  cgtable=$(awk '
    function med(s,   n, a, i, j, t) {
      n = split(s, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { ir[$1] = ir[$1] " " $3 }
    END {
      name["A"] = "A: no capture"; name["B"] = "B: rearview module"; name["C"] = "C: dnstap"
      print "| configuration | unbound instructions/query (callgrind) | vs A |"
      print "|---|---:|---:|"
      for (k = 0; k < 3; k++) {
        c = substr("ABC", k + 1, 1)
        if (!(c in ir)) continue
        printf "| %s | %.0f | %+.2f %% |\n", name[c], med(ir[c]), (med(ir[c]) / med(ir["A"]) - 1) * 100
      }
    }' "$cgres")
fi
printf '%s\n\n%s\n' "$table" "$cgtable"
{
  if [ -n "$cgtable" ]; then
    printf '%s\n\nPer round (config round instructions/query completed):\n\n' "$cgtable"
    sed 's/^/    /' "$cgres"
    printf '\n'
  fi
  printf '%s\n' "$table"
  printf '\nPer round (config round cpu_us/q recv_us/q p50_ms p99_ms max_qps completed):\n\n'
  sed 's/^/    /' "$results"
  printf '\nReceiver in B: %s. Rounds: %s, fixed rate %s/s for %s s, max QPS over %s s.\n' \
    "${B_RECV:-?}" "$rounds" "$rate" "$secs" "$max_secs"
} > "${out:-$RV_TMP/table.md}"
rv_pass
