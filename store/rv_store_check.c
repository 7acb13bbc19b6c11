/**
 * \file rv_store_check.c
 * rv_store_check: verify a whole database (`rearview check`). Every tree
 * is walked through the store's own guarded cursors, every key and value
 * decoded with the decoders the readers use, keys checked to come in
 * order, the trees' row and page counts held against LMDB's records and
 * the file, and the meta counters against the rows they count.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rv_be.h"
#include "rv_err.h"
#include "store_lmdb.h"
#include "store_seg.h"

#define PER_DB_SHOWN	10	/* problems described per database */
#define FREE_DBI	0	/* LMDB's own trees: free pages, main */
#define MAIN_DBI	1

struct chk {
	struct rv_store *st;
	struct rv_txn *txn;	/* the walk's */
	struct rv_check *out;
	rv_check_fn fn;
	void *arg;
	int db;			/* the database being walked */
	uint64_t row;		/* its row being looked at */
	unsigned shown[RV_DB_COUNT + 1];
	uint8_t sensors[65536 / 8];	/* ids named in meta */
	uint64_t nsensor_names, nsensor_ids;
	uint64_t sum_count;	/* counts of rrset and neg rows */
	int saturated;		/* a count at UINT32_MAX */
	uint64_t addresses;	/* distinct addresses of ip */
	uint8_t prev[RV_KEY_MAX];
	size_t prev_len;
	uint64_t segments;	/* seg: rows in meta */
	int pending;		/* an archive run's removal is unfinished */
};

