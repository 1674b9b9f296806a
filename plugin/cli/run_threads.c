/* run_threads: one event item per DNS message: the engine's lookup (its
 * name and answers copied in), the formatted record (EVE, or a dns.log
 * line for a response) and, with --log pdns, the response itself for the
 * passive-DNS table, which this thread keeps. What needs the workers to hold
 * still (a stats record, a database reload) pauses the pool for its
 * moment. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "cli/run_threads.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/sensor_pool.h"
#include "cli/run_capture.h"
#include "zeek/zeek_dns_record.h"

enum { ITEM_EVENT = 1, DRAIN_BATCH = 4096 };

/* A worker's own: its view of the databases and its record writers. */
struct run_thread_worker {
    struct exclave_run *run;
    struct geoip geoip;
    struct json_out out;       /* collects one record at a time */
    struct eve_writer writer;
    struct zeek_dns_writer zeek;           /* --format zeek: the run's, writing to out */
    struct zeek_dns_record *zeek_record;
    struct zeek_dns_scratch zeek_scratch;
};

/* An event item: the lookup, then its answers, its name, the record, and
 * (passive DNS) the event and the message up to its arena's end. */
struct event_item {
    struct engine_lookup lookup;   /* pointers set by the consumer */
    uint32_t record_length;
    uint32_t message_length;
    uint16_t answer_count;
    bool has_lookup;
};

/* The part of a message that holds something: all but the arena's unused
 * end (its texts are offsets into the arena). */
static size_t message_size(const struct dns_message *m)
{
    return offsetof(struct dns_message, arena) + m->arena_used;
}

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
    return wanted;
}

/* ---- in the workers ----------------------------------------------------------- */

/* The message's record in w->out: EVE, or dns.log's line for a response. */
static void format_record(struct run_thread_worker *w, const struct dns_event *event)
{
    struct exclave_run *run = w->run;
    w->out.used = 0;
    w->out.records_buffered = 0;
    uint64_t errors = w->out.write_errors;
    if (!run->log_dns) {
        return;
    } else if (!run->dns_log) {
        eve_writer_dns(&w->writer, event);
    } else if (event->is_response) {
        zeek_dns_record_from_event(w->zeek_record, &w->zeek_scratch, event);
        zeek_dns_writer_write(&w->zeek, w->zeek_record);
    }
    if (w->out.write_errors != errors) { /* a record over the buffer: its start is gone */
        w->out.records_lost += w->out.records_buffered == 0;
        w->out.used = 0;
    }
}

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
    format_record(w, event);
    item.record_length = (uint32_t)w->out.used;
    if (run->pdns_on && event->is_response)
        item.message_length = (uint32_t)message_size(event->message);
    size_t names = item.has_lookup ? item.lookup.qname_length : 0;
    size_t answer_bytes = item.answer_count * sizeof answers[0];
    size_t length = sizeof item + answer_bytes + names + item.record_length +
                    (item.message_length ? sizeof *event + item.message_length : 0);
    if (length == sizeof item)
        return; /* nothing to log, no engine */
    uint8_t *data = sensor_pool_emit_begin(worker, ITEM_EVENT, length);
    if (!data) {
        w->out.records_lost++;
        return;
    }
    size_t at = 0;
    memcpy(data, &item, sizeof item);
    memcpy(data + (at += sizeof item), answers, answer_bytes);
    if (names)
        memcpy(data + at + answer_bytes, item.lookup.qname, names);
    memcpy(data + (at += answer_bytes + names), w->out.buffer, item.record_length);
    if (item.message_length) {
        memcpy(data + (at += item.record_length), event, sizeof *event);
        memcpy(data + at + sizeof *event, event->message, item.message_length);
    }
    sensor_pool_emit_end(worker, length);
}

/* ---- in this thread ---------------------------------------------------------------- */

