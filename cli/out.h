/**
 * \file out.h
 * The output stage: offset, limit and sort over a stream of rows, then one
 * of the formats (table, COF json, dnsdb, csv, text), or a summary.
 *
 * Rows arriving in the requested order are streamed (printed at once, the
 * scan stopped when the limit is reached); otherwise the best offset+limit
 * rows are kept in a bounded heap (all of them with --limit 0) and printed
 * sorted at the end. The table format buffers its first CLI_TABLE_PROBE
 * rows to size its columns, then streams with those widths.
 *
 * Lifetime: cli_out_row() copies what it keeps; rows given to it may die
 * right after. The enrichment and sensor callbacks are called while rows
 * are printed, i.e. from cli_out_row() and cli_out_end(), so whatever they
 * read (the store's read transaction) must stay valid until cli_out_end().
 * Once the shareable callback has said yes, they may be called from a
 * printer thread until cli_out_end() or cli_out_reset() has returned.
 */
#ifndef RV_CLI_OUT_H
#define RV_CLI_OUT_H

#include <stdint.h>
#include <stdio.h>

#include "opts.h"
#include "rvq.h"
#include "rvq_text.h"
#include "rv_ip.h"
#include "rv_store.h"

/** Rows the table buffers to size its columns. */
#define CLI_TABLE_PROBE 1000

/**
 * Enrichment of an address at time t. \return 0 with *out filled, or
 * nonzero when nothing is known (no columns shown).
 */
typedef int (*cli_geo_fn)(void *arg, const struct rv_ip *ip, uint32_t t,
    struct rv_ipinfo *out);


/**
 * Answer n questions at once, so that the lookups can go in key order
 * or ahead of each other (rvq_db_geo_batch). Their rows are printed
 * with these answers, possibly by another thread (out_pipe.h): the
 * values must stay valid as long as the read transaction. Optional.
 * \return 0, or an error (then geo is asked one row at a time).
 */
typedef int (*cli_geo_batch_fn)(void *arg, struct rvq_geo_ans *q, size_t n);

/**
 * May geo_batch and geo be called from the printer thread from now on
 * (answers from memory only, as rvq_db_geo_shared)? The printer then
 * finds the enrichment of the batches it prints itself, which leaves
 * the reading thread only the reading. Optional.
 */
typedef int (*cli_geo_shared_fn)(void *arg);

/** Room for a batch's answers. */
struct cli_geo_buf {
	struct rvq_geo_ans *a;
	size_t cap;
};

/** Rows printed per enrichment batch (streamed output is held back by at
 * most this many rows). */
#define CLI_GEO_BATCH 65536

/** Name of a sensor id; NULL when unknown. Valid until the next call. */
typedef const char *(*cli_sensor_fn)(void *arg, uint16_t id);

/**
 * Make the sensor callback safe to call from a printer thread while this
 * one goes on reading (load what it caches). \return nonzero if it now
 * is: big streamed outputs are then printed by a printer thread
 * (out_pipe.h), which asks enrichment only from the batches' answers.
 * Optional.
 */
typedef int (*cli_shareable_fn)(void *arg);


struct cli_out {
	/* set by the caller before cli_out_begin */
	FILE *fp;
	enum cli_fmt fmt;	/**< resolved: never CLI_FMT_AUTO */
	enum cli_sort sort;	/**< resolved: never CLI_SORT_DEFAULT */
	int desc;		/**< descending order */
	int natural;		/**< rows arrive in sort/desc order already */
	uint64_t limit, offset;
	int idn;		/**< show U-labels */
	int width;		/**< table width, 0 = unlimited */
	int summarize;		/**< print totals instead of rows */
	int dnsdb_single;	/**< dnsdb: rdata as a string, not an array */
	int csv_header;		/**< print the csv header (cleared after) */
	const char *query;	/**< a batch's current query, which every
				 * format names; NULL for a single one */
	cli_geo_fn geo;
	cli_geo_batch_fn geo_batch;	/**< optional, with geo */
	cli_geo_shared_fn geo_shared;	/**< optional, with geo_batch */
	cli_sensor_fn sensor;
	cli_shareable_fn shareable;	/**< optional */
	void *cb_arg;

