/* sensor_pool: the sensor on several threads, with the results one thread
 * gives. A capture thread reads the frames, decodes their headers and
 * reassembles fragments (a front sensor), and deals each DNS packet to one
 * of N worker threads by its address pair, so that a query, its response,
 * a TCP stream and a client's cookies meet in one worker. Each worker runs
 * its own sensor from UDP/TCP on and hands what it makes of a packet to the
 * caller's sink, which emits items (a formatted record, a lookup) tagged
 * with the packet's sequence number. The consumer, the caller's own thread,
 * takes the items of all workers merged back into packet order, so that
 * logs, the engine and warnings see exactly what one sensor would have
 * made, in that order. Nothing is dropped: a full ring makes its producer
 * wait. It knows nothing of what the items mean, and no log or engine. */
#ifndef EXCLAVE_SENSOR_POOL_H
#define EXCLAVE_SENSOR_POOL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/spsc_ring.h"
#include "capture/pcap_source.h"
#include "capture/sensor.h"

enum { SENSOR_POOL_WORKERS_MAX = 64 };

struct sensor_pool;

/* One worker: its sensor, the jobs dealt to it and the items it made. */
struct sensor_pool_worker {
    struct sensor_pool *pool;
    pthread_t thread;
    bool started;
    struct sensor sensor;
    struct spsc_ring input;               /* jobs: packets dealt to this worker */
    struct spsc_ring output;              /* items, in sequence order */
    _Atomic uint64_t done_through;        /* every item of sequences up to this is in output */
    uint64_t sequence;                    /* of the packet being worked on */
    size_t emit_length_max;               /* of the open emit */
    void *user;                           /* the caller's, for its sink */
    uint64_t output_waits;                /* times output was full */
};

/* The caller's sink: runs in the worker's thread, emits what it makes of
 * the event. */
typedef void (*sensor_pool_sink_fn)(void *user, struct sensor_pool_worker *worker,
                                    const struct dns_event *event);

/* The consumer's: one item, in packet order. tag is the emitter's. */
typedef void (*sensor_pool_consume_fn)(void *user, uint32_t tag, const void *data, size_t length);

struct sensor_pool {
    unsigned worker_count;
    struct sensor_pool_worker *workers;
    struct sensor front;                  /* the capture thread's: frames to packets */
    struct spsc_ring front_output;        /* its warnings, as items */
    _Atomic uint64_t dispatched;          /* the front is done with every frame up to this */
    _Atomic bool input_done;              /* the capture ended; no job comes after */
    _Atomic bool pause_requested, paused;
    sensor_pool_sink_fn sink;
    FILE *warnings;                       /* where warning lines go, in order */
    unsigned warnings_given[SENSOR_WARN_KINDS];
    unsigned warnings_max;
    uint64_t input_waits;                 /* front: times a worker's jobs were full */
    uint64_t jobs_too_large;              /* front: packets no job could hold (none expected) */
    /* the capture thread */
    pthread_t capture;
    bool capture_started;
    struct pcap_source *source;
    volatile sig_atomic_t *stop;
    _Atomic uint64_t input_position;      /* bytes of the file read, for progress */
    bool capture_ok;
    char capture_error[512];
};

/* Sets up count workers (1 to SENSOR_POOL_WORKERS_MAX), each with a sensor of
 * config whose events go to sink with users[i]. False when out of memory. */
bool sensor_pool_init(struct sensor_pool *pool, unsigned count, const struct sensor_config *config,
                      sensor_pool_sink_fn sink, void *const *users);

/* Starts the workers and the capture thread, which runs source until it
 * ends, fails or *stop is set. False (errno) when a thread cannot start. */
bool sensor_pool_start(struct sensor_pool *pool, struct pcap_source *source,
                       volatile sig_atomic_t *stop);

/* In a sink: an item of up to length_max bytes to fill, then emit_end with
 * its real length. NULL (nothing to end) for an item over what a ring can
 * hold. */
void *sensor_pool_emit_begin(struct sensor_pool_worker *worker, uint32_t tag, size_t length_max);
void sensor_pool_emit_end(struct sensor_pool_worker *worker, size_t length);

/* Consumer: hands on up to max items that are next in packet order; how
 * many. 0 when it has to wait for a worker. */
size_t sensor_pool_drain(struct sensor_pool *pool, size_t max, sensor_pool_consume_fn consume,
                         void *user);

/* Consumer: true once the capture has ended and every item was drained. */
bool sensor_pool_finished(struct sensor_pool *pool);

/* Consumer: stops the capture between two batches and drains every item
 * of what was dealt, so that the workers are idle (they touch nothing of
 * the caller's until resume): for what needs one consistent view (a stats
 * record) or changes what the workers read (a database reload). */
void sensor_pool_pause(struct sensor_pool *pool, sensor_pool_consume_fn consume, void *user);
void sensor_pool_resume(struct sensor_pool *pool);

/* After finished: joins the threads; the capture's result, with its error. */
bool sensor_pool_join(struct sensor_pool *pool, char *error, size_t error_size);

/* The counters of all the sensors added up (only while paused, or after
 * join), and the pool's own. */
void sensor_pool_visit_counters(const struct sensor_pool *pool, counter_visit_fn visit, void *user);

void sensor_pool_free(struct sensor_pool *pool);

#endif
