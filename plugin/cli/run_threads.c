/* run_threads: one event item per DNS message: the engine's lookup (its
 * name and answers copied in) and the formatted EVE record. What needs the
 * workers to hold still (a stats record, a database reload) pauses the
 * pool for its moment. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "cli/run_threads.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/sensor_pool.h"
#include "cli/run_capture.h"

enum { ITEM_EVENT = 1, DRAIN_BATCH = 4096 };

/* A worker's own: its view of the databases and its record writer. */
struct run_thread_worker {
    struct exclave_run *run;
    struct geoip geoip;
    struct json_out out;       /* collects one record at a time */
    struct eve_writer writer;
};

/* An event item: the lookup, then its answers, its name and the record. */
struct event_item {
    struct engine_lookup lookup;   /* pointers set by the consumer */
    uint32_t record_length;
    uint16_t answer_count;
    bool has_lookup;
};

unsigned run_threads_wanted(const struct exclave_run *run)
{
    const struct exclave_options *o = &run->options;
    unsigned wanted = o->threads;
    if (wanted == 0) {
        cpu_set_t cpus;
        wanted = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? (unsigned)CPU_COUNT(&cpus) : 1;
    }
    if (wanted > SENSOR_POOL_WORKERS_MAX)
        wanted = SENSOR_POOL_WORKERS_MAX;
    const char *needs_one = run->dns_log ? "--format zeek" : run->pdns_on ? "--log pdns" : NULL;
    if (wanted > 1 && needs_one) {
        if (o->threads > 1)
            fprintf(stderr, "exclave: --threads %u: %s is written by one thread; running on one\n",
                    o->threads, needs_one);
        wanted = 1;
    }
    return wanted;
}

/* ---- in the workers ----------------------------------------------------------- */

static void emit_event(void *user, struct sensor_pool_worker *worker, const struct dns_event *event)
{
    struct run_thread_worker *w = user;
    struct exclave_run *run = w->run;
    struct event_item item = { .has_lookup = run->engine_ready };
    struct ip_address answers[DNS_MAX_RECORDS];
    if (item.has_lookup) {
        engine_lookup_from_dns_event(event, &item.lookup, answers);
        item.answer_count = (uint16_t)item.lookup.answer_count;
    }
    w->out.used = 0;
    w->out.records_buffered = 0;
    uint64_t errors = w->out.write_errors;
    if (run->log_dns)
        eve_writer_dns(&w->writer, event);
    if (w->out.write_errors != errors) { /* a record over the buffer: its start is gone */
        w->out.records_lost += w->out.records_buffered == 0;
        w->out.used = 0;
    }
    item.record_length = (uint32_t)w->out.used;
    size_t names = item.has_lookup ? item.lookup.qname_length : 0;
    size_t length = sizeof item + item.answer_count * sizeof answers[0] + names + item.record_length;
    if (length == sizeof item)
        return; /* nothing to log, no engine */
    uint8_t *data = sensor_pool_emit_begin(worker, ITEM_EVENT, length);
    if (!data) {
        w->out.records_lost++;
        return;
    }
    memcpy(data, &item, sizeof item);
    uint8_t *at = data + sizeof item;
    memcpy(at, answers, item.answer_count * sizeof answers[0]);
    at += item.answer_count * sizeof answers[0];
    if (names)
        memcpy(at, item.lookup.qname, names);
    memcpy(at + names, w->out.buffer, item.record_length);
    sensor_pool_emit_end(worker, length);
}

/* ---- in this thread ---------------------------------------------------------------- */

static void consume_event(void *user, uint32_t tag, const void *data, size_t length)
{
    struct exclave_run *run = user;
    struct event_item item;
    if (tag != ITEM_EVENT || length < sizeof item)
        return;
    memcpy(&item, data, sizeof item);
    const uint8_t *at = (const uint8_t *)data + sizeof item;
    const struct ip_address *answers = (const struct ip_address *)at;
    at += item.answer_count * sizeof answers[0];
    size_t names = item.has_lookup ? item.lookup.qname_length : 0;
    if (item.record_length && run->out)
        json_out_append_record(run->out, (const char *)at + names, item.record_length);
    if (item.has_lookup) {
        item.lookup.qname = (const char *)at;
        item.lookup.answers = item.answer_count ? answers : NULL;
        engine_observe(&run->engine, &item.lookup);
    }
}

/* The workers' views look at the databases again, which a reload may have
 * reopened; while the pool is paused. */
