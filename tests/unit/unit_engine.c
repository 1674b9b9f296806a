/* Unit tests of the engine on its own, with a decider written in C: the
 * engine hands a tick's touched keys and (when asked) each lookup to its
 * decider, and only then; an alert is raised once per key and policy in a
 * window. This test links no Lua (Makefile.am): the engine builds and runs
 * without the policy layer above it. */
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "unit.h"

struct c_decider {
    bool wants_keys, wants_lookups;
    unsigned evaluated[KEY_KINDS];
    unsigned lookups_seen;
    unsigned alerts_raised;
    struct engine *engine;
};

static bool c_wants_keys(const void *context) { return ((const struct c_decider *)context)->wants_keys; }
static bool c_wants_lookups(const void *context)
{
    return ((const struct c_decider *)context)->wants_lookups;
}

/* Raises an alert on a name once it has three corrected lookups. */
static void c_evaluate(void *context, struct key *key)
{
    struct c_decider *d = context;
    d->evaluated[key->kind]++;
    if (key->kind != KEY_NAME || key->lookups_corrected < 3)
        return;
    struct engine_alert alert = { .policy = "c", .signature = "three lookups", .signature_id = 1,
                                  .severity = 3, .key = key, .time_us = d->engine->tick_time_us,
                                  .evidence_json = "" };
    d->alerts_raised += engine_raise_alert(d->engine, 0, &alert);
}

static void c_on_lookup(void *context, const struct engine_lookup *lookup, uint32_t asn)
{
    (void)lookup, (void)asn;
    ((struct c_decider *)context)->lookups_seen++;
}

static unsigned sink_calls;
static void count_alert(void *user, const struct engine *engine, const struct engine_alert *alert)
{
    (void)user, (void)engine;
    CHECK(strcmp(alert->policy, "c") == 0);
    sink_calls++;
}

/* One answered lookup of name by querier at hour h of packet time. */
static void observe(struct engine *engine, const char *name, const char *querier, int h)
{
    struct ip_address answer_storage[1], answer;
    struct engine_lookup l = { .time_us = (1462320000LL + h * 3600LL) * 1000000,
                               .qname = name, .qname_length = strlen(name), .qtype = 1,
                               .part = LOOKUP_ANSWERED, .has_response = true };
    CHECK(ip_address_parse(querier, &l.querier));
    CHECK(ip_address_parse("192.0.2.53", &l.server));
    CHECK(ip_address_parse("198.51.100.7", &answer));
    engine_lookup_add_answer(&l, answer_storage, &answer, 300);
    engine_observe(engine, &l);
}

static void test_decider_sees_ticks_and_lookups(bool wants_lookups)
{
    struct engine engine;
    struct engine_config config;
    char error[256];
    engine_config_defaults(&config);
    CHECK(engine_init(&engine, &config, NULL, error, sizeof error));
    struct c_decider d = { .wants_keys = true, .wants_lookups = wants_lookups, .engine = &engine };
    const struct engine_decider decider = { &d, c_wants_keys, c_wants_lookups, c_evaluate,
                                            c_on_lookup, NULL };
    engine_set_decider(&engine, &decider);
    engine_set_alert_sink(&engine, count_alert, NULL);
    sink_calls = 0;
    static const char *queriers[] = { "203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4" };
    for (int i = 0; i < 4; i++)
        observe(&engine, "mail1.example.com", queriers[i], i);
    engine_finish(&engine);
    CHECK(d.lookups_seen == (wants_lookups ? 4u : 0u));
    /* each hour's tick saw the name, its domain and the answer address */
    CHECK(d.evaluated[KEY_NAME] >= 1 && d.evaluated[KEY_DOMAIN] >= 1 && d.evaluated[KEY_ADDRESS] >= 1);
    CHECK(engine.counters.keys_evaluated ==
          d.evaluated[KEY_NAME] + d.evaluated[KEY_DOMAIN] + d.evaluated[KEY_ADDRESS]);
    /* raised at the third lookup's tick, then refused again in the window */
    CHECK(d.alerts_raised == 1 && sink_calls == 1);
    CHECK(engine.counters.alerts == 1 && engine.counters.alerts_repeated >= 1);
    engine_free(&engine);
}

