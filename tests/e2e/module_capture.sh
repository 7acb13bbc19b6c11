#!/usr/bin/env bash
# module_capture.sh: the module inside a real Unbound, recursing through
# real NSD servers, captures what each authoritative server answered,
# record by record: owner, type, section, bailiwick (the zone cut), the
# server's address, rcode, AA, the question actually sent (QNAME
# minimisation), RRSIGs, validator fetches (DS, DNSKEY), NXDOMAIN and
# NODATA; it counts timeouts, skips local auth-zone answers, leaves out
# excluded zones, flags forwarded and TCP answers, and never records a
# client address.
set -u
. "${RV_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/e2e/harness.sh"

rv_init capture
rv_net_start
rv_recv_start
rv_module_conf "$RV_TMP/module.conf" "exclude-zone: secret.shop.test"
printf '$TTL 300\n@ IN SOA ns.local.test. h.local.test. 1 60 60 60 60\n@ IN NS ns.local.test.\nx IN A 192.0.2.77\n' \
  > "$RV_TMP/zones/local.test.zone"
rv_resolver_start --module-conf "$RV_TMP/module.conf" --extra "auth-zone:
  name: \"local.test.\"
  zonefile: \"$RV_TMP/zones/local.test.zone\"
  for-upstream: yes
  for-downstream: no
forward-zone:
  name: \"wild.test.\"
  forward-addr: $RV_NET.0.4
  forward-tcp-upstream: yes
server:"

N=$(rv_rx "$RV_NET")
out=$RV_RECV_OUT

# --- the resolver answers -----------------------------------------------------
[ "$(rv_q www.shop.test A)" = 192.0.2.10 ] || rv_fail "www.shop.test A not resolved"
[ "$(rv_q www.shop.test AAAA)" = 2001:db8::10 ] || rv_fail "www.shop.test AAAA not resolved"
rv_q alias.shop.test A | grep -q '^192\.0\.2\.10$' || rv_fail "CNAME chain not resolved"
rv_q shop.test MX | grep -q 'mail\.shop\.test' || rv_fail "MX not resolved"
rv_q txt.shop.test TXT | grep -q 'hello world' || rv_fail "TXT not resolved"
rv_q svc.shop.test HTTPS >/dev/null
rv_q unk.shop.test TYPE65280 >/dev/null
[ "$(rv_q_rcode mail.shop.test AAAA)" = NOERROR ] || rv_fail "NODATA query failed"
[ "$(rv_q_rcode nonexistent.shop.test A)" = NXDOMAIN ] || rv_fail "NXDOMAIN query failed"
[ "$(rv_q secret.shop.test A)" = 192.0.2.66 ] || rv_fail "excluded zone must still resolve"
[ "$(rv_q x.local.test A)" = 192.0.2.77 ] || rv_fail "auth-zone name not resolved"
[ "$(rv_q fwd.wild.test A)" = 192.0.2.99 ] || rv_fail "forwarded name not resolved"
# Nothing answers for dead.test.: the resolver keeps retrying, the module
# counts timeouts (the answer itself may take longer than kdig waits).
rv_q www.dead.test A >/dev/null 2>&1
if [ -f "$RV_TMP/zones/trust-anchor.ds" ]; then
  kdig +dnssec +timeout=3 @"$RV_RESOLVER" www.signed.test A | grep -q 'Flags:.* ad' ||
    rv_fail "www.signed.test did not validate (no AD flag)"
  rv_q signed.test DS | grep -q '^[0-9]* 13 2 ' || rv_fail "DS of signed.test not resolved"
fi

# --- what the module sent ------------------------------------------------------
rv_wait_grep "$out" 'owner=unk\.shop\.test\. type=TYPE65280 ' ||
  rv_fail "records did not reach the receiver"
rv_wait_grep "$out" 'owner=nonexistent\.shop\.test\. ' ||
  rv_fail "negative record did not reach the receiver"
if [ -f "$RV_TMP/zones/trust-anchor.ds" ]; then
  rv_wait_grep "$out" '^rec owner=signed\.test\. type=DS ' ||
    rv_fail "DS record (the last query) did not reach the receiver"
