/**
 * \file module.c
 * rearview.so, the Unbound dynlib module: the six exported entry points,
 * the ABI guard, and the query response callback that feeds the queues.
 *
 * Life cycle (also on `unbound-control reload` and SIGHUP, which run
 * deinit, dlclose, dlopen, init): init reads the config file, allocates a
 * queue per worker thread, starts the sender thread and registers the
 * callback; deinit removes the callback, joins the thread, closes the nng
 * socket with a deadline (sender.c: a close stuck on an indexer that
 * stopped reading is abandoned and counted) and frees everything. init
 * never fails: any problem is logged and the module runs with capture
 * disabled, because a failed init stops Unbound.
 *
 * The first init pins this library, and with it libnng, in memory
 * (RTLD_NODELETE): an abandoned close goes on in a thread running our code
 * and nng's, so neither may be unmapped by dlclose, and nng is never shut
 * down (nng_fini would wait on that socket). So dlclose unmaps nothing,
 * the next dlopen returns this same copy (its statics as deinit left them:
 * `instance` NULL, the process-wide counters kept), nng's threads are made
 * once per process, and a new rearview.so on disk takes a restart, not a
 * reload. If the pin fails, the module falls back to unloading: deinit
 * waits for nng_close however long it takes, and calls nng_fini.
 *
 * The callback runs in every worker thread, inside the iterator
 * (qstate->curmod is the iterator's id), right after the response was
 * parsed and scrubbed. It copies records into its thread's queue and
 * returns; it never blocks.
 */
#include "ub.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "daemon/worker.h"
#include "dynlibmod/dynlibmod.h"
#include "iterator/iter_delegpt.h"
#include "iterator/iterator.h"
#include "services/cache/dns.h"
#include "services/mesh.h"
#include "util/config_file.h"
#include "util/log.h"
#include "util/netevent.h"

#include "capture.h"
#include "conf.h"
#include "queue.h"
#include "rv_err.h"
#include "sender.h"

#define RV_EXPORT __attribute__((visibility("default")))

/* How long deinit waits for nng_close before it abandons the socket: a
 * healthy close takes a few ms, and Unbound answers nothing until the
 * reload is done. */
#define CLOSE_WAIT_MS 250

/* The entry points Unbound's dynlibmod looks up with dlsym. */
RV_EXPORT int init(struct module_env *env, int id);
RV_EXPORT void deinit(struct module_env *env, int id);
RV_EXPORT void operate(struct module_qstate *qstate, enum module_ev event,
    int id, struct outbound_entry *entry);
RV_EXPORT void inform_super(struct module_qstate *qstate, int id,
    struct module_qstate *super);
RV_EXPORT void clear(struct module_qstate *qstate, int id);
RV_EXPORT size_t get_mem(struct module_env *env, int id);

/** Everything one loaded instance owns. */
struct rvm {
	struct rvm_conf conf;
	struct rvm_queue *queues;	/**< one per worker thread */
	size_t nqueues;
	struct rvm_sender sender;
	int nng_used;			/**< nng_fini() on deinit */
	int registered;			/**< callback is in Unbound's list */
	int id;				/**< our module id */
	struct dynlibmod_env *de;	/**< the dynlib env that loaded us */
	/** The iterator's function block once seen: a pointer compare per
	 * response instead of a strcmp (the stack is fixed until a reload,
	 * which also reloads us). */
	_Atomic(const struct module_func_block *) iterator;
};

/* One instance per loaded copy of the library (dlopen of the same file
 * twice returns the same copy, so a second dynlib line is refused). */
static struct rvm *instance;

/* This library is pinned in memory (so statics survive reloads from then
 * on); see the file comment. */
static int pinned;

static void
ub_log(enum rvm_log level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level == RVM_LOG_ERR)
		log_err("%s", msg);
	else
		log_info("%s", msg);
}

/* --- the callback ------------------------------------------------------- */

/* Encode one record straight into the thread's queue (which counts). */
static int
emit(void *arg, const struct rv_record *rec)
{
	return rvm_queue_put(arg, rec);
}

