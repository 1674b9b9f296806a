/* state_merge: every input is loaded into an engine of its own. Their
 * keys, live and retired, are gathered as pieces, sorted by key and first
 * lookup, and joined into runs: a piece whose first lookup comes within the
 * window of the run's last lookup belongs to the run, as one engine that saw
 * every sensor's lookups would have kept the key. A key's last run, unless
 * it is idle past the window, becomes a live key of the output, whose store
 * is sized for all of them so that nothing is evicted; earlier runs become
 * retired copies, so that the output can be merged again. */
#include "engine/state_merge.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "base/json_out.h"
#include "engine/state_file.h"

/* An engine holding the state file path; *window_us gets the file's
 * window (0 when it does not say). */
static struct engine *open_state(const char *path, int64_t *window_us, char *error,
                                 size_t error_size)
{
    struct state_counts counts;
    if (!state_file_counts(path, &counts, error, error_size))
        return NULL;
    if ((uint64_t)counts.keys + 16 > KEY_STORE_KEYS_MAX ||
        (uint64_t)counts.retired + 16 > KEY_STORE_KEYS_MAX) {
        snprintf(error, error_size, "%s: refused: more keys in all than one store holds (%d)",
                 path, KEY_STORE_KEYS_MAX);
        return NULL;
    }
    struct engine_config config;
    engine_config_defaults(&config);
    config.max_keys = counts.keys + 16;
    config.retired_max = counts.retired + 16;
    if (counts.window_us > 0)
        config.window_seconds = (double)counts.window_us / 1e6;
    *window_us = counts.window_us;
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

/* One input's key: live in its store (retired NULL) or a retired copy. */
struct piece {
    const struct key *key;
    struct engine *from;
    const struct retired_key *retired;
    size_t order;              /* ties sort in input order */
    struct key *merged;        /* the output's live key it went into, or NULL */
};

static bool same_key(const struct key *x, const struct key *y)
{
    return x->kind == y->kind && x->name_length == y->name_length &&
           memcmp(x->name, y->name, x->name_length) == 0;
}

static int by_key_then_first_lookup(const void *a, const void *b)
{
    const struct piece *p = a, *q = b;
    const struct key *x = p->key, *y = q->key;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    if (x->name_length != y->name_length)
        return x->name_length < y->name_length ? -1 : 1;
    int c = memcmp(x->name, y->name, x->name_length);
    if (c)
        return c;
    if (x->first_seen_us != y->first_seen_us)
        return x->first_seen_us < y->first_seen_us ? -1 : 1;
    return p->order < q->order ? -1 : p->order > q->order;
}

/* A piece's link i by name (a live piece's through its engine); NULL when gone. */
static const char *piece_link(const struct piece *piece, unsigned i, size_t *length)
{
    if (piece->retired)
        return i < piece->retired->link_count ? retired_key_link(piece->retired, i, length) : NULL;
    struct key_store *store = &piece->from->store;
    const struct key *key = piece->key, *linked = NULL;
    if (key->kind == KEY_NAME && i == 0)
        linked = key_store_deref(store, key->domain);
    else if (key->kind == KEY_ADDRESS && i < key->linked_count)
        linked = key_store_deref(store, key->linked.names[i]);
    if (!linked)
        return NULL;
    *length = linked->name_length;
    return linked->name;
}

static unsigned piece_link_count(const struct piece *piece)
{
    if (piece->retired)
        return piece->retired->link_count;
    return piece->key->kind == KEY_NAME ? 1 : piece->key->kind == KEY_ADDRESS ? piece->key->linked_count : 0;
}

/* A run of pieces as one retired copy, its links united by name. */
static void retire_run(struct engine *into, const struct piece *run, size_t count)
{
    struct key sum = { .hash = run->key->hash, .name = run->key->name,
                       .name_length = run->key->name_length, .kind = run->key->kind,
                       .in_use = true };
    const char *links[RETIRED_LINKS_MAX];
    uint16_t lengths[RETIRED_LINKS_MAX];
    unsigned link_count = 0, link_max = sum.kind == KEY_ADDRESS ? RETIRED_LINKS_MAX : 1;
    for (size_t p = 0; p < count; p++) {
        key_aggregate_merge(&sum, run[p].key);
        for (unsigned i = 0; i < piece_link_count(&run[p]) && link_count < link_max; i++) {
            size_t length;
            const char *link = piece_link(&run[p], i, &length);
            bool known = !link;
            for (unsigned j = 0; !known && j < link_count; j++)
                known = lengths[j] == length && memcmp(links[j], link, length) == 0;
            if (!known)
                links[link_count] = link, lengths[link_count++] = (uint16_t)length;
        }
    }
    retired_keys_add(&into->retired, &sum, links, lengths, link_count);
}

/* A run of pieces as one live key of the output. */
static void keep_run(struct engine *into, struct piece *run, size_t count)
{
    struct key *mine = key_store_get(&into->store, run->key->kind, run->key->name,
                                     run->key->name_length, run->key->hash);
    for (size_t p = 0; mine && p < count; p++) {
        key_aggregate_merge(mine, run[p].key); /* into a new key too: the sum with nothing */
        if (run[p].key->dirty)
            key_store_mark_dirty(&into->store, mine);
        run[p].merged = mine;
    }
}

static bool joins_run(const struct key *key, int64_t run_last_us, int64_t window_us)
{
    return !run_last_us || !key->first_seen_us || key->first_seen_us - run_last_us <= window_us;
}

/* The pieces of one key, sorted by first lookup, cut where the whole view
 * would have expired the key. */
static void merge_key_pieces(struct engine *into, struct piece *pieces, size_t count,
                             int64_t window_us)
{
    for (size_t start = 0, end; start < count; start = end) {
        int64_t last = pieces[start].key->last_seen_us;
        for (end = start + 1; end < count && joins_run(pieces[end].key, last, window_us); end++)
            if (pieces[end].key->last_seen_us > last)
                last = pieces[end].key->last_seen_us;
        bool live = end == count && (!last || into->now_us - last <= window_us);
        if (live)
            keep_run(into, pieces + start, end - start);
        else
            retire_run(into, pieces + start, end - start);
    }
}

/* The output's key of a link's name, or an empty reference. */
static struct key_ref find_ref(struct engine *into, enum key_kind kind, const char *name,
                               size_t length)
{
    struct key *key = key_store_find(&into->store, kind, name, length,
                                     key_store_hash(kind, name, length));
    return key ? key_store_ref(&into->store, key) : (struct key_ref){ 0, 0 };
}

/* Links between live keys, once every live key exists: by name. */
static void link_merged(struct engine *into, const struct piece *pieces, size_t count)
{
    for (size_t p = 0; p < count; p++) {
        struct key *mine = pieces[p].merged;
        for (unsigned i = 0; mine && i < piece_link_count(&pieces[p]); i++) {
            size_t length;
            const char *link = piece_link(&pieces[p], i, &length);
            if (!link)
                continue;
            if (mine->kind == KEY_NAME && !mine->domain.hash_check)
                mine->domain = find_ref(into, KEY_DOMAIN, link, length);
            else if (mine->kind == KEY_ADDRESS)
                engine_link_name(into, mine, find_ref(into, KEY_NAME, link, length));
        }
    }
}

static size_t gather_pieces(struct engine *const *inputs, size_t count, struct piece *pieces)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        struct engine *from = inputs[i];
        for (uint32_t slot = 0; slot < from->store.high_water; slot++)
            if (from->store.keys[slot].in_use)
                pieces[n] = (struct piece){ &from->store.keys[slot], from, NULL, n, NULL }, n++;
        for (uint32_t r = 0; r < from->retired.count; r++) {
            const struct retired_key *copy = retired_keys_at(&from->retired, r);
            pieces[n] = (struct piece){ &copy->key, from, copy, n, NULL }, n++;
        }
    }
    return n;
}

