/**
 * \file sv_fmt.h
 * The second stage of a long stream: rows found by the producer are
 * formatted by a thread of their own.
 *
 * Formatting a row (names and rdata decoded, JSON escaped) costs about as
 * much as finding it, and the two need not wait for each other: the
 * producer copies each row into a batch and hands every full batch to the
 * formatter, filling the next meanwhile (the CLI's printer thread does the
 * same, cli/out_pipe.c). At most one batch is in the formatter's hands;
 * rows are formatted in the order they came.
 *
 * Only for rows whose formatting needs nothing but the row: the format
 * callback runs in the formatter's thread and must not touch the
 * producer's read transaction.
 *
 * Ownership: the copies belong to the stage; a row passed to the format
 * callback lives until its batch's end callback returns. Whatever the
 * callbacks write (the output buffer, the serialiser's memos) belongs to
 * the formatter from sv_fmt_start until sv_fmt_stop returns, and to the
 * producer before and after.
 */
#ifndef SV_FMT_H
#define SV_FMT_H

#include "rvq_row.h"

struct sv_fmt;

/** Format one row (formatter's thread). \return 0, or an error that
 * stops the stage (the client has gone, say). */
typedef int (*sv_fmt_row_fn)(void *arg, const struct rvq_row *r);

/** A batch is done: its rows are about to be reused. \return as above. */
typedef int (*sv_fmt_end_fn)(void *arg);

/** Start the formatter thread. \return 0, RV_ENOMEM or RV_EIO. */
int sv_fmt_start(struct sv_fmt **out, sv_fmt_row_fn row, sv_fmt_end_fn end,
    void *arg);

/**
 * Copy a row into the batch being filled; a full batch is handed on
 * (after the formatter is done with the one before).
 * \return 0, RV_ENOMEM, or the formatter's first error: then stop.
 */
int sv_fmt_add(struct sv_fmt *f, const struct rvq_row *r);

/** Hand on the rows held now if the formatter is idle (the client waits
 * for output). \return as sv_fmt_add. */
int sv_fmt_hand_idle(struct sv_fmt *f);

/** Format the rest, end the thread, free the stage (NULL is fine).
 * \return 0 or the formatter's first error. */
int sv_fmt_stop(struct sv_fmt *f);

#endif
