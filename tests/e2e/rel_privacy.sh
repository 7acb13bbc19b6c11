#!/usr/bin/env bash
# rel_privacy.sh: no client address ever reaches the
# database, and zones excluded in module.conf never leave the resolver.
#
# The whole pipeline runs: NSD hierarchy -> Unbound with the module ->
# rearviewd -> LMDB. Clients query from a distinctive source address
# (kdig -b $RV_NET.77.123, 127.x, so it is on this machine's loopback) a
# mix of names that reach every server of the hierarchy. Then the whole
# database is searched for that address: mdb_dump of every named database
# (printable and hex form), the raw data.mdb and lock.mdb octets (the
# four address octets in binary, and the dotted text), and the CLI's JSON
# output. The excluded zone secret.shop.test. resolves for the client but
# appears nowhere: not in the module's frames (the indexer never saw it:
# no RRset, no name, no negative), not in data.mdb, and the module counts
# it as excluded.
set -u
. "${RV_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/e2e/harness.sh"
. "$RV_TOP_SRCDIR/tests/e2e/rel_lib.sh"

rv_init privacy
rel_bins
rv_need mdb_dump mdb_stat od
rv_net_start
DB=$RV_TMP/db
rel_rvd_start --db "$DB" --listen "$RV_INGEST" --flush-interval 100 -v
rv_module_conf "$RV_TMP/module.conf" "exclude-zone: secret.shop.test" \
  "exclude-zone: hidden.wild.test"
rv_resolver_start --module-conf "$RV_TMP/module.conf"

# The distinctive client address: every octet unusual and distinct.
X=${RV_NET#127.}
CLIENT=127.$X.77.123
kq() { kdig +short +timeout=3 +retry=1 -b "$CLIENT" @"$RV_RESOLVER" "$@"; }
[ "$(kq www.shop.test A)" = 192.0.2.10 ] || rv_fail "no answer for the client at $CLIENT"
for q in "www.shop.test AAAA" "alias.shop.test A" "shop.test MX" \
  "txt.shop.test TXT" "nonexistent.shop.test A" "mail.shop.test AAAA" \
  "c1.wild.test A" "c2.wild.test A" "www.signed.test A"; do
  kq $q >/dev/null
done
[ "$(kq secret.shop.test A)" = 192.0.2.66 ] || rv_fail "excluded zone must still resolve"
[ "$(kq deep.hidden.wild.test A)" = 192.0.2.99 ] || rv_fail "excluded wildcard name must resolve"
# A PTR-style question naming the client address itself: the client's
# question is not what is captured, only what authoritative servers say.
kq "123.77.$X.127.in-addr.arpa" PTR >/dev/null
rv_wait_stat excluded 2 || rv_fail "excluded answers not counted: $(rv_stat excluded)"
rel_wait_dbstat "$DB" rrsets 10 10 || rv_fail "the indexer stored nothing"
rv_wait_grep "$RV_TMP/resolver/unbound.log" 'rearview: responses' 5
rv_resolver_stop
rel_rvd_stop
captured=$(rv_stat captured)
[ "$(rv_stat dropped)" = 0 ] || rv_fail "records dropped with the indexer running"
rv_log "captured $captured records, stored $(rel_dbstat "$DB" rrsets) RRsets"

# --- search the whole database -------------------------------------------
mdb_stat -a "$DB" > "$RV_TMP/stat.txt" || rv_fail "mdb_stat failed"
dbs=$(awk '/^Status of /{print $3}' "$RV_TMP/stat.txt" | grep -v '^Main$')
[ -n "$dbs" ] || rv_fail "no named databases in $DB"
: > "$RV_TMP/dump.txt"
for d in $dbs; do
  mdb_dump -p -s "$d" "$DB" >> "$RV_TMP/dump.txt" || rv_fail "mdb_dump -s $d"
  mdb_dump -s "$d" "$DB" >> "$RV_TMP/dump.hex" || rv_fail "mdb_dump -s $d (hex)"
done
ndb=$(echo "$dbs" | wc -l)
[ "$(grep -c . "$RV_TMP/dump.txt")" -gt 20 ] || rv_fail "dump of $ndb databases is empty"
# The resolver's own answers are in there (the search can find things).
grep -q 'shop' "$RV_TMP/dump.txt" || rv_fail "dump does not even hold shop.test"
grep -q "$(printf '%02x%02x%02x%02x' 127 "$X" 0 4)" "$RV_TMP/dump.hex" ||
  rv_fail "server address $RV_NET.0.4 not found in hex dump (search broken?)"
hex=$(printf '%02x%02x%02x%02x' 127 "$X" 77 123)
grep -qi "$hex" "$RV_TMP/dump.hex" && rv_fail "client address in binary in a database: $hex"
grep -q "$CLIENT" "$RV_TMP/dump.txt" && rv_fail "client address as text in a database"
# The raw files, octet by octet (pages, free pages, the lock file).
for f in "$DB"/*.mdb; do
  od -An -v -tx1 "$f" | tr -d ' \n' > "$RV_TMP/raw.hex"
  # align-free search: the 4 octets anywhere (even offset in the hex string)
  if grep -ob "$hex" "$RV_TMP/raw.hex" | awk -F: '$1 % 2 == 0 {f=1} END {exit !f}'; then
    rv_fail "client address octets $hex in $(basename "$f")"
  fi
  grep -aq "$CLIENT" "$f" && rv_fail "client address text in $(basename "$f")"
done
# Positive control: the same search finds the glue address $RV_NET.0.4.
od -An -v -tx1 "$DB/data.mdb" | tr -d ' \n' |
  grep -ob "$(printf '%02x%02x%02x%02x' 127 "$X" 0 4)" |
  awk -F: '$1 % 2 == 0 {f=1} END {exit !f}' ||
  rv_fail "the raw search does not find the glue address $RV_NET.0.4"
rv_log "searched $ndb databases and $(du -k "$DB"/data.mdb | cut -f1) KiB of data.mdb: no $CLIENT"

# Nor through the CLI (JSON of every RRset, the reverse index of the /16).
"$CLI" lookup -d "$DB" '*.test' -l 0 -o json > "$RV_TMP/all.json" 2>&1 ||
  rv_fail "CLI lookup: $(head -2 "$RV_TMP/all.json")"
grep -q '"rrname"' "$RV_TMP/all.json" || rv_fail "CLI output empty"
grep -q "$CLIENT" "$RV_TMP/all.json" && rv_fail "client address in CLI output"
"$CLI" rdata ip -d "$DB" "$RV_NET.77.0/24" > /dev/null 2>&1
[ $? = 1 ] || rv_fail "rdata ip over the client's /24 found something"

# --- excluded zones ------------------------------------------------------
grep -qi 'secret' "$RV_TMP/dump.txt" && rv_fail "secret.shop.test reached the database"
grep -qi 'hidden' "$RV_TMP/dump.txt" && rv_fail "hidden.wild.test reached the database"
grep -aqi 'secret' "$DB/data.mdb" && rv_fail "'secret' in the raw data.mdb"
grep -aqi 'hidden' "$DB/data.mdb" && rv_fail "'hidden' in the raw data.mdb"
"$CLI" lookup -d "$DB" '*.secret.shop.test' > /dev/null 2>&1
[ $? = 1 ] || rv_fail "the CLI finds names of the excluded zone"
rv_pass
