/* ip_defrag: fragment reassembly by 8-byte block bitmap. Bounded: at most
 * IP_DEFRAG_SLOTS datagrams in progress, each at most 64 KiB. It must never
 * write outside a slot's buffer, whatever offsets the fragments claim. */
#include "capture/ip_defrag.h"

#include <stdlib.h>
#include <string.h>

enum { BLOCKS = (IP_DEFRAG_MAX_DATAGRAM + 7) / 8 };

struct ip_defrag_slot {
    bool in_use;
    struct ip_address src, dst;
    uint32_t id;
    uint8_t protocol;
    uint64_t tunnel_key;      /* the encapsulation's flow key: tenants stay apart */
    double first_seen;
    size_t total_length;      /* 0 until the last fragment is seen */
    size_t fragment_count;
    uint8_t *buffer;          /* IP_DEFRAG_MAX_DATAGRAM bytes */
    uint8_t received[BLOCKS / 8 + 1];
};

bool ip_defrag_init(struct ip_defrag *defrag)
{
    memset(defrag, 0, sizeof *defrag);
    defrag->slots = calloc(IP_DEFRAG_SLOTS, sizeof *defrag->slots);
    return defrag->slots != NULL;
}

void ip_defrag_free(struct ip_defrag *defrag)
{
    if (!defrag->slots)
        return;
    for (size_t i = 0; i < IP_DEFRAG_SLOTS; i++)
        free(defrag->slots[i].buffer);
    free(defrag->slots);
    defrag->slots = NULL;
}

static bool slot_matches(const struct ip_defrag_slot *slot, const struct packet_view *view)
{
    return slot->in_use && slot->id == view->fragment.id && slot->protocol == view->protocol &&
           slot->tunnel_key == view->encap.flow_key && ip_address_equal(&slot->src, &view->src) && ip_address_equal(&slot->dst, &view->dst);
}

static void release_slot(struct ip_defrag *defrag, struct ip_defrag_slot *slot, bool dropped)
{
    if (dropped)
        defrag->counters.fragments_dropped += slot->fragment_count;
    slot->in_use = false;
}

/* Finds the datagram's slot, or claims a free, expired or the oldest one. */
static struct ip_defrag_slot *find_slot(struct ip_defrag *defrag, const struct packet_view *view,
                                        double now)
{
    struct ip_defrag_slot *victim = NULL;
    for (size_t i = 0; i < IP_DEFRAG_SLOTS; i++) {
        struct ip_defrag_slot *slot = &defrag->slots[i];
        if (slot->in_use && now - slot->first_seen > IP_DEFRAG_TIMEOUT_SECONDS)
            release_slot(defrag, slot, true);
        if (slot_matches(slot, view))
            return slot;
        if (!victim || (victim->in_use && (!slot->in_use || slot->first_seen < victim->first_seen)))
            victim = slot;
    }
    if (victim->in_use)
        release_slot(defrag, victim, true);
    if (!victim->buffer && !(victim->buffer = malloc(IP_DEFRAG_MAX_DATAGRAM)))
        return NULL;
    victim->in_use = true;
    victim->src = view->src;
    victim->dst = view->dst;
    victim->id = view->fragment.id;
    victim->protocol = view->protocol;
    victim->tunnel_key = view->encap.flow_key;
    victim->first_seen = now;
    victim->total_length = 0;
    victim->fragment_count = 0;
    memset(victim->received, 0, sizeof victim->received);
    return victim;
}

static bool block_received(const struct ip_defrag_slot *slot, size_t block)
{
    return slot->received[block / 8] & (1u << (block % 8));
}

static bool datagram_complete(const struct ip_defrag_slot *slot)
{
    if (slot->total_length == 0)
        return false;
    size_t blocks = (slot->total_length + 7) / 8;
    for (size_t block = 0; block < blocks; block++)
        if (!block_received(slot, block))
            return false;
    return true;
}

bool ip_defrag_add(struct ip_defrag *defrag, const struct packet_view *view, double now,
                   const uint8_t **data, size_t *length)
{
    defrag->counters.fragments++;
    size_t offset = view->fragment.offset, end = offset + view->payload_length;
    bool misaligned = view->fragment.more_fragments && (view->payload_length % 8 != 0);
    if (end > IP_DEFRAG_MAX_DATAGRAM || misaligned) {
        defrag->counters.fragments_dropped++;
        return false;
    }
    struct ip_defrag_slot *slot = find_slot(defrag, view, now);
    if (!slot) {
        defrag->counters.fragments_dropped++;
        return false;
    }
    memcpy(slot->buffer + offset, view->payload, view->payload_length);
    for (size_t block = offset / 8; block < (end + 7) / 8; block++)
        slot->received[block / 8] |= (uint8_t)(1u << (block % 8));
    slot->fragment_count++;
    if (!view->fragment.more_fragments)
        slot->total_length = end;
    if (!datagram_complete(slot))
        return false;
    *data = slot->buffer;
    *length = slot->total_length;
    release_slot(defrag, slot, false);
    defrag->counters.datagrams_reassembled++;
    return true;
}
