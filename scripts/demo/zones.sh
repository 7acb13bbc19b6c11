#!/usr/bin/env bash
# zones.sh DIR [ROUND]: write the demo's small DNS internet into DIR.
#
# Writes one zone file per zone (DIR/<zone>.zone, "root.zone" for the root)
# and DIR/servers, one line per authoritative server: "ADDRESS ZONE...".
# ROUND (default 0) selects which addresses the fast-flux zone hands out;
# rerun with the next round and SIGHUP the server to rotate them.
#
# Everything lives on 127.53.0.0/16. Addresses in the flux and CDN pools
# are ones MaxMind's test databases (GeoIP2-ISP-Test, GeoIP2-City-Test)
# know, so the enrichment the demo shows is real.
set -euo pipefail
dir=$1
round=${2:-0}
mkdir -p "$dir"

soa() {  # soa ZONE MNAME SERIAL [MINIMUM]
  local rname="hostmaster.${1%.}."
  [ "$1" = . ] && rname=hostmaster.root-servers.net.
  printf '$TTL 3600\n@ IN SOA %s %s %s 7200 3600 1209600 %s\n' \
    "$2" "$rname" "$3" "${4:-300}"
}

# --- the root and the TLDs -------------------------------------------------
{
  soa . a.root-servers.net. 2026112601 86400
  cat <<'Z'
.                     518400 IN NS a.root-servers.net.
com.                  172800 IN NS a.gtld-servers.net.
net.                  172800 IN NS b.gtld-servers.net.
org.                  172800 IN NS a0.org-servers.net.
de.                   172800 IN NS a.nic.de.
a.root-servers.net.   518400 IN A 127.53.0.1
a.gtld-servers.net.   172800 IN A 127.53.1.1
b.gtld-servers.net.   172800 IN A 127.53.1.2
a0.org-servers.net.   172800 IN A 127.53.1.4
a.nic.de.             172800 IN A 127.53.1.3
Z
} > "$dir/root.zone"

{
  soa com. a.gtld-servers.net. 2026112601 900
  cat <<'Z'
@                          IN NS a.gtld-servers.net.
groupweblogs-gsm1900.com.  IN NS rreui10.traeumtgerade.de.
groupweblogs-gsm1900.com.  IN NS rreui11.traeumtgerade.de.
acme-widgets.com.          IN NS ns1.corp-hosting.net.
acme-widgets.com.          IN NS ns2.corp-hosting.net.
login-secure-pay.com.      IN NS ns1.flux-dns.net.
fastcdn-static.com.        IN NS ns1.corp-hosting.net.
acrne-widgets.com.         IN NS ns1.flux-dns.net.
Z
} > "$dir/com.zone"

{
  soa net. b.gtld-servers.net. 2026112601 900
  cat <<'Z'
@                       IN NS b.gtld-servers.net.
a.root-servers.net.     IN A 127.53.0.1
a.gtld-servers.net.     IN A 127.53.1.1
b.gtld-servers.net.     IN A 127.53.1.2
a0.org-servers.net.     IN A 127.53.1.4
corp-hosting.net.       IN NS ns1.corp-hosting.net.
corp-hosting.net.       IN NS ns2.corp-hosting.net.
ns1.corp-hosting.net.   IN A 127.53.3.1
ns2.corp-hosting.net.   IN A 127.53.3.2
flux-dns.net.           IN NS ns1.flux-dns.net.
ns1.flux-dns.net.       IN A 127.53.4.1
daily-news.net.         IN NS ns1.corp-hosting.net.
Z
} > "$dir/net.zone"

{
  soa org. a0.org-servers.net. 2026112601 900
  cat <<'Z'
@                       IN NS a0.org-servers.net.
opensource-hub.org.     IN NS ns1.corp-hosting.net.
xfer-sync.org.          IN NS ns.xfer-sync.org.
ns.xfer-sync.org.       IN A 127.53.5.1
Z
} > "$dir/org.zone"

{
  soa de. a.nic.de. 2026112601 7200
  cat <<'Z'
@                           IN NS a.nic.de.
a.nic.de.                   IN A 127.53.1.3
traeumtgerade.de.           IN NS rreui10.traeumtgerade.de.
traeumtgerade.de.           IN NS rreui11.traeumtgerade.de.
rreui10.traeumtgerade.de.   IN A 127.53.2.10
rreui11.traeumtgerade.de.   IN A 127.53.2.11
Z
} > "$dir/de.zone"

# --- the brochure's investigation ------------------------------------------
{
  soa traeumtgerade.de. rreui10.traeumtgerade.de. 2026112601
  cat <<'Z'
@          IN NS rreui10
@          IN NS rreui11
rreui10    IN A 127.53.2.10
rreui11    IN A 127.53.2.11
Z
} > "$dir/traeumtgerade.de.zone"

{
  soa groupweblogs-gsm1900.com. rreui10.traeumtgerade.de. 2026112601
  cat <<'Z'
@          IN NS rreui10.traeumtgerade.de.
@          IN NS rreui11.traeumtgerade.de.
@          IN A 165.22.196.7
@          IN MX 10 groupweblogs-gsm1900.com.
webmail    IN A 165.22.196.7
cpanel     IN A 165.22.196.7
mail       IN CNAME groupweblogs-gsm1900.com.
www        IN CNAME groupweblogs-gsm1900.com.
Z
} > "$dir/groupweblogs-gsm1900.com.zone"

