/* run_threads: `exclave -r`/`-i` with --threads N: the capture on a
 * sensor_pool. Its workers format the records (EVE or dns.log) and build
 * the engine's lookups; this thread writes those records, keeps the
 * passive-DNS table and runs the engine, in packet order, so the logs,
 * alerts and counters are those of one thread. */
#ifndef EXCLAVE_CLI_RUN_THREADS_H
#define EXCLAVE_CLI_RUN_THREADS_H

#include <stdbool.h>

#include "base/counter_visit.h"
#include "cli/run.h"

/* How many threads this run gets: --threads, else the cores available
 * (1: everything on this thread; N: N - 1 workers beside the capture
 * thread and this one). */
unsigned run_threads_wanted(const struct exclave_run *run);

/* Like run_capture, on that many workers (1 or more). */
int run_capture_threads(struct exclave_run *run, unsigned workers);

/* The workers' share of the run's counters (GeoIP lookups, records lost),
 * for run_counters. Zeros when there are none. */
void run_threads_visit_sensor(const struct exclave_run *run, counter_visit_fn visit, void *user);
void run_threads_geoip_counters(const struct exclave_run *run, struct geoip_counters *sum);
uint64_t run_threads_records_lost(const struct exclave_run *run);

/* What run_capture_threads allocated for its workers. */
void run_threads_free(struct exclave_run *run);

#endif
