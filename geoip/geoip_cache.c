/* geoip_cache: slots of four 64-bit words, [0] and [1] the address, [2] the
 * AS number and the organisation's offset, [3] the control word: a 16-bit
 * sequence (odd while a writer is inside), the organisation's length, the
 * country, the family and the generation. A reader loads the control word,
 * the rest, then the control word again, and trusts the slot only if it did
 * not change. Must not allocate after init. */
#include "geoip/geoip_cache.h"

#include <stdlib.h>
#include <string.h>

#include "base/hash.h"

/* The control word's fields. */
static uint64_t control_word(uint16_t sequence, const struct geoip_cached *what, uint8_t family,
                             uint8_t generation)
{
    return (uint64_t)sequence | (uint64_t)what->org_length << 16 |
           (uint64_t)(uint8_t)what->country[0] << 32 | (uint64_t)(uint8_t)what->country[1] << 40 |
           (uint64_t)family << 48 | (uint64_t)generation << 56;
}

static uint16_t control_sequence(uint64_t control) { return (uint16_t)control; }
static uint8_t control_family(uint64_t control) { return (uint8_t)(control >> 48); }
static uint8_t control_generation(uint64_t control) { return (uint8_t)(control >> 56); }

static _Atomic uint64_t *slot_of(const struct geoip_cache *cache, const struct ip_address *address)
{
    return cache->slots[hash_bytes(address->bytes, 16, address->family) % GEOIP_CACHE_SLOTS];
}

bool geoip_cache_init(struct geoip_cache *cache)
{
    size_t size = (size_t)GEOIP_CACHE_SLOTS * sizeof *cache->slots;
    cache->generation = 1;
    cache->slots = aligned_alloc(64, size);
    if (cache->slots)
        memset(cache->slots, 0, size); /* generation 0: every slot empty */
    return cache->slots != NULL;
}

void geoip_cache_free(struct geoip_cache *cache)
{
    free(cache->slots);
    cache->slots = NULL;
}

bool geoip_cache_get(const struct geoip_cache *cache, const struct ip_address *address,
                     struct geoip_cached *found)
{
    _Atomic uint64_t *slot = slot_of(cache, address);
    uint64_t control = atomic_load_explicit(&slot[3], memory_order_acquire);
    if (control_sequence(control) & 1 || control_generation(control) != cache->generation ||
        control_family(control) != address->family)
        return false;
    uint64_t words[3];
    for (int i = 0; i < 3; i++)
        words[i] = atomic_load_explicit(&slot[i], memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&slot[3], memory_order_relaxed) != control ||
        memcmp(words, address->bytes, 16) != 0)
        return false;
    found->asn = (uint32_t)words[2];
    found->org_offset = (uint32_t)(words[2] >> 32);
    found->org_length = (uint16_t)(control >> 16);
    found->country[0] = (char)(control >> 32);
    found->country[1] = (char)(control >> 40);
    return true;
}

void geoip_cache_prefetch(const struct geoip_cache *cache, const struct ip_address *address)
{
#if defined(__GNUC__)
    __builtin_prefetch(slot_of(cache, address));
#else
    (void)cache, (void)address;
#endif
}

void geoip_cache_put(struct geoip_cache *cache, const struct ip_address *address,
                     const struct geoip_cached *what)
{
    _Atomic uint64_t *slot = slot_of(cache, address);
    uint64_t control = atomic_load_explicit(&slot[3], memory_order_relaxed);
    uint16_t sequence = control_sequence(control);
    if (sequence & 1)
        return;
    uint64_t writing = (control & ~UINT64_C(0xffff)) | (uint16_t)(sequence + 1);
    if (!atomic_compare_exchange_strong_explicit(&slot[3], &control, writing, memory_order_relaxed,
                                                 memory_order_relaxed))
        return;
    atomic_thread_fence(memory_order_release);
    uint64_t words[2];
    memcpy(words, address->bytes, 16);
    atomic_store_explicit(&slot[0], words[0], memory_order_relaxed);
    atomic_store_explicit(&slot[1], words[1], memory_order_relaxed);
    atomic_store_explicit(&slot[2], what->asn | (uint64_t)what->org_offset << 32,
                          memory_order_relaxed);
    atomic_store_explicit(&slot[3],
                          control_word((uint16_t)(sequence + 2), what, address->family,
                                       cache->generation),
                          memory_order_release);
}

void geoip_cache_clear(struct geoip_cache *cache)
{
    if (++cache->generation == 0) { /* after 255 generations the slots are cleared */
        memset(cache->slots, 0, (size_t)GEOIP_CACHE_SLOTS * sizeof *cache->slots);
        cache->generation = 1;
    }
}
