/* zeek_reader: one line at a time through zlib's gzgets (which reads plain
 * files too); TSV split in place, JSON through json-c. */
#define _XOPEN_SOURCE 700 /* strptime */
#include "zeek_reader.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "warning_limit.h"

static const char *const column_names[ZEEK_COLUMNS] = {
    "ts", "id.orig_h", "id.resp_h", "query", "qtype", "rcode", "answers", "TTLs",
};

bool zeek_reader_open(struct zeek_reader *reader, const char *path, FILE *warnings, char *error,
                      size_t error_size)
{
    memset(reader, 0, sizeof *reader);
    reader->path = path;
    reader->warnings = warnings;
    reader->separator = '\t';
    reader->set_separator = ',';
    strcpy(reader->empty_field, "(empty)");
    strcpy(reader->unset_field, "-");
    for (int i = 0; i < ZEEK_COLUMNS; i++)
        reader->column[i] = -1;
    if (!(reader->file = gzopen(path, "rb"))) {
        snprintf(error, error_size, "%s: cannot read Zeek log: %s", path,
                 errno ? strerror(errno) : "out of memory");
        return false;
    }
    return true;
}

void zeek_reader_close(struct zeek_reader *reader)
{
    if (reader->file)
        gzclose(reader->file);
    reader->file = NULL;
}

static void bad_line(struct zeek_reader *reader, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void bad_line(struct zeek_reader *reader, const char *format, ...)
{
    reader->counters.bad_lines++;
    if (!warning_allowed(reader->warnings, &reader->warnings_given, ZEEK_WARNINGS_MAX,
                         reader->path, "bad lines not shown (see --stats)"))
        return;
    char where[4096 + 32];
    snprintf(where, sizeof where, "%s:%llu", reader->path, (unsigned long long)reader->line_number);
    va_list args;
    va_start(args, format);
    warning_vprint(reader->warnings, where, format, args);
    va_end(args);
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes Zeek's \xNN escapes of text[0..length) into out; returns the length. */
static size_t unescape(const char *text, size_t length, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] == '\\' && i + 3 < length && text[i + 1] == 'x' &&
            hex_digit(text[i + 2]) >= 0 && hex_digit(text[i + 3]) >= 0) {
            out[n++] = (char)(hex_digit(text[i + 2]) * 16 + hex_digit(text[i + 3]));
            i += 3;
        } else {
            out[n++] = text[i];
        }
    }
    return n;
}

/* Zeek writes the root's name as an empty string; exclave writes it ".". */
static size_t root_name(char *out)
{
    out[0] = '.';
    return 1;
}

/* ---- TSV ------------------------------------------------------------------------- */

/* "#separator \x09", "#set_separator ,", "#fields ts uid ...", ... */
static void read_header(struct zeek_reader *reader, char *line)
{
    char decoded[64];
    if (strncmp(line, "#separator ", 11) == 0) {
        size_t n = unescape(line + 11, strlen(line + 11), decoded);
        if (n == 1)
            reader->separator = decoded[0];
        return;
    }
    char *value = strchr(line, reader->separator);
    if (!value)
        return;
    *value++ = '\0';
    if (strcmp(line, "#set_separator") == 0 && unescape(value, strlen(value), decoded) == 1)
        reader->set_separator = decoded[0];
    else if (strcmp(line, "#empty_field") == 0)
        snprintf(reader->empty_field, sizeof reader->empty_field, "%s", value);
    else if (strcmp(line, "#unset_field") == 0)
        snprintf(reader->unset_field, sizeof reader->unset_field, "%s", value);
    else if (strcmp(line, "#fields") == 0) {
        for (int i = 0; i < ZEEK_COLUMNS; i++)
            reader->column[i] = -1;
        int index = 0;
        char *saved = NULL;
        for (char *name = strtok_r(value, "\t", &saved); name;
             name = strtok_r(NULL, "\t", &saved), index++)
            for (int i = 0; i < ZEEK_COLUMNS; i++)
                if (strcmp(name, column_names[i]) == 0)
                    reader->column[i] = index;
    }
}

static bool is_unset(const struct zeek_reader *reader, const char *field)
{
    return !field || strcmp(field, reader->unset_field) == 0;
}

/* The address answers with their TTLs, from the two vectors. */
static void split_answers(struct zeek_reader *reader, char *answers, char *ttls,
                          struct engine_lookup *lookup)
{
    if (is_unset(reader, answers) || strcmp(answers, reader->empty_field) == 0)
        return;
    char *answer_next = answers, *ttl_next = is_unset(reader, ttls) ? NULL : ttls;
    while (answer_next && lookup->answer_count < ZEEK_ANSWERS_MAX) {
        char *answer = answer_next, *ttl = ttl_next;
        answer_next = strchr(answer, reader->set_separator);
        if (answer_next)
            *answer_next++ = '\0';
        if (ttl && (ttl_next = strchr(ttl, reader->set_separator)))
            *ttl_next++ = '\0';
        struct ip_address address;
        if (ip_address_parse(answer, &address))
            engine_lookup_add_answer(lookup, reader->answers, &address,
                                     ttl ? (uint32_t)strtod(ttl, NULL) : 0);
    }
}

