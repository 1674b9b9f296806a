/* Tests of the engine with real Lua 5.4 policies and the demo .mmdb files:
 * the default policies' edge cases (each must alert on its planted case and
 * stay quiet on the known false positives), --set variables, the cost model
 * (evaluate scales with keys and ticks, on_lookup with lookups), reloading
 * without losing aggregates, and the sandbox against hostile policies. */
#include <stdlib.h>
#include <unistd.h>

#include "engine/engine.h"
#include "policy/policy_host.h"
#include "policy/policy_local.h"
#include "unit.h"

enum { MAX_SEEN = 64, DAY = 86400, START = 1462320000 /* 2016-05-04 */ };

struct seen_alert {
    char policy[64], kind[16], name[128], related[128], evidence[512];
    uint64_t corrected;
};

struct fixture {
    struct geoip geoip;
    struct engine engine;
    struct policy_host host;
    struct policy_local local;
    struct policy_variable variables[4];
    size_t variable_count;
    struct seen_alert seen[MAX_SEEN];
    size_t seen_count;
    FILE *messages;
    char message_text[1 << 16];
};

static void collect(void *user, const struct engine *engine, const struct engine_alert *alert)
{
    (void)engine;
    struct fixture *f = user;
    if (f->seen_count == MAX_SEEN)
        return;
    struct seen_alert *s = &f->seen[f->seen_count++];
    snprintf(s->policy, sizeof s->policy, "%s", alert->policy);
    snprintf(s->kind, sizeof s->kind, "%s", key_kind_name(alert->key->kind));
    snprintf(s->name, sizeof s->name, "%s", alert->key->name);
    snprintf(s->related, sizeof s->related, "%s", alert->related_count ? alert->related[0] : "");
    snprintf(s->evidence, sizeof s->evidence, "%s", alert->evidence_json);
    s->corrected = alert->key->lookups_corrected;
}

static void set_variable(struct fixture *f, const char *policy, const char *name, const char *value)
{
    f->variables[f->variable_count++] = (struct policy_variable){
        .policy = policy, .policy_length = strlen(policy), .name = name,
        .name_length = strlen(name), .value = value };
}

static char *path_of(const char *relative)
{
    static char paths[8][1024];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", getenv("top_srcdir"), relative);
    return p;
}

/* Opens everything and loads the policies (NULL-terminated relative paths). */
static void start(struct fixture *f, const char *const *policies)
{
    char asn[1024], country[1024], error[8192];
    snprintf(asn, sizeof asn, "%s/demo/GeoLite2-ASN.mmdb", getenv("top_builddir"));
    snprintf(country, sizeof country, "%s/demo/GeoLite2-Country.mmdb", getenv("top_builddir"));
    CHECK(geoip_open(&f->geoip, asn, country, error, sizeof error));
    struct engine_config config;
    engine_config_defaults(&config);
    CHECK(engine_init(&f->engine, &config, &f->geoip, error, sizeof error));
    engine_set_alert_sink(&f->engine, collect, f);
    struct policy_limits limits;
    policy_limits_defaults(&limits);
    limits.memory_bytes = 16u << 20;
    limits.instructions = 1000000;
    f->messages = fmemopen(f->message_text, sizeof f->message_text - 1, "w");
    setvbuf(f->messages, NULL, _IONBF, 0);
    struct policy_world world = policy_local_world(&f->local, &f->engine);
    policy_host_init(&f->host, &world, &limits, f->variables, f->variable_count, f->messages);
    for (; *policies; policies++) {
        bool ok = policy_host_load(&f->host, path_of(*policies), error, sizeof error);
        if (!ok)
            fprintf(stderr, "load: %s\n", error);
        CHECK(ok);
    }
    policy_local_attach(&f->local, &f->host);
}

static void stop(struct fixture *f)
{
    policy_host_free(&f->host);
    engine_free(&f->engine);
    geoip_close(&f->geoip);
    fclose(f->messages);
}

