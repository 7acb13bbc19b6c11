#!/bin/bash
# dnstap from other resolvers than Unbound, end to end: BIND 9 (named) and
# the PowerDNS Recursor, each recursing through the harness's NSD
# hierarchy and logging its resolver responses over dnstap to rearviewd's
# --dnstap unix socket. The same queries first go through the project's
# Unbound with the module into a database of their own (as in dnstap.sh);
# each resolver's rows are then compared with the module's rows. The
# resolvers differ from Unbound in what they ask and cache, so identity is
# not required: the differences are logged. What is asserted, per
# resolver: its dnstap made records under its dnstap identity, the key
# rows (www.shop.test A, nope.shop.test NXDOMAIN, shop.test MX) are
# stored, nothing is stored out of bailiwick, and the exit log counts the
# dropped client-side messages (BIND logs client queries and responses;
# the PowerDNS Recursor 4.8 logs outgoing traffic only, so its count is 0).
# A resolver whose binary is missing is skipped; with neither, the test is.
# No timing is asserted; waits are deadlines for things that must happen.
. "$(dirname "$0")/harness.sh"
. "$(dirname "$0")/dnstap_lib.sh"
rv_init dnstap_resolvers
RVD=$RV_TOP_BUILDDIR/indexer/rearviewd
RV=$RV_TOP_BUILDDIR/cli/rearview
[ -x "$RVD" ] || rv_skip "rearviewd not built"
[ -x "$RV" ] || rv_skip "rearview not built"
command -v ss >/dev/null || rv_skip "ss not found"
NAMED=$(command -v named || true)
PDNS=$(command -v pdns_recursor || true)
[ -x /usr/sbin/named ] && NAMED=/usr/sbin/named
[ -x /usr/sbin/pdns_recursor ] && PDNS=/usr/sbin/pdns_recursor
if [ -n "$NAMED" ] && ! "$NAMED" -V 2>/dev/null | grep -q -- '--enable-dnstap'; then
  rv_log "named is built without dnstap: BIND skipped"
  NAMED=
fi
if [ -n "$PDNS" ] && ! "$PDNS" --version 2>&1 | grep -q 'dnstap-framestream'; then
  rv_log "pdns_recursor is built without dnstap: PowerDNS skipped"
  PDNS=
fi
[ -n "$NAMED" ] || rv_log "named not found: BIND skipped"
[ -n "$PDNS" ] || rv_log "pdns_recursor not found: PowerDNS skipped"
[ -n "$NAMED$PDNS" ] || rv_skip "neither named nor pdns_recursor (with dnstap) found"
rv_net_start

