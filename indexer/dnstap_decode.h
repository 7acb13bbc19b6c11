/**
 * \file dnstap_decode.h
 * One Frame Streams data frame as a dnstap message (indexer/dnstap.proto),
 * classified: what a resolver learnt from upstream servers is kept, what
 * concerns its clients is never stored.
 *
 * Kept: RESOLVER_RESPONSE and FORWARDER_RESPONSE with a response message.
 * Dropped and counted by type: every other message type, among them
 * CLIENT_QUERY and CLIENT_RESPONSE, whose addresses are the clients' (and
 * any type a later schema adds). Counted as malformed: a frame that is not
 * the protobuf, lacks a required field, or whose fields disagree (an
 * address of the wrong length for its family, a port over 65535,
 * nanoseconds past a second).
 *
 * protobuf-c allocates from the decoder's own arena, bounded by a
 * multiple of the frame's size (the copies of its bytes fields and the
 * structs), so no frame makes the decoder allocate more than that; a
 * decoded message points into the arena and is valid until the next call.
 * One decoder per thread.
 */
#ifndef RVD_DNSTAP_DECODE_H
#define RVD_DNSTAP_DECODE_H

#include <stddef.h>
#include <stdint.h>

/** dnstap's content type on a Frame Streams connection. */
#define RVD_DNSTAP_CONTENT_TYPE "protobuf:dnstap.Dnstap"

/** Message.Type (dnstap.proto). */
enum rvd_dt_type {
	RVD_DT_AUTH_QUERY = 1,
	RVD_DT_AUTH_RESPONSE = 2,
	RVD_DT_RESOLVER_QUERY = 3,
	RVD_DT_RESOLVER_RESPONSE = 4,
	RVD_DT_CLIENT_QUERY = 5,
	RVD_DT_CLIENT_RESPONSE = 6,
	RVD_DT_FORWARDER_QUERY = 7,
	RVD_DT_FORWARDER_RESPONSE = 8,
	RVD_DT_STUB_QUERY = 9,
	RVD_DT_STUB_RESPONSE = 10,
	RVD_DT_TOOL_QUERY = 11,
	RVD_DT_TOOL_RESPONSE = 12,
	RVD_DT_UPDATE_QUERY = 13,
	RVD_DT_UPDATE_RESPONSE = 14,
	RVD_DT_TYPE_MAX = 14,
};

/** SocketProtocol (dnstap.proto). */
enum rvd_dt_proto {
	RVD_DT_UDP = 1, RVD_DT_TCP = 2, RVD_DT_DOT = 3, RVD_DT_DOH = 4,
	RVD_DT_DNSCRYPT_UDP = 5, RVD_DT_DNSCRYPT_TCP = 6, RVD_DT_DOQ = 7,
};

/** A kept message. Pointers into the decoder's arena (or NULL with length
 * 0 when the field is absent), valid until the next decode. */
struct rvd_dnstap_msg {
	const uint8_t *identity;	/**< Dnstap.identity: the sender */
	size_t identity_len;
	int type;			/**< enum rvd_dt_type */
	const uint8_t *query_zone;	/**< wire-format name (bailiwick), or
					 * NULL */
	size_t query_zone_len;
	int family;			/**< AF_INET, AF_INET6, or 0: no
					 * response address */
	uint8_t addr[16];		/**< response_address: the server
					 * answering (4 or 16 octets) */
	uint16_t port;			/**< response_port, 0 if absent */
	int protocol;			/**< enum rvd_dt_proto, 0 if absent */
	int tcp;			/**< over a stream (TCP, DoT, DoH,
					 * DNSCrypt TCP, DoQ): never truncated */
	int has_time;			/**< response_time_sec present */
	uint64_t time_sec;		/**< response_time_sec */
	uint32_t time_nsec;		/**< response_time_nsec */
	const uint8_t *response;	/**< response_message: DNS wire */
	size_t response_len;
};

/** The decoder's counters. */
struct rvd_dnstap_stats {
	uint64_t frames;		/**< decoded or tried */
	uint64_t kept;
	uint64_t malformed;		/**< not dnstap, or inconsistent */
	uint64_t not_message;		/**< Dnstap.type other than MESSAGE, or
					 * no message */
	uint64_t no_response;		/**< a kept type without
					 * response_message */
	uint64_t client;		/**< CLIENT_QUERY + CLIENT_RESPONSE */
	uint64_t dropped;		/**< every type dropped, client too */
	uint64_t dropped_type[RVD_DT_TYPE_MAX + 1];	/**< by type; [0]: a
					 * type this schema does not know */
};

struct rvd_dnstap_dec {
	uint8_t *arena;
	size_t cap, used, limit;
	size_t max_frame;
	struct rvd_dnstap_stats st;
};

/** A decoder for frames up to max_frame octets. \return RV_OK, RV_EINVAL. */
int rvd_dnstap_dec_init(struct rvd_dnstap_dec *d, size_t max_frame);

/** Free the arena. */
void rvd_dnstap_dec_free(struct rvd_dnstap_dec *d);

/**
 * Decode one data frame and classify it (counted in d->st).
 * \return RV_OK: kept, *m filled; RV_ENOENT: dropped (a type not kept, not
 * a message, no response), only m->type (0: not a message) and
 * m->identity filled; RV_EFORMAT: malformed (m->identity filled if the
 * protobuf decoded, else NULL); RV_ETOOBIG: over max_frame; RV_ENOMEM: the
 * arena could not be allocated.
 */
int rvd_dnstap_decode(struct rvd_dnstap_dec *d, const uint8_t *buf,
    size_t len, struct rvd_dnstap_msg *m);

/** "RESOLVER_RESPONSE", ...; "UNKNOWN" for others. */
const char *rvd_dnstap_type_name(int type);

#endif
