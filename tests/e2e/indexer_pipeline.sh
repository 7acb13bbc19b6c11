#!/usr/bin/env bash
# indexer_pipeline.sh: the real resolver, the module and rearviewd
# together. What authoritative servers answered ends up in LMDB with the
# right bailiwick, sensor and rdata; NXDOMAIN and NODATA go to the neg
# database and never show up as RRset data.
set -u
. "${RV_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/e2e/harness.sh"

rv_init idxpipe
RVD=$RV_TOP_BUILDDIR/indexer/rearviewd
DUMP=$RV_TOP_BUILDDIR/tools/rv_dbdump
[ -x "$RVD" ] && [ -x "$DUMP" ] || rv_skip "rearviewd or rv_dbdump not built"
rv_net_start
"$RVD" -d "$RV_TMP/db" -l "$RV_INGEST" --flush-interval 100 \
  >"$RV_TMP/rvd.log" 2>&1 &
RVD_PID=$!
RV_BG_PIDS="$RV_BG_PIDS $RVD_PID"
rv_wait_grep "$RV_TMP/rvd.log" 'ready:' 10 || rv_fail "rearviewd did not start"
rv_module_conf "$RV_TMP/module.conf"
rv_resolver_start --module-conf "$RV_TMP/module.conf"

[ "$(rv_q www.shop.test A)" = 192.0.2.10 ] || rv_fail "www.shop.test A not resolved"
rv_q shop.test MX | grep -q 'mail\.shop\.test' || rv_fail "MX not resolved"
[ "$(rv_q_rcode mail.shop.test AAAA)" = NOERROR ] || rv_fail "NODATA query failed"
[ "$(rv_q_rcode nonexistent.shop.test A)" = NXDOMAIN ] || rv_fail "NXDOMAIN query failed"

# The module batches for 50 ms, rearviewd flushes every 100 ms.
for _ in $(seq 600); do
  "$DUMP" "$RV_TMP/db" neg 2>/dev/null | grep -q '^nonexistent\.shop\.test\. ' && break
  sleep 0.1
done
"$DUMP" "$RV_TMP/db" rrsets > "$RV_TMP/rrsets.txt" || rv_fail "rv_dbdump rrsets"
"$DUMP" "$RV_TMP/db" neg > "$RV_TMP/neg.txt" || rv_fail "rv_dbdump neg"
rv_expect "$RV_TMP/rrsets.txt" '^www\.shop\.test\. A shop\.test\. [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ e2e 192\.0\.2\.10$' \
  "the answer, with its zone cut as bailiwick and the module's sensor"
rv_expect "$RV_TMP/rrsets.txt" '^shop\.test\. NS test\. ' "the delegation, in test.'s bailiwick"
rv_expect "$RV_TMP/rrsets.txt" '^shop\.test\. MX shop\.test\. .* 10 mail\.shop\.test\.$' "the MX"
rv_expect "$RV_TMP/neg.txt" '^nonexistent\.shop\.test\. A NXDOMAIN shop\.test\. ' "NXDOMAIN in neg"
rv_expect "$RV_TMP/neg.txt" '^mail\.shop\.test\. AAAA NOERROR shop\.test\. ' "NODATA in neg"
rv_expect_none "$RV_TMP/rrsets.txt" '^nonexistent\.shop\.test\. ' "NXDOMAIN never as RRset data"
"$DUMP" "$RV_TMP/db" rdata 192.0.2.10 | grep -q '^192\.0\.2\.10 A www\.shop\.test\. ' ||
  rv_fail "reverse index: 192.0.2.10 -> www.shop.test"
rv_resolver_stop
kill -TERM "$RVD_PID"
wait "$RVD_PID" || rv_fail "rearviewd exit $? after SIGTERM"
# rearview check on what the live pipeline wrote, negative answers too.
"$RV_TOP_BUILDDIR/cli/rearview" check -d "$RV_TMP/db" > "$RV_TMP/check.out" 2>&1 ||
  rv_fail "rearview check: $(grep -E '^problem|^result|^rearview' "$RV_TMP/check.out" | head -5)"
rv_expect "$RV_TMP/check.out" '^neg +[1-9][0-9]* rows' "rearview check walked the negative answers"
rv_expect "$RV_TMP/check.out" '^result +sound$' "rearview check: sound"
rv_pass
