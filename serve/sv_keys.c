/**
 * \file sv_keys.c
 * The keys file, its hashed secrets and each key's limits. See sv_keys.h.
 */
#include "sv_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "rv_err.h"
#include "rv_num.h"

#define NAME_MAX_LEN 64
#define LINE_MAX_LEN 1024
#define HASH_LEN 32

struct sv_key {
	char name[NAME_MAX_LEN + 1];
	uint8_t hash[HASH_LEN];
	uint64_t rate_n, rate_s;	/**< 0: no rate limit */
	uint64_t quota;			/**< per UTC day; 0: none */
	uint64_t results;		/**< per query; 0: none */
	/* counters, under the set's mutex */
	double tokens;
	uint64_t last_ms;
	int64_t day;
	uint64_t used;
	struct sv_keys *set;
};

struct sv_keys {
	pthread_mutex_t mu;
	struct sv_key *k;
	size_t n;
};

static int
errf(char *err, size_t errsz, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
errf(char *err, size_t errsz, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return rc;
}

static int
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("._@-", *s) != NULL))
			return 0;
	return 1;
}

static void
sha256(const char *s, size_t len, uint8_t *out)
{
	(void)gnutls_hash_fast(GNUTLS_DIG_SHA256, s, len, out);
}

static int
unhex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;
		for (int j = 0; j < 2; j++) {
			char c = s[2 * i + (size_t)j];
			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else
				return -1;
		}
		out[i] = (uint8_t)v;
	}
	return s[2 * n] == '\0' ? 0 : -1;
}

/* One option token into k. \return 0, -1. */
static int
option(struct sv_key *k, const char *t)
{
	const char *v = strchr(t, '=');
	char n[32];

	if (v == NULL)
		return -1;
	v++;
	if (strncmp(t, "rate=", 5) == 0) {
		const char *sl = strchr(v, '/');
		if (sl == NULL || (size_t)(sl - v) >= sizeof(n))
			return -1;
		memcpy(n, v, (size_t)(sl - v));
		n[sl - v] = '\0';
		return rv_parse_u64(n, 10, 1, 1000000000, &k->rate_n) ==
		    RV_OK && rv_parse_u64(sl + 1, 10, 1, 86400, &k->rate_s) ==
		    RV_OK ? 0 : -1;
	}
	if (strncmp(t, "quota=", 6) == 0)
		return rv_parse_u64(v, 10, 1, UINT32_MAX, &k->quota) == RV_OK ?
		    0 : -1;
	if (strncmp(t, "results=", 8) == 0)
		return rv_parse_u64(v, 10, 1, UINT32_MAX, &k->results) ==
		    RV_OK ? 0 : -1;
	return -1;
}

/* The options of a key (a line's tokens after the hash). */
static int
options(struct sv_key *k, char *s, const char **bad)
{
	for (char *sp, *t = strtok_r(s, " \t", &sp); t != NULL;
	    t = strtok_r(NULL, " \t", &sp))
		if (option(k, t) != 0) {
			*bad = t;
			return -1;
		}
	return 0;
}

/* One line; \return 0 with *k, 1 for nothing (comment), -1 with err. */
static int
line(char *s, struct sv_key *k, const char *path, unsigned no, char *err,
    size_t errsz)
{
	char *sp, *name, *hash, *rest;
	const char *bad = NULL;

	memset(k, 0, sizeof(*k));
	s[strcspn(s, "#\r\n")] = '\0';
	if ((name = strtok_r(s, " \t", &sp)) == NULL)
		return 1;
	if (!name_ok(name))
		return errf(err, errsz, -1, "%s:%u: bad key name '%.64s' "
		    "(1-64 of A-Z a-z 0-9 . _ @ -)", path, no, name);
	strcpy(k->name, name);
	if ((hash = strtok_r(NULL, " \t", &sp)) == NULL ||
	    strncmp(hash, "sha256:", 7) != 0 || unhex(hash + 7, k->hash,
	    HASH_LEN) != 0)
		return errf(err, errsz, -1, "%s:%u: key '%s' wants "
		    "sha256:HEX64 after its name", path, no, name);
	rest = sp;
	if (rest != NULL && options(k, rest, &bad) != 0)
		return errf(err, errsz, -1, "%s:%u: unknown or bad option "
		    "'%.64s' (rate=N/S, quota=N, results=N)", path, no, bad);
	return 0;
}

