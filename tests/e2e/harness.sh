# harness.sh: shared setup for the end-to-end tests. Source it from a test
# script (bash); it defines shell functions and a few variables only.
#
# It builds on scripts/lib/dnsnet.sh (NSD servers on loopback addresses)
# and scripts/lib/resolver.sh (the project's Unbound), and adds what tests
# need around them: a private temporary directory, a private /16 of
# loopback addresses so tests can run in parallel (make check -j), a
# standard DNS hierarchy, the module and its config, the nng test receiver,
# assertions, and cleanup of everything on any exit.
#
# A test looks like this:
#
#   . "$RV_TOP_SRCDIR/tests/e2e/harness.sh"
#   rv_init capture                  # RV_TMP, RV_NET, trap; exit 77 if a
#                                    # binary is missing
#   rv_net_start                     # NSD servers of the standard hierarchy
#   rv_recv_start                    # receiver on $RV_INGEST, output $RV_RECV_OUT
#   rv_module_conf "$RV_TMP/module.conf"
#   rv_resolver_start --module-conf "$RV_TMP/module.conf"
#   rv_q www.shop.test A             # query the resolver (kdig +short)
#   rv_wait_grep "$RV_RECV_OUT" 'owner=www\.shop\.test\. type=A '
#   rv_expect "$RV_RECV_OUT" '...' "what this line proves"
#   rv_pass
#
# Variables after rv_init:
#   RV_TMP        private directory, removed on success (kept on failure, or
#                 always with RV_KEEP=1)
#   RV_NET        "127.X": this test's loopback /16 (X from 60 to 99)
#   RV_RESOLVER   $RV_NET.0.1, where Unbound listens (port 53)
#   RV_INGEST     ipc://$RV_TMP/ingest.sock, the module's endpoint
#   RV_RECV_OUT   $RV_TMP/recv.out, one line per received record
#   RV_MODULE_SO  the built module (build dir)
#   RV_SANITIZED  1 when the module was built with ASan; the resolver is
#                 then started with the ASan runtime preloaded
#
# The standard hierarchy (rv_zones), with its servers on $RV_NET.0.x:53:
#   .            .0.2  a.root-servers.test.; delegates test.
#   test.        .0.3  ns1.nic.test.; delegates shop.test. and wild.test.
#                      (glue ns1.shop.test.) and signed.test. (glue, DS)
#   shop.test.   .0.4  www A+AAAA, alias -> alias2 -> www (CNAME chain),
#                      MX mail, mail A only (AAAA is NODATA), txt TXT,
#                      svc HTTPS, unk TYPE65280, secret A; other names
#                      NXDOMAIN
#   wild.test.   .0.4  *.wild.test. A 192.0.2.99 (every name a cache miss)
#   signed.test. .0.5  www A, signed with ldns-signzone (when available);
#                      the resolver gets its DS as a trust anchor, so the
#                      validator fetches DNSKEY and DS through the iterator
#   dead.test.   .0.9  delegated to an address where nothing listens
#
# Every function returns non-zero or calls rv_fail on error; rv_fail and
# rv_skip exit the test.

: "${RV_TOP_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${RV_TOP_BUILDDIR:=$RV_TOP_SRCDIR/build}"
: "${RV_UNBOUND_PREFIX:=$RV_TOP_SRCDIR/.deps/unbound}"
export RV_UNBOUND_PREFIX

# shellcheck source=../../scripts/lib/dnsnet.sh
. "$RV_TOP_SRCDIR/scripts/lib/dnsnet.sh"
# shellcheck source=../../scripts/lib/resolver.sh
. "$RV_TOP_SRCDIR/scripts/lib/resolver.sh"

RV_TEST_NAME=
RV_TMP=
RV_NET=
RV_NETLOCK=
RV_FAILED=0
RV_BG_PIDS=

rv_log() { printf '%s: %s\n' "${RV_TEST_NAME:-e2e}" "$*" >&2; }

rv_skip() {
  printf 'SKIP: %s\n' "$*"
  exit 77
}

rv_fail() {
  RV_FAILED=1
  printf 'FAIL: %s\n' "$*"
  if [ -n "$RV_TMP" ]; then
    printf -- '--- logs (kept in %s)\n' "$RV_TMP"
    for f in "$RV_TMP"/resolver/unbound.log "$RV_TMP"/resolver/unbound.out \
             "$RV_TMP"/recv.err; do
      [ -s "$f" ] && { printf -- '--- %s (last 30 lines)\n' "$f"; tail -30 "$f"; }
    done
  fi
  exit 1
}

