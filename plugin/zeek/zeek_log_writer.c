/* zeek_log_writer: Zeek's ASCII conventions (tab-separated, "," between
 * vector items, "-" unset, "(empty)" for an empty vector or string, \xNN for
 * bytes that would break a line or a column) and its JSON ones (unset fields
 * left out). Buffered through json_out; nothing is allocated per record. */
#include "zeek/zeek_log_writer.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char unset_marker[] = "-", empty_marker[] = "(empty)";

/* "2026-11-28-20-15-00" (UTC) of the wall clock, as Zeek's #open and #close. */
static void wall_clock_stamp(char *out, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, size, "%Y-%m-%d-%H-%M-%S", &tm);
}

static void write_header(struct zeek_log_writer *w, const char *name)
{
    char stamp[32];
    wall_clock_stamp(stamp, sizeof stamp);
    fprintf(w->file, "#separator \\x09\n#set_separator\t,\n#empty_field\t%s\n#unset_field\t%s\n"
                     "#path\t%s\n#open\t%s\n#fields", empty_marker, unset_marker, name, stamp);
    for (size_t i = 0; i < w->column_count; i++)
        fprintf(w->file, "\t%s", w->columns[i].name);
    fputs("\n#types", w->file);
    for (size_t i = 0; i < w->column_count; i++)
        fprintf(w->file, "\t%s", w->columns[i].type);
    fputc('\n', w->file);
}

bool zeek_log_writer_open(struct zeek_log_writer *writer, const char *dir, const char *name,
                          bool json, const struct zeek_log_column *columns, size_t column_count,
                          char *error, size_t error_size)
{
    memset(writer, 0, sizeof *writer);
    writer->json = json;
    writer->columns = columns;
    writer->column_count = column_count;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.log", dir, name);
    if (!(writer->file = fopen(path, "a"))) {
        snprintf(error, error_size, "%s: cannot open for writing: %s", path, strerror(errno));
        return false;
    }
    if (!(writer->out = malloc(sizeof *writer->out))) {
        snprintf(error, error_size, "%s: out of memory", path);
        fclose(writer->file);
        writer->file = NULL;
        return false;
    }
    json_out_init(writer->out, writer->file);
    if (!json)
        write_header(writer, name);
    return true;
}

void zeek_log_writer_flush(struct zeek_log_writer *writer)
{
    json_out_flush(writer->out);
    fflush(writer->file);
}

bool zeek_log_writer_close(struct zeek_log_writer *writer)
{
    if (!writer->file)
        return true;
    json_out_flush(writer->out);
    if (!writer->json) {
        char stamp[32];
        wall_clock_stamp(stamp, sizeof stamp);
        fprintf(writer->file, "#close\t%s\n", stamp);
    }
    bool ok = writer->out->write_errors == 0 && !ferror(writer->file);
    ok = fclose(writer->file) == 0 && ok;
    free(writer->out);
    writer->file = NULL;
    writer->out = NULL;
    return ok;
}

/* Separator and, in JSON, the field's name; every field starts here. */
static void begin_field(struct zeek_log_writer *w)
{
    if (w->in_vector) {
        if (w->vector_items++)
            json_out_literal(w->out, ",");
        return;
    }
    size_t index = w->column++;
    if (!w->json) {
        if (index)
            json_out_literal(w->out, "\t");
        return;
    }
    if (w->record_open)
        json_out_literal(w->out, ",\"");
    else
        json_out_literal(w->out, "{\"");
    w->record_open = true;
    json_out_raw(w->out, w->columns[index].name, strlen(w->columns[index].name));
    json_out_literal(w->out, "\":");
}

void zeek_log_unset(struct zeek_log_writer *w)
{
    if (w->json && !w->in_vector) {
        w->column++;
        return;
    }
    begin_field(w);
    if (w->json)
        json_out_literal(w->out, "null");
    else
        json_out_literal(w->out, "-");
}

