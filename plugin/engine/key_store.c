/* key_store: slots in one array, an open-addressing index of slot numbers
 * and hash bits (a probe reads a key only when its bits match) with linear
 * probing and backward-shift deletion, and eviction by sampling
 * (as Redis approximates LRU): of a few random keys, the one with the fewest
 * caching-corrected lookups, then the oldest, leaves. A flood of one-lookup
 * names therefore evicts its own kind and not a key with history. */
#include "engine/key_store.h"

#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/table_memory.h"

enum { SEEN_UNKNOWN = 0, SEEN_FREE = UINT32_MAX };

size_t key_store_bytes_per_key(void)
{
    /* the slot, two index entries, a free-list and a dirty-list entry, the
     * listed flag and the seen floor */
    return sizeof(struct key) + 2 * sizeof(uint64_t) + 3 * sizeof(uint32_t) + 1;
}

/* An index entry: slot + 1 and the hash's low half, which also gives the
 * key's home position. */
static uint64_t index_entry(uint32_t slot, uint64_t hash)
{
    return (uint64_t)(slot + 1) | hash << 32;
}

static uint32_t entry_slot(uint64_t entry) { return (uint32_t)entry - 1; }
static uint32_t entry_hash_bits(uint64_t entry) { return (uint32_t)(entry >> 32); }

/* The whole second at or before a time (within 1970-2106; else unknown). */
static uint32_t seen_floor_of(int64_t time_us)
{
    int64_t second = time_us / 1000000;
    return time_us > 0 && second < (int64_t)SEEN_FREE ? (uint32_t)second : SEEN_UNKNOWN;
}

/* The next power of two at or above twice the keys (max_keys is at most
 * KEY_STORE_KEYS_MAX, so this stays within 32 bits). */
static uint32_t index_size_for(uint32_t max_keys)
{
    uint64_t size = 16;
    while (size < (uint64_t)max_keys * 2)
        size <<= 1;
    return (uint32_t)size;
}

bool key_store_init(struct key_store *store, uint32_t max_keys, size_t max_bytes)
{
    memset(store, 0, sizeof *store);
    if (max_bytes) {
        size_t fit = max_bytes / (key_store_bytes_per_key() + 32);
        max_keys = fit > UINT32_MAX / 4 ? UINT32_MAX / 4 : (uint32_t)fit;
    }
    if (max_keys < 16)
        max_keys = 16;
    if (max_keys > KEY_STORE_KEYS_MAX)
        return false;
    uint32_t index_size = index_size_for(max_keys);
    store->index_mask = index_size - 1;
    store->max_keys = max_keys;
    /* the keys stay on small pages: faulted in 2 MiB at a time, compacting
     * for them cost more system time in a run than their TLB misses */
    store->keys = calloc(max_keys, sizeof *store->keys);
    store->index = table_memory_alloc(index_size, sizeof *store->index);
    store->free_slots = malloc((size_t)max_keys * sizeof *store->free_slots);
    store->dirty_slots = malloc((size_t)max_keys * sizeof *store->dirty_slots);
    store->slot_listed = calloc(max_keys, sizeof *store->slot_listed);
    store->seen_floor = malloc((size_t)max_keys * sizeof *store->seen_floor);
    if (!store->keys || !store->index || !store->free_slots || !store->dirty_slots ||
        !store->slot_listed || !store->seen_floor) {
        key_store_free(store);
        return false;
    }
    for (uint32_t i = 0; i < max_keys; i++) {
        store->free_slots[i] = max_keys - 1 - i;
        store->seen_floor[i] = SEEN_FREE;
    }
    store->free_count = max_keys;
    store->max_bytes = max_bytes;
    store->bytes = (size_t)index_size * sizeof *store->index;
    store->random_state = 0x9e3779b97f4a7c15ULL;
    return true;
}

void key_store_free(struct key_store *store)
{
    if (store->keys)
        for (uint32_t i = 0; i < store->high_water; i++)
            free(store->keys[i].name);
    free(store->keys);
    table_memory_free(store->index, (size_t)store->index_mask + 1, sizeof *store->index);
    free(store->free_slots);
    free(store->dirty_slots);
    free(store->slot_listed);
    free(store->seen_floor);
    memset(store, 0, sizeof *store);
}

