/* Unit tests of state files from outside: a real file is saved, then
 * damaged (a flipped bit) or forged (fields set out of range, the checksum
 * made right again, as another sensor's file might be), and --state's load,
 * `merge` and `dump-state` must each refuse it with a reason and never
 * crash, hang or read out of bounds (run under the sanitizer build too). */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "engine/engine.h"
#include "engine/state_file.h"
#include "engine/state_merge.h"
#include "unit.h"

/* version 3's header; version 2's ends before window_us and retired_count */
enum { V2_HEADER_BYTES = 8 + 6 * 4 + 4 * 8, HEADER_BYTES = V2_HEADER_BYTES + 8 + 4,
       KEYS_FIELD = 8 + 4 * 4, RETIRED_FIELD = V2_HEADER_BYTES + 8 };

static void start_keeping(struct engine *engine, uint32_t retired_max, double window_days)
{
    struct engine_config config;
    engine_config_defaults(&config);
    config.retired_max = retired_max;
    config.window_seconds = window_days * 86400;
    char error[512];
    CHECK(engine_init(engine, &config, NULL, error, sizeof error));
}

static void start(struct engine *engine)
{
    start_keeping(engine, 0, 30);
}

static void feed(struct engine *engine, int64_t seconds, const char *querier, const char *name,
                 const char *answer)
{
    struct ip_address answers[1];
    struct engine_lookup l = { .time_us = seconds * 1000000, .qname = name,
                               .qname_length = strlen(name), .qtype = 1, .part = LOOKUP_ANSWERED,
                               .has_response = true, .answers = answers, .answer_count = 1,
                               .min_ttl = 300 };
    CHECK(ip_address_parse(querier, &l.querier));
    CHECK(ip_address_parse("192.0.2.53", &l.server));
    CHECK(ip_address_parse(answer, &answers[0]));
    engine_observe(engine, &l);
}

struct saved {
    uint8_t *bytes;
    size_t size;
    size_t first_record;      /* offset of the first key's struct key */
};

static void read_file(const char *path, struct saved *s)
{
    FILE *file = fopen(path, "rb");
    CHECK(file != NULL);
    fseek(file, 0, SEEK_END);
    s->size = (size_t)ftell(file);
    fseek(file, 0, SEEK_SET);
    s->bytes = malloc(s->size);
    CHECK(fread(s->bytes, 1, s->size, file) == s->size);
    fclose(file);
    uint16_t name_length;
    memcpy(&name_length, s->bytes + HEADER_BYTES + 4, 2);
    s->first_record = HEADER_BYTES + 6 + name_length;
}

/* Writes the bytes with a right checksum (forged) or as they are (damaged). */
static void write_file(const char *path, const struct saved *s, bool fix_checksum)
{
    if (fix_checksum) {
        uint32_t crc = (uint32_t)crc32(crc32(0, NULL, 0), s->bytes, (uInt)(s->size - 12));
        memcpy(s->bytes + s->size - 12, &crc, sizeof crc);
    }
    FILE *file = fopen(path, "wb");
    CHECK(file && fwrite(s->bytes, 1, s->size, file) == s->size);
    fclose(file);
}

/* Every reader refuses path; expected is part of the load's reason. */
static void check_refused(const char *what, const char *good, const char *bad, const char *expected)
{
    char error[512] = "";
    struct engine *engine = calloc(1, sizeof *engine);
    start(engine);
    bool refused = state_file_load(engine, bad, error, sizeof error) == -1 &&
                   strstr(error, expected) != NULL;
    if (!refused)
        fprintf(stderr, "%s: load said '%s', expected '%s'\n", what, error, expected);
    CHECK(refused);
    engine_free(engine);
    free(engine);
    FILE *null = fopen("/dev/null", "w");
    CHECK(!state_dump_file(bad, null, error, sizeof error));
    fclose(null);
    const char *inputs[] = { good, bad };
    char merged[] = "/tmp/exclave-merged-XXXXXX";
    int fd = mkstemp(merged);
    close(fd);
    CHECK(!state_merge_files(inputs, 2, merged, error, sizeof error));
    CHECK(strstr(error, bad) != NULL);
    unlink(merged);
}

#define PATCH(s, field, value)                                                        \
    do {                                                                              \
        __typeof__(((struct key *)0)->field) v_ = (value);                           \
        memcpy((s)->bytes + (s)->first_record + offsetof(struct key, field), &v_, sizeof v_); \
    } while (0)

