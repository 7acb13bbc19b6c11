#!/usr/bin/env bash
# module_reload.sh: `unbound-control reload` runs deinit, dlclose, dlopen
# and init on the module. Repeated reloads while queries are running must
# not crash Unbound; the module must capture afterwards; each reload must
# stop and start the module cleanly (its init line in the log every time).
# Under --enable-sanitizers the module runs with ASan, which reports any
# use after free across the reloads, and LeakSanitizer checks the whole
# unbound process at exit: every module instance the reloads unloaded must
# have freed everything (RV_LEAK_CHECK=0 turns that off).
set -u
. "${RV_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/e2e/harness.sh"

RELOADS=${RV_RELOADS:-8}
# LeakSanitizer on for the whole unbound process (ASan builds only).
export RV_LEAK_CHECK=${RV_LEAK_CHECK:-1}
rv_init reload
rv_net_start
rv_recv_start
rv_module_conf "$RV_TMP/module.conf"
rv_resolver_start --module-conf "$RV_TMP/module.conf"
[ "$(rv_q www.shop.test A)" = 192.0.2.10 ] || rv_fail "resolver does not answer"

# Two query loops, every name a cache miss.
load() {
  local i=0
  while :; do
    kdig +short +timeout=1 +retry=0 @"$RV_RESOLVER" "l$1-$i.wild.test" A >/dev/null 2>&1
    i=$((i + 1))
  done
}
load a & RV_BG_PIDS="$RV_BG_PIDS $!"
load b & RV_BG_PIDS="$RV_BG_PIDS $!"
pid=$(cat "$RV_TMP/resolver/unbound.pid")
for r in $(seq "$RELOADS"); do
  sleep 0.3
  rv_control reload >/dev/null || rv_fail "reload $r failed"
  kill -0 "$pid" 2>/dev/null || rv_fail "unbound died at reload $r"
done
sleep 0.5
kill -0 "$pid" 2>/dev/null || rv_fail "unbound died after the reloads"
n=$(grep -c 'rearview: capturing to ' "$RV_TMP/resolver/unbound.log")
[ "$n" -ge $((RELOADS + 1)) ] || rv_fail "module initialised $n times for $RELOADS reloads"
rv_expect_none "$RV_TMP/resolver/unbound.log" 'rearview: .*(disabled|loaded twice|cannot)' \
  "module came back enabled after each reload"

# Still answering and capturing, with the module loaded by the last reload.
[ "$(rv_q after-reload.wild.test A)" = 192.0.2.99 ] || rv_fail "no answer after the reloads"
rv_wait_grep "$RV_RECV_OUT" '^rec owner=after-reload\.wild\.test\. type=A sec=answer kind=rrset zone=wild\.test\. ' ||
  rv_fail "no capture after the reloads"
rv_expect_none "$RV_RECV_OUT" '^bad-frame' "every frame validates"

# A clean stop: the last deinit joins the sender and shuts nng down.
rv_resolver_stop
kill -0 "$pid" 2>/dev/null && rv_fail "unbound did not stop"
[ "$RV_RESOLVER_STATUS" = 0 ] || rv_fail "unbound exited with status $RV_RESOLVER_STATUS"
rv_expect_none "$RV_TMP/resolver/unbound.out" 'Segmentation|Aborted|double free|corrupted' \
  "clean exit"
rv_pass
