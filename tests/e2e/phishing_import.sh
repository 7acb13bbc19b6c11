#!/bin/sh
# `rearview report newdomains`, `report phishing`, `verdict` and `rpz` over
# a database filled by the real indexer (`rearviewd --import`): the
# brochure's phishing set-up (a lookalike registered domain with login and
# download names, a brand embedded in someone else's domain, sharing one
# address), beside the brand's own domain, the organisation's own domains,
# an old lookalike (flagged, but not new), and names that must not be
# blocked: a dictionary word one edit from a brand (apply ~ apple), a
# short brand inside a word (cups ~ ups), a keyword alone, a private
# suffix's customer domain. Then every output format, the RPZ zone (and
# named-checkzone when installed), its serial, bad input and exit codes.
. "$(dirname "$0")/serve_lib.sh"

T=1790000000			# window end
S=$((T - 86400))		# window start (24h)
OLD=$((T - 40 * 86400))
W="--since $S --until $T"

rec() {	# NAME TYPE RDATA FIRST LAST BAILIWICK
	printf '{"rrname":"%s","rrtype":"%s","rdata":[%s],"time_first":%d,"time_last":%d,"count":3,"bailiwick":"%s","sensor_id":"e2e"}\n' \
	    "$1" "$2" "$3" "$4" "$5" "$6"
}
{
	# history: the brand, our own domains, an old lookalike
	rec paypal.com. A '"192.0.2.20"' $OLD $T paypal.com.
	rec www.example.com. A '"192.0.2.10"' $OLD $T example.com.
	rec mail.example.com. A '"192.0.2.11"' $OLD $T example.com.
	rec paypa1.net. A '"198.51.100.9"' $OLD $((T - 3600)) paypa1.net.
	# the phishing set-up, first seen in the window, on one address
	rec paypa1.com. NS '"ns1.cheap-hosting.example."' $((T - 7200)) $((T - 60)) com.
	rec login.paypa1.com. A '"203.0.113.5"' $((T - 7200)) $((T - 60)) paypa1.com.
	rec download.paypa1.com. A '"203.0.113.5"' $((T - 7000)) $((T - 60)) paypa1.com.
	rec paypal.com-secure-login.info. A '"203.0.113.5"' $((T - 5000)) $((T - 60)) com-secure-login.info.
	# must not be blocked
	rec apply.io. A '"198.51.100.1"' $((T - 5000)) $((T - 60)) apply.io.
	rec cups.com. A '"198.51.100.2"' $((T - 5000)) $((T - 60)) cups.com.
	rec login.wordpress.org. A '"198.51.100.3"' $((T - 5000)) $((T - 60)) wordpress.org.
	rec login.example.com. A '"192.0.2.12"' $((T - 5000)) $((T - 60)) example.com.
	rec shop.foo.github.io. A '"198.51.100.4"' $((T - 5000)) $((T - 60)) github.io.
} > "$tmp/in.json"
cat > "$tmp/watch.conf" <<EOF
# brands and our own domains
brand paypal paypal.com
brand apple apple.com
brand ups ups.com
own example.com
EOF
serve_import "$tmp/in.json" --sensor e2e
R="$rv --db $tmp/db"

# --- newly observed domains ---------------------------------------------
$R report newdomains $W --watch "$tmp/watch.conf" -o json > "$tmp/nd.json" \
    2>"$tmp/nd.err"; rc=$?
[ $rc = 0 ] || { cat "$tmp/nd.err"; fail "newdomains exit $rc"; }
grep -q '"domain":"paypa1.com".*"first_names":\[{"name":"paypa1.com"' \
    "$tmp/nd.json" || fail "paypa1.com not new: $(cat "$tmp/nd.json")"
grep '"domain":"paypa1.com"' "$tmp/nd.json" | grep -q 'login.paypa1.com' ||
	fail "paypa1.com's first names"
grep '"domain":"paypa1.com"' "$tmp/nd.json" |
	grep -q '"nameservers":\["ns1.cheap-hosting.example"\]' ||
	fail "paypa1.com's name servers"
grep '"domain":"paypa1.com"' "$tmp/nd.json" | grep -q '"verdict":"block"' ||
	fail "paypa1.com's signals"
grep -q '"domain":"foo.github.io"' "$tmp/nd.json" ||
	fail "a private suffix's customer is its own registered domain"
grep -q '"domain":"com-secure-login.info"' "$tmp/nd.json" ||
	fail "com-secure-login.info not new"
