/* run_capture: the packet run mode (-r, -i). */
#ifndef EXCLAVE_CLI_RUN_CAPTURE_H
#define EXCLAVE_CLI_RUN_CAPTURE_H

#include "cli/run.h"

/* Reads the capture opened by run_open_source to its end or a signal.
 * Returns the exit status. */
int run_capture(struct exclave_run *run);

/* A reload is due: SIGHUP, or the databases' files were last checked
 * five seconds ago. run_reload does it: policies on SIGHUP, databases that
 * changed (all on SIGHUP), and says so. */
bool run_reload_due(const struct exclave_run *run);
void run_reload(struct exclave_run *run);

#endif