/* The ASN directory, caching-slot memory and clocks of from, into into. */
static void merge_clocks_and_tables(struct engine *into, struct engine *from)
{
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

/* The inputs' common window; false with a message when two differ. */
static bool common_window(const char *const *paths, const int64_t *windows, size_t count,
                          int64_t *window_us, char *error, size_t error_size)
{
    size_t known = count;
    for (size_t i = 0; i < count; i++) {
        if (!windows[i])
            continue;
        if (known < count && windows[i] != windows[known]) {
            snprintf(error, error_size, "%s keeps a window of %g days, %s of %g: merge states "
                     "written with one --window", paths[known], windows[known] / 86400e6,
                     paths[i], windows[i] / 86400e6);
            return false;
        }
        known = i;
    }
    if (known < count)
        *window_us = windows[known];
    return true;
}

/* Loads every input; false with a message (the loaded ones are in inputs). */
static bool open_inputs(const char *const *paths, size_t count, struct engine **inputs,
                        int64_t *windows, uint64_t *keys, uint64_t *retired, char *error,
                        size_t error_size)
{
    for (size_t i = 0; i < count; i++) {
        if (!(inputs[i] = open_state(paths[i], &windows[i], error, error_size)))
            return false;
        *keys += inputs[i]->store.count;
        *retired += inputs[i]->retired.count;
        if (*keys + *retired > KEY_STORE_KEYS_MAX) {
            snprintf(error, error_size, "%s: refused: more keys in all than one store holds (%d)",
                     paths[i], KEY_STORE_KEYS_MAX);
            return false;
        }
    }
    return true;
}

static struct engine *output_engine(uint64_t keys, uint64_t pieces, int64_t window_us,
                                    char *error, size_t error_size)
{
    struct engine_config config;
    engine_config_defaults(&config);
    config.max_keys = (uint32_t)keys + 16;
    config.retired_max = (uint32_t)pieces + 16;
    if (window_us)
        config.window_seconds = (double)window_us / 1e6;
    struct engine *into = calloc(1, sizeof *into);
    if (!into || !engine_init(into, &config, NULL, error, error_size)) {
        free(into);
        return NULL;
    }
    return into;
}

static bool merge_into(struct engine *into, struct engine *const *inputs, size_t count,
                       size_t piece_count, const char *output, char *error, size_t error_size)
{
    struct piece *pieces = malloc((piece_count + 1) * sizeof *pieces);
    if (!pieces) {
        snprintf(error, error_size, "out of memory");
        return false;
    }
    for (size_t i = 0; i < count; i++)
        merge_clocks_and_tables(into, inputs[i]);
    size_t n = gather_pieces(inputs, count, pieces);
    qsort(pieces, n, sizeof *pieces, by_key_then_first_lookup);
    int64_t window_us = engine_window_us(into);
    for (size_t start = 0, end; start < n; start = end) {
        for (end = start + 1; end < n && same_key(pieces[start].key, pieces[end].key); end++)
            ;
        merge_key_pieces(into, pieces + start, end - start, window_us);
    }
    link_merged(into, pieces, n);
    free(pieces);
    return state_file_save(into, output, error, error_size);
}

bool state_merge_files(const char *const *paths, size_t count, const char *output, char *error,
                       size_t error_size)
{
    *error = '\0';
    struct engine **inputs = calloc(count, sizeof *inputs);
    int64_t *windows = calloc(count, sizeof *windows), window_us = 0;
    uint64_t keys = 0, retired = 0;
    struct engine *into = NULL;
    bool ok = inputs && windows;
    if (!ok)
        snprintf(error, error_size, "out of memory");
    ok = ok && open_inputs(paths, count, inputs, windows, &keys, &retired, error, error_size) &&
         common_window(paths, windows, count, &window_us, error, error_size) &&
         (into = output_engine(keys, keys + retired, window_us, error, error_size)) &&
         merge_into(into, inputs, count, (size_t)(keys + retired), output, error, error_size);
    close_state(into);
    for (size_t i = 0; inputs && i < count; i++)
        close_state(inputs[i]);
    free(inputs);
    free(windows);
    return ok;
}

/* ---- dump ------------------------------------------------------------------------- */

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

/* ",[asn,...]": the ASNs of the tally that looked the key up on `day`, in the tally's order. */
static void dump_day_asns(struct json_out *out, const struct key *key, int32_t day)
{
    struct asn_count sorted[ASN_TALLY_SLOTS];
    size_t n = asn_tally_sorted(&key->asn_tally, sorted);
    uint8_t mask = key_aggregate_daily_asns(key, day);
    json_out_literal(out, ",[");
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        int slot = asn_tally_find(&key->asn_tally, sorted[i].asn);
        if (slot < 0 || !(mask >> slot & 1))
            continue;
        if (!first)
            json_out_literal(out, ",");
        json_out_uint(out, sorted[i].asn);
        first = false;
    }
    json_out_literal(out, "]");
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
        dump_day_asns(out, key, day);
        json_out_literal(out, "]");
        first = false;
    }
    json_out_literal(out, "]");
}

