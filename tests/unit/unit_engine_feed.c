/* Unit test of engine_feed: four producer threads push interleaved lookups
 * (and yield at random) while the engine thread merges them; the engine
 * must see every lookup once and in packet-time order. Also built with
 * ThreadSanitizer by `make tsan`. */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_feed.h"
#include "policy/policy_host.h"
#include "policy/policy_local.h"
#include "unit.h"

enum { PRODUCERS = 4, PER_PRODUCER = 20000 };

struct producer {
    struct engine_feed_ring *ring;
    int index;
};

static char evidence[256];

static void keep_evidence(void *user, const struct engine *engine, const struct engine_alert *alert)
{
    (void)user;
    (void)engine;
    snprintf(evidence, sizeof evidence, "%s", alert->evidence_json);
}

static void *produce(void *user)
{
    struct producer *p = user;
    unsigned seed = (unsigned)p->index * 7919u + 1;
    char name[32];
    for (int i = 0; i < PER_PRODUCER; i++) {
        snprintf(name, sizeof name, "n%d.example.com", i % 500);
        struct engine_lookup lookup = {
            .time_us = ((int64_t)i * PRODUCERS + p->index) * 1000 + 1462320000000000LL,
            .qname = name, .qname_length = strlen(name), .qtype = 1, .part = LOOKUP_ANSWERED };
        uint8_t querier[4] = { 10, 0, (uint8_t)p->index, (uint8_t)i };
        ip_address_set_v4(&lookup.querier, querier);
        engine_feed_push(p->ring, &lookup);
        if (rand_r(&seed) % 64 == 0)
            sched_yield();
    }
    return NULL;
}

int main(void)
{
    static struct engine engine;
    static struct policy_host host;
    static struct policy_local local;
    static struct engine_feed feed;
    char error[1024], path[1024];
    struct engine_config config;
    engine_config_defaults(&config);
    CHECK(engine_init(&engine, &config, NULL, error, sizeof error));
    engine_set_alert_sink(&engine, keep_evidence, NULL);
    struct policy_limits limits;
    policy_limits_defaults(&limits);
    struct policy_world world = policy_local_world(&local, &engine);
    policy_host_init(&host, &world, &limits, NULL, 0, stderr);
    snprintf(path, sizeof path, "%s/tests/policies/ordered.lua", getenv("top_srcdir"));
    CHECK(policy_host_load(&host, path, error, sizeof error));
    policy_local_attach(&local, &host);

    CHECK(engine_feed_start(&feed, &engine));
    struct producer producers[PRODUCERS];
    pthread_t threads[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) { /* every ring exists before the first push */
        producers[i] = (struct producer){ .ring = engine_feed_add_producer(&feed), .index = i };
        CHECK(producers[i].ring != NULL);
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_create(&threads[i], NULL, produce, &producers[i]);
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(threads[i], NULL);
    engine_feed_stop(&feed);

    CHECK(feed.lookups == PRODUCERS * PER_PRODUCER);
    CHECK(engine.counters.lookups_counted == PRODUCERS * PER_PRODUCER);
    char want[64];
    snprintf(want, sizeof want, "\"seen\":%d", PRODUCERS * PER_PRODUCER);
    CHECK(strstr(evidence, want) != NULL);
    CHECK(strstr(evidence, "\"late\":0") != NULL);
    if (!strstr(evidence, "\"late\":0"))
        fprintf(stderr, "evidence: %s\n", evidence);
    engine_feed_free(&feed);
    policy_host_free(&host);
    engine_free(&engine);
    return unit_finish("unit-engine-feed");
}
