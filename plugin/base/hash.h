/* hash: one fast, non-cryptographic 64-bit hash for the fixed-size tables
 * (streams, matcher, caches). Inline; no state. Not for untrusted-keyed
 * tables that must resist collisions: callers bound their probe lengths. */
#ifndef EXCLAVE_HASH_H
#define EXCLAVE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t hash_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* 8 bytes at a time, then the tail; seed lets callers chain fields. */
static inline uint64_t hash_bytes(const void *data, size_t length, uint64_t seed)
{
    const uint8_t *p = data;
    uint64_t h = seed ^ (length * 0x9e3779b97f4a7c15ULL);
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        h = hash_mix(h ^ word);
        p += 8;
        length -= 8;
    }
    uint64_t tail = 0;
    memcpy(&tail, p, length);
    return hash_mix(h ^ tail ^ ((uint64_t)length << 56));
}

#endif