static void
server_addr(const struct comm_reply *r, struct rv_ip *ip, uint16_t *port)
{
#ifdef HAVE_UB_REMOTE_ADDR
	const struct sockaddr_storage *ss = &r->remote_addr;
#else
	const struct sockaddr_storage *ss = &r->addr;
#endif

	memset(ip, 0, sizeof(*ip));
	*port = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		ip->family = 4;
		memcpy(ip->addr, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		ip->family = 6;
		memcpy(ip->addr, &s6->sin6_addr, 16);
		*port = ntohs(s6->sin6_port);
	}
}

/* Is module \p m of this query's stack the iterator? */
static int
is_iterator(struct rvm *r, struct module_qstate *qstate, int m)
{
	struct mesh_area *mesh = qstate->env->mesh;
	const struct module_func_block *fb;

	if (!mesh || m < 0 || m >= mesh->mods.num)
		return 0;
	fb = mesh->mods.mod[m];
	if (fb == atomic_load_explicit(&r->iterator, memory_order_relaxed))
		return 1;
	if (strcmp(fb->name, "iterator") != 0)
		return 0;
	atomic_store_explicit(&r->iterator, fb, memory_order_relaxed);
	return 1;
}

static int
on_response(struct module_qstate *qstate, struct dns_msg *response, int id,
    void *arg)
{
	struct rvm *r = arg;
	struct worker *w = qstate->env->worker;
	struct rvm_capture_in in;
	struct rvm_capture_out out;
	struct iter_qstate *iq;
	struct rvm_queue *q;

	(void)id;
	if (!w || w->thread_num < 0 || (size_t)w->thread_num >= r->nqueues)
		return 0;
	q = &r->queues[w->thread_num];
	if (!response) {
		atomic_fetch_add_explicit(&q->count.timeouts, 1,
		    memory_order_relaxed);
		return 0;
	}
	if (!is_iterator(r, qstate, qstate->curmod) ||
	    (iq = qstate->minfo[qstate->curmod]) == NULL || !iq->dp ||
	    !response->rep)
		return 0;
	/* An answer from a local auth-zone never went over the network, and
	 * qstate->reply then still points at an older, freed reply. */
	if (iq->auth_zone_response) {
		atomic_fetch_add_explicit(&q->count.skipped, 1,
		    memory_order_relaxed);
		return 0;
	}
	atomic_fetch_add_explicit(&q->count.responses, 1,
	    memory_order_relaxed);
	memset(&in, 0, sizeof(in));
	in.rep = response->rep;
	/* The question actually sent: with QNAME minimisation it is not the
	 * client's question. */
	in.qname = iq->qinfo_out.qname;
	in.qname_len = iq->qinfo_out.qname_len;
	in.qtype = iq->qinfo_out.qtype;
	in.qclass = iq->qinfo_out.qclass;
	if (!in.qname) {
		in.qname = response->qinfo.qname;
		in.qname_len = response->qinfo.qname_len;
		in.qtype = response->qinfo.qtype;
		in.qclass = response->qinfo.qclass;
	}
	if (!in.qname)
		return 0;
	in.zone = iq->dp->name;
	in.zone_len = iq->dp->namelen;
	in.time = (int64_t)*qstate->env->now;
	/* A 0x20 fallback answer (caps_response) may come from an earlier
	 * reply than qstate->reply: leave the server unknown then. */
	if (qstate->reply && response != iq->caps_response) {
		server_addr(qstate->reply, &in.server, &in.port);
		if (qstate->reply->c && qstate->reply->c->type == comm_tcp)
			in.flags |= RV_RF_TCP;
	}
	/* Forwarders (forward-zone, stub-first fallback) get RD queries. */
	if ((iq->chase_flags & BIT_RD) || iq->chase_to_rd)
		in.flags |= RV_RF_FORWARD;
	(void)rvm_capture(&in, &r->conf.filter, q->scratch, q->scratch_size,
	    emit, q, &out);
	if (out.excluded)
		atomic_fetch_add_explicit(&q->count.excluded, out.excluded,
		    memory_order_relaxed);
	if (out.toobig)
		atomic_fetch_add_explicit(&q->count.toobig, out.toobig,
		    memory_order_relaxed);
	return 0;
}

