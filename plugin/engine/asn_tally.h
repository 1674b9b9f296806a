/* asn_tally: lookups per querier ASN for one key, in fixed space: exact while
 * the key has seen at most ASN_TALLY_SLOTS ASNs, a Space-Saving heavy-hitters
 * summary beyond (the largest ASNs stay, each count over-estimated by at most
 * its `overestimate`). Counts both raw and caching-corrected lookups; the
 * corrected count decides who stays. The same summary serves for querier
 * countries, a country's two letters packed into the 32-bit id. Never
 * allocates. */
#ifndef EXCLAVE_ASN_TALLY_H
#define EXCLAVE_ASN_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { ASN_TALLY_SLOTS = 8 };

struct asn_count {
    uint32_t asn;              /* 0: unknown owner */
    uint32_t lookups;
    uint32_t corrected;
    uint32_t overestimate;     /* 0 while exact */
    uint32_t proven;           /* of lookups, those whose query proved its source */
};

struct asn_tally {
    uint8_t used;
    bool approximate;          /* an ASN was ever replaced */
    struct asn_count slot[ASN_TALLY_SLOTS];
};

/* Counts one lookup of asn; returns the slot that holds it. *replaced (when
 * not NULL) tells whether that slot held another ASN before, whose counts
 * it inherited as error. */
unsigned asn_tally_add(struct asn_tally *tally, uint32_t asn, bool corrected, bool proven,
                       bool *replaced);

/* The slot holding asn, or -1. */
int asn_tally_find(const struct asn_tally *tally, uint32_t asn);

/* Adds from's counts into into: exact while both together hold at most
 * ASN_TALLY_SLOTS ASNs, Space-Saving beyond. */
void asn_tally_merge(struct asn_tally *into, const struct asn_tally *from);

/* Copies the counts into out (ASN_TALLY_SLOTS entries), largest corrected
 * count first; returns how many. */
size_t asn_tally_sorted(const struct asn_tally *tally, struct asn_count *out);

/* Shannon entropy in bits of the corrected shares over total_corrected; the
 * mass outside the tracked ASNs counts as one more ASN. */
double asn_tally_entropy(const struct asn_tally *tally, uint64_t total_corrected);

#endif
