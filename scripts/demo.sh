#!/usr/bin/env bash
# demo.sh: the whole product, live, on this machine, with no internet.
#
#   scripts/demo.sh --build DIR [--keep] [--quick] [--dir RUNDIR]
#
# 1. starts a small DNS internet of NSD servers on 127.53.0.0/16: a root,
#    com/net/org/de, the brochure's groupweblogs-gsm1900.com, ordinary
#    domains, a CDN, a fast-flux domain and a tunnelling domain;
# 2. starts rearviewd with MaxMind's test databases and the project's
#    Unbound with the rearview module, recursing from that root;
# 3. sends an office's queries in rounds (each round stands for a period in
#    which every TTL ran out: the resolver's cache is flushed and the flux
#    zone hands out new addresses);
# 4. imports the brochure's 2019 sightings (COF) so old and new show side
#    by side;
# 5. prints an analyst's investigation with the real CLI.
# Everything printed comes from the database the pipeline and the import
# filled. Without --keep it stops everything it started.
set -euo pipefail
[ -n "${RV_DEMO_TRACE:-}" ] && { PS4='+ $(date +%s.%N | cut -c7-14) '; set -x; }
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
keep=0
rounds=8
run=/tmp/rearview-demo
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --keep) keep=1; shift ;;
    --quick) rounds=4; shift ;;
    --dir) run=$2; shift 2 ;;
    -h|--help) sed -n '2,19s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "demo: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
deps=${RV_DEPS:-$top/.deps}
export RV_UNBOUND_PREFIX=${RV_UNBOUND_PREFIX:-$deps/unbound}
# shellcheck source=lib/dnsnet.sh
. "$top/scripts/lib/dnsnet.sh"
# shellcheck source=lib/resolver.sh
. "$top/scripts/lib/resolver.sh"

rvd=$build/indexer/rearviewd
rv=$build/cli/rearview
so=$build/module/.libs/rearview.so
resolver=127.53.99.1
for f in "$rvd" "$rv" "$so"; do
  [ -e "$f" ] || { echo "demo: $f is missing: build first (./run build)" >&2; exit 3; }
done

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
[ -t 1 ] || say() { printf '\n== %s\n' "$*"; }

# A demo kept running earlier is stopped first.
[ -x "$run/stop" ] && "$run/stop" >/dev/null 2>&1 || true
rm -rf "$run"
mkdir -p "$run"

# stop: everything this demo started, also written out for --keep.
cat > "$run/stop" <<STOP
#!/usr/bin/env bash
# Stop the rearview demo in $run.
. "$top/scripts/lib/dnsnet.sh"; . "$top/scripts/lib/resolver.sh"
resolver_stop "$run/resolver"
[ -f "$run/rearviewd.pid" ] && kill "\$(cat "$run/rearviewd.pid")" 2>/dev/null
for i in \$(seq 50); do [ -f "$run/rearviewd.pid" ] && dnsnet_alive "\$(cat "$run/rearviewd.pid")" || break; sleep 0.1; done
dnsnet_stop "$run/net"
rm -f "$run/ingest.sock"
echo "rearview demo stopped"
STOP
chmod +x "$run/stop"
stopped=0
stop_all() {
  [ $stopped = 1 ] && return
  stopped=1
  "$run/stop" >/dev/null 2>&1 || true
}
trap 'stop_all' EXIT
trap 'exit 130' INT TERM

say "Starting a DNS internet on 127.53.0.0/16 (NSD: root, com, net, org, de and 9 zones)"
"$top/scripts/demo/zones.sh" "$run/zones" 0
dnsnet_start "$run/zones" "$run/net"
echo "$(wc -l < "$run/zones/servers") authoritative servers answering"

# History first: rearviewd is the database's one writer while it runs, so
# --import goes before it starts (or while it is stopped).
say "Importing the brochure's 2019 sightings (COF) from scripts/demo/history-2019.jsonl"
"$rvd" --db "$run/db" --import "$top/scripts/demo/history-2019.jsonl" --no-progress 2>&1 |
  sed -n 's/^.*info: \(imported .*\)$/\1/p'
imported=$("$rv" stats -d "$run/db" -o csv 2>/dev/null |
  awk -F, '$1 == "observations" { print $2 }')
