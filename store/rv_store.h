/**
 * \file rv_store.h
 * The store: opening it, its named databases, transactions, cursors and
 * scans in the store's own types, key builders and decoders for every
 * database of store/SCHEMA.md, rdata-set canonicalisation, and the
 * writer-side value encoders. LMDB is the engine today; no caller sees its
 * types (struct rv_txn, rv_cursor and rv_val are the store's), so another
 * engine can sit behind the same functions.
 *
 * One writer (rearviewd's flusher, or an import) and any number of readers
 * (the CLI). Readers open with RV_STORE_RDONLY: no write lock, never
 * blocking the writer; keep read transactions short (a long reader makes
 * the file grow). Every write goes through rv_store_write, which grows a
 * full map and runs the transaction again.
 *
 * Ownership and lifetime:
 *  - struct rv_store owns the environment and the database handles, until
 *    rv_store_close().
 *  - every pointer a decoder, a cursor or rv_get returns into a key or
 *    value (struct rv_rrset_key.owner is copied, but rv_rrset_val.set,
 *    rv_key spans, struct rv_val, ...) points into the store's memory and
 *    is valid only until the transaction that produced it ends (commit or
 *    abort) or, in a write transaction, until the next write. Copy what
 *    you keep.
 *  - struct rv_key, struct rv_rrset_key, struct rv_rdata_key and struct
 *    rv_ipinfo are self-contained buffers the caller owns.
 *  - no store may be used across fork(), nor a transaction from two
 *    threads at once (read transactions are not tied to a thread, so one
 *    thread may hold several).
 *
 * Errors: functions return 0 or an enum rv_err code; the engine's codes
 * are translated in one place inside store/ (store_lmdb.h).
 */
#ifndef RV_STORE_H
#define RV_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "rv_frame.h"
#include "rv_ip.h"
#include "rv_name.h"

#define RV_SCHEMA_VERSION 1

/** Longest key LMDB accepts (its default MDB_MAXKEYSIZE). Keys that would
 * be longer are refused with RV_ETOOBIG (only absurd names reach it). */
#define RV_KEY_MAX 511

/** Buffer for a sensor name and its NUL (RV_SENSOR_MAX + 1). */
#define RV_SENSOR_NAME_BUF 65

/** Max sensor ids kept per RRset (the value's nsens is one octet). */
#define RV_SENSORS_MAX 64

/** Max rdata in one stored RRset (rdcount is two octets). */
#define RV_SET_RDATA_MAX 65535

/** Text buffer for rv_ipinfo org and city (+NUL); stored lengths are 1 octet. */
#define RV_INFO_STR_MAX 256

/** lat/lon value meaning "no location". */
#define RV_LATLON_NONE INT32_MIN

/** The named databases (SCHEMA.md). */
enum rv_db {
	RV_DB_RRSET = 0,	/**< "rrset": owner/type/bailiwick/digest */
	RV_DB_NEG,		/**< "neg": negative answers */
	RV_DB_RDATA,		/**< "rdata": reverse index */
	RV_DB_NAMES,		/**< "names": forward-order owner and target names */
	RV_DB_IP,		/**< "ip": enrichment periods per address */
	RV_DB_ASN,		/**< "asn": ASN -> address */
	RV_DB_REGDOM,		/**< "regdom": registered domains' first seen
				 * (absent from databases no writer of this
				 * version has opened: rv_get and
				 * rv_cursor_open say RV_ENOENT) */
	RV_DB_META,		/**< "meta": schema, sensors, counters */
	RV_DB_COUNT
};

/** rdata key tags (SCHEMA.md). */
enum rv_rdata_tag {
	RV_TAG_IPV4 = 0x04,
	RV_TAG_IPV6 = 0x06,
	RV_TAG_HASH = 0x48,	/**< 'H' digest of one canonical rdata */
	RV_TAG_NAME = 0x4e,	/**< 'N' NK(target) */
};

/* ---------------------------------------------------------------------- */
/* Environment                                                             */

/** rv_store_open flags. */
#define RV_STORE_RDONLY	0x01	/**< reader: MDB_RDONLY, db must exist */
#define RV_STORE_CREATE	0x02	/**< writer: create the directory and dbs */
#define RV_STORE_SYNC	0x04	/**< writer: sync every commit (default
				 * MDB_NOSYNC + rv_store_sync, see SCHEMA.md) */
#define RV_STORE_EXCL	0x08	/**< writer: the only one. Holds an flock on
				 * DIR/writer.lock (with its pid in it) until
				 * rv_store_close; RV_EBUSY if another process
				 * holds it */

/** Opaque store handle. */
struct rv_store;

/**
 * Open the environment in directory \p path.
 * Readers (RV_STORE_RDONLY): a missing directory, a missing data.mdb or an
 * environment without rearview's databases gives RV_ENOENT; another schema
 * version RV_EVERSION. Writers: RV_STORE_CREATE creates what is missing and
 * writes the schema version; the map starts at \p mapsize (0: 1 GiB) and
 * grows on demand (rv_store_grow).
 *
 * A damaged file gives RV_ECORRUPT before anything reads beyond its end:
 * a meta page that is not LMDB's, a page size out of range, a data.mdb
 * shorter than the last page its meta page names, a named database
 * missing from an environment that has the others. rv_store_why(NULL)
 * then says which (also who holds the lock for RV_EBUSY).
 *
 * Damage found later, by any function of an open store, is RV_ECORRUPT
 * too, never a signal: LMDB's page checks (a page number past the last
 * page, a page of the wrong type), a SIGBUS/SIGSEGV or LMDB assertion
 * inside the store's LMDB calls (after which the store is unusable: every
 * call returns RV_ECORRUPT; close it), and keys or values that would reach
 * past the end of the file. rv_store_why(st) says what was found.
 * \param out	the handle; free it with rv_store_close()
 * \return 0, RV_ENOENT, RV_EVERSION, RV_ECORRUPT, RV_EBUSY, RV_EIO (see
 *	errno), RV_ENOMEM.
 */
