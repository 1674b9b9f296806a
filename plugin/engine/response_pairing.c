/* response_pairing: one 64-bit key per logged request, the newest first in
 * its set, the oldest falling off. */
#include "engine/response_pairing.h"

#include <stdlib.h>
#include <string.h>

void response_pairing_free(struct response_pairing *pairing)
{
    free(pairing->requests);
    memset(pairing, 0, sizeof *pairing);
}

static uint64_t *set_of(const struct response_pairing *pairing, uint64_t key)
{
    return &pairing->requests[(size_t)((key >> 20) % RESPONSE_PAIRING_SETS) * RESPONSE_PAIRING_WAYS];
}

bool response_pairing_answered(struct response_pairing *pairing, uint64_t pair_key, bool request)
{
    if (!pairing->requests &&
        !(pairing->requests = calloc((size_t)RESPONSE_PAIRING_SETS * RESPONSE_PAIRING_WAYS,
                                     sizeof *pairing->requests)))
        return true;
    uint64_t *set = set_of(pairing, pair_key);
    if (request) {
        pairing->requests_logged = true;
        memmove(set + 1, set, (RESPONSE_PAIRING_WAYS - 1) * sizeof *set);
        set[0] = pair_key;
        return true;
    }
    for (unsigned way = 0; way < RESPONSE_PAIRING_WAYS; way++) {
        if (set[way] == pair_key) {
            set[way] = 0;
            return true;
        }
    }
    return !pairing->requests_logged;
}
