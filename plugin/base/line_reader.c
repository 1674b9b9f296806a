/* line_reader: zlib's gzgets reads plain files and gzip alike; a following
 * reader clears the end-of-file state so that appended bytes are read. */
#include "base/line_reader.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/warning_limit.h"

bool line_reader_open(struct line_reader *reader, const char *path, bool follow, char *error,
                      size_t error_size)
{
    reader->path = path;
    reader->follow = follow;
    reader->line_number = 0;
    reader->partial_length = 0;
    reader->skipping_long_line = false;
    memset(&reader->identity, 0, sizeof reader->identity);
    bool standard_input = strcmp(path, "-") == 0;
    reader->file = standard_input ? gzdopen(dup(STDIN_FILENO), "rb") : gzopen(path, "rb");
    if (!reader->file) {
        snprintf(error, error_size, "%s: cannot read: %s", standard_input ? "standard input" : path,
                 errno ? strerror(errno) : "out of memory");
        return false;
    }
    if (!standard_input)
        stat(path, &reader->identity);
    return true;
}

void line_reader_close(struct line_reader *reader)
{
    if (reader->file)
        gzclose(reader->file);
    reader->file = NULL;
}

/* A complete line of length bytes ends at the buffer's start. */
static int line_done(struct line_reader *reader, size_t length, bool *too_long)
{
    reader->line[length] = '\0';
    if (length && reader->line[length - 1] == '\r')
        reader->line[--length] = '\0';
    reader->partial_length = 0;
    *too_long = reader->skipping_long_line;
    reader->skipping_long_line = false;
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

int line_reader_next(struct line_reader *reader, bool *too_long, char *error, size_t error_size)
{
    *too_long = false;
    for (;;) {
        size_t start = reader->partial_length;
        char *got = gzgets(reader->file, reader->line + start, (int)(sizeof reader->line - start));
        size_t length = got ? start + strlen(reader->line + start) : start;
        if (length && reader->line[length - 1] == '\n')
            return line_done(reader, length - 1, too_long);
        if (length == sizeof reader->line - 1) { /* full, no newline: skip to the next one */
            reader->skipping_long_line = true;
            reader->partial_length = 0;
            continue;
        }
        int status = end_of_data(reader, error, error_size);
        if (status < 0)
            return status;
        if (reader->follow) {
            reader->partial_length = length;
            gzclearerr(reader->file); /* the next gzgets reads what was appended */
            return 0;
        }
        if (length == 0 && !reader->skipping_long_line)
            return 0;
        return line_done(reader, length, too_long); /* the last line, without a newline */
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