imported=${imported:-0}

say "Starting rearviewd (LMDB in $run/db, ASN/geo from MaxMind's test databases)"
"$rvd" --db "$run/db" --listen "ipc://$run/ingest.sock" \
  --asn-db "$deps/mmdb/GeoIP2-ISP-Test.mmdb" --geo-db "$deps/mmdb/GeoIP2-City-Test.mmdb" \
  --flush-interval 200 > "$run/rearviewd.log" 2>&1 &
echo $! > "$run/rearviewd.pid"
for _ in $(seq 100); do grep -q 'ready:' "$run/rearviewd.log" && break; sleep 0.1; done
grep -q 'ready:' "$run/rearviewd.log" || { cat "$run/rearviewd.log" >&2; echo "demo: rearviewd did not start" >&2; exit 3; }
sed -n 's/^.*ready: /rearviewd ready: /p' "$run/rearviewd.log" | head -1

# The watch list of the phishing report, the verdicts and the block list:
# the office's own domain and a brand. The block list starts empty: Unbound
# loads it (and the allow list) with the module, and reloads it later.
cat > "$run/watch.conf" <<WATCH
own acme-widgets.com
brand paypal paypal.com
WATCH
"$rv" rpz -d "$run/db" --watch "$run/watch.conf" --passthru \
  --write "$run/rpz-passthru.zone" 2>/dev/null
"$rv" rpz -d "$run/db" --watch "$run/watch.conf" --write "$run/rpz.zone" 2>/dev/null
export RV_UNBOUND_MODULES="dynlib respip validator iterator"
export RV_UNBOUND_CLAUSES="rpz:
  name: passthru.rpz.rearview
  zonefile: \"$run/rpz-passthru.zone\"
  rpz-log: yes
  rpz-log-name: rearview-allow
rpz:
  name: rpz.rearview
  zonefile: \"$run/rpz.zone\"
  rpz-log: yes
  rpz-log-name: rearview"

say "Starting Unbound with the rearview module and rearview's RPZ on $resolver"
cat > "$run/module.conf" <<CONF
# The module's own config (see unbound-conf/module.conf for every setting).
endpoint: ipc://$run/ingest.sock
sensor: corp-dns1
batch-delay: 100ms
stats-file: $run/module.stats
stats-interval: 5
CONF
resolver_start "$run/resolver" "$resolver" "$run/zones" "$so" "$run/module.conf"
grep -E 'dynlib|rearview' "$run/resolver/unbound.log" | sed 's/^\[[0-9]*\] //' | head -2 || true

# One round of an office's queries: every TTL has run out since the last.
office_round() {
  local r=$1 q=()
  for d in acme-widgets.com daily-news.net opensource-hub.org; do
    q+=("$d" A "$d" MX "$d" TXT "www.$d" A "www.$d" AAAA "mail.$d" A
        "intranet.$d" A "_sip._tcp.$d" SRV "shop.$d" A "login.$d" A)
  done
  q+=(groupweblogs-gsm1900.com A groupweblogs-gsm1900.com MX
      webmail.groupweblogs-gsm1900.com A cpanel.groupweblogs-gsm1900.com A
      mail.groupweblogs-gsm1900.com A www.groupweblogs-gsm1900.com A
      edge.fastcdn-static.com A login-secure-pay.com A www.login-secure-pay.com A
      "typo$r.acme-widgets.com" A)
  # Someone clicked the phishing mail's link.
  [ "$r" -ge 2 ] && q+=(login.acrne-widgets.com A download.acrne-widgets.com A)
  kdig @"$resolver" +timeout=2 +retry=1 +noall "${q[@]}" >/dev/null 2>&1 || true
}

# The tunnel: a client smuggling data out in random-looking labels.
tunnel_round() {
  local r=$1 i q=()
  for i in $(seq 1 40); do
    q+=("$(head -c 24 /dev/urandom | base32 | tr -d '=' | tr 'A-Z' 'a-z').t.xfer-sync.org" TXT)
  done
  q+=("$(head -c 12 /dev/urandom | base32 | tr -d '=' | tr 'A-Z' 'a-z').xfer-sync.org" A)
  kdig @"$resolver" +timeout=2 +retry=1 +noall "${q[@]}" >/dev/null 2>&1 || true
}

