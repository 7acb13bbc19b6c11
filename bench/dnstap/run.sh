#!/bin/bash
# bench/dnstap/run.sh: rearviewd's ingest over dnstap against the same
# observations as nng frames, in one run (not part of make check).
#
#   make -C <builddir>/bench bench-dnstap        or
#   bench/dnstap/run.sh [BUILDDIR]
#
# Env: OBS (10000000) observations, RRSETS (1000000) distinct RRsets,
#      SEED (1), SPAN (6 * OBS seconds, see below), MMDB (mmdb dir,
#      default <srcdir>/.deps/mmdb), ROUNDS (1: nng then dnstap, repeated),
#      PERF=1 (perf record the dnstap run's rearviewd, report in the work
#      dir; needs KEEP=1 to read it), KEEP=1.
# For each transport, a fresh rearviewd and:
#  - nng: tools/rvgen's frames (256 records each) replayed over ipc://,
#    as bench/ingest does;
#  - dnstap: tools/rvdtgen's Frame Streams file (one RESOLVER_RESPONSE
#    per observation: the same RRset, zone, server, time and sensor as the
#    frame record) replayed over unix: with libfstrm's bidirectional
#    writer.
# Both streams are generated into files first, so the senders only replay.
# A rate counts from the first message sent until rearviewd's
# stat:observations reaches OBS (read through lib/ by rv_dbdump). CPU is
# rearviewd's user+sys from /proc/PID/task/*/stat, per thread.
#
# SPAN: rearviewd counts a dnstap response seen again within 5 seconds
# once (a resolver's retry, indexer/dnstap_records.c); the generator's
# popular RRsets repeat many times a second at its default span of a day,
# so both streams are stretched to 6 s between observations: the same
# observations stored by both paths, nothing collapsed.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-${RV_BUILDDIR:-$src/build}}
OBS=${OBS:-10000000}
RRSETS=${RRSETS:-1000000}
SEED=${SEED:-1}
SPAN=${SPAN:-$((6 * OBS))}
ROUNDS=${ROUNDS:-1}
GEN=$B/tools/rvgen
DTGEN=$B/tools/rvdtgen
RVD=$B/indexer/rearviewd
DUMP=$B/tools/rv_dbdump
. "$src/bench/lib.sh"
bench_init dt "$GEN" "$DTGEN" "$RVD" "$DUMP"	# rvdtgen needs libfstrm


# cpu PID: per thread, in creation order, "name seconds"; rearviewd's own
# threads are main, flusher, nng receiver, then (with --dnstap) dnstap.
cpu() {
	for t in $(ls /proc/"$1"/task | sort -n); do
		awk '{ n = $2; i = 3; while (n !~ /\)$/) { n = n " " $i; i++ }
			printf "%s %.2f\n", n, ($(i + 11) + $(i + 12)) / 100 }' \
			"/proc/$1/task/$t/stat"
	done
}

