#!/usr/bin/env bash
# setup-deps.sh: take a clean Debian 12 machine to everything rearview needs
# to build and test: Debian packages, an Unbound built with dynlib support in
# a project-local prefix, and MaxMind's test mmdb files.
#
# Idempotent: each step leaves a stamp holding the step's inputs (package
# list, version) and is skipped while they are unchanged, so a second run
# takes seconds. Never touches the system unbound package.
#
# Usage: scripts/setup-deps.sh            (as root, or with passwordless sudo)
# Env:   RV_DEPS  where to put sources and builds (default: <repo>/.deps)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
deps=${RV_DEPS:-$top/.deps}
mkdir -p "$deps"
log() { printf 'setup: %s\n' "$*" >&2; }
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# fresh STEP INPUTS: the step ran to the end with these inputs.
fresh() { [ "$(cat "$deps/$1.stamp" 2>/dev/null)" = "$2" ]; }
stamp() { printf '%s' "$2" > "$deps/$1.stamp"; }

packages=(
  build-essential autoconf automake libtool pkg-config dpkg-dev git
  libnng-dev liblmdb-dev lmdb-utils libmaxminddb-dev libcmocka-dev
  libldns-dev ldnsutils libpsl-dev publicsuffix libmtbl-dev libidn2-dev
  nsd knot-dnsutils dnsperf clang libclang-rt-14-dev llvm
  bison flex libevent-dev libssl-dev libexpat1-dev
  libfstrm-dev libprotobuf-c-dev protobuf-c-compiler fstrm-bin
  sqlite3 libsqlite3-dev dns2tcp valgrind python3 iproute2 procps psmisc
  libjansson-dev libmicrohttpd-dev libgnutls28-dev wrk curl openssl
  chromium fonts-dejavu-core
  libicu-dev dnstwist wamerican bind9-utils bind9 pdns-recursor apparmor
  clickhouse-server clickhouse-client libcurl4-openssl-dev zlib1g-dev
)
# The web page's browser test drives Chromium from Node: the machine's own
# Node.js if it has one, Debian's otherwise.
command -v node >/dev/null || packages+=(nodejs)

# 1. Debian packages, with deb-src for `apt-get source`.
apt_inputs="${packages[*]}"
if ! fresh apt "$apt_inputs"; then
  src=/etc/apt/sources.list.d/debian.sources
  if [ -f "$src" ] && ! grep -q '^Types:.*deb-src' "$src"; then
    log "adding deb-src to $src"
    sudo_ sed -i 's/^Types: deb$/Types: deb deb-src/' "$src"
  elif [ ! -f "$src" ] && ! grep -qs '^deb-src' /etc/apt/sources.list; then
    grep -s '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
      sudo_ tee -a /etc/apt/sources.list >/dev/null
  fi
  log "installing Debian packages"
  # --error-on=any: a mirror that cannot be reached is an error here, not a
  # warning that leaves no deb-src index for `apt-get source` below.
  sudo_ apt-get update -qq --error-on=any ||
    { log "apt-get update failed: is the Debian mirror reachable?"; exit 1; }
  DEBIAN_FRONTEND=noninteractive sudo_ apt-get install -y -qq \
    --no-install-recommends "${packages[@]}" >/dev/null
  # nsd's, bind9's and pdns-recursor's packages start system instances on
  # port 53; tests run their own.
  for svc in nsd named pdns-recursor; do
    if command -v systemctl >/dev/null &&
       { systemctl is-enabled -q "$svc" || systemctl is-active -q "$svc"; } 2>/dev/null; then
      sudo_ systemctl disable --now "$svc" >/dev/null 2>&1 || true
    fi
  done
  stamp apt "$apt_inputs"
fi

