/* reorder_buffer: lookups that arrive out of time order (a multi-worker
 * Suricata's eve.json, a Zeek cluster's dns.log) held for up to a window of
 * record time, or a number of lookups, and handed on oldest first, so that
 * the engine sees the time-ordered input. Memory is bounded by max_lookups;
 * a lookup older than what was already handed on is refused (the caller
 * reports and counts it). It copies what it holds; it knows no files. */
#ifndef EXCLAVE_REORDER_BUFFER_H
#define EXCLAVE_REORDER_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

struct reorder_entry;

struct reorder_buffer {
    struct reorder_entry **heap; /* a min-heap by (time, arrival) */
    size_t count, capacity, max_lookups;
    int64_t window_us;
    int64_t newest_us;           /* the newest time added */
    int64_t released_us;         /* the time of the last lookup handed on */
    bool released_any;
    uint64_t arrivals;
    uint64_t too_late;           /* refused: older than the last handed on */
    uint64_t held_most;          /* the largest number held at once */
};

typedef void (*reorder_sink_fn)(void *user, const struct engine_lookup *lookup);

bool reorder_init(struct reorder_buffer *buffer, int64_t window_us, size_t max_lookups);
void reorder_free(struct reorder_buffer *buffer);

/* Copies the lookup in, then hands on every lookup that is now older than
 * the newest by more than the window, and the oldest ones while more than
 * max_lookups are held. False (nothing kept, too_late counted) when the
 * lookup is older than one already handed on, or out of memory. */
bool reorder_add(struct reorder_buffer *buffer, const struct engine_lookup *lookup,
                 reorder_sink_fn sink, void *user);

/* Hands on everything held, oldest first (the end of the input). */
void reorder_drain(struct reorder_buffer *buffer, reorder_sink_fn sink, void *user);

/* What is held and the clocks, as bytes to keep with a state (host byte
 * order): *bytes is malloc'ed. False when out of memory. */
bool reorder_save(const struct reorder_buffer *buffer, uint8_t **bytes, size_t *length);

/* Puts back what reorder_save wrote into a buffer just initialised (its
 * window and bound from this run). NULL, or what is wrong with the bytes
 * (they come from a file: anyone may have written them); the buffer is
 * then empty again. */
const char *reorder_restore(struct reorder_buffer *buffer, const uint8_t *bytes, size_t length);

#endif
