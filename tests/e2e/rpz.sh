#!/bin/bash
# `rearview rpz` end to end: the phishing report's block verdicts, written
# as a Response Policy Zone, block names in the project's Unbound, with the
# module loaded and unbound-conf/rpz.conf (the file users install)
# included. NSD servers on loopback serve:
#   paypa1.test     a lookalike of the watched brand paypal: apex, login,
#                   download (asked before the RPZ) and secure (asked only
#                   after it), all on 203.0.113.5    -> blocked (NXDOMAIN)
#   paypal.test     the brand's own domain           -> passthru, resolves
#   acmecorp.test   our own domain (watch: own)      -> passthru, resolves
#   www.shop.test   an ordinary name (the harness's) -> resolves, verdict none
# Asserted: the report's verdict and reason, `rearview verdict`'s exit
# codes, both zone files (named-checkzone when installed), NXDOMAIN after
# auth_zone_reload, the other names still resolving, RPZ hits counted from
# Unbound's log (rpz-log, without keeping client addresses), and that the
# blocked queries stored nothing new in the passive DNS database.
# No timing is asserted; waits are deadlines for things that must happen.
. "$(dirname "$0")/harness.sh"
rv_init rpz
RVD=$RV_TOP_BUILDDIR/indexer/rearviewd
RV=$RV_TOP_BUILDDIR/cli/rearview
[ -x "$RVD" ] || rv_skip "rearviewd not built"
[ -x "$RV" ] || rv_skip "rearview not built"
N=$RV_NET
Z=$RV_TMP/zones
UB=$RV_TMP/resolver
LOOK=203.0.113.5

# The zones: paypa1.test, paypal.test and acmecorp.test on $N.0.6.
rv_zones "$Z" || rv_fail "cannot write the zones"
cat >> "$Z/test.zone" <<EOF
paypa1       IN NS ns1.paypa1.test.
ns1.paypa1   IN A  $N.0.6
paypal       IN NS ns1.paypal.test.
ns1.paypal   IN A  $N.0.6
acmecorp     IN NS ns1.acmecorp.test.
ns1.acmecorp IN A  $N.0.6
EOF
printf '%s.0.6 paypa1.test. paypal.test. acmecorp.test.\n' "$N" >> "$Z/servers"
zone() {  # ADDRESS HOST...: a zone with its own server name, ns1
  local addr=$1 h; shift
  printf '$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n'
  printf '@ IN NS ns1\nns1 IN A %s.0.6\n@ IN A %s\n' "$N" "$addr"
  for h in "$@"; do printf '%s IN A %s\n' "$h" "$addr"; done
}
zone "$LOOK" login download secure > "$Z/paypa1.test.zone"
zone 192.0.2.80 www > "$Z/paypal.test.zone"
zone 192.0.2.81 www intranet > "$Z/acmecorp.test.zone"
dnsnet_start "$Z" "$RV_TMP/net" || rv_fail "NSD servers did not start"

# The watch list. .test is not in the public suffix list; libpsl's '*'
# rule makes an unknown TLD a one-label suffix, but the test does not rely
# on the system's list: its own, with test as a suffix, goes to rearviewd
# and every rearview command.
cat > "$RV_TMP/watch.conf" <<EOF
brand paypal paypal.test
own acmecorp.test
EOF
printf '// test list\n// ===BEGIN ICANN DOMAINS===\ntest\n// ===END ICANN DOMAINS===\n' > "$RV_TMP/psl.dat"
W=(--watch "$RV_TMP/watch.conf" --psl "$RV_TMP/psl.dat")
export REARVIEW_DB=$RV_TMP/db

"$RVD" --db "$REARVIEW_DB" --listen "$RV_INGEST" --flush-interval 100 \
  --psl "$RV_TMP/psl.dat" > "$RV_TMP/rvd.log" 2>&1 &
RV_BG_PIDS="$RV_BG_PIDS $!"
rv_wait_grep "$RV_TMP/rvd.log" 'ready:' 10 || rv_fail "rearviewd did not start: $(tail -3 "$RV_TMP/rvd.log")"

# The zone files as the timer writes them, from the still empty database:
# Unbound does not start without them.
write_zones() {
  "$RV" rpz "${W[@]}" --window 1h --write "$RV_TMP/rpz.zone" 2> "$RV_TMP/rpz.err" ||
    rv_fail "rearview rpz --write failed: $(cat "$RV_TMP/rpz.err")"
  "$RV" rpz "${W[@]}" --passthru --write "$RV_TMP/rpz-passthru.zone" 2> "$RV_TMP/rpzp.err" ||
    rv_fail "rearview rpz --passthru --write failed: $(cat "$RV_TMP/rpzp.err")"
}
write_zones
rv_expect "$RV_TMP/rpz.zone" '^; 0 entries$' "the first block zone is empty"

