/* engine: attribution of lookups to keys, the caching correction, ticks and
 * alert deduplication. The per-lookup path does a few hash probes and
 * counter updates; policies are reached only through the engine_decider a
 * higher layer sets, never included here. */
#include "engine/engine.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/hash.h"
#include "base/iso_time.h"
#include "base/table_memory.h"

enum { US_PER_SECOND = 1000000, EXPIRY_CHECK_US = 86400LL * US_PER_SECOND };

void engine_config_defaults(struct engine_config *config)
{
    memset(config, 0, sizeof *config);
    config->max_keys = KEY_STORE_DEFAULT_MAX_KEYS;
    config->interval_seconds = 3600;
    config->window_seconds = 30 * 86400.0;
}

bool engine_init(struct engine *engine, const struct engine_config *config, struct geoip *geoip,
                 char *error, size_t error_size)
{
    memset(engine, 0, sizeof *engine);
    engine->config = *config;
    engine->window_us = (int64_t)(config->window_seconds * US_PER_SECOND);
    engine->geoip = geoip;
    if (!registered_domain_init(&engine->domains, config->suffix_list_file, error, error_size))
        return false;
    if (config->suppress_file &&
        !suppression_load(&engine->suppression, config->suppress_file, error, error_size)) {
        registered_domain_free(&engine->domains);
        return false;
    }
    /* a set in one cache line: each lookup costs one miss per key, not two */
    engine->recent_pairs = table_memory_alloc((size_t)ENGINE_PAIR_SETS * ENGINE_PAIR_WAYS,
                                              sizeof *engine->recent_pairs);
    bool stored = key_store_init(&engine->store, config->max_keys, config->max_bytes);
    uint32_t retired = config->retired_max == ENGINE_RETIRED_TENTH ? engine->store.max_keys / 10
                                                                   : config->retired_max;
    if (!engine->recent_pairs || !as_directory_init(&engine->directory) || !stored ||
        !retired_keys_init(&engine->retired, retired)) {
        snprintf(error, error_size, "out of memory for %u keys", config->max_keys);
        engine_free(engine);
        return false;
    }
    return true;
}

void engine_free(struct engine *engine)
{
    key_store_free(&engine->store);
    response_pairing_free(&engine->pairing);
    retired_keys_free(&engine->retired);
    suppression_free(&engine->suppression);
    as_directory_free(&engine->directory);
    registered_domain_free(&engine->domains);
    table_memory_free(engine->recent_pairs, (size_t)ENGINE_PAIR_SETS * ENGINE_PAIR_WAYS,
                      sizeof *engine->recent_pairs);
    engine->recent_pairs = NULL;
}

void engine_set_alert_sink(struct engine *engine, engine_alert_fn sink, void *user)
{
    engine->alert_sink = sink;
    engine->alert_user = user;
}

void engine_set_decider(struct engine *engine, const struct engine_decider *decider)
{
    if (decider)
        engine->decider = *decider;
    else
        memset(&engine->decider, 0, sizeof engine->decider);
}

static bool decider_wants_keys(const struct engine *engine)
{
    return engine->decider.wants_keys && engine->decider.wants_keys(engine->decider.context);
}

static bool decider_wants_lookups(const struct engine *engine)
{
    return engine->decider.wants_lookups && engine->decider.wants_lookups(engine->decider.context);
}

void engine_set_tick_hook(struct engine *engine, engine_tick_fn hook, void *user)
{
    engine->tick_hook = hook;
    engine->tick_user = user;
}

/* ---- ticks ------------------------------------------------------------------ */

static void evaluate_key(void *user, struct key *key)
{
    struct engine *engine = user;
    engine->counters.keys_evaluated++;
    engine->decider.evaluate(engine->decider.context, key);
}

static void flush_decider(struct engine *engine)
{
    if (engine->decider.flush)
        engine->decider.flush(engine->decider.context);
}

int64_t engine_window_us(const struct engine *engine)
{
    return engine->window_us;
}

