/* response_pairing: a response from a log is answered only when the request
 * it answers was logged: Suricata, like exclave, logs a response to a query
 * it never saw too. The reader gives each record of a request or response a
 * pair_key (flow, DNS id, question); here, as the lookups reach the engine
 * in time order, requests are remembered in a fixed set-associative table
 * and a response that finds none is unsolicited, once the input has logged
 * any request at all (an output that logs answers only, Suricata's
 * `requests: no`, cannot be paired: its responses count as before). It
 * never allocates after its first use. */
#ifndef EXCLAVE_RESPONSE_PAIRING_H
#define EXCLAVE_RESPONSE_PAIRING_H

#include <stdbool.h>
#include <stdint.h>

enum { RESPONSE_PAIRING_SETS = 1 << 14, RESPONSE_PAIRING_WAYS = 4 };

struct response_pairing {
    uint64_t *requests;        /* SETS * WAYS pair keys, 0: empty; newest first */
    bool requests_logged;      /* the input has logged a request */
};

void response_pairing_free(struct response_pairing *pairing);

/* A request's key is remembered (true); a response's is looked for: true
 * when its request was logged, or no request ever was, or there is no
 * memory to pair in. */
bool response_pairing_answered(struct response_pairing *pairing, uint64_t pair_key, bool request);

#endif
