/* state_merge: each input is loaded into an engine of its own and its keys
 * are added, one by one, to the first input's engine, whose store is sized
 * for all of them so that nothing is evicted on the way. */
#include "engine/state_merge.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "base/json_out.h"
#include "engine/state_file.h"

/* An engine holding the state file path, sized for extra_keys more keys. */
static struct engine *open_state(const char *path, uint32_t extra_keys, char *error,
                                 size_t error_size)
{
    uint32_t keys;
    if (!state_file_key_count(path, &keys, error, error_size))
        return NULL;
    if ((uint64_t)keys + extra_keys + 16 > KEY_STORE_KEYS_MAX) {
        snprintf(error, error_size, "%s: refused: more keys in all than one store holds (%d)",
                 path, KEY_STORE_KEYS_MAX);
        return NULL;
    }
    struct engine_config config;
    engine_config_defaults(&config);
    config.max_keys = keys + extra_keys + 16;
    struct engine *engine = calloc(1, sizeof *engine);
    if (!engine || !engine_init(engine, &config, NULL, error, error_size)) {
        free(engine);
        return NULL;
    }
    if (state_file_load(engine, path, error, error_size) <= 0) {
        if (!*error)
            snprintf(error, error_size, "%s: no such state file", path);
        engine_free(engine);
        free(engine);
        return NULL;
    }
    return engine;
}

static void close_state(struct engine *engine)
{
    if (engine) {
        engine_free(engine);
        free(engine);
    }
}

/* into's key for from's key (created when new). */
static struct key *twin(struct engine *into, const struct key *key)
{
    return key_store_get(&into->store, key->kind, key->name, key->name_length, key->hash);
}

static struct key_ref translate(struct engine *into, struct engine *from, struct key_ref ref)
{
    struct key *key = key_store_deref(&from->store, ref);
    struct key *mine = key ? twin(into, key) : NULL;
    return mine ? key_store_ref(&into->store, mine) : (struct key_ref){ 0, 0 };
}

static void merge_key(struct engine *into, struct engine *from, const struct key *theirs)
{
    struct key *mine = twin(into, theirs);
    if (!mine)
        return;
    key_aggregate_merge(mine, theirs); /* into a new key too: the sum with nothing */
    if (!mine->domain.hash_check && theirs->domain.hash_check)
        mine->domain = translate(into, from, theirs->domain);
    for (unsigned i = 0; theirs->kind == KEY_ADDRESS && i < theirs->linked_count; i++)
        key_aggregate_link_name(mine, translate(into, from, theirs->linked.names[i]));
    if (theirs->dirty)
        key_store_mark_dirty(&into->store, mine);
}

static void merge_engine(struct engine *into, struct engine *from)
{
    for (uint32_t slot = 0; slot < from->store.high_water; slot++)
        if (from->store.keys[slot].in_use)
            merge_key(into, from, &from->store.keys[slot]);
    for (uint32_t i = 0; i <= from->directory.mask; i++) {
        const struct as_entry *e = &from->directory.entries[i];
        if (e->asn)
            as_directory_note(&into->directory, e->asn, e->org, e->org ? strlen(e->org) : 0,
                              e->country);
    }
    engine_merge_pairs(into, from);
    if (from->now_us > into->now_us)
        into->now_us = from->now_us;
    if (from->first_us && (!into->first_us || from->first_us < into->first_us))
        into->first_us = from->first_us;
    if (from->next_tick_us > into->next_tick_us)
        into->next_tick_us = from->next_tick_us;
    if (from->next_expiry_us > into->next_expiry_us)
        into->next_expiry_us = from->next_expiry_us;
}

bool state_merge_files(const char *const *inputs, size_t count, const char *output, char *error,
                       size_t error_size)
{
    uint32_t others = 0, keys;
    *error = '\0';
    for (size_t i = 1; i < count; i++) {
        if (!state_file_key_count(inputs[i], &keys, error, error_size))
            return false;
        if ((uint64_t)others + keys > KEY_STORE_KEYS_MAX) {
            snprintf(error, error_size, "%s: refused: more keys in all than one store holds (%d)",
                     inputs[i], KEY_STORE_KEYS_MAX);
            return false;
        }
        others += keys;
    }
    struct engine *into = open_state(inputs[0], others, error, error_size);
    bool ok = into != NULL;
    for (size_t i = 1; ok && i < count; i++) {
        struct engine *from = open_state(inputs[i], 0, error, error_size);
        if (from)
            merge_engine(into, from);
        ok = from != NULL;
        close_state(from);
    }
    ok = ok && state_file_save(into, output, error, error_size);
    close_state(into);
    return ok;
}

/* ---- dump ------------------------------------------------------------------------- */

static int by_kind_and_name(const void *a, const void *b)
{
    const struct key *x = *(const struct key *const *)a, *y = *(const struct key *const *)b;
    return x->kind != y->kind ? x->kind - y->kind : strcmp(x->name, y->name);
}

