/**
 * \file fmt_table.c
 * The aligned table: columns as in DESIGN.md's analyst table, sized from
 * the first CLI_TABLE_PROBE rows and fitted to the terminal width by
 * eliding the long columns (names in the middle, so the registered domain
 * stays visible; rdata at the end).
 */
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "rv_err.h"
#include "rv_rdata.h"

enum { C_QUERY, C_TYPE, C_SOURCE, C_COUNT, C_RESP, C_FIRST, C_LAST, C_ASN,
	C_CC, NCOL };

static const char *const head[NCOL] = { "Query", "Type", "Source", "Count",
	"Response", "First Seen", "Last Seen", "ASN", "CC" };
static const int right[NCOL] = { [C_COUNT] = 1, [C_ASN] = 1 };

struct trow {
	char *cell[NCOL];	/* NULL: empty */
};

struct cli_table {
	struct trow *rows;
	size_t n, cap;
	int w[NCOL];
	int show[NCOL];
	int fixed;		/* widths chosen, header printed */
	int names;		/* rows are names only (subdomains) */
};

/* Display width of UTF-8 text (one column per code point). */
static int
dlen(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Byte offset of the code point number k. */
static size_t
boff(const char *s, int k)
{
	size_t i = 0;

	for (; s[i] && k > 0; i++)
		if (((unsigned char)s[i + 1] & 0xc0) != 0x80)
			k--;
	return i;
}

/* Print one cell padded to w; padding is owed (*pend) rather than printed,
 * so lines never end in spaces. */
static void
put_cell(FILE *fp, const char *s, int w, int col, int *pend)
{
	int n;

	if (s == NULL || *s == '\0') {
		*pend += w;
		return;
	}
	n = dlen(s);
	if (right[col] && n < w)
		*pend += w - n;
	fprintf(fp, "%*s", *pend, "");
	*pend = 0;
	if (n > w) {
		if (col == C_FIRST || col == C_LAST) {	/* date only */
			fwrite(s, 1, boff(s, w), fp);
		} else if (col == C_QUERY && w > 8) {	/* a...z: keep both ends */
			int tail = (w - 3) * 2 / 3, lead = w - 3 - tail;
			fwrite(s, 1, boff(s, lead), fp);
			fputs("...", fp);
			fputs(s + boff(s, n - tail), fp);
		} else if (w > 3) {
			fwrite(s, 1, boff(s, w - 3), fp);
			fputs("...", fp);
		} else {
			fwrite(s, 1, boff(s, w), fp);
		}
		n = w;
	} else {
		fputs(s, fp);
	}
	if (!right[col])
		*pend += w - n;
}

static void
print_row(struct cli_out *o, const struct trow *t)
{
	struct cli_table *tb = o->table;
	int first = 1, pend = 0;

	for (int c = 0; c < NCOL; c++) {
		if (!tb->show[c])
			continue;
		if (!first)
			pend += 2;
		first = 0;
		put_cell(o->fp, t->cell[c], tb->w[c], c, &pend);
	}
	fputc('\n', o->fp);
}

static int
total_width(const struct cli_table *tb)
{
	int total = 0, ncols = 0;

	for (int c = 0; c < NCOL; c++)
		if (tb->show[c]) {
			total += tb->w[c];
			ncols++;
		}
	return total + 2 * (ncols > 0 ? ncols - 1 : 0);
}

/* Narrow the columns in mins[] (0: leave) down to those widths, the one
 * with the most to give first, until the table fits. */
static void
shrink(struct cli_out *o, const int mins[NCOL])
{
	struct cli_table *tb = o->table;
	int total = total_width(tb);

	while (total > o->width) {
		int best = -1;
		for (int c = 0; c < NCOL; c++)
			if (tb->show[c] && mins[c] > 0 && tb->w[c] > mins[c] &&
			    (best < 0 || tb->w[c] - mins[c] >
			    tb->w[best] - mins[best]))
				best = c;
		if (best < 0)
			break;
		tb->w[best]--;
		total--;
	}
}

/* Natural widths, then, on a narrow terminal, step by step: shorter
 * names and data, no Source, no CC/ASN, dates without times, shorter
 * still. */
static void
choose_widths(struct cli_out *o)
{
	static const int soft[NCOL] = { [C_QUERY] = 24, [C_SOURCE] = 9,
		[C_RESP] = 15 };
	static const int hard[NCOL] = { [C_QUERY] = 12, [C_RESP] = 12 };
	struct cli_table *tb = o->table;

	for (int c = 0; c < NCOL; c++)
		tb->w[c] = dlen(head[c]);
	for (size_t i = 0; i < tb->n; i++)
		for (int c = 0; c < NCOL; c++)
			if (tb->rows[i].cell[c] != NULL) {
				int l = dlen(tb->rows[i].cell[c]);
				if (l > tb->w[c])
					tb->w[c] = l;
			}
	tb->show[C_ASN] = tb->show[C_CC] = 0;
	for (size_t i = 0; i < tb->n; i++)
		if (tb->rows[i].cell[C_ASN] != NULL)
			tb->show[C_ASN] = tb->show[C_CC] = 1;
	if (o->width <= 0)
		return;
	shrink(o, soft);
	if (total_width(tb) > o->width && !tb->names)
		tb->show[C_SOURCE] = 0;
	if (total_width(tb) > o->width)
		tb->show[C_CC] = 0;
	if (total_width(tb) > o->width)
		tb->show[C_ASN] = 0;
	if (total_width(tb) > o->width)
		tb->w[C_FIRST] = tb->w[C_LAST] = 10;	/* dates only */
	shrink(o, hard);
}

static void
free_rows(struct cli_table *tb)
{
	for (size_t i = 0; i < tb->n; i++)
		for (int c = 0; c < NCOL; c++)
			free(tb->rows[i].cell[c]);
	tb->n = 0;
}

static void
print_buffered(struct cli_out *o)
{
	struct cli_table *tb = o->table;
	struct trow h;

	choose_widths(o);
	if (o->query != NULL)	/* a batch: which query this table answers */
		fprintf(o->fp, "%s;; %s\n", o->queries > 1 ? "\n" : "",
		    o->query);
	for (int c = 0; c < NCOL; c++)
		h.cell[c] = (char *)head[c];
	if (tb->names)
		h.cell[C_QUERY] = "Name";
	print_row(o, &h);
	for (size_t i = 0; i < tb->n; i++)
		print_row(o, &tb->rows[i]);
	free_rows(tb);
	tb->fixed = 1;
}

static int
add(struct cli_out *o, struct trow *t)
{
	struct cli_table *tb = o->table;

	if (tb->fixed) {
		print_row(o, t);
		for (int c = 0; c < NCOL; c++)
			free(t->cell[c]);
		return RV_OK;
	}
	if (tb->n == tb->cap) {
		size_t cap = tb->cap ? tb->cap * 2 : 64;
		struct trow *nr = realloc(tb->rows, cap * sizeof(*nr));
		if (nr == NULL)
			return RV_ENOMEM;
		tb->rows = nr;
		tb->cap = cap;
	}
	tb->rows[tb->n++] = *t;
	if (tb->n >= CLI_TABLE_PROBE)
		print_buffered(o);
	return RV_OK;
}

static int
make(struct trow *t, int c, const char *s)
{
	return (t->cell[c] = strdup(s)) == NULL ? RV_ENOMEM : RV_OK;
}

static int
make_u64(struct trow *t, int c, uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	return make(t, c, b);
}

int
cli_table_row(struct cli_out *o, const struct rvq_row *r)
{
	static char buf[RVQ_RDATA_STR_MAX];

	const uint8_t *rd;
	uint16_t len;
	size_t off = 0;
	int rc = RV_OK, line = 0;

	if (o->table == NULL) {
		if ((o->table = calloc(1, sizeof(*o->table))) == NULL)
			return RV_ENOMEM;
		for (int c = 0; c < NCOL; c++)
			o->table->show[c] = 1;
		if (r->kind == RVQ_ROW_NAME) {
			o->table->names = 1;
			o->table->show[C_TYPE] = o->table->show[C_SOURCE] =
			    o->table->show[C_RESP] = 0;
		}
	}
	do {
		struct trow t;
		int more;

		memset(&t, 0, sizeof(t));
		more = r->kind != RVQ_ROW_NAME &&
		    rvq_row_rd_next(r, &off, &rd, &len) == RV_OK;
		if (line == 0) {
			rvq_name_str(r->owner, r->owner_len, o->idn, buf,
			    sizeof(buf));
			rc |= make(&t, C_QUERY, buf);
			if (r->kind != RVQ_ROW_NAME)
				rc |= make(&t, C_TYPE,
				    rvq_type_str(r->type));
			rvq_sensors_str(r, o->sensor, o->cb_arg, buf,
			    sizeof(buf));
			rc |= make(&t, C_SOURCE, buf);
			rc |= make_u64(&t, C_COUNT, r->count);
			/* minutes, as the analyst table has them */
			rvq_time_str(r->first, 0, buf, sizeof(buf));
			buf[16] = '\0';
			rc |= make(&t, C_FIRST, buf);
			rvq_time_str(r->last, 0, buf, sizeof(buf));
			buf[16] = '\0';
			rc |= make(&t, C_LAST, buf);
		} else if (!more) {
			break;
		}
		if (r->negative)	/* no rdata: the rcode in its place */
			rc |= make(&t, C_RESP, rvq_rcode_str(r->rcode, buf));
		if (more) {
			struct rv_ipinfo g;
			rvq_rdata_str(r, rd, len, o->idn, buf, sizeof(buf));
			rc |= make(&t, C_RESP, buf);
			if (cli_rdata_geo(o, r, rd, len, &g) == RV_OK) {
				/* unknown stays blank, as in the analyst table */
				if (g.asn)
					rc |= make_u64(&t, C_ASN, g.asn);
				rc |= make(&t, C_CC, g.cc);
			}
		}
		if (rc != RV_OK || (rc = add(o, &t)) != RV_OK) {
			for (int c = 0; c < NCOL; c++)
				free(t.cell[c]);
			return RV_ENOMEM;
		}
		line++;
	} while (r->kind != RVQ_ROW_NAME);
	return RV_OK;
}

int
cli_table_flush(struct cli_out *o)
{
	if (o->table == NULL)
		return RV_OK;
	if (!o->table->fixed && o->table->n > 0)
		print_buffered(o);
	return ferror(o->fp) ? RV_EIO : RV_OK;
}

void
cli_table_free(struct cli_out *o)
{
	if (o->table == NULL)
		return;
	free_rows(o->table);
	free(o->table->rows);
	free(o->table);
	o->table = NULL;
}
