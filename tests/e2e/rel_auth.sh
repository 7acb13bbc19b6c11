#!/usr/bin/env bash
# rel_auth.sh: who may write to rearviewd.
#  - ipc://: the socket is created 0660; a local user outside its group
#    cannot store one record, a user in the group can; rearviewd(8) names
#    the group to use.
#  - tcp:// on a non-loopback address of this machine (found with `ip`;
#    nothing is ever sent to it, binding is enough) is refused, as are
#    wildcard binds, unless --insecure-tcp is given; loopback tcp:// is
#    fine; tls+tcp:// on the same address is allowed, and without its
#    certificates refused.
#  - tls+tcp:// with required client certificates, end to end: a CA, a
#    server and client certificates made with openssl here; the module
#    inside the real Unbound, and rel_rogue, with a valid client
#    certificate write records; clients with no certificate, a certificate
#    from another CA, or a self-signed one cannot write one record.
set -u
. "${RV_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/e2e/harness.sh"
. "$RV_TOP_SRCDIR/tests/e2e/rel_lib.sh"

rv_init auth
rel_bins
rv_need openssl setpriv ss
DB=$RV_TMP/db
. "$RV_TOP_SRCDIR/tests/e2e/port_lib.sh"
PORT=$(rv_port) || rv_fail "no free port"
count_sensor() {	# rows stored by sensor $1
  "$DUMP" "$DB" rrsets 2>/dev/null | awk -v s="$1" '$9 ~ "(^|,)" s "(,|$)"' | wc -l
}

# --- ipc:// permissions --------------------------------------------------
chmod 0711 "$RV_TMP"
mkdir -m 0755 "$RV_TMP/run"
SOCK=$RV_TMP/run/in.sock
rel_rvd_start --db "$DB" --listen "ipc://$SOCK" --flush-interval 100
mode=$(stat -c %a "$SOCK") grp=$(stat -c %G "$SOCK")
[ "$mode" = 660 ] || rv_fail "ipc socket mode $mode, want 660"
ogid=$(getent group nogroup | cut -d: -f3)
[ -n "$ogid" ] || ogid=65534
setpriv --reuid=65534 --regid="$ogid" --clear-groups \
  "$ROGUE" --connect "ipc://$SOCK" --sensor outsider valid --count 20 \
  >"$RV_TMP/outsider.out" 2>&1 && rv_fail "a user outside group $grp could send: $(cat "$RV_TMP/outsider.out")"
setpriv --reuid=65534 --regid="$ogid" --groups="$(stat -c %g "$SOCK")" \
  "$ROGUE" --connect "ipc://$SOCK" --sensor member valid --count 20 \
  >"$RV_TMP/member.out" 2>&1 || rv_fail "a member of group $grp could not send: $(cat "$RV_TMP/member.out")"
rel_rvd_stop
[ "$(count_sensor member)" = 20 ] || rv_fail "member's records: $(count_sensor member)"
[ "$(count_sensor outsider)" = 0 ] || rv_fail "outsider stored $(count_sensor outsider) records"
man=$RV_TOP_SRCDIR/man/rearviewd.8
grep -q 'ipc\\-mode' "$man" && grep -qi 'group' "$man" && grep -q 'usermod' "$man" ||
  rv_fail "rearviewd(8) does not name the group for the ipc socket"
rv_log "ipc socket 0660 group $grp: outsider 0 records, group member 20; rearviewd(8) names the group"

# --- tcp:// on a non-loopback address ---------------------------------------
ADDR=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
refused() {	# URL: rearviewd must refuse to listen there
  "$RVD" --db "$RV_TMP/db-refuse" --listen "$1" > "$RV_TMP/refuse.err" 2>&1 &&
    rv_fail "rearviewd accepted $1"
  grep -q 'not a loopback address' "$RV_TMP/refuse.err" || rv_fail "refusal of $1: $(cat "$RV_TMP/refuse.err")"
}
refused "tcp://0.0.0.0:$PORT"
refused "tcp://*:$PORT"
refused "tcp://:$PORT"
refused "tcp://[::]:$PORT"
if [ -n "$ADDR" ]; then
  refused "tcp://$ADDR:$PORT"
  rel_rvd_start --db "$RV_TMP/db-insecure" --listen "tcp://$ADDR:$PORT" --insecure-tcp
  ss -ltn | grep -q "$ADDR:$PORT " || rv_fail "--insecure-tcp: nothing listens on $ADDR:$PORT"
  rel_rvd_stop
  rv_log "tcp://$ADDR:$PORT refused; with --insecure-tcp it binds"
else
  rv_log "no non-loopback IPv4 address on this machine: that part is skipped"
fi
rel_rvd_start --db "$RV_TMP/db-lo" --listen "tcp://$RV_NET.0.50:$PORT"
rel_rvd_stop

