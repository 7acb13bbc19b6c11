# dnsnet.sh: a small DNS internet on loopback addresses, for the demo and
# the end-to-end tests. Source it; it defines shell functions only.
#
# A "net" is a directory of zone files (ZONE.zone, root.zone for the root)
# plus a file `servers` with one line per authoritative server:
#     ADDRESS ZONE [ZONE...]
# Every server is an NSD on ADDRESS:53 (127.0.0.0/8 only), started with its
# own config, pid file and log under a run directory, with response rate
# limiting off (rrl-ratelimit: 0) so benchmarks are not truncated to TCP.
#
#   dnsnet_start ZONEDIR RUNDIR    start every server, wait until each answers
#   dnsnet_reload ZONEDIR RUNDIR ADDRESS   re-read changed zone files
#   dnsnet_root_hints ZONEDIR      print a root hints file for a resolver
#   dnsnet_stop RUNDIR             stop every server started in RUNDIR
#
# Functions return non-zero with a message on stderr when a server does not
# come up; callers stop what they started (trap) in any case.

dnsnet_zonefile() {  # ZONEDIR ZONE -> path
  if [ "$2" = . ]; then printf '%s/root.zone' "$1"; else printf "%s/%s.zone" "$1" "${2%.}"; fi
}

dnsnet_start() {
  local zdir=$1 run=$2 addr zones z conf d
  zdir=$(cd "$zdir" && pwd)
  mkdir -p "$run"
  run=$(cd "$run" && pwd)
  while read -r addr zones; do
    [ -n "$addr" ] || continue
    case $addr in 127.*) ;; *) echo "dnsnet: $addr is not a loopback address" >&2; return 1 ;; esac
    d="$run/nsd-$addr"
    mkdir -p "$d"
    conf="$d/nsd.conf"
    {
      printf 'server:\n  ip-address: %s\n  port: 53\n  username: ""\n' "$addr"
      printf '  chroot: ""\n  database: ""\n  zonelistfile: "%s/zone.list"\n' "$d"
      printf '  xfrdfile: "%s/xfrd.state"\n  xfrdir: "%s"\n  pidfile: "%s/nsd.pid"\n' "$d" "$d" "$d"
      printf '  logfile: "%s/nsd.log"\n  server-count: 1\n  verbosity: 1\n' "$d"
      printf '  rrl-ratelimit: 0\n  hide-version: yes\n  reuseport: no\n'
      printf 'remote-control:\n  control-enable: no\n'
      for z in $zones; do
        printf 'zone:\n  name: "%s"\n  zonefile: "%s"\n' "$z" "$(dnsnet_zonefile "$zdir" "$z")"
      done
    } > "$conf"
    nsd-checkconf "$conf" || { echo "dnsnet: bad config $conf" >&2; return 1; }
    nsd -c "$conf" || { echo "dnsnet: nsd on $addr did not start (see $d/nsd.log)" >&2; return 1; }
  done < "$zdir/servers"
  # Wait until every server answers for its first zone.
  while read -r addr zones; do
    [ -n "$addr" ] || continue
    z=${zones%% *}
    local i=0
    until kdig +short +timeout=1 +retry=0 @"$addr" SOA "$z" 2>/dev/null | grep -q .; do
      i=$((i + 1))
      if [ $i -ge 50 ]; then
        echo "dnsnet: nsd on $addr does not answer for $z" >&2
        tail -5 "$run/nsd-$addr/nsd.log" >&2 2>/dev/null
        return 1
      fi
      sleep 0.1
    done
  done < "$zdir/servers"
}

dnsnet_reload() {
  local pidf="$2/nsd-$3/nsd.pid"
  [ -f "$pidf" ] && kill -HUP "$(cat "$pidf")"
}

dnsnet_root_hints() {
  # NS and A records of the root zone's apex servers.
  awk '$1 == "." && $0 ~ / NS / { ns[$NF] = 1 }
       $4 == "A" || $3 == "A" { a[$1] = $NF }
       END { for (n in ns) { printf ".\t3600000\tIN\tNS\t%s\n", n;
                             if (n in a) printf "%s\t3600000\tIN\tA\t%s\n", n, a[n] } }' \
    "$(dnsnet_zonefile "$1" .)"
}

# dnsnet_alive PID: the process exists and is not a zombie. NSD
# daemonizes, and in a container nobody may reap it, so kill -0 alone would
# wait for a zombie.
dnsnet_alive() {
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [ "${st%% *}" != Z ]
}

dnsnet_stop() {
  # NSD takes a moment to exit: signal every server first, then wait for
  # all of them together.
  local pidf pid pids="" i live
  for pidf in "$1"/nsd-*/nsd.pid; do
    [ -f "$pidf" ] || continue
    pid=$(cat "$pidf")
    kill "$pid" 2>/dev/null && pids="$pids $pid"
  done
  for i in $(seq 100); do
    live=
    for pid in $pids; do dnsnet_alive "$pid" && { live=1; break; }; done
    [ -n "$live" ] || break
    sleep 0.1
  done
  for pid in $pids; do kill -9 "$pid" 2>/dev/null || true; done
}
