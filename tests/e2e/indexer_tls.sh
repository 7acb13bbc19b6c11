#!/bin/bash
# tls+tcp://: rearviewd with a server certificate requires client
# certificates. A sender with a certificate signed by the CA gets its
# frames stored; one without a certificate gets nothing in.
. "$(dirname "$0")/indexer_lib.sh"
command -v openssl >/dev/null || { echo "SKIP: openssl missing"; exit 77; }

cd "$T" || fail "cd"
ossl() { openssl "$@" >/dev/null 2>&1 || fail "openssl $1"; }
ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=rv-test-ca \
	-keyout ca.key -out ca.crt
mkcert() {
	ossl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$1.key" -out "$1.csr"
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$1.ext"
	ossl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
		-days 2 -extfile "$1.ext" -out "$1.crt"
}
mkcert localhost
mkcert client

P=$(port 3)
start_rvd -d "$T/db" -l "tls+tcp://127.0.0.1:$P" --tls-cert localhost.crt \
	--tls-key localhost.key --tls-ca ca.crt --flush-interval 100
"$RVD" -d "$T/db2" -l "tls+tcp://127.0.0.1:$(port 4)" 2>"$T/err" &&
	fail "tls+tcp:// without certificates accepted"
grep -q "needs tls-cert, tls-key and tls-ca" "$T/err" || fail "message: $(cat "$T/err")"
ok "tls+tcp:// without a server certificate and CA is refused"

timeout 120 "$GEN" -q --seq -n 1000 -r 1000 --per-frame 100 \
	-c "tls+tcp://127.0.0.1:$P" --tls-ca ca.crt --tls-cert client.crt \
	--tls-key client.key || fail "sender with a client certificate"
for _ in $(seq 1200); do
	[ "$(dbstat observations)" = 1000 ] && break
	sleep 0.1
done
[ "$(dbstat observations)" = 1000 ] || fail "observations $(dbstat observations), want 1000"
ok "a client with a certificate from the CA gets its 1000 RRsets in"

# Without a client certificate the handshake fails: the sender never gets
# a connection (it would block forever; timeout stops it).
timeout 4 "$GEN" -q --seq -n 500 -r 500 --from 0 --per-frame 100 \
	-c "tls+tcp://127.0.0.1:$P" --tls-ca ca.crt
sleep 0.5
[ "$(dbstat observations)" = 1000 ] || fail "a client without a certificate got data in"
ok "a client without a certificate gets nothing in"
stop_rvd
echo PASS
