#!/usr/bin/env bash
# The README's main job, the live demo, in its quick mode: the whole
# pipeline (NSD hierarchy, Unbound with the module, rearviewd with MaxMind's
# test databases, the COF import, the CLI and the reports) must print the
# brochure's investigation from a database it really filled, and leave no
# process or socket behind.
. "$RV_TOP_SRCDIR/tests/e2e/harness.sh"
rv_init demo
for b in indexer/rearviewd cli/rearview; do
  [ -x "$RV_TOP_BUILDDIR/$b" ] || rv_skip "$b not built"
done
run=$RV_TMP/demo
out=$RV_TMP/demo.out
# The demo's own width, whatever the caller's terminal: rows are matched.
COLUMNS=150 RV_DEPS=${RV_DEPS:-$(dirname "$RV_UNBOUND_PREFIX")} \
  "$RV_TOP_SRCDIR/scripts/demo.sh" --build "$RV_TOP_BUILDDIR" --quick --dir "$run" \
  > "$out" 2>&1 || { tail -30 "$out" >&2; rv_fail "the demo exited $?"; }

# section NAME: the lines the demo printed under the heading containing NAME.
section() { awk -v h="$1" '/^== /{on = index($0, h) > 0; next} on' "$out"; }
row() {  # row SECTION REGEX WHAT
  section "$1" | grep -qE "$2" || { section "$1" >&2; rv_fail "$3"; }
}

# The brochure's rows, with type, response and source.
lk="its subdomains resolve to"
row "$lk" '^webmail\.groupweblogs-gsm1900\.com\. +A +corp-dns1 +[0-9]+ +165\.22\.196\.7 +2019-07-17 19:52:00 ' \
  "webmail A 165.22.196.7 from corp-dns1, first seen 2019-07-17 19:52"
row "$lk" '^cpanel\.groupweblogs-gsm1900\.com\. +A +corp-dns1 +[0-9]+ +165\.22\.196\.7 ' "cpanel A row"
row "$lk" '^mail\.groupweblogs-gsm1900\.com\. +A +corp-dns1 +1 +165\.22\.196\.7 +2019-07-17' "mail A row from 2019"
row "$lk" '^mail\.groupweblogs-gsm1900\.com\. +CNAME +corp-dns1 +[0-9]+ +groupweblogs-gsm1900\.com\. ' "mail CNAME row (live)"
row "$lk" '^www\.groupweblogs-gsm1900\.com\. +CNAME +corp-dns1 ' "www CNAME row"
# Live sightings merged with 2019 ones: first seen 2019, last seen today.
today=$(date -u +%Y-%m-%d)
row "$lk" "^webmail\.groupweblogs-gsm1900\.com\. .* 2019-07-17 19:52:00 +$today " \
  "webmail's 2019 sighting and today's live one are one row"

# The CIDR pivot finds all four names on 165.22.196.7.
for n in groupweblogs-gsm1900.com webmail.groupweblogs-gsm1900.com \
         cpanel.groupweblogs-gsm1900.com mail.groupweblogs-gsm1900.com; do
  row "sat on its /24" "^$(rv_rx "$n")\. +A +.*165\.22\.196\.7 " "the /24 pivot lists $n"
done

# The NS pivot finds the domain behind the name server.
row "share its name server" '^groupweblogs-gsm1900\.com\. +NS +corp-dns1 +[0-9]+ +rreui10\.traeumtgerade\.de\. ' \
  "the NS pivot finds groupweblogs-gsm1900.com"

# The fast-flux name shows more than one ASN, from the enrichment.
asns=$(section "fast-flux name's addresses" | awk 'NF > 2 && $NF ~ /^[0-9]+$/ && $NF != 0 { print $NF } NF > 2 && $(NF-1) ~ /^[0-9]+$/ && $(NF-1) != 0 { print $(NF-1) }' | sort -u | wc -l)
[ "$asns" -gt 1 ] || { section "fast-flux name's addresses" >&2; rv_fail "the flux history shows $asns ASNs, want more than one"; }
row "Fast-flux report" 'login-secure-pay\.com\. +FLUX ' "the fast-flux report flags login-secure-pay.com"
row "tunnelling report" 'xfer-sync\.org\. +TUNNEL ' "the tunnel report flags xfer-sync.org"

# The brochure's phishing set-up: a new lookalike of the office's own
# domain, flagged with its reasons, a block verdict, and the resolver
# refusing it after the RPZ refresh while the real domain resolves.
row "first seen in the last 24 hours" '^ *[0-9]+ +acrne-widgets\.com .*block' \
  "newdomains lists acrne-widgets.com with a block signal"
row "Phishing report" '^ *[0-9]+ +login\.acrne-widgets\.com +block .*lookalike-skeleton' \
  "the phishing report blocks login.acrne-widgets.com with its reason"
section "Phishing report" | grep -qE '^ *[0-9]+ +[a-z.]*acme-widgets\.com ' &&
  { section "Phishing report" >&2; rv_fail "our own domain is flagged"; }
row "The verdict" '^recommendation +block' "the verdict recommends block"
row "RPZ refresh" '^  \*\.acrne-widgets\.com CNAME \.$' "the RPZ blocks *.acrne-widgets.com"
row "RPZ refresh" 'login\.acrne-widgets\.com +-> +NXDOMAIN' "the resolver refuses the lookalike"
row "RPZ refresh" 'www\.acme-widgets\.com +-> +NOERROR' "our own domain still resolves"
row "RPZ refresh" "RPZ hits in Unbound's log .*: [1-9]" "the refusal is counted"

# The import's records all name their sensor: it adds no other one.
section "Database" | grep -E '^sensor:' | grep -vq 'corp-dns1' &&
  { section "Database" >&2; rv_fail "the import added a sensor no record uses"; }

# Nothing left behind: processes, sockets.
sleep 0.2
if pgrep -af "$run" | grep -v pgrep | grep -q .; then
  pgrep -af "$run" >&2
  rv_fail "the demo left processes running"
fi
[ ! -S "$run/ingest.sock" ] || rv_fail "the demo left its ingest socket"
[ ! -S "$run/resolver/control.sock" ] || rv_fail "the demo left unbound's control socket"
rv_pass
