/*
 * ch_sample.h: what the ClickHouse row tests share (test_ch_row,
 * test_sink_send): a sensor table and names in wire form.
 */
#ifndef CH_SAMPLE_H
#define CH_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

/** rv_ch_sensor_fn: sensor 3 is "dns3"; every other id is unknown. */
const char *ch_sample_sensor(void *arg, uint16_t id);

/** \p s in wire form into w (RV_NAME_MAX octets); fails the test when
 * it is not a name. */
void ch_sample_wire(const char *s, uint8_t *w, size_t *wl);

#endif
