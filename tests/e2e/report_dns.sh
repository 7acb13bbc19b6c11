#!/bin/bash
# `rearview report` over a database filled by the whole pipeline: NSD
# servers on loopback, the project's Unbound with the module, rearviewd
# with MaxMind's test databases. The answers really rotate: ff.test's zone
# is rewritten and reloaded six times, and the resolver's cache flushed in
# between.
#   flux.ff.test  A/AAAA, TTL 60, 60 addresses over AS1221, AS7018, AS237,
#                 AS6939 and several countries          -> flagged
#   cdn.ff.test   A, TTL 20, 120 addresses in AS1221    -> not flagged
#   www.ff.test   A, TTL 3600                           -> not flagged
#   tun.test      300 random TXT names, 40 NXDOMAINs    -> flagged
#   ord.test      36 readable names, 2 NXDOMAINs        -> not flagged
#   dt.test       real dns2tcp traffic (dns2tcpd as its authoritative
#                 server, dns2tcpc through the resolver) -> flagged
# dns2tcp is optional: without it the rest still runs and is asserted.
# No timing is asserted; waits are deadlines for things that must happen.
. "$(dirname "$0")/harness.sh"
rv_init report_dns
RVD=$RV_TOP_BUILDDIR/indexer/rearviewd
RV=$RV_TOP_BUILDDIR/cli/rearview
MMDB=${RV_MMDB_DIR:-$RV_TOP_SRCDIR/.deps/mmdb}
[ -x "$RVD" ] || rv_skip "rearviewd not built"
[ -x "$RV" ] || rv_skip "rearview not built"
[ -f "$MMDB/GeoLite2-ASN-Test.mmdb" ] || rv_skip "no MaxMind test databases"
N=$RV_NET
Z=$RV_TMP/zones

# The flux addresses (6 rotations of 10) and the CDN's (6 of 20).
flux_addrs() {  # ROTATION -> "TYPE ADDRESS" lines
  awk -v k="$1" 'BEGIN {
    n = 0
    for (i = 0; i < 20; i++) ip[n++] = sprintf("1.%d.%d.7", 128 + i, i)
    for (i = 0; i < 10; i++) ip[n++] = sprintf("12.81.%d.%d", 92 + i % 4, 10 + i)
    for (i = 0; i < 10; i++) ip[n++] = sprintf("2600:6000::%x", i + 1)
    for (i = 0; i < 8; i++) ip[n++] = sprintf("2600:7000::%x", i + 1)
    split("81.2.69.142 81.2.69.150 89.160.20.115 89.160.20.130 175.16.199.5 216.160.83.57 67.43.156.9 202.196.224.3 2.125.160.217 2001:218::5 2001:250::7 2a02:d180::9", o, " ")
    for (i = 1; i <= 12; i++) ip[n++] = o[i]
    for (i = k; i < n; i += 6) print (index(ip[i], ":") ? "AAAA" : "A"), ip[i]
  }'
}

write_ff() {  # ROTATION
  local k=$1 i
  {
    printf '$TTL 3600\n@ IN SOA ns1.ff.test. hostmaster.ff.test. %d 7200 3600 1209600 300\n' $((k + 1))
    printf '@ IN NS ns1.ff.test.\nns1 IN A %s.0.6\nwww 3600 IN A 81.2.69.160\n' "$N"
    flux_addrs "$k" | while read -r t a; do printf 'flux 60 IN %s %s\n' "$t" "$a"; done
    for i in $(seq 0 19); do printf 'cdn 20 IN A 1.%d.%d.1\n' $((130 + k)) "$i"; done
  } > "$Z/ff.test.zone.tmp" && mv "$Z/ff.test.zone.tmp" "$Z/ff.test.zone"
}

