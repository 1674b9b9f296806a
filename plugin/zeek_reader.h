/* zeek_reader: reads Zeek dns.log records, TSV (fields found by name from
 * the #fields header, \xNN escapes decoded, vectors split on the set
 * separator) or JSON lines (epoch or ISO 8601 ts), plain or gzip, and turns
 * each into the engine's lookup. Lines that do not parse are counted and
 * reported with file:line; reading goes on. It writes no output. */
#ifndef EXCLAVE_ZEEK_READER_H
#define EXCLAVE_ZEEK_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <zlib.h>

#include "engine.h"

enum { ZEEK_LINE_MAX = 1 << 16, ZEEK_FIELDS_MAX = 128, ZEEK_ANSWERS_MAX = 64,
       ZEEK_WARNINGS_MAX = 10 };

enum zeek_column { ZEEK_TS, ZEEK_ORIG_H, ZEEK_RESP_H, ZEEK_QUERY, ZEEK_QTYPE, ZEEK_RCODE,
                   ZEEK_ANSWERS, ZEEK_TTLS, ZEEK_COLUMNS };

enum zeek_format { ZEEK_FORMAT_UNKNOWN, ZEEK_FORMAT_TSV, ZEEK_FORMAT_JSON };

struct zeek_reader_counters {
    uint64_t records;          /* lookups handed on */
    uint64_t bad_lines;        /* lines that did not parse (reported with file:line) */
};

struct zeek_reader {
    gzFile file;
    const char *path;
    uint64_t line_number;
    enum zeek_format format;
    char separator, set_separator;
    char empty_field[32], unset_field[32];
    int column[ZEEK_COLUMNS];  /* TSV: index of each field, -1 when absent */
    struct zeek_reader_counters counters;
    unsigned warnings_given;
    FILE *warnings;            /* NULL: silent */
    char line[ZEEK_LINE_MAX];
    char qname[ZEEK_LINE_MAX];
    struct ip_address answers[ZEEK_ANSWERS_MAX];
};

/* Opens path (plain or gzip); false with a message naming the file. */
bool zeek_reader_open(struct zeek_reader *reader, const char *path, FILE *warnings, char *error,
                      size_t error_size);
void zeek_reader_close(struct zeek_reader *reader);

/* The next record as a lookup (valid until the next call): 1, or 0 at the
 * end of the file, or -1 on a read error (truncated gzip...) with error set. */
int zeek_reader_next(struct zeek_reader *reader, struct engine_lookup *lookup, char *error,
                     size_t error_size);

#endif