static void
problem(struct chk *c, int db, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(struct chk *c, int db, const char *fmt, ...)
{
	char line[400];
	va_list ap;
	int n;

	c->out->problems++;
	if (db < RV_DB_COUNT)
		c->out->db[db].bad++;
	if (c->shown[db]++ >= PER_DB_SHOWN)
		return;
	n = snprintf(line, sizeof(line), "%s: ", db < RV_DB_COUNT ?
	    rv_db_name((enum rv_db)db) : "data.mdb");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	c->fn(db, line, c->arg);
}

/* "row N (key 0a0b...)" for a problem line. */
static const char *
where(struct chk *c, const struct rv_val *k, char *buf, size_t sz)
{
	size_t n = k->len < 24 ? k->len : 24, o;

	o = (size_t)snprintf(buf, sz, "row %" PRIu64 " (key ", c->row);
	for (size_t i = 0; i < n && o + 3 < sz; i++)
		o += (size_t)snprintf(buf + o, sz - o, "%02x",
		    ((const uint8_t *)k->data)[i]);
	snprintf(buf + o, sz - o, "%s)", k->len > n ? "..." : "");
	return buf;
}

static int
seen_ok(const struct rv_seen *s)
{
	return s->first <= s->last;
}

/* The sensors of an rrset or neg value: ascending, each one named. */
static int
sensors_ok(struct chk *c, const struct rv_rrset_val *v)
{
	for (unsigned i = 0; i < v->nsens; i++) {
		if (i > 0 && v->sensor[i] <= v->sensor[i - 1])
			return 0;
		if (!(c->sensors[v->sensor[i] / 8] & (1u << v->sensor[i] % 8)))
			return 0;
	}
	return 1;
}

static void
rrset_row(struct chk *c, const struct rv_val *k, const struct rv_val *v,
    int neg)
{
	struct rv_rrset_key key;
	struct rv_rrset_val val;
	const uint8_t *rd, *prd = NULL;
	uint16_t rl, prl = 0;
	size_t off = 0;
	char w[96];
	int db = neg ? RV_DB_NEG : RV_DB_RRSET;

	if ((neg ? rv_neg_key_decode(k->data, k->len, &key) :
	    rv_rrset_key_decode(k->data, k->len, &key)) != RV_OK) {
		problem(c, db, "%s: the key does not decode",
		    where(c, k, w, sizeof(w)));
		return;
	}
	if ((neg ? rv_neg_val_decode(v->data, v->len, &val) :
	    rv_rrset_val_decode(v->data, v->len, &val)) != RV_OK) {
		problem(c, db, "%s: the value does not decode",
		    where(c, k, w, sizeof(w)));
		return;
	}
	if (val.first > val.last)
		problem(c, db, "%s: first seen after last seen",
		    where(c, k, w, sizeof(w)));
	if (!sensors_ok(c, &val))
		problem(c, db, "%s: sensor ids out of order or not named in "
		    "meta", where(c, k, w, sizeof(w)));
	c->sum_count += val.count;
	if (val.count == UINT32_MAX)
		c->saturated = 1;
	if (neg)
		return;
	/* The set: canonical order, and the digest its key was made with. */
	while (rv_set_next(val.set, val.set_len, &off, &rd, &rl) == RV_OK) {
		if (prd != NULL && (rl < prl || (rl == prl &&
		    memcmp(rd, prd, rl) <= 0))) {
			problem(c, db, "%s: the rdata set is out of order",
			    where(c, k, w, sizeof(w)));
			break;
		}
		prd = rd;
		prl = rl;
	}
	if (rv_set_digest(val.set, val.set_len) != key.digest)
		problem(c, db, "%s: the rdata set does not match the digest "
		    "in its key", where(c, k, w, sizeof(w)));
}

static void
seen_row(struct chk *c, const struct rv_val *k, const struct rv_val *v)
{
	struct rv_rdata_key rk;
	struct rv_seen s;
	struct rv_ip ip;
	uint8_t name[RV_NAME_MAX];
	size_t nlen;
	uint32_t asn;
	int kr, vr;
	char w[96];

	switch (c->db) {
	case RV_DB_REGDOM:
		/* 'D' rows hold first/last, 'T' rows nothing. */
		kr = rv_regdom_key_decode(k->data, k->len, &asn, name, &nlen);
		if (((const uint8_t *)k->data)[0] == RV_REGDOM_TIME) {
			vr = v->len == 0 ? RV_OK : RV_EFORMAT;
			s.first = s.last = 0;
		} else {
			vr = rv_names_val_decode(v->data, v->len, &s);
		}
		break;
	case RV_DB_RDATA:
		kr = rv_rdata_key_decode(k->data, k->len, &rk);
		vr = rv_rdata_val_decode(v->data, v->len, &s);
		break;
	case RV_DB_NAMES:
		kr = rv_names_key_decode(k->data, k->len, name, &nlen);
		vr = rv_names_val_decode(v->data, v->len, &s);
		break;
	default:
		kr = rv_asn_key_decode(k->data, k->len, &asn, &ip);
		vr = rv_asn_val_decode(v->data, v->len, &s);
		break;
	}
	if (kr != RV_OK)
		problem(c, c->db, "%s: the key does not decode",
		    where(c, k, w, sizeof(w)));
	else if (vr != RV_OK)
		problem(c, c->db, "%s: the value does not decode",
		    where(c, k, w, sizeof(w)));
	else if (!seen_ok(&s))
		problem(c, c->db, "%s: first seen after last seen",
		    where(c, k, w, sizeof(w)));
}

static void
ip_row(struct chk *c, const struct rv_val *k, const struct rv_val *v)
{
	struct rv_ipinfo info;
	struct rv_ip ip;
	uint32_t since;
	char w[96];

	if (rv_ip_key_decode(k->data, k->len, &ip, &since) != RV_OK) {
		problem(c, RV_DB_IP, "%s: the key does not decode",
		    where(c, k, w, sizeof(w)));
		return;
	}
	if (rv_ipinfo_decode(v->data, v->len, &info) != RV_OK)
		problem(c, RV_DB_IP, "%s: the value does not decode",
		    where(c, k, w, sizeof(w)));
	/* A new address: the key without its since:4 differs. */
	if (c->prev_len != k->len || memcmp(c->prev, k->data, k->len - 4) != 0)
		c->addresses++;
}

static int
has_prefix(const struct rv_val *k, const char *p)
{
	size_t n = strlen(p);

	return k->len >= n && memcmp(k->data, p, n) == 0;
}

static void
meta_row(struct chk *c, const struct rv_val *k, const struct rv_val *v)
{
	const uint8_t *kb = k->data;
	struct rv_rdata_key rk;
	struct rv_val nk, nv;
	struct rv_key key;
	char w[96];
	size_t want = 0;
	int known = 1;

	if (k->len == 6 && memcmp(kb, "schema", 6) == 0) {
		want = 4;
	} else if (has_prefix(k, "stat:")) {
		want = 8;
		if (k->len == 15 && memcmp(kb + 5, "last_write", 10) == 0)
			want = 4;
		else {
			known = 0;
			for (int i = 0; i < RV_STAT_COUNT; i++) {
				const char *n = rv_stat_name((enum rv_stat)i);
				if (k->len == 5 + strlen(n) &&
				    memcmp(kb + 5, n, strlen(n)) == 0)
					known = 1;
			}
		}
	} else if (has_prefix(k, RV_SEG_META_PREFIX)) {
		want = RV_SEG_META_SIZE;	/* the archive's segments */
		c->segments++;
	} else if (k->len == sizeof(RV_SEG_SEQ_KEY) - 1 &&
	    memcmp(kb, RV_SEG_SEQ_KEY, k->len) == 0) {
		want = 8;
	} else if (k->len == sizeof(RV_SEG_PENDING_KEY) - 1 &&
	    memcmp(kb, RV_SEG_PENDING_KEY, k->len) == 0) {
		c->pending = 1;
		if (v->len < 2 || memchr(v->data, '\0', v->len) == NULL)
			problem(c, RV_DB_META, "%s: not a segment name and a "
			    "key", where(c, k, w, sizeof(w)));
		return;
	} else if (has_prefix(k, "sensor_stat#") && k->len == 14) {
		want = 12;
	} else if (has_prefix(k, "sensor_seq#") && k->len == 13) {
		want = 13 * 8;
	} else if (has_prefix(k, "sensor_dt#") && k->len == 12) {
		want = RV_DT_STAT_COUNT * 8;
	} else if (has_prefix(k, "sensor#") && k->len == 9) {
		if (v->len == 0 || v->len > RV_SENSOR_MAX) {
			problem(c, RV_DB_META, "%s: a sensor name of %zu "
			    "octets", where(c, k, w, sizeof(w)), v->len);
			return;
		}
		c->nsensor_ids++;
		c->sensors[rv_get16(kb + 7) / 8] |=
		    (uint8_t)(1u << rv_get16(kb + 7) % 8);
		return;
	} else if (has_prefix(k, "sensor:") && k->len > 7 &&
	    k->len <= 7 + RV_SENSOR_MAX) {
		if (v->len != 2) {
			problem(c, RV_DB_META, "%s: %zu octets, want 2",
			    where(c, k, w, sizeof(w)), v->len);
			return;
		}
		c->nsensor_names++;
		/* sensor:NAME -> id and sensor#id -> NAME agree. */
		memcpy(key.buf, "sensor#", 7);
		memcpy(key.buf + 7, v->data, 2);
		key.len = 9;
		nk = rv_key_val(&key);
		if (rv_get(c->st, c->txn, RV_DB_META, &nk, &nv) !=
		    RV_OK || nv.len != k->len - 7 ||
		    memcmp(nv.data, kb + 7, nv.len) != 0)
			problem(c, RV_DB_META, "%s: sensor %u has another "
			    "name, or none", where(c, k, w, sizeof(w)),
			    (unsigned)rv_get16(v->data));
		return;
	} else if (k->len == 13 && memcmp(kb, "names_targets", 13) == 0) {
		want = 4;
	} else if (k->len == 12 && memcmp(kb, "regdom_since", 12) == 0) {
		want = 4;
	} else if (has_prefix(k, "import:") &&
	    k->len == 7 + RV_IMPORT_FP_LEN) {	/* rv_store_import.c */
		want = 16;
	} else if (k->len == 16 && memcmp(kb, "names_targets_at", 16) == 0) {
		if (rv_rdata_key_decode(v->data, v->len, &rk) != RV_OK)
			problem(c, RV_DB_META, "%s: not an rdata key",
			    where(c, k, w, sizeof(w)));
		return;
	} else {
		known = 0;
	}
	if (!known)
		problem(c, RV_DB_META, "%s: not a key of the schema",
		    where(c, k, w, sizeof(w)));
	else if (v->len != want)
		problem(c, RV_DB_META, "%s: %zu octets, want %zu",
		    where(c, k, w, sizeof(w)), v->len, want);
}

/* LMDB's record of one tree (rows, pages), under the guard. */
static int
tree_stat(struct rv_store *st, MDB_txn *t, MDB_dbi dbi, MDB_stat *ms)
{
	int rc;

	RV_GUARD(st, rc, mdb_stat(t, dbi, ms));
	return rc;
}

/* Walk database db to its end, in a read transaction of its own (a tree
 * LMDB finds damaged spoils the transaction for the others). */
static int
walk(struct chk *c, int db)
{
	struct rv_check_db *o = &c->out->db[db];
	struct rv_cursor *cur = NULL;
	struct rv_val k, v;
	const char *why;
	MDB_stat ms;
	uint64_t max_rows = c->out->file_size / 8 + 1;
	int rc, mrc, order_shown = 0;

	c->db = db;
	c->row = 0;
	c->prev_len = 0;
	c->txn = NULL;
	if (c->st->absent[db])
		return RV_OK;	/* an optional database not created yet */
	if ((rc = rv_store_read_begin(c->st, &c->txn)) != RV_OK)
		goto leave;
	if ((mrc = tree_stat(c->st, lm_txn(c->txn), rv_store_dbi(c->st, db),
	    &ms)) != 0) {
		rc = rv_store_rc(c->st, mrc);
		goto leave;
	}
	o->entries = ms.ms_entries;
	o->pages = ms.ms_branch_pages + ms.ms_leaf_pages +
	    ms.ms_overflow_pages;
	/* the live tier: its trees against LMDB's records of them */
	if ((rc = rv_cursor_open_live(c->st, c->txn, (enum rv_db)db, &cur)) !=
	    RV_OK)
		goto leave;
	for (rc = rv_cursor_get(cur, &k, &v, RV_FIRST); rc == RV_OK;
	    rc = rv_cursor_get(cur, &k, &v, RV_NEXT)) {
		size_t n = k.len < c->prev_len ? k.len : c->prev_len;
		int cmp = memcmp(k.data, c->prev, n);
		if (c->row > 0 && (cmp < 0 || (cmp == 0 &&
		    k.len <= c->prev_len)) && !order_shown++)
			problem(c, db, "row %" PRIu64 ": keys out of order",
			    c->row);
		switch (db) {
		case RV_DB_RRSET:
		case RV_DB_NEG:
			rrset_row(c, &k, &v, db == RV_DB_NEG);
			break;
		case RV_DB_IP:
			ip_row(c, &k, &v);
			break;
		case RV_DB_META:
			meta_row(c, &k, &v);
			break;
		default:
			seen_row(c, &k, &v);
			break;
		}
		if (k.len > RV_KEY_MAX) {
			problem(c, db, "row %" PRIu64 ": a key of %zu octets",
			    c->row, k.len);
			c->prev_len = 0;
		} else {
			memcpy(c->prev, k.data, k.len);
			c->prev_len = k.len;
		}
		if (++c->row > max_rows) {
			problem(c, db, "more rows than data.mdb can hold: the "
			    "tree has a loop");
			rc = RV_ECORRUPT;
			break;
		}
	}
	if (rc == RV_ENOENT)
		rc = RV_OK;
	o->rows = c->row;
	o->walked = rc == RV_OK;
	if (rc == RV_OK && o->rows != o->entries)
		problem(c, db, "%" PRIu64 " rows, LMDB's record of the tree "
		    "says %" PRIu64, o->rows, o->entries);
leave:
	if (rc != RV_OK && !(rc == RV_ECORRUPT && c->row > max_rows)) {
		why = rv_store_why(c->st);
		problem(c, db, "the walk stopped after %" PRIu64 " rows: %s",
		    c->row, rc == RV_ECORRUPT && why != NULL ? why :
		    rv_strerror(rc));
	}
	rv_cursor_close(cur);
	rv_txn_abort(c->txn);
	c->txn = NULL;
	return rc;
}

/* One segment: every row decoded as the live tier's rows are, its rows
 * against the list's count; rrset and neg counts go into the sum. */
static void
segment(struct chk *c, const struct rv_seg_meta *m)
{
	static const enum rv_db dbs[] = { RV_DB_ASN, RV_DB_RDATA, RV_DB_NAMES,
	    RV_DB_NEG, RV_DB_RRSET };
	struct rv_seg seg;
	char path[4200];
	uint8_t *buf = NULL;
	size_t cap = 0;
	uint64_t rows = 0;
	int rc = RV_OK;

	memset(&seg, 0, sizeof(seg));
	seg.m = *m;
	if (rv_seg_path(c->st, m->name, path, sizeof(path)) != RV_OK ||
	    rv_seg_open_file(c->st, &seg, path) != RV_OK) {
		problem(c, RV_DB_COUNT, "archive segment %s does not open "
		    "(missing, or not a segment)", m->name);
		rv_seg_close_file(&seg);
		return;
	}
	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]) && rc == RV_OK;
	    i++) {
		struct rv_seg_it *it = NULL;
		const uint8_t *k, *v;
		size_t kl, vl, len;

		if ((rc = rv_seg_it_open(c->st, &seg, rv_seg_tag(dbs[i]), NULL,
		    0, &it)) != RV_OK)
			break;
		c->db = dbs[i];
		while ((rc = rv_seg_it_next(it, &k, &kl, &v, &vl)) == RV_OK) {
			struct rv_val kk = { kl, k }, vv;

			if (vl + 20 > cap) {
				uint8_t *nb = realloc(buf, vl + 20);

				if (nb == NULL) {
					rc = RV_ENOMEM;
					break;
				}
				buf = nb;
				cap = vl + 20;
			}
			c->row = rows++;
			if (rv_seg_val_unpack(dbs[i], v, vl, buf, cap, &len)) {
				problem(c, RV_DB_COUNT, "archive segment %s: "
				    "a %s value that does not decode", m->name,
				    rv_db_name(dbs[i]));
				continue;
			}
			vv.data = buf;
			vv.len = len;
			if (dbs[i] == RV_DB_RRSET || dbs[i] == RV_DB_NEG)
				rrset_row(c, &kk, &vv, dbs[i] == RV_DB_NEG);
			else
				seen_row(c, &kk, &vv);
		}
		rv_seg_it_close(it);
		if (rc == RV_ENOENT)
			rc = RV_OK;
	}
	free(buf);
	rv_seg_close_file(&seg);
	if (rc != RV_OK)
		problem(c, RV_DB_COUNT, "archive segment %s: %s after %" PRIu64
		    " rows", m->name, rc == RV_ECORRUPT ? "a damaged block" :
		    rv_strerror(rc), rows);
	else if (rows != m->rows)
		problem(c, RV_DB_COUNT, "archive segment %s: %" PRIu64 " rows, "
		    "the list says %" PRIu64, m->name, rows, m->rows);
	if (rc == RV_OK)
		c->out->segments_walked++;
	c->out->segment_rows += rows;
}