int rv_store_open(const char *path, unsigned flags, size_t mapsize,
    struct rv_store **out);

/**
 * What damage the store found, one phrase ("data.mdb is shorter than its
 * last page: 6000 octets, meta page 0 names page 368"), NULL when none.
 * With \p st NULL: why this thread's last rv_store_open failed with
 * RV_ECORRUPT or RV_EBUSY. Valid until the store is closed (or the
 * thread's next open).
 */
const char *rv_store_why(struct rv_store *st);

/** Close; safe on NULL. No transaction may be open. */
void rv_store_close(struct rv_store *st);

/** A transaction. Read-only ones may be many per thread and live in any
 * thread (MDB_NOTLS); the write one belongs to the store's one writer. */
struct rv_txn;

/** A cursor on one database within one transaction. */
struct rv_cursor;

/** A key or value: \p len octets at \p data. Returned ones point into the
 * store's memory: valid until the transaction ends or, in a write
 * transaction, until the next write. */
struct rv_val {
	size_t len;
	const void *data;
};

/** Name of a database ("rrset", "neg", ...). */
const char *rv_db_name(enum rv_db db);

/**
 * Begin a read-only transaction. Adopts a map the writer grew. End it with
 * rv_txn_abort().
 */
int rv_store_read_begin(struct rv_store *st, struct rv_txn **txn);

/** Begin a write transaction (writer only: RV_ESTATE for a reader). */
int rv_store_write_begin(struct rv_store *st, struct rv_txn **txn);

/**
 * Commit and end a write transaction (or end a read one). A commit that
 * fails while the file system is nearly full returns RV_ENOSPC (LMDB
 * reports the short write as EIO). The transaction is gone either way.
 */
int rv_txn_commit(struct rv_store *st, struct rv_txn *txn);

/** Abort and end a transaction; safe on NULL. */
void rv_txn_abort(struct rv_txn *txn);

/**
 * The store's one helper for writing: run \p fn in a write transaction
 * and commit it. When the map is full (inside \p fn or at the commit) the
 * transaction is aborted, the map grown (rv_store_grow) and \p fn run
 * again, up to 16 times; \p fn must therefore start from the same state
 * each time and keep nothing of an aborted attempt. No other transaction
 * of the writer may be open.
 * \param grows	out, may be NULL: how many times the map grew
 * \return 0, \p fn's error, RV_ENOSPC (disk full, or the map cannot
 *	grow), an engine error.
 */
int rv_store_write(struct rv_store *st,
    int (*fn)(struct rv_store *st, struct rv_txn *txn, void *arg), void *arg,
    unsigned *grows);

/** Did the last write operation of this store (put, cursor put, commit)
 * fail because the map was full? Cleared by each write begin. For writers
 * that manage their own retries (rv_store_write does). */
int rv_store_map_full(const struct rv_store *st);

/**
 * Grow the map (writer, no transaction open): doubles it, at least by
 * 256 MiB and at most by 8 GiB.
 */
int rv_store_grow(struct rv_store *st);

/**
 * Writer, after a large write transaction: let the next write reuse the
 * pages this one freed. LMDB reuses a page freed by transaction N only
 * from N+2 on (N+1 must keep N-1's snapshot, the fallback meta page), so a
 * flush that rewrites most of the tree (random keys) would otherwise need
 * room for three generations of what it touches: the file grows to about
 * (1 + 2f) times its pages in use, f the share of pages one flush touches.
 * This commits a one-row transaction (the schema row, unchanged), which
 * makes it (1 + f). See bench/storage. \return 0, or the store's error.
 */
int rv_store_release_freed(struct rv_store *st);

/**
 * Copy the database into \p dir (an existing empty directory) as
 * DIR/data.mdb, fsynced: a consistent snapshot, taken in a read
 * transaction while writers go on. \p compact: only the pages in use,
 * renumbered (mdb_copy -c); else the file's pages as they are.
 * \return 0, RV_EIO, RV_ENOSPC, or the store's error.
 */
int rv_store_copy(struct rv_store *st, const char *dir, int compact);

/** What rv_store_compact did. */
struct rv_compact_result {
	uint64_t before;	/**< data.mdb's octets before */
	uint64_t after;		/**< and after: the pages in use */
	int64_t copy_ms;	/**< writing the copy (commits must wait) */
	int64_t ms;		/**< in all */
	int swapped;		/**< the copy replaced data.mdb */
};

/**
 * Writer (RV_STORE_EXCL): replace data.mdb by a compacted copy of itself
 * (only its pages in use), online: readers of other processes go on and
 * open the new file at their next transaction (rv_store_compact.c says
 * how). The caller commits nothing until it returns and holds no
 * transaction of \p st; it needs free disk for the pages in use.
 * kill -9 at any point leaves a sound database.
 * \return 0; RV_ESTATE (a reader, not the one writer, or a commit during
 * the copy), RV_ENOSPC, RV_EIO, the store's errors. An error with
 * res->swapped 0 left data.mdb as it was and the store usable; with
 * res->swapped 1 the new file could not be opened: the store is unusable
 * (transactions fail) until it is closed and opened again.
 */
int rv_store_compact(struct rv_store *st, struct rv_compact_result *res);

/** Current map size in octets. */
size_t rv_store_mapsize(const struct rv_store *st);

/**
 * Where the database file's octets are: LMDB never returns pages to the
 * file system, so the file holds every page ever written; the pages on
 * its free list are reusable by later writes.
 */
