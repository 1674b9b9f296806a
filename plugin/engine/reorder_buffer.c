/* reorder_buffer: a binary min-heap of copied lookups. Ties in time keep
 * their arrival order, so that equal times come out as they went in. */
#include "engine/reorder_buffer.h"

#include <stdio.h>
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
    buffer->count = buffer->capacity = 0;
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

/* ---- kept with a state ---------------------------------------------------------- */

enum { SAVED_ANSWERS_MAX = 1024, SAVED_NAME_MAX = 4096 };

static void put_lookup(FILE *out, const struct reorder_entry *e)
{
    const struct engine_lookup *l = &e->lookup;
    uint8_t flags = (uint8_t)(l->part | l->has_response << 3);
    uint16_t name_length = (uint16_t)l->qname_length, answers = (uint16_t)l->answer_count;
    fwrite(&l->time_us, sizeof l->time_us, 1, out);
    fwrite(&e->arrival, sizeof e->arrival, 1, out);
    fwrite(&l->querier, sizeof l->querier, 1, out);
    fwrite(&l->server, sizeof l->server, 1, out);
    fwrite(&l->qtype, sizeof l->qtype, 1, out);
    fwrite(&flags, 1, 1, out);
    fwrite(&l->rcode, sizeof l->rcode, 1, out);
    fwrite(&l->min_ttl, sizeof l->min_ttl, 1, out);
    fwrite(&name_length, sizeof name_length, 1, out);
    fwrite(l->qname, 1, name_length, out);
    fwrite(&answers, sizeof answers, 1, out);
    fwrite(l->answers, sizeof *l->answers, answers, out);
}

bool reorder_save(const struct reorder_buffer *buffer, uint8_t **bytes, size_t *length)
{
    char *text = NULL;
    FILE *out = open_memstream(&text, length);
    if (!out)
        return false;
    uint64_t count = buffer->count;
    uint8_t released_any = buffer->released_any;
    fwrite(&count, sizeof count, 1, out);
    fwrite(&buffer->newest_us, sizeof buffer->newest_us, 1, out);
    fwrite(&buffer->released_us, sizeof buffer->released_us, 1, out);
    fwrite(&released_any, 1, 1, out);
    fwrite(&buffer->arrivals, sizeof buffer->arrivals, 1, out);
    for (size_t i = 0; i < buffer->count; i++)
        put_lookup(out, buffer->heap[i]);
    bool ok = !ferror(out);
    if (fclose(out) != 0 || !ok) {
        free(text);
        return false;
    }
    *bytes = (uint8_t *)text;
    return true;
}

struct cursor {
    const uint8_t *at, *end;
};

static bool take(struct cursor *c, void *out, size_t length)
{
    if ((size_t)(c->end - c->at) < length)
        return false;
    memcpy(out, c->at, length);
    c->at += length;
    return true;
}

static bool address_sane(const struct ip_address *a)
{
    return a->family == 0 || a->family == 4 || a->family == 6;
}

/* One saved lookup into the heap; NULL, or what is wrong. */
static const char *restore_lookup(struct reorder_buffer *buffer, struct cursor *c,
                                  struct ip_address *answers, char *name)
{
    struct engine_lookup l = { 0 };
    uint64_t arrival;
    uint8_t flags;
    uint16_t name_length, answer_count;
    if (!take(c, &l.time_us, sizeof l.time_us) || !take(c, &arrival, sizeof arrival) ||
        !take(c, &l.querier, sizeof l.querier) || !take(c, &l.server, sizeof l.server) ||
        !take(c, &l.qtype, sizeof l.qtype) || !take(c, &flags, 1) ||
        !take(c, &l.rcode, sizeof l.rcode) || !take(c, &l.min_ttl, sizeof l.min_ttl) ||
        !take(c, &name_length, sizeof name_length) || name_length > SAVED_NAME_MAX ||
        !take(c, name, name_length) || !take(c, &answer_count, sizeof answer_count) ||
        answer_count > SAVED_ANSWERS_MAX || !take(c, answers, answer_count * sizeof *answers))
        return "a held lookup is cut short or too large";
    if ((flags & 7) > LOOKUP_UNSOLICITED || flags > 15 || !address_sane(&l.querier) || !address_sane(&l.server) ||
        memchr(name, '\0', name_length))
        return "a held lookup has impossible fields";
    for (uint16_t i = 0; i < answer_count; i++)
        if (!address_sane(&answers[i]))
            return "a held lookup has an impossible answer";
    l.part = flags & 7;
    l.has_response = flags & 8;
    l.qname = name;
    l.qname_length = name_length;
    l.answers = answers;
    l.answer_count = answer_count;
    struct reorder_entry *entry = make_room(buffer) ? copy_of(&l, arrival) : NULL;
    if (!entry)
        return "out of memory";
    buffer->heap[buffer->count++] = entry;
    sift_up(buffer->heap, buffer->count - 1);
    return NULL;
}

const char *reorder_restore(struct reorder_buffer *buffer, const uint8_t *bytes, size_t length)
{
    struct cursor c = { bytes, bytes + length };
    uint64_t count;
    uint8_t released_any;
    if (!take(&c, &count, sizeof count) || !take(&c, &buffer->newest_us, sizeof buffer->newest_us) ||
        !take(&c, &buffer->released_us, sizeof buffer->released_us) || !take(&c, &released_any, 1) ||
        !take(&c, &buffer->arrivals, sizeof buffer->arrivals))
        return "the held lookups' header is cut short";
    if (count > buffer->max_lookups)
        return "more held lookups than --reorder-lookups allows";
    buffer->released_any = released_any != 0;
    struct ip_address *answers = malloc(SAVED_ANSWERS_MAX * sizeof *answers);
    char *name = malloc(SAVED_NAME_MAX);
    const char *wrong = answers && name ? NULL : "out of memory";
    for (uint64_t i = 0; !wrong && i < count; i++)
        wrong = restore_lookup(buffer, &c, answers, name);
    if (!wrong && c.at != c.end)
        wrong = "bytes after the held lookups";
    free(answers);
    free(name);
    if (wrong)
        reorder_free(buffer);
    else if (buffer->count > buffer->held_most)
        buffer->held_most = buffer->count;
    return wrong;
}
