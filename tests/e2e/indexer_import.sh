#!/bin/bash
# rearviewd --import: COF and DNSDB NDJSON with bad lines; bad lines are
# reported with their line numbers and skipped; data merges with the same
# rules as live data; each record keeps its source as its sensor.
. "$(dirname "$0")/indexer_lib.sh"

cat >"$T/in.json" <<'JSON'
{"rrname":"www.example.com.","rrtype":"A","rdata":["192.0.2.1","192.0.2.2"],"time_first":1500000000,"time_last":1500000100,"count":3,"bailiwick":"example.com.","sensor_id":"cof-feed"}
this is not json
{"rrname":"www.example.com","rrtype":"A","rdata":["192.0.2.2","192.0.2.1"],"zone_time_first":1400000000,"zone_time_last":1450000000,"count":2,"bailiwick":"example.com"}
{"rrname":"example.com.","rrtype":"MX","rdata":"10 mail.example.com.","time_first":1500000000,"time_last":1500000000}
{"rrname":"example.com.","rrtype":"A","rdata":"300.1.1.1","time_first":1}
JSON
"$RVD" -d "$T/db" --import "$T/in.json" --sensor dnsdb-dump 2>"$T/imp.log" ||
	fail "import exited $?: $(cat "$T/imp.log")"
grep -q "in.json:2: not a JSON object" "$T/imp.log" || fail "line 2 not reported: $(cat "$T/imp.log")"
grep -q "in.json:5: rdata is not valid" "$T/imp.log" || fail "line 5 not reported"
grep -q "3 records, 2 bad lines of 5" "$T/imp.log" || fail "summary: $(cat "$T/imp.log")"
ok "bad lines reported with line numbers, not fatal"
"$DUMP" "$T/db" rrsets >"$T/rr.txt"
grep -Eq '^www\.example\.com\. A example\.com\. 5 1400000000 1500000100 4294967295 0 (cof-feed,dnsdb-dump|dnsdb-dump,cof-feed) 192\.0\.2\.1\|192\.0\.2\.2$' "$T/rr.txt" ||
	fail "merged RRset: $(cat "$T/rr.txt")"
grep -q '^example\.com\. MX \. 1 1500000000 1500000000 .* dnsdb-dump 10 mail\.example\.com\.$' "$T/rr.txt" ||
	fail "MX: $(cat "$T/rr.txt")"
ok "COF and DNSDB records merged (min first, max last, summed count, both sources)"
[ "$(dbstat records_rejected)" = 2 ] || fail "records_rejected $(dbstat records_rejected)"
"$DUMP" "$T/db" rdata 192.0.2.0/24 | grep -q '^192\.0\.2\.1 A www\.example\.com\. 5 ' ||
	fail "reverse index of imported data"
ok "imported data is in the reverse index"
"$RVD" -d "$T/db" --import "$T/nonexistent.json" 2>/dev/null && fail "missing file accepted"
ok "a missing file is an error"
echo PASS