/* A copy of key, its links by name, into the retired ring. */
static void retire_key(void *user, const struct key *key)
{
    struct engine *engine = user;
    if (engine->retired.capacity == 0 || key->lookups == 0) /* side counts alone: nothing to merge */
        return;
    const char *links[RETIRED_LINKS_MAX];
    uint16_t lengths[RETIRED_LINKS_MAX];
    unsigned count = 0;
    const struct key *linked = key->kind == KEY_NAME ? key_store_deref(&engine->store, key->domain)
                                                     : NULL;
    if (linked)
        links[count] = linked->name, lengths[count++] = linked->name_length;
    for (unsigned i = 0; key->kind == KEY_ADDRESS && i < key->linked_count; i++)
        if ((linked = key_store_deref(&engine->store, key->linked.names[i])))
            links[count] = linked->name, lengths[count++] = linked->name_length;
    retired_keys_add(&engine->retired, key, links, lengths, count);
}

/* A key idle for longer than the window starts over, as if an expiry check
 * had removed it: what a key holds never depends on when checks ran, so
 * sensors' states merge into what one engine would have held. */
static struct key *restart_if_idle(struct engine *engine, struct key *key, int64_t time_us)
{
    if (!key || !key->last_seen_us || time_us - key->last_seen_us <= engine->window_us)
        return key;
    retire_key(engine, key);
    struct key fresh = { .hash = key->hash, .name = key->name, .name_length = key->name_length,
                         .kind = key->kind, .in_use = true, .dirty = key->dirty,
                         .no_domain = key->no_domain, .domain = key->domain };
    *key = fresh;
    engine->store.counters.keys_expired++;
    return key;
}

static void run_tick(struct engine *engine, int64_t tick_us)
{
    flush_decider(engine); /* lookups before the tick reach on_lookup first */
    engine->tick_time_us = tick_us;
    engine->counters.evaluation_ticks++;
    if (decider_wants_keys(engine))
        key_store_take_dirty(&engine->store, evaluate_key, engine);
    else
        key_store_take_dirty(&engine->store, NULL, NULL);
    flush_decider(engine); /* while every key given is still there */
    if (tick_us >= engine->next_expiry_us) {
        key_store_expire(&engine->store, tick_us - engine_window_us(engine),
                         engine->retired.capacity ? retire_key : NULL, engine);
        engine->next_expiry_us = tick_us + EXPIRY_CHECK_US;
    }
    if (engine->tick_hook)
        engine->tick_hook(engine->tick_user, engine, tick_us);
}

static int64_t interval_us(const struct engine *engine)
{
    int64_t us = (int64_t)(engine->config.interval_seconds * US_PER_SECOND);
    return us > 0 ? us : (int64_t)US_PER_SECOND;
}

/* Ticks that fell due before this packet time run first, so a tick sees
 * exactly the lookups before it. A long silence costs one tick, not one per
 * interval. */
static void advance_time(struct engine *engine, int64_t time_us)
{
    int64_t step = interval_us(engine);
    if (engine->next_tick_us == 0) {
        engine->next_tick_us = (time_us / step + 1) * step;
        engine->next_expiry_us = time_us + EXPIRY_CHECK_US;
    }
    if (time_us > engine->now_us)
        engine->now_us = time_us;
    if (time_us >= engine->next_tick_us) {
        run_tick(engine, engine->next_tick_us);
        engine->next_tick_us = (time_us / step + 1) * step;
    }
}

void engine_finish(struct engine *engine)
{
    if (engine->next_tick_us)
        run_tick(engine, engine->now_us);
}

void engine_evaluate_all(struct engine *engine)
{
    struct key_store *store = &engine->store;
    for (uint32_t i = 0; i < store->high_water; i++) {
        struct key *key = &store->keys[i];
        if (!key->in_use)
            continue;
        key->alerted_policies = 0;
        key_store_mark_dirty(store, key);
    }
    run_tick(engine, engine->now_us);
}

/* ---- attribution ------------------------------------------------------------- */

static uint64_t pair_fingerprint(uint64_t key_hash, uint64_t querier_hash, int64_t slot)
{
    return hash_mix(key_hash ^ hash_mix(querier_hash + (uint64_t)slot)) | 1;
}