for d in paypa1.net paypal.com example.com github.io; do
	grep -q "\"domain\":\"$d\"" "$tmp/nd.json" && fail "$d is not new"
done
[ "$(wc -l < "$tmp/nd.json")" = 6 ] || fail "6 new domains, got: $(cat "$tmp/nd.json")"
$R report newdomains $W --watch "$tmp/watch.conf" -o csv > "$tmp/nd.csv" ||
	fail "newdomains csv"
head -1 "$tmp/nd.csv" | grep -q '^Rank,Domain,First Seen' || fail "csv header"
grep -q ',paypa1.com,' "$tmp/nd.csv" || fail "csv row"
$R report newdomains $W --watch "$tmp/watch.conf" -o table > "$tmp/nd.txt" ||
	fail "newdomains table"
grep -q 'paypa1.com .*block' "$tmp/nd.txt" || fail "table row"
# before anything was seen: nothing new, exit 1
$R report newdomains --since $((OLD - 900)) --until $((OLD - 1)) \
    --watch "$tmp/watch.conf" -o json > "$tmp/none.json" 2>/dev/null
[ $? = 1 ] && [ ! -s "$tmp/none.json" ] || fail "an empty window"

# --- phishing -----------------------------------------------------------
$R report phishing $W --watch "$tmp/watch.conf" -o json > "$tmp/ph.json" \
    2>"$tmp/ph.err"; rc=$?
[ $rc = 0 ] || { cat "$tmp/ph.err"; fail "phishing exit $rc"; }
row() { grep "\"name\":\"$1\"" "$tmp/ph.json"; }
row login.paypa1.com | grep -q '"verdict":"block".*"reason":"lookalike-' ||
	fail "login.paypa1.com: $(row login.paypa1.com)"
row login.paypa1.com | grep -q '"new_domain":true' || fail "new signal"
row login.paypa1.com | grep -q '"reason":"keyword"' || fail "keyword reason"
row paypal.com-secure-login.info |
	grep -q '"verdict":"block".*"reason":"embedded-brand"' ||
	fail "embedded brand: $(row paypal.com-secure-login.info)"
row paypa1.net | grep -q '"verdict":"block"' || fail "the old lookalike"
row paypa1.net | grep -q '"new_domain":false' || fail "paypa1.net is not new"
for n in apply.io cups.com login.wordpress.org; do
	row $n | grep -q '"verdict":"block"' && fail "$n blocked: $(row $n)"
done
for n in www.example.com login.example.com paypal.com shop.foo.github.io; do
	row $n | grep -q . && fail "$n listed: $(row $n)"
done
$R report phishing $W --watch "$tmp/watch.conf" -o csv > "$tmp/ph.csv" ||
	fail "phishing csv"
head -1 "$tmp/ph.csv" | grep -q '^Rank,Name,Verdict,Score' || fail "csv header"
grep -q '^[0-9]*,login.paypa1.com,block,' "$tmp/ph.csv" || fail "csv row"
$R report phishing $W --watch "$tmp/watch.conf" -o table --limit 2 \
    > "$tmp/ph.txt" || fail "phishing table"
[ "$(wc -l < "$tmp/ph.txt")" = 3 ] || fail "--limit 2: $(cat "$tmp/ph.txt")"
$R report phishing $W --watch "$tmp/watch.conf" --out "$tmp/out" \
    -o json >/dev/null || fail "--out"
ls "$tmp/out"/rearview-phishing-*.json "$tmp/out"/rearview-phishing-*.html \
    >/dev/null || fail "--out files"
# a bad watch list: the line is named, exit 2
printf 'brand paypal\nbrnad typo\n' > "$tmp/bad.conf"
$R report phishing $W --watch "$tmp/bad.conf" 2>"$tmp/bad.err" >/dev/null
[ $? = 2 ] && grep -q 'bad.conf:2' "$tmp/bad.err" ||
	fail "bad watch line: $(cat "$tmp/bad.err")"
$R report phishing $W --watch "$tmp/nonexistent" 2>/dev/null >/dev/null
[ $? = 2 ] || fail "missing watch file"

# --- verdict ------------------------------------------------------------
$R verdict --watch "$tmp/watch.conf" -o json --window 30d login.paypa1.com \
    > "$tmp/v1.json"; rc=$?
[ $rc = 0 ] && grep -q '"recommendation":"block"' "$tmp/v1.json" ||
	fail "verdict login.paypa1.com ($rc): $(cat "$tmp/v1.json")"
grep -q '"cohosted":\[{"name":"paypal.com-secure-login.info","verdict":"block"' \
    "$tmp/v1.json" || fail "co-hosted flagged names"
