/* retired_keys: copies of the keys an engine expired, kept when a state may
 * later be merged with other sensors' states. A key idle for a window on
 * one sensor may have been asked at another all along; the merge, which
 * sees every sensor's copies, decides what the whole view kept. A bounded
 * ring: past its capacity the oldest copy leaves and is counted. A copy
 * names its links (a name's domain, an address's names) as text, because
 * the slots its references pointed at are reused. It copies keys; it does
 * not find, expire or merge them. */
#ifndef EXCLAVE_RETIRED_KEYS_H
#define EXCLAVE_RETIRED_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/key_aggregate.h"

enum { RETIRED_LINKS_MAX = KEY_NAMES_MAX };

struct retired_key {
    struct key key;            /* name points into text; domain and names cleared */
    char *text;                /* the name, then each link, each NUL-terminated */
    uint8_t link_count;        /* a name's domain (0 or 1), or an address's names */
};

struct retired_keys {
    struct retired_key *ring;
    uint32_t capacity, count, oldest;
    uint64_t kept;             /* copies taken */
    uint64_t dropped;          /* pushed out past capacity, or out of memory */
};

/* A ring of capacity copies; 0 keeps none and allocates nothing. */
bool retired_keys_init(struct retired_keys *retired, uint32_t capacity);
void retired_keys_free(struct retired_keys *retired);

/* Keeps a copy of key whose links are links[0..link_count) of lengths[]
 * (at most RETIRED_LINKS_MAX). References in the copy are cleared. */
void retired_keys_add(struct retired_keys *retired, const struct key *key,
                      const char *const *links, const uint16_t *lengths, unsigned link_count);

/* The index-th copy, oldest first (index < count). */
const struct retired_key *retired_keys_at(const struct retired_keys *retired, uint32_t index);

/* A copy's link, NUL-terminated; *length set. */
const char *retired_key_link(const struct retired_key *copy, unsigned index, size_t *length);

#endif
