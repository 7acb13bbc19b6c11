#!/usr/bin/env bash
# apparmor.sh: the AppArmor local rules rearview ships (contrib/apparmor/)
# are what Debian's profiles need for dnstap to rearviewd, and no more.
# For named (bind9's /etc/apparmor.d/usr.sbin.named) and the packaged
# Unbound (its profile, unpacked by scripts/setup-deps.sh into
# .deps/apparmor): the profile alone gives no access to rearview's dnstap
# socket; with the rule appended as the file says (local/usr.sbin.*) it
# compiles (apparmor_parser, no kernel needed) and the profile allows
# writes (a unix connect) to the socket path the README and the file name,
# and nothing else of /run/rearview.
set -u
top=${RV_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
deps=$(dirname "${RV_UNBOUND_PREFIX:-$top/.deps/unbound}")
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
command -v apparmor_parser > /dev/null || skip "apparmor_parser not found (package apparmor)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rv-apparmor.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The socket path the README's dnstap example uses.
sock=$(sed -n 's/^ *dnstap-socket-path: *"\(.*\)"$/\1/p' "$top/README.md" | head -1)
[ -n "$sock" ] || fail "no dnstap-socket-path in README.md"

# flat PROFILE LOCALDIR: the profile with its includes resolved, local/
# from LOCALDIR first.
flat() {
  apparmor_parser -p -I "$2" -I /etc/apparmor.d "$1" 2> "$tmp/err" ||
    fail "apparmor_parser -p $1: $(tail -2 "$tmp/err")"
}
checked=0
for prof in /etc/apparmor.d/usr.sbin.named "$deps/apparmor/apparmor.d/usr.sbin.unbound"; do
  [ -f "$prof" ] || { echo "no $prof: not checked"; continue; }
  name=$(basename "$prof")
  rule=$top/contrib/apparmor/$name
  [ -f "$rule" ] || fail "no rule file for $name in contrib/apparmor"
  mkdir -p "$tmp/bare/local" "$tmp/ours/local"
  : > "$tmp/bare/local/$name"
  cp "$rule" "$tmp/ours/local/$name"
  # Debian's profile alone: no rule names rearview's socket.
  flat "$prof" "$tmp/bare" > "$tmp/bare.flat"
  grep -q 'rearview' "$tmp/bare.flat" && fail "$name: Debian's profile already names rearview; the rule is not needed"
  # With ours: it compiles, and exactly one rule grants the socket.
  apparmor_parser -Q -K -I "$tmp/ours" -I /etc/apparmor.d "$prof" 2> "$tmp/err" ||
    fail "$name with contrib/apparmor/$name does not compile: $(tail -2 "$tmp/err")"
  flat "$prof" "$tmp/ours" > "$tmp/ours.flat"
  grants=$(grep -v '^ *#' "$tmp/ours.flat" | grep 'rearview')
  [ "$(printf '%s\n' "$grants" | wc -l)" = 1 ] || fail "$name: want one rule for rearview, got: $grants"
  glob=$(printf '%s\n' "$grants" | awk '{ print $1 }')
  perms=$(printf '%s\n' "$grants" | awk '{ sub(",", "", $2); print $2 }')
  [ "$perms" = rw ] || fail "$name: the rule grants '$perms', want 'rw' (a unix connect needs w)"
  # The glob /{,var/}run/... must cover the README's path: expand the
  # alternation the way AppArmor does, for the two spellings it has.
  covered=0
  for alt in "" "var/"; do
    [ "$(printf '%s' "$glob" | sed "s|{,var/}|$alt|")" = "$sock" ] && covered=1
  done
  [ "$covered" = 1 ] || fail "$name: the rule $glob does not cover the README's socket $sock"
  # And the file's own instructions name the same path.
  grep -q "$sock" "$rule" || fail "contrib/apparmor/$name does not tell the socket path $sock"
  echo "ok: $name: Debian's profile plus contrib/apparmor/$name compiles and grants $perms on $glob ($sock), nothing else"
  checked=$((checked + 1))
done
[ "$checked" -gt 0 ] || skip "neither Debian profile is here (bind9, scripts/setup-deps.sh)"
echo "PASS: apparmor"
