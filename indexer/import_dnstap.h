/**
 * \file import_dnstap.h
 * `rearviewd --import FILE` when FILE is a dnstap capture (Frame Streams):
 * its resolver responses become records, as the live --dnstap input makes
 * them. A Frame Streams file starts with four zero octets (its START
 * control frame's escape), which no NDJSON file does.
 */
#ifndef RVD_IMPORT_DNSTAP_H
#define RVD_IMPORT_DNSTAP_H

#include <stdio.h>

#include "rv_store.h"
#include "rvd.h"

/** Does \p f start like a Frame Streams file? Rewinds it. */
int rvd_import_is_dnstap(FILE *f);

/** Import the capture in \p f (opened on cfg->import). \return the exit
 * status: 0, or 1 with the reason logged. */
int rvd_import_dnstap(struct rvd_config *cfg, struct rv_store *st, FILE *f);

#endif
