/* run_logs: the log run mode (--zeek, --eve). */
#ifndef EXCLAVE_CLI_RUN_LOGS_H
#define EXCLAVE_CLI_RUN_LOGS_H

#include "cli/run.h"

/* Reads the Zeek logs in order, or the EVE log, to their end (with
 * --follow, until a signal). Returns the exit status. */
int run_logs(struct exclave_run *run);

/* The steps run_redis shares with it. */
void run_logs_reload_if_asked(struct exclave_run *run);          /* SIGHUP: the policies */
void run_logs_start_reorder(struct exclave_run *run);            /* as the options say */
void run_logs_observe(void *user, const struct engine_lookup *lookup); /* a reorder sink */
/* --follow: what the reorder buffer holds goes to the engine after 10 s
 * without a new record, so a quiet log is evaluated too. */
void run_logs_drain_if_quiet(struct exclave_run *run);
/* The EVE record just read (run->eve), with its lookup or NULL: into the
 * engine and out again enriched. */
void run_logs_pass_eve_record(struct exclave_run *run, const struct engine_lookup *lookup);

#endif
