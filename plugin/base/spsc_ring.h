/* spsc_ring: a ring of variable-length records between exactly one
 * producer thread and one consumer thread, with acquire/release indices
 * and no lock. A record is written in place (reserve, fill, commit) and read
 * in place (peek, use, release), so nothing is copied twice and nothing is
 * allocated after init. It never waits itself: a full or empty ring is the
 * caller's to wait on, as it knows what else it should watch meanwhile.
 * Each side reads the other's index only when what it saw last is used
 * up, so a busy ring costs no cache line moving per record. */
#ifndef EXCLAVE_SPSC_RING_H
#define EXCLAVE_SPSC_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each side's fields lie between 64 bytes of padding, so that no cache line
 * holds what both sides write, however the struct is aligned. */
struct spsc_ring {
    char pad_before[64];
    /* the producer's: what it writes, and its last sight of tail */
    _Atomic uint64_t head;     /* bytes committed by the producer, ever */
    uint64_t tail_seen;
    size_t reserved_at;        /* where the open reservation's header goes */
    size_t reserved_skip;      /* bytes it left unused before the end */
    char pad_producer[64];
    /* the consumer's: what it writes, and its last sight of head */
    _Atomic uint64_t tail;     /* bytes released by the consumer, ever */
    uint64_t head_seen;
    char pad_consumer[64];
    /* both read these, neither writes them after init */
    uint8_t *bytes;
    size_t size;               /* a power of two */
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

/* Any thread: true when no record is waiting (both indices read afresh;
 * it changes nothing, so a third thread may ask too). */
bool spsc_ring_empty(struct spsc_ring *ring);

#endif
