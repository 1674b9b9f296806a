/* sensor_pool: the sequence number of a packet is the front's frame count.
 * Every ring is in sequence order; the consumer takes the lowest next item
 * of all rings, but only when no ring that is empty could still produce a
 * lower one: each producer says how far it is done (done_through, stored
 * with release after its items), and an idle worker is done with whatever
 * the front has dealt. A waiting thread sleeps briefly instead of spinning:
 * on a machine with fewer cores than threads the one it waits for needs
 * the core. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "capture/sensor_pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/hash.h"
#include "capture/packet_decoder.h"
#include "base/warning_limit.h"

enum {
    INPUT_RING_BYTES = 1 << 20,      /* a job holds at most one IP datagram (64 KiB) */
    OUTPUT_RING_BYTES = 4 << 20,     /* an item is one record, up to a few hundred KiB */
    FRONT_RING_BYTES = 1 << 18,      /* warnings only, and few of those (the limit) */
    WAIT_NS = 50 * 1000,
    TAG_WARNING = UINT32_MAX,        /* the pool's own items: a warning line */
};

/* A packet dealt to a worker; its payload follows. */
struct job {
    uint64_t sequence;
    int64_t time_us;
    uint64_t packet_number;
    const char *source_name;
    struct packet_view view;
};

/* What each output record starts with. */
struct item_header {
    uint64_t sequence;
    uint32_t tag;
    uint32_t kind;                   /* TAG_WARNING: enum sensor_warning_kind */
};

static void pause_briefly(void)
{
    const struct timespec pause = { .tv_sec = 0, .tv_nsec = WAIT_NS };
    nanosleep(&pause, NULL);
}

/* ---- the workers ----------------------------------------------------------- */

static void *emit_item(struct spsc_ring *ring, uint64_t sequence, uint32_t tag, uint32_t kind,
                       size_t length_max, _Atomic uint64_t *done_through, uint64_t *waits)
{
    if (length_max + sizeof(struct item_header) > spsc_ring_record_max(ring))
        return NULL;
    struct item_header *header;
    bool waited = false;
    while (!(header = spsc_ring_reserve(ring, sizeof *header + length_max))) {
        if (!waited) /* what came before this packet may go on */
            atomic_store_explicit(done_through, sequence - 1, memory_order_release);
        waited = true;
        pause_briefly();
    }
    *waits += waited;
    *header = (struct item_header){ .sequence = sequence, .tag = tag, .kind = kind };
    return header + 1;
}

void *sensor_pool_emit_begin(struct sensor_pool_worker *worker, uint32_t tag, size_t length_max)
{
    void *data = emit_item(&worker->output, worker->sequence, tag, 0, length_max,
                           &worker->done_through, &worker->output_waits);
    worker->emit_length_max = data ? length_max : 0;
    return data;
}

void sensor_pool_emit_end(struct sensor_pool_worker *worker, size_t length)
{
    if (length > worker->emit_length_max)
        length = worker->emit_length_max;
    spsc_ring_commit(&worker->output, sizeof(struct item_header) + length);
}

static void worker_event(void *user, const struct dns_event *event)
{
    struct sensor_pool_worker *worker = user;
    worker->pool->sink(worker->user, worker, event);
}

/* A warning line as an item of its packet's sequence. */
static void emit_warning(struct spsc_ring *ring, uint64_t sequence, enum sensor_warning_kind kind,
                         const char *line, _Atomic uint64_t *done_through, uint64_t *waits)
{
    size_t length = strlen(line);
    char *data = emit_item(ring, sequence, TAG_WARNING, kind, length, done_through, waits);
    if (!data)
        return;
    memcpy(data, line, length);
    spsc_ring_commit(ring, sizeof(struct item_header) + length);
}

static void worker_warning(void *user, enum sensor_warning_kind kind, const char *line)
{
    struct sensor_pool_worker *worker = user;
    emit_warning(&worker->output, worker->sequence, kind, line, &worker->done_through,
                 &worker->output_waits);
}

