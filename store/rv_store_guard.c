/**
 * \file rv_store_guard.c
 * The fault guard of the store's LMDB calls (store_lmdb.h, RV_GUARD).
 *
 * A damaged data.mdb can send LMDB's reads beyond the end of the file
 * (SIGBUS) or outside the map (SIGSEGV), and trip its assertions (abort).
 * The store turns these into an error while one of its own LMDB calls is
 * running: a process-wide SIGBUS/SIGSEGV handler looks at the thread's
 * innermost armed guard and, if there is one, jumps back to it. Faults
 * anywhere else (no guard armed in the faulting thread) go to the handler
 * that was there before (a sanitizer's, a test framework's) or kill the
 * process as they always did.
 *
 * The archive's segments use the same guard with aborts caught too
 * (libmtbl asserts on a damaged block): an abort() raised by the thread
 * itself inside such a guard jumps back like a fault (rv_seg.c).
 *
 * Limits: the jump leaves LMDB wherever it was. A read transaction is then
 * aborted (that only releases its reader slot) and the store declared
 * unusable: no LMDB call is made on it again, the caller gets RV_ECORRUPT
 * and should close it and give up. A write transaction is aborted and
 * never committed, so the file is not touched; its writer lock and a
 * reader slot taken by a faulting transaction start are LMDB's robust
 * mutexes and slots, freed when the process ends.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store_lmdb.h"

__thread struct rv_guard *rv_guard_cur
    __attribute__((tls_model("initial-exec")));

static pthread_mutex_t install_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction old_bus, old_segv, old_abrt;

static const struct sigaction *
old_of(int sig)
{
	return sig == SIGBUS ? &old_bus : sig == SIGSEGV ? &old_segv :
	    &old_abrt;
}

/* Not ours: hand the fault to whoever had the signal before, or die of it
 * as the process would have without the store. */
static void
chain(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *old = old_of(sig);
	struct sigaction dfl;

	if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction != NULL) {
		old->sa_sigaction(sig, si, uc);
		return;
	}
	if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
		return;
	}
	/* Default action: with it restored, the faulting instruction runs
	 * again and faults for good (a signal sent by kill() is raised). */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	if (si == NULL || si->si_code <= 0)
		raise(sig);
}

static void
on_fault(int sig, siginfo_t *si, void *uc)
{
	struct rv_guard *g = rv_guard_cur;

	/* Only a real fault (not a kill()) inside a guarded call, or an
	 * abort() inside one that catches them (libmtbl's asserts). */
	if (g != NULL && si != NULL && (sig == SIGABRT ? g->abrt &&
	    si->si_pid == getpid() : si->si_code > 0)) {
		rv_guard_cur = g->prev;
		g->sig = sig;
		g->addr = si->si_addr;
		g->what[0] = '\0';
		siglongjmp(g->jb, 1);
	}
	chain(sig, si, uc);
}

void
rv_guard_install(void)
{
	struct sigaction sa, cur;
	static const int sigs[] = { SIGBUS, SIGSEGV, SIGABRT };

	pthread_mutex_lock(&install_mu);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], NULL, &cur) == 0 &&
		    (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_fault)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_fault;
		/* SA_NODEFER: the jump out of the handler must not leave the
		 * signal blocked, since sigsetjmp does not save the mask
		 * (saving it would cost a syscall per guarded call). */
		sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, (struct sigaction *)old_of(sigs[i]));
	}
	pthread_mutex_unlock(&install_mu);
}

void
rv_guard_assert(MDB_env *env, const char *msg)
{
	struct rv_guard *g = rv_guard_cur;

	(void)env;
	if (g == NULL)
		return;		/* LMDB prints msg and aborts */
	rv_guard_cur = g->prev;
	g->sig = 0;
	g->addr = NULL;
	snprintf(g->what, sizeof(g->what), "%s", msg);
	siglongjmp(g->jb, 1);
}

int
rv_guard_fault(struct rv_store *st, const struct rv_guard *g)
{
	uintptr_t lo = atomic_load(&st->map_lo), a = (uintptr_t)g->addr;
	uintptr_t len = atomic_load(&st->map_len);

	atomic_store(&st->unusable, 1);
	if (g->sig == 0)
		rv_store_damage(st, "LMDB found an inconsistent page: %s",
		    g->what);
	else if (len != 0 && a - lo < len)
		rv_store_damage(st, "a read past the end of data.mdb: %s at "
		    "offset %llu", g->sig == SIGBUS ? "SIGBUS" :
		    "SIGSEGV", (unsigned long long)(a - lo));
	else
		rv_store_damage(st, "a pointer outside data.mdb was followed: "
		    "%s", g->sig == SIGBUS ? "SIGBUS" : "SIGSEGV");
	return RV_MDB_FAULT;
}