/* A fingerprint's set (from its bits 20 and up) and its tag there (its low
 * half, which is never 0): 4 bytes a way, so the table is half the size a
 * whole fingerprint would make it, and as many sets share the CPU's cache. */
static size_t pair_set_of(uint64_t fingerprint)
{
    return (size_t)((fingerprint >> 20) % ENGINE_PAIR_SETS);
}

static uint32_t pair_tag(uint64_t fingerprint)
{
    return (uint32_t)fingerprint | 1;
}

static uint32_t *pair_set(const struct engine *engine, uint64_t fingerprint)
{
    return &engine->recent_pairs[pair_set_of(fingerprint) * ENGINE_PAIR_WAYS];
}

/* True when the tag was not in set number `set` yet (it is now, newest first). */
static bool remember_in_set(struct engine *engine, size_t set_index, uint32_t tag)
{
    uint32_t *set = &engine->recent_pairs[set_index * ENGINE_PAIR_WAYS];
    for (int way = 0; way < ENGINE_PAIR_WAYS; way++)
        if (set[way] == tag)
            return false;
    memmove(set + 1, set, (ENGINE_PAIR_WAYS - 1) * sizeof *set); /* newest first */
    set[0] = tag;
    return true;
}

static bool remember_pair(struct engine *engine, uint64_t fingerprint)
{
    return remember_in_set(engine, pair_set_of(fingerprint), pair_tag(fingerprint));
}

/* True when no earlier lookup of this key by this querier fell in the same
 * caching slot: what a resolver honouring the TTL could have sent. */
static bool pair_is_new(struct engine *engine, uint64_t key_hash, uint64_t querier_hash,
                        int64_t slot)
{
    return remember_pair(engine, pair_fingerprint(key_hash, querier_hash, slot));
}

/* The caching slot of a time, for slot_seconds (0: the default). */
static int64_t caching_slot(int64_t time_us, uint32_t slot_seconds)
{
    return time_us / ((int64_t)(slot_seconds ? slot_seconds : KEY_DEFAULT_SLOT_SECONDS) * US_PER_SECOND);
}

static void prefetch_pair_set(const struct engine *engine, uint64_t key_hash, uint64_t querier_hash,
                              int64_t slot)
{
#if defined(__GNUC__)
    __builtin_prefetch(pair_set(engine, pair_fingerprint(key_hash, querier_hash, slot)));
#else
    (void)engine, (void)key_hash, (void)querier_hash, (void)slot;
#endif
}

void engine_merge_pairs(struct engine *into, const struct engine *from)
{
    for (size_t i = 0; i < (size_t)ENGINE_PAIR_SETS * ENGINE_PAIR_WAYS; i++)
        if (from->recent_pairs[i])
            remember_in_set(into, i / ENGINE_PAIR_WAYS, from->recent_pairs[i]);
}

uint64_t engine_pair_saved(const struct engine *engine, size_t way)
{
    return engine->recent_pairs[way];
}

void engine_pair_restore(struct engine *engine, size_t way, uint64_t saved)
{
    engine->recent_pairs[way] = saved ? pair_tag(saved) : 0;
}

struct querier_facts {
    const struct ip_address *address;
    uint64_t address_hash, prefix_hash;
    uint32_t asn;
    char country[2];
    bool home;                 /* in the home networks */
    bool proven;               /* this lookup's query proved its source */
};

static void hash_querier(const struct ip_address *querier, struct querier_facts *facts)
{
    struct ip_address prefix = *querier;
    ip_address_mask(&prefix, querier->family == 4 ? 24 : 48);
    facts->address = querier;
    facts->address_hash = hash_bytes(querier, sizeof *querier, 0x71);
    facts->prefix_hash = hash_bytes(&prefix, sizeof prefix, 0x72);
}

/* After hash_querier. */
static void describe_querier(struct engine *engine, const struct ip_address *querier,
                             struct querier_facts *facts)
{
    facts->asn = 0;
    facts->country[0] = facts->country[1] = '\0';
    facts->home = engine->config.home_networks &&
                  network_list_contains(engine->config.home_networks, querier);
    if (!engine->geoip)
        return;
    struct geoip_result result;
    geoip_lookup(engine->geoip, querier, &result);
    facts->asn = result.asn;
    memcpy(facts->country, result.country, 2);
    as_directory_note(&engine->directory, result.asn, result.org, result.org_length,
                      result.country);
}