# Unbound with the module, then again with unbound-conf/rpz.conf included
# (its module-config, "dynlib respip validator iterator", replaces the
# harness's as the last one), the zone files' paths pointed at RV_TMP.
rv_module_conf "$RV_TMP/module.conf"
rv_resolver_start --module-conf "$RV_TMP/module.conf"
rv_resolver_stop
sed -e "s#/var/lib/rearview/rpz-passthru.zone#$RV_TMP/rpz-passthru.zone#" \
    -e "s#/var/lib/rearview/rpz.zone#$RV_TMP/rpz.zone#" \
    "$RV_TOP_SRCDIR/unbound-conf/rpz.conf" > "$RV_TMP/rpz.conf"
if ! grep -q "zonefile: $RV_TMP/rpz.zone" "$RV_TMP/rpz.conf" ||
   ! grep -q "zonefile: $RV_TMP/rpz-passthru.zone" "$RV_TMP/rpz.conf"; then
  rv_fail "unbound-conf/rpz.conf does not name /var/lib/rearview/rpz.zone and rpz-passthru.zone"
fi
printf 'include: "%s/rpz.conf"\n' "$RV_TMP" >> "$UB/unbound.conf"
"$RV_UNBOUND_PREFIX/sbin/unbound-checkconf" "$UB/unbound.conf" > "$RV_TMP/checkconf.out" 2>&1 ||
  rv_fail "unbound-checkconf rejects rpz.conf: $(cat "$RV_TMP/checkconf.out")"
[ "$("$RV_UNBOUND_PREFIX/sbin/unbound-checkconf" -o module-config "$UB/unbound.conf")" = \
  "dynlib respip validator iterator" ] || rv_fail "rpz.conf's module-config is not in effect"
# Started as resolver_start starts it (same environment).
envv=("REARVIEW_MODULE_CONF=$RV_TMP/module.conf")
if [ "$RV_SANITIZED" = 1 ]; then
  envv+=("LD_PRELOAD=${RV_RESOLVER_PRELOAD:-$(gcc -print-file-name=libasan.so)}"
         "ASAN_OPTIONS=${RV_ASAN_OPTIONS:-detect_leaks=${RV_LEAK_CHECK:-0}:halt_on_error=1}")
fi
env "${envv[@]}" "$RV_UNBOUND_PREFIX/sbin/unbound" -d -c "$UB/unbound.conf" >> "$UB/unbound.out" 2>&1 &
echo $! > "$UB/unbound.bgpid"
up=0
for i in $(seq 100); do
  rv_control status > /dev/null 2>&1 && { up=1; break; }
  kill -0 "$(cat "$UB/unbound.bgpid")" 2>/dev/null || break
  sleep 0.1
done
[ "$up" = 1 ] || rv_fail "unbound with rpz.conf did not start"
rv_control list_auth_zones > "$RV_TMP/auth_zones" 2>&1
rv_expect "$RV_TMP/auth_zones" '^rpz\.rearview\.' "the block zone is loaded"
rv_expect "$RV_TMP/auth_zones" '^passthru\.rpz\.rearview\.' "the allow zone is loaded"

# The traffic rearview learns from.
for q in paypa1.test login.paypa1.test download.paypa1.test \
         www.paypal.test paypal.test www.acmecorp.test acmecorp.test www.shop.test; do
  rv_q "$q" A | grep -q . || rv_fail "no answer for $q before the RPZ"
done

# Wait until the indexer stored them (a deadline, not a timing).
stored() { "$RV" lookup "$1" -t A -o csv -l 0 2>/dev/null | grep -c ",$(rv_rx "$1")\.,A,"; }
for q in paypa1.test login.paypa1.test download.paypa1.test www.paypal.test \
         www.acmecorp.test www.shop.test; do
  for i in $(seq 200); do
    [ "$(stored "$q")" -ge 1 ] && break
    sleep 0.1
  done
  [ "$(stored "$q")" -ge 1 ] || rv_fail "the indexer did not store $q"
done

