/* ip_defrag: reassembles IPv4 and IPv6 fragments (large EDNS answers arrive
 * fragmented) in a fixed number of slots with a packet-time timeout. It only
 * rebuilds the transport payload; it does not parse UDP/TCP or DNS. */
#ifndef EXCLAVE_IP_DEFRAG_H
#define EXCLAVE_IP_DEFRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/packet_decoder.h"

enum { IP_DEFRAG_SLOTS = 64, IP_DEFRAG_MAX_DATAGRAM = 65535, IP_DEFRAG_TIMEOUT_SECONDS = 30 };

struct ip_defrag_counters {
    uint64_t fragments;           /* fragments seen */
    uint64_t datagrams_reassembled;
    uint64_t fragments_dropped;   /* timed out, evicted, overlapping-inconsistent or too large */
};

struct ip_defrag_slot;

struct ip_defrag {
    struct ip_defrag_slot *slots; /* IP_DEFRAG_SLOTS, buffers allocated on first use */
    struct ip_defrag_counters counters;
};

bool ip_defrag_init(struct ip_defrag *defrag);
void ip_defrag_free(struct ip_defrag *defrag);

/* Adds the fragment in view (as returned with PACKET_FRAGMENT). When it
 * completes a datagram, returns true with *data and *length pointing at the whole
 * transport payload, valid until the next call. */
bool ip_defrag_add(struct ip_defrag *defrag, const struct packet_view *view, double now,
                   const uint8_t **data, size_t *length);

#endif
