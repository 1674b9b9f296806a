/* run_check: `--check`, for a detection team's CI of its own policies: the
 * run writes no log, and at its end each policy's errors and alerts are
 * listed and the exit status says whether every policy ran without error.
 * It runs nothing itself. */
#ifndef EXCLAVE_CLI_RUN_CHECK_H
#define EXCLAVE_CLI_RUN_CHECK_H

#include <stdbool.h>

#include "cli/run.h"

/* Prints "exclave: check: policy NAME: ..." per loaded policy to stderr;
 * false when any of them had an error. Call before the policies close. */
bool run_check_policies(const struct exclave_run *run);

#endif
