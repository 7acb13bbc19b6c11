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

# A file the environment names must exist: running on defaults instead
# would send to the default endpoint without a word.
rv_resolver_start --module-conf "$RV_TMP/missing.conf"
[ "$(rv_q www.shop.test A)" = 192.0.2.10 ] || rv_fail "resolver does not answer with a missing module config"
rv_expect "$RV_TMP/resolver/unbound.log" \
  "error: rearview: REARVIEW_MODULE_CONF=$(rv_rx "$RV_TMP/missing.conf"): no such file .*capture disabled" \
  "a missing named config is an error"
rv_expect_none "$RV_TMP/resolver/unbound.log" "rearview: capturing to" "no capture on defaults"
rv_resolver_stop
[ "$RV_RESOLVER_STATUS" = 0 ] || rv_fail "unbound exited with status $RV_RESOLVER_STATUS"

# The file read is named in the log; an unwritable stats-file is said
# once, not every second.
rv_module_conf "$RV_TMP/module3.conf" "stats-file: /nonexistent-dir/rv.stats"
rv_resolver_start --module-conf "$RV_TMP/module3.conf"
[ "$(rv_q www.shop.test A)" = 192.0.2.10 ] || rv_fail "resolver does not answer"
rv_expect "$RV_TMP/resolver/unbound.log" \
  "rearview: configuration $(rv_rx "$RV_TMP/module3.conf")\$" "the config file read is logged"
rv_wait_grep "$RV_TMP/resolver/unbound.log" "cannot write stats-file" ||
  rv_fail "an unwritable stats-file is not logged"
rv_expect "$RV_TMP/resolver/unbound.log" \
  "rearview: cannot write stats-file /nonexistent-dir/rv.stats: No such file or directory" \
  "the stats-file failure names the file and the reason"
sleep 3
n=$(grep -c "cannot write stats-file" "$RV_TMP/resolver/unbound.log")
[ "$n" = 1 ] || rv_fail "the stats-file failure was logged $n times in 3 s, not once"
rv_resolver_stop
[ "$RV_RESOLVER_STATUS" = 0 ] || rv_fail "unbound exited with status $RV_RESOLVER_STATUS"
rv_pass
