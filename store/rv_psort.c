/**
 * \file rv_psort.c
 * Prefix-carrying key sort (psort.h).
 */
#include <stdlib.h>
#include <string.h>

#include "rv_psort.h"

static uint64_t
be64(const uint8_t *k, size_t len, size_t from)
{
	uint64_t v = 0;

	for (size_t i = from; i < from + 8; i++)
		v = v << 8 | (i < len ? k[i] : 0);
	return v;
}

void
rv_psort_set(struct rv_psort_item *it, const uint8_t *key, size_t len,
    uint32_t idx)
{
	it->p1 = be64(key, len, 0);
	it->p2 = be64(key, len, 8);
	it->key = key;
	it->len = (uint32_t)len;
	it->idx = idx;
}

int
rv_psort_cmp(const struct rv_psort_item *a, const struct rv_psort_item *b)
{
	uint32_t n;
	int c;

	if (a->p1 != b->p1)
		return a->p1 < b->p1 ? -1 : 1;
	if (a->p2 != b->p2)
		return a->p2 < b->p2 ? -1 : 1;
	n = a->len < b->len ? a->len : b->len;
	if (n > 16 && (c = memcmp(a->key + 16, b->key + 16, n - 16)))
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int
cmp(const void *x, const void *y)
{
	return rv_psort_cmp(x, y);
}

#define DIGITS 65536

/*
 * LSD radix sort on the 16 prefix octets, 16 bits a pass (passes where
 * every item has the same digit are skipped), then a comparison sort of
 * each run of equal prefixes. Small inputs use qsort.
 */
void
rv_psort(struct rv_psort_item *v, size_t n)
{
	struct rv_psort_item *tmp, *src = v, *dst;
	uint32_t *cnt;

	if (n < 2048 || !(tmp = malloc(n * sizeof(*tmp)))) {
		qsort(v, n, sizeof(*v), cmp);
		return;
	}
	if (!(cnt = malloc(DIGITS * sizeof(*cnt)))) {
		free(tmp);
		qsort(v, n, sizeof(*v), cmp);
		return;
	}
	dst = tmp;
	for (int pass = 0; pass < 8; pass++) {
		int sh = (pass & 3) * 16;
		int hi = pass >= 4;	/* passes 0-3: p2, 4-7: p1 */
		uint32_t sum = 0;
		size_t i;

		memset(cnt, 0, DIGITS * sizeof(*cnt));
		for (i = 0; i < n; i++)
			cnt[((hi ? src[i].p1 : src[i].p2) >> sh) & 0xffff]++;
		if (cnt[((hi ? src[0].p1 : src[0].p2) >> sh) & 0xffff] == n)
			continue;	/* one digit: nothing moves */
		for (i = 0; i < DIGITS; i++) {
			uint32_t c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[cnt[((hi ? src[i].p1 : src[i].p2) >> sh) &
			    0xffff]++] = src[i];
		struct rv_psort_item *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	/* Runs of equal 16-octet prefixes: order by the rest of the key
	 * (qsort, since one address can have thousands of owners). */
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && v[j].p1 == v[i].p1 &&
		    v[j].p2 == v[i].p2; j++)
			;
		if (j - i > 1)
			qsort(v + i, j - i, sizeof(*v), cmp);
	}
	free(cnt);
	free(tmp);
}