struct rv_store_space {
	uint64_t page_bytes;	/**< LMDB's page size */
	uint64_t pages_bytes;	/**< up to the last page written */
	uint64_t free_bytes;	/**< on the free list (as of \p txn) */
	uint64_t used_bytes;	/**< pages_bytes - free_bytes */
};
/** \return 0, or the store's error. Reads the free list: O(its
 * entries). */
int rv_store_space(struct rv_store *st, struct rv_txn *txn,
    struct rv_store_space *out);

/**
 * Octets free for an unprivileged writer on the database's file system
 * (statvfs).
 */
int rv_store_disk_free(const struct rv_store *st, uint64_t *bytes);

/** Flush the data to disk (mdb_env_sync): bound what a machine crash can
 * lose. */
int rv_store_sync(struct rv_store *st);

/** Number of entries of a database in this transaction. */
int rv_store_rows(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    uint64_t *rows);

/** The value of key \p k. \return 0, RV_ENOENT, an error. */
int rv_get(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    const struct rv_val *k, struct rv_val *v);

/** rv_put and rv_cursor_put flags. */
#define RV_PUT_APPEND	0x01	/**< the key sorts after every key: append */
#define RV_PUT_CURRENT	0x02	/**< cursor put: replace the current value,
				 * \p k must be the current key */

/** Writer: store (or replace) \p k -> \p v. */
int rv_put(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    const struct rv_val *k, const struct rv_val *v, unsigned flags);

/** Writer: delete \p k. \return 0, RV_ENOENT, an error. */
int rv_del(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    const struct rv_val *k);

/** Cursor positioning. */
enum rv_op {
	RV_FIRST,	/**< the first key */
	RV_LAST,	/**< the last key */
	RV_NEXT,	/**< the next key */
	RV_PREV,	/**< the previous key */
	RV_SET_KEY,	/**< exactly k */
	RV_SET_RANGE,	/**< the first key >= k */
	RV_CURRENT,	/**< where the cursor is */
};

/** Open a cursor; it ends with its transaction at the latest. */
int rv_cursor_open(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    struct rv_cursor **c);

/** Close a cursor before its transaction ends; safe on NULL. */
void rv_cursor_close(struct rv_cursor *c);

/** Move and read: \p k is read for RV_SET_* and set to the key found.
 * \return 0, RV_ENOENT (no such key: the end, or nothing >= k), an
 * error. */
int rv_cursor_get(struct rv_cursor *c, struct rv_val *k, struct rv_val *v,
    enum rv_op op);

/** Writer: store through the cursor (RV_PUT_CURRENT, RV_PUT_APPEND). */
int rv_cursor_put(struct rv_cursor *c, const struct rv_val *k,
    const struct rv_val *v, unsigned flags);
/** Delete the row the cursor is on. */
int rv_cursor_del(struct rv_cursor *c);

/* ---------------------------------------------------------------------- */
/* Keys and scans                                                          */

/** A key buffer; build with the rv_key_* functions. */
struct rv_key {
	size_t len;
	uint8_t buf[RV_KEY_MAX];
};

/** A view of a key (points into k). */
struct rv_val rv_key_val(const struct rv_key *k);

/**
 * Callback of rv_store_scan: key and value point into the store's memory
 * (valid until the transaction ends). Return 0 to go on, RV_ENOENT to stop
 * quietly (rv_store_scan then returns 0), any other code to stop with it.
 */
typedef int (*rv_scan_fn)(const struct rv_val *key, const struct rv_val *val,
    void *arg);

/**
 * Visit, in key order, every key k of \p db with k >= lo and with
 * k's first hi.len octets <= hi (hi is an inclusive bound on the prefix).
 * A prefix scan is lo == hi == the prefix; a CIDR scan is the two
 * rv_key_rdata_range() bounds.
 * \return 0 (also when nothing matched), the callback's code, or an error.
 */
int rv_store_scan(struct rv_store *st, struct rv_txn *txn, enum rv_db db,
    const struct rv_key *lo, const struct rv_key *hi, rv_scan_fn fn,
    void *arg);

/**
 * rv_store_scan through a cursor the caller keeps open for many scans of
 * one database in one transaction: on a database with archive segments,
 * successive scans at nearby keys reuse the segments' decoded blocks
 * instead of decoding them again (an ASN pivot scans once per address).
 */
int rv_store_scan_cursor(struct rv_cursor *c, const struct rv_key *lo,
    const struct rv_key *hi, rv_scan_fn fn, void *arg);
/** Does this cursor read archive segments too? */
int rv_cursor_tiered(const struct rv_cursor *c);

/** Does the key k start with prefix p? */
int rv_key_has_prefix(const struct rv_val *k, const struct rv_key *p);

/* --- rrset: NK(owner) type:2 BW DIGEST:8 --- */

/** The full rrset key. zone may be NULL (root bailiwick). */
int rv_key_rrset(struct rv_key *k, const uint8_t *owner, size_t olen,
    uint16_t type, const uint8_t *zone, size_t zlen, uint64_t digest);

/** Prefix: all RRsets of exactly this owner name (any type). */
int rv_key_rrset_name(struct rv_key *k, const uint8_t *owner, size_t olen);

/** Prefix: all RRsets of this owner name and type. */
int rv_key_rrset_name_type(struct rv_key *k, const uint8_t *owner,
    size_t olen, uint16_t type);

/** Prefix: all RRsets of this name and every name below it. */
int rv_key_rrset_sub(struct rv_key *k, const uint8_t *name, size_t nlen);

/** A decoded rrset (or neg) key; names are copied out (wire, lowercase). */
struct rv_rrset_key {
	uint8_t owner[RV_NAME_MAX];	size_t owner_len;
	uint16_t type;			/**< qtype for neg keys */
	uint8_t rcode;			/**< neg keys only */
	uint8_t zone[RV_NAME_MAX];	size_t zone_len;	/**< bailiwick */
	uint64_t digest;		/**< rrset keys only */
};