static void work_on(struct sensor_pool_worker *worker, const struct job *job)
{
    struct packet_view view = job->view;
    view.payload = (const uint8_t *)(job + 1);
    worker->sequence = job->sequence;
    worker->sensor.source_name = job->source_name;
    sensor_dns_packet(&worker->sensor, job->time_us, job->packet_number, &view);
    atomic_store_explicit(&worker->done_through, job->sequence, memory_order_release);
}

/* Idle: done with all the front has dealt, if nothing came meanwhile. */
static void idle(struct sensor_pool_worker *worker)
{
    uint64_t dealt = atomic_load_explicit(&worker->pool->dispatched, memory_order_acquire);
    if (spsc_ring_empty(&worker->input))
        atomic_store_explicit(&worker->done_through, dealt, memory_order_release);
    pause_briefly();
}

static void *work(void *user)
{
    struct sensor_pool_worker *worker = user;
    pthread_setname_np(pthread_self(), "exclave-worker");
    for (;;) {
        size_t length;
        const struct job *job = spsc_ring_peek(&worker->input, &length);
        if (job) {
            work_on(worker, job);
            spsc_ring_release(&worker->input);
        } else if (atomic_load_explicit(&worker->pool->input_done, memory_order_acquire) &&
                   spsc_ring_empty(&worker->input)) {
            break;
        } else {
            idle(worker);
        }
    }
    atomic_store_explicit(&worker->done_through, UINT64_MAX, memory_order_release);
    return NULL;
}

/* ---- the capture thread ---------------------------------------------------- */

static uint64_t frame_sequence(const struct sensor_pool *pool)
{
    return pool->front.counters.packets;
}

/* Address pair, either way round: a query and its response, all fragments
 * and segments of a flow, and a client's cookies meet in one worker. */
static unsigned worker_of(const struct sensor_pool *pool, const struct packet_view *view)
{
    uint64_t a = hash_bytes(view->src.bytes, sizeof view->src.bytes, view->src.family);
    uint64_t b = hash_bytes(view->dst.bytes, sizeof view->dst.bytes, view->dst.family);
    return (unsigned)(hash_mix(a ^ b) % pool->worker_count);
}

static void deal(void *user, const struct packet_view *view)
{
    struct sensor_pool *pool = user;
    uint64_t sequence = frame_sequence(pool);
    struct sensor_pool_worker *worker = &pool->workers[worker_of(pool, view)];
    size_t need = sizeof(struct job) + view->payload_length;
    if (need > spsc_ring_record_max(&worker->input)) {
        pool->jobs_too_large++;
        return;
    }
    struct job *job;
    bool waited = false;
    while (!(job = spsc_ring_reserve(&worker->input, need))) {
        if (!waited) /* the frames before this one are all dealt */
            atomic_store_explicit(&pool->dispatched, sequence - 1, memory_order_release);
        waited = true;
        pause_briefly();
    }
    pool->input_waits += waited;
    *job = (struct job){ .sequence = sequence, .time_us = pool->front.now_us,
                         .packet_number = pool->front.packet_number,
                         .source_name = pool->front.source_name, .view = *view };
    job->view.payload = NULL;
    memcpy(job + 1, view->payload, view->payload_length);
    spsc_ring_commit(&worker->input, need);
}

static void front_warning(void *user, enum sensor_warning_kind kind, const char *line)
{
    struct sensor_pool *pool = user;
    uint64_t waits = 0;
    emit_warning(&pool->front_output, frame_sequence(pool), kind, line, &pool->dispatched, &waits);
}

/* Between batches: every frame read so far is dealt; a pause asked for
 * holds the capture here. */