static void count_on_key(struct engine *engine, struct key *key, const struct querier_facts *q,
                         int64_t time_us, uint32_t slot_seconds, bool reverse)
{
    int64_t slot = caching_slot(time_us, slot_seconds);
    struct key_lookup lookup = { .time_us = time_us, .querier = q->address,
                                 .querier_hash = q->address_hash,
                                 .prefix_hash = q->prefix_hash, .asn = q->asn,
                                 .country = { q->country[0], q->country[1] },
                                 .reverse = reverse, .home = q->home, .proven = q->proven };
    lookup.corrected = pair_is_new(engine, key->hash, q->address_hash, slot);
    key_aggregate_count_lookup(key, &lookup);
    key_store_mark_dirty(&engine->store, key);
}

/* Lower-cases the name into the engine's buffer, without a trailing dot. */
static size_t normalize_name(struct engine *engine, const char *name, size_t length)
{
    if (length > ENGINE_NAME_MAX) {
        length = ENGINE_NAME_MAX;
        engine->counters.names_truncated++;
    }
    for (size_t i = 0; i < length; i++)
        engine->name_buffer[i] = (char)tolower((unsigned char)name[i]);
    if (length > 1 && engine->name_buffer[length - 1] == '.')
        length--;
    engine->name_buffer[length] = '\0';
    return length;
}

static struct key *get_key(struct engine *engine, enum key_kind kind, const char *name,
                           size_t length)
{
    return key_store_get(&engine->store, kind, name, length, key_store_hash(kind, name, length));
}

/* The registered-domain key of the name in name_buffer. The public suffix
 * search is the slowest step of a lookup, so a name key remembers its
 * domain key and the search runs once per name, not once per lookup. */
static struct key *domain_of(struct engine *engine, struct key_ref name_ref, size_t length)
{
    struct key *name = key_store_deref(&engine->store, name_ref);
    if (name && name->no_domain)
        return NULL;
    struct key *domain = name ? key_store_deref(&engine->store, name->domain) : NULL;
    if (domain)
        return domain;
    const char *suffix = registered_domain_of(&engine->domains, engine->name_buffer);
    if (suffix)
        domain = get_key(engine, KEY_DOMAIN, suffix,
                         length - (size_t)(suffix - engine->name_buffer));
    name = key_store_deref(&engine->store, name_ref); /* getting the domain may evict */
    if (name) {
        name->no_domain = suffix == NULL;
        if (domain)
            name->domain = key_store_ref(&engine->store, domain);
    }
    return domain;
}

/* How one lookup part is counted: as a lookup on the keys, as a response
 * whose rcode and answers are noted, and in the keys' side counts. */
struct lookup_effect {
    bool counts, notes_response;
    bool asked, answered, unsolicited;
};

static struct lookup_effect effect_of(const struct engine *engine, const struct engine_lookup *l)
{
    bool answered = l->part == LOOKUP_RESPONSE || l->part == LOOKUP_ANSWERED;
    bool unsolicited = l->part == LOOKUP_UNSOLICITED;
    /* a one-direction tap: the query is the lookup, and a response to none
     * seen stands for its query (the rule before answered-only counting) */
    bool counts = engine->config.count_unanswered ? l->part != LOOKUP_RESPONSE : answered;
    return (struct lookup_effect){
        .counts = counts,
        .notes_response = l->has_response && (answered || (unsolicited && engine->config.count_unanswered)),
        .asked = l->part == LOOKUP_QUERY || l->part == LOOKUP_ANSWERED || l->part == LOOKUP_UNANSWERED,
        .answered = answered, .unsolicited = unsolicited,
    };
}

void engine_link_name(struct engine *engine, struct key *address, struct key_ref name)
{
    const struct key *current[KEY_NAMES_MAX] = { NULL };
    for (unsigned i = 0; i < address->linked_count && i < KEY_NAMES_MAX; i++)
        current[i] = key_store_deref(&engine->store, address->linked.names[i]);
    key_aggregate_link_name(address, name, current, key_store_deref(&engine->store, name));
}

