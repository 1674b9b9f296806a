/* state_file: fields in the host's byte order written one by one (no struct
 * padding on disk, except each key's own record, guarded by its size; a
 * file from a machine of the other byte order fails the version check), a
 * CRC-32 (zlib)
 * over everything before the trailer, and a reader that checks the whole
 * file before it changes the engine. Layout:
 *   "EXCLSTAT" version key_size pair_sets pair_ways key_count asn_count
 *   now_us first_us next_tick_us next_expiry_us
 *   (version 3:) window_us retired_count
 *   key_count x { old_slot name_length name struct-key }
 *   asn_count x { asn country[3] org_length org }
 *   pair fingerprints (64 bits a way), (version 2:) input_length input,
 *   (version 3:) retired_count x { name_length name struct-key link_count
 *                                  link_count x { length name } },
 *   crc32, "EXCLEND!" */
#include "engine/state_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base/iso_time.h"
#include "base/warning_limit.h"

static const char head_magic[8] = { 'E', 'X', 'C', 'L', 'S', 'T', 'A', 'T' };
static const char end_magic[8] = { 'E', 'X', 'C', 'L', 'E', 'N', 'D', '!' };

/* ---- writing ------------------------------------------------------------------ */

struct state_writer {
    FILE *file;
    uLong crc;
};

static void put(struct state_writer *w, const void *bytes, size_t length)
{
    w->crc = crc32(w->crc, bytes, (uInt)length);
    fwrite(bytes, 1, length, w->file);
}

#define PUT(w, value) put((w), &(value), sizeof(value))

static void put_header(struct state_writer *w, const struct engine *engine)
{
    uint32_t version = STATE_FILE_VERSION, key_size = sizeof(struct key);
    uint32_t sets = ENGINE_PAIR_SETS, ways = ENGINE_PAIR_WAYS;
    uint32_t keys = engine->store.count, asns = engine->directory.count;
    put(w, head_magic, sizeof head_magic);
    PUT(w, version);
    PUT(w, key_size);
    PUT(w, sets);
    PUT(w, ways);
    PUT(w, keys);
    PUT(w, asns);
    PUT(w, engine->now_us);
    PUT(w, engine->first_us);
    PUT(w, engine->next_tick_us);
    PUT(w, engine->next_expiry_us);
    int64_t window_us = engine_window_us(engine);
    uint32_t retired = engine->retired.count;
    PUT(w, window_us);
    PUT(w, retired);
}

static void put_keys(struct state_writer *w, const struct key_store *store)
{
    for (uint32_t slot = 0; slot < store->high_water; slot++) {
        struct key copy = store->keys[slot];
        if (!copy.in_use)
            continue;
        put(w, &slot, sizeof slot);
        PUT(w, copy.name_length);
        put(w, copy.name, copy.name_length);
        copy.name = NULL; /* a pointer means nothing in a file */
        PUT(w, copy);
    }
}

static void put_retired(struct state_writer *w, const struct retired_keys *retired)
{
    for (uint32_t i = 0; i < retired->count; i++) {
        const struct retired_key *r = retired_keys_at(retired, i);
        struct key copy = r->key;
        PUT(w, copy.name_length);
        put(w, copy.name, copy.name_length);
        copy.name = NULL;
        PUT(w, copy);
        PUT(w, r->link_count);
        for (unsigned l = 0; l < r->link_count; l++) {
            size_t length;
            const char *link = retired_key_link(r, l, &length);
            uint16_t length16 = (uint16_t)length;
            PUT(w, length16);
            put(w, link, length16);
        }
    }
}

static void put_directory(struct state_writer *w, const struct as_directory *directory)
{
    for (uint32_t i = 0; i <= directory->mask; i++) {
        const struct as_entry *e = &directory->entries[i];
        if (!e->asn)
            continue;
        uint16_t org_length = e->org ? (uint16_t)strnlen(e->org, UINT16_MAX) : 0;
        PUT(w, e->asn);
        put(w, e->country, 3);
        PUT(w, org_length);
        put(w, e->org ? e->org : "", org_length);
    }
}

/* The caching-slot sets as 64-bit fingerprints, a block at a time. */
static void put_pairs(struct state_writer *w, const struct engine *engine)
{
    uint64_t block[1024];
    size_t total = (size_t)ENGINE_PAIR_SETS * ENGINE_PAIR_WAYS;
    for (size_t at = 0; at < total; at += 1024) {
        size_t n = total - at < 1024 ? total - at : 1024;
        for (size_t i = 0; i < n; i++)
            block[i] = engine_pair_saved(engine, at + i);
        put(w, block, n * sizeof block[0]);
    }
}