static void capture_between_batches(void *user)
{
    struct sensor_pool *pool = user;
    atomic_store_explicit(&pool->dispatched, frame_sequence(pool), memory_order_release);
    FILE *file = pool->source->live ? NULL : pcap_file(pool->source->handle);
    long position = file ? ftell(file) : -1;
    if (position > 0)
        atomic_store_explicit(&pool->input_position, (uint64_t)position, memory_order_relaxed);
    if (!atomic_load_explicit(&pool->pause_requested, memory_order_acquire))
        return;
    atomic_store_explicit(&pool->paused, true, memory_order_release);
    while (atomic_load_explicit(&pool->pause_requested, memory_order_acquire))
        pause_briefly();
    atomic_store_explicit(&pool->paused, false, memory_order_release);
}

static void *capture(void *user)
{
    struct sensor_pool *pool = user;
    pthread_setname_np(pthread_self(), "exclave-capture");
    pool->capture_ok = pcap_source_run(pool->source, &pool->front, pool->stop,
                                       capture_between_batches, pool, pool->capture_error,
                                       sizeof pool->capture_error);
    atomic_store_explicit(&pool->dispatched, frame_sequence(pool), memory_order_release);
    atomic_store_explicit(&pool->input_done, true, memory_order_release);
    return NULL;
}

/* ---- set up ------------------------------------------------------------------ */

static bool worker_init(struct sensor_pool_worker *worker, struct sensor_pool *pool,
                        const struct sensor_config *config, void *user)
{
    worker->pool = pool;
    worker->user = user;
    if (!sensor_init(&worker->sensor, config, worker_event, worker))
        return false;
    sensor_set_warning_hook(&worker->sensor, worker_warning, worker);
    return spsc_ring_init(&worker->input, INPUT_RING_BYTES) &&
           spsc_ring_init(&worker->output, OUTPUT_RING_BYTES);
}

bool sensor_pool_init(struct sensor_pool *pool, unsigned count, const struct sensor_config *config,
                      sensor_pool_sink_fn sink, void *const *users)
{
    memset(pool, 0, sizeof *pool);
    if (count < 1 || count > SENSOR_POOL_WORKERS_MAX)
        return false;
    pool->sink = sink;
    pool->warnings = stderr;
    pool->warnings_max = config->warnings_max;
    if (!(pool->workers = calloc(count, sizeof *pool->workers)) ||
        !sensor_init(&pool->front, config, NULL, NULL) ||
        !spsc_ring_init(&pool->front_output, FRONT_RING_BYTES)) {
        sensor_pool_free(pool);
        return false;
    }
    pool->worker_count = count;
    sensor_set_dispatch(&pool->front, deal, pool);
    sensor_set_warning_hook(&pool->front, front_warning, pool);
    for (unsigned i = 0; i < count; i++)
        if (!worker_init(&pool->workers[i], pool, config, users[i])) {
            sensor_pool_free(pool);
            return false;
        }
    return true;
}

/* Starts one thread; on failure the threads already started are told that
 * no job will come, so that they end. */
static bool start_thread(struct sensor_pool *pool, pthread_t *thread, void *(*run)(void *),
                         void *user, bool *started)
{
    int failed = pthread_create(thread, NULL, run, user);
    if (failed) {
        errno = failed;
        atomic_store(&pool->input_done, true);
        return false;
    }
    *started = true;
    return true;
}

bool sensor_pool_start(struct sensor_pool *pool, struct pcap_source *source,
                       volatile sig_atomic_t *stop)
{
    pool->source = source;
    pool->stop = stop;
    for (unsigned i = 0; i < pool->worker_count; i++) {
        struct sensor_pool_worker *worker = &pool->workers[i];
        if (!start_thread(pool, &worker->thread, work, worker, &worker->started))
            return false;
    }
    return start_thread(pool, &pool->capture, capture, pool, &pool->capture_started);
}

/* ---- the consumer --------------------------------------------------------------- */

/* How far a ring's producer is done: a worker's own word, the front's by
 * what it has dealt. */
