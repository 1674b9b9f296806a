/* lookup_matcher: query/response pairing in a set-associative table. A hash
 * of the key picks a set of LOOKUP_MATCHER_WAYS slots; an expired slot is
 * free; a full set evicts its oldest query. Never allocates after init. */
#include "lookup_matcher.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"

struct lookup_pending {
    struct lookup_key key;
    double asked_at;
    bool in_use;
};

bool lookup_matcher_init(struct lookup_matcher *matcher, uint32_t capacity, double timeout_seconds)
{
    memset(matcher, 0, sizeof *matcher);
    matcher->set_count = capacity / LOOKUP_MATCHER_WAYS ? capacity / LOOKUP_MATCHER_WAYS : 1;
    matcher->timeout_seconds = timeout_seconds;
    matcher->table = calloc((size_t)matcher->set_count * LOOKUP_MATCHER_WAYS,
                            sizeof *matcher->table);
    return matcher->table != NULL;
}

void lookup_matcher_free(struct lookup_matcher *matcher)
{
    free(matcher->table);
    matcher->table = NULL;
}

static bool keys_equal(const struct lookup_key *a, const struct lookup_key *b)
{
    return a->id == b->id && a->client_port == b->client_port &&
           a->server_port == b->server_port && a->protocol == b->protocol &&
           a->question_hash == b->question_hash && ip_address_equal(&a->client, &b->client) &&
           ip_address_equal(&a->server, &b->server);
}

static struct lookup_pending *set_for(const struct lookup_matcher *matcher,
                                      const struct lookup_key *key)
{
    uint64_t h = hash_bytes(key->client.bytes, 16, key->question_hash);
    h = hash_bytes(key->server.bytes, 16,
                   h ^ ((uint64_t)key->client_port << 32 | (uint64_t)key->server_port << 16 | key->id));
    return &matcher->table[(h % matcher->set_count) * LOOKUP_MATCHER_WAYS];
}

static bool is_live(const struct lookup_matcher *matcher, const struct lookup_pending *slot,
                    double now)
{
    return slot->in_use && now - slot->asked_at <= matcher->timeout_seconds;
}

void lookup_matcher_add_query(struct lookup_matcher *matcher, const struct lookup_key *key,
                              double now)
{
    struct lookup_pending *set = set_for(matcher, key);
    struct lookup_pending *victim = NULL;
    for (int way = 0; way < LOOKUP_MATCHER_WAYS; way++) {
        struct lookup_pending *slot = &set[way];
        if (is_live(matcher, slot, now) && keys_equal(&slot->key, key)) {
            slot->asked_at = now;
            matcher->counters.queries_repeated++;
            return;
        }
        if (!is_live(matcher, slot, now)) {
            if (!victim || is_live(matcher, victim, now))
                victim = slot;
        } else if (!victim || (is_live(matcher, victim, now) && slot->asked_at < victim->asked_at)) {
            victim = slot;
        }
    }
    if (is_live(matcher, victim, now))
        matcher->counters.queries_evicted++;
    victim->key = *key;
    victim->asked_at = now;
    victim->in_use = true;
    matcher->counters.queries_tracked++;
}

bool lookup_matcher_take_response(struct lookup_matcher *matcher, const struct lookup_key *key,
                                  double now, double *query_time)
{
    struct lookup_pending *set = set_for(matcher, key);
    for (int way = 0; way < LOOKUP_MATCHER_WAYS; way++) {
        struct lookup_pending *slot = &set[way];
        if (is_live(matcher, slot, now) && keys_equal(&slot->key, key)) {
            *query_time = slot->asked_at;
            slot->in_use = false;
            matcher->counters.responses_matched++;
            return true;
        }
    }
    return false;
}

uint64_t lookup_matcher_unanswered(const struct lookup_matcher *matcher)
{
    return matcher->counters.queries_tracked - matcher->counters.responses_matched;
}
