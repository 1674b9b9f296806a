/* spsc_ring: a ring of variable-length records between exactly one
 * producer thread and one consumer thread, with acquire/release indices
 * and no lock. A record is written in place (reserve, fill, commit) and read
 * in place (peek, use, release), so nothing is copied twice and nothing is
 * allocated after init. It never waits itself: a full or empty ring is the
 * caller's to wait on, as it knows what else it should watch meanwhile. */
#ifndef EXCLAVE_SPSC_RING_H
#define EXCLAVE_SPSC_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spsc_ring {
    _Atomic uint64_t head;     /* bytes committed by the producer, ever */
    char pad_head[56];         /* head and tail on their own cache lines */
    _Atomic uint64_t tail;     /* bytes released by the consumer, ever */
    char pad_tail[56];
    uint8_t *bytes;
    size_t size;               /* a power of two */
    size_t reserved_at;        /* producer: where the open reservation's header goes */
    size_t reserved_skip;      /* producer: bytes it left unused before the end */
};

/* size: rounded up to a power of two, at least 4096. False when out of
 * memory. */
bool spsc_ring_init(struct spsc_ring *ring, size_t size);
void spsc_ring_free(struct spsc_ring *ring);

/* The largest record a ring of this size takes. */
size_t spsc_ring_record_max(const struct spsc_ring *ring);

/* Producer: room for a record of up to length bytes (8-byte aligned), or
 * NULL while the ring is too full (or length exceeds record_max). */
void *spsc_ring_reserve(struct spsc_ring *ring, size_t length);

/* Producer: publishes the reserved record with its real length (no more
 * than was reserved). */
void spsc_ring_commit(struct spsc_ring *ring, size_t length);

/* Consumer: the oldest record and its length, or NULL when there is none. */
const void *spsc_ring_peek(struct spsc_ring *ring, size_t *length);

/* Consumer: frees the record peek returned. */
void spsc_ring_release(struct spsc_ring *ring);

/* Either side: true when no record is waiting. */
bool spsc_ring_empty(struct spsc_ring *ring);

#endif
