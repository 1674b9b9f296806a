/* eve_reader: line_reader for the lines, eve_record for the JSON,
 * eve_lookup for the dns rules; this file only counts and reports. */
#include "eve/eve_reader.h"

#include <stdarg.h>
#include <string.h>

#include "base/warning_limit.h"

bool eve_reader_open(struct eve_reader *reader, const char *path, bool follow, FILE *warnings,
                     char *error, size_t error_size)
{
    memset(&reader->counters, 0, sizeof reader->counters);
    reader->warnings_given = 0;
    reader->warnings = warnings;
    reader->origin = NULL;
    return line_reader_open(&reader->lines, path, follow, error, error_size);
}

void eve_reader_close(struct eve_reader *reader)
{
    line_reader_close(&reader->lines);
}

void eve_reader_warn(const struct eve_reader *reader, FILE *out, unsigned *given, unsigned max,
                     const char *suppressed, const char *format, va_list args)
{
    if (!reader->origin)
        line_reader_warn(&reader->lines, out, given, max, suppressed, format, args);
    else if (warning_allowed(out, given, max, reader->origin, suppressed))
        warning_vprint(out, reader->origin, format, args);
}

static void problem(struct eve_reader *reader, uint64_t *counter, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(struct eve_reader *reader, uint64_t *counter, const char *format, ...)
{
    (*counter)++;
    va_list args;
    va_start(args, format);
    eve_reader_warn(reader, reader->warnings, &reader->warnings_given, EVE_WARNINGS_MAX,
                    reader->origin ? "bad EVE entries not shown (see --stats)"
                                   : "bad EVE lines not shown (see --stats)", format, args);
    va_end(args);
}

/* One record's text: 1 when it is one (reader->record set), 0 dropped. */
static int take_record(struct eve_reader *reader, const char *text, size_t length,
                       struct engine_lookup *lookup, bool *has_lookup)
{
    size_t at;
    const char *nul = memchr(text, '\0', length);
    if (nul) {
        problem(reader, &reader->counters.bad_lines, "not an EVE record, dropped: a NUL byte at byte %zu",
                (size_t)(nul - text) + 1);
        return 0;
    }
    const char *wrong = eve_record_parse(text, length, &reader->record, &at);
    if (wrong) {
        problem(reader, &reader->counters.bad_lines, "not an EVE record, dropped: %s at byte %zu",
                wrong, at + 1);
        return 0;
    }
    reader->text = text;
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

int eve_reader_next(struct eve_reader *reader, struct engine_lookup *lookup, bool *has_lookup,
                    char *error, size_t error_size)
{
    bool too_long;
    int status;
    while ((status = line_reader_next(&reader->lines, &too_long, error, error_size)) > 0) {
        if (too_long) {
            problem(reader, &reader->counters.bad_lines, "line longer than %d bytes, dropped",
                    LINE_READER_MAX);
            continue;
        }
        if (reader->lines.line_length > 0 &&
            take_record(reader, reader->lines.line, reader->lines.line_length, lookup, has_lookup))
            return 1;
    }
    return status;
}

void eve_reader_start_entries(struct eve_reader *reader, FILE *warnings)
{
    memset(&reader->counters, 0, sizeof reader->counters);
    reader->warnings_given = 0;
    reader->warnings = warnings;
}

int eve_reader_take(struct eve_reader *reader, const char *text, size_t length, const char *origin,
                    struct engine_lookup *lookup, bool *has_lookup)
{
    reader->origin = origin;
    while (length && (text[length - 1] == '\n' || text[length - 1] == '\r'))
        length--;
    if (length > LINE_READER_MAX) {
        problem(reader, &reader->counters.bad_lines, "entry longer than %d bytes, dropped",
                LINE_READER_MAX);
        return 0;
    }
    if (length == 0) {
        problem(reader, &reader->counters.bad_lines, "empty entry, dropped");
        return 0;
    }
    return take_record(reader, text, length, lookup, has_lookup);
}
