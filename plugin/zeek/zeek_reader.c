/* zeek_reader: one line at a time through zlib's gzgets (which reads plain
 * files too); TSV split in place, JSON through json-c. One table says which
 * record field each column fills and how its text is read. */
#include "zeek/zeek_reader.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/iso_time.h"

const char *const zeek_column_names[ZEEK_COLUMNS] = {
    "ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "trans_id", "rtt",
    "query", "qclass", "qclass_name", "qtype", "qtype_name", "rcode", "rcode_name", "AA", "TC",
    "RD", "RA", "Z", "answers", "TTLs", "rejected",
};

enum field_kind { FIELD_TIME, FIELD_INTERVAL, FIELD_TEXT, FIELD_ADDR, FIELD_COUNT, FIELD_BOOL,
                  FIELD_ANSWERS, FIELD_TTLS };

#define AT(member) offsetof(struct zeek_dns_record, member)
static const struct { enum field_kind kind; size_t offset; } column_layout[ZEEK_COLUMNS] = {
    [ZEEK_TS] = { FIELD_TIME, AT(ts_us) },          [ZEEK_UID] = { FIELD_TEXT, AT(uid) },
    [ZEEK_ORIG_H] = { FIELD_ADDR, AT(orig_h) },     [ZEEK_ORIG_P] = { FIELD_COUNT, AT(orig_p) },
    [ZEEK_RESP_H] = { FIELD_ADDR, AT(resp_h) },     [ZEEK_RESP_P] = { FIELD_COUNT, AT(resp_p) },
    [ZEEK_PROTO] = { FIELD_TEXT, AT(proto) },       [ZEEK_TRANS_ID] = { FIELD_COUNT, AT(trans_id) },
    [ZEEK_RTT] = { FIELD_INTERVAL, AT(rtt_us) },    [ZEEK_QUERY] = { FIELD_TEXT, AT(query) },
    [ZEEK_QCLASS] = { FIELD_COUNT, AT(qclass) },    [ZEEK_QCLASS_NAME] = { FIELD_TEXT, AT(qclass_name) },
    [ZEEK_QTYPE] = { FIELD_COUNT, AT(qtype) },      [ZEEK_QTYPE_NAME] = { FIELD_TEXT, AT(qtype_name) },
    [ZEEK_RCODE] = { FIELD_COUNT, AT(rcode) },      [ZEEK_RCODE_NAME] = { FIELD_TEXT, AT(rcode_name) },
    [ZEEK_AA] = { FIELD_BOOL, AT(aa) },             [ZEEK_TC] = { FIELD_BOOL, AT(tc) },
    [ZEEK_RD] = { FIELD_BOOL, AT(rd) },             [ZEEK_RA] = { FIELD_BOOL, AT(ra) },
    [ZEEK_Z] = { FIELD_COUNT, AT(z) },              [ZEEK_ANSWERS] = { FIELD_ANSWERS, 0 },
    [ZEEK_TTLS] = { FIELD_TTLS, 0 },                [ZEEK_REJECTED] = { FIELD_BOOL, AT(rejected) },
};
#undef AT

#define FIELD(record, column, type) \
    ((type *)((char *)(record) + column_layout[column].offset))

bool zeek_reader_open(struct zeek_reader *reader, const char *path, bool follow, FILE *warnings,
                      char *error, size_t error_size)
{
    memset(reader, 0, offsetof(struct zeek_reader, record));
    reader->warnings = warnings;
    reader->separator = '\t';
    reader->set_separator = ',';
    strcpy(reader->empty_field, "(empty)");
    strcpy(reader->unset_field, "-");
    for (int i = 0; i < ZEEK_COLUMNS; i++)
        reader->column[i] = -1;
    return line_reader_open(&reader->lines, path, follow, error, error_size);
}

static void release_json(struct zeek_reader *reader)
{
    json_object_put(reader->json);
    reader->json = NULL;
}

void zeek_reader_close(struct zeek_reader *reader)
{
    release_json(reader);
    line_reader_close(&reader->lines);
}

/* A problem of the current line, counted in *counter and shown while the
 * warning limit allows. */
