#!/bin/bash
# bench/faults/run.sh: the long versions of the reliability tests, with
# the figures RELIABILITY.md reports. Each part runs the same script as
# its CI test (tests/e2e/rel_*.sh) with bigger parameters.
#
#   bench/faults/run.sh BUILDDIR [PART...]
#
# Parts (all by default):
#   resolver  dnsperf at REL_RATE (1000) q/s, REL_PHASE (20) s phases,
#             rearviewd down 10 s in the stop and kill -9 phases; per-phase
#             QPS and p99 against the no-fault phases of the same run
#   crash     RV_CRASH_ROUNDS (100) kill -9 during ingest with the default
#             flush size (200000 RRsets), full scans every 10 rounds
#   reload    REL_RELOADS (300) reloads under load, and the same without the
#             module (the memory control)
#   fuzz      bench/faults/fuzz.sh BUILDDIR FUZZ_SECONDS (600) per target
# Needs root (NSD and Unbound on port 53, tmpfs), dnsperf, lmdb-utils.
# Results go to BUILDDIR/bench/faults/*.txt and to stdout.
set -u
B=$(cd "${1:?usage: run.sh BUILDDIR [resolver|crash|reload|fuzz]...}" && pwd)
shift
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$B/bench/faults
mkdir -p "$OUT"
export RV_TOP_SRCDIR=$SRC RV_TOP_BUILDDIR=$B
export RV_UNBOUND_PREFIX=${RV_UNBOUND_PREFIX:-$SRC/.deps/unbound}
make -s -C "$B" >/dev/null && make -s -C "$B/tools" >/dev/null ||
	{ echo "build failed"; exit 1; }
parts=${*:-resolver crash reload fuzz}
rc=0
for p in $parts; do
	echo "== $p ($(date -u +%FT%TZ))"
	case $p in
	resolver)
		REL_PHASE=${REL_PHASE:-20} REL_RATE=${REL_RATE:-1000} REL_DOWN=10 \
			REL_RESULTS=$OUT/resolver.txt \
			bash "$SRC/tests/e2e/rel_resolver.sh" >"$OUT/resolver.log" 2>&1 || rc=1
		tail -1 "$OUT/resolver.log"
		cat "$OUT/resolver.txt" 2>/dev/null ;;
	crash)
		RV_CRASH_ROUNDS=${RV_CRASH_ROUNDS:-100} RV_CRASH_FLUSH_MAX=200000 \
			RV_CRASH_FULL_EVERY=10 \
			bash "$SRC/tests/e2e/rel_crash.sh" >"$OUT/crash.txt" 2>&1 || rc=1
		grep -E '^(seed|ok|FAIL|PASS)' "$OUT/crash.txt" ;;
	reload)
		for m in 0 1; do
			REL_RELOADS=${REL_RELOADS:-300} REL_NO_MODULE=$m \
				bash "$SRC/tests/e2e/rel_reload.sh" >"$OUT/reload-$m.txt" 2>&1 || rc=1
			grep -E 'reload100:|PASS|FAIL' "$OUT/reload-$m.txt"
		done ;;
	fuzz)
		bash "$SRC/bench/faults/fuzz.sh" "$B" "${FUZZ_SECONDS:-600}" || rc=1 ;;
	*)
		echo "unknown part $p"; rc=2 ;;
	esac
done
exit $rc
