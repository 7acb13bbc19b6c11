/**
 * \file rv_store_regdom.c
 * The registered-domain index (SCHEMA.md, "regdom"): which registered
 * domain a name belongs to (the public suffix list, private suffixes
 * included, so foo.github.io is its own domain), and the two key families
 * that keep each registered domain's first and last sighting and find the
 * domains first seen in a time window with one range scan.
 */
#include <pthread.h>
#include <string.h>

#include <libpsl.h>

#include "rv_be.h"
#include "rv_err.h"
#include "rv_name.h"
#include "rv_store.h"

static const char since_key[] = "regdom_since";

static const psl_ctx_t *psl_dflt;
static pthread_once_t psl_once = PTHREAD_ONCE_INIT;

static void
psl_load(void)
{
	if ((psl_dflt = psl_latest(NULL)) == NULL)
		psl_dflt = psl_builtin();
}

const void *
rv_psl_default(void)
{
	pthread_once(&psl_once, psl_load);
	return psl_dflt;
}

int
rv_regdom(const void *psl, const uint8_t *wire, size_t len, size_t *off)
{
	char str[RV_NAME_STR_MAX];
	const char *reg;
	size_t k, i;
	int labels;

	if (psl == NULL || len <= 1)
		return RV_ENOENT;
	if (rv_name_to_str(wire, len, str, sizeof(str)) != RV_OK)
		return RV_EFORMAT;
	k = strlen(str);
	if (k > 0 && str[k - 1] == '.')
		str[--k] = '\0';
	/* psl wants lower case; keys are, names from the wire may not be. */
	for (i = 0; i < k; i++)
		if (str[i] >= 'A' && str[i] <= 'Z')
			str[i] = (char)(str[i] - 'A' + 'a');
	if ((reg = psl_registrable_domain(psl, str)) == NULL)
		return RV_ENOENT;	/* a public suffix, or no rule */
	/* Labels before reg: its unescaped dots. */
	for (labels = 0, i = 0; str + i < reg; i++) {
		if (str[i] == '\\')
			i++;
		else if (str[i] == '.')
			labels++;
	}
	for (i = 0; labels > 0 && i < len; labels--)
		i += 1u + wire[i];
	if (i >= len)
		return RV_EFORMAT;
	*off = i;
	return RV_OK;
}

int
rv_key_regdom_nk(struct rv_key *k, const uint8_t *nk, size_t nklen)
{
	if (1 + nklen > RV_KEY_MAX)
		return RV_ETOOBIG;
	k->buf[0] = RV_REGDOM_DOMAIN;
	memcpy(k->buf + 1, nk, nklen);
	k->len = 1 + nklen;
	return RV_OK;
}

int
rv_key_regdom(struct rv_key *k, const uint8_t *regdom, size_t len)
{
	size_t n;
	int rc;

	k->buf[0] = RV_REGDOM_DOMAIN;
	if ((rc = rv_name_key(regdom, len, k->buf + 1, &n)) != RV_OK)
		return rc;
	k->len = 1 + n;
	return RV_OK;
}

int
rv_key_regdom_time(struct rv_key *k, uint32_t first, const uint8_t *nk,
    size_t nklen)
{
	if (5 + nklen > RV_KEY_MAX)
		return RV_ETOOBIG;
	k->buf[0] = RV_REGDOM_TIME;
	rv_put32(k->buf + 1, first);
	memcpy(k->buf + 5, nk, nklen);
	k->len = 5 + nklen;
	return RV_OK;
}

int
rv_regdom_key_decode(const uint8_t *k, size_t len, uint32_t *first,
    uint8_t *wire, size_t *wlen)
{
	size_t nk, at;

	if (len < 2)
		return RV_EFORMAT;
	if (k[0] == RV_REGDOM_DOMAIN) {
		at = 1;
		*first = 0;
	} else if (k[0] == RV_REGDOM_TIME && len > 5) {
		at = 5;
		*first = rv_get32(k + 1);
	} else {
		return RV_EFORMAT;
	}
	if (rv_name_key_len(k + at, len - at, &nk) != RV_OK ||
	    at + nk != len)
		return RV_EFORMAT;
	return rv_name_from_key(k + at, nk, wire, wlen);
}

int
rv_store_regdom_merge(struct rv_cursor *c, const uint8_t *nk,
    size_t nklen, const struct rv_seen *s, int *added)
{
	struct rv_key dk, tk;
	struct rv_val k, v, kk;
	struct rv_seen old = { 0, 0, 0 }, cur = *s;
	uint8_t b[RV_SEEN2_SIZE];
	int rc, found;

	*added = 0;
	if ((rc = rv_key_regdom_nk(&dk, nk, nklen)) != RV_OK)
		return rc;
	k = rv_key_val(&dk);
	kk = k;
	rc = rv_cursor_get(c, &kk, &v, RV_SET_RANGE);
	if (rc != RV_OK && rc != RV_ENOENT)
		return rc;
	found = rc == RV_OK && kk.len == k.len &&
	    memcmp(kk.data, k.data, k.len) == 0 &&
	    rv_names_val_decode(v.data, v.len, &old) == RV_OK;
	if (found) {
		/* last moves in steps of a day, like names (SCHEMA.md). */
		if (old.first <= cur.first && cur.last < old.last + 86400)
			return RV_OK;
		rv_seen_merge(&cur, &old);
	}
	cur.count = 0;
	rv_seen2_encode(&cur, b);
	v.len = RV_SEEN2_SIZE;
	v.data = b;
	if ((rc = rv_cursor_put(c, &k, &v, found ? RV_PUT_CURRENT : 0)) !=
	    RV_OK)
		return rc;
	if (found && old.first == cur.first)
		return RV_OK;
	/* A new domain, or an earlier first sighting (an import): the time
	 * row moves. */
	if (found) {
		if ((rc = rv_key_regdom_time(&tk, old.first, dk.buf + 1,
		    dk.len - 1)) != RV_OK)
			return rc;
		kk = rv_key_val(&tk);
		rc = rv_cursor_get(c, &kk, &v, RV_SET_RANGE);
		if (rc == RV_OK && kk.len == tk.len &&
		    memcmp(kk.data, tk.buf, tk.len) == 0 &&
		    (rc = rv_cursor_del(c)) != RV_OK)
			return rc;
		if (rc != RV_OK && rc != RV_ENOENT)
			return rc;
	}
	if ((rc = rv_key_regdom_time(&tk, cur.first, dk.buf + 1,
	    dk.len - 1)) != RV_OK)
		return rc;
	kk = rv_key_val(&tk);
	v.len = 0;
	v.data = b;
	*added = !found;
	return rv_cursor_put(c, &kk, &v, 0);
}

int
rv_store_regdom_since(struct rv_store *st, struct rv_txn *txn,
    uint32_t *since)
{
	struct rv_val k = { sizeof(since_key) - 1, since_key }, v;
	int rc = rv_get(st, txn, RV_DB_META, &k, &v);

	if (rc != RV_OK)
		return rc;
	if (v.len != 4)
		return RV_ECORRUPT;
	*since = rv_get32(v.data);
	return RV_OK;
}

int
rv_store_regdom_since_set(struct rv_store *st, struct rv_txn *txn,
    uint32_t since)
{
	struct rv_val k = { sizeof(since_key) - 1, since_key }, v;
	uint8_t b[4];

	rv_put32(b, since);
	v.len = 4;
	v.data = b;
	return rv_put(st, txn, RV_DB_META, &k, &v, 0);
}
