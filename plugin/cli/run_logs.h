/* run_logs: the log run mode (--zeek, --eve). */
#ifndef EXCLAVE_CLI_RUN_LOGS_H
#define EXCLAVE_CLI_RUN_LOGS_H

#include "cli/run.h"

/* Reads the Zeek logs in order, or the EVE log, to their end (with
 * --follow, until a signal). Returns the exit status. */
int run_logs(struct exclave_run *run);

#endif