fi

# Priming: the root's NS set, from the root server, authoritative.
rv_expect "$out" "^rec owner=\. type=NS sec=answer kind=rrset zone=\. server=$N\.0\.2 port=53 rcode=NOERROR aa=1 " \
  "priming answer from the root"
# Referral root -> test.: NS in authority, glue in additional, not AA,
# bailiwick the root, and (QNAME minimisation) the root was asked about
# test., not www.shop.test.
rv_expect "$out" "^rec owner=test\. type=NS sec=authority kind=rrset zone=\. server=$N\.0\.2 port=53 rcode=NOERROR aa=0 fwd=0 tcp=0 qname=test\. " \
  "referral to test. from the root"
rv_expect "$out" "^rec owner=ns1\.nic\.test\. type=A sec=additional kind=rrset zone=\. server=$N\.0\.2 .* rdata=$N\.0\.3$" \
  "glue for ns1.nic.test. from the root"
rv_expect_none "$out" "server=$N\.0\.2 .*qname=[^ ]*shop\.test\. " \
  "QNAME minimisation: the root never sees shop.test names"
# Referral test. -> shop.test. with glue.
rv_expect "$out" "^rec owner=shop\.test\. type=NS sec=authority kind=rrset zone=test\. server=$N\.0\.3 port=53 rcode=NOERROR aa=0 .* rdata=ns1\.shop\.test\.$" \
  "referral to shop.test. from the test. server"
rv_expect "$out" "^rec owner=ns1\.shop\.test\. type=A sec=additional kind=rrset zone=test\. server=$N\.0\.3 .* rdata=$N\.0\.4$" \
  "glue for ns1.shop.test."
# Answers from shop.test.'s server, bailiwick shop.test., AA.
rv_expect "$out" "^rec owner=www\.shop\.test\. type=A sec=answer kind=rrset zone=shop\.test\. server=$N\.0\.4 port=53 rcode=NOERROR aa=1 fwd=0 tcp=0 qname=www\.shop\.test\. qtype=A ttl=3600 n=1 sensor=e2e rdata=192\.0\.2\.10$" \
  "A answer"
rv_expect "$out" "^rec owner=www\.shop\.test\. type=AAAA sec=answer kind=rrset zone=shop\.test\. server=$N\.0\.4 .* aa=1 .* qtype=AAAA .* rdata=2001:db8::10$" \
  "AAAA answer"
rv_expect "$out" "^rec owner=alias\.shop\.test\. type=CNAME sec=answer .* zone=shop\.test\. .* qname=alias\.shop\.test\. qtype=A .* rdata=alias2\.shop\.test\.$" \
  "first CNAME of the chain"
rv_expect "$out" "^rec owner=alias2\.shop\.test\. type=CNAME sec=answer .* zone=shop\.test\. .* qname=alias2\.shop\.test\. qtype=A .* rdata=www\.shop\.test\.$" \
  "second CNAME of the chain (NSD answers one link at a time; Unbound asks on)"
rv_expect_none "$out" "owner=(alias2|www)\.shop\.test\. type=A sec=none kind=negative" \
  "a CNAME without its target's data is no NODATA"
rv_expect "$out" "^rec owner=shop\.test\. type=MX sec=answer .* zone=shop\.test\. .* rdata=10 mail\.shop\.test\.$" \
  "MX answer"
rv_expect "$out" "^rec owner=txt\.shop\.test\. type=TXT sec=answer .* rdata=\"hello world\" \"second string\"$" \
  "TXT answer"
rv_expect "$out" "^rec owner=svc\.shop\.test\. type=HTTPS sec=answer .* zone=shop\.test\. " \
  "HTTPS answer"
rv_expect "$out" "^rec owner=unk\.shop\.test\. type=TYPE65280 sec=answer .* n=1 " \
  "unknown type answer"
# A forward-zone over TCP: the forwarded and TCP flags.
rv_expect "$out" "^rec owner=fwd\.wild\.test\. type=A sec=answer kind=rrset zone=wild\.test\. server=$N\.0\.4 port=53 rcode=NOERROR aa=1 fwd=1 tcp=1 " \
  "forwarded answer over TCP"
