/**
 * \file dnstap_in.c
 * The dnstap input's glue (dnstap_in.h): the Frame Streams server's frame
 * callback decodes, classifies and hands on; counters at stop.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnstap_in.h"
#include "dnstap_records.h"
#include "fstrm_server.h"
#include "log.h"
#include "rv_err.h"
#include "rv_frame.h"
#include "rvd.h"

struct rvd_dnstap_in {
	struct rvd *d;
	struct rvd_fstrm_server *srv;
	struct rvd_dnstap_dec dec;	/* the server's thread only */
	rvd_dnstap_hook_fn hook;
	void *arg;
	struct rvd_dnstap_rec *rec;	/* the default hook's state */
	uint64_t hook_ok, hook_failed;
	struct rvd_ratelimit rl;
};

/* The server's callback: one data frame. */
static void
on_frame(void *arg, const struct rvd_fstrm_peer *peer, const uint8_t *data,
    size_t len)
{
	struct rvd_dnstap_in *in = arg;
	const struct rvd_config *c = &in->d->cfg;
	struct rvd_dnstap_msg m;
	const char *sensor;
	size_t slen;
	int rc = rvd_dnstap_decode(&in->dec, data, len, &m);

	/* A frame without an identity counts for "dnstap". */
	slen = rvd_dnstap_sensor(c->dnstap_sensor, &m, "dnstap", &sensor);
	if (rc != RV_OK) {
		if (rc != RV_ENOENT)
			rvd_log_rl(&in->rl, LOG_WARNING, "dnstap connection "
			    "#%llu (%s): a frame of %zu octets is not a dnstap "
			    "message (%s)", (unsigned long long)peer->conn,
			    peer->who, len, rv_strerror(rc));
		/* The decoder counts it overall, the window per sensor. */
		if (in->rec != NULL)
			(void)rvd_dnstap_count(in->d, in->rec, sensor, slen,
			    rvd_dnstap_not_kept(rc, &m));
		return;
	}
	if (in->hook(in->d, in->arg, &m, sensor, slen) == RV_OK)
		in->hook_ok++;
	else
		in->hook_failed++;
}

/* The server's idle callback: what the default hook batched goes into
 * the table before the thread waits. */
static void
on_idle(void *arg)
{
	struct rvd_dnstap_in *in = arg;

	if (in->rec != NULL)
		(void)rvd_dnstap_flush(in->rec);
}

int
rvd_dnstap_start(struct rvd *d, rvd_dnstap_hook_fn hook, void *arg,
    struct rvd_dnstap_in **out)
{
	const struct rvd_config *c = &d->cfg;
	struct rvd_dnstap_in *in;
	struct rvd_fstrm_opts o = {
		.content_type = RVD_DNSTAP_CONTENT_TYPE,
		.max_frame = RVD_FSTRM_FRAME_MAX,
		.unix_mode = c->dnstap_mode ? c->dnstap_mode : c->ipc_mode,
		.unix_group = c->dnstap_group ? c->dnstap_group : c->ipc_group,
		.allow_remote_tcp = c->insecure_tcp,
		.on_frame = on_frame,
		.on_idle = on_idle,
	};
	int rc;

	*out = NULL;
	if (c->ndnstap == 0)
		return RV_OK;
	if (!(in = calloc(1, sizeof(*in))))
		return RV_ENOMEM;
	in->d = d;
	in->hook = hook ? hook : rvd_dnstap_records;
	in->arg = arg;
	if (hook == NULL) {
		if ((rc = rvd_dnstap_rec_new(d, NULL, &in->rec)) != RV_OK) {
			free(in);
			return rc;
		}
		in->arg = in->rec;
	}
	in->rl.burst = 10;
	in->rl.period = 60;
	o.arg = in;
	if ((rc = rvd_dnstap_dec_init(&in->dec, o.max_frame)) != RV_OK ||
	    (rc = rvd_fstrm_server_new(&o, &in->srv)) != RV_OK) {
		rvd_log(LOG_ERR, "dnstap: %s", rv_strerror(rc));
		goto fail;
	}
	for (size_t i = 0; i < c->ndnstap; i++)
		if ((rc = rvd_fstrm_server_listen(in->srv, c->dnstap[i])) !=
		    RV_OK)
			goto fail;
	if ((rc = rvd_fstrm_server_start(in->srv)) != RV_OK) {
		rvd_log(LOG_ERR, "dnstap: cannot start its thread");
		goto fail;
	}
	*out = in;
	return RV_OK;
fail:
	rvd_fstrm_server_free(in->srv);
	rvd_dnstap_dec_free(&in->dec);
	rvd_dnstap_rec_free(in->rec);
	free(in);
	return rc;
}