static void problem(struct zeek_reader *reader, uint64_t *counter, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(struct zeek_reader *reader, uint64_t *counter, const char *format, ...)
{
    (*counter)++;
    va_list args;
    va_start(args, format);
    line_reader_warn(&reader->lines, reader->warnings, &reader->warnings_given, ZEEK_WARNINGS_MAX,
                     "bad lines and fields not shown (see --stats)", format, args);
    va_end(args);
}

#define bad_line(reader, ...) problem((reader), &(reader)->counters.bad_lines, __VA_ARGS__)

/* A field that did not parse is left unset; the line is kept. */
static void bad_field(struct zeek_reader *reader, int column, const char *value)
{
    struct zeek_dns_record *r = &reader->record;
    switch (column_layout[column].kind) {
    case FIELD_TIME: case FIELD_INTERVAL: case FIELD_COUNT:
        *FIELD(r, column, int64_t) = ZEEK_UNSET;
        break;
    case FIELD_BOOL:
        *FIELD(r, column, int8_t) = ZEEK_UNSET;
        break;
    case FIELD_ADDR:
        FIELD(r, column, struct ip_address)->family = 0;
        break;
    case FIELD_TEXT: case FIELD_ANSWERS: case FIELD_TTLS:
        break;
    }
    problem(reader, &reader->counters.bad_fields, "%s '%.40s' does not parse; left unset",
            zeek_column_names[column], value);
}

/* ---- values ------------------------------------------------------------------------ */

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes Zeek's \xNN escapes of text[0..length) in place; returns the length. */
static size_t unescape(char *text, size_t length)
{
    size_t n = 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] == '\\' && i + 3 < length && text[i + 1] == 'x' &&
            hex_digit(text[i + 2]) >= 0 && hex_digit(text[i + 3]) >= 0) {
            text[n++] = (char)(hex_digit(text[i + 2]) * 16 + hex_digit(text[i + 3]));
            i += 3;
        } else {
            text[n++] = text[i];
        }
    }
    return n;
}

/* "1521911720.865716" or "-0.5" -> microseconds, exactly (no double on the way). */
static bool parse_seconds(const char *text, int64_t *microseconds)
{
    bool negative = *text == '-';
    const char *p = text + negative;
    int64_t whole = 0, fraction = 0;
    int digits = 0, fraction_digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 12; p++, digits++) /* 12: no overflow in us */
        whole = whole * 10 + (*p - '0');
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            if (fraction_digits < 6) {
                fraction = fraction * 10 + (*p - '0');
                fraction_digits++;
            }
    if (*p || digits == 0)
        return false;
    while (fraction_digits++ < 6)
        fraction *= 10;
    *microseconds = (negative ? -1 : 1) * (whole * 1000000 + fraction);
    return true;
}

static bool parse_count(const char *text, int64_t *value)
{
    char *end = NULL;
    errno = 0;
    unsigned long long number = strtoull(text, &end, 10);
    if (errno || end == text || *end || *text == '-' || number > INT64_MAX)
        return false;
    *value = (int64_t)number;
    return true;
}

/* Seconds as a double for a TTL, clamped to what a TTL can be. */
static double ttl_seconds(double value)
{
    return value == value && value > 0 ? (value < 4294967295.0 ? value : 4294967295.0) : 0;
}

static void add_answer(struct zeek_dns_record *r, const char *text, size_t length)
{
    if (r->answer_count == ZEEK_ANSWERS_MAX)
        return;
    unsigned n = r->answer_count++;
    r->answers[n] = (struct zeek_text){ .bytes = text, .length = (uint32_t)length, .set = true };
    r->answer_address[n].family = 0;
    if (length < IP_ADDRESS_TEXT_MAX && !memchr(text, '\0', length)) {
        char copy[IP_ADDRESS_TEXT_MAX];
        memcpy(copy, text, length);
        copy[length] = '\0';
        if (!ip_address_parse(copy, &r->answer_address[n]))
            r->answer_address[n].family = 0;
    }
}

/* ---- TSV ------------------------------------------------------------------------- */

/* "#separator \x09", "#set_separator ,", "#fields ts uid ...", ... */
static void read_header(struct zeek_reader *reader, char *line)
{
    if (strncmp(line, "#separator ", 11) == 0) {
        if (unescape(line + 11, strlen(line + 11)) == 1)
            reader->separator = line[11];
        return;
    }
    char *value = strchr(line, reader->separator);
    if (!value)
        return;
    *value++ = '\0';
    if (strcmp(line, "#set_separator") == 0 && unescape(value, strlen(value)) == 1)
        reader->set_separator = value[0];
    else if (strcmp(line, "#empty_field") == 0)
        snprintf(reader->empty_field, sizeof reader->empty_field, "%s", value);
    else if (strcmp(line, "#unset_field") == 0)
        snprintf(reader->unset_field, sizeof reader->unset_field, "%s", value);
    else if (strcmp(line, "#fields") == 0) {
        for (int i = 0; i < ZEEK_COLUMNS; i++)
            reader->column[i] = -1;
        int index = 0;
        for (char *name = value, *next; name; name = next, index++) {
            if ((next = strchr(name, reader->separator)))
                *next++ = '\0';
            for (int i = 0; i < ZEEK_COLUMNS; i++)
                if (strcmp(name, zeek_column_names[i]) == 0)
                    reader->column[i] = index;
        }
    }
}

