/* eve_reader: reads EVE JSON lines (Suricata's eve.json, or standard input),
 * plain or gzip, one record at a time: each parsed, and each dns record
 * (version 2 or 3) turned into the engine's lookup. A line that is not a
 * JSON object, or a dns record without a time or client, is counted and
 * reported with file:line; reading goes on. It writes no output. */
#ifndef EXCLAVE_EVE_READER_H
#define EXCLAVE_EVE_READER_H

#include <stdarg.h>
#include <stdio.h>

#include "eve/eve_lookup.h"
#include "base/line_reader.h"

enum { EVE_WARNINGS_MAX = 10 };

struct eve_reader_counters {
    uint64_t records;          /* records read (and handed on) */
    uint64_t dns_lookups;      /* dns records that became lookups */
    uint64_t bad_lines;        /* lines that are not one JSON object (dropped) */
    uint64_t dns_unusable;     /* dns records without a time or client (passed on) */
};

struct eve_reader {
    struct line_reader lines;
    const char *text;          /* the text of the last record read: a line, or an entry */
    const char *origin;        /* names that entry in warnings; NULL: the file and line */
    struct eve_reader_counters counters;
    unsigned warnings_given;
    FILE *warnings;            /* NULL: silent */
    struct eve_record record;  /* the last record read, spans into text */
    size_t record_length;
    struct eve_lookup_scratch scratch;
};

bool eve_reader_open(struct eve_reader *reader, const char *path, bool follow, FILE *warnings,
                     char *error, size_t error_size);
void eve_reader_close(struct eve_reader *reader);

/* The next record in reader->record (its text is reader->lines.line): 1,
 * with *has_lookup telling whether lookup was filled; 0 at the end (with
 * follow: nothing complete yet); -1 on a read error with error set. */
int eve_reader_next(struct eve_reader *reader, struct engine_lookup *lookup, bool *has_lookup,
                    char *error, size_t error_size);

/* A warning about the record last read, named by its file and line or by
 * its origin, within the limit of max (line_reader_warn's rule). */
void eve_reader_warn(const struct eve_reader *reader, FILE *out, unsigned *given, unsigned max,
                     const char *suppressed, const char *format, va_list args);

/* A reader of records that come one by one from elsewhere (a Redis entry),
 * not from a file: counters zeroed, no file. */
void eve_reader_start_entries(struct eve_reader *reader, FILE *warnings);

/* One record's text (it must stay put until the next call): 1 as
 * eve_reader_next, 0 when it was dropped (counted and reported, naming
 * origin). A trailing newline is allowed. */
int eve_reader_take(struct eve_reader *reader, const char *text, size_t length, const char *origin,
                    struct engine_lookup *lookup, bool *has_lookup);

#endif
