#!/usr/bin/env bash
# fresh-machine-check.sh: the README's two commands on a brand-new Debian 12.
#
#   scripts/fresh-machine-check.sh [--reuse] [--keep] [--dir DIR]
#
# Builds a minimal Debian 12 (bookworm) root with debootstrap, variant
# minbase (Essential packages and apt, nothing else), copies a `git clone` of
# this repository's current commit into /root/rearview inside it, and runs
# there, as root and exactly as the README says,
#     ./run demo
#     ./run test
# Then prints PASS or FAIL with each command's exit status and duration and
# the closing summary lines of the test suite; the whole output goes to
# DIR/fresh-<time>.log as well.
#
#   --reuse    reuse the pristine root a previous run built (DIR/pristine; it
#              is copied for each run, never changed) instead of a new one
#   --keep     keep the root the run used (DIR/root) for a look inside
#   --dir DIR  where the roots and logs go (default /var/tmp/rv-fresh)
# Env: RV_MIRROR  Debian mirror, http:// only (default: the first
#                 http://.../debian URI in the host's /etc/apt)
#
# The root runs in its own mount, PID, IPC and network namespaces: the
# loopback servers of the demo and the tests cannot collide with the host's,
# every process it started dies with it, and its mounts (/proc, /sys, /dev,
# /dev/pts, tmpfs on /dev/shm and /run) vanish with it. The private network
# has only loopback; the one way out is the Debian mirror, relayed through a
# unix socket (the mirror's host name points at 127.0.0.1 in the root's
# /etc/hosts, next to the localhost lines every installed Debian has).
#
# Needs, on the host: root, debootstrap, unshare and ip (util-linux,
# iproute2), git, python3. About 11 minutes on 2 cores (debootstrap 1, the
# demo with Unbound's build 2-3, the suite 7-8), at nice 10.
set -euo pipefail

die() { printf 'fresh-machine-check: %s\n' "$*" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
self=$top/scripts/$(basename "$0")

# --- inside the namespaces (the script calls itself) ---------------------------
# --inside ROOT SOCK RELAY MIRROR_HOST MIRROR_PORT
if [ "${1:-}" = --inside ]; then
	R=$2 sock=$3 relay=$4 mhost=$5 mport=$6
	mounted=()
	relay_pid=
	inside_cleanup() {
		[ -n "$relay_pid" ] && kill "$relay_pid" 2>/dev/null
		local i
		for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
			umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null ||
				echo "fresh-machine-check: could not unmount ${mounted[i]}" >&2
		done
	}
	trap inside_cleanup EXIT
	mnt() {	# mnt TARGET MOUNT-ARGS...
		local t=$1; shift
		mount "$@" "$t" || die "mount $* $t failed"
		mounted+=("$t")
	}
	ip link set lo up || die "ip link set lo up failed"
	python3 "$relay" tcp-to-unix 127.0.0.1 "$mport" "$sock" &
	relay_pid=$!
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$mport") 2>/dev/null && break
		sleep 0.1
	done
	(exec 3<>"/dev/tcp/127.0.0.1/$mport") 2>/dev/null || die "the mirror relay does not listen on 127.0.0.1:$mport"
	mnt "$R/proc" -t proc proc
	mnt "$R/sys" -t sysfs sysfs
	mnt "$R/dev" --bind /dev
	mnt "$R/dev/pts" --bind /dev/pts
	mnt "$R/dev/shm" -t tmpfs -o mode=1777,nosuid,nodev tmpfs
	mnt "$R/run" -t tmpfs -o mode=755,nosuid,nodev tmpfs
	# a login shell's environment on a fresh machine, nothing of ours
	in_root() {
		nice -n 10 chroot "$R" /usr/bin/env -i HOME=/root USER=root LOGNAME=root \
			SHELL=/bin/bash TERM=dumb LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			/bin/bash -c "cd /root/rearview && $1" </dev/null
	}
	rc=0
	for c in "./run demo" "./run test"; do
		echo "== fresh: $c (start $(date -u +%H:%M:%S))"
		t0=$(date +%s)
		in_root "$c" && r=0 || r=$?
		echo "== fresh: $c: exit $r after $(($(date +%s) - t0)) s"
		[ "$r" = 0 ] || rc=1
	done
	exit $rc
fi

# --- on the host ----------------------------------------------------------------
reuse=0 keep=0 dir=/var/tmp/rv-fresh
while [ $# -gt 0 ]; do
	case $1 in
	--reuse) reuse=1; shift ;;
	--keep) keep=1; shift ;;
	--dir) [ $# -ge 2 ] || die "--dir needs a directory"; dir=$2; shift 2 ;;
	-h | --help) sed -n '2,34s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, mounts)"
for b in debootstrap unshare ip git python3 chroot; do
	command -v "$b" >/dev/null || die "$b not found (apt-get install debootstrap util-linux iproute2 git python3)"
done
mirror=${RV_MIRROR:-$(grep -rhoE 'http://[^ ]*/debian/?$' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
	2>/dev/null | head -1 || true)}
