/**
 * \file report_allow.c
 * Allow-lists of zones for `rearview report`: names at or below a listed
 * zone (a CDN, a mail provider, an anti-virus lookup service) are never
 * reported. Zones are kept as reversed-label key prefixes, sorted, so a
 * lookup is one binary search per label of the name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rv_err.h"
#include "rv_name.h"
#include "rvq_report_feat.h"

int
rvq_allow_add(struct rvq_allow *a, const char *zone)
{
	uint8_t wire[RV_NAME_MAX], key[RV_NAME_KEY_MAX];
	size_t wlen, klen;
	uint8_t *copy = NULL;
	int rc;

	rc = rv_name_from_str(zone, wire, &wlen);
	if (rc != RV_OK)
		goto leave;
	rc = rv_name_key_prefix(wire, wlen, key, &klen);
	if (rc != RV_OK)
		goto leave;
	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 16;
		uint8_t **k = realloc(a->key, ncap * sizeof(*k));
		size_t *l;

		if (k == NULL) {
			rc = RV_ENOMEM;
			goto leave;
		}
		a->key = k;
		l = realloc(a->len, ncap * sizeof(*l));
		if (l == NULL) {
			rc = RV_ENOMEM;
			goto leave;
		}
		a->len = l;
		a->cap = ncap;
	}
	copy = malloc(klen ? klen : 1);
	if (copy == NULL) {
		rc = RV_ENOMEM;
		goto leave;
	}
	memcpy(copy, key, klen);
	a->key[a->n] = copy;
	a->len[a->n] = klen;
	a->n++;
	copy = NULL;
leave:
	free(copy);
	return rc;
}

int
rvq_allow_load(struct rvq_allow *a, const char *path, unsigned *errline)
{
	char line[2048];
	unsigned lineno = 0;
	FILE *fp;
	int rc = RV_OK;

	*errline = 0;
	fp = fopen(path, "r");
	if (fp == NULL) {
		rc = RV_EIO;
		goto leave;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *s = line, *e;

		lineno++;
		e = strchr(s, '#');
		if (e != NULL)
			*e = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' ||
		    e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*s == '\0')
			continue;
		rc = rvq_allow_add(a, s);
		if (rc != RV_OK) {
			*errline = lineno;
			goto leave;
		}
	}
	if (ferror(fp))
		rc = RV_EIO;
leave:
	if (fp != NULL) {
		int saved = errno;

		fclose(fp);
		errno = saved;
	}
	return rc;
}

/* memcmp order, shorter first on a common prefix. */
static int
keycmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n ? memcmp(a, b, n) : 0;

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

void
rvq_allow_finish(struct rvq_allow *a)
{
	size_t i, j;

	/* Insertion sort: lists are short and loaded once. */
	for (i = 1; i < a->n; i++) {
		uint8_t *k = a->key[i];
		size_t l = a->len[i];

		for (j = i; j > 0 && keycmp(a->key[j - 1], a->len[j - 1],
		    k, l) > 0; j--) {
			a->key[j] = a->key[j - 1];
			a->len[j] = a->len[j - 1];
		}
		a->key[j] = k;
		a->len[j] = l;
	}
}

static int
has(const struct rvq_allow *a, const uint8_t *k, size_t klen)
{
	size_t lo = 0, hi = a->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = keycmp(a->key[mid], a->len[mid], k, klen);

		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int
rvq_allow_match(const struct rvq_allow *a, const uint8_t *name, size_t len)
{
	uint8_t key[RV_NAME_KEY_MAX];
	size_t klen, i;

	if (a->n == 0)
		return 0;
	if (rv_name_key_prefix(name, len, key, &klen) != RV_OK)
		return 0;
	if (has(a, key, 0))		/* the root: everything */
		return 1;
	for (i = 0; i < klen; i++)
		if (key[i] == 0 && has(a, key, i + 1))
			return 1;
	return 0;
}

void
rvq_allow_free(struct rvq_allow *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->key[i]);
	free(a->key);
	free(a->len);
	a->key = NULL;
	a->len = NULL;
	a->n = a->cap = 0;
}
