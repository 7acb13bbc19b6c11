#!/bin/sh
# rearview serve end to end: a database filled by the real indexer, the
# real service on loopback, curl for every route, rows compared with the
# CLI's -o dnsdb output for the same query; keys, rate limits, TLS,
# hostile targets and a client that goes away mid-stream.
. "${RV_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/e2e/serve_lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

# --- a database: a few exact rows, an RFC 2317 name, 40000 rows on a /16
# (about 6 MB as SAF: more than loopback's socket buffers hold)
cat > "$tmp/in.json" <<'JSON'
{"rrname":"www.example.com.","rrtype":"A","rdata":["192.0.2.1"],"time_first":1577836800,"time_last":1577923200,"count":10,"bailiwick":"example.com.","sensor_id":"corp-dns1"}
{"rrname":"www.example.com.","rrtype":"A","rdata":["192.0.2.2"],"time_first":1609459200,"time_last":1609545600,"count":7,"bailiwick":"example.com.","sensor_id":"corp-dns2"}
{"rrname":"mail.example.com.","rrtype":"MX","rdata":["10 mx.example.net."],"time_first":1609459200,"time_last":1609545600,"count":3,"bailiwick":"example.com.","sensor_id":"corp-dns1"}
{"rrname":"1.0/25.2.0.192.in-addr.arpa.","rrtype":"PTR","rdata":["host.example.com."],"time_first":1609459200,"time_last":1609545600,"count":2,"bailiwick":"0/25.2.0.192.in-addr.arpa.","sensor_id":"corp-dns1"}
{"rrname":"alias.example.org.","rrtype":"CNAME","rdata":["0/25.2.0.192.in-addr.arpa."],"time_first":1609459200,"time_last":1609545600,"count":1,"bailiwick":"example.org.","sensor_id":"corp-dns1"}
JSON
python3 - "$tmp/in.json" <<'PY'
import sys
with open(sys.argv[1], "a") as f:
    for i in range(40000):
        f.write('{"rrname":"h%d.bulk.test.","rrtype":"A","rdata":["10.7.%d.%d"],'
                '"time_first":1600000000,"time_last":%d,"count":%d,'
                '"bailiwick":"bulk.test.","sensor_id":"corp-dns1"}\n'
                % (i, i // 256, i % 256, 1600000000 + i, i + 1))
PY
serve_import "$tmp/in.json"

# --- start the service on a free loopback port
start() { serve_start --keepalive-ms 200 --txn-ms 1 "$@"; }
url() { echo "http://127.0.0.1:$port$1"; }
get() {	# get PATH [curl args]: body in $tmp/body, status in $code
	p=$1; shift
	code=$(curl -s -m 20 -o "$tmp/body" -w '%{http_code}' "$@" "$(url "$p")") ||
		fail "curl $p failed"
}
expect() {	# expect CODE PATH [curl args]
	c=$1; shift
	get "$@"
	[ "$code" = "$c" ] || { cat "$tmp/body"; fail "$1: status $code, want $c"; }
}

# saf_check FILE: a well-formed SAF stream; prints its objects' lines.
saf_check() {
	python3 - "$1" <<'PY' || fail "SAF stream $1 is malformed"
import json, sys
allowed = {"count", "time_first", "time_last", "zone_time_first",
           "zone_time_last", "rrname", "rrtype", "bailiwick", "rdata",
           "num_results"}
data = open(sys.argv[1], "rb").read()
data.decode("ascii")            # dnsdbq aborts on one bad UTF-8 octet
assert data.endswith(b"\n"), "last line without newline"
lines = [json.loads(l) for l in data.decode().split("\n")[:-1]]
assert lines[0] == {"cond": "begin"}, lines[0]
assert lines[-1].get("cond") in ("succeeded", "limited"), lines[-1]
for l in lines[1:-1]:
    if l == {"cond": "ongoing"}:
        continue
    assert list(l) == ["obj"], l
    assert set(l["obj"]) <= allowed, set(l["obj"]) - allowed
    for k in ("count", "time_first", "time_last"):
        if k in l["obj"]:
            assert isinstance(l["obj"][k], int), (k, l)
    print(json.dumps(l, sort_keys=True))
PY
}
# cli_objs QUERY...: the CLI's -o dnsdb objects, one per line, sorted
cli_objs() {
	"$rv" "$@" -o dnsdb -l 0 >"$tmp/cli" 2>/dev/null
	saf_check "$tmp/cli" | sort
}
same() {	# same PATH CLI-QUERY...: the service's rows are the CLI's
	p=$1; shift
	expect 200 "$p"
	saf_check "$tmp/body" | sort >"$tmp/got"
	cli_objs "$@" >"$tmp/want"
	[ -s "$tmp/want" ] || fail "no CLI rows for $*"
	diff -u "$tmp/want" "$tmp/got" || fail "$p differs from rearview $*"
}

start
expect 200 /dnsdb/v2/ping
grep -q '"ok"' "$tmp/body" || fail "ping body"
# keep-alive: a client's second request reuses its connection
curl -sv -o /dev/null -o /dev/null "$(url /dnsdb/v2/ping)" \
    "$(url /dnsdb/v2/lookup/rrset/name/www.example.com)" 2>"$tmp/v" || fail "curl -v"
grep -q 'Re-using existing connection' "$tmp/v" || { cat "$tmp/v"; fail "no keep-alive"; }

# --- DNSDB v2: the CLI's rows, every query form
same '/dnsdb/v2/lookup/rrset/name/www.example.com?swclient=dnsdbq&version=2.6.7' lookup www.example.com
same /dnsdb/v2/lookup/rrset/name/www.example.com/A/example.com lookup www.example.com/A/example.com
same '/dnsdb/v2/lookup/rrset/name/*.example.com/ANY' lookup '*.example.com'
same '/dnsdb/v2/lookup/rrset/name/www.example.*' lookup 'www.example.*'
same /dnsdb/v2/lookup/rdata/ip/192.0.2.0,24 rdata ip 192.0.2.0/24
same /dnsdb/v2/lookup/rdata/ip/192.0.2.1-192.0.2.2 rdata ip 192.0.2.1-192.0.2.2
same /dnsdb/v2/lookup/rdata/name/mx.example.net/MX rdata name mx.example.net/MX
same /dnsdb/v2/lookup/rdata/name/0%2F25.2.0.192.in-addr.arpa rdata name 0/25.2.0.192.in-addr.arpa
same /dnsdb/v2/lookup/rrset/name/1.0%2F25.2.0.192.in-addr.arpa/PTR lookup 1.0/25.2.0.192.in-addr.arpa/PTR
# dnsdbq sends a value's '/' unencoded
same /dnsdb/v2/lookup/rdata/name/0/25.2.0.192.in-addr.arpa rdata name 0/25.2.0.192.in-addr.arpa
same /dnsdb/v2/lookup/rrset/name/1.0/25.2.0.192.in-addr.arpa/PTR lookup 1.0/25.2.0.192.in-addr.arpa/PTR
same /dnsdb/v2/lookup/rdata/ip/192.0.2.0/24 rdata ip 192.0.2.0/24
same /dnsdb/v2/lookup/rrset/raw/03777777076578616d706c6503636f6d00/A lookup www.example.com/A
same '/dnsdb/v2/lookup/rrset/name/www.example.com?time_first_after=1600000000' lookup www.example.com -A 1600000000 -c
same /dnsdb/v2/summarize/rrset/name/www.example.com summarize lookup www.example.com
# rdata lookups give rdata as a string, rrset lookups as an array
expect 200 /dnsdb/v2/lookup/rdata/ip/192.0.2.1
grep -q '"rdata":"www.example.com."' "$tmp/body" || grep -q '"rrname":"www.example.com."' "$tmp/body" || fail "rdata ip row"
grep -q '"rdata":\[' "$tmp/body" && fail "rdata lookup with an array"
expect 200 /dnsdb/v2/lookup/rrset/name/www.example.com
grep -q '"rdata":\["192.0.2.1"\]' "$tmp/body" || fail "rrset rdata array"
# humantime: times as strings
expect 200 '/dnsdb/v2/lookup/rrset/name/www.example.com?humantime=True'
grep -q '"time_first":"2020-01-01T00:00:00Z"' "$tmp/body" || { cat "$tmp/body"; fail "humantime"; }

# --- limits: limited only when rows remain; offset; 416
expect 200 '/dnsdb/v2/lookup/rrset/name/www.example.com?limit=1'
saf_check "$tmp/body" >/dev/null
[ "$(grep -c '"obj"' "$tmp/body")" = 1 ] || fail "limit=1 rows"
tail -1 "$tmp/body" | grep -q '"cond":"limited"' || fail "limit=1 not limited"
expect 200 '/dnsdb/v2/lookup/rrset/name/www.example.com?limit=2'
tail -1 "$tmp/body" | grep -q '"cond":"succeeded"' || fail "limit=rows said limited"
expect 200 '/dnsdb/v2/lookup/rdata/ip/10.7.0.0,16?limit=0'
[ "$(grep -c '"obj"' "$tmp/body")" = 40000 ] || fail "40000 rows"
# a stream renews its read transaction (every 1 ms here) and resumes
# after its last row: the CLI's rows, none twice, none missed
same '/dnsdb/v2/lookup/rdata/ip/10.7.0.0,16?limit=0' rdata ip 10.7.0.0/16
grep -qE 'q=10.7.0.0,16 rows=40000 ms=[0-9]+ txns=([2-9]|[0-9]{2,})' "$tmp/serve.log" ||
	fail "a long stream kept one read transaction"
expect 200 '/dnsdb/v2/lookup/rdata/ip/10.7.0.0,16?offset=39990&limit=0'
[ "$(grep -c '"obj"' "$tmp/body")" = 10 ] || fail "offset 39990"
expect 416 '/dnsdb/v2/lookup/rdata/ip/10.7.0.0,16?offset=99999999'
grep -q '^Error: ' "$tmp/body" || fail "416 body"
expect 200 '/dnsdb/v2/summarize/rdata/ip/10.7.0.0,16?max_count=100'
grep -q '"num_results":100' "$tmp/body" || { cat "$tmp/body"; fail "max_count"; }
# no results: 200 with begin and succeeded
expect 200 /dnsdb/v2/lookup/rrset/name/nothing.invalid
saf_check "$tmp/body" >/dev/null
[ "$(wc -l <"$tmp/body")" = 2 ] || fail "empty result lines"

# --- bad input: 4xx, one line, the service still up
expect 400 /dnsdb/v2/lookup/rrset/name/x/TYPE0
[ "$(wc -l <"$tmp/body")" = 1 ] && grep -q '^Error: ' "$tmp/body" || fail "400 body"
expect 400 /dnsdb/v2/lookup/rrset/name/a%00b
expect 400 /dnsdb/v2/lookup/rrset/name/a%zz
expect 400 '/dnsdb/v2/lookup/rrset/name/x?limit=-5'
expect 400 /dnsdb/v2/lookup/rdata/ip/300.1.1.1
expect 404 /dnsdb/v2/nothing
expect 404 /index.htm	# (/ is the page: tests/e2e/web.sh)
long=$(python3 -c 'print("a"*5000)')
expect 414 "/dnsdb/v2/lookup/rrset/name/$long"
expect 405 /dnsdb/v2/ping -X POST
expect 200 /dnsdb/v2/rate_limit
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["rate"]; assert r["limit"]=="unlimited" and r["offset_max"]==1000000 and "burst_size" not in r, r' "$tmp/body" || fail "rate_limit shape"

# --- DNSDB v1: bare lines, 404 for nothing
expect 200 /lookup/rrset/name/www.example.com
head -1 "$tmp/body" | grep -q '^{"count":' || fail "v1 line"
expect 404 /lookup/rrset/name/nothing.invalid

# --- CIRCL: COF lines with count and origin, empty for nothing, pages
expect 200 /pdns/query/www.example.com
[ "$(wc -l <"$tmp/body")" = 2 ] || fail "CIRCL rows"
python3 -c 'import json,sys
for l in open(sys.argv[1]):
    o=json.loads(l); assert o["origin"]=="rearview" and o["count"]>0, o' "$tmp/body" || fail "CIRCL fields"
expect 200 /pdns/query/192.0.2.1
grep -q '"rrname":"www.example.com."' "$tmp/body" || fail "CIRCL address"
expect 200 /pdns/query/nothing.invalid
[ -s "$tmp/body" ] && fail "CIRCL no rows: body not empty"
curl -s -m 20 -D "$tmp/hdr" -o "$tmp/body" -H 'dribble-paginate-count: 1000' \
    "$(url /pdns/query/10.7.0.0%2F16)" || fail "CIRCL page"
[ "$(wc -l <"$tmp/body")" = 1000 ] || fail "CIRCL page rows"
grep -qi '^x-dribble-cursor: 1000' "$tmp/hdr" || { cat "$tmp/hdr"; fail "CIRCL cursor"; }
curl -s -m 20 -D "$tmp/hdr" -o "$tmp/body" -H 'dribble-paginate-count: 1000' \
    -H 'dribble-paginate-cursor: 39500' "$(url /pdns/query/10.7.0.0%2F16)"
[ "$(wc -l <"$tmp/body")" = 500 ] || fail "CIRCL last page"
grep -qi '^x-dribble-cursor' "$tmp/hdr" && fail "CIRCL cursor after the last page"

# --- native API
expect 200 /api/v1/lookup/rrset/name/www.example.com
grep -q '"sensor' "$tmp/body" || fail "native sensors"
expect 200 /api/v1/count/rdata/ip/10.7.0.0,16
grep -q '"results":40000,"capped":false' "$tmp/body" || { cat "$tmp/body"; fail "count"; }
expect 200 '/api/v1/count/rdata/ip/10.7.0.0,16?max_count=10'
grep -q '"results":10,"capped":true' "$tmp/body" || fail "count capped"
expect 200 '/api/v1/subdomains/bulk.test?limit=0'
[ "$(wc -l <"$tmp/body")" = 40000 ] || fail "subdomains"
expect 200 '/api/v1/lookup/rrset/name/www.example.com?sensor=corp-dns2'
[ "$(wc -l <"$tmp/body")" = 1 ] || fail "native sensor filter"
# history: what a name resolved to, oldest first (A, AAAA, CNAME)
expect 200 /api/v1/history/www.example.com
sed -n 1p "$tmp/body" | grep -q '"rdata":\["192.0.2.1"\]' || { cat "$tmp/body"; fail "history order"; }
sed -n 2p "$tmp/body" | grep -q '"rdata":\["192.0.2.2"\]' || fail "history second row"
expect 200 /api/v1/history/mail.example.com
[ -s "$tmp/body" ] && fail "history shows MX by default"
expect 200 '/api/v1/history/mail.example.com?type=MX'
grep -q '"rrtype":"MX"' "$tmp/body" || fail "history type="
# reports: the CLI's rows (the engine computes, one serialiser writes)
for r in fastflux tunnel; do
	expect 200 "/api/v1/report/$r?window=3650d&all=true&limit=0"
	"$rv" report $r --window 3650d --all -o json -l 0 >"$tmp/cli" 2>/dev/null
	[ -s "$tmp/cli" ] || fail "no CLI rows for report $r"
	diff -u "$tmp/cli" "$tmp/body" || fail "report $r differs from the CLI"
done
expect 200 '/api/v1/report/tunnel?window=3650d&all=true&offset=999999'
[ -s "$tmp/body" ] && fail "report offset past the rows"
expect 400 '/api/v1/report/fastflux?window=soon'
# stats: the CLI's figures, as one JSON object
expect 200 /api/v1/stats
"$rv" stats -o json >"$tmp/cli" || fail "rearview stats"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]))
assert a == b, (a, b)' "$tmp/body" "$tmp/cli" || fail "stats differ from the CLI"