static void test_no_decider_counts_only(void)
{
    struct engine engine;
    struct engine_config config;
    char error[256];
    engine_config_defaults(&config);
    CHECK(engine_init(&engine, &config, NULL, error, sizeof error));
    observe(&engine, "mail1.example.com", "203.0.113.1", 0);
    observe(&engine, "mail1.example.com", "203.0.113.2", 2);
    engine_finish(&engine);
    CHECK(engine.counters.lookups_counted == 2);
    CHECK(engine.counters.keys_evaluated == 0);
    struct key *key = engine_find_key(&engine, KEY_NAME, "MAIL1.example.com", 17);
    CHECK(key && key->lookups == 2 && key->lookups_corrected == 2);
    engine_free(&engine);
}

/* A decider whose hooks are off is not called, and its keys are not held
 * dirty for it. */
static void test_decider_that_wants_nothing(void)
{
    struct engine engine;
    struct engine_config config;
    char error[256];
    engine_config_defaults(&config);
    CHECK(engine_init(&engine, &config, NULL, error, sizeof error));
    struct c_decider d = { .engine = &engine };
    const struct engine_decider decider = { &d, c_wants_keys, c_wants_lookups, c_evaluate,
                                            c_on_lookup, NULL };
    engine_set_decider(&engine, &decider);
    for (int i = 0; i < 5; i++)
        observe(&engine, "quiet.example.net", "203.0.113.9", i);
    engine_finish(&engine);
    CHECK(d.lookups_seen == 0 && d.evaluated[KEY_NAME] == 0 && engine.counters.keys_evaluated == 0);
    engine_free(&engine);
}

/* Lookups under a domain blocklist count as anti-spam checks (reverse
 * lookups), as reversed-address DNSBL names do: the built-in zones, a zone
 * from the config (any case, with or without a final dot), not the zone
 * itself, and not a name that only ends in the same letters. */
static void test_blocklist_zones(void)
{
    struct engine engine;
    struct engine_config config;
    char error[256];
    engine_config_defaults(&config);
    static const char *const zones[] = { "BL.Example.NET." };
    config.blocklist_zones = zones;
    config.blocklist_zone_count = 1;
    CHECK(engine_init(&engine, &config, NULL, error, sizeof error));
    static const char *const names[] = { "trump-email.com.dbl.spamhaus.org", "a.b.multi.uribl.com",
                                         "x.multi.surbl.org", "mail1.trump-email.com.bl.example.net",
                                         "dbl.spamhaus.org", "notdbl.spamhaus.org",
                                         "mail1.trump-email.com" };
    static const bool blocklist[] = { true, true, true, true, false, false, false };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        CHECK(engine_is_blocklist_lookup(&engine, names[i], strlen(names[i])) == blocklist[i]);
        observe(&engine, names[i], "203.0.113.1", 0);
        struct key *key = engine_find_key(&engine, KEY_NAME, names[i], strlen(names[i]));
        CHECK(key && (key->reverse_lookups == key->lookups) == blocklist[i]);
    }
    engine_free(&engine);
}

/* Reversed addresses (in-addr.arpa, ip6.arpa, DNSBL style under any zone)
 * and PTR queries are reverse lookups; names that only start like one are
 * not. */
static void test_reverse_lookups(void)
{
    static const char nibbles[] = "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa";
    static const struct { const char *name; uint16_t qtype; bool reverse; } cases[] = {
        { "4.3.2.1.in-addr.arpa", DNS_TYPE_A, true },
        { "10.20.30.40.zen.spamhaus.org", DNS_TYPE_A, true },
        { nibbles, DNS_TYPE_AAAA, true },
        { nibbles + 2, DNS_TYPE_AAAA, false }, /* 31 nibbles */
        { "www.example.com", DNS_TYPE_PTR, true },
        { "www.example.com", DNS_TYPE_A, false },
        { "1.2.3.example.com", DNS_TYPE_A, false },
        { "256.1.1.1.example", DNS_TYPE_A, false },
        { "1a.2.3.4.example", DNS_TYPE_A, false },
        { "1.2.3.4", DNS_TYPE_A, false }, /* no label after the fourth */
        { "f.example", DNS_TYPE_A, false },
        { "", DNS_TYPE_A, false },
        { "7", DNS_TYPE_A, false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(engine_is_reverse_lookup(cases[i].name, strlen(cases[i].name), cases[i].qtype) ==
              cases[i].reverse);
}

int main(void)
{
    test_reverse_lookups();
    test_blocklist_zones();
    test_decider_sees_ticks_and_lookups(false);
    test_decider_sees_ticks_and_lookups(true);
    test_no_decider_counts_only();
    test_decider_that_wants_nothing();
    return unit_finish("unit-engine");
}
