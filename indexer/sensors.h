/**
 * \file sensors.h
 * Sensor names -> small ids. Ids are allocated in the meta database in a
 * short write transaction of their own (rv_store_sensor_get_or_add), so
 * several writers (rearviewd and an import) never hand out one id twice;
 * known names are cached in memory.
 *
 * The cache also holds each sensor's stream state (struct rv_sensor_seq):
 * read from the database the first time the sensor sends in this process,
 * then advanced by every frame the receiver takes. Every frame taken goes
 * into a window, and windows are committed in order or the process exits,
 * so the state in the database is always the state after the last
 * committed frame.
 */
#ifndef RVD_SENSORS_H
#define RVD_SENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "rv_store.h"

struct sensor_ent;

struct sensors {
	struct rv_store *st;
	struct sensor_ent *v;
	size_t n, cap;
	size_t last;		/**< index of the last hit */
};

void sensors_init(struct sensors *s, struct rv_store *st);
void sensors_free(struct sensors *s);

/** The id of a sensor name, allocating one if it is new. */
int sensors_id(struct sensors *s, const char *name, size_t len, uint16_t *id);

/**
 * Account one frame of sensor \p id (known to sensors_id) in its stream.
 * \param out	the state after the frame; valid until the next call
 * \return 0, or an error reading the stored state (then nothing changes).
 */
int sensors_seq_frame(struct sensors *s, uint16_t id,
    const struct rv_frame_hdr *h, const struct rv_sensor_seq **out);

/**
 * The arithmetic of sensors_seq_frame, on its own: a frame numbered above
 * the expected number adds the gap to lost; a new boot id is a reset, and
 * the records numbered before its first frame were lost; boot id 0 is
 * unsequenced. Sums saturate: a lying sender cannot wrap them.
 */
void sensors_seq_advance(struct rv_sensor_seq *q, const struct rv_frame_seq *f,
    uint32_t count);

#endif
