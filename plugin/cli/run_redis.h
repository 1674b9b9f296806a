/* run_redis: the Redis/Valkey run mode (--eve redis://HOST:PORT/KEY). */
#ifndef EXCLAVE_CLI_RUN_REDIS_H
#define EXCLAVE_CLI_RUN_REDIS_H

#include "cli/run.h"

/* Reads the key's entries until it holds no more (with --follow, until a
 * signal), with --state saving and acknowledging as it goes. Returns the
 * exit status. */
int run_redis(struct exclave_run *run);

#endif