static uint64_t done_through(struct sensor_pool *pool, unsigned ring)
{
    if (ring == 0)
        return atomic_load_explicit(&pool->dispatched, memory_order_acquire);
    return atomic_load_explicit(&pool->workers[ring - 1].done_through, memory_order_acquire);
}

/* Ring 0 is the front's, 1.. the workers': at one sequence the front's
 * warnings come first, as in one sensor. */
static struct spsc_ring *ring_of(struct sensor_pool *pool, unsigned ring)
{
    return ring == 0 ? &pool->front_output : &pool->workers[ring - 1].output;
}

/* The ring whose next item goes first, its header in *next; -1 when there
 * is none or an empty ring could still bring one that goes first (an item
 * before it, or at its sequence from a ring of lower index). An empty ring's
 * done_through is read before it is found empty again: what done_through
 * covers was in the ring when it was stored, so the ring brings nothing
 * up to it later. A ring that had an item is not asked again: its head
 * comes before anything it could still bring. */
static int next_ring(struct sensor_pool *pool, const struct item_header **next)
{
    bool empty[SENSOR_POOL_WORKERS_MAX + 1];
    int best = -1;
    for (unsigned r = 0; r <= pool->worker_count; r++) {
        size_t length;
        const struct item_header *header = spsc_ring_peek(ring_of(pool, r), &length);
        empty[r] = !header;
        if (header && (best < 0 || header->sequence < (*next)->sequence)) {
            best = (int)r;
            *next = header;
        }
    }
    if (best < 0)
        return -1;
    uint64_t sequence = (*next)->sequence;
    for (unsigned r = 0; r <= pool->worker_count; r++) {
        if (!empty[r])
            continue; /* its head was weighed */
        uint64_t done = done_through(pool, r);
        if (!spsc_ring_empty(ring_of(pool, r)))
            return -1; /* it has just brought one: weigh it next time */
        if (done < sequence - ((int)r > best))
            return -1;
    }
    return best;
}

static void print_warning(struct sensor_pool *pool, const struct item_header *header, size_t length)
{
    enum sensor_warning_kind kind = (enum sensor_warning_kind)header->kind;
    if (kind >= SENSOR_WARN_KINDS)
        return;
    if (warning_allowed(pool->warnings, &pool->warnings_given[kind], pool->warnings_max,
                        pool->front.source_name ? pool->front.source_name : "capture",
                        sensor_warnings_suppressed(kind)))
        fwrite(header + 1, 1, length - sizeof *header, pool->warnings);
}

size_t sensor_pool_drain(struct sensor_pool *pool, size_t max, sensor_pool_consume_fn consume,
                         void *user)
{
    size_t taken = 0;
    while (taken < max) {
        const struct item_header *header = NULL;
        int best = next_ring(pool, &header);
        if (best < 0)
            break;
        size_t length;
        spsc_ring_peek(ring_of(pool, (unsigned)best), &length);
        if (header->tag == TAG_WARNING)
            print_warning(pool, header, length);
        else
            consume(user, header->tag, header + 1, length - sizeof *header);
        spsc_ring_release(ring_of(pool, (unsigned)best));
        taken++;
    }
    return taken;
}

static bool all_rings_empty(struct sensor_pool *pool)
{
    for (unsigned r = 0; r <= pool->worker_count; r++)
        if (!spsc_ring_empty(ring_of(pool, r)))
            return false;
    return true;
}

bool sensor_pool_finished(struct sensor_pool *pool)
{
    if (!atomic_load_explicit(&pool->input_done, memory_order_acquire))
        return false;
    for (unsigned i = 0; i < pool->worker_count; i++)
        if (atomic_load_explicit(&pool->workers[i].done_through, memory_order_acquire) != UINT64_MAX)
            return false;
    return all_rings_empty(pool);
}