# --- a client that stops reading holds only itself; one that goes away
# stops its query
curl -s -N "$(url '/dnsdb/v2/lookup/rdata/ip/10.7.0.0,16?limit=0')" | sleep 3 &
slow=$!
expect 200 /dnsdb/v2/lookup/rrset/name/www.example.com
# a client with a small window reads 100 octets and resets the connection
python3 - "$port" <<'PY' || fail "disconnecting client"
import socket, struct, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /dnsdb/v2/lookup/rdata/ip/10.7.0.0,16?limit=0 HTTP/1.1\r\n"
          b"Host: 127.0.0.1\r\n\r\n")
assert len(s.recv(100)) > 0
time.sleep(0.5)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
PY
wait $slow
for i in $(seq 1 100); do grep -q 'cancelled\|aborted' "$tmp/serve.log" && break; sleep 0.1; done
grep -q 'cancelled\|aborted' "$tmp/serve.log" || fail "a client gone did not stop its query"
expect 200 /dnsdb/v2/ping
stop

# --- caps: connections, idle time, queries running at once
start --max-connections 3 --timeout 2 --threads 1
python3 - "$port" <<'PY' || fail "connection cap or idle timeout"
import socket, sys, time
port = int(sys.argv[1])
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
time.sleep(0.2)
# a 4th connection waits in the backlog while 3 are open ...
extra = socket.create_connection(("127.0.0.1", port))
extra.sendall(b"GET /dnsdb/v2/ping HTTP/1.1\r\nHost: x\r\n\r\n")
extra.settimeout(0.7)
try:
    got = extra.recv(100)
    raise AssertionError("a 4th connection was served: %r" % got)
