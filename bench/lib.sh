# bench/lib.sh: what the indexer benchmarks share (sourced by
# bench/{ingest,dnstap,clickhouse}/run.sh; bash).
#
#   bench_init NAME PROG...   after src and B are set: checks that each
#                             PROG is built, makes the work directory W
#                             (/tmp/rv-NAME-bench.XXXXXX), removed at exit
#                             unless KEEP=1; a rearviewd in RVD_PID and
#                             the commands in BENCH_CLEANUP are killed /
#                             run at exit.
#   mm                        rearviewd's enrichment options (MaxMind's
#                             test databases from MMDB, when built)
#   now                       seconds since the epoch, fractional
#   obs DB                    observations stored in DB (rv_dbdump)
bench_init() {
	local name=$1 b
	shift
	for b in "$@"; do
		[ -x "$b" ] || { echo "missing $b: build first (make)" >&2; exit 1; }
	done
	W=$(mktemp -d "/tmp/rv-$name-bench.XXXXXX")
	RVD_PID=
	BENCH_CLEANUP=
	trap bench_cleanup EXIT
	MMDB=${MMDB:-$src/.deps/mmdb}
	mm=()
	[ -f "$MMDB/GeoLite2-ASN-Test.mmdb" ] &&
		mm=(--asn-db "$MMDB/GeoLite2-ASN-Test.mmdb" --geo-db "$MMDB/GeoIP2-City-Test.mmdb")
	return 0
}

bench_cleanup() {
	[ -n "$RVD_PID" ] && kill -9 "$RVD_PID" 2>/dev/null
	[ -n "$BENCH_CLEANUP" ] && eval "$BENCH_CLEANUP"
	wait 2>/dev/null || true
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $W"; else rm -rf "$W"; fi
}

now() { date +%s.%N; }
obs() { "$DUMP" "$1" stats 2>/dev/null | awk '$1 == "observations" { print $2 }'; }
