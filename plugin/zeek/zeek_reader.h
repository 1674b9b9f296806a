/* zeek_reader: reads Zeek dns.log records, TSV (fields found by name from
 * the #fields header, \xNN escapes decoded, vectors split on the set
 * separator) or JSON lines (epoch or ISO 8601 ts), plain or gzip, into a
 * zeek_dns_record and the engine's lookup. Lines that do not parse are
 * counted and reported with file:line; reading goes on. It can wait for a
 * growing file (--follow). It writes no output. */
#ifndef EXCLAVE_ZEEK_READER_H
#define EXCLAVE_ZEEK_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/engine.h"
#include "base/line_reader.h"
#include "zeek/zeek_dns_record.h"

enum { ZEEK_FIELDS_MAX = 128, ZEEK_WARNINGS_MAX = 10 };

/* The dns.log columns the reader knows, in Zeek's order. */
enum zeek_column {
    ZEEK_TS, ZEEK_UID, ZEEK_ORIG_H, ZEEK_ORIG_P, ZEEK_RESP_H, ZEEK_RESP_P, ZEEK_PROTO,
    ZEEK_TRANS_ID, ZEEK_RTT, ZEEK_QUERY, ZEEK_QCLASS, ZEEK_QCLASS_NAME, ZEEK_QTYPE,
    ZEEK_QTYPE_NAME, ZEEK_RCODE, ZEEK_RCODE_NAME, ZEEK_AA, ZEEK_TC, ZEEK_RD, ZEEK_RA, ZEEK_Z,
    ZEEK_ANSWERS, ZEEK_TTLS, ZEEK_REJECTED, ZEEK_COLUMNS
};

/* Name of each column, as in #fields and in JSON. */
extern const char *const zeek_column_names[ZEEK_COLUMNS];

enum zeek_format { ZEEK_FORMAT_UNKNOWN, ZEEK_FORMAT_TSV, ZEEK_FORMAT_JSON };

struct zeek_reader_counters {
    uint64_t records;          /* lookups handed on */
    uint64_t bad_lines;        /* lines that did not parse (reported with file:line) */
    uint64_t bad_fields;       /* fields of a kept line that did not parse (left unset) */
};

struct json_object;

struct zeek_reader {
    struct line_reader lines;  /* the file, its path and the line number */
    enum zeek_format format;
    char separator, set_separator;
    char empty_field[32], unset_field[32];
    int column[ZEEK_COLUMNS];  /* TSV: index of each field, -1 when absent */
    struct zeek_reader_counters counters;
    unsigned warnings_given;
    FILE *warnings;            /* NULL: silent */
    struct json_object *json;  /* the JSON line the record points into */
    struct zeek_dns_record record;  /* the last record read (points into line or json) */
    struct ip_address answers[ZEEK_ANSWERS_MAX];
};

/* Opens path (plain or gzip); with follow, the end of the file means "wait"
 * (zeek_reader_next returns 0 until more is written). False with a message
 * naming the file. */
bool zeek_reader_open(struct zeek_reader *reader, const char *path, bool follow, FILE *warnings,
                      char *error, size_t error_size);
void zeek_reader_close(struct zeek_reader *reader);

/* The next record as a lookup (valid until the next call; reader->record is
 * the whole line): 1, or 0 at the end of the file (with follow: no complete
 * line yet), or -1 on a read error (truncated gzip...) with error set. */
int zeek_reader_next(struct zeek_reader *reader, struct engine_lookup *lookup, char *error,
                     size_t error_size);

#endif