except socket.timeout:
    pass
# ... idle ones are closed after --timeout, and then it is served
for s in idle:
    s.settimeout(10)
    assert s.recv(100) == b"", "an idle connection stayed open"
extra.settimeout(10)
assert extra.recv(100).startswith(b"HTTP/1.1 200"), "the 4th was never served"
PY
expect 200 /dnsdb/v2/ping
curl -s -N "$(url '/dnsdb/v2/lookup/rdata/ip/10.7.0.0,16?limit=0')" | sleep 2 &
slow=$!
sleep 0.5
expect 503 /dnsdb/v2/lookup/rrset/name/www.example.com
wait $slow
stop

# --- keys: none, wrong, right; rate limit; basic auth (CIRCL)
"$rv" serve --keys "$tmp/keys" --add-key analyst >"$tmp/k1" 2>/dev/null || fail "--add-key"
"$rv" serve --keys "$tmp/keys" --add-key tight --key-options 'rate=2/3600' >"$tmp/k2" 2>/dev/null || fail "--add-key rate"
k1=$(cat "$tmp/k1"); k2=$(cat "$tmp/k2")
grep -q "$k1" "$tmp/keys" && fail "a secret stored in the clear"
[ "$(stat -c %a "$tmp/keys")" = 600 ] || fail "keys file mode"
"$rv" serve --keys "$tmp/keys" --add-key analyst >/dev/null 2>&1 && fail "duplicate key name accepted"
start --keys "$tmp/keys" --access-log "$tmp/access.log"
expect 403 /dnsdb/v2/ping
expect 403 /dnsdb/v2/ping -H 'X-API-Key: nope'
expect 200 /dnsdb/v2/ping -H "X-API-Key: $k1"
expect 200 /dnsdb/v2/lookup/rrset/name/www.example.com -H "X-API-Key: $k2"
expect 200 /dnsdb/v2/lookup/rrset/name/www.example.com -H "X-API-Key: $k2"
expect 429 /dnsdb/v2/lookup/rrset/name/www.example.com -H "X-API-Key: $k2"
expect 200 /dnsdb/v2/rate_limit -H "X-API-Key: $k2"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["rate"]; assert r["burst_size"]==2 and r["burst_window"]==3600, r' "$tmp/body" || fail "rate_limit of a key"
expect 200 /pdns/query/www.example.com -u "analyst:$k1"
expect 403 /pdns/query/www.example.com -u "analyst:wrong"
grep -q 'key=analyst' "$tmp/access.log" || fail "access log names the key"
grep -q "$k1" "$tmp/access.log" "$tmp/serve.log" && fail "a secret in a log"
stop