/* A name that just went silent (its first NXDOMAIN after an answer) is
 * linked again to its answers' addresses: the moment a rotation starts
 * from, which a busy address must not have let go. */
static void relink_silenced(struct engine *engine, struct key *name)
{
    struct key_ref ref = key_store_ref(&engine->store, name);
    for (unsigned i = 0; i < name->linked_count && i < KEY_ANSWERS_MAX; i++) {
        char text[IP_ADDRESS_TEXT_MAX];
        size_t length = ip_address_format(&name->linked.answers[i], text);
        struct key *address = key_store_find(&engine->store, KEY_ADDRESS, text, length,
                                             key_store_hash(KEY_ADDRESS, text, length));
        if (address)
            engine_link_name(engine, address, ref);
    }
}

/* One key's share of a lookup: its side counts, the response, the lookup
 * (in the caching slot of slot_seconds, or with own_slot the key's own,
 * which the response just noted may have set). */
static void count_part(struct engine *engine, struct key *key, const struct engine_lookup *l,
                       const struct lookup_effect *e, const struct querier_facts *q,
                       bool own_slot, uint32_t slot_seconds, bool reverse)
{
    key->queries += e->asked;
    key->answered += e->answered;
    key->unsolicited += e->unsolicited;
    int64_t silent_since = key->nxdomain_since_us;
    if (e->notes_response)
        key_aggregate_note_response(key, l->time_us, l->rcode, l->answers, l->answer_count,
                                    l->min_ttl);
    if (key->kind == KEY_NAME && !silent_since && key->nxdomain_since_us)
        relink_silenced(engine, key);
    if (e->counts)
        count_on_key(engine, key, q, l->time_us, own_slot ? key->slot_seconds : slot_seconds,
                     reverse);
    key_store_mark_dirty(&engine->store, key);
}

enum { ANSWERS_HASHED = 8 };

/* A lookup's keys as the store finds them, worked out once: the name's hash
 * (the name is in name_buffer), and the texts and hashes of its first
 * answers' address keys. */
struct lookup_keys {
    size_t name_length;
    uint64_t name_hash;
    size_t answers;                    /* how many of the arrays are filled */
    uint64_t answer_hash[ANSWERS_HASHED];
    uint8_t answer_length[ANSWERS_HASHED];
    char answer_text[ANSWERS_HASHED][IP_ADDRESS_TEXT_MAX];
};

static void find_lookup_keys(const struct engine *engine, const struct engine_lookup *l,
                             size_t name_length, bool with_answers, struct lookup_keys *keys)
{
    keys->name_length = name_length;
    keys->name_hash = key_store_hash(KEY_NAME, engine->name_buffer, name_length);
    keys->answers = 0;
    for (size_t i = 0; with_answers && i < l->answer_count && i < ANSWERS_HASHED; i++) {
        size_t length = ip_address_format(&l->answers[i], keys->answer_text[i]);
        keys->answer_length[i] = (uint8_t)length;
        keys->answer_hash[i] = key_store_hash(KEY_ADDRESS, keys->answer_text[i], length);
        keys->answers++;
    }
}

/* The name's and its domain's share of one lookup. Returns the name key's
 * reference (for the addresses), which stays checkable after evictions. */
static struct key_ref count_name_and_domain(struct engine *engine, const struct engine_lookup *l,
                                            const struct lookup_effect *e,
                                            const struct querier_facts *q,
                                            const struct lookup_keys *keys, bool reverse)
{
    struct key_ref name_ref = { 0, 0 };
    uint32_t slot_seconds = 0;
    size_t length = keys->name_length;
    struct key *name = key_store_get(&engine->store, KEY_NAME, engine->name_buffer, length,
                                     keys->name_hash);
    name = restart_if_idle(engine, name, l->time_us);
    if (name) {
        count_part(engine, name, l, e, q, true, 0, reverse);
        slot_seconds = name->slot_seconds;
        name_ref = key_store_ref(&engine->store, name);
    }
    struct key *domain = restart_if_idle(engine, domain_of(engine, name_ref, length), l->time_us);
    if (domain)
        count_part(engine, domain, l, e, q, false, slot_seconds, reverse); /* the name's slot */
    return name_ref;
}

