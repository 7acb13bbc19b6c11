/**
 * \file sv_keys.h
 * API keys of `rearview serve`: a file of hashed keys with their limits,
 * and the admission of each query (a token bucket and a daily quota per
 * key).
 *
 * The keys file, one key per line ('#' comments and blank lines skipped):
 *
 *	NAME sha256:HEX64 [rate=N/S] [quota=N] [results=N]
 *
 * NAME is 1-64 of [A-Za-z0-9._@-], unique in the file. HEX64 is the
 * lowercase SHA-256 of the secret. rate=N/S lets N queries through at once
 * and N more every S seconds; quota=N allows N queries per UTC day;
 * results=N caps one query's rows. A bad line is an error naming the file,
 * the line and the offending text.
 *
 * Secrets are 32 random octets as hex ("rv_" and 64 digits): with 256
 * bits of entropy a plain SHA-256 is as strong as a slow password hash,
 * and costs a microsecond per request.
 *
 * Thread safety: a loaded set is read-only but for each key's counters,
 * which sv_key_admit and sv_key_rate change under the set's mutex.
 */
#ifndef SV_KEYS_H
#define SV_KEYS_H

#include <stddef.h>
#include <stdint.h>

/** Room for a secret and its NUL. */
#define SV_KEY_SECRET_MAX 80

struct sv_key;
struct sv_keys;

/**
 * Load a keys file. \return 0 with *out (an empty file is an error: a
 * service with a keys file and no key would answer nobody), RV_EINVAL
 * with err naming file:line, RV_EIO, RV_ENOMEM.
 */
int sv_keys_load(const char *path, struct sv_keys **out, char *err,
    size_t errsz);

/** Free a set; safe on NULL. */
void sv_keys_free(struct sv_keys *ks);

/** The key whose secret this is, or NULL (compared in constant time). */
struct sv_key *sv_keys_find(struct sv_keys *ks, const char *secret,
    size_t len);

const char *sv_key_name(const struct sv_key *k);

/**
 * Add a key NAME with options \p opts (NULL: none) to the file at
 * \p path (made 0600 when new) and give its secret, which is kept nowhere.
 * \return 0; RV_EINVAL (bad name or options), RV_EEXIST (name taken),
 *	RV_EIO; err says what.
 */
int sv_keys_add(const char *path, const char *name, const char *opts,
    char *secret, size_t secretsz, char *err, size_t errsz);

/**
 * Admit one query at \p now_ms (milliseconds since the epoch).
 * \return 0 (a token and a unit of quota taken); RV_ERANGE rate exceeded
 *	or RV_ENOSPC quota exhausted, with *retry_after in seconds.
 */
int sv_key_admit(struct sv_key *k, uint64_t now_ms, unsigned *retry_after);

/** What DNSDB's rate_limit reports of a key. */
struct sv_key_rate {
	int has_quota;
	uint64_t limit, remaining;
	int64_t reset;		/**< next UTC midnight, epoch seconds */
	int has_burst;
	uint64_t burst_size, burst_window;
	int has_results;
	uint64_t results_max;
};

void sv_key_rate(struct sv_key *k, uint64_t now_ms, struct sv_key_rate *out);

#endif
