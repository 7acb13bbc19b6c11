#!/bin/sh
# The investigation page in headless Chromium (tests/web/investigate.mjs):
# a database filled by the real indexer with an ordinary investigation's
# rows and hostile TXT records, the real service, the page as an analyst
# uses it, then the page against a service that requires keys. Screenshots are kept in the log directory ($RV_WEB_SHOTS, or
# web-shots/ beside this test's log).
. "${RV_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/e2e/serve_lib.sh"
command -v node >/dev/null || { echo "SKIP: node missing (scripts/setup-deps.sh installs it)"; exit 77; }
command -v chromium >/dev/null || { echo "SKIP: chromium missing (scripts/setup-deps.sh installs it)"; exit 77; }
shots=${RV_WEB_SHOTS:-$top/tests/web-shots}
mkdir -p "$shots"
# Chromium's profile goes under $tmp (TMPDIR), so that whatever of it a
# failure leaves running is found and ended here.
trap 'stop; pkill -KILL -f "user-data-dir=$tmp/" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

cat > "$tmp/in.json" <<'JSON'
{"rrname":"www.example.com.","rrtype":"A","rdata":["192.0.2.1"],"time_first":1577836800,"time_last":1577923200,"count":10,"bailiwick":"example.com.","sensor_id":"corp-dns1"}
{"rrname":"www.example.com.","rrtype":"A","rdata":["192.0.2.2"],"time_first":1609459200,"time_last":1609545600,"count":7,"bailiwick":"example.com.","sensor_id":"corp-dns2"}
{"rrname":"example.com.","rrtype":"NS","rdata":["ns1.example.net.","ns2.example.net."],"time_first":1577836800,"time_last":1609545600,"count":4,"bailiwick":"com.","sensor_id":"corp-dns1"}
{"rrname":"mail.example.com.","rrtype":"MX","rdata":["10 mx.example.net."],"time_first":1609459200,"time_last":1609545600,"count":3,"bailiwick":"example.com.","sensor_id":"corp-dns1"}
{"rrname":"login.example.com.","rrtype":"CNAME","rdata":["www.example.com."],"time_first":1609459200,"time_last":1609545600,"count":2,"bailiwick":"example.com.","sensor_id":"corp-dns1"}
{"rrname":"xss.example.com.","rrtype":"TXT","rdata":["\"<img src=x onerror=window.__xss=1>\"","\"<script>window.__xss=2</script>\""],"time_first":1609459200,"time_last":1609545600,"count":1,"bailiwick":"example.com.","sensor_id":"corp-dns1"}
{"rrname":"cdn.example.com.","rrtype":"A","rdata":["1.128.0.1"],"time_first":1609459200,"time_last":1609545600,"count":5,"bailiwick":"example.com.","sensor_id":"corp-dns1"}
JSON
# MaxMind's test ASN database: 1.128.0.0/11 is AS1221 (Telstra).
asn=${RV_MMDB_DIR:-$src/.deps/mmdb}/GeoLite2-ASN-Test.mmdb
[ -f "$asn" ] || fail "no $asn (scripts/setup-deps.sh fetches it)"
serve_import "$tmp/in.json" --asn-db "$asn"
serve_start

# The page's files: the policy on each, and nothing else served by name.
for f in / /app.js /app.css; do
	h=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port$f")
	echo "$h" | grep -qi "^content-security-policy: default-src 'none'; script-src 'self'" ||
		fail "$f without its Content-Security-Policy"
	echo "$h" | grep -qi '^x-content-type-options: nosniff' || fail "$f without nosniff"
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/../etc/passwd")" != 200 ] ||
	fail "a path outside the page was served"
echo "ok: the page's files come with a strict policy"

TMPDIR=$tmp node "$src/tests/web/investigate.mjs" "http://127.0.0.1:$port" "$shots" || fail "the page in Chromium"

# With keys: asked for once per tab, sent as a header, never in a URL.
stop
"$rv" serve --keys "$tmp/keys" --add-key web >"$tmp/k" 2>/dev/null || fail "--add-key"
serve_start --keys "$tmp/keys"
TMPDIR=$tmp node "$src/tests/web/keyed.mjs" "http://127.0.0.1:$port" "$(cat "$tmp/k")" "$shots" ||
	fail "the page with keys"
grep -q "$(cat "$tmp/k")" "$tmp/serve.log" && fail "the key in the service's log"
echo "PASS: web (screenshots in $shots)"