/* One lookup with its response, as a Zeek or EVE record gives it. */
static void feed(struct fixture *f, int64_t seconds, const char *querier, const char *name,
                 const char *answer, uint16_t rcode)
{
    struct ip_address answers[1];
    struct engine_lookup l = { .time_us = seconds * 1000000, .qname = name,
                               .qname_length = strlen(name), .qtype = 1, .part = LOOKUP_ANSWERED,
                               .has_response = true, .rcode = rcode, .answers = answers,
                               .answer_count = answer ? 1 : 0, .min_ttl = 300 };
    CHECK(ip_address_parse(querier, &l.querier));
    CHECK(ip_address_parse("192.0.2.53", &l.server));
    if (answer)
        CHECK(ip_address_parse(answer, &answers[0]));
    engine_observe(&f->engine, &l);
}

/* count lookups a day for days days from day first, spread over the day
 * (each in its own caching slot), from the queriers in turn. */
static void feed_days(struct fixture *f, int first, int days, int count, const char *const *queriers,
                      const char *name, const char *answer, uint16_t rcode)
{
    int q = 0;
    for (int d = first; d < first + days; d++)
        for (int i = 0; i < count; i++) {
            feed(f, START + (int64_t)d * DAY + (int64_t)i * (DAY / count), queriers[q], name,
                 answer, rcode);
            q = queriers[q + 1] ? q + 1 : 0;
        }
}

static int count_alerts(const struct fixture *f, const char *policy, const char *kind,
                        const char *name)
{
    int n = 0;
    for (size_t i = 0; i < f->seen_count; i++)
        n += !strcmp(f->seen[i].policy, policy) && (!kind || !strcmp(f->seen[i].kind, kind)) &&
             (!name || !strcmp(f->seen[i].name, name));
    return n;
}

static const char *const DEFAULTS[] = { "scripts/exclusive.lua", "scripts/peaks.lua",
                                        "scripts/rotation.lua", NULL };
static const char *const ALFA[] = { "203.0.113.10", "203.0.113.11", NULL };
static const char *const ALFA_SPECTRUM[] = { "203.0.113.10", "203.0.113.11", "203.0.113.12",
                                             "203.0.113.70", NULL };
static const char *const MANY_ISPS[] = { "100.64.1.1", "100.65.1.1", "100.66.1.1", "100.67.1.1",
                                         "100.68.1.1", "100.69.1.1", "100.70.1.1", "100.71.1.1",
                                         NULL };

static void test_exclusive(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    start(f, DEFAULTS);
    feed_days(f, 0, 4, 10, ALFA, "x.secret-bank-partner.com", "192.0.2.200", 0);
    /* decoys */
    feed_days(f, 0, 1, 5, ALFA, "rare.example.net", "198.51.100.50", 0);             /* low volume */
    static const char *const via_google[] = { "8.8.8.8", "8.8.8.4", "8.8.8.8", "8.8.8.4", "8.8.8.8",
                                              "8.8.8.4", "8.8.8.8", "8.8.8.4", "8.8.8.8",
                                              "203.0.113.10", NULL };
    feed_days(f, 0, 4, 10, via_google, "tracker.adnet.example", "198.51.100.60", 0); /* public resolver */
    static const char *const spectrum[] = { "203.0.113.70", NULL };
    feed_days(f, 0, 4, 10, spectrum, "mail.spectrum.example", "203.0.113.90", 0);   /* own host */
    char dnsbl[64];
    for (int i = 0; i < 60; i++) { /* blocklist checks from one bank */
        snprintf(dnsbl, sizeof dnsbl, "%d.100.51.198.zen.dnsbl.example", i + 1);
        feed(f, START + i * 3600, "203.0.113.10", dnsbl, i % 3 ? NULL : "127.0.0.2", i % 3 ? 3 : 0);
    }
    feed_days(f, 0, 4, 20, MANY_ISPS, "www.popular.example", "198.51.100.70", 0);   /* popular */
    /* domain-blocklist checks of a domain, from the bank alone (issue 16's DBL case) */
    feed_days(f, 0, 4, 10, ALFA, "secret-bank-partner.com.dbl.spamhaus.org", "127.0.1.2", 0);
    engine_finish(&f->engine);
    CHECK(count_alerts(f, "exclusive", "name", "x.secret-bank-partner.com") == 1);
    CHECK(count_alerts(f, "exclusive", "domain", "secret-bank-partner.com") == 1);
    CHECK(count_alerts(f, "exclusive", "address", "192.0.2.200") == 1);
    CHECK(count_alerts(f, "exclusive", NULL, NULL) == 3);
    for (size_t i = 0; i < f->seen_count; i++)
        if (!strcmp(f->seen[i].kind, "name"))
            CHECK(strstr(f->seen[i].evidence, "\"leader_asns\":[15632]") != NULL);
    struct key *k = engine_find_key(&f->engine, KEY_NAME, "X.Secret-Bank-Partner.com.", 26);
    CHECK(k && k->lookups == 40 && k->lookups_corrected == 40);
    k = engine_find_key(&f->engine, KEY_DOMAIN, "zen.dnsbl.example", 17);
    CHECK(k == NULL); /* "example" is not a public suffix: the domain is dnsbl.example */
    k = engine_find_key(&f->engine, KEY_DOMAIN, "dnsbl.example", 13);
    CHECK(k && k->reverse_lookups == 60 && k->lookups == 60);
    k = engine_find_key(&f->engine, KEY_NAME, "secret-bank-partner.com.dbl.spamhaus.org", 40);
    CHECK(k && k->reverse_lookups == 40 && k->lookups == 40); /* counted, and not alerted on */
    stop(f);
    free(f);
}