/* Splits a TSV vector in place; calls back per item. */
static void tsv_vector(struct zeek_reader *reader, char *text, int column)
{
    struct zeek_dns_record *r = &reader->record;
    bool answers = column == ZEEK_ANSWERS;
    *(answers ? &r->answers_set : &r->ttls_set) = true;
    if (strcmp(text, reader->empty_field) == 0)
        return;
    for (char *item = text, *next; item; item = next) {
        if ((next = strchr(item, reader->set_separator)))
            *next++ = '\0';
        if (answers) {
            add_answer(r, item, unescape(item, strlen(item)));
            continue;
        }
        char *end = NULL;
        double ttl = strtod(item, &end);
        if (end == item || *end)
            bad_field(reader, column, item);
        else if (r->ttl_count < ZEEK_ANSWERS_MAX)
            r->ttls[r->ttl_count++] = ttl_seconds(ttl);
    }
}

/* One TSV field into the record; false when it does not parse. */
static bool tsv_field(struct zeek_reader *reader, int column, char *text)
{
    struct zeek_dns_record *r = &reader->record;
    switch (column_layout[column].kind) {
    case FIELD_TIME:
        return parse_seconds(text, FIELD(r, column, int64_t)) &&
               iso_time_is_sane(*FIELD(r, column, int64_t));
    case FIELD_INTERVAL:
        return parse_seconds(text, FIELD(r, column, int64_t));
    case FIELD_COUNT:
        return parse_count(text, FIELD(r, column, int64_t));
    case FIELD_ADDR:
        return ip_address_parse(text, FIELD(r, column, struct ip_address));
    case FIELD_BOOL:
        if ((text[0] != 'T' && text[0] != 'F') || text[1])
            return false;
        *FIELD(r, column, int8_t) = text[0] == 'T';
        return true;
    case FIELD_TEXT: {
        size_t length = strcmp(text, reader->empty_field) == 0 ? 0 : unescape(text, strlen(text));
        *FIELD(r, column, struct zeek_text) =
            (struct zeek_text){ .bytes = text, .length = (uint32_t)length, .set = true };
        return true;
    }
    case FIELD_ANSWERS:
    case FIELD_TTLS:
        tsv_vector(reader, text, column);
        return true;
    }
    return false;
}

static bool parse_tsv(struct zeek_reader *reader, char *line)
{
    char *field[ZEEK_FIELDS_MAX];
    int count = 0;
    for (char *p = line; p && count < ZEEK_FIELDS_MAX; count++) {
        field[count] = p;
        if ((p = strchr(p, reader->separator)))
            *p++ = '\0';
    }
    for (int column = 0; column < ZEEK_COLUMNS; column++) {
        int index = reader->column[column];
        char *text = index >= 0 && index < count ? field[index] : NULL;
        bool required = column == ZEEK_TS || column == ZEEK_ORIG_H;
        if (!text || strcmp(text, reader->unset_field) == 0) {
            if (required) {
                bad_line(reader, "%s is missing (%d fields)", zeek_column_names[column], count);
                return false;
            }
            continue;
        }
        if (tsv_field(reader, column, text))
            continue;
        if (required) {
            bad_line(reader, "%s '%.46s' is not %s", zeek_column_names[column], text,
                     column == ZEEK_TS ? "a time from 1970 to 2100" : "an address");
            return false;
        }
        bad_field(reader, column, text);
    }
    return true;
}

/* ---- JSON lines -------------------------------------------------------------------- */

/* Epoch seconds, or ISO 8601 "2018-03-24T17:15:20.865716Z" (or +hh:mm). */
static bool json_time(struct json_object *value, int64_t *time_us)
{
    if (json_object_is_type(value, json_type_double) || json_object_is_type(value, json_type_int))
        return iso_time_from_seconds(json_object_get_double(value), time_us);
    return json_object_is_type(value, json_type_string) &&
           iso_time_parse(json_object_get_string(value), (size_t)json_object_get_string_len(value),
                          time_us);
}

static bool json_number(struct json_object *value)
{
    return json_object_is_type(value, json_type_int) || json_object_is_type(value, json_type_double);
}

static bool json_vector(struct zeek_reader *reader, int column, struct json_object *value)
{
    struct zeek_dns_record *r = &reader->record;
    if (!json_object_is_type(value, json_type_array))
        return false;
    bool answers = column == ZEEK_ANSWERS;
    *(answers ? &r->answers_set : &r->ttls_set) = true;
    size_t n = json_object_array_length(value);
    for (size_t i = 0; i < n; i++) {
        struct json_object *item = json_object_array_get_idx(value, i);
        if (answers && json_object_is_type(item, json_type_string))
            add_answer(r, json_object_get_string(item), (size_t)json_object_get_string_len(item));
        else if (!answers && json_number(item) && r->ttl_count < ZEEK_ANSWERS_MAX)
            r->ttls[r->ttl_count++] = ttl_seconds(json_object_get_double(item));
        else
            bad_field(reader, column, json_object_to_json_string(item));
    }
    return true;
}

