/* reorder_buffer: a binary min-heap of copied lookups. Ties in time keep
 * their arrival order, so that equal times come out as they went in. */
#include "engine/reorder_buffer.h"

#include <stdlib.h>
#include <string.h>

struct reorder_entry {
    struct engine_lookup lookup; /* qname and answers point into this entry */
    uint64_t arrival;
    struct ip_address answers[]; /* then the name's bytes */
};

bool reorder_init(struct reorder_buffer *buffer, int64_t window_us, size_t max_lookups)
{
    memset(buffer, 0, sizeof *buffer);
    buffer->window_us = window_us;
    buffer->max_lookups = max_lookups ? max_lookups : 1;
    return true;
}

void reorder_free(struct reorder_buffer *buffer)
{
    for (size_t i = 0; i < buffer->count; i++)
        free(buffer->heap[i]);
    free(buffer->heap);
    buffer->heap = NULL;
    buffer->count = 0;
}

static bool earlier(const struct reorder_entry *a, const struct reorder_entry *b)
{
    return a->lookup.time_us < b->lookup.time_us ||
           (a->lookup.time_us == b->lookup.time_us && a->arrival < b->arrival);
}

static void sift_up(struct reorder_entry **heap, size_t at)
{
    while (at > 0 && earlier(heap[at], heap[(at - 1) / 2])) {
        struct reorder_entry *swap = heap[at];
        heap[at] = heap[(at - 1) / 2];
        heap[(at - 1) / 2] = swap;
        at = (at - 1) / 2;
    }
}

static void sift_down(struct reorder_entry **heap, size_t count)
{
    for (size_t at = 0;;) {
        size_t least = at, left = 2 * at + 1, right = left + 1;
        if (left < count && earlier(heap[left], heap[least]))
            least = left;
        if (right < count && earlier(heap[right], heap[least]))
            least = right;
        if (least == at)
            return;
        struct reorder_entry *swap = heap[at];
        heap[at] = heap[least];
        heap[least] = swap;
        at = least;
    }
}

/* Hands on the oldest held lookup. */
static void release_oldest(struct reorder_buffer *buffer, reorder_sink_fn sink, void *user)
{
    struct reorder_entry *oldest = buffer->heap[0];
    buffer->heap[0] = buffer->heap[--buffer->count];
    sift_down(buffer->heap, buffer->count);
    buffer->released_us = oldest->lookup.time_us;
    buffer->released_any = true;
    sink(user, &oldest->lookup);
    free(oldest);
}

static struct reorder_entry *copy_of(const struct engine_lookup *lookup, uint64_t arrival)
{
    size_t answers = lookup->answer_count * sizeof(struct ip_address);
    struct reorder_entry *entry = malloc(sizeof *entry + answers + lookup->qname_length + 1);
    if (!entry)
        return NULL;
    entry->lookup = *lookup;
    entry->arrival = arrival;
    if (answers)
        memcpy(entry->answers, lookup->answers, answers);
    char *name = (char *)entry->answers + answers;
    if (lookup->qname_length)
        memcpy(name, lookup->qname, lookup->qname_length);
    name[lookup->qname_length] = '\0';
    entry->lookup.answers = entry->answers;
    entry->lookup.qname = name;
    return entry;
}

static bool make_room(struct reorder_buffer *buffer)
{
    if (buffer->count < buffer->capacity)
        return true;
    size_t capacity = buffer->capacity ? buffer->capacity * 2 : 1024;
    struct reorder_entry **grown = realloc(buffer->heap, capacity * sizeof *grown);
    if (!grown)
        return false;
    buffer->heap = grown;
    buffer->capacity = capacity;
    return true;
}

bool reorder_add(struct reorder_buffer *buffer, const struct engine_lookup *lookup,
                 reorder_sink_fn sink, void *user)
{
    if (buffer->released_any && lookup->time_us < buffer->released_us) {
        buffer->too_late++;
        return false;
    }
    struct reorder_entry *entry = make_room(buffer) ? copy_of(lookup, buffer->arrivals++) : NULL;
    if (!entry) {
        buffer->too_late++;
        return false;
    }
    buffer->heap[buffer->count++] = entry;
    sift_up(buffer->heap, buffer->count - 1);
    if (buffer->count > buffer->held_most)
        buffer->held_most = buffer->count;
    if (lookup->time_us > buffer->newest_us)
        buffer->newest_us = lookup->time_us;
    while (buffer->count > 0 &&
           (buffer->count > buffer->max_lookups ||
            buffer->newest_us - buffer->heap[0]->lookup.time_us > buffer->window_us))
        release_oldest(buffer, sink, user);
    return true;
}

void reorder_drain(struct reorder_buffer *buffer, reorder_sink_fn sink, void *user)
{
    while (buffer->count > 0)
        release_oldest(buffer, sink, user);
}
