#!/usr/bin/env bash
# module_noreceiver.sh: with nothing listening on the module's endpoint,
# Unbound starts and answers every query, and the module counts what it
# could not send as dropped (once nng's buffer of 8 frames is full). When
# a receiver appears later, the module connects by itself and records flow
# again.
set -u
. "${RV_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/e2e/harness.sh"

rv_init noreceiver
rv_net_start
rv_module_conf "$RV_TMP/module.conf" "send-timeout: 200ms" "batch-size: 1"
rv_resolver_start --module-conf "$RV_TMP/module.conf"

# The resolver answers while nobody receives.
for i in $(seq 1 30); do
  [ "$(rv_q "n$i.wild.test" A)" = 192.0.2.99 ] || rv_fail "n$i.wild.test not resolved without a receiver"
done
[ "$(rv_q www.shop.test A)" = 192.0.2.10 ] || rv_fail "www.shop.test not resolved without a receiver"
rv_wait_stat captured 30 || rv_fail "nothing captured: $(rv_stat captured)"
# One record per frame: nng holds the first 8 frames for a peer to come,
# the rest are dropped and counted.
rv_wait_stat dropped $(( $(rv_stat captured) - 8 )) ||
  rv_fail "drops not counted: captured=$(rv_stat captured) dropped=$(rv_stat dropped)"
[ "$(rv_stat sent)" -le 8 ] || rv_fail "nng took $(rv_stat sent) frames with no receiver"
rv_expect "$RV_TMP/resolver/unbound.log" 'rearview: .* dropped [1-9][0-9]* \(queue full [0-9]+, send [1-9]' \
  "drops in Unbound's log"

# A receiver appears: the dialer reconnects and new records arrive.
rv_recv_start
ok=0
for i in $(seq 1 100); do
  rv_q "late$i.wild.test" A >/dev/null
  if grep -qE '^rec owner=late[0-9]+\.wild\.test\. type=A sec=answer ' "$RV_RECV_OUT"; then
    ok=1; break
  fi
  sleep 0.2
done
[ $ok = 1 ] || rv_fail "no record reached the receiver after it started"
rv_wait_stat sent 1 || rv_fail "sent counter did not move after reconnect"
rv_pass