/* Makes the rename itself durable. */
static void sync_directory_of(const char *path)
{
    char copy[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

bool state_file_save(const struct engine *engine, const char *path, char *error,
                     size_t error_size)
{
    return state_file_save_resumable(engine, path, NULL, error, error_size);
}

bool state_file_save_resumable(const struct engine *engine, const char *path,
                               const struct state_input *input, char *error, size_t error_size)
{
    char temporary[PATH_MAX];
    snprintf(temporary, sizeof temporary, "%s.tmp", path);
    struct state_writer w = { .file = fopen(temporary, "wb"), .crc = crc32(0, NULL, 0) };
    if (!w.file) {
        snprintf(error, error_size, "%s: cannot write state: %s", temporary, strerror(errno));
        return false;
    }
    put_header(&w, engine);
    put_keys(&w, &engine->store);
    put_directory(&w, &engine->directory);
    put_pairs(&w, engine);
    uint32_t input_length = input && input->length <= STATE_INPUT_MAX ? (uint32_t)input->length : 0;
    PUT(&w, input_length);
    if (input_length)
        put(&w, input->bytes, input_length);
    put_retired(&w, &engine->retired);
    uint32_t crc = (uint32_t)w.crc;
    fwrite(&crc, sizeof crc, 1, w.file);
    fwrite(end_magic, 1, sizeof end_magic, w.file);
    bool ok = fflush(w.file) == 0 && !ferror(w.file) && fsync(fileno(w.file)) == 0;
    int saved_errno = errno;
    ok = fclose(w.file) == 0 && ok;
    if (ok && rename(temporary, path) != 0) {
        saved_errno = errno;
        ok = false;
    }
    if (!ok) {
        snprintf(error, error_size, "%s: cannot write state: %s", path, strerror(saved_errno));
        unlink(temporary);
        return false;
    }
    sync_directory_of(path);
    return true;
}

/* ---- reading ------------------------------------------------------------------ */

struct state_reader {
    const uint8_t *at, *end;
    bool short_read;
};

/* The next length bytes, or NULL (and short_read) past the end. */
static const void *take(struct state_reader *r, size_t length)
{
    if ((size_t)(r->end - r->at) < length) {
        r->short_read = true;
        return NULL;
    }
    const void *bytes = r->at;
    r->at += length;
    return bytes;
}

#define TAKE(r, value) do { const void *p_ = take((r), sizeof(value)); \
                            if (p_) memcpy(&(value), p_, sizeof(value)); } while (0)

struct state_header {
    uint32_t version, key_size, sets, ways, keys, asns, retired;
    int64_t now_us, first_us, next_tick_us, next_expiry_us;
    int64_t window_us;         /* 0: not recorded (before version 3) */
};

/* Checks what makes a file this build's: magic, version, layout, CRC; then
 * that its counts fit the file and its clocks are sane. */
static const char *check_file(const uint8_t *data, size_t size, struct state_header *h,
                              struct state_reader *r)
{
    if (size < sizeof head_magic + 4 + sizeof end_magic || memcmp(data, head_magic, sizeof head_magic))
        return "not an exclave state file";
    *r = (struct state_reader){ .at = data + sizeof head_magic, .end = data + size - 12 };
    TAKE(r, h->version);
    if (h->version < 1 || h->version > STATE_FILE_VERSION)
        return "written in another format version";
    TAKE(r, h->key_size);
    TAKE(r, h->sets);
    TAKE(r, h->ways);
    TAKE(r, h->keys);
    TAKE(r, h->asns);
    TAKE(r, h->now_us);
    TAKE(r, h->first_us);
    TAKE(r, h->next_tick_us);
    TAKE(r, h->next_expiry_us);
    if (h->version >= 3) {
        TAKE(r, h->window_us);
        TAKE(r, h->retired);
    }
    if (r->short_read || memcmp(data + size - sizeof end_magic, end_magic, sizeof end_magic))
        return "damaged: it ends early (a save was cut short?)";
    if (h->key_size != sizeof(struct key) || h->sets != ENGINE_PAIR_SETS || h->ways != ENGINE_PAIR_WAYS)
        return "written by a build with another key layout";
    uint32_t stored;
    memcpy(&stored, data + size - 12, sizeof stored);
    if (stored != (uint32_t)crc32(crc32(0, NULL, 0), data, (uInt)(size - 12)))
        return "damaged: checksum mismatch";
    /* the checksum only says the bytes are as written: by anyone */
    if ((uint64_t)h->keys * (6 + sizeof(struct key)) > size || (uint64_t)h->asns * 9 > size ||
        (uint64_t)h->retired * (3 + sizeof(struct key)) > size)
        return "damaged or forged: more records than the file can hold";
    if (h->window_us < 0 || h->window_us > EXCLAVE_TIME_MAX_US)
        return "damaged or forged: a window longer than 1970 to 2100";
    if (!iso_time_is_unset_or_sane(h->now_us) || !iso_time_is_unset_or_sane(h->first_us) ||
        !iso_time_is_unset_or_sane(h->next_tick_us) || !iso_time_is_unset_or_sane(h->next_expiry_us))
        return "damaged or forged: an engine clock outside 1970-2100";
    return NULL;
}

/* Old slot number -> new slot, for the keys' references to each other: one
 * pair per saved key, sorted by old slot (memory follows the keys in the
 * file, not the slot numbers it claims). */
struct slot_pair {
    uint32_t old_slot, new_slot;
};

struct slot_map {
    struct slot_pair *pairs;
    uint32_t count;
};

static int by_old_slot(const void *a, const void *b)
{
    uint32_t x = ((const struct slot_pair *)a)->old_slot, y = ((const struct slot_pair *)b)->old_slot;
    return x < y ? -1 : x > y;
}

static void remap(const struct slot_map *map, struct key_ref *ref)
{
    if (ref->hash_check == 0)
        return;
    struct slot_pair wanted = { .old_slot = ref->slot };
    const struct slot_pair *found = bsearch(&wanted, map->pairs, map->count, sizeof *map->pairs,
                                            by_old_slot);
    if (found && found->new_slot != UINT32_MAX)
        ref->slot = found->new_slot;
    else
        *ref = (struct key_ref){ 0, 0 }; /* the key it named was not saved */
}

/* A key record from the file, checked, into *saved with its name's length
 * and bytes checked against it; NULL, or what is wrong. */
static const char *checked_key(const void *record, const char *name, uint16_t name_length,
                               struct key *saved)
{
    const char *wrong = key_aggregate_check_record(record);
    if (wrong)
        return wrong;
    memcpy(saved, record, sizeof *saved);
    if (saved->name_length != name_length || memchr(name, '\0', name_length))
        return "a key name whose length or bytes do not match";
    return NULL;
}

/* One saved key into the store; NULL, or what is wrong with the record. */
static const char *load_key(struct engine *engine, struct state_reader *r, struct slot_map *map)
{
    uint32_t old_slot = UINT32_MAX;
    uint16_t name_length = 0;
    struct key saved;
    TAKE(r, old_slot);
    TAKE(r, name_length);
    const char *name = take(r, name_length);
    const void *record = take(r, sizeof saved);
    if (r->short_read)
        return "it ends inside a key record";
    struct slot_pair *pair = &map->pairs[map->count++];
    *pair = (struct slot_pair){ .old_slot = old_slot, .new_slot = UINT32_MAX };
    const char *wrong = checked_key(record, name, name_length, &saved);
    if (wrong)
        return wrong;
    uint64_t hash = key_store_hash(saved.kind, name, name_length);
    struct key *key = key_store_get(&engine->store, saved.kind, name, name_length, hash);
    if (!key)
        return NULL; /* counted by the store as refused */
    bool dirty = saved.dirty;
    saved.hash = key->hash, saved.name = key->name, saved.in_use = true, saved.dirty = false;
    *key = saved;
    key_store_rewrote(&engine->store, key);
    if (dirty) /* lookups since the last tick: the next tick evaluates them */
        key_store_mark_dirty(&engine->store, key);
    pair->new_slot = key_store_slot(&engine->store, key);
    return NULL;
}

/* One retired copy into the engine's ring; NULL, or what is wrong with it. */
static const char *load_retired(struct engine *engine, struct state_reader *r)
{
    uint16_t name_length = 0, lengths[RETIRED_LINKS_MAX];
    uint8_t link_count = 0;
    struct key saved;
    TAKE(r, name_length);
    const char *name = take(r, name_length), *links[RETIRED_LINKS_MAX];
    const void *record = take(r, sizeof saved);
    TAKE(r, link_count);
    if (r->short_read)
        return "it ends inside a retired key";
    const char *wrong = checked_key(record, name, name_length, &saved);
    if (wrong)
        return wrong;
    if (link_count > (saved.kind == KEY_ADDRESS ? RETIRED_LINKS_MAX : 1) ||
        (saved.kind == KEY_ADDRESS && saved.linked_count))
        return "a retired key with links it cannot have";
    for (unsigned i = 0; i < link_count; i++) {
        TAKE(r, lengths[i]);
        links[i] = take(r, lengths[i]);
        if (r->short_read)
            return "it ends inside a retired key's links";
        if (memchr(links[i], '\0', lengths[i]))
            return "a retired key's link with a NUL byte";
    }
    saved.name = (char *)name; /* copied with its length, not read as a C string */
    saved.hash = key_store_hash(saved.kind, name, name_length);
    saved.in_use = true;
    retired_keys_add(&engine->retired, &saved, links, lengths, link_count);
    return NULL;
}

static void remap_all(struct engine *engine, const struct slot_map *map)
{
    struct key_store *store = &engine->store;
    for (uint32_t slot = 0; slot < store->high_water; slot++) {
        struct key *key = &store->keys[slot];
        if (!key->in_use)
            continue;
        remap(map, &key->domain);
        for (unsigned i = 0; key->kind == KEY_ADDRESS && i < key->linked_count && i < KEY_NAMES_MAX; i++)
            remap(map, &key->linked.names[i]);
    }
}

static bool load_directory(struct engine *engine, struct state_reader *r, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        uint32_t asn = 0;
        char country[3] = "";
        uint16_t org_length = 0;
        TAKE(r, asn);
        const char *c = take(r, 3);
        TAKE(r, org_length);
        const char *org = take(r, org_length);
        if (r->short_read)
            return false;
        memcpy(country, c, 2);
        as_directory_note(&engine->directory, asn, org_length ? org : NULL, org_length, country);
    }
    return true;
}

