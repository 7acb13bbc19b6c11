# dnstap_lib.sh: what dnstap.sh and dnstap_resolvers.sh share (bash,
# sourced after harness.sh with $RV set to the CLI): the queries both send,
# the rows both compare, and waits on a database's observations.

# The queries, as NAME TYPE pairs, sent once each by the tests' ask().
QUERIES=(www.shop.test A www.shop.test AAAA mail.shop.test A
  mail.shop.test AAAA nope.shop.test A alias.shop.test A shop.test MX
  txt.shop.test TXT a1.wild.test A www.signed.test A)

# rows DB: every RRset as "owner type bailiwick rdata...", and every
# negative answer as "owner type rcode bailiwick NEG", sorted
rows() {
  { "$RV" lookup '*.test' -d "$1" -l 0 -o json 2>/dev/null
    "$RV" lookup '*.test' --negative -d "$1" -l 0 -o json 2>/dev/null; } |
    python3 -c 'import json,sys
for l in sys.stdin:
    o = json.loads(l)
    if "rcode" in o:
        print(o["rrname"], o["rrtype"], o["rcode"], o.get("bailiwick", "?"), "NEG")
    else:
        print(o["rrname"], o["rrtype"], o.get("bailiwick", "?"), " ".join(sorted(o["rdata"])))' |
    sort -u
}

# outside_bailiwick ROWS: the rows of a rows() file whose owner is not at
# or below their bailiwick
outside_bailiwick() {
  awk '{ o = $1; b = ($NF == "NEG") ? $4 : $3
         if (b != "." && substr(o, length(o) - length(b) + 1) != b) print }' "$1"
}

observations() {
  "$RV" stats -d "$1" -o csv 2>/dev/null | awk -F, '$1 == "observations" { print $2 }'
}

wait_obs() {  # DB MIN: wait until the database holds MIN observations
  local i o
  for i in $(seq 200); do
    o=$(observations "$1")
    [ "${o:-0}" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