rv_zones "$Z" || rv_fail "cannot write the zones"
cat >> "$Z/test.zone" <<EOF
ff      IN NS ns1.ff.test.
ns1.ff  IN A  $N.0.6
tun     IN NS ns1.ff.test.
ord     IN NS ns1.ff.test.
dt      IN NS ns1.dt.test.
ns1.dt  IN A  $N.0.7
EOF
printf '%s.0.6 ff.test. tun.test. ord.test.\n' "$N" >> "$Z/servers"
write_ff 0
# 300 random-looking TXT names (base32, 40-59 octets), as a tunnel's.
awk 'BEGIN { srand(11); b = "abcdefghijklmnopqrstuvwxyz234567"
  print "$TTL 60"
  print "@ IN SOA ns1.ff.test. hostmaster.ff.test. 1 7200 3600 1209600 60"
  print "@ IN NS ns1.ff.test."
  for (i = 0; i < 300; i++) {
    l = ""; m = 40 + int(rand() * 20)
    for (j = 0; j < m; j++) l = l substr(b, int(rand() * 32) + 1, 1)
    d = ""; for (j = 0; j < 60; j++) d = d substr(b, int(rand() * 32) + 1, 1)
    printf "%s IN TXT \"%s\"\n", l, d
  } }' > "$Z/tun.test.zone"
{
  printf '$TTL 3600\n@ IN SOA ns1.ff.test. hostmaster.ff.test. 1 7200 3600 1209600 300\n@ IN NS ns1.ff.test.\n'
  i=0
  for w in www mail shop api blog static intranet vpn portal docs news help; do
    for d in '' 2 3; do
      printf '%s%s IN A 81.2.69.%d\n' "$w" "$d" $((144 + i % 16)); i=$((i + 1))
    done
  done
} > "$Z/ord.test.zone"
dnsnet_start "$Z" "$RV_TMP/net" || rv_fail "NSD servers did not start"

# dns2tcpd as dt.test's authoritative server, when it is installed.
DT=0
if command -v dns2tcpd >/dev/null && command -v dns2tcpc >/dev/null; then
  printf 'listen = %s.0.7\nport = 53\nuser = root\nchroot = %s\ndomain = dt.test\nresources = dns:%s.0.4:53\n' \
    "$N" "$RV_TMP" "$N" > "$RV_TMP/dns2tcpd.conf"
  dns2tcpd -F -f "$RV_TMP/dns2tcpd.conf" > "$RV_TMP/dns2tcpd.log" 2>&1 &
  RV_BG_PIDS="$RV_BG_PIDS $!"
  DT=1
fi

"$RVD" --db "$RV_TMP/db" --listen "$RV_INGEST" --flush-interval 100 \
  --asn-db "$MMDB/GeoLite2-ASN-Test.mmdb" --geo-db "$MMDB/GeoIP2-City-Test.mmdb" \
  > "$RV_TMP/rvd.log" 2>&1 &
RV_BG_PIDS="$RV_BG_PIDS $!"
rv_wait_grep "$RV_TMP/rvd.log" 'ready:' 10 || rv_fail "rearviewd did not start: $(tail -3 "$RV_TMP/rvd.log")"
rv_module_conf "$RV_TMP/module.conf"
# dns2tcpd 0.5.2 answers only its own tunnel queries, so Unbound's
# minimised queries (_.dt.test A) would go unanswered: qname-minimisation off.
rv_resolver_start --module-conf "$RV_TMP/module.conf" --extra 'qname-minimisation: no'

# Six rotations: rewrite, reload, wait until NSD serves the new set, flush
# the resolver's cache, ask.
for k in 0 1 2 3 4 5; do
  if [ "$k" -gt 0 ]; then
    write_ff "$k"
    dnsnet_reload "$Z" "$RV_TMP/net" "$N.0.6"
    want=$(flux_addrs "$k" | awk '$1 == "A" { print $2; exit }')
    for i in $(seq 100); do
      kdig +short +timeout=1 @"$N.0.6" flux.ff.test A | grep -qx "$want" && break
      sleep 0.1
    done
    rv_control flush flux.ff.test >/dev/null
    rv_control flush cdn.ff.test >/dev/null
  fi
  rv_q flux.ff.test A | grep -q . || rv_fail "no answer for flux.ff.test A (rotation $k)"
  rv_q flux.ff.test AAAA | grep -q . || rv_fail "no answer for flux.ff.test AAAA"
  rv_q cdn.ff.test A | grep -q . || rv_fail "no answer for cdn.ff.test"
done
rv_q www.ff.test A | grep -qx 81.2.69.160 || rv_fail "no answer for www.ff.test"

# The tunnel's names, then names that do not exist (NXDOMAIN).
args=()
for l in $(awk 'NF == 4 && $3 == "TXT" { print $1 }' "$Z/tun.test.zone"); do
  args+=("$l.tun.test" TXT)