/* The i-th answer's address key (found or made). */
static struct key *answer_key(struct engine *engine, const struct engine_lookup *l,
                              const struct lookup_keys *keys, size_t i)
{
    if (i < keys->answers)
        return key_store_get(&engine->store, KEY_ADDRESS, keys->answer_text[i],
                             keys->answer_length[i], keys->answer_hash[i]);
    char text[IP_ADDRESS_TEXT_MAX];
    size_t length = ip_address_format(&l->answers[i], text);
    return get_key(engine, KEY_ADDRESS, text, length);
}

static void count_answers(struct engine *engine, const struct engine_lookup *l,
                          const struct querier_facts *q, const struct lookup_keys *keys,
                          struct key_ref name_ref, bool reverse)
{
    for (size_t i = 0; i < l->answer_count; i++) {
        struct key *address = restart_if_idle(engine, answer_key(engine, l, keys, i), l->time_us);
        if (!address)
            continue;
        key_aggregate_note_ttl(address, l->min_ttl);
        count_on_key(engine, address, q, l->time_us, l->min_ttl, reverse);
        if (name_ref.hash_check)
            engine_link_name(engine, address, name_ref);
    }
}

/* Asks for what the lookup will read at random in tables larger than the
 * CPU's caches, all at once, so that their misses overlap instead of
 * following one another: the index entries of the name and the answers,
 * and their caching-slot sets (the name's in the slot of this response's
 * TTL, which its own slot nearly always is). Only hints: nothing changes. */
static void prefetch_keys(const struct engine *engine, const struct engine_lookup *l,
                          const struct querier_facts *q, const struct lookup_keys *keys)
{
    int64_t slot = caching_slot(l->time_us, l->min_ttl);
    key_store_prefetch(&engine->store, keys->name_hash);
    prefetch_pair_set(engine, keys->name_hash, q->address_hash, slot);
    for (size_t i = 0; i < keys->answers; i++) {
        key_store_prefetch(&engine->store, keys->answer_hash[i]);
        prefetch_pair_set(engine, keys->answer_hash[i], q->address_hash, slot);
    }
}

void engine_observe(struct engine *engine, const struct engine_lookup *lookup)
{
    if (!iso_time_is_sane(lookup->time_us)) { /* the readers refuse them; the last wall */
        engine->counters.times_refused++;
        return;
    }
    advance_time(engine, lookup->time_us);
    if (lookup->qname_length == 0) {
        engine->counters.unnamed++;
        return;
    }
    struct engine_lookup unpaired;
    if (lookup->pair_key && (lookup->part == LOOKUP_QUERY || lookup->part == LOOKUP_RESPONSE) &&
        !response_pairing_answered(&engine->pairing, lookup->pair_key, lookup->part == LOOKUP_QUERY)) {
        unpaired = *lookup; /* a logged response whose request the log did not hold */
        unpaired.part = LOOKUP_UNSOLICITED;
        lookup = &unpaired;
        engine->counters.responses_unpaired++;
    }
    struct lookup_effect effect = effect_of(engine, lookup);
    /* who asked matters only to what is counted on a key (or handed to
     * on_lookup): a query that only waits for its answer costs no GeoIP */
    struct querier_facts querier = { 0 };
    size_t length = normalize_name(engine, lookup->qname, lookup->qname_length);
    struct lookup_keys keys;
    find_lookup_keys(engine, lookup, length, effect.notes_response, &keys);
    if (effect.counts || effect.notes_response || decider_wants_lookups(engine)) {
        hash_querier(&lookup->querier, &querier);
        if (effect.counts)
            prefetch_keys(engine, lookup, &querier, &keys);
        describe_querier(engine, &lookup->querier, &querier);
    }
    querier.proven = lookup->source_proven;
    bool reverse = engine_is_reverse_lookup(engine->name_buffer, length, lookup->qtype) ||
                   engine_is_blocklist_lookup(engine, engine->name_buffer, length);
    if (effect.counts && engine->first_us == 0) /* alert windows run from the first lookup counted */
        engine->first_us = lookup->time_us;
    struct key_ref name_ref = count_name_and_domain(engine, lookup, &effect, &querier, &keys, reverse);
    if (effect.notes_response)
        count_answers(engine, lookup, &querier, &keys, name_ref, reverse);
    engine->counters.lookups_counted += effect.counts;
    engine->counters.responses_counted += effect.notes_response;
    engine->counters.queries_seen += effect.asked;
    engine->counters.unsolicited_seen += effect.unsolicited;
    if (decider_wants_lookups(engine))
        engine->decider.on_lookup(engine->decider.context, lookup, querier.asn);
}

