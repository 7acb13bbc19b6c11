/**
 * \file rv_frame.h
 * The frame codec: batches of observed RRsets, module -> indexer.
 * lib/FRAME.md describes the byte layout for other implementations.
 *
 * Decoding is a pure function of (buffer, length): no allocation, no
 * globals, every length checked before it is used. Decoded records point
 * into the frame buffer and live as long as it does.
 *
 * Encoding appends into a caller-owned buffer with no allocation; a record
 * that does not fit leaves the frame exactly as it was (RV_ETOOBIG).
 */
#ifndef RV_FRAME_H
#define RV_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "rv_ip.h"

#define RV_FRAME_MAGIC 0x52564631u	/**< "RVF1" */
#define RV_FRAME_VERSION 2		/**< what the encoder writes */
#define RV_FRAME_VERSION_1 1		/**< still decoded: unsequenced */
#define RV_FRAME_HDR_V1 12		/**< version 1 header, no sensor name */
#define RV_FRAME_HDR_MIN 52		/**< header without sensor name */
#define RV_SENSOR_MAX 64		/**< max sensor name octets */
#define RV_FRAME_MAX_DEFAULT (4u << 20)	/**< default max frame size */

/** Record kinds. */
enum rv_rec_kind {
	RV_REC_RRSET = 1,	/**< an RRset from a response section */
	RV_REC_NEGATIVE = 2,	/**< NXDOMAIN or NODATA for (owner, type) */
};

/** Sections of the response an RRset came from. */
enum rv_section {
	RV_SEC_NONE = 0,	/**< negative records */
	RV_SEC_ANSWER = 1,
	RV_SEC_AUTHORITY = 2,
	RV_SEC_ADDITIONAL = 3,
};

/** Record flags. */
#define RV_RF_AA	0x01	/**< the response had the AA bit */
#define RV_RF_FORWARD	0x02	/**< came through a forwarder/stub zone */
#define RV_RF_TCP	0x04	/**< answer came over TCP */
#define RV_RF_ALL	0x07

/**
 * One observed RRset (or negative answer). Names are uncompressed wire
 * form; all pointers point into memory the caller owns (the frame when
 * decoding).
 */
struct rv_record {
	uint8_t kind;			/**< enum rv_rec_kind */
	uint8_t section;		/**< enum rv_section */
	uint8_t flags;			/**< RV_RF_* */
	uint8_t rcode;
	int64_t time;			/**< observation, epoch seconds */
	struct rv_ip server;		/**< family 0: unknown */
	uint16_t port;
	uint16_t qtype, qclass;
	const uint8_t *qname;	size_t qname_len;
	const uint8_t *zone;	size_t zone_len;	/**< bailiwick */
	const uint8_t *owner;	size_t owner_len;
	uint16_t type, rclass;
	uint32_t ttl;
	uint16_t rdcount;		/**< number of rdata */
	/** rdcount entries, each a 2-octet big-endian length then the rdata:
	 * the same layout as Unbound's packed rr_data. */
	const uint8_t *rdata;	size_t rdata_len;
};

/** What a sensor has dropped before its transport took the records,
 * cumulative over one boot, carried in every version 2 frame. */
struct rv_frame_drops {
	uint64_t queue_full;	/**< a worker's queue had no room */
	uint64_t send;		/**< the transport refused the frame */
	uint64_t toobig;	/**< larger than a frame can hold */
};

/**
 * Where a frame's records stand in its sensor's stream (version 2). A
 * sensor numbers the records it hands to its transport from 0 in each
 * boot; a frame carries the number of its first record, so the receiver
 * sees every record lost on the way as a gap. Boot id 0 (and every
 * version 1 frame) means the sender does not number its records.
 */
struct rv_frame_seq {
	uint64_t boot;		/**< random per sensor start, 0: unsequenced */
	uint64_t seq;		/**< number of the frame's first record */
	struct rv_frame_drops drops;
};

/** Decoded frame header. */
struct rv_frame_hdr {
	uint8_t version;
	uint8_t flags;
	uint32_t count;			/**< records that follow */
	const uint8_t *sensor;	size_t sensor_len;
	struct rv_frame_seq seq;	/**< zero for version 1 */
};

/**
 * Decode and check the header, version 1 or 2.
 * \param off	out: offset of the first record
 * \return 0, RV_ETRUNC, RV_EFORMAT (bad magic, sensor), RV_EVERSION.
 */
int rv_frame_decode_header(const uint8_t *buf, size_t len,
    struct rv_frame_hdr *hdr, size_t *off);

/**
 * Decode the record at *off and advance *off past it. Checks every length,
 * every name (uncompressed, <= 255), that the rdata entries fill their
 * block exactly, the kind, section and flags.
 * \return 0, RV_ETRUNC, RV_EFORMAT.
 */
int rv_frame_decode_record(const uint8_t *buf, size_t len, size_t *off,
    struct rv_record *rec);

/**
 * Check a whole frame: the header, exactly hdr.count records, nothing
 * after them. The indexer calls this before it uses any record, so a bad
 * frame is rejected whole.
 */
int rv_frame_validate(const uint8_t *buf, size_t len,
    struct rv_frame_hdr *hdr);

/** Iterate the rdata of a record. Start with *off = 0. \return 0, or
 * RV_ENOENT at the end (a decoded record's block is already checked). */
int rv_record_next_rdata(const struct rv_record *rec, size_t *off,
    const uint8_t **rd, uint16_t *rdlen);

/** Encoder state over a caller-owned buffer. */
struct rv_frame_enc {
	uint8_t *buf;
	size_t cap;
	size_t len;
	uint32_t count;
};

/**
 * Start a frame in buf (cap octets) with the sensor name.
 * \return 0, RV_ETOOBIG if the header does not fit, RV_EINVAL for a sensor
 *	name over RV_SENSOR_MAX.
 */
int rv_frame_begin(struct rv_frame_enc *enc, uint8_t *buf, size_t cap,
    const char *sensor, size_t sensor_len);

/** Octets rv_frame_add() will use for this record. */
size_t rv_record_size(const struct rv_record *rec);

/**
 * Append one record. On RV_ETOOBIG the frame is unchanged. The record is
 * not validated beyond the lengths the format can hold.
 */
int rv_frame_add(struct rv_frame_enc *enc, const struct rv_record *rec);

/** Append an already encoded record (from rv_record_encode). */
int rv_frame_add_raw(struct rv_frame_enc *enc, const uint8_t *rec,
    size_t len);

/**
 * Encode one record on its own into out (outsz octets), for queues that
 * hold encoded records. \param len out: octets used.
 */
int rv_record_encode(const struct rv_record *rec, uint8_t *out,
    size_t outsz, size_t *len);

/** Patch the record count into the header. \return the frame length. */
size_t rv_frame_finish(struct rv_frame_enc *enc);

/** Patch the sequence fields into the header (rv_frame_begin writes them
 * as zero: unsequenced). Call any time before the frame is sent. */
void rv_frame_stamp(struct rv_frame_enc *enc, const struct rv_frame_seq *sq);

#endif