rv_pass() {
  rv_check_sanitizers
  printf 'PASS: %s\n' "$RV_TEST_NAME"
  exit 0
}

# rv_need CMD...: skip the test when a command is missing.
rv_need() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || rv_skip "$c not found"
  done
}

# Is anything listening on port 53 of 127.X.0.0/16? (A test killed before
# its cleanup can leave its servers behind; its lock is then stale.)
rv_net_busy() {
  command -v ss >/dev/null 2>&1 || return 1
  ss -Hlnut 2>/dev/null | awk '{ print $5 }' | grep -q "^127\.$1\.[0-9]*\.[0-9]*:53\$"
}

# Claim a free 127.X.0.0/16 with a lock directory; stale locks (dead
# owner) are taken over, and a /16 where servers still listen is passed by.
rv_claim_net() {
  local base=${TMPDIR:-/tmp}/rv-e2e-nets x pid
  mkdir -p "$base"
  for x in $(seq 60 99); do
    if ! mkdir "$base/$x" 2>/dev/null; then
      pid=$(cat "$base/$x/pid" 2>/dev/null || true)
      [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null || continue
      rm -rf "$base/$x"
      mkdir "$base/$x" 2>/dev/null || continue
    fi
    echo $$ > "$base/$x/pid"
    if rv_net_busy "$x"; then
      rm -rf "$base/$x"
      continue
    fi
    RV_NET=127.$x RV_NETLOCK=$base/$x
    return 0
  done
  rv_fail "no free 127.X.0.0/16 for the test network"
}

rv_cleanup() {
  local rc=$? p
  [ "$RV_FAILED" = 1 ] && rc=1
  [ -n "$RV_TMP" ] && resolver_stop "$RV_TMP/resolver" 2>/dev/null
  for p in $RV_BG_PIDS; do
    kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
  done
  [ -n "$RV_TMP" ] && dnsnet_stop "$RV_TMP/net" 2>/dev/null
  [ -n "$RV_NETLOCK" ] && rm -rf "$RV_NETLOCK"
  if [ -n "$RV_TMP" ]; then
    if [ "$rc" = 0 ] || [ "$rc" = 77 ]; then
      [ "${RV_KEEP:-0}" = 1 ] || rm -rf "$RV_TMP"
    else
      printf 'test files kept in %s\n' "$RV_TMP"
    fi
  fi
  exit "$rc"
}

# rv_init NAME: temp dir, network, trap, the binaries every test needs.
rv_init() {
  RV_TEST_NAME=$1
  rv_need nsd kdig "$RV_UNBOUND_PREFIX/sbin/unbound"
  [ "$(id -u)" = 0 ] || rv_skip "NSD and Unbound need root to listen on port 53"
  RV_MODULE_SO=$RV_TOP_BUILDDIR/module/.libs/rearview.so
  [ -f "$RV_MODULE_SO" ] || rv_skip "module not built ($RV_MODULE_SO)"
  RV_RECV=$RV_TOP_BUILDDIR/tools/rv_recv
  RV_TMP=$(mktemp -d "${TMPDIR:-/tmp}/rv-e2e-$1.XXXXXX")
  trap rv_cleanup EXIT
  trap 'exit 1' INT TERM
  rv_claim_net
  RV_RESOLVER=$RV_NET.0.1
  RV_INGEST=ipc://$RV_TMP/ingest.sock
  RV_RECV_OUT=$RV_TMP/recv.out
  rv_sanitizer_env
}

# Under --enable-sanitizers the module needs the ASan runtime loaded first
# in the (uninstrumented) unbound process (resolver_start preloads it). Leak checking
# stays on for our own programs; in unbound it is off unless
# RV_LEAK_CHECK=1 (Unbound's own exit path is not what these tests judge).
rv_sanitizer_env() {
  RV_SANITIZED=0
  if readelf -d "$RV_MODULE_SO" 2>/dev/null | grep -q 'NEEDED.*libasan'; then
    RV_SANITIZED=1
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  fi
}

# Fail when a sanitizer reported anything in the resolver's output.
rv_check_sanitizers() {
  local out=$RV_TMP/resolver/unbound.out
  [ -f "$out" ] || return 0
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$out"; then
    rv_fail "sanitizer report in $out: $(grep -m1 -E 'ERROR|runtime error' "$out")"
  fi
}

# rv_zones DIR: write the standard hierarchy for $RV_NET into DIR.
rv_zones() {
  local d=$1 n=$RV_NET key ds=
  mkdir -p "$d"
  cat > "$d/root.zone" <<EOF
\$TTL 86400
.  IN SOA a.root-servers.test. hostmaster.root-servers.test. 1 1800 900 604800 86400
.                    IN NS a.root-servers.test.
a.root-servers.test. IN A  $n.0.2
test.                172800 IN NS ns1.nic.test.
ns1.nic.test.        172800 IN A  $n.0.3
EOF
  cat > "$d/signed.test.zone" <<EOF
\$TTL 3600
@    IN SOA ns1.signed.test. hostmaster.signed.test. 1 7200 3600 1209600 300
@    IN NS  ns1.signed.test.
ns1  IN A   $n.0.5
www  IN A   192.0.2.50
EOF
  if command -v ldns-signzone >/dev/null && command -v ldns-keygen >/dev/null; then
    key=$(cd "$d" && ldns-keygen -a ECDSAP256SHA256 -k signed.test.) &&
      (cd "$d" && ldns-signzone -o signed.test. -f signed.test.zone.signed signed.test.zone "$key") &&
      mv "$d/signed.test.zone.signed" "$d/signed.test.zone" &&
      ds=$(cat "$d/$key.ds") && cp "$d/$key.ds" "$d/trust-anchor.ds" ||
      { rv_log "signing signed.test failed"; return 1; }
  fi
  cat > "$d/test.zone" <<EOF
\$TTL 86400
@   IN SOA ns1.nic.test. hostmaster.nic.test. 1 1800 900 604800 300
@              IN NS ns1.nic.test.
ns1.nic.test.  IN A  $n.0.3
shop           IN NS ns1.shop.test.
ns1.shop       IN A  $n.0.4
wild           IN NS ns1.shop.test.
signed         IN NS ns1.signed.test.
ns1.signed     IN A  $n.0.5
dead           IN NS ns1.dead.test.
ns1.dead       IN A  $n.0.9
$ds
EOF
  cat > "$d/shop.test.zone" <<EOF
\$TTL 3600
@      IN SOA ns1.shop.test. hostmaster.shop.test. 1 7200 3600 1209600 300
@      IN NS   ns1.shop.test.
@      IN MX   10 mail.shop.test.
ns1    IN A    $n.0.4
www    IN A    192.0.2.10
www    IN AAAA 2001:db8::10
mail   IN A    192.0.2.25
alias  IN CNAME alias2.shop.test.
alias2 IN CNAME www.shop.test.
txt    IN TXT  "hello world" "second string"
svc    IN HTTPS 1 . alpn=h2
unk    IN TYPE65280 \# 4 01020304
secret IN A    192.0.2.66
EOF
  cat > "$d/wild.test.zone" <<EOF
\$TTL 3600
@   IN SOA ns1.shop.test. hostmaster.shop.test. 1 7200 3600 1209600 300
@   IN NS  ns1.shop.test.
*   IN A   192.0.2.99
EOF
  cat > "$d/servers" <<EOF
$n.0.2 .
$n.0.3 test.
$n.0.4 shop.test. wild.test.
$n.0.5 signed.test.
EOF
}

# rv_net_start: write the standard hierarchy and start its NSD servers.
rv_net_start() {
  rv_zones "$RV_TMP/zones" || rv_fail "cannot write the zones"
  dnsnet_start "$RV_TMP/zones" "$RV_TMP/net" || rv_fail "NSD servers did not start"
}

# rv_module_conf FILE [LINE...]: a module config sending to $RV_INGEST,
# sensor "e2e", 50 ms batches, counters in $RV_TMP/module.stats (read them
# with rv_stat) and in the log every second; extra lines appended.
rv_module_conf() {
  local f=$1; shift
  {
    printf 'endpoint: %s\nsensor: e2e\nbatch-delay: 50ms\n' "$RV_INGEST"
    printf 'stats-file: %s/module.stats\nstats-interval: 1\n' "$RV_TMP"
    printf '%s\n' "$@"
  } > "$f"
}

# rv_resolver_start [--no-module] [--module-conf FILE] [--extra LINES]:
# Unbound on $RV_RESOLVER recursing from the standard root, with
# qname-minimisation, test. served from the hierarchy (nodefault), the
# signed.test trust anchor, and the module unless --no-module.
rv_resolver_start() {
  local so=$RV_MODULE_SO mconf=/nonexistent extra=
  while [ $# -gt 0 ]; do
    case $1 in
      --no-module) so=; shift ;;
      --module-conf) mconf=$2; shift 2 ;;
      --extra) extra=$2; shift 2 ;;
      *) rv_fail "rv_resolver_start: unknown option $1" ;;
    esac
  done
  RV_UNBOUND_EXTRA='local-zone: "test." nodefault'
  [ -f "$RV_TMP/zones/trust-anchor.ds" ] &&
    RV_UNBOUND_EXTRA="$RV_UNBOUND_EXTRA