/** Decode an rrset key. \return 0, RV_ECORRUPT. */
int rv_rrset_key_decode(const uint8_t *k, size_t len,
    struct rv_rrset_key *out);

/* --- neg: NK(qname) qtype:2 rcode:1 BW --- */

int rv_key_neg(struct rv_key *k, const uint8_t *qname, size_t qlen,
    uint16_t qtype, uint8_t rcode, const uint8_t *zone, size_t zlen);
/* Prefixes of neg keys are those of rrset keys (rv_key_rrset_name,
 * rv_key_rrset_sub): both start with NK(name). */
/** Decode a neg key (digest is 0). */
int rv_neg_key_decode(const uint8_t *k, size_t len, struct rv_rrset_key *out);

/* --- rdata: tag:1 payload type:2 NK(owner) --- */

/** Row for an A (family 4) or AAAA (family 6) address. */
int rv_key_rdata_ip(struct rv_key *k, const struct rv_ip *ip, uint16_t type,
    const uint8_t *owner, size_t olen);
/** Row for a target name (NS, CNAME, MX, ...: rv_rdata_target). */
int rv_key_rdata_name(struct rv_key *k, const uint8_t *target, size_t tlen,
    uint16_t type, const uint8_t *owner, size_t olen);
/** Row for any other rdata: the digest of the one canonical rdata. */
int rv_key_rdata_hash(struct rv_key *k, uint64_t digest, uint16_t type,
    const uint8_t *owner, size_t olen);

/**
 * Writer fast path: an rdata key from parts already encoded: \p payload is
 * the 4/16 address octets (tags 0x04/0x06), NK(target) (tag 'N') or the
 * 8 big-endian digest octets (tag 'H'); \p owner_nk is NK(owner), e.g. the
 * start of the RRset's rrset key, so the rows of one set share it.
 */
int rv_key_rdata_nk(struct rv_key *k, uint8_t tag, const uint8_t *payload,
    size_t plen, uint16_t type, const uint8_t *owner_nk, size_t nklen);

/** Scan bounds [lo, hi] for an address range (a CIDR, FROM-TO, one IP). */
int rv_key_rdata_range(struct rv_key *lo, struct rv_key *hi,
    const struct rv_iprange *r);
/** Prefix for a target name; sub: also every name below it. */
int rv_key_rdata_name_prefix(struct rv_key *k, const uint8_t *target,
    size_t tlen, int sub);
/** Prefix for one rdata digest (rv_rdata_digest). */
int rv_key_rdata_hash_prefix(struct rv_key *k, uint64_t digest);

/** A decoded rdata key. */
struct rv_rdata_key {
	uint8_t tag;			/**< enum rv_rdata_tag */
	struct rv_ip ip;		/**< tags 0x04/0x06 */
	uint8_t target[RV_NAME_MAX];	size_t target_len;	/**< tag 'N' */
	uint64_t digest;		/**< tag 'H' */
	uint16_t type;
	uint8_t owner[RV_NAME_MAX];	size_t owner_len;
};
int rv_rdata_key_decode(const uint8_t *k, size_t len,
    struct rv_rdata_key *out);

/* --- names: FK(name) (rv_name_key_fwd) of owners and target names --- */

/** Row key of a name seen as an owner or as a target (rv_rdata_target). */
int rv_key_names(struct rv_key *k, const uint8_t *owner, size_t olen);
/** Prefix for right-hand wildcards: "www.example" matches www.example.*.
 * \p labels is a wire name of the leading labels (e.g. from
 * rv_name_from_str("www.example")), its root label ignored. */
int rv_key_names_prefix(struct rv_key *k, const uint8_t *labels, size_t llen);
/** Decode a names key back to a wire name (RV_NAME_MAX buffer). */
int rv_names_key_decode(const uint8_t *k, size_t len, uint8_t *owner,
    size_t *olen);

/* --- ip: family:1 addr:4/16 since:4 --- */

int rv_key_ip(struct rv_key *k, const struct rv_ip *ip, uint32_t since);
/** Prefix: all periods of one address. */
int rv_key_ip_prefix(struct rv_key *k, const struct rv_ip *ip);
int rv_ip_key_decode(const uint8_t *k, size_t len, struct rv_ip *ip,
    uint32_t *since);

/* --- asn: asn:4 family:1 addr:4/16 --- */

int rv_key_asn(struct rv_key *k, uint32_t asn, const struct rv_ip *ip);
/** Prefix: every address seen in an ASN. */
int rv_key_asn_prefix(struct rv_key *k, uint32_t asn);
int rv_asn_key_decode(const uint8_t *k, size_t len, uint32_t *asn,
    struct rv_ip *ip);

/* ---------------------------------------------------------------------- */
/* The archive tier (docs/ARCHIVE.md)                                      */

/*
 * Readers (RV_STORE_RDONLY) see the rrset, neg, rdata, names and asn
 * databases of both tiers as one: rv_cursor_open, rv_cursor_get (not
 * RV_PREV, RV_LAST: RV_ENOTSUP) and rv_store_scan merge the live rows with
 * the archive's segments. rv_get and rv_store_rows read the live tier
 * only. Writers see the live tier only.
 */

/** What one archive job did (rv_archive_job_result). */
struct rv_archive_result {
	char segment[48];	/**< the segment written, "" if none */
	uint64_t rows;		/**< rows written into it */
	uint64_t rows_db[RV_DB_COUNT];
	uint64_t bytes;		/**< its size */
	uint64_t deleted;	/**< live rows removed */
	uint64_t kept;		/**< live rows seen again meanwhile, kept as
				 * what they hold beyond the archived copy */
	int resumed;		/**< a killed run's removal was finished */
	uint64_t merges;	/**< merges: segments made */
	uint64_t merged;	/**< ... out of this many */
	uint64_t dropped;	/**< rv_archive_retain: segments dropped */
	uint64_t dropped_rows;	/**< ... with this many rows */
};

