/* querier_tally: the key's two largest querier addresses by raw lookups, in
 * fixed space (Space-Saving with two slots): a querier that made more than
 * a third of the lookups is always held, each count over-estimated by at
 * most its `overestimate`. It says who dominates a key; counting distinct
 * queriers is distinct_counter's job. Never allocates. */
#ifndef EXCLAVE_QUERIER_TALLY_H
#define EXCLAVE_QUERIER_TALLY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/ip_address.h"

enum { QUERIER_TALLY_SLOTS = 2 };

struct querier_count {
    struct ip_address address;
    uint32_t lookups;
    uint32_t overestimate;
};

struct querier_tally {
    uint8_t used;
    struct querier_count slot[QUERIER_TALLY_SLOTS];
};

void querier_tally_add(struct querier_tally *tally, const struct ip_address *address);

/* Adds from's counts into into (a merge of two sensors' keys). */
void querier_tally_merge(struct querier_tally *into, const struct querier_tally *from);

/* The querier that surely made more than half of `lookups`, or NULL. */
const struct querier_count *querier_tally_majority(const struct querier_tally *tally,
                                                   uint64_t lookups);

#endif
