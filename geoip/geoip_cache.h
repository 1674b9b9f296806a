/* geoip_cache: a direct-mapped cache of what the databases say about an
 * address, or about every address of its network (its /24 or /48) when they
 * say the same of all of them; several threads read and fill it at once
 * without a lock. Each slot is a small sequence lock of four atomic words: a
 * reader that meets a slot being written takes it for a miss, and a writer
 * that meets one gives up. It keeps the organisation as an offset into the
 * ASN database's mapping, and knows nothing of the databases themselves. */
#ifndef EXCLAVE_GEOIP_CACHE_H
#define EXCLAVE_GEOIP_CACHE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/ip_address.h"

enum { GEOIP_CACHE_SLOTS = 1 << 18, GEOIP_CACHE_NETWORK_V4 = 24, GEOIP_CACHE_NETWORK_V6 = 48 };

/* What an entry stands for: one address, or every address in its network
 * (the GEOIP_CACHE_NETWORK_V4 or _V6 bits it starts with). */
enum geoip_cache_span { GEOIP_CACHE_ADDRESS, GEOIP_CACHE_NETWORK };

/* What a slot keeps for its address. */
struct geoip_cached {
    uint32_t asn;              /* 0: unknown */
    uint32_t org_offset;       /* into the ASN database's mapping */
    uint16_t org_length;       /* 0: no organisation */
    char country[2];           /* "\0\0": unknown */
};

struct geoip_cache {
    _Atomic uint64_t (*slots)[4];
    uint8_t generation;        /* slots of another generation are empty */
};

bool geoip_cache_init(struct geoip_cache *cache);
void geoip_cache_free(struct geoip_cache *cache);

/* True, with *found filled, when the entry of this span for the address is
 * in its slot. */
bool geoip_cache_get(const struct geoip_cache *cache, const struct ip_address *address,
                     enum geoip_cache_span span, struct geoip_cached *found);

/* Starts bringing the slot of the address's entry of this span into the
 * CPU cache, for a lookup soon. */
void geoip_cache_prefetch(const struct geoip_cache *cache, const struct ip_address *address,
                          enum geoip_cache_span span);

/* Puts the address's entry of this span in its slot, unless another thread
 * is writing there. */
void geoip_cache_put(struct geoip_cache *cache, const struct ip_address *address,
                     enum geoip_cache_span span, const struct geoip_cached *what);

/* Empties the cache; only while no other thread uses it. */
void geoip_cache_clear(struct geoip_cache *cache);

#endif