int
sv_keys_load(const char *path, struct sv_keys **out, char *err, size_t errsz)
{
	struct sv_keys *ks = NULL;
	char buf[LINE_MAX_LEN + 2];
	unsigned no = 0;
	FILE *fp;
	int rc = RV_OK;

	*out = NULL;
	if ((fp = fopen(path, "r")) == NULL)
		return errf(err, errsz, RV_EIO, "cannot read keys file "
		    "'%s': %s", path, strerror(errno));
	if ((ks = calloc(1, sizeof(*ks))) == NULL) {
		rc = RV_ENOMEM;
		goto leave;
	}
	pthread_mutex_init(&ks->mu, NULL);
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		struct sv_key k, *nk;
		size_t len = strlen(buf);
		int r;

		no++;
		if (len > LINE_MAX_LEN || (len > 0 && buf[len - 1] != '\n' &&
		    !feof(fp)) || memchr(buf, '\0', len) != NULL) {
			rc = errf(err, errsz, RV_EINVAL, "%s:%u: line longer "
			    "than %d octets", path, no, LINE_MAX_LEN);
			goto leave;
		}
		if ((r = line(buf, &k, path, no, err, errsz)) < 0) {
			rc = RV_EINVAL;
			goto leave;
		}
		if (r == 1)
			continue;
		for (size_t i = 0; i < ks->n; i++)
			if (strcmp(ks->k[i].name, k.name) == 0) {
				rc = errf(err, errsz, RV_EINVAL, "%s:%u: key "
				    "'%s' named twice", path, no, k.name);
				goto leave;
			}
		if ((nk = realloc(ks->k, (ks->n + 1) * sizeof(*nk))) == NULL) {
			rc = RV_ENOMEM;
			goto leave;
		}
		ks->k = nk;
		k.tokens = (double)k.rate_n;
		k.day = -1;
		ks->k[ks->n++] = k;
	}
	if (ferror(fp))
		rc = errf(err, errsz, RV_EIO, "reading '%s': %s", path,
		    strerror(errno));
	else if (ks->n == 0)
		rc = errf(err, errsz, RV_EINVAL, "%s: no keys (add one with "
		    "--add-key NAME)", path);
leave:
	fclose(fp);
	if (rc == RV_ENOMEM)
		errf(err, errsz, rc, "out of memory");
	if (rc != RV_OK) {
		sv_keys_free(ks);
		return rc;
	}
	for (size_t i = 0; i < ks->n; i++)
		ks->k[i].set = ks;
	*out = ks;
	return RV_OK;
}

void
sv_keys_free(struct sv_keys *ks)
{
	if (ks == NULL)
		return;
	pthread_mutex_destroy(&ks->mu);
	free(ks->k);
	free(ks);
}

struct sv_key *
sv_keys_find(struct sv_keys *ks, const char *secret, size_t len)
{
	struct sv_key *found = NULL;
	uint8_t h[HASH_LEN];

	sha256(secret, len, h);
	/* Every key compared, every octet: the time says nothing. */
	for (size_t i = 0; i < ks->n; i++) {
		uint8_t d = 0;
		for (size_t j = 0; j < HASH_LEN; j++)
			d |= (uint8_t)(ks->k[i].hash[j] ^ h[j]);
		if (d == 0)
			found = &ks->k[i];
	}
	return found;
}

const char *
sv_key_name(const struct sv_key *k)
{
	return k->name;
}

