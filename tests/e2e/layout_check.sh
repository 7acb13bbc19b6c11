#!/usr/bin/env bash
# layout_check.sh: the seams between the parts hold (ARCHITECTURE.md).
#  - the resolver module links the wire codecs only: no liblmdb among its
#    NEEDED libraries, no store symbol in it, and it exports exactly
#    Unbound's six entry points;
#  - LMDB's types and calls stay in store/: no identifier MDB_* or mdb_*
#    in any other product or test source (libmaxminddb's MMDB_* is another
#    library). bench/ingest/lmdb_*.c and bench/storage/lmdb_reuse.c
#    measure raw LMDB as baselines and may use it;
#  - the query engine (query/) prints nothing, keeps no process-wide
#    state a second front end would share by surprise, and knows none of
#    the CLI: no stdout/stderr/printf, no cli_ or CLI_ name, no static
#    variable at file scope but the thread-safe type-name cache.
set -u
top=${RV_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RV_TOP_BUILDDIR:-$top/build}
fail() { echo "FAIL: $*"; exit 1; }
so=$build/module/.libs/rearview.so

if [ -f "$so" ]; then
	needed=$(readelf -d "$so" | awk '/NEEDED/ { print $NF }')
	echo "$needed" | grep -q lmdb && fail "rearview.so needs liblmdb: $needed"
	syms=$(nm "$so" | awk '{ print $NF }')
	bad=$(echo "$syms" | grep -E '^(rv_store|rv_key_|rv_set_|rv_psort|mdb_)' | head -5)
	[ -z "$bad" ] || fail "store code in rearview.so: $bad"
	exp=$(nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }' | sort | tr '\n' ' ')
	[ "$exp" = "clear deinit get_mem inform_super init operate " ] ||
		fail "rearview.so exports: $exp"
	echo "ok: rearview.so: NEEDED $(echo $needed), no store symbol, exports $exp"
else
	echo "ok: no module built (configure without --with-unbound-src): skipped its check"
fi

cd "$top" || fail "no source tree"
leaks=$(grep -rnE '\b(MDB_[A-Za-z_]+|mdb_[a-z_]+)\b' \
	--include='*.c' --include='*.h' lib query serve module indexer cli tools tests bench 2>/dev/null |
	grep -v '^bench/ingest/lmdb_\(baseline\|packed\)\.c:' |
	grep -v '^bench/storage/lmdb_reuse\.c:')
[ -z "$leaks" ] || fail "LMDB outside store/: $(echo "$leaks" | head -5)"
echo "ok: no LMDB identifier outside store/"

prints=$(grep -nE '\b(stdout|stderr|printf|fprintf|puts|perror|cli_[a-z_]+|CLI_[A-Z_]+)\b' \
	query/*.c query/*.h | grep -v '^query/[a-z_.]*:[0-9]*:[[:space:]]*/\?\*' | grep -v 'format(printf')
[ -z "$prints" ] || fail "query/ prints or knows the CLI: $(echo "$prints" | head -5)"
globals=$(grep -nE '^static [^(]*(=|;)[[:space:]]*$' query/*.c | grep -v ':static const ' |
	grep -vE '^query/text\.c:[0-9]+:static (char \*\*type_names|pthread_once_t type_names_once)' |
	grep -vE '^query/remote\.c:[0-9]+:static pthread_once_t curl_once')
[ -z "$globals" ] || fail "file-scope state in query/: $(echo "$globals" | head -5)"
echo "ok: query/ prints nothing, knows no CLI, keeps no file-scope state"
echo PASS
