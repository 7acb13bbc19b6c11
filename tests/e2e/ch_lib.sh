# ClickHouse servers for the e2e tests (source after indexer_lib.sh):
# ch_start N starts clickhouse-server number N on loopback ports of its
# own, with its data under $T/chN, as shard N of the cluster rv2 (servers
# 1 and 2); ch_q N SQL runs SQL over HTTP; ch_stop N stops it (kill -9
# with ch_kill). The test's cleanup kills what is left.
command -v clickhouse-server >/dev/null && command -v clickhouse-client >/dev/null ||
	{ echo "SKIP: clickhouse-server not installed (scripts/setup-deps.sh installs it)"; exit 77; }
CH_PIDS=
EXTRA_CLEANUP='for p in $CH_PIDS; do kill -9 $p 2>/dev/null; done'
ch_tcp1=$(port 11); ch_tcp2=$(port 12); ch_http1=$(port 13); ch_http2=$(port 14)

ch_start() {	# ch_start N: start server N and wait until it answers
	local i=$1 d=$T/ch$1 tcp http
	eval tcp=\$ch_tcp$i http=\$ch_http$i
	mkdir -p "$d"
	cat >"$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/server.log</log><errorlog>$d/server.err.log</errorlog><console>0</console></logger>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <remote_servers><rv2>
    <shard><replica><host>127.0.0.1</host><port>$ch_tcp1</port></replica></shard>
    <shard><replica><host>127.0.0.1</host><port>$ch_tcp2</port></replica></shard>
  </rv2></remote_servers>
</yandex>
XML
	clickhouse-server --config-file="$d/config.xml" >>"$d/out" 2>&1 &
	eval ch_pid$i=$!
	CH_PIDS="$CH_PIDS $!"
	for _ in $(seq 600); do
		[ "$(ch_q "$i" 'SELECT 1' 2>/dev/null)" = 1 ] && return 0
		kill -0 "$(eval echo \$ch_pid$i)" 2>/dev/null || break
		sleep 0.1
	done
	cat "$d/server.err.log" "$d/out" 2>/dev/null | tail -20
	fail "clickhouse-server $i did not start"
}
ch_q() {	# ch_q N SQL: run SQL on server N over HTTP, TSV out
	local p; eval p=\$ch_http$1
	curl -sS -m 60 --data-binary "$2" "http://127.0.0.1:$p/?insert_distributed_sync=1"
}
ch_stop() {	# ch_stop N [SIGNAL]: stop server N and wait for it
	local p; eval p=\$ch_pid$1
	kill -"${2:-TERM}" "$p" 2>/dev/null; wait "$p" 2>/dev/null
	CH_PIDS=${CH_PIDS/ $p/}
}
ch_url() { local p; eval p=\$ch_http$1; echo "http://127.0.0.1:$p"; }
ch_schema() {	# ch_schema N ARGS...: apply `rearview clickhouse-schema ARGS` on server N
	local i=$1 tcp; shift; eval tcp=\$ch_tcp$i
	"$B/cli/rearview" clickhouse-schema "$@" |
	    clickhouse-client --port "$tcp" -n >"$T/apply$i" 2>&1 ||
	    { cat "$T/apply$i"; fail "the schema ($*) does not apply on server $i"; }
}
