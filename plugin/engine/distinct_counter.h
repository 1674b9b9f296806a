/* distinct_counter: how many different items (queriers, prefixes, ASNs) a
 * key has seen, in 68 fixed bytes: exact while there are at most
 * DISTINCT_EXACT_MAX items, a 64-register HyperLogLog sketch (about 13%
 * standard error) beyond. Items arrive as 64-bit hashes. It never allocates
 * and knows nothing about what it counts. */
#ifndef EXCLAVE_DISTINCT_COUNTER_H
#define EXCLAVE_DISTINCT_COUNTER_H

#include <stdbool.h>
#include <stdint.h>

enum { DISTINCT_EXACT_MAX = 15, DISTINCT_REGISTERS = 64, DISTINCT_SKETCH = 0xff };

struct distinct_counter {
    uint8_t exact_count;       /* items held exactly, or DISTINCT_SKETCH */
    union {
        uint32_t exact[DISTINCT_EXACT_MAX];     /* top 32 bits of each item's hash */
        uint8_t registers[DISTINCT_REGISTERS];  /* HyperLogLog ranks */
    } u;
};

/* Adds an item; returns true when it was certainly not seen before (exact
 * mode), or when it changed the sketch. */
bool distinct_counter_add(struct distinct_counter *counter, uint64_t item_hash);

/* Adds every item of from: the union, as if into had seen them itself (the
 * result is the same set, or the same sketch, either way). */
void distinct_counter_merge(struct distinct_counter *into, const struct distinct_counter *from);

/* The number of distinct items: exact, or the sketch's estimate. */
uint64_t distinct_counter_estimate(const struct distinct_counter *counter);

static inline bool distinct_counter_is_exact(const struct distinct_counter *counter)
{
    return counter->exact_count != DISTINCT_SKETCH;
}

#endif