void
rvd_dnstap_stop(struct rvd_dnstap_in *in)
{
	struct rvd_fstrm_stats fs;
	const struct rvd_dnstap_stats *ds;
	char types[512];
	size_t off = 0;

	if (!in)
		return;
	/* A hook waiting for the flusher (backpressure) sees d->stop. */
	pthread_mutex_lock(&in->d->mu);
	pthread_cond_broadcast(&in->d->cv);
	pthread_mutex_unlock(&in->d->mu);
	rvd_fstrm_server_stop(in->srv);		/* the thread is joined */
	rvd_fstrm_server_stats(in->srv, &fs);
	rvd_fstrm_server_free(in->srv);
	ds = &in->dec.st;
	types[0] = 0;
	for (int t = 0; t <= RVD_DT_TYPE_MAX; t++)
		if (ds->dropped_type[t] && off < sizeof(types)) {
			int n = snprintf(types + off, sizeof(types) - off,
			    " %s %llu", rvd_dnstap_type_name(t),
			    (unsigned long long)ds->dropped_type[t]);
			if (n > 0)
				off += (size_t)n;
		}
	rvd_log(LOG_INFO, "dnstap: %llu connections (%llu refused, %llu "
	    "closed for errors, %llu mid-frame, %llu handshake timeouts), "
	    "%llu frames, %llu octets, %llu bad frames",
	    (unsigned long long)fs.connections, (unsigned long long)fs.refused,
	    (unsigned long long)fs.closed_error,
	    (unsigned long long)fs.truncated, (unsigned long long)fs.timeouts,
	    (unsigned long long)fs.frames, (unsigned long long)fs.bytes,
	    (unsigned long long)fs.bad_frames);
	rvd_log(LOG_INFO, "dnstap: %llu messages kept (%llu to the records "
	    "hook, %llu failed), %llu malformed, %llu not messages, %llu "
	    "without a response, %llu dropped (%llu client-side):%s",
	    (unsigned long long)ds->kept, (unsigned long long)in->hook_ok,
	    (unsigned long long)in->hook_failed,
	    (unsigned long long)ds->malformed,
	    (unsigned long long)ds->not_message,
	    (unsigned long long)ds->no_response,
	    (unsigned long long)ds->dropped, (unsigned long long)ds->client,
	    off ? types : " none");
	if (in->rec != NULL) {
		const struct rvd_dnstap_rec_stats *rs =
		    rvd_dnstap_rec_stats(in->rec);
		rvd_log(LOG_INFO, "dnstap: %llu responses (%llu over TCP) made "
		    "%llu records; %llu retries counted once, %llu not DNS "
		    "messages, %llu rejected whole, %llu RRsets out of the zone "
		    "and %llu more dropped by the bailiwick rule",
		    (unsigned long long)rs->responses,
		    (unsigned long long)rs->tcp,
		    (unsigned long long)rs->records,
		    (unsigned long long)rs->retries,
		    (unsigned long long)rs->malformed,
		    (unsigned long long)rs->refused,
		    (unsigned long long)rs->out_of_zone,
		    (unsigned long long)rs->scrubbed);
	}
	rvd_dnstap_dec_free(&in->dec);
	rvd_dnstap_rec_free(in->rec);
	free(in);
}
