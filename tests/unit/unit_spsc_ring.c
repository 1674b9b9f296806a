/* Unit test of spsc_ring: records of every length up to the largest, the
 * wrap to the start, a full ring refusing a record, and one producer and
 * one consumer thread passing 200,000 records of random lengths whose bytes
 * must all arrive, in order. Also built with ThreadSanitizer (make tsan). */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/spsc_ring.h"
#include "unit.h"

enum { RECORDS = 200000 };

/* Record i: its length, then bytes that follow from i. */
static size_t record_length(unsigned i) { return (i * 2654435761u) % 3000; }
static uint8_t record_byte(unsigned i, size_t at) { return (uint8_t)(i * 31 + at); }

static void *produce(void *user)
{
    struct spsc_ring *ring = user;
    for (unsigned i = 0; i < RECORDS; i++) {
        size_t length = record_length(i);
        uint8_t *record;
        while (!(record = spsc_ring_reserve(ring, length + 3000)))
            sched_yield(); /* reserved more than it needs, as the pool's emitters do */
        for (size_t at = 0; at < length; at++)
            record[at] = record_byte(i, at);
        spsc_ring_commit(ring, length);
    }
    return NULL;
}

static void check_threads(void)
{
    static struct spsc_ring ring;
    CHECK(spsc_ring_init(&ring, 64 * 1024));
    pthread_t producer;
    CHECK(pthread_create(&producer, NULL, produce, &ring) == 0);
    unsigned wrong = 0;
    for (unsigned i = 0; i < RECORDS; i++) {
        size_t length;
        const uint8_t *record;
        while (!(record = spsc_ring_peek(&ring, &length)))
            sched_yield();
        wrong += length != record_length(i);
        for (size_t at = 0; at < length && at < record_length(i); at++)
            wrong += record[at] != record_byte(i, at);
        spsc_ring_release(&ring);
    }
    pthread_join(producer, NULL);
    CHECK(wrong == 0);
    CHECK(spsc_ring_empty(&ring));
    spsc_ring_free(&ring);
}

static void check_one_thread(void)
{
    struct spsc_ring ring;
    CHECK(spsc_ring_init(&ring, 100)); /* rounded up to 4096 */
    CHECK(ring.size == 4096);
    CHECK(spsc_ring_record_max(&ring) == 1016);
    CHECK(!spsc_ring_reserve(&ring, 1017));
    size_t length;
    CHECK(spsc_ring_peek(&ring, &length) == NULL && spsc_ring_empty(&ring));
    /* three of 1000 fit (1008 bytes each with the header), a fourth too,
     * a fifth does not until one is read */
    for (int i = 0; i < 4; i++) {
        uint8_t *record = spsc_ring_reserve(&ring, 1000);
        CHECK(record != NULL);
        if (record) {
            memset(record, 'a' + i, 1000);
            spsc_ring_commit(&ring, 1000);
        }
    }
    CHECK(!spsc_ring_reserve(&ring, 1000));
    const uint8_t *first = spsc_ring_peek(&ring, &length);
    CHECK(first && length == 1000 && first[999] == 'a');
    spsc_ring_release(&ring);
    /* 64 bytes are left before the end: a record of 500 starts over at 0 */
    uint8_t *wrapped = spsc_ring_reserve(&ring, 500);
    CHECK(wrapped == ring.bytes + 8);
    if (wrapped) {
        memset(wrapped, 'w', 500);
        spsc_ring_commit(&ring, 7); /* less than reserved */
    }
    const char expected[] = "bcdw";
    for (int i = 0; i < 4; i++) {
        const uint8_t *record = spsc_ring_peek(&ring, &length);
        CHECK(record && record[0] == (uint8_t)expected[i]);
        CHECK(length == (i == 3 ? 7u : 1000u));
        spsc_ring_release(&ring);
    }
    CHECK(spsc_ring_empty(&ring));
    CHECK(spsc_ring_reserve(&ring, 0) != NULL); /* an empty record is a record */
    spsc_ring_commit(&ring, 0);
    CHECK(spsc_ring_peek(&ring, &length) && length == 0);
    spsc_ring_free(&ring);
}

int main(void)
{
    check_one_thread();
    check_threads();
    return unit_finish("unit-spsc-ring");
}