/* Applies a checked file to the engine; NULL, or what is wrong with it
 * (the engine may then hold part of it: the caller discards the engine). */
static const char *apply(struct engine *engine, const struct state_header *h,
                         struct state_reader *r, struct state_input *input)
{
    struct slot_map map = { .pairs = malloc(((size_t)h->keys + 1) * sizeof *map.pairs) };
    if (!map.pairs)
        return "out of memory";
    const char *wrong = NULL;
    for (uint32_t i = 0; !wrong && i < h->keys; i++)
        wrong = load_key(engine, r, &map);
    if (!wrong) {
        qsort(map.pairs, map.count, sizeof *map.pairs, by_old_slot);
        for (uint32_t i = 1; !wrong && i < map.count; i++)
            if (map.pairs[i].old_slot == map.pairs[i - 1].old_slot)
                wrong = "two keys claim one slot";
        if (!wrong)
            remap_all(engine, &map);
    }
    free(map.pairs);
    size_t pairs = (size_t)ENGINE_PAIR_SETS * ENGINE_PAIR_WAYS * sizeof(uint64_t);
    const void *pair_bytes = NULL;
    if (wrong)
        return wrong;
    uint32_t input_length = 0;
    const void *input_bytes = NULL;
    if (!load_directory(engine, r, h->asns) || !(pair_bytes = take(r, pairs)))
        return "the directory of ASNs or what follows it does not parse";
    if (h->version >= 2) {
        TAKE(r, input_length);
        if (input_length > STATE_INPUT_MAX || !(input_bytes = take(r, input_length)))
            return "the input's position is cut short";
    }
    for (uint32_t i = 0; i < h->retired; i++)
        if ((wrong = load_retired(engine, r)))
            return wrong;
    if (r->short_read || r->at != r->end)
        return "bytes after the last section";
    if (input && input_length && !(input->bytes = malloc(input_length)))
        return "out of memory";
    if (input && input_length) {
        memcpy(input->bytes, input_bytes, input_length);
        input->length = input_length;
    }
    for (size_t i = 0; i < (size_t)ENGINE_PAIR_SETS * ENGINE_PAIR_WAYS; i++) {
        uint64_t saved;
        memcpy(&saved, (const uint8_t *)pair_bytes + i * sizeof saved, sizeof saved);
        engine_pair_restore(engine, i, saved);
    }
    engine->now_us = h->now_us;
    engine->first_us = h->first_us;
    engine->next_tick_us = h->next_tick_us;
    engine->next_expiry_us = h->next_expiry_us;
    return NULL;
}