RES_ADDR=$RV_RESOLVER RES_PORT=53
ask() {  # every query once, through the running resolver ($RES_ADDR)
  local i
  for ((i = 0; i < ${#QUERIES[@]}; i += 2)); do
    kdig +short +timeout=3 +retry=1 @"$RES_ADDR" -p "$RES_PORT" \
      "${QUERIES[i]}" "${QUERIES[i + 1]}" > /dev/null
  done
}
# wait_listen ADDR:PORT PID: wait until something listens on ADDR:PORT
# (UDP and TCP) while PID lives
wait_listen() {
  local i
  for i in $(seq 300); do
    kill -0 "$2" 2>/dev/null || return 1
    ss -Hlnu 2>/dev/null | awk '{ print $4 }' | grep -qx "$1" &&
      ss -Hlnt 2>/dev/null | awk '{ print $4 }' | grep -qx "$1" && return 0
    sleep 0.1
  done
  return 1
}
# stop_pid PID: TERM, then (deadline) KILL; reap it
stop_pid() {
  local i
  kill "$1" 2>/dev/null || return 0
  for i in $(seq 100); do dnsnet_alive "$1" || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# --- the module first: the rows every resolver is compared with ----------
MD=$RV_TMP/md
"$RVD" --db "$MD" --listen "$RV_INGEST" --flush-interval 100 \
  > "$RV_TMP/rvd-md.log" 2>&1 &
MD_PID=$!
RV_BG_PIDS="$RV_BG_PIDS $MD_PID"
rv_wait_grep "$RV_TMP/rvd-md.log" 'ready:' 10 || rv_fail "rearviewd did not start"
rv_module_conf "$RV_TMP/module.conf"
rv_resolver_start --module-conf "$RV_TMP/module.conf"
ask
wait_obs "$MD" 10 || rv_fail "module records did not reach the database"
rv_resolver_stop
sent=$(rv_stat sent)
wait_obs "$MD" "${sent:-0}" || rv_fail "not all module records stored"
kill "$MD_PID" && wait "$MD_PID"
rows "$MD" > "$RV_TMP/md.rows"
# The answers to the queries themselves (owner and type asked): what a
# resolver's run waits for before it is stopped.
for ((i = 0; i < ${#QUERIES[@]}; i += 2)); do
  awk -v o="${QUERIES[i]}." -v t="${QUERIES[i + 1]}" '$1 == o && ($2 == t || $2 == "CNAME")' "$RV_TMP/md.rows"
done | sort -u > "$RV_TMP/md.answers"

# --- the resolvers' configurations -------------------------------------
# Both: on $RV_RESOLVER:53 only, root hints for the harness's root, no
# forwarding, QNAME minimisation (relaxed, as Unbound's), and DNSSEC as
# Unbound's: validation with signed.test's DS as the only trust anchor
# (not the real root's), none when the zone could not be signed.
HINTS=$RV_TMP/root.hints
dnsnet_root_hints "$RV_TMP/zones" > "$HINTS"
TA_DS=  # "KEYTAG ALG DIGESTTYPE DIGEST" of signed.test., or empty
[ -f "$RV_TMP/zones/trust-anchor.ds" ] &&
  TA_DS=$(awk '{ for (i = 1; i < NF - 3; i++) if ($i == "DS") { print $(i + 1), $(i + 2), $(i + 3), $(i + 4); exit } }' \
    "$RV_TMP/zones/trust-anchor.ds")

# named listens only on addresses of the machine's interfaces, and lo has
# 127.0.0.1 alone: $RV_RESOLVER is added to lo for the test (removed on
# exit). Where that is not allowed, named listens on 127.0.0.1 on a port
# of the test's own (5300 + X of 127.X).
LO_ADDED=
lo_cleanup() {
  local rc=$?
  [ -n "$LO_ADDED" ] && ip addr del "$LO_ADDED/32" dev lo 2>/dev/null
  (exit "$rc")
  rv_cleanup
}
trap lo_cleanup EXIT
bind_start() {  # SOCKET IDENTITY: named in the foreground, in the background
  local d=$RV_TMP/bind
  mkdir -p "$d"
  if [ "${RV_BIND_NO_LO:-0}" != 1 ] &&
     { ip -4 addr show dev lo | grep -q " $RV_RESOLVER/" ||
       { ip addr add "$RV_RESOLVER/32" dev lo 2>/dev/null && LO_ADDED=$RV_RESOLVER; }; }; then
    RES_ADDR=$RV_RESOLVER RES_PORT=53
  else
    RES_ADDR=127.0.0.1 RES_PORT=$((5300 + ${RV_NET#127.}))
    rv_log "bind: cannot add $RV_RESOLVER to lo; named on $RES_ADDR port $RES_PORT"
  fi
  cat > "$d/named.conf" <<EOF
options {
  directory "$d";
  pid-file "$d/named.pid";
  session-keyfile "$d/session.key";
  managed-keys-directory "$d";
  listen-on port $RES_PORT { $RES_ADDR; };
  listen-on-v6 { none; };
  recursion yes;
  allow-recursion { 127.0.0.0/8; };
  allow-query { 127.0.0.0/8; };
  dnssec-validation $([ -n "$TA_DS" ] && echo yes || echo no);
  qname-minimization relaxed;
  notify no;
  empty-zones-enable no;
  dnstap { resolver response; client query; client response; };
  dnstap-output unix "$1";
  dnstap-identity "$2";
};
controls { };
$([ -n "$TA_DS" ] && echo "trust-anchors { \"signed.test.\" static-ds $(echo "$TA_DS" |
  awk '{ printf "%s %s %s \"%s\"", $1, $2, $3, $4 }'); };")
logging {
  channel out { file "$d/named.log"; severity info; print-time yes; };
  category default { out; };
  category lame-servers { null; };
};
zone "." { type hint; file "$HINTS"; };
EOF
  named-checkconf "$d/named.conf" > "$d/checkconf.out" 2>&1 ||
    rv_fail "bad named.conf: $(head -3 "$d/checkconf.out")"
  # -f: foreground; -4: IPv4 only (the hierarchy has no IPv6)
  "$NAMED" -f -4 -c "$d/named.conf" > "$d/named.out" 2>&1 &
  RES_PID=$!
  RES_LOG=$d/named.log
}

pdns_start() {  # SOCKET IDENTITY
  local d=$RV_TMP/pdns
  mkdir -p "$d"
  RES_ADDR=$RV_RESOLVER RES_PORT=53
  cat > "$d/recursor.lua" <<EOF
dnstapFrameStreamServer({"$1"}, {logQueries=false, logResponses=true})
clearTA()
$([ -n "$TA_DS" ] && echo "addTA(\"signed.test.\", \"$TA_DS\")")
EOF
  # dont-query= : the hierarchy is on loopback addresses, which the
  # Recursor refuses to ask by default. security-poll-suffix= : no
  # security poll query. clearTA() above: not the real root's anchor.
  cat > "$d/recursor.conf" <<EOF
local-address=$RV_RESOLVER
local-port=53
allow-from=127.0.0.0/8
hint-file=$HINTS
dont-query=
security-poll-suffix=
dnssec=$([ -n "$TA_DS" ] && echo validate || echo off)
qname-minimization=yes
lua-config-file=$d/recursor.lua
server-id=$2
socket-dir=$d
daemon=no
write-pid=no
disable-syslog=yes
log-timestamp=yes
loglevel=6
threads=1
EOF
  "$PDNS" --config-dir="$d" > "$d/pdns.out" 2>&1 &
  RES_PID=$!
  RES_LOG=$d/pdns.out
}

FAILS=
bad() {  # NAME WHAT: record a failed assertion (reported at the end)
  rv_log "$1: FAILED: $2"
  FAILS="$FAILS
$1: $2"
}

# run NAME: rearviewd on $RV_TMP/NAME.sock, the resolver, the queries, the
# comparison with the module's rows.
run() {
  local n=$1 id=$1-dnstap db=$RV_TMP/$1 sock=$RV_TMP/$1.sock log=$RV_TMP/rvd-$1.log
  local pid i
  "$RVD" --db "$db" --listen "ipc://$RV_TMP/unused-$n.sock" \
    --dnstap "unix:$sock" --flush-interval 100 > "$log" 2>&1 &
  pid=$!
  RV_BG_PIDS="$RV_BG_PIDS $pid"
  rv_wait_grep "$log" 'ready:' 10 ||
    rv_fail "$n: rearviewd --dnstap did not start: $(tail -3 "$log")"
  [ -S "$sock" ] || rv_fail "$n: no dnstap socket"
  "${n}_start" "$sock" "$id"
  RV_BG_PIDS="$RV_BG_PIDS $RES_PID"
  wait_listen "$RES_ADDR:$RES_PORT" "$RES_PID" ||
    rv_fail "$n did not start: $(tail -5 "$RES_LOG")"
  rv_wait_grep "$log" 'dnstap connection #1 from' 20 ||
    rv_fail "$n did not connect to the dnstap socket: $(tail -5 "$RES_LOG")"
  ask
  # Deadline: every answer the module stored for the queries themselves
  # is stored (a resolver that answers differently leaves this at the
  # deadline; the differences are logged below).
  for i in $(seq 100); do
    rows "$db" > "$RV_TMP/$n.rows"
    [ -z "$(comm -23 "$RV_TMP/md.answers" "$RV_TMP/$n.rows")" ] && break
    sleep 0.1
  done
  stop_pid "$RES_PID"
  # The resolver closes its dnstap connection when it stops; what it
  # flushed before is then in rearviewd, which stores it at exit.
  rv_wait_grep "$log" 'dnstap connection #1 .* closed' 10 ||
    rv_log "$n: its dnstap connection did not close (rearviewd is stopped anyway)"
  kill "$pid" && wait "$pid"
  "$RV" stats -d "$db" -o csv > "$RV_TMP/$n.stats" 2>/dev/null
  rows "$db" > "$RV_TMP/$n.rows"
  grep 'dnstap: ' "$log" | sed 's/^[^ ]* rearviewd info: /  /' >&2

  # --- assertions
  grep -qE "^sensor:$id,[1-9]" "$RV_TMP/$n.stats" ||
    bad "$n" "no observations with sensor $id: $(grep '^sensor' "$RV_TMP/$n.stats" | tr '\n' ' ')"
  grep -qE 'dnstap: .* dropped \([0-9]+ client-side\)' "$log" ||
    bad "$n" "no count of dropped client-side messages in the exit log"
  if [ "$n" = bind ]; then
    grep -qE 'dnstap: .* dropped \([1-9][0-9]* client-side\)' "$log" ||
      bad "$n" "client queries and responses were not dropped and counted"
  fi
  for want in '^www\.shop\.test\. A shop\.test\. 192\.0\.2\.10$' \
      '^nope\.shop\.test\. A NXDOMAIN shop\.test\. NEG$' \
      '^shop\.test\. MX shop\.test\. 10 mail\.shop\.test\.$'; do
    grep -qE -- "$want" "$RV_TMP/$n.rows" || bad "$n" "not stored: $want"
  done
  outside_bailiwick "$RV_TMP/$n.rows" > "$RV_TMP/$n.outside"
  [ -s "$RV_TMP/$n.outside" ] &&
    bad "$n" "stored out of bailiwick: $(head -3 "$RV_TMP/$n.outside")"
  # No client address in the database (kdig asks from 127.0.0.1; the
  # resolver listens on $RES_ADDR, not an authoritative's address).
  for a in 127.0.0.1 "$RES_ADDR"; do
    "$RV" rdata ip "$a" -d "$db" -l 0 -o json > "$RV_TMP/$n.client" 2>/dev/null
    [ -s "$RV_TMP/$n.client" ] && bad "$n" "a client-side address is stored: $(head -1 "$RV_TMP/$n.client")"
  done

  # --- differences, logged
  comm -23 "$RV_TMP/md.rows" "$RV_TMP/$n.rows" > "$RV_TMP/$n.only-module"
  comm -13 "$RV_TMP/md.rows" "$RV_TMP/$n.rows" > "$RV_TMP/$n.only-resolver"
  rv_log "$n: module $(wc -l < "$RV_TMP/md.rows") rows, $n $(wc -l < "$RV_TMP/$n.rows");" \
    "only module: $(wc -l < "$RV_TMP/$n.only-module"), only $n: $(wc -l < "$RV_TMP/$n.only-resolver")"
  sed -n '1,8s/^/  only module: /p' "$RV_TMP/$n.only-module" | cut -c1-160 >&2
  sed -n '1,8s/^/  only '"$n"': /p' "$RV_TMP/$n.only-resolver" | cut -c1-160 >&2
}

[ -n "$NAMED" ] && run bind
[ -n "$PDNS" ] && run pdns
[ -z "$FAILS" ] || rv_fail "$(printf '%s' "$FAILS" | sed 1d | tr '\n' ';')"
rv_pass