/* segments()'s walk: a row that does not decode is a problem, and the
 * walk goes on. */
struct seg_walk {
	struct chk *c;
	struct rv_seg_array sa;
};

static int
seg_listed(void *arg, const struct rv_seg_meta *m)
{
	struct seg_walk *w = arg;

	if (m == NULL) {
		problem(w->c, RV_DB_META, "a segment record that does not "
		    "decode");
		return RV_OK;
	}
	return rv_seg_array_add(&w->sa, m);
}

/* Every segment the meta database lists. */
static void
segments(struct chk *c)
{
	struct rv_txn *txn = NULL;
	struct seg_walk w = { c, { NULL, 0, 0 } };

	/* A read error ends the list: the segments found so far are read. */
	if (rv_store_read_begin(c->st, &txn) == RV_OK)
		(void)rv_seg_each(c->st, txn, seg_listed, &w);
	rv_txn_abort(txn);
	c->out->segments = w.sa.n;
	for (size_t i = 0; i < w.sa.n; i++)
		segment(c, &w.sa.a[i]);
	free(w.sa.a);
}

/* The meta counters against the rows they count. */
static void
counters(struct chk *c)
{
	struct rv_check *o = c->out;
	struct rv_store_stats s;
	struct rv_txn *txn = NULL;
	static const struct { enum rv_stat stat; int db; } rows[] = {
		{ RV_STAT_RRSETS, RV_DB_RRSET },
		{ RV_STAT_NEGATIVES, RV_DB_NEG },
	};
	int rc;

	if ((rc = rv_store_read_begin(c->st, &txn)) != RV_OK ||
	    (rc = rv_store_stats_read(c->st, txn, &s)) != RV_OK) {
		problem(c, RV_DB_META, "the counters cannot be read: %s",
		    rv_strerror(rc));
		rv_txn_abort(txn);
		return;
	}
	rv_txn_abort(txn);
	memcpy(o->stats, s.v, sizeof(o->stats));
	/* With segments, an RRset may have rows in both tiers, or in several
	 * segments before they merge: the row counters count live-row
	 * creations, so they bound nothing exact any more. */
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]) &&
	    c->segments == 0; i++)
		if (o->db[rows[i].db].walked &&
		    s.v[rows[i].stat] != o->db[rows[i].db].rows)
			problem(c, RV_DB_META, "counter %s is %" PRIu64 ", the "
			    "%s tree holds %" PRIu64 " rows",
			    rv_stat_name(rows[i].stat), s.v[rows[i].stat],
			    rv_db_name((enum rv_db)rows[i].db),
			    o->db[rows[i].db].rows);
	if (o->db[RV_DB_IP].walked && s.v[RV_STAT_IPS] != c->addresses)
		problem(c, RV_DB_META, "counter ips is %" PRIu64 ", the ip tree "
		    "holds %" PRIu64 " addresses", s.v[RV_STAT_IPS],
		    c->addresses);
	/* Counts add up over both tiers, unless a pending segment still
	 * shares rows with LMDB. */
	if (o->db[RV_DB_RRSET].walked && o->db[RV_DB_NEG].walked &&
	    !c->pending && o->segments_walked == c->segments &&
	    (c->saturated ? s.v[RV_STAT_OBSERVATIONS] < c->sum_count :
	    s.v[RV_STAT_OBSERVATIONS] != c->sum_count))
		problem(c, RV_DB_META, "counter observations is %" PRIu64 ", "
		    "the counts of the rrset and neg rows add up to %" PRIu64,
		    s.v[RV_STAT_OBSERVATIONS], c->sum_count);
	if (s.v[RV_STAT_FRAMES_OVERSIZE] > s.v[RV_STAT_FRAMES_REJECTED])
		problem(c, RV_DB_META, "counter frames_oversize (%" PRIu64 ") "
		    "is above frames_rejected (%" PRIu64 ")",
		    s.v[RV_STAT_FRAMES_OVERSIZE], s.v[RV_STAT_FRAMES_REJECTED]);
	if (o->db[RV_DB_META].walked && c->nsensor_names != c->nsensor_ids)
		problem(c, RV_DB_META, "%" PRIu64 " sensor names but %" PRIu64
		    " sensor ids", c->nsensor_names, c->nsensor_ids);
}