# The report: the lookalike is flagged for blocking, as a lookalike.
"$RV" report phishing "${W[@]}" --window 1h -o json > "$RV_TMP/ph.json" 2> "$RV_TMP/ph.err"
rc=$?
[ "$rc" = 0 ] || rv_fail "report phishing exited $rc: $(cat "$RV_TMP/ph.err")"
rv_expect "$RV_TMP/ph.json" '"name":"login\.paypa1\.test","registered_domain":"paypa1\.test","verdict":"block"' \
  "the lookalike's login name gets a block verdict"
rv_expect "$RV_TMP/ph.json" '"name":"paypa1\.test",.*"verdict":"block".*"reason":"lookalike-[a-z]*","points":[0-9.]*,"brand":"paypal"' \
  "the lookalike is flagged as a lookalike of paypal"
rv_expect_none "$RV_TMP/ph.json" '"registered_domain":"(paypal|acmecorp|shop)\.test"' \
  "the brand's, our own and the ordinary domain are not reported"

# verdict: block (exit 0) for the lookalike, none (exit 1) for the shop.
for q in paypa1.test login.paypa1.test; do
  "$RV" verdict "${W[@]}" "$q" -o json > "$RV_TMP/v1.json" 2> "$RV_TMP/v1.err"
  rc=$?
  [ "$rc" = 0 ] || rv_fail "verdict $q exited $rc, want 0: $(cat "$RV_TMP/v1.json" "$RV_TMP/v1.err")"
  rv_expect "$RV_TMP/v1.json" '"recommendation":"block"' "verdict $q recommends block"
  rv_expect "$RV_TMP/v1.json" '"phishing":\{"verdict":"block".*"reason":"lookalike-' "verdict $q: a lookalike"
done
"$RV" verdict "${W[@]}" www.shop.test -o json > "$RV_TMP/v2.json" 2> "$RV_TMP/v2.err"
rc=$?
[ "$rc" = 1 ] || rv_fail "verdict www.shop.test exited $rc, want 1: $(cat "$RV_TMP/v2.json" "$RV_TMP/v2.err")"
rv_expect "$RV_TMP/v2.json" '"recommendation":"none"' "verdict www.shop.test recommends none"

# The zones: the lookalike's names and registered domain (and all below
# it) blocked, nothing else; own and brand domains in the allow zone.
write_zones
rv_expect "$RV_TMP/rpz.zone" '^\$ORIGIN rpz\.rearview\.$' "the block zone's origin"
rv_expect "$RV_TMP/rpz.zone" '^paypa1\.test CNAME \.$' "the lookalike's registered domain is blocked"
rv_expect "$RV_TMP/rpz.zone" '^\*\.paypa1\.test CNAME \.$' "everything below it is blocked"
rv_expect "$RV_TMP/rpz.zone" '^login\.paypa1\.test CNAME \.$' "the login name is blocked"
rv_expect_none "$RV_TMP/rpz.zone" '^[^;].*(paypal|acmecorp|shop)\.test' "nothing else is blocked"
rv_expect "$RV_TMP/rpz-passthru.zone" '^\$ORIGIN passthru\.rpz\.rearview\.$' "the allow zone's origin"
for d in paypal.test acmecorp.test; do
  rv_expect "$RV_TMP/rpz-passthru.zone" "^$(rv_rx "$d") CNAME rpz-passthru\.\$" "$d is allowed"
  rv_expect "$RV_TMP/rpz-passthru.zone" "^\\*\\.$(rv_rx "$d") CNAME rpz-passthru\.\$" "names below $d are allowed"
done
rv_expect_none "$RV_TMP/rpz-passthru.zone" 'paypa1' "the lookalike is not allowed"
if command -v named-checkzone > /dev/null; then
  named-checkzone rpz.rearview "$RV_TMP/rpz.zone" > "$RV_TMP/nc1.out" 2>&1 ||
    rv_fail "named-checkzone rejects the block zone: $(cat "$RV_TMP/nc1.out")"
  named-checkzone passthru.rpz.rearview "$RV_TMP/rpz-passthru.zone" > "$RV_TMP/nc2.out" 2>&1 ||
    rv_fail "named-checkzone rejects the allow zone: $(cat "$RV_TMP/nc2.out")"
else
  rv_log "named-checkzone not installed: the zones are checked by Unbound only"
fi

# What the database holds about the lookalike before the RPZ takes effect.
snap() {
  {
    "$RV" lookup paypa1.test '*.paypa1.test' -o csv -l 0 -s name
    "$RV" lookup paypa1.test '*.paypa1.test' --negative -o csv -l 0 -s name
  } 2>/dev/null
}
snap > "$RV_TMP/db.before"
grep -q ',login\.paypa1\.test\.,A,' "$RV_TMP/db.before" ||
  rv_fail "no login.paypa1.test row to compare with"

