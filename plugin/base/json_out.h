/* json_out: a buffered writer of JSON fragments (strings escaped, numbers,
 * addresses, EVE timestamps) to a FILE. It knows no schema; callers write
 * the punctuation. The buffer is fixed; nothing is allocated per call. */
#ifndef EXCLAVE_JSON_OUT_H
#define EXCLAVE_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/ip_address.h"

enum { JSON_OUT_BUFFER_SIZE = 1 << 18, JSON_OUT_FLUSH_AT = JSON_OUT_BUFFER_SIZE - (1 << 16) };

struct json_out {
    FILE *file;
    size_t used;
    uint64_t bytes_written;
    uint64_t write_errors;
    uint64_t records_buffered; /* record ends in the buffer */
    uint64_t records_lost;     /* records in buffers whose write failed */
    int first_error;           /* errno of the first failed write; 0: none */
    bool line_broken;          /* a write stopped inside a line: end it first */
    int64_t cached_day;        /* timestamp formatting cache: days since the epoch */
    char cached_date[16];      /* "YYYY-MM-DDT" of cached_day */
    char buffer[JSON_OUT_BUFFER_SIZE];
};

/* file NULL: the writer only collects, for a caller that takes buffer and
 * used itself; what would be flushed is dropped and counted as a write
 * error. */
void json_out_init(struct json_out *out, FILE *file);

/* Writes the buffer out; false (and counted) on an I/O error. */
bool json_out_flush(struct json_out *out);

/* Ends a record: newline, and a flush when the buffer is nearly full. A record
 * must stay below JSON_OUT_BUFFER_SIZE - JSON_OUT_FLUSH_AT bytes; longer ones
 * are flushed piecewise by the writers below. */
void json_out_end_record(struct json_out *out);

void json_out_raw_slow(struct json_out *out, const char *bytes, size_t length);

/* A whole record formatted by another writer (its newline included), as if
 * written here: counted, and flushed like json_out_end_record. */
void json_out_append_record(struct json_out *out, const char *record, size_t length);

/* Appends bytes as they are; inline because most calls are short literals. */
static inline void json_out_raw(struct json_out *out, const char *bytes, size_t length)
{
    if (out->used + length <= JSON_OUT_BUFFER_SIZE) {
        memcpy(out->buffer + out->used, bytes, length);
        out->used += length;
        return;
    }
    json_out_raw_slow(out, bytes, length);
}
/* "" text: only a string literal compiles here, so sizeof is its length. */
#define json_out_literal(out, text) json_out_raw((out), "" text, sizeof("" text) - 1)
void json_out_string(struct json_out *out, const char *text, size_t length);
void json_out_cstring(struct json_out *out, const char *text);
void json_out_uint(struct json_out *out, uint64_t value);
void json_out_bool(struct json_out *out, bool value);
void json_out_ip(struct json_out *out, const struct ip_address *address);

/* "2016-10-20T15:23:01.077982+0000" from microseconds since the epoch (UTC). */
void json_out_timestamp(struct json_out *out, int64_t microseconds);

#endif
