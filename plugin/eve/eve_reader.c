/* eve_reader: line_reader for the lines, eve_record for the JSON,
 * eve_lookup for the dns rules; this file only counts and reports. */
#include "eve/eve_reader.h"

#include <stdarg.h>
#include <string.h>

bool eve_reader_open(struct eve_reader *reader, const char *path, bool follow, FILE *warnings,
                     char *error, size_t error_size)
{
    memset(&reader->counters, 0, sizeof reader->counters);
    reader->warnings_given = 0;
    reader->warnings = warnings;
    return line_reader_open(&reader->lines, path, follow, error, error_size);
}

void eve_reader_close(struct eve_reader *reader)
{
    line_reader_close(&reader->lines);
}

static void problem(struct eve_reader *reader, uint64_t *counter, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(struct eve_reader *reader, uint64_t *counter, const char *format, ...)
{
    (*counter)++;
    va_list args;
    va_start(args, format);
    line_reader_warn(&reader->lines, reader->warnings, &reader->warnings_given, EVE_WARNINGS_MAX,
                     "bad EVE lines not shown (see --stats)", format, args);
    va_end(args);
}

int eve_reader_next(struct eve_reader *reader, struct engine_lookup *lookup, bool *has_lookup,
                    char *error, size_t error_size)
{
    bool too_long;
    int status;
    while ((status = line_reader_next(&reader->lines, &too_long, error, error_size)) > 0) {
        const char *line = reader->lines.line;
        size_t length = reader->lines.line_length, at;
        if (too_long) {
            problem(reader, &reader->counters.bad_lines, "line longer than %d bytes, dropped",
                    LINE_READER_MAX);
            continue;
        }
        if (length == 0)
            continue;
        const char *nul = memchr(line, '\0', length);
        if (nul) {
            problem(reader, &reader->counters.bad_lines, "not an EVE record, dropped: a NUL byte at byte %zu",
                    (size_t)(nul - line) + 1);
            continue;
        }
        const char *wrong = eve_record_parse(line, length, &reader->record, &at);
        if (wrong) {
            problem(reader, &reader->counters.bad_lines, "not an EVE record, dropped: %s at byte %zu",
                    wrong, at + 1);
            continue;
        }
        reader->record_length = length;
        reader->counters.records++;
        const char *missing = NULL;
        enum eve_lookup_status found = eve_lookup_from_record(&reader->record, &reader->scratch,
                                                              lookup, &missing);
        *has_lookup = found == EVE_LOOKUP_OK;
        reader->counters.dns_lookups += *has_lookup;
        if (found == EVE_LOOKUP_BAD)
            problem(reader, &reader->counters.dns_unusable, "dns record passed on but not counted: %s",
                    missing);
        return 1;
    }
    return status;
}