	/* state */
	uint64_t seen;		/**< rows offered */
	uint64_t emitted;	/**< rows printed */
	uint64_t taken;		/**< rows taken to be printed (streamed) */
	int write_failed;	/**< cli_out_row stopped on an output error */
	int write_errno;	/**< its errno, when this thread wrote */
	int limited;		/**< more rows than the limit */
	int err;		/**< first output error */
	struct rvq_summary sum;
	struct rvq_row **keep;	/**< heap or vector of copies */
	struct cli_chunk *chunks;	/**< where copies live without a limit */
	struct cli_chunk *spare;	/**< emptied chunks, for the next batch */
	size_t nkeep, capkeep;
	struct cli_table *table;	/**< table state, fmt_table.c */
	struct sb *sb;		/**< line builder of the line formats */
	struct rvq_ser *ser;	/**< COF/SAF serialiser (fmt_lines.c) */
	struct cli_lines_scratch *scratch;	/**< CSV/text (fmt_lines.c) */
	uint64_t queries;	/**< result sets begun (batch) */
	struct cli_geo_buf gbuf;	/**< a batch's enrichment */
	int geo_in_printer;	/**< the printer finds it (geo_shared) */
	struct cli_pipe *pipe;	/**< the printer thread, out_pipe.h */
};

/** Resolve the format: CLI_FMT_AUTO -> table on a terminal, else json. */
enum cli_fmt cli_fmt_resolve(enum cli_fmt f, FILE *fp);

/**
 * Natural direction of a sort key: newest/largest first for first, last
 * and count; ascending for name and data.
 */
int cli_sort_desc(enum cli_sort s);

/** Width of the terminal on fp, else $COLUMNS, else 0 (unlimited). */
int cli_term_width(FILE *fp);

/** Start a result set (dnsdb: the begin line). */
int cli_out_begin(struct cli_out *o);

/**
 * Offer one row. \return 0 to go on, RV_ENOENT when no more rows are
 * wanted (the scan may stop), RV_ENOMEM, RV_EIO.
 */
int cli_out_row(struct cli_out *o, const struct rvq_row *r);

/**
 * After a scan failed: was it cli_out_row that stopped it, on an output
 * error? Then the printer thread is ended and *err is that error's
 * errno.
 */
int cli_out_write_failed(struct cli_out *o, int *err);

/** Print what was kept and the terminator. \return 0 or RV_EIO/ENOMEM. */
int cli_out_end(struct cli_out *o);

/** Free the state (after cli_out_end, or on an error path); keeps the
 * settings so the same struct can run another query. */
void cli_out_reset(struct cli_out *o);

/** Free everything, the line builder and serialiser too (at the end of
 * a run); safe twice. */
void cli_out_free(struct cli_out *o);

/** Compare two rows in output order (<0: a first). */
int cli_row_cmp(const struct cli_out *o, const struct rvq_row *a,
    const struct rvq_row *b);

/* The formats (fmt_*.c). Each prints one row or the summary. */
int cli_fmt_row(struct cli_out *o, const struct rvq_row *r);
int cli_fmt_begin(struct cli_out *o);
int cli_fmt_end(struct cli_out *o);
int cli_fmt_summary(struct cli_out *o);

/** Does the output show enrichment (a geo callback, not dnsdb)? */
int cli_fmt_shows_geo(const struct cli_out *o);

/**
 * Before rows are printed: ask geo_batch the enrichment of all their
 * addresses in buf and point each row at its answers (fmt.c), when the
 * format shows enrichment.
 * \return 0 when the rows have their answers (or need none); otherwise
 *	cli_rdata_geo asks the geo callback, so the rows must be printed
 *	by a thread that may.
 */
int cli_geo_prefetch(const struct cli_out *o, struct rvq_row *const *rows,
    size_t n, struct cli_geo_buf *buf);

/* The line formats: JSON (COF), DNSDB, CSV, text (fmt_lines.c). */
int cli_lines_begin(struct cli_out *o);
int cli_lines_row(struct cli_out *o, const struct rvq_row *r);
int cli_lines_end(struct cli_out *o);
int cli_lines_summary(struct cli_out *o);

/* Table (fmt_table.c). */
int cli_table_row(struct cli_out *o, const struct rvq_row *r);
int cli_table_flush(struct cli_out *o);
void cli_table_free(struct cli_out *o);

/** Free the line formats' serialiser and scratch (cli_lines_begin makes
 * them; cli_out_free calls this). */
void cli_lines_free(struct cli_out *o);

/** Enrichment for one rdata of a row when it is an address, from the
 * row's answers or else the geo callback; 0 if found (fmt.c). */
int cli_rdata_geo(const struct cli_out *o, const struct rvq_row *r,
    const uint8_t *rd, uint16_t len, struct rv_ipinfo *info);

#endif