trust-anchor-file: \"$RV_TMP/zones/trust-anchor.ds\""
  [ -n "$extra" ] && RV_UNBOUND_EXTRA="$RV_UNBOUND_EXTRA
$extra"
  export RV_UNBOUND_EXTRA
  if [ "$RV_SANITIZED" = 1 ]; then
    export ASAN_OPTIONS=${RV_ASAN_OPTIONS:-detect_leaks=${RV_LEAK_CHECK:-0}:halt_on_error=1}
  fi
  # resolver_start preloads the ASan runtime itself for a sanitized module.
  resolver_start "$RV_TMP/resolver" "$RV_RESOLVER" "$RV_TMP/zones" "$so" "$mconf" ||
    rv_fail "unbound did not start"
  unset ASAN_OPTIONS
}

# rv_resolver_stop: stop Unbound; RV_RESOLVER_STATUS is its exit status
# (0 for a clean exit, 128+N when killed by signal N, e.g. 139 for SIGSEGV).
rv_resolver_stop() {
  local pid
  pid=$(cat "$RV_TMP/resolver/unbound.bgpid" 2>/dev/null) || return 0
  resolver_stop "$RV_TMP/resolver"
  wait "$pid" 2>/dev/null
  RV_RESOLVER_STATUS=$?
}

