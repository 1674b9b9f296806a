/* state_merge: `exclave merge` and `exclave dump-state`. Merging adds the
 * state files of several sensors into one, as if one sensor had seen all
 * their traffic: each key's counts add up and its sketches unite (exactly
 * for distinct counts; the per-ASN tally stays exact up to 8 ASNs), links
 * between keys are carried over by name, and the clocks take the latest.
 * Dumping prints a state's keys as JSON lines, to read or to compare. It
 * writes only the file or stream it is given. */
#ifndef EXCLAVE_STATE_MERGE_H
#define EXCLAVE_STATE_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Merges the state files inputs[0..count) into output. False with a message. */
bool state_merge_files(const char *const *inputs, size_t count, const char *output, char *error,
                       size_t error_size);

/* One JSON line per key of the state file, sorted by kind and name. */
bool state_dump_file(const char *path, FILE *out, char *error, size_t error_size);

#endif
