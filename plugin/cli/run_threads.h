/* run_threads: `exclave -r`/`-i` with --threads N: the capture on a
 * sensor_pool. Its workers format the EVE records and build the engine's
 * lookups; this thread writes those records and runs the engine on the
 * lookups in packet order, so the logs, alerts and counters are those of
 * one thread. Runs that it does not cover (Zeek's dns.log, passive DNS)
 * stay on one thread: run_threads_usable says which. */
#ifndef EXCLAVE_CLI_RUN_THREADS_H
#define EXCLAVE_CLI_RUN_THREADS_H

#include <stdbool.h>

#include "base/counter_visit.h"
#include "cli/run.h"

/* How many workers this run gets: --threads, else the cores available;
 * 1 (today's one thread) where the run's outputs need one. Says so once
 * when --threads asked for more. */
unsigned run_threads_wanted(const struct exclave_run *run);

/* Like run_capture, on threads workers (2 or more). */
int run_capture_threads(struct exclave_run *run, unsigned threads);

/* The workers' share of the run's counters (GeoIP lookups, records lost),
 * for run_counters. Zeros when there are none. */
void run_threads_visit_sensor(const struct exclave_run *run, counter_visit_fn visit, void *user);
void run_threads_geoip_counters(const struct exclave_run *run, struct geoip_counters *sum);
uint64_t run_threads_records_lost(const struct exclave_run *run);

#endif