static uint8_t *read_whole(const char *path, size_t *size, int *error_number)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        *error_number = errno;
        return NULL;
    }
    uint8_t *data = NULL;
    long length = fseek(file, 0, SEEK_END) == 0 ? ftell(file) : -1;
    if (length >= 0 && fseek(file, 0, SEEK_SET) == 0 && (data = malloc((size_t)length + 1)) &&
        fread(data, 1, (size_t)length, file) == (size_t)length) {
        *size = (size_t)length;
    } else {
        *error_number = errno ? errno : EIO;
        free(data);
        data = NULL;
    }
    fclose(file);
    return data;
}

int state_file_load(struct engine *engine, const char *path, char *error, size_t error_size)
{
    return state_file_load_resumable(engine, path, NULL, error, error_size);
}

int state_file_load_resumable(struct engine *engine, const char *path, struct state_input *input,
                              char *error, size_t error_size)
{
    if (input)
        *input = (struct state_input){ NULL, 0 };
    size_t size = 0;
    int error_number = 0;
    uint8_t *data = read_whole(path, &size, &error_number);
    if (!data) {
        if (error_number == ENOENT)
            return 0;
        snprintf(error, error_size, "%s: cannot read state: %s", path, strerror(error_number));
        return -1;
    }
    struct state_header header = { 0 };
    struct state_reader reader = { 0 };
    const char *wrong = check_file(data, size, &header, &reader);
    const char *bad_record = wrong ? NULL : apply(engine, &header, &reader, input);
    char because[160];
    if (bad_record) {
        snprintf(because, sizeof because, "damaged or forged: %s", bad_record);
        wrong = because;
    }
    free(data);
    if (wrong) {
        snprintf(error, error_size, "%s: refused: %s (format version %d is read here); move it "
                                    "aside to start afresh", path, wrong, STATE_FILE_VERSION);
        return -1;
    }
    return 1;
}

