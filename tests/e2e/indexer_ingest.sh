#!/bin/bash
# Frames over real nng (ipc:// and tcp://) into a real rearviewd and LMDB,
# read back through lib/: every sequential RRset is there, garbage frames
# are counted and dropped, CIDR and ASN pivots answer, the enrichment of
# MaxMind's test ranges is stored, the ipc socket has mode 0660.
. "$(dirname "$0")/indexer_lib.sh"

P=$(port 1)
mm=()
if [ -n "$MMDB" ] && [ -f "$MMDB/GeoLite2-ASN-Test.mmdb" ]; then
	mm=(--asn-db "$MMDB/GeoLite2-ASN-Test.mmdb" --geo-db "$MMDB/GeoIP2-City-Test.mmdb")
fi
start_rvd -d "$T/db" -l "ipc://$T/in.sock" -l "tcp://127.0.0.1:$P" \
	--flush-interval 100 -v "${mm[@]}"
mode=$(stat -c %a "$T/in.sock")
[ "$mode" = 660 ] || fail "ipc socket mode is $mode, not 660"
ok "ipc socket mode 0660"

"$GEN" -q --seq -n 5000 -r 5000 --per-frame 100 --invalid 3 \
	-c "ipc://$T/in.sock" || fail "rvgen over ipc"
"$GEN" -q -n 20000 -r 4000 --sensors 3 -c "tcp://127.0.0.1:$P" ||
	fail "rvgen over tcp"
# Wait until both streams are stored (visible within a second or so).
for _ in $(seq 600); do
	[ "$(dbstat observations)" = 25000 ] && break
	sleep 0.2
done
[ "$(dbstat observations)" = 25000 ] || fail "observations $(dbstat observations), want 25000"
ok "25000 observations stored while rearviewd runs (read-only reader)"
stop_rvd

[ "$(dbstat frames_rejected)" = 3 ] || fail "frames_rejected $(dbstat frames_rejected), want 3"
grep -q 'rejected a frame of 100 octets from' "$T/rvd.log" || fail "no reject log line"
ok "3 garbage frames counted and logged"
missing=$("$DUMP" "$T/db" seqcheck 5000) || fail "$missing sequential RRsets missing"
ok "all 5000 sequential RRsets read back"
n=$("$DUMP" "$T/db" rdata 10.0.0.0/24 | grep -c ' A n[0-9]*\.seq\.test\. 1 ')
[ "$n" = 256 ] || fail "CIDR 10.0.0.0/24 gave $n rows, want 256"
ok "CIDR scan: 256 names in 10.0.0.0/24"
"$DUMP" "$T/db" rrsets | grep -q '^n4999\.seq\.test\. A seq\.test\. 1 .* 300 300 gen-0 10\.0\.19\.135$' ||
	fail "n4999.seq.test not stored as expected"
ok "RRset value: owner, type, bailiwick, count, TTLs, sensor, rdata"
sens=$("$DUMP" "$T/db" rrsets | grep -v seq.test | awk '{print $9}' | tr ',' '\n' | sort -u | wc -l)
[ "$sens" = 3 ] || fail "want 3 sensors in the realistic stream, got $sens"
ok "sensors named in frames are kept"
if [ ${#mm[@]} -gt 0 ]; then
	"$DUMP" "$T/db" asn 1221 | grep -q '^AS1221 1\.1[2-5][0-9]\.' ||
		fail "no AS1221 pivot rows"
	a=$("$DUMP" "$T/db" asn 1221 | head -1 | awk '{print $2}')
	"$DUMP" "$T/db" ip "$a" 1700000000 | grep -q 'asn=1221 .*org=Telstra Pty Ltd' ||
		fail "enrichment of $a: $("$DUMP" "$T/db" ip "$a" 1700000000)"
	ok "ASN pivot and enrichment from the mmdb test files"
fi
echo PASS