/* The record, written as this thread would have; counted as its writer does. */
static void write_record(struct exclave_run *run, const char *record, size_t length)
{
    if (run->dns_log) {
        json_out_append_record(run->dns_log->log.out, record, length);
        run->dns_log->log.records++;
    } else if (run->out) {
        json_out_append_record(run->out, record, length);
    }
}

/* The response again, for passive DNS: the event, pointing at its message. */
static void observe_pdns(struct exclave_run *run, const uint8_t *at, size_t message_length)
{
    struct dns_event event;
    memcpy(&event, at, sizeof event);
    memcpy(run->pdns_message, at + sizeof event, message_length);
    event.message = run->pdns_message;
    event.encap = NULL; /* passive DNS keeps no tunnel */
    pdns_table_observe(&run->pdns, &event);
}

static void consume_event(void *user, uint32_t tag, const void *data, size_t length)
{
    struct exclave_run *run = user;
    struct event_item item;
    if (tag != ITEM_EVENT || length < sizeof item)
        return;
    memcpy(&item, data, sizeof item);
    const uint8_t *at = (const uint8_t *)data + sizeof item;
    const struct ip_address *answers = (const struct ip_address *)at;
    const char *name = (const char *)(at + item.answer_count * sizeof answers[0]);
    size_t names = item.has_lookup ? item.lookup.qname_length : 0;
    const char *record = name + names;
    if (item.record_length)
        write_record(run, record, item.record_length);
    if (item.message_length)
        observe_pdns(run, (const uint8_t *)record + item.record_length, item.message_length);
    if (item.has_lookup) {
        item.lookup.qname = name;
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

static bool start_workers(struct exclave_run *run, unsigned workers)
{
    if (!(run->pool = calloc(1, sizeof *run->pool)) ||
        !(run->thread_workers = calloc(workers, sizeof *run->thread_workers)))
        return false;
    run->thread_worker_count = workers;
    void *users[SENSOR_POOL_WORKERS_MAX];
    for (unsigned i = 0; i < workers; i++) {
        struct run_thread_worker *w = &run->thread_workers[i];
        w->run = run;
        geoip_open_view(&w->geoip, &run->geoip);
        json_out_init(&w->out, NULL);
        w->writer = run->writer;
        w->writer.out = &w->out;
        w->writer.geoip = run->writer.geoip ? &w->geoip : NULL;
        if (run->dns_log) {
            w->zeek = *run->dns_log; /* its columns and format; its lines into out */
            w->zeek.log.out = &w->out;
            w->zeek.log.file = NULL;
            w->zeek.geoip = run->dns_log->geoip ? &w->geoip : NULL;
            if (!(w->zeek_record = calloc(1, sizeof *w->zeek_record)))
                return false;
        }
        users[i] = w;
    }
    if (run->pdns_on && !(run->pdns_message = malloc(sizeof *run->pdns_message)))
        return false;
    if (!sensor_pool_init(run->pool, workers, &run->options.sensor, emit_event, users))
        return false;
    return true;
}

int run_capture_threads(struct exclave_run *run, unsigned workers)
{
    char error[ERROR_SIZE];
    if (!start_workers(run, workers)) {
        fprintf(stderr, "exclave: out of memory setting up %u workers\n", workers);
        return 1;
    }
    run_start_progress(run, run->options.read_file, "packets");
    run->last_reload_check = time(NULL);
    if (!sensor_pool_start(run->pool, &run->source, &exclave_signals.stop)) {
        fprintf(stderr, "exclave: cannot start %u workers: %s\n", workers, strerror(errno));
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

void run_threads_free(struct exclave_run *run)
{
    for (unsigned i = 0; run->thread_workers && i < run->thread_worker_count; i++)
        free(run->thread_workers[i].zeek_record);
    free(run->thread_workers);
    run->thread_workers = NULL;
}

uint64_t run_threads_records_lost(const struct exclave_run *run)
{
    uint64_t lost = 0;
    for (unsigned i = 0; run->pool && i < run->pool->worker_count; i++)
        lost += run->thread_workers[i].out.records_lost;
    return lost;
}
