/**
 * \file sink_send.c
 * The ClickHouse sink's sender (sink_send.h). Being written.
 */
#include "sink_send.h"