void engine_lookup_from_dns_event(const struct dns_event *event, struct engine_lookup *lookup,
                                  struct ip_address answers[DNS_MAX_RECORDS])
{
    const struct dns_message *m = event->message;
    *lookup = (struct engine_lookup){
        .time_us = event->timestamp_us, .querier = event->client, .server = event->server,
        .qname = dns_text_ptr(m, m->qname), .qname_length = m->qname.length, .qtype = m->qtype,
        .part = !event->is_response ? LOOKUP_QUERY
              : event->unsolicited ? LOOKUP_UNSOLICITED : LOOKUP_RESPONSE,
        .has_response = event->is_response, .rcode = m->rcode,
        .source_proven = event->source_proof != DNS_SOURCE_UNPROVEN,
    };
    for (unsigned i = 0; event->is_response && i < m->record_count; i++) {
        const struct dns_record *r = &m->records[i];
        if (r->section == DNS_SECTION_ANSWER && r->address.family != 0)
            engine_lookup_add_answer(lookup, answers, &r->address, r->ttl);
    }
}

void engine_observe_dns_event(struct engine *engine, const struct dns_event *event)
{
    struct engine_lookup lookup;
    struct ip_address answers[DNS_MAX_RECORDS];
    engine_lookup_from_dns_event(event, &lookup, answers);
    engine_observe(engine, &lookup);
}

/* ---- what policies reach ------------------------------------------------------ */

struct key *engine_find_key(struct engine *engine, enum key_kind kind, const char *name,
                            size_t length)
{
    if (kind >= KEY_KINDS)
        return NULL;
    length = normalize_name(engine, name, length);
    return key_store_find(&engine->store, kind, engine->name_buffer, length,
                          key_store_hash(kind, engine->name_buffer, length));
}

/* Alert windows are consecutive periods of packet time from the first lookup. */
static uint32_t alert_period(const struct engine *engine, int64_t time_us)
{
    int64_t window_us = (int64_t)(engine->config.window_seconds * US_PER_SECOND);
    if (window_us <= 0)
        window_us = 1;
    return (uint32_t)((time_us - engine->first_us) / window_us) + 1;
}

uint32_t engine_alerted_policies(const struct engine *engine, const struct key *key)
{
    int64_t now = engine->tick_time_us ? engine->tick_time_us : engine->now_us;
    return key->alert_period == alert_period(engine, now) ? key->alerted_policies : 0;
}

static bool is_decimal_label(const char *p, size_t length)
{
    if (length == 0 || length > 3)
        return false;
    unsigned value = 0;
    for (size_t i = 0; i < length; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        value = value * 10 + (unsigned)(p[i] - '0');
    }
    return value <= 255;
}

/* Counts leading labels that satisfy is_label, up to want. */
static unsigned leading_labels(const char *name, size_t length, unsigned want,
                               bool (*is_label)(const char *, size_t))
{
    unsigned count = 0;
    size_t at = 0;
    while (count < want && at < length) {
        const char *dot = memchr(name + at, '.', length - at);
        size_t label = dot ? (size_t)(dot - (name + at)) : length - at;
        if (!dot || !is_label(name + at, label))
            break;
        count++;
        at += label + 1;
    }
    return count;
}

static bool is_nibble_label(const char *p, size_t length)
{
    return length == 1 && isxdigit((unsigned char)p[0]);
}

/* The first byte (or two) tell most names apart from a reversed address
 * without a scan of their labels. */