int
sv_keys_add(const char *path, const char *name, const char *opts,
    char *secret, size_t secretsz, char *err, size_t errsz)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t rnd[32], h[HASH_LEN];
	char out[LINE_MAX_LEN + 2], o[LINE_MAX_LEN];
	struct sv_keys *ks = NULL;
	struct sv_key k;
	const char *bad = NULL;
	size_t n;
	int fd, rc;

	if (!name_ok(name))
		return errf(err, errsz, RV_EINVAL, "bad key name '%.64s' (1-64 "
		    "of A-Z a-z 0-9 . _ @ -)", name);
	snprintf(o, sizeof(o), "%s", opts != NULL ? opts : "");
	memset(&k, 0, sizeof(k));
	if (options(&k, o, &bad) != 0)
		return errf(err, errsz, RV_EINVAL, "bad key option '%.64s' "
		    "(rate=N/S, quota=N, results=N)", bad);
	if (access(path, F_OK) == 0) {
		if ((rc = sv_keys_load(path, &ks, err, errsz)) != RV_OK &&
		    !(rc == RV_EINVAL && strstr(err, ": no keys") != NULL))
			return rc;
		for (size_t i = 0; ks != NULL && i < ks->n; i++)
			if (strcmp(ks->k[i].name, name) == 0) {
				sv_keys_free(ks);
				return errf(err, errsz, RV_EEXIST, "'%s' has a "
				    "key named '%s' already", path, name);
			}
		sv_keys_free(ks);
	}
	if (secretsz < 3 + 2 * sizeof(rnd) + 1 ||
	    getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return errf(err, errsz, RV_EIO, "no random octets: %s",
		    strerror(errno));
	memcpy(secret, "rv_", 3);
	for (size_t i = 0; i < sizeof(rnd); i++) {
		secret[3 + 2 * i] = hex[rnd[i] >> 4];
		secret[4 + 2 * i] = hex[rnd[i] & 15];
	}
	secret[3 + 2 * sizeof(rnd)] = '\0';
	sha256(secret, strlen(secret), h);
	n = (size_t)snprintf(out, sizeof(out), "%s sha256:", name);
	for (size_t i = 0; i < HASH_LEN; i++) {
		out[n++] = hex[h[i] >> 4];
		out[n++] = hex[h[i] & 15];
	}
	n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s\n",
	    opts != NULL && *opts != '\0' ? " " : "", opts != NULL ? opts :
	    "");
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) < 0)
		return errf(err, errsz, RV_EIO, "cannot write '%s': %s", path,
		    strerror(errno));
	rc = write(fd, out, n) == (ssize_t)n && fsync(fd) == 0 ? RV_OK :
	    RV_EIO;
	if (rc != RV_OK)
		errf(err, errsz, rc, "writing '%s': %s", path,
		    strerror(errno));
	close(fd);
	return rc;
}

/* Refill the bucket and roll the day. Under the set's mutex. */
static void
refresh(struct sv_key *k, uint64_t now_ms)
{
	int64_t day = (int64_t)(now_ms / 1000 / 86400);

	if (k->rate_n > 0 && now_ms > k->last_ms) {
		k->tokens += (double)(now_ms - k->last_ms) * (double)k->rate_n /
		    ((double)k->rate_s * 1000.0);
		if (k->tokens > (double)k->rate_n)
			k->tokens = (double)k->rate_n;
	}
	if (now_ms > k->last_ms)
		k->last_ms = now_ms;
	if (day != k->day) {
		k->day = day;
		k->used = 0;
	}
}

int
sv_key_admit(struct sv_key *k, uint64_t now_ms, unsigned *retry_after)
{
	int rc = RV_OK;

	pthread_mutex_lock(&k->set->mu);
	refresh(k, now_ms);
	*retry_after = 0;
	if (k->quota > 0 && k->used >= k->quota) {
		*retry_after = (unsigned)(86400 - now_ms / 1000 % 86400);
		rc = RV_ENOSPC;
	} else if (k->rate_n > 0 && k->tokens < 1.0) {
		double ms = (1.0 - k->tokens) * (double)k->rate_s * 1000.0 /
		    (double)k->rate_n;
		*retry_after = (unsigned)(ms / 1000.0) + 1;
		rc = RV_ERANGE;
	} else {
		if (k->rate_n > 0)
			k->tokens -= 1.0;
		k->used++;
	}
	pthread_mutex_unlock(&k->set->mu);
	return rc;
}

void
sv_key_rate(struct sv_key *k, uint64_t now_ms, struct sv_key_rate *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&k->set->mu);
	refresh(k, now_ms);
	if (k->quota > 0) {
		out->has_quota = 1;
		out->limit = k->quota;
		out->remaining = k->quota - k->used;
		out->reset = (k->day + 1) * 86400;
	}
	if (k->rate_n > 0) {
		out->has_burst = 1;
		out->burst_size = k->rate_n;
		out->burst_window = k->rate_s;
	}
	if (k->results > 0) {
		out->has_results = 1;
		out->results_max = k->results;
	}
	pthread_mutex_unlock(&k->set->mu);
}
