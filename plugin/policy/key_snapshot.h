/* key_snapshot: one key as a policy sees it, complete in itself: the
 * aggregates, the reference back to the sensor's key, which policies have
 * alerted on it in this window, the names of its ASNs and, for an address,
 * its names. Policies read snapshots, never the engine, so that they can run
 * in another process. Taking one allocates nothing; the wire form (encode,
 * decode) is for the policy process, which runs the same binary. */
#ifndef EXCLAVE_KEY_SNAPSHOT_H
#define EXCLAVE_KEY_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

enum { KEY_SNAPSHOT_ORG_MAX = 255 };

struct key_snapshot_asn {
    uint32_t asn;
    const char *org;           /* NULL: unknown */
    const char *country;       /* NULL: unknown */
};

struct key_snapshot {
    const struct key *key;     /* key->name is the key's name */
    struct key_ref ref;        /* the sensor's key, for alerts */
    uint32_t alerted;          /* bit per policy: alerted on it in this window */
    uint8_t asn_count;
    struct key_snapshot_asn asns[ASN_TALLY_SLOTS];
    uint8_t name_count;        /* an address's names that are still kept */
    const char *names[KEY_NAMES_MAX];
    uint16_t name_lengths[KEY_NAMES_MAX];
};

/* The snapshot of an engine's key; it points into the engine, so it is
 * valid until the engine next changes. */
void key_snapshot_take(struct key_snapshot *snapshot, struct engine *engine, const struct key *key);

/* The description of one of the snapshot's ASNs, or NULL. */
const struct key_snapshot_asn *key_snapshot_asn(const struct key_snapshot *snapshot, uint32_t asn);

/* Appends the wire form to out (grown with realloc); false when out of
 * memory. */
struct wire_buffer;
bool key_snapshot_encode(const struct key_snapshot *snapshot, struct wire_buffer *out);

/* A decoded snapshot owns a copy of the key; its strings point into the
 * bytes it was decoded from, which must outlive it. */
struct key_snapshot_copy {
    struct key key;
    struct key_snapshot snapshot;
};

/* Reads one wire form at *at (advanced past it); false when the bytes are
 * not one. */
struct wire_reader;
bool key_snapshot_decode(struct wire_reader *in, struct key_snapshot_copy *copy);

#endif