/**
 * After rv_store_copy(\p src, \p dir): give the copy the segments its
 * meta database lists, as hard links into DIR/archive/ (copies across
 * file systems), fsynced. \p missing (cap octets) gets the name of a
 * segment that could not be linked (gone: an archive run merged it
 * meanwhile; run the backup again). \return 0, RV_EIO, RV_ENOSPC, error.
 */
int rv_archive_copy_segments(struct rv_store *src, const char *dir,
    char *missing, size_t cap);

/**
 * The whole archive work as a job a writer runs a step at a time between
 * its other writes (rearviewd between flushes; rearview archive in one
 * go): finish a killed run's removal; write and list a new segment of the
 * rows of rrset, neg, rdata, names and asn last seen before \p cutoff and
 * remove them from LMDB (see rv_archive.c for the steps and why a kill -9
 * at any point is safe); drop segments past \p retain_before (0: keep
 * all); with \p merge, merge consecutive segments of about the same size,
 * RV_MERGE_FANIN (4) at a time, until no such run is left (size-tiered: a
 * few segments of each size, like days, months and years). RV_ESTATE for
 * a reader.
 */
struct rv_archive_job;
int rv_archive_job_new(struct rv_store *st, uint32_t cutoff,
    uint32_t retain_before, int merge, struct rv_archive_job **out);
/**
 * One step: at most about \p budget rows read, written or removed, in at
 * most one write transaction. *done when the job is over.
 * \return 0, or an error (the job may be freed and a new one started
 * later: it resumes from what the store says).
 */
int rv_archive_job_step(struct rv_archive_job *j, unsigned budget,
    int *done);
/** What the job did so far. */
const struct rv_archive_result *rv_archive_job_result(
    const struct rv_archive_job *j);
void rv_archive_job_free(struct rv_archive_job *j);

/**
 * Writer: drop the segments whose every row was last seen before
 * \p before (whole segments; rows are never rewritten for retention).
 * Sets res->dropped and res->dropped_rows.
 */
int rv_archive_retain(struct rv_store *st, uint32_t before,
    struct rv_archive_result *res);

/** The archive's totals as of \p txn. */
struct rv_archive_info {
	uint64_t segments, rows, bytes;
	uint64_t rrsets;	/**< rrset rows among rows */
	uint32_t first, last;	/**< the rows' time range (0 0: none) */
	int pending;		/**< a run's removal is unfinished */
};
int rv_archive_info(struct rv_store *st, struct rv_txn *txn,
    struct rv_archive_info *out);

/** The first damage found in an archive segment, NULL if none (queries
 * skip a damaged segment and go on; say this to the user). */
const char *rv_store_seg_why(struct rv_store *st);

/* ---------------------------------------------------------------------- */
/* Values                                                                  */

/**
 * An rrset value (also a neg value, whose set is empty). Decoding copies
 * the numbers and sensor ids; set points into LMDB memory.
 */
struct rv_rrset_val {
	uint32_t first, last;		/**< epoch seconds */
	uint32_t count;			/**< saturates at UINT32_MAX */
	uint32_t ttl_min, ttl_max;	/**< ttl_min > ttl_max: TTL unknown
					 * (only imported observations) */
	uint8_t nsens;
	uint16_t sensor[RV_SENSORS_MAX];	/**< sorted sensor ids */
	uint16_t rdcount;
	const uint8_t *set;	size_t set_len;	/**< SET: iterate with rv_set_next */
};

/** Decode an rrset value. \return 0, RV_ECORRUPT. */
int rv_rrset_val_decode(const uint8_t *v, size_t len, struct rv_rrset_val *out);
/** Decode a neg value (set NULL, rdcount 0). */
int rv_neg_val_decode(const uint8_t *v, size_t len, struct rv_rrset_val *out);
/** Encoded size of an rrset value / neg value. */
size_t rv_rrset_val_size(const struct rv_rrset_val *v);
size_t rv_neg_val_size(const struct rv_rrset_val *v);
/** Encode (writer). out must hold rv_rrset_val_size() octets. */
void rv_rrset_val_encode(const struct rv_rrset_val *v, uint8_t *out);
void rv_neg_val_encode(const struct rv_rrset_val *v, uint8_t *out);

/**
 * Merge \p add into \p into: min first, max last, summed count (saturating),
 * min/max TTL, union of sensors (capped at RV_SENSORS_MAX). The set is not
 * touched.
 */
void rv_rrset_val_merge(struct rv_rrset_val *into,
    const struct rv_rrset_val *add);

/** Add one sensor id to a value's sorted sensor list (no-op if present). */
void rv_rrset_val_add_sensor(struct rv_rrset_val *v, uint16_t id);

/** An rdata, names or asn value: first:4 last:4 count:4 (names and asn
 * have count 0: they store only first and last). */
struct rv_seen {
	uint32_t first, last, count;
};
int rv_rdata_val_decode(const uint8_t *v, size_t len, struct rv_seen *out);
#define RV_RDATA_VAL_SIZE 12
void rv_rdata_val_encode(const struct rv_seen *s, uint8_t *out);
int rv_names_val_decode(const uint8_t *v, size_t len, struct rv_seen *out);
int rv_asn_val_decode(const uint8_t *v, size_t len, struct rv_seen *out);
#define RV_SEEN2_SIZE 8	/**< names and asn values: first:4 last:4 */
void rv_seen2_encode(const struct rv_seen *s, uint8_t *out);
/** Merge: min first, max last, summed count. */
void rv_seen_merge(struct rv_seen *into, const struct rv_seen *add);

/** Enrichment of an address for one period. Strings are copied, NUL
 * terminated, empty when unknown; asn 0 and cc "" when unknown. */
