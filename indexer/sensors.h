/**
 * \file sensors.h
 * Sensor names -> small ids. Ids are allocated in the meta database in a
 * short write transaction of their own (rv_store_sensor_get_or_add), so
 * several writers (rearviewd and an import) never hand out one id twice;
 * known names are cached in memory.
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

#endif