static void test_caching_correction_and_variables(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    set_variable(f, "exclusive", "max_asns", "1");
    start(f, DEFAULTS);
    char error[256];
    CHECK(policy_host_check_variables(&f->host, error, sizeof error));
    /* 200 lookups by one resolver, all within one 300 s slot: one corrected */
    for (int i = 0; i < 200; i++)
        feed(f, START + i, "203.0.113.10", "hammered.example.org", "198.51.100.80", 0);
    /* an Alfa/Spectrum split of 3:1 alerts with two ASNs, not with max_asns=1 */
    feed_days(f, 0, 6, 12, ALFA_SPECTRUM, "split.example.org", "198.51.100.81", 0);
    engine_finish(&f->engine);
    struct key *k = engine_find_key(&f->engine, KEY_NAME, "hammered.example.org", 20);
    CHECK(k && k->lookups == 200 && k->lookups_corrected == 1);
    CHECK(count_alerts(f, "exclusive", NULL, NULL) == 0);
    stop(f);
    free(f);

    f = calloc(1, sizeof *f);
    start(f, DEFAULTS);
    feed_days(f, 0, 6, 12, ALFA_SPECTRUM, "split.example.org", "198.51.100.81", 0);
    engine_finish(&f->engine);
    CHECK(count_alerts(f, "exclusive", "name", "split.example.org") == 1);
    stop(f);
    free(f);
}

static void test_rotation(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    start(f, DEFAULTS);
    feed_days(f, 0, 30, 10, ALFA, "old.trump-email.com", "192.0.2.129", 0);
    feed_days(f, 30, 2, 4, ALFA, "old.trump-email.com", NULL, 3);     /* NXDOMAIN */
    feed_days(f, 34, 6, 10, ALFA, "new.contact-client.com", "192.0.2.129", 0);
    feed_days(f, 50, 6, 10, ALFA, "late.other-client.com", "192.0.2.129", 0); /* 18 days on */
    static const char *const spectrum[] = { "203.0.113.70", NULL };
    feed_days(f, 0, 20, 10, ALFA, "gone.example-one.com", "192.0.2.150", 0);
    feed_days(f, 22, 6, 10, spectrum, "other-asn.example-two.com", "192.0.2.150", 0);
    engine_finish(&f->engine);
    CHECK(count_alerts(f, "rotation", "name", "new.contact-client.com") == 1);
    CHECK(count_alerts(f, "rotation", NULL, NULL) == 1);
    for (size_t i = 0; i < f->seen_count; i++)
        if (!strcmp(f->seen[i].policy, "rotation")) {
            CHECK(!strcmp(f->seen[i].related, "old.trump-email.com"));
            CHECK(strstr(f->seen[i].evidence, "\"predecessor_nxdomain\":true") != NULL);
        }
    stop(f);
    free(f);
}