rv_expect_none "$out" " fwd=1 .*qname=[^ ]*shop\.test\. " "only the forward zone is flagged forwarded"
# NODATA and NXDOMAIN: a negative record about the question, and the SOA.
rv_expect "$out" "^rec owner=mail\.shop\.test\. type=AAAA sec=none kind=negative zone=shop\.test\. server=$N\.0\.4 port=53 rcode=NOERROR aa=1 .* qname=mail\.shop\.test\. qtype=AAAA ttl=300 n=0 " \
  "NODATA negative record"
rv_expect "$out" "^rec owner=nonexistent\.shop\.test\. type=A sec=none kind=negative zone=shop\.test\. server=$N\.0\.4 port=53 rcode=NXDOMAIN aa=1 .* ttl=300 n=0 " \
  "NXDOMAIN negative record"
rv_expect "$out" "^rec owner=shop\.test\. type=SOA sec=authority kind=rrset zone=shop\.test\. .* rcode=NXDOMAIN .* qname=nonexistent\.shop\.test\. " \
  "the SOA of the NXDOMAIN answer"
# DNSSEC: RRSIGs as their own records; the validator's DS and DNSKEY
# fetches are captured like any other answer.
if [ -f "$RV_TMP/zones/trust-anchor.ds" ]; then
  rv_expect "$out" "^rec owner=www\.signed\.test\. type=A sec=answer kind=rrset zone=signed\.test\. server=$N\.0\.5 " \
    "signed A answer"
  rv_expect "$out" "^rec owner=www\.signed\.test\. type=RRSIG sec=answer kind=rrset zone=signed\.test\. server=$N\.0\.5 .* rdata=A 13 3 3600 " \
    "its RRSIG as a separate record"
  rv_expect "$out" "^rec owner=signed\.test\. type=DNSKEY sec=answer kind=rrset zone=signed\.test\. server=$N\.0\.5 .* aa=1 .* qtype=DNSKEY " \
    "DNSKEY fetched by the validator"
  rv_expect "$out" "^rec owner=signed\.test\. type=RRSIG sec=answer .* qtype=DNSKEY .* rdata=DNSKEY 13 2 " \
    "the DNSKEY's RRSIG"
  rv_expect "$out" "^rec owner=signed\.test\. type=DS sec=answer kind=rrset zone=test\. server=$N\.0\.3 .* aa=1 .* qtype=DS " \
    "DS from the parent zone's server, bailiwick test."
fi
# Excluded zone, local auth-zone: nothing leaves the resolver.
rv_expect_none "$out" "owner=secret\.shop\.test\." "exclude-zone"
rv_expect_none "$out" "local\.test\." "auth-zone answers are local"
# Frames carry the configured sensor name.
rv_expect "$out" "^frame sensor=e2e records=[0-9]+ " "sensor name in frames"
rv_expect_none "$out" "^bad-frame" "every frame validates"
# Only authoritative servers' addresses, never a client's.
bad=$(grep '^rec ' "$out" | grep -vE " server=$N\.0\.[2-5] port=53 " | head -1)
[ -z "$bad" ] || rv_fail "a record with an address that is no authoritative server: $bad"

# --- counters --------------------------------------------------------------------
rv_wait_stat timeouts 1 || rv_fail "timeouts not counted (dead.test.)"
rv_wait_stat skipped_local 1 || rv_fail "auth-zone answers not counted as skipped"
rv_wait_stat excluded 1 || rv_fail "excluded records not counted"
rv_wait_stat sent 20 || rv_fail "sent counter: $(rv_stat sent)"
[ "$(rv_stat dropped)" = 0 ] || rv_fail "drops with a receiver running: $(rv_stat dropped)"
rv_wait_grep "$RV_TMP/resolver/unbound.log" 'rearview: responses [0-9]+ captured [0-9]+ sent' 10 ||
  rv_fail "counters not in Unbound's log"
rv_pass