say "Sending an office's queries in $rounds rounds (the flux zone rotates every round)"
for r in $(seq 1 "$rounds"); do
  "$top/scripts/demo/zones.sh" "$run/zones" "$r" >/dev/null
  dnsnet_reload "$run/zones" "$run/net" 127.53.4.1
  resolver_control "$run/resolver" flush_zone . >/dev/null
  resolver_control "$run/resolver" flush_infra all >/dev/null
  office_round "$r"
  tunnel_round "$r"
  printf 'round %d: %s queries answered so far\n' "$r" \
    "$(resolver_control "$run/resolver" stats_noreset | sed -n 's/^total.num.queries=//p')"
done

# Records reach the indexer within the module's batch delay and the
# database within a flush: wait until the module has sent all it captured
# and the database holds as many observations as were sent.
stat() { awk -v k="$1" '$1 == k { print $2 }' "$run/module.stats" 2>/dev/null; }
dbobs() { "$rv" stats -d "$run/db" -o csv 2>/dev/null | awk -F, '$1 == "observations" { print $2 }'; }
for _ in $(seq 100); do
  c=$(stat captured) s=$(stat sent) d=$(stat dropped) o=$(dbobs)
  [ -n "$c" ] && [ "$c" = $((s + d)) ] && [ "$(stat queued_bytes)" = 0 ] &&
    [ "${o:-0}" -ge $((s + imported)) ] && break
  sleep 0.1
done
echo "module: captured $(stat captured) RRsets, sent $(stat sent), dropped $(stat dropped); database: $(dbobs) observations ($imported imported)"

export REARVIEW_DB=$run/db
export COLUMNS=${COLUMNS:-150}
cli() { printf '$ rearview %s\n' "$*"; "$rv" "$@" || [ $? = 1 ]; }

say "What did groupweblogs-gsm1900.com and its subdomains resolve to?"
cli lookup '*.groupweblogs-gsm1900.com' -o table
say "Which names sat on its /24?"
cli rdata ip 165.22.196.0/24 -o table
say "Which domains share its name server (the NS pivot)?"
cli rdata name rreui10.traeumtgerade.de -o table
say "How did the fast-flux name's addresses change, period after period?"
cli history login-secure-pay.com -o table --limit 12
say "Fast-flux report (last 24 hours)"
cli report fastflux -o table
say "DNS tunnelling report (last 24 hours)"
cli report tunnel -o table
say "Registered domains first seen in the last 24 hours (the demo's world is new today: only the 2019 import is older)"
cli report newdomains --watch "$run/watch.conf" -o table
say "Phishing report: lookalikes of our own domain and watched brands, with reasons"
cli report phishing --watch "$run/watch.conf" -o table
say "Should we block it? The verdict"
cli verdict --watch "$run/watch.conf" login.acrne-widgets.com -o table
say "Blocking it on the same resolvers: the RPZ refresh (rearview-rpz.timer does this every 15 minutes)"
cli rpz --watch "$run/watch.conf" --write "$run/rpz.zone"
grep -v '^;' "$run/rpz.zone" | sed 's/^/  /'
resolver_control "$run/resolver" auth_zone_reload rpz.rearview >/dev/null
resolver_control "$run/resolver" flush_zone acrne-widgets.com >/dev/null
for n in login.acrne-widgets.com www.acme-widgets.com; do
  printf '$ kdig @%s %s  ->  %s\n' "$resolver" "$n" "$(kdig @"$resolver" +timeout=2 "$n" A 2>&1 |
    sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -1)"
done
echo "RPZ hits in Unbound's log (counted, client addresses not kept): $(grep -c 'rpz: applied \[rearview\]' "$run/resolver/unbound.log" || true)"
say "Database"
cli stats -o table

if [ $keep = 1 ]; then
  trap - EXIT
  cat <<KEEP

The demo keeps running:
  resolver   kdig @$resolver www.acme-widgets.com
  database   REARVIEW_DB=$run/db $rv lookup '*.acme-widgets.com'
  logs       $run/rearviewd.log  $run/resolver/unbound.log
  stop it    $run/stop
KEEP
else
  say "Stopping everything the demo started"
  stop_all
  echo "stopped (run with --keep to leave it running)"
fi