static void test_peaks(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    start(f, DEFAULTS);
    for (int d = 0; d < 40; d++) {
        int count = d == 30 ? 150 : 18 + d % 5;
        feed_days(f, d, 1, count, ALFA, "peaky.trump-email.com", "192.0.2.130", 0);
        feed_days(f, d, 1, 18 + d % 4, ALFA, "steady.trump-email.net", "192.0.2.131", 0);
        feed_days(f, d, 1, d == 30 ? 400 : 40, MANY_ISPS, "www.popular.example", "198.51.100.70", 0);
    }
    engine_finish(&f->engine);
    CHECK(count_alerts(f, "peaks", "name", "peaky.trump-email.com") == 1);
    CHECK(count_alerts(f, "peaks", NULL, NULL) == 1);
    for (size_t i = 0; i < f->seen_count; i++)
        if (!strcmp(f->seen[i].policy, "peaks"))
            CHECK(strstr(f->seen[i].evidence, "\"day\":\"2016-06-03\"") != NULL);
    stop(f);
    free(f);
}

/* evaluate runs once per dirty key per tick; on_lookup once per lookup. */
static void test_call_counts(void)
{
    static const char *const counting[] = { "tests/policies/counting.lua", NULL };
    struct fixture *f = calloc(1, sizeof *f);
    start(f, counting);
    for (int i = 0; i < 1000; i++) /* 1000 lookups in one tick: 3 keys */
        feed(f, START + 60 + i, ALFA[i % 2], "one.example.com", "198.51.100.90", 0);
    engine_finish(&f->engine);
    CHECK(f->host.counters.errors == 0);
    CHECK(f->host.counters.calls == 1000 + 3);
    stop(f);
    free(f);
    static const char *const witness[] = { "tests/policies/witness.lua", NULL };
    f = calloc(1, sizeof *f);
    start(f, witness);
    for (int i = 0; i < 1000; i++)
        feed(f, START + 60 + i * 3, ALFA[i % 2], "one.example.com", "198.51.100.90", 0);
    engine_finish(&f->engine);
    CHECK(f->host.counters.calls == 3);
    CHECK(policy_host_wants_lookups(&f->host) == false);
    stop(f);
    free(f);
}

