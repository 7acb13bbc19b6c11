/**
 * \file admit.h
 * Which received messages rearviewd hands to the decoder, and how the ones
 * it drops are counted. No nng in here, so it is unit tested; ingest.c
 * applies it to every message.
 *
 * Why rearviewd enforces --max-frame itself instead of leaving it to nng:
 * nng's limit (NNG_OPT_RECVMAXSZ) is checked by the transport against a
 * message's length prefix before anything is allocated. A message over it
 * ends the receive with NNG_EMSGSIZE, the pull protocol closes the
 * connection, and the application is never told (nng 1.5.2,
 * src/sp/transport/{ipc,tcp,tls}/ *_pipe_recv_cb and
 * src/sp/protocol/pipeline0/pull.c pull0_recv_cb). The only trace is the
 * listener statistic "other", which a peer's ordinary close raises as well
 * (NNG_ECONNSHUT), so those drops cannot be counted. rearviewd therefore
 * gives nng a ceiling above --max-frame (admit_nng_limit) and drops,
 * counts and logs (naming the sender) every frame between the two itself.
 * Memory stays bounded: nng holds at most one message per connection, so
 * at most (connections x ceiling).
 */
#ifndef RVD_ADMIT_H
#define RVD_ADMIT_H

#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "rv_frame.h"

/** The ceiling never goes below this: the largest frame-size a rearview
 * module can be configured with, so every frame a module sends reaches
 * rearviewd and an oversize one is counted and named. */
#define RVD_ADMIT_NNG_FLOOR ((size_t)RV_FRAME_MAX_DEFAULT)

/** The largest limit nng 1.5.2 takes (NNI_MAXSZ, src/core/options.h). */
#define RVD_ADMIT_NNG_MAX ((size_t)0xffffffffu)

/** nng's receive limit for a --max-frame of \p max_frame octets: twice
 * it, at least RVD_ADMIT_NNG_FLOOR, at most RVD_ADMIT_NNG_MAX. Messages above it
 * never reach rearviewd. */
size_t rvd_admit_nng_limit(size_t max_frame);

/** Check one received message of \p len octets before any record is used.
 * \return RV_ETOOBIG if it is longer than \p max_frame (its content is not
 * looked at), else what rv_frame_validate says (RV_OK: \p hdr is set). */
int rvd_admit_frame(const uint8_t *buf, size_t len, size_t max_frame,
    struct rv_frame_hdr *hdr);

/** Count a dropped message of \p len octets in \p a: frames_rejected, and
 * frames_oversize too if it is longer than \p max_frame. (Caller holds
 * the table's lock.) */
void rvd_admit_count_reject(struct rvd_agg *a, size_t len, size_t max_frame);

#endif