/* seconds.microseconds with six digits, the form of Zeek's time and interval. */
static void write_seconds(struct zeek_log_writer *w, int64_t microseconds)
{
    char text[48];
    int length;
    if (microseconds >= 0)
        length = snprintf(text, sizeof text, "%" PRId64 ".%06" PRId64, microseconds / 1000000,
                          microseconds % 1000000);
    else
        length = snprintf(text, sizeof text, "%.6f", (double)microseconds / 1e6);
    json_out_raw(w->out, text, (size_t)length);
}

void zeek_log_time(struct zeek_log_writer *w, int64_t microseconds)
{
    begin_field(w);
    write_seconds(w, microseconds);
}

void zeek_log_interval(struct zeek_log_writer *w, int64_t microseconds)
{
    begin_field(w);
    write_seconds(w, microseconds);
}

void zeek_log_count(struct zeek_log_writer *w, uint64_t value)
{
    begin_field(w);
    json_out_uint(w->out, value);
}

void zeek_log_double(struct zeek_log_writer *w, double value)
{
    char text[48];
    int length = snprintf(text, sizeof text, "%.6f", value == value ? value : 0.0);
    begin_field(w);
    json_out_raw(w->out, text, (size_t)length);
}

void zeek_log_bool(struct zeek_log_writer *w, bool value)
{
    begin_field(w);
    if (w->json)
        json_out_bool(w->out, value);
    else
        json_out_raw(w->out, value ? "T" : "F", 1);
}

/* True for bytes a TSV field cannot hold as they are. */
static bool tsv_needs_escape(unsigned char c, bool in_vector)
{
    return c < 0x20 || c >= 0x7f || (in_vector && c == ',');
}

static void write_tsv_text(struct zeek_log_writer *w, const char *text, size_t length)
{
    if (length == 0) {
        json_out_literal(w->out, "(empty)");
        return;
    }
    if ((length == 1 && text[0] == '-') || (length == sizeof empty_marker - 1 &&
                                            memcmp(text, empty_marker, length) == 0)) {
        json_out_literal(w->out, "\\x");  /* a value that reads as a marker */
        json_out_raw(w->out, text[0] == '-' ? "2d" : "28", 2);
        json_out_raw(w->out, text + 1, length - 1);
        return;
    }
    static const char hex[] = "0123456789abcdef";
    size_t plain = 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        if (!tsv_needs_escape(c, w->in_vector))
            continue;
        json_out_raw(w->out, text + plain, i - plain);
        char escaped[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
        json_out_raw(w->out, escaped, 4);
        plain = i + 1;
    }
    json_out_raw(w->out, text + plain, length - plain);
}

void zeek_log_string(struct zeek_log_writer *w, const char *text, size_t length)
{
    begin_field(w);
    if (w->json)
        json_out_string(w->out, text, length);
    else
        write_tsv_text(w, text, length);
}

void zeek_log_addr(struct zeek_log_writer *w, const struct ip_address *address)
{
    begin_field(w);
    if (w->json) {
        json_out_ip(w->out, address);
        return;
    }
    char text[IP_ADDRESS_TEXT_MAX];
    json_out_raw(w->out, text, ip_address_format(address, text));
}

void zeek_log_vector_begin(struct zeek_log_writer *w)
{
    begin_field(w);
    if (w->json)
        json_out_literal(w->out, "[");
    w->in_vector = true;
    w->vector_items = 0;
}

void zeek_log_vector_end(struct zeek_log_writer *w)
{
    w->in_vector = false;
    if (w->json)
        json_out_literal(w->out, "]");
    else if (w->vector_items == 0)
        json_out_literal(w->out, "(empty)");
}

void zeek_log_end_record(struct zeek_log_writer *w)
{
    if (w->json)
        json_out_raw(w->out, w->record_open ? "}" : "{}", w->record_open ? 1 : 2);
    w->record_open = false;
    json_out_end_record(w->out);
    w->column = 0;
    w->records++;
}
