/*
 * ch_sample.c: what the ClickHouse row tests share (ch_sample.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ch_sample.h"
#include "rv_err.h"
#include "rv_name.h"

const char *
ch_sample_sensor(void *arg, uint16_t id)
{
	(void)arg;
	return id == 3 ? "dns3" : NULL;
}

void
ch_sample_wire(const char *s, uint8_t *w, size_t *wl)
{
	assert_int_equal(rv_name_from_str(s, w, wl), RV_OK);
}
