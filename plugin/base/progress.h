/* progress: a one-line account of a long run on a terminal's standard
 * error, rewritten in place at most once a second: what was read, how fast,
 * how far through the input, and the alerts so far. Nothing at all when
 * standard error is not a terminal or with --quiet. It only prints. */
#ifndef EXCLAVE_PROGRESS_H
#define EXCLAVE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct progress {
    FILE *out;                 /* NULL: disabled */
    const char *unit;          /* "packets", "records" */
    int64_t start_ms, last_ms;
    bool shown;                /* a line is on the terminal */
};

/* Enabled when out is a terminal and not quiet. */
void progress_init(struct progress *progress, FILE *out, bool quiet, const char *unit);

/* count items read, bytes of total_bytes (0: unknown), alerts so far. */
void progress_update(struct progress *progress, uint64_t count, uint64_t bytes,
                     uint64_t total_bytes, uint64_t alerts);

/* Clears the line, so that what follows starts at the left margin. */
void progress_end(struct progress *progress);

#endif