# Reload both zones in the running Unbound.
for z in passthru.rpz.rearview rpz.rearview; do
  out=$(rv_control auth_zone_reload "$z" 2>&1)
  [ "$out" = ok ] || rv_fail "unbound-control auth_zone_reload $z: $out"
done
# Nothing from the cache: a query the RPZ does not stop goes to NSD again
# (and through the module, into the database).
for z in paypa1.test paypal.test acmecorp.test shop.test; do
  rv_control flush_zone "$z" > /dev/null || rv_fail "flush_zone $z failed"
done

# Blocked: NXDOMAIN for the lookalike, its login name and a name asked
# for the first time (secure. exists in the zone: only *.paypa1.test
# blocks it).
for q in paypa1.test login.paypa1.test secure.paypa1.test; do
  rc=$(rv_q_rcode "$q" A)
  [ "$rc" = NXDOMAIN ] || rv_fail "$q: rcode '$rc' after the RPZ, want NXDOMAIN"
done
rv_q download.paypa1.test AAAA > /dev/null
# Not blocked: the ordinary, the own and the brand's names.
rv_q www.shop.test A | grep -qx 192.0.2.10 || rv_fail "www.shop.test no longer resolves"
rv_q www.acmecorp.test A | grep -qx 192.0.2.81 || rv_fail "www.acmecorp.test no longer resolves"
rv_q intranet.acmecorp.test A | grep -qx 192.0.2.81 || rv_fail "intranet.acmecorp.test does not resolve"
rv_q www.paypal.test A | grep -qx 192.0.2.80 || rv_fail "www.paypal.test no longer resolves"

# RPZ hits from Unbound's log, counted per zone without client addresses
# (the log lines carry them: only the count is kept).
hits() {  # LOG-NAME -> number of "rpz: applied [LOG-NAME]" lines
  awk -v t="rpz: applied [$1] " 'index($0, t) { n++ } END { print n + 0 }' "$UB/unbound.log"
}
for i in $(seq 100); do
  [ "$(hits rearview)" -ge 4 ] && break
  sleep 0.1
done
n=$(hits rearview)
[ "$n" -gt 0 ] || rv_fail "no RPZ hit in Unbound's log"
[ "$n" -ge 4 ] || rv_fail "$n RPZ hits in Unbound's log, want one for each of the 4 blocked queries"
awk '/rpz: applied \[rearview\] / { for (i = 1; i <= NF; i++) if ($i == "applied") print $(i + 2), $(i + 3) }' \
  "$UB/unbound.log" | sort | uniq -c > "$RV_TMP/rpz.hits"
rv_log "RPZ hits (trigger, action): $(tr -s ' \n' ' ' < "$RV_TMP/rpz.hits")"
rv_expect "$RV_TMP/rpz.hits" ' paypa1\.test\. rpz-nxdomain$' "the registered domain's trigger answers NXDOMAIN"
rv_expect "$RV_TMP/rpz.hits" ' \*\.paypa1\.test\. rpz-nxdomain$' "the wildcard trigger answers NXDOMAIN"
rv_expect_none "$RV_TMP/rpz.hits" '(shop|acmecorp|paypal)\.test\.' "no hit for names not blocked"
# The allow zone matched the own and brand names (passthru).
[ "$(hits rearview-allow)" -gt 0 ] || rv_fail "no passthru hit for the own and brand names in Unbound's log"

# The database: a name asked after the blocked ones, once stored, shows the
# pipeline has delivered everything before it; the lookalike's rows did
# not change.
rv_q www.acmecorp.test AAAA > /dev/null
for i in $(seq 200); do
  "$RV" lookup www.acmecorp.test --negative -o csv -l 0 2>/dev/null | grep -q ',AAAA,' && break
  sleep 0.1
done
"$RV" lookup www.acmecorp.test --negative -o csv -l 0 2>/dev/null | grep -q ',AAAA,' ||
  rv_fail "the indexer did not store the marker query asked after the blocked ones"
snap > "$RV_TMP/db.after"
diff "$RV_TMP/db.before" "$RV_TMP/db.after" > "$RV_TMP/db.diff" ||
  rv_fail "the blocked queries reached the database: $(head -5 "$RV_TMP/db.diff")"
rv_expect_none "$RV_TMP/db.after" 'secure\.paypa1\.test' "secure.paypa1.test (asked only while blocked) is not stored"
rv_pass