static void test_reload_keeps_aggregates(void)
{
    char dir[] = "/tmp/exclave-policy-XXXXXX", file[64], command[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(file, sizeof file, "%s/witness.lua", dir);
    snprintf(command, sizeof command, "cp '%s' '%s'", path_of("tests/policies/witness.lua"), file);
    CHECK(system(command) == 0);
    struct fixture *f = calloc(1, sizeof *f);
    const char *policies[] = { file, NULL };
    setenv("top_srcdir_saved", getenv("top_srcdir"), 1);
    setenv("top_srcdir", "", 1); /* path_of("" + "/tmp/...") */
    start(f, policies);
    setenv("top_srcdir", getenv("top_srcdir_saved"), 1);
    feed_days(f, 0, 2, 10, ALFA, "kept.example.com", "198.51.100.91", 0);
    FILE *broken = fopen(file, "w");
    fputs("function evaluate(key)\n  this is not lua\nend\n", broken);
    fclose(broken);
    policy_host_reload(&f->host);
    CHECK(f->host.counters.reload_failures == 1);
    CHECK(strstr(f->message_text, "witness.lua:2:") != NULL);
    feed_days(f, 2, 1, 10, ALFA, "kept.example.com", "198.51.100.91", 0);
    engine_finish(&f->engine);
    struct key *k = engine_find_key(&f->engine, KEY_NAME, "kept.example.com", 16);
    CHECK(k && k->lookups == 30);
    CHECK(count_alerts(f, "witness", "name", "kept.example.com") == 1); /* old version still runs */
    stop(f);
    free(f);
    unlink(file);
    rmdir(dir);
}

/* Runs one hostile policy beside a witness; the report must say what went
 * wrong (expected) and where. */
static void test_hostile(const char *file, const char *expected, uint64_t *budget,
                         uint64_t *memory)
{
    char path[128];
    snprintf(path, sizeof path, "tests/policies/hostile/%s", file);
    const char *policies[] = { path, "tests/policies/witness.lua", NULL };
    struct fixture *f = calloc(1, sizeof *f);
    start(f, policies);
    feed_days(f, 0, 2, 24, ALFA, "target.example.com", "198.51.100.92", 0);
    engine_finish(&f->engine);
    bool contained = f->host.counters.errors >= 1 && count_alerts(f, "witness", NULL, NULL) >= 1;
    for (size_t i = 0; i < f->seen_count; i++)
        contained &= strncmp(f->seen[i].policy, "witness", 7) == 0;
    /* reported with the file (and its line, except for memory errors,
     * which Lua raises without a position) and with what went wrong */
    char where[160];
    snprintf(where, sizeof where, strcmp(file, "memory_bomb.lua") ? "%s:" : "%s", file);
    contained &= strstr(f->message_text, where) != NULL &&
                 strstr(f->message_text, expected) != NULL;
    if (!contained)
        fprintf(stderr, "hostile %s not contained; messages:\n%s\n", file, f->message_text);
    CHECK(contained);
    CHECK(f->host.counters.disabled == 1); /* the hostile one, after repeated errors */
    *budget += f->host.counters.budget_exceeded;
    *memory += f->host.counters.memory_refused;
    stop(f);
    free(f);
}

static void test_sandbox(void)
{
    static const char *const hostile[][2] = {
        { "read_file.lua", "attempt to index a nil value (global 'io')" },
        { "run_command.lua", "attempt to call a nil value (field 'execute')" },
        { "endless_loop.lua", "instruction budget of 1000000 exceeded" },
        { "coroutine_loop.lua", "instruction budget of 1000000 exceeded" },
        { "memory_bomb.lua", "not enough memory" },
        { "bytecode.lua", "attempt to call a nil value (field 'dump')" },
        { "metatables.lua", "only valid during the call" },
        { "modules.lua", "collectgarbage('stop') is not available" },
        { "alert_tricks.lua", "exclave.alert: related[1] is not a string" },
        { "global_trap.lua", "trapped lookup of missing_global" },
        { "big_signature.lua", "signature is at most 512 bytes" },
        { "big_evidence.lua", "evidence over 32768 bytes" },
        { "nul_evidence_key.lua", "an evidence key holds a NUL byte" },
        { "misspelt_field.lua", "a key view has no field 'contry_count'" },
    };
    char pwned[] = "/tmp/exclave-pwned-XXXXXX";
    int fd = mkstemp(pwned);
    close(fd);
    unlink(pwned);
    setenv("EXCLAVE_PWNED", pwned, 1);
    uint64_t budget = 0, memory = 0;
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++)
        test_hostile(hostile[i][0], hostile[i][1], &budget, &memory);
    CHECK(budget >= 1);
    CHECK(memory >= 1);
    CHECK(access(pwned, F_OK) != 0);
    /* a binary chunk as a policy file is refused at load */
    char binary[] = "/tmp/exclave-binary-XXXXXX";
    fd = mkstemp(binary);
    CHECK(write(fd, "\x1bLuaT\0\x19\x93\r\n\x1a\n", 12) == 12);
    close(fd);
    struct fixture *f = calloc(1, sizeof *f);
    static const char *const none[] = { NULL };
    start(f, none);
    char error[8192];
    CHECK(!policy_host_load(&f->host, binary, error, sizeof error));
    CHECK(strstr(error, "binary chunk") != NULL);
    CHECK(!policy_host_load(&f->host, "/nonexistent/policy.lua", error, sizeof error));
    CHECK(strstr(error, "/nonexistent/policy.lua") != NULL);
    stop(f);
    free(f);
    unlink(binary);
}

/* Alert fields are read raw and kept alive: an __index that would free the
 * related names never runs, and the alert carries them intact. */
static void test_alert_fields_are_read_raw(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    start(f, (const char *const[]){ "tests/policies/hostile/alert_gc.lua", NULL });
    feed_days(f, 0, 2, 24, ALFA, "target.example.com", "198.51.100.92", 0);
    engine_finish(&f->engine);
    CHECK(f->host.counters.errors == 0);
    CHECK(count_alerts(f, "alert_gc", "name", "target.example.com") == 1);
    CHECK(f->seen_count >= 1 && strncmp(f->seen[0].related, "old-target.example.com-", 23) == 0);
    if (f->host.counters.errors)
        fprintf(stderr, "alert_gc: %s\n", f->message_text);
    stop(f);
    free(f);
}