struct rv_ipinfo {
	uint32_t since;		/**< period start (from the key) */
	uint32_t until;		/**< period end, 0 while current */
	uint32_t asn;
	char cc[3];		/**< ISO 3166 country code */
	int32_t lat, lon;	/**< 1e-4 degrees, RV_LATLON_NONE if none */
	char org[RV_INFO_STR_MAX];
	char city[RV_INFO_STR_MAX];
};

/** Decode an ip value (since is left as is: it comes from the key). */
int rv_ipinfo_decode(const uint8_t *v, size_t len, struct rv_ipinfo *out);
/** Encoded size; strings longer than 255 octets are cut. */
size_t rv_ipinfo_size(const struct rv_ipinfo *in);
void rv_ipinfo_encode(const struct rv_ipinfo *in, uint8_t *out);
/** Same ASN, country, city, org and location (ignoring the period)? */
int rv_ipinfo_same(const struct rv_ipinfo *a, const struct rv_ipinfo *b);

/**
 * The enrichment of \p ip at time \p t: the period with the largest
 * since <= t, or, when t is before every period, the first one.
 * \return 0, RV_ENOENT if the address has no row.
 */
int rv_store_ipinfo_at(struct rv_store *st, struct rv_txn *txn,
    const struct rv_ip *ip, uint32_t t, struct rv_ipinfo *out);

/** rv_store_ipinfo_at() through a cursor on the ip database that the
 * caller keeps open (many lookups in key order, as the writer does). */
int rv_store_ipinfo_at_cursor(struct rv_cursor *cur, const struct rv_ip *ip,
    uint32_t t, struct rv_ipinfo *out);

/**
 * rv_store_ipinfo_at_cursor() without decoding: the period's start and its
 * value as stored (for rv_ipinfo_decode). \p val points into the map and
 * is valid for the life of the cursor's transaction.
 * \return 0, RV_ENOENT if the address has no row.
 */
int rv_store_ipinfo_find(struct rv_cursor *cur, const struct rv_ip *ip, uint32_t t,
    uint32_t *since, struct rv_val *val);

/* ---------------------------------------------------------------------- */
/* Rdata sets                                                              */

/**
 * Build SET from a record's rdata block (rdcount entries, each a 2-octet
 * length then the rdata, as in struct rv_record): each rdata canonicalised
 * (names inside the rdata of the RFC 4034 6.2 types lowercased), sorted by
 * memcmp of (length, octets), duplicates removed.
 * \param out	buffer of outsz octets (rdata_len always suffices)
 * \param outlen out: SET length; \param outcount out: rdata in SET
 * \return 0, RV_EFORMAT (entries do not fill the block), RV_ETOOBIG,
 *	RV_ENOMEM.
 */
int rv_set_canon(uint16_t type, const uint8_t *rdata, size_t rdata_len,
    uint16_t rdcount, uint8_t *out, size_t outsz, size_t *outlen,
    uint16_t *outcount);

/** Canonicalise one rdata in place (lowercase embedded names). */
void rv_rdata_canon(uint16_t type, uint8_t *rd, size_t len);

/** The 64-bit digest of a SET (also stored as DIGEST in rrset keys). */
uint64_t rv_set_digest(const uint8_t *set, size_t len);

/** The digest of one canonical rdata, for the 'H' rdata rows. */
uint64_t rv_rdata_digest(uint16_t type, const uint8_t *rd, size_t len);

/** Iterate a SET; start with *off = 0. \return 0, RV_ENOENT at the end,
 * RV_ECORRUPT if an entry runs past the end. */
int rv_set_next(const uint8_t *set, size_t len, size_t *off,
    const uint8_t **rd, uint16_t *rdlen);

/* ---------------------------------------------------------------------- */
/* Meta: sensors and counters                                              */

/** Counters under "stat:NAME" (u64 big-endian). */
enum rv_stat {
	RV_STAT_OBSERVATIONS = 0,	/**< records stored (rrsets + negs) */
	RV_STAT_RRSETS,			/**< distinct rrset keys */
	RV_STAT_NEGATIVES,		/**< distinct neg keys */
	RV_STAT_IPS,			/**< ip rows */
	RV_STAT_FRAMES,			/**< frames accepted */
	RV_STAT_FRAMES_REJECTED,	/**< frames dropped, any reason */
	RV_STAT_RECORDS_REJECTED,	/**< records/lines skipped */
	RV_STAT_FLUSHES,		/**< committed flushes (sequence) */
	RV_STAT_FRAMES_OVERSIZE,	/**< of frames_rejected: over the
					 * indexer's --max-frame */
	RV_STAT_COUNT
};

/** "observations", "rrsets", ... */
const char *rv_stat_name(enum rv_stat s);

/** All counters and the last write time; missing ones read as 0. */
struct rv_store_stats {
	uint64_t v[RV_STAT_COUNT];
	uint32_t last_write;
};
int rv_store_stats_read(struct rv_store *st, struct rv_txn *txn,
    struct rv_store_stats *out);

/** Writer: add to counters and set last_write, in the caller's txn. */
int rv_store_stats_add(struct rv_store *st, struct rv_txn *txn,
    const uint64_t add[RV_STAT_COUNT], uint32_t now);

/** Sensor name (NUL-terminated, RV_SENSOR_MAX + 1 buffer) of an id. */
int rv_store_sensor_name(struct rv_store *st, struct rv_txn *txn, uint16_t id,
    char *name, size_t namesz);

/** Id of a sensor name. \return 0, RV_ENOENT. */
int rv_store_sensor_id(struct rv_store *st, struct rv_txn *txn, const char *name,
    size_t len, uint16_t *id);

/** Writer: the id of a sensor, allocating the next free one if new. */
int rv_store_sensor_get_or_add(struct rv_store *st, struct rv_txn *txn,
    const char *name, size_t len, uint16_t *id);

