/* state_file: the engine's aggregates on disk, so that a window of weeks
 * survives restarts and a month of captures can be read one file at a
 * time. A save writes a temporary file, syncs it and renames it over the
 * old one, so a crash at any moment leaves the previous save or the new
 * one, never a mix. The file carries a format version, the key layout's
 * size and a CRC-32; a file that is not exactly what this build writes is
 * refused with the reason, never half-read. It saves what the engine counts
 * (keys, their links, the ASN directory, the caching-slot memory and the
 * clock, and the keys it expired, kept for a later merge), not the
 * policies' Lua state or the run's counters. */
#ifndef EXCLAVE_STATE_FILE_H
#define EXCLAVE_STATE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

enum { STATE_FILE_VERSION = 4, STATE_INPUT_MAX = 1 << 30 };

/* What an input needs to go on exactly where the saved engine stopped (a
 * Redis position and the lookups a reorder buffer held): bytes this module
 * keeps and checks but does not read. Version 2 added it; a version 1 file
 * loads with none. */
struct state_input {
    uint8_t *bytes;
    size_t length;
};

/* Writes engine's state to path (through path.tmp). False with a message
 * naming the file. */
bool state_file_save(const struct engine *engine, const char *path, char *error,
                     size_t error_size);

/* The same, with input's bytes (NULL: none) saved beside the engine. */
bool state_file_save_resumable(const struct engine *engine, const char *path,
                               const struct state_input *input, char *error, size_t error_size);

/* Loads path into a freshly initialised engine. Returns 1 when loaded, 0
 * when the file does not exist (a first run), -1 with a message when it is
 * damaged, of another version or layout, or unreadable; the engine is then
 * untouched. */
int state_file_load(struct engine *engine, const char *path, char *error, size_t error_size);

/* The same, and the input's bytes into *input (malloc'ed; length 0 and
 * NULL when the file holds none). */
int state_file_load_resumable(struct engine *engine, const char *path, struct state_input *input,
                              char *error, size_t error_size);

/* --state as a run uses it: loaded at start when it exists, then saved
 * after the first tick of each day of packet time (as an engine tick hook)
 * and, by the caller, at the end. A failed save is reported to messages
 * and the run goes on: the previous save stays whole. */
struct state_autosave {
    const char *path;
    int64_t last_save_us;      /* packet time of the last save */
    FILE *messages;
    unsigned failures_told;    /* failed saves reported (then only counted) */
    uint64_t failures;         /* saves that failed */
};

/* Loads path (as state_file_load) and sets the engine's tick hook. Returns
 * state_file_load's result; on -1 nothing is set. */
int state_autosave_start(struct state_autosave *autosave, struct engine *engine, const char *path,
                         FILE *messages, char *error, size_t error_size);

/* True when a save could be written beside path (PATH.tmp), else false
 * with a message: checked at start, not a day of packet time later. */
bool state_file_directory_writable(const char *path, char *error, size_t error_size);

/* The number of keys a state file holds, from its header, to size the
 * engine that will load it. False with a message when it is not a state
 * file of this version. */
bool state_file_key_count(const char *path, uint32_t *keys, char *error, size_t error_size);

/* What a state file's header says (version 3 added the window and the
 * retired keys; an older file has neither: window_us 0). */
struct state_counts {
    uint32_t keys, retired;
    int64_t window_us;
};
bool state_file_counts(const char *path, struct state_counts *counts, char *error,
                       size_t error_size);

#endif
