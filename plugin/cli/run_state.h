/* run_state: the state-file subcommands. Each takes the subcommand's own
 * argv (argv[0] is its name) and returns the exit status. */
#ifndef EXCLAVE_CLI_RUN_STATE_H
#define EXCLAVE_CLI_RUN_STATE_H

int run_merge(int argc, char **argv);
int run_dump(int argc, char **argv);

#endif
