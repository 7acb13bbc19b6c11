/**
 * \file rv_psort.h
 * Sorting keys by memcmp order fast: each item carries the first 16 key
 * octets as two big-endian numbers, so almost every comparison is two
 * integer compares on the item itself and never touches the key (which
 * would be a cache miss per comparison on large batches).
 */
#ifndef RV_PSORT_H
#define RV_PSORT_H

#include <stddef.h>
#include <stdint.h>

/** One key to sort; idx says where it came from. 32 octets. */
struct rv_psort_item {
	uint64_t p1, p2;	/**< octets 0-7 and 8-15, zero padded */
	const uint8_t *key;
	uint32_t len;
	uint32_t idx;
};

/** Fill an item from a key. */
void rv_psort_set(struct rv_psort_item *it, const uint8_t *key, size_t len,
    uint32_t idx);

/** Sort items in memcmp order of their keys (shorter prefix first). */
void rv_psort(struct rv_psort_item *v, size_t n);

/** Compare two items like memcmp on their keys. */
int rv_psort_cmp(const struct rv_psort_item *a, const struct rv_psort_item *b);

#endif