static bool parse_tsv(struct zeek_reader *reader, char *line, struct engine_lookup *lookup)
{
    char *field[ZEEK_FIELDS_MAX];
    int count = 0;
    for (char *p = line; p && count < ZEEK_FIELDS_MAX; count++) {
        field[count] = p;
        if ((p = strchr(p, reader->separator)))
            *p++ = '\0';
    }
    char *get[ZEEK_COLUMNS];
    for (int i = 0; i < ZEEK_COLUMNS; i++)
        get[i] = reader->column[i] >= 0 && reader->column[i] < count ? field[reader->column[i]] : NULL;
    char *end = NULL;
    double ts = is_unset(reader, get[ZEEK_TS]) ? NAN : strtod(get[ZEEK_TS], &end);
    if (end == get[ZEEK_TS] || (end && *end)) /* not a number, or trailing garbage */
        ts = NAN;
    if (!(ts == ts)) {
        bad_line(reader, "ts '%.40s' is not a time (%d fields)", get[ZEEK_TS] ? get[ZEEK_TS] : "",
                 count);
        return false;
    }
    if (!ip_address_parse(get[ZEEK_ORIG_H] ? get[ZEEK_ORIG_H] : "", &lookup->querier)) {
        bad_line(reader, "id.orig_h '%.46s' is not an address", get[ZEEK_ORIG_H] ? get[ZEEK_ORIG_H] : "");
        return false;
    }
    lookup->time_us = (int64_t)llround(ts * 1e6);
    if (!ip_address_parse(get[ZEEK_RESP_H] ? get[ZEEK_RESP_H] : "", &lookup->server))
        memset(&lookup->server, 0, sizeof lookup->server);
    /* a response without a question has no query: the engine counts it */
    const char *query = get[ZEEK_QUERY];
    if (is_unset(reader, query))
        lookup->qname_length = 0;
    else if (strcmp(query, reader->empty_field) == 0)
        lookup->qname_length = root_name(reader->qname);
    else
        lookup->qname_length = unescape(query, strlen(query), reader->qname);
    lookup->qtype = is_unset(reader, get[ZEEK_QTYPE]) ? 0 : (uint16_t)atoi(get[ZEEK_QTYPE]);
    lookup->has_response = !is_unset(reader, get[ZEEK_RCODE]);
    lookup->rcode = lookup->has_response ? (uint16_t)atoi(get[ZEEK_RCODE]) : 0;
    split_answers(reader, get[ZEEK_ANSWERS], get[ZEEK_TTLS], lookup);
    return true;
}

/* ---- JSON lines -------------------------------------------------------------------- */

