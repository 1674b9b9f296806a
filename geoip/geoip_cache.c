/* geoip_cache: slots of four 64-bit words, [0] and [1] the address (a
 * network's with its host bits zero), [2] the AS number and the
 * organisation's offset, [3] the control word: a 16-bit sequence (odd while
 * a writer is inside), the organisation's length, the country, the entry's
 * tag (the family, and the top bit for a network) and the generation. A
 * reader loads the control word, the rest, then the control word again, and
 * trusts the slot only if it did not change. Must not allocate after init. */
#include "geoip/geoip_cache.h"

#include <stdlib.h>
#include <string.h>

#include "base/table_memory.h"

/* The control word's fields. */
static uint64_t control_word(uint16_t sequence, const struct geoip_cached *what, uint8_t tag,
                             uint8_t generation)
{
    return (uint64_t)sequence | (uint64_t)what->org_length << 16 |
           (uint64_t)(uint8_t)what->country[0] << 32 | (uint64_t)(uint8_t)what->country[1] << 40 |
           (uint64_t)tag << 48 | (uint64_t)generation << 56;
}

static uint16_t control_sequence(uint64_t control) { return (uint16_t)control; }
static uint8_t control_tag(uint64_t control) { return (uint8_t)(control >> 48); }
static uint8_t control_generation(uint64_t control) { return (uint8_t)(control >> 56); }

/* What an entry is known by: its address bytes (masked to the network for
 * a network's entry) and its tag. */
struct entry_key {
    uint64_t words[2];
    uint8_t tag;
};

_Static_assert(GEOIP_CACHE_NETWORK_V4 % 8 == 0 && GEOIP_CACHE_NETWORK_V6 % 8 == 0,
               "networks end on a byte");

static struct entry_key entry_key_of(const struct ip_address *address, enum geoip_cache_span span)
{
    uint8_t bytes[16];
    memcpy(bytes, address->bytes, 16);
    if (span == GEOIP_CACHE_NETWORK) {
        size_t kept = (address->family == 4 ? GEOIP_CACHE_NETWORK_V4 : GEOIP_CACHE_NETWORK_V6) / 8;
        memset(bytes + kept, 0, 16 - kept);
    }
    struct entry_key key = { .tag = (uint8_t)(address->family | (span == GEOIP_CACHE_NETWORK) << 7) };
    memcpy(key.words, bytes, 16);
    return key;
}

/* Two multiplications: the slot needs 18 good bits, and a crafted
 * collision only costs a lookup in the databases. */
static _Atomic uint64_t *slot_of(const struct geoip_cache *cache, const struct entry_key *key)
{
    uint64_t h = (key->words[0] ^ key->tag) * 0x9e3779b97f4a7c15ULL;
    h = (h ^ (h >> 29) ^ key->words[1]) * 0xbf58476d1ce4e5b9ULL;
    _Static_assert((GEOIP_CACHE_SLOTS & (GEOIP_CACHE_SLOTS - 1)) == 0, "a power of two");
    return cache->slots[h >> (64 - __builtin_ctz(GEOIP_CACHE_SLOTS))];
}

bool geoip_cache_init(struct geoip_cache *cache)
{
    cache->generation = 1;
    /* zeroed: generation 0, every slot empty */
    cache->slots = table_memory_alloc(GEOIP_CACHE_SLOTS, sizeof *cache->slots);
    return cache->slots != NULL;
}

void geoip_cache_free(struct geoip_cache *cache)
{
    table_memory_free(cache->slots, GEOIP_CACHE_SLOTS, sizeof *cache->slots);
    cache->slots = NULL;
}

bool geoip_cache_get(const struct geoip_cache *cache, const struct ip_address *address,
                     enum geoip_cache_span span, struct geoip_cached *found)
{
    struct entry_key key = entry_key_of(address, span);
    _Atomic uint64_t *slot = slot_of(cache, &key);
    uint64_t control = atomic_load_explicit(&slot[3], memory_order_acquire);
    if (control_sequence(control) & 1 || control_generation(control) != cache->generation ||
        control_tag(control) != key.tag)
        return false;
    uint64_t words[3];
    for (int i = 0; i < 3; i++)
        words[i] = atomic_load_explicit(&slot[i], memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&slot[3], memory_order_relaxed) != control ||
        words[0] != key.words[0] || words[1] != key.words[1])
        return false;
    found->asn = (uint32_t)words[2];
    found->org_offset = (uint32_t)(words[2] >> 32);
    found->org_length = (uint16_t)(control >> 16);
    found->country[0] = (char)(control >> 32);
    found->country[1] = (char)(control >> 40);
    return true;
}

void geoip_cache_prefetch(const struct geoip_cache *cache, const struct ip_address *address,
                          enum geoip_cache_span span)
{
#if defined(__GNUC__)
    struct entry_key key = entry_key_of(address, span);
    __builtin_prefetch(slot_of(cache, &key));
#else
    (void)cache, (void)address, (void)span;
#endif
}

void geoip_cache_put(struct geoip_cache *cache, const struct ip_address *address,
                     enum geoip_cache_span span, const struct geoip_cached *what)
{
    struct entry_key key = entry_key_of(address, span);
    _Atomic uint64_t *slot = slot_of(cache, &key);
    uint64_t control = atomic_load_explicit(&slot[3], memory_order_relaxed);
    uint16_t sequence = control_sequence(control);
    if (sequence & 1)
        return;
    uint64_t writing = (control & ~UINT64_C(0xffff)) | (uint16_t)(sequence + 1);
    if (!atomic_compare_exchange_strong_explicit(&slot[3], &control, writing, memory_order_relaxed,
                                                 memory_order_relaxed))
        return;
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&slot[0], key.words[0], memory_order_relaxed);
    atomic_store_explicit(&slot[1], key.words[1], memory_order_relaxed);
    atomic_store_explicit(&slot[2], what->asn | (uint64_t)what->org_offset << 32,
                          memory_order_relaxed);
    atomic_store_explicit(&slot[3],
                          control_word((uint16_t)(sequence + 2), what, key.tag, cache->generation),
                          memory_order_release);
}

void geoip_cache_clear(struct geoip_cache *cache)
{
    if (++cache->generation == 0) { /* after 255 generations the slots are cleared */
        memset(cache->slots, 0, (size_t)GEOIP_CACHE_SLOTS * sizeof *cache->slots);
        cache->generation = 1;
    }
}