# 2. Unbound from Debian's source package, with dynlib support.
ub_prefix="$deps/unbound"
ub_inputs="dynlib dnstap subnet 1"
if ! fresh unbound "$ub_inputs" || [ ! -x "$ub_prefix/sbin/unbound" ]; then
  log "fetching unbound source"
  rm -rf "$deps/src-unbound" && mkdir -p "$deps/src-unbound"
  (cd "$deps/src-unbound" && apt-get source -qq unbound >"$deps/src.log" 2>&1) ||
    { tail -5 "$deps/src.log" >&2; log "apt-get source unbound failed (deb-src lines, apt-get update?)"; exit 1; }
  tree=$(find "$deps/src-unbound" -maxdepth 1 -type d -name 'unbound-*' | head -1)
  [ -n "$tree" ] || { log "apt-get source unbound failed"; exit 1; }
  rm -rf "$deps/unbound-src" && mv "$tree" "$deps/unbound-src"
  log "building unbound with --with-dynlibmodule (about 80 s)"
  (cd "$deps/unbound-src" &&
    ./configure -q --prefix="$ub_prefix" --with-dynlibmodule \
      --enable-dnstap --enable-subnet --with-libevent \
      --with-pidfile="$ub_prefix/unbound.pid" \
      --with-rootkey-file="$ub_prefix/root.key" \
      --disable-flto >/dev/null &&
    make -s -j"$(nproc)" >/dev/null 2>&1 && make -s install >/dev/null)
  stamp unbound "$ub_inputs"
fi

# 3. MaxMind's test databases from Debian's libmaxminddb source package.
mmdb="$deps/mmdb"
mmdb_inputs="ASN City Country ISP 2"
if ! fresh mmdb "$mmdb_inputs" || [ ! -f "$mmdb/GeoLite2-ASN-Test.mmdb" ]; then
  log "fetching MaxMind test databases"
  rm -rf "$deps/src-mmdb" && mkdir -p "$deps/src-mmdb" "$mmdb"
  (cd "$deps/src-mmdb" && apt-get source -qq libmaxminddb >"$deps/src.log" 2>&1) ||
    { tail -5 "$deps/src.log" >&2; log "apt-get source libmaxminddb failed (deb-src lines, apt-get update?)"; exit 1; }
  d=$(find "$deps/src-mmdb" -type d -path '*t/maxmind-db/test-data' | head -1)
  [ -n "$d" ] || { log "no test-data in libmaxminddb source"; exit 1; }
  cp "$d"/GeoLite2-ASN-Test.mmdb "$d"/GeoIP2-City-Test.mmdb \
     "$d"/GeoIP2-Country-Test.mmdb "$d"/GeoIP2-ISP-Test.mmdb "$mmdb"/
  [ -d "$d/../source-data" ] && cp -r "$d/../source-data" "$mmdb/" || true
  rm -rf "$deps/src-mmdb"
  stamp mmdb "$mmdb_inputs"
fi

# 4. Debian's AppArmor profile of the packaged Unbound, unpacked but not
# installed (the package would start a resolver on port 53), for the test
# of rearview's local rules (tests/e2e/apparmor.sh); named's comes with
# bind9 above.
aa="$deps/apparmor"
aa_inputs="unbound 1"
if ! fresh apparmor "$aa_inputs" || [ ! -f "$aa/apparmor.d/usr.sbin.unbound" ]; then
  log "unpacking Debian's AppArmor profile of unbound"
  rm -rf "$aa" "$deps/src-aa" && mkdir -p "$aa" "$deps/src-aa"
  (cd "$deps/src-aa" && apt-get download -qq unbound >"$deps/src.log" 2>&1) ||
    { tail -5 "$deps/src.log" >&2; log "apt-get download unbound failed"; exit 1; }
  dpkg-deb -x "$deps"/src-aa/unbound_*.deb "$deps/src-aa/x"
  cp -r "$deps/src-aa/x/etc/apparmor.d" "$aa/"
  rm -rf "$deps/src-aa"
  stamp apparmor "$aa_inputs"
fi

log "dependencies ready in $deps"
