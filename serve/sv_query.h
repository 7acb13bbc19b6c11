/**
 * \file sv_query.h
 * One query of the service: checked in the request's thread (a bad one
 * is a 4xx before any byte is sent), run in its stream's thread through
 * the query engine (query/rvq.h), its rows written as the request's
 * protocol wants them: DNSDB SAF, DNSDB v1 lines, CIRCL or native COF.
 *
 * Ownership: sv_job_prepare allocates the job; sv_stream_start takes it
 * (sv_job_produce as producer, sv_job_free as arg_free).
 */
#ifndef SV_QUERY_H
#define SV_QUERY_H

#include <stdio.h>

#include "sv.h"
#include "sv_stream.h"

struct sv_job;

/**
 * Check a query request and make its job. \p results_max is the key's
 * cap on rows (0: none); \p who names the key for the access log.
 * \return 0 with *out, or an HTTP status with msg (400, 416, 500).
 */
int sv_job_prepare(struct sv *sv, const struct sv_req *req,
    uint64_t results_max, const char *who, struct sv_job **out, char *msg,
    size_t msgsz);

/** CIRCL paging (dribble-paginate-count/-cursor): rows from cursor, at
 * most count. */
void sv_job_page(struct sv_job *j, uint64_t count, uint64_t cursor);

/**
 * Run the job in the caller's thread, its output into memory: what a
 * small query wants (no thread, no queue). It gives up when the output
 * passes \p cap octets or the run passes a few milliseconds; the caller
 * then streams a new job instead.
 * \return 0 with *out (malloc'd, the caller frees) and *len; RV_ETOOBIG
 *	(given up); RV_ENOMEM.
 */
int sv_job_run(struct sv_job *j, size_t cap, char **out, size_t *len);

/** Rows written so far. */
uint64_t sv_job_rows(const struct sv_job *j);

/** After the stream ended: the next page's cursor, 0 when none. */
uint64_t sv_job_next_cursor(const struct sv_job *j);

/** The producer (sv_produce_fn; s NULL when run in place) and its
 * arg_free. */
void sv_job_produce(struct sv_stream *s, FILE *fp, void *arg);
void sv_job_free(void *arg);

#endif
