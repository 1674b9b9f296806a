/* usage: the help texts of the exclave command and its subcommands. */
#ifndef EXCLAVE_CLI_USAGE_H
#define EXCLAVE_CLI_USAGE_H

#include <stdbool.h>

extern const char exclave_usage_text[];
extern const char exclave_merge_usage_text[];
extern const char exclave_dump_usage_text[];
extern const char exclave_report_usage_text[];

/* True (after printing text to standard output) when the arguments of a
 * subcommand ask for help: -h or --help anywhere among them. */
bool exclave_subcommand_help(int argc, char **argv, const char *text);

#endif
