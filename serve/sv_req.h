/**
 * \file sv_req.h
 * The request target of `rearview serve`, parsed: which route, which
 * query and which parameters. A pure function of its input (no I/O, no
 * globals, no allocation) so that it can be fuzzed on its own
 * (tests/fuzz/fuzz_serve_req.c).
 *
 * The target is the raw one from the request line ("/dnsdb/v2/lookup/
 * rdata/name/0%2F25.2.0.192.in-addr.arpa?limit=5"): the path is split on
 * '/' before its parts are percent-decoded, so a value may hold an encoded
 * '/' (RFC 2317 names) and never a separator.
 *
 * Routes:
 *	/dnsdb/v2/lookup/QPATH, /dnsdb/v2/summarize/QPATH,
 *	/dnsdb/v2/ping, /dnsdb/v2/rate_limit	DNSDB API v2 (SAF)
 *	/lookup/QPATH, /rate_limit		DNSDB API v1 (JSON lines)
 *	/pdns/query/VALUE			CIRCL passive DNS (COF)
 *	/api/v1/lookup/QPATH, /api/v1/summarize/QPATH,
 *	/api/v1/asn/ASN, /api/v1/subdomains/NAME, /api/v1/history/NAME,
 *	/api/v1/count/QPATH, /api/v1/report/{fastflux,tunnel,phishing},
 *	/api/v1/verdict/NAME-OR-IP
 *						the native API (COF)
 * QPATH is rrset/name/NAME[/TYPE[/BAILIWICK]], rrset/raw/HEX[/TYPE],
 * rdata/name/NAME[/TYPE], rdata/ip/ADDR (ADDR,LEN, ADDR/LEN or ADDR-ADDR),
 * rdata/raw/HEX[/TYPE]; TYPE may be a list, ANY or ANY-DNSSEC.
 */
#ifndef SV_REQ_H
#define SV_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "rvq.h"

/** Longest target read (a longer one is 414). */
#define SV_TARGET_MAX 4096
/** Longest decoded value (name, address, hex rdata). */
#define SV_VALUE_MAX 2048

enum sv_route {
	SV_NONE = 0,		/**< no such route: 404 */
	SV_LOOKUP,		/**< rows of a query */
	SV_SUMMARIZE,		/**< totals of a query */
	SV_COUNT,		/**< rows a pivot would return (native) */
	SV_PING,
	SV_RATE_LIMIT,
	SV_STATS,		/**< database and sensors (native) */
	SV_HISTORY,		/**< a name's RRsets by first seen (native) */
	SV_REPORT		/**< fast flux or tunnels (native) */
};

enum sv_proto {
	SV_DNSDB2 = 0,		/**< SAF, application/x-ndjson */
	SV_DNSDB1,		/**< JSON lines, 404 for no rows */
	SV_CIRCL,		/**< COF lines, empty body for no rows */
	SV_NATIVE		/**< COF lines with rearview's fields */
};

/** A time fence parameter as given: absolute, or relative to now. */
struct sv_fence_param {
	int set;
	int64_t v;		/**< epoch seconds, already made absolute */
};

struct sv_req {
	enum sv_route route;
	enum sv_proto proto;
	enum rvq_kind kind;	/**< for queries */
	int circl_guess;	/**< CIRCL: value may be a name or an address */
	char value[SV_VALUE_MAX + 1];	/**< decoded: name, address, hex */
	char types[128];	/**< decoded TYPE part, "" for none */
	char bailiwick[SV_VALUE_MAX + 1];	/**< "" for none */
	/* DNSDB's query parameters */
	struct sv_fence_param tfa, tfb, tla, tlb;	/**< time_first_after
							 * ... time_last_before */
	int limit_set;
	uint64_t limit;		/**< 0: the server's maximum */
	uint64_t offset;
	int max_count_set;
	uint64_t max_count;
	int aggr;		/**< 1 unless aggr=false */
	int humantime;
	/* native parameters */
	char ip[SV_VALUE_MAX + 1];	/**< subdomains: only names on it */
	char sensor[128];	/**< only rows this sensor saw; "" for all */
	int report;		/**< SV_REPORT: 1 fast flux, 2 tunnels,
				 * 3 phishing, 4 a verdict (of value) */
	int64_t window;		/**< SV_REPORT: seconds back from now */
	int all;		/**< SV_REPORT: unflagged rows too */
};

/**
 * Parse a request target. \p now makes negative time fences absolute.
 * \return 0 with r filled (r->route SV_NONE for an unknown route); or
 *	an HTTP status (400, 414) with msg saying what is wrong for a
 *	person, one line, no control characters.
 */
int sv_req_parse(const char *target, size_t len, int64_t now,
    struct sv_req *r, char *msg, size_t msgsz);

/**
 * Decode percent-encoding of s[0..len) into out (NUL-terminated), with
 * '+' as a space when \p plus. \return 0, or -1 for a bad escape, an
 * encoded NUL, a raw control octet, or an output longer than outsz - 1.
 */
int sv_pct_decode(const char *s, size_t len, int plus, char *out,
    size_t outsz);

/** A DNSDB boolean: 1 for true/t/1/yes/y, 0 for false/f/0/no/n (any
 * case), -1 otherwise. */
int sv_bool(const char *s);

#endif