/** Per-sensor statistics (sensor_stat#). */
struct rv_sensor_stat {
	uint64_t observations;
	uint32_t last;
};
int rv_store_sensor_stat(struct rv_store *st, struct rv_txn *txn, uint16_t id,
    struct rv_sensor_stat *out);
/** Writer: add observations and raise last. */
int rv_store_sensor_stat_add(struct rv_store *st, struct rv_txn *txn, uint16_t id,
    uint64_t observations, uint32_t last);

/**
 * A sensor's place in its stream of numbered frames (sensor_seq#, see
 * lib/FRAME.md): the indexer writes it in the transaction that commits the
 * frames' records, so after a crash the next frame's gap covers what was
 * received but never committed.
 */
struct rv_sensor_seq {
	uint64_t boot;		/**< boot id of the last numbered frame */
	uint64_t next;		/**< number the next frame should carry */
	uint64_t received;	/**< records of numbered frames, committed */
	uint64_t lost;		/**< records numbered but never received */
	uint64_t resets;	/**< boot id changes: sensor restarts */
	uint64_t unsequenced;	/**< records of frames without numbers */
	uint64_t out_of_order;	/**< records of frames numbered below next */
	struct rv_frame_drops drops;	/**< reported by the current boot */
	struct rv_frame_drops drops_before;	/**< summed over earlier boots */
};
/** \return 0, RV_ENOENT (out zeroed: never seen), RV_ECORRUPT. */
int rv_store_sensor_seq(struct rv_store *st, struct rv_txn *txn, uint16_t id,
    struct rv_sensor_seq *out);
/** Writer: replace the sensor's state. */
int rv_store_sensor_seq_put(struct rv_store *st, struct rv_txn *txn, uint16_t id,
    const struct rv_sensor_seq *in);

/**
 * A dnstap sensor's accounting (sensor_dt#): what rearviewd did with the
 * frames that carried its name (--dnstap-sensor, else the dnstap
 * identity), summed by every flush in the transaction that commits the
 * records. Nng sensors have none.
 */
enum rv_dt_stat {
	RV_DT_RESPONSES = 0,	/**< resolver responses taken */
	RV_DT_RECORDS,		/**< records they made (received) */
	RV_DT_RETRIES,		/**< responses seen again, counted once */
	RV_DT_REJECTED,		/**< records the bailiwick rule rejected */
	RV_DT_MALFORMED,	/**< frames or responses that do not parse */
	RV_DT_DROPPED_CLIENT,	/**< client-side messages, never stored */
	RV_DT_DROPPED,		/**< other messages not kept */
	RV_DT_STAT_COUNT
};
/** "responses", "records", ... */
const char *rv_dt_stat_name(enum rv_dt_stat s);
struct rv_sensor_dt {
	uint64_t v[RV_DT_STAT_COUNT];
};
/** \return 0, RV_ENOENT (out zeroed: not a dnstap sensor), RV_ECORRUPT. */
int rv_store_sensor_dt(struct rv_store *st, struct rv_txn *txn, uint16_t id,
    struct rv_sensor_dt *out);
/** Writer: add \p add to the sensor's counters. */
int rv_store_sensor_dt_add(struct rv_store *st, struct rv_txn *txn,
    uint16_t id, const struct rv_sensor_dt *add);

/** Visit every sensor: id, name (not NUL-terminated), its length. */
typedef int (*rv_sensor_fn)(uint16_t id, const char *name, size_t len,
    void *arg);
int rv_store_sensors(struct rv_store *st, struct rv_txn *txn, rv_sensor_fn fn,
    void *arg);

/* ---------------------------------------------------------------------- */
/* Meta: the imports taken                                                 */

/** Octets of an import's fingerprint (a hash of its content). */
#define RV_IMPORT_FP_LEN 16

/**
 * When an import of this content was taken, and how many records it had.
 * \return 0, RV_ENOENT (never), or an error.
 */
int rv_store_import_get(struct rv_store *st, struct rv_txn *txn,
    const uint8_t fp[RV_IMPORT_FP_LEN], uint64_t *when, uint64_t *records);

/** Record an import (in a write transaction). */
int rv_store_import_put(struct rv_store *st, struct rv_txn *txn,
    const uint8_t fp[RV_IMPORT_FP_LEN], uint64_t when, uint64_t records);

/* ---------------------------------------------------------------------- */
/* Meta: target names in the names database                                */

/**
 * Does the names database hold every target name of the reverse index
 * (meta "names_targets", SCHEMA.md), so that a right-hand wildcard over
 * targets ("rdata name ns1.example.*") can use it? True for databases
 * created since names held targets; older ones once
 * rv_store_names_backfill() has finished.
 * \param since	out, may be NULL: when it became true
 * \return 0 yes, RV_ENOENT not (yet), RV_ECORRUPT, an error.
 */
int rv_store_names_targets(struct rv_store *st, struct rv_txn *txn,
    uint32_t *since);

/** Writer: record that the names database holds every target name from
 * \p now on (a new database, or the end of a backfill). */
int rv_store_names_targets_set(struct rv_store *st, struct rv_txn *txn,
    uint32_t now);

/** What one rv_store_names_backfill() call did. */
struct rv_names_backfill {
	size_t rows;		/**< 'N' rdata rows read */
	size_t names;		/**< names rows added or widened */
	int done;		/**< the backfill is complete (or was) */
};

/**
 * Writer: one slice of the one-time backfill of target names into the
 * names database of a database written before names held them: up to
 * \p max_rows 'N' rows of the rdata database, from where the previous
 * slice stopped (meta "names_targets_at"), each target merged into its
 * names row (min first, max last), in one committed write transaction of
 * its own; the last slice sets "names_targets". Call until res->done. A
 * killed process resumes where the last committed slice ended; two
 * writers share the work. Writes through rv_store_write, so no other
 * transaction of this process may be open.
 * \return 0, RV_ENOSPC, RV_ENOMEM, RV_EIO, ...
 */
