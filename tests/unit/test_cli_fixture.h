/**
 * \file test_cli_fixture.h
 * Writes small passive DNS databases for the CLI's tests and benchmark
 * through the store's write API (store/rv_store.h): rrset, rdata, names, ip,
 * asn and meta rows, as the indexer lays them out in SCHEMA.md.
 */
#ifndef TEST_CLI_FIXTURE_H
#define TEST_CLI_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "rv_store.h"

#define FX_RDATA_MAX 8

/** One observed RRset, in presentation form. */
struct fx_rec {
	const char *owner, *type, *zone, *sensor;
	uint32_t first, last, count, ttl;
	const char *rdata[FX_RDATA_MAX];	/**< NULL-terminated; a negative
					 * answer is the one "!NXDOMAIN" or
					 * "!NODATA" */
};

/** Enrichment of one address (one period from since, open). */
struct fx_ip {
	const char *addr;
	uint32_t since, asn;
	const char *cc, *org, *city;
};

/**
 * Add records and enrichment to the store in one write transaction
 * (merging with what is there: min first, max last, summed count).
 * \return 0 or an rv_err code.
 */
int fx_write(struct rv_store *st, const struct fx_rec *recs, size_t n,
    const struct fx_ip *ips, size_t nips);

/** Create a database in dir (must not hold one) and write into it. */
int fx_build(const char *dir, const struct fx_rec *recs, size_t n,
    const struct fx_ip *ips, size_t nips);

/**
 * Run the CLI in process: cli_main(argc, argv) with its stdout and stderr
 * captured, NUL-terminated, into out and err (cut at their sizes).
 * \return its exit status.
 */
int fx_run(int argc, char **argv, char *out, size_t outsz, char *err,
    size_t errsz);

/** fx_run with stdout sent to the file at path (/dev/full, say) instead
 * of captured. */
int fx_run_to(const char *path, int argc, char **argv, char *err,
    size_t errsz);

/** fx_run of `rearview a0 ...` (the arguments end with NULL). */
int fx_rv(char *out, size_t outsz, char *err, size_t errsz, const char *a0,
    ...);

/**
 * For a test group's setup: a new directory /tmp/PREFIX-XXXXXX (its path
 * in dir), a database of recs and ips in it (fx_build), REARVIEW_DB set
 * to it and COLUMNS to 80. \return 0, or -1 (cmocka's setup failure).
 */
int fx_setup(char *dir, size_t dirsz, const char *prefix,
    const struct fx_rec *recs, size_t n, const struct fx_ip *ips, size_t nips);

/** Remove the directory fx_setup made. \return 0 or -1. */
int fx_teardown(const char *dir);

#endif
