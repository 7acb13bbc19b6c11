/**
 * \file sensors.h
 * Sensor names -> small ids, and each sensor's stream state (struct
 * rv_sensor_seq, lib/FRAME.md).
 *
 * Ids are allocated in the meta database (rv_store_sensor_get_or_add) by
 * the store's one writer: in rearviewd the flusher thread, which serves
 * the receiver's requests for names it has not seen (rvd.h); in an import
 * the importing thread. sensors_register does it in a write transaction
 * of its own, so several writer processes (rearviewd and an import) never
 * hand out one id twice.
 *
 * struct rvd_sensors is a cache owned by one thread (the receiver). It holds
 * each sensor's stream state as read with its id, then advanced by every
 * frame the receiver takes. Every frame taken goes into a window, and
 * windows are committed in order or the process exits, so the state in the
 * database is always the state after the last committed frame.
 */
#ifndef RVD_SENSORS_H
#define RVD_SENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "rv_store.h"

struct rvd_sensor_ent;

struct rvd_sensors {
	struct rvd_sensor_ent *v;
	size_t n, cap;
	size_t last;		/**< index of the last hit */
};

void rvd_sensors_init(struct rvd_sensors *s);
void rvd_sensors_free(struct rvd_sensors *s);

/** The cached id of a name. \return 0, or RV_ENOENT: not cached (get it
 * with sensors_register, then sensors_add). */
int rvd_sensors_find(struct rvd_sensors *s, const char *name, size_t len,
    uint16_t *id);

/** Cache a sensor with its stored stream state. \return 0, RV_ENOMEM,
 * RV_EINVAL (name too long). */
int rvd_sensors_add(struct rvd_sensors *s, const char *name, size_t len,
    uint16_t id, const struct rv_sensor_seq *seq);

/**
 * Writer only: the id of a name, allocated if it is new, and its stored
 * stream state (zero if none), in one write transaction (rv_store_write).
 */
int rvd_sensors_register(struct rv_store *st, const char *name, size_t len,
    uint16_t *id, struct rv_sensor_seq *seq);

/** Writer only: sensors_find, or sensors_register and sensors_add. */
int rvd_sensors_id(struct rvd_sensors *s, struct rv_store *st, const char *name,
    size_t len, uint16_t *id);

/**
 * Account one frame of cached sensor \p id in its stream.
 * \param out	the state after the frame; valid until the next call
 * \return 0, RV_ENOENT (not cached).
 */
int rvd_sensors_seq_frame(struct rvd_sensors *s, uint16_t id,
    const struct rv_frame_hdr *h, const struct rv_sensor_seq **out);

/**
 * The arithmetic of sensors_seq_frame, on its own: a frame numbered above
 * the expected number adds the gap to lost; a new boot id is a reset, and
 * the records numbered before its first frame were lost; boot id 0 is
 * unsequenced. Sums saturate: a lying sender cannot wrap them.
 */
void rvd_sensors_seq_advance(struct rv_sensor_seq *q,
    const struct rv_frame_seq *f, uint32_t count);

#endif