$R verdict --watch "$tmp/watch.conf" -o table 203.0.113.5 > "$tmp/v2.txt"
[ $? = 0 ] && grep -q '^recommendation *block' "$tmp/v2.txt" ||
	fail "verdict on the address: $(cat "$tmp/v2.txt")"
$R verdict --watch "$tmp/watch.conf" -o json www.example.com > "$tmp/v3.json"
[ $? = 1 ] && grep -q '"recommendation":"none"' "$tmp/v3.json" ||
	fail "verdict on our own name"
$R verdict --watch "$tmp/watch.conf" 'no..name' 2>/dev/null
[ $? = 2 ] || fail "verdict on a bad name"

# --- rpz ----------------------------------------------------------------
$R rpz --watch "$tmp/watch.conf" --window 30d --until $T --write "$tmp/rpz.zone" \
    2>"$tmp/rpz.err" || fail "rpz: $(cat "$tmp/rpz.err")"
grep -q '^\*\.paypa1\.com CNAME \.$' "$tmp/rpz.zone" || fail "rpz: *.paypa1.com"
grep -q '^paypa1\.com CNAME \.$' "$tmp/rpz.zone" || fail "rpz: paypa1.com"
grep -q '^com-secure-login\.info CNAME \.$' "$tmp/rpz.zone" ||
	fail "rpz: com-secure-login.info"
grep -q '^; login.paypa1.com score [0-9]* brand paypal expires .*lookalike-' \
    "$tmp/rpz.zone" || fail "rpz: reasons in a comment"
grep -Eq '^(\*\.)?(example\.com|apply\.io|cups\.com|wordpress\.org|paypal\.com) ' \
    "$tmp/rpz.zone" && fail "rpz blocks a name it must not: $(cat "$tmp/rpz.zone")"
s1=$(awk '/ SOA / { print $5 }' "$tmp/rpz.zone")
$R rpz --watch "$tmp/watch.conf" --window 30d --until $T --write "$tmp/rpz.zone" \
    2>/dev/null || fail "rpz again"
s2=$(awk '/ SOA / { print $5 }' "$tmp/rpz.zone")
[ "$s2" -gt "$s1" ] || fail "serial $s1 then $s2"
printf 'paypa1.com\n' > "$tmp/allow"
$R rpz --watch "$tmp/watch.conf" --window 30d --until $T --allow "$tmp/allow" \
    > "$tmp/rpz2.zone" 2>/dev/null || fail "rpz --allow"
grep -q 'paypa1\.com CNAME' "$tmp/rpz2.zone" && fail "--allow ignored"
$R rpz --watch "$tmp/watch.conf" --passthru > "$tmp/pass.zone" ||
	fail "rpz --passthru"
grep -q '^\*\.example\.com CNAME rpz-passthru\.$' "$tmp/pass.zone" ||
	fail "passthru zone"
if command -v named-checkzone >/dev/null; then
	named-checkzone -q rpz.rearview "$tmp/rpz.zone" ||
		fail "named-checkzone rejects the block zone"
	named-checkzone -q passthru.rpz.rearview "$tmp/pass.zone" ||
		fail "named-checkzone rejects the passthru zone"
fi
$R rpz --watch "$tmp/watch.conf" -o json >/dev/null 2>&1
[ $? = 2 ] || fail "rpz -o"
# --- the same through the HTTP service -----------------------------------
serve_start --watch "$tmp/watch.conf"
U=http://127.0.0.1:$port/api/v1
curl -s "$U/verdict/login.paypa1.com" > "$tmp/h1.json"
grep -q '"subject":"login.paypa1.com","recommendation":"block"' "$tmp/h1.json" ||
	fail "HTTP verdict: $(cat "$tmp/h1.json")"
cmp -s "$tmp/h1.json" "$tmp/v1.json" ||
	$R verdict --watch "$tmp/watch.conf" -o json login.paypa1.com |
	cmp -s - "$tmp/h1.json" || fail "HTTP and CLI verdicts differ"
code=$(curl -s -o "$tmp/h2" -w '%{http_code}' "$U/verdict/no..name")
[ "$code" = 400 ] || fail "HTTP verdict of a bad name: $code"
curl -s "$U/report/phishing?window=1000d" > "$tmp/h3.json"
grep -q '"name":"login.paypa1.com".*"verdict":"block"' "$tmp/h3.json" ||
	fail "HTTP phishing report: $(head -c 300 "$tmp/h3.json")"
stop
echo "PASS: phishing_import"
