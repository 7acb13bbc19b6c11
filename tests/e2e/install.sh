#!/bin/sh
# `make install` puts in place everything the README, the man pages and the
# units use: the three programs and the module, the man pages, the bash
# completion, the nightly report script, the systemd units with this
# prefix's paths, the commented rearviewd and module configuration (an
# existing one kept), and the unbound.conf snippet. Into a DESTDIR.
top=${RV_TOP_BUILDDIR:?}
tmp=$(mktemp -d /tmp/rv-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
prefix=$(sed -n 's/^prefix = //p' "$top/Makefile")
sysconfdir=$(sed -n 's/^sysconfdir = //p' "$top/Makefile" | sed "s|\${prefix}|$prefix|")
make -s -C "$top" install DESTDIR="$tmp" >"$tmp.log" 2>&1 ||
	{ cat "$tmp.log"; rm -f "$tmp.log"; fail "make install"; }
rm -f "$tmp.log"
p=$tmp$prefix e=$tmp$sysconfdir
for f in bin/rearview sbin/rearviewd bin/rearview-report-nightly \
    share/man/man1/rearview.1 share/man/man1/rearview-report.1 \
    share/man/man5/rearview-module.5 share/man/man8/rearviewd.8 \
    share/bash-completion/completions/rearview \
    lib/systemd/system/rearviewd.service \
    lib/systemd/system/rearview-report.service \
    lib/systemd/system/rearview-report.timer \
    lib/systemd/system/rearview-serve.service \
    lib/systemd/system/rearview-rpz.service \
    lib/systemd/system/rearview-rpz.timer \
    libexec/rearview/rearview-serve share/man/man8/rearview-serve.8 \
    share/rearview/unbound-rearview.conf share/rearview/unbound-rpz.conf \
    share/rearview/apparmor/usr.sbin.named \
    share/rearview/apparmor/usr.sbin.unbound; do
	[ -s "$p/$f" ] || fail "not installed: $prefix/$f"
done
[ -x "$p/bin/rearview" ] && [ -x "$p/sbin/rearviewd" ] || fail "programs not executable"
[ -s "$e/rearview/rearviewd.conf" ] && [ -s "$e/rearview/module.conf" ] &&
    [ -s "$e/rearview/watch.conf" ] ||
	fail "configuration not installed in $sysconfdir/rearview"
# The module, when it was built (it needs Unbound's source tree).
if [ -f "$top/module/.libs/rearview.so" ]; then
	[ -s "$p/lib/rearview/rearview.so" ] || fail "rearview.so not in $prefix/lib/rearview"
	grep -q "dynlib-file: \"$prefix/lib/rearview/rearview.so\"" \
	    "$p/share/rearview/unbound-rearview.conf" || fail "snippet path"
fi
# The units name this prefix's programs and configuration.
grep -q "^ExecStart=$prefix/sbin/rearviewd --config $sysconfdir/rearview/rearviewd.conf" \
    "$p/lib/systemd/system/rearviewd.service" || fail "rearviewd.service ExecStart"
grep -q '^Type=notify' "$p/lib/systemd/system/rearviewd.service" || fail "not Type=notify"
grep -q "^ExecStart=$prefix/bin/rearview-report-nightly" \
    "$p/lib/systemd/system/rearview-report.service" || fail "report unit ExecStart"
grep -q "^ExecStart=$prefix/bin/rearview rpz --watch $sysconfdir/rearview/watch.conf" \
    "$p/lib/systemd/system/rearview-rpz.service" || fail "rpz unit ExecStart"
# The shipped configuration parses.
"$top/indexer/rearviewd" --config "$e/rearview/rearviewd.conf" --help >/dev/null ||
	fail "the installed rearviewd.conf does not parse"
grep -q "^ExecStart=$prefix/bin/rearview serve --config $sysconfdir/rearview/serve.conf" \
    "$p/lib/systemd/system/rearview-serve.service" || fail "serve unit ExecStart"
"$p/libexec/rearview/rearview-serve" --config "$e/rearview/serve.conf" --help >/dev/null ||
	fail "the installed serve.conf does not parse"
# An operator's edited configuration survives a second install.
echo "# mine" >"$e/rearview/rearviewd.conf"
make -s -C "$top" install DESTDIR="$tmp" >/dev/null 2>&1 || fail "second make install"
[ "$(cat "$e/rearview/rearviewd.conf")" = "# mine" ] || fail "install overwrote rearviewd.conf"
echo PASS