/* LMDB's free list: records of page numbers (a count, then the pages). */
static int
free_pages(struct rv_store *st, MDB_cursor *mc, MDB_cursor_op op,
    MDB_val *k, MDB_val *v)
{
	int rc;

	RV_GUARD(st, rc, mdb_cursor_get(mc, k, v, op));
	return rc;
}

static int
free_cursor(struct rv_store *st, MDB_txn *t, MDB_cursor **mc)
{
	int rc;

	RV_GUARD(st, rc, mdb_cursor_open(t, FREE_DBI, mc));
	return rc;
}

/*
 * Every page up to the last one is a meta page, a page of a tree (as the
 * trees' records count them) or on the free list: LMDB's own audit
 * (mdb_audit, its debug builds only), through the public API.
 */
static void
audit_pages(struct chk *c)
{
	struct rv_check *o = c->out;
	struct rv_txn *txn = NULL;
	MDB_cursor *mc = NULL;
	MDB_stat ms;
	MDB_val k, v;
	uint64_t used = 2, nfree = 0;
	int rc, mrc;

	for (int db = 0; db < RV_DB_COUNT; db++)
		if (!o->db[db].walked)
			return;		/* reported already */
	if ((rc = rv_store_read_begin(c->st, &txn)) != RV_OK)
		return;
	for (int db = 0; db < RV_DB_COUNT; db++)
		used += o->db[db].pages;
	for (MDB_dbi d = FREE_DBI; d <= MAIN_DBI; d++) {
		if ((mrc = tree_stat(c->st, lm_txn(txn), d, &ms)) != 0)
			goto fail;
		used += ms.ms_branch_pages + ms.ms_leaf_pages +
		    ms.ms_overflow_pages;
	}
	if ((mrc = free_cursor(c->st, lm_txn(txn), &mc)) != 0)
		goto fail;
	for (mrc = free_pages(c->st, mc, MDB_FIRST, &k, &v); mrc == 0;
	    mrc = free_pages(c->st, mc, MDB_NEXT, &k, &v)) {
		size_t n;
		if (!rv_span_ok(c->st, &v) || v.mv_size < sizeof(size_t) ||
		    v.mv_size % sizeof(size_t) != 0) {
			problem(c, RV_DB_COUNT, "a record of the free-page list "
			    "of %zu octets", v.mv_size);
			goto leave;
		}
		memcpy(&n, v.mv_data, sizeof(n));
		if ((n + 1) * sizeof(size_t) != v.mv_size) {
			problem(c, RV_DB_COUNT, "a record of the free-page list "
			    "counts %zu pages in %zu octets", n, v.mv_size);
			goto leave;
		}
		nfree += n;
	}
	if (mrc != MDB_NOTFOUND)
		goto fail;
	o->free_pages = nfree;
	o->tree_pages = used - 2;
	if (used + nfree != o->last_page + 1)
		problem(c, RV_DB_COUNT, "%" PRIu64 " pages in trees, %" PRIu64
		    " free and 2 meta pages, but the last page is %" PRIu64,
		    used - 2, nfree, o->last_page);
	goto leave;
fail:
	rc = rv_store_rc(c->st, mrc);
	problem(c, RV_DB_COUNT, "the page count stopped: %s",
	    rv_store_why(c->st) ? rv_store_why(c->st) : rv_strerror(rc));
leave:
	if (mc != NULL)
		mdb_cursor_close(mc);
	rv_txn_abort(txn);
}