/* Every job taken and done, every item drained. */
static bool quiet(struct sensor_pool *pool)
{
    uint64_t dealt = atomic_load_explicit(&pool->dispatched, memory_order_acquire);
    for (unsigned i = 0; i < pool->worker_count; i++) {
        struct sensor_pool_worker *worker = &pool->workers[i];
        uint64_t done = atomic_load_explicit(&worker->done_through, memory_order_acquire);
        if (done < dealt || !spsc_ring_empty(&worker->input))
            return false;
    }
    return all_rings_empty(pool);
}

void sensor_pool_pause(struct sensor_pool *pool, sensor_pool_consume_fn consume, void *user)
{
    atomic_store_explicit(&pool->pause_requested, true, memory_order_release);
    for (;;) {
        bool held = atomic_load_explicit(&pool->paused, memory_order_acquire) ||
                    atomic_load_explicit(&pool->input_done, memory_order_acquire);
        if (held && quiet(pool))
            return;
        if (sensor_pool_drain(pool, SIZE_MAX, consume, user) == 0)
            pause_briefly();
    }
}

void sensor_pool_resume(struct sensor_pool *pool)
{
    atomic_store_explicit(&pool->pause_requested, false, memory_order_release);
}

bool sensor_pool_join(struct sensor_pool *pool, char *error, size_t error_size)
{
    atomic_store(&pool->pause_requested, false);
    if (pool->capture_started)
        pthread_join(pool->capture, NULL);
    pool->capture_started = false;
    atomic_store(&pool->input_done, true);
    for (unsigned i = 0; i < pool->worker_count; i++)
        if (pool->workers[i].started) {
            pthread_join(pool->workers[i].thread, NULL);
            pool->workers[i].started = false;
        }
    if (!pool->capture_ok)
        snprintf(error, error_size, "%s", pool->capture_error);
    return pool->capture_ok;
}

/* ---- counters -------------------------------------------------------------------- */

enum { COUNTERS_MAX = 128 };

struct counter_sum {
    char names[COUNTERS_MAX][48];  /* copied: a visitor may build a name on its stack */
    uint64_t values[COUNTERS_MAX];
    unsigned count, at;
};

static void add_counter(void *user, const char *name, uint64_t value)
{
    struct counter_sum *sum = user;
    if (sum->at >= COUNTERS_MAX)
        return;
    snprintf(sum->names[sum->at], sizeof sum->names[0], "%s", name);
    sum->values[sum->at++] += value;
    if (sum->at > sum->count)
        sum->count = sum->at;
}

void sensor_pool_visit_counters(const struct sensor_pool *pool, counter_visit_fn visit, void *user)
{
    _Static_assert(COUNTERS_MAX > 64, "room for every sensor counter");
    struct counter_sum sum = { .count = 0 };
    sensor_visit_counters(&pool->front, add_counter, &sum);
    for (unsigned i = 0; i < pool->worker_count; i++) {
        sum.at = 0;
        sensor_visit_counters(&pool->workers[i].sensor, add_counter, &sum);
    }
    for (unsigned i = 0; i < sum.count; i++)
        visit(user, sum.names[i], sum.values[i]);
    uint64_t output_waits = 0;
    for (unsigned i = 0; i < pool->worker_count; i++)
        output_waits += pool->workers[i].output_waits;
    visit(user, "threads_workers", pool->worker_count);
    visit(user, "threads_capture_waits", pool->input_waits);
    visit(user, "threads_worker_waits", output_waits);
    visit(user, "threads_packets_too_large", pool->jobs_too_large);
}

void sensor_pool_free(struct sensor_pool *pool)
{
    if (pool->workers) {
        for (unsigned i = 0; i < pool->worker_count; i++) {
            sensor_free(&pool->workers[i].sensor);
            spsc_ring_free(&pool->workers[i].input);
            spsc_ring_free(&pool->workers[i].output);
        }
        free(pool->workers);
        pool->workers = NULL;
    }
    sensor_free(&pool->front);
    spsc_ring_free(&pool->front_output);
}
