# indexer_lib.sh: shared setup for the indexer's end-to-end tests (bash).
# Defines: T (private temp dir), BIN paths, start_rvd/stop_rvd, fail/pass.
# Every test stops what it started, also on failure (trap).
set -u
B=${RV_TOP_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
RVD=$B/indexer/rearviewd
GEN=$B/tools/rvgen
DUMP=$B/tools/rv_dbdump
MMDB=${RV_MMDB_DIR:-}
for b in "$RVD" "$GEN" "$DUMP"; do
	[ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }
done
T=$(mktemp -d /tmp/rv-e2e-idx.XXXXXX)
RVD_PID=
EXTRA_CLEANUP=
cleanup() {
	[ -n "$RVD_PID" ] && kill -9 "$RVD_PID" 2>/dev/null
	[ -n "$EXTRA_CLEANUP" ] && eval "$EXTRA_CLEANUP"
	[ -n "${GEN_PID:-}" ] && kill -9 "$GEN_PID" 2>/dev/null
	wait 2>/dev/null
	if [ "${RV_KEEP:-0}" = 1 ] || [ "${FAILED:-0}" = 1 ]; then
		echo "kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
fail() { FAILED=1; echo "FAIL: $*"; [ -f "$T/rvd.log" ] && tail -20 "$T/rvd.log"; exit 1; }
ok() { echo "ok: $*"; }

# port: a loopback TCP port held for this test (port_lib.sh); each call
# gives another one.
. "$(dirname "${BASH_SOURCE[0]}")/port_lib.sh"
port() { rv_port; }

# start_rvd ARGS...: start rearviewd in the background, wait until ready.
start_rvd() {
	"$RVD" "$@" >>"$T/rvd.log" 2>&1 &
	RVD_PID=$!
	for _ in $(seq 600); do
		grep -q 'ready:' "$T/rvd.log" 2>/dev/null && return 0
		kill -0 "$RVD_PID" 2>/dev/null || fail "rearviewd exited at start"
		sleep 0.1
	done
	fail "rearviewd not ready after 60 s"
}

# stop_rvd: SIGTERM, wait, check a clean exit.
stop_rvd() {
	kill -TERM "$RVD_PID"
	wait "$RVD_PID"
	local rc=$?
	RVD_PID=
	[ "$rc" = 0 ] || fail "rearviewd exited $rc after SIGTERM"
}

# wait_gen [SECONDS]: wait until rvgen ($GEN_PID) has sent its stream
# (120 s at most), failing at once if rearviewd ($RVD_PID) dies meanwhile:
# rvgen would wait for a receiver for ever.
wait_gen() {
	local i
	for i in $(seq $((${1:-120} * 10))); do
		kill -0 "$GEN_PID" 2>/dev/null || { wait "$GEN_PID"; GEN_PID=; return 0; }
		kill -0 "$RVD_PID" 2>/dev/null || fail "rearviewd died while rvgen was sending"
		sleep 0.1
	done
	fail "rvgen still sending after ${1:-120} s"
}

# same_answers DB CONTROL: the standard queries (wildcards, a CIDR scan, a
# summary, a time fence) in json and csv give DB the control's answers,
# and the control has some. Needs $RV (the CLI).
same_answers() {
	local q f
	for q in "lookup *.com -s name" "rdata ip 0.0.0.0/0 -s data" \
	    "summarize lookup *.net" "lookup *.org -s name -c -A 2020-10-01"; do
		for f in json csv; do
			# shellcheck disable=SC2086
			"$RV" --db "$1" $q -o $f -l 0 >"$T/x" 2>&1
			# shellcheck disable=SC2086
			"$RV" --db "$2" $q -o $f -l 0 >"$T/y" 2>&1
			[ -s "$T/y" ] || fail "'$q' gives nothing to compare"
			cmp -s "$T/x" "$T/y" || { diff "$T/x" "$T/y" | head; fail "'$q -o $f' differs"; }
		done
	done
}

# stat NAME: a meta counter of the database in $T/db.
dbstat() { "$DUMP" "${DB:-$T/db}" stats | awk -v k="$1" '$1 == k { print $2 }'; }

# wait_stat NAME VALUE [SECONDS]: wait until a counter of $T/db (or $DB)
# reaches VALUE (10 s by default), else fail.
wait_stat() {
	for _ in $(seq $((${3:-10} * 10))); do
		[ "$(dbstat "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	fail "$1 is $(dbstat "$1"), want $2"
}
