/* asn_tally: Space-Saving over querier ASNs (Metwally et al., 2005): a new
 * ASN that finds the table full takes the place of the smallest entry and
 * inherits its count as an upper bound of its own error. */
#include "engine/asn_tally.h"

#include <math.h>
#include <stdlib.h>

static struct asn_count *smallest(struct asn_tally *tally)
{
    struct asn_count *min = &tally->slot[0];
    for (unsigned i = 1; i < tally->used; i++) {
        struct asn_count *c = &tally->slot[i];
        if (c->corrected < min->corrected ||
            (c->corrected == min->corrected && c->lookups < min->lookups))
            min = c;
    }
    return min;
}

int asn_tally_find(const struct asn_tally *tally, uint32_t asn)
{
    for (unsigned i = 0; i < tally->used; i++)
        if (tally->slot[i].asn == asn)
            return (int)i;
    return -1;
}

unsigned asn_tally_add(struct asn_tally *tally, uint32_t asn, bool corrected, bool proven,
                       bool *replaced)
{
    if (replaced)
        *replaced = false;
    int found = asn_tally_find(tally, asn);
    if (found >= 0) {
        tally->slot[found].lookups++;
        tally->slot[found].corrected += corrected;
        tally->slot[found].proven += proven;
        return (unsigned)found;
    }
    if (tally->used < ASN_TALLY_SLOTS) {
        tally->slot[tally->used] = (struct asn_count){ asn, 1, corrected, 0, proven };
        return tally->used++;
    }
    struct asn_count *victim = smallest(tally);
    victim->asn = asn;
    victim->overestimate = victim->corrected;
    victim->lookups += 1;
    victim->corrected += corrected;
    victim->proven += proven; /* like the counts, an upper bound now */
    tally->approximate = true;
    if (replaced)
        *replaced = true;
    return (unsigned)(victim - tally->slot);
}

static int by_corrected_descending(const void *a, const void *b)
{
    const struct asn_count *x = a, *y = b;
    if (x->corrected != y->corrected)
        return x->corrected < y->corrected ? 1 : -1;
    if (x->lookups != y->lookups)
        return x->lookups < y->lookups ? 1 : -1;
    return (x->asn > y->asn) - (x->asn < y->asn);
}

size_t asn_tally_sorted(const struct asn_tally *tally, struct asn_count *out)
{
    for (unsigned i = 0; i < tally->used; i++)
        out[i] = tally->slot[i];
    qsort(out, tally->used, sizeof *out, by_corrected_descending);
    return tally->used;
}

double asn_tally_entropy(const struct asn_tally *tally, uint64_t total_corrected)
{
    if (total_corrected == 0)
        return 0;
    double entropy = 0, tracked = 0;
    for (unsigned i = 0; i < tally->used; i++) {
        double share = (double)(tally->slot[i].corrected - tally->slot[i].overestimate) /
                       (double)total_corrected;
        if (share > 0) {
            entropy -= share * log2(share);
            tracked += share;
        }
    }
    double rest = 1.0 - tracked;
    if (rest > 1e-9)
        entropy -= rest * log2(rest);
    return entropy;
}

void asn_tally_merge(struct asn_tally *into, const struct asn_tally *from)
{
    into->approximate |= from->approximate;
    for (unsigned i = 0; i < from->used; i++) {
        const struct asn_count *c = &from->slot[i];
        int found = asn_tally_find(into, c->asn);
        struct asn_count *same = found >= 0 ? &into->slot[found] : NULL;
        if (same) {
            same->lookups += c->lookups;
            same->corrected += c->corrected;
            same->overestimate += c->overestimate;
            same->proven += c->proven;
        } else if (into->used < ASN_TALLY_SLOTS) {
            into->slot[into->used++] = *c;
        } else { /* Space-Saving: the smallest makes way and lends its count as error */
            struct asn_count *victim = smallest(into);
            *victim = (struct asn_count){ c->asn, victim->lookups + c->lookups,
                                          victim->corrected + c->corrected,
                                          victim->corrected + c->overestimate,
                                          victim->proven + c->proven };
            into->approximate = true;
        }
    }
}
