#!/bin/bash
# bench/faults/fuzz.sh: run every libFuzzer target at length, one after the
# other, then minimise its corpus back into tests/fuzz/corpus/<name>/.
#
#   bench/faults/fuzz.sh BUILDDIR [SECONDS_EACH] [TARGET...]
#
# BUILDDIR is a configured build directory (the targets are built with
# `make -C BUILDDIR/tests fuzz`). Each target runs SECONDS_EACH (600) on
# a work corpus seeded from the committed one; new inputs are merged back
# with -merge=1 so the committed corpus stays minimal. A summary line per
# target (executions, seconds, corpus size, crashes) goes to stdout and to
# BUILDDIR/tests/fuzz/long.log; a crash stops the script with status 1.
set -u
B=$(cd "${1:?usage: fuzz.sh BUILDDIR [SECONDS] [TARGET...]}" && pwd)
SECS=${2:-600}
shift 2 2>/dev/null || shift $#
SRC=$(cd "$(dirname "$0")/../.." && pwd)
make -s -C "$B/tests" fuzz || exit 1
targets=${*:-fuzz_frame fuzz_parse fuzz_keys fuzz_import}
log=$B/tests/fuzz/long.log
for t in $targets; do
	name=${t#fuzz_}
	corpus=$SRC/tests/fuzz/corpus/$name
	work=$B/tests/fuzz/long-$name
	mkdir -p "$corpus" "$work"
	out=$B/tests/fuzz/long-$name.out
	(cd "$B/tests/fuzz" &&
	LSAN_OPTIONS=suppressions=$SRC/tests/fuzz/lsan.supp:print_suppressions=0 \
	ASAN_OPTIONS=fast_unwind_on_malloc=0 ./"$t" -max_total_time="$SECS" -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$B/tests/fuzz/$t-" \
		"$work" "$corpus") >"$out" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out")
	if [ "$rc" != 0 ]; then
		echo "$t: CRASH after ${execs:-?} executions, see $out" | tee -a "$log"
		exit 1
	fi
	merged=$B/tests/fuzz/merged-$name
	rm -rf "$merged"
	mkdir -p "$merged"
	"$B/tests/fuzz/$t" -merge=1 -max_len=65536 "$merged" "$corpus" "$work" \
		>"$out.merge" 2>&1 || { echo "$t: merge failed"; exit 1; }
	rm -rf "$corpus"
	mv "$merged" "$corpus"
	echo "$t: $execs executions in $SECS s, corpus $(ls "$corpus" | wc -l) files, no crash ($(date -u +%FT%TZ))" |
		tee -a "$log"
done
