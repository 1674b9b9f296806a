/* run_counters: every counter of a run (its input, outputs, databases,
 * engine and policies) by name, for --stats and the exclave_stats records
 * of --log stats. It keeps no counters of its own. */
#ifndef EXCLAVE_CLI_RUN_COUNTERS_H
#define EXCLAVE_CLI_RUN_COUNTERS_H

#include "base/counter_visit.h"
#include "cli/run.h"

void run_visit_counters(const struct exclave_run *run, counter_visit_fn visit, void *user);

#endif
