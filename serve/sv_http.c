/**
 * \file sv_http.c
 * The HTTP side of `rearview serve`: libmicrohttpd daemons (one per
 * listen address, a thread per connection), the raw request target, keys
 * and limits, the routes, error replies as DNSDB writes them.
 */
#include "sv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "rv_err.h"
#include "rv_num.h"
#include "sv_query.h"
#include "sv_stream.h"
#include "sv_web.h"

/* A request: the raw target (libmicrohttpd hands the handler a decoded
 * path, in which an encoded '/' is a separator), made by the URI log
 * callback and freed when the request completes. */
struct rctx {
	char *target;
	struct sv_stream *s;	/**< the request's reference */
	struct sv *sv;
	int status;		/**< the reply's, for the log */
	int headers_seen;	/**< the handler's first call is over */
	char who[80];
};

uint64_t
sv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
sv_log(struct sv *sv, const char *fmt, ...)
{
	char line[1024], ts[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One line whatever it quotes. */
	for (char *p = line; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	pthread_mutex_lock(&sv->mu);
	fprintf(sv->log, "%s %s\n", ts, line);
	fflush(sv->log);
	pthread_mutex_unlock(&sv->mu);
}

static void *
uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct rctx *c = calloc(1, sizeof(*c));

	(void)con;
	if (c == NULL)
		return NULL;
	c->sv = cls;
	c->target = strdup(uri);
	snprintf(c->who, sizeof(c->who), "-");
	return c;
}

static void
completed(void *cls, struct MHD_Connection *con, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct rctx *c = *con_cls;

	(void)cls;
	(void)con;
	if (c == NULL)
		return;
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && c->s != NULL)
		sv_log(c->sv, "aborted key=%s (client gone or timed out)",
		    c->who);
	sv_stream_release(c->s);
	free(c->target);
	free(c);
	*con_cls = NULL;
}

static enum MHD_Result
reply(struct MHD_Connection *con, struct rctx *c, unsigned status,
    const char *type, const char *body)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(body), (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(con, status, r);
	MHD_destroy_response(r);
	if (c != NULL)
		c->status = (int)status;
	return ret;
}

/* One of the page's embedded files (sv_web.h), with its policy. */
static enum MHD_Result
web_file(struct MHD_Connection *con, struct rctx *c,
    const struct sv_web_file *f)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(f->len, (void *)f->data,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, f->type);
	MHD_add_response_header(r, "Content-Security-Policy", SV_WEB_CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	ret = MHD_queue_response(con, 200, r);
	MHD_destroy_response(r);
	c->status = 200;
	return ret;
}

/* An error as DNSDB gives it: one line, "Error: ...". */
static enum MHD_Result
error(struct MHD_Connection *con, struct rctx *c, unsigned status,
    const char *msg)
{
	char body[640];

	snprintf(body, sizeof(body), "Error: %s\n", msg);
	if (c != NULL)
		sv_log(c->sv, "%u key=%s target=%.200s %s", status, c->who,
		    c->target != NULL ? c->target : "-", msg);
	return reply(con, c, status, "text/plain; charset=utf-8", body);
}

static int
loopback(struct MHD_Connection *con)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(con,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa;

	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;
		const uint8_t *a = s6->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    0, 0xff, 0xff };
		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
		    (memcmp(a, mapped, 12) == 0 && a[12] == 127);
	}
	return 0;
}

/* The caller's key: X-API-Key (DNSDB), or basic auth's password (CIRCL).
 * \return 0 with *key (NULL without keys, from loopback), or a status. */
static int
authorise(struct sv *sv, struct MHD_Connection *con, struct rctx *c,
    struct sv_key **key, const char **msg)
{
	const char *k = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    "X-API-Key");
	char *user = NULL, *pass = NULL;

	*key = NULL;
	if (sv->keys == NULL) {
		if (loopback(con))
			return 0;
		*msg = "no API keys configured: this server answers "
		    "loopback clients only";
		return 403;
	}
	if (k == NULL) {
		user = MHD_basic_auth_get_username_password(con, &pass);
		k = pass;
	}
	if (k != NULL)
		*key = sv_keys_find(sv->keys, k, strlen(k));
	if (user != NULL)
		MHD_free(user);
	if (pass != NULL)
		MHD_free(pass);
	if (*key == NULL) {
		*msg = "missing or invalid API key";
		return 403;
	}
	snprintf(c->who, sizeof(c->who), "%s", sv_key_name(*key));
	return 0;
}

