# serve_lib.sh: what the service's end-to-end tests share (sourced by
# serve.sh and web.sh): the programs, a temporary directory, a database
# filled by the real indexer, the service started on a free loopback port.
top=${RV_TOP_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
src=${RV_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
rvd=$top/indexer/rearviewd
rv=$top/cli/rearview
[ -x "$rvd" ] || { echo "SKIP: $rvd not built"; exit 77; }
[ -x "$top/serve/rearview-serve" ] || { echo "SKIP: rearview-serve not built"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl missing"; exit 77; }
tmp=$(mktemp -d /tmp/rv-serve-e2e.XXXXXX)
pid=
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; pid=; }
trap 'stop; rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; [ -f "$tmp/serve.log" ] && tail -20 "$tmp/serve.log"; exit 1; }
export REARVIEW_SERVE="$top/serve/rearview-serve"

# serve_import FILE [rearviewd options...]: an NDJSON file into $tmp/db
# through rearviewd.
serve_import() {
	f=$1; shift
	"$rvd" --db "$tmp/db" --import "$f" --no-progress "$@" >"$tmp/imp.log" 2>&1 ||
		{ cat "$tmp/imp.log"; fail "rearviewd --import failed"; }
	export REARVIEW_DB="$tmp/db"
}

# serve_start [options...]: the service on $port (free, loopback),
# answering over HTTP or HTTPS; its log in $tmp/serve.log.
port=
. "$src/tests/e2e/port_lib.sh"
serve_start() {
	port=$(rv_port) || fail "no free port"
	"$rv" serve --db "$tmp/db" --listen "127.0.0.1:$port" "$@" \
	    2>>"$tmp/serve.log" &
	pid=$!
	for i in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null || fail "rearview serve exited at start"
		curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && return 0
		curl -sk -o /dev/null "https://127.0.0.1:$port/" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "rearview serve did not answer in 10 s"
}