int
rv_store_check(struct rv_store *st, struct rv_check *out, rv_check_fn fn,
    void *arg)
{
	static const int order[RV_DB_COUNT] = {	/* meta first: sensors */
		RV_DB_META, RV_DB_RRSET, RV_DB_NEG, RV_DB_RDATA, RV_DB_NAMES,
		RV_DB_IP, RV_DB_ASN, RV_DB_REGDOM,
	};
	struct chk *c;
	MDB_envinfo info;
	struct stat sb;
	int rc = RV_OK;

	memset(out, 0, sizeof(*out));
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return RV_ENOMEM;
	c->st = st;
	c->out = out;
	c->fn = fn;
	c->arg = arg;
	out->psize = st->psize;
	RV_GUARD(st, rc, mdb_env_info(st->env, &info));
	if (rc != 0 || fstat(st->data_fd, &sb) != 0) {
		rc = rc ? rv_store_rc(st, rc) : RV_EIO;
		goto leave;
	}
	out->last_page = info.me_last_pgno;
	out->file_size = (uint64_t)sb.st_size;
	if (rv_store_why(st) != NULL)	/* found on the way in */
		problem(c, RV_DB_COUNT, "%s", rv_store_why(st));
	for (int i = 0; i < RV_DB_COUNT; i++) {
		rc = walk(c, order[i]);
		if (atomic_load(&st->unusable))
			goto leave;	/* a fault: LMDB is not called again */
	}
	segments(c);
	counters(c);
	audit_pages(c);
	rc = atomic_load(&st->unusable) ? RV_ECORRUPT : RV_OK;
	out->complete = rc == RV_OK;
leave:
	if (atomic_load(&st->unusable))
		rc = RV_ECORRUPT;
	free(c);
	return rc;
}
