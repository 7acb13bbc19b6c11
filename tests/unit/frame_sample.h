/**
 * \file frame_sample.h
 * A valid sample frame with every record shape, for the frame tests and to
 * seed the fuzzer's corpus.
 */
#ifndef FRAME_SAMPLE_H
#define FRAME_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "rv_frame.h"

#define SAMPLE_RECORDS 4

/** Fill rec[i] (i < SAMPLE_RECORDS); pointers are to static data. */
void sample_record(int i, struct rv_record *rec);

/** Encode all sample records into buf; returns the frame length. */
size_t sample_frame(uint8_t *buf, size_t cap);

#endif