bool engine_is_reverse_lookup(const char *name, size_t length, uint16_t qtype)
{
    if (qtype == DNS_TYPE_PTR)
        return true;
    if (length > 0 && name[0] >= '0' && name[0] <= '9' &&
        leading_labels(name, length, 4, is_decimal_label) == 4)
        return true;
    return length > 1 && name[1] == '.' && leading_labels(name, length, 32, is_nibble_label) == 32;
}

const char *const engine_builtin_blocklist_zones[] = {
    "dbl.spamhaus.org", "multi.uribl.com", "multi.surbl.org", NULL,
};

/* name is one or more labels and then ".zone" (zone without a final dot,
 * any case). */
static bool under_zone(const char *name, size_t length, const char *zone)
{
    size_t zone_length = strlen(zone);
    if (zone_length && zone[zone_length - 1] == '.')
        zone_length--;
    return zone_length && length > zone_length + 1 && name[length - zone_length - 1] == '.' &&
           strncasecmp(name + length - zone_length, zone, zone_length) == 0;
}

bool engine_is_blocklist_lookup(const struct engine *engine, const char *name, size_t length)
{
    for (const char *const *zone = engine_builtin_blocklist_zones; *zone; zone++)
        if (under_zone(name, length, *zone))
            return true;
    for (size_t i = 0; i < engine->config.blocklist_zone_count; i++)
        if (under_zone(name, length, engine->config.blocklist_zones[i]))
            return true;
    return false;
}

/* True when an entry of the --suppress file covers this key's alert. */
static bool suppressed(struct engine *engine, const struct key *key, int64_t time_us)
{
    struct asn_count sorted[ASN_TALLY_SLOTS];
    size_t n = asn_tally_sorted(&key->asn_tally, sorted);
    return suppression_match(&engine->suppression, (enum key_kind)key->kind, key->name,
                             key->name_length, n ? sorted[0].asn : 0, time_us) != NULL;
}

bool engine_raise_alert(struct engine *engine, unsigned policy_index, struct engine_alert *alert)
{
    struct key *key = (struct key *)alert->key;
    uint32_t period = alert_period(engine, alert->time_us);
    uint32_t bit = 1u << (policy_index % 32);
    if (key->alert_period != period) {
        key->alert_period = period;
        key->alerted_policies = 0;
    }
    if (key->alerted_policies & bit) {
        engine->counters.alerts_repeated++;
        return false;
    }
    key->alerted_policies |= bit; /* a suppressed alert too: once per window */
    if (engine->suppression.count && suppressed(engine, key, alert->time_us)) {
        engine->counters.alerts_suppressed++;
        return false;
    }
    alert->window_start_us = key->first_seen_us;
    engine->counters.alerts++;
    if (engine->alert_sink)
        engine->alert_sink(engine->alert_user, engine, alert);
    return true;
}

void engine_describe_asn(const struct engine *engine, uint32_t asn, const char **org,
                         const char **country)
{
    const struct as_entry *entry = as_directory_find(&engine->directory, asn);
    *org = entry ? entry->org : NULL;
    *country = entry && entry->country[0] ? entry->country : NULL;
}

void engine_visit_counters(const struct engine *engine, counter_visit_fn visit, void *user)
{
#define ENGINE_COUNTER_VISIT(name, help) visit(user, "engine_" #name, engine->counters.name);
    ENGINE_COUNTERS(ENGINE_COUNTER_VISIT)
#undef ENGINE_COUNTER_VISIT
    const struct key_store_counters *k = &engine->store.counters;
    visit(user, "engine_keys", engine->store.count);
    visit(user, "engine_keys_created", k->keys_created);
    visit(user, "engine_keys_evicted", k->keys_evicted);
    visit(user, "engine_keys_expired", k->keys_expired);
    visit(user, "engine_keys_refused", k->keys_refused);
    visit(user, "engine_keys_retired", engine->retired.kept);
    visit(user, "engine_retired_dropped", engine->retired.dropped);
    visit(user, "engine_key_bytes", engine->store.bytes);
    visit(user, "engine_asns_unnamed", engine->directory.not_stored);
}

void engine_print_counters(const struct engine *engine, FILE *out)
{
    engine_visit_counters(engine, counter_print, out);
}