/* Epoch seconds, or ISO 8601 "2018-03-24T17:15:20.865716Z" (or +hh:mm). */
static bool json_time(struct json_object *value, int64_t *time_us)
{
    if (json_object_is_type(value, json_type_double) || json_object_is_type(value, json_type_int)) {
        *time_us = (int64_t)llround(json_object_get_double(value) * 1e6);
        return true;
    }
    const char *text = json_object_get_string(value);
    struct tm tm = { 0 };
    const char *rest = text ? strptime(text, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    if (!rest)
        return false;
    double fraction = 0;
    if (*rest == '.') {
        char *after;
        fraction = strtod(rest, &after);
        rest = after;
    }
    int offset_minutes = 0, hours, minutes;
    if ((*rest == '+' || *rest == '-') && sscanf(rest + 1, "%2d:%2d", &hours, &minutes) == 2)
        offset_minutes = (*rest == '-' ? -1 : 1) * (hours * 60 + minutes);
    else if (*rest != 'Z' && *rest != '\0')
        return false;
    *time_us = ((int64_t)timegm(&tm) - offset_minutes * 60) * 1000000 + llround(fraction * 1e6);
    return true;
}

static void json_answers(struct zeek_reader *reader, struct json_object *object,
                         struct engine_lookup *lookup)
{
    struct json_object *answers, *ttls = NULL;
    if (!json_object_object_get_ex(object, "answers", &answers) ||
        !json_object_is_type(answers, json_type_array))
        return;
    json_object_object_get_ex(object, "TTLs", &ttls);
    size_t n = json_object_array_length(answers);
    for (size_t i = 0; i < n && lookup->answer_count < ZEEK_ANSWERS_MAX; i++) {
        const char *text = json_object_get_string(json_object_array_get_idx(answers, i));
        struct ip_address address;
        if (!text || !ip_address_parse(text, &address))
            continue;
        struct json_object *ttl = ttls && json_object_is_type(ttls, json_type_array)
                                      ? json_object_array_get_idx(ttls, i) : NULL;
        engine_lookup_add_answer(lookup, reader->answers, &address,
                                 ttl ? (uint32_t)json_object_get_double(ttl) : 0);
    }
}

static const char *json_string_field(struct json_object *object, const char *name)
{
    struct json_object *value;
    return json_object_object_get_ex(object, name, &value) &&
                   json_object_is_type(value, json_type_string)
               ? json_object_get_string(value) : NULL;
}

static bool parse_json_object(struct zeek_reader *reader, struct json_object *object,
                              struct engine_lookup *lookup)
{
    struct json_object *ts, *value;
    const char *querier = json_string_field(object, "id.orig_h");
    const char *query = json_string_field(object, "query");
    if (!json_object_object_get_ex(object, "ts", &ts) || !json_time(ts, &lookup->time_us)) {
        bad_line(reader, "no ts, or not a time");
        return false;
    }
    if (!querier || !ip_address_parse(querier, &lookup->querier)) {
        bad_line(reader, "id.orig_h '%.46s' is not an address", querier ? querier : "");
        return false;
    }
    if (!query)
        query = ""; /* a response without a question: the engine counts it */
    const char *server = json_string_field(object, "id.resp_h");
    if (!server || !ip_address_parse(server, &lookup->server))
        memset(&lookup->server, 0, sizeof lookup->server);
    lookup->qname_length = strlen(query);
    if (lookup->qname_length >= sizeof reader->qname)
        lookup->qname_length = sizeof reader->qname - 1;
    memcpy(reader->qname, query, lookup->qname_length);
    if (json_string_field(object, "query") && lookup->qname_length == 0)
        lookup->qname_length = root_name(reader->qname);
    lookup->qtype = json_object_object_get_ex(object, "qtype", &value)
                        ? (uint16_t)json_object_get_int(value) : 0;
    lookup->has_response = json_object_object_get_ex(object, "rcode", &value) &&
                           !json_object_is_type(value, json_type_null);
    lookup->rcode = lookup->has_response ? (uint16_t)json_object_get_int(value) : 0;
    json_answers(reader, object, lookup);
    return true;
}

static bool parse_json(struct zeek_reader *reader, const char *line, struct engine_lookup *lookup)
{
    enum json_tokener_error status;
    struct json_object *object = json_tokener_parse_verbose(line, &status);
    if (!object || !json_object_is_type(object, json_type_object)) {
        bad_line(reader, "not a JSON object: %s",
                 object ? "another JSON value" : json_tokener_error_desc(status));
        json_object_put(object);
        return false;
    }
    bool ok = parse_json_object(reader, object, lookup);
    json_object_put(object);
    return ok;
}

/* ---- records ------------------------------------------------------------------------ */

/* Reads one line into reader->line without its newline; false at the end. A
 * line longer than the buffer is skipped whole and counted. */
static bool read_line(struct zeek_reader *reader, bool *too_long)
{
    *too_long = false;
    for (;;) {
        if (!gzgets(reader->file, reader->line, sizeof reader->line))
            return *too_long;
        size_t length = strlen(reader->line);
        if (length && reader->line[length - 1] == '\n') {
            reader->line[--length] = '\0';
            if (length && reader->line[length - 1] == '\r')
                reader->line[--length] = '\0';
            return true;
        }
        if (gzeof(reader->file))
            return !*too_long;
        *too_long = true; /* keep reading to the end of this line */
    }
}

int zeek_reader_next(struct zeek_reader *reader, struct engine_lookup *lookup, char *error,
                     size_t error_size)
{
    bool too_long;
    while (read_line(reader, &too_long)) {
        reader->line_number++;
        if (too_long) {
            bad_line(reader, "line longer than %d bytes", ZEEK_LINE_MAX);
            continue;
        }
        char *line = reader->line;
        if (*line == '\0')
            continue;
        if (reader->format == ZEEK_FORMAT_UNKNOWN)
            reader->format = *line == '{' ? ZEEK_FORMAT_JSON : ZEEK_FORMAT_TSV;
        if (reader->format == ZEEK_FORMAT_TSV && *line == '#') {
            read_header(reader, line);
            continue;
        }
        if (reader->format == ZEEK_FORMAT_TSV && reader->column[ZEEK_TS] < 0) {
            bad_line(reader, "a record before any #fields header");
            continue;
        }
        memset(lookup, 0, sizeof *lookup);
        bool ok = reader->format == ZEEK_FORMAT_JSON ? parse_json(reader, line, lookup)
                                                     : parse_tsv(reader, line, lookup);
        if (!ok)
            continue;
        lookup->qname = reader->qname;
        lookup->counts_as_lookup = true;
        reader->counters.records++;
        return 1;
    }
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