static void
rate_val(char *out, size_t sz, const char *name, int has, uint64_t v,
    const char *none)
{
	size_t n = strlen(out);

	if (has)
		snprintf(out + n, sz - n, ",\"%s\":%llu", name,
		    (unsigned long long)v);
	else if (none != NULL)
		snprintf(out + n, sz - n, ",\"%s\":\"%s\"", name, none);
}

/* /dnsdb/v2/rate_limit: DNSDB's shape with this key's figures. */
static enum MHD_Result
rate_limit(struct sv *sv, struct MHD_Connection *con, struct rctx *c,
    struct sv_key *key)
{
	struct sv_key_rate kr;
	char body[512];

	memset(&kr, 0, sizeof(kr));
	if (key != NULL)
		sv_key_rate(key, (uint64_t)time(NULL) * 1000, &kr);
	snprintf(body, sizeof(body), "{\"rate\":{\"reset\":");
	if (kr.has_quota)
		snprintf(body + strlen(body), sizeof(body) - strlen(body),
		    "%lld", (long long)kr.reset);
	else
		snprintf(body + strlen(body), sizeof(body) - strlen(body),
		    "\"n/a\"");
	rate_val(body, sizeof(body), "limit", kr.has_quota, kr.limit,
	    "unlimited");
	rate_val(body, sizeof(body), "remaining", kr.has_quota, kr.remaining,
	    "n/a");
	rate_val(body, sizeof(body), "results_max", 1, kr.has_results &&
	    kr.results_max < sv->c.limit_max ? kr.results_max :
	    sv->c.limit_max, NULL);
	rate_val(body, sizeof(body), "offset_max", 1, sv->c.offset_max, NULL);
	rate_val(body, sizeof(body), "burst_size", kr.has_burst,
	    kr.burst_size, NULL);
	rate_val(body, sizeof(body), "burst_window", kr.has_burst,
	    kr.burst_window, NULL);
	snprintf(body + strlen(body), sizeof(body) - strlen(body), "}}\n");
	return reply(con, c, 200, "application/json", body);
}

static const char *
content_type(enum sv_proto p)
{
	return p == SV_DNSDB2 ? "application/x-ndjson" : "application/json";
}

static uint64_t
header_u64(struct MHD_Connection *con, const char *name, int *bad)
{
	const char *v = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    name);
	uint64_t u = 0;

	if (v != NULL && rv_parse_u64(v, 10, 0, UINT64_MAX / 2, &u) != RV_OK)
		*bad = 1;
	return u;
}

/* Queue a query's reply: its headers, then its body. */
static enum MHD_Result
send_reply(struct MHD_Connection *con, struct rctx *c,
    const struct sv_req *req, struct MHD_Response *r, uint64_t next)
{
	enum MHD_Result ret;
	char cur[32];

	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    content_type(req->proto));
	if (next > 0) {
		snprintf(cur, sizeof(cur), "%llu", (unsigned long long)next);
		MHD_add_response_header(r, "x-dribble-cursor", cur);
	}
	ret = MHD_queue_response(con, 200, r);
	MHD_destroy_response(r);
	c->status = 200;
	return ret;
}

/* Output of a query run in place at most; a bigger one streams. */
#define SYNC_CAP (64 * 1024)

/* A query: admitted, checked, run in place when it is small, else
 * started in a thread of its own whose output the reply streams. */
