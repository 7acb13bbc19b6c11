# resolver.sh: the project's Unbound (built with dynlib support) as a
# recursive resolver on a loopback address, recursing from a dnsnet root.
# Source it after dnsnet.sh; it defines shell functions only.
#
#   resolver_start RUNDIR ADDRESS ZONEDIR [MODULE_SO [MODULE_CONF]]
#       write RUNDIR/unbound.conf (root hints from ZONEDIR's root zone),
#       start unbound in the background, wait until it answers on ADDRESS:53.
#       With MODULE_SO the module is loaded ("validator dynlib iterator") and
#       reads MODULE_CONF (through REARVIEW_MODULE_CONF).
#   resolver_control RUNDIR ARGS...   unbound-control for that instance
#   resolver_stop RUNDIR
#
# RV_UNBOUND_PREFIX must point at the Unbound install (default .deps/unbound
# next to this script's repository). Extra server: lines can be passed in
# RV_UNBOUND_EXTRA (one per line); RV_UNBOUND_MODULES replaces the
# module-config with the module loaded (e.g. "dynlib respip validator
# iterator" for RPZ) and RV_UNBOUND_CLAUSES adds top-level clauses (rpz:).
# A module built with ASan gets the ASan runtime preloaded (or
# RV_RESOLVER_PRELOAD, if set).

resolver_prefix() {
  printf '%s' "${RV_UNBOUND_PREFIX:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.deps/unbound}"
}

resolver_start() {
  local run=$1 addr=$2 zdir=$3 so=${4:-} mconf=${5:-} prefix i
  prefix=$(resolver_prefix)
  [ -x "$prefix/sbin/unbound" ] || { echo "resolver: no unbound in $prefix" >&2; return 1; }
  mkdir -p "$run"
  run=$(cd "$run" && pwd)
  dnsnet_root_hints "$zdir" > "$run/root.hints"
  {
    printf 'server:\n  interface: %s\n  port: 53\n  username: ""\n  chroot: ""\n' "$addr"
    printf '  directory: "%s"\n  pidfile: "%s/unbound.pid"\n' "$run" "$run"
    printf '  logfile: "%s/unbound.log"\n  use-syslog: no\n  verbosity: 1\n' "$run"
    printf '  root-hints: "%s/root.hints"\n  do-not-query-localhost: no\n' "$run"
    printf '  qname-minimisation: yes\n  access-control: 127.0.0.0/8 allow\n'
    printf '  num-threads: 2\n  so-reuseport: no\n  do-ip6: no\n'
    printf '  harden-dnssec-stripped: no\n  val-log-level: 0\n'
    [ -n "${RV_UNBOUND_EXTRA:-}" ] && printf '%s\n' "$RV_UNBOUND_EXTRA" | sed 's/^/  /'
    if [ -n "$so" ]; then
      printf '  module-config: "%s"\n' "${RV_UNBOUND_MODULES:-validator dynlib iterator}"
      printf 'dynlib:\n  dynlib-file: "%s"\n' "$so"
    else
      printf '  module-config: "validator iterator"\n'
    fi
    [ -n "${RV_UNBOUND_CLAUSES:-}" ] && printf '%s\n' "$RV_UNBOUND_CLAUSES"
    printf 'remote-control:\n  control-enable: yes\n  control-interface: "%s/control.sock"\n  control-use-cert: no\n' "$run"
  } > "$run/unbound.conf"
  "$prefix/sbin/unbound-checkconf" "$run/unbound.conf" >/dev/null ||
    { echo "resolver: bad config $run/unbound.conf" >&2; return 1; }
  # A module built with --enable-sanitizers needs the ASan runtime loaded
  # first in the uninstrumented unbound.
  local envv=("REARVIEW_MODULE_CONF=${mconf:-/nonexistent}") pre=${RV_RESOLVER_PRELOAD:-}
  if [ -z "$pre" ] && [ -n "$so" ] && readelf -d "$so" 2>/dev/null | grep -q 'NEEDED.*libasan'; then
    pre=$(gcc -print-file-name=libasan.so)
    envv+=("ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1}")
  fi
  [ -n "$pre" ] && envv+=("LD_PRELOAD=$pre")
  env "${envv[@]}" "$prefix/sbin/unbound" -d -c "$run/unbound.conf" >>"$run/unbound.out" 2>&1 &
  echo $! > "$run/unbound.bgpid"
  for i in $(seq 100); do
    if "$prefix/sbin/unbound-control" -c "$run/unbound.conf" status >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$(cat "$run/unbound.bgpid")" 2>/dev/null ||
      { echo "resolver: unbound exited (see $run/unbound.log)" >&2; tail -5 "$run/unbound.log" "$run/unbound.out" >&2 2>/dev/null; return 1; }
    sleep 0.1
  done
  echo "resolver: unbound did not come up" >&2
  return 1
}

resolver_control() {
  local run=$1; shift
  "$(resolver_prefix)/sbin/unbound-control" -c "$run/unbound.conf" "$@"
}

resolver_stop() {
  local pid i
  [ -f "$1/unbound.bgpid" ] || return 0
  pid=$(cat "$1/unbound.bgpid")
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 100); do dnsnet_alive "$pid" || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true   # reap it when it is our child
  rm -f "$1/control.sock"           # unbound leaves it behind
}
