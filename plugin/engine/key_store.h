/* key_store: the bounded table of keys. Finds or creates the key for
 * (kind, name), evicts the least useful key when the table is full or its
 * memory cap is reached, keeps the list of keys touched since the last
 * evaluation tick, and expires idle keys. It knows nothing about DNS, Lua
 * or output. A new key allocates its name; nothing else allocates after
 * key_store_init. */
#ifndef EXCLAVE_KEY_STORE_H
#define EXCLAVE_KEY_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/key_aggregate.h"

enum { KEY_STORE_DEFAULT_MAX_KEYS = 100000, KEY_STORE_EVICTION_SAMPLES = 8,
       KEY_STORE_KEYS_MAX = 1 << 30 /* what key_store_init accepts at most */ };

struct key_store_counters {
    uint64_t keys_created;
    uint64_t keys_evicted;     /* pushed out while full (least useful first) */
    uint64_t keys_expired;     /* idle past the expiry */
    uint64_t keys_refused;     /* could not be stored (a name over 65535 bytes) */
};

struct key_store {
    struct key *keys;          /* max_keys slots */
    uint64_t *index;           /* open addressing: the key's slot + 1 (0 empty) in the low
                                  half, the low half of its hash above */
    uint32_t index_mask;
    uint32_t *free_slots;      /* stack of unused slot numbers */
    uint32_t free_count;
    uint32_t *dirty_slots;     /* slots touched since key_store_take_dirty */
    uint32_t dirty_count;
    uint8_t *slot_listed;      /* 1: the slot is in dirty_slots */
    uint32_t *seen_floor;      /* per slot, for the expiry scan: a key not dirty was last
                                  seen no earlier than this second; SEEN_UNKNOWN: look at
                                  the key; SEEN_FREE: no key */
    uint32_t max_keys;
    uint32_t count;
    uint32_t high_water;       /* slots at or above it were never used */
    size_t max_bytes;          /* 0: bounded by max_keys only */
    size_t bytes;              /* slots in use, their names and the index */
    uint64_t random_state;
    struct key_store_counters counters;
};

/* Sizes the store for max_keys keys, or, when max_bytes is not 0, for as
 * many as fit in max_bytes (then names count against the cap too). */
bool key_store_init(struct key_store *store, uint32_t max_keys, size_t max_bytes);
void key_store_free(struct key_store *store);

/* Bytes one key costs besides its name; for sizing and documentation. */
size_t key_store_bytes_per_key(void);

uint64_t key_store_hash(enum key_kind kind, const char *name, size_t length);

/* Starts bringing the index entry where a key of this hash is looked for
 * into the CPU cache, for a lookup soon. */
static inline void key_store_prefetch(const struct key_store *store, uint64_t hash)
{
#if defined(__GNUC__)
    __builtin_prefetch(&store->index[(uint32_t)hash & store->index_mask]);
#else
    (void)store, (void)hash;
#endif
}

/* Existing key or NULL. */
struct key *key_store_find(struct key_store *store, enum key_kind kind, const char *name,
                           size_t length, uint64_t hash);

/* Existing key, or a new zeroed one (evicting another if needed). NULL only
 * when the name cannot be stored. */
struct key *key_store_get(struct key_store *store, enum key_kind kind, const char *name,
                          size_t length, uint64_t hash);

static inline uint32_t key_store_slot(const struct key_store *store, const struct key *key)
{
    return (uint32_t)(key - store->keys);
}
struct key_ref key_store_ref(const struct key_store *store, const struct key *key);
/* The key a reference points at, or NULL when that key is gone. */
struct key *key_store_deref(struct key_store *store, struct key_ref ref);

/* The key's record was replaced whole (by a state file's): what the store
 * keeps beside it is renewed. */
void key_store_rewrote(struct key_store *store, const struct key *key);

/* Marks the key touched; its slot is listed for the next tick. */
void key_store_mark_dirty(struct key_store *store, struct key *key);

/* Calls visit for every key marked dirty since the last call, then clears
 * the marks. visit may look keys up but must not create any. */
void key_store_take_dirty(struct key_store *store, void (*visit)(void *user, struct key *key),
                          void *user);

/* Removes keys not dirty whose last lookup is before cutoff_us, showing
 * each to on_expire first (NULL: none). It reads only the keys that may
 * expire: a key's last-seen second is noted beside the table whenever its
 * dirty mark is taken, and a key changes only while marked. */
void key_store_expire(struct key_store *store, int64_t cutoff_us,
                      void (*on_expire)(void *user, const struct key *key), void *user);

#endif
