# port_lib.sh: loopback TCP ports for tests that run in parallel (sourced
# by the e2e libraries and the benchmarks; POSIX sh, as serve.sh runs
# under dash).
#
# rv_port prints a port that no other test holds and no socket uses, and
# holds it for the calling test until that test's shell ($$) exits.
#
# Why not a port derived from the PID: two tests could derive the same one,
# and a port in the kernel's ephemeral range (32768-60999 on Debian) can be
# taken as the source port of any outgoing connection between the choice
# and the bind ("Address in use", CI stop 28). So ports come from
# 10000-32767, below that range, and a holder file per port keeps the
# tests apart: /tmp/rv-ports/PORT holds the holder's PID; a holder that
# has exited gives the port back. flock(1) makes choose-and-hold atomic.
RV_PORT_DIR=${RV_PORT_DIR:-/tmp/rv-ports}

rv_port() {
	local p o n
	mkdir -p "$RV_PORT_DIR" || return 1
	exec 9>>"$RV_PORT_DIR/.lock"
	flock 9
	for n in $(seq 2000); do
		p=$((10000 + $(od -An -N2 -tu2 /dev/urandom) % 22768))
		if [ -e "$RV_PORT_DIR/$p" ]; then
			o=$(cat "$RV_PORT_DIR/$p" 2>/dev/null)
			[ -n "$o" ] && kill -0 "$o" 2>/dev/null && continue
		fi
		# Any socket on it (listening, connected, TIME-WAIT) rules it out.
		[ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ] || continue
		echo $$ >"$RV_PORT_DIR/$p"
		exec 9>&-
		echo "$p"
		return 0
	done
	exec 9>&-
	echo "rv_port: no free port in 10000-32767" >&2
	return 1
}