# run_rvd NAME: a fresh rearviewd, NAME's stream replayed into it; sets
# SECS, CPU_TOTAL, CPU_THREADS, SENDER (the sender's summary line).
run_rvd() {
	local name=$1 t0 t1 gpid dt=() send
	DB=$W/$name.$round.db
	rm -rf "$W"/"$name".*.db	# the previous round's
	[ "$name" = dnstap ] && dt=(--dnstap "unix:$W/$name.dt.sock")
	"$RVD" -d "$DB" -l "ipc://$W/$name.sock" "${dt[@]}" --mapsize 4096 \
		"${mm[@]}" -v >"$W/$name.log" 2>&1 &
	RVD_PID=$!
	until grep -q 'ready:' "$W/$name.log" 2>/dev/null; do sleep 0.05; done
	if [ "$name" = dnstap ]; then
		send=("$DTGEN" --replay "$W/stream.fstrm" -c "unix:$W/$name.dt.sock")
	else
		send=("$GEN" --replay "$W/stream.bin" -c "ipc://$W/$name.sock")
	fi
	PERF_PID=
	if [ "${PERF:-0}" = 1 ] && [ "$name" = dnstap ]; then
		perf record -g -o "$W/perf.data" -p "$RVD_PID" >/dev/null 2>&1 &
		PERF_PID=$!
	fi
	t0=$(now)
	/usr/bin/time -f "sender CPU %U user %S sys" "${send[@]}" \
		>"$W/$name.send" 2>&1 &
	gpid=$!
	until [ "$(obs "$DB")" = "$OBS" ]; do sleep 0.05; done
	t1=$(now)
	CPU_THREADS=$(cpu "$RVD_PID" | awk '{ c = $NF; $NF = ""; sub(/ $/, "");
		if ($0 ~ /^\(nng/) { nng += c } else { r[++n] = c } }
		END { printf "main %.2f, flusher %.2f, nng receiver %.2f", r[1], r[2], r[3];
			if (n > 3) printf ", dnstap %.2f", r[4];
			printf ", nng I/O threads %.2f", nng }')
	# schedstat: ns on a CPU, ns runnable but waiting for one: of the
	# rearviewd threads that did work (main, flusher, receivers).
	SCHED=$(for t in $(ls /proc/"$RVD_PID"/task | sort -n); do
		read -r comm <"/proc/$RVD_PID/task/$t/comm"
		echo "$comm $(cat "/proc/$RVD_PID/task/$t/schedstat")"
	done | awk -v wall="$(echo "$(now) - $t0" | bc -l)" '$1 == "rearviewd" { n++
		name = n == 2 ? "flusher" : n == 3 ? "nng receiver" : n == 4 ? "dnstap" : ""
		if (name != "" && $2 > 1e8) printf "%s%s: on CPU %.1f s, waiting for a CPU %.1f s, sleeping %.1f s",
			sep, name, $2 / 1e9, $3 / 1e9, wall - ($2 + $3) / 1e9; if (name != "" && $2 > 1e8) sep = "; " }')
	CPU_TOTAL=$(awk '{ n = $2; i = 3; while (n !~ /\)$/) { n = n " " $i; i++ }
		printf "%.2f", ($(i + 11) + $(i + 12)) / 100 }' "/proc/$RVD_PID/stat")
	wait "$gpid"
	SENDER=$(tr '\n' ';' <"$W/$name.send" | sed 's/;$//; s/;/; /g')
	if [ -n "$PERF_PID" ]; then
		kill -INT "$PERF_PID" 2>/dev/null || true
		wait "$PERF_PID" 2>/dev/null || true
	fi
	kill -TERM "$RVD_PID"
	wait "$RVD_PID" || true
	RVD_PID=
	SECS=$(echo "$t1 - $t0" | bc -l)
}

echo "== generating both streams (not timed): $OBS observations over" \
	"$RRSETS RRsets, seed $SEED, span $SPAN s"
"$GEN" -q -n "$OBS" -r "$RRSETS" -s "$SEED" --span "$SPAN" -f "$W/stream.bin"
"$DTGEN" -q -n "$OBS" -r "$RRSETS" -s "$SEED" --span "$SPAN" -f "$W/stream.fstrm"
ls -l "$W"/stream.* | awk '{ printf "  %s %d MB\n", $NF, $5 / 1e6 }'

for round in $(seq 1 "$ROUNDS"); do
	for name in nng dnstap; do
		echo "== round $round, $name: $OBS observations into a fresh rearviewd"
		run_rvd "$name"
		rate=$(echo "$OBS / $SECS" | bc)
		eval "${name}_rate=$rate; ${name}_cpu=$CPU_TOTAL"
		echo "  $OBS observations in $(printf %.2f "$SECS") s = $rate observations/s"
		echo "  rearviewd CPU $CPU_TOTAL s ($(echo "scale=2; $CPU_TOTAL * 1000000 / $OBS" | bc) us per observation): $CPU_THREADS"
		echo "  $SENDER"
		echo "  threads over the whole run: $SCHED"
		echo "  stored: $("$DUMP" "$DB" stats | awk '$1 ~ /^(observations|rrsets|records_rejected)$/ { printf "%s %s ", $1, $2 }')"
		if [ "$name" = dnstap ]; then
			grep -E 'dnstap: [0-9]+ (messages|responses)' "$W/$name.log" |
				sed 's/^.*dnstap: /  log: /'
		fi
		awk '/flush prepare/ { for (i = 1; i <= NF; i++) { if ($i == "sort") s += $(i+1); if ($i == "rows") r += $(i+1) } }
			/flush phases/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) p += $i }
			/committed:/ { f++; for (i = 1; i <= NF; i++) if ($i == "entries,") e += $(i-1) }
			END { printf "  flushes %d writing %d table entries; flusher CPU in them (debug log): sort %d ms, index rows %d ms, writes+commit %d ms\n", f, e, s, r, p }' "$W/$name.log"
	done
	echo "== round $round: dnstap / nng = $(echo "scale=2; $dnstap_rate / $nng_rate" | bc) x in observations/s (goal >= 0.5 x);" \
		"rearviewd CPU per observation dnstap / nng = $(echo "scale=2; $dnstap_cpu / $nng_cpu" | bc) x"
done
if [ "${PERF:-0}" = 1 ] && [ -f "$W/perf.data" ]; then
	perf report -i "$W/perf.data" --no-children --sort symbol --stdio 2>/dev/null |
		grep -E '^ +[0-9]' | head -25 >"$W/perf.txt" || true
	echo "== perf, dnstap run, top symbols (self):"
	sed 's/^/  /' "$W/perf.txt"
fi
echo "== load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
