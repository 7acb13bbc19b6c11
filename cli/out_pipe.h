/**
 * \file out_pipe.h
 * A printer thread for streamed output (private to out.c).
 *
 * A big streamed scan spends about as long formatting rows as finding
 * them and their enrichment, and the two need not wait for each other:
 * out.c hands each full batch of held rows, with the answers of its
 * enrichment, to a printer thread and fills the next one meanwhile. At
 * most one batch is in the printer's hands; rows are printed in the
 * order they came, by one thread at a time.
 *
 * Ownership: a handed batch (its row vector, the chunks its copies live
 * in and its answers) belongs to the printer until the next
 * cli_pipe_hand() or cli_pipe_stop() takes it back; while it is printing,
 * the printer alone touches the output side of struct cli_out (fp, sb,
 * table, emitted, err), and the caller only the input side (keep,
 * chunks, gbuf, seen, taken). The printer calls the sensor callback, and
 * the geo ones only once geo_in_printer is set (geo_shared said yes).
 */
#ifndef RV_CLI_OUT_PIPE_H
#define RV_CLI_OUT_PIPE_H

#include "out.h"

/** Start the printer. \return 0, or an error (then print in-line). */
int cli_pipe_start(struct cli_out *o);

/** Is the printer still busy with the batch it was handed? */
int cli_pipe_busy(struct cli_out *o);

/**
 * Wait until the printer is done with the batch it has, take that batch's
 * memory back, and hand it the rows now held (o->keep, o->chunks and,
 * unless \p ask, o->gbuf with their answers), which leaves o with none.
 * \param ask	the rows have no answers: the printer finds them (only
 *	once o->geo_in_printer is set)
 * \return 0, or the printer's first error (then the held rows are left
 *	to the caller).
 */
int cli_pipe_hand(struct cli_out *o, int ask);

/** Wait for the printer to finish, end it and free it; errno is then the
 * printer's if it failed. \return 0 or its first error. Safe when
 * o->pipe is NULL. */
int cli_pipe_stop(struct cli_out *o);

/* From out.c, for the printer. */

/** Print rows in order; stop at the first error. \return 0 or it. */
int cli_out_emit_rows(struct cli_out *o, struct rvq_row *const *rows,
    size_t n);

/** Give the chunks of a printed batch back for reuse. */
void cli_out_spare_chunks(struct cli_out *o, struct cli_chunk *list);

#endif
