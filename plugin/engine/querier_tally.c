/* querier_tally: two-slot Space-Saving (as asn_tally, over addresses). */
#include "engine/querier_tally.h"

static struct querier_count *find(struct querier_tally *tally, const struct ip_address *address)
{
    for (unsigned i = 0; i < tally->used; i++)
        if (ip_address_equal(&tally->slot[i].address, address))
            return &tally->slot[i];
    return NULL;
}

static struct querier_count *smallest(struct querier_tally *tally)
{
    struct querier_count *min = &tally->slot[0];
    for (unsigned i = 1; i < tally->used; i++)
        if (tally->slot[i].lookups < min->lookups)
            min = &tally->slot[i];
    return min;
}

/* Counts `lookups` for address, over-estimated by at most `overestimate`. */
static void add_counts(struct querier_tally *tally, const struct ip_address *address,
                       uint32_t lookups, uint32_t overestimate)
{
    struct querier_count *same = find(tally, address);
    if (same) {
        same->lookups += lookups;
        same->overestimate += overestimate;
    } else if (tally->used < QUERIER_TALLY_SLOTS) {
        tally->slot[tally->used++] = (struct querier_count){ *address, lookups, overestimate };
    } else { /* the smallest makes way and lends its count as error */
        struct querier_count *victim = smallest(tally);
        *victim = (struct querier_count){ *address, victim->lookups + lookups,
                                          victim->lookups + overestimate };
    }
}

void querier_tally_add(struct querier_tally *tally, const struct ip_address *address)
{
    add_counts(tally, address, 1, 0);
}

void querier_tally_merge(struct querier_tally *into, const struct querier_tally *from)
{
    for (unsigned i = 0; i < from->used && i < QUERIER_TALLY_SLOTS; i++)
        add_counts(into, &from->slot[i].address, from->slot[i].lookups, from->slot[i].overestimate);
}

const struct querier_count *querier_tally_majority(const struct querier_tally *tally,
                                                   uint64_t lookups)
{
    for (unsigned i = 0; i < tally->used && i < QUERIER_TALLY_SLOTS; i++) {
        const struct querier_count *c = &tally->slot[i];
        if (c->lookups >= c->overestimate && 2 * (uint64_t)(c->lookups - c->overestimate) > lookups)
            return c;
    }
    return NULL;
}