bool state_file_key_count(const char *path, uint32_t *keys, char *error, size_t error_size)
{
    struct state_counts counts;
    if (!state_file_counts(path, &counts, error, error_size))
        return false;
    *keys = counts.keys;
    return true;
}

bool state_file_counts(const char *path, struct state_counts *counts, char *error,
                       size_t error_size)
{
    size_t size = 0;
    int error_number = 0;
    uint8_t *data = read_whole(path, &size, &error_number);
    if (!data) {
        snprintf(error, error_size, "%s: cannot read state: %s", path, strerror(error_number));
        return false;
    }
    struct state_header header = { 0 };
    struct state_reader reader = { 0 };
    const char *wrong = check_file(data, size, &header, &reader); /* checksum before the count */
    free(data);
    if (wrong) {
        snprintf(error, error_size, "%s: refused: %s (format version %d is read here)", path, wrong,
                 STATE_FILE_VERSION);
        return false;
    }
    *counts = (struct state_counts){ .keys = header.keys, .retired = header.retired,
                                     .window_us = header.window_us };
    return true;
}

enum { STATE_AUTOSAVE_ERROR_MAX = 1024, STATE_AUTOSAVE_FAILURES_TOLD = 3 };
static const int64_t state_autosave_every_us = 86400LL * 1000000; /* a day of packet time */

static void autosave_after_tick(void *user, struct engine *engine, int64_t tick_us)
{
    struct state_autosave *autosave = user;
    if (tick_us - autosave->last_save_us < state_autosave_every_us)
        return;
    char error[STATE_AUTOSAVE_ERROR_MAX];
    autosave->last_save_us = tick_us;
    if (state_file_save(engine, autosave->path, error, sizeof error))
        return;
    autosave->failures++;
    if (warning_allowed(autosave->messages, &autosave->failures_told, STATE_AUTOSAVE_FAILURES_TOLD,
                        autosave->path, "failed saves not shown (the last one is tried at the end)"))
        fprintf(autosave->messages, "exclave: %s\n", error);
}

/* A save would write PATH.tmp beside path: try it now, not a day later. */
bool state_file_directory_writable(const char *path, char *error, size_t error_size)
{
    char temporary[PATH_MAX];
    snprintf(temporary, sizeof temporary, "%s.tmp", path);
    int fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 && errno == EEXIST) /* a leftover of a save cut short: the next save replaces it */
        fd = open(temporary, O_WRONLY);
    if (fd < 0) {
        snprintf(error, error_size, "%s: cannot write state beside it: %s", path, strerror(errno));
        return false;
    }
    close(fd);
    unlink(temporary);
    return true;
}

int state_autosave_start(struct state_autosave *autosave, struct engine *engine, const char *path,
                         FILE *messages, char *error, size_t error_size)
{
    if (!state_file_directory_writable(path, error, error_size))
        return -1;
    int loaded = state_file_load(engine, path, error, error_size);
    if (loaded < 0)
        return loaded;
    *autosave = (struct state_autosave){ .path = path, .last_save_us = engine->now_us,
                                         .messages = messages };
    engine_set_tick_hook(engine, autosave_after_tick, autosave);
    return loaded;
}