/* A key idle past the window starts over and its copy is kept, saved with
 * its links by name, loaded back, and refused when forged. */
static void check_retired(const char *path, const char *bad)
{
    char error[512];
    struct engine *engine = calloc(1, sizeof *engine);
    start_keeping(engine, 16, 1);
    feed(engine, 1462320000, "203.0.113.10", "mail1.trump-email.com", "66.216.133.29");
    feed(engine, 1462320600, "203.0.113.10", "mail1.trump-email.com", "66.216.133.29");
    feed(engine, 1462320000 + 2 * 86400, "203.0.113.11", "mail1.trump-email.com", "66.216.133.29");
    CHECK(engine->retired.count == 3); /* the name, its domain, the address */
    const struct retired_key *name = retired_keys_at(&engine->retired, 0);
    size_t length = 0;
    CHECK(name->key.kind == KEY_NAME && name->key.lookups == 2 && name->link_count == 1);
    CHECK(strcmp(retired_key_link(name, 0, &length), "trump-email.com") == 0 && length == 15);
    struct key *live = engine_find_key(engine, KEY_NAME, "mail1.trump-email.com", 21);
    CHECK(live && live->lookups == 1 && live->first_seen_us == (1462320000LL + 2 * 86400) * 1000000);
    CHECK(state_file_save(engine, path, error, sizeof error));
    engine_free(engine);

    start_keeping(engine, 16, 1);
    CHECK(state_file_load(engine, path, error, sizeof error) == 1);
    CHECK(engine->retired.count == 3 && engine->store.count == 3);
    const struct retired_key *address = retired_keys_at(&engine->retired, 2);
    CHECK(address->key.kind == KEY_ADDRESS && address->key.lookups == 2 && address->link_count == 1);
    CHECK(strcmp(retired_key_link(address, 0, &length), "mail1.trump-email.com") == 0);
    engine_free(engine);
    start_keeping(engine, 0, 1); /* keeping none: the copies are counted as dropped */
    CHECK(state_file_load(engine, path, error, sizeof error) == 1);
    CHECK(engine->retired.count == 0 && engine->retired.dropped == 3);
    engine_free(engine);
    free(engine);

    /* the ring: past its capacity the oldest copy leaves, counted */
    struct retired_keys ring;
    CHECK(retired_keys_init(&ring, 2));
    struct key copy = { .name = "a.example", .name_length = 9, .kind = KEY_NAME, .in_use = true };
    const char *link = "example";
    uint16_t link_length = 7;
    for (uint64_t lookups = 1; lookups <= 3; lookups++) {
        copy.lookups = lookups;
        retired_keys_add(&ring, &copy, &link, &link_length, 1);
    }
    CHECK(ring.count == 2 && ring.dropped == 1 && ring.kept == 3);
    CHECK(retired_keys_at(&ring, 0)->key.lookups == 2 && retired_keys_at(&ring, 1)->key.lookups == 3);
    CHECK(strcmp(retired_keys_at(&ring, 1)->key.name, "a.example") == 0);
    retired_keys_free(&ring);

    struct saved s;
    read_file(path, &s);
    size_t link_count_at = s.size - 12 - (2 + 21) - 1; /* the address's, the last record */
    CHECK(s.bytes[link_count_at] == 1);
    s.bytes[link_count_at] = 9;
    write_file(bad, &s, true);
    check_refused("retired links 9", path, bad, "links it cannot have");
    s.bytes[link_count_at] = 1;
    uint32_t many = 0x7fffffffu;
    memcpy(s.bytes + RETIRED_FIELD, &many, 4);
    write_file(bad, &s, true);
    check_refused("retired count past the file", path, bad, "more records than the file can hold");
    free(s.bytes);
}

/* The caching-slot memory survives a save: a lookup asked again in the
 * same slot is not counted as corrected after the load, both from this
 * build's file and from one whose ways hold whole 64-bit fingerprints (as
 * builds before the ways kept their low halves wrote them). */
