/**
 * \file sink.c
 * The ClickHouse sink's batches (sink.h). Being written.
 */
#include "sink.h"
