#!/usr/bin/env bash
# module_badconf.sh: a bad module config file never stops Unbound. The
# error names file:line and the problem in Unbound's log, capture is off,
# and the resolver answers.
set -u
. "${RV_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/e2e/harness.sh"

rv_init badconf
rv_net_start
rv_recv_start
rv_module_conf "$RV_TMP/module.conf" "batch-size: 64" "queue-size: a lot"
rv_resolver_start --module-conf "$RV_TMP/module.conf"
[ "$(rv_q www.shop.test A)" = 192.0.2.10 ] || rv_fail "resolver does not answer with a bad module config"
rv_expect "$RV_TMP/resolver/unbound.log" \
  "error: rearview: $(rv_rx "$RV_TMP/module.conf"):7: queue-size: 'a lot' is not a size .*; capture disabled" \
  "the error names file, line and problem"
sleep 1
rv_expect_none "$RV_RECV_OUT" '^rec ' "capture is disabled"
rv_control reload >/dev/null || rv_fail "reload with a bad module config failed"
[ "$(rv_q mail.shop.test A)" = 192.0.2.25 ] || rv_fail "resolver does not answer after reload"

# A bad endpoint is reported the same way and keeps Unbound up too.
printf 'endpoint: http://nowhere\n' > "$RV_TMP/module2.conf"
rv_resolver_stop
[ "$RV_RESOLVER_STATUS" = 0 ] || rv_fail "unbound exited with status $RV_RESOLVER_STATUS"
rv_resolver_start --module-conf "$RV_TMP/module2.conf"
[ "$(rv_q www.shop.test AAAA)" = 2001:db8::10 ] || rv_fail "resolver does not answer with a bad endpoint"
rv_expect "$RV_TMP/resolver/unbound.log" "module2\.conf:1: endpoint: 'http://nowhere' is not an ipc://" \
  "bad endpoint reported with file:line"
rv_resolver_stop
[ "$RV_RESOLVER_STATUS" = 0 ] || rv_fail "unbound exited with status $RV_RESOLVER_STATUS"
rv_pass