static void check_pairs_survive(const char *path, const char *old_path)
{
    const char *name = "mail1.trump-email.com", *querier = "203.0.113.7";
    struct engine *engine = calloc(1, sizeof *engine);
    char error[512];
    start(engine);
    feed(engine, 1475000000, querier, name, "66.216.133.29");
    CHECK(state_file_save(engine, path, error, sizeof error));
    engine_free(engine);
    struct saved s;
    read_file(path, &s);
    /* no retired keys, no input: the ways end just before the input's length */
    size_t ways = (size_t)ENGINE_PAIR_SETS * ENGINE_PAIR_WAYS;
    uint8_t *pairs = s.bytes + s.size - 12 - 4 - ways * 8;
    size_t filled = 0;
    for (size_t i = 0; i < ways; i++) {
        uint64_t way;
        memcpy(&way, pairs + i * 8, 8);
        filled += way != 0;
        if (way)
            way |= (uint64_t)(i * 2654435761u + 1) << 32; /* high bits a whole fingerprint has */
        memcpy(pairs + i * 8, &way, 8);
    }
    CHECK(filled == 3); /* the name, its domain, the address */
    write_file(old_path, &s, true);
    free(s.bytes);
    const char *files[] = { path, old_path };
    for (int f = 0; f < 2; f++) {
        start(engine);
        CHECK(state_file_load(engine, files[f], error, sizeof error) == 1);
        feed(engine, 1475000010, querier, name, "66.216.133.29"); /* the same 300 s slot */
        feed(engine, 1475000020, "203.0.113.8", name, "66.216.133.29");
        struct key *key = engine_find_key(engine, KEY_NAME, name, strlen(name));
        CHECK(key && key->lookups == 3 && key->lookups_corrected == 2);
        engine_free(engine);
    }
    free(engine);
}