/* A view made while a policy loads is dead by its first call. */
static void test_view_from_load_is_refused(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    start(f, (const char *const[]){ NULL }); /* so that its first call follows the load */
    feed_days(f, 0, 1, 24, ALFA, "target.example.com", "198.51.100.92", 0);
    char error[8192];
    CHECK(policy_host_load(&f->host, path_of("tests/policies/hostile/stale_view.lua"), error,
                           sizeof error));
    policy_local_attach(&f->local, &f->host);
    feed_days(f, 1, 1, 24, ALFA, "target.example.com", "198.51.100.92", 0);
    engine_finish(&f->engine);
    CHECK(f->host.counters.errors >= 1);
    CHECK(f->host.counters.errors == f->host.counters.calls); /* the first call too */
    CHECK(strstr(f->message_text, "stale_view.lua:6:") != NULL &&
          strstr(f->message_text, "only valid during the call") != NULL);
    stop(f);
    free(f);
}

/* Finalizers run when the states close, while the engine and the alert sink
 * are still there; their alerts are raised like any other. */
static void test_finalizer_alerts_at_exit(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    start(f, (const char *const[]){ "tests/policies/witness.lua",
                                    "tests/policies/hostile/exit_alerts.lua", NULL });
    feed_days(f, 0, 2, 24, ALFA, "target.example.com", "198.51.100.92", 0);
    engine_finish(&f->engine);
    CHECK(count_alerts(f, "exit_alerts", NULL, NULL) == 0);
    policy_host_free(&f->host);
    CHECK(count_alerts(f, "exit_alerts", "name", "target.example.com") == 1);
    stop(f);
    free(f);
}

static void test_unread_variable_is_an_error(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    set_variable(f, "exclusive", "shrae", "0.9");
    char error[8192];
    start(f, (const char *const[]){ NULL });
    CHECK(!policy_host_check_variables(&f->host, error, sizeof error));
    CHECK(strstr(error, "exclusive.shrae") != NULL);
    stop(f);
    free(f);
}

/* Loads a policy from its text, named after path; NULL error: must load. */
static bool load_text(struct fixture *f, const char *path, const char *text, char *error,
                      size_t error_size)
{
    return policy_host_load_text(&f->host, path, text, strlen(text), error, error_size);
}

static uint64_t evaluate_calls(struct fixture *f, const char *path, const char *text)
{
    char error[8192];
    start(f, (const char *const[]){ NULL });
    bool ok = load_text(f, path, text, error, sizeof error);
    if (!ok)
        fprintf(stderr, "load: %s\n", error);
    CHECK(ok);
    feed_days(f, 0, 1, 30, ALFA, "solo.example.com", "198.51.100.90", 0);
    feed_days(f, 0, 1, 32, MANY_ISPS, "spread.example.net", "198.51.100.91", 0);
    feed_days(f, 0, 1, 5, ALFA, "few.example.org", "198.51.100.92", 0);
    feed_days(f, 10, 1, 30, ALFA, "solo.example.com", "198.51.100.90", 0);
    feed_days(f, 10, 1, 30, ALFA, "late.example.info", "198.51.100.93", 0);
    engine_finish(&f->engine);
    CHECK(f->host.counters.errors == 0);
    return f->host.counters.calls;
}

/* Each declaration hands evaluate exactly the keys it describes. The
 * policy alerts on every key it sees, so the alerts list them. */
