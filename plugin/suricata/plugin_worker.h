/* plugin_worker: one Suricata thread's share of the plugin: its own GeoIP
 * cache, output buffer, record parser state and ring to the engine thread,
 * found by thread (Suricata may call a plugin from any worker, with or
 * without thread data), so that nothing on a worker's path takes a shared
 * lock. The GeoIP databases and cache are shared (each worker has a view of
 * the engine's geoip), so an address one thread looked up is cached for all.
 * It enriches and parses; it decides nothing about the host. */
#ifndef EXCLAVE_SURICATA_PLUGIN_WORKER_H
#define EXCLAVE_SURICATA_PLUGIN_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "base/counter_visit.h"
#include "engine/engine_feed.h"
#include "eve/eve_lookup.h"
#include "geoip/geoip.h"
#include "suricata/plugin_config.h"

#define PLUGIN_WORKER_COUNTERS(X)                                                           \
    X(plugin_records, "records the plugin was handed")                                     \
    X(plugin_dns_lookups, "dns records that became lookups for the engine")                \
    X(plugin_records_not_parsed, "records that were not well-formed JSON: passed on as they came") \
    X(plugin_dns_unusable, "dns records without what a lookup needs")                      \
    X(plugin_records_too_long, "records too long to enrich: passed on as they came")

struct plugin_worker_counters {
#define PLUGIN_WORKER_COUNTER_FIELD(name, help) uint64_t name;
    PLUGIN_WORKER_COUNTERS(PLUGIN_WORKER_COUNTER_FIELD)
#undef PLUGIN_WORKER_COUNTER_FIELD
};

/* The longest record a worker copies to enrich in place (8.0). */
enum { PLUGIN_RECORD_MAX = 128 * 1024 };

struct plugin_worker {
    struct geoip geoip;                /* a view of plugin_workers.geoip */
    struct json_out out;               /* to the plugin's file, or (file NULL) a scratch buffer */
    struct eve_writer writer;
    struct eve_record record;
    struct eve_lookup_scratch scratch;
    struct engine_feed_ring *ring;     /* NULL without the engine */
    char record_copy[PLUGIN_RECORD_MAX + 1];
    /* the last record fed to the engine, so that its copy for another
     * eve-log output, handed over next, is not fed again */
    uint64_t fed_flow_id;
    int64_t fed_dns_id, fed_time_us;
    bool fed_asks;
    time_t last_flush;
    struct plugin_worker_counters counters;
    struct plugin_worker *next;
};

struct plugin_workers {
    const struct plugin_config *config;
    const struct geoip *geoip;         /* the databases and cache the workers share */
    struct engine_feed *feed;          /* NULL without the engine */
    FILE *file;                        /* where workers write; NULL: they only fill their buffer */
    pthread_key_t key;
    pthread_mutex_t lock;              /* only to add a worker */
    struct plugin_worker *list;
};

bool plugin_workers_init(struct plugin_workers *workers, const struct plugin_config *config,
                         const struct geoip *geoip, struct engine_feed *feed, FILE *file);

/* The calling thread's worker, made on its first call; NULL (reported on
 * stderr) when it cannot be made. */
struct plugin_worker *plugin_workers_mine(struct plugin_workers *workers);

/* Gives worker its ring to the engine, when there is an engine. A thread
 * that will push lookups gets it as it starts (the rings' time-ordered
 * merge waits for every ring from then on); others never need one. False
 * (reported on stderr) when it cannot be made. */
bool plugin_workers_add_ring(struct plugin_workers *workers, struct plugin_worker *worker);

/* Hands a lookup to the engine thread (counted), when the worker has a
 * ring. */
void plugin_worker_push(struct plugin_worker *worker, const struct engine_lookup *lookup);

/* Every worker's buffer written out (with a file). */
void plugin_workers_flush(struct plugin_workers *workers);

/* The workers' counters summed, with their rings' and GeoIP caches'. */
void plugin_workers_visit_counters(const struct plugin_workers *workers, counter_visit_fn visit,
                                   void *user);

void plugin_workers_free(struct plugin_workers *workers);

#endif