int main(void)
{
    char good[] = "/tmp/exclave-good-XXXXXX", bad[] = "/tmp/exclave-bad-XXXXXX";
    close(mkstemp(good));
    close(mkstemp(bad));
    struct engine *engine = calloc(1, sizeof *engine);
    start(engine);
    for (int i = 0; i < 50; i++)
        feed(engine, 1462320000 + i * 600, i % 2 ? "203.0.113.10" : "203.0.113.11",
             "mail1.trump-email.com", "66.216.133.29");
    char error[512];
    CHECK(state_file_save(engine, good, error, sizeof error));
    engine_free(engine);
    free(engine);
    struct saved pristine;
    read_file(good, &pristine);

    struct saved s = pristine;
    s.bytes = malloc(s.size);
#define FRESH() memcpy(s.bytes, pristine.bytes, s.size)
    /* a flipped bit in the key count: refused by the checksum, before use */
    FRESH(); s.bytes[KEYS_FIELD + 3] ^= 0x40; write_file(bad, &s, false);
    check_refused("flipped key count", good, bad, "checksum mismatch");
    /* forged: the checksum right, the fields not */
    FRESH(); uint32_t keys = 0xffffffffu; memcpy(s.bytes + KEYS_FIELD, &keys, 4); write_file(bad, &s, true);
    check_refused("key count past the file", good, bad, "more records than the file can hold");
    FRESH(); PATCH(&s, asn_tally.used, 255); write_file(bad, &s, true);
    check_refused("asn_tally.used 255", good, bad, "more ASNs or countries in its tally");
    FRESH(); PATCH(&s, country_tally.used, 9); write_file(bad, &s, true);
    check_refused("country_tally.used 9", good, bad, "more ASNs or countries in its tally");
    FRESH(); PATCH(&s, daily_last_day, INT_MAX); write_file(bad, &s, true);
    check_refused("daily_last_day INT_MAX", good, bad, "daily series ends outside");
    FRESH(); PATCH(&s, linked_count, 200); write_file(bad, &s, true);
    check_refused("linked_count 200", good, bad, "more linked names or answers");
    FRESH(); PATCH(&s, kind, 7); write_file(bad, &s, true);
    check_refused("kind 7", good, bad, "an unknown kind");
    FRESH(); s.bytes[s.first_record + offsetof(struct key, dirty)] = 2; write_file(bad, &s, true);
    check_refused("a bool of 2", good, bad, "neither 0 nor 1");
    FRESH(); PATCH(&s, first_seen_us, -18000000000LL); write_file(bad, &s, true);
    check_refused("first seen 1969", good, bad, "first or last seen outside");
    FRESH(); PATCH(&s, queriers.exact_count, 100); write_file(bad, &s, true);
    check_refused("exact_count 100", good, bad, "neither exact nor a sketch");
    FRESH(); PATCH(&s, lookups_corrected, UINT64_MAX); write_file(bad, &s, true);
    check_refused("corrected above lookups", good, bad, "more corrected, reverse, home or proven lookups");
    FRESH(); PATCH(&s, home_lookups, UINT64_MAX); write_file(bad, &s, true);
    check_refused("home above lookups", good, bad, "more corrected, reverse, home or proven lookups");
    FRESH(); PATCH(&s, proven_lookups, UINT64_MAX); write_file(bad, &s, true);
    check_refused("proven above lookups", good, bad, "more corrected, reverse, home or proven lookups");
    FRESH(); PATCH(&s, top_queriers.used, 3); write_file(bad, &s, true);
    check_refused("top_queriers.used 3", good, bad, "more top queriers than it keeps");
    FRESH(); PATCH(&s, top_queriers.slot[0].address.family, 5); write_file(bad, &s, true);
    check_refused("top querier family 5", good, bad, "a top querier that is not an address");
    /* a slot number of 2^32-16 is only a number now: the file loads (the map
     * follows the keys, and once cost 16 GB); two keys on one slot do not */
    FRESH(); uint32_t slot = 0xfffffff0u; memcpy(s.bytes + HEADER_BYTES, &slot, 4); write_file(bad, &s, true);
    engine = calloc(1, sizeof *engine);
    start(engine);
    CHECK(state_file_load(engine, bad, error, sizeof error) == 1);
    engine_free(engine);
    free(engine);
    FRESH(); memcpy(s.bytes + s.first_record + sizeof(struct key), s.bytes + HEADER_BYTES, 4);
    write_file(bad, &s, true);
    check_refused("two keys on one slot", good, bad, "two keys claim one slot");
    FRESH(); int64_t clock = -1; memcpy(s.bytes + 8 + 6 * 4, &clock, 8); write_file(bad, &s, true);
    check_refused("engine clock -1", good, bad, "an engine clock outside");

    /* the pristine file still loads, dumps and merges */
    engine = calloc(1, sizeof *engine);
    start(engine);
    CHECK(state_file_load(engine, good, error, sizeof error) == 1);
    CHECK(engine->store.count == 3); /* the name, its domain, the address */
    engine_free(engine);
    free(engine);
    FILE *null = fopen("/dev/null", "w");
    CHECK(state_dump_file(good, null, error, sizeof error));
    fclose(null);

    /* version 1 (no input section, before --eve redis://) and version 2
     * (no window, no retired keys) still load; a version 2 input section
     * comes back as it was saved */
    struct saved old = { malloc(pristine.size), 0, 0 };
    for (uint32_t version = 1; version <= 2; version++) {
        size_t body = pristine.size - 12 - HEADER_BYTES - (version == 1 ? 4 : 0);
        memcpy(old.bytes, pristine.bytes, V2_HEADER_BYTES);
        memcpy(old.bytes + V2_HEADER_BYTES, pristine.bytes + HEADER_BYTES, body);
        memcpy(old.bytes + V2_HEADER_BYTES + body, pristine.bytes + pristine.size - 12, 12);
        old.size = V2_HEADER_BYTES + body + 12;
        memcpy(old.bytes + 8, &version, 4);
        write_file(bad, &old, true);
        engine = calloc(1, sizeof *engine);
        start(engine);
        struct state_input input = { (uint8_t *)"x", 1 };
        CHECK(state_file_load_resumable(engine, bad, &input, error, sizeof error) == 1);
        CHECK(engine->store.count == 3 && input.length == 0 && input.bytes == NULL);
        engine_free(engine);
        free(engine);
    }
    engine = calloc(1, sizeof *engine);
    start(engine);
    struct state_input input = { NULL, 0 };
    CHECK(state_file_load(engine, good, error, sizeof error) == 1);
    uint8_t position[] = { 1, 2, 3, 4, 5 };
    struct state_input saved_input = { position, sizeof position };
    CHECK(state_file_save_resumable(engine, bad, &saved_input, error, sizeof error));
    engine_free(engine);
    start(engine);
    CHECK(state_file_load_resumable(engine, bad, &input, error, sizeof error) == 1);
    CHECK(input.length == sizeof position && memcmp(input.bytes, position, sizeof position) == 0);
    free(input.bytes);
    engine_free(engine);
    free(engine);
    check_retired(good, bad);
    check_pairs_survive(good, bad);
    free(old.bytes);
    free(s.bytes);
    free(pristine.bytes);
    unlink(good);
    unlink(bad);
    return unit_finish("unit-state-file");
}