static void test_candidates(void)
{
    static const char *const declarations[] = {
        "kinds = { 'name' }, min_lookups = 20, top_asns = 2, top_share = 0.8",
        "kinds = { 'name' }, max_asns = 2, min_lookups = 20",
        "kinds = { 'name' }, first_seen_days = 2",
        "kinds = { 'domain' }, min_lookups = 20",
        "kinds = { 'name' }, top_asns = 1, top_share = 0.8, ignore_asns = { 64500, 15632 }",
    };
    /* solo, spread, few, late: called for (1) or not */
    static const int expected[][4] = { { 1, 0, 0, 1 }, { 1, 0, 0, 1 }, { 0, 0, 0, 1 },
                                       { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };
    static const char *const names[] = { "solo.example.com", "spread.example.net",
                                         "few.example.org", "late.example.info" };
    for (size_t d = 0; d < sizeof declarations / sizeof declarations[0]; d++) {
        char text[1024];
        /* first_seen_days: only the calls after day 2 are shown */
        snprintf(text, sizeof text, "candidates = { %s }\n"
                 "function evaluate(key)\n"
                 "  if %d == 0 or exclave.now() > %d then exclave.alert{ signature = key.name } end\n"
                 "end\n", declarations[d], d == 2, START + 2 * DAY);
        struct fixture *f = calloc(1, sizeof *f);
        evaluate_calls(f, "probe.lua", text);
        for (int n = 0; n < 4; n++) {
            int seen = count_alerts(f, "probe", "name", names[n]);
            if (seen != expected[d][n])
                fprintf(stderr, "candidates { %s }: %s alerted %d times\n", declarations[d],
                        names[n], seen);
            CHECK(seen == expected[d][n]);
        }
        CHECK(d != 3 || count_alerts(f, "probe", "domain", "example.com") == 1);
        stop(f);
        free(f);
    }
}

/* alerted_by sees the alerts of the policies before it in the same tick;
 * once stops the calls after a policy's own alert. */
static void test_candidates_alerted_by_and_once(void)
{
    static const char *const first = "candidates = { kinds = { 'name' }, min_lookups = 20%s }\n"
                                     "function evaluate(key) exclave.alert{ signature = 'x' } end\n";
    char text[512], error[8192];
    uint64_t calls[2];
    for (int once = 0; once < 2; once++) {
        struct fixture *f = calloc(1, sizeof *f);
        snprintf(text, sizeof text, first, once ? ", once = true" : "");
        calls[once] = evaluate_calls(f, "first.lua", text);
        CHECK(count_alerts(f, "first", "name", NULL) == 3);
        stop(f);
        free(f);
    }
    CHECK(calls[1] == 3); /* solo, spread, late: one call each */
    CHECK(calls[0] > calls[1]);
    struct fixture *f = calloc(1, sizeof *f);
    start(f, (const char *const[]){ NULL });
    CHECK(load_text(f, "second.lua", "candidates = { alerted_by = { 'first' } }\n"
                    "function evaluate(key) exclave.alert{ signature = 'y' } end\n", error,
                    sizeof error));
    CHECK(!policy_host_check_candidates(&f->host, error, sizeof error));
    CHECK(strstr(error, "second.lua: candidates.alerted_by names 'first', which is not loaded"));
    snprintf(text, sizeof text, first, ", once = true");
    CHECK(load_text(f, "first.lua", text, error, sizeof error));
    CHECK(policy_host_check_candidates(&f->host, error, sizeof error));
    feed_days(f, 0, 1, 30, ALFA, "solo.example.com", "198.51.100.90", 0);
    feed_days(f, 0, 1, 5, ALFA, "few.example.org", "198.51.100.92", 0);
    engine_finish(&f->engine);
    /* loaded before first, second sees its alert only at the next tick */
    CHECK(count_alerts(f, "second", "name", "solo.example.com") == 1);
    CHECK(count_alerts(f, "second", NULL, NULL) == 1);
    stop(f);
    free(f);
}

static void test_candidates_mistakes(void)
{
    static const char *const wrong[][2] = {
        { "candidates = { tpo_share = 0.8 }", "candidates: unknown field tpo_share" },
        { "candidates = { kinds = { 'names' } }", "candidates.kinds: 'names' is not name" },
        { "candidates = { kinds = 'name' }", "candidates.kinds must be a list of 1 to 3 strings" },
        { "candidates = { top_share = 0.8 }", "candidates.top_share needs candidates.top_asns" },
        { "candidates = { top_asns = 9, top_share = 0.8 }", "candidates.top_asns must be a number from 1 to 8" },
        { "candidates = { min_lookups = -1 }", "candidates.min_lookups must be a number from 0" },
        { "candidates = { once = 1 }", "candidates.once must be true or false" },
        { "candidates = { alerted_by = { 1 } }", "candidates.alerted_by[1] is not a string" },
        { "candidates = 20", "candidates must be a table" },
        { "candidates = { ignore_asns = { 'x' } }", "candidates.ignore_asns[1] is not an ASN" },
        { "candidates = setmetatable({}, { __index = function() error('trap') end })\n"
          "candidates[1] = true", "candidates: unknown field that is not a string" },
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        struct fixture *f = calloc(1, sizeof *f);
        char error[8192] = "";
        start(f, (const char *const[]){ NULL });
        bool loaded = load_text(f, "wrong.lua", wrong[i][0], error, sizeof error);
        if (loaded || !strstr(error, wrong[i][1]) || !strstr(error, "policy wrong.lua: "))
            fprintf(stderr, "%s: %s\n", wrong[i][0], loaded ? "loaded" : error);
        CHECK(!loaded && strstr(error, wrong[i][1]) && strstr(error, "policy wrong.lua: "));
        stop(f);
        free(f);
    }
}

/* key.countries, key.daily[i].asns and key.top_querier, as a policy reads them */
static void test_countries_and_daily_asns(void)
{
    static const char text[] =
        "function evaluate(key)\n"
        "  local d = key.daily\n"
        "  if key.kind ~= 'name' or key.lookups < 6 then return end\n"
        "  local c = key.countries\n"
        "  exclave.alert{ signature = 'probe', evidence = {\n"
        "    countries = string.format('%s %d %d %.2f, %s %d', c[1].country, c[1].count,\n"
        "                              c[1].corrected, c[1].share, c[2].country, c[2].count),\n"
        "    day1 = table.concat(d[1].asns, ' '), day2 = table.concat(d[2].asns, ' '),\n"
        "    top = key.top_querier.address .. ' ' .. key.top_querier.count } }\n"
        "end\n";
    struct fixture *f = calloc(1, sizeof *f);
    char error[8192];
    start(f, (const char *const[]){ NULL });
    CHECK(load_text(f, "probe.lua", text, error, sizeof error));
    for (int i = 0; i < 3; i++)
        feed(f, START + i * 3600, "203.0.113.10", "mixed.example.com", "198.51.100.90", 0);
    feed(f, START + 4 * 3600, "203.0.113.70", "mixed.example.com", "198.51.100.90", 0);
    feed(f, START + DAY + 60, "203.0.113.10", "mixed.example.com", "198.51.100.90", 0);
    feed(f, START + DAY + 7200, "203.0.113.11", "mixed.example.com", "198.51.100.90", 0);
    engine_finish(&f->engine);
    CHECK(f->host.counters.errors == 0);
    CHECK(count_alerts(f, "probe", "name", "mixed.example.com") == 1);
    const char *evidence = f->seen_count ? f->seen[0].evidence : "";
    if (!strstr(evidence, "\"countries\":\"RU 5 5 0.83, US 1\"") ||
        !strstr(evidence, "\"day1\":\"15632 64496\"") || !strstr(evidence, "\"day2\":\"15632\""))
        fprintf(stderr, "countries and daily asns: %s\n%s\n", evidence, f->message_text);
    CHECK(strstr(evidence, "\"countries\":\"RU 5 5 0.83, US 1\"") != NULL);
    CHECK(strstr(evidence, "\"day1\":\"15632 64496\"") != NULL);
    CHECK(strstr(evidence, "\"day2\":\"15632\"") != NULL);
    CHECK(strstr(evidence, "\"top\":\"203.0.113.10 4\"") != NULL);
    stop(f);
    free(f);
}

int main(void)
{
    if (!getenv("top_srcdir") || !getenv("top_builddir")) {
        fputs("unit-policies: run through make check\n", stderr);
        return 77;
    }
    test_exclusive();
    test_caching_correction_and_variables();
    test_rotation();
    test_peaks();
    test_call_counts();
    test_reload_keeps_aggregates();
    test_sandbox();
    test_alert_fields_are_read_raw();
    test_view_from_load_is_refused();
    test_finalizer_alerts_at_exit();
    test_unread_variable_is_an_error();
    test_candidates();
    test_candidates_alerted_by_and_once();
    test_candidates_mistakes();
    test_countries_and_daily_asns();
    return unit_finish("unit-policies");
}
