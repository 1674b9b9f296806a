/* Unit tests of the reorder buffer: lookups come out oldest first, equal
 * times in arrival order; the window and the count bound release them; a
 * lookup older than one already released is refused and counted; what is
 * held is a copy (the caller's buffers may change); what reorder_save
 * writes, reorder_restore puts back as it was, and refuses when cut or
 * forged. */
#include <stdlib.h>

#include "engine/reorder_buffer.h"
#include "unit.h"

struct seen {
    int64_t times[64];
    char names[64][8];
    size_t count;
};

static void collect(void *user, const struct engine_lookup *lookup)
{
    struct seen *seen = user;
    if (seen->count < 64) {
        seen->times[seen->count] = lookup->time_us;
        snprintf(seen->names[seen->count], sizeof seen->names[0], "%.*s",
                 (int)lookup->qname_length, lookup->qname);
        seen->count++;
    }
}

static bool add(struct reorder_buffer *buffer, struct seen *seen, int64_t time, const char *name)
{
    char copy[8];
    snprintf(copy, sizeof copy, "%s", name);
    struct ip_address answer;
    ip_address_parse("192.0.2.1", &answer);
    struct engine_lookup lookup = { .time_us = time, .qname = copy, .qname_length = strlen(copy),
                                    .answers = &answer, .answer_count = 1 };
    bool kept = reorder_add(buffer, &lookup, collect, seen);
    memset(copy, 'x', sizeof copy - 1); /* the buffer must hold its own copy */
    return kept;
}

/* Held lookups saved, restored into a new buffer, drained: the same
 * lookups in the same order; the clocks too (an older one is refused). */
static void test_save_and_restore(void)
{
    struct reorder_buffer buffer, again;
    struct seen seen = { .count = 0 }, restored = { .count = 0 };
    CHECK(reorder_init(&buffer, 10, 100));
    CHECK(add(&buffer, &seen, 100, "c") && add(&buffer, &seen, 95, "a") &&
          add(&buffer, &seen, 95, "b") && add(&buffer, &seen, 106, "d")); /* a, b released */
    uint8_t *bytes = NULL;
    size_t length = 0;
    CHECK(reorder_save(&buffer, &bytes, &length));
    CHECK(reorder_init(&again, 10, 100));
    CHECK(reorder_restore(&again, bytes, length) == NULL && again.count == 2);
    CHECK(!add(&again, &restored, 94, "late")); /* released_us came back */
    reorder_drain(&buffer, collect, &seen);
    reorder_drain(&again, collect, &restored);
    CHECK(restored.count == 2 && strcmp(restored.names[0], "c") == 0 &&
          strcmp(restored.names[1], "d") == 0 && restored.times[1] == 106);
    reorder_free(&again);
    for (size_t cut = 0; cut < length; cut++) { /* every cut is refused, nothing kept */
        CHECK(reorder_init(&again, 10, 100));
        CHECK(reorder_restore(&again, bytes, cut) != NULL && again.count == 0);
        reorder_free(&again);
    }
    CHECK(reorder_init(&again, 10, 1)); /* more than this run's bound */
    CHECK(reorder_restore(&again, bytes, length) != NULL && again.count == 0);
    reorder_free(&again);
    bytes[33 + 8 + 8] = 9; /* the first lookup's querier family */
    CHECK(reorder_init(&again, 10, 100));
    CHECK(reorder_restore(&again, bytes, length) != NULL && again.count == 0);
    reorder_free(&again);
    free(bytes);
    reorder_free(&buffer);
}

int main(void)
{
    struct reorder_buffer buffer;
    struct seen seen = { .count = 0 };
    CHECK(reorder_init(&buffer, 10, 100)); /* a window of 10 us */
    CHECK(add(&buffer, &seen, 100, "c"));
    CHECK(add(&buffer, &seen, 95, "a"));
    CHECK(add(&buffer, &seen, 95, "b"));  /* equal time: after a */
    CHECK(seen.count == 0);
    CHECK(add(&buffer, &seen, 106, "d")); /* 95 is now 11 behind: a and b go */
    CHECK(seen.count == 2 && seen.times[0] == 95 && strcmp(seen.names[0], "a") == 0 &&
          strcmp(seen.names[1], "b") == 0);
    CHECK(!add(&buffer, &seen, 94, "late")); /* older than what went */
    CHECK(buffer.too_late == 1);
    CHECK(add(&buffer, &seen, 95, "tie"));   /* as old as what went: still in order */
    reorder_drain(&buffer, collect, &seen);
    CHECK(seen.count == 5 && strcmp(seen.names[2], "tie") == 0 && strcmp(seen.names[3], "c") == 0 &&
          strcmp(seen.names[4], "d") == 0);
    for (size_t i = 1; i < seen.count; i++)
        CHECK(seen.times[i - 1] <= seen.times[i]);
    reorder_free(&buffer);

    /* the count bound: at most 3 held, the oldest go first */
    seen.count = 0;
    CHECK(reorder_init(&buffer, 1000000, 3));
    static const int64_t times[] = { 10, 5, 20, 15, 30, 25 };
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
        CHECK(add(&buffer, &seen, times[i], "n"));
    CHECK(buffer.held_most == 4 && buffer.count == 3 && buffer.too_late == 0);
    CHECK(seen.count == 3 && seen.times[0] == 5 && seen.times[1] == 10 && seen.times[2] == 15);
    reorder_drain(&buffer, collect, &seen);
    CHECK(seen.count == 6 && seen.times[5] == 30);
    CHECK(!add(&buffer, &seen, 18, "late") && buffer.too_late == 1);
    reorder_free(&buffer);
    test_save_and_restore();
    return unit_finish("unit-reorder-buffer");
}
