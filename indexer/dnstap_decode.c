/**
 * \file dnstap_decode.c
 * dnstap frames through protobuf-c, into struct rvd_dnstap_msg
 * (dnstap_decode.h).
 *
 * The arena: protobuf-c copies each bytes field out of the frame and
 * allocates its structs and, for a message of many fields, the slabs of
 * its field scan. A real dnstap message has fewer than twenty fields, so
 * it needs about its own size plus a few hundred octets; the arena gives
 * out at most twice the frame plus 64 KiB, bump-allocated and reset at
 * each frame (protobuf-c's frees are no-ops), so a frame of thousands of
 * tiny fields fails to decode (counted as malformed) instead of costing
 * dozens of times its size.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dnstap.pb-c.h"
#include "dnstap_decode.h"
#include "rv_err.h"

#define ARENA_SLACK ((size_t)64 << 10)
#define ALIGN (_Alignof(max_align_t))

static const char *const type_names[RVD_DT_TYPE_MAX + 1] = {
	[RVD_DT_AUTH_QUERY] = "AUTH_QUERY",
	[RVD_DT_AUTH_RESPONSE] = "AUTH_RESPONSE",
	[RVD_DT_RESOLVER_QUERY] = "RESOLVER_QUERY",
	[RVD_DT_RESOLVER_RESPONSE] = "RESOLVER_RESPONSE",
	[RVD_DT_CLIENT_QUERY] = "CLIENT_QUERY",
	[RVD_DT_CLIENT_RESPONSE] = "CLIENT_RESPONSE",
	[RVD_DT_FORWARDER_QUERY] = "FORWARDER_QUERY",
	[RVD_DT_FORWARDER_RESPONSE] = "FORWARDER_RESPONSE",
	[RVD_DT_STUB_QUERY] = "STUB_QUERY",
	[RVD_DT_STUB_RESPONSE] = "STUB_RESPONSE",
	[RVD_DT_TOOL_QUERY] = "TOOL_QUERY",
	[RVD_DT_TOOL_RESPONSE] = "TOOL_RESPONSE",
	[RVD_DT_UPDATE_QUERY] = "UPDATE_QUERY",
	[RVD_DT_UPDATE_RESPONSE] = "UPDATE_RESPONSE",
};

const char *
rvd_dnstap_type_name(int type)
{
	if (type > 0 && type <= RVD_DT_TYPE_MAX && type_names[type])
		return type_names[type];
	return "UNKNOWN";
}

int
rvd_dnstap_dec_init(struct rvd_dnstap_dec *d, size_t max_frame)
{
	memset(d, 0, sizeof(*d));
	if (max_frame == 0 || max_frame > ((size_t)1 << 30))
		return RV_EINVAL;
	d->max_frame = max_frame;
	return RV_OK;
}

void
rvd_dnstap_dec_free(struct rvd_dnstap_dec *d)
{
	free(d->arena);
	d->arena = NULL;
	d->cap = d->used = d->limit = 0;
}

static void *
arena_alloc(void *data, size_t size)
{
	struct rvd_dnstap_dec *d = data;
	size_t at = (d->used + ALIGN - 1) & ~(ALIGN - 1);

	if (size == 0)
		size = 1;
	if (at > d->limit || size > d->limit - at)
		return NULL;
	d->used = at + size;
	return d->arena + at;
}

static void
arena_free(void *data, void *p)
{
	(void)data;
	(void)p;
}

/* Is the sender's message one rearviewd keeps? */
static int
kept_type(int type)
{
	return type == RVD_DT_RESOLVER_RESPONSE ||
	    type == RVD_DT_FORWARDER_RESPONSE;
}

/* Who sent it and what it is: all a dropped message is counted by. */
static void
identify(const Dnstap__Dnstap *dt, int type, struct rvd_dnstap_msg *m)
{
	m->type = type;
	if (dt->has_identity && dt->identity.len) {
		m->identity = dt->identity.data;
		m->identity_len = dt->identity.len;
	}
}

