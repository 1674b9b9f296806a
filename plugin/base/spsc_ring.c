/* spsc_ring: each record is an 8-byte header (its length) and its bytes,
 * padded to 8. A record never wraps: where the room before the end is too
 * short, a header with length WRAP_MARK sends the reader to the start. The
 * consumer reads head with acquire, so a record's bytes are complete when
 * seen; the producer reads tail with acquire, so freed bytes are no longer
 * read when reused. A stale head_seen or tail_seen only makes a side see
 * less than there is, never more. */
#include "base/spsc_ring.h"

#include <stdlib.h>
#include <string.h>

enum { HEADER = 8 };
#define WRAP_MARK UINT64_MAX

static size_t padded(size_t length)
{
    return (length + 7) & ~(size_t)7;
}

bool spsc_ring_init(struct spsc_ring *ring, size_t size)
{
    memset(ring, 0, sizeof *ring);
    size_t rounded = 4096;
    while (rounded < size)
        rounded *= 2;
    if (!(ring->bytes = aligned_alloc(64, rounded)))
        return false;
    ring->size = rounded;
    return true;
}

void spsc_ring_free(struct spsc_ring *ring)
{
    free(ring->bytes);
    ring->bytes = NULL;
}

size_t spsc_ring_record_max(const struct spsc_ring *ring)
{
    return ring->size / 4 - HEADER;
}

void *spsc_ring_reserve(struct spsc_ring *ring, size_t length)
{
    if (length > spsc_ring_record_max(ring))
        return NULL;
    uint64_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    size_t at = (size_t)(head & (ring->size - 1));
    size_t need = HEADER + padded(length);
    size_t skip = ring->size - at < need ? ring->size - at : 0; /* to the start */
    if (head + skip + need - ring->tail_seen > ring->size) {
        ring->tail_seen = atomic_load_explicit(&ring->tail, memory_order_acquire);
        if (head + skip + need - ring->tail_seen > ring->size)
            return NULL;
    }
    if (skip) {
        uint64_t mark = WRAP_MARK;
        memcpy(ring->bytes + at, &mark, sizeof mark);
        at = 0;
    }
    ring->reserved_at = at;
    ring->reserved_skip = skip;
    return ring->bytes + at + HEADER;
}

void spsc_ring_commit(struct spsc_ring *ring, size_t length)
{
    uint64_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    uint64_t stored = length;
    memcpy(ring->bytes + ring->reserved_at, &stored, sizeof stored);
    atomic_store_explicit(&ring->head, head + ring->reserved_skip + HEADER + padded(length),
                          memory_order_release);
}

/* The header at tail, past a wrap mark; tail is advanced over the mark. */
static const uint8_t *record_at_tail(struct spsc_ring *ring, uint64_t *tail, uint64_t *length)
{
    size_t at = (size_t)(*tail & (ring->size - 1));
    memcpy(length, ring->bytes + at, sizeof *length);
    if (*length == WRAP_MARK) {
        *tail += ring->size - at;
        at = 0;
        memcpy(length, ring->bytes, sizeof *length);
    }
    return ring->bytes + at + HEADER;
}

const void *spsc_ring_peek(struct spsc_ring *ring, size_t *length)
{
    uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
    if (tail == ring->head_seen) {
        ring->head_seen = atomic_load_explicit(&ring->head, memory_order_acquire);
        if (tail == ring->head_seen)
            return NULL;
    }
    uint64_t stored;
    const uint8_t *record = record_at_tail(ring, &tail, &stored);
    *length = (size_t)stored;
    return record;
}

void spsc_ring_release(struct spsc_ring *ring)
{
    uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
    uint64_t stored;
    record_at_tail(ring, &tail, &stored);
    atomic_store_explicit(&ring->tail, tail + HEADER + padded((size_t)stored), memory_order_release);
}

bool spsc_ring_empty(struct spsc_ring *ring)
{
    return atomic_load_explicit(&ring->tail, memory_order_acquire) ==
           atomic_load_explicit(&ring->head, memory_order_acquire);
}