# --- ordinary domains ------------------------------------------------------
{
  soa corp-hosting.net. ns1.corp-hosting.net. 2026112601
  printf '@ IN NS ns1\n@ IN NS ns2\nns1 IN A 127.53.3.1\nns2 IN A 127.53.3.2\n'
} > "$dir/corp-hosting.net.zone"

ordinary() {  # ordinary ZONE ADDRESS-PREFIX
  soa "$1" ns1.corp-hosting.net. 2026112601
  cat <<Z
@          IN NS ns1.corp-hosting.net.
@          IN NS ns2.corp-hosting.net.
@          IN A $2.10
@          IN MX 10 mail
@          IN TXT "v=spf1 mx -all"
www        IN A $2.10
www        IN AAAA 2001:db8:53::10
mail       IN A $2.25
vpn        IN A $2.30
intranet   IN CNAME www
_sip._tcp  IN SRV 10 5 5060 vpn
Z
  for n in shop blog docs status api cdn img static login support; do
    printf '%s IN A %s.%d\n' "$n" "$2" $((40 + ${#n}))
  done
}
ordinary acme-widgets.com. 81.2.69 > "$dir/acme-widgets.com.zone"
ordinary daily-news.net. 216.160.83 > "$dir/daily-news.net.zone"
ordinary opensource-hub.org. 89.160.20 > "$dir/opensource-hub.org.zone"

# A CDN-like name: many addresses, one network (AS35994), high TTL churn.
{
  soa fastcdn-static.com. ns1.corp-hosting.net. 2026112601
  printf '@ IN NS ns1.corp-hosting.net.\n@ IN NS ns2.corp-hosting.net.\n'
  for i in $(seq 1 24); do printf 'edge 60 IN A 23.32.%d.%d\n' $((i % 4)) $((10 + i)); done
} > "$dir/fastcdn-static.com.zone"

# --- fast flux: a few A records per round from a pool across many ASNs ----
flux_pool=(1.128.0.17 27.192.0.33 31.224.0.5 36.192.0.71 39.32.0.9 49.64.0.12
  59.0.0.40 60.64.0.3 77.128.0.66 89.160.20.130 216.160.83.57 175.16.199.21
  202.196.224.7 67.43.156.14 81.2.69.160 2.125.160.217 15.0.0.81 18.0.0.99
  23.32.0.201 35.0.0.17 38.0.0.44 44.0.0.2 50.128.0.9 53.0.0.16)
{
  soa flux-dns.net. ns1.flux-dns.net. "$((2026112600 + round))" 60
  printf '@ IN NS ns1\nns1 IN A 127.53.4.1\n'
} > "$dir/flux-dns.net.zone"
{
  soa login-secure-pay.com. ns1.flux-dns.net. "$((2026112600 + round))" 60
  printf '@ 60 IN NS ns1.flux-dns.net.\n'
  n=${#flux_pool[@]}
  for k in 0 1 2 3 4; do
    printf '@ 60 IN A %s\nwww 60 IN A %s\n' \
      "${flux_pool[$(( (round * 5 + k) % n ))]}" "${flux_pool[$(( (round * 5 + k + 2) % n ))]}"
  done
} > "$dir/login-secure-pay.com.zone"

# --- the brochure's phishing set-up: a lookalike of the office's own
# acme-widgets.com ("rn" for "m"), registered today, with the names a
# credential harvester uses.
{
  soa acrne-widgets.com. ns1.flux-dns.net. 2026112601
  cat <<'Z'
@          IN NS ns1.flux-dns.net.
@          300 IN A 175.16.199.30
www        300 IN A 175.16.199.30
login      300 IN A 175.16.199.30
download   300 IN A 175.16.199.31
Z
} > "$dir/acrne-widgets.com.zone"

# --- a tunnel: every name under t.xfer-sync.org answers TXT --------------
{
  soa xfer-sync.org. ns.xfer-sync.org. 2026112601 0
  cat <<'Z'
@          IN NS ns
ns         IN A 127.53.5.1
@          IN A 89.160.20.140
*.t    0   IN TXT "aGVsbG8gZnJvbSB0aGUgb3RoZXIgc2lkZQ"
Z
} > "$dir/xfer-sync.org.zone"

cat > "$dir/servers" <<'S'
127.53.0.1 .
127.53.1.1 com.
127.53.1.2 net.
127.53.1.3 de.
127.53.1.4 org.
127.53.2.10 traeumtgerade.de. groupweblogs-gsm1900.com.
127.53.2.11 traeumtgerade.de. groupweblogs-gsm1900.com.
127.53.3.1 corp-hosting.net. acme-widgets.com. daily-news.net. opensource-hub.org. fastcdn-static.com.
127.53.3.2 corp-hosting.net. acme-widgets.com. daily-news.net. opensource-hub.org. fastcdn-static.com.
127.53.4.1 flux-dns.net. login-secure-pay.com. acrne-widgets.com.
127.53.5.1 xfer-sync.org.
S