[ -n "$mirror" ] || die "no http:// Debian mirror in /etc/apt: set RV_MIRROR=http://HOST/debian"
[[ $mirror =~ ^http://([^/:]+)(:([0-9]+))?(/.*)?$ ]] || die "RV_MIRROR must be http://HOST[:PORT]/PATH, not $mirror"
mhost=${BASH_REMATCH[1]} mport=${BASH_REMATCH[3]:-80}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pristine=$dir/pristine R=$dir/root sock=$dir/mirror.sock relay=$dir/relay.py
log=$dir/fresh-$(date -u +%Y%m%dT%H%M%SZ).log
commit=$(git -C "$top" rev-parse HEAD) || die "$top is not a git checkout"

# nothing may still be mounted below DIR/root before it is removed
mounted_below() { awk -v r="$R" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo; }
relay_pid=
host_cleanup() {
	[ -n "$relay_pid" ] && kill "$relay_pid" 2>/dev/null
	rm -f "$sock"
	if [ "$keep" = 0 ] && [ -d "$R" ]; then
		if [ -n "$(mounted_below)" ]; then
			echo "fresh-machine-check: still mounted, $R kept: $(mounted_below | tr '\n' ' ')" >&2
		else
			rm -rf "$R"
		fi
	fi
}
trap host_cleanup EXIT

exec > >(tee -a "$log") 2>&1
echo "== fresh-machine-check: commit $commit, Debian bookworm minbase from $mirror"
echo "== log: $log"
[ -z "$(git -C "$top" status --porcelain --untracked-files=no)" ] ||
	echo "== note: uncommitted changes in $top are not part of the check"

# 1. the pristine root: debootstrap's minimal system, built once per --reuse
if [ "$reuse" = 0 ] || [ ! -x "$pristine/bin/bash" ]; then
	echo "== debootstrap --variant=minbase bookworm (a few minutes)"
	rm -rf "$pristine" "$pristine.tmp"
	nice -n 10 debootstrap --variant=minbase bookworm "$pristine.tmp" "$mirror" \
		>"$dir/debootstrap.log" 2>&1 ||
		{ tail -20 "$dir/debootstrap.log"; die "debootstrap failed, see $dir/debootstrap.log"; }
	mv "$pristine.tmp" "$pristine"
fi
[ -z "$(mounted_below)" ] || die "something is mounted below $R: $(mounted_below | tr '\n' ' ')"
rm -rf "$R"
cp -a "$pristine" "$R"
echo "== root: $(chroot "$R" dpkg-query -W -f '${Package}\n' | wc -l) packages (debootstrap minbase), nothing else"

# 2. what a fresh machine has beyond debootstrap: /etc/hosts (the installer
# and container images write it); plus the mirror's name on the relay
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tfresh\n' >"$R/etc/hosts"
[ "$mhost" = localhost ] || printf '127.0.0.1\t%s\n' "$mhost" >>"$R/etc/hosts"
echo fresh >"$R/etc/hostname"

# 3. a clone of the current commit, made on the host (the README assumes one)
git clone -q --no-hardlinks "$top" "$R/root/rearview" || die "git clone $top failed"
git -C "$R/root/rearview" checkout -q --detach "$commit" || die "checkout $commit failed"

# 4. the mirror relay: unix socket on the host side -> the mirror
cat >"$relay" <<'EOF'
# relay.py: tcp-to-unix HOST PORT SOCK | unix-to-tcp SOCK HOST PORT
import os, socket, sys, threading
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass
def conn(c, connect):
    try:
        u = connect()
    except OSError:
        c.close()
        return
    t = threading.Thread(target=pipe, args=(u, c), daemon=True)
    t.start()
    pipe(c, u)
    t.join()
    c.close()
    u.close()
def serve(lst, connect):
    lst.listen(64)
    while True:
        c, _ = lst.accept()
        threading.Thread(target=conn, args=(c, connect), daemon=True).start()
if sys.argv[1] == "tcp-to-unix":
    host, port, path = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    def connect():
        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        u.connect(path)
        return u
else:
    path, host, port = sys.argv[2], sys.argv[3], int(sys.argv[4])
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    def connect():
        return socket.create_connection((host, port), timeout=60)
serve(s, connect)
EOF
python3 "$relay" unix-to-tcp "$sock" "$mhost" "$mport" &
relay_pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || die "the mirror relay did not start ($sock)"

# 5. the two commands, in private namespaces
t0=$(date +%s)
rc=0
unshare --mount --pid --fork --ipc --net --uts \
	"$self" --inside "$R" "$sock" "$relay" "$mhost" "$mport" || rc=$?
total=$(($(date +%s) - t0))

echo
echo "== fresh-machine-check summary ($(date -u +%Y-%m-%d), commit ${commit:0:7}, ${total} s in all)"
grep -aE '^== fresh: .*: exit |^== tests|^tests: |^FAIL  |\(tsan\)|^fuzz: |^Done ' "$log" || true
if [ "$rc" = 0 ]; then
	echo "PASS: ./run demo and ./run test on a fresh Debian 12 minbase root"
else
	echo "FAIL: see $log"
fi
exit $rc