/* ",\"NAME\":[[id,lookups,corrected,proven],...]": an ASN tally, or with
 * countries the country tally, its ids written as the two letters. */
static void dump_tally(struct json_out *out, const char *name, const struct asn_tally *tally,
                       bool countries)
{
    struct asn_count sorted[ASN_TALLY_SLOTS];
    size_t n = asn_tally_sorted(tally, sorted);
    json_out_literal(out, ",");
    json_out_cstring(out, name);
    json_out_literal(out, ":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            json_out_literal(out, ",");
        json_out_literal(out, "[");
        if (countries) {
            char code[2];
            json_out_string(out, code, key_country_text(sorted[i].asn, code) ? 2 : 0);
        } else {
            json_out_uint(out, sorted[i].asn);
        }
        json_out_literal(out, ",");
        json_out_uint(out, sorted[i].lookups);
        json_out_literal(out, ",");
        json_out_uint(out, sorted[i].corrected);
        json_out_literal(out, ",");
        json_out_uint(out, sorted[i].proven);
        json_out_literal(out, "]");
    }
    json_out_literal(out, "]");
}

static void dump_key(struct json_out *out, const struct piece *piece, bool retired)
{
    const struct key *key = piece->key;
    json_out_literal(out, "{\"kind\":");
    json_out_cstring(out, key_kind_name(key->kind));
    json_out_literal(out, ",\"name\":");
    json_out_string(out, key->name, key->name_length);
    dump_number(out, "lookups", (int64_t)key->lookups);
    dump_number(out, "lookups_corrected", (int64_t)key->lookups_corrected);
    dump_number(out, "reverse_lookups", (int64_t)key->reverse_lookups);
    dump_number(out, "queries", (int64_t)key->queries);
    dump_number(out, "answered", (int64_t)key->answered);
    dump_number(out, "unsolicited", (int64_t)key->unsolicited);
    dump_number(out, "home_lookups", (int64_t)key->home_lookups);
    dump_number(out, "proven_lookups", (int64_t)key->proven_lookups);
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
    dump_tally(out, "asn_tally", &key->asn_tally, false);
    dump_tally(out, "country_tally", &key->country_tally, true);
    dump_series(out, key);
    size_t domain_length;
    const char *domain = key->kind == KEY_NAME ? piece_link(piece, 0, &domain_length) : NULL;
    if (domain) {
        json_out_literal(out, ",\"domain\":");
        json_out_string(out, domain, domain_length);
    }
    if (retired)
        json_out_literal(out, ",\"retired\":true");
    json_out_literal(out, "}");
    json_out_end_record(out);
}

bool state_dump_file(const char *path, FILE *stream, char *error, size_t error_size)
{
    *error = '\0';
    int64_t ignored;
    struct engine *engine = open_state(path, &ignored, error, error_size);
    struct json_out *out = malloc(sizeof *out);
    struct piece *pieces =
        engine ? malloc(((size_t)engine->store.count + engine->retired.count + 1) * sizeof *pieces)
               : NULL;
    bool ok = engine && out && pieces;
    if (ok) {
        size_t n = gather_pieces(&engine, 1, pieces);
        qsort(pieces, n, sizeof *pieces, by_key_then_first_lookup);
        int64_t window_us = engine_window_us(engine);
        json_out_init(out, stream);
        for (size_t i = 0; i < n; i++) {
            int64_t last = pieces[i].key->last_seen_us;
            dump_key(out, &pieces[i], pieces[i].retired || (last && engine->now_us - last > window_us));
        }
        ok = json_out_flush(out);
    } else if (engine) {
        snprintf(error, error_size, "out of memory");
    }
    free(pieces);
    free(out);
    close_state(engine);
    return ok;
}