static enum MHD_Result
query(struct sv *sv, struct MHD_Connection *con, struct rctx *c,
    const struct sv_req *req, struct sv_key *key)
{
	struct MHD_Response *r;
	struct sv_key_rate kr;
	struct sv_job *job;
	char msg[512], *buf;
	uint64_t count = 0, cursor = 0, next = 0, results_max;
	unsigned retry = 0;
	size_t len;
	int status, bad = 0, empty, paged = 0, rc;

	if (key != NULL && (status = sv_key_admit(key, (uint64_t)time(NULL) *
	    1000, &retry)) != RV_OK) {
		snprintf(msg, sizeof(msg), "%s, retry in %u s", status ==
		    RV_ENOSPC ? "daily quota exhausted" : "rate limit "
		    "exceeded", retry);
		return error(con, c, 429, msg);
	}
	if (req->proto == SV_CIRCL) {
		count = header_u64(con, "dribble-paginate-count", &bad);
		cursor = header_u64(con, "dribble-paginate-cursor", &bad);
		if (bad)
			return error(con, c, 400, "dribble-paginate-count and "
			    "-cursor want numbers");
		paged = count > 0 || cursor > 0;
	}
	memset(&kr, 0, sizeof(kr));
	if (key != NULL)
		sv_key_rate(key, (uint64_t)time(NULL) * 1000, &kr);
	results_max = kr.has_results ? kr.results_max : 0;
	for (int attempt = 0; attempt < 2; attempt++) {
		if ((status = sv_job_prepare(sv, req, results_max, c->who,
		    &job, msg, sizeof(msg))) != 0)
			return error(con, c, (unsigned)status, msg);
		if (paged)
			sv_job_page(job, count, cursor);
		pthread_mutex_lock(&sv->mu);
		bad = sv->running >= sv->c.threads;
		pthread_mutex_unlock(&sv->mu);
		if (bad) {
			sv_job_free(job);
			return error(con, c, 503, "too many queries running: "
			    "try again shortly");
		}
		if (attempt == 1 || req->route == SV_REPORT)
			break;	/* a report scans its whole window: stream */
		rc = sv_job_run(job, SYNC_CAP, &buf, &len);
		if (rc == RV_OK) {
			empty = sv_job_rows(job) == 0;
			next = paged ? sv_job_next_cursor(job) : 0;
			sv_job_free(job);
			if (empty && req->proto == SV_DNSDB1) {
				free(buf);
				return error(con, c, 404, "no results found "
				    "for query.");
			}
			if ((r = MHD_create_response_from_buffer(len, buf,
			    MHD_RESPMEM_MUST_FREE)) == NULL) {
				free(buf);
				return MHD_NO;
			}
			return send_reply(con, c, req, r, next);
		}
		sv_job_free(job);	/* too big or too long: stream it */
		if (rc != RV_ETOOBIG)
			return error(con, c, 503, "out of memory");
	}
	pthread_mutex_lock(&sv->mu);
	sv->running++;
	pthread_mutex_unlock(&sv->mu);
	/* A CIRCL page is read whole (its cursor goes in a header): its
	 * rows are at most the page's count. */
	if (sv_stream_start(&c->s, paged ? SIZE_MAX : 1024 * 1024,
	    sv->c.ongoing_ms, req->proto == SV_DNSDB2 ?
	    "{\"cond\":\"ongoing\"}\n" : NULL, sv_job_produce, job,
	    sv_job_free) != RV_OK) {
		pthread_mutex_lock(&sv->mu);
		sv->running--;
		pthread_mutex_unlock(&sv->mu);
		return error(con, c, 503, "cannot start the query");
	}
	empty = sv_stream_wait_first(c->s);
	if (paged) {
		sv_stream_wait_done(c->s);
		next = sv_job_next_cursor(job);
	}
	if (empty && req->proto == SV_DNSDB1)
		return error(con, c, 404, "no results found for query.");
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256 * 1024,
	    sv_stream_read, c->s, sv_stream_response_free);
	if (r == NULL)
		return MHD_NO;
	sv_stream_ref(c->s);	/* the response's */
	return send_reply(con, c, req, r, next);
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *con, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct sv *sv = cls;
	struct rctx *c = *con_cls;
	const struct sv_web_file *wf;
	struct sv_key *key;
	struct sv_req *req;
	const char *amsg = NULL;
	char msg[512];
	enum MHD_Result ret;
	int status;

	(void)url;
	(void)version;
	(void)upload_data;
	if (c == NULL || c->target == NULL)
		return MHD_NO;	/* out of memory: drop the connection */
	/* The first call has the headers only: a reply queued then would
	 * make libmicrohttpd close the connection (the body is unread). */
	if (!c->headers_seen) {
		c->headers_seen = 1;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {	/* a body: not read */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (c->status != 0)
		return MHD_YES;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return error(con, c, 405, "only GET is served");
	if ((wf = sv_web_find(c->target)) != NULL)
		return web_file(con, c, wf);
	if ((req = malloc(sizeof(*req))) == NULL)
		return error(con, c, 503, "out of memory");
	status = sv_req_parse(c->target, strlen(c->target), time(NULL), req,
	    msg, sizeof(msg));
	if (status == 0 && req->route == SV_NONE)
		status = 404, snprintf(msg, sizeof(msg), "no such route "
		    "(see rearview-serve(8))");
	if (status == 0 && (status = authorise(sv, con, c, &key, &amsg)) != 0)
		snprintf(msg, sizeof(msg), "%s", amsg);
	if (status != 0) {
		ret = error(con, c, (unsigned)status, msg);
		free(req);
		return ret;
	}
	switch (req->route) {
	case SV_PING:
		ret = reply(con, c, 200, "application/json",
		    "{\"ping\":\"ok\"}\n");
		break;
	case SV_RATE_LIMIT:
		ret = rate_limit(sv, con, c, key);
		break;
	default:
		ret = query(sv, con, c, req, key);
		break;
	}
	free(req);
	return ret;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	sv_log(cls, "http: %s", line);
}

/* "ADDR:PORT" or "[V6]:PORT" into sa. \return 0 or -1. */
static int
listen_addr(const char *s, struct sockaddr_storage *sa, int *loop)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	size_t hl;
	uint64_t port;

	memset(sa, 0, sizeof(*sa));
	if (colon == NULL || rv_parse_u64(colon + 1, 10, 1, 65535, &port) !=
	    RV_OK || (hl = (size_t)(colon - s)) >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		struct sockaddr_in6 *s6 = (void *)sa;
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*loop = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
		return 0;
	} else {
		struct sockaddr_in *s4 = (void *)sa;
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -1;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*loop = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
		return 0;
	}
}