static void dump_number(struct json_out *out, const char *name, int64_t value)
{
    json_out_literal(out, ",\"");
    json_out_raw(out, name, strlen(name));
    json_out_literal(out, "\":");
    if (value < 0) {
        json_out_literal(out, "-");
        value = -value;
    }
    json_out_uint(out, (uint64_t)value);
}

static void dump_series(struct json_out *out, const struct key *key)
{
    json_out_literal(out, ",\"hours\":[");
    for (int i = 0; i < 24; i++) {
        if (i)
            json_out_literal(out, ",");
        json_out_uint(out, key->hours[i]);
    }
    json_out_literal(out, "],\"days\":[");
    bool first = true;
    for (int32_t day = key->daily_last_day - KEY_DAILY_DAYS + 1;
         key->daily_last_day && day <= key->daily_last_day; day++) {
        if (day < 0) /* before the epoch: no slot of the ring */
            continue;
        uint16_t count = key->daily[day % KEY_DAILY_DAYS];
        if (!count)
            continue;
        if (!first)
            json_out_literal(out, ",");
        json_out_literal(out, "[");
        json_out_uint(out, (uint64_t)day);
        json_out_literal(out, ",");
        json_out_uint(out, count);
        json_out_literal(out, "]");
        first = false;
    }
    json_out_literal(out, "]");
}

static void dump_tally(struct json_out *out, const struct key *key)
{
    struct asn_count sorted[ASN_TALLY_SLOTS];
    size_t n = asn_tally_sorted(&key->asn_tally, sorted);
    json_out_literal(out, ",\"asn_tally\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            json_out_literal(out, ",");
        json_out_literal(out, "[");
        json_out_uint(out, sorted[i].asn);
        json_out_literal(out, ",");
        json_out_uint(out, sorted[i].lookups);
        json_out_literal(out, ",");
        json_out_uint(out, sorted[i].corrected);
        json_out_literal(out, "]");
    }
    json_out_literal(out, "]");
}

static void dump_key(struct json_out *out, struct engine *engine, const struct key *key)
{
    json_out_literal(out, "{\"kind\":");
    json_out_cstring(out, key_kind_name(key->kind));
    json_out_literal(out, ",\"name\":");
    json_out_string(out, key->name, key->name_length);
    dump_number(out, "lookups", (int64_t)key->lookups);
    dump_number(out, "lookups_corrected", (int64_t)key->lookups_corrected);
    dump_number(out, "reverse_lookups", (int64_t)key->reverse_lookups);
    dump_number(out, "first_seen_us", key->first_seen_us);
    dump_number(out, "last_seen_us", key->last_seen_us);
    dump_number(out, "last_answer_us", key->last_answer_us);
    dump_number(out, "nxdomain_since_us", key->nxdomain_since_us);
    dump_number(out, "queriers", (int64_t)distinct_counter_estimate(&key->queriers));
    dump_number(out, "prefixes", (int64_t)distinct_counter_estimate(&key->prefixes));
    dump_number(out, "asns", (int64_t)distinct_counter_estimate(&key->asns));
    dump_number(out, "countries", (int64_t)key_aggregate_country_count(key));
    dump_number(out, "slot_seconds", key->slot_seconds);
    for (int i = 0; i < KEY_RCODES; i++) {
        char name[24]; /* "rcode_" and any int: no truncation warning at -O1 */
        snprintf(name, sizeof name, "rcode_%d", i);
        dump_number(out, name, key->rcodes[i]);
    }
    dump_tally(out, key);
    dump_series(out, key);
    struct key *domain = key_store_deref(&engine->store, key->domain);
    if (domain) {
        json_out_literal(out, ",\"domain\":");
        json_out_string(out, domain->name, domain->name_length);
    }
    json_out_literal(out, "}");
    json_out_end_record(out);
}

bool state_dump_file(const char *path, FILE *stream, char *error, size_t error_size)
{
    *error = '\0';
    struct engine *engine = open_state(path, 0, error, error_size);
    struct json_out *out = malloc(sizeof *out);
    const struct key **keys = engine ? malloc((engine->store.count + 1) * sizeof *keys) : NULL;
    bool ok = engine && out && keys;
    if (ok) {
        size_t n = 0;
        for (uint32_t slot = 0; slot < engine->store.high_water; slot++)
            if (engine->store.keys[slot].in_use)
                keys[n++] = &engine->store.keys[slot];
        qsort(keys, n, sizeof *keys, by_kind_and_name);
        json_out_init(out, stream);
        for (size_t i = 0; i < n; i++)
            dump_key(out, engine, keys[i]);
        ok = json_out_flush(out);
    } else if (engine) {
        snprintf(error, error_size, "out of memory");
    }
    free(keys);
    free(out);
    close_state(engine);
    return ok;
}