static int
fill(const Dnstap__Message *mm, struct rvd_dnstap_msg *m)
{
	if (mm->has_query_zone && mm->query_zone.len) {
		if (mm->query_zone.len > 255)
			return RV_EFORMAT;
		m->query_zone = mm->query_zone.data;
		m->query_zone_len = mm->query_zone.len;
	}
	if (mm->has_response_address) {
		size_t alen = mm->response_address.len;
		int fam = mm->has_socket_family ? (int)mm->socket_family : 0;
		if (fam == DNSTAP__SOCKET_FAMILY__INET && alen == 4)
			m->family = AF_INET;
		else if (fam == DNSTAP__SOCKET_FAMILY__INET6 && alen == 16)
			m->family = AF_INET6;
		else if (!fam && (alen == 4 || alen == 16))
			m->family = alen == 4 ? AF_INET : AF_INET6;
		else
			return RV_EFORMAT;
		memcpy(m->addr, mm->response_address.data, alen);
	}
	if (mm->has_response_port) {
		if (mm->response_port > 65535)
			return RV_EFORMAT;
		m->port = (uint16_t)mm->response_port;
	}
	if (mm->has_socket_protocol) {
		m->protocol = (int)mm->socket_protocol;
		m->tcp = m->protocol == RVD_DT_TCP || m->protocol == RVD_DT_DOT ||
		    m->protocol == RVD_DT_DOH ||
		    m->protocol == RVD_DT_DNSCRYPT_TCP ||
		    m->protocol == RVD_DT_DOQ;
	}
	if (mm->has_response_time_sec) {
		if (mm->has_response_time_nsec &&
		    mm->response_time_nsec >= 1000000000u)
			return RV_EFORMAT;
		m->has_time = 1;
		m->time_sec = mm->response_time_sec;
		m->time_nsec = mm->has_response_time_nsec ?
		    mm->response_time_nsec : 0;
	}
	m->response = mm->response_message.data;
	m->response_len = mm->response_message.len;
	return RV_OK;
}

int
rvd_dnstap_decode(struct rvd_dnstap_dec *d, const uint8_t *buf, size_t len,
    struct rvd_dnstap_msg *m)
{
	ProtobufCAllocator al = {
		.alloc = arena_alloc, .free = arena_free, .allocator_data = d,
	};
	const Dnstap__Message *mm;
	Dnstap__Dnstap *dt;
	size_t need;
	int type, rc;

	d->st.frames++;
	memset(m, 0, sizeof(*m));
	if (len > d->max_frame) {
		d->st.malformed++;
		return RV_ETOOBIG;
	}
	need = 2 * len + ARENA_SLACK;
	if (d->cap < need) {
		uint8_t *na = realloc(d->arena, need);
		if (!na) {
			d->st.malformed++;
			return RV_ENOMEM;
		}
		d->arena = na;
		d->cap = need;
	}
	d->used = 0;
	d->limit = need;
	if (!(dt = dnstap__dnstap__unpack(&al, len, buf))) {
		d->st.malformed++;
		return RV_EFORMAT;
	}
	if (dt->type != DNSTAP__DNSTAP__TYPE__MESSAGE || !(mm = dt->message)) {
		identify(dt, 0, m);
		d->st.not_message++;
		return RV_ENOENT;
	}
	type = (int)mm->type;
	identify(dt, type, m);
	if (!kept_type(type)) {
		d->st.dropped++;
		d->st.dropped_type[type > 0 && type <= RVD_DT_TYPE_MAX ?
		    type : 0]++;
		if (type == RVD_DT_CLIENT_QUERY || type == RVD_DT_CLIENT_RESPONSE)
			d->st.client++;
		return RV_ENOENT;
	}
	if (!mm->has_response_message || mm->response_message.len == 0) {
		d->st.no_response++;
		return RV_ENOENT;
	}
	if ((rc = fill(mm, m)) != RV_OK) {
		d->st.malformed++;
		return rc;
	}
	d->st.kept++;
	return RV_OK;
}
