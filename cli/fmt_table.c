/**
 * \file fmt_table.c
 * The aligned table: columns as in DESIGN.md's analyst table, sized from
 * the first CLI_TABLE_PROBE rows and fitted to the terminal width by
 * eliding the long columns (names in the middle, so the registered domain
 * stays visible; rdata at the end).
 */
#include <libpsl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "rv_err.h"
#include "rv_rdata.h"

enum { C_QUERY, C_TYPE, C_ZONE, C_SOURCE, C_COUNT, C_RESP, C_FIRST, C_LAST,
	C_ASN, C_CC, NCOL };

static const char *const head[NCOL] = { "Query", "Type", "Bailiwick",
	"Source", "Count", "Response", "First Seen (UTC)", "Last Seen (UTC)",
	"ASN", "CC" };
static const int right[NCOL] = { [C_COUNT] = 1, [C_ASN] = 1 };

/* The public suffix list, to keep a shortened name's registered domain
 * whole: loaded once, on the first name that needs shortening. */
static const psl_ctx_t *psl;
static pthread_once_t psl_once = PTHREAD_ONCE_INIT;

static void
psl_load(void)
{
	if ((psl = psl_latest(NULL)) == NULL)
		psl = psl_builtin();
}

/* Octets of the registered domain at the end of a name's text ("x.y.
 * example.co.uk." -> "example.co.uk."), or 0 when there is none. */
static size_t
registered_len(const char *s)
{
	char name[RV_NAME_STR_MAX];
	const char *rd;
	size_t n = strlen(s);

	if (n < 2 || n >= sizeof(name) || s[n - 1] != '.' ||
	    strchr(s, ' ') != NULL)
		return 0;
	memcpy(name, s, n - 1);
	name[n - 1] = '\0';
	pthread_once(&psl_once, psl_load);
	if (psl == NULL || (rd = psl_registrable_domain(psl, name)) == NULL)
		return 0;
	return n - (size_t)(rd - name);
}

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
	struct rvq_bw_memo bw;	/* the last bailiwick's text */
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
			size_t m = boff(s, w);
			while (m > 0 && s[m - 1] == ' ')	/* a cut head */
				m--;
			fwrite(s, 1, m, fp);
			*pend += w - (int)m;
			return;
		} else if (col == C_QUERY && w > 8) {	/* a...z: keep both ends */
			/* the registered domain whole when it fits */
			int reg = (int)registered_len(s);
			int tail = reg > 0 && reg + 4 <= w ? reg :
			    (w - 3) * 2 / 3;
			int lead = w - 3 - tail;
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

static int
same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Would two RRsets show as the same lines without their bailiwicks (one
 * name answered by two zones' servers, say the parent's and the child's)?
 * Then the table shows the Bailiwick column. An RRset starts a line with
 * its name; its other rdata follow on lines of their own. */
static int
look_alike(const struct cli_table *tb)
{
	size_t *start = malloc((tb->n + 1) * sizeof(*start)), ns = 0;
	int alike = 0;

	if (start == NULL)
		return 1;	/* show it rather than mislead */
	for (size_t i = 0; i < tb->n; i++)
		if (tb->rows[i].cell[C_QUERY] != NULL)
			start[ns++] = i;
	start[ns] = tb->n;
	for (size_t a = 0; a < ns && !alike; a++)
		for (size_t b = a + 1; b < ns && !alike; b++) {
			size_t la = start[a + 1] - start[a];
			const struct trow *x = &tb->rows[start[a]];
			const struct trow *y = &tb->rows[start[b]];

			if (la != start[b + 1] - start[b] ||
			    !same(x->cell[C_QUERY], y->cell[C_QUERY]) ||
			    !same(x->cell[C_TYPE], y->cell[C_TYPE]) ||
			    same(x->cell[C_ZONE], y->cell[C_ZONE]))
				continue;
			alike = 1;
			for (size_t l = 0; l < la && alike; l++)
				alike = same(x[l].cell[C_RESP],
				    y[l].cell[C_RESP]);
		}
	free(start);
	return alike;
}

/* Natural widths, then, on a narrow terminal, step by step: shorter
 * names and data, no Source, no CC/ASN, dates without times, shorter
 * still. */
static void
choose_widths(struct cli_out *o)
{
	int soft[NCOL] = { [C_QUERY] = 24, [C_SOURCE] = 9, [C_RESP] = 15 };
	static const int hard[NCOL] = { [C_QUERY] = 12, [C_RESP] = 12 };
	struct cli_table *tb = o->table;
	int natural[NCOL], room;

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
	tb->show[C_ZONE] = !tb->names && look_alike(tb);
	if (o->width <= 0)
		return;
	memcpy(natural, tb->w, sizeof(natural));
	/* names keep room for "x..." and their registered domain, up to a
	 * point, before the other columns give up theirs */
	for (size_t i = 0; i < tb->n; i++)
		if (tb->rows[i].cell[C_QUERY] != NULL) {
			int want = (int)registered_len(tb->rows[i].cell[C_QUERY]) +
			    4;
			if (want > soft[C_QUERY] && want <= 40)
				soft[C_QUERY] = want;
		}
	shrink(o, soft);
	if (total_width(tb) > o->width && !tb->names)
		tb->show[C_SOURCE] = 0;
	if (total_width(tb) > o->width)
		tb->show[C_CC] = 0;
	if (total_width(tb) > o->width)
		tb->show[C_ASN] = 0;
	if (total_width(tb) > o->width)
		tb->w[C_FIRST] = tb->w[C_LAST] = 10;	/* dates only */
	if (total_width(tb) > o->width)
		tb->show[C_ZONE] = 0;
	shrink(o, hard);
	/* what dropping a column freed goes back to names, then data */
	room = o->width - total_width(tb);
	for (int c = C_QUERY; c <= C_RESP && room > 0; c += C_RESP - C_QUERY) {
		int give = natural[c] - tb->w[c];
		if (give > room)
			give = room;
		if (give > 0 && tb->show[c]) {
			tb->w[c] += give;
			room -= give;
		}
	}
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
			if (r->zone_len > 0)
				rc |= make(&t, C_ZONE, rvq_bailiwick_str(
				    &o->table->bw, r));
			rvq_time_str(r->first, 0, buf, sizeof(buf));
			rc |= make(&t, C_FIRST, buf);
			rvq_time_str(r->last, 0, buf, sizeof(buf));
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
