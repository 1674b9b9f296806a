/* line_reader: the lines of a text log, plain or gzip (or standard input),
 * one at a time, for the Zeek and EVE readers. Lines are bytes: a NUL is
 * data, not an end. The buffer grows to LINE_READER_MAX; a longer line is
 * skipped whole and flagged, never cut. With follow, the end of the file
 * means "nothing yet": a line still being written is held until its newline
 * arrives, and line_reader_replaced() tells when the path now names another
 * file (a rotation). It parses nothing. */
#ifndef EXCLAVE_LINE_READER_H
#define EXCLAVE_LINE_READER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/stat.h>
#include <zlib.h>

enum {
    LINE_READER_MAX = 16 << 20,     /* longest line kept (a Suricata stats record is ~72 KB) */
    LINE_READER_INITIAL = 1 << 16,  /* first buffer; doubled as lines need */
};

struct line_reader {
    gzFile file;
    const char *path;          /* "-": standard input */
    uint64_t line_number;      /* of the line last returned */
    bool follow;
    bool skipping_long_line;
    bool start_checked;        /* the first bytes were seen not to be a capture */
    struct stat identity;      /* of the file when opened */
    char *buffer;              /* capacity bytes: unread data at [start, end) */
    size_t capacity, start, end, scanned; /* scanned: bytes after start known to hold no newline */
    char *line;                /* the line last returned, NUL-terminated after line_length */
    size_t line_length;        /* its bytes (it may hold NULs of its own) */
};

/* Opens path; false with a message naming it. */
bool line_reader_open(struct line_reader *reader, const char *path, bool follow, char *error,
                      size_t error_size);
void line_reader_close(struct line_reader *reader);

/* The next line in reader->line (line_length bytes), without its newline:
 * 1 (*too_long: it was longer than LINE_READER_MAX and holds nothing), 0 at
 * the end (with follow: none complete yet), -1 on a read error (a truncated
 * gzip...) or when the file is a pcap or pcapng capture, with error set. */
int line_reader_next(struct line_reader *reader, bool *too_long, char *error, size_t error_size);

/* True when the path now names another file than the one open, or the file
 * shrank: the caller should read to the end and open it again. */
bool line_reader_replaced(const struct line_reader *reader);

/* Reports a problem of the line last read as "exclave: PATH:LINE: ...",
 * under the rule of warning_limit (given counts the messages, at most max,
 * then one line saying what is no longer shown). */
void line_reader_warn(const struct line_reader *reader, FILE *out, unsigned *given, unsigned max,
                      const char *suppressed, const char *format, va_list args);

#endif