uint64_t key_store_hash(enum key_kind kind, const char *name, size_t length)
{
    return hash_bytes(name, length, 0x6b65790000000000ULL + kind);
}

static bool key_matches(const struct key *key, enum key_kind kind, const char *name,
                        size_t length, uint64_t hash)
{
    return key->hash == hash && key->kind == kind && key->name_length == length &&
           memcmp(key->name, name, length) == 0;
}

/* The index position holding slot, or of the empty entry where (kind, name) would go. */
static uint32_t probe(const struct key_store *store, enum key_kind kind, const char *name,
                      size_t length, uint64_t hash)
{
    uint32_t at = (uint32_t)hash & store->index_mask;
    for (uint64_t entry; (entry = store->index[at]); at = (at + 1) & store->index_mask)
        if (entry_hash_bits(entry) == (uint32_t)hash &&
            key_matches(&store->keys[entry_slot(entry)], kind, name, length, hash))
            break;
    return at;
}

struct key *key_store_find(struct key_store *store, enum key_kind kind, const char *name,
                           size_t length, uint64_t hash)
{
    uint32_t at = probe(store, kind, name, length, hash);
    return store->index[at] ? &store->keys[entry_slot(store->index[at])] : NULL;
}

/* Backward-shift deletion keeps every probe chain unbroken. */
static void index_remove(struct key_store *store, uint32_t at)
{
    uint32_t hole = at;
    for (uint32_t next = (at + 1) & store->index_mask; store->index[next];
         next = (next + 1) & store->index_mask) {
        uint32_t home = entry_hash_bits(store->index[next]) & store->index_mask;
        /* move next into the hole unless its home lies cyclically in (hole, next] */
        bool stays = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
        if (!stays) {
            store->index[hole] = store->index[next];
            hole = next;
        }
    }
    store->index[hole] = 0;
}

static void remove_key(struct key_store *store, struct key *key)
{
    uint32_t at = probe(store, key->kind, key->name, key->name_length, key->hash);
    index_remove(store, at);
    store->bytes -= sizeof *key + key->name_length + 1u;
    free(key->name);
    memset(key, 0, sizeof *key);
    store->seen_floor[key_store_slot(store, key)] = SEEN_FREE;
    store->free_slots[store->free_count++] = key_store_slot(store, key);
    store->count--;
}

static uint64_t next_random(struct key_store *store)
{
    store->random_state ^= store->random_state << 13;
    store->random_state ^= store->random_state >> 7;
    store->random_state ^= store->random_state << 17;
    return store->random_state;
}

static bool less_useful(const struct key *a, const struct key *b)
{
    if (a->lookups_corrected != b->lookups_corrected)
        return a->lookups_corrected < b->lookups_corrected;
    return a->last_seen_us < b->last_seen_us;
}

static void evict_one(struct key_store *store)
{
    struct key *victim = NULL;
    for (int tries = 0; tries < KEY_STORE_EVICTION_SAMPLES * 4; tries++) {
        struct key *k = &store->keys[next_random(store) % store->high_water];
        if (!k->in_use)
            continue;
        if (!victim || less_useful(k, victim))
            victim = k;
        if (tries >= KEY_STORE_EVICTION_SAMPLES - 1 && victim)
            break;
    }
    for (uint32_t i = 0; !victim && i < store->high_water; i++) /* sparse table: scan */
        if (store->keys[i].in_use)
            victim = &store->keys[i];
    if (victim) {
        remove_key(store, victim);
        store->counters.keys_evicted++;
    }
}

static bool over_cap(const struct key_store *store, size_t adding)
{
    return store->free_count == 0 ||
           (store->max_bytes && store->bytes + adding > store->max_bytes);
}

