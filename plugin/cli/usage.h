/* usage: the help text of the exclave command. */
#ifndef EXCLAVE_CLI_USAGE_H
#define EXCLAVE_CLI_USAGE_H

extern const char exclave_usage_text[];

#endif
