/* describe_cache: the policy process's DESCRIBE answers, by address (see
 * the header). Must not ask the sensor anything itself. */
#include "policy/describe_cache.h"

#include <string.h>

/* FNV-1a over the address's bytes: answers of one key sit in one /24 often,
 * so every byte takes part. */
static unsigned slot_of(const struct ip_address *address)
{
    uint32_t hash = 2166136261u ^ address->family;
    for (unsigned i = 0; i < sizeof address->bytes; i++)
        hash = (hash ^ address->bytes[i]) * 16777619u;
    return hash % DESCRIBE_CACHE_SLOTS;
}

void describe_cache_begin(struct describe_cache *cache, uint64_t generation)
{
    if (cache->generation == generation)
        return;
    for (unsigned i = 0; i < DESCRIBE_CACHE_SLOTS; i++)
        cache->slots[i].used = false;
    cache->generation = generation;
}

const struct describe_answer *describe_cache_find(const struct describe_cache *cache,
                                                  const struct ip_address *address)
{
    const struct describe_slot *slot = &cache->slots[slot_of(address)];
    if (!slot->used || slot->address.family != address->family ||
        memcmp(slot->address.bytes, address->bytes, sizeof address->bytes) != 0)
        return NULL;
    return &slot->answer;
}

bool describe_cache_keep(struct describe_cache *cache, const struct ip_address *address,
                         bool found, uint32_t asn, const char *org, size_t org_length,
                         const char country[3])
{
    if (org_length > DESCRIBE_ORG_MAX)
        return false;
    struct describe_slot *slot = &cache->slots[slot_of(address)];
    slot->used = true;
    slot->address = *address;
    slot->answer.found = found;
    slot->answer.asn = asn;
    slot->answer.org_length = (uint16_t)(org ? org_length : 0);
    if (org && org_length)
        memcpy(slot->answer.org, org, org_length);
    memcpy(slot->answer.country, country, sizeof slot->answer.country);
    slot->answer.country[2] = '\0';
    return true;
}
