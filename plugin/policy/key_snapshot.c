/* key_snapshot: taking a key's snapshot from the engine, and its wire form.
 * Strings travel with their NUL, which decoding checks. */
#include "policy/key_snapshot.h"

#include <string.h>

#include "policy/policy_wire.h"

void key_snapshot_take(struct key_snapshot *snapshot, struct engine *engine, const struct key *key)
{
    memset(snapshot, 0, sizeof *snapshot);
    snapshot->key = key;
    snapshot->ref = key_store_ref(&engine->store, key);
    snapshot->alerted = engine_alerted_policies(engine, key);
    for (unsigned i = 0; i < key->asn_tally.used && i < ASN_TALLY_SLOTS; i++) {
        struct key_snapshot_asn *a = &snapshot->asns[snapshot->asn_count++];
        a->asn = key->asn_tally.slot[i].asn;
        engine_describe_asn(engine, a->asn, &a->org, &a->country);
    }
    if (key->kind != KEY_ADDRESS)
        return;
    for (unsigned i = 0; i < key->linked_count && i < KEY_NAMES_MAX; i++) {
        const struct key *name = key_store_deref(&engine->store, key->linked.names[i]);
        if (name) {
            snapshot->names[snapshot->name_count] = name->name;
            snapshot->name_lengths[snapshot->name_count++] = name->name_length;
        }
    }
}

const struct key_snapshot_asn *key_snapshot_asn(const struct key_snapshot *snapshot, uint32_t asn)
{
    for (unsigned i = 0; i < snapshot->asn_count; i++)
        if (snapshot->asns[i].asn == asn)
            return &snapshot->asns[i];
    return NULL;
}

/* A string or NULL, with its NUL; NULL travels as length 0. */
static void put_string(struct wire_buffer *out, const char *text, size_t length)
{
    if (!text) {
        wire_put_u32(out, 0);
        return;
    }
    wire_put_u32(out, (uint32_t)length + 1);
    wire_put(out, text, length);
    wire_put_u8(out, 0);
}

static bool get_string(struct wire_reader *in, size_t max, const char **text, size_t *length)
{
    size_t n;
    const char *bytes = wire_get_text(in, max + 1, &n);
    *text = NULL;
    *length = 0;
    if (in->failed)
        return false;
    if (n == 0)
        return true;
    if (bytes[n - 1] != '\0' || memchr(bytes, '\0', n - 1))
        return false;
    *text = bytes;
    *length = n - 1;
    return true;
}

bool key_snapshot_encode(const struct key_snapshot *snapshot, struct wire_buffer *out)
{
    const struct key *key = snapshot->key;
    wire_put(out, key, sizeof *key);
    put_string(out, key->name, key->name_length);
    wire_put(out, &snapshot->ref, sizeof snapshot->ref);
    wire_put_u32(out, snapshot->alerted);
    wire_put_u8(out, snapshot->asn_count);
    for (unsigned i = 0; i < snapshot->asn_count; i++) {
        const struct key_snapshot_asn *a = &snapshot->asns[i];
        wire_put_u32(out, a->asn);
        put_string(out, a->org, a->org ? strnlen(a->org, KEY_SNAPSHOT_ORG_MAX) : 0);
        put_string(out, a->country, a->country ? strnlen(a->country, 2) : 0);
    }
    wire_put_u8(out, snapshot->name_count);
    for (unsigned i = 0; i < snapshot->name_count; i++)
        put_string(out, snapshot->names[i], snapshot->name_lengths[i]);
    return !out->failed;
}

/* The sensor is the only writer of snapshots, but a decoded one must still
 * never point outside what was read. */
bool key_snapshot_decode(struct wire_reader *in, struct key_snapshot_copy *copy)
{
    memset(copy, 0, sizeof *copy);
    struct key_snapshot *s = &copy->snapshot;
    const char *text;
    size_t length;
    if (!wire_get(in, &copy->key, sizeof copy->key) || !get_string(in, UINT16_MAX, &text, &length) ||
        !text || length != copy->key.name_length)
        return false;
    copy->key.name = (char *)text;
    s->key = &copy->key;
    wire_get(in, &s->ref, sizeof s->ref);
    s->alerted = wire_get_u32(in);
    s->asn_count = wire_get_u8(in);
    if (s->asn_count > ASN_TALLY_SLOTS)
        return false;
    for (unsigned i = 0; i < s->asn_count; i++) {
        s->asns[i].asn = wire_get_u32(in);
        if (!get_string(in, KEY_SNAPSHOT_ORG_MAX, &s->asns[i].org, &length) ||
            !get_string(in, 2, &s->asns[i].country, &length))
            return false;
    }
    s->name_count = wire_get_u8(in);
    if (s->name_count > KEY_NAMES_MAX)
        return false;
    for (unsigned i = 0; i < s->name_count; i++) {
        if (!get_string(in, UINT16_MAX, &s->names[i], &length) || !s->names[i])
            return false;
        s->name_lengths[i] = (uint16_t)length;
    }
    return !in->failed;
}
