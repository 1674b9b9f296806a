/* engine_feed: rings with acquire/release indices (the producer publishes
 * an item by advancing head; the consumer frees it by advancing tail). The
 * consumer takes the oldest head item of all rings, but only while no
 * recently active empty ring could still deliver an older one (its next
 * item is no older than its last); it sleeps a millisecond when it can take
 * nothing. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "engine/engine_feed.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void copy_in(struct engine_feed_ring *ring, struct engine_feed_item *item,
                    const struct engine_lookup *lookup)
{
    item->lookup = *lookup;
    size_t name = lookup->qname_length;
    if (name > ENGINE_FEED_NAME_MAX) {
        name = ENGINE_FEED_NAME_MAX;
        ring->names_cut++;
    }
    memcpy(item->qname, lookup->qname, name);
    item->qname_length = (uint16_t)name;
    size_t answers = lookup->answer_count;
    if (answers > ENGINE_FEED_ANSWERS) {
        answers = ENGINE_FEED_ANSWERS;
        ring->answers_cut++;
    }
    if (answers) /* a query has none, and no answer array either */
        memcpy(item->answers, lookup->answers, answers * sizeof item->answers[0]);
    item->lookup.answer_count = answers;
}

static int64_t wall_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

void engine_feed_push(struct engine_feed_ring *ring, const struct engine_lookup *lookup)
{
    uint64_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    bool waited = false;
    /* full: sleep rather than spin, so that on a busy machine the engine
     * thread gets the core it needs to empty the ring */
    const struct timespec pause = { .tv_sec = 0, .tv_nsec = 50 * 1000 };
    while (head - atomic_load_explicit(&ring->tail, memory_order_acquire) >= ENGINE_FEED_RING) {
        waited = true;
        nanosleep(&pause, NULL);
    }
    ring->waits += waited;
    copy_in(ring, &ring->items[head % ENGINE_FEED_RING], lookup);
    atomic_store_explicit(&ring->last_time_us, lookup->time_us, memory_order_relaxed);
    atomic_store_explicit(&ring->last_push_ms, wall_ms(), memory_order_relaxed);
    atomic_store_explicit(&ring->head, head + 1, memory_order_release);
}

/* The ring whose next item is the oldest, or NULL when all are empty. */
static struct engine_feed_ring *oldest_ring(struct engine_feed *feed, unsigned count)
{
    struct engine_feed_ring *best = NULL;
    int64_t best_time = INT64_MAX;
    for (unsigned i = 0; i < count; i++) {
        struct engine_feed_ring *ring = feed->rings[i];
        uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
        if (tail == atomic_load_explicit(&ring->head, memory_order_acquire))
            continue;
        int64_t time = ring->items[tail % ENGINE_FEED_RING].lookup.time_us;
        if (time < best_time) {
            best = ring;
            best_time = time;
        }
    }
    return best;
}

/* Whether some ring is filling up, so that its producer may soon wait. */
static bool rings_pressed(struct engine_feed *feed, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        struct engine_feed_ring *ring = feed->rings[i];
        if (atomic_load_explicit(&ring->head, memory_order_acquire) -
                atomic_load_explicit(&ring->tail, memory_order_relaxed) >= ENGINE_FEED_PRESSED)
            return true;
    }
    return false;
}

/* True when no empty ring that pushed lately could still send something
 * older than time_us. */
static bool safe_to_take(struct engine_feed *feed, unsigned count, int64_t time_us, int64_t now_ms,
                         int64_t idle_ms)
{
    for (unsigned i = 0; i < count; i++) {
        struct engine_feed_ring *ring = feed->rings[i];
        if (atomic_load_explicit(&ring->tail, memory_order_relaxed) !=
            atomic_load_explicit(&ring->head, memory_order_acquire))
            continue; /* not empty: its head was weighed already */
        if (now_ms - atomic_load_explicit(&ring->last_push_ms, memory_order_relaxed) > idle_ms)
            continue;
        if (atomic_load_explicit(&ring->last_time_us, memory_order_relaxed) < time_us)
            return false;
    }
    return true;
}

/* Hands the rings' items to the engine in time order while that is safe
 * (or all of them, at the end); how many. */
static uint64_t drain_all(struct engine_feed *feed, bool final)
{
    uint64_t moved = 0;
    unsigned count = atomic_load_explicit(&feed->ring_count, memory_order_acquire);
    int64_t now_ms = wall_ms();
    int64_t idle_ms = rings_pressed(feed, count) ? ENGINE_FEED_IDLE_PRESSED_MS : ENGINE_FEED_IDLE_MS;
    struct engine_feed_ring *ring;
    while ((ring = oldest_ring(feed, count))) {
        uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
        struct engine_feed_item *item = &ring->items[tail % ENGINE_FEED_RING];
        if (!final && !safe_to_take(feed, count, item->lookup.time_us, now_ms, idle_ms))
            break;
        item->lookup.qname = item->qname;
        item->lookup.qname_length = item->qname_length;
        item->lookup.answers = item->answers;
        engine_observe(feed->engine, &item->lookup);
        atomic_store_explicit(&ring->tail, tail + 1, memory_order_release);
        moved++;
    }
    feed->lookups += moved;
    return moved;
}

static void *consume(void *user)
{
    struct engine_feed *feed = user;
    pthread_setname_np(pthread_self(), "exclave-engine"); /* as top and perf show it */
    const struct timespec pause = { .tv_sec = 0, .tv_nsec = 1000 * 1000 };
    while (!atomic_load(&feed->stopping))
        if (drain_all(feed, false) == 0)
            nanosleep(&pause, NULL);
    drain_all(feed, true); /* what the producers pushed before the stop */
    return NULL;
}

bool engine_feed_start(struct engine_feed *feed, struct engine *engine)
{
    memset(feed, 0, sizeof *feed);
    feed->engine = engine;
    pthread_mutex_init(&feed->producers_lock, NULL);
    if (pthread_create(&feed->thread, NULL, consume, feed) != 0)
        return false;
    feed->running = true;
    return true;
}

struct engine_feed_ring *engine_feed_add_producer(struct engine_feed *feed)
{
    struct engine_feed_ring *ring = calloc(1, sizeof *ring);
    if (!ring)
        return NULL;
    /* silent since now: until it pushes, or is idle, the merge waits for it
     * (its first lookup may be older than another ring's) */
    atomic_store_explicit(&ring->last_push_ms, wall_ms(), memory_order_relaxed);
    pthread_mutex_lock(&feed->producers_lock);
    unsigned count = atomic_load(&feed->ring_count);
    if (count == ENGINE_FEED_PRODUCERS_MAX) {
        pthread_mutex_unlock(&feed->producers_lock);
        free(ring);
        return NULL;
    }
    feed->rings[count] = ring;
    atomic_store_explicit(&feed->ring_count, count + 1, memory_order_release);
    pthread_mutex_unlock(&feed->producers_lock);
    return ring;
}

void engine_feed_stop(struct engine_feed *feed)
{
    if (!feed->running)
        return;
    atomic_store(&feed->stopping, true);
    pthread_join(feed->thread, NULL);
    feed->running = false;
    engine_finish(feed->engine);
}

void engine_feed_free(struct engine_feed *feed)
{
    unsigned count = atomic_load(&feed->ring_count);
    for (unsigned i = 0; i < count; i++)
        free(feed->rings[i]);
    atomic_store(&feed->ring_count, 0);
    pthread_mutex_destroy(&feed->producers_lock);
}