/* --- init / deinit ------------------------------------------------------ */

/* The ABI guard: modinfo[id] must be the dynlib env that loaded us, and
 * its file must be one of the dynlib-file lines. */
static struct dynlibmod_env *
our_dynlib_env(struct module_env *env, int id)
{
	struct dynlibmod_env *de;
	struct config_strlist *s;

	if (id < 0 || id >= MAX_MODULE || !env->cfg)
		return NULL;
	de = env->modinfo[id];
	if (!de || de->func_init != &init || de->func_deinit != &deinit ||
	    !de->fname || !de->inplace_cb_register_wrapped ||
	    !de->inplace_cb_delete_wrapped)
		return NULL;
	for (s = env->cfg->dynlib_file; s; s = s->next)
		if (s->str && strcmp(s->str, de->fname) == 0)
			return de;
	return NULL;
}

/* Pin this library (and what it links, libnng) for the life of the
 * process: a later dlclose unmaps nothing. \return 1 if pinned. */
static int
pin_self(void)
{
	Dl_info info;
	void *h;

	if (pinned)
		return 1;
	if (!dladdr((void *)&init, &info) || !info.dli_fname) {
		log_err("rearview: dladdr cannot find this library");
		return 0;
	}
	if ((h = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD |
	    RTLD_NODELETE)) == NULL) {
		log_err("rearview: dlopen %s: %s", info.dli_fname, dlerror());
		return 0;
	}
	/* Drop the reference NOLOAD took; NODELETE stays. */
	(void)dlclose(h);
	pinned = 1;
	rvm_sender_set_close_wait(CLOSE_WAIT_MS);
	return 1;
}

static void
destroy(struct rvm *r)
{
	rvm_sender_stop(&r->sender);
	/* Unpinned, libnng is unloaded with us: its threads must go first. */
	if (r->nng_used && !pinned)
		nng_fini();
	for (size_t i = 0; r->queues && i < r->nqueues; i++)
		rvm_queue_fini(&r->queues[i]);
	free(r->queues);
	rvm_conf_free(&r->conf);
	free(r);
}

/* Queues, sender, callback. \return 0 or an error already logged. */
static int
start(struct rvm *r, struct module_env *env, struct dynlibmod_env *de,
    int id)
{
	size_t max_record;
	char err[512];
	int rc;

	max_record = r->conf.frame_size - RV_FRAME_HDR_MIN - RV_SENSOR_MAX;
	if (max_record > r->conf.queue_size / 4)
		max_record = r->conf.queue_size / 4;
	r->nqueues = env->cfg->num_threads > 0 ?
	    (size_t)env->cfg->num_threads : 1;
	if ((r->queues = calloc(r->nqueues, sizeof(*r->queues))) == NULL) {
		rc = RV_ENOMEM;
		log_err("rearview: out of memory");
		goto leave;
	}
	for (size_t i = 0; i < r->nqueues; i++)
		if ((rc = rvm_queue_init(&r->queues[i], r->conf.queue_size,
		    max_record, max_record)) != RV_OK) {
			log_err("rearview: queue: %s", rv_strerror(rc));
			goto leave;
		}
	r->nng_used = 1;
	if ((rc = rvm_sender_start(&r->sender, &r->conf, r->queues,
	    r->nqueues, ub_log, err, sizeof(err))) != RV_OK) {
		log_err("rearview: %s", err);
		goto leave;
	}
	if (!de->inplace_cb_register_wrapped((void *)&on_response,
	    inplace_cb_query_response, r, env, id)) {
		log_err("rearview: cannot register the query response "
		    "callback");
		rc = RV_EIO;
		goto leave;
	}
	r->registered = 1;
	rc = RV_OK;
leave:
	return rc;
}