int rv_store_names_backfill(struct rv_store *st, size_t max_rows,
    uint32_t now, struct rv_names_backfill *res);

/* ---------------------------------------------------------------------- */
/* Registered domains (rv_store_regdom.c)                                  */

/** Key families of the regdom database (SCHEMA.md). */
enum rv_regdom_tag {
	RV_REGDOM_DOMAIN = 'D',	/**< 'D' NK(regdom) -> first:4 last:4 */
	RV_REGDOM_TIME = 'T'	/**< 'T' first:4 NK(regdom) -> (empty) */
};

/** The public suffix list (a psl_ctx_t): the system's, else libpsl's
 * built-in one; loaded once, shared, never freed. */
const void *rv_psl_default(void);

/**
 * The registered domain of a wire name under \p psl (a psl_ctx_t, with
 * its private suffixes): the suffix of \p wire from octet *off on.
 * \return 0, RV_ENOENT (the name is a public suffix, or the root),
 *	RV_EFORMAT.
 */
int rv_regdom(const void *psl, const uint8_t *wire, size_t len, size_t *off);

/** 'D' NK(regdom), from the wire name or from its name key. */
int rv_key_regdom(struct rv_key *k, const uint8_t *regdom, size_t len);
int rv_key_regdom_nk(struct rv_key *k, const uint8_t *nk, size_t nklen);
/** 'T' first NK (nk: a name key with its final 00). */
int rv_key_regdom_time(struct rv_key *k, uint32_t first, const uint8_t *nk,
    size_t nklen);
/** Either key -> the domain (wire) and, for 'T', its first sighting
 * (0 for 'D'). */
int rv_regdom_key_decode(const uint8_t *k, size_t len, uint32_t *first,
    uint8_t *wire, size_t *wlen);

/**
 * Writer: merge a sighting of a registered domain into its 'D' row (min
 * first, max last in steps of a day) and keep its 'T' row at its first
 * sighting, through a cursor on RV_DB_REGDOM.
 * \param nk	the domain's name key (rv_name_key)
 * \param added	out: 1 when the domain is new to the database
 */
int rv_store_regdom_merge(struct rv_cursor *c, const uint8_t *nk,
    size_t nklen, const struct rv_seen *s, int *added);

/**
 * When the index began (meta "regdom_since"): the database's creation, or
 * the first start of a writer that keeps it on an older database.
 * \return 0, RV_ENOENT (no index: no writer of this version has written
 *	the database yet), RV_ECORRUPT.
 */
int rv_store_regdom_since(struct rv_store *st, struct rv_txn *txn,
    uint32_t *since);
/** Writer: set "regdom_since". */
int rv_store_regdom_since_set(struct rv_store *st, struct rv_txn *txn,
    uint32_t since);

/* ---------------------------------------------------------------------- */
/* Checking a whole database                                               */

/** What rv_store_check found in one database. */
struct rv_check_db {
	uint64_t rows;		/**< rows walked */
	uint64_t entries;	/**< rows LMDB's record of the tree counts */
	uint64_t pages;		/**< its branch, leaf and overflow pages */
	uint64_t bad;		/**< problems found in it */
	int walked;		/**< walked to its end */
};

/** What rv_store_check found. */
struct rv_check {
	uint64_t file_size;	/**< octets of data.mdb */
	uint64_t psize;		/**< page size */
	uint64_t last_page;	/**< the last page the meta page names */
	uint64_t tree_pages;	/**< pages of all trees (LMDB's records) */
	uint64_t free_pages;	/**< pages on LMDB's free list */
	uint64_t stats[RV_STAT_COUNT];	/**< the meta counters */
	struct rv_check_db db[RV_DB_COUNT];
	uint64_t segments;	/**< archive segments listed */
	uint64_t segments_walked;	/**< ... read to their end */
	uint64_t segment_rows;	/**< their rows */
	uint64_t problems;	/**< problems found, each given to the
				 * callback (at most 10 per database) */
	int complete;		/**< every check ran to its end */
};

/** One problem: in database \p db (RV_DB_COUNT: the file itself), one
 * line of text ("rrset: row 12 (key ...): the value does not decode"). */
typedef void (*rv_check_fn)(int db, const char *line, void *arg);

/**
 * Verify the whole database (`rearview check`), each tree in a read
 * transaction of its own:
 *  - every tree walked to its end through the store's guarded cursors;
 *    its rows against LMDB's record of the tree, keys in strict order;
 *  - every key and value decoded with the readers' decoders; rrset rows:
 *    the rdata set in canonical order and equal to the digest in the
 *    key, sensors ascending and named in meta; first <= last;
 *  - meta: only the schema's keys, each value of its length, sensor
 *    names and ids naming each other;
 *  - the counters: rrsets and negatives equal to their trees' rows, ips
 *    to the distinct addresses of ip, observations to the sum of the
 *    rrset and neg counts (at least, when a count saturated);
 *  - the pages: 2 meta pages, the trees' pages and the free list add up
 *    to the last page (LMDB's own audit);
 *  - every archive segment read to its end (a damaged block is a
 *    problem naming it), its rows decoded like the live ones and counted
 *    against its record; observations then against both tiers' counts.
 * Damage found when the store was opened (rv_store_why) is a problem too.
 * \return 0 when every check ran (out->problems 0: the database is
 *	sound), RV_ECORRUPT when a fault stopped it (the store is then
 *	unusable; reported as a problem), RV_ENOMEM, RV_EIO.
 */
int rv_store_check(struct rv_store *st, struct rv_check *out,
    rv_check_fn fn, void *arg);

#endif
