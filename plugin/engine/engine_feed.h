/* engine_feed: lets many packet threads feed one engine without a lock on
 * their path. Each producer thread has its own single-producer ring of
 * lookups (copied in, fixed size); one engine thread drains the rings and
 * runs the engine, its ticks and its policies. The rings are merged in
 * packet-time order (each ring is in order already), so that the engine sees
 * what one thread would have seen. A full ring makes its producer wait
 * (counted), so no lookup is lost. It knows nothing of the
 * host that calls it; the Suricata adapter and any later one use it alike. */
#ifndef EXCLAVE_ENGINE_FEED_H
#define EXCLAVE_ENGINE_FEED_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"

enum { ENGINE_FEED_RING = 8192, ENGINE_FEED_NAME_MAX = 255, ENGINE_FEED_ANSWERS = 16,
       ENGINE_FEED_PRODUCERS_MAX = 256,
       /* An empty ring no longer holds the merge back once its producer has
        * been silent this long: a producer that lags (descheduled on a
        * loaded machine) is waited for while the other rings have room,
        * one that has gone quiet is not waited for forever. */
       ENGINE_FEED_IDLE_MS = 2000,
       ENGINE_FEED_IDLE_PRESSED_MS = 100,    /* ... when a ring is 3/4 full */
       ENGINE_FEED_PRESSED = ENGINE_FEED_RING / 4 * 3 };

/* One lookup, copied so that it outlives the producer's record. */
struct engine_feed_item {
    struct engine_lookup lookup;           /* its pointers are fixed up by the consumer */
    uint16_t qname_length;
    char qname[ENGINE_FEED_NAME_MAX];
    struct ip_address answers[ENGINE_FEED_ANSWERS];
};

struct engine_feed_ring {
    _Atomic uint64_t head;                 /* next slot the producer fills */
    _Atomic uint64_t tail;                 /* next slot the consumer reads */
    _Atomic int64_t last_time_us;          /* packet time of the newest item pushed */
    _Atomic int64_t last_push_ms;          /* wall clock of that push */
    uint64_t waits;                        /* producer: times the ring was full */
    uint64_t names_cut, answers_cut;       /* producer: what did not fit an item */
    struct engine_feed_item items[ENGINE_FEED_RING];
};

struct engine_feed {
    struct engine *engine;
    pthread_t thread;
    bool running;
    _Atomic bool stopping;
    pthread_mutex_t producers_lock;        /* only to add a producer */
    struct engine_feed_ring *rings[ENGINE_FEED_PRODUCERS_MAX];
    _Atomic unsigned ring_count;
    uint64_t lookups;                      /* consumer: lookups handed to the engine */
};

/* Starts the engine thread; false with errno set. */
bool engine_feed_start(struct engine_feed *feed, struct engine *engine);

/* A new producer's ring (one per thread); NULL when out of memory or at
 * ENGINE_FEED_PRODUCERS_MAX. */
struct engine_feed_ring *engine_feed_add_producer(struct engine_feed *feed);

/* Called by the ring's producer only. */
void engine_feed_push(struct engine_feed_ring *ring, const struct engine_lookup *lookup);

/* Drains every ring, stops the thread and runs the last evaluation. */
void engine_feed_stop(struct engine_feed *feed);

/* Frees the rings (after stop). */
void engine_feed_free(struct engine_feed *feed);

#endif
