#!/bin/bash
# dnstap as a second input of rearviewd, end to end: the project's Unbound
# without the module, with dnstap-log-resolver-response-messages (and the
# client-side messages, which must never be stored) to rearviewd's
# --dnstap unix socket, recursing through the harness's NSD hierarchy.
# The same queries first go through an Unbound with the module into a
# database of their own, and the two databases are compared: every RRset the
# module stored, dnstap stored too, with the same bailiwick, and dnstap
# stored nothing out of bailiwick. Client messages were dropped and
# counted, and no client address reached the database. A third run asks
# every upstream question over TCP (tcp-upstream): the same rows.
# No timing is asserted; waits are deadlines for things that must happen.
. "$(dirname "$0")/harness.sh"
. "$(dirname "$0")/dnstap_lib.sh"
rv_init dnstap
RVD=$RV_TOP_BUILDDIR/indexer/rearviewd
RV=$RV_TOP_BUILDDIR/cli/rearview
[ -x "$RVD" ] || rv_skip "rearviewd not built"
[ -x "$RV" ] || rv_skip "rearview not built"
"$RV_UNBOUND_PREFIX/sbin/unbound" -V 2>/dev/null | grep -q -- '--enable-dnstap' ||
  rv_skip "the project's Unbound has no dnstap"
rv_net_start