# rv_control ARGS...: unbound-control for the test's resolver.
rv_control() { resolver_control "$RV_TMP/resolver" "$@"; }

# rv_recv_start [URL]: the nng test receiver in the background; its
# records go to $RV_RECV_OUT.
rv_recv_start() {
  local url=${1:-$RV_INGEST}
  [ -x "$RV_RECV" ] || rv_fail "receiver not built: $RV_RECV"
  "$RV_RECV" --listen "$url" >> "$RV_RECV_OUT" 2>> "$RV_TMP/recv.err" &
  RV_RECV_PID=$!
  RV_BG_PIDS="$RV_BG_PIDS $RV_RECV_PID"
  rv_wait_grep "$RV_RECV_OUT" '^listening ' 10 || rv_fail "receiver did not start"
}

rv_recv_stop() {
  [ -n "${RV_RECV_PID:-}" ] || return 0
  kill "$RV_RECV_PID" 2>/dev/null && wait "$RV_RECV_PID" 2>/dev/null
  RV_RECV_PID=
}

# rv_q NAME TYPE [kdig options]: ask the resolver, print the answer (+short).
rv_q() {
  local name=$1 type=$2; shift 2
  kdig +short +timeout=3 +retry=1 @"$RV_RESOLVER" "$name" "$type" "$@"
}

# rv_q_rcode NAME TYPE: print the rcode of the resolver's answer.
rv_q_rcode() {
  kdig +timeout=3 +retry=1 @"$RV_RESOLVER" "$1" "$2" |
    sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -1
}

# rv_wait_grep FILE ERE [SECONDS]: wait until a line of FILE matches (a
# deadline for something that must happen, not a timing assertion).
rv_wait_grep() {
  local f=$1 re=$2 secs=${3:-20} i
  for i in $(seq $((secs * 10))); do
    grep -qE -- "$re" "$f" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# rv_expect FILE ERE WHAT: fail unless a line of FILE matches.
rv_expect() {
  grep -qE -- "$2" "$1" 2>/dev/null || rv_fail "$3: no line of $(basename "$1") matches: $2"
}

# rv_expect_none FILE ERE WHAT: fail if a line of FILE matches.
rv_expect_none() {
  if grep -qE -- "$2" "$1" 2>/dev/null; then
    rv_fail "$3: unexpected line in $(basename "$1"): $(grep -m1 -E -- "$2" "$1")"
  fi
}

# rv_stat NAME: a counter from the module's stats file (empty if absent).
rv_stat() {
  awk -v k="$1" '$1 == k { print $2 }' "$RV_TMP/module.stats" 2>/dev/null
}

# rv_wait_stat NAME MIN [SECONDS]: wait until counter NAME >= MIN.
rv_wait_stat() {
  local i v
  for i in $(seq $((${3:-20} * 10))); do
    v=$(rv_stat "$1")
    [ -n "$v" ] && [ "$v" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

# rv_rx NAME: NAME as an ERE matching itself literally (dots escaped).
rv_rx() { printf '%s' "$1" | sed 's/[.[\*^$()+?{|]/\\&/g'; }