RV_EXPORT int
init(struct module_env *env, int id)
{
	struct dynlibmod_env *de = our_dynlib_env(env, id);
	const char *path = rvm_conf_path();
	struct rvm *r = NULL;
	char err[512];
	int rc;

	if (!de) {
		log_err("rearview: modinfo[%d] is not the dynlib module that "
		    "loaded this library, or its file is not a dynlib-file: "
		    "built against a different Unbound? capture disabled", id);
		goto leave;
	}
	if (instance) {
		log_err("rearview: loaded twice; the second copy is disabled");
		goto leave;
	}
	if (!pin_self())
		log_err("rearview: cannot pin the library in memory; a reload "
		    "waits for nng_close however long it takes");
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_err("rearview: out of memory; capture disabled");
		goto leave;
	}
	r->id = id;
	r->de = de;
	atomic_init(&r->iterator, NULL);
	instance = r;
	de->dyn_env = r;
	if ((rc = rvm_conf_load(&r->conf, path, err, sizeof(err))) != RV_OK) {
		log_err("rearview: %s; capture disabled", err);
		goto leave;
	}
	/* Say which file was read: Unbound built from source chroots by
	 * default and loads modules after the chroot, so a path can point
	 * outside what the module sees. A file the environment names must
	 * be there; running on defaults instead would send to the wrong
	 * place without a word. */
	if (!r->conf.from_file && rvm_conf_path_chosen()) {
		log_err("rearview: %s=%s: no such file (inside Unbound's "
		    "chroot, if it has one, the path is seen from there); "
		    "capture disabled", RVM_CONF_ENV, path);
		r->conf.enable = 0;
		goto leave;
	}
	log_info("rearview: configuration %s%s", path, r->conf.from_file ?
	    "" : " not found: built-in defaults");
	if (!r->conf.enable) {
		log_info("rearview: capture disabled in %s", path);
		goto leave;
	}
	if (start(r, env, de, id) != RV_OK) {
		log_err("rearview: capture disabled");
		rvm_sender_stop(&r->sender);
		goto leave;
	}
	log_info("rearview: capturing to %s%s as sensor %s, %zu thread "
	    "queues of %zu octets", r->conf.endpoints[0],
	    r->conf.nendpoints > 1 ? " (and more)" : "", r->conf.sensor,
	    r->nqueues, r->conf.queue_size);
leave:
	return 1;	/* a failed init would stop Unbound */
}

RV_EXPORT void
deinit(struct module_env *env, int id)
{
	struct rvm *r = instance;
	struct dynlibmod_env *de;

	/* No env->cfg here: at exit Unbound frees the config before it
	 * deinits the modules. modinfo[id] is still the env that loaded us
	 * (dynlibmod frees it after this returns). */
	if (!r || r->id != id || id < 0 || id >= MAX_MODULE)
		return;
	de = env->modinfo[id];
	if (de == r->de) {
		if (r->registered)
			de->inplace_cb_delete_wrapped(env,
			    inplace_cb_query_response, id);
		de->dyn_env = NULL;
	}
	instance = NULL;
	destroy(r);
}

RV_EXPORT void
operate(struct module_qstate *qstate, enum module_ev event, int id,
    struct outbound_entry *entry)
{
	(void)entry;
	if (event == module_event_new || event == module_event_pass)
		qstate->ext_state[id] = module_wait_module;
	else if (event == module_event_moddone)
		qstate->ext_state[id] = module_finished;
	else
		qstate->ext_state[id] = module_error;
}

RV_EXPORT void
inform_super(struct module_qstate *qstate, int id,
    struct module_qstate *super)
{
	(void)qstate;
	(void)id;
	(void)super;
}

RV_EXPORT void
clear(struct module_qstate *qstate, int id)
{
	(void)qstate;
	(void)id;
}

RV_EXPORT size_t
get_mem(struct module_env *env, int id)
{
	struct rvm *r = instance;
	size_t n = 0;

	(void)env;
	if (!r || r->id != id)
		return 0;
	n = sizeof(*r) + r->nqueues * sizeof(*r->queues);
	for (size_t i = 0; i < r->nqueues; i++)
		n += r->queues[i].cap + r->queues[i].scratch_size;
	if (r->sender.frame)
		n += r->conf.frame_size;
	return n;
}