done
kdig +short +timeout=3 +retry=1 @"$RV_RESOLVER" "${args[@]}" > "$RV_TMP/tun.out" 2>&1
[ "$(grep -c . "$RV_TMP/tun.out")" -ge 290 ] || rv_fail "tunnel TXT answers missing ($(grep -c . "$RV_TMP/tun.out"))"
args=()
for i in $(seq 40); do args+=("$(printf 'q%04dx7k2m9zq4b5w2r8t3y6u1i0o9p8a7s6d5f4g3h2j1.tun.test' "$i")" TXT); done
kdig +short +timeout=3 +retry=1 @"$RV_RESOLVER" "${args[@]}" > /dev/null 2>&1
args=()
for l in $(awk 'NF == 4 && $3 == "A" { print $1 }' "$Z/ord.test.zone"); do args+=("$l.ord.test" A); done
args+=(wwww.ord.test A maill.ord.test A)
kdig +short +timeout=3 +retry=1 @"$RV_RESOLVER" "${args[@]}" > "$RV_TMP/ord.out" 2>&1
[ "$(grep -c . "$RV_TMP/ord.out")" -ge 36 ] || rv_fail "ordinary answers missing"

# Real tunnel traffic: dns2tcpc through the resolver, a few KB of data.
if [ "$DT" = 1 ]; then
  head -c 6000 /dev/urandom | base64 > "$RV_TMP/payload"
  timeout 20 dns2tcpc -z dt.test -r dns -l - "$RV_RESOLVER" < "$RV_TMP/payload" \
    > "$RV_TMP/dns2tcpc.log" 2>&1
fi

export REARVIEW_DB=$RV_TMP/db
# Wait until the indexer stored the last queries (deadline, not timing).
for i in $(seq 200); do
  n=$("$RV" lookup '*.ord.test' -o csv -l 0 2>/dev/null | grep -c '\.ord\.test\.,A,')
  [ "$n" -ge 36 ] && break
  sleep 0.1
done
[ "$n" -ge 36 ] || rv_fail "the indexer did not store the queries ($n ord.test rows)"
sleep 0.5	# one more flush interval for negative answers queued before

"$RV" report fastflux --window 1h --all -o json > "$RV_TMP/ff.json" 2> "$RV_TMP/ff.err"
rc=$?
[ "$rc" = 0 ] || rv_fail "report fastflux exited $rc: $(cat "$RV_TMP/ff.err")"
rv_expect "$RV_TMP/ff.json" '"rrname":"flux\.ff\.test\.","flagged":true' "the flux name is flagged"
rv_expect "$RV_TMP/ff.json" '"rrname":"flux\.ff\.test\.".*"asns":4,.*"ttl_min":60,' "flux: 4 ASNs, TTL 60"
rv_expect "$RV_TMP/ff.json" '"rrname":"cdn\.ff\.test\.","flagged":false' "the CDN is not flagged"
rv_expect "$RV_TMP/ff.json" '"rrname":"cdn\.ff\.test\.".*"addresses":120,"ipv4":120,"ipv6":0,"asns":1,' "CDN: 120 addresses in one ASN"
rv_expect "$RV_TMP/ff.json" '"rrname":"www\.ff\.test\.","flagged":false' "the ordinary name is not flagged"
rv_expect_none "$RV_TMP/ff.json" '"rrname":"(cdn|www)\.ff\.test\.","flagged":true' "only the flux name"

"$RV" report tunnel --window 1h --all -o json > "$RV_TMP/tun.json" 2> "$RV_TMP/tun.err"
rc=$?
[ "$rc" = 0 ] || rv_fail "report tunnel exited $rc: $(cat "$RV_TMP/tun.err")"
rv_expect "$RV_TMP/tun.json" '"domain":"tun\.test\.","flagged":true' "the tunnel is flagged"
rv_expect "$RV_TMP/tun.json" '"domain":"tun\.test\.".*"nxdomain_rate":0\.[01]' "NXDOMAINs from the neg db"
rv_expect "$RV_TMP/tun.json" '"domain":"ord\.test\.","flagged":false' "the ordinary domain is not flagged"
rv_expect_none "$RV_TMP/tun.json" '"domain":"(ord|ff)\.test\.","flagged":true' "no ordinary domain flagged"
if [ "$DT" = 1 ]; then
  rv_expect "$RV_TMP/tun.json" '"domain":"dt\.test\.","flagged":true' "dns2tcp's real traffic is flagged"
else
  rv_log "dns2tcp not installed: real tunnel traffic not tested"
fi

# The nightly wrapper writes both reports while the indexer still runs.
REARVIEW_BIN=$RV REARVIEW_REPORT_DIR=$RV_TMP/reports REARVIEW_REPORT_WINDOW=1h \
  sh "$RV_TOP_SRCDIR/contrib/rearview-report-nightly" || rv_fail "the nightly wrapper failed"
ls "$RV_TMP/reports"/rearview-fastflux-*.html "$RV_TMP/reports"/rearview-tunnel-*.json >/dev/null 2>&1 ||
  rv_fail "the nightly wrapper wrote no reports"
rv_pass