struct key *key_store_get(struct key_store *store, enum key_kind kind, const char *name,
                          size_t length, uint64_t hash)
{
    uint32_t at = probe(store, kind, name, length, hash);
    if (store->index[at])
        return &store->keys[entry_slot(store->index[at])];
    if (length > UINT16_MAX) {
        store->counters.keys_refused++;
        return NULL;
    }
    size_t adding = sizeof(struct key) + length + 1;
    if (over_cap(store, adding)) {
        while (store->count && over_cap(store, adding))
            evict_one(store);
        at = probe(store, kind, name, length, hash); /* the chain may have moved */
    }
    char *copy = malloc(length + 1);
    if (!copy) {
        store->counters.keys_refused++;
        return NULL;
    }
    memcpy(copy, name, length);
    copy[length] = '\0';
    uint32_t slot = store->free_slots[--store->free_count];
    struct key *key = &store->keys[slot];
    *key = (struct key){ .hash = hash, .name = copy, .name_length = (uint16_t)length,
                         .kind = (uint8_t)kind, .in_use = true };
    store->index[at] = index_entry(slot, hash);
    store->seen_floor[slot] = SEEN_UNKNOWN;
    if (slot >= store->high_water)
        store->high_water = slot + 1;
    store->count++;
    store->bytes += adding;
    store->counters.keys_created++;
    return key;
}

struct key_ref key_store_ref(const struct key_store *store, const struct key *key)
{
    uint32_t check = (uint32_t)key->hash;
    return (struct key_ref){ key_store_slot(store, key), check ? check : 1 };
}

struct key *key_store_deref(struct key_store *store, struct key_ref ref)
{
    if (ref.hash_check == 0 || ref.slot >= store->max_keys)
        return NULL;
    struct key *key = &store->keys[ref.slot];
    uint32_t check = (uint32_t)key->hash;
    return key->in_use && (check ? check : 1) == ref.hash_check ? key : NULL;
}

/* The list holds slots, each at most once (slot_listed), so it never
 * overflows: a key evicted after it was listed leaves its slot listed for
 * whichever key takes the slot next. */
void key_store_mark_dirty(struct key_store *store, struct key *key)
{
    if (key->dirty)
        return;
    key->dirty = true;
    uint32_t slot = key_store_slot(store, key);
    if (!store->slot_listed[slot]) {
        store->slot_listed[slot] = 1;
        store->dirty_slots[store->dirty_count++] = slot;
    }
}

void key_store_take_dirty(struct key_store *store, void (*visit)(void *user, struct key *key),
                          void *user)
{
    for (uint32_t i = 0; i < store->dirty_count; i++) {
        struct key *key = &store->keys[store->dirty_slots[i]];
        store->slot_listed[store->dirty_slots[i]] = 0;
        if (!key->in_use || !key->dirty)
            continue; /* evicted since it was listed */
        if (visit)
            visit(user, key);
        key->dirty = false;
        store->seen_floor[store->dirty_slots[i]] = seen_floor_of(key->last_seen_us);
    }
    store->dirty_count = 0;
}

void key_store_rewrote(struct key_store *store, const struct key *key)
{
    store->seen_floor[key_store_slot(store, key)] = seen_floor_of(key->last_seen_us);
}

static bool expires(const struct key *key, int64_t cutoff_us)
{
    return key->in_use && !key->dirty && key->last_seen_us < cutoff_us;
}

/* Whether the slot's key may expire, from the seen floors alone: a key not
 * dirty is no older than its floor (a dirty one never expires), so only a
 * floor before the cutoff, or unknown, needs a look at the key. */
static bool may_expire(const struct key_store *store, uint32_t slot, int64_t cutoff_us)
{
    uint32_t floor = store->seen_floor[slot];
    return floor != SEEN_FREE && (int64_t)floor * 1000000 < cutoff_us;
}

/* Every expiring key is shown before any is removed, so that each sees the
 * keys it links to. */
void key_store_expire(struct key_store *store, int64_t cutoff_us,
                      void (*on_expire)(void *user, const struct key *key), void *user)
{
    for (uint32_t i = 0; on_expire && i < store->high_water; i++)
        if (may_expire(store, i, cutoff_us) && expires(&store->keys[i], cutoff_us))
            on_expire(user, &store->keys[i]);
    for (uint32_t i = 0; i < store->high_water; i++) {
        struct key *key = &store->keys[i];
        if (may_expire(store, i, cutoff_us) && expires(key, cutoff_us)) {
            remove_key(store, key);
            store->counters.keys_expired++;
        }
    }
}
