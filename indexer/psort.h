/**
 * \file psort.h
 * Sorting keys by memcmp order fast: each item carries the first 16 key
 * octets as two big-endian numbers, so almost every comparison is two
 * integer compares on the item itself and never touches the key (which
 * would be a cache miss per comparison on large batches).
 */
#ifndef RVD_PSORT_H
#define RVD_PSORT_H

#include <stddef.h>
#include <stdint.h>

/** One key to sort; idx says where it came from. 32 octets. */
struct psort_item {
	uint64_t p1, p2;	/**< octets 0-7 and 8-15, zero padded */
	const uint8_t *key;
	uint32_t len;
	uint32_t idx;
};

/** Fill an item from a key. */
void psort_set(struct psort_item *it, const uint8_t *key, size_t len,
    uint32_t idx);

/** Sort items in memcmp order of their keys (shorter prefix first). */
void psort(struct psort_item *v, size_t n);

/** Compare two items like memcmp on their keys. */
int psort_cmp(const struct psort_item *a, const struct psort_item *b);

#endif
