/* run_capture: the packet run mode (-r, -i). */
#ifndef EXCLAVE_CLI_RUN_CAPTURE_H
#define EXCLAVE_CLI_RUN_CAPTURE_H

#include "cli/run.h"

/* Reads the capture opened by run_open_source to its end or a signal.
 * Returns the exit status. */
int run_capture(struct exclave_run *run);

#endif
