/* lookup_matcher: query/response pairing in a set-associative table. A hash
 * of the key picks a set of LOOKUP_MATCHER_WAYS slots; an expired slot is
 * free; a full set evicts its oldest query. Never allocates after init. */
#include "capture/lookup_matcher.h"

#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/table_memory.h"

/* Per set: a tag (part of the key's hash, 0 = empty) and the time asked, in
 * milliseconds since the epoch, for each way. Probing reads this one line. */
struct lookup_set {
    uint32_t tag[LOOKUP_MATCHER_WAYS];
    uint32_t asked_ms[LOOKUP_MATCHER_WAYS];
};

bool lookup_matcher_init(struct lookup_matcher *matcher, uint32_t capacity, double timeout_seconds)
{
    memset(matcher, 0, sizeof *matcher);
    matcher->set_count = capacity / LOOKUP_MATCHER_WAYS ? capacity / LOOKUP_MATCHER_WAYS : 1;
    matcher->timeout_ms = (uint32_t)(timeout_seconds * 1000.0);
    matcher->sets = table_memory_alloc(matcher->set_count, sizeof *matcher->sets);
    matcher->keys = table_memory_alloc((size_t)matcher->set_count * LOOKUP_MATCHER_WAYS,
                                       sizeof *matcher->keys);
    if (!matcher->sets || !matcher->keys) {
        lookup_matcher_free(matcher);
        return false;
    }
    return true;
}

void lookup_matcher_free(struct lookup_matcher *matcher)
{
    table_memory_free(matcher->sets, matcher->set_count, sizeof *matcher->sets);
    table_memory_free(matcher->keys, (size_t)matcher->set_count * LOOKUP_MATCHER_WAYS,
                      sizeof *matcher->keys);
    matcher->sets = NULL;
    matcher->keys = NULL;
}

static bool keys_equal(const struct lookup_key *a, const struct lookup_key *b)
{
    return a->id == b->id && a->client_port == b->client_port &&
           a->server_port == b->server_port && a->protocol == b->protocol &&
           a->question_hash == b->question_hash && a->tunnel_key == b->tunnel_key &&
           ip_address_equal(&a->client, &b->client) &&
           ip_address_equal(&a->server, &b->server);
}

static uint64_t key_hash(const struct lookup_key *key)
{
    uint64_t h = hash_bytes(key->client.bytes, 16, key->question_hash ^ key->tunnel_key);
    return hash_bytes(key->server.bytes, 16,
                      h ^ ((uint64_t)key->client_port << 32 | (uint64_t)key->server_port << 16 | key->id));
}

/* Packet time as milliseconds since the whole second of the first query
 * (wraps after 49 days; only differences are used). */
static uint32_t clock_ms(struct lookup_matcher *matcher, int64_t now_us)
{
    if (!matcher->epoch_set) {
        matcher->epoch_us = now_us - now_us % 1000000;
        matcher->epoch_set = true;
    }
    return (uint32_t)((now_us - matcher->epoch_us) / 1000);
}

static bool is_live(const struct lookup_matcher *matcher, const struct lookup_set *set, int way,
                    uint32_t now_ms)
{
    return set->tag[way] != 0 && (uint32_t)(now_ms - set->asked_ms[way]) <= matcher->timeout_ms;
}

/* The way holding key, or -1. */
static int find_way(const struct lookup_matcher *matcher, const struct lookup_set *set,
                    size_t set_index, uint32_t tag, const struct lookup_key *key, uint32_t now_ms)
{
    for (int way = 0; way < LOOKUP_MATCHER_WAYS; way++) {
        if (set->tag[way] == tag && is_live(matcher, set, way, now_ms) &&
            keys_equal(&matcher->keys[set_index * LOOKUP_MATCHER_WAYS + (size_t)way], key))
            return way;
    }
    return -1;
}

/* A free or expired way, else the one asked longest ago. */
static int victim_way(const struct lookup_matcher *matcher, const struct lookup_set *set,
                      uint32_t now_ms)
{
    int oldest = 0;
    for (int way = 0; way < LOOKUP_MATCHER_WAYS; way++) {
        if (!is_live(matcher, set, way, now_ms))
            return way;
        if ((uint32_t)(now_ms - set->asked_ms[way]) > (uint32_t)(now_ms - set->asked_ms[oldest]))
            oldest = way;
    }
    return oldest;
}

void lookup_matcher_add_query(struct lookup_matcher *matcher, const struct lookup_key *key,
                              int64_t now_us)
{
    uint32_t now_ms = clock_ms(matcher, now_us);
    uint64_t h = key_hash(key);
    size_t set_index = h % matcher->set_count;
    struct lookup_set *set = &matcher->sets[set_index];
    uint32_t tag = (uint32_t)(h >> 32) | 1;
    int way = find_way(matcher, set, set_index, tag, key, now_ms);
    if (way >= 0) {
        set->asked_ms[way] = now_ms;
        struct lookup_key *kept = &matcher->keys[set_index * LOOKUP_MATCHER_WAYS + (size_t)way];
        kept->asked_us = now_us;
        if (key->source_proof)
            kept->source_proof = key->source_proof;
        matcher->counters.queries_repeated++;
        return;
    }
    way = victim_way(matcher, set, now_ms);
    if (is_live(matcher, set, way, now_ms))
        matcher->counters.queries_evicted++;
    set->tag[way] = tag;
    set->asked_ms[way] = now_ms;
    matcher->keys[set_index * LOOKUP_MATCHER_WAYS + (size_t)way] = *key;
    matcher->keys[set_index * LOOKUP_MATCHER_WAYS + (size_t)way].asked_us = now_us;
    matcher->counters.queries_tracked++;
}

bool lookup_matcher_take_response(struct lookup_matcher *matcher, const struct lookup_key *key,
                                  int64_t now_us, int64_t *query_time_us, uint8_t *proof)
{
    uint32_t now_ms = clock_ms(matcher, now_us);
    uint64_t h = key_hash(key);
    size_t set_index = h % matcher->set_count;
    struct lookup_set *set = &matcher->sets[set_index];
    int way = find_way(matcher, set, set_index, (uint32_t)(h >> 32) | 1, key, now_ms);
    if (way < 0)
        return false;
    const struct lookup_key *kept = &matcher->keys[set_index * LOOKUP_MATCHER_WAYS + (size_t)way];
    *query_time_us = kept->asked_us;
    *proof = kept->source_proof;
    set->tag[way] = 0;
    matcher->counters.responses_matched++;
    return true;
}

uint64_t lookup_matcher_unanswered(const struct lookup_matcher *matcher)
{
    return matcher->counters.queries_tracked - matcher->counters.responses_matched;
}
