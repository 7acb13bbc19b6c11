/**
 * \file nng_epipe.c
 * Keeps nng 1.5.2's listeners accepting and its dialers dialing after a
 * peer hangs up during the SP handshake.
 *
 * nng 1.5.2 maps EPIPE to NNG_ECLOSED, and its listener takes NNG_ECLOSED
 * from an accept as its own socket being closed: it never accepts again
 * (nanomsg/nng#1518, "Disconnect during negotiation breaks listener",
 * fixed in 1.6.0; Debian 12 ships 1.5.2). Any local process that connects
 * to the ingest socket and closes at once makes the listener's 8-octet
 * header write fail with EPIPE, and from then on every sensor's
 * connection is accepted by the kernel and never read.
 *
 * The same mapping stops nng 1.5.2's dialer for good when a connect lands
 * on a listener being killed: its header write gets EPIPE, taken as the
 * dialer's own close, and it never dials again.
 *
 * An executable that links this file defines sendmsg, so libnng's calls
 * bind here (an executable's exported symbols come before libc's); EPIPE
 * is reported as ECONNRESET, the same fact (the peer is gone; nng sends
 * with MSG_NOSIGNAL), which nng maps to NNG_ECONNRESET and handles by
 * accepting the next connection or dialing again. Linked into rearviewd
 * and the nng tools (tools/); never into a library: the module is loaded
 * into Unbound, whose libc it must not replace (module/sender.c watches
 * its dialers instead). Nothing else in these programs calls sendmsg.
 * tests/e2e/rel_hostile.sh hangs up on rearviewd's socket 200 times and
 * then expects a sensor's records to be stored.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>

typedef ssize_t (*sendmsg_fn)(int, const struct msghdr *, int);

__attribute__((visibility("default"))) ssize_t
sendmsg(int fd, const struct msghdr *m, int flags)
{
	static _Atomic(sendmsg_fn) next_fn;
	sendmsg_fn next = atomic_load_explicit(&next_fn, memory_order_relaxed);
	ssize_t n;

	if (!next) {	/* racing first calls store the same pointer */
		void *p = dlsym(RTLD_NEXT, "sendmsg");

		memcpy(&next, &p, sizeof(next));
		atomic_store_explicit(&next_fn, next, memory_order_relaxed);
	}
	if ((n = next(fd, m, flags)) < 0 && errno == EPIPE)
		errno = ECONNRESET;
	return n;
}