ask() {  # every query once, through the running resolver
  local i
  for ((i = 0; i < ${#QUERIES[@]}; i += 2)); do
    rv_q "${QUERIES[i]}" "${QUERIES[i + 1]}" > /dev/null
  done
}

# --- the module first: the rows the dnstap run must reach ----------------
MD=$RV_TMP/md
"$RVD" --db "$MD" --listen "$RV_INGEST" --flush-interval 100 \
  > "$RV_TMP/rvd-md.log" 2>&1 &
MD_PID=$!
RV_BG_PIDS="$RV_BG_PIDS $MD_PID"
rv_wait_grep "$RV_TMP/rvd-md.log" 'ready:' 10 || rv_fail "rearviewd did not start"
rv_module_conf "$RV_TMP/module.conf"
rv_resolver_start --module-conf "$RV_TMP/module.conf"
ask
wait_obs "$MD" 10 || rv_fail "module records did not reach the database"
rv_resolver_stop
sent=$(rv_stat sent)
wait_obs "$MD" "${sent:-0}" || rv_fail "not all module records stored"
kill "$MD_PID" && wait "$MD_PID"
rows "$MD" > "$RV_TMP/md.rows"

# --- then dnstap: Unbound without the module, the same queries ----------
DT=$RV_TMP/dt
"$RVD" --db "$DT" --listen "ipc://$RV_TMP/unused.sock" \
  --dnstap "unix:$RV_TMP/dnstap.sock" --flush-interval 100 \
  > "$RV_TMP/rvd-dt.log" 2>&1 &
DT_PID=$!
RV_BG_PIDS="$RV_BG_PIDS $DT_PID"
rv_wait_grep "$RV_TMP/rvd-dt.log" 'ready:' 10 ||
  rv_fail "rearviewd --dnstap did not start: $(tail -3 "$RV_TMP/rvd-dt.log")"
[ -S "$RV_TMP/dnstap.sock" ] || rv_fail "no dnstap socket"
export RV_UNBOUND_CLAUSES="dnstap:
  dnstap-enable: yes
  dnstap-socket-path: \"$RV_TMP/dnstap.sock\"
  dnstap-send-identity: yes
  dnstap-identity: \"ub-dnstap\"
  dnstap-log-resolver-response-messages: yes
  dnstap-log-client-query-messages: yes
  dnstap-log-client-response-messages: yes"
rv_resolver_start --no-module
ask
# Unbound logs dnstap from a thread of its own and may drop what is still
# queued when it stops: wait (a deadline) until the database holds every
# RRset the module run stored, then stop it.
for i in $(seq 300); do
  rows "$DT" > "$RV_TMP/dt.rows"
  [ -z "$(comm -23 "$RV_TMP/md.rows" "$RV_TMP/dt.rows")" ] && break
  sleep 0.1
done
rv_resolver_stop
unset RV_UNBOUND_CLAUSES
# Hostile senders: garbage, a frame cut in the middle, a flood of frames
# before any handshake; rearviewd goes on and counts them.
python3 - "$RV_TMP/dnstap.sock" <<'PY'
import os, socket, struct, sys
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    return s
s = conn(); s.sendall(os.urandom(4096)); s.close()
s = conn(); s.sendall(struct.pack('>I', 1000) + b'x' * 10); s.close()
s = conn()
try:
    for _ in range(2000):
        s.sendall(struct.pack('>I', 64) + b'y' * 64)
except OSError:
    pass
s.close()
# A sender that shakes hands as dnstap should and then sends a frame that
# is not dnstap (counted for "dnstap": it names nobody), a client's query
# with its address and a resolver query (both dropped, counted for the
# identity "evil"); STOP waits for FINISH, so all of it was taken.
def ctrl(t, ct=b'protobuf:dnstap.Dnstap'):
    body = struct.pack('>I', t)
    if ct:
        body += struct.pack('>II', 1, len(ct)) + ct
    return struct.pack('>II', 0, len(body)) + body
def read_ctrl(s):
    hdr = b''
    while len(hdr) < 8:
        hdr += s.recv(8 - len(hdr))
    n = struct.unpack('>I', hdr[4:])[0]
    body = b''
    while len(body) < n:
        body += s.recv(n - len(body))
    return struct.unpack('>I', body[:4])[0]
def field(n, b):
    return bytes([n << 3 | 2, len(b)]) + b
def dnstap(mtype, extra=b''):
    msg = bytes([1 << 3, mtype]) + extra
    return field(1, b'evil') + bytes([15 << 3, 1]) + field(14, msg)
def data(b):
    return struct.pack('>I', len(b)) + b
s = conn()
s.sendall(ctrl(4))
assert read_ctrl(s) == 1, "no ACCEPT"
s.sendall(ctrl(2) + data(b'\x0a\xff not protobuf') +
          data(dnstap(5, field(4, bytes([127, 0, 0, 99])))) + data(dnstap(3)) +
          ctrl(3, None))
assert read_ctrl(s) == 5, "no FINISH"
s.close()
PY
kill -0 "$DT_PID" || rv_fail "rearviewd died from hostile dnstap senders"
# A replayed capture (fstrm_replay, as an attacker with the socket could
# send it): a frame that is not dnstap, a client's query, and a resolver
# response for www.shop.test (zone shop.test) that also carries an A
# record for www.bank.test, a poisoning attempt. The in-zone answer is
# stored; the poison is rejected and counted, never stored.
if command -v fstrm_replay > /dev/null; then
  python3 - "$RV_TMP/poison.fstrm" <<'PY'
import struct, sys
def varint(n):
    b = b''
    while True:
        c = n & 0x7f; n >>= 7
        b += bytes([c | (0x80 if n else 0)])
        if not n: return b
def f_bytes(n, b): return varint(n << 3 | 2) + varint(len(b)) + b
def f_int(n, v): return varint(n << 3) + varint(v)
def name(s): return b''.join(bytes([len(l)]) + l.encode() for l in s.split('.') if l) + b'\0'
def rr(owner, ip): return owner + struct.pack('>HHIH', 1, 1, 300, 4) + bytes(ip)
resp = struct.pack('>HHHHHH', 0x1234, 0x8400, 1, 2, 0, 0) + name('www.shop.test') + \
    struct.pack('>HH', 1, 1) + rr(b'\xc0\x0c', [192, 0, 2, 80]) + \
    rr(name('www.bank.test'), [6, 6, 6, 6])
def dnstap(mtype, extra=b''):
    return f_bytes(1, b'replayer') + f_int(15, 1) + f_bytes(14, f_int(1, mtype) + extra)
ok = dnstap(4, f_int(2, 1) + f_int(3, 1) + f_bytes(5, bytes([127, 53, 0, 4])) +
            f_int(7, 53) + f_bytes(11, name('shop.test')) + f_int(12, 1700000000) +
            f_bytes(14, resp))
client = dnstap(5, f_bytes(4, bytes([10, 9, 8, 7])))
ct = b'protobuf:dnstap.Dnstap'
start = struct.pack('>I', 2) + struct.pack('>II', 1, len(ct)) + ct
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('>II', 0, len(start)) + start)
    for d in (b'\x0a\xff not protobuf', client, ok):
        f.write(struct.pack('>I', len(d)) + d)
    f.write(struct.pack('>III', 0, 4, 3))
PY
  fstrm_replay -t protobuf:dnstap.Dnstap -r "$RV_TMP/poison.fstrm" -u "$RV_TMP/dnstap.sock" \
    > "$RV_TMP/replay.log" 2>&1 || rv_fail "fstrm_replay: $(tail -3 "$RV_TMP/replay.log")"
  for i in $(seq 100); do
    "$RV" lookup www.shop.test -d "$DT" -o json 2>/dev/null | grep -q '"192.0.2.80"' && break
    sleep 0.1
  done
  "$RV" lookup www.shop.test -d "$DT" -o json | grep -q '"192.0.2.80"' ||
    rv_fail "the replayed in-zone answer was not stored"
  "$RV" lookup 'www.bank.test' -d "$DT" -o json > "$RV_TMP/poison.out" 2>&1
  [ -s "$RV_TMP/poison.out" ] && rv_fail "a poisoning record from dnstap was stored: $(head -2 "$RV_TMP/poison.out")"
  "$RV" rdata ip 6.6.6.6 -d "$DT" -o json > "$RV_TMP/poison.out" 2>&1
  [ -s "$RV_TMP/poison.out" ] && rv_fail "the poisoning address is in the reverse index: $(head -2 "$RV_TMP/poison.out")"
fi
kill "$DT_PID" && wait "$DT_PID"
rv_expect "$RV_TMP/rvd-dt.log" 'dnstap: [0-9]+ connections \([0-9]+ refused, [3-9][0-9]* closed for errors' \
  "the hostile senders were closed and counted"
"$RV" stats -d "$DT" -o csv > "$RV_TMP/dt.stats"
rv_expect "$RV_TMP/dt.stats" '^sensor:ub-dnstap,[1-9]' "records carry the dnstap identity as their sensor"
# Each dnstap sensor's accounting: what it sent and what became of it.
stat() { awk -F, -v k="$1" '$1 == k { print $2 }' "$RV_TMP/dt.stats"; }
for k in responses records dropped_client; do
  [ "$(stat "sensor:ub-dnstap:dnstap_$k")" -ge 1 ] 2>/dev/null ||
    rv_fail "sensor:ub-dnstap:dnstap_$k is '$(stat "sensor:ub-dnstap:dnstap_$k")', want at least 1"
done
[ "$(stat sensor:ub-dnstap:dnstap_records)" = "$(stat sensor:ub-dnstap)" ] ||
  rv_fail "ub-dnstap's dnstap records ($(stat sensor:ub-dnstap:dnstap_records)) are not its observations ($(stat sensor:ub-dnstap))"
[ -z "$(stat sensor:ub-dnstap:lost)" ] || rv_fail "a dnstap sensor shows the stream figures of numbered frames"
malformed=1
command -v fstrm_replay > /dev/null && malformed=2  # and the replay's
for want in sensor:evil:dnstap_dropped_client,1 sensor:evil:dnstap_dropped,1 \
    sensor:evil:dnstap_responses,0 sensor:evil,0 "sensor:dnstap:dnstap_malformed,$malformed"; do
  rv_expect "$RV_TMP/dt.stats" "^$want\$" "rearview stats: $want"
done
if command -v fstrm_replay > /dev/null; then
  for want in sensor:replayer:dnstap_responses,1 sensor:replayer:dnstap_records,1 \
      sensor:replayer:dnstap_rejected,1 sensor:replayer:dnstap_dropped_client,1 sensor:replayer,1; do
    rv_expect "$RV_TMP/dt.stats" "^$want\$" "rearview stats after the replay: $want"
  done
fi
rv_expect "$RV_TMP/rvd-dt.log" 'dnstap: .* dropped \([1-9][0-9]* client-side\)' "client-side messages were dropped and counted"
rv_expect "$RV_TMP/rvd-dt.log" 'dnstap: [1-9][0-9]* responses \(0 over TCP\) made [1-9][0-9]* records' "responses became records"
# No client address anywhere in the database: kdig asks from 127.0.0.1,
# the resolver listens on $RV_NET.0.1 (neither is an authoritative
# server's address).
for a in 127.0.0.1 "$RV_NET.0.1"; do
  "$RV" rdata ip "$a" -d "$DT" -l 0 -o json > "$RV_TMP/dt.client" 2>/dev/null
  [ -s "$RV_TMP/dt.client" ] && rv_fail "a client-side address is stored: $(head -2 "$RV_TMP/dt.client")"
done
rows "$DT" > "$RV_TMP/dt.rows"

# --- a capture file: fstrm_capture, then rearviewd --import -------------
if command -v fstrm_capture > /dev/null; then
  fstrm_capture -t protobuf:dnstap.Dnstap -u "$RV_TMP/cap.sock" \
    -w "$RV_TMP/cap.fstrm" > "$RV_TMP/cap.log" 2>&1 &
  CAP_PID=$!
  RV_BG_PIDS="$RV_BG_PIDS $CAP_PID"
  for i in $(seq 50); do [ -S "$RV_TMP/cap.sock" ] && break; sleep 0.1; done
  export RV_UNBOUND_CLAUSES="dnstap:
  dnstap-enable: yes
  dnstap-socket-path: \"$RV_TMP/cap.sock\"
  dnstap-send-identity: yes
  dnstap-identity: \"ub-capture\"
  dnstap-log-resolver-response-messages: yes
  dnstap-log-client-query-messages: yes"
  rv_resolver_start --no-module
  ask
  # Unbound flushes its dnstap queue at stop; fstrm_capture closes the
  # file at SIGINT.
  sleep 1
  rv_resolver_stop
  unset RV_UNBOUND_CLAUSES
  kill -INT "$CAP_PID"; wait "$CAP_PID"
  [ -s "$RV_TMP/cap.fstrm" ] || rv_fail "fstrm_capture wrote nothing: $(cat "$RV_TMP/cap.log")"
  "$RVD" --db "$RV_TMP/imp" --import "$RV_TMP/cap.fstrm" --no-progress \
    > "$RV_TMP/imp.log" 2>&1 || rv_fail "rearviewd --import of a dnstap capture: $(tail -3 "$RV_TMP/imp.log")"
  rv_expect "$RV_TMP/imp.log" 'imported .*cap\.fstrm \(dnstap\): [1-9][0-9]* frames, [1-9][0-9]* resolver responses, [1-9][0-9]* records, [1-9][0-9]* client-side messages dropped' \
    "the capture's responses imported, its client messages dropped"
  "$RV" stats -d "$RV_TMP/imp" -o csv > "$RV_TMP/imp.stats"
  rv_expect "$RV_TMP/imp.stats" '^sensor:ub-capture:dnstap_dropped_client,[1-9]' \
    "the import counts the capture's client messages for its sensor"
  rv_expect "$RV_TMP/imp.stats" '^sensor:ub-capture:dnstap_records,[1-9]' \
    "the import counts the capture's records for its sensor"
  # The same capture again adds nothing: it is recognised by its content.
  "$RVD" --db "$RV_TMP/imp" --import "$RV_TMP/cap.fstrm" --no-progress \
    > "$RV_TMP/imp2.log" 2>&1 || rv_fail "a second import of the capture failed: $(tail -3 "$RV_TMP/imp2.log")"
  rv_expect "$RV_TMP/imp2.log" 'cap\.fstrm: this content was imported on .*nothing to do' \
    "a capture imported twice is skipped"
  "$RV" stats -d "$RV_TMP/imp" -o csv | grep -v '^last_write,' > "$RV_TMP/imp2.stats"
  grep -v '^last_write,' "$RV_TMP/imp.stats" | cmp -s - "$RV_TMP/imp2.stats" ||
    rv_fail "the second import of the capture changed the database: $(diff <(grep -v '^last_write,' "$RV_TMP/imp.stats") "$RV_TMP/imp2.stats" | head -5)"
  rows "$RV_TMP/imp" > "$RV_TMP/imp.rows"
  for want in '^www\.shop\.test\. A ' '^nope\.shop\.test\. A NXDOMAIN shop\.test\. NEG$'; do
    rv_expect "$RV_TMP/imp.rows" "$want" "the capture's import has $want"
  done
  comm -13 "$RV_TMP/md.rows" "$RV_TMP/imp.rows" > "$RV_TMP/imp.extra"
  [ -s "$RV_TMP/imp.extra" ] && rv_fail "the capture's import has rows the module did not store: $(head -3 "$RV_TMP/imp.extra")"
  rv_log "capture: $(wc -l < "$RV_TMP/imp.rows") of the module's $(wc -l < "$RV_TMP/md.rows") RRsets"
fi

# --- answers over TCP: the same queries, every upstream one over TCP ------
# (tcp-upstream): dnstap marks them as stream answers, and they make the
# same rows as the module's UDP answers.
TC=$RV_TMP/tc
"$RVD" --db "$TC" --listen "ipc://$RV_TMP/unused-tc.sock" \
  --dnstap "unix:$RV_TMP/tc.sock" --flush-interval 100 \
  > "$RV_TMP/rvd-tc.log" 2>&1 &
TC_PID=$!
RV_BG_PIDS="$RV_BG_PIDS $TC_PID"
rv_wait_grep "$RV_TMP/rvd-tc.log" 'ready:' 10 ||
  rv_fail "rearviewd --dnstap (TCP run) did not start: $(tail -3 "$RV_TMP/rvd-tc.log")"
export RV_UNBOUND_CLAUSES="server:
  tcp-upstream: yes
dnstap:
  dnstap-enable: yes
  dnstap-socket-path: \"$RV_TMP/tc.sock\"
  dnstap-send-identity: yes
  dnstap-identity: \"ub-tcp\"
  dnstap-log-resolver-response-messages: yes"
rv_resolver_start --no-module
ask
for i in $(seq 300); do
  rows "$TC" > "$RV_TMP/tc.rows"
  [ -z "$(comm -23 "$RV_TMP/md.rows" "$RV_TMP/tc.rows")" ] && break
  sleep 0.1
done
rv_resolver_stop
unset RV_UNBOUND_CLAUSES
kill "$TC_PID" && wait "$TC_PID"
rows "$TC" > "$RV_TMP/tc.rows"
tcp_line=$(grep -oE 'dnstap: [0-9]+ responses \([0-9]+ over TCP\)' "$RV_TMP/rvd-tc.log")
read -r tc_resp tc_tcp <<< "$(echo "$tcp_line" | sed -E 's/dnstap: ([0-9]+) responses \(([0-9]+) over TCP\)/\1 \2/')"
[ "${tc_resp:-0}" -gt 0 ] && [ "$tc_resp" = "$tc_tcp" ] ||
  rv_fail "with tcp-upstream, want every response over TCP: '$tcp_line'"
comm -23 "$RV_TMP/md.rows" "$RV_TMP/tc.rows" > "$RV_TMP/tc.missing"
[ -s "$RV_TMP/tc.missing" ] && rv_fail "answers over TCP lack rows the module stored: $(head -3 "$RV_TMP/tc.missing")"
rv_log "over TCP: $tc_tcp of $tc_resp responses, $(wc -l < "$RV_TMP/tc.rows") RRsets, the module's $(wc -l < "$RV_TMP/md.rows") all there"

# --- compare -----------------------------------------------------------
comm -23 "$RV_TMP/md.rows" "$RV_TMP/dt.rows" > "$RV_TMP/only-module"
comm -13 "$RV_TMP/md.rows" "$RV_TMP/dt.rows" > "$RV_TMP/only-dnstap"
rv_log "module $(wc -l < "$RV_TMP/md.rows") RRsets, dnstap $(wc -l < "$RV_TMP/dt.rows"); only module: $(wc -l < "$RV_TMP/only-module"), only dnstap: $(wc -l < "$RV_TMP/only-dnstap")"
for want in '^nope\.shop\.test\. A NXDOMAIN shop\.test\. NEG$' \
    '^mail\.shop\.test\. AAAA NODATA shop\.test\. NEG$' '^www\.shop\.test\. A ' '^www\.shop\.test\. AAAA ' '^alias\.shop\.test\. CNAME ' \
    '^shop\.test\. MX ' '^txt\.shop\.test\. TXT ' '^shop\.test\. NS test\. '; do
  rv_expect "$RV_TMP/dt.rows" "$want" "dnstap stored $want"
done
[ -s "$RV_TMP/only-module" ] &&
  rv_fail "RRsets the module stored and dnstap did not: $(head -5 "$RV_TMP/only-module")"
# Whatever dnstap has beyond the module must still be in bailiwick: the
# owner at or below the bailiwick.
for f in dt tc; do
  outside_bailiwick "$RV_TMP/$f.rows" > "$RV_TMP/$f.outside"
  [ -s "$RV_TMP/$f.outside" ] && rv_fail "dnstap ($f) stored out of bailiwick: $(head -3 "$RV_TMP/$f.outside")"
done
rv_pass
