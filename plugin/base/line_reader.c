/* line_reader: zlib's gzread reads plain files and gzip alike, into a
 * buffer scanned with memchr (so a NUL is a byte like any other); a
 * following reader clears the end-of-file state so that appended bytes are
 * read. */
#include "base/line_reader.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/warning_limit.h"

bool line_reader_open(struct line_reader *reader, const char *path, bool follow, char *error,
                      size_t error_size)
{
    memset(reader, 0, sizeof *reader);
    reader->path = path;
    reader->follow = follow;
    bool standard_input = strcmp(path, "-") == 0;
    reader->buffer = malloc(LINE_READER_INITIAL);
    reader->capacity = LINE_READER_INITIAL;
    reader->file = !reader->buffer ? NULL
                 : standard_input ? gzdopen(dup(STDIN_FILENO), "rb") : gzopen(path, "rb");
    if (!reader->file) {
        snprintf(error, error_size, "%s: cannot read: %s", standard_input ? "standard input" : path,
                 reader->buffer && errno ? strerror(errno) : "out of memory");
        free(reader->buffer);
        reader->buffer = NULL;
        return false;
    }
    reader->line = reader->buffer;
    reader->buffer[0] = '\0';
    if (!standard_input)
        stat(path, &reader->identity);
    return true;
}

void line_reader_close(struct line_reader *reader)
{
    if (reader->file)
        gzclose(reader->file);
    reader->file = NULL;
    free(reader->buffer);
    reader->buffer = reader->line = NULL;
}

/* Returns the line buffer[start, start + length), terminated, and moves past
 * it and its newline (skip bytes). */
static int line_done(struct line_reader *reader, size_t length, size_t skip, bool *too_long)
{
    char *line = reader->buffer + reader->start;
    line[length] = '\0';
    if (length && line[length - 1] == '\r')
        line[--length] = '\0';
    reader->start += skip;
    reader->scanned = 0;
    reader->line = line;
    reader->line_length = length;
    *too_long = reader->skipping_long_line;
    reader->skipping_long_line = false;
    if (*too_long) { /* what is left of a line too long: nothing of it is returned */
        line[0] = '\0';
        reader->line_length = 0;
    }
    reader->line_number++;
    return 1;
}

static int end_of_data(struct line_reader *reader, char *error, size_t error_size)
{
    int code = Z_OK;
    const char *message = gzerror(reader->file, &code);
    if (code != Z_OK && code != Z_STREAM_END) {
        snprintf(error, error_size, "%s: after line %llu: %s", reader->path,
                 (unsigned long long)reader->line_number,
                 code == Z_BUF_ERROR ? "the gzip data ends early (truncated file)" : message);
        return -1;
    }
    return 0;
}

/* Room to read into: the unread bytes moved to the front, the buffer
 * doubled up to LINE_READER_MAX, or (a line longer than that) dropped so
 * far and the rest of the line skipped. Keeps one byte for the NUL. */
static void make_room(struct line_reader *reader)
{
    if (reader->start > 0) {
        memmove(reader->buffer, reader->buffer + reader->start, reader->end - reader->start);
        reader->end -= reader->start;
        reader->start = 0;
    }
    if (reader->end + 1 < reader->capacity)
        return;
    size_t wanted = reader->capacity * 2 < LINE_READER_MAX + 1 ? reader->capacity * 2
                                                               : LINE_READER_MAX + 1;
    char *grown = wanted > reader->capacity ? realloc(reader->buffer, wanted) : NULL;
    if (grown) {
        reader->buffer = grown;
        reader->capacity = wanted;
        return;
    }
    reader->skipping_long_line = true; /* at the cap, or out of memory: skip it, flagged */
    reader->end = reader->scanned = 0;
}

/* A capture given where a log belongs is said so at once, not read as
 * thousands of bad lines. */
static bool starts_as_capture(const struct line_reader *reader)
{
    static const unsigned char magics[][4] = {
        { 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 }, { 0x4d, 0x3c, 0xb2, 0xa1 },
        { 0xa1, 0xb2, 0x3c, 0x4d }, { 0x0a, 0x0d, 0x0d, 0x0a },
    };
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (memcmp(reader->buffer, magics[i], 4) == 0)
            return true;
    return false;
}

int line_reader_next(struct line_reader *reader, bool *too_long, char *error, size_t error_size)
{
    *too_long = false;
    for (;;) {
        if (!reader->start_checked && reader->line_number == 0 && reader->end >= 4) {
            reader->start_checked = true; /* the file's first bytes, once */
            if (starts_as_capture(reader)) {
                snprintf(error, error_size, "%s: a pcap or pcapng capture, not a log (read it "
                                            "with -r)", reader->path);
                return -1;
            }
        }
        char *from = reader->buffer + reader->start + reader->scanned;
        char *newline = memchr(from, '\n', reader->end - reader->start - reader->scanned);
        if (newline) {
            size_t length = (size_t)(newline - (reader->buffer + reader->start));
            return line_done(reader, length, length + 1, too_long);
        }
        reader->scanned = reader->end - reader->start;
        make_room(reader);
        size_t room = reader->capacity - 1 - reader->end;
        int got = gzread(reader->file, reader->buffer + reader->end,
                         (unsigned)(room < 16384 ? room : 16384)); /* as gzgets: no long waits on a pipe */
        if (got > 0) {
            reader->end += (size_t)got;
            continue;
        }
        int status = got < 0 ? -1 : end_of_data(reader, error, error_size);
        if (got < 0)
            snprintf(error, error_size, "%s: after line %llu: %s", reader->path,
                     (unsigned long long)reader->line_number, gzerror(reader->file, &(int){ 0 }));
        if (status < 0)
            return status;
        if (reader->follow) {
            gzclearerr(reader->file); /* the next read gets what was appended */
            return 0;
        }
        size_t length = reader->end - reader->start;
        if (length == 0 && !reader->skipping_long_line)
            return 0;
        return line_done(reader, length, length, too_long); /* the last line, without a newline */
    }
}

bool line_reader_replaced(const struct line_reader *reader)
{
    struct stat now;
    if (!reader->identity.st_ino || stat(reader->path, &now) != 0)
        return false; /* standard input, or rotated away and the new file not there yet */
    return now.st_ino != reader->identity.st_ino || now.st_dev != reader->identity.st_dev ||
           now.st_size < (off_t)gzoffset(reader->file);
}

void line_reader_warn(const struct line_reader *reader, FILE *out, unsigned *given, unsigned max,
                      const char *suppressed, const char *format, va_list args)
{
    if (!warning_allowed(out, given, max, reader->path, suppressed))
        return;
    char where[PATH_MAX + 32];
    snprintf(where, sizeof where, "%s:%llu", reader->path, (unsigned long long)reader->line_number);
    warning_vprint(out, where, format, args);
}
