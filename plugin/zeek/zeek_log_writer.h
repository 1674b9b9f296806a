/* zeek_log_writer: writes one Zeek-style log (dns.log, exclave.log) in either
 * of Zeek's formats: TSV with the #separator ... #fields #types header and a
 * #close line, or JSON lines. Callers write a record field by field, in the
 * order of the columns they declared; the writer adds separators, escapes
 * and the unset/empty markers. It knows no schema and decides nothing about
 * what is logged. */
#ifndef EXCLAVE_ZEEK_LOG_WRITER_H
#define EXCLAVE_ZEEK_LOG_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/ip_address.h"
#include "base/json_out.h"

struct zeek_log_column {
    const char *name;
    const char *type;          /* Zeek's type name: time, addr, count, vector[string]... */
};

struct zeek_log_writer {
    FILE *file;
    struct json_out *out;
    bool json;
    const struct zeek_log_column *columns;
    size_t column_count;
    size_t column;             /* the next field's index in the record */
    size_t vector_items;       /* items written in the open vector */
    bool in_vector;
    bool record_open;          /* JSON: the record's { is written */
    uint64_t records;
};

/* Opens DIR/NAME.log for appending ("-" as dir: standard output) and writes
 * the TSV header. False with a message naming the file. */
bool zeek_log_writer_open(struct zeek_log_writer *writer, const char *dir, const char *name,
                          bool json, const struct zeek_log_column *columns, size_t column_count,
                          char *error, size_t error_size);

/* Writes the #close line (TSV), flushes and closes; false when any write failed. */
bool zeek_log_writer_close(struct zeek_log_writer *writer);

/* Flushes buffered records to the file (a live log's readers see them). */
void zeek_log_writer_flush(struct zeek_log_writer *writer);

/* One field each, in column order. A JSON record omits unset fields, as
 * Zeek does. */
void zeek_log_unset(struct zeek_log_writer *writer);
void zeek_log_time(struct zeek_log_writer *writer, int64_t microseconds);
void zeek_log_interval(struct zeek_log_writer *writer, int64_t microseconds);
void zeek_log_count(struct zeek_log_writer *writer, uint64_t value);
void zeek_log_double(struct zeek_log_writer *writer, double value);
void zeek_log_bool(struct zeek_log_writer *writer, bool value);
void zeek_log_string(struct zeek_log_writer *writer, const char *text, size_t length);
void zeek_log_addr(struct zeek_log_writer *writer, const struct ip_address *address);

/* A vector field: begin, then items written with the calls above, then end.
 * An empty vector is written as Zeek's (empty) marker. */
void zeek_log_vector_begin(struct zeek_log_writer *writer);
void zeek_log_vector_end(struct zeek_log_writer *writer);

void zeek_log_end_record(struct zeek_log_writer *writer);

#endif