# --- certificates --------------------------------------------------------------
P=$RV_TMP/pki
mkdir -p "$P"
ossl() { openssl "$@" >>"$P/openssl.log" 2>&1 || rv_fail "openssl $1 failed: $(tail -3 "$P/openssl.log")"; }
mkca() {	# NAME: a CA key and self-signed certificate
  ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$P/$1.key" -out "$P/$1.pem" -days 2 -subj "/CN=rearview test $1" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
mkcert() {	# NAME CA CN EXT: a key and a certificate signed by CA
  ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$P/$1.key" -out "$P/$1.csr" -subj "/CN=$3"
  printf '%s\n' "$4" > "$P/$1.ext"
  ossl x509 -req -in "$P/$1.csr" -CA "$P/$2.pem" -CAkey "$P/$2.key" \
    -CAcreateserial -out "$P/$1.pem" -days 2 -extfile "$P/$1.ext"
  cat "$P/$1.pem" "$P/$1.key" > "$P/$1.both"
}
mkca ca
mkca otherca
mkcert server ca rearview-indexer "subjectAltName=DNS:rearview-indexer
extendedKeyUsage=serverAuth"
mkcert client ca resolver-1 "extendedKeyUsage=clientAuth"
mkcert rogue otherca resolver-1 "extendedKeyUsage=clientAuth"
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$P/self.key" -out "$P/self.pem" -days 2 -subj "/CN=resolver-1"
cat "$P/self.pem" "$P/self.key" > "$P/self.both"

TLSURL=tls+tcp://$RV_NET.0.50:$PORT
TLSOPT=(--tls-cert "$P/server.pem" --tls-key "$P/server.key" --tls-ca "$P/ca.pem")
"$RVD" --db "$RV_TMP/db-x" --listen "$TLSURL" > "$RV_TMP/notls.err" 2>&1 &&
  rv_fail "tls+tcp:// without certificates accepted"
grep -q 'tls-cert, tls-key and tls-ca' "$RV_TMP/notls.err" || rv_fail "no clear TLS error: $(cat "$RV_TMP/notls.err")"
if [ -n "$ADDR" ]; then	# TLS is what makes a non-loopback listener fine
  rel_rvd_start --db "$RV_TMP/db-tlsaddr" --listen "tls+tcp://$ADDR:$PORT" "${TLSOPT[@]}"
  rel_rvd_stop
fi

# --- tls+tcp:// end to end ------------------------------------------------------
rel_rvd_start --db "$DB" --listen "$TLSURL" "${TLSOPT[@]}" --flush-interval 100
R=(--connect "$TLSURL" --tls-ca "$P/ca.pem" --tls-server-name rearview-indexer)
"$ROGUE" "${R[@]}" --tls-cert-key "$P/client.both" --sensor tls-good valid --count 50 \
  > "$RV_TMP/good.out" 2>&1 || rv_fail "valid client could not send: $(cat "$RV_TMP/good.out")"
"$ROGUE" "${R[@]}" --sensor tls-nocert valid --count 50 > "$RV_TMP/nocert.out" 2>&1
"$ROGUE" "${R[@]}" --tls-cert-key "$P/rogue.both" --sensor tls-otherca valid --count 50 \
  > "$RV_TMP/otherca.out" 2>&1
"$ROGUE" "${R[@]}" --tls-cert-key "$P/self.both" --sensor tls-self valid --count 50 \
  > "$RV_TMP/self.out" 2>&1
# Plain tcp to the TLS port: no handshake, nothing stored.
"$ROGUE" --connect "tcp://$RV_NET.0.50:$PORT" --sensor tls-plain valid --count 50 \
  > "$RV_TMP/plain.out" 2>&1

# The module, inside the real resolver, over TLS with its certificate.
rv_net_start
RV_INGEST=$TLSURL
rv_module_conf "$RV_TMP/module.conf" "sensor: tls-module" \
  "tls-ca-file: $P/ca.pem" "tls-cert-key-file: $P/client.both" \
  "tls-server-name: rearview-indexer"
sed -i '/^sensor: e2e$/d' "$RV_TMP/module.conf"
rv_resolver_start --module-conf "$RV_TMP/module.conf"
[ "$(rv_q www.shop.test A)" = 192.0.2.10 ] || rv_fail "resolver does not answer"
rv_q mail.shop.test A >/dev/null
rv_wait_stat sent 3 || rv_fail "module sent nothing over TLS: $(cat "$RV_TMP/module.stats")"
for _ in $(seq 50); do
  "$DUMP" "$DB" rrsets | grep -q '^www\.shop\.test\. A shop\.test\. .* tls-module 192\.0\.2\.10$' && break
  sleep 0.2
done
rv_resolver_stop
rel_rvd_stop
"$DUMP" "$DB" rrsets > "$RV_TMP/rr.txt"
grep -q '^www\.shop\.test\. A shop\.test\. .* tls-module 192\.0\.2\.10$' "$RV_TMP/rr.txt" ||
  rv_fail "the module's records did not arrive over TLS"
[ "$(count_sensor tls-good)" = 50 ] || rv_fail "valid client stored $(count_sensor tls-good) of 50"
for s in tls-nocert tls-otherca tls-self tls-plain; do
  [ "$(count_sensor $s)" = 0 ] || rv_fail "$s stored $(count_sensor $s) records"
done
"$DUMP" "$DB" stats | grep -q '^frames_rejected 0$' || rv_fail "frames from bad clients reached the decoder"
rv_log "TLS: module and valid client stored; no cert, other CA, self-signed, plain tcp: 0 records"
rv_pass
