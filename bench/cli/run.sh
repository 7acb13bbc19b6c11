#!/bin/sh
# The CLI benchmark: build (or reuse) the generated database in rearview's
# LMDB and in SQLite, then time whole processes, rearview and sqlite3 side
# by side, alternating, on: exact lookup, *.domain (~1,000 results), /24,
# /16, ASN; and the streaming scan rate to /dev/null.
#
# usage: bench/cli/run.sh [NRRSETS [DIR]]   (from the build directory;
#        make -C bench bench-cli runs it with the defaults)
set -e
n=${1:-1000000}
dir=${2:-/tmp/rv-bench-cli-$n}
top=$(pwd)
[ -x "$top/bench/cli/load" ] || top=$(cd "$(dirname "$0")/../.." && pwd)
load=$top/bench/cli/load
rv=$top/cli/rearview
if [ ! -f "$dir/sq.db" ]; then
	mkdir -p "$dir"
	echo "building $n RRsets in $dir ..."
	/usr/bin/time -f "load: %e s, %M KiB peak" "$load" "$dir/db" "$dir/sq.db" "$n"
fi
exec python3 - "$rv" "$dir" <<'PY'
import statistics, subprocess, sys, time, sqlite3
rv, d = sys.argv[1], sys.argv[2]
db, sq = d + "/db", d + "/sq.db"
c = sqlite3.connect(sq)
name = c.execute("SELECT owner FROM rr WHERE type=1 AND ip IS NOT NULL "
                 "AND owner NOT LIKE '%big.bench.' LIMIT 1 OFFSET 5000").fetchone()[0]
ip = c.execute("SELECT ip FROM rr WHERE owner=? AND ip IS NOT NULL", (name,)).fetchone()[0]
asn = c.execute("SELECT asn FROM asn WHERE ip=?", (ip,)).fetchone()[0]
c.close()
def dq(x): return "%d.%d.%d.%d" % (x >> 24, x >> 16 & 255, x >> 8 & 255, x & 255)
n24, n16 = ip & ~255, ip & ~65535
cols = "owner,type,first,last,count,rdata"
Q = [
 ("exact lookup", ["lookup", name],
  "SELECT %s FROM rr WHERE owner='%s' ORDER BY first DESC" % (cols, name)),
 ("*.big.bench (1,000)", ["lookup", "*.big.bench"],
  "SELECT %s FROM rr WHERE rev >= '.hcneb.gib.' AND rev < '.hcneb.gib/' ORDER BY first DESC" % cols),
 ("CIDR /24", ["rdata", "ip", dq(n24) + "/24"],
  "SELECT %s FROM rr WHERE ip BETWEEN %d AND %d ORDER BY first DESC" % (cols, n24, n24 + 255)),
 ("CIDR /16", ["rdata", "ip", dq(n16) + "/16"],
  "SELECT %s FROM rr WHERE ip BETWEEN %d AND %d ORDER BY first DESC" % (cols, n16, n16 + 65535)),
 ("ASN", ["asn", str(asn)],
  "SELECT %s FROM asn JOIN rr ON rr.ip = asn.ip WHERE asn.asn = %d ORDER BY first DESC" % (cols, asn)),
]
def run(argv):
    t = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t, p.stdout.count(b"\n")
R = 15
print("| query | rows (rearview / sqlite) | rearview median ms | sqlite3 median ms | ratio |")
print("|---|---|---|---|---|")
for label, args, sql in Q:
    a = [rv] + args + ["--db", db, "-o", "json", "-l", "0"]
    b = ["sqlite3", sq, sql]
    ta, tb = [], []
    for i in range(R):            # A B A B ... in one run
        x, na = run(a); ta.append(x)
        y, nb = run(b); tb.append(y)
    ma, mb = statistics.median(ta) * 1000, statistics.median(tb) * 1000
    print("| %s | %d / %d | %.2f | %.2f | %.1fx |" % (label, na, nb, ma, mb, mb / ma))
# Streaming scans to /dev/null (key order: no sort).
print()
print("| scan to /dev/null | rows | seconds | rows/s |")
print("|---|---|---|---|")
for label, args in [("lookup '*.com' -s name -o json", ["lookup", "*.com", "-s", "name", "-o", "json"]),
                    ("lookup '*.com' -s name -o csv", ["lookup", "*.com", "-s", "name", "-o", "csv"]),
                    ("rdata ip 0.0.0.0/0 -s data -o json", ["rdata", "ip", "0.0.0.0/0", "-s", "data", "-o", "json"])]:
    argv = [rv] + args + ["--db", db, "-l", "0"]
    rows = int(subprocess.run([rv, "summarize"] + args[:2] + ["--db", db, "-o", "csv"],
               stdout=subprocess.PIPE).stdout.split(b"\n")[1].split(b",")[0])
    best = None
    for i in range(3):
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL)
        e = time.perf_counter() - t
        best = e if best is None or e < best else best
    print("| %s | %d | %.2f | %.2fM |" % (label, rows, best, rows / best / 1e6))
PY
