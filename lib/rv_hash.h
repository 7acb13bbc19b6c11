/**
 * \file rv_hash.h
 * A 64-bit hash of octets, eight at a time: for in-memory tables and
 * digests, not against an adversary who picks the input to collide.
 * rv_set_digest (store/) keeps its value in the database: this function's
 * output must never change.
 */
#ifndef RV_HASH_H
#define RV_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** A 64-bit finaliser (MurmurHash3's fmix64). */
static inline uint64_t
rv_mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/** \p len octets at \p p, with a \p seed. */
static inline uint64_t
rv_hash64(uint64_t seed, const uint8_t *p, size_t len)
{
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL);
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h ^= rv_mix64(w + 0x9e3779b97f4a7c15ULL);
		h = (h << 29 | h >> 35) * 0xbf58476d1ce4e5b9ULL;
	}
	if (i < len) {
		uint64_t w = 0;
		memcpy(&w, p + i, len - i);
		h ^= rv_mix64(w ^ ((uint64_t)(len - i) << 56));
		h = (h << 29 | h >> 35) * 0xbf58476d1ce4e5b9ULL;
	}
	return rv_mix64(h);
}

#endif
