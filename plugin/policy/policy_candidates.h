/* policy_candidates: the keys a policy's evaluate is worth calling for, as
 * the policy declares them once in its `candidates` table (kinds, a floor on
 * corrected lookups, a ceiling on ASNs, a floor on the share of the largest
 * ASNs but some (public resolvers),
 * a first sighting within some days, another policy's alert, not again
 * after its own), checked in C on the key's aggregates before any Lua runs.
 * Every test is a necessary condition the policy states; Lua still decides.
 * It reads no Lua and allocates nothing; the Lua side (policy_host) fills
 * the struct, and the wire form carries it to the sensor. */
#ifndef EXCLAVE_POLICY_CANDIDATES_H
#define EXCLAVE_POLICY_CANDIDATES_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/key_aggregate.h"

struct wire_buffer;
struct wire_reader;

enum { POLICY_CANDIDATE_IGNORED_MAX = 32 };

struct policy_candidates {
    uint8_t kinds;             /* bit per enum key_kind */
    double min_lookups;        /* corrected lookups */
    uint32_t max_asns;         /* distinct querier ASNs; 0: no ceiling */
    uint8_t top_asns;          /* with top_share: the largest top_asns ASNs'... */
    double top_share;          /* ...share of corrected lookups at least this; 0: none */
    uint8_t ignored_count;     /* ASNs that top_asns passes over (public resolvers) */
    uint32_t ignored_asns[POLICY_CANDIDATE_IGNORED_MAX];
    int64_t first_seen_within_us; /* first seen at most this long before the tick; 0: any */
    uint32_t alerted_by;       /* policy bits: one of them alerted in this window; 0: none */
    uint32_t not_alerted_by;   /* policy bits: none of them alerted in this window */
};

/* What a policy that declares nothing gets: every key of every kind. */
void policy_candidates_all(struct policy_candidates *candidates);

/* The kind and the floor on corrected lookups alone, which most keys fail:
 * they sit in the key's first cache line, so a caller can test them before
 * it reads anything else of the key (its alerts, for policy_candidates_pass). */
static inline bool policy_candidates_floor_met(const struct policy_candidates *c, const struct key *key)
{
    return (c->kinds & (1u << key->kind)) && (double)key->lookups_corrected >= c->min_lookups;
}

/* Whether `key` (alerted: the policies that alerted on it in this window,
 * a bit each) is worth a call at tick time now_us. */
bool policy_candidates_pass(const struct policy_candidates *candidates, const struct key *key,
                            uint32_t alerted, int64_t now_us);

void policy_candidates_encode(const struct policy_candidates *candidates, struct wire_buffer *out);
/* False when the bytes do not hold one (a kind out of range, a NaN). */
bool policy_candidates_decode(struct policy_candidates *candidates, struct wire_reader *in);

#endif
