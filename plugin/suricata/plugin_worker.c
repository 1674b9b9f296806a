/* plugin_worker: per-thread state, found through a pthread key. */
#include "suricata/plugin_worker.h"

#include <stdlib.h>
#include <string.h>

bool plugin_workers_init(struct plugin_workers *workers, const struct plugin_config *config,
                         const struct geoip *geoip, struct engine_feed *feed, FILE *file)
{
    memset(workers, 0, sizeof *workers);
    workers->config = config;
    workers->geoip = geoip;
    workers->feed = feed;
    workers->file = file;
    if (pthread_key_create(&workers->key, NULL) != 0)
        return false;
    pthread_mutex_init(&workers->lock, NULL);
    return true;
}

static struct plugin_worker *new_worker(struct plugin_workers *workers)
{
    struct plugin_worker *w = calloc(1, sizeof *w);
    if (!w) {
        fprintf(stderr, "exclave: a worker could not start: out of memory\n");
        return NULL;
    }
    geoip_open_view(&w->geoip, workers->geoip);
    json_out_init(&w->out, workers->file);
    w->writer.out = &w->out;
    w->writer.geoip = geoip_enabled(&w->geoip) ? &w->geoip : NULL;
    w->writer.ecs_names = workers->config->ecs_names;
    w->last_flush = time(NULL);
    pthread_mutex_lock(&workers->lock);
    w->next = workers->list;
    workers->list = w;
    pthread_mutex_unlock(&workers->lock);
    pthread_setspecific(workers->key, w);
    return w;
}

struct plugin_worker *plugin_workers_mine(struct plugin_workers *workers)
{
    struct plugin_worker *w = pthread_getspecific(workers->key);
    return w ? w : new_worker(workers);
}

bool plugin_workers_add_ring(struct plugin_workers *workers, struct plugin_worker *worker)
{
    if (!workers->feed || worker->ring)
        return true;
    if ((worker->ring = engine_feed_add_producer(workers->feed)))
        return true;
    fprintf(stderr, "exclave: a worker could not start: no ring to the engine (out of memory, "
                    "or %d threads)\n", ENGINE_FEED_PRODUCERS_MAX);
    return false;
}

void plugin_worker_push(struct plugin_worker *worker, const struct engine_lookup *lookup)
{
    if (!worker->ring)
        return;
    worker->counters.plugin_dns_lookups++;
    engine_feed_push(worker->ring, lookup);
}

void plugin_workers_flush(struct plugin_workers *workers)
{
    for (struct plugin_worker *w = workers->list; workers->file && w; w = w->next)
        json_out_flush(&w->out);
}

void plugin_workers_visit_counters(const struct plugin_workers *workers, counter_visit_fn visit,
                                   void *user)
{
    struct plugin_worker_counters sum = { 0 };
    uint64_t waits = 0, names_cut = 0, answers_cut = 0, geoip_lookups = 0, geoip_hits = 0,
             geoip_no_asn = 0, geoip_no_country = 0, geoip_errors = 0;
    for (const struct plugin_worker *w = workers->list; w; w = w->next) {
#define PLUGIN_WORKER_COUNTER_ADD(name, help) sum.name += w->counters.name;
        PLUGIN_WORKER_COUNTERS(PLUGIN_WORKER_COUNTER_ADD)
#undef PLUGIN_WORKER_COUNTER_ADD
        if (w->ring) {
            waits += w->ring->waits;
            names_cut += w->ring->names_cut;
            answers_cut += w->ring->answers_cut;
        }
        geoip_lookups += w->geoip.counters.lookups;
        geoip_hits += w->geoip.counters.cache_hits;
        geoip_no_asn += w->geoip.counters.no_asn;
        geoip_no_country += w->geoip.counters.no_country;
        geoip_errors += w->geoip.counters.lookup_errors;
    }
#define PLUGIN_WORKER_COUNTER_VISIT(name, help) visit(user, #name, sum.name);
    PLUGIN_WORKER_COUNTERS(PLUGIN_WORKER_COUNTER_VISIT)
#undef PLUGIN_WORKER_COUNTER_VISIT
    visit(user, "plugin_ring_waits", waits);
    visit(user, "plugin_names_cut", names_cut);
    visit(user, "plugin_answers_cut", answers_cut);
    visit(user, "geoip_lookups", geoip_lookups);
    visit(user, "geoip_cache_hits", geoip_hits);
    visit(user, "geoip_no_asn", geoip_no_asn);
    visit(user, "geoip_no_country", geoip_no_country);
    visit(user, "geoip_lookup_errors", geoip_errors);
}

void plugin_workers_free(struct plugin_workers *workers)
{
    for (struct plugin_worker *w = workers->list, *next; w; w = next) {
        next = w->next;
        geoip_close(&w->geoip);
        free(w);
    }
    workers->list = NULL;
    pthread_key_delete(workers->key);
    pthread_mutex_destroy(&workers->lock);
}
