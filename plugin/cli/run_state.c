/* run_state: `exclave merge` and `exclave dump-state`, the subcommands that
 * work on --state files alone: no capture, no databases, no policies. */
#include "cli/run_state.h"

#include <stdio.h>
#include <string.h>

#include "cli/usage.h"
#include "engine/state_file.h"
#include "engine/state_merge.h"

enum { ERROR_SIZE = 1024, MERGE_INPUTS_MAX = 64 };

/* exclave merge A B... -o OUT: two sensors' --state files as one. */
int run_merge(int argc, char **argv)
{
    const char *output = NULL, *inputs[MERGE_INPUTS_MAX];
    size_t count = 0;
    if (exclave_subcommand_help(argc, argv, exclave_merge_usage_text))
        return 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            output = argv[++i];
        else if (count < MERGE_INPUTS_MAX && argv[i][0] != '-')
            inputs[count++] = argv[i];
        else {
            fprintf(stderr, "exclave merge: unexpected '%s'; try 'exclave merge --help'\n", argv[i]);
            return 2;
        }
    }
    if (!output || count < 2) {
        fprintf(stderr, "exclave merge: give two or more state files and -o OUTPUT\n");
        return 2;
    }
    char error[ERROR_SIZE];
    if (!state_merge_files(inputs, count, output, error, sizeof error)) {
        fprintf(stderr, "exclave merge: %s\n", error);
        return 1;
    }
    return 0;
}

/* exclave dump-state FILE: its keys as JSON lines. */
int run_dump(int argc, char **argv)
{
    if (exclave_subcommand_help(argc, argv, exclave_dump_usage_text))
        return 0;
    if (argc != 2) {
        fprintf(stderr, "exclave dump-state: give one state file; try 'exclave dump-state --help'\n");
        return 2;
    }
    char error[ERROR_SIZE];
    if (!state_dump_file(argv[1], stdout, error, sizeof error)) {
        fprintf(stderr, "exclave dump-state: %s\n", error);
        return 1;
    }
    return 0;
}