/* One JSON member into the record; false when its type is not the column's. */
static bool json_field(struct zeek_reader *reader, int column, struct json_object *value)
{
    struct zeek_dns_record *r = &reader->record;
    switch (column_layout[column].kind) {
    case FIELD_TIME:
        return json_time(value, FIELD(r, column, int64_t));
    case FIELD_INTERVAL:
        if (!json_number(value) || !(fabs(json_object_get_double(value)) < 1e9))
            return false; /* an rtt of more than 30 years is not one (and NaN is not) */
        *FIELD(r, column, int64_t) = (int64_t)llround(json_object_get_double(value) * 1e6);
        return true;
    case FIELD_COUNT:
        if (!json_object_is_type(value, json_type_int) || json_object_get_int64(value) < 0)
            return false;
        *FIELD(r, column, int64_t) = json_object_get_int64(value);
        return true;
    case FIELD_ADDR:
        return json_object_is_type(value, json_type_string) &&
               ip_address_parse(json_object_get_string(value), FIELD(r, column, struct ip_address));
    case FIELD_BOOL:
        if (!json_object_is_type(value, json_type_boolean))
            return false;
        *FIELD(r, column, int8_t) = json_object_get_boolean(value) ? 1 : 0;
        return true;
    case FIELD_TEXT:
        if (!json_object_is_type(value, json_type_string))
            return false;
        *FIELD(r, column, struct zeek_text) = (struct zeek_text){
            .bytes = json_object_get_string(value),
            .length = (uint32_t)json_object_get_string_len(value), .set = true };
        return true;
    case FIELD_ANSWERS:
    case FIELD_TTLS:
        return json_vector(reader, column, value);
    }
    return false;
}

static bool parse_json(struct zeek_reader *reader, const char *line)
{
    enum json_tokener_error status;
    struct json_object *object = json_tokener_parse_verbose(line, &status);
    if (!object || !json_object_is_type(object, json_type_object)) {
        bad_line(reader, "not a JSON object: %s",
                 object ? "another JSON value" : json_tokener_error_desc(status));
        json_object_put(object);
        return false;
    }
    reader->json = object;
    for (int column = 0; column < ZEEK_COLUMNS; column++) {
        struct json_object *value = NULL;
        bool required = column == ZEEK_TS || column == ZEEK_ORIG_H;
        bool present = json_object_object_get_ex(object, zeek_column_names[column], &value) &&
                       !json_object_is_type(value, json_type_null);
        if (present && json_field(reader, column, value))
            continue;
        if (required) {
            bad_line(reader, "%s %s", zeek_column_names[column],
                     !present ? "is missing" : column == ZEEK_TS ? "is not a time from 1970 to 2100" : "is not an address");
            return false;
        }
        if (present)
            bad_field(reader, column, json_object_to_json_string(value));
    }
    return true;
}

/* ---- records ------------------------------------------------------------------------ */

/* Parses the line read into reader->record; false when it holds no record. */
static bool parse_line(struct zeek_reader *reader)
{
    char *line = reader->lines.line;
    if (*line == '\0')
        return false;
    if (reader->format == ZEEK_FORMAT_UNKNOWN)
        reader->format = *line == '{' ? ZEEK_FORMAT_JSON : ZEEK_FORMAT_TSV;
    if (reader->format == ZEEK_FORMAT_TSV && *line == '#') {
        read_header(reader, line);
        return false;
    }
    if (reader->format == ZEEK_FORMAT_TSV && reader->column[ZEEK_TS] < 0) {
        bad_line(reader, "a record before any #fields header");
        return false;
    }
    zeek_dns_record_clear(&reader->record);
    release_json(reader);
    return reader->format == ZEEK_FORMAT_JSON ? parse_json(reader, line) : parse_tsv(reader, line);
}

int zeek_reader_next(struct zeek_reader *reader, struct engine_lookup *lookup, char *error,
                     size_t error_size)
{
    bool too_long;
    int status;
    while ((status = line_reader_next(&reader->lines, &too_long, error, error_size)) > 0) {
        if (too_long) {
            bad_line(reader, "line longer than %d bytes", LINE_READER_MAX);
            continue;
        }
        if (memchr(reader->lines.line, '\0', reader->lines.line_length)) {
            bad_line(reader, "a NUL byte inside the line");
            continue;
        }
        if (!parse_line(reader))
            continue;
        /* JSON leaves unset fields out: only a TSV header can lack the column */
        bool rtt_logged = reader->format != ZEEK_FORMAT_TSV || reader->column[ZEEK_RTT] >= 0;
        zeek_dns_record_to_lookup(&reader->record, rtt_logged, lookup, reader->answers);
        reader->counters.records++;
        return 1;
    }
    return status;
}
