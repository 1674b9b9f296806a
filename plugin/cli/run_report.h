/* run_report: the report subcommand; argv[0] is "report". Returns the exit
 * status. */
#ifndef EXCLAVE_CLI_RUN_REPORT_H
#define EXCLAVE_CLI_RUN_REPORT_H

int run_report(int argc, char **argv);

#endif