/* A PEM file into memory (libmicrohttpd takes them so). */
static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 &&
	    n < 1 << 20 && fseek(fp, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else
			buf[n] = '\0';
	}
	fclose(fp);
	return buf;
}

int
sv_http_run(struct sv *sv)
{
	struct MHD_Daemon *d[SV_LISTEN_MAX] = { NULL };
	struct sockaddr_storage sa[SV_LISTEN_MAX];
	char *cert = NULL, *key = NULL;
	sigset_t set;
	int rc = RV_EINVAL, sig;

	if (sv->c.tls_cert != NULL && ((cert = slurp(sv->c.tls_cert)) ==
	    NULL || (key = slurp(sv->c.tls_key)) == NULL)) {
		fprintf(stderr, "rearview serve: cannot read '%s': %s\n",
		    cert == NULL ? sv->c.tls_cert : sv->c.tls_key,
		    errno != 0 ? strerror(errno) : "empty or too big");
		goto leave;
	}
	/* The daemons' threads inherit the mask: signals come to sigwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (unsigned i = 0; i < sv->c.nlisten; i++) {
		unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
		    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
		int loop = 0;

		if (listen_addr(sv->c.listen[i], &sa[i], &loop) != 0) {
			fprintf(stderr, "rearview serve: --listen '%s': want "
			    "ADDR:PORT or [IPV6]:PORT\n", sv->c.listen[i]);
			goto leave;
		}
		if (!loop && cert == NULL && !sv->c.insecure_http) {
			fprintf(stderr, "rearview serve: --listen '%s' is not "
			    "loopback: give --tls-cert and --tls-key, or "
			    "--insecure-http\n", sv->c.listen[i]);
			goto leave;
		}
		if (sa[i].ss_family == AF_INET6)
			flags |= MHD_USE_IPv6;
		if (cert != NULL)
			flags |= MHD_USE_TLS;
		d[i] = MHD_start_daemon(flags, 0, NULL, NULL, handle, sv,
		    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, sv,
		    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa[i],
		    MHD_OPTION_CONNECTION_LIMIT, sv->c.max_conn,
		    MHD_OPTION_CONNECTION_TIMEOUT, sv->c.timeout,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
		    MHD_OPTION_URI_LOG_CALLBACK, uri_log, sv,
		    MHD_OPTION_NOTIFY_COMPLETED, completed, sv,
		    cert != NULL ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
		    cert, MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
		if (d[i] == NULL) {
			fprintf(stderr, "rearview serve: cannot listen on "
			    "'%s': %s\n", sv->c.listen[i], errno != 0 ?
			    strerror(errno) : "libmicrohttpd refused");
			rc = RV_EIO;
			goto leave;
		}
		sv_log(sv, "listening on %s (%s)", sv->c.listen[i], cert !=
		    NULL ? "https" : "http");
	}
	sv_log(sv, "serving '%s' read-only; %s", sv->c.db, sv->keys != NULL ?
	    "API keys required" : "no keys: loopback clients only");
	if (sigwait(&set, &sig) == 0)
		sv_log(sv, "signal %d: stopping", sig);
	rc = RV_OK;
leave:
	for (unsigned i = 0; i < SV_LISTEN_MAX; i++)
		if (d[i] != NULL)
			MHD_stop_daemon(d[i]);
	free(cert);
	free(key);
	return rc;
}