static void renew_views(struct exclave_run *run)
{
    for (unsigned i = 0; i < run->pool->worker_count; i++) {
        struct run_thread_worker *w = &run->thread_workers[i];
        struct geoip_counters counters = w->geoip.counters;
        geoip_open_view(&w->geoip, &run->geoip);
        w->geoip.counters = counters;
    }
}

/* What between_batches does on one thread, from the consumer's side. */
static void consumer_duties(struct exclave_run *run)
{
    struct sensor_pool *pool = run->pool;
    run_show_progress(run, atomic_load(&pool->dispatched), atomic_load(&pool->input_position));
    if (run->source.live)
        run_flush_logs(run);
    run_check_output(run);
    run_check_counting(run);
    bool reload = run_reload_due(run);
    if (!run_stats_due(run) && !reload)
        return;
    sensor_pool_pause(pool, consume_event, run);
    run_write_stats_when_due(run, false);
    if (reload) {
        run_reload(run);
        renew_views(run);
    }
    sensor_pool_resume(pool);
}

static void consume_until_finished(struct exclave_run *run)
{
    const struct timespec pause = { .tv_sec = 0, .tv_nsec = 100 * 1000 };
    struct timespec last = { 0 }, now;
    while (!sensor_pool_finished(run->pool)) {
        size_t taken = sensor_pool_drain(run->pool, DRAIN_BATCH, consume_event, run);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - last.tv_sec) * 1000000000L + (now.tv_nsec - last.tv_nsec) > 50000000L) {
            consumer_duties(run);
            last = now;
        }
        if (taken == 0)
            nanosleep(&pause, NULL);
    }
}

static bool start_workers(struct exclave_run *run, unsigned threads)
{
    if (!(run->pool = calloc(1, sizeof *run->pool)) ||
        !(run->thread_workers = calloc(threads, sizeof *run->thread_workers)))
        return false;
    void *users[SENSOR_POOL_WORKERS_MAX];
    for (unsigned i = 0; i < threads; i++) {
        struct run_thread_worker *w = &run->thread_workers[i];
        w->run = run;
        geoip_open_view(&w->geoip, &run->geoip);
        json_out_init(&w->out, NULL);
        w->writer = run->writer;
        w->writer.out = &w->out;
        w->writer.geoip = run->writer.geoip ? &w->geoip : NULL;
        users[i] = w;
    }
    if (!sensor_pool_init(run->pool, threads, &run->options.sensor, emit_event, users))
        return false;
    return true;
}

int run_capture_threads(struct exclave_run *run, unsigned threads)
{
    char error[ERROR_SIZE];
    if (!start_workers(run, threads)) {
        fprintf(stderr, "exclave: out of memory setting up %u workers\n", threads);
        return 1;
    }
    run_start_progress(run, run->options.read_file, "packets");
    run->last_reload_check = time(NULL);
    if (!sensor_pool_start(run->pool, &run->source, &exclave_signals.stop)) {
        fprintf(stderr, "exclave: cannot start %u workers: %s\n", threads, strerror(errno));
        sensor_pool_join(run->pool, error, sizeof error);
        return 1;
    }
    consume_until_finished(run);
    bool ok = sensor_pool_join(run->pool, error, sizeof error);
    if (!ok)
        fprintf(stderr, "exclave: %s\n", error);
    ok = run_finish(run, ok);
    return ok ? 0 : 1;
}

/* ---- counters ------------------------------------------------------------------- */

void run_threads_visit_sensor(const struct exclave_run *run, counter_visit_fn visit, void *user)
{
    sensor_pool_visit_counters(run->pool, visit, user);
}

void run_threads_geoip_counters(const struct exclave_run *run, struct geoip_counters *sum)
{
    *sum = run->geoip.counters;
    for (unsigned i = 0; run->pool && i < run->pool->worker_count; i++) {
        const struct geoip_counters *c = &run->thread_workers[i].geoip.counters;
        sum->lookups += c->lookups;
        sum->cache_hits += c->cache_hits;
        sum->lookup_errors += c->lookup_errors;
        sum->no_asn += c->no_asn;
        sum->no_country += c->no_country;
    }
}

uint64_t run_threads_records_lost(const struct exclave_run *run)
{
    uint64_t lost = 0;
    for (unsigned i = 0; run->pool && i < run->pool->worker_count; i++)
        lost += run->thread_workers[i].out.records_lost;
    return lost;
}
