/**
 * \file sink.h
 * The ClickHouse sinks of rearviewd (issue #22). Being written.
 */
#ifndef RVD_SINK_H
#define RVD_SINK_H
#include "sink_send.h"
#endif
