/* describe_cache: the policy process's memory of what the sensor answered
 * to DESCRIBE (exclave.asn), so a policy that asks about the same address
 * tick after tick costs one round trip, not one per call. Valid for one
 * generation of the sensor's databases: a job from another generation
 * empties it. Fixed size, direct-mapped, no allocation; an organisation
 * name too long for a slot is simply not kept. Knows nothing of Lua or of
 * the wire. */
#ifndef EXCLAVE_DESCRIBE_CACHE_H
#define EXCLAVE_DESCRIBE_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/ip_address.h"

enum { DESCRIBE_CACHE_SLOTS = 512, DESCRIBE_ORG_MAX = 160 };

struct describe_answer {
    bool found;                /* the sensor has databases */
    uint32_t asn;              /* 0: unknown */
    uint16_t org_length;       /* 0: unknown */
    char org[DESCRIBE_ORG_MAX];
    char country[3];           /* "": unknown */
};

struct describe_slot {
    bool used;
    struct ip_address address;
    struct describe_answer answer;
};

struct describe_cache {
    uint64_t generation;
    struct describe_slot slots[DESCRIBE_CACHE_SLOTS];
};

/* Empties the cache when generation is not the one its answers came from. */
void describe_cache_begin(struct describe_cache *cache, uint64_t generation);

/* The kept answer for address, or NULL. */
const struct describe_answer *describe_cache_find(const struct describe_cache *cache,
                                                  const struct ip_address *address);

/* Keeps an answer (org of org_length bytes, NULL for none); false when the
 * organisation is too long to keep. */
bool describe_cache_keep(struct describe_cache *cache, const struct ip_address *address,
                         bool found, uint32_t asn, const char *org, size_t org_length,
                         const char country[3]);

#endif