# --- TLS, and plain HTTP refused off loopback
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" \
	    -out "$tmp/cert.pem" -days 2 -subj /CN=127.0.0.1 >/dev/null 2>&1 ||
		fail "openssl"
	start --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem"
	code=$(curl -sk -m 20 -o "$tmp/body" -w '%{http_code}' \
	    "https://127.0.0.1:$port/dnsdb/v2/lookup/rrset/name/www.example.com")
	[ "$code" = 200 ] && grep -q '"cond":"succeeded"' "$tmp/body" || fail "TLS query ($code)"
	stop
fi
"$rv" serve --db "$tmp/db" --listen 0.0.0.0:1 >"$tmp/out" 2>&1 && fail "plain HTTP on 0.0.0.0 accepted"
grep -q 'tls-cert' "$tmp/out" || { cat "$tmp/out"; fail "no TLS hint"; }
"$rv" serve --listen nonsense >"$tmp/out" 2>&1; [ $? -ne 0 ] || fail "bad --listen accepted"
"$rv" serve --threads 0 >/dev/null 2>&1; [ $? -eq 2 ] || fail "--threads 0 not a usage error"
"$rv" serve --help | grep -q 'DNSDB' || fail "--help"
# every instance stopped cleanly: no sanitizer report, no leak
! grep -E 'Sanitizer|runtime error' "$tmp/serve.log" || fail "sanitizer report"
echo "PASS: serve"
