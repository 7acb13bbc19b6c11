#!/bin/bash
# Operations: --help, usage errors (exit 2), config file errors with
# file:line, tcp:// on a non-loopback address refused without
# --insecure-tcp, SIGHUP reloads the mmdb files, a reader gets a clear
# error for a missing database.
. "$(dirname "$0")/indexer_lib.sh"

"$RVD" --help >"$T/help" 2>&1 || fail "--help exit $?"
grep -q '^usage: rearviewd' "$T/help" || fail "--help text"
"$RVD" --bogus >/dev/null 2>"$T/err"; [ $? = 2 ] || fail "bad option not exit 2"
"$RVD" --flush-interval soon 2>"$T/err"; [ $? = 2 ] || fail "bad value not exit 2"
grep -q "flush-interval" "$T/err" || fail "bad value message: $(cat "$T/err")"
ok "--help exits 0, usage errors exit 2 naming the option"

printf 'db %s/db\n# fine\nflush-interval 200\nlisten-to tcp://127.0.0.1:1\n' "$T" >"$T/bad.conf"
"$RVD" -c "$T/bad.conf" 2>"$T/err"; [ $? = 2 ] || fail "bad config not exit 2"
grep -q "bad.conf:4: unknown key 'listen-to'" "$T/err" || fail "config error: $(cat "$T/err")"
ok "config errors name the file and the line"

"$RVD" -d "$T/db" -l "tcp://*:$(port 2)" 2>"$T/err"; [ $? != 0 ] || fail "tcp://* accepted"
grep -q "not a loopback address" "$T/err" || fail "tcp refusal: $(cat "$T/err")"
"$RVD" -d "$T/db" -l "tcp://192.0.2.1:$(port 2)" 2>"$T/err"; [ $? != 0 ] || fail "192.0.2.1 accepted"
ok "tcp:// on a non-loopback address is refused without --insecure-tcp"

"$DUMP" "$T/nodb" stats 2>"$T/err"; [ $? = 3 ] || fail "missing db"
grep -q "not found" "$T/err" || fail "missing db message: $(cat "$T/err")"
ok "a reader of a missing database gets 'not found'"

if [ -n "$MMDB" ] && [ -f "$MMDB/GeoLite2-ASN-Test.mmdb" ]; then
	cp "$MMDB/GeoLite2-ASN-Test.mmdb" "$T/asn.mmdb"
	printf 'db %s/db\nlisten ipc://%s/in.sock\nasn-db %s/asn.mmdb\n' "$T" "$T" "$T" >"$T/ok.conf"
	start_rvd -c "$T/ok.conf" -v
	kill -HUP "$RVD_PID"
	for _ in $(seq 300); do
		[ "$(grep -c 'asn.mmdb loaded' "$T/rvd.log")" -ge 2 ] && break
		sleep 0.1
	done
	[ "$(grep -c 'asn.mmdb loaded' "$T/rvd.log")" -ge 2 ] || fail "no reload on SIGHUP"
	stop_rvd
	ok "SIGHUP reloads the mmdb files; SIGTERM exits 0"
fi

# The ipc socket's group is the senders' (--ipc-group), not the readers':
# analysts who may read the database cannot write frames.
: >"$T/rvd.log"	# start_rvd waits for a "ready:" line of its own
start_rvd -d "$T/db" -l "ipc://$T/g.sock" --ipc-group daemon
[ "$(stat -c %G "$T/g.sock")" = daemon ] || fail "socket group $(stat -c %G "$T/g.sock")"
[ "$(stat -c %a "$T/g.sock")" = 660 ] || fail "socket mode $(stat -c %a "$T/g.sock")"
stop_rvd
"$RVD" -d "$T/db" -l "ipc://$T/g2.sock" --ipc-group no-such-group-rv >/dev/null 2>"$T/err" &&
	fail "an unknown --ipc-group started"
grep -q -- "--ipc-group no-such-group-rv: no such group" "$T/err" || fail "ipc-group message: $(cat "$T/err")"
ok "--ipc-group gives the socket the senders' group; an unknown one is refused"
echo PASS
